"""The leaving hazard by organisation, calendar year and tenure band, with its drift.

Time at risk of the employment episodes (:func:`.outflow.episodes`) is split
into cells of organisation x calendar year x tenure band (:func:`exposure`;
left truncation: only time from 1 January of the first observed year counts,
so people who left before the export began are no problem). Exits over person-years
follow a log-linear (Poisson) model with an over-dispersion factor
(quasi-Poisson):

    log E[exits] = log(person-years) + a_org + b_band + g_org (year - ref)

- ``b_band``: tenure bands from ``workforce.yaml`` (``outflow_model``); a band
  with fewer than ``min_band_exits`` exits is merged into its lower neighbour.
- Dispersion ``phi``: Pearson chi-square over the organisation-years (the
  unit whose year-to-year spread matters for a forecast) over their residual
  degrees of freedom, at least 1; every standard error is scaled by it and the
  tests use a t reference with those degrees of freedom.
- Drift (:func:`select_drift`): first one drift common to all organisations
  (t-test), then whether the organisations' drifts differ (F-test of the
  organisation x year terms). Differ -> each organisation its own drift, kept
  only where it is significant after Benjamini-Hochberg over the organisations;
  else the common drift for all when significant; else none. Fewer than
  ``min_years`` calendar years with exposure: no drift is tested.

:func:`fit_model` returns a :class:`HazardModel` (estimates, covariance,
dispersion); :func:`annual_hazards` turns per-run parameter draws into the
hazard per run, month and band for the simulation; :func:`cumulative_hazard`
gives the expected survival of a cohort for the retention check.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from zwt_analysis.contract import ALL
from zwt_analysis.methods.trend import benjamini_hochberg

__all__ = ["HazardModel", "annual_hazards", "band_labels", "cumulative_hazard", "exposure",
           "fit_model", "merge_bands", "select_drift"]

DAYS_PER_YEAR = 365.25


# ----------------------------------------------------------------- exposure

def _segments(start: pd.Timestamp, enter: pd.Timestamp, stop: pd.Timestamp,
              edges_days: list[int]) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """[from, to) pieces of one episode's time at risk split at 1 January and tenure edges,
    each with its tenure band (number of edges passed at its start)."""
    cuts = {enter, stop}
    cuts.update(pd.Timestamp(year=y, month=1, day=1) for y in range(enter.year + 1, stop.year + 1))
    cuts.update(start + pd.Timedelta(days=e) for e in edges_days)
    points = sorted(c for c in cuts if enter <= c <= stop)
    out = []
    for a, b in zip(points[:-1], points[1:], strict=True):
        if b > a:
            tenure = (a - start).days
            out.append((a, b, sum(tenure >= e for e in edges_days)))
    return out


def exposure(eps: pd.DataFrame, window_start: date, as_of: date,
             band_edges_years: list[float]) -> pd.DataFrame:
    """Person-years at risk and exits per organisation, calendar year and tenure band.

    Args:
        eps: episodes (:func:`.outflow.episodes`); city rows are ignored.
        window_start: first day observed (left truncation).
        as_of: last day observed (right censoring; the day itself counts).
        band_edges_years: tenure band edges in years, ascending (``[1, 2, 5]``:
            bands 0 = under 1 year ... 3 = 5 years and more).

    Returns:
        ``organisation, year, band, person_years, exits``: one row per cell
        with exposure, sorted. An exit falls in the cell of its last day.
    """
    w0, w1 = pd.Timestamp(window_start), pd.Timestamp(as_of) + pd.Timedelta(days=1)
    edges = [round(e * DAYS_PER_YEAR) for e in band_edges_years]
    acc: dict[tuple[str, int, int], list[float]] = {}
    e = eps[eps["organisation"] != ALL]
    for org, st, en, ex in zip(e["organisation"], e["start"], e["end"], e["exit"], strict=True):
        stop = w1 if pd.isna(en) else min(en + pd.Timedelta(days=1), w1)
        enter = max(st, w0)
        segs = _segments(st, enter, stop, edges) if stop > enter else []
        for i, (a, b, band) in enumerate(segs):
            cell = acc.setdefault((str(org), a.year, band), [0.0, 0.0])
            cell[0] += (b - a).days / DAYS_PER_YEAR
            cell[1] += float(bool(ex) and not pd.isna(en) and i == len(segs) - 1)
    rows = [(o, y, b, v[0], v[1]) for (o, y, b), v in sorted(acc.items())]
    return pd.DataFrame(rows, columns=["organisation", "year", "band", "person_years", "exits"])


def merge_bands(cells: pd.DataFrame, n_bands: int, min_exits: int) -> list[int]:
    """Map of each original band to a merged band: from the top down, a band with fewer
    than ``min_exits`` exits (all organisations and years) joins the band below it; the
    lowest band joins the one above when it is short. One band when all are short."""
    exits = cells.groupby("band")["exits"].sum().reindex(range(n_bands), fill_value=0.0)
    groups = [[b] for b in range(n_bands)]
    i = len(groups) - 1
    while i > 0:
        if sum(exits[b] for b in groups[i]) < min_exits:
            groups[i - 1] += groups.pop(i)
        i -= 1
    if len(groups) > 1 and sum(exits[b] for b in groups[0]) < min_exits:
        first = groups.pop(0)
        groups[0] = first + groups[0]
    return [next(k for k, g in enumerate(groups) if b in g) for b in range(n_bands)]


def _nl(v: float) -> str:
    return f"{v:g}".replace(".", ",")


def band_labels(edges_years: list[float], mapping: list[int]) -> list[str]:
    """Dutch labels of the merged bands (``"0–1 jaar"``, ``"5 jaar en langer"``)."""
    bounds = [0.0, *edges_years]
    out = []
    for k in range(max(mapping) + 1):
        members = [b for b, m in enumerate(mapping) if m == k]
        lo = bounds[min(members)]
        hi = bounds[max(members) + 1] if max(members) + 1 < len(bounds) else None
        out.append(f"{_nl(lo)}–{_nl(hi)} jaar" if hi is not None else f"{_nl(lo)} jaar en langer")
    return out


# ----------------------------------------------------------------- model

@dataclass
class HazardModel:
    """A fitted hazard model (see the module docstring).

    Attributes:
        organisations: organisations with their own level ``a_org``.
        n_bands: merged tenure bands; ``band_map``: original band -> merged band.
        band_edges_years: the configured edges (before merging).
        drift: organisation -> its drift parameter's name ("" = no drift).
        names, params, cov: parameter names, estimates and covariance (scaled by phi).
        dispersion: phi (>= 1); ``df``: residual degrees of freedom at the
            organisation-year level.
        ref_year: drift is measured from this year (the last full year).
        tests: the drift tests (``term, estimate, se, p, p_adjusted``).
        decision: "common", "per organisation" or "none"; ``reason``: why (Dutch).
        year_variance: organisation -> extra variance of a year's hazard multiplier
            (over-dispersion beyond the model, for the simulation; 0 = none).
    """

    organisations: list[str]
    n_bands: int
    band_map: list[int]
    band_edges_years: list[float]
    drift: dict[str, str]
    names: list[str]
    params: np.ndarray
    cov: np.ndarray
    dispersion: float
    df: float
    ref_year: int
    tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    decision: str = "none"
    reason: str = ""
    year_variance: dict[str, float] = field(default_factory=dict)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def log_rate(self, theta: np.ndarray, org: str, year: np.ndarray, band: np.ndarray
                 ) -> np.ndarray:
        """log hazard per year for parameter rows ``theta`` (runs, p) -> (runs, len(year))."""
        th = np.atleast_2d(theta)
        out = th[:, [self.index(f"org:{org}")]] + np.zeros((1, len(year)))
        for k in range(1, self.n_bands):
            out = out + th[:, [self.index(f"band:{k}")]] * (np.asarray(band) == k)[None, :]
        if self.drift.get(org):
            out = out + th[:, [self.index(self.drift[org])]] * (np.asarray(year) - self.ref_year)
        return out


def _design(cells: pd.DataFrame, orgs: list[str], n_bands: int, drift: dict[str, str],
            ref: int) -> tuple[np.ndarray, list[str]]:
    cols, names = [], []
    for o in orgs:
        cols.append((cells["organisation"] == o).to_numpy(float))
        names.append(f"org:{o}")
    for k in range(1, n_bands):
        cols.append((cells["band"] == k).to_numpy(float))
        names.append(f"band:{k}")
    for name in sorted(set(v for v in drift.values() if v)):
        who = [o for o, v in drift.items() if v == name]
        cols.append(cells["organisation"].isin(who).to_numpy(float) * (cells["year"] - ref).to_numpy(float))
        names.append(name)
    return np.column_stack(cols), names


def _glm(cells: pd.DataFrame, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson fit with log(person-years) offset: (estimates, unscaled covariance, fitted)."""
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(cells["exits"].to_numpy(float), x, family=sm.families.Poisson(),
                     offset=np.log(cells["person_years"].to_numpy(float))).fit()
    return np.asarray(res.params), np.asarray(res.cov_params()), np.asarray(res.fittedvalues)


