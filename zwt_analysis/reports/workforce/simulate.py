"""Monthly stock-flow Monte Carlo of wijkteam staff, capacity and prevention.

One organisation is simulated as arrays of shape ``(runs, months)``; every
month, in this order:

1. Funded formation (FTE) = base formation x ((1 + indexation) / (1 + wage
   growth)) ** (years since the base year): the budget in EUR grows with the
   municipality's indexation, the cost per FTE with the CAO wages, both each
   January; funded FTE = budget / cost per FTE.
2. Leavers: each employed person leaves with monthly probability
   ``1 - exp(-rate / 12)`` (``rate`` = outflow per person-year, as the
   ``staff_outflow_rate`` indicator measures it in a stable stock).
3. Vacancies: funded persons (funded FTE / FTE per person, rounded) minus
   employed persons, never below 0 (a shrinking formation is absorbed by
   attrition, nobody is dismissed). Each open vacancy is filled this month
   with probability ``1 / (1 + months_to_fill)``: a geometric vacant time with
   mean ``months_to_fill`` months.
4. New hires ramp up: productivity ``new_hire_productivity`` in their first
   month rising linearly to 1 after ``ramp_up_months``; they can leave too.
5. Capacity: effective FTE x (1 - overhead_share) is available for client
   work; statutory demand (FTE, growing with population and trend) is served
   first; what remains goes to prevention. Preventive share = preventive /
   (preventive + statutory served).

The base state is today's stock; all of today's staff count as fully
productive. :func:`run_scenario` wires calibration, config and simulation;
:func:`summarise` and :func:`fan` turn arrays into tables;
:func:`compare_scenarios` runs and summarises several scenarios and
:func:`sensitivity` one assumption at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis import config
from zwt_analysis.contract import ALL

SCENARIO_FILE = "scenarios.yaml"
#: Assumption keys every scenario must give (a value or "calibrated" where allowed).
ASSUMPTION_KEYS = (
    "outflow_rate", "months_to_fill", "ramp_up_months", "new_hire_productivity",
    "wage_growth", "indexation", "population_growth", "demand_trend", "overhead_share",
)
CALIBRATABLE = ("outflow_rate", "months_to_fill", "overhead_share")
RUN_KEYS = ("start", "months", "runs", "seed")
OUTPUTS = ("employed", "effective_fte", "funded_fte", "vacancies_fte", "stayers_share",
           "statutory_demand_fte", "statutory_fte", "preventive_fte", "preventive_share",
           "unmet_statutory_fte", "leavers", "hires", "initial_stayers")


# ----------------------------------------------------------------- inputs

@dataclass(frozen=True)
class Assumptions:
    """Numeric scenario assumptions for one organisation (rates per year, shares 0..1)."""

    outflow_rate: float
    months_to_fill: float
    ramp_up_months: int
    new_hire_productivity: float
    wage_growth: float
    indexation: float
    population_growth: float
    demand_trend: float
    overhead_share: float

    @property
    def demand_growth(self) -> float:
        """Yearly growth of statutory demand: (1 + population) x (1 + trend) - 1."""
        return (1 + self.population_growth) * (1 + self.demand_trend) - 1


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
    """

    organisation: str
    persons: int
    fte_per_person: float
    formation_fte: float
    statutory_share: float
    preventive_share_hours: float
    base_year: int

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
                wage_growth: float, indexation: float) -> np.ndarray:
    """Funded FTE per month: formation x ((1+i)/(1+w)) ** (year - base_year), yearly steps."""
    k = np.maximum(np.asarray(months.year) - base_year, 0)
    return formation_fte * ((1 + indexation) / (1 + wage_growth)) ** k


