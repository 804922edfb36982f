"""Row rules that need one table only (data contract section 2).

:func:`check_table` parses every cell of a raw table (:mod:`.parse`) and
records each broken rule in a :class:`TableResult`: type, placeholder,
control character, required, whole-number, range and enumeration rules per
cell (the last three through the pandera schemas of :mod:`.schemas`); date
orders and duplicate keys per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zwt_analysis.contract import PERSON_ID_COLUMNS, TABLES, Column
from zwt_analysis.ingest import parse, schemas
from zwt_analysis.ingest.names import norm
from zwt_analysis.ingest.privacy import PseudonymKey, pseudonymise
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
        frames = [f for f in self.issues if len(f)]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "object")
                                 for c in ISSUE_COLUMNS})
        df = pd.concat(frames, ignore_index=True)
        if self.raw.bad_rows:
            whole = np.array(sorted(self.raw.bad_rows), dtype="int64")
            df = df[~df["row"].isin(whole)]
            df = pd.concat([df, pd.DataFrame({
                "row": whole, "column": "",
                "value": "", "reason": [self.raw.bad_rows[r] for r in whole],
                "rule": "wrong number of fields",
            })], ignore_index=True)
        return df

    def broken_rows(self) -> np.ndarray:
        """Boolean mask: rows that break at least one rule so far."""
        mask = np.zeros(len(self.parsed), dtype=bool)
        for f in self.issues:
            mask[f["row"].to_numpy()] = True
        if self.raw.bad_rows:
            mask[list(self.raw.bad_rows)] = True
        return mask


def _as_cells(x: object) -> object:
    return x if isinstance(x, str) else np.asarray(x, dtype=object)


def _parse_column(col: Column, text: pd.Series, decimal_comma: bool) -> parse.Parsed:
    kind = col.kind
    if kind in ("id", "text"):
        return parse.parse_unique(text, parse.parse_text)
    if kind == "enum":
        return parse.parse_unique(text, lambda s: parse.parse_enum(s, col.name))
    if kind == "bool":
        return parse.parse_unique(text, parse.parse_bool)
    if kind == "date":
        return parse.parse_unique(text, parse.parse_date_fast)
    if kind in ("int", "float"):
        return parse.parse_unique(text, lambda s: parse.parse_number(s, decimal_comma))
    if kind == "period":
        return parse.parse_unique(text, parse.parse_period)
    raise ValueError(f"unknown column kind {kind!r}")  # pragma: no cover - contract bug


def check_table(raw: RawTable, key: PseudonymKey) -> TableResult:
    """Parse ``raw`` and apply the rules that need only this table.

    Type, placeholder, required, whole-number, range and enumeration rules
    per cell; date orders and duplicate keys per row. Quarantine values of
    person identifiers are pseudonymised with ``key``.
    """
    table = TABLES[raw.name]
    frame = raw.frame
    parsed: dict[str, pd.Series] = {}
    res = TableResult(raw, pd.DataFrame(index=frame.index))
    bad_cells: dict[str, np.ndarray] = {}
    for col in table.columns:
        text = frame[col.name]
        p = _parse_column(col, text, raw.decimal_comma)
        values = p.values
        # A control character is the one line of its cell (it replaces a parse failure).
        ctrl = _control_cells(raw.name, col, text)
        if ctrl.any():
            res.add(np.flatnonzero(ctrl), col.name, _quarantine_values(col.name, text[ctrl], key),
                    schemas.CONTROL_CHARACTER)
            values = values.mask(ctrl)
        bad = p.bad & ~ctrl
        if bad.any():
            res.add(np.flatnonzero(bad), col.name, _quarantine_values(col.name, text[bad], key),
                    schemas.parse_failure_reason(col))
        bad = bad | ctrl
        if col.kind in ("int", "float"):
            big = parse.too_large(values)  # inf, or would not survive the cast to Int64
            if big.any():
                res.add(np.flatnonzero(big), col.name, text[big].to_numpy(), schemas.TOO_LARGE)
                bad = bad | big
                values = values.mask(big)
        if col.kind == "int":
            frac = ~parse.whole_numbers(values)
            if frac.any():
                res.add(np.flatnonzero(frac), col.name, text[frac].to_numpy(), schemas.NOT_WHOLE)
                bad = bad | frac
                values = values.mask(frac)
        bad_cells[col.name] = bad
        parsed[col.name] = values
    res.parsed = pd.DataFrame(parsed, index=frame.index)

    fc = schemas.failure_cases(raw.name, res.parsed)
    if len(fc):
        # A cell that could not be parsed already has its line; pandera sees it as null.
        rows = fc["row"].to_numpy()
        cols = fc["column"].to_numpy()
        keep = np.ones(len(fc), dtype=bool)
        for name in np.unique(cols):
            sel = cols == name
            keep[sel] = ~bad_cells[name][rows[sel]]
        fc = fc[keep]
        for (name, reason), grp in fc.groupby(["column", "reason"], sort=True):
            r = grp["row"].to_numpy()
            vals = "" if reason == schemas.REQUIRED_MISSING else \
                _quarantine_values(name, frame[name].iloc[r], key)
            res.add(r, name, vals, reason)

    _check_date_orders(res)
    _check_duplicates(res, bad_cells, key)
    return res


def _control_cells(table: str, col: Column, text: pd.Series) -> np.ndarray:
    """Cells of a text-like column holding a control character (see ``schemas``)."""
    if col.kind not in schemas.CONTROL_CHECKED_KINDS:
        return np.zeros(len(text), dtype=bool)
    return parse.control_characters(text, schemas.allows_line_breaks(table, col.name))


def _quarantine_values(column: str, text: pd.Series, key: PseudonymKey) -> np.ndarray:
    """Cell text as shown in quarantine.csv: person identifiers pseudonymised."""
    if column in PERSON_ID_COLUMNS:
        t = text.astype("string").str.strip()
        return pseudonymise(t.mask(t == ""), key).fillna("").to_numpy(dtype=object)
    return text.to_numpy(dtype=object)


def _check_date_orders(res: TableResult) -> None:
    """Date pairs of ``schemas.DATE_ORDERS``: the later date may not be before the earlier."""
    for later, earlier in schemas.DATE_ORDERS.get(res.name, ()):
        a, b = res.parsed[later], res.parsed[earlier]
        broken = (a < b).fillna(False).to_numpy(dtype=bool)
        if broken.any():
            res.add(np.flatnonzero(broken), later, res.raw.frame[later][broken].to_numpy(),
                    schemas.order_reason(later, earlier))


def _check_duplicates(res: TableResult, bad_cells: dict[str, np.ndarray], key: PseudonymKey) -> None:
    """Second and later rows with the same key (among rows whose key cells are valid)."""
    table = TABLES[res.name]
    if not table.key:
        return
    k = list(table.key)
    sub = res.parsed[k]
    valid = sub.notna().all(axis=1).to_numpy(copy=True)
    for c in k:
        valid &= ~bad_cells[c]
    if not valid.any():
        return
    sub = sub[valid].copy()
    for c in k:
        if table.column(c).kind == "text":  # organisation: spelling-insensitive
            sub[c] = norm(sub[c])
    dup = sub.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    positions = np.flatnonzero(valid)
    group = sub.groupby(k, sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(positions).groupby(group).transform("min").to_numpy()
    rows = positions[dup]
    first_rows = first[dup] + 1
    parts = [pd.Series(_quarantine_values(c, res.raw.frame[c].iloc[rows], key)).astype(str)
             for c in k]
    value = parts[0]
    for p in parts[1:]:
        value = value + "+" + p
    label = schemas.key_label(table.key)
    reasons = [schemas.duplicate_reason(table.key, int(f)) for f in first_rows]
    res.add(rows, label, value.to_numpy(dtype=object), reasons, rule=f"duplicate {label}")
