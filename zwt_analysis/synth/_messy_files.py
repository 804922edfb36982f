"""``--messy`` files: every table written the way some real export writes it.

Each table has its own layout (:data:`LAYOUTS`), so one messy folder shows
every reading rule of the data contract (sections 1 and 6) at once:
Windows-1252, UTF-8 with a few Windows-1252 lines, UTF-16 with a byte-order
mark and tabs (Excel's "Unicode text"), ``;`` and tab separators, an Excel
``sep=;`` line, title rows above the header, lines holding only separators
or white space, a trailing separator in the header, lines that stop after
their last non-empty field, and a workbook with a cover sheet, title rows,
merged cells and Excel serial dates. Before the broken rows are added,
values take the other forms real exports use (:func:`vary_values`): hours
as ``h:mm``, organisation and team names with other case, accents, dashes
and spacing, ``n.v.t.`` for an empty code, free text with spaces around it.
A file whose name matches no table is written beside them.

None of this changes the data: ``zwt clean`` reads a messy folder into the
same clean tables as the plain folder of the same seed (plus the planted
identical rows), with exactly the planted broken rows in quarantine.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import TABLES
from ._write import UNCLOSED_QUOTE, _cat

#: In messy mode this table arrives as an Excel workbook (typed cells), not as CSV.
XLSX_TABLE = "budgets"
#: Fixed time stamp inside the workbook (document properties and zip entries), for determinism.
XLSX_TIMESTAMP = (2026, 1, 1, 0, 0, 0)
#: A file that matches no table name (not read by ``zwt clean``; listed with its likely table).
UNMATCHED_FILE = "Cases 2025-06.csv"


@dataclass(frozen=True)
class Layout:
    """How one messy CSV file is written."""

    encoding: str = "cp1252"
    sep: str = ";"
    title: tuple[str, ...] = ()
    sep_hint: bool = False
    header_trailing_sep: bool = False
    trim_trailing: bool = False
    #: Lines (among the first data lines) written as Windows-1252 in a UTF-8 file.
    cp1252_lines: int = 0
    #: Empty lines (only separators or white space) put between the first data lines.
    empty_lines: int = 0


LAYOUTS: dict[str, Layout] = {
    "areas": Layout(title=("Wijkindeling wijkteams Zaanstad", "Bron: gemeente Zaanstad", "")),
    "staff": Layout(encoding="utf-16", sep="\t"),
    "time_registrations": Layout(encoding="utf-8", cp1252_lines=4, empty_lines=3),
    "cases": Layout(header_trailing_sep=True),
    "formation": Layout(header_trailing_sep=True),
    "kpi_register": Layout(title=("KPI-register wijkteams", "")),
    "kpi_values": Layout(encoding="utf-8-sig", sep="\t"),
    "signals": Layout(header_trailing_sep=True, trim_trailing=True),
    "cost_index": Layout(sep_hint=True),
}

#: Other spellings of names as they appear in exports (matched to ``areas`` after
#: Unicode normalisation: case, accents, dashes, spacing).
NAME_FORMS = (str.upper, lambda s: s.replace("-", " \u2013 "),
              lambda s: s.replace("o", "\u00f3", 1), lambda s: s.lower() + " ")
#: Share of cells written in another form.
VARY_SHARE = 0.15


def _vary(cat: pd.Categorical, forms, rng: np.random.Generator, share: float = VARY_SHARE,
          empty: str | None = None) -> pd.Categorical:
    """Write a share of the cells in another form (``forms``: functions of the text).

    With ``empty``, a share of the empty cells is written as that text instead.
    """
    cats = [str(c) for c in cat.categories]
    codes = np.asarray(cat.codes).astype(np.int64)
    pick = rng.random(len(codes)) < share
    which = rng.integers(0, max(len(forms), 1), len(codes))
    all_cats = list(cats)
    new = codes.copy()
    for k, form in enumerate(forms):
        all_cats += [form(c) for c in cats]
        sel = pick & (which == k) & (codes >= 0)
        new[sel] = codes[sel] + len(cats) * (k + 1)
    if empty is not None:
        all_cats.append(empty)
        new[pick & (codes < 0)] = len(all_cats) - 1
    return _cat(new, all_cats)


def _clock(text: str) -> str:
    """``7,5`` -> ``7:30`` (hours as written by a time clock); other text unchanged."""
    try:
        v = float(text.replace(",", "."))
    except ValueError:
        return text
    h, m = divmod(round(v * 60), 60)
    return f"{h}:{m:02d}"


def vary_values(name: str, fmt: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Other forms of the same values, as real exports write them (the data stays the same)."""
    out = fmt.copy()
    cols = TABLES[name].column_names
    if name != "areas":
        for c in ("organisation", "team"):
            if c in cols:
                out[c] = _vary(out[c].array, NAME_FORMS, rng)
    if name == "time_registrations":
        out["hours"] = _vary(out["hours"].array, (_clock,), rng, share=0.2)
        out["assignment_id"] = _vary(out["assignment_id"].array, (), rng, share=0.2, empty="n.v.t.")
    if name == "kpi_register":
        out["indicator_id"] = _vary(out["indicator_id"].array, (), rng, share=0.5, empty="geen")
    if name == "cases":
        out["question_type"] = _vary(out["question_type"].array, (lambda s: f"  {s} ",), rng)
    return out


