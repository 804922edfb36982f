"""Workforce scenarios: vacancies, tenure, simulation invariants, runs, recovery, back-test.

Hand-built staff table used throughout (organisation A, as-of 2021-12-31):

====  =====  ==========  ==========  ==================
id    team   start       end         end_reason
====  =====  ==========  ==========  ==================
a1    A-1    2018-01-01  (open)
a2    A-1    2018-01-01  2020-06-30  voluntary
a3    A-1    2018-06-01  2019-03-31  transfer_internal
a3    A-2    2019-04-01  (open)
a4    A-2    2019-05-01  2019-10-31  end_of_contract
a5    A-1    2020-08-01  (open)
====  =====  ==========  ==========  ==================

(The outflow of this table is tested in ``test_outflow.py``.)
"""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workforce_builders import staff_frame

from zwt_analysis.contract import ALL
from zwt_analysis.reports.workforce import (
    calibrate,
    history,
    model_checks,
    runs,
    scenarios,
    simulate,
)
from zwt_analysis.reports.workforce import plots as scenario_plots

AS_OF = date(2021, 12, 31)
NaT = None



@pytest.fixture
def staff() -> pd.DataFrame:
    return staff_frame([
        ("a1", "A", "A-1", 1.0, "2018-01-01", NaT, NaT),
        ("a2", "A", "A-1", 0.8, "2018-01-01", "2020-06-30", "voluntary"),
        ("a3", "A", "A-1", 0.5, "2018-06-01", "2019-03-31", "transfer_internal"),
        ("a3", "A", "A-2", 0.5, "2019-04-01", NaT, NaT),
        ("a4", "A", "A-2", 1.0, "2019-05-01", "2019-10-31", "end_of_contract"),
        ("a5", "A", "A-1", 0.9, "2020-08-01", NaT, NaT),
    ])


# ----------------------------------------------------------------- intervals

def test_exponential_mean_interval():
    # 1 event, 10 months: chi2(0.975, 2) = 7.3778, chi2(0.025, 2) = 0.050636
    lo, hi = calibrate.exponential_mean_interval(1, 10.0)
    assert lo == pytest.approx(20 / 7.3778, rel=1e-4)
    assert hi == pytest.approx(20 / 0.050636, rel=1e-4)
    assert all(math.isnan(x) for x in calibrate.exponential_mean_interval(0, 5.0))


# ----------------------------------------------------------------- vacancies

def test_vacancy_fill_events_hand_computed(staff):
    ev = calibrate.vacancy_fill_events(staff, AS_OF).set_index("team")
    # a3's internal move is no leaver; a2 (A-1) filled by a5; a4 (A-2) still open
    assert sorted(ev.index) == ["A-1", "A-2"]
    assert ev.loc["A-1", "filled"]
    assert ev.loc["A-1", "months"] == pytest.approx(31 / calibrate.DAYS_PER_MONTH)  # July
    assert not ev.loc["A-2", "filled"]
    assert ev.loc["A-2", "months"] == pytest.approx(792 / calibrate.DAYS_PER_MONTH)


def test_vacancy_fill_times_hand_computed(staff):
    f = calibrate.vacancy_fill_times(staff, AS_OF).set_index("organisation")
    total = (31 + 792) / calibrate.DAYS_PER_MONTH
    assert f.loc["A", "leavers"] == 2 and f.loc["A", "filled"] == 1 and f.loc["A", "open"] == 1
    assert f.loc["A", "mean_months"] == pytest.approx(total)
    assert f.loc["A", "vacant_months"] == pytest.approx(total)
    assert f.loc["A", "mean_low"] == pytest.approx(2 * total / 7.3778, rel=1e-4)
    assert f.loc["A", "median_filled_months"] == pytest.approx(31 / calibrate.DAYS_PER_MONTH)


