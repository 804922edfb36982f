"""The workforce report in one call: :func:`build` ``(ctx, params) -> WorkforceResult``.

Every step of ``notebooks/04_workforce.py`` that decides or computes lives
here; the notebook only renders the :class:`WorkforceResult`:

1. run plan: which organisations are simulated and which are shown (the city
   report shows the city and every organisation; an organisation's report
   only that organisation); the horizon from ``ctx.municipality``;
2. the chosen scenario with the notebook's overrides (``changed``; such a
   scenario is labelled "(aangepast)");
3. history (:mod:`.history`): outflow, hazard model, vacancies, tenure, wage
   gap; the person-count tables protected for the city and all
   organisations at once (:mod:`.published`); organisations whose outflow is
   suppressed are ``hidden`` everywhere else; the past cohort's retention;
4. scenarios: the chosen scenario, the comparison of all scenarios (plus the
   changed one), and the sensitivity of the first shown organisation;
5. funding (:mod:`.funding`) and the flexible reservation (a prediction bound);
6. model checks (:mod:`.model_checks`): recovery from another process and
   the rolling back-test of the leavers per year.

A delivery without staff, or without budget lines, skips the sections that
need them; ``skipped`` says which and why (Dutch). Report policy is read from
``resources/workforce.yaml`` (:func:`load_policy`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwt_analysis import config, costindex
from zwt_analysis.contract import ALL
from zwt_analysis.reports.workforce import funding, model_checks, published, question, runs
from zwt_analysis.reports.workforce import scenarios as sc
from zwt_analysis.reports.workforce.history import History, OutflowSettings, calibrate_history

if TYPE_CHECKING:
    import pandas as pd

    from zwt_analysis.disclosure import ProtectedTable
    from zwt_analysis.reports.context import ReportContext
    from zwt_analysis.reports.workforce.simulate import SimResult

__all__ = ["WorkforceParams", "WorkforcePolicy", "WorkforceResult", "build", "load_policy"]

POLICY_FILE = "workforce.yaml"
#: Processed tables the report reads (``cost_index`` and ``signals`` are optional).
TABLES = ("staff", "formation", "time_registrations", "budgets", "cost_index", "signals")
#: At most this many signals on the outflow figure and in its list (the latest).
MAX_SIGNALS = 12


@dataclass(frozen=True)
class WorkforcePolicy:
    """Report settings from ``resources/workforce.yaml`` (see the comments there)."""

    sector_outflow_rate: float
    sector_source: str
    few_leavers_warning: int
    backtest_max_runs: int
    backtest_min_train_years: int
    recovery_min_positions: int
    recovery_fallback_outflow_rate: float
    recovery_fallback_months_to_fill: float
    outflow: OutflowSettings
    wage_gap_source: str
    signal_themes: tuple[str, ...]


def load_policy(path: str | Path | None = None) -> WorkforcePolicy:
    """Read the workforce policy (default: the packaged ``resources/workforce.yaml``).

    Raises:
        KeyError: a setting is missing.
    """
    from zwt_analysis.methods._config import section

    cfg = config.load_yaml(path or config.resource(POLICY_FILE))
    rec, om = cfg["recovery"], cfg["outflow_model"]
    out = OutflowSettings(tuple(float(x) for x in om["tenure_band_edges_years"]),
                          int(om["min_band_exits"]), int(om["min_years_for_drift"]),
                          float(section("trend")["alpha"]), float(om["hazard_cap"]),
                          float(cfg["wage_gap"]["assumed"]))
    return WorkforcePolicy(
        sector_outflow_rate=float(cfg["sector_outflow"]["rate"]),
        sector_source=str(cfg["sector_outflow"]["source"]),
        few_leavers_warning=int(cfg["few_leavers_warning"]),
        backtest_max_runs=int(cfg["backtest_max_runs"]),
        backtest_min_train_years=int(cfg["backtest_min_train_years"]),
        recovery_min_positions=int(rec["min_positions"]),
        recovery_fallback_outflow_rate=float(rec["fallback_outflow_rate"]),
        recovery_fallback_months_to_fill=float(rec["fallback_months_to_fill"]),
        outflow=out, wage_gap_source=str(cfg["wage_gap"]["source"]),
        signal_themes=tuple(cfg.get("signal_themes", ())),
    )


@dataclass(frozen=True)
class WorkforceParams:
    """The notebook's parameters that :func:`build` uses (defaults = the notebook's).

    ``overrides`` holds the assumption parameters (``outflow_rate`` ...
    ``overhead_share``); None means "the scenario's value".
    """

    scenario: str = "baseline"
    runs: int = 500
    seed: int = 2026
    sensitivity_runs: int = 100
    overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> WorkforceParams:
        """From the notebook's parameter dict; absent keys take the defaults,
        keys of other steps (``processed_dir`` ...) are ignored."""
        names = {f.name for f in fields(cls)} - {"overrides"}
        known = {k: params[k] for k in names if k in params}
        overrides = {k: params.get(k) for k in sc.ASSUMPTION_KEYS}
        return cls(**known, overrides=overrides)

    @property
    def changed(self) -> dict[str, Any]:
        """The overrides that are given (not None)."""
        return {k: v for k, v in self.overrides.items() if v is not None}


@dataclass
class WorkforceResult:
    """Everything the workforce report shows (``None`` / empty where a section is skipped).

    Attributes:
        organisation: the report's organisation (``"ALL"`` = the city).
        organisations: every organisation in the staff data (sorted).
        run_organisations / shown: organisations simulated / rows and panels
            shown (``shown[0]`` is the one the text answers for).
        horizon: (first year, last year) of the assignment; ``place``: the
            municipality's name for readers.
        skipped: section -> Dutch reason it is skipped.
        tables: the protected tables of this report's folder (:mod:`.published`).
        hidden: organisations whose outflow is suppressed (no figure anywhere).
        retention: the past cohort (raw; print it from ``tables``).
        readings: :func:`.question.two_readings` of ``shown[0]``.
        main: the chosen scenario's simulation per run organisation (+ city).
        summary, sensitivity: scenario comparison and tornado table.
        funding_by_year, additional, reservation: funding frames.
        recovery, backtest: model checks.
    """

    organisation: str
    organisations: list[str]
    run_organisations: list[str]
    shown: list[str]
    policy: WorkforcePolicy
    horizon: tuple[int, int]
    place: str
    skipped: dict[str, str]
    scenario: str
    label: str
    description: str
    settings: dict[str, Any]
    changed: dict[str, Any]
    history: History | None = None
    tables: dict[str, ProtectedTable] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    retention: pd.DataFrame | None = None
    readings: dict[str, float] = field(default_factory=dict)
    main: dict[str, SimResult] = field(default_factory=dict)
    summary: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    sensitivity_runs: int = 0
    funding_by_year: pd.DataFrame | None = None
    additional: pd.DataFrame | None = None
    reservation: pd.DataFrame | None = None
    recovery: pd.DataFrame | None = None
    backtest: model_checks.BacktestResult | None = None
    signals: pd.DataFrame | None = None

    @property
    def is_city(self) -> bool:
        """True for the city report (all organisations)."""
        return self.organisation == ALL

    @property
    def has_staff(self) -> bool:
        """True when the staff sections are computed."""
        return self.history is not None


def run_plan(organisation: str, organisations: list[str]) -> tuple[list[str], list[str]]:
    """(organisations to simulate, organisations to show) for a report; an organisation
    without staff data is simulated nowhere (its sections are skipped)."""
    if organisation == ALL:
        return list(organisations), [ALL, *organisations]
    return ([organisation] if organisation in organisations else []), [organisation]


def _published(hist: History, retention: pd.DataFrame, orgs: list[str], folder: str
               ) -> dict[str, ProtectedTable]:
    frames = {
        published.CALIBRATION: published.calibration_frame(hist.rates, hist.fill, hist.tenure,
                                                           [ALL, *orgs]),
        published.YEARLY: published.yearly_frame(hist.yearly),
        published.RETENTION: published.retention_frame(retention),
    }
    return published.protect_tables(frames, orgs, folder)


def _hidden(tables: dict[str, ProtectedTable]) -> set[str]:
    """Organisations whose pooled outflow is suppressed in the calibration table."""
    t = tables.get(published.CALIBRATION)
    if t is None:
        return set()
    return set(t.frame.loc[t.hidden["uitstroom"], "organisatie"].astype(str))


def _staff_steps(res: WorkforceResult, data: dict[str, pd.DataFrame], ctx: ReportContext,
                 p: WorkforceParams, cfg: dict[str, Any]) -> None:
    """History, protected tables, scenarios, sensitivity and checks (fills ``res``)."""
    policy = res.policy
    hist = calibrate_history(data, ctx.as_of, policy.outflow)
    res.history = hist
    first = hist.first_year if hist.first_year is not None else ctx.as_of.year
    res.retention = question.cohort_retention(hist.episodes, hist.model, ctx.as_of, first,
                                              hist.rates)
    folder = res.organisation if res.organisation in res.organisations else ALL
    res.tables = _published(hist, res.retention, res.organisations, folder)
    res.hidden = _hidden(res.tables)
    if not res.run_organisations:
        return
    res.main = runs.run_scenario(res.settings, hist.calibration, res.run_organisations)
    extra = {res.label: res.settings} if p.changed else None
    summary, _ = runs.compare_scenarios(list(cfg["scenarios"]), hist.calibration, p.runs,
                                        p.seed, res.horizon, extra, res.run_organisations)
    labels = {k: v["label"] for k, v in cfg["scenarios"].items()}
    summary["label"] = summary["scenario"].map(lambda s: labels.get(s, s))
    res.summary = summary
    ranges = {k: v for k, v in cfg["sensitivity"].items() if k not in p.changed}
    res.sensitivity = runs.sensitivity(res.settings, hist.calibration, ranges,
                                       runs=p.sensitivity_runs, organisation=res.shown[0])
    res.sensitivity_runs = p.sensitivity_runs
    res.readings = question.two_readings(hist.rates, hist.yearly, res.main, res.shown[0],
                                         float(res.horizon[1] - res.horizon[0] + 1))
    rec = model_checks.recovery_for(
        hist, seed=p.seed, min_positions=policy.recovery_min_positions,
        fallback_outflow_rate=policy.recovery_fallback_outflow_rate,
        fallback_months_to_fill=policy.recovery_fallback_months_to_fill)
    res.recovery = rec[rec["organisation"].isin([ALL, *res.run_organisations])]
    res.backtest = model_checks.backtest(data, ctx.as_of, res.settings,
                                         min(p.runs, policy.backtest_max_runs),
                                         policy.backtest_min_train_years, policy.outflow)


def _funding_steps(res: WorkforceResult, data: dict[str, pd.DataFrame], ctx: ReportContext
                   ) -> None:
    """Money per year, additional assignments and the reservation (fills ``res``)."""
    by_year = funding.funding_by_year(data["budgets"], ctx.as_of)
    if by_year.empty:
        res.skipped["funding"] = ("er zijn geen budgetregels aangeleverd (tabel budgets "
                                  "ontbreekt of is leeg)")
        return
    lines = funding.assignment_lines(data["budgets"], data["time_registrations"], ctx.as_of)
    res.funding_by_year = by_year
    res.additional = funding.additional_by_year(lines, data["time_registrations"], ctx.as_of)
    ci = data.get("cost_index")
    gaps = {o: costindex.yearly_gap(ci, o) for o in by_year["organisation"].unique()} \
        if ci is not None and len(ci) else {}
    reservation = funding.flexible_reservation(by_year, gaps)
    res.reservation = reservation[reservation["organisation"].isin(res.shown)]


def build(ctx: ReportContext, params: Mapping[str, Any] | WorkforceParams,
          policy: WorkforcePolicy | None = None) -> WorkforceResult:
    """Compute everything the workforce report shows (see the module docstring).

    Raises:
        ValueError: unknown scenario, or a bad override.
    """
    p = params if isinstance(params, WorkforceParams) else WorkforceParams.from_mapping(params)
    policy = policy or load_policy()
    data = {n: ctx.table(n) for n in TABLES}
    mun = ctx.municipality
    horizon = (mun.horizon_start, mun.horizon_end)
    orgs = sorted(str(o) for o in data["staff"]["organisation"].dropna().unique())
    run_orgs, shown = run_plan(ctx.organisation, orgs)
    cfg = sc.load_scenarios()
    settings = sc.with_horizon(sc.scenario_settings(p.scenario, {**p.changed, "runs": p.runs,
                                                                 "seed": p.seed}), *horizon)
    label = cfg["scenarios"][p.scenario]["label"] + (" (aangepast)" if p.changed else "")
    res = WorkforceResult(ctx.organisation, orgs, run_orgs, shown, policy, horizon,
                          mun.display_name, {}, p.scenario, label,
                          cfg["scenarios"][p.scenario]["description"], settings, p.changed)
    if not orgs:
        res.skipped["staff"] = ("er zijn geen personeelsgegevens aangeleverd (tabel staff "
                                "ontbreekt of is leeg)")
    else:
        if not run_orgs:
            res.skipped["staff"] = (f"voor {ctx.organisation} staan geen medewerkers in de "
                                    "personeelsgegevens")
        _staff_steps(res, data, ctx, p, cfg)
    _funding_steps(res, data, ctx)
    sig = data.get("signals")
    if sig is not None and len(sig) and policy.signal_themes:
        s = sig[sig["theme"].isin(list(policy.signal_themes))]
        s = s if res.is_city else s[s["organisation"] == ctx.organisation]
        res.signals = s.sort_values("date").tail(MAX_SIGNALS).reset_index(drop=True)
    return res
