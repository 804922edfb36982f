"""Workforce model over many simulated histories: parameter recovery, drift test, back-test.

Each history comes from :func:`~zwt_analysis.reports.workforce.model_checks.synthetic_staff_history`,
a process the estimators do not assume (a leaving hazard that falls smoothly
with tenure, lognormal year shocks per organisation, gamma vacant times), at
three organisations of 90, 70 and 50 positions observed 2019-2026. Two
conditions: a common drift of the log hazard of 0.05 per year (as in the
workforce tests) and none. Per history:

- :func:`~zwt_analysis.reports.workforce.model_checks.parameter_recovery`
  calibrates it as the report does: 95% intervals of the drift, the months to
  fill per organisation and the outflow per organisation-year against the
  process's truth; the drift test's p and the model's decision;
- (the first ``backtests`` histories per condition) the rolling back-test of
  the leavers per year (10-90% band, nominal 80%) with the report's settings.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.reports.workforce.model_checks import ProcessTruth

#: condition (Dutch label) -> common drift of the log hazard per year
CONDITIONS: dict[str, float] = {"drift 0,05 per jaar": 0.05, "geen drift": 0.0}
#: the process: positions, hazard at 2 years of tenure in 2022, mean vacant months
TRUTH = ProcessTruth(positions={"A": 90, "B": 70, "C": 50},
                     rate={"A": 0.10, "B": 0.13, "C": 0.16},
                     fill={"A": 2.5, "B": 3.5, "C": 4.5})
UNTIL = "2026-12-31"
ALPHA = 0.05
#: parameter kind -> Dutch label, in table order
KINDS = {"drift": "drift (log vertrekkans per jaar)",
         "months_to_fill": "maanden tot vervulling (per organisatie)",
         "outflow": "uitstroom per organisatie-jaar"}


def history_seed(seed: int, condition: int, history: int) -> int:
    """Seed of one simulated history: independent streams per (seed, condition, history)."""
    return int(np.random.SeedSequence([seed, condition, history]).generate_state(1)[0])


def _run(job: tuple[str, float, int, int, bool]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One history: (recovery rows, back-test rows or an empty frame)."""
    from zwt_analysis.reports.workforce import model_checks, scenarios
    from zwt_analysis.reports.workforce.build import load_policy

    name, drift, history, seed, with_backtest = job
    truth, policy = replace(TRUTH, drift=drift), load_policy()
    rec = model_checks.parameter_recovery(truth, seed, until=UNTIL, settings=policy.outflow)
    rec = rec.assign(condition=name, history=history)
    if not with_backtest:
        return rec, pd.DataFrame()
    staff, _ = model_checks.synthetic_staff_history(truth, seed, until=UNTIL)  # the same history
    years = range(staff["start_date"].min().year, int(UNTIL[:4]) + 1)
    formation = pd.DataFrame([(o, y, 0.8 * p) for o, p in truth.positions.items() for y in years],
                             columns=["organisation", "year", "budgeted_fte"])
    bt = model_checks.backtest({"staff": staff, "formation": formation},
                               date.fromisoformat(UNTIL),
                               scenarios.scenario_settings("baseline", {"seed": history}),
                               policy.backtest_max_runs, policy.backtest_min_train_years,
                               policy.outflow)
    return rec, bt.yearly.assign(condition=name, history=history)


def simulate(histories: int, backtests: int, seed: int, workers: int = 2
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ``histories`` histories per condition, back-testing the first ``backtests`` of them.

    Returns:
        (recovery rows of :func:`parameter_recovery` with ``condition, history``;
        back-test rows of :func:`backtest` with ``condition, history``).
    """
    jobs = [(name, drift, h, history_seed(seed, c, h), h < backtests)
            for c, (name, drift) in enumerate(CONDITIONS.items()) for h in range(histories)]
    with ProcessPoolExecutor(max_workers=workers) as ex:
        out = list(ex.map(_run, jobs, chunksize=1))
    return (pd.concat([r for r, _ in out], ignore_index=True),
            pd.concat([b for _, b in out if len(b)], ignore_index=True) if backtests
            else pd.DataFrame())


def parameter_kind(parameter: pd.Series) -> pd.Series:
    """``outflow_2024`` -> ``outflow``; other names unchanged."""
    return parameter.str.replace(r"_\d{4}$", "", regex=True)


def summarise_recovery(rec: pd.DataFrame) -> pd.DataFrame:
    """Coverage and bias per condition and parameter kind.

    Returns:
        ``condition, kind, histories, intervals, coverage`` (share of intervals
        holding the truth), ``estimate, truth`` (means) and ``bias`` (mean of
        estimate minus truth, in the parameter's unit).
    """
    r = rec.assign(kind=parameter_kind(rec["parameter"]), error=rec["estimate"] - rec["truth"])
    out = r.groupby(["condition", "kind"], sort=False).agg(
        histories=("history", "nunique"), intervals=("covered", "size"),
        coverage=("covered", "mean"), estimate=("estimate", "mean"),
        truth=("truth", "mean"), bias=("error", "mean")).reset_index()
    rank = {k: i for i, k in enumerate(KINDS)}
    first = {c: i for i, c in enumerate(out["condition"].unique())}
    key = out["condition"].map(first) * len(rank) + out["kind"].map(rank).fillna(len(rank) - 1)
    return out.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)


def summarise_drift_test(rec: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """Per condition: how often the drift is found.

    Returns:
        ``condition, truth, histories``, ``common`` (share with the common drift
        test's p < ``alpha``) and ``adopted`` (share where the model takes up a
        drift, common or per organisation: what the report acts on). Under a
        zero truth these are false-positive rates, else power.
    """
    d = rec[rec["parameter"] == "drift"]
    return d.groupby("condition", sort=False).agg(
        truth=("truth", "first"), histories=("history", "nunique"),
        common=("p", lambda p: float((p < alpha).mean())),
        adopted=("decision", lambda x: float((x != "none").mean()))).reset_index()


def summarise_backtest(bt: pd.DataFrame) -> pd.DataFrame:
    """Per condition, organisations and the city apart: predictions and band coverage.

    Returns:
        ``condition, level`` ("organisaties" or "stad"), ``histories,
        predictions, coverage`` (share of observed leavers within the 10-90%
        band; nominal 0.8) and ``below`` (share under the band).
    """
    b = bt.assign(level=np.where(bt["organisation"] == ALL, "stad", "organisaties"),
                  below=bt["leavers_observed"] < bt["leavers_p10"])
    return b.groupby(["condition", "level"], sort=False).agg(
        histories=("history", "nunique"), predictions=("in_band", "size"),
        coverage=("in_band", "mean"), below=("below", "mean")).reset_index()
