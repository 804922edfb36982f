"""Checks of the workforce model: parameter recovery from another process, and a back-test.

- :func:`synthetic_staff_history` draws staff histories from a process the
  estimators do **not** assume: a leaving hazard that falls smoothly with
  tenure (Weibull-like, not in bands), a drift over the calendar years,
  year-to-year shocks per organisation (over-dispersion) and gamma-distributed
  vacant times (not exponential). The truth of a year's outflow is the
  process's own expectation (the sum of every person-month's leaving
  probability over the 1 January stock). :func:`parameter_recovery` calibrates
  such a history with the report's code and asks whether the 95% intervals
  cover the truth: the drift, the months to fill and each year's outflow.
- :func:`backtest`: rolling origin. For each cut-off year from the third year
  of the history on, calibrate on the export as if it ended on 31 December,
  simulate the next full year with the real formation, and compare the
  leavers per organisation with the 10-90% band of the runs (nominal 80%
  coverage). Headcount is not tested: the formation pins it, so it would pass
  with any outflow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from zwt_analysis.contract import ALL
from zwt_analysis.processed import coerce_types
from zwt_analysis.reports.workforce import outflow, runs, scenarios, simulate
from zwt_analysis.reports.workforce.history import History, OutflowSettings, calibrate_history

__all__ = ["BacktestResult", "ProcessTruth", "backtest", "parameter_recovery", "recovery_for",
           "synthetic_staff_history"]

_MONTH = pd.DateOffset(months=1)


# ----------------------------------------------------------------- another process

@dataclass(frozen=True)
class ProcessTruth:
    """A staff process per organisation (rates per year; months of vacancy).

    ``rate``: leaving hazard at 2 years of tenure in ``ref_year``; ``drift``:
    change of the log hazard per calendar year (common to all); ``shape``:
    the hazard is ``rate x (tenure / 2 years) ** (shape - 1)`` (falls with
    tenure for shape < 1); ``year_sd``: sd of a lognormal shock per
    organisation-year; ``fill``: mean vacant months (gamma, shape 2).
    """

    positions: dict[str, int]
    rate: dict[str, float]
    fill: dict[str, float]
    drift: float = 0.0
    shape: float = 0.7
    year_sd: float = 0.15
    ref_year: int = 2022


def _slot(rng: np.random.Generator, truth: ProcessTruth, org: str, shock: dict[int, float],
          t0: pd.Timestamp, t_end: pd.Timestamp) -> list[tuple[pd.Timestamp, Any, float]]:
    """Spells of one slot: (start, end or NaT, expected exits added per year as a dict)."""
    out, start = [], t0
    while start <= t_end:
        month, end, expected = 0, pd.NaT, {}
        while True:
            day = start + month * _MONTH
            if day > t_end:
                break
            tenure = max((month + 0.5) / 12, 1 / 24)
            h = truth.rate[org] * (tenure / 2.0) ** (truth.shape - 1) * math.exp(
                truth.drift * (day.year - truth.ref_year)) * shock.get(day.year, 1.0)
            p = 1 - math.exp(-h / 12)
            expected[day.year] = expected.get(day.year, 0.0) + p
            if rng.random() < p:
                end = min(day + pd.Timedelta(days=int(rng.integers(0, 28))), t_end)
                break
            month += 1
        out.append((start, end, expected))
        if pd.isna(end):
            break
        gap = rng.gamma(2.0, truth.fill[org] * 30.4375 / 2.0)
        start = end + pd.Timedelta(days=1 + int(gap))
    return out


def synthetic_staff_history(truth: ProcessTruth, seed: int = 0, begin: str = "2009-01-01",
                            observed_from: str = "2019-01-01", until: str = "2026-12-31",
                            teams: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staff spells from :class:`ProcessTruth`, and the true expected outflow per year.

    Every slot is filled on ``begin``; spells that ended before
    ``observed_from`` are not exported (as in a real export); spells running on
    ``until`` have no end date.

    Returns:
        (staff table in contract columns, ``organisation, year, expected_exits``
        summed over every person-month of the year at the process's own
        probabilities).
    """
    rng = np.random.default_rng(seed)
    t0, t_obs, t_end = (pd.Timestamp(x) for x in (begin, observed_from, until))
    rows, exp_rows, pid = [], [], 0
    for org in sorted(truth.positions):
        shock = {y: float(np.exp(rng.normal(0, truth.year_sd) - truth.year_sd ** 2 / 2))
                 for y in range(t0.year, t_end.year + 1)}
        acc: dict[int, float] = {}
        for slot in range(truth.positions[org]):
            for start, end, expected in _slot(rng, truth, org, shock, t0, t_end):
                pid += 1
                for y, v in expected.items():
                    acc[y] = acc.get(y, 0.0) + v
                if pd.isna(end) or end >= t_obs:
                    rows.append((f"E{pid:06d}", org, f"{org}-T{slot % teams + 1}", 0.8, start,
                                 end, None if pd.isna(end) else "voluntary"))
        exp_rows += [(org, y, v) for y, v in sorted(acc.items())]
    df = pd.DataFrame(rows, columns=["employee_id", "organisation", "team", "fte",
                                     "start_date", "end_date", "end_reason"])
    df["role"] = "generalist"
    return coerce_types("staff", df), pd.DataFrame(exp_rows, columns=[
        "organisation", "year", "expected_exits"])


