"""How a published table is built: the schema types the registry and the model builder share.

A :class:`TableSchema` names a table's row keys, the columns that need
disclosure control (:class:`Col`: person counts, sums over persons, derived
shares) and the linear relations between its cells: the organisation
hierarchy (a row with organisation ``ALL`` is the city, the sum of the
organisations; team ``ALL`` the organisation, the sum of its teams),
:class:`RowSum` (a total column), :class:`Margin` (a total over one key,
possibly in another table) and complements (``whole - part`` is a count of
persons too). Columns not named are published as they are: counts that are
not persons (rows of a data file, KPI-register fields), model output, text.
"""

from __future__ import annotations

from dataclasses import dataclass

from zwt_analysis.disclosure.model import Kind


@dataclass(frozen=True)
class Col:
    """A column under disclosure control.

    Attributes:
        name: column name.
        kind: :class:`Kind` (person count, sum over persons, derived).
        sources: DERIVED only: the columns of the row it is computed from.
        by: the keys the value depends on, if fewer than the table's keys
            (a total repeated on every activity row); the organisation key
            is always included.
        additive: organisations add up to the city and teams to their
            organisation; False for distinct persons (a person in two
            organisations is counted once by the city): the organisations
            minus the city is then itself a count of persons.
        nested: with ``additive=False``: each part is at most the total (a
            distinct count of persons; not so for inflow, where the city
            leaves out moves between organisations).
        contributors: column with the number of persons behind the cell
            (threshold rule; for a person count: distinct persons behind a
            count of cases); a controlled column of the table (then printed
            and linked) or an internal one (read before suppression only).
        top: MAGNITUDE only: column with the sum of the ``dominance_n``
            largest contributions (dominance rule); internal, not published.
        measure: name of the quantity when another table prints it too
            (default ``<table>.<column>``).
        signed: MAGNITUDE only: may be negative.
        where: (column, values): the column is under control only in rows
            whose ``column`` is one of ``values``.
    """

    name: str
    kind: Kind
    sources: tuple[str, ...] = ()
    by: tuple[str, ...] | None = None
    additive: bool = True
    nested: bool = False
    contributors: str | None = None
    top: str | None = None
    measure: str | None = None
    signed: bool = False
    where: tuple[str, frozenset[str]] | None = None

    def __post_init__(self) -> None:
        if (self.kind is Kind.DERIVED) != bool(self.sources):
            raise ValueError(f"column {self.name}: derived columns, and only they, have sources")
        if self.top and self.kind is not Kind.MAGNITUDE:
            raise ValueError(f"column {self.name}: only sums have a dominance column")


@dataclass(frozen=True)
class RowSum:
    """Within one row: ``total = sum(parts)``."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Margin:
    """Across rows (and tables): ``total`` = the sum of ``part`` over key ``over``.

    ``total`` and ``part`` are measure names (``<table>.<column>`` unless a
    :attr:`Col.measure` is set); the total's key is the part's key without
    ``over``. Only where such a total exists.
    """

    total: str
    part: str
    over: str


@dataclass(frozen=True)
class TableSchema:
    """A published table: row keys, controlled columns and relations.

    Attributes:
        name: file stem (``termijnen_per_kwartaal``).
        keys: columns identifying a row.
        columns: the controlled columns.
        organisation: the organisation column (its ``ALL`` row is the city);
            None: the table has none and the folder it is written to names
            the organisation (``ALL`` = the city).
        team: the team column, if any (``ALL`` = the organisation).
        sums: totals within a row.
        margins: totals over a key.
        complements: (part, whole) column pairs of person counts: ``whole -
            part`` is a count of persons a reader can compute (in rows where
            both are person counts).
        fixed: (column, values): rows whose ``column`` holds one of
            ``values`` are known to every reader (a total the user of the
            table knows); they are never suppressed, and are not printed.
    """

    name: str
    keys: tuple[str, ...]
    columns: tuple[Col, ...] = ()
    organisation: str | None = "organisation"
    team: str | None = None
    sums: tuple[RowSum, ...] = ()
    margins: tuple[Margin, ...] = ()
    complements: tuple[tuple[str, str], ...] = ()
    fixed: tuple[str, frozenset[str]] | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        known = set(names) | set(self.keys)
        for c in self.columns:
            for s in (*c.sources, *(c.by or ())):
                if s not in known and s != self.organisation:
                    raise ValueError(f"{self.name}.{c.name}: unknown column {s}")
        for part, whole in self.complements:
            if part not in names or whole not in names:
                raise ValueError(f"{self.name}: complement ({part}, {whole}) needs both columns")
        for s in self.sums:
            if any(n not in names for n in (s.total, *s.parts)):
                raise ValueError(f"{self.name}: row sum {s} needs controlled columns")

    def measure(self, col: Col) -> str:
        """The measure name of a column."""
        return col.measure or f"{self.name}.{col.name}"

    def col(self, name: str, row_value: str | None = None) -> Col | None:
        """The controlled column ``name`` (for a row whose ``where`` column holds ``row_value``)."""
        for c in self.columns:
            if c.name == name and (c.where is None or row_value is None or row_value in c.where[1]):
                return c
        return None

    @property
    def controlled(self) -> tuple[str, ...]:
        """Names of the controlled columns, each once, in order."""
        return tuple(dict.fromkeys(c.name for c in self.columns))
