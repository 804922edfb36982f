"""Coverage and false-positive rate of the panel intervals (CR1 versus wild cluster bootstrap).

Two sources of data sets, both with 10 teams in 3 organisations and about
30 quarters:

- the synthetic generator (:func:`zwt_analysis.synth.prevention_panel`, the
  same draws as ``zwt synth``) with its :class:`~zwt_analysis.synth.PreventionVariant`
  switches: team-specific slopes, AR(1) noise, zero effect; the caseload
  warm-up quarters (2019-Q1 .. 2020-Q2) are left out as :mod:`zwt_analysis.methods.windows`
  prescribes;
- a lightweight simulator of the same design (:func:`light_panel`), fast
  enough for hundreds of data sets.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.methods.panel import mean_group, two_way_fe

#: name -> (mean slope, team slope sd, AR(1) of the noise)
CONDITIONS: dict[str, tuple[float | None, float, float]] = {
    "standaard (helling -0,008)": (None, 0.0, 0.0),
    "teamhellingen sd 0,004 + AR(1) 0,5": (None, 0.004, 0.5),
    "nul-effect + teamhellingen + AR(1) 0,5": (0.0, 0.004, 0.5),
}
#: generator only: the null condition with the caseload warm-up quarters kept in
WITH_WARMUP = "nul-effect + teamhellingen + AR(1) 0,5, opstartkwartalen niet weggelaten"
SLOPE = -0.008
DRAWS = 1999


def _fit(panel: pd.DataFrame, seed: int) -> dict[str, float]:
    args = (panel, "preventive_share", "caseload_per_fte", "team", "period")
    r = two_way_fe(*args, weights="hours", draws=DRAWS, seed=seed)
    mg = mean_group(*args, weights="hours")
    return {"est": r.estimate, "cr1_lo": r.ci_cr1_low, "cr1_hi": r.ci_cr1_high,
            "wcr_lo": r.ci_wcr_low, "wcr_hi": r.ci_wcr_high, "p_cr1": r.p_cr1,
            "p_wcr": r.p_wcr, "mg_lo": mg.ci_low, "mg_hi": mg.ci_high, "p_mg": mg.p_value,
            "few": float(r.few_clusters), "clusters": r.clusters, "quarters": panel["period"].nunique()}


def usable_quarters(panel: pd.DataFrame, until: date) -> pd.DataFrame:
    """The panel without the caseload warm-up quarters (:mod:`zwt_analysis.methods.windows`)."""
    from zwt_analysis.methods.windows import USABLE, period_status
    from zwt_analysis.synth._params import START

    st = period_status(panel["period"].unique(), "caseload_per_fte", until, START)
    keep = set(st.loc[st["status"] == USABLE, "period"])
    return panel.loc[panel["period"].isin(keep)].reset_index(drop=True)


def _generator_run(args: tuple[str, int]) -> dict[str, float]:
    from zwt_analysis.synth import DEFAULT_UNTIL, PreventionVariant, prevention_panel

    name, seed = args
    slope, sd, ar = CONDITIONS["nul-effect + teamhellingen + AR(1) 0,5"] \
        if name == WITH_WARMUP else CONDITIONS[name]
    panel, truth = prevention_panel(seed=seed, variant=PreventionVariant(slope, sd, ar))
    if name != WITH_WARMUP:
        panel = usable_quarters(panel, DEFAULT_UNTIL)
    return {"condition": name, "seed": seed, "truth": truth["slope"], **_fit(panel, seed)}


def light_panel(rng: np.random.Generator, slope: float, team_sd: float, ar: float,
                teams: int = 10, quarters: int = 30) -> pd.DataFrame:
    """One panel of the generator's design: caseload paths, team bases, shares, hours.

    Caseload per FTE: team level 12..25 plus a common rise and an AR(1) 0.8
    team path (sd 2.5); share = base + slope_team (caseload - team mean) +
    quarter shock (sd 0.005) + AR(``ar``) noise (sd 0.01) + sampling noise
    of about 0.01 / sqrt(hours / 1500); hours 800..2500 per team-quarter.
    """
    level = rng.uniform(12, 25, teams)
    common = np.linspace(0, 4, quarters)
    path = np.zeros((teams, quarters))
    eps = rng.normal(0, 2.5 * np.sqrt(1 - 0.64), (teams, quarters))
    path[:, 0] = rng.normal(0, 2.5, teams)
    for q in range(1, quarters):
        path[:, q] = 0.8 * path[:, q - 1] + eps[:, q]
    x = level[:, None] + common[None, :] + path
    noise = np.zeros((teams, quarters))
    z = rng.normal(0, 0.01, (teams, quarters))
    noise[:, 0] = z[:, 0]
    for q in range(1, quarters):
        noise[:, q] = ar * noise[:, q - 1] + np.sqrt(1 - ar * ar) * z[:, q]
    hours = rng.uniform(800, 2500, (teams, quarters))
    b = slope + rng.normal(0, team_sd, teams) if team_sd > 0 else np.full(teams, slope)
    y = (rng.uniform(0.26, 0.40, teams)[:, None] + b[:, None] * (x - x.mean(1, keepdims=True))
         + rng.normal(0, 0.005, quarters)[None, :] + noise
         + rng.normal(0, 0.01, (teams, quarters)) / np.sqrt(hours / 1500))
    return pd.DataFrame({"team": np.repeat(np.arange(teams), quarters).astype(str),
                         "period": np.tile(np.arange(quarters), teams),
                         "preventive_share": y.ravel(), "hours": hours.ravel(),
                         "caseload_per_fte": x.ravel()})


def _light_run(args: tuple[str, int]) -> dict[str, float]:
    name, seed = args
    slope, sd, ar = CONDITIONS[name]
    truth = SLOPE if slope is None else slope
    panel = light_panel(np.random.default_rng([seed, 7]), truth, sd, ar)
    return {"condition": name, "seed": seed, "truth": truth, **_fit(panel, seed)}


def simulate(generator_sets: int, light_sets: int, workers: int = 2) -> pd.DataFrame:
    """One row per data set: source, condition, seed, truth and both intervals."""
    jobs_g = [(c, 1000 + s) for c in [*CONDITIONS, WITH_WARMUP] for s in range(generator_sets)]
    jobs_l = [(c, 5000 + s) for c in CONDITIONS for s in range(light_sets)]
    with ProcessPoolExecutor(max_workers=workers) as ex:
        gen = list(ex.map(_generator_run, jobs_g, chunksize=1))
        light = list(ex.map(_light_run, jobs_l, chunksize=8))
    return pd.concat([pd.DataFrame(gen).assign(source="generator"),
                      pd.DataFrame(light).assign(source="licht")], ignore_index=True)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Coverage (non-null conditions) or false-positive rate (null), CR1 and WCR, per cell."""
    r = runs.assign(width_ratio=(runs["wcr_hi"] - runs["wcr_lo"])
                    / (runs["cr1_hi"] - runs["cr1_lo"]))
    for m in ("cr1", "wcr", "mg"):
        r[f"cov_{m}"] = (r[f"{m}_lo"] <= r["truth"]) & (r["truth"] <= r[f"{m}_hi"])
        r[f"rej_{m}"] = r[f"p_{m}"] < 0.05
    aggs = {"sets": ("seed", "size"), "clusters": ("clusters", "median"),
            "quarters": ("quarters", "median"), "width_ratio": ("width_ratio", "median"),
            "few": ("few", "mean")}
    aggs.update({f"{k}_{m}": (f"{k}_{m}", "mean") for k in ("cov", "rej")
                 for m in ("cr1", "wcr", "mg")})
    return r.groupby(["source", "condition"], sort=False).agg(**aggs).reset_index()
