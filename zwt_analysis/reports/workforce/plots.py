"""Figures of the workforce report (Dutch labels), drawn from the library's frames.

Each function takes simulation results (:mod:`.simulate`) or a frame that
:func:`.build.build` gathered and returns a matplotlib ``Figure`` (pyplot is
imported lazily so the notebook shows it inline). Counts come from the
protected tables' ``masked()`` frames: a figure never shows what a table
suppresses. No computation happens here beyond quantiles over runs. Layouts
are fixed (no constrained layout) and ticks few: the report suite is timed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.labels import org_heading
from zwt_analysis.present.axes import dutch_axis
from zwt_analysis.present.fmt import nl_number, nl_percent
from zwt_analysis.reports.workforce import simulate
from zwt_analysis.reports.workforce.tables import (
    ASSUMPTION_LABELS_NL,
    OUTPUT_LABELS_NL,
    PERCENT_KEYS,
)

__all__ = ["FAN_KEYS", "plot_backtest", "plot_funding", "plot_small_multiples",
           "plot_tornado", "plot_yearly_outflow"]

#: The evaluation's expectation for the share of today's staff still there in 2034.
EVALUATION_BAND = (0.8, 0.9)
#: Outputs in the report's fan charts, in panel order.
FAN_KEYS = ("effective_fte", "stayers_share", "preventive_share")


# ----------------------------------------------------------------- shared pieces

def _decimal_years(months: pd.PeriodIndex) -> tuple[np.ndarray, list[int]]:
    """x positions (decimal years) of ``months`` and the year ticks (every other
    year beyond six years). Date locators make many ticks, slow to draw."""
    x = np.asarray(months.year) + (np.asarray(months.month) - 1) / 12
    years = list(range(int(x[0]), int(np.ceil(x[-1] + 1 / 12)) + 1))
    return x, years[:: 2 if len(years) > 6 else 1]


def _year_axis(ax: Any, ticks: list[int]) -> None:
    """Year ticks on x, at most five ticks on y."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(v)}"))
    ax.yaxis.set_major_locator(MaxNLocator(5))


def _evaluation_band(ax: Any, alpha: float, label: str) -> None:
    ax.axhspan(*EVALUATION_BAND, color="#949494", alpha=alpha, lw=0, label=label)


# ----------------------------------------------------------------- scenarios

def plot_small_multiples(results: dict[str, simulate.SimResult],
                         keys: list[str] | tuple[str, ...], organisations: list[str],
                         title: str) -> Any:
    """Small multiples: one row per output, one column per organisation (same y-axis per row).

    Band = 10-90% of the runs, line = median; the evaluation's 80-90% as a grey
    strip on the share of today's staff still there.
    """
    import matplotlib.pyplot as plt

    nrow, ncol = len(keys), len(organisations)
    fig, axes = plt.subplots(nrow, ncol, figsize=(min(3.2 * ncol + 1.4, 13), 2.3 * nrow + 0.9),
                             sharex=True, sharey="row", squeeze=False, layout="none")
    fig.subplots_adjust(left=0.09 if ncol > 1 else 0.14, right=0.98, bottom=0.07, top=0.9,
                        hspace=0.35, wspace=0.08)
    x, ticks = _decimal_years(results[organisations[0]].months)
    for r, key in enumerate(keys):
        pct = key in PERCENT_KEYS
        for c, org in enumerate(organisations):
            ax, f = axes[r, c], simulate.fan(results[org], key)
            ax.fill_between(x, f["p10"], f["p90"], color="#0072b2", alpha=0.25, lw=0,
                            label="10–90% van de runs")
            ax.plot(x, f["p50"], color="#0072b2", lw=1.6, label="mediaan")
            if key == "stayers_share":
                _evaluation_band(ax, 0.3, "verwachting evaluatie (80–90%)")
            _year_axis(ax, ticks[::2] if ncol > 2 else ticks)
            if r == 0:
                ax.set_title(org_heading(org), fontsize=10)
            if c == 0:
                ax.set_ylabel(OUTPUT_LABELS_NL.get(key, key).split(" (")[0], fontsize=9)
                dutch_axis(ax, "y", percent=pct)
                ax.set_ylim(0, 1.02 if key == "stayers_share" else None)
            ax.set_ylim(bottom=0)
    axes[0, 0].legend(loc="lower left", fontsize=7)
    if "stayers_share" in keys:
        axes[list(keys).index("stayers_share"), 0].legend(loc="upper right", fontsize=7)
    fig.suptitle(title)
    return fig


