"""Reading raw exports: encodings, separators, numbers, dates, headers, XLSX, spellings."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zwt_analysis import config
from zwt_analysis.contract import TABLES
from zwt_analysis.errors import FatalInputError
from zwt_analysis.ingest import parse
from zwt_analysis.ingest import read as rawio

AREAS_HEADER = "area_code;area_name;organisation;team;pact;population"


def _s(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- encoding


def test_encoding_utf8_with_bom_is_detected_and_bom_removed():
    enc, text = rawio.detect_encoding("\ufeffa;b\n".encode())
    assert (enc, text) == ("utf-8-sig", "a;b\n")


def test_encoding_plain_utf8():
    assert rawio.detect_encoding("café".encode()) == ("utf-8", "café")


def test_encoding_cp1252_with_accents():
    enc, text = rawio.detect_encoding("Zaandijk é ë €".encode("cp1252"))
    assert enc == "cp1252"
    assert text == "Zaandijk é ë €"


def test_encoding_neither_utf8_nor_cp1252_is_fatal_with_line():
    with pytest.raises(FatalInputError, match=r"x\.csv: cannot decode line 2 \(byte 0x81\)"):
        rawio.detect_encoding(b"a;b\n\x81;2\n", "x.csv")


def test_encoding_nul_bytes_without_bom_fatal():
    with pytest.raises(FatalInputError, match="not a text file"):
        rawio.detect_encoding("a;b".encode("utf-16-le"), "x.csv")
    with pytest.raises(FatalInputError, match="NUL byte on line 2"):
        rawio.detect_encoding(b"a;b\n1\x00;2\n", "x.csv")


def test_bom_file_first_header_matches(tmp_path):
    path = _write(tmp_path, "areas.csv", "\ufeff" + AREAS_HEADER + "\nWK1;A;DOCK;T1;ja;1\n")
    raw = rawio.read_table("areas", path)
    assert raw.encoding == "utf-8-sig"
    assert raw.frame["area_code"].tolist() == ["WK1"]
    assert raw.unknown_columns == []


def test_cp1252_file_read_with_accents(tmp_path):
    path = _write(tmp_path, "areas.csv",
                  AREAS_HEADER + "\nWK1;Westerwatering é ë;DOCK;T1;nee;5\n", "cp1252")
    raw = rawio.read_table("areas", path)
    assert raw.encoding == "cp1252"
    assert raw.frame["area_name"].tolist() == ["Westerwatering é ë"]


# --------------------------------------------------------------------------- separator


@pytest.mark.parametrize(
    ("line", "sep"),
    [("a;b;c", ";"), ("a,b,c", ","), ('"x,y";b;c', ";"), ('"a;b",c', ","), ("single", ",")],
)
def test_detect_separator(line, sep):
    assert rawio.detect_separator(line) == sep


def test_excel_sep_hint_line(tmp_path):
    text = "sep=;\r\n" + AREAS_HEADER + "\r\nWK1;A,B;DOCK;T1;ja;1.234\r\n"
    raw = rawio.read_table("areas", _write(tmp_path, "areas.csv", text))
    assert raw.separator == ";" and raw.frame["area_name"].tolist() == ["A,B"]
    assert raw.frame["population"].tolist() == ["1.234"]


def test_semicolon_file_sets_decimal_comma_and_comma_file_not(tmp_path):
    a = rawio.read_table("areas", _write(tmp_path / "a", "areas.csv", AREAS_HEADER + "\n"))
    b = rawio.read_table("areas", _write(tmp_path / "b", "areas.csv",
                                         AREAS_HEADER.replace(";", ",") + "\n"))
    assert (a.separator, a.decimal_comma) == (";", True)
    assert (b.separator, b.decimal_comma) == (",", False)


def test_quoted_separator_and_newline_in_value(tmp_path):
    text = 'date,organisation,text\n2024-01-02,DOCK,"one, two\nthree"\n2024-01-03,SMD,x\n'
    raw = rawio.read_table("signals", _write(tmp_path, "signals.csv", text))
    assert raw.frame["text"].tolist() == ["one, two\nthree", "x"]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", 1234.5),
        ("1.234", 1234.0),
        ("1.234.567", 1234567.0),
        ("1.234.567,89", 1234567.89),
        ("0.8", 0.8),
        ("0,8", 0.8),
        ("12.5", 12.5),
        ("1.2345", 1.2345),
        ("-3,25", -3.25),
        (" 7 ", 7.0),
        (",5", 0.5),
    ],
)
def test_numbers_in_semicolon_file(text, expected):
    res = parse.parse_number(_s(text), decimal_comma=True)
    assert not res.bad[0]
    assert res.values[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["NULL", "NA", "-", "n/a", "1,2,3", "1.234,5,6", "1,234.5", "1e3",
                                  "€ 5", "1 000", "abc", "nan", "inf", "+"])
def test_junk_in_semicolon_file_is_bad(text):
    res = parse.parse_number(_s(text), decimal_comma=True)
    assert res.bad[0]
    assert math.isnan(res.values[0])


@pytest.mark.parametrize(("text", "expected"), [("0.8", 0.8), ("1234.5", 1234.5), ("12", 12.0),
                                                (".5", 0.5), ("-1.25", -1.25)])
def test_numbers_in_comma_file(text, expected):
    res = parse.parse_number(_s(text), decimal_comma=False)
    assert not res.bad[0]
    assert res.values[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["0,8", "1,234", "1.234,5", "NULL", "-", "NA"])
def test_comma_or_junk_in_comma_file_is_bad(text):
    assert parse.parse_number(_s(text), decimal_comma=False).bad[0]


def test_empty_number_is_missing_not_bad():
    res = parse.parse_number(_s("", "  "), decimal_comma=True)
    assert res.bad.tolist() == [False, False]
    assert res.values.isna().all()


def test_whole_numbers():
    assert parse.whole_numbers(pd.Series([2024.0, 1.5, np.nan])).tolist() == [True, False, True]


# --------------------------------------------------------------------------- dates


def test_dates_iso_and_dutch_forms_day_first():
    res = parse.parse_date(_s("2024-03-07", "07-03-2024", "7-3-2024", "7/3/2024",
                              "2024-03-07 00:00:00", "01-02-2024"))
    assert not res.bad.any()
    got = [d.date() for d in res.values]
    assert got[:5] == [dt.date(2024, 3, 7)] * 5
    assert got[5] == dt.date(2024, 2, 1)  # day first, always


@pytest.mark.parametrize("text", ["31-02-2024", "07-03-24", "2024/13/01", "NULL", "-", "NA",
                                  "45358", "7 maart 2024", "1024-01-01", "2024-03-07x"])
def test_bad_dates(text):
    res = parse.parse_date(_s(text))
    assert res.bad[0]
    assert pd.isna(res.values[0])


def test_empty_date_is_missing_not_bad():
    res = parse.parse_date_fast(_s("", "2024-01-01"))
    assert res.bad.tolist() == [False, False]
    assert pd.isna(res.values[0])


def test_fast_date_path_equals_slow_path():
    s = _s("2024-03-07", "7-3-2024", "", "31-02-2024", "2020-02-29", "1899-12-31", "29-02-2021")
    fast, slow = parse.parse_date_fast(s), parse.parse_date(s)
    assert fast.bad.tolist() == slow.bad.tolist() == [False, False, False, True, False, True, True]
    pd.testing.assert_series_equal(fast.values, slow.values, check_names=False)
    assert fast.values.dtype == "datetime64[ns]"


def test_parse_unique_equals_direct_parse():
    s = _s("1,5", "2", "1,5", "x", "", "2")
    a = parse.parse_unique(s, lambda x: parse.parse_number(x, True))
    b = parse.parse_number(s, True)
    assert a.bad.tolist() == b.bad.tolist()
    pd.testing.assert_series_equal(a.values, b.values, check_names=False)


# --------------------------------------------------------------------------- xlsx


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.create_sheet("second")["A1"] = "ignored"
    wb.save(path)
    return path


def test_xlsx_first_sheet_real_excel_dates_and_numbers(tmp_path):
    path = _xlsx(tmp_path / "staff.xlsx", [
        ["Employee_ID", "organisation", "team", "role", "fte", "start_date", "end_date"],
        ["E1", "DOCK", "T1", "Generalist", 0.8, dt.datetime(2021, 3, 7), dt.date(2024, 1, 31)],
        [12345, "DOCK", "T1", "specialist", 1, dt.datetime(2022, 1, 2, 13, 30), None],
        [None, None, None, None, None, None, None],
        ["E3", "SMD", "T2", "support", "0,5", "7-3-2024", None],
    ])
    raw = rawio.read_table("staff", path)
    assert raw.encoding is None and raw.separator is None and raw.decimal_comma
    f = raw.frame
    assert f["employee_id"].tolist() == ["E1", "12345", "E3"]  # empty row is not a data row
    assert f["start_date"].tolist() == ["2021-03-07", "2022-01-02", "7-3-2024"]
    assert f["end_date"].tolist() == ["2024-01-31", "", ""]
    fte = parse.parse_number(f["fte"], raw.decimal_comma)
    assert fte.values.tolist() == [0.8, 1.0, 0.5]
    dates = parse.parse_date_fast(f["start_date"])
    assert [d.date() for d in dates.values] == [dt.date(2021, 3, 7), dt.date(2022, 1, 2),
                                                 dt.date(2024, 3, 7)]
    assert raw.missing_optional == ["end_reason"]


@pytest.mark.parametrize(("value", "text"), [(None, ""), (True, "true"), (2024.0, "2024"),
                                             (0.125, "0,125"), (1234.5, "1234,5"), (7, "7"),
                                             ("x ", "x "), (1e-05, "0,00001")])
def test_xlsx_cell_text(value, text):
    assert rawio.xlsx_cell_text(value) == text


def test_xlsx_numbers_roundtrip_through_dutch_rules():
    for v in (0.125, 1.234, 1234.5, 0.8, 1e-05, 123456.75):
        res = parse.parse_number(_s(rawio.xlsx_cell_text(v)), decimal_comma=True)
        assert res.values[0] == pytest.approx(v)


def test_xlsx_not_a_workbook_is_fatal(tmp_path):
    path = _write(tmp_path, "areas.xlsx", "not a zip")
    with pytest.raises(FatalInputError, match=r"areas\.xlsx: not a readable Excel"):
        rawio.read_table("areas", path)


# --------------------------------------------------------------------------- headers


def test_headers_trimmed_and_lower_cased_unknown_listed(tmp_path):
    text = " Area_Code ;AREA_NAME;Organisation;Team ;Extra col;\nWK1;A;DOCK;T1;x;\n"
    raw = rawio.read_table("areas", _write(tmp_path, "areas.csv", text))
    assert list(raw.frame.columns) == TABLES["areas"].column_names
    assert raw.unknown_columns == ["Extra col"]
    assert raw.missing_optional == ["pact", "population"]
    assert raw.frame["pact"].tolist() == [""]


def test_missing_required_column_is_fatal_naming_file_and_column(tmp_path):
    path = _write(tmp_path, "areas.csv", "area_code;area_name;organisation\nWK1;A;DOCK\n")
    with pytest.raises(FatalInputError, match=r"areas\.csv: required column 'team' missing"):
        rawio.read_table("areas", path)


def test_duplicate_column_is_fatal(tmp_path):
    path = _write(tmp_path, "areas.csv", AREAS_HEADER + ";TEAM\n")
    with pytest.raises(FatalInputError, match="column 'team' appears twice"):
        rawio.read_table("areas", path)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_column_map_yaml_and_json(tmp_path, suffix):
    mapping = {"Wijkcode": "area_code", "Naam wijk": "area_name",
               "areas": {"Organisatie": "organisation", "Wijkteam": "team"}}
    path = tmp_path / f"map{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(mapping), encoding="utf-8")
    else:
        import yaml

        path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    cmap = rawio.load_column_map(path)
    csv_path = _write(tmp_path, "areas.csv", "WIJKCODE;Naam wijk;Organisatie;wijkteam\nWK1;A;DOCK;T1\n")
    raw = rawio.read_table("areas", csv_path, cmap)
    assert raw.frame.loc[0, ["area_code", "area_name", "organisation", "team"]].tolist() == [
        "WK1", "A", "DOCK", "T1"]
    assert raw.renamed_columns == {"WIJKCODE": "area_code", "Naam wijk": "area_name",
                                   "Organisatie": "organisation", "wijkteam": "team"}
    # the per-table part does not apply to other tables
    assert "organisatie" not in rawio._map_for(cmap, "cases")


def test_column_map_with_unknown_target_is_fatal(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("Wijkcode: wijk_code\n", encoding="utf-8")
    with pytest.raises(FatalInputError, match="'wijk_code' is not a contract column"):
        rawio.load_column_map(path)


def test_column_map_unreadable_is_fatal(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(FatalInputError, match="cannot read the column map"):
        rawio.load_column_map(path)


# --------------------------------------------------------------------------- files and rows


def test_csv_and_xlsx_of_same_table_is_fatal(tmp_path):
    _write(tmp_path, "areas.csv", AREAS_HEADER + "\n")
    _xlsx(tmp_path / "Areas.xlsx", [AREAS_HEADER.split(";")])
    with pytest.raises(FatalInputError, match="'areas' is present more than once"):
        rawio.find_raw_files(tmp_path)


def test_find_raw_files_ignores_other_files_and_case(tmp_path):
    _write(tmp_path, "Cases.CSV", "x\n")
    _write(tmp_path, "notes.csv", "x\n")
    _write(tmp_path, config.SYNTHETIC_MARKER, "x\n")
    assert rawio.find_raw_files(tmp_path) == {"cases": tmp_path / "Cases.CSV"}


def test_old_excel_format_is_fatal(tmp_path):
    _write(tmp_path, "staff.xls", "x")
    with pytest.raises(FatalInputError, match=r"staff\.xls: \.xls files are not supported"):
        rawio.find_raw_files(tmp_path)


@pytest.mark.parametrize("content", [b"", b"   \r\n", b"\xef\xbb\xbf"])
def test_empty_file_is_fatal(tmp_path, content):
    path = tmp_path / "areas.csv"
    path.write_bytes(content)
    with pytest.raises(FatalInputError, match=r"areas\.csv: empty file"):
        rawio.read_table("areas", path)


def test_header_only_is_a_table_with_zero_rows(tmp_path):
    raw = rawio.read_table("areas", _write(tmp_path, "areas.csv", AREAS_HEADER + "\r\n"))
    assert len(raw.frame) == 0
    assert list(raw.frame.columns) == TABLES["areas"].column_names


def test_blank_lines_are_not_data_rows_and_crlf_is_fine(tmp_path):
    text = AREAS_HEADER + "\r\nWK1;A;DOCK;T1;ja;1\r\n\r\nWK2;B;DOCK;T1;nee;2\r\n"
    raw = rawio.read_table("areas", _write(tmp_path, "areas.csv", text))
    assert raw.frame["area_code"].tolist() == ["WK1", "WK2"]
    assert raw.frame["population"].tolist() == ["1", "2"]


def test_old_mac_line_endings_and_whitespace_only_lines(tmp_path):
    text = AREAS_HEADER + "\rWK1;A;DOCK;T1;ja;1\r"
    raw = rawio.read_table("areas", _write(tmp_path / "a", "areas.csv", text))
    assert raw.frame["area_code"].tolist() == ["WK1"]
    text = AREAS_HEADER + "\nWK1;A;DOCK;T1;ja;1\n   \nWK2;B;DOCK;T1;ja;1;x\n"
    raw = rawio.read_table("areas", _write(tmp_path / "b", "areas.csv", text))
    assert raw.frame["area_code"].tolist() == ["WK1", ""]
    assert raw.bad_rows == {1: "too many fields (7, header has 6)"}


def test_short_lines_are_padded_and_long_lines_flagged_with_their_position(tmp_path):
    text = AREAS_HEADER + "\nWK1;A;DOCK;T1;ja;1\nWK2;B;DOCK\nWK3;C;DOCK;T1;ja;1;;\nWK4;D;DOCK;T1;ja;1;x\n"
    raw = rawio.read_table("areas", _write(tmp_path, "areas.csv", text))
    assert len(raw.frame) == 4
    assert raw.bad_rows == {3: "too many fields (7, header has 6)"}
    assert raw.frame["area_code"].tolist() == ["WK1", "WK2", "WK3", ""]
    assert raw.frame.iloc[1].tolist() == ["WK2", "B", "DOCK", "", "", ""]


# --------------------------------------------------------------------------- spellings


def _all_spellings():
    for section, values in parse.spellings().items():
        for canonical, spells in values.items():
            for sp in spells:
                yield section, canonical, sp


def test_spellings_cover_every_enum_value_exactly():
    data = parse.spellings()
    for t in TABLES.values():
        for c in t.columns:
            if c.kind == "enum":
                assert tuple(data[c.name]) == c.values, c.name
    assert set(data["bool"]) == {"true", "false"}


def test_spellings_unique_within_section():
    for section, values in parse.spellings().items():
        seen = [parse.normalise_spelling(s) for spells in values.values() for s in spells]
        assert len(seen) == len(set(seen)), section


@pytest.mark.parametrize(("section", "canonical", "spelling"), list(_all_spellings()))
def test_every_spelling_maps_to_its_value_in_any_case(section, canonical, spelling):
    variants = _s(spelling, spelling.upper(), f"  {spelling.title()} ", spelling.replace(" ", "  "))
    if section == "bool":
        res = parse.parse_bool(variants)
        assert res.values.tolist() == [canonical == "true"] * 4
    else:
        res = parse.parse_enum(variants, section)
        assert res.values.tolist() == [canonical] * 4
    assert not res.bad.any()


@pytest.mark.parametrize(("text", "value"), [("WMO", "wmo"), ("Wmo 2015", "wmo"), ("wmo2015", "wmo"),
                                             ("Jeugd", "jeugdwet"), ("Schuldhulp", "wgs"),
                                             ("PW", "participatiewet"), ("geen", "none")])
def test_contract_examples_of_spellings(text, value):
    assert parse.parse_enum(_s(text), "legal_framework").values.tolist() == [value]


@pytest.mark.parametrize("text", ["-", "NULL", "NA", "wmo 2016", "?"])
def test_unknown_spelling_is_bad_and_empty_is_missing(text):
    res = parse.parse_enum(_s(text, ""), "legal_framework")
    assert res.bad.tolist() == [True, False]
    assert res.values.isna().all()


def test_placeholders_in_text_are_bad():
    res = parse.parse_text(_s(" NULL ", "-", "na", "Team A ", "", "none"))
    assert res.bad.tolist() == [True, True, True, False, False, False]
    assert res.values.tolist()[3:] == ["Team A", pd.NA, "none"]


@pytest.mark.parametrize(("text", "value"), [("2024", "2024"), ("2024-Q3", "2024-Q3"),
                                             ("2024q3", "2024-Q3"), ("2024 K3", "2024-Q3"),
                                             ("Q3 2024", "2024-Q3"), (" 2024-q1 ", "2024-Q1")])
def test_periods(text, value):
    res = parse.parse_period(_s(text))
    assert res.values.tolist() == [value] and not res.bad[0]


@pytest.mark.parametrize("text", ["2024-Q5", "24", "2024-03", "NULL", "Q3"])
def test_bad_periods(text):
    assert parse.parse_period(_s(text)).bad[0]


def test_docs_list_every_spelling_generated_from_yaml():
    doc = (config.DOCS_DIR / "data_contract.md").read_text(encoding="utf-8")
    block = doc.split("<!-- spellings:start -->\n", 1)[1].split("<!-- spellings:end -->", 1)[0]
    assert block.strip() == parse.spellings_markdown().strip()


# --------------------------------------------------------------------------- hardening regressions


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "1677-09-21", "2262-04-12",
                                  "1899-12-31", "2101-01-01", "31-12-9999", "01-01-0001"])
def test_dates_outside_1900_2100_are_bad_not_fatal(text):
    """Regression: ISO dates beyond pandas' ns range used to crash the fast path."""
    s = _s("2024-01-01", text, "")
    for fn in (parse.parse_date_fast, parse.parse_date,
               lambda x: parse.parse_unique(x, parse.parse_date_fast)):
        res = fn(s)
        assert res.bad.tolist() == [False, True, False]
        assert res.values.iloc[0] == pd.Timestamp("2024-01-01")
        assert res.values.iloc[1:].isna().all()
        assert res.values.dtype == "datetime64[ns]"


