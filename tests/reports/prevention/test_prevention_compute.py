"""Tests of the prevention wing's compute modules (issue 7): allocation, shares, scarcity, deadlines.

Hand-built tables with values computed by hand, edge cases (a team of one, a
quarter without hours, empty tables) and invariants (hypothesis).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from prevention_builders import korn_graubard, long_indicators, tr_frame, wilson

from zwt_analysis import periods
from zwt_analysis.contract import ALL
from zwt_analysis.disclosure.rules import default_rules
from zwt_analysis.processed import empty_table
from zwt_analysis.reports.prevention import (
    allocation,
    common,
    deadlines,
    scarcity,
    shares,
    tables,
)

# ------------------------------------------------------------------ settings, labels


def test_load_settings_defaults_and_override(tmp_path: Path) -> None:
    s = common.load_settings()
    assert s["ondergrens"] == pytest.approx(0.30)
    assert s["model"]["min_teams"] == 3
    own = tmp_path / "own.yaml"
    own.write_text("ondergrens: 0.4\nmodel:\n  period_effects: false\n", encoding="utf-8")
    s2 = common.load_settings(own)
    assert s2["ondergrens"] == pytest.approx(0.4)
    assert s2["model"]["period_effects"] is False
    assert s2["model"]["min_teams"] == 3  # merged, not replaced
    bad = tmp_path / "bad.yaml"
    bad.write_text("ondergrens: 30\n", encoding="utf-8")
    with pytest.raises(ValueError, match="ondergrens"):
        common.load_settings(bad)


def test_quarter_label_and_pact(areas: pd.DataFrame) -> None:
    s = pd.Series(pd.to_datetime(["2024-01-01", "2024-12-31", None]))
    got = periods.quarter_labels(s)
    assert got.iloc[0] == "2024-Q1" and got.iloc[1] == "2024-Q4" and pd.isna(got.iloc[2])
    assert common.pact_teams(areas) == {"B"}
    assert common.pact_teams(empty_table("areas")) == set()


# ------------------------------------------------------------------ clustered share


def test_clustered_share_korn_graubard_by_hand() -> None:
    units = pd.DataFrame({"cell": ["c", "c", "d"], "a": [6.0, 0.0, 3.0], "t": [10.0, 20.0, 4.0]})
    got = allocation.clustered_share(units, ["cell"], "a", "t").set_index("cell")
    # cell c: p = 6/30 = 0.2; residuals a - p t = 4, -4; var = 2/1 * 32 / 900; n_eff = 2.25
    assert got.loc["c", "share"] == pytest.approx(0.2)
    assert got.loc["c", "n_eff"] == pytest.approx(0.2 * 0.8 / (2 * 32 / 900))
    assert got.loc["c", "n_eff"] == pytest.approx(2.25)
    lo, hi = korn_graubard([6.0, 0.0], [10.0, 20.0])
    assert (got.loc["c", "ci_low"], got.loc["c", "ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    # two persons: 1 degree of freedom, the interval is far wider than a Wilson one on 2.25
    wlo, whi = wilson(0.2 * 2.25, 2.25)
    assert got.loc["c", "ci_high"] - got.loc["c", "ci_low"] > whi - wlo
    assert got.loc["c", "persons"] == 2
    # cell d: one person -> nothing is known of the spread between persons: 0..1
    assert (got.loc["d", "ci_low"], got.loc["d", "ci_high"]) == (0.0, 1.0)
    assert np.isnan(got.loc["d", "n_eff"])


def test_clustered_share_zero_variance_counts_persons_and_empty() -> None:
    units = pd.DataFrame({"cell": ["c"] * 3, "a": [4.0, 8.0, 2.0], "t": [10.0, 20.0, 5.0]})
    got = allocation.clustered_share(units, ["cell"], "a", "t")
    # every person has share 0.4: zero variance, one trial per person (n_eff = 3)
    assert got["n_eff"].iloc[0] == pytest.approx(3.0)
    lo, hi = korn_graubard([4.0, 8.0, 2.0], [10.0, 20.0, 5.0])
    assert got["ci_low"].iloc[0] == pytest.approx(lo)
    assert got["ci_high"].iloc[0] == pytest.approx(hi)
    empty = allocation.clustered_share(units.iloc[:0], ["cell"], "a", "t")
    assert empty.empty and "ci_low" in empty.columns


# ------------------------------------------------------------------ time allocation


def test_time_allocation_by_hand(tr: pd.DataFrame, areas: pd.DataFrame) -> None:
    got = allocation.time_allocation(tr, areas)
    a = got.loc[(got["team"] == "A") & (got["period"] == "2024-Q1")].set_index("activity")
    assert list(a.index) == list(tables.ACTIVITY_LABELS.keys()) or set(a.index) == set(
        tables.ACTIVITY_LABELS)
    assert len(a) == 6
    assert a["total_hours"].unique().tolist() == [30.0]
    assert a.loc["preventive_individual", "share"] == pytest.approx(0.2)
    assert a.loc["preventive_collective", "share"] == pytest.approx(2 / 30)
    assert a.loc["statutory_individual", "share"] == pytest.approx(0.4)
    assert a.loc["overhead", "share"] == pytest.approx(1 / 3)
    assert a.loc["coordination", "share"] == 0.0
    assert a["share"].sum() == pytest.approx(1.0)
    # statutory: residuals 4 - 0.4*10 = 0 and 8 - 0.4*20 = 0 -> one trial per person
    lo, hi = korn_graubard([4.0, 8.0], [10.0, 20.0])
    assert a.loc["statutory_individual", "ci_low"] == pytest.approx(lo)
    assert a.loc["statutory_individual", "ci_high"] == pytest.approx(hi)
    assert a.loc["statutory_individual", "n_eff"] == pytest.approx(2.0)
    assert a.loc["preventive_individual", "n_eff"] == pytest.approx(2.25)
    assert (a["persons"] == 2).all()
    assert not a["pact"].any()
    # team of one: the interval is 0..1 (no binomial band on hours), and PACT
    b = got.loc[(got["team"] == "B") & (got["period"] == "2024-Q1")].set_index("activity")
    assert b.loc["preventive_individual", "share"] == pytest.approx(0.75)
    assert (b["ci_low"] == 0.0).all() and (b["ci_high"] == 1.0).all()
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
    got = allocation.time_allocation(empty_table("time_registrations"), None)
    assert got.empty
    assert {"share", "ci_low", "ci_high", "pact", "persons"} <= set(got.columns)


# ------------------------------------------------------------------ preventive share and floor


def _indicators_for(tr: pd.DataFrame) -> pd.DataFrame:
    from zwt_analysis import indicators

    return indicators.preventive_share(tr, date(2024, 12, 31))


def test_preventive_share_table_uses_indicator(tr: pd.DataFrame, areas: pd.DataFrame) -> None:
    ind = _indicators_for(tr)
    got = shares.preventive_share_table(ind, tr, areas)
    a1 = got.loc[(got["team"] == "A") & (got["period"] == "2024-Q1")].iloc[0]
    # (6 + 2) / (6 + 2 + 12) = 0.4
    assert a1["preventive_share"] == pytest.approx(0.4)
    assert a1["hours"] == pytest.approx(20.0)
    assert a1["persons"] == 2
    # units: e1 a=6 t=10, e2 a=2 t=10; p=0.4 -> residuals 2, -2; var = 2*8/400 = 0.04
    lo, hi = korn_graubard([6.0, 2.0], [10.0, 10.0])
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
    got = shares.below_floor(table, 0.30)
    # 0.30 exactly is not below; the ALL row is left out
    assert list(zip(got["team"], got["period"], strict=True)) == [("A", "2024-Q1"), ("B", "2024-Q2")]
    assert got["gap"].tolist() == pytest.approx([0.20, 0.30])
    assert got["clearly_below"].tolist() == [True, False]
    assert len(shares.below_floor(table, 0.0)) == 0
    assert len(shares.below_floor(table, 0.30, team_level=False)) == 3
    with pytest.raises(ValueError):
        shares.below_floor(table, 30)
    summary = shares.floor_summary(table, 0.30).set_index("team")
    assert summary.loc["A", "quarters"] == 2 and summary.loc["A", "quarters_below"] == 1
    assert summary.loc["B", "last_period"] == "2024-Q2"
    assert summary.loc["B", "last_share"] == 0.0
    assert summary.loc["A", "share_below"] == pytest.approx(0.5)
    assert shares.below_floor(table.iloc[:0], 0.3).empty
    assert shares.floor_summary(table.iloc[:0], 0.3).empty


# ------------------------------------------------------------------ scarcity



def test_scarcity_quarterly_and_yearly(tr: pd.DataFrame) -> None:
    ind = long_indicators(
        [
            ("caseload_per_fte", "2024-Q1", "O1", "A", 40.0, 2.0),
            ("caseload_per_fte", "2024-Q2", "O1", "A", 30.0, 2.0),
            ("caseload_per_fte", "2024-Q1", "O1", ALL, 50.0, 2.5),
            ("vacancy_rate", "2024", "O1", ALL, 1.0, 10.0),
            ("staff_outflow_rate", "2024", "O1", ALL, 2.0, 20.0),
            ("staff_outflow_rate", "2024", ALL, ALL, 6.0, 60.0),
            ("preventive_share", "2024-Q1", "O1", "A", 8.0, 20.0),
        ]
    )
    q = scarcity.scarcity_quarterly(ind, tr)
    a1 = q.loc[(q["team"] == "A") & (q["period"] == "2024-Q1")].iloc[0]
    assert a1["caseload_per_fte"] == 20.0 and a1["fte"] == 2.0 and a1["open_cases"] == 40.0
    assert a1["hours"] == 30.0 and a1["hours_per_fte"] == 15.0
    a2 = q.loc[(q["team"] == "A") & (q["period"] == "2024-Q2")].iloc[0]
    assert a2["hours"] == 0.0 and a2["hours_per_fte"] == 0.0  # quarter without hours
    assert scarcity.scarcity_quarterly(ind, tr, from_period="2024-Q2")["period"].unique().tolist() == [
        "2024-Q2"]
    o1 = q.loc[q["team"] == ALL].iloc[0]
    assert o1["hours"] == 34.0 and o1["hours_per_fte"] == pytest.approx(34 / 2.5)
    y = scarcity.scarcity_yearly(ind)
    assert len(y) == 3
    assert scarcity.scarcity_yearly(ind, from_year=2025).empty
    assert y.loc[y["indicator_id"] == "vacancy_rate", "value"].iloc[0] == pytest.approx(0.1)
    assert scarcity.scarcity_yearly(ind.iloc[:0]).empty
    # 2 leavers in O1 are not shown (a person count of 1..4), 6 in the city are
    shown, hidden = scarcity.hide_small_outflow(y, default_rules())
    assert hidden == 1
    out = shown.set_index(["indicator_id", "organisation"])
    assert np.isnan(out.loc[("staff_outflow_rate", "O1"), "value"])
    assert out.loc[("staff_outflow_rate", ALL), "value"] == pytest.approx(0.1)
    assert out.loc[("vacancy_rate", "O1"), "value"] == pytest.approx(0.1)  # not a person count
    wide = tables.yearly_table(shown, partial_years=["2024"])
    assert list(wide.columns) == ["Jaar", "Vacatureruimte O1", "Uitstroom O1", "Uitstroom gemeente"]
    assert wide.iloc[0].tolist() == ["2024 (t/m peildatum)", "10,0%", "<5", "10,0%"]


def test_hide_small_outflow_edges() -> None:
    ind = long_indicators([("staff_outflow_rate", "2023", "O1", ALL, n, 50.0)
                           for n in (0.0,)] + [("staff_outflow_rate", "2024", "O1", ALL, 4.0, 50.0),
                                               ("staff_outflow_rate", "2025", "O1", ALL, 5.0, 50.0)])
    shown, hidden = scarcity.hide_small_outflow(scarcity.scarcity_yearly(ind), default_rules())
    # 0 leavers describe nobody and are shown; 4 is hidden; 5 is shown
    assert hidden == 1
    assert shown.set_index("period")["value"].isna().to_dict() == {"2023": False, "2024": True,
                                                                   "2025": False}


# ------------------------------------------------------------------ deadlines



def test_deadline_summary_by_hand(cases: pd.DataFrame) -> None:
    st = deadlines.deadline_cases(cases, date(2024, 6, 20),
                                   indicator_ids=["wmo_decision_on_time", "jeugdwet_decision_on_time"])
    s = deadlines.deadline_summary(st)
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
    days = deadlines.deadline_days(st)
    wmo_days = sorted(days.loc[days["indicator_id"] == "wmo_decision_on_time", "days"].tolist())
    assert wmo_days == [10, 20]
    qs = deadlines.days_quantiles(days).set_index("indicator_id")
    assert qs.loc["wmo_decision_on_time", "q50"] == pytest.approx(15.0)
    assert qs.loc["wmo_decision_on_time", "share_within_limit"] == pytest.approx(0.5)
    assert qs.loc["jeugdwet_decision_on_time", "limit_days"] == 56


def test_deadline_empty() -> None:
    st = deadlines.deadline_cases(empty_table("cases"), date(2024, 6, 20))
    assert st.empty
    assert deadlines.deadline_summary(st).empty
    assert deadlines.deadline_days(st).empty
    assert deadlines.days_quantiles(deadlines.deadline_days(st)).empty


# ------------------------------------------------------------------ invariants (hypothesis)

_rows = hst.lists(
    hst.tuples(
        hst.sampled_from(["e1", "e2", "e3", "e4"]),
        hst.sampled_from(["A", "B"]),
        hst.sampled_from(["2024-01-15", "2024-05-15"]),
        hst.sampled_from(list(tables.ACTIVITY_LABELS)),
        hst.floats(min_value=0.25, max_value=12.0, allow_nan=False),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=20, deadline=None)
@given(_rows)
def test_allocation_invariants(rows: list[tuple]) -> None:
    tr = tr_frame([(e, "O1", t, d, a, h) for e, t, d, a, h in rows])
    got = allocation.time_allocation(tr, None)
    # six activities per cell, shares sum to one, intervals inside 0..1 and around the share
    sums = got.groupby(["organisation", "team", "period"])["share"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    assert (got.groupby(["organisation", "team", "period"]).size() == 6).all()
    assert ((got["ci_low"] >= 0) & (got["ci_high"] <= 1)).all()
    assert ((got["ci_low"] <= got["share"] + 1e-12) & (got["share"] <= got["ci_high"] + 1e-12)).all()
    # one person in a cell: nothing known of the spread between persons, the interval is 0..1
    single = got["persons"] == 1
    assert ((got.loc[single, "ci_low"] == 0) & (got.loc[single, "ci_high"] == 1)).all()
    # city hours equal the sum of all registered hours per quarter
    city = got.loc[(got["organisation"] == ALL)].groupby("period")["hours"].sum()
    raw = tr.assign(period=periods.quarter_labels(tr["date"])).groupby("period")["hours"].sum()
    assert np.allclose(city.sort_index().to_numpy(), raw.sort_index().to_numpy())


# ------------------------------------------------------------------ issue 15/16 rules


def test_preventive_share_persons_are_everyone_registering() -> None:
    # e3 registers only overhead in team A: not in the share's interval, but one of the
    # team-quarter's persons (the same count as in the hours table: one disclosure cell)
    tr = tr_frame([
        ("e1", "O1", "A", "2024-01-10", "preventive_individual", 6.0),
        ("e1", "O1", "A", "2024-01-11", "statutory_individual", 4.0),
        ("e2", "O1", "A", "2024-01-12", "statutory_individual", 10.0),
        ("e3", "O1", "A", "2024-01-13", "overhead", 8.0),
    ])
    got = shares.preventive_share_table(_indicators_for(tr), tr)
    a = got.loc[got["team"] == "A"].iloc[0]
    assert a["persons"] == 3
    lo, hi = korn_graubard([6.0, 0.0], [10.0, 10.0])  # e3 has no share hours
    assert (a["ci_low"], a["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    alloc = allocation.time_allocation(tr)
    assert set(alloc.loc[alloc["team"] == "A", "persons"]) == {3}


@pytest.mark.parametrize(("as_of", "status"), [
    (date(2024, 4, 14), "voorlopig"),   # Q1 ends 31 March; the 14-day limit runs to 14 April
    (date(2024, 4, 15), "definitief"),  # from 15 April on every Q1 case is decided or late
])
def test_cohort_status_wmo_decision_limit_edge(as_of: date, status: str) -> None:
    summary = pd.DataFrame({"indicator_id": ["wmo_decision_on_time"], "organisation": ["O1"],
                            "team": [ALL], "period": ["2024-Q1"]})
    got = deadlines.cohort_status(summary, as_of, date(2024, 1, 1))
    assert got["status"].tolist() == [status]
    assert got["final"].tolist() == [status == "definitief"]


def test_cohort_status_by_law_and_partial_quarter(cases: pd.DataFrame) -> None:
    st = deadlines.deadline_cases(cases, date(2024, 6, 20))
    got = deadlines.cohort_status(deadlines.deadline_summary(st), date(2024, 6, 20),
                                  date(2024, 1, 1)).set_index(["indicator_id", "organisation",
                                                               "period"])
    # Jeugdwet Q1: 31 March + 57 days = 27 May <= 20 June -> final
    assert got.loc[("jeugdwet_decision_on_time", "O1", "2024-Q1"), "status"] == "definitief"
    # Wmo assessment (42 days): Q1 final from 12 May; Q2 has not ended: voorlopig
    assert got.loc[("wmo_assessment_on_time", "O1", "2024-Q1"), "status"] == "definitief"
    assert got.loc[("wmo_assessment_on_time", "O1", "2024-Q2"), "status"] == "voorlopig"
    assert deadlines.cohort_status(st.iloc[:0].assign(period=[]), date(2024, 6, 20)).empty
