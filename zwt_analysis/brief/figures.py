"""The key figures of the council brief: latest usable value, margin, a year earlier, direction.

Pure functions over the long indicator table (contract section 4). Only the
city's rows (organisation and team ``ALL``) are shown. A figure's value is
its latest *usable* period (:mod:`zwt_analysis.methods.windows`: not warm-up,
not provisional, not partial), so a censored latest quarter never reaches
the brief. Counts of fewer than 5 persons are never shown: a share whose
numerator or complement counts 1-4 is suppressed, and so is a share of hours
with fewer than 5 employees behind it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.methods.intervals import (
    korn_graubard_share,
    poisson_rate_interval,
    quasi_poisson_dispersion,
)
from zwt_analysis.methods.trend import VERDICT_SHORT
from zwt_analysis.methods.windows import USABLE, mark_periods
from zwt_analysis.periods import is_quarter
from zwt_analysis.stats import wilson_interval

#: Counts from 1 up to this value (inclusive) are never shown (data contract, section 3).
SMALL = 4
INTERVALS = ("wilson", "korn_graubard", "poisson", "none")


@dataclass(frozen=True)
class FigureRow:
    """One line of a key figure (a figure with several laws has several rows).

    Values are fractions for shares and rates, cases per FTE for the caseload.
    ``value`` is None when nothing may be shown (no usable period, or
    suppressed: then ``suppressed`` is True). ``low``/``high``: the 95%
    margin of ``value`` (None for a full count, ``interval == "none"``).
    ``slope``, ``slope_low``, ``slope_high``: the trend per year with its
    interval (None when not testable); ``verdict`` is the Dutch verdict of
    :mod:`zwt_analysis.methods.trend`; ``since``: first year of the series.
    """

    indicator_id: str
    label: str
    interval: str
    period: str | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    previous_period: str | None = None
    previous: float | None = None
    verdict: str = VERDICT_SHORT
    slope: float | None = None
    slope_low: float | None = None
    slope_high: float | None = None
    since: int | None = None
    higher_is_better: bool | None = None
    suppressed: bool = False
    excluded: list[str] = field(default_factory=list)  # later periods left out (provisional...)
    short: str = ""  # how a summary sentence names the row ("de caseload")


@dataclass(frozen=True)
class KeyFigure:
    """A key figure: its label, a short explanation and one or more rows."""

    key: str
    label: str
    explain: str
    rows: list[FigureRow]
    short: str = ""  # names several of its rows at once in a summary ("de wettelijke termijnen")


def small_count(n: float | None) -> bool:
    """True for a count of 1 to 4 (to be suppressed); 0 and missing are not small."""
    return n is not None and not math.isnan(float(n)) and 0 < round(float(n)) <= SMALL


def share_suppressed(numerator: float, denominator: float) -> bool:
    """True when the numerator or its complement (denominator - numerator) counts 1 to 4."""
    return small_count(numerator) or small_count(denominator - numerator)


def year_before(period: str) -> str:
    """The same quarter a year earlier, or the previous year: ``2026-Q2`` -> ``2025-Q2``."""
    if is_quarter(period):
        return f"{int(period[:4]) - 1:04d}{period[4:]}"
    return str(int(period) - 1)


def city_rows(indicators: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """The city's rows of one indicator (organisation and team ``ALL``), by period."""
    ind = indicators
    mask = ((ind["indicator_id"].astype(str) == indicator_id)
            & (ind["organisation"].astype(str) == ALL) & (ind["team"].astype(str) == ALL))
    return ind.loc[mask].assign(period=lambda d: d["period"].astype(str)).sort_values("period")


