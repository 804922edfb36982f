"""Tables for readers: Dutch formats, suppressed cells shown, links to the CSV side tables."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwt_analysis.present.fmt import _is_missing, nl_number, nl_percent
from zwt_analysis.present.page import md

if TYPE_CHECKING:
    import pandas as pd

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

    from zwt_analysis.present.publish import SYMBOLS, suppress_counts

    cols = [*person_count_columns, *derived_columns]
    flags = suppress_counts(df, list(person_count_columns), list(group_columns),
                            list(derived_columns))
    base = df.reset_index(drop=True)
    out = base.copy()
    for col in cols:
        hidden = flags[col].isin(SYMBOLS).fillna(False).to_numpy(dtype=bool)
        out[col] = pd.Series(_np_where(hidden, flags[col].astype(object), base[col].astype(object)),
                             dtype=object)
    return out


def _np_where(mask: Any, a: Any, b: Any) -> Any:
    """``numpy.where`` keeping Python objects (numbers stay numbers beside text)."""
    import numpy as np

    return np.where(mask, np.array(a, dtype=object), np.asarray(b, dtype=object))


class SavedTable(type(Path())):  # type: ignore[misc]
    """Path of a CSV side table; shown in a notebook as a link to the file (same folder)."""

    def __repr__(self) -> str:
        return f"SavedTable({self.name!r})"

    def _repr_html_(self) -> str:
        name = html.escape(self.name)
        return (f'<p class="zwt-saved-table" style="font-size:0.85em;color:#555">'
                f'Tabel ook als CSV: <a href="{name}">{name}</a></p>')
