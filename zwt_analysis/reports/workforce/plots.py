"""Figures of the workforce report (Dutch labels), drawn from the library's frames.

Each function takes simulation results (:mod:`.simulate`) or a frame from
:mod:`.calibrate`, :mod:`.history`, :mod:`.model_checks` or :mod:`.funding`
(gathered by :func:`.build.build`) and returns a matplotlib ``Figure`` (pyplot is
imported lazily so the notebook shows it inline). No computation happens
here beyond quantiles over runs and the intervals drawn. Layouts are fixed
(no constrained layout) and ticks few: the report suite is timed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.labels import CITY_AS_SUM, org_heading, org_name
from zwt_analysis.present.axes import dutch_axis
from zwt_analysis.present.fmt import nl_number, nl_percent
from zwt_analysis.reports.workforce import calibrate, simulate
from zwt_analysis.reports.workforce.tables import (
    ASSUMPTION_LABELS_NL,
    OUTPUT_LABELS_NL,
    PERCENT_KEYS,
)

__all__ = ["FAN_KEYS", "plot_backtest", "plot_fan_panels", "plot_fans", "plot_funding",
           "plot_tornado", "plot_yearly_outflow"]

#: The evaluation's expectation for the share of today's staff still there in 2034.
EVALUATION_BAND = (0.8, 0.9)
#: Outputs in the report's fan charts, in panel order.
FAN_KEYS = ("effective_fte", "vacancies_fte", "stayers_share", "preventive_fte",
            "preventive_share")


# ----------------------------------------------------------------- shared pieces

def _grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) for ``n`` panels: one column for one panel, else two."""
    ncol = 1 if n <= 1 else 2
    return math.ceil(n / ncol), ncol


def _panel_grid(n: int, width: float, row_height: float, extra_height: float,
                sharex: bool = False) -> tuple[Any, np.ndarray, int]:
    """A figure with :func:`_grid_shape` panels of ``row_height`` inches per row.

    Returns (figure, 2-D array of axes, number of rows). The layout is fixed
    (constrained layout costs ~0.5 s per figure); callers set the margins.
    """
    import matplotlib.pyplot as plt

    nrow, ncol = _grid_shape(n)
    fig, axes = plt.subplots(nrow, ncol, figsize=(width, row_height * nrow + extra_height),
                             sharex=sharex, squeeze=False, layout="none")
    return fig, axes, nrow


def _hide_unused(axes: np.ndarray, n: int) -> None:
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)


def _colours() -> list[str]:
    import matplotlib.pyplot as plt

    return plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])


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

def plot_fans(results: dict[str, simulate.SimResult], key: str, organisations: list[str],
              title: str | None = None) -> Any:
    """Fan chart (10-50-90%) of ``key`` per organisation in a grid; returns the figure."""
    n = len(organisations)
    fig, axes, nrow = _panel_grid(n, 8.5 if n > 1 else 7.5, 3.0, 0.6, sharex=True)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.07 if nrow > 1 else 0.1,
                        top=0.88 if nrow > 1 else 0.82, hspace=0.3, wspace=0.22)
    pct = key in PERCENT_KEYS
    x, ticks = _decimal_years(results[organisations[0]].months)
    for ax, org in zip(axes.flat, organisations, strict=False):
        f = simulate.fan(results[org], key)
        ax.fill_between(x, f["p10"], f["p90"], alpha=0.3, label="10–90% van de runs")
        ax.plot(x, f["p50"], label="mediaan")
        _year_axis(ax, ticks)
        if key == "stayers_share":
            _evaluation_band(ax, 0.25, "verwachting evaluatie (80–90%)")
        ax.set_title(org_heading(org), fontsize=11)
        dutch_axis(ax, "y", percent=pct)
        if pct:
            ax.set_ylim(0, max(1.0 if key == "stayers_share" else 0.05,
                               float(f["p90"].max()) * 1.1))
        else:
            ax.set_ylim(bottom=0)
    _hide_unused(axes, n)
    axes.flat[0].legend(loc="best")
    fig.suptitle(title or OUTPUT_LABELS_NL.get(key, key))
    return fig


