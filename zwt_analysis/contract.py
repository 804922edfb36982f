"""The data contract (``DATA_CONTRACT.md``) as data: tables, columns, types.

This module is the single place where the raw tables, their columns, which
columns are required, their types and the canonical enumeration values are
written down. Reading, cleaning, the synthetic generator, the processed
loader and the docs all take them from here.

Types (``Column.kind``):

- ``id``     text identifier; ``client_id``/``employee_id`` are pseudonymised
- ``text``   free text, trimmed
- ``enum``   one of ``Column.values`` after spelling normalisation
- ``date``   calendar date (processed: ``datetime64[ns]``, midnight)
- ``int``    whole number (processed: nullable ``Int64``)
- ``float``  real number (processed: ``float64``)
- ``bool``   yes/no (processed: nullable ``boolean``)
- ``period`` ``YYYY`` or ``YYYY-Qn`` (processed: text)

Processed text-like columns (id, text, enum, period) are pandas ``string``.
Missing values are ``<NA>``/``NaT``/``NaN``.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("generalist", "specialist", "team_lead", "support")
END_REASONS = (
    "voluntary",
    "retirement",
    "end_of_contract",
    "transfer_internal",
    "transfer_other_wijkteam",
    "other",
)
ACTIVITIES = (
    "statutory_individual",
    "preventive_individual",
    "preventive_collective",
    "coordination",
    "additional_assignment",
    "overhead",
)
PREVENTIVE_ACTIVITIES = ("preventive_individual", "preventive_collective")
LEGAL_FRAMEWORKS = ("wmo", "jeugdwet", "participatiewet", "wgs", "none")
ASSIGNMENT_TYPES = ("main", "additional")
FUNDING_TYPES = ("structural", "incidental")
UNITS = ("share", "count", "days", "eur", "score")
DIRECTIONS = ("higher_is_better", "lower_is_better", "none")
RESULT_LEVELS = ("input", "activity", "output", "outcome", "impact")

#: Pseudonymised identifier columns (never leave cleaning in raw form).
PERSON_ID_COLUMNS = ("client_id", "employee_id")
#: Default assignment when ``assignment_id`` is empty in time registrations.
MAIN_ASSIGNMENT = "MAIN"
#: Label used for aggregate levels in indicator tables.
ALL = "ALL"


@dataclass(frozen=True)
class Column:
    """One contract column."""

    name: str
    kind: str
    required: bool = False
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    #: True when the bound is exclusive (``0 < fte``).
    exclusive_minimum: bool = False
    #: Dates that are events (may not lie after ``as-of``).
    event: bool = False


@dataclass(frozen=True)
class Table:
    """One contract table: its name, columns and the meaning of one row."""

    name: str
    columns: tuple[Column, ...]
    row_is: str
    #: Columns that together identify a row (duplicates are quarantined).
    key: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _c(name: str, kind: str, required: bool = False, **kw: object) -> Column:
    return Column(name, kind, required, **kw)  # type: ignore[arg-type]


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "areas",
            (
                _c("area_code", "id", True),
                _c("area_name", "text", True),
                _c("organisation", "text", True),
                _c("team", "text", True),
                _c("pact", "bool"),
                _c("population", "int", minimum=0),
            ),
            "a wijk and the team/organisation that holds it",
            key=("area_code",),
        ),
        Table(
            "staff",
            (
                _c("employee_id", "id", True),
                _c("organisation", "text", True),
                _c("team", "text", True),
                _c("role", "enum", values=ROLES),
                _c("fte", "float", True, minimum=0, exclusive_minimum=True, maximum=1.2),
                _c("start_date", "date", True, event=True),
                _c("end_date", "date"),
                _c("end_reason", "enum", values=END_REASONS),
            ),
            "one employment spell",
            key=("employee_id", "start_date"),
        ),
        Table(
            "time_registrations",
            (
                _c("employee_id", "id", True),
                _c("organisation", "text", True),
                _c("team", "text", True),
                _c("date", "date", True, event=True),
                _c("activity", "enum", True, values=ACTIVITIES),
                _c("hours", "float", True, minimum=0, exclusive_minimum=True, maximum=24),
                _c("legal_framework", "enum", values=LEGAL_FRAMEWORKS),
                _c("assignment_id", "id"),
            ),
            "hours on one activity",
        ),
        Table(
            "cases",
            (
                _c("case_id", "id", True),
                _c("client_id", "id", True),
                _c("organisation", "text", True),
                _c("team", "text", True),
                _c("area_code", "id"),
                _c("legal_framework", "enum", True, values=LEGAL_FRAMEWORKS),
                _c("date_report", "date", True, event=True),
                _c("date_first_contact", "date", event=True),
                _c("date_assessment_done", "date", event=True),
                _c("date_application", "date", event=True),
                _c("date_decision", "date", event=True),
                _c("date_closed", "date", event=True),
                _c("closure_reason", "text"),
                _c("question_type", "text"),
            ),
            "one melding and its trajectory",
            key=("case_id",),
        ),
        Table(
            "formation",
            (
                _c("organisation", "text", True),
                _c("year", "int", True, minimum=1990, maximum=2100),
                _c("budgeted_fte", "float", True, minimum=0),
            ),
            "the budgeted formation",
            key=("organisation", "year"),
        ),
        Table(
            "budgets",
            (
                _c("organisation", "text", True),
                _c("year", "int", True, minimum=1990, maximum=2100),
                _c("assignment_id", "id", True),
                _c("assignment_type", "enum", True, values=ASSIGNMENT_TYPES),
                _c("funding_type", "enum", True, values=FUNDING_TYPES),
                _c("amount_eur", "float", True, minimum=0),
                _c("start_date", "date"),
                _c("end_date", "date"),
                _c("commissioner", "text"),
            ),
            "one funding line",
        ),
        Table(
            "kpi_register",
            (
                _c("kpi_id", "id", True),
                _c("name", "text", True),
                _c("description", "text"),
                _c("assignment_id", "id"),
                _c("unit", "enum", values=UNITS),
                _c("direction", "enum", values=DIRECTIONS),
                _c("target", "float"),
                _c("data_source", "text"),
                _c("indicator_id", "id"),
                _c("quality_block", "int", minimum=1, maximum=7),
                _c("result_level", "enum", values=RESULT_LEVELS),
                _c("theory_of_change", "text"),
            ),
            "one contractual KPI",
            key=("kpi_id",),
        ),
        Table(
            "kpi_values",
            (
                _c("kpi_id", "id", True),
                _c("organisation", "text", True),
                _c("period", "period", True),
                _c("value", "float"),
                _c("note", "text"),
            ),
            "one reported value",
            key=("kpi_id", "organisation", "period"),
        ),
        Table(
            "signals",
            (
                _c("date", "date", True, event=True),
                _c("organisation", "text", True),
                _c("text", "text", True),
                _c("team", "text"),
                _c("area_code", "id"),
                _c("theme", "text"),
                _c("kpi_id", "id"),
            ),
            "one signal or story from practice",
        ),
        Table(
            "cost_index",
            (
                _c("year", "int", True, minimum=1990, maximum=2100),
                _c("organisation", "text"),
                _c("cao_wage_increase_pct", "float", True, minimum=-10, maximum=25),
                _c("municipal_indexation_pct", "float", True, minimum=-10, maximum=25),
            ),
            "one year's collective wage rise and budget indexation (organisation empty = all)",
            key=("year", "organisation"),
        ),
    )
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

#: Columns of the long indicator table written by ``zwt indicators``.
INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "period",
    "organisation",
    "team",
    "numerator",
    "denominator",
    "value",
)

#: Columns of ``quarantine.csv``.
QUARANTINE_COLUMNS: tuple[str, ...] = ("table", "row_number", "column", "value", "reason")
