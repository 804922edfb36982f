"""Figures of the prevention report (Dutch labels), drawn from the library's frames.

Each function takes a frame of the wing (see
:class:`zwt_analysis.reports.prevention.build.PreventionResult`) and returns a
matplotlib ``Figure`` (pyplot is imported lazily so the notebook shows it
inline). Figures of published numbers draw from the masked tables: a value a
table suppresses is missing here too (a gap, never a guess). Small
multiples (one panel per organisation, team or deadline), value axes from
zero, and signals from practice as numbered marks (listed under the
figure). No computation happens here beyond selecting rows and columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ACTIVITIES, ALL
from zwt_analysis.labels import CITY, CITY_HEADING, org_heading
from zwt_analysis.present.signals import vertical_marks
from zwt_analysis.reports.prevention.tables import ACTIVITY_LABELS, DEADLINE_LABELS
from zwt_analysis.signals import positions

#: Colours per activity (colour-blind safe): preventive greens, statutory orange, rest neutral.
ACTIVITY_COLOURS: dict[str, str] = {
    "preventive_individual": "#029e73",
    "preventive_collective": "#7fd1b9",
    "statutory_individual": "#d55e00",
    "coordination": "#0173b2",
    "additional_assignment": "#cc78bc",
    "overhead": "#949494",
}
MAIN, REFERENCE = "#0173b2", "#949494"


def _flag(value: Any) -> bool:
    """True for a true boolean, False for false or missing."""
    return False if value is None or pd.isna(value) else bool(value)


def _plt() -> Any:
    import matplotlib.pyplot as plt

    return plt


def _pct_axis(ax: Any, axis: str = "y") -> None:
    from zwt_analysis.present.axes import dutch_axis

    dutch_axis(ax, axis, percent=True)  # as many decimals as the ticks need (2,5%), Dutch comma


def _num_axis(ax: Any, axis: str = "y") -> None:
    from zwt_analysis.present.axes import dutch_axis

    dutch_axis(ax, axis)


def _pp_axis(ax: Any, axis: str = "y") -> None:
    """Fractions shown as percentage points with a Dutch decimal comma."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _p: f"{v * 100:.1f}".replace(".", ","))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _grid(n: int, ncols: int = 3, height: float = 2.8, width: float = 11.0,
          sharey: bool = True) -> tuple[Any, np.ndarray]:
    plt = _plt()
    ncols = max(1, min(ncols, n))
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows + 0.8), squeeze=False,
                             sharey=sharey)
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
    ax.set_xlim(-0.6, max(len(periods) - 0.4, 0.6))


def _from_zero(ax: Any, top: float | None = None) -> None:
    """Value axis from zero (with room above the data, or up to ``top``)."""
    ax.set_ylim(0, top if top is not None else max(ax.get_ylim()[1], 1e-9) * 1.08)


def mark_signals(ax: Any, sig: pd.DataFrame, periods: Sequence[str]) -> None:
    """Numbered marks of signals on a quarter axis (:func:`~zwt_analysis.present.signals.vertical_marks`).

    Numbers closer than a year to the previous one go one line higher (three
    lines), so labels do not overlap; the bottom of the panels is where the
    lines of these figures are not.
    """
    if sig.empty:
        return
    vertical_marks(ax, sig["nr"].tolist(), positions(sig["date"], list(periods)).tolist())


def _own_signals(sig: pd.DataFrame | None, organisation: str | None) -> pd.DataFrame:
    if sig is None or sig.empty or organisation in (None, ALL):
        return sig if sig is not None else pd.DataFrame()
    return sig.loc[sig["organisation"] == organisation]


