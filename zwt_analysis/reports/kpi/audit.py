"""Audit of the contractual KPI register and a proposed reduced set.

Pure functions over ``kpi_register`` and ``kpi_values`` (processed tables,
data contract section 1). Every threshold comes from the rules file
``resources/kpi_rules.yaml`` (see :func:`load_rules`); the rules are written
out in ``docs/kpi_audit.md``.

One audit row per KPI in the register (KPIs that occur only in ``kpi_values``
are added, with an empty register entry, so nothing is silently lost). A
*cell* is one organisation x period; a cell is *delivered* when it carries a
value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis import config

RULES_FILE = "kpi_rules.yaml"

#: Decision codes and their Dutch labels.
DECISION_LABELS: dict[str, str] = {
    "keep": "behouden",
    "merge": "samenvoegen",
    "drop": "schrappen",
    "define": "definitie nodig",
}


def load_rules(path: str | Path | None = None) -> dict[str, Any]:
    """Read the audit rules (the packaged ``kpi_rules.yaml`` when ``path`` is empty)."""
    return config.load_yaml(path or config.resource(RULES_FILE))


def known_indicator_ids() -> set[str]:
    """Ids of the indicators zwt computes (``zwt_analysis.indicators.INDICATORS``).

    Accepts a mapping keyed by id or a sequence of ids / objects with an
    ``indicator_id`` or ``id`` attribute. Empty set when the module is absent.
    """
    try:
        from zwt_analysis.indicators import INDICATORS  # type: ignore[attr-defined]
    except ImportError:
        return set()
    if isinstance(INDICATORS, Mapping):
        return {str(k) for k in INDICATORS}
    ids = set()
    for item in INDICATORS:
        if isinstance(item, str):
            ids.add(item)
        else:
            ids.add(str(getattr(item, "indicator_id", getattr(item, "id", item))))
    return ids


def _text(s: pd.Series) -> pd.Series:
    """Trimmed text with empty strings as missing."""
    out = s.astype("string").str.strip()
    return out.mask(out == "")


def _register(register: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """The register, one row per kpi_id, plus ids that only occur in ``values``."""
    reg = register.drop_duplicates("kpi_id").copy()
    extra = sorted(set(values["kpi_id"].dropna()) - set(reg["kpi_id"].dropna()))
    if extra:
        reg = pd.concat([reg, pd.DataFrame({"kpi_id": pd.array(extra, dtype="string")})],
                        ignore_index=True)
    return reg.reset_index(drop=True)


# --------------------------------------------------------------------------- rules


def measurability(register: pd.DataFrame, known_ids: Iterable[str]) -> pd.DataFrame:
    """Whether each KPI can be measured.

    Measurable = a non-empty ``data_source`` or an ``indicator_id`` among
    ``known_ids``. An ``indicator_id`` zwt does not know does not count.

    Returns:
        kpi_id, has_data_source, indicator_known, measurable, measurable_via
        (``indicator`` / ``data_source`` / ``""``).
    """
    known = set(known_ids)
    src = _text(register["data_source"])
    ind = _text(register["indicator_id"])
    has_src = src.notna().to_numpy(dtype=bool)
    ind_known = ind.isin(known).fillna(False).to_numpy(dtype=bool)
    via = np.where(ind_known, "indicator", np.where(has_src, "data_source", ""))
    return pd.DataFrame({
        "kpi_id": register["kpi_id"].to_numpy(),
        "has_data_source": has_src,
        "indicator_known": ind_known,
        "measurable": has_src | ind_known,
        "measurable_via": via,
    })


def completeness(register: pd.DataFrame, values: pd.DataFrame,
                 organisations: str = "all") -> pd.DataFrame:
    """Share of the expected organisation x period cells that carry a value.

    Expected grid of a KPI = organisations x periods in which the KPI has any
    row in ``values`` (delivered or not). ``organisations="all"`` uses every
    organisation in ``values``; ``"reporting"`` only those with a row for the
    KPI. A KPI without any row has 0 expected cells and completeness 0.0
    (nothing delivered).

    Returns:
        kpi_id, n_expected, n_delivered, completeness (0..1).
    """
    if organisations not in ("all", "reporting"):
        raise ValueError(f"organisations must be 'all' or 'reporting', not {organisations!r}")
    all_orgs = values["organisation"].dropna().nunique()
    rows = []
    for kpi_id in register["kpi_id"]:
        v = values[values["kpi_id"] == kpi_id]
        n_orgs = all_orgs if organisations == "all" else v["organisation"].nunique()
        n_expected = int(n_orgs * v["period"].nunique())
        delivered = v[v["value"].notna()].drop_duplicates(["organisation", "period"])
        n_delivered = len(delivered)
        share = n_delivered / n_expected if n_expected else 0.0
        rows.append((kpi_id, n_expected, n_delivered, share))
    return pd.DataFrame(rows, columns=["kpi_id", "n_expected", "n_delivered", "completeness"])


def discrimination(register: pd.DataFrame, values: pd.DataFrame, min_cv: float,
                   min_values: int = 3) -> pd.DataFrame:
    """Variation of the delivered values across organisations and periods.

    ``cv`` = sample standard deviation / |mean| (NaN when fewer than 2 values
    or the mean is 0). ``constant``: at least 2 values, all equal.
    ``low_variation``: not constant, at least ``min_values`` values and
    ``cv < min_cv``.

    Returns:
        kpi_id, n_values, n_distinct, distinct_share, mean, sd, cv, constant,
        low_variation.
    """
    rows = []
    for kpi_id in register["kpi_id"]:
        x = values.loc[values["kpi_id"] == kpi_id, "value"].dropna().astype(float).to_numpy()
        n = len(x)
        n_distinct = len(np.unique(x))
        mean = float(x.mean()) if n else np.nan
        sd = float(x.std(ddof=1)) if n >= 2 else np.nan
        cv = sd / abs(mean) if n >= 2 and mean != 0 else np.nan
        constant = n >= 2 and n_distinct == 1
        low = (not constant) and n >= min_values and not np.isnan(cv) and cv < min_cv
        rows.append((kpi_id, n, n_distinct, n_distinct / n if n else np.nan, mean, sd, cv,
                     constant, bool(low)))
    return pd.DataFrame(rows, columns=["kpi_id", "n_values", "n_distinct", "distinct_share",
                                       "mean", "sd", "cv", "constant", "low_variation"])


def target_attainment(register: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Whether a target is set and the share of delivered cells meeting it.

    A target is *set* when ``target`` is present. It can be judged only with a
    direction: ``higher_is_better`` is met when value >= target,
    ``lower_is_better`` when value <= target. With direction ``none`` or
    missing, ``share_met`` is NaN (``target_judgeable`` False).

    Returns:
        kpi_id, target_set, target_judgeable, n_judged, n_met, share_met.
    """
    reg = register.set_index("kpi_id")
    rows = []
    for kpi_id in register["kpi_id"]:
        target = reg.at[kpi_id, "target"] if "target" in reg else np.nan
        direction = reg.at[kpi_id, "direction"] if "direction" in reg else pd.NA
        target_set = bool(pd.notna(target))
        judgeable = target_set and isinstance(direction, str) and direction in (
            "higher_is_better", "lower_is_better")
        x = values.loc[values["kpi_id"] == kpi_id, "value"].dropna().astype(float)
        if judgeable:
            met = x >= float(target) if direction == "higher_is_better" else x <= float(target)
            n_judged, n_met = len(x), int(met.sum())
            share = n_met / n_judged if n_judged else np.nan
        else:
            n_judged, n_met, share = 0, 0, np.nan
        rows.append((kpi_id, target_set, judgeable, n_judged, n_met, share))
    return pd.DataFrame(rows, columns=["kpi_id", "target_set", "target_judgeable", "n_judged",
                                       "n_met", "share_met"])


