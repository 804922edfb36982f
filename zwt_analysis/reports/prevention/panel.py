"""Scarcity and preventive share: the team-quarter panel and its models.

The panel has one row per team and quarter with ``preventive_share`` and
``caseload_per_fte`` exactly as :mod:`zwt_analysis.indicators` defines them
(taken from the long indicator table, never recomputed). The main model is a
weighted least-squares regression with team fixed effects (and, by default,
quarter fixed effects), weights = the hours denominator of
``preventive_share``, and standard errors clustered by team (t-distribution
with ``teams - 1`` degrees of freedom). A linear mixed model with a random
team intercept is fitted as a check. The slope is an *association* within
teams over time, not a causal effect. See ``docs/prevention.md``. (The slope
told in plain Dutch is :func:`zwt_analysis.reports.prevention.tables.describe_effect`.)
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.reports.prevention.common import indicator_rows

GROUND_TRUTH_KEY = "prevention.slope_preventive_share_per_caseload_per_fte"

PANEL_COLUMNS = ["organisation", "team", "period", "preventive_share", "hours",
                 "caseload_per_fte", "open_cases", "fte", "pact"]


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

    def rows(indicator_id: str) -> pd.DataFrame:
        team_quarters = indicators.loc[
            (indicators["team"] != ALL)
            & (indicators["organisation"] != ALL)
            & indicators["period"].astype("string").str.contains("-Q", regex=False)
        ]
        return indicator_rows(team_quarters, indicator_id)

    ps = rows("preventive_share").rename(
        columns={"value": "preventive_share", "denominator": "hours"}).drop(columns="numerator")
    cl = rows("caseload_per_fte").rename(
        columns={"value": "caseload_per_fte", "numerator": "open_cases", "denominator": "fte"})
    out = ps.merge(cl, on=["organisation", "team", "period"], how="inner")
    if pact_teams is None:
        out["pact"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        out["pact"] = out["team"].isin(list(pact_teams)).astype("boolean")
    return out[PANEL_COLUMNS].sort_values(["organisation", "team", "period"]).reset_index(drop=True)


@dataclass
class PanelFit:
    """The slope of ``caseload_per_fte`` in one panel model.

    Attributes:
        method: ``"fixed_effects"`` or ``"mixedlm"``.
        slope: change in preventive share (fraction) per one case per FTE more.
        se: its standard error (cluster-robust for fixed effects).
        ci_low, ci_high: the (1 - alpha) confidence interval of the slope.
        p_value: two-sided p-value of slope = 0.
        n_obs: team-quarters used.
        n_teams: teams (clusters).
        df: degrees of freedom of the t reference (None: normal).
        residuals: ``organisation, team, period, fitted, resid`` per observation.
        notes: warnings raised while fitting (convergence etc.), in Dutch.
        result: the statsmodels results object.
    """

    method: str
    slope: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_obs: int
    n_teams: int
    df: int | None
    residuals: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    result: Any = field(default=None, repr=False)

    def covers(self, value: float) -> bool:
        """True when ``value`` lies inside the confidence interval."""
        return bool(self.ci_low <= value <= self.ci_high)


def _check_panel(panel: pd.DataFrame, min_teams: int) -> pd.DataFrame:
    data = panel.dropna(subset=["preventive_share", "caseload_per_fte", "hours"])
    data = data.loc[data["hours"] > 0]
    n_teams = data["team"].nunique()
    if n_teams < max(2, min_teams):
        raise ValueError(
            f"te weinig teams voor het model: {n_teams} (minimaal {max(2, min_teams)} nodig)")
    within = data["caseload_per_fte"] - data.groupby("team")["caseload_per_fte"].transform("mean")
    if not np.any(np.abs(within.to_numpy()) > 1e-12):
        raise ValueError("caseload per fte varieert niet binnen teams; de helling is niet te schatten")
    return data.reset_index(drop=True)


def _residual_frame(data: pd.DataFrame, fitted: np.ndarray) -> pd.DataFrame:
    fitted = np.asarray(fitted, dtype="float64")
    return pd.DataFrame(
        {
            "organisation": data["organisation"].to_numpy(),
            "team": data["team"].to_numpy(),
            "period": data["period"].to_numpy(),
            "fitted": fitted,
            "resid": data["preventive_share"].to_numpy(dtype="float64") - fitted,
        }
    )


def fit_fixed_effects(
    panel: pd.DataFrame,
    period_effects: bool = True,
    weighted: bool = True,
    alpha: float = 0.05,
    min_teams: int = 2,
) -> PanelFit:
    """Team fixed-effects regression of preventive share on caseload per FTE.

    Model: ``preventive_share ~ caseload_per_fte + team [+ quarter]`` (dummies),
    weighted least squares with weights = ``hours`` (the share's denominator)
    when ``weighted``; covariance clustered by team with the small-sample
    correction of statsmodels and a t reference with ``teams - 1`` degrees
    of freedom.

    Args:
        panel: output of :func:`build_panel`.
        period_effects: add quarter fixed effects (common shocks and trends).
        weighted: weight by hours; otherwise every team-quarter counts once.
        alpha: 1 - confidence level.
        min_teams: fewer teams than this (and never fewer than 2) raises.

    Returns:
        A :class:`PanelFit` with method ``"fixed_effects"``.

    Raises:
        ValueError: too few teams, or no variation of caseload within teams.
    """
    import statsmodels.api as sm

    data = _check_panel(panel, min_teams)
    # design: intercept, slope, team dummies (first team as reference) and
    # optionally quarter dummies -- built directly, which is much faster than
    # a formula when the model is refitted (leave-one-team-out)
    parts = [pd.DataFrame({"const": 1.0, "caseload_per_fte": data["caseload_per_fte"].astype("float64")}),
             pd.get_dummies(data["team"].astype(str), prefix="team", drop_first=True, dtype="float64")]
    if period_effects and data["period"].nunique() > 1:
        parts.append(pd.get_dummies(data["period"].astype(str), prefix="period", drop_first=True,
                                    dtype="float64"))
    exog = pd.concat(parts, axis=1)
    endog = data["preventive_share"].astype("float64")
    weights = data["hours"].to_numpy(dtype="float64") if weighted else np.ones(len(data))
    groups = pd.factorize(data["team"])[0]
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = sm.WLS(endog, exog, weights=weights)
        # QR is fast (SVD/pinv are slow with OpenBLAS threads on a busy machine);
        # fall back to the pseudo-inverse when the design is rank deficient
        res = model.fit(method="qr", cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        if not np.all(np.isfinite(np.asarray(res.bse))):
            res = model.fit(method="pinv", cov_type="cluster", cov_kwds={"groups": groups},
                            use_t=True)
    notes += [f"waarschuwing bij het schatten: {w.message}" for w in caught]
    return _panel_fit("fixed_effects", res, data, alpha,
                      int(getattr(res, "df_resid_inference", res.df_resid)), notes)


def _panel_fit(method: str, res: Any, data: pd.DataFrame, alpha: float, df: int | None,
               notes: list[str]) -> PanelFit:
    """Collect the caseload slope, its interval and diagnostics from a statsmodels result."""
    ci = res.conf_int(alpha=alpha).loc["caseload_per_fte"]
    return PanelFit(
        method=method,
        slope=float(res.params["caseload_per_fte"]),
        se=float(res.bse["caseload_per_fte"]),
        ci_low=float(ci.iloc[0]),
        ci_high=float(ci.iloc[1]),
        p_value=float(res.pvalues["caseload_per_fte"]),
        n_obs=int(res.nobs),
        n_teams=int(data["team"].nunique()),
        df=df,
        residuals=_residual_frame(data, res.fittedvalues),
        notes=notes,
        result=res,
    )


def fit_mixed(
    panel: pd.DataFrame,
    period_effects: bool = True,
    alpha: float = 0.05,
    min_teams: int = 2,
) -> PanelFit:
    """Linear mixed model with a random team intercept (check of the fixed-effects model).

    Model: ``preventive_share ~ caseload_per_fte [+ C(period)]`` with a
    random intercept per team, REML. MixedLM takes no weights, so every
    team-quarter counts once; the slope mixes within- and between-team
    variation (it assumes team effects unrelated to caseload), which is why it
    is only a check. Wald interval with the normal reference.

    Args:
        panel: output of :func:`build_panel`.
        period_effects: add quarter fixed effects.
        alpha: 1 - confidence level.
        min_teams: fewer teams than this (and never fewer than 2) raises.

    Returns:
        A :class:`PanelFit` with method ``"mixedlm"``; convergence warnings
        are in ``notes``.

    Raises:
        ValueError: too few teams, or no variation of caseload within teams.
    """
    import statsmodels.formula.api as smf

    data = _check_panel(panel, min_teams)
    formula = "preventive_share ~ caseload_per_fte"
    if period_effects and data["period"].nunique() > 1:
        formula += " + C(period)"
    notes: list[str] = []
    frame = data.astype({"team": object, "period": object})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = smf.mixedlm(formula, frame, groups=frame["team"]).fit(reml=True)
    notes += [f"waarschuwing bij het schatten: {w.message}" for w in caught]
    return _panel_fit("mixedlm", res, data, alpha, None, notes)


def diagnostics(panel: pd.DataFrame, warn_teams: int = 10,
                min_within_ratio: float = 0.2) -> dict[str, Any]:
    """Numbers that tell whether the panel can carry the model.

    Args:
        panel: output of :func:`build_panel`.
        warn_teams: fewer teams than this gives a few-clusters warning.
        min_within_ratio: a ``within_ratio`` below this gives a warning that
            caseload varies little within teams.

    Returns:
        Dict with ``n_obs``, ``n_teams``, ``n_periods``, ``obs_per_team_min``,
        ``obs_per_team_max``, ``sd_total`` and ``sd_within`` of
        ``caseload_per_fte`` (within = deviations from the team mean; the
        fixed-effects slope rests only on that), ``within_ratio``
        (sd_within / sd_total), ``teams_without_variation`` (list) and
        ``warnings`` (Dutch sentences for the reader). An empty panel gives
        zeros and a warning.
    """
    d = panel.dropna(subset=["preventive_share", "caseload_per_fte"])
    out: dict[str, Any] = {"n_obs": int(len(d)), "n_teams": int(d["team"].nunique()),
                           "n_periods": int(d["period"].nunique())}
    msgs: list[str] = []
    if d.empty:
        out.update(obs_per_team_min=0, obs_per_team_max=0, sd_total=float("nan"),
                   sd_within=float("nan"), within_ratio=float("nan"), teams_without_variation=[])
        out["warnings"] = ["Er zijn geen team-kwartalen met zowel uren als caseload; geen model."]
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
    if out["n_teams"] < warn_teams:
        msgs.append(
            f"Het model rust op maar {out['n_teams']} teams (clusters). Cluster-robuuste "
            f"betrouwbaarheidsintervallen zijn bij minder dan {warn_teams} clusters onbetrouwbaar "
            "(vaak te smal); lees de uitkomst als indicatief.")
    if out["teams_without_variation"]:
        msgs.append("Teams zonder variatie in caseload per fte dragen niet bij aan de helling: "
                    + ", ".join(out["teams_without_variation"]) + ".")
    if np.isfinite(out["within_ratio"]) and out["within_ratio"] < min_within_ratio:
        msgs.append("De caseload per fte varieert binnen teams weinig vergeleken met de verschillen "
                    "tussen teams; de schatting is daardoor onzeker.")
    out["warnings"] = msgs
    return out


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


def fits_table(fits: list[PanelFit], step: float = 10) -> pd.DataFrame:
    """One row per fitted model with its slope per ``step`` cases per FTE (percentage points).

    Returns:
        ``model, effect_pp, ci_low_pp, ci_high_pp, p_value, team_quarters, teams``.
    """
    names = {"fixed_effects": "Vaste teameffecten (WLS, cluster-robuust)",
             "mixedlm": "Mixed model (random team-intercept)"}
    return pd.DataFrame(
        {
            "model": [names.get(f.method, f.method) for f in fits],
            "effect_pp": [f.slope * step * 100 for f in fits],
            "ci_low_pp": [f.ci_low * step * 100 for f in fits],
            "ci_high_pp": [f.ci_high * step * 100 for f in fits],
            "p_value": [f.p_value for f in fits],
            "team_quarters": [f.n_obs for f in fits],
            "teams": [f.n_teams for f in fits],
        }
    )


def fit_warnings(fit: PanelFit, outlier_mads: float = 4.0) -> list[str]:
    """Dutch warnings about a fitted model that the reader should see.

    - fitted shares outside 0..1: a straight line does not fit the extremes
      (e.g. a team-quarter with a tiny FTE and an extreme caseload, where
      the share cannot fall below 0), which flattens the slope;
    - residuals more than ``outlier_mads`` times their robust spread
      (1.4826 x the median absolute deviation): outliers.

    Returns:
        A list of sentences (empty when nothing stands out).
    """
    r = fit.residuals
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


def leave_one_team_out(panel: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """The fixed-effects slope re-estimated with each team left out in turn.

    A sensitivity check that needs no large-sample theory: when the slope
    keeps its sign and size whichever team is left out, no single team
    drives the result. Useful with few teams, where cluster-robust intervals
    are unreliable.

    Args:
        panel: output of :func:`build_panel`.
        **kwargs: passed to :func:`fit_fixed_effects` (``min_teams`` is set
            to 2 for the reduced panels).

    Returns:
        ``team_left_out, slope, ci_low, ci_high`` per team; a row is left out
        when the reduced panel cannot be fitted. Empty with fewer than 3 teams.
    """
    cols = ["team_left_out", "slope", "ci_low", "ci_high"]
    teams = sorted(panel["team"].dropna().unique())
    rows = []
    if len(teams) >= 3:
        kw = {**kwargs, "min_teams": 2}
        for team in teams:
            try:
                f = fit_fixed_effects(panel.loc[panel["team"] != team], **kw)
            except ValueError:
                continue
            rows.append({"team_left_out": team, "slope": f.slope, "ci_low": f.ci_low,
                         "ci_high": f.ci_high})
    return pd.DataFrame(rows, columns=cols)
