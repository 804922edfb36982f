"""Stories from practice (table ``signals``) beside the figures they explain.

A signal is a dated sentence from a team or organisation ("De caseload in
ons team is zo hoog dat we alleen nog aan wettelijke taken toekomen"). The
report draws the signals of chosen themes (``prevention.yaml``,
``signals``) on the caseload, deadline and preventive-share figures as
numbered marks, and lists them under the figure; :func:`select` picks and
numbers them, :func:`positions` places a date on a figure's quarter axis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.periods import quarter_labels, quarter_start

#: Columns of :func:`select`.
SIGNAL_COLUMNS = ["nr", "date", "organisation", "team", "theme", "text", "period"]


def select(signals: pd.DataFrame, organisation: str, themes: Iterable[str],
           periods: Sequence[str] = ()) -> pd.DataFrame:
    """The signals of ``organisation`` (``ALL``: every organisation) on ``themes``, numbered.

    Args:
        signals: processed ``signals`` (date, organisation, text, team, theme, ...).
        organisation: the report's organisation.
        themes: themes to keep (compared without case).
        periods: the quarters a figure shows; signals outside them are left
            out (empty: keep every date).

    Returns:
        :data:`SIGNAL_COLUMNS`, numbered 1..n in date order (ties: by
        organisation, team); ``period`` is the signal's quarter. An empty
        or missing table gives an empty frame.
    """
    want = {t.lower() for t in themes}
    if signals.empty or "theme" not in signals or not want:
        return _empty()
    s = signals.loc[signals["theme"].astype("string").str.lower().isin(want).fillna(False)]
    if organisation != ALL:
        s = s.loc[s["organisation"] == organisation]
    s = s.assign(period=quarter_labels(s["date"]))
    if len(periods):
        s = s.loc[s["period"].isin(list(periods)).fillna(False)]
    s = s.sort_values(["date", "organisation", "team"], kind="stable", na_position="first")
    out = s.reindex(columns=SIGNAL_COLUMNS[1:]).reset_index(drop=True)
    out.insert(0, "nr", np.arange(1, len(out) + 1))
    return out


def _empty() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="string") for c in SIGNAL_COLUMNS})
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
