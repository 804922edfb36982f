"""Dates as int64 day offsets since 2019-01-01 (fast, exact, vectorised).

A missing date is ``NAD`` (a large negative sentinel); use :func:`has`.
Quarter index 0 is 2019-Q1; quarter ``q`` of year ``2019 + q // 4``.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from ._params import EPOCH, NAD


def day(d: date) -> int:
    """Day offset of a calendar date."""
    return int((np.datetime64(d, "D") - EPOCH).astype(np.int64))


def to_date(offset: int) -> date:
    """Calendar date of a day offset."""
    return (EPOCH + np.timedelta64(int(offset), "D")).astype(object)


def has(x: np.ndarray) -> np.ndarray:
    """True where a date offset is present."""
    return x != NAD


def as_datetime64(x: np.ndarray) -> np.ndarray:
    """Day offsets as ``datetime64[D]`` (missing -> NaT)."""
    out = EPOCH + x.astype("timedelta64[D]")
    out[~has(x)] = np.datetime64("NaT")
    return out


def year_of(x: np.ndarray) -> np.ndarray:
    """Calendar year of present day offsets."""
    return (EPOCH + x.astype("timedelta64[D]")).astype("datetime64[Y]").astype(np.int64) + 1970


def quarter_of(x: np.ndarray) -> np.ndarray:
    """Quarter index (0 = 2019-Q1) of present day offsets."""
    months = (EPOCH + x.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64)
    return (months - (2019 - 1970) * 12) // 3


def quarter_end(q: np.ndarray | int) -> np.ndarray:
    """Day offset of the last day of quarter index ``q``."""
    q = np.asarray(q, dtype=np.int64)
    first_month_next = np.datetime64("2019-01", "M") + (3 * (q + 1)).astype("timedelta64[M]")
    return (first_month_next.astype("datetime64[D]") - EPOCH).astype(np.int64) - 1


def quarter_start(q: np.ndarray | int) -> np.ndarray:
    """Day offset of the first day of quarter index ``q``."""
    return quarter_end(np.asarray(q, dtype=np.int64) - 1) + 1


def quarter_label(q: int) -> str:
    """``YYYY-Qn`` of quarter index ``q``."""
    return f"{2019 + q // 4}-Q{q % 4 + 1}"


def year_start(year: int) -> int:
    """Day offset of 1 January of ``year``."""
    return day(date(year, 1, 1))


def iso(x: np.ndarray) -> np.ndarray:
    """ISO strings (object array) for present day offsets."""
    return np.datetime_as_string(EPOCH + x.astype("timedelta64[D]"), unit="D").astype(object)
