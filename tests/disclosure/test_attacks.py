"""Issue 16: the concrete attacks, each recovering a cell with the old rules and nothing after.

The old rules are a frozen copy of ``present/publish.py`` on main before the fix
(``legacy_publish.py``). Every "before" asserts the recovered value by plain arithmetic
on the printed text, the way a reader would, and the audit agrees; every "after"
protects the same tables with :func:`zwt_analysis.disclosure.protect` and the audit
of the printed text finds nothing.
"""

from __future__ import annotations

import legacy_publish as legacy
import pandas as pd
import pytest

from zwt_analysis.disclosure import Fragment, audit_fragments, protect
from zwt_analysis.present.publish import publish_indicators

IND, PER = "wmo_decision_on_time", "2024-Q1"
GROUP = ["indicator_id", "period"]


def text(df: pd.DataFrame) -> pd.DataFrame:
    """A frame as its CSV reads back: every cell text, missing as ''."""
    return df.astype(object).where(df.notna(), "").astype(str)


def deadlines(late: dict[str, int], on_time: int = 30) -> pd.DataFrame:
    """termijnen_per_kwartaal rows of one indicator-quarter: the city and its organisations."""
    orgs = {o: n for o, n in late.items() if o != "ALL"}
    rows = [(o, on_time, n) for o, n in orgs.items()]
    rows.insert(0, ("ALL", on_time * len(orgs), sum(orgs.values())))
    df = pd.DataFrame(rows, columns=["organisation", "on_time", "late"])
    df.insert(0, "indicator_id", IND)
    df.insert(2, "team", "ALL")
    df.insert(3, "period", PER)
    df["late_open"] = 0
    df["pending"] = 10
    df["share_on_time"] = df["on_time"] / (df["on_time"] + df["late"])
    return df


def by_folder(full: pd.DataFrame) -> list[Fragment]:
    """The city report prints every row; each organisation's report its own rows."""
    frags = [Fragment("termijnen_per_kwartaal", text(full), "ALL", "03", "ALL.csv")]
    for org in sorted(set(full["organisation"]) - {"ALL"}):
        part = full[full["organisation"] == org].reset_index(drop=True)
        frags.append(Fragment("termijnen_per_kwartaal", text(part), org, "03", f"{org}.csv"))
    return frags


def cell(df: pd.DataFrame, org: str, col: str) -> str:
    return str(df.loc[df["organisation"] == org, col].iloc[0])


def legacy_deadlines(full: pd.DataFrame) -> list[Fragment]:
    """As main published them: each report suppressed its own rows on its own."""
    frags = []
    for folder in ["ALL", *sorted(set(full["organisation"]) - {"ALL"})]:
        part = full if folder == "ALL" else full[full["organisation"] == folder]
        pub = legacy.suppress_counts(part.reset_index(drop=True), ["on_time", "late"], GROUP,
                                     derived_columns=["share_on_time"])
        pub = legacy.suppress_counts(pub, ["late_open", "pending"], GROUP)
        frags.append(Fragment("termijnen_per_kwartaal", text(pub), folder, "03", f"{folder}.csv"))
    return frags


def protected_deadlines(full: pd.DataFrame) -> list[Fragment]:
    """One pass over the city's table (all rows), then each report prints its slice."""
    pub = protect({"termijnen_per_kwartaal": full})["termijnen_per_kwartaal"].csv()
    return by_folder(pub)


def test_differencing_city_and_organisations():
    full = deadlines({"A": 2, "B": 7, "C": 18})
    before = legacy_deadlines(full)
    city, b_report = before[0].frame, before[2].frame
    assert cell(city, "A", "late") == "<5" and cell(city, "B", "late") == "<5"
    assert cell(b_report, "B", "late") == "7"  # B's own report prints what the city hid
    recovered = int(cell(city, "ALL", "late")) - int(cell(b_report, "B", "late")) \
        - int(cell(city, "C", "late"))
    assert recovered == 2
    found = audit_fragments(before)
    assert any(f.file == "ALL.csv" and f.column == "late" and f.exact and f.lower == 2
               for f in found.unprotected)

    after = protected_deadlines(full)
    assert cell(after[0].frame, "B", "late") == cell(after[2].frame, "B", "late") == "x"
    assert audit_fragments(after).ok


def test_complementary_cells_are_not_labelled_below_5():
    full = deadlines({"A": 2, "B": 7, "C": 18})
    city = legacy_deadlines(full)[0].frame
    assert cell(city, "B", "late") == "<5"  # false: B has 7 late cases
    after = protected_deadlines(full)[0].frame
    assert cell(after, "A", "late") == "<5" and cell(after, "B", "late") == "x"
    assert cell(after, "B", "share_on_time") == "x"


def test_bounds_of_two_small_cells_pin_them():
    full = deadlines({"A": 4, "B": 4, "C": 20})
    city = legacy_deadlines(full)[0].frame
    shown = [cell(city, o, "late") for o in ("ALL", "A", "B", "C")]
    assert shown == ["28", "<5", "<5", "20"]
    # A + B = 28 - 20 = 8 and each is at most 4: both are 4
    assert int(shown[0]) - int(shown[3]) == 8
    found = audit_fragments(legacy_deadlines(full))
    assert {(f.row, f.lower, f.upper) for f in found.unprotected if f.file == "ALL.csv"} \
        == {(2, 4.0, 4.0), (3, 4.0, 4.0)}

    after = protected_deadlines(full)
    assert [cell(after[0].frame, o, "late") for o in ("A", "B", "C")] == ["<5", "<5", "x"]
    assert audit_fragments(after).ok


