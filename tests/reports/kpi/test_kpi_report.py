"""Tests of the KPI report helpers: accountability, series, trends, signals, texts, figures.

Small hand-built tables with hand-computed values (see kpi_builders.py).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kpi_builders import RULES, register, typed, values

from zwt_analysis.methods import windows
from zwt_analysis.reports.kpi import accountability, plots, series, signals, tables, text, trends
from zwt_analysis.reports.kpi import accountability_tables as acc_tables
from zwt_analysis.reports.kpi import audit as kpi_audit

# ----------------------------------------------------------------- Ebrahim


def test_assignment_strategies_and_accountability(small):
    reg, vals = small
    budgets = typed("budgets", pd.DataFrame({
        "organisation": ["A", "A", "B"], "year": [2023] * 3,
        "assignment_id": ["PACT1", "EXTRA", "MAIN"],
        "assignment_type": ["additional", "additional", "main"],
        "funding_type": ["incidental", "incidental", "structural"],
        "amount_eur": [1.0, 1.0, 1.0], "commissioner": ["PACT", "gemeente", "gemeente"]}))
    s = accountability.assignment_strategies(reg, budgets, RULES).set_index("assignment_id")
    assert s["strategy"].to_dict() == {"EXTRA": "niche", "MAIN": "integrated",
                                       "PACT1": "ecosystem"}
    a = kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES)
    acc = accountability.accountability(a, s.reset_index(), RULES).set_index("kpi_id")
    assert acc.loc["K9", "fit"] == "leren"  # impact under an ecosystem assignment
    assert acc.loc["K2", "fit"] == "passend" and acc.loc["K2", "should_be"] == "outcome"
    niche = a.assign(assignment_id="EXTRA")
    acc2 = accountability.accountability(niche, s.reset_index(), RULES).set_index("kpi_id")
    assert acc2.loc["K2", "fit"] == "te hoog" and acc2.loc["K2", "should_be"] == "output"
    assert set(acc_tables.strategy_table(RULES)["Strategie"]) == {
        "Niche", "Geïntegreerd", "Emergent", "Ecosysteem"}
    summ = acc_tables.accountability_summary(acc.reset_index(), s.reset_index(), RULES, a)
    summ = summ.set_index("Strategie (Ebrahim)")
    assert list(summ.index) == ["Niche", "Geïntegreerd", "Ecosysteem"]
    assert summ.loc["Niche", "Zonder KPI"] == 1 and summ.loc["Geïntegreerd", "Zonder KPI"] == 0
    assert summ.loc["Geïntegreerd", "KPI's outcome"] == "2 (1)"  # K2 kept, K3 not
    assert summ.loc["Ecosysteem", "Te hoog / alleen leren"] == 1
    mis = acc_tables.misfit_table_nl(acc.reset_index(), a, RULES)
    assert mis["KPI"].tolist() == ["K9"] and mis["Strategie"].iloc[0] == "Ecosysteem"
    assert mis["Voorstel"].iloc[0] == "schrappen"


def test_accountability_text_names_missing_level(small):
    reg, vals = small
    a = kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES)
    s = pd.DataFrame({"assignment_id": ["MAIN", "PACT1"], "assignment_type": ["main", "additional"],
                      "commissioner": ["", "PACT"], "strategy": ["niche", "ecosystem"]})
    acc = accountability.accountability(a, s, RULES)
    out = acc_tables.accountability_text(acc, a, RULES)
    # MAIN as niche: kept K6 is an output -> named; PACT1 (K9 dropped) has no kept outcome
    assert "**Niche**" in out and "K6" in out
    assert "Geen behouden KPI op outcome-niveau" in out


# ----------------------------------------------------------------- periods, windows


def test_period_bounds_and_midpoint():
    p = pd.Series(["2024-Q3", "2024", "bad"], dtype="string")
    start, end = series.period_bounds(p)
    assert start.iloc[0] == pd.Timestamp("2024-07-01") and end.iloc[0] == pd.Timestamp("2024-09-30")
    assert start.iloc[1] == pd.Timestamp("2024-01-01") and end.iloc[1] == pd.Timestamp("2024-12-31")
    assert pd.isna(start.iloc[2]) and pd.isna(end.iloc[2])
    mid = series.period_midpoint(p)
    assert mid.iloc[0] == pd.Timestamp("2024-08-15") and mid.iloc[1] == pd.Timestamp("2024-07-01")
    assert series.decimal_year(pd.Series(pd.to_datetime(["2023-01-01"]))).iloc[0] == 2023.0


def test_complete_periods_drops_unfinished_periods():
    s = pd.DataFrame({"period": ["2025", "2026", "2026-Q3", "2026-Q4", "2018-Q4"]})
    out = series.complete_periods(s, "2026-09-30", start="2019-01-01")
    assert out["period"].tolist() == ["2025", "2026-Q3"]
    assert series.complete_periods(s, "2026-09-30")["period"].tolist() == ["2025", "2026-Q3",
                                                                         "2018-Q4"]


def test_data_start_is_first_of_the_month_of_the_earliest_date():
    a = pd.Series(pd.to_datetime(["2019-03-17", "2020-01-01"]))
    b = pd.Series(pd.to_datetime(["2019-02-28"]))
    assert windows.data_start([a, b]) == date(2019, 2, 1)
    assert windows.data_start([a, pd.Series([], dtype="datetime64[ns]")]) == date(2019, 3, 1)
    assert windows.data_start([pd.Series([], dtype="datetime64[ns]")]) is None
    assert windows.data_start([pd.Series([pd.NaT])]) is None


def test_kpi_period_status_partial_and_deadline_censoring():
    # K1 names wmo_assessment_on_time (limit 42 days): a quarter is final 43 days after its end
    reg = register([dict(kpi_id="K1", indicator_id="wmo_assessment_on_time"),
                    dict(kpi_id="K2")])
    v = values([("K1", "A", "2024-Q1", 0.8), ("K2", "A", "2024-Q1", 3.0),
                ("K1", "A", "2023-Q4", 0.8), ("K1", "A", "2024-Q2", 0.8),
                ("K2", "A", "2024", 1.0)])
    # 2024-Q1 ends 31 March: + 43 days = 13 May
    got = trends.kpi_period_status(v, reg, date(2024, 5, 12))["status"].tolist()
    assert got == ["provisional", "usable", "usable", "partial", "partial"]
    on_day = trends.kpi_period_status(v, reg, date(2024, 5, 13))
    assert on_day["status"].tolist()[:2] == ["usable", "usable"]
    assert on_day["status_label"].tolist()[3] == "onvolledig"


# ----------------------------------------------------------------- trend families

_Q = [f"{y}-Q{i}" for y in (2021, 2022, 2023) for i in range(1, 5)]
_NOISE = [0.3, -0.2, 0.1, -0.4, 0.2, 0.0, -0.1, 0.3, -0.3, 0.1, 0.2, -0.2]


def _kpi_values(orgs: dict[str, float]) -> pd.DataFrame:
    """K1 per organisation: 10 + slope per quarter + a fixed noise, 2021-Q1..2023-Q4, plus
    2024-Q1 (unfinished on the as-of date 2024-02-15); K2 only in 2024-Q1."""
    rows = []
    for j, (org, slope) in enumerate(orgs.items()):
        rows += [("K1", org, p, 10 + slope * i + _NOISE[(i + 3 * j) % 12])
                 for i, p in enumerate(_Q)]
        rows.append(("K1", org, "2024-Q1", 99.0))
    rows.append(("K2", "A", "2024-Q1", 5.0))
    return values(rows)


def test_kpi_family_one_test_per_series_partial_excluded():
    reg = register([dict(kpi_id="K1", unit="count"), dict(kpi_id="K2", unit="count")])
    fam = trends.kpi_family(_kpi_values({"A": 1.0, "B": 0.0, "C": 0.0}), reg, ["K1", "K2"],
                            date(2024, 2, 15)).set_index(["kpi_id", "organisation"])
    assert fam.loc[("K1", "A"), "verdict"] == "stijgend"
    # 1 per quarter = 4 per year (the noise barely moves it)
    assert fam.loc[("K1", "A"), "slope_per_year"] == pytest.approx(4.0, abs=0.1)
    assert fam.loc[("K1", "A"), "n"] == 12 and fam.loc[("K1", "A"), "periods_excluded"] == 1
    assert fam.loc[("K1", "B"), "verdict"] == fam.loc[("K1", "C"), "verdict"] == \
        "geen aantoonbare trend"
    assert (fam.loc["K1", "rho_source"] == "pooled").all()
    # K2 has only an unfinished quarter: listed, too short, no slope
    assert fam.loc[("K2", "A"), "verdict"] == "te kort om te beoordelen"
    assert fam.loc[("K2", "A"), "n"] == 0 and np.isnan(fam.loc[("K2", "A"), "slope_per_year"])


def test_kpi_family_alone_withholds_a_verdict_on_a_short_series():
    # one organisation: no pool, a level series needs 30 periods alone (methods.yaml)
    reg = register([dict(kpi_id="K1", unit="count")])
    fam = trends.kpi_family(_kpi_values({"A": 1.0}), reg, ["K1"], date(2024, 2, 15))
    assert fam["verdict"].tolist() == ["te kort om te beoordelen"]
    assert fam["note"].iloc[0] == "minder dan 30 bruikbare perioden"
    assert trends.kpi_family(values([]), reg, ["K1"], date(2024, 2, 15)).empty


def _families() -> tuple[pd.DataFrame, pd.DataFrame]:
    ind = pd.DataFrame({
        "indicator_id": ["x"] * 4 + ["y"],
        "organisation": ["ALL", "A", "A", "B", "A"], "team": ["ALL", "ALL", "T1", "ALL", "ALL"],
        "frequency": "quarter", "verdict": ["dalend", "dalend", "stijgend", "geen aantoonbare "
                                           "trend", "te kort om te beoordelen"],
        "slope_per_year": [-0.02, -0.03, 0.01, 0.0, np.nan], "p_adjusted": [0.01, 0.02, 0.03,
                                                                            0.5, np.nan]})
    kpi = pd.DataFrame({"kpi_id": ["K1", "K1"], "organisation": ["A", "B"],
                        "frequency": "year", "verdict": ["geen aantoonbare trend"] * 2})
    return ind, kpi


def test_report_trends_looks_up_the_report_slice():
    ind, kpi = _families()
    labels, units, scales = {"x": "X", "K1": "K1 naam"}, {"x": "share", "K1": "count"}, {"x": 100.0}
    city = trends.report_trends(ind, kpi, "ALL", ["K1"], ["y", "x"], labels, units, scales)
    assert city[["series", "organisation"]].apply(tuple, axis=1).tolist() == [
        ("K1", "A"), ("K1", "B"), ("y", "A"), ("x", "A"), ("x", "ALL"), ("x", "B")]
    assert list(city.columns) == trends.TREND_COLUMNS  # team rows are left out
    assert city.set_index(["series", "organisation"]).loc[("x", "A"), "scale"] == 100.0
    assert city["label"].tolist()[:3] == ["K1 naam", "K1 naam", "y"]  # unknown label: its id
    org = trends.report_trends(ind, kpi, "B", ["K1"], ["x"], labels, units, scales)
    # the organisation's own rows and the city's indicator rows, the same verdicts
    assert org[["series", "organisation"]].apply(tuple, axis=1).tolist() == [
        ("K1", "B"), ("x", "ALL"), ("x", "B")]
    both = org.merge(city, on=["series", "organisation"], suffixes=("", "_city"))
    assert (both["verdict"] == both["verdict_city"]).all() and len(both) == 3


def test_indicator_family_empty_inputs():
    empty = pd.DataFrame(columns=["indicator_id", "period", "organisation", "team", "numerator",
                                  "denominator", "value"])
    assert trends.indicator_family(empty, date(2024, 1, 1), date(2019, 1, 1)).empty
    one = pd.DataFrame({"indicator_id": ["x"], "period": ["2023-Q1"], "organisation": ["A"],
                        "team": ["ALL"], "numerator": [1.0], "denominator": [2.0],
                        "value": [0.5]})
    assert trends.indicator_family(one, date(2024, 1, 1), None).empty
    fam = trends.indicator_family(one, date(2024, 1, 1), date(2023, 1, 1))
    assert fam["verdict"].tolist() == ["te kort om te beoordelen"]


# ----------------------------------------------------------------- series


def test_series_keep_the_city_code_and_status(small):
    reg, vals = small
    s = series.kpi_series(vals, reg, ["K1", "K8"])
    assert len(s) == 8 + 5 and s["target"].dropna().unique().tolist() == [0.8]
    assert s["label"].iloc[0] == "K1 Tevredenheid" and (s["status"] == "usable").all()
    ind = pd.DataFrame({"indicator_id": ["x"] * 3, "period": ["2023-Q1"] * 3,
                        "organisation": ["A", "B", "ALL"], "team": ["ALL"] * 3,
                        "numerator": [1.0, np.nan, 3.0], "denominator": [2.0, 4.0, 6.0],
                        "value": [0.5, np.nan, 0.5], "status": ["usable", "usable", "warmup"]})
    one = series.indicator_series(ind, ["x"], organisation="A")
    assert one["organisation"].tolist() == ["A", "ALL"]  # the city keeps its code
    assert one["status"].tolist() == ["usable", "warmup"] and one["target"].isna().all()
    reg_x = register([dict(kpi_id="Z1", indicator_id="x"),
                      dict(kpi_id="Z2", indicator_id="x", target=0.7),
                      dict(kpi_id="Z3", indicator_id="x", target=0.9)])
    both = series.indicator_series(ind, ["x"], wilson_ids=["x"], register=reg_x)
    assert both["target"].tolist() == [0.7] * 3  # first KPI with a target
    a = both.set_index("organisation")
    assert a.loc["A", "low"] < 0.5 < a.loc["A", "high"] and both["binomial"].all()
    assert np.isnan(a.loc["B", "low"])  # a hidden numerator: no interval drawn


def test_protected_indicators_hide_small_counts_in_every_report():
    # A: 3 of 10 (primary); the city is A + B, so B's numerator (or the city's) must go too
    ind = pd.DataFrame({"indicator_id": ["wmo_assessment_on_time"] * 3, "period": ["2023-Q1"] * 3,
                        "organisation": ["ALL", "A", "B"], "team": ["ALL"] * 3,
                        "numerator": [20.0, 3.0, 17.0], "denominator": [40.0, 10.0, 30.0],
                        "value": [0.5, 0.3, 17 / 30]})
    out = series.protected_indicators(ind, ["wmo_assessment_on_time"]).set_index("organisation")
    assert np.isnan(out.loc["A", "numerator"]) and np.isnan(out.loc["A", "value"])
    assert np.isnan(out.loc["B", "numerator"]) or np.isnan(out.loc["ALL", "numerator"])
    # the same cells whatever the row order (one deterministic pass for every report)
    rev = series.protected_indicators(ind.iloc[::-1], ["wmo_assessment_on_time"])
    assert rev.set_index("organisation").sort_index().isna().equals(out.sort_index().isna())
    assert series.protected_indicators(ind, ["other"]).empty


# ----------------------------------------------------------------- signals


def _signals() -> pd.DataFrame:
    return signals.signals_for(typed("signals", pd.DataFrame({
        "date": pd.to_datetime(["2023-05-01", "2023-02-01", "2022-01-01", "2023-08-01"]),
        "organisation": ["A", "B", "A", "A"], "text": ["x" * 200, "kort", "oud", "werkdruk hoog"],
        "theme": ["Wachttijden ", None, "toegang", "werkdruk"],
        "kpi_id": ["K1", None, None, None]})), ["A", "B"], start=pd.Timestamp("2023-01-01"))


THEMES = {"wachttijden": ["wmo_assessment_on_time"], "werkdruk": ["caseload_per_fte"]}


def test_signals_numbered_and_tied_to_what_they_touch():
    reg = register([dict(kpi_id="K1", indicator_id="preventive_share"),
                    dict(kpi_id="K6", indicator_id="caseload_per_fte")])
    sig = _signals()
    assert sig["nr"].tolist() == [1, 2, 3] and sig["organisation"].tolist() == ["B", "A", "A"]
    # its KPI, that KPI's indicator, the theme's indicator (case and spaces ignored)
    assert signals.touched("K1", "Wachttijden ", reg, THEMES) == (
        ["preventive_share", "wmo_assessment_on_time"], ["K1"])
    # a theme indicator brings the KPI that names it
    assert signals.touched(None, "werkdruk", reg, THEMES) == (["caseload_per_fte"], ["K6"])
    assert signals.touched(None, None, reg, THEMES) == ([], [])
    panels = signals.signal_panels(sig, reg, THEMES)
    assert panels.groupby("nr")["panel"].apply(sorted).to_dict() == {
        2: ["K1", "preventive_share", "wmo_assessment_on_time"], 3: ["K6", "caseload_per_fte"]}
    ov = signals.signal_overview(sig, reg, THEMES).set_index("theme")
    assert ov["n"].to_dict() == {"(geen thema)": 1, "Wachttijden": 1, "werkdruk": 1}
    assert ov.loc["Wachttijden", "kpis"] == ["K1"]  # named by the signal itself
    assert ov.loc["werkdruk", "indicators"] == ["caseload_per_fte"]
    assert ov.loc["werkdruk", "by_organisation"] == {"A": 1}
    assert signals.signal_overview(sig.iloc[0:0], reg, THEMES).empty


def test_labelled_signals_are_the_most_recent_per_panel():
    p = pd.DataFrame({"nr": [1, 2, 3, 4], "date": pd.to_datetime(
        ["2023-01-01", "2023-03-01", "2023-02-01", "2023-04-01"]),
        "organisation": ["A", "A", "B", "B"], "text": "t", "panel": ["x", "x", "x", "y"]})
    mine, lab = signals.labelled_signals(p, "x", ["A"], max_labels=1)
    assert mine["nr"].tolist() == [1, 2] and lab["nr"].tolist() == [2]
    mine, lab = signals.labelled_signals(p, "x", ["A", "ALL"], max_labels=2)
    assert mine["nr"].tolist() == [1, 3, 2] and lab["nr"].tolist() == [3, 2]


# ----------------------------------------------------------------- texts


def test_signed_numbers_have_no_negative_zero():
    assert text.signed(-0.04, 1) == "0,0" and text.signed(-0.05, 1) == "-0,1"
    assert text.signed(-1.25, 2) == "-1,25" and text.signed(0.0, 0) == "0"
    # more decimals until the interval bounds print differently (never the old "-1,5 tot -1,5")
    assert text.decimals_for([-1.52, -1.54, -1.50], 1) == 2
    assert text.decimals_for([1.0, 1.0], 1) == 1 and text.decimals_for([], 0) == 0


def test_verdict_cell_and_change_phrase_per_unit():
    down = pd.Series({"verdict": "dalend", "slope_per_year": -0.017, "ci_low": -0.023,
                      "ci_high": -0.011, "scale": 100.0})
    assert text.verdict_cell(down) == "dalend: -1,7 pp/jaar (-2,3 tot -1,1)"
    assert text.change_phrase(down) == \
        "daalt met 1,7 procentpunt per jaar (95%-interval 1,1 tot 2,3)"
    up = pd.Series({"verdict": "stijgend", "slope_per_year": 12.34, "ci_low": 2.0,
                    "ci_high": 22.7, "scale": 1.0})
    assert text.verdict_cell(up) == "stijgend: 12/jaar (2 tot 23)"
    assert text.change_phrase(up) == "stijgt met 12 per jaar (95%-interval 2 tot 23)"
    short = pd.Series({"verdict": "te kort om te beoordelen", "slope_per_year": 2.1})
    assert text.verdict_cell(short) == "te kort om te beoordelen"  # no slope without a verdict
    assert text.verdict_cell(pd.Series({"verdict": np.nan})) == "te kort om te beoordelen"


def test_panel_verdicts_own_series_or_tally():
    t = pd.DataFrame({"series": ["x", "x", "x", "k", "k", "s"],
                      "organisation": ["A", "B", "ALL", "A", "B", "A"],
                      "verdict": ["dalend", "geen aantoonbare trend", "dalend", "dalend",
                                  "geen aantoonbare trend", "te kort om te beoordelen"],
                      "slope_per_year": [-0.02, 0.0, -0.01, -1.0, 0.0, np.nan],
                      "ci_low": [-0.03, -0.01, -0.02, -1.5, -0.5, np.nan],
                      "ci_high": [-0.01, 0.01, -0.005, -0.5, 0.5, np.nan],
                      "scale": [100.0, 100.0, 100.0, 1.0, 1.0, 1.0]})
    city = text.panel_verdicts(t[t["series"] != "s"], "ALL", "Stad")
    assert city == {"x": "Stad: dalend: -1,0 pp/jaar (-2,0 tot -0,5)",
                    "k": "dalend bij 1 van 2 organisaties"}
    org = text.panel_verdicts(t, "B", "Stad")
    assert org["x"] == "B: geen aantoonbare trend" and org["s"] == "te kort om te beoordelen"


def test_signals_phrase_names_ties_and_a_single_signal():
    ov = pd.DataFrame({"theme": ["toegang", "werkdruk", "registratie"], "n": [2, 2, 1]})
    assert text.signals_phrase(ov, 5) == (
        "de 5 signalen uit de praktijk gaan het vaakst over toegang en werkdruk (elk 2) en "
        "staan in de figuren bij de cijfers die ze raken")
    assert text.signals_phrase(ov.iloc[[0]], 7).startswith(
        "de 7 signalen uit de praktijk gaan het vaakst over toegang (2) en")
    assert text.signals_phrase(ov.iloc[[2]], 1).startswith(
        "het ene signaal uit de praktijk gaat over registratie")


# ----------------------------------------------------------------- tables


def test_trend_table_one_row_per_series_city_last():
    ind, kpi = _families()
    t = trends.report_trends(ind, kpi, "ALL", ["K1"], ["x"], {"x": "X"}, {"x": "share"},
                             {"x": 100.0})
    tab = tables.trend_table_nl(t, "Stad")
    assert list(tab.columns) == ["Reeks", "A", "B", "Stad"]
    assert tab["Reeks"].tolist() == ["K1", "X"]
    assert tab.iloc[0].tolist() == ["K1", "geen aantoonbare trend", "geen aantoonbare trend", "-"]
    assert tab.iloc[1]["Stad"].startswith("dalend: -2,0 pp/jaar")
    assert list(tables.trends_csv(t).columns) == [c for c in trends.TREND_COLUMNS if c != "scale"]
    assert tables.trend_table_nl(t.iloc[0:0], "Stad").empty


def test_kept_table_and_building_block_names(small):
    reg, vals = small
    a = tables.with_reasons(kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES), RULES)
    kept = tables.kept_table_nl(a, None, RULES)
    assert kept["KPI"].tolist() == ["K2", "K6"]  # outcome before output
    assert kept["Bouwsteen"].tolist() == ["succesvolle samenwerking", "kwaliteit van activiteiten"]
    assert kept["Volledig"].tolist() == ["100%", "50%"]
    many = pd.concat([a.assign(kpi_id=a["kpi_id"] + str(i), decision="keep") for i in range(3)])
    assert len(tables.kept_table_nl(many, None, RULES)) == tables.MAX_ROWS == 15
    blocks = tables.block_table_nl(kpi_audit.block_coverage(a, RULES), RULES)
    assert blocks["Bouwsteen (Kwaliteitskompas)"].tolist() == [
        "Succesvolle samenwerking", "Staat van de jeugd", "Maatschappelijke resultaten",
        "Activiteiten en veranderverhaal", "Kwaliteit van activiteiten",
        "Uitkomsten van activiteiten", "Leren en verbeteren"]
    assert text.empty_blocks_text(kpi_audit.block_coverage(a, RULES), RULES) == (
        "**Bouwstenen zonder behouden KPI:** staat van de jeugd, maatschappelijke resultaten, "
        "activiteiten en veranderverhaal, uitkomsten van activiteiten en leren en verbeteren.")
    plain = tables.rule_summary(a, RULES, codes=False)
    assert "Regel" not in plain and plain["Aantal KPI's"].sum() == 9 and len(plain) == 8


def test_signal_overview_table_caps_what_a_theme_touches():
    ov = pd.DataFrame({"theme": ["wachttijden"], "n": [3], "by_organisation": [{"A": 2, "B": 1}],
                       "first": [pd.Timestamp("2022-05-22")], "last": [pd.Timestamp("2025-02-04")],
                       "indicators": [["wmo_assessment_on_time", "a", "b", "c", "d"]],
                       "kpis": [["K6"]], "latest_text": ["y" * 120]})
    t = tables.signal_overview_nl(ov).iloc[0]
    assert t["Per organisatie"] == "A 2, B 1" and t["Periode"] == "2022–2025"
    assert t["Raakt aan"].endswith(", c en nog 2")
    assert t["Recentste signaal"].startswith("04-02-2025: yyy") and t["Recentste signaal"].endswith("…")


# ----------------------------------------------------------------- figures


def test_place_labels_hand_computed_lanes():
    # [0,4] lane 0; [2,6] overlaps -> lane 1; [5,9] fits after [0,4] -> lane 0;
    # [9,13] passes x_max 10 -> right-aligned [5,9]: overlaps lanes 0 and 1? lane 0 ends 9
    # (touching, gap 0 allowed: 9 <= 5 is false) -> lane 1 ends 6 > 5 -> lane 2
    got = plots.place_labels([0, 2, 5, 9], [4, 4, 4, 4], x_max=10, max_lanes=3)
    assert got == [(0, "left"), (1, "left"), (0, "left"), (2, "right")]
    assert plots.place_labels([0, 1], [4, 4], x_max=100, max_lanes=1) == [(0, "left"),
                                                                           (-1, "left")]
    assert plots.place_labels([], [], x_max=1) == []


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0.5, 20)), max_size=12))
def test_placed_labels_never_overlap(items):
    xs, ws = [x for x, _ in items], [w for _, w in items]
    got = plots.place_labels(xs, ws, x_max=100, max_lanes=3)
    spans: dict[int, list[tuple[float, float]]] = {}
    for (lane, ha), x, w in zip(got, xs, ws, strict=True):
        if lane >= 0:
            spans.setdefault(lane, []).append((x - w, x) if ha == "right" else (x, x + w))
    for lane_spans in spans.values():
        lane_spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(lane_spans, lane_spans[1:], strict=False))


def test_short_label_and_colours():
    assert plots.short_label("Meerdere collega's zijn kort na elkaar vertrokken", 26) == \
        "Meerdere collega's zijn…"
    assert plots.short_label(None) == "" and plots.short_label("kort") == "kort"
    colours = plots.organisation_colours(["B", "A", "ALL"])
    assert list(colours) == ["A", "B", "ALL"] and colours["ALL"] == plots.CITY_COLOUR
    assert plots.organisation_colours(["B"])["B"] != colours["B"]  # position in the full list


def test_small_multiples_statuses_signals_and_timeline(small):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reg, vals = small
    s = series.kpi_series(vals, reg, ["K1", "K7", "K8", "K2"])
    s.loc[s.index[-1], "status"] = "provisional"
    sig = _signals()
    panels = signals.signal_panels(sig, register([dict(kpi_id="K1")]), THEMES)
    fig = plots.plot_small_multiples(s, panels, ncols=3, city_label="Stad",
                                     verdicts={"K1": "A: dalend"})
    assert sum(ax.get_visible() for ax in fig.axes) == 4
    k1 = fig.axes[list(dict.fromkeys(s["series"])).index("K1")]
    assert k1.get_title().endswith("A: dalend")
    assert any(t.get_text().startswith("xxx") for t in k1.texts)  # the signal's label
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[-1] == "opstart of voorlopig (niet in de trendtoets)"
    assert plots.plot_small_multiples(s.iloc[0:0]) is None
    tl = plots.plot_signal_timeline(sig, pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01"))
    assert [t.get_text() for t in tl.axes[0].get_yticklabels()][-1] in (
        "Wachttijden (1)", "werkdruk (1)", "(geen thema) (1)")
    assert plots.plot_signal_timeline(sig.iloc[0:0], None, None) is None
    plt.close("all")