def _margin(kind: str, row: pd.Series, hours: tuple[Any, Any] | None,
            dispersion: float) -> tuple[float | None, float | None, bool]:
    """(low, high, suppressed) of one usable row for interval ``kind``."""
    num, den = float(row["numerator"]), float(row["denominator"])
    if kind == "wilson":
        if share_suppressed(num, den):
            return None, None, True
        low, high = wilson_interval(num, den)
        return float(low), float(high), False
    if kind == "korn_graubard":
        if hours is None:
            return None, None, False
        kg = korn_graubard_share(*hours)
        if kg["persons"] < SMALL + 1:  # fewer than 5 employees behind the share
            return None, None, True
        return kg["ci_low"], kg["ci_high"], False
    if kind == "poisson":
        if share_suppressed(num, den):  # leavers and stayers are persons
            return None, None, True
        _, low, high = poisson_rate_interval(num, den, dispersion=dispersion)
        return low, high, False
    return None, None, False


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def figure_row(indicator_id: str, label: str, interval: str, marked: pd.DataFrame,
               verdict: Mapping[str, Any] | None = None,
               hours: tuple[Any, Any] | None = None, dispersion: float = 1.0,
               higher_is_better: bool | None = None) -> FigureRow:
    """One row from the city's marked rows of an indicator (see :func:`key_figures`).

    Args:
        marked: the city rows with ``status`` (:func:`~zwt_analysis.methods.windows.mark_periods`).
        verdict: the series' row of the trend family (``verdict``, ``slope_per_year``,
            ``ci_low``, ``ci_high``), or None.
        hours: per-employee (numerator, total) hours of the latest usable period
            (``korn_graubard`` only).
        dispersion: quasi-Poisson dispersion (``poisson`` only).
    """
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}; one of {INTERVALS}")
    out = FigureRow(indicator_id, label, interval, higher_is_better=higher_is_better)
    if verdict is not None:
        out = replace(out, verdict=str(verdict["verdict"]), slope=_num(verdict["slope_per_year"]),
                      slope_low=_num(verdict["ci_low"]), slope_high=_num(verdict["ci_high"]))
    usable = marked.loc[marked["status"] == USABLE]
    if usable.empty:
        return out
    last = usable.iloc[-1]
    period = str(last["period"])
    low, high, hidden = _margin(interval, last, hours, dispersion)
    later = marked.loc[marked["period"] > period, "period"].astype(str).tolist()
    prev_period = year_before(period)
    prev = usable.loc[usable["period"] == prev_period]
    prev_value = None
    if len(prev) and not (interval in ("wilson", "poisson") and share_suppressed(
            float(prev["numerator"].iloc[0]), float(prev["denominator"].iloc[0]))):
        prev_value = float(prev["value"].iloc[0])
    return replace(out, period=period, value=None if hidden else float(last["value"]),
                   low=low, high=high, suppressed=hidden, excluded=later,
                   previous_period=prev_period if prev_value is not None else None,
                   previous=prev_value, since=int(str(usable["period"].iloc[0])[:4]))


def person_hours(hours: pd.DataFrame, period: str, numerator_activities: tuple[str, ...],
                 denominator_activities: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per employee, the numerator and denominator hours of a quarter (city-wide).

    Args:
        hours: ``time_registrations`` rows with ``employee_id, date, activity, hours``.
        period: ``YYYY-Qn``.

    Returns:
        Two arrays, one value per employee with hours in the denominator activities.
    """
    from zwt_analysis.periods import quarter_end, quarter_start

    start, end = pd.Timestamp(quarter_start(period)), pd.Timestamp(quarter_end(period))
    d = hours.loc[(hours["date"] >= start) & (hours["date"] <= end)
                  & hours["activity"].isin(list(denominator_activities))]
    h = d["hours"].fillna(0.0).astype("float64")
    per = pd.DataFrame({"employee_id": d["employee_id"].to_numpy(), "total": h.to_numpy(),
                        "num": np.where(d["activity"].isin(list(numerator_activities)), h, 0.0)})
    g = per.groupby("employee_id", sort=True)[["num", "total"]].sum()
    return g["num"].to_numpy(), g["total"].to_numpy()


def outflow_dispersion(indicators: pd.DataFrame, indicator_id: str, as_of: date,
                       data_start: date) -> float:
    """Quasi-Poisson dispersion of a yearly rate over the organisation-years (usable years)."""
    ind = indicators
    orgs = ind.loc[(ind["indicator_id"].astype(str) == indicator_id)
                   & (ind["organisation"].astype(str) != ALL) & (ind["team"].astype(str) == ALL)]
    if orgs.empty:
        return 1.0
    orgs = mark_periods(orgs, as_of, data_start)
    orgs = orgs.loc[orgs["status"] == USABLE]
    if len(orgs) < 2:
        return 1.0
    return quasi_poisson_dispersion(orgs["numerator"], orgs["denominator"], orgs["organisation"])
