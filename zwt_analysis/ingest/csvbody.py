"""The data lines of a CSV file: pyarrow for the lines that parse, Python for the few that do not.

pyarrow reads every physical line as one record with quoting switched off,
multi-threaded, into dictionary-encoded text columns. Lines it cannot take
(a different number of fields: a quoted separator, a missing trailing field,
one field too many) are handed to a callback, and lines holding a quote that
is not a plain ``"..."`` field are picked out afterwards. Only those lines are
located in the file and read again by Python, with quoting, one physical line
at a time:

- a line whose quote never closes may continue on the next lines only where
  that makes one record: the quote closes, the fields fit the header, every
  line break lies in a free-text column and no swallowed line is a record of
  its own; otherwise the line is quarantined as itself (``unclosed quote``)
  and the lines after it are read as their own records;
- a line with fewer fields than the header gets the missing trailing fields
  empty; a line with a non-empty field beyond the header is quarantined;
- a line holding only separators or white space is an empty line: not a row.

So a few bad lines in a large file cost about what the file costs without
them: the rest of the file stays on pyarrow's fast path.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

#: A quoted field that pyarrow (quoting off) read whole: ``"..."`` with inner quotes doubled.
_WELL_QUOTED = re.compile(r'"(?:[^"]|"")*"', re.DOTALL)
#: Distinct bad lines located with ``bytes.find``; more are located by line length.
FIND_LIMIT = 16
#: Lines a quoted value may span at most.
MAX_LINES_PER_RECORD = 100
#: Lines looked at to choose the number of fields pyarrow expects.
SAMPLE_LINES = 200

UNCLOSED_QUOTE = "unclosed quote: the line is not a record"


def too_many_fields(n: int, width: int) -> str:
    """Reason for a line with a non-empty field beyond the header."""
    return f"too many fields ({n}, header has {width})"


@dataclass
class Body:
    """Data records of a CSV file as text columns ``f0..f{width-1}`` (``""`` = empty).

    Row ``i`` is data record ``i + 1``; ``bad_rows`` maps a row to a
    whole-row problem (its cells are all empty). ``empty_lines`` counts lines
    that held only separators or white space; ``python_lines`` the lines read
    by the Python path.
    """

    frame: pd.DataFrame
    bad_rows: dict[int, str] = field(default_factory=dict)
    empty_lines: int = 0
    python_lines: int = 0


def read_body(data: bytes, start: int, sep: str, width: int,
              multiline: frozenset[int] = frozenset()) -> Body:
    """Read the data lines of ``data`` from byte ``start`` on into a :class:`Body`.

    Args:
        data: the whole file as UTF-8 bytes (never copied on the fast path).
        start: where the first data line starts (after the header line).
        sep: the field separator.
        width: number of header fields (trailing empty names included).
        multiline: field positions whose quoted value may hold a line break.
    """
    if not data[start:start + (1 << 16)].strip() and not data[start:].strip():
        return Body(_empty_frame(width))
    ncols = _modal_fields(data[start:start + (1 << 20)], sep, width)
    names = [f"f{i}" for i in range(ncols)]
    invalid: list[bytes] = []

    def handler(row: object) -> str:
        invalid.append(row.text.encode("utf-8"))  # type: ignore[attr-defined]
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(start)),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False,
                                             invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.dictionary(pa.int32(), pa.string()) for c in names},
                strings_can_be_null=False, null_values=[]),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return _all_python(_Lines(data, start), sep, width, multiline)
    frame = table.to_pandas()
    del table
    frame, suspect = _unquote(frame)
    empty = _empty_rows(frame)
    if not invalid and not suspect.any():
        return _finish(frame[~empty] if empty.any() else frame, width, [], int(empty.sum()))
    lines = _Lines(data, start)
    bad_lines = lines.find(invalid)
    if bad_lines is None:
        return _all_python(lines, sep, width, multiline)
    mask = lines.ends > lines.starts  # pyarrow skips lines without a byte
    mask[bad_lines] = False
    good = np.flatnonzero(mask)
    del mask
    if len(good) != len(frame):
        return _all_python(lines, sep, width, multiline)
    redo = np.union1d(bad_lines, good[suspect])
    records, blank = _resolve(lines, redo, sep, width, multiline)
    keep = ~suspect & ~empty
    fast = frame if keep.all() else frame[keep]
    del frame
    return _merge(fast, good[keep], records, width, int(empty.sum()) + blank, len(redo))


# --------------------------------------------------------------------------- fast path helpers


def _empty_frame(width: int) -> pd.DataFrame:
    return pd.DataFrame({f"f{i}": pd.array([], dtype="str") for i in range(width)})


def _modal_fields(head_bytes: bytes, sep: str, width: int) -> int:
    """The most common number of fields (quoting ignored) among the first data lines."""
    head = head_bytes.splitlines()[:SAMPLE_LINES]
    counts = Counter(ln.count(sep.encode()) + 1 for ln in head if ln.strip())
    if not counts:
        return width
    return max(counts.items(), key=lambda kv: (kv[1], kv[0] == width))[0]


def _unquote(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Strip the quotes of plain ``"..."`` fields; flag rows with any other quote."""
    suspect = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        cat = frame[c].array
        cats = np.asarray(cat.categories, dtype=object)
        has_q = np.array(['"' in x for x in cats], dtype=bool)
        if not has_q.any():
            continue
        well = np.array([bool(q) and _WELL_QUOTED.fullmatch(x) is not None
                         for x, q in zip(cats, has_q, strict=True)], dtype=bool)
        codes = np.asarray(cat.codes)
        if (has_q & ~well).any():
            suspect |= np.append(has_q & ~well, False)[codes]
        if well.any():
            new = [x[1:-1].replace('""', '"') if w else x for x, w in zip(cats, well, strict=True)]
            new_codes, uniq = pd.factorize(pd.Series(new, dtype=object))
            frame[c] = pd.Categorical.from_codes(
                np.where(codes >= 0, np.asarray(new_codes)[codes], -1), pd.Index(uniq, dtype=object))
    return frame, suspect