def test_vacancy_fifo_and_renewal():
    # b1 renews her contract (no leaver); b2, b3 leave; c1 fills b2's slot, c2 fills b3's
    st = staff_frame([
        ("b1", "B", "T", 1.0, "2019-01-01", "2019-12-31", "end_of_contract"),
        ("b1", "B", "T", 1.0, "2020-01-01", NaT, NaT),
        ("b2", "B", "T", 1.0, "2019-01-01", "2020-01-31", "voluntary"),
        ("b3", "B", "T", 1.0, "2019-01-01", "2020-02-29", "voluntary"),
        ("c1", "B", "T", 1.0, "2020-02-15", NaT, NaT),
        ("c2", "B", "T", 1.0, "2020-04-01", NaT, NaT),
    ])
    ev = calibrate.vacancy_fill_events(st, date(2020, 12, 31)).sort_values("end_date")
    assert list(ev["filled"]) == [True, True]
    assert list(ev["fill_date"]) == [pd.Timestamp("2020-02-15"), pd.Timestamp("2020-04-01")]
    days = [(pd.Timestamp("2020-02-15") - pd.Timestamp("2020-01-31")).days - 1,
            (pd.Timestamp("2020-04-01") - pd.Timestamp("2020-02-29")).days - 1]
    assert list(ev["months"]) == pytest.approx([d / calibrate.DAYS_PER_MONTH for d in days])


# ----------------------------------------------------------------- tenure

def test_kaplan_meier_hand_computed():
    km = calibrate.kaplan_meier(np.array([1, 2, 3, 4, 5.0]),
                                np.array([True, True, False, True, False]))
    assert list(km["time"]) == [1, 2, 4]
    assert list(km["at_risk"]) == [5, 4, 2]
    assert list(km["survival"]) == pytest.approx([0.8, 0.6, 0.3])
    med, lo, hi = calibrate.km_median(km)
    assert med == 4
    assert np.all(km["low"] <= km["survival"]) and np.all(km["survival"] <= km["high"])


def test_kaplan_meier_delayed_entry():
    km = calibrate.kaplan_meier(np.array([1.0, 3.0, 4.0]), np.array([True, True, True]),
                                entry=np.array([0.0, 0.0, 2.5]))
    assert list(km["at_risk"]) == [2, 2, 1]
    assert list(km["survival"]) == pytest.approx([0.5, 0.25, 0.0])


def test_km_median_not_reached():
    km = calibrate.kaplan_meier(np.array([1.0, 5, 5, 5]), np.array([True, False, False, False]))
    assert math.isnan(calibrate.km_median(km)[0])


def test_tenure_spells_merge_and_truncation(staff):
    sp = calibrate.tenure_spells(staff, AS_OF)
    assert len(sp) == 5  # a3's two spells merged
    a3 = sp[sp["start"] == pd.Timestamp("2018-06-01")].iloc[0]
    assert not a3["event"]
    assert a3["duration"] == pytest.approx(
        (pd.Timestamp("2022-01-01") - pd.Timestamp("2018-06-01")).days / 365.25)
    assert a3["entry"] == pytest.approx(214 / 365.25)  # observed from 2019-01-01
    a4 = sp[sp["start"] == pd.Timestamp("2019-05-01")].iloc[0]
    assert a4["event"] and a4["entry"] == 0
    assert a4["duration"] == pytest.approx(184 / 365.25)
    t = calibrate.tenure(staff, AS_OF).set_index("organisation")
    assert t.loc["A", "persons"] == 5 and t.loc["A", "ended"] == 2


def test_base_state(staff):
    formation = pd.DataFrame({"organisation": ["A"], "year": [2020], "budgeted_fte": [3.5]})
    b = calibrate.base_state(staff, formation, date(2021, 1, 1), AS_OF)["A"]
    assert b.persons == 3  # a1, a3, a5
    assert b.fte == pytest.approx(1.0 + 0.5 + 0.9)
    assert b.budgeted_fte == 3.5  # latest formation year on or before 2021


def test_hour_shares():
    tr = pd.DataFrame({
        "organisation": ["A", "A", "A", "A", "B"],
        "date": pd.to_datetime(["2021-06-01", "2021-06-01", "2021-07-01", "2019-01-01",
                                "2021-03-01"]),
        "activity": ["statutory_individual", "preventive_collective", "overhead",
                     "statutory_individual", "preventive_individual"],
        "hours": [6.0, 3.0, 1.0, 50.0, 2.0],
    })
    h = history.hour_shares(tr, AS_OF).set_index("organisation")
    assert h.loc["A", "hours"] == 10  # the 2019 row is outside the last 12 months
    assert h.loc["A", ["statutory", "preventive", "other"]].tolist() == pytest.approx(
        [0.6, 0.3, 0.1])
    assert h.loc[ALL, "hours"] == 12
    assert h.loc["B", "preventive"] == 1.0


