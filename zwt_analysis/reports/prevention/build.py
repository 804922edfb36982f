"""The prevention report in one call: :func:`build` computes everything the notebook shows.

``build(ctx, params)`` reads the processed tables and the indicator table through
the :class:`~zwt_analysis.reports.context.ReportContext`, applies the settings
of ``resources/prevention.yaml`` (with the notebook's overrides) and returns a
:class:`PreventionResult`: frames and numbers (the Kern sentences are written
from it by :mod:`~zwt_analysis.reports.prevention.kern`). The
report's policy lives here and in :mod:`~zwt_analysis.reports.prevention.model`:
which panels to draw, the scarcity window, which quarters the models use,
the disclosure control of the side tables (the city's full tables protected
in one pass, then this report's slice), which signals go with which figure
and what is skipped when a table is missing. Reader tables are
:mod:`~zwt_analysis.reports.prevention.tables`, figures
:mod:`~zwt_analysis.reports.prevention.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from zwt_analysis import signals
from zwt_analysis.contract import ALL
from zwt_analysis.disclosure import ProtectedTable
from zwt_analysis.disclosure.rules import default_rules
from zwt_analysis.methods.windows import comparable_years, data_start
from zwt_analysis.periods import latest_quarters, year_of
from zwt_analysis.reports.prevention import (
    allocation,
    deadlines,
    model,
    panel,
    protection,
    scarcity,
    shares,
)
from zwt_analysis.reports.prevention.common import (
    filter_organisation,
    load_settings,
    pact_teams,
)
from zwt_analysis.reports.prevention.model import DeadlineModels, ModelPart

if TYPE_CHECKING:
    from zwt_analysis.reports.context import ReportContext


@dataclass(frozen=True)
class PreventionSettings:
    """The settings of one run: ``prevention.yaml`` with the notebook's overrides.

    Attributes:
        floor: the ondergrens for the preventive share (fraction 0..1).
        alpha: 1 - confidence level of every interval.
        cluster: cluster unit column of the hour-share intervals.
        period_effects, weighted: model options (quarter effects; hours as weights).
        min_teams: fewer teams with data: the models are not fitted.
        effect_step: the effect is told per this many cases per FTE.
        min_within_ratio: within/total spread of caseload below which the report warns.
        outlier_mads: residuals beyond this many robust spreads are named.
        seed: seed of the wild-bootstrap draws.
        recent_quarters: quarters in the "latest" tables and figures.
        signal_themes: figure (``caseload``, ``deadlines``, ``preventive``) ->
            the signal themes drawn on it.
    """

    floor: float
    alpha: float
    cluster: str
    period_effects: bool
    weighted: bool
    min_teams: int
    effect_step: float
    min_within_ratio: float
    outlier_mads: float
    seed: int
    recent_quarters: int
    signal_themes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def resolve_settings(params: Mapping[str, Any]) -> PreventionSettings:
    """The run's settings from the notebook parameters.

    ``settings_file`` ("" = the packaged ``prevention.yaml``) gives the
    defaults; ``ondergrens`` ("" or None = from the settings) overrides the
    floor; ``recent_quarters`` defaults to 4.

    Raises:
        ValueError: the floor (from either source) lies outside 0..1.
    """
    settings = load_settings(params.get("settings_file") or None)
    m = settings["model"]
    ondergrens = params.get("ondergrens", "")
    floor = float(ondergrens) if ondergrens not in ("", None) else settings["ondergrens"]
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"ondergrens must lie in 0..1, got {floor}")
    return PreventionSettings(
        floor=floor, alpha=float(settings["alpha"]), cluster=settings["allocation_cluster"],
        period_effects=bool(m["period_effects"]), weighted=bool(m["weighted"]),
        min_teams=int(m["min_teams"]), effect_step=float(m["effect_step"]),
        min_within_ratio=float(m["min_within_ratio"]), outlier_mads=float(m["outlier_mads"]),
        seed=int(m.get("seed", 0)), recent_quarters=int(params.get("recent_quarters", 4)),
        signal_themes={k: tuple(v or ()) for k, v in (settings.get("signals") or {}).items()},
    )


@dataclass
class AllocationPart:
    """Section: where the hours go.

    Attributes:
        allocation: hour shares of this report's organisation (all levels).
        panels: ``"organisation"`` (city report: one panel per organisation) or ``"team"``.
        recent: the latest ``recent_quarters`` quarters with hours, oldest first.
        pact: this report's ``urenverdeling_pact`` (protected; None when one group is missing).
        team_rows: this report's ``urenverdeling_team_kwartaal`` (protected).
        figure: ``allocation`` with the hour shares of suppressed team-quarters missing.
    """

    allocation: pd.DataFrame
    panels: str
    recent: list[str]
    pact: ProtectedTable | None
    team_rows: ProtectedTable
    figure: pd.DataFrame

    @property
    def pact_comparable(self) -> bool:
        """Both groups (PACT teams and the other teams) are in the PACT table."""
        return self.pact is not None


@dataclass
class DeadlinePart:
    """Section: statutory deadlines.

    Attributes:
        summary: :func:`~deadlines.deadline_summary` with :func:`~deadlines.cohort_status`.
        published: this report's ``termijnen_per_kwartaal`` (protected).
        figure: masked shares of this organisation and (organisation reports) the city.
        recent: the published rows of this organisation in its latest quarters.
        days: :func:`~deadlines.deadline_days` of completed cases.
        quantiles: :func:`~deadlines.days_quantiles` of ``days``.
    """

    summary: pd.DataFrame
    published: ProtectedTable
    figure: pd.DataFrame
    recent: pd.DataFrame
    days: pd.DataFrame
    quantiles: pd.DataFrame


@dataclass
class ScarcityPart:
    """Section: scarcity, from the first quarter (year) with registered hours on.

    Attributes:
        quarterly: :func:`~scarcity.scarcity_quarterly` of this organisation.
        has_team_rows: there are team rows to draw.
        yearly: :func:`~scarcity.scarcity_yearly` of this organisation and the city,
            outflow of fewer than 5 leavers missing.
        hidden_outflow: organisation-years whose outflow is not shown.
        partial_years: years of ``yearly`` not wholly inside the data (never
            compared with whole years).
    """

    quarterly: pd.DataFrame
    has_team_rows: bool
    yearly: pd.DataFrame
    hidden_outflow: int = 0
    partial_years: list[str] = field(default_factory=list)


@dataclass
class FloorPart:
    """Section: the floor for the preventive share.

    Attributes:
        shares: :func:`~shares.preventive_share_table` of this organisation.
        team_shares: its team rows, share missing where the hours are suppressed (figures).
        below: this report's ``onder_ondergrens`` (protected).
        clearly_below: team-quarters whose whole interval lies below the floor.
        recent_below: the published rows of ``below`` in the latest quarters.
        summary: :func:`~shares.floor_summary` per team.
    """

    shares: pd.DataFrame
    team_shares: pd.DataFrame
    below: ProtectedTable
    clearly_below: int
    recent_below: pd.DataFrame
    summary: pd.DataFrame


@dataclass
class PreventionResult:
    """Everything the prevention notebook shows.

    Attributes:
        organisation: the report's organisation (``ALL``: the city).
        place: the municipality's name for readers ("de gemeente" when unknown).
        settings: the run's settings.
        allocation, deadlines, scarcity, model, deadline_models, floor: the sections.
        signals: figure (``caseload``, ``deadlines``, ``preventive``) -> numbered signals.
        trends: the run's trend verdicts of this organisation's and the city's series.
        published: the protection of the side tables (cells, suppressed share).
        skipped: Dutch notes of what the report leaves out and why.
    """

    organisation: str
    place: str
    settings: PreventionSettings
    allocation: AllocationPart
    deadlines: DeadlinePart
    scarcity: ScarcityPart
    model: ModelPart
    deadline_models: DeadlineModels
    floor: FloorPart
    signals: dict[str, pd.DataFrame]
    trends: pd.DataFrame
    published: protection.Published
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Inputs:
    """The tables of a run, read once."""

    tr: pd.DataFrame
    cases: pd.DataFrame
    areas: pd.DataFrame
    ind: pd.DataFrame
    start: date | None


def build(ctx: ReportContext, params: Mapping[str, Any] | None = None) -> PreventionResult:
    """Compute the prevention report for ``ctx.organisation``.

    Args:
        ctx: the report context (processed tables, indicators, as-of, organisation).
        params: the notebook's parameters (default ``ctx.params``): ``ondergrens``,
            ``settings_file``, ``ground_truth_file``, ``recent_quarters``.

    Returns:
        A :class:`PreventionResult`; missing tables give empty parts and a
        note in ``skipped``, never an error.

    Raises:
        ValueError: ``ondergrens`` outside 0..1 (from the settings or the parameter).
        FileNotFoundError, KeyError: ``ground_truth_file`` missing or without the slope.
    """
    params = ctx.params if params is None else params
    s = resolve_settings(params)
    org = ctx.organisation
    tr, cases = ctx.table("time_registrations"), ctx.table("cases")
    inp = _Inputs(tr, cases, ctx.table("areas"), ctx.indicators(),
                  data_start([cases["date_report"], tr["date"]]))
    alloc_all = allocation.time_allocation(tr, inp.areas, cluster=s.cluster, alpha=s.alpha)
    status = deadlines.deadline_cases(cases, ctx.as_of)
    summary = deadlines.cohort_status(deadlines.deadline_summary(status, alpha=s.alpha),
                                      ctx.as_of, inp.start)
    share_all = shares.preventive_share_table(inp.ind, tr, inp.areas, cluster=s.cluster,
                                              alpha=s.alpha)
    below_all = shares.below_floor(share_all, s.floor)
    pub = protection.protect_report(
        _deadline_table(summary), alloc_all.loc[alloc_all["team"] != ALL].drop(columns=["n_eff"]),
        below_all[shares.BELOW_COLUMNS], _pact_tables(inp, alloc_all, s), org)
    main = model.fit_models(panel.build_panel(inp.ind, pact_teams(inp.areas)), s, ctx.as_of,
                            inp.start)
    model.check_ground_truth(main, panel.load_ground_truth(params.get("ground_truth_file") or None),
                             s.effect_step)
    alloc = _allocation_part(org, alloc_all, pub, s)
    result = PreventionResult(
        organisation=org, place=ctx.municipality.display_name, settings=s, allocation=alloc,
        deadlines=_deadline_part(org, summary, status, pub, s),
        scarcity=_scarcity_part(ctx, inp, alloc.allocation),
        model=main,
        deadline_models=model.fit_deadline_models(
            panel.build_deadline_panel(inp.ind, deadlines.DEADLINE_INDICATORS), s, ctx.as_of,
            inp.start),
        floor=_floor_part(org, share_all, pub, alloc.recent, s),
        signals={}, trends=_trends(inp, ctx.as_of, org), published=pub,
    )
    result.signals = _signals(ctx.table("signals"), org, s, result)
    result.skipped = skipped_notes(inp, result)
    return result


def _deadline_table(summary: pd.DataFrame) -> pd.DataFrame:
    """``termijnen_per_kwartaal`` of the city: organisation and city rows, with the status."""
    cols = ["indicator_id", "organisation", "team", "period", "on_time", "late", "late_open",
            "pending", "share_on_time", "ci_low", "ci_high", "status"]
    return summary.loc[summary["team"] == ALL, cols].reset_index(drop=True)


def _pact_tables(inp: _Inputs, alloc_all: pd.DataFrame,
                 s: PreventionSettings) -> dict[str, pd.DataFrame]:
    """``urenverdeling_pact`` of every folder that publishes one (both groups present)."""
    out = {}
    orgs = sorted(set(alloc_all["organisation"].dropna().astype(str)) - {ALL})
    for folder in [ALL, *orgs]:
        own = alloc_all if folder == ALL else alloc_all.loc[alloc_all["organisation"] == folder]
        recent = latest_quarters(own["period"], s.recent_quarters)
        pact = allocation.pact_comparison(filter_organisation(inp.tr, folder), inp.areas, recent,
                                          cluster=s.cluster, alpha=s.alpha)
        if not pact.empty and pact["group"].nunique() >= 2:
            out[folder] = pact
    return out


def _own(df: pd.DataFrame, org: str) -> pd.DataFrame:
    return df if org == ALL else df.loc[df["organisation"] == org]


def _masked_team_shares(df: pd.DataFrame, hidden: set[tuple[str, str, str]],
                        columns: list[str]) -> pd.DataFrame:
    """``df`` with ``columns`` missing on team rows whose team-quarter hours are suppressed,
    or (threshold rule) that fewer than 5 persons, or none, registered."""
    if df.empty:
        return df
    keys = df[["organisation", "team", "period"]].astype(str).itertuples(index=False, name=None)
    drop = pd.Series([k in hidden for k in keys], index=df.index)
    team = (df["team"] != ALL).to_numpy(dtype=bool)
    persons = pd.to_numeric(df["persons"], errors="coerce")
    drop |= team & (persons.isna() | (persons < default_rules().min_contributors)).to_numpy(bool)
    out = df.copy()
    out.loc[drop, columns] = float("nan")
    return out


def _allocation_part(org: str, alloc_all: pd.DataFrame, pub: protection.Published,
                     s: PreventionSettings) -> AllocationPart:
    alloc = _own(alloc_all, org)
    return AllocationPart(
        allocation=alloc,
        panels="organisation" if org == ALL else "team",
        recent=latest_quarters(alloc["period"], s.recent_quarters),
        pact=pub.pact,
        team_rows=pub.team_quarter,
        figure=_masked_team_shares(alloc, pub.hidden_team_quarters,
                                   ["hours", "share", "ci_low", "ci_high"]),
    )


def _deadline_part(org: str, summary: pd.DataFrame, status: pd.DataFrame,
                   pub: protection.Published, s: PreventionSettings) -> DeadlinePart:
    masked = (pub.deadlines_all or pub.deadlines).masked()
    shown = masked.loc[masked["organisation"].isin([org, ALL])] if not masked.empty else masked
    csv = pub.deadlines.csv()
    own = csv.loc[csv["organisation"] == org] if not csv.empty else csv
    recent = own.loc[own["period"].isin(latest_quarters(own["period"], s.recent_quarters))]
    days = deadlines.deadline_days(status)
    days = days if org == ALL else days.loc[days["organisation"] == org]
    return DeadlinePart(summary=summary, published=pub.deadlines, figure=shown,
                        recent=recent.reset_index(drop=True), days=days,
                        quantiles=deadlines.days_quantiles(days))


def _scarcity_part(ctx: ReportContext, inp: _Inputs, alloc: pd.DataFrame) -> ScarcityPart:
    # the staff table reaches back before cases and registrations start: show
    # scarcity from the first quarter (year) with registered hours on
    first_period = min(alloc["period"]) if not alloc.empty else None
    first_year = year_of(first_period) if first_period else None
    quarterly = ctx.filter_org(scarcity.scarcity_quarterly(inp.ind, inp.tr,
                                                           from_period=first_period))
    yearly = scarcity.scarcity_yearly(inp.ind, from_year=first_year)
    if ctx.organisation != ALL:  # the organisation, with the municipality as reference
        yearly = yearly.loc[yearly["organisation"].isin([ctx.organisation, ALL])]
    shown, hidden = scarcity.hide_small_outflow(yearly, default_rules())
    years = sorted(set(shown["period"].astype(str)))
    whole = comparable_years(years, ctx.as_of, inp.start) if inp.start else years
    return ScarcityPart(
        quarterly=quarterly,
        has_team_rows=not quarterly.loc[quarterly["team"] != ALL].empty,
        yearly=shown.reset_index(drop=True), hidden_outflow=hidden,
        partial_years=[y for y in years if int(y) not in set(map(int, whole))],
    )


def _floor_part(org: str, share_all: pd.DataFrame, pub: protection.Published, recent: list[str],
                s: PreventionSettings) -> FloorPart:
    table = _own(share_all, org)
    team = table.loc[table["team"] != ALL]
    below = pub.below
    csv = below.csv()
    frame = below.frame
    clearly = (frame["clearly_below"].fillna(False).astype(bool) & (below.labels["ci_high"] == "")
               if not frame.empty else pd.Series(dtype=bool))
    return FloorPart(
        shares=table,
        team_shares=_masked_team_shares(team, pub.hidden_team_quarters,
                                        ["preventive_share", "ci_low", "ci_high"]),
        below=below,
        clearly_below=int(clearly.sum()),
        recent_below=csv.loc[csv["period"].isin(recent)].reset_index(drop=True)
        if not csv.empty else csv,
        summary=shares.floor_summary(table, s.floor),
    )


def _trends(inp: _Inputs, as_of: date, org: str) -> pd.DataFrame:
    """The run's trend verdicts (one family over the whole indicator table, as every report)
    of the organisation's and the city's preventive share, caseload and deadline series."""
    from zwt_analysis.methods.family import indicator_trends

    cols = ["indicator_id", "organisation", "team", "frequency", "n", "slope_per_year",
            "ci_low", "ci_high", "p_adjusted", "verdict"]
    if inp.ind.empty or inp.start is None:
        return pd.DataFrame(columns=cols)
    fam = indicator_trends(inp.ind, as_of, inp.start)
    ids = ["preventive_share", "caseload_per_fte", *deadlines.DEADLINE_INDICATORS]
    keep = (fam["indicator_id"].isin(ids) & (fam["team"] == ALL)
            & fam["organisation"].isin([org, ALL]) & (fam["frequency"] == "quarter"))
    return fam.loc[keep, cols].reset_index(drop=True)


def _signals(table: pd.DataFrame, org: str, s: PreventionSettings,
             r: PreventionResult) -> dict[str, pd.DataFrame]:
    """Numbered signals per figure, within the quarters each figure shows."""
    quarters = {
        "caseload": sorted(r.scarcity.quarterly["period"].unique()),
        "deadlines": sorted(r.deadlines.figure["period"].unique())
        if not r.deadlines.figure.empty else [],
        "preventive": sorted(r.floor.team_shares["period"].unique()),
    }
    return {k: signals.select(table, org, s.signal_themes.get(k, ()), periods)
            for k, periods in quarters.items()}


def skipped_notes(inp: _Inputs, r: PreventionResult) -> list[str]:
    """What the report leaves out because a table or enough data is missing (Dutch)."""
    notes = []
    if inp.tr.empty:
        notes.append("Er zijn geen urenregistraties: de tijdsbesteding, het preventieve aandeel, "
                     "de ondergrens en het verband met de caseload vervallen.")
    if inp.cases.empty:
        notes.append("Er zijn geen casussen: de wettelijke termijnen en de caseload vervallen.")
    if not inp.tr.empty and not inp.cases.empty and not r.scarcity.has_team_rows:
        notes.append("Er is geen caseload per fte (het personeelsbestand ontbreekt of telt geen "
                     "fte): schaarste en de verbanden met de caseload vervallen.")
    if r.model.fe is None and (r.model.diagnostics["n_obs"] or r.model.excluded):
        notes.append("Het verband tussen caseload en preventief aandeel is niet geschat: "
                     f"{r.model.why_not(r.settings.min_teams)}.")
    return notes
