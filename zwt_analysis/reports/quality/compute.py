"""Data-quality summaries for the data-quality report (``notebooks/01_data_quality.py``).

What was read per table (from ``validation.json``), what was quarantined and
why (from ``quarantine.csv``), which columns are filled how often (overall,
by organisation, by period) and what was missing. Pure functions over
DataFrames and the validation dict; nothing here reads files, and nothing
here hides small counts: the report's suppression and Dutch labels are in
:mod:`zwt_analysis.reports.quality.tables`, the steps in
:mod:`zwt_analysis.reports.quality.build`.

Periods: each table is dated by one column (:data:`PERIOD_COLUMNS`): the
quarter ``YYYY-Qn`` of its event date (cases by ``date_report``, time
registrations and signals by ``date``), the year ``YYYY`` of ``start_date``
for staff (spells start over decades and are few per quarter), the year for
yearly tables (budgets, formation) and the reported ``period`` text for KPI
values. ``areas`` and ``kpi_register`` have no period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import TABLES
from zwt_analysis.periods import is_quarter, quarter_labels, quarter_start

#: Column that dates a row of each table, and how (``quarter`` of a date,
#: ``date_year`` the year of a date, ``year`` as an int, ``period`` text as delivered).
PERIOD_COLUMNS: dict[str, tuple[str, str]] = {
    "cases": ("date_report", "quarter"),
    "time_registrations": ("date", "quarter"),
    "staff": ("start_date", "date_year"),
    "signals": ("date", "quarter"),
    "budgets": ("year", "year"),
    "formation": ("year", "year"),
    "kpi_values": ("period", "period"),
}

READ_COLUMNS = ("table", "delivered", "source_file", "rows_in", "rows_clean",
                "rows_quarantined", "share_quarantined", "balanced")
REASON_COLUMNS = ("table", "column", "reason", "lines", "rows", "share_of_lines")
OTHER_REASONS = "overige redenen"


def _check_table(name: str) -> None:
    if name not in TABLES:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}")


# ----------------------------------------------------------------- what was read

def read_summary(validation: Mapping[str, Any]) -> pd.DataFrame:
    """Rows read, clean and quarantined per contract table, from ``validation.json``.

    Args:
        validation: the parsed ``validation.json`` (``processed.read_validation``).

    Returns:
        One row per contract table in contract order with :data:`READ_COLUMNS`.
        ``delivered`` is False for a table without an entry (its counts are
        missing). ``share_quarantined`` = rows_quarantined / rows_in (NaN when
        no rows were read). ``balanced`` checks rows_in = rows_clean +
        rows_quarantined (the contract's row conservation).

    Examples:
        >>> v = {"cases": {"rows_in": 10, "rows_clean": 8, "rows_quarantined": 2}}
        >>> read_summary(v).set_index("table").loc["cases", "share_quarantined"]
        np.float64(0.2)
    """
    rows = []
    for name in TABLES:
        entry = validation.get(name)
        if not isinstance(entry, Mapping):
            rows.append({"table": name, "delivered": False})
            continue
        n_in, n_clean, n_q = (entry.get(k) for k in ("rows_in", "rows_clean", "rows_quarantined"))
        rows.append({
            "table": name, "delivered": True, "source_file": entry.get("source_file"),
            "rows_in": n_in, "rows_clean": n_clean, "rows_quarantined": n_q,
        })
    df = pd.DataFrame(rows, columns=[c for c in READ_COLUMNS
                                     if c not in ("share_quarantined", "balanced")])
    df = df.astype({"table": "string", "delivered": "boolean", "source_file": "string",
                    "rows_in": "Int64", "rows_clean": "Int64", "rows_quarantined": "Int64"})
    share = (df["rows_quarantined"].astype("float64")
             / df["rows_in"].astype("float64").where(df["rows_in"] > 0))
    balanced = (df["rows_in"] == df["rows_clean"] + df["rows_quarantined"]).astype("boolean")
    return df.assign(share_quarantined=share.astype("float64"), balanced=balanced)[
        list(READ_COLUMNS)]


def missing_tables(validation: Mapping[str, Any]) -> list[str]:
    """Contract tables that were not delivered (``missing_tables`` or no entry)."""
    listed = validation.get("missing_tables")
    if isinstance(listed, list):
        return [str(t) for t in listed]
    return [n for n in TABLES if not isinstance(validation.get(n), Mapping)]


def column_notes(validation: Mapping[str, Any]) -> pd.DataFrame:
    """Columns the exports had in excess, lacked (optional ones) or had renamed.

    Returns:
        Columns ``table``, ``kind`` (``unknown``: delivered but not in the
        contract, left out of the processed data; ``missing_optional``: an
        optional contract column the export lacked; ``renamed``: renamed by
        the column map) and ``column`` (``export header -> contract name`` for
        renamed columns). Empty (with these columns) when there is nothing.
    """
    rows = []
    for name in TABLES:
        entry = validation.get(name)
        if not isinstance(entry, Mapping):
            continue
        for col in entry.get("unknown_columns") or []:
            rows.append((name, "unknown", str(col)))
        for col in entry.get("missing_optional_columns") or []:
            rows.append((name, "missing_optional", str(col)))
        for src, dst in (entry.get("renamed_columns") or {}).items():
            rows.append((name, "renamed", f"{src} -> {dst}"))
    return pd.DataFrame(rows, columns=["table", "kind", "column"]).astype("string")


# ----------------------------------------------------------------- quarantine

_ROW_REF = re.compile(r"\s*\((?:first )?at row \d+\)")


def normalise_reason(reason: str) -> str:
    """A reason without row references, so equal rules group together.

    Examples:
        >>> normalise_reason("duplicate case_id (first at row 12)")
        'duplicate case_id'
        >>> normalise_reason("not a date")
        'not a date'
    """
    return _ROW_REF.sub("", str(reason)).strip()


def quarantine_reasons(quarantine: pd.DataFrame, top: int | None = 5) -> pd.DataFrame:
    """Quarantine lines and rows per table, column and reason, most frequent first.

    Args:
        quarantine: ``quarantine.csv`` as read by ``processed.read_quarantine``
            (one line per broken rule; a row breaking two rules has two lines).
        top: keep the ``top`` most frequent reasons per table and add them up
            into one ``overige redenen`` line per table (column empty); None
            keeps all.

    Returns:
        :data:`REASON_COLUMNS`: ``lines`` (quarantine lines), ``rows`` (distinct
        source rows with that reason), ``share_of_lines`` (of the table's
        lines). Sorted by table (contract order), then lines descending. For the
        ``overige redenen`` line ``rows`` counts distinct rows over all the
        reasons it gathers.

    Raises:
        ValueError: a column of ``quarantine.csv`` is missing.
    """
    need = {"table", "row_number", "column", "reason"}
    if not need <= set(quarantine.columns):
        raise ValueError(f"quarantine lacks columns {sorted(need - set(quarantine.columns))}")
    if top is not None and top < 1:
        raise ValueError("top must be at least 1 (or None)")
    if quarantine.empty:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in ("table", "column", "reason")
                                          else "Int64" if c in ("lines", "rows") else "float64")
                             for c in REASON_COLUMNS})
    q = quarantine.assign(
        reason=quarantine["reason"].astype("string").fillna("").map(normalise_reason),
        column=quarantine["column"].astype("string").fillna(""),
        table=quarantine["table"].astype("string"))
    g = (q.groupby(["table", "column", "reason"], sort=False)
         .agg(lines=("row_number", "size"), rows=("row_number", "nunique")).reset_index())
    order = {n: i for i, n in enumerate(TABLES)}
    g = g.assign(_o=g["table"].map(order).fillna(len(order))).sort_values(
        ["_o", "table", "lines", "column", "reason"], ascending=[True, True, False, True, True],
        kind="stable")
    parts = []
    for table, grp in g.groupby("table", sort=False):
        total = grp["lines"].sum()
        keep = grp if top is None else grp.head(top)
        if top is not None and len(grp) > top:
            rest = grp.iloc[top:]
            rest_keys = set(zip(rest["column"], rest["reason"], strict=True))
            qt = q[q["table"] == table]
            in_rest = [(c, r) in rest_keys for c, r in zip(qt["column"], qt["reason"], strict=True)]
            keep = pd.concat([keep, pd.DataFrame([{
                "table": table, "column": "", "reason": OTHER_REASONS,
                "lines": rest["lines"].sum(), "rows": qt.loc[in_rest, "row_number"].nunique(),
            }])], ignore_index=True)
        parts.append(keep.assign(share_of_lines=keep["lines"] / total))
    out = pd.concat(parts, ignore_index=True)[list(REASON_COLUMNS)]
    return out.astype({"table": "string", "column": "string", "reason": "string",
                       "lines": "Int64", "rows": "Int64", "share_of_lines": "float64"})


# ----------------------------------------------------------------- periods

def period_of(df: pd.DataFrame, table: str, first_year: int | None = None) -> pd.Series:
    """The period label (``YYYY-Qn``, ``YYYY`` or delivered text) of each row of ``table``.

    Rows whose dating column is missing get ``<NA>``. A table without a
    period (:data:`PERIOD_COLUMNS`) gives all ``<NA>``. With ``first_year``
    (the first year of data), staff spells that started earlier share one
    period ``"<first_year - 1> en eerder"`` (it sorts just before
    ``first_year``): a few starts a year over decades are small groups that
    say nothing about registration now.

    Examples:
        >>> df = pd.DataFrame({"date": pd.to_datetime(["2024-03-31", "2024-04-01", None])})
        >>> period_of(df, "signals").tolist()
        ['2024-Q1', '2024-Q2', <NA>]
        >>> staff = pd.DataFrame({"start_date": pd.to_datetime(["1998-05-01", "2019-01-01"])})
        >>> period_of(staff, "staff", first_year=2019).tolist()
        ['2018 en eerder', '2019']
    """
    _check_table(table)
    if table not in PERIOD_COLUMNS:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    col, kind = PERIOD_COLUMNS[table]
    s = df[col]
    if kind == "quarter":
        return quarter_labels(s)
    if kind == "date_year":
        years = pd.to_datetime(s).dt.year.astype("Int64")
        text = years.astype("string")
        if first_year is None:
            return text
        return text.mask((years < first_year).fillna(False), f"{first_year - 1} en eerder")
    return s.astype("Int64").astype("string") if kind == "year" else s.astype("string")


# ----------------------------------------------------------------- completeness

def _wilson(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from zwt_analysis.stats import wilson_interval

    low, high = wilson_interval(k, n)
    return np.asarray(low, dtype="float64"), np.asarray(high, dtype="float64")


def completeness(df: pd.DataFrame, table: str, by: Sequence[str] = (),
                 interval: bool = True, first_year: int | None = None) -> pd.DataFrame:
    """Share of non-missing values per contract column of ``table``, optionally by group.

    Args:
        df: processed table ``table`` (contract columns; empty text counts as
            filled: processed data store missing as ``<NA>``).
        table: contract table name.
        by: grouping, any of ``"organisation"`` and ``"period"`` (see
            :func:`period_of`; rows without a period are left out of the
            by-period figures). Grouping columns are not themselves reported.
        interval: add the 95% Wilson interval of each share (``low``, ``high``).
        first_year: passed to :func:`period_of`.

    Returns:
        Long frame: ``table``, the ``by`` columns, ``column``, ``rows`` (rows
        in the group), ``filled`` (non-missing values), ``share`` (filled /
        rows) and, with ``interval``, ``low`` and ``high``. Empty groups do not
        occur; an empty ``df`` gives an empty frame with these columns.

    Raises:
        KeyError: unknown table, or ``by`` asks for organisation/period where
            the table has none.
    """
    _check_table(table)
    by = list(by)
    bad = [b for b in by if b not in ("organisation", "period")]
    if bad:
        raise KeyError(f"cannot group by {bad}; use 'organisation' and/or 'period'")
    if "organisation" in by and "organisation" not in TABLES[table].column_names:
        raise KeyError(f"{table} has no organisation column")
    if "period" in by and table not in PERIOD_COLUMNS:
        raise KeyError(f"{table} has no period")
    cols = [c for c in TABLES[table].column_names if c in df.columns and c not in by]
    work = df[cols].notna()
    keys = []
    if "organisation" in by:
        keys.append(df["organisation"].astype("string").rename("organisation"))
    if "period" in by:
        keys.append(period_of(df, table, first_year).rename("period"))
    out_cols = ["table", *by, "column", "rows", "filled", "share"] + (
        ["low", "high"] if interval else [])
    if keys:
        g = work.groupby(keys, dropna=True, sort=True)
        filled = g.sum()
        rows = g.size()
        long = filled.stack().rename("filled").reset_index().rename(
            columns={f"level_{len(by)}": "column"})
        long = long.merge(rows.rename("rows").reset_index(), on=by, how="left")
    else:
        long = pd.DataFrame({"column": cols, "filled": work.sum().to_numpy(),
                             "rows": len(df)})
    if long.empty:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in ("table", "column",
                                                                   "organisation", "period")
                                          else "float64") for c in out_cols})
    long = long.astype({"rows": "int64", "filled": "int64"})
    long = long.assign(table=table, share=long["filled"] / long["rows"])
    if interval:
        low, high = _wilson(long["filled"].to_numpy(), long["rows"].to_numpy())
        long = long.assign(low=low, high=high)
    out = long[out_cols].astype({"table": "string", "column": "string"})
    order = {c: i for i, c in enumerate(cols)}
    return out.assign(_o=out["column"].map(order)).sort_values(
        [*by, "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def completeness_all(tables: Mapping[str, pd.DataFrame], by: Sequence[str] = (),
                     interval: bool = True, first_year: int | None = None) -> pd.DataFrame:
    """:func:`completeness` of every table that supports ``by``, concatenated.

    Tables that lack an organisation column (for ``by`` organisation) or a
    period (for ``by`` period), and empty tables, are skipped.
    """
    parts = []
    for name, df in tables.items():
        _check_table(name)
        if df.empty:
            continue
        if "organisation" in by and "organisation" not in TABLES[name].column_names:
            continue
        if "period" in by and name not in PERIOD_COLUMNS:
            continue
        parts.append(completeness(df, name, by, interval, first_year))
    if not parts:
        return completeness(pd.DataFrame(columns=TABLES["areas"].column_names), "areas", [],
                            interval).iloc[0:0]
    return pd.concat(parts, ignore_index=True)


def rows_by_period(tables: Mapping[str, pd.DataFrame], by_organisation: bool = True,
                   first_year: int | None = None) -> pd.DataFrame:
    """Clean rows per table and period (and organisation): shows gaps in deliveries.

    ``first_year``: passed to :func:`period_of`.

    Returns:
        ``table``, (``organisation``,) ``period``, ``rows``; tables without a
        period are skipped; rows without a period are left out.
    """
    parts = []
    for name, df in tables.items():
        _check_table(name)
        if name not in PERIOD_COLUMNS or df.empty:
            continue
        keys = {"period": period_of(df, name, first_year)}
        if by_organisation:
            keys = {"organisation": df["organisation"].astype("string"), **keys}
        frame = pd.DataFrame(keys).dropna()
        cnt = frame.groupby(list(keys), sort=True).size().rename("rows").reset_index()
        parts.append(cnt.assign(table=name))
    cols = ["table", *(["organisation"] if by_organisation else []), "period", "rows"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "rows" else "string")
                             for c in cols})
    out = pd.concat(parts, ignore_index=True)[cols]
    return out.astype({"table": "string", "period": "string", "rows": "int64"})


def delivery_gaps(event_rows: pd.DataFrame, fraction: float = 0.5) -> pd.DataFrame:
    """Quarters in which an organisation delivered few rows of a table (a possible gap).

    Per table and organisation, over every quarter from its first to its last
    quarter with rows (quarters without rows count as 0): the quarters with
    fewer rows than ``fraction`` times the median quarter. Only quarter
    periods (``YYYY-Qn``) are considered.

    Args:
        event_rows: :func:`rows_by_period` output (``table``, ``organisation``,
            ``period``, ``rows``).
        fraction: the share of the median below which a quarter is named.

    Returns:
        ``table``, ``organisation``, ``period`` of each such quarter, sorted;
        the counts themselves are not returned (they may count persons).

    Examples:
        >>> rows = pd.DataFrame({"table": "cases", "organisation": "A",
        ...                      "period": ["2024-Q1", "2024-Q3", "2024-Q4"], "rows": [10, 3, 12]})
        >>> delivery_gaps(rows)["period"].tolist()
        ['2024-Q2', '2024-Q3']
    """
    out = []
    quarters = event_rows[[is_quarter(p) for p in event_rows["period"]]] \
        if len(event_rows) else event_rows
    for (table, org), grp in quarters.groupby(["table", "organisation"], sort=True):
        counts = grp.groupby("period")["rows"].sum()
        starts = pd.date_range(quarter_start(min(counts.index)),
                               quarter_start(max(counts.index)), freq="QS")
        full = counts.reindex(quarter_labels(pd.Series(starts)).tolist(), fill_value=0)
        low = full[full < fraction * float(full.median())]
        out += [(table, org, period) for period in low.index]
    return pd.DataFrame(out, columns=["table", "organisation", "period"]).astype("string")


def date_ranges(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """First and last value of every date column, with the number of filled values.

    Returns:
        ``table``, ``column``, ``filled``, ``first``, ``last`` (NaT when empty).
    """
    rows = []
    for name, df in tables.items():
        _check_table(name)
        for col in TABLES[name].columns:
            if col.kind != "date" or col.name not in df.columns:
                continue
            s = pd.to_datetime(df[col.name])
            rows.append({"table": name, "column": col.name, "filled": int(s.notna().sum()),
                         "first": s.min(), "last": s.max()})
    out = pd.DataFrame(rows, columns=["table", "column", "filled", "first", "last"])
    return out.astype({"table": "string", "column": "string", "filled": "int64",
                       "first": "datetime64[ns]", "last": "datetime64[ns]"})


def add_interval(df: pd.DataFrame, count: str, total: str) -> pd.DataFrame:
    """Add the 95% Wilson interval (``low``, ``high``) of ``count / total`` per row.

    Rows with a missing or zero ``total`` get NaN bounds.
    """
    n = df[total].astype("float64").to_numpy()
    k = df[count].astype("float64").to_numpy()
    ok = np.isfinite(n) & np.isfinite(k) & (n > 0)
    low = np.full(len(df), np.nan)
    high = np.full(len(df), np.nan)
    if ok.any():
        lo, hi = _wilson(k[ok], n[ok])
        low[ok], high[ok] = lo, hi
    return df.assign(low=low, high=high)


def completeness_matrix(long: pd.DataFrame, index: str = "column",
                        columns: str = "organisation") -> pd.DataFrame:
    """Pivot a :func:`completeness` result of one table into a share matrix (for a heatmap)."""
    return long.pivot(index=index, columns=columns, values="share").reindex(
        pd.unique(long[index]))
