"""Broken rows for ``--messy``: each an extra row that breaks exactly one rule.

A broken row is a copy of a random original row (so every other cell is
valid) with fresh identifiers (``CX00001``, ``EX00001``...) and one cell
broken; the deliberate duplicates are exact copies placed after their
original. Originals are all kept, unchanged. The written row number of each
broken row (1-based data row, header not counted) goes to ``messy_rows.csv``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from ..contract import TABLES
from ._calendar import day, has
from ._params import NAD
from ._write import as_categorical, fmt_date, fmt_number

KINDS = ("wrong_type", "out_of_range", "unknown_enum", "date_order", "future_date",
         "unknown_team", "empty_required", "duplicate_case_id", "duplicate_employee_start")
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


def applicable_kinds(name: str) -> list[str]:
    """Kinds of breakage that apply to table ``name``."""
    t = TABLES[name]
    kinds = []
    if name in WRONG_TYPE:
        kinds.append("wrong_type")
    if name in OUT_OF_RANGE:
        kinds.append("out_of_range")
    if any(c.kind == "enum" for c in t.columns):
        kinds.append("unknown_enum")
    if name == "cases":
        kinds.append("date_order")
    if name in FUTURE:
        kinds.append("future_date")
    if "team" in t.column_names and name != "areas":
        kinds.append("unknown_team")
    kinds.append("empty_required")
    if name == "cases":
        kinds.append("duplicate_case_id")
    if name == "staff":
        kinds.append("duplicate_employee_start")
    return kinds


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


def _break_one(name: str, kind: str, raw: pd.DataFrame, fmt: pd.DataFrame, until_day: int,
               messy: bool, rng: np.random.Generator, fresh: _Fresh,
               formation_years: list[int], cache: dict) -> tuple[int, dict, str, bool]:
    """(source row, broken row as strings, column, is_duplicate)."""
    n = len(raw)
    col = None
    value: str | None = None
    idx = _eligible(cache, ("all",), lambda: np.ones(n, dtype=bool))
    if kind == "future_date":
        col = FUTURE[name]
        if name == "cases":
            idx = _eligible(cache, ("open",), lambda: ~has(raw["date_closed"].to_numpy()))
        elif name == "staff":
            idx = _eligible(cache, ("open",), lambda: ~has(raw["end_date"].to_numpy()))
    elif kind == "date_order":
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

        use_closed = rng.random() < 0.5
        idx_a = _eligible(cache, ("order_a",), mask_a)
        idx_b = _eligible(cache, ("order_b",), mask_b)
        if use_closed and len(idx_b) or not len(idx_a):
            col, idx = "date_closed", idx_b
        else:
            col, idx = "date_decision", idx_a
    elif kind == "wrong_type":
        col = WRONG_TYPE[name][int(rng.integers(len(WRONG_TYPE[name])))]
        kinds = TABLES[name].column(col).kind
        if kinds == "date":
            idx = _eligible(cache, ("present", col), lambda: has(raw[col].to_numpy()))
        elif kinds in ("float", "int"):
            idx = _eligible(cache, ("present", col), lambda: pd.notna(raw[col]).to_numpy())
    elif kind == "duplicate_case_id" or kind == "duplicate_employee_start":
        i = int(rng.integers(n))
        row = {c: fmt[c].iloc[i] for c in fmt.columns}
        row = {c: (None if pd.isna(v) else str(v)) for c, v in row.items()}
        return i, row, "case_id" if kind == "duplicate_case_id" else "employee_id+start_date", True
    i = int(idx[int(rng.integers(len(idx)))])
    row = {c: fmt[c].iloc[i] for c in fmt.columns}
    row = {c: (None if pd.isna(v) else str(v)) for c, v in row.items()}
    if name in FRESH_ID:
        idc, pat = FRESH_ID[name]
        row[idc] = fresh.next(pat)
    if name == "formation":
        formation_years[0] += 1
        row["year"] = str(formation_years[0])
    if kind == "wrong_type":
        value = TYPE_TOKENS[int(rng.integers(len(TYPE_TOKENS)))]
        if TABLES[name].column(col).kind == "bool":
            value = "misschien"
    elif kind == "out_of_range":
        col, vals = OUT_OF_RANGE[name]
        v = vals[int(rng.integers(len(vals)))]
        value = fmt_number(v, messy, integer=TABLES[name].column(col).kind == "int")
    elif kind == "unknown_enum":
        cols = [c.name for c in TABLES[name].columns if c.kind == "enum"]
        col = cols[int(rng.integers(len(cols)))]
        value = UNKNOWN_ENUM[col]
    elif kind == "date_order":
        r = int(raw["date_report"].iloc[i])
        if col == "date_closed":
            value = fmt_date(r - int(rng.integers(1, 15)), messy, rng)
        else:
            value = fmt_date(int(raw["date_application"].iloc[i]) - 1, messy, rng)
    elif kind == "future_date":
        value = fmt_date(_future_day(until_day, rng), messy, rng)
        if name == "staff":
            row["end_date"] = None
            row["end_reason"] = None
    elif kind == "unknown_team":
        col = "team"
        value = UNKNOWN_TEAMS[int(rng.integers(len(UNKNOWN_TEAMS)))]
    elif kind == "empty_required":
        opts = EMPTY_REQUIRED[name]
        col = opts[int(rng.integers(len(opts)))]
        value = None
    row[col] = value
    return i, row, col, False


def add_broken_rows(name: str, raw: pd.DataFrame, fmt: pd.DataFrame, until_day: int, messy: bool,
                    rng: np.random.Generator, fresh: _Fresh) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``fmt`` with broken rows inserted, and the messy_rows records of this table."""
    n = len(fmt)
    kinds = applicable_kinds(name)
    total = max(len(kinds), int(round(BROKEN_SHARE * n)))
    extra = [kinds[int(k)] for k in rng.integers(0, len(kinds), total - len(kinds))]
    plan = kinds + extra
    formation_years = [2040]
    cache: dict = {}
    rows, keys, cols, kinds_out = [], [], [], []
    for kind in plan:
        i, row, col, dup = _break_one(name, kind, raw, fmt, until_day, messy, rng, fresh,
                                      formation_years, cache)
        rows.append(row)
        keys.append(i + rng.uniform(0.1, 0.9) + (int(rng.integers(0, 20)) if dup else 0)
                    if dup else rng.uniform(-0.5, n - 0.5))
        cols.append(col)
        kinds_out.append(kind)
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
                        "reason_kind": kinds_out})
    return df, log.sort_values("row_number", ignore_index=True)


__all__ = ["KINDS", "add_broken_rows", "applicable_kinds", "NAD"]
