"""Key figures of the council brief on hand-built indicator tables."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from zwt_analysis.brief.build import BriefInputs, build_brief, settings
from zwt_analysis.brief.figures import (
    city_rows,
    figure_row,
    outflow_dispersion,
    person_hours,
    share_suppressed,
    small_count,
    year_before,
)
from zwt_analysis.methods.windows import mark_periods

COLS = ["indicator_id", "period", "organisation", "team", "numerator", "denominator", "value"]


def table(ind: str, rows: list[tuple[str, float, float]], org: str = "ALL",
          team: str = "ALL") -> pd.DataFrame:
    return pd.DataFrame([(ind, p, org, team, n, d, n / d) for p, n, d in rows], columns=COLS)


def test_small_counts_are_one_to_four():
    assert [small_count(n) for n in (0, 1, 4, 4.4, 5, None, float("nan"))] == [
        False, True, True, True, False, False, False]
    assert share_suppressed(3, 50) and share_suppressed(47, 50)  # complement 3
    assert not share_suppressed(0, 50) and not share_suppressed(50, 50)
    assert not share_suppressed(5, 10) and share_suppressed(5, 9)


def test_year_before():
    assert year_before("2026-Q2") == "2025-Q2"
    assert year_before("2000-Q1") == "1999-Q1"
    assert year_before("2025") == "2024"


def _deadline(rows):
    # wmo_decision_on_time: final 15 days after the quarter's end (limit 14 + 1)
    t = table("wmo_decision_on_time", rows)
    return mark_periods(city_rows(t, "wmo_decision_on_time"), date(2025, 7, 10), date(2023, 1, 1))


def test_latest_usable_quarter_with_wilson_margin_and_a_year_earlier():
    marked = _deadline([("2024-Q2", 30, 40), ("2025-Q1", 45, 50), ("2025-Q2", 40, 50),
                        ("2025-Q3", 1, 2)])
    r = figure_row("wmo_decision_on_time", "Wmo-besluit", "wilson", marked,
                   {"verdict": "dalend", "slope_per_year": -0.02, "ci_low": -0.03,
                    "ci_high": -0.01}, higher_is_better=True)
    # 2025-Q2 ended 30 June: on 10 July still provisional; 2025-Q3 partial
    assert (r.period, r.value) == ("2025-Q1", 0.9)
    assert r.excluded == ["2025-Q2", "2025-Q3"]
    assert r.previous is None and r.previous_period is None  # 2024-Q1 not in the table
    assert (r.verdict, r.slope, r.slope_low, r.since) == ("dalend", -0.02, -0.03, 2024)
    later = _deadline([("2024-Q1", 30, 40), ("2025-Q1", 40, 50)])
    r = figure_row("wmo_decision_on_time", "x", "wilson", later)
    # Wilson 95% for 40/50 by hand: centre 0.778595, half-width 0.108966
    assert r.low == pytest.approx(0.669629, abs=1e-6) and r.high == pytest.approx(0.887562,
                                                                                   abs=1e-6)
    assert (r.previous_period, r.previous) == ("2024-Q1", 0.75)


def test_a_share_with_a_small_complement_is_not_shown():
    marked = _deadline([("2024-Q1", 3, 40), ("2025-Q1", 47, 50)])
    r = figure_row("wmo_decision_on_time", "x", "wilson", marked)
    assert r.suppressed and r.value is None and r.low is None and r.period == "2025-Q1"
    assert r.previous is None  # 3 on time a year earlier: not shown either


def test_no_usable_period_gives_an_empty_row():
    marked = _deadline([("2025-Q3", 10, 20)])
    r = figure_row("wmo_decision_on_time", "x", "wilson", marked)
    assert r.value is None and not r.suppressed and r.period is None
    with pytest.raises(ValueError, match="unknown interval"):
        figure_row("wmo_decision_on_time", "x", "bootstrap", marked)


def test_person_hours_and_the_korn_graubard_margin():
    h = pd.DataFrame({"employee_id": ["a", "a", "b", "b", "c", "a"],
                      "date": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-03-31",
                                              "2025-03-01", "2025-01-02", "2025-04-01"]),
                      "activity": ["preventive_individual", "statutory_individual",
                                   "preventive_collective", "statutory_individual",
                                   "overhead", "preventive_individual"],
                      "hours": [2.0, 6.0, 1.0, np.nan, 9.0, 5.0]})
    num, tot = person_hours(h, "2025-Q1", ("preventive_individual", "preventive_collective"),
                            ("preventive_individual", "preventive_collective",
                             "statutory_individual"))
    # a: 2 of 8 hours; b: 1 of 1 (missing hours count 0); c: no hours of these activities;
    # a's April hours are another quarter
    assert num.tolist() == [2.0, 1.0] and tot.tolist() == [8.0, 1.0]
    marked = mark_periods(table("preventive_share", [("2025-Q1", 3.0, 9.0)]),
                          date(2025, 3, 31), date(2024, 1, 1))
    r = figure_row("preventive_share", "", "korn_graubard", marked, hours=(num, tot))
    assert r.suppressed and r.value is None  # 2 employees behind the share
    five = ([1, 2, 3, 4, 5], [10] * 5)
    r = figure_row("preventive_share", "", "korn_graubard", marked, hours=five)
    assert r.value == pytest.approx(1 / 3) and r.low < 0.3 < r.high and not r.suppressed


def test_outflow_margin_is_poisson_with_the_organisations_dispersion():
    rows = [("2023", 10, 100), ("2024", 10, 100)]
    ind = table("staff_outflow_rate", rows)
    marked = mark_periods(ind, date(2025, 6, 30), date(2023, 1, 1))
    r = figure_row("staff_outflow_rate", "", "poisson", marked)
    # exact Poisson (Garwood) for 10 leavers of 100: chi2(0.025; 20)/200, chi2(0.975; 22)/200
    assert (r.period, r.value) == ("2024", 0.1)
    assert r.low == pytest.approx(0.0479539, abs=1e-6)
    assert r.high == pytest.approx(0.1839036, abs=1e-6)
    assert r.previous == 0.1 and r.excluded == []  # 2025 is not in the table
    orgs = pd.concat([table("staff_outflow_rate", [("2023", 2, 50), ("2024", 18, 50)], "A"),
                      table("staff_outflow_rate", [("2023", 9, 50), ("2024", 11, 50)], "B")])
    phi = outflow_dispersion(orgs, "staff_outflow_rate", date(2025, 6, 30), date(2023, 1, 1))
    assert phi > 1  # A's years differ far more than chance
    wide = figure_row("staff_outflow_rate", "", "poisson", marked, dispersion=phi)
    assert wide.low < r.low and wide.high > r.high
    assert outflow_dispersion(ind, "staff_outflow_rate", date(2025, 6, 30),
                              date(2023, 1, 1)) == 1.0  # no organisation rows


def test_build_brief_uses_every_configured_figure():
    cfg = settings()
    rows = []
    for q, n in (("2023-Q1", 40), ("2023-Q2", 41), ("2023-Q3", 42), ("2023-Q4", 43),
                 ("2024-Q1", 44)):
        rows.append(("wmo_decision_on_time", q, "ALL", "ALL", n, 50, n / 50))
    ind = pd.DataFrame(rows, columns=COLS)
    inputs = BriefInputs(ind, pd.DataFrame({"date": [], "organisation": [], "text": []}),
                         date(2024, 6, 30), date(2023, 1, 1), municipality="Oss")
    b = build_brief(inputs, cfg)
    assert [f.key for f in b.figures] == [f["key"] for f in cfg["figures"]]
    (wmo,) = [r for f in b.figures for r in f.rows if r.indicator_id == "wmo_decision_on_time"]
    assert wmo.label == "Wmo-besluit (14 dagen)" and (wmo.period, wmo.value) == (
        "2024-Q1", 0.88)
    assert wmo.previous == 0.8 and wmo.short == "de termijn voor het Wmo-besluit"
    others = [r for f in b.figures for r in f.rows if r.indicator_id != "wmo_decision_on_time"]
    assert all(r.value is None for r in others)  # not in the table
    assert b.quarter == "2024-Q2" and b.stories == [] and b.municipality == "Oss"
