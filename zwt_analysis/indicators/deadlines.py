"""Deadline indicators: was the legal limit met?

The rule (data contract, sections 4 and 5), for one case and one indicator:

- start event missing (or after as-of)          -> ``outside`` (not counted)
- end event present (on or before as-of):
  ``end - start <= limit`` days                    -> ``on_time``
  otherwise                                         -> ``late``
- end event missing:
  ``as_of > start + limit``                         -> ``late``
  ``as_of <= start + limit`` (the limit day too)   -> ``pending`` (not counted)

Numerator = on_time, denominator = on_time + late. Period = quarter of the
start event. Limits are calendar days, read from
``resources/deadlines.yaml`` and overridable per municipality.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import config
from ..errors import ZwtError
from ._common import ALL_LEVELS, PERSONS, aggregate_levels, day_number, finish, quarter_label, ts

DEADLINES_FILE = "deadlines.yaml"

ON_TIME = "on_time"
LATE = "late"
PENDING = "pending"
OUTSIDE = "outside"


@dataclass(frozen=True)
class Deadline:
    """One deadline indicator: which cases, which start and end event, which limit."""

    indicator_id: str
    legal_framework: str
    start: str
    end: str
    limit_key: str


DEADLINES: dict[str, Deadline] = {
    d.indicator_id: d
    for d in (
        Deadline("wmo_assessment_on_time", "wmo", "date_report", "date_assessment_done", "wmo_assessment"),
        Deadline("wmo_decision_on_time", "wmo", "date_application", "date_decision", "wmo_decision"),
        Deadline("jeugdwet_decision_on_time", "jeugdwet", "date_application", "date_decision", "jeugdwet_decision"),
        Deadline(
            "participatiewet_decision_on_time",
            "participatiewet",
            "date_application",
            "date_decision",
            "participatiewet_decision",
        ),
        Deadline("wgs_first_contact_on_time", "wgs", "date_report", "date_first_contact", "wgs_first_contact"),
    )
}


@lru_cache(maxsize=1)
def _packaged_limits() -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    raw = config.load_yaml(config.resource(DEADLINES_FILE))
    return tuple((k, tuple(dict(v).items())) for k, v in raw["limits"].items())


def default_limit_details() -> dict[str, dict[str, Any]]:
    """The packaged defaults: limit key -> {"days": int, "legal_basis": str} (a fresh copy)."""
    return {k: dict(v) for k, v in _packaged_limits()}


def _days(key: str, value: Any, source: str) -> int:
    if isinstance(value, Mapping):
        value = value.get("days")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise ZwtError(f"{source}: limit {key!r} must be a whole number of days >= 0, got {value!r}")
    return int(value)


def load_limits(path: str | Path | None = None) -> dict[str, int]:
    """Deadline limits in calendar days: packaged defaults, overridden by ``path``.

    Args:
        path: optional YAML/JSON file with either ``{limits: {key: {days: n}}}``
            (the structure of the packaged file) or a plain ``{key: n}``.

    Returns:
        limit key (``wmo_assessment``, ``wmo_decision``, ``jeugdwet_decision``,
        ``participatiewet_decision``, ``wgs_first_contact``) -> days.

    Raises:
        ZwtError: file missing or unreadable, unknown key, or a limit that is
            not a whole number of days >= 0.
    """
    limits = {k: _days(k, v, DEADLINES_FILE) for k, v in default_limit_details().items()}
    if path is None:
        return limits
    p = Path(path)
    if not p.is_file():
        raise ZwtError(f"{p}: limits file not found")
    try:
        raw = config.load_yaml(p)
    except Exception as err:  # yaml.YAMLError, UnicodeDecodeError...
        raise ZwtError(f"{p}: cannot read limits file ({err.__class__.__name__})") from None
    if isinstance(raw, Mapping) and isinstance(raw.get("limits"), Mapping):
        raw = raw["limits"]
    if not isinstance(raw, Mapping):
        raise ZwtError(f"{p}: expected a mapping of limit name -> days")
    for key, value in raw.items():
        if key not in limits:
            raise ZwtError(f"{p}: unknown limit {key!r}; known: {', '.join(limits)}")
        limits[key] = _days(key, value, str(p))
    return limits


def resolve_limits(limits: Mapping[str, Any] | None) -> dict[str, int]:
    """The defaults with ``limits`` (key -> days or {"days": n}) laid over them."""
    base = load_limits()
    if limits:
        for key, value in limits.items():
            if key not in base:
                raise ZwtError(f"unknown limit {key!r}; known: {', '.join(base)}")
            base[key] = _days(key, value, "limits")
    return base


#: status code -> name (codes as :func:`_status_codes` gives them)
_STATUS_NAMES = np.array([OUTSIDE, ON_TIME, LATE, PENDING], dtype=object)
_OUTSIDE, _ON_TIME, _LATE, _PENDING = range(4)

#: Columns of ``cases`` every deadline indicator reads besides its start and end event.
_BASE_COLUMNS = ("organisation", "team", "legal_framework", "date_report")
#: Extra column read for persons (distinct clients).
PERSON_COLUMNS = {"cases": ("client_id",)}


def source_columns(indicator_id: str) -> dict[str, tuple[str, ...]]:
    """Columns of ``cases`` that the deadline indicator ``indicator_id`` reads."""
    d = DEADLINES[indicator_id]
    return {"cases": tuple(dict.fromkeys((*_BASE_COLUMNS, d.start, d.end)))}


def _status_codes(
    cases: pd.DataFrame, indicator_id: str, as_of: date, limits: Mapping[str, Any] | None
) -> tuple[np.ndarray, pd.Series, pd.Series, np.ndarray, np.ndarray, int]:
    """The cases of the indicator's framework and their status, as arrays.

    Returns ``(rows, start, end, elapsed, status, limit)``: ``rows`` are the
    positions in ``cases`` of the framework's cases reported on or before
    as-of; ``start`` / ``end`` their event dates (after as-of: missing);
    ``elapsed`` days (float, NaN without start); ``status`` codes
    (``_OUTSIDE, _ON_TIME, _LATE, _PENDING``).
    """
    if indicator_id not in DEADLINES:
        raise KeyError(f"not a deadline indicator: {indicator_id!r}; known: {', '.join(DEADLINES)}")
    spec = DEADLINES[indicator_id]
    limit = resolve_limits(limits)[spec.limit_key]
    day = ts(as_of)
    rows = np.flatnonzero(
        ((cases["legal_framework"] == spec.legal_framework).fillna(False)
         & (pd.to_datetime(cases["date_report"]) <= day).fillna(False)).to_numpy(dtype=bool)
    )
    start = pd.to_datetime(cases[spec.start].iloc[rows])
    end = pd.to_datetime(cases[spec.end].iloc[rows])
    start = start.where(start <= day)
    end = end.where(end <= day)
    s = day_number(start)
    e = day_number(end)
    a = float((day - pd.Timestamp("1970-01-01")).days)
    has_start = ~np.isnan(s)
    has_end = ~np.isnan(e)
    elapsed = np.where(has_end, e - s, a - s)
    status = np.select(
        [
            ~has_start,
            has_end & (elapsed <= limit),
            has_end,
            a > s + limit,
        ],
        [_OUTSIDE, _ON_TIME, _LATE, _LATE],
        default=_PENDING,
    )
    return rows, start, end, np.where(has_start, elapsed, np.nan), status, limit


def deadline_status(
    cases: pd.DataFrame,
    indicator_id: str,
    as_of: date,
    limits: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Status of each case of the indicator's legal framework on ``as_of``.

    Args:
        cases: processed ``cases``.
        indicator_id: one of :data:`DEADLINES` (e.g. ``wmo_decision_on_time``).
        as_of: reference date; event dates after it count as missing.
        limits: limit key -> days overriding the defaults (``None``: defaults).

    Returns:
        One row per case of that legal framework (reported on or before
        as-of) with ``case_id, client_id, organisation, team, period, start,
        end, limit_days, days_elapsed, status``. ``days_elapsed`` is
        ``end - start`` when the end event is there, else ``as_of - start``;
        missing for ``outside``. ``period`` is the quarter of ``start``.
    """
    rows, start, end, elapsed, status, limit = _status_codes(cases, indicator_id, as_of, limits)
    c = cases.iloc[rows]
    elapsed_col = pd.array(elapsed, dtype="Float64")
    return pd.DataFrame(
        {
            "case_id": c["case_id"].astype("string").to_numpy(),
            "client_id": c["client_id"].astype("string").to_numpy(),
            "organisation": c["organisation"].astype("string").to_numpy(),
            "team": c["team"].astype("string").to_numpy(),
            "period": quarter_label(start).to_numpy(),
            "start": start.to_numpy(),
            "end": end.to_numpy(),
            "limit_days": limit,
            "days_elapsed": pd.array(elapsed_col).astype("Int64"),
            "status": pd.array(_STATUS_NAMES[status], dtype="string"),
        }
    )


