"""Data contract section 6 ("Real exports: further rules"): one hand-built file per rule.

Each test builds the smallest file that shows one rule and checks the exact
rows, values, quarantine lines and validation.json entries by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from ingest_helpers import KEY, run, write
from typer.testing import CliRunner

from zwt_analysis import indicators, processed
from zwt_analysis.cli import app
from zwt_analysis.errors import FatalInputError
from zwt_analysis.ingest import clean, csvbody
from zwt_analysis.ingest import read as rawio
from zwt_analysis.ingest.privacy import KEY_ENV, MASK, pseudonym

STAFF_H = "employee_id;organisation;team;role;fte;start_date;end_date;end_reason"
TR_H = "employee_id;organisation;team;date;activity;hours;legal_framework;assignment_id"
CASES_H = ("case_id;client_id;organisation;team;area_code;legal_framework;date_report;"
           "date_first_contact;date_assessment_done;date_application;date_decision;"
           "date_closed;closure_reason")
AREAS = ("area_code;area_name;organisation;team;pact;population\n"
         "WK01;Oost;Coöperatie Zaan;Team Noord-Oost;ja;1000\n"
         "WK02;West;SMD;Team West;nee;2000\n")




def lines(result: clean.CleanRun, table: str | None = None) -> list[tuple]:
    q = result.quarantine
    if table is not None:
        q = q[q["table"] == table]
    return [(int(r.row_number), r.column, r.value, r.reason) for r in q.itertuples()]


def conserved(result: clean.CleanRun) -> None:
    for name, res in result.results.items():
        v = result.validation[name]
        assert v["rows_in"] == v["rows_clean"] + v["rows_quarantined"] == len(res.parsed)
        assert len(result.frames[name]) == v["rows_clean"]


# --------------------------------------------------------------------------- reading


def test_tab_separated_file(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H.replace(";", "\t") + "\nE1\tDOCK\tT1\t\t0,8\t1-2-2024\t\t\n")
    r = run(tmp_path)
    assert r.validation["staff"]["separator"] == "\t"
    assert r.frames["staff"]["fte"].tolist() == [0.8]  # a tab file uses the decimal comma
    assert r.frames["staff"]["start_date"].tolist() == [pd.Timestamp("2024-02-01")]


def test_utf16_with_bom_tab_separated(tmp_path):
    """Excel's "Unicode text": UTF-16 LE with a byte-order mark, tab-separated."""
    text = STAFF_H.replace(";", "\t") + "\r\nE1\tCoöperatie\tT1\t\t1\t2024-01-01\t\t\r\n"
    write(tmp_path, "staff.csv", b"\xff\xfe" + text.encode("utf-16-le"))
    r = run(tmp_path)
    v = r.validation["staff"]
    assert (v["encoding"], v["separator"], v["rows_in"]) == ("utf-16", "\t", 1)
    assert r.frames["staff"]["organisation"].tolist() == ["Coöperatie"]


def test_utf8_file_with_a_few_windows_1252_lines(tmp_path):
    """Each line is decoded on its own: UTF-8 lines as UTF-8, the others as Windows-1252."""
    body = ("C1;K1;Coöperatie;T1;;wmo;2024-01-01;;;;;;café".encode() + b"\n"
            + "C2;K2;Coöperatie;T1;;wmo;2024-01-01;;;;;;cliënt".encode("cp1252") + b"\n"
            + b"C3;K3;DOCK;T1;;wmo;2024-01-01;;;;;;ok\n"
            + "C4;K4;DOCK;T1;;wmo;2024-01-01;;;;;;één".encode("cp1252") + b"\n")
    write(tmp_path, "cases.csv", CASES_H.encode() + b"\n" + body)
    r = run(tmp_path)
    v = r.validation["cases"]
    assert (v["encoding"], v["cp1252_lines"]) == ("utf-8+cp1252", 2)
    assert r.frames["cases"]["closure_reason"].tolist() == ["café", "cliënt", "ok", "één"]
    assert r.frames["cases"]["organisation"].tolist() == ["Coöperatie", "Coöperatie", "DOCK", "DOCK"]
    # a file that is Windows-1252 throughout is still called that
    write(tmp_path / "b", "cases.csv", (CASES_H + "\nC2;K2;Coöperatie;T1;;wmo;2024-01-01;;;;;;x\n")
          .encode("cp1252"))
    v = run(tmp_path / "b").validation["cases"]
    assert (v["encoding"], v["cp1252_lines"]) == ("cp1252", 1)


