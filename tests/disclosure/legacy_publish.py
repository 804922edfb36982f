"""FROZEN COPY of zwt_analysis/present/publish.py on main before issue 16 (commit 7eafba5).

Only for tests/disclosure/test_attacks.py: it shows each attack recovering a cell with the
old rules. Not used by the package. The original module docstring follows.

Publication: turn internal tables into tables that may leave the building.

Rule (data contract, section 3): a published cell that counts fewer than
:data:`~zwt_analysis.config.MIN_CELL_PERSONS` (5) persons is shown as
``<5``, and no other cell may let a reader recompute it.

Indicator tables (:func:`publish_indicators`)
---------------------------------------------
*Primary suppression*: a row whose ``persons`` (distinct clients or
employees behind it, from ``compute_indicators(..., with_persons=True)``) is
below 5 -- 0 included -- shows ``<5`` for numerator, denominator **and**
value (any two of them give the third). Rows without persons (money) are
never suppressed.

*Secondary (complementary) suppression*: the indicator table is a tree per
indicator and period: city = sum of its organisations, organisation = sum of
its teams (exactly for the additive indicators; for distinct counts the same
rule is applied as a precaution). In each group {parent, its children} the
number of suppressed rows must never be exactly one, because then the
suppressed row = parent - other children (or parent = sum of children). When
it is exactly one, the published child with the fewest persons (ties:
smallest denominator, then name) is suppressed too, or the parent if no
child is left; this repeats until no group has exactly one. So:

- within an organisation, one suppressed team -> the next-smallest team too;
- one suppressed organisation while the city is published -> another
  organisation too, and then, because that organisation's total could be
  summed from its teams, one of its teams as well.

With every group holding zero or at least two unknowns, no suppressed cell is
determined by the sums (a tree of such equations always leaves each unknown
free; the property tests check this with linear algebra). Periods and
indicators are separate tables; differencing over time is not protected
against and the persons behind a number are never published.

Other tables (:func:`suppress_counts`)
--------------------------------------
Cells of person-count columns below 5 become ``<5``; within each group of
rows (``group_columns``; whole table if none), per column, a single
suppressed cell takes the next-smallest cell with it, since group totals are
usually published or known.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from zwt_analysis.config import MIN_CELL_PERSONS
from zwt_analysis.contract import ALL, INDICATOR_COLUMNS, PERSON_ID_COLUMNS

SUPPRESSED = f"<{MIN_CELL_PERSONS}"
_MAX_PASSES = 50


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


def _groups(df: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The hierarchy groups: (group key per member row, member mask, parent mask).

    Organisation groups: rows of one (indicator, period, organisation), parent
    = team ALL. City groups: rows with team ALL of one (indicator, period),
    parent = organisation ALL.
    """
    ind = df["indicator_id"].astype(str).to_numpy()
    per = df["period"].astype(str).to_numpy()
    org = df["organisation"].astype(str).to_numpy()
    team = df["team"].astype(str).to_numpy()
    org_key = pd.Series(ind).str.cat([pd.Series(per), pd.Series(org)], sep="\x1f").to_numpy()
    city_key = pd.Series(ind).str.cat(pd.Series(per), sep="\x1f").to_numpy()
    return [
        (org_key, org != ALL, (org != ALL) & (team == ALL)),
        (city_key, team == ALL, (org == ALL) & (team == ALL)),
    ]


def _secondary_pass(
    sup: np.ndarray,
    key: np.ndarray,
    member: np.ndarray,
    parent: np.ndarray,
    rank: pd.DataFrame,
) -> np.ndarray:
    """Indices of rows to suppress in this pass for one kind of group (vectorised)."""
    idx = np.flatnonzero(member)
    if len(idx) == 0:
        return np.empty(0, dtype=int)
    m = pd.DataFrame({"key": key[idx], "sup": sup[idx], "parent": parent[idx]}, index=idx)
    g = m.groupby("key", sort=False)["sup"]
    n_sup = g.transform("sum").to_numpy()
    size = g.transform("size").to_numpy()
    bad = (n_sup == 1) & (size >= 2)
    if not bad.any():
        return np.empty(0, dtype=int)
    mb = m.loc[bad]
    cand = mb.loc[~mb["sup"] & ~mb["parent"]].join(rank)
    cand = cand.sort_values(["key", "_persons", "_den", "_name"], kind="mergesort")
    chosen = cand.drop_duplicates("key")
    picked = set(chosen.index.tolist())
    no_child = set(mb["key"]) - set(chosen["key"])
    if no_child:
        par = mb.loc[mb["parent"] & ~mb["sup"] & mb["key"].isin(no_child)]
        picked |= set(par.index.tolist())
    return np.array(sorted(picked), dtype=int)


def suppression_mask(ind: pd.DataFrame, persons_column: str = "persons") -> pd.Series:
    """Rows of an internal indicator table to suppress (primary and secondary).

    Args:
        ind: indicator table with the contract columns and ``persons``.

    Returns:
        Boolean Series aligned with ``ind``.
    """
    df = ind.reset_index(drop=True)
    persons = pd.to_numeric(df[persons_column], errors="coerce").astype("float64")
    sup = (persons < MIN_CELL_PERSONS).fillna(False).to_numpy(dtype=bool).copy()
    rank = pd.DataFrame(
        {
            "_persons": persons.fillna(np.inf).to_numpy(),
            "_den": pd.to_numeric(df["denominator"], errors="coerce").abs().fillna(np.inf).to_numpy(),
            "_name": (df["organisation"].astype(str) + "\x1f" + df["team"].astype(str)).to_numpy(),
        }
    )
    groups = _groups(df)
    for _ in range(_MAX_PASSES):
        changed = False
        for key, member, parent in groups:
            add = _secondary_pass(sup, key, member, parent, rank)
            if len(add):
                sup[add] = True
                changed = True
        if not changed:
            break
    else:  # pragma: no cover - the number of rows bounds the passes
        raise RuntimeError("secondary suppression did not settle")
    return pd.Series(sup, index=ind.index)


