"""Dutch number, percentage, date and p-value formats for readers (no pandas needed).

Examples:
    >>> nl_number(1234.5, 1)
    '1.234,5'
    >>> nl_percent(0.1234)
    '12,3%'
"""

from __future__ import annotations

import math
import sys
from datetime import date
from typing import Any

DUTCH_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)

#: Plot style file (matplotlibrc syntax), the one source of the report style.


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
