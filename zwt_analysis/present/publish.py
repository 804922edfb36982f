"""Publication: turn internal tables into tables that may leave the building.

Rule (data contract, section 3): a published cell that counts fewer than
:data:`~zwt_analysis.config.MIN_CELL_PERSONS` (5) persons is suppressed, and
no other cell may let a reader recompute it. The rules and the engine live in
:mod:`zwt_analysis.disclosure` (see ``docs/disclosure.md``); this module keeps
the helpers the reports call, on top of that engine:

- :func:`publish_indicators` / :func:`suppression_mask`: the indicator table
  (schema :data:`zwt_analysis.disclosure.tables.INDICATOR_SCHEMA`): each
  numerator and denominator that counts persons is checked on its own (and
  so is ``denominator - numerator``, the cases not on time), sums of hours
  and FTE by the threshold rule on ``persons``, the city against its
  organisations and each organisation against its teams (for distinct
  counts, organisations minus city -- moves between organisations -- too).
- :func:`suppress_counts`: any table with person-count columns, whose rows
  within a group add up to a total the reader knows.

Symbols: ``<5`` (:data:`SUPPRESSED`) for a suppressed count of 0..4,
``x`` (:data:`SECONDARY`) for every other suppressed cell (a count of 5 or
more hidden to protect another cell, a share, a rate). A count of 0 is
printed (``resources/disclosure.yaml``: ``suppress_zeros``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zwt_analysis.config import MIN_CELL_PERSONS
from zwt_analysis.contract import ALL, INDICATOR_COLUMNS, PERSON_ID_COLUMNS

if TYPE_CHECKING:
    from zwt_analysis.disclosure.schema import TableSchema
    from zwt_analysis.disclosure.suppress import ProtectedTable

SUPPRESSED = f"<{MIN_CELL_PERSONS}"
#: Symbol of every other suppressed cell (see the module docstring).
SECONDARY = "x"
#: Both symbols.
SYMBOLS: tuple[str, str] = (SUPPRESSED, SECONDARY)


def is_hidden(series: pd.Series) -> pd.Series:
    """True where a published column shows a suppression symbol (``<5`` or ``x``)."""
    return series.astype("string").str.strip().isin(SYMBOLS).fillna(False).astype(bool)


def format_number(x: float, decimals: int = 4) -> str:
    """Plain text for a published number: whole numbers without decimals, others rounded.

    ``12.0 -> "12"``, ``0.333333 -> "0.3333"``, missing -> ``""``.
    """
    if x is None or pd.isna(x):
        return ""
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = f"{round(x, decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(values: pd.Series, labels: np.ndarray, decimals: int) -> pd.Series:
    text = [format_number(v, decimals) if isinstance(v, (int, float, np.number)) or pd.isna(v)
            else str(v) for v in values.to_numpy()]
    return pd.Series(pd.array(np.where(labels != "", labels, np.array(text, dtype=object)),
                              dtype="string"), index=values.index)


def _protect_indicators(ind: pd.DataFrame) -> ProtectedTable:
    from zwt_analysis.disclosure.suppress import protect_table
    from zwt_analysis.disclosure.tables import INDICATOR_SCHEMA

    return protect_table(ind.reset_index(drop=True), INDICATOR_SCHEMA)


def suppression_mask(ind: pd.DataFrame, persons_column: str = "persons") -> pd.Series:
    """Rows of an internal indicator table with at least one suppressed cell.

    Args:
        ind: indicator table with the contract columns and ``persons``
            (distinct persons behind the row; missing for money).
        persons_column: name of the persons column.

    Returns:
        Boolean Series aligned with ``ind``.
    """
    df = ind.rename(columns={persons_column: "persons"}) if persons_column != "persons" else ind
    hidden = _protect_indicators(df).hidden[["numerator", "denominator", "value"]].any(axis=1)
    return pd.Series(hidden.to_numpy(dtype=bool), index=ind.index)


def publish_indicators(ind_with_persons: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """The publishable form of an internal indicator table.

    Args:
        ind_with_persons: ``compute_indicators(..., with_persons=True)``.
        decimals: decimals of non-whole numbers in the text.

    Returns:
        The contract columns with ``numerator``, ``denominator`` and ``value``
        as text (``<5`` or ``x`` where suppressed, cell by cell; see the
        module docstring) and a boolean ``suppressed`` (any of the three);
        ``persons`` is dropped.
    """
    if "persons" not in ind_with_persons.columns:
        raise ValueError("publish_indicators needs the persons column (compute with with_persons=True)")
    df = ind_with_persons.reset_index(drop=True)
    prot = _protect_indicators(df)
    out = df[list(INDICATOR_COLUMNS)].copy()
    for c in ("numerator", "denominator", "value"):
        out[c] = _text(df[c], prot.labels[c].to_numpy(dtype=object), decimals)
    out["suppressed"] = prot.hidden[["numerator", "denominator", "value"]].any(axis=1).to_numpy()
    return out


def _counts_schema(count_columns: Sequence[str], derived_columns: Sequence[str]) -> TableSchema:
    from zwt_analysis.disclosure.model import Kind
    from zwt_analysis.disclosure.schema import Col, TableSchema

    cols = [Col(c, Kind.PERSONS) for c in count_columns]
    cols += [Col(c, Kind.DERIVED, sources=tuple(count_columns)) for c in derived_columns]
    return TableSchema("counts", ("_group", "_row"), tuple(cols), organisation="_group",
                       team="_row", fixed=("_row", frozenset({ALL})))


def suppress_counts(
    df: pd.DataFrame,
    count_columns: Sequence[str],
    group_columns: Sequence[str] = (),
    derived_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Suppress small person counts in an arbitrary table (e.g. a notebook side table).

    Args:
        df: the table; ``count_columns`` hold numbers of persons.
        count_columns: person-count columns; a cell of 1..4 becomes ``<5``.
        group_columns: rows whose counts add up to a total a reader knows
            (e.g. ``["organisation", "year"]`` for teams within an
            organisation-year); within each group of two or more rows, more
            cells are suppressed until no suppressed cell follows from the
            total and the rest (checked by the audit, bounds included).
            Empty: the whole table is one group.
        derived_columns: columns computed from the counts of the same row
            (shares, rates); suppressed (``x``) wherever a count of the row is.

    Returns:
        A copy with ``count_columns`` and ``derived_columns`` as text.
    """
    from zwt_analysis.disclosure.suppress import protect

    out = df.reset_index(drop=True).copy()
    if not len(out):
        return out
    keys = (out[list(group_columns)].astype(str).agg("\x1f".join, axis=1)
            if group_columns else pd.Series("all", index=out.index))
    work = out[list(count_columns) + list(derived_columns)].copy()
    work["_group"], work["_row"] = keys.to_numpy(), [f"r{i}" for i in range(len(out))]
    multi = keys.map(keys.value_counts()) >= 2  # a one-row group's total is the row itself
    totals = work.loc[multi.to_numpy()].groupby("_group", sort=False)[list(count_columns)].sum()
    totals = totals.reset_index().assign(_row=ALL)
    frame = pd.concat([work, totals], ignore_index=True)
    schema = _counts_schema(count_columns, derived_columns)
    prot = protect({schema.name: frame}, {schema.name: schema}, (), strict=False)
    if prot.unresolved:  # e.g. two cells of 4 with a known total of 8: only hiding the total helps
        warnings.warn("suppress_counts: the group totals give away "
                      + "; ".join(f.line() for f in prot.unresolved), stacklevel=2)
    labels = prot[schema.name].labels.iloc[: len(out)]
    for col in count_columns:
        vals = pd.to_numeric(out[col], errors="coerce").astype("float64")
        out[col] = _text(vals, labels[col].to_numpy(dtype=object), 0)
    for col in derived_columns:
        out[col] = _text(out[col], labels[col].to_numpy(dtype=object), 4)
    return out