# ----------------------------------------------------------------- simulation

def _start(persons=10, fte=1.0, formation=None, stat=0.5, prev=0.25):
    return simulate.OrgStart("A", persons, fte, persons * fte if formation is None else formation,
                             stat, prev, 2026)


def _assume(**kw):
    base = dict(outflow_rate=0.0, months_to_fill=0.0, ramp_up_months=0,
                new_hire_productivity=1.0, wage_growth=0.0, indexation=0.0,
                population_growth=0.0, demand_trend=0.0, overhead_share=0.25)
    base.update(kw)
    return simulate.Assumptions(**base)


MONTHS = pd.period_range("2027-01", periods=96, freq="M")


def test_funded_path_hand_computed():
    path = simulate.funded_path(100.0, pd.period_range("2026-12", periods=14, freq="M"), 2026,
                                wage_growth=0.04, indexation=0.02)
    assert path[0] == 100.0
    assert path[1] == pytest.approx(100 * 1.02 / 1.04)     # January 2027
    assert path[13] == pytest.approx(100 * (1.02 / 1.04) ** 2)  # January 2028


def test_monthly_leave_probability():
    assert simulate.monthly_leave_probability(0.12) == pytest.approx(1 - math.exp(-0.01))
    assert simulate.monthly_leave_probability(0.0) == 0.0


def test_ramp_up_and_capacity_hand_computed():
    # 10 staff, formation 12 FTE, vacancies filled at once, ramp 4 months from 0.5
    a = _assume(ramp_up_months=4, new_hire_productivity=0.5)
    r = simulate.simulate_org(_start(formation=12.0), a, MONTHS[:6], 3,
                              np.random.default_rng(0))
    eff = r["effective_fte"][0]
    assert eff.tolist() == pytest.approx([11.0, 11.25, 11.5, 11.75, 12.0, 12.0])
    assert np.all(r["employed"] == 12)
    assert np.all(r["vacancies_fte"] == 0)
    # capacity: core = 0.75 * eff; statutory demand = 10 * 0.5 = 5 served first
    assert r["statutory_fte"][0, 0] == pytest.approx(5.0)
    assert r["preventive_fte"][0, 0] == pytest.approx(0.75 * 11 - 5)
    assert r["preventive_share"][0, 0] == pytest.approx((0.75 * 11 - 5) / (0.75 * 11))


def test_demand_above_capacity_leaves_no_prevention():
    a = _assume(population_growth=0.5)  # demand x1.5 per year
    r = simulate.simulate_org(_start(), a, MONTHS[:24], 2, np.random.default_rng(0))
    # core capacity 7.5 FTE; demand 5 * 1.5 ** (t/12) passes 7.5 after 12 months
    assert r["preventive_share"][0, -1] == 0.0
    assert r["unmet_statutory_fte"][0, -1] == pytest.approx(5 * 1.5 ** 2 - 7.5)
    assert r["unmet_statutory_fte"][0, 0] == 0.0


def test_zero_outflow_no_wage_gap_stays_at_formation():
    r = simulate.simulate_org(_start(persons=40, fte=0.8), _assume(indexation=0.03,
                              wage_growth=0.03), MONTHS, 50, np.random.default_rng(1))
    assert np.all(r["employed"] == 40)
    assert np.allclose(r["effective_fte"], 32.0)
    assert np.allclose(r["funded_fte"], 32.0)
    assert np.all(r["stayers_share"] == 1.0)
    assert np.all(r["vacancies_fte"] == 0)


def test_wage_gap_shrinks_formation_by_attrition():
    a = _assume(outflow_rate=0.15, months_to_fill=2, wage_growth=0.05, indexation=0.01)
    r = simulate.simulate_org(_start(persons=100), a, MONTHS, 200, np.random.default_rng(2))
    funded_2034 = 100 * (1.01 / 1.05) ** 8
    assert r["funded_fte"][0, -1] == pytest.approx(funded_2034)
    assert np.median(r["employed"][:, -1]) <= round(funded_2034)


