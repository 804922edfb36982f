"""Monthly stock-flow Monte Carlo of wijkteam staff, capacity and prevention.

One organisation is simulated as arrays over runs; staff are counted by
tenure in months (up to the last tenure band edge, the rest in one bin), for
today's staff and for staff hired during the run apart. Every month, in
this order:

1. Funded formation (FTE) = base formation x ((1 + indexation) / (1 + wage
   growth)) ** (years since the base year), per run when the wage gap is
   drawn per run: the budget grows with the municipality's indexation, the
   cost per FTE with the cao wages, both each January.
2. Leavers: each employed person leaves with monthly probability
   ``1 - exp(-h / 12)``, ``h`` the yearly hazard of the run, the month and
   the person's tenure band (:func:`.hazards.annual_hazards`; one constant
   rate when no hazard array is given).
3. Everyone's tenure grows by a month.
4. Vacancies: funded persons (funded FTE / FTE per person, rounded) minus
   employed persons, never below 0 (a shrinking formation is absorbed by
   attrition, nobody is dismissed). Each open vacancy is filled this month
   with probability ``1 / (1 + months_to_fill)`` (per run): a geometric
   vacant time with that mean. Hires start at tenure 0.
5. New hires ramp up: productivity ``new_hire_productivity`` in their first
   month rising linearly to 1 after ``ramp_up_months``; today's staff count
   as fully productive.
6. Capacity: effective FTE x (1 - overhead_share) is available for client
   work; statutory demand (FTE, growing with population and trend) is served
   first; what remains goes to prevention. Preventive share = preventive /
   (preventive + statutory served).

:func:`summarise` and :func:`fan` turn arrays into tables; the scenario file
is read by :mod:`.scenarios` and runs are wired by :mod:`.runs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.reports.workforce.scenarios import Assumptions

__all__ = ["OUTPUTS", "Assumptions", "OrgStart", "SimResult", "combine", "fan", "funded_path",
           "monthly_leave_probability", "simulate_org", "stayers_probabilities", "summarise",
           "year_mean"]

OUTPUTS = ("employed", "effective_fte", "funded_fte", "vacancies_fte", "stayers_share",
           "statutory_demand_fte", "statutory_fte", "preventive_fte", "preventive_share",
           "unmet_statutory_fte", "leavers", "hires", "initial_stayers")


# ----------------------------------------------------------------- inputs

@dataclass(frozen=True)
class OrgStart:
    """The stock and capacity split an organisation starts from.

    Attributes:
        persons: persons employed on the base day.
        fte_per_person: mean contract FTE per person.
        formation_fte: budgeted (funded) FTE in the base year.
        statutory_share: share of all hours on statutory individual work.
        preventive_share_hours: share of all hours on preventive work.
        base_year: calendar year of the base formation (indexation counts from it).
        tenures: tenure in whole months of each person on the base day (empty:
            everyone counts as long-serving).
    """

    organisation: str
    persons: int
    fte_per_person: float
    formation_fte: float
    statutory_share: float
    preventive_share_hours: float
    base_year: int
    tenures: tuple[int, ...] = ()

    @property
    def other_share(self) -> float:
        """Share of hours on coordination, overhead and additional assignments."""
        return max(0.0, 1.0 - self.statutory_share - self.preventive_share_hours)


@dataclass
class SimResult:
    """Arrays ``(runs, months)`` per output name, for one organisation or the city."""

    organisation: str
    months: pd.PeriodIndex
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    #: persons employed at the base day (denominator of ``stayers_share``).
    start_persons: int = 0

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]


# ----------------------------------------------------------------- core

def monthly_leave_probability(rate: float | np.ndarray) -> np.ndarray:
    """Monthly probability of leaving for an outflow rate per person-year (>= 0)."""
    return 1.0 - np.exp(-np.clip(np.asarray(rate, dtype=float), 0.0, None) / 12.0)


def funded_path(formation_fte: float, months: pd.PeriodIndex, base_year: int,
                wage_growth: float | np.ndarray, indexation: float) -> np.ndarray:
    """Funded FTE per month: formation x ((1+i)/(1+w)) ** (year - base_year), yearly steps.

    ``wage_growth`` may be one value (result: months) or one per run (result: runs x months).
    """
    k = np.maximum(np.asarray(months.year) - base_year, 0)
    w = np.asarray(wage_growth, dtype=float)
    ratio = (1 + indexation) / (1 + w)
    return formation_fte * (ratio[..., None] ** k if w.ndim else ratio ** k)


def _tenure_bins(start: OrgStart, n_bins: int, runs: int) -> np.ndarray:
    """Today's staff per tenure month (runs, n_bins); the last bin holds the longer tenures."""
    hist = np.zeros(n_bins, dtype=np.int64)
    if start.tenures:
        np.add.at(hist, np.minimum(np.asarray(start.tenures, dtype=np.int64), n_bins - 1), 1)
    else:
        hist[-1] = start.persons
    return np.tile(hist, (runs, 1))