def test_separator_only_and_whitespace_lines_are_empty_lines(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + "\nE1;DOCK;T1;;1;2024-01-01;;\n;;;;;;;\n   \n"
          ' ; ;\t;;;;;\nE2;DOCK;T1;;1;2024-01-01;;\n;;;;\n"";"";""\n"\n')
    r = run(tmp_path)
    v = r.validation["staff"]
    assert (v["rows_in"], v["rows_clean"], v["empty_lines"]) == (2, 2, 6)
    assert r.quarantine.empty


def test_trailing_separator_in_header_and_short_lines(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + ";\nE1;DOCK;T1;;1;2024-01-01\nE2;DOCK;T1;support;0,5;"
          "2024-01-01;2024-06-30;voluntary;\nE3;DOCK;T1;;1;2024-01-01;;;\n")
    r = run(tmp_path, as_of=dt.date(2024, 12, 31))
    f = r.frames["staff"]
    assert f["employee_id"].tolist() == [pseudonym(e, KEY) for e in ("E1", "E2", "E3")]
    assert f["end_reason"].isna().tolist() == [True, False, True]
    assert r.quarantine.empty and r.validation["staff"]["unknown_columns"] == []


def test_an_unclosed_quote_never_swallows_the_next_line(tmp_path):
    """Known failure: the next case was lost and the merged text, with its raw client id,
    was written to quarantine.csv."""
    write(tmp_path, "cases.csv", CASES_H + "\n"
          'C1;K100;DOCK;T1;;wmo;2024-01-01;;;;;;"verhuisd naar\n'
          "C2;K200;DOCK;T1;;wmo;2024-01-02;;;;;;afgesloten\n"
          "C3;K300;DOCK;T1;;wmo;2024-01-03;;;;;;\n")
    r = run(tmp_path)
    assert lines(r) == [(1, "", "", "unclosed quote: the line is not a record")]
    assert r.frames["cases"]["case_id"].tolist() == ["C2", "C3"]
    assert r.validation["cases"]["rows_in"] == 3
    assert "K100" not in r.quarantine.to_csv() and "K200" not in r.quarantine.to_csv()
    conserved(r)


def test_a_quoted_line_break_in_free_text_is_one_record(tmp_path):
    write(tmp_path, "signals.csv", 'date;organisation;text\n2024-01-02;DOCK;"regel 1\r\n'
          'regel 2; met puntkomma"\n2024-01-03;DOCK;"kort"\n')
    r = run(tmp_path)
    assert r.frames["signals"]["text"].tolist() == ["regel 1\r\nregel 2; met puntkomma", "kort"]
    assert r.validation["signals"]["rows_in"] == 2 and r.quarantine.empty


def test_header_after_title_rows_in_a_csv(tmp_path):
    write(tmp_path, "staff.csv", "Export personeel;;;\nPeildatum: 30-09-2026\n\n" + STAFF_H
          + "\nE1;DOCK;T1;;1;2024-01-01;;\nE2;DOCK;T1;;9;2024-01-01;;\n")
    r = run(tmp_path)
    assert r.validation["staff"]["header_row"] == 4
    assert lines(r) == [(2, "fte", "9", "fte must be > 0 and <= 1.2")]  # rows after the header


def test_header_beyond_the_first_ten_rows_is_fatal(tmp_path):
    write(tmp_path, "staff.csv", "titel\n" * 10 + STAFF_H + "\nE1;DOCK;T1;;1;2024-01-01;;\n")
    with pytest.raises(FatalInputError, match=r"staff\.csv: required columns 'employee_id', "
                       r"'organisation', .* missing \(header looked for in the first 10 rows; "
                       r"row 1 has the columns 'titel'\).*--column-map"):
        run(tmp_path)


