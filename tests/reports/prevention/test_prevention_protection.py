"""Disclosure control of the prevention report's side tables (issue 16), on hand-built tables.

The city's full tables and every folder's PACT table are protected in one pass; each
report prints its slice. The attacks of issue 16 (the city minus the organisations, a
complement, a team-quarter of fewer than 5 persons beside its share) are tried on what
the reports would write, and the audit of the written folder finds nothing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure import audit_folder, protect
from zwt_analysis.reports.prevention import protection
from zwt_analysis.reports.prevention.protection import Published


def _deadlines() -> pd.DataFrame:
    """One quarter of Wmo decisions: O1 has 3 late cases, O2 has 12; the city 15."""
    rows = [(ALL, 80, 15), ("O1", 40, 3), ("O2", 40, 12)]
    out = pd.DataFrame({"indicator_id": "wmo_decision_on_time",
                        "organisation": [o for o, _, _ in rows], "team": ALL,
                        "period": "2024-Q1", "on_time": [n for _, n, _ in rows],
                        "late": [n for _, _, n in rows], "late_open": 0, "pending": 0})
    ev = out["on_time"] + out["late"]
    return out.assign(share_on_time=out["on_time"] / ev, ci_low=out["on_time"] / ev - 0.05,
                      ci_high=out["on_time"] / ev + 0.05, status="definitief")


def _team_quarter() -> pd.DataFrame:
    """Team A (O1) with 3 persons and team B (O2) with 8, one quarter, three activities."""
    rows = []
    for org, team, persons, hours in (("O1", "A", 3, (30.0, 50.0, 20.0)),
                                      ("O2", "B", 8, (90.0, 150.0, 60.0))):
        total = sum(hours)
        for act, h in zip(("preventive_individual", "statutory_individual", "overhead"), hours,
                          strict=True):
            rows.append({"organisation": org, "team": team, "period": "2024-Q1", "activity": act,
                         "hours": h, "total_hours": total, "share": h / total,
                         "ci_low": h / total - 0.1, "ci_high": h / total + 0.1,
                         "persons": persons, "pact": team == "B"})
    return pd.DataFrame(rows)


def _below() -> pd.DataFrame:
    """Both team-quarters below a floor of 0.5 (shares 30/80 and 90/240)."""
    return pd.DataFrame({"organisation": ["O1", "O2"], "team": ["A", "B"],
                         "period": "2024-Q1", "preventive_share": [30 / 80, 90 / 240],
                         "ci_low": [0.2, 0.3], "ci_high": [0.45, 0.45],
                         "gap": [0.5 - 30 / 80, 0.5 - 90 / 240], "clearly_below": [True, True],
                         "persons": [3, 8], "pact": [False, True]})


def _write(root: Path, org: str, pub: Published) -> None:
    folder = root / "03_prevention" / org
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in ((protection.DEADLINES, pub.deadlines),
                        (protection.TEAM_QUARTER, pub.team_quarter),
                        (protection.BELOW, pub.below), (protection.PACT, pub.pact)):
        if table is not None and not table.frame.empty:
            table.csv().to_csv(folder / f"{name}.csv", index=False)


def _publish(org: str) -> Published:
    return protection.protect_report(_deadlines(), _team_quarter(), _below(), {}, org)


def test_city_and_organisation_print_the_same_symbols() -> None:
    city, o1, o2 = _publish(ALL), _publish("O1"), _publish("O2")
    late = city.deadlines.csv().set_index("organisation")["late"]
    # 3 late cases: "<5"; O2's 12 would give them back (city 15 - 12): hidden too, as "x"
    assert late["O1"] == "<5" and late["O2"] == "x"
    assert o1.deadlines.csv()["late"].tolist() == ["<5"]
    assert o2.deadlines.csv()["late"].tolist() == ["x"]  # not printed by O2's own report
    # the share beside a hidden count goes with it; the figures get NaN there
    assert o2.deadlines.csv()["share_on_time"].tolist() == ["x"]
    assert o2.deadlines.masked()["share_on_time"].isna().all()
    assert city.primary > 0 and city.secondary > 0 and 0 < city.suppressed_share < 1


def test_team_quarter_of_fewer_than_five_persons_is_hidden_with_its_share() -> None:
    pub = _publish(ALL)
    tq = pub.team_quarter.csv()
    a = tq.loc[tq["team"] == "A"]
    assert set(a["persons"]) == {"<5"} and set(a["hours"]) == {"x"} and set(a["share"]) == {"x"}
    b = tq.loc[tq["team"] == "B"]
    assert b["hours"].tolist() == [90.0, 150.0, 60.0] and set(b["persons"]) == {8}
    assert pub.hidden_team_quarters == {("O1", "A", "2024-Q1")}
    below = pub.below.csv().set_index("team")
    assert below.loc["A", "preventive_share"] == "x" and below.loc["A", "gap"] == "x"
    assert below.loc["A", "clearly_below"] == "x"  # it tells where the interval lies
    assert below.loc["B", "preventive_share"] == pytest.approx(90 / 240)


def test_share_hidden_where_the_hours_table_hides_a_cell() -> None:
    labels = pd.DataFrame("", index=range(2), columns=_below().columns, dtype=object)
    table = protection.hide_with_hours(
        protection.ProtectedTable(_below(), labels), {("O2", "B", "2024-Q1")})
    csv = table.csv().set_index("team")
    assert csv.loc["B", "preventive_share"] == "x" and csv.loc["B", "ci_high"] == "x"
    assert csv.loc["A", "preventive_share"] == pytest.approx(30 / 80)  # its hours are printed


def test_written_folder_passes_the_audit(tmp_path: Path) -> None:
    for org in (ALL, "O1", "O2"):
        _write(tmp_path, org, _publish(org))
    result = audit_folder(tmp_path)
    assert result.ok, [f.line() for f in result.unprotected]
    assert result.suppressed > 0 and not result.unknown_tables


def test_each_report_on_its_own_would_leak(tmp_path: Path) -> None:
    # the old way: every report protects only the rows it prints; the city's own table
    # hides O2's 12 late cases as a complement, O2's report prints them
    d = _deadlines()
    for org in (ALL, "O1", "O2"):
        rows = d if org == ALL else d.loc[d["organisation"] == org]
        folder = tmp_path / "03_prevention" / org
        folder.mkdir(parents=True)
        protect({protection.DEADLINES: rows})[protection.DEADLINES].csv().to_csv(
            folder / f"{protection.DEADLINES}.csv", index=False)
    assert not audit_folder(tmp_path).ok