def simulate_org(start: OrgStart, a: Assumptions, months: pd.PeriodIndex, runs: int,
                 rng: np.random.Generator, outflow_rates: np.ndarray | None = None,
                 funded_fte: np.ndarray | None = None, months_offset: int = 0) -> SimResult:
    """Simulate one organisation month by month, vectorised over runs.

    Args:
        start: base stock and capacity split.
        a: assumptions (``a.outflow_rate`` is used unless ``outflow_rates``).
        months: the simulated calendar months (consecutive).
        runs: number of Monte Carlo runs.
        rng: numpy Generator (the only source of randomness).
        outflow_rates: optional outflow rate per run (shape ``(runs,)``), to
            carry parameter uncertainty.
        funded_fte: optional funded FTE per month (overrides wage/indexation,
            used by the back-test with the real formation).
        months_offset: months between the base day and ``months[0]`` minus one
            (demand growth counts from the base day).

    Returns:
        :class:`SimResult` with the arrays named in ``OUTPUTS``.
    """
    n_m = len(months)
    fpp = start.fte_per_person if start.fte_per_person > 0 else 0.8
    rates = np.full(runs, a.outflow_rate, dtype=float) if outflow_rates is None \
        else np.asarray(outflow_rates, dtype=float)
    p_leave = monthly_leave_probability(rates)
    q_fill = 1.0 / (1.0 + max(float(a.months_to_fill), 0.0))
    ramp = max(int(a.ramp_up_months), 0)
    prod = a.new_hire_productivity + (1 - a.new_hire_productivity) * np.arange(ramp) / max(ramp, 1)
    funded = (funded_path(start.formation_fte, months, start.base_year, a.wage_growth,
                          a.indexation) if funded_fte is None else np.asarray(funded_fte, float))
    funded_heads = np.rint(funded / fpp).astype(np.int64)
    base_eff = start.persons * fpp
    demand0 = base_eff * start.statutory_share
    t_years = (np.arange(n_m) + 1 + months_offset) / 12.0
    demand = demand0 * (1 + a.demand_growth) ** t_years
    client = 1.0 - a.overhead_share

    initial = np.full(runs, start.persons, dtype=np.int64)   # today's staff still there
    other = np.zeros(runs, dtype=np.int64)                    # tenured, hired during the run
    cohorts = np.zeros((runs, ramp), dtype=np.int64)          # hires by age in months

    out = {k: np.zeros((runs, n_m), dtype=float) for k in OUTPUTS}
    for t in range(n_m):
        l_init = rng.binomial(initial, p_leave)
        l_other = rng.binomial(other, p_leave)
        l_coh = rng.binomial(cohorts, p_leave[:, None]) if ramp else np.zeros((runs, 0), np.int64)
        initial -= l_init
        other -= l_other
        cohorts -= l_coh
        employed = initial + other + cohorts.sum(axis=1)
        open_v = np.maximum(funded_heads[t] - employed, 0)
        hires = rng.binomial(open_v, q_fill)
        if ramp:
            other += cohorts[:, -1]
            cohorts[:, 1:] = cohorts[:, :-1].copy()
            cohorts[:, 0] = hires
            eff_heads = initial + other + cohorts @ prod
        else:
            other += hires
            eff_heads = (initial + other).astype(float)
        employed = employed + hires
        out["employed"][:, t] = employed
        out["funded_fte"][:, t] = funded[t]
        out["vacancies_fte"][:, t] = np.maximum(funded_heads[t] - employed, 0) * fpp
        out["initial_stayers"][:, t] = initial
        out["stayers_share"][:, t] = initial / start.persons if start.persons else 0.0
        out["leavers"][:, t] = l_init + l_other + l_coh.sum(axis=1)
        out["hires"][:, t] = hires
        _record_capacity(out, t, eff_heads * fpp, client, demand[t])
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


# ----------------------------------------------------------------- config

def load_scenarios(path: str | Path | None = None) -> dict[str, Any]:
    """Read the scenario file (default: the packaged ``resources/scenarios.yaml``).

    Checks that every scenario gives every assumption and run setting; a value
    may be "calibrated" only for ``CALIBRATABLE`` keys.

    Raises:
        ValueError: a scenario is incomplete or has a bad value.
    """
    cfg = config.load_yaml(path or config.resource(SCENARIO_FILE))
    for name, sc in cfg.get("scenarios", {}).items():
        missing = [k for k in ASSUMPTION_KEYS + RUN_KEYS if k not in sc]
        if missing:
            raise ValueError(f"scenario {name!r} lacks {', '.join(missing)}")
        for k in ASSUMPTION_KEYS:
            v = sc[k]
            if v == "calibrated" and k not in CALIBRATABLE:
                raise ValueError(f"scenario {name!r}: {k} cannot be 'calibrated'")
            if v != "calibrated" and not isinstance(v, int | float):
                raise ValueError(f"scenario {name!r}: {k} must be a number, not {v!r}")
    return cfg