def _workbook(path: Path, sheets: list[tuple[str, list[list]]], merge: dict | None = None) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for rng in (merge or {}).get(title, []):
            ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def test_workbook_cover_sheet_title_rows_and_merged_cells(tmp_path):
    header = ["employee_id", "organisation", "team", "fte", "start_date"]
    _workbook(tmp_path / "staff.xlsx", [
        ("Voorblad", [["Personeelsoverzicht"], ["Gemaakt door HR"]]),
        ("Data", [["Personeel per 30-09-2026"], [], header,
                  ["E1", "DOCK", "T1", 1, dt.date(2024, 1, 1)],
                  ["E2", None, "T2", 0.5, 45000],  # merged with the DOCK above; an Excel serial
                  ["E3", "SMD", "T3", 1, "1-3-2024"]]),
    ], merge={"Data": ["B4:B5"]})
    r = run(tmp_path)
    v = r.validation["staff"]
    assert (v["sheet"], v["skipped_sheets"], v["header_row"], v["merged_cells_filled"]) == \
        ("Data", ["Voorblad"], 3, 1)
    f = r.frames["staff"]
    assert f["organisation"].tolist() == ["DOCK", "DOCK", "SMD"]
    assert f["start_date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2023-03-15"),
                                        pd.Timestamp("2024-03-01")]


def test_workbook_without_a_fitting_sheet_names_the_sheets(tmp_path):
    _workbook(tmp_path / "staff.xlsx", [("Voorblad", [["x"]]), ("Data", [["employee_id", "fte"]])])
    with pytest.raises(FatalInputError, match=r"staff\.xlsx \(sheet 'Voorblad'; sheets looked "
                       r"at: 'Voorblad', 'Data'\): required columns"):
        run(tmp_path)


def test_file_names_matching_no_table_are_listed_with_the_likely_table(tmp_path, monkeypatch,
                                                                       capsys):
    write(tmp_path / "raw", "staff.csv", STAFF_H + "\nE1;DOCK;T1;;1;2024-01-01;;\n")
    write(tmp_path / "raw", "Cases 2025-06.csv", CASES_H + "\n")
    write(tmp_path / "raw", "time_registrations (1).csv", TR_H + "\n")
    write(tmp_path / "raw", "notities.txt", "x")
    r = run(tmp_path / "raw")
    assert r.validation["unmatched_files"] == [
        {"file": "Cases 2025-06.csv", "likely_table": "cases"},
        {"file": "notities.txt", "likely_table": None},
        {"file": "time_registrations (1).csv", "likely_table": "time_registrations"}]
    assert "cases" in r.validation["missing_tables"]
    monkeypatch.setenv(KEY_ENV, "k")
    assert clean.main(raw=tmp_path / "raw", out=tmp_path / "out") == 0
    out = capsys.readouterr().out
    assert "not read: Cases 2025-06.csv (most likely cases: rename it to cases.csv)" in out
    assert "not read: time_registrations (1).csv (most likely time_registrations" in out


def test_month_first_dates_stop_the_run_and_the_option_reads_them(tmp_path):
    write(tmp_path, "cases.csv", "case_id;client_id;organisation;team;legal_framework;date_report;"
          "date_closed\nC1;K1;DOCK;T1;wmo;3/25/2024;5/4/2024\nC2;K2;DOCK;T1;wmo;4/1/2024;\n")
    with pytest.raises(FatalInputError) as err:
        run(tmp_path)
    msg = str(err.value)
    assert "cases.csv: the dates in column 'date_report' (e.g. '3/25/2024') can only be read " \
        "month first" in msg
    assert "--date-order mdy cases.csv:date_report" in msg
    assert "date_closed" not in msg  # 5/4/2024 could be either: not a reason to stop
    r = run(tmp_path, date_order=[("mdy", "cases.csv:date_report")])
    f = r.frames["cases"]
    assert f["date_report"].tolist() == [pd.Timestamp("2024-03-25"), pd.Timestamp("2024-04-01")]
    assert f["date_closed"].tolist()[0] == pd.Timestamp("2024-04-05")  # still day first
    r = run(tmp_path, date_order=[("mdy", "cases")])  # the whole file, by table name
    assert r.frames["cases"]["date_closed"].tolist()[0] == pd.Timestamp("2024-05-04")


def test_date_order_option_on_the_command_line(tmp_path):
    write(tmp_path / "raw", "cases.csv", "case_id;client_id;organisation;team;legal_framework;"
          "date_report\nC1;K1;DOCK;T1;wmo;3/25/2024\n")
    cli = CliRunner()
    env = {KEY_ENV: "k"}
    base = ["clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out")]
    done = cli.invoke(app, base, env=env)
    assert done.exit_code == 2 and "--date-order mdy cases.csv:date_report" in done.output
    assert "Traceback" not in done.output and not (tmp_path / "out").exists()
    done = cli.invoke(app, [*base, "--date-order", "mdy", "cases.csv:date_report"], env=env)
    assert done.exit_code == 0, done.output
    assert processed.read_table(tmp_path / "out", "cases")["date_report"].tolist() == \
        [pd.Timestamp("2024-03-25")]
    done = cli.invoke(app, [*base, "--date-order", "mdy", "cases.csv:client_id"], env=env)
    assert done.exit_code == 2 and "'client_id' is not a date column of cases.csv" in done.output


