"""The prevention report in one call: :func:`build` computes everything the notebook shows.

``build(ctx, params)`` reads the processed tables and the indicator table through
the :class:`~zwt_analysis.reports.context.ReportContext`, applies the settings
of ``resources/prevention.yaml`` (with the notebook's overrides) and returns a
:class:`PreventionResult`: frames and numbers only. The report's policy lives
here, not in the notebook: which panels to draw, the scarcity window, when the
model is fitted, what a failing check model means, the leave-one-team-out
range and the verdict against a synthetic ground truth. Reader tables and
sentences are :mod:`zwt_analysis.reports.prevention.tables`; figures are
:mod:`zwt_analysis.reports.prevention.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.periods import latest_quarters, year_of
from zwt_analysis.reports.prevention import allocation, deadlines, panel, scarcity, shares
from zwt_analysis.reports.prevention.common import filter_organisation, load_settings, pact_teams
from zwt_analysis.reports.prevention.panel import PanelFit

if TYPE_CHECKING:
    from zwt_analysis.reports.context import ReportContext


@dataclass(frozen=True)
class PreventionSettings:
    """The settings of one run: ``prevention.yaml`` with the notebook's overrides.

    Attributes:
        floor: the ondergrens for the preventive share (fraction 0..1).
        alpha: 1 - confidence level of every interval.
        cluster: cluster unit column of the hours-share intervals.
        period_effects, weighted: model options (quarter effects; hours as weights).
        min_teams: fewer teams with data: the model is not fitted.
        warn_teams: fewer teams: the few-clusters warning.
        effect_step: the effect is told per this many cases per FTE.
        min_within_ratio: within/total spread of caseload below which the report warns.
        outlier_mads: residuals beyond this many robust spreads are named.
        recent_quarters: quarters in the "latest" tables and figures.
    """

    floor: float
    alpha: float
    cluster: str
    period_effects: bool
    weighted: bool
    min_teams: int
    warn_teams: int
    effect_step: float
    min_within_ratio: float
    outlier_mads: float
    recent_quarters: int


def resolve_settings(params: Mapping[str, Any]) -> PreventionSettings:
    """The run's settings from the notebook parameters.

    ``settings_file`` ("" = the packaged ``prevention.yaml``) gives the
    defaults; ``ondergrens`` ("" or None = from the settings) overrides the
    floor; ``recent_quarters`` defaults to 4.

    Raises:
        ValueError: the floor (from either source) lies outside 0..1.
    """
    settings = load_settings(params.get("settings_file") or None)
    model = settings["model"]
    ondergrens = params.get("ondergrens", "")
    floor = float(ondergrens) if ondergrens not in ("", None) else settings["ondergrens"]
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"ondergrens must lie in 0..1, got {floor}")
    return PreventionSettings(
        floor=floor,
        alpha=float(settings["alpha"]),
        cluster=settings["allocation_cluster"],
        period_effects=bool(model["period_effects"]),
        weighted=bool(model["weighted"]),
        min_teams=int(model["min_teams"]),
        warn_teams=int(model["warn_teams"]),
        effect_step=float(model["effect_step"]),
        min_within_ratio=float(model["min_within_ratio"]),
        outlier_mads=float(model["outlier_mads"]),
        recent_quarters=int(params.get("recent_quarters", 4)),
    )


@dataclass
class AllocationPart:
    """Section 1: where the hours go.

    Attributes:
        allocation: :func:`~allocation.time_allocation` rows of this report's organisation.
        panels: ``"organisation"`` (city report: one panel per organisation) or ``"team"``.
        recent: the latest ``recent_quarters`` quarters with hours, oldest first.
        pact: :func:`~allocation.pact_comparison` over ``recent``.
        pact_comparable: both groups (PACT and the other teams) are present.
        team_rows: team rows of ``allocation`` without ``n_eff`` (side table).
    """

    allocation: pd.DataFrame
    panels: str
    recent: list[str]
    pact: pd.DataFrame
    pact_comparable: bool
    team_rows: pd.DataFrame


@dataclass
class DeadlinePart:
    """Section 2: statutory deadlines.

    Attributes:
        summary: :func:`~deadlines.deadline_summary` (organisation and city rows).
        to_publish: organisation-level rows of this report (side table, before suppression).
        recent: this organisation's rows (team ALL) in its latest ``recent_quarters`` quarters.
        days: :func:`~deadlines.deadline_days` of completed cases.
        quantiles: :func:`~deadlines.days_quantiles` of ``days``.
    """

    summary: pd.DataFrame
    to_publish: pd.DataFrame
    recent: pd.DataFrame
    days: pd.DataFrame
    quantiles: pd.DataFrame


@dataclass
class ScarcityPart:
    """Section 3: scarcity, from the first quarter (year) with registered hours on.

    Attributes:
        quarterly: :func:`~scarcity.scarcity_quarterly` of this organisation.
        has_team_rows: there are team rows to draw.
        yearly: :func:`~scarcity.scarcity_yearly` of this organisation.
    """

    quarterly: pd.DataFrame
    has_team_rows: bool
    yearly: pd.DataFrame


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
        estimate_pp, ci_low_pp, ci_high_pp: the fixed-effects slope and its interval.
        covered: the planted slope lies inside the interval.
    """

    truth_pp: float
    estimate_pp: float
    ci_low_pp: float
    ci_high_pp: float
    covered: bool