def _empty_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every field is empty or white space (separator-only lines)."""
    empty = np.ones(len(frame), dtype=bool)
    for c in frame.columns:
        cat = frame[c].array
        blank = np.array([not str(x).strip() for x in cat.categories] + [True], dtype=bool)
        empty &= blank[np.asarray(cat.codes)]
    return empty


def _finish(frame: pd.DataFrame, width: int, bad: list[tuple[int, str]], empty: int,
            python_lines: int = 0) -> Body:
    """Columns to ``width`` (values beyond the header make the row bad), index 0..n-1."""
    frame = frame.reset_index(drop=True)
    bad_rows = dict(bad)
    extra = [c for c in frame.columns if int(c[1:]) >= width]
    if extra:
        filled = np.zeros(len(frame), dtype=bool)
        last = np.zeros(len(frame), dtype=np.int64)
        for c in extra:
            cat = frame[c].array
            has = np.array([bool(str(x).strip()) for x in cat.categories] + [False])[
                np.asarray(cat.codes)]
            filled |= has
            last = np.where(has, int(c[1:]) + 1, last)
        for r in np.flatnonzero(filled):
            bad_rows.setdefault(int(r), too_many_fields(int(last[r]), width))
        frame = frame.drop(columns=extra)
    for i in range(len(frame.columns), width):
        frame[f"f{i}"] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [""])
    if bad_rows:
        rows = np.array(sorted(bad_rows))
        for c in frame.columns:  # a bad row's cells cannot be trusted: all empty
            frame[c] = _set_empty(frame[c], rows)
    return Body(frame, bad_rows, empty, python_lines)


def _set_empty(s: pd.Series, rows: np.ndarray) -> pd.Series:
    cat = s.array if isinstance(s.dtype, pd.CategoricalDtype) else pd.Categorical(s)
    if "" not in cat.categories:
        cat = cat.add_categories([""])
    codes = np.asarray(cat.codes).copy()
    codes[rows] = cat.categories.get_loc("")
    return pd.Series(pd.Categorical.from_codes(codes, cat.categories), index=s.index)


# --------------------------------------------------------------------------- physical lines


class _Lines:
    """Start and end (terminator excluded) of every physical line of ``data[first:]``.

    Line ends are ``\\r\\n``, ``\\n`` or ``\\r``, like pyarrow's. Positions are
    offsets in ``data``; built in blocks, so no array of the file's size is held.
    """

    def __init__(self, data: bytes, first: int = 0) -> None:
        a = np.frombuffer(data, dtype=np.uint8)
        n = len(a)
        terms: list[np.ndarray] = []
        block = 1 << 24
        for s in range(first, n, block):
            part = a[s:s + block]
            nl = np.flatnonzero(part == 10) + s
            cr = np.flatnonzero(part == 13) + s
            lone = cr[(cr + 1 >= n) | (a[np.minimum(cr + 1, n - 1)] != 10)]
            terms.append(np.sort(np.concatenate([nl, lone])))
        term = np.concatenate(terms).astype(np.int64) if terms else np.zeros(0, dtype=np.int64)
        crlf = (term > first) & (a[term] == 10) & (a[np.maximum(term - 1, 0)] == 13)
        ends = np.concatenate([term - crlf, [n]]).astype(np.int64)
        starts = np.concatenate([[first], term + 1]).astype(np.int64)
        if starts[-1] >= n:  # the file ends with a line end: no last line
            starts, ends = starts[:-1], ends[:-1]
        self.data, self.starts, self.ends = data, starts, ends

    def __len__(self) -> int:
        return len(self.starts)

    def raw(self, i: int) -> bytes:
        return self.data[self.starts[i]:self.ends[i]]

    def text(self, i: int) -> str:
        return self.raw(i).decode("utf-8")

    def terminator(self, i: int) -> str:
        return self.data[self.ends[i]:self.starts[i + 1]].decode("utf-8")

    def nonempty(self) -> np.ndarray:
        """Lines with at least one byte (pyarrow skips the others)."""
        return np.flatnonzero(self.ends > self.starts)

    def find(self, texts: list[bytes]) -> np.ndarray | None:
        """Line numbers of the lines equal to ``texts`` (repeats included), None if they differ."""
        want = Counter(texts)
        found: list[int] = []
        if len(want) <= FIND_LIMIT:
            for t in want:
                found += self._find_one(t)
        else:
            lengths = self.ends - self.starts
            for i in np.flatnonzero(np.isin(lengths, [len(t) for t in want])):
                if self.raw(int(i)) in want:
                    found.append(int(i))
        got = Counter(self.raw(i) for i in found)
        return np.array(sorted(found), dtype=np.int64) if got == want else None

    def _find_one(self, t: bytes) -> list[int]:
        out, pos = [], int(self.starts[0]) if len(self) else 0
        while t and (pos := self.data.find(t, pos)) >= 0:
            i = int(np.searchsorted(self.starts, pos))
            if i < len(self) and self.starts[i] == pos and self.ends[i] == pos + len(t):
                out.append(i)
            pos += 1
        return out


# --------------------------------------------------------------------------- Python path


#: One record read by Python: first physical line, fields (None: not a record), problem.
Record = tuple[int, list[str] | None, str | None]


def split_record(text: str, sep: str) -> tuple[list[str], bool]:
    """Fields of one record with ``"`` quoting, and whether a quote is left open.

    Lenient like Excel: characters after a closing quote are kept; a quote
    inside an unquoted field is a character.
    """
    try:
        return next(csv.reader([text], delimiter=sep, strict=True), []), False
    except csv.Error as err:
        if "unexpected end of data" in str(err):
            return [], True
    try:
        return next(csv.reader([text], delimiter=sep), []), False
    except csv.Error:  # a line break outside quotes: not one record
        return [], True


def _fits(fields: list[str], width: int) -> bool:
    return len(fields) <= width or not any(f.strip() for f in fields[width:])


def _resolve(lines: _Lines, redo: np.ndarray, sep: str, width: int,
             multiline: frozenset[int]) -> tuple[list[Record], int]:
    """Read the lines ``redo`` one by one: ``(line, fields, problem)`` per record.

    ``fields`` is None for a line that is not a record (``problem`` says why);
    lines joined into an earlier record are skipped. Also returns the number
    of empty lines (only separators or white space) among ``redo``.
    """
    todo = {int(i) for i in redo}
    out: list[Record] = []
    skip: set[int] = set()
    blank = 0
    for i in sorted(todo):
        if i in skip:
            continue
        text = lines.text(i)
        if not text.replace('"', "").replace(sep, "").strip():  # nothing but quotes, separators
            blank += 1
            continue
        fields, open_quote = split_record(text, sep)
        if open_quote:
            joined = _join(lines, i, todo, sep, width, multiline)
            if joined is None:
                out.append((i, None, UNCLOSED_QUOTE))
                continue
            fields, last = joined
            skip.update(range(i + 1, last + 1))
        if all(not f.strip() for f in fields):
            blank += 1
            continue
        if not _fits(fields, width):
            n = max(k + 1 for k, f in enumerate(fields) if f.strip())
            out.append((i, None, too_many_fields(n, width)))
            continue
        out.append((i, fields[:width] + [""] * (width - len(fields)), None))
    return out, blank


def _join(lines: _Lines, i: int, todo: set[int], sep: str, width: int,
          multiline: frozenset[int]) -> tuple[list[str], int] | None:
    """Line ``i`` and the next lines as one record, if that is what they are."""
    text = lines.text(i)
    for j in range(i + 1, min(len(lines), i + MAX_LINES_PER_RECORD)):
        empty = lines.ends[j] == lines.starts[j]
        if j not in todo and not empty:
            return None  # the next line is a record pyarrow read: never swallowed
        part = lines.text(j)
        alone, open_alone = split_record(part, sep)
        if not open_alone and len(alone) == width and part.count('"') == 0:
            return None  # a complete record of its own
        text += lines.terminator(j - 1) + part
        fields, open_quote = split_record(text, sep)
        if open_quote:
            continue
        breaks = {k for k, f in enumerate(fields) if "\n" in f.strip() or "\r" in f.strip()}
        if _fits(fields, width) and breaks <= multiline:
            return fields, j
        return None
    return None


def _records_frame(records: list[list[str]], width: int) -> pd.DataFrame:
    cols = list(zip(*records, strict=True)) if records else [()] * width
    return pd.DataFrame({f"f{i}": pd.Categorical(list(c)) for i, c in enumerate(cols)})


def _merge(fast: pd.DataFrame, fast_lines: np.ndarray,
           records: list[Record], width: int,
           empty: int, python_lines: int) -> Body:
    """Fast rows and Python records in file order (``fast`` loses its columns on the way).

    Both come sorted by line, so each record is inserted where its line
    belongs: no sort of the whole file, one column at a time.
    """
    n_fast = len(fast)
    for i in range(len(fast.columns), width):
        fast[f"f{i}"] = pd.Categorical.from_codes(np.zeros(n_fast, dtype=np.int8), [""])
    slow = _records_frame([f if f is not None else [""] * width for _, f, _ in records], width)
    extra = [c for c in fast.columns if int(c[1:]) >= width]
    at = np.searchsorted(fast_lines, np.array([r[0] for r in records], dtype=np.int64))
    cols = {}
    for c in [f"f{i}" for i in range(width)] + extra:
        a = _object_categories(fast[c].array)
        del fast[c]  # one column at a time: the file is never held twice
        b = _object_categories(slow[c].array if c in slow.columns
                               else pd.Categorical([""] * len(slow)))
        u = pd.api.types.union_categoricals([a, b])
        del a
        codes = np.asarray(u.codes)
        cols[c] = pd.Categorical.from_codes(np.insert(codes[:n_fast], at, codes[n_fast:]),
                                            u.categories)
    frame = pd.DataFrame(cols)
    bad = [(int(at[k]) + k, why) for k, (_, f, why) in enumerate(records) if f is None]
    return _finish(frame, width, bad, empty, python_lines)


def _object_categories(cat: pd.Categorical) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(cat.codes),
                                     pd.Index(np.asarray(cat.categories, dtype=object), dtype=object))


def _all_python(lines: _Lines, sep: str, width: int, multiline: frozenset[int]) -> Body:
    """Every line through the Python path (a file pyarrow cannot take, or too many bad lines)."""
    nonempty = lines.nonempty()
    records, blank = _resolve(lines, nonempty, sep, width, multiline)
    frame = _records_frame([f if f is not None else [""] * width for _, f, _ in records], width)
    bad = [(k, why) for k, (_, f, why) in enumerate(records) if f is None]
    return _finish(frame, width, bad, blank, len(nonempty))
