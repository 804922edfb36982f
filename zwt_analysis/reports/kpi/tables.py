"""Dutch reader tables of the KPI report and the layout of its CSV side tables.

Everything here only formats results of the compute modules (audit, series,
trends, signals); numbers are written the Dutch way. Reviewer tables have at
most :data:`MAX_ROWS` rows (the full table is a CSV); the full audit table is
for the method cells only. Sentences are in :mod:`.text`, the reasons per KPI
in :mod:`.reasons`, the accountability tables in :mod:`.accountability_tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.present.fmt import nl_number, nl_percent
from zwt_analysis.reports.kpi.reasons import rule_summary, rules_markdown, with_reasons
from zwt_analysis.reports.kpi.rules import DECISION_LABELS, LEVEL_LABELS, block_labels, block_name
from zwt_analysis.reports.kpi.series import indicator_title
from zwt_analysis.reports.kpi.signals import labelled_signals
from zwt_analysis.reports.kpi.text import org_label, verdict_cell
from zwt_analysis.reports.kpi.trends import TREND_COLUMNS

__all__ = ["MAX_ROWS", "audit_csv", "audit_table_nl", "block_table_nl", "decision_summary",
           "duplicate_groups_table", "figure_signals_nl", "gaps_table_nl", "kept_table_nl",
           "rule_summary", "rules_markdown", "signal_overview_nl", "signals_list_nl",
           "trend_table_nl", "trends_csv", "verification_table_nl", "with_reasons"]

#: Most rows of a table in the reviewer version.
MAX_ROWS = 15


def _pct(x: pd.Series) -> pd.Series:
    return x.map(lambda v: "-" if pd.isna(v) else nl_percent(v, 0))


def _yes(x: pd.Series) -> pd.Series:
    return x.map({True: "ja", False: "nee"}).fillna("nee")


def _date(d: Any) -> str:
    return "" if pd.isna(d) else pd.Timestamp(d).strftime("%d-%m-%Y")


# ------------------------------------------------------------------------ decisions


def decision_summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Number of KPIs per proposed decision (Dutch labels, fixed order)."""
    counts = audit["decision"].value_counts()
    return pd.DataFrame({
        "Voorstel": [DECISION_LABELS[k] for k in DECISION_LABELS],
        "Aantal KPI's": [int(counts.get(k, 0)) for k in DECISION_LABELS],
    })


def duplicate_groups_table(audit: pd.DataFrame, with_rho: bool = False) -> pd.DataFrame:
    """Groups of KPIs that measure nearly the same: members and the KPI kept.

    Args:
        with_rho: add the strongest rank correlation inside the group (method cells).
    """
    g = audit.dropna(subset=["near_duplicate_group"])
    cols = ["Groep", "KPI's", "Blijft"] + (["Hoogste |rho|"] if with_rho else [])
    rows = []
    for name, m in g.groupby("near_duplicate_group", sort=False):
        rep = m.loc[m["is_group_representative"], "kpi_id"]
        rows.append({"Groep": name, "KPI's": ", ".join(m["kpi_id"].astype(str)),
                     "Blijft": rep.iloc[0] if len(rep) else "-",
                     "Hoogste |rho|": nl_number(m["max_abs_rho"].max(), 2)})
    out = pd.DataFrame(rows, columns=["Groep", "KPI's", "Blijft", "Hoogste |rho|"])[cols]
    return out.sort_values("Groep", key=lambda s: s.str[1:].astype(int), ignore_index=True)


