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
reservation = 80th percentile of its incidental money per year (0, 20,000) =
16,000.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from zwt_analysis import processed
from zwt_analysis.contract import ALL
from zwt_analysis.reports import context
from zwt_analysis.reports.workforce import WorkforceResult, build, history, model_checks, simulate
from zwt_analysis.reports.workforce import tables as report
from zwt_analysis.reports.workforce.build import (
    TABLES,
    WorkforceParams,
    load_policy,
    run_plan,
)

AS_OF = "2021-12-31"
MONTH = 365.25 / 12
SMALL = dict(runs=20, seed=1, sensitivity_runs=5, backtest_until=2020)


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
    assert isinstance(city, WorkforceResult) and city.is_city
    assert city.organisations == ["A", "B"]
    assert city.run_organisations == ["A", "B"]
    assert city.shown == [ALL, "A", "B"]


def test_city_history_hand_computed(city):
    assert city.first_year == 2020
    assert city.rates.loc["A", "person_years"] == 4 and city.rates.loc["A", "leavers"] == 1
    assert city.rates.loc["A", "outflow_rate"] == pytest.approx(0.25)
    assert city.rates.loc["B", "outflow_rate"] == pytest.approx(0.25)
    assert city.rates.loc[ALL, "person_years"] == 8 and city.rates.loc[ALL, "leavers"] == 2
    values = city.history.calibration.values
    assert values["A"]["months_to_fill"] == pytest.approx(31 / MONTH)
    assert values["B"]["months_to_fill"] == pytest.approx(61 / MONTH)
    assert values["A"]["overhead_share"] == pytest.approx(0.1)
    assert values["B"]["overhead_share"] == 0.0
    start = city.history.calibration.starts["A"]
    assert (start.persons, start.formation_fte) == (2, 2.0)
    assert start.fte_per_person == pytest.approx(0.95)


def test_city_publication_rules(city):
    # every leaver count is below 5: no outflow figure is shown for anyone
    assert city.hidden == {ALL, "A", "B"}
    csv = city.calibration_csv.set_index("organisatie")
    assert csv.loc[ALL, "vertrekkers"] == "<5" and csv.loc["A", "uitstroom"] == "x"  # a rate derived from a hidden count
    assert city.calibration_display["Organisatie"].tolist() == ["Gemeente", "A", "B"]
    assert set(city.eight_year["organisation"]) == {ALL, "A", "B"}
    eight = city.eight_year.set_index("organisation")
    assert eight.loc["A", "leavers_share"] == pytest.approx(1 - 0.75 ** 8)


def test_city_scenarios(city):
    assert city.scenario == "baseline" and city.label == "Basis" and city.changed == {}
    assert city.settings["runs"] == 20 and city.settings["seed"] == 1
    assert set(city.main) == {"A", "B", ALL}
    assert city.main["A"]["employed"].shape == (20, 96)
    # 4 scenarios x (A, B, city); the label column names them in Dutch
    assert len(city.summary) == 12
    assert set(city.summary["label"]) == {"Basis", "Hoog verloop", "Indexatiekloof", "Stabiel"}
    assert set(city.sensitivity["parameter"]) == set(
        simulate.load_scenarios()["sensitivity"])
    assert city.sensitivity_runs == 5


def test_city_funding_hand_computed(city):
    by_year = city.funding_by_year.set_index(["organisation", "year"])
    assert by_year.loc[(ALL, 2021), "structural_eur"] == 160_000
    assert by_year.loc[(ALL, 2021), "incidental_eur"] == 20_000
    assert city.additional[["organisation", "year", "n_assignments"]].values.tolist() == [
        ["A", 2021, 1], [ALL, 2021, 1]]
    res = city.reservation.set_index("organisation")
    assert set(res.index) == {ALL, "A", "B"}
    assert res.loc["A", "reservation_eur"] == pytest.approx(16_000)
    assert res.loc["A", "reservation_share_of_structural"] == pytest.approx(16_000 / 110_000)
    assert res.loc["B", "reservation_eur"] == 0


def test_city_model_checks(city):
    assert set(city.recovery["organisation"]) == {"A", "B"}
    assert len(city.recovery) == 6  # 3 parameters x 2 organisations
    bt = city.backtest
    assert city.backtest_until == 2020
    assert bt.monthly["month"].min() == pd.Period("2021-01", freq="M")
    assert bt.monthly["month"].max() == pd.Period("2021-12", freq="M")
    assert set(bt.errors["organisation"]) == {"A", "B", ALL}


def test_city_policy_from_packaged_file(city):
    assert city.policy == load_policy()
    assert city.policy.sector_outflow_rate == 0.11


# ----------------------------------------------------------------- variants

def test_one_organisation(folder):
    res = build(_ctx(folder, "B"), SMALL)
    assert not res.is_city
    assert res.shown == ["B"] and res.run_organisations == ["B"]
    assert res.organisations == ["A", "B"]
    assert set(res.main) == {"B"}  # one organisation: no city sum
    assert set(res.summary["organisation"]) == {"B"}
    assert set(res.recovery["organisation"]) == {"B"}
    assert res.reservation["organisation"].tolist() == ["B"]
    assert res.eight_year["organisation"].tolist() == ["B"]


def test_unknown_organisation(folder):
    with pytest.raises(ValueError, match="'C' not in the staff data"):
        build(_ctx(folder, "C"), SMALL)


def test_override_changes_label_comparison_and_tornado(folder):
    res = build(_ctx(folder), {**SMALL, "outflow_rate": 0.2, "months_to_fill": None})
    assert res.changed == {"outflow_rate": 0.2}
    assert res.label == "Basis (aangepast)" and res.settings["outflow_rate"] == 0.2
    # the changed scenario is compared too, under its own label
    assert len(res.summary) == 15
    assert set(res.summary.loc[res.summary["scenario"] == "Basis (aangepast)", "label"]) == {
        "Basis (aangepast)"}
    # an overridden assumption stays fixed in the sensitivity analysis
    assert "outflow_rate" not in set(res.sensitivity["parameter"])
    assert len(res.sensitivity) == len(simulate.load_scenarios()["sensitivity"]) - 1


