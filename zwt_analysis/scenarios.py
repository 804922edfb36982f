"""Workforce scenarios 2027-2034: calibration from history, validation, entry points.

The model itself lives in two modules; this one wires them to the processed
tables and holds the validation:

- :mod:`zwt_analysis.calibrate` — outflow/inflow rates (catalogue
  indicators), time to fill a vacancy, tenure, base stock;
- :mod:`zwt_analysis.simulate` — the monthly stock-flow Monte Carlo, the
  scenario file, summaries and the sensitivity analysis;
- here: :func:`hour_shares`, :func:`calibrate_history` (everything a run
  needs), :func:`eight_year_check` (the evaluation's "10-20% of staff
  changes in eight years"), :func:`synthetic_staff_history` +
  :func:`parameter_recovery`, and :func:`backtest`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import calibrate, simulate
from .contract import ALL, PREVENTIVE_ACTIVITIES

__all__ = [
    "BacktestResult", "backtest", "calibrate_history", "eight_year_check", "hour_shares",
    "parameter_recovery", "synthetic_staff_history",
]

OTHER_ACTIVITIES = ("coordination", "overhead", "additional_assignment")


# ----------------------------------------------------------------- capacity split

def hour_shares(time_registrations: pd.DataFrame, as_of: date, months: int = 12
                ) -> pd.DataFrame:
    """Split of registered hours in the last ``months`` months up to ``as_of``.

    Returns:
        Per organisation and city (``ALL``): ``hours``, ``statutory`` (share
        of all hours on ``statutory_individual``), ``preventive`` (both
        preventive activities), ``other`` (coordination, overhead, additional
        assignments). Shares are of all hours; an organisation without hours
        is absent. The preventive / (preventive + statutory) ratio of these
        hours is the catalogue's ``preventive_share`` over that window.
    """
    end = pd.Timestamp(as_of).normalize()
    begin = end - pd.DateOffset(months=months)
    tr = time_registrations
    tr = tr[(tr["date"] > begin) & (tr["date"] <= end)]
    act = tr["activity"].astype(str)
    group = np.where(act == "statutory_individual", "statutory",
                     np.where(act.isin(PREVENTIVE_ACTIVITIES), "preventive", "other"))
    df = pd.DataFrame({"organisation": tr["organisation"].astype(str).to_numpy(),
                       "group": group, "hours": tr["hours"].astype(float).to_numpy()})
    wide = df.pivot_table(index="organisation", columns="group", values="hours",
                          aggfunc="sum", fill_value=0.0)
    for c in ("statutory", "preventive", "other"):
        if c not in wide:
            wide[c] = 0.0
    wide.loc[ALL] = wide.sum()
    total = wide[["statutory", "preventive", "other"]].sum(axis=1)
    out = wide[["statutory", "preventive", "other"]].div(total, axis=0)
    out.insert(0, "hours", total)
    out = out[total > 0].reset_index().rename(columns={"index": "organisation"})
    out.columns.name = None
    return out


# ----------------------------------------------------------------- calibration

@dataclass
class History:
    """Calibration tables and the simulation input derived from them."""

    calibration: simulate.Calibration
    rates: pd.DataFrame
    yearly: pd.DataFrame
    fill: pd.DataFrame
    tenure: pd.DataFrame
    hours: pd.DataFrame
    base_day: pd.Timestamp


def calibrate_history(tables: dict[str, pd.DataFrame], as_of: date,
                      years: tuple[int, int] | None = None, with_tenure: bool = True
                      ) -> History:
    """Everything the simulation needs from the processed tables.

    Args:
        tables: processed tables; uses ``staff``, ``formation``,
            ``time_registrations``.
        as_of: reference date; the base stock is the stock on this day.
        years: calendar years to pool the rates over (default: all full years).
        with_tenure: False skips the Kaplan-Meier tenure (``tenure`` is then empty).

    Organisations without hours get the city's capacity split; without a
    formation row their employed FTE. Calibrated values per organisation:
    ``outflow_rate`` (pooled indicator), ``months_to_fill`` (exponential
    mean; the city's value when an organisation has no fills) and
    ``overhead_share`` (share of hours on coordination, overhead, additional
    assignments).
    """
    staff, formation = tables["staff"], tables["formation"]
    tr = tables.get("time_registrations")
    yearly = calibrate.yearly_turnover(staff, as_of)
    if years is None:
        first = calibrate.first_observed_year(staff)
        years = (first if first is not None else 1900, 9999)
    rates = calibrate.pool_rates(yearly, years=years)
    fill = calibrate.vacancy_fill_times(staff, as_of)
    ten = calibrate.tenure(staff, as_of) if with_tenure else pd.DataFrame(
        columns=["organisation", "persons", "ended", "censored", "median_years"])
    hours = hour_shares(tr, as_of) if tr is not None and len(tr) else pd.DataFrame(
        columns=["organisation", "hours", "statutory", "preventive", "other"])
    base = calibrate.base_state(staff, formation, as_of, as_of)
    city_hours = hours.set_index("organisation").loc[ALL] if ALL in set(hours["organisation"]) \
        else pd.Series({"statutory": 0.6, "preventive": 0.2, "other": 0.2})
    city_fill = fill.set_index("organisation")["mean_months"].get(ALL, math.nan)
    starts, values, counts = {}, {}, {}
    r_idx = rates.set_index("organisation")
    f_idx = fill.set_index("organisation")
    h_idx = hours.set_index("organisation")
    for org, b in base.items():
        h = h_idx.loc[org] if org in h_idx.index else city_hours
        starts[org] = simulate.OrgStart(org, b.persons, b.fte_per_person, b.budgeted_fte,
                                        float(h["statutory"]), float(h["preventive"]),
                                        int(pd.Timestamp(as_of).year))
        mtf = f_idx["mean_months"].get(org, math.nan) if len(f_idx) else math.nan
        values[org] = {
            "outflow_rate": float(r_idx["outflow_rate"].get(org, math.nan)) if len(r_idx)
            else math.nan,
            "months_to_fill": float(mtf if np.isfinite(mtf) else city_fill),
            "overhead_share": float(h["other"]),
        }
        if org in r_idx.index:
            counts[org] = (float(r_idx.loc[org, "leavers"]), float(r_idx.loc[org, "person_years"]))
    calib = simulate.Calibration(starts, values, counts)
    return History(calib, rates, yearly, fill, ten, hours, pd.Timestamp(as_of).normalize())


def eight_year_check(rates: pd.DataFrame, years: float = 8.0) -> pd.DataFrame:
    """The evaluation's "10-20% of staff changes in eight years" against the rates.

    Per organisation: share of today's staff still there after ``years``
    under a constant rate, ``(1 - r) ** years``, with the interval from the
    rate's interval, and the share that leaves (1 - that). The evaluation's
    expectation corresponds to 80-90% still there, i.e. an annual rate of
    1 - 0.9 ** (1/8) = 1.3% to 1 - 0.8 ** (1/8) = 2.8%.
    """
    out = rates[["organisation", "outflow_rate", "outflow_low", "outflow_high"]].copy()
    out["stayers"] = calibrate.stayers_after(out["outflow_rate"].to_numpy(), years)
    out["stayers_low"] = calibrate.stayers_after(out["outflow_high"].to_numpy(), years)
    out["stayers_high"] = calibrate.stayers_after(out["outflow_low"].to_numpy(), years)
    out["leavers_share"] = 1 - out["stayers"]
    out["leavers_low"] = 1 - out["stayers_high"]
    out["leavers_high"] = 1 - out["stayers_low"]
    out["consistent_with_10_20"] = (out["leavers_low"] <= 0.20) & (out["leavers_high"] >= 0.10)
    return out


def implied_rate_range(low_change: float = 0.10, high_change: float = 0.20,
                       years: float = 8.0) -> tuple[float, float]:
    """Annual outflow rates for which ``low_change``..``high_change`` leaves in ``years``."""
    return (1 - (1 - low_change) ** (1 / years), 1 - (1 - high_change) ** (1 / years))


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
    from .processed import coerce_types

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
    """
    staff, formation = tables["staff"], tables["formation"]
    cut = pd.Timestamp(year=calib_last_year, month=12, day=31)
    # hours (capacity split) and tenure play no part in the headcount back-test
    hist = calibrate_history({"staff": staff[staff["start_date"] <= cut], "formation": formation},
                             cut.date(), with_tenure=False)
    a_ts = pd.Timestamp(as_of).normalize()
    last_month = pd.Period(a_ts, freq="M")
    if a_ts != last_month.to_timestamp(how="end").normalize():
        last_month -= 1
    months = pd.period_range(pd.Period(year=calib_last_year + 1, month=1, freq="M"),
                             last_month, freq="M")
    if len(months) == 0:
        raise ValueError("no full month after the calibration period up to as-of")
    seeds = np.random.SeedSequence(int(settings["seed"])).spawn(len(hist.calibration.starts))
    sims = []
    for i, (org, st) in enumerate(sorted(hist.calibration.starts.items())):
        a = simulate.resolve({**settings}, hist.calibration.values[org])
        f = formation[formation["organisation"] == org].set_index("year")["budgeted_fte"]
        funded = np.array([float(f.get(m.year, f[f.index <= m.year].iloc[-1]
                                       if (f.index <= m.year).any() else st.formation_fte))
                           for m in months])
        st = simulate.OrgStart(org, st.persons, st.fte_per_person, float(funded[0]),
                               st.statutory_share, st.preventive_share_hours, cut.year)
        sims.append(simulate.simulate_org(st, a, months, runs, np.random.default_rng(seeds[i]),
                                          funded_fte=funded))
    sims.append(simulate.combine(sims))
    obs = _month_end_headcount(staff, months, as_of)
    monthly = []
    for r in sims:
        q = np.quantile(r["employed"], [0.1, 0.5, 0.9], axis=0)
        monthly.append(pd.DataFrame({"organisation": r.organisation, "month": months,
                                     "p10": q[0], "p50": q[1], "p90": q[2]}))
    monthly = pd.concat(monthly, ignore_index=True).merge(obs, on=["organisation", "month"],
                                                          how="left")
    monthly["observed"] = monthly["observed"].fillna(0)
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
    return BacktestResult(monthly, yearly, pd.DataFrame(errs), hist.rates)


# ----------------------------------------------------------------- report helpers

#: Dutch labels of the assumptions (tables and the tornado chart).
ASSUMPTION_LABELS_NL = {
    "outflow_rate": "Uitstroom per jaar",
    "months_to_fill": "Maanden tot vervulling vacature",
    "ramp_up_months": "Inwerktijd nieuwe medewerker (maanden)",
    "new_hire_productivity": "Productiviteit nieuwe medewerker bij start",
    "wage_growth": "Cao-loonstijging per jaar",
    "indexation": "Gemeentelijke indexatie per jaar",
    "population_growth": "Bevolkingsgroei per jaar",
    "demand_trend": "Trend wettelijke vraag per inwoner per jaar",
    "overhead_share": "Aandeel overhead, coördinatie en extra opdrachten",
}
#: Dutch labels of the simulated outputs (fan charts).
OUTPUT_LABELS_NL = {
    "effective_fte": "Effectieve fte (na inwerken)",
    "vacancies_fte": "Openstaande vacatures (fte)",
    "stayers_share": "Aandeel huidig personeel nog in dienst",
    "preventive_fte": "Preventieve capaciteit (fte)",
    "preventive_share": "Preventief aandeel (preventief / (preventief + wettelijk))",
}
PERCENT_KEYS = ("stayers_share", "preventive_share", "outflow_rate", "wage_growth",
                "indexation", "population_growth", "demand_trend", "overhead_share",
                "new_hire_productivity")


def assumptions_table(settings: dict[str, Any], calib: simulate.Calibration,
                      organisations: list[str]) -> pd.DataFrame:
    """Resolved assumptions per organisation (rows: assumption, columns: organisation).

    Values stay numeric; the row label says where a value came from
    ("(historie)" when calibrated).
    """
    rows = {}
    for k in simulate.ASSUMPTION_KEYS:
        label = ASSUMPTION_LABELS_NL[k] + (" (historie)" if settings[k] == "calibrated" else "")
        rows[label] = {o: getattr(simulate.resolve(settings, calib.values[o]), k)
                       for o in organisations}
    return pd.DataFrame(rows).T


def compare_scenarios(names: list[str], calib: simulate.Calibration, runs: int, seed: int,
                      extra: dict[str, dict[str, Any]] | None = None,
                      organisations: list[str] | None = None, year: int | None = None
                      ) -> tuple[pd.DataFrame, dict[str, dict[str, simulate.SimResult]]]:
    """Run the named scenarios (plus ``extra`` settings by label) and summarise each.

    Returns:
        (summary table: one :func:`simulate.summarise` row per scenario and
        organisation incl. the city; the simulation results by scenario).
    """
    all_settings = {n: simulate.scenario_settings(n, {"runs": runs, "seed": seed})
                    for n in names}
    all_settings.update(extra or {})
    rows, results = [], {}
    for label, s in all_settings.items():
        res = simulate.run_scenario(s, calib, organisations)
        results[label] = res
        rows += [simulate.summarise(r, label, year) for r in res.values()]
    return pd.DataFrame(rows), results


def suppressed_cells(df: pd.DataFrame, count_columns: list[str]) -> pd.DataFrame:
    """Boolean frame: True where publication rules suppress a person count (<5,
    with secondary suppression over the table), via :mod:`zwt_analysis.publish`."""
    from .publish import SUPPRESSED, suppress_counts

    sup = suppress_counts(df[count_columns], count_columns)
    return (sup == SUPPRESSED).fillna(False).set_axis(df.index)


def plot_fans(results: dict[str, simulate.SimResult], key: str, organisations: list[str],
              title: str | None = None) -> Any:
    """Fan chart (10-50-90%) of ``key`` per organisation in a grid; returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    from .notebook import dutch_axis

    n = len(organisations)
    ncol = 1 if n == 1 else 2
    nrow = math.ceil(n / ncol)
    # a fixed layout: constrained layout costs ~0.5 s per figure and the suite is timed
    fig, axes = plt.subplots(nrow, ncol, figsize=(8.5 if n > 1 else 7.5, 3.0 * nrow + 0.6),
                             sharex=True, squeeze=False, layout="none")
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.07 if nrow > 1 else 0.1,
                        top=0.88 if nrow > 1 else 0.82, hspace=0.3, wspace=0.22)
    pct = key in PERCENT_KEYS
    months = results[organisations[0]].months
    # decimal years with a few fixed ticks: date locators make many ticks (slow to draw)
    x = np.asarray(months.year) + (np.asarray(months.month) - 1) / 12
    years = list(range(int(x[0]), int(np.ceil(x[-1] + 1 / 12)) + 1))
    step = 2 if len(years) > 6 else 1
    for ax, org in zip(axes.flat, organisations, strict=False):
        f = simulate.fan(results[org], key)
        ax.fill_between(x, f["p10"], f["p90"], alpha=0.3, label="10–90% van de runs")
        ax.plot(x, f["p50"], label="mediaan")
        ax.xaxis.set_major_locator(FixedLocator(years[::step]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(v)}"))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        if key == "stayers_share":
            ax.axhspan(0.8, 0.9, color="#949494", alpha=0.25, lw=0,
                       label="verwachting evaluatie (80–90%)")
        ax.set_title("Gemeente (alle organisaties)" if org == ALL else org, fontsize=11)
        dutch_axis(ax, "y", percent=pct)
        if pct:
            ax.set_ylim(0, max(1.0 if key == "stayers_share" else 0.05,
                               float(f["p90"].max()) * 1.1))
        else:
            ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="best")
    fig.suptitle(title or OUTPUT_LABELS_NL.get(key, key))
    return fig


def plot_fan_panels(results: dict[str, simulate.SimResult], keys: list[str] | tuple[str, ...],
                    organisations: list[str], title: str) -> Any:
    """Fan charts (10-50-90%) of several outputs in one figure, one panel per output.

    Each organisation in ``organisations`` gets its own colour in every panel
    (band = 10-90% of the runs, line = median), so organisations can be
    compared directly. One figure with a few panels draws much faster than a
    grid per output (the report suite is timed).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    from .notebook import dutch_axis

    colours = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])
    n = len(keys)
    ncol = 2 if n > 1 else 1
    nrow = math.ceil(n / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(9.0, 2.9 * nrow + 0.8), squeeze=False,
                             layout="none")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.06 if nrow > 1 else 0.12,
                        top=0.9 if nrow > 2 else 0.85, hspace=0.42, wspace=0.2)
    months = results[organisations[0]].months
    x = np.asarray(months.year) + (np.asarray(months.month) - 1) / 12
    years = list(range(int(x[0]), int(np.ceil(x[-1] + 1 / 12)) + 1))
    ticks = years[:: 2 if len(years) > 6 else 1]
    for ax, key in zip(axes.flat, keys, strict=False):
        pct = key in PERCENT_KEYS
        top = 0.0
        for i, org in enumerate(organisations):
            f = simulate.fan(results[org], key)
            colour = colours[i % len(colours)]
            name = "Gemeente" if org == ALL else org
            ax.fill_between(x, f["p10"], f["p90"], color=colour, alpha=0.25, lw=0)
            ax.plot(x, f["p50"], color=colour, lw=1.8, label=name)
            top = max(top, float(f["p90"].max()))
        if key == "stayers_share":
            ax.axhspan(0.8, 0.9, color="#949494", alpha=0.3, lw=0,
                       label="verwachting evaluatie")
        ax.set_title(OUTPUT_LABELS_NL.get(key, key), fontsize=10)
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(v)}"))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        dutch_axis(ax, "y", percent=pct)
        ax.set_ylim(0, (1.02 if key == "stayers_share" else max(top * 1.1, 1e-6)))
        if key == "stayers_share":
            ax.legend(loc="lower left", fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    if n % 2 == 1 and n > 1:
        axes.flat[n].set_visible(True)
        axes.flat[n].axis("off")
        axes.flat[n].text(0.02, 0.5, "Lijn: mediaan van de runs\nBand: 10–90% van de runs",
                          fontsize=9, va="center")
    fig.suptitle(title)
    return fig


def plot_yearly_outflow(yearly: pd.DataFrame, organisations: list[str], first_year: int | None,
                        sector: float = 0.11) -> Any:
    """Yearly outflow rate per organisation with its exact Poisson interval.

    Only full years from ``first_year`` (the first observed year) are drawn. A
    year with fewer than 5 leavers is left out (a published rate with its
    known stock would reveal a small count). The sector figure is a dashed line.
    """
    import matplotlib.pyplot as plt

    from .notebook import dutch_axis

    y = yearly[yearly["full_year"] & yearly["organisation"].isin(organisations)]
    if first_year is not None:
        y = y[y["year"] >= first_year]
    fig, ax = plt.subplots(figsize=(8, 4), layout="none")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.88)
    colours = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])
    n = max(len(organisations), 1)
    for i, org in enumerate(organisations):
        g = y[(y["organisation"] == org) & (y["leavers"] >= 5)].sort_values("year")
        if g.empty:
            continue
        ci = np.array([calibrate.poisson_rate_interval(c, e) for c, e in
                       zip(g["leavers"], g["stock_jan1"], strict=True)])
        x = g["year"].to_numpy() + (i - (n - 1) / 2) * 0.08
        rate = g["outflow_rate"].to_numpy()
        ax.errorbar(x, rate, yerr=[rate - ci[:, 0], ci[:, 1] - rate], fmt="o-", capsize=3,
                    color=colours[i % len(colours)], lw=1.3,
                    label="Gemeente" if org == ALL else org)
    ax.axhline(sector, color="black", ls="--", lw=1, label="sector (CBS AZW, ca. 11%)")
    years = sorted(y["year"].unique())
    if years:
        ax.set_xticks(years, [str(v) for v in years])
    dutch_axis(ax, "y", percent=True)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("vertrekkers / in dienst op 1 januari")
    ax.legend(loc="upper left", fontsize=9, ncol=2)
    ax.set_title("Uitstroom per jaar (met 95%-interval)")
    return fig