def scenario_settings(name: str, overrides: dict[str, Any] | None = None,
                      path: str | Path | None = None) -> dict[str, Any]:
    """One scenario's settings with non-None ``overrides`` applied.

    Overrides given as text (as ``zwt report --param`` passes them) are read as
    numbers; ``"calibrated"`` stays text for the keys that allow it.

    Raises:
        ValueError: unknown scenario, or an override that is not a number.
    """
    cfg = load_scenarios(path)
    if name not in cfg["scenarios"]:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(cfg['scenarios'])}")
    sc = dict(cfg["scenarios"][name])
    for k, v in (overrides or {}).items():
        if v is None or v == "":
            continue
        if isinstance(v, str) and k in ASSUMPTION_KEYS + ("runs", "seed", "months"):
            if v == "calibrated" and k in CALIBRATABLE:
                sc[k] = v
                continue
            try:
                v = float(v.replace(",", ".")) if k not in ("runs", "seed", "months",
                                                           "ramp_up_months") else int(v)
            except ValueError:
                raise ValueError(f"{k} must be a number, not {v!r}") from None
        sc[k] = v
    return sc


def resolve(settings: dict[str, Any], calibrated: dict[str, float]) -> Assumptions:
    """Numeric assumptions: "calibrated" values taken from ``calibrated`` (per organisation)."""
    vals = {}
    for k in ASSUMPTION_KEYS:
        v = settings[k]
        if v == "calibrated":
            if k not in calibrated or not np.isfinite(calibrated[k]):
                raise ValueError(f"no calibrated value for {k}")
            v = calibrated[k]
        vals[k] = float(v) if k != "ramp_up_months" else int(v)
    return Assumptions(**vals)


def horizon(settings: dict[str, Any]) -> pd.PeriodIndex:
    """The simulated months from ``start`` (``YYYY-MM``), ``months`` long."""
    return pd.period_range(pd.Period(str(settings["start"]), freq="M"),
                           periods=int(settings["months"]), freq="M")


# ----------------------------------------------------------------- orchestration

@dataclass(frozen=True)
class Calibration:
    """What the history gives per organisation, for ``resolve`` and the start."""

    starts: dict[str, OrgStart]
    values: dict[str, dict[str, float]]
    #: (leavers, person-years) per organisation, for parameter uncertainty.
    outflow_counts: dict[str, tuple[float, float]]


def run_scenario(settings: dict[str, Any], calib: Calibration, organisations: list[str] | None
                 = None, parameter_uncertainty: bool | None = None,
                 base_period: pd.Period | None = None) -> dict[str, SimResult]:
    """Simulate every organisation (and the city, key ``"ALL"``) under one scenario.

    Each organisation gets its own child generator from ``settings["seed"]``
    so results do not depend on which other organisations are run. With
    parameter uncertainty and a calibrated outflow rate, each run draws its
    rate from Gamma(leavers + 0.5, 1 / person-years) (Jeffreys posterior).

    Args:
        settings: scenario settings (see :func:`scenario_settings`).
        calib: calibration (starts and calibrated values per organisation).
        organisations: subset to run (default: all calibrated).
        parameter_uncertainty: overrides ``settings["parameter_uncertainty"]``.
        base_period: month of the base stock (default: the month before start);
            demand grows from it.
    """
    months = horizon(settings)
    runs = int(settings["runs"])
    orgs = organisations or sorted(calib.starts)
    unc = settings.get("parameter_uncertainty", False) if parameter_uncertainty is None \
        else parameter_uncertainty
    base = base_period if base_period is not None else months[0] - 1
    offset = (months[0] - base).n - 1
    all_orgs = sorted(calib.starts)
    seeds = np.random.SeedSequence(int(settings["seed"])).spawn(len(all_orgs))
    results = {}
    for org in orgs:
        rng = np.random.default_rng(seeds[all_orgs.index(org)])
        a = resolve(settings, calib.values.get(org, {}))
        rates = None
        if unc and settings["outflow_rate"] == "calibrated" and org in calib.outflow_counts:
            lv, py = calib.outflow_counts[org]
            if py > 0:
                rates = rng.gamma(lv + 0.5, 1.0 / py, size=runs)
        results[org] = simulate_org(calib.starts[org], a, months, runs, rng,
                                    outflow_rates=rates, months_offset=offset)
    if len(results) > 1:
        results[ALL] = combine([results[o] for o in orgs])
    return results


