"""Stories from practice (table ``signals``): pick, number and place them beside a figure.

A signal is a dated sentence from a team or organisation ("De caseload in ons
team is zo hoog dat we alleen nog aan wettelijke taken toekomen"). A report
wing draws the signals of chosen themes (its YAML settings) on the figures
they explain as numbered marks and lists them under the figure. This module
is shared by the wings (a wing never imports another): :func:`select` picks
and numbers them, :func:`positions` and :func:`year_positions` place a date on
a figure's quarter or year axis, :func:`latest` keeps the most recent for a
short list, :func:`by_theme` counts them per theme and :func:`table_status`
says whether there was anything to pick from. Drawing the marks and the Dutch
list is presentation (:mod:`zwt_analysis.present.signals`). The module needs
only the contract and the periods, so presentation may import it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.periods import quarter_labels, quarter_start

#: Columns of :func:`select` (before any ``keep`` columns).
SIGNAL_COLUMNS = ["nr", "date", "organisation", "team", "theme", "text", "period"]

#: Theme of a signal without one, in :func:`by_theme`.
NO_THEME = "(geen thema)"

#: What a report has of the signals: no table delivered, an empty one, none on its
#: figures, some (:func:`table_status` gives the first three).
MISSING, EMPTY, NONE, SHOWN = "missing", "empty", "none", "shown"


def table_status(table: pd.DataFrame | None, delivered: bool) -> str:
    """:data:`MISSING` (not delivered), :data:`EMPTY` (no rows) or :data:`NONE` (rows to pick from)."""
    if not delivered:
        return MISSING
    return EMPTY if table is None or table.empty else NONE


def _matches(signals: pd.DataFrame, themes: set[str], words: Sequence[str]) -> pd.Series:
    """True where the theme is in ``themes`` (without case) or the text holds one of ``words``."""
    keep = pd.Series(False, index=signals.index)
    if themes and "theme" in signals:
        theme = signals["theme"].astype("string").str.strip().str.lower()
        keep |= theme.isin(themes).fillna(False).astype(bool)
    if words and "text" in signals:
        text = signals["text"].astype("string").str.lower()
        for w in words:
            keep |= text.str.contains(w.lower(), regex=False).fillna(False).astype(bool)
    return keep


def select(signals: pd.DataFrame | None, organisation: str, themes: Iterable[str],
           periods: Sequence[str] = (), words: Sequence[str] = (),
           keep: Sequence[str] = ()) -> pd.DataFrame:
    """The signals of ``organisation`` (``ALL``: every organisation) on ``themes``, numbered.

    Args:
        signals: processed ``signals`` (date, organisation, text, team, theme, ...);
            None or a frame without rows stands for a missing table.
        organisation: the report's organisation.
        themes: themes to keep (compared without case and surrounding spaces).
        periods: the quarters a figure shows; signals outside them are left
            out (empty: keep every date).
        words: also keep a signal whose text contains one of these (without
            case), whatever its theme.
        keep: further columns of ``signals`` to carry along (e.g. ``area_code``),
            after :data:`SIGNAL_COLUMNS`; a column the table lacks comes back empty.

    Returns:
        :data:`SIGNAL_COLUMNS` (+ ``keep``), numbered 1..n in date order (ties:
        by organisation, team); ``period`` is the signal's quarter. An empty
        or missing table, or neither themes nor words, gives an empty frame.
    """
    want = {str(t).strip().lower() for t in themes}
    if signals is None or signals.empty or "date" not in signals or not (want or words):
        return _empty(keep)
    s = signals.loc[_matches(signals, want, words)]
    if organisation != ALL:
        s = s.loc[(s["organisation"] == organisation).fillna(False).astype(bool)]
    s = s.assign(period=quarter_labels(s["date"]))
    if len(periods):
        s = s.loc[s["period"].isin(list(periods)).fillna(False).astype(bool)]
    s = s.sort_values(["date", "organisation", "team"], kind="stable", na_position="first")
    out = s.reindex(columns=[*SIGNAL_COLUMNS[1:], *keep]).reset_index(drop=True)
    out.insert(0, "nr", np.arange(1, len(out) + 1))
    return out


def _empty(keep: Sequence[str] = ()) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="string") for c in [*SIGNAL_COLUMNS, *keep]})
    out["nr"] = out["nr"].astype("int64")
    out["date"] = pd.Series(dtype="datetime64[ns]")
    return out


def positions(dates: pd.Series, periods: Sequence[str]) -> pd.Series:
    """Position of each date on a positional quarter axis (``periods[i]`` drawn at ``i``).

    A date at the start of quarter ``i`` lies at ``i - 0.5``, at its end near
    ``i + 0.5`` (the quarter's value is drawn at its centre). Dates whose
    quarter is not in ``periods`` give NaN.

    Examples:
        >>> s = pd.Series(pd.to_datetime(["2024-01-01", "2024-05-16", "2023-01-01"]))
        >>> positions(s, ["2024-Q1", "2024-Q2"]).round(2).tolist()
        [-0.5, 0.99, nan]
    """
    index = {p: i for i, p in enumerate(periods)}
    labels = quarter_labels(dates)
    out = []
    for d, q in zip(pd.to_datetime(dates), labels, strict=True):
        if pd.isna(d) or pd.isna(q) or q not in index:
            out.append(np.nan)
            continue
        first = pd.Timestamp(quarter_start(str(q)))
        nxt = pd.Timestamp(quarter_start(str(q)) + timedelta(days=92)).replace(day=1)
        out.append(index[q] - 0.5 + (d - first).days / (nxt - first).days)
    return pd.Series(out, index=dates.index, dtype="float64")


def year_positions(dates: pd.Series, years: Sequence[int]) -> pd.Series:
    """Position of each date on a positional year axis (``years[i]`` drawn at ``i``).

    1 January of year ``i`` lies at ``i - 0.5``, 31 December just before
    ``i + 0.5``. Dates whose year is not in ``years`` give NaN.

    Examples:
        >>> s = pd.Series(pd.to_datetime(["2023-01-01", "2024-07-02", "2022-05-01"]))
        >>> year_positions(s, [2023, 2024]).round(3).tolist()
        [-0.5, 1.0, nan]
    """
    index = {int(y): i for i, y in enumerate(years)}
    d = pd.to_datetime(dates)
    out = []
    for t in d:
        if pd.isna(t) or t.year not in index:
            out.append(np.nan)
            continue
        days = 366 if t.is_leap_year else 365
        out.append(index[t.year] - 0.5 + (t.day_of_year - 1) / days)
    return pd.Series(out, index=dates.index, dtype="float64")


def latest(sig: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` most recent of numbered signals (highest numbers), in number order.

    ``n`` below 1 gives no rows; numbers are kept, so a list of the latest
    matches the full list (e.g. a CSV) number for number.
    """
    if n < 1 or sig.empty:
        return sig.iloc[0:0]
    return sig.sort_values("nr", kind="stable").tail(n).reset_index(drop=True)


def by_theme(sig: pd.DataFrame, touches: Mapping[str, Sequence[str]] | None = None
             ) -> pd.DataFrame:
    """Signals per theme: how many, from whom, when, and what each theme touches.

    Args:
        sig: numbered signals (:func:`select`).
        touches: theme (without case) -> the figures or indicators its signals
            are drawn beside (reader labels, from the wing's settings).

    Returns:
        One row per theme, most signals first (ties by theme): theme (in lower
        case, "Toegang" and "toegang" are one; a signal without one:
        :data:`NO_THEME`), n, by_organisation (``{organisation: n}``),
        first, last (dates), touches (list; empty when unknown), latest_text
        (the most recent signal's text). Empty (these columns) without signals.
    """
    cols = ["theme", "n", "by_organisation", "first", "last", "touches", "latest_text"]
    if sig.empty:
        return pd.DataFrame(columns=cols)
    lower = {str(k).strip().lower(): list(v or ()) for k, v in (touches or {}).items()}
    theme = sig["theme"].astype("string").str.strip().str.lower()
    s = sig.assign(_theme=theme.mask(theme == "").fillna(NO_THEME))
    rows = []
    for name, g in s.groupby("_theme", sort=True):
        g = g.sort_values(["date", "nr"])
        rows.append({"theme": name, "n": len(g),
                     "by_organisation": g["organisation"].value_counts().sort_index().to_dict(),
                     "first": g["date"].min(), "last": g["date"].max(),
                     "touches": lower.get(str(name).lower(), []),
                     "latest_text": str(g["text"].iloc[-1])})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n", "theme"], ascending=[False, True], ignore_index=True)
