"""What ``zwt clean`` writes: clean tables, quarantine, validation.json, the summary.

Tables are built and written one at a time and in slices (bounded memory);
every output is deterministic for the same input and key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from zwt_analysis import config, processed
from zwt_analysis.contract import MAIN_ASSIGNMENT, PERSON_ID_COLUMNS, QUARANTINE_COLUMNS, TABLES
from zwt_analysis.fsutil import write_csv
from zwt_analysis.ingest import parse, privacy
from zwt_analysis.ingest.check import TableResult
from zwt_analysis.ingest.privacy import NO_KEY_WARNING, PseudonymKey, pseudonymise

#: ``as_of_source`` in validation.json -> how the summary explains it.
AS_OF_SOURCES = {
    "option": "given with --as-of",
    "data": "latest event date in the data",
    "today": "the run date: no event date in the data, or the latest one lies after today",
}
#: How many of the most frequent quarantine reasons the summary shows.
TOP_REASONS = 10


@dataclass
class CleanRun:
    """Everything one run produced (returned by :func:`run` for tests and callers)."""

    results: dict[str, TableResult]
    quarantine: pd.DataFrame
    validation: dict
    key: PseudonymKey

    def frame(self, name: str) -> pd.DataFrame:
        """The cleaned table ``name`` as written to Parquet (built on demand)."""
        return clean_frame(self.results[name], self.key)

    @cached_property
    def frames(self) -> dict[str, pd.DataFrame]:
        """Every cleaned table (built once; :func:`main` writes them one by one instead)."""
        return {name: self.frame(name) for name in self.results}


def clean_frame(res: TableResult, key: PseudonymKey, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Clean rows of a table in source order, identifiers pseudonymised, processed dtypes.

    Args:
        res: the checked table.
        key: pseudonym key.
        rows: positions of the clean rows to build (default: all clean rows);
            used to write big tables in slices.
    """
    if rows is None:
        rows = np.flatnonzero(~res.broken_rows())
    df = res.parsed.iloc[rows].reset_index(drop=True)
    for c in df.columns:
        if c in PERSON_ID_COLUMNS:
            df[c] = pseudonymise(df[c], key)
        elif isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = parse.as_string(df[c])
    if res.name == "time_registrations":
        df["assignment_id"] = df["assignment_id"].fillna(MAIN_ASSIGNMENT)
    return processed.coerce_types(res.name, df)


def quarantine_frame(results: dict[str, TableResult],
                     known: frozenset[str] = frozenset()) -> pd.DataFrame:
    """``quarantine.csv`` content: sorted by table (contract order), row, column, rule order.

    No raw identifier: person-id values are pseudonymised already; in every
    value a BSN-like number or a ``known`` raw identifier is masked as well
    (:func:`.privacy.mask_text`, which leaves pseudonyms alone; column
    ``masked`` says where).
    """
    frames = []
    for t_idx, name in enumerate(TABLES):
        if name not in results:
            continue
        df = results[name].issue_frame()
        if not len(df):
            continue
        order = {c: i for i, c in enumerate(["", *TABLES[name].column_names])}
        df = df.assign(table=name, _t=t_idx, _c=df["column"].map(order).fillna(len(order)),
                       _s=np.arange(len(df)))
        frames.append(df)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in QUARANTINE_COLUMNS})
    q = pd.concat(frames, ignore_index=True).sort_values(["_t", "row", "_c", "_s"], kind="stable")
    q["row_number"] = q["row"].astype("int64") + 1
    q = q.reset_index(drop=True)
    values = q["value"].where(q["value"].notna(), "").astype(str)
    masked = pd.Series([privacy.mask_text(v, known) for v in values], index=q.index, dtype=object)
    q["masked"] = (masked != values).to_numpy()
    q["value"] = masked.where(q["value"].notna(), None)
    return q


