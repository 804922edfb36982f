"""Row rules of the data contract as data, and pandera schemas built from them.

Everything here is derived from :mod:`zwt_analysis.contract` (required flags,
kinds, ranges, enumeration values, event dates, row keys) plus the few rules
the contract states in words (date orders, teams known in ``areas``). The
cleaning step (:mod:`zwt_analysis.clean`) uses the pandera schemas on the
*parsed* tables (typed values, canonical spellings) and turns pandera's lazy
failure cases into quarantine lines; the reason texts live here so docs,
tests and the quarantine file say the same thing.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from zwt_analysis import config
from zwt_analysis.contract import TABLES, Column, Table

PLAUSIBLE_RANGES_FILE = "plausible_ranges.yaml"

#: Date orders checked per table: (later, earlier) means ``later`` may not lie
#: before ``earlier`` (equal is fine). The contract names
#: ``date_decision < date_application`` and ``date_closed < date_report``; the
#: other steps of a case cannot come before the report that opened it, and a
#: spell or a funding line cannot end before it starts.
DATE_ORDERS: dict[str, tuple[tuple[str, str], ...]] = {
    "cases": (
        ("date_first_contact", "date_report"),
        ("date_assessment_done", "date_report"),
        ("date_application", "date_report"),
        ("date_decision", "date_report"),
        ("date_decision", "date_application"),
        ("date_closed", "date_report"),
    ),
    "staff": (("end_date", "start_date"),),
    "budgets": (("end_date", "start_date"),),
}

#: Tables whose (organisation, team) must be a team held in ``areas`` when
#: ``areas`` is delivered (an empty optional team is not checked).
TEAM_TABLES: tuple[str, ...] = ("staff", "time_registrations", "cases", "signals")

#: Tables whose ``area_code`` is written in the spelling ``areas`` uses when
#: it matches case-insensitively (an unknown code is kept, not quarantined).
AREA_CODE_TABLES: tuple[str, ...] = ("cases", "signals")

REQUIRED_MISSING = "required value missing"
PLACEHOLDER = "placeholder is not a value (leave the cell empty)"
NOT_A_NUMBER = "not a number"
NOT_WHOLE = "not a whole number"
NOT_A_DATE = "not a date"
NOT_A_PERIOD = "not a period (YYYY or YYYY-Qn)"
NOT_YES_NO = "not a yes/no value"
UNKNOWN_TEAM = "unknown team (not in areas)"
CONTROL_CHARACTER = "control character in text"
TOO_LARGE = "number too large"
TOTALS_ROW = "totals row"

#: Words that make a row a totals row when an organisation, team or id cell
#: says one of them (as its first or last word): ``Totaal``, ``Noord totaal``.
TOTALS_WORDS = frozenset({"totaal", "total", "subtotaal", "subtotal", "eindtotaal"})
#: Columns a totals row is recognised by (besides every identifier column).
TOTALS_COLUMNS = ("organisation", "team")

#: Number columns that also accept hours written as ``h:mm`` (``7:30`` = 7.5).
CLOCK_COLUMNS: frozenset[tuple[str, str]] = frozenset({("time_registrations", "hours")})

#: Column kinds whose cells are checked for control characters (numbers and
#: dates holding one fail their own parser).
CONTROL_CHECKED_KINDS: tuple[str, ...] = ("id", "text", "enum", "bool", "period")

#: Free-text columns (table, column) where tab and line breaks inside the text
#: are allowed: multi-line notes typed in Excel (Alt+Enter). Every other
#: control character is still a data error there.
FREE_TEXT_COLUMNS: frozenset[tuple[str, str]] = frozenset({
    ("kpi_register", "description"),
    ("kpi_register", "theory_of_change"),
    ("kpi_values", "note"),
    ("signals", "text"),
})


def allows_line_breaks(table: str, column: str) -> bool:
    """True for the free-text columns of :data:`FREE_TEXT_COLUMNS`."""
    return (table, column) in FREE_TEXT_COLUMNS


def parse_failure_reason(col: Column) -> str:
    """Reason text for a cell of ``col`` that cannot be read as its type."""
    return {
        "id": PLACEHOLDER,
        "text": PLACEHOLDER,
        "int": NOT_A_NUMBER,
        "float": NOT_A_NUMBER,
        "date": NOT_A_DATE,
        "period": NOT_A_PERIOD,
        "bool": NOT_YES_NO,
    }.get(col.kind, f"unknown value for {col.name}")


def whole_row_rule(reason: str) -> str:
    """The rule of a whole-row reason: the reason without its details in brackets."""
    return reason.split(" (")[0].split(":")[0]


def range_reason(col: Column) -> str | None:
    """Reason text of the range rule of ``col`` (``fte must be > 0 and <= 1.2``), or None."""
    parts = []
    if col.minimum is not None:
        op = ">" if col.exclusive_minimum else ">="
        parts.append(f"{op} {_num(col.minimum)}")
    if col.maximum is not None:
        parts.append(f"<= {_num(col.maximum)}")
    if not parts:
        return None
    return f"{col.name} must be " + " and ".join(parts)


def order_reason(later: str, earlier: str) -> str:
    """``date_decision before date_application``."""
    return f"{later} before {earlier}"


def as_of_reason(as_of: object) -> str:
    """``event date after as-of 2026-09-30``."""
    return f"event date after as-of {as_of}"


def team_owner_reason(organisation: str) -> str:
    """Team known in areas, but held by another organisation than the row says."""
    return f"team not held by {organisation} in areas"


def duplicate_reason(key: tuple[str, ...], first_row: int) -> str:
    """``duplicate case_id (first at row 12)``."""
    return f"duplicate {key_label(key)} (first at row {first_row})"


def key_label(key: tuple[str, ...]) -> str:
    """``employee_id+start_date``."""
    return "+".join(key)


@cache
def plausible_ranges() -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """``(table, column) -> (min, max)`` from ``resources/plausible_ranges.yaml``."""
    data = config.load_yaml(config.resource(PLAUSIBLE_RANGES_FILE)) or {}
    out = {}
    for table, cols in data.items():
        for col, rng in cols.items():
            TABLES[table].column(col)  # a typo in the file fails loudly
            lo, hi = rng.get("min"), rng.get("max")
            out[(table, col)] = (None if lo is None else float(lo), None if hi is None else float(hi))
    return out


def plausible_reason(table: str, col: Column) -> str | None:
    """``implausible budgeted_fte (plausible: 0 to 5000)``, or None without a range."""
    rng = plausible_ranges().get((table, col.name))
    if rng is None:
        return None
    lo, hi = rng
    lo_text = _num(lo) if lo is not None else (_num(col.minimum) if col.minimum is not None else "any")
    hi_text = _num(hi) if hi is not None else "any"
    return f"implausible {col.name} (plausible: {lo_text} to {hi_text})"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _checks(table: str, col: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    reason = range_reason(col)
    if reason is not None:
        if col.minimum is not None:
            fn = pa.Check.gt if col.exclusive_minimum else pa.Check.ge
            checks.append(fn(col.minimum, error=reason))
        if col.maximum is not None:
            checks.append(pa.Check.le(col.maximum, error=reason))
    if col.kind == "enum":
        checks.append(pa.Check.isin(list(col.values), error=f"unknown value for {col.name}"))
    implausible = plausible_reason(table, col)
    if implausible is not None:
        lo, hi = plausible_ranges()[(table, col.name)]
        if lo is not None:
            checks.append(pa.Check.ge(lo, error=implausible))
        if hi is not None:
            checks.append(pa.Check.le(hi, error=implausible))
    return checks


@cache
def parsed_schema(name: str) -> pa.DataFrameSchema:
    """Pandera schema of a *parsed* table: required columns not null, ranges, enums.

    Types are guaranteed by the parsers, so the schema checks values only
    (``int`` columns are still float64 at that stage).
    """
    table: Table = TABLES[name]
    return pa.DataFrameSchema(
        {c.name: pa.Column(None, _checks(name, c), nullable=not c.required, required=True)
         for c in table.columns},
        name=name,
        strict=False,
        coerce=False,
    )


def failure_cases(name: str, parsed: pd.DataFrame) -> pd.DataFrame:
    """Lazy pandera validation of ``parsed``: one row per failing cell.

    Returns:
        Frame with columns ``row`` (position in ``parsed``), ``column``,
        ``reason`` (``required value missing`` for nulls in required
        columns, the check's reason text otherwise). Empty when valid.
    """
    cols = ["row", "column", "reason"]
    try:
        parsed_schema(name).validate(parsed, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        fc = fc[fc["index"].notna() & fc["column"].notna()]
        reason = fc["check"].astype("string").replace({"not_nullable": REQUIRED_MISSING})
        out = pd.DataFrame(
            {
                "row": fc["index"].astype("int64").to_numpy(),
                "column": fc["column"].astype("string").to_numpy(),
                "reason": reason.to_numpy(),
            }
        )
        return out.drop_duplicates(ignore_index=True)
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "string") for c in cols})


def rules_table() -> pd.DataFrame:
    """Every row rule per table and column, for the docs (``docs/data_contract.md``)."""
    rows = []
    for t in TABLES.values():
        for c in t.columns:
            rules = []
            if c.required:
                rules.append(REQUIRED_MISSING)
            rules.append(parse_failure_reason(c))
            if c.kind in CONTROL_CHECKED_KINDS:
                rules.append(CONTROL_CHARACTER)
            if c.kind in ("int", "float"):
                rules.append(TOO_LARGE)
            if c.kind == "int":
                rules.append(NOT_WHOLE)
            if (r := range_reason(c)) is not None:
                rules.append(r)
            if (r := plausible_reason(t.name, c)) is not None:
                rules.append(r)
            if c.kind == "id" or c.name in TOTALS_COLUMNS:
                rules.append(TOTALS_ROW)
            rules += [order_reason(a, b) for a, b in DATE_ORDERS.get(t.name, ()) if a == c.name]
            if c.event:
                rules.append("event date after as-of")
            if c.name == "team" and t.name in TEAM_TABLES:
                rules.append(UNKNOWN_TEAM)
            rows.append({"table": t.name, "column": c.name, "rules": "; ".join(rules)})
        if t.key:
            rows.append({"table": t.name, "column": key_label(t.key),
                         "rules": f"duplicate {key_label(t.key)}"})
    return pd.DataFrame(rows)