# --------------------------------------------------------------------------- CSV


def csv_bytes(name: str, fmt: pd.DataFrame, headers: list[str], rng: np.random.Generator) -> bytes:
    """The messy CSV file of ``name`` (see :data:`LAYOUTS`)."""
    lay = LAYOUTS[name]
    text = fmt.to_csv(None, index=False, header=headers, sep=lay.sep, lineterminator="\r\n",
                      na_rep="")
    head, _, body = text.partition("\r\n")
    if lay.header_trailing_sep:
        head += lay.sep
    if lay.trim_trailing:
        body = re.sub(f"{re.escape(lay.sep)}+(?=\r\n)", "", body)
    body = body.replace(UNCLOSED_QUOTE, '"')
    top = [f"sep={lay.sep}"] if lay.sep_hint else []
    top += [t + lay.sep * (len(headers) - 1) if t and lay.sep == ";" else t for t in lay.title]
    lines_head, rest = _split_head(body, 3000)
    lines_head = _with_empty_lines(lines_head, lay, len(headers), rng)
    if lay.encoding == "utf-16":
        text = "".join(ln + "\r\n" for ln in [*top, head, *lines_head]) + rest
        return b"\xff\xfe" + text.encode("utf-16-le")
    enc = "utf-8" if lay.encoding.startswith("utf-8") else lay.encoding
    bom = b"\xef\xbb\xbf" if lay.encoding == "utf-8-sig" else b""
    first = "\r\n".join([*top, head]).encode(enc) + b"\r\n"
    return bom + first + _encode_lines(lines_head, lay, enc) + rest.encode(enc)


def _split_head(body: str, n: int) -> tuple[list[str], str]:
    """The first ``n`` lines of ``body`` (without line ends) and the rest (text, as it is).

    ``body`` ends with a line end (as the CSV writer writes it).
    """
    parts = body.split("\r\n", n)
    if len(parts) > n:
        return parts[:n], parts[n]
    return parts[:-1], ""


def _with_empty_lines(lines: list[str], lay: Layout, width: int,
                      rng: np.random.Generator) -> list[str]:
    if not lay.empty_lines or not lines:
        return lines
    out = list(lines)
    forms = [lay.sep * (width - 1), "   ", f" {lay.sep} {lay.sep}\t"]
    for k in range(lay.empty_lines):
        out.insert(int(rng.integers(1, len(out))), forms[k % len(forms)])
    return out


def _encode_lines(lines: list[str], lay: Layout, enc: str) -> bytes:
    """Lines with line ends; in a UTF-8 file the first non-ASCII lines as Windows-1252."""
    left = lay.cp1252_lines
    out = []
    for ln in lines:
        if left and enc == "utf-8" and not ln.isascii():
            out.append(ln.encode("cp1252") + b"\r\n")
            left -= 1
        else:
            out.append(ln.encode(enc) + b"\r\n")
    return b"".join(out)


