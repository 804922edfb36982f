"""Funding indicator: share of incidental money (``budgets``)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..contract import ALL
from ._common import ORG_LEVELS, aggregate_levels, finish, ts

#: Columns of ``budgets`` the indicator reads.
SOURCE_COLUMNS = {"budgets": ("organisation", "year", "funding_type", "amount_eur")}


def incidental_funding_share(
    budgets: pd.DataFrame, as_of: date, with_persons: bool = False
) -> pd.DataFrame:
    """``incidental_funding_share``: ``amount_eur`` of incidental lines / all ``amount_eur``.

    Per organisation and budget ``year``, and for the city (sum over the
    organisations). Only years whose 1 January is on or before as-of (a
    budget for a year that has not begun is a plan, not a period of the
    monitor); the current year is included. A year whose amounts sum to 0
    gives no row. No persons stand behind money: ``persons`` is missing, so
    the publication rule never suppresses this indicator.
    """
    day = ts(as_of)
    b = budgets.loc[budgets["year"].notna()]
    b = b.loc[(b["year"].astype("int64") <= day.year).to_numpy()]
    if b.empty:
        return finish(None, "incidental_funding_share", with_persons)
    amount = b["amount_eur"].astype("float64").fillna(0.0)
    rows = pd.DataFrame(
        {
            "period": b["year"].astype("int64").astype(str).to_numpy(),
            "organisation": b["organisation"].astype("string").to_numpy(),
            "team": ALL,
            "num": amount.where((b["funding_type"] == "incidental").fillna(False), 0.0).to_numpy(),
            "den": amount.to_numpy(),
        }
    )
    agg = aggregate_levels(rows, {"numerator": "num", "denominator": "den"}, ORG_LEVELS)
    return finish(agg, "incidental_funding_share", with_persons)
