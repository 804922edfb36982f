"""Broken rows for ``--messy``: each an extra row that breaks exactly one rule.

A broken row is a copy of a random original row (so every other cell is
valid) with fresh identifiers (``CX00001``, ``EX00001``...) and one cell
broken; the deliberate duplicates are exact copies placed after their
original. Real exports also hold rows that are no data at all: a totals row
(``Totaal`` in the organisation or id column) and a line whose quote is
never closed. Originals are all kept, unchanged. The written row number of
each broken row (1-based data row, header not counted) goes to
``messy_rows.csv``; so do the planted identical rows (kind
``identical_row``), which are real data and stay clean.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from ..contract import TABLES
from ._calendar import day, has
from ._params import NAD
from ._write import UNCLOSED_QUOTE, as_categorical, fmt_date, fmt_number

KINDS = ("wrong_type", "out_of_range", "unknown_enum", "date_order", "future_date",
         "unknown_team", "empty_required", "duplicate_case_id", "duplicate_employee_start",
         "totals_row", "unclosed_quote", "placeholder_id", "implausible")
#: Rows kept clean but planted: exact copies of a row in a table without a key.
IDENTICAL = "identical_row"
BROKEN_SHARE = 0.007
TYPE_TOKENS = ("NULL", "NA", "-", "onbekend")
UNKNOWN_TEAMS = ("Team Onbekend", "Wijkteam Noord", "DOCK-9")
#: Values that are no spelling of any canonical value in resources/spellings.yaml (tested).
UNKNOWN_ENUM = {
    "role": "stagiair", "end_reason": "reorganisatie", "activity": "reistijd",
    "legal_framework": "Wlz", "assignment_type": "project", "funding_type": "subsidie",
    "unit": "uren", "direction": "stabiel", "result_level": "proces",
}
#: Per table: columns that may take a type error; out-of-range (column, values).
WRONG_TYPE = {
    "areas": ("population", "pact"), "staff": ("fte", "start_date"),
    "time_registrations": ("hours", "date"), "cases": ("date_report", "date_first_contact"),
    "formation": ("budgeted_fte",), "budgets": ("amount_eur", "start_date"),
    "kpi_register": ("target", "quality_block"), "kpi_values": ("value",), "signals": ("date",),
    "cost_index": ("cao_wage_increase_pct",),
}
OUT_OF_RANGE = {
    "areas": ("population", (-5.0,)), "staff": ("fte", (0.0, 1.5)),
    "time_registrations": ("hours", (0.0, 25.0)), "formation": ("budgeted_fte", (-2.5,)),
    "budgets": ("amount_eur", (-1500.0,)), "kpi_register": ("quality_block", (0.0, 8.0)),
    "cost_index": ("cao_wage_increase_pct", (35.0,)),
}
EMPTY_REQUIRED = {
    "areas": ("area_name", "organisation"), "staff": ("employee_id", "organisation", "fte"),
    "time_registrations": ("employee_id", "activity", "hours"),
    "cases": ("client_id", "organisation", "legal_framework"),
    "formation": ("organisation", "budgeted_fte"),
    "budgets": ("assignment_id", "assignment_type", "amount_eur"),
    "kpi_register": ("name",), "kpi_values": ("organisation", "period"),
    "signals": ("organisation", "text"),
    "cost_index": ("year", "municipal_indexation_pct"),
}
FUTURE = {"staff": "start_date", "time_registrations": "date", "cases": "date_closed",
          "signals": "date"}
FRESH_ID = {"areas": ("area_code", "WKX{:04d}"), "staff": ("employee_id", "EX{:05d}"),
            "time_registrations": ("employee_id", "EX{:05d}"), "cases": ("case_id", "CX{:05d}"),
            "budgets": ("assignment_id", "AX{:04d}"), "kpi_register": ("kpi_id", "KPIX{:03d}"),
            "kpi_values": ("kpi_id", "KPIX{:03d}")}
#: Tables whose broken rows need a fresh year (the year is part of their key).
FRESH_YEAR = ("formation", "cost_index")
#: Totals rows: (column saying the word, word, number column holding a sum).
TOTALS = {
    "staff": ("organisation", "Totaal", "fte"),
    "time_registrations": ("organisation", "Totaal", "hours"),
    "cases": ("case_id", "Eindtotaal", None),
    "formation": ("organisation", "Totaal", "budgeted_fte"),
    "budgets": ("organisation", "Eindtotaal", "amount_eur"),
}
#: A line whose quote is never closed: (table, free-text cell that opens it).
UNCLOSED = {"cases": "closure_reason"}
#: Required identifiers written as a placeholder that means "missing" (contract section 6).
PLACEHOLDER_ID = {"staff": ("employee_id", "n.v.t."), "time_registrations": ("employee_id", "onbekend"),
                  "cases": ("client_id", "NULL")}
#: Numbers outside the plausible range (resources/plausible_ranges.yaml), as exports write them.
IMPLAUSIBLE = {"formation": ("budgeted_fte", "12.500"), "areas": ("population", "1.250.000")}
#: Kinds planted once per table (a file has one totals row at its end).
ONCE = ("totals_row",)
#: Tables without a key that get exact copies of a few rows (kept clean, counted).
IDENTICAL_ROWS = {"time_registrations": 3, "budgets": 1}


def applicable_kinds(name: str) -> list[str]:
    """Kinds of breakage that apply to table ``name``."""
    t = TABLES[name]
    checks = [
        ("wrong_type", name in WRONG_TYPE),
        ("out_of_range", name in OUT_OF_RANGE),
        ("unknown_enum", any(c.kind == "enum" for c in t.columns)),
        ("date_order", name == "cases"),
        ("future_date", name in FUTURE),
        ("unknown_team", "team" in t.column_names and name != "areas"),
        ("empty_required", True),
        ("duplicate_case_id", name == "cases"),
        ("duplicate_employee_start", name == "staff"),
        ("totals_row", name in TOTALS),
        ("unclosed_quote", name in UNCLOSED),
        ("placeholder_id", name in PLACEHOLDER_ID),
        ("implausible", name in IMPLAUSIBLE),
    ]
    return [k for k, ok in checks if ok]


class _Fresh:
    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, pattern: str) -> str:
        k = self.n.get(pattern, 0) + 1
        self.n[pattern] = k
        return pattern.format(k)


def _future_day(until_day: int, rng: np.random.Generator) -> int:
    # Far beyond any real run date, so the row is quarantined as "after as-of"
    # whatever day `zwt clean` runs on (its default as-of never passes the run day).
    return max(until_day, day(date(2099, 1, 1))) + 1 + int(rng.integers(0, 600))


def _eligible(cache: dict, key: tuple, fn) -> np.ndarray:
    """Row indices where ``fn()`` is true, computed once per key (large tables)."""
    if key not in cache:
        cache[key] = np.flatnonzero(fn())
    return cache[key]


def _order_masks(raw: pd.DataFrame) -> tuple:
    def mask_a() -> np.ndarray:
        rep = raw["date_report"].to_numpy()
        app = raw["date_application"].to_numpy()
        dec = raw["date_decision"].to_numpy()
        ass = raw["date_assessment_done"].to_numpy()
        return has(app) & has(dec) & (app > rep) & (~has(ass) | (app > ass))

    def mask_b() -> np.ndarray:
        others = [raw[c].to_numpy() for c in ("date_first_contact", "date_assessment_done",
                                              "date_application", "date_decision")]
        return has(raw["date_closed"].to_numpy()) & ~np.logical_or.reduce([has(o) for o in others])

    return mask_a, mask_b


def _pick(name: str, kind: str, raw: pd.DataFrame, rng: np.random.Generator,
          cache: dict) -> tuple[np.ndarray, str | None]:
    """Rows a broken row of ``kind`` may copy, and the column it breaks (if fixed by the kind)."""
    n = len(raw)
    idx = _eligible(cache, ("all",), lambda: np.ones(n, dtype=bool))
    col = None
    if kind == "future_date":
        col = FUTURE[name]
        if name in ("cases", "staff"):
            end = "date_closed" if name == "cases" else "end_date"
            idx = _eligible(cache, ("open",), lambda: ~has(raw[end].to_numpy()))
    elif kind == "date_order":
        mask_a, mask_b = _order_masks(raw)
        use_closed = rng.random() < 0.5
        idx_a = _eligible(cache, ("order_a",), mask_a)
        idx_b = _eligible(cache, ("order_b",), mask_b)
        if use_closed and len(idx_b) or not len(idx_a):
            col, idx = "date_closed", idx_b
        else:
            col, idx = "date_decision", idx_a
    elif kind == "wrong_type":
        col = WRONG_TYPE[name][int(rng.integers(len(WRONG_TYPE[name])))]
        k = TABLES[name].column(col).kind
        if k == "date":
            idx = _eligible(cache, ("present", col), lambda: has(raw[col].to_numpy()))
        elif k in ("float", "int"):
            idx = _eligible(cache, ("present", col), lambda: pd.notna(raw[col]).to_numpy())
    return idx, col


def _broken_value(name: str, kind: str, col: str | None, i: int, raw: pd.DataFrame, row: dict,
                  until_day: int, messy: bool, rng: np.random.Generator) -> tuple[str, str | None]:
    """``(column, value)`` that breaks ``row`` (a copy of raw row ``i``) the way ``kind`` says."""
    if kind == "wrong_type":
        value = TYPE_TOKENS[int(rng.integers(len(TYPE_TOKENS)))]
        return col, "misschien" if TABLES[name].column(col).kind == "bool" else value
    if kind == "out_of_range":
        col, vals = OUT_OF_RANGE[name]
        v = vals[int(rng.integers(len(vals)))]
        return col, fmt_number(v, messy, integer=TABLES[name].column(col).kind == "int")
    if kind == "unknown_enum":
        cols = [c.name for c in TABLES[name].columns if c.kind == "enum"]
        col = cols[int(rng.integers(len(cols)))]
        return col, UNKNOWN_ENUM[col]
    if kind == "date_order":
        r = int(raw["date_report"].iloc[i])
        if col == "date_closed":
            return col, fmt_date(r - int(rng.integers(1, 15)), messy, rng)
        return col, fmt_date(int(raw["date_application"].iloc[i]) - 1, messy, rng)
    if kind == "future_date":
        if name == "staff":
            row["end_date"] = None
            row["end_reason"] = None
        return col, fmt_date(_future_day(until_day, rng), messy, rng)
    if kind == "unknown_team":
        return "team", UNKNOWN_TEAMS[int(rng.integers(len(UNKNOWN_TEAMS)))]
    if kind == "empty_required":
        opts = EMPTY_REQUIRED[name]
        return opts[int(rng.integers(len(opts)))], None
    if kind == "unclosed_quote":
        col = UNCLOSED[name]
        return col, UNCLOSED_QUOTE + "cliënt verhuisd naar " + str(row.get("client_id") or "")
    if kind == "placeholder_id":
        return PLACEHOLDER_ID[name]
    if kind == "implausible":
        return IMPLAUSIBLE[name]
    raise ValueError(kind)  # pragma: no cover


def _totals_row(name: str, fmt: pd.DataFrame, raw: pd.DataFrame, messy: bool) -> tuple[dict, str]:
    """A totals row as pivot exports write it: the word, a sum, every other cell empty."""
    col, word, number = TOTALS[name]
    row: dict = dict.fromkeys(fmt.columns)
    row[col] = word
    if number is not None:
        row[number] = fmt_number(float(np.nansum(raw[number].to_numpy(dtype=float))), messy)
    return row, col


def _break_one(name: str, kind: str, raw: pd.DataFrame, fmt: pd.DataFrame, until_day: int,
               messy: bool, rng: np.random.Generator, fresh: _Fresh,
               years: list[int], cache: dict) -> tuple[int, dict, str, bool]:
    """(source row, broken row as strings, column, is_duplicate)."""
    if kind in ("duplicate_case_id", "duplicate_employee_start"):
        i = int(rng.integers(len(raw)))
        row = {c: (None if pd.isna(v) else str(v)) for c, v in fmt.iloc[i].items()}
        return i, row, "case_id" if kind == "duplicate_case_id" else "employee_id+start_date", True
    if kind == "totals_row":
        row, col = _totals_row(name, fmt, raw, messy)
        return len(raw) - 1, row, col, False
    idx, col = _pick(name, kind, raw, rng, cache)
    i = int(idx[int(rng.integers(len(idx)))])
    row = {c: (None if pd.isna(v) else str(v)) for c, v in fmt.iloc[i].items()}
    if name in FRESH_ID:
        idc, pat = FRESH_ID[name]
        row[idc] = fresh.next(pat)
    if name in FRESH_YEAR:
        years[0] += 1
        row["year"] = str(years[0])
    col, value = _broken_value(name, kind, col, i, raw, row, until_day, messy, rng)
    row[col] = value
    return i, row, col, False


def add_broken_rows(name: str, raw: pd.DataFrame, fmt: pd.DataFrame, until_day: int, messy: bool,
                    rng: np.random.Generator, fresh: _Fresh) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``fmt`` with broken (and identical) rows inserted, and the messy_rows records of this table.

    A totals row goes last (where pivot exports put it); a duplicate or an
    identical row right after (or a little after) its original; the others
    anywhere.
    """
    n = len(fmt)
    kinds = applicable_kinds(name)
    total = max(len(kinds), int(round(BROKEN_SHARE * n)))
    again = [k for k in kinds if k not in ONCE]
    extra = [again[int(k)] for k in rng.integers(0, len(again), total - len(kinds))]
    plan = kinds + extra + [IDENTICAL] * IDENTICAL_ROWS.get(name, 0)
    years = [2040]
    cache: dict = {}
    rows, keys, cols, kinds_out = [], [], [], []
    for kind in plan:
        if kind == IDENTICAL:
            i = int(rng.integers(n))
            row = {c: (None if pd.isna(v) else str(v)) for c, v in fmt.iloc[i].items()}
            rows.append(row)
            keys.append(i + 0.5)
            cols.append("")
            kinds_out.append(kind)
            continue
        i, row, col, dup = _break_one(name, kind, raw, fmt, until_day, messy, rng, fresh,
                                      years, cache)
        rows.append(row)
        if kind == "totals_row":
            keys.append(n + 1.0)
        elif dup:
            keys.append(i + rng.uniform(0.1, 0.9) + int(rng.integers(0, 20)))
        else:
            keys.append(rng.uniform(-0.5, n - 0.5))
        cols.append(col)
        kinds_out.append(kind)
    return _insert(fmt, rows, keys, name, cols, kinds_out)


def _insert(fmt: pd.DataFrame, rows: list[dict], keys: list[float], name: str, cols: list[str],
            kinds: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(fmt)
    keys_all = np.concatenate([np.arange(n, dtype=float), np.asarray(keys, dtype=float)])
    order = np.argsort(keys_all, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    out = {}
    for c in fmt.columns:
        broken = as_categorical(pd.Series([r[c] for r in rows], dtype=object))
        u = union_categoricals([fmt[c].array, broken])
        out[c] = pd.Categorical.from_codes(np.asarray(u.codes)[order], u.categories)
    df = pd.DataFrame(out)
    log = pd.DataFrame({"table": name, "row_number": position[n:] + 1, "column": cols,
                        "reason_kind": kinds})
    return df, log.sort_values("row_number", ignore_index=True)


__all__ = ["IDENTICAL", "KINDS", "add_broken_rows", "applicable_kinds", "NAD"]
