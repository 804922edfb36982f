"""preventive_share and additional_assignment_share on hand-built registrations."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from zwt_analysis.indicators import additional_assignment_share, preventive_share
from zwt_analysis.processed import coerce_types, empty_table

AS_OF = date(2024, 9, 30)


def regs(rows: list[tuple]) -> pd.DataFrame:
    cols = ["employee_id", "organisation", "team", "date", "activity", "hours"]
    return coerce_types("time_registrations", pd.DataFrame(rows, columns=cols))


@pytest.fixture
def tr() -> pd.DataFrame:
    return regs(
        [
            # DOCK / north, 2024-Q1
            ("e1", "DOCK", "north", "2024-01-05", "preventive_individual", 3.0),
            ("e1", "DOCK", "north", "2024-03-31", "statutory_individual", 1.0),
            ("e1", "DOCK", "north", "2024-02-01", "overhead", 5.0),
            ("e2", "DOCK", "north", "2024-02-02", "preventive_collective", 2.0),
            ("e2", "DOCK", "north", "2024-02-02", "additional_assignment", 4.0),
            # DOCK / south, 2024-Q1: team of one, only statutory hours
            ("e3", "DOCK", "south", "2024-01-10", "statutory_individual", 6.0),
            # DOCK / south, 2024-Q2: only coordination -> no preventive_share row
            ("e3", "DOCK", "south", "2024-04-01", "coordination", 2.0),
            # SMD / west, 2024-Q2
            ("e4", "SMD", "west", "2024-06-30", "preventive_individual", 1.5),
            ("e4", "SMD", "west", "2024-06-30", "statutory_individual", 0.5),
            # after as-of: ignored
            ("e4", "SMD", "west", "2024-10-01", "preventive_individual", 8.0),
        ]
    )


def _row(df: pd.DataFrame, period: str, org: str, team: str) -> pd.Series:
    hit = df[(df.period == period) & (df.organisation == org) & (df.team == team)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_preventive_share_by_hand(tr):
    out = preventive_share(tr, AS_OF, with_persons=True)
    # DOCK/north Q1: prev 3 + 2 = 5; den 5 + statutory 1 = 6 (overhead, additional outside)
    r = _row(out, "2024-Q1", "DOCK", "north")
    assert (r.numerator, r.denominator, r.persons) == (5.0, 6.0, 2)
    assert r.value == pytest.approx(5 / 6)
    # DOCK/south Q1: 0 / 6, team of one
    r = _row(out, "2024-Q1", "DOCK", "south")
    assert (r.numerator, r.denominator, r.value, r.persons) == (0.0, 6.0, 0.0, 1)
    # DOCK org Q1: 5 / 12, persons e1 e2 e3
    r = _row(out, "2024-Q1", "DOCK", "ALL")
    assert (r.numerator, r.denominator, r.persons) == (5.0, 12.0, 3)
    # city Q1 = DOCK only: 5 / 12
    r = _row(out, "2024-Q1", "ALL", "ALL")
    assert (r.numerator, r.denominator) == (5.0, 12.0)
    # Q2: DOCK/south has only coordination -> zero denominator, no row, and no DOCK org row
    q2 = out[out.period == "2024-Q2"]
    assert set(zip(q2.organisation, q2.team, strict=True)) == {("SMD", "west"), ("SMD", "ALL"), ("ALL", "ALL")}
    r = _row(out, "2024-Q2", "ALL", "ALL")
    assert (r.numerator, r.denominator, r.value) == (1.5, 2.0, 0.75)
    # the registration after as-of made no 2024-Q4 row; Q3 has no data at all -> no rows
    assert set(out.period) == {"2024-Q1", "2024-Q2"}


def test_additional_assignment_share_by_hand(tr):
    out = additional_assignment_share(tr, AS_OF)
    assert list(out.columns) == [
        "indicator_id", "period", "organisation", "team", "numerator", "denominator", "value"
    ]
    # DOCK/north Q1: additional 4 / all 3+1+5+2+4 = 15
    r = _row(out, "2024-Q1", "DOCK", "north")
    assert (r.numerator, r.denominator) == (4.0, 15.0)
    # DOCK/south Q2: 0 / 2 (coordination only) -> a row with value 0
    r = _row(out, "2024-Q2", "DOCK", "south")
    assert (r.numerator, r.denominator, r.value) == (0.0, 2.0, 0.0)
    # city Q2: 0 / (2 + 1.5 + 0.5) = 0 / 4
    r = _row(out, "2024-Q2", "ALL", "ALL")
    assert (r.numerator, r.denominator) == (0.0, 4.0)
    assert (out.indicator_id == "additional_assignment_share").all()


def test_quarter_boundaries():
    # 31 March is Q1, 1 April is Q2
    t = regs(
        [
            ("e1", "A", "t", "2024-03-31", "preventive_individual", 1.0),
            ("e1", "A", "t", "2024-04-01", "statutory_individual", 1.0),
        ]
    )
    out = preventive_share(t, AS_OF)
    team = out[out.team == "t"].set_index("period")
    assert team.loc["2024-Q1", "value"] == 1.0
    assert team.loc["2024-Q2", "value"] == 0.0


def test_as_of_earlier_than_data_cuts_registrations(tr):
    out = preventive_share(tr, date(2024, 3, 30))
    # e1's statutory hour on 31 March is after as-of: DOCK/north Q1 = 5 / 5
    r = _row(out, "2024-Q1", "DOCK", "north")
    assert (r.numerator, r.denominator) == (5.0, 5.0)


def test_empty_table():
    for fn in (preventive_share, additional_assignment_share):
        out = fn(empty_table("time_registrations"), AS_OF, with_persons=True)
        assert out.empty
        assert list(out.columns)[-1] == "persons"
