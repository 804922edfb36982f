"""Tests of the prevention panel model (issue 7).

The panel from a hand-built indicator table, a simulation in which the model
must recover a known slope, the model's refusals and warnings, and the
planted slope of the synthetic data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from prevention_builders import long_indicators, simulate_panel

from zwt_analysis.contract import ALL
from zwt_analysis.reports.prevention import common, panel, tables

# ------------------------------------------------------------------ panel


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
    text = tables.describe_effect(fit, step=10)
    assert text.startswith("Bij 10 casussen per fte meer ligt het preventieve aandeel")
    assert "2,4 procentpunt lager" in text and "1,2 tot 3,6 procentpunt lager" in text
    up = panel.PanelFit("fixed_effects", 0.001, 0.001, -0.001, 0.003, 0.3, 100, 12, 11, pd.DataFrame())
    assert "bevat nul" in tables.describe_effect(up)
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
    p = panel.build_panel(ind, common.pact_teams(tables["areas"]))
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
