"""Tests of the prevention wing's reader tables, sentences, signals and figures (Dutch)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from prevention_builders import simulate_panel

from zwt_analysis import periods, signals
from zwt_analysis.contract import ALL
from zwt_analysis.disclosure import ProtectedTable
from zwt_analysis.methods.panel import FEInference, PanelCheck
from zwt_analysis.reports.prevention import allocation, deadlines, model, panel, tables
from zwt_analysis.reports.prevention.model import GroundTruthCheck, ModelPart, Sensitivity


def _plain(df: pd.DataFrame) -> ProtectedTable:
    return ProtectedTable(df.reset_index(drop=True),
                          pd.DataFrame("", index=range(len(df)), columns=df.columns, dtype=object))


def _fe(estimate: float, low: float, high: float, clusters: int = 10) -> FEInference:
    return FEInference("caseload_per_fte", estimate, 0.001, low, high, 0.01, 0.02, low, high,
                       100, clusters, clusters <= 10, "webb", 9999)


def _signals() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime(["2024-08-07", "2024-02-01", "2024-05-01", "2023-01-01"]),
        "organisation": ["O1", "O1", "O2", "O1"],
        "text": ["De caseload is zo hoog dat we alleen nog wettelijke taken doen.",
                 "Meer Wmo-onderzoeken niet binnen zes weken.", "Groepsaanbod gestopt.",
                 "Te vroeg."],
        "team": ["A", pd.NA, "C", "A"], "area_code": pd.NA,
        "theme": ["werkdruk", "Wachttijden", "preventie", "werkdruk"], "kpi_id": pd.NA})


# ------------------------------------------------------------------ figures


def test_plots_draw_one_panel_per_group(tr: pd.DataFrame, areas: pd.DataFrame, cases: pd.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from zwt_analysis.reports.prevention import plots

    alloc = allocation.time_allocation(tr, areas)
    fig = plots.allocation_over_time(alloc, panels="organisation")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert sorted(ax.get_title() for ax in visible) == ["Gemeente (alle organisaties)", "O1"]
    fig = plots.allocation_over_time(alloc, panels="team")
    assert sorted(ax.get_title() for ax in fig.axes if ax.get_visible()) == ["A", "B (PACT)"]
    fig = plots.allocation_latest(alloc, ["2024-Q1"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["O1 · A", "O1 · B (PACT)"]
    # a suppressed team-quarter leaves the team out of the pooled bars
    masked = alloc.assign(hours=alloc["hours"].where(alloc["team"] != "B"))
    fig = plots.allocation_latest(masked, ["2024-Q1"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["O1 · A"]
    st = deadlines.deadline_cases(cases, date(2024, 6, 20))
    fig = plots.deadline_ecdf(deadlines.deadline_days(st))
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2  # wmo decision, jeugdwet
    summary = deadlines.cohort_status(deadlines.deadline_summary(st), date(2024, 6, 20))
    fig = plots.deadline_trends(summary.loc[summary["team"] == ALL], organisation="O1")
    # plus the Wmo assessment: no assessment done, all late by as-of (no durations for the ECDF)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3
    sim = simulate_panel(n_teams=4, n_quarters=6)
    resid = panel.residual_frame(sim, "preventive_share", "caseload_per_fte", "hours", True)
    assert len(plots.residual_plot(resid).axes) == 2
    assert len(plots.panel_scatter(sim, -0.004).axes[0].lines) >= 1
    plt.close("all")


def test_figures_leave_suppressed_values_out_and_start_at_zero() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from zwt_analysis.reports.prevention import plots

    fig_rows = pd.DataFrame({
        "indicator_id": "wmo_decision_on_time", "organisation": ["O1"] * 3 + [ALL] * 3,
        "team": ALL, "period": ["2024-Q1", "2024-Q2", "2024-Q3"] * 2,
        "share_on_time": [0.8, np.nan, 0.9, 0.85, 0.86, 0.87],  # O1 2024-Q2 suppressed
        "ci_low": [0.7, np.nan, 0.8, 0.8, 0.8, 0.8], "ci_high": [0.9, np.nan, 0.95, 0.9, 0.9, 0.9],
        "status": ["definitief", "definitief", "voorlopig"] * 2})
    fig = plots.deadline_trends(fig_rows, organisation="O1")
    ax = fig.axes[0]
    own = [ln for ln in ax.lines if ln.get_label() == "O1"][0]
    assert np.isnan(own.get_ydata()[1])  # a gap, not a value the table hides
    assert list(own.get_ydata()[:1]) == [0.8] and np.isnan(own.get_ydata()[2])  # Q3 provisional
    prov = [ln for ln in ax.lines if ln.get_label() == "voorlopig"][0]
    assert list(prov.get_ydata()) == [0.9]  # an open circle without a band
    ref = [ln for ln in ax.lines if "referentie" in str(ln.get_label())][0]
    assert list(ref.get_ydata()[:2]) == [0.85, 0.86]
    assert ax.get_ylim()[0] == 0
    q = pd.DataFrame({"organisation": "O1", "team": ["A", "A"], "period": ["2024-Q1", "2024-Q2"],
                      "caseload_per_fte": [20.0, 25.0], "hours_per_fte": [400.0, 410.0]})
    sig = signals.select(_signals(), "O1", ["werkdruk"], ["2024-Q1", "2024-Q2", "2024-Q3"])
    fig = plots.scarcity_trends(q, "caseload_per_fte", "t", "y", sig=sig, warmup=["2024-Q1"])
    assert fig.axes[0].get_ylim()[0] == 0
    plt.close("all")


# ------------------------------------------------------------------ signals


def test_signals_selected_numbered_and_placed() -> None:
    s = _signals()
    got = signals.select(s, ALL, ["werkdruk", "wachttijden"], ["2024-Q1", "2024-Q2", "2024-Q3"])
    # themes without case; 2023 is outside the figure's quarters; numbered in date order
    assert got["nr"].tolist() == [1, 2]
    assert got["text"].str[:4].tolist() == ["Meer", "De c"]
    assert got["period"].tolist() == ["2024-Q1", "2024-Q3"]
    assert signals.select(s, "O2", ["werkdruk"]).empty
    assert signals.select(s.iloc[:0], ALL, ["werkdruk"]).empty
    assert signals.select(s, ALL, []).empty
    pos = signals.positions(got["date"], ["2024-Q1", "2024-Q2", "2024-Q3"])
    # 1 February: 31 of 91 days into the first quarter; 7 August: 37 of 92 into the third
    assert pos.tolist() == pytest.approx([-0.5 + 31 / 91, 2 - 0.5 + 37 / 92])
    text = tables.signal_list(got)
    assert text.splitlines()[2] == "1. 1 februari 2024, O1: *Meer Wmo-onderzoeken niet binnen zes weken.*"
    assert "2. 7 augustus 2024, A:" in text
    assert tables.signal_list(got.iloc[:0]) == ""


# ------------------------------------------------------------------ reader tables


def test_for_display_dutch() -> None:
    df = pd.DataFrame({"activity": ["overhead"], "share": [0.1234], "pact": pd.array([True]),
                       "clearly_below": ["x"], "team": [ALL], "persons": ["<5"], "gap": [0.075]})
    out = tables.for_display(df)
    assert list(out.columns) == ["Activiteit", "Aandeel", "PACT", "Hele marge onder ondergrens",
                                 "Team", "Medewerkers", "Onder de ondergrens (procentpunt)"]
    assert out.iloc[0].tolist() == ["Overhead", "12,3%", "ja", "x", "alle", "<5", "7,5"]
    assert periods.latest_quarters(["2024-Q1", "2023-Q4", "2024", "2024-Q2"], 2) == ["2024-Q1", "2024-Q2"]


def test_city_labels_and_yearly_table() -> None:
    assert tables.who(ALL) == "de gemeente" and tables.who("DOCK") == "DOCK"
    yearly = pd.DataFrame({"organisation": ["O1", ALL], "period": ["2024", "2024"],
                           "indicator_id": ["vacancy_rate", "vacancy_rate"],
                           "numerator": [1.0, 3.0], "denominator": [10.0, 20.0],
                           "value": [0.1, 0.15]})
    shown = tables.yearly_table(yearly)
    assert list(shown.columns) == ["Jaar", "Vacatureruimte O1", "Vacatureruimte gemeente"]
    assert shown.iloc[0].tolist() == ["2024", "10,0%", "15,0%"]


def test_pact_below_and_recent_deadline_tables() -> None:
    pact = pd.DataFrame({"group": ["PACT", "overig"], "activity": ["overhead", "overhead"],
                         "hours": [1.0, 9.0], "total_hours": [4.0, 40.0], "share": [0.25, 0.225],
                         "ci_low": [0.1, 0.2], "ci_high": [0.5, 0.3],
                         "persons": pd.array([6, 12], dtype="Int64")})
    labels = pd.DataFrame("", index=range(2), columns=pact.columns, dtype=object)
    labels.loc[0, ["hours", "share", "ci_low", "ci_high"]] = "x"
    shown = tables.pact_table(ProtectedTable(pact, labels))
    assert list(shown.columns) == ["Groep", "Activiteit", "Aandeel", "Marge van", "Marge tot",
                                   "Medewerkers"]
    assert shown["Aandeel"].tolist() == ["x", "22,5%"]  # the published text, symbols kept
    below = pd.DataFrame({"organisation": ["O1"] * 17, "team": [f"T{i}" for i in range(17)],
                          "period": "2024-Q3", "preventive_share": 0.2, "ci_low": 0.1,
                          "ci_high": 0.3, "gap": [0.01 * i for i in range(16)] + ["x"],
                          "clearly_below": False, "persons": 7, "pact": False})
    top = tables.below_floor_table(below)
    assert len(top) == tables.MAX_ROWS == 15  # the full list is the CSV
    assert top["Team"].iloc[0] == "T15" and "x" not in set(top["Onder de ondergrens (procentpunt)"])
    assert "Organisatie" not in top.columns  # one organisation: no column for it
    recent = pd.DataFrame({"indicator_id": ["jeugdwet_decision_on_time"] * 2 + ["wmo_decision_on_time"],
                           "organisation": "O1", "team": ALL,
                           "period": ["2024-Q1", "2024-Q2", "2024-Q1"],
                           "share_on_time": [0.8, "x", 0.9], "status": ["definitief", "voorlopig",
                                                                        "definitief"]})
    wide = tables.recent_deadlines_table(recent)
    assert list(wide.columns) == ["Termijn", "2024-Q1", "2024-Q2"]
    assert wide.iloc[0].tolist() == ["Wmo: beschikking binnen termijn", "90%", ""]
    assert wide.iloc[1].tolist() == ["Jeugdwet: besluit binnen termijn", "80%", "x (voorlopig)"]


def test_suppression_note_only_with_symbols() -> None:
    assert tables.suppression_note(0.029, False) == ""
    note = tables.suppression_note(0.029, True)
    assert "`<5`" in note and "`x`" in note and "2,9%" in note


# ------------------------------------------------------------------ model text


def test_fits_and_deadline_model_displays() -> None:
    fits = model.fits_table(_fe(-0.01, -0.0179, -0.0021), None, step=10)
    shown = tables.fits_display(fits, 10.0)
    assert list(shown.columns) == ["Model", "Effect per 10 casussen/fte (procentpunt)",
                                   "95%-BI onder", "95%-BI boven", "p-waarde", "Team-kwartalen",
                                   "Teams"]
    assert shown["p-waarde"].tolist() == ["0,020", "0,010"]
    tbl = pd.DataFrame({"indicator_id": ["wmo_decision_on_time", "wgs_first_contact_on_time"],
                        "effect_pp": [-14.4, -3.0], "ci_low_pp": [-22.6, -8.0],
                        "ci_high_pp": [-5.6, 1.5], "p_value": [0.003, 0.2],
                        "ci_cr1_low_pp": [-21.5, -7.0], "ci_cr1_high_pp": [-7.2, 1.0],
                        "p_cr1": [0.001, 0.15], "team_quarters": [230, 230], "teams": [10, 10],
                        "few_clusters": [True, True]})
    plain = tables.deadline_effects_table(tbl, 10.0)
    assert plain.iloc[0].tolist() == ["Wmo: beschikking binnen termijn",
                                      "14,4 procentpunt minder op tijd",
                                      "5,6 tot 22,6 procentpunt lager", "ja"]
    assert plain.iloc[1, 2] == "van 8,0 procentpunt lager tot 1,5 procentpunt hoger"
    assert plain.iloc[1, 3] == "nee"
    method = tables.deadline_models_display(tbl, 10.0)
    assert method.iloc[0]["WCR 95%-BI"] == "-22,6 tot -5,6" and method.iloc[0]["p (CR1)"] == "0,001"


def test_panel_summary_and_model_messages() -> None:
    diag = {"n_obs": 1234, "n_teams": 3, "n_periods": 2, "obs_per_team_min": 2,
            "obs_per_team_max": 5, "sd_within": 5.477, "sd_total": 10.488}
    text = tables.panel_summary(diag)
    assert "Het panel telt **1.234 team-kwartalen** van **3 teams** over 2 kwartalen" in text
    assert "(per team 2 tot 5 kwartalen)" in text
    assert "standaardafwijking van 5,5 (totaal 10,5);" in text
    # issue 18: not "per team 31 tot 31 kwartalen"
    same = tables.panel_summary({**diag, "obs_per_team_min": 31, "obs_per_team_max": 31},
                                ["2019-Q1", "2020-Q2"])
    assert "(per team 31 kwartalen)" in same and "tot 31" not in same
    assert "De opstartkwartalen 2019-Q1 t/m 2020-Q2 zijn weggelaten" in same
    few = ModelPart(panel=pd.DataFrame(), excluded=[], diagnostics={"n_teams": 2, "n_obs": 8},
                    too_few_teams=True)
    assert tables.model_messages(few, min_teams=3) == [
        "**Het verband is niet geschat:** er zijn 2 teams met bruikbare kwartalen en het model "
        "vraagt er minstens 3."]
    failed = ModelPart(panel=pd.DataFrame(), excluded=[], diagnostics={"n_teams": 4, "n_obs": 8},
                       too_few_teams=False, fe_error="caseload per fte varieert niet binnen teams")
    assert tables.model_messages(failed, 3) == [
        "**Het verband is niet geschat:** caseload per fte varieert niet binnen teams."]
    fine = ModelPart(panel=pd.DataFrame(), excluded=[], diagnostics={"n_teams": 4, "n_obs": 8},
                     too_few_teams=False, fe=_fe(-0.01, -0.02, -0.005))
    assert tables.model_messages(fine, 3) == []


def test_outcome_checks_sensitivity_and_ground_truth_sentences() -> None:
    fe = _fe(-0.0024, -0.0036, -0.0012)
    out = tables.outcome(fe, 10.0, ALL)
    assert out.startswith("### Uitkomst\n\n**Bij 10 casussen per fte meer ligt het preventieve "
                          "aandeel van een team gemiddeld 2,4 procentpunt lager")
    assert "OLS" not in out and "cluster" not in out  # no jargon for every reader
    org = tables.outcome(fe, 10.0, "DOCK")
    assert "over alle 10 teams van de gemeente samen (ook die van DOCK)" in org
    fine = [PanelCheck("mundlak", 0.0, 0.5, 0.5, False, "a"),
            PanelCheck("placebo_lead", 0.0, 0.9, 0.9, False, "b")]
    assert tables.checks_plain(fine).startswith("Drie controles vinden geen aanwijzing")
    bad = [PanelCheck("placebo_lead", 0.01, 0.01, 0.02, True, "Omgekeerd verband.")]
    assert tables.checks_plain(bad) == "Let op: Omgekeerd verband."
    assert tables.checks_plain([]) == ""
    assert list(tables.checks_table(fine)["Controle"]) == [
        "Mundlak (verschillen tussen teams)", "Placebo: caseload van het volgende kwartaal"]
    same = tables.sensitivity_sentence(Sensitivity(-11.0, -9.0, True), 10.0)
    assert "per 10 casussen per fte tussen -11,0 en -9,0 procentpunt (steeds dezelfde richting)" in same
    other = tables.sensitivity_sentence(Sensitivity(-2.0, 1.0, False), 10.0)
    assert "(**niet steeds dezelfde richting**)" in other
    inside = tables.ground_truth_sentence(GroundTruthCheck(-8.0, -7.57, -8.21, -6.93, True), 10.0)
    assert inside == ("**Controle op synthetische data:** de ingebouwde helling is -8,00 procentpunt "
                      "per 10 casussen per fte; de schatting is -7,57 (marge -8,21 tot -6,93). "
                      "De ware waarde valt binnen de marge.")
    outside = tables.ground_truth_sentence(GroundTruthCheck(0.0, -7.57, -8.21, -6.93, False), 10.0)
    assert outside.endswith("De ware waarde valt **buiten** de marge.")
    assert math.isinf(_fe(-0.01, -math.inf, 0.0).ci_wcr_low)