def publish_indicators(ind_with_persons: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """The publishable form of an internal indicator table.

    Args:
        ind_with_persons: ``compute_indicators(..., with_persons=True)``.
        decimals: decimals of non-whole numbers in the text.

    Returns:
        The contract columns with ``numerator``, ``denominator`` and ``value``
        as text (``<5`` where suppressed, see the module docstring) and a
        boolean ``suppressed``; ``persons`` is dropped.
    """
    if "persons" not in ind_with_persons.columns:
        raise ValueError("publish_indicators needs the persons column (compute with with_persons=True)")
    df = ind_with_persons.reset_index(drop=True)
    sup = suppression_mask(df).to_numpy()
    out = df[list(INDICATOR_COLUMNS)].copy()
    for c in ("numerator", "denominator", "value"):
        text = [format_number(v, decimals) for v in df[c].to_numpy()]
        out[c] = pd.array(np.where(sup, SUPPRESSED, np.array(text, dtype=object)), dtype="string")
    out["suppressed"] = sup
    return out


def suppress_counts(
    df: pd.DataFrame,
    count_columns: Sequence[str],
    group_columns: Sequence[str] = (),
    derived_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Suppress small person counts in an arbitrary table (e.g. a notebook side table).

    Args:
        df: the table; ``count_columns`` hold numbers of persons.
        count_columns: person-count columns; a cell below 5 (0 included)
            becomes ``<5``.
        group_columns: rows whose counts add up to a total a reader knows
            (e.g. ``["organisation", "year"]`` for teams within an
            organisation-year); within each group and column, a single
            suppressed cell takes the next-smallest published cell with it.
            Empty: the whole table is one group.
        derived_columns: columns computed from the counts of the same row
            (shares, rates); suppressed wherever any count of the row is.

    Returns:
        A copy with ``count_columns`` and ``derived_columns`` as text.
    """
    out = df.reset_index(drop=True).copy()
    keys = (
        out[list(group_columns)].astype(str).agg("\x1f".join, axis=1).to_numpy()
        if group_columns
        else np.zeros(len(out), dtype=object)
    )
    row_sup = np.zeros(len(out), dtype=bool)
    for col in count_columns:
        vals = pd.to_numeric(out[col], errors="coerce").astype("float64")
        sup = (vals < MIN_CELL_PERSONS).fillna(False).to_numpy(dtype=bool).copy()
        frame = pd.DataFrame({"key": keys, "sup": sup, "v": vals.fillna(np.inf).to_numpy()})
        n_sup = frame.groupby("key", sort=False)["sup"].transform("sum").to_numpy()
        bad = (n_sup == 1) & ~sup
        cand = frame.loc[bad].sort_values(["key", "v"], kind="mergesort").drop_duplicates("key")
        sup[cand.index.to_numpy()] = True
        row_sup |= sup
        text = np.array([format_number(v, 0) if pd.notna(v) else "" for v in vals], dtype=object)
        out[col] = pd.array(np.where(sup, SUPPRESSED, text), dtype="string")
    for col in derived_columns:
        text = np.array([format_number(v) if isinstance(v, (int, float, np.number)) else
                         ("" if pd.isna(v) else str(v)) for v in out[col].to_numpy()], dtype=object)
        out[col] = pd.array(np.where(row_sup, SUPPRESSED, text), dtype="string")
    return out


def _count_cells_ok(series: pd.Series) -> bool:
    text = series.astype("string")
    num = pd.to_numeric(text.where(text != SUPPRESSED), errors="coerce")
    bad = num.notna() & (num < MIN_CELL_PERSONS)
    return not bool(bad.any())


def is_publishable(
    df: pd.DataFrame,
    count_columns: Sequence[str] = (),
    group_columns: Sequence[str] = (),
) -> bool:
    """Check a table before it is published.

    False when it has a person identifier column (``client_id``,
    ``employee_id``); when a ``persons`` column or one of ``count_columns``
    shows a number below 5; when, in an indicator table (contract columns),
    a row with ``persons`` < 5 is not suppressed or some hierarchy group
    (organisation with its teams, city with its organisations) holds exactly
    one suppressed row; or when, within a group of ``group_columns``, a count
    column holds exactly one ``<5``.
    """
    if any(c in df.columns for c in PERSON_ID_COLUMNS):
        return False
    cols = list(count_columns) + (["persons"] if "persons" in df.columns else [])
    for c in cols:
        if not _count_cells_ok(df[c]):
            return False
    if all(c in df.columns for c in INDICATOR_COLUMNS):
        d = df.reset_index(drop=True)
        sup = (d["value"].astype("string") == SUPPRESSED).fillna(False).to_numpy(dtype=bool)
        for key, member, _parent in _groups(d):
            g = pd.Series(sup[member]).groupby(key[member])
            if ((g.sum() == 1) & (g.size() >= 2)).any():
                return False
    if group_columns and count_columns:
        keys = df[list(group_columns)].astype(str).agg("\x1f".join, axis=1)
        for c in count_columns:
            g = (df[c].astype("string") == SUPPRESSED).fillna(False).groupby(keys.to_numpy())
            if ((g.sum() == 1) & (g.size() >= 2)).any():
                return False
    return True
