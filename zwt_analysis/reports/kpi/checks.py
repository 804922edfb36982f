"""The audit rules that judge one KPI at a time, and the check of delivered values.

Pure functions over ``kpi_register`` and ``kpi_values`` (processed tables,
data contract section 1); :func:`zwt_analysis.reports.kpi.audit.audit_kpis`
combines them. A *cell* is one organisation x period; a cell is *delivered*
when it carries a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL


def _text(s: pd.Series) -> pd.Series:
    """Trimmed text with empty strings as missing."""
    out = s.astype("string").str.strip()
    return out.mask(out == "")


def register_entries(register: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
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


# ------------------------------------------------------------------------ verification


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
    ind = indicators[indicators["team"] == ALL][["indicator_id", "organisation", "period",
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
