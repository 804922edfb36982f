"""Workforce scenarios: calibration, simulation invariants, recovery, back-test, report.

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

First leaver 2019 -> pooled years 2019-2021. 1 January stock 3, 3, 3 = 9
person-years; leavers 2019: a4 (a3 moved internally), 2020: a2 -> 2;
newcomers 2019: a4, 2020: a5 -> 2.
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

from zwt_analysis.contract import ALL
from zwt_analysis.labels import org_name
from zwt_analysis.processed import coerce_types
from zwt_analysis.reports.workforce import calibrate, history, model_checks, simulate
from zwt_analysis.reports.workforce import plots as scenario_plots
from zwt_analysis.reports.workforce import tables as scenario_report

AS_OF = date(2021, 12, 31)
NaT = None


def _staff(rows):
    df = pd.DataFrame(rows, columns=["employee_id", "organisation", "team", "fte", "start_date",
                                     "end_date", "end_reason"])
    return coerce_types("staff", df)


@pytest.fixture
def staff() -> pd.DataFrame:
    return _staff([
        ("a1", "A", "A-1", 1.0, "2018-01-01", NaT, NaT),
        ("a2", "A", "A-1", 0.8, "2018-01-01", "2020-06-30", "voluntary"),
        ("a3", "A", "A-1", 0.5, "2018-06-01", "2019-03-31", "transfer_internal"),
        ("a3", "A", "A-2", 0.5, "2019-04-01", NaT, NaT),
        ("a4", "A", "A-2", 1.0, "2019-05-01", "2019-10-31", "end_of_contract"),
        ("a5", "A", "A-1", 0.9, "2020-08-01", NaT, NaT),
    ])


# ----------------------------------------------------------------- intervals

def test_poisson_interval_known_values():
    lo, hi = calibrate.poisson_rate_interval(0, 10)
    assert lo == 0.0
    assert hi == pytest.approx(0.36889, abs=1e-4)  # 3.689 / 10
    lo, hi = calibrate.poisson_rate_interval(5, 1)
    assert (lo, hi) == pytest.approx((1.6235, 11.6683), abs=1e-3)
    assert all(math.isnan(x) for x in calibrate.poisson_rate_interval(3, 0))


def test_exponential_mean_interval():
    # 1 event, 10 months: chi2(0.975, 2) = 7.3778, chi2(0.025, 2) = 0.050636
    lo, hi = calibrate.exponential_mean_interval(1, 10.0)
    assert lo == pytest.approx(20 / 7.3778, rel=1e-4)
    assert hi == pytest.approx(20 / 0.050636, rel=1e-4)
    assert all(math.isnan(x) for x in calibrate.exponential_mean_interval(0, 5.0))


# ----------------------------------------------------------------- turnover

def test_turnover_rates_hand_computed(staff):
    r = calibrate.turnover_rates(staff, AS_OF).set_index("organisation")
    a = r.loc["A"]
    assert a["years"] == "2019-2021"
    assert a["person_years"] == 9
    assert a["leavers"] == 2
    assert a["outflow_rate"] == pytest.approx(2 / 9)
    assert a["outflow_low"] == pytest.approx(0.02691, abs=1e-4)
    assert a["outflow_high"] == pytest.approx(0.80274, abs=1e-4)
    assert a["newcomers"] == 2
    assert a["inflow_rate"] == pytest.approx(2 / 9)
    # the city with one organisation is that organisation
    assert r.loc[ALL, "outflow_rate"] == pytest.approx(2 / 9)


def test_pool_rates_leaves_out_partial_year(staff):
    yearly = calibrate.yearly_turnover(staff, date(2021, 6, 30))
    assert not yearly.loc[yearly["year"] == 2021, "full_year"].any()
    pooled = calibrate.pool_rates(yearly, years=(2019, 2030)).set_index("organisation")
    assert pooled.loc["A", "person_years"] == 6
    assert pooled.loc["A", "years"] == "2019-2020"


def test_stayers_after_and_implied_range():
    assert calibrate.stayers_after(0.11, 8) == pytest.approx(0.89 ** 8)
    assert calibrate.stayers_after(0.11, 8) == pytest.approx(0.3937, abs=1e-4)
    assert calibrate.stayers_after(1.5, 8) == 0.0
    lo, hi = calibrate.implied_rate_range(0.10, 0.20, 8)
    assert lo == pytest.approx(0.01308, abs=1e-5)
    assert hi == pytest.approx(0.02751, abs=1e-5)


def test_eight_year_check():
    rates = pd.DataFrame({"organisation": ["X", "Y"], "outflow_rate": [0.11, 0.02],
                          "outflow_low": [0.09, 0.015], "outflow_high": [0.13, 0.025]})
    out = calibrate.eight_year_check(rates).set_index("organisation")
    assert out.loc["X", "leavers_share"] == pytest.approx(1 - 0.89 ** 8)
    assert out.loc["X", "leavers_low"] == pytest.approx(1 - 0.91 ** 8)
    assert out.loc["X", "leavers_high"] == pytest.approx(1 - 0.87 ** 8)
    assert not out.loc["X", "consistent_with_10_20"]  # ~61% leave, interval far above 20%
    assert out.loc["Y", "consistent_with_10_20"]      # 2%/yr -> ~15% in eight years


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
    assert f.loc["A", "mean_low"] == pytest.approx(2 * total / 7.3778, rel=1e-4)
    assert f.loc["A", "median_filled_months"] == pytest.approx(31 / calibrate.DAYS_PER_MONTH)


def test_vacancy_fifo_and_renewal():
    # b1 renews her contract (no leaver); b2, b3 leave; c1 fills b2's slot, c2 fills b3's
    st = _staff([
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
    values = {o: {"outflow_rate": outflow, "months_to_fill": 3.0, "overhead_share": 0.2}
              for o in starts}
    return simulate.Calibration(starts, values, {o: (55.0, 500.0) for o in starts})


def test_run_scenario_city_and_seed():
    s = simulate.scenario_settings("baseline", {"runs": 50})
    res = simulate.run_scenario(s, _calib())
    assert set(res) == {"DOCK", "Incluzio", "SMD", ALL}
    assert np.array_equal(res[ALL]["employed"],
                          sum(res[o]["employed"] for o in ("DOCK", "Incluzio", "SMD")))
    assert res[ALL].start_persons == 230
    again = simulate.run_scenario(s, _calib())
    assert np.array_equal(res[ALL]["preventive_share"], again[ALL]["preventive_share"])
    # one organisation alone gives the same draws as in the full run
    single = simulate.run_scenario(s, _calib(), ["SMD"])
    assert set(single) == {"SMD"}
    assert np.array_equal(single["SMD"]["employed"], res["SMD"]["employed"])
    other = simulate.run_scenario({**s, "seed": 1}, _calib())
    assert not np.array_equal(res[ALL]["employed"], other[ALL]["employed"])


def test_fan_and_summary():
    s = simulate.scenario_settings("stable", {"runs": 40})
    res = simulate.run_scenario(s, _calib())
    f = simulate.fan(res[ALL], "effective_fte")
    assert len(f) == 96 and list(f.columns[-3:]) == ["p10", "p50", "p90"]
    assert np.all(f["p10"] <= f["p50"]) and np.all(f["p50"] <= f["p90"])
    row = simulate.summarise(res[ALL], "stable")
    assert row["year"] == 2034
    assert 0 <= row["preventive_share_p10"] <= row["preventive_share_p90"] <= 1
    # stable: 7% per year -> about exp(-0.56) = 57% of today's staff still there
    assert row["stayers_share_p50"] == pytest.approx(math.exp(-0.56), abs=0.04)
    probs = simulate.stayers_probabilities(res[ALL])
    assert sum(probs.values()) == pytest.approx(1.0)


def test_scenario_file_complete_and_checked(tmp_path):
    cfg = simulate.load_scenarios()
    assert {"baseline", "high_turnover", "indexation_gap", "stable"} <= set(cfg["scenarios"])
    for sc in cfg["scenarios"].values():
        assert sc["months"] == 96 and sc["start"] == "2027-01"
    assert set(cfg["sensitivity"]) <= set(simulate.ASSUMPTION_KEYS)
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps({"scenarios": {"x": {"outflow_rate": 0.1}}}))
    with pytest.raises(ValueError, match="lacks"):
        simulate.load_scenarios(bad)
    sc = dict(cfg["scenarios"]["baseline"], wage_growth="calibrated")
    bad.write_text(json.dumps({"scenarios": {"x": sc}}))
    with pytest.raises(ValueError, match="cannot be 'calibrated'"):
        simulate.load_scenarios(bad)
    with pytest.raises(ValueError, match="unknown scenario"):
        simulate.scenario_settings("nope")


def test_overrides_and_resolve():
    s = simulate.scenario_settings("baseline", {"outflow_rate": 0.2, "wage_growth": None})
    a = simulate.resolve(s, {"months_to_fill": 4.0, "overhead_share": 0.3})
    assert a.outflow_rate == 0.2 and a.months_to_fill == 4.0 and a.overhead_share == 0.3
    assert a.wage_growth == simulate.load_scenarios()["scenarios"]["baseline"]["wage_growth"]
    # text as `zwt report --param` passes it
    t = simulate.scenario_settings("baseline", {"outflow_rate": "0,15", "ramp_up_months": "4",
                                                "months_to_fill": "calibrated"})
    assert t["outflow_rate"] == 0.15 and t["ramp_up_months"] == 4
    assert t["months_to_fill"] == "calibrated"
    with pytest.raises(ValueError, match="must be a number"):
        simulate.scenario_settings("baseline", {"wage_growth": "veel"})
    with pytest.raises(ValueError, match="no calibrated value"):
        simulate.resolve(simulate.scenario_settings("baseline"), {})


def test_sensitivity_directions():
    s = simulate.scenario_settings("baseline")
    t = simulate.sensitivity(s, _calib(), {"overhead_share": [0.1, 0.4],
                                           "demand_trend": [-0.01, 0.04]}, runs=30)
    assert list(t.columns) == ["parameter", "low", "high", "result_low", "result_high", "base",
                               "swing"]
    t = t.set_index("parameter")
    # more overhead and more statutory demand both leave less for prevention
    assert t.loc["overhead_share", "result_high"] < t.loc["overhead_share", "result_low"]
    assert t.loc["demand_trend", "result_high"] < t.loc["demand_trend", "result_low"]
    assert t["swing"].is_monotonic_decreasing


# ----------------------------------------------------------------- validation

TRUE_POSITIONS = {"DOCK": 90, "Incluzio": 70, "SMD": 50}
TRUE_RATE = {"DOCK": 0.10, "Incluzio": 0.13, "SMD": 0.16}
TRUE_FILL = {"DOCK": 2.5, "Incluzio": 3.5, "SMD": 4.5}


def test_parameter_recovery_single_history():
    rec = model_checks.parameter_recovery(TRUE_POSITIONS, TRUE_RATE, TRUE_FILL, seed=11)
    assert len(rec) == 9
    assert rec["covered"].all(), rec


def test_parameter_recovery_coverage_over_replicates():
    recs = pd.concat([model_checks.parameter_recovery(TRUE_POSITIONS, TRUE_RATE, TRUE_FILL, seed=s)
                      for s in range(8)])
    coverage = recs.groupby("parameter")["covered"].mean()
    assert (coverage >= 0.75).all(), coverage  # nominal 95%; 8 x 3 intervals each
    bias = (recs["estimate"] - recs["truth"]).groupby(recs["parameter"]).mean()
    assert abs(bias["outflow_rate"]) < 0.01


def test_backtest_on_known_process():
    """Calibrate on 2019-2024 of a known stable process; 2025-2026 must fall in the bands."""
    staff = model_checks.synthetic_staff_history(TRUE_POSITIONS, TRUE_RATE, TRUE_FILL, seed=5,
                                              until="2026-09-30")
    formation = pd.DataFrame([(o, y, p * 0.8) for o, p in TRUE_POSITIONS.items()
                              for y in range(2019, 2027)],
                             columns=["organisation", "year", "budgeted_fte"])
    tables = {"staff": staff, "formation": formation}
    s = simulate.scenario_settings("baseline", {"seed": 3})
    bt = model_checks.backtest(tables, date(2026, 9, 30), s, runs=300)
    assert set(bt.errors["organisation"]) == {"DOCK", "Incluzio", "SMD", ALL}
    assert bt.monthly["month"].min() == pd.Period("2025-01", freq="M")
    assert bt.monthly["month"].max() == pd.Period("2026-09", freq="M")
    e = bt.errors.set_index("organisation")
    assert (e["headcount_mape"] < 0.08).all(), e
    assert e.loc[ALL, "headcount_band_coverage"] >= 0.5
    assert (bt.yearly["months"].tolist()[:2] == [12, 9])


# ----------------------------------------------------------------- synthetic data

@pytest.mark.slow
def test_calibration_against_ground_truth(small_raw, small_processed):
    """``<raw>/ground_truth.json`` key ``workforce``: realised rates and refill months."""
    from zwt_analysis import processed

    truth = json.loads((small_raw / "ground_truth.json").read_text(encoding="utf-8"))["workforce"]
    tables = processed.read_tables(small_processed, ["staff", "formation", "time_registrations"])
    as_of = processed.as_of(small_processed)
    hist = history.calibrate_history(tables, as_of)
    yearly = hist.yearly.set_index(["organisation", "year"])
    rates = hist.rates.set_index("organisation")
    for org, by_year in truth["realised_outflow_rate"].items():
        years = [int(y) for y in by_year]
        for y, v in by_year.items():
            assert yearly.loc[(org, int(y)), "outflow_rate"] == pytest.approx(v, abs=1e-4)
        # pooled = stock-weighted mean of the realised yearly rates over the observed years
        sub = yearly.loc[org].loc[years]
        pooled = (sub["outflow_rate"] * sub["stock_jan1"]).sum() / sub["stock_jan1"].sum()
        assert rates.loc[org, "outflow_rate"] == pytest.approx(pooled)
        assert rates.loc[org, "years"] == f"{min(years)}-{max(years)}"
    fill = hist.fill.set_index("organisation")
    for org, months in truth["refill_months_mean"].items():
        lo, hi = fill.loc[org, ["mean_low", "mean_high"]]
        assert lo / 1.25 <= months <= hi * 1.25, (org, months, lo, hi)
    assert set(hist.calibration.starts) == set(truth["realised_outflow_rate"])
    for st_ in hist.calibration.starts.values():
        assert st_.persons > 0 and 0 < st_.fte_per_person <= 1.2
        assert 0 < st_.statutory_share < 1 and 0 < st_.preventive_share_hours < 1


@pytest.mark.slow
def test_backtest_and_scenarios_on_synthetic(small_processed):
    from zwt_analysis import processed

    tables = processed.read_tables(small_processed, ["staff", "formation", "time_registrations"])
    as_of = processed.as_of(small_processed)
    s = simulate.scenario_settings("baseline", {"runs": 100})
    bt = model_checks.backtest(tables, as_of, s, runs=100)
    assert np.isfinite(bt.errors["headcount_mape"]).all()
    assert (bt.monthly["p10"] <= bt.monthly["p90"]).all()
    hist = history.calibrate_history(tables, as_of)
    summary, res = simulate.compare_scenarios(["baseline", "stable"], hist.calibration, 50, 1)
    assert len(summary) == 2 * 4
    assert summary["preventive_share_p50"].between(0, 1).all()


# ----------------------------------------------------------------- report helpers

def _rates_fill_ten():
    rates = pd.DataFrame({
        "organisation": ["X", "Y", "Z", ALL], "years": "2019-2025",
        "person_years": [40.0, 300.0, 280.0, 620.0], "leavers": [3.0, 50.0, 40.0, 93.0],
        "outflow_rate": [0.075, 1 / 6, 1 / 7, 0.15], "outflow_low": [0.02, 0.12, 0.1, 0.12],
        "outflow_high": [0.2, 0.22, 0.19, 0.18], "newcomers": [6.0, 60.0, 45.0, 111.0],
        "inflow_rate": [0.15, 0.2, 0.16, 0.18], "inflow_low": [0.05, 0.15, 0.12, 0.15],
        "inflow_high": [0.3, 0.26, 0.21, 0.21]}).set_index("organisation")
    fill = pd.DataFrame({"organisation": ["X", "Y", "Z", ALL], "filled": [3, 45, 38, 86],
                         "open": [0, 5, 2, 7], "mean_months": [2.0, 3.0, 4.0, 3.5],
                         "mean_low": [1.0, 2.5, 3.0, 3.0], "mean_high": [9.0, 4.0, 5.0, 4.0]}
                        ).set_index("organisation")
    ten = pd.DataFrame({"organisation": ["X", "Y", "Z", ALL],
                        "median_years": [np.nan, 5.0, 6.0, 5.5], "median_low": [np.nan, 4, 5, 5],
                        "median_high": [np.nan, 6, 8, 6]}).set_index("organisation")
    return rates, fill, ten


def test_calibration_table_suppression_and_hidden():
    rates, fill, ten = _rates_fill_ten()
    cal = scenario_report.calibration_table(rates, fill, ten, [ALL, "X", "Y", "Z"])
    csv = cal["csv"].set_index("organisatie")
    # X has 3 leavers -> suppressed (<5) with its rate (x); the next-smallest (Z, 40) goes
    # with it as a secondary cell (x: it is not under 5)
    assert csv.loc["X", "vertrekkers"] == "<5" and csv.loc["X", "uitstroom"] == "x"
    assert csv.loc["Z", "vertrekkers"] == "x"
    assert csv.loc["Y", "vertrekkers"] == 50
    assert scenario_report.hidden_outflow(cal["csv"]) == {"X", "Z"}
    rounded = scenario_report.round_numbers(cal["csv"]).set_index("organisatie")
    assert rounded.loc["Y", "uitstroom"] == 0.1667 and rounded.loc["X", "uitstroom"] == "x"
    disp = cal["display"].set_index("Organisatie")
    assert disp.loc["X", "Uitstroom per jaar"] == "x"
    assert disp.loc["Y", "Uitstroom per jaar"] == "16,7% (12,0%–22,0%)"
    assert disp.loc["X", "Mediane verblijfsduur (jaren)"] == "mediaan niet bereikt"
    assert disp.loc["X", "Vacatures vervuld / nog open"] == "<5 / <5"
    text = scenario_report.sector_comparison_text(rates, [ALL, "X", "Y"], 0.11, {"X"})
    assert "X**: te weinig vertrekkers" in text and "7,5%" not in text
    assert "Y**: uitstroom 16,7% (12,0%–22,0%) per jaar — hoger dan" in text
    check = calibrate.eight_year_check(rates.reset_index())
    tab = scenario_report.eight_year_display(check, 0.11, {"X"}, source="CBS AZW"
                                             ).set_index("Organisatie")
    assert np.isnan(tab.loc["X", "Uitstroom per jaar"])
    assert tab.loc["Sector (CBS AZW, ca. 11%)", "Wisseling in 8 jaar"] == pytest.approx(
        1 - 0.89 ** 8)
    assert "X" in scenario_report.small_numbers_text(rates, [ALL, "X", "Y"], 20)
    assert scenario_report.small_numbers_text(rates, [ALL, "Y"], 20) == ""


def test_eight_year_text_plain_answer():
    rates, _, _ = _rates_fill_ten()
    check = calibrate.eight_year_check(rates.reset_index())
    s = simulate.scenario_settings("baseline", {"runs": 50})
    res = simulate.run_scenario(s, _calib(0.15))
    text = scenario_report.eight_year_text(check, res, [ALL], "Basis")
    assert "**73%**" in text  # 1 - 0.85 ** 8 = 72.7%
    assert "veel meer" in text and "vrijwel uitgesloten" in text
    assert "te weinig vertrekkers" in scenario_report.eight_year_text(check, res, [ALL], "B", {ALL})


def test_plots_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = simulate.run_scenario(simulate.scenario_settings("stable", {"runs": 20}), _calib())
    keys = ("effective_fte", "stayers_share", "preventive_share")
    fig = scenario_plots.plot_fan_panels(res, keys, ["DOCK", "SMD"], "t")
    assert sum(ax.get_visible() for ax in fig.axes) == 4  # 3 panels + the note panel
    assert len(fig.axes[0].lines) == 2  # one median per organisation
    fig2 = scenario_plots.plot_fans(res, "stayers_share", [ALL, "DOCK", "Incluzio"])
    assert sum(ax.get_visible() for ax in fig2.axes) == 3
    sens = simulate.sensitivity(simulate.scenario_settings("stable"), _calib(),
                                {"overhead_share": [0.1, 0.4]}, runs=10)
    fig3 = scenario_plots.plot_tornado(sens, "Stabiel")
    assert len(fig3.axes[0].patches) == 2
    plt.close("all")


def test_yearly_outflow_plot_hides_small_years(staff):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yearly = pd.DataFrame({"organisation": ["A", "A", "A"], "year": [2019, 2020, 2021],
                           "stock_jan1": [100.0, 100.0, 100.0], "leavers": [10.0, 3.0, 12.0],
                           "outflow_rate": [0.10, 0.03, 0.12], "full_year": [True, True, False]})
    fig = scenario_plots.plot_yearly_outflow(yearly, ["A"], 2019, 0.11, "CBS AZW")
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()) == [0.10]  # 2020 has <5 leavers, 2021 is not a full year
    plt.close(fig)


def test_backtest_text_suppresses_small_observed_counts():
    monthly = pd.DataFrame({"organisation": ["A"], "month": [pd.Period("2025-01", "M")],
                            "p10": [9.0], "p50": [10.0], "p90": [11.0], "observed": [10]})
    yearly = pd.DataFrame({"organisation": ["A"], "year": [2025], "months": [12],
                           "leavers_p10": [1.0], "leavers_p50": [2.0], "leavers_p90": [6.0],
                           "leavers_observed": [3.0], "stock_jan1": [10.0],
                           "outflow_error": [-0.1]})
    errors = pd.DataFrame({"organisation": ["A"], "headcount_mape": [0.02],
                           "headcount_band_coverage": [1.0], "last_month_error": [0.0],
                           "outflow_mean_abs_error": [0.1], "leavers_in_band": [1.0]})
    bt = model_checks.BacktestResult(monthly, yearly, errors, pd.DataFrame())
    text = scenario_report.backtest_text(bt, "A", 2024)
    assert "werkelijk <5" in text and "werkelijk 3" not in text
    assert "binnen de band" in text and "2,0%" in text


def test_compare_scenarios_rows_and_extra():
    calib = _calib()
    extra = {"eigen": simulate.scenario_settings("stable", {"runs": 20, "seed": 4})}
    summary, res = simulate.compare_scenarios(["baseline", "stable"], calib, 20, 4,
                                              extra=extra, organisations=["DOCK", "SMD"])
    assert list(res) == ["baseline", "stable", "eigen"]
    # 3 scenarios x (DOCK, SMD, city)
    assert len(summary) == 9
    assert set(summary["organisation"]) == {"DOCK", "SMD", ALL}
    # same settings and seed -> the extra run repeats the named one exactly
    a = summary[summary["scenario"] == "stable"].drop(columns="scenario").reset_index(drop=True)
    b = summary[summary["scenario"] == "eigen"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_sensitivity_text_names_top_assumption():
    sens = pd.DataFrame({"parameter": ["overhead_share", "wage_growth"], "low": [0.1, 0.02],
                         "high": [0.4, 0.05], "result_low": [0.31, 0.2],
                         "result_high": [0.052, 0.19], "base": [0.2, 0.2],
                         "swing": [0.258, 0.01]})
    text = scenario_report.sensitivity_text(sens)
    assert text.startswith("De grootste invloed heeft **aandeel overhead, coördinatie en "
                           "extra opdrachten**")
    assert "van 31,0% (lage waarde) tot 5,2% (hoge waarde), tegen 20,0%" in text
    assert scenario_report.sensitivity_text(sens.iloc[:0]) == ""


def test_suppressed_cells_keeps_index_and_secondary():
    df = pd.DataFrame({"n": [3.0, 40.0, 50.0, 93.0], "m": [10.0, 10.0, 10.0, 30.0]},
                      index=[7, 8, 9, 10])
    sup = scenario_report.suppressed_cells(df, ["n", "m"])
    assert list(sup.index) == [7, 8, 9, 10]
    # 3 < 5 is suppressed; one suppressed cell in the column takes the next-smallest (40)
    assert sup["n"].tolist() == [True, True, False, False]
    assert not sup["m"].any()


def test_display_tables_name_the_city_gemeente():
    assert org_name(ALL) == "Gemeente"
    assert org_name("SMD") == "SMD"
    by_year = pd.DataFrame({"organisation": ["SMD", ALL], "year": [2025, 2025],
                            "structural_eur": [100.0, 300.0], "incidental_eur": [50.0, 60.0],
                            "total_eur": [150.0, 360.0], "incidental_share": [1 / 3, 1 / 6]})
    tab = scenario_report.funding_display(by_year, [ALL, "SMD"])
    assert tab["Organisatie"].tolist() == ["SMD", "Gemeente"]
    assert tab["Jaar"].tolist() == ["2025", "2025"]
    assert tab["Aandeel incidenteel"].tolist() == [1 / 3, 1 / 6]


def test_decimal_years_and_ticks():
    months = pd.period_range("2027-01", periods=96, freq="M")
    x, ticks = scenario_plots._decimal_years(months)
    assert x[0] == 2027 and x[12] == 2028 and x[-1] == pytest.approx(2034 + 11 / 12)
    # 2027 up to the end of 2034 (= 2035): nine years -> every other year
    assert ticks == [2027, 2029, 2031, 2033, 2035]
    _, short = scenario_plots._decimal_years(pd.period_range("2025-01", "2026-09", freq="M"))
    assert short == [2025, 2026, 2027]  # ends at 2026.75 -> ticks up to 2027
    assert scenario_plots._grid_shape(1) == (1, 1)
    assert scenario_plots._grid_shape(3) == (2, 2)
    assert scenario_plots._grid_shape(4) == (2, 2)
