"""Tests of the KPI report helpers: accountability, series, trend tests, signals, figures.

Small hand-built tables with hand-computed values (see kpi_builders.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from kpi_builders import RULES, register, typed

from zwt_analysis.reports.kpi import accountability, plots, series, signals, tables, trends
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
    assert set(tables.strategy_table(RULES)["Strategie"]) == {"Niche", "Geïntegreerd", "Emergent",
                                                           "Ecosysteem"}
    summ = tables.accountability_summary(acc.reset_index(), s.reset_index(), RULES, a)
    summ = summ.set_index("Strategie (Ebrahim)")
    assert list(summ.index) == ["Niche", "Geïntegreerd", "Ecosysteem"]
    assert summ.loc["Niche", "Zonder KPI"] == 1 and summ.loc["Geïntegreerd", "Zonder KPI"] == 0
    assert summ.loc["Geïntegreerd", "KPI's outcome"] == "2 (1)"  # K2 kept, K3 not
    assert summ.loc["Ecosysteem", "Te hoog / alleen leren"] == 1
    mis = tables.misfit_table_nl(acc.reset_index(), a, RULES)
    assert mis["KPI"].tolist() == ["K9"] and mis["Strategie"].iloc[0] == "Ecosysteem"
    assert mis["Voorstel"].iloc[0] == "schrappen"


# ----------------------------------------------------------------- periods, trends



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


def test_trend_test_ols_recovers_slope_and_edges():
    t = np.arange(2019, 2027, 0.25)
    r = trends.trend_test(t, 2.0 * t + 1 + np.tile([0.1, -0.1], len(t) // 2))
    assert r["method"] == "OLS + Newey-West" and r["n"] == len(t)
    assert r["slope_per_year"] == pytest.approx(2.0, abs=0.05) and r["p_value"] < 1e-6
    assert math.isnan(trends.trend_test([1, 2], [1, 2])["p_value"])
    flat = trends.trend_test(t, np.ones_like(t))
    assert flat["slope_per_year"] == 0.0 and flat["p_value"] == 1.0


def test_trend_test_binomial_glm_marginal_slope():
    t = np.arange(0, 8, 0.25)
    p = 1 / (1 + np.exp(-(-0.5 + 0.2 * (t - t.mean()))))
    den = np.full_like(t, 10_000.0)
    r = trends.trend_test(t, p, numerator=np.round(p * den), denominator=den)
    assert r["method"].startswith("binomiaal")
    expected = 0.2 * float(np.mean(p * (1 - p)))  # average marginal effect per year
    assert r["slope_per_year"] == pytest.approx(expected, rel=0.02)
    assert r["ci_low"] < r["slope_per_year"] < r["ci_high"]


def test_trend_tests_adjusts_and_labels():
    t = np.arange(8)
    dates = pd.to_datetime([f"{2019 + i}-07-01" for i in t])
    s = pd.DataFrame({"series": ["up"] * 8 + ["flat"] * 8 + ["short"] * 3,
                      "label": "x", "organisation": "A",
                      "t": np.r_[t, t, t[:3]].astype(float) + 2019,
                      "value": np.r_[t * 1.0 + np.tile([0, 0.2], 4), np.tile([1.0, 1.1], 4),
                                     [1.0, 2.0, 3.0]],
                      "date": np.r_[dates, dates, dates[:3]],
                      "unit": pd.NA, "numerator": np.nan, "denominator": np.nan})
    out = trends.trend_tests(s, min_periods=6).set_index("series")
    assert out.loc["up", "trend"] == "stijgend"
    assert out.loc["flat", "trend"] == "geen aantoonbare trend"
    assert out.loc["short", "trend"] == "te weinig perioden"
    assert (out["p_adjusted"].dropna() >= out["p_value"].dropna() - 1e-12).all()


def test_trend_tests_uses_glm_for_binomial_series():
    t = np.arange(2019, 2027, 0.25)
    den = np.full_like(t, 400.0)
    num = np.round(den * np.linspace(0.3, 0.6, len(t)))
    s = pd.DataFrame({"series": "x", "label": "x", "organisation": "A", "t": t,
                      "value": num / den, "numerator": num, "denominator": den,
                      "unit": "share", "binomial": True})
    out = trends.trend_tests(s, min_periods=6)
    assert out["method"].iloc[0].startswith("binomiaal")
    assert out["trend"].iloc[0] == "stijgend"
    # marginal slope close to the linear slope of 0.3 over 7.75 years
    assert out["slope_per_year"].iloc[0] == pytest.approx(0.3 / 7.75, rel=0.1)
    ols = trends.trend_tests(s.assign(binomial=False), min_periods=6)
    assert ols["method"].iloc[0] == "OLS + Newey-West"


def test_series_and_signals(small):
    reg, vals = small
    s = series.kpi_series(vals, reg, ["K1", "K8"])
    assert len(s) == 8 + 5 and s["target"].dropna().unique().tolist() == [0.8]
    assert s["label"].iloc[0] == "K1 Tevredenheid"
    ind = pd.DataFrame({"indicator_id": ["x"] * 3, "period": ["2023-Q1"] * 3,
                        "organisation": ["A", "B", "ALL"], "team": ["ALL"] * 3,
                        "numerator": [1.0, 2.0, 3.0], "denominator": [2.0, 4.0, 6.0],
                        "value": [0.5, 0.5, 0.5]})
    one = series.indicator_series(ind, ["x"], organisation="A")
    assert one["organisation"].tolist() == ["A", "Zaanstad"]
    assert one["target"].isna().all()
    reg_x = register([dict(kpi_id="Z1", indicator_id="x"),
                      dict(kpi_id="Z2", indicator_id="x", target=0.7),
                      dict(kpi_id="Z3", indicator_id="x", target=0.9)])
    both = series.indicator_series(ind, ["x"], wilson_ids=["x"], register=reg_x)
    assert both["target"].tolist() == [0.7] * 3  # first KPI with a target
    lo, hi = both["low"].iloc[0], both["high"].iloc[0]
    assert lo < 0.5 < hi and both["binomial"].all()
    sig = typed("signals", pd.DataFrame({
        "date": pd.to_datetime(["2023-05-01", "2023-02-01", "2022-01-01"]),
        "organisation": ["A", "B", "A"], "text": ["x" * 200, "kort", "oud"],
        "kpi_id": ["K1", None, None]}))
    got = signals.signals_for(sig, ["A", "B"], start=pd.Timestamp("2023-01-01"))
    assert got["nr"].tolist() == [1, 2] and got["organisation"].tolist() == ["B", "A"]
    sig2 = got.assign(kpi_id=pd.array(["K6", None], dtype="string"))
    panels = signals.signal_panels(sig2, reg)
    assert sorted(panels["panel"]) == ["K6", "preventive_share"]
    assert (panels["nr"] == 1).all()
    table = tables.signals_table_nl(got, max_chars=50)
    assert table["Signaal"].str.len().max() == 50 and table["Datum"].iloc[0] == "01-02-2023"


def test_small_multiples_one_panel_per_series(small):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reg, vals = small
    s = series.kpi_series(vals, reg, ["K1", "K7", "K8", "K2"])
    sig = signals.signals_for(typed("signals", pd.DataFrame({
        "date": pd.to_datetime(["2023-05-01", "2023-06-01"]), "organisation": ["A", "B"],
        "text": ["x", "y"], "kpi_id": ["K1", None]})), ["A", "B"])
    colours = plots.organisation_colours(["B", "A", "ALL"])
    assert list(colours) == ["A", "B", "Zaanstad"]
    assert plots.organisation_colours(["B"])["B"] != colours["B"]  # position in the full list
    fig = plots.plot_small_multiples(s, signals.signal_panels(sig, reg), ncols=3, colours=colours)
    assert sum(ax.get_visible() for ax in fig.axes) == 4
    assert plots.plot_small_multiples(s.iloc[0:0]) is None
    tl = plots.plot_signal_timeline(sig, pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01"))
    assert tl is not None
    plt.close("all")


def test_accountability_text_names_missing_level(small):
    reg, vals = small
    a = kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES)
    s = pd.DataFrame({"assignment_id": ["MAIN", "PACT1"], "assignment_type": ["main", "additional"],
                      "commissioner": ["", "PACT"], "strategy": ["niche", "ecosystem"]})
    acc = accountability.accountability(a, s, RULES)
    text = tables.accountability_text(acc, a, RULES)
    # MAIN as niche: kept K6 is an output -> named; PACT1 (K9 dropped) has no kept outcome
    assert "**Niche**" in text and "K6" in text
    assert "Geen behouden KPI op outcome-niveau" in text
