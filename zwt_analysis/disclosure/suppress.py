"""One suppression pass over all linked tables of a run, before anything is written.

Primary suppression (:func:`primary`):

- a person count of 1..4 (``<5``), and a count whose persons behind it
  (``Col.contributors``) number 1..4;
- a sum (hours, FTE, euros) over fewer than 5 persons (threshold rule) or
  whose two largest contributions exceed 85% of it ((n, k)-dominance rule);
- a never-printed count of 1..4 a reader could compute (``denominator -
  numerator``, organisations minus city) is sensitive too: it is protected
  by the secondary step, which hides a cell it follows from.

Secondary suppression (:func:`secondary`): the audit (:mod:`.audit`) gives
each sensitive unknown's interval; for each one still unprotected, the
cheapest published cell of a relation it is in is hidden (a part before a
total, then the smallest value; when all cells of those relations are hidden
already, the search moves one relation further). Shares and intervals are
hidden with their sources. This repeats until the audit passes.

Symbols: ``<5`` only for a hidden count of 0..4; ``x`` for everything else
(secondary counts, which are then at least 5, sums, shares, intervals).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure.audit import Finding, direct_findings, lp_findings
from zwt_analysis.disclosure.build import Fragment, Link, build
from zwt_analysis.disclosure.model import CellRef, Kind, LinkedTables, Var
from zwt_analysis.disclosure.rules import Rules, default_rules
from zwt_analysis.disclosure.schema import TableSchema
from zwt_analysis.errors import ZwtError

#: A table of a run: its name, or (name, folder) for a table the folder's organisation names.
TableKey = str | tuple[str, str]


class DisclosureError(ZwtError):
    """Suppression cannot protect a cell (a relation the symbols alone give away)."""


@dataclass(frozen=True)
class ProtectedTable:
    """A table after suppression: its numbers and the symbol per cell ('' = printed).

    Attributes:
        frame: the input table (index 0..n-1).
        labels: same shape; ``<5``, ``x`` or ''.
    """

    frame: pd.DataFrame
    labels: pd.DataFrame

    @property
    def hidden(self) -> pd.DataFrame:
        """True where a cell is suppressed."""
        return self.labels != ""

    def csv(self) -> pd.DataFrame:
        """The table to write: suppressed cells as their symbol, other cells unchanged."""
        out = self.frame.copy()
        for col in self.frame.columns:
            lab = self.labels[col].to_numpy(dtype=object)
            if (lab != "").any():
                vals = self.frame[col].astype(object).to_numpy()
                out[col] = pd.Series(np.where(lab != "", lab, vals), index=out.index, dtype=object)
        return out

    def masked(self) -> pd.DataFrame:
        """The table with suppressed cells missing (NaN / NA): for figures and computed text."""
        return self.frame.mask(self.hidden)


@dataclass
class Protection:
    """Outcome of :func:`protect`: the tables and what was suppressed.

    Attributes:
        tables: per table key, the protected table.
        cells: printed cells under disclosure control (each copy counted).
        primary / secondary: suppressed cells (each copy counted).
        issues: relations left out (they did not hold on the data).
        unresolved: cells no suppression protects (``strict=False`` only).
    """

    tables: dict[TableKey, ProtectedTable]
    cells: int = 0
    primary: int = 0
    secondary: int = 0
    issues: list[str] = field(default_factory=list)
    unresolved: list[Finding] = field(default_factory=list)

    def __getitem__(self, key: TableKey) -> ProtectedTable:
        return self.tables[key]

    @property
    def suppressed_share(self) -> float:
        """Suppressed cells / controlled cells (0 when there are none)."""
        return (self.primary + self.secondary) / self.cells if self.cells else 0.0


# --------------------------------------------------------------------- primary


def _few(persons: float, rules: Rules, limit: int) -> bool:
    low = 0 if rules.suppress_zeros else 1
    return not math.isnan(persons) and low <= persons < limit


def primary(model: LinkedTables, rules: Rules) -> None:
    """Hide the sensitive printed cells (see the module docstring); mark computed ones."""
    for i, v in enumerate(model.vars):
        if v.virtual:
            v.primary = rules.is_small(v.value)
            continue
        if v.kind is Kind.DERIVED or v.fixed:
            continue
        k = model.contributors.get(i)
        behind = model.vars[k].value if k is not None else v.persons
        few = _few(behind, rules, rules.min_persons if v.kind is Kind.PERSONS
                   else rules.min_contributors)
        if v.kind is Kind.PERSONS:
            v.primary = rules.is_small(v.value) or few
        else:
            v.primary = few or rules.dominated(v.value, v.top)
        if v.primary:
            hide(v, rules)


def hide(v: Var, rules: Rules) -> None:
    """Suppress ``v`` with its symbol: ``<5`` for a count of 0..4, else ``x``."""
    v.hidden = True
    small = v.kind is Kind.PERSONS and not math.isnan(v.value) and v.value < rules.min_persons
    v.label = rules.small if small else rules.secondary


def close_derived(model: LinkedTables, rules: Rules) -> None:
    """Hide every share or interval one of whose sources is hidden, and every cell whose
    printed number of persons behind it shows ``<5`` (a reader cannot tell 0 from 1..4)."""
    for i, k in model.contributors.items():
        if model.vars[k].label == rules.small and not model.vars[i].hidden:
            hide(model.vars[i], rules)
    for i, sources in model.derived.items():
        if any(model.vars[s].hidden for s in sources) and not model.vars[i].hidden:
            hide(model.vars[i], rules)


# --------------------------------------------------------------------- secondary


def _cost(v: Var) -> tuple[bool, float, str]:
    return (v.is_total, abs(v.value) if not math.isnan(v.value) else math.inf, repr(v.key))


def pick(model: LinkedTables, start: int, rel_of: Mapping[int, list[int]]) -> int | None:
    """The cheapest published cell of the relations around ``start`` (nearest first)."""
    seen_rel: set[int] = set()
    seen = {start}
    frontier = [start]
    while frontier:
        rels = {r for u in frontier for r in rel_of.get(u, ())} - seen_rel
        seen_rel |= rels
        cands = {i for r in rels for i in model.relations[r].members
                 if model.vars[i].published and not model.vars[i].fixed
                 and not math.isnan(model.vars[i].value)}
        if cands:
            return min(cands, key=lambda i: _cost(model.vars[i]))
        frontier = [i for r in sorted(rels) for i in model.relations[r].members
                    if i not in seen and model.unknown(i)]
        seen.update(frontier)
    return None


def open_singletons(model: LinkedTables, rules: Rules) -> None:
    """Hide more cells until no equality relation has a suppressed cell as its only unknown.

    A relation whose other cells are all printed gives that cell back
    exactly; a secondary cell given back protects nothing, so its relation
    takes the cheapest printed cell with it (a part before the total).
    """
    changed = True
    while changed:
        changed = False
        for rel in model.relations:
            unk = [i for i in rel.members if model.unknown(i)]
            if not rel.equal or len(unk) != 1 or model.vars[unk[0]].virtual:
                continue
            cands = [i for i in rel.members if model.vars[i].published and not model.vars[i].fixed
                     and not math.isnan(model.vars[i].value)]
            if cands:
                hide(model.vars[min(cands, key=lambda i: _cost(model.vars[i]))], rules)
                close_derived(model, rules)
                changed = True


def secondary(model: LinkedTables, rules: Rules, strict: bool = True,
              max_rounds: int = 10_000) -> list[Finding]:
    """Hide cells until the audit passes.

    Args:
        strict: raise when a cell cannot be protected; False: leave it and
            go on with the others.

    Returns:
        The cells that could not be protected (empty when ``strict``).

    Raises:
        DisclosureError: ``strict`` and a cell cannot be protected by hiding
            more cells (e.g. two ``<5`` cells with a known total of 8).
    """
    rel_of: dict[int, list[int]] = {}
    for r, rel in enumerate(model.relations):
        for i in rel.members:
            rel_of.setdefault(i, []).append(r)
    direct = direct_findings(model, rules)
    if direct:
        raise DisclosureError("suppression left a cell printed: " + direct[0].line())
    unresolved: dict[int, Finding] = {}
    dirty: set[int] | None = None
    for _ in range(max_rounds):
        open_singletons(model, rules)
        comps = [c for c in model.components() if dirty is None or dirty.intersection(c[0])]
        found = [f for f in (lp_findings(model, rules, comps) if comps else [])
                 if f.var not in unresolved]
        added = set()
        for f in found:
            j = pick(model, f.var, rel_of)
            if j is None and strict:
                raise DisclosureError("no suppression protects " + f.line())
            if j is None:
                unresolved[f.var] = f
            else:
                added.add(j)
        if not added:
            return list(unresolved.values())
        for j in added:
            hide(model.vars[j], rules)
        close_derived(model, rules)
        dirty = added | {f.var for f in found}
    raise DisclosureError("secondary suppression did not settle")  # pragma: no cover


# --------------------------------------------------------------------- entry points


def _fragments(frames: Mapping[TableKey, pd.DataFrame]) -> list[tuple[TableKey, Fragment]]:
    out = []
    for key, df in sorted(frames.items(), key=lambda kv: str(kv[0])):
        table, folder = (key, ALL) if isinstance(key, str) else key
        name = table if folder == ALL else f"{folder}/{table}"
        out.append((key, Fragment(table, df.reset_index(drop=True), folder, "", name)))
    return out


def _render(model: LinkedTables, frag: Fragment) -> pd.DataFrame:
    labels = pd.DataFrame("", index=frag.frame.index, columns=frag.frame.columns, dtype=object)
    for col_pos, col in enumerate(frag.frame.columns):
        for r in range(len(frag.frame)):
            i = model.at.get(CellRef(frag.name, r, col))
            if i is not None and model.vars[i].hidden:
                labels.iat[r, col_pos] = model.vars[i].label
    return labels


def protect(frames: Mapping[TableKey, pd.DataFrame],
            schemas: Mapping[str, TableSchema] | None = None,
            links: Sequence[Link] | None = None,
            rules: Rules | None = None, strict: bool = True) -> Protection:
    """Suppress all linked tables of a run in one pass.

    Args:
        frames: the internal tables (numbers), keyed by table name (the
            schema's name; the city's folder) or by ``(name, organisation)``
            for a table whose folder names its organisation. Give every
            table whose cells are linked in one call: the city's table with
            all organisations' rows, or the table of every organisation.
        schemas / links: default the registry of :mod:`.tables`.
        rules: default ``resources/disclosure.yaml``.
        strict: raise when a cell cannot be protected (False: list it in
            ``Protection.unresolved`` and protect the rest).

    Returns:
        A :class:`Protection`; ``protection[key].csv()`` is what to write.

    Raises:
        KeyError: a table has no schema.
        DisclosureError: ``strict`` and a cell cannot be protected.

    Examples:
        >>> import pandas as pd
        >>> from zwt_analysis.disclosure.schema import Col, TableSchema
        >>> from zwt_analysis.disclosure.model import Kind
        >>> s = TableSchema("t", ("organisation",), (Col("n", Kind.PERSONS),))
        >>> df = pd.DataFrame({"organisation": ["ALL", "A", "B", "C"], "n": [27, 3, 9, 15]})
        >>> protect({"t": df}, {"t": s}, ())["t"].csv()["n"].tolist()
        [27, '<5', 'x', 15]
    """
    from zwt_analysis.disclosure import tables

    rules = rules or default_rules()
    schemas = tables.REGISTRY if schemas is None else schemas
    pairs = _fragments(frames)
    missing = sorted({f.table for _, f in pairs if f.table not in schemas})
    if missing:
        raise KeyError(f"no disclosure schema for table(s) {', '.join(missing)}: "
                       "add them to zwt_analysis/disclosure/tables.py")
    model, _ = build([f for _, f in pairs], schemas, tables.LINKS if links is None else links,
                     rules, raw=True)
    primary(model, rules)
    close_derived(model, rules)
    unresolved = secondary(model, rules, strict)
    out = {key: ProtectedTable(f.frame, _render(model, f)) for key, f in pairs}
    printed = [v for v in model.vars if not v.virtual]
    return Protection(
        out,
        cells=sum(len(v.refs) for v in printed),
        primary=sum(len(v.refs) for v in printed if v.hidden and v.primary),
        secondary=sum(len(v.refs) for v in printed if v.hidden and not v.primary),
        issues=list(model.issues),
        unresolved=unresolved,
    )


def protect_table(df: pd.DataFrame, schema: TableSchema, rules: Rules | None = None,
                  strict: bool = True) -> ProtectedTable:
    """:func:`protect` for one table that links to no other."""
    return protect({schema.name: df}, {schema.name: schema}, (), rules, strict)[schema.name]
