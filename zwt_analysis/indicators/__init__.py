"""Every indicator of the data contract (section 4), defined once.

``compute_indicators(tables, as_of)`` gives the long table with the contract
columns ``indicator_id, period, organisation, team, numerator, denominator,
value``; ``zwt indicators`` writes it as CSV. The definitions live in
:mod:`.registry` (one :class:`IndicatorSpec` per indicator, with the function
that computes it); the computations in :mod:`.hours`, :mod:`.deadlines`,
:mod:`.cases`, :mod:`.staff` and :mod:`.budgets`.

Conventions shared by all indicators:

- levels: team; organisation (``team = ALL``); city (``organisation = ALL,
  team = ALL``); the workforce and funding indicators at organisation and
  city only;
- periods ``YYYY-Qn`` / ``YYYY``, only up to the as-of date (a measurement
  day -- quarter end, 1 January, 1 July -- only when it is on or before
  as-of; event dates after as-of count as not yet happened); measurement
  days start at the observation start (:func:`observation_start`: the
  earliest case report or hour registration), since staff spells reach
  back before the export window;
- ``value = numerator / denominator``; rows with a zero (or unknown)
  denominator are left out;
- rows sorted by indicator_id, period, organisation, team.

Engine: each indicator is one DuckDB query (:attr:`IndicatorSpec.sql`),
run by :mod:`.engine` on pandas frames (:func:`compute_indicators`, for
notebooks and tests) or straight on the processed Parquet files
(:func:`compute_from_processed`, what ``zwt indicators`` does; with a memory
limit DuckDB spills to disk, so the folder may be larger than memory). The
spec's ``source_columns`` declare every column its query reads (tested).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .. import processed as processed_mod
from ..contract import INDICATOR_COLUMNS
from ..errors import ZwtError
from . import engine
from ._common import (
    INTERNAL_COLUMNS,
    PERSONS,
    empty_result,
    sort_table,
)
from .budgets import incidental_funding_share
from .cases import caseload_per_fte, reach_per_1000, reregistration_12m
from .deadlines import (
    DEADLINES,
    deadline_on_time,
    deadline_status,
    default_limit_details,
    load_limits,
    resolve_limits,
)
from .engine import observation_start
from .hours import additional_assignment_share, preventive_share
from .registry import INDICATOR_LIST, INDICATORS, IndicatorSpec, describe, share_indicators, spec
from .staff import january_headcount, staff_inflow_rate, staff_outflow_rate, vacancy_rate

__all__ = [
    "DEADLINES",
    "INDICATORS",
    "INDICATOR_LIST",
    "INTERNAL_COLUMNS",
    "IndicatorSpec",
    "PERSONS",
    "additional_assignment_share",
    "caseload_per_fte",
    "compute_from_processed",
    "compute_indicators",
    "deadline_on_time",
    "deadline_status",
    "default_limit_details",
    "describe",
    "engine",
    "incidental_funding_share",
    "january_headcount",
    "load_limits",
    "main",
    "observation_start",
    "preventive_share",
    "reach_per_1000",
    "reregistration_12m",
    "resolve_limits",
    "share_indicators",
    "spec",
    "staff_inflow_rate",
    "staff_outflow_rate",
    "vacancy_rate",
]


def _tables_needed() -> list[str]:
    return sorted({t for s in INDICATOR_LIST for t in s.source_tables})


def _run_all(con: Any, as_of: date, limits: Mapping[str, Any] | None, with_persons: bool,
             only: list[str] | None, since: date | None | str = "auto") -> pd.DataFrame:
    """Run every indicator (or those in ``only``) on the tables bound to ``con``."""
    lim = resolve_limits(limits)
    engine.set_dates(con, as_of, since)
    parts = [engine.query(con, spec(i).sql(lim, with_persons), with_persons)
             for i in (only or list(INDICATORS))]
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_result(with_persons)
    return sort_table(pd.concat(parts, ignore_index=True))


def compute_indicators(
    tables: Mapping[str, pd.DataFrame],
    as_of: date,
    limits: Mapping[str, Any] | None = None,
    with_persons: bool = False,
    only: list[str] | None = None,
) -> pd.DataFrame:
    """Compute every indicator (or those in ``only``) from pandas frames into one long table.

    DuckDB scans the frames in place (:func:`.engine.bind_frames`); the
    queries are the same as for Parquet files (:func:`compute_from_processed`).

    Args:
        tables: processed tables by name; an absent table counts as empty
            (its indicators then give no rows).
        as_of: reference date (from ``validation.json`` in the CLI).
        limits: deadline limits (key -> days) overriding the defaults, e.g.
            from :func:`load_limits`.
        with_persons: add the column ``persons`` (distinct clients or
            employees behind each row, for suppression; missing where no
            persons stand behind a row, as for money).
        only: indicator ids to compute (default: all, in catalogue order).

    Returns:
        The contract columns (plus ``persons``), sorted by indicator_id,
        period, organisation, team.
    """
    con = engine.connect()
    try:
        engine.bind_frames(con, tables)
        return _run_all(con, as_of, limits, with_persons, only)
    finally:
        con.close()


def compute_from_processed(
    processed_dir: str | Path,
    limits_file: str | Path | None = None,
    with_persons: bool = False,
    *,
    limits: Mapping[str, Any] | None = None,
    only: list[str] | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | Path | None = None,
) -> pd.DataFrame:
    """Compute every indicator straight from the Parquet files of a processed folder.

    The as-of date comes from its ``validation.json``. DuckDB reads only the
    columns and rows each query needs and, with ``memory_limit``, spills to
    ``temp_directory`` instead of failing: the folder may be larger than
    memory. ``limits`` (a mapping) wins over ``limits_file``.
    """
    day = processed_mod.as_of(processed_dir)
    lim = limits if limits is not None else load_limits(limits_file)
    con = engine.connect(memory_limit=memory_limit, threads=threads, temp_directory=temp_directory)
    try:
        engine.bind_parquet(con, processed_dir)
        return _run_all(con, day, lim, with_persons, only)
    finally:
        con.close()


def write_csv(df: pd.DataFrame, out: str | Path) -> Path:
    """Write the contract columns of ``df`` as UTF-8 CSV (via a temporary file, then rename)."""
    from zwt_analysis.fsutil import write_csv as write_any

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_any(df[list(INDICATOR_COLUMNS)], out, quote_text=False, atomic=True)


def main(processed: Path, out: Path, limits: Path | None = None, memory_limit: str | None = None,
         threads: int | None = None, temp_directory: Path | None = None) -> int:
    """``zwt indicators``: compute every indicator from ``processed`` into the CSV ``out``.

    ``memory_limit`` (e.g. ``"2GB"``), ``threads`` and ``temp_directory`` go
    to DuckDB (:func:`.engine.connect`).
    """
    processed = Path(processed)
    if not processed.is_dir():
        raise ZwtError(f"{processed}: processed folder not found; run `zwt clean` first")
    try:
        day = processed_mod.as_of(processed)
    except FileNotFoundError as err:
        raise ZwtError(str(err)) from None
    lim = load_limits(limits)
    t0 = time.perf_counter()
    missing = [n for n in _tables_needed() if not processed_mod.table_path(processed, n).exists()]
    df = compute_from_processed(processed, limits=lim, memory_limit=memory_limit, threads=threads,
                                temp_directory=temp_directory)
    path = write_csv(df, out)
    seconds = time.perf_counter() - t0
    counts = df.groupby("indicator_id", sort=False).size() if len(df) else pd.Series(dtype="int64")
    absent = [i for i in INDICATORS if i not in counts.index]
    print(f"zwt indicators: as-of {day.isoformat()}, {len(df)} rows, "
          f"{len(counts)}/{len(INDICATORS)} indicators, {seconds:.1f} s -> {path}")
    if missing:
        print(f"  tables not delivered: {', '.join(missing)}")
    if absent:
        print(f"  no rows for: {', '.join(absent)}")
    return 0

