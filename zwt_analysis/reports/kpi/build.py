"""The KPI report in one call: :func:`build` computes everything ``notebooks/02_kpi.py`` shows.

The notebook starts a :class:`~zwt_analysis.reports.context.ReportContext`,
calls :func:`build` once and then only renders the :class:`KpiResult` with
:mod:`.tables` and :mod:`.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from zwt_analysis.contract import ALL
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
    indicator_series,
    kept_with_values,
    kpi_series,
    report_indicator_ids,
)
from zwt_analysis.reports.kpi.signals import signal_panels, signals_for
from zwt_analysis.reports.kpi.trends import trend_tests

#: Defaults of the notebook parameters that steer :func:`build`.
DEFAULT_MAX_PANELS = 12
DEFAULT_FIRST_YEAR = 2019


@dataclass
class KpiResult:
    """Everything the KPI report shows.

    Attributes:
        organisation: ``"ALL"`` (whole city) or the organisation of the report.
        rules: the parsed rules file used (``kpi_rules.yaml`` or ``rules_file``).
        audit: one row per KPI of the whole register (:func:`.audit.audit_kpis`)
            with the Dutch ``reason``; for an organisation report also
            ``completeness_org`` and ``share_met_org``.
        strategies: Ebrahim strategy per assignment (:func:`.accountability.assignment_strategies`).
        accountability: fit of each KPI's level to its assignment.
        gaps: coverage per theme (:func:`.audit.coverage_gaps`).
        blocks: kept KPIs per building block and result level (:func:`.audit.block_coverage`).
        verification: reported versus computed values (:func:`.checks.reported_vs_computed`).
        signals: signals of the report's organisations from ``first_year`` on, numbered.
        signal_panels: the panels each signal is drawn on.
        kpi_series: delivered values of the kept KPIs (complete periods only).
        indicator_series: zwt indicators shown in the trend section (complete periods only).
        trends: a trend test per series and organisation (both series tables).
        organisations: every organisation in the data (for a fixed colour per organisation).
        timeline_start, timeline_end: time axis of the signal timeline (None without signals).
    """

    organisation: str
    rules: dict[str, Any]
    audit: pd.DataFrame
    strategies: pd.DataFrame
    accountability: pd.DataFrame
    gaps: pd.DataFrame
    blocks: pd.DataFrame
    verification: pd.DataFrame
    signals: pd.DataFrame
    signal_panels: pd.DataFrame
    kpi_series: pd.DataFrame
    indicator_series: pd.DataFrame
    trends: pd.DataFrame
    organisations: set[str]
    timeline_start: pd.Timestamp | None
    timeline_end: pd.Timestamp | None

    @property
    def audit_csv(self) -> pd.DataFrame:
        """The side table ``kpi_audit.csv`` (:func:`.tables.audit_csv`, with the gap rows)."""
        return tables.audit_csv(self.audit, self.accountability, self.gaps)


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


def _series(ctx: ReportContext, rules: Mapping[str, Any], audit: pd.DataFrame,
            indicators: pd.DataFrame, max_panels: int, start: pd.Timestamp
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(kept KPI series, indicator series), both limited to complete periods from ``start``."""
    register = ctx.table("kpi_register")
    values = ctx.filter_org(ctx.table("kpi_values"))
    kept_ids = kept_with_values(audit, values, max_panels)
    kpi_s = complete_periods(kpi_series(values, register, kept_ids), ctx.as_of, start)
    trend = rules["trend"]
    ind_ids = report_indicator_ids(audit, rules, indicators["indicator_id"].dropna().unique())
    ind_s = indicator_series(indicators, ind_ids, ctx.organisation, trend["wilson_indicators"],
                             trend["alpha"], register)
    return kpi_s, complete_periods(ind_s, ctx.as_of, start)


def build(ctx: ReportContext, params: Mapping[str, Any]) -> KpiResult:
    """Compute the KPI report for ``ctx`` (city or one organisation).

    Args:
        ctx: the report context (processed tables, indicators, as-of, organisation).
        params: the notebook parameters; used here: ``rules_file`` ("" -> the
            packaged ``kpi_rules.yaml``), ``max_panels`` (most kept KPIs in the
            trend figure) and ``first_year`` (trends and signals from 1 January
            of this year on).

    Returns:
        The :class:`KpiResult`. The audit and its proposal always cover the
        whole register (one contract for the city); the series, signals and
        the check of reported values are those of ``ctx.organisation``.
    """
    rules = load_rules(params.get("rules_file") or None)
    start = pd.Timestamp(year=int(params.get("first_year", DEFAULT_FIRST_YEAR)), month=1, day=1)
    indicators = ctx.indicators()
    register, values_all = ctx.table("kpi_register"), ctx.table("kpi_values")
    audit = _audit(ctx, rules, indicators)
    strategies = assignment_strategies(register, ctx.table("budgets"), rules)
    signals = ctx.filter_org(ctx.table("signals"))
    sig = signals_for(signals, signals["organisation"].dropna().unique(), start=start)
    kpi_s, ind_s = _series(ctx, rules, audit, indicators,
                           int(params.get("max_panels", DEFAULT_MAX_PANELS)), start)
    trends = trend_tests(pd.concat([kpi_s, ind_s], ignore_index=True),
                         int(rules["trend"]["min_periods"]), float(rules["trend"]["alpha"]))
    return KpiResult(
        organisation=ctx.organisation,
        rules=rules,
        audit=audit,
        strategies=strategies,
        accountability=accountability(audit, strategies, rules),
        gaps=coverage_gaps(audit, rules, available=set(indicators["indicator_id"].dropna())),
        blocks=block_coverage(audit, rules),
        verification=reported_vs_computed(register, ctx.filter_org(values_all), indicators,
                                          **rules["verification"]),
        signals=sig,
        signal_panels=signal_panels(sig, register),
        kpi_series=kpi_s,
        indicator_series=ind_s,
        trends=trends,
        organisations=(set(values_all["organisation"].dropna())
                       | set(indicators["organisation"].dropna())
                       | set(ctx.table("signals")["organisation"].dropna())),
        timeline_start=min(sig["date"].min(), start) if len(sig) else None,
        timeline_end=max(sig["date"].max(), pd.Timestamp(ctx.as_of)) if len(sig) else None,
    )
