"""Signals from practice beside the places figures: per wijk on reach, per year on the cost gap.

A signal belongs to a wijk when it names one (``area_code``) or, naming none,
comes from a team that holds wijken (``areas``: then it belongs to each of
that team's wijken). The reach figure is one year: its signals are those of
the chosen themes (``places.yaml``, ``signals.reach.themes``) from 1 January
``years_before`` years earlier up to the as-of date, of a wijk the figure
shows. The cost-gap figure shows budget years: its signals are those of its
themes dated in one of those years. Each figure numbers its own signals 1..n
in date order (:func:`zwt_analysis.signals.select`); the lists under the
figures keep the latest ``max_listed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis import signals
from zwt_analysis.signals import NONE, SHOWN

#: The figures that carry signals, as keys of ``places.yaml`` ``signals``.
FIGURES = ("reach", "cost_gap")


@dataclass
class PlaceSignals:
    """The signals of the places report.

    Attributes:
        status: as :func:`zwt_analysis.signals.table_status`, or ``SHOWN`` when a
            figure or the overview has signals.
        start: first day of the reach figure's window (None without a reach figure).
        reach: numbered signals of a wijk on the reach figure: the columns of
            :func:`zwt_analysis.signals.select`, ``area_code`` and ``wijken``
            (tuple of the figure's area codes the signal belongs to).
        cost_gap: numbered signals in the cost-gap figure's years.
        without_wijk: signals on the reach themes in the window that name no
            wijk of the figure (no area code, no team holding one of its wijken).
        overview: every signal above (and those without a wijk) per theme
            (:func:`zwt_analysis.signals.by_theme`).
        max_listed: at most this many signals in a list under a figure (the latest).
    """

    status: str
    start: date | None = None
    reach: pd.DataFrame = field(default_factory=pd.DataFrame)
    cost_gap: pd.DataFrame = field(default_factory=pd.DataFrame)
    without_wijk: int = 0
    overview: pd.DataFrame = field(default_factory=pd.DataFrame)
    max_listed: int = 15

    def listed(self, figure: str) -> pd.DataFrame:
        """The latest ``max_listed`` signals of ``figure`` (``reach`` or ``cost_gap``)."""
        return signals.latest(getattr(self, figure), self.max_listed)


def themes_of(settings: dict[str, Any], figure: str) -> list[str]:
    """The themes drawn on ``figure`` (``places.yaml``: ``signals.<figure>.themes``)."""
    return [str(t) for t in ((settings.get(figure) or {}).get("themes") or [])]


def touches(settings: dict[str, Any]) -> dict[str, list[str]]:
    """Theme -> the figures its signals are drawn beside (``signals.<figure>.touches``)."""
    out: dict[str, list[str]] = {}
    for fig in FIGURES:
        label = str((settings.get(fig) or {}).get("touches") or fig)
        for theme in themes_of(settings, fig):
            out.setdefault(theme.strip().lower(), []).append(label)
    return out


def wijken_of(sig: pd.DataFrame, areas: pd.DataFrame, shown: Sequence[str]) -> pd.Series:
    """Per signal, the wijken of ``shown`` (area codes, in that order) it belongs to.

    A signal naming an area code belongs to that wijk only (none when it is not
    shown); one without, to the shown wijken its team holds within its
    organisation; one without team either, to none.
    """
    order = {str(a): i for i, a in enumerate(shown)}
    held: dict[tuple[str, str], list[str]] = {}
    for org, team, code in zip(areas["organisation"], areas["team"], areas["area_code"],
                               strict=True):
        if pd.notna(team) and str(code) in order:
            held.setdefault((str(org), str(team)), []).append(str(code))
    out = []
    for code, org, team in zip(sig["area_code"], sig["organisation"], sig["team"], strict=True):
        if pd.notna(code) and str(code).strip():
            out.append((str(code),) if str(code) in order else ())
        elif pd.notna(team):
            out.append(tuple(sorted(held.get((str(org), str(team)), []), key=order.get)))
        else:
            out.append(())
    return pd.Series(out, index=sig.index, dtype=object)


def _renumber(sig: pd.DataFrame) -> pd.DataFrame:
    out = sig.reset_index(drop=True)
    out["nr"] = np.arange(1, len(out) + 1)
    return out


def reach_signals(table: pd.DataFrame | None, areas: pd.DataFrame, organisation: str,
                  themes: Sequence[str], shown: Sequence[str], start: date, end: date
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(signals of a wijk in ``shown``, numbered; those of no shown wijk) from ``start`` to ``end``.

    Dates are inclusive; ``organisation`` ``ALL`` keeps every organisation.
    """
    picked = signals.select(_between(table, start, end), organisation, themes,
                            keep=["area_code"])
    picked["wijken"] = wijken_of(picked, areas, shown) if len(picked) else pd.Series(dtype=object)
    on = picked["wijken"].map(len) > 0
    return _renumber(picked[on]), picked[~on].reset_index(drop=True)


def year_signals(table: pd.DataFrame | None, organisation: str, themes: Sequence[str],
                 years: Sequence[int]) -> pd.DataFrame:
    """Signals on ``themes`` dated in one of ``years``, numbered in date order."""
    if table is None or table.empty or not len(years):
        return signals.select(None, organisation, themes)
    d = pd.to_datetime(table["date"])
    return signals.select(table[d.dt.year.isin([int(y) for y in years])], organisation, themes)


def _between(table: pd.DataFrame | None, start: date, end: date) -> pd.DataFrame | None:
    if table is None or table.empty:
        return table
    d = pd.to_datetime(table["date"])
    return table[(d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))]


def place_signals(table: pd.DataFrame | None, delivered: bool, areas: pd.DataFrame,
                  organisation: str, settings: dict[str, Any], reach_year: int | None,
                  shown: Sequence[str], gap_years: Sequence[int], as_of: date) -> PlaceSignals:
    """Everything the places report shows of the signals.

    Args:
        table: the processed ``signals`` (None or empty: none delivered).
        delivered: whether a ``signals`` table was delivered at all.
        areas: the ``areas`` table (which team holds which wijk).
        organisation: the report's organisation (``ALL``: the city).
        settings: ``places.yaml`` ``signals``.
        reach_year: the reach figure's year (None: no reach figure).
        shown: area codes of the wijken on the reach figure.
        gap_years: the cost-gap figure's years (empty: no figure).
        as_of: the reference date (the end of the reach window).
    """
    s = PlaceSignals(signals.table_status(table, delivered),
                     max_listed=int(settings.get("max_listed", 15)))
    if s.status != NONE:
        return s
    loose = pd.DataFrame()
    if reach_year is not None and len(shown):
        s.start = date(reach_year - int(settings.get("years_before", 0)), 1, 1)
        s.reach, loose = reach_signals(table, areas, organisation, themes_of(settings, "reach"),
                                       shown, s.start, as_of)
    s.without_wijk = len(loose)
    s.cost_gap = year_signals(table, organisation, themes_of(settings, "cost_gap"), gap_years)
    parts = [p for p in (s.reach, loose, s.cost_gap) if len(p)]
    if parts:
        every = pd.concat([p[signals.SIGNAL_COLUMNS] for p in parts], ignore_index=True)
        every = every.drop_duplicates(["date", "organisation", "team", "text"])
        s.overview = signals.by_theme(every, touches(settings))
        s.status = SHOWN
    return s
