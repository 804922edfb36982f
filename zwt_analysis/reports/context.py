"""What every report notebook starts with: resolved parameters, as-of, cached tables.

A report notebook starts with::

    ctx = context.start(title="Datakwaliteit", params={...all parameters...})

which resolves the parameters (``processed_dir`` "" -> the project's
``data/processed/current``; ``output_dir`` "" -> the current folder; ``indicators_file``
"" -> ``<processed>/indicators.csv`` if present, else computed), shows a sticky
"SYNTHETISCHE DATA" banner when the data are synthetic, the title, the
parameters as a small table, the as-of date and the organisation, and sets a
readable plotting style. The returned :class:`ReportContext` reads each
processed table once (cached) and writes suppressed CSV side tables.

Imports are kept lean on purpose (the suite is benchmarked per notebook):
importing this module and calling :func:`start` load none of pandas, numpy,
pyarrow, matplotlib, seaborn, scipy, statsmodels or duckdb.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwt_analysis import config, processed
from zwt_analysis.contract import ALL, INDICATOR_COLUMNS
from zwt_analysis.fsutil import write_csv
from zwt_analysis.present import page
from zwt_analysis.present.figures import install_alt_text
from zwt_analysis.present.style import set_style
from zwt_analysis.present.tables import SavedTable

if TYPE_CHECKING:
    import pandas as pd

    from zwt_analysis.municipality import Municipality

INDICATORS_FILE = "indicators.csv"


@dataclass
class ReportContext:
    """What a report notebook works with: resolved paths, as-of, cached tables.

    Attributes:
        processed_dir: folder written by ``zwt clean`` (resolved, absolute).
        organisation: ``"ALL"`` (whole city) or one organisation name.
        as_of: reference date recorded by ``zwt clean``.
        synthetic: True when the processed data came from ``zwt synth``.
        output_dir: folder for CSV side tables (created).
        indicators_file: explicit indicator CSV, or None (then
            ``<processed_dir>/indicators.csv`` if present, else computed).
        params: the notebook's parameters as passed to :func:`start`.
    """

    processed_dir: Path
    organisation: str
    as_of: date
    synthetic: bool
    output_dir: Path
    indicators_file: Path | None = None
    params: dict[str, Any] = field(default_factory=dict)
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _indicators: pd.DataFrame | None = field(default=None, repr=False)
    _municipality: Municipality | None = field(default=None, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """Processed table ``name`` (read once, then cached; NOT filtered by organisation).

        An absent table comes back empty with the contract's columns. Callers
        must not modify the returned frame in place (pandas copy-on-write
        makes ordinary assignments safe).
        """
        if name not in self._tables:
            self._tables[name] = processed.read_table(self.processed_dir, name)
        return self._tables[name]

    def indicators(self) -> pd.DataFrame:
        """The long indicator table (contract columns), read or computed once.

        Source, in order: the ``indicators_file`` parameter; ``indicators.csv``
        in the processed folder; else computed from the processed tables with
        ``zwt_analysis.indicators.compute_from_processed``. ``period`` is text.
        """
        if self._indicators is None:
            path = self.indicators_file or self.processed_dir / INDICATORS_FILE
            if path.exists():
                self._indicators = processed.read_indicators(path)
            elif self.indicators_file is not None:
                raise FileNotFoundError(f"indicator file not found: {path}")
            else:
                from zwt_analysis import indicators as ind

                df = ind.compute_from_processed(self.processed_dir)
                self._indicators = df[list(INDICATOR_COLUMNS)].astype(
                    {"indicator_id": "string", "period": "string",
                     "organisation": "string", "team": "string"})
        return self._indicators

    @property
    def municipality(self) -> Municipality:
        """The municipality of this run (configuration first, then the data; read once).

        The GM code comes from the wijk codes in ``areas``; the first year is the first year
        with a reported case or registered hours.
        """
        if self._municipality is None:
            import pandas as pd

            from zwt_analysis import municipality as mun

            years = [pd.to_datetime(self.table(t)[c]).dt.year.min()
                     for t, c in (("cases", "date_report"), ("time_registrations", "date"))]
            years = [int(y) for y in years if pd.notna(y)]
            self._municipality = mun.resolve(self.table("areas")["area_code"],
                                             min(years) if years else None)
        return self._municipality

    def filter_org(self, df: pd.DataFrame) -> pd.DataFrame:
        """Rows of ``df`` for this report's organisation (all rows when it is ``ALL``).

        A frame without an ``organisation`` column is returned unchanged. For
        an indicator table with organisation ``X`` this keeps X's own rows
        (``team`` ALL and its teams), not the city rows.
        """
        if self.organisation == ALL or "organisation" not in df.columns:
            return df
        return df[df["organisation"] == self.organisation]

    def save_table(self, df: pd.DataFrame, name: str,
                   person_count_columns: tuple[str, ...] | list[str] = (),
                   group_columns: tuple[str, ...] | list[str] = (),
                   derived_columns: tuple[str, ...] | list[str] = ()) -> Path:
        """Write ``df`` as ``<output_dir>/<name>.csv``, suppressed for publication.

        Cells of ``person_count_columns`` counting fewer than
        ``config.MIN_CELL_PERSONS`` persons are suppressed (``<5``) with
        secondary suppression, by :func:`zwt_analysis.publish.suppress_counts`
        (``group_columns``: rows whose counts add up to a known total;
        ``derived_columns``: shares computed from the counts, suppressed with
        them). The CSV is UTF-8, comma-separated, with ``.`` as decimal mark.

        Returns:
            Path of the written file (a :class:`SavedTable`: as the last
            expression of a cell it shows as a link to the CSV).

        Raises:
            ValueError: ``name`` is not a plain file stem, or a person-count
                column is not in ``df``.
        """
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"table name must be a plain file stem, got {name!r}")
        cols = list(person_count_columns)
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ValueError(f"person-count columns not in table: {', '.join(missing)}")
        out = df
        if cols:
            from zwt_analysis.present.publish import suppress_counts

            out = suppress_counts(df, cols, group_columns=list(group_columns),
                                  derived_columns=list(derived_columns))
        self.output_dir.mkdir(parents=True, exist_ok=True)
        path = SavedTable(self.output_dir / f"{name}.csv")
        write_csv(out, path, quote_text=False)
        return path


def _resolve(value: Any, default: Path) -> Path:
    return Path(value).expanduser().resolve() if value not in (None, "") else default


def context(params: dict[str, Any]) -> ReportContext:
    """Build a :class:`ReportContext` from notebook parameters without displaying anything.

    Raises:
        FileNotFoundError: the processed folder or its ``validation.json``
            (with the as-of date) is missing.
    """
    pdir = _resolve(params.get("processed_dir"), config.CURRENT_PROCESSED_DIR.resolve())
    if not pdir.is_dir():
        raise FileNotFoundError(f"processed folder not found: {pdir} (run `zwt clean` first)")
    out = _resolve(params.get("output_dir"), Path.cwd())
    out.mkdir(parents=True, exist_ok=True)
    ind = params.get("indicators_file")
    return ReportContext(
        processed_dir=pdir,
        organisation=str(params.get("organisation") or ALL),
        as_of=processed.as_of(pdir),
        synthetic=processed.is_synthetic(pdir),
        output_dir=out,
        indicators_file=Path(ind).expanduser().resolve() if ind not in (None, "") else None,
        params=dict(params),
    )


def start(title: str, params: dict[str, Any]) -> ReportContext:
    """Start a report: resolve parameters, show banner and header, set the style.

    Every figure the notebook then shows carries a Dutch text alternative
    (:func:`zwt_analysis.present.figures.install_alt_text`).

    Args:
        title: the report's Dutch title (shown as the page heading).
        params: every parameter of the notebook's parameters cell.

    Returns:
        The :class:`ReportContext` the rest of the notebook uses.
    """
    ctx = context(params)
    set_style()
    install_alt_text()
    page._display_html(page.header_html(title, ctx.params, ctx.as_of, ctx.organisation, ctx.synthetic))
    return ctx