def test_stayers_match_constant_hazard():
    a = _assume(outflow_rate=0.11, months_to_fill=3)
    r = simulate.simulate_org(_start(persons=200), a, MONTHS, 400, np.random.default_rng(3))
    # each of today's staff survives 96 months with probability exp(-8 * 0.11)
    assert r["stayers_share"][:, -1].mean() == pytest.approx(math.exp(-0.88), abs=0.01)


@settings(max_examples=25, deadline=None)
@given(
    persons=st.integers(0, 60),
    rate=st.floats(0.0, 0.6),
    fill=st.floats(0.0, 12.0),
    ramp=st.integers(0, 12),
    prod=st.floats(0.0, 1.0),
    wage=st.floats(-0.02, 0.08),
    index=st.floats(-0.02, 0.08),
    growth=st.floats(-0.05, 0.1),
    overhead=st.floats(0.0, 0.9),
    stat=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**31),
)
def test_simulation_invariants(persons, rate, fill, ramp, prod, wage, index, growth, overhead,
                               stat, seed):
    start = simulate.OrgStart("A", persons, 0.8, persons * 0.8 * 1.05, stat, (1 - stat) / 2, 2026)
    a = simulate.Assumptions(rate, fill, ramp, prod, wage, index, growth, 0.0, overhead)
    r = simulate.simulate_org(start, a, MONTHS[:36], 20, np.random.default_rng(seed))
    for k in ("employed", "effective_fte", "vacancies_fte", "preventive_fte", "statutory_fte",
              "funded_fte"):
        assert np.all(r[k] >= -1e-9), k
    s = r["stayers_share"]
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s, axis=1) <= 1e-12)
    p = r["preventive_share"]
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(r["effective_fte"] <= r["employed"] * 0.8 + 1e-9)
    again = simulate.simulate_org(start, a, MONTHS[:36], 20, np.random.default_rng(seed))
    for k in simulate.OUTPUTS:
        assert np.array_equal(r[k], again[k]), k


def _calib(outflow=0.11):
    starts = {o: simulate.OrgStart(o, p, 0.8, p * 0.8, 0.55, 0.25, 2026)
              for o, p in (("DOCK", 100), ("Incluzio", 80), ("SMD", 50))}
    values = {o: {"outflow_rate": outflow, "months_to_fill": 3.0, "overhead_share": 0.2,
                  "wage_gap": 0.01} for o in starts}
    return runs.Calibration(starts, values)


def _settings(name="baseline", **kw):
    return scenarios.with_horizon(scenarios.scenario_settings(name, kw), 2027, 2034)


def test_run_scenario_city_and_seed():
    s = _settings(runs=50, outflow_rate=0.11)
    res = runs.run_scenario(s, _calib())
    assert set(res) == {"DOCK", "Incluzio", "SMD", ALL}
    assert np.array_equal(res[ALL]["employed"],
                          sum(res[o]["employed"] for o in ("DOCK", "Incluzio", "SMD")))
    assert res[ALL].start_persons == 230
    again = runs.run_scenario(s, _calib())
    assert np.array_equal(res[ALL]["preventive_share"], again[ALL]["preventive_share"])
    # one organisation alone gives the same draws as in the full run
    single = runs.run_scenario(s, _calib(), ["SMD"])
    assert set(single) == {"SMD"}
    assert np.array_equal(single["SMD"]["employed"], res["SMD"]["employed"])
    other = runs.run_scenario({**s, "seed": 1}, _calib())
    assert not np.array_equal(res[ALL]["employed"], other[ALL]["employed"])


def test_fan_and_summary():
    s = _settings("stable", runs=40, outflow_rate=0.07)
    res = runs.run_scenario(s, _calib())
    f = simulate.fan(res[ALL], "effective_fte")
    assert len(f) == 96 and list(f.columns[-3:]) == ["p10", "p50", "p90"]
    assert np.all(f["p10"] <= f["p50"]) and np.all(f["p50"] <= f["p90"])
    row = simulate.summarise(res[ALL], "stable")
    assert row["year"] == 2034
    assert 0 <= row["preventive_share_p10"] <= row["preventive_share_p90"] <= 1
    # a fixed 7% per year -> about exp(-0.56) = 57% of today's staff still there
    assert row["stayers_share_p50"] == pytest.approx(math.exp(-0.56), abs=0.04)
    probs = simulate.stayers_probabilities(res[ALL])
    assert sum(probs.values()) == pytest.approx(1.0)


