"""Tests of the KPI audit: every rule, the decisions, coverage and the check of delivered values.

Every audit rule is checked on small hand-built registers with values
computed by hand; the synthetic test checks that the audit finds what
``zwt synth`` planted (ground_truth.json).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_builders import CELLS, CONTRACT_INDICATORS, K1, RULES, TOC, register, typed, values

from zwt_analysis.reports.kpi import accountability, checks, redundancy, rules, tables
from zwt_analysis.reports.kpi import accountability_tables as acc_tables
from zwt_analysis.reports.kpi import audit as kpi_audit

# ----------------------------------------------------------------- measurable


def test_measurable_needs_source_or_known_indicator():
    reg = register([
        dict(kpi_id="a", data_source="Suite"),
        dict(kpi_id="b", data_source="  "),
        dict(kpi_id="c", indicator_id="preventive_share"),
        dict(kpi_id="d", indicator_id="made_up_indicator"),
        dict(kpi_id="e"),
    ])
    m = checks.measurability(reg, CONTRACT_INDICATORS).set_index("kpi_id")
    assert m["measurable"].to_dict() == {"a": True, "b": False, "c": True, "d": False, "e": False}
    assert m["measurable_via"].to_dict() == {"a": "data_source", "b": "", "c": "indicator",
                                             "d": "", "e": ""}


def test_known_indicator_ids_is_a_set_of_strings():
    ids = rules.known_indicator_ids()
    assert isinstance(ids, set)
    assert all(isinstance(i, str) for i in ids)
    # the registry always exists and holds every indicator of the contract
    assert CONTRACT_INDICATORS <= ids


# ----------------------------------------------------------------- completeness


def test_completeness_counts_org_by_period_grid():
    reg = register([dict(kpi_id="x"), dict(kpi_id="y")])
    # Organisations A, B, C appear in kpi_values; x is reported in 2 periods.
    vals = values([("x", "A", "2023", 1.0), ("x", "A", "2024", 2.0), ("x", "B", "2024", None),
                   ("y", "C", "2023", 5.0)])
    c = checks.completeness(reg, vals, "all").set_index("kpi_id")
    # x: 3 organisations x 2 periods = 6 cells, 2 delivered.
    assert c.loc["x", "n_expected"] == 6 and c.loc["x", "n_delivered"] == 2
    assert c.loc["x", "completeness"] == pytest.approx(2 / 6)
    # y: 3 x 1 = 3 cells, 1 delivered.
    assert c.loc["y", "completeness"] == pytest.approx(1 / 3)
    r = checks.completeness(reg, vals, "reporting").set_index("kpi_id")
    # reporting organisations only: x has A and B -> 2 x 2 = 4 cells.
    assert r.loc["x", "n_expected"] == 4 and r.loc["x", "completeness"] == pytest.approx(0.5)
    assert r.loc["y", "completeness"] == 1.0
    with pytest.raises(ValueError):
        checks.completeness(reg, vals, "some")


def test_completeness_edges_no_rows_all_missing_single_org():
    reg = register([dict(kpi_id="none"), dict(kpi_id="empty"), dict(kpi_id="solo")])
    vals = values([("empty", "A", "2023", None), ("empty", "A", "2024", None),
                   ("solo", "A", "2023", 4.0), ("solo", "A", "2024", None)])
    c = checks.completeness(reg, vals).set_index("kpi_id")
    assert (c.loc["none", "n_expected"], c.loc["none", "completeness"]) == (0, 0.0)
    assert (c.loc["empty", "n_expected"], c.loc["empty", "completeness"]) == (2, 0.0)
    assert c.loc["solo", "completeness"] == 0.5


# ----------------------------------------------------------------- discrimination


def test_discrimination_cv_constant_and_low_variation():
    reg = register([dict(kpi_id=k) for k in ("v", "c", "z", "one", "low", "none")])
    vals = values(
        [("v", "A", f"202{i}", x) for i, x in enumerate([1.0, 2.0, 3.0])]
        + [("c", "A", f"202{i}", 7.0) for i in range(3)]
        + [("z", "A", "2020", -1.0), ("z", "A", "2021", 1.0)]
        + [("one", "A", "2020", 5.0)]
        + [("low", "A", f"202{i}", x) for i, x in enumerate([100.0, 101.0, 100.0])]
    )
    d = checks.discrimination(reg, vals, min_cv=0.02, min_values=3).set_index("kpi_id")
    # v: mean 2, sample sd 1 -> cv 0.5
    assert d.loc["v", "cv"] == pytest.approx(0.5)
    assert d.loc["v", "distinct_share"] == 1.0
    assert not d.loc["v", "constant"] and not d.loc["v", "low_variation"]
    assert d.loc["c", "constant"] and d.loc["c", "cv"] == 0.0
    assert not d.loc["c", "low_variation"]  # constant is its own flag
    assert math.isnan(d.loc["z", "cv"])  # mean 0
    assert not d.loc["one", "constant"] and math.isnan(d.loc["one", "cv"])
    # low: mean 100.333, sd 0.57735 -> cv 0.005754 < 0.02
    assert d.loc["low", "cv"] == pytest.approx(0.57735027 / 100.3333333)
    assert d.loc["low", "low_variation"]
    assert d.loc["none", "n_values"] == 0 and math.isnan(d.loc["none", "cv"])


# ----------------------------------------------------------------- target


def test_target_direction_aware_share_met():
    reg = register([
        dict(kpi_id="hi", direction="higher_is_better", target=0.8),
        dict(kpi_id="lo", direction="lower_is_better", target=10.0),
        dict(kpi_id="nodir", direction="none", target=5.0),
        dict(kpi_id="notarget", direction="higher_is_better"),
        dict(kpi_id="novals", direction="higher_is_better", target=1.0),
    ])
    vals = values([("hi", "A", "2023", 0.8), ("hi", "A", "2024", 0.79), ("hi", "B", "2023", 0.9),
                   ("hi", "B", "2024", None),
                   ("lo", "A", "2023", 10.0), ("lo", "A", "2024", 12.0),
                   ("nodir", "A", "2023", 5.0), ("notarget", "A", "2023", 1.0)])
    t = checks.target_attainment(reg, vals).set_index("kpi_id")
    assert t.loc["hi", "share_met"] == pytest.approx(2 / 3)  # 0.8 (equal) and 0.9 meet it
    assert t.loc["hi", "n_judged"] == 3
    assert t.loc["lo", "share_met"] == 0.5
    assert t.loc["nodir", "target_set"] and not t.loc["nodir", "target_judgeable"]
    assert math.isnan(t.loc["nodir", "share_met"])
    assert not t.loc["notarget", "target_set"]
    assert t.loc["novals", "target_judgeable"] and math.isnan(t.loc["novals", "share_met"])


# ----------------------------------------------------------------- redundancy


def test_spearman_with_ties_matches_hand_value():
    x = [1, 2, 2, 3, 4, 5]
    y = [1, 3, 2, 2, 5, 4]
    vals = values([("x", "A", f"20{10 + i}", v) for i, v in enumerate(x)]
                  + [("y", "A", f"20{10 + i}", v) for i, v in enumerate(y)])
    rho, n = redundancy.rank_correlations(vals, min_common_cells=6)
    # average ranks: x 1,2.5,2.5,4,5,6; y 1,4,2.5,2.5,6,5 -> rho = 13.75 / 17
    assert rho.loc["x", "y"] == pytest.approx(13.75 / 17)
    assert rho.loc["y", "x"] == rho.loc["x", "y"]
    assert n.loc["x", "y"] == 6
    from scipy.stats import spearmanr

    assert rho.loc["x", "y"] == pytest.approx(spearmanr(x, y).statistic)


def test_spearman_needs_minimum_overlap_and_variation():
    vals = values([("x", "A", f"20{10 + i}", float(i)) for i in range(6)]
                  + [("y", "A", f"20{10 + i}", float(i)) for i in range(5)]
                  + [("c", "A", f"20{10 + i}", 1.0) for i in range(6)])
    rho, n = redundancy.rank_correlations(vals, min_common_cells=6)
    assert n.loc["x", "y"] == 5 and math.isnan(rho.loc["x", "y"])
    assert math.isnan(rho.loc["x", "c"])  # constant KPI: no rank correlation


def test_within_organisation_check_removes_shared_org_ordering():
    rows = []
    for org, level in {"A": 10, "B": 20, "C": 30, "D": 40}.items():
        for j, (dx, dy) in enumerate(zip([1, 2, 3], [3, 1, 2], strict=True)):
            rows += [("x", org, f"202{j}", level + dx), ("y", org, f"202{j}", level + dy)]
    vals = values(rows)
    rho, n = redundancy.rank_correlations(vals, 6)
    # 4 separated blocks, within-block rank differences (-2, 1, 1): 1 - 6*24/(12*143)
    assert rho.loc["x", "y"] == pytest.approx(1 - 144 / 1716)
    rw, _ = redundancy.rank_correlations(vals, 6, within=True)
    # centred values (-1, 0, 1) vs (1, -1, 0) in every organisation -> rho -0.5
    assert rw.loc["x", "y"] == pytest.approx(-0.5)
    off = redundancy.near_duplicate_groups(rho, n, 0.9, 6)
    on = redundancy.near_duplicate_groups(rho, n, 0.9, 6, rw, 0.8)
    assert off["near_duplicate_group"].notna().all()
    assert on["near_duplicate_group"].isna().all()


def _square(ids: list[str], pairs: dict[tuple[str, str], float], n: int = 8):
    rho = pd.DataFrame(np.eye(len(ids)), index=ids, columns=ids)
    for (a, b), r in pairs.items():
        rho.loc[a, b] = rho.loc[b, a] = r
    common = pd.DataFrame(n, index=ids, columns=ids)
    return rho, common


def test_near_duplicate_groups_are_connected_components():
    ids = ["a", "b", "c", "d", "e", "f"]
    rho, common = _square(ids, {("a", "b"): 0.95, ("b", "c"): 0.9, ("a", "c"): 0.7,
                                ("d", "e"): -0.93, ("e", "f"): 0.89})
    common.loc["e", "f"] = common.loc["f", "e"] = 8
    g = redundancy.near_duplicate_groups(rho, common, 0.9, 6).set_index("kpi_id")
    # a-b-c chained (rho exactly 0.9 counts), d-e by |rho|, f below threshold
    assert g.loc[["a", "b", "c"], "near_duplicate_group"].tolist() == ["G1"] * 3
    assert g.loc[["d", "e"], "near_duplicate_group"].tolist() == ["G2"] * 2
    assert pd.isna(g.loc["f", "near_duplicate_group"])
    assert g.loc["d", "most_similar"] == "e" and g.loc["d", "max_abs_rho"] == pytest.approx(0.93)


def test_near_duplicate_needs_common_cells():
    rho, common = _square(["a", "b"], {("a", "b"): 0.99}, n=5)
    g = redundancy.near_duplicate_groups(rho, common, 0.9, 6)
    assert g["near_duplicate_group"].isna().all()


# ----------------------------------------------------------------- theory, themes


def test_theory_of_change_min_chars():
    reg = register([dict(kpi_id="a", theory_of_change=TOC), dict(kpi_id="b", theory_of_change=" ok "),
                    dict(kpi_id="c")])
    t = checks.theory_of_change(reg, min_chars=10).set_index("kpi_id")
    assert t["has_theory_of_change"].to_dict() == {"a": True, "b": False, "c": False}


def test_theme_coverage_keywords_at_word_start_indicator_and_level():
    reg = register([
        dict(kpi_id="a", name="Preventieve inzet per team"),
        dict(kpi_id="b", name="Ondersteuning", description="vroegsignalering in de wijk"),
        dict(kpi_id="c", name="Nietpreventie"),
        dict(kpi_id="d", name="Aandeel", indicator_id="preventive_share"),
        dict(kpi_id="e", name="Zelfredzaamheid", result_level="outcome"),
    ])
    cov = checks.theme_coverage(reg, RULES["coverage_themes"]).set_index("kpi_id")
    assert cov["covers_prevention"].to_dict() == {"a": True, "b": True, "c": False, "d": True,
                                                  "e": False}
    assert cov["covers_outcomes"].to_dict() == {"a": False, "b": False, "c": False, "d": False,
                                                "e": True}


# ----------------------------------------------------------------- decisions


def test_audit_decisions_follow_ordered_rules(small):
    reg, vals = small
    a = tables.with_reasons(kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES), RULES)
    a = a.set_index("kpi_id")
    got = a[["decision", "rule"]].apply(tuple, axis=1).to_dict()
    assert got == {
        "K1": ("merge", "R3"),   # near-duplicate of K2 (rho = 1); K2 is more outcome-like
        "K2": ("keep", "R8"),
        "K3": ("define", "R2"),  # no source, has a theory of change
        "K4": ("drop", "R1"),    # blank source, no theory of change
        "K5": ("drop", "R4"),    # constant 3.0
        "K6": ("keep", "R8"),    # incomplete, but zwt computes it
        "K7": ("define", "R7"),  # no theory of change
        "K8": ("define", "R5"),  # 5 of 8 cells = 62.5% < 80%
        "K9": ("drop", "R6"),    # cv 0.0074 < 0.02
    }
    assert a.loc["K1", "merge_into"] == "K2"
    assert a.loc["K1", "decision_nl"] == "samenvoegen met K2"
    assert a.loc["K2", "is_group_representative"]
    assert a.loc["K1", "near_duplicate_group"] == a.loc["K2", "near_duplicate_group"] == "G1"
    assert a.loc["K8", "completeness"] == pytest.approx(5 / 8)
    assert a.loc["K6", "completeness"] == pytest.approx(2 / 4)
    assert a.loc["K1", "share_met"] == pytest.approx(4 / 8)
    assert a["reason"].str.len().min() > 10
    # plain Dutch, Dutch decimal comma: the cv 0.0074 as a spread of 0,7% (issue 18: no
    # "variatiecoëfficiënt" in the reviewer text)
    assert "gemiddeld 0,7% af van hun gemiddelde (grens 2,0%)" in a.loc["K9", "reason"]
    assert "rho" not in a.loc["K1", "reason"] and "R3" not in a.loc["K1", "reason"]
    rs = tables.rule_summary(a.reset_index(), RULES).set_index("Regel")["Aantal KPI's"]
    assert rs.to_dict() == {"R1": 1, "R2": 1, "R3": 1, "R4": 1, "R5": 1, "R6": 1, "R7": 1,
                            "R8": 2}


def test_unmeasurable_kpis_are_not_grouped():
    reg = register([dict(kpi_id="a", data_source="x", theory_of_change=TOC),
                    dict(kpi_id="b", theory_of_change=TOC)])
    vals = values([(k, o, p, v) for k in ("a", "b") for (o, p), v in zip(CELLS, K1, strict=True)])
    a = kpi_audit.audit_kpis(reg, vals, set(), RULES).set_index("kpi_id")
    # identical values, but an unmeasurable KPI's values are estimates: not grouped
    assert a.loc["a", "max_abs_rho"] == pytest.approx(1.0)
    assert a["near_duplicate_group"].isna().all()
    assert a.loc["a", "decision"] == "keep"
    assert a.loc["b", "decision"] == "define"
    rho, n = redundancy.rank_correlations(vals, 6)
    both = redundancy.near_duplicate_groups(rho, n, 0.9, 6)
    assert both["near_duplicate_group"].tolist() == ["G1", "G1"]
    only_a = redundancy.near_duplicate_groups(rho, n, 0.9, 6, eligible=["a"])
    assert only_a["near_duplicate_group"].isna().all()


def test_representative_prefers_completeness_then_kpi_id():
    reg = register([dict(kpi_id=k, data_source="x", result_level="output", theory_of_change=TOC)
                    for k in ("p", "q", "r")])
    rows = [(k, o, p, v) for k in ("p", "q", "r") for (o, p), v in zip(CELLS, K1, strict=True)]
    rows.append(("q", "C", "2023-Q1", None))  # q and r: 8 of 12 cells; p too -> tie
    rows = [r for r in rows if not (r[0] == "r" and r[2] == "2023-Q4" and r[1] == "A")]
    rules = {**RULES, "completeness": {**RULES["completeness"], "min_share": 0.5}}
    a = kpi_audit.audit_kpis(reg, values(rows), set(), rules).set_index("kpi_id")
    # p and q complete 8/12, r 7/12: tie between p and q broken by kpi_id
    assert a.loc["p", "decision"] == "keep"
    assert a.loc[["q", "r"], "merge_into"].tolist() == ["p", "p"]


def test_kpi_only_in_values_and_empty_tables_are_audited():
    reg = register([dict(kpi_id="a", data_source="x", theory_of_change=TOC)])
    vals = values([("ghost", "A", "2023", 1.0), ("ghost", "A", "2024", 2.0)])
    a = kpi_audit.audit_kpis(reg, vals, set(), RULES).set_index("kpi_id")
    assert set(a.index) == {"a", "ghost"}
    assert a.loc["ghost", "decision"] == "drop"  # no register entry: no source, no ToC
    assert a.loc["a", "completeness"] == 0.0
    empty = kpi_audit.audit_kpis(register([]), values([]), set(), RULES)
    assert empty.empty


def test_single_organisation_audit():
    reg = register([dict(kpi_id=k, data_source="x", result_level="output", theory_of_change=TOC)
                    for k in ("p", "q", "r")])
    series = [3.0, 5.0, 4.0, 8.0, 6.0, 7.0, 9.0, 2.0]
    rows = [("p", "A", f"20{10 + i}", v) for i, v in enumerate(series)]
    rows += [("q", "A", f"20{10 + i}", 2 * v + 1) for i, v in enumerate(series)]
    rows += [("r", "A", f"20{10 + i}", v) for i, v in enumerate([1.0, 2, 3, 4, 5, 6, 7, 8])]
    a = kpi_audit.audit_kpis(reg, values(rows), set(), RULES).set_index("kpi_id")
    assert (a["completeness"] == 1.0).all()
    assert a.loc["p", "near_duplicate_group"] == a.loc["q", "near_duplicate_group"] == "G1"
    assert pd.isna(a.loc["r", "near_duplicate_group"])
    assert a.loc["q", "decision"] == "merge" and a.loc["q", "merge_into"] == "p"


def test_coverage_gaps_and_block_coverage(small):
    reg, vals = small
    a = kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES)
    gaps = kpi_audit.coverage_gaps(a, RULES, available=["preventive_share"]).set_index("theme")
    # prevention: K3 ("Preventieve") and K6 cover it; K6 is kept
    assert gaps.loc["prevention", "n_register"] == 2 and not gaps.loc["prevention", "gap"]
    assert gaps.loc["sociale_basis", "gap"]
    assert "reach_per_1000 (nog niet berekend)" in gaps.loc["sociale_basis", "candidates"]
    blocks = kpi_audit.block_coverage(a, RULES).set_index("block")
    assert blocks["register"].sum() == 9 and blocks["kept"].sum() == 2
    assert blocks.loc["1", "register"] == 3 and blocks.loc["1", "outcome"] == 1
    assert blocks.loc["5", "output"] == 1


def test_audit_csv_adds_gap_rows(small):
    reg, vals = small
    a = tables.with_reasons(kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES), RULES)
    gaps = kpi_audit.coverage_gaps(a, RULES, ["preventive_share"])
    out = tables.audit_csv(a, gaps=gaps)
    assert len(out) == 9 + int(gaps["gap"].sum())
    assert "GAP:sociale_basis" in set(out["kpi_id"])
    assert str(out["n_expected"].dtype) == "Int64" and out["measurable"].isna().sum() == len(out) - 9
    assert out.set_index("kpi_id").loc["K1", "n_expected"] == 8
    assert tables.audit_table_nl(a).shape[0] == 9


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["A", "B"]),
                          st.sampled_from([f"2023-Q{q}" for q in range(1, 5)] + ["2024-Q1"]),
                          st.one_of(st.none(), st.integers(0, 5).map(float))),
                max_size=40))
def test_audit_invariants(rows):
    rows = list({(k, o, p): (k, o, p, v) for k, o, p, v in rows}.values())
    reg = register([dict(kpi_id=k, data_source="x", theory_of_change=TOC) for k in "abcd"])
    a = kpi_audit.audit_kpis(reg, values(rows), set(), RULES)
    assert a["completeness"].between(0, 1).all()
    assert (a["n_delivered"] <= a["n_expected"]).all()
    # the order of the register and of the values does not change any decision
    b = kpi_audit.audit_kpis(reg.iloc[::-1], values(rows[::-1]), set(), RULES)
    assert a["decision"].tolist() == b["decision"].tolist()
    assert a["merge_into"].fillna("").tolist() == b["merge_into"].fillna("").tolist()
    assert set(a["decision"]) <= {"keep", "merge", "drop", "define"}
    merged = a[a["decision"] == "merge"]
    reps = a.set_index("kpi_id")
    for _, r in merged.iterrows():
        assert reps.loc[r["merge_into"], "is_group_representative"]
        assert reps.loc[r["merge_into"], "near_duplicate_group"] == r["near_duplicate_group"]



# ----------------------------------------------------------------- synthetic data


def _truth(raw: Path) -> dict:
    gt = json.loads((raw / "ground_truth.json").read_text(encoding="utf-8"))

    def get(key: str):
        if key in gt:
            return gt[key]
        node = gt
        for part in key.split("."):
            node = node[part]
        return node

    return {k: get(f"kpi.{k}") for k in ("unmeasurable", "near_duplicate_groups",
                                         "prevention_kpis")}


@pytest.mark.slow
def test_audit_finds_planted_problems(small_raw, small_processed):
    from zwt_analysis import processed

    truth = _truth(small_raw)
    reg = processed.read_table(small_processed, "kpi_register")
    vals = processed.read_table(small_processed, "kpi_values")
    known = rules.known_indicator_ids()
    a = kpi_audit.audit_kpis(reg, vals, known, RULES).set_index("kpi_id")
    assert set(a.index[~a["measurable"]]) == set(truth["unmeasurable"])
    groups = a["near_duplicate_group"]
    for planted in truth["near_duplicate_groups"]:
        found = groups.loc[list(planted)]
        assert found.notna().all() and found.nunique() == 1, planted
    labels = [groups.loc[list(p)].iloc[0] for p in truth["near_duplicate_groups"]]
    assert len(set(labels)) == len(labels)  # planted groups not merged together
    planted_ids = {k for p in truth["near_duplicate_groups"] for k in p}
    assert set(groups.dropna().index) == planted_ids  # and no spurious groups
    # The register may *name* prevention in KPIs without a source; what counts is
    # whether a measurable KPI covers it.
    assert set(a.index[a["covers_prevention"] & a["measurable"]]) == set(truth["prevention_kpis"])
    gaps = kpi_audit.coverage_gaps(a.reset_index(), RULES).set_index("theme")
    assert gaps.loc["prevention", "gap"] == (not truth["prevention_kpis"])
    assert "preventive_share" in gaps.loc["prevention", "candidates"]


def test_empty_tables_give_empty_results():
    empty_budgets = typed("budgets", pd.DataFrame({"organisation": pd.Series(dtype="string")}))
    a = kpi_audit.audit_kpis(register([]), values([]), set(), RULES)
    s = accountability.assignment_strategies(register([]), empty_budgets, RULES)
    acc = accountability.accountability(a, s, RULES)
    assert a.empty and s.empty and acc.empty
    assert acc_tables.accountability_summary(acc, s, RULES, a).empty
    assert kpi_audit.coverage_gaps(a, RULES)["gap"].all()
    assert kpi_audit.block_coverage(a, RULES)["register"].sum() == 0
    assert tables.decision_summary(a)["Aantal KPI's"].sum() == 0
    assert tables.duplicate_groups_table(a).empty
    assert tables.audit_csv(a).empty


def test_reported_vs_computed_tolerance_and_percent_scale():
    reg = register([dict(kpi_id="a", unit="share", indicator_id="x"),
                    dict(kpi_id="b", unit="count", indicator_id="y"),
                    dict(kpi_id="c", unit="count")])
    vals = values([("a", "A", "2023", 50.0), ("a", "A", "2024", 61.0),  # percentages
                   ("b", "A", "2023", 10.0), ("b", "B", "2023", 10.2), ("b", "C", "2023", 9.0),
                   ("c", "A", "2023", 1.0)])
    ind = pd.DataFrame({"indicator_id": ["x", "x", "y", "y", "y"],
                        "period": ["2023", "2024", "2023", "2023", "2023"],
                        "organisation": ["A", "A", "A", "B", "ALL"],
                        "team": ["ALL"] * 5, "numerator": np.nan, "denominator": np.nan,
                        "value": [0.5, 0.6, 10.05, 10.0, 9.0]})
    r = checks.reported_vs_computed(reg, vals, ind, 0.001, 0.01).set_index("kpi_id")
    assert list(r.index) == ["a", "b"]
    # a: 0.50 vs 0.50 agrees; 0.61 vs 0.60 differs by 0.01 > 0.001 + 0.006
    assert (r.loc["a", "n_compared"], r.loc["a", "n_agree"]) == (2, 1)
    assert r.loc["a", "mean_abs_diff"] == pytest.approx(0.005)
    # b: |10 - 10.05| = 0.05 <= 0.001 + 0.1005; |10.2 - 10| = 0.2 > 0.101; C has no indicator
    assert (r.loc["b", "n_compared"], r.loc["b", "n_agree"]) == (2, 1)