def plot_tornado(sens: pd.DataFrame, base_label: str = "basis") -> Any:
    """Tornado chart of a :func:`simulate.sensitivity` table (preventive share 2034)."""
    import matplotlib.pyplot as plt

    from .notebook import dutch_axis, nl_number, nl_percent

    d = sens.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(d) + 1.5))
    base = float(d["base"].iloc[0])
    y = np.arange(len(d))
    ax.barh(y, d["result_low"] - base, left=base, color="#0173b2", label="lage waarde")
    ax.barh(y, d["result_high"] - base, left=base, color="#de8f05", label="hoge waarde")
    ax.axvline(base, color="black", linewidth=1)

    def fmt(k: str, v: float) -> str:
        return nl_percent(v, 1) if k in PERCENT_KEYS else nl_number(v, 0)

    ax.set_yticks(y, [f"{ASSUMPTION_LABELS_NL.get(k, k)}\n({fmt(k, lo)} – {fmt(k, hi)})"
                      for k, lo, hi in zip(d["parameter"], d["low"], d["high"], strict=True)],
                  fontsize=9)
    dutch_axis(ax, "x", percent=True)
    ax.set_xlabel(f"Preventief aandeel in het laatste jaar ({base_label}: {nl_percent(base)})")
    ax.legend(loc="lower right")
    ax.set_title("Gevoeligheid: welke aanname weegt het zwaarst?")
    return fig