def deadline_on_time(
    cases: pd.DataFrame,
    as_of: date,
    indicator_id: str,
    limits: Mapping[str, Any] | None = None,
    with_persons: bool = False,
) -> pd.DataFrame:
    """Share of evaluable cases whose end event came within the limit.

    Numerator: ``on_time`` cases; denominator: ``on_time`` + ``late`` cases
    (see :func:`deadline_status`). Per quarter of the start event; team,
    organisation and city. ``persons`` = distinct clients in the denominator.
    """
    rows, start, _end, _elapsed, status, _limit = _status_codes(cases, indicator_id, as_of, limits)
    counted = (status == _ON_TIME) | (status == _LATE)
    if not counted.any():
        return finish(None, indicator_id, with_persons)
    pos = rows[counted]
    frame = pd.DataFrame(
        {
            "period": quarter_label(start.iloc[np.flatnonzero(counted)]).array,
            "organisation": cases["organisation"].iloc[pos].array,
            "team": cases["team"].iloc[pos].array,
            "num": (status[counted] == _ON_TIME).astype("int64"),
            "den": np.ones(len(pos), dtype="int64"),
        }
    )
    distinct = None
    if with_persons:
        frame["client_id"] = cases["client_id"].iloc[pos].array
        distinct = {PERSONS: "client_id"}
    agg = aggregate_levels(frame, {"numerator": "num", "denominator": "den"}, ALL_LEVELS, distinct)
    return finish(agg, indicator_id, with_persons)


def deadline_on_time_sql(*args, **kwargs):  # TODO(engine-migration): replaced by the SQL definition
    raise NotImplementedError("deadline_on_time_sql")
