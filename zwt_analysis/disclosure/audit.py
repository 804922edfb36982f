"""The audit: can a reader recompute, or narrow down, a suppressed cell?

For every sensitive unknown -- a suppressed ``<5`` count, a suppressed sum,
and every count a reader can compute but that is never printed (``whole -
part``, organisations minus city of a distinct count) -- the audit computes
the smallest and largest value it can take given everything published: the
intruder's problem of Hundepool et al. (2012, ch. 4), two linear programmes
(scipy ``linprog``, HiGHS) over the relations of the linked tables, with
integrality relaxed. What a reader knows from a symbol is part of it:
``<5`` is 0..4, ``x`` on a count is at least 5, every count and sum is >= 0.

Protection rules (``resources/disclosure.yaml``):

- a count that may be 1..4 must keep at least ``min_range_persons`` (2)
  persons of whole values it can take (so ``3`` or ``3 or 4`` is
  recomputed, ``2, 3 or 4`` is protected); a count known to be 0 or >= 5
  is not sensitive;
- a suppressed sum must keep an interval at least ``protection_percent``
  (10%) of its largest possible value wide (the p% protection level);
- a ``<5`` that must be 5 or more is a false label;
- and, without linear programming: no count of 1..4 persons is printed, no
  cell is printed with fewer than 5 persons behind it, no share or interval
  is printed beside a suppressed source, and no cell is printed in one file
  while another file suppresses it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

from zwt_analysis.disclosure.build import Fragment, Link, build
from zwt_analysis.disclosure.model import Kind, LinkedTables, Var, reader_bounds
from zwt_analysis.disclosure.rules import Rules, default_rules
from zwt_analysis.disclosure.schema import TableSchema

_EPS = 1e-6


@dataclass(frozen=True)
class Finding:
    """An unprotected cell.

    Attributes:
        file: the file (or table) that prints it.
        row: 1-based data row (the CSV line is ``row + 1``).
        column: the column, or ``whole - part`` for a computed count.
        shown: what the file shows ('' for a count that is never printed).
        lower / upper: the interval a reader can narrow it down to.
        reason: why it is unprotected.
    """

    file: str
    row: int
    column: str
    shown: str
    lower: float
    upper: float
    reason: str
    var: int = field(default=-1, compare=False, repr=False)

    @property
    def exact(self) -> bool:
        """True when the reader recomputes the value exactly (whole numbers)."""
        return math.isfinite(self.lower) and math.isfinite(self.upper) and \
            math.ceil(self.lower - _EPS) >= math.floor(self.upper + _EPS)

    def line(self) -> str:
        """One line for the command line: file, row, column, interval, reason."""
        lo = _fmt(self.lower)
        hi = _fmt(self.upper)
        shown = f" shows {self.shown!r}" if self.shown else " (computed)"
        return f"{self.file}\trow {self.row}\t{self.column}{shown}\t[{lo}, {hi}]\t{self.reason}"


@dataclass
class AuditResult:
    """Outcome of an audit.

    Attributes:
        unprotected: the findings.
        cells: printed cells under disclosure control (each copy counted).
        suppressed: of which printed as a symbol.
        unknown_tables: files without a schema (not audited).
        issues: relations left out, inconsistent copies.
    """

    unprotected: list[Finding]
    cells: int = 0
    suppressed: int = 0
    unknown_tables: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no cell is unprotected."""
        return not self.unprotected

    @property
    def exact(self) -> list[Finding]:
        """Findings recomputed exactly."""
        return [f for f in self.unprotected if f.exact]


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.6g}"


# --------------------------------------------------------------------- bounds


def _program(model: LinkedTables, unknown: list[int], rels: list[int],
             bounds: list[tuple[float, float]]) -> dict:
    """linprog keyword arguments of the relations over ``unknown`` (published cells as constants)."""
    col = {v: j for j, v in enumerate(unknown)}
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for r in rels:
        rel = model.relations[r]
        row = np.zeros(len(unknown))
        rhs = 0.0
        for i, c in rel.terms:
            if i in col:
                row[col[i]] += c
            else:
                rhs -= c * model.vars[i].value
        (a_eq if rel.equal else a_ub).append(row)
        (b_eq if rel.equal else b_ub).append(rhs)
    return {"A_eq": np.array(a_eq) if a_eq else None, "b_eq": b_eq or None,
            "A_ub": np.array(a_ub) if a_ub else None, "b_ub": b_ub or None,
            "bounds": [(lo if math.isfinite(lo) else None, hi if math.isfinite(hi) else None)
                       for lo, hi in bounds], "method": "highs"}