def plot_backtest(monthly: pd.DataFrame, organisations: list[str]) -> Any:
    """Observed headcount against the projected 10-90% band per organisation."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from .notebook import dutch_axis

    n = len(organisations)
    ncol = 1 if n == 1 else 2
    nrow = math.ceil(n / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(8.5, 3.2 * nrow + 0.6), squeeze=False,
                             layout="none")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1 if nrow > 1 else 0.18,
                        top=0.88 if nrow > 1 else 0.8, hspace=0.45, wspace=0.22)
    for ax, org in zip(axes.flat, organisations, strict=False):
        g = monthly[monthly["organisation"] == org]
        x = g["month"].dt.to_timestamp() if hasattr(g["month"], "dt") else g["month"]
        ax.fill_between(x, g["p10"], g["p90"], alpha=0.3, label="projectie 10–90%")
        ax.plot(x, g["p50"], label="projectie mediaan")
        ax.plot(x, g["observed"], "k.", label="werkelijk")
        ax.set_title("Gemeente (som organisaties)" if org == ALL else org, fontsize=11)
        dutch_axis(ax, "y")
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%Y"))
        ax.tick_params(axis="x", labelsize=9)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="best", fontsize=9)
    fig.suptitle("Terugtoets: medewerkers in dienst (personen, einde maand)")
    return fig


def plot_funding(by_year: pd.DataFrame, organisation: str) -> Any:
    """Stacked bars of structural and incidental money per year (EUR million)."""
    import matplotlib.pyplot as plt

    from .notebook import dutch_axis

    g = by_year[by_year["organisation"] == organisation].sort_values("year")
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(g["year"], g["structural_eur"] / 1e6, label="structureel")
    ax.bar(g["year"], g["incidental_eur"] / 1e6, bottom=g["structural_eur"] / 1e6,
           label="incidenteel")
    ax.set_ylabel("miljoen euro (nominaal)")
    ax.set_xticks(g["year"], [str(y) for y in g["year"]])
    dutch_axis(ax, "y", decimals=1)
    ax.legend(loc="upper left")
    who = "gemeente (alle organisaties)" if organisation == ALL else organisation
    ax.set_title(f"Structureel en incidenteel geld per jaar — {who}")
    return fig


# ----------------------------------------------------------------- Dutch tables and text

def _who(org: str) -> str:
    return "de gemeente (alle organisaties)" if org == ALL else org


def _pct(v: float, d: int = 1) -> str:
    from .notebook import nl_percent

    return nl_percent(v, d) if v is not None and np.isfinite(v) else "–"


def _num(v: float, d: int = 1) -> str:
    from .notebook import nl_number

    return nl_number(v, d) if v is not None and np.isfinite(v) else "–"


def _ci(est: float, lo: float, hi: float, percent: bool = False, d: int = 1) -> str:
    f = _pct if percent else _num
    if est is None or not np.isfinite(est):
        return "niet te schatten"
    return f"{f(est, d)} ({f(lo, d)}–{f(hi, d)})"


def calibration_table(rates: pd.DataFrame, fill: pd.DataFrame, ten: pd.DataFrame,
                      organisations: list[str]) -> dict[str, pd.DataFrame]:
    """Calibration per organisation as a Dutch display table and a suppressed CSV table.

    Person counts (person-years, leavers, newcomers, filled vacancies) below
    5 are suppressed with secondary suppression; a rate whose count is
    suppressed is suppressed too.

    Returns:
        ``{"display": ..., "csv": ...}`` (both indexed 0..n-1, text cells).
    """
    from .publish import SUPPRESSED, suppress_counts

    rows = []
    for org in organisations:
        r = rates.loc[org] if org in rates.index else None
        f = fill.loc[org] if org in fill.index else None
        t = ten.loc[org] if org in ten.index else None
        rows.append({
            "organisatie": org,
            "jaren": r["years"] if r is not None else "",
            "persoonjaren": float(r["person_years"]) if r is not None else math.nan,
            "vertrekkers": float(r["leavers"]) if r is not None else math.nan,
            "uitstroom": float(r["outflow_rate"]) if r is not None else math.nan,
            "uitstroom_laag": float(r["outflow_low"]) if r is not None else math.nan,
            "uitstroom_hoog": float(r["outflow_high"]) if r is not None else math.nan,
            "nieuwkomers": float(r["newcomers"]) if r is not None else math.nan,
            "instroom": float(r["inflow_rate"]) if r is not None else math.nan,
            "instroom_laag": float(r["inflow_low"]) if r is not None else math.nan,
            "instroom_hoog": float(r["inflow_high"]) if r is not None else math.nan,
            "vervulde_vacatures": float(f["filled"]) if f is not None else math.nan,
            "open_vacatures": float(f["open"]) if f is not None else math.nan,
            "maanden_tot_vervulling": float(f["mean_months"]) if f is not None else math.nan,
            "maanden_laag": float(f["mean_low"]) if f is not None else math.nan,
            "maanden_hoog": float(f["mean_high"]) if f is not None else math.nan,
            "mediane_verblijfsduur_jaren": float(t["median_years"]) if t is not None
            else math.nan,
            "verblijfsduur_laag": float(t["median_low"]) if t is not None else math.nan,
            "verblijfsduur_hoog": float(t["median_high"]) if t is not None else math.nan,
        })
    num = pd.DataFrame(rows)
    counts = ["persoonjaren", "vertrekkers", "nieuwkomers", "vervulde_vacatures",
              "open_vacatures"]
    groups = {"vertrekkers": ["uitstroom", "uitstroom_laag", "uitstroom_hoog"],
              "nieuwkomers": ["instroom", "instroom_laag", "instroom_hoog"],
              "vervulde_vacatures": ["maanden_tot_vervulling", "maanden_laag", "maanden_hoog"]}
    # organisations add up to the city: one group, so a lone small cell takes another along
    sup = suppress_counts(num[counts], counts) == SUPPRESSED
    sup = sup.fillna(False)
    csv = num.copy().astype(object)
    disp = []
    for i, row in num.iterrows():
        s = sup.loc[i]
        for c in counts:
            if s[c]:
                csv.loc[i, c] = SUPPRESSED
        for c, derived in groups.items():
            if s[c] or s["persoonjaren"]:
                for dcol in derived:
                    csv.loc[i, dcol] = SUPPRESSED
        ten_ci = _ci(row["mediane_verblijfsduur_jaren"], row["verblijfsduur_laag"],
                     row["verblijfsduur_hoog"])
        if not np.isfinite(row["mediane_verblijfsduur_jaren"]):
            ten_ci = "mediaan niet bereikt"
        disp.append({
            "Organisatie": "Gemeente" if row["organisatie"] == ALL else row["organisatie"],
            "Jaren": row["jaren"],
            "Persoonjaren": SUPPRESSED if s["persoonjaren"] else _num(row["persoonjaren"], 0),
            "Vertrekkers": SUPPRESSED if s["vertrekkers"] else _num(row["vertrekkers"], 0),
            "Uitstroom per jaar": SUPPRESSED if s["vertrekkers"] or s["persoonjaren"] else
            _ci(row["uitstroom"], row["uitstroom_laag"], row["uitstroom_hoog"], True),
            "Instroom per jaar": SUPPRESSED if s["nieuwkomers"] or s["persoonjaren"] else
            _ci(row["instroom"], row["instroom_laag"], row["instroom_hoog"], True),
            "Vacatures vervuld / nog open": (f"{SUPPRESSED if s['vervulde_vacatures'] else _num(row['vervulde_vacatures'], 0)}"
                                             f" / {SUPPRESSED if s['open_vacatures'] else _num(row['open_vacatures'], 0)}"),
            "Maanden tot vervulling": SUPPRESSED if s["vervulde_vacatures"] else
            _ci(row["maanden_tot_vervulling"], row["maanden_laag"], row["maanden_hoog"]),
            "Mediane verblijfsduur (jaren)": ten_ci,
        })
    return {"display": pd.DataFrame(disp), "csv": csv}


def round_numbers(df: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Round every float cell (also in object columns holding "<5") for a CSV side table."""
    def r(v: Any) -> Any:
        return round(v, decimals) if isinstance(v, float) and np.isfinite(v) else v

    return df.apply(lambda col: col.map(r))


