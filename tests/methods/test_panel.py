"""Two-way FE inference: CR1 against statsmodels, the fast wild cluster restricted bootstrap
against a brute-force refit loop, the few-clusters flag and the three checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zwt_analysis.methods.panel import (
    _weights_matrix,
    mean_group,
    mundlak_check,
    panel_checks,
    placebo_lead,
    two_way_fe,
    wooldridge_serial,
)


def _panel(teams: int = 6, quarters: int = 8, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(g, t) for g in range(teams) for t in range(quarters)],
                     columns=["team", "q"])
    d["x"] = rng.normal(size=len(d)) + 0.3 * d["team"]
    d["w"] = rng.uniform(1, 3, len(d))
    d["y"] = 0.2 * d["x"] + rng.normal(size=len(d)) + rng.normal(size=teams)[d["team"]]
    return d


def _brute_wcr_p(d: pd.DataFrame, b0: float, weights: np.ndarray) -> float:
    sm = pytest.importorskip("statsmodels.api")
    x = pd.concat([d[["x"]], pd.get_dummies(d["team"], prefix="g", dtype=float),
                   pd.get_dummies(d["q"], prefix="q", drop_first=True, dtype=float)], axis=1)
    full = sm.WLS(d["y"], x, weights=d["w"]).fit(cov_type="cluster",
                                                 cov_kwds={"groups": d["team"]})
    restricted = sm.WLS(d["y"] - b0 * d["x"], x.drop(columns="x"), weights=d["w"]).fit()
    fitted = restricted.fittedvalues + b0 * d["x"]
    t0 = (full.params["x"] - b0) / full.bse["x"]
    tstar = []
    for b in range(weights.shape[1]):
        ys = fitted + weights[d["team"].to_numpy(), b] * restricted.resid
        m = sm.WLS(ys, x, weights=d["w"]).fit(cov_type="cluster", cov_kwds={"groups": d["team"]})
        tstar.append((m.params["x"] - b0) / m.bse["x"])
    return float(np.mean(np.abs(tstar) >= abs(t0) - 1e-12))


def test_cr1_matches_statsmodels_and_wcr_matches_brute_force() -> None:
    sm = pytest.importorskip("statsmodels.api")
    d = _panel()
    r = two_way_fe(d, "y", "x", "team", "q", weights="w", draws=64,
                   bootstrap_weights="rademacher")
    x = pd.concat([d[["x"]], pd.get_dummies(d["team"], prefix="g", dtype=float),
                   pd.get_dummies(d["q"], prefix="q", drop_first=True, dtype=float)], axis=1)
    ref = sm.WLS(d["y"], x, weights=d["w"]).fit(cov_type="cluster",
                                                cov_kwds={"groups": d["team"]}, use_t=True)
    assert r.estimate == pytest.approx(ref.params["x"])
    assert r.se_cr1 == pytest.approx(ref.bse["x"])
    assert r.p_cr1 == pytest.approx(ref.pvalues["x"])
    assert (r.ci_cr1_low, r.ci_cr1_high) == pytest.approx(tuple(ref.conf_int().loc["x"]))
    assert r.draws == 64 and r.weights == "rademacher"  # 2^6 patterns enumerated
    w, _ = _weights_matrix(6, 64, "rademacher", 0)
    assert r.p_wcr == pytest.approx(_brute_wcr_p(d, 0.0, w))
    # the interval ends are where the bootstrap p crosses 0.05
    assert _brute_wcr_p(d, r.ci_wcr_high - 1e-6, w) >= 0.05
    assert _brute_wcr_p(d, r.ci_wcr_high + 1e-3, w) < 0.05


def test_webb_draws_are_reproducible_and_few_clusters_flag() -> None:
    d = _panel(teams=10)
    a = two_way_fe(d, "y", "x", "team", "q", draws=999, seed=4)
    b = two_way_fe(d, "y", "x", "team", "q", draws=999, seed=4)
    assert a.weights == "webb" and a.draws == 999
    assert (a.p_wcr, a.ci_wcr_low) == (b.p_wcr, b.ci_wcr_low)
    assert a.few_clusters and a.notes
    eleven = two_way_fe(_panel(teams=11), "y", "x", "team", "q", draws=99)
    assert not eleven.few_clusters and not eleven.notes
    assert a.covers(a.estimate) and a.covers(a.estimate, "cr1")


def test_two_way_fe_rejects_degenerate_panels() -> None:
    d = _panel()
    with pytest.raises(ValueError, match="clusters"):
        two_way_fe(d[d["team"] == 0], "y", "x", "team", "q", draws=9)
    flat = d.assign(x=d["team"].astype(float))  # x constant within teams
    with pytest.raises(ValueError, match="varieert niet"):
        two_way_fe(flat, "y", "x", "team", "q", draws=9)


def test_mundlak_flags_team_level_confounding() -> None:
    rng = np.random.default_rng(202)
    d = _panel(teams=12, quarters=10, seed=2)
    d["y"] = 0.2 * d["x"] + 3.0 * d.groupby("team")["x"].transform("mean") \
        + rng.normal(0, 0.3, len(d))
    assert mundlak_check(d, "y", "x", "team", "q", draws=999).flagged
    d["y"] = 0.2 * d["x"] + rng.normal(0, 0.3, len(d))
    assert not mundlak_check(d, "y", "x", "team", "q", draws=999).flagged


def test_wooldridge_detects_random_walk_errors() -> None:
    rng = np.random.default_rng(205)
    d = _panel(teams=12, quarters=12, seed=5)
    walk = rng.normal(size=(12, 12)).cumsum(axis=1).ravel()
    iid = wooldridge_serial(d.assign(y=0.2 * d["x"] + rng.normal(size=len(d))), "y", "x",
                            "team", "q")
    rw = wooldridge_serial(d.assign(y=0.2 * d["x"] + walk), "y", "x", "team", "q")
    assert not iid.flagged and iid.estimate == pytest.approx(-0.5, abs=0.15)
    assert rw.flagged and rw.estimate > -0.2


def test_placebo_lead_flags_reverse_timing() -> None:
    rng = np.random.default_rng(206)
    d = _panel(teams=12, quarters=10, seed=6).sort_values(["team", "q"])
    lead = d.groupby("team")["x"].shift(-1).fillna(0.0)
    assert placebo_lead(d.assign(y=lead + rng.normal(0, 0.2, len(d))), "y", "x", "team", "q",
                        draws=999).flagged
    assert not placebo_lead(d.assign(y=0.5 * d["x"] + rng.normal(0, 0.2, len(d))), "y", "x",
                            "team", "q", draws=999).flagged
    names = [c.name for c in panel_checks(d, "y", "x", "team", "q", draws=99)]
    assert names == ["mundlak", "wooldridge_serial", "placebo_lead"]


def test_mean_group_recovers_exact_team_slopes() -> None:
    d = _panel(teams=4, quarters=6, seed=7)
    slopes = {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.6}
    d["y"] = d["team"].map(slopes) * d["x"] + 0.5 * d["team"] + 0.1 * d["q"]
    mg = mean_group(d, "y", "x", "team", "q", weights="w")
    assert mg.slopes.to_numpy() == pytest.approx([0.1, 0.2, 0.3, 0.6])
    assert mg.estimate == pytest.approx(0.3)
    se = np.std([0.1, 0.2, 0.3, 0.6], ddof=1) / 2
    assert mg.se == pytest.approx(se)
    assert mg.ci_high == pytest.approx(0.3 + stats.t.ppf(0.975, 3) * se)
    assert mg.clusters == 4 and mg.covers(0.3)
    with pytest.raises(ValueError, match="minimaal 3"):
        mean_group(d[d["team"] < 2], "y", "x", "team", "q")
