"""Flexible reservation: deflation and the prediction bound, by hand."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from zwt_analysis.methods.reservation import deflate, empirical_percentile, prediction_bound


def test_deflate_to_base_year_prices() -> None:
    out = deflate({2020: 100.0, 2021: 110.0, 2022: 121.0}, {2021: 10.0, 2022: 10.0}, 2022)
    assert out == {2020: pytest.approx(121.0), 2021: pytest.approx(121.0), 2022: 121.0}
    assert deflate({2020: 50.0}, {}, 2020) == {2020: 50.0}


def test_exact_growth_line_is_extrapolated() -> None:
    amounts = {2020: 1.0, 2021: math.e, 2022: math.e ** 2}
    b = prediction_bound(amounts, level=0.8)
    assert b.year == 2023
    assert b.bound_eur == pytest.approx(math.e ** 3)
    assert b.growth_per_year == pytest.approx(math.e - 1)
    # with next year's price rise of 3%
    assert prediction_bound(amounts, next_index_pct=3.0, level=0.8).bound_eur == pytest.approx(
        math.e ** 3 * 1.03)


def test_constant_level_bound_hand_computed() -> None:
    # log amounts 0 and 2: mean 1, s = sqrt(2), leverage 1/2, t(0.8, 1 df)
    b = prediction_bound({2020: 1.0, 2021: math.e ** 2}, level=0.8, trend=False)
    expected = math.exp(1 + stats.t.ppf(0.8, 1) * math.sqrt(2) * math.sqrt(1.5))
    assert b.bound_eur == pytest.approx(expected)
    assert b.central_eur == pytest.approx(math.e)
    assert b.n_years == 2 and not b.trend


def test_prediction_bound_rejects_too_little() -> None:
    with pytest.raises(ValueError):
        prediction_bound({2020: 1.0, 2021: 2.0}, trend=True)
    with pytest.raises(ValueError):
        prediction_bound({2020: 1.0, 2021: 0.0, 2022: -3.0}, trend=False)  # one positive year
    with pytest.raises(ValueError):
        prediction_bound({2020: 1.0, 2021: 2.0, 2022: 3.0}, level=0.4)


def test_empirical_percentile_is_the_old_rule() -> None:
    assert empirical_percentile([1, 2, 3, 4, 5], 0.8) == pytest.approx(4.2)
    assert math.isnan(empirical_percentile([], 0.8))


def test_measured_coverage_is_given_only_for_the_validated_setting() -> None:
    amounts = {2020: 1.0, 2021: 1.2, 2022: 1.1, 2023: 1.4}
    assert prediction_bound(amounts).measured_coverage == (0.786, 0.819)
    assert all(math.isnan(v) for v in prediction_bound(amounts, level=0.9).measured_coverage)
    assert all(math.isnan(v) for v in prediction_bound(amounts, trend=False).measured_coverage)
