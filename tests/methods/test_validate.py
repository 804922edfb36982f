"""Pieces of ``make validate`` that decide something: the minimum-length rule, the frozen
old methods, the lightweight panel, the workforce summaries; and the quick path end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zwt_analysis.validate import _by_kind, _markdown, main, scenario_recovery, trend_size
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


def _rec(condition: str, history: int, parameter: str, truth: float, estimate: float,
         covered: bool, p: float = np.nan, decision: object = np.nan) -> dict:
    return {"condition": condition, "history": history, "organisation": "A",
            "parameter": parameter, "truth": truth, "estimate": estimate, "low": np.nan,
            "high": np.nan, "covered": covered, "p": p, "decision": decision}


def test_recovery_summary_coverage_and_bias_by_kind() -> None:
    rec = pd.DataFrame([
        _rec("met", 0, "outflow_2020", 0.10, 0.12, True),  # outflow first: order is by kind
        _rec("met", 0, "outflow_2021", 0.10, 0.06, False),
        _rec("met", 0, "months_to_fill", 3.0, 2.5, True),
        _rec("met", 0, "drift", 0.05, 0.03, True, 0.20, "none"),
        _rec("met", 1, "drift", 0.05, 0.09, True, 0.01, "common"),
        _rec("met", 1, "months_to_fill", 3.0, 3.9, False),
        _rec("met", 1, "outflow_2020", 0.20, 0.20, True),
        _rec("met", 1, "outflow_2021", 0.20, 0.16, True),
        _rec("zonder", 0, "drift", 0.0, 0.07, False, 0.05, "per organisation"),
    ])
    s = scenario_recovery.summarise_recovery(rec)
    assert list(zip(s["condition"], s["kind"], strict=True)) == [
        ("met", "drift"), ("met", "months_to_fill"), ("met", "outflow"), ("zonder", "drift")]
    assert list(s["histories"]) == [2, 2, 2, 1] and list(s["intervals"]) == [2, 2, 4, 1]
    assert list(s["coverage"]) == [1.0, 0.5, 0.75, 0.0]
    assert list(s["estimate"]) == pytest.approx([0.06, 3.2, 0.135, 0.07])
    assert list(s["truth"]) == pytest.approx([0.05, 3.0, 0.15, 0.0])
    assert list(s["bias"]) == pytest.approx([0.01, 0.2, -0.015, 0.07])
    d = scenario_recovery.summarise_drift_test(rec).set_index("condition")
    assert d.loc["met", "histories"] == 2 and d.loc["met", "truth"] == 0.05
    assert d.loc["met", "common"] == 0.5 and d.loc["met", "adopted"] == 0.5
    # p = 0.05 exactly is not below alpha; a per-organisation drift is still a drift taken up
    assert d.loc["zonder", "common"] == 0.0 and d.loc["zonder", "adopted"] == 1.0


def test_backtest_summary_splits_organisations_and_city() -> None:
    bt = pd.DataFrame({
        "condition": ["c"] * 5, "history": [0, 0, 0, 1, 1],
        "organisation": ["A", "B", "ALL", "A", "ALL"],
        "leavers_p10": [2.0, 2.0, 10.0, 2.0, 10.0], "leavers_p90": [8.0, 8.0, 20.0, 8.0, 20.0],
        "leavers_observed": [2.0, 1.0, 21.0, 9.0, 15.0],  # on the edge, below, above, above, in
    })
    bt["in_band"] = (bt["leavers_p10"] <= bt["leavers_observed"]) & (
        bt["leavers_observed"] <= bt["leavers_p90"])
    s = scenario_recovery.summarise_backtest(bt).set_index("level")
    assert s.loc["organisaties", "predictions"] == 3 and s.loc["stad", "predictions"] == 2
    assert s.loc["organisaties", "coverage"] == pytest.approx(1 / 3)
    assert s.loc["organisaties", "below"] == pytest.approx(1 / 3)
    assert s.loc["stad", "coverage"] == 0.5 and s.loc["stad", "below"] == 0.0
    assert list(s["histories"]) == [2, 2]


def test_history_seeds_are_distinct_and_reproducible() -> None:
    seeds = {scenario_recovery.history_seed(15, c, h) for c in range(2) for h in range(50)}
    assert len(seeds) == 100
    assert scenario_recovery.history_seed(15, 1, 3) == scenario_recovery.history_seed(15, 1, 3)


def test_recovery_figures_in_their_unit() -> None:
    assert _by_kind("outflow", 0.1064) == "10.6%"
    assert _by_kind("outflow", -0.003, signed=True) == "-0.3 %-punt"
    assert _by_kind("drift", 0.05) == "0.050" and _by_kind("drift", 0.0123, True) == "+0.012"
    assert _by_kind("months_to_fill", 3.456) == "3.46"


@pytest.mark.slow
def test_quick_path_runs_and_yields_the_workforce_tables(tmp_path) -> None:
    """Every simulation at ``--quick`` size, in two processes (13 s on an idle machine)."""
    out = tmp_path / "validate.md"
    assert main(["--quick", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for heading in ("**Paneel", "**Personeelsmodel: bekende waarden terugvinden",
                    "**Drifttoets vertrek:", "**Terugtoets vertrekkers per jaar:"):
        assert heading in text
    assert "| geen drift | 0.00 | 2 | fout-positief |" in text
    assert "personeel" in text.rsplit("rekentijd:", 1)[1]


def test_only_runs_the_chosen_section(tmp_path, capsys):
    from zwt_analysis import validate

    out = tmp_path / "tables.md"
    assert validate.main(["--quick", "--only", "overig", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Flexibele reservering" in text and "rekentijd: overig" in text
    assert "Trendtoets" not in text and "Termijnmodellen" not in text
    assert "[validate] overig" in capsys.readouterr().out
