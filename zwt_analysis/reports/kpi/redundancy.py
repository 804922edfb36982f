"""Redundancy in the KPI register: rank correlations and near-duplicate groups.

Two KPIs are near-duplicates when they order the organisation x period cells
almost alike (Spearman rho); a group is a connected component of such pairs,
and one member per group stays (:func:`representatives`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


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


def representatives(audit: pd.DataFrame, order: list[str]) -> dict[str, str]:
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