def _row(org: str, name: str, truth: float, est: float, lo: float, hi: float) -> dict[str, Any]:
    ok = math.isfinite(lo) and math.isfinite(truth) and lo <= truth <= (hi if math.isfinite(hi)
                                                                         else math.inf)
    return {"organisation": org, "parameter": name, "truth": float(truth), "estimate": float(est),
            "low": float(lo), "high": float(hi), "covered": bool(ok)}


def parameter_recovery(truth: ProcessTruth, seed: int = 0, observed_from: str = "2019-01-01",
                       until: str = "2026-12-31", settings: OutflowSettings | None = None
                       ) -> pd.DataFrame:
    """Draw a history from ``truth``, calibrate it as the report does, compare with the truth.

    Returns:
        Rows ``organisation, parameter, truth, estimate, low, high, covered``:
        ``drift`` (the common drift test, ``organisation = "ALL"``; log hazard
        per year), ``months_to_fill`` per organisation, and
        ``outflow_<year>`` per organisation and full year (the yearly outflow's
        quasi-Poisson interval against the process's expected outflow). The
        drift row also carries the common test's ``p`` and the model's
        ``decision`` ("common", "per organisation" or "none"; NaN elsewhere).
    """
    staff, expected = synthetic_staff_history(truth, seed, observed_from=observed_from,
                                              until=until)
    formation = pd.DataFrame(columns=["organisation", "year", "budgeted_fte"])
    as_of = pd.Timestamp(until).date()
    hist = calibrate_history({"staff": staff, "formation": formation}, as_of, settings,
                             with_tenure=False)
    rows = []
    tests = hist.model.tests if hist.model is not None else pd.DataFrame()
    if len(tests):
        t = tests.iloc[0]
        z = float(stats.t.ppf(0.975, hist.model.df)) if hist.model.df >= 1 else math.nan
        rows.append({**_row(ALL, "drift", truth.drift, t["estimate"], t["estimate"] - z * t["se"],
                            t["estimate"] + z * t["se"]),
                     "p": float(t["p"]), "decision": hist.model.decision})
    fill = hist.fill.set_index("organisation")
    y = hist.yearly.merge(expected, on=["organisation", "year"], how="inner")
    for org in sorted(truth.positions):
        if org in fill.index:
            f = fill.loc[org]
            rows.append(_row(org, "months_to_fill", truth.fill[org], f["mean_months"],
                             f["mean_low"], f["mean_high"]))
        for _, r in y[(y["organisation"] == org) & y["full_year"]].iterrows():
            rows.append(_row(org, f"outflow_{int(r['year'])}", r["expected_exits"] / r["stock_jan1"],
                             r["outflow_rate"], r["outflow_low"], r["outflow_high"]))
    return pd.DataFrame(rows)


def recovery_for(hist: History, seed: int = 0, min_positions: int = 20,
                 fallback_outflow_rate: float = 0.11, fallback_months_to_fill: float = 3.0
                 ) -> pd.DataFrame:
    """Parameter recovery at the size and rates of the calibrated organisations.

    Each organisation gets as many positions as it employs today (at least
    ``min_positions``), its calibrated outflow and months to fill as the truth
    (the fallbacks when not estimable or not positive), and the common drift
    the history shows (0 when the model found none).
    """
    pos, rate, fill = {}, {}, {}
    for org, st in hist.calibration.starts.items():
        v = hist.calibration.values.get(org, {})
        pos[org] = max(int(st.persons), min_positions)
        r = v.get("outflow_rate", math.nan)
        rate[org] = float(r) if np.isfinite(r) and r > 0 else fallback_outflow_rate
        m = v.get("months_to_fill", math.nan)
        fill[org] = float(m) if np.isfinite(m) and m > 0 else fallback_months_to_fill
    model = hist.model
    drift = 0.0
    if model is not None and model.decision != "none" and len(model.tests):
        drift = float(model.tests.iloc[0]["estimate"])
    return parameter_recovery(ProcessTruth(pos, rate, fill, drift=drift), seed=seed)


# ----------------------------------------------------------------- back-test

@dataclass
class BacktestResult:
    """Rolling-origin back-test of the leavers per year.

    ``yearly``: one row per organisation (and the city as their sum) and
    predicted year: ``cut`` (last calibration year), the 10/50/90% of the
    runs, the observed leavers, the 1 January stock, ``in_band``.
    ``errors``: per organisation ``predictions, coverage`` (share in the
    10-90% band; nominal 0.8) and ``mean_abs_error`` (median minus observed,
    in share of the stock). ``note``: why nothing was tested (Dutch; '' if tested).
    """

    yearly: pd.DataFrame
    errors: pd.DataFrame
    note: str = ""