def _oy_pearson(cells: pd.DataFrame, fitted: np.ndarray, n_params: int, n_band_params: int
                ) -> tuple[float, float, pd.DataFrame]:
    """Pearson dispersion over organisation-years: (phi >= 1, residual df, per org-year O/E)."""
    oy = cells.assign(fit=fitted).groupby(["organisation", "year"], as_index=False)[
        ["exits", "fit"]].sum()
    df = len(oy) - (n_params - n_band_params)
    x2 = float((((oy["exits"] - oy["fit"]) ** 2) / oy["fit"].where(oy["fit"] > 0)).sum())
    return (max(1.0, x2 / df) if df > 0 else 1.0), float(max(df, 0)), oy


@dataclass
class _Fit:
    drift: dict[str, str]
    names: list[str]
    params: np.ndarray
    cov: np.ndarray
    phi: float
    df: float
    deviance_oy: pd.DataFrame


def _fit(cells: pd.DataFrame, orgs: list[str], n_bands: int, drift: dict[str, str], ref: int
         ) -> _Fit:
    x, names = _design(cells, orgs, n_bands, drift, ref)
    params, cov, fitted = _glm(cells, x)
    phi, df, oy = _oy_pearson(cells, fitted, len(names), n_bands - 1)
    return _Fit(drift, names, params, cov * phi, phi, df, oy)


