"""The workforce report in one call: :func:`build` ``(ctx, params) -> WorkforceResult``.

Every step of ``notebooks/04_workforce.py`` that decides or computes lives
here; the notebook only renders the :class:`WorkforceResult`:

1. run plan: which organisations are simulated and which are shown (the city
   report shows the city and every organisation; an organisation's report
   only that organisation, which must be in the staff data);
2. the chosen scenario with the notebook's overrides (``changed``: every
   override that is not None; such a scenario is labelled "(aangepast)");
3. history: calibration (:mod:`.history`), the calibration table with the
   publication rules (:func:`.tables.calibration_table`; organisations whose
   outflow is suppressed there are ``hidden`` everywhere else) and the
   eight-year check;
4. scenarios: the chosen scenario, the comparison of all scenarios (plus the
   changed one), and the sensitivity of the first shown organisation (an
   overridden assumption stays fixed);
5. funding (:mod:`.funding`) and the flexible reservation;
6. model checks (:mod:`.model_checks`): parameter recovery and the back-test.

Report policy (sector outflow with its source, warning threshold, back-test
run cap, recovery fallbacks) is read from ``resources/workforce.yaml``
(:func:`load_policy`); the scenario assumptions from ``resources/scenarios.yaml``.
Every Monte Carlo step seeds its own generator from ``params.seed``, so the
numbers do not depend on the order of the steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwt_analysis import config
from zwt_analysis.contract import ALL
from zwt_analysis.reports.workforce import calibrate, funding, model_checks, simulate, tables
from zwt_analysis.reports.workforce.history import History, calibrate_history

if TYPE_CHECKING:
    import pandas as pd

    from zwt_analysis.reports.context import ReportContext

__all__ = ["WorkforceParams", "WorkforcePolicy", "WorkforceResult", "build", "load_policy"]

POLICY_FILE = "workforce.yaml"
#: Processed tables the report reads.
TABLES = ("staff", "formation", "time_registrations", "budgets")


# ----------------------------------------------------------------- inputs

@dataclass(frozen=True)
class WorkforcePolicy:
    """Report settings from ``resources/workforce.yaml`` (see the comments there)."""

    sector_outflow_rate: float
    sector_source: str
    few_leavers_warning: int
    backtest_max_runs: int
    recovery_min_positions: int
    recovery_fallback_outflow_rate: float
    recovery_fallback_months_to_fill: float


def load_policy(path: str | Path | None = None) -> WorkforcePolicy:
    """Read the workforce policy (default: the packaged ``resources/workforce.yaml``).

    Raises:
        KeyError: a setting is missing.
    """
    cfg = config.load_yaml(path or config.resource(POLICY_FILE))
    rec = cfg["recovery"]
    return WorkforcePolicy(
        sector_outflow_rate=float(cfg["sector_outflow"]["rate"]),
        sector_source=str(cfg["sector_outflow"]["source"]),
        few_leavers_warning=int(cfg["few_leavers_warning"]),
        backtest_max_runs=int(cfg["backtest_max_runs"]),
        recovery_min_positions=int(rec["min_positions"]),
        recovery_fallback_outflow_rate=float(rec["fallback_outflow_rate"]),
        recovery_fallback_months_to_fill=float(rec["fallback_months_to_fill"]),
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
    backtest_until: int = 2024
    reservation_quantile: float = 0.8
    overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> WorkforceParams:
        """From the notebook's parameter dict; absent keys take the defaults,
        keys of other steps (``processed_dir`` ...) are ignored."""
        names = {f.name for f in fields(cls)} - {"overrides"}
        known = {k: params[k] for k in names if k in params}
        overrides = {k: params.get(k) for k in simulate.ASSUMPTION_KEYS}
        return cls(**known, overrides=overrides)

    @property
    def changed(self) -> dict[str, Any]:
        """The overrides that are given (not None)."""
        return {k: v for k, v in self.overrides.items() if v is not None}


# ----------------------------------------------------------------- result

@dataclass
class WorkforceResult:
    """Everything the workforce report shows.

    Attributes:
        organisation: the report's organisation (``"ALL"`` = the city).
        organisations: every organisation in the staff data (sorted).
        run_organisations: the organisations simulated.
        shown: rows and panels shown: the city and every organisation, or the
            one organisation; ``shown[0]`` is the one the text answers for.
        policy: report settings (sector figure, caps, thresholds).
        scenario, label, description: the chosen scenario, its Dutch label
            (with " (aangepast)" when an assumption was overridden) and description.
        settings: the chosen scenario's settings with overrides, runs and seed.
        changed: the overridden assumptions.
        history: calibration from the processed tables.
        rates: ``history.rates`` indexed by organisation.
        first_year: first year with an observed leaver (None: nobody left).
        calibration_display, calibration_csv: the calibration table for
            readers and its suppressed CSV (numbers not yet rounded).
        hidden: organisations whose outflow is suppressed (no figure anywhere).
        eight_year: :func:`.calibrate.eight_year_check` rows of ``shown``.
        main: the chosen scenario's simulation per run organisation (+ city).
        summary: every scenario's summary (column ``label``: Dutch name).
        sensitivity, sensitivity_runs: the tornado table and its runs per setting.
        funding_by_year, additional: funding frames (empty without budget lines).
        reservation: flexible reservation of ``shown`` (None without budget lines).
        recovery: parameter recovery of ``run_organisations``.
        backtest, backtest_until: back-test result and its last calibration year.
    """

    organisation: str
    organisations: list[str]
    run_organisations: list[str]
    shown: list[str]
    policy: WorkforcePolicy
    scenario: str
    label: str
    description: str
    settings: dict[str, Any]
    changed: dict[str, Any]
    history: History
    rates: pd.DataFrame
    first_year: int | None
    calibration_display: pd.DataFrame
    calibration_csv: pd.DataFrame
    hidden: set[str]
    eight_year: pd.DataFrame
    main: dict[str, simulate.SimResult]
    summary: pd.DataFrame
    sensitivity: pd.DataFrame
    sensitivity_runs: int
    funding_by_year: pd.DataFrame
    additional: pd.DataFrame
    reservation: pd.DataFrame | None
    recovery: pd.DataFrame
    backtest: model_checks.BacktestResult
    backtest_until: int

    @property
    def is_city(self) -> bool:
        """True for the city report (all organisations)."""
        return self.organisation == ALL


# ----------------------------------------------------------------- steps

def run_plan(organisation: str, organisations: list[str]) -> tuple[list[str], list[str]]:
    """(organisations to simulate, organisations to show) for a report.

    Raises:
        ValueError: ``organisation`` is neither ``"ALL"`` nor in ``organisations``.
    """
    if organisation != ALL and organisation not in organisations:
        raise ValueError(f"organisation {organisation!r} not in the staff data: {organisations}")
    if organisation == ALL:
        return list(organisations), [ALL, *organisations]
    return [organisation], [organisation]


def _scenario_label(cfg: dict[str, Any], name: str) -> str:
    return cfg["scenarios"][name]["label"] if name in cfg["scenarios"] else name


def _scenarios(p: WorkforceParams, calib: simulate.Calibration, run_orgs: list[str],
               settings: dict[str, Any], label: str, cfg: dict[str, Any]) -> pd.DataFrame:
    """Summary of every scenario in the file (and the changed one, by its label)."""
    extra = {label: settings} if p.changed else None
    summary, _ = simulate.compare_scenarios(list(cfg["scenarios"]), calib, p.runs, p.seed,
                                            extra=extra, organisations=run_orgs)
    summary["label"] = summary["scenario"].map(lambda s: _scenario_label(cfg, s))
    return summary


def _funding(data: dict[str, pd.DataFrame], ctx: ReportContext, shown: list[str],
             p: WorkforceParams) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """(money per year, additional assignments per year, reservation of ``shown`` or None)."""
    by_year = funding.funding_by_year(data["budgets"], ctx.as_of)
    lines = funding.assignment_lines(data["budgets"], data["time_registrations"], ctx.as_of)
    add = funding.additional_by_year(lines, data["time_registrations"], ctx.as_of)
    reservation = None
    if not by_year.empty:
        res = funding.flexible_reservation(by_year, quantile=p.reservation_quantile,
                                           seed=p.seed)
        reservation = res[res["organisation"].isin(shown)]
    return by_year, add, reservation


def _checks(data: dict[str, pd.DataFrame], ctx: ReportContext, hist: History,
            settings: dict[str, Any], run_orgs: list[str], p: WorkforceParams,
            policy: WorkforcePolicy) -> tuple[pd.DataFrame, model_checks.BacktestResult]:
    """Parameter recovery of ``run_orgs`` and the back-test (runs capped by the policy)."""
    rec = model_checks.recovery_for(
        hist, seed=p.seed, min_positions=policy.recovery_min_positions,
        fallback_outflow_rate=policy.recovery_fallback_outflow_rate,
        fallback_months_to_fill=policy.recovery_fallback_months_to_fill)
    rec = rec[rec["organisation"].isin(run_orgs)]
    bt = model_checks.backtest(data, ctx.as_of, settings, calib_last_year=p.backtest_until,
                               runs=min(p.runs, policy.backtest_max_runs))
    return rec, bt


# ----------------------------------------------------------------- entry point

def build(ctx: ReportContext, params: Mapping[str, Any] | WorkforceParams,
          policy: WorkforcePolicy | None = None) -> WorkforceResult:
    """Compute everything the workforce report shows (see the module docstring).

    Args:
        ctx: the report context (processed tables, as-of, organisation).
        params: the notebook's parameters (a dict, as passed to ``context.start``).
        policy: report settings; default :func:`load_policy`.

    Raises:
        ValueError: unknown organisation or scenario, or a bad override.
    """
    p = params if isinstance(params, WorkforceParams) else WorkforceParams.from_mapping(params)
    policy = policy or load_policy()
    data = {n: ctx.table(n) for n in TABLES}
    hist = calibrate_history(data, ctx.as_of)
    all_orgs = sorted(hist.calibration.starts)
    run_orgs, shown = run_plan(ctx.organisation, all_orgs)
    settings = simulate.scenario_settings(p.scenario, {**p.changed, "runs": p.runs,
                                                       "seed": p.seed})
    cfg = simulate.load_scenarios()
    label = cfg["scenarios"][p.scenario]["label"] + (" (aangepast)" if p.changed else "")
    rates = hist.rates.set_index("organisation")
    cal = tables.calibration_table(rates, hist.fill.set_index("organisation"),
                                   hist.tenure.set_index("organisation"), shown)
    check = calibrate.eight_year_check(hist.rates)
    ranges = {k: v for k, v in cfg["sensitivity"].items() if k not in p.changed}
    by_year, add, reservation = _funding(data, ctx, shown, p)
    rec, bt = _checks(data, ctx, hist, settings, run_orgs, p, policy)
    return WorkforceResult(
        organisation=ctx.organisation, organisations=all_orgs, run_organisations=run_orgs,
        shown=shown, policy=policy, scenario=p.scenario, label=label,
        description=cfg["scenarios"][p.scenario]["description"], settings=settings,
        changed=p.changed, history=hist, rates=rates,
        first_year=calibrate.first_observed_year(data["staff"]),
        calibration_display=cal["display"], calibration_csv=cal["csv"],
        hidden=tables.hidden_outflow(cal["csv"]),
        eight_year=check[check["organisation"].isin(shown)],
        main=simulate.run_scenario(settings, hist.calibration, run_orgs),
        summary=_scenarios(p, hist.calibration, run_orgs, settings, label, cfg),
        sensitivity=simulate.sensitivity(settings, hist.calibration, ranges,
                                         runs=p.sensitivity_runs, organisation=shown[0]),
        sensitivity_runs=p.sensitivity_runs, funding_by_year=by_year, additional=add,
        reservation=reservation, recovery=rec, backtest=bt, backtest_until=p.backtest_until,
    )
