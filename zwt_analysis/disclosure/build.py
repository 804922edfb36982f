"""Build the :class:`~.model.LinkedTables` of a run from its table fragments and schemas.

A :class:`Fragment` is one table as written to one folder (``reports/
03_prevention/Noord/termijnen_per_kwartaal.csv``) or, before publication, one
internal frame. The builder reads the cells the schema controls, identifies
cells across fragments by their key, and adds the relations: row sums and
complements, derived sources and contributors, the organisation and team
hierarchy, margins, and cross-table links of the registry.

Relations are checked on the true values before suppression (``raw=True``):
one that does not hold is dropped and noted in ``model.issues`` (a reader
cannot use a relation that is not there, and a wrong one would mislead the
audit). A relation over a table that some organisation's folder lacks is not
added (its missing part is not zero).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure.model import ORG_KEY, TEAM_KEY, CellRef, Kind, LinkedTables, VarKey
from zwt_analysis.disclosure.rules import Rules
from zwt_analysis.disclosure.schema import Col, TableSchema


@dataclass(frozen=True)
class Fragment:
    """One table as printed in one folder.

    Attributes:
        table: schema name (the file stem).
        frame: the table (numbers before suppression, text as published).
        folder: organisation the folder belongs to (``ALL``: the city).
        scope: the report it belongs to (cells of different reports are
            never identified with each other).
        file: name used in findings (default ``[folder/]table``).
    """

    table: str
    frame: pd.DataFrame
    folder: str = ALL
    scope: str = ""
    file: str = ""

    @property
    def name(self) -> str:
        """Name of the fragment in findings."""
        return self.file or (self.table if self.folder == ALL else f"{self.folder}/{self.table}")



_TOL = 1e-6


def parse(series: pd.Series, raw: bool, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """Numbers and symbols of a column: (float values, NaN where not a number; labels, '' for numbers)."""
    if raw:
        values = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()
        return values, np.full(len(series), "", dtype=object)
    text = series.astype("string").fillna("").str.strip()
    is_symbol = text.isin(rules.symbols).to_numpy(dtype=bool)
    labels = np.where(is_symbol, text.to_numpy(dtype=object), "")
    values = pd.to_numeric(text.where(~text.isin(rules.symbols)), errors="coerce")
    return values.astype("float64").to_numpy(), labels


def row_keys(df: pd.DataFrame, schema: TableSchema, folder: str) -> list[dict[str, str]]:
    """Key values of every row, the organisation and team under their common names."""
    names = {schema.organisation: ORG_KEY} if schema.organisation else {}
    if schema.team:
        names[schema.team] = TEAM_KEY
    cols = [c for c in schema.keys if c in df.columns]
    text = df[cols].astype("string").fillna("")
    out = []
    for rec in text.itertuples(index=False, name=None):
        key = {names.get(c, c): str(v) for c, v in zip(cols, rec, strict=True)}
        if schema.organisation is None:
            key[ORG_KEY] = folder
        out.append(key)
    return out


def _subkey(key: dict[str, str], col: Col, schema: TableSchema) -> tuple[tuple[str, str], ...]:
    if col.by is None:
        return tuple(sorted(key.items()))
    keep = {TEAM_KEY if c == schema.team else ORG_KEY if c == schema.organisation else c
            for c in col.by} | {ORG_KEY}
    return tuple(sorted((k, v) for k, v in key.items() if k in keep))


def _internal(df: pd.DataFrame, column: str | None, raw: bool) -> np.ndarray | None:
    """Numbers of an unpublished helper column (before suppression only)."""
    if not raw or not column or column not in df.columns:
        return None
    return pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)


def _rows(df: pd.DataFrame, col: Col) -> np.ndarray:
    if col.where is None:
        return np.ones(len(df), dtype=bool)
    name, values = col.where
    if name not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return df[name].astype("string").fillna("").isin(values).to_numpy(dtype=bool)


class ModelBuilder:
    """State of one build (see :func:`build`); links use :meth:`relate` and :attr:`m`."""

    def __init__(self, schemas: Mapping[str, TableSchema], rules: Rules, raw: bool) -> None:
        self.m = LinkedTables()
        self.schemas, self.rules, self.raw = schemas, rules, raw
        self.cols: dict[tuple[str, str], Col] = {}  # (scope, measure) -> a column of it
        self.col_of: dict[int, Col] = {}  # variable -> its column
        self.table_of: dict[tuple[str, str], str] = {}  # (scope, measure) -> table
        self.implicit: set[tuple[str, str]] = set()  # measures printed where the folder is the org
        self.explicit: set[tuple[str, str]] = set()  # measures printed with an organisation column

    def fragment(self, frag: Fragment) -> None:
        schema = self.schemas[frag.table]
        df = frag.frame.reset_index(drop=True)
        keys = row_keys(df, schema, frag.folder)
        fixed = (df[schema.fixed[0]].astype("string").isin(schema.fixed[1]).fillna(False)
                 .to_numpy(dtype=bool) if schema.fixed else np.zeros(len(df), dtype=bool))
        at: dict[tuple[int, str], int] = {}
        col_at: dict[tuple[int, str], Col] = {}
        for col in schema.columns:
            if col.name not in df.columns:
                continue
            measure = schema.measure(col)
            self.cols[(frag.scope, measure)] = col
            self.table_of[(frag.scope, measure)] = frag.table
            (self.implicit if schema.organisation is None else self.explicit).add(
                (frag.scope, measure))
            values, labels = parse(df[col.name], self.raw, self.rules)
            tops = _internal(df, col.top, self.raw)
            persons = (_internal(df, col.contributors, self.raw)
                       if col.contributors not in schema.controlled else None)
            for r in np.flatnonzero(_rows(df, col)):
                if math.isnan(values[r]) and not labels[r]:
                    continue  # an empty cell: nothing printed, nothing to protect
                key = VarKey(frag.scope, measure, _subkey(keys[r], col, schema))
                at[(r, col.name)] = self.m.cell(
                    key, col.kind, float(values[r]), CellRef(frag.name, int(r), col.name),
                    label=str(labels[r]), signed=col.signed,
                    top=float(tops[r]) if tops is not None else math.nan,
                    persons=float(persons[r]) if persons is not None else math.nan,
                    fixed=bool(fixed[r]))
                col_at[(r, col.name)] = col
                self.col_of[at[(r, col.name)]] = col
        self._row_links(frag, schema, at, col_at)

    def _row_links(self, frag: Fragment, schema: TableSchema, at: dict[tuple[int, str], int],
                   col_at: dict[tuple[int, str], Col]) -> None:
        for (r, name), i in sorted(at.items()):
            col = col_at[(r, name)]
            if col.kind is Kind.DERIVED:
                self.m.derived[i] = tuple(at[(r, s)] for s in col.sources if (r, s) in at)
            if col.contributors and (r, col.contributors) in at:
                self.m.contributors[i] = at[(r, col.contributors)]
        for r in sorted({r for r, _ in at}):
            for s in schema.sums:
                if all((r, n) in at for n in (s.total, *s.parts)):
                    total = at[(r, s.total)]
                    self.m.vars[total].is_total = True
                    self.relate([(total, 1.0)] + [(at[(r, p)], -1.0) for p in s.parts],
                                f"{frag.name}: {s.total} = {' + '.join(s.parts)}")
            for part, whole in schema.complements:
                pair = (at.get((r, part)), at.get((r, whole)))
                if None not in pair and all(self.m.vars[i].kind is Kind.PERSONS for i in pair):
                    self.complement(frag, r, at[(r, part)], at[(r, whole)], part, whole)

    def complement(self, frag: Fragment, r: int, part: int, whole: int, pname: str,
                   wname: str) -> None:
        pk = self.m.vars[part].key
        key = VarKey(pk.scope, f"{self.m.vars[whole].key.measure} - {pk.measure}", pk.key)
        value = self.m.vars[whole].value - self.m.vars[part].value
        if self.raw and value < -_TOL:
            self.m.issues.append(f"{frag.name} row {r + 1}: {pname} > {wname}, no complement")
            return
        c = self.m.virtual(key, f"{wname} - {pname}", value)
        if not self.m.vars[c].refs:
            self.m.vars[c].refs.append(CellRef(frag.name, r, f"{wname} - {pname}"))
        self.relate([(whole, 1.0), (part, -1.0), (c, -1.0)], f"{frag.name}: {wname} - {pname}")

    def relate(self, terms: list[tuple[int, float]], what: str, equal: bool = True) -> None:
        """Add a relation; in raw mode only if it holds on the true values."""
        if self.raw:
            lhs = sum(c * self.m.vars[i].value for i, c in terms)
            scale = max(1.0, *(abs(self.m.vars[i].value) for i, _ in terms))
            if math.isnan(lhs) or (lhs > _TOL * scale if not equal else abs(lhs) > _TOL * scale):
                self.m.issues.append(f"relation does not hold, left out: {what}")
                return
        self.m.relate(terms, what, equal)

    def hierarchy(self, fragments: Sequence[Fragment]) -> None:
        """City = sum of organisations, organisation = sum of its teams, per measure."""
        have: dict[tuple[str, str], set[str]] = defaultdict(set)
        orgs: dict[str, set[str]] = defaultdict(set)
        for f in fragments:
            have[(f.scope, f.table)].add(f.folder)
            if f.folder != ALL:
                orgs[f.scope].add(f.folder)
        groups: dict[tuple[str, str, tuple], dict[tuple[str | None, str | None], int]] = \
            defaultdict(dict)
        for i, v in enumerate(self.m.vars):
            if v.virtual or v.kind is Kind.DERIVED or (v.key.scope, v.key.measure) not in self.cols:
                continue
            rest = v.key.without(ORG_KEY, TEAM_KEY)
            groups[(v.key.scope, v.key.measure, rest)][(v.key.get(ORG_KEY), v.key.get(TEAM_KEY))] = i
        for (scope, measure, rest), cells in groups.items():
            if (scope, measure) not in self.explicit and \
                    not orgs[scope] <= have[(scope, self.table_of[(scope, measure)])]:
                continue  # some organisation's folder lacks the table: its part is unknown
            col = self.col_of[next(iter(cells.values()))]
            city = cells.get((ALL, None), cells.get((ALL, ALL)))
            kids = [i for (o, t), i in sorted(cells.items(), key=str) if o != ALL and t in (None, ALL)]
            self.parent_sum(city, kids, col, f"{measure} {dict(rest)}", "organisations")
            for org in sorted({o for o, _ in cells if o not in (ALL, None)}):
                teams = [i for (o, t), i in sorted(cells.items(), key=str)
                         if o == org and t not in (None, ALL)]
                self.parent_sum(cells.get((org, ALL)), teams, col, f"{measure} {org} {dict(rest)}",
                                "teams")

    def parent_sum(self, parent: int | None, kids: list[int], col: Col, what: str,
                   level: str) -> None:
        """``parent = sum(kids)``; for distinct counts ``sum(kids) - parent`` is a count too."""
        if parent is None or not kids:
            return
        pv = self.m.vars[parent]
        pv.is_total = True
        if col.additive:
            self.relate([(parent, 1.0)] + [(k, -1.0) for k in kids], f"{what}: total of {level}")
            return
        value = sum(self.m.vars[k].value for k in kids) - pv.value
        if self.raw and not value >= -_TOL:
            self.m.issues.append(f"{what}: total exceeds the sum of {level}, left out")
            return
        key = VarKey(pv.key.scope, f"{pv.key.measure} ({level} - total)", pv.key.key)
        d = self.m.virtual(key, f"sum of {level} - total", value)
        if not self.m.vars[d].refs:
            ref = pv.refs[0]
            self.m.vars[d].refs.append(CellRef(ref.file, ref.row, f"{ref.column}: {level} - total"))
        self.relate([(k, 1.0) for k in kids] + [(parent, -1.0), (d, -1.0)],
                    f"{what}: {level} minus total")
        if col.nested:
            for k in kids:
                self.relate([(k, 1.0), (parent, -1.0)], f"{what}: part <= total", equal=False)

    def margins(self) -> None:
        """Totals over one key (:class:`~.schema.Margin`) of every schema."""
        margins = {mg for s in self.schemas.values() for mg in s.margins}
        for mg in sorted(margins, key=str):
            parts: dict[tuple[str, tuple], list[int]] = defaultdict(list)
            for i, v in enumerate(self.m.vars):
                if v.key.measure == mg.part and not v.virtual:
                    parts[(v.key.scope, v.key.without(mg.over))].append(i)
            for (scope, rest), idx in parts.items():
                total = self.m.index.get(VarKey(scope, mg.total, rest))
                if total is not None:
                    self.m.vars[total].is_total = True
                    self.relate([(total, 1.0)] + [(i, -1.0) for i in idx],
                                f"{mg.total} = sum of {mg.part} over {mg.over} {dict(rest)}")

    def window_sum(self, totals: list[tuple[int, list[list[int]]]], what: str) -> None:
        """Totals over the last K periods, K unknown: ``totals`` = (total, parts per period,
        latest last). K is the smallest that makes every fully known relation hold."""
        longest = max((len(p) for _, p in totals), default=0)
        for k in range(1, longest + 1):
            checked, ok = 0, True
            for total, per in totals:
                idx = [i for p in per[-k:] for i in p]
                vals = [self.m.vars[i].value for i in (total, *idx)]
                if any(math.isnan(x) for x in vals) or any(self.m.unknown(i) for i in (total, *idx)):
                    continue
                checked += 1
                ok &= abs(vals[0] - sum(vals[1:])) <= _TOL * max(1.0, abs(vals[0]))
            if checked and ok:
                for total, per in totals:
                    self.m.vars[total].is_total = True
                    self.relate([(total, 1.0)] + [(i, -1.0) for p in per[-k:] for i in p],
                                f"{what} (last {k} periods)")
                return
        if totals:
            self.m.issues.append(f"{what}: no window of periods matches, left out")


#: A cross-table link of the registry: adds relations with :meth:`ModelBuilder.relate`.
Link = Callable[[ModelBuilder, Sequence[Fragment]], None]


def build(fragments: Sequence[Fragment], schemas: Mapping[str, TableSchema],
          links: Sequence[Link] = (), rules: Rules | None = None,
          raw: bool = True) -> tuple[LinkedTables, list[str]]:
    """The linked-tables model of ``fragments``.

    Args:
        fragments: the tables; those without a schema are skipped.
        schemas: table name -> schema.
        links: cross-table relations (see :data:`Link`).
        rules: symbols and thresholds (default: the packaged rules).
        raw: True: numbers before suppression; False: text as published.

    Returns:
        The model and the names of the fragments without a schema.
    """
    from zwt_analysis.disclosure.rules import default_rules

    b = ModelBuilder(schemas, rules or default_rules(), raw)
    unknown = []
    for f in fragments:
        if f.table in schemas:
            b.fragment(f)
        else:
            unknown.append(f.name)
    b.hierarchy(fragments)
    b.margins()
    for link in links:
        link(b, fragments)
    # a canonical order, so that the same tables give the same pattern in any order
    keys = [repr(v.key) for v in b.m.vars]
    b.m.relations.sort(key=lambda rel: (sorted((keys[i], c) for i, c in rel.terms), rel.equal))
    return b.m, unknown
