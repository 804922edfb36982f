"""Coverage of the deadline models' intervals on data sets of the synthetic generator (issue 15).

The prevention report fits, per law, a team's share of a quarter's cohort
decided on time on its caseload per FTE at the start of that quarter (two-way
fixed effects, weights = cases judged, CR1 and WCR intervals:
:func:`zwt_analysis.reports.prevention.model.fit_deadline_models`). The
generator plants ``P(on time) = logistic(alpha + beta (load - center))`` per
case, with ``load`` the team's caseload at the end of the quarter before the
*report* (:func:`zwt_analysis.synth._cases.deadline_probability`).

Each data set runs the generator up to the cases (the same draws as
``zwt synth --seed S --scale X``: areas, teams, staff, cases), computes the
deadline and caseload indicators with the report's SQL
(:func:`zwt_analysis.indicators.compute_indicators`) and fits the report's
models with the report's settings. Two truths are compared per law:

- ``truth`` (the estimand of the linear model on this design): the slope the
  same model gives when each cohort's share on time is replaced by its
  expected share, the mean planted probability of its cases. The estimate is
  linear in the shares, so it is unbiased for this slope given the loads and
  cohorts (up to the weak feedback of late cases on later loads: measured
  bias <= 0.3 pp per 10); it carries the logistic curvature (the linear
  slope leans on the high-load quarters, where the curve is steeper) and
  the cases whose start event (an application) falls in a later quarter
  than their report, whose planted load is not the one the model uses;
- ``truth_ame``: the planted logistic effect as an average marginal effect,
  ``beta x mean p (1 - p)`` over the judged cases of the fitted cohorts
  (on average 1 to 3 pp per 10 flatter than ``truth``; the size the docs quoted).

Cohorts are final (their limit has passed for every case), so no case is
pending and none is censored. The null condition plants ``beta = 0``
(every case's chance is ``logistic(alpha)``); its rejection rate is the
false-positive rate. Measured (200 + 100 data sets, seed 15): WCR coverage
94-97% per law, CR1 91-95%, false positives WCR 2-5%, CR1 4-9%; the
Participatiewet interval that misses on the default data (estimate -5.7,
truth -14.6 pp per 10) is a 2.5-standard-deviation draw, as rare as 1 in
40, and one of the five laws misses in 1 data set in 5. Not part of the
test suite: it measures, it does not assert.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date

import numpy as np
import pandas as pd

#: Scale of the data sets: the real size (the design on which the report was read).
SCALE = 1.0
#: ``zwt synth``'s default seed: the data set of ``docs/prevention.md``.
DEFAULT_SEED = 2026
DATE_COLUMNS = {
    "cases": ("date_report", "date_first_contact", "date_assessment_done", "date_application",
              "date_decision", "date_closed"),
    "staff": ("start_date", "end_date"),
}


def synth_key(indicator_id: str) -> str:
    """The generator's deadline key of a deadline indicator (its limit key, e.g. ``wmo_decision``)."""
    from zwt_analysis.indicators.deadlines import DEADLINES

    return DEADLINES[indicator_id].limit_key


@contextmanager
def planted_beta(beta: float | None) -> Iterator[None]:
    """Temporarily plant another logit slope of the deadline chance (None: leave it)."""
    from zwt_analysis.synth import _params

    old = _params.DEADLINE_BETA
    if beta is not None:
        _params.DEADLINE_BETA = beta
    try:
        yield
    finally:
        _params.DEADLINE_BETA = old


def synthetic_cases(seed: int, scale: float = SCALE,
                    until: date | None = None) -> tuple[dict[str, pd.DataFrame], np.ndarray]:
    """The cases and staff of ``zwt synth --seed seed --scale scale``, in processed form.

    Runs the generator's draws up to the cases (areas, teams, staff, cases:
    the same order as :func:`zwt_analysis.synth.generate`, so the rows are
    those that ``zwt synth`` writes); dates become ``datetime64``.

    Returns:
        (``{"cases", "staff"}``, the planted load of each case: the team's
        caseload per FTE at the end of the quarter before its report, NaN
        where undefined, in the row order of ``cases``).
    """
    from zwt_analysis.synth import DEFAULT_UNTIL
    from zwt_analysis.synth._areas import build_areas, build_teams
    from zwt_analysis.synth._calendar import as_datetime64, day
    from zwt_analysis.synth._cases import build_cases
    from zwt_analysis.synth._staff import build_staff

    u = day(until or DEFAULT_UNTIL)
    rng = np.random.default_rng(seed)
    areas = build_areas(scale)
    teams = build_teams(areas, rng)
    st = build_staff(teams, u, rng)
    cs = build_cases(teams, areas, st.staff, st.spell_team_idx, u, rng)
    tables = {"cases": cs.cases.copy(), "staff": st.staff.copy()}
    for name, cols in DATE_COLUMNS.items():
        for col in cols:
            tables[name][col] = pd.to_datetime(as_datetime64(tables[name][col].to_numpy()))
    return tables, np.asarray(cs.truth["load_at_report"], dtype="float64")