def test_hours_as_h_mm(tmp_path):
    write(tmp_path, "time_registrations.csv", TR_H + "\nE1;DOCK;T1;2024-01-02;overhead;7:30;;\n"
          "E1;DOCK;T1;2024-01-03;overhead;0:45;;\nE1;DOCK;T1;2024-01-04;overhead;24:30;;\n")
    r = run(tmp_path, as_of=dt.date(2024, 12, 31))
    assert r.frames["time_registrations"]["hours"].tolist() == [7.5, 0.75]
    assert lines(r) == [(3, "hours", "24:30", "hours must be > 0 and <= 24")]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("word", ["Totaal", "Total", "Subtotaal", "Eindtotaal", "DOCK totaal"])
def test_totals_rows_are_quarantined_and_never_an_organisation(tmp_path, word):
    write(tmp_path, "time_registrations.csv", TR_H + "\nE1;DOCK;T1;2024-01-02;overhead;4;;\n"
          f";{word};;;;4;;\nE1;DOCK;{word};2024-01-02;overhead;4;;\n{word};;;;;8;;\n")
    r = run(tmp_path)
    assert [(n, c, reason) for n, c, _, reason in lines(r)] == [
        (2, "organisation", "totals row"), (3, "team", "totals row"),
        (4, "employee_id", "totals row")]
    assert lines(r)[0][2] == word
    assert set(r.frames["time_registrations"]["organisation"]) == {"DOCK"}
    assert r.validation["time_registrations"]["quarantine_reasons"] == {
        "employee_id: totals row": 1, "organisation: totals row": 1, "team: totals row": 1}


def test_a_team_named_like_a_word_with_total_inside_is_no_totals_row(tmp_path):
    write(tmp_path, "time_registrations.csv", TR_H + "\nE1;DOCK;Totaalzorg;2024-01-02;overhead;4;;\n")
    assert run(tmp_path).quarantine.empty


@pytest.mark.parametrize("placeholder", ["n.v.t.", "nvt", "geen", "onbekend", "-", "NULL", "NA",
                                         "N.V.T."])
def test_placeholders_in_identifier_columns_mean_missing(tmp_path, placeholder):
    write(tmp_path, "time_registrations.csv", TR_H + f"\nE1;DOCK;T1;2024-01-02;overhead;4;;"
          f"{placeholder}\n{placeholder};DOCK;T1;2024-01-02;overhead;4;;\n")
    write(tmp_path, "cases.csv", CASES_H + f"\nC1;K1;DOCK;T1;{placeholder};wmo;2024-01-01;;;;;;\n")
    r = run(tmp_path)
    assert lines(r, "time_registrations") == [(2, "employee_id", "", "required value missing")]
    assert r.frames["time_registrations"]["assignment_id"].tolist() == ["MAIN"]
    assert r.frames["cases"]["area_code"].isna().tolist() == [True]
    # other placeholders stay type errors (data contract section 5)
    write(tmp_path / "b", "cases.csv", CASES_H + "\nC1;K1;DOCK;T1;#N/A;wmo;2024-01-01;;;;;;\n")
    assert lines(run(tmp_path / "b")) == [
        (1, "area_code", "#N/A", "placeholder is not a value (leave the cell empty)")]


