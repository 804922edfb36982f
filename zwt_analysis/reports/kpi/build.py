"""The KPI report in one call: :func:`build` computes everything ``notebooks/02_kpi.py`` shows.

The notebook starts a :class:`~zwt_analysis.reports.context.ReportContext`,
calls :func:`build` once and then only renders the :class:`KpiResult` with
:mod:`.text`, :mod:`.tables` and :mod:`.plots`. Every part runs on whatever
tables were delivered: a missing table empties its part and is named in
``KpiResult.missing`` (the notebook says in Dutch what it skipped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.methods.windows import PARTIAL, data_start, mark_periods, period_bounds
from zwt_analysis.reports.context import ReportContext
from zwt_analysis.reports.kpi import tables
from zwt_analysis.reports.kpi.accountability import accountability, assignment_strategies
from zwt_analysis.reports.kpi.audit import (
    audit_kpis,
    block_coverage,
    coverage_gaps,
    organisation_columns,
)
from zwt_analysis.reports.kpi.checks import reported_vs_computed
from zwt_analysis.reports.kpi.rules import known_indicator_ids, load_rules
from zwt_analysis.reports.kpi.series import (
    complete_periods,
    indicator_meta,
    indicator_series,
    kept_with_values,
    kpi_series,
    protected_indicators,
    report_indicator_ids,
)
from zwt_analysis.reports.kpi.signals import signal_overview, signal_panels, signals_for
from zwt_analysis.reports.kpi.trends import (
    indicator_family,
    kpi_family,
    kpi_period_status,
    report_trends,
)

#: Default of the notebook parameter ``max_panels``.
DEFAULT_MAX_PANELS = 12
#: Tables whose absence the report names (the rest of the contract is not used here).
USED_TABLES = ("kpi_register", "kpi_values", "signals", "budgets", "cases",
               "time_registrations", "staff", "areas")


@dataclass
class KpiResult:
    """Everything the KPI report shows.

    Attributes:
        organisation: ``"ALL"`` (whole city) or the organisation of the report.
        city_label: the municipality's name for the city's series (``ctx.municipality``).
        as_of: reference date of the data.
        first_year: figures and signals from 1 January of this year (None: all).
        rules: the parsed rules file used (``kpi_rules.yaml`` or ``rules_file``).
        audit: one row per KPI of the whole register (:func:`.audit.audit_kpis`)
            with the Dutch ``reason``; for an organisation report also
            ``completeness_org`` and ``share_met_org``.
        strategies: Ebrahim strategy per assignment.
        accountability: fit of each KPI's level to its assignment.
        gaps: coverage per theme; blocks: kept KPIs per building block and result level.
        verification: reported versus computed values.
        signals: signals of the report's organisations from ``first_year`` on, numbered.
        signal_panels: the panels each signal is drawn on (:func:`.signals.signal_panels`).
        signal_overview: signals per theme (:func:`.signals.signal_overview`).
        kpi_series: delivered values of the kept KPIs shown (complete periods, with status).
        indicator_series: zwt indicators shown, cells hidden by disclosure control
            missing, with the status of each period (complete periods only).
        trends: the verdicts this report shows (:func:`.trends.report_trends`),
            looked up in the run's families.
        organisations: every organisation in the data (a fixed colour per organisation).
        missing: the used tables that were not delivered (empty).
        absent_indicators: configured indicators not in the indicator table.
        timeline_start, timeline_end: time axis of the signals (None without signals).
    """

    organisation: str
    city_label: str
    as_of: date
    first_year: int | None
    rules: dict[str, Any]
    audit: pd.DataFrame
    strategies: pd.DataFrame
    accountability: pd.DataFrame
    gaps: pd.DataFrame
    blocks: pd.DataFrame
    verification: pd.DataFrame
    signals: pd.DataFrame
    signal_panels: pd.DataFrame
    signal_overview: pd.DataFrame
    kpi_series: pd.DataFrame
    indicator_series: pd.DataFrame
    trends: pd.DataFrame
    organisations: set[str]
    missing: list[str] = field(default_factory=list)
    absent_indicators: list[str] = field(default_factory=list)
    timeline_start: pd.Timestamp | None = None
    timeline_end: pd.Timestamp | None = None

    @property
    def audit_csv(self) -> pd.DataFrame:
        """The side table ``kpi_audit.csv`` (:func:`.tables.audit_csv`, with the gap rows)."""
        return tables.audit_csv(self.audit, self.accountability, self.gaps)

    @property
    def has_register(self) -> bool:
        """True when a KPI register or KPI values were delivered (the audit has rows)."""
        return len(self.audit) > 0


def _audit(ctx: ReportContext, rules: Mapping[str, Any], indicators: pd.DataFrame
           ) -> pd.DataFrame:
    """The register audit with reasons (plus the organisation's own columns when set)."""
    values_all = ctx.table("kpi_values")
    known = known_indicator_ids() | set(indicators["indicator_id"].dropna().unique())
    audit = tables.with_reasons(audit_kpis(ctx.table("kpi_register"), values_all, known, rules),
                                rules)
    if ctx.organisation != ALL:
        audit = organisation_columns(audit, ctx.filter_org(values_all))
    return audit


def _first_year(ctx: ReportContext, params: Mapping[str, Any]) -> int | None:
    """``first_year`` of the parameters; 0 or empty means the first year with data."""
    year = int(params.get("first_year") or 0)
    return year or ctx.municipality.first_year


def _data_start(ctx: ReportContext, indicators: pd.DataFrame) -> date | None:
    """First day covered by the registrations (cases, hours), else by the indicator table."""
    start = data_start([ctx.table("cases")["date_report"], ctx.table("time_registrations")["date"]])
    if start is None and len(indicators):
        firsts = []
        for p in indicators["period"].astype(str).unique():
            try:
                firsts.append(period_bounds(p)[0])
            except ValueError:
                continue
        start = min(firsts) if firsts else None
    return start


def city_label(ctx: ReportContext) -> str:
    """The city's name in legends and tables: ``ctx.municipality.display_name``, capitalised."""
    name = ctx.municipality.display_name
    return name[:1].upper() + name[1:]


def _indicator_series(ctx: ReportContext, rules: Mapping[str, Any], ids: list[str],
                      indicators: pd.DataFrame, start_day: date | None,
                      start: pd.Timestamp | None) -> pd.DataFrame:
    """Indicator series of the report: protected, with period status, complete periods."""
    shown = protected_indicators(indicators, ids)
    if start_day is not None and len(shown):
        shown = mark_periods(shown, ctx.as_of, start_day)
        shown = shown[shown["status"] != PARTIAL]
    s = indicator_series(shown, ids, ctx.organisation, rules["trend"]["wilson_indicators"],
                         0.05, ctx.table("kpi_register"))
    return complete_periods(s, ctx.as_of, start)


def _labels(register: pd.DataFrame, values: pd.DataFrame, kpi_ids: list[str],
            ind_ids: list[str]) -> tuple[dict[str, str], dict[str, str], dict[str, float]]:
    """Reader label, unit and slope scale (100 for shares stored as fractions) per series."""
    reg = register.drop_duplicates("kpi_id").set_index("kpi_id")
    labels, units, scales = {}, {}, {}
    for k in kpi_ids:
        name = reg["name"].get(k) if "name" in reg else None
        labels[k] = f"{k} {name}" if isinstance(name, str) and name.strip() else k
        unit = reg["unit"].get(k) if "unit" in reg else None
        units[k] = str(unit) if isinstance(unit, str) else ""
        vals = values.loc[values["kpi_id"] == k, "value"].dropna().abs()
        scales[k] = 100.0 if units[k] == "share" and len(vals) and vals.max() <= 1 else 1.0
    for i, (title, unit) in indicator_meta(ind_ids).items():
        labels[i], units[i], scales[i] = title, unit, 100.0 if unit == "share" else 1.0
    return labels, units, scales


def build(ctx: ReportContext, params: Mapping[str, Any]) -> KpiResult:
    """Compute the KPI report for ``ctx`` (city or one organisation).

    Args:
        ctx: the report context (processed tables, indicators, as-of, organisation).
        params: the notebook parameters; used here: ``rules_file`` ("" -> the
            packaged ``kpi_rules.yaml``), ``max_panels`` (most kept KPIs in the
            trend figure) and ``first_year`` (figures and signals from 1 January of
            this year; 0 = the first year with data, ``ctx.municipality.first_year``).

    Returns:
        The :class:`KpiResult`. The audit and its proposal always cover the
        whole register (one contract for the city); the trend verdicts come from
        families over all organisations and the city (the same in every report);
        the series, signals and the check of reported values are those of
        ``ctx.organisation``.
    """
    rules = load_rules(params.get("rules_file") or None)
    first_year = _first_year(ctx, params)
    start = pd.Timestamp(year=first_year, month=1, day=1) if first_year else None
    indicators = ctx.indicators()
    register, values_all = ctx.table("kpi_register"), ctx.table("kpi_values")
    values = ctx.filter_org(values_all)
    audit = _audit(ctx, rules, indicators)
    strategies = assignment_strategies(register, ctx.table("budgets"), rules)
    themes = rules.get("signals", {}).get("themes", {})
    signals = ctx.filter_org(ctx.table("signals"))
    sig = signals_for(signals, signals["organisation"].dropna().unique(), start=start)
    start_day = _data_start(ctx, indicators)
    kpi_ids = kept_with_values(audit, values, int(params.get("max_panels", DEFAULT_MAX_PANELS)))
    ind_ids = report_indicator_ids(audit, rules, indicators["indicator_id"].dropna().unique())
    all_kept = kept_with_values(audit, values_all, len(audit))
    labels, units, scales = _labels(register, values_all, all_kept, ind_ids)
    trends = report_trends(indicator_family(indicators, ctx.as_of, start_day),
                           kpi_family(values_all, register, all_kept, ctx.as_of),
                           ctx.organisation, kpi_ids, ind_ids, labels, units, scales)
    kpi_s = kpi_series(values, register, kpi_ids)
    if len(kpi_s):
        kpi_s = kpi_period_status(kpi_s.rename(columns={"series": "kpi_id"}), register,
                                  ctx.as_of).rename(columns={"kpi_id": "series"})
        kpi_s = kpi_s[kpi_s["status"] != PARTIAL]
    return KpiResult(
        organisation=ctx.organisation,
        city_label=city_label(ctx),
        as_of=ctx.as_of,
        first_year=first_year,
        rules=rules,
        audit=audit,
        strategies=strategies,
        accountability=accountability(audit, strategies, rules),
        gaps=coverage_gaps(audit, rules, available=set(indicators["indicator_id"].dropna())),
        blocks=block_coverage(audit, rules),
        verification=reported_vs_computed(register, values, indicators, **rules["verification"]),
        signals=sig,
        signal_panels=signal_panels(sig, register, themes),
        signal_overview=signal_overview(sig, register, themes),
        kpi_series=complete_periods(kpi_s, ctx.as_of, start),
        indicator_series=_indicator_series(ctx, rules, ind_ids, indicators, start_day, start),
        trends=trends,
        organisations=(set(values_all["organisation"].dropna())
                       | set(indicators["organisation"].dropna())
                       | set(ctx.table("signals")["organisation"].dropna())),
        missing=[t for t in USED_TABLES if ctx.table(t).empty],
        absent_indicators=[i for i in rules["trend"].get("report_indicators", [])
                           if i not in set(indicators["indicator_id"].dropna())],
        timeline_start=(min(sig["date"].min(), start) if start is not None
                        else sig["date"].min()) if len(sig) else None,
        timeline_end=max(sig["date"].max(), pd.Timestamp(ctx.as_of)) if len(sig) else None,
    )
