"""Rules that need one table only (data contract sections 2 and 6).

:func:`check_table` parses every cell of a raw table (:mod:`.parse`) and
records each broken rule in a :class:`TableResult`: type, placeholder,
control character, required, whole-number, range, plausibility and
enumeration rules per cell (the last four through the pandera schemas of
:mod:`.schemas`); the row rules (totals rows, date orders, duplicate keys,
identical rows) live in :mod:`.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zwt_analysis.contract import TABLES, Column
from zwt_analysis.ingest import parse, rules, schemas
from zwt_analysis.ingest.privacy import PseudonymKey, quarantine_values
from zwt_analysis.ingest.read import RawTable

ISSUE_COLUMNS = ("row", "column", "value", "reason", "rule")


@dataclass
class TableResult:
    """A table after its own row rules: parsed values, raw text and issues."""

    raw: RawTable
    #: Parsed contract columns (typed, canonical), one row per data row.
    parsed: pd.DataFrame
    #: Broken rules found so far: frames with the columns of ``ISSUE_COLUMNS``
    #: (``row`` = 0-based position, ``rule`` = reason without row/date details).
    issues: list[pd.DataFrame] = field(default_factory=list)
    #: Whole-row problems (row -> column, value, reason): the one line of that row.
    whole: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    #: Rows that repeat an earlier row exactly (tables without a key; kept, only counted).
    identical_rows: int = 0
    #: Names respelled from ``areas``: column -> {as written: as areas writes it}.
    name_mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Free-text cells of this table in which an identifier or BSN was masked.
    masked_cells: int = 0

    def __post_init__(self) -> None:
        for r, reason in self.raw.bad_rows.items():
            self.whole.setdefault(r, ("", "", reason))

    @property
    def name(self) -> str:
        return self.raw.name

    def add(self, rows: np.ndarray, column: str, values: pd.Series | np.ndarray | str,
            reason: str | np.ndarray, rule: str | np.ndarray | None = None) -> None:
        """Record one broken rule for each row position in ``rows``."""
        rows = np.asarray(rows, dtype="int64")
        if len(rows) == 0:
            return
        vals = values if isinstance(values, str) else np.asarray(values, dtype=object)
        self.issues.append(pd.DataFrame({
            "row": rows,
            "column": column,
            "value": vals,
            "reason": _as_cells(reason),
            "rule": _as_cells(reason if rule is None else rule),
        }))

    def issue_frame(self) -> pd.DataFrame:
        """All issues of this table, whole-row problems replacing other lines of that row."""
        empty = pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "object")
                              for c in ISSUE_COLUMNS})
        df = pd.concat([empty, *[f for f in self.issues if len(f)]], ignore_index=True)
        if self.whole:
            rows = np.array(sorted(self.whole), dtype="int64")
            df = df[~df["row"].isin(rows)]
            df = pd.concat([df, pd.DataFrame({
                "row": rows,
                "column": [self.whole[r][0] for r in rows],
                "value": [self.whole[r][1] for r in rows],
                "reason": [self.whole[r][2] for r in rows],
                "rule": [schemas.whole_row_rule(self.whole[r][2]) for r in rows],
            })], ignore_index=True)
        return df

    def broken_rows(self) -> np.ndarray:
        """Boolean mask: rows that break at least one rule so far."""
        mask = np.zeros(len(self.parsed), dtype=bool)
        for f in self.issues:
            mask[f["row"].to_numpy()] = True
        if self.whole:
            mask[list(self.whole)] = True
        return mask


def _as_cells(x: object) -> object:
    return x if isinstance(x, str) else np.asarray(x, dtype=object)


def _parse_column(table: str, col: Column, text: pd.Series, raw: RawTable,
                  order: str) -> parse.Parsed:
    kind, decimal_comma = col.kind, raw.decimal_comma
    if kind == "id":
        return parse.parse_unique(text, parse.parse_id)
    if kind == "text":
        return parse.parse_unique(text, parse.parse_text)
    if kind == "enum":
        return parse.parse_unique(text, lambda s: parse.parse_enum(s, col.name))
    if kind == "bool":
        return parse.parse_unique(text, parse.parse_bool)
    if kind == "date":
        epoch = raw.excel_epoch
        return parse.parse_unique(text, lambda s: parse.parse_date_fast(s, order, epoch))
    if (table, col.name) in schemas.CLOCK_COLUMNS:
        return parse.parse_unique(text, lambda s: parse.parse_hours(s, decimal_comma))
    if kind in ("int", "float"):
        return parse.parse_unique(text, lambda s: parse.parse_number(s, decimal_comma))
    if kind == "period":
        return parse.parse_unique(text, parse.parse_period)
    raise ValueError(f"unknown column kind {kind!r}")  # pragma: no cover - contract bug


def check_table(raw: RawTable, key: PseudonymKey,
                date_orders: dict[str, str] | None = None) -> TableResult:
    """Parse ``raw`` and apply the rules that need only this table.

    Totals rows; type, placeholder, required, whole-number, range,
    plausibility and enumeration rules per cell; date orders and duplicate
    keys per row; identical rows counted. Quarantine values of person
    identifiers are pseudonymised with ``key``. ``date_orders`` maps a date
    column to ``"dmy"`` or ``"mdy"`` (``--date-order``; default day first).

    Raises:
        FatalInputError: a date column that can only be read month first and
            no ``--date-order`` for it (the message names file, column and option).
    """
    orders = date_orders or {}
    rules.check_month_first(raw, orders)
    res = TableResult(raw, pd.DataFrame(index=raw.frame.index))
    for r, (column, value) in rules.totals_rows(raw).items():
        res.whole.setdefault(r, (column, value, schemas.TOTALS_ROW))
    parsed: dict[str, pd.Series] = {}
    bad_cells: dict[str, np.ndarray] = {}
    for col in TABLES[raw.name].columns:
        parsed[col.name], bad_cells[col.name] = _cell_rules(
            res, col, orders.get(col.name, "dmy"), key)
    res.parsed = pd.DataFrame(parsed, index=raw.frame.index)
    _schema_rules(res, bad_cells, key)
    rules.check_date_orders(res)
    rules.check_duplicates(res, bad_cells, key)
    res.identical_rows = rules.identical_rows(res)
    return res


def _cell_rules(res: TableResult, col: Column, order: str,
                key: PseudonymKey) -> tuple[pd.Series, np.ndarray]:
    """Parse one column and record its cell rules; returns the values and the bad cells.

    A control character is the one line of its cell (it replaces a parse
    failure); numbers too large and fractions in whole-number columns follow.
    """
    raw = res.raw
    text = raw.frame[col.name]
    p = _parse_column(raw.name, col, text, raw, order)
    values = p.values
    ctrl = _control_cells(raw.name, col, text)
    if ctrl.any():
        res.add(np.flatnonzero(ctrl), col.name, quarantine_values(col.name, text[ctrl], key),
                schemas.CONTROL_CHARACTER)
        values = values.mask(ctrl)
    bad = p.bad & ~ctrl
    if bad.any():
        res.add(np.flatnonzero(bad), col.name, quarantine_values(col.name, text[bad], key),
                schemas.parse_failure_reason(col))
    bad = bad | ctrl
    checks = []
    if col.kind in ("int", "float"):  # inf, or would not survive the cast to Int64
        checks.append((parse.too_large, schemas.TOO_LARGE))
    if col.kind == "int":
        checks.append((lambda v: ~parse.whole_numbers(v), schemas.NOT_WHOLE))
    for test, reason in checks:
        hit = test(values)
        if hit.any():
            res.add(np.flatnonzero(hit), col.name, text[hit].to_numpy(), reason)
            bad = bad | hit
            values = values.mask(hit)
    return values, bad


def _schema_rules(res: TableResult, bad_cells: dict[str, np.ndarray], key: PseudonymKey) -> None:
    """Required, range, plausibility and enumeration rules (pandera) on the parsed values.

    A cell that could not be parsed already has its line; pandera sees it as null.
    """
    fc = schemas.failure_cases(res.name, res.parsed)
    if not len(fc):
        return
    rows = fc["row"].to_numpy()
    cols = fc["column"].to_numpy()
    keep = np.ones(len(fc), dtype=bool)
    for name in np.unique(cols):
        sel = cols == name
        keep[sel] = ~bad_cells[name][rows[sel]]
    for (name, reason), grp in fc[keep].groupby(["column", "reason"], sort=True):
        r = grp["row"].to_numpy()
        vals = "" if reason == schemas.REQUIRED_MISSING else \
            quarantine_values(name, res.raw.frame[name].iloc[r], key)
        res.add(r, name, vals, reason)


def _control_cells(table: str, col: Column, text: pd.Series) -> np.ndarray:
    """Cells of a text-like column holding a control character (see ``schemas``)."""
    if col.kind not in schemas.CONTROL_CHECKED_KINDS:
        return np.zeros(len(text), dtype=bool)
    return parse.control_characters(text, schemas.allows_line_breaks(table, col.name))
