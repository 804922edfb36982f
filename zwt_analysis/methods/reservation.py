"""The flexible reservation as a prediction bound for next year's incidental money.

The earlier rule took the 80th percentile of the nominal yearly amounts of
the past (eight years at most). As a bound for *next* year that covers less
than 80%: the percentile of a few years is itself noisy and sits below the
true 80th percentile about as often as above it, where misses cost more
than hits gain (75% coverage with 8 years in issue 15's simulation); with
growth in the amounts the past lies systematically below next year (52%).

:func:`prediction_bound` instead:

1. deflates the amounts to the prices of the last year with a yearly
   cost index (e.g. CAO wage rises), so that wage growth is not read as noise;
2. fits a straight line to the logarithm of the deflated amounts (growth
   in real terms; ``trend=False`` fits a constant level);
3. gives the one-sided ``level`` prediction bound for the next year,
   ``fit + t(level, n - p) * s * sqrt(1 + h)`` with ``h`` the leverage of the
   next year (the textbook prediction interval of a regression; exact under
   normal errors on the log scale), and
4. inflates it to next year's prices with the assumed index.

Its coverage is *stated* (``level``) and *measured* by simulation in
``make validate`` (``docs/validation.md``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from zwt_analysis.methods._config import section


@dataclass(frozen=True)
class ReservationBound:
    """Prediction bound for next year's amount.

    Attributes:
        year: the year predicted.
        bound_eur: the reservation (next year's prices).
        central_eur: the point prediction (median on the log scale).
        level: stated one-sided coverage.
        n_years: years used; ``trend``: whether a growth line was fitted.
        growth_per_year: fitted real growth (fraction per year; 0 without trend).
        method: Dutch one-line description.
        measured_coverage: (low, high) coverage measured by ``make validate``
            for this level with a growth line (NaNs for another level or
            without a growth line, which were not validated as the default).
    """

    year: int
    bound_eur: float
    central_eur: float
    level: float
    n_years: int
    trend: bool
    growth_per_year: float
    method: str
    measured_coverage: tuple[float, float] = (math.nan, math.nan)


def deflate(amounts: Mapping[int, float], index_pct: Mapping[int, float],
            base_year: int) -> dict[int, float]:
    """Amounts per year in the prices of ``base_year``.

    Args:
        amounts: EUR per year.
        index_pct: price rise per year in percent (e.g. ``{2024: 7.0}``: prices
            of 2024 are 7% above those of 2023); missing years count as 0%.
        base_year: the year whose prices are used.

    Returns:
        ``{year: amount * P(base_year) / P(year)}``.
    """
    years = sorted(set(amounts) | {base_year})
    first, last = min(years), max(years)
    level = {first: 1.0}
    for y in range(first + 1, last + 1):
        level[y] = level[y - 1] * (1 + float(index_pct.get(y, 0.0)) / 100)
    return {y: float(a) * level[base_year] / level[y] for y, a in amounts.items()}


def prediction_bound(amounts: Mapping[int, float], index_pct: Mapping[int, float] | None = None,
                     next_index_pct: float = 0.0, level: float | None = None,
                     trend: bool = True) -> ReservationBound:
    """One-sided prediction bound for next year's amount (see the module docstring).

    Args:
        amounts: EUR per (full) year; years with an amount <= 0 are left out
            (the log scale needs positive amounts).
        index_pct: yearly price rise in percent for deflating (None = none).
        next_index_pct: assumed price rise of the predicted year over the last one.
        level: one-sided coverage (default ``methods.yaml``, 0.8).
        trend: fit a real growth line (needs >= 3 years), else a constant level
            (needs >= 2 years).

    Returns:
        A :class:`ReservationBound` for the year after the last year given.

    Raises:
        ValueError: too few positive years for the chosen model, or level
            outside (0.5, 1).
    """
    cfg = section("reservation")
    level = float(cfg["level"] if level is None else level)
    if not 0.5 < level < 1:
        raise ValueError(f"level must lie in (0.5, 1), got {level}")
    pos = {int(y): float(a) for y, a in amounts.items() if math.isfinite(a) and a > 0}
    need = 3 if trend else 2
    if len(pos) < need:
        raise ValueError(f"need at least {need} years with a positive amount, got {len(pos)}")
    last = max(pos)
    real = deflate(pos, index_pct or {}, last)
    years = np.array(sorted(real), dtype="float64")
    z = np.log(np.array([real[int(y)] for y in years]))
    x = np.column_stack([np.ones_like(years), years - years.mean()]) if trend \
        else np.ones((len(years), 1))
    coef, *_ = np.linalg.lstsq(x, z, rcond=None)
    resid = z - x @ coef
    df = len(z) - x.shape[1]
    s = math.sqrt(float(resid @ resid) / df)
    x0 = np.array([1.0, last + 1 - years.mean()]) if trend else np.array([1.0])
    leverage = float(x0 @ np.linalg.inv(x.T @ x) @ x0)
    centre = float(x0 @ coef)
    upper = centre + float(stats.t.ppf(level, df)) * s * math.sqrt(1 + leverage)
    infl = 1 + next_index_pct / 100
    growth = math.expm1(float(coef[1])) if trend else 0.0
    method = (f"{round(level * 100)}%-voorspellingsgrens op de log-schaal, "
              f"{'met' if trend else 'zonder'} groeilijn, in prijzen van {last + 1}")
    measured = cfg.get("measured_coverage", {})
    cover = ((float(measured["low"]), float(measured["high"]))
             if trend and measured and math.isclose(level, float(measured["level"]))
             else (math.nan, math.nan))
    return ReservationBound(year=last + 1, bound_eur=math.exp(upper) * infl,
                            central_eur=math.exp(centre) * infl, level=level,
                            n_years=len(z), trend=trend, growth_per_year=growth, method=method,
                            measured_coverage=cover)


def empirical_percentile(amounts: Any, level: float = 0.8) -> float:
    """The earlier rule: the ``level`` percentile of the nominal amounts (linear interpolation).

    Kept for comparison in the validation; NaN for no finite amounts.
    """
    v = np.asarray(list(amounts), dtype="float64")
    v = v[np.isfinite(v)]
    return float(np.quantile(v, level)) if v.size else math.nan
