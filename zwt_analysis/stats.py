"""Honest statistics for shares: Wilson intervals and a small-number flag.

Every share a report shows carries its 95% interval. The Wilson score
interval is used rather than the textbook ``p +- z * sqrt(p(1-p)/n)``
(Wald) interval because it stays inside 0..1 and keeps close to its nominal
coverage for small ``n`` and for shares near 0 or 1 (Brown, Cai & DasGupta
2001, *Statistical Science* 16:101-133).

Small numbers: :data:`SMALL_NUMBER_THRESHOLD` = 30. Below 30 units the
Wilson interval for a share near one half is wider than +-0.17, so a
difference between teams or quarters is rarely more than noise; reports mark
such shares ("kleine aantallen") rather than hide them. This flag is about
precision; privacy suppression (fewer than 5 persons) is a separate rule in
:mod:`zwt_analysis.present.publish`.
"""

from __future__ import annotations

from collections.abc import Collection
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

#: Denominators below this are flagged as small numbers (see module docstring).
SMALL_NUMBER_THRESHOLD: int = 30


def _as_array(x: Any) -> np.ndarray:
    return np.asarray(pd.to_numeric(pd.Series(np.asarray(x, dtype=object).ravel()), errors="coerce"),
                      dtype="float64").reshape(np.shape(x))


def _like(template: Any, values: np.ndarray) -> Any:
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index)
    if np.ndim(template) == 0:
        return float(values)
    return values


def wilson_interval(numerator: Any, denominator: Any, alpha: float = 0.05) -> tuple[Any, Any]:
    """Wilson score interval for ``numerator / denominator``, vectorised.

    Args:
        numerator: successes (scalar, array or Series); 0 <= numerator <= denominator.
        denominator: trials (same shape).
        alpha: 1 - confidence level (0.05 for a 95% interval).

    Returns:
        ``(low, high)`` in 0..1, of the same kind as ``numerator`` (Series
        keep their index). NaN where the denominator is 0 or missing, or the
        numerator is missing or outside 0..denominator.

    Note:
        The formula assumes independent units. For hours-based shares (hours
        of one employee are not independent) the interval is too narrow.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    k = _as_array(numerator)
    n = _as_array(denominator)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = (n > 0) & (k >= 0) & (k <= n)
        p = np.where(valid, k / n, np.nan)
        z2n = z * z / n
        centre = (p + z2n / 2) / (1 + z2n)
        half = z * np.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
        low = np.where(valid, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(valid, np.clip(centre + half, 0.0, 1.0), np.nan)
    # exact ends: k = 0 gives low 0, k = n gives high 1 (remove rounding noise)
    low = np.where(valid & (k == 0), 0.0, low)
    high = np.where(valid & (k == n), 1.0, high)
    return _like(numerator, low), _like(numerator, high)


def small_number(denominator: Any, threshold: int = SMALL_NUMBER_THRESHOLD) -> Any:
    """True where ``denominator < threshold`` (or missing): the share is imprecise.

    Returns a boolean Series (same index) for a Series, else an array / bool.
    """
    n = _as_array(denominator)
    flag = ~(n >= threshold)  # NaN -> True
    if isinstance(denominator, pd.Series):
        return pd.Series(flag, index=denominator.index)
    if np.ndim(denominator) == 0:
        return bool(flag)
    return flag


def add_intervals(
    indicators: pd.DataFrame,
    share_ids: Collection[str],
    alpha: float = 0.05,
    threshold: int = SMALL_NUMBER_THRESHOLD,
) -> pd.DataFrame:
    """Add ``ci_low``, ``ci_high`` and ``small_number`` to a long indicator table.

    Args:
        indicators: long indicator table (``indicator_id``, ``numerator``,
            ``denominator``, ...).
        share_ids: the indicator ids whose value is a count-based share (a
            binomial proportion), e.g.
            :func:`zwt_analysis.indicators.share_indicators`. Other rows
            (reach, caseload, rates, money) get missing bounds.
        alpha: 1 - confidence level.
        threshold: ``small_number`` is set for the share rows whose
            denominator is below this (or missing); never for other rows.

    Returns:
        A copy of ``indicators`` with the three columns added.
    """
    out = indicators.copy()
    is_share = out["indicator_id"].isin(list(share_ids)).to_numpy()
    low, high = wilson_interval(out["numerator"], out["denominator"], alpha)
    out["ci_low"] = np.where(is_share, np.asarray(low), np.nan)
    out["ci_high"] = np.where(is_share, np.asarray(high), np.nan)
    out["small_number"] = is_share & np.asarray(small_number(out["denominator"], threshold))
    return out