def test_date_window_edges_are_valid():
    res = parse.parse_date_fast(_s("1900-01-01", "2100-12-31", "01-01-1900", "31-12-2100"))
    assert not res.bad.any()
    assert [d.date() for d in res.values] == [dt.date(1900, 1, 1), dt.date(2100, 12, 31)] * 2


def test_too_large_numbers():
    """Regression: 40-digit numbers passed checking and crashed the Int64 cast."""
    limit = 2.0**53
    v = pd.Series([1e39, -1e39, math.inf, -math.inf, limit, limit - 1, -(limit - 1), 12.5,
                   np.nan, 0.0])
    assert parse.too_large(v).tolist() == [True, True, True, True, True, False, False, False,
                                           False, False]


@pytest.mark.parametrize(("text", "decimal_comma"), [("1" + "0" * 39, True), ("1" + "0" * 400, False),
                                                     ("9007199254740993", False),
                                                     ("-123456789012345678901234567890,5", True)])
def test_huge_number_text_parses_then_counts_as_too_large(text, decimal_comma):
    res = parse.parse_number(_s(text), decimal_comma)
    assert not res.bad[0]  # it is a number ...
    assert parse.too_large(res.values)[0]  # ... but not one that can be held exactly


@pytest.mark.parametrize(("text", "strict", "free_text"), [
    ("gen\rx", True, False),  # CR inside: never in a label, fine in a note
    ("a\nb", True, False),
    ("a\tb", True, False),
    ("a\r\nb", True, False),
    ("\x1b[31mrood\x1b[0m", True, True),  # ESC: always
    ("T\x0b1", True, True),  # vertical tab
    ("x\x00y", True, True),
    ("x\x7fy", True, True),  # DEL
    ("x\x85y", True, True),  # C1 (NEL)
    ("wmo\x1c2015", True, True),  # a separator Python's split() would read as a space
    ("DOCK\r", False, False),  # surrounding white space is trimmed first
    ("\tDOCK\r\n", False, False),
    ("\x1fDOCK\x1c", False, False),
    ("\xa0SMD\xa0", False, False),
    ("Zaanse Schans é 😀", False, False),
    ("zero\u200bwidth", False, False),  # a format character, not a control character
    ("", False, False),
])
def test_control_characters(text, strict, free_text):
    s = _s("plain", text)
    assert parse.control_characters(s).tolist() == [False, strict]
    assert parse.control_characters(s, allow_line_breaks=True).tolist() == [False, free_text]


