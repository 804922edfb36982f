"""Read a table from an Excel workbook (``.xlsx``), read-only, every cell as text.

The table is read from the first sheet whose header fits (a cover sheet or
notes may come first); the header is the first row within the first rows of
that sheet holding the required columns (title rows may stand above it).
Merged cells are filled with the merged value, as a reader sees them. Cells
become text written so that the Dutch number rules read them back (see
:func:`xlsx_cell_text`); a number in a date column is read as an Excel serial
date later (:mod:`.parse`).
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zwt_analysis.contract import Table
from zwt_analysis.errors import FatalInputError
from zwt_analysis.ingest import headers as hdr

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass
class Sheet:
    """The table as read from one sheet: header fields, data rows as text, problems."""

    name: str
    #: 1-based row of the header in the sheet.
    header_row: int
    headers: list[str]
    frame: pd.DataFrame
    bad_rows: dict[int, str] = field(default_factory=dict)
    #: Sheets read before this one whose header did not fit.
    skipped: list[str] = field(default_factory=list)
    merged_cells_filled: int = 0
    #: First day of the workbook's serial dates (1899-12-30, or 1904-01-01 for old Mac files).
    epoch: _dt.date = _dt.date(1899, 12, 30)


def xlsx_cell_text(value: object) -> str:
    """Text of one Excel cell, written so the Dutch (decimal comma) rules read it back.

    Dates (real Excel dates) become ISO ``YYYY-MM-DD`` (a time of day is
    dropped); times ``h:mm`` (``7:30``; seconds only when not zero) and
    durations in hours (``31:00``); whole numbers lose ``.0``; other numbers
    use a decimal comma without grouping; booleans become ``true``/``false``;
    text is kept.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return _clock(value.hour * 3600 + value.minute * 60 + value.second)
    if isinstance(value, _dt.timedelta):
        return _clock(int(round(value.total_seconds())))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not np.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return np.format_float_positional(value, trim="-").replace(".", ",")
    return str(value)


def _clock(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}" + (f":{s:02d}" if s else "")


def read_sheet(path: Path, table: Table, mapping: dict[str, str]) -> Sheet:
    """Read ``table`` from the first sheet of the workbook at ``path`` whose header fits.

    Raises:
        FatalInputError: not a readable workbook, no sheet, or no sheet with a
            header row holding the required columns (the message names the
            sheets looked at and the columns found in the first one).
    """
    from openpyxl import load_workbook

    if not path.read_bytes()[:1]:
        raise FatalInputError(f"{path}: empty file (no header row)")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise FatalInputError(f"{path}: not a readable Excel .xlsx file ({err}); open it in "
                              "Excel and save it again as .xlsx, or as 'CSV UTF-8'") from None
    try:
        if not wb.worksheets:
            raise FatalInputError(f"{path}: the workbook has no sheet")
        tried: list[tuple[str, list[list[str]]]] = []
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            top = [_texts(next(rows, ())) for _ in range(hdr.HEADER_SEARCH_ROWS)]
            at = hdr.find_header(top, table, mapping)
            if at is None:
                tried.append((ws.title, top))
                continue
            sheet = _read_rows(ws, rows, top, at)
            sheet.skipped = [t for t, _ in tried]
            sheet.epoch = wb.epoch.date() if isinstance(wb.epoch, _dt.datetime) else wb.epoch
            return sheet
    finally:
        wb.close()
    title, top = tried[0]
    names = ", ".join(repr(t) for t, _ in tried)
    where = f"{path} (sheet {title!r}; sheets looked at: {names})"
    raise FatalInputError(hdr.missing_columns_message(where, top, table, mapping))


def _texts(values: tuple) -> list[str]:
    return [xlsx_cell_text(v) for v in values]


def _read_rows(ws, rows, top: list[list[str]], at: int) -> Sheet:
    """The rest of a sheet after its header row ``top[at]`` (1-based row ``at + 1``)."""
    header = list(top[at])
    while header and not header[-1].strip():
        header.pop()
    n = len(header)
    numbered: list[tuple[int, list[str]]] = [(at + 2 + k, r) for k, r in enumerate(top[at + 1:])]
    first = hdr.HEADER_SEARCH_ROWS + 1
    numbered += [(first + k, _texts(r)) for k, r in enumerate(rows)]
    filled = _fill_merged(ws, numbered, at + 1)
    data: list[list[str]] = []
    bad: dict[int, str] = {}
    for _, cells in numbered:
        if not any(c.strip() for c in cells):
            continue  # a blank row is not a data row
        if len(cells) > n:
            if any(c.strip() for c in cells[n:]):
                last = max(i for i, c in enumerate(cells) if c.strip()) + 1
                bad[len(data)] = f"too many fields ({last}, header has {n})"
            cells = cells[:n]
        data.append(cells + [""] * (n - len(cells)))
    cols = list(zip(*data, strict=True)) if data else [()] * n
    frame = pd.DataFrame({f"f{i}": pd.array(list(c), dtype="str") for i, c in enumerate(cols)})
    frame.index = pd.RangeIndex(len(data))
    return Sheet(ws.title, at + 1, header, frame, bad, merged_cells_filled=filled)


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def merged_ranges(ws) -> list[tuple[int, int, int, int]]:
    """``(min_row, min_col, max_row, max_col)`` (1-based) of the merged cells of a sheet.

    Read-only worksheets do not expose them, so the sheet's XML is scanned
    in blocks for its ``mergeCell`` elements (they follow the cell data).
    """
    try:
        src = ws._get_source()  # openpyxl's read-only sheet: the XML stream of the sheet
    except Exception:  # pragma: no cover - another openpyxl version
        return []
    found: dict[tuple, None] = {}  # ordered set: a match inside the overlap is seen twice
    tail = b""
    try:
        while block := src.read(1 << 20):
            chunk = tail + block
            found.update((m.groups(), None) for m in _MERGE.finditer(chunk))
            tail = chunk[-200:]
    finally:
        src.close()
    return [(int(r0), _col(c0), int(r1 or r0), _col(c1 or c0)) for c0, r0, c1, r1 in found]


def _fill_merged(ws, numbered: list[tuple[int, list[str]]], header_row: int) -> int:
    """Fill every cell of a merged range below the header with its top-left value."""
    ranges = [r for r in merged_ranges(ws) if r[0] > header_row]  # data cells only
    if not ranges:
        return 0
    by_row = dict(numbered)
    filled = 0
    for r0, c0, r1, c1 in ranges:
        top = by_row.get(r0)
        if top is None or len(top) < c0:
            continue
        value = top[c0 - 1]
        for r in range(r0, r1 + 1):
            cells = by_row.get(r)
            if cells is None:
                continue
            cells.extend([""] * (c1 - len(cells)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    cells[c - 1] = value
                    filled += 1
    return filled
