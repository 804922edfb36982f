"""Calibrate the workforce scenario model from staff history: vacancies, tenure, base stock.

Everything here reads the processed ``staff`` table (one row per employment
spell, contract section 1) and returns small frames with an estimate and its
95% interval per organisation (and the city, ``organisation = "ALL"``). The
outflow itself is in :mod:`.outflow` (episodes, yearly outflow) and
:mod:`.hazards` (the hazard model).

- :func:`yearly_turnover` — the catalogue indicators ``staff_outflow_rate`` /
  ``staff_inflow_rate`` per year (for comparison: they count a renewed
  contract as a leaver, the workforce model does not);
- :func:`vacancy_fill_times` — months from a leaver's last day to the next
  newcomer's start in the same organisation and team (first-in-first-out
  matching), with censoring at as-of and an exponential-model interval.
- :func:`tenure` — Kaplan-Meier median completed tenure with left truncation
  (delayed entry) and right censoring, Greenwood log-log interval.
- :func:`base_state` — the stock on a reference day (persons, FTE) that a
  simulation starts from.

Units: rates per person-year (≈ per year), times in months (30.4375 days).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from zwt_analysis.contract import ALL
from zwt_analysis.indicators import staff_inflow_rate, staff_outflow_rate

DAYS_PER_MONTH = 365.25 / 12


# ----------------------------------------------------------------- helpers

def _ts(d: date | pd.Timestamp | str) -> pd.Timestamp:
    return pd.Timestamp(d).normalize()


def exponential_mean_interval(events: int, exposure: float, alpha: float = 0.05
                              ) -> tuple[float, float]:
    """Exact interval for the mean of an exponential waiting time with censoring.

    With ``events`` completed waits and ``exposure`` total waiting time
    (completed plus censored), the MLE of the mean is ``exposure / events`` and
    ``2 * exposure / mean`` is chi-square with ``2 * events`` degrees of freedom.
    Zero events give (nan, nan).
    """
    if events <= 0 or exposure <= 0:
        return (math.nan, math.nan)
    low = 2 * exposure / stats.chi2.ppf(1 - alpha / 2, 2 * events)
    high = 2 * exposure / stats.chi2.ppf(alpha / 2, 2 * events)
    return (float(low), float(high))


# ----------------------------------------------------------------- turnover

def yearly_turnover(staff: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Yearly outflow and inflow per organisation and city, from the catalogue indicators.

    Returns:
        Columns ``organisation, year, stock_jan1, leavers, newcomers,
        outflow_rate, inflow_rate``; one row per organisation-year (and
        ``organisation = "ALL"``) that the indicators report. The last year
        may be partial (up to ``as_of``); column ``full_year`` says which.
    """
    frames = []
    for indicator, ind, num_col, rate_col in (
            (staff_outflow_rate, "staff_outflow_rate", "leavers", "outflow_rate"),
            (staff_inflow_rate, "staff_inflow_rate", "newcomers", "inflow_rate")):
        df = indicator(staff, as_of)
        df = df[(df["team"] == ALL) & (df["indicator_id"] == ind)] if "indicator_id" in df \
            else df[df["team"] == ALL]
        df = pd.DataFrame({
            "organisation": df["organisation"].astype("string").to_numpy(),
            "year": df["period"].astype(str).str[:4].astype(int).to_numpy(),
            "stock_jan1": df["denominator"].astype(float).to_numpy(),
            num_col: df["numerator"].astype(float).to_numpy(),
            rate_col: df["value"].astype(float).to_numpy(),
        })
        frames.append(df)
    out = frames[0].merge(frames[1], on=["organisation", "year", "stock_jan1"], how="outer")
    as_of_ts = _ts(as_of)
    out["full_year"] = (out["year"] < as_of_ts.year) | (
        (out["year"] == as_of_ts.year) & (as_of_ts.month == 12) & (as_of_ts.day == 31))
    return out.sort_values(["organisation", "year"]).reset_index(drop=True)


# ----------------------------------------------------------------- spells

