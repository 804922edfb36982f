"""Read raw exports (data contract section 1) without ever writing to them.

Finding the files of a raw folder, detecting encoding and separator, reading
CSV (pyarrow, with a pure-Python fallback for ragged rows) and XLSX (first
sheet, openpyxl read-only), matching headers (trimmed, lower-cased, optional
column map) and parsing cell text into numbers, dates, enumerations and
booleans.

Every cell comes out of the readers as text (``""`` = empty); the parsers
turn text into typed values plus a mask of cells that could not be read.
The parsers are vectorised and meant to be called on the *unique* values of
a column (see :func:`parse_unique`), which keeps a million-row table fast.

Raw files are only ever opened in binary read mode (``Path.read_bytes`` and
``openpyxl.load_workbook(read_only=True)``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from zwt_analysis import config
from zwt_analysis.contract import TABLES, Table
from zwt_analysis.errors import FatalInputError

#: File types a raw table may come in.
RAW_SUFFIXES = (".csv", ".xlsx")
#: Old or other spreadsheet formats we refuse with a clear message.
UNSUPPORTED_SUFFIXES = (".xls", ".xlsm", ".ods")
#: Cell texts that look like "missing" codes but are not values: a type error
#: in every column (only an empty cell is missing). Compared lower-cased.
PLACEHOLDERS = frozenset(
    {"-", "--", "null", "na", "n/a", "n.a.", "nan", "#n/a", "#null!", "#value!", "?", "nil"}
)
SPELLINGS_FILE = "spellings.yaml"

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


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Parsed:
    """Result of parsing text cells: values (missing where empty or bad) and a bad mask."""

    values: pd.Series
    bad: np.ndarray


def parse_unique(s: pd.Series, parser: Callable[[pd.Series], Parsed]) -> Parsed:
    """Apply ``parser`` to the distinct values of ``s`` only, then spread the result back.

    Equivalent to ``parser(s)`` but fast for columns with few distinct values
    (dates, activities, hours in millions of time registrations). Text results
    come back as a categorical (cheap to match, group and pseudonymise later;
    see :func:`as_string`).
    """
    codes, uniques = codes_and_uniques(s)
    res = parser(pd.Series(np.asarray(uniques, dtype=object), dtype="str"))
    if isinstance(res.values.dtype, pd.StringDtype):
        values = categorical_from_codes(codes, res.values.to_numpy(dtype=object, na_value=None),
                                        s.index)
    else:
        values = res.values.take(codes)
        values.index = s.index
    return Parsed(values, res.bad[codes])


def codes_and_uniques(s: pd.Series) -> tuple[np.ndarray, pd.Index | np.ndarray]:
    """Integer codes per row and the distinct values (code -1 = missing)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return np.asarray(s.cat.codes, dtype=np.int64), s.cat.categories
    codes, uniques = pd.factorize(s)
    return np.asarray(codes, dtype=np.int64), uniques


def categorical_from_codes(codes: np.ndarray, values: object, index: pd.Index) -> pd.Series:
    """Series whose row ``i`` is ``values[codes[i]]`` as a categorical of text.

    ``codes == -1`` and missing entries of ``values`` give a missing cell.
    """
    vals = pd.Series(list(values), dtype=object)
    cat = pd.Categorical(vals.where(vals.notna(), None))
    lut = np.append(np.asarray(cat.codes, dtype=np.int32), np.int32(-1))
    return pd.Series(pd.Categorical.from_codes(lut[codes], dtype=cat.dtype), index=index)


