"""Intervals for clustered hour shares and for yearly rates.

Hour shares (e.g. preventive hours / direct hours of a team in a quarter)
are ratios of sums over persons: hours of one person are not independent
trials, so the binomial intervals of :mod:`zwt_analysis.stats` are too
narrow. :func:`korn_graubard_share` uses the person-clustered variance and
the Korn & Graubard (1998, *Survey Methodology* 24:193-201) interval: a
Clopper-Pearson interval at the *effective* sample size, shrunk further by
the ratio of the normal to the t quantile with ``persons - 1`` degrees of
freedom. With 2 persons that ratio is 1.96 / 12.7, which is what keeps the
coverage (issue 15 measured 73% for the earlier clustered Wilson interval).

Rates of events over a stock (staff outflow: leavers / persons on 1
January) get the exact Poisson (Garwood 1936) interval from
:func:`poisson_rate_interval`; when several organisation-years show more
spread than Poisson allows, :func:`quasi_poisson_dispersion` estimates the
factor that widens it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


def clustered_ratio_variance(numerators: Any, totals: Any) -> tuple[float, float, int]:
    """Share ``sum(a) / sum(t)`` over clusters and its linearised variance.

    ``var = m / (m - 1) * sum((a_i - p t_i)^2) / T^2`` over the ``m``
    clusters with ``t_i > 0`` (Cochran 1977, sec. 6.10).

    Returns:
        ``(share, variance, clusters)``; variance NaN with fewer than 2
        clusters, share NaN when the total is 0.
    """
    a = np.asarray(numerators, dtype="float64")
    t = np.asarray(totals, dtype="float64")
    ok = np.isfinite(a) & np.isfinite(t) & (t > 0)
    a, t = a[ok], t[ok]
    m = len(t)
    total = float(t.sum())
    if total <= 0:
        return math.nan, math.nan, m
    p = float(a.sum()) / total
    if m < 2:
        return p, math.nan, m
    resid = a - p * t
    return p, m / (m - 1) * float(resid @ resid) / total ** 2, m


def _clopper_pearson(x: float, n: float, alpha: float) -> tuple[float, float]:
    """Clopper-Pearson bounds for (possibly fractional) ``x`` successes out of ``n``."""
    low = 0.0 if x <= 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x >= n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return low, high


def korn_graubard_share(numerators: Any, totals: Any, alpha: float = 0.05
                        ) -> dict[str, float]:
    """Korn-Graubard interval of a share of hours clustered by person.

    Args:
        numerators: per person (cluster), the hours in the numerator (>= 0).
        totals: per person, the hours in the denominator (>= numerator);
            persons with 0 hours are left out.
        alpha: 1 - confidence level.

    Returns:
        ``share``, ``ci_low``, ``ci_high``, ``persons``, ``df`` (persons - 1),
        ``n_eff`` (``p (1 - p) / var``: the persons-equivalent of independent
        trials), ``n_eff_df`` (after the df correction ``n_eff (z / t_df)^2``)
        and ``design_effect`` (variance / binomial variance per person-equivalent,
        here ``persons / n_eff``). Edge cases: one person gives the interval
        0..1 (nothing is known of the spread between persons); a share of
        exactly 0 or 1, or a zero variance, takes ``n_eff = persons`` (each
        person one trial); no hours gives NaNs.
    """
    p, var, m = clustered_ratio_variance(numerators, totals)
    out = {"share": p, "ci_low": math.nan, "ci_high": math.nan, "persons": float(m),
           "df": float(m - 1), "n_eff": math.nan, "n_eff_df": math.nan,
           "design_effect": math.nan}
    if not math.isfinite(p):
        return out
    if m < 2:
        out.update(ci_low=0.0, ci_high=1.0)
        return out
    pq = p * (1 - p)
    n_eff = pq / var if var > 0 and pq > 0 else float(m)
    z = float(stats.norm.ppf(1 - alpha / 2))
    n_df = n_eff * (z / float(stats.t.ppf(1 - alpha / 2, m - 1))) ** 2
    low, high = _clopper_pearson(p * n_df, n_df, alpha)
    out.update(ci_low=low, ci_high=high, n_eff=n_eff, n_eff_df=n_df, design_effect=m / n_eff)
    return out


def korn_graubard_table(units: pd.DataFrame, keys: list[str], numerator: str, total: str,
                        alpha: float = 0.05) -> pd.DataFrame:
    """:func:`korn_graubard_share` per cell of ``keys`` over rows of one person each.

    Args:
        units: one row per cell and person (the cluster), with ``numerator``
            and ``total`` hours.
        keys: cell columns (e.g. organisation, team, period).

    Returns:
        ``keys`` + share, ci_low, ci_high, persons, df, n_eff, n_eff_df,
        design_effect; sorted by ``keys``.
    """
    rows = []
    for key, g in units.groupby(keys, sort=True, dropna=False):
        vals = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, vals, strict=True)),
                     **korn_graubard_share(g[numerator], g[total], alpha)})
    cols = [*keys, "share", "ci_low", "ci_high", "persons", "df", "n_eff", "n_eff_df",
            "design_effect"]
    return pd.DataFrame(rows, columns=cols)


def poisson_rate_interval(count: float, exposure: float, alpha: float = 0.05,
                          dispersion: float = 1.0) -> tuple[float, float, float]:
    """Rate ``count / exposure`` with its exact Poisson (Garwood) interval.

    With ``dispersion`` phi > 1 (quasi-Poisson) the interval is the exact one
    for ``count / phi`` events over ``exposure / phi``: same rate, the
    variance phi times the Poisson variance.

    Args:
        count: events (e.g. leavers in the year), >= 0.
        exposure: the stock they are counted against (persons on 1 January),
            > 0; the rate is per unit of exposure.
        alpha: 1 - confidence level.
        dispersion: phi >= 1 (values below 1 are taken as 1).

    Returns:
        ``(rate, low, high)``; NaNs when exposure <= 0 or count < 0 / missing.
    """
    if not (math.isfinite(count) and math.isfinite(exposure)) or exposure <= 0 or count < 0:
        return math.nan, math.nan, math.nan
    phi = max(1.0, float(dispersion))
    k = count / phi
    low = 0.0 if k == 0 else float(stats.chi2.ppf(alpha / 2, 2 * k)) / 2
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * k + 2)) / 2
    e = exposure / phi
    return count / exposure, low / e, high / e


def quasi_poisson_dispersion(counts: Any, exposures: Any, groups: Any = None) -> float:
    """Pearson dispersion of counts around a rate per group (``max(1, X2 / df)``).

    Args:
        counts, exposures: one value per unit (e.g. organisation-year).
        groups: labels; each group has its own rate (None: one common rate).
            The years within a group then count as replicates, so a real
            drift over the years shows up as over-dispersion too.

    Returns:
        phi >= 1; 1.0 when there are no residual degrees of freedom.
    """
    k = np.asarray(counts, dtype="float64")
    e = np.asarray(exposures, dtype="float64")
    g = np.zeros(len(k), dtype=int) if groups is None else pd.factorize(np.asarray(groups))[0]
    ok = np.isfinite(k) & np.isfinite(e) & (e > 0)
    k, e, g = k[ok], e[ok], g[ok]
    n_groups = len(np.unique(g))
    df = len(k) - n_groups
    if df <= 0:
        return 1.0
    rate = np.bincount(g, weights=k) / np.bincount(g, weights=e)
    mu = rate[g] * e
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = float(np.sum(np.where(mu > 0, (k - mu) ** 2 / mu, 0.0)))
    return max(1.0, x2 / df)
