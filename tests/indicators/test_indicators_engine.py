"""The indicator engine (zwt_analysis.indicators.engine): binding, dates, normalising, spilling."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from zwt_analysis import processed as processed_mod
from zwt_analysis.contract import INDICATOR_COLUMNS, TABLES
from zwt_analysis.errors import ZwtError
from zwt_analysis.indicators import (
    INDICATOR_LIST,
    compute_from_processed,
    compute_indicators,
    engine,
    preventive_share,
)
from zwt_analysis.indicators._common import INTERNAL_COLUMNS, OBSERVATION_COLUMNS

AS_OF = date(2024, 6, 30)


def _hours(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["employee_id", "organisation", "team", "date", "activity", "hours"])


def test_every_spec_declares_its_columns_in_the_contract() -> None:
    for s in INDICATOR_LIST:
        for table, cols in {**s.source_columns, **s.person_columns}.items():
            assert table in engine.SOURCE_TABLES, (s.id, table)
            known = {c.name for c in TABLES[table].columns}
            assert set(cols) <= known, (s.id, table, set(cols) - known)


@pytest.mark.parametrize("with_persons", [False, True])
def test_declared_columns_are_all_a_query_reads(small_processed: Path, with_persons: bool) -> None:
    """Frames cut to the spec's columns give the same rows as the full tables (others are NULL)."""
    as_of = processed_mod.as_of(small_processed)
    full = {n: processed_mod.read_table(small_processed, n) for n in engine.SOURCE_TABLES}
    for s in INDICATOR_LIST:
        need = {t: list(c) for t, c in s.source_columns.items()}
        if with_persons:
            for t, c in s.person_columns.items():
                need[t] = need.get(t, []) + list(c)
        for t, c in OBSERVATION_COLUMNS.items():  # what the observation start reads
            need[t] = need.get(t, []) + list(c)
        cut = {t: full[t][list(dict.fromkeys(c))] for t, c in need.items()}
        a = compute_indicators(full, as_of, with_persons=with_persons, only=[s.id])
        b = compute_indicators(cut, as_of, with_persons=with_persons, only=[s.id])
        assert len(a) > 0, s.id
        pd.testing.assert_frame_equal(a, b, obj=s.id)


def test_hand_table_types_and_order() -> None:
    hours = _hours([
        ("e1", "DOCK", "T2", "2024-05-01", "preventive_individual", 3.0),
        ("e1", "DOCK", "T2", "2024-05-02", "statutory_individual", 1.0),
        ("e2", "DOCK", "T1", "2024-01-05", "preventive_collective", 2.0),
        ("e2", "DOCK", "T1", "2024-07-01", "preventive_collective", 9.0),  # after as-of
    ])
    out = preventive_share(hours, AS_OF, with_persons=True)  # dates as ISO text
    assert list(out.columns) == list(INTERNAL_COLUMNS)
    assert [str(t) for t in out.dtypes] == ["string"] * 4 + ["float64"] * 3 + ["Int64"]
    got = out[["period", "organisation", "team", "numerator", "denominator", "persons"]]
    assert got.astype(object).values.tolist() == [
        ["2024-Q1", "ALL", "ALL", 2.0, 2.0, 1],
        ["2024-Q1", "DOCK", "ALL", 2.0, 2.0, 1],
        ["2024-Q1", "DOCK", "T1", 2.0, 2.0, 1],
        ["2024-Q2", "ALL", "ALL", 3.0, 4.0, 1],
        ["2024-Q2", "DOCK", "ALL", 3.0, 4.0, 1],
        ["2024-Q2", "DOCK", "T2", 3.0, 4.0, 1],
    ]


def test_categories_and_datetimes_give_the_same_table() -> None:
    hours = _hours([("e1", "SMD", "S1", "2024-02-29", "preventive_individual", 1.5),
                    ("e2", "SMD", "S1", "2024-03-31", "statutory_individual", 0.5)])
    typed = hours.assign(date=pd.to_datetime(hours["date"]),
                         organisation=hours["organisation"].astype("category"),
                         activity=hours["activity"].astype("category"))
    pd.testing.assert_frame_equal(preventive_share(hours, AS_OF), preventive_share(typed, AS_OF))
    assert preventive_share(hours, AS_OF)["value"].tolist() == [0.75, 0.75, 0.75]


def test_empty_and_absent_tables_give_empty_typed_tables() -> None:
    empty = preventive_share(_hours([]), AS_OF, with_persons=True)
    assert empty.empty and list(empty.columns) == list(INTERNAL_COLUMNS)
    none = compute_indicators({}, AS_OF)
    assert none.empty and list(none.columns) == list(INDICATOR_COLUMNS)
    assert str(none["value"].dtype) == "float64"


def test_observation_start_is_the_earliest_report_or_hour() -> None:
    con = engine.connect()
    try:
        engine.bind_frames(con, {"time_registrations": _hours([
            ("e1", "DOCK", "T1", "2023-03-02", "overhead", 1.0)]),
            "cases": pd.DataFrame({"date_report": ["2023-05-01", None]})})
        assert engine.observation_start(con) == pd.Timestamp("2023-03-02")
        engine.bind_frames(con, {})
        assert engine.observation_start(con) is None
    finally:
        con.close()


def test_memory_limit_spills_and_gives_the_same_table(small_processed: Path, tmp_path: Path) -> None:
    base = compute_from_processed(small_processed, with_persons=True)
    tight = compute_from_processed(small_processed, with_persons=True, memory_limit="40MB",
                                   threads=1, temp_directory=tmp_path / "spill")
    pd.testing.assert_frame_equal(base, tight)


def test_bad_engine_setting_is_a_plain_error() -> None:
    with pytest.raises(ZwtError, match="memory_limit='lots'"):
        engine.connect(memory_limit="lots")


def test_zwt_threads_caps_duckdb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZWT_THREADS", "1")
    con = engine.connect()
    try:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
    finally:
        con.close()
    con = engine.connect(threads=2)  # an explicit argument wins
    try:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 2
    finally:
        con.close()
