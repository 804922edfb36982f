"""Header rows: the column map, matching export headers to contract columns, finding the header.

Headers are matched after trimming and lower-casing; a user-supplied column
map (``--column-map``) renames a real export's own headers first. The header
row is the first row, within the first :data:`HEADER_SEARCH_ROWS` rows of a
file or sheet, that holds every required column of the table (title and
blank rows may stand above it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from zwt_analysis.contract import TABLES, Table
from zwt_analysis.errors import FatalInputError

#: The header is looked for in this many rows from the top of a file or sheet.
HEADER_SEARCH_ROWS = 10

ColumnMap = dict[str, dict[str, str]]


def normalise_header(name: object) -> str:
    """Header text matched to the contract: trimmed and lower-cased."""
    return str(name if name is not None else "").replace("\ufeff", "").strip().lower()


def load_column_map(path: Path | None) -> ColumnMap:
    """Read a column map (YAML or JSON): ``export header -> contract name``.

    Either flat (applies to every table) or per table
    (``{cases: {"Meldingsdatum": date_report}}``), or both; keys are matched
    like headers (trimmed, lower-cased). Returned as ``{"*" or table: {...}}``.

    Raises:
        FatalInputError: unreadable file or a malformed mapping.
    """
    if path is None:
        return {}
    try:
        text = path.read_bytes().decode("utf-8-sig")
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as err:  # OSError, UnicodeDecodeError, ValueError, yaml.YAMLError
        raise FatalInputError(f"{path}: cannot read the column map ({err})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FatalInputError(f"{path}: the column map must map export headers to contract names")
    out: ColumnMap = {}
    all_columns = {c for t in TABLES.values() for c in t.column_names}
    for key, value in data.items():
        if isinstance(value, dict) and str(key).strip().lower() in TABLES:
            scope, items = str(key).strip().lower(), value.items()
        else:
            scope, items = "*", [(key, value)]
        for src, dst in items:
            if not isinstance(dst, str) or dst.strip().lower() not in all_columns:
                raise FatalInputError(
                    f"{path}: column map entry {src!r} -> {dst!r}: {dst!r} is not a contract column"
                )
            out.setdefault(scope, {})[normalise_header(src)] = dst.strip().lower()
    return out


def map_for(column_map: ColumnMap | None, table: str) -> dict[str, str]:
    """The entries of ``column_map`` that apply to ``table`` (per-table entries win)."""
    if not column_map:
        return {}
    return {**column_map.get("*", {}), **column_map.get(table, {})}


@dataclass
class HeaderMatch:
    """How the header fields of a file map to contract columns.

    ``columns`` maps a field position to its contract column; ``renamed``
    export header -> contract column for headers the column map renamed;
    ``unknown`` the position and label of fields that are no contract column;
    ``duplicates`` contract columns named twice (position pairs).
    """

    columns: dict[int, str] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)

    def missing(self, table: Table) -> list[str]:
        """Required columns of ``table`` not in the header."""
        have = set(self.columns.values())
        return [c for c in table.required if c not in have]


def match_headers(headers: list[str], table: Table, mapping: dict[str, str]) -> HeaderMatch:
    """Match header fields to the contract columns of ``table`` (after the column map)."""
    contract = set(table.column_names)
    m = HeaderMatch()
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        norm = normalise_header(h)
        target = mapping.get(norm, norm)
        if target not in contract:
            m.unknown.append((i, str(h).strip() or f"(column {i + 1} without a header)"))
            continue
        if target != norm:
            m.renamed[str(h).strip()] = target
        if target in seen:
            m.duplicates.append((target, seen[target], i))
            continue
        seen[target] = i
        m.columns[i] = target
    return m


def find_header(rows: list[list[str]], table: Table, mapping: dict[str, str]) -> int | None:
    """Position of the first row in ``rows`` holding every required column, or None."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(str(v).strip() for v in row) and not match_headers(row, table, mapping).missing(table):
            return i
    return None


def best_candidate(rows: list[list[str]], table: Table, mapping: dict[str, str]) -> int | None:
    """The row (of the first rows) holding the most contract columns: what the user meant."""
    best, score = None, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        n = len(match_headers(row, table, mapping).columns)
        if n > score:
            best, score = i, n
    if best is None:
        best = next((i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS])
                     if any(str(v).strip() for v in r)), None)
    return best


def missing_columns_message(where: str, rows: list[list[str]], table: Table,
                            mapping: dict[str, str], row_offset: int = 1) -> str:
    """Fatal message for a file or sheet without a header row holding the required columns.

    Names the columns missing from the best candidate row, the columns found
    there, and the fix (``--column-map``).
    """
    best = best_candidate(rows, table, mapping)
    if best is None:
        return f"{where}: no header row (the first {HEADER_SEARCH_ROWS} rows are empty)"
    header = rows[best]
    missing = match_headers(header, table, mapping).missing(table)
    found = ", ".join(repr(normalise_header(h)) for h in header if normalise_header(h)) or "none"
    cols = ", ".join(repr(c) for c in missing)
    what = "required column" if len(missing) == 1 else "required columns"
    example = f"'<export header>: {missing[0]}'"
    return (f"{where}: {what} {cols} missing (header looked for in the first "
            f"{HEADER_SEARCH_ROWS} rows; row {best + row_offset} has the columns {found}); "
            f"if the export names it differently, map it with --column-map (a YAML line "
            f"{example})")


def duplicate_message(where: str, dup: tuple[str, int, int]) -> str:
    """Fatal message for a contract column that appears twice in the header."""
    name, a, b = dup
    return f"{where}: column {name!r} appears twice (columns {a + 1} and {b + 1}); keep one"
