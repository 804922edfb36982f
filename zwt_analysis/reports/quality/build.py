"""Everything the data-quality report shows, in one call: :func:`build`.

The notebook (``notebooks/01_data_quality.py``) calls ``build(ctx, params)``
once and then only renders the :class:`QualityResult`. Nothing here hides
small counts: the frames are internal (the CSV side tables are suppressed by
``ctx.save_table``, reader tables and figures by
:mod:`zwt_analysis.reports.quality.tables`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from zwt_analysis.contract import ALL
from zwt_analysis.reports.quality import compute

if TYPE_CHECKING:
    import pandas as pd

    from zwt_analysis.reports.context import ReportContext

#: Default number of quarantine reasons shown per table (the notebook parameter ``top_reasons``).
TOP_REASONS = 5

#: Tables whose clean rows per quarter and organisation show gaps in deliveries.
EVENT_TABLES = ("cases", "time_registrations", "signals")

#: Columns of the "what was read" table, in the order of the side table ``ingelezen.csv``.
READ_SHOWN = ("table", "delivered", "source_file", "rows_in", "rows_clean", "rows_quarantined",
              "share_quarantined", "low", "high", "balanced")


@dataclass
class QualityResult:
    """What the data-quality report shows (internal frames: counts are not suppressed).

    Attributes:
        organisation: ``"ALL"`` (whole city) or one organisation.
        as_of: the reference date of the processed data.
        as_of_source: how ``zwt clean`` chose it (``"option"``, another
            source, or ``""`` when unknown).
        read: rows read, clean and quarantined per contract table
            (:data:`READ_SHOWN`; ``low``/``high``: 95% Wilson interval of
            ``share_quarantined``). Always the whole city.
        missing: contract tables that were not delivered.
        unbalanced: tables where rows_in != rows_clean + rows_quarantined.
        reasons: quarantine reasons per table (top ``top_reasons``, whole city).
        notes: columns delivered in excess, lacking (optional) or renamed.
        completeness: share filled per table and column (this organisation).
        gaps: the rows of ``completeness`` with a share below 1, by table and share.
        by_organisation: completeness per organisation.
        compare_organisations: True when the report is for the city and more
            than one organisation delivered (the per-organisation heatmap).
        by_period: completeness per period (``YYYY-Qn`` or ``YYYY``).
        rows_by_period: clean rows per table, organisation and period.
        event_rows: the rows of ``rows_by_period`` of :data:`EVENT_TABLES`.
        date_ranges: first and last value of every date column.
    """

    organisation: str
    as_of: date
    as_of_source: str
    read: pd.DataFrame
    missing: list[str]
    unbalanced: list[str]
    reasons: pd.DataFrame
    notes: pd.DataFrame
    completeness: pd.DataFrame
    gaps: pd.DataFrame
    by_organisation: pd.DataFrame
    compare_organisations: bool
    by_period: pd.DataFrame
    rows_by_period: pd.DataFrame
    event_rows: pd.DataFrame
    date_ranges: pd.DataFrame


def read_table(validation: Mapping[str, Any]) -> pd.DataFrame:
    """:func:`compute.read_summary` with the Wilson interval of the quarantined share.

    Returns:
        :data:`READ_SHOWN`; ``low``/``high`` NaN where no rows were read.
    """
    read = compute.add_interval(compute.read_summary(validation), "rows_quarantined", "rows_in")
    return read[list(READ_SHOWN)]


def unbalanced_tables(read: pd.DataFrame) -> list[str]:
    """Tables of :func:`read_table` whose rows do not add up (a missing check is not a failure)."""
    return read.loc[read["balanced"].eq(False).fillna(False), "table"].tolist()


def build(ctx: ReportContext, params: Mapping[str, Any]) -> QualityResult:
    """Compute everything the data-quality report shows.

    Args:
        ctx: the report context (processed folder, organisation, as-of).
        params: the notebook parameters; ``top_reasons`` (default
            :data:`TOP_REASONS`) quarantine reasons are kept per table.

    Returns:
        The :class:`QualityResult`. The read and quarantine figures cover the
        whole city (a quarantined row may lack a valid organisation); the
        completeness, row and date figures cover ``ctx.organisation``.
    """
    from zwt_analysis import processed

    validation = processed.read_validation(ctx.processed_dir)
    tables = {t: ctx.filter_org(ctx.table(t))
              for t in processed.available_tables(ctx.processed_dir)}
    read = read_table(validation)
    top = params.get("top_reasons", TOP_REASONS)
    overall = compute.completeness_all(tables)
    by_org = compute.completeness_all(tables, by=["organisation"])
    rows = compute.rows_by_period(tables)
    events = compute.rows_by_period({t: df for t, df in tables.items() if t in EVENT_TABLES})
    return QualityResult(
        organisation=ctx.organisation,
        as_of=ctx.as_of,
        as_of_source=str(validation.get("as_of_source", "") or ""),
        read=read,
        missing=compute.missing_tables(validation),
        unbalanced=unbalanced_tables(read),
        reasons=compute.quarantine_reasons(processed.read_quarantine(ctx.processed_dir), top=top),
        notes=compute.column_notes(validation),
        completeness=overall,
        gaps=overall[overall["share"] < 1].sort_values(["table", "share"]),
        by_organisation=by_org,
        compare_organisations=ctx.organisation == ALL and by_org["organisation"].nunique() > 1,
        by_period=compute.completeness_all(tables, by=["period"]),
        rows_by_period=rows,
        event_rows=events,
        date_ranges=compute.date_ranges(tables),
    )