def cut_years(first_year: int | None, as_of: date, min_train: int) -> list[int]:
    """Cut-off years of the rolling back-test: from ``first_year + min_train - 1`` up to the
    year before the last full year (each cut predicts the full year after it)."""
    a = pd.Timestamp(as_of)
    last_full = a.year if (a.month, a.day) == (12, 31) else a.year - 1
    if first_year is None:
        return []
    return list(range(first_year + min_train - 1, last_full))


def _predict_year(tables: dict[str, pd.DataFrame], cut: int, settings: dict[str, Any],
                  cfg: OutflowSettings | None) -> dict[str, np.ndarray]:
    """Simulated leavers of year ``cut + 1`` per organisation (+ city), calibrated up to ``cut``."""
    staff, formation = tables["staff"], tables["formation"]
    day = pd.Timestamp(year=cut, month=12, day=31)
    hist = calibrate_history({"staff": staff[staff["start_date"] <= day],
                              "formation": formation}, day.date(), cfg, with_tenure=False)
    months = pd.period_range(f"{cut + 1}-01", periods=12, freq="M")
    s = {**settings, "start": str(months[0]), "months": 12}
    calib = hist.calibration
    starts = {}
    for org, st in calib.starts.items():
        f = formation[(formation["organisation"] == org) & (formation["year"] <= cut + 1)]
        fte = float(f.sort_values("year")["budgeted_fte"].iloc[-1]) if len(f) else st.formation_fte
        starts[org] = simulate.OrgStart(org, st.persons, st.fte_per_person, fte,
                                        st.statutory_share, st.preventive_share_hours, cut + 1,
                                        st.tenures)
    calib = runs.Calibration(starts, calib.values, calib.hazard, calib.band_edges_months,
                             calib.fills, calib.gaps, calib.hazard_cap)
    res = runs.run_scenario(s, calib)  # base year = predicted year: the real formation holds
    return {org: r["leavers"].sum(axis=1) for org, r in res.items()}


def backtest(tables: dict[str, pd.DataFrame], as_of: date, settings: dict[str, Any],
             runs_n: int = 300, min_train: int = 3, cfg: OutflowSettings | None = None
             ) -> BacktestResult:
    """Rolling-origin back-test of the leavers per year (see the module docstring).

    Args:
        tables: processed ``staff`` and ``formation``.
        settings: the scenario's settings (outflow trend, factors, uncertainty, seed);
            the formation of the predicted year is the real one (no wage gap).
        runs_n: Monte Carlo runs per cut-off year.
        min_train: calibration years before the first cut-off (incl. the cut year).
    """
    staff = tables["staff"]
    first = outflow.first_observed_year(staff, as_of)
    cuts = cut_years(first, as_of, min_train)
    cols = ["organisation", "year", "cut", "leavers_p10", "leavers_p50", "leavers_p90",
            "leavers_observed", "stock_jan1", "in_band"]
    if not cuts:
        return BacktestResult(pd.DataFrame(columns=cols), pd.DataFrame(columns=[
            "organisation", "predictions", "coverage", "mean_abs_error"]),
            f"te weinig volledige jaren voor een terugtoets (minstens {min_train + 1} nodig)")
    obs = outflow.yearly_outflow(outflow.episodes(staff, as_of), as_of, first)
    orgs = obs[obs["organisation"] != ALL]
    city = orgs.groupby("year", as_index=False)[["stock_jan1", "leavers"]].sum()
    obs = pd.concat([orgs, city.assign(organisation=ALL)], ignore_index=True).set_index(
        ["organisation", "year"])
    s = {**scenarios.MODIFIER_DEFAULTS, **settings, "runs": runs_n}
    rows = []
    for cut in cuts:
        for org, lv in _predict_year(tables, cut, s, cfg).items():
            q10, q50, q90 = np.quantile(lv, [0.1, 0.5, 0.9])
            ob = obs["leavers"].get((org, cut + 1), math.nan)
            stock = obs["stock_jan1"].get((org, cut + 1), math.nan)
            rows.append((org, cut + 1, cut, q10, q50, q90, ob, stock, bool(q10 <= ob <= q90)))
    yearly = pd.DataFrame(rows, columns=cols)
    errors = yearly.groupby("organisation", sort=True).apply(lambda g: pd.Series({
        "predictions": len(g), "coverage": float(g["in_band"].mean()),
        "mean_abs_error": float(np.nanmean(np.abs(g["leavers_p50"] - g["leavers_observed"])
                                           / g["stock_jan1"]))}), include_groups=False)
    return BacktestResult(yearly, errors.reset_index())
