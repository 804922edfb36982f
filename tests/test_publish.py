"""Publication: primary and secondary suppression, checked by hand and by property."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from zwt_analysis.present.publish import (
    SUPPRESSED,
    format_number,
    is_publishable,
    publish_indicators,
    suppress_counts,
    suppression_mask,
)


def table(teams: dict[str, dict[str, int]], org_only: bool = False, indicator: str = "x",
          period: str = "2024-Q1") -> pd.DataFrame:
    """Additive indicator rows: persons = denominator, numerator = persons // 2.

    ``teams``: organisation -> {team: persons}. Organisations sum their teams; the city sums all.
    """
    rows = []
    for org, ts in teams.items():
        for team, n in ts.items():
            if not org_only:
                rows.append((org, team, n))
        rows.append((org, "ALL", sum(ts.values())))
    rows.append(("ALL", "ALL", sum(sum(ts.values()) for ts in teams.values())))
    df = pd.DataFrame(rows, columns=["organisation", "team", "persons"])
    df = df[df["persons"] > 0].reset_index(drop=True)  # zero denominators are left out
    df.insert(0, "period", period)
    df.insert(0, "indicator_id", indicator)
    df["numerator"] = (df["persons"] // 2).astype("float64")
    df["denominator"] = df["persons"].astype("float64")
    df["value"] = df["numerator"] / df["denominator"]
    df["persons"] = df["persons"].astype("Int64")
    return df[["indicator_id", "period", "organisation", "team", "numerator", "denominator",
               "value", "persons"]]


def _sup(pub: pd.DataFrame) -> set[tuple[str, str]]:
    s = pub[pub["suppressed"]]
    return set(zip(s.organisation, s.team, strict=True))


def test_one_small_team_takes_the_next_smallest_with_it():
    ind = table({"A": {"t1": 3, "t2": 10, "t3": 20}, "B": {"t4": 30, "t5": 40}})
    pub = publish_indicators(ind)
    assert _sup(pub) == {("A", "t1"), ("A", "t2")}
    row = pub[(pub.organisation == "A") & (pub.team == "t1")].iloc[0]
    assert (row.numerator, row.denominator, row.value) == (SUPPRESSED,) * 3
    row = pub[(pub.organisation == "A") & (pub.team == "ALL")].iloc[0]
    assert (row.numerator, row.denominator, row.value) == ("16", "33", "0.4848")
    assert list(pub.columns) == ["indicator_id", "period", "organisation", "team", "numerator",
                                 "denominator", "value", "suppressed"]
    assert is_publishable(pub)


def test_one_small_organisation_takes_another_and_one_of_its_teams():
    # B (4 persons) and its teams are primary; the city is published, so another organisation
    # (A, the smallest published) is suppressed, and then one of A's teams (t1, the smallest):
    # A = t1 + t2 and A + B = city - C leave A, t1, B, t3, t4 all free.
    ind = table({"A": {"t1": 10, "t2": 20}, "B": {"t3": 2, "t4": 2}, "C": {"t5": 50, "t6": 60}})
    pub = publish_indicators(ind)
    assert _sup(pub) == {("B", "ALL"), ("B", "t3"), ("B", "t4"), ("A", "ALL"), ("A", "t1")}
    assert not pub[(pub.organisation == "ALL")]["suppressed"].any()
    assert is_publishable(pub)


def test_team_of_one_is_suppressed():
    ind = table({"A": {"solo": 1, "t2": 8, "t3": 9}})
    assert _sup(publish_indicators(ind)) == {("A", "solo"), ("A", "t2")}


def test_zero_persons_suppressed_and_money_never():
    ind = table({"A": {"t1": 10, "t2": 20}})
    ind.loc[ind.team == "t1", "persons"] = 0
    assert ("A", "t1") in _sup(publish_indicators(ind))
    money = table({"A": {"t1": 1}, "B": {"t2": 1}}, org_only=True)
    money["persons"] = pd.array([pd.NA] * len(money), dtype="Int64")
    assert not publish_indicators(money)["suppressed"].any()


def test_periods_and_indicators_are_separate_groups():
    a = table({"A": {"t1": 3, "t2": 10, "t3": 20}}, period="2024-Q1")
    b = table({"A": {"t1": 30, "t2": 10, "t3": 20}}, period="2024-Q2")
    pub = publish_indicators(pd.concat([a, b], ignore_index=True))
    assert not pub[pub.period == "2024-Q2"]["suppressed"].any()
    assert pub[pub.period == "2024-Q1"]["suppressed"].sum() == 2


def test_is_publishable_rejects():
    ind = table({"A": {"t1": 3, "t2": 10, "t3": 20}})
    assert not is_publishable(ind)  # internal: persons 3 shown
    pub = publish_indicators(ind)
    tampered = pub.copy()
    i = tampered.index[(tampered.team == "t2")][0]
    tampered.loc[i, ["numerator", "denominator", "value"]] = ["5", "10", "0.5"]
    assert not is_publishable(tampered)  # t1 = A - t2 - t3
    assert not is_publishable(pub.assign(client_id="x"))
    assert not is_publishable(pd.DataFrame({"n": ["3", "7"]}), count_columns=["n"])
    assert is_publishable(pd.DataFrame({"n": ["<5", "7"]}), count_columns=["n"])


def test_format_number():
    assert format_number(12.0) == "12"
    assert format_number(1 / 3) == "0.3333"
    assert format_number(-0.5) == "-0.5"
    assert format_number(float("nan")) == ""
    assert format_number(1234567.125, 2) == "1234567.12"


def test_suppress_counts_with_groups_and_derived():
    df = pd.DataFrame(
        {
            "organisation": ["A", "A", "A", "B", "B"],
            "team": ["t1", "t2", "t3", "t4", "t5"],
            "clients": [3, 7, 12, 2, 9],
            "share_late": [0.1, 0.2, 0.3, 0.4, 0.5],
        }
    )
    out = suppress_counts(df, ["clients"], ["organisation"], derived_columns=["share_late"])
    assert out["clients"].tolist() == ["<5", "<5", "12", "<5", "<5"]
    assert out["share_late"].tolist() == ["<5", "<5", "0.3", "<5", "<5"]
    assert is_publishable(out, ["clients"], ["organisation"])
    # whole table as one group: 3 and 2 are primary -> already two suppressed
    out = suppress_counts(df, ["clients"])
    assert out["clients"].tolist() == ["<5", "7", "12", "<5", "9"]
    assert df["clients"].tolist() == [3, 7, 12, 2, 9]  # input untouched


# ------------------------------------------------------------------ properties


def _determined(ind: pd.DataFrame, sup: np.ndarray) -> list[int]:
    """Suppressed rows whose denominator follows exactly from the published ones and the sums."""
    unknown = list(np.flatnonzero(sup))
    if not unknown:
        return []
    col = {r: j for j, r in enumerate(unknown)}
    eqs = []
    org, team = ind["organisation"].to_numpy(), ind["team"].to_numpy()
    groups = []
    for o in set(org) - {"ALL"}:
        parent = np.flatnonzero((org == o) & (team == "ALL"))
        children = np.flatnonzero((org == o) & (team != "ALL"))
        if len(parent) and len(children):
            groups.append((parent[0], children))
    city = np.flatnonzero((org == "ALL") & (team == "ALL"))
    orgs = np.flatnonzero((org != "ALL") & (team == "ALL"))
    if len(city) and len(orgs):
        groups.append((city[0], orgs))
    for parent, children in groups:
        row = np.zeros(len(unknown))
        for r, coef in [(parent, 1.0), *[(c, -1.0) for c in children]]:
            if r in col:
                row[col[r]] = coef
        if row.any():
            eqs.append(row)
    if not eqs:
        return []
    a = np.array(eqs)
    rank = np.linalg.matrix_rank(a)
    out = []
    for r, j in col.items():
        e = np.zeros(len(unknown))
        e[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(r)
    return out


team_sizes = st.dictionaries(
    st.sampled_from(["t1", "t2", "t3", "t4"]), st.integers(0, 14), min_size=1, max_size=4
)
hierarchies = st.dictionaries(st.sampled_from(["A", "B", "C"]), team_sizes, min_size=1, max_size=3)


@settings(max_examples=100, deadline=None)
@given(hierarchies, st.booleans())
def test_property_no_small_cell_and_nothing_recomputable(teams, org_only):
    ind = table(teams, org_only=org_only)
    sup = suppression_mask(ind).to_numpy()
    # no published cell under 5 persons
    assert not ((ind["persons"].to_numpy() < 5) & ~sup).any()
    # no suppressed cell follows from its group's published total minus the other cells
    assert _determined(ind, sup) == []
    pub = publish_indicators(ind)
    assert is_publishable(pub)
    shown = pub[~pub["suppressed"]]
    assert not (shown[["numerator", "denominator", "value"]] == SUPPRESSED).any().any()
    assert (pub.loc[pub["suppressed"], ["numerator", "denominator", "value"]] == SUPPRESSED).all().all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("ABC"), st.integers(0, 12)), min_size=1, max_size=12)
)
def test_property_suppress_counts(rows):
    df = pd.DataFrame(rows, columns=["group", "n"])
    out = suppress_counts(df, ["n"], ["group"])
    assert is_publishable(out, ["n"], ["group"])
    # every original count under 5 is suppressed
    assert (out.loc[df["n"] < 5, "n"] == SUPPRESSED).all()
