"""Tests of the prevention panels and models (issues 7 and 15).

The panels from hand-built indicator tables (the warm-up quarters left out,
the caseload at the start of a deadline cohort), the main model and its
policy (CR1 beside the wild cluster bootstrap, the few-clusters flag at 10
teams or fewer, the Mundlak, serial-correlation and placebo checks), the
deadline models per law, and the planted slope of the synthetic data.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from prevention_builders import long_indicators, simulate_panel

from zwt_analysis.contract import ALL
from zwt_analysis.methods import windows
from zwt_analysis.methods.panel import FEInference, two_way_fe
from zwt_analysis.reports.prevention import common, model, panel, tables
from zwt_analysis.reports.prevention.build import resolve_settings

EARLY = date(2010, 1, 1)  # a data start long before the simulated quarters: no warm-up


def _settings(**changes) -> object:
    return dataclasses.replace(resolve_settings({}), **changes)


def _fe(estimate: float, low: float, high: float, clusters: int = 10) -> FEInference:
    return FEInference("caseload_per_fte", estimate, 0.001, low, high, 0.01, 0.02, low, high,
                       100, clusters, clusters <= 10, "webb", 9999)


# ------------------------------------------------------------------ panels


def test_build_panel_by_hand() -> None:
    ind = long_indicators(
        [
            ("preventive_share", "2024-Q1", "O1", "A", 8.0, 20.0),
            ("preventive_share", "2024-Q3", "O1", "A", 0.0, 10.0),
            ("preventive_share", "2024-Q1", "O1", ALL, 11.0, 24.0),
            ("preventive_share", "2024", "O1", "A", 8.0, 30.0),
            ("caseload_per_fte", "2024-Q1", "O1", "A", 40.0, 2.0),
            ("caseload_per_fte", "2024-Q2", "O1", "A", 30.0, 2.0),  # quarter without hours
            ("caseload_per_fte", "2024-Q3", "O1", "A", 50.0, 2.0),
            ("caseload_per_fte", "2024-Q1", "O1", ALL, 50.0, 2.5),
        ]
    )
    p = panel.build_panel(ind, {"A"})
    assert p["period"].tolist() == ["2024-Q1", "2024-Q3"]
    assert p["preventive_share"].tolist() == pytest.approx([0.4, 0.0])
    assert p["hours"].tolist() == [20.0, 10.0]
    assert p["caseload_per_fte"].tolist() == [20.0, 25.0]
    assert p["pact"].tolist() == [True, True]
    assert panel.build_panel(ind.iloc[:0]).empty
    assert list(panel.build_panel(ind.iloc[:0]).columns) == panel.PANEL_COLUMNS


def test_deadline_panel_uses_the_caseload_at_the_start_of_the_quarter() -> None:
    ind = long_indicators([
        ("caseload_per_fte", "2023-Q4", "O1", "A", 30.0, 2.0),
        ("caseload_per_fte", "2024-Q1", "O1", "A", 50.0, 2.0),
        ("wmo_decision_on_time", "2024-Q1", "O1", "A", 9.0, 10.0),
        ("wmo_decision_on_time", "2024-Q2", "O1", "A", 6.0, 8.0),
        ("wmo_decision_on_time", "2023-Q4", "O1", "A", 5.0, 5.0),  # no caseload before it
        ("wmo_decision_on_time", "2024-Q1", "O1", ALL, 9.0, 10.0),
    ])
    d = panel.build_deadline_panel(ind, ["wmo_decision_on_time"]).set_index("period")
    assert d.index.tolist() == ["2024-Q1", "2024-Q2"]
    # 2024-Q1 cohorts start at the caseload of 31 December (2023-Q4), Q2 at that of 31 March
    assert d.loc["2024-Q1", "caseload_start"] == 15.0 and d.loc["2024-Q1", "load_period"] == "2023-Q4"
    assert d.loc["2024-Q2", "caseload_start"] == 25.0
    assert d.loc["2024-Q2", "share_on_time"] == pytest.approx(0.75)
    assert d.loc["2024-Q2", "evaluable"] == 8.0
    assert panel.build_deadline_panel(ind.iloc[:0], ["wmo_decision_on_time"]).empty


def test_warmup_quarters_follow_methods_windows() -> None:
    # 548 days of history before a quarter's last day: with data from 1 January 2019 the
    # caseload of 2020-Q2 (ends 30 June 2020, 546 days later) is warm-up, 2020-Q3 is not
    quarters = ["2019-Q4", "2020-Q2", "2020-Q3", "2021-Q1"]
    got, why = panel.warmup_quarters(quarters, date(2024, 12, 31), date(2019, 1, 1))
    assert got == ["2019-Q4", "2020-Q2"] and "548 dagen" in why
    assert panel.warmup_quarters(quarters, date(2024, 12, 31), None) == ([], "")


def test_fit_models_leaves_the_warmup_out() -> None:
    sim = simulate_panel(n_teams=6, n_quarters=16, slope=-0.004)  # 2020-Q1 .. 2023-Q4
    m = model.fit_models(sim, _settings(), date(2024, 12, 31), date(2020, 1, 1))
    # data from 1 January 2020: quarters up to 2021-Q2 lie in the warm-up (6 quarters)
    assert m.excluded == ["2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1", "2021-Q2"]
    assert m.fe.n_obs == 6 * 10 and m.diagnostics["n_periods"] == 10
    assert "2020-Q1" not in set(m.panel["period"])


# ------------------------------------------------------------------ the main model


def test_main_model_recovers_a_known_slope_with_both_intervals() -> None:
    sim = simulate_panel(n_teams=12, n_quarters=12, slope=-0.004)
    m = model.fit_models(sim, _settings(), date(2030, 1, 1), EARLY)
    fe = m.fe
    assert fe.covers(-0.004) and fe.covers(-0.004, "cr1")
    assert fe.ci_wcr_high < 0 and fe.ci_cr1_high < 0  # detected
    assert fe.clusters == 12 and fe.n_obs == 12 * 12 and not fe.few_clusters
    # the fits table: WCR, CR1 and the mean of team slopes, in percentage points per 10
    assert m.fits["model"].str.contains("WCR").tolist() == [True, False, False]
    assert m.fits["effect_pp"].iloc[0] == pytest.approx(fe.estimate * 1000)
    assert m.fits["ci_high_pp"].iloc[0] == pytest.approx(fe.ci_wcr_high * 1000)
    assert m.fits["ci_high_pp"].iloc[1] == pytest.approx(fe.ci_cr1_high * 1000)
    assert m.mean_group is not None and m.mean_group.clusters == 12
    assert [c.name for c in m.checks] == ["mundlak", "wooldridge_serial", "placebo_lead"]
    # confounded team effects: Mundlak sees between-team differences; no placebo effect
    checks = {c.name: c for c in m.checks}
    assert checks["mundlak"].flagged
    assert not checks["placebo_lead"].flagged
    assert len(m.residuals) == fe.n_obs
    # pooled OLS without team effects would be biased by the confounded team effects
    x = sim["caseload_per_fte"] - sim["caseload_per_fte"].mean()
    pooled = float((x * sim["preventive_share"]).sum() / (x * x).sum())
    assert pooled > -0.002


@pytest.mark.parametrize(("teams", "few"), [(10, True), (11, False)])
def test_few_clusters_flag_at_ten_teams_or_fewer(teams: int, few: bool) -> None:
    # the old rule was `teams < 10`: a city of exactly 10 teams got no warning
    m = model.fit_models(simulate_panel(n_teams=teams, n_quarters=8), _settings(),
                         date(2030, 1, 1), EARLY)
    assert m.fe.few_clusters is few
    assert bool(m.fe.notes) is few
    assert ("methode die ook bij weinig teams klopt" in tables.outcome(m.fe, 10, ALL)) is few


def test_null_slope_rarely_significant_with_the_wild_bootstrap() -> None:
    # the main model's inference (the wing reads p_wcr) on panels without any effect
    hits = 0
    n = 40
    for seed in range(n):
        sim = simulate_panel(n_teams=10, n_quarters=12, slope=0.0, seed=seed)
        fe = two_way_fe(sim, "preventive_share", "caseload_per_fte", "team", "period",
                        weights="hours", draws=999, seed=seed)
        hits += fe.p_wcr < 0.05
    assert hits / n <= 0.15


def test_model_refuses_too_few_teams_and_no_variation() -> None:
    m = model.fit_models(simulate_panel(n_teams=2, n_quarters=8), _settings(), date(2030, 1, 1),
                         EARLY)
    assert m.too_few_teams and m.fe is None and m.fits is None
    assert m.why_not(3) == "er zijn 2 teams met bruikbare kwartalen en het model vraagt er minstens 3"
    flat = simulate_panel(n_teams=4, n_quarters=6).assign(caseload_per_fte=lambda d: d["team"].map(
        {"T00": 10.0, "T01": 20.0, "T02": 30.0, "T03": 40.0}))
    m = model.fit_models(flat, _settings(), date(2030, 1, 1), EARLY)
    assert m.fe is None and "varieert niet" in m.fe_error and m.sensitivity is None
    assert tables.model_messages(m, 3) == [f"**Het verband is niet geschat:** {m.fe_error}."]


def test_one_team_one_year_is_skipped_with_a_dutch_reason() -> None:
    one = simulate_panel(n_teams=1, n_quarters=4)  # 2020
    m = model.fit_models(one, _settings(), date(2020, 12, 31), date(2020, 1, 1))
    # a year of data: every quarter lies in the caseload warm-up
    assert m.all_warmup and m.fe is None
    assert m.why_not(3).startswith("alle kwartalen met gegevens vallen in de opstart")
    m = model.fit_models(one, _settings(), date(2030, 1, 1), EARLY)
    assert m.why_not(3) == "er is 1 team met bruikbare kwartalen en het model vraagt er minstens 3"


def test_diagnostics_and_effect_text() -> None:
    sim = simulate_panel(n_teams=4, n_quarters=6)
    d = panel.diagnostics(sim)
    assert d["n_teams"] == 4 and d["n_obs"] == 24 and d["obs_per_team_min"] == 6
    assert 0 < d["within_ratio"] < 1
    empty = panel.diagnostics(sim.iloc[:0])
    assert empty["n_obs"] == 0 and empty["warnings"]
    text = tables.describe_effect(_fe(-0.0024, -0.0036, -0.0012), step=10)
    assert text.startswith("Bij 10 casussen per fte meer ligt het preventieve aandeel")
    assert "2,4 procentpunt lager" in text and "1,2 tot 3,6 procentpunt lager" in text
    assert "bevat nul" in tables.describe_effect(_fe(0.001, -0.001, 0.003))
    assert "onbegrensd" in tables.describe_effect(_fe(-0.001, -math.inf, 0.003))


def test_fits_table_by_hand() -> None:
    fe = _fe(-0.0024, -0.0036, -0.0012)
    tbl = model.fits_table(fe, None, step=10)
    assert tbl["effect_pp"].tolist() == pytest.approx([-2.4, -2.4])
    assert tbl["ci_high_pp"].tolist() == pytest.approx([-1.2, -1.2])
    assert tbl["p_value"].tolist() == [0.02, 0.01]  # WCR first, then CR1
    assert tbl["model"].iloc[0].startswith("Vaste team- en kwartaaleffecten")
    assert model.fits_table(fe, None, period_effects=False)["model"].iloc[0].startswith(
        "Vaste teameffecten;")


def test_residual_frame_by_hand() -> None:
    # two teams, no quarter effects: y = team + 0.01 x exactly, except one residual of +-0.02
    d = pd.DataFrame({"organisation": "O", "team": ["A", "A", "B", "B"],
                      "period": ["2024-Q1", "2024-Q2"] * 2, "x": [10.0, 20.0, 10.0, 20.0],
                      "y": [0.30, 0.40, 0.52, 0.58], "w": 1.0})
    r = panel.residual_frame(d, "y", "x", "w", period_effects=False)
    # slope (0.1 + 0.06) / 2 / 10 = 0.008; team A mean 0.35 at x 15: fitted 0.31, 0.39
    assert r["fitted"].tolist() == pytest.approx([0.31, 0.39, 0.51, 0.59])
    assert r["resid"].tolist() == pytest.approx([-0.01, 0.01, 0.01, -0.01])


def test_fit_warnings_and_leave_one_team_out() -> None:
    resid = pd.DataFrame({"organisation": ["O"] * 10, "team": [f"T{i}" for i in range(10)],
                          "period": ["2024-Q1"] * 10,
                          "fitted": [-0.1] + [0.3] * 9,
                          "resid": [0.01, -0.01, 0.02, -0.02, 0.01, 0.0, -0.01, 0.02, -0.02, 0.5]})
    warns = panel.fit_warnings(resid)
    assert len(warns) == 2
    assert "1 team-kwartaal voorspelt" in warns[0]
    assert "T9 2024-Q1" in warns[1]
    sim = simulate_panel(n_teams=5, n_quarters=8, slope=-0.004)
    loto = panel.leave_one_team_out(sim)
    assert loto["team_left_out"].tolist() == [f"T{i:02d}" for i in range(5)]
    assert (loto["slope"] < 0).all()
    assert panel.leave_one_team_out(sim.loc[sim["team"].isin(["T00", "T01"])]).empty
    s = model.sensitivity(pd.DataFrame({"team_left_out": ["A", "B"], "slope": [-0.002, 0.001],
                                        "ci_low": [0.0, 0.0], "ci_high": [0.0, 0.0]}), -0.001, 10)
    assert (s.low_pp, s.high_pp, s.same_direction) == (pytest.approx(-2.0), pytest.approx(1.0),
                                                       False)


# ------------------------------------------------------------------ deadline models


def _deadline_panel(slope: float, n_teams: int = 10, seed: int = 2) -> pd.DataFrame:
    """Deadline cohorts of 2022-Q1..2024-Q4 whose share on time falls ``slope`` per case/FTE."""
    rng = np.random.default_rng(seed)
    rows = []
    quarters = [f"{y}-Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
    for t in range(n_teams):
        base = rng.uniform(0.7, 0.9)
        for i, p in enumerate(quarters):
            load = 20 + rng.normal(0, 4)
            n = 60.0
            share = float(np.clip(base + slope * (load - 20) + rng.normal(0, 0.03), 0, 1))
            prev = quarters[i - 1] if i else "2021-Q4"
            rows.append({"indicator_id": "wmo_decision_on_time", "organisation": f"O{t % 3}",
                         "team": f"T{t}", "period": p, "share_on_time": share, "evaluable": n,
                         "caseload_start": load, "load_period": prev})
    return pd.DataFrame(rows)


def test_deadline_models_recover_load_and_leave_provisional_cohorts_out() -> None:
    d = _deadline_panel(-0.01)
    # as of 2024-12-31: Q4 has not passed its limit (and has not ended): provisional
    out = model.fit_deadline_models(d, _settings(), date(2024, 12, 31), date(2019, 1, 1))
    row = out.table.set_index("indicator_id").loc["wmo_decision_on_time"]
    assert row["team_quarters"] == 10 * 11 and row["teams"] == 10 and row["few_clusters"]
    # planted: -10 pp per 10 cases per FTE; detected, estimate near it
    assert row["ci_high_pp"] < 0 and row["effect_pp"] == pytest.approx(-10.0, abs=2.5)
    assert row["effect_pp"] == pytest.approx(out.fits["wmo_decision_on_time"].estimate * 1000)
    # the other laws have no rows: skipped with a reason
    assert set(out.skipped) == {"wmo_assessment_on_time", "jeugdwet_decision_on_time",
                                "participatiewet_decision_on_time", "wgs_first_contact_on_time"}
    assert out.skipped["wgs_first_contact_on_time"].startswith("0 team(s)")
    # cohorts whose starting caseload lies in the warm-up are left out too
    late = model.fit_deadline_models(d, _settings(), date(2024, 12, 31), date(2022, 1, 1))
    assert late.table["team_quarters"].iloc[0] < 10 * 11


def test_deadline_models_skip_with_too_few_teams() -> None:
    d = _deadline_panel(-0.01, n_teams=2)
    out = model.fit_deadline_models(d, _settings(), date(2024, 12, 31), date(2019, 1, 1))
    assert out.table.empty
    assert out.skipped["wmo_decision_on_time"] == "2 team(s) met bruikbare kwartalen; minimaal 3 nodig"


# ------------------------------------------------------------------ synthetic data


def test_load_ground_truth(tmp_path: Path) -> None:
    p = tmp_path / "gt.json"
    p.write_text(json.dumps({"prevention": {"slope_preventive_share_per_caseload_per_fte": -0.003}}))
    assert panel.load_ground_truth(p) == pytest.approx(-0.003)
    assert panel.load_ground_truth("") is None
    with pytest.raises(KeyError):
        panel.load_ground_truth(p, key="prevention.other")


@pytest.mark.slow
def test_model_recovers_planted_slope(small_raw: Path, small_processed: Path) -> None:
    from zwt_analysis import indicators, processed

    tabs = processed.read_tables(small_processed, ["time_registrations", "staff", "cases", "areas"])
    as_of = processed.as_of(small_processed)
    ind = indicators.compute_indicators(tabs, as_of)
    p = panel.build_panel(ind, common.pact_teams(tabs["areas"]))
    truth = panel.load_ground_truth(small_raw / "ground_truth.json")
    start = windows.data_start([tabs["cases"]["date_report"], tabs["time_registrations"]["date"]])
    m = model.fit_models(p, _settings(), as_of, start)
    assert m.fe.covers(truth), (m.fe.estimate, m.fe.ci_wcr_low, m.fe.ci_wcr_high, truth)
