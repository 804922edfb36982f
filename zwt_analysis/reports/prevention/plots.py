"""Figures of the prevention report (Dutch labels), drawn from the library's frames.

Each function takes a frame of the wing's compute modules (see
:class:`zwt_analysis.reports.prevention.build.PreventionResult`) and returns a
matplotlib ``Figure`` (pyplot is imported lazily so the notebook shows it
inline). No computation happens here beyond selecting rows and columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ACTIVITIES, ALL
from zwt_analysis.labels import CITY_HEADING, org_heading
from zwt_analysis.reports.prevention.tables import ACTIVITY_LABELS, DEADLINE_LABELS

#: Colours per activity: preventive in greens, statutory in red, rest neutral.
ACTIVITY_COLOURS: dict[str, str] = {
    "preventive_individual": "#029e73",
    "preventive_collective": "#7fd1b9",
    "statutory_individual": "#d55e00",
    "coordination": "#0173b2",
    "additional_assignment": "#cc78bc",
    "overhead": "#949494",
}


def _flag(value: Any) -> bool:
    """True for a true boolean, False for false or missing."""
    return False if value is None or pd.isna(value) else bool(value)


def _plt() -> Any:
    import matplotlib.pyplot as plt

    return plt


def _pct_axis(ax: Any, axis: str = "y") -> None:
    from zwt_analysis.present.axes import dutch_axis

    dutch_axis(ax, axis, percent=True)  # as many decimals as the ticks need (2,5%), Dutch comma


def _pp_axis(ax: Any, axis: str = "y") -> None:
    """Fractions shown as percentage points with a Dutch decimal comma."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _p: f"{v * 100:.1f}".replace(".", ","))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _grid(n: int, ncols: int = 3, height: float = 2.8, width: float = 11.0) -> tuple[Any, np.ndarray]:
    plt = _plt()
    ncols = max(1, min(ncols, n))
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows + 0.6), squeeze=False,
                             sharey=True)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _legend_below(ax: Any, ncol: int = 2) -> None:
    """Legend under a panel (below the year labels), so it never covers the lines."""
    ax.legend(fontsize=8, ncol=ncol, loc="upper center", bbox_to_anchor=(0.5, -0.13))


def _quarter_ticks(ax: Any, periods: Sequence[str]) -> None:
    """Label only first quarters (years) on a positional x axis."""
    idx = [i for i, p in enumerate(periods) if str(p).endswith("Q1")]
    step = max(1, int(np.ceil(len(idx) / 5)))  # at most ~5 year labels per panel
    idx = idx[::step]
    ax.set_xticks(idx)
    ax.set_xticklabels([str(periods[i])[:4] for i in idx], rotation=0)


def allocation_over_time(alloc: pd.DataFrame, panels: str = "organisation") -> Any:
    """Stacked hours shares per quarter (step areas), one small multiple per organisation or team.

    Args:
        alloc: output of :func:`~zwt_analysis.reports.prevention.allocation.time_allocation`
            (already filtered to the rows to draw).
        panels: ``"organisation"`` (rows with ``team == ALL``, one panel per
            organisation incl. the city) or ``"team"`` (team rows).
    """
    if panels == "organisation":
        d = alloc.loc[alloc["team"] == ALL]
        key = d["organisation"].map(org_heading)
    else:
        d = alloc.loc[alloc["team"] != ALL]
        key = d["team"] + pd.Series([" (PACT)" if _flag(p) else "" for p in d["pact"]], index=d.index)
    d = d.assign(_panel=key.to_numpy())
    names = sorted(d["_panel"].unique(), key=lambda n: (n != CITY_HEADING, n))  # the city first
    fig, axes = _grid(len(names))
    for ax, name in zip(axes.flat, names, strict=False):
        w = d.loc[d["_panel"] == name].pivot_table(index="period", columns="activity", values="share",
                                                   aggfunc="sum", fill_value=0.0)
        w = w.reindex(columns=list(ACTIVITIES), fill_value=0.0).sort_index()
        x = np.arange(len(w))
        # stacked areas (one polygon per activity) draw far faster than 6 x quarters bars
        ax.stackplot(x, *[w[act].to_numpy() for act in ACTIVITIES],
                     colors=[ACTIVITY_COLOURS[a] for a in ACTIVITIES],
                     labels=[ACTIVITY_LABELS[a] for a in ACTIVITIES], step="mid", linewidth=0)
        ax.set_title(name, fontsize=11)
        ax.set_ylim(0, 1)
        ax.set_xlim(-0.5, max(len(w) - 0.5, 0.5))
        _pct_axis(ax)
        _quarter_ticks(ax, list(w.index))
        ax.grid(axis="x", visible=False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3)  # room kept by the layout
    fig.suptitle("Verdeling van geregistreerde uren over activiteiten, per kwartaal")
    return fig