def as_string(s: pd.Series) -> pd.Series:
    """A text column as pandas ``string`` (pyarrow-backed), decoding categoricals cheaply."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = np.asarray(s.cat.codes, dtype=np.int32)
        cats = pa.array([str(c) for c in s.cat.categories], type=pa.string())
        idx = pa.array(codes, mask=codes < 0)
        arr = pa.DictionaryArray.from_arrays(idx, cats).dictionary_decode()
        return pd.Series(pd.arrays.ArrowStringArray(arr), index=s.index, name=s.name)
    return s.astype("string")


def clean_text(s: pd.Series) -> pd.Series:
    """Trim cells (text dtype; ``""`` stays ``""``)."""
    return s.astype("str").str.strip()


def is_placeholder(s: pd.Series) -> np.ndarray:
    """True for cells such as ``NULL``, ``NA``, ``-``: not a value, not empty either."""
    return s.str.lower().isin(PLACEHOLDERS).to_numpy(dtype=bool)


def parse_text(s: pd.Series) -> Parsed:
    """Free text / identifiers: trimmed; a placeholder (``NULL``, ``-``...) is bad."""
    t = clean_text(s)
    bad = is_placeholder(t)
    values = t.astype("string").mask((t == "").to_numpy() | bad)
    return Parsed(values, bad)


_NUM_DOT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_NUM_SEMI_SHAPE = r"^[+-]?[\d.]*(?:,\d*)?$"
_THOUSANDS_DOT = r"\.(?=\d{3}(?!\d))"


def parse_number(s: pd.Series, decimal_comma: bool) -> Parsed:
    """Numbers in the export's convention (data contract sections 1 and 5).

    ``decimal_comma=False`` (a ``,`` file): ``.`` is the decimal mark, no
    grouping (``1,234`` is bad). ``decimal_comma=True`` (a ``;`` file, XLSX
    text): ``,`` is the decimal mark; a ``.`` followed by exactly three digits
    groups thousands (``1.234`` = 1234, ``1.234,5`` = 1234.5); any other
    ``.`` is a decimal point (``0.8`` = 0.8). Empty cells are missing (not
    bad); anything else that is not a number is bad (``NULL``, ``-``, ``1e3``).

    Returns:
        ``Parsed`` with float64 values (NaN where missing or bad).
    """
    t = clean_text(s)
    empty = (t == "").to_numpy()
    if decimal_comma:
        shape_ok = t.str.match(_NUM_SEMI_SHAPE).to_numpy(dtype=bool)
        norm = t.str.replace(_THOUSANDS_DOT, "", regex=True).str.replace(",", ".", regex=False)
    else:
        shape_ok = np.ones(len(t), dtype=bool)
        norm = t
    ok = shape_ok & norm.str.match(_NUM_DOT).to_numpy(dtype=bool) & ~empty
    values = pd.to_numeric(norm.where(ok, None), errors="coerce").astype("float64")
    values.index = s.index
    bad = ~ok & ~empty
    return Parsed(values, bad)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DUTCH = re.compile(r"^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$")
MIN_YEAR, MAX_YEAR = 1900, 2100


def _date_from_text(text: str) -> _dt.date | None:
    m = _ISO.match(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _DUTCH.match(text)
        if not m:
            return None
        y, mo, d = int(m[4]), int(m[3]), int(m[1])
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return _dt.date(y, mo, d)
    except ValueError:
        return None


def parse_date(s: pd.Series) -> Parsed:
    """Dates: ISO ``2024-03-07`` (a time part is dropped), Dutch ``07-03-2024``,
    ``7-3-2024`` or ``7/3/2024`` (always day first).

    Real Excel dates arrive from the XLSX reader already as ISO text. Empty is
    missing; impossible dates (``31-02-2024``), two-digit years and years
    outside 1900-2100 are bad. Runs a Python loop: call it on distinct values
    (:func:`parse_unique`) or use :func:`parse_date_fast`.

    Returns:
        ``Parsed`` with ``datetime64[ns]`` values (NaT where missing or bad).
    """
    t = clean_text(s)
    dates = [_date_from_text(x) for x in t.tolist()]
    values = pd.Series(pd.to_datetime(pd.Series(dates, dtype=object)), dtype="datetime64[ns]")
    values.index = s.index
    empty = (t == "").to_numpy()
    ok = np.array([d is not None for d in dates], dtype=bool)
    return Parsed(values, ~ok & ~empty)


def parse_date_fast(s: pd.Series) -> Parsed:
    """:func:`parse_date`, with a vectorised fast path for plain ISO dates."""
    t = clean_text(s)
    fast = pd.to_datetime(t.where(t.str.len() == 10, None), format="%Y-%m-%d", errors="coerce")
    fast_ok = fast.notna().to_numpy() & fast.dt.year.between(MIN_YEAR, MAX_YEAR).to_numpy(dtype=bool)
    if fast_ok.all():
        return Parsed(fast.astype("datetime64[ns]"), np.zeros(len(t), dtype=bool))
    # mask first: pandas may parse "9999-12-31" at a coarser unit than ns, where it overflows
    values = fast.where(fast_ok).astype("datetime64[ns]")
    bad = np.zeros(len(t), dtype=bool)
    rest = ~fast_ok
    slow = parse_date(t[rest])
    values[rest] = slow.values.to_numpy()
    bad[rest] = slow.bad
    return Parsed(values, bad)


#: Numbers must be smaller than this in magnitude: every whole number below 2**53
#: is exact in float64 (and converts safely to Int64); at 2**53 and above text
#: such as ``9007199254740993`` is silently rounded. Nothing in the contract
#: (people, hours, FTE, euros, years) comes near it.
MAX_NUMBER = float(2**53)


def too_large(values: pd.Series) -> np.ndarray:
    """True where a parsed number is infinite or its magnitude is :data:`MAX_NUMBER` or more.

    Such numbers (``1`` followed by 39 zeros; 400 digits that overflow to
    ``inf``) cannot be held exactly and are a data error. Missing is not too large.
    """
    v = values.to_numpy(dtype="float64", na_value=np.nan)
    return ~np.isnan(v) & ~(np.abs(v) < MAX_NUMBER)


#: Control characters (Unicode category Cc: C0, DEL and C1).
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"
#: The same without tab, line feed and carriage return (allowed inside free text).
_CONTROL_NO_BREAKS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def control_characters(s: pd.Series, allow_line_breaks: bool = False) -> np.ndarray:
    """True where a cell, once trimmed, still holds a control character.

    Control characters are U+0000-U+001F, U+007F and U+0080-U+009F. Leading and
    trailing white space (also tab, CR, LF) is trimmed first, as for every cell.
    With ``allow_line_breaks`` tab, LF and CR inside the text are allowed
    (multi-line notes in free-text columns). Computed per distinct value.
    """
    codes, uniques = codes_and_uniques(s)
    pattern = _CONTROL_NO_BREAKS if allow_line_breaks else _CONTROL
    u = clean_text(pd.Series(np.asarray(uniques, dtype=object), dtype="str"))
    hit = u.str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False)
    return np.append(hit, False)[codes]  # code -1 (missing) -> False


def whole_numbers(values: pd.Series) -> np.ndarray:
    """True where a parsed number is whole (missing counts as whole)."""
    v = values.to_numpy(dtype="float64")
    return np.isnan(v) | (np.floor(v) == v)


@lru_cache(maxsize=1)
def spellings() -> dict[str, dict[str, list[str]]]:
    """Accepted spellings (``resources/spellings.yaml``): section -> canonical -> spellings."""
    data = config.load_yaml(config.resource(SPELLINGS_FILE))
    return {str(sec): {str(k): [str(v) for v in vals] for k, vals in m.items()} for sec, m in data.items()}


@cache
def spelling_lookup(section: str) -> dict[str, str]:
    """Normalised spelling -> canonical value for one section (an enum column or ``bool``)."""
    out: dict[str, str] = {}
    for canonical, spells in spellings()[section].items():
        for sp in [canonical, *spells]:
            out[normalise_spelling(sp)] = canonical
    return out


def normalise_spelling(text: str) -> str:
    """How a cell is compared with the spelling lists: trimmed, lower-cased, one space."""
    return " ".join(str(text).lower().split())


def _normalise_series(t: pd.Series) -> pd.Series:
    return t.str.lower().str.replace(r"\s+", " ", regex=True).str.strip()


def parse_enum(s: pd.Series, section: str) -> Parsed:
    """Map spellings to the canonical value of ``section`` (e.g. ``Wmo 2015`` -> ``wmo``).

    Unknown spellings (and placeholders such as ``-``) are bad; empty is missing.
    """
    t = clean_text(s)
    empty = (t == "").to_numpy()
    values = _normalise_series(t).map(spelling_lookup(section)).astype("string")
    values.index = s.index
    bad = values.isna().to_numpy() & ~empty
    return Parsed(values, bad)


def parse_bool(s: pd.Series) -> Parsed:
    """Yes/no in Dutch or English (``ja``/``nee``/``j``/``n``/``1``/``0``/``waar``...)."""
    res = parse_enum(s, "bool")
    values = res.values.map({"true": True, "false": False}).astype("boolean")
    return Parsed(values, res.bad)


_PERIOD_YEAR = re.compile(r"^(\d{4})$")
_PERIOD_YQ = re.compile(r"^(\d{4})\s*[-/ ]?\s*[QK]\s*([1-4])$")
_PERIOD_QY = re.compile(r"^[QK]\s*([1-4])\s*[-/ ]?\s*(\d{4})$")


def parse_period(s: pd.Series) -> Parsed:
    """Reporting periods: ``2024`` or ``2024-Q3``; also ``2024Q3``, ``2024 q3``,
    ``2024-K3`` (kwartaal) and ``Q3 2024``, all written back as ``2024-Q3``."""
    t = clean_text(s)
    empty = (t == "").to_numpy()
    u = t.str.upper()
    year = u.str.extract(_PERIOD_YEAR)[0]
    yq = u.str.extract(_PERIOD_YQ)
    qy = u.str.extract(_PERIOD_QY)
    quarter = (yq[0] + "-Q" + yq[1]).fillna(qy[1] + "-Q" + qy[0])
    values = year.fillna(quarter).astype("string")
    values.index = s.index
    return Parsed(values, values.isna().to_numpy() & ~empty)


def spellings_markdown() -> str:
    """Markdown tables of every accepted spelling (embedded in ``docs/data_contract.md``)."""
    lines: list[str] = []
    for section, values in spellings().items():
        title = "yes/no columns (`pact`)" if section == "bool" else f"`{section}`"
        lines += [f"#### {title}", "", "| value | accepted spellings |", "| --- | --- |"]
        for canonical, spells in values.items():
            shown = ", ".join(f"`{s}`" for s in spells)
            lines.append(f"| `{canonical}` | {shown} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
