"""Write CSV files that always read back as written (quarantine, indicators, side tables).

Python's ``csv`` writer (which pandas uses) quotes a cell only when it holds
the separator, a quote or a character of the line terminator; with ``\\n``
line ends a bare ``\\r`` inside a cell is left unquoted, and readers then see
a line break there. :func:`write_csv` therefore quotes *every* non-numeric
cell (``csv.QUOTE_NONNUMERIC``): any text, including ``\\r``, ``\\n``,
quotes, ``;``, ``,``, NUL and other control characters, leading or trailing
spaces and any Unicode, survives a round trip through ``pandas.read_csv``,
pyarrow, DuckDB, Python's ``csv`` module or Excel.

The format is fixed so that the same frame gives the same bytes:

- UTF-8 without byte-order mark, ``,`` separator, ``"`` quote (doubled
  inside a cell), ``\\n`` line ends, a header row, no index column;
- text, dates and the header quoted; numbers (int, float, bool) unquoted,
  floats in Python's shortest round-trip form (``0.1``, ``1e+300``, ``inf``);
- a missing value (``NaN``, ``NA``, ``NaT``, ``None``) and the empty string
  are both written as ``""`` and read back as missing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` (without its index) to ``path`` as round-trip-safe CSV.

    Read it back with ``pandas.read_csv(path, keep_default_na=False,
    na_values=[""])``; pass ``dtype=str`` (or a per-column dtype) for text
    columns whose values could all look like numbers (``"007"``).

    Args:
        df: the table; column names become the header.
        path: target file; its folder must exist. An existing file is replaced.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    df.to_csv(path, index=False, sep=",", quotechar='"', doublequote=True,
              quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n", encoding="utf-8", na_rep="")
    return path
