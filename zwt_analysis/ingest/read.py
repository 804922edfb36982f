"""Read raw exports (data contract section 1) without ever writing to them.

Finding the files of a raw folder, detecting encoding and separator, reading
CSV (pyarrow, with a pure-Python fallback for ragged rows) and XLSX (first
sheet, openpyxl read-only) and matching headers (trimmed, lower-cased,
optional column map). Every cell comes out as text (``""`` = empty); typed
parsing lives in :mod:`zwt_analysis.ingest.parse`.

Raw files are only ever opened in binary read mode (``Path.read_bytes`` and
``openpyxl.load_workbook(read_only=True)``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from zwt_analysis.contract import TABLES, Table
from zwt_analysis.errors import FatalInputError

#: File types a raw table may come in.
RAW_SUFFIXES = (".csv", ".xlsx")
#: Old or other spreadsheet formats we refuse with a clear message.
UNSUPPORTED_SUFFIXES = (".xls", ".xlsm", ".ods")

_BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------- files


def find_raw_files(raw: Path) -> dict[str, Path]:
    """Map each contract table delivered in ``raw`` to its file.

    File names are matched case-insensitively (``Cases.CSV`` counts). Files
    that are not a contract table are ignored.

    Raises:
        FatalInputError: ``raw`` is not a folder; a table is present both as
            ``.csv`` and ``.xlsx``; a table comes in an unsupported format.
    """
    if not raw.is_dir():
        raise FatalInputError(f"{raw}: raw folder not found (or not a folder)")
    found: dict[str, list[Path]] = {}
    for path in sorted(raw.iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if stem not in TABLES or not path.is_file():
            continue
        if suffix in UNSUPPORTED_SUFFIXES:
            raise FatalInputError(
                f"{path}: {suffix} files are not supported; save the table as .csv or .xlsx"
            )
        if suffix in RAW_SUFFIXES:
            found.setdefault(stem, []).append(path)
    out: dict[str, Path] = {}
    for name in TABLES:
        paths = found.get(name, [])
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            raise FatalInputError(
                f"{raw}: table {name!r} is present more than once ({names}); "
                "keep exactly one file per table"
            )
        if paths:
            out[name] = paths[0]
    return out


# --------------------------------------------------------------------------- text


def detect_encoding(data: bytes, path: Path | str = "") -> tuple[str, str]:
    """Detect the encoding of raw bytes and decode them.

    UTF-8 with a byte-order mark gives ``"utf-8-sig"``, valid UTF-8
    ``"utf-8"``, otherwise Windows-1252 (``"cp1252"``, Excel's default on
    Dutch Windows) is tried strictly.

    Returns:
        ``(encoding, text)`` with the BOM removed.

    Raises:
        FatalInputError: NUL bytes (not a text file) or bytes that are
            neither UTF-8 nor Windows-1252.
    """
    if data.startswith(_BOM):
        try:
            return "utf-8-sig", data[len(_BOM):].decode("utf-8")
        except UnicodeDecodeError as err:
            raise _decode_error(path, data, err, "UTF-8 (with BOM)") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FatalInputError(
            f"{path}: not a text file (NUL byte on line {line}); is it UTF-16 or a binary file?"
        )
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return "cp1252", data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise _decode_error(path, data, err, "UTF-8 or Windows-1252") from None


def _decode_error(path: Path | str, data: bytes, err: UnicodeDecodeError, what: str) -> FatalInputError:
    line = data[: err.start].count(b"\n") + 1
    byte = data[err.start : err.start + 1].hex()
    return FatalInputError(f"{path}: cannot decode line {line} (byte 0x{byte}) as {what}")


def detect_separator(header_line: str) -> str:
    """``;`` or ``,``: the one that occurs more often in the header line.

    Separators inside double quotes are not counted. A header without either
    (a single column) counts as ``,``.
    """
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def normalise_header(name: object) -> str:
    """Header text matched to the contract: trimmed and lower-cased."""
    return str(name if name is not None else "").replace("\ufeff", "").strip().lower()


# --------------------------------------------------------------------------- reading


@dataclass
class RawTable:
    """One raw table as text, with what was learnt reading it.

    ``frame`` holds one text column per header (after normalisation and the
    column map) with ``""`` for empty cells; row ``i`` is data row ``i + 1``
    of the source. ``bad_rows`` maps a row position to a whole-row problem
    (e.g. a wrong number of fields).
    """

    name: str
    path: Path
    frame: pd.DataFrame
    encoding: str | None
    separator: str | None
    #: True when numbers use the decimal comma (``;`` files and XLSX text cells).
    decimal_comma: bool
    unknown_columns: list[str] = field(default_factory=list)
    renamed_columns: dict[str, str] = field(default_factory=dict)
    missing_optional: list[str] = field(default_factory=list)
    bad_rows: dict[int, str] = field(default_factory=dict)


def read_table(name: str, path: Path, column_map: dict[str, dict[str, str]] | None = None) -> RawTable:
    """Read raw table ``name`` from ``path`` (CSV or XLSX) and match its headers.

    Raises:
        FatalInputError: unreadable, empty or undecodable file, a duplicate
            column, or a required column missing (message names file + column).
    """
    if path.suffix.lower() == ".xlsx":
        headers, frame, bad = _read_xlsx(path)
        encoding = separator = None
        decimal_comma = True
    else:
        encoding, separator, headers, frame, bad = _read_csv(path)
        decimal_comma = separator == ";"
    raw = RawTable(name, path, frame, encoding, separator, decimal_comma, bad_rows=bad)
    _match_headers(raw, headers, TABLES[name], _map_for(column_map, name))
    return raw


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()  # opens "rb": raw files are never opened for writing
    except OSError as err:
        raise FatalInputError(f"{path}: cannot read file ({err.strerror or err})") from None


def _read_csv(path: Path) -> tuple[str, str, list[str], pd.DataFrame, dict[int, str]]:
    data = _read_bytes(path)
    encoding, text = detect_encoding(data, path)
    if not text.strip():
        raise FatalInputError(f"{path}: empty file (no header row)")
    body = text.lstrip("\r\n")
    first, *rest = re.split(r"\r\n|\n|\r", body, maxsplit=1)
    hint = re.fullmatch(r"sep=([;,])", first.strip(), flags=re.IGNORECASE)
    if hint:  # Excel's "sep=;" first line names the separator
        sep = hint[1]
        body = (rest[0] if rest else "").lstrip("\r\n")
        first = re.split(r"\r\n|\n|\r", body, maxsplit=1)[0]
        if not first.strip():
            raise FatalInputError(f"{path}: empty file (no header row)")
    else:
        sep = detect_separator(first)
    try:
        headers = next(csv.reader([first], delimiter=sep))
    except (csv.Error, StopIteration) as err:
        raise FatalInputError(f"{path}: cannot read the header row ({err})") from None
    utf8 = data.lstrip(b"\r\n") if encoding == "utf-8" and not hint else body.encode("utf-8")
    del data, text, body, rest  # keep one copy of a big file in memory, not three
    frame, bad = _csv_body(utf8, sep, len(headers), path)
    return encoding, sep, headers, frame, bad


def _csv_body(utf8: bytes, sep: str, n: int, path: Path) -> tuple[pd.DataFrame, dict[int, str]]:
    """Data rows as text columns ``f0..f{n-1}`` from UTF-8 bytes starting at the header line.

    pyarrow (multi-threaded, dictionary-encoded columns) is the fast path; a
    file with ragged rows goes through the Python ``csv`` module instead.
    """
    names = [f"f{i}" for i in range(n)]
    invalid: list[int] = []

    def handler(row: object) -> str:
        invalid.append(1)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, newlines_in_values=True, invalid_row_handler=handler
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.dictionary(pa.int32(), pa.string()) for c in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
        if not invalid:
            frame = table.to_pandas()
            frame.index = pd.RangeIndex(len(frame))
            return frame, {}
    except (pa.ArrowInvalid, UnicodeDecodeError):
        pass
    return _csv_body_python(utf8.decode("utf-8"), sep, n, path)


def _csv_body_python(text: str, sep: str, n: int, path: Path) -> tuple[pd.DataFrame, dict[int, str]]:
    """Slow path for files with ragged rows: every record kept, ragged ones flagged."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        next(reader)
        rows: list[list[str]] = []
        bad: dict[int, str] = {}
        for rec in reader:
            if not rec or (len(rec) == 1 and not rec[0].strip() and n > 1):
                continue  # a blank line is not a data row
            if len(rec) > n and not any(v.strip() for v in rec[n:]):
                rec = rec[:n]  # trailing empty separators are harmless
            if len(rec) != n:
                bad[len(rows)] = f"wrong number of fields ({len(rec)}, header has {n})"
                rec = [""] * n
            rows.append(rec)
    except csv.Error as err:
        raise FatalInputError(f"{path}: cannot read CSV record {reader.line_num} ({err})") from None
    cols = list(zip(*rows, strict=True)) if rows else [()] * n
    frame = pd.DataFrame({f"f{i}": pd.array(list(c), dtype="str") for i, c in enumerate(cols)})
    frame.index = pd.RangeIndex(len(rows))
    return frame, bad


