"""The Dutch reason of each KPI's proposal and the decision rules written out.

:func:`with_reasons` adds a plain-Dutch reason per KPI (no rule codes, no
statistical terms: they stay in the rules text of :func:`rules_markdown`,
which the report shows only in its method cells, and in ``docs/kpi_audit.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from zwt_analysis.reports.kpi.rules import DECISION_LABELS

#: Plain-Dutch description of each decision condition (reviewer tables).
WHEN_PLAIN: dict[str, str] = {
    "not_measurable_no_toc": "niet meetbaar en zonder verandertheorie",
    "not_measurable": "niet meetbaar, wel een verandertheorie",
    "near_duplicate_not_kept": "meet vrijwel hetzelfde als een andere KPI",
    "constant": "altijd dezelfde waarde",
    "incomplete_not_computed": "te onvolledig aangeleverd",
    "low_variation": "verschilt nauwelijks tussen organisaties en perioden",
    "no_theory_of_change": "geen verandertheorie",
    "always": "meetbaar, volledig, onderscheidend, met verandertheorie",
}


def _pct(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:.0%}"


def _nl(x: float, decimals: int | None = None) -> str:
    """A number with a Dutch decimal comma (``0.9`` -> ``0,9``; no thousands mark)."""
    text = f"{float(x):.{decimals}f}" if decimals is not None else f"{x}"
    return text.replace(".", ",")


def _reason(when: str, row: pd.Series, rules: Mapping[str, Any]) -> str:
    """The Dutch reason of one KPI's decision (``when``: the condition that decided)."""
    min_share = float(rules["completeness"]["min_share"])
    min_cv = float(rules["discrimination"]["min_cv"])
    if when == "not_measurable_no_toc":
        return "Niet meetbaar (geen databron, geen indicator die zwt berekent) en geen verandertheorie."
    if when == "not_measurable":
        return ("Niet meetbaar: geen databron en geen indicator die zwt berekent; "
                "leg bron en berekening vast.")
    if when == "near_duplicate_not_kept":
        return (f"Meet vrijwel hetzelfde als {row['merge_into']} (zet organisaties en perioden "
                f"in bijna dezelfde volgorde); gaat op in {row['merge_into']}.")
    if when == "constant":
        return (f"Constant: alle {int(row['n_values'])} aangeleverde waarden zijn gelijk; "
                "maakt geen onderscheid.")
    if when == "incomplete_not_computed":
        return (f"Onvolledig aangeleverd ({_pct(row['completeness'])} van de cellen, "
                f"norm {min_share:.0%}); leg aanlevering vast of laat zwt het berekenen.")
    if when == "low_variation":
        return (f"Weinig variatie: de waarden wijken gemiddeld {_nl(row['cv'] * 100, 1)}% af van "
                f"hun gemiddelde (grens {_nl(min_cv * 100, 1)}%); onderscheidt organisaties en "
                "perioden nauwelijks.")
    if when == "no_theory_of_change":
        return "Geen verandertheorie: leg vast aan welk doel deze KPI bijdraagt."
    txt = "Meetbaar, volledig genoeg, onderscheidend en met verandertheorie."
    if row["is_group_representative"]:
        txt += " Blijft over van de KPI's die vrijwel hetzelfde meten."
    return txt


def with_reasons(audit: pd.DataFrame, rules: Mapping[str, Any]) -> pd.DataFrame:
    """``audit`` (from :func:`.audit.audit_kpis`) plus ``reason``: a Dutch sentence per KPI.

    The reason names the rule's condition with the thresholds of ``rules``
    (Dutch decimal comma) and, for a merged KPI, the KPI it goes into.
    """
    when = {r["id"]: r["when"] for r in rules["decision_rules"]}
    out = audit.copy()
    out["reason"] = pd.array([_reason(when[row["rule"]], row, rules)
                              for _, row in audit.iterrows()], dtype="string")
    return out


def rule_texts(rules: Mapping[str, Any]) -> dict[str, str]:
    """Technical description of each decision condition with the thresholds (method cells)."""
    c = rules["completeness"]
    d = rules["discrimination"]
    r = rules["redundancy"]
    within = float(r.get("min_abs_rho_within", 0) or 0)
    return {
        "not_measurable_no_toc": "niet meetbaar (geen databron en geen indicator die zwt "
                                 "berekent) en geen verandertheorie",
        "not_measurable": "niet meetbaar, wel een verandertheorie",
        "near_duplicate_not_kept": (
            f"bijna-duplicaat (alleen meetbare KPI's): |Spearman rho| >= {_nl(r['min_abs_rho'])} "
            f"over minstens {r['min_common_cells']} gedeelde organisatie x periode-cellen"
            + (f", en ook binnen organisaties door de tijd |rho| >= {_nl(within)}"
               if within > 0 else "")
            + " (groepen via ketens van zulke paren); de meest meetbare, meest volledige, "
            "meest outcome-achtige KPI met verandertheorie blijft, de andere gaan erin op"),
        "constant": "constant: alle aangeleverde waarden gelijk",
        "incomplete_not_computed": (
            f"minder dan {float(c['min_share']):.0%} van de verwachte cellen aangeleverd "
            "(organisaties x perioden waarin de KPI voorkomt) en niet door zwt te berekenen"),
        "low_variation": (f"variatiecoëfficiënt onder {_nl(d['min_cv'])} (bij minstens "
                          f"{d.get('min_values', 3)} waarden)"),
        "no_theory_of_change": "geen verandertheorie",
        "always": "alle andere KPI's",
    }


def rules_markdown(rules: Mapping[str, Any]) -> str:
    """The ordered decision rules with their thresholds, as Dutch Markdown (method cells)."""
    text = rule_texts(rules)
    lines = []
    for i, rule in enumerate(rules["decision_rules"], 1):
        lines.append(f"{i}. **{rule['id']}** — {text[rule['when']]}: "
                     f"**{DECISION_LABELS[rule['decision']]}**")
    return "\n".join(lines)


def rule_summary(audit: pd.DataFrame, rules: Mapping[str, Any], codes: bool = True
                 ) -> pd.DataFrame:
    """Number of KPIs decided by each rule, in rule order (Dutch headers).

    Args:
        codes: add the rule codes (``Regel``: R1..); the reviewer version leaves them out
            and shows only rules that decided at least one KPI.
    """
    counts = audit["rule"].value_counts()
    rows = [{
        "Regel": r["id"],
        "Waarom": WHEN_PLAIN.get(r["when"], r["when"]),
        "Voorstel": DECISION_LABELS[r["decision"]],
        "Aantal KPI's": int(counts.get(r["id"], 0)),
    } for r in rules["decision_rules"]]
    out = pd.DataFrame(rows, columns=["Regel", "Waarom", "Voorstel", "Aantal KPI's"])
    if not codes:
        out = out[out["Aantal KPI's"] > 0].drop(columns="Regel").reset_index(drop=True)
    return out
