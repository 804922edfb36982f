"""Read one raw table (data contract sections 1 and 6) without ever writing to it.

A CSV file is decoded (:mod:`.decode`: UTF-8, Windows-1252 per line,
UTF-16), its header row found among the first rows (title rows may stand
above it; an Excel ``sep=;`` line names the separator), its separator
detected from the header line (``;``, ``,`` or tab) and its data lines read
(:mod:`.csvbody`). A workbook is read from the first sheet whose header fits
(:mod:`.xlsx`). Headers are matched to the contract (:mod:`.headers`).

Every cell comes out as text (``""`` = empty); typed parsing lives in
:mod:`.parse`. Raw files are only ever opened in binary read mode
(``Path.read_bytes`` and ``openpyxl.load_workbook(read_only=True)``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zwt_analysis.contract import TABLES, Table
from zwt_analysis.errors import FatalInputError
from zwt_analysis.ingest import csvbody, decode, schemas, xlsx
from zwt_analysis.ingest import headers as hdr
from zwt_analysis.ingest.files import (  # noqa: F401 - part of this module's interface
    RAW_SUFFIXES,
    UNSUPPORTED_SUFFIXES,
    find_raw_files,
)

# Kept importable from here: the readers' public helpers.
detect_encoding = decode.detect_encoding
xlsx_cell_text = xlsx.xlsx_cell_text
load_column_map = hdr.load_column_map
normalise_header = hdr.normalise_header
_map_for = hdr.map_for

#: Separators tried, in order of preference on a tie.
SEPARATORS = (";", "\t", ",")
_LINE_END = re.compile(rb"\r\n|\n|\r")
_SEP_HINT = re.compile(r"sep=(.)", flags=re.IGNORECASE)


@dataclass
class RawTable:
    """One raw table as text, with what was learnt reading it.

    ``frame`` holds one text column per contract column (after header
    matching and the column map) with ``""`` for empty cells; row ``i`` is
    data row ``i + 1`` of the source. ``bad_rows`` maps a row position to a
    whole-row problem (a line that is not a record, too many fields).
    """

    name: str
    path: Path
    frame: pd.DataFrame
    encoding: str | None
    separator: str | None
    #: True when numbers use the decimal comma (``;`` and tab files, XLSX text cells).
    decimal_comma: bool
    unknown_columns: list[str] = field(default_factory=list)
    renamed_columns: dict[str, str] = field(default_factory=dict)
    missing_optional: list[str] = field(default_factory=list)
    bad_rows: dict[int, str] = field(default_factory=dict)
    #: Lines of an otherwise UTF-8 file read as Windows-1252.
    cp1252_lines: int = 0
    #: 1-based line (CSV) or row (sheet) of the header; rows above it were titles or blank.
    header_row: int = 1
    #: The sheet read (XLSX only) and the sheets skipped before it.
    sheet: str | None = None
    skipped_sheets: list[str] = field(default_factory=list)
    #: Lines holding only separators or white space (not rows).
    empty_lines: int = 0
    merged_cells_filled: int = 0
    #: Excel's day 0 for serial dates in a workbook (None for CSV: a number is no date).
    excel_epoch: _dt.date | None = None


def read_table(name: str, path: Path, column_map: hdr.ColumnMap | None = None) -> RawTable:
    """Read raw table ``name`` from ``path`` (CSV or XLSX) and match its headers.

    Raises:
        FatalInputError: unreadable, empty or undecodable file, no header row
            with the required columns in the first rows, or a column twice
            (the message names file, sheet and column, and the fix).
    """
    table = TABLES[name]
    mapping = hdr.map_for(column_map, name)
    if path.suffix.lower() == ".xlsx":
        sheet = xlsx.read_sheet(path, table, mapping)
        raw = RawTable(name, path, sheet.frame, None, None, True, bad_rows=sheet.bad_rows,
                       header_row=sheet.header_row, sheet=sheet.name,
                       skipped_sheets=sheet.skipped, merged_cells_filled=sheet.merged_cells_filled,
                       excel_epoch=sheet.epoch)
        where = f"{path} (sheet {sheet.name!r})"
        headers = sheet.headers
    else:
        raw, headers = _read_csv(name, path, table, mapping)
        where = str(path)
    _apply_headers(raw, headers, table, mapping, where)
    return raw


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()  # opens "rb": raw files are never opened for writing
    except OSError as err:
        raise FatalInputError(f"{path}: cannot read file ({err.strerror or err})") from None


def detect_separator(header_line: str) -> str:
    """``;``, tab or ``,``: the one occurring most often in the line outside double quotes.

    Ties go to ``;``, then tab; a line with none of them counts as ``,``.
    """
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {s: unquoted.count(s) for s in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def _split(line: str, sep: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:
        return [line]


def _first_lines(data: bytes, n: int) -> list[tuple[str, int]]:
    """The first ``n`` physical lines as ``(text, offset of the next line)``."""
    out, pos = [], 0
    for m in _LINE_END.finditer(data):
        out.append((data[pos:m.start()].decode("utf-8"), m.end()))
        pos = m.end()
        if len(out) == n:
            return out
    if pos < len(data):
        out.append((data[pos:].decode("utf-8"), len(data)))
    return out


def _read_csv(name: str, path: Path, table: Table,
              mapping: dict[str, str]) -> tuple[RawTable, list[str]]:
    decoded = decode.decode_file(_read_bytes(path), path)
    data = decoded.utf8
    if not data[:1 << 16].strip() and not data.strip():  # (no copy of a big file)
        raise FatalInputError(f"{path}: empty file (no header row)")
    lines = _first_lines(data, hdr.HEADER_SEARCH_ROWS + 1)
    hint = _SEP_HINT.fullmatch(lines[0][0].strip())
    skip = 1 if hint else 0
    candidates = lines[skip:skip + hdr.HEADER_SEARCH_ROWS]
    seps = [hint[1] if hint else detect_separator(text) for text, _ in candidates]
    rows = [_split(text, s) if text.strip() else [] for (text, _), s in zip(candidates, seps,
                                                                             strict=True)]
    at = hdr.find_header(rows, table, mapping)
    if at is None:
        if not any(rows):
            raise FatalInputError(f"{path}: empty file (no header row)")
        raise FatalInputError(hdr.missing_columns_message(str(path), rows, table, mapping,
                                                          row_offset=1 + skip))
    sep, headers = seps[at], rows[at]
    start = candidates[at][1]
    free = frozenset(i for i, h in enumerate(headers)
                     if schemas.allows_line_breaks(name, mapping.get(hdr.normalise_header(h),
                                                                     hdr.normalise_header(h))))
    body = csvbody.read_body(data, start, sep, len(headers), free)
    raw = RawTable(name, path, body.frame, decoded.encoding, sep, sep != ",",
                   bad_rows=body.bad_rows, cp1252_lines=decoded.cp1252_lines,
                   header_row=at + 1 + skip, empty_lines=body.empty_lines)
    return raw, headers


def _apply_headers(raw: RawTable, headers: list[str], table: Table, mapping: dict[str, str],
                   where: str) -> None:
    """Rename ``raw.frame`` columns to contract names; record unknown/renamed columns."""
    m = hdr.match_headers(headers, table, mapping)
    if m.duplicates:
        raise FatalInputError(hdr.duplicate_message(where, m.duplicates[0]))
    raw.renamed_columns = m.renamed
    for i, label in m.unknown:
        if hdr.normalise_header(headers[i]) or (raw.frame[f"f{i}"].str.strip() != "").any():
            raw.unknown_columns.append(label)
    present = set(m.columns.values())
    raw.missing_optional = [c for c in table.column_names if c not in present]
    frame = raw.frame[[f"f{i}" for i in m.columns]].rename(
        columns={f"f{i}": c for i, c in m.columns.items()})
    for c in raw.missing_optional:
        frame[c] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), categories=[""])
    raw.frame = frame[table.column_names]
