"""The indicator engine: every indicator is one SQL query, run by DuckDB.

Each indicator is defined once, as SQL over the processed tables of the data
contract (the builders live in :mod:`.hours`, :mod:`.deadlines`,
:mod:`.cases`, :mod:`.staff` and :mod:`.budgets`; the registry holds them).
The same query runs on two kinds of input:

- **pandas frames** (:func:`bind_frames`): DuckDB scans the frames in place,
  without copying them; used by the notebooks and the tests, which build
  small tables by hand;
- **Parquet files** (:func:`bind_parquet`): DuckDB reads the files that
  ``zwt clean`` wrote, only the columns and row groups a query needs, and
  spills to ``temp_directory`` beyond ``memory_limit`` -- so indicators for
  data larger than memory (many municipalities, scale 100 and up) need no
  second definition.

Both bind one view per source table under its contract name with the
contract's columns and types (a column or table that is absent becomes NULLs
/ an empty view). A query reads two variables: ``as_of`` (DATE) and
``obs_start`` (DATE or NULL, the observation start, see
:func:`set_dates`), and returns ``indicator_id, period, organisation, team,
numerator, denominator, persons``; :func:`query` leaves out rows with a zero
or unknown denominator, adds ``value`` and gives the internal table.

Floating sums use ``fsum`` (Kahan-compensated), so they do not depend on the
order in which DuckDB's threads add the rows: the written table is the same
on every run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..contract import ALL, INDICATOR_COLUMNS, TABLES
from ..errors import ZwtError
from ._common import INTERNAL_COLUMNS, PERSONS, empty_result, sort_table

if TYPE_CHECKING:
    import duckdb

#: Tables the indicators read (one view each).
SOURCE_TABLES: tuple[str, ...] = ("areas", "staff", "time_registrations", "cases", "formation", "budgets")

_SQL_TYPE = {"date": "DATE", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}

#: The three levels in one pass: team, organisation (team = ALL), city (both ALL).
ALL_LEVELS_SQL = "GROUPING SETS ((period, organisation, team), (period, organisation), (period))"
#: Organisation and city only (workforce and funding indicators).
ORG_LEVELS_SQL = "GROUPING SETS ((period, organisation), (period))"
#: Level labels for :data:`ALL_LEVELS_SQL`.
LABELS_SQL = (f"CASE WHEN grouping(organisation) = 1 THEN '{ALL}' ELSE organisation END AS organisation, "
              f"CASE WHEN grouping(team) = 1 THEN '{ALL}' ELSE team END AS team")
#: Level labels for :data:`ORG_LEVELS_SQL`.
ORG_LABELS_SQL = (f"CASE WHEN grouping(organisation) = 1 THEN '{ALL}' ELSE organisation END "
                  f"AS organisation, '{ALL}' AS team")

#: The first day the exports observe: the earliest case report or registered hour
#: (NULL when neither table has rows).
OBSERVATION_START_SQL = """
SELECT min(d) FROM (SELECT min(date_report) AS d FROM cases
                    UNION ALL SELECT min(date) FROM time_registrations)
