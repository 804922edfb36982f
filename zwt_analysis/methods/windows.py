"""Which periods of a series may enter a trend: warm-up, censoring and partial years.

Three reasons keep a period out of trend tests and out of comparisons with
other periods; each gives the period a status (code, Dutch label):

- ``warmup`` ("opstart"): the period's history is incomplete because the
  data start shortly before it. Re-registration of a case closed in a
  quarter is only representative when the cases that could close then
  (reported up to a year earlier) are in the data; the caseload on a
  quarter's last day misses every case opened before the data start and
  still open. Rule: usable once ``lookback_days`` of history before the
  period's anchor day (its first day for event-dated indicators, its last
  day for stocks) lie inside the data (``methods.yaml``, ``windows.warmup``).
- ``provisional`` ("voorlopig"): the period is still censored on the as-of
  date. A deadline cohort (cases by the quarter of their start event) is
  final only once the limit has passed for every case in it (as-of at least
  ``limit + 1`` days after the quarter's last day: on the limit day itself a
  missing event is pending, from the next day late); a re-registration
  quarter once 365 days have passed after its last day.
- ``partial`` ("onvolledig"): the period is not wholly inside the data (a
  year or quarter that has not ended on the as-of date, or began before the
  data start). A partial year is never compared with full years.

Periods are ``YYYY-Qn`` or ``YYYY`` labels (:mod:`zwt_analysis.periods`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.methods._config import section
from zwt_analysis.periods import is_quarter, quarter_end, quarter_start, year_of

USABLE, WARMUP, PROVISIONAL, PARTIAL = "usable", "warmup", "provisional", "partial"

#: Dutch labels of the statuses, for tables and figure notes.
STATUS_LABELS: dict[str, str] = {
    USABLE: "bruikbaar",
    WARMUP: "opstart",
    PROVISIONAL: "voorlopig",
    PARTIAL: "onvolledig",
}


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-Qn`` or ``YYYY`` period (ValueError otherwise)."""
    if is_quarter(period):
        return quarter_start(period), quarter_end(period)
    text = str(period)
    if len(text) == 4 and text.isdigit():
        return date(int(text), 1, 1), date(int(text), 12, 31)
    raise ValueError(f"not a period label (YYYY-Qn or YYYY): {period!r}")


def is_warmup(period: str, data_start: date, lookback_days: int, anchor: str = "start") -> bool:
    """True when fewer than ``lookback_days`` of history precede the period's anchor day.

    Args:
        period: ``YYYY-Qn`` or ``YYYY``.
        data_start: first day covered by the data.
        lookback_days: history the indicator needs (0 = never warm-up).
        anchor: ``"start"`` (first day of the period) or ``"end"`` (last day).

    Example: re-registration (anchor start, 365 days) with data from
    2019-01-01: 2019-Q4 is warm-up, 2020-Q1 is not.
    """
    if anchor not in ("start", "end"):
        raise ValueError(f"anchor must be 'start' or 'end', got {anchor!r}")
    first, last = period_bounds(period)
    day = first if anchor == "start" else last
    return day - timedelta(days=int(lookback_days)) < data_start


def is_provisional(period: str, as_of: date, final_after_days: int) -> bool:
    """True when fewer than ``final_after_days`` days have passed after the period's end.

    A period is final when ``as_of >= last day + final_after_days``. For a
    deadline cohort pass ``limit + 1`` (see :func:`final_after_days`).
    """
    _, last = period_bounds(period)
    return as_of < last + timedelta(days=int(final_after_days))


def is_partial(period: str, as_of: date, data_start: date | None = None) -> bool:
    """True when the period ends after ``as_of`` or starts before ``data_start``."""
    first, last = period_bounds(period)
    return last > as_of or (data_start is not None and first < data_start)


def final_after_days(indicator_id: str, deadline_limits: Mapping[str, int] | None = None) -> int:
    """Days after a period's end before its value is final (0 = final at once).

    Deadline indicators: their limit + 1 (``deadline_limits`` maps the
    limit names of ``deadlines.yaml`` to days; None = the packaged
    defaults); others from ``methods.yaml`` (``windows.final_after_days``).
    """
    cfg = section("windows")
    limit_name = cfg["deadline_indicators"].get(indicator_id)
    if limit_name is not None:
        if deadline_limits is None:
            from zwt_analysis.config import load_yaml, resource

            deadline_limits = {k: int(v["days"]) for k, v in
                               load_yaml(resource("deadlines.yaml"))["limits"].items()}
        return int(deadline_limits[limit_name]) + 1
    return int(cfg["final_after_days"].get(indicator_id, 0))


