"""Fuzz `zwt clean` with messy raw exports (issue 9: bad input at scale).

Hypothesis writes whole raw folders the way real exports go wrong: three
encodings, both separators, CRLF or LF, Excel's ``sep=`` line, shuffled,
upper-cased and padded headers, unknown extra columns, duplicated headers,
missing required columns, 0-byte and header-only files, rows cut off in the
middle (also inside a quoted cell), wrong types, huge values (``1e308``,
40-digit numbers), control characters (NUL, ESC, CR), non-breaking spaces.

Every run of ``zwt clean`` (typer's CliRunner on the real CLI app) must end in
exactly one of two ways:

* exit 0, and per table ``rows_in == rows_clean + rows_quarantined`` == the
  number of data rows written, the Parquet file holds ``rows_clean`` rows and
  ``quarantine.csv`` names exactly ``rows_quarantined`` distinct rows;
* a non-zero exit with one plain ``zwt: error: ...`` message naming every
  file that cannot be read (one line, or a numbered list for several),
  no traceback anywhere, and ``--out`` exactly as it was (nothing half-written,
  no temporary folder left beside it).

The single-rule tests (encodings, separators, placeholders ...) live in
tests/ingest/test_io.py and tests/ingest/test_clean.py; this file checks that the rules hold
together on random combinations. One test runs the installed ``zwt`` script
in a real subprocess to see its stderr as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zwt_analysis import processed
from zwt_analysis.cli import app
from zwt_analysis.contract import QUARANTINE_COLUMNS, TABLES

KEY = "fuzz-key"
SENTINEL = "previous-run.txt"
FUZZ_TABLES = ("staff", "cases", "time_registrations", "formation", "kpi_values", "areas")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")

# Cell texts per column kind: plausible values in both number conventions ...
VALID = {
    "id": ["E001", "C17", "123456782", "A-1", " x9 "],
    "text": ["DOCK", "Incluzio", "SMD", "Team A", "Zaanse Schans é", "\xa0SMD\xa0", "team  a"],
    "date": ["2024-03-07", "07-03-2024", "7-3-2024", "2024-02-29", "2025-12-31 10:00"],
    "int": ["2024", "1", "0", "1.234"],
    "float": ["0,8", "0.8", "1", "1.234,5", "12", "0,05"],
    "bool": ["ja", "nee", "true", "0"],
    "period": ["2024", "2024-Q3", "Q1 2025", "2024K2"],
}
ENUM_SPELLINGS = ["Wmo 2015", "Jeugd", "WMO", "Schuldhulp", "Preventief collectief", "overhead"]
# ... and what real exports also contain.
JUNK = [
    "", " ", "NULL", "-", "n/a", "#N/A", "1e308", "-1e308", "1" + "0" * 39,
    "123456789012345678901234567890123456789,5", "NaN", "inf", "-5", "€ 12", "31-02-2024",
    "99-99-9999", "0001-01-01", "\x1b[31mrood\x1b[0m", "a\rb", "a\nb", "\tx\t", '"quoted"',
    "x,y;z", "\xa0", "\u200b", "é", "ïëü", "2024-03-07T25:99", "1,2,3", "1.2.3",
    "true; DROP TABLE cases", "' OR 1=1", "<script>", "😀",
]


@dataclass
class RawFile:
    """One messy export: its bytes and how many data rows it really holds."""

    name: str
    data: bytes
    #: None: the file cannot be read (a fatal error is expected); EITHER: both endings are right
    rows: int | None


EITHER = -1


def _line(cells: list[str], sep: str, quote_all: bool) -> str:
    """One CSV record as Excel writes it: a cell with the separator, a quote or a
    line break inside (CR included, which Python's csv writer leaves bare) is quoted."""
    out = []
    for c in cells:
        if quote_all or any(ch in c for ch in (sep, '"', "\r", "\n")):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return sep.join(out)


def _cell_pool(kind: str, values: tuple[str, ...]) -> list[str]:
    if kind == "enum":
        return list(values) + [v.upper() for v in values] + ENUM_SPELLINGS
    return VALID[kind]


@st.composite
def cells(draw, kind: str, values: tuple[str, ...]) -> str:
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(JUNK))
    text = draw(st.sampled_from(_cell_pool(kind, values)))
    if draw(st.integers(0, 5)) == 0:
        text = draw(st.sampled_from(["\xa0", " ", "\t", "\x1b"])) + text
    return text


