"""staff_outflow_rate, staff_inflow_rate, vacancy_rate and incidental_funding_share by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from zwt_analysis.indicators import (
    incidental_funding_share,
    january_headcount,
    staff_inflow_rate,
    staff_outflow_rate,
    vacancy_rate,
)
from zwt_analysis.processed import coerce_types, empty_table

AS_OF = date(2024, 9, 30)


def staff(rows: list[tuple]) -> pd.DataFrame:
    cols = ["employee_id", "organisation", "team", "start_date", "end_date", "end_reason", "fte"]
    return coerce_types("staff", pd.DataFrame(rows, columns=cols))


@pytest.fixture
def spells() -> pd.DataFrame:
    return staff(
        [
            ("p1", "A", "t1", "2020-01-01", "2023-06-30", "voluntary", 1.0),
            # internal transfer (team change inside A): no outflow, no inflow
            ("p2", "A", "t1", "2021-01-01", "2023-03-31", "transfer_internal", 1.0),
            ("p2", "A", "t2", "2023-04-01", None, None, 1.0),
            # move A -> B: outflow for A, inflow for B, nothing for the city
            ("p3", "A", "t1", "2021-01-01", "2023-08-31", "transfer_other_wijkteam", 1.0),
            ("p3", "B", "t3", "2023-09-01", None, None, 1.0),
            # empty end_reason on an ended spell: outflow
            ("p4", "B", "t3", "2022-05-01", "2023-10-31", None, 1.0),
            # planned end after as-of: still employed, no outflow
            ("p5", "B", "t3", "2019-06-01", "2024-12-31", "voluntary", 1.0),
            # hired and gone within 2023: inflow and outflow, not in the 1 January stock
            ("p6", "A", "t1", "2023-02-01", "2023-11-30", "end_of_contract", 0.5),
            # two spells back to back, both ending in 2023: one person, counted once
            ("p7", "A", "t1", "2022-01-01", "2023-02-28", "end_of_contract", 1.0),
            ("p7", "A", "t1", "2023-03-01", "2023-12-31", "voluntary", 1.0),
            # left in 2022, rehired 2 Jan 2023 (not employed on 1 Jan): inflow 2023
            ("p8", "A", "t1", "2021-01-01", "2022-06-30", "voluntary", 1.0),
            ("p8", "A", "t1", "2023-01-02", None, None, 1.0),
        ]
    )


def _row(df, period, org, team="ALL"):
    hit = df[(df.period == period) & (df.organisation == org) & (df.team == team)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_january_headcount(spells):
    h = january_headcount(spells, AS_OF).set_index(["period", "organisation"])["headcount"]
    # 1 Jan 2023: A = p1 p2 p3 p7 (p6 starts in Feb, p8 returns on 2 Jan); B = p4 p5
    assert h[("2023", "A")] == 4 and h[("2023", "B")] == 2 and h[("2023", "ALL")] == 6
    # 1 Jan 2024: A = p2 p8; B = p3 p5
    assert h[("2024", "A")] == 2 and h[("2024", "B")] == 2 and h[("2024", "ALL")] == 4


def test_outflow_by_hand(spells):
    out = staff_outflow_rate(spells, AS_OF, with_persons=True)
    # A 2023: p1, p3 (to B), p6, p7 (once); not p2 (internal) -> 4 / 4
    r = _row(out, "2023", "A")
    assert (r.numerator, r.denominator, r.value, r.persons) == (4, 4, 1.0, 4)
    # B 2023: p4 (empty reason) -> 1 / 2
    r = _row(out, "2023", "B")
    assert (r.numerator, r.denominator) == (1, 2)
    # city 2023: p1, p6, p7, p4 (p3 moved within the city) -> 4 / 6
    r = _row(out, "2023", "ALL")
    assert (r.numerator, r.denominator) == (4, 6)
    # 2024: p5's planned end (31 Dec 2024) lies after as-of: 0 / 2 and 0 / 4
    assert _row(out, "2024", "B").numerator == 0
    assert (_row(out, "2024", "ALL").numerator, _row(out, "2024", "ALL").denominator) == (0, 4)
    # organisation and city only; 2019 has nobody on 1 January (no row)
    assert set(out.team) == {"ALL"}
    assert "2019" not in set(out.period)
    # A 2022: p8 left -> 1 / 1 Jan 2022 stock A = p1 p2 p3 p7 p8 = 5
    r = _row(out, "2022", "A")
    assert (r.numerator, r.denominator) == (1, 5)


def test_inflow_by_hand(spells):
    out = staff_inflow_rate(spells, AS_OF)
    # A 2023: p6 and p8 new; p2 (team change) and p7 (back to back) not -> 2 / 4
    r = _row(out, "2023", "A")
    assert (r.numerator, r.denominator) == (2, 4)
    # B 2023: p3 came from A, new for B -> 1 / 2
    assert (_row(out, "2023", "B").numerator, _row(out, "2023", "B").denominator) == (1, 2)
    # city 2023: p6, p8 (p3 was employed at A the day before) -> 2 / 6
    r = _row(out, "2023", "ALL")
    assert (r.numerator, r.denominator) == (2, 6)
    assert _row(out, "2024", "ALL").numerator == 0


def test_since_drops_years_before_observation(spells):
    # p5 (from 2019) and the 2020-2022 starters reach back before the export window; with the
    # observation starting in 2023 the survivors-only years 2019-2022 give no rows
    for fn in (staff_outflow_rate, staff_inflow_rate):
        assert "2020" in set(fn(spells, AS_OF).period)
        assert set(fn(spells, AS_OF, since=date(2023, 1, 1)).period) == {"2023", "2024"}
    formation = coerce_types(
        "formation", pd.DataFrame({"organisation": ["A", "A"], "year": [2022, 2023], "budgeted_fte": [3.0, 3.0]})
    )
    assert set(vacancy_rate(spells, formation, AS_OF, since=date(2023, 3, 1)).period) == {"2023"}


def test_planned_end_becomes_outflow_once_as_of_passes(spells):
    out = staff_outflow_rate(spells, date(2025, 1, 1))
    r = _row(out, "2024", "B")
    assert (r.numerator, r.denominator) == (1, 2)  # p5 left on 31 Dec 2024
    assert "2025" in set(out.period)  # 1 Jan 2025 <= as-of


def test_spell_starting_after_as_of_is_ignored(spells):
    extra = staff([("p9", "A", "t1", "2024-10-01", None, None, 1.0)])
    out = staff_inflow_rate(pd.concat([spells, extra], ignore_index=True), AS_OF)
    assert _row(out, "2024", "A").numerator == 0


def test_vacancy_by_hand(spells):
    formation = coerce_types(
        "formation",
        pd.DataFrame(
            {
                "organisation": ["A", "B", "A", "A"],
                "year": [2023, 2023, 2024, 2025],
                "budgeted_fte": [5.0, 1.0, 3.0, 3.0],
            }
        ),
    )
    out = vacancy_rate(spells, formation, AS_OF, with_persons=True)
    # 1 Jul 2023, A: p2 1 + p3 1 + p6 0.5 + p7 1 + p8 1 = 4.5 -> (5 - 4.5) / 5 = 0.1
    r = _row(out, "2023", "A")
    assert r.numerator == pytest.approx(0.5) and r.denominator == 5.0 and r.value == pytest.approx(0.1)
    assert r.persons == 5
    # B: p4 + p5 = 2.0 on a formation of 1.0 -> numerator -1 kept, value -1
    r = _row(out, "2023", "B")
    assert (r.numerator, r.denominator, r.value) == (-1.0, 1.0, -1.0)
    # city 2023: 6 - 6.5 = -0.5 over 6
    r = _row(out, "2023", "ALL")
    assert r.numerator == pytest.approx(-0.5) and r.denominator == 6.0
    # 2024: A only (B has no formation row): (3 - 2) / 3; the city equals A
    assert _row(out, "2024", "A").value == pytest.approx(1 / 3)
    assert _row(out, "2024", "ALL").value == pytest.approx(1 / 3)
    assert "2025" not in set(out.period)
    # 1 July after as-of: no measurement for 2024
    out = vacancy_rate(spells, formation, date(2024, 6, 30))
    assert set(out.period) == {"2023"}
    out = vacancy_rate(spells, formation, date(2024, 7, 1))
    assert set(out.period) == {"2023", "2024"}


def test_vacancy_only_where_staff_were_delivered(spells):
    """An organisation with a formation but no spell in staff (not delivered) gets no row."""
    formation = coerce_types(
        "formation", pd.DataFrame({"organisation": ["C", "A"], "year": [2023, 2023],
                                   "budgeted_fte": [2.0, 5.0]}))
    out = vacancy_rate(spells, formation, AS_OF)
    assert "C" not in set(out.organisation)
    assert _row(out, "2023", "ALL").value == pytest.approx(0.1)  # A only: (5 - 4.5) / 5
    only_c = formation[formation.organisation == "C"]
    assert vacancy_rate(spells, only_c, AS_OF).empty
    # no staff table, or only its header: no vacancy rate at all (it used to be 100%)
    assert vacancy_rate(empty_table("staff"), formation, AS_OF).empty


def test_incidental_funding_by_hand():
    b = coerce_types(
        "budgets",
        pd.DataFrame(
            {
                "organisation": ["A", "A", "B", "A", "A", "A"],
                "year": [2023, 2023, 2023, 2024, 2024, 2025],
                "assignment_id": ["MAIN", "X", "MAIN", "MAIN", "X", "MAIN"],
                "assignment_type": ["main", "additional", "main", "main", "additional", "main"],
                "funding_type": ["structural", "incidental", "structural", "structural", "incidental",
                                 "incidental"],
                "amount_eur": [800.0, 200.0, 100.0, 0.0, 0.0, 50.0],
            }
        ),
    )
    out = incidental_funding_share(b, AS_OF, with_persons=True)
    # A 2023: 200 / 1000; B 2023: 0 / 100; city 200 / 1100; 2024 sums to 0: no rows;
    # 2025 has not begun on as-of
    assert _row(out, "2023", "A").value == 0.2
    assert _row(out, "2023", "B").value == 0.0
    r = _row(out, "2023", "ALL")
    assert (r.numerator, r.denominator) == (200.0, 1100.0)
    assert set(out.period) == {"2023"}
    assert out["persons"].isna().all()


def test_empty_tables():
    s = empty_table("staff")
    assert staff_outflow_rate(s, AS_OF, with_persons=True).empty
    assert staff_inflow_rate(s, AS_OF).empty
    assert vacancy_rate(s, empty_table("formation"), AS_OF).empty
    assert incidental_funding_share(empty_table("budgets"), AS_OF).empty


def test_team_of_one_outflow():
    s = staff([("solo", "C", "only", "2022-01-01", "2023-05-31", "voluntary", 0.8)])
    out = staff_outflow_rate(s, AS_OF, with_persons=True)
    r = _row(out, "2023", "C")
    assert (r.numerator, r.denominator, r.value, r.persons) == (1, 1, 1.0, 1)
    # 1 Jan 2024: nobody left -> no 2024 row
    assert "2024" not in set(out.period)


def test_compute_indicators_starts_staff_years_at_the_observation_start(spells):
    # the spells reach back to 2019, but cases (the observed window) start in 2023
    from zwt_analysis.indicators import compute_indicators, observation_start

    cases = coerce_types(
        "cases",
        pd.DataFrame({"case_id": ["c1"], "client_id": ["k1"], "organisation": ["A"], "team": ["t1"],
                      "legal_framework": ["wmo"], "date_report": ["2023-03-05"]}),
    )
    tables = {"staff": spells, "cases": cases}
    assert observation_start(tables) == pd.Timestamp("2023-03-05")
    assert observation_start({"staff": spells}) is None
    out = compute_indicators(tables, AS_OF, only=["staff_outflow_rate", "staff_inflow_rate",
                                                  "caseload_per_fte"])
    staff_rows = out[out.indicator_id != "caseload_per_fte"]
    assert set(staff_rows.period) == {"2023", "2024"}
    # caseload from the quarter of the first report: 2023-Q1 .. 2024-Q3 (30 Sep 2024 = as-of)
    periods = sorted(set(out[out.indicator_id == "caseload_per_fte"].period))
    assert periods[0] == "2023-Q1" and periods[-1] == "2024-Q3" and len(periods) == 7
