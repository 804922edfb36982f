"""Helpers every report notebook calls first: context, banner, style, side tables.

A report notebook starts with::

    ctx = notebook.start(title="Datakwaliteit", params={...all parameters...})

which resolves the parameters (``processed_dir`` "" -> the project's
``data/processed/current``; ``output_dir`` "" -> the current folder; ``indicators_file``
"" -> ``<processed>/indicators.csv`` if present, else computed), shows a sticky
"SYNTHETISCHE DATA" banner when the data are synthetic, the title, the
parameters as a small table, the as-of date and the organisation, and sets a
readable plotting style. The returned :class:`ReportContext` reads each
processed table once (cached) and writes suppressed CSV side tables.

Imports are kept lean on purpose (the suite is benchmarked per notebook):
importing this module and calling :func:`start` load none of pandas, numpy,
pyarrow, matplotlib, seaborn, scipy, statsmodels or duckdb. The plot style
reaches matplotlib through ``$MATPLOTLIBRC`` and the table display options
reach pandas when it is first imported (see :func:`set_style`); pandas and
the indicator and publication modules are imported only when used.
"""

from __future__ import annotations

import html
import importlib.abc
import math
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config, processed
from .contract import ALL, INDICATOR_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

INDICATORS_FILE = "indicators.csv"
SYNTHETIC_TEXT = "SYNTHETISCHE DATA — geen echte cijfers"

#: Inline CSS of the synthetic-data banner (no external style sheet: reports open offline).
BANNER_STYLE = (
    "position: sticky; top: 0; z-index: 1000; background: #b00020; color: #fff; "
    "font-weight: bold; font-size: 1.15em; text-align: center; padding: 0.5em 1em; "
    "margin: 0 0 0.8em 0; border-radius: 3px; letter-spacing: 0.03em;"
)

DUTCH_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)

#: Plot style file (matplotlibrc syntax), the one source of the report style.
STYLE_FILE = config.RESOURCES_DIR / "matplotlibrc"


def style_rc() -> dict[str, str]:
    """The settings of :data:`STYLE_FILE` as ``{rc key: text value}``."""
    out = {}
    for line in STYLE_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, _, value = line.partition(":")
            out[key.strip()] = value.strip()
    return out


# --------------------------------------------------------------------- formatting

