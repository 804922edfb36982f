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

import pandas as pd

from .. import config
from ..errors import ZwtError
from . import engine
from .engine import ALL_LEVELS_SQL, LABELS_SQL, clip_sql, persons_sql, quarter_sql

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


#: Columns of ``cases`` every deadline indicator reads besides its start and end event.
_BASE_COLUMNS = ("organisation", "team", "legal_framework", "date_report")
#: Extra column read for persons (distinct clients).
PERSON_COLUMNS = {"cases": ("client_id",)}


def source_columns(indicator_id: str) -> dict[str, tuple[str, ...]]:
    """Columns of ``cases`` that the deadline indicator ``indicator_id`` reads."""
    d = DEADLINES[indicator_id]
    return {"cases": tuple(dict.fromkeys((*_BASE_COLUMNS, d.start, d.end)))}


def deadline_status_sql(indicator_id: str, limits: Mapping[str, Any] | None) -> str:
    """SQL: the status of each case of the indicator's legal framework (the one definition).

    One row per ``cases`` row of that framework reported on or before as-of,
    with ``case_id, client_id, organisation, team, period, start, end,
    limit_days, days_elapsed, status``. Event dates after as-of count as
    missing. ``status``: ``outside`` without start event; with end event
    ``on_time`` when ``end - start <= limit`` days, else ``late``; without
    end event ``late`` when ``as_of - start > limit`` (from the day after the
    limit day), else ``pending``. ``days_elapsed`` (days) is ``end - start``
    or ``as_of - start``, NULL for ``outside``; ``period`` is the quarter of
    ``start`` (NULL for ``outside``).

    Raises:
        KeyError: ``indicator_id`` is not a deadline indicator.
        ZwtError: a limit in ``limits`` is unknown or not a whole number of days >= 0.
    """
    if indicator_id not in DEADLINES:
        raise KeyError(f"not a deadline indicator: {indicator_id!r}; known: {', '.join(DEADLINES)}")
    spec = DEADLINES[indicator_id]
    limit = resolve_limits(limits)[spec.limit_key]
    framework = spec.legal_framework.replace("'", "''")
    return f"""
    SELECT case_id, client_id, organisation, team, {quarter_sql('s')} AS period,
           s AS start, e AS "end", CAST({limit} AS BIGINT) AS limit_days,
           CASE WHEN s IS NULL THEN NULL
                WHEN e IS NOT NULL THEN date_diff('day', s, e)
                ELSE date_diff('day', s, getvariable('as_of')) END AS days_elapsed,
           CASE WHEN s IS NULL THEN '{OUTSIDE}'
                WHEN e IS NOT NULL AND date_diff('day', s, e) <= {limit} THEN '{ON_TIME}'
                WHEN e IS NOT NULL THEN '{LATE}'
                WHEN date_diff('day', s, getvariable('as_of')) > {limit} THEN '{LATE}'
                ELSE '{PENDING}' END AS status
    FROM (SELECT case_id, client_id, organisation, team,
                 {clip_sql(spec.start)} AS s, {clip_sql(spec.end)} AS e
          FROM cases
          WHERE legal_framework = '{framework}' AND date_report <= getvariable('as_of'))
    """


def deadline_on_time_sql(indicator_id: str, limits: Mapping[str, Any] | None, with_persons: bool) -> str:
    """SQL of :func:`deadline_on_time`: :func:`deadline_status_sql` counted per level.

    Numerator = ``on_time`` cases, denominator = ``on_time`` + ``late``
    cases, ``persons`` = distinct ``client_id`` among those (evaluable)
    cases; per quarter of the start event, team, organisation and city.
    """
    return f"""
    SELECT '{indicator_id}' AS indicator_id, period, {LABELS_SQL},
           count(*) FILTER (WHERE status = '{ON_TIME}') AS numerator,
           count(*) AS denominator,
           {persons_sql('client_id', with_persons)}
    FROM ({deadline_status_sql(indicator_id, limits)})
    WHERE status IN ('{ON_TIME}', '{LATE}')
    GROUP BY {ALL_LEVELS_SQL}
    """


def _date_dtype(cases: pd.DataFrame, column: str) -> Any:
    """The dtype of date ``column`` in ``cases`` if it is a datetime64 one, else ``datetime64[ns]``."""
    dtype = cases[column].dtype if column in cases.columns else None
    return dtype if pd.api.types.is_datetime64_dtype(dtype) else "datetime64[ns]"


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
        Rows keep the order of ``cases``.
    """
    sql = deadline_status_sql(indicator_id, limits)  # raises KeyError for an unknown indicator
    spec = DEADLINES[indicator_id]
    # a plain scan and filter: with insertion order kept the rows come in the order of `cases`
    st = engine.fetch(sql, {"cases": cases}, as_of, since=None, keep_order=True)
    return pd.DataFrame(
        {
            **{c: st[c].astype("string").to_numpy()
               for c in ("case_id", "client_id", "organisation", "team", "period")},
            "start": st["start"].astype(_date_dtype(cases, spec.start)).to_numpy(),
            "end": st["end"].astype(_date_dtype(cases, spec.end)).to_numpy(),
            "limit_days": resolve_limits(limits)[spec.limit_key],
            "days_elapsed": st["days_elapsed"].astype("Int64").array,
            "status": pd.array(st["status"].astype("string").to_numpy(), dtype="string"),
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
    return engine.run(deadline_on_time_sql(indicator_id, limits, with_persons), {"cases": cases},
                      as_of, with_persons, since=None)
