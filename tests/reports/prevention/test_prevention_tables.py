"""Tests of the prevention wing's reader tables, sentences and figures (Dutch)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from prevention_builders import simulate_panel

from zwt_analysis import periods
from zwt_analysis.contract import ALL
from zwt_analysis.reports.prevention import allocation, deadlines, panel, tables


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
    st = deadlines.deadline_cases(cases, date(2024, 6, 20))
    fig = plots.deadline_ecdf(deadlines.deadline_days(st))
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2  # wmo decision, jeugdwet
    fig = plots.deadline_trends(deadlines.deadline_summary(st), organisation="O1")
    # plus the Wmo assessment: no assessment done, all late by as-of (no durations for the ECDF)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3
    sim = simulate_panel(n_teams=4, n_quarters=6)
    fit = panel.fit_fixed_effects(sim)
    assert len(plots.residual_plot(fit.residuals).axes) == 2
    assert len(plots.panel_scatter(sim, fit.slope).axes[0].lines) >= 1
    plt.close("all")


def test_publish_deadlines_suppresses_counts_and_shares(cases: pd.DataFrame) -> None:
    st = deadlines.deadline_cases(cases, date(2024, 6, 20), indicator_ids=["wmo_decision_on_time"])
    pub = tables.publish_deadlines(deadlines.deadline_summary(st))
    assert "evaluable" not in pub.columns
    # every count here is below 5: counts of 1..4 and the share are suppressed (0 is printed)
    assert set(pub["on_time"]) <= {"<5", "0"} and "<5" in set(pub["on_time"])
    assert set(pub["share_on_time"].dropna()) <= {"x", ""}


def test_for_display_dutch() -> None:
    df = pd.DataFrame({"activity": ["overhead"], "share": [0.1234], "pact": pd.array([True]),
                       "clearly_below": pd.array([False]), "team": [ALL], "persons": ["<5"]})
    out = tables.for_display(df)
    assert list(out.columns) == ["Activiteit", "Aandeel", "PACT", "Heel interval onder ondergrens",
                                 "Team", "Personen"]
    assert out.iloc[0].tolist() == ["Overhead", "12,3%", "ja", "nee", "alle", "<5"]
    assert periods.latest_quarters(["2024-Q1", "2023-Q4", "2024", "2024-Q2"], 2) == ["2024-Q1", "2024-Q2"]


# ------------------------------------------------------------------ reader tables and sentences


def test_city_labels_come_from_labels() -> None:
    assert tables.who(ALL) == "de gemeente" and tables.who("DOCK") == "DOCK"
    yearly = pd.DataFrame({"organisation": ["O1", ALL], "period": ["2024", "2024"],
                           "indicator_id": ["vacancy_rate", "vacancy_rate"],
                           "numerator": [1.0, 3.0], "denominator": [10.0, 20.0],
                           "value": [0.1, 0.15]})
    shown = tables.yearly_table(yearly)
    assert list(shown.columns) == ["Jaar", "Vacatureruimte O1", "Vacatureruimte gemeente"]
    assert shown.iloc[0].tolist() == ["2024", "10,0%", "15,0%"]


def test_pact_and_below_floor_tables_suppress_persons() -> None:
    pact = pd.DataFrame({"group": ["PACT", "overig"], "activity": ["overhead", "overhead"],
                         "hours": [1.0, 9.0], "total_hours": [4.0, 40.0], "share": [0.25, 0.225],
                         "ci_low": [0.1, 0.2], "ci_high": [0.5, 0.3],
                         "persons": pd.array([1, 12], dtype="Int64")})
    shown = tables.pact_table(pact)
    assert list(shown.columns) == ["Groep", "Activiteit", "Aandeel", "95%-BI onder", "95%-BI boven",
                                   "Personen"]
    # one cell below 5 takes the next-smallest with it (secondary suppression)
    assert shown["Personen"].tolist() == ["<5", "x"]  # the partner is not under 5: x
    assert shown["Aandeel"].tolist() == ["25,0%", "22,5%"]
    below = pd.DataFrame({"organisation": ["O1"], "team": ["B"], "period": ["2024-Q3"],
                          "preventive_share": [0.22], "ci_low": [0.1], "ci_high": [0.35],
                          "gap": [0.08], "clearly_below": pd.array([False]),
                          "persons": pd.array([7], dtype="Int64"), "pact": pd.array([True])})
    row = tables.below_floor_table(below).iloc[0]
    assert row["Tekort t.o.v. ondergrens (%-punt)"] == "8,0%" and row["PACT"] == "ja"
    assert row["Personen"] == "7"  # published counts are text


def test_recent_deadlines_table_drops_organisation_and_team(cases: pd.DataFrame) -> None:
    st = deadlines.deadline_cases(cases, date(2024, 6, 20), indicator_ids=["wmo_decision_on_time"])
    summary = deadlines.deadline_summary(st)
    shown = tables.recent_deadlines_table(summary.loc[summary["organisation"] == "O1"])
    assert "Organisatie" not in shown.columns and "Team" not in shown.columns
    assert shown["Termijn"].unique().tolist() == ["Wmo: beschikking binnen termijn"]


def test_fits_display_dutch() -> None:
    fits = pd.DataFrame({"model": ["Vaste teameffecten (WLS, cluster-robuust)",
                                   "Mixed model (random team-intercept)"],
                         "effect_pp": [-10.0, -9.8], "ci_low_pp": [-17.9, -11.6],
                         "ci_high_pp": [-2.1, -8.1], "p_value": [0.0317, 1e-28],
                         "team_quarters": [6, 6], "teams": [3, 3]})
    shown = tables.fits_display(fits, 10.0)
    assert list(shown.columns) == ["Model", "Effect per 10 casussen/fte (procentpunt)",
                                   "95%-BI onder", "95%-BI boven", "p-waarde", "Team-kwartalen",
                                   "Teams"]
    assert shown["Model"].tolist() == ["Vaste teameffecten (WLS, cluster-robuust)",
                                       "Controle: gemengd model (willekeurig team-intercept)"]
    assert shown["p-waarde"].tolist() == ["0,032", "< 0,001"]


def test_panel_summary_and_model_messages() -> None:
    from zwt_analysis.reports.prevention.build import ModelPart

    diag = {"n_obs": 1234, "n_teams": 3, "n_periods": 2, "obs_per_team_min": 2,
            "obs_per_team_max": 5, "sd_within": 5.477, "sd_total": 10.488}
    text = tables.panel_summary(diag)
    assert "Het panel telt **1.234 team-kwartalen** van **3 teams**\nover 2 kwartalen" in text
    assert "(per team 2 tot\n5 kwartalen)" in text
    assert "standaardafwijking van 5,5 (totaal 10,5);" in text
    few = ModelPart(panel=pd.DataFrame(), diagnostics={"n_teams": 2}, too_few_teams=True)
    (msg,) = tables.model_messages(few, min_teams=3)
    assert msg.startswith("**Het model is niet geschat:** er zijn 2 teams met gegevens")
    assert "bij minder dan 3 teams" in msg
    failed = ModelPart(panel=pd.DataFrame(), diagnostics={"n_teams": 4}, too_few_teams=False,
                       fe_error="caseload per fte varieert niet binnen teams")
    assert tables.model_messages(failed, 3) == [
        "**Het model is niet geschat:** caseload per fte varieert niet binnen teams."]
    check = ModelPart(panel=pd.DataFrame(), diagnostics={"n_teams": 4}, too_few_teams=False,
                      mixed_error="geen convergentie")
    assert tables.model_messages(check, 3) == [
        "Het controlemodel (gemengd model) kon niet geschat worden: geen convergentie."]
    fine = ModelPart(panel=pd.DataFrame(), diagnostics={"n_teams": 4}, too_few_teams=False)
    assert tables.model_messages(fine, 3) == []


def test_outcome_sensitivity_and_ground_truth_sentences() -> None:
    from zwt_analysis.reports.prevention.build import GroundTruthCheck, Sensitivity

    fit = panel.PanelFit("fixed_effects", -0.0024, 0.0005, -0.0036, -0.0012, 0.001, 100, 12, 11,
                         pd.DataFrame())
    assert tables.outcome(fit, 10.0).startswith(
        "### Uitkomst\n\n**Bij 10 casussen per fte meer ligt het preventieve aandeel van een team "
        "gemiddeld 2,4 procentpunt lager")
    same = tables.sensitivity_sentence(Sensitivity(-11.0, -9.0, True), 10.0)
    assert "per 10 casussen per fte tussen -11,0 en -9,0 procentpunt (steeds dezelfde richting)" in same
    other = tables.sensitivity_sentence(Sensitivity(-2.0, 1.0, False), 10.0)
    assert "(**niet steeds dezelfde richting**)" in other
    inside = tables.ground_truth_sentence(GroundTruthCheck(-8.0, -7.57, -8.21, -6.93, True), 10.0)
    assert inside == ("**Controle op synthetische data:** de ingebouwde helling is -8,00 procentpunt "
                      "per 10 casussen per fte; de schatting is -7,57 (95%-BI -8,21 tot -6,93). "
                      "De ware waarde valt binnen het interval.")
    outside = tables.ground_truth_sentence(GroundTruthCheck(0.0, -7.57, -8.21, -6.93, False), 10.0)
    assert outside.endswith("De ware waarde valt **buiten** het interval.")
