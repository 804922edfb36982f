"""Every contract indicator written once more, directly in DuckDB SQL.

An independent re-implementation of data contract section 4 (with the
readings of section 5) over the Parquet files that ``zwt clean`` writes. It
serves two purposes:

- **benchmark reference**: ``zwt indicators`` (pandas) is timed against it
  (target: within 2x at scale 10);
- **cross-check**: on the same processed folder it must give exactly the
  library's table (``tests/test_duckdb_reference.py``).

DuckDB reads the Parquet files in place and spills to disk when a
``memory_limit`` is set, so this runs out of core on data larger than memory.

Where the contract is silent this follows the choices documented in
``zwt_analysis.indicators`` (see ``docs/benchmarks.md``): day
measurements (quarter ends, 1 January, 1 July) run from the observation
start (earliest case report or registered hour) up to the as-of; a
budget year counts once its 1 January has passed; the city's vacancy rate
sums the organisations that have a formation row that year;
``reach_per_1000`` has rows only for groups with at least one client that
year and a known population.

Usage::

    python -m benchmarks.duckdb_reference --processed DIR --out FILE.csv [--memory-limit 2GB]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from zwt_analysis.contract import INDICATOR_COLUMNS, TABLES

#: Default deadline limits in calendar days (contract section 4).
DEFAULT_LIMITS: dict[str, int] = {
    "wmo_assessment": 42,
    "wmo_decision": 14,
    "jeugdwet_decision": 56,
    "participatiewet_decision": 56,
    "wgs_first_contact": 28,
}

#: indicator_id -> (legal_framework, start event, end event, limit key).
DEADLINE_SPECS: dict[str, tuple[str, str, str, str]] = {
    "wmo_assessment_on_time": ("wmo", "date_report", "date_assessment_done", "wmo_assessment"),
    "wmo_decision_on_time": ("wmo", "date_application", "date_decision", "wmo_decision"),
    "jeugdwet_decision_on_time": ("jeugdwet", "date_application", "date_decision",
                                  "jeugdwet_decision"),
    "participatiewet_decision_on_time": ("participatiewet", "date_application", "date_decision",
                                         "participatiewet_decision"),
    "wgs_first_contact_on_time": ("wgs", "date_report", "date_first_contact", "wgs_first_contact"),
}

#: Tables the indicators read.
SOURCE_TABLES = ("areas", "staff", "time_registrations", "cases", "formation", "budgets")

_SQL_TYPE = {"date": "DATE", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}

# Three levels in one pass: team, organisation (team = ALL), city (both ALL).
_ALL_LEVELS = "GROUPING SETS ((period, organisation, team), (period, organisation), (period))"
_ORG_LEVELS = "GROUPING SETS ((period, organisation), (period))"
_LABELS = ("CASE WHEN grouping(organisation) = 1 THEN 'ALL' ELSE organisation END AS organisation, "
           "CASE WHEN grouping(team) = 1 THEN 'ALL' ELSE team END AS team")
_ORG_LABELS = ("CASE WHEN grouping(organisation) = 1 THEN 'ALL' ELSE organisation END "
               "AS organisation, 'ALL' AS team")


def _quarter(col: str) -> str:
    return f"(CAST(year({col}) AS VARCHAR) || '-Q' || CAST(quarter({col}) AS VARCHAR))"


def _clip(col: str) -> str:
    """An event date after as-of has not happened yet: NULL."""
    return f"CASE WHEN {col} <= getvariable('as_of') THEN {col} END"


def _view_sql(name: str, path: Path | None) -> str:
    """A view of table ``name`` with the contract columns (dates as DATE)."""
    cols = []
    for c in TABLES[name].columns:
        sql_type = _SQL_TYPE.get(c.kind, "VARCHAR")
        if path is None:
            cols.append(f"CAST(NULL AS {sql_type}) AS {c.name}")
        else:
            cols.append(f"CAST({c.name} AS {sql_type}) AS {c.name}")
    if path is None:
        return f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {', '.join(cols)} WHERE false"
    src = str(path).replace("'", "''")
    return (f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {', '.join(cols)} "
            f"FROM read_parquet('{src}')")


# ----------------------------------------------------------------- indicators

def _hours_sql(indicator_id: str, num_acts: tuple[str, ...], den_acts: tuple[str, ...] | None) -> str:
    num_in = ", ".join(f"'{a}'" for a in num_acts)
    den_filter = (f"AND activity IN ({', '.join(repr(a) for a in den_acts)})" if den_acts else "")
    return f"""
    SELECT '{indicator_id}' AS indicator_id, period, {_LABELS},
           sum(CASE WHEN activity IN ({num_in}) THEN hours ELSE 0 END) AS numerator,
           sum(hours) AS denominator
    FROM (SELECT {_quarter('date')} AS period, organisation, team, activity, hours
          FROM time_registrations
          WHERE date <= getvariable('as_of') {den_filter})
    GROUP BY {_ALL_LEVELS}
    """


def _deadline_sql(indicator_id: str, limits: Mapping[str, int]) -> str:
    framework, start, end, key = DEADLINE_SPECS[indicator_id]
    limit = int(limits[key])
    # on time: end - start <= limit; late: end later, or end missing and as-of
    # past start + limit; pending (end missing, limit day not passed): left out.
    return f"""
    SELECT '{indicator_id}' AS indicator_id, period, {_LABELS},
           sum(CASE WHEN e IS NOT NULL AND date_diff('day', s, e) <= {limit} THEN 1 ELSE 0 END)
               AS numerator,
           count(*) AS denominator
    FROM (SELECT {_quarter('s')} AS period, organisation, team, s, e
          FROM (SELECT organisation, team, {_clip(start)} AS s, {_clip(end)} AS e
                FROM cases
                WHERE legal_framework = '{framework}' AND date_report <= getvariable('as_of'))
          WHERE s IS NOT NULL
            AND (e IS NOT NULL OR date_diff('day', s, getvariable('as_of')) > {limit}))
    GROUP BY {_ALL_LEVELS}
    """


_REREGISTRATION_SQL = f"""
WITH c AS (
    SELECT client_id, organisation, team, date_report, {_clip('date_closed')} AS closed
    FROM cases WHERE date_report <= getvariable('as_of')
), ev AS (
    SELECT * FROM c
    WHERE closed IS NOT NULL AND closed + INTERVAL 365 DAY <= getvariable('as_of')
)
SELECT 'reregistration_12m' AS indicator_id, period, {_LABELS},
       sum(again) AS numerator, count(*) AS denominator