def validation_dict(results: dict[str, TableResult], quarantine: pd.DataFrame, as_of: date,
                    as_of_source: str, synthetic: bool, column_map: Path | None,
                    key: PseudonymKey,
                    unmatched: list[tuple[str, str | None]] | tuple = ()) -> dict:
    """The flat ``validation.json`` content (deterministic: no times, no absolute paths)."""
    out: dict = {}
    for name in TABLES:
        if name not in results:
            continue
        res = results[name]
        n = len(res.parsed)
        broken = int(res.broken_rows().sum())
        q = quarantine[quarantine["table"] == name] if len(quarantine) else quarantine
        counts: dict[str, int] = {}
        if len(q):
            lab = (q["column"].astype(str) + ": " + q["rule"].astype(str)).str.replace(
                r"^: ", "", regex=True)
            vc = lab.value_counts()
            counts = {str(k): int(v) for k, v in sorted(vc.items(), key=lambda kv: (-kv[1], kv[0]))}
        masked_lines = int(q["masked"].sum()) if len(q) and "masked" in q else 0
        out[name] = _table_entry(res, q, counts, n, broken, masked_lines)
    out["as_of"] = as_of.isoformat()
    out["as_of_source"] = as_of_source
    out["synthetic"] = synthetic
    out["missing_tables"] = [n for n in TABLES if n not in results]
    out["unmatched_files"] = [{"file": f, "likely_table": t} for f, t in unmatched]
    out["column_map_used"] = column_map.name if column_map is not None else None
    out["pseudonym_key"] = "random (this run only)" if key.is_random else key.source
    return out


def _table_entry(res: TableResult, q: pd.DataFrame, counts: dict[str, int], n: int,
                 broken: int, masked_lines: int) -> dict:
    """One table's entry of ``validation.json``."""
    raw = res.raw
    return {
        "rows_in": n,
        "rows_clean": n - broken,
        "rows_quarantined": broken,
        "quarantine_lines": int(len(q)),
        "source_file": raw.path.name,
        "encoding": raw.encoding,
        "separator": raw.separator,
        "unknown_columns": list(raw.unknown_columns),
        "missing_optional_columns": list(raw.missing_optional),
        "renamed_columns": dict(raw.renamed_columns),
        "quarantine_reasons": counts,
        "header_row": raw.header_row,
        "sheet": raw.sheet,
        "skipped_sheets": list(raw.skipped_sheets),
        "cp1252_lines": raw.cp1252_lines,
        "empty_lines": raw.empty_lines,
        "merged_cells_filled": raw.merged_cells_filled,
        "identical_rows": res.identical_rows,
        "name_mappings": {c: dict(sorted(m.items())) for c, m in sorted(res.name_mappings.items())},
        "masked_values": {"clean_cells": res.masked_cells, "quarantine_lines": masked_lines},
    }


#: Rows per slice when writing a cleaned table (bounds memory; fixed for determinism).
WRITE_SLICE_ROWS = 1 << 20


def write_table(res: TableResult, key: PseudonymKey, path: Path) -> None:
    """Write the clean rows of ``res`` to Parquet, building at most one slice at a time.

    The file holds ``clean_frame(res, key)`` (zstd-compressed); big tables
    are built and written in slices of ``WRITE_SLICE_ROWS`` rows (each a row
    group), so their text columns are never all decoded at once.
    """
    ok = np.flatnonzero(~res.broken_rows())
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, max(len(ok), 1), WRITE_SLICE_ROWS):
            df = clean_frame(res, key, ok[start:start + WRITE_SLICE_ROWS])
            table = pa.Table.from_pandas(df, preserve_index=False,
                                         schema=None if writer is None else writer.schema)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table)
            del df, table
            pa.default_memory_pool().release_unused()
    finally:
        if writer is not None:
            writer.close()