def plot_tornado(sens: pd.DataFrame, base_label: str = "basis") -> Any:
    """Tornado chart of a :func:`simulate.sensitivity` table (preventive share 2034)."""
    import matplotlib.pyplot as plt

    d = sens.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(d) + 1.5))
    base = float(d["base"].iloc[0])
    y = np.arange(len(d))
    ax.barh(y, d["result_low"] - base, left=base, color="#0173b2", label="lage waarde")
    ax.barh(y, d["result_high"] - base, left=base, color="#de8f05", label="hoge waarde")
    ax.axvline(base, color="black", linewidth=1)

    def fmt(k: str, v: float) -> str:
        return nl_percent(v, 1) if k in PERCENT_KEYS else nl_number(v, 0)

    ax.set_yticks(y, [f"{ASSUMPTION_LABELS_NL.get(k, k)}\n({fmt(k, lo)} – {fmt(k, hi)})"
                      for k, lo, hi in zip(d["parameter"], d["low"], d["high"], strict=True)],
                  fontsize=9)
    dutch_axis(ax, "x", percent=True)
    ax.set_xlabel(f"Preventief aandeel in het laatste jaar ({base_label}: {nl_percent(base)})")
    ax.legend(loc="lower right")
    ax.set_title("Gevoeligheid: welke aanname weegt het zwaarst?")
    return fig


# ----------------------------------------------------------------- history and checks

def plot_yearly_outflow(yearly: pd.DataFrame, organisations: list[str], sector: float,
                        source: str, signals: pd.DataFrame | None = None) -> Any:
    """Yearly outflow per organisation (small multiples) with its 95% interval.

    Args:
        yearly: the protected ``workforce_yearly`` table's ``masked()`` frame: a
            suppressed year (fewer than 5 leavers, or hidden to protect one) is
            missing and not drawn; only full years are drawn.
        sector: the sector's outflow (dashed line) reported by ``source``.
        signals: stories from practice (``date, organisation, text``) marked
            as numbered ticks on the panel of their organisation (the city's
            panel shows all); listed in the caption.
    """
    import matplotlib.pyplot as plt

    y = yearly[yearly["full_year"].astype(bool) & yearly["organisation"].isin(organisations)]
    n = max(len(organisations), 1)
    fig, axes = plt.subplots(1, n, figsize=(min(3.3 * n + 1.2, 13), 3.4), sharey=True,
                             squeeze=False, layout="none")
    fig.subplots_adjust(left=0.08 if n > 1 else 0.12, right=0.98, bottom=0.16, top=0.8,
                        wspace=0.08)
    top = float(np.nanmax(y["outflow_high"].to_numpy(float))) if y["outflow_high"].notna().any() \
        else sector * 2
    for ax, org in zip(axes.flat, organisations, strict=True):
        g = y[(y["organisation"] == org) & y["outflow_rate"].notna()].sort_values("year")
        rate = g["outflow_rate"].to_numpy(float)
        ax.errorbar(g["year"].to_numpy(float) + 0.5, rate,
                    yerr=[rate - g["outflow_low"].to_numpy(float),
                          g["outflow_high"].to_numpy(float) - rate],
                    fmt="o-", capsize=3, color="#0072b2", lw=1.3)
        ax.axhline(sector, color="black", ls="--", lw=1)
        ax.set_title(org_heading(org), fontsize=10)
        _signal_ticks(ax, signals, org, top)
    years = sorted(y["year"].unique())
    for ax in axes.flat:
        if years:
            ax.set_xticks([v + 0.5 for v in years[::2 if len(years) > 5 else 1]],
                          [str(v) for v in years[::2 if len(years) > 5 else 1]])
        ax.set_ylim(0, top * 1.12)
    dutch_axis(axes[0, 0], "y", percent=True)
    axes[0, 0].set_ylabel("vertrekkers / in dienst op 1 januari")
    fig.suptitle(f"Vertrek per jaar met 95%-interval; stippellijn: sector ({source}, ca. "
                 f"{nl_percent(sector, 0)}); driehoekjes: signalen uit de praktijk", fontsize=10)
    return fig