FROM (SELECT {_quarter('closed')} AS period, organisation, team,
             CASE WHEN EXISTS (SELECT 1 FROM c AS o
                               WHERE o.client_id = ev.client_id
                                 AND o.date_report > ev.closed
                                 AND o.date_report <= ev.closed + INTERVAL 365 DAY)
                  THEN 1 ELSE 0 END AS again
      FROM ev)
GROUP BY {_ALL_LEVELS}
"""

_CASELOAD_SQL = f"""
WITH c AS (
    SELECT organisation, team, date_report AS opened, {_clip('date_closed')} AS closed
    FROM cases WHERE date_report <= getvariable('as_of')
), s AS (
    SELECT organisation, team, fte, start_date, end_date
    FROM staff WHERE start_date <= getvariable('as_of')
), first_day AS (
    SELECT coalesce(getvariable('obs_start'), (SELECT min(opened) FROM c)) AS d
    WHERE EXISTS (SELECT 1 FROM c) AND EXISTS (SELECT 1 FROM s)
), q AS (
    SELECT CAST(qs + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) AS d
    FROM first_day, generate_series(CAST(date_trunc('quarter', first_day.d) AS TIMESTAMP),
                                    CAST(getvariable('as_of') AS TIMESTAMP),
                                    INTERVAL 3 MONTH) AS t(qs)
), q_ok AS (SELECT d FROM q WHERE d <= getvariable('as_of')),
open_cases AS (
    SELECT q_ok.d, c.organisation, c.team, 1.0 AS num, 0.0 AS den
    FROM q_ok JOIN c ON c.opened <= q_ok.d AND (c.closed IS NULL OR c.closed > q_ok.d)
), employed AS (
    SELECT q_ok.d, s.organisation, s.team, 0.0 AS num, s.fte AS den
    FROM q_ok JOIN s ON s.start_date <= q_ok.d AND (s.end_date IS NULL OR s.end_date >= q_ok.d)
)
SELECT 'caseload_per_fte' AS indicator_id, period, {_LABELS},
       sum(num) AS numerator, sum(den) AS denominator
FROM (SELECT {_quarter('d')} AS period, organisation, team, num, den
      FROM (SELECT * FROM open_cases UNION ALL SELECT * FROM employed))