def _is_missing(x: Any) -> bool:
    """True for None, a float NaN and ``pd.NA`` (without importing pandas)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return True
    pandas = sys.modules.get("pandas")  # pd.NA can only exist once pandas is loaded
    return pandas is not None and x is getattr(pandas, "NA", None)


def nl_number(x: float | int | None, decimals: int = 0) -> str:
    """Format a number the Dutch way: ``.`` groups thousands, ``,`` is the decimal mark.

    Missing values (None, NaN, pd.NA) give an empty string.

    Examples:
        >>> nl_number(1234.5, 1)
        '1.234,5'
        >>> nl_number(-0.125, 2)
        '-0,12'
        >>> nl_number(None)
        ''
    """
    if _is_missing(x):
        return ""
    text = f"{float(x):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nl_percent(share: float | None, decimals: int = 1) -> str:
    """Format a share (fraction 0..1) as a Dutch percentage: ``0.1234`` -> ``'12,3%'``.

    Examples:
        >>> nl_percent(0.1234)
        '12,3%'
        >>> nl_percent(float("nan"))
        ''
    """
    text = nl_number(None if _is_missing(share) else share * 100, decimals)
    return f"{text}%" if text else ""


def nl_date(d: date) -> str:
    """A date in Dutch words: ``date(2026, 9, 30)`` -> ``'30 september 2026'``."""
    return f"{d.day} {DUTCH_MONTHS[d.month - 1]} {d.year}"


def _tick_decimals(locs: Any) -> int:
    """Fewest decimals (0..6) that write every tick value exactly (``2.5`` needs 1)."""
    vals = [float(v) for v in locs if math.isfinite(float(v))]
    for d in range(7):
        if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 * max(1.0, abs(v) * 10**d) for v in vals):
            return d
    return 6


def dutch_axis(ax: Any, axis: str = "y", percent: bool = False, decimals: int | None = None,
               integer: bool = False) -> Any:
    """Give a matplotlib axis Dutch tick labels (``1.234,5``; ``12%`` when ``percent``).

    Args:
        ax: matplotlib axes (or a colorbar's axes).
        axis: ``"y"`` or ``"x"``.
        percent: the data are shares (0..1); ticks show percentages.
        decimals: fixed decimals; None chooses as many as the tick spacing needs.
        integer: counts: only whole-number ticks.

    Returns:
        ``ax``, so calls can be chained.
    """
    from matplotlib.ticker import Formatter, MaxNLocator

    class DutchFormatter(Formatter):
        def set_locs(self, locs):
            super().set_locs(locs)
            scaled = [v * 100 for v in locs] if percent else locs
            self.decimals = decimals if decimals is not None else _tick_decimals(scaled)

        def __call__(self, value, pos=None):
            d = getattr(self, "decimals", decimals if decimals is not None else 0)
            return nl_percent(value, d) if percent else nl_number(value, d)

    target = ax.yaxis if axis == "y" else ax.xaxis
    if integer:
        target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(DutchFormatter())
    return ax


def _display_float(x: float) -> str:
    return nl_number(x, 2)


#: pandas display options of the reports (Dutch decimal marks, wide tables).
PANDAS_OPTIONS: dict[str, Any] = {
    "display.float_format": _display_float,
    "display.max_columns": 30,
    "display.width": 160,
}


def _set_pandas_options(pandas: Any) -> None:
    for key, value in PANDAS_OPTIONS.items():
        pandas.set_option(key, value)


class _PandasOptionsOnImport(importlib.abc.MetaPathFinder):
    """Import hook: sets :data:`PANDAS_OPTIONS` as soon as pandas is first imported.

    It finds pandas' spec with the other finders and only wraps the loader's
    ``exec_module`` for that one import; afterwards the module's spec and
    ``__loader__`` are the original ones again and the hook is gone.
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "pandas":
            return None
        _remove_pandas_hook()
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _SetOptionsAfterExec(spec.loader)
        return spec


class _SetOptionsAfterExec:
    """Loader wrapper: runs the real loader, restores it, then sets the pandas options."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        try:
            self.loader.exec_module(module)
        finally:
            module.__loader__ = self.loader
            if getattr(module, "__spec__", None) is not None:
                module.__spec__.loader = self.loader
        _set_pandas_options(module)


def _remove_pandas_hook() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _PandasOptionsOnImport)]


def set_style() -> None:
    """Readable plotting defaults and Dutch decimal commas in displayed tables.

    Neither matplotlib nor pandas is imported here (this keeps their import
    time out of every notebook's start-up and out of notebooks that never
    use them). The plot style (:data:`STYLE_FILE`): when matplotlib is
    loaded, its ``rcParams`` are updated directly; else ``$MATPLOTLIBRC``
    points to the style file, which matplotlib reads on first import. The
    pandas display options (:data:`PANDAS_OPTIONS`: ``display.float_format``
    with two decimals and Dutch marks, up to 30 columns, width 160) are set
    directly when pandas is loaded; else an import hook sets them right
    after pandas' first import. Safe to call twice.
    """
    import os

    if "matplotlib" in sys.modules:
        import matplotlib

        matplotlib.rcParams.update(style_rc())
    else:
        os.environ["MATPLOTLIBRC"] = str(STYLE_FILE)
    if "pandas" in sys.modules:
        _remove_pandas_hook()
        _set_pandas_options(sys.modules["pandas"])
    elif not any(isinstance(f, _PandasOptionsOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PandasOptionsOnImport())


# --------------------------------------------------------------------- display

def show(df: pd.DataFrame, percent: tuple[str, ...] | list[str] = (), decimals: int = 1,
         caption: str | None = None, max_rows: int = 60) -> None:
    """Display a table for readers: Dutch number marks, shares as percentages, no index.

    Numbers (also text that is already a formatted number, such as ``"12,3%"``,
    ``"<5"`` or ``"3,4 (3,1–3,9)"``) are right-aligned and kept on one line
    when short; other text is left-aligned; headers follow their column. Tables
    of more than nine columns get smaller type so they fit the page.

    Args:
        df: the table (column names are shown as they are: give Dutch headers).
        percent: columns holding shares (0..1), shown as ``12,3%``.
        decimals: decimals of the other float columns (integers show none).
        caption: optional caption above the table.
        max_rows: show at most this many rows (a note says how many were left out).
    """
    import pandas as pd
    from IPython.display import HTML, display

    shown = df.head(max_rows)

    def text_or(f):  # suppressed cells ("<5") and other text pass through unchanged
        return lambda v: v if isinstance(v, str) else f(v)

    fmt: dict[str, Any] = {}
    for col in shown.columns:
        s = shown[col]
        numbers = pd.to_numeric(s.where(~s.map(lambda v: isinstance(v, str))), errors="coerce") \
            if s.dtype == object else s
        if col in percent:
            fmt[col] = text_or(lambda v: nl_percent(v, decimals))
        elif pd.api.types.is_integer_dtype(numbers) or (
                pd.api.types.is_float_dtype(numbers) and s.dtype == object
                and bool((numbers.dropna() % 1 == 0).all())):
            fmt[col] = text_or(lambda v: nl_number(v, 0))
        elif pd.api.types.is_float_dtype(numbers):
            fmt[col] = text_or(lambda v: nl_number(v, decimals))
        elif pd.api.types.is_datetime64_any_dtype(s):
            fmt[col] = lambda v: "" if pd.isna(v) else v.strftime("%d-%m-%Y")
    styler = shown.style.format(fmt, na_rep="", escape="html").hide(axis="index")
    text_cols = [c for c in shown.columns if c not in fmt and c not in percent]
    numeric_text = [c for c in text_cols if _looks_numeric(shown[c])]
    text_cols = [c for c in text_cols if c not in numeric_text]
    if text_cols:
        styler = styler.set_properties(subset=text_cols, **{"text-align": "left"})
    if numeric_text:  # pre-formatted numbers ("12,3%", "<5", "3,4 (3,1–3,9)"): right, one line
        styler = styler.set_properties(subset=numeric_text, **{"text-align": "right"})
    nowrap = [c for c in shown.columns if c in fmt or c in percent or (
        c in numeric_text and shown[c].astype(str).str.len().max() <= 20)]
    if nowrap:
        styler = styler.set_properties(subset=nowrap, **{"white-space": "nowrap"})
    left = set(text_cols)
    styler = styler.set_table_styles(  # headers aligned like their column
        [{"selector": f"th.col_heading.col{i}",
          "props": f"text-align: {'left' if c in left else 'right'}"}
         for i, c in enumerate(shown.columns)], overwrite=False)
    if len(shown.columns) > 9:  # wide tables: smaller type and padding so they fit the page
        size, pad = ("0.78em", "0.25em 0.25em") if len(shown.columns) > 12 else ("0.85em", "0.3em 0.35em")
        styler = styler.set_table_styles([{"selector": "", "props": f"font-size: {size}"},
                                          {"selector": "td, th", "props": f"padding: {pad}"}],
                                         overwrite=False)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    display(HTML(styler.to_html()))
    if len(df) > max_rows:
        md(f"*({len(df) - max_rows} van de {len(df)} regels niet getoond; zie de CSV-tabel.)*")


_NUMERIC_TEXT = re.compile(
    r"^[<>≈~]?\s*[-−+]?[\d.,]+\s*(%|pp)?(\s*[-–/]\s*[<]?[\d.,]+\s*%?)?(\s*\(.*\))?$"
    r"|^[\d]{2}-[\d]{2}-[\d]{4}$")


def _looks_numeric(s: pd.Series) -> bool:
    """True when every non-empty cell of a text column is a formatted number or date."""
    vals = [str(v).strip() for v in s if not _is_missing(v)]
    vals = [v for v in vals if v not in ("", "-", "–")]
    return bool(vals) and all(_NUMERIC_TEXT.match(v) for v in vals)


def nl_pvalue(p: float | None) -> str:
    """A p-value for readers: ``'< 0,001'`` below 0.001, else three decimals (``'0,042'``)."""
    if _is_missing(p):
        return ""
    return "< 0,001" if p < 0.001 else nl_number(p, 3)


#: statsmodels warnings that reach the reports, in Dutch (matched on a fragment).
_FIT_NOTES_NL = {
    "boundary of the parameter space": "de geschatte spreiding tussen teams ligt (bijna) op nul; "
    "het controlemodel valt dan praktisch samen met een model zonder teamverschillen",
    "converge": "het schatten is niet volledig geconvergeerd; lees de uitkomst met voorzichtigheid",
    "Hessian": "de onzekerheid van de schatting is niet betrouwbaar te bepalen (Hessiaan niet "
    "positief definiet)",
    "singular": "het model is (bijna) niet te schatten: variabelen hangen te sterk samen",
}


def dutch_fit_note(note: str) -> str:
    """A model-fitting note for readers: known (English) statsmodels warnings in Dutch."""
    for fragment, dutch in _FIT_NOTES_NL.items():
        if fragment.lower() in note.lower():
            return f"Opmerking bij het schatten: {dutch}."
    return note


def publishable(df: pd.DataFrame, person_count_columns: tuple[str, ...] | list[str],
                group_columns: tuple[str, ...] | list[str] = (),
                derived_columns: tuple[str, ...] | list[str] = ()) -> pd.DataFrame:
    """``df`` for display with the cells that publication suppresses shown as ``<5``.

    Which cells are suppressed is decided by
    :func:`zwt_analysis.publish.suppress_counts` (the same rule as the CSV
    side tables); the other cells keep their numbers, so :func:`show` can
    format them the Dutch way. Affected columns become ``object``.
    """
    import pandas as pd

    from .publish import SUPPRESSED, suppress_counts

    cols = [*person_count_columns, *derived_columns]
    flags = suppress_counts(df, list(person_count_columns), list(group_columns),
                            list(derived_columns))
    base = df.reset_index(drop=True)
    out = base.copy()
    for col in cols:
        hidden = (flags[col] == SUPPRESSED).fillna(False).to_numpy(dtype=bool)
        out[col] = pd.Series(_np_where(hidden, SUPPRESSED, base[col].astype(object)),
                             dtype=object)
    return out


def _np_where(mask: Any, a: Any, b: Any) -> Any:
    """``numpy.where`` keeping Python objects (numbers stay numbers beside text)."""
    import numpy as np

    return np.where(mask, np.array(a, dtype=object), np.asarray(b, dtype=object))


def heatmap(matrix: pd.DataFrame, ax: Any = None, title: str = "", vmin: float = 0.0,
            vmax: float = 1.0, percent: bool = True, cmap: str = "Blues") -> Any:
    """Draw a share matrix (rows x columns, values 0..1) as an annotated heatmap.

    Missing cells (e.g. suppressed small groups) stay blank. Returns the axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        height = max(2.0, 0.32 * len(matrix) + 1.2)
        width = max(7.0, min(15.0, 0.6 * len(matrix.columns) + 5.0))
        _, ax = plt.subplots(figsize=(width, height))
    values = matrix.to_numpy(dtype="float64")
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(len(matrix.columns)), [str(c) for c in matrix.columns],
                  rotation=90 if len(matrix.columns) > 8 else 0)
    ax.set_yticks(range(len(matrix.index)), [str(i) for i in matrix.index])
    ax.grid(False)
    if values.size <= 400:
        for (i, j), v in np.ndenumerate(values):
            if not np.isnan(v):
                dark = (v - vmin) / ((vmax - vmin) or 1.0) > 0.6
                ax.text(j, i, nl_percent(v, 0) if percent else nl_number(v, 1),
                        ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
    bar = ax.figure.colorbar(im, ax=ax, shrink=0.8)
    if percent:
        dutch_axis(bar.ax, "y", percent=True, decimals=0)
    if title:
        ax.set_title(title)
    return ax


def _display_html(text: str) -> None:
    from IPython.display import HTML, display

    display(HTML(text))


def md(text: str) -> None:
    """Display Markdown text (common leading indentation is removed)."""
    from textwrap import dedent

    from IPython.display import Markdown, display

    display(Markdown(dedent(text).strip("\n")))


def banner_html() -> str:
    """HTML of the sticky synthetic-data banner (inline CSS only)."""
    return (
        f'<div class="zwt-synthetic-banner" role="alert" style="{BANNER_STYLE}">'
        f"{html.escape(SYNTHETIC_TEXT)}</div>"
    )


def header_html(title: str, params: dict[str, Any], as_of: date, organisation: str,
                synthetic: bool) -> str:
    """HTML shown at the top of every report: banner, title, as-of, organisation, parameters."""
    rows = "".join(
        f"<tr><td style='padding:1px 10px 1px 0'><code>{html.escape(str(k))}</code></td>"
        f"<td style='padding:1px 0'><code>{html.escape(repr(v))}</code></td></tr>"
        for k, v in params.items()
    )
    who = "de hele gemeente (alle organisaties)" if organisation == ALL else organisation
    parts = [banner_html()] if synthetic else []
    parts += [
        f"<h1>{html.escape(title)}</h1>",
        "<p style='font-size:1.05em'>"
        f"<b>Peildatum:</b> {nl_date(as_of)} &nbsp;·&nbsp; "
        f"<b>Organisatie:</b> {html.escape(who)}</p>",
        "<details open><summary style='cursor:pointer'>Parameters van deze run</summary>"
        f"<table style='font-size:0.85em;margin:0.3em 0 0.8em 0'>{rows}</table></details>",
    ]
    return '<div class="zwt-report-header">' + "".join(parts) + "</div>"


# --------------------------------------------------------------------- context

class SavedTable(type(Path())):  # type: ignore[misc]
    """Path of a CSV side table; shown in a notebook as a link to the file (same folder)."""

    def __repr__(self) -> str:
        return f"SavedTable({self.name!r})"

    def _repr_html_(self) -> str:
        name = html.escape(self.name)
        return (f'<p class="zwt-saved-table" style="font-size:0.85em;color:#555">'
                f'Tabel ook als CSV: <a href="{name}">{name}</a></p>')


def _read_indicator_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    df = pd.read_csv(
        path,
        dtype={"indicator_id": "string", "period": "string", "organisation": "string",
               "team": "string", "numerator": "float64", "denominator": "float64",
               "value": "float64"},
        keep_default_na=False,
        na_values=[""],
    )
    missing = [c for c in INDICATOR_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: indicator table lacks columns {', '.join(missing)}")
    return df[list(INDICATOR_COLUMNS)]


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
                self._indicators = _read_indicator_csv(path)
            elif self.indicators_file is not None:
                raise FileNotFoundError(f"indicator file not found: {path}")
            else:
                from . import indicators as ind

                df = ind.compute_from_processed(self.processed_dir)
                self._indicators = df[list(INDICATOR_COLUMNS)].astype(
                    {"indicator_id": "string", "period": "string",
                     "organisation": "string", "team": "string"})
        return self._indicators

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
            from .publish import suppress_counts

            out = suppress_counts(df, cols, group_columns=list(group_columns),
                                  derived_columns=list(derived_columns))
        self.output_dir.mkdir(parents=True, exist_ok=True)
        path = SavedTable(self.output_dir / f"{name}.csv")
        out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
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

    Args:
        title: the report's Dutch title (shown as the page heading).
        params: every parameter of the notebook's parameters cell.

    Returns:
        The :class:`ReportContext` the rest of the notebook uses.
    """
    ctx = context(params)
    set_style()
    _display_html(header_html(title, ctx.params, ctx.as_of, ctx.organisation, ctx.synthetic))
    return ctx
