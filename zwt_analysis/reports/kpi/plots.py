"""Figures of the KPI report: small multiples of the series with their signals, signals by theme.

Dutch labels; shares are drawn as percentages. Every report uses the same
colour per organisation (:func:`organisation_colours`), the city (``ALL``) in
dark grey under the municipality's name. Periods that stay out of the trend
tests (warm-up "opstart", provisional "voorlopig") are drawn dotted, a
provisional value as an open circle. Signals are dotted vertical lines in the
organisation's colour; the most recent ones on a panel get a short label,
placed in rows above the panel so that labels never overlap
(:func:`place_labels`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.present.fmt import nl_number
from zwt_analysis.reports.kpi.signals import labelled_signals

#: Colour of the city's series and signals.
CITY_COLOUR = "#333333"
#: Colour of a target line (a red that stays distinct for colour-blind readers on grey/blue).
TARGET_COLOUR = "#b00020"
#: Inches of a panel's plotting area (about: figure width per column minus the margins).
_PANEL_INCHES = 3.3
#: Inches per character of a signal label at its font size (6.5 pt).
_CHAR_INCHES = 0.052


def _colour_cycle() -> list[str]:
    """Colours of the active matplotlib style (the report style sets a colour-blind-safe one)."""
    import matplotlib

    return list(matplotlib.rcParams["axes.prop_cycle"].by_key().get("color", ["#0173b2"]))


def organisation_colours(organisations: Iterable[str]) -> dict[str, str]:
    """A fixed colour per organisation (sorted order), the city (``ALL``) in dark grey.

    Use the same mapping in the city report and every organisation report so
    an organisation keeps its colour.
    """
    cycle = _colour_cycle()
    orgs = sorted({str(o) for o in organisations if pd.notna(o) and o != ALL})
    out = {o: cycle[i % len(cycle)] for i, o in enumerate(orgs)}
    out[ALL] = CITY_COLOUR
    return out


def short_label(text: object, max_chars: int = 26) -> str:
    """The first words of a signal, at most ``max_chars`` characters (ending in "…" when cut)."""
    words = " ".join(str(text if isinstance(text, str) else "").split())
    width = max(max_chars, 5)
    if len(words) <= width:
        return words
    short = textwrap.shorten(words, width, placeholder="…")
    return short if short != "…" else words[:width - 1] + "…"  # one long word: cut it


def place_labels(starts: Sequence[float], widths: Sequence[float], x_max: float,
                 max_lanes: int = 3, gap: float = 0.0) -> list[tuple[int, str]]:
    """Rows ("lanes") for labels on a line so that no two labels in a lane overlap.

    A label starts at its x and runs right (``ha`` "left"), unless it would pass
    ``x_max``: then it ends at its x (``ha`` "right"). Labels are placed from
    left to right, each in the lowest lane whose last label ends (plus ``gap``)
    before it starts; a label that fits in none of the ``max_lanes`` lanes gets
    lane -1 (drawn without label).

    Returns:
        ``(lane, ha)`` per label, in the order given.
    """
    spans = []
    for x, w in zip(starts, widths, strict=True):
        left = x + w > x_max
        spans.append((x - w, x, "right") if left else (x, x + w, "left"))
    ends = [-math.inf] * max(max_lanes, 0)
    out: list[tuple[int, str]] = [(-1, "left")] * len(spans)
    for i in sorted(range(len(spans)), key=lambda j: (spans[j][0], j)):
        lo, hi, ha = spans[i]
        lane = next((k for k, e in enumerate(ends) if e + gap <= lo), -1)
        if lane >= 0:
            ends[lane] = hi
        out[i] = (lane, ha)
    return out


def _draw_line(ax: Any, go: pd.DataFrame, k: float, colour: str, city: bool, label: str) -> bool:
    """One organisation's line; returns True when a period outside the trend was drawn."""
    ls = "--" if city else "-"
    usable = go["status"].eq("usable").to_numpy() if "status" in go else np.ones(len(go), bool)
    y = go["value"].to_numpy(dtype=float) * k
    other = not usable.all()
    if other:
        ax.plot(go["date"], y, color=colour, ls=":", lw=1.1, alpha=0.8)
        prov = go["status"].eq("provisional").to_numpy()
        if prov.any():
            ax.plot(go["date"][prov], y[prov], ls="none", marker="o", ms=3.5, mfc="white",
                    mec=colour, mew=1.0)
    ax.plot(go["date"], np.where(usable, y, np.nan), color=colour, ls=ls, lw=1.6, label=label)
    if go["low"].notna().any():
        ax.fill_between(go["date"], go["low"] * k, go["high"] * k, color=colour, alpha=0.15, lw=0)
    return other


