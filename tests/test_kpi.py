"""Tests of the KPI audit (kpi_audit.py) and the KPI report helpers (kpi.py).

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

from zwt_analysis.processed import coerce_types
from zwt_analysis.reports.kpi import audit as kpi_audit
from zwt_analysis.reports.kpi import compute as kpi

#: Indicator ids of DATA_CONTRACT section 4 (used when zwt_analysis.indicators has
#: no INDICATORS registry yet).
CONTRACT_INDICATORS = {
    "preventive_share", "additional_assignment_share", "wmo_assessment_on_time",
    "wmo_decision_on_time", "jeugdwet_decision_on_time", "participatiewet_decision_on_time",
    "wgs_first_contact_on_time", "reregistration_12m", "caseload_per_fte", "reach_per_1000",
    "staff_outflow_rate", "staff_inflow_rate", "vacancy_rate", "incidental_funding_share",
}
TOC = "Snelle toegang voorkomt escalatie naar zwaardere zorg."
RULES = kpi_audit.load_rules()


def _typed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Contract columns of ``name`` in processed dtypes; absent columns all-missing."""
    from zwt_analysis.contract import TABLES

    full = df.copy()
    for c in TABLES[name].columns:
        if c.name not in full:
            full[c.name] = np.nan if c.kind in ("float", "int") else None
    return coerce_types(name, full)


def register(rows: list[dict]) -> pd.DataFrame:
    """A processed kpi_register from partial rows (missing columns empty)."""
    return _typed("kpi_register", pd.DataFrame(rows, columns=["kpi_id"] if not rows else None))


def values(rows: list[tuple]) -> pd.DataFrame:
    """A processed kpi_values table from (kpi_id, organisation, period, value) tuples."""
    return coerce_types("kpi_values", pd.DataFrame(
        rows, columns=["kpi_id", "organisation", "period", "value"]))


CELLS = [(o, f"2023-Q{q}") for o in ("A", "B") for q in range(1, 5)]
K1 = [0.70, 0.75, 0.80, 0.85, 0.60, 0.90, 0.65, 0.95]


