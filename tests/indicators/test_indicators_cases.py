"""reregistration_12m, caseload_per_fte and reach_per_1000 on hand-built tables."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from zwt_analysis.indicators import caseload_per_fte, reach_per_1000, reregistration_12m
from zwt_analysis.indicators.cases import next_report_after
from zwt_analysis.processed import coerce_types, empty_table


def cases(rows: list[dict]) -> pd.DataFrame:
    base = {"organisation": "A", "team": "t1", "legal_framework": "wmo"}
    return coerce_types("cases", pd.DataFrame([{**base, **r} for r in rows]))


def staff(rows: list[dict]) -> pd.DataFrame:
    base = {"organisation": "A", "team": "t1", "fte": 1.0}
    return coerce_types("staff", pd.DataFrame([{**base, **r} for r in rows]))


def _row(df, period, org, team):
    hit = df[(df.period == period) & (df.organisation == org) & (df.team == team)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def _has(df, period, org, team) -> bool:
    return bool(((df.period == period) & (df.organisation == org) & (df.team == team)).any())


# ---------------------------------------------------------------- reregistration_12m

RE_AS_OF = date(2025, 6, 30)


@pytest.fixture
def rereg() -> pd.DataFrame:
    return cases(
        [
            # k1: closed 30 Jun 2023; the new case reported ON the day of closure does not count
            {"case_id": "r1", "client_id": "k1", "date_report": "2023-01-01", "date_closed": "2023-06-30"},
            {"case_id": "r2", "client_id": "k1", "date_report": "2023-06-30"},
            # k2: closed 1 May 2023; new case 30 Apr 2024 = closed + 365 (2024 is a leap year): counts,
            # although it is at another organisation
            {"case_id": "r3", "client_id": "k2", "date_report": "2023-01-10", "date_closed": "2023-05-01"},
            {"case_id": "r4", "client_id": "k2", "organisation": "B", "team": "t2",
             "date_report": "2024-04-30", "date_closed": "2024-05-31"},
            # k3: closed 2 May 2023; new case 2 May 2024 = closed + 366: does not count
            {"case_id": "r5", "client_id": "k3", "date_report": "2023-02-01", "date_closed": "2023-05-02"},
            {"case_id": "r6", "client_id": "k3", "date_report": "2024-05-02"},
            # k4: closed 1 Jul 2024; + 365 = 1 Jul 2025 > as-of: not yet evaluable
            {"case_id": "r7", "client_id": "k4", "date_report": "2024-01-01", "date_closed": "2024-07-01"},
            # k5: closed 30 Jun 2024; + 365 = 30 Jun 2025 = as-of: evaluable
            {"case_id": "r8", "client_id": "k5", "date_report": "2024-01-01", "date_closed": "2024-06-30"},
        ]
    )


def test_reregistration_by_hand(rereg):
    out = reregistration_12m(rereg, RE_AS_OF, with_persons=True)
    # 2023-Q2, A/t1: r1 (0), r3 (1), r5 (0) -> 1/3, clients k1 k2 k3
    r = _row(out, "2023-Q2", "A", "t1")
    assert (r.numerator, r.denominator, r.persons) == (1, 3, 3)
    # 2024-Q2: r8 at A/t1 (0) and r4 at B/t2 (0; closed 31 May 2024, no later case) -> city 0/2
    r = _row(out, "2024-Q2", "ALL", "ALL")
    assert (r.numerator, r.denominator, r.value) == (0, 2, 0.0)
    assert _row(out, "2024-Q2", "B", "t2").denominator == 1
    # r7 (2024-Q3) is not evaluable yet: no 2024-Q3 rows; quarters without closures: no rows
    assert set(out.period) == {"2023-Q2", "2024-Q2"}


def test_reregistration_earlier_as_of(rereg):
    # as-of 30 Apr 2024: r3's window (1 May 2023 + 365 = 30 Apr 2024) has just passed; r1's not
    out = reregistration_12m(rereg, date(2024, 4, 30))
    r = _row(out, "2023-Q2", "A", "t1")
    assert (r.numerator, r.denominator) == (1, 1)


def test_next_report_after_is_strict_and_per_client():
    got = next_report_after(
        client_codes=np.array([0, 0, 1, 2]),
        after_day=np.array([10.0, 11.0, 10.0, 5.0]),
        report_codes=np.array([0, 0, 1, 1]),
        report_day=np.array([10.0, 15.0, 3.0, 12.0]),
    )
    # client 0 after 10 -> 15 (10 itself excluded); after 11 -> 15; client 1 after 10 -> 12;
    # client 2 has no reports
    np.testing.assert_array_equal(got[:3], [15.0, 15.0, 12.0])
    assert np.isnan(got[3])


# ---------------------------------------------------------------- caseload_per_fte

CL_AS_OF = date(2024, 8, 15)


@pytest.fixture
def caseload_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    c = cases(
        [
            {"case_id": "c1", "client_id": "k1", "date_report": "2024-01-10", "date_closed": "2024-03-31"},
            {"case_id": "c2", "client_id": "k2", "date_report": "2024-03-31"},
            {"case_id": "c3", "client_id": "k3", "date_report": "2024-02-01", "date_closed": "2024-04-01"},
            {"case_id": "c4", "client_id": "k4", "organisation": "B", "team": "t2", "date_report": "2024-05-01"},
            {"case_id": "c5", "client_id": "k5", "team": "t5", "date_report": "2024-01-05"},
        ]
    )
    s = staff(
        [
            {"employee_id": "e1", "fte": 0.8, "start_date": "2024-01-01", "end_date": "2024-03-31",
             "end_reason": "voluntary"},
            {"employee_id": "e2", "fte": 1.0, "start_date": "2024-03-31"},
            {"employee_id": "e3", "organisation": "B", "team": "t2", "fte": 0.5,
             "start_date": "2024-01-01", "end_date": "2024-12-31"},  # planned end after as-of
            {"employee_id": "e4", "team": "t9", "fte": 1.0, "start_date": "2024-04-01"},
        ]
    )
    return c, s


def test_caseload_by_hand(caseload_tables):
    c, s = caseload_tables
    out = caseload_per_fte(c, s, CL_AS_OF, with_persons=True)
    # d = 31 Mar: A/t1 open c2 (reported that day), c3; c1 closed that day is not open.
    # FTE: e1 0.8 (last day 31 Mar, inclusive) + e2 1.0 (first day) = 1.8
    r = _row(out, "2024-Q1", "A", "t1")
    assert (r.numerator, r.persons) == (2, 2)
    assert r.denominator == pytest.approx(1.8)
    assert r.value == pytest.approx(2 / 1.8)
    # B/t2 on 31 Mar: no open case, 0.5 FTE -> 0
    r = _row(out, "2024-Q1", "B", "t2")
    assert (r.numerator, r.denominator, r.value, r.persons) == (0, 0.5, 0.0, 0)
    # A/t5 has an open case but no FTE: no team row, but the case counts for A and the city
    assert not _has(out, "2024-Q1", "A", "t5")
    r = _row(out, "2024-Q1", "A", "ALL")
    assert r.numerator == 3 and r.denominator == pytest.approx(1.8)
    r = _row(out, "2024-Q1", "ALL", "ALL")
    assert r.numerator == 3 and r.denominator == pytest.approx(2.3)
    # d = 30 Jun: A/t1 c2 / e2 1.0; A/t9 0 / 1.0; B/t2 c4 / 0.5
    assert _row(out, "2024-Q2", "A", "t1").value == 1.0
    r = _row(out, "2024-Q2", "A", "t9")
    assert (r.numerator, r.denominator) == (0, 1.0)
    assert _row(out, "2024-Q2", "B", "t2").value == 2.0
    r = _row(out, "2024-Q2", "A", "ALL")
    assert (r.numerator, r.denominator) == (2, 2.0)  # c2, c5 / e2, e4
    r = _row(out, "2024-Q2", "ALL", "ALL")
    assert (r.numerator, r.denominator) == (3, 2.5)
    # 30 Sep lies after as-of: no 2024-Q3
    assert set(out.period) == {"2024-Q1", "2024-Q2"}


def test_caseload_persons_is_the_smaller_group():
    # a team of one: 3 clients on 1 employee -> persons 1 (the employee is identifiable);
    # 1 client on 2 employees -> persons 1 (the client is)
    c = cases([{"case_id": f"c{i}", "client_id": f"k{i}", "date_report": "2024-01-02"} for i in range(3)]
              + [{"case_id": "d", "client_id": "kd", "team": "t2", "date_report": "2024-01-02"}])
    s = staff([{"employee_id": "solo", "start_date": "2024-01-01"},
               {"employee_id": "e1", "team": "t2", "start_date": "2024-01-01"},
               {"employee_id": "e2", "team": "t2", "start_date": "2024-01-01"}])
    out = caseload_per_fte(c, s, date(2024, 3, 31), with_persons=True)
    r = _row(out, "2024-Q1", "A", "t1")
    assert (r.numerator, r.denominator, r.persons) == (3, 1.0, 1)
    assert _row(out, "2024-Q1", "A", "t2").persons == 1
    assert _row(out, "2024-Q1", "A", "ALL").persons == 3  # 4 clients, 3 employees


def test_caseload_quarter_end_is_as_of(caseload_tables):
    c, s = caseload_tables
    out = caseload_per_fte(c, s, date(2024, 6, 30))
    assert "2024-Q2" in set(out.period)
    out = caseload_per_fte(c, s, date(2024, 6, 29))
    assert set(out.period) == {"2024-Q1"}


def test_caseload_quarter_without_data():
    # A/t1: its only case is closed before 30 Jun, so 2024-Q2 has 0 open cases on 1.0 FTE
    # (value 0); staff from 2023-Q4 but cases only from 2024: the quarters start with the
    # observation (first date_report, or `since`), so 2023-Q4 has no row by default.
    c = cases([{"case_id": "c1", "client_id": "k1", "date_report": "2024-01-02", "date_closed": "2024-05-01"}])
    s = staff([{"employee_id": "e1", "start_date": "2023-11-01"}])
    out = caseload_per_fte(c, s, date(2024, 6, 30))
    assert set(out.period) == {"2024-Q1", "2024-Q2"}
    assert _row(out, "2024-Q1", "A", "t1").value == 1.0
    r = _row(out, "2024-Q2", "A", "t1")
    assert (r.numerator, r.denominator, r.value) == (0, 1.0, 0.0)
    out = caseload_per_fte(c, s, date(2024, 6, 30), since=date(2023, 10, 1))
    r = _row(out, "2023-Q4", "A", "t1")
    assert (r.numerator, r.denominator, r.value) == (0, 1.0, 0.0)


def test_caseload_empty_tables(caseload_tables):
    c, s = caseload_tables
    assert caseload_per_fte(empty_table("cases"), s, CL_AS_OF).empty
    assert caseload_per_fte(c, empty_table("staff"), CL_AS_OF, with_persons=True).empty


# ---------------------------------------------------------------- reach_per_1000

R_AS_OF = date(2024, 6, 30)


def areas(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["area_code", "organisation", "team", "population"])
    df["area_name"] = df["area_code"]
    return coerce_types("areas", df)


@pytest.fixture
def reach_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    a = areas(
        [
            ("WK1", "A", "t1", 1000),
            ("WK2", "A", "t1", 500),
            ("WK3", "A", "t2", 2000),
            ("WK4", "B", "t3", 1500),
        ]
    )
    c = cases(
        [
            {"case_id": "1", "client_id": "k1", "date_report": "2023-02-01"},
            {"case_id": "2", "client_id": "k1", "date_report": "2023-09-01"},  # same client, same team
            {"case_id": "3", "client_id": "k1", "team": "t2", "date_report": "2023-03-01"},
            {"case_id": "4", "client_id": "k2", "organisation": "B", "team": "t3", "date_report": "2023-03-01"},
            {"case_id": "5", "client_id": "k1", "organisation": "B", "team": "t3", "date_report": "2023-12-31"},
            {"case_id": "6", "client_id": "k5", "team": "tx", "date_report": "2023-05-05"},  # team holds no area
            {"case_id": "7", "client_id": "k3", "date_report": "2024-06-30"},  # on as-of: counts
            {"case_id": "8", "client_id": "k4", "date_report": "2024-07-01"},  # after as-of
        ]
    )
    return c, a


def test_reach_by_hand(reach_tables):
    c, a = reach_tables
    out = reach_per_1000(c, a, R_AS_OF, with_persons=True)
    # A/t1 2023: {k1} / 1.5 thousand
    r = _row(out, "2023", "A", "t1")
    assert (r.numerator, r.denominator, r.persons) == (1, 1.5, 1)
    assert r.value == pytest.approx(1 / 1.5)
    assert _row(out, "2023", "A", "t2").value == pytest.approx(0.5)  # {k1} / 2.0
    assert not _has(out, "2023", "A", "tx")  # holds no area: no population
    # A 2023: {k1, k5} / 3.5 (k1 counted once although in two teams)
    r = _row(out, "2023", "A", "ALL")
    assert (r.numerator, r.denominator) == (2, 3.5)
    # B 2023: {k2, k1} / 1.5
    assert _row(out, "2023", "B", "ALL").numerator == 2
    # city 2023: {k1, k2, k5} / 5.0 -- not 2 + 2 (sum of organisations)
    r = _row(out, "2023", "ALL", "ALL")
    assert (r.numerator, r.denominator, r.value) == (3, 5.0, 0.6)
    # 2024 year-to-date: k3 on as-of counts, k4 after as-of not
    r = _row(out, "2024", "ALL", "ALL")
    assert (r.numerator, r.denominator) == (1, 5.0)
    assert set(out.period) == {"2023", "2024"}
    # a team without any client reported that year has no row (A/t2, B/t3 and B in 2024)
    assert not _has(out, "2024", "A", "t2")
    assert not _has(out, "2024", "B", "ALL")


def test_reach_missing_population(reach_tables):
    c, _ = reach_tables
    a = areas([("WK1", "A", "t1", 1000), ("WK2", "A", "t1", None), ("WK4", "B", "t3", 1500)])
    out = reach_per_1000(c, a, R_AS_OF)
    # A/t1 and A lack a population; the city too; B/t3 and B are known
    assert not _has(out, "2023", "A", "t1")
    assert not _has(out, "2023", "A", "ALL")
    assert not _has(out, "2023", "ALL", "ALL")
    assert _row(out, "2023", "B", "t3").denominator == 1.5


def test_reach_empty(reach_tables):
    c, a = reach_tables
    assert reach_per_1000(empty_table("cases"), a, R_AS_OF).empty
    assert reach_per_1000(c, empty_table("areas"), R_AS_OF, with_persons=True).empty
    assert reregistration_12m(empty_table("cases"), R_AS_OF, with_persons=True).empty
