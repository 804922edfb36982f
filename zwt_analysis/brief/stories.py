"""Stories from practice for the council brief: the latest signals, short, with date and organisation.

The ``signals`` table (contract section 1: ``date, organisation, text``, ...)
holds what teams report from the field. The brief shows the few most recent
ones up to the as-of date, each once (the same text reported again is shown
only at its latest date), shortened at a word boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from zwt_analysis import labels

ELLIPSIS = "…"


@dataclass(frozen=True)
class Story:
    """One signal for the brief."""

    day: date
    organisation: str
    text: str
    theme: str | None = None


def shorten(text: str, max_chars: int) -> str:
    """``text`` stripped, cut at the last space within ``max_chars`` with ``…`` (whole when it fits).

    Examples:
        >>> shorten("  kort  ", 10)
        'kort'
        >>> shorten("een twee drie vier", 12)
        'een twee…'
    """
    text = " ".join(str(text).split())
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + ELLIPSIS


def recent_stories(signals: pd.DataFrame, as_of: date, count: int = 3,
                   max_chars: int = 160) -> list[Story]:
    """The ``count`` most recent signals dated on or before ``as_of``, newest first.

    Rows without a date or text are skipped; a text that occurs more than
    once is taken at its latest date only. Ties on the date keep the table's
    later row first. The city (``ALL``) is named with :data:`zwt_analysis.labels.CITY`.
    """
    if signals.empty or count <= 0:
        return []
    d = signals.assign(_day=pd.to_datetime(signals["date"], errors="coerce"),
                       _text=signals["text"].astype("string").str.strip(),
                       _order=range(len(signals)))
    d = d.loc[d["_day"].notna() & d["_text"].notna() & (d["_text"] != "")
              & (d["_day"] <= pd.Timestamp(as_of))]
    d = d.sort_values(["_day", "_order"], ascending=False).drop_duplicates("_text")
    out = []
    for _, r in d.head(count).iterrows():
        theme = r.get("theme")
        out.append(Story(r["_day"].date(), labels.org_name(str(r["organisation"])),
                         shorten(str(r["_text"]), max_chars),
                         None if theme is None or pd.isna(theme) else str(theme)))
    return out
