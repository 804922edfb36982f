"""The indicator table at scale 1 is the same as before the DuckDB engine.

``tests/golden/data/indicators_scale1_seed2026.csv.gz`` is the table (with
``persons``) that the pandas implementation of the indicators wrote on
30 November 2026 for ``zwt synth --seed 2026 --scale 1`` cleaned with the
Makefile's demo key (``make report``'s data). Since then every indicator
is one SQL query run by DuckDB (:mod:`zwt_analysis.indicators.engine`);
both ways of feeding it -- the Parquet files in place
(``compute_from_processed``, what ``zwt indicators`` does) and pandas
frames (``compute_indicators``, what notebooks and tests do) -- must
reproduce that table: the same rows, counts and persons exactly, sums of
hours, FTE and euros within 1e-12 relative (floats added in another order).

Regenerate the file only when the synthetic generator or a definition
changes on purpose, and say so in the commit. Regenerated on 4 December 2026
(issue 19: the synthetic municipality got its real PACT wijken, Poelenburg and
Pelders- en Hoornseveld, so team demand moved) with the DuckDB engine, which
matched the pandas table exactly on the earlier generator (commit 02f451f).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from testdata import clean_with_test_key

from zwt_analysis import processed as processed_mod
from zwt_analysis.indicators import INDICATORS, compute_from_processed, compute_indicators

GOLDEN = Path(__file__).parent / "data" / "indicators_scale1_seed2026.csv.gz"
DEMO_KEY = "zwt-synthetic-demo-key-not-secret"  # the Makefile's SYNTH_KEY
KEYS = ["indicator_id", "period", "organisation", "team"]

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("golden")]


@pytest.fixture(scope="module")
def scale1_processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from zwt_analysis import synth

    base = tmp_path_factory.mktemp("golden")
    synth.main(out=base / "raw", seed=2026, scale=1.0, messy=False)
    return clean_with_test_key(base / "raw", base / "processed", key=DEMO_KEY)


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    df = pd.read_csv(GOLDEN, dtype={"period": "string"}, keep_default_na=False,
                     na_values={"persons": [""]})
    df["persons"] = df["persons"].astype("Int64")
    return df


@pytest.fixture(scope="module")
def frames(scale1_processed: Path) -> dict[str, pd.DataFrame]:
    return {name: processed_mod.read_table(scale1_processed, name)
            for name in ("areas", "staff", "time_registrations", "cases", "formation", "budgets")}


def differences(expected: pd.DataFrame, got: pd.DataFrame, tol: float = 1e-12) -> pd.DataFrame:
    """Rows that differ: missing on one side, a count or persons off, a sum off by > tol (relative)."""
    m = expected.merge(got, on=KEYS, how="outer", suffixes=("_exp", "_got"), indicator=True)
    bad = m["_merge"] != "both"
    for c in ("numerator", "denominator", "value"):
        a, b = m[f"{c}_exp"].astype("float64"), m[f"{c}_got"].astype("float64")
        scale = pd.concat([a.abs(), b.abs()], axis=1).max(axis=1).clip(lower=1.0)
        bad |= ((a - b).abs() > tol * scale).fillna(True)
    pe, pg = m["persons_exp"], m["persons_got"]
    bad |= ~((pe == pg).fillna(False) | (pe.isna() & pg.isna()))
    return m.loc[bad]


@pytest.mark.parametrize("indicator_id", list(INDICATORS))
@pytest.mark.parametrize("path", ["parquet", "frames"])
def test_same_table_as_before(indicator_id: str, path: str, golden: pd.DataFrame,
                              scale1_processed: Path, frames: dict[str, pd.DataFrame]) -> None:
    if path == "parquet":
        got = compute_from_processed(scale1_processed, with_persons=True, only=[indicator_id])
    else:
        got = compute_indicators(frames, processed_mod.as_of(scale1_processed), with_persons=True,
                                 only=[indicator_id])
    exp = golden.loc[golden["indicator_id"] == indicator_id]
    assert len(exp) > 0
    diff = differences(exp, got.loc[got["indicator_id"] == indicator_id])
    assert diff.empty, f"{indicator_id} via {path}: {len(diff)} rows differ\n{diff.head(10)}"


def test_whole_table_same_rows_and_order(golden: pd.DataFrame, scale1_processed: Path) -> None:
    from_parquet = compute_from_processed(scale1_processed, with_persons=True)
    assert list(from_parquet.columns) == list(golden.columns)
    assert from_parquet[KEYS].astype(str).values.tolist() == golden[KEYS].astype(str).values.tolist()
    assert str(from_parquet["persons"].dtype) == "Int64"


def test_cli_writes_the_same_table(scale1_processed: Path, golden: pd.DataFrame,
                                   tmp_path: Path) -> None:
    """``zwt indicators`` with a small DuckDB memory limit (spilling) gives the same table."""
    from zwt_analysis import indicators

    out = tmp_path / "indicators.csv"
    indicators.main(processed=scale1_processed, out=out, memory_limit="200MB", threads=1,
                    temp_directory=tmp_path / "spill")
    got = pd.read_csv(out, dtype={"period": "string"}, keep_default_na=False)
    assert list(got.columns) == KEYS + ["numerator", "denominator", "value"]
    diff = differences(golden.drop(columns="persons").assign(persons=pd.NA),
                       got.assign(persons=pd.NA))
    assert diff.empty, diff.head(10)