@dataclass
class ModelPart:
    """Section 4: the panel model of preventive share on caseload per FTE.

    Attributes:
        panel: :func:`~panel.build_panel` of this organisation.
        diagnostics: :func:`~panel.diagnostics` of ``panel``.
        too_few_teams: fewer teams than ``min_teams``: no model was fitted.
        fe_error: why the fixed-effects model could not be fitted (else None).
        mixed_error: why the check model could not be fitted (else None).
        fe, mixed: the fitted models (None when not fitted).
        fits: :func:`~panel.fits_table` of the fitted models (None without ``fe``).
        directions_differ: the check model's slope has the other sign.
        fit_warnings: :func:`~panel.fit_warnings` of ``fe``.
        notes: fitting notes of both models (statsmodels warnings).
        sensitivity: leave-one-team-out range (None without ``fe`` or with < 3 teams).
        ground_truth: comparison with a synthetic ground truth (None without one).
    """

    panel: pd.DataFrame
    diagnostics: dict[str, Any]
    too_few_teams: bool
    fe_error: str | None = None
    mixed_error: str | None = None
    fe: PanelFit | None = None
    mixed: PanelFit | None = None
    fits: pd.DataFrame | None = None
    directions_differ: bool = False
    fit_warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sensitivity: Sensitivity | None = None
    ground_truth: GroundTruthCheck | None = None


@dataclass
class FloorPart:
    """Section 5: the floor for the preventive share.

    Attributes:
        shares: :func:`~shares.preventive_share_table` of this organisation.
        team_shares: its team rows.
        below: team-quarters below the floor, :data:`~shares.BELOW_COLUMNS` (side table).
        clearly_below: how many of them have the whole interval below the floor.
        recent_below: the rows of ``below`` in the latest quarters (``AllocationPart.recent``).
        summary: :func:`~shares.floor_summary` per team.
    """

    shares: pd.DataFrame
    team_shares: pd.DataFrame
    below: pd.DataFrame
    clearly_below: int
    recent_below: pd.DataFrame
    summary: pd.DataFrame


@dataclass
class PreventionResult:
    """Everything the prevention notebook shows."""

    organisation: str
    settings: PreventionSettings
    allocation: AllocationPart
    deadlines: DeadlinePart
    scarcity: ScarcityPart
    model: ModelPart
    floor: FloorPart


def build(ctx: ReportContext, params: Mapping[str, Any] | None = None) -> PreventionResult:
    """Compute the prevention report for ``ctx.organisation``.

    Args:
        ctx: the report context (processed tables, indicators, as-of, organisation).
        params: the notebook's parameters (default ``ctx.params``): ``ondergrens``,
            ``settings_file``, ``ground_truth_file``, ``recent_quarters``.

    Returns:
        A :class:`PreventionResult`; empty tables give empty parts, never an error.

    Raises:
        ValueError: ``ondergrens`` outside 0..1 (from the settings or the parameter).
        FileNotFoundError, KeyError: ``ground_truth_file`` missing or without the slope.
    """
    params = ctx.params if params is None else params
    s = resolve_settings(params)
    org = ctx.organisation
    tr = filter_organisation(ctx.table("time_registrations"), org)
    cases = filter_organisation(ctx.table("cases"), org)
    areas = ctx.table("areas")
    ind = ctx.indicators()
    alloc = _allocation_part(ctx, tr, areas, s)
    model = fit_models(ctx.filter_org(panel.build_panel(ind, pact_teams(areas))), s)
    _check_ground_truth(model, params.get("ground_truth_file") or None, s.effect_step)
    return PreventionResult(
        organisation=org,
        settings=s,
        allocation=alloc,
        deadlines=_deadline_part(ctx, cases, s),
        scarcity=_scarcity_part(ctx, ind, tr, alloc.allocation),
        model=model,
        floor=_floor_part(ctx, ind, tr, areas, alloc.recent, s),
    )


def _allocation_part(ctx: ReportContext, tr: pd.DataFrame, areas: pd.DataFrame,
                     s: PreventionSettings) -> AllocationPart:
    alloc = ctx.filter_org(allocation.time_allocation(tr, areas, cluster=s.cluster, alpha=s.alpha))
    recent = latest_quarters(alloc["period"], s.recent_quarters)
    pact = allocation.pact_comparison(tr, areas, recent, cluster=s.cluster, alpha=s.alpha)
    return AllocationPart(
        allocation=alloc,
        panels="organisation" if ctx.organisation == ALL else "team",
        recent=recent,
        pact=pact,
        pact_comparable=not pact.empty and pact["group"].nunique() >= 2,
        team_rows=alloc.loc[alloc["team"] != ALL].drop(columns=["n_eff"]),
    )


