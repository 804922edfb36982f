"""`zwt clean`: every row rule, quarantine, as-of, output, fatal errors, read-only raw."""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import io as pyio
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from ingest_helpers import KEY, TODAY, run, write
from typer.testing import CliRunner

from zwt_analysis import config, processed
from zwt_analysis.cli import app
from zwt_analysis.contract import TABLES
from zwt_analysis.errors import FatalInputError
from zwt_analysis.ingest import clean, output
from zwt_analysis.ingest.privacy import KEY_ENV, PseudonymKey, pseudonym

AREAS = (
    "area_code,area_name,organisation,team,pact,population\n"
    "WK01,Oost,DOCK,Team Oost,ja,1000\n"
    "WK02,West,SMD,Team West,nee,2000\n"
)
STAFF_H = "employee_id,organisation,team,role,fte,start_date,end_date,end_reason\n"
TR_H = "employee_id,organisation,team,date,activity,hours,legal_framework,assignment_id\n"
CASES_H = ("case_id,client_id,organisation,team,area_code,legal_framework,date_report,"
           "date_first_contact,date_assessment_done,date_application,date_decision,"
           "date_closed,closure_reason\n")




def lines(result: clean.CleanRun, table: str | None = None) -> list[tuple]:
    q = result.quarantine
    if table is not None:
        q = q[q["table"] == table]
    return [(r.table, int(r.row_number), r.column, r.value, r.reason) for r in q.itertuples()]


def check_conserved(result: clean.CleanRun) -> None:
    for name, res in result.results.items():
        v = result.validation[name]
        assert v["rows_in"] == v["rows_clean"] + v["rows_quarantined"] == len(res.parsed)
        assert len(result.frames[name]) == v["rows_clean"]
        q = result.quarantine
        assert q[q["table"] == name]["row_number"].nunique() == v["rows_quarantined"]


# --------------------------------------------------------------------------- cell rules


def test_clean_rows_pass_untouched_and_typed(tmp_path):
    write(tmp_path, "areas.csv", AREAS)
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,Team Oost,Generalist,0.8,1-3-2020,,\n")
    write(tmp_path, "time_registrations.csv",
          TR_H.replace(",", ";") + "E1;DOCK;Team Oost;07-03-2024;Preventief individueel;1,5;Wmo 2015;\n")
    r = run(tmp_path)
    assert lines(r) == []
    st = r.frames["staff"]
    assert st["fte"].tolist() == [pytest.approx(0.8)]
    assert st["role"].tolist() == ["generalist"]
    assert st["employee_id"].tolist() == [pseudonym("E1", KEY)]
    tr = r.frames["time_registrations"]
    assert tr.loc[0, "date"] == pd.Timestamp("2024-03-07")
    assert tr.loc[0, "hours"] == 1.5
    assert tr.loc[0, "activity"] == "preventive_individual"
    assert tr.loc[0, "legal_framework"] == "wmo"
    assert tr.loc[0, "assignment_id"] == "MAIN"
    ar = r.frames["areas"]
    assert ar["pact"].tolist() == [True, False]
    assert str(ar["population"].dtype) == "Int64"
    for name, df in r.frames.items():
        pd.testing.assert_frame_equal(df, processed.coerce_types(name, df))
        assert list(df.columns) == TABLES[name].column_names