def _age(counts: np.ndarray) -> None:
    """Everyone one month longer in service (in place); the last bin keeps its members."""
    if counts.shape[1] > 1:
        last = counts[:, -1] + counts[:, -2]
        counts[:, 1:-1] = counts[:, :-2].copy()
        counts[:, -1] = last
        counts[:, 0] = 0


def simulate_org(start: OrgStart, a: Assumptions, months: pd.PeriodIndex, runs: int,
                 rng: np.random.Generator, outflow_rates: np.ndarray | None = None,
                 funded_fte: np.ndarray | None = None, months_offset: int = 0,
                 hazard: np.ndarray | None = None, band_edges_months: tuple[int, ...] = (),
                 months_to_fill: np.ndarray | None = None) -> SimResult:
    """Simulate one organisation month by month, vectorised over runs.

    Args:
        start: base stock (with tenures) and capacity split.
        a: assumptions (point values; the arrays below take precedence).
        months: the simulated calendar months (consecutive).
        runs: number of Monte Carlo runs.
        rng: numpy Generator (the only source of randomness).
        outflow_rates: optional constant outflow rate per run (shape ``(runs,)``).
        funded_fte: optional funded FTE per month (months,) or per run and month.
        months_offset: months between the base day and ``months[0]`` minus one
            (demand growth counts from the base day).
        hazard: optional yearly hazard (runs, months, bands) by tenure band.
        band_edges_months: tenure band edges in months (the hazard's bands).
        months_to_fill: optional mean vacant months per run (shape ``(runs,)``).

    Returns:
        :class:`SimResult` with the arrays named in ``OUTPUTS``.
    """
    n_m = len(months)
    fpp = start.fte_per_person if start.fte_per_person > 0 else 0.8
    ramp = max(int(a.ramp_up_months), 0)
    n_bins = max([ramp, *band_edges_months, 0]) + 1
    band = np.searchsorted(np.asarray(band_edges_months, dtype=float), np.arange(n_bins),
                           side="right") if band_edges_months else np.zeros(n_bins, dtype=int)
    if hazard is None:
        rates = np.full(runs, a.outflow_rate) if outflow_rates is None else outflow_rates
        hazard = np.broadcast_to(np.asarray(rates, dtype=float)[:, None, None], (runs, n_m, 1))
        band = np.zeros(n_bins, dtype=int)
    mtf = np.full(runs, float(a.months_to_fill)) if months_to_fill is None \
        else np.asarray(months_to_fill, dtype=float)
    q_fill = 1.0 / (1.0 + np.maximum(mtf, 0.0))
    prod = np.ones(n_bins)
    prod[:ramp] = a.new_hire_productivity + (1 - a.new_hire_productivity) * np.arange(ramp) / ramp \
        if ramp else 1.0
    funded = (funded_path(start.formation_fte, months, start.base_year, a.wage_growth,
                          a.indexation) if funded_fte is None else np.asarray(funded_fte, float))
    funded = np.broadcast_to(funded, (runs, n_m))
    funded_heads = np.rint(funded / fpp).astype(np.int64)
    demand0 = start.persons * fpp * start.statutory_share
    demand = demand0 * (1 + a.demand_growth) ** ((np.arange(n_m) + 1 + months_offset) / 12.0)
    client = 1.0 - a.overhead_share

    initial = _tenure_bins(start, n_bins, runs)     # today's staff by tenure month
    other = np.zeros((runs, n_bins), dtype=np.int64)  # hired during the run
    out = {k: np.zeros((runs, n_m), dtype=float) for k in OUTPUTS}
    for t in range(n_m):
        p = monthly_leave_probability(hazard[:, t, :][:, band])
        l_init = rng.binomial(initial, p)
        l_other = rng.binomial(other, p)
        initial -= l_init
        other -= l_other
        _age(initial)
        _age(other)
        n_init = initial.sum(axis=1)
        employed = n_init + other.sum(axis=1)
        hires = rng.binomial(np.maximum(funded_heads[:, t] - employed, 0), q_fill)
        other[:, 0] += hires
        employed = employed + hires
        out["employed"][:, t] = employed
        out["funded_fte"][:, t] = funded[:, t]
        out["vacancies_fte"][:, t] = np.maximum(funded_heads[:, t] - employed, 0) * fpp
        out["initial_stayers"][:, t] = n_init
        out["stayers_share"][:, t] = n_init / start.persons if start.persons else 0.0
        out["leavers"][:, t] = l_init.sum(axis=1) + l_other.sum(axis=1)
        out["hires"][:, t] = hires
        _record_capacity(out, t, (n_init + other @ prod) * fpp, client, demand[t])
    return SimResult(start.organisation, months, out, start.persons)