def cohort_truth(cases: pd.DataFrame, load: np.ndarray, as_of: date) -> pd.DataFrame:
    """Per deadline indicator, team and cohort: the planted chance of the judged cases.

    The status of each case is :func:`zwt_analysis.indicators.deadline_status`
    (the indicator's own definition); the chance of a case is
    :func:`zwt_analysis.synth._cases.deadline_probability` at its planted load.

    Returns:
        ``indicator_id, team, period, judged, expected_share`` (mean chance)
        and ``pq`` (mean ``p (1 - p)``), one row per cell with judged cases.
    """
    from zwt_analysis.indicators import deadline_status
    from zwt_analysis.reports.prevention.deadlines import DEADLINE_INDICATORS
    from zwt_analysis.synth import _params
    from zwt_analysis.synth._cases import deadline_probability

    load_of = pd.Series(load, index=cases["case_id"].to_numpy())
    parts = []
    for ind in DEADLINE_INDICATORS:
        st = deadline_status(cases, ind, as_of)
        st = st.loc[st["status"].isin(["on_time", "late"])]
        p = deadline_probability(_params.DEADLINES[synth_key(ind)]["alpha"],
                                 load_of.loc[st["case_id"].to_numpy()].to_numpy())
        cell = pd.DataFrame({"team": st["team"].astype(str).to_numpy(),
                             "period": st["period"].astype(str).to_numpy(),
                             "p": p, "pq": p * (1 - p)})
        parts.append(cell.groupby(["team", "period"], as_index=False)
                     .agg(judged=("p", "size"), expected_share=("p", "mean"), pq=("pq", "mean"))
                     .assign(indicator_id=ind))
    return pd.concat(parts, ignore_index=True)


def _fitted_cells(dpanel: pd.DataFrame, indicator_id: str, as_of: date,
                  data_start: date | None) -> pd.DataFrame:
    """The rows of ``dpanel`` that :func:`~zwt_analysis.reports.prevention.model.fit_deadline_models`
    fits for ``indicator_id`` (final cohorts, caseload past its warm-up, cases judged)."""
    from zwt_analysis.reports.prevention.panel import usable_rows

    d = dpanel.loc[dpanel["indicator_id"] == indicator_id]
    keep = (usable_rows(d["period"], indicator_id, as_of, data_start)
            & usable_rows(d["load_period"], "caseload_per_fte", as_of, data_start))
    return d.loc[keep & (d["evaluable"] > 0)]


