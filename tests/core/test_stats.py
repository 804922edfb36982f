"""Wilson interval and small-number flag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zwt_analysis.indicators import share_indicators
from zwt_analysis.stats import SMALL_NUMBER_THRESHOLD, add_intervals, small_number, wilson_interval


def test_wilson_known_values():
    # 95%: z = 1.959964; k = 5, n = 10 -> 0.5 +- ... = (0.2366, 0.7634)
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.23659, abs=1e-4) and high == pytest.approx(0.76341, abs=1e-4)
    # k = 0, n = 10: (0, 0.2775)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.27753, abs=1e-4)
    # k = n = 10: (0.7225, 1)
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(0.72247, abs=1e-4) and high == 1.0
    # k = 81, n = 263 (Newcombe 1998 example 0.2553 .. 0.3662 with Wilson)
    low, high = wilson_interval(81, 263)
    assert low == pytest.approx(0.2553, abs=1e-4) and high == pytest.approx(0.3662, abs=1e-4)


def test_wilson_alpha_wider_for_higher_confidence():
    l95, h95 = wilson_interval(30, 100)
    l99, h99 = wilson_interval(30, 100, alpha=0.01)
    assert l99 < l95 and h99 > h95
    with pytest.raises(ValueError):
        wilson_interval(1, 2, alpha=0)


def test_wilson_vectorised_series_and_invalid():
    k = pd.Series([1, 0, 3, np.nan, 5], index=list("abcde"))
    n = pd.Series([2, 0, 2, 4, 10], index=list("abcde"))
    low, high = wilson_interval(k, n)
    assert list(low.index) == list("abcde")
    assert np.isnan(low["b"]) and np.isnan(low["c"]) and np.isnan(low["d"])  # n = 0, k > n, missing
    assert low["a"] < 0.5 < high["a"]
    low_a, high_a = wilson_interval(np.array([1, 2]), np.array([2, 4]))
    assert isinstance(low_a, np.ndarray) and low_a.shape == (2,)


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_wilson_contains_estimate_and_stays_in_unit(k, n):
    k = min(k, n)
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n + 1e-12
    assert k / n - 1e-12 <= high <= 1.0


def test_small_number():
    assert SMALL_NUMBER_THRESHOLD == 30
    s = pd.Series([29, 30, np.nan, 0])
    assert small_number(s).tolist() == [True, False, True, True]
    assert small_number(5, threshold=5) is False
    assert small_number(np.array([4, 5]), threshold=5).tolist() == [True, False]


def test_add_intervals_only_for_count_shares():
    df = pd.DataFrame(
        {
            "indicator_id": ["wmo_decision_on_time", "reach_per_1000", "incidental_funding_share"],
            "period": ["2024-Q1", "2024", "2024"],
            "organisation": ["ALL"] * 3,
            "team": ["ALL"] * 3,
            "numerator": [5.0, 100.0, 200.0],
            "denominator": [10.0, 5.0, 1000.0],
            "value": [0.5, 20.0, 0.2],
        }
    )
    out = add_intervals(df, share_indicators())
    assert out.loc[0, "ci_low"] == pytest.approx(0.23659, abs=1e-4)
    assert out.loc[1:, "ci_low"].isna().all()
    assert out["small_number"].tolist() == [True, False, False]


def test_add_intervals_shares_are_what_the_caller_says():
    df = pd.DataFrame({"indicator_id": ["a", "b", "c"], "numerator": [5.0, 40.0, 1.0],
                       "denominator": [10.0, 40.0, 0.0], "value": [0.5, 1.0, np.nan]})
    out = add_intervals(df, {"b", "c"})
    assert out["ci_low"].isna().tolist() == [True, False, True]  # a: not a share; c: n = 0
    assert out.loc[1, "ci_high"] == 1.0  # k = n: upper bound exactly 1
    # Wilson 95% lower bound for 40/40: n / (n + z^2) = 40 / 43.8415
    assert out.loc[1, "ci_low"] == pytest.approx(40 / (40 + 1.959963984540054**2), abs=1e-12)
    assert out["small_number"].tolist() == [False, False, True]  # 40 >= 30; c: 0 < 30
    assert list(df.columns) == ["indicator_id", "numerator", "denominator", "value"]  # copy
    none = add_intervals(df, [])
    assert none["ci_low"].isna().all() and not none["small_number"].any()
