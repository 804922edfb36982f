"""Trend tests that keep their size on short series, and one verdict per series for a run.

Two tests, each with a t reference and a correction for serial correlation:

- :func:`share_trend` for a share from counts (numerator / denominator per
  period): a quasi-binomial GLM with a logit link on time, the proportion
  as response and the denominator as variance weight, dispersion from the
  Pearson chi-square over ``n - 2`` degrees of freedom (McCullagh & Nelder
  1989, sec. 4.5), t reference. The slope is reported as the average
  marginal effect in share points (fractions) per year.
- :func:`level_trend` for any other series: OLS of value on time, t with
  ``n - 2`` degrees of freedom.

Serial correlation: when positive, the standard error and degrees of
freedom are taken with the effective sample size ``n_eff = n (1 - rho) /
(1 + rho)`` (Santer et al. 2000, *J. Geophys. Res.* 105:7337-7356). On one
series, rho is the lag-1 autocorrelation of the residuals, bias corrected
for the short series (:func:`bias_corrected_rho`, after Andrews 1993,
*Econometrica* 61:139-165: invert the expected autocorrelation of detrended
AR(1) residuals). One short series says little about its own
autocorrelation, so :func:`trend_verdicts` pools it over the series of the
same indicator in the run (``pool``): :func:`pooled_equivalent_rho` fits
autocorrelations ``a phi^(d-1)`` (AR(1), or AR(1) plus independent noise
such as binomial noise on a wandering share) to the pool's lag-1 and lag-2
residual autocorrelations and uses the AR(1) coefficient with the same
long-run variance. The validation tables (``docs/validation.md``) show the
false-positive rates that set the minimum lengths in ``methods.yaml``.

:func:`mann_kendall` (Mann-Kendall with the Hamed & Rao 1998 variance
correction, Sen's slope) is kept for comparison in the validation.

:func:`trend_verdicts` tests a whole family of series once, adjusts the
p-values with Benjamini-Hochberg over that family, and gives one verdict per
series id, so that a city report and an organisation report look up the
same verdict for the same series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from zwt_analysis.methods._config import section

VERDICT_UP = "stijgend"
VERDICT_DOWN = "dalend"
VERDICT_NONE = "geen aantoonbare trend"
VERDICT_SHORT = "te kort om te beoordelen"

#: Largest autocorrelation used in the correction (beyond it n_eff collapses).
RHO_MAX = 0.95


@dataclass(frozen=True)
class TrendFit:
    """The linear trend of one series.

    Attributes:
        method: short Dutch name of the test.
        n: periods used.
        slope_per_year: value units per year (fractions per year for shares:
            the average marginal effect of the logit slope).
        se: standard error of the slope on the model scale (logit for
            shares), after the serial-correlation correction.
        ci_low, ci_high: (1 - alpha) interval of ``slope_per_year``.
        p_value: two-sided p of slope = 0 (NaN: not testable).
        df: degrees of freedom of the t reference.
        lag1: raw lag-1 autocorrelation of the residuals.
        rho: autocorrelation used in the correction (0..RHO_MAX).
        n_eff: effective sample size ``n (1 - rho) / (1 + rho)``.
        lag2: raw lag-2 autocorrelation of the residuals (used when pooling).
    """

    method: str
    n: int
    slope_per_year: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float
    lag1: float
    rho: float
    n_eff: float
    lag2: float = math.nan


def _nan_fit(method: str, n: int) -> TrendFit:
    nan = math.nan
    return TrendFit(method, n, nan, nan, nan, nan, nan, nan, nan, nan, nan)


def _clean(*arrays: Any) -> tuple[np.ndarray, ...]:
    """Float arrays sorted by the first (time), rows with any non-finite value dropped."""
    arr = [np.asarray(a, dtype="float64").ravel() for a in arrays]
    ok = np.logical_and.reduce([np.isfinite(a) for a in arr])
    order = np.argsort(arr[0][ok], kind="stable")
    return tuple(a[ok][order] for a in arr)


def lag1_autocorrelation(resid: Any, lag: int = 1) -> float:
    """``sum(e_t e_{t-lag}) / sum(e_t^2)`` in observation order (NaN below lag + 2 values or all 0)."""
    e = np.asarray(resid, dtype="float64")
    ss = float(e @ e)
    if len(e) < lag + 2 or ss <= 0:
        return math.nan
    return float(e[lag:] @ e[:-lag]) / ss


@lru_cache(maxsize=256)
def _rho_map(offsets: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Grid of rho and the expected lag-1 autocorrelation of detrended AR(1) residuals."""
    n = len(offsets)
    x = np.column_stack([np.ones(n), np.asarray(offsets) - np.mean(offsets)])
    m = np.eye(n) - x @ np.linalg.pinv(x)
    a = np.zeros((n, n))
    i = np.arange(n - 1)
    a[i, i + 1] = a[i + 1, i] = 0.5
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    grid = np.linspace(-0.9, RHO_MAX, 186)
    mam = m @ a @ m
    expected = np.array([np.sum(mam * r ** lags) / np.sum(m * r ** lags) for r in grid])
    return grid, expected


