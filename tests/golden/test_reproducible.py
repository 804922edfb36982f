"""Reproducibility (issue 9): same inputs, same key -> the same bytes.

Two independent runs of ``synth -> clean -> indicators`` on the same seed and
pseudonym key must give byte-identical raw exports, processed files (every
Parquet file, ``quarantine.csv``, ``validation.json``, the marker) and
``indicators.csv``. The messy export is used so that ``quarantine.csv`` is not
empty. A different key must change the pseudonymised bytes (so the byte
comparison can fail at all).

Two report runs on the same processed data must give the same content: the
reviewer HTML is compared after masking what may legitimately differ between
runs -- timestamps, durations and random HTML element ids (nbformat cell ids,
pandas Styler table ids), none of which a reader sees.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from zwt_analysis import indicators, synth
from zwt_analysis.ingest import clean
from zwt_analysis.runner import main as report

SEED, SCALE = 11, 0.03
KEY = "reproducible-key"

pytestmark = pytest.mark.slow


def pipeline(base: Path, monkeypatch: pytest.MonkeyPatch, key: str = KEY) -> tuple[Path, Path]:
    """One full run in ``base``: raw exports and the processed folder with indicators.csv."""
    raw, proc = base / "raw", base / "processed"
    assert synth.main(out=raw, seed=SEED, scale=SCALE, messy=True) == 0
    monkeypatch.setenv("ZWT_PSEUDONYM_KEY", key)
    assert clean.main(raw=raw, out=proc) == 0
    assert indicators.main(processed=proc, out=proc / "indicators.csv") == 0
    return raw, proc


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    try:
        a = pipeline(tmp_path_factory.mktemp("run_a"), mp)
        b = pipeline(tmp_path_factory.mktemp("run_b"), mp)
    finally:
        mp.undo()
    return a, b


def test_raw_exports_byte_identical(two_runs):
    (raw_a, _), (raw_b, _) = two_runs
    fa, fb = files_of(raw_a), files_of(raw_b)
    assert fa.keys() == fb.keys()
    assert [n for n in fa if fa[n] != fb[n]] == []


def test_processed_data_and_indicators_byte_identical(two_runs):
    (_, proc_a), (_, proc_b) = two_runs
    fa, fb = files_of(proc_a), files_of(proc_b)
    assert fa.keys() == fb.keys()
    for required in ("cases.parquet", "staff.parquet", "time_registrations.parquet",
                     "quarantine.csv", "validation.json", "indicators.csv"):
        assert required in fa, required
    assert fa["quarantine.csv"].count(b"\n") > 1, "messy data should quarantine rows"
    assert [n for n in fa if fa[n] != fb[n]] == []


def test_another_key_changes_the_pseudonymised_bytes(two_runs, tmp_path, monkeypatch):
    (raw_a, proc_a), _ = two_runs
    other = tmp_path / "other"
    monkeypatch.setenv("ZWT_PSEUDONYM_KEY", KEY + "-other")
    assert clean.main(raw=raw_a, out=other) == 0
    fa, fo = files_of(proc_a), files_of(other)
    assert fa["cases.parquet"] != fo["cases.parquet"]
    assert fa["staff.parquet"] != fo["staff.parquet"]
    assert fa["formation.parquet"] == fo["formation.parquet"]  # no person ids in it


# ----------------------------------------------------------------- reports

_MASKS = [
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r'id="cell-id=[0-9a-zA-Z-]+"'), 'id="cell-id=<id>"'),
    (re.compile(r"\bT_[0-9a-f]{5}(?=[_\"\s,{])"), "T_<id>"),  # pandas Styler table uuid
    (re.compile(r"<td>\d+ s</td>"), "<td><duration></td>"),  # index: run durations
    # index: the run time in Dutch, local time ("1 december 2026, 11:52"; UTC without tz data)
    (re.compile(r"\b\d{1,2} [a-z]+ \d{4}, \d\d:\d\d(?: UTC)?"), "<time>"),
]


def masked(html: str) -> list[str]:
    for rx, repl in _MASKS:
        html = rx.sub(repl, html)
    return html.replace("><", ">\n<").splitlines()


def test_masking_keeps_content_differences():
    a = '<div id="cell-id=ab12"><p>Gemaakt: 2026-01-01T10:00:00+00:00</p><p>12 rijen</p></div>'
    b = '<div id="cell-id=ff00"><p>Gemaakt: 2026-01-02T11:30:00+00:00</p><p>12 rijen</p></div>'
    assert masked(a) == masked(b)
    assert masked(a) != masked(a.replace("12 rijen", "13 rijen"))
    # the index's Dutch run time is masked across a minute boundary, a run count is not
    c = "<p><b>Gemaakt:</b> 1 december 2026, 11:52 UTC &middot; <b>Runs:</b> 1</p>"
    d = "<p><b>Gemaakt:</b> 1 december 2026, 11:53 UTC &middot; <b>Runs:</b> 1</p>"
    assert masked(c) == masked(d)
    assert masked(c) != masked(d.replace("Runs:</b> 1", "Runs:</b> 2"))


def test_report_content_identical_apart_from_timestamps(two_runs, tmp_path):
    (_, proc), _ = two_runs
    outs = [tmp_path / "first", tmp_path / "second"]
    for out in outs:
        code = report.main(proc, out, only=["data_quality"], params=["organisation=DOCK"],
                           jobs=1, indicators_file=proc / "indicators.csv")
        assert code == 0, (out / "zwt-report.log").read_text()[-3000:]
    rel = "01_data_quality/DOCK"
    a, b = (o / rel for o in outs)
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    for name in ("report.html", "index.html"):
        pa = a / name if name != "index.html" else outs[0] / name
        pb = b / name if name != "index.html" else outs[1] / name
        la, lb = masked(pa.read_text(encoding="utf-8")), masked(pb.read_text(encoding="utf-8"))
        diff = list(difflib.unified_diff(la, lb, lineterm="", n=0))[:20]
        assert la == lb, f"{name} differs beyond timestamps:\n" + "\n".join(d[:200] for d in diff)
    for csv_file in sorted(a.glob("*.csv")):
        assert csv_file.read_bytes() == (b / csv_file.name).read_bytes(), csv_file.name