def test_required_value_missing(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,T,,0.5,2020-01-01,,\nE2,,T,,0.5,,,\n")
    r = run(tmp_path)
    assert lines(r) == [
        ("staff", 2, "organisation", "", "required value missing"),
        ("staff", 2, "start_date", "", "required value missing"),
    ]
    check_conserved(r)


@pytest.mark.parametrize("junk", ["NULL", "NA", "-"])
def test_placeholders_are_type_errors_not_missing(tmp_path, junk):
    write(tmp_path, "staff.csv", STAFF_H + f"E1,DOCK,T,{junk},{junk},2020-01-01,{junk},\n"
          f"E2,{junk},T,,0.5,2020-01-01,,\n")
    r = run(tmp_path)
    assert [(x[1], x[2], x[4]) for x in lines(r)] == [
        (1, "role", "unknown value for role"),
        (1, "fte", "not a number"),
        (1, "end_date", "not a date"),
        (2, "organisation", "placeholder is not a value (leave the cell empty)"),
    ]


@pytest.mark.parametrize(
    ("fte", "ok"), [("0", False), ("0.01", True), ("1.2", True), ("1.21", False), ("-0.5", False)]
)
def test_fte_range(tmp_path, fte, ok):
    write(tmp_path, "staff.csv", STAFF_H + f"E1,DOCK,T,,{fte},2020-01-01,,\n")
    got = lines(run(tmp_path))
    assert got == ([] if ok else [("staff", 1, "fte", fte, "fte must be > 0 and <= 1.2")])


@pytest.mark.parametrize(("hours", "ok"), [("0", False), ("0,25", True), ("24", True),
                                           ("24,5", False), ("1.234", False)])
def test_hours_range_in_semicolon_file(tmp_path, hours, ok):
    write(tmp_path, "time_registrations.csv",
          TR_H.replace(",", ";") + f"E1;DOCK;T;2024-01-01;overhead;{hours};;\n")
    got = lines(run(tmp_path))
    assert got == ([] if ok else [("time_registrations", 1, "hours", hours,
                                   "hours must be > 0 and <= 24")])


@pytest.mark.parametrize(("block", "reason"), [("0", "quality_block must be >= 1 and <= 7"),
                                               ("8", "quality_block must be >= 1 and <= 7"),
                                               ("2.5", "not a whole number"), ("7", None),
                                               ("x", "not a number")])
def test_int_column_range_and_whole_numbers(tmp_path, block, reason):
    write(tmp_path, "kpi_register.csv", f"kpi_id,name,quality_block\nK1,Bereik,{block}\n")
    got = lines(run(tmp_path))
    assert got == ([] if reason is None else [("kpi_register", 1, "quality_block", block, reason)])


def test_other_ranges_and_enumerations(tmp_path):
    write(tmp_path, "areas.csv", "area_code;area_name;organisation;team;pact;population\n"
          "WK1;A;DOCK;T;misschien;-1\nWK2;B;DOCK;T;j;1.234\n")
    write(tmp_path, "formation.csv", "organisation,year,budgeted_fte\nDOCK,1989,10\nSMD,2024,-1\n")
    write(tmp_path, "budgets.csv", "organisation,year,assignment_id,assignment_type,funding_type,"
          "amount_eur\nDOCK,2024,A1,hoofdopdracht,eenmalig,100\nDOCK,2024,A2,extra,iets,-5\n")
    r = run(tmp_path)
    assert [(x[0], x[1], x[2], x[4]) for x in lines(r)] == [
        ("areas", 1, "pact", "not a yes/no value"),
        ("areas", 1, "population", "population must be >= 0"),
        ("formation", 1, "year", "year must be >= 1990 and <= 2100"),
        ("formation", 2, "budgeted_fte", "budgeted_fte must be >= 0"),
        ("budgets", 2, "funding_type", "unknown value for funding_type"),
        ("budgets", 2, "amount_eur", "amount_eur must be >= 0"),
    ]
    assert r.frames["areas"]["population"].tolist() == [1234]
    b = r.frames["budgets"]
    assert b[["assignment_type", "funding_type"]].values.tolist() == [["main", "incidental"]]


def test_kpi_values_period_spellings(tmp_path):
    write(tmp_path, "kpi_values.csv", "kpi_id;organisation;period;value\nK1;DOCK;2024q3;0,5\n"
          "K1;DOCK;2024;\nK1;DOCK;2024-Q9;1\n")
    r = run(tmp_path)
    assert r.frames["kpi_values"]["period"].tolist() == ["2024-Q3", "2024"]
    assert lines(r) == [("kpi_values", 3, "period", "2024-Q9", "not a period (YYYY or YYYY-Qn)")]


# --------------------------------------------------------------------------- row rules


@pytest.mark.parametrize(
    ("later", "earlier"),
    [("date_decision", "date_application"), ("date_closed", "date_report"),
     ("date_first_contact", "date_report"), ("date_assessment_done", "date_report"),
     ("date_application", "date_report")],
)
def test_case_date_orders(tmp_path, later, earlier):
    cols = CASES_H.strip().split(",")
    row = dict.fromkeys(cols, "")
    row.update(case_id="C1", client_id="BSN1", organisation="DOCK", team="T",
               legal_framework="wmo", date_report="2024-03-10")
    if earlier != "date_report":
        row[earlier] = "2024-03-20"
    same = dict(row, case_id="C2", **{later: row[earlier]})  # equal dates are fine
    row[later] = "2024-03-09" if earlier == "date_report" else "19-03-2024"
    write(tmp_path, "cases.csv", CASES_H + ",".join(row[c] for c in cols) + "\n"
          + ",".join(same[c] for c in cols) + "\n")
    got = lines(run(tmp_path))
    assert got == [("cases", 1, later, row[later], f"{later} before {earlier}")]


def test_decision_before_report_and_application_gives_two_lines(tmp_path):
    write(tmp_path, "cases.csv", CASES_H + "C1,B1,DOCK,T,,wmo,2024-03-10,,,2024-03-12,2024-03-01,,\n")
    r = run(tmp_path)
    assert [x[4] for x in lines(r)] == ["date_decision before date_report",
                                       "date_decision before date_application"]
    assert r.validation["cases"]["rows_quarantined"] == 1
    check_conserved(r)


def test_staff_and_budget_end_before_start(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,T,,1,2020-01-02,2020-01-01,\n"
          "E2,DOCK,T,,1,2020-01-02,2020-01-02,pensioen\n")
    write(tmp_path, "budgets.csv", "organisation,year,assignment_id,assignment_type,funding_type,"
          "amount_eur,start_date,end_date\nDOCK,2024,A,main,structural,1,2024-12-31,2024-01-01\n")
    got = lines(run(tmp_path))
    assert [(x[0], x[1], x[4]) for x in got] == [("staff", 1, "end_date before start_date"),
                                                 ("budgets", 1, "end_date before start_date")]


def test_event_after_as_of_on_the_day_fine_day_after_quarantined(tmp_path):
    write(tmp_path, "time_registrations.csv", TR_H + "E1,DOCK,T,2026-09-30,overhead,1,,\n"
          "E1,DOCK,T,2026-10-01,overhead,1,,\n")
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,T,,1,2026-09-30,2027-12-31,\n"
          "E2,DOCK,T,,1,2026-10-01,,\n")
    r = run(tmp_path, as_of=dt.date(2026, 9, 30))
    assert [(x[0], x[1], x[2], x[4]) for x in lines(r)] == [
        ("staff", 2, "start_date", "event date after as-of 2026-09-30"),
        ("time_registrations", 2, "date", "event date after as-of 2026-09-30"),
    ]
    assert r.frames["staff"]["end_date"].tolist() == [pd.Timestamp("2027-12-31")]  # planned end
    assert r.validation["as_of"] == "2026-09-30"