def _draw_signals(ax: Any, signals: pd.DataFrame | None, sid: str, g: pd.DataFrame,
                  colours: Mapping[str, str], max_labels: int, label_chars: int) -> int:
    """Signal lines and labels of one panel; returns the number of label lanes used."""
    if signals is None or signals.empty:
        return 0
    mine, labelled = labelled_signals(signals, sid, g["organisation"].unique(), max_labels)
    for _, s in mine.iterrows():
        ax.axvline(s["date"], color=colours.get(s["organisation"], "#555"), ls=":", lw=1.0)
    if labelled.empty:
        return 0
    import matplotlib.dates as mdates

    x0, x1 = ax.get_xlim()
    per_char = _CHAR_INCHES * (x1 - x0) / _PANEL_INCHES
    texts = [short_label(t, label_chars) for t in labelled["text"]]
    xs = [float(mdates.date2num(pd.Timestamp(d))) for d in labelled["date"]]
    places = place_labels(xs, [len(t) * per_char for t in texts], x1, gap=per_char)
    for (lane, ha), x, text, org in zip(places, xs, texts, labelled["organisation"], strict=True):
        if lane >= 0:
            ax.annotate(text, (x, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, 3 + 9 * lane), textcoords="offset points", ha=ha,
                        va="bottom", fontsize=6.5, color=colours.get(org, "#555"))
    return 1 + max((lane for lane, _ in places), default=-1)


