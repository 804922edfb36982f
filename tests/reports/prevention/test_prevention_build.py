"""Tests of ``build()`` of the prevention wing on a hand-built processed folder (no papermill),
and of the notebook under papermill on the small synthetic data (slow).

The folder (``prevention_builders.write_processed``) holds the registrations and
cases of the unit tests and a hand-written indicator table: three teams whose
within-team slope of preventive share on caseload per FTE is exactly -0.01.
Partial deliveries (issue 17) are small generated folders
(``prevention_builders.tiny_delivery``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from prevention_builders import tiny_delivery, write_processed

from zwt_analysis.contract import ALL
from zwt_analysis.reports import context
from zwt_analysis.reports.prevention import PreventionResult, build, kern
from zwt_analysis.reports.prevention.build import resolve_settings

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
    assert (s.period_effects, s.weighted, s.min_teams, s.seed) == (True, True, 3, 2026)
    assert (s.effect_step, s.min_within_ratio, s.outlier_mads) == (10.0, 0.2, 4.0)
    assert s.signal_themes["caseload"] == ("werkdruk", "personeel")
    assert resolve_settings({"ondergrens": "0.4", "recent_quarters": 2}).floor == 0.4
    assert resolve_settings({"ondergrens": None}).floor == 0.30
    own = tmp_path / "own.yaml"
    own.write_text("signals:\n  deadlines: [wachttijden]\n", encoding="utf-8")
    mine = resolve_settings({"settings_file": str(own)}).signal_themes
    assert mine["deadlines"] == ("wachttijden",) and mine["caseload"] == ("werkdruk", "personeel")
    with pytest.raises(ValueError, match="ondergrens"):
        resolve_settings({"ondergrens": "30"})


# ----------------------------------------------------------------- city report


def test_build_city_allocation_and_deadlines(city: PreventionResult) -> None:
    r = city
    a = r.allocation
    assert r.organisation == ALL and a.panels == "organisation"
    assert a.recent == ["2024-Q1", "2024-Q3"]  # no hours in 2024-Q2
    # A Q1, B Q1 and A Q3, six activities each; n_eff is not published
    assert len(a.team_rows.frame) == 18 and "n_eff" not in a.team_rows.frame.columns
    assert a.pact_comparable
    pact = a.pact.frame.set_index(["group", "activity"])
    # PACT team B: 3 of 4 hours preventive individual; other teams (A): 22 of 40 hours statutory
    assert pact.loc[("PACT", "preventive_individual"), "share"] == pytest.approx(0.75)
    assert pact.loc[("overig", "statutory_individual"), "share"] == pytest.approx(22 / 40)
    assert pact.loc[("overig", "statutory_individual"), "persons"] == 2
    d = r.deadlines
    # city report: the recent rows are the city's (team ALL); both quarters are recent
    assert set(d.recent["organisation"]) == {ALL} and set(d.recent["team"]) == {ALL}
    wmo = d.summary.loc[(d.summary["indicator_id"] == "wmo_decision_on_time")
                        & (d.summary["organisation"] == ALL)].set_index("period")
    assert (wmo.loc["2024-Q1", "on_time"], wmo.loc["2024-Q1", "late"]) == (1, 2)
    assert wmo.loc["2024-Q2", "pending"] == 1
    # Q1 is final on 20 June (limit 14 days), Q2 has not ended: voorlopig
    assert wmo.loc["2024-Q1", "status"] == "definitief" and wmo.loc["2024-Q2", "status"] == "voorlopig"
    assert set(d.published.frame["organisation"]) == {ALL, "O1"}
    assert set(d.published.frame["team"]) == {ALL}
    q = d.quantiles.set_index("indicator_id")
    assert q.loc["wmo_decision_on_time", "q50"] == pytest.approx(15.0)  # 10 and 20 days


def test_build_city_protects_small_counts_in_every_table(city: PreventionResult) -> None:
    # every count here is below 5: counts of 1..4 show "<5", their shares "x"; 0 is printed
    csv = city.deadlines.published.csv()
    assert set(csv["on_time"].astype(str)) <= {"<5", "x", "0"}
    assert set(csv["share_on_time"].dropna().astype(str)) <= {"x"}
    # the deadline figure draws no share for a quarter the table suppresses
    assert city.deadlines.figure["share_on_time"].isna().all()
    # team-quarters of 1 or 2 persons: hours hidden (threshold rule), persons "<5"
    tq = city.allocation.team_rows
    assert set(tq.csv()["persons"].astype(str)) == {"<5"}
    assert set(tq.csv()["hours"].astype(str)) == {"x"}
    assert city.published.hidden_team_quarters == {("O1", "A", "2024-Q1"), ("O1", "B", "2024-Q1"),
                                                   ("O1", "A", "2024-Q3")}
    # so the figures leave them out, and the floor table hides the share beside them (the
    # other team-quarters of the hand-written indicator table have no registered persons)
    assert city.allocation.figure.loc[city.allocation.figure["team"] != ALL, "share"].isna().all()
    assert city.floor.team_shares["preventive_share"].isna().all()
    assert (city.floor.below.csv()["preventive_share"] == "x").all()
    assert city.published.suppressed_share > 0


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
    # 1 leaver in O1 in 2024: a count of 1..4 persons, its rate is not shown
    out = sc.yearly.loc[sc.yearly["indicator_id"] == "staff_outflow_rate"]
    assert sc.hidden_outflow == 1 and out["value"].isna().all()
    assert sc.partial_years == ["2024"]  # as of 20 June 2024


def test_build_city_model_by_hand(city: PreventionResult) -> None:
    m = city.model
    assert (m.diagnostics["n_obs"], m.diagnostics["n_teams"], m.diagnostics["n_periods"]) == (6, 3, 2)
    assert m.excluded == []  # the data start in January 2022
    assert m.diagnostics["sd_within"] == pytest.approx(math.sqrt(30))  # six deviations of +-5
    assert not m.too_few_teams and m.fe_error is None
    # within-team slope: sum(x~ y~) / sum(x~^2) = -1.5 / 150
    assert m.fe.estimate == pytest.approx(-0.01)
    # cluster-robust: scores per team 0, 0.1, -0.1 -> meat 0.02; bread 1/150;
    # small-sample factor G/(G-1) (N-1)/(N-K) = 3/2 * 5/2; t with 2 df
    se = math.sqrt(3.75 * 0.02) / 150
    assert m.fe.se_cr1 == pytest.approx(se)
    assert m.fe.ci_cr1_low == pytest.approx(-0.01 - T_975_DF2 * se)
    assert m.fe.ci_cr1_high == pytest.approx(-0.01 + T_975_DF2 * se)
    # 3 teams: the few-clusters flag, and the bootstrap margin is the one read
    assert m.fe.few_clusters and m.fe.clusters == 3
    assert m.fits["effect_pp"].tolist()[:2] == pytest.approx([-10.0, -10.0])
    assert m.fits["ci_low_pp"].iloc[0] == pytest.approx(m.fe.ci_wcr_low * 100 * 10)
    assert m.fits["team_quarters"].tolist()[0] == 6
    # leave one team out: without A -1.0/100, without B -1.1/100, without C -0.9/100
    assert m.sensitivity.low_pp == pytest.approx(-11.0)
    assert m.sensitivity.high_pp == pytest.approx(-9.0)
    assert m.sensitivity.same_direction
    assert m.ground_truth is None  # no ground-truth file
    assert m.mean_group.estimate == pytest.approx(-0.01)  # slopes -0.01, -0.008, -0.012


def test_build_city_floor(city: PreventionResult, proc: Path, tmp_path: Path) -> None:
    fl = city.floor
    # only B 2024-Q3 (0.22) lies below 0.30; B 2024-Q1 is exactly 0.30, not below
    below = fl.below.frame
    assert list(zip(below["team"], below["period"], strict=True)) == [("B", "2024-Q3")]
    assert below["gap"].iloc[0] == pytest.approx(0.08)
    assert fl.clearly_below == 0  # no registrations of B in Q3: no interval
    assert len(fl.recent_below) == 1
    assert list(below.columns) == ["organisation", "team", "period", "preventive_share", "ci_low",
                                   "ci_high", "gap", "clearly_below", "persons", "pact"]
    assert fl.summary.set_index("team")["quarters_below"].to_dict() == {"A": 0, "B": 1, "C": 0}
    assert len(fl.team_shares) == 6
    # the parameter overrides the settings: at 0.35 also B Q1 (0.30) and C Q3 (0.33)
    assert len(_run(proc, tmp_path, ondergrens="0.35").floor.below.frame) == 3


def test_build_city_kern(city: PreventionResult) -> None:
    sentences = kern.sentences(city)
    assert 3 <= len(sentences) <= 5
    first = sentences[0]
    # the WCR margin of 3 teams; never hard-coded: the numbers are the model's
    assert first.startswith("Bij een hogere caseload wordt") or first.startswith("Een verband")
    assert "bij 10 casussen per fte meer ligt het preventieve aandeel van een team gemiddeld " \
           "10,0 procentpunt lager" in first
    assert any(s.startswith("Let op: dit is samenhang") and "rust op 3 teams" in s
               for s in sentences)
    assert not any("OLS" in s or "cluster" in s for s in sentences)


def test_build_ground_truth_verdict(proc: Path, tmp_path: Path) -> None:
    gt = tmp_path / "ground_truth.json"
    key = {"prevention": {"slope_preventive_share_per_caseload_per_fte": -0.01}}
    gt.write_text(json.dumps(key), encoding="utf-8")
    check = _run(proc, tmp_path, ground_truth_file=str(gt)).model.ground_truth
    assert check.covered and check.truth_pp == pytest.approx(-10.0)
    assert check.estimate_pp == pytest.approx(-10.0)
    key["prevention"]["slope_preventive_share_per_caseload_per_fte"] = 1.0  # far outside
    gt.write_text(json.dumps(key), encoding="utf-8")
    assert not _run(proc, tmp_path, ground_truth_file=str(gt)).model.ground_truth.covered


# ----------------------------------------------------------------- organisation report


def test_build_organisation_reads_the_city_model(proc: Path, tmp_path: Path) -> None:
    r = _run(proc, tmp_path, organisation="O1")
    city = _run(proc, tmp_path)
    assert r.allocation.panels == "team"
    assert set(r.allocation.allocation["organisation"]) == {"O1"}
    # issue 15: 2 teams of O1 carry no interval; the report reads the model of all 3 teams
    m = r.model
    assert m.fe is not None and m.fe.clusters == 3
    assert m.fe.estimate == pytest.approx(city.model.fe.estimate)
    assert set(r.deadlines.recent["organisation"]) == {"O1"}
    assert set(r.deadlines.published.frame["organisation"]) == {"O1"}
    # the same cell shows the same symbol in the city's and the organisation's table
    own = city.deadlines.published.labels.loc[
        (city.deadlines.published.frame["organisation"] == "O1").to_numpy()].reset_index(drop=True)
    assert own.equals(r.deadlines.published.labels)
    # the organisation with the municipality as reference: figure and yearly table
    assert set(r.deadlines.figure["organisation"]) == {"O1", ALL}
    assert set(r.scarcity.yearly["organisation"]) == {"O1", ALL}
    assert set(r.floor.shares["organisation"]) == {"O1"}
    assert kern.sentences(r)[0].endswith("; geschat over alle 3 teams van de gemeente samen, "
                                         "ook die van O1.")


def test_build_with_empty_folder(tmp_path: Path) -> None:
    proc = tmp_path / "empty"
    proc.mkdir()
    (proc / "validation.json").write_text(json.dumps({"as_of": "2024-06-20"}), encoding="utf-8")
    pd.DataFrame(columns=["indicator_id", "period", "organisation", "team", "numerator",
                          "denominator", "value"]).to_csv(proc / "indicators.csv", index=False)
    r = _run(proc, tmp_path)
    assert r.allocation.allocation.empty and r.allocation.recent == []
    assert not r.allocation.pact_comparable and r.allocation.team_rows.frame.empty
    assert r.deadlines.summary.empty and r.deadlines.days.empty
    assert not r.scarcity.has_team_rows and r.scarcity.yearly.empty
    assert r.model.too_few_teams and r.model.diagnostics["n_obs"] == 0
    assert r.floor.below.frame.empty and r.floor.summary.empty
    assert r.deadline_models.table.empty
    assert len(r.skipped) == 2  # no registrations, no cases
    assert kern.sentences(r)[0] == r.skipped[0]


# ----------------------------------------------------------------- partial deliveries (issue 17)


PARTIAL = {
    "one_team_one_year": dict(teams={"A": "O1"}, start="2024-01-01", end="2024-12-31"),
    "only_cases": dict(teams={"A": "O1", "B": "O2"}, start="2023-01-01", end="2024-12-31",
                       tables=("cases",)),
    "only_kpi": dict(teams={"A": "O1"}, start="2024-01-01", end="2024-12-31", tables=()),
    "no_staff": dict(teams={"A": "O1", "B": "O2", "C": "O2"}, start="2022-01-01",
                     end="2024-12-31", tables=("cases", "time_registrations", "areas")),
    "from_2025": dict(teams={"A": "O1", "B": "O2", "C": "O2"}, start="2025-01-01",
                      end="2025-12-31"),
}

#: What each delivery must say it leaves out (a fragment of a note in ``skipped``).
SKIPPED = {
    "one_team_one_year": "alle kwartalen met gegevens vallen in de opstart",
    "only_cases": "Er zijn geen urenregistraties",
    "only_kpi": "Er zijn geen casussen",
    "no_staff": "Er is geen caseload per fte",
    "from_2025": "alle kwartalen met gegevens vallen in de opstart",
}


@pytest.mark.parametrize("kind", sorted(PARTIAL))
@pytest.mark.parametrize("organisation", [ALL, "O1"])
def test_build_partial_deliveries(kind: str, organisation: str, tmp_path: Path) -> None:
    proc = tiny_delivery(tmp_path / kind, **PARTIAL[kind])
    r = _run(proc, tmp_path, organisation=organisation, period_effects=True)
    assert any(SKIPPED[kind] in note for note in r.skipped), r.skipped
    assert r.model.fe is None
    sentences = kern.sentences(r)
    assert 1 <= len(sentences) <= 5 and all(s.strip() for s in sentences)
    if kind in ("one_team_one_year", "no_staff", "from_2025"):
        assert not r.allocation.allocation.empty and not r.deadlines.figure.empty
    if kind == "only_cases":
        assert r.allocation.allocation.empty and not r.deadlines.summary.empty
        assert not r.scarcity.has_team_rows


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
    # issue 16: counts of 1..4 are suppressed; 0 describes nobody and is printed
    assert ((numeric.dropna() >= 5) | (numeric.dropna() == 0)).all()
    text = (tmp_path / "executed.ipynb").read_text(encoding="utf-8")
    assert "procentpunt" in text or "niet geschat" in text
    assert "zwt-kern" in text  # the Kern section is on the page


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["one_team_one_year", "only_cases"])
def test_notebook_renders_partial_deliveries(kind: str, tmp_path: Path) -> None:
    import jupytext
    import nbformat
    import papermill as pm

    from zwt_analysis import config

    proc = tiny_delivery(tmp_path / kind, **PARTIAL[kind])
    nb = jupytext.read(config.NOTEBOOKS_DIR / "03_prevention.py")
    src = tmp_path / "03_prevention.ipynb"
    nbformat.write(nb, src)
    pm.execute_notebook(str(src), str(tmp_path / "executed.ipynb"), kernel_name="zwt",
                        progress_bar=False, cwd=str(tmp_path),
                        parameters={"processed_dir": str(proc), "organisation": "O1",
                                    "output_dir": str(tmp_path / "out")})
    text = (tmp_path / "executed.ipynb").read_text(encoding="utf-8")
    assert SKIPPED[kind] in text and "Traceback" not in text


def _deadline_stub(organisation: str) -> SimpleNamespace:
    figure = pd.DataFrame({
        "indicator_id": ["jeugdwet_decision_on_time", "participatiewet_decision_on_time",
                         "participatiewet_decision_on_time"],
        "organisation": [organisation] * 3, "period": ["2026-Q2", "2026-Q2", "2026-Q3"],
        "status": ["definitief", "definitief", "voorlopig"],
        "share_on_time": [0.80, 0.75, 0.99], "ci_low": [0.70, 0.6251, 0.9],
        "ci_high": [0.88, 0.8449, 1.0]})
    models = pd.DataFrame({"indicator_id": ["jeugdwet_decision_on_time",
                                            "participatiewet_decision_on_time"],
                           "effect_pp": [-20.34, -4.0], "ci_high_pp": [-1.0, 2.0]})
    return SimpleNamespace(deadlines=SimpleNamespace(figure=figure), organisation=organisation,
                           place="Zaanstad", deadline_models=SimpleNamespace(table=models),
                           settings=SimpleNamespace(effect_step=10))


def test_deadline_sentence_names_the_lowest_final_share_with_its_margin() -> None:
    city = kern.deadline_sentence(_deadline_stub(ALL))
    # the provisional 99% of 2026-Q3 is not the latest final quarter; 75% is the lowest
    assert city == ("Wettelijke termijnen: in 2026-Q2, het laatste kwartaal waarvan alle "
                    "termijnen verstreken zijn, werd 75% (95%-marge 63%–84%) van de "
                    "Participatiewet-besluiten van Zaanstad op tijd afgerond, het laagst van de 2 "
                    "termijnen; bij 1 van de 2 termijnen gaat een hogere caseload aantoonbaar "
                    "samen met minder tijdigheid (het sterkst bij Jeugdwet-besluiten: 20,3 "
                    "procentpunt minder op tijd bij 10 casussen per fte meer).")
    own = kern.deadline_sentence(_deadline_stub("O1"))
    assert "Participatiewet-besluiten van O1" in own
    assert own.endswith("meer; geschat over alle teams van de gemeente).")