def kept_table_nl(audit: pd.DataFrame, accountability_df: pd.DataFrame | None,
                  rules: Mapping[str, Any], max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The KPIs proposed to keep and why: the reviewer's table (at most ``max_rows`` rows).

    Most outcome-like first. Columns: KPI, Naam, Bouwsteen (Kwaliteitskompas name),
    Niveau, Volledig (share of expected cells delivered; for an organisation
    report its own), Norm gehaald, Past bij opdracht, Waarom.
    """
    kept = audit[audit["decision"] == "keep"].sort_values(["result_level_rank", "kpi_id"],
                                                          ascending=[False, True])
    own = "completeness_org" in kept
    fit = (accountability_df.set_index("kpi_id")["fit"] if accountability_df is not None
           and len(accountability_df) else pd.Series(dtype=object))
    out = pd.DataFrame({
        "KPI": kept["kpi_id"].astype(str),
        "Naam": kept["name"].fillna("") if "name" in kept else "",
        "Bouwsteen": kept["quality_block"].map(lambda b: block_name(b, rules)),
        "Niveau": kept["result_level"].map(LEVEL_LABELS).fillna("-"),
        "Volledig": _pct(kept["completeness_org" if own else "completeness"]),
        "Norm gehaald": _pct(kept["share_met_org" if own else "share_met"]),
        "Past bij opdracht": kept["kpi_id"].map(fit).astype(object).fillna("-"),
        "Waarom": kept["reason"].astype(str),
    })
    return out.head(max_rows).reset_index(drop=True)


def audit_table_nl(audit: pd.DataFrame, accountability_df: pd.DataFrame | None = None,
                   rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The whole audit as a Dutch table, one row per KPI (method cells and researchers)."""
    blocks = (audit["quality_block"].map(lambda b: block_name(b, rules)) if rules is not None
              else audit["quality_block"].astype("string").fillna("-"))
    t = pd.DataFrame({
        "KPI": audit["kpi_id"],
        "Naam": audit.get("name", pd.Series("", index=audit.index)).fillna(""),
        "Niveau": audit["result_level"].map(LEVEL_LABELS).fillna("-"),
        "Bouwsteen": blocks,
        "Meetbaar": _yes(audit["measurable"]),
        "Volledig": _pct(audit["completeness"]),
        "Variatiecoëff.": audit["cv"].map(lambda v: "-" if pd.isna(v) else nl_number(v, 2)),
        "Norm gehaald": _pct(audit["share_met"]),
        "Groep": audit["near_duplicate_group"].fillna("-"),
        "Verandertheorie": _yes(audit["has_theory_of_change"]),
        "Voorstel": audit["decision_nl"],
        "Regel": audit["rule"],
        "Reden": audit["reason"],
    })
    if "completeness_org" in audit:
        t.insert(6, "Volledig (organisatie)", _pct(audit["completeness_org"]).to_numpy())
        t.insert(9, "Norm gehaald (organisatie)", _pct(audit["share_met_org"]).to_numpy())
    if accountability_df is not None:
        fit = accountability_df.set_index("kpi_id")["fit"]
        t.insert(3, "Past bij opdracht", audit["kpi_id"].map(fit).fillna("-").to_numpy())
    return t


def audit_csv(audit: pd.DataFrame, accountability_df: pd.DataFrame | None = None,
              gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """The audit as written to ``kpi_audit.csv``: one row per KPI, stable columns.

    When ``gaps`` is given, one row per coverage gap is appended (``kpi_id``
    ``GAP:<theme>``, decision ``add``, the candidates as reason). Counts here
    are counts of register cells, not persons: the table is not suppressed.
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


def block_table_nl(blocks: pd.DataFrame, rules: Mapping[str, Any]) -> pd.DataFrame:
    """KPIs per building block (:func:`.audit.block_coverage`): number, Kwaliteitskompas name."""
    names = block_labels(rules)
    out = blocks.assign(label=[names.get(int(b), b) if str(b).isdigit() else "onbekend"
                               for b in blocks["block"]])
    return out.rename(columns={
        "block": "Nr", "label": "Bouwsteen (Kwaliteitskompas)", "activity": "activiteit",
        "kept": "Behouden", "register": "In register"})


def gaps_table_nl(gaps: pd.DataFrame) -> pd.DataFrame:
    """Coverage per theme (:func:`.audit.coverage_gaps`) as a Dutch table."""
    return (gaps.assign(candidates=gaps["candidates"].map(indicator_title))
            .rename(columns={"label": "Thema", "n_register": "KPI's in register",
                             "n_kept": "Behouden", "kpis_kept": "Welke",
                             "candidates": "Kandidaat-indicatoren van zwt"})
            .assign(Gat=gaps["gap"].map({True: "ja", False: "nee"}))
            [["Thema", "KPI's in register", "Behouden", "Welke", "Gat",
              "Kandidaat-indicatoren van zwt"]])


# ------------------------------------------------------------------------ trends


def trend_table_nl(trends: pd.DataFrame, city_label: str, max_rows: int = MAX_ROWS
                   ) -> pd.DataFrame:
    """One row per series, one column per organisation (the city last): the verdict.

    A cell reads e.g. ``dalend: -1,7 pp/jaar (-2,3 tot -1,1)``, ``geen aantoonbare
    trend`` or ``te kort om te beoordelen``; ``-`` where the series does not exist.
    """
    if trends.empty:
        return pd.DataFrame(columns=["Reeks"])
    orgs = sorted(trends["organisation"].astype(str).unique(), key=lambda o: (o == ALL, o))
    rows = []
    for (sid, freq), g in trends.groupby(["series", "frequency"], sort=False):
        row = {"Reeks": str(g["label"].iloc[0])
               + (" (per jaar)" if freq == "year" and trends.loc[
                   trends["series"] == sid, "frequency"].nunique() > 1 else "")}
        by_org = {str(r["organisation"]): verdict_cell(r) for _, r in g.iterrows()}
        for o in orgs:
            row[org_label(o, city_label)] = by_org.get(o, "-")
        rows.append(row)
    return pd.DataFrame(rows).head(max_rows)


def trends_csv(trends: pd.DataFrame) -> pd.DataFrame:
    """The side table ``kpi_trends.csv``: the verdicts of this report (city as ``ALL``).

    Slopes, intervals and p-values are model output, not counts of persons:
    the table is not suppressed.
    """
    return trends.reindex(columns=[c for c in TREND_COLUMNS if c != "scale"])


# ------------------------------------------------------------------------ signals


def signal_overview_nl(overview: pd.DataFrame, max_rows: int = MAX_ROWS,
                       max_chars: int = 90, max_touch: int = 4) -> pd.DataFrame:
    """The signals per theme (:func:`.signals.signal_overview`) as a Dutch table.

    "Raakt aan" names at most ``max_touch`` indicators and KPIs (then "en nog n").
    """
    def touches(r: pd.Series) -> str:
        parts = list(dict.fromkeys([indicator_title(i) for i in r["indicators"]]
                                   + list(r["kpis"])))
        more = f" en nog {len(parts) - max_touch}" if len(parts) > max_touch else ""
        return ", ".join(parts[:max_touch]) + more if parts else "-"

    def latest(r: pd.Series) -> str:
        text = str(r["latest_text"])
        short = text if len(text) <= max_chars else text[:max_chars - 1].rstrip() + "…"
        return f"{_date(r['last'])}: {short}"

    return pd.DataFrame({
        "Thema": overview["theme"].astype(str),
        "Signalen": overview["n"].astype(int),
        "Per organisatie": overview["by_organisation"].map(
            lambda d: ", ".join(f"{o} {n}" for o, n in d.items())),
        "Periode": [f"{pd.Timestamp(a).year}–{pd.Timestamp(b).year}" if pd.Timestamp(a).year
                    != pd.Timestamp(b).year else str(pd.Timestamp(a).year)
                    for a, b in zip(overview["first"], overview["last"], strict=True)],
        "Raakt aan": [touches(r) for _, r in overview.iterrows()],
        "Recentste signaal": [latest(r) for _, r in overview.iterrows()],
    }).head(max_rows)


def signals_list_nl(sig: pd.DataFrame, max_chars: int = 120) -> pd.DataFrame:
    """Every signal as a Dutch table (text shortened to ``max_chars``): method cells."""
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


def figure_signals_nl(panels: pd.DataFrame, series: pd.DataFrame, max_labels: int,
                      max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The signals labelled in a figure (most recent per panel), full text, newest first."""
    parts = []
    for sid, g in series.groupby("series", sort=False):
        _, lab = labelled_signals(panels, str(sid), g["organisation"].unique(), max_labels)
        parts.append(lab.assign(_label=str(g["label"].iloc[0])))
    if not parts or all(p.empty for p in parts):
        return pd.DataFrame(columns=["Datum", "Organisatie", "Signaal", "Bij"])
    lab = pd.concat(parts, ignore_index=True)
    per = lab.groupby("nr").agg(date=("date", "first"), organisation=("organisation", "first"),
                                text=("text", "first"), panels=("_label", lambda s: "; ".join(s)))
    per = per.sort_values("date", ascending=False).head(max_rows)
    return pd.DataFrame({"Datum": per["date"].map(_date), "Organisatie": per["organisation"],
                         "Signaal": per["text"].astype(str), "Bij": per["panels"]}
                        ).reset_index(drop=True)
