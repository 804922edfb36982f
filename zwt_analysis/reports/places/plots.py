"""Figures of the places report (Dutch labels, sources on the figure)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.present.axes import dutch_axis
from zwt_analysis.present.signals import row_marks, vertical_marks
from zwt_analysis.reports.places.build import PlacesResult
from zwt_analysis.reports.places.peers import MEASURES
from zwt_analysis.signals import year_positions

OWN = "#d55e00"   # Okabe-Ito vermillion: the municipality itself
PEER = "#0072b2"  # Okabe-Ito blue: comparable municipalities


def _source(fig: Any, text: str) -> None:
    fig.text(0.01, 0.005, text, fontsize=8, color="#555", ha="left", va="bottom")


def plot_peers(r: PlacesResult) -> Any:
    """One strip per CBS measure: peers as dots, the municipality highlighted."""
    import matplotlib.pyplot as plt

    if r.peers.empty:
        return None
    fig, axes = plt.subplots(1, len(MEASURES), figsize=(10, 3.2))
    for ax, (col, (label, unit)) in zip(np.atleast_1d(axes), MEASURES.items(), strict=True):
        d = r.peers[["own", "gemeentenaam", col]].dropna()
        jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(d))
        others = ~d["own"].to_numpy()
        ax.scatter(jitter[others], d.loc[others, col], color=PEER, alpha=0.6, s=22,
                   label="vergelijkbare gemeenten")
        ax.scatter(jitter[~others], d.loc[~others, col], color=OWN, s=70, marker="D",
                   label=r.municipality_name or "eigen gemeente")
        ax.set_xticks([])
        ax.set_xlim(-0.6, 0.6)
        ax.set_ylim(0, max(float(d[col].max()) * 1.1, 1.0))
        ax.set_title(f"{label}\n({'per 1.000 inwoners' if unit == 'per 1.000' else '% van de jongeren'})",
                     fontsize=10)
        dutch_axis(ax, "y")
    np.atleast_1d(axes)[0].legend(loc="lower left", fontsize=8, frameon=False)
    _source(fig, r.settings["peers"]["source_label"])
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def plot_reach(r: PlacesResult, suppressed: pd.Series | None = None) -> Any:
    """Observed / expected clients per wijk with 95% intervals (1 = as expected).

    ``suppressed``: boolean per row of ``r.reach.table``; those wijken are not drawn.
    The numbers of the wijk's signals from practice (the listed ones) stand right of its
    row; their text is the list under the figure.
    """
    import matplotlib.pyplot as plt

    if r.reach is None or r.reach.table.empty:
        return None
    t = r.reach.table
    if suppressed is not None:
        t = t[~suppressed.to_numpy()]
    y = np.arange(len(t))
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(t) + 1.4))
    flag = t["ratio_high"] < float(r.settings["wijken"]["flag_below"])
    colours = np.where(flag, OWN, PEER)
    ax.hlines(y, t["ratio_low"], t["ratio_high"], color=colours, lw=2)
    ax.scatter(t["ratio"], y, color=colours, zorder=3)
    ax.axvline(1.0, color="#333", lw=1, ls="--")
    ax.set_yticks(y, t["wijknaam"].astype(str))
    ax.set_xlim(0, max(2.0, float(t["ratio_high"].max()) * 1.05))
    ax.set_xlabel("cliënten waargenomen / verwacht (1 = zoals verwacht bij deze bevolking)")
    dutch_axis(ax, "x")
    _wijk_marks(ax, r, t["area_code"].astype(str).tolist(), y)
    _source(fig, f"{r.settings['wijken']['source_label']}; cliënten: eigen registratie {r.year}")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _wijk_marks(ax: Any, r: PlacesResult, codes: list[str], y: np.ndarray) -> None:
    """The listed signals' numbers right of the rows of their wijken."""
    sig = r.signals.listed("reach")
    if sig.empty:
        return
    per = {c: [int(n) for n, w in zip(sig["nr"], sig["wijken"], strict=True) if c in w]
           for c in codes}
    row_marks(ax, y, [per[c] for c in codes])
    ax.set_title("nummers rechts: signalen uit de praktijk (lijst onder de figuur)",
                 fontsize=9, loc="right", color="#555")


def plot_cost_gap(r: PlacesResult) -> Any:
    """Cao rise and indexation per year (bars) and the budget's purchasing power (line).

    Signals from practice in these years (the listed ones) are numbered marks on the
    purchasing-power panel, whose bottom the line leaves free.
    """
    import matplotlib.pyplot as plt

    if r.gap.empty:
        return None
    g = r.gap
    x = np.arange(len(g))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
    ax1.bar(x - 0.2, g["cao_pct"], 0.4, color=OWN, label="cao-loonstijging")
    ax1.bar(x + 0.2, g["indexation_pct"], 0.4, color=PEER, label="indexatie gemeente")
    ax1.set_xticks(x, g["year"].astype(str))
    ax1.set_ylabel("% per jaar")
    ax1.legend(fontsize=8, frameon=False)
    dutch_axis(ax1, "y")
    ax2.plot(x, g["purchasing_power"] * 100, color="#333", marker="o")
    ax2.set_xticks(x, g["year"].astype(str))
    ax2.set_ylim(0, 105)
    ax2.set_ylabel(f"koopkracht budget (% van {int(g['year'].iloc[0])})")
    dutch_axis(ax2, "y")
    sig = r.signals.listed("cost_gap")
    if len(sig):
        x2 = year_positions(sig["date"], [int(y) for y in g["year"]])
        vertical_marks(ax2, sig["nr"].tolist(), x2.tolist(), min_gap=0.4, levels=5)
        ax2.set_xlim(-0.6, len(g) - 0.4)
    fig.tight_layout()
    return fig