"""


def quarter_sql(col: str) -> str:
    """SQL for ``YYYY-Qn`` of the DATE expression ``col``."""
    return f"(CAST(year({col}) AS VARCHAR) || '-Q' || CAST(quarter({col}) AS VARCHAR))"


def year_sql(col: str) -> str:
    """SQL for ``YYYY`` (text) of the DATE expression ``col``."""
    return f"CAST(year({col}) AS VARCHAR)"


def clip_sql(col: str) -> str:
    """An event date after as-of has not happened yet: SQL giving NULL for it."""
    return f"CASE WHEN {col} <= getvariable('as_of') THEN {col} END"


def persons_sql(column: str, with_persons: bool) -> str:
    """``count(DISTINCT column) AS persons``, or a NULL ``persons`` without persons."""
    if with_persons:
        return f"count(DISTINCT {column}) AS {PERSONS}"
    return f"CAST(NULL AS BIGINT) AS {PERSONS}"


# ----------------------------------------------------------------- connections

def connect(memory_limit: str | None = None, threads: int | None = None,
            temp_directory: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection.

    Args:
        memory_limit: e.g. ``"2GB"``; beyond it DuckDB spills to ``temp_directory``.
        threads: worker threads (default: ``$ZWT_THREADS`` if set, else all
            cores; ``zwt report`` sets it to 1 in parallel kernels).
        temp_directory: where DuckDB spills (default: DuckDB's own, next to
            the database, ``.tmp`` in the working folder for in-memory ones).
    """
    import duckdb

    if threads is None and os.environ.get("ZWT_THREADS", "").isdigit():
        threads = int(os.environ["ZWT_THREADS"]) or None
    con = duckdb.connect()
    settings = [("memory_limit", memory_limit, f"'{_literal(str(memory_limit))}'"),
                ("threads", threads, str(int(threads or 0))),
                ("temp_directory", temp_directory, f"'{_literal(str(temp_directory))}'")]
    for name, value, literal in settings:
        if not value:
            continue
        try:
            con.execute(f"SET {name} = {literal}")
        except duckdb.Error as err:
            con.close()
            raise ZwtError(f"DuckDB setting {name}={value!r} refused: {err}") from None
    con.execute("SET preserve_insertion_order = false")
    return con


def _literal(text: str) -> str:
    return text.replace("'", "''")


def _view(con: duckdb.DuckDBPyConnection, name: str, source: str | None, present: set[str]) -> None:
    """Create view ``name`` with every contract column of the table, cast to its type."""
    cols = []
    for c in TABLES[name].columns:
        sql_type = _SQL_TYPE.get(c.kind, "VARCHAR")
        if source is not None and c.name in present:
            cols.append(f'CAST("{c.name}" AS {sql_type}) AS {c.name}')
        else:
            cols.append(f"CAST(NULL AS {sql_type}) AS {c.name}")
    body = f"SELECT {', '.join(cols)} FROM {source}" if source else f"SELECT {', '.join(cols)} WHERE false"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {body}")


def bind_frames(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pd.DataFrame | None]) -> None:
    """One view per source table over the pandas frame in ``tables`` (absent: empty).

    DuckDB scans the frames in place. Text may be ``string``, ``object`` or
    ``category``; dates ``datetime64`` or ISO text.
    """
    for name in SOURCE_TABLES:
        frame = tables.get(name)
        if frame is None:
            _view(con, name, None, set())
            continue
        raw = f"_frame_{name}"
        con.register(raw, _scannable(frame))
        _view(con, name, raw, {str(c) for c in frame.columns})