def test_any_case_date_after_as_of(tmp_path):
    write(tmp_path, "cases.csv", CASES_H + "C1,B1,DOCK,T,,wmo,2024-01-01,,,,,2024-07-01,\n")
    got = lines(run(tmp_path, as_of=dt.date(2024, 6, 30)))
    assert got == [("cases", 1, "date_closed", "2024-07-01", "event date after as-of 2024-06-30")]


def test_default_as_of_is_latest_event_of_clean_rows(tmp_path):
    write(tmp_path, "time_registrations.csv", TR_H + "E1,DOCK,T,2024-05-01,overhead,1,,\n"
          "E1,DOCK,T,2024-06-01,overhead,99,,\n")  # broken row: its date does not count
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,T,,1,2024-04-01,2030-01-01,\n")
    r = run(tmp_path)
    assert r.validation["as_of"] == "2024-05-01"
    assert r.validation["as_of_source"] == "data"
    assert [x[4] for x in lines(r)] == ["event date after as-of 2024-05-01",
                                       "hours must be > 0 and <= 24"]


def test_default_as_of_never_after_today(tmp_path):
    write(tmp_path, "time_registrations.csv", TR_H + "E1,DOCK,T,2024-05-01,overhead,1,,\n"
          "E1,DOCK,T,2027-01-01,overhead,1,,\n")
    r = run(tmp_path, today=dt.date(2026, 11, 30))
    assert r.validation["as_of"] == "2026-11-30" and r.validation["as_of_source"] == "today"
    assert lines(r) == [("time_registrations", 2, "date", "2027-01-01",
                         "event date after as-of 2026-11-30")]


def test_default_as_of_without_event_dates_is_today(tmp_path):
    write(tmp_path, "areas.csv", AREAS)
    assert run(tmp_path).validation["as_of"] == TODAY.isoformat()


def test_unknown_team_and_team_of_other_organisation(tmp_path):
    write(tmp_path, "areas.csv", AREAS)
    write(tmp_path, "staff.csv", STAFF_H + "E1, dock ,team  OOST,,1,2020-01-01,,\n"
          "E2,DOCK,Team Noord,,1,2020-01-01,,\nE3,DOCK,Team West,,1,2020-01-01,,\n")
    write(tmp_path, "signals.csv", "date,organisation,text,team\n2024-01-01,SMD,x,\n"
          "2024-01-01,smd,y,team west\n2024-01-01,SMD,z,Team Oost\n")
    r = run(tmp_path)
    assert [(x[0], x[1], x[2], x[3], x[4]) for x in lines(r)] == [
        ("staff", 2, "team", "Team Noord", "unknown team (not in areas)"),
        ("staff", 3, "team", "Team West", "team not held by DOCK in areas"),
        ("signals", 3, "team", "Team Oost", "team not held by SMD in areas"),
    ]
    # matched spellings are written the way areas writes them
    assert r.frames["staff"][["organisation", "team"]].values.tolist() == [["DOCK", "Team Oost"]]
    assert r.frames["signals"]["team"].tolist()[1] == "Team West"
    assert r.frames["signals"]["organisation"].tolist() == ["SMD", "SMD"]