def deadline_run(args: tuple[int, bool]) -> list[dict[str, float | int | str | bool]]:
    """One data set (``seed``; ``null``: planted ``beta = 0``): per law the fit and both truths.

    Returns:
        One dict per fitted law: ``seed, null, indicator_id, est, cr1_lo, cr1_hi,
        wcr_lo, wcr_hi, p_cr1, p_wcr, truth, truth_ame, team_quarters, teams``
        (slopes as fractions per case per FTE).

    Raises:
        AssertionError: the truth's cohorts are not the model's (a definition drifted).
    """
    from zwt_analysis import indicators
    from zwt_analysis.methods.panel import two_way_fe
    from zwt_analysis.methods.windows import data_start
    from zwt_analysis.reports.prevention import model, panel
    from zwt_analysis.reports.prevention.build import resolve_settings
    from zwt_analysis.reports.prevention.deadlines import DEADLINE_INDICATORS
    from zwt_analysis.synth import DEFAULT_UNTIL, _params

    seed, null = args
    ids = list(DEADLINE_INDICATORS)
    with planted_beta(0.0 if null else None):
        beta = float(_params.DEADLINE_BETA)
        tables, load = synthetic_cases(seed)
        truth = cohort_truth(tables["cases"], load, DEFAULT_UNTIL)
    ind = indicators.compute_indicators(tables, DEFAULT_UNTIL, only=[*ids, "caseload_per_fte"])
    dpanel = panel.build_deadline_panel(ind, ids)
    s = resolve_settings({})
    start = data_start([tables["cases"]["date_report"]])
    fits = model.fit_deadline_models(dpanel, s, DEFAULT_UNTIL, start)
    rows = []
    for ind_id, fe in fits.fits.items():
        d = _fitted_cells(dpanel, ind_id, DEFAULT_UNTIL, start).merge(
            truth.loc[truth["indicator_id"] == ind_id].drop(columns="indicator_id"),
            on=["team", "period"], how="left")
        assert len(d) == fe.n_obs and (d["judged"] == d["evaluable"]).all(), ind_id
        lin = two_way_fe(d, "expected_share", "caseload_start", "team",
                         "period" if s.period_effects else None,
                         weights="evaluable" if s.weighted else None, draws=99).estimate
        rows.append({"seed": seed, "null": null, "indicator_id": ind_id, "est": fe.estimate,
                     "cr1_lo": fe.ci_cr1_low, "cr1_hi": fe.ci_cr1_high, "wcr_lo": fe.ci_wcr_low,
                     "wcr_hi": fe.ci_wcr_high, "p_cr1": fe.p_cr1, "p_wcr": fe.p_wcr,
                     "truth": 0.0 if null else lin,
                     "truth_ame": beta * float(np.average(d["pq"], weights=d["evaluable"])),
                     "team_quarters": fe.n_obs, "teams": fe.clusters})
    return rows


def simulate(sets: int, null_sets: int, seed: int, workers: int = 2) -> pd.DataFrame:
    """``sets`` data sets with the planted effect and ``null_sets`` with none, one row per law.

    Data set ``k`` has generator seed ``seed * 100_000 + k`` (the null sets
    reuse the first seeds: same design, no effect).
    """
    jobs = ([(seed * 100_000 + k, False) for k in range(sets)]
            + [(seed * 100_000 + k, True) for k in range(null_sets)])
    with ProcessPoolExecutor(max_workers=max(1, workers)) as ex:
        runs = list(ex.map(deadline_run, jobs, chunksize=1))
    return pd.DataFrame([row for run in runs for row in run])


def summarise(runs: pd.DataFrame, step: float = 10) -> pd.DataFrame:
    """Per law (and ``"alle"``): coverage of both truths, false-positive rate, widths.

    Coverage is measured on the data sets with an effect, the false-positive
    rate (p < 0.05) on the null sets; slopes in percentage points per ``step``
    cases per FTE. A cell without data sets of its kind is NaN.
    """
    r = runs.assign(
        cov_cr1=(runs["cr1_lo"] <= runs["truth"]) & (runs["truth"] <= runs["cr1_hi"]),
        cov_wcr=(runs["wcr_lo"] <= runs["truth"]) & (runs["truth"] <= runs["wcr_hi"]),
        cov_ame=(runs["wcr_lo"] <= runs["truth_ame"]) & (runs["truth_ame"] <= runs["wcr_hi"]),
        rej_cr1=runs["p_cr1"] < 0.05, rej_wcr=runs["p_wcr"] < 0.05,
        width=(runs["wcr_hi"] - runs["wcr_lo"]) / (runs["cr1_hi"] - runs["cr1_lo"]),
        bias=runs["est"] - runs["truth"])
    rows = []
    for law, g in [*r.groupby("indicator_id", sort=False), ("alle", r)]:
        eff, nul = g.loc[~g["null"]], g.loc[g["null"]]
        pp = step * 100

        def mean(frame: pd.DataFrame, col: str) -> float:
            return float(frame[col].mean()) if len(frame) else float("nan")

        rows.append({"indicator_id": law, "sets": len(eff), "null_sets": len(nul),
                     "team_quarters": float(g["team_quarters"].median()),
                     "truth_pp": mean(eff, "truth") * pp, "truth_ame_pp": mean(eff, "truth_ame") * pp,
                     "est_pp": mean(eff, "est") * pp, "bias_pp": mean(eff, "bias") * pp,
                     "cov_cr1": mean(eff, "cov_cr1"), "cov_wcr": mean(eff, "cov_wcr"),
                     "cov_ame": mean(eff, "cov_ame"), "rej_cr1": mean(nul, "rej_cr1"),
                     "rej_wcr": mean(nul, "rej_wcr"), "width_ratio": float(g["width"].median())})
    return pd.DataFrame(rows)