def _deadline_part(ctx: ReportContext, cases: pd.DataFrame, s: PreventionSettings) -> DeadlinePart:
    status = deadlines.deadline_cases(cases, ctx.as_of)
    summary = deadlines.deadline_summary(status, alpha=s.alpha)
    days = deadlines.deadline_days(status)
    own = summary.loc[(summary["organisation"] == ctx.organisation) & (summary["team"] == ALL)]
    recent = own.loc[own["period"].isin(latest_quarters(own["period"], s.recent_quarters))]
    return DeadlinePart(
        summary=summary,
        to_publish=ctx.filter_org(summary.loc[summary["team"] == ALL]),
        recent=recent,
        days=days,
        quantiles=deadlines.days_quantiles(days),
    )


def _scarcity_part(ctx: ReportContext, ind: pd.DataFrame, tr: pd.DataFrame,
                   alloc: pd.DataFrame) -> ScarcityPart:
    # the staff table reaches back before cases and registrations start: show
    # scarcity from the first quarter (year) with registered hours on
    first_period = min(alloc["period"]) if not alloc.empty else None
    first_year = year_of(first_period) if first_period else None
    quarterly = ctx.filter_org(scarcity.scarcity_quarterly(ind, tr, from_period=first_period))
    return ScarcityPart(
        quarterly=quarterly,
        has_team_rows=not quarterly.loc[quarterly["team"] != ALL].empty,
        yearly=ctx.filter_org(scarcity.scarcity_yearly(ind, from_year=first_year)),
    )


def fit_models(pdata: pd.DataFrame, s: PreventionSettings) -> ModelPart:
    """Fit the models on a :func:`~panel.build_panel` panel when it allows; record why not otherwise.

    Fewer teams than ``min_teams``: nothing is fitted (``too_few_teams``). A
    fixed-effects model that cannot be fitted leaves its reason in
    ``fe_error``; a failing check model (``mixed_error``) leaves the main
    result standing. With the main model fitted, the model table, the
    warnings and the leave-one-team-out range are filled in.
    """
    diag = panel.diagnostics(pdata, warn_teams=s.warn_teams, min_within_ratio=s.min_within_ratio)
    part = ModelPart(panel=pdata, diagnostics=diag, too_few_teams=diag["n_teams"] < s.min_teams)
    if part.too_few_teams:
        return part
    try:
        part.fe = panel.fit_fixed_effects(pdata, period_effects=s.period_effects,
                                          weighted=s.weighted, alpha=s.alpha,
                                          min_teams=s.min_teams)
    except ValueError as err:
        part.fe_error = str(err)
        return part
    try:
        part.mixed = panel.fit_mixed(pdata, period_effects=s.period_effects, alpha=s.alpha,
                                     min_teams=s.min_teams)
    except Exception as err:  # the check model may fail to converge; the main result stands
        part.mixed_error = str(err)
    fe, mixed = part.fe, part.mixed
    part.fits = panel.fits_table([f for f in (fe, mixed) if f is not None], step=s.effect_step)
    part.directions_differ = mixed is not None and (mixed.slope * fe.slope < 0)
    part.fit_warnings = panel.fit_warnings(fe, outlier_mads=s.outlier_mads)
    part.notes = fe.notes + (mixed.notes if mixed is not None else [])
    loto = panel.leave_one_team_out(pdata, period_effects=s.period_effects, weighted=s.weighted,
                                    alpha=s.alpha)
    part.sensitivity = sensitivity(loto, fe.slope, s.effect_step)
    return part


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


def _check_ground_truth(model: ModelPart, path: str | None, step: float) -> None:
    """Set ``model.ground_truth`` when a ground-truth file is given and the model was fitted."""
    truth = panel.load_ground_truth(path)
    fe = model.fe
    if truth is None or fe is None:
        return
    model.ground_truth = GroundTruthCheck(
        truth_pp=truth * step * 100,
        estimate_pp=fe.slope * step * 100,
        ci_low_pp=fe.ci_low * step * 100,
        ci_high_pp=fe.ci_high * step * 100,
        covered=fe.covers(truth),
    )


def _floor_part(ctx: ReportContext, ind: pd.DataFrame, tr: pd.DataFrame, areas: pd.DataFrame,
                recent: list[str], s: PreventionSettings) -> FloorPart:
    table = ctx.filter_org(shares.preventive_share_table(ind, tr, areas, cluster=s.cluster,
                                                         alpha=s.alpha))
    below = shares.below_floor(table, s.floor)
    return FloorPart(
        shares=table,
        team_shares=table.loc[table["team"] != ALL],
        below=below[shares.BELOW_COLUMNS],
        clearly_below=int(below["clearly_below"].sum()),
        recent_below=below.loc[below["period"].isin(recent), shares.BELOW_COLUMNS],
        summary=shares.floor_summary(table, s.floor),
    )