def test_no_team_check_without_areas(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,Anything,,1,2020-01-01,,\n")
    r = run(tmp_path)
    assert lines(r) == [] and r.validation["missing_tables"][0] == "areas"


def test_broken_areas_row_does_not_make_its_team_known(tmp_path):
    write(tmp_path, "areas.csv", AREAS + "WK03,Noord,DOCK,Team Noord,ja,-5\n")
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,Team Noord,,1,2020-01-01,,\n")
    got = lines(run(tmp_path), "staff")
    assert [x[4] for x in got] == ["unknown team (not in areas)"]


def test_duplicate_case_id_first_kept(tmp_path):
    body = "".join(f"C{i},B{i},DOCK,T,,wmo,2024-01-0{i},,,,,,\n" for i in range(1, 4))
    write(tmp_path, "cases.csv", CASES_H + body + "C2,B9,DOCK,T,,wmo,2024-01-01,,,,,,\n"
          + "C2,B9,DOCK,T,,wmo,2024-01-02,,,,,,\n")
    r = run(tmp_path)
    assert lines(r) == [("cases", 4, "case_id", "C2", "duplicate case_id (first at row 2)"),
                        ("cases", 5, "case_id", "C2", "duplicate case_id (first at row 2)")]
    assert r.frames["cases"]["client_id"].tolist() == [pseudonym(f"B{i}", KEY) for i in (1, 2, 3)]


def test_duplicate_employee_spell_across_date_spellings_value_pseudonymised(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,T,,1,2020-03-01,,\nE1,DOCK,T,,1,2021-03-01,,\n"
          "E1,DOCK,T,,0.5,1-3-2020,,\nE2,DOCK,T,,1,1-3-2020,,\n")
    r = run(tmp_path)
    assert lines(r) == [("staff", 3, "employee_id+start_date", pseudonym("E1", KEY) + "+1-3-2020",
                         "duplicate employee_id+start_date (first at row 1)")]


def test_duplicate_formation_organisation_case_insensitive(tmp_path):
    write(tmp_path, "formation.csv", "organisation,year,budgeted_fte\nDOCK,2024,10\ndock ,2024,11\n"
          "DOCK,2025,10\n")
    assert [x[1:3] for x in lines(run(tmp_path))] == [(2, "organisation+year")]


def test_two_broken_rules_two_lines_rows_conserved(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,T,chef,9,2020-01-01,,\nE2,DOCK,T,,1,2020-01-01,,\n")
    r = run(tmp_path)
    assert [(x[1], x[2]) for x in lines(r)] == [(1, "role"), (1, "fte")]
    v = r.validation["staff"]
    assert (v["rows_in"], v["rows_clean"], v["rows_quarantined"], v["quarantine_lines"]) == (2, 1, 1, 2)
    check_conserved(r)


def test_line_with_too_many_fields_gives_one_line_only(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,T,,1,2020-01-01,,\nE2,DOCK,,,,,,,x\n")
    r = run(tmp_path)
    assert lines(r) == [("staff", 2, "", "", "too many fields (9, header has 8)")]
    assert r.validation["staff"]["quarantine_reasons"] == {"too many fields": 1}
    check_conserved(r)


def test_short_line_is_read_with_the_missing_trailing_fields_empty(tmp_path):
    write(tmp_path, "staff.csv", STAFF_H + "E1,DOCK,T,,1,2020-01-01\nE2,DOCK\n")
    r = run(tmp_path)
    assert lines(r) == [("staff", 2, "team", "", "required value missing"),
                        ("staff", 2, "fte", "", "required value missing"),
                        ("staff", 2, "start_date", "", "required value missing")]
    assert r.frame("staff")["fte"].tolist() == [1.0]
    check_conserved(r)


def test_identifiers_in_quarantine_are_pseudonymised(tmp_path):
    write(tmp_path, "cases.csv", CASES_H + "C1,#N/A,DOCK,T,,wmo,2024-01-01,,,,,,\n"
          "C2,123456782,DOCK,T,,wmo,x,,,,,,\n")
    write(tmp_path, "staff.csv", STAFF_H + "n/a,DOCK,T,,1,2020-01-01,,\n")
    r = run(tmp_path)
    got = {(x[0], x[2]): x[3] for x in lines(r)}
    assert got[("cases", "client_id")] == pseudonym("#N/A", KEY)
    assert got[("staff", "employee_id")] == pseudonym("n/a", KEY)
    assert "123456782" not in r.quarantine.to_csv()


# --------------------------------------------------------------------------- output via main


def synthetic_raw(folder: Path) -> Path:
    write(folder, "areas.csv", AREAS)
    write(folder, "staff.csv", STAFF_H + "E1,DOCK,Team Oost,,1,2020-01-01,,\n"
          "E2,DOCK,Team Oost,,7,2020-01-01,,\n")
    write(folder, "time_registrations.csv", "\ufeff" + TR_H + "E1,DOCK,Team Oost,2024-01-01,overhead,1,,A7\n"
          "E1,DOCK,Team Oost,2024-01-02,overhead,1,,\n")
    write(folder, "cases.csv", CASES_H.rstrip("\n") + ",remark\n"
          "C1,BSN111222333,SMD,Team West,WK02,jeugd,2024-01-01,,,,,,café ë,hi\n", "cp1252")
    write(folder, config.SYNTHETIC_MARKER, "synthetic data\n")
    return folder


def test_main_writes_every_output(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(KEY_ENV, "k")
    raw = synthetic_raw(tmp_path / "raw")
    out = tmp_path / "out"
    assert clean.main(raw=raw, out=out) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["areas.parquet", "staff.parquet", "time_registrations.parquet",
                            "cases.parquet", "quarantine.csv", "validation.json",
                            config.SYNTHETIC_MARKER])
    v = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert v["as_of"] == "2024-01-02" and v["synthetic"] is True
    assert v["missing_tables"] == ["formation", "budgets", "kpi_register", "kpi_values", "signals",
                                   "cost_index"]
    assert v["cases"]["unknown_columns"] == ["remark"]
    assert (v["cases"]["encoding"], v["time_registrations"]["encoding"]) == ("cp1252", "utf-8-sig")
    assert v["staff"]["encoding"] == "utf-8"
    assert processed.read_table(out, "cases")["closure_reason"].tolist() == ["café ë"]
    assert v["staff"]["rows_quarantined"] == 1 and v["column_map_used"] is None
    assert v["pseudonym_key"] == KEY_ENV
    assert processed.is_synthetic(out) and processed.as_of(out) == dt.date(2024, 1, 2)
    tr = processed.read_table(out, "time_registrations")
    assert tr["assignment_id"].tolist() == ["A7", "MAIN"]
    q = processed.read_quarantine(out)
    assert q.columns.tolist() == ["table", "row_number", "column", "value", "reason"]
    assert q.iloc[0].tolist() == ["staff", 2, "fte", "7", "fte must be > 0 and <= 1.2"]
    text = capsys.readouterr().out
    for needle in ("as-of: 2024-01-02", "staff", "fte must be > 0 and <= 1.2",
                   "missing tables: formation, budgets", "cases: remark"):
        assert needle in text


def test_output_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "k")
    raw = synthetic_raw(tmp_path / "raw")
    clean.main(raw=raw, out=tmp_path / "a")
    clean.main(raw=raw, out=tmp_path / "b")
    for p in sorted((tmp_path / "a").iterdir()):
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes(), p.name


def test_header_only_table_writes_empty_parquet(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "k")
    write(tmp_path / "raw", "staff.csv", STAFF_H)
    clean.main(raw=tmp_path / "raw", out=tmp_path / "out")
    df = processed.read_table(tmp_path / "out", "staff")
    assert len(df) == 0 and list(df.columns) == TABLES["staff"].column_names
    assert processed.read_validation(tmp_path / "out")["staff"]["rows_in"] == 0


def test_column_map_from_cli_option(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "k")
    write(tmp_path / "raw", "formation.csv", "Organisatie;Jaar;Formatie\nDOCK;2024;12,5\n")
    cmap = write(tmp_path, "map.json", json.dumps({"Organisatie": "organisation", "jaar": "year",
                                                   "formation": {"formatie": "budgeted_fte"}}))
    clean.main(raw=tmp_path / "raw", out=tmp_path / "out", column_map=cmap)
    df = processed.read_table(tmp_path / "out", "formation")
    assert df.iloc[0].tolist() == ["DOCK", 2024, 12.5]
    assert processed.read_validation(tmp_path / "out")["column_map_used"] == "map.json"


def test_key_never_written_and_warning_without_key(tmp_path, monkeypatch, capsys):
    raw = synthetic_raw(tmp_path / "raw")
    monkeypatch.setenv(KEY_ENV, "s3cr3t-k3y-value")
    clean.main(raw=raw, out=tmp_path / "a")
    for p in (tmp_path / "a").iterdir():
        assert b"s3cr3t-k3y-value" not in p.read_bytes()
    capsys.readouterr()
    monkeypatch.delenv(KEY_ENV)
    clean.main(raw=raw, out=tmp_path / "b")
    captured = capsys.readouterr()
    assert "no pseudonym key given" in captured.err
    assert "no pseudonym key given" in captured.out  # repeated in the summary
    v = processed.read_validation(tmp_path / "b")
    assert v["pseudonym_key"] == "random (this run only)"


def test_key_file_gives_same_pseudonyms_as_environment(tmp_path, monkeypatch):
    raw = synthetic_raw(tmp_path / "raw")
    key_file = write(tmp_path, "zwt.key", "same\n")
    monkeypatch.delenv(KEY_ENV, raising=False)
    clean.main(raw=raw, out=tmp_path / "a", key_file=key_file)
    monkeypatch.setenv(KEY_ENV, "same")
    clean.main(raw=raw, out=tmp_path / "b")
    a = processed.read_table(tmp_path / "a", "cases")["client_id"]
    b = processed.read_table(tmp_path / "b", "cases")["client_id"]
    assert a.tolist() == b.tolist() == [pseudonym("BSN111222333", PseudonymKey(b"same", "x"))]


def test_existing_out_replaced_as_a_whole_on_success(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "k")
    raw = synthetic_raw(tmp_path / "raw")
    out = tmp_path / "out"
    write(out, "stale.parquet", "old")
    clean.main(raw=raw, out=out)
    assert not (out / "stale.parquet").exists()
    assert not [p for p in tmp_path.iterdir() if ".zwt-" in p.name]  # no temp folders left


# --------------------------------------------------------------------------- fatal, via the CLI


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["clean", *args], env={KEY_ENV: "k", **(env or {})})


def test_cli_missing_required_column_fatal_nothing_written(tmp_path):
    raw = synthetic_raw(tmp_path / "raw")
    write(raw, "cases.csv", "case_id,organisation,team,legal_framework,date_report\n")
    out = tmp_path / "out"
    write(out, "keep.txt", "previous run")
    res = invoke("--raw", str(raw), "--out", str(out))
    assert res.exit_code != 0
    assert "cases.csv" in res.output and "'client_id'" in res.output
    assert "Traceback" not in res.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]  # untouched
    assert not [p for p in tmp_path.iterdir() if ".zwt-" in p.name]


