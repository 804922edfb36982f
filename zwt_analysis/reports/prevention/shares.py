"""The ``preventive_share`` indicator with intervals, and the floor (ondergrens).

Value, numerator and denominator come from the long indicator table (the
single definition in :mod:`zwt_analysis.indicators`); this module adds person
counts, the clustered interval of
:func:`~zwt_analysis.reports.prevention.allocation.clustered_share` and the
team-quarters below the floor.
"""

from __future__ import annotations

import pandas as pd

from zwt_analysis.contract import ACTIVITIES, ALL, PREVENTIVE_ACTIVITIES
from zwt_analysis.reports.prevention.allocation import (
    clustered_share,
    levels,
    pact_column,
    unit_hours,
)
from zwt_analysis.reports.prevention.common import CELL, SHARE_ACTIVITIES, empty_frame

#: Columns of the published list of team-quarters below the floor.
BELOW_COLUMNS: list[str] = ["organisation", "team", "period", "preventive_share", "ci_low",
                            "ci_high", "gap", "clearly_below", "persons", "pact"]


def preventive_share_table(
    indicators: pd.DataFrame,
    time_registrations: pd.DataFrame,
    areas: pd.DataFrame | None = None,
    cluster: str = "employee_id",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The ``preventive_share`` indicator per cell with persons and a clustered interval.

    Value, numerator and denominator are those of the indicator table (the
    single definition in :mod:`zwt_analysis.indicators`); this adds the
    Korn-Graubard interval of :func:`clustered_share` (persons with
    preventive or statutory hours as clusters) and ``persons``: everyone
    registering hours in the cell, the same count as in
    :func:`~zwt_analysis.reports.prevention.allocation.time_allocation` (the
    disclosure rules treat both tables' person counts as one cell).

    Args:
        indicators: long indicator table (contract section 4).
        time_registrations: processed ``time_registrations``.
        areas: processed ``areas`` for the PACT flag (optional).
        cluster: cluster unit column for the interval.
        alpha: 1 - confidence level.

    Returns:
        ``organisation, team, period, preventive_hours, hours, preventive_share,
        ci_low, ci_high, persons, pact`` at every level present in
        ``indicators`` (quarters only).
    """
    cols = ["organisation", "team", "period", "preventive_hours", "hours", "preventive_share",
            "ci_low", "ci_high", "persons", "pact"]
    ind = indicators.loc[indicators["indicator_id"] == "preventive_share"]
    if ind.empty:
        return empty_frame(cols, strings=("organisation", "team", "period"), ints=("persons",),
                           bools=("pact",))
    tr = time_registrations.loc[time_registrations["hours"].fillna(0) > 0]
    base = ind[CELL].astype("string").assign(
        preventive_hours=ind["numerator"].astype("float64").to_numpy(),
        hours=ind["denominator"].astype("float64").to_numpy(),
        preventive_share=ind["value"].astype("float64").to_numpy(),
    )
    if tr.empty:
        ci = empty_frame([*CELL, "ci_low", "ci_high", "persons"], strings=CELL, ints=("persons",))
    else:
        units = levels(unit_hours(tr, cluster))
        units["prev"] = units[list(PREVENTIVE_ACTIVITIES)].sum(axis=1)
        units["share_total"] = units[list(SHARE_ACTIVITIES)].sum(axis=1)
        units["all_hours"] = units[list(ACTIVITIES)].sum(axis=1)
        kg = clustered_share(units, CELL, "prev", "share_total", alpha=alpha)[
            [*CELL, "ci_low", "ci_high"]]
        persons = (units.loc[units["all_hours"] > 0].groupby(CELL, as_index=False).size()
                   .rename(columns={"size": "persons"}))
        ci = persons.merge(kg, on=CELL, how="left")
    out = base.merge(ci, on=CELL, how="left")
    out["persons"] = out["persons"].astype("Int64")
    out["pact"] = pact_column(out, areas)
    return out[cols].sort_values(CELL).reset_index(drop=True)


def below_floor(share_table: pd.DataFrame, floor: float, team_level: bool = True) -> pd.DataFrame:
    """Team-quarters (or any cells) whose preventive share lies below the floor.

    Args:
        share_table: output of :func:`preventive_share_table`.
        floor: the ondergrens, a fraction 0..1; a share equal to it is not below.
        team_level: keep team rows only (``team != ALL``).

    Returns:
        The rows with ``preventive_share < floor``, plus ``gap`` (floor - share,
        in fraction points) and ``clearly_below`` (the whole interval lies
        below the floor), sorted by organisation, team, period. Empty input
        gives an empty frame with these columns.

    Raises:
        ValueError: when ``floor`` is outside 0..1.
    """
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"floor must lie in 0..1, got {floor}")
    df = share_table
    if team_level:
        df = df.loc[df["team"] != ALL]
    out = df.loc[df["preventive_share"] < floor].copy()
    out["gap"] = floor - out["preventive_share"]
    out["clearly_below"] = (out["ci_high"] < floor).astype("boolean")
    return out.sort_values(CELL).reset_index(drop=True)


def floor_summary(share_table: pd.DataFrame, floor: float) -> pd.DataFrame:
    """Per team: quarters with data, quarters below the floor, and the latest quarter.

    Args:
        share_table: output of :func:`preventive_share_table` (team rows used).
        floor: the ondergrens (fraction 0..1).

    Returns:
        ``organisation, team, quarters, quarters_below, share_below, last_period,
        last_share`` per team (empty frame when there are no team rows).
    """
    t = share_table.loc[share_table["team"] != ALL]
    cols = ["organisation", "team", "quarters", "quarters_below", "share_below", "last_period",
            "last_share"]
    if t.empty:
        return empty_frame(cols, strings=("organisation", "team", "last_period"),
                           ints=("quarters", "quarters_below"))
    t = t.sort_values(CELL).assign(below=lambda d: d["preventive_share"] < floor)
    g = t.groupby(["organisation", "team"], sort=True)
    out = g.agg(quarters=("period", "size"), quarters_below=("below", "sum"),
                last_period=("period", "last"), last_share=("preventive_share", "last")).reset_index()
    out["quarters"] = out["quarters"].astype("Int64")
    out["quarters_below"] = out["quarters_below"].astype("Int64")
    out["share_below"] = out["quarters_below"].astype("float64") / out["quarters"].astype("float64")
    return out[cols]