def _x2(f: _Fit) -> float:
    """Pearson chi-square of a fit over its organisation-years."""
    oy = f.deviance_oy
    return float(((oy["exits"] - oy["fit"]) ** 2 / oy["fit"]).sum())


def _t_p(est: float, se: float, df: float) -> float:
    if not (se > 0 and math.isfinite(se)) or df < 1:
        return math.nan
    return float(2 * stats.t.sf(abs(est / se), df))


def select_drift(cells: pd.DataFrame, orgs: list[str], n_bands: int, ref: int, alpha: float,
                 min_years: int) -> tuple[dict[str, str], pd.DataFrame, str, str]:
    """Which organisations get a drift term (see the module docstring).

    Returns:
        (organisation -> drift parameter name or "", the tests table, decision, Dutch reason).
    """
    none = {o: "" for o in orgs}
    cols = ["term", "estimate", "se", "p", "p_adjusted"]
    years = cells.loc[cells["person_years"] > 0, "year"].nunique()
    if years < min_years:
        return none, pd.DataFrame(columns=cols), "none", (
            f"te kort om een trend te toetsen ({years} jaar, minstens {min_years} nodig)")
    common = _fit(cells, orgs, n_bands, {o: "drift" for o in orgs}, ref)
    j = common.names.index("drift")
    se = math.sqrt(common.cov[j, j])
    rows = [("gemeenschappelijk", common.params[j], se, _t_p(common.params[j], se, common.df))]
    own = {o: f"drift:{o}" for o in orgs}
    p_het = math.nan
    if len(orgs) > 1:
        sep = _fit(cells, orgs, n_bands, own, ref)
        k = len(orgs) - 1
        if sep.df >= 1:
            f_stat = max(_x2(common) - _x2(sep), 0.0) / k / sep.phi
            p_het = float(stats.f.sf(f_stat, k, sep.df))
        for o in orgs:
            i = sep.names.index(own[o])
            s = math.sqrt(sep.cov[i, i])
            rows.append((o, sep.params[i], s, _t_p(sep.params[i], s, sep.df)))
        rows.append(("verschil tussen organisaties", math.nan, math.nan, p_het))
    tests = pd.DataFrame(rows, columns=cols[:-1])
    per_org = tests[tests["term"].isin(orgs)] if len(orgs) > 1 else tests.iloc[0:0]
    tests["p_adjusted"] = tests["p"]
    if len(per_org):
        tests.loc[per_org.index, "p_adjusted"] = benjamini_hochberg(per_org["p"])
    if math.isfinite(p_het) and p_het < alpha:
        found = {o: own[o] for o in orgs
                 if tests.loc[tests["term"] == o, "p_adjusted"].iloc[0] < alpha}
        return ({o: found.get(o, "") for o in orgs}, tests, "per organisation",
                "de organisaties verschillen in trend; een eigen trend waar die aantoonbaar is")
    if tests["p"].iloc[0] < alpha:
        return ({o: "drift" for o in orgs}, tests, "common",
                "een trend die voor alle organisaties dezelfde is")
    return none, tests, "none", "geen aantoonbare trend"


