"""Funding indicator: share of incidental money (``budgets``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from . import engine
from .engine import ORG_LABELS_SQL, ORG_LEVELS_SQL

#: Columns of ``budgets`` the indicator reads.
SOURCE_COLUMNS = {"budgets": ("organisation", "year", "funding_type", "amount_eur")}


def incidental_funding_share_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`incidental_funding_share` (no persons stand behind money: NULL)."""
    return f"""
    SELECT 'incidental_funding_share' AS indicator_id, period, {ORG_LABELS_SQL},
           fsum(CASE WHEN funding_type = 'incidental' THEN amount ELSE 0 END) AS numerator,
           fsum(amount) AS denominator,
           CAST(NULL AS BIGINT) AS persons
    FROM (SELECT CAST(year AS VARCHAR) AS period, organisation, funding_type,
                 coalesce(amount_eur, 0) AS amount
          FROM budgets WHERE year IS NOT NULL AND year <= year(getvariable('as_of')))
    GROUP BY {ORG_LEVELS_SQL}
    """


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
    return engine.run(incidental_funding_share_sql({}, with_persons), {"budgets": budgets}, as_of,
                      with_persons, since=None)
