"""`zwt synth --messy` then `zwt clean`: exactly the broken rows are quarantined, and the
clean tables equal those cleaned from the plain export of the same seed.

The messy folder holds every shape of data contract section 6 (see
``zwt_analysis/synth/_messy_files.py``): the first test checks that each one
is really there, so the round trip proves the reader handles them.
"""

from __future__ import annotations

import bisect
from pathlib import Path

import pandas as pd
import pytest
from testdata import SMALL_SCALE, SMALL_SEED, clean_with_test_key  # plain side: small_processed

from zwt_analysis import processed, synth
from zwt_analysis.contract import TABLES
from zwt_analysis.synth._messy import IDENTICAL
from zwt_analysis.synth._messy_files import UNMATCHED_FILE

MESSY_ROWS = synth.MESSY_ROWS
EXTRACT_DATE = synth.DEFAULT_UNTIL

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def messy_processed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    raw = tmp_path_factory.mktemp("messy") / "raw"
    synth.main(out=raw, seed=SMALL_SEED, scale=SMALL_SCALE, messy=True)
    out = raw.parent / "processed"
    # The planted future dates lie in 2099: with the default as-of (latest clean
    # event, capped at the run date) that as-of would be the run date. Cleaning at
    # the extract date compares like with like; the plain side (small_processed)
    # derives that same date itself.
    clean_with_test_key(raw, out, as_of=EXTRACT_DATE)
    return raw, out


def test_messy_export_is_really_messy(messy_processed):
    raw, out = messy_processed
    meta = processed.read_validation(out)
    t = {n: meta[n] for n in TABLES}
    csv_tables = [n for n in TABLES if t[n]["source_file"].endswith(".csv")]
    assert {t[n]["separator"] for n in csv_tables} == {";", "\t"}
    assert {"cp1252", "utf-16", "utf-8+cp1252", "utf-8-sig"} <= {t[n]["encoding"] for n in TABLES}
    assert t["time_registrations"]["cp1252_lines"] == 4
    assert t["time_registrations"]["empty_lines"] == 3
    assert t["areas"]["header_row"] == 4 and t["cost_index"]["header_row"] == 2
    b = t["budgets"]
    assert (b["sheet"], b["skipped_sheets"], b["header_row"]) == ("Budgetten", ["Toelichting"], 3)
    assert b["merged_cells_filled"] > 0
    assert t["time_registrations"]["identical_rows"] >= 3 and t["budgets"]["identical_rows"] >= 1
    assert t["time_registrations"]["name_mappings"]["team"]
    assert {"file": UNMATCHED_FILE, "likely_table": "cases"} in meta["unmatched_files"]
    assert t["time_registrations"]["quarantine_reasons"]["organisation: totals row"] == 1
    assert t["cases"]["quarantine_reasons"]["case_id: totals row"] == 1
    assert t["cases"]["quarantine_reasons"]["unclosed quote"] >= 1
    assert any(r.startswith("budgeted_fte: implausible") for r in t["formation"]["quarantine_reasons"])


def test_plain_side_used_the_extract_date(small_processed):
    assert processed.as_of(small_processed) == EXTRACT_DATE


def _planted(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    log = pd.read_csv(raw / MESSY_ROWS, keep_default_na=False)
    return log[log["reason_kind"] != IDENTICAL], log[log["reason_kind"] == IDENTICAL]


def test_quarantine_is_exactly_the_broken_rows(messy_processed):
    raw, out = messy_processed
    planted, _ = _planted(raw)
    q = processed.read_quarantine(out)
    expected = set(zip(planted["table"], planted["row_number"].astype(int), strict=True))
    got = set(zip(q["table"], q["row_number"].astype(int), strict=True))
    assert got - expected == set(), "rows quarantined that the generator did not break"
    assert expected - got == set(), "broken rows that were not quarantined"
    assert len(q) == len(planted)  # one line per broken row
    meta = processed.read_validation(out)
    for name in TABLES:
        assert meta[name]["rows_in"] == meta[name]["rows_clean"] + meta[name]["rows_quarantined"]
        assert meta[name]["rows_quarantined"] == int((planted["table"] == name).sum())


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), kind="stable", na_position="first").reset_index(drop=True)


@pytest.mark.parametrize("name", list(TABLES))
def test_clean_tables_equal_plain_export(messy_processed, small_processed, name):
    raw, out = messy_processed
    messy = processed.read_table(out, name)
    plain = processed.read_table(small_processed, name)
    assert len(plain) > 0
    _, identical = _planted(raw)
    rows = identical[identical["table"] == name]["row_number"].astype(int)
    if len(rows):  # the planted identical rows stay clean: take one copy of each out
        q = processed.read_quarantine(out)
        broken = sorted(set(q[q["table"] == name]["row_number"].astype(int)))
        messy = messy.drop(index=[r - 1 - bisect.bisect_left(broken, r) for r in rows])
    pd.testing.assert_frame_equal(_sorted(messy), _sorted(plain), check_exact=False, rtol=1e-9)
