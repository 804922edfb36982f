"""Signals from practice on a figure and under it: numbered marks, the list, the overview.

Labels must not overlap: a figure carries only the signal's *number* (a small
circle), the text goes into the numbered Markdown list under the figure
(:func:`signal_list`). :func:`vertical_marks` draws numbers on a time axis
(quarters or years, positions from :mod:`zwt_analysis.signals`), raising a
number that would touch its neighbour one line; :func:`row_marks` puts the
numbers beside the rows of a horizontal chart (one row per wijk). Dutch text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.labels import org_name
from zwt_analysis.present.fmt import nl_date
from zwt_analysis.signals import EMPTY, MISSING, NONE

#: Colour of signal marks (distinct from the Okabe-Ito lines of the figures).
SIGNAL = "#6f4e7c"
#: Heading of the list under a figure.
LIST_HEADING = "**Signalen uit de praktijk** (nummers in de figuur):"

_CIRCLE = {"boxstyle": "circle,pad=0.2", "fc": SIGNAL, "ec": "none"}


def vertical_marks(ax: Any, numbers: Sequence[int], x: Sequence[float], min_gap: float = 4.0,
                   levels: int = 3) -> None:
    """Numbered marks on a positional time axis: a thin line and the number near the bottom.

    Args:
        ax: the panel.
        numbers: the signals' numbers (as in the list under the figure).
        x: their positions on the axis (NaN: not on this figure, skipped).
        min_gap: a number closer than this (axis units; 4 = a year of quarters)
            to the previous one on its line goes one line higher, so numbers
            do not overlap; with every line taken, the least recent one is reused.
        levels: lines of numbers above the bottom of the panel.
    """
    last = [-np.inf] * max(levels, 1)
    for nr, xi in zip(numbers, x, strict=True):
        if xi is None or np.isnan(xi):
            continue
        level = next((k for k in range(len(last)) if xi - last[k] >= min_gap),
                     int(np.argmin(last)))
        last[level] = xi
        ax.axvline(xi, color=SIGNAL, lw=0.8, ls=(0, (2, 2)), alpha=0.7, zorder=1)
        ax.annotate(str(nr), xy=(xi, 0.04 + 0.09 * level), xycoords=("data", "axes fraction"),
                    ha="center", va="bottom", fontsize=8, color="white", fontweight="bold",
                    bbox=_CIRCLE)


def row_marks(ax: Any, y: Sequence[float], numbers: Sequence[Sequence[int]],
              max_per_row: int = 5) -> None:
    """The signals' numbers to the right of the rows of a horizontal chart.

    Args:
        ax: the chart (rows at ``y``).
        y: the rows' positions.
        numbers: per row, the numbers of its signals (empty: none).
        max_per_row: at most this many circles per row, then "+n" (the list
            under the figure names them all).
    """
    for yi, nrs in zip(y, numbers, strict=True):
        nrs = list(nrs)
        for k, nr in enumerate(nrs[:max_per_row]):
            ax.annotate(str(nr), xy=(1.0, yi), xycoords=("axes fraction", "data"),
                        xytext=(10 + 18 * k, 0), textcoords="offset points", ha="center",
                        va="center", fontsize=8, color="white", fontweight="bold",
                        bbox=_CIRCLE, annotation_clip=False)
        if len(nrs) > max_per_row:
            ax.annotate(f"+{len(nrs) - max_per_row}", xy=(1.0, yi),
                        xycoords=("axes fraction", "data"),
                        xytext=(10 + 18 * max_per_row, 0), textcoords="offset points",
                        ha="center", va="center", fontsize=8, color=SIGNAL,
                        annotation_clip=False)


def signal_items(sig: pd.DataFrame, bullets: bool = False) -> list[str]:
    """One Markdown list line per numbered signal: number, date, team (or organisation), text.

    ``bullets``: "- **7.** ..." instead of "7. ...", for numbers that do not
    follow each other (an ordered Markdown list would renumber them).
    """
    lines = []
    for r in sig.itertuples(index=False):
        where = r.team if isinstance(r.team, str) and r.team else r.organisation
        head = f"- **{r.nr}.**" if bullets else f"{r.nr}."
        lines.append(f"{head} {nl_date(pd.Timestamp(r.date).date())}, {where}: *{r.text}*")
    return lines


def more_line(more: int, full: str) -> str:
    """Where the signals left out of a short list are (empty when none are)."""
    if more < 1:
        return ""
    what = "eerder signaal staat" if more == 1 else "eerdere signalen staan"
    return f"*Nog {more} {what} {full}.*"


def signal_list(sig: pd.DataFrame, heading: str = LIST_HEADING, more: int = 0,
                full: str = "") -> str:
    """The numbered signals under a figure as a Markdown list (empty when there are none).

    ``more``: signals left out of this short list (the earlier ones), said in a
    last line with ``full``, where the full list is (e.g. "in de CSV ...").
    """
    if sig.empty:
        return ""
    tail = more_line(more, full)
    return "\n".join([heading, "", *signal_items(sig), *(["", tail] if tail else [])])


def absent_sentence(status: str, none: str) -> str:
    """One Dutch sentence for a report without signals beside its figures.

    ``status`` as :func:`zwt_analysis.signals.table_status` (``SHOWN``: empty
    string); ``none`` is the sentence when the table has rows but none for
    this report's figures.
    """
    if status == MISSING:
        return ("Er is geen tabel met signalen uit de praktijk aangeleverd: naast de cijfers "
                "van dit rapport staan daarom geen verhalen.")
    if status == EMPTY:
        return ("De tabel met signalen uit de praktijk is leeg: naast de cijfers van dit "
                "rapport staan daarom geen verhalen.")
    return none if status == NONE else ""


def _period(first: object, last: object) -> str:
    a, b = pd.Timestamp(first).year, pd.Timestamp(last).year
    return str(a) if a == b else f"{a}–{b}"


def theme_overview_nl(overview: pd.DataFrame, max_rows: int = 15,
                      max_chars: int = 90) -> pd.DataFrame:
    """Signals per theme (:func:`zwt_analysis.signals.by_theme`) as a short Dutch table.

    Columns: Thema, Signalen, Per organisatie, Periode (years), Raakt aan (the
    figures or indicators the theme is drawn beside, "-" when none) and
    Recentste signaal (date and text, shortened to ``max_chars``).
    """
    def latest(r: pd.Series) -> str:
        text = str(r["latest_text"])
        short = text if len(text) <= max_chars else text[:max_chars - 1].rstrip() + "…"
        return f"{pd.Timestamp(r['last']).strftime('%d-%m-%Y')}: {short}"

    rows = overview.head(max_rows)
    return pd.DataFrame({
        "Thema": rows["theme"].astype(str),
        "Signalen": rows["n"].astype(int),
        "Per organisatie": rows["by_organisation"].map(
            lambda d: ", ".join(f"{org_name(str(o))} {n}" for o, n in d.items())),
        "Periode": [_period(a, b) for a, b in zip(rows["first"], rows["last"], strict=True)],
        "Raakt aan": rows["touches"].map(lambda t: "; ".join(t) if len(t) else "-"),
        "Recentste signaal": [latest(r) for _, r in rows.iterrows()],
    }).reset_index(drop=True)