def hidden_outflow(calibration_csv: pd.DataFrame) -> set[str]:
    """Organisations whose outflow rate is suppressed in :func:`calibration_table`
    (fewer than 5 leavers, or secondary suppression): not to be shown elsewhere."""
    from .publish import SUPPRESSED

    c = calibration_csv
    return set(c.loc[c["uitstroom"].astype(str) == SUPPRESSED, "organisatie"].astype(str))


def small_numbers_text(rates: pd.DataFrame, organisations: list[str], threshold: int = 20
                       ) -> str:
    """Dutch warning for organisations with few leavers (wide intervals); '' if none."""
    small = [("Gemeente" if o == ALL else o) for o in organisations
             if o in rates.index and rates.loc[o, "leavers"] < threshold]
    if not small:
        return ""
    return (f"**Let op, kleine aantallen:** bij {', '.join(small)} zijn er minder dan "
            f"{threshold} vertrekkers in de gemeten jaren. De intervallen zijn daar breed en de "
            "uitkomsten per organisatie onzeker; kijk eerder naar de gemeente als geheel.")


def sector_comparison_text(rates: pd.DataFrame, organisations: list[str],
                           sector: float = 0.11, hidden: set[str] | frozenset[str] = frozenset()
                           ) -> str:
    """Dutch sentences comparing each organisation's outflow with the sector figure.

    Organisations in ``hidden`` (suppressed counts) get no figure.
    """
    lines = []
    for org in organisations:
        if org not in rates.index:
            continue
        if org in hidden:
            lines.append(f"- **{'Gemeente' if org == ALL else org}**: te weinig vertrekkers om "
                         "de uitstroom te publiceren (kleine aantallen).")
            continue
        r = rates.loc[org]
        lo, hi = r["outflow_low"], r["outflow_high"]
        verdict = ("hoger dan" if lo > sector else "lager dan" if hi < sector
                   else "niet duidelijk anders dan")
        lines.append(f"- **{'Gemeente' if org == ALL else org}**: uitstroom "
                     f"{_ci(r['outflow_rate'], lo, hi, True)} per jaar — {verdict} het "
                     f"sectorcijfer van ongeveer {_pct(sector, 0)}.")
    return "\n".join(lines) if lines else "*Geen uitstroom te berekenen (geen personeelsdata).*"


