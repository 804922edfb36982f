"""Workforce indicators: outflow, inflow (per person) and vacancy rate (FTE).

All three are given at organisation and city level only. A person is a
distinct ``employee_id``; the exports carry the same id when someone moves
between organisations, so a move is a transfer, not a leaver plus a newcomer
(at city level).

Spells are seen as on as-of: a spell counts once it has started on or
before as-of, and an ``end_date`` after as-of is a planned end (the person
is still employed on as-of), treated as missing. Day measurements
(1 January, 1 July) run from the year of the observation start
(``getvariable('obs_start')``) or, without one, from the first
``start_date`` (1 January) / the first formation year (1 July).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from ..contract import ALL
from . import engine
from .engine import ORG_LABELS_SQL, ORG_LEVELS_SQL, clip_sql, persons_sql, year_sql

#: Columns of ``staff`` the spells are built from (all three indicators).
SPELL_COLUMNS = {
    "staff": ("employee_id", "organisation", "team", "fte", "start_date", "end_date", "end_reason"),
}
VACANCY_COLUMNS = {**SPELL_COLUMNS, "formation": ("organisation", "year", "budgeted_fte")}

#: CTEs ``spells`` (as seen on as-of), ``years`` (1 January <= as-of, from the
#: observation start's year or the first start year) and ``head`` (distinct
#: persons employed on 1 January: ``period, organisation, team, headcount`` at
#: organisation level and for the city, ``team`` = ALL).
_HEAD_CTES = f"""
spells AS (
    SELECT employee_id, organisation, fte, start_date, {clip_sql('end_date')} AS end_date,
           end_reason
    FROM staff WHERE start_date <= getvariable('as_of')
), years AS (
    SELECT y FROM generate_series(
        coalesce(year(getvariable('obs_start')), (SELECT min(year(start_date)) FROM spells)),
        year(getvariable('as_of'))) AS t(y)
    WHERE EXISTS (SELECT 1 FROM spells)
), head AS (
    SELECT period, {ORG_LABELS_SQL}, count(DISTINCT employee_id) AS headcount
    FROM (SELECT CAST(years.y AS VARCHAR) AS period, spells.organisation, spells.employee_id
          FROM years JOIN spells
            ON spells.start_date <= make_date(CAST(years.y AS INTEGER), 1, 1)
           AND (spells.end_date IS NULL
                OR spells.end_date >= make_date(CAST(years.y AS INTEGER), 1, 1)))
    GROUP BY {ORG_LEVELS_SQL}
)"""


def _rate_sql(indicator_id: str, org_rows: str, city_rows: str, with_persons: bool) -> str:
    """SQL: distinct persons per year over the 1 January headcount.

    ``org_rows`` / ``city_rows`` select ``period, organisation, employee_id``
    rows of the flow from the ``spells`` CTE (the city ignores the
    organisation). Years
    and organisations without anybody on 1 January have no row; a year with
    a headcount but no flow gets numerator 0. ``persons`` = the headcount.
    """
    persons = "head.headcount" if with_persons else "CAST(NULL AS BIGINT)"
    return f"""
    WITH {_HEAD_CTES}, num AS (
        SELECT period, organisation, count(DISTINCT employee_id) AS numerator
        FROM ({org_rows}) GROUP BY period, organisation
        UNION ALL
        SELECT period, '{ALL}', count(DISTINCT employee_id) FROM ({city_rows}) GROUP BY period
    )
    SELECT '{indicator_id}' AS indicator_id, head.period, head.organisation, head.team,
           coalesce(num.numerator, 0) AS numerator, head.headcount AS denominator,
           {persons} AS persons
    FROM head LEFT JOIN num
      ON head.period = num.period AND head.organisation = num.organisation
    """


def staff_outflow_rate_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`staff_outflow_rate` (``limits`` unused)."""
    ended = f"SELECT {year_sql('end_date')} AS period, organisation, employee_id FROM spells"
    return _rate_sql(
        "staff_outflow_rate",
        f"{ended} WHERE end_date IS NOT NULL "
        "AND (end_reason IS NULL OR end_reason <> 'transfer_internal')",
        f"{ended} WHERE end_date IS NOT NULL "
        "AND (end_reason IS NULL OR end_reason NOT IN ('transfer_internal', 'transfer_other_wijkteam'))",
        with_persons,
    )


