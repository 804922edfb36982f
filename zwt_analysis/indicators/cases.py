"""Indicators on cases: re-registration, caseload per FTE, reach per 1000."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from . import engine
from .engine import ALL_LEVELS_SQL, LABELS_SQL, clip_sql, persons_sql, quarter_sql, year_sql

#: Follow-up window of ``reregistration_12m`` in calendar days.
REREGISTRATION_DAYS = 365

#: Columns each indicator here reads, per table (see ``IndicatorSpec.source_columns``).
REREGISTRATION_COLUMNS = {
    "cases": ("client_id", "organisation", "team", "date_report", "date_closed"),
}
CASELOAD_COLUMNS = {
    "cases": ("organisation", "team", "date_report", "date_closed"),
    "staff": ("organisation", "team", "fte", "start_date", "end_date"),
}
CASELOAD_PERSON_COLUMNS = {"cases": ("client_id",), "staff": ("employee_id",)}
REACH_COLUMNS = {
    "cases": ("client_id", "organisation", "team", "date_report"),
    "areas": ("organisation", "team", "population"),
}


def _next_report_join(left: str, reports: str) -> str:
    """SQL: ``left`` (``client_id``, ``closed``) with the first report of the same client
    strictly after ``closed`` from ``reports`` (``client_id``, ``date_report``) as ``r``.

    An ASOF join (DuckDB partitions by client and merges the sorted dates:
    no pair of cases is formed, unlike a correlated search per row);
    ``r.date_report`` is NULL where the client has no later report. Every
    row of ``left`` is kept exactly once.
    """
    return (f"{left} ASOF LEFT JOIN {reports} AS r "
            f"ON r.client_id = l.client_id AND r.date_report > l.closed")


def next_report_after(
    client_codes: np.ndarray,
    after_day: np.ndarray,
    report_codes: np.ndarray,
    report_day: np.ndarray,
) -> np.ndarray:
    """For each (client, day) the first ``report_day`` of that client strictly after ``day``.

    All arrays are numeric (client codes as integers, days as day numbers).
    Returns day numbers, ``NaN`` where the client has no later report. The
    same join as :func:`reregistration_12m_sql` uses (DuckDB ASOF join).
    """
    if len(after_day) == 0:
        return np.empty(0, dtype="float64")
    left = pd.DataFrame({"i": np.arange(len(after_day), dtype="int64"),
                         "client_id": np.asarray(client_codes, dtype="int64"),
                         "closed": np.asarray(after_day, dtype="float64")})
    reports = pd.DataFrame({"client_id": np.asarray(report_codes, dtype="int64"),
                            "date_report": np.asarray(report_day, dtype="float64")})
    con = engine.connect()
    try:
        con.register("left_rows", left)
        con.register("report_rows", reports)
        known = "(SELECT * FROM report_rows WHERE NOT isnan(date_report))"  # NaN: no report
        got = con.execute(f"""
            SELECT l.i, r.date_report FROM {_next_report_join('left_rows AS l', known)}
            ORDER BY l.i
        """).df()
    finally:
        con.close()
    return got["date_report"].to_numpy(dtype="float64", na_value=np.nan)


def reregistration_12m_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`reregistration_12m` (``limits`` unused; the registry's common signature)."""
    window = REREGISTRATION_DAYS
    join = _next_report_join("ev AS l", "(SELECT client_id, date_report FROM c)")
    return f"""
    WITH c AS (
        SELECT client_id, organisation, team, date_report, {clip_sql('date_closed')} AS closed
        FROM cases WHERE date_report <= getvariable('as_of')
    ), ev AS (
        SELECT client_id, organisation, team, closed FROM c
        WHERE closed IS NOT NULL AND closed + {window} <= getvariable('as_of')
    )
    SELECT 'reregistration_12m' AS indicator_id, period, {LABELS_SQL},
           sum(again) AS numerator, count(*) AS denominator,
           {persons_sql('client_id', with_persons)}
    FROM (SELECT {quarter_sql('l.closed')} AS period, l.organisation, l.team, l.client_id,
                 CASE WHEN r.date_report <= l.closed + {window} THEN 1 ELSE 0 END AS again
          FROM {join})
    GROUP BY {ALL_LEVELS_SQL}
    """


def reregistration_12m(cases: pd.DataFrame, as_of: date, with_persons: bool = False) -> pd.DataFrame:
    """``reregistration_12m``: closed cases followed by a new report within 365 days.

    Denominator: cases with ``date_closed`` and ``date_closed + 365 <= as_of``
    (the whole follow-up window has passed). Numerator: those whose client
    has another case with ``date_report`` in ``(date_closed, date_closed +
    365]`` -- a case reported on the day of closure does not count (the
    interval is open on the left). The other case may be at any team or
    organisation (a re-registration is about the client, not about who
    picks it up). Period = quarter of ``date_closed``; level = the closed
    case's team. ``persons`` = distinct clients in the denominator.
    """
    return engine.run(reregistration_12m_sql({}, with_persons), {"cases": cases}, as_of,
                      with_persons, since=None)


