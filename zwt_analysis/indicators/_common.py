"""Shared names of the indicator table: its columns, levels, empty form and order."""

from __future__ import annotations

import pandas as pd

from ..contract import INDICATOR_COLUMNS

#: Internal column holding the number of distinct persons behind a row.
PERSONS = "persons"
#: Columns of the internal indicator table (contract columns + persons).
INTERNAL_COLUMNS: tuple[str, ...] = (*INDICATOR_COLUMNS, PERSONS)

LEVEL_TEAM = "team"
LEVEL_ORGANISATION = "organisation"
LEVEL_CITY = "city"
ALL_LEVELS: tuple[str, ...] = (LEVEL_TEAM, LEVEL_ORGANISATION, LEVEL_CITY)
ORG_LEVELS: tuple[str, ...] = (LEVEL_ORGANISATION, LEVEL_CITY)

#: Columns the observation start reads (see :func:`.engine.observation_start`).
OBSERVATION_COLUMNS: dict[str, tuple[str, ...]] = {"cases": ("date_report",), "time_registrations": ("date",)}


def empty_result(with_persons: bool = True) -> pd.DataFrame:
    """An empty indicator table with the right columns and dtypes."""
    cols = INTERNAL_COLUMNS if with_persons else INDICATOR_COLUMNS
    dtypes = {
        "indicator_id": "string",
        "period": "string",
        "organisation": "string",
        "team": "string",
        "numerator": "float64",
        "denominator": "float64",
        "value": "float64",
        PERSONS: "Int64",
    }
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in cols})


def sort_table(df: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by indicator_id, period, organisation, team (stable), index 0..n-1."""
    return df.sort_values(["indicator_id", "period", "organisation", "team"], kind="mergesort").reset_index(
        drop=True
    )
