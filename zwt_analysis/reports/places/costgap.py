"""The gap between collective wage rises (cao) and the municipality's indexation.

Findings 1.10 and advice 2.1 of the evaluation: wages rise faster than the budget is
indexed, so the same budget buys fewer FTE. From the optional ``cost_index`` table:

- ``gap_pp`` = cao wage rise - indexation, in percentage points, per year;
- ``purchasing_power`` = prod(1 + indexation) / prod(1 + cao) from the base year on: the
  share of the base year's FTE that the indexed budget still buys (1.0 = no loss);
- ``fte_lost`` = (1 - purchasing_power) x the budgeted FTE of the base year.

Rows with an organisation apply to that organisation; rows without one to all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL


def yearly_gap(cost_index: pd.DataFrame, organisation: str = ALL,
               base_year: int | None = None) -> pd.DataFrame:
    """Gap and cumulative purchasing power per year for ``organisation`` (or the city).

    The organisation's own rows are used where delivered, else the rows without an
    organisation. Columns: year, cao_pct, indexation_pct, gap_pp, purchasing_power. The base
    year's purchasing power is 1 (its own rise is the starting point, not yet a loss), so the
    loss accumulates from the year after it. Empty when nothing applies.
    """
    cols = ["year", "cao_pct", "indexation_pct", "gap_pp", "purchasing_power"]
    if cost_index is None or cost_index.empty:
        return pd.DataFrame(columns=cols)
    ci = cost_index.copy()
    org = ci["organisation"].astype("string") if "organisation" in ci else pd.Series(pd.NA, index=ci.index)
    general = ci[org.isna() | (org == "") | (org == ALL)]
    own = ci[org == organisation] if organisation != ALL else ci.iloc[0:0]
    rows = pd.concat([own, general[~general["year"].isin(own["year"])]])
    if rows.empty:
        return pd.DataFrame(columns=cols)
    rows = rows.sort_values("year").drop_duplicates("year")
    out = pd.DataFrame({
        "year": rows["year"].astype("int64").to_numpy(),
        "cao_pct": rows["cao_wage_increase_pct"].astype(float).to_numpy(),
        "indexation_pct": rows["municipal_indexation_pct"].astype(float).to_numpy(),
    })
    out["gap_pp"] = out["cao_pct"] - out["indexation_pct"]
    start = int(out["year"].min()) if base_year is None else int(base_year)
    out = out[out["year"] >= start].reset_index(drop=True)
    ratio = (1 + out["indexation_pct"] / 100) / (1 + out["cao_pct"] / 100)
    ratio.iloc[:1] = 1.0  # the base year is the reference
    out["purchasing_power"] = np.cumprod(ratio.to_numpy())
    return out[cols]


def fte_effect(gap: pd.DataFrame, formation: pd.DataFrame, organisation: str = ALL) -> pd.DataFrame:
    """FTE the base year's budgeted formation loses each year through the gap.

    Columns: year, budgeted_fte_base, purchasing_power, fte_lost. Empty without a gap or a
    formation for the base year.
    """
    cols = ["year", "budgeted_fte_base", "purchasing_power", "fte_lost"]
    if gap.empty or formation is None or formation.empty:
        return pd.DataFrame(columns=cols)
    base_year = int(gap["year"].iloc[0])
    f = formation if organisation == ALL else formation[formation["organisation"] == organisation]
    base = f.loc[f["year"].astype("int64") == base_year, "budgeted_fte"].astype(float).sum()
    if base <= 0:
        return pd.DataFrame(columns=cols)
    out = gap[["year", "purchasing_power"]].copy()
    out.insert(1, "budgeted_fte_base", base)
    out["fte_lost"] = (1 - out["purchasing_power"]) * base
    return out[cols]


def mean_gap(gap: pd.DataFrame) -> float:
    """Mean yearly gap in percentage points (NaN when empty): the workforce scenarios' input
    in place of an assumed figure."""
    return float(gap["gap_pp"].mean()) if not gap.empty else float("nan")
