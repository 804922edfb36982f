"""Audit of the contractual KPI register and a proposed reduced set.

:func:`audit_kpis` runs every rule of :mod:`.checks` and :mod:`.redundancy`
on ``kpi_register`` and ``kpi_values`` and applies the ordered decision rules
(:func:`decide`). Every threshold comes from the rules file
``resources/kpi_rules.yaml`` (:func:`.rules.load_rules`); the rules are
written out in ``docs/kpi_audit.md``.

One audit row per KPI in the register (KPIs that occur only in ``kpi_values``
are added, with an empty register entry, so nothing is silently lost). A
*cell* is one organisation x period; a cell is *delivered* when it carries a
value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.reports.kpi.checks import (
    completeness,
    discrimination,
    measurability,
    register_entries,
    target_attainment,
    theme_coverage,
    theory_of_change,
)
from zwt_analysis.reports.kpi.redundancy import (
    near_duplicate_groups,
    rank_correlations,
    representatives,
)
from zwt_analysis.reports.kpi.rules import DECISION_LABELS, load_rules

# ------------------------------------------------------------------------ decision


def decide(audit: pd.DataFrame, rules: Mapping[str, Any]) -> pd.DataFrame:
    """Apply the ordered decision rules; the first rule that applies decides.

    Adds: decision (keep/merge/drop/define), decision_nl, merge_into, rule,
    is_group_representative. The Dutch reason per KPI is added by
    :func:`zwt_analysis.reports.kpi.tables.with_reasons`.
    """
    a = audit.copy()
    red = rules["redundancy"]
    reps = representatives(a, list(red["representative_order"]))
    rep_of = pd.Series([reps.get(str(g)) if pd.notna(g) else None
                        for g in a["near_duplicate_group"]], index=a.index, dtype=object)
    is_rep = np.array([r is not None and r == k for r, k in zip(rep_of, a["kpi_id"], strict=True)],
                      dtype=bool)
    a["is_group_representative"] = is_rep
    min_share = float(rules["completeness"]["min_share"])
    conditions = {
        "not_measurable_no_toc": ~a["measurable"] & ~a["has_theory_of_change"],
        "not_measurable": ~a["measurable"],
        "near_duplicate_not_kept": pd.Series(rep_of.notna().to_numpy() & ~is_rep, index=a.index),
        "constant": a["constant"],
        "incomplete_not_computed": (a["completeness"] < min_share) & ~a["indicator_known"],
        "low_variation": a["low_variation"],
        "no_theory_of_change": ~a["has_theory_of_change"],
        "always": pd.Series(True, index=a.index),
    }
    decision = pd.Series(pd.NA, index=a.index, dtype="string")
    rule = decision.copy()
    for r in rules["decision_rules"]:
        cond = conditions[r["when"]].fillna(False).astype(bool) & decision.isna()
        decision[cond] = r["decision"]
        rule[cond] = r["id"]
    when = {r["id"]: r["when"] for r in rules["decision_rules"]}
    merge_into = [rep_of[i] if when[rule[i]] == "near_duplicate_not_kept" else pd.NA
                  for i in a.index]
    a["decision"] = decision
    a["decision_nl"] = decision.map(DECISION_LABELS).astype("string")
    a["merge_into"] = pd.array(merge_into, dtype="string")
    merge = a["decision"] == "merge"
    a.loc[merge, "decision_nl"] = "samenvoegen met " + a.loc[merge, "merge_into"]
    a["rule"] = rule
    return a


def audit_kpis(register: pd.DataFrame, values: pd.DataFrame, known_ids: Iterable[str],
               rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Full audit: every rule per KPI plus the decision of :func:`decide`.

    Args:
        register: processed ``kpi_register``.
        values: processed ``kpi_values`` (already filtered if wanted).
        known_ids: indicator ids zwt computes (:func:`.rules.known_indicator_ids`).
        rules: parsed rules file (default: the packaged one).

    Returns:
        One row per KPI, sorted by kpi_id (without the Dutch ``reason``: see
        :func:`zwt_analysis.reports.kpi.tables.with_reasons`).
    """
    rules = rules or load_rules()
    known_ids = set(known_ids)
    reg = register_entries(register, values)
    levels = list(rules["result_levels"])
    base_cols = ["kpi_id", "name", "assignment_id", "unit", "direction", "target",
                 "indicator_id", "quality_block", "result_level"]
    a = reg[[c for c in base_cols if c in reg]].copy()
    a["result_level_rank"] = a["result_level"].map(
        lambda x: levels.index(x) if pd.notna(x) and x in levels else -1).astype(int)
    red = rules["redundancy"]
    rho, n_common = rank_correlations(values, int(red["min_common_cells"]))
    rho_w = None
    if float(red.get("min_abs_rho_within", 0) or 0) > 0:
        rho_w, _ = rank_correlations(values, int(red["min_common_cells"]), within=True)
    meas = measurability(reg, known_ids)
    dup = near_duplicate_groups(rho, n_common, float(red["min_abs_rho"]),
                                int(red["min_common_cells"]), rho_w,
                                float(red.get("min_abs_rho_within", 0) or 0),
                                eligible=meas.loc[meas["measurable"], "kpi_id"].astype(str))
    disc = rules["discrimination"]
    parts = [
        meas,
        completeness(reg, values, rules["completeness"].get("organisations", "all")),
        discrimination(reg, values, float(disc["min_cv"]), int(disc.get("min_values", 3))),
        target_attainment(reg, values),
        theory_of_change(reg, int(rules["theory_of_change"].get("min_chars", 1))),
        theme_coverage(reg, rules.get("coverage_themes", {})),
    ]
    for p in parts:
        a = a.merge(p, on="kpi_id", how="left")
    a = a.merge(dup, on="kpi_id", how="left")
    a["near_duplicate_group"] = a["near_duplicate_group"].astype("string")
    a["n_common_most_similar"] = a["n_common_most_similar"].fillna(0).astype(int)
    return decide(a.sort_values("kpi_id", ignore_index=True), rules)


