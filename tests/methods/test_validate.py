"""Pieces of ``make validate`` that decide something: the minimum-length rule, the frozen
old methods, the lightweight panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zwt_analysis.validate import _markdown, trend_size
from zwt_analysis.validate.legacy import old_clustered_wilson, old_share_p
from zwt_analysis.validate.panel_coverage import light_panel


def test_min_lengths_takes_the_smallest_length_that_holds_from_there_on() -> None:
    rows = []
    for n, wn, ar in ((6, 0.05, 0.09), (8, 0.05, 0.06), (12, 0.05, 0.08), (16, 0.04, 0.07),
                      (30, 0.05, 0.065)):
        for noise, rate in (("witte ruis", wn), ("AR(1) 0,5", ar)):
            rows.append({"kind": "niveau", "method": "nieuw: x, gepoold", "noise": noise,
                         "n": n, "reject": rate})
            rows.append({"kind": "niveau", "method": "nieuw: x, reeks alleen", "noise": noise,
                         "n": n, "reject": 0.2})
    out = trend_size.min_lengths(pd.DataFrame(rows))
    # 8 holds but 12 does not: the rule starts at 16
    assert out == {"level": {"pooled": 16, "single": None}}


def test_old_share_glm_has_the_one_over_n_dispersion() -> None:
    # binomial data without any trend: the old test calls almost everything significant
    rng = np.random.default_rng(0)
    t = np.arange(12.0)
    rejected = 0
    for _ in range(30):
        m = rng.integers(150, 400, 12).astype(float)
        p = 1 / (1 + np.exp(-(-0.85 + 0.15 * rng.normal(size=12))))
        k = rng.binomial(m.astype(int), p).astype(float)
        rejected += old_share_p(t, k, m) < 0.05
    assert rejected >= 20


def test_old_clustered_wilson_has_no_df_correction() -> None:
    from zwt_analysis.stats import wilson_interval

    # two persons, n_eff = 18 (see test_intervals) capped at the 6 hours: Wilson at 4 of 6
    lo, hi = old_clustered_wilson(np.array([1.0, 3.0]), np.array([2.0, 4.0]))
    assert (lo, hi) == pytest.approx(wilson_interval(4.0, 6.0))


def test_light_panel_design() -> None:
    d = light_panel(np.random.default_rng(1), -0.008, 0.0, 0.0)
    assert len(d) == 300 and d["team"].nunique() == 10 and d["period"].nunique() == 30
    assert (d["hours"] >= 800).all()


def test_markdown_table() -> None:
    assert _markdown(pd.DataFrame({"a": [1], "b": ["x"]})) == "| a | b |\n| --- | --- |\n| 1 | x |"


@pytest.mark.parametrize("n", [6, 30])
def test_ar1_has_unit_variance(n: int) -> None:
    x = trend_size.ar1(np.random.default_rng(2), n, 0.5, 4000)
    assert x.var() == pytest.approx(1.0, abs=0.05)
