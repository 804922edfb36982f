"""Tests of zwt_analysis.municipality: configuration first, then the data."""

from __future__ import annotations

from pathlib import Path

from zwt_analysis import municipality as mun


def test_code_from_wijk_codes():
    assert mun.code_from_areas(["WK047912", " WK047913 "]) == "GM0479"
    assert mun.code_from_areas(["WK047912", "WK036301"]) is None  # two municipalities
    assert mun.code_from_areas(["n.v.t.", None, 5]) is None
    assert mun.code_from_areas([]) is None


def test_name_from_the_cbs_table():
    assert mun.name_from_cbs("GM0479") == "Zaanstad"
    assert mun.name_from_cbs("GM0363") == "Amsterdam"
    assert mun.name_from_cbs("GM9999") is None and mun.name_from_cbs(None) is None


def test_resolve_from_data_with_packaged_defaults(monkeypatch):
    monkeypatch.delenv("ZWT_MUNICIPALITY_FILE", raising=False)
    m = mun.resolve(["WK036301"], first_data_year=2021)
    assert (m.code, m.name, m.first_year) == ("GM0363", "Amsterdam", 2021)
    assert (m.horizon, m.horizon_years) == ("2027–2034", 8)


def test_configuration_wins_over_the_data(tmp_path: Path, monkeypatch):
    f = tmp_path / "m.yaml"
    f.write_text("name: Proefstad\nhorizon_start: 2025\nhorizon_end: 2028\nfirst_year: 2022\n"
                 "code: null\n", encoding="utf-8")
    m = mun.resolve(["WK047912"], first_data_year=2019, path=f)
    assert (m.code, m.name, m.horizon, m.first_year) == ("GM0479", "Proefstad", "2025–2028", 2022)
    monkeypatch.setenv("ZWT_MUNICIPALITY_FILE", str(f))
    assert mun.resolve([]).name == "Proefstad"


def test_unknown_municipality_is_named_neutrally(monkeypatch):
    monkeypatch.delenv("ZWT_MUNICIPALITY_FILE", raising=False)
    m = mun.resolve(["X1"], None)
    assert m.code is None and m.display_name == "de gemeente" and m.first_year is None