def test_control_characters_per_distinct_value_and_on_categoricals():
    s = _s("a\rb", "ok", "a\rb", "ok")
    expected = [True, False, True, False]
    assert parse.control_characters(s).tolist() == expected
    assert parse.control_characters(s.astype("category")).tolist() == expected


# --------------------------------------------------------------------------- csvio


TRICKY_TEXT = ["a\rb", "a\nb", "a\r\nb", "\r", '"', 'say "hi"', "x;y", "x,y", " lead", "trail ",
               "é😀ï", "nul\x00byte", "\x1b[31m", "NA", "NULL", "#N/A", "007", "1e5", "-", "+1",
               "\u2028", "tab\there", "=1+1"]


def test_write_csv_round_trips_tricky_text(tmp_path):
    from zwt_analysis.fsutil import write_csv

    df = pd.DataFrame({"text": pd.array(TRICKY_TEXT, dtype="string"),
                       "n": np.arange(len(TRICKY_TEXT), dtype="int64")})
    path = write_csv(df, tmp_path / "t.csv")
    assert path == tmp_path / "t.csv"
    back = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"text": str})
    assert back["text"].tolist() == TRICKY_TEXT
    assert back["n"].tolist() == list(range(len(TRICKY_TEXT)))
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == TRICKY_TEXT
    assert len(rows) == len(TRICKY_TEXT) + 1


