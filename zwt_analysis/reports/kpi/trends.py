"""A trend test per series: binomial GLM for count-based shares, else OLS + Newey-West.

Count-based shares (numerator and denominator) get a binomial GLM with a
logit link and Pearson-scaled dispersion; other series an OLS regression on
time with Newey-West (HAC) standard errors. p-values are adjusted with
Benjamini-Hochberg over all series tested together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def newey_west_lags(n: int) -> int:
    """Newey-West rule of thumb floor(4 (n/100)^(2/9)), at least 1."""
    return max(1, int(math.floor(4 * (n / 100) ** (2 / 9))))


def trend_test(t: Sequence[float], y: Sequence[float],
               numerator: Sequence[float] | None = None,
               denominator: Sequence[float] | None = None,
               alpha: float = 0.05) -> dict[str, Any]:
    """Linear trend over time of one series.

    With numerator and denominator (a count-based share): binomial GLM with a
    logit link on time, dispersion estimated from Pearson chi2 (quasi-binomial,
    allows overdispersion); the slope is given as the average marginal effect
    in share points per year. Otherwise: OLS of value on time with
    Newey-West (HAC) standard errors, slope in the value's unit per year.

    Args:
        t: time in decimal years.
        y: values (shares as fractions for the GLM).

    Returns:
        method, n, slope_per_year, ci_low, ci_high, p_value (NaN when the
        model cannot be fitted, e.g. fewer than 3 points or no variation in t).
    """
    import statsmodels.api as sm

    t_arr = np.asarray(t, dtype=float)
    y_arr = np.asarray(y, dtype=float)
    ok = np.isfinite(t_arr) & np.isfinite(y_arr)
    use_glm = numerator is not None and denominator is not None
    if use_glm:
        num = np.asarray(numerator, dtype=float)
        den = np.asarray(denominator, dtype=float)
        ok &= np.isfinite(num) & np.isfinite(den) & (den > 0)
    n = int(ok.sum())
    res: dict[str, Any] = {"method": "binomiaal GLM (logit)" if use_glm else "OLS + Newey-West",
                           "n": n, "slope_per_year": np.nan, "ci_low": np.nan,
                           "ci_high": np.nan, "p_value": np.nan}
    if n < 3 or np.ptp(t_arr[ok]) == 0:
        return res
    x = sm.add_constant(t_arr[ok] - t_arr[ok].mean())
    try:
        if use_glm:
            counts = np.column_stack([num[ok], den[ok] - num[ok]])
            fit = sm.GLM(counts, x, family=sm.families.Binomial()).fit(scale="X2")
            p_hat = fit.fittedvalues
            scale = float(np.mean(p_hat * (1 - p_hat)))
            ci = fit.conf_int(alpha)[1] * scale
            res.update(slope_per_year=float(fit.params[1]) * scale, ci_low=float(ci[0]),
                       ci_high=float(ci[1]), p_value=float(fit.pvalues[1]))
        else:
            if np.ptp(y_arr[ok]) == 0:
                res.update(slope_per_year=0.0, ci_low=0.0, ci_high=0.0, p_value=1.0)
                return res
            fit = sm.OLS(y_arr[ok], x).fit(cov_type="HAC",
                                           cov_kwds={"maxlags": newey_west_lags(n)})
            ci = fit.conf_int(alpha)[1]
            res.update(slope_per_year=float(fit.params[1]), ci_low=float(ci[0]),
                       ci_high=float(ci[1]), p_value=float(fit.pvalues[1]))
    except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - degenerate data
        pass
    return res


def trend_tests(series: pd.DataFrame, min_periods: int = 6, alpha: float = 0.05) -> pd.DataFrame:
    """A trend test per series x organisation, with Benjamini-Hochberg adjusted p.

    Series marked ``binomial`` (count-based shares with numerator and
    denominator) use the binomial GLM, others OLS + Newey-West (see
    :func:`trend_test`). Series with fewer than ``min_periods`` points
    are listed untested.

    Returns:
        series, label, organisation, unit, n, method, slope_per_year, ci_low,
        ci_high, p_value, p_adjusted, trend (Dutch: stijgend / dalend /
        geen aantoonbare trend / te weinig perioden).
    """
    from statsmodels.stats.multitest import multipletests

    rows = []
    for (sid, org), g in series.groupby(["series", "organisation"], sort=True):
        share = bool(g.get("binomial", pd.Series(False, index=g.index)).fillna(False).all()
                     and g["denominator"].notna().all())
        if len(g) < min_periods:
            r = {"method": "-", "n": len(g), "slope_per_year": np.nan, "ci_low": np.nan,
                 "ci_high": np.nan, "p_value": np.nan}
        elif share:
            r = trend_test(g["t"], g["value"], g["numerator"], g["denominator"], alpha)
        else:
            r = trend_test(g["t"], g["value"], alpha=alpha)
        unit = g["unit"].dropna()
        rows.append({"series": sid, "label": g["label"].iloc[0], "organisation": org,
                     "unit": str(unit.iloc[0]) if len(unit) else "", **r})
    out = pd.DataFrame(rows, columns=["series", "label", "organisation", "unit", "method", "n",
                                      "slope_per_year", "ci_low", "ci_high", "p_value"])
    out["p_adjusted"] = np.nan
    tested = out["p_value"].notna()
    if tested.any():
        out.loc[tested, "p_adjusted"] = multipletests(out.loc[tested, "p_value"],
                                                      alpha=alpha, method="fdr_bh")[1]
    sig = out["p_adjusted"] < alpha
    out["trend"] = np.select(
        [out["p_value"].isna(), sig & (out["slope_per_year"] > 0),
         sig & (out["slope_per_year"] < 0)],
        ["te weinig perioden", "stijgend", "dalend"], default="geen aantoonbare trend")
    return out