def compare_scenarios(names: list[str], calib: Calibration, runs: int, seed: int,
                      extra: dict[str, dict[str, Any]] | None = None,
                      organisations: list[str] | None = None, year: int | None = None
                      ) -> tuple[pd.DataFrame, dict[str, dict[str, SimResult]]]:
    """Run the named scenarios (plus ``extra`` settings by label) and summarise each.

    Args:
        names: scenarios from the scenario file, each run with ``runs`` and ``seed``.
        calib: calibration (see :func:`run_scenario`).
        runs, seed: Monte Carlo runs and seed for the named scenarios.
        extra: further settings by label (e.g. a scenario with changed assumptions).
        organisations: subset to run (default: all calibrated).
        year: year of the preventive share in the summary (default: the last).

    Returns:
        (summary table: one :func:`summarise` row per scenario and organisation
        incl. the city; the simulation results by scenario).
    """
    all_settings = {n: scenario_settings(n, {"runs": runs, "seed": seed}) for n in names}
    all_settings.update(extra or {})
    rows, results = [], {}
    for label, s in all_settings.items():
        res = run_scenario(s, calib, organisations)
        results[label] = res
        rows += [summarise(r, label, year) for r in res.values()]
    return pd.DataFrame(rows), results


def sensitivity(settings: dict[str, Any], calib: Calibration, ranges: dict[str, list[float]],
                year: int | None = None, runs: int = 200, organisation: str = ALL
                ) -> pd.DataFrame:
    """One-at-a-time sensitivity of the mean preventive share in ``year`` (tornado).

    Each assumption in ``ranges`` is set to its low and its high value (all
    other assumptions as in the scenario, calibrated values resolved); the same
    seed is used everywhere (common random numbers) and parameter uncertainty
    is off, so differences come from the assumption alone.

    Returns:
        ``parameter, low, high, result_low, result_high, base, swing`` sorted
        by swing (largest first); results are medians over runs.
    """
    base_settings = {**settings, "runs": runs}
    orgs = None if organisation == ALL else [organisation]
    months = horizon(base_settings)
    year = int(months[-1].year) if year is None else year

    def outcome(s: dict[str, Any]) -> float:
        res = run_scenario(s, calib, orgs, parameter_uncertainty=False)
        key = organisation if organisation in res else next(iter(res))
        return float(np.median(year_mean(res[key], "preventive_share", year)))

    base = outcome(base_settings)
    rows = []
    for k, (lo, hi) in ranges.items():
        r_lo = outcome({**base_settings, k: lo})
        r_hi = outcome({**base_settings, k: hi})
        rows.append({"parameter": k, "low": lo, "high": hi, "result_low": r_lo,
                     "result_high": r_hi, "base": base, "swing": abs(r_hi - r_lo)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)


def stayers_probabilities(result: SimResult, low: float = 0.8, high: float = 0.9
                          ) -> dict[str, float]:
    """Probability over runs that the share of today's staff still there at the end
    lies in [low, high] (the evaluation's "10-20% changes"), above it, and below it."""
    last = result["stayers_share"][:, -1]
    return {"p_in_range": float(np.mean((last >= low) & (last <= high))),
            "p_above": float(np.mean(last > high)),
            "p_below": float(np.mean(last < low))}
