"""Checks of the workforce model: parameter recovery and a back-test.

- :func:`synthetic_staff_history` + :func:`parameter_recovery` /
  :func:`recovery_for`: staff histories from a process with known rates,
  calibrated with the same code; do the 95% intervals cover the truth?
- :func:`backtest`: calibrate on the years up to a cut-off, project the years
  after it with the real formation and compare with what happened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.processed import coerce_types
from zwt_analysis.reports.workforce import calibrate, simulate
from zwt_analysis.reports.workforce.history import History, calibrate_history

__all__ = [
    "BacktestResult", "backtest", "parameter_recovery", "recovery_for",
    "synthetic_staff_history",
]

# ----------------------------------------------------------------- recovery

def synthetic_staff_history(positions: dict[str, int], outflow_rate: dict[str, float],
                            months_to_fill: dict[str, float], seed: int = 0,
                            begin: str = "2009-01-01", observed_from: str = "2019-01-01",
                            until: str = "2026-12-31", teams: int = 3, fte: float = 0.8
                            ) -> pd.DataFrame:
    """Staff spells from a process with known rates (for parameter recovery).

    Each organisation has ``positions`` slots spread over ``teams`` teams.
    Every slot is filled on ``begin``; a tenure lasts an exponential time with
    rate ``outflow_rate`` per year, then the slot stays vacant an exponential
    time with mean ``months_to_fill`` months, then a new person starts.
    Spells that ended before ``observed_from`` are not exported (as in a real
    export); spells still running on ``until`` have no end date. True values:
    outflow rate per person-year = ``outflow_rate``, mean vacant months =
    ``months_to_fill``, median tenure = ln 2 / rate years.

    Returns:
        A staff table in contract columns (``end_reason`` voluntary).
    """
    rng = np.random.default_rng(seed)
    t0, t_obs, t_end = (pd.Timestamp(x) for x in (begin, observed_from, until))
    horizon_days = (t_end - t0).days
    rows = []
    pid = 0
    for org in sorted(positions):
        lam = outflow_rate[org] / 365.25
        mean_gap = months_to_fill[org] * calibrate.DAYS_PER_MONTH
        for slot in range(positions[org]):
            day = 0
            while day <= horizon_days:
                tenure_days = max(int(rng.exponential(1 / lam)), 0) if lam > 0 else 10 ** 9
                last = day + tenure_days  # inclusive last day
                start = t0 + pd.Timedelta(days=day)
                end = t0 + pd.Timedelta(days=last) if last <= horizon_days else pd.NaT
                pid += 1
                if pd.isna(end) or end >= t_obs:
                    rows.append((f"E{pid:06d}", org, f"{org}-T{slot % teams + 1}", fte, start,
                                 end, None if pd.isna(end) else "voluntary"))
                day = last + 1 + int(rng.exponential(mean_gap))
    df = pd.DataFrame(rows, columns=["employee_id", "organisation", "team", "fte",
                                     "start_date", "end_date", "end_reason"])
    df["role"] = "generalist"
    return coerce_types("staff", df)


def parameter_recovery(positions: dict[str, int], outflow_rate: dict[str, float],
                       months_to_fill: dict[str, float], seed: int = 0,
                       observed_from: str = "2019-01-01", until: str = "2026-12-31"
                       ) -> pd.DataFrame:
    """Simulate staff histories with known rates, calibrate, compare with the truth.

    Returns:
        One row per organisation and parameter (``outflow_rate``,
        ``months_to_fill``, ``median_tenure_years``): ``truth, estimate, low,
        high, covered`` (95% interval contains the truth).
    """
    staff = synthetic_staff_history(positions, outflow_rate, months_to_fill, seed=seed,
                                    observed_from=observed_from, until=until)
    as_of = pd.Timestamp(until).date()
    rates = calibrate.turnover_rates(staff, as_of).set_index("organisation")
    fill = calibrate.vacancy_fill_times(staff, as_of).set_index("organisation")
    ten = calibrate.tenure(staff, as_of, observed_from=pd.Timestamp(observed_from).date()
                           ).set_index("organisation")
    rows = []
    for org in sorted(positions):
        for name, truth, est, lo, hi in (
            ("outflow_rate", outflow_rate[org], *rates.loc[org, ["outflow_rate", "outflow_low",
                                                                 "outflow_high"]]),
            ("months_to_fill", months_to_fill[org], *fill.loc[org, ["mean_months", "mean_low",
                                                                    "mean_high"]]),
            ("median_tenure_years", math.log(2) / outflow_rate[org],
             *ten.loc[org, ["median_years", "median_low", "median_high"]]),
        ):
            rows.append({"organisation": org, "parameter": name, "truth": float(truth),
                         "estimate": float(est), "low": float(lo), "high": float(hi),
                         "covered": bool(lo <= truth <= (hi if np.isfinite(hi) else np.inf))})
    return pd.DataFrame(rows)


def recovery_for(hist: History, seed: int = 0, min_positions: int = 20,
                 fallback_outflow_rate: float = 0.11, fallback_months_to_fill: float = 3.0
                 ) -> pd.DataFrame:
    """Parameter recovery at the size and rates of the calibrated organisations.

    Each organisation gets as many positions as it employs today (at least
    ``min_positions``), its calibrated outflow rate and months to fill as the
    truth (the fallbacks when not estimable or not positive). The report
    passes these from ``resources/workforce.yaml`` (``recovery``).
    """
    pos, rate, fill = {}, {}, {}
    for org, st in hist.calibration.starts.items():
        v = hist.calibration.values.get(org, {})
        pos[org] = max(int(st.persons), min_positions)
        r = v.get("outflow_rate", math.nan)
        rate[org] = float(r) if np.isfinite(r) and r > 0 else fallback_outflow_rate
        m = v.get("months_to_fill", math.nan)
        fill[org] = float(m) if np.isfinite(m) and m > 0 else fallback_months_to_fill
    return parameter_recovery(pos, rate, fill, seed=seed)


# ----------------------------------------------------------------- back-test

@dataclass
class BacktestResult:
    """Back-test output: monthly headcount, yearly outflow and error summary."""

    monthly: pd.DataFrame
    yearly: pd.DataFrame
    errors: pd.DataFrame
    rates: pd.DataFrame


def _month_end_headcount(staff: pd.DataFrame, months: pd.PeriodIndex, as_of: date
                         ) -> pd.DataFrame:
    s = calibrate._org_spells(staff, as_of)
    rows = []
    for m in months:
        d = m.to_timestamp(how="end").normalize()
        emp = s[calibrate._employed_on(s, d)]
        for org, g in emp.groupby("organisation"):
            rows.append((str(org), m, g["employee_id"].nunique()))
        rows.append((ALL, m, emp["employee_id"].nunique()))
    return pd.DataFrame(rows, columns=["organisation", "month", "observed"])


def _backtest_months(as_of: date, calib_last_year: int) -> pd.PeriodIndex:
    """Full calendar months from January after ``calib_last_year`` up to as-of
    (the as-of month only when as-of is its last day)."""
    a_ts = pd.Timestamp(as_of).normalize()
    last_month = pd.Period(a_ts, freq="M")
    if a_ts != last_month.to_timestamp(how="end").normalize():
        last_month -= 1
    months = pd.period_range(pd.Period(year=calib_last_year + 1, month=1, freq="M"),
                             last_month, freq="M")
    if len(months) == 0:
        raise ValueError("no full month after the calibration period up to as-of")
    return months


def _backtest_simulations(hist: History, formation: pd.DataFrame, months: pd.PeriodIndex,
                          settings: dict[str, Any], runs: int, base_year: int
                          ) -> list[simulate.SimResult]:
    """One simulation per calibrated organisation with the real formation, plus the city.

    Each organisation draws from its own child of ``settings["seed"]``, in
    sorted order; the funded FTE of a month is the formation of its year (the
    latest earlier year when absent, else the calibrated formation).
    """
    seeds = np.random.SeedSequence(int(settings["seed"])).spawn(len(hist.calibration.starts))
    sims = []
    for i, (org, st) in enumerate(sorted(hist.calibration.starts.items())):
        a = simulate.resolve({**settings}, hist.calibration.values[org])
        f = formation[formation["organisation"] == org].set_index("year")["budgeted_fte"]
        funded = np.array([float(f.get(m.year, f[f.index <= m.year].iloc[-1]
                                       if (f.index <= m.year).any() else st.formation_fte))
                           for m in months])
        st = simulate.OrgStart(org, st.persons, st.fte_per_person, float(funded[0]),
                               st.statutory_share, st.preventive_share_hours, base_year)
        sims.append(simulate.simulate_org(st, a, months, runs, np.random.default_rng(seeds[i]),
                                          funded_fte=funded))
    sims.append(simulate.combine(sims))
    return sims


def _backtest_monthly(sims: list[simulate.SimResult], staff: pd.DataFrame,
                      months: pd.PeriodIndex, as_of: date) -> pd.DataFrame:
    """Projected 10/50/90% headcount per organisation and month beside the observed."""
    obs = _month_end_headcount(staff, months, as_of)
    monthly = []
    for r in sims:
        q = np.quantile(r["employed"], [0.1, 0.5, 0.9], axis=0)
        monthly.append(pd.DataFrame({"organisation": r.organisation, "month": months,
                                     "p10": q[0], "p50": q[1], "p90": q[2]}))
    monthly = pd.concat(monthly, ignore_index=True).merge(obs, on=["organisation", "month"],
                                                          how="left")
    monthly["observed"] = monthly["observed"].fillna(0)
    return monthly


def _backtest_yearly(sims: list[simulate.SimResult], staff: pd.DataFrame,
                     months: pd.PeriodIndex, as_of: date) -> pd.DataFrame:
    """Projected leavers per organisation and calendar year beside the observed ones.

    ``outflow_error`` = (median projected - observed leavers) / 1-January stock.
    """
    yearly_obs = calibrate.yearly_turnover(staff, as_of)
    # the simulated city is the sum of its organisations (a move between them is
    # a leaver and a newcomer there), so the observed city is the sum as well
    orgs_obs = yearly_obs[yearly_obs["organisation"] != ALL]
    city_obs = orgs_obs.groupby("year", as_index=False)[["stock_jan1", "leavers"]].sum()
    yearly_obs = pd.concat([orgs_obs, city_obs.assign(organisation=ALL)], ignore_index=True)
    yrows = []
    for r in sims:
        for y in sorted(set(months.year)):
            sel = np.asarray(months.year) == y
            lv = r["leavers"][:, sel].sum(axis=1)
            ob = yearly_obs[(yearly_obs["organisation"] == r.organisation)
                            & (yearly_obs["year"] == y)]
            yrows.append({"organisation": r.organisation, "year": int(y),
                          "months": int(sel.sum()),
                          "leavers_p10": float(np.quantile(lv, 0.1)),
                          "leavers_p50": float(np.median(lv)),
                          "leavers_p90": float(np.quantile(lv, 0.9)),
                          "leavers_observed": float(ob["leavers"].iloc[0]) if len(ob) else math.nan,
                          "stock_jan1": float(ob["stock_jan1"].iloc[0]) if len(ob) else math.nan})
    yearly = pd.DataFrame(yrows)
    yearly["outflow_error"] = (yearly["leavers_p50"] - yearly["leavers_observed"]) / \
        yearly["stock_jan1"]
    return yearly


def _backtest_errors(monthly: pd.DataFrame, yearly: pd.DataFrame) -> pd.DataFrame:
    """Error summary per organisation (see :func:`backtest`)."""
    errs = []
    for org, g in monthly.groupby("organisation", sort=True):
        ok = g["observed"] > 0
        y = yearly[yearly["organisation"] == org]
        errs.append({
            "organisation": org,
            "headcount_mape": float(np.mean(np.abs(g.loc[ok, "p50"] - g.loc[ok, "observed"])
                                            / g.loc[ok, "observed"])),
            "headcount_band_coverage": float(np.mean((g["observed"] >= g["p10"])
                                                     & (g["observed"] <= g["p90"]))),
            "last_month_error": float(g["p50"].iloc[-1] - g["observed"].iloc[-1]),
            "outflow_mean_abs_error": float(np.nanmean(np.abs(y["outflow_error"]))),
            "leavers_in_band": float(np.mean((y["leavers_observed"] >= y["leavers_p10"])
                                             & (y["leavers_observed"] <= y["leavers_p90"]))),
        })
    return pd.DataFrame(errs)


def backtest(tables: dict[str, pd.DataFrame], as_of: date, settings: dict[str, Any],
             calib_last_year: int = 2024, runs: int = 500) -> BacktestResult:
    """Calibrate on history up to 31 December ``calib_last_year``, project to as-of.

    The staff table is read as if the export ended on that day (later
    starts unknown, later ends still open). The projection starts from the
    stock on that day and uses the real ``budgeted_fte`` of the following
    years as the funded formation (we test the staff dynamics, not the
    budget assumptions); ``months_to_fill`` and the outflow rate are the
    calibrated values, the rest comes from ``settings``. Compared with the
    data: persons employed at each month end up to as-of, and leavers per
    calendar year (the last year up to as-of).

    Returns:
        :class:`BacktestResult`; ``errors`` per organisation: mean absolute
        percentage error of the median headcount path, share of months whose
        observation lies in the 10-90% band, and the yearly outflow error.

    Raises:
        ValueError: no full month lies between the cut-off and as-of.
    """
    staff, formation = tables["staff"], tables["formation"]
    cut = pd.Timestamp(year=calib_last_year, month=12, day=31)
    # hours (capacity split) and tenure play no part in the headcount back-test
    hist = calibrate_history({"staff": staff[staff["start_date"] <= cut], "formation": formation},
                             cut.date(), with_tenure=False)
    months = _backtest_months(as_of, calib_last_year)
    sims = _backtest_simulations(hist, formation, months, settings, runs, cut.year)
    monthly = _backtest_monthly(sims, staff, months, as_of)
    yearly = _backtest_yearly(sims, staff, months, as_of)
    return BacktestResult(monthly, yearly, _backtest_errors(monthly, yearly), hist.rates)
