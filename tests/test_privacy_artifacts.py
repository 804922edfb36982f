"""Privacy of everything a full run leaves behind (issue 9; data contract section 3).

Scans every artefact of a full run on the small synthetic data -- the
processed folder (Parquet bytes *and* the decoded tables, quarantine.csv,
validation.json, indicators.csv) and the whole report folder (HTML, CSV side
tables, executed notebooks, manifest, log) -- for

* any raw ``client_id`` or ``employee_id`` of ``small_raw`` (as a whole token:
  ``E00012`` inside a hex pseudonym or a base64 image is not a leak, ``E00012``
  or ``786621151.0`` as text is);
* any BSN-shaped number: 9 digits standing alone that pass the 11-proef;

and checks that no published CSV table shows a person count under 5.
Embedded images (base64 runs) are decoded and searched as bytes, and taken
out of the text before the text is searched. The scanners themselves are
tested on hand-built leaks first, so a scan that finds nothing means
something.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from zwt_analysis.config import MIN_CELL_PERSONS

SUPPRESSED = f"<{MIN_CELL_PERSONS}"
reports_run = [pytest.mark.slow, pytest.mark.xdist_group("reports")]

# ----------------------------------------------------------------- 11-proef


def elfproef(s: str) -> bool:
    """True when ``s`` is 9 digits passing the BSN 11-proef.

    Weights 9, 8, ..., 2 for the first eight digits and -1 for the last; the
    weighted sum must be a multiple of 11. ``000000000`` (sum 0) is not a BSN.
    """
    if len(s) != 9 or not s.isascii() or not s.isdigit():
        return False
    digits = [int(c) for c in s]
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits[:8], strict=True)) - digits[8]
    return total != 0 and total % 11 == 0


@pytest.mark.parametrize("s, ok", [
    # 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3 - 3 = 66 = 6*11
    ("111222333", True),
    # 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8 - 2 = 154 = 14*11
    ("123456782", True),
    # same first eight digits, last 9: 156 - 9 = 147 = 13*11 + 4
    ("123456789", False),
    # 9*7+8*8+7*6+6*6+5*2+4*1+3*1+2*5 - 1 = 231 = 21*11 (an id of the synthetic data)
    ("786621151", True),
    ("786621152", False),  # 230
    ("000000000", False),  # sum 0: not a BSN
    ("12345678", False),   # 8 digits
    ("1234567820", False),  # 10 digits
    ("12345678x", False),
    ("١٢٣٤٥٦٧٨٢", False),  # Arabic-Indic digits are not ASCII
])
def test_elfproef_hand_checked(s, ok):
    assert elfproef(s) is ok


# ----------------------------------------------------------------- scanners

_B64 = re.compile(rb"(?:data:[\w/+.-]+;base64,)?([A-Za-z0-9+/]{100,}={0,2})")
_TOKEN = re.compile(rb"[A-Za-z0-9]+")
_NINE = re.compile(rb"(?<![0-9A-Za-z])([0-9]{9})(?![0-9A-Za-z])")


@dataclass
class Artefact:
    """One file's searchable content: its text (embedded base64 taken out) and extra blobs."""

    path: str
    text: bytes
    blobs: list[bytes]  # decoded base64 payloads, decoded Parquet tables


def load_artefact(path: Path, label: str) -> Artefact:
    data = path.read_bytes()
    blobs: list[bytes] = []

    def take(m: re.Match[bytes]) -> bytes:
        try:
            blobs.append(base64.b64decode(m.group(1) + b"=" * (-len(m.group(1)) % 4)))
        except (binascii.Error, ValueError):
            return m.group(0)
        return b" "

    text = _B64.sub(take, data)
    if path.suffix == ".parquet":
        # column pages are compressed: search the decoded values too
        frame = pq.read_table(path).to_pandas()
        blobs.append(frame.to_csv(index=False).encode("utf-8"))
        blobs.append(str(pq.read_metadata(path).metadata).encode("utf-8"))
    return Artefact(label, label.encode("utf-8") + b"\n" + text, blobs)


def find_ids(blob: bytes, ids: set[bytes]) -> set[bytes]:
    """Raw identifiers of ``ids`` occurring in ``blob`` as a whole alphanumeric token."""
    found = {t for t in _TOKEN.findall(blob) if t in ids}
    for odd in (i for i in ids if not i.isalnum()):  # ids with '-' etc.: plain substring
        if odd in blob:
            found.add(odd)
    return found


def find_bsns(blob: bytes) -> list[str]:
    """9-digit numbers standing alone (not part of a word, a longer number or a fraction)
    that pass the 11-proef, with some context."""
    hits = []
    for m in _NINE.finditer(blob):
        before = blob[max(0, m.start() - 2):m.start()]
        if len(before) == 2 and before[1:] in (b".", b",") and before[:1].isdigit():
            continue  # the decimals of 0.123456789
        if elfproef(m.group(1).decode()):
            hits.append(blob[max(0, m.start() - 40):m.end() + 20].decode("latin-1"))
    return hits


