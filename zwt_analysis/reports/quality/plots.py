"""Figures of the data-quality report (Dutch labels).

Each function draws one figure on a new matplotlib figure and returns it (or
None when there is nothing to draw); the notebook shows it with
``plt.show()``. Shares and counts of fewer than five records are left out
(:func:`zwt_analysis.reports.quality.tables.mask_small`, ``hide_small_counts``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zwt_analysis.present.axes import dutch_axis, heatmap
from zwt_analysis.reports.quality import compute
from zwt_analysis.reports.quality.tables import (
    column_label,
    hide_small_counts,
    mask_small,
    table_column_label,
    table_label,
)

if TYPE_CHECKING:
    import pandas as pd

#: Tables with a completeness heatmap per period (staff per year, the others per quarter).
PERIOD_TABLES = ("cases", "time_registrations", "staff")


def rows_read(read: pd.DataFrame) -> Any:
    """Horizontal bars of clean and quarantined rows per delivered table (log scale)."""
    import matplotlib.pyplot as plt

    shown = read[read["delivered"].fillna(False)].sort_values("rows_in")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(shown) + 1.2))
    ax.barh(shown["table"].map(table_label), shown["rows_clean"].astype(float), label="goed")
    ax.barh(shown["table"].map(table_label), shown["rows_quarantined"].astype(float),
            left=shown["rows_clean"].astype(float), label="quarantaine", color="#d55e00")
    ax.set_xscale("log")
    ax.set_xlim(left=1)
    ax.set_xlabel("aantal regels (logaritmische schaal)")
    ax.set_title("Ingelezen regels per tabel")
    ax.legend(loc="lower right")
    return fig


def completeness_by_organisation(by_org: pd.DataFrame) -> Any:
    """Heatmap of the share filled per table column (not filled everywhere) and organisation.

    Groups of fewer than five rows stay blank.
    """
    part = mask_small(by_org)
    part = part[part.groupby(["table", "column"])["share"].transform("min") < 1]
    matrix = compute.completeness_matrix(
        part.assign(column=[table_column_label(t, c)
                            for t, c in zip(part["table"], part["column"], strict=True)]))
    return heatmap(matrix, title="Aandeel gevuld per kolom en organisatie").figure


def completeness_by_period(by_period: pd.DataFrame, table: str) -> Any:
    """Heatmap of the share filled per column (not filled everywhere) and period of ``table``.

    Periods with fewer than five rows stay blank. None when every column is
    filled everywhere (or all periods are small).
    """
    part = mask_small(by_period[by_period["table"] == table])
    part = part[part.groupby("column")["share"].transform("min") < 1]
    if part.empty:
        return None
    part = part.assign(column=part["column"].map(lambda c: column_label(c, code=False)))
    return heatmap(compute.completeness_matrix(part, columns="period"),
                   title=f"Aandeel gevuld per {'jaar' if table == 'staff' else 'kwartaal'}"
                         f" — {table_label(table)}").figure


def rows_per_quarter(event_rows: pd.DataFrame) -> Any:
    """One panel per table: clean rows per quarter, a line per organisation.

    Counts below five are left out; a table with only small counts gets no
    panel. None when nothing is left.
    """
    import matplotlib.pyplot as plt

    counts = hide_small_counts(event_rows)
    counts = counts[counts.groupby("table")["rows"].transform("count") > 0]  # not all hidden
    if counts.empty:
        return None
    fig, axes = plt.subplots(counts["table"].nunique(), 1, sharex=True,
                             figsize=(10, 2.6 * counts["table"].nunique()), squeeze=False)
    periods = sorted(counts["period"].unique())
    for ax, (table, part) in zip(axes[:, 0], counts.groupby("table"), strict=True):
        wide = part.pivot(index="period", columns="organisation", values="rows").reindex(periods)
        wide.plot(ax=ax, marker="o", legend=True)
        ax.legend(title="organisatie", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_title(f"{table_label(table)}: regels per kwartaal")
        ax.set_xlabel("")
        ax.set_ylim(bottom=0)
        dutch_axis(ax, integer=True)
    ticks = range(0, len(periods), max(1, len(periods) // 10))
    axes[-1, 0].set_xticks(list(ticks), [periods[i] for i in ticks], rotation=45)
    return fig