def _solve(model: LinkedTables, unknown: list[int], rels: list[int], targets: Iterable[int],
           bounds: list[tuple[float, float]],
           enough: Callable[[int, float, float], bool]) -> dict[int, tuple[float, float]] | None:
    """Min and max of each target over the relations; None when infeasible.

    Every solution found is kept; a target whose values over those solutions
    already span an interval ``enough`` calls protected gets that (inner)
    interval instead of its two programmes.
    """
    kw = _program(model, unknown, rels, bounds)
    col = {v: j for j, v in enumerate(unknown)}
    seen: list[np.ndarray] = []
    out: dict[int, tuple[float, float]] = {}
    for t in targets:
        ends = []
        for sign in (1.0, -1.0):
            if seen:
                vals = [x[col[t]] for x in seen]
                if enough(t, min(vals), max(vals)):
                    break
            c = np.zeros(len(unknown))
            c[col[t]] = sign
            res = linprog(c, **kw)
            if res.status == 2:
                return None
            if res.status == 0:
                seen.append(res.x)
            ends.append(sign * res.fun if res.status == 0 else math.inf * -sign)
        if len(ends) == 2:
            out[t] = (ends[0], ends[1])
        else:  # the solutions found already span an interval wide enough
            vals = [x[col[t]] for x in seen] + ends
            out[t] = (min(vals), max(vals))
    return out


def _single(model: LinkedTables, i: int, rels: list[int], own: tuple[float, float]
            ) -> tuple[float, float] | None:
    """Bounds of a lone unknown from its relations; None when they contradict ``own``."""
    lo, hi = own
    for r in rels:
        rel = model.relations[r]
        c = sum(cc for j, cc in rel.terms if j == i)
        rest = sum(cc * model.vars[j].value for j, cc in rel.terms if j != i)
        x = -rest / c
        if rel.equal:
            lo, hi = max(lo, x), min(hi, x)
        elif c > 0:
            hi = min(hi, x)
        else:
            lo = max(lo, x)
    return (lo, hi) if lo <= hi + _EPS * max(1.0, abs(lo)) else None


def component_bounds(model: LinkedTables, rules: Rules, unknown: list[int], rels: list[int],
                     targets: Sequence[int]) -> tuple[dict[int, tuple[float, float]], bool]:
    """Bounds of ``targets`` within one component of unknowns.

    Returns:
        ({var: (lower, upper)}, consistent): ``consistent`` is False when the
        symbols contradict the published numbers (the bounds are then those
        without what the symbols say).
    """
    own = [reader_bounds(model.vars[i], rules) for i in unknown]
    loose = [(-math.inf, math.inf) if model.vars[i].signed else (0.0, math.inf) for i in unknown]
    if len(unknown) == 1:
        b = _single(model, unknown[0], rels, own[0])
        if b is not None:
            return {unknown[0]: b}, True
        b = _single(model, unknown[0], rels, loose[0])
        if b is None:
            model.issues.append(f"relations contradict each other: {model.relations[rels[0]].what}")
            b = loose[0]
        return {unknown[0]: b}, False
    def enough(t: int, lo: float, hi: float) -> bool:
        return wide(model.vars[t], lo, hi, rules)

    res = _solve(model, unknown, rels, targets, own, enough)
    if res is not None:
        return res, True
    res = _solve(model, unknown, rels, targets, loose, lambda t, lo, hi: False)
    if res is None:
        model.issues.append(f"relations contradict each other: {model.relations[rels[0]].what}")
        res = {t: loose[unknown.index(t)] for t in targets}
    return res, False


# --------------------------------------------------------------------- checks


def _sensitive(v: Var, rules: Rules) -> bool:
    """Needs an interval check: a ``<5`` count, a computed count, a suppressed sum."""
    if v.kind is Kind.PERSONS:
        return v.virtual or (v.hidden and v.label == rules.small)
    return v.kind is Kind.MAGNITUDE and v.hidden


def _whole(x: float, rnd: Callable[[float], int]) -> float:
    """``x`` rounded to a whole number of persons (infinite stays infinite)."""
    if math.isinf(x):
        return x
    return float(rnd(x - _EPS if rnd is math.ceil else x + _EPS))


def wide(v: Var, lo: float, hi: float, rules: Rules) -> bool:
    """True when [lo, hi] is wide enough for ``v`` whatever its value (so is any wider one)."""
    if v.kind is Kind.PERSONS:
        return _whole(hi, math.floor) - _whole(lo, math.ceil) >= rules.min_range_persons
    return hi - lo >= rules.protection_percent / 100.0 * max(abs(lo), abs(hi)) - _EPS


