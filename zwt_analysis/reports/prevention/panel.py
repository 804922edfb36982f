"""Team-quarter panels of the prevention report and what the models need beside the methods.

Two panels, both from the long indicator table (values exactly as
:mod:`zwt_analysis.indicators` defines them, never recomputed):

- :func:`build_panel`: ``preventive_share`` and ``caseload_per_fte`` per team
  and quarter (the main model);
- :func:`build_deadline_panel`: per deadline indicator, the share on time of
  a team's cohort beside the team's caseload per FTE at the *start* of that
  quarter (the last day of the quarter before), so that late cases still open
  at the quarter's end cannot raise the load they are explained by.

Quarters whose caseload is still in its warm-up (cases open before the data
start are missing, ``methods.windows``) and deadline cohorts that are not
final are left out by :func:`usable_rows`. The models themselves are
:mod:`zwt_analysis.methods.panel` (two-way fixed effects with CR1 and wild
cluster bootstrap inference); this module adds the fitted values for the
diagnostics, the reader's warnings, the leave-one-team-out range and the
synthetic ground truth. An estimated slope is an *association* within teams
over time, not a causal effect (``docs/prevention.md``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.methods import windows
from zwt_analysis.methods.panel import two_way_fe
from zwt_analysis.reports.prevention.common import empty_frame, indicator_rows

GROUND_TRUTH_KEY = "prevention.slope_preventive_share_per_caseload_per_fte"

PANEL_COLUMNS = ["organisation", "team", "period", "preventive_share", "hours",
                 "caseload_per_fte", "open_cases", "fte", "pact"]

DEADLINE_PANEL_COLUMNS = ["indicator_id", "organisation", "team", "period", "share_on_time",
                          "evaluable", "caseload_start", "load_period"]


def _team_quarters(indicators: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    rows = indicators.loc[
        (indicators["team"] != ALL)
        & (indicators["organisation"] != ALL)
        & indicators["period"].astype("string").str.contains("-Q", regex=False)
    ]
    return indicator_rows(rows, indicator_id)


def build_panel(indicators: pd.DataFrame, pact_teams: set[str] | None = None) -> pd.DataFrame:
    """Team-quarter panel of ``preventive_share`` and ``caseload_per_fte``.

    Args:
        indicators: long indicator table (contract section 4).
        pact_teams: teams holding a PACT wijk (see
            :func:`zwt_analysis.reports.prevention.common.pact_teams`); None -> flag ``<NA>``.

    Returns:
        One row per team and quarter present for *both* indicators (rows with
        a zero denominator are absent from the indicator table, so a quarter
        without hours or without FTE drops out): ``organisation, team, period,
        preventive_share`` (fraction), ``hours`` (its denominator, the model
        weight), ``caseload_per_fte``, ``open_cases``, ``fte``, ``pact``.
        Sorted by organisation, team, period.
    """
    ps = _team_quarters(indicators, "preventive_share").rename(
        columns={"value": "preventive_share", "denominator": "hours"}).drop(columns="numerator")
    cl = _team_quarters(indicators, "caseload_per_fte").rename(
        columns={"value": "caseload_per_fte", "numerator": "open_cases", "denominator": "fte"})
    out = ps.merge(cl, on=["organisation", "team", "period"], how="inner")
    if pact_teams is None:
        out["pact"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        out["pact"] = out["team"].isin(list(pact_teams)).astype("boolean")
    return out[PANEL_COLUMNS].sort_values(["organisation", "team", "period"]).reset_index(drop=True)


def build_deadline_panel(indicators: pd.DataFrame, indicator_ids: Iterable[str]) -> pd.DataFrame:
    """Per deadline indicator: a team's share on time per quarter and its caseload at the start.

    Args:
        indicators: long indicator table.
        indicator_ids: the deadline indicators (share on time of the cases
            whose start event falls in the quarter).

    Returns:
        :data:`DEADLINE_PANEL_COLUMNS`: ``share_on_time`` (fraction),
        ``evaluable`` (cases on time or late: the weight), ``caseload_start``
        (the team's ``caseload_per_fte`` on the last day of the quarter
        before) and ``load_period`` (that quarter). Team-quarters without that
        caseload are left out.
    """
    cl = _team_quarters(indicators, "caseload_per_fte")
    load = cl.assign(load_period=cl["period"], period=cl["period"].map(_next_quarter))[
        ["organisation", "team", "period", "value", "load_period"]].rename(
        columns={"value": "caseload_start"})
    parts = []
    for ind in indicator_ids:
        d = _team_quarters(indicators, ind).rename(
            columns={"value": "share_on_time", "denominator": "evaluable"})
        parts.append(d.merge(load, on=["organisation", "team", "period"], how="inner")
                     .assign(indicator_id=ind))
    if not parts or all(p.empty for p in parts):
        return empty_frame(DEADLINE_PANEL_COLUMNS,
                           strings=("indicator_id", "organisation", "team", "period",
                                    "load_period"))
    out = pd.concat(parts, ignore_index=True)
    out["indicator_id"] = out["indicator_id"].astype("string")
    return (out[DEADLINE_PANEL_COLUMNS]
            .sort_values(["indicator_id", "organisation", "team", "period"]).reset_index(drop=True))


def _next_quarter(period: str) -> str:
    year, q = int(str(period)[:4]), int(str(period)[-1])
    return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"


def usable_rows(periods: pd.Series, indicator_id: str, as_of: date,
                data_start: date | None) -> pd.Series:
    """True for the quarters of ``periods`` that ``methods.windows`` calls usable.

    Warm-up (too little history before the quarter), provisional (a deadline
    cohort whose limit has not passed for every case) and partial quarters
    are False. Without a ``data_start`` every quarter counts as usable.
    """
    if data_start is None or periods.empty:
        return pd.Series(True, index=periods.index)
    st = windows.period_status(periods.astype(str).unique(), indicator_id, as_of, data_start)
    usable = set(st.loc[st["status"] == windows.USABLE, "period"])
    return periods.astype(str).isin(usable)


def warmup_quarters(periods: Iterable[str], as_of: date,
                    data_start: date | None) -> tuple[list[str], str]:
    """The quarters among ``periods`` whose caseload is still in its warm-up, sorted, and why.

    Returns:
        The quarters and the Dutch reason of ``methods.windows`` ("" when none).
    """
    if data_start is None:
        return [], ""
    st = windows.period_status(sorted(set(map(str, periods))), "caseload_per_fte", as_of,
                               data_start)
    warm = st.loc[st["status"] == windows.WARMUP]
    return sorted(warm["period"]), (str(warm["reason"].iloc[0]) if len(warm) else "")


def residual_frame(data: pd.DataFrame, y: str, x: str, weights: str | None,
                   period_effects: bool) -> pd.DataFrame:
    """Fitted values and residuals of the two-way fixed-effects regression (for diagnostics).

    Weighted least squares of ``y`` on ``x`` with team (and quarter) dummies,
    the same model as :func:`zwt_analysis.methods.panel.two_way_fe`.

    Returns:
        ``organisation, team, period, fitted, resid`` per row of ``data``
        (rows with a missing value or a weight <= 0 left out).
    """
    cols = [y, x, "team", "period"] + ([weights] if weights else [])
    d = data.dropna(subset=cols)
    if weights:
        d = d.loc[d[weights] > 0]
    parts = [np.ones((len(d), 1)), d[[x]].to_numpy(dtype="float64"),
             pd.get_dummies(d["team"].astype(str), drop_first=True, dtype="float64").to_numpy()]
    if period_effects:
        parts.append(pd.get_dummies(d["period"].astype(str), drop_first=True,
                                    dtype="float64").to_numpy())
    z = np.hstack(parts)
    sw = np.sqrt(d[weights].to_numpy(dtype="float64")) if weights else np.ones(len(d))
    yv = d[y].to_numpy(dtype="float64")
    coef, *_ = np.linalg.lstsq(z * sw[:, None], yv * sw, rcond=None)
    fitted = z @ coef
    return pd.DataFrame({"organisation": d["organisation"].to_numpy(),
                         "team": d["team"].to_numpy(), "period": d["period"].to_numpy(),
                         "fitted": fitted, "resid": yv - fitted})


def diagnostics(panel: pd.DataFrame, min_within_ratio: float = 0.2) -> dict[str, Any]:
    """Numbers that tell whether the panel can carry the model.

    Args:
        panel: output of :func:`build_panel` (the quarters the model uses).
        min_within_ratio: a ``within_ratio`` below this gives a warning that
            caseload varies little within teams.

    Returns:
        Dict with ``n_obs``, ``n_teams``, ``n_periods``, ``obs_per_team_min``,
        ``obs_per_team_max``, ``sd_total`` and ``sd_within`` of
        ``caseload_per_fte`` (within = deviations from the team mean; the
        fixed-effects slope rests only on that), ``within_ratio``
        (sd_within / sd_total), ``teams_without_variation`` (list) and
        ``warnings`` (Dutch sentences for the reader). An empty panel gives
        zeros and a warning. (Few clusters: the model's own flag.)
    """
    d = panel.dropna(subset=["preventive_share", "caseload_per_fte"])
    out: dict[str, Any] = {"n_obs": int(len(d)), "n_teams": int(d["team"].nunique()),
                           "n_periods": int(d["period"].nunique())}
    if d.empty:
        out.update(obs_per_team_min=0, obs_per_team_max=0, sd_total=float("nan"),
                   sd_within=float("nan"), within_ratio=float("nan"), teams_without_variation=[])
        out["warnings"] = ["Er zijn geen team-kwartalen met zowel uren als caseload."]
        return out
    per_team = d.groupby("team").size()
    x = d["caseload_per_fte"].astype("float64")
    within = x - d.groupby("team")["caseload_per_fte"].transform("mean")
    team_sd = d.groupby("team")["caseload_per_fte"].std(ddof=0).fillna(0.0)
    sd_total = float(x.std(ddof=1)) if len(x) > 1 else float("nan")
    sd_within = float(within.std(ddof=1)) if len(x) > 1 else float("nan")
    out.update(
        obs_per_team_min=int(per_team.min()),
        obs_per_team_max=int(per_team.max()),
        sd_total=sd_total,
        sd_within=sd_within,
        within_ratio=sd_within / sd_total if sd_total and sd_total > 0 else float("nan"),
        teams_without_variation=sorted(team_sd.index[team_sd <= 1e-12].astype(str)),
    )
    msgs: list[str] = []
    if out["teams_without_variation"]:
        msgs.append("Teams zonder variatie in caseload per fte dragen niet bij aan de helling: "
                    + ", ".join(out["teams_without_variation"]) + ".")
    if np.isfinite(out["within_ratio"]) and out["within_ratio"] < min_within_ratio:
        msgs.append("De caseload per fte varieert binnen teams weinig vergeleken met de verschillen "
                    "tussen teams; de schatting is daardoor onzeker.")
    out["warnings"] = msgs
    return out


def fit_warnings(residuals: pd.DataFrame, outlier_mads: float = 4.0) -> list[str]:
    """Dutch warnings about a fitted model that the reader should see.

    - fitted shares outside 0..1: a straight line does not fit the extremes
      (e.g. a team-quarter with a tiny FTE and an extreme caseload, where
      the share cannot fall below 0), which flattens the slope;
    - residuals more than ``outlier_mads`` times their robust spread
      (1.4826 x the median absolute deviation): outliers.

    Args:
        residuals: :func:`residual_frame` output.

    Returns:
        A list of sentences (empty when nothing stands out).
    """
    r = residuals
    msgs: list[str] = []
    if r.empty:
        return msgs
    outside = int(((r["fitted"] < 0) | (r["fitted"] > 1)).sum())
    if outside:
        msgs.append(
            f"Voor {outside} team-kwarta{'al' if outside == 1 else 'len'} voorspelt het model een "
            "aandeel buiten 0–100%. Een rechte lijn past daar niet (het aandeel kan niet onder nul); "
            "dat maakt de geschatte helling eerder te vlak dan te steil.")
    mad = float(np.median(np.abs(r["resid"] - np.median(r["resid"])))) * 1.4826
    if mad > 0:
        far = r.loc[np.abs(r["resid"]) > outlier_mads * mad]
        if len(far):
            pairs = list(zip(far["team"], far["period"], strict=True))[:5]
            cells = ", ".join(f"{t} {p}" for t, p in pairs)
            more = f" en {len(far) - 5} meer" if len(far) > 5 else ""
            msgs.append(f"{len(far)} team-kwartalen wijken sterk af van het model ({cells}{more}); "
                        "controleer daar de registratie.")
    return msgs


def leave_one_team_out(panel: pd.DataFrame, y: str = "preventive_share",
                       x: str = "caseload_per_fte", weights: str | None = "hours",
                       period_effects: bool = True, alpha: float = 0.05) -> pd.DataFrame:
    """The fixed-effects slope re-estimated with each team left out in turn.

    A sensitivity check that needs no large-sample theory: when the slope
    keeps its sign and size whichever team is left out, no single team
    drives the result. Only the estimate and its CR1 interval are used (the
    bootstrap runs with few draws).

    Returns:
        ``team_left_out, slope, ci_low, ci_high`` per team; a row is left out
        when the reduced panel cannot be fitted. Empty with fewer than 3 teams.
    """
    cols = ["team_left_out", "slope", "ci_low", "ci_high"]
    teams = sorted(panel["team"].dropna().unique())
    rows = []
    if len(teams) >= 3:
        for team in teams:
            try:
                f = two_way_fe(panel.loc[panel["team"] != team], y, x, "team",
                               "period" if period_effects else None, weights=weights,
                               alpha=alpha, draws=99)
            except ValueError:
                continue
            rows.append({"team_left_out": team, "slope": f.estimate, "ci_low": f.ci_cr1_low,
                         "ci_high": f.ci_cr1_high})
    return pd.DataFrame(rows, columns=cols)


def load_ground_truth(path: str | Path | None, key: str = GROUND_TRUTH_KEY) -> float | None:
    """The planted slope from a synthetic ``ground_truth.json`` (None when no path given).

    Args:
        path: the file; ``""``/None means no ground truth (real data).
        key: dotted key path inside the JSON.

    Raises:
        FileNotFoundError: the path is given but does not exist.
        KeyError: the key path is not in the file.
    """
    if path in (None, ""):
        return None
    data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            raise KeyError(f"{path}: no key {key!r}")
        data = data[part]
    return float(data)

