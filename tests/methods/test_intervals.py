"""Korn-Graubard and Poisson intervals: hand-computed values and edges."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zwt_analysis.methods.intervals import (
    clustered_ratio_variance,
    korn_graubard_share,
    korn_graubard_table,
    poisson_rate_interval,
    quasi_poisson_dispersion,
)


def test_clustered_ratio_variance_hand_computed() -> None:
    # a = 1, 3; t = 2, 4: p = 2/3, residuals -1/3, 1/3, var = 2 * (2/9) / 36
    p, var, m = clustered_ratio_variance([1, 3, 5], [2, 4, 0])
    assert (p, m) == (pytest.approx(2 / 3), 2)
    assert var == pytest.approx(2 * (2 / 9) / 36)
    assert math.isnan(clustered_ratio_variance([1], [2])[1])
    assert math.isnan(clustered_ratio_variance([0], [0])[0])


def test_korn_graubard_two_persons() -> None:
    r = korn_graubard_share([1, 3], [2, 4])
    p = 2 / 3
    n_eff = p * (1 - p) / (2 * (2 / 9) / 36)  # 18 person-equivalents
    n_df = n_eff * (stats.norm.ppf(0.975) / stats.t.ppf(0.975, 1)) ** 2
    assert r["n_eff"] == pytest.approx(18.0)
    assert r["n_eff_df"] == pytest.approx(n_df)
    assert r["ci_low"] == pytest.approx(stats.beta.ppf(0.025, p * n_df, n_df - p * n_df + 1))
    assert r["ci_high"] == pytest.approx(stats.beta.ppf(0.975, p * n_df + 1, n_df - p * n_df))
    assert r["design_effect"] == pytest.approx(2 / 18)
    # df correction: with 2 persons (1 df) the interval spans nearly everything
    assert r["ci_high"] - r["ci_low"] > 0.9


def test_korn_graubard_edges() -> None:
    one = korn_graubard_share([3], [4])
    assert (one["ci_low"], one["ci_high"]) == (0.0, 1.0)
    zero = korn_graubard_share([0, 0, 0], [5, 6, 7])  # share 0: n_eff = persons
    assert zero["ci_low"] == 0.0 and zero["n_eff"] == 3
    assert zero["ci_high"] == pytest.approx(
        stats.beta.ppf(0.975, 1, 3 * (1.959964 / stats.t.ppf(0.975, 2)) ** 2), rel=1e-5)
    none = korn_graubard_share([], [])
    assert math.isnan(none["share"]) and math.isnan(none["ci_low"])


def test_korn_graubard_table() -> None:
    units = pd.DataFrame({"team": ["A", "A", "B"], "prev": [1, 3, 2], "hours": [2, 4, 4]})
    out = korn_graubard_table(units, ["team"], "prev", "hours")
    assert out["team"].tolist() == ["A", "B"]
    assert out["share"].tolist() == pytest.approx([2 / 3, 0.5])
    assert out.loc[1, "ci_low"] == 0.0 and out.loc[1, "ci_high"] == 1.0  # one person


def test_poisson_rate_interval_exact() -> None:
    rate, lo, hi = poisson_rate_interval(10, 100)
    assert rate == 0.1
    assert lo == pytest.approx(stats.chi2.ppf(0.025, 20) / 2 / 100)
    assert hi == pytest.approx(stats.chi2.ppf(0.975, 22) / 2 / 100)
    _, lo0, hi0 = poisson_rate_interval(0, 50)
    assert lo0 == 0.0 and hi0 == pytest.approx(-math.log(0.025) / 50)
    # dispersion 2: the exact interval of 5 events over 50
    _, lo2, hi2 = poisson_rate_interval(10, 100, dispersion=2.0)
    assert (lo2, hi2) == (pytest.approx(stats.chi2.ppf(0.025, 10) / 2 / 50),
                          pytest.approx(stats.chi2.ppf(0.975, 12) / 2 / 50))
    assert poisson_rate_interval(10, 100, dispersion=0.5) == poisson_rate_interval(10, 100)
    assert all(math.isnan(v) for v in poisson_rate_interval(3, 0))


def test_quasi_poisson_dispersion() -> None:
    # counts 10 and 30 on equal exposure around one rate 20: X2 = 100/20 * 2 = 10 on 1 df
    assert quasi_poisson_dispersion([10, 30], [100, 100]) == pytest.approx(10.0)
    # each group its own rate and one unit per group: no df left
    assert quasi_poisson_dispersion([10, 30], [100, 100], groups=["a", "b"]) == 1.0
    # less spread than Poisson is not used to narrow
    assert quasi_poisson_dispersion([20, 20, 20], [100, 100, 100]) == 1.0
    assert quasi_poisson_dispersion(np.array([5, 15, 10, 10]), [50, 50, 50, 50],
                                    ["a", "a", "b", "b"]) == pytest.approx(2.5)
