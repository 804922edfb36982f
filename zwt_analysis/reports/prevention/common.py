"""Settings and small shared pieces of the prevention wing (no presentation).

The settings live in ``resources/prevention.yaml``; :func:`load_settings` reads
them (a municipality may pass its own copy). The helpers here are shared by
the wing's compute modules: typed empty frames, the PACT teams, the rows of
one organisation and the rows of one indicator from the long indicator table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from zwt_analysis import config
from zwt_analysis.contract import ALL, PREVENTIVE_ACTIVITIES

SETTINGS_FILE = "prevention.yaml"

#: Activities in the numerator and denominator of ``preventive_share``.
SHARE_ACTIVITIES: tuple[str, ...] = (*PREVENTIVE_ACTIVITIES, "statutory_individual")

#: The cell of every table: organisation, team (``ALL`` = all teams), quarter.
CELL: list[str] = ["organisation", "team", "period"]


def load_settings(path: str | Path | None = None) -> dict[str, Any]:
    """Settings of the prevention report (``resources/prevention.yaml``).

    Args:
        path: a YAML file overriding the packaged one; keys it lacks keep the
            packaged default (the ``model`` and ``signals`` blocks are merged
            key by key).

    Returns:
        Dict with ``ondergrens`` (float, fraction 0..1), ``alpha``,
        ``allocation_cluster``, ``model`` and ``signals`` (dicts).

    Raises:
        ValueError: when ``ondergrens`` is not within 0..1.
    """
    settings = config.load_yaml(config.resource(SETTINGS_FILE))
    if path:
        own = config.load_yaml(path) or {}
        blocks = {k: {**settings.get(k, {}), **(own.get(k) or {})} for k in ("model", "signals")}
        settings = {**settings, **own, **blocks}
    floor = float(settings["ondergrens"])
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"ondergrens must lie in 0..1, got {floor}")
    settings["ondergrens"] = floor
    return settings


def empty_frame(cols: Sequence[str], strings: Sequence[str] = (), ints: Sequence[str] = (),
                bools: Sequence[str] = ()) -> pd.DataFrame:
    """An empty frame with ``cols``: text as string, counts as Int64, flags as boolean, else float."""
    dtype = {c: "string" for c in strings} | {c: "Int64" for c in ints} | {c: "boolean" for c in bools}
    return pd.DataFrame({c: pd.Series(dtype=dtype.get(c, "float64")) for c in cols})


def pact_teams(areas: pd.DataFrame) -> set[str]:
    """Teams holding at least one PACT wijk (``areas.pact`` true)."""
    if areas.empty or "pact" not in areas:
        return set()
    mask = areas["pact"].fillna(False).astype(bool)
    return set(areas.loc[mask, "team"].astype(str))


def filter_organisation(df: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """Rows of one organisation; ``"ALL"`` keeps every row (a new frame)."""
    if organisation == ALL or "organisation" not in df:
        return df.copy()
    return df.loc[df["organisation"] == organisation].copy()


def indicator_rows(indicators: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Rows of one indicator from the long table, typed (text as string, numbers as float).

    Columns: organisation, team, period, numerator, denominator, value; index reset.
    An indicator without rows gives an empty frame with these columns.
    """
    rows = indicators.loc[indicators["indicator_id"] == indicator_id]
    return pd.DataFrame(
        {
            "organisation": rows["organisation"].astype("string"),
            "team": rows["team"].astype("string"),
            "period": rows["period"].astype("string"),
            "numerator": rows["numerator"].astype("float64"),
            "denominator": rows["denominator"].astype("float64"),
            "value": rows["value"].astype("float64"),
        }
    ).reset_index(drop=True)