def test_tenure_bands_lower_leaving_of_long_servingstaff_frame():
    """Hazard 0.3 in the first year, 0.05 later: long-serving staff stay far more often."""
    a = _assume(outflow_rate=0.0, months_to_fill=1.0)
    months = MONTHS[:24]
    haz = np.broadcast_to(np.array([0.3, 0.05])[None, None, :], (400, 24, 2))
    new = simulate.OrgStart("A", 100, 1.0, 100.0, 0.5, 0.25, 2026, tenures=(0,) * 100)
    old = simulate.OrgStart("A", 100, 1.0, 100.0, 0.5, 0.25, 2026, tenures=(60,) * 100)
    rn = simulate.simulate_org(new, a, months, 400, np.random.default_rng(1), hazard=haz,
                               band_edges_months=(12,))
    ro = simulate.simulate_org(old, a, months, 400, np.random.default_rng(1), hazard=haz,
                               band_edges_months=(12,))
    # new staff: a year at 0.3 then a year at 0.05; long-serving: two years at 0.05
    assert rn["stayers_share"][:, -1].mean() == pytest.approx(math.exp(-0.35), abs=0.01)
    assert ro["stayers_share"][:, -1].mean() == pytest.approx(math.exp(-0.10), abs=0.01)


def test_uncertainty_in_every_scenario_of_the_file():
    """Each packaged scenario draws calibrated values per run: runs differ in their rates."""
    from zwt_analysis.reports.workforce import hazards

    cells = pd.DataFrame({"organisation": ["DOCK"] * 4, "year": [2023, 2023, 2024, 2024],
                          "band": [0, 1, 0, 1], "person_years": [20.0, 60.0, 20.0, 60.0],
                          "exits": [6.0, 6.0, 5.0, 7.0]})
    model = hazards.fit_model(cells, ["DOCK"], [1.0], 2024, 1, 0.05, 4)
    start = simulate.OrgStart("DOCK", 80, 0.8, 64.0, 0.55, 0.25, 2026, tenures=(30,) * 80)
    calib = runs.Calibration({"DOCK": start}, {"DOCK": {
        "outflow_rate": 0.12, "months_to_fill": 3.0, "overhead_share": 0.2, "wage_gap": 0.01}},
        model, (12,), {"DOCK": (20, 60.0)},
        {"DOCK": runs.GapEstimate(0.01, 0.003, 6, "gemeten")})
    for name in scenarios.load_scenarios()["scenarios"]:
        s = _settings(name, runs=60)
        assert s["parameter_uncertainty"] is True, name
        res = runs.run_scenario(s, calib)["DOCK"]
        fixed = runs.run_scenario(s, calib, parameter_uncertainty=False)["DOCK"]
        spread = np.std(res["stayers_share"][:, -1])
        assert spread > np.std(fixed["stayers_share"][:, -1]), name


def test_scenario_file_complete_and_checked(tmp_path):
    cfg = scenarios.load_scenarios()
    assert {"baseline", "trend_continues", "high_turnover", "indexation_gap",
            "stable"} <= set(cfg["scenarios"])
    for sc in cfg["scenarios"].values():
        assert "start" not in sc and "months" not in sc  # the horizon comes from the data
    assert set(cfg["sensitivity"]) <= set(scenarios.ASSUMPTION_KEYS)
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps({"scenarios": {"x": {"outflow_rate": 0.1}}}))
    with pytest.raises(ValueError, match="lacks"):
        scenarios.load_scenarios(bad)
    sc = dict(cfg["scenarios"]["baseline"], ramp_up_months="calibrated")
    bad.write_text(json.dumps({"scenarios": {"x": sc}}))
    with pytest.raises(ValueError, match="cannot be 'calibrated'"):
        scenarios.load_scenarios(bad)
    sc = dict(cfg["scenarios"]["baseline"], outflow_trend="up")
    bad.write_text(json.dumps({"scenarios": {"x": sc}}))
    with pytest.raises(ValueError, match="outflow_trend"):
        scenarios.load_scenarios(bad)
    with pytest.raises(ValueError, match="unknown scenario"):
        scenarios.scenario_settings("nope")


