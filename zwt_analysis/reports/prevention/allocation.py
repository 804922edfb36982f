"""Time allocation: hours shares of the six activities with person-clustered intervals.

Hours are not independent Bernoulli trials (one person's hours move
together), so a binomial interval with the hours as trials is far too
narrow. :func:`clustered_share` gives the Korn-Graubard interval of
:func:`zwt_analysis.methods.intervals.korn_graubard_share`: the variance of
the ratio clustered by person, a Clopper-Pearson interval at the effective
sample size, corrected for the few degrees of freedom of a small team (see
``docs/prevention.md`` and ``docs/validation.md``). The hours share of an
activity is not a contract indicator; ``preventive_share`` itself comes from
the indicator table (:mod:`zwt_analysis.reports.prevention.shares`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from zwt_analysis.contract import ACTIVITIES, ALL
from zwt_analysis.methods.intervals import korn_graubard_table
from zwt_analysis.periods import quarter_labels
from zwt_analysis.reports.prevention.common import CELL, empty_frame, pact_teams


def clustered_share(
    units: pd.DataFrame,
    keys: Sequence[str],
    numerator: str,
    total: str,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Share ``sum(numerator) / sum(total)`` per cell with its Korn-Graubard interval.

    ``units`` holds one row per cluster unit (normally one person) within a
    cell: ``a_i`` = ``numerator``, ``t_i`` = ``total`` (e.g. hours). The
    interval is :func:`~zwt_analysis.methods.intervals.korn_graubard_share`
    over the units with ``t_i > 0``. Edge cases (from that function): one
    unit gives the interval 0..1 (nothing is known of the spread between
    persons) and ``n_eff`` NaN; a share of 0 or 1, or zero variance between
    persons, takes one trial per person. Cells with ``T == 0`` are left out.

    Args:
        units: frame with ``keys``, ``numerator`` and ``total`` columns.
        keys: the cell columns.
        numerator: column of the numerator per unit (>= 0, hours).
        total: column of the denominator per unit (>= numerator, hours).
        alpha: 1 - confidence level.

    Returns:
        ``keys`` + ``numerator`` (sum), ``denominator`` (sum), ``share``,
        ``persons`` (units with ``total > 0``), ``n_eff`` (person-equivalents
        of independent trials), ``ci_low``, ``ci_high``; sorted by ``keys``.
    """
    keys = list(keys)
    cols = [*keys, "numerator", "denominator", "share", "persons", "n_eff", "ci_low", "ci_high"]
    u = units.loc[units[total] > 0, [*keys, numerator, total]]
    if u.empty:
        out = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
        for k in keys:
            out[k] = out[k].astype(units[k].dtype if k in units else "string")
        out["persons"] = out["persons"].astype("int64")
        return out
    sums = (u.groupby(keys, sort=True, dropna=False)[[numerator, total]].sum().reset_index()
            .rename(columns={numerator: "numerator", total: "denominator"}))
    kg = korn_graubard_table(u, keys, numerator, total, alpha=alpha)
    out = sums.merge(kg[[*keys, "share", "persons", "n_eff", "ci_low", "ci_high"]], on=keys,
                     how="left")
    out["persons"] = out["persons"].astype("int64")
    return out[cols].reset_index(drop=True)


def unit_hours(time_registrations: pd.DataFrame, cluster: str) -> pd.DataFrame:
    """Hours per organisation, team, quarter, person and activity (wide, 0-filled)."""
    tr = time_registrations
    base = pd.DataFrame(
        {
            "organisation": tr["organisation"].astype("category"),
            "team": tr["team"].astype("category"),
            "period": quarter_labels(tr["date"]).astype("category"),
            "unit": tr[cluster].astype("category"),
            "activity": pd.Categorical(tr["activity"].astype(object), categories=list(ACTIVITIES)),
            "hours": tr["hours"].astype("float64"),
        }
    )
    sums = base.groupby(["organisation", "team", "period", "unit", "activity"], observed=True,
                        sort=False)["hours"].sum()
    wide = sums.unstack("activity", fill_value=0.0)
    wide = wide.reindex(columns=list(ACTIVITIES), fill_value=0.0)
    wide.columns = list(ACTIVITIES)
    wide = wide.reset_index()
    for c in ("organisation", "team", "period", "unit"):
        wide[c] = wide[c].astype("string")
    return wide.sort_values(["organisation", "team", "period", "unit"]).reset_index(drop=True)


def levels(units: pd.DataFrame) -> pd.DataFrame:
    """Unit hours (output of :func:`unit_hours`) at team, organisation (team ALL) and city (both ALL) level."""
    value_cols = [c for c in units.columns if c not in (*CELL, "unit")]
    org = units.groupby(["organisation", "period", "unit"], as_index=False)[value_cols].sum()
    org["team"] = ALL
    city = units.groupby(["period", "unit"], as_index=False)[value_cols].sum()
    city["organisation"] = ALL
    city["team"] = ALL
    out = pd.concat([units, org, city], ignore_index=True)
    for c in ("organisation", "team", "period", "unit"):
        out[c] = out[c].astype("string")
    return out


