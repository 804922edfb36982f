"""Tests of zwt_analysis.prevention and zwt_analysis.panel (issue 7).

Hand-built tables with values computed by hand, edge cases (a team of one, a
quarter without hours, empty tables), a simulation in which the panel model
must recover a known slope, and the planted slope of the synthetic data.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from zwt_analysis.contract import ALL
from zwt_analysis.processed import coerce_types, empty_table
from zwt_analysis.reports.prevention import compute as prevention
from zwt_analysis.reports.prevention import panel

Z = 1.959963984540054


def wilson(x: float, n: float) -> tuple[float, float]:
    """Wilson 95% interval written out by hand (reference for the tests)."""
    centre = (x + Z * Z / 2) / (n + Z * Z)
    half = Z / (n + Z * Z) * math.sqrt(x * (n - x) / n + Z * Z / 4)
    return centre - half, centre + half


def tr_frame(rows: list[tuple]) -> pd.DataFrame:
    """time_registrations from (employee, organisation, team, date, activity, hours)."""
    df = pd.DataFrame(rows, columns=["employee_id", "organisation", "team", "date", "activity", "hours"])
    return coerce_types("time_registrations", df)


@pytest.fixture
def tr() -> pd.DataFrame:
    # Team A (org O1): e1 and e2 in 2024-Q1 and again in 2024-Q3 (no hours in Q2).
    # Team B (org O1): a team of one (e3).
    return tr_frame(
        [
            ("e1", "O1", "A", "2024-01-10", "preventive_individual", 6.0),
            ("e1", "O1", "A", "2024-02-10", "statutory_individual", 4.0),
            ("e2", "O1", "A", "2024-01-11", "preventive_collective", 2.0),
            ("e2", "O1", "A", "2024-01-12", "statutory_individual", 8.0),
            ("e2", "O1", "A", "2024-03-12", "overhead", 10.0),
            ("e3", "O1", "B", "2024-01-15", "preventive_individual", 3.0),
            ("e3", "O1", "B", "2024-01-16", "statutory_individual", 1.0),
            ("e1", "O1", "A", "2024-07-01", "statutory_individual", 5.0),
            ("e2", "O1", "A", "2024-07-02", "statutory_individual", 5.0),
        ]
    )


@pytest.fixture
def areas() -> pd.DataFrame:
    df = pd.DataFrame(
        {"area_code": ["WK1", "WK2"], "area_name": ["w1", "w2"], "organisation": ["O1", "O1"],
         "team": ["A", "B"], "pact": [False, True], "population": [100, 200]}
    )
    return coerce_types("areas", df)


# ------------------------------------------------------------------ settings, labels


def test_load_settings_defaults_and_override(tmp_path: Path) -> None:
    s = prevention.load_settings()
    assert s["ondergrens"] == pytest.approx(0.30)
    assert s["model"]["min_teams"] == 3
    own = tmp_path / "own.yaml"
    own.write_text("ondergrens: 0.4\nmodel:\n  period_effects: false\n", encoding="utf-8")
    s2 = prevention.load_settings(own)
    assert s2["ondergrens"] == pytest.approx(0.4)
    assert s2["model"]["period_effects"] is False
    assert s2["model"]["min_teams"] == 3  # merged, not replaced
    bad = tmp_path / "bad.yaml"
    bad.write_text("ondergrens: 30\n", encoding="utf-8")
    with pytest.raises(ValueError, match="ondergrens"):
        prevention.load_settings(bad)


def test_quarter_label_and_pact(areas: pd.DataFrame) -> None:
    s = pd.Series(pd.to_datetime(["2024-01-01", "2024-12-31", None]))
    got = prevention.quarter_label(s)
    assert got.iloc[0] == "2024-Q1" and got.iloc[1] == "2024-Q4" and pd.isna(got.iloc[2])
    assert prevention.pact_teams(areas) == {"B"}
    assert prevention.pact_teams(empty_table("areas")) == set()


# ------------------------------------------------------------------ clustered share


def test_clustered_share_by_hand() -> None:
    units = pd.DataFrame({"cell": ["c", "c", "d"], "a": [6.0, 0.0, 3.0], "t": [10.0, 20.0, 4.0]})
    got = prevention.clustered_share(units, ["cell"], "a", "t").set_index("cell")
    # cell c: p = 6/30 = 0.2; residuals a - p t = 4, -4; var = 2/1 * 32 / 900
    var = 2 * 32 / 900
    n_eff = 0.2 * 0.8 / var  # = 2.25
    assert got.loc["c", "share"] == pytest.approx(0.2)
    assert got.loc["c", "n_eff"] == pytest.approx(2.25)
    lo, hi = wilson(0.2 * n_eff, n_eff)
    assert got.loc["c", "ci_low"] == pytest.approx(lo)
    assert got.loc["c", "ci_high"] == pytest.approx(hi)
    assert got.loc["c", "persons"] == 2
    # cell d: one person -> n_eff = 1
    assert got.loc["d", "n_eff"] == pytest.approx(1.0)
    lo, hi = wilson(0.75, 1.0)
    assert got.loc["d", "ci_low"] == pytest.approx(lo)
    assert got.loc["d", "ci_high"] == pytest.approx(hi)


def test_clustered_share_zero_variance_uses_hours_and_empty() -> None:
    units = pd.DataFrame({"cell": ["c", "c"], "a": [4.0, 8.0], "t": [10.0, 20.0]})
    got = prevention.clustered_share(units, ["cell"], "a", "t")
    assert got["n_eff"].iloc[0] == pytest.approx(30.0)
    lo, hi = wilson(12, 30)
    assert got["ci_low"].iloc[0] == pytest.approx(lo)
    assert got["ci_high"].iloc[0] == pytest.approx(hi)
    empty = prevention.clustered_share(units.iloc[:0], ["cell"], "a", "t")
    assert empty.empty and "ci_low" in empty.columns


# ------------------------------------------------------------------ time allocation


def test_time_allocation_by_hand(tr: pd.DataFrame, areas: pd.DataFrame) -> None:
    got = prevention.time_allocation(tr, areas)
    a = got.loc[(got["team"] == "A") & (got["period"] == "2024-Q1")].set_index("activity")
    assert list(a.index) == list(prevention.ACTIVITY_LABELS.keys()) or set(a.index) == set(
        prevention.ACTIVITY_LABELS)
    assert len(a) == 6
    assert a["total_hours"].unique().tolist() == [30.0]
    assert a.loc["preventive_individual", "share"] == pytest.approx(0.2)
    assert a.loc["preventive_collective", "share"] == pytest.approx(2 / 30)
    assert a.loc["statutory_individual", "share"] == pytest.approx(0.4)
    assert a.loc["overhead", "share"] == pytest.approx(1 / 3)
    assert a.loc["coordination", "share"] == 0.0
    assert a["share"].sum() == pytest.approx(1.0)
    # statutory: residuals 4 - 0.4*10 = 0 and 8 - 0.4*20 = 0 -> n_eff = 30 hours
    lo, hi = wilson(12, 30)
    assert a.loc["statutory_individual", "ci_low"] == pytest.approx(lo)
    assert a.loc["statutory_individual", "ci_high"] == pytest.approx(hi)
    assert a.loc["preventive_individual", "n_eff"] == pytest.approx(2.25)
    assert (a["persons"] == 2).all()
    assert not a["pact"].any()
    # team of one: n_eff = 1 and PACT
    b = got.loc[(got["team"] == "B") & (got["period"] == "2024-Q1")].set_index("activity")
    assert b.loc["preventive_individual", "share"] == pytest.approx(0.75)
    assert b.loc["preventive_individual", "n_eff"] == pytest.approx(1.0)
    assert b["pact"].all() and (b["persons"] == 1).all()
    # a quarter without hours has no rows
    assert got.loc[got["period"] == "2024-Q2"].empty
    # organisation level O1 Q1: 34 hours, preventive_individual 9 / 34
    o = got.loc[(got["organisation"] == "O1") & (got["team"] == ALL) & (got["period"] == "2024-Q1")]
    o = o.set_index("activity")
    assert o.loc["preventive_individual", "share"] == pytest.approx(9 / 34)
    assert o.loc["preventive_individual", "persons"] == 3
    assert o["pact"].isna().all()
    city = got.loc[(got["organisation"] == ALL) & (got["period"] == "2024-Q3")].set_index("activity")
    assert city.loc["statutory_individual", "share"] == pytest.approx(1.0)
    assert city.loc["statutory_individual", "hours"] == pytest.approx(10.0)


def test_time_allocation_empty() -> None:
    got = prevention.time_allocation(empty_table("time_registrations"), None)
    assert got.empty
    assert {"share", "ci_low", "ci_high", "pact", "persons"} <= set(got.columns)


# ------------------------------------------------------------------ preventive share and floor


def _indicators_for(tr: pd.DataFrame) -> pd.DataFrame:
    from zwt_analysis import indicators

    return indicators.preventive_share(tr, date(2024, 12, 31))


def test_preventive_share_table_uses_indicator(tr: pd.DataFrame, areas: pd.DataFrame) -> None:
    ind = _indicators_for(tr)
    got = prevention.preventive_share_table(ind, tr, areas)
    a1 = got.loc[(got["team"] == "A") & (got["period"] == "2024-Q1")].iloc[0]
    # (6 + 2) / (6 + 2 + 12) = 0.4
    assert a1["preventive_share"] == pytest.approx(0.4)
    assert a1["hours"] == pytest.approx(20.0)
    assert a1["persons"] == 2
    # units: e1 a=6 t=10, e2 a=2 t=10; p=0.4 -> residuals 2, -2; var = 2*8/400 = 0.04
    n_eff = 0.24 / 0.04
    lo, hi = wilson(0.4 * n_eff, n_eff)
    assert a1["ci_low"] == pytest.approx(lo) and a1["ci_high"] == pytest.approx(hi)
    b1 = got.loc[(got["team"] == "B")].iloc[0]
    assert b1["preventive_share"] == pytest.approx(0.75) and bool(b1["pact"])
    a3 = got.loc[(got["team"] == "A") & (got["period"] == "2024-Q3")].iloc[0]
    assert a3["preventive_share"] == 0.0


def test_below_floor_by_hand() -> None:
    table = pd.DataFrame(
        {
            "organisation": ["O1", "O1", "O1", "O1", "O1"],
            "team": ["A", "A", "B", "B", ALL],
            "period": ["2024-Q1", "2024-Q2", "2024-Q1", "2024-Q2", "2024-Q1"],
            "preventive_hours": [10.0, 30.0, 5.0, 0.0, 15.0],
            "hours": [100.0, 100.0, 10.0, 10.0, 110.0],
            "preventive_share": [0.10, 0.30, 0.50, 0.0, 15 / 110],
            "ci_low": [0.05, 0.2, 0.3, 0.0, 0.1],
            "ci_high": [0.15, 0.4, 0.7, 0.35, 0.2],
            "persons": [6, 6, 1, 1, 7],
            "pact": [False, False, True, True, pd.NA],
        }
    )
    got = prevention.below_floor(table, 0.30)
    # 0.30 exactly is not below; the ALL row is left out
    assert list(zip(got["team"], got["period"], strict=True)) == [("A", "2024-Q1"), ("B", "2024-Q2")]
    assert got["gap"].tolist() == pytest.approx([0.20, 0.30])
    assert got["clearly_below"].tolist() == [True, False]
    assert len(prevention.below_floor(table, 0.0)) == 0
    assert len(prevention.below_floor(table, 0.30, team_level=False)) == 3
    with pytest.raises(ValueError):
        prevention.below_floor(table, 30)
    summary = prevention.floor_summary(table, 0.30).set_index("team")
    assert summary.loc["A", "quarters"] == 2 and summary.loc["A", "quarters_below"] == 1
    assert summary.loc["B", "last_period"] == "2024-Q2"
    assert summary.loc["B", "last_share"] == 0.0
    assert summary.loc["A", "share_below"] == pytest.approx(0.5)
    assert prevention.below_floor(table.iloc[:0], 0.3).empty
    assert prevention.floor_summary(table.iloc[:0], 0.3).empty


# ------------------------------------------------------------------ scarcity


def _long(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["indicator_id", "period", "organisation", "team",
                                     "numerator", "denominator"])
    df["value"] = df["numerator"] / df["denominator"]
    return df.astype({"indicator_id": "string", "period": "string", "organisation": "string",
                      "team": "string"})


def test_scarcity_quarterly_and_yearly(tr: pd.DataFrame) -> None:
    ind = _long(
        [
            ("caseload_per_fte", "2024-Q1", "O1", "A", 40.0, 2.0),
            ("caseload_per_fte", "2024-Q2", "O1", "A", 30.0, 2.0),
            ("caseload_per_fte", "2024-Q1", "O1", ALL, 50.0, 2.5),
            ("vacancy_rate", "2024", "O1", ALL, 1.0, 10.0),
            ("staff_outflow_rate", "2024", "O1", ALL, 2.0, 20.0),
            ("staff_outflow_rate", "2024", ALL, ALL, 2.0, 20.0),
            ("preventive_share", "2024-Q1", "O1", "A", 8.0, 20.0),
        ]
    )
    q = prevention.scarcity_quarterly(ind, tr)
    a1 = q.loc[(q["team"] == "A") & (q["period"] == "2024-Q1")].iloc[0]
    assert a1["caseload_per_fte"] == 20.0 and a1["fte"] == 2.0 and a1["open_cases"] == 40.0
    assert a1["hours"] == 30.0 and a1["hours_per_fte"] == 15.0
    a2 = q.loc[(q["team"] == "A") & (q["period"] == "2024-Q2")].iloc[0]
    assert a2["hours"] == 0.0 and a2["hours_per_fte"] == 0.0  # quarter without hours
    assert prevention.scarcity_quarterly(ind, tr, from_period="2024-Q2")["period"].unique().tolist() == [
        "2024-Q2"]
    o1 = q.loc[q["team"] == ALL].iloc[0]
    assert o1["hours"] == 34.0 and o1["hours_per_fte"] == pytest.approx(34 / 2.5)
    y = prevention.scarcity_yearly(ind)
    assert len(y) == 3
    assert prevention.scarcity_yearly(ind, from_year=2025).empty
    wide = prevention.scarcity_yearly_wide(y)
    assert list(wide.columns) == ["Jaar", "Vacatureruimte O1", "Uitstroom O1", "Uitstroom gemeente"]
    assert wide.iloc[0]["Uitstroom O1"] == pytest.approx(0.1)
    assert y.loc[y["indicator_id"] == "vacancy_rate", "value"].iloc[0] == pytest.approx(0.1)
    assert prevention.scarcity_yearly(ind.iloc[:0]).empty


# ------------------------------------------------------------------ deadlines


@pytest.fixture
def cases() -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "case_id": ["c1", "c2", "c3", "c4", "c5"],
            "client_id": ["p1", "p2", "p3", "p4", "p5"],
            "organisation": ["O1"] * 5,
            "team": ["A", "A", "A", "A", "A"],
            "legal_framework": ["wmo", "wmo", "wmo", "wmo", "jeugdwet"],
            "date_report": ["2024-01-01", "2024-01-05", "2024-02-01", "2024-06-10", "2024-01-01"],
            "date_application": ["2024-01-02", "2024-01-06", "2024-02-02", "2024-06-10", "2024-01-02"],
            # c1: decided after 10 days (on time); c2: after 20 (late);
            # c3: no decision, as-of 2024-06-20 far past the limit (late, open);
            # c4: no decision, 10 days before as-of, within the 14-day limit (pending)
            "date_decision": ["2024-01-12", "2024-01-26", None, None, "2024-02-20"],
        }
    )
    return coerce_types("cases", df)


def test_deadline_summary_by_hand(cases: pd.DataFrame) -> None:
    st = prevention.deadline_cases(cases, date(2024, 6, 20),
                                   indicator_ids=["wmo_decision_on_time", "jeugdwet_decision_on_time"])
    s = prevention.deadline_summary(st)
    wmo_q1 = s.loc[(s["indicator_id"] == "wmo_decision_on_time") & (s["organisation"] == "O1")
                   & (s["period"] == "2024-Q1")].iloc[0]
    assert (wmo_q1["on_time"], wmo_q1["late"], wmo_q1["late_open"], wmo_q1["pending"]) == (1, 2, 1, 0)
    assert wmo_q1["share_on_time"] == pytest.approx(1 / 3)
    lo, hi = wilson(1, 3)
    assert wmo_q1["ci_low"] == pytest.approx(lo) and wmo_q1["ci_high"] == pytest.approx(hi)
    wmo_q2 = s.loc[(s["indicator_id"] == "wmo_decision_on_time") & (s["organisation"] == "O1")
                   & (s["period"] == "2024-Q2")].iloc[0]
    assert wmo_q2["pending"] == 1 and wmo_q2["evaluable"] == 0 and pd.isna(wmo_q2["share_on_time"])
    jw = s.loc[(s["indicator_id"] == "jeugdwet_decision_on_time") & (s["organisation"] == ALL)].iloc[0]
    assert jw["on_time"] == 1  # 49 days <= 56
    # agrees with the indicator's own table
    from zwt_analysis import indicators

    ref = indicators.deadline_on_time(cases, date(2024, 6, 20), "wmo_decision_on_time")
    ref = ref.loc[(ref["team"] == ALL) & (ref["organisation"] == "O1")].set_index("period")["value"]
    mine = s.loc[(s["indicator_id"] == "wmo_decision_on_time") & (s["organisation"] == "O1")
                 & s["share_on_time"].notna()].set_index("period")["share_on_time"]
    pd.testing.assert_series_equal(mine, ref, check_names=False, check_dtype=False)
    days = prevention.deadline_days(st)
    wmo_days = sorted(days.loc[days["indicator_id"] == "wmo_decision_on_time", "days"].tolist())
    assert wmo_days == [10, 20]
    qs = prevention.days_quantiles(days).set_index("indicator_id")
    assert qs.loc["wmo_decision_on_time", "q50"] == pytest.approx(15.0)
    assert qs.loc["wmo_decision_on_time", "share_within_limit"] == pytest.approx(0.5)
    assert qs.loc["jeugdwet_decision_on_time", "limit_days"] == 56


def test_deadline_empty() -> None:
    st = prevention.deadline_cases(empty_table("cases"), date(2024, 6, 20))
    assert st.empty
    assert prevention.deadline_summary(st).empty
    assert prevention.deadline_days(st).empty
    assert prevention.days_quantiles(prevention.deadline_days(st)).empty


# ------------------------------------------------------------------ panel


def test_build_panel_by_hand() -> None:
    ind = _long(
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


def simulate_panel(n_teams: int = 20, n_quarters: int = 24, slope: float = -0.004,
                   seed: int = 1, noise: float = 0.02) -> pd.DataFrame:
    """Team-quarter panel with known slope, team effects correlated with caseload."""
    rng = np.random.default_rng(seed)
    team_mean = rng.uniform(20, 60, n_teams)
    team_effect = 0.2 * (team_mean - 40) / 20 + rng.normal(0, 0.05, n_teams)  # confounded
    rows = []
    for t in range(n_teams):
        for q in range(n_quarters):
            x = team_mean[t] + rng.normal(0, 6) + 0.2 * q
            hours = rng.uniform(300, 1500)
            y = 0.55 + team_effect[t] + slope * x - 0.002 * q + rng.normal(0, noise * 30 / math.sqrt(hours))
            rows.append({"organisation": f"O{t % 3}", "team": f"T{t:02d}",
                         "period": f"{2020 + q // 4}-Q{q % 4 + 1}", "preventive_share": y,
                         "hours": hours, "caseload_per_fte": x, "open_cases": x * 5, "fte": 5.0,
                         "pact": t < 2})
    return pd.DataFrame(rows)


def test_fixed_effects_recovers_known_slope() -> None:
    sim = simulate_panel(slope=-0.004)
    fit = panel.fit_fixed_effects(sim)
    assert fit.covers(-0.004)
    assert fit.ci_high < 0  # detected
    assert fit.ci_high - fit.ci_low < 0.002
    assert fit.n_teams == 20 and fit.n_obs == 20 * 24 and fit.df == 19
    assert len(fit.residuals) == fit.n_obs
    # pooled OLS without team effects would be biased by the confounded team effects
    import statsmodels.formula.api as smf

    pooled = smf.ols("preventive_share ~ caseload_per_fte", sim).fit().params["caseload_per_fte"]
    assert pooled > -0.002
    mixed = panel.fit_mixed(sim)
    assert mixed.method == "mixedlm" and np.isfinite(mixed.slope)


def test_fixed_effects_slope_zero_rarely_significant() -> None:
    hits = 0
    n = 60
    for seed in range(n):
        fit = panel.fit_fixed_effects(simulate_panel(n_teams=15, n_quarters=12, slope=0.0, seed=seed))
        hits += fit.p_value < 0.05
    assert hits / n <= 0.15


def test_model_refuses_too_few_teams_and_no_variation() -> None:
    sim = simulate_panel(n_teams=2, n_quarters=8)
    with pytest.raises(ValueError, match="teams"):
        panel.fit_fixed_effects(sim, min_teams=3)
    flat = simulate_panel(n_teams=4, n_quarters=6).assign(caseload_per_fte=lambda d: d["team"].map(
        {"T00": 10.0, "T01": 20.0, "T02": 30.0, "T03": 40.0}))
    with pytest.raises(ValueError, match="varieert"):
        panel.fit_fixed_effects(flat)


def test_diagnostics_and_effect_text() -> None:
    sim = simulate_panel(n_teams=4, n_quarters=6)
    d = panel.diagnostics(sim, warn_teams=10)
    assert d["n_teams"] == 4 and d["n_obs"] == 24 and d["obs_per_team_min"] == 6
    assert any("4 teams" in w for w in d["warnings"])
    assert 0 < d["within_ratio"] < 1
    empty = panel.diagnostics(sim.iloc[:0])
    assert empty["n_obs"] == 0 and empty["warnings"]
    fit = panel.PanelFit("fixed_effects", -0.0024, 0.0005, -0.0036, -0.0012, 0.001, 100, 12, 11,
                         pd.DataFrame())
    text = panel.describe_effect(fit, step=10)
    assert text.startswith("Bij 10 casussen per fte meer ligt het preventieve aandeel")
    assert "2,4 procentpunt lager" in text and "1,2 tot 3,6 procentpunt lager" in text
    up = panel.PanelFit("fixed_effects", 0.001, 0.001, -0.001, 0.003, 0.3, 100, 12, 11, pd.DataFrame())
    assert "bevat nul" in panel.describe_effect(up)
    tbl = panel.fits_table([fit])
    assert tbl["effect_pp"].iloc[0] == pytest.approx(-2.4)
    assert tbl["ci_high_pp"].iloc[0] == pytest.approx(-1.2)


def test_load_ground_truth(tmp_path: Path) -> None:
    p = tmp_path / "gt.json"
    p.write_text(json.dumps({"prevention": {"slope_preventive_share_per_caseload_per_fte": -0.003}}))
    assert panel.load_ground_truth(p) == pytest.approx(-0.003)
    assert panel.load_ground_truth("") is None
    with pytest.raises(KeyError):
        panel.load_ground_truth(p, key="prevention.other")


# ------------------------------------------------------------------ synthetic data


@pytest.mark.slow
def test_model_recovers_planted_slope(small_raw: Path, small_processed: Path) -> None:
    from zwt_analysis import indicators, processed

    tables = processed.read_tables(small_processed, ["time_registrations", "staff", "cases", "areas"])
    ind = indicators.compute_indicators(tables, processed.as_of(small_processed))
    p = panel.build_panel(ind, prevention.pact_teams(tables["areas"]))
    truth = panel.load_ground_truth(small_raw / "ground_truth.json")
    fit = panel.fit_fixed_effects(p)
    assert fit.covers(truth), (fit.slope, fit.ci_low, fit.ci_high, truth)


def test_fit_warnings_and_leave_one_team_out() -> None:
    sim = simulate_panel(n_teams=5, n_quarters=8, slope=-0.004)
    fit = panel.fit_fixed_effects(sim)
    assert panel.fit_warnings(fit) == [] or all(isinstance(w, str) for w in panel.fit_warnings(fit))
    # hand-made residual frame: one fitted value below 0, one far outlier
    resid = pd.DataFrame({"organisation": ["O"] * 10, "team": [f"T{i}" for i in range(10)],
                          "period": ["2024-Q1"] * 10,
                          "fitted": [-0.1] + [0.3] * 9,
                          "resid": [0.01, -0.01, 0.02, -0.02, 0.01, 0.0, -0.01, 0.02, -0.02, 0.5]})
    f2 = panel.PanelFit("fixed_effects", -0.01, 0.001, -0.012, -0.008, 0.0, 10, 10, 9, resid)
    warns = panel.fit_warnings(f2)
    assert len(warns) == 2
    assert "1 team-kwartaal voorspelt" in warns[0]
    assert "T9 2024-Q1" in warns[1]
    loto = panel.leave_one_team_out(sim)
    assert loto["team_left_out"].tolist() == [f"T{i:02d}" for i in range(5)]
    assert (loto["slope"] < 0).all()
    assert panel.leave_one_team_out(sim.loc[sim["team"].isin(["T00", "T01"])]).empty


def test_plots_draw_one_panel_per_group(tr: pd.DataFrame, areas: pd.DataFrame, cases: pd.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from zwt_analysis.reports.prevention import plots

    alloc = prevention.time_allocation(tr, areas)
    fig = plots.allocation_over_time(alloc, panels="organisation")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert sorted(ax.get_title() for ax in visible) == ["Gemeente (alle organisaties)", "O1"]
    fig = plots.allocation_over_time(alloc, panels="team")
    assert sorted(ax.get_title() for ax in fig.axes if ax.get_visible()) == ["A", "B (PACT)"]
    fig = plots.allocation_latest(alloc, ["2024-Q1"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["O1 · A", "O1 · B (PACT)"]
    st = prevention.deadline_cases(cases, date(2024, 6, 20))
    fig = plots.deadline_ecdf(prevention.deadline_days(st))
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2  # wmo decision, jeugdwet
    fig = plots.deadline_trends(prevention.deadline_summary(st), organisation="O1")
    # plus the Wmo assessment: no assessment done, all late by as-of (no durations for the ECDF)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3
    sim = simulate_panel(n_teams=4, n_quarters=6)
    fit = panel.fit_fixed_effects(sim)
    assert len(plots.residual_plot(fit.residuals).axes) == 2
    assert len(plots.panel_scatter(sim, fit.slope).axes[0].lines) >= 1
    plt.close("all")


def test_publish_deadlines_suppresses_counts_and_shares(cases: pd.DataFrame) -> None:
    st = prevention.deadline_cases(cases, date(2024, 6, 20), indicator_ids=["wmo_decision_on_time"])
    pub = prevention.publish_deadlines(prevention.deadline_summary(st))
    assert "evaluable" not in pub.columns
    # every count here is below 5: counts of 1..4 and the share are suppressed (0 is printed)
    assert set(pub["on_time"]) <= {"<5", "0"} and "<5" in set(pub["on_time"])
    assert set(pub["share_on_time"].dropna()) <= {"x", ""}


def test_for_display_dutch() -> None:
    df = pd.DataFrame({"activity": ["overhead"], "share": [0.1234], "pact": pd.array([True]),
                       "clearly_below": pd.array([False]), "team": [ALL], "persons": ["<5"]})
    out = prevention.for_display(df)
    assert list(out.columns) == ["Activiteit", "Aandeel", "PACT", "Heel interval onder ondergrens",
                                 "Team", "Personen"]
    assert out.iloc[0].tolist() == ["Overhead", "12,3%", "ja", "nee", "alle", "<5"]
    assert prevention.last_quarters(["2024-Q1", "2023-Q4", "2024", "2024-Q2"], 2) == ["2024-Q1", "2024-Q2"]


@pytest.mark.slow
@pytest.mark.parametrize("organisation", ["ALL", "DOCK"])
def test_notebook_runs_under_papermill(small_processed: Path, tmp_path: Path, organisation: str) -> None:
    import jupytext
    import nbformat
    import papermill as pm

    from zwt_analysis import config

    nb = jupytext.read(config.NOTEBOOKS_DIR / "03_prevention.py")
    src = tmp_path / "03_prevention.ipynb"
    nbformat.write(nb, src)
    out_dir = tmp_path / "out"
    pm.execute_notebook(
        str(src), str(tmp_path / "executed.ipynb"), kernel_name="zwt", progress_bar=False,
        parameters={"processed_dir": str(small_processed), "organisation": organisation,
                    "output_dir": str(out_dir)},
        cwd=str(tmp_path),
    )
    written = sorted(p.name for p in out_dir.glob("*.csv"))
    assert "onder_ondergrens.csv" in written or "urenverdeling_team_kwartaal.csv" in written
    assert "termijnen_per_kwartaal.csv" in written
    deadlines = pd.read_csv(out_dir / "termijnen_per_kwartaal.csv", dtype=str)
    numeric = pd.to_numeric(deadlines["on_time"], errors="coerce")
    assert (numeric.dropna() >= 5).all()  # small counts are suppressed
    text = (tmp_path / "executed.ipynb").read_text(encoding="utf-8")
    assert "procentpunt" in text or "niet geschat" in text


# ------------------------------------------------------------------ invariants (hypothesis)

_rows = hst.lists(
    hst.tuples(
        hst.sampled_from(["e1", "e2", "e3", "e4"]),
        hst.sampled_from(["A", "B"]),
        hst.sampled_from(["2024-01-15", "2024-05-15"]),
        hst.sampled_from(list(prevention.ACTIVITY_LABELS)),
        hst.floats(min_value=0.25, max_value=12.0, allow_nan=False),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=20, deadline=None)
@given(_rows)
def test_allocation_invariants(rows: list[tuple]) -> None:
    tr = tr_frame([(e, "O1", t, d, a, h) for e, t, d, a, h in rows])
    got = prevention.time_allocation(tr, None)
    # six activities per cell, shares sum to one, intervals inside 0..1 and around the share
    sums = got.groupby(["organisation", "team", "period"])["share"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    assert (got.groupby(["organisation", "team", "period"]).size() == 6).all()
    assert ((got["ci_low"] >= 0) & (got["ci_high"] <= 1)).all()
    assert ((got["ci_low"] <= got["share"] + 1e-12) & (got["share"] <= got["ci_high"] + 1e-12)).all()
    assert ((got["n_eff"] >= 1) & (got["n_eff"] <= got["total_hours"].clip(lower=1) + 1e-9)).all()
    # city hours equal the sum of all registered hours per quarter
    city = got.loc[(got["organisation"] == ALL)].groupby("period")["hours"].sum()
    raw = tr.assign(period=prevention.quarter_label(tr["date"])).groupby("period")["hours"].sum()
    assert np.allclose(city.sort_index().to_numpy(), raw.sort_index().to_numpy())