def staff_inflow_rate_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`staff_inflow_rate` (``limits`` unused)."""

    def newcomers(same_organisation: bool) -> str:
        same = "AND b.organisation = n.organisation" if same_organisation else ""
        return (f"SELECT {year_sql('n.start_date')} AS period, n.organisation, n.employee_id "
                f"FROM spells AS n WHERE NOT EXISTS (SELECT 1 FROM spells AS b "
                f"WHERE b.employee_id = n.employee_id {same} "
                f"AND b.start_date <= n.start_date - 1 "
                f"AND (b.end_date IS NULL OR b.end_date >= n.start_date - 1))")

    return _rate_sql("staff_inflow_rate", newcomers(True), newcomers(False), with_persons)


def vacancy_rate_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`vacancy_rate` (``limits`` unused)."""
    july = "make_date(CAST(f.year AS INTEGER), 7, 1)"
    return f"""
    WITH f AS (
        SELECT organisation, year, coalesce(fsum(budgeted_fte), 0.0) AS budgeted
        FROM formation
        WHERE year IS NOT NULL AND make_date(CAST(year AS INTEGER), 7, 1) <= getvariable('as_of')
          AND (getvariable('obs_start') IS NULL OR year >= year(getvariable('obs_start')))
          AND organisation IN (SELECT organisation FROM staff)  -- staff delivered for it
        GROUP BY organisation, year
    ), spells AS (
        SELECT employee_id, organisation, fte, start_date, {clip_sql('end_date')} AS end_date
        FROM staff WHERE start_date <= getvariable('as_of')
    ), rows AS (
        SELECT year, organisation, budgeted, 0.0 AS employed, CAST(NULL AS VARCHAR) AS employee_id
        FROM f
        UNION ALL
        SELECT f.year, f.organisation, 0.0, coalesce(s.fte, 0.0), s.employee_id
        FROM f JOIN spells AS s
          ON s.organisation = f.organisation AND s.start_date <= {july}
         AND (s.end_date IS NULL OR s.end_date >= {july})
    )
    SELECT 'vacancy_rate' AS indicator_id, period, {ORG_LABELS_SQL},
           fsum(budgeted) - fsum(employed) AS numerator, fsum(budgeted) AS denominator,
           {persons_sql('employee_id', with_persons)}
    FROM (SELECT CAST(year AS VARCHAR) AS period, organisation, budgeted, employed, employee_id
          FROM rows)
    GROUP BY {ORG_LEVELS_SQL}
    """


_HEADCOUNT_SQL = f"""
WITH {_HEAD_CTES}
SELECT period, organisation, team, headcount FROM head
ORDER BY organisation = '{ALL}', CAST(period AS INTEGER), organisation
"""


def january_headcount(staff: pd.DataFrame, as_of: date, since: date | None = None) -> pd.DataFrame:
    """Distinct persons employed on 1 January of each year (1 January <= as-of).

    Years from the year of ``since`` (the observation start) or, without it,
    from the first ``start_date``.

    Returns ``period, organisation, team, headcount`` at organisation level
    (employed at that organisation) and city level (employed anywhere);
    ``team`` is ``ALL``. Organisation rows first, then the city's; each by
    period and organisation.
    """
    df = engine.fetch(_HEADCOUNT_SQL, {"staff": staff}, as_of, since=since)
    if df.empty:
        return pd.DataFrame(columns=["period", "organisation", "team", "headcount"])
    out = df.astype({"period": "string", "organisation": "string", "team": "string",
                     "headcount": "int64"})
    return out.reset_index(drop=True)


def staff_outflow_rate(
    staff: pd.DataFrame, as_of: date, with_persons: bool = False, since: date | None = None
) -> pd.DataFrame:
    """``staff_outflow_rate``: leavers in the year / persons employed on 1 January.

    Numerator: distinct persons with a spell ending in the year (``end_date``
    in the year and on or before as-of; a planned end after as-of is not an
    outflow) whose ``end_reason`` is not ``transfer_internal`` -- at city
    level not ``transfer_other_wijkteam`` either. An empty ``end_reason``
    counts as outflow. So a move between organisations is outflow for the
    organisation left, not for the city. A person with two qualifying spells
    ending in one year counts once. Leavers need not have been in the
    1 January stock (someone hired and gone within the year counts).
    Denominator: distinct persons employed on 1 January (at that
    organisation / anywhere), as CBS AZW does. Years whose 1 January <=
    as-of; the current year is year-to-date. Organisation and city only.
    ``persons`` = the 1 January headcount. ``since``: observation start;
    years before its year give no row (see :func:`.engine.observation_start`).
    """
    return engine.run(staff_outflow_rate_sql({}, with_persons), {"staff": staff}, as_of,
                      with_persons, since=since)


def staff_inflow_rate(
    staff: pd.DataFrame, as_of: date, with_persons: bool = False, since: date | None = None
) -> pd.DataFrame:
    """``staff_inflow_rate``: newcomers in the year / persons employed on 1 January.

    Numerator: distinct persons with a spell starting in the year (on or
    before as-of) who were not employed the day before the start -- at that
    organisation (organisation level) or at any organisation (city level).
    So a move between organisations is inflow for the organisation joined,
    not for the city; a team change within an organisation is no inflow.
    Denominator: the same 1 January headcount as the outflow rate.
    Organisation and city only. ``persons`` = the 1 January headcount.
    ``since`` as for the outflow rate.
    """
    return engine.run(staff_inflow_rate_sql({}, with_persons), {"staff": staff}, as_of,
                      with_persons, since=since)


def vacancy_rate(
    staff: pd.DataFrame,
    formation: pd.DataFrame,
    as_of: date,
    with_persons: bool = False,
    since: date | None = None,
) -> pd.DataFrame:
    """``vacancy_rate``: (budgeted FTE - FTE employed on 1 July) / budgeted FTE.

    For each ``formation`` row (organisation, year) whose 1 July is on or
    before as-of: numerator = ``budgeted_fte`` - sum of ``fte`` of that
    organisation's spells employed on 1 July (start <= 1 July <= end);
    denominator = ``budgeted_fte``. The numerator is negative when the
    organisation is staffed above its formation; it is kept (value < 0), not
    clipped. An organisation without any spell in ``staff`` (its staff were
    not delivered, or no staff table at all) gets no row: its inputs are
    missing, and 100% vacancy would be a false figure. City = sum over the
    organisations with a formation row that year and staff delivered (staff
    of organisations without a formation row are not counted). Organisation
    and city only. ``persons`` = distinct employees employed on 1 July.
    ``since``: observation start; formation years before its year give no row.
    """
    return engine.run(vacancy_rate_sql({}, with_persons), {"staff": staff, "formation": formation},
                      as_of, with_persons, since=since)