def test_names_matched_to_areas_after_unicode_normalisation(tmp_path):
    write(tmp_path, "areas.csv", AREAS)
    write(tmp_path, "staff.csv", STAFF_H + "\n"
          "E1;Cooperatie Zaan;Team Noord – Oost;;1;2024-01-01;;\n"  # no accent, en dash, spaces
          "E2;COÖPERATIE  ZAAN;team noord-oost;;1;2024-01-01;;\n"
          "E3;smd;TEAM\u00a0WEST;;1;2024-01-01;;\n"
          "E4;SMD;Team Oost;;1;2024-01-01;;\n")
    r = run(tmp_path)
    f = r.frames["staff"]
    assert f["organisation"].tolist() == ["Coöperatie Zaan", "Coöperatie Zaan", "SMD"]
    assert f["team"].tolist() == ["Team Noord-Oost", "Team Noord-Oost", "Team West"]
    assert lines(r) == [(4, "team", "Team Oost", "unknown team (not in areas)")]
    assert r.validation["staff"]["name_mappings"] == {
        "organisation": {"COÖPERATIE  ZAAN": "Coöperatie Zaan", "Cooperatie Zaan": "Coöperatie Zaan",
                         "smd": "SMD"},
        "team": {"TEAM\u00a0WEST": "Team West", "Team Noord – Oost": "Team Noord-Oost",
                 "team noord-oost": "Team Noord-Oost"}}


def test_implausible_numbers_are_quarantined(tmp_path):
    write(tmp_path, "formation.csv", "organisation;year;budgeted_fte\nDOCK;2024;12.500\n"
          "DOCK;2025;12,5\nSMD;2024;5000\nSMD;2025;5000,5\n")
    r = run(tmp_path)
    assert lines(r) == [(1, "budgeted_fte", "12.500", "implausible budgeted_fte (plausible: 0 to 5000)"),
                        (4, "budgeted_fte", "5000,5", "implausible budgeted_fte (plausible: 0 to 5000)")]
    assert r.frames["formation"]["budgeted_fte"].tolist() == [12.5, 5000.0]


def test_identical_rows_in_tables_without_a_key_stay_and_are_counted(tmp_path):
    row = "E1;DOCK;T1;2024-01-02;overhead;4;;"
    write(tmp_path, "time_registrations.csv", TR_H + f"\n{row}\n{row}\nE2;DOCK;T1;2024-01-02;"
          f"overhead;4;;\n{row}\n")
    write(tmp_path, "budgets.csv", "organisation;year;assignment_id;assignment_type;funding_type;"
          "amount_eur\nDOCK;2024;A1;main;structural;10\nDOCK;2024;A1;main;structural;10\n")
    write(tmp_path, "staff.csv", STAFF_H + "\nE1;DOCK;T1;;1;2024-01-01;;\n")
    r = run(tmp_path)
    assert len(r.frames["time_registrations"]) == 4 and len(r.frames["budgets"]) == 2
    assert r.validation["time_registrations"]["identical_rows"] == 2
    assert r.validation["budgets"]["identical_rows"] == 1
    assert r.validation["staff"]["identical_rows"] == 0  # a table with a key: duplicates rule


# --------------------------------------------------------------------------- privacy and output


def test_quarantine_never_holds_a_raw_identifier(tmp_path):
    write(tmp_path, "cases.csv", CASES_H + "\n"
          "C1;K2024X;DOCK;T1;;wmo;2024-01-01;;;;;;\n"
          "C2;K7;DOCK;T1;;wmo;K2024X;;;;;;\n"  # another client's id in a date cell
          "C3;K8;DOCK;T1;;wmo;123456782;;;;;;\n"  # a BSN in a date cell
          "C4;K9;DOCK;T1;;wmo;2024-01-01;;;;;;ex-cliënt van K2024X, bsn 111222333\n"
          "C5;Totaal 123456782;;;;;;;;;;;\n")  # a totals row: its word is shown, not the BSN
    r = run(tmp_path)
    assert lines(r) == [(2, "date_report", MASK, "not a date"),
                        (3, "date_report", MASK, "not a date"),
                        (5, "client_id", f"Totaal {MASK}", "totals row")]
    assert r.frames["cases"]["closure_reason"].tolist()[-1] == f"ex-cliënt van {MASK}, bsn {MASK}"
    v = r.validation["cases"]["masked_values"]
    assert v == {"clean_cells": 1, "quarantine_lines": 3}


def test_indicators_only_where_their_inputs_were_delivered(tmp_path, monkeypatch):
    """Known failure: without staff (or with only its header) every vacancy_rate was 100%."""
    raw, out = tmp_path / "raw", tmp_path / "processed"
    write(raw, "formation.csv", "organisation;year;budgeted_fte\nDOCK;2024;10\n")
    write(raw, "staff.csv", STAFF_H + "\n")
    write(raw, "time_registrations.csv", TR_H + "\nE1;DOCK;T1;2024-08-01;overhead;4;;\n")
    monkeypatch.setenv(KEY_ENV, "k")
    assert clean.main(raw=raw, out=out) == 0
    indicators.main(processed=out, out=out / "indicators.csv")
    ind = pd.read_csv(out / "indicators.csv")
    assert "vacancy_rate" not in set(ind["indicator_id"])
    assert set(ind["indicator_id"]) == {"additional_assignment_share"}


