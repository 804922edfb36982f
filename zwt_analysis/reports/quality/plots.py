"""Figures of the data-quality report (Dutch labels).

Each function draws one figure on a new matplotlib figure and returns it (or
None when there is nothing to draw); the notebook shows it with
``plt.show()``. Figures draw from the *published* tables
(``ProtectedTable.masked()``): a cell the table hides (``<5``, ``x``) is
blank in the figure too, and counts that are not persons (other data files,
register fields) are drawn as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zwt_analysis.present.axes import dutch_axis, heatmap
from zwt_analysis.present.signals import vertical_marks
from zwt_analysis.reports.quality import compute
from zwt_analysis.reports.quality.build import GAP_TABLES
from zwt_analysis.reports.quality.stories import quarterly_rows
from zwt_analysis.reports.quality.tables import column_label, table_column_label, table_label
from zwt_analysis.signals import positions

if TYPE_CHECKING:
    import pandas as pd

    from zwt_analysis.disclosure import ProtectedTable

#: Tables with a completeness heatmap per period (staff per year, the others per quarter).
PERIOD_TABLES = ("cases", "time_registrations", "staff")


def rows_read(read: ProtectedTable) -> Any:
    """Horizontal bars of clean and quarantined rows per delivered table (log scale).

    ``read``: ``published["ingelezen"]``; a table whose counts are hidden gets no bar.
    None when no table was delivered.
    """
    import matplotlib.pyplot as plt

    df = read.masked()
    shown = df[df["delivered"].fillna(False).astype(bool)].sort_values("rows_in")
    if shown.empty:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(shown) + 1.2))
    labels = shown["table"].map(table_label)
    clean = shown["rows_clean"].astype(float)
    ax.barh(labels, clean, label="goed", color="#0072b2")
    ax.barh(labels, shown["rows_quarantined"].astype(float), left=clean.fillna(0),
            label="quarantaine", color="#d55e00")
    ax.set_xscale("log")
    ax.set_xlim(left=1)
    ax.set_xlabel("aantal regels (logaritmische schaal: elke streep is 10 keer zoveel)")
    ax.set_title("Ingelezen regels per tabel")
    ax.legend(loc="lower right")
    return fig


def completeness_by_organisation(by_org: ProtectedTable) -> Any:
    """Heatmap of the share filled per table column (not filled everywhere) and organisation.

    ``by_org``: ``published["volledigheid_per_organisatie"]``; hidden shares
    stay blank. None when every column is filled everywhere.
    """
    part = by_org.masked()
    part = part[by_org.frame.groupby(["table", "column"])["share"].transform("min") < 1]
    if part.empty:
        return None
    matrix = compute.completeness_matrix(
        part.assign(column=[table_column_label(t, c)
                            for t, c in zip(part["table"], part["column"], strict=True)]))
    return heatmap(matrix, title="Aandeel gevuld per kolom en organisatie").figure


def completeness_by_period(by_period: ProtectedTable, table: str) -> Any:
    """Heatmap of the share filled per column (not filled everywhere) and period of ``table``.

    ``by_period``: ``published["volledigheid_per_periode"]``; hidden shares
    stay blank. None when the table is absent or every column is filled everywhere.
    """
    frame = by_period.frame
    keep = (frame["table"] == table).to_numpy()
    part = by_period.masked()[keep]
    part = part[frame[keep].groupby("column")["share"].transform("min") < 1]
    if part.empty:
        return None
    part = part.assign(column=part["column"].map(lambda c: column_label(c, code=False)))
    return heatmap(compute.completeness_matrix(part, columns="period"),
                   title=f"Aandeel gevuld per {'jaar' if table == 'staff' else 'kwartaal'}"
                         f" — {table_label(table)}").figure


def rows_per_quarter(rows: ProtectedTable, tables: tuple[str, ...] = GAP_TABLES,
                     sig: pd.DataFrame | None = None) -> Any:
    """One panel per table: clean rows per quarter, a line per organisation.

    ``rows``: ``published["regels_per_periode"]``; hidden counts leave a gap
    in the line. Only ``tables`` with quarterly periods are drawn. ``sig``:
    numbered signals from practice, marked on every panel at their date (the
    list under the figure gives their text). None when nothing is left.
    """
    import matplotlib.pyplot as plt

    counts = quarterly_rows(rows.masked(), tables)
    if counts.empty:
        return None
    n = counts["table"].nunique()
    fig, axes = plt.subplots(n, 1, sharex=True, figsize=(10, 2.6 * n), squeeze=False)
    periods = sorted(counts["period"].unique())
    for ax, (table, part) in zip(axes[:, 0], counts.groupby("table"), strict=True):
        wide = part.pivot(index="period", columns="organisation", values="rows").reindex(periods)
        wide.astype(float).plot(ax=ax, marker="o", legend=True)
        ax.legend(title="organisatie", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_title(f"{table_label(table)}: regels per kwartaal")
        ax.set_xlabel("")
        ax.set_ylim(bottom=0)
        dutch_axis(ax, integer=True)
        if sig is not None and len(sig):
            vertical_marks(ax, sig["nr"].tolist(), positions(sig["date"], periods).tolist())
    ticks = range(0, len(periods), max(1, len(periods) // 10))
    axes[-1, 0].set_xticks(list(ticks), [periods[i] for i in ticks], rotation=45)
    return fig
