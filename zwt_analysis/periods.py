"""Reporting periods: ``YYYY-Qn`` quarters and ``YYYY`` years, built in one place.

The indicator engine writes the same labels in SQL (:func:`zwt_analysis.indicators.engine.quarter_sql`);
everything in Python builds or reads them here.

Examples:
    >>> quarter_of(date(2024, 3, 31)), quarter_of(date(2024, 4, 1))
    ('2024-Q1', '2024-Q2')
    >>> is_quarter("2024-Q3"), is_quarter("2024")
    (True, False)
    >>> quarter_end("2024-Q1")
    datetime.date(2024, 3, 31)
    >>> year_of("2024-Q3"), year_of("2025")
    (2024, 2025)
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_of(d: date) -> str:
    """``YYYY-Qn`` of one date."""
    return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"


def quarter_labels(dates: pd.Series) -> pd.Series:
    """``YYYY-Qn`` of each date (missing dates give ``<NA>``; string dtype).

    Only the distinct quarters are formatted, so this is fast on millions of rows.

    Examples:
        >>> import pandas as pd
        >>> quarter_labels(pd.Series(pd.to_datetime(["2024-03-31", None, "2024-04-01"]))).tolist()
        ['2024-Q1', <NA>, '2024-Q2']
    """
    import pandas as pd

    d = pd.to_datetime(dates)
    key = (d.dt.year * 10 + d.dt.quarter).astype("Int64")
    labels = {int(k): f"{int(k) // 10:04d}-Q{int(k) % 10}" for k in pd.unique(key.dropna())}
    return key.map(labels).astype("string")


def is_quarter(label: object) -> bool:
    """True for a ``YYYY-Qn`` label."""
    return isinstance(label, str) and QUARTER_RE.match(label) is not None


def year_of(label: str) -> int:
    """The year of a ``YYYY-Qn`` or ``YYYY`` label."""
    return int(str(label)[:4])


def quarter_start(label: str) -> date:
    """First day of a ``YYYY-Qn`` quarter."""
    m = QUARTER_RE.match(label)
    if m is None:
        raise ValueError(f"not a quarter label (YYYY-Qn): {label!r}")
    return date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)


def quarter_end(label: str) -> date:
    """Last day of a ``YYYY-Qn`` quarter."""
    start = quarter_start(label)
    nxt = date(start.year + (start.month == 10), (start.month + 3 - 1) % 12 + 1, 1)
    return nxt - timedelta(days=1)


def latest_quarters(periods: object, n: int) -> list[str]:
    """The ``n`` latest distinct ``YYYY-Qn`` labels among ``periods``, oldest first.

    Examples:
        >>> latest_quarters(["2024-Q4", "2024", "2025-Q1", "2024-Q4", None], 2)
        ['2024-Q4', '2025-Q1']
    """
    uniq = sorted({p for p in periods if is_quarter(p)})  # type: ignore[union-attr]
    return uniq[-n:] if n > 0 else []