GROUP BY {_ALL_LEVELS}
"""

_REACH_SQL = f"""
WITH clients AS (
    SELECT CAST(year(date_report) AS VARCHAR) AS period, organisation, team, client_id
    FROM cases WHERE date_report <= getvariable('as_of')
), num AS (
    SELECT period, {_LABELS}, count(DISTINCT client_id) AS numerator
    FROM clients GROUP BY {_ALL_LEVELS}
), pop AS (
    -- unknown (NULL) when any held area lacks its population
    SELECT CASE WHEN grouping(organisation) = 1 THEN 'ALL' ELSE organisation END AS organisation,
           CASE WHEN grouping(team) = 1 THEN 'ALL' ELSE team END AS team,
           CASE WHEN count(population) = count(*) THEN sum(population) END AS population
    FROM areas GROUP BY GROUPING SETS ((organisation, team), (organisation), ())
)
SELECT 'reach_per_1000' AS indicator_id, num.period, num.organisation, num.team,
       num.numerator, pop.population / 1000.0 AS denominator
FROM num JOIN pop ON num.organisation = pop.organisation AND num.team = pop.team
"""

# The first day the exports observe: the earliest case report or registered
# hour. Staff spells reach back long before it (only the survivors of earlier
# years are in the export), so day measurements (quarter ends, 1 January,
# 1 July) start in its quarter / year. NULL (no lower bound) without either.
_OBSERVATION_START_SQL = """
SELECT min(d) FROM (SELECT min(date_report) AS d FROM cases
                    UNION ALL SELECT min(date) FROM time_registrations)
"""

# Spells as the monitor sees them on as-of: started on or before it, and an
# end date after it is a planned end (still employed).
_SPELLS = f"""
spells AS (
    SELECT employee_id, organisation, fte, start_date,
           {_clip('end_date')} AS end_date, end_reason
    FROM staff WHERE start_date <= getvariable('as_of')
), years AS (
    SELECT y FROM generate_series(
        coalesce(year(getvariable('obs_start')), (SELECT min(year(start_date)) FROM spells)),
        year(getvariable('as_of'))) AS t(y)
    WHERE EXISTS (SELECT 1 FROM spells)
), head AS (
    SELECT CAST(y AS VARCHAR) AS period, {_ORG_LABELS}, count(DISTINCT employee_id) AS headcount
    FROM (SELECT years.y, spells.organisation, spells.employee_id
          FROM years JOIN spells
            ON spells.start_date <= make_date(years.y, 1, 1)
           AND (spells.end_date IS NULL OR spells.end_date >= make_date(years.y, 1, 1)))
    GROUP BY GROUPING SETS ((y, organisation), (y))
)
"""


def _rate_sql(indicator_id: str, org_rows: str, city_rows: str) -> str:
    """Distinct persons (``period, organisation, employee_id`` rows) / 1 January headcount."""
    return f"""
    WITH {_SPELLS}, num AS (
        SELECT period, organisation, 'ALL' AS team, count(DISTINCT employee_id) AS numerator
        FROM ({org_rows}) GROUP BY period, organisation
        UNION ALL
        SELECT period, 'ALL', 'ALL', count(DISTINCT employee_id) FROM ({city_rows}) GROUP BY period
    )
    SELECT '{indicator_id}' AS indicator_id, head.period, head.organisation, head.team,
           coalesce(num.numerator, 0) AS numerator, head.headcount AS denominator
    FROM head LEFT JOIN num
      ON head.period = num.period AND head.organisation = num.organisation
     AND head.team = num.team
    """


_OUTFLOW_SQL = _rate_sql(
    "staff_outflow_rate",
    "SELECT CAST(year(end_date) AS VARCHAR) AS period, organisation, employee_id FROM spells "
    "WHERE end_date IS NOT NULL AND (end_reason IS NULL OR end_reason <> 'transfer_internal')",
    "SELECT CAST(year(end_date) AS VARCHAR) AS period, employee_id FROM spells "
    "WHERE end_date IS NOT NULL AND (end_reason IS NULL OR end_reason NOT IN "
    "('transfer_internal', 'transfer_other_wijkteam'))",
)

_INFLOW_SQL = _rate_sql(
    "staff_inflow_rate",
    "SELECT CAST(year(n.start_date) AS VARCHAR) AS period, n.organisation, n.employee_id "
    "FROM spells AS n WHERE NOT EXISTS (SELECT 1 FROM spells AS b "
    "WHERE b.employee_id = n.employee_id AND b.organisation = n.organisation "
    "AND b.start_date <= n.start_date - 1 AND (b.end_date IS NULL OR b.end_date >= n.start_date - 1))",
    "SELECT CAST(year(n.start_date) AS VARCHAR) AS period, n.employee_id "
    "FROM spells AS n WHERE NOT EXISTS (SELECT 1 FROM spells AS b "
    "WHERE b.employee_id = n.employee_id "
    "AND b.start_date <= n.start_date - 1 AND (b.end_date IS NULL OR b.end_date >= n.start_date - 1))",
)

_VACANCY_SQL = f"""
WITH f AS (
    SELECT organisation, year, sum(budgeted_fte) AS budgeted
    FROM formation
    WHERE year IS NOT NULL AND make_date(CAST(year AS INTEGER), 7, 1) <= getvariable('as_of')
      AND (getvariable('obs_start') IS NULL OR year >= year(getvariable('obs_start')))
    GROUP BY organisation, year
), spells AS (
    SELECT organisation, fte, start_date, {_clip('end_date')} AS end_date
    FROM staff WHERE start_date <= getvariable('as_of')
), employed AS (
    SELECT f.organisation, f.year,
           coalesce(sum(s.fte), 0.0) AS fte
    FROM f LEFT JOIN spells AS s
      ON s.organisation = f.organisation
     AND s.start_date <= make_date(CAST(f.year AS INTEGER), 7, 1)
     AND (s.end_date IS NULL OR s.end_date >= make_date(CAST(f.year AS INTEGER), 7, 1))
    GROUP BY f.organisation, f.year
)
SELECT 'vacancy_rate' AS indicator_id, period, {_ORG_LABELS},
       sum(budgeted) - sum(fte) AS numerator, sum(budgeted) AS denominator