def interval_reason(v: Var, lo: float, hi: float, rules: Rules, consistent: bool = True
                    ) -> str | None:
    """Why ``v`` is unprotected with feasible interval [lo, hi] (None: protected)."""
    if v.kind is Kind.PERSONS:
        low_end, high_end = _whole(lo, math.ceil), _whole(hi, math.floor)
        if v.label == rules.small and low_end >= rules.min_persons:
            return f"shown as {rules.small} but is at least {rules.min_persons}"
        first = 0 if rules.suppress_zeros else 1
        if high_end >= first and low_end <= rules.min_persons - 1 and \
                high_end - low_end < rules.min_range_persons:
            what = "recomputed exactly" if high_end == low_end else "narrowed down"
            return what + ("" if consistent else " (symbols contradict the totals)")
        return None
    big = max(abs(lo), abs(hi))
    if math.isfinite(big) and hi - lo < rules.protection_percent / 100.0 * big - _EPS:
        return f"sum known within less than {rules.protection_percent:g}%"
    return None


def _finding(v: Var, i: int, lo: float, hi: float, reason: str) -> Finding:
    ref = v.refs[0] if v.refs else None
    shown = "" if v.virtual else (v.label or _fmt(v.value))
    return Finding(ref.file if ref else v.key.measure, (ref.row + 1) if ref else 0,
                   ref.column if ref else v.what, shown, lo, hi, reason, i)


def direct_findings(model: LinkedTables, rules: Rules) -> list[Finding]:
    """Findings that need no linear programming (see the module docstring)."""
    out = []
    for i, v in enumerate(model.vars):
        if v.virtual or v.fixed:
            continue
        if v.published and v.kind is Kind.PERSONS and rules.is_small(v.value):
            out.append(_finding(v, i, v.value, v.value, f"count below {rules.min_persons} printed"))
        k = model.contributors.get(i)
        if v.published and k is not None and v.kind is not Kind.DERIVED:
            kv = model.vars[k]
            few = rules.is_small(kv.value) if kv.published else kv.label == rules.small
            if few:
                out.append(_finding(v, i, v.value, v.value,
                                    f"printed with fewer than {rules.min_persons} persons behind it"))
        if v.published and v.kind is Kind.DERIVED and any(
                model.unknown(s) for s in model.derived.get(i, ())):
            out.append(_finding(v, i, v.value, v.value, "printed beside a suppressed source"))
        for ref, label in v.exposed:
            false = label == rules.small and v.value >= rules.min_persons
            out.append(Finding(ref.file, ref.row + 1, ref.column, label, v.value, v.value,
                               "printed in another file" + (f" (the {label} is false)" if false
                                                            else ""), i))
    return out


def lp_findings(model: LinkedTables, rules: Rules,
                components: Sequence[tuple[list[int], list[int]]] | None = None) -> list[Finding]:
    """Interval findings over ``components`` (default: all) and lone unknowns."""
    comps = model.components() if components is None else components
    out = []
    in_comp = set()
    for unknown, rels in comps:
        in_comp.update(unknown)
        targets = [i for i in unknown if _sensitive(model.vars[i], rules)]
        if not targets:
            continue
        res, consistent = component_bounds(model, rules, unknown, rels, targets)
        for t, (lo, hi) in res.items():
            reason = interval_reason(model.vars[t], lo, hi, rules, consistent)
            if reason:
                out.append(_finding(model.vars[t], t, lo, hi, reason))
    if components is None:
        out.extend(_lone_findings(model, rules, in_comp))
    return out


def _lone_findings(model: LinkedTables, rules: Rules, linked: set[int]) -> list[Finding]:
    """Sensitive unknowns in no relation: what their symbol says is all a reader knows."""
    out = []
    for i, v in enumerate(model.vars):
        if i in linked or not model.unknown(i) or not _sensitive(v, rules):
            continue
        lo, hi = reader_bounds(v, rules)
        reason = interval_reason(v, lo, hi, rules)
        if reason:
            out.append(_finding(v, i, lo, hi, reason))
    return out


def audit_model(model: LinkedTables, rules: Rules | None = None) -> list[Finding]:
    """All findings of a model (direct and by linear programming)."""
    rules = rules or default_rules()
    return direct_findings(model, rules) + lp_findings(model, rules)


# --------------------------------------------------------------------- entry points


def audit_fragments(fragments: Sequence[Fragment], schemas: Mapping[str, TableSchema] | None = None,
                    links: Sequence[Link] | None = None, rules: Rules | None = None) -> AuditResult:
    """Audit published tables (text as written: numbers, ``<5``, ``x``, empty).

    Args:
        fragments: the published tables.
        schemas / links: default the registry (:mod:`.tables`).
        rules: default the packaged rules.
    """
    from zwt_analysis.disclosure import tables

    rules = rules or default_rules()
    model, unknown = build(fragments, tables.REGISTRY if schemas is None else schemas,
                           tables.LINKS if links is None else links, rules, raw=False)
    findings = audit_model(model, rules)
    findings.sort(key=lambda f: (f.file, f.row, f.column))
    cells = sum(len(v.refs) for v in model.vars if not v.virtual)
    hidden = sum(len(v.exposed) + (len(v.refs) if v.hidden else 0) for v in model.vars
                 if not v.virtual)
    return AuditResult(findings, cells, hidden, unknown, list(model.issues))
