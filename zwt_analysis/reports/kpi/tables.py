"""Dutch reader tables and sentences of the KPI report, and the ``kpi_audit.csv`` layout.

Everything here only formats results of the compute modules (audit,
accountability, series, trends, signals); numbers are written the Dutch way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.present.fmt import nl_number, nl_percent
from zwt_analysis.reports.kpi.rules import DECISION_LABELS, LEVEL_LABELS
from zwt_analysis.reports.kpi.series import indicator_title


def _fmt_share(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:.0%}"


def _nl(x: float, decimals: int | None = None) -> str:
    """A number with a Dutch decimal comma (``0.9`` -> ``0,9``; no thousands mark)."""
    text = f"{float(x):.{decimals}f}" if decimals is not None else f"{x}"
    return text.replace(".", ",")


def _yes(x: pd.Series) -> pd.Series:
    return x.map({True: "ja", False: "nee"}).fillna("nee")


# ------------------------------------------------------------------------ decisions


def _reason(when: str, row: pd.Series, rules: Mapping[str, Any]) -> str:
    """The Dutch reason of one KPI's decision (``when``: the condition that decided)."""
    min_share = float(rules["completeness"]["min_share"])
    min_cv = float(rules["discrimination"]["min_cv"])
    rho = rules["redundancy"]
    if when == "not_measurable_no_toc":
        return "Niet meetbaar (geen databron, geen indicator die zwt berekent) en geen verandertheorie."
    if when == "not_measurable":
        return "Niet meetbaar: geen databron en geen indicator die zwt berekent; leg bron en berekening vast."
    if when == "near_duplicate_not_kept":
        return (f"Bijna-duplicaat in groep {row['near_duplicate_group']} "
                f"(|rho| >= {_nl(rho['min_abs_rho'], 2)}); gaat op in {row['merge_into']}.")
    if when == "constant":
        return f"Constant: alle {int(row['n_values'])} aangeleverde waarden zijn gelijk; maakt geen onderscheid."
    if when == "incomplete_not_computed":
        return (f"Onvolledig aangeleverd ({_fmt_share(row['completeness'])} van de cellen, "
                f"norm {min_share:.0%}); leg aanlevering vast of laat zwt het berekenen.")
    if when == "low_variation":
        return (f"Weinig variatie (variatiecoëfficiënt {_nl(row['cv'], 3)} < {_nl(min_cv)}); "
                "onderscheidt organisaties en perioden nauwelijks.")
    if when == "no_theory_of_change":
        return "Geen verandertheorie: leg vast aan welk doel deze KPI bijdraagt."
    txt = "Meetbaar, volledig genoeg, onderscheidend en met verandertheorie."
    if row["is_group_representative"]:
        txt += f" Blijft over uit groep {row['near_duplicate_group']}."
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
    """Dutch description of each decision condition, with the thresholds of ``rules``."""
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
    """The ordered decision rules with their thresholds, as Dutch Markdown for the report."""
    text = rule_texts(rules)
    lines = []
    for i, rule in enumerate(rules["decision_rules"], 1):
        lines.append(f"{i}. **{rule['id']}** — {text[rule['when']]}: "
                     f"**{DECISION_LABELS[rule['decision']]}**")
    return "\n".join(lines)


def rule_summary(audit: pd.DataFrame, rules: Mapping[str, Any]) -> pd.DataFrame:
    """Number of KPIs decided by each rule, in rule order (Dutch headers)."""
    short = {
        "not_measurable_no_toc": "niet meetbaar, geen verandertheorie",
        "not_measurable": "niet meetbaar, wel verandertheorie",
        "near_duplicate_not_kept": "bijna-duplicaat van een andere KPI",
        "constant": "constant",
        "incomplete_not_computed": "onvolledig aangeleverd",
        "low_variation": "weinig variatie",
        "no_theory_of_change": "geen verandertheorie",
        "always": "overige",
    }
    counts = audit["rule"].value_counts()
    return pd.DataFrame([{
        "Regel": r["id"],
        "Wanneer": short.get(r["when"], r["when"]),
        "Voorstel": DECISION_LABELS[r["decision"]],
        "Aantal KPI's": int(counts.get(r["id"], 0)),
    } for r in rules["decision_rules"]])