def write_unmatched(out: Path, cases_fmt: pd.DataFrame, headers: list[str]) -> None:
    """A copy of a few cases under a name that matches no table (not read, only listed)."""
    text = cases_fmt.head(3).to_csv(None, index=False, header=headers, sep=";",
                                    lineterminator="\r\n", na_rep="")
    (out / UNMATCHED_FILE).write_bytes(text.replace(UNCLOSED_QUOTE, "").encode("cp1252"))


# --------------------------------------------------------------------------- workbook


def _typed(text: str | None, kind: str) -> object:
    """A messy cell text as the typed value a real Excel export holds (text if it is no value)."""
    if text is None:
        return None
    if kind == "date":
        parts = text.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return _dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return text
        return text
    if kind in ("float", "int"):
        body = text.lstrip("-")
        if body and all(ch.isdigit() or ch in ".," for ch in body):
            v = float(text.replace(".", "").replace(",", "."))
            return int(v) if kind == "int" and v.is_integer() else v
        return text
    return text


def _serial(value: object) -> object:
    """A date as the number Excel stores (a date cell that lost its date format)."""
    return (value - _dt.date(1899, 12, 30)).days if isinstance(value, _dt.date) else value


def write_xlsx(df: pd.DataFrame, path: Path, headers: list[str], name: str) -> None:
    """A workbook as exports arrive: a cover sheet first, then the table below two title
    rows, runs of one organisation as merged cells, some dates as serial numbers.

    Numbers become Excel numbers, dates real Excel dates; cells that are no
    valid number/date (the deliberately broken ones) stay text. Deterministic.
    """
    from openpyxl import Workbook

    kinds = {c.name: c.kind for c in TABLES[name].columns}
    cols = []
    for c in df.columns:
        cat = df[c].array
        cols.append((np.asarray(cat.codes), [_typed(str(v), kinds[c]) for v in cat.categories]))
    # about a fifth of the rows, chosen by content (a copied row is written like its original)
    serial = sum(np.maximum(codes, 0) for codes, _ in cols) % 5 == 0
    wb = Workbook()
    cover = wb.active
    cover.title = "Toelichting"
    cover.append(["Budgetten wijkteams per opdracht"])
    cover.append(["Bedragen in euro's; zie het tabblad Budgetten."])
    ws = wb.create_sheet("Budgetten")
    ws.append([f"Budgetten {name}"])
    ws.append(["Export uit het financiele systeem"])
    ws.append(headers)
    first = ws.max_row + 1
    for i in range(len(df)):
        row = [typed[codes[i]] if codes[i] >= 0 else None for codes, typed in cols]
        if serial[i]:
            row = [_serial(v) if kinds[c] == "date" else v for v, c in zip(row, df.columns,
                                                                           strict=True)]
        ws.append(row)
    oc = list(df.columns).index("organisation")
    codes, typed = cols[oc]
    _merge_runs(ws, [typed[c] if c >= 0 else None for c in codes], first, oc + 1)
    _save(wb, path)


def _merge_runs(ws, values: list, first_row: int, column: int) -> None:
    """Merge each run of two or more equal organisation cells into one (as people format it)."""
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    start = 0
    for i in range(1, len(values) + 1):
        if i < len(values) and values[i] == values[start] and values[i] is not None:
            continue
        if i - start >= 2 and values[start] is not None:
            ws.merge_cells(f"{letter}{first_row + start}:{letter}{first_row + i - 1}")
        start = i


def _save(wb, path: Path) -> None:
    """Save with fixed times in the document properties and zip entries."""
    from openpyxl.writer.excel import ExcelWriter

    stamp = _dt.datetime(*XLSX_TIMESTAMP)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "zwt synth"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _fixed_core_times(data)
            info = zipfile.ZipInfo(item.filename, date_time=XLSX_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)


def _fixed_core_times(xml: bytes) -> bytes:
    """Replace the created/modified times in docProps/core.xml by the fixed stamp."""
    iso = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*XLSX_TIMESTAMP)
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                  rb"\g<1>" + iso.encode() + rb"\g<2>", xml)
