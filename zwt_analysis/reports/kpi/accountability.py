"""What each assignment can be held to account for, after Ebrahim's contingency framework.

A. Ebrahim (2019), *Measuring Social Change*, Stanford University Press: two
contingencies (uncertainty about cause and effect, control over outcomes)
give four strategies; each can answer for results up to a level. The
strategies and the assignment lookup are configured in ``kpi_rules.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from zwt_analysis.reports.kpi.rules import LEVEL_LABELS


def assignment_strategies(register: pd.DataFrame, budgets: pd.DataFrame,
                          rules: Mapping[str, Any]) -> pd.DataFrame:
    """The Ebrahim strategy of every assignment named in the register or the budgets.

    Looked up in order: ``by_assignment`` (exact id), ``by_commissioner`` (any
    budget line of the assignment with that commissioner),
    ``by_assignment_type`` (the type on its budget lines), else ``default``.
    A KPI without assignment_id belongs to the main assignment (``MAIN``).

    Returns:
        assignment_id, assignment_type, commissioner, strategy.
    """
    cfg = rules["assignment_strategy"]
    ids = set(register["assignment_id"].dropna().astype(str)) | set(
        budgets["assignment_id"].dropna().astype(str))
    if register["assignment_id"].isna().any():
        ids.add("MAIN")
    rows = []
    for aid in sorted(ids):
        lines = budgets[budgets["assignment_id"] == aid]
        commissioners = sorted(set(lines["commissioner"].dropna().astype(str)))
        types = lines["assignment_type"].dropna().astype(str)
        a_type = types.mode().iloc[0] if len(types) else ("main" if aid == "MAIN" else pd.NA)
        strategy = cfg.get("by_assignment", {}).get(aid)
        if strategy is None:
            for c in commissioners:
                if c in cfg.get("by_commissioner", {}):
                    strategy = cfg["by_commissioner"][c]
                    break
        if strategy is None and isinstance(a_type, str):
            strategy = cfg.get("by_assignment_type", {}).get(a_type)
        rows.append({"assignment_id": aid, "assignment_type": a_type,
                     "commissioner": ", ".join(commissioners),
                     "strategy": strategy or cfg["default"]})
    return pd.DataFrame(rows, columns=["assignment_id", "assignment_type", "commissioner",
                                       "strategy"])


def accountability(audit: pd.DataFrame, strategies: pd.DataFrame,
                   rules: Mapping[str, Any]) -> pd.DataFrame:
    """Whether each KPI's result level fits what its assignment can answer for.

    ``fit``: ``passend`` (level among the strategy's accountable levels),
    ``leren`` (level only for shared learning, no attribution), ``te hoog``
    (above what the assignment controls), ``onbekend`` (no result level).
    ``should_be``: the highest level the assignment can answer for (output
    for niche/emergent, outcome for integrated/ecosystem in the default rules).

    Returns:
        kpi_id, assignment_id, strategy, result_level, should_be, fit, advice.
    """
    levels = list(rules["result_levels"])
    strat = rules["ebrahim_strategies"]
    by_id = strategies.set_index("assignment_id")["strategy"].to_dict()
    rows = []
    for _, r in audit.iterrows():
        aid = r["assignment_id"] if pd.notna(r.get("assignment_id")) else "MAIN"
        s = by_id.get(aid, rules["assignment_strategy"]["default"])
        acc = list(strat[s]["accountable"])
        learn = list(strat[s]["learning"])
        top = max(acc, key=levels.index)
        lvl = r.get("result_level")
        if pd.isna(lvl):
            fit, advice = "onbekend", "Leg het resultaatniveau vast."
        elif lvl in acc:
            fit = "passend"
            if levels.index(lvl) < levels.index(top):
                advice = (f"Past; deze opdracht kan ook op {LEVEL_LABELS[top]} "
                          "worden aangesproken.")
            else:
                advice = "Past bij wat deze opdracht in de hand heeft."
        elif lvl in learn:
            fit, advice = "leren", (f"Samen volgen en leren, niet afrekenen; verantwoorden "
                                    f"op {LEVEL_LABELS[top]}.")
        else:
            fit, advice = "te hoog", (f"Niet toe te rekenen aan deze opdracht; meet op "
                                      f"{LEVEL_LABELS[top]}-niveau.")
        rows.append({"kpi_id": r["kpi_id"], "assignment_id": aid, "strategy": s,
                     "result_level": lvl, "should_be": top, "fit": fit, "advice": advice})
    return pd.DataFrame(rows, columns=["kpi_id", "assignment_id", "strategy", "result_level",
                                       "should_be", "fit", "advice"])