def _encodable(text: str, encoding: str) -> str:
    """``text`` with the characters ``encoding`` cannot hold replaced by ``?``."""
    return text.encode(encoding, errors="replace").decode(encoding)


@st.composite
def raw_files(draw, name: str) -> RawFile:
    table = TABLES[name]
    encoding = draw(st.sampled_from(ENCODINGS))
    sep = draw(st.sampled_from([",", ";"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    shape = draw(st.sampled_from(["rows"] * 6 + ["empty", "header_only", "dup_header",
                                                 "missing_required", "nul"]))
    if shape == "empty":
        return RawFile(name, b"", None)

    columns = list(table.column_names)
    optional = [c for c in columns if c not in table.required]
    dropped = draw(st.sets(st.sampled_from(optional), max_size=len(optional))) if optional else set()
    columns = [c for c in columns if c not in dropped]
    if shape == "missing_required":
        columns.remove(draw(st.sampled_from(table.required)))
    columns = draw(st.permutations(columns))
    if draw(st.booleans()):
        columns = columns + ["extra_kolom"]
    if shape == "dup_header":
        columns = columns + [draw(st.sampled_from([c for c in columns if c in table.column_names]))]
    header = [draw(st.sampled_from([c, c.upper(), f" {c} ", c.title()])) for c in columns]

    n = draw(st.integers(0, 0 if shape == "header_only" else 12))
    body = []
    for _ in range(n):
        row = []
        for c in columns:
            col = table.column(c) if c in table.column_names else None
            row.append(draw(cells(col.kind, col.values)) if col else draw(st.sampled_from(JUNK)))
        body.append([_encodable(v, encoding) for v in row])

    quote_all = draw(st.integers(0, 4)) == 0
    text = _line(header, sep, quote_all) + newline
    head_len = len(text)
    line_ends = []
    for r in body:
        text += _line(r, sep, quote_all) + newline
        line_ends.append(len(text))
    if draw(st.integers(0, 5)) == 0:
        text = f"sep={sep}{newline}" + text
        head_len += len(f"sep={sep}{newline}")
        line_ends = [e + len(f"sep={sep}{newline}") for e in line_ends]

    rows: int | None = n
    if shape == "nul":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\x00" + text[at:]
        rows = None  # a NUL byte: not a text file (UTF-16?) unless there is a BOM
    elif n and draw(st.integers(0, 3)) == 0:
        # cut the last written row somewhere inside (mid-row or mid-quote)
        start = line_ends[-2] if n > 1 else head_len
        last = text[start:line_ends[-1]].rstrip("\r\n")
        cut = draw(st.integers(1, max(1, len(last) - 1)))
        prefix = last[:cut]
        text = text[:start] + prefix
        # the cut row still counts as a data row when it holds anything but blanks, quotes
        # and separators (such a line is an empty line: data contract section 6)
        rows = n if any(not ch.isspace() and ch not in ('"', sep) for ch in prefix) else n - 1
    if shape in ("dup_header", "missing_required"):
        rows = None
    elif rows is not None and any(_breaks_a_line(name, c, v) for r in body
                                  for c, v in zip(columns, r, strict=True)):
        # a line break inside a quoted cell of a column that may not hold one: each
        # physical line is then read as its own record (hand-picked tests count them)
        rows = EITHER
    data = text.encode(encoding)
    if shape == "nul" and encoding == "utf-8-sig":
        rows = EITHER  # the BOM says UTF-8: a NUL is then just a (strange) character
    return RawFile(name, data, rows)


def _breaks_a_line(table: str, column: str, value: str) -> bool:
    from zwt_analysis.ingest.schemas import allows_line_breaks

    inner = value.strip()
    return ("\r" in inner or "\n" in inner) and not allows_line_breaks(table, column)


@st.composite
def raw_folders(draw) -> list[RawFile]:
    names = draw(st.lists(st.sampled_from(FUZZ_TABLES), min_size=1, max_size=3, unique=True))
    return [draw(raw_files(n)) for n in names]


def check_outcome(code: int, output: str, exc: BaseException | None, files: list[RawFile],
                  out: Path) -> None:
    """The two allowed endings of a `zwt clean` run (see module docstring).

    ``out`` either did not exist before the run or held only the file ``SENTINEL``.
    """
    assert exc is None or isinstance(exc, SystemExit), f"uncaught {exc!r}"
    assert "Traceback" not in output, output
    leftovers = [p.name for p in out.parent.iterdir() if ".zwt-tmp-" in p.name or ".zwt-old-" in p.name]
    assert not leftovers, leftovers
    fatal_expected = [f for f in files if f.rows is None]
    if code == 0:
        assert not fatal_expected, f"expected a fatal error for {[f.name for f in fatal_expected]}"
        assert not (out / SENTINEL).exists(), "--out was not replaced as a whole"
        meta = json.loads((out / "validation.json").read_text(encoding="utf-8"))
        q = _quarantine_rows(out)
        for f in files:
            v = meta[f.name]
            assert v["rows_in"] == v["rows_clean"] + v["rows_quarantined"], (f.name, v)
            if f.rows != EITHER:
                assert v["rows_in"] == f.rows, (f.name, v, f.data[:400])
            assert pq.read_metadata(out / f"{f.name}.parquet").num_rows == v["rows_clean"]
            rows = q.get(f.name, set())
            assert len(rows) == v["rows_quarantined"], (f.name, v)
            assert rows <= set(range(1, v["rows_in"] + 1))
        return
    assert code not in (None, 0)
    may_fail = [f for f in files if f.rows is None or f.rows == EITHER]
    assert may_fail, f"unexpected failure:\n{output}"
    errors = [ln for ln in output.splitlines() if ln.startswith("zwt: error:")]
    assert len(errors) == 1, output
    message = output[output.index("zwt: error:"):]
    named = [f.name for f in may_fail if f"{f.name}.csv" in message]
    assert named, f"the message names none of {[f.name for f in may_fail]}: {message}"
    sure = [f.name for f in files if f.rows is None]
    assert all(f"{n}.csv" in message for n in sure), f"every fatal file is named: {message}"
    if out.exists():
        assert sorted(p.name for p in out.iterdir()) == [SENTINEL], "--out was touched"
    else:
        assert not any(out.parent.iterdir()), "a failed run created something beside --out"


def _quarantine_rows(out: Path) -> dict[str, set[int]]:
    """Distinct quarantined row numbers per table, read back the way reports read them."""
    try:
        q = processed.read_quarantine(out)
    except Exception as err:  # noqa: BLE001 - turned into a clear failure
        raise AssertionError(f"quarantine.csv cannot be read back: {type(err).__name__}: {err}\n"
                             + (out / "quarantine.csv").read_text(encoding="utf-8")[:2000]) from err
    assert list(q.columns) == list(QUARANTINE_COLUMNS)
    rows: dict[str, set[int]] = {}
    for table, row in zip(q["table"], q["row_number"], strict=True):
        rows.setdefault(str(table), set()).add(int(row))
    return rows


def _write_folder(base: Path, files: list[RawFile], previous: bool = True) -> tuple[Path, Path]:
    """Raw folder with ``files``; ``--out`` holding an earlier run's file, or not there yet."""
    raw, out = base / "raw", base / "job" / "processed"
    raw.mkdir()
    out.parent.mkdir(parents=True)
    if previous:
        out.mkdir()
        (out / SENTINEL).write_text("left by an earlier run\n")
    for f in files:
        (raw / f"{f.name}.csv").write_bytes(f.data)
    return raw, out


RUNNER = CliRunner()


@pytest.mark.slow  # ~10 s for 45 examples on 2 shared cores
@settings(max_examples=int(os.environ.get("ZWT_FUZZ_EXAMPLES", "45")), deadline=None,
          derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=raw_folders(), previous=st.booleans())
def test_messy_exports_end_clean_or_in_one_plain_error(files, previous):
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = _write_folder(Path(tmp), files, previous)
        before = {p.name: p.read_bytes() for p in raw.iterdir()}
        result = RUNNER.invoke(app, ["clean", "--raw", str(raw), "--out", str(out),
                                     "--as-of", "2026-09-30"],
                               env={"ZWT_PSEUDONYM_KEY": KEY})
        check_outcome(result.exit_code, result.output, result.exception, files, out)
        assert {p.name: p.read_bytes() for p in raw.iterdir()} == before  # raw is read-only


# -------------------------------------------------------------- hand-picked cases

def _rows_csv(name: str, rows: list[list[str]], sep: str = ",") -> str:
    lines = [TABLES[name].column_names, *rows]
    return "".join(_line(r, sep, False) + "\n" for r in lines)


STAFF_ROW = ["E1", "DOCK", "T1", "generalist", "0,8", "01-02-2024", "", ""]


@pytest.mark.parametrize("label, files", [
    ("cut mid-quote", [RawFile("staff", (_rows_csv("staff", [STAFF_ROW], ";")
                                         + 'E2;DOCK;"team ""met; puntkomma').encode(), 2)]),
    ("cut mid-row", [RawFile("staff", (_rows_csv("staff", [STAFF_ROW], ";") + "E2;DO").encode(),
                             2)]),
    ("huge values", [RawFile("formation", _rows_csv("formation", [
        ["DOCK", "1" + "0" * 39, "1e308"], ["SMD", "2024", "1" * 40], ["DOCK", "2025", "12,5"]],
        ";").encode("cp1252"), 3)]),
    ("control characters", [RawFile("staff", _rows_csv("staff", [
        ["E\x1b1", "DOCK\r", "T\x0b1", "generalist", "1", "2024-01-01", "", ""],
        ["\xa0E2\xa0", "\xa0DOCK", "T1", "", "1", "2024-01-01", "", ""]]).encode("utf-8-sig"), 2)]),
    ("header only", [RawFile("cases", ",".join(TABLES["cases"].column_names).encode(), 0)]),
    ("empty", [RawFile("staff", b"", None)]),
    ("only blank lines", [RawFile("staff", b"\r\n\r\n \r\n", None)]),
    # regressions found by the fuzz test (see docs/hardening.md)
    # a CR inside a quoted role: the line ends there (no line break outside free text), so
    # "E2,..,\"gene" is quarantined as an unclosed quote and "ralist\",1,.." is a record
    ("CR inside a quarantined cell", [RawFile("staff", _rows_csv("staff", [
        STAFF_ROW, ["E2", "DOCK", "T1", "gene\rralist", "1", "2024-01-01", "", ""]]).encode(), 3)]),
    ("line break inside a free-text note", [RawFile("kpi_values", _rows_csv("kpi_values", [
        ["K1", "DOCK", "2024", "0,5", "regel 1\r\nregel 2"], ["K2", "DOCK", "2024", "1", "x"]],
        ";").encode(), 2)]),
    ("open end date 9999-12-31", [RawFile("staff", _rows_csv("staff", [
        STAFF_ROW, ["E2", "DOCK", "T1", "", "1", "2024-01-01", "9999-12-31", ""]]).encode(), 2)]),
    ("ISO date before 1678", [RawFile("cases", _rows_csv("cases", [
        ["C1", "123456782", "DOCK", "T1", "", "wmo", "0001-01-01", "", "", "", "", "", ""]])
        .encode(), 1)]),
    ("40-digit population", [RawFile("areas", _rows_csv("areas", [
        ["WK1", "A", "DOCK", "T1", "ja", "1" + "0" * 39], ["WK2", "B", "DOCK", "T2", "", "12"]])
        .encode(), 2)]),
    ("duplicated header", [RawFile("formation", b"organisation;year;budgeted_fte;YEAR\nDOCK;2024;1;2\n",
                                   None)]),
])
def test_hand_picked_messy_exports(tmp_path, label, files):
    raw, out = _write_folder(tmp_path, files)
    result = RUNNER.invoke(app, ["clean", "--raw", str(raw), "--out", str(out),
                                 "--as-of", "2026-09-30"], env={"ZWT_PSEUDONYM_KEY": KEY})
    check_outcome(result.exit_code, result.output, result.exception, files, out)


def _zwt() -> Path:
    exe = Path(sys.executable).parent / "zwt"
    if not exe.exists():
        pytest.skip(f"the zwt script is not installed next to {sys.executable}")
    return exe


@pytest.mark.parametrize("fatal", [True, False])
def test_real_subprocess_stderr_is_one_plain_line(tmp_path, fatal):
    """Through the installed script: what a user sees on the terminal."""
    files = [RawFile("staff", _rows_csv("staff", [STAFF_ROW, ["E2", "SMD", "T2", "x", "NULL",
                                                               "1-1-2024", "", ""]], ";")
                     .encode("cp1252"), 2)]
    if fatal:
        files.append(RawFile("cases", b'case_id,client_id,organisation,team\n"C1,"12', None))
    raw, out = _write_folder(tmp_path, files)
    env = os.environ | {"ZWT_PSEUDONYM_KEY": KEY}
    done = subprocess.run([str(_zwt()), "clean", "--raw", str(raw), "--out", str(out)],
                          capture_output=True, text=True, timeout=120, env=env)
    check_outcome(done.returncode, done.stdout + done.stderr, None, files, out)
    if fatal:
        assert done.stderr.strip().count("\n") == 0, done.stderr  # exactly one line
        assert "cases.csv" in done.stderr and "'legal_framework'" in done.stderr


def test_control_characters_in_names_survive_the_csv_outputs(tmp_path, monkeypatch):
    """A team name with a CR inside is quarantined (the quoted CR ends the line: the
    line with the open quote and the line after it are two records), and
    quarantine.csv and indicators.csv read back intact."""
    from zwt_analysis import indicators
    from zwt_analysis.ingest import clean

    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    rows = [["E1", "DOCK", "T\r1", "2024-01-02", "statutory_individual", "4"],
            ["E1", "DOCK", "T\r1", "2024-01-02", "preventive_individual", "4"],
            ["E2", "DOCK", "T2", "2024-01-02", "overhead", "x\r"]]
    head = ["employee_id", "organisation", "team", "date", "activity", "hours"]
    (raw / "time_registrations.csv").write_text(
        "".join(_line(r, ",", False) + "\n" for r in [head, *rows]), encoding="utf-8", newline="")
    monkeypatch.setenv("ZWT_PSEUDONYM_KEY", KEY)
    assert clean.main(raw=raw, out=out, as_of=None) == 0
    meta = processed.read_validation(out)["time_registrations"]
    # two lines for each "T\r1" row; the CR of "x\r" is trimmed white space: one record
    assert meta["rows_in"] == 5 == meta["rows_clean"] + meta["rows_quarantined"]
    assert _quarantine_rows(out).get("time_registrations", set()) and meta["rows_quarantined"] >= 1
    indicators.main(processed=out, out=out / "indicators.csv")
    ind = pd.read_csv(out / "indicators.csv", keep_default_na=False)
    known = {"preventive_share", "additional_assignment_share"}
    assert set(ind["indicator_id"]) <= known, sorted(set(ind["indicator_id"]) - known)
    assert pd.to_numeric(ind["denominator"], errors="coerce").notna().all()