def test_backtest_runs_capped_by_policy(folder, monkeypatch):
    calls = []

    def fake(tables, as_of, settings, calib_last_year, runs):
        calls.append((calib_last_year, runs))
        return model_checks.BacktestResult(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                                           pd.DataFrame())

    monkeypatch.setattr(model_checks, "backtest", fake)
    policy = dataclasses.replace(load_policy(), backtest_max_runs=7)
    build(_ctx(folder), SMALL, policy=policy)
    build(_ctx(folder), {**SMALL, "runs": 5}, policy=policy)
    assert calls == [(2020, 7), (2020, 5)]


def test_without_budget_lines(tmp_path):
    folder = _processed(tmp_path / "processed", budgets=False)
    res = build(_ctx(folder), SMALL)
    assert res.funding_by_year.empty and res.additional.empty
    assert res.reservation is None


# ----------------------------------------------------------------- inputs

def test_load_policy_custom_and_incomplete(tmp_path):
    f = tmp_path / "wf.yaml"
    f.write_text(json.dumps({
        "sector_outflow": {"rate": 0.13, "source": "X"}, "few_leavers_warning": 10,
        "backtest_max_runs": 50, "recovery": {"min_positions": 5, "fallback_outflow_rate": 0.2,
                                              "fallback_months_to_fill": 4}}))
    p = load_policy(f)
    assert (p.sector_outflow_rate, p.sector_source, p.few_leavers_warning) == (0.13, "X", 10)
    assert (p.backtest_max_runs, p.recovery_min_positions) == (50, 5)
    assert p.recovery_fallback_months_to_fill == 4.0
    packaged = load_policy()
    assert (packaged.sector_source, packaged.few_leavers_warning,
            packaged.backtest_max_runs) == ("CBS AZW", 20, 300)
    f.write_text(json.dumps({"sector_outflow": {"rate": 0.13, "source": "X"}}))
    with pytest.raises(KeyError):
        load_policy(f)


def test_params_from_mapping():
    p = WorkforceParams.from_mapping({"processed_dir": "x", "runs": 7, "indexation": 0.0,
                                      "wage_growth": None})
    assert p.runs == 7 and p.scenario == "baseline" and p.seed == 2026
    assert p.overrides["wage_growth"] is None
    assert p.changed == {"indexation": 0.0}  # 0 is a value, None means "scenario value"
    assert WorkforceParams().changed == {}


def test_run_plan():
    assert run_plan(ALL, ["A", "B"]) == (["A", "B"], [ALL, "A", "B"])
    assert run_plan("B", ["A", "B"]) == (["B"], ["B"])
    with pytest.raises(ValueError, match="not in the staff data"):
        run_plan("C", ["A", "B"])
    assert TABLES == ("staff", "formation", "time_registrations", "budgets")


def test_recovery_for_fallbacks(monkeypatch):
    seen = {}

    def fake(positions, rate, fill, seed):
        seen.update(positions=positions, rate=rate, fill=fill, seed=seed)
        return pd.DataFrame()

    monkeypatch.setattr(model_checks, "parameter_recovery", fake)
    starts = {o: simulate.OrgStart(o, n, 0.8, n * 0.8, 0.5, 0.2, 2021)
              for o, n in (("A", 3), ("B", 30))}
    values = {"A": {"outflow_rate": math.nan, "months_to_fill": 0.0},
              "B": {"outflow_rate": 0.2, "months_to_fill": 2.5}}
    hist = history.History(simulate.Calibration(starts, values, {}), *[None] * 5,
                           pd.Timestamp(AS_OF))
    model_checks.recovery_for(hist, seed=4, min_positions=20, fallback_outflow_rate=0.11,
                              fallback_months_to_fill=3.0)
    assert seen == {"positions": {"A": 20, "B": 30}, "rate": {"A": 0.11, "B": 0.2},
                    "fill": {"A": 3.0, "B": 2.5}, "seed": 4}


def test_calibrate_history_without_hours_uses_fallback_split(folder):
    ctx = _ctx(folder)
    tables = {"staff": ctx.table("staff"), "formation": ctx.table("formation"),
              "time_registrations": ctx.table("time_registrations").iloc[:0]}
    hist = history.calibrate_history(tables, ctx.as_of, with_tenure=False)
    a = hist.calibration.starts["A"]
    assert (a.statutory_share, a.preventive_share_hours) == (0.6, 0.2)
    assert hist.calibration.values["A"]["overhead_share"] == 0.2


# ----------------------------------------------------------------- new report text

def test_sector_sensitivity_and_recovery_text():
    assert report.sector_label(0.11, "CBS AZW") == "Sector (CBS AZW, ca. 11%)"
    assert report.sector_label(0.125, "X") == "Sector (X, ca. 12%)"  # no decimals
    assert report.sensitivity_intro(ALL, 100) == (
        "Gevoeligheid voor de gemeente als geheel, 100 runs per instelling.")
    assert report.sensitivity_intro("SMD", 5) == "Gevoeligheid voor SMD, 5 runs per instelling."
    rec = pd.DataFrame({"covered": [True, False, True]})
    assert report.recovery_text(rec) == (
        "In 2 van de 3 gevallen ligt de ware waarde binnen het 95%-interval.")
    assert report.recovery_text(rec.iloc[:0]) == (
        "In 0 van de 0 gevallen ligt de ware waarde binnen het 95%-interval.")
