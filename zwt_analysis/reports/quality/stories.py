"""Signals from practice about registration beside the delivery numbers (Dutch in ``tables``).

A signal explains a registration problem when its theme is one of the chosen
themes or its text holds one of the chosen words (``quality.yaml``,
``signals``; e.g. theme ``registratie``, word ``registr``). They are drawn as
numbered marks on the figure of clean rows per quarter, within the quarters it
shows (:func:`figure_quarters`), and listed under it: the latest
``shown_rows``, the rest in the CSV side table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from zwt_analysis import signals
from zwt_analysis.reports.quality.settings import QualitySettings


@dataclass
class RegistrationSignals:
    """The signals of the data-quality report.

    Attributes:
        status: as :func:`zwt_analysis.signals.table_status`, or ``SHOWN`` when
            some signal is selected.
        quarters: the quarters of the rows-per-quarter figure (empty: no figure;
            then signals of every date are listed, without marks).
        all: numbered signals (:func:`zwt_analysis.signals.select`) in ``quarters``.
        listed: the latest ``shown_rows`` of ``all`` (drawn and listed).
        outside: signals on these themes of this organisation outside ``quarters``.
        overview: ``all`` per theme (:func:`zwt_analysis.signals.by_theme`).
    """

    status: str
    quarters: list[str] = field(default_factory=list)
    all: pd.DataFrame = field(default_factory=pd.DataFrame)
    listed: pd.DataFrame = field(default_factory=pd.DataFrame)
    outside: int = 0
    overview: pd.DataFrame = field(default_factory=pd.DataFrame)


def quarterly_rows(counts: pd.DataFrame, tables: Sequence[str]) -> pd.DataFrame:
    """The rows of ``regels_per_periode`` (masked) the rows-per-quarter figure draws.

    Quarterly periods of ``tables``, of tables with at least one count shown
    (a table whose counts are all hidden gets no panel).
    """
    c = counts[counts["table"].isin(list(tables))
               & counts["period"].astype(str).str.contains("Q")]
    return c[c.groupby("table")["rows"].transform("count") > 0]


def figure_quarters(counts: pd.DataFrame, tables: Sequence[str]) -> list[str]:
    """The quarters on the rows-per-quarter figure, in order (empty: no figure)."""
    return sorted(quarterly_rows(counts, tables)["period"].astype(str).unique())


def registration_signals(table: pd.DataFrame | None, delivered: bool, organisation: str,
                         settings: QualitySettings, quarters: Sequence[str]
                         ) -> RegistrationSignals:
    """The signals about registration of ``organisation`` (``ALL``: all), numbered.

    Args:
        table: the processed ``signals`` (None or empty: none).
        delivered: whether a ``signals`` table was delivered at all.
        organisation: the report's organisation.
        settings: ``signal_themes``, ``signal_words`` and ``shown_rows``.
        quarters: :func:`figure_quarters` (empty: keep every date).
    """
    out = RegistrationSignals(signals.table_status(table, delivered), list(quarters))
    if out.status != signals.NONE:
        return out
    themes, words = settings.signal_themes, settings.signal_words
    every = signals.select(table, organisation, themes, words=words)
    out.all = signals.select(table, organisation, themes, quarters, words=words)
    out.outside = len(every) - len(out.all)
    out.listed = signals.latest(out.all, settings.shown_rows)
    themes_seen = [*out.all["theme"].dropna().astype(str), signals.NO_THEME]
    touches = {t: [settings.signal_touches] for t in themes_seen if settings.signal_touches}
    out.overview = signals.by_theme(out.all, touches)
    if len(out.all):
        out.status = signals.SHOWN
    return out