FROM (SELECT CAST(f.year AS VARCHAR) AS period, f.organisation, f.budgeted, e.fte
      FROM f JOIN employed AS e ON e.organisation = f.organisation AND e.year = f.year)
GROUP BY {_ORG_LEVELS}
"""

_FUNDING_SQL = f"""
SELECT 'incidental_funding_share' AS indicator_id, period, {_ORG_LABELS},
       sum(CASE WHEN funding_type = 'incidental' THEN coalesce(amount_eur, 0) ELSE 0 END)
           AS numerator,
       sum(coalesce(amount_eur, 0)) AS denominator
FROM (SELECT CAST(year AS VARCHAR) AS period, organisation, funding_type, amount_eur
      FROM budgets WHERE year IS NOT NULL AND year <= year(getvariable('as_of')))
GROUP BY {_ORG_LEVELS}
"""


def indicator_queries(limits: Mapping[str, int] | None = None) -> dict[str, str]:
    """indicator_id -> SQL giving ``indicator_id, period, organisation, team, numerator, denominator``."""
    lim = {**DEFAULT_LIMITS, **dict(limits or {})}
    unknown = set(lim) - set(DEFAULT_LIMITS)
    if unknown:
        raise KeyError(f"unknown limit(s): {', '.join(sorted(unknown))}")
    queries = {
        "preventive_share": _hours_sql(
            "preventive_share", ("preventive_individual", "preventive_collective"),
            ("preventive_individual", "preventive_collective", "statutory_individual")),
        "additional_assignment_share": _hours_sql(
            "additional_assignment_share", ("additional_assignment",), None),
    }
    queries |= {i: _deadline_sql(i, lim) for i in DEADLINE_SPECS}
    queries |= {
        "reregistration_12m": _REREGISTRATION_SQL,
        "caseload_per_fte": _CASELOAD_SQL,
        "reach_per_1000": _REACH_SQL,
        "staff_outflow_rate": _OUTFLOW_SQL,
        "staff_inflow_rate": _INFLOW_SQL,
        "vacancy_rate": _VACANCY_SQL,
        "incidental_funding_share": _FUNDING_SQL,
    }
    return queries


def read_as_of(processed_dir: str | Path) -> date:
    """The as-of date ``zwt clean`` recorded in ``validation.json``."""
    meta = json.loads((Path(processed_dir) / "validation.json").read_text(encoding="utf-8"))
    return date.fromisoformat(meta["as_of"])


def connect(processed_dir: str | Path, as_of: date, memory_limit: str | None = None,
            threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per source table over its Parquet file."""
    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET VARIABLE as_of = DATE '{as_of.isoformat()}'")
    for name in SOURCE_TABLES:
        path = Path(processed_dir) / f"{name}.parquet"
        con.execute(_view_sql(name, path if path.exists() else None))
    con.execute(f"SET VARIABLE obs_start = ({_OBSERVATION_START_SQL})")
    return con