def test_horizon_from_the_municipality():
    s = scenarios.with_horizon(scenarios.scenario_settings("baseline"), 2031, 2035)
    h = scenarios.horizon(s)
    assert str(h[0]) == "2031-01" and str(h[-1]) == "2035-12" and len(h) == 60
    own = scenarios.with_horizon({**scenarios.scenario_settings("baseline"), "start": "2028-07",
                                  "months": 12}, 2031, 2035)
    assert str(scenarios.horizon(own)[0]) == "2028-07"


def test_overrides_and_resolve():
    s = scenarios.scenario_settings("baseline", {"outflow_rate": 0.2, "wage_growth": None})
    a = scenarios.resolve(s, {"months_to_fill": 4.0, "overhead_share": 0.3, "wage_gap": 0.008})
    assert a.outflow_rate == 0.2 and a.months_to_fill == 4.0 and a.overhead_share == 0.3
    # calibrated wage growth = indexation + the measured gap (+ the scenario's extra gap)
    assert a.wage_growth == pytest.approx(0.025 + 0.008)
    gap = scenarios.resolve(scenarios.scenario_settings("indexation_gap"), {
        "outflow_rate": 0.1, "months_to_fill": 2.0, "overhead_share": 0.3, "wage_gap": 0.008})
    assert gap.wage_growth == pytest.approx(0.025 + 0.008 + 0.01)
    high = scenarios.resolve(scenarios.scenario_settings("high_turnover"), {
        "outflow_rate": 0.1, "months_to_fill": 2.0, "overhead_share": 0.3, "wage_gap": 0.0})
    assert high.outflow_rate == pytest.approx(0.133) and high.months_to_fill == 3.0
    # text as `zwt report --param` passes it
    t = scenarios.scenario_settings("baseline", {"outflow_rate": "0,15", "ramp_up_months": "4",
                                                 "months_to_fill": "calibrated"})
    assert t["outflow_rate"] == 0.15 and t["ramp_up_months"] == 4
    assert t["months_to_fill"] == "calibrated"
    with pytest.raises(ValueError, match="must be a number"):
        scenarios.scenario_settings("baseline", {"wage_growth": "veel"})
    with pytest.raises(ValueError, match="no calibrated value"):
        scenarios.resolve(scenarios.scenario_settings("baseline"), {})


def test_sensitivity_directions():
    s = _settings(outflow_rate=0.11)
    t = runs.sensitivity(s, _calib(), {"overhead_share": [0.1, 0.4],
                                       "demand_trend": [-0.01, 0.04]}, runs=30)
    assert list(t.columns) == ["parameter", "low", "high", "result_low", "result_high", "base",
                               "swing"]
    t = t.set_index("parameter")
    # more overhead and more statutory demand both leave less for prevention
    assert t.loc["overhead_share", "result_high"] < t.loc["overhead_share", "result_low"]
    assert t.loc["demand_trend", "result_high"] < t.loc["demand_trend", "result_low"]
    assert t["swing"].is_monotonic_decreasing


