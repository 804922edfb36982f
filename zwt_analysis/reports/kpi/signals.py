"""Signals from practice: numbered in date order, tied to the series they touch, by theme.

A signal *touches* the KPI it names (``kpi_id``), that KPI's zwt indicator, the
indicators its theme is linked to in ``kpi_rules.yaml`` (``signals.themes``)
and every KPI that names one of those indicators. It is drawn on the panels of
what it touches (:func:`signal_panels`) and counted per theme in the overview
(:func:`signal_overview`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL

#: Theme of a signal without one, in the overview.
NO_THEME = "(geen thema)"


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


def _kpi_indicators(register: pd.DataFrame) -> dict[str, str]:
    reg = register.dropna(subset=["indicator_id"]).drop_duplicates("kpi_id")
    return dict(zip(reg["kpi_id"].astype(str), reg["indicator_id"].astype(str), strict=True))


def touched(kpi_id: object, theme: object, register: pd.DataFrame,
            themes: Mapping[str, Sequence[str]]) -> tuple[list[str], list[str]]:
    """(indicators, KPIs) one signal touches, each sorted.

    Indicators: the indicator of its KPI and those of its theme (matched without
    regard to case and surrounding spaces). KPIs: its own and every KPI that
    names one of those indicators.
    """
    by_kpi = _kpi_indicators(register)
    inds: set[str] = set()
    kpis: set[str] = set()
    if isinstance(kpi_id, str) and kpi_id.strip():
        kpis.add(kpi_id)
        if kpi_id in by_kpi:
            inds.add(by_kpi[kpi_id])
    if isinstance(theme, str):
        lower = {str(k).strip().lower(): v for k, v in themes.items()}
        inds |= {str(i) for i in lower.get(theme.strip().lower(), []) or []}
    kpis |= {k for k, i in by_kpi.items() if i in inds}
    return sorted(inds), sorted(kpis)


def signal_panels(sig: pd.DataFrame, register: pd.DataFrame,
                  themes: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Which panels each signal is drawn on: every KPI and indicator it touches.

    Returns:
        nr, date, organisation, text, panel: one row per (signal, panel); a
        signal that touches nothing has no row (it is counted in the overview).
    """
    rows = []
    for _, s in sig.iterrows():
        inds, kpis = touched(s.get("kpi_id"), s.get("theme"), register, themes or {})
        rows += [(s["nr"], s["date"], s["organisation"], s.get("text", ""), p)
                 for p in [*kpis, *inds]]
    return pd.DataFrame(rows, columns=["nr", "date", "organisation", "text", "panel"]).astype(
        {"panel": str})


def signal_overview(sig: pd.DataFrame, register: pd.DataFrame,
                    themes: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Signals per theme: how many, from whom, when, what they touch, the latest one.

    Returns:
        One row per theme, most signals first (ties by theme): theme, n,
        by_organisation (``{organisation: n}``), first, last (dates),
        indicators (touched, see :func:`touched`) and kpis (named by the
        signals themselves), both sorted lists, latest_text (the text of the
        most recent signal). Empty when there are no signals.
    """
    cols = ["theme", "n", "by_organisation", "first", "last", "indicators", "kpis",
            "latest_text"]
    if sig.empty:
        return pd.DataFrame(columns=cols)
    theme = sig["theme"].astype("string").str.strip() if "theme" in sig else \
        pd.Series(pd.NA, index=sig.index, dtype="string")
    s = sig.assign(_theme=theme.mask(theme == "").fillna(NO_THEME))
    rows = []
    for name, g in s.groupby("_theme", sort=True):
        inds: set[str] = set()
        for _, r in g.iterrows():
            inds |= set(touched(r.get("kpi_id"), r.get("theme"), register, themes or {})[0])
        named = g["kpi_id"].dropna().astype(str) if "kpi_id" in g else pd.Series(dtype=str)
        kpis = {k for k in named if k.strip()}
        g = g.sort_values(["date", "nr"])
        rows.append({"theme": name, "n": len(g),
                     "by_organisation": g["organisation"].value_counts().sort_index().to_dict(),
                     "first": g["date"].min(), "last": g["date"].max(),
                     "indicators": sorted(inds), "kpis": sorted(kpis),
                     "latest_text": str(g["text"].iloc[-1]) if "text" in g else ""})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n", "theme"], ascending=[False, True], ignore_index=True)


def labelled_signals(signals: pd.DataFrame, panel: str, organisations: Iterable[str],
                     max_labels: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(all signals on ``panel``, the most recent ``max_labels`` of them).

    Only signals of ``organisations`` count, unless the panel includes the city
    (``ALL``): then every organisation's signals do.
    """
    orgs = set(organisations)
    mine = signals[(signals["panel"] == str(panel))
                   & (signals["organisation"].isin(orgs) | (ALL in orgs))]
    mine = mine.sort_values(["date", "nr"])
    return mine, mine.tail(max(max_labels, 0))
