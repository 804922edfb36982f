"""Typed parsing of raw cell text: numbers, dates, enumerations, periods, yes/no.

Every cell comes out of the readers (:mod:`zwt_analysis.ingest.read`) as
text (``""`` = empty); the parsers here turn text into typed values plus a
mask of cells that could not be read. They are vectorised and meant to be
called on the *unique* values of a column (see :func:`parse_unique`), which
keeps a million-row table fast.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from zwt_analysis import config

#: Cell texts that look like "missing" codes but are not values: a type error
#: in every column (only an empty cell is missing). Compared lower-cased.
PLACEHOLDERS = frozenset(
    {"-", "--", "null", "na", "n/a", "n.a.", "nan", "#n/a", "#null!", "#value!", "?", "nil"}
)
#: In identifier and code columns (``*_id``, ``area_code``) these mean "missing"
#: (data contract section 6; it changes section 5's reading for those columns only).
ID_MISSING = frozenset({"n.v.t.", "nvt", "geen", "onbekend", "-", "null", "na"})
SPELLINGS_FILE = "spellings.yaml"


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


def parse_id(s: pd.Series) -> Parsed:
    """Identifiers and codes: trimmed; :data:`ID_MISSING` (``n.v.t.``, ``geen``, ``-``...) is
    missing; any other placeholder (``n/a``, ``#N/A``, ``?``) is bad."""
    t = clean_text(s)
    lower = t.str.lower()
    missing = lower.isin(ID_MISSING).to_numpy(dtype=bool) | (t == "").to_numpy()
    bad = is_placeholder(t) & ~missing
    values = t.astype("string").mask(missing | bad)
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


_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")


def parse_hours(s: pd.Series, decimal_comma: bool) -> Parsed:
    """Hours: a number (:func:`parse_number`) or ``h:mm`` / ``h:mm:ss`` (``7:30`` = 7.5)."""
    res = parse_number(s, decimal_comma)
    t = clean_text(s)
    clock = t.str.extract(_CLOCK)
    hit = clock[0].notna().to_numpy()
    if not hit.any():
        return res
    c = clock[hit].astype("float64").fillna(0.0)
    values = res.values.copy()
    values[hit] = (c[0] + c[1] / 60 + c[2] / 3600).to_numpy()
    bad = res.bad & ~hit
    return Parsed(values, bad)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
#: Day-first (or, with ``--date-order mdy``, month-first) dates; a time part is dropped.
_DUTCH = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})"
                    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$")
_SERIAL = re.compile(r"^\d{1,6}(?:[.,]\d+)?$")
MIN_YEAR, MAX_YEAR = 1900, 2100
#: Date orders of ``--date-order``: day first (the rule) or month first.
DATE_ORDERS = ("dmy", "mdy")
#: Excel's day 0 on Windows (serial 1 = 1900-01-01, with Lotus' 29 February 1900).
EXCEL_EPOCH = _dt.date(1899, 12, 30)


def _from_serial(text: str, epoch: _dt.date) -> _dt.date | None:
    """An Excel serial date (the fraction, a time of day, is dropped)."""
    n = int(float(text.replace(",", ".")))
    if epoch == EXCEL_EPOCH and n < 61:  # before Lotus' non-existent 1900-02-29 (serial 60)
        if n in (0, 60):
            return None
        n += 1
    return epoch + _dt.timedelta(days=n)


def _date_from_text(text: str, order: str = "dmy", epoch: _dt.date | None = None) -> _dt.date | None:
    m = _ISO.match(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif epoch is not None and _SERIAL.match(text):
        day = _from_serial(text, epoch)
        if day is None:
            return None
        y, mo, d = day.year, day.month, day.day
    else:
        m = _DUTCH.match(text)
        if not m:
            return None
        first, second = int(m[1]), int(m[3])
        y, mo, d = (int(m[4]), first, second) if order == "mdy" else (int(m[4]), second, first)
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return _dt.date(y, mo, d)
    except ValueError:
        return None


def month_first_only(s: pd.Series) -> str | None:
    """An example value when the ``a-b-yyyy`` dates of ``s`` can only be month first, else None.

    That is: some value has its second field above 12 and none has its first
    field above 12 (``3/25/2024`` and no ``25/3/2024``). Call on distinct values.
    """
    m = clean_text(s).str.extract(_DUTCH)
    first = pd.to_numeric(m[0], errors="coerce")
    second = pd.to_numeric(m[2], errors="coerce")
    if (first > 12).any() or not (second > 12).any():
        return None
    return str(clean_text(s)[(second > 12).to_numpy()].iloc[0])


def parse_date(s: pd.Series, order: str = "dmy", epoch: _dt.date | None = None) -> Parsed:
    """Dates: ISO ``2024-03-07`` (a time part is dropped), Dutch ``07-03-2024``,
    ``7-3-2024``, ``7/3/2024`` or ``7.3.2024`` (day first; month first with
    ``order="mdy"``).

    Real Excel dates arrive from the XLSX reader already as ISO text; with
    ``epoch`` (a workbook's day 0) a plain number is an Excel serial date.
    Empty is missing; impossible dates (``31-02-2024``), two-digit years and
    years outside 1900-2100 are bad. Runs a Python loop: call it on distinct
    values (:func:`parse_unique`) or use :func:`parse_date_fast`.

    Returns:
        ``Parsed`` with ``datetime64[ns]`` values (NaT where missing or bad).
    """
    t = clean_text(s)
    dates = [_date_from_text(x, order, epoch) for x in t.tolist()]
    values = pd.Series(pd.to_datetime(pd.Series(dates, dtype=object)), dtype="datetime64[ns]")
    values.index = s.index
    empty = (t == "").to_numpy()
    ok = np.array([d is not None for d in dates], dtype=bool)
    return Parsed(values, ~ok & ~empty)


def parse_date_fast(s: pd.Series, order: str = "dmy", epoch: _dt.date | None = None) -> Parsed:
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
    slow = parse_date(t[rest], order, epoch)
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
