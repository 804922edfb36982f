"""`zwt synth --messy` then `zwt clean`: exactly the broken rows are quarantined, and the
clean tables equal those cleaned from the plain export of the same seed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from testdata import SMALL_SCALE, SMALL_SEED, clean_with_test_key  # plain side: small_processed

from zwt_analysis import processed, synth
from zwt_analysis.contract import TABLES

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
    csv_tables = [n for n in TABLES if meta[n]["source_file"].endswith(".csv")]
    assert csv_tables and {meta[n]["separator"] for n in csv_tables} == {";"}
    assert "cp1252" in {meta[n]["encoding"] for n in TABLES}


def test_plain_side_used_the_extract_date(small_processed):
    assert processed.as_of(small_processed) == EXTRACT_DATE


def test_quarantine_is_exactly_the_broken_rows(messy_processed):
    raw, out = messy_processed
    planted = pd.read_csv(raw / MESSY_ROWS, keep_default_na=False)
    q = processed.read_quarantine(out)
    expected = set(zip(planted["table"], planted["row_number"].astype(int), strict=True))
    got = set(zip(q["table"], q["row_number"].astype(int), strict=True))
    assert got - expected == set(), "rows quarantined that the generator did not break"
    assert expected - got == set(), "broken rows that were not quarantined"
    meta = processed.read_validation(out)
    for name in TABLES:
        assert meta[name]["rows_in"] == meta[name]["rows_clean"] + meta[name]["rows_quarantined"]
        assert meta[name]["rows_quarantined"] == int((planted["table"] == name).sum())


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), kind="stable", na_position="first").reset_index(drop=True)


@pytest.mark.parametrize("name", list(TABLES))
def test_clean_tables_equal_plain_export(messy_processed, small_processed, name):
    _, out = messy_processed
    messy = processed.read_table(out, name)
    plain = processed.read_table(small_processed, name)
    assert len(plain) > 0
    pd.testing.assert_frame_equal(_sorted(messy), _sorted(plain), check_exact=False, rtol=1e-9)