def write_outputs(target: Path, run_: CleanRun, synthetic_marker: bytes | None) -> None:
    """Write every output file into the (new, empty) folder ``target``.

    Tables are built and written one at a time and in slices (see
    :func:`write_table`), so memory stays bounded.
    """
    for name, res in run_.results.items():
        write_table(res, run_.key, processed.table_path(target, name))
    quarantine, validation = run_.quarantine, run_.validation
    q = quarantine.reindex(columns=list(QUARANTINE_COLUMNS))
    write_csv(q, target / processed.QUARANTINE_FILE)
    (target / processed.VALIDATION_FILE).write_text(
        json.dumps(validation, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if synthetic_marker is not None:
        (target / config.SYNTHETIC_MARKER).write_bytes(synthetic_marker)


def _notes(v: dict) -> list[str]:
    """Summary lines for what reading had to make of the files (only when it happened)."""
    notes = []
    for f in v.get("unmatched_files", []):
        hint = (f"most likely {f['likely_table']}: rename it to "
                f"{f['likely_table']}{Path(f['file']).suffix.lower()}"
                if f["likely_table"] else "matches no table")
        notes.append(f"not read: {f['file']} ({hint})")
    for name in TABLES:
        t = v.get(name)
        if not t:
            continue
        if t["cp1252_lines"] and t["encoding"] != "cp1252":
            notes.append(f"{name}: {t['cp1252_lines']} lines read as Windows-1252")
        if t["header_row"] > 1:
            notes.append(f"{name}: header found on row {t['header_row']}")
        if t["skipped_sheets"]:
            notes.append(f"{name}: sheets skipped (no fitting header): "
                         + ", ".join(t["skipped_sheets"]))
        if t["identical_rows"]:
            notes.append(f"{name}: {t['identical_rows']} rows identical to an earlier row (kept)")
        n_map = sum(len(m) for m in t["name_mappings"].values())
        if n_map:
            notes.append(f"{name}: {n_map} names written as areas writes them "
                         "(see name_mappings in validation.json)")
        masked = t["masked_values"]["clean_cells"] + t["masked_values"]["quarantine_lines"]
        if masked:
            notes.append(f"{name}: {masked} values with an identifier or BSN masked")
    return notes


def summary_text(run_: CleanRun, out: Path) -> str:
    """The readable summary printed at the end of ``zwt clean``."""
    v = run_.validation
    source = AS_OF_SOURCES.get(v["as_of_source"], v["as_of_source"])
    lines = [f"zwt clean: wrote {out}", f"as-of: {v['as_of']} ({source})", ""]
    header = f"{'table':<20}{'rows in':>10}{'clean':>10}{'quarantined':>13}  source"
    lines.append(header)
    for name in TABLES:
        if name not in v:
            continue
        t = v[name]
        sep = {"\t": "tab"}.get(t["separator"], t["separator"])
        fmt = t["separator"] and f"{t['encoding']}, '{sep}'" or f"xlsx, sheet '{t['sheet']}'"
        lines.append(f"{name:<20}{t['rows_in']:>10}{t['rows_clean']:>10}"
                     f"{t['rows_quarantined']:>13}  {t['source_file']} ({fmt})")
    lines.append("")
    lines.append("missing tables: " + (", ".join(v["missing_tables"]) or "none"))
    unknown = [f"{n}: {', '.join(v[n]['unknown_columns'])}" for n in TABLES
               if n in v and v[n]["unknown_columns"]]
    lines.append("unknown columns (left out): " + ("; ".join(unknown) or "none"))
    lines += _notes(v)
    q = run_.quarantine
    if len(q):
        lab = (q["table"].astype(str) + "." + q["column"].astype(str) + ": "
               + q["rule"].astype(str)).str.replace(".: ", ": ", regex=False)
        vc = lab.value_counts()
        top = sorted(vc.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
        lines.append(f"most frequent quarantine reasons ({len(q)} lines in quarantine.csv):")
        lines += [f"  {n:>8}  {label}" for label, n in top]
    else:
        lines.append("quarantine: no broken rows")
    if run_.key.is_random:
        lines.append("")
        lines.append(NO_KEY_WARNING)
    return "\n".join(lines)