def compute(processed_dir: str | Path, as_of: date | None = None,
            limits: Mapping[str, int] | None = None, memory_limit: str | None = None,
            threads: int | None = None) -> pd.DataFrame:
    """The long indicator table (contract columns), computed in DuckDB.

    Args:
        processed_dir: folder written by ``zwt clean``.
        as_of: reference date (default: ``as_of`` of ``validation.json``).
        limits: deadline limits (key -> days) overriding :data:`DEFAULT_LIMITS`.
        memory_limit: DuckDB memory limit (e.g. ``"2GB"``); beyond it DuckDB spills.
        threads: DuckDB threads (default: all cores).

    Returns:
        ``indicator_id, period, organisation, team, numerator, denominator,
        value``; rows with a zero or unknown denominator left out; sorted by
        indicator_id, period, organisation, team.
    """
    day = as_of or read_as_of(processed_dir)
    con = connect(processed_dir, day, memory_limit, threads)
    try:
        union = " UNION ALL ".join(f"SELECT * FROM ({q})" for q in indicator_queries(limits).values())
        df = con.sql(f"""
            SELECT indicator_id, period, organisation, team,
                   CAST(numerator AS DOUBLE) AS numerator,
                   CAST(denominator AS DOUBLE) AS denominator,
                   CAST(numerator AS DOUBLE) / CAST(denominator AS DOUBLE) AS value
            FROM ({union})
            WHERE denominator IS NOT NULL AND denominator <> 0
        """).df()
    finally:
        con.close()
    for c in ("indicator_id", "period", "organisation", "team"):
        df[c] = df[c].astype("string")
    for c in ("numerator", "denominator", "value"):
        df[c] = df[c].astype("float64")
    df = df.sort_values(["indicator_id", "period", "organisation", "team"], kind="mergesort")
    return df[list(INDICATOR_COLUMNS)].reset_index(drop=True)


def compare(reference: pd.DataFrame, library: pd.DataFrame, tol: float = 1e-12) -> pd.DataFrame:
    """Rows where two indicator tables differ; empty when they agree.

    Rows are matched on ``indicator_id, period, organisation, team``. A row
    in one table only is a difference (``side`` = ``reference_only`` /
    ``library_only``). Numerators and denominators are sums of floats (hours,
    FTE, euros) added in a different order by the two engines, so they count
    as equal within ``tol`` relative to the row's largest magnitude
    (``max(|numerator|, |denominator|, 1)``); values must agree within
    ``tol`` absolutely.

    Returns:
        The differing rows with both sides' numerator, denominator and value
        and a ``side`` column (``both`` when the row exists on both sides).
    """
    keys = ["indicator_id", "period", "organisation", "team"]
    m = reference.merge(library, on=keys, how="outer", suffixes=("_ref", "_lib"), indicator="side")
    m["side"] = m["side"].astype(str).map({"left_only": "reference_only",
                                           "right_only": "library_only", "both": "both"})
    scale = pd.concat([m[c].abs() for c in ("numerator_ref", "numerator_lib", "denominator_ref",
                                             "denominator_lib")], axis=1).max(axis=1).clip(lower=1.0)
    bad = m["side"] != "both"
    for c in ("numerator", "denominator"):
        bad |= ((m[f"{c}_ref"] - m[f"{c}_lib"]).abs() > tol * scale).fillna(True)
    bad |= ((m["value_ref"] - m["value_lib"]).abs() > tol).fillna(True)
    return m.loc[bad].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: compute the reference table and write it as CSV."""
    ap = argparse.ArgumentParser(description="Contract indicators computed directly in DuckDB.")
    ap.add_argument("--processed", required=True, type=Path, help="folder written by `zwt clean`")
    ap.add_argument("--out", required=True, type=Path, help="CSV file for the long table")
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 2GB")
    ap.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    df = compute(args.processed, memory_limit=args.memory_limit, threads=args.threads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out, index=False, encoding="utf-8", lineterminator="\n")
    print(f"duckdb reference: {len(df)} rows, {time.perf_counter() - t0:.2f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
