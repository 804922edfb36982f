"""Indicators on processed data larger than memory: many copies of a municipality at once.

``zwt indicators`` runs the indicator queries in DuckDB straight over the
Parquet files, so with ``--memory-limit`` the processed folder may be far
larger than the memory the process gets. This script shows it at scale 100
and up without generating that much synthetic data: it writes a processed
folder holding ``--copies`` disjoint copies of an existing one (copy *r*
gets ``~r`` appended to every organisation, team, area and identifier, so
the copies share no person and no team: like many municipalities' wijkteams
in one export), runs ``zwt indicators`` on it as its own process with a
DuckDB memory limit, measures wall time and peak memory, and checks the
result: every team and organisation row of every copy must equal the row of
the original folder (computed the ordinary way), and the city rows of the
additive indicators must be ``copies`` times the original's numerator and
denominator.

Usage::

    python -m benchmarks.out_of_core --processed DIR --copies 10 --memory-limit 1GB [--work DIR]

The copies are written by DuckDB (``COPY ... TO parquet``), streaming, also
under the memory limit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

from zwt_analysis.contract import ALL, TABLES
from zwt_analysis.indicators import INDICATORS, compute_from_processed, engine

#: Contract kinds whose values get the copy suffix (plus organisation and team).
_SUFFIXED_KINDS = ("id",)
_SUFFIXED_NAMES = ("organisation", "team")
KEYS = ["indicator_id", "period", "organisation", "team"]


def _copy_sql(name: str, source: str, copies: int) -> str:
    cols = []
    for c in TABLES[name].columns:
        if c.kind in _SUFFIXED_KINDS or c.name in _SUFFIXED_NAMES:
            cols.append(f"CASE WHEN r = 0 OR {c.name} IS NULL THEN {c.name} "
                        f"ELSE {c.name} || '~' || CAST(r AS VARCHAR) END AS {c.name}")
        else:
            cols.append(c.name)
    return f"SELECT {', '.join(cols)} FROM {source}, range({int(copies)}) AS t(r)"


def replicate(processed: Path, out: Path, copies: int, memory_limit: str | None = None) -> dict[str, int]:
    """Write ``copies`` disjoint copies of the processed folder ``processed`` into ``out``.

    Returns table -> rows written. ``validation.json`` is copied (same as-of).
    """
    out.mkdir(parents=True, exist_ok=True)
    con = engine.connect(memory_limit=memory_limit)
    rows = {}
    try:
        for name in engine.SOURCE_TABLES:
            src = processed / f"{name}.parquet"
            if not src.exists():
                continue
            source = f"read_parquet('{src}')"
            target = out / f"{name}.parquet"
            rows[name] = int(con.execute(
                f"COPY ({_copy_sql(name, source, copies)}) TO '{target}' (FORMAT parquet)").fetchone()[0])
    finally:
        con.close()
    shutil.copy(processed / "validation.json", out / "validation.json")
    return rows


def check(original: pd.DataFrame, combined: pd.DataFrame, copies: int) -> list[str]:
    """Problems found comparing the combined table with the original (empty: none).

    Team and organisation rows of every copy equal the original's; city rows
    of additive indicators are ``copies`` times the original's sums.
    """
    problems = []
    base = original.loc[original["organisation"] != ALL].set_index(KEYS).sort_index()
    rows = combined.loc[combined["organisation"] != ALL]
    # copy r carries "~r" on organisation and team (copy 0 none); strip it, keep r
    split = rows["organisation"].str.split("~", n=1, expand=True).reindex(columns=[0, 1])
    copy_no = split[1].fillna("0").astype(int)
    rows = rows.assign(organisation=split[0],
                       team=rows["team"].str.replace(r"~\d+$", "", regex=True))
    for r in range(copies):
        part = rows.loc[copy_no == r].set_index(KEYS).sort_index()
        if not part.index.equals(base.index):
            problems.append(f"copy {r}: {len(part)} rows, original {len(base)}")
            continue
        diff = (part[["numerator", "denominator"]] - base[["numerator", "denominator"]]).abs()
        if (diff.to_numpy() > 1e-9 * base[["numerator", "denominator"]].abs().clip(lower=1).to_numpy()).any():
            problems.append(f"copy {r}: numbers differ from the original")
    additive = [i for i, s in INDICATORS.items() if s.additive]
    city_o = original.loc[(original["organisation"] == ALL) & original["indicator_id"].isin(additive)]
    city_c = combined.loc[(combined["organisation"] == ALL) & combined["indicator_id"].isin(additive)]
    m = city_o.merge(city_c, on=KEYS, suffixes=("_o", "_c"), how="outer", indicator=True)
    if (m["_merge"] != "both").any():
        problems.append(f"city rows: {int((m['_merge'] != 'both').sum())} not on both sides")
    else:
        for col in ("numerator", "denominator"):
            off = (m[f"{col}_c"] - copies * m[f"{col}_o"]).abs() > 1e-9 * m[f"{col}_c"].abs().clip(lower=1)
            if off.any():
                problems.append(f"city {col}: {int(off.sum())} rows not {copies}x the original")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line: replicate, run ``zwt indicators`` under a memory limit, measure and check."""
    from benchmarks.run import measure

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processed", required=True, type=Path, help="folder written by `zwt clean`")
    ap.add_argument("--copies", type=int, default=10, help="disjoint copies (default 10)")
    ap.add_argument("--memory-limit", default="1GB", help="DuckDB memory limit (default 1GB)")
    ap.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all)")
    ap.add_argument("--work", type=Path, default=None, help="folder for the copies (default: temporary)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="zwt-ooc-"))
    big = work / "processed"
    if big.exists():
        shutil.rmtree(big)
    rows = replicate(args.processed, big, args.copies, args.memory_limit)
    size = sum(p.stat().st_size for p in big.glob("*.parquet"))
    out = work / "indicators.csv"
    cmd = [str(Path(sys.executable).with_name("zwt")), "indicators", "--processed", str(big),
           "--out", str(out), "--memory-limit", args.memory_limit, "--temp-dir", str(work / "spill")]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    log = work / "zwt_indicators.log"
    m = measure(cmd, log=log)
    if m.returncode != 0:
        print(log.read_text(encoding="utf-8", errors="replace"), file=sys.stderr)
        return 1
    combined = pd.read_csv(out, dtype={"period": "string"}, keep_default_na=False)
    original = compute_from_processed(args.processed)
    problems = check(original, combined, args.copies)
    figures = {"copies": args.copies, "rows": rows, "parquet_bytes": size,
               "memory_limit": args.memory_limit, "wall_s": round(m.wall_s, 2),
               "peak_rss_mib": round(m.max_rss_bytes / 2**20), "indicator_rows": len(combined),
               "problems": problems}
    print(f"out of core: {args.copies} copies, {rows.get('time_registrations', 0):,} registrations, "
          f"{rows.get('cases', 0):,} cases, {size / 2**20:,.0f} MiB Parquet")
    print(f"  zwt indicators --memory-limit {args.memory_limit}: {m.wall_s:.1f} s, "
          f"peak RSS {m.max_rss_bytes / 2**20:,.0f} MiB, {len(combined):,} rows")
    print("  check: " + ("every copy equals the original; city sums = copies x original"
                         if not problems else "; ".join(problems)))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
