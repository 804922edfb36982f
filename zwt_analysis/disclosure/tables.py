"""The registry: schema of every table the reports publish, and their cross-table links.

One :class:`~.schema.TableSchema` per CSV side table (the file stem is the
key), written next to the code that knows how the table is computed. A
report table missing here is reported by the audit as not audited. Counts
that are not persons are left out on purpose: rows of a data file (except
``cases`` and ``staff``, one row per client case or employee spell), values
of the KPI register, model output, euros of an organisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure.build import Fragment, Link, ModelBuilder, row_keys
from zwt_analysis.disclosure.model import ORG_KEY, TEAM_KEY, Kind, VarKey
from zwt_analysis.disclosure.schema import Col, Margin, TableSchema

P, M, D = Kind.PERSONS, Kind.MAGNITUDE, Kind.DERIVED

#: Tables of the data files whose rows stand for persons (a client case, an employee spell).
PERSON_ROW_TABLES: frozenset[str] = frozenset({"cases", "staff"})
_PERSON_ROWS = ("table", PERSON_ROW_TABLES)
#: Clean rows of a data file (whole, per organisation, per period): data-quality report.
_ROWS, _PERIOD_ROWS = "quality.rows", "quality.rows_per_period"


def _completeness(name: str, keys: tuple[str, ...], organisation: str | None,
                  measure: str, rows_by: tuple[str, ...], rows_measure: str) -> TableSchema:
    """Rows and filled values per column of a data file (data-quality report).

    ``rows`` is the same number on every column's row (``rows_by``): one cell, shared with
    the other data-quality tables that print it (``rows_measure``).
    """
    return TableSchema(
        name, keys, organisation=organisation,
        columns=(
            Col("rows", P, by=rows_by, where=_PERSON_ROWS, measure=rows_measure),
            Col("filled", P, where=_PERSON_ROWS, measure=f"{measure}.filled"),
            Col("share", D, sources=("rows", "filled"), where=_PERSON_ROWS),
            Col("low", D, sources=("rows", "filled"), where=_PERSON_ROWS),
            Col("high", D, sources=("rows", "filled"), where=_PERSON_ROWS),
        ),
        complements=(("filled", "rows"),),
    )


def _nothing(name: str, *keys: str) -> TableSchema:
    """A published table without person counts (audited as known, nothing to control)."""
    return TableSchema(name, keys, organisation=None)


_HOURS_BY = ("organisation", "team", "period")
_TEAM_QUARTER = "urenverdeling_team_kwartaal"

SCHEMAS: tuple[TableSchema, ...] = (
    # 01 data quality: rows are not persons, except rows of cases and staff. Clean rows of a
    # table are one cell wherever printed (read table, completeness, by organisation); rows
    # per period too (completeness per period, rows per period). The read table is the
    # whole delivery (organisation ALL in every folder); a row's count of lines read is
    # hidden with its clean rows (quarantined lines are not persons: broken lines).
    TableSchema(
        "ingelezen", ("table", "organisation"),
        columns=(
            Col("rows_clean", P, by=("table",), where=_PERSON_ROWS, measure=_ROWS),
            *(Col(c, D, sources=("rows_clean",), where=_PERSON_ROWS)
              for c in ("rows_in", "share_quarantined", "low", "high")),
        ),
    ),
    _nothing("quarantaine_redenen", "table", "column", "reason"),
    _nothing("inleesnotities", "table", "kind", "detail"),
    _completeness("volledigheid", ("table", "column"), None, "completeness", ("table",), _ROWS),
    _completeness("volledigheid_per_organisatie", ("table", "organisation", "column"),
                  "organisation", "completeness", ("table",), _ROWS),
    _completeness("volledigheid_per_periode", ("table", "period", "column"), None,
                  "completeness_period", ("table", "period"), _PERIOD_ROWS),
    TableSchema("regels_per_periode", ("table", "organisation", "period"),
                columns=(Col("rows", P, where=_PERSON_ROWS, measure=_PERIOD_ROWS),)),
    # 02 KPI: register values and trend fits, no persons
    _nothing("kpi_audit", "kpi_id"),
    _nothing("kpi_trends", "series", "organisation"),
    # 01 data quality and 05 places: signals from practice drawn beside a figure (texts, no counts)
    _nothing("signalen_bij_figuren", "figure", "nr"),
    # 03 prevention
    TableSchema(
        "termijnen_per_kwartaal", ("indicator_id", "organisation", "team", "period"), team="team",
        columns=(
            Col("on_time", P), Col("late", P), Col("late_open", P), Col("pending", P),
            Col("share_on_time", D, sources=("on_time", "late")),
            Col("ci_low", D, sources=("on_time", "late")),
            Col("ci_high", D, sources=("on_time", "late")),
        ),
        complements=(("late_open", "late"),),
    ),
    TableSchema(
        _TEAM_QUARTER, ("organisation", "team", "period", "activity"), team="team",
        columns=(
            Col("hours", M, contributors="persons"),
            Col("total_hours", M, by=_HOURS_BY, contributors="persons"),
            Col("share", D, sources=("hours", "total_hours")),
            Col("ci_low", D, sources=("hours", "total_hours", "persons")),
            Col("ci_high", D, sources=("hours", "total_hours", "persons")),
            Col("persons", P, by=_HOURS_BY, additive=False, nested=True,
                measure="team_quarter.persons"),
        ),
        margins=(Margin(f"{_TEAM_QUARTER}.total_hours", f"{_TEAM_QUARTER}.hours", "activity"),),
    ),
    TableSchema(
        "urenverdeling_pact", ("group", "activity"), organisation=None,
        columns=(
            Col("hours", M, contributors="persons"),
            Col("total_hours", M, by=("group",), contributors="persons"),
            Col("share", D, sources=("hours", "total_hours")),
            Col("ci_low", D, sources=("hours", "total_hours", "persons")),
            Col("ci_high", D, sources=("hours", "total_hours", "persons")),
            Col("persons", P, by=("group",), additive=False, nested=True),
        ),
        margins=(Margin("urenverdeling_pact.total_hours", "urenverdeling_pact.hours", "activity"),),
    ),
    TableSchema(
        "onder_ondergrens", ("organisation", "team", "period"), team="team",
        columns=(
            Col("persons", P, additive=False, nested=True, measure="team_quarter.persons"),
            *(Col(c, D, sources=("persons",)) for c in ("preventive_share", "ci_low", "ci_high",
                                                         "gap")),
        ),
    ),
    _nothing("model_preventie_caseload", "model"),
    _nothing("model_termijnen_caseload", "indicator_id"),
    # 04 workforce (reports/workforce/published.py): the city and every organisation in one
    # protect() pass; distinct persons do not add up over organisations (moves between them)
    TableSchema(
        "workforce_calibration", ("organisatie",), organisation="organisatie",
        columns=(
            Col("persoonjaren", M),
            Col("vertrekkers", P, additive=False),
            Col("nieuwkomers", P, additive=False),
            Col("vervulde_vacatures", P),
            Col("open_vacatures", P),
            *(Col(c, D, sources=("vertrekkers", "persoonjaren"))
              for c in ("uitstroom", "uitstroom_laag", "uitstroom_hoog")),
            *(Col(c, D, sources=("nieuwkomers", "persoonjaren"))
              for c in ("instroom", "instroom_laag", "instroom_hoog")),
            *(Col(c, D, sources=("vervulde_vacatures",))
              for c in ("maanden_tot_vervulling", "maanden_laag", "maanden_hoog")),
        ),
    ),
    TableSchema(
        "workforce_yearly", ("organisation", "year"),
        columns=(
            Col("stock_jan1", P, additive=False, nested=True),
            Col("leavers", P, additive=False),
            Col("newcomers", P, additive=False),
            *(Col(c, D, sources=("leavers", "stock_jan1"))
              for c in ("outflow_rate", "outflow_low", "outflow_high")),
        ),
    ),
    TableSchema(
        "workforce_retention", ("organisation", "cohort_date"),
        columns=(
            Col("persons", P, additive=False, nested=True),
            Col("still_there", P, additive=False, nested=True),
            *(Col(c, D, sources=("still_there", "persons"))
              for c in ("share", "share_low", "share_high")),
        ),
        complements=(("still_there", "persons"),),
    ),
    _nothing("scenario_summary", "scenario", "organisation", "year"),
    _nothing("funding_by_year", "organisation", "year"),
    _nothing("additional_assignments", "organisation", "year"),
    _nothing("flexible_reservation", "organisation"),
    _nothing("backtest_errors", "organisation"),
    # 05 places: wijken are held by one organisation each (an organisation's rows are a subset
    # of the city's, not a sum); distinct clients do not add up over wijken
    TableSchema(
        "bereik_per_wijk", ("area_code",), organisation=None,
        columns=(
            Col("clients", P, additive=False),
            *(Col(c, D, sources=("clients",))
              for c in ("reach_per_1000", "ratio", "ratio_low", "ratio_high")),
        ),
    ),
    TableSchema(
        "hulpvragen_per_team", ("year", "organisation", "team", "question_type"), team="team",
        columns=(Col("cases", P),),
    ),
)

REGISTRY: dict[str, TableSchema] = {s.name: s for s in SCHEMAS}

# ------------------------------------------------------------- the indicator table

#: Indicators whose numerator and denominator count cases (standing for clients): the
#: denominator minus the numerator (cases not on time, not re-registered) counts them too.
CASE_INDICATORS = frozenset({
    "wmo_assessment_on_time", "wmo_decision_on_time", "jeugdwet_decision_on_time",
    "participatiewet_decision_on_time", "wgs_first_contact_on_time", "reregistration_12m"})
#: Indicators of hours (numerator and denominator are sums over employees).
HOUR_INDICATORS = frozenset({"preventive_share", "additional_assignment_share"})
#: Staff flows: leavers or newcomers over the 1 January headcount, distinct persons; the
#: city leaves out moves between organisations, so organisations minus city is a count.
STAFF_INDICATORS = frozenset({"staff_outflow_rate", "staff_inflow_rate"})
#: Every indicator with a rule below (the others -- euros -- are printed as they are).
INDICATOR_RULES = CASE_INDICATORS | HOUR_INDICATORS | STAFF_INDICATORS | {
    "caseload_per_fte", "reach_per_1000", "vacancy_rate"}


def _ind(ids: frozenset[str] | set[str]) -> tuple[str, frozenset[str]]:
    return ("indicator_id", frozenset(ids))


INDICATOR_SCHEMA = TableSchema(
    "indicators", ("indicator_id", "period", "organisation", "team"), team="team",
    columns=(
        Col("numerator", P, contributors="persons", where=_ind(CASE_INDICATORS)),
        Col("denominator", P, contributors="persons", where=_ind(CASE_INDICATORS)),
        Col("numerator", M, contributors="persons", where=_ind(HOUR_INDICATORS)),
        Col("denominator", M, contributors="persons", where=_ind(HOUR_INDICATORS)),
        Col("numerator", P, contributors="persons", additive=False, where=_ind(STAFF_INDICATORS)),
        Col("denominator", P, contributors="persons", additive=False, nested=True,
            where=_ind(STAFF_INDICATORS)),
        # open cases over employed FTE; persons = the smaller of clients and employees
        Col("numerator", P, contributors="persons", where=_ind({"caseload_per_fte"})),
        Col("denominator", M, contributors="persons", where=_ind({"caseload_per_fte"})),
        # distinct clients (the city counts each once) over population / 1000 (public)
        Col("numerator", P, additive=False, nested=True, where=_ind({"reach_per_1000"})),
        # budgeted minus employed FTE (may be negative) over budgeted FTE (a plan, public)
        Col("numerator", M, contributors="persons", signed=True, where=_ind({"vacancy_rate"})),
        Col("value", D, sources=("numerator", "denominator"), where=_ind(INDICATOR_RULES)),
    ),
    complements=(("numerator", "denominator"),),
)


def pact_window(b: ModelBuilder, fragments: Sequence[Fragment]) -> None:
    """``urenverdeling_pact`` of a folder = the sum of ``urenverdeling_team_kwartaal`` over the
    folder's teams and the last K quarters (K inferred), PACT teams and the other teams apart."""
    for scope in sorted({f.scope for f in fragments}):
        pact_of: dict[tuple[str, str], str] = {}
        periods: set[str] = set()
        for f in fragments:
            if f.scope == scope and f.table == _TEAM_QUARTER and "pact" in f.frame.columns:
                keys = row_keys(f.frame.reset_index(drop=True), b.schemas[_TEAM_QUARTER], f.folder)
                flags = f.frame["pact"].astype("string").str.lower().fillna("").tolist()
                for k, flag in zip(keys, flags, strict=True):
                    pact_of[(k[ORG_KEY], k[TEAM_KEY])] = "PACT" if flag in ("true", "1") else "overig"
                    periods.add(k["period"])
        order = sorted(periods)
        for f in fragments:
            if f.scope == scope and f.table == "urenverdeling_pact":
                _pact_folder(b, scope, f.folder, pact_of, order)


def _pact_folder(b: ModelBuilder, scope: str, folder: str, pact_of: dict[tuple[str, str], str],
                 order: list[str]) -> None:
    teams = defaultdict(list)
    for (org, team), group in pact_of.items():
        if folder in (ALL, org):
            teams[group].append((org, team))
    totals = []
    for i, v in enumerate(b.m.vars):
        k = v.key
        if k.scope != scope or k.get(ORG_KEY) != folder or v.virtual or \
                k.measure not in ("urenverdeling_pact.hours", "urenverdeling_pact.total_hours"):
            continue
        column = k.measure.split(".")[1]
        per = []
        for period in order:
            parts = []
            for org, team in teams.get(k.get("group") or "", []):
                key = {ORG_KEY: org, TEAM_KEY: team, "period": period}
                if column == "hours":
                    key["activity"] = k.get("activity") or ""
                j = b.m.index.get(VarKey(scope, f"{_TEAM_QUARTER}.{column}",
                                         tuple(sorted(key.items()))))
                if j is not None:
                    parts.append(j)
            per.append(parts)
        totals.append((i, per))
    b.window_sum(totals, f"urenverdeling_pact {folder}: sum of team quarters")


LINKS: tuple[Link, ...] = (pact_window,)