def bias_corrected_rho(lag1: float, t: Any) -> float:
    """The AR(1) coefficient whose expected residual lag-1 autocorrelation equals ``lag1``.

    Residuals of a fitted line are autocorrelated less than the errors (by
    about ``(2 + 4 rho) / n``); the expected value under AR(1) errors with
    coefficient rho is approximated by ``tr(M A M V) / tr(M V)`` (M the
    residual maker of intercept + time, A the lag-1 form, V the AR(1)
    correlation) and inverted on a grid. Not clipped at 0; NaN for NaN input
    or fewer than 3 periods.
    """
    tt = np.sort(np.asarray(t, dtype="float64"))
    if not math.isfinite(lag1) or len(tt) < 3:
        return math.nan
    grid, expected = _rho_map(tuple(np.round(tt - tt[0], 6)))
    return float(np.interp(lag1, expected, grid))


@lru_cache(maxsize=256)
def _lag_sums(offsets: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sums over each lag distance d of M A_1 M, M A_2 M and M (M: residual maker of a line)."""
    n = len(offsets)
    x = np.column_stack([np.ones(n), np.asarray(offsets) - np.mean(offsets)])
    m = np.eye(n) - x @ np.linalg.pinv(x)
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n))).ravel()
    sums = []
    for k in (1, 2):
        a = np.zeros((n, n))
        i = np.arange(n - k)
        a[i, i + k] = a[i + k, i] = 0.5
        sums.append(np.bincount(lags, weights=(m @ a @ m).ravel(), minlength=n))
    return sums[0], sums[1], np.bincount(lags, weights=m.ravel(), minlength=n)


#: Largest decay phi fitted when pooling: a more persistent component cannot be told apart
#: from a trend on these lengths, and letting phi near 1 makes the pooled rho erratic.
PHI_MAX = 0.8
_GRID = np.linspace(0.0, PHI_MAX, 33)


def pooled_equivalent_rho(lags: list[tuple[float, float]], times: list[Any]) -> float:
    """AR(1)-equivalent autocorrelation of a pool of series, from their lag-1 and lag-2.

    The errors are taken to have autocorrelations ``a phi^(d-1)`` at lag
    ``d >= 1`` (AR(1) when ``a = phi``; AR(1) plus independent noise, e.g.
    binomial noise on top of a wandering share, when ``a < phi``). ``a`` and
    ``phi`` (``0 <= a <= phi <= PHI_MAX``) are chosen so that the expected residual
    lag-1 and lag-2 autocorrelations (``tr(M A_k M V) / tr(M V)``, per series
    length) best match the observed ones over the pool (least squares).
    The result is the AR(1) coefficient with the same long-run variance,
    ``a / (1 - phi + a)``.

    Args:
        lags: ``(lag1, lag2)`` per series (NaN pairs are skipped).
        times: the time points of each series (same order).

    Returns:
        rho in 0..PHI_MAX; NaN when no series has both lags.
    """
    aa, ff = np.meshgrid(_GRID, _GRID, indexing="ij")
    err = np.zeros_like(aa)
    used = 0
    for (r1, r2), t in zip(lags, times, strict=True):
        if not (math.isfinite(r1) and math.isfinite(r2)):
            continue
        tt = np.sort(np.asarray(t, dtype="float64"))
        s1, s2, sm_ = _lag_sums(tuple(np.round(tt - tt[0], 6)))
        d = np.arange(len(tt))
        corr = np.where(d == 0, 1.0, aa[..., None] * ff[..., None] ** np.maximum(d - 1, 0))
        den = corr @ sm_
        err += ((corr @ s1) / den - r1) ** 2 + ((corr @ s2) / den - r2) ** 2
        used += 1
    if used == 0:
        return math.nan
    err[aa > ff + 1e-12] = np.inf
    i = np.unravel_index(np.argmin(err), err.shape)
    a, phi = float(aa[i]), float(ff[i])
    return a / (1 - phi + a) if a > 0 else 0.0


def _with_rho(method: str, n: int, slope: float, se: float, lag1: float, rho: float,
              scale: float, alpha: float, n_params: int = 2) -> TrendFit:
    """Apply the effective-sample-size correction and build the :class:`TrendFit`."""
    r = 0.0 if not math.isfinite(rho) else min(max(rho, 0.0), RHO_MAX)
    n_eff = n * (1 - r) / (1 + r)
    df = n_eff - n_params
    if df < 1 or not math.isfinite(se):
        return TrendFit(method, n, slope * scale, math.nan, math.nan, math.nan, math.nan, df,
                        lag1, r, n_eff)
    se_adj = se * math.sqrt((n - n_params) / df)
    if se_adj <= 0:
        p = 1.0 if slope == 0 else 0.0
        return TrendFit(method, n, slope * scale, 0.0, slope * scale, slope * scale, p, df,
                        lag1, r, n_eff)
    # scipy.special's t functions: the same values as stats.t, without its overhead
    tq = float(special.stdtrit(df, 1 - alpha / 2))
    p = float(2 * special.stdtr(df, -abs(slope / se_adj)))
    return TrendFit(method, n, slope * scale, se_adj, (slope - tq * se_adj) * scale,
                    (slope + tq * se_adj) * scale, p, df, lag1, r, n_eff)


def _ols_core(t: np.ndarray, y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Slope, its classical standard error (n - 2 df) and residuals of y on time."""
    tc = t - t.mean()
    sxx = float(tc @ tc)
    b = float(tc @ y) / sxx
    resid = y - y.mean() - b * tc
    s2 = float(resid @ resid) / (len(y) - 2)
    return b, math.sqrt(s2 / sxx), resid


def level_trend(t: Any, y: Any, alpha: float = 0.05, rho: float | None = None) -> TrendFit:
    """OLS trend of a series with a t(n_eff - 2) reference (unit of ``y`` per unit of ``t``).

    Args:
        t: time in decimal years.
        y: values.
        alpha: 1 - confidence level.
        rho: autocorrelation to correct for (e.g. pooled over the family);
            None = bias-corrected from this series' own residuals.

    Returns:
        A :class:`TrendFit`; all NaN with fewer than 3 points or no spread in
        ``t``; a constant series gives slope 0 and p = 1.
    """
    tt, yy = _clean(t, y)
    n = len(tt)
    method = "OLS (t-toets)"
    if n < 3 or np.ptp(tt) == 0:
        return _nan_fit(method, n)
    if np.ptp(yy) == 0:
        return TrendFit(method, n, 0.0, 0.0, 0.0, 0.0, 1.0, n - 2.0, math.nan, 0.0, float(n))
    b, se, resid = _ols_core(tt, yy)
    lag1 = lag1_autocorrelation(resid)
    r = bias_corrected_rho(lag1, tt) if rho is None else rho
    return replace(_with_rho(method, n, b, se, lag1, r, 1.0, alpha),
                   lag2=lag1_autocorrelation(resid, 2))


def _logit_irls(t: np.ndarray, p: np.ndarray, m: np.ndarray, iters: int = 50
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Binomial-logit IRLS on proportions ``p`` with weights ``m``: (coef, fitted mu, X, converged).

    Not converged: the estimate runs off to infinity (separation, e.g. 0%
    in the first quarters and 100% after) or the weights vanish; the linear
    predictor is kept within +-30 so no overflow is ever computed.
    """
    x = np.column_stack([np.ones_like(t), t - t.mean()])
    pbar = float(np.clip((p * m).sum() / m.sum(), 1e-6, 1 - 1e-6))
    beta = np.array([math.log(pbar / (1 - pbar)), 0.0])
    tc = x[:, 1]
    converged = False
    for _ in range(iters):
        eta = np.clip(x @ beta, -30.0, 30.0)
        mu = 1 / (1 + np.exp(-eta))
        w = m * mu * (1 - mu)
        wz = w * eta + m * (p - mu)
        a, b, d = w.sum(), w @ tc, w @ (tc * tc)
        r0, r1 = wz.sum(), wz @ tc
        det = a * d - b * b
        if not det > 1e-12 * max(a * d, 1e-300):
            break
        new = np.array([(d * r0 - b * r1) / det, (a * r1 - b * r0) / det])
        step = float(np.max(np.abs(new - beta)))
        beta = new
        if step < 1e-10:
            converged = True
            break
    mu = 1 / (1 + np.exp(-np.clip(x @ beta, -30.0, 30.0)))
    return beta, mu, x, converged


def share_trend(t: Any, numerator: Any, denominator: Any, alpha: float = 0.05,
                rho: float | None = None) -> TrendFit:
    """Quasi-binomial logit trend of ``numerator / denominator``; slope in fractions per year.

    The response is the proportion, the denominator is its variance weight
    (so ``Var(p_t) = phi mu_t (1 - mu_t) / denominator_t``), phi is the
    Pearson chi-square over ``n - 2``: over- and under-dispersion (e.g.
    hours, which are not independent trials) are both absorbed. The logit
    slope is tested with t(n_eff - 2); slope and interval are multiplied by
    the mean of ``mu (1 - mu)`` (average marginal effect).

    Args:
        t: time in decimal years.
        numerator, denominator: counts (or hours) per period; periods with a
            denominator <= 0 or a numerator outside 0..denominator are dropped.
        alpha: 1 - confidence level.
        rho: autocorrelation to correct for; None = from this series' own
            Pearson residuals (bias corrected).

    Returns:
        A :class:`TrendFit`; NaN fields with fewer than 3 periods, no spread
        in ``t`` or a logit fit that does not converge (separation: only 0%
        before and 100% after some period); a share that is 0 (or 1)
        throughout gives slope 0, p = 1.
    """
    tt, k, m = _clean(t, numerator, denominator)
    ok = (m > 0) & (k >= 0) & (k <= m)
    tt, k, m = tt[ok], k[ok], m[ok]
    n = len(tt)
    method = "quasi-binomiaal GLM (logit, t-toets)"
    if n < 3 or np.ptp(tt) == 0:
        return _nan_fit(method, n)
    p = k / m
    if np.all(p == p[0]) and p[0] in (0.0, 1.0):
        return TrendFit(method, n, 0.0, 0.0, 0.0, 0.0, 1.0, n - 2.0, math.nan, 0.0, float(n))
    beta, mu, x, converged = _logit_irls(tt, p, m)
    if not converged:  # separation: no finite estimate, so no verdict either
        return _nan_fit(method, n)
    var_mu = np.maximum(mu * (1 - mu), 1e-12)
    pearson = (p - mu) / np.sqrt(var_mu / m)
    phi = float(pearson @ pearson) / (n - 2)
    cov = np.linalg.inv(x.T @ ((m * var_mu)[:, None] * x))
    se = math.sqrt(max(phi, 0.0) * cov[1, 1])
    lag1 = lag1_autocorrelation(pearson)
    r = bias_corrected_rho(lag1, tt) if rho is None else rho
    return replace(_with_rho(method, n, float(beta[1]), se, lag1, r, float(np.mean(var_mu)), alpha),
                   lag2=lag1_autocorrelation(pearson, 2))


def _mk_variance(y: np.ndarray) -> float:
    """Variance of the Mann-Kendall S under no trend, with the correction for ties."""
    n = len(y)
    _, counts = np.unique(y, return_counts=True)
    ties = counts[counts > 1]
    return (n * (n - 1) * (2 * n + 5) - float(np.sum(ties * (ties - 1) * (2 * ties + 5)))) / 18


def _hamed_rao_factor(t: np.ndarray, y: np.ndarray, slope: float) -> float:
    """n / n* of Hamed & Rao (1998): rank autocorrelations of the detrended series, lags
    significant at 5% only; never below 1 here (no deflation of the variance)."""
    n = len(y)
    ranks = stats.rankdata(y - slope * t)
    rc = ranks - ranks.mean()
    denom = float(rc @ rc)
    if denom <= 0:
        return 1.0
    bound = stats.norm.ppf(0.975) / math.sqrt(n)
    total = 0.0
    for k in range(1, n - 2):
        acf = float(rc[k:] @ rc[:-k]) / denom
        if abs(acf) > bound:
            total += (n - k) * (n - k - 1) * (n - k - 2) * acf
    return max(1.0, 1 + 2 * total / (n * (n - 1) * (n - 2)))


def mann_kendall(t: Any, y: Any, alpha: float = 0.05, hamed_rao: bool = True) -> TrendFit:
    """Mann-Kendall trend test with Sen's slope (per unit of ``t``), optionally Hamed-Rao.

    The variance of S is inflated by the Hamed & Rao (1998, *J. Hydrol.*
    204:182-196) factor for serial correlation when ``hamed_rao``; normal
    reference with continuity correction. The interval is Sen's
    distribution-free interval of the slope, with the same variance.
    ``df`` is inf, ``rho`` the lag-1 autocorrelation of the detrended series.

    Returns:
        A :class:`TrendFit`; NaN fields with fewer than 3 points or no spread in ``t``.
    """
    tt, yy = _clean(t, y)
    n = len(tt)
    method = "Mann-Kendall" + (" (Hamed-Rao)" if hamed_rao else "")
    if n < 3 or np.ptp(tt) == 0:
        return _nan_fit(method, n)
    i, j = np.triu_indices(n, 1)
    s = float(np.sum(np.sign(yy[j] - yy[i])))
    dt = tt[j] - tt[i]
    pair_slopes = np.sort((yy[j] - yy[i])[dt > 0] / dt[dt > 0])
    slope = float(np.median(pair_slopes))
    var = _mk_variance(yy) * (_hamed_rao_factor(tt, yy, slope) if hamed_rao else 1.0)
    lag1 = lag1_autocorrelation(yy - slope * tt - np.mean(yy - slope * tt))
    if var <= 0:
        return TrendFit(method, n, slope, math.nan, slope, slope, 1.0, math.inf, lag1, lag1, n)
    z = (s - np.sign(s)) / math.sqrt(var)
    c = stats.norm.ppf(1 - alpha / 2) * math.sqrt(var)
    big_n = len(pair_slopes)
    lo_i = int(np.clip(math.floor((big_n - c) / 2), 0, big_n - 1))
    hi_i = int(np.clip(math.ceil((big_n + c) / 2), 0, big_n - 1))
    return TrendFit(method, n, slope, math.nan, float(pair_slopes[lo_i]),
                    float(pair_slopes[hi_i]), float(2 * stats.norm.sf(abs(z))), math.inf,
                    lag1, lag1, float(n))


# ------------------------------------------------------------------ family verdicts

VERDICT_COLUMNS = ["series_id", "pool", "kind", "n", "method", "slope_per_year", "ci_low",
                   "ci_high", "p_value", "p_adjusted", "rho", "rho_source", "n_eff", "df",
                   "verdict", "note"]


def benjamini_hochberg(p_values: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN stays NaN and is not counted in the family)."""
    p = np.asarray(p_values, dtype="float64")
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0:
        return out
    order = np.argsort(p[ok])
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    vals = np.empty(m)
    vals[order] = adjusted
    out[ok] = vals
    return out


def _series_arrays(series: pd.DataFrame) -> list[tuple[Any, ...]]:
    """(series_id, pool, is_share, t, value, numerator, denominator) per series."""
    df = series.sort_values(["series_id", "t"], kind="stable")
    sid = df["series_id"].to_numpy()
    pool = (df["pool"] if "pool" in df else df["series_id"]).to_numpy()
    share = (df["share"].fillna(False).astype(bool) if "share" in df
             else pd.Series(False, index=df.index)).to_numpy()
    cols = [df[c].to_numpy(dtype="float64") if c in df else np.full(len(df), np.nan)
            for c in ("t", "value", "numerator", "denominator")]
    cut = np.flatnonzero(sid[1:] != sid[:-1]) + 1
    bounds = zip(np.r_[0, cut], np.r_[cut, len(df)], strict=True)
    return [(sid[a], pool[a], bool(share[a:b].all()), *(c[a:b] for c in cols)) for a, b in bounds]


def _first_pass(item: tuple, alpha: float) -> dict[str, Any]:
    sid, pool, share, t, v, k, m = item
    if share:
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(t) & np.isfinite(k) & np.isfinite(m) & (m > 0) & (k >= 0) & (k <= m)
        fit = share_trend(t[ok], k[ok], m[ok], alpha)
        fn = lambda r: share_trend(t[ok], k[ok], m[ok], alpha, rho=r)  # noqa: E731
    else:
        ok = np.isfinite(t) & np.isfinite(v)
        fit = level_trend(t[ok], v[ok], alpha)
        fn = lambda r: level_trend(t[ok], v[ok], alpha, rho=r)  # noqa: E731
    return {"series_id": sid, "pool": pool, "kind": "share" if share else "level",
            "n": int(ok.sum()), "t": t[ok], "refit": fn, "fit": fit}


def _pooled_rhos(items: list[dict[str, Any]], min_n: int, min_series: int) -> dict[Any, float]:
    """:func:`pooled_equivalent_rho` per pool over its series with at least ``min_n`` periods."""
    by_pool: dict[Any, list[dict[str, Any]]] = {}
    for it in items:
        if it["n"] >= min_n and math.isfinite(it["fit"].lag1) and math.isfinite(it["fit"].lag2):
            by_pool.setdefault(it["pool"], []).append(it)
    return {k: pooled_equivalent_rho([(it["fit"].lag1, it["fit"].lag2) for it in v],
                                     [it["t"] for it in v])
            for k, v in by_pool.items() if len(v) >= min_series}


def _min_lengths(cfg: dict[str, Any], override: dict[str, Any] | None) -> dict[str, dict]:
    """``{kind: {"pooled": n, "single": n or None}}`` from the config and an override that is
    either per kind (``{"level": {...}, "share": {...}}``) or for both (``{"pooled": n, ...}``)."""
    out = {kind: dict(cfg[kind]) for kind in ("level", "share")}
    if override:
        per_kind = set(override) <= {"level", "share"}
        for kind in out:
            out[kind].update(override.get(kind, {}) if per_kind else override)
    return out


def trend_verdicts(series: pd.DataFrame, alpha: float | None = None,
                   min_length: dict[str, Any] | None = None,
                   pool_min_series: int | None = None) -> pd.DataFrame:
    """Test every series of a run's family once and give one verdict per ``series_id``.

    Args:
        series: long table, one row per series and period: ``series_id``,
            ``t`` (decimal years), ``value``; for shares also ``numerator``,
            ``denominator`` and ``share`` = True (quasi-binomial test; else
            OLS); optional ``pool`` (series that share their serial
            correlation, normally one indicator at one period type; absent =
            each series alone). Pass only usable periods (see
            :mod:`zwt_analysis.methods.windows`).
        alpha: test level and BH false discovery rate (default ``methods.yaml``).
        min_length: minimum periods for a verdict, ``{"pooled": n, "single":
            n}`` for both kinds or per kind ``{"level": {...}, "share": {...}}``;
            ``None`` = never a verdict (default ``methods.yaml``, set from
            docs/validation.md).
        pool_min_series: series of at least the pooled minimum length a pool
            needs before its rho is pooled (default ``methods.yaml``).

    Returns:
        One row per series (columns :data:`VERDICT_COLUMNS`): ``kind``
        (share/level), ``rho_source`` (pooled/single), the test's fields,
        ``p_adjusted`` (BH over all tested series of the family; NaN for
        untested ones) and ``verdict``: stijgend / dalend (p_adjusted <
        alpha) / geen aantoonbare trend / te kort om te beoordelen (fewer
        periods than the minimum, or so much autocorrelation that fewer than
        one degree of freedom is left; ``note`` says which).
    """
    cfg = section("trend")
    alpha = float(cfg["alpha"] if alpha is None else alpha)
    lengths = _min_lengths(cfg["min_length"], min_length)
    kmin = int(cfg["pool_min_series"] if pool_min_series is None else pool_min_series)
    if series.empty:
        return pd.DataFrame(columns=VERDICT_COLUMNS)
    items = [_first_pass(it, alpha) for it in _series_arrays(series)]
    pooled = _pooled_rhos(items, min(int(v["pooled"]) for v in lengths.values()), kmin)
    rows = []
    for it in items:
        source = "pooled" if it["pool"] in pooled else "single"
        need = lengths[it["kind"]][source]
        fit: TrendFit = it["fit"]
        note = ""
        if need is None:
            fit, note = _nan_fit(fit.method, it["n"]), "alleen te beoordelen samen met verwante reeksen"
        elif it["n"] < int(need):
            fit, note = _nan_fit(fit.method, it["n"]), f"minder dan {need} bruikbare perioden"
        elif source == "pooled":
            fit = it["refit"](pooled[it["pool"]])
        if note == "" and not math.isfinite(fit.p_value):
            note = "te sterke autocorrelatie voor de lengte van de reeks"
        rows.append({"series_id": it["series_id"], "pool": it["pool"], "kind": it["kind"],
                     "n": it["n"], "method": fit.method, "slope_per_year": fit.slope_per_year,
                     "ci_low": fit.ci_low, "ci_high": fit.ci_high, "p_value": fit.p_value,
                     "rho": fit.rho, "rho_source": source, "n_eff": fit.n_eff, "df": fit.df,
                     "note": note})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = benjamini_hochberg(out["p_value"])
    sig = (out["p_adjusted"] < alpha).to_numpy()
    out["verdict"] = np.select(
        [out["p_value"].isna().to_numpy(), sig & (out["slope_per_year"] > 0).to_numpy(),
         sig & (out["slope_per_year"] < 0).to_numpy()],
        [VERDICT_SHORT, VERDICT_UP, VERDICT_DOWN], default=VERDICT_NONE)
    return out[VERDICT_COLUMNS]