def _count_cells_ok(series: pd.Series) -> bool:
    text = series.astype("string").str.strip()
    num = pd.to_numeric(text.where(~text.isin(SYMBOLS)), errors="coerce")
    bad = num.notna() & (num > 0) & (num < MIN_CELL_PERSONS)
    return not bool(bad.any())


def is_publishable(
    df: pd.DataFrame,
    count_columns: Sequence[str] = (),
    group_columns: Sequence[str] = (),
) -> bool:
    """Check a table before it is published.

    False when it has a person identifier column (``client_id``,
    ``employee_id``); when a ``persons`` column or one of ``count_columns``
    shows a number of 1..4; when it is an indicator table (contract columns)
    the audit of :mod:`zwt_analysis.disclosure` finds an unprotected cell in
    (a small count, a cell that follows from the others and the totals, a
    share beside a suppressed count); or when, within a group of
    ``group_columns``, a count column holds exactly one suppressed cell
    (the group's total would give it away).
    """
    if any(c in df.columns for c in PERSON_ID_COLUMNS):
        return False
    cols = list(count_columns) + (["persons"] if "persons" in df.columns else [])
    if not all(_count_cells_ok(df[c]) for c in cols):
        return False
    if all(c in df.columns for c in INDICATOR_COLUMNS):
        from zwt_analysis.disclosure.audit import audit_fragments
        from zwt_analysis.disclosure.build import Fragment
        from zwt_analysis.disclosure.tables import INDICATOR_SCHEMA

        text = df[list(INDICATOR_COLUMNS)].astype("string").fillna("")
        result = audit_fragments([Fragment(INDICATOR_SCHEMA.name, text)],
                                 {INDICATOR_SCHEMA.name: INDICATOR_SCHEMA}, ())
        if not result.ok:
            return False
    if group_columns and count_columns:
        keys = df[list(group_columns)].astype(str).agg("\x1f".join, axis=1).to_numpy()
        for c in count_columns:
            g = is_hidden(df[c]).groupby(keys)
            if ((g.sum() == 1) & (g.size() >= 2)).any():
                return False
    return True