def _org_spells(staff: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Spells with planned ends after as-of treated as open (end = NaT)."""
    s = staff[["employee_id", "organisation", "team", "fte", "start_date", "end_date",
               "end_reason"]].copy()
    a = _ts(as_of)
    s = s[s["start_date"] <= a]
    s["end_date"] = s["end_date"].where(s["end_date"] <= a)
    return s.reset_index(drop=True)


def _employed_on(spells: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return (spells["start_date"] <= day) & (spells["end_date"].isna() | (spells["end_date"] >= day))


def _continues(spells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Flags per spell: (followed by a spell of the same person at the same
    organisation starting on or before the day after its end,
    preceded by a spell of the same person at the same organisation covering
    the day before its start)."""
    n = len(spells)
    followed = np.zeros(n, dtype=bool)
    preceded = np.zeros(n, dtype=bool)
    key = spells["employee_id"].astype(str) + "\x00" + spells["organisation"].astype(str)
    for _, idx in spells.groupby(key, sort=False).groups.items():
        if len(idx) < 2:
            continue
        g = spells.loc[idx]
        st = g["start_date"].to_numpy()
        en = g["end_date"].fillna(pd.Timestamp.max).to_numpy()
        one = np.timedelta64(1, "D")
        for k, i in enumerate(idx):
            others = np.arange(len(idx)) != k
            # another spell covering the day after this one ends
            if not pd.isna(g["end_date"].iloc[k]):
                nxt = en[k] + one
                followed[spells.index.get_loc(i)] = bool(
                    np.any(others & (st <= nxt) & (en >= nxt)))
            prv = st[k] - one
            preceded[spells.index.get_loc(i)] = bool(np.any(others & (st <= prv) & (en >= prv)))
    return followed, preceded


def vacancy_fill_events(staff: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Match leavers to the next newcomer in the same organisation and team.

    A *leaver* is a spell ending on or before ``as_of`` whose person is not
    employed at the same organisation the day after (so contract renewals and
    internal transfers are not leavers). A *newcomer* is a spell whose person
    was not employed at the same organisation the day before. Within each
    organisation-team, leavers in order of end date take the earliest
    not-yet-used newcomer starting after their last day (first in, first out).

    Returns:
        One row per leaver: ``organisation, team, end_date, fill_date`` (NaT if
        not filled by as-of), ``months`` (vacant days / 30.4375; censored
        waits run to as-of), ``filled`` (bool).

    Caveat: hiring is not labelled as replacement, so a newcomer who was hired
    for growth counts as a fill and a leaver who was never replaced stays
    censored; replacement hired before the leaver left is matched to the next
    newcomer instead (the measure reads "vacant time", not "recruitment time").
    """
    s = _org_spells(staff, as_of)
    a = _ts(as_of)
    followed, preceded = _continues(s)
    leavers = s[s["end_date"].notna() & ~followed]
    newcomers = s[~preceded]
    rows = []
    for (org, team), lv in leavers.groupby(["organisation", "team"], sort=True):
        nc = newcomers[(newcomers["organisation"] == org) & (newcomers["team"] == team)]
        starts = sorted(nc["start_date"].tolist())
        used = [False] * len(starts)
        for end in sorted(lv["end_date"].tolist()):
            fill = pd.NaT
            for j, st in enumerate(starts):
                if not used[j] and st > end:
                    used[j] = True
                    fill = st
                    break
            stop = fill if not pd.isna(fill) else a + pd.Timedelta(days=1)
            vacant_days = max((stop - end).days - 1, 0)
            rows.append({"organisation": org, "team": team, "end_date": end,
                         "fill_date": fill, "months": vacant_days / DAYS_PER_MONTH,
                         "filled": not pd.isna(fill)})
    out = pd.DataFrame(rows, columns=["organisation", "team", "end_date", "fill_date",
                                      "months", "filled"])
    out["filled"] = out["filled"].astype(bool)
    return out


def vacancy_fill_times(staff: pd.DataFrame, as_of: date, alpha: float = 0.05) -> pd.DataFrame:
    """Mean months to fill a vacancy per organisation and city, with interval.

    Exponential model with censoring (see :func:`vacancy_fill_events`):
    mean = total vacant months (filled + still open at as-of) / fills, exact
    chi-square interval. Also the median of completed waits (descriptive;
    biased low because long waits are more often still open).

    Returns:
        ``organisation, leavers, filled, open, vacant_months, mean_months,
        mean_low, mean_high, median_filled_months``.
    """
    ev = vacancy_fill_events(staff, as_of)
    groups = [(org, g) for org, g in ev.groupby("organisation", sort=True)]
    groups.append((ALL, ev))
    rows = []
    for org, g in groups:
        n_fill = int(g["filled"].sum())
        expo = float(g["months"].sum())
        lo, hi = exponential_mean_interval(n_fill, expo, alpha)
        rows.append({
            "organisation": org,
            "leavers": len(g),
            "filled": n_fill,
            "open": int((~g["filled"]).sum()),
            "vacant_months": expo,
            "mean_months": expo / n_fill if n_fill else math.nan,
            "mean_low": lo,
            "mean_high": hi,
            "median_filled_months": float(g.loc[g["filled"], "months"].median())
            if n_fill else math.nan,
        })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- tenure

def tenure_spells(staff: pd.DataFrame, as_of: date, observed_from: date | None = None
                  ) -> pd.DataFrame:
    """Employment at one organisation as (entry, exit, event) in years of tenure.

    Consecutive spells of a person at the same organisation (next start on or
    before the day after the previous end) are merged. Tenure runs from the
    first start to the last day (+1 day). ``event`` is True when the merged
    spell ended on or before ``as_of``; open spells are censored at as-of.
    ``entry`` is the tenure at ``observed_from`` for spells that started before
    it (left truncation: people who left before then are not in the export).

    ``observed_from`` defaults to 1 January of the year of the earliest end
    date in the export (or the earliest start when nobody has left).
    """
    s = _org_spells(staff, as_of)
    a = _ts(as_of)
    if observed_from is None:
        first = s["end_date"].min()
        if pd.isna(first):
            first = s["start_date"].min()
        obs = pd.Timestamp(year=first.year, month=1, day=1) if not pd.isna(first) else a
    else:
        obs = _ts(observed_from)
    s = s.sort_values(["employee_id", "organisation", "start_date"])
    rows = []
    for (_emp, org), g in s.groupby(["employee_id", "organisation"], sort=False):
        cur_start, cur_end = None, None
        for st, en in zip(g["start_date"], g["end_date"], strict=True):
            if cur_start is None:
                cur_start, cur_end = st, en
            elif pd.isna(cur_end) or st <= cur_end + pd.Timedelta(days=1):
                cur_end = pd.NaT if (pd.isna(cur_end) or pd.isna(en)) else max(cur_end, en)
            else:
                rows.append((org, cur_start, cur_end))
                cur_start, cur_end = st, en
        rows.append((org, cur_start, cur_end))
    df = pd.DataFrame(rows, columns=["organisation", "start", "end"])
    event = df["end"].notna()
    stop = df["end"].where(event, a) + pd.Timedelta(days=1)
    df["duration"] = (stop - df["start"]).dt.days / 365.25
    df["entry"] = ((obs - df["start"]).dt.days / 365.25).clip(lower=0)
    df["event"] = event.to_numpy()
    # spells that ended before the observation window cannot be in the risk set
    return df[(df["duration"] > df["entry"])].reset_index(drop=True)


def kaplan_meier(duration: np.ndarray, event: np.ndarray, entry: np.ndarray | None = None,
                 alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier survival with delayed entry and Greenwood log-log bands.

    Args:
        duration: time of exit or censoring (same unit as entry), > entry.
        event: True when the exit was observed, False when censored.
        entry: time of entry into the risk set (0 if None).

    Returns:
        One row per distinct event time: ``time, at_risk, events, survival,
        low, high``.
    """
    duration = np.asarray(duration, dtype=float)
    event = np.asarray(event, dtype=bool)
    entry = np.zeros_like(duration) if entry is None else np.asarray(entry, dtype=float)
    times = np.unique(duration[event])
    surv, var_sum = 1.0, 0.0
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for t in times:
        at_risk = int(np.sum((entry < t) & (duration >= t)))
        d = int(np.sum((duration == t) & event))
        if at_risk == 0:
            continue
        surv *= 1 - d / at_risk
        if at_risk > d:
            var_sum += d / (at_risk * (at_risk - d))
        if 0 < surv < 1 and var_sum > 0:
            se = math.sqrt(var_sum) / abs(math.log(surv))
            lo = surv ** math.exp(z * se)
            hi = surv ** math.exp(-z * se)
        else:
            lo, hi = (surv, surv) if surv in (0.0, 1.0) else (math.nan, math.nan)
        rows.append((t, at_risk, d, surv, lo, hi))
    return pd.DataFrame(rows, columns=["time", "at_risk", "events", "survival", "low", "high"])


def km_median(curve: pd.DataFrame) -> tuple[float, float, float]:
    """Median survival time and its interval from a :func:`kaplan_meier` curve.

    The median is the first time the survival is <= 0.5; the interval ends are
    the first times the upper and lower bands are <= 0.5 (Brookmeyer-Crowley
    style). Not reached -> nan.
    """
    def first_at_or_below(col: str) -> float:
        hit = curve.loc[curve[col] <= 0.5, "time"]
        return float(hit.iloc[0]) if len(hit) else math.nan

    return first_at_or_below("survival"), first_at_or_below("low"), first_at_or_below("high")


def tenure(staff: pd.DataFrame, as_of: date, observed_from: date | None = None,
           alpha: float = 0.05) -> pd.DataFrame:
    """Median tenure (years) per organisation and city, Kaplan-Meier.

    Returns:
        ``organisation, persons, ended, censored, median_years, median_low,
        median_high, mean_completed_years`` — the last is the plain mean of
        completed tenures (biased low: long tenures are more often still
        running); a median that is not reached in the data is nan.
    """
    sp = tenure_spells(staff, as_of, observed_from)
    groups = [(org, g) for org, g in sp.groupby("organisation", sort=True)]
    groups.append((ALL, sp))
    rows = []
    for org, g in groups:
        curve = kaplan_meier(g["duration"].to_numpy(), g["event"].to_numpy(),
                             g["entry"].to_numpy(), alpha)
        med, lo, hi = km_median(curve) if len(curve) else (math.nan,) * 3
        rows.append({
            "organisation": org,
            "persons": len(g),
            "ended": int(g["event"].sum()),
            "censored": int((~g["event"]).sum()),
            "median_years": med,
            "median_low": lo,
            "median_high": hi,
            "mean_completed_years": float(g.loc[g["event"], "duration"].mean())
            if g["event"].any() else math.nan,
        })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- base state

@dataclass(frozen=True)
class BaseState:
    """The stock an organisation starts a simulation with."""

    organisation: str
    day: pd.Timestamp
    persons: int
    fte: float
    budgeted_fte: float

    @property
    def fte_per_person(self) -> float:
        return self.fte / self.persons if self.persons else 0.8


def base_state(staff: pd.DataFrame, formation: pd.DataFrame, day: date,
               as_of: date | None = None) -> dict[str, BaseState]:
    """Persons and FTE employed on ``day`` and the budgeted formation that year.

    A spell counts on ``day`` when ``start_date <= day <= end_date`` (empty end
    = employed; ends after ``as_of`` count as employed). The formation is the
    ``budgeted_fte`` of ``day``'s year, else the latest earlier year, else the
    employed FTE (no formation delivered).
    """
    d = _ts(day)
    s = _org_spells(staff, as_of if as_of is not None else max(d.date(), day))
    emp = s[_employed_on(s, d)]
    out: dict[str, BaseState] = {}
    for org in sorted(s["organisation"].dropna().unique()):
        e = emp[emp["organisation"] == org]
        persons = int(e["employee_id"].nunique())
        fte = float(e["fte"].sum())
        f = formation[(formation["organisation"] == org) & (formation["year"] <= d.year)]
        budget = float(f.sort_values("year")["budgeted_fte"].iloc[-1]) if len(f) else fte
        out[str(org)] = BaseState(str(org), d, persons, fte, budget)
    return out
