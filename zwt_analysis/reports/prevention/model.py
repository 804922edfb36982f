"""The models of the prevention report and their policy: when they are fitted, what is read.

Two kinds of model, both two-way fixed effects (team and quarter) from
:func:`zwt_analysis.methods.panel.two_way_fe`, clustered by team, with the
CR1 interval and the wild cluster restricted bootstrap (WCR) beside it:

- the **main model**: preventive share on caseload per FTE, weights = hours;
  with the checks of :mod:`zwt_analysis.methods.panel` (Mundlak, Wooldridge
  serial correlation, placebo lead of caseload), the mean of team-specific
  slopes as a robustness check and the leave-one-team-out range;
- the **deadline models**: per deadline indicator, a team's share on time on
  its caseload per FTE at the start of the quarter, weights = cases judged.

Both are fitted on all teams of the municipality: the validation
(``docs/validation.md``) covers 10 teams; one organisation's 3-4 teams alone
carry no interval that has been shown to hold, so an organisation's report
reads the municipality's model with its own teams in it. Quarters in the
caseload warm-up and deadline cohorts that are not final are left out. The
interval the reader sees is the WCR interval (it holds with few teams); the
few-clusters flag is raised whenever there are 10 teams or fewer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zwt_analysis.methods import panel as methods_panel
from zwt_analysis.methods.panel import FEInference, MeanGroup, PanelCheck
from zwt_analysis.reports.prevention import panel
from zwt_analysis.reports.prevention.deadlines import DEADLINE_INDICATORS

if TYPE_CHECKING:
    from zwt_analysis.reports.prevention.build import PreventionSettings

#: Columns of the deadline-model table (``model_termijnen_caseload.csv``).
DEADLINE_MODEL_COLUMNS = ["indicator_id", "effect_pp", "ci_low_pp", "ci_high_pp", "p_value",
                          "ci_cr1_low_pp", "ci_cr1_high_pp", "p_cr1", "team_quarters", "teams",
                          "few_clusters"]


@dataclass(frozen=True)
class Sensitivity:
    """The fixed-effects slope with each team left out, per ``effect_step`` cases per FTE.

    Attributes:
        low_pp, high_pp: smallest and largest slope (percentage points).
        same_direction: every slope has the sign of the full model's slope.
    """

    low_pp: float
    high_pp: float
    same_direction: bool


@dataclass(frozen=True)
class GroundTruthCheck:
    """The planted slope of synthetic data against the estimate (percentage points per step).

    Attributes:
        truth_pp: the planted slope.
        estimate_pp, ci_low_pp, ci_high_pp: the slope and its WCR interval.
        covered: the planted slope lies inside the interval.
    """

    truth_pp: float
    estimate_pp: float
    ci_low_pp: float
    ci_high_pp: float
    covered: bool


@dataclass
class ModelPart:
    """The main model: preventive share on caseload per FTE.

    Attributes:
        panel: the team-quarters the model uses (warm-up quarters left out).
        excluded: the warm-up quarters left out (``YYYY-Qn``).
        warmup_reason: why they are left out (Dutch, from ``methods.windows``).
        diagnostics: :func:`~panel.diagnostics` of ``panel``.
        too_few_teams: fewer teams than ``min_teams``: nothing was fitted.
        fe_error: why the model could not be fitted (else None).
        fe: the fit (CR1 and WCR inference; None when not fitted).
        mean_group: the mean of team-specific slopes (None when not fitted).
        checks: Mundlak, serial correlation and placebo lead (those that ran).
        residuals: :func:`~panel.residual_frame` of the fit (diagnostics).
        fits: :func:`fits_table` (None without ``fe``).
        fit_warnings: :func:`~panel.fit_warnings` of the residuals.
        sensitivity: leave-one-team-out range (None without ``fe`` or with < 3 teams).
        ground_truth: comparison with a synthetic ground truth (None without one).
    """

    panel: pd.DataFrame
    excluded: list[str]
    diagnostics: dict[str, Any]
    too_few_teams: bool
    fe_error: str | None = None
    fe: FEInference | None = None
    mean_group: MeanGroup | None = None
    checks: list[PanelCheck] = field(default_factory=list)
    residuals: pd.DataFrame = field(default_factory=pd.DataFrame)
    fits: pd.DataFrame | None = None
    fit_warnings: list[str] = field(default_factory=list)
    sensitivity: Sensitivity | None = None
    ground_truth: GroundTruthCheck | None = None
    warmup_reason: str = ""

    @property
    def all_warmup(self) -> bool:
        """Every quarter with data lies in the caseload warm-up (the history is too short)."""
        return bool(self.excluded) and self.diagnostics["n_obs"] == 0

    def why_not(self, min_teams: int) -> str:
        """Why the model was not fitted, one Dutch clause ("" when it was)."""
        if self.fe is not None:
            return ""
        if self.all_warmup:
            why = self.warmup_reason.split(" (")[0]
            return (f"alle kwartalen met gegevens vallen in de opstart van de registratie ({why}): "
                    "de caseload mist dan nog casussen die vóór het begin van de gegevens "
                    "openstonden")
        if self.too_few_teams:
            n = self.diagnostics["n_teams"]
            return (f"er {'is' if n == 1 else 'zijn'} {n} team{'' if n == 1 else 's'} met bruikbare "
                    f"kwartalen en het model vraagt er minstens {min_teams}")
        return self.fe_error or "het model kon niet geschat worden"


@dataclass
class DeadlineModels:
    """Deadline compliance on caseload per FTE, one model per deadline indicator.

    Attributes:
        table: :data:`DEADLINE_MODEL_COLUMNS`, effects in percentage points
            per ``effect_step`` cases per FTE (WCR interval and p first, CR1 beside).
        skipped: indicator -> Dutch reason it was not fitted.
        fits: indicator -> the fit.
    """

    table: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    fits: dict[str, FEInference] = field(default_factory=dict)


def _model_args(s: PreventionSettings) -> dict[str, Any]:
    return {"cluster": "team", "time": "period" if s.period_effects else None,
            "alpha": s.alpha, "seed": s.seed}


def fit_models(pdata: pd.DataFrame, s: PreventionSettings, as_of: date,
               data_start: date | None) -> ModelPart:
    """Fit the main model on a :func:`~panel.build_panel` panel when it allows; say why not.

    Warm-up quarters of the caseload are left out first. Fewer teams than
    ``min_teams``: nothing is fitted (``too_few_teams``). A model that cannot
    be fitted leaves its reason in ``fe_error``. With the model fitted, the
    mean-group slope, the checks, the fitted values, the model table, the
    warnings and the leave-one-team-out range are filled in; a check that
    cannot run is left out.
    """
    excluded, why = panel.warmup_quarters(pdata["period"], as_of, data_start)
    used = pdata.loc[~pdata["period"].astype(str).isin(excluded)].reset_index(drop=True)
    diag = panel.diagnostics(used, min_within_ratio=s.min_within_ratio)
    part = ModelPart(panel=used, excluded=excluded, diagnostics=diag,
                     too_few_teams=diag["n_teams"] < max(2, s.min_teams), warmup_reason=why)
    if part.too_few_teams:
        return part
    w = "hours" if s.weighted else None
    args = _model_args(s)
    try:
        part.fe = methods_panel.two_way_fe(used, "preventive_share", "caseload_per_fte",
                                           weights=w, **args)
    except ValueError as err:
        part.fe_error = str(err)
        return part
    try:
        part.mean_group = methods_panel.mean_group(used, "preventive_share", "caseload_per_fte",
                                                   "team", args["time"], weights=w,
                                                   alpha=s.alpha)
    except (ValueError, np.linalg.LinAlgError):
        part.mean_group = None
    part.checks = _checks(used, w, s)
    part.residuals = panel.residual_frame(used, "preventive_share", "caseload_per_fte", w,
                                          s.period_effects)
    part.fits = fits_table(part.fe, part.mean_group, s.effect_step, s.period_effects)
    part.fit_warnings = panel.fit_warnings(part.residuals, outlier_mads=s.outlier_mads)
    loto = panel.leave_one_team_out(used, weights=w, period_effects=s.period_effects,
                                    alpha=s.alpha)
    part.sensitivity = sensitivity(loto, part.fe.estimate, s.effect_step)
    return part


def _checks(data: pd.DataFrame, weights: str | None, s: PreventionSettings) -> list[PanelCheck]:
    """Mundlak, Wooldridge and placebo-lead checks; a check that cannot run is left out."""
    y, x = "preventive_share", "caseload_per_fte"
    runs = [
        lambda: methods_panel.mundlak_check(data, y, x, "team", "period", weights, s.alpha,
                                            seed=s.seed),
        lambda: methods_panel.wooldridge_serial(data, y, x, "team", "period", s.alpha),
        lambda: methods_panel.placebo_lead(data, y, x, "team", "period", weights, s.alpha,
                                           seed=s.seed),
    ]
    out = []
    for run in runs:
        try:
            check = run()
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(check.p_value):
            out.append(check)
    return out


def sensitivity(loto: pd.DataFrame, slope: float, step: float) -> Sensitivity | None:
    """The leave-one-team-out range in percentage points per ``step`` cases per FTE.

    Args:
        loto: :func:`~panel.leave_one_team_out` output.
        slope: the full fixed-effects slope (fraction per case per FTE).
        step: cases per FTE the effect is told for.

    Returns:
        A :class:`Sensitivity`, or None when ``loto`` is empty (fewer than 3 teams).
    """
    if loto.empty:
        return None
    return Sensitivity(
        low_pp=loto["slope"].min() * step * 100,
        high_pp=loto["slope"].max() * step * 100,
        same_direction=bool((loto["slope"] * slope > 0).all()),
    )


def fits_table(fe: FEInference, mg: MeanGroup | None, step: float = 10,
               period_effects: bool = True) -> pd.DataFrame:
    """The slope per ``step`` cases per FTE in percentage points, one row per reading.

    Rows: the fixed-effects slope with its WCR interval, the same slope with
    its CR1 interval, and (when fitted) the mean of team-specific slopes.

    Returns:
        ``model, effect_pp, ci_low_pp, ci_high_pp, p_value, team_quarters, teams``.
    """
    what = "Vaste team- en kwartaaleffecten" if period_effects else "Vaste teameffecten"
    pp = step * 100
    rows = [
        {"model": f"{what}; interval: wild cluster bootstrap (WCR)", "effect_pp": fe.estimate * pp,
         "ci_low_pp": fe.ci_wcr_low * pp, "ci_high_pp": fe.ci_wcr_high * pp, "p_value": fe.p_wcr},
        {"model": f"{what}; interval: cluster-robuust (CR1)", "effect_pp": fe.estimate * pp,
         "ci_low_pp": fe.ci_cr1_low * pp, "ci_high_pp": fe.ci_cr1_high * pp, "p_value": fe.p_cr1},
    ]
    for row in rows:
        row.update(team_quarters=fe.n_obs, teams=fe.clusters)
    if mg is not None:
        rows.append({"model": "Controle: gemiddelde van de teamhellingen (mean group)",
                     "effect_pp": mg.estimate * pp, "ci_low_pp": mg.ci_low * pp,
                     "ci_high_pp": mg.ci_high * pp, "p_value": mg.p_value,
                     "team_quarters": fe.n_obs, "teams": mg.clusters})
    return pd.DataFrame(rows, columns=["model", "effect_pp", "ci_low_pp", "ci_high_pp", "p_value",
                                       "team_quarters", "teams"])


def check_ground_truth(model: ModelPart, truth: float | None, step: float) -> None:
    """Set ``model.ground_truth`` when a planted slope is given and the model was fitted."""
    fe = model.fe
    if truth is None or fe is None:
        return
    model.ground_truth = GroundTruthCheck(
        truth_pp=truth * step * 100,
        estimate_pp=fe.estimate * step * 100,
        ci_low_pp=fe.ci_wcr_low * step * 100,
        ci_high_pp=fe.ci_wcr_high * step * 100,
        covered=fe.covers(truth),
    )


def fit_deadline_models(dpanel: pd.DataFrame, s: PreventionSettings, as_of: date,
                        data_start: date | None) -> DeadlineModels:
    """One two-way fixed-effects model per deadline indicator: share on time on caseload.

    Cohorts that are not final and quarters whose starting caseload lies in
    the warm-up are left out; an indicator with fewer than ``min_teams``
    teams left, or whose model cannot be fitted, is skipped with a reason.

    Args:
        dpanel: :func:`~panel.build_deadline_panel` output.
    """
    pp = s.effect_step * 100
    out = DeadlineModels(table=pd.DataFrame(columns=DEADLINE_MODEL_COLUMNS))
    rows = []
    for ind in DEADLINE_INDICATORS:
        d = dpanel.loc[dpanel["indicator_id"] == ind]
        keep = (panel.usable_rows(d["period"], ind, as_of, data_start)
                & panel.usable_rows(d["load_period"], "caseload_per_fte", as_of, data_start))
        d = d.loc[keep & (d["evaluable"] > 0)]
        teams = d["team"].nunique()
        if teams < max(2, s.min_teams):
            out.skipped[ind] = f"{teams} team(s) met bruikbare kwartalen; minimaal {s.min_teams} nodig"
            continue
        try:
            fe = methods_panel.two_way_fe(d, "share_on_time", "caseload_start",
                                          weights="evaluable" if s.weighted else None,
                                          **_model_args(s))
        except ValueError as err:
            out.skipped[ind] = str(err)
            continue
        out.fits[ind] = fe
        rows.append({"indicator_id": ind, "effect_pp": fe.estimate * pp,
                     "ci_low_pp": fe.ci_wcr_low * pp, "ci_high_pp": fe.ci_wcr_high * pp,
                     "p_value": fe.p_wcr, "ci_cr1_low_pp": fe.ci_cr1_low * pp,
                     "ci_cr1_high_pp": fe.ci_cr1_high * pp, "p_cr1": fe.p_cr1,
                     "team_quarters": fe.n_obs, "teams": fe.clusters,
                     "few_clusters": fe.few_clusters})
    if rows:
        out.table = pd.DataFrame(rows, columns=DEADLINE_MODEL_COLUMNS)
    return out
