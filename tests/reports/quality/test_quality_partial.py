"""The data-quality report on partial deliveries (issue 17) and its Kern (issue 18).

Every delivery below is built by hand; for each, ``build()`` runs for the city and every
organisation, and every reader table, figure and Kern sentence the notebook shows renders.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from quality_builders import (
    areas_rows,
    cases_rows,
    kpi_register_rows,
    kpi_values_rows,
    staff_rows,
    write_processed,
)

from zwt_analysis.reports import context
from zwt_analysis.reports.quality import build, kern, plots
from zwt_analysis.reports.quality import tables as nl

matplotlib.use("Agg")


def tr_rows(per_org: dict[str, int], dates: tuple[str, ...]) -> dict:
    """``per_org`` registrations of 4 hours per organisation and date (one employee each)."""
    rows: dict[str, list] = {c: [] for c in ("employee_id", "organisation", "team", "date",
                                             "activity", "hours")}
    for d in dates:
        for org, n in per_org.items():
            for _ in range(n):
                rows["employee_id"].append(f"e-{org}-0")
                rows["organisation"].append(org)
                rows["team"].append(f"T-{org}")
                rows["date"].append(d)
                rows["activity"].append("preventive_individual")
                rows["hours"].append(4.0)
    return rows


QUARTERS_2025 = ("2025-01-15", "2025-04-15", "2025-07-15")
DELIVERIES = {
    "only_cases": {"cases": cases_rows({"Noord": 8, "Zuid": 6}, QUARTERS_2025)},
    "only_kpi": {"kpi_register": kpi_register_rows(16, 1),
                 "kpi_values": kpi_values_rows(("Noord", "Zuid"), ("2024-Q4", "2025-Q1"))},
    "no_staff": {"cases": cases_rows({"Noord": 8, "Zuid": 6}, QUARTERS_2025),
                 "areas": areas_rows(("Noord", "Zuid")),
                 "time_registrations": tr_rows({"Noord": 10, "Zuid": 7}, QUARTERS_2025),
                 "kpi_register": kpi_register_rows(8, 2)},
    "one_org_one_team_one_year": {
        "cases": cases_rows({"Enig": 9}, QUARTERS_2025), "areas": areas_rows(("Enig",)),
        "staff": staff_rows({"Enig": 6}, start="2025-01-01"),
        "time_registrations": tr_rows({"Enig": 10}, QUARTERS_2025)},
    "history_from_2025": {
        "cases": cases_rows({"Noord": 12, "Zuid": 3}, QUARTERS_2025),
        "areas": areas_rows(("Noord", "Zuid")),
        "staff": staff_rows({"Noord": 7, "Zuid": 3}, start="2025-02-01")},
}


def _render(result) -> list[str]:
    """Everything the notebook shows for ``result`` (figures closed); the Kern sentences."""
    import matplotlib.pyplot as plt

    pub = result.published
    sentences = kern.sentences(result)
    for df in (nl.read_nl(pub["ingelezen"]), nl.read_nl(pub["ingelezen"], full=True),
               nl.delivery_nl(result.delivery), nl.reasons_nl(result.reasons),
               nl.notes_nl(result.notes), nl.gaps_nl(pub["volledigheid"]),
               nl.gaps_nl(pub["volledigheid"], full=True), nl.dates_nl(result.date_ranges),
               nl.mappings_nl(result.mappings)):
        assert isinstance(df, pd.DataFrame)
    assert nl.symbols_md(pub).startswith("*`<5`")
    figs = [plots.rows_read(pub["ingelezen"]),
            plots.completeness_by_organisation(pub["volledigheid_per_organisatie"]),
            plots.rows_per_quarter(pub["regels_per_periode"]),
            *(plots.completeness_by_period(pub["volledigheid_per_periode"], t)
              for t in plots.PERIOD_TABLES)]
    for fig in figs:
        if fig is not None:
            plt.close(fig)
    return sentences


@pytest.mark.parametrize("name", sorted(DELIVERIES))
def test_partial_delivery_renders_for_city_and_every_organisation(name, tmp_path):
    tables = DELIVERIES[name]
    proc = write_processed(tmp_path / "processed", tables, as_of="2025-09-30")
    orgs = sorted({o for cols in tables.values() for o in cols.get("organisation", [])})
    for org in ("ALL", *orgs):
        ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                               "organisation": org, "output_dir": str(tmp_path / org)})
        result = build(ctx, {})
        sentences = _render(result)
        assert 3 <= len(sentences) <= 5, sentences
        assert all(s.endswith(".") for s in sentences)
        assert result.delivered == [t for t in result.read["table"] if t in tables]
        missing = [t for t in result.read["table"] if t not in tables]
        assert result.missing == missing
        if missing:  # the Kern names what is missing and which reports it touches
            assert "niet aangeleverd: " in sentences[0] and "slaan" in sentences[2]
        # the caveat on quarters with few rows only where cases or hours were delivered
        judged = {"cases", "time_registrations"} & set(tables)
        assert any("kwartaal" in s for s in sentences) == bool(judged), sentences
        if judged and result.delivery_gaps.empty:
            who = "Geen organisatie heeft een" if org == "ALL" else f"{org} heeft geen"
            assert sentences[-1].startswith(f"{who} kwartaal met opvallend weinig")


def test_kern_only_cases_names_missing_tables_and_reports(tmp_path):
    proc = write_processed(tmp_path / "p", DELIVERIES["only_cases"], as_of="2025-09-30")
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": "ALL", "output_dir": str(tmp_path / "o")})
    s = kern.sentences(build(ctx, {}))
    # no areas: the municipality is unknown and is called "de gemeente"
    assert s[0] == ("De levering voor de gemeente bevat 1 van de 10 tabellen van het "
                    "datacontract (42 regels); niet aangeleverd: wijken, personeel, "
                    "tijdregistraties, formatie, budgetten, kpi-register, kpi-waarden, "
                    "signalen en loon- en indexatiecijfers.")
    assert s[1].startswith("Geen enkele regel staat in quarantaine")
    assert s[2].startswith("Wat dit betekent: zonder wijken, personeel")
    assert "de rapporten preventie, personeel, KPI's en wijken de onderdelen over" in s[2]
    assert s[3].startswith("Geen organisatie heeft een kwartaal met opvallend weinig")


def test_kern_quarantine_reading_notes_and_gaps(tmp_path):
    cases = cases_rows({"Noord": 10}, ("2024-01-15", "2024-04-15", "2024-10-15"))
    quarantine = pd.DataFrame({"table": ["cases"] * 3, "row_number": [2, 5, 9],
                               "column": ["date_report", "date_report", "team"],
                               "value": ["x"] * 3,
                               "reason": ["not a date", "not a date", "unknown team"]})
    proc = write_processed(tmp_path / "p", {"cases": cases, "areas": areas_rows(("Noord",))},
                           quarantine=quarantine, extra={
                               "cases": {"rows_in": 33, "rows_quarantined": 3,
                                         "cp1252_lines": 4},
                               "unmatched_files": [{"file": "Cases 2024-06.csv",
                                                    "likely_table": "cases"}]})
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": "Noord", "output_dir": str(tmp_path / "o")})
    r = build(ctx, {})
    s = kern.sentences(r)
    assert len(s) == 5
    assert s[0].endswith("(34 regels, alle organisaties samen); niet aangeleverd: personeel, "
                         "tijdregistraties, formatie, budgetten, kpi-register, kpi-waarden, "
                         "signalen en loon- en indexatiecijfers. Van Noord kwamen 30 zaken door "
                         "de controles.")
    # 3 of 34 lines (8,8%); cases 3 of 33 (9,1%), most rows: 'not a date' (2 rows)
    assert s[1] == ("3 regels (8,8%) staan in quarantaine en tellen in geen enkel rapport mee; "
                    "de meeste bij zaken (3, 9,1% van die tabel), vooral om de melding "
                    "'not a date'.")
    assert "bij zaken staat meer dan 1,0% in quarantaine: cijfers van de rapporten preventie, "\
           "KPI's en wijken" in s[2]
    assert s[3] == ("Bij het inlezen: 'Cases 2024-06.csv' is niet gelezen (de naam past bij "
                    "geen tabel, waarschijnlijk zaken); zaken: 4 regels gelezen als "
                    "Windows-1252 (zie 'Hoe de bestanden zijn gelezen').")
    # 2024-Q3 has no cases between Q2 and Q4: a possible gap
    assert s[4].startswith("Let op bij trends: opvallend weinig regels bij zaken van Noord in "
                           "2024-Q3;")
    assert r.delivery_gaps.values.tolist() == [["cases", "Noord", "2024-Q3"]]


def test_kern_hides_totals_when_a_count_is_hidden(tmp_path):
    # 3 employees: their count is hidden, so no total of lines (it would give them back)
    proc = write_processed(tmp_path / "p", {"cases": cases_rows({"Noord": 10}),
                                            "staff": staff_rows({"Noord": 3})})
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": "ALL", "output_dir": str(tmp_path / "o")})
    r = build(ctx, {})
    s = kern.sentences(r)
    assert s[0].startswith("De levering voor de gemeente bevat 2 van de 10 tabellen van het "
                           "datacontract; niet aangeleverd")
    assert kern.total_lines(r) is None
    assert kern.share_text(0.0004) == "minder dan 0,1%" and kern.share_text(0.25) == "25,0%"


def test_kern_names_at_most_three_tables_with_a_large_quarantine(tmp_path):
    tables = {"cases": cases_rows({"Noord": 20}), "areas": areas_rows(("Noord",)),
              "kpi_register": kpi_register_rows(20, 2),
              "kpi_values": kpi_values_rows(("Noord",)),
              "staff": staff_rows({"Noord": 20})}
    # quarantined lines: kpi_register 5 of 25 (20%), staff 3 of 23, cases 1 of 21,
    # kpi_values 1 of 10 (10%); areas none
    extra = {"kpi_register": {"rows_in": 25, "rows_quarantined": 5},
             "staff": {"rows_in": 23, "rows_quarantined": 3},
             "cases": {"rows_in": 21, "rows_quarantined": 1},
             "kpi_values": {"rows_in": 10, "rows_quarantined": 1}}
    proc = write_processed(tmp_path / "p", tables, extra=extra)
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": "ALL", "output_dir": str(tmp_path / "o")})
    s = kern.sentences(build(ctx, {}))
    # largest share first: kpi-register 20%, staff 13%, kpi-waarden 10%; cases 4,8% the rest
    assert ("bij kpi-register, personeel, kpi-waarden en 1 andere tabel staat meer dan "
            "1,0% in quarantaine") in s[2]


def test_kern_reading_notes_singular_and_plural(tmp_path):
    proc = write_processed(tmp_path / "p", {"cases": cases_rows({"Noord": 10})}, extra={
        "cases": {"duplicate_rows": 1, "name_mappings": {"team": {"a": "A", "b": "B"}}}})
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": "ALL", "output_dir": str(tmp_path / "o")})
    s = kern.sentences(build(ctx, {}))
    assert s[3] == ("Bij het inlezen: zaken: 1 regel gelijk aan een eerdere regel; zaken: 2 namen "
                    "gelijkgetrokken met de wijkentabel (zie 'Hoe de bestanden zijn gelezen').")
    assert set(kern.COUNTED_NL) <= set(nl.DELIVERY_KINDS_NL)
