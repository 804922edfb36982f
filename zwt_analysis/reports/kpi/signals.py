"""Signals from practice: numbered in date order and tied to the panels they concern."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def signals_for(signals: pd.DataFrame, organisations: Iterable[str],
                start: pd.Timestamp | None = None) -> pd.DataFrame:
    """Signals of ``organisations`` (from ``start`` on), numbered in date order.

    Returns:
        nr (1..n), date, organisation, team, theme, kpi_id, text.
    """
    s = signals[signals["organisation"].isin(list(organisations))]
    if start is not None:
        s = s[s["date"] >= start]
    s = s.sort_values(["date", "organisation"], kind="stable", ignore_index=True)
    cols = ["date", "organisation", "team", "theme", "kpi_id", "text"]
    out = s[[c for c in cols if c in s]].copy()
    out.insert(0, "nr", np.arange(1, len(out) + 1))
    return out


def signal_panels(sig: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Which panel each signal belongs to: its KPI, and that KPI's zwt indicator.

    Returns:
        nr, date, organisation, panel: one row per (signal, panel); signals
        without kpi_id are left out (they appear on the timeline only).
    """
    s = sig.dropna(subset=["kpi_id"])[["nr", "date", "organisation", "kpi_id"]]
    ind = register.drop_duplicates("kpi_id").set_index("kpi_id")["indicator_id"].dropna()
    via = s.assign(panel=s["kpi_id"].map(ind)).dropna(subset=["panel"])
    out = pd.concat([s.assign(panel=s["kpi_id"]), via], ignore_index=True)
    return out.drop(columns="kpi_id").astype({"panel": str})