def allocation_over_time(alloc: pd.DataFrame, panels: str = "organisation") -> Any:
    """Stacked hours shares per quarter, one small multiple per organisation or team.

    Args:
        alloc: :func:`~zwt_analysis.reports.prevention.allocation.time_allocation`
            rows to draw (suppressed team-quarters missing: a gap).
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
    periods = sorted(d["period"].unique())
    fig, axes = _grid(len(names))
    for ax, name in zip(axes.flat, names, strict=False):
        w = d.loc[d["_panel"] == name].pivot_table(index="period", columns="activity",
                                                   values="share", aggfunc="first", dropna=False)
        w = w.reindex(index=periods, columns=list(ACTIVITIES))
        w.loc[w.isna().any(axis=1)] = np.nan  # a suppressed quarter: a gap, not a guess
        x = np.arange(len(w))
        ax.stackplot(x, *[w[act].to_numpy() for act in ACTIVITIES],
                     colors=[ACTIVITY_COLOURS[a] for a in ACTIVITIES],
                     labels=[ACTIVITY_LABELS[a] for a in ACTIVITIES], step="mid", linewidth=0)
        ax.set_title(name, fontsize=11)
        ax.set_ylim(0, 1)
        _pct_axis(ax)
        _quarter_ticks(ax, periods)
        ax.grid(axis="x", visible=False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3)  # room kept by the layout
    fig.suptitle("Verdeling van geregistreerde uren over activiteiten, per kwartaal")
    return fig


def allocation_latest(alloc: pd.DataFrame, periods: Sequence[str]) -> Any:
    """Horizontal stacked bars per team over the given quarters (hours pooled), PACT marked.

    A team with a suppressed quarter in ``periods`` is left out (its pooled
    bar could give the hidden quarter back).

    Args:
        alloc: team rows of the allocation (suppressed team-quarters missing).
        periods: the quarters to pool (e.g. the last four).
    """
    plt = _plt()
    d = alloc.loc[(alloc["team"] != ALL) & alloc["period"].isin(list(periods))]
    hidden = d.loc[d["hours"].isna()].groupby(["organisation", "team"]).size().index
    hours = d.pivot_table(index=["organisation", "team"], columns="activity", values="hours",
                          aggfunc="sum", fill_value=0.0).reindex(columns=list(ACTIVITIES),
                                                                 fill_value=0.0)
    hours = hours.drop(index=[i for i in hidden if i in hours.index])
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


def share_with_floor(shares: pd.DataFrame, floor: float, sig: pd.DataFrame | None = None) -> Any:
    """Preventive share per team over time (one panel per organisation) with the floor.

    Args:
        shares: team rows of the preventive-share table (suppressed ones missing).
        floor: the ondergrens (fraction), drawn as a dotted line.
        sig: numbered signals to mark (each on its organisation's panel).
    """
    d = shares.loc[shares["team"] != ALL]
    orgs = sorted(d["organisation"].unique())
    fig, axes = _grid(len(orgs), ncols=min(3, max(1, len(orgs))))
    periods = sorted(d["period"].unique())
    pos = {p: i for i, p in enumerate(periods)}
    top = max(0.6, float(d["preventive_share"].max()) * 1.1) if d["preventive_share"].notna().any() else 1
    for ax, org in zip(axes.flat, orgs, strict=False):
        for team, g in d.loc[d["organisation"] == org].groupby("team"):
            g = g.set_index("period").reindex(periods)
            style = "--" if bool(g["pact"].fillna(False).astype(bool).any()) else "-"
            ax.plot([pos[p] for p in periods], g["preventive_share"], style, lw=1.3,
                    label=str(team) + (" (PACT)" if style == "--" else ""))
        ax.axhline(floor, color="black", lw=1.2, ls=":", label=f"ondergrens {floor * 100:.0f}%")
        mark_signals(ax, _own_signals(sig, org), periods)
        ax.set_title(org, fontsize=11)
        _from_zero(ax, min(1.0, top))
        _pct_axis(ax)
        _quarter_ticks(ax, periods)
        _legend_below(ax)
    fig.suptitle("Preventief aandeel per team en kwartaal (stippellijn: ondergrens; "
                 "streepjes: PACT-team)")
    return fig


def deadline_trends(figure: pd.DataFrame, organisation: str = ALL,
                    sig: pd.DataFrame | None = None) -> Any:
    """Share on time per quarter, one small multiple per deadline indicator.

    Final cohorts: a line with its 95% band; provisional cohorts (limit not
    yet passed for every case): open circles without a band. An
    organisation's report draws the municipality as a grey reference line.
    A share the table suppresses is missing.

    Args:
        figure: masked rows of ``termijnen_per_kwartaal`` with ``status``.
        organisation: whose rows to draw (``ALL`` = the city).
        sig: numbered signals to mark on every panel.
    """
    inds = [i for i in DEADLINE_LABELS if i in set(figure["indicator_id"])]
    periods = sorted(figure["period"].unique())
    pos = {p: i for i, p in enumerate(periods)}
    fig, axes = _grid(max(1, len(inds)), ncols=3)
    for ax, ind in zip(axes.flat, inds, strict=False):
        rows = figure.loc[figure["indicator_id"] == ind]
        if organisation != ALL:
            ref = rows.loc[(rows["organisation"] == ALL) & (rows["status"] == "definitief")]
            ref = ref.set_index("period").reindex(periods)
            ax.plot(range(len(periods)), ref["share_on_time"].astype(float), color=REFERENCE,
                    lw=1.2, label=f"{CITY} (referentie)")
        own = rows.loc[rows["organisation"] == organisation]
        final = own.loc[own["status"] == "definitief"].set_index("period").reindex(periods)
        x = np.arange(len(periods))
        ax.fill_between(x, final["ci_low"].astype(float), final["ci_high"].astype(float),
                        alpha=0.25, color=MAIN, linewidth=0)
        ax.plot(x, final["share_on_time"].astype(float), color=MAIN, lw=1.5,
                label=org_heading(organisation) if organisation != ALL else "definitief")
        prov = own.loc[own["status"] != "definitief"]
        ax.plot([pos[p] for p in prov["period"]], prov["share_on_time"].astype(float), "o",
                mfc="white", mec=MAIN, ms=5, label="voorlopig")
        mark_signals(ax, _own_signals(sig, organisation), periods)
        ax.set_ylim(0, 1.02)
        _pct_axis(ax)
        _quarter_ticks(ax, periods)
        ax.set_title(DEADLINE_LABELS[ind], fontsize=10)
    if inds:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3)
    fig.suptitle("Aandeel binnen de wettelijke termijn per kwartaal van de start "
                 "(band: 95%-marge; open rondjes: voorlopig)")
    return fig


def deadline_effects(table: pd.DataFrame) -> Any:
    """Difference in timeliness per ``effect_step`` cases per FTE more, per deadline, with margins.

    Args:
        table: :data:`~zwt_analysis.reports.prevention.model.DEADLINE_MODEL_COLUMNS`.
    """
    plt = _plt()
    d = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(d) + 1.4))
    y = np.arange(len(d))
    lo, hi = d["ci_low_pp"].to_numpy(float), d["ci_high_pp"].to_numpy(float)
    est = d["effect_pp"].to_numpy(float)
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color=MAIN, capsize=4)
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([DEADLINE_LABELS.get(i, i) for i in d["indicator_id"]], fontsize=9)
    ax.set_xlabel("procentpunt verschil in 'op tijd' (met 95%-marge)")
    _num_axis(ax, "x")
    ax.set_title("Tijdigheid bij een hogere caseload (binnen teams)")
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
        ax.step(v, np.arange(1, len(v) + 1) / len(v), where="post", color=MAIN)
        ax.axvline(lim, color="#d55e00", ls="--", lw=1.3)
        within = float((v <= lim).mean()) if len(v) else float("nan")
        ax.text(lim, 0.05, f" termijn {lim} dagen\n {within * 100:.0f}% binnen", color="#d55e00",
                fontsize=8)
        ax.set_xlim(0, clip_factor * lim)
        ax.set_ylim(0, 1.02)
        _pct_axis(ax)
        ax.set_xlabel("dagen")
        ax.set_title(DEADLINE_LABELS[ind], fontsize=10)
    fig.suptitle("Verdeling van de doorlooptijd (afgeronde casussen); streepjeslijn = wettelijke termijn")
    return fig


def scarcity_trends(quarterly: pd.DataFrame, column: str, title: str, ylabel: str,
                    sig: pd.DataFrame | None = None, warmup: Sequence[str] = ()) -> Any:
    """A scarcity measure per team over time, one panel per organisation, axis from zero.

    Args:
        quarterly: :func:`~zwt_analysis.reports.prevention.scarcity.scarcity_quarterly` output.
        column: ``caseload_per_fte`` or ``hours_per_fte``.
        title, ylabel: Dutch texts.
        sig: numbered signals to mark (each on its organisation's panel).
        warmup: quarters shaded as the registration's warm-up (left out of the models).
    """
    d = quarterly.loc[(quarterly["team"] != ALL) & (quarterly["organisation"] != ALL)]
    orgs = sorted(d["organisation"].unique())
    fig, axes = _grid(max(1, len(orgs)), ncols=3)
    periods = sorted(d["period"].unique())
    pos = {p: i for i, p in enumerate(periods)}
    top = float(d[column].max()) * 1.1 if d[column].notna().any() else 1.0
    for ax, org in zip(axes.flat, orgs, strict=False):
        for team, g in d.loc[d["organisation"] == org].groupby("team"):
            g = g.sort_values("period")
            ax.plot(g["period"].map(pos), g[column], lw=1.2, label=str(team))
        shade = [pos[p] for p in warmup if p in pos]
        if shade:
            ax.axvspan(min(shade) - 0.5, max(shade) + 0.5, color=REFERENCE, alpha=0.15, lw=0,
                       label="opstart (niet in het model)")
        mark_signals(ax, _own_signals(sig, org), periods)
        ax.set_title(org, fontsize=11)
        ax.set_ylabel(ylabel)
        _from_zero(ax, top)
        _num_axis(ax)
        _quarter_ticks(ax, periods)
        _legend_below(ax)
    fig.suptitle(title)
    return fig


def panel_scatter(data: pd.DataFrame, slope: float | None = None) -> Any:
    """Within-team scatter: deviations from each team's mean, with the fitted slope.

    Args:
        data: the panel the model used.
        slope: the fixed-effects slope to draw through the origin (optional).
    """
    plt = _plt()
    x = data["caseload_per_fte"] - data.groupby("team")["caseload_per_fte"].transform("mean")
    y = data["preventive_share"] - data.groupby("team")["preventive_share"].transform("mean")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter(x, y, s=12, alpha=0.5, color=MAIN)
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
    a1.scatter(residuals["fitted"], residuals["resid"], s=10, alpha=0.5, color=MAIN)
    a1.axhline(0, color="#d55e00", lw=1)
    a1.set_xlabel("voorspeld preventief aandeel")
    a1.set_ylabel("residu (procentpunt)")
    _pct_axis(a1, "x")
    _pp_axis(a1, "y")
    a1.set_title("Residuen tegen voorspelde waarden")
    a2.hist(residuals["resid"], bins=30, color=MAIN, alpha=0.8)
    a2.set_xlabel("residu (procentpunt)")
    _pp_axis(a2, "x")
    a2.set_ylabel("aantal team-kwartalen")
    a2.set_title("Verdeling van de residuen")
    return fig