def _record_capacity(out: dict[str, np.ndarray], t: int, eff: np.ndarray, client: float,
                     demand: float) -> None:
    """Write month ``t``'s capacity split into ``out``: effective FTE ``eff`` x the
    client share serves ``demand`` (statutory FTE) first, the rest is preventive."""
    core = eff * client
    stat = np.minimum(demand, core)
    prev = core - stat
    denom = prev + stat
    out["effective_fte"][:, t] = eff
    out["statutory_demand_fte"][:, t] = demand
    out["statutory_fte"][:, t] = stat
    out["preventive_fte"][:, t] = prev
    out["preventive_share"][:, t] = np.divide(prev, denom, out=np.zeros(len(eff)),
                                              where=denom > 0)
    out["unmet_statutory_fte"][:, t] = demand - stat


def combine(results: list[SimResult], name: str = ALL) -> SimResult:
    """City totals: sums per run; shares recomputed from the summed parts."""
    arrays = {}
    for k in OUTPUTS:
        if k in ("stayers_share", "preventive_share"):
            continue
        arrays[k] = np.sum([r[k] for r in results], axis=0)
    start_persons = sum(r.start_persons for r in results)
    arrays["stayers_share"] = (arrays["initial_stayers"] / start_persons if start_persons
                               else np.zeros_like(arrays["initial_stayers"]))
    denom = arrays["preventive_fte"] + arrays["statutory_fte"]
    arrays["preventive_share"] = np.divide(arrays["preventive_fte"], denom,
                                           out=np.zeros_like(denom), where=denom > 0)
    return SimResult(name, results[0].months, arrays, start_persons)


# ----------------------------------------------------------------- summaries

def fan(result: SimResult, key: str, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)
        ) -> pd.DataFrame:
    """Quantiles over runs per month: columns ``month, p10, p50, p90`` (per ``quantiles``)."""
    q = np.quantile(result[key], quantiles, axis=0)
    df = pd.DataFrame({"month": result.months.to_timestamp()})
    for qi, row in zip(quantiles, q, strict=True):
        df[f"p{round(qi * 100)}"] = row
    df.insert(0, "organisation", result.organisation)
    df.insert(1, "output", key)
    return df


def year_mean(result: SimResult, key: str, year: int) -> np.ndarray:
    """Per-run mean of ``key`` over the months of ``year`` (shape ``(runs,)``)."""
    sel = np.asarray(result.months.year) == year
    if not sel.any():
        raise ValueError(f"year {year} is not in the simulated months")
    return result[key][:, sel].mean(axis=1)


def summarise(result: SimResult, scenario: str, year: int | None = None) -> dict[str, Any]:
    """Median and 10-90% band of key outputs at the end of the horizon.

    Stocks (FTE, stayers share) are taken in the last simulated month, the
    preventive share as the mean over ``year`` (default: last year).
    """
    year = int(result.months[-1].year) if year is None else year
    last = {k: result[k][:, -1] for k in ("effective_fte", "funded_fte", "vacancies_fte",
                                            "stayers_share", "preventive_fte")}
    prev_share = year_mean(result, "preventive_share", year)
    unmet = year_mean(result, "unmet_statutory_fte", year)
    row: dict[str, Any] = {"scenario": scenario, "organisation": result.organisation,
                           "year": year}
    for k, v in {**last, "preventive_share": prev_share, "unmet_statutory_fte": unmet}.items():
        lo, med, hi = np.quantile(v, [0.1, 0.5, 0.9])
        row[f"{k}_p10"], row[f"{k}_p50"], row[f"{k}_p90"] = float(lo), float(med), float(hi)
    row["p_unmet_statutory"] = float(np.mean(unmet > 1e-9))
    row["p_stayers_between_80_90"] = float(np.mean((last["stayers_share"] >= 0.8)
                                                   & (last["stayers_share"] <= 0.9)))
    row["p_stayers_at_least_80"] = float(np.mean(last["stayers_share"] >= 0.8))
    return row


def stayers_probabilities(result: SimResult, low: float = 0.8, high: float = 0.9
                          ) -> dict[str, float]:
    """Probability over runs that the share of today's staff still there at the end
    lies in [low, high] (the evaluation's "10-20% changes"), above it, and below it."""
    last = result["stayers_share"][:, -1]
    return {"p_in_range": float(np.mean((last >= low) & (last <= high))),
            "p_above": float(np.mean(last > high)),
            "p_below": float(np.mean(last < low))}
