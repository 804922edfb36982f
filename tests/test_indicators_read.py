"""The indicators' own fast path: projected reading, identifier codes, grouping helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwt_analysis import processed
from zwt_analysis.indicators import (
    INDICATORS,
    compute_indicators,
    read_processed,
    source_columns,
    spec,
)
from zwt_analysis.indicators._common import (
    _dense_ids,
    _group_sums,
    _sums_exactly,
    quarter_label,
    shared_codes,
    year_codes,
)
from zwt_analysis.indicators._read import _fixed_width_codes, id_codes, read_columns

# --- identifier codes -------------------------------------------------------

def test_id_codes_fixed_width_numbers_in_order_of_first_appearance() -> None:
    a, b, c = "a" * 64, "b" * 64, "a" * 63 + "b"  # c differs from a only in the last byte
    got = id_codes(pa.array([b, a, b, c, a], type=pa.large_string()))
    assert list(got.codes) == [0, 1, 0, 2, 1]
    assert list(got.categories) == [0, 1, 2]


def test_id_codes_falls_back_for_missing_values_and_mixed_widths() -> None:
    assert _fixed_width_codes(pa.array(["x" * 8, None, "x" * 8])) is None
    assert _fixed_width_codes(pa.array(["x" * 8, "y" * 16])) is None
    assert _fixed_width_codes(pa.array(["abc", "abc"])) is None  # width not a multiple of 8
    got = id_codes(pa.chunked_array([pa.array(["p", None]), pa.array(["q", "p"])]))
    assert got.codes.tolist() == [0, -1, 1, 0]
    assert pd.isna(got[1])


def test_id_codes_of_a_sliced_array_and_an_empty_one() -> None:
    arr = pa.array(["z" * 8, "y" * 8, "z" * 8, "x" * 8], type=pa.large_string()).slice(1, 3)
    assert id_codes(arr).codes.tolist() == [0, 1, 2]
    assert len(id_codes(pa.chunked_array([], type=pa.large_string()))) == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=200))
def test_id_codes_equal_factorize_on_pseudonym_like_text(picks: list[int]) -> None:
    values = [f"{p:064x}" for p in picks]
    expected, _ = pd.factorize(pd.Series(values))
    assert id_codes(pa.array(values)).codes.tolist() == expected.tolist()


# --- grouping helpers --------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=300), st.booleans())
def test_dense_ids_equal_pandas_factorize(keys: list[int], wide: bool) -> None:
    key = np.asarray(keys, dtype="int64") * (10**9 if wide else 1)  # wide: the hashing branch
    gid, uniq = _dense_ids(key)
    exp_gid, exp_uniq = pd.factorize(key)
    assert gid.tolist() == exp_gid.tolist()
    assert uniq.tolist() == exp_uniq.tolist()


def test_sums_exactly_only_for_short_dyadic_values() -> None:
    assert _sums_exactly(np.array([0.25, 2.75, 3.0, 1e6]))
    assert _sums_exactly(np.array([], dtype="float64"))
    assert not _sums_exactly(np.array([0.1, 0.2]))
    assert not _sums_exactly(np.array([1.0, np.inf]))
    assert not _sums_exactly(np.array([2.0**50, 1.0]))  # total too large for exact steps


def test_group_sums_keep_compensated_summation_for_decimals() -> None:
    gid = np.array([0, 1, 0, 0, 1])
    vals = np.array([0.1, 0.7, 0.2, 0.3, np.nan])
    got = _group_sums(gid, {"x": vals, "n": np.array([1, 1, 1, 1, 1])}, 3)
    frame = pd.DataFrame({"x": np.nan_to_num(vals)})
    expected = frame.groupby(gid).sum()["x"].to_numpy()
    assert got["x"][:2].tolist() == expected.tolist()  # bit for bit as pandas' Kahan sum
    assert got["x"][2] == 0.0
    assert got["n"].tolist() == [3.0, 2.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(pd.Timestamp("1950-01-01").date(),
                                                pd.Timestamp("2100-12-31").date())), max_size=40))
def test_quarter_and_year_codes_match_calendar(days: list) -> None:
    s = pd.Series(pd.to_datetime(pd.Series(days, dtype="object")), dtype="datetime64[ns]")
    q = quarter_label(s)
    y = year_codes(s)
    for d, gq, gy in zip(s, q, y, strict=True):
        if pd.isna(d):
            assert pd.isna(gq) and pd.isna(gy)
        else:
            assert gq == f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
            assert gy == f"{d.year:04d}"


def test_shared_codes_map_equal_text_to_equal_codes() -> None:
    a = pd.Series(["DOCK", "SMD", None], dtype="category")
    b = pd.Series(["Incluzio", "DOCK"], dtype="string")
    ca, cb, names = shared_codes(a, b)
    assert [names[i] if i >= 0 else None for i in ca] == ["DOCK", "SMD", None]
    assert [names[i] for i in cb] == ["Incluzio", "DOCK"]


# --- projected reading ---------------------------------------------------------

def test_every_spec_declares_its_columns_in_the_contract() -> None:
    for iid in INDICATORS:
        s = spec(iid)
        assert s.source_tables == tuple(s.source_columns)
        for table, cols in {**s.source_columns}.items():
            assert cols, (iid, table)
        assert set(s.person_columns) <= set(s.source_columns), iid
    cols = source_columns()
    assert "employee_id" not in cols["time_registrations"]  # only read for persons
    assert "employee_id" in source_columns(with_persons=True)["time_registrations"]


def test_read_columns_gives_the_values_of_read_table(small_processed) -> None:
    for table, cols in source_columns(with_persons=True).items():
        fast = read_columns(small_processed, table, cols)
        full = processed.read_table(small_processed, table)
        assert list(fast.columns) == cols
        for c in cols:
            got, exp = fast[c], full[c]
            if isinstance(got.dtype, pd.CategoricalDtype) and got.cat.categories.dtype.kind in "iu":
                # numbered identifiers: the same partition of rows as the text
                assert pd.factorize(got)[0].tolist() == pd.factorize(exp)[0].tolist(), (table, c)
            elif isinstance(got.dtype, pd.CategoricalDtype):
                pd.testing.assert_series_equal(got.astype("string"), exp, check_names=False)
            else:
                pd.testing.assert_series_equal(got, exp, check_names=False)


def test_read_columns_of_an_absent_table_or_column(tmp_path) -> None:
    empty = read_columns(tmp_path, "cases", ["client_id", "date_report"])
    assert list(empty.columns) == ["client_id", "date_report"] and len(empty) == 0
    pd.DataFrame({"organisation": ["DOCK"], "year": [2024]}).to_parquet(tmp_path / "formation.parquet")
    got = read_columns(tmp_path, "formation", ["organisation", "year", "budgeted_fte"])
    assert got["year"].dtype == "Int64" and got["year"].tolist() == [2024]
    assert got["budgeted_fte"].isna().all()
    with pytest.raises(KeyError):
        read_columns(tmp_path, "formation", ["nope"])


def test_projected_tables_give_the_same_indicators_as_full_tables(small_processed) -> None:
    day = processed.as_of(small_processed)
    full = processed.read_tables(small_processed)
    for persons in (False, True):
        fast = read_processed(small_processed, with_persons=persons)
        pd.testing.assert_frame_equal(
            compute_indicators(fast, day, with_persons=persons),
            compute_indicators(full, day, with_persons=persons),
        )