def indicator(rows: list[tuple[str, float, float, int]], ind: str = IND) -> pd.DataFrame:
    """Internal indicator rows (organisation, numerator, denominator, persons)."""
    df = pd.DataFrame(rows, columns=["organisation", "numerator", "denominator", "persons"])
    df.insert(0, "indicator_id", ind)
    df.insert(1, "period", PER)
    df.insert(3, "team", "ALL")
    df["value"] = df["numerator"] / df["denominator"]
    df["persons"] = df["persons"].astype("Int64")
    return df[["indicator_id", "period", "organisation", "team", "numerator", "denominator",
               "value", "persons"]]


def test_complement_within_the_row():
    # 48 of 50 on time: "2 late" is the denominator minus the numerator
    ind = indicator([("ALL", 128.0, 150.0, 150), ("A", 48.0, 50.0, 50), ("B", 80.0, 100.0, 100)])
    old = legacy.publish_indicators(ind)
    a = old[old.organisation == "A"].iloc[0]
    assert int(a.denominator) - int(a.numerator) == 2
    new = publish_indicators(ind)
    a = new[new.organisation == "A"].iloc[0]
    assert a.numerator == "x" and a.value == "x"
    fr = Fragment("indicators", text(new.drop(columns="suppressed")))
    from zwt_analysis.disclosure.tables import INDICATOR_SCHEMA

    assert audit_fragments([fr], {"indicators": INDICATOR_SCHEMA}, ()).ok


def test_small_numerator_is_suppressed_though_many_persons_are_behind_the_row():
    # 3 leavers out of 40 employees: the old rule looked at persons (40) only
    ind = indicator([("ALL", 20.0, 140.0, 140), ("A", 3.0, 40.0, 40), ("B", 17.0, 100.0, 100)],
                    "staff_outflow_rate")
    old = legacy.publish_indicators(ind)
    assert old.loc[old.organisation == "A", "numerator"].iloc[0] == "3"
    new = publish_indicators(ind)
    assert new.loc[new.organisation == "A", "numerator"].iloc[0] == "<5"


def test_transfers_between_organisations():
    # newcomers: the city counts a move between organisations not as inflow, so the
    # organisations minus the city (10 + 12 + 9 - 28 = 3) counts the moves
    ind = indicator([("ALL", 28.0, 300.0, 300), ("A", 10.0, 100.0, 100),
                     ("B", 12.0, 100.0, 100), ("C", 9.0, 100.0, 100)], "staff_inflow_rate")
    old = legacy.publish_indicators(ind)
    nums = dict(zip(old.organisation, old.numerator, strict=True))
    assert int(nums["A"]) + int(nums["B"]) + int(nums["C"]) - int(nums["ALL"]) == 3
    new = publish_indicators(ind)
    nums = dict(zip(new.organisation, new.numerator, strict=True))
    assert sum(v == "x" for v in nums.values()) >= 1
    from zwt_analysis.disclosure.tables import INDICATOR_SCHEMA

    fr = Fragment("indicators", text(new.drop(columns="suppressed")))
    result = audit_fragments([fr], {"indicators": INDICATOR_SCHEMA}, ())
    assert result.ok


def hours_table() -> pd.DataFrame:
    """urenverdeling_team_kwartaal: team T2 has 3 employees in the quarter."""
    rows = []
    for team, persons, hours in (("T1", 12, (60.0, 40.0)), ("T2", 3, (30.0, 10.0)),
                                 ("T3", 20, (90.0, 50.0))):
        for act, h in zip(("statutory_individual", "preventive_individual"), hours, strict=True):
            rows.append(("O", team, PER, act, h, sum(hours), h / sum(hours), persons, False))
    df = pd.DataFrame(rows, columns=["organisation", "team", "period", "activity", "hours",
                                     "total_hours", "share", "persons", "pact"])
    df["ci_low"], df["ci_high"] = df["share"] - 0.1, df["share"] + 0.1
    return df


def test_hours_of_a_team_quarter_with_fewer_than_5_employees():
    df = hours_table()
    old = legacy.suppress_counts(df, ["persons"])  # what save_table(person_count_columns=...) did
    t2 = old[old.team == "T2"]
    assert (t2["persons"] == "<5").all() and t2["hours"].tolist() == [30.0, 10.0]
    found = audit_fragments([Fragment("urenverdeling_team_kwartaal", text(old))])
    assert any("fewer than 5 persons" in f.reason for f in found.unprotected)

    new = protect({"urenverdeling_team_kwartaal": df})["urenverdeling_team_kwartaal"].csv()
    t2 = new[new.team == "T2"]
    for col in ("hours", "total_hours", "share", "ci_low", "ci_high"):
        assert (t2[col] == "x").all(), col
    assert (t2["persons"] == "<5").all()
    assert (new[new.team != "T2"]["hours"] != "x").all()  # nothing else needed
    assert audit_fragments([Fragment("urenverdeling_team_kwartaal", text(new))]).ok


@pytest.mark.parametrize(("table", "shown"), [("time_registrations", "3"), ("staff", "<5")])
def test_counts_that_are_not_persons_are_printed(table, shown):
    # rows of a data file are not persons, except rows of cases and staff (a case, a spell)
    df = pd.DataFrame({"table": [table] * 3, "organisation": ["A", "B", "C"],
                       "period": [PER] * 3, "rows": [3, 50, 60]})
    out = protect({"regels_per_periode": df})["regels_per_periode"].csv()
    assert str(out["rows"].iloc[0]) == shown
    kpi = pd.DataFrame({"kpi_id": ["KPI01"], "n_expected": [3], "n_delivered": [2]})
    assert protect({"kpi_audit": kpi})["kpi_audit"].csv()["n_delivered"].tolist() == [2]