def time_allocation(
    time_registrations: pd.DataFrame,
    areas: pd.DataFrame | None = None,
    cluster: str = "employee_id",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Hours shares of all six activities per team, organisation and city per quarter.

    The share of an activity is its hours / all registered hours in the cell
    (team-quarter; organisation-quarter with ``team = ALL``; city-quarter with
    both ``ALL``). Intervals: :func:`clustered_share` (Korn-Graubard) clustered by
    ``cluster`` (a person who worked in two teams is one unit at organisation level).

    Args:
        time_registrations: processed ``time_registrations``.
        areas: processed ``areas`` (for the PACT flag); may be empty or None.
        cluster: column identifying the cluster unit (default ``employee_id``).
        alpha: 1 - confidence level.

    Returns:
        Long frame ``organisation, team, period, activity, hours, total_hours,
        share, ci_low, ci_high, persons, n_eff, pact`` (``pact`` is true for
        a team holding a PACT wijk, false for other teams, ``<NA>`` at
        aggregate levels). A quarter without hours has no rows; an empty input
        gives an empty frame with these columns.
    """
    cols = ["organisation", "team", "period", "activity", "hours", "total_hours", "share",
            "ci_low", "ci_high", "persons", "n_eff", "pact"]
    tr = time_registrations.loc[time_registrations["hours"].fillna(0) > 0]
    if tr.empty:
        return empty_frame(cols, strings=("organisation", "team", "period", "activity"),
                           ints=("persons",), bools=("pact",))
    units = levels(unit_hours(tr, cluster))
    units["total"] = units[list(ACTIVITIES)].sum(axis=1)
    out = clustered_share(_by_activity(units, CELL), [*CELL, "activity"], "a", "total",
                          alpha=alpha).rename(columns={"numerator": "hours",
                                                       "denominator": "total_hours"})
    out["pact"] = pact_column(out, areas)
    order = {a: i for i, a in enumerate(ACTIVITIES)}
    out = out.assign(_o=out["activity"].map(order)).sort_values([*CELL, "_o"])
    return out[cols].reset_index(drop=True)


def _by_activity(units: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Wide unit hours to long: one row per cell, unit and activity (``a`` = its hours).

    One long frame lets :func:`clustered_share` treat all six activities in a
    single grouping instead of six.
    """
    long = units.melt(id_vars=[*keys, "unit", "total"], value_vars=list(ACTIVITIES),
                      var_name="activity", value_name="a")
    long["activity"] = long["activity"].astype("string")
    return long


def pact_column(df: pd.DataFrame, areas: pd.DataFrame | None) -> pd.Series:
    """PACT flag per row of ``df``: true/false on team rows, ``<NA>`` at aggregate levels.

    Without ``areas`` (None or empty) every row gets ``<NA>``.
    """
    teams = pact_teams(areas) if areas is not None else set()
    is_team = df["team"] != ALL
    flag = df["team"].isin(list(teams)) if teams else pd.Series(False, index=df.index)
    flag = flag.astype("boolean")
    if areas is None or areas.empty:
        return pd.Series(pd.NA, index=df.index, dtype="boolean")
    return flag.where(is_team, pd.NA).astype("boolean")


def pact_comparison(
    time_registrations: pd.DataFrame,
    areas: pd.DataFrame,
    periods: Sequence[str],
    cluster: str = "employee_id",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Hours shares of the six activities in PACT teams versus the other teams.

    Hours of the given quarters are pooled per group (PACT = teams holding a
    PACT wijk, see :func:`pact_teams`); Korn-Graubard intervals by
    :func:`clustered_share` with persons as clusters.

    Args:
        time_registrations: processed ``time_registrations``.
        areas: processed ``areas``.
        periods: quarters (``YYYY-Qn``) to pool.
        cluster: cluster unit column.
        alpha: 1 - confidence level.

    Returns:
        ``group`` (``"PACT"`` / ``"overig"``), ``activity, hours, total_hours,
        share, ci_low, ci_high, persons``; empty when no hours fall in ``periods``.
    """
    cols = ["group", "activity", "hours", "total_hours", "share", "ci_low", "ci_high", "persons"]
    tr = time_registrations.loc[time_registrations["hours"].fillna(0) > 0]
    tr = tr.loc[quarter_labels(tr["date"]).isin(list(periods)).fillna(False).to_numpy()]
    if tr.empty:
        return empty_frame(cols, strings=("group", "activity"), ints=("persons",))
    units = unit_hours(tr, cluster)
    teams = pact_teams(areas)
    units["group"] = np.where(units["team"].isin(list(teams)), "PACT", "overig")
    units = units.groupby(["group", "unit"], as_index=False)[list(ACTIVITIES)].sum()
    units["total"] = units[list(ACTIVITIES)].sum(axis=1)
    out = clustered_share(_by_activity(units, ["group"]), ["group", "activity"], "a", "total",
                          alpha=alpha).rename(columns={"numerator": "hours",
                                                       "denominator": "total_hours"})
    out["group"] = out["group"].astype("string")
    out["activity"] = out["activity"].astype("string")
    out["persons"] = out["persons"].astype("Int64")
    order = {a: i for i, a in enumerate(ACTIVITIES)}
    out = out.assign(_o=out["activity"].map(order)).sort_values(["_o", "group"])
    return out[cols].reset_index(drop=True)