def _scannable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a plain RangeIndex and string column names (what DuckDB scans)."""
    if not isinstance(frame.index, pd.RangeIndex) or any(not isinstance(c, str) for c in frame.columns):
        frame = frame.reset_index(drop=True)
        frame.columns = [str(c) for c in frame.columns]
    return frame


def bind_parquet(con: duckdb.DuckDBPyConnection, processed_dir: str | Path) -> None:
    """One view per source table over ``<processed_dir>/<table>.parquet`` (absent: empty)."""
    from .. import processed as processed_mod

    for name in SOURCE_TABLES:
        path = processed_mod.table_path(processed_dir, name)
        if not path.exists():
            _view(con, name, None, set())
            continue
        source = f"read_parquet('{_literal(str(path))}')"
        present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
        _view(con, name, source, present)


def set_dates(con: duckdb.DuckDBPyConnection, as_of: date, since: date | None | str = "auto") -> None:
    """Set the query variables ``as_of`` and ``obs_start``.

    ``since="auto"`` takes the observation start from the bound ``cases`` and
    ``time_registrations`` (:data:`OBSERVATION_START_SQL`); a date sets it;
    ``None`` means no lower bound (measurement days then start at the
    earliest data the query itself sees).
    """
    con.execute(f"SET VARIABLE as_of = DATE '{pd.Timestamp(as_of).date().isoformat()}'")
    if since == "auto":
        con.execute(f"SET VARIABLE obs_start = ({OBSERVATION_START_SQL})")
    elif since is None or pd.isna(since):
        con.execute("SET VARIABLE obs_start = CAST(NULL AS DATE)")
    else:
        con.execute(f"SET VARIABLE obs_start = DATE '{pd.Timestamp(since).date().isoformat()}'")


def observation_start(source: duckdb.DuckDBPyConnection | Mapping[str, pd.DataFrame | None],
                      ) -> pd.Timestamp | None:
    """The first day the exports observe: the earliest case report or registered hour.

    ``source`` is a connection with bound tables or a mapping of pandas
    frames. Staff spells reach back to long before the export window (only
    those who stayed are in it), so measurements on a day (quarter ends,
    1 January, 1 July) start in this day's quarter or year. ``None`` when
    neither ``cases`` nor ``time_registrations`` has a row.
    """
    if isinstance(source, Mapping):
        con = connect()
        try:
            bind_frames(con, source)
            return observation_start(con)
        finally:
            con.close()
    value = source.execute(OBSERVATION_START_SQL).fetchone()[0]
    return None if value is None else pd.Timestamp(value)


# ----------------------------------------------------------------- queries

def query(con: duckdb.DuckDBPyConnection, sql: str, with_persons: bool = False) -> pd.DataFrame:
    """Run indicator SQL and give the internal indicator table.

    ``sql`` returns ``indicator_id, period, organisation, team, numerator,
    denominator, persons``. Rows with a zero or NULL denominator are left
    out; ``value = numerator / denominator``; numbers as float64, text as
    ``string``, ``persons`` as ``Int64`` (only with ``with_persons``); sorted
    by indicator_id, period, organisation, team.
    """
    df = con.execute(f"""
        SELECT CAST(indicator_id AS VARCHAR) AS indicator_id, CAST(period AS VARCHAR) AS period,
               CAST(organisation AS VARCHAR) AS organisation, CAST(team AS VARCHAR) AS team,
               CAST(numerator AS DOUBLE) AS numerator,
               CAST(denominator AS DOUBLE) AS denominator,
               CAST(numerator AS DOUBLE) / CAST(denominator AS DOUBLE) AS value,
               CAST({PERSONS} AS BIGINT) AS {PERSONS}
        FROM ({sql})
        WHERE denominator IS NOT NULL AND denominator <> 0
    """).df()
    if df.empty:
        return empty_result(with_persons)
    out = pd.DataFrame({
        **{c: df[c].astype("string") for c in ("indicator_id", "period", "organisation", "team")},
        **{c: df[c].astype("float64") for c in ("numerator", "denominator", "value")},
    })
    if with_persons:
        out[PERSONS] = df[PERSONS].astype("Int64")
    return sort_table(out[list(INTERNAL_COLUMNS if with_persons else INDICATOR_COLUMNS)])


def run(sql: str, tables: Mapping[str, pd.DataFrame | None], as_of: date,
        with_persons: bool = False, since: date | None | str = "auto") -> pd.DataFrame:
    """Bind ``tables`` (pandas frames), set the dates and run one indicator query."""
    con = connect()
    try:
        bind_frames(con, tables)
        set_dates(con, as_of, since)
        return query(con, sql, with_persons)
    finally:
        con.close()


def fetch(sql: str, tables: Mapping[str, pd.DataFrame | None], as_of: date,
          since: date | None | str = "auto", keep_order: bool = False) -> pd.DataFrame:
    """Bind ``tables`` and return any query's result as a DataFrame (no normalising).

    For row-level views that belong to an indicator's definition (such as
    the status of each case against its deadline). ``keep_order``: a plain
    scan and filter returns the rows in the order of the input frame (DuckDB
    otherwise may reorder large inputs).
    """
    con = connect()
    try:
        if keep_order:
            con.execute("SET preserve_insertion_order = true")
        bind_frames(con, tables)
        set_dates(con, as_of, since)
        return con.execute(sql).df()
    finally:
        con.close()
