"""The audit: intervals a reader can narrow a suppressed cell down to, on hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from zwt_analysis.cli import app
from zwt_analysis.disclosure import Col, Fragment, Kind, TableSchema, audit_folder, audit_fragments
from zwt_analysis.disclosure.tables import REGISTRY

P, M, D = Kind.PERSONS, Kind.MAGNITUDE, Kind.DERIVED
COUNT = TableSchema("t", ("organisation",), (Col("n", P), Col("share", D, sources=("n",))))


def audit(rows: dict[str, str], schema: TableSchema = COUNT, folder: str = "ALL"):
    df = pd.DataFrame({"organisation": list(rows), "n": list(rows.values())})
    return audit_fragments([Fragment(schema.name, df, folder)], {schema.name: schema}, ())


def only(result) -> tuple[str, float, float, str]:
    assert len(result.unprotected) == 1, [f.line() for f in result.unprotected]
    f = result.unprotected[0]
    return (f.shown, f.lower, f.upper, f.reason)


def test_two_small_cells_and_their_total():
    # A + B = total - C; each "<5" is 0..4
    assert audit({"ALL": "26", "A": "<5", "B": "<5", "C": "20"}).ok  # A + B = 6: A in 2..4
    res = audit({"ALL": "27", "A": "<5", "B": "<5", "C": "20"})  # A + B = 7: A in 3..4
    assert [(f.row, f.lower, f.upper, f.reason) for f in res.unprotected] == \
        [(2, 3, 4, "narrowed down"), (3, 3, 4, "narrowed down")]
    res = audit({"ALL": "28", "A": "<5", "B": "<5", "C": "20"})
    assert [(f.row, f.lower, f.upper, f.exact) for f in res.unprotected] == \
        [(2, 4, 4, True), (3, 4, 4, True)]
    assert res.cells == 4 and res.suppressed == 2


def test_an_x_count_is_at_least_5():
    # A + B = 6 and B >= 5 leave A in 0..1
    assert only(audit({"ALL": "26", "A": "<5", "B": "x", "C": "20"}))[1:] == \
        (0, 1, "narrowed down")
    assert audit({"ALL": "30", "A": "<5", "B": "x", "C": "20"}).ok  # A + B = 10: A in 0..4


def test_false_label_and_a_lone_cell():
    assert only(audit({"ALL": "30", "A": "<5", "B": "10", "C": "10"}))[1:] == \
        (10, 10, "shown as <5 but is at least 5")
    assert only(audit({"ALL": "23", "A": "<5", "B": "10", "C": "10"}))[1:] == \
        (3, 3, "recomputed exactly")
    assert audit({"A": "<5", "B": "10"}).ok  # no total: the symbol is all a reader has


def test_printed_small_count_and_share_beside_a_suppressed_source():
    df = pd.DataFrame({"organisation": ["A", "B"], "n": ["3", "<5"], "share": ["0.5", "0.2"]})
    res = audit_fragments([Fragment("t", df)], {"t": COUNT}, ())
    assert sorted(f.reason for f in res.unprotected) == [
        "count below 5 printed", "printed beside a suppressed source"]


def test_a_cell_printed_in_another_file():
    city = pd.DataFrame({"organisation": ["ALL", "A", "B"], "n": ["20", "<5", "<5"]})
    org_b = pd.DataFrame({"organisation": ["B"], "n": ["17"]})
    res = audit_fragments([Fragment("t", city, "ALL", "r", "ALL/t.csv"),
                           Fragment("t", org_b, "B", "r", "B/t.csv")], {"t": COUNT}, ())
    reasons = {(f.file, f.row, f.reason) for f in res.unprotected}
    assert ("ALL/t.csv", 3, "printed in another file (the <5 is false)") in reasons
    assert ("ALL/t.csv", 2, "recomputed exactly") in reasons  # A = 20 - 17


def test_same_table_in_organisation_folders_is_summed():
    # a table without an organisation column: each folder is its organisation
    s = TableSchema("v", ("table",), (Col("n", P),), organisation=None)
    frags = [Fragment("v", pd.DataFrame({"table": ["cases"], "n": [n]}), folder, "r", folder)
             for folder, n in (("ALL", "30"), ("A", "<5"), ("B", "27"))]
    assert only(audit_fragments(frags, {"v": s}, ()))[1:3] == (3, 3)
    # a folder without the table: the city's total is not known to be the sum of the others
    frags.append(Fragment("other", pd.DataFrame({"x": [1]}), "C", "r", "C"))
    res = audit_fragments(frags, {"v": s}, ())
    assert res.ok and res.unknown_tables == ["C"]


def test_complement_and_distinct_overlap():
    s = TableSchema("d", ("organisation",), (Col("late_open", P), Col("late", P)),
                    complements=(("late_open", "late"),))
    df = pd.DataFrame({"organisation": ["A"], "late_open": ["5"], "late": ["7"]})
    f = audit_fragments([Fragment("d", df)], {"d": s}, ()).unprotected[0]
    assert (f.column, f.shown, f.lower, f.upper) == ("late - late_open", "", 2, 2)
    flows = TableSchema("w", ("organisatie",), (Col("nieuwkomers", P, additive=False),),
                        organisation="organisatie")
    df = pd.DataFrame({"organisatie": ["ALL", "A", "B", "C"], "nieuwkomers": ["28", "10", "12", "9"]})
    f = audit_fragments([Fragment("w", df)], {"w": flows}, ()).unprotected[0]
    assert (f.row, f.column, f.lower, f.upper) == (1, "nieuwkomers: organisations - total", 3, 3)


def test_sums_need_a_p_percent_interval():
    s = TableSchema("h", ("organisation",), (Col("n", M),))
    pinned = {"ALL": "100", "A": "x", "B": "95"}
    assert only(audit(pinned, s))[1:] == (5, 5, "sum known within less than 10%")
    assert audit({"ALL": "100", "A": "x", "B": "x"}, s).ok


def test_pact_window_links_two_tables():
    team = pd.DataFrame({"organisation": ["O"] * 6, "team": ["T1", "T2"] * 3,
                         "period": ["2024-Q1"] * 2 + ["2024-Q2"] * 2 + ["2024-Q3"] * 2,
                         "activity": ["a"] * 6, "hours": ["10", "20", "30", "x", "50", "60"],
                         "total_hours": ["10", "20", "30", "x", "50", "60"],
                         "persons": ["9"] * 6, "pact": ["True", "False"] * 3})
    pact = pd.DataFrame({"group": ["PACT", "overig"], "activity": ["a", "a"],
                         "hours": ["80", "100"], "total_hours": ["80", "100"],
                         "persons": ["9", "9"]})
    frags = [Fragment("urenverdeling_team_kwartaal", team, "ALL", "r", "team"),
             Fragment("urenverdeling_pact", pact, "ALL", "r", "pact")]
    res = audit_fragments(frags)  # the registry: last 2 quarters; overig: T2 Q2 = 100 - 60
    assert {(f.file, f.row, f.lower) for f in res.unprotected} == {("team", 4, 40.0)}


def test_audit_folder_and_command(tmp_path):
    root = tmp_path / "reports"
    for folder, rows in (("ALL", "ALL,30\nA,<5\nB,x\nC,10\n"), ("C", "C,10\n")):
        (root / "09_x" / folder).mkdir(parents=True)
        (root / "09_x" / folder / "t.csv").write_text("organisation,n\n" + rows, encoding="utf-8")
    res = audit_folder(root, {"t": COUNT}, ())
    assert res.ok and res.cells == 5 and res.suppressed == 2
    (root / "09_x" / "ALL" / "t.csv").write_text("organisation,n\nALL,30\nA,<5\nB,16\nC,10\n",
                                                 encoding="utf-8")
    res = audit_folder(root, {"t": COUNT}, ())
    assert [(f.file, f.row, f.column, f.lower) for f in res.unprotected] == \
        [("09_x/ALL/t.csv", 2, "n", 4.0)]

    real = tmp_path / "real" / "03_prevention" / "ALL"
    real.mkdir(parents=True)
    (real / "onder_ondergrens.csv").write_text(
        "organisation,team,period,preventive_share,persons\nO,T,2024-Q1,0.2,3\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["audit-disclosure", str(tmp_path / "real")])
    assert res.exit_code == 1
    assert "03_prevention/ALL/onder_ondergrens.csv\trow 1\tpersons shows '3'" in res.output
    (real / "onder_ondergrens.csv").write_text(
        "organisation,team,period,preventive_share,persons\nO,T,2024-Q1,x,<5\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["audit-disclosure", str(tmp_path / "real")])
    assert res.exit_code == 0, res.output
    assert CliRunner().invoke(app, ["audit-disclosure", str(tmp_path / "nope")]).exit_code == 2


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registry_schemas_read_their_own_columns(name):
    schema = REGISTRY[name]
    assert schema.name == name
    for col in schema.columns:
        if col.kind is D:
            assert set(col.sources) <= set(schema.controlled), col