def xlsx_cell_text(value: object) -> str:
    """Text of one Excel cell, written so the Dutch (decimal comma) rules read it back.

    Dates (real Excel dates) become ISO ``YYYY-MM-DD`` (a time of day is
    dropped); whole numbers lose ``.0``; other numbers use a decimal comma
    without grouping; booleans become ``true``/``false``; text is kept.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not np.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return np.format_float_positional(value, trim="-").replace(".", ",")
    return str(value)


def _read_xlsx(path: Path) -> tuple[list[str], pd.DataFrame, dict[int, str]]:
    import zipfile

    from openpyxl import load_workbook

    if not _read_bytes(path):
        raise FatalInputError(f"{path}: empty file (no header row)")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise FatalInputError(f"{path}: not a readable Excel .xlsx file ({err})") from None
    try:
        if not wb.worksheets:
            raise FatalInputError(f"{path}: the workbook has no sheet")
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        while header is not None and all(v is None for v in header):
            header = next(rows, None)
        if header is None:
            raise FatalInputError(f"{path}: empty sheet (no header row)")
        header = list(header)
        while header and header[-1] is None:
            header.pop()
        n = len(header)
        data: list[list[str]] = []
        bad: dict[int, str] = {}
        for rec in rows:
            if all(v is None for v in rec):
                continue  # a blank row is not a data row
            cells = [xlsx_cell_text(v) for v in rec]
            if len(cells) > n:
                if any(c.strip() for c in cells[n:]):
                    bad[len(data)] = f"values beyond the last header column ({len(cells)} cells, header has {n})"
                cells = cells[:n]
            cells += [""] * (n - len(cells))
            data.append(cells)
    finally:
        wb.close()
    cols = list(zip(*data, strict=True)) if data else [()] * n
    frame = pd.DataFrame({f"f{i}": pd.array(list(c), dtype="str") for i, c in enumerate(cols)})
    frame.index = pd.RangeIndex(len(data))
    return [xlsx_cell_text(h) for h in header], frame, bad


# --------------------------------------------------------------------------- headers


def load_column_map(path: Path | None) -> dict[str, dict[str, str]]:
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
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise FatalInputError(f"{path}: cannot read the column map ({err})") from None
    except Exception as err:  # yaml.YAMLError and friends
        raise FatalInputError(f"{path}: cannot read the column map ({err})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FatalInputError(f"{path}: the column map must map export headers to contract names")
    out: dict[str, dict[str, str]] = {}
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


def _map_for(column_map: dict[str, dict[str, str]] | None, table: str) -> dict[str, str]:
    if not column_map:
        return {}
    return {**column_map.get("*", {}), **column_map.get(table, {})}


def _match_headers(raw: RawTable, headers: list[str], table: Table, mapping: dict[str, str]) -> None:
    """Rename ``raw.frame`` columns to contract names; record unknown/renamed columns."""
    contract = set(table.column_names)
    rename: dict[str, str] = {}
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        norm = normalise_header(h)
        target = mapping.get(norm, norm)
        if target != norm and target in contract:
            raw.renamed_columns[str(h).strip()] = target
        if target in contract:
            if target in seen:
                raise FatalInputError(
                    f"{raw.path}: column {target!r} appears twice (columns {seen[target] + 1} and {i + 1})"
                )
            seen[target] = i
            rename[f"f{i}"] = target
        else:
            label = str(h).strip() or f"(column {i + 1} without a header)"
            if norm or (raw.frame[f"f{i}"].str.strip() != "").any():
                raw.unknown_columns.append(label)
    missing = [c for c in table.required if c not in seen]
    if missing:
        found = ", ".join(repr(normalise_header(h)) for h in headers) or "none"
        cols = ", ".join(repr(c) for c in missing)
        what = "required column" if len(missing) == 1 else "required columns"
        raise FatalInputError(f"{raw.path}: {what} {cols} missing (columns found: {found})")
    raw.missing_optional = [c for c in table.column_names if c not in seen]
    frame = raw.frame[list(rename)].rename(columns=rename)
    for c in raw.missing_optional:
        frame[c] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), categories=[""])
    raw.frame = frame[table.column_names]