def test_write_csv_exact_bytes_numbers_missing_and_dates(tmp_path):
    from zwt_analysis.fsutil import write_csv

    df = pd.DataFrame({
        "s": pd.array(["a\rb", None, ""], dtype="string"),
        "i": pd.array([1, None, -3], dtype="Int64"),
        "f": [0.1, np.nan, 1 / 3],
        "b": pd.array([True, None, False], dtype="boolean"),
        "d": pd.to_datetime(["2024-01-31", None, "2026-09-30"]),
    })
    path = write_csv(df, tmp_path / "t.csv")
    assert path.read_bytes() == (
        b'"s","i","f","b","d"\n'
        b'"a\rb",1,0.1,True,"2024-01-31"\n'
        b'"","","","",""\n'
        b'"",-3,0.3333333333333333,False,"2026-09-30"\n')
    back = pd.read_csv(path, keep_default_na=False, na_values=[""])
    assert back["s"].iloc[0] == "a\rb" and back["s"].iloc[1:].isna().all()  # "" reads as missing
    assert back["i"].iloc[[0, 2]].tolist() == [1, -3] and pd.isna(back["i"].iloc[1])
    assert back["f"].iloc[0] == 0.1 and back["f"].iloc[2] == 1 / 3  # shortest repr, exact


def test_write_csv_empty_frame_and_replaces_file(tmp_path):
    from zwt_analysis.fsutil import write_csv

    path = tmp_path / "t.csv"
    path.write_text("old content\n")
    write_csv(pd.DataFrame({"table": pd.Series(dtype="object"), "row": pd.Series(dtype="int64")}),
              str(path))
    assert path.read_bytes() == b'"table","row"\n'
