"""Linked tables as one model: cells (variables) and the linear relations between them.

Every published cell that may need suppression is a :class:`Var`, keyed by
*what it measures* rather than by where it is printed: the same quantity in
two files (the city report's row of an organisation and that organisation's
own report) is one variable, so both files always show it the same way.
A :class:`Relation` says ``sum(coef * var) == 0`` (or ``<= 0``): row totals,
the city as the sum of its organisations, numerator + complement =
denominator. Cells that are never printed but follow from printed ones (the
complement ``denominator - numerator``, the organisations minus the city of
a distinct count) are *virtual* variables. Shares, rates and intervals are
*derived* variables: computed from other cells of their row (their sources),
they are hidden whenever a source is, and not part of the linear relations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from zwt_analysis.disclosure.rules import Rules

#: Key names every variable key uses for the two hierarchy levels.
ORG_KEY = "organisation"
TEAM_KEY = "team"


class Kind(StrEnum):
    """What a cell holds."""

    PERSONS = "persons"  # a count of persons (or of cases standing for persons)
    MAGNITUDE = "magnitude"  # a sum over persons: hours, FTE, euros, person-years
    DERIVED = "derived"  # a share, rate or interval computed from other cells of the row


@dataclass(frozen=True)
class VarKey:
    """Identity of a quantity: report scope, measure name and key values."""

    scope: str
    measure: str
    key: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        """Value of key ``name`` (None if the key has no such part)."""
        return next((v for k, v in self.key if k == name), None)

    def without(self, *names: str) -> tuple[tuple[str, str], ...]:
        """The key without the parts ``names``."""
        return tuple((k, v) for k, v in self.key if k not in names)


@dataclass(frozen=True)
class CellRef:
    """Where a cell is printed: file (or table name), 0-based data row, column."""

    file: str
    row: int
    column: str


@dataclass
class Var:
    """One quantity of the linked tables.

    Attributes:
        value: the true value (suppression) or the printed value (audit;
            NaN when the file shows a symbol).
        hidden: suppressed (shown as a symbol) everywhere it is printed.
        label: the symbol of a hidden cell (``<5`` or ``x``).
        virtual: never printed; follows from printed cells.
        primary: sensitive in itself (suppression only).
        is_total: a parent or total in some relation (hidden last).
        top: sum of the largest contributions (dominance rule), if known.
        persons: number of persons behind the cell when an unprinted column
            gives it (threshold rule), if known.
        fixed: known to every reader whatever is printed (a total the
            table's user knows): never suppressed.
        refs: where it is printed; ``exposed``: printed copies (and their
            symbol) that show a symbol while another copy shows the number.
    """

    key: VarKey
    kind: Kind
    value: float
    hidden: bool = False
    label: str = ""
    virtual: bool = False
    signed: bool = False
    primary: bool = False
    is_total: bool = False
    top: float = math.nan
    persons: float = math.nan
    fixed: bool = False
    what: str = ""
    refs: list[CellRef] = field(default_factory=list)
    exposed: list[tuple[CellRef, str]] = field(default_factory=list)

    @property
    def published(self) -> bool:
        """Printed with its number (not hidden, not virtual)."""
        return not self.hidden and not self.virtual


@dataclass(frozen=True)
class Relation:
    """``sum(coef * var) == 0`` (``equal``) or ``<= 0`` over variable indices."""

    terms: tuple[tuple[int, float], ...]
    what: str
    equal: bool = True

    @property
    def members(self) -> tuple[int, ...]:
        """Variable indices of the relation."""
        return tuple(i for i, _ in self.terms)


class LinkedTables:
    """Variables, relations, derived sources and contributor links of a run."""

    def __init__(self) -> None:
        self.vars: list[Var] = []
        self.index: dict[VarKey, int] = {}
        self.relations: list[Relation] = []
        self.derived: dict[int, tuple[int, ...]] = {}
        self.contributors: dict[int, int] = {}
        self.at: dict[CellRef, int] = {}
        self.issues: list[str] = []

    def cell(self, key: VarKey, kind: Kind, value: float, ref: CellRef, *,
             label: str = "", signed: bool = False, top: float = math.nan,
             persons: float = math.nan, fixed: bool = False) -> int:
        """Register a printed cell (``label``: the symbol it shows, '' for a number).

        A key seen before is the same variable: a number printed anywhere makes
        it published, and the copies showing a symbol become ``exposed``.
        """
        i = self.index.get(key)
        if i is None:
            i = len(self.vars)
            self.index[key] = i
            self.vars.append(Var(key, kind, value, hidden=bool(label), label=label,
                                 signed=signed, top=top, persons=persons, fixed=fixed,
                                 refs=[ref]))
            self.at[ref] = i
            return i
        v = self.vars[i]
        v.refs.append(ref)
        self.at[ref] = i
        if label and v.published:
            v.exposed.append((ref, label))
        elif label and v.label != label:
            self.issues.append(f"{ref.file} row {ref.row + 1} {ref.column}: shows {label}, "
                               f"another copy shows {v.label}")
            v.label = min(v.label, label)
        elif not label and v.hidden:
            v.exposed.extend((r, v.label) for r in v.refs[:-1])
            v.hidden, v.label, v.value = False, "", value
        elif not label and not _close(v.value, value):
            self.issues.append(f"{ref.file} row {ref.row + 1} {ref.column}: {value:g} differs "
                               f"from {v.value:g} printed elsewhere")
        return i

    def virtual(self, key: VarKey, what: str, value: float = math.nan) -> int:
        """A never-printed person count (complement, overlap) >= 0."""
        i = self.index.get(key)
        if i is None:
            i = len(self.vars)
            self.index[key] = i
            self.vars.append(Var(key, Kind.PERSONS, value, virtual=True, what=what))
        return i

    def relate(self, terms: list[tuple[int, float]], what: str, equal: bool = True) -> None:
        """Add ``sum(coef * var) == 0`` (or ``<= 0``); repeated indices are merged."""
        merged: dict[int, float] = {}
        for i, c in terms:
            merged[i] = merged.get(i, 0.0) + c
        kept = tuple((i, c) for i, c in merged.items() if c != 0.0)
        if len(kept) >= 2:
            self.relations.append(Relation(kept, what, equal))

    def unknown(self, i: int) -> bool:
        """True for a variable a reader does not see (hidden or virtual, not derived)."""
        v = self.vars[i]
        return v.kind is not Kind.DERIVED and (v.hidden or v.virtual)

    def components(self) -> list[tuple[list[int], list[int]]]:
        """Groups of unknown variables linked by relations: (variables, relation indices).

        Unknowns in no relation are left out (their bounds are their own).
        """
        parent: dict[int, int] = {}

        def find(a: int) -> int:
            while parent.setdefault(a, a) != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        firsts: list[int | None] = []
        for rel in self.relations:
            unk = [i for i in rel.members if self.unknown(i)]
            for a in unk:
                ra, rb = find(unk[0]), find(a)
                if ra != rb:
                    parent[rb] = ra
            firsts.append(unk[0] if unk else None)
        groups: dict[int, tuple[list[int], list[int]]] = {}
        for i in list(parent):
            groups.setdefault(find(i), ([], []))[0].append(i)
        for r, first in enumerate(firsts):
            if first is not None:
                groups[find(first)][1].append(r)
        return [(sorted(vs), rs) for vs, rs in groups.values()]


def reader_bounds(v: Var, rules: Rules) -> tuple[float, float]:
    """What a reader knows of a variable from its printed form alone.

    A number is itself; ``<5`` is 0..4; ``x`` on a person count is at least
    5 (counts of 0..4 always show ``<5``); a hidden sum is >= 0 (any real if
    ``signed``); a virtual count is >= 0.
    """
    if v.published:
        return (v.value, v.value)
    if v.virtual:
        return (0.0, math.inf)
    if v.kind is Kind.PERSONS:
        if v.label == rules.small:
            return (0.0, float(rules.min_persons - 1))
        return (float(rules.min_persons), math.inf)
    return (-math.inf, math.inf) if v.signed else (0.0, math.inf)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6) or (math.isnan(a) and math.isnan(b))