def _png_with_text(text: bytes) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload)))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"Comment\x00" + text)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def test_scanners_find_hand_built_leaks(tmp_path):
    """Positive controls: every way of hiding an id that the scan claims to cover."""
    ids = {b"E00012", b"786621151", b"AB-7"}
    # plain text, CSV cell, float-ified id, id with a dash
    assert find_ids(b"team,E00012,3", ids) == {b"E00012"}
    assert find_ids(b'"client": 786621151.0', ids) == {b"786621151"}
    assert find_ids(b"x AB-7 y", ids) == {b"AB-7"}
    # not leaks: inside a hex pseudonym, a longer number, a longer word
    assert find_ids(b"a1e00012f 7866211519 XE00012", ids) == set()
    # an id inside a PNG text chunk of an embedded image
    png = base64.b64encode(_png_with_text(b"client 786621151 " + b"." * 100)).decode()
    page = tmp_path / "report.html"
    page.write_text(f'<p>x</p><img src="data:image/png;base64,{png}">', encoding="utf-8")
    art = load_artefact(page, "report.html")
    assert b"786621151" not in art.text
    assert any(find_ids(b, ids) for b in art.blobs)
    # an id inside a compressed Parquet column
    pq_path = tmp_path / "t.parquet"
    pd.DataFrame({"client_id": ["786621151"] * 50}).to_parquet(pq_path, compression="zstd")
    art = load_artefact(pq_path, "t.parquet")
    assert any(find_ids(b, ids) for b in art.blobs)
    # BSN-shaped numbers
    assert find_bsns(b"bsn 111222333;") and find_bsns(b'"123456782"')
    assert not find_bsns(b"123456789 0.111222333 1111222333 f111222333a 2024-111222333x")
    assert not find_bsns(b"0,111222333")


# ----------------------------------------------------------------- the run


def raw_ids(raw: Path) -> set[bytes]:
    """Every raw client_id and employee_id in the raw CSV exports."""
    ids: set[bytes] = set()
    for name, col in (("cases", "client_id"), ("staff", "employee_id"),
                      ("time_registrations", "employee_id")):
        text = (raw / f"{name}.csv").read_text(encoding="utf-8-sig")
        sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        for rec in csv.DictReader(io.StringIO(text, newline=""), delimiter=sep):
            v = (rec.get(col) or "").strip()
            if v:
                ids.add(v.encode("utf-8"))
    return ids


@pytest.fixture(scope="module")
def artefacts(small_raw, small_processed, small_indicators, small_reports) -> list[Artefact]:
    out = []
    for root, label in ((small_processed, "processed"), (small_reports, "reports")):
        files = sorted(p for p in root.rglob("*") if p.is_file())
        assert files, root
        out += [load_artefact(p, f"{label}/{p.relative_to(root)}") for p in files]
    labels = {a.path for a in out}
    assert "processed/indicators.csv" in labels and "reports/index.html" in labels
    assert any(a.path.endswith("report.ipynb") for a in out), "executed notebooks are scanned"
    assert any(a.path.endswith(".parquet") for a in out)
    return out


@pytest.mark.slow
@pytest.mark.xdist_group("reports")
def test_no_raw_identifier_in_any_artefact(small_raw, artefacts):
    ids = raw_ids(small_raw)
    assert len(ids) > 100, "too few raw ids read: the scan would prove little"
    leaks = {}
    for art in artefacts:
        found = find_ids(art.text, ids)
        for blob in art.blobs:
            found |= find_ids(blob, ids)
        if found:
            leaks[art.path] = sorted(found)[:5]
    assert not leaks, f"raw identifiers found: {leaks}"


@pytest.mark.slow
@pytest.mark.xdist_group("reports")
def test_no_bsn_shaped_number_in_any_artefact(artefacts):
    leaks = {}
    for art in artefacts:
        hits = find_bsns(art.text)
        for blob in art.blobs:
            hits += find_bsns(blob)
        if hits:
            leaks[art.path] = hits[:3]
    assert not leaks, f"numbers passing the 11-proef found: {leaks}"


# ----------------------------------------------------------------- small cells

@pytest.mark.slow
@pytest.mark.xdist_group("reports")
def test_published_csv_tables_show_no_small_person_counts(small_reports):
    """The published folder passes the disclosure audit (zwt_analysis.disclosure): no person
    count under 5 printed and no hidden cell recomputable from the published relations; which
    columns count persons comes from the table registry, not from column names."""
    from zwt_analysis.disclosure import audit_folder

    tables = sorted(small_reports.glob("*/*/*.csv"))
    assert tables, "the report suite published no CSV tables"
    result = audit_folder(small_reports)
    assert not result.unknown_tables, f"published tables without a schema: {result.unknown_tables}"
    assert result.cells > 1000, "hardly any cell under disclosure control: registry not applied?"
    assert not result.unprotected, [str(f) for f in result.unprotected[:10]]
    assert result.suppressed > 0, "no cell suppressed on data with small teams: not applied?"