def plot_fan_panels(results: dict[str, simulate.SimResult], keys: list[str] | tuple[str, ...],
                    organisations: list[str], title: str) -> Any:
    """Fan charts (10-50-90%) of several outputs in one figure, one panel per output.

    Each organisation in ``organisations`` gets its own colour in every panel
    (band = 10-90% of the runs, line = median), so organisations can be
    compared directly. One figure with a few panels draws much faster than a
    grid per output (the report suite is timed).
    """
    colours = _colours()
    n = len(keys)
    fig, axes, nrow = _panel_grid(n, 9.0, 2.9, 0.8)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.06 if nrow > 1 else 0.12,
                        top=0.9 if nrow > 2 else 0.85, hspace=0.42, wspace=0.2)
    x, ticks = _decimal_years(results[organisations[0]].months)
    for ax, key in zip(axes.flat, keys, strict=False):
        pct = key in PERCENT_KEYS
        top = 0.0
        for i, org in enumerate(organisations):
            f = simulate.fan(results[org], key)
            colour = colours[i % len(colours)]
            ax.fill_between(x, f["p10"], f["p90"], color=colour, alpha=0.25, lw=0)
            ax.plot(x, f["p50"], color=colour, lw=1.8, label=org_name(org))
            top = max(top, float(f["p90"].max()))
        if key == "stayers_share":
            _evaluation_band(ax, 0.3, "verwachting evaluatie")
        ax.set_title(OUTPUT_LABELS_NL.get(key, key), fontsize=10)
        _year_axis(ax, ticks)
        dutch_axis(ax, "y", percent=pct)
        ax.set_ylim(0, (1.02 if key == "stayers_share" else max(top * 1.1, 1e-6)))
        if key == "stayers_share":
            ax.legend(loc="lower left", fontsize=8)
    _hide_unused(axes, n)
    if n % 2 == 1 and n > 1:
        axes.flat[n].set_visible(True)
        axes.flat[n].axis("off")
        axes.flat[n].text(0.02, 0.5, "Lijn: mediaan van de runs\nBand: 10–90% van de runs",
                          fontsize=9, va="center")
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

def plot_yearly_outflow(yearly: pd.DataFrame, organisations: list[str], first_year: int | None,
                        sector: float, source: str) -> Any:
    """Yearly outflow rate per organisation with its exact Poisson interval.

    Only full years from ``first_year`` (the first observed year) are drawn. A
    year with fewer than 5 leavers is left out (a published rate with its
    known stock would reveal a small count). The sector figure (outflow rate
    ``sector`` reported by ``source``) is a dashed line.
    """
    import matplotlib.pyplot as plt

    y = yearly[yearly["full_year"] & yearly["organisation"].isin(organisations)]
    if first_year is not None:
        y = y[y["year"] >= first_year]
    fig, ax = plt.subplots(figsize=(9.5, 4), layout="none")
    fig.subplots_adjust(left=0.09, right=0.76, bottom=0.12, top=0.88)
    colours = _colours()
    n = max(len(organisations), 1)
    for i, org in enumerate(organisations):
        g = y[(y["organisation"] == org) & (y["leavers"] >= 5)].sort_values("year")
        if g.empty:
            continue
        ci = np.array([calibrate.poisson_rate_interval(c, e) for c, e in
                       zip(g["leavers"], g["stock_jan1"], strict=True)])
        x = g["year"].to_numpy() + (i - (n - 1) / 2) * 0.08
        rate = g["outflow_rate"].to_numpy()
        ax.errorbar(x, rate, yerr=[rate - ci[:, 0], ci[:, 1] - rate], fmt="o-", capsize=3,
                    color=colours[i % len(colours)], lw=1.3, label=org_name(org))
    ax.axhline(sector, color="black", ls="--", lw=1,
               label=f"sector ({source}, ca. {nl_percent(sector, 0)})")
    years = sorted(y["year"].unique())
    if years:
        ax.set_xticks(years, [str(v) for v in years])
    dutch_axis(ax, "y", percent=True)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("vertrekkers / in dienst op 1 januari")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)  # beside the plot
    ax.set_title("Uitstroom per jaar (met 95%-interval)")
    return fig


def plot_backtest(monthly: pd.DataFrame, organisations: list[str]) -> Any:
    """Observed headcount against the projected 10-90% band per organisation."""
    import matplotlib.dates as mdates

    n = len(organisations)
    fig, axes, nrow = _panel_grid(n, 8.5, 3.2, 0.6)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1 if nrow > 1 else 0.18,
                        top=0.84 if nrow > 1 else 0.72, hspace=0.45, wspace=0.22)
    for ax, org in zip(axes.flat, organisations, strict=False):
        g = monthly[monthly["organisation"] == org]
        x = g["month"].dt.to_timestamp() if hasattr(g["month"], "dt") else g["month"]
        ax.fill_between(x, g["p10"], g["p90"], alpha=0.3, label="projectie 10–90%")
        ax.plot(x, g["p50"], label="projectie mediaan")
        ax.plot(x, g["observed"], "k.", label="werkelijk")
        ax.set_title(CITY_AS_SUM if org == ALL else org, fontsize=11)
        dutch_axis(ax, "y", integer=True)  # persons: whole numbers
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%Y"))
        ax.tick_params(axis="x", labelsize=9)
    _hide_unused(axes, n)
    handles, labels = axes.flat[0].get_legend_handles_labels()  # one legend, above the panels
    fig.legend(handles, labels, loc="upper center", ncol=3, fontsize=9,
               bbox_to_anchor=(0.5, 0.93 if nrow > 1 else 0.88))
    fig.suptitle("Terugtoets: medewerkers in dienst (personen, einde maand)")
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
    ax.set_ylabel("miljoen euro (nominaal)")
    ax.set_xticks(g["year"], [str(y) for y in g["year"]])
    dutch_axis(ax, "y", decimals=1)
    ax.legend(loc="upper left")
    ax.set_title(f"Structureel en incidenteel geld per jaar — {org_heading(organisation)}")
    return fig