def test_cli_success(tmp_path):
    raw = synthetic_raw(tmp_path / "raw")
    res = invoke("--raw", str(raw), "--out", str(tmp_path / "out"), "--as-of", "2024-01-01")
    assert res.exit_code == 0, res.output
    assert "as-of: 2024-01-01 (given with --as-of)" in res.output
    assert processed.read_validation(tmp_path / "out")["as_of_source"] == "option"
    assert processed.read_validation(tmp_path / "out")["time_registrations"]["rows_quarantined"] == 1


@pytest.mark.parametrize("where", ["same", "inside", "contains"])
def test_cli_out_may_not_be_inside_or_contain_raw(tmp_path, where):
    raw = synthetic_raw(tmp_path / "data" / "raw")
    out = {"same": raw, "inside": raw / "processed", "contains": tmp_path / "data"}[where]
    before = sorted(p.name for p in raw.iterdir())
    res = invoke("--raw", str(raw), "--out", str(out))
    assert res.exit_code != 0
    assert "--out may not" in res.output and "Traceback" not in res.output
    assert sorted(p.name for p in raw.iterdir()) == before


@pytest.mark.parametrize(("content", "message"), [(b"", "empty file"),
                                                  (b"a;b\n\x81\x8d;1\n", "cannot decode line 2")])