def fit_model(cells: pd.DataFrame, organisations: list[str], band_edges_years: list[float],
              ref_year: int, min_band_exits: int, alpha: float, min_years: int) -> HazardModel:
    """Fit the hazard model on :func:`exposure` cells (see the module docstring).

    An organisation without any exit gets the level of half an exit over its
    person-years (a Jeffreys-type value) with a wide variance, so its runs are
    not stuck at zero. Without cells (no staff time in the window) every
    organisation gets that value too.
    """
    n0 = len(band_edges_years) + 1
    mapping = merge_bands(cells, n0, min_band_exits) if len(cells) else [0] * n0
    c = cells.assign(band=[mapping[b] for b in cells["band"]]) if len(cells) else cells
    n_bands = max(mapping) + 1
    py = c.groupby("organisation")["person_years"].sum() if len(c) else pd.Series(dtype=float)
    ex = c.groupby("organisation")["exits"].sum() if len(c) else pd.Series(dtype=float)
    fitted_orgs = [o for o in organisations if ex.get(o, 0) > 0]
    drift, tests, decision, reason = {o: "" for o in organisations}, pd.DataFrame(), "none", ""
    if fitted_orgs:
        sub = c[c["organisation"].isin(fitted_orgs)]
        d, tests, decision, reason = select_drift(sub, fitted_orgs, n_bands, ref_year, alpha,
                                                  min_years)
        drift.update(d)
        fit = _fit(sub, fitted_orgs, n_bands, d, ref_year)
        names, params, cov, phi, df = fit.names, fit.params, fit.cov, fit.phi, fit.df
        oy = fit.deviance_oy
    else:
        names, params, cov, phi, df = [], np.zeros(0), np.zeros((0, 0)), 1.0, 0.0
        oy = pd.DataFrame(columns=["organisation", "exits", "fit"])
        reason = "geen vertrek in de gegevens"
    for o in organisations:
        if o in fitted_orgs:
            continue
        level = math.log(0.5 / max(float(py.get(o, 0.0)), 1.0))
        names, params = [*names, f"org:{o}"], np.append(params, level)
        cov = np.pad(cov, ((0, 1), (0, 1)))
        cov[-1, -1] = 2.0  # about the variance of log Gamma(0.5)
    var = {}
    for o, g in oy.groupby("organisation"):
        mean_fit = float(g["fit"].mean())
        var[str(o)] = (phi - 1.0) / mean_fit if mean_fit > 0 else 0.0
    return HazardModel(list(organisations), n_bands, mapping, list(band_edges_years), drift,
                       names, params, cov, phi, df, ref_year, tests, decision, reason, var)


# ----------------------------------------------------------------- use

def draw_params(model: HazardModel, runs: int, rng: np.random.Generator,
                uncertainty: bool = True) -> np.ndarray:
    """Parameter rows (runs, p): multivariate normal draws, or the estimate repeated."""
    if not uncertainty or len(model.params) == 0:
        return np.tile(model.params, (runs, 1))
    return rng.multivariate_normal(model.params, model.cov, size=runs, method="eigh")


def annual_hazards(model: HazardModel, org: str, theta: np.ndarray, years: np.ndarray,
                   trend: str = "level", cap: float = 1.0) -> np.ndarray:
    """Hazard per year (leavers per person-year) for each run, month and merged band.

    Args:
        theta: parameter rows (runs, p) (:func:`draw_params`).
        years: calendar year of each simulated month.
        trend: "level" -- the drift stops after the reference year (the
            rate of the last full year holds); "continue" -- the drift goes on.
        cap: upper limit of a yearly hazard.

    Returns:
        Array (runs, months, bands).
    """
    y = np.asarray(years, dtype=float)
    if trend == "level":
        y = np.minimum(y, model.ref_year)
    out = np.empty((theta.shape[0], len(y), model.n_bands))
    for b in range(model.n_bands):
        out[:, :, b] = np.exp(model.log_rate(theta, org, y, np.full(len(y), b)))
    return np.minimum(out, cap)


def cumulative_hazard(model: HazardModel, cells: pd.DataFrame) -> pd.Series:
    """Expected exits of person-time ``cells`` (organisation, year, band, person_years, and an
    ``id`` column) at the estimated hazards, summed per ``id`` (merged bands)."""
    theta = model.params[None, :]
    lam = np.empty(len(cells))
    for org, idx in cells.groupby("organisation").groups.items():
        g = cells.loc[idx]
        band = np.array([model.band_map[b] for b in g["band"]])
        yr = np.minimum(g["year"].to_numpy(float), model.ref_year)
        lam[cells.index.get_indexer(idx)] = np.exp(model.log_rate(theta, str(org), yr, band))[0]
    return (cells["person_years"] * lam).groupby(cells["id"]).sum()