def test_a_few_bad_lines_leave_the_rest_of_a_big_file_on_the_fast_path(tmp_path):
    rows = [f"E{i % 50};DOCK;T1;2024-01-{1 + i % 28:02d};overhead;{1 + i % 8};;" for i in range(20000)]
    rows[7000] += ";extra"
    rows[12000] = 'E1;DOCK;"T1;2024-01-02;overhead;4;;'
    text = TR_H + "\n" + "\n".join(rows) + "\n"
    body = csvbody.read_body(text.encode(), len(TR_H) + 1, ";", 8)
    assert body.python_lines == 2  # only the two bad lines went through Python
    assert body.bad_rows == {7000: "too many fields (9, header has 8)",
                             12000: csvbody.UNCLOSED_QUOTE}
    assert len(body.frame) == 20000
    assert body.frame["f0"].iloc[12001] == "E1" and body.frame["f3"].iloc[6999] == "2024-01-28"


def test_new_optional_column_question_type_and_table_cost_index(tmp_path):
    write(tmp_path, "cases.csv", "case_id;client_id;organisation;team;legal_framework;date_report;"
          "question_type\nC1;K1;DOCK;T1;wmo;2024-01-01;  huiselijk geweld \nC2;K2;DOCK;T1;wmo;"
          "2024-01-01;\n")
    write(tmp_path, "cost_index.csv", "year;organisation;cao_wage_increase_pct;"
          "municipal_indexation_pct\n2024;;7;4,0\n2024;DOCK;7,5;4\n2025;;4;3,1\n2024;;6;4\n"
          "2026;;35;3\n")
    r = run(tmp_path)
    assert r.frames["cases"]["question_type"].tolist()[0] == "huiselijk geweld"
    ci = r.frames["cost_index"]
    assert ci["organisation"].isna().tolist() == [True, False, True]
    assert ci["cao_wage_increase_pct"].tolist() == [7.0, 7.5, 4.0]
    assert [(n, c, reason) for n, c, _, reason in lines(r, "cost_index")] == [
        (4, "year+organisation", "duplicate year+organisation (first at row 1)"),
        (5, "cao_wage_increase_pct", "cao_wage_increase_pct must be >= -10 and <= 25")]
    assert processed.empty_table("cost_index").dtypes["year"] == "Int64"


def test_every_fatal_problem_is_listed_at_once(tmp_path):
    raw = tmp_path / "raw"
    write(raw, "staff.csv", "employee_id;organisation\nE1;DOCK\n")
    write(raw, "cases.csv", b"a;b\n\x81;2\n")
    _workbook(raw / "formation.xlsx", [("Blad1", [["organisation", "jaar", "fte"]])])
    write(raw, "areas.csv", AREAS)
    (tmp_path / "map.yaml").write_text("Meldingsdatum: not_a_column\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["clean", "--raw", str(raw), "--out", str(tmp_path / "out"),
                                    "--column-map", str(tmp_path / "map.yaml")],
                              env={KEY_ENV: "k"})
    assert done.exit_code == 2 and "Traceback" not in done.output
    msg = done.output
    assert msg.startswith("zwt: error: 4 problems stop this run:")
    assert "map.yaml: column map entry 'Meldingsdatum' -> 'not_a_column'" in msg
    assert "staff.csv: required columns 'team', 'fte', 'start_date' missing" in msg
    assert "cases.csv: cannot decode line 2 (byte 0x81)" in msg
    assert "formation.xlsx (sheet 'Blad1'; sheets looked at: 'Blad1'): required columns " \
           "'year', 'budgeted_fte' missing" in msg
    assert msg.count("--column-map") >= 2
    assert not (tmp_path / "out").exists()


def test_read_table_reports_where_the_header_was(tmp_path):
    path = write(tmp_path, "staff.csv", "sep=;\nTitel\n" + STAFF_H + "\nE1;DOCK;T1;;1;2024-01-01;;\n")
    raw = rawio.read_table("staff", path)
    assert (raw.header_row, raw.separator, len(raw.frame)) == (3, ";", 1)