@pytest.fixture()
def small() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nine KPIs, each built to trigger one decision rule (see test_audit_decisions)."""
    reg = register([
        dict(kpi_id="K1", name="Tevredenheid", unit="share", direction="higher_is_better",
             target=0.8, data_source="enquête", quality_block=1, result_level="output",
             theory_of_change=TOC),
        dict(kpi_id="K2", name="Tevredenheid (schaal)", unit="score",
             direction="higher_is_better", data_source="enquête", quality_block=1,
             result_level="outcome", theory_of_change=TOC),
        dict(kpi_id="K3", name="Preventieve inzet", unit="share", quality_block=2,
             result_level="outcome", theory_of_change=TOC),
        dict(kpi_id="K4", name="Aantal overleggen", unit="count", quality_block=3,
             result_level="activity", data_source="   "),
        dict(kpi_id="K5", name="Aantal teams", unit="count", data_source="HR",
             quality_block=4, result_level="output", theory_of_change=TOC),
        dict(kpi_id="K6", name="Preventief aandeel", unit="share", direction="higher_is_better",
             target=0.3, indicator_id="preventive_share", quality_block=5,
             result_level="output", theory_of_change=TOC),
        dict(kpi_id="K7", name="Aantal meldingen", unit="count", data_source="registratie",
             quality_block=6, result_level="output"),
        dict(kpi_id="K8", name="Aantal trajecten", unit="count", data_source="registratie",
             quality_block=7, result_level="output", theory_of_change=TOC),
        dict(kpi_id="K9", name="Wachtlijst", unit="count", data_source="registratie",
             assignment_id="PACT1", quality_block=1, result_level="impact",
             theory_of_change=TOC),
    ])
    rows = []
    for (o, p), v in zip(CELLS, K1, strict=True):
        rows += [("K1", o, p, v), ("K2", o, p, v * 100 + 1)]
    rows += [("K5", o, p, 3.0) for o, p in CELLS]
    rows += [("K7", o, p, v) for (o, p), v in zip(CELLS, [5, 3, 8, 1, 2, 7, 4, 6], strict=True)]
    rows += [("K6", "A", "2023-Q1", 0.3), ("K6", "A", "2023-Q2", 0.4), ("K6", "B", "2023-Q1", None)]
    rows += [("K8", o, p, v) for (o, p), v in zip(CELLS[:5], [1, 5, 2, 9, 4], strict=True)]
    rows += [("K8", o, p, None) for o, p in CELLS[5:]]
    rows += [("K9", o, p, v) for (o, p), v in
             zip(CELLS, [100, 101, 100, 101, 100, 101, 100, 102], strict=True)]
    return reg, values(rows)


def row(df: pd.DataFrame, kpi_id: str) -> pd.Series:
    return df.set_index("kpi_id").loc[kpi_id]


# ----------------------------------------------------------------- measurable


def test_measurable_needs_source_or_known_indicator():
    reg = register([
        dict(kpi_id="a", data_source="Suite"),
        dict(kpi_id="b", data_source="  "),
        dict(kpi_id="c", indicator_id="preventive_share"),
        dict(kpi_id="d", indicator_id="made_up_indicator"),
        dict(kpi_id="e"),
    ])
    m = kpi_audit.measurability(reg, CONTRACT_INDICATORS).set_index("kpi_id")
    assert m["measurable"].to_dict() == {"a": True, "b": False, "c": True, "d": False, "e": False}
    assert m["measurable_via"].to_dict() == {"a": "data_source", "b": "", "c": "indicator",
                                             "d": "", "e": ""}


def test_known_indicator_ids_is_a_set_of_strings():
    ids = kpi_audit.known_indicator_ids()
    assert isinstance(ids, set)
    assert all(isinstance(i, str) for i in ids)
    if ids:  # once the registry exists it holds every indicator of the contract
        assert CONTRACT_INDICATORS <= ids


# ----------------------------------------------------------------- completeness


def test_completeness_counts_org_by_period_grid():
    reg = register([dict(kpi_id="x"), dict(kpi_id="y")])
    # Organisations A, B, C appear in kpi_values; x is reported in 2 periods.
    vals = values([("x", "A", "2023", 1.0), ("x", "A", "2024", 2.0), ("x", "B", "2024", None),
                   ("y", "C", "2023", 5.0)])
    c = kpi_audit.completeness(reg, vals, "all").set_index("kpi_id")
    # x: 3 organisations x 2 periods = 6 cells, 2 delivered.
    assert c.loc["x", "n_expected"] == 6 and c.loc["x", "n_delivered"] == 2
    assert c.loc["x", "completeness"] == pytest.approx(2 / 6)
    # y: 3 x 1 = 3 cells, 1 delivered.
    assert c.loc["y", "completeness"] == pytest.approx(1 / 3)
    r = kpi_audit.completeness(reg, vals, "reporting").set_index("kpi_id")
    # reporting organisations only: x has A and B -> 2 x 2 = 4 cells.
    assert r.loc["x", "n_expected"] == 4 and r.loc["x", "completeness"] == pytest.approx(0.5)
    assert r.loc["y", "completeness"] == 1.0
    with pytest.raises(ValueError):
        kpi_audit.completeness(reg, vals, "some")


def test_completeness_edges_no_rows_all_missing_single_org():
    reg = register([dict(kpi_id="none"), dict(kpi_id="empty"), dict(kpi_id="solo")])
    vals = values([("empty", "A", "2023", None), ("empty", "A", "2024", None),
                   ("solo", "A", "2023", 4.0), ("solo", "A", "2024", None)])
    c = kpi_audit.completeness(reg, vals).set_index("kpi_id")
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
    d = kpi_audit.discrimination(reg, vals, min_cv=0.02, min_values=3).set_index("kpi_id")
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
    t = kpi_audit.target_attainment(reg, vals).set_index("kpi_id")
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
    rho, n = kpi_audit.rank_correlations(vals, min_common_cells=6)
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
    rho, n = kpi_audit.rank_correlations(vals, min_common_cells=6)
    assert n.loc["x", "y"] == 5 and math.isnan(rho.loc["x", "y"])
    assert math.isnan(rho.loc["x", "c"])  # constant KPI: no rank correlation


def test_within_organisation_check_removes_shared_org_ordering():
    rows = []
    for org, level in {"A": 10, "B": 20, "C": 30, "D": 40}.items():
        for j, (dx, dy) in enumerate(zip([1, 2, 3], [3, 1, 2], strict=True)):
            rows += [("x", org, f"202{j}", level + dx), ("y", org, f"202{j}", level + dy)]
    vals = values(rows)
    rho, n = kpi_audit.rank_correlations(vals, 6)
    # 4 separated blocks, within-block rank differences (-2, 1, 1): 1 - 6*24/(12*143)
    assert rho.loc["x", "y"] == pytest.approx(1 - 144 / 1716)
    rw, _ = kpi_audit.rank_correlations(vals, 6, within=True)
    # centred values (-1, 0, 1) vs (1, -1, 0) in every organisation -> rho -0.5
    assert rw.loc["x", "y"] == pytest.approx(-0.5)
    off = kpi_audit.near_duplicate_groups(rho, n, 0.9, 6)
    on = kpi_audit.near_duplicate_groups(rho, n, 0.9, 6, rw, 0.8)
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
    g = kpi_audit.near_duplicate_groups(rho, common, 0.9, 6).set_index("kpi_id")
    # a-b-c chained (rho exactly 0.9 counts), d-e by |rho|, f below threshold
    assert g.loc[["a", "b", "c"], "near_duplicate_group"].tolist() == ["G1"] * 3
    assert g.loc[["d", "e"], "near_duplicate_group"].tolist() == ["G2"] * 2
    assert pd.isna(g.loc["f", "near_duplicate_group"])
    assert g.loc["d", "most_similar"] == "e" and g.loc["d", "max_abs_rho"] == pytest.approx(0.93)


def test_near_duplicate_needs_common_cells():
    rho, common = _square(["a", "b"], {("a", "b"): 0.99}, n=5)
    g = kpi_audit.near_duplicate_groups(rho, common, 0.9, 6)
    assert g["near_duplicate_group"].isna().all()


# ----------------------------------------------------------------- theory, themes


def test_theory_of_change_min_chars():
    reg = register([dict(kpi_id="a", theory_of_change=TOC), dict(kpi_id="b", theory_of_change=" ok "),
                    dict(kpi_id="c")])
    t = kpi_audit.theory_of_change(reg, min_chars=10).set_index("kpi_id")
    assert t["has_theory_of_change"].to_dict() == {"a": True, "b": False, "c": False}


def test_theme_coverage_keywords_at_word_start_indicator_and_level():
    reg = register([
        dict(kpi_id="a", name="Preventieve inzet per team"),
        dict(kpi_id="b", name="Ondersteuning", description="vroegsignalering in de wijk"),
        dict(kpi_id="c", name="Nietpreventie"),
        dict(kpi_id="d", name="Aandeel", indicator_id="preventive_share"),
        dict(kpi_id="e", name="Zelfredzaamheid", result_level="outcome"),
    ])
    cov = kpi_audit.theme_coverage(reg, RULES["coverage_themes"]).set_index("kpi_id")
    assert cov["covers_prevention"].to_dict() == {"a": True, "b": True, "c": False, "d": True,
                                                  "e": False}
    assert cov["covers_outcomes"].to_dict() == {"a": False, "b": False, "c": False, "d": False,
                                                "e": True}


# ----------------------------------------------------------------- decisions


def test_audit_decisions_follow_ordered_rules(small):
    reg, vals = small
    a = kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES).set_index("kpi_id")
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
    assert "0,007 < 0,02" in a.loc["K9", "reason"]  # Dutch decimal comma
    rs = kpi_audit.rule_summary(a.reset_index(), RULES).set_index("Regel")["Aantal KPI's"]
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
    rho, n = kpi_audit.rank_correlations(vals, 6)
    both = kpi_audit.near_duplicate_groups(rho, n, 0.9, 6)
    assert both["near_duplicate_group"].tolist() == ["G1", "G1"]
    only_a = kpi_audit.near_duplicate_groups(rho, n, 0.9, 6, eligible=["a"])
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
    a = kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES)
    gaps = kpi_audit.coverage_gaps(a, RULES, ["preventive_share"])
    out = kpi.audit_csv(a, gaps=gaps)
    assert len(out) == 9 + int(gaps["gap"].sum())
    assert "GAP:sociale_basis" in set(out["kpi_id"])
    assert str(out["n_expected"].dtype) == "Int64" and out["measurable"].isna().sum() == len(out) - 9
    assert out.set_index("kpi_id").loc["K1", "n_expected"] == 8
    assert kpi.audit_table_nl(a).shape[0] == 9


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


# ----------------------------------------------------------------- Ebrahim


def test_assignment_strategies_and_accountability(small):
    reg, vals = small
    budgets = _typed("budgets", pd.DataFrame({
        "organisation": ["A", "A", "B"], "year": [2023] * 3,
        "assignment_id": ["PACT1", "EXTRA", "MAIN"],
        "assignment_type": ["additional", "additional", "main"],
        "funding_type": ["incidental", "incidental", "structural"],
        "amount_eur": [1.0, 1.0, 1.0], "commissioner": ["PACT", "gemeente", "gemeente"]}))
    s = kpi.assignment_strategies(reg, budgets, RULES).set_index("assignment_id")
    assert s["strategy"].to_dict() == {"EXTRA": "niche", "MAIN": "integrated",
                                       "PACT1": "ecosystem"}
    a = kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES)
    acc = kpi.accountability(a, s.reset_index(), RULES).set_index("kpi_id")
    assert acc.loc["K9", "fit"] == "leren"  # impact under an ecosystem assignment
    assert acc.loc["K2", "fit"] == "passend" and acc.loc["K2", "should_be"] == "outcome"
    niche = a.assign(assignment_id="EXTRA")
    acc2 = kpi.accountability(niche, s.reset_index(), RULES).set_index("kpi_id")
    assert acc2.loc["K2", "fit"] == "te hoog" and acc2.loc["K2", "should_be"] == "output"
    assert set(kpi.strategy_table(RULES)["Strategie"]) == {"Niche", "Geïntegreerd", "Emergent",
                                                           "Ecosysteem"}
    summ = kpi.accountability_summary(acc.reset_index(), s.reset_index(), RULES, a)
    summ = summ.set_index("Strategie (Ebrahim)")
    assert list(summ.index) == ["Niche", "Geïntegreerd", "Ecosysteem"]
    assert summ.loc["Niche", "Zonder KPI"] == 1 and summ.loc["Geïntegreerd", "Zonder KPI"] == 0
    assert summ.loc["Geïntegreerd", "KPI's outcome"] == "2 (1)"  # K2 kept, K3 not
    assert summ.loc["Ecosysteem", "Te hoog / alleen leren"] == 1
    mis = kpi.misfit_table_nl(acc.reset_index(), a, RULES)
    assert mis["KPI"].tolist() == ["K9"] and mis["Strategie"].iloc[0] == "Ecosysteem"
    assert mis["Voorstel"].iloc[0] == "schrappen"


# ----------------------------------------------------------------- periods, trends


def test_period_bounds_and_midpoint():
    p = pd.Series(["2024-Q3", "2024", "bad"], dtype="string")
    start, end = kpi.period_bounds(p)
    assert start.iloc[0] == pd.Timestamp("2024-07-01") and end.iloc[0] == pd.Timestamp("2024-09-30")
    assert start.iloc[1] == pd.Timestamp("2024-01-01") and end.iloc[1] == pd.Timestamp("2024-12-31")
    assert pd.isna(start.iloc[2]) and pd.isna(end.iloc[2])
    mid = kpi.period_midpoint(p)
    assert mid.iloc[0] == pd.Timestamp("2024-08-15") and mid.iloc[1] == pd.Timestamp("2024-07-01")
    assert kpi.decimal_year(pd.Series(pd.to_datetime(["2023-01-01"]))).iloc[0] == 2023.0


def test_complete_periods_drops_unfinished_periods():
    s = pd.DataFrame({"period": ["2025", "2026", "2026-Q3", "2026-Q4", "2018-Q4"]})
    out = kpi.complete_periods(s, "2026-09-30", start="2019-01-01")
    assert out["period"].tolist() == ["2025", "2026-Q3"]


def test_trend_test_ols_recovers_slope_and_edges():
    t = np.arange(2019, 2027, 0.25)
    r = kpi.trend_test(t, 2.0 * t + 1 + np.tile([0.1, -0.1], len(t) // 2))
    assert r["method"] == "OLS + Newey-West" and r["n"] == len(t)
    assert r["slope_per_year"] == pytest.approx(2.0, abs=0.05) and r["p_value"] < 1e-6
    assert math.isnan(kpi.trend_test([1, 2], [1, 2])["p_value"])
    flat = kpi.trend_test(t, np.ones_like(t))
    assert flat["slope_per_year"] == 0.0 and flat["p_value"] == 1.0


def test_trend_test_binomial_glm_marginal_slope():
    t = np.arange(0, 8, 0.25)
    p = 1 / (1 + np.exp(-(-0.5 + 0.2 * (t - t.mean()))))
    den = np.full_like(t, 10_000.0)
    r = kpi.trend_test(t, p, numerator=np.round(p * den), denominator=den)
    assert r["method"].startswith("binomiaal")
    expected = 0.2 * float(np.mean(p * (1 - p)))  # average marginal effect per year
    assert r["slope_per_year"] == pytest.approx(expected, rel=0.02)
    assert r["ci_low"] < r["slope_per_year"] < r["ci_high"]


def test_trend_tests_adjusts_and_labels():
    t = np.arange(8)
    dates = pd.to_datetime([f"{2019 + i}-07-01" for i in t])
    s = pd.DataFrame({"series": ["up"] * 8 + ["flat"] * 8 + ["short"] * 3,
                      "label": "x", "organisation": "A",
                      "t": np.r_[t, t, t[:3]].astype(float) + 2019,
                      "value": np.r_[t * 1.0 + np.tile([0, 0.2], 4), np.tile([1.0, 1.1], 4),
                                     [1.0, 2.0, 3.0]],
                      "date": np.r_[dates, dates, dates[:3]],
                      "unit": pd.NA, "numerator": np.nan, "denominator": np.nan})
    out = kpi.trend_tests(s, min_periods=6).set_index("series")
    assert out.loc["up", "trend"] == "stijgend"
    assert out.loc["flat", "trend"] == "geen aantoonbare trend"
    assert out.loc["short", "trend"] == "te weinig perioden"
    assert (out["p_adjusted"].dropna() >= out["p_value"].dropna() - 1e-12).all()


def test_trend_tests_uses_glm_for_binomial_series():
    t = np.arange(2019, 2027, 0.25)
    den = np.full_like(t, 400.0)
    num = np.round(den * np.linspace(0.3, 0.6, len(t)))
    s = pd.DataFrame({"series": "x", "label": "x", "organisation": "A", "t": t,
                      "value": num / den, "numerator": num, "denominator": den,
                      "unit": "share", "binomial": True})
    out = kpi.trend_tests(s, min_periods=6)
    assert out["method"].iloc[0].startswith("binomiaal")
    assert out["trend"].iloc[0] == "stijgend"
    # marginal slope close to the linear slope of 0.3 over 7.75 years
    assert out["slope_per_year"].iloc[0] == pytest.approx(0.3 / 7.75, rel=0.1)
    ols = kpi.trend_tests(s.assign(binomial=False), min_periods=6)
    assert ols["method"].iloc[0] == "OLS + Newey-West"


def test_series_and_signals(small):
    reg, vals = small
    s = kpi.kpi_series(vals, reg, ["K1", "K8"])
    assert len(s) == 8 + 5 and s["target"].dropna().unique().tolist() == [0.8]
    assert s["label"].iloc[0] == "K1 Tevredenheid"
    ind = pd.DataFrame({"indicator_id": ["x"] * 3, "period": ["2023-Q1"] * 3,
                        "organisation": ["A", "B", "ALL"], "team": ["ALL"] * 3,
                        "numerator": [1.0, 2.0, 3.0], "denominator": [2.0, 4.0, 6.0],
                        "value": [0.5, 0.5, 0.5]})
    one = kpi.indicator_series(ind, ["x"], organisation="A")
    assert one["organisation"].tolist() == ["A", "Zaanstad"]
    assert one["target"].isna().all()
    reg_x = register([dict(kpi_id="Z1", indicator_id="x"),
                      dict(kpi_id="Z2", indicator_id="x", target=0.7),
                      dict(kpi_id="Z3", indicator_id="x", target=0.9)])
    both = kpi.indicator_series(ind, ["x"], wilson_ids=["x"], register=reg_x)
    assert both["target"].tolist() == [0.7] * 3  # first KPI with a target
    lo, hi = both["low"].iloc[0], both["high"].iloc[0]
    assert lo < 0.5 < hi and both["binomial"].all()
    sig = _typed("signals", pd.DataFrame({
        "date": pd.to_datetime(["2023-05-01", "2023-02-01", "2022-01-01"]),
        "organisation": ["A", "B", "A"], "text": ["x" * 200, "kort", "oud"],
        "kpi_id": ["K1", None, None]}))
    got = kpi.signals_for(sig, ["A", "B"], start=pd.Timestamp("2023-01-01"))
    assert got["nr"].tolist() == [1, 2] and got["organisation"].tolist() == ["B", "A"]
    sig2 = got.assign(kpi_id=pd.array(["K6", None], dtype="string"))
    panels = kpi.signal_panels(sig2, reg)
    assert sorted(panels["panel"]) == ["K6", "preventive_share"]
    assert (panels["nr"] == 1).all()
    table = kpi.signals_table_nl(got, max_chars=50)
    assert table["Signaal"].str.len().max() == 50 and table["Datum"].iloc[0] == "01-02-2023"


def test_small_multiples_one_panel_per_series(small):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reg, vals = small
    s = kpi.kpi_series(vals, reg, ["K1", "K7", "K8", "K2"])
    sig = kpi.signals_for(_typed("signals", pd.DataFrame({
        "date": pd.to_datetime(["2023-05-01", "2023-06-01"]), "organisation": ["A", "B"],
        "text": ["x", "y"], "kpi_id": ["K1", None]})), ["A", "B"])
    colours = kpi.organisation_colours(["B", "A", "ALL"])
    assert list(colours) == ["A", "B", "Zaanstad"]
    assert kpi.organisation_colours(["B"])["B"] != colours["B"]  # position in the full list
    fig = kpi.plot_small_multiples(s, kpi.signal_panels(sig, reg), ncols=3, colours=colours)
    assert sum(ax.get_visible() for ax in fig.axes) == 4
    assert kpi.plot_small_multiples(s.iloc[0:0]) is None
    tl = kpi.plot_signal_timeline(sig, pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01"))
    assert tl is not None
    plt.close("all")


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
    known = kpi_audit.known_indicator_ids() or CONTRACT_INDICATORS
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
    empty_budgets = _typed("budgets", pd.DataFrame({"organisation": pd.Series(dtype="string")}))
    a = kpi_audit.audit_kpis(register([]), values([]), set(), RULES)
    s = kpi.assignment_strategies(register([]), empty_budgets, RULES)
    acc = kpi.accountability(a, s, RULES)
    assert a.empty and s.empty and acc.empty
    assert kpi.accountability_summary(acc, s, RULES, a).empty
    assert kpi_audit.coverage_gaps(a, RULES)["gap"].all()
    assert kpi_audit.block_coverage(a, RULES)["register"].sum() == 0
    assert kpi.decision_summary(a)["Aantal KPI's"].sum() == 0
    assert kpi.duplicate_groups_table(a).empty
    assert kpi.audit_csv(a).empty


def test_accountability_text_names_missing_level(small):
    reg, vals = small
    a = kpi_audit.audit_kpis(reg, vals, {"preventive_share"}, RULES)
    s = pd.DataFrame({"assignment_id": ["MAIN", "PACT1"], "assignment_type": ["main", "additional"],
                      "commissioner": ["", "PACT"], "strategy": ["niche", "ecosystem"]})
    acc = kpi.accountability(a, s, RULES)
    text = kpi.accountability_text(acc, a, RULES)
    # MAIN as niche: kept K6 is an output -> named; PACT1 (K9 dropped) has no kept outcome
    assert "**Niche**" in text and "K6" in text
    assert "Geen behouden KPI op outcome-niveau" in text


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
    r = kpi_audit.reported_vs_computed(reg, vals, ind, 0.001, 0.01).set_index("kpi_id")
    assert list(r.index) == ["a", "b"]
    # a: 0.50 vs 0.50 agrees; 0.61 vs 0.60 differs by 0.01 > 0.001 + 0.006
    assert (r.loc["a", "n_compared"], r.loc["a", "n_agree"]) == (2, 1)
    assert r.loc["a", "mean_abs_diff"] == pytest.approx(0.005)
    # b: |10 - 10.05| = 0.05 <= 0.001 + 0.1005; |10.2 - 10| = 0.2 > 0.101; C has no indicator
    assert (r.loc["b", "n_compared"], r.loc["b", "n_agree"]) == (2, 1)
