"""``zwt_analysis.validate.deadline_coverage``: the truth of the deadline models and its coverage.

The generator's deadline keys against the indicators' definitions, the
planted chance per cohort on a hand-built case table, the rows the truth is
fitted on against the report's model, the summary on hand-built runs, the
fast path against ``zwt synth`` + ``zwt clean`` + ``zwt indicators`` (slow)
and the tables end to end (slow).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from zwt_analysis.indicators.deadlines import DEADLINES, resolve_limits
from zwt_analysis.reports.prevention import model
from zwt_analysis.reports.prevention.build import resolve_settings
from zwt_analysis.reports.prevention.deadlines import DEADLINE_INDICATORS
from zwt_analysis.synth import _params
from zwt_analysis.validate import deadline_coverage as dc

PW = "participatiewet_decision_on_time"


def test_generator_plants_each_deadline_on_the_indicators_events_and_limit() -> None:
    limits = resolve_limits(None)
    for ind in DEADLINE_INDICATORS:
        spec, planted = DEADLINES[ind], _params.DEADLINES[dc.synth_key(ind)]
        assert (planted["framework"], planted["start"], planted["end"]) == (
            spec.legal_framework, spec.start, spec.end), ind
        assert planted["limit"] == limits[spec.limit_key], ind
    assert dc.synth_key(PW) == "participatiewet_decision"


def test_planted_beta_is_restored_also_after_an_error() -> None:
    old = _params.DEADLINE_BETA
    with dc.planted_beta(0.0):
        assert _params.DEADLINE_BETA == 0.0
    assert _params.DEADLINE_BETA == old
    with pytest.raises(RuntimeError), dc.planted_beta(0.5):
        raise RuntimeError
    assert _params.DEADLINE_BETA == old
    with dc.planted_beta(None):
        assert _params.DEADLINE_BETA == old


def _cases() -> tuple[pd.DataFrame, np.ndarray]:
    """Hand-built processed cases (as of 2024-12-31) and their planted loads."""
    nat = None
    rows = [  # case, team, law, report, application, decision, assessment, load
        ("c1", "A", "participatiewet", "2024-01-02", "2024-01-10", "2024-02-01", nat, 22.0),  # on time
        ("c2", "A", "participatiewet", "2024-02-01", "2024-02-15", nat, nat, 32.0),  # late, open
        ("c3", "A", "participatiewet", "2024-02-20", "2024-03-01", "2024-06-01", nat, np.nan),  # late
        ("c4", "A", "participatiewet", "2024-01-05", nat, nat, nat, 40.0),  # outside
        ("c5", "A", "participatiewet", "2024-12-01", "2024-12-20", nat, nat, 40.0),  # pending
        ("c6", "A", "wmo", "2024-01-03", nat, nat, "2024-01-20", 22.0),  # assessment on time
        ("c7", "A", "participatiewet", "2024-12-30", "2025-01-05", nat, nat, 40.0),  # after as-of
        ("c8", "B", "participatiewet", "2024-04-01", "2024-04-10", "2024-05-01", nat, 12.0),
    ]
    cases = pd.DataFrame({
        "case_id": [r[0] for r in rows], "client_id": [f"p{i}" for i in range(len(rows))],
        "organisation": "O1", "team": [r[1] for r in rows], "area_code": "WK1",
        "legal_framework": [r[2] for r in rows],
        "date_report": pd.to_datetime([r[3] for r in rows]),
        "date_first_contact": pd.to_datetime([r[3] for r in rows]),
        "date_assessment_done": pd.to_datetime([r[6] for r in rows]),
        "date_application": pd.to_datetime([r[4] for r in rows]),
        "date_decision": pd.to_datetime([r[5] for r in rows]),
        "date_closed": pd.to_datetime([None] * len(rows)),
    })
    for c in ("case_id", "client_id", "organisation", "team", "area_code", "legal_framework"):
        cases[c] = cases[c].astype("string")
    return cases, np.array([r[7] for r in rows])


def test_cohort_truth_is_the_mean_planted_chance_of_the_judged_cases() -> None:
    cases, load = _cases()
    with dc.planted_beta(-0.1):  # the generator's value; alpha 1.6 for both laws, centre 22
        out = dc.cohort_truth(cases, load, date(2024, 12, 31))
    out = out.set_index(["indicator_id", "team", "period"])
    assert sorted(out.index) == [(PW, "A", "2024-Q1"), (PW, "B", "2024-Q2"),
                                 ("wmo_assessment_on_time", "A", "2024-Q1")]
    # A 2024-Q1: c1 (load 22: logistic(1.6)), c2 (32: logistic(0.6)), c3 (no load: the centre);
    # c4 without application, c5 pending and c7 (application after as-of) are not judged
    a = out.loc[(PW, "A", "2024-Q1")]
    assert a["judged"] == 3
    assert a["expected_share"] == pytest.approx((2 * 0.8320184 + 0.6456563) / 3, abs=1e-6)
    assert a["pq"] == pytest.approx(0.1694373, abs=1e-6)
    b = out.loc[(PW, "B", "2024-Q2")]  # load 12: logistic(2.6)
    assert (b["judged"], b["expected_share"]) == (1, pytest.approx(0.9308616, abs=1e-6))
    assert b["pq"] == pytest.approx(0.9308616 * 0.0691384, abs=1e-6)
    assert out.loc[("wmo_assessment_on_time", "A", "2024-Q1"), "expected_share"] == \
        pytest.approx(0.8320184, abs=1e-6)


def test_cohort_truth_without_a_planted_effect_is_the_chance_at_the_centre() -> None:
    cases, load = _cases()
    with dc.planted_beta(0.0):
        out = dc.cohort_truth(cases, load, date(2024, 12, 31))
    assert out.loc[out["indicator_id"] == PW, "expected_share"].tolist() == \
        pytest.approx([0.8320184] * 2, abs=1e-6)


def _dpanel() -> pd.DataFrame:
    """Cohorts 2022-Q1..2024-Q4 of 4 teams; the share falls 0.01 per case per FTE."""
    rng = np.random.default_rng(3)
    quarters = [f"{y}-Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
    rows = []
    for t in range(4):
        for i, p in enumerate(quarters):
            load = 20 + rng.normal(0, 4)
            rows.append({"indicator_id": PW, "organisation": "O1", "team": f"T{t}", "period": p,
                         "share_on_time": 0.8 - 0.01 * (load - 20) + rng.normal(0, 0.03),
                         "evaluable": 0 if (t, i) == (0, 3) else 30,
                         "caseload_start": load,
                         "load_period": quarters[i - 1] if i else "2021-Q4"})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("start", [date(2019, 1, 1), date(2022, 1, 1)])
def test_fitted_cells_are_the_rows_the_report_model_fits(start: date) -> None:
    d = _dpanel()
    as_of = date(2024, 12, 31)  # 2024-Q4 is provisional
    cells = dc._fitted_cells(d, PW, as_of, start)
    fit = model.fit_deadline_models(d, resolve_settings({}), as_of, start).fits[PW]
    assert len(cells) == fit.n_obs
    assert "2024-Q4" not in set(cells["period"]) and (cells["evaluable"] > 0).all()
    # 4 teams x 11 final quarters, one without judged cases; a 2022 data start also drops the
    # cohorts whose starting caseload lies in the warm-up
    if start.year == 2019:
        assert len(cells) == 43
    else:
        assert 0 < len(cells) < 43 and "2021-Q4" not in set(cells["load_period"])


def _run(law: str, null: bool, est: float, lo: float, hi: float, p: float,
         truth: float) -> dict:
    return {"seed": 1, "null": null, "indicator_id": law, "est": est, "cr1_lo": lo, "cr1_hi": hi,
            "wcr_lo": lo - 0.002, "wcr_hi": hi + 0.002, "p_cr1": p, "p_wcr": p + 0.02,
            "truth": truth, "truth_ame": truth + 0.003, "team_quarters": 230, "teams": 10}


def test_summarise_counts_coverage_and_false_positives_by_hand() -> None:
    runs = pd.DataFrame([
        _run(PW, False, -0.015, -0.020, -0.010, 0.001, -0.0140),  # all cover
        _run(PW, False, -0.005, -0.011, 0.001, 0.10, -0.0125),  # only WCR (-0.013 ..) covers
        _run(PW, True, 0.007, 0.000, 0.014, 0.04, 0.0),  # CR1 rejects (0.04), WCR not (0.06)
        _run("wgs_first_contact_on_time", False, -0.010, -0.020, 0.000, 0.05, -0.0300),  # none
    ])
    s = dc.summarise(runs).set_index("indicator_id")
    pw = s.loc[PW]
    assert (pw["sets"], pw["null_sets"]) == (2, 1)
    assert (pw["cov_cr1"], pw["cov_wcr"]) == (0.5, 1.0)
    # AME truths -0.011 and -0.0095 against WCR -0.022 .. -0.008 and -0.013 .. 0.003
    assert pw["cov_ame"] == 1.0
    assert (pw["rej_cr1"], pw["rej_wcr"]) == (1.0, 0.0)
    assert pw["truth_pp"] == pytest.approx(-13.25) and pw["est_pp"] == pytest.approx(-10.0)
    assert pw["bias_pp"] == pytest.approx(3.25)
    # WCR 0.004 wider than CR1 widths 0.010, 0.012, 0.014: median of 1.4, 1.333, 1.286
    assert pw["width_ratio"] == pytest.approx(0.016 / 0.012)
    wgs = s.loc["wgs_first_contact_on_time"]
    assert wgs["cov_wcr"] == 0.0 and np.isnan(wgs["rej_wcr"])
    assert s.loc["alle", "sets"] == 3 and s.loc["alle", "cov_wcr"] == pytest.approx(2 / 3)


@pytest.mark.slow
def test_fast_path_gives_the_indicators_of_zwt_synth_clean_indicators(small_indicators) -> None:
    from testdata import SMALL_SCALE, SMALL_SEED

    from zwt_analysis import indicators
    from zwt_analysis.synth import DEFAULT_UNTIL

    ids = [*DEADLINE_INDICATORS, "caseload_per_fte"]
    written = pd.read_csv(small_indicators, dtype=str)
    written = written.loc[written["indicator_id"].isin(ids)]
    tables, load = dc.synthetic_cases(SMALL_SEED, SMALL_SCALE)
    fast = indicators.compute_indicators(tables, DEFAULT_UNTIL, only=ids)
    key = ["indicator_id", "period", "organisation", "team"]
    both = written.merge(fast.astype({c: str for c in key}), on=key, how="outer", indicator=True)
    assert (both["_merge"] == "both").all() and len(both) > 500
    for col in ("numerator", "denominator"):
        assert np.allclose(both[f"{col}_x"].astype(float), both[f"{col}_y"].astype(float))
    assert len(load) == len(tables["cases"])
    first = tables["cases"]["date_report"] < pd.Timestamp("2019-04-01")
    assert np.isnan(load[first.to_numpy()]).all()  # 2019-Q1: no quarter before, the centre


@pytest.mark.slow
def test_deadline_tables_end_to_end() -> None:
    out = dc.deadline_tables({"deadline": 1, "deadline_null": 1}, seed=3, workers=1)
    assert len(out) == 3
    assert out[0].startswith("**Termijnmodellen op de standaarddata (`zwt synth`, seed 2026")
    assert "Participatiewet: besluit binnen termijn" in out[0]
    lines = out[1].splitlines()
    assert out[1].startswith("**Termijnmodellen per wet") and len(lines) == 2 + 2 + 6
    assert lines[-1].startswith("| alle termijnen samen | 5 | 5 | 230 |")
    runs = pd.DataFrame(dc.deadline_run((300_000, True)))
    assert len(runs) == 5 and (runs["truth"] == 0).all() and (runs["truth_ame"] == 0).all()

