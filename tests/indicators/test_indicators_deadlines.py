"""Deadline indicators: on time, late, pending and outside at the edges."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from zwt_analysis.errors import ZwtError
from zwt_analysis.indicators import (
    DEADLINES,
    deadline_on_time,
    deadline_status,
    load_limits,
)
from zwt_analysis.processed import coerce_types, empty_table

AS_OF = date(2024, 6, 30)


def cases(rows: list[dict]) -> pd.DataFrame:
    base = {"organisation": "A", "team": "t1", "legal_framework": "wmo", "date_report": "2024-01-01"}
    full = [{**base, "client_id": f"k{r['case_id']}", **r} for r in rows]
    return coerce_types("cases", pd.DataFrame(full))


@pytest.fixture
def decisions() -> pd.DataFrame:
    return cases(
        [
            # limit wmo_decision = 14 days
            {"case_id": "1", "client_id": "k1", "date_application": "2024-05-01", "date_decision": "2024-05-15"},  # 14 d: on time (last day)
            {"case_id": "2", "client_id": "k1", "date_application": "2024-05-01", "date_decision": "2024-05-16"},  # 15 d: late
            {"case_id": "3", "date_application": "2024-06-16"},  # missing, 16 Jun + 14 = 30 Jun = as-of: pending
            {"case_id": "4", "date_application": "2024-06-15"},  # missing, 15 Jun + 14 = 29 Jun < as-of: late
            {"case_id": "5", "date_decision": "2024-05-15"},  # no application: outside
            {"case_id": "6", "legal_framework": "jeugdwet", "date_application": "2024-05-01",
             "date_decision": "2024-06-25"},  # 55 d: jeugdwet on time, not a wmo case
            {"case_id": "7", "date_application": "2024-03-31", "date_decision": "2024-04-30"},  # Q1, 30 d: late
            {"case_id": "8", "organisation": "B", "team": "t2", "date_application": "2024-05-02",
             "date_decision": "2024-05-03"},  # on time
        ]
    )


def _row(df, period, org, team):
    hit = df[(df.period == period) & (df.organisation == org) & (df.team == team)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_deadline_status_edges(decisions):
    st = deadline_status(decisions, "wmo_decision_on_time", AS_OF).set_index("case_id")
    assert st.loc["1", "status"] == "on_time" and st.loc["1", "days_elapsed"] == 14
    assert st.loc["2", "status"] == "late" and st.loc["2", "days_elapsed"] == 15
    assert st.loc["3", "status"] == "pending" and st.loc["3", "days_elapsed"] == 14
    assert st.loc["4", "status"] == "late" and st.loc["4", "days_elapsed"] == 15
    assert st.loc["5", "status"] == "outside" and pd.isna(st.loc["5", "days_elapsed"])
    assert "6" not in st.index  # jeugdwet
    assert st.loc["7", "period"] == "2024-Q1"
    assert (st["limit_days"] == 14).all()


def test_pending_on_limit_day_late_the_day_after(decisions):
    st = deadline_status(decisions, "wmo_decision_on_time", date(2024, 7, 1)).set_index("case_id")
    assert st.loc["3", "status"] == "late"


def test_wmo_decision_on_time_by_hand(decisions):
    out = deadline_on_time(decisions, AS_OF, "wmo_decision_on_time", with_persons=True)
    # A/t1 Q2: on time {1}, late {2, 4}, pending {3} left out -> 1/3; clients k1, k4 -> 2
    r = _row(out, "2024-Q2", "A", "t1")
    assert (r.numerator, r.denominator, r.persons) == (1, 3, 2)
    assert r.value == pytest.approx(1 / 3)
    # A/t1 Q1: case 7 late -> 0/1
    r = _row(out, "2024-Q1", "A", "t1")
    assert (r.numerator, r.denominator, r.value) == (0, 1, 0.0)
    # B/t2 Q2: 1/1
    assert _row(out, "2024-Q2", "B", "t2").value == 1.0
    # organisation A Q2 = its single team; city Q2: 2/4
    r = _row(out, "2024-Q2", "A", "ALL")
    assert (r.numerator, r.denominator) == (1, 3)
    r = _row(out, "2024-Q2", "ALL", "ALL")
    assert (r.numerator, r.denominator, r.persons) == (2, 4, 3)
    assert set(out.indicator_id) == {"wmo_decision_on_time"}


def test_jeugdwet_limit_56(decisions):
    out = deadline_on_time(decisions, AS_OF, "jeugdwet_decision_on_time")
    assert _row(out, "2024-Q2", "ALL", "ALL").value == 1.0  # 55 days <= 56


def test_participatiewet_no_cases_no_rows(decisions):
    assert deadline_on_time(decisions, AS_OF, "participatiewet_decision_on_time").empty


def test_look_back_as_of_treats_later_events_as_missing(decisions):
    # as-of 15 May: case 1 decided on the limit day (on time); case 2's decision on 16 May
    # has not happened; 1 May + 14 = 15 May = as-of -> pending.
    st = deadline_status(decisions, "wmo_decision_on_time", date(2024, 5, 15)).set_index("case_id")
    assert st.loc["1", "status"] == "on_time"
    assert st.loc["2", "status"] == "pending"
    # cases 3 and 4 (applications after as-of) are outside
    assert st.loc["3", "status"] == "outside" and st.loc["4", "status"] == "outside"
    st = deadline_status(decisions, "wmo_decision_on_time", date(2024, 5, 16)).set_index("case_id")
    assert st.loc["2", "status"] == "late"


def test_wmo_assessment_and_wgs_first_contact():
    c = cases(
        [
            # limit 42 from date_report
            {"case_id": "1", "date_report": "2024-01-01", "date_assessment_done": "2024-02-12"},  # 42 d
            {"case_id": "2", "date_report": "2024-01-01", "date_assessment_done": "2024-02-13"},  # 43 d
            {"case_id": "3", "date_report": "2024-05-19"},  # 19 May + 42 = 30 Jun = as-of: pending
            # limit 28 from date_report, wgs
            {"case_id": "4", "legal_framework": "wgs", "date_report": "2024-06-02"},  # 2 Jun + 28 = 30 Jun: pending
            {"case_id": "5", "legal_framework": "wgs", "date_report": "2024-06-01"},  # 29 Jun < as-of: late
            {"case_id": "6", "legal_framework": "wgs", "date_report": "2024-04-01",
             "date_first_contact": "2024-04-29"},  # 28 d: on time
        ]
    )
    a = deadline_on_time(c, AS_OF, "wmo_assessment_on_time")
    r = _row(a, "2024-Q1", "ALL", "ALL")
    assert (r.numerator, r.denominator) == (1, 2)
    assert "2024-Q2" not in set(a.period)  # only a pending case there
    w = deadline_on_time(c, AS_OF, "wgs_first_contact_on_time")
    r = _row(w, "2024-Q2", "ALL", "ALL")
    assert (r.numerator, r.denominator) == (1, 2)
    w = deadline_on_time(c, date(2024, 7, 1), "wgs_first_contact_on_time")
    assert _row(w, "2024-Q2", "ALL", "ALL").denominator == 3


def test_limits_override(decisions, tmp_path):
    out = deadline_on_time(decisions, AS_OF, "wmo_decision_on_time", limits={"wmo_decision": 15})
    # case 2 (15 d) now on time; case 4: 15 Jun + 15 = 30 Jun = as-of -> pending
    r = _row(out, "2024-Q2", "A", "t1")
    assert (r.numerator, r.denominator) == (2, 2)
    f = tmp_path / "limits.yaml"
    f.write_text("wmo_decision: 15\n", encoding="utf-8")
    lim = load_limits(f)
    assert lim["wmo_decision"] == 15 and lim["wmo_assessment"] == 42
    f.write_text("limits:\n  jeugdwet_decision:\n    days: 42\n", encoding="utf-8")
    assert load_limits(f)["jeugdwet_decision"] == 42


def test_default_limits_follow_the_law():
    assert load_limits() == {
        "wmo_assessment": 42,
        "wmo_decision": 14,
        "jeugdwet_decision": 56,
        "participatiewet_decision": 56,
        "wgs_first_contact": 28,
    }
    assert {d.limit_key for d in DEADLINES.values()} == set(load_limits())


@pytest.mark.parametrize("text", ["wmo_decsion: 14\n", "wmo_decision: -1\n", "wmo_decision: 1.5\n",
                                  "wmo_decision: soon\n", "- 14\n"])
def test_bad_limits_file(tmp_path, text):
    f = tmp_path / "limits.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ZwtError):
        load_limits(f)


def test_missing_limits_file(tmp_path):
    with pytest.raises(ZwtError, match="not found"):
        load_limits(tmp_path / "nope.yaml")


def test_empty_cases():
    for ind in DEADLINES:
        assert deadline_on_time(empty_table("cases"), AS_OF, ind, with_persons=True).empty
        assert deadline_status(empty_table("cases"), ind, AS_OF).empty
