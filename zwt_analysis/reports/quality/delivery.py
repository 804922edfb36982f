"""What reading had to make of the files: the notes of contract section 6 in ``validation.json``.

``zwt clean`` records, per table, how a file was read when it was not plain
(lines decoded as Windows-1252 inside a UTF-8 file, the header row and the
sheet used, rows identical to an earlier row, organisation and team names
respelled to match ``areas``, values masked) and, for the whole delivery,
files whose name matches no table. This module turns whatever of that is
present into one long table; every key is optional, and a value of an
unexpected shape is skipped rather than failing the report (the ingest step
may add or rename keys).

Keys read, per table entry (``validation[table]``): ``cp1252_lines`` (int)
with ``encoding`` (``"cp1252"``: the whole file), ``duplicate_rows`` or
``identical_rows`` (int), ``name_mappings`` (``{column: {from: to}}``, a flat
``{from: to}`` or a list of ``{"column", "from", "to"}``), ``header_row``
(1-based; noted when above 1), ``sheet`` (str), ``skipped_sheets`` (list),
``empty_lines`` (int), ``merged_cells_filled`` (int) and ``masked_values``
(int or ``{"clean_cells", "quarantine_lines"}``). Top level:
``unmatched_files`` (a list of ``{"file", "likely_table"}``, of ``[file,
table]`` pairs or of file names).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from zwt_analysis.contract import TABLES

#: Columns of :func:`delivery_notes`.
NOTE_COLUMNS = ("table", "kind", "count", "detail")

#: The kinds of note, most consequential first (the order of :func:`delivery_notes`): a file
#: not read loses data, a wrong character set or respelled names change values, the rest
#: says how a layout was read.
KINDS = ("unmatched_file", "encoding", "cp1252_lines", "duplicate_rows", "name_mappings",
         "masked_values", "header_row", "skipped_sheets", "sheet", "empty_lines", "merged_cells")

#: Examples shown per name-mapping note (the CSV side table has all of them).
MAPPING_EXAMPLES = 3


def _int(value: Any) -> int | None:
    """A whole number >= 0 from a JSON value, else None (bools and text are not counts)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if value == value and value >= 0 else None


def _mappings(value: Any) -> list[tuple[str, str, str]]:
    """``(column, from, to)`` of every name mapping, in any of the accepted shapes."""
    out: list[tuple[str, str, str]] = []
    if isinstance(value, Mapping):
        for key, val in value.items():
            if isinstance(val, Mapping):
                out += [(str(key), str(a), str(b)) for a, b in val.items()]
            elif isinstance(val, str):
                out.append(("", str(key), val))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and "from" in item and "to" in item:
                out.append((str(item.get("column", "")), str(item["from"]), str(item["to"])))
    return sorted(out)


def _unmatched(value: Any) -> list[tuple[str, str]]:
    """``(file, likely table or "")`` of every file that matched no table."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Mapping) and item.get("file"):
            out.append((str(item["file"]), str(item.get("likely_table") or "")))
        elif isinstance(item, (list, tuple)) and item:
            out.append((str(item[0]), str(item[1] or "") if len(item) > 1 else ""))
        elif isinstance(item, str):
            out.append((item, ""))
    return out


def _masked(value: Any) -> int | None:
    if isinstance(value, Mapping):
        counts = [_int(v) for v in value.values()]
        return sum(c for c in counts if c is not None)
    return _int(value)


def table_notes(name: str, entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The notes of one table's entry (only what happened: zero counts give no note).

    Returns:
        Dicts with :data:`NOTE_COLUMNS`: ``count`` a number of lines, rows,
        names or values (None where the note is not a count) and ``detail``
        a short text (a header row number, a sheet name, mapping examples).
    """
    notes: list[dict[str, Any]] = []

    def add(kind: str, count: int | None = None, detail: str = "") -> None:
        notes.append({"table": name, "kind": kind, "count": count, "detail": detail})

    lines = _int(entry.get("cp1252_lines"))
    if str(entry.get("encoding", "")).lower() in ("cp1252", "windows-1252"):
        add("encoding", detail="Windows-1252")
    elif lines:
        add("cp1252_lines", lines)
    header = _int(entry.get("header_row"))
    if header is not None and header > 1:
        add("header_row", detail=str(header))
    if isinstance(entry.get("sheet"), str) and entry["sheet"]:
        add("sheet", detail=entry["sheet"])
    skipped = entry.get("skipped_sheets")
    if isinstance(skipped, list) and skipped:
        add("skipped_sheets", len(skipped), ", ".join(str(s) for s in skipped))
    dup = _int(entry.get("duplicate_rows", entry.get("identical_rows")))
    if dup:
        add("duplicate_rows", dup)
    maps = _mappings(entry.get("name_mappings"))
    if maps:
        shown = "; ".join(f"{a} → {b}" for _, a, b in maps[:MAPPING_EXAMPLES])
        add("name_mappings", len(maps), shown + ("; …" if len(maps) > MAPPING_EXAMPLES else ""))
    for key, kind in (("empty_lines", "empty_lines"), ("merged_cells_filled", "merged_cells")):
        n = _int(entry.get(key))
        if n:
            add(kind, n)
    masked = _masked(entry.get("masked_values"))
    if masked:
        add("masked_values", masked)
    return notes


def delivery_notes(validation: Mapping[str, Any]) -> pd.DataFrame:
    """Every section-6 note of ``validation.json``, by :data:`KINDS` (then contract order).

    Args:
        validation: the parsed ``validation.json`` (any keys may be absent).

    Returns:
        :data:`NOTE_COLUMNS`; ``table`` is the contract table (for an
        unmatched file: the table it most likely belongs to, or ""), ``count``
        nullable Int64. Empty (with these columns) when nothing is noted.

    Examples:
        >>> v = {"unmatched_files": [{"file": "Cases 2025-06.csv", "likely_table": "cases"}],
        ...      "budgets": {"identical_rows": 2, "header_row": 1}}
        >>> delivery_notes(v)[["table", "kind", "count"]].values.tolist()
        [['cases', 'unmatched_file', <NA>], ['budgets', 'duplicate_rows', 2]]
    """
    rows = [{"table": t, "kind": "unmatched_file", "count": None, "detail": f}
            for f, t in _unmatched(validation.get("unmatched_files"))]
    for name in TABLES:
        entry = validation.get(name)
        if isinstance(entry, Mapping):
            rows += table_notes(name, entry)
    order = {k: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: order[r["kind"]])  # stable: contract order within a kind
    df = pd.DataFrame(rows, columns=list(NOTE_COLUMNS))
    return df.astype({"table": "string", "kind": "string", "count": "Int64", "detail": "string"})


def name_mappings(validation: Mapping[str, Any]) -> pd.DataFrame:
    """Every organisation or team name respelled to match ``areas``, per table.

    Returns:
        ``table``, ``column``, ``from``, ``to`` (text); empty when none.
    """
    rows = []
    for name in TABLES:
        entry = validation.get(name)
        if isinstance(entry, Mapping):
            rows += [(name, c, a, b) for c, a, b in _mappings(entry.get("name_mappings"))]
    return pd.DataFrame(rows, columns=["table", "column", "from", "to"]).astype("string")