def test_cli_empty_or_undecodable_file_fatal(tmp_path, content, message):
    raw = synthetic_raw(tmp_path / "raw")
    (raw / "signals.csv").write_bytes(content)
    res = invoke("--raw", str(raw), "--out", str(tmp_path / "out"))
    assert res.exit_code != 0
    assert "signals.csv" in res.output and message in res.output
    assert "Traceback" not in res.output and not (tmp_path / "out").exists()


def test_cli_csv_and_xlsx_fatal(tmp_path):
    from openpyxl import Workbook

    raw = synthetic_raw(tmp_path / "raw")
    wb = Workbook()
    wb.active.append(["area_code"])
    wb.save(raw / "areas.xlsx")
    res = invoke("--raw", str(raw), "--out", str(tmp_path / "out"))
    assert res.exit_code != 0 and "areas.csv and areas.xlsx" in res.output


def test_cli_no_tables_fatal(tmp_path):
    (tmp_path / "raw").mkdir()
    res = invoke("--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"))
    assert res.exit_code != 0 and "no contract table found" in res.output


def test_fatal_error_is_raised_by_main_too(tmp_path):
    with pytest.raises(FatalInputError):
        clean.main(raw=tmp_path / "missing", out=tmp_path / "out")


# --------------------------------------------------------------------------- raw read-only


def _fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir())}


def test_raw_files_never_opened_for_writing_nor_changed(tmp_path, monkeypatch):
    from openpyxl import Workbook

    raw = synthetic_raw(tmp_path / "raw")
    wb = Workbook()
    wb.active.append(["kpi_id", "name"])
    wb.active.append(["K1", "Bereik"])
    wb.save(raw / "kpi_register.xlsx")
    before = _fingerprint(raw)
    raw_dir = str(raw.resolve())
    opened: list[str] = []

    def guard(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and str(Path(file).resolve()).startswith(raw_dir):
            opened.append(str(mode))
            if any(m in str(mode) for m in "wax+"):
                raise AssertionError(f"raw file opened for writing: {file} ({mode})")
        return real_open(file, mode, *args, **kwargs)

    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", guard)
    monkeypatch.setattr(pyio, "open", guard)
    real_os_open = os.open

    def os_guard(path, flags, *args, **kwargs):
        if str(Path(path).resolve()).startswith(raw_dir):
            assert not flags & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC)
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_guard)
    monkeypatch.setenv(KEY_ENV, "k")
    assert clean.main(raw=raw, out=tmp_path / "out") == 0
    monkeypatch.undo()
    assert opened, "the guard saw no raw file being opened"
    assert all(m in ("r", "rb") for m in opened)
    assert _fingerprint(raw) == before


def test_cli_unexpected_reading_error_is_one_plain_message(tmp_path, monkeypatch):
    import zipfile

    raw = synthetic_raw(tmp_path / "raw")
    with zipfile.ZipFile(raw / "signals.xlsx", "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    res = invoke("--raw", str(raw), "--out", str(tmp_path / "out"))
    assert res.exit_code != 0 and "signals.xlsx" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "out").exists()

    (raw / "signals.xlsx").unlink()

    def boom(*args, **kwargs):
        raise RuntimeError("library gave up")

    monkeypatch.setattr(clean, "check_table", boom)
    res = invoke("--raw", str(raw), "--out", str(tmp_path / "out"))
    assert res.exit_code != 0
    assert "areas.csv: cannot read this file (RuntimeError: library gave up)" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("option", ["--column-map", "--key-file"])
def test_cli_missing_map_or_key_file_fatal(tmp_path, option):
    raw = synthetic_raw(tmp_path / "raw")
    res = invoke("--raw", str(raw), "--out", str(tmp_path / "out"), option,
                 str(tmp_path / "nope.yaml"))
    assert res.exit_code != 0 and "nope.yaml" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "out").exists()