def _signal_ticks(ax: Any, signals: pd.DataFrame | None, org: str, top: float) -> None:
    """Numbered triangles at the dates of the signals about ``org`` (all for the city)."""
    if signals is None or signals.empty:
        return
    from zwt_analysis.contract import ALL

    s = signals.reset_index(drop=True)
    for k, row in s.iterrows():
        if org != ALL and row["organisation"] != org:
            continue
        d = pd.Timestamp(row["date"])
        x = d.year + (d.dayofyear - 1) / 366
        ax.plot([x], [top * 1.05], marker="v", color="#d55e00", ms=6)
        ax.annotate(str(k + 1), (x, top * 1.05), textcoords="offset points",
                    xytext=(0, 5 + 8 * (k % 2)),
                    ha="center", fontsize=7, color="#d55e00")


def plot_backtest(yearly: pd.DataFrame, organisations: list[str]) -> Any:
    """Back-test: the 10-90% band of the projected leavers per year against the observed ones.

    ``yearly`` is :attr:`.model_checks.BacktestResult.yearly` with the observed
    count already masked where the published tables suppress it.
    """
    import matplotlib.pyplot as plt

    n = max(len(organisations), 1)
    fig, axes = plt.subplots(1, n, figsize=(min(3.2 * n + 1.2, 13), 3.2), squeeze=False,
                             layout="none")
    fig.subplots_adjust(left=0.08 if n > 1 else 0.12, right=0.98, bottom=0.16, top=0.72,
                        wspace=0.25)
    for ax, org in zip(axes.flat, organisations, strict=True):
        g = yearly[yearly["organisation"] == org].sort_values("year")
        x = g["year"].to_numpy(float)
        ax.vlines(x, g["leavers_p10"], g["leavers_p90"], color="#0072b2", lw=6, alpha=0.35,
                  label="80% van de runs")
        ax.plot(x, g["leavers_p50"], "_", color="#0072b2", ms=14, label="mediaan")
        ax.plot(x, g["leavers_observed"], "ko", ms=4, label="werkelijk")
        ax.set_title(org_heading(org), fontsize=10)
        ax.set_xticks(x, [str(int(v)) for v in x])
        ax.set_ylim(bottom=0)
        dutch_axis(ax, "y", integer=True)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=3, fontsize=8,
               bbox_to_anchor=(0.5, 0.89))
    fig.suptitle("Terugtoets: vertrekkers per jaar, steeds één jaar vooruit voorspeld")
    return fig


# ----------------------------------------------------------------- funding

def plot_funding(by_year: pd.DataFrame, organisation: str) -> Any:
    """Stacked bars of structural and incidental money per year (EUR million)."""
    import matplotlib.pyplot as plt

    g = by_year[by_year["organisation"] == organisation].sort_values("year")
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(g["year"], g["structural_eur"] / 1e6, label="structureel")
    ax.bar(g["year"], g["incidental_eur"] / 1e6, bottom=g["structural_eur"] / 1e6,
           label="incidenteel")
    ax.set_ylabel("miljoen euro (zoals aangeleverd)")
    ax.set_ylim(bottom=0)
    ax.set_xticks(g["year"], [str(y) for y in g["year"]])
    dutch_axis(ax, "y", decimals=1)
    ax.legend(loc="upper left")
    ax.set_title(f"Structureel en incidenteel geld per jaar — {org_heading(organisation)}")
    return fig
