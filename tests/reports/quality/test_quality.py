"""Tests of the data-quality compute and tables modules, on hand-built tables."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from zwt_analysis import processed
from zwt_analysis.contract import TABLES
from zwt_analysis.reports.quality import compute as quality
from zwt_analysis.reports.quality import tables as nl


def _cases(**cols) -> pd.DataFrame:
    base = {
        "case_id": ["a", "b", "c", "d"],
        "client_id": ["x", "y", "z", "x"],
        "organisation": ["Noord", "Noord", "Zuid", "Zuid"],
        "team": ["t1", "t1", "t2", "t2"],
        "legal_framework": ["wmo"] * 4,
        "date_report": ["2024-01-05", "2024-04-01", "2024-01-09", "2024-03-31"],
        "date_closed": [None, "2024-05-01", None, "2024-04-02"],
    }
    base.update(cols)
    df = pd.DataFrame(base).reindex(columns=TABLES["cases"].column_names)
    return processed.coerce_types("cases", df)


# ----------------------------------------------------------------- read summary

def test_read_summary_counts_shares_and_balance():
    v = {
        "cases": {"rows_in": 10, "rows_clean": 8, "rows_quarantined": 2, "source_file": "cases.csv"},
        "staff": {"rows_in": 5, "rows_clean": 5, "rows_quarantined": 1},  # does not add up
        "signals": {"rows_in": 0, "rows_clean": 0, "rows_quarantined": 0},
        "as_of": "2026-09-30",
        "missing_tables": ["areas"],
    }
    df = quality.read_summary(v).set_index("table")
    assert list(df.index) == list(TABLES)
    assert df.loc["cases", "share_quarantined"] == pytest.approx(0.2)
    assert df.loc["cases", "source_file"] == "cases.csv"
    assert bool(df.loc["cases", "balanced"]) is True
    assert bool(df.loc["staff", "balanced"]) is False
    assert math.isnan(df.loc["signals", "share_quarantined"])  # 0 rows read: no share
    assert bool(df.loc["areas", "delivered"]) is False
    assert pd.isna(df.loc["areas", "rows_in"])


def test_missing_tables_prefers_listed_then_derives():
    assert quality.missing_tables({"missing_tables": ["budgets"]}) == ["budgets"]
    derived = quality.missing_tables({"cases": {"rows_in": 1}})
    assert "cases" not in derived and "areas" in derived and len(derived) == len(TABLES) - 1


def test_column_notes_lists_unknown_missing_and_renamed():
    v = {"cases": {"unknown_columns": ["bsn_extra"], "missing_optional_columns": ["area_code"],
                   "renamed_columns": {"Meldingsdatum": "date_report"}},
         "staff": {"unknown_columns": []}}
    df = quality.column_notes(v)
    assert df.to_dict("records") == [
        {"table": "cases", "kind": "unknown", "column": "bsn_extra"},
        {"table": "cases", "kind": "missing_optional", "column": "area_code"},
        {"table": "cases", "kind": "renamed", "column": "Meldingsdatum -> date_report"},
    ]
    assert quality.column_notes({}).empty


# ----------------------------------------------------------------- quarantine

def _quarantine() -> pd.DataFrame:
    return pd.DataFrame({
        "table": ["cases", "cases", "cases", "cases", "cases", "staff"],
        "row_number": [1, 1, 2, 3, 7, 4],
        "column": ["date_report", "team", "date_report", "case_id", "case_id", "fte"],
        "value": ["x"] * 6,
        "reason": ["not a date", "unknown team (not in areas)", "not a date",
                   "duplicate case_id (first at row 1)", "duplicate case_id (first at row 2)",
                   "fte must be > 0 and <= 1.2"],
    })


def test_normalise_reason_drops_row_references():
    assert quality.normalise_reason("duplicate case_id (first at row 12)") == "duplicate case_id"
    assert quality.normalise_reason("duplicate employee_id+start_date (first at row 3)") == \
        "duplicate employee_id+start_date"
    assert quality.normalise_reason("fte must be > 0 and <= 1.2") == "fte must be > 0 and <= 1.2"


def test_quarantine_reasons_groups_sorts_and_counts_rows():
    df = quality.quarantine_reasons(_quarantine(), top=None)
    rec = df.to_dict("records")
    # contract order: staff before cases; within a table most lines first, then column name
    assert [(r["table"], r["column"], r["reason"], r["lines"], r["rows"]) for r in rec] == [
        ("staff", "fte", "fte must be > 0 and <= 1.2", 1, 1),
        ("cases", "case_id", "duplicate case_id", 2, 2),
        ("cases", "date_report", "not a date", 2, 2),
        ("cases", "team", "unknown team (not in areas)", 1, 1),
    ]
    assert df.loc[df["table"] == "cases", "share_of_lines"].tolist() == [0.4, 0.4, 0.2]


def test_quarantine_reasons_top_gathers_the_rest():
    df = quality.quarantine_reasons(_quarantine(), top=1)
    cases = df[df["table"] == "cases"].to_dict("records")
    assert len(cases) == 2
    assert cases[1]["reason"] == quality.OTHER_REASONS
    assert cases[1]["lines"] == 3  # 2 x not a date + 1 x unknown team
    assert cases[1]["rows"] == 2  # rows 1 and 2 (row 1 appears under both reasons)
    assert cases[0]["share_of_lines"] + cases[1]["share_of_lines"] == pytest.approx(1.0)


def test_quarantine_reasons_empty_and_bad_input():
    empty = processed.read_quarantine("/nonexistent")
    out = quality.quarantine_reasons(empty)
    assert out.empty and list(out.columns) == list(quality.REASON_COLUMNS)
    with pytest.raises(ValueError):
        quality.quarantine_reasons(pd.DataFrame({"table": []}))
    with pytest.raises(ValueError):
        quality.quarantine_reasons(_quarantine(), top=0)


# ----------------------------------------------------------------- periods

def test_period_of_quarters_years_and_text():
    assert quality.period_of(_cases(), "cases").tolist() == ["2024-Q1", "2024-Q2", "2024-Q1",
                                                              "2024-Q1"]
    form = processed.coerce_types("formation", pd.DataFrame(
        {"organisation": ["A", "B"], "year": [2024, None], "budgeted_fte": [1.0, 2.0]}))
    assert quality.period_of(form, "formation").tolist() == ["2024", pd.NA]
    kv = pd.DataFrame({"period": ["2024-Q3", "2025"]})
    assert quality.period_of(kv, "kpi_values").tolist() == ["2024-Q3", "2025"]
    staff = pd.DataFrame({"start_date": pd.to_datetime(["2008-05-01", None])})
    assert quality.period_of(staff, "staff").tolist() == ["2008", pd.NA]
    areas = processed.empty_table("areas")
    assert quality.period_of(areas, "areas").empty
    with pytest.raises(KeyError):
        quality.period_of(areas, "nope")


# ----------------------------------------------------------------- completeness

def test_completeness_overall_by_hand():
    df = quality.completeness(_cases(), "cases", interval=False).set_index("column")
    assert list(df.index) == TABLES["cases"].column_names
    assert df.loc["date_closed", "rows"] == 4
    assert df.loc["date_closed", "filled"] == 2
    assert df.loc["date_closed", "share"] == 0.5
    assert df.loc["area_code", "share"] == 0.0
    assert df.loc["case_id", "share"] == 1.0


def test_completeness_by_organisation_and_period_by_hand():
    df = quality.completeness(_cases(), "cases", by=["organisation", "period"], interval=False)
    closed = df[df["column"] == "date_closed"].set_index(["organisation", "period"])
    # Noord Q1: a (open) -> 0/1; Noord Q2: b closed -> 1/1; Zuid Q1: c open, d closed -> 1/2
    assert closed.loc[("Noord", "2024-Q1"), ["rows", "filled"]].tolist() == [1, 0]
    assert closed.loc[("Noord", "2024-Q2"), ["rows", "filled"]].tolist() == [1, 1]
    assert closed.loc[("Zuid", "2024-Q1"), "share"] == 0.5
    assert len(closed) == 3  # no empty groups
    assert "organisation" not in set(df["column"])  # grouping columns are not reported


def test_completeness_interval_is_wilson():
    df = quality.completeness(_cases(), "cases").set_index("column")
    low, high = df.loc["date_closed", ["low", "high"]]
    # Wilson 95% for 2/4: centre (0.5 + z2/8)/(1 + z2/4) = 0.5; half-width computed by hand
    z = 1.959963984540054
    n, p = 4, 0.5
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert low == pytest.approx(0.5 - half, abs=1e-9)
    assert high == pytest.approx(0.5 + half, abs=1e-9)
    assert df.loc["case_id", "high"] == pytest.approx(1.0)


def test_completeness_rejects_impossible_grouping():
    with pytest.raises(KeyError):
        quality.completeness(processed.empty_table("kpi_register"), "kpi_register",
                             by=["organisation"])
    with pytest.raises(KeyError):
        quality.completeness(processed.empty_table("areas"), "areas", by=["period"])
    with pytest.raises(KeyError):
        quality.completeness(_cases(), "cases", by=["team"])


def test_completeness_empty_table_gives_empty_frame():
    out = quality.completeness(processed.empty_table("cases"), "cases", by=["organisation"])
    assert out.empty
    assert {"table", "organisation", "column", "rows", "filled", "share"} <= set(out.columns)


def test_completeness_all_skips_tables_without_grouping():
    reg = processed.coerce_types("kpi_register", pd.DataFrame(
        {"kpi_id": ["K1"], "name": ["n"]}).reindex(columns=TABLES["kpi_register"].column_names))
    tables = {"cases": _cases(), "kpi_register": reg, "signals": processed.empty_table("signals")}
    by_org = quality.completeness_all(tables, by=["organisation"], interval=False)
    assert set(by_org["table"]) == {"cases"}
    overall = quality.completeness_all(tables, interval=False)
    assert set(overall["table"]) == {"cases", "kpi_register"}
    assert quality.completeness_all({}, interval=False).empty


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["2024-01-01", "2024-06-30"])),
                min_size=1, max_size=30))
def test_completeness_invariants(closed):
    n = len(closed)
    df = _cases(case_id=[f"c{i}" for i in range(n)], client_id=["x"] * n,
                organisation=(["Noord", "Zuid"] * n)[:n], team=["t"] * n,
                legal_framework=["wmo"] * n, date_report=["2024-01-01"] * n, date_closed=closed)
    by = quality.completeness(df, "cases", by=["organisation"], interval=False)
    c = by[by["column"] == "date_closed"]
    assert c["rows"].sum() == n
    assert c["filled"].sum() == sum(v is not None for v in closed)
    assert ((c["share"] >= 0) & (c["share"] <= 1)).all()


# ----------------------------------------------------------------- counts and dates

def test_rows_by_period_by_hand():
    df = quality.rows_by_period({"cases": _cases(), "areas": processed.empty_table("areas")})
    assert df.to_dict("records") == [
        {"table": "cases", "organisation": "Noord", "period": "2024-Q1", "rows": 1},
        {"table": "cases", "organisation": "Noord", "period": "2024-Q2", "rows": 1},
        {"table": "cases", "organisation": "Zuid", "period": "2024-Q1", "rows": 2},
    ]
    city = quality.rows_by_period({"cases": _cases()}, by_organisation=False)
    assert city["rows"].tolist() == [3, 1]


def test_staff_before_the_first_year_share_one_period():
    staff = processed.coerce_types("staff", pd.DataFrame({
        "employee_id": ["a", "b", "c", "d"], "organisation": ["Noord"] * 4, "team": ["T"] * 4,
        "fte": [1.0] * 4, "start_date": ["1995-03-01", "2018-12-31", "2019-01-01", None]}))
    assert quality.period_of(staff, "staff", first_year=2019).tolist() == [
        "2018 en eerder", "2018 en eerder", "2019", pd.NA]
    assert quality.period_of(staff, "staff").tolist() == ["1995", "2018", "2019", pd.NA]
    rows = quality.rows_by_period({"staff": staff}, first_year=2019)
    assert rows[["period", "rows"]].values.tolist() == [["2018 en eerder", 2], ["2019", 1]]
    by = quality.completeness(staff, "staff", by=["period"], interval=False, first_year=2019)
    assert by["period"].unique().tolist() == ["2018 en eerder", "2019"]  # sorts before 2019


def test_delivery_gaps_by_hand():
    rows = pd.DataFrame({
        "table": ["cases"] * 5 + ["time_registrations"] * 2,
        "organisation": ["A", "A", "A", "A", "B", "A", "A"],
        "period": ["2023-Q4", "2024-Q1", "2024-Q3", "2024-Q4", "2024-Q1", "2024-Q1", "2024"],
        "rows": [20, 18, 9, 22, 3, 100, 5]})
    gaps = quality.delivery_gaps(rows, fraction=0.5)
    # A: 2023-Q4..2024-Q4 = 20, 18, 0, 9, 22; median 18 -> below 9: 2024-Q2 (0) only (9 = 9)
    # B: one quarter (its own median); yearly periods are not quarters
    assert gaps.values.tolist() == [["cases", "A", "2024-Q2"]]
    assert quality.delivery_gaps(rows, fraction=0.6).values.tolist() == [
        ["cases", "A", "2024-Q2"], ["cases", "A", "2024-Q3"]]
    assert quality.delivery_gaps(rows.iloc[0:0]).empty


def test_add_interval_handles_zero_totals():
    df = quality.add_interval(pd.DataFrame({"k": [0, 3], "n": [0, 3]}), "k", "n")
    assert np.isnan(df.loc[0, "low"]) and np.isnan(df.loc[0, "high"])
    assert df.loc[1, "high"] == pytest.approx(1.0)
    assert 0 < df.loc[1, "low"] < 1


def test_date_ranges_by_hand():
    df = quality.date_ranges({"cases": _cases()}).set_index("column")
    assert df.loc["date_report", "first"] == pd.Timestamp("2024-01-05")
    assert df.loc["date_report", "last"] == pd.Timestamp("2024-04-01")
    assert df.loc["date_closed", "filled"] == 2
    assert pd.isna(df.loc["date_decision", "first"])


def test_completeness_matrix_pivots_in_input_order():
    long = quality.completeness(_cases(), "cases", by=["organisation"], interval=False)
    m = quality.completeness_matrix(long)
    assert list(m.columns) == ["Noord", "Zuid"]
    assert m.index[0] == "case_id"
    assert m.loc["date_closed", "Zuid"] == 0.5


def test_table_label_is_dutch_only():
    assert nl.table_label("cases") == "zaken"  # issue 18: no "zaken (cases)"
    assert nl.table_label("other") == "other"