def _labels() -> dict[str, str]:
    from zwt_analysis.reports.prevention.tables import DEADLINE_LABELS

    return {**DEADLINE_LABELS, "alle": "alle termijnen samen"}


def default_table(rows: list[dict], step: float = 10) -> str:
    """Markdown: the default data set (``zwt synth``, seed 2026) per law, both truths beside it."""
    from zwt_analysis.validate import _markdown

    pp = step * 100
    r = pd.DataFrame(rows)
    table = pd.DataFrame({
        "termijn": r["indicator_id"].map(_labels()),
        "schatting": (r["est"] * pp).round(1),
        "WCR 95%-BI": [f"{lo * pp:.1f} .. {hi * pp:.1f}" for lo, hi in zip(r["wcr_lo"], r["wcr_hi"],
                                                                          strict=True)],
        "CR1 95%-BI": [f"{lo * pp:.1f} .. {hi * pp:.1f}" for lo, hi in zip(r["cr1_lo"], r["cr1_hi"],
                                                                          strict=True)],
        "ware helling (lineair model)": (r["truth"] * pp).round(1),
        "ingebouwd logistisch effect (AME)": (r["truth_ame"] * pp).round(1),
        "ware helling in WCR-interval": np.where((r["wcr_lo"] <= r["truth"])
                                                 & (r["truth"] <= r["wcr_hi"]), "ja", "nee"),
    })
    return (f"**Termijnmodellen op de standaarddata (`zwt synth`, seed {DEFAULT_SEED}, schaal "
            f"{SCALE:g}): procentpunt per {step:g} casussen per fte**\n\n" + _markdown(table))


def coverage_table(summary: pd.DataFrame, step: float = 10) -> str:
    """Markdown: per law the coverage (CR1, WCR) and the false-positive rate (:func:`summarise`)."""
    from zwt_analysis.validate import _markdown, _pct

    s = summary

    def pct(col: str) -> list[str]:
        return [_pct(v) if np.isfinite(v) else "-" for v in s[col]]

    table = pd.DataFrame({
        "termijn": s["indicator_id"].map(_labels()), "datasets": s["sets"],
        "nul-datasets": s["null_sets"], "team-kwartalen": s["team_quarters"].astype(int),
        "ware helling": s["truth_pp"].round(1), "AME": s["truth_ame_pp"].round(1),
        "gem. schatting": s["est_pp"].round(1),
        "dekking CR1": pct("cov_cr1"), "dekking WCR": pct("cov_wcr"),
        "dekking WCR (AME)": pct("cov_ame"),
        "fout-positief CR1": pct("rej_cr1"), "fout-positief WCR": pct("rej_wcr"),
        "breedte WCR / CR1": s["width_ratio"].round(2),
    })
    return (f"**Termijnmodellen per wet op de synthetische generator (schaal {SCALE:g}, 10 teams): "
            f"dekking van het 95%-interval en kans op een vals signaal zonder effect (nominaal 5%); "
            f"hellingen in procentpunt per {step:g} casussen per fte**\n\n" + _markdown(table))


def deadline_tables(reps: dict[str, int], seed: int, workers: int) -> list[str]:
    """Markdown for ``make validate``: the default data set and the coverage per law.

    Args:
        reps: ``"deadline"`` data sets with the planted effect and
            ``"deadline_null"`` without (full run 200 and 100, ``--quick`` 2 and 1).
        seed: base of the data sets' generator seeds (:func:`simulate`).
        workers: processes.

    Returns:
        Two tables (:func:`default_table`, :func:`coverage_table`) and a note
        on the Monte Carlo error.
    """
    from zwt_analysis.reports.prevention.build import resolve_settings

    step = float(resolve_settings({}).effect_step)
    runs = simulate(reps["deadline"], reps["deadline_null"], seed, workers)
    out = [default_table(deadline_run((DEFAULT_SEED, False)), step),
           coverage_table(summarise(runs, step), step)]
    n = max(1, reps["deadline"])
    out.append(f"Ware helling: die van hetzelfde model op de verwachte aandelen (de gemiddelde "
               f"ingebouwde kans per cohort); AME: bèta x gemiddelde p(1 - p). Bij {n} datasets "
               f"is de toevalsmarge van een dekking van 95% ongeveer "
               f"{200 * (0.95 * 0.05 / n) ** 0.5:.1f} procentpunt (2 standaardfouten) per wet.")
    return out
