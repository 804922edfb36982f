"""Tests of the data-quality report's build(), reader tables and figures, without papermill.

A tiny processed folder is built by hand: 8 cases (Noord 5 in 2024-Q1 and 1 in
2024-Q2, Zuid 2 in 2024-Q1; 4 of 8 closed), 2 areas, 2 formation rows, 1
signal; ``validation.json`` with one unbalanced table; a 4-line quarantine.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from quality_builders import areas_rows, cases_rows, write_processed

from zwt_analysis import processed
from zwt_analysis.contract import TABLES
from zwt_analysis.reports import context
from zwt_analysis.reports.quality import QualityResult, build, plots
from zwt_analysis.reports.quality import tables as nl
from zwt_analysis.reports.quality.build import READ_SHOWN

matplotlib.use("Agg")


@pytest.fixture()
def proc(tmp_path: Path) -> Path:
    meta = {"as_of": "2024-09-30", "as_of_source": "option", "synthetic": True,
            "missing_tables": ["budgets", "kpi_register", "kpi_values", "time_registrations"],
            "cases": {"rows_in": 10, "rows_clean": 8, "rows_quarantined": 2,
                      "source_file": "cases.csv"},
            "areas": {"rows_in": 2, "rows_clean": 2, "rows_quarantined": 0},
            "staff": {"rows_in": 3, "rows_clean": 3, "rows_quarantined": 1}}
    quarantine = pd.DataFrame({
        "table": ["cases", "cases", "cases", "staff"], "row_number": [3, 4, 4, 2],
        "column": ["date_report", "case_id", "team", "fte"], "value": ["x"] * 4,
        "reason": ["not a date", "duplicate case_id (first at row 1)", "unknown team",
                   "fte must be > 0"],
    })
    return write_processed(tmp_path / "processed", {
        "cases": {
            "case_id": list("abcdefgh"), "client_id": list("pqrstuvw"),
            "organisation": ["Noord"] * 6 + ["Zuid"] * 2, "team": ["T1"] * 6 + ["T2"] * 2,
            "legal_framework": ["wmo"] * 8,
            "date_report": ["2024-01-02"] * 5 + ["2024-04-01", "2024-02-01", "2024-03-31"],
            "date_closed": ["2024-02-01", "2024-02-02", "2024-02-03", None, None, None,
                            "2024-04-10", None],
        },
        "areas": {"area_code": ["WK1", "WK2"], "area_name": ["A", "B"],
                  "organisation": ["Noord", "Zuid"], "team": ["T1", "T2"],
                  "pact": [True, False], "population": [1000, 2000]},
        "formation": {"organisation": ["Noord", "Zuid"], "year": [2024, 2024],
                      "budgeted_fte": [1.0, 2.0]},
        "signals": {"date": ["2024-07-01"], "organisation": ["Noord"], "text": ["x"],
                    "team": ["T1"]},
    }, validation=meta, quarantine=quarantine)


def run(proc: Path, out: Path, organisation: str = "ALL", **params) -> QualityResult:
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": organisation, "output_dir": str(out)})
    return build(ctx, params)


def _build(proc: Path, tmp_path: Path, organisation: str = "ALL", **params) -> QualityResult:
    return run(proc, tmp_path / "out", organisation, **params)


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
    assert r.delivered == ["areas", "staff", "cases"]
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
    assert r.compare_organisations is True
    by_org = r.by_organisation.query("table == 'cases' and column == 'date_closed'")
    assert by_org.set_index("organisation")["filled"].to_dict() == {"Noord": 3, "Zuid": 1}
    q = r.by_period.query("table == 'cases' and column == 'case_id'")
    assert q.set_index("period")["rows"].to_dict() == {"2024-Q1": 7, "2024-Q2": 1}
    assert r.rows_by_period.to_dict("records") == [
        {"table": "cases", "organisation": "Noord", "period": "2024-Q1", "rows": 5},
        {"table": "cases", "organisation": "Noord", "period": "2024-Q2", "rows": 1},
        {"table": "cases", "organisation": "Zuid", "period": "2024-Q1", "rows": 2},
        {"table": "formation", "organisation": "Noord", "period": "2024", "rows": 1},
        {"table": "formation", "organisation": "Zuid", "period": "2024", "rows": 1},
        {"table": "signals", "organisation": "Noord", "period": "2024-Q3", "rows": 1},
    ]
    dates = r.date_ranges.set_index(["table", "column"])
    assert dates.loc[("cases", "date_report"), "last"] == pd.Timestamp("2024-04-01")
    assert dates.loc[("cases", "date_closed"), "filled"] == 4
    assert r.published.folders == ["ALL", "Noord", "Zuid"]


def test_build_organisation_filters_completeness_not_read(proc, tmp_path):
    r = _build(proc, tmp_path, organisation="Noord")
    assert r.read.set_index("table").loc["cases", "rows_in"] == 10  # always the delivery
    assert len(r.reasons) == 4
    closed = r.completeness.query("table == 'cases' and column == 'date_closed'")
    assert closed[["rows", "filled"]].values.tolist() == [[6, 3]]
    assert set(r.by_organisation["organisation"]) == {"Noord"}
    assert r.compare_organisations is False
    assert r.rows_by_period["rows"].sum() == 6 + 1 + 1  # cases, formation, signal of Noord


def test_build_single_organisation_city_does_not_compare(proc, tmp_path):
    for name in ("cases", "areas", "formation"):
        (proc / f"{name}.parquet").unlink()
    r = _build(proc, tmp_path)
    assert set(r.by_organisation["organisation"]) == {"Noord"}  # only the signal is left
    assert r.compare_organisations is False


def test_build_without_validation_details(proc, tmp_path):
    (proc / processed.QUARANTINE_FILE).unlink()
    meta = json.loads((proc / "validation.json").read_text())
    (proc / "validation.json").write_text(json.dumps({"as_of": meta["as_of"]}))
    r = _build(proc, tmp_path)
    assert r.as_of_source == ""
    assert r.reasons.empty and r.unbalanced == [] and r.notes.empty and r.delivery.empty
    assert len(r.missing) == len(TABLES)  # nothing listed: every table counts as missing


# ----------------------------------------------------------------- reader tables

def test_read_nl_dutch_labels_and_hidden_counts(proc, tmp_path):
    pub = _build(proc, tmp_path).published
    out = nl.read_nl(pub["ingelezen"]).set_index("Tabel")
    assert list(out.columns) == ["Bestand", "Regels ingelezen", "Regels goed",
                                 "Regels in quarantaine", "Aandeel quarantaine"]
    assert out.loc["zaken", "Regels goed"] == 8
    assert out.loc["budgetten", "Bestand"] == "niet aangeleverd"
    # 3 clean staff spells stand for 3 employees: hidden with the lines read and the share;
    # the quarantined line is not a person and stays
    assert out.loc["personeel", "Regels goed"] == "<5"
    assert out.loc["personeel", "Regels ingelezen"] == "x"
    assert out.loc["personeel", "Aandeel quarantaine"] == "x"
    assert out.loc["personeel", "Regels in quarantaine"] == 1
    assert out.loc["wijken", "Regels goed"] == 2  # rows of areas are not persons
    full = nl.read_nl(pub["ingelezen"], full=True).set_index("Tabel")
    assert full.loc["personeel", "Telling sluit"] == "NEE"
    assert full.loc["zaken", "Telling sluit"] == "ja"
    assert set(nl.READ_PERCENT) <= set(full.columns)


def test_gaps_nl_least_filled_first_as_published(proc, tmp_path):
    out = nl.gaps_nl(_build(proc, tmp_path).published["volledigheid"])
    assert (out["Tabel"] == "zaken").any() and "Marge laag" not in out.columns
    closed = out[(out["Tabel"] == "zaken") & (out["Kolom"] == "datum afsluiting")].iloc[0]
    assert closed["Gevuld"] == "<5"  # 4 of 8 cases
    assert closed["Aandeel gevuld"] == "x"  # a share beside a hidden count
    signal = out[out["Tabel"] == "signalen"]
    assert signal["Regels"].tolist()[0] == 1  # a signal is not a person: printed as it is
    # least filled first (ties by table): the cases' 7 empty columns in contract order, then
    # the signal's 3, then date_closed (4 of 8)
    pairs = out[["Tabel", "Kolom"]].values.tolist()
    assert pairs[:2] == [["zaken", "wijkcode"], ["zaken", "datum eerste contact"]]
    assert pairs[7:10] == [["signalen", "wijkcode"], ["signalen", "thema"], ["signalen", "KPI"]]
    assert out[["Tabel", "Kolom"]].values.tolist()[-1] == ["zaken", "datum afsluiting"]  # 50%


def test_sentences():
    assert "bij het opschonen opgegeven" in nl.as_of_md(date(2024, 9, 30), "option")
    assert "30 september 2024" in nl.as_of_md(date(2024, 9, 30), "option")
    assert "laatste gebeurtenisdatum" in nl.as_of_md(date(2024, 9, 30), "events")
    neither = nl.as_of_md(date(2024, 9, 30), "")
    assert "opgegeven" not in neither and "gebeurtenisdatum" not in neither
    assert nl.read_note([], []).startswith("**Niet aangeleverd:** geen — alle tabellen")
    assert "er verdwijnen geen regels" in nl.read_note([], [])
    both = nl.read_note(["budgets"], ["staff", "cases"])
    assert both.startswith("**Niet aangeleverd:** budgetten")
    assert "**Let op:** bij personeel en zaken is ingelezen niet gelijk" in both
    assert nl.scope("ALL") == "de hele gemeente" and nl.scope("Zuid") == "Zuid"
    assert "alleen Zuid" in nl.other_organisation_md("Zuid")
    assert nl.columns_md(pd.DataFrame()).startswith("## Kolommen\n\nAlle aangeleverde")
    assert nl.table_list(["cases"]) == "zaken"
    assert nl.table_list(["cases", "staff", "budgets"]) == "zaken, personeel en budgetten"


# ----------------------------------------------------------------- figures

def test_rows_per_quarter_draws_published_counts(proc, tmp_path):
    import matplotlib.pyplot as plt

    # the fixture's counts are all small: every case count is hidden, so no panel at all
    r = _build(proc, tmp_path)
    assert r.published["regels_per_periode"].csv()["rows"].tolist()[:3] == ["x", "<5", "<5"]
    assert plots.rows_per_quarter(r.published["regels_per_periode"]) is None
    # Noord 12 and Zuid 7 cases in Q1 and Q3, Zuid 2 in Q2 (hidden, and Noord's Q2 with it:
    # the city's Q2 minus Noord would give Zuid back)
    cases = cases_rows({"Noord": 12, "Zuid": 7}, ("2024-01-10", "2024-07-10"))
    extra = cases_rows({"Noord": 12, "Zuid": 2}, ("2024-04-10",))
    both = {k: cases[k] + [f"q2-{v}" if k in ("case_id", "client_id") else v for v in extra[k]]
            for k in cases}
    big = write_processed(tmp_path / "big", {"cases": both,
                                             "areas": areas_rows(("Noord", "Zuid"))})
    r = run(big, tmp_path / "out-big")
    fig = plots.rows_per_quarter(r.published["regels_per_periode"])
    assert [ax.get_title() for ax in fig.axes] == ["zaken: regels per kwartaal"]
    lines = {ln.get_label(): np.ma.filled(np.ma.asarray(ln.get_ydata(), dtype=float), np.nan)
             for ln in fig.axes[0].get_lines()}
    assert lines["Noord"][0] == 12 and lines["Noord"][2] == 12 and math.isnan(lines["Noord"][1])
    assert lines["Zuid"][0] == 7 and math.isnan(lines["Zuid"][1])
    plt.close(fig)


def test_completeness_figures(proc, tmp_path):
    import matplotlib.pyplot as plt

    r = _build(proc, tmp_path)
    fig = plots.completeness_by_period(r.published["volledigheid_per_periode"], "cases")
    assert fig.axes[0].get_title() == "Aandeel gevuld per kwartaal — zaken"
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2024-Q1", "2024-Q2"]
    plt.close(fig)
    assert plots.completeness_by_period(r.published["volledigheid_per_periode"], "staff") is None
    fig = plots.completeness_by_organisation(r.published["volledigheid_per_organisatie"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Noord", "Zuid"]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert "zaken: datum afsluiting" in rows and "signalen: wijkcode" in rows
    # every share the table hides is blank in the heatmap: one text per shown share
    shown = r.published["volledigheid_per_organisatie"].masked()
    shown = shown[r.by_organisation.groupby(["table", "column"])["share"].transform("min") < 1]
    assert len(ax.texts) == int(shown["share"].notna().sum())
    plt.close(fig)
    fig = plots.rows_read(r.published["ingelezen"])
    assert fig.axes[0].get_title() == "Ingelezen regels per tabel"
    plt.close(fig)


def test_reasons_nl_most_rows_first_gathered_rest_last(proc, tmp_path):
    reasons = _build(proc, tmp_path, top_reasons=1).reasons
    out = nl.reasons_nl(reasons)
    # cases: 'overige redenen' (2 rows) has more rows than 'duplicate case_id' (1) but
    # comes after every named reason
    assert out["Reden (melding van de controle)"].tolist() == [
        "fte must be > 0", "duplicate case_id", "overige redenen"]
    assert out["Kolom"].tolist() == ["fte", "zaaknummer", ""]
    assert out["Tabel"].tolist() == ["personeel", "zaken", "zaken"]