def allocation_latest(alloc: pd.DataFrame, periods: Sequence[str]) -> Any:
    """Horizontal stacked bars per team over the given quarters (hours pooled), PACT marked.

    Args:
        alloc: :func:`~zwt_analysis.reports.prevention.allocation.time_allocation` rows (team level used).
        periods: the quarters to pool (e.g. the last four).
    """
    plt = _plt()
    d = alloc.loc[(alloc["team"] != ALL) & alloc["period"].isin(list(periods))]
    hours = d.pivot_table(index=["organisation", "team"], columns="activity", values="hours",
                          aggfunc="sum", fill_value=0.0).reindex(columns=list(ACTIVITIES), fill_value=0.0)
    shares = hours.div(hours.sum(axis=1), axis=0).fillna(0.0)
    pact = d.groupby(["organisation", "team"])["pact"].first()
    labels = [f"{o} · {t}" + (" (PACT)" if _flag(pact.get((o, t))) else "") for o, t in shares.index]
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(shares) + 1.8))
    y = np.arange(len(shares))
    left = np.zeros(len(shares))
    for act in ACTIVITIES:
        ax.barh(y, shares[act].to_numpy(), left=left, color=ACTIVITY_COLOURS[act],
                label=ACTIVITY_LABELS[act], height=0.8, linewidth=0)
        left += shares[act].to_numpy()
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    _pct_axis(ax, "x")
    ax.grid(axis="y", visible=False)
    span = f"{min(periods)} t/m {max(periods)}" if len(periods) else ""
    ax.set_title(f"Urenverdeling per team, {span}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    return fig


def share_with_floor(shares: pd.DataFrame, floor: float) -> Any:
    """Preventive share per team over time (one panel per organisation) with the floor.

    Args:
        shares: :func:`~zwt_analysis.reports.prevention.shares.preventive_share_table` rows.
        floor: the ondergrens (fraction), drawn as a dashed line.
    """
    d = shares.loc[shares["team"] != ALL]
    orgs = sorted(d["organisation"].unique())
    fig, axes = _grid(len(orgs), ncols=min(3, max(1, len(orgs))))
    periods = sorted(d["period"].unique())
    pos = {p: i for i, p in enumerate(periods)}
    for ax, org in zip(axes.flat, orgs, strict=False):
        for team, g in d.loc[d["organisation"] == org].groupby("team"):
            g = g.sort_values("period")
            style = "--" if bool(g["pact"].fillna(False).any()) else "-"
            ax.plot(g["period"].map(pos), g["preventive_share"], style, lw=1.3,
                    label=str(team) + (" (PACT)" if style == "--" else ""))
        ax.axhline(floor, color="black", lw=1.2, ls=":", label=f"ondergrens {floor * 100:.0f}%")
        ax.set_title(org, fontsize=11)
        _pct_axis(ax)
        _quarter_ticks(ax, periods)
        _legend_below(ax)
    fig.suptitle("Preventief aandeel per team en kwartaal (stippellijn: ondergrens; streepjes: PACT-team)")
    return fig


def deadline_trends(summary: pd.DataFrame, organisation: str = ALL) -> Any:
    """Share on time per quarter with 95% band, one panel per deadline indicator.

    Args:
        summary: :func:`~zwt_analysis.reports.prevention.deadlines.deadline_summary` output.
        organisation: whose rows to draw (``ALL`` = the city).
    """
    d = summary.loc[(summary["organisation"] == organisation) & (summary["team"] == ALL)]
    inds = [i for i in DEADLINE_LABELS if i in set(d["indicator_id"])]
    fig, axes = _grid(max(1, len(inds)), ncols=3)
    for ax, ind in zip(axes.flat, inds, strict=False):
        g = d.loc[d["indicator_id"] == ind].sort_values("period")
        x = np.arange(len(g))
        ax.fill_between(x, g["ci_low"].astype(float), g["ci_high"].astype(float), alpha=0.25,
                        color="#0173b2", linewidth=0)
        ax.plot(x, g["share_on_time"].astype(float), color="#0173b2", lw=1.5)
        ax.set_ylim(0, 1.02)
        _pct_axis(ax)
        _quarter_ticks(ax, list(g["period"]))
        ax.set_title(DEADLINE_LABELS[ind], fontsize=10)
    fig.suptitle("Aandeel binnen de wettelijke termijn per kwartaal (band: 95%-interval)")
    return fig


def deadline_ecdf(days: pd.DataFrame, clip_factor: float = 3.0) -> Any:
    """Cumulative distribution of days to the end event per indicator, legal limit drawn.

    Args:
        days: :func:`~zwt_analysis.reports.prevention.deadlines.deadline_days` output.
        clip_factor: x axis up to this multiple of the limit (longer cases
            stay in the curve's denominator, they run off the right edge).
    """
    inds = [i for i in DEADLINE_LABELS if i in set(days["indicator_id"])]
    fig, axes = _grid(max(1, len(inds)), ncols=3)
    for ax, ind in zip(axes.flat, inds, strict=False):
        g = days.loc[days["indicator_id"] == ind]
        v = np.sort(g["days"].astype(float).to_numpy())
        lim = int(g["limit_days"].iloc[0])
        ax.step(v, np.arange(1, len(v) + 1) / len(v), where="post", color="#0173b2")
        ax.axvline(lim, color="#d55e00", ls="--", lw=1.3)
        within = float((v <= lim).mean()) if len(v) else float("nan")
        ax.text(lim, 0.05, f" termijn {lim} dagen\n {within * 100:.0f}% binnen", color="#d55e00",
                fontsize=8)
        ax.set_xlim(0, clip_factor * lim)
        _pct_axis(ax)
        ax.set_xlabel("dagen")
        ax.set_title(DEADLINE_LABELS[ind], fontsize=10)
    fig.suptitle("Verdeling van de doorlooptijd (afgeronde zaken); stippellijn = wettelijke termijn")
    return fig


def scarcity_trends(quarterly: pd.DataFrame, column: str, title: str, ylabel: str) -> Any:
    """A scarcity measure per team over time, one panel per organisation.

    Args:
        quarterly: :func:`~zwt_analysis.reports.prevention.scarcity.scarcity_quarterly` output.
        column: ``caseload_per_fte`` or ``hours_per_fte``.
        title, ylabel: Dutch texts.
    """
    d = quarterly.loc[(quarterly["team"] != ALL) & (quarterly["organisation"] != ALL)]
    orgs = sorted(d["organisation"].unique())
    fig, axes = _grid(max(1, len(orgs)), ncols=3)
    periods = sorted(d["period"].unique())
    pos = {p: i for i, p in enumerate(periods)}
    for ax, org in zip(axes.flat, orgs, strict=False):
        for team, g in d.loc[d["organisation"] == org].groupby("team"):
            g = g.sort_values("period")
            ax.plot(g["period"].map(pos), g[column], lw=1.2, label=str(team))
        ax.set_title(org, fontsize=11)
        ax.set_ylabel(ylabel)
        _quarter_ticks(ax, periods)
        _legend_below(ax)
    fig.suptitle(title)
    return fig


def panel_scatter(data: pd.DataFrame, slope: float | None = None) -> Any:
    """Within-team scatter: deviations from each team's mean, with the fitted slope.

    Args:
        data: :func:`~zwt_analysis.reports.prevention.panel.build_panel` output.
        slope: the fixed-effects slope to draw through the origin (optional).
    """
    plt = _plt()
    x = data["caseload_per_fte"] - data.groupby("team")["caseload_per_fte"].transform("mean")
    y = data["preventive_share"] - data.groupby("team")["preventive_share"].transform("mean")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter(x, y, s=12, alpha=0.5, color="#0173b2")
    if slope is not None and len(x):
        xs = np.linspace(float(x.min()), float(x.max()), 20)
        ax.plot(xs, slope * xs, color="#d55e00", lw=2, label="geschatte helling (vaste effecten)")
        ax.legend()
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("caseload per fte t.o.v. het eigen teamgemiddelde")
    ax.set_ylabel("preventief aandeel t.o.v. teamgemiddelde\n(procentpunt)")
    _pp_axis(ax)
    ax.set_title("Binnen teams: meer caseload, ander preventief aandeel?")
    return fig


def residual_plot(residuals: pd.DataFrame) -> Any:
    """Residuals against fitted values and a histogram of residuals (model diagnostics)."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    a1.scatter(residuals["fitted"], residuals["resid"], s=10, alpha=0.5, color="#0173b2")
    a1.axhline(0, color="#d55e00", lw=1)
    a1.set_xlabel("voorspeld preventief aandeel")
    a1.set_ylabel("residu (procentpunt)")
    _pct_axis(a1, "x")
    _pp_axis(a1, "y")
    a1.set_title("Residuen tegen voorspelde waarden")
    a2.hist(residuals["resid"], bins=30, color="#0173b2", alpha=0.8)
    a2.set_xlabel("residu (procentpunt)")
    _pp_axis(a2, "x")
    a2.set_ylabel("aantal team-kwartalen")
    a2.set_title("Verdeling van de residuen")
    return fig
