"""Everything the data-quality report shows, in one call: :func:`build`.

The notebook (``notebooks/01_data_quality.py``) calls ``build(ctx, params)``
once and then only renders the :class:`QualityResult`. The CSV side tables,
the reader tables and the figures all come from ``QualityResult.published``:
the side tables of the city and every organisation protected in one pass
(:mod:`zwt_analysis.reports.quality.published`), so what a table hides no
figure and no other report shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from zwt_analysis.contract import ALL
from zwt_analysis.reports.quality import compute, delivery, published
from zwt_analysis.reports.quality.settings import QualitySettings, load_settings
from zwt_analysis.reports.quality.stories import (
    RegistrationSignals,
    figure_quarters,
    registration_signals,
)
from zwt_analysis.signals import MISSING

if TYPE_CHECKING:
    import pandas as pd

    from zwt_analysis.reports.context import ReportContext
    from zwt_analysis.reports.quality.published import Published

#: Default number of quarantine reasons kept per table (the notebook parameter ``top_reasons``).
TOP_REASONS = 5

#: Tables checked for quarters with few rows (signals are too sporadic for that).
GAP_TABLES = ("cases", "time_registrations")

#: Columns of the "what was read" table, in the order of the side table ``ingelezen.csv``
#: (which adds ``organisation``: always ``ALL``, the delivery as a whole).
READ_SHOWN = ("table", "delivered", "source_file", "rows_in", "rows_clean", "rows_quarantined",
              "share_quarantined", "low", "high", "balanced")


@dataclass
class QualityResult:
    """What the data-quality report shows.

    Attributes:
        organisation: ``"ALL"`` (whole city) or one organisation.
        municipality: the municipality's name for readers (``ctx.municipality``).
        as_of: the reference date of the processed data.
        as_of_source: how ``zwt clean`` chose it (``"option"``, another
            source, or ``""`` when unknown).
        settings: the report's settings (``resources/quality.yaml``).
        read: rows read, clean and quarantined per contract table
            (:data:`READ_SHOWN`; ``low``/``high``: 95% Wilson interval of
            ``share_quarantined``). Always the whole delivery. Internal.
        missing: contract tables that were not delivered.
        unbalanced: tables where rows_in != rows_clean + rows_quarantined.
        reasons: quarantine reasons per table (top ``top_reasons``, whole delivery).
        notes: columns delivered in excess, lacking (optional) or renamed.
        delivery: what reading had to make of the files
            (:func:`zwt_analysis.reports.quality.delivery.delivery_notes`).
        mappings: every organisation or team name respelled to match ``areas``.
        published: this folder's CSV side tables after suppression (city and
            organisations protected together): the source of every reader
            table and figure with counts of persons.
        compare_organisations: True when the report is for the city and more
            than one organisation delivered (the per-organisation heatmap).
        delivery_gaps: quarters with few rows of :data:`GAP_TABLES` for this
            report's organisation(s) (table, organisation, period).
        date_ranges: first and last value of every date column (this organisation).
        signals: signals from practice about registration, numbered for the figure of
            rows per quarter (:mod:`zwt_analysis.reports.quality.stories`).
    """

    organisation: str
    municipality: str
    as_of: date
    as_of_source: str
    settings: QualitySettings
    read: pd.DataFrame
    missing: list[str]
    unbalanced: list[str]
    reasons: pd.DataFrame
    notes: pd.DataFrame
    delivery: pd.DataFrame
    mappings: pd.DataFrame
    published: Published
    compare_organisations: bool
    delivery_gaps: pd.DataFrame
    date_ranges: pd.DataFrame
    signals: RegistrationSignals = field(
        default_factory=lambda: RegistrationSignals(MISSING))

    # internal views of the published tables (numbers before suppression: not for readers)
    @property
    def completeness(self) -> pd.DataFrame:
        """Share filled per table and column of this folder (internal numbers)."""
        return self.published["volledigheid"].frame

    @property
    def by_organisation(self) -> pd.DataFrame:
        """Completeness per organisation (internal numbers)."""
        return self.published["volledigheid_per_organisatie"].frame

    @property
    def by_period(self) -> pd.DataFrame:
        """Completeness per period (internal numbers)."""
        return self.published["volledigheid_per_periode"].frame

    @property
    def rows_by_period(self) -> pd.DataFrame:
        """Clean rows per table, organisation and period (internal numbers)."""
        return self.published["regels_per_periode"].frame

    @property
    def delivered(self) -> list[str]:
        """Contract tables with an entry in ``validation.json`` (in contract order)."""
        return self.read.loc[self.read["delivered"].fillna(False), "table"].tolist()


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


def shared_frames(read: pd.DataFrame, notes: pd.DataFrame,
                  reasons: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The side tables that are the same in every folder (the delivery as a whole)."""
    return {"ingelezen": read.assign(organisation=ALL)[["organisation", *READ_SHOWN]],
            "inleesnotities": notes, "quarantaine_redenen": reasons}


def build(ctx: ReportContext, params: Mapping[str, Any]) -> QualityResult:
    """Compute everything the data-quality report shows.

    Args:
        ctx: the report context (processed folder, organisation, as-of).
        params: the notebook parameters; ``top_reasons`` (default the
            setting, :data:`TOP_REASONS`) quarantine reasons are kept per table.

    Returns:
        The :class:`QualityResult`. The read and quarantine figures cover the
        whole delivery (a quarantined row may lack a valid organisation); the
        completeness, row and date figures cover ``ctx.organisation``. Any
        table may be missing (a partial delivery): its parts are then empty.

    Raises:
        zwt_analysis.disclosure.DisclosureError: a cell no suppression protects.
    """
    from zwt_analysis import processed

    settings = load_settings()
    validation = processed.read_validation(ctx.processed_dir)
    tables = {t: ctx.table(t) for t in processed.available_tables(ctx.processed_dir)}
    own = {t: ctx.filter_org(df) for t, df in tables.items()}
    read = read_table(validation)
    notes = delivery.delivery_notes(validation)
    reasons = compute.quarantine_reasons(processed.read_quarantine(ctx.processed_dir),
                                         top=params.get("top_reasons") or settings.top_reasons)
    pub = published.protect_all(tables, shared_frames(read, notes, reasons), ctx.organisation,
                                ctx.municipality.first_year)
    events = compute.rows_by_period({t: df for t, df in own.items() if t in GAP_TABLES})
    by_org = pub["volledigheid_per_organisatie"].frame
    quarters = figure_quarters(pub["regels_per_periode"].masked(), GAP_TABLES)
    return QualityResult(
        organisation=ctx.organisation,
        municipality=ctx.municipality.display_name,
        as_of=ctx.as_of,
        as_of_source=str(validation.get("as_of_source", "") or ""),
        settings=settings,
        read=read,
        missing=compute.missing_tables(validation),
        unbalanced=unbalanced_tables(read),
        reasons=reasons,
        notes=compute.column_notes(validation),
        delivery=notes,
        mappings=delivery.name_mappings(validation),
        published=pub,
        compare_organisations=ctx.organisation == ALL and by_org["organisation"].nunique() > 1,
        delivery_gaps=compute.delivery_gaps(events, settings.gap_fraction),
        date_ranges=compute.date_ranges(own),
        signals=registration_signals(tables.get("signals"), "signals" in tables,
                                     ctx.organisation, settings, quarters),
    )