def eight_year_display(check: pd.DataFrame, sector: float = 0.11,
                       hidden: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Dutch table: outflow, share still there after 8 years and the share that changes.

    Organisations in ``hidden`` (suppressed counts) are listed without figures.
    """
    rows = []
    for _, r in check.iterrows():
        if r["organisation"] in hidden:
            rows.append({"Organisatie": "Gemeente" if r["organisation"] == ALL
                         else r["organisation"], "Uitstroom per jaar": math.nan,
                         "Nog in dienst na 8 jaar": math.nan,
                         "95%-interval nog in dienst": "niet getoond (kleine aantallen)",
                         "Wisseling in 8 jaar": math.nan, "95%-interval wisseling": ""})
            continue
        rows.append({
            "Organisatie": "Gemeente" if r["organisation"] == ALL else r["organisation"],
            "Uitstroom per jaar": r["outflow_rate"],
            "Nog in dienst na 8 jaar": r["stayers"],
            "95%-interval nog in dienst": f"{_pct(r['stayers_low'])}–{_pct(r['stayers_high'])}",
            "Wisseling in 8 jaar": r["leavers_share"],
            "95%-interval wisseling": f"{_pct(r['leavers_low'])}–{_pct(r['leavers_high'])}",
        })
    lo, hi = implied_rate_range()
    s8 = calibrate.stayers_after(sector)
    rows.append({"Organisatie": "Sector (CBS AZW, ca. 11%)", "Uitstroom per jaar": sector,
                 "Nog in dienst na 8 jaar": s8, "95%-interval nog in dienst": "",
                 "Wisseling in 8 jaar": 1 - s8, "95%-interval wisseling": ""})
    rows.append({"Organisatie": "Verwachting evaluatie", "Uitstroom per jaar": math.nan,
                 "Nog in dienst na 8 jaar": math.nan,
                 "95%-interval nog in dienst": "80%–90%",
                 "Wisseling in 8 jaar": math.nan,
                 "95%-interval wisseling": f"10%–20% (= {_pct(lo)}–{_pct(hi)} per jaar)"})
    return pd.DataFrame(rows)


def eight_year_text(check: pd.DataFrame, results: dict[str, simulate.SimResult],
                    organisations: list[str], label: str,
                    hidden: set[str] | frozenset[str] = frozenset()) -> str:
    """Plain Dutch answer to "does 10-20% of staff change in eight years?"."""
    org = organisations[0]
    c = check.set_index("organisation")
    if org not in c.index or not np.isfinite(c.loc[org, "outflow_rate"]):
        return "*Geen uitstroom te berekenen; de vraag is met deze data niet te beantwoorden.*"
    if org in hidden:
        return (f"*Voor {_who(org)} zijn er te weinig vertrekkers om de uitstroom te publiceren; "
                "kijk naar de gemeente als geheel.*")
    r = c.loc[org]
    parts = [
        f"**Antwoord voor {_who(org)}.** Met de gemeten uitstroom van "
        f"{_pct(r['outflow_rate'])} per jaar vertrekt binnen acht jaar naar verwachting "
        f"**{_pct(r['leavers_share'], 0)}** van het huidige personeel (95%-interval "
        f"{_pct(r['leavers_low'], 0)}–{_pct(r['leavers_high'], 0)})."
    ]
    if r["leavers_low"] > 0.20:
        parts.append("Dat is **veel meer** dan de 10–20% waar de evaluatie van uitgaat; "
                     "ook de ondergrens van het interval ligt daar ruim boven.")
    elif r["leavers_high"] < 0.10:
        parts.append("Dat is minder dan de 10–20% waar de evaluatie van uitgaat.")
    else:
        parts.append("Dat past bij de 10–20% waar de evaluatie van uitgaat.")
    key = org if org in results else next(iter(results))
    res = results[key]
    last = res["stayers_share"][:, -1]
    p = simulate.stayers_probabilities(res)
    q10, q50, q90 = np.quantile(last, [0.1, 0.5, 0.9])
    p_txt = ("in geen enkele run" if p["p_in_range"] == 0 else
             f"in {_pct(p['p_in_range'], 1)} van de runs")
    parts.append(
        f"In de simulatie ({label}) is eind 2034 in mediaan {_pct(q50, 0)} van het huidige "
        f"personeel nog in dienst (10–90% van de runs: {_pct(q10, 0)}–{_pct(q90, 0)}); "
        f"80–90% nog in dienst, zoals de evaluatie verwacht, komt {p_txt} voor.")
    if p["p_in_range"] < 0.01 and r["leavers_low"] > 0.20:
        parts.append("**De verwachting van de evaluatie is met deze uitstroom vrijwel "
                     "uitgesloten.** Reken voor de nieuwe opdracht met een veel groter verloop "
                     "en dus met blijvende inwerk- en wervingslast.")
    parts.append("(De simulatie telt vertrek per maand met een vaste kans; dat geeft na acht "
                 "jaar een paar procentpunten meer blijvers dan de rekenregel (1 − r)⁸.)")
    return " ".join(parts)


def summary_display(summary: pd.DataFrame, organisations: list[str]) -> pd.DataFrame:
    """Dutch scenario comparison: medians with the 10-90% range per scenario and organisation."""
    rows = []
    s = summary[summary["organisation"].isin(organisations)]
    order = {o: i for i, o in enumerate(organisations)}
    s = s.assign(_o=s["organisation"].map(order)).sort_values(["_o"], kind="stable")
    for _, r in s.iterrows():
        def rng(k: str, pct: bool = False, d: int = 1, r: pd.Series = r) -> str:
            return _ci(r[f"{k}_p50"], r[f"{k}_p10"], r[f"{k}_p90"], pct, d)

        rows.append({
            "Organisatie": "Gemeente" if r["organisation"] == ALL else r["organisation"],
            "Scenario": r.get("label", r["scenario"]),
            "Effectieve fte": rng("effective_fte"),
            "Betaalde formatie (fte)": _num(r["funded_fte_p50"]),
            "Vacatures (fte)": rng("vacancies_fte"),
            "Nog in dienst van huidig personeel": rng("stayers_share", True, 0),
            "Preventieve capaciteit (fte)": rng("preventive_fte"),
            "Preventief aandeel": rng("preventive_share", True),
            "Kans wettelijke vraag niet gedekt": _pct(r["p_unmet_statutory"], 0),
        })
    return pd.DataFrame(rows)


def summary_text(summary: pd.DataFrame, organisation: str) -> str:
    """Dutch sentence on the range of the preventive share over the scenarios."""
    s = summary[summary["organisation"] == organisation]
    if s.empty:
        return ""
    lo = s.loc[s["preventive_share_p50"].idxmin()]
    hi = s.loc[s["preventive_share_p50"].idxmax()]
    text = (f"Voor {_who(organisation)} ligt het preventieve aandeel in 2034 in mediaan tussen "
            f"**{_pct(lo['preventive_share_p50'])}** ({lo.get('label', lo['scenario'])}) en "
            f"**{_pct(hi['preventive_share_p50'])}** ({hi.get('label', hi['scenario'])}).")
    worst = s.loc[s["p_unmet_statutory"].idxmax()]
    if worst["p_unmet_statutory"] > 0.05:
        text += (f" In scenario {worst.get('label', worst['scenario'])} is er in "
                 f"{_pct(worst['p_unmet_statutory'], 0)} van de runs in 2034 zelfs te weinig "
                 "capaciteit voor het wettelijke werk.")
    return text


def funding_display(by_year: pd.DataFrame, organisations: list[str]) -> pd.DataFrame:
    """Dutch table of structural and incidental money per year."""
    d = by_year[by_year["organisation"].isin(organisations)]
    return pd.DataFrame({
        "Organisatie": d["organisation"].replace({ALL: "Gemeente"}).to_numpy(),
        "Jaar": d["year"].astype(str).to_numpy(),
        "Structureel": d["structural_eur"].to_numpy(float),
        "Incidenteel": d["incidental_eur"].to_numpy(float),
        "Totaal": d["total_eur"].to_numpy(float),
        "Aandeel incidenteel": d["incidental_share"].to_numpy(float),
    })


def additional_display(add: pd.DataFrame, organisations: list[str]) -> pd.DataFrame:
    """Dutch table of additional assignments per year."""
    d = add[add["organisation"].isin(organisations)]
    out = pd.DataFrame({
        "Organisatie": d["organisation"].replace({ALL: "Gemeente"}).to_numpy(),
        "Jaar": d["year"].astype(str).to_numpy(),
        "Aantal opdrachten": d["n_assignments"].astype("int64").to_numpy(),
        "Totaal (euro)": d["total_eur"].to_numpy(float),
        "Mediane omvang (euro)": d["median_eur"].to_numpy(float),
        "Mediane looptijd (maanden)": d["median_length_months"].to_numpy(float),
        "Aandeel korter dan 12 maanden": d["share_shorter_than_12m"].to_numpy(float),
        "Uren op extra opdrachten": d["hours"].to_numpy(float),
        "Uren per opdracht": d["hours_per_assignment"].to_numpy(float),
    })
    if "hours_unlinked" in d:
        out["Uren zonder opdrachtnummer"] = d["hours_unlinked"].to_numpy(float)
    return out


def additional_text(add: pd.DataFrame, organisation: str) -> str:
    """Dutch sentence on the additional assignments (first vs last year)."""
    d = add[add["organisation"] == organisation].sort_values("year")
    if d.empty:
        return ""
    a, b = d.iloc[0], d.iloc[-1]
    return (f"Voor {_who(organisation)}: in {int(a['year'])} {int(a['n_assignments'])} extra "
            f"opdrachten, in {int(b['year'])} {int(b['n_assignments'])}; de mediane looptijd "
            f"was {_num(b['median_length_months'], 0)} maanden in {int(b['year'])}, en "
            f"{_pct(b['share_shorter_than_12m'], 0)} liep korter dan een jaar. Medewerkers "
            f"schreven er in {int(b['year'])} {_num(b['hours'], 0)} uur op. Korte opdrachten "
            "met incidenteel geld vragen steeds opnieuw om werving, inwerken en verantwoording.")


def reservation_display(res: pd.DataFrame) -> pd.DataFrame:
    """Dutch table of the proposed flexible reservation."""
    return pd.DataFrame({
        "Organisatie": res["organisation"].replace({ALL: "Gemeente"}).to_numpy(),
        "Jaren": res["n_years"].astype("int64").to_numpy(),
        "Gemiddeld incidenteel per jaar": res["mean_incidental_eur"].to_numpy(float),
        "Hoogste jaar": res["max_incidental_eur"].to_numpy(float),
        "Voorgestelde reservering": res["reservation_eur"].to_numpy(float),
        "Interval (bootstrap)": [f"{_num(lo, 0)}–{_num(hi, 0)}" for lo, hi in
                                 zip(res["reservation_low"], res["reservation_high"],
                                     strict=True)],
        "Als deel van structureel": res["reservation_share_of_structural"].to_numpy(float),
    })


def recovery_for(hist: History, seed: int = 0) -> pd.DataFrame:
    """Parameter recovery at the size and rates of the calibrated organisations.

    Each organisation gets as many positions as it employs today (at least
    20), its calibrated outflow rate and months to fill as the truth (0.11
    and 3 months when not estimable).
    """
    pos, rate, fill = {}, {}, {}
    for org, st in hist.calibration.starts.items():
        v = hist.calibration.values.get(org, {})
        pos[org] = max(int(st.persons), 20)
        r = v.get("outflow_rate", math.nan)
        rate[org] = float(r) if np.isfinite(r) and r > 0 else 0.11
        m = v.get("months_to_fill", math.nan)
        fill[org] = float(m) if np.isfinite(m) and m > 0 else 3.0
    return parameter_recovery(pos, rate, fill, seed=seed)


def recovery_display(rec: pd.DataFrame) -> pd.DataFrame:
    """Dutch table of a parameter-recovery result."""
    names = {"outflow_rate": "Uitstroom per jaar", "months_to_fill": "Maanden tot vervulling",
             "median_tenure_years": "Mediane verblijfsduur (jaren)"}
    rows = []
    for _, r in rec.iterrows():
        pct = r["parameter"] == "outflow_rate"
        f = _pct if pct else _num
        rows.append({"Organisatie": r["organisation"], "Parameter": names[r["parameter"]],
                     "Ware waarde": f(r["truth"]), "Schatting": f(r["estimate"]),
                     "95%-interval": f"{f(r['low'])}–{f(r['high'])}",
                     "Binnen interval": "ja" if r["covered"] else "nee"})
    return pd.DataFrame(rows)


def backtest_display(bt: BacktestResult, organisations: list[str]) -> pd.DataFrame:
    """Dutch table of back-test errors."""
    e = bt.errors[bt.errors["organisation"].isin(organisations)]
    return pd.DataFrame({
        "Organisatie": e["organisation"].replace({ALL: "Gemeente"}).to_numpy(),
        "Gem. afwijking bezetting": e["headcount_mape"].to_numpy(float),
        "Maanden binnen band": e["headcount_band_coverage"].to_numpy(float),
        "Afwijking laatste maand (personen)": e["last_month_error"].to_numpy(float),
        "Gem. afwijking uitstroom (punt)": e["outflow_mean_abs_error"].to_numpy(float),
        "Jaren met vertrek binnen band": [f"{_pct(v, 0)}" for v in e["leavers_in_band"]],
    })


def backtest_text(bt: BacktestResult, organisation: str, until: int) -> str:
    """Dutch summary of a back-test for one organisation (or the city)."""
    e = bt.errors.set_index("organisation")
    if organisation not in e.index:
        return ""
    r = e.loc[organisation]
    y = bt.yearly[bt.yearly["organisation"] == organisation]
    parts = [f"Gekalibreerd op de jaren tot en met {until} voorspelde het model de bezetting "
             f"van {_who(organisation)} met een gemiddelde afwijking van "
             f"{_pct(r['headcount_mape'])}; {_pct(r['headcount_band_coverage'], 0)} van de "
             "maanden lag binnen de 10–90%-band."]
    for _, row in y.iterrows():
        obs, p10, p50, p90 = (row["leavers_observed"], row["leavers_p10"], row["leavers_p50"],
                              row["leavers_p90"])
        where = ("hoger dan de band" if obs > p90 else "lager dan de band" if obs < p10
                 else "binnen de band")
        period = f"{int(row['year'])}" + ("" if row["months"] == 12 else
                                          f" (eerste {int(row['months'])} maanden)")
        obs_txt = "<5" if np.isfinite(obs) and obs < 5 else _num(obs, 0)
        parts.append(f"Vertrekkers {period}: werkelijk {obs_txt}, voorspeld "
                     f"{_num(p50, 0)} (10–90%: {_num(p10, 0)}–{_num(p90, 0)}), {where}.")
    if (y["leavers_observed"] > y["leavers_p90"]).any():
        parts.append("**Het aantal vertrekkers lag boven wat de eerdere jaren voorspelden:** "
                     "het verloop lijkt toe te nemen. Dan onderschat een gemiddelde over de "
                     "afgelopen jaren de komende jaren; kijk daarom ook naar het scenario "
                     "‘hoog verloop’.")
    return " ".join(parts)
