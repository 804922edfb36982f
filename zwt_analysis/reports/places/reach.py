"""Reach per wijk beside what its make-up suggests (an expected-reach model).

Reach = distinct clients with a case reported in the year, per 1,000 inhabitants of the
wijk. The expected number of clients comes from a quasi-Poisson regression over all wijken:
``log E[clients] = log(population) + b0 + b1 * proxy1 + ...`` with CBS need proxies (age
structure, household size). ``observed / expected`` below 1 means fewer clients than wijken
of the same make-up have on average. This is an association across wijken, not a verdict
on a team: need that the proxies do not capture (income, health, the sociale basis) is not
in the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from zwt_analysis import config


def load_wijken(ages_file: str, names_file: str) -> pd.DataFrame:
    """CBS wijk figures (one row per wijk): area_code, wijk name, inhabitants and proxies."""
    ages = pd.read_csv(config.resource(ages_file), dtype={"regiocode": str})
    wijk = ages[ages["regiotype"] == "Wijk"].rename(columns={"regiocode": "area_code"})
    names = pd.read_csv(config.resource(names_file), dtype=str)
    wijk = wijk.merge(names[["wijkcode", "wijknaam"]].rename(columns={"wijkcode": "area_code"}),
                      on="area_code", how="left")
    wijk["wijknaam"] = wijk["wijknaam"].fillna(wijk["regionaam"])
    return wijk.reset_index(drop=True)


def clients_per_area(cases: pd.DataFrame, year: int) -> pd.DataFrame:
    """Distinct clients with a case reported in ``year``, per area_code (areas without a
    case in that year are absent). Columns: area_code, clients."""
    if cases.empty:
        return pd.DataFrame({"area_code": pd.Series(dtype="string"),
                             "clients": pd.Series(dtype="int64")})
    d = pd.to_datetime(cases["date_report"])
    sel = cases[(d.dt.year == year) & cases["area_code"].notna()]
    out = sel.groupby("area_code", observed=True)["client_id"].nunique().rename("clients")
    return out.reset_index().astype({"area_code": "string", "clients": "int64"})


@dataclass
class ReachModel:
    """The fitted expected-reach model and its diagnostics."""

    table: pd.DataFrame
    coefficients: pd.DataFrame
    dispersion: float
    n_wijken: int
    proxies: list[str] = field(default_factory=list)
    note: str = ""


def expected_reach(wijken: pd.DataFrame, clients: pd.DataFrame, population: pd.DataFrame,
                   proxies: Sequence[str], alpha: float = 0.05) -> ReachModel:
    """Fit the expected-reach model and compare each wijk with its expectation.

    Args:
        wijken: CBS wijk figures (:func:`load_wijken`), one row per wijk.
        clients: clients per area (:func:`clients_per_area`).
        population: the delivered ``areas`` table (area_code, population): the population
            the teams work for (the denominator of reach).
        proxies: CBS columns used as need proxies.
        alpha: 1 - the interval's coverage.

    Returns:
        A :class:`ReachModel`; its ``table`` has per wijk: area_code, wijknaam, population,
        clients, reach_per_1000, expected, ratio, ratio_low, ratio_high (a quasi-Poisson
        interval for observed / expected, the observed count's own noise scaled by the
        dispersion). With fewer wijken than proxies + 3, no model is fitted (``note`` says
        so) and ``expected`` is the city-wide rate.
    """
    import statsmodels.api as sm

    pop = population[["area_code", "population"]].dropna()
    pop = pop[pop["population"] > 0]
    df = pop.merge(wijken[["area_code", "wijknaam", *proxies]], on="area_code", how="left")
    df = df.merge(clients, on="area_code", how="left")
    df["clients"] = df["clients"].fillna(0).astype("int64")
    df = df.dropna(subset=list(proxies)).reset_index(drop=True)
    n = len(df)
    note = ""
    offset = np.log(df["population"].to_numpy(float))
    y = df["clients"].to_numpy(float)
    if n >= len(proxies) + 3 and y.sum() > 0:
        X = sm.add_constant(df[list(proxies)].to_numpy(float), has_constant="add")
        fit = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
        expected = fit.predict(X, offset=offset)
        phi = max(float(fit.scale), 1.0)
        coefs = pd.DataFrame({"term": ["constante", *proxies], "estimate": fit.params,
                              "se": fit.bse, "p_value": fit.pvalues})
    else:
        rate = y.sum() / max(df["population"].sum(), 1)
        expected = df["population"].to_numpy(float) * rate
        phi = 1.0
        coefs = pd.DataFrame(columns=["term", "estimate", "se", "p_value"])
        note = (f"te weinig wijken ({n}) voor een model met {len(proxies)} kenmerken; "
                "verwacht = het gemiddelde bereik van de gemeente")
    z = stats.norm.ppf(1 - alpha / 2)
    se_log = np.sqrt(phi / np.maximum(y, 0.5))
    ratio = np.where(expected > 0, y / expected, np.nan)
    df["expected"] = expected
    df["ratio"] = ratio
    df["ratio_low"] = ratio * np.exp(-z * se_log)
    df["ratio_high"] = ratio * np.exp(z * se_log)
    df["reach_per_1000"] = y * 1000 / df["population"].to_numpy(float)
    cols = ["area_code", "wijknaam", "population", "clients", "reach_per_1000", "expected",
            "ratio", "ratio_low", "ratio_high"]
    return ReachModel(df[cols].sort_values("ratio", ignore_index=True), coefs, phi, n,
                      list(proxies), note)