# ------------------------------------------------------------------------ coverage

def coverage_gaps(audit: pd.DataFrame, rules: Mapping[str, Any],
                  available: Iterable[str] = ()) -> pd.DataFrame:
    """Per theme: KPIs covering it in the register and in the kept set, plus candidates.

    Args:
        audit: output of :func:`audit_kpis`.
        available: indicator ids with values in the indicator table; candidates
            not among them are listed as "(nog niet berekend)".

    Returns:
        theme, label, n_register, n_kept, kpis_kept, gap (no kept KPI), candidates.
    """
    avail = set(available)
    kept = audit["decision"] == "keep"
    rows = []
    for theme, spec in rules.get("coverage_themes", {}).items():
        col = f"covers_{theme}"
        cov = audit[col] if col in audit else pd.Series(False, index=audit.index)
        cands = [c if c in avail else f"{c} (nog niet berekend)"
                 for c in spec.get("candidates", [])]
        rows.append({
            "theme": theme,
            "label": spec.get("label", theme),
            "n_register": int(cov.sum()),
            "n_kept": int((cov & kept).sum()),
            "kpis_kept": ", ".join(audit.loc[cov & kept, "kpi_id"].astype(str)),
            "gap": bool((cov & kept).sum() == 0),
            "candidates": ", ".join(cands),
        })
    return pd.DataFrame(rows)


def block_coverage(audit: pd.DataFrame, rules: Mapping[str, Any]) -> pd.DataFrame:
    """KPIs per NJi building block and result level, in the register and the kept set.

    Returns:
        One row per building block 1..7 (plus "onbekend" when any KPI lacks
        one): block, label, then for each result level ``<level>`` the number
        of kept KPIs, ``kept`` total kept, ``register`` total in the register.
    """
    labels = {int(k): v for k, v in rules["quality_blocks"].items()}
    levels = list(rules["result_levels"])
    qb = audit["quality_block"].astype("Int64")
    kept = audit["decision"] == "keep"
    rows = []
    blocks: list[int | None] = sorted(labels)
    if qb.isna().any():
        blocks.append(None)
    for b in blocks:
        in_b = qb.isna() if b is None else (qb == b).fillna(False)
        row: dict[str, Any] = {"block": "onbekend" if b is None else str(b),
                               "label": "onbekend" if b is None else labels[b]}
        for lvl in levels:
            row[lvl] = int((in_b & kept & (audit["result_level"] == lvl).fillna(False)).sum())
        row["kept"] = int((in_b & kept).sum())
        row["register"] = int(in_b.sum())
        rows.append(row)
    return pd.DataFrame(rows)


def organisation_columns(audit: pd.DataFrame, values_org: pd.DataFrame) -> pd.DataFrame:
    """Add one organisation's own completeness and target attainment to a city audit.

    The decisions stay those of the whole register (one contract for the city);
    ``values_org`` are the kpi_values of one organisation. The expected grid of
    a KPI is then the periods in which this organisation has a row for it.

    Returns:
        ``audit`` plus completeness_org and share_met_org.
    """
    reg = audit[["kpi_id", "target", "direction"]]
    comp = completeness(reg, values_org, "reporting").set_index("kpi_id")["completeness"]
    met = target_attainment(reg, values_org).set_index("kpi_id")["share_met"]
    out = audit.copy()
    out["completeness_org"] = out["kpi_id"].map(comp).astype(float)
    out["share_met_org"] = out["kpi_id"].map(met).astype(float)
    return out