def _format_axis(ax: Any, share: bool, values: np.ndarray) -> None:
    """Dutch tick labels; a "≈" on the y axis when it does not start at zero."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    if share:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: nl_number(v, 0) + "%"))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _p: nl_number(v, 0 if abs(v) >= 10 or v == int(v) else 1)))
    ax.tick_params(labelsize=8)
    lo = ax.get_ylim()[0]
    finite = values[np.isfinite(values)]
    if len(finite) and finite.min() >= 0 and lo > 0:
        ax.text(0, 0, "≈", transform=ax.transAxes, ha="center", va="center", fontsize=10,
                color="#555", bbox={"fc": "white", "ec": "none", "pad": 0.5}, clip_on=False)


def plot_small_multiples(series: pd.DataFrame, signals: pd.DataFrame | None = None,
                         ncols: int = 3, colours: Mapping[str, str] | None = None,
                         city_label: str = "Gemeente", verdicts: Mapping[str, str] | None = None,
                         max_labels: int = 4, label_chars: int = 26) -> Any:
    """One panel per series: a line per organisation, target, interval, statuses and signals.

    Args:
        series: :func:`.series.kpi_series` / :func:`.series.indicator_series` rows
            (with ``status``); the city is organisation ``ALL``.
        signals: :func:`.signals.signal_panels` rows (nr, date, organisation, text, panel).
        colours: :func:`organisation_colours`.
        city_label: the city's name in the legend.
        verdicts: a short trend line per series id shown under its title.
        max_labels, label_chars: labelled signals per panel and characters per label.

    Returns:
        The matplotlib Figure (None when ``series`` is empty).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if series.empty:
        return None
    panels = list(dict.fromkeys(series["series"]))
    orgs = sorted(series["organisation"].unique(), key=lambda o: (o == ALL, o))
    colours = dict(colours or {})
    cycle = _colour_cycle()
    for i, o in enumerate(orgs):
        colours.setdefault(o, CITY_COLOUR if o == ALL else cycle[i % len(cycle)])
    ncols = max(1, min(ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), sharex=True,
                             squeeze=False)
    dates = list(series["date"])
    if signals is not None and len(signals):
        dates += list(signals.loc[signals["panel"].isin([str(p) for p in panels]), "date"])
    lo, hi = pd.Timestamp(min(dates)), pd.Timestamp(max(dates))
    pad = (hi - lo) * 0.03 + pd.Timedelta(days=15)
    axes.flat[0].set_xlim(lo - pad, hi + pad)  # shared: fixed before labels are placed
    other = False
    for ax, sid in zip(axes.flat, panels, strict=False):
        g = series[series["series"] == sid]
        share = bool(g["unit"].eq("share").fillna(False).all())
        k = 100.0 if share and g["value"].max() <= 1 else 1.0
        for org in orgs:
            go = g[g["organisation"] == org].sort_values("date")
            if len(go):
                other |= _draw_line(ax, go, k, colours[org], org == ALL,
                                    city_label if org == ALL else str(org))
        target = g["target"].dropna()
        if len(target):
            ax.axhline(float(target.iloc[0]) * k, color=TARGET_COLOUR, ls=":", lw=1.2)
        lanes = _draw_signals(ax, signals, str(sid), g, colours, max_labels, label_chars)
        title = "\n".join(textwrap.wrap(textwrap.shorten(str(g["label"].iloc[0]), 80,
                                                         placeholder="…"), 42))
        if verdicts and verdicts.get(str(sid)):
            title += f"\n{verdicts[str(sid)]}"
        ax.set_title(title, fontsize=9.5, pad=6 + 9 * lanes)
        _format_axis(ax, share, g["value"].to_numpy(dtype=float) * k)
    for i, ax in enumerate(axes.flat):
        if i >= len(panels):
            ax.set_visible(False)
        elif i + ncols >= len(panels):  # nothing below: show the years here
            ax.xaxis.set_tick_params(labelbottom=True)
    handles = [Line2D([], [], color=colours[o], ls="--" if o == ALL else "-", lw=1.6)
               for o in orgs]
    labels = [city_label if o == ALL else str(o) for o in orgs]
    if other:
        handles.append(Line2D([], [], color="#777", ls=":", marker="o", mfc="white", ms=3.5))
        labels.append("opstart of voorlopig (niet in de trendtoets)")
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 5),
               fontsize=9)
    return fig


def plot_signal_timeline(sig: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                         colours: Mapping[str, str] | None = None) -> Any:
    """Signals as marks on one row per theme (most signals on top), coloured by organisation."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if sig.empty:
        return None
    theme = sig["theme"].astype("string").str.strip() if "theme" in sig else \
        pd.Series(pd.NA, index=sig.index, dtype="string")
    s = sig.assign(_theme=theme.mask(theme == "").fillna("(geen thema)"))
    order = s["_theme"].value_counts().sort_index().sort_values(ascending=True, kind="stable")
    rows = list(order.index)
    colours = dict(colours or {})
    orgs = sorted(s["organisation"].unique())
    cycle = _colour_cycle()
    for i, o in enumerate(orgs):
        colours.setdefault(o, cycle[i % len(cycle)])
    fig, ax = plt.subplots(figsize=(12.6, 0.9 + 0.32 * len(rows)))
    for org in orgs:
        m = s[s["organisation"] == org]
        ax.scatter(m["date"], [rows.index(t) for t in m["_theme"]], marker="|", s=160, lw=2,
                   color=colours[org], zorder=3)
    ax.set_yticks(range(len(rows)), [f"{t} ({order[t]})" for t in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(start, end)
    ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], color=colours[o], marker="|", ls="none", ms=10, mew=2) for o in orgs]
    fig.legend(handles, orgs, loc="outside lower center", ncols=min(len(orgs), 6), fontsize=9)
    ax.set_title("Signalen uit de praktijk per thema (aantal tussen haakjes)", fontsize=10)
    return fig
