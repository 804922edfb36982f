"""Invariants of the whole indicator table on random small data (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwt_analysis.contract import ACTIVITIES, END_REASONS, INDICATOR_COLUMNS, LEGAL_FRAMEWORKS
from zwt_analysis.indicators import INDICATORS, compute_indicators
from zwt_analysis.processed import coerce_types

BASE = date(2023, 1, 1)
AS_OF = BASE + timedelta(days=500)
TEAMS = [("A", "a1"), ("A", "a2"), ("B", "b1"), ("B", "b2"), ("C", "c1")]


def _d(offset: int | None) -> pd.Timestamp | None:
    return None if offset is None else pd.Timestamp(BASE + timedelta(days=offset))


opt_delta = st.one_of(st.none(), st.integers(0, 120))

reg_rows = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from(TEAMS), st.integers(0, 520),
              st.sampled_from(ACTIVITIES), st.floats(0.25, 8.0)),
    max_size=40,
)
case_rows = st.lists(
    st.tuples(st.integers(0, 6), st.sampled_from(TEAMS), st.sampled_from(LEGAL_FRAMEWORKS),
              st.integers(0, 500), opt_delta, opt_delta, opt_delta, opt_delta, opt_delta),
    max_size=30,
)
staff_rows = st.lists(
    st.tuples(st.integers(0, 6), st.sampled_from(TEAMS), st.integers(-200, 480),
              st.one_of(st.none(), st.integers(0, 700)), st.sampled_from([None, *END_REASONS]),
              st.sampled_from([0.5, 0.8, 1.0])),
    max_size=15,
)


def build(regs, cases, spells) -> dict[str, pd.DataFrame]:
    tr = pd.DataFrame(
        [(f"e{e}", o, t, _d(day), act, h) for e, (o, t), day, act, h in regs],
        columns=["employee_id", "organisation", "team", "date", "activity", "hours"],
    )
    cs = []
    for i, (k, (o, t), lf, rep, fc, ass, app, clo, _dec) in enumerate(cases):
        application = None if app is None else rep + app // 4
        cs.append(
            {
                "case_id": f"c{i}", "client_id": f"k{k}", "organisation": o, "team": t,
                "legal_framework": lf, "date_report": _d(rep),
                "date_first_contact": _d(None if fc is None else rep + fc),
                "date_assessment_done": _d(None if ass is None else rep + ass),
                "date_application": _d(application),
                "date_decision": _d(None if (application is None or _dec is None) else application + _dec),
                "date_closed": _d(None if clo is None else rep + 2 * clo),
            }
        )
    st_rows, seen = [], set()
    for e, (o, t), start, dur, reason, fte in spells:
        if (e, start) in seen:
            continue
        seen.add((e, start))
        end = None if dur is None else start + dur
        st_rows.append((f"e{e}", o, t, _d(start), _d(end), reason if end is not None else None, fte))
    sf = pd.DataFrame(st_rows, columns=["employee_id", "organisation", "team", "start_date",
                                        "end_date", "end_reason", "fte"])
    areas = pd.DataFrame(
        [(f"WK{i}", f"w{i}", o, t, 1000 * (i + 1)) for i, (o, t) in enumerate(TEAMS)],
        columns=["area_code", "area_name", "organisation", "team", "population"],
    )
    formation = pd.DataFrame({"organisation": ["A", "B"], "year": [2023, 2024], "budgeted_fte": [3.0, 2.0]})
    return {
        "time_registrations": coerce_types("time_registrations", tr),
        "cases": coerce_types("cases", pd.DataFrame(cs, columns=list(cs[0]) if cs else ["case_id"])),
        "staff": coerce_types("staff", sf),
        "areas": coerce_types("areas", areas),
        "formation": coerce_types("formation", formation),
    }


def _sum_check(df: pd.DataFrame, parent: pd.DataFrame, children: pd.DataFrame, by: list[str],
               exact_numerator: bool) -> None:
    sums = children.groupby(by)[["numerator", "denominator"]].sum()
    par = parent.set_index(by)[["numerator", "denominator"]]
    joined = par.join(sums.add_suffix("_kids"), how="outer").fillna(0.0)
    np.testing.assert_allclose(joined["denominator"], joined["denominator_kids"], rtol=1e-9, atol=1e-9)
    if exact_numerator:
        np.testing.assert_allclose(joined["numerator"], joined["numerator_kids"], rtol=1e-9, atol=1e-9)
    else:
        assert (joined["numerator"] >= joined["numerator_kids"] - 1e-9).all()


def check_invariants(regs, cases, spells) -> None:
    tables = build(regs, cases, spells)
    out = compute_indicators(tables, AS_OF, with_persons=True)
    assert list(out.columns) == [*INDICATOR_COLUMNS, "persons"]
    assert (out["denominator"] != 0).all()
    np.testing.assert_allclose(out["value"], out["numerator"] / out["denominator"])
    assert not out.duplicated(["indicator_id", "period", "organisation", "team"]).any()
    assert out.period.str.fullmatch(r"\d{4}(-Q[1-4])?").all()
    assert (out["period"].str[:4].astype(int) <= AS_OF.year).all()
    for ind_id, df in out.groupby("indicator_id"):
        spec = INDICATORS[ind_id]
        if spec.unit == "share":
            assert df["value"].between(0, 1).all(), ind_id
        else:
            assert (df.loc[df.organisation == "ALL", "value"] <= 1).all() or ind_id != "vacancy_rate"
        teams = df[(df.team != "ALL")]
        orgs = df[(df.team == "ALL") & (df.organisation != "ALL")]
        city = df[df.organisation == "ALL"]
        assert (city.team == "ALL").all()
        if "team" not in spec.levels:
            assert teams.empty
        if spec.additive:
            if "team" in spec.levels:
                _sum_check(df, orgs, teams, ["period", "organisation"],
                           exact_numerator=ind_id != "caseload_per_fte")
            # caseload: open cases of a team/organisation without FTE have no row of their own
            # but count for the level above
            _sum_check(df, city.drop(columns="organisation"), orgs, ["period"],
                       exact_numerator=ind_id != "caseload_per_fte")
        else:
            # distinct persons: a total never exceeds the sum of its parts nor falls below a part
            g = orgs.groupby("period")["numerator"]
            c = city.set_index("period")["numerator"]
            if ind_id == "reach_per_1000":
                # every team holds an area here, so no organisation row is left out
                assert (c <= g.sum().reindex(c.index).fillna(0) + 1e-9).all()
                assert (c >= g.max().reindex(c.index).fillna(0) - 1e-9).all()
            else:
                # staff rates: a move between organisations is flow for both, not for the city
                # (so no lower bound); the headcounts still nest
                gd = orgs.groupby("period")["denominator"].sum()
                cd = city.set_index("period")["denominator"]
                assert (cd <= gd.reindex(cd.index).fillna(0) + 1e-9).all()
                assert (cd >= orgs.groupby("period")["denominator"].max().reindex(cd.index) - 1e-9).all()
            if not teams.empty:
                gt = teams.groupby(["period", "organisation"])["numerator"]
                o = orgs.set_index(["period", "organisation"])["numerator"]
                assert (o >= gt.max().reindex(o.index).fillna(0) - 1e-9).all()
        if ind_id in ("staff_outflow_rate", "staff_inflow_rate", "reach_per_1000"):
            assert (df["numerator"] >= 0).all() and (df["numerator"] % 1 == 0).all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reg_rows, case_rows, staff_rows)
def test_invariants(regs, cases, spells):
    check_invariants(regs, cases, spells)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reg_rows, case_rows, staff_rows)
def test_invariants_many(regs, cases, spells):
    check_invariants(regs, cases, spells)


def test_hypothesis_builder_is_not_trivial():
    # the strategies produce data that actually yields every kind of indicator
    regs = [(0, ("A", "a1"), 10, "preventive_individual", 2.0), (1, ("A", "a2"), 11, "statutory_individual", 1.0),
            (0, ("A", "a1"), 12, "additional_assignment", 1.0)]
    cases = [(0, ("A", "a1"), "wmo", 5, 3, 10, 4, 20, 3), (0, ("B", "b1"), "wgs", 100, 50, None, None, 10, None)]
    spells = [(0, ("A", "a1"), -100, 200, "transfer_other_wijkteam", 1.0), (0, ("B", "b1"), 101, None, None, 0.8)]
    out = compute_indicators(build(regs, cases, spells), AS_OF)
    got = set(out.indicator_id)
    assert {"preventive_share", "additional_assignment_share", "wmo_assessment_on_time",
            "wmo_decision_on_time", "wgs_first_contact_on_time", "reregistration_12m",
            "caseload_per_fte", "reach_per_1000", "staff_outflow_rate", "staff_inflow_rate",
            "vacancy_rate"} <= got
