"""Trend tests: hand-computed OLS and Mann-Kendall values, the quasi-binomial GLM against
statsmodels, the serial-correlation correction, BH and the family verdicts."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zwt_analysis.methods.trend import (
    VERDICT_DOWN,
    VERDICT_NONE,
    VERDICT_SHORT,
    VERDICT_UP,
    benjamini_hochberg,
    bias_corrected_rho,
    lag1_autocorrelation,
    level_trend,
    mann_kendall,
    pooled_equivalent_rho,
    share_trend,
    trend_verdicts,
)


def test_level_trend_matches_hand_computed_ols() -> None:
    # y = 1, 3, 2, 5 at t = 0..3: slope 5.5 / 5 = 1.1, residuals -0.1, 0.8, -1.3, 0.6
    f = level_trend([0, 1, 2, 3], [1, 3, 2, 5], rho=0.0)
    se = math.sqrt(2.7 / 2 / 5)
    assert f.slope_per_year == pytest.approx(1.1)
    assert f.se == pytest.approx(se)
    assert f.df == 2
    assert f.p_value == pytest.approx(2 * stats.t.sf(1.1 / se, 2))
    assert f.ci_low == pytest.approx(1.1 - stats.t.ppf(0.975, 2) * se)
    assert f.lag1 == pytest.approx((-0.1 * 0.8 + 0.8 * -1.3 + -1.3 * 0.6) / 2.7)


def test_level_trend_edges() -> None:
    assert level_trend([1, 2, 3, 4], [5, 5, 5, 5]).p_value == 1.0  # constant: no trend
    assert math.isnan(level_trend([1, 2], [1, 2]).p_value)  # fewer than 3 points
    assert math.isnan(level_trend([1, 1, 1], [1, 2, 3]).p_value)  # no spread in time
    f = level_trend([1, 2, np.nan, 4], [1, 2, 3, np.nan], rho=0.0)  # NaN rows dropped
    assert f.n == 2 and math.isnan(f.p_value)


def test_autocorrelation_widens_and_can_leave_too_few_df() -> None:
    t = np.arange(8.0)
    y = np.array([0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.6, -0.1]) + 0.1 * t
    plain = level_trend(t, y, rho=0.0)
    corr = level_trend(t, y, rho=0.2)
    n_eff = 8 * 0.8 / 1.2
    assert corr.n_eff == pytest.approx(n_eff)
    assert corr.df == pytest.approx(n_eff - 2)
    assert corr.se == pytest.approx(plain.se * math.sqrt(6 / (n_eff - 2)))
    assert corr.p_value > plain.p_value
    # negative rho is not used to narrow the interval
    assert level_trend(t, y, rho=-0.4).p_value == pytest.approx(plain.p_value)
    # n = 4 and rho = 1/3: n_eff = 2, no degree of freedom left -> not testable
    assert math.isnan(level_trend([0, 1, 2, 3], [1, 3, 2, 5], rho=1 / 3).p_value)


def test_lag1_and_bias_correction() -> None:
    assert lag1_autocorrelation([1, -1, 1, -1]) == pytest.approx(-0.75)
    assert math.isnan(lag1_autocorrelation([0, 0, 0]))
    t = np.arange(12.0)
    # independently: the expected lag-1 autocorrelation of detrended white noise
    x = np.column_stack([np.ones(12), t - t.mean()])
    m = np.eye(12) - x @ np.linalg.pinv(x)
    a = np.zeros((12, 12))
    a[np.arange(11), np.arange(1, 12)] = a[np.arange(1, 12), np.arange(11)] = 0.5
    expected_white = np.trace(m @ a @ m) / np.trace(m)
    assert bias_corrected_rho(expected_white, t) == pytest.approx(0.0, abs=0.01)
    # residual autocorrelation understates rho: the correction moves it up
    assert bias_corrected_rho(0.3, t) > 0.3
    assert math.isnan(bias_corrected_rho(float("nan"), t))


def test_share_trend_is_statsmodels_quasi_binomial() -> None:
    sm = pytest.importorskip("statsmodels.api")
    t = 2019 + np.arange(10) / 4
    m = np.array([120, 150, 90, 200, 170, 160, 130, 140, 180, 110.0])
    k = np.array([40, 52, 25, 60, 57, 41, 30, 38, 44, 22.0])
    f = share_trend(t, k, m, rho=0.0)
    x = sm.add_constant(t - t.mean())
    ref = sm.GLM(k / m, x, family=sm.families.Binomial(), var_weights=m).fit(scale="X2",
                                                                           use_t=True)
    mu = ref.fittedvalues
    assert f.p_value == pytest.approx(ref.pvalues[1], rel=1e-6)
    assert f.slope_per_year == pytest.approx(ref.params[1] * np.mean(mu * (1 - mu)), rel=1e-6)
    assert f.df == 8


def test_share_trend_does_not_depend_on_the_unit_of_the_counts() -> None:
    # hours instead of persons (x 10): the Pearson dispersion absorbs the scale
    t = np.arange(8.0)
    m = np.array([100, 120, 90, 110, 105, 95, 115, 100.0])
    k = np.array([30, 40, 25, 30, 36, 27, 33, 28.0])
    a, b = share_trend(t, k, m, rho=0.0), share_trend(t, 10 * k, 10 * m, rho=0.0)
    assert a.p_value == pytest.approx(b.p_value, rel=1e-9)
    assert a.ci_high == pytest.approx(b.ci_high, rel=1e-9)


def test_share_trend_edges() -> None:
    zero = share_trend([1, 2, 3, 4], [0, 0, 0, 0], [10, 20, 30, 40])
    assert (zero.slope_per_year, zero.p_value) == (0.0, 1.0)
    # a zero denominator and a numerator above the denominator are dropped
    f = share_trend([1, 2, 3, 4, 5], [1, 2, 5, 3, 4], [10, 10, 0, 2, 10], rho=0.0)
    assert f.n == 3


def test_mann_kendall_hand_computed() -> None:
    f = mann_kendall([0, 1, 2, 3], [1, 2, 3, 4], hamed_rao=False)
    var = 4 * 3 * 13 / 18
    assert f.slope_per_year == pytest.approx(1.0)
    assert f.p_value == pytest.approx(2 * stats.norm.sf(5 / math.sqrt(var)))
    # a tie lowers the variance: S = 4 of 6 pairs, var = (4*3*13 - 2*1*9) / 18
    g = mann_kendall([0, 1, 2, 3], [1, 2, 2, 3], hamed_rao=False)
    assert g.p_value == pytest.approx(2 * stats.norm.sf(4 / math.sqrt((156 - 18) / 18)))


def test_benjamini_hochberg_hand_computed() -> None:
    out = benjamini_hochberg([0.01, 0.04, 0.03, np.nan])
    assert out[:3] == pytest.approx([0.03, 0.04, 0.04])
    assert math.isnan(out[3])
    assert np.isnan(benjamini_hochberg([np.nan])).all()


def _family(noise_scale: float = 1.0) -> pd.DataFrame:
    t = np.arange(12.0)
    wiggle = np.array([0.3, -0.2, 0.1, -0.4, 0.2, 0.0, -0.1, 0.3, -0.3, 0.2, -0.2, 0.1])
    rows = []
    for sid, slope in (("up", 1.0), ("down", -1.0), ("flat", 0.0)):
        for ti, w in zip(t, wiggle, strict=True):
            rows.append({"series_id": sid, "pool": "level", "t": ti,
                         "value": slope * ti + noise_scale * w})
    rows += [{"series_id": "short", "pool": "level", "t": float(i), "value": float(i)}
             for i in range(4)]
    return pd.DataFrame(rows)


def test_trend_verdicts_one_verdict_per_series() -> None:
    out = trend_verdicts(_family(), alpha=0.05, min_length={"pooled": 6, "single": 24},
                         pool_min_series=3).set_index("series_id")
    assert out.loc["up", "verdict"] == VERDICT_UP
    assert out.loc["down", "verdict"] == VERDICT_DOWN
    assert out.loc["flat", "verdict"] == VERDICT_NONE
    assert out.loc["short", "verdict"] == VERDICT_SHORT
    assert out.loc["short", "note"] == "minder dan 6 bruikbare perioden"
    assert set(out.loc[["up", "down", "flat"], "rho_source"]) == {"pooled"}
    # the pooled rho is the same for every series in the pool
    assert out.loc[["up", "down", "flat"], "rho"].nunique() == 1
    # BH over the three tested series only
    assert out["p_adjusted"].notna().sum() == 3


def test_trend_verdicts_single_series_needs_the_single_minimum() -> None:
    fam = _family()
    alone = fam[fam["series_id"] == "up"]
    out = trend_verdicts(alone, min_length={"pooled": 6, "single": 24}, pool_min_series=3)
    assert out["rho_source"].iloc[0] == "single"
    assert out["verdict"].iloc[0] == VERDICT_SHORT  # 12 periods < 24
    out = trend_verdicts(alone, min_length={"pooled": 6, "single": 12}, pool_min_series=3)
    assert out["verdict"].iloc[0] == VERDICT_UP


def test_trend_verdicts_family_correction_can_withdraw_a_verdict() -> None:
    # one series at p ~ 0.02 is a trend alone, not among 19 trendless ones (BH)
    rng = np.random.default_rng(3)
    t = np.arange(12.0)
    base = rng.normal(size=12)
    resid = base - np.polyval(np.polyfit(t, base, 1), t)
    f = level_trend(t, resid, rho=0.0)
    slope = stats.t.ppf(1 - 0.02 / 2, 10) * f.se
    rows = [{"series_id": "target", "t": ti, "value": slope * ti + r}
            for ti, r in zip(t, resid, strict=True)]
    for j in range(19):
        v = rng.normal(size=12)
        rows += [{"series_id": f"null{j}", "t": ti, "value": x} for ti, x in zip(t, v, strict=True)]
    fam = pd.DataFrame(rows)
    lengths = {"pooled": 6, "single": 6}
    alone = trend_verdicts(fam[fam["series_id"] == "target"], min_length=lengths)
    assert alone["p_value"].iloc[0] == pytest.approx(0.02, rel=1e-3)
    assert alone["verdict"].iloc[0] == VERDICT_UP
    together = trend_verdicts(fam, min_length=lengths).set_index("series_id")
    assert together.loc["target", "p_value"] == pytest.approx(0.02, rel=1e-3)
    assert together.loc["target", "verdict"] == VERDICT_NONE


def test_trend_verdicts_shares_and_empty() -> None:
    t = np.arange(8.0)
    fam = pd.DataFrame({"series_id": "s", "t": t, "numerator": [10, 14, 13, 18, 17, 23, 22, 27.0],
                        "denominator": 100.0, "share": True})
    fam["value"] = fam["numerator"] / fam["denominator"]
    out = trend_verdicts(fam, min_length={"pooled": 6, "single": 6})
    assert out["kind"].iloc[0] == "share" and out["verdict"].iloc[0] == VERDICT_UP
    assert out["method"].iloc[0].startswith("quasi-binomiaal")
    assert trend_verdicts(fam.iloc[0:0]).empty


def _expected_lags(n: int, corr_at: list[float]) -> tuple[float, float]:
    """E[lag-k residual autocorrelation] ~ tr(M A_k M V) / tr(M V), computed directly."""
    t = np.arange(float(n))
    x = np.column_stack([np.ones(n), t - t.mean()])
    m = np.eye(n) - x @ np.linalg.pinv(x)
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    v = np.asarray(corr_at)[lags]
    out = []
    for k in (1, 2):
        a = np.zeros((n, n))
        a[np.arange(n - k), np.arange(k, n)] = a[np.arange(k, n), np.arange(n - k)] = 0.5
        out.append(float(np.trace(m @ a @ m @ v) / np.trace(m @ v)))
    return out[0], out[1]


def test_pooled_equivalent_rho_recovers_ar1_and_white_noise() -> None:
    n = 20
    t = [np.arange(float(n))] * 4
    ar = _expected_lags(n, [0.5 ** d for d in range(n)])
    assert pooled_equivalent_rho([ar] * 4, t) == pytest.approx(0.5, abs=0.03)
    white = _expected_lags(n, [1.0] + [0.0] * (n - 1))
    assert pooled_equivalent_rho([white] * 4, t) == pytest.approx(0.0, abs=0.03)
    # AR(1) 0.5 under as much independent noise: a = 0.25, phi = 0.5 -> 0.25 / 0.75
    mixed = _expected_lags(n, [1.0] + [0.25 * 0.5 ** (d - 1) for d in range(1, n)])
    assert pooled_equivalent_rho([mixed] * 4, t) == pytest.approx(1 / 3, abs=0.04)
    assert np.isnan(pooled_equivalent_rho([(np.nan, 0.1)], t[:1]))


@pytest.mark.parametrize("numerator", [[0, 0, 0, 5, 5, 5], [0, 0, 1, 5, 5, 5]])
def test_share_trend_on_separated_shares_gives_no_verdict_and_no_warning(numerator) -> None:
    """0% before and 100% after: the logit slope has no finite estimate (separation)."""
    t = np.arange(6) / 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = share_trend(t, np.array(numerator), np.full(6, 5))
    assert math.isnan(fit.slope_per_year) and math.isnan(fit.p_value) and fit.n == 6
