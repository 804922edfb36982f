"""Tests of ``build()`` of the prevention wing on a hand-built processed folder (no papermill),
and of the notebook under papermill on the small synthetic data (slow).

The folder (``prevention_builders.write_processed``) holds the registrations and
cases of the unit tests and a hand-written indicator table: three teams whose
within-team slope of preventive share on caseload per FTE is exactly -0.01.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from prevention_builders import simulate_panel, write_processed

from zwt_analysis.contract import ALL
from zwt_analysis.reports import context
from zwt_analysis.reports.prevention import PreventionResult, build, panel
from zwt_analysis.reports.prevention.build import (
    PreventionSettings,
    fit_models,
    resolve_settings,
    sensitivity,
)

T_975_DF2 = 4.302652729911275  # two-sided 95% t quantile with 2 degrees of freedom


@pytest.fixture(scope="module")
def proc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_processed(tmp_path_factory.mktemp("prevention") / "processed")


@pytest.fixture(scope="module")
def city(proc: Path, tmp_path_factory: pytest.TempPathFactory) -> PreventionResult:
    """The city report without quarter effects (built once for the module)."""
    return _run(proc, tmp_path_factory.mktemp("city"))


def _run(proc: Path, tmp_path: Path, organisation: str = ALL, period_effects: bool = False,
         **params) -> PreventionResult:
    own = tmp_path / "prevention.yaml"
    own.write_text(f"model:\n  period_effects: {str(period_effects).lower()}\n", encoding="utf-8")
    ctx = context.context({"processed_dir": str(proc), "indicators_file": "",
                           "organisation": organisation, "output_dir": str(tmp_path / "out")})
    return build(ctx, {"settings_file": str(own), "ondergrens": "", "recent_quarters": 4,
                       "ground_truth_file": "", **params})


# ----------------------------------------------------------------- settings


def test_resolve_settings_defaults_overrides_and_bad_floor(tmp_path: Path) -> None:
    s = resolve_settings({})
    assert (s.floor, s.alpha, s.cluster, s.recent_quarters) == (0.30, 0.05, "employee_id", 4)
    assert (s.period_effects, s.weighted, s.min_teams, s.warn_teams) == (True, True, 3, 10)
    assert (s.effect_step, s.min_within_ratio, s.outlier_mads) == (10.0, 0.2, 4.0)
    assert resolve_settings({"ondergrens": "0.4", "recent_quarters": 2}).floor == 0.4
    assert resolve_settings({"ondergrens": None}).floor == 0.30
    with pytest.raises(ValueError, match="ondergrens"):
        resolve_settings({"ondergrens": "30"})


# ----------------------------------------------------------------- city report


def test_build_city_allocation_and_deadlines(city: PreventionResult) -> None:
    r = city
    a = r.allocation
    assert r.organisation == ALL and a.panels == "organisation"
    assert a.recent == ["2024-Q1", "2024-Q3"]  # no hours in 2024-Q2
    # A Q1, B Q1 and A Q3, six activities each; n_eff is not published
    assert len(a.team_rows) == 18 and "n_eff" not in a.team_rows.columns
    assert a.pact_comparable
    pact = a.pact.set_index(["group", "activity"])
    # PACT team B: 3 of 4 hours preventive individual; other teams (A): 22 of 40 hours statutory
    assert pact.loc[("PACT", "preventive_individual"), "share"] == pytest.approx(0.75)
    assert pact.loc[("overig", "statutory_individual"), "share"] == pytest.approx(22 / 40)
    assert pact.loc[("overig", "statutory_individual"), "persons"] == 2
    d = r.deadlines
    # city report: the recent rows are the city's (team ALL); both quarters are recent
    assert set(d.recent["organisation"]) == {ALL} and set(d.recent["team"]) == {ALL}
    wmo = d.recent.loc[d.recent["indicator_id"] == "wmo_decision_on_time"].set_index("period")
    assert (wmo.loc["2024-Q1", "on_time"], wmo.loc["2024-Q1", "late"]) == (1, 2)
    assert wmo.loc["2024-Q2", "pending"] == 1
    assert set(d.to_publish["organisation"]) == {ALL, "O1"} and set(d.to_publish["team"]) == {ALL}
    q = d.quantiles.set_index("indicator_id")
    assert q.loc["wmo_decision_on_time", "q50"] == pytest.approx(15.0)  # 10 and 20 days


def test_build_city_scarcity_window(city: PreventionResult) -> None:
    sc = city.scarcity
    assert sc.has_team_rows
    q = sc.quarterly.set_index(["team", "period"])
    assert q.loc[("A", "2024-Q1"), "hours_per_fte"] == pytest.approx(30 / 2)
    assert q.loc[("B", "2024-Q1"), "hours_per_fte"] == pytest.approx(4 / 2)
    assert q.loc[("C", "2024-Q3"), "hours_per_fte"] == 0.0  # FTE but no registered hours
    # the first quarter with hours is 2024-Q1: the 2023 vacancy rate is left out
    assert sorted(sc.yearly["period"].unique()) == ["2024"]
    assert len(sc.yearly) == 3


def test_build_city_model_by_hand(city: PreventionResult) -> None:
    m = city.model
    assert (m.diagnostics["n_obs"], m.diagnostics["n_teams"], m.diagnostics["n_periods"]) == (6, 3, 2)
    assert m.diagnostics["sd_within"] == pytest.approx(math.sqrt(30))  # six deviations of +-5
    assert not m.too_few_teams and m.fe_error is None
    # within-team slope: sum(x~ y~) / sum(x~^2) = -1.5 / 150
    assert m.fe.slope == pytest.approx(-0.01)
    # cluster-robust: scores per team 0, 0.1, -0.1 -> meat 0.02; bread 1/150;
    # small-sample factor G/(G-1) (N-1)/(N-K) = 3/2 * 5/2; t with 2 df
    se = math.sqrt(3.75 * 0.02) / 150
    assert m.fe.se == pytest.approx(se)
    assert m.fe.ci_low == pytest.approx(-0.01 - T_975_DF2 * se)
    assert m.fe.ci_high == pytest.approx(-0.01 + T_975_DF2 * se)
    assert m.fits["effect_pp"].iloc[0] == pytest.approx(-10.0)
    assert m.fits["team_quarters"].tolist()[0] == 6
    # leave one team out: without A -1.0/100, without B -1.1/100, without C -0.9/100
    assert m.sensitivity.low_pp == pytest.approx(-11.0)
    assert m.sensitivity.high_pp == pytest.approx(-9.0)
    assert m.sensitivity.same_direction
    assert m.ground_truth is None  # no ground-truth file


def test_build_city_floor(city: PreventionResult, proc: Path, tmp_path: Path) -> None:
    fl = city.floor
    # only B 2024-Q3 (0.22) lies below 0.30; B 2024-Q1 is exactly 0.30, not below
    assert list(zip(fl.below["team"], fl.below["period"], strict=True)) == [("B", "2024-Q3")]
    assert fl.below["gap"].iloc[0] == pytest.approx(0.08)
    assert fl.clearly_below == 0  # no registrations of B in Q3: no interval
    assert len(fl.recent_below) == 1
    assert list(fl.below.columns) == ["organisation", "team", "period", "preventive_share", "ci_low",
                                      "ci_high", "gap", "clearly_below", "persons", "pact"]
    assert fl.summary.set_index("team")["quarters_below"].to_dict() == {"A": 0, "B": 1, "C": 0}
    assert len(fl.team_shares) == 6
    # the parameter overrides the settings: at 0.35 also B Q1 (0.30) and C Q3 (0.33)
    assert len(_run(proc, tmp_path, ondergrens="0.35").floor.below) == 3


def test_build_ground_truth_verdict(proc: Path, tmp_path: Path) -> None:
    gt = tmp_path / "ground_truth.json"
    key = {"prevention": {"slope_preventive_share_per_caseload_per_fte": -0.01}}
    gt.write_text(json.dumps(key), encoding="utf-8")
    check = _run(proc, tmp_path, ground_truth_file=str(gt)).model.ground_truth
    assert check.covered and check.truth_pp == pytest.approx(-10.0)
    assert check.estimate_pp == pytest.approx(-10.0)
    key["prevention"]["slope_preventive_share_per_caseload_per_fte"] = 0.0  # above ci_high
    gt.write_text(json.dumps(key), encoding="utf-8")
    assert not _run(proc, tmp_path, ground_truth_file=str(gt)).model.ground_truth.covered


# ----------------------------------------------------------------- organisation report


def test_build_organisation_with_too_few_teams(proc: Path, tmp_path: Path) -> None:
    r = _run(proc, tmp_path, organisation="O1")
    assert r.allocation.panels == "team"
    assert set(r.allocation.allocation["organisation"]) == {"O1"}
    m = r.model
    assert m.too_few_teams and m.diagnostics["n_teams"] == 2  # A and B
    assert m.fe is None and m.fits is None and m.sensitivity is None
    assert set(r.deadlines.recent["organisation"]) == {"O1"}
    assert set(r.deadlines.to_publish["organisation"]) == {"O1"}
    assert set(r.scarcity.yearly["organisation"]) == {"O1"} and len(r.scarcity.yearly) == 2
    assert set(r.floor.shares["organisation"]) == {"O1"}


def test_build_with_empty_folder(tmp_path: Path) -> None:
    proc = tmp_path / "empty"
    proc.mkdir()
    (proc / "validation.json").write_text(json.dumps({"as_of": "2024-06-20"}), encoding="utf-8")
    pd.DataFrame(columns=["indicator_id", "period", "organisation", "team", "numerator",
                          "denominator", "value"]).to_csv(proc / "indicators.csv", index=False)
    r = _run(proc, tmp_path)
    assert r.allocation.allocation.empty and r.allocation.recent == []
    assert not r.allocation.pact_comparable and r.allocation.team_rows.empty
    assert r.deadlines.summary.empty and r.deadlines.days.empty
    assert not r.scarcity.has_team_rows and r.scarcity.yearly.empty
    assert r.model.too_few_teams and r.model.diagnostics["n_obs"] == 0
    assert r.floor.below.empty and r.floor.summary.empty


# ----------------------------------------------------------------- model policy


def _settings(**changes) -> PreventionSettings:
    return dataclasses.replace(resolve_settings({}), **changes)


def test_fit_models_records_a_failing_main_model() -> None:
    flat = simulate_panel(n_teams=4, n_quarters=6).assign(caseload_per_fte=lambda d: d["team"].map(
        {"T00": 10.0, "T01": 20.0, "T02": 30.0, "T03": 40.0}))
    m = fit_models(flat, _settings())
    assert m.fe is None and "varieert niet" in m.fe_error
    assert m.mixed is None and m.fits is None and m.sensitivity is None


def test_fit_models_check_model_failure_and_direction(monkeypatch: pytest.MonkeyPatch) -> None:
    sim = simulate_panel(n_teams=4, n_quarters=6, slope=-0.004)

    def fails(*_a, **_k):
        raise RuntimeError("geen convergentie")

    monkeypatch.setattr(panel, "fit_mixed", fails)
    m = fit_models(sim, _settings())
    assert m.fe is not None and m.mixed is None
    assert m.mixed_error == "geen convergentie"
    assert len(m.fits) == 1 and not m.directions_differ

    def upward(*_a, **_k):
        return panel.PanelFit("mixedlm", 0.002, 0.001, 0.0, 0.004, 0.04, 24, 4, None, pd.DataFrame())

    monkeypatch.setattr(panel, "fit_mixed", upward)
    m = fit_models(sim, _settings())
    assert m.fe.slope < 0 and m.directions_differ and len(m.fits) == 2


def test_sensitivity_by_hand() -> None:
    loto = pd.DataFrame({"team_left_out": ["A", "B"], "slope": [-0.002, 0.001],
                         "ci_low": [0.0, 0.0], "ci_high": [0.0, 0.0]})
    s = sensitivity(loto, slope=-0.001, step=10)
    assert s.low_pp == pytest.approx(-2.0) and s.high_pp == pytest.approx(1.0)
    assert not s.same_direction
    assert sensitivity(loto.iloc[:0], slope=-0.001, step=10) is None


# ----------------------------------------------------------------- notebook


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
