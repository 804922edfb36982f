"""Disclosure control of the data-quality report (issue 16), on hand-built processed folders.

- Counts that are not persons (KPI-register fields, rows of other files) are never
  suppressed, in the city's report and an organisation's alike.
- Rows of cases and staff are persons: the city and every organisation are protected in one
  pass, so the same cell shows the same thing in every folder, and the published folder
  passes the audit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from quality_builders import areas_rows, cases_rows, kpi_register_rows, staff_rows, write_processed

from zwt_analysis.disclosure import audit_folder
from zwt_analysis.reports import context
from zwt_analysis.reports.quality import build
from zwt_analysis.reports.quality.published import CSV_TABLES

ORGS = ("Noord", "Oost", "Zuid")


@pytest.fixture(scope="module")
def proc(tmp_path_factory) -> Path:
    """Cases: Noord 9, Oost 7, Zuid 3 in 2024-Q1 and Noord 11, Oost 8, Zuid 6 in 2024-Q2
    (every second closed); 12 employees of Noord, 6 of Oost, 2 of Zuid; a KPI register of
    16 KPIs, 1 with a theory of change."""
    q1 = cases_rows({"Noord": 9, "Oost": 7, "Zuid": 3}, ("2024-02-01",))
    q2 = cases_rows({"Noord": 11, "Oost": 8, "Zuid": 6}, ("2024-05-01",))
    cases = {k: q1[k] + [f"b{v}" if k in ("case_id", "client_id") else v for v in q2[k]]
             for k in q1}
    return write_processed(tmp_path_factory.mktemp("q") / "processed", {
        "cases": cases, "areas": areas_rows(ORGS),
        "staff": staff_rows({"Noord": 12, "Oost": 6, "Zuid": 2}),
        "kpi_register": kpi_register_rows(16, with_theory=1),
    })


def _run(proc: Path, out: Path, org: str):
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": org, "output_dir": str(out / org)})
    result = build(ctx, {})
    for name in CSV_TABLES:  # as the notebook writes them
        ctx.save_table(result.published[name].csv(), name)
    return result


@pytest.fixture(scope="module")
def runs(proc, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports") / "01_data_quality"
    return out, {org: _run(proc, out, org) for org in ("ALL", *ORGS)}


def _cell(result, table: str, where: dict, column: str) -> str:
    csv = result.published[table].csv()
    mask = True
    for k, v in where.items():
        mask = mask & (csv[k] == v)
    return str(csv.loc[mask, column].iloc[0])


def test_register_fields_are_never_suppressed(runs):
    _, res = runs
    for org in ("ALL", *ORGS):  # 1 of 16 KPIs has a theory of change: printed everywhere
        where = {"table": "kpi_register", "column": "theory_of_change"}
        assert _cell(res[org], "volledigheid", where, "filled") == "1"
        assert _cell(res[org], "volledigheid", where, "rows") == "16"
        assert _cell(res[org], "volledigheid", where, "share") == "0.0625"


def test_small_person_counts_are_suppressed(runs):
    _, res = runs
    # 2 employees of Zuid: <5 in Zuid's own report and in the city's per-organisation table
    staff = {"table": "staff", "column": "employee_id"}
    assert _cell(res["Zuid"], "volledigheid", staff, "rows") == "<5"
    assert _cell(res["ALL"], "volledigheid_per_organisatie", {**staff, "organisation": "Zuid"},
                 "rows") == "<5"
    # 3 cases of Zuid in 2024-Q1
    q1 = {"table": "cases", "organisation": "Zuid", "period": "2024-Q1"}
    assert _cell(res["ALL"], "regels_per_periode", q1, "rows") == "<5"
    assert _cell(res["Zuid"], "regels_per_periode", q1, "rows") == "<5"


def test_same_cell_same_symbol_in_every_folder(runs):
    _, res = runs
    city = res["ALL"].published
    for org in ORGS:
        own = res[org].published
        for table, keys in (("volledigheid_per_organisatie", ["table", "organisation", "column"]),
                            ("regels_per_periode", ["table", "organisation", "period"])):
            a = city[table].csv()
            a = a[a["organisation"] == org].set_index(keys).astype(str)
            b = own[table].csv().set_index(keys).astype(str)
            assert a.sort_index().equals(b.sort_index()), (org, table)
        # the organisation's completeness table is its row of the city's per-organisation
        # table (tables with an organisation column; the KPI register has none)
        a = city["volledigheid_per_organisatie"].csv()
        a = a[a["organisation"] == org].drop(columns="organisation").reset_index(drop=True)
        b = own["volledigheid"].csv()
        b = b[b["table"].isin(set(a["table"])) & (b["column"] != "organisation")]
        b = b.reset_index(drop=True)
        assert a.astype(str).equals(b.astype(str)), org
    for org in ORGS:  # the delivery as a whole is printed the same in every folder
        assert city["ingelezen"].csv().astype(str).equals(
            res[org].published["ingelezen"].csv().astype(str))


def test_city_minus_organisations_gives_nothing_back(runs):
    _, res = runs
    city = res["ALL"].published["volledigheid"].csv()
    for column in ("rows", "filled"):
        for (table, col), grp in city.groupby(["table", "column"]):
            if table not in ("cases", "staff"):
                continue
            parts = [_cell(res[o], "volledigheid", {"table": table, "column": col}, column)
                     for o in ORGS]
            hidden = [p for p in parts if p in ("<5", "x")]
            total = str(grp[column].iloc[0])
            # one hidden part beside a printed total and printed other parts is recomputable
            assert not (len(hidden) == 1 and total not in ("<5", "x")), (table, col, column)


def test_published_folder_passes_the_audit(runs):
    out, res = runs
    audit = audit_folder(out.parent)
    assert audit.unprotected == [], [f.line() for f in audit.unprotected[:5]]
    assert audit.suppressed > 0  # the small groups above are hidden, not absent
    assert res["ALL"].published.primary > 0 and res["ALL"].published.cells > 0
