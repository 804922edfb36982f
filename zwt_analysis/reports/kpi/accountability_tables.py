"""Dutch reader tables and sentences of section "waarop kan elke opdracht worden aangesproken".

Only formats the results of :mod:`.accountability` (Ebrahim's strategies).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from zwt_analysis.reports.kpi.rules import LEVEL_LABELS


def strategy_table(rules: Mapping[str, Any]) -> pd.DataFrame:
    """Ebrahim's four strategies as a Dutch display table (from the rules file)."""
    rows = []
    for key, s in rules["ebrahim_strategies"].items():
        rows.append({
            "Strategie": s.get("label", key),
            "Oorzaak-gevolg": s.get("cause_effect", ""),
            "Controle over uitkomsten": s.get("control", ""),
            "Verantwoorden over": ", ".join(LEVEL_LABELS.get(x, x) for x in s["accountable"]),
            "Alleen samen leren over": ", ".join(LEVEL_LABELS.get(x, x) for x in s["learning"])
            or "-",
        })
    return pd.DataFrame(rows)


def accountability_summary(acc: pd.DataFrame, strategies: pd.DataFrame,
                           rules: Mapping[str, Any], audit: pd.DataFrame | None = None
                           ) -> pd.DataFrame:
    """Per Ebrahim strategy: its assignments, what they can answer for, their KPIs.

    Counts the KPIs in the register per result level, and (with ``audit``)
    how many of them are proposed to keep; assignments without any KPI are
    counted separately.

    Returns:
        One row per strategy that occurs, Dutch column names.
    """
    strat = rules["ebrahim_strategies"]
    levels = list(rules["result_levels"])
    kept = set(audit.loc[audit["decision"] == "keep", "kpi_id"]) if audit is not None else None
    with_kpi = set(acc["assignment_id"])
    rows = []
    for key in strat:
        s = strategies[strategies["strategy"] == key]
        k = acc[acc["strategy"] == key]
        if s.empty and k.empty:
            continue
        ids = sorted(set(s["assignment_id"]) | set(k["assignment_id"]))
        row = {
            "Strategie (Ebrahim)": strat[key].get("label", key),
            "Opdrachten": len(ids),
            "Zonder KPI": sum(1 for i in ids if i not in with_kpi),
            "Voorbeelden": ", ".join(ids[:3]) + (" …" if len(ids) > 3 else ""),
            "Verantwoorden tot en met": LEVEL_LABELS[max(strat[key]["accountable"],
                                                         key=levels.index)],
        }
        for lvl in levels:
            n_reg = int((k["result_level"] == lvl).fillna(False).sum())
            if kept is None:
                row[f"KPI's {LEVEL_LABELS[lvl]}"] = n_reg
            else:
                n_kept = int(((k["result_level"] == lvl).fillna(False)
                              & k["kpi_id"].isin(kept)).sum())
                row[f"KPI's {LEVEL_LABELS[lvl]}"] = f"{n_reg} ({n_kept})"
        row["Te hoog / alleen leren"] = int(k["fit"].isin(["te hoog", "leren"]).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def misfit_table_nl(acc: pd.DataFrame, audit: pd.DataFrame,
                    rules: Mapping[str, Any]) -> pd.DataFrame:
    """KPIs above the level their assignment can answer for, as a Dutch table."""
    strat = rules["ebrahim_strategies"]
    m = acc[acc["fit"].isin(["te hoog", "leren"])].merge(audit[["kpi_id", "decision_nl"]],
                                                         on="kpi_id", how="left")
    return pd.DataFrame({
        "KPI": m["kpi_id"].to_numpy(),
        "Opdracht": m["assignment_id"].to_numpy(),
        "Strategie": m["strategy"].map(lambda k: strat[k].get("label", k)).to_numpy(),
        "Niveau": m["result_level"].map(LEVEL_LABELS).to_numpy(),
        "Verantwoorden tot en met": m["should_be"].map(LEVEL_LABELS).to_numpy(),
        "Advies": m["advice"].to_numpy(),
        "Voorstel": m["decision_nl"].to_numpy(),
    })


def accountability_text(acc: pd.DataFrame, audit: pd.DataFrame,
                        rules: Mapping[str, Any]) -> str:
    """Dutch sentences: per strategy, which kept KPIs are outputs/outcomes and what to add.

    For each strategy with KPIs: the number of kept KPIs at the highest level
    its assignments can answer for; when there is none, advice to add one at
    that level. Kept KPIs above that level are mentioned as learning KPIs.
    """
    strat = rules["ebrahim_strategies"]
    kept = set(audit.loc[audit["decision"] == "keep", "kpi_id"])
    lines = []
    for key, g in acc.groupby("strategy", sort=False):
        top = g["should_be"].iloc[0]
        k = g[g["kpi_id"].isin(kept)]
        at_top = k.loc[k["result_level"] == top, "kpi_id"].tolist()
        label = strat[key].get("label", key)
        text = (f"- **{label}** ({g['assignment_id'].nunique()} opdracht(en) met KPI's): "
                f"verantwoorden tot en met **{LEVEL_LABELS[top]}**. ")
        if at_top:
            text += f"Behouden KPI's op dat niveau: {', '.join(at_top)}."
        else:
            text += f"Geen behouden KPI op {LEVEL_LABELS[top]}-niveau: voeg er een toe."
        lower = k.loc[k["result_level"].isin(["input", "activity"]), "kpi_id"].tolist()
        if lower:
            text += (f" Beschrijven inzet, geen resultaat ({LEVEL_LABELS['input']}/"
                     f"{LEVEL_LABELS['activity']}): {', '.join(lower)}.")
        lines.append(text)
    return "\n".join(lines) if lines else "Geen KPI's met een opdracht."