def theory_of_change(register: pd.DataFrame, min_chars: int = 1) -> pd.DataFrame:
    """Whether a KPI has a theory of change of at least ``min_chars`` characters."""
    toc = _text(register["theory_of_change"]).fillna("")
    return pd.DataFrame({"kpi_id": register["kpi_id"].to_numpy(),
                         "has_theory_of_change": (toc.str.len() >= max(min_chars, 1))
                         .to_numpy(dtype=bool)})


def rank_correlations(values: pd.DataFrame, min_common_cells: int, within: bool = False
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairwise Spearman rho between KPIs over shared organisation x period cells.

    Ranks are taken within each pair's common cells, ties get average ranks.
    rho is NaN with fewer than ``min_common_cells`` common cells or when a KPI
    is constant on them.

    Args:
        within: first subtract each KPI's median per organisation, so only the
            co-movement over time within organisations counts (a shared
            ordering of organisations alone no longer makes two KPIs alike).

    Returns:
        (rho, n_common): square frames indexed and columned by kpi_id.
    """
    v = values.dropna(subset=["value"])
    if v.empty:
        empty = pd.DataFrame(index=pd.Index([], dtype="string"), columns=pd.Index([], dtype="string"))
        return empty.astype(float), empty.astype(int)
    v = v.assign(value=v["value"].astype(float))
    if within:
        med = v.groupby(["kpi_id", "organisation"])["value"].transform("median")
        v = v.assign(value=v["value"] - med)
    wide = v.pivot_table(index=["organisation", "period"], columns="kpi_id",
                         values="value", aggfunc="first")
    wide = wide.astype(float)
    present = wide.notna().astype(float)
    n_common = present.T @ present
    rho = wide.corr(method="spearman", min_periods=max(int(min_common_cells), 2))
    return rho, n_common.astype(int)


def near_duplicate_groups(rho: pd.DataFrame, n_common: pd.DataFrame, min_abs_rho: float,
                          min_common_cells: int, rho_within: pd.DataFrame | None = None,
                          min_abs_rho_within: float = 0.0,
                          eligible: Iterable[str] | None = None) -> pd.DataFrame:
    """Cluster KPIs into near-duplicate groups (connected components).

    Two KPIs are linked when ``|rho| >= min_abs_rho`` over at least
    ``min_common_cells`` common cells and, when ``rho_within`` is given,
    also ``|rho_within| >= min_abs_rho_within`` (same sign as rho); a group is
    a connected component of these links (single linkage). Groups are
    numbered G1, G2, ... in the order of their smallest kpi_id. Only KPIs in
    ``eligible`` (all when None) can be linked; the others still get their
    most similar KPI.

    Returns:
        kpi_id, most_similar (kpi with the largest |rho|), max_abs_rho,
        n_common_most_similar, near_duplicate_group (NA when not in a group).
    """
    ids = list(rho.index)
    parent = {k: k for k in ids}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    absr = rho.abs()
    ok = set(ids) if eligible is None else set(eligible)
    rows = []
    for a in ids:
        r = absr.loc[a].drop(a).dropna()
        if len(r):
            best = r.idxmax()
            rows.append((a, best, float(r.max()), int(n_common.at[a, best])))
        else:
            rows.append((a, pd.NA, np.nan, 0))
        for b in r.index:
            if a not in ok or b not in ok:
                continue
            if r[b] < min_abs_rho or n_common.at[a, b] < min_common_cells:
                continue
            if rho_within is not None:
                rw = rho_within.at[a, b] if a in rho_within.index and b in rho_within.index \
                    else np.nan
                if not (abs(rw) >= min_abs_rho_within and np.sign(rw) == np.sign(rho.at[a, b])):
                    continue
            parent[find(a)] = find(b)
    out = pd.DataFrame(rows, columns=["kpi_id", "most_similar", "max_abs_rho",
                                      "n_common_most_similar"])
    comps: dict[str, list[str]] = {}
    for k in ids:
        comps.setdefault(find(k), []).append(k)
    groups = sorted((sorted(m) for m in comps.values() if len(m) > 1), key=lambda m: m[0])
    label = {k: f"G{i}" for i, m in enumerate(groups, 1) for k in m}
    out["near_duplicate_group"] = pd.array([label.get(k, pd.NA) for k in out["kpi_id"]],
                                           dtype="string")
    return out


def theme_coverage(register: pd.DataFrame, themes: Mapping[str, Mapping[str, Any]]
                   ) -> pd.DataFrame:
    """Which KPIs cover which theme (one boolean column ``covers_<theme>``).

    A KPI covers a theme when its indicator_id is in the theme's
    ``indicators``, its result_level in ``result_levels``, or one of the
    ``keywords`` starts a word in its name, description or theory of change.
    """
    out = pd.DataFrame({"kpi_id": register["kpi_id"].to_numpy()})
    text = pd.Series("", index=register.index, dtype="string")
    for col in ("name", "description", "theory_of_change"):
        if col in register:
            text = text + " " + _text(register[col]).fillna("")
    text = text.str.lower()
    ind = _text(register["indicator_id"]) if "indicator_id" in register else None
    lvl = _text(register["result_level"]) if "result_level" in register else None
    for theme, spec in themes.items():
        hit = pd.Series(False, index=register.index)
        kws = [k.lower() for k in spec.get("keywords", [])]
        if kws:
            pattern = r"\b(?:" + "|".join(re.escape(k) for k in kws) + ")"
            hit |= text.str.contains(pattern, regex=True).fillna(False).astype(bool)
        if spec.get("indicators") and ind is not None:
            hit |= ind.isin(spec["indicators"]).fillna(False).astype(bool)
        if spec.get("result_levels") and lvl is not None:
            hit |= lvl.isin(spec["result_levels"]).fillna(False).astype(bool)
        out[f"covers_{theme}"] = hit.to_numpy(dtype=bool)
    return out


# ------------------------------------------------------------------------ decision


def _representatives(audit: pd.DataFrame, order: list[str]) -> dict[str, str]:
    """The member kept in each near-duplicate group (first after sorting on ``order``)."""
    keys, asc = [], []
    for item in order:
        name, _, how = str(item).partition(":")
        keys.append(name)
        asc.append(how == "asc")
    reps = {}
    grouped = audit.dropna(subset=["near_duplicate_group"])
    for g, members in grouped.groupby("near_duplicate_group"):
        ranked = members.sort_values(keys, ascending=asc, na_position="last", kind="stable")
        reps[str(g)] = str(ranked["kpi_id"].iloc[0])
    return reps


def _fmt_share(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:.0%}"


def _nl(x: float, decimals: int | None = None) -> str:
    """A number with a Dutch decimal comma (``0.9`` -> ``0,9``)."""
    text = f"{float(x):.{decimals}f}" if decimals is not None else f"{x}"
    return text.replace(".", ",")


def decide(audit: pd.DataFrame, rules: Mapping[str, Any]) -> pd.DataFrame:
    """Apply the ordered decision rules; the first rule that applies decides.

    Adds: decision (keep/merge/drop/define), decision_nl, merge_into, rule,
    reason (Dutch sentence for readers), is_group_representative.
    """
    a = audit.copy()
    red = rules["redundancy"]
    reps = _representatives(a, list(red["representative_order"]))
    rep_of = pd.Series([reps.get(str(g)) if pd.notna(g) else None
                        for g in a["near_duplicate_group"]], index=a.index, dtype=object)
    is_rep = np.array([r is not None and r == k for r, k in zip(rep_of, a["kpi_id"], strict=True)],
                      dtype=bool)
    a["is_group_representative"] = is_rep
    min_share = float(rules["completeness"]["min_share"])
    min_cv = float(rules["discrimination"]["min_cv"])
    rho = rules["redundancy"]
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
    reasons, merge_into = [], []
    for i, row in a.iterrows():
        w = when[rule[i]]
        target = rep_of[i] if w == "near_duplicate_not_kept" else pd.NA
        merge_into.append(target)
        if w == "not_measurable_no_toc":
            txt = "Niet meetbaar (geen databron, geen indicator die zwt berekent) en geen verandertheorie."
        elif w == "not_measurable":
            txt = "Niet meetbaar: geen databron en geen indicator die zwt berekent; leg bron en berekening vast."
        elif w == "near_duplicate_not_kept":
            txt = (f"Bijna-duplicaat in groep {row['near_duplicate_group']} "
                   f"(|rho| >= {_nl(rho['min_abs_rho'], 2)}); gaat op in {target}.")
        elif w == "constant":
            txt = f"Constant: alle {int(row['n_values'])} aangeleverde waarden zijn gelijk; maakt geen onderscheid."
        elif w == "incomplete_not_computed":
            txt = (f"Onvolledig aangeleverd ({_fmt_share(row['completeness'])} van de cellen, "
                   f"norm {min_share:.0%}); leg aanlevering vast of laat zwt het berekenen.")
        elif w == "low_variation":
            txt = (f"Weinig variatie (variatiecoëfficiënt {_nl(row['cv'], 3)} < {_nl(min_cv)}); "
                   "onderscheidt organisaties en perioden nauwelijks.")
        elif w == "no_theory_of_change":
            txt = "Geen verandertheorie: leg vast aan welk doel deze KPI bijdraagt."
        else:
            txt = "Meetbaar, volledig genoeg, onderscheidend en met verandertheorie."
            if a.at[i, "is_group_representative"]:
                txt += f" Blijft over uit groep {row['near_duplicate_group']}."
        reasons.append(txt)
    a["decision"] = decision
    a["decision_nl"] = decision.map(DECISION_LABELS).astype("string")
    a["merge_into"] = pd.array(merge_into, dtype="string")
    merge = a["decision"] == "merge"
    a.loc[merge, "decision_nl"] = "samenvoegen met " + a.loc[merge, "merge_into"]
    a["rule"] = rule
    a["reason"] = pd.array(reasons, dtype="string")
    return a


def audit_kpis(register: pd.DataFrame, values: pd.DataFrame, known_ids: Iterable[str],
               rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Full audit: every rule per KPI plus the decision of :func:`decide`.

    Args:
        register: processed ``kpi_register``.
        values: processed ``kpi_values`` (already filtered if wanted).
        known_ids: indicator ids zwt computes (:func:`known_indicator_ids`).
        rules: parsed rules file (default: the packaged one).

    Returns:
        One row per KPI, sorted by kpi_id.
    """
    rules = rules or load_rules()
    known_ids = set(known_ids)
    reg = _register(register, values)
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


def reported_vs_computed(register: pd.DataFrame, values: pd.DataFrame,
                         indicators: pd.DataFrame, abs_tolerance: float = 0.001,
                         rel_tolerance: float = 0.01) -> pd.DataFrame:
    """Compare delivered values of KPIs that name a zwt indicator with zwt's own value.

    A cell (organisation x period) is compared when both exist; the indicator
    is taken at organisation level (team ``ALL``). The values *agree* when
    ``|reported - computed| <= abs_tolerance + rel_tolerance * |computed|``.
    KPIs in shares may be reported as percentages: when every reported value
    of a share KPI exceeds 1 while zwt's are within 0..1, reported values are
    divided by 100 first.

    Returns:
        kpi_id, indicator_id, n_compared, n_agree, share_agree,
        mean_abs_diff (in the indicator's unit); KPIs without an indicator_id
        or without common cells are left out.
    """
    reg = register.dropna(subset=["indicator_id"]).drop_duplicates("kpi_id")
    ind = indicators[indicators["team"] == "ALL"][["indicator_id", "organisation", "period",
                                                     "value"]]
    rows = []
    for _, r in reg.iterrows():
        v = values[(values["kpi_id"] == r["kpi_id"]) & values["value"].notna()]
        c = ind[ind["indicator_id"] == r["indicator_id"]]
        m = v[["organisation", "period", "value"]].merge(
            c[["organisation", "period", "value"]], on=["organisation", "period"],
            suffixes=("_reported", "_computed"))
        if m.empty:
            continue
        rep = m["value_reported"].astype(float)
        comp = m["value_computed"].astype(float)
        if (rep > 1).all() and comp.between(0, 1).all() and r.get("unit") == "share":
            rep = rep / 100
        diff = (rep - comp).abs()
        agree = diff <= abs_tolerance + rel_tolerance * comp.abs()
        rows.append((r["kpi_id"], r["indicator_id"], len(m), int(agree.sum()),
                     float(agree.mean()), float(diff.mean())))
    return pd.DataFrame(rows, columns=["kpi_id", "indicator_id", "n_compared", "n_agree",
                                       "share_agree", "mean_abs_diff"])
