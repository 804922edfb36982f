"""Tests of the data-quality report's build(), reader tables and figures, without papermill.

A tiny processed folder is built by hand: 8 cases (DOCK 5 in 2024-Q1 and 1 in
2024-Q2, SMD 2 in 2024-Q1; 4 of 8 closed), 2 areas, 2 formation rows, 1
signal; ``validation.json`` with one unbalanced table; a 4-line quarantine.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from zwt_analysis import processed
from zwt_analysis.contract import TABLES
from zwt_analysis.reports import context
from zwt_analysis.reports.quality import QualityResult, build, plots
from zwt_analysis.reports.quality import tables as nl
from zwt_analysis.reports.quality.build import READ_SHOWN

matplotlib.use("Agg")


def _write(path: Path, name: str, cols: dict) -> None:
    df = pd.DataFrame(cols).reindex(columns=TABLES[name].column_names)
    processed.coerce_types(name, df).to_parquet(path / f"{name}.parquet")


@pytest.fixture()
def proc(tmp_path: Path) -> Path:
    path = tmp_path / "processed"
    path.mkdir()
    _write(path, "cases", {
        "case_id": list("abcdefgh"), "client_id": list("pqrstuvw"),
        "organisation": ["DOCK"] * 6 + ["SMD"] * 2, "team": ["T1"] * 6 + ["T2"] * 2,
        "legal_framework": ["wmo"] * 8,
        "date_report": ["2024-01-02"] * 5 + ["2024-04-01", "2024-02-01", "2024-03-31"],
        "date_closed": ["2024-02-01", "2024-02-02", "2024-02-03", None, None, None,
                        "2024-04-10", None],
    })
    _write(path, "areas", {"area_code": ["WK1", "WK2"], "area_name": ["A", "B"],
                           "organisation": ["DOCK", "SMD"], "team": ["T1", "T2"],
                           "pact": [True, False], "population": [1000, 2000]})
    _write(path, "formation", {"organisation": ["DOCK", "SMD"], "year": [2024, 2024],
                               "budgeted_fte": [1.0, 2.0]})
    _write(path, "signals", {"date": ["2024-07-01"], "organisation": ["DOCK"],
                             "text": ["x"], "team": ["T1"]})
    meta = {"as_of": "2024-09-30", "as_of_source": "option", "synthetic": True,
            "missing_tables": ["budgets", "kpi_register", "kpi_values", "time_registrations"],
            "cases": {"rows_in": 10, "rows_clean": 8, "rows_quarantined": 2,
                      "source_file": "cases.csv"},
            "areas": {"rows_in": 2, "rows_clean": 2, "rows_quarantined": 0},
            "staff": {"rows_in": 3, "rows_clean": 3, "rows_quarantined": 1}}
    (path / "validation.json").write_text(json.dumps(meta), encoding="utf-8")
    pd.DataFrame({
        "table": ["cases", "cases", "cases", "staff"], "row_number": [3, 4, 4, 2],
        "column": ["date_report", "case_id", "team", "fte"], "value": ["x"] * 4,
        "reason": ["not a date", "duplicate case_id (first at row 1)", "unknown team",
                   "fte must be > 0"],
    }).to_csv(path / processed.QUARANTINE_FILE, index=False)
    return path


def _build(proc: Path, tmp_path: Path, organisation: str = "ALL", **params) -> QualityResult:
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": organisation, "output_dir": str(tmp_path / "out")})
    return build(ctx, params)


# ----------------------------------------------------------------- build

def test_build_city_read_and_quarantine(proc, tmp_path):
    r = _build(proc, tmp_path)
    assert r.organisation == "ALL" and r.as_of == date(2024, 9, 30)
    assert r.as_of_source == "option"
    assert list(r.read.columns) == list(READ_SHOWN)
    read = r.read.set_index("table")
    assert read.loc["cases", "share_quarantined"] == pytest.approx(0.2)
    assert 0 < read.loc["cases", "low"] < 0.2 < read.loc["cases", "high"] < 1
    assert read.loc["areas", "low"] == 0.0  # 0 of 2 quarantined: Wilson low exactly 0
    assert math.isnan(read.loc["budgets", "low"])  # not delivered: no interval
    assert r.missing == ["budgets", "kpi_register", "kpi_values", "time_registrations"]
    assert r.unbalanced == ["staff"]  # 3 != 3 + 1; undelivered tables are not counted
    # default top 5 keeps every reason; row references are dropped
    assert r.reasons["reason"].tolist() == ["fte must be > 0", "duplicate case_id",
                                            "not a date", "unknown team"]


def test_build_top_reasons_gathers_the_rest(proc, tmp_path):
    cases = _build(proc, tmp_path, top_reasons=1).reasons.query("table == 'cases'")
    assert cases["reason"].tolist() == ["duplicate case_id", "overige redenen"]
    assert cases["lines"].tolist() == [1, 2]
    assert cases["rows"].tolist() == [1, 2]  # rows 3 and 4


def test_build_city_completeness_rows_and_dates(proc, tmp_path):
    r = _build(proc, tmp_path)
    closed = r.completeness.query("table == 'cases' and column == 'date_closed'")
    assert closed[["rows", "filled", "share"]].values.tolist() == [[8, 4, 0.5]]
    assert set(r.gaps["table"]) == {"cases", "signals"}  # areas and formation are complete
    assert (r.gaps["share"] < 1).all()
    cases_gaps = r.gaps[r.gaps["table"] == "cases"]
    assert cases_gaps["share"].is_monotonic_increasing
    assert cases_gaps["column"].iloc[-1] == "date_closed"
    assert r.compare_organisations is True
    by_org = r.by_organisation.query("table == 'cases' and column == 'date_closed'")
    assert by_org.set_index("organisation")["filled"].to_dict() == {"DOCK": 3, "SMD": 1}
    q = r.by_period.query("table == 'cases' and column == 'case_id'")
    assert q.set_index("period")["rows"].to_dict() == {"2024-Q1": 7, "2024-Q2": 1}
    assert r.rows_by_period.to_dict("records") == [
        {"table": "cases", "organisation": "DOCK", "period": "2024-Q1", "rows": 5},
        {"table": "cases", "organisation": "DOCK", "period": "2024-Q2", "rows": 1},
        {"table": "cases", "organisation": "SMD", "period": "2024-Q1", "rows": 2},
        {"table": "formation", "organisation": "DOCK", "period": "2024", "rows": 1},
        {"table": "formation", "organisation": "SMD", "period": "2024", "rows": 1},
        {"table": "signals", "organisation": "DOCK", "period": "2024-Q3", "rows": 1},
    ]
    assert set(r.event_rows["table"]) == {"cases", "signals"}  # formation is yearly
    dates = r.date_ranges.set_index(["table", "column"])
    assert dates.loc[("cases", "date_report"), "last"] == pd.Timestamp("2024-04-01")
    assert dates.loc[("cases", "date_closed"), "filled"] == 4


def test_build_organisation_filters_completeness_not_read(proc, tmp_path):
    r = _build(proc, tmp_path, organisation="DOCK")
    assert r.read.set_index("table").loc["cases", "rows_in"] == 10  # always the city
    assert len(r.reasons) == 4
    closed = r.completeness.query("table == 'cases' and column == 'date_closed'")
    assert closed[["rows", "filled"]].values.tolist() == [[6, 3]]
    assert set(r.by_organisation["organisation"]) == {"DOCK"}
    assert r.compare_organisations is False
    assert r.rows_by_period["rows"].sum() == 6 + 1 + 1  # cases, formation, signal of DOCK


def test_build_single_organisation_city_does_not_compare(proc, tmp_path):
    for name in ("cases", "areas", "formation"):
        (proc / f"{name}.parquet").unlink()
    r = _build(proc, tmp_path)
    assert set(r.by_organisation["organisation"]) == {"DOCK"}  # only the signal is left
    assert r.compare_organisations is False


def test_build_without_validation_details(proc, tmp_path):
    (proc / processed.QUARANTINE_FILE).unlink()
    meta = json.loads((proc / "validation.json").read_text())
    (proc / "validation.json").write_text(json.dumps({"as_of": meta["as_of"]}))
    r = _build(proc, tmp_path)
    assert r.as_of_source == ""
    assert r.reasons.empty and r.unbalanced == [] and r.notes.empty
    assert len(r.missing) == len(TABLES)  # nothing listed: every table counts as missing


# ----------------------------------------------------------------- reader tables

def test_read_nl_dutch_flags(proc, tmp_path):
    out = nl.read_nl(_build(proc, tmp_path).read).set_index("Tabel")
    assert out.loc["zaken (cases)", "Aangeleverd"] == "ja"
    assert out.loc["zaken (cases)", "Telling sluit"] == "ja"
    assert out.loc["personeel (staff)", "Telling sluit"] == "NEE"
    assert out.loc["budgetten (budgets)", "Aangeleverd"] == "nee"
    assert out.loc["budgetten (budgets)", "Telling sluit"] == ""
    assert set(nl.READ_PERCENT) <= set(out.columns)


def test_gaps_nl_suppresses_small_counts(proc, tmp_path):
    gaps = _build(proc, tmp_path).gaps
    out = nl.gaps_nl(gaps)
    closed = out[out["Kolom"] == "datum afsluiting (date_closed)"].iloc[0]
    assert closed["Regels"] == 8  # 8 >= 5: shown as a number
    assert closed["Gevuld"] == "<5"  # 4 < 5
    assert closed["Aandeel gevuld"] == "x" and closed["95%-interval laag"] == "x"  # derived: x
    assert set(nl.GAPS_PERCENT) <= set(out.columns)


def test_sentences():
    assert "bij het opschonen opgegeven" in nl.as_of_md(date(2024, 9, 30), "option")
    assert "30 september 2024" in nl.as_of_md(date(2024, 9, 30), "option")
    assert "laatste gebeurtenisdatum" in nl.as_of_md(date(2024, 9, 30), "events")
    neither = nl.as_of_md(date(2024, 9, 30), "")
    assert "opgegeven" not in neither and "gebeurtenisdatum" not in neither
    assert nl.read_note([], []).startswith("**Niet aangeleverd:** geen — alle tabellen")
    assert "er verdwijnen geen regels" in nl.read_note([], [])
    both = nl.read_note(["budgets"], ["staff", "cases"])
    assert both.startswith("**Niet aangeleverd:** `budgets`")
    assert "**Let op:** bij staff, cases is ingelezen niet gelijk" in both
    assert nl.scope("ALL") == "de hele gemeente" and nl.scope("SMD") == "SMD"
    assert "van SMD staat" in nl.other_organisation_md("SMD")
    assert nl.columns_md(pd.DataFrame()).startswith("## Kolommen\n\nAlle aangeleverde")


# ----------------------------------------------------------------- figures

def test_rows_per_quarter_leaves_out_small_counts(proc, tmp_path):
    import matplotlib.pyplot as plt

    r = _build(proc, tmp_path)
    fig = plots.rows_per_quarter(r.event_rows)
    # only DOCK 2024-Q1 (5 cases) reaches 5: one panel (cases); signals (1 row) get none
    assert [ax.get_title() for ax in fig.axes] == ["zaken (cases): regels per kwartaal"]
    plt.close(fig)
    assert plots.rows_per_quarter(r.event_rows.assign(rows=4)) is None


def test_completeness_figures(proc, tmp_path):
    import matplotlib.pyplot as plt

    r = _build(proc, tmp_path)
    fig = plots.completeness_by_period(r.by_period, "cases")
    assert fig.axes[0].get_title() == "Aandeel gevuld per kwartaal — zaken (cases)"
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2024-Q1", "2024-Q2"]
    plt.close(fig)
    assert plots.completeness_by_period(r.by_period, "staff") is None  # no staff delivered
    fig = plots.completeness_by_organisation(r.by_organisation)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["DOCK", "SMD"]
    assert "zaken: datum afsluiting" in [t.get_text() for t in ax.get_yticklabels()]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert all(r.startswith("zaken: ") for r in rows)  # the signal (1 row) is masked away
    # SMD (2 rows) stays blank: one written cell per row, DOCK's (date_closed 3/6, others 0)
    assert len(ax.texts) == len(rows)
    assert sorted({t.get_text() for t in ax.texts}) == ["0%", "50%"]
    plt.close(fig)
    fig = plots.rows_read(r.read)
    assert fig.axes[0].get_title() == "Ingelezen regels per tabel"
    plt.close(fig)
