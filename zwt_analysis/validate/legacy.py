"""Frozen copies of the methods on main before issue 15, for the "old" rows of the tables.

They reproduce ``reports/kpi/compute.trend_test`` and the clustered Wilson
interval of ``reports/prevention/compute.clustered_share`` as they were, so
the validation does not depend on the report wings being refactored.
"""

from __future__ import annotations

import math

import numpy as np


def old_level_p(t: np.ndarray, y: np.ndarray) -> float:
    """OLS on time with Newey-West errors (lags floor(4 (n/100)^(2/9)), >= 1), normal reference."""
    import statsmodels.api as sm

    n = len(t)
    if np.ptp(y) == 0:
        return 1.0
    lags = max(1, int(math.floor(4 * (n / 100) ** (2 / 9))))
    fit = sm.OLS(y, sm.add_constant(t - t.mean())).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    return float(fit.pvalues[1])


def old_share_p(t: np.ndarray, k: np.ndarray, m: np.ndarray) -> float:
    """Binomial GLM on two-column counts with ``scale="X2"`` (normal reference)."""
    import statsmodels.api as sm

    x = sm.add_constant(t - t.mean())
    fit = sm.GLM(np.column_stack([k, m - k]), x, family=sm.families.Binomial()).fit(scale="X2")
    return float(fit.pvalues[1])


def old_clustered_wilson(a: np.ndarray, t: np.ndarray, alpha: float = 0.05
                         ) -> tuple[float, float]:
    """Wilson interval at n_eff = p(1-p)/var (clustered), bounded to [1, T]; no df correction."""
    from zwt_analysis.stats import wilson_interval

    m = len(t)
    total = float(t.sum())
    p = float(a.sum()) / total
    ss = float(((a - p * t) ** 2).sum())
    var = m / (m - 1) * ss / total ** 2 if m > 1 else math.nan
    n_eff = 1.0 if m <= 1 else (p * (1 - p) / var if var > 1e-15 else math.inf)
    n_eff = max(1.0, min(total, n_eff))
    lo, hi = wilson_interval(p * n_eff, n_eff, alpha)
    return float(lo), float(hi)
