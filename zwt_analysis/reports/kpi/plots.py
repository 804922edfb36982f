"""Figures of the KPI report: small multiples of the series and the signal timeline.

Dutch labels; shares are drawn as percentages. Every report uses the same
colour per organisation (:func:`organisation_colours`), the city in dark grey.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.present.fmt import nl_number
from zwt_analysis.reports.kpi.rules import CITY_SERIES_LABEL

#: Colour of the city's series and signals.
CITY_COLOUR = "#333333"


def _colour_cycle() -> list[str]:
    """Colours of the active matplotlib style (the report style sets a colour-blind-safe one)."""
    import matplotlib

    return list(matplotlib.rcParams["axes.prop_cycle"].by_key().get("color", ["#0173b2"]))


def organisation_colours(organisations: Iterable[str]) -> dict[str, str]:
    """A fixed colour per organisation (sorted order), the city in dark grey.

    Use the same mapping in the city report and every organisation report so
    an organisation keeps its colour.
    """
    cycle = _colour_cycle()
    orgs = sorted({str(o) for o in organisations
                   if pd.notna(o) and o not in (ALL, CITY_SERIES_LABEL)})
    out = {o: cycle[i % len(cycle)] for i, o in enumerate(orgs)}
    out[CITY_SERIES_LABEL] = CITY_COLOUR
    return out


def plot_small_multiples(series: pd.DataFrame, signals: pd.DataFrame | None = None,
                         ncols: int = 3, title: str | None = None,
                         colours: Mapping[str, str] | None = None) -> Any:
    """One panel per series; a line per organisation, target, interval and signals.

    Shares are drawn as percentages. ``signals`` (from :func:`.signals.signal_panels`:
    nr, date, organisation, panel) appear as a dotted line in the
    organisation's colour with their number on top, on their own panel only.

    Returns:
        The matplotlib Figure (None when ``series`` is empty).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if series.empty:
        return None
    panels = list(dict.fromkeys(series["series"]))
    orgs = list(dict.fromkeys(sorted(series["organisation"].unique(),
                                     key=lambda o: (o == CITY_SERIES_LABEL, o))))
    colours = dict(colours or {})
    cycle = _colour_cycle()
    for i, o in enumerate(orgs):
        colours.setdefault(o, CITY_COLOUR if o == CITY_SERIES_LABEL else cycle[i % len(cycle)])
    ncols = max(1, min(ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows), sharex=True,
                             squeeze=False)
    sig = signals if signals is not None else pd.DataFrame(columns=["nr", "date",
                                                                    "organisation", "panel"])
    for ax, sid in zip(axes.flat, panels, strict=False):
        g = series[series["series"] == sid]
        share = bool(g["unit"].eq("share").fillna(False).all())
        k = 100.0 if share and g["value"].max() <= 1 else 1.0
        for org, go in g.groupby("organisation", sort=False):
            c = colours[org]
            ls = "--" if org == CITY_SERIES_LABEL else "-"
            ax.plot(go["date"], go["value"] * k, color=c, ls=ls, lw=1.6, label=org)
            if go["low"].notna().any():
                ax.fill_between(go["date"], go["low"] * k, go["high"] * k, color=c, alpha=0.15,
                                lw=0)
        target = g["target"].dropna()
        if len(target):
            ax.axhline(float(target.iloc[0]) * k, color="#b00020", ls=":", lw=1.2)
        mine = sig[(sig["panel"] == str(sid)) & sig["organisation"].isin(g["organisation"])]
        for j, (_, s) in enumerate(mine.iterrows()):
            c = colours.get(s["organisation"], "#555")
            ax.axvline(s["date"], color=c, ls=":", lw=1.1)
            ax.annotate(str(s["nr"]), (s["date"], 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, 1 + 7 * (j % 2)), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, color=c)
        label = textwrap.shorten(str(g["label"].iloc[0]), 80, placeholder="…")
        ax.set_title("\n".join(textwrap.wrap(label, 42)), fontsize=10, pad=14)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        if share:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: nl_number(v, 0) + "%"))
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(
                lambda v, _p: nl_number(v, 0 if abs(v) >= 10 or v == int(v) else 1)))
        ax.tick_params(labelsize=8)
    for i, ax in enumerate(axes.flat):
        if i >= len(panels):
            ax.set_visible(False)
        elif i + ncols >= len(panels):  # nothing below: show the years here
            ax.xaxis.set_tick_params(labelbottom=True)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(orgs) + 1, fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def plot_signal_timeline(sig: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                         colours: Mapping[str, str] | None = None) -> Any:
    """Signals as numbered markers on one row per organisation (same time axis)."""
    import matplotlib.pyplot as plt

    if sig.empty:
        return None
    orgs = list(dict.fromkeys(sorted(sig["organisation"].unique())))
    colours = dict(colours or {})
    cycle = _colour_cycle()
    for i, o in enumerate(orgs):
        colours.setdefault(o, cycle[i % len(cycle)])
    fig, ax = plt.subplots(figsize=(12.6, 0.6 + 0.55 * len(orgs)))
    for y, org in enumerate(orgs):
        s = sig[sig["organisation"] == org]
        ax.scatter(s["date"], [y] * len(s), marker="v", color=colours[org], s=40, zorder=3)
        for j, (_, r) in enumerate(s.iterrows()):
            ax.annotate(str(r["nr"]), (r["date"], y), xytext=(0, 6 + 8 * (j % 2)),
                        textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks(range(len(orgs)), orgs)
    ax.set_ylim(-0.6, len(orgs) - 0.2)
    ax.set_xlim(start, end)
    ax.grid(axis="y", visible=False)
    ax.set_title("Signalen uit de praktijk (nummers: zie tabel)", fontsize=10)
    return fig