def period_status(periods: Iterable[str], indicator_id: str, as_of: date, data_start: date,
                  deadline_limits: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Status of each period of one indicator: usable, warmup, provisional or partial.

    The first rule that applies wins, in the order partial, warmup,
    provisional. Warm-up settings per indicator come from ``methods.yaml``
    (``windows.warmup``; indicators without one have no warm-up).

    Args:
        periods: period labels (duplicates are reported once).
        indicator_id: the catalogue id (decides the rules).
        as_of: reference date of the data.
        data_start: first day covered by the data.
        deadline_limits: override of the deadline limits (days per limit name).

    Returns:
        ``period, status, label, reason`` (``label`` Dutch, ``reason`` a Dutch
        phrase for a note, empty when usable), in the order given.
    """
    warm = section("windows")["warmup"].get(indicator_id)
    after = final_after_days(indicator_id, deadline_limits)
    rows = []
    for p in dict.fromkeys(str(x) for x in periods):
        if is_partial(p, as_of, data_start):
            status, reason = PARTIAL, "periode valt niet geheel binnen de gegevens"
        elif warm and is_warmup(p, data_start, warm["lookback_days"], warm["anchor"]):
            status = WARMUP
            reason = (f"minder dan {warm['lookback_days']} dagen gegevens vóór deze periode "
                      "(opstart van de registratie)")
        elif after and is_provisional(p, as_of, after):
            status = PROVISIONAL
            reason = f"nog geen {after} dagen na het einde van de periode verstreken"
        else:
            status, reason = USABLE, ""
        rows.append({"period": p, "status": status, "label": STATUS_LABELS[status],
                     "reason": reason})
    return pd.DataFrame(rows, columns=["period", "status", "label", "reason"])


def mark_periods(indicators: pd.DataFrame, as_of: date, data_start: date,
                 deadline_limits: Mapping[str, int] | None = None) -> pd.DataFrame:
    """The long indicator table with ``status``, ``status_label`` and ``status_reason`` added.

    Args:
        indicators: long table with at least ``indicator_id`` and ``period``.
        as_of, data_start, deadline_limits: see :func:`period_status`.

    Returns:
        A copy with the three columns; rows keep their order. Trend tests
        should use only rows with ``status == "usable"``.
    """
    out = indicators.copy()
    parts = []
    for ind, g in out.groupby("indicator_id", sort=False):
        st = period_status(g["period"].astype(str).unique(), str(ind), as_of, data_start,
                           deadline_limits)
        parts.append(st.assign(indicator_id=ind))
    cols = ["indicator_id", "period", "status", "label", "reason"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    key = out[["indicator_id", "period"]].astype(str)
    merged = key.merge(table[cols].astype(str), on=["indicator_id", "period"], how="left")
    out["status"] = merged["status"].to_numpy()
    out["status_label"] = merged["label"].to_numpy()
    out["status_reason"] = merged["reason"].to_numpy()
    return out


def comparable_years(periods: Iterable[str], as_of: date, data_start: date) -> list[int]:
    """The years among ``periods`` (``YYYY`` or ``YYYY-Qn``) wholly inside the data, sorted.

    A year that has not ended on ``as_of`` (e.g. 2026 when as-of is
    2026-09-30) or began before ``data_start`` is left out: compare it only
    with the same months of other years, never with full years.
    """
    years = {year_of(str(p)) for p in periods}
    return sorted(y for y in years if not is_partial(str(y), as_of, data_start))


def history_lookback_days(durations_days: Any, coverage: float = 0.9) -> int:
    """Days of history after which ``coverage`` of the open stock is in the data.

    For a stock such as open cases the share of cases open on a day that
    were opened less than ``L`` days before is ``P(D <= L)`` weighted by
    duration (a case open on a day is picked with probability proportional
    to its length ``D``, its age is then uniform on 0..D). Returns the smallest whole ``L`` with that
    length-weighted share >= ``coverage``, from the durations (days) of
    closed cases; a guide for ``windows.warmup`` in ``methods.yaml``
    (closed cases only: long open cases are missing, so it is a lower bound).

    Raises:
        ValueError: no positive finite duration, or coverage outside (0, 1].
    """
    if not 0 < coverage <= 1:
        raise ValueError(f"coverage must lie in (0, 1], got {coverage}")
    d = np.asarray(durations_days, dtype="float64")
    d = np.sort(d[np.isfinite(d) & (d > 0)])
    if d.size == 0:
        raise ValueError("no positive durations")
    # a case of length D open on a day is picked with probability proportional to D and
    # its age then is uniform on (0, D): P(age <= L) = sum(min(D, L)) / sum(D)
    below = np.r_[0.0, np.cumsum(d)]
    grid = np.arange(0, int(np.ceil(d[-1])) + 1, dtype="float64")
    k = np.searchsorted(d, grid, side="right")
    share = (below[k] + grid * (d.size - k)) / below[-1]
    return int(grid[np.argmax(share >= coverage - 1e-12)])


def data_start(dates: Iterable[pd.Series]) -> date | None:
    """First day of the month of the earliest date in ``dates`` (None when all are empty).

    Exports cover whole months, so a first case reported on 3 January means the data start on
    1 January. The start of the observation window: warm-up quarters are counted from it; every report
    takes it from here so the same series gets the same window (and verdict) everywhere.
    """
    firsts = [pd.to_datetime(d, errors="coerce").min() for d in dates if len(d)]
    firsts = [f for f in firsts if pd.notna(f)]
    if not firsts:
        return None
    first = min(firsts)
    return date(first.year, first.month, 1)