def caseload_per_fte_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`caseload_per_fte` (``limits`` unused).

    Quarter ends from the quarter of ``getvariable('obs_start')`` (NULL: of
    the earliest ``date_report`` on or before as-of).
    """
    client = "client_id" if with_persons else "CAST(NULL AS VARCHAR)"
    employee = "employee_id" if with_persons else "CAST(NULL AS VARCHAR)"
    persons = ("least(count(DISTINCT client_id), count(DISTINCT employee_id))" if with_persons
               else "CAST(NULL AS BIGINT)")
    return f"""
    WITH c AS (
        SELECT organisation, team, {client} AS client_id, date_report AS opened,
               coalesce({clip_sql('date_closed')}, DATE '9999-12-31') AS closed
        FROM cases WHERE date_report <= getvariable('as_of')
    ), s AS (
        SELECT organisation, team, {employee} AS employee_id, coalesce(fte, 0) AS fte,
               start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
        FROM staff WHERE start_date <= getvariable('as_of')
    ), first_day AS (
        SELECT coalesce(getvariable('obs_start'), (SELECT min(opened) FROM c)) AS d
        WHERE EXISTS (SELECT 1 FROM c) AND EXISTS (SELECT 1 FROM s)
    ), q AS (
        SELECT CAST(qs + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) AS d
        FROM first_day, generate_series(CAST(date_trunc('quarter', first_day.d) AS TIMESTAMP),
                                        CAST(getvariable('as_of') AS TIMESTAMP),
                                        INTERVAL 3 MONTH) AS t(qs)
    ), q_ok AS (
        SELECT d FROM q WHERE d <= getvariable('as_of')
    ), open_cases AS (
        SELECT q_ok.d, c.organisation, c.team, 1 AS num, CAST(0 AS DOUBLE) AS den,
               c.client_id, CAST(NULL AS VARCHAR) AS employee_id
        FROM q_ok JOIN c ON c.opened <= q_ok.d AND c.closed > q_ok.d
    ), employed AS (
        SELECT q_ok.d, s.organisation, s.team, 0 AS num, s.fte AS den,
               CAST(NULL AS VARCHAR) AS client_id, s.employee_id
        FROM q_ok JOIN s ON s.start_date <= q_ok.d AND s.end_date >= q_ok.d
    )
    SELECT 'caseload_per_fte' AS indicator_id, period, {LABELS_SQL},
           sum(num) AS numerator, fsum(den) AS denominator, {persons} AS persons
    FROM (SELECT {quarter_sql('d')} AS period, organisation, team, num, den, client_id, employee_id
          FROM (SELECT * FROM open_cases UNION ALL SELECT * FROM employed))
    GROUP BY {ALL_LEVELS_SQL}
    """


def caseload_per_fte(
    cases: pd.DataFrame,
    staff: pd.DataFrame,
    as_of: date,
    with_persons: bool = False,
    since: date | None = None,
) -> pd.DataFrame:
    """``caseload_per_fte``: open cases / FTE employed, on the last day of each quarter.

    For each quarter end ``d <= as_of``, from the quarter of ``since`` (the
    observation start, see :func:`.engine.observation_start`; default: the
    earliest ``date_report``): numerator = cases with ``date_report
    <= d`` and ``date_closed`` empty or ``> d`` (by the case's team);
    denominator = sum of ``fte`` of spells with ``start_date <= d`` and
    ``end_date`` empty or ``>= d`` (end date is the inclusive last day; by
    the spell's team). A team with FTE but no open case gets 0; a team with
    open cases but no FTE gets no team row (zero denominator), though its
    cases count for its organisation and the city. Needs both tables; with
    either empty there are no rows. ``persons`` = the smaller of distinct
    clients with an open case and distinct employees employed (a team of
    one person is then suppressed when published).
    """
    return engine.run(caseload_per_fte_sql({}, with_persons), {"cases": cases, "staff": staff},
                      as_of, with_persons, since=since)


def reach_per_1000_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`reach_per_1000` (``limits`` unused)."""
    persons = "numerator" if with_persons else "CAST(NULL AS BIGINT)"
    return f"""
    WITH num AS (
        SELECT period, {LABELS_SQL}, count(DISTINCT client_id) AS numerator
        FROM (SELECT {year_sql('date_report')} AS period, organisation, team, client_id
              FROM cases WHERE date_report <= getvariable('as_of'))
        GROUP BY {ALL_LEVELS_SQL}
    ), pop AS (
        -- unknown (NULL) when any held area lacks its population
        SELECT {LABELS_SQL},
               CASE WHEN count(population) = count(*) THEN sum(population) END AS population
        FROM areas GROUP BY GROUPING SETS ((organisation, team), (organisation), ())
    )
    SELECT 'reach_per_1000' AS indicator_id, num.period, num.organisation, num.team,
           num.numerator, pop.population / 1000.0 AS denominator, {persons} AS persons
    FROM num JOIN pop ON num.organisation = pop.organisation AND num.team = pop.team
    """


def reach_per_1000(
    cases: pd.DataFrame, areas: pd.DataFrame, as_of: date, with_persons: bool = False
) -> pd.DataFrame:
    """``reach_per_1000``: distinct clients with a case reported in the year per 1000 inhabitants.

    Numerator: distinct ``client_id`` with a case whose ``date_report`` lies
    in the year (and on or before as-of; the current year is year-to-date);
    counted once per team, once per organisation, once for the city (so the
    city is not the sum of its teams). Denominator: population of the areas
    held (``areas``: team and organisation as there; city = all areas) /
    1000. A group in which any held area lacks its population gets no row
    (denominator unknown), as does a team that holds no area. The area
    assignment in ``areas`` is taken as valid for every year. A team or
    organisation without any client reported in a year has no row for that
    year (the rows come from the reported cases, as the numerator's
    definition reads; benchmarks/duckdb_reference.py does the same). ``persons`` =
    the numerator.
    """
    return engine.run(reach_per_1000_sql({}, with_persons), {"cases": cases, "areas": areas},
                      as_of, with_persons, since=None)