def test_xlsx_table_through_clean(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Employee_ID", "organisation", "team", "fte", "start_date", "end_date"])
    ws.append(["E1", "DOCK", "T", 0.8, dt.datetime(2020, 1, 1), None])
    ws.append(["E2", "DOCK", "T", "0,5", "1-2-2021", dt.datetime(2020, 1, 1)])
    ws.append(["E3", "DOCK", "T", 0.5, 44000, None])  # a number in a date column: Excel serial
    ws.append(["E4", "DOCK", "T", 0.5, 60, None])  # Lotus' 1900-02-29 does not exist
    (tmp_path / "raw").mkdir()
    wb.save(tmp_path / "raw" / "staff.xlsx")
    r = run(tmp_path / "raw", as_of=dt.date(2024, 1, 1))
    assert [(x[1], x[2], x[4]) for x in lines(r)] == [(2, "end_date", "end_date before start_date"),
                                                     (4, "start_date", "not a date")]
    assert r.frames["staff"]["fte"].tolist() == [0.8, 0.5]
    assert r.frames["staff"]["start_date"].tolist() == [pd.Timestamp("2020-01-01"),
                                                        pd.Timestamp("2020-06-18")]
    v = r.validation["staff"]
    assert (v["source_file"], v["encoding"], v["separator"]) == ("staff.xlsx", None, None)


def test_big_tables_written_in_slices_same_content(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    body = "".join(f"E{i % 3},DOCK,Team Oost,2024-01-0{1 + i % 5},overhead,{1 + i},,\n"
                   for i in range(7))
    write(tmp_path / "raw", "time_registrations.csv", TR_H + body + "E9,DOCK,T,x,overhead,1,,\n")
    r = run(tmp_path / "raw")
    res = r.results["time_registrations"]
    whole = tmp_path / "whole.parquet"
    clean.write_table(res, KEY, whole)
    monkeypatch.setattr(output, "WRITE_SLICE_ROWS", 3)
    sliced = tmp_path / "sliced.parquet"
    clean.write_table(res, KEY, sliced)
    assert pq.ParquetFile(sliced).metadata.num_row_groups == 3
    for path in (whole, sliced):
        back = processed.coerce_types("time_registrations", pd.read_parquet(path))
        pd.testing.assert_frame_equal(back, r.frames["time_registrations"])
        assert len(back) == 7


# --------------------------------------------------------------------------- hardening regressions


def test_cr_in_a_cell_is_quarantined_and_quarantine_csv_reads_back(tmp_path, monkeypatch):
    """Regression: a bare CR in quarantine.csv made the file unreadable.

    A CR is allowed inside a free-text cell; with another control character
    (BEL) beside it the cell, CR and all, goes to quarantine.csv.
    """
    monkeypatch.setenv(KEY_ENV, "k")
    write(tmp_path / "raw", "signals.csv", "date,organisation,text\n"
          '2024-01-02,DOCK,"bel\rx\x07"\n2024-01-02,DOCK,ok\n')
    out = tmp_path / "out"
    assert clean.main(raw=tmp_path / "raw", out=out) == 0
    q = processed.read_quarantine(out)
    assert q.values.tolist() == [["signals", 1, "text", "bel\rx\x07", "control character in text"]]
    assert processed.read_validation(out)["signals"]["rows_quarantined"] == 1
    assert (out / "quarantine.csv").read_bytes().splitlines()[1] == \
        b'"signals",1,"text","bel'  # the CR sits inside a quoted cell
    assert len(processed.read_table(out, "signals")) == 1


def test_control_characters_one_line_per_cell_in_every_text_kind(tmp_path):
    write(tmp_path, "areas.csv", AREAS)
    write(tmp_path, "time_registrations.csv", TR_H
          + '"E1",DOCK,"T\x0b1",2024-01-02,statutory_individual,4,,\n'  # team (text)
          + "E\x1b1,DOCK,Team Oost,2024-01-02,overhead,4,,\n"  # employee_id (id)
          + "E2,DOCK,Team Oost,2024-01-02,overhead,4,wmo\x1c2015,\n"  # enum: not read as a space
          + 'E3,"\tDOCK\r",Team Oost,2024-01-02,overhead,4,,\n')  # trimmed white space: fine
    r = run(tmp_path)
    got = [(row, col, reason) for _, row, col, _, reason in lines(r, "time_registrations")]
    assert got == [(1, "team", "control character in text"),
                   (2, "employee_id", "control character in text"),
                   (3, "legal_framework", "control character in text")]
    assert lines(r, "time_registrations")[1][3] == pseudonym("E\x1b1", KEY)  # still pseudonymised
    assert r.frames["time_registrations"]["organisation"].tolist() == ["DOCK"]
    check_conserved(r)


def test_line_breaks_allowed_only_in_free_text(tmp_path):
    """A quoted line break makes one record only in a free-text column; elsewhere the
    line with the open quote is quarantined as itself and the next line is a record."""
    write(tmp_path, "signals.csv", "date,organisation,text,team,theme\n"
          '2024-01-02,DOCK,"regel 1\r\nregel 2\ttab",,"wonen"\n'
          '2024-01-02,DOCK,"bel\x07",,\n'
          '2024-01-02,DOCK,ok,,"wo\nnen"\n')
    r = run(tmp_path)
    assert [(x[1], x[2], x[4]) for x in lines(r)] == [
        (2, "text", "control character in text"),
        (3, "", "unclosed quote: the line is not a record"),
        (4, "date", "not a date"), (4, "organisation", "required value missing"),
        (4, "text", "required value missing")]
    assert r.frames["signals"]["text"].tolist() == ["regel 1\r\nregel 2\ttab"]
    assert r.validation["signals"]["rows_in"] == 4


@pytest.mark.parametrize(("table", "text", "column"), [
    ("staff", STAFF_H + "E1,DOCK,T1,,1,2024-01-01,9999-12-31,\n", "end_date"),
    ("staff", STAFF_H + "E1,DOCK,T1,,1,0001-01-01,,\n", "start_date"),
    ("cases", CASES_H + "C1,123456782,DOCK,T1,,wmo,2024-01-01,,,,,2262-04-12,\n", "date_closed"),
])
def test_dates_outside_window_quarantined_not_fatal(tmp_path, table, text, column):
    """Regression: ISO dates beyond pandas' range made the whole file fatal."""
    write(tmp_path, f"{table}.csv", text)
    r = run(tmp_path, as_of=dt.date(2026, 9, 30))
    assert [(x[1], x[2], x[4]) for x in lines(r)] == [(1, column, "not a date")]
    check_conserved(r)


def test_huge_numbers_quarantined_and_clean_rows_written(tmp_path, monkeypatch):
    """Regression: a 40-digit population crashed the Int64 cast with a traceback."""
    monkeypatch.setenv(KEY_ENV, "k")
    write(tmp_path / "raw", "areas.csv", "area_code,area_name,organisation,team,pact,population\n"
          f"WK1,A,DOCK,T1,ja,1{'0' * 39}\n"
          "WK2,B,DOCK,T2,,9007199254740991\n"  # 2**53 - 1: the largest accepted
          "WK3,C,DOCK,T3,,9007199254740993\n"  # would be rounded to 2**53
          f"WK4,D,DOCK,T4,,1{'0' * 400}\n"  # overflows to inf
          "WK5,E,DOCK,T5,,12\n")
    write(tmp_path / "raw", "formation.csv", "organisation;year;budgeted_fte\n"
          f"DOCK;2024;{'1' * 40}\nSMD;2024;12,5\n")
    out = tmp_path / "out"
    assert clean.main(raw=tmp_path / "raw", out=out) == 0
    q = processed.read_quarantine(out)
    assert [(t, n, c, r) for t, n, c, _, r in q.values.tolist()] == [
        ("areas", 1, "population", "number too large"),
        ("areas", 2, "population", "implausible population (plausible: 0 to 500000)"),
        ("areas", 3, "population", "number too large"),
        ("areas", 4, "population", "number too large"),
        ("formation", 1, "budgeted_fte", "number too large")]
    areas = processed.read_table(out, "areas")
    assert areas["population"].tolist() == [12]
    assert processed.read_table(out, "formation")["budgeted_fte"].tolist() == [12.5]


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_replace_folder_removes_dead_runs_temp_folders_only(tmp_path):
    """Regression: a killed `zwt clean` left its temporary folder (person data) forever."""
    import subprocess
    import sys

    out = tmp_path / "processed"
    write(out, "validation.json", "{}")
    dead = _dead_pid()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = [tmp_path / f".processed.zwt-tmp-{dead}-ab12cd34",
                 tmp_path / f".processed.zwt-old-{dead}-ab12cd34",
                 tmp_path / f".processed.zwt-tmp-{os.getpid()}-00000000"]  # our pid, not ours
        kept = [tmp_path / f".processed.zwt-tmp-{live.pid}-ab12cd34",  # a live run
                tmp_path / f".other.zwt-tmp-{dead}-ab12cd34",  # another --out
                tmp_path / f".processed.zwt-tmp-x{dead}-ab12cd34"]  # not a name we write
        for d in stale + kept:
            write(d, "cases.parquet", "pseudonymised rows")
        clean.replace_folder(out, lambda tmp: write(tmp, "validation.json", '{"new": 1}'))
    finally:
        live.kill()
        live.wait()
    assert [d.name for d in stale if d.exists()] == []
    assert [d.name for d in kept if not d.exists()] == []
    assert (out / "validation.json").read_text() == '{"new": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["processed", *(d.name for d in kept)])


def test_dead_runs_old_folder_restored_when_out_is_missing(tmp_path):
    """Killed between its two renames, a run leaves the previous output as ``zwt-old``."""
    out = tmp_path / "processed"
    dead = _dead_pid()
    old = tmp_path / f".processed.zwt-old-{dead}-0badc0de"
    tmp = tmp_path / f".processed.zwt-tmp-{dead}-0badc0de"
    write(old, "validation.json", "previous")
    write(tmp, "validation.json", "half")
    assert sorted(clean.remove_stale_temp_folders(out)) == sorted([old, tmp])
    assert (out / "validation.json").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]
    # with --out present a dead run's old folder is simply removed
    write(old, "validation.json", "older")
    assert clean.remove_stale_temp_folders(out) == [old]
    assert (out / "validation.json").read_text() == "previous" and not old.exists()