def test_compare_scenarios_rows_and_extra():
    extra = {"eigen": _settings("stable", runs=20, seed=4, outflow_rate=0.07)}
    named = {"stable": _settings("stable", runs=20, seed=4, outflow_rate=0.07)}
    summary, res = runs.compare_scenarios(["baseline"], _calib(), 20, 4, (2027, 2034),
                                          extra={**named, **extra},
                                          organisations=["DOCK", "SMD"])
    assert list(res) == ["baseline", "stable", "eigen"]
    assert len(summary) == 9 and set(summary["organisation"]) == {"DOCK", "SMD", ALL}
    a = summary[summary["scenario"] == "stable"].drop(columns="scenario").reset_index(drop=True)
    b = summary[summary["scenario"] == "eigen"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------- validation

TRUTH = model_checks.ProcessTruth(positions={"DOCK": 90, "Incluzio": 70, "SMD": 50},
                                  rate={"DOCK": 0.10, "Incluzio": 0.13, "SMD": 0.16},
                                  fill={"DOCK": 2.5, "Incluzio": 3.5, "SMD": 4.5},
                                  drift=0.05)


def test_recovery_process_differs_from_the_estimators():
    """The test process is not the estimators' own: hazard falls with tenure, gamma gaps."""
    staff, expected = model_checks.synthetic_staff_history(TRUTH, seed=3)
    eps = __import__("zwt_analysis.reports.workforce.outflow", fromlist=["x"]).episodes(
        staff, date(2026, 12, 31))
    done = eps[eps["exit"] & (eps["organisation"] != ALL)]
    tenure = (done["end"] - done["start"]).dt.days / 365.25
    # a falling hazard leaves short tenures over-represented against an exponential
    assert (tenure < 1).mean() > 1 - math.exp(-0.13)
    assert set(expected["organisation"]) == set(TRUTH.positions)


def test_parameter_recovery_single_history():
    rec = model_checks.parameter_recovery(TRUTH, seed=11)
    assert set(rec["parameter"].str.replace(r"_\d{4}$", "", regex=True)) == {
        "drift", "months_to_fill", "outflow"}
    assert rec.loc[rec["parameter"] == "drift", "covered"].all(), rec
    assert rec.loc[rec["parameter"] == "months_to_fill", "covered"].all(), rec
    assert rec.loc[rec["parameter"].str.startswith("outflow"), "covered"].mean() >= 0.85


@pytest.mark.slow
def test_parameter_recovery_coverage_over_replicates():
    """Nominal 95%; 10 histories of another process. No interval is widened here."""
    recs = pd.concat([model_checks.parameter_recovery(TRUTH, seed=s) for s in range(10)])
    kind = recs["parameter"].str.replace(r"_\d{4}$", "", regex=True)
    coverage = recs.groupby(kind)["covered"].mean()
    assert coverage["drift"] >= 0.8, coverage          # 10 intervals
    assert coverage["months_to_fill"] >= 0.8, coverage  # 30 intervals
    assert coverage["outflow"] >= 0.88, coverage        # 240 intervals


def test_drift_test_size_without_drift():
    """Without drift the common drift is called significant rarely (nominal 5%)."""
    flat = model_checks.ProcessTruth(TRUTH.positions, TRUTH.rate, TRUTH.fill, drift=0.0)
    hits = 0
    for seed in range(8):
        rec = model_checks.parameter_recovery(flat, seed=100 + seed)
        d = rec[rec["parameter"] == "drift"].iloc[0]
        hits += int(d["low"] > 0 or d["high"] < 0)
    assert hits <= 2


def test_backtest_rolling_on_leavers_and_it_can_fail():
    """Rolling back-test: each cut-off predicts the next full year. With the calibrated
    rates most years fall in the band; with a wrong outflow (three times too high) few do,
    and none of the city's (a headcount back-test would pass both: the formation pins it)."""
    staff, _ = model_checks.synthetic_staff_history(TRUTH, seed=5, until="2026-09-30")
    formation = pd.DataFrame([(o, y, p * 0.8) for o, p in TRUTH.positions.items()
                              for y in range(2019, 2027)],
                             columns=["organisation", "year", "budgeted_fte"])
    tables = {"staff": staff, "formation": formation}
    right = model_checks.backtest(tables, date(2026, 9, 30),
                                  scenarios.scenario_settings("baseline", {"seed": 3}), 100, 3)
    assert sorted(right.yearly["year"].unique()) == [2022, 2023, 2024, 2025]  # cuts 2021-24
    assert set(right.errors["organisation"]) == {"DOCK", "Incluzio", "SMD", ALL}
    assert (right.yearly["leavers_p10"] <= right.yearly["leavers_p90"]).all()
    assert right.yearly["in_band"].mean() >= 0.6  # nominal 80% over 16 predictions
    wrong = model_checks.backtest(tables, date(2026, 9, 30), scenarios.scenario_settings(
        "baseline", {"seed": 3, "outflow_factor": 3.0}), 100, 3)
    assert wrong.yearly["in_band"].mean() <= 0.4
    assert not wrong.yearly.loc[wrong.yearly["organisation"] == ALL, "in_band"].any()


def test_backtest_cut_years_derived_from_the_data():
    assert model_checks.cut_years(2019, date(2026, 9, 30), 3) == [2021, 2022, 2023, 2024]
    assert model_checks.cut_years(2025, date(2025, 9, 30), 3) == []
    assert model_checks.cut_years(None, date(2025, 9, 30), 3) == []
    assert model_checks.cut_years(2019, date(2024, 12, 31), 3) == [2021, 2022, 2023]


# ----------------------------------------------------------------- synthetic data

@pytest.mark.slow
def test_calibration_against_ground_truth(small_raw, small_processed):
    """``<raw>/ground_truth.json`` key ``workforce``: realised rates and refill months.

    The synthetic data have no renewals, so the exits per organisation-year equal the
    catalogue indicator the ground truth was realised with. No interval is widened.
    """
    from zwt_analysis import processed

    truth = json.loads((small_raw / "ground_truth.json").read_text(encoding="utf-8"))["workforce"]
    tables = processed.read_tables(small_processed, ["staff", "formation", "time_registrations"])
    as_of = processed.as_of(small_processed)
    hist = history.calibrate_history(tables, as_of)
    yearly = hist.yearly.set_index(["organisation", "year"])
    for org, by_year in truth["realised_outflow_rate"].items():
        for y, v in by_year.items():
            assert yearly.loc[(org, int(y)), "outflow_rate"] == pytest.approx(v, abs=1e-4)
    fill = hist.fill.set_index("organisation")
    covered = [fill.loc[o, "mean_low"] <= m <= fill.loc[o, "mean_high"]
               for o, m in truth["refill_months_mean"].items()]
    assert sum(covered) >= len(covered) - 1, fill  # 95% intervals, three organisations
    assert set(hist.calibration.starts) == set(truth["realised_outflow_rate"])
    for st_ in hist.calibration.starts.values():
        assert st_.persons > 0 and 0 < st_.fte_per_person <= 1.2
        assert len(st_.tenures) == st_.persons


@pytest.mark.slow
def test_backtest_and_scenarios_on_synthetic(small_processed):
    from zwt_analysis import processed

    tables = processed.read_tables(small_processed, ["staff", "formation", "time_registrations"])
    as_of = processed.as_of(small_processed)
    bt = model_checks.backtest(tables, as_of, scenarios.scenario_settings("baseline"), 100)
    assert (bt.yearly["leavers_p10"] <= bt.yearly["leavers_p90"]).all()
    hist = history.calibrate_history(tables, as_of)
    summary, _ = runs.compare_scenarios(["baseline", "stable"], hist.calibration, 50, 1,
                                        (2027, 2034))
    assert len(summary) == 2 * 4
    assert summary["preventive_share_p50"].between(0, 1).all()


# ----------------------------------------------------------------- figures

def test_plots_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = runs.run_scenario(_settings("stable", runs=20, outflow_rate=0.07), _calib())
    fig = scenario_plots.plot_small_multiples(res, ("effective_fte", "stayers_share"),
                                              [ALL, "DOCK", "SMD"], "t")
    assert len(fig.axes) == 6  # 2 outputs x 3 organisations: small multiples, no mud of bands
    assert all(len(ax.collections) >= 1 for ax in fig.axes)
    sens = runs.sensitivity(_settings("stable", outflow_rate=0.07), _calib(),
                            {"overhead_share": [0.1, 0.4]}, runs=10)
    fig3 = scenario_plots.plot_tornado(sens, "Stabiel")
    assert len(fig3.axes[0].patches) == 2
    plt.close("all")


def test_yearly_outflow_plot_draws_only_what_the_table_prints():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yearly = pd.DataFrame({"organisation": ["A", "A", "A"], "year": [2019, 2020, 2021],
                           "full_year": [True, True, False], "stock_jan1": [100.0] * 3,
                           "leavers": [10.0, np.nan, 12.0],  # 2020 suppressed (masked)
                           "outflow_rate": [0.10, np.nan, 0.12],
                           "outflow_low": [0.05, np.nan, 0.06],
                           "outflow_high": [0.18, np.nan, 0.2]})
    fig = scenario_plots.plot_yearly_outflow(yearly, ["A"], 0.11, "CBS AZW")
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()) == [0.10]  # 2020 is masked, 2021 is not a full year
    plt.close(fig)


def test_decimal_years_and_ticks():
    months = pd.period_range("2027-01", periods=96, freq="M")
    x, ticks = scenario_plots._decimal_years(months)
    assert x[0] == 2027 and x[12] == 2028 and x[-1] == pytest.approx(2034 + 11 / 12)
    assert ticks == [2027, 2029, 2031, 2033, 2035]
    _, short = scenario_plots._decimal_years(pd.period_range("2025-01", "2026-09", freq="M"))
    assert short == [2025, 2026, 2027]