def decision_summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Number of KPIs per proposed decision (Dutch labels, fixed order)."""
    counts = audit["decision"].value_counts()
    return pd.DataFrame({
        "Voorstel": [DECISION_LABELS[k] for k in DECISION_LABELS],
        "Aantal KPI's": [int(counts.get(k, 0)) for k in DECISION_LABELS],
    })


def duplicate_groups_table(audit: pd.DataFrame) -> pd.DataFrame:
    """Near-duplicate groups: members, the KPI kept and the strongest |rho| inside."""
    g = audit.dropna(subset=["near_duplicate_group"])
    rows = []
    for name, m in g.groupby("near_duplicate_group", sort=False):
        rep = m.loc[m["is_group_representative"], "kpi_id"]
        rows.append({"Groep": name, "KPI's": ", ".join(m["kpi_id"].astype(str)),
                     "Blijft": rep.iloc[0] if len(rep) else "-",
                     "Hoogste |rho|": nl_number(m["max_abs_rho"].max(), 2)})
    out = pd.DataFrame(rows, columns=["Groep", "KPI's", "Blijft", "Hoogste |rho|"])
    return out.sort_values("Groep", key=lambda s: s.str[1:].astype(int), ignore_index=True)

def proposal_text(audit: pd.DataFrame) -> str:
    """One Dutch sentence: KPIs in the register, kept, not measurable, without theory."""
    return (f"Het register telt **{len(audit)}** KPI's; "
            f"**{int((audit['decision'] == 'keep').sum())}** "
            f"blijven in het voorstel over. Niet meetbaar: **{int((~audit['measurable']).sum())}**; "
            f"zonder verandertheorie: **{int((~audit['has_theory_of_change']).sum())}**.")


def organisation_note(organisation: str) -> str | None:
    """Dutch note for an organisation report: the proposal is the city's, columns are its own.

    None for the city report (``ALL``).
    """
    if organisation == ALL:
        return None
    return (f"*Het voorstel geldt voor het hele register (één contract voor de stad). De kolommen "
            f"'(organisatie)' tonen daarnaast de volledigheid en normscore van "
            f"**{organisation}** zelf.*")


# ------------------------------------------------------------------------ audit tables


def audit_table_nl(audit: pd.DataFrame, accountability_df: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """The audit as a readable Dutch table (one row per KPI)."""
    def pct(x: pd.Series) -> pd.Series:
        return x.map(lambda v: "-" if pd.isna(v) else nl_percent(v, 0))

    t = pd.DataFrame({
        "KPI": audit["kpi_id"],
        "Naam": audit.get("name", pd.Series("", index=audit.index)).fillna(""),
        "Niveau": audit["result_level"].map(LEVEL_LABELS).fillna("-"),
        "Bouwsteen": audit["quality_block"].astype("string").fillna("-"),
        "Meetbaar": _yes(audit["measurable"]),
        "Volledig": pct(audit["completeness"]),
        "Variatiecoëff.": audit["cv"].map(lambda v: "-" if pd.isna(v) else nl_number(v, 2)),
        "Norm gehaald": pct(audit["share_met"]),
        "Groep": audit["near_duplicate_group"].fillna("-"),
        "Verandertheorie": _yes(audit["has_theory_of_change"]),
        "Voorstel": audit["decision_nl"],
        "Regel": audit["rule"],
        "Reden": audit["reason"],
    })
    if "completeness_org" in audit:
        t.insert(6, "Volledig (organisatie)", pct(audit["completeness_org"]).to_numpy())
        t.insert(9, "Norm gehaald (organisatie)", pct(audit["share_met_org"]).to_numpy())
    if accountability_df is not None:
        fit = accountability_df.set_index("kpi_id")["fit"]
        t.insert(3, "Past bij opdracht", audit["kpi_id"].map(fit).fillna("-").to_numpy())
    return t


def audit_csv(audit: pd.DataFrame, accountability_df: pd.DataFrame | None = None,
              gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """The audit as written to ``kpi_audit.csv``: one row per KPI, stable columns.

    When ``gaps`` is given, one row per coverage gap is appended (``kpi_id``
    ``GAP:<theme>``, decision ``add``, the candidates as reason).
    """
    cols = ["kpi_id", "name", "assignment_id", "unit", "direction", "target", "indicator_id",
            "quality_block", "result_level", "measurable", "measurable_via", "n_expected",
            "n_delivered", "completeness", "completeness_org", "n_values", "n_distinct",
            "distinct_share", "cv", "constant",
            "low_variation", "target_set", "share_met", "share_met_org", "has_theory_of_change",
            "near_duplicate_group", "most_similar", "max_abs_rho", "decision", "decision_nl",
            "merge_into", "rule", "reason"]
    out = audit[[c for c in cols if c in audit]].copy()
    for c in ("n_expected", "n_delivered", "n_values", "n_distinct", "quality_block"):
        if c in out:
            out[c] = out[c].astype("Int64")
    for c in ("measurable", "constant", "low_variation", "target_set", "has_theory_of_change"):
        if c in out:
            out[c] = out[c].astype("boolean")
    if "reason" in out:
        out["reason"] = out["reason"].astype("string").str.replace("\n", " ", regex=False)
    if accountability_df is not None:
        acc = accountability_df.set_index("kpi_id")
        for c in ("strategy", "should_be", "fit"):
            out[f"accountability_{c}"] = out["kpi_id"].map(acc[c]).to_numpy()
    if gaps is not None and len(gaps):
        g = gaps[gaps["gap"]]
        extra = pd.DataFrame({
            "kpi_id": "GAP:" + g["theme"].astype(str),
            "name": g["label"].astype(str),
            "decision": "add",
            "decision_nl": "toevoegen",
            "reason": "Geen behouden KPI op dit thema; kandidaten die zwt berekent: "
                      + g["candidates"].astype(str),
        })
        out = pd.concat([out, extra], ignore_index=True)
    return out


def verification_table_nl(check: pd.DataFrame) -> pd.DataFrame:
    """Reported versus computed values (:func:`.checks.reported_vs_computed`), Dutch headers."""
    return (check.assign(indicator_id=check["indicator_id"].map(indicator_title),
                         share_agree=check["share_agree"].map(lambda v: nl_percent(v, 0)))
            .rename(columns={"kpi_id": "KPI", "indicator_id": "Indicator van zwt",
                             "n_compared": "Cellen vergeleken", "n_agree": "Gelijk",
                             "share_agree": "Aandeel gelijk",
                             "mean_abs_diff": "Gem. absoluut verschil"}))


# ------------------------------------------------------------------------ coverage


def block_table_nl(blocks: pd.DataFrame) -> pd.DataFrame:
    """KPIs per building block (:func:`.audit.block_coverage`) with Dutch headers."""
    return blocks.rename(columns={
        "block": "Bouwsteen", "label": "Naam", "activity": "activiteit", "kept": "Behouden",
        "register": "In register"})


def empty_blocks_text(blocks: pd.DataFrame) -> str | None:
    """Dutch sentence naming the building blocks without a kept KPI (None if there are none)."""
    empty = blocks.loc[blocks["kept"] == 0, "block"].tolist()
    if not empty:
        return None
    return f"**Bouwstenen zonder behouden KPI:** {', '.join(map(str, empty))}."


def gaps_table_nl(gaps: pd.DataFrame) -> pd.DataFrame:
    """Coverage per theme (:func:`.audit.coverage_gaps`) as a Dutch table."""
    return (gaps.assign(candidates=gaps["candidates"].map(indicator_title))
            .rename(columns={"label": "Thema", "n_register": "KPI's in register",
                             "n_kept": "Behouden", "kpis_kept": "Welke",
                             "candidates": "Kandidaat-indicatoren van zwt"})
            .assign(Gat=gaps["gap"].map({True: "ja", False: "nee"}))
            [["Thema", "KPI's in register", "Behouden", "Welke", "Gat",
              "Kandidaat-indicatoren van zwt"]])


# ------------------------------------------------------------------------ accountability


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


# ------------------------------------------------------------------------ trends, signals


def trend_table_nl(trends: pd.DataFrame) -> pd.DataFrame:
    """The trend tests as a Dutch display table; shares in percentage points per year.

    A share series whose values were fractions has its slope and interval
    multiplied by 100 and labelled ``pp`` (percentage points).
    """
    def fmt(r: pd.Series) -> str:
        if pd.isna(r["slope_per_year"]):
            return "-"
        k, unit = (100.0, " pp") if r["unit"] == "share" else (1.0, "")
        d = 1 if r["unit"] == "share" else 2
        return (f"{nl_number(r['slope_per_year'] * k, d)}{unit} "
                f"({nl_number(r['ci_low'] * k, d)} tot {nl_number(r['ci_high'] * k, d)})")

    return pd.DataFrame({
        "Reeks": trends["label"].to_numpy(),
        "Organisatie": trends["organisation"].to_numpy(),
        "Perioden": trends["n"].astype(int).to_numpy(),
        "Methode": trends["method"].to_numpy(),
        "Helling per jaar (95%-BI)": [fmt(r) for _, r in trends.iterrows()],
        "p (gecorrigeerd)": trends["p_adjusted"].map(
            lambda p: "-" if pd.isna(p) else ("< 0,001" if p < 0.001 else nl_number(p, 3)))
        .to_numpy(),
        "Trend": trends["trend"].to_numpy(),
    })


def signals_table_nl(sig: pd.DataFrame, max_chars: int = 120) -> pd.DataFrame:
    """Signals as a Dutch display table (text shortened to ``max_chars``)."""
    text = sig["text"].astype("string").fillna("")
    short = text.where(text.str.len() <= max_chars, text.str.slice(0, max_chars - 1) + "…")
    return pd.DataFrame({
        "Nr": sig["nr"].to_numpy(),
        "Datum": pd.to_datetime(sig["date"]).dt.strftime("%d-%m-%Y").to_numpy(),
        "Organisatie": sig["organisation"].to_numpy(),
        "Thema": sig["theme"].fillna("").to_numpy() if "theme" in sig else "",
        "KPI": sig["kpi_id"].fillna("").to_numpy() if "kpi_id" in sig else "",
        "Signaal": short.to_numpy(),
    })
