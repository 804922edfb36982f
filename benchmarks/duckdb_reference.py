"""The benchmark's DuckDB reference: the library's indicator queries, run bare.

Every indicator is defined once, as a DuckDB query
(:attr:`zwt_analysis.indicators.IndicatorSpec.sql`, run by
:mod:`zwt_analysis.indicators.engine`). This script runs exactly those
queries straight in DuckDB over the Parquet files that ``zwt clean`` wrote:
one ``UNION ALL`` of all of them, the value, the filter on zero
denominators and the order done in SQL, and the CSV written by DuckDB's
``COPY`` -- no pandas frame in between. It serves two purposes:

- **benchmark reference**: ``zwt indicators`` is timed against it (target:
  within 2x at scale 10), so the ratio shows what the zwt command adds
  around DuckDB (interpreter start and imports, the as-of from
  ``validation.json``, one query per indicator, the pandas result and its
  CSV);
- **check**: on the same processed folder it must give exactly the
  library's table (``tests/test_duckdb_reference.py``), i.e. the engine's
  binding and normalising add or lose nothing.

The definitions themselves are checked elsewhere: by hand-worked tables in
the tests, and against the table of the earlier pandas implementation
(``tests/test_indicators_golden.py``).

DuckDB reads the Parquet files in place and spills to disk beyond its
memory limit (``--memory-limit``), so this runs out of core on data larger
than memory, as does ``zwt indicators --memory-limit``.

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

import pandas as pd

from zwt_analysis.contract import INDICATOR_COLUMNS
from zwt_analysis.indicators import INDICATOR_LIST, engine, resolve_limits


def indicator_queries(limits: Mapping[str, int] | None = None) -> dict[str, str]:
    """indicator_id -> the library's query for it (without persons)."""
    lim = resolve_limits(limits)
    return {s.id: s.sql(lim, False) for s in INDICATOR_LIST}


def _table_sql(limits: Mapping[str, int] | None) -> str:
    union = " UNION ALL ".join(f"SELECT * FROM ({q})" for q in indicator_queries(limits).values())
    return f"""
        SELECT indicator_id, period, organisation, team,
               CAST(numerator AS DOUBLE) AS numerator,
               CAST(denominator AS DOUBLE) AS denominator,
               CAST(numerator AS DOUBLE) / CAST(denominator AS DOUBLE) AS value
        FROM ({union})
        WHERE denominator IS NOT NULL AND denominator <> 0
        ORDER BY indicator_id, period, organisation, team
    """


def read_as_of(processed_dir: str | Path) -> date:
    """The as-of date ``zwt clean`` recorded in ``validation.json``."""
    meta = json.loads((Path(processed_dir) / "validation.json").read_text(encoding="utf-8"))
    return date.fromisoformat(meta["as_of"])


def connect(processed_dir: str | Path, as_of: date, memory_limit: str | None = None,
            threads: int | None = None):  # noqa: ANN201 (duckdb connection)
    """An in-memory DuckDB connection with one view per source table over its Parquet file."""
    con = engine.connect(memory_limit=memory_limit, threads=threads)
    engine.bind_parquet(con, processed_dir)
    engine.set_dates(con, as_of)
    return con


def compute(processed_dir: str | Path, as_of: date | None = None,
            limits: Mapping[str, int] | None = None, memory_limit: str | None = None,
            threads: int | None = None) -> pd.DataFrame:
    """The long indicator table (contract columns) from one bare DuckDB query.

    ``as_of`` defaults to ``validation.json``; ``limits`` override the
    deadline limits. Rows with a zero or unknown denominator left out;
    sorted by indicator_id, period, organisation, team.
    """
    con = connect(processed_dir, as_of or read_as_of(processed_dir), memory_limit, threads)
    try:
        df = con.sql(_table_sql(limits)).df()
    finally:
        con.close()
    for c in ("indicator_id", "period", "organisation", "team"):
        df[c] = df[c].astype("string")
    return df[list(INDICATOR_COLUMNS)].reset_index(drop=True)


def write(processed_dir: str | Path, out: str | Path, memory_limit: str | None = None,
          threads: int | None = None) -> int:
    """Compute the table and let DuckDB write it as CSV (``COPY``); returns the row count."""
    con = connect(processed_dir, read_as_of(processed_dir), memory_limit, threads)
    try:
        target = str(out).replace("'", "''")
        return int(con.execute(f"COPY ({_table_sql(None)}) TO '{target}' (HEADER, DELIMITER ',')")
                   .fetchone()[0])
    finally:
        con.close()


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
    ap = argparse.ArgumentParser(description="The indicator queries run bare in DuckDB.")
    ap.add_argument("--processed", required=True, type=Path, help="folder written by `zwt clean`")
    ap.add_argument("--out", required=True, type=Path, help="CSV file for the long table")
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 2GB")
    ap.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    n = write(args.processed, args.out, memory_limit=args.memory_limit, threads=args.threads)
    print(f"duckdb reference: {n} rows, {time.perf_counter() - t0:.2f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
