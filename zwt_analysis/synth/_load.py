"""Exact caseload per FTE as the indicator catalogue defines it.

caseload_per_fte(team, d) = cases open on day d (date_report <= d and
date_closed missing or > d) / FTE employed on d (start_date <= d and
end_date missing or >= d). Days are int64 offsets (see ``_calendar``).
"""

from __future__ import annotations

import numpy as np

from ._calendar import has


def fte_on(start: np.ndarray, end: np.ndarray, fte: np.ndarray, group: np.ndarray,
           n_groups: int, d: int) -> np.ndarray:
    """FTE employed on day ``d`` per group (length ``n_groups``)."""
    on = (start <= d) & (~has(end) | (end >= d))
    return np.bincount(group[on], weights=fte[on], minlength=n_groups)


def heads_on(start: np.ndarray, end: np.ndarray, person: np.ndarray, group: np.ndarray,
             n_groups: int, d: int) -> np.ndarray:
    """Distinct persons employed on day ``d`` per group."""
    on = (start <= d) & (~has(end) | (end >= d))
    out = np.zeros(n_groups, dtype=np.int64)
    if on.any():
        pairs = np.unique(np.stack([group[on], person[on]]), axis=1)
        out = np.bincount(pairs[0], minlength=n_groups)
    return out


def open_on(report: np.ndarray, closed: np.ndarray, group: np.ndarray, n_groups: int,
            d: int) -> np.ndarray:
    """Cases open on day ``d`` per group."""
    on = (report <= d) & (~has(closed) | (closed > d))
    return np.bincount(group[on], minlength=n_groups).astype(float)


def caseload_on(report: np.ndarray, closed: np.ndarray, case_group: np.ndarray,
                start: np.ndarray, end: np.ndarray, fte: np.ndarray, staff_group: np.ndarray,
                n_groups: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(open cases, FTE, caseload per FTE; NaN where FTE is 0) per group on day ``d``."""
    o = open_on(report, closed, case_group, n_groups, d)
    f = fte_on(start, end, fte, staff_group, n_groups, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(f > 0, o / np.where(f > 0, f, 1.0), np.nan)
    return o, f, c
