"""The workforce report's ``build()`` on a small hand-built processed folder (no papermill).

Staff (as-of 2021-12-31), two organisations with one team each:

====  ====  ====  ==========  ==========
id    org   fte   start       end
====  ====  ====  ==========  ==========
a1    A     1.0   2018-01-01  (open)
a2    A     0.8   2018-01-01  2020-06-30
a5    A     0.9   2020-08-01  (open)
b1    B     1.0   2019-01-01  (open)
b2    B     1.0   2019-01-01  2021-03-31
b3    B     0.5   2021-06-01  (open)
====  ====  ====  ==========  ==========

First leaver 2020 -> pooled years 2020-2021. A: 1 January stock 2 + 2 = 4
person-years, 1 leaver (a2) -> 0.25; B: 2 + 2 = 4, 1 leaver (b2) -> 0.25; city
8 and 2 -> 0.25. Every leaver count is below 5, so every outflow is hidden.
A's vacancy: a2's last day 2020-06-30, a5 starts 2020-08-01 -> 31 vacant days;
B's: 2021-03-31 to 2021-06-01 -> 61 days. Hours of the last 12 months: A 6
statutory, 3 preventive, 1 overhead (overhead share 0.1); B 4 + 4, no other.
Budgets: A 100,000 (2020) and 110,000 (2021) structural plus one additional
assignment of 20,000 incidental in 2021; B 50,000 structural in 2021. A's
incidental money is positive in one year only: no reservation can be bounded.

Partial deliveries (issue 17) are cut from this folder: one organisation with
one team and one year (history from 2025), no staff, only cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from zwt_analysis import processed
from zwt_analysis.contract import ALL
from zwt_analysis.reports import context
from zwt_analysis.reports.workforce import WorkforceResult, build, text
from zwt_analysis.reports.workforce.build import (
    TABLES,
    WorkforceParams,
    load_policy,
    run_plan,
)

AS_OF = "2021-12-31"
MONTH = 365.25 / 12
SMALL = dict(runs=20, seed=1, sensitivity_runs=5)


def _write(folder: Path, name: str, rows: list[tuple], columns: list[str]) -> None:
    df = processed.coerce_types(name, pd.DataFrame(rows, columns=columns))
    df.to_parquet(folder / f"{name}.parquet")


def _processed(folder: Path, budgets: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder, "staff", [
        ("a1", "A", "A-1", 1.0, "2018-01-01", None, None),
        ("a2", "A", "A-1", 0.8, "2018-01-01", "2020-06-30", "voluntary"),
        ("a5", "A", "A-1", 0.9, "2020-08-01", None, None),
        ("b1", "B", "B-1", 1.0, "2019-01-01", None, None),
        ("b2", "B", "B-1", 1.0, "2019-01-01", "2021-03-31", "voluntary"),
        ("b3", "B", "B-1", 0.5, "2021-06-01", None, None),
    ], ["employee_id", "organisation", "team", "fte", "start_date", "end_date", "end_reason"])
    _write(folder, "formation", [("A", 2021, 2.0), ("B", 2021, 1.5)],
           ["organisation", "year", "budgeted_fte"])
    _write(folder, "time_registrations", [
        ("a1", "A", "A-1", "2021-06-01", "statutory_individual", 6.0),
        ("a1", "A", "A-1", "2021-06-01", "preventive_collective", 3.0),
        ("a5", "A", "A-1", "2021-07-01", "overhead", 1.0),
        ("b1", "B", "B-1", "2021-03-01", "statutory_individual", 4.0),
        ("b3", "B", "B-1", "2021-07-01", "preventive_individual", 4.0),
    ], ["employee_id", "organisation", "team", "date", "activity", "hours"])
    if budgets:
        _write(folder, "budgets", [
            ("A", 2020, "MAIN", "main", "structural", 100_000.0, None, None, None),
            ("A", 2021, "MAIN", "main", "structural", 110_000.0, None, None, None),
            ("A", 2021, "add1", "additional", "incidental", 20_000.0, "2021-03-01",
             "2021-08-31", "gemeente"),
            ("B", 2021, "MAIN", "main", "structural", 50_000.0, None, None, None),
        ], ["organisation", "year", "assignment_id", "assignment_type", "funding_type",
            "amount_eur", "start_date", "end_date", "commissioner"])
    meta = {"as_of": AS_OF, "synthetic": False, "missing_tables": []}
    (folder / "validation.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def _ctx(folder: Path, organisation: str = ALL) -> context.ReportContext:
    return context.context({"processed_dir": str(folder), "indicators_file": "",
                            "organisation": organisation,
                            "output_dir": str(folder.parent / "out")})


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _processed(tmp_path_factory.mktemp("workforce") / "processed")


@pytest.fixture(scope="module")
def city(folder: Path) -> WorkforceResult:
    return build(_ctx(folder), SMALL)


# ----------------------------------------------------------------- the city report

def test_city_run_plan(city):
    assert isinstance(city, WorkforceResult) and city.is_city and city.has_staff
    assert city.organisations == ["A", "B"]
    assert city.run_organisations == ["A", "B"]
    assert city.shown == [ALL, "A", "B"]
    assert city.horizon == (2027, 2034) and city.skipped == {}


def test_city_history_hand_computed(city):
    h = city.history
    assert h.first_year == 2020 and h.ref_year == 2021
    rates = h.rates.set_index("organisation")
    assert rates.loc["A", "person_years"] == 4 and rates.loc["A", "leavers"] == 1
    assert rates.loc["A", "outflow_rate"] == pytest.approx(0.25)
    assert rates.loc["B", "outflow_rate"] == pytest.approx(0.25)
    assert rates.loc[ALL, "person_years"] == 8 and rates.loc[ALL, "leavers"] == 2
    values = h.calibration.values
    assert values["A"]["months_to_fill"] == pytest.approx(31 / MONTH)
    assert values["B"]["months_to_fill"] == pytest.approx(61 / MONTH)
    assert values["A"]["overhead_share"] == pytest.approx(0.1)
    assert values["B"]["overhead_share"] == 0.0
    assert values["A"]["wage_gap"] == 0.01  # no cost index: the assumed gap
    assert h.calibration.gaps["A"].source == "aangenomen"
    start = h.calibration.starts["A"]
    assert (start.persons, start.formation_fte) == (2, 2.0)
    assert start.fte_per_person == pytest.approx(0.95)
    assert sorted(start.tenures) == [16, 47]  # a5 since 2020-08, a1 since 2018-01


def test_city_publication_rules(city):
    # every leaver count is below 5: no outflow figure is shown for anyone
    assert city.hidden == {ALL, "A", "B"}
    csv = city.tables["workforce_calibration"].csv().set_index("organisatie")
    assert csv.loc[ALL, "vertrekkers"] == "<5" and csv.loc["A", "uitstroom"] == "x"
    yearly = city.tables["workforce_yearly"].masked()
    shown = yearly["leavers"].dropna()
    assert ((shown == 0) | (shown >= 5)).all()  # 1..4 leavers never printed (0 describes nobody)
    assert set(city.tables) == {"workforce_calibration", "workforce_yearly",
                                "workforce_retention"}


def test_city_scenarios(city):
    assert city.scenario == "baseline" and city.label == "Basis" and city.changed == {}
    assert city.settings["runs"] == 20 and city.settings["seed"] == 1
    assert city.settings["start"] == "2027-01" and city.settings["months"] == 96
    assert set(city.main) == {"A", "B", ALL}
    assert city.main["A"]["employed"].shape == (20, 96)
    n = len(runs_file()["scenarios"])
    assert len(city.summary) == 3 * n
    assert "Trend zet door" in set(city.summary["label"])
    assert set(city.sensitivity["parameter"]) == set(runs_file()["sensitivity"])
    assert city.sensitivity_runs == 5


def test_city_funding(city):
    by_year = city.funding_by_year.set_index(["organisation", "year"])
    assert by_year.loc[(ALL, 2021), "structural_eur"] == 160_000
    assert by_year.loc[(ALL, 2021), "incidental_eur"] == 20_000
    assert city.additional[["organisation", "year", "n_assignments"]].values.tolist() == [
        ["A", 2021, 1], [ALL, 2021, 1]]
    res = city.reservation.set_index("organisation")
    assert set(res.index) == {ALL, "A", "B"}
    assert res["reservation_eur"].isna().all()  # one positive year: nothing to bound


def test_city_model_checks(city):
    assert set(city.recovery["organisation"]) <= {ALL, "A", "B"}
    assert city.backtest.yearly.empty and "te weinig volledige jaren" in city.backtest.note


def test_city_text_and_kern(city):
    sentences = text.kern(city)
    assert 3 <= len(sentences) <= 5
    joined = " ".join(sentences)
    assert "te klein om te publiceren" in joined  # the city's outflow is suppressed
    assert "25,0%" not in joined
    assert "vrijwel uitgesloten" not in joined


# ----------------------------------------------------------------- variants

def test_one_organisation(folder):
    res = build(_ctx(folder, "B"), SMALL)
    assert not res.is_city
    assert res.shown == ["B"] and res.run_organisations == ["B"]
    assert res.organisations == ["A", "B"]
    assert set(res.main) == {"B"}  # one organisation: no city sum
    assert set(res.summary["organisation"]) == {"B"}
    assert res.reservation["organisation"].tolist() == ["B"]
    city = build(_ctx(folder), SMALL)
    mine = res.tables["workforce_calibration"].csv()
    theirs = city.tables["workforce_calibration"].csv()
    theirs = theirs[theirs["organisatie"] == "B"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine.astype(str), theirs.astype(str))


def test_organisation_without_staff_is_skipped_with_a_note(folder):
    res = build(_ctx(folder, "C"), SMALL)
    assert res.run_organisations == [] and "geen medewerkers" in res.skipped["staff"]
    assert not res.main


def test_override_changes_label_comparison_and_tornado(folder):
    res = build(_ctx(folder), {**SMALL, "outflow_rate": 0.2, "months_to_fill": None})
    assert res.changed == {"outflow_rate": 0.2}
    assert res.label == "Basis (aangepast)" and res.settings["outflow_rate"] == 0.2
    n = len(runs_file()["scenarios"])
    assert len(res.summary) == 3 * (n + 1)
    assert "outflow_rate" not in set(res.sensitivity["parameter"])


def test_without_budget_lines(tmp_path):
    folder = _processed(tmp_path / "processed", budgets=False)
    res = build(_ctx(folder), SMALL)
    assert res.funding_by_year is None and res.reservation is None
    assert "budgetregels" in res.skipped["funding"]


# ----------------------------------------------------------------- partial deliveries

def test_no_staff_renders_funding_and_a_note(tmp_path):
    folder = _processed(tmp_path / "processed")
    (folder / "staff.parquet").unlink()
    res = build(_ctx(folder), SMALL)
    assert not res.has_staff and "personeelsgegevens" in res.skipped["staff"]
    assert res.funding_by_year is not None
    assert text.kern(res)[0].startswith("Er zijn geen personeelsgegevens")


def test_only_cases(tmp_path):
    folder = tmp_path / "processed"
    folder.mkdir()
    _write(folder, "cases", [("c1", "k1", "A", "A-1", "wmo", "2025-02-01")],
           ["case_id", "client_id", "organisation", "team", "legal_framework", "date_report"])
    (folder / "validation.json").write_text(json.dumps(
        {"as_of": "2025-09-30", "synthetic": False, "missing_tables": []}), encoding="utf-8")
    res = build(_ctx(folder), SMALL)
    assert set(res.skipped) == {"staff", "funding"}
    assert text.kern(res)


def test_one_organisation_one_team_history_from_2025(tmp_path):
    """No hard-coded back-test year: a history that starts in 2025 renders without one."""
    folder = tmp_path / "processed"
    folder.mkdir()
    rows = [(f"e{i}", "X", "X-1", 0.8, "2025-01-01", "2025-05-31" if i < 6 else None,
             "voluntary" if i < 6 else None) for i in range(20)]
    rows += [(f"n{i}", "X", "X-1", 0.8, "2025-07-01", None, None) for i in range(6)]
    _write(folder, "staff", rows, ["employee_id", "organisation", "team", "fte", "start_date",
                                   "end_date", "end_reason"])
    _write(folder, "formation", [("X", 2025, 16.0)], ["organisation", "year", "budgeted_fte"])
    (folder / "validation.json").write_text(json.dumps(
        {"as_of": "2025-09-30", "synthetic": False, "missing_tables": []}), encoding="utf-8")
    res = build(_ctx(folder), SMALL)
    assert res.organisations == ["X"] and res.shown == [ALL, "X"]
    assert res.backtest.yearly.empty and res.backtest.note
    assert res.history.model.decision == "none"
    assert res.retention.empty  # less than a year to follow a cohort
    # one organisation: the city is that organisation, so the city report has its answers
    assert "funding" in res.skipped and set(res.main) == {"X", ALL}
    assert res.readings["leave_p50"] > 0 and (res.summary["organisation"] == ALL).any()
    assert any("10–20%" in s for s in text.kern(res)) and text.readings_text(res)


# ----------------------------------------------------------------- inputs

def test_load_policy():
    p = load_policy()
    assert (p.sector_source, p.few_leavers_warning, p.backtest_max_runs) == ("CBS AZW", 20, 300)
    assert p.outflow.band_edges_years == (1.0, 2.0, 5.0) and p.outflow.assumed_gap == 0.01
    assert p.backtest_min_train_years == 3 and "personeel" in p.signal_themes


def test_params_from_mapping():
    p = WorkforceParams.from_mapping({"processed_dir": "x", "runs": 7, "indexation": 0.0,
                                      "wage_growth": None, "backtest_until": 2024})
    assert p.runs == 7 and p.scenario == "baseline" and p.seed == 2026
    assert p.overrides["wage_growth"] is None
    assert p.changed == {"indexation": 0.0}  # 0 is a value, None means "scenario value"
    assert WorkforceParams().changed == {}


def test_run_plan():
    assert run_plan(ALL, ["A", "B"]) == (["A", "B"], [ALL, "A", "B"])
    assert run_plan("B", ["A", "B"]) == (["B"], ["B"])
    assert run_plan("C", ["A", "B"]) == ([], ["C"])
    assert "cost_index" in TABLES and "signals" in TABLES


def runs_file():
    from zwt_analysis.reports.workforce import scenarios

    return scenarios.load_scenarios()
