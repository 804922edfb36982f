"""Shared building blocks of the indicator computations.

Everything here is vectorised: periods are derived from whole date columns,
the three levels (team, organisation, city) come from three ``groupby`` calls,
and distinct persons are counted with ``nunique`` per level (never summed,
so a person in two teams counts once for the organisation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from ..contract import ALL, INDICATOR_COLUMNS

#: Internal column holding the number of distinct persons behind a row.
PERSONS = "persons"
#: Columns of the internal indicator table (contract columns + persons).
INTERNAL_COLUMNS: tuple[str, ...] = (*INDICATOR_COLUMNS, PERSONS)

LEVEL_TEAM = "team"
LEVEL_ORGANISATION = "organisation"
LEVEL_CITY = "city"
ALL_LEVELS: tuple[str, ...] = (LEVEL_TEAM, LEVEL_ORGANISATION, LEVEL_CITY)
ORG_LEVELS: tuple[str, ...] = (LEVEL_ORGANISATION, LEVEL_CITY)


def ts(day: date | pd.Timestamp | str) -> pd.Timestamp:
    """``day`` as a midnight :class:`pandas.Timestamp`."""
    return pd.Timestamp(day).normalize()


def empty_result(with_persons: bool = True) -> pd.DataFrame:
    """An empty indicator table with the right columns and dtypes."""
    cols = INTERNAL_COLUMNS if with_persons else INDICATOR_COLUMNS
    dtypes = {
        "indicator_id": "string",
        "period": "string",
        "organisation": "string",
        "team": "string",
        "numerator": "float64",
        "denominator": "float64",
        "value": "float64",
        PERSONS: "Int64",
    }
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in cols})


_NS_PER_DAY = 86_400_000_000_000


def _period_codes(dates: pd.Series | np.ndarray, months: int) -> pd.Categorical:
    """Periods of ``months`` months (3: quarters, 12: years) of each date, as a Categorical.

    Each date becomes a day number; the period of every day between the
    first and the last date is worked out once, and the rows take theirs
    from that table (no per-row calendar arithmetic, no per-row strings).
    Missing dates stay missing.
    """
    values = dates if isinstance(dates, pd.Series) else pd.Series(dates)
    if values.dtype != "datetime64[ns]":
        values = pd.to_datetime(values).astype("datetime64[ns]")
    d = values.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    missing = np.isnat(d)
    if missing.all():
        return pd.Categorical.from_codes(np.full(len(d), -1), categories=pd.Index([], dtype="string"))
    days = np.floor_divide(d.view("int64"), _NS_PER_DAY)
    present = days[~missing] if missing.any() else days
    lo, hi = int(present.min()), int(present.max())
    # period index (months since 1970 // months) of every day from lo to hi
    table = np.arange(lo, hi + 1, dtype="int64").astype("datetime64[D]")
    table = np.floor_divide(table.astype("datetime64[M]").astype("int64"), months)
    first = int(table[0])
    table -= first
    if missing.any():
        days[missing] = lo
    days -= lo  # in place: no further arrays as long as the column
    codes = np.take(table, days, out=days)
    if missing.any():
        codes[missing] = -1
    starts = [(first + i) * months for i in range(int(table[-1]) + 1)]  # months since 1970
    if months == 3:
        labels = [f"{1970 + m // 12:04d}-Q{m % 12 // 3 + 1}" for m in starts]
    else:
        labels = [f"{1970 + m // 12:04d}" for m in starts]
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype="string"))


def quarter_label(dates: pd.Series) -> pd.Series:
    """``YYYY-Qn`` of each date as a categorical Series (missing dates give NaN).

    The quarter boundaries are built once and each date placed by
    ``searchsorted``, so it is cheap on millions of rows and fast to group by.
    """
    dates = pd.Series(dates)
    return pd.Series(_period_codes(dates, 3), index=dates.index)


def year_codes(dates: pd.Series) -> pd.Categorical:
    """``YYYY`` of each date as a Categorical (missing dates give NaN); cheap on many rows."""
    return _period_codes(dates, 12)


def year_label(dates: pd.Series) -> pd.Series:
    """``YYYY`` of each date as text (missing dates give ``<NA>``)."""
    years = pd.to_datetime(dates).dt.year.astype("Int64")
    return years.astype("string")


def quarter_ends(first: pd.Timestamp, as_of: pd.Timestamp) -> list[pd.Timestamp]:
    """Last days of the quarters from the quarter of ``first`` whose end is <= ``as_of``."""
    if pd.isna(first) or first > as_of:
        return []
    ends = pd.date_range(first.to_period("Q").end_time.normalize(), as_of, freq="QE")
    return [pd.Timestamp(d).normalize() for d in ends]


#: Columns :func:`observation_start` reads.
OBSERVATION_COLUMNS: dict[str, tuple[str, ...]] = {"cases": ("date_report",), "time_registrations": ("date",)}


def observation_start(tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp | None:
    """First day the exports observe: the earliest event in ``cases`` or ``time_registrations``.

    Staff spells reach back to long before the export window (a person hired
    in 2008 and still employed in 2019 is in the export; one who left in 2015
    is not), so counting staff flows or FTE before the window would measure
    only the survivors. Measurements on a day (quarter ends, 1 January,
    1 July) are therefore made only from the quarter / year in which
    observation starts. ``None`` when neither table has rows (then no lower
    bound is applied).
    """
    firsts = []
    for name, col in (("cases", "date_report"), ("time_registrations", "date")):
        df = tables.get(name)
        if df is not None and len(df):
            firsts.append(pd.to_datetime(df[col]).min())
    firsts = [f for f in firsts if pd.notna(f)]
    return min(firsts).normalize() if firsts else None


def years_started(first_year: int, as_of: pd.Timestamp) -> list[int]:
    """Years from ``first_year`` whose 1 January lies on or before ``as_of``."""
    return list(range(int(first_year), int(as_of.year) + 1))


def as_codes(values: pd.Series | np.ndarray) -> pd.Categorical:
    """``values`` as a Categorical (integer codes + the distinct values); missing stays missing.

    Grouping, filtering and taking on codes is much faster than on text.
    """
    if isinstance(values, pd.Categorical):
        return values
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.array
    codes, uniques = pd.factorize(np.asarray(values, dtype=object) if not isinstance(values, pd.Series)
                                  else values, use_na_sentinel=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques))


def shared_codes(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Integer codes of two text columns over one set of values (-1 = missing).

    Returns ``(codes of a, codes of b, values)``; only the distinct values
    are compared as text, the rows keep their codes.
    """
    ca, cb = as_codes(a), as_codes(b)
    names = pd.Index(ca.categories.astype("string")).append(pd.Index(cb.categories.astype("string"))).unique()
    out = []
    for cat in (ca, cb):
        lookup = np.append(names.get_indexer(cat.categories.astype("string")), -1)  # code -1 -> -1
        out.append(lookup[np.asarray(cat.codes, dtype="int64")])
    return out[0], out[1], names


def _combine(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """One int64 key per row from several code arrays (-1 = missing allowed)."""
    key = np.zeros(len(codes[0]), dtype="int64")
    for c, n in zip(codes, sizes, strict=True):
        key *= n + 1
        key += np.asarray(c, dtype="int64") + 1
    return key


def _decode(keys: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """Inverse of :func:`_combine` for the (few) distinct keys."""
    keys = np.asarray(keys, dtype="int64").copy()
    out = []
    for n in reversed(sizes):
        out.append(keys % (n + 1) - 1)
        keys //= n + 1
    return out[::-1]


def _dense_ids(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(group id per row, distinct keys)`` for non-negative int64 keys.

    Exactly ``pd.factorize`` (groups numbered in order of first appearance,
    which fixes the order in which coarser levels add up float sums) but,
    when the keys span a small range (codes of a few periods, organisations
    and teams), without hashing: the first row of each key comes from
    ``np.minimum.at`` and a lookup table numbers the keys.
    """
    if len(key) == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    top = int(key.max()) + 1
    if top > max(4 * len(key), 1 << 20):
        gid, uniq = pd.factorize(key)
        return np.asarray(gid, dtype="int64"), np.asarray(uniq, dtype="int64")
    # first row of each key, then number the keys in order of first appearance
    first = np.full(top, len(key), dtype="int64")
    np.minimum.at(first, key, np.arange(len(key), dtype="int64"))
    keys = np.flatnonzero(first < len(key))
    keys = keys[np.argsort(first[keys], kind="stable")]
    lookup = np.full(top, -1, dtype="int64")
    lookup[keys] = np.arange(len(keys), dtype="int64")
    return lookup[key], keys.astype("int64")


#: Sums of whole multiples of 2**-_DYADIC_BITS (counts, quarter hours) are exact in float64.
_DYADIC_BITS = 8


def _sums_exactly(v: np.ndarray) -> bool:
    """True when every sum of elements of ``v`` is exact in float64.

    That holds when all values are whole multiples of ``2**-8`` (counts,
    hours in quarter hours) and their absolute total times ``2**8`` stays
    below ``2**53``: every partial sum is then a representable number, so a
    plain running sum (``np.bincount``), pandas' compensated sum and the
    exact decimal sum agree in any order.
    """
    if len(v) == 0:
        return True
    scaled = v * float(1 << _DYADIC_BITS)
    if not np.isfinite(scaled).all() or not np.array_equal(scaled, np.round(scaled)):
        return False
    return float(np.abs(scaled).sum()) < float(2**52)  # margin for the rounding of this check


def _group_sums(gid: np.ndarray, values: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Per-group sums (missing = 0) of ``values`` for dense group ids ``0..n-1``.

    Floats are added with pandas' compensated (Kahan) summation in row
    order: ``np.bincount`` sums naively, leaving float noise such as
    22.900000000000006 for FTE totals, and the written numbers should be the
    exact decimal sums wherever floats allow. Integer columns (counts) are
    exact either way, as are sums of whole multiples of ``2**-8`` such as
    quarter hours (:func:`_sums_exactly`); they use ``np.bincount``.
    """
    out: dict[str, np.ndarray] = {}
    floats = {}
    for k, v in values.items():
        v = np.asarray(v)
        if v.dtype.kind in "iub":
            v = v.astype("float64")
        else:
            v = np.asarray(v, dtype="float64")
            v = v if np.isfinite(v).all() else np.nan_to_num(v)
        if _sums_exactly(v):
            out[k] = np.bincount(gid, weights=v, minlength=n)
        else:
            floats[k] = v
    if floats:
        frame = pd.DataFrame(floats, copy=False)
        # a Categorical grouper over 0..n-1 groups by its codes, without hashing
        grouper = pd.Categorical.from_codes(gid, categories=pd.RangeIndex(n))
        summed = frame.groupby(grouper, observed=False, sort=True).sum()
        out.update({k: summed[k].to_numpy(dtype="float64") for k in floats})
    return {k: out[k] for k in values}


def _numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """``values`` as a numpy array: integers without missing values stay integers, else float64 (NaN)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iubf":
        return values if values.dtype.kind != "f" else values.astype("float64", copy=False)
    values = pd.to_numeric(pd.Series(values))
    if values.dtype.kind in "iub":
        return values.to_numpy()
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _n_rows(rows: pd.DataFrame | Mapping[str, object] | None) -> int:
    if rows is None:
        return 0
    if isinstance(rows, pd.DataFrame):
        return len(rows)
    return len(next(iter(rows.values()))) if len(rows) else 0


def aggregate_levels(
    rows: pd.DataFrame,
    sums: Mapping[str, str],
    levels: Sequence[str] = ALL_LEVELS,
    distinct: Mapping[str, str] | None = None,
    keys: Sequence[str] = ("period",),
) -> pd.DataFrame:
    """Sum columns and count distinct values at team, organisation and city level.

    Works on integer codes: the rows are grouped once at the finest level
    (keys, organisation, team) with one hash factorisation and
    ``np.bincount``; coarser levels sum those team groups (sums are
    additive) and map each row to its coarser group for the distinct
    counts, which are counted afresh per level, never summed.

    Args:
        rows: one row per unit (hour registration, case, spell...), a
            DataFrame or a mapping of equally long arrays (no copy), with the
            columns ``organisation``, ``team``, the ``keys`` and the columns
            named in ``sums`` / ``distinct``.
        sums: output column -> input column to sum.
        levels: which of team / organisation / city to produce.
        distinct: output column -> input column whose distinct non-missing
            values are counted per group (e.g. ``persons`` -> ``client_id``).
        keys: grouping columns besides organisation and team.

    Returns:
        One row per (keys, organisation, team) group that has rows, with the
        summed and distinct-count columns. Missing values in summed columns
        count as 0; missing group labels form their own group.
    """
    distinct = dict(distinct or {})
    group = [*keys, "organisation", "team"]
    columns = [*group, *sums.keys(), *distinct.keys()]
    if _n_rows(rows) == 0:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in group else "float64") for c in columns})
    cats = {c: as_codes(rows[c]) for c in group}
    sizes = [len(cats[c].categories) for c in group]
    gid, uniq = _dense_ids(_combine([cats[c].codes for c in group], sizes))
    fine = dict(zip(group, _decode(uniq, sizes), strict=True))  # codes per fine group
    n_fine = len(uniq)
    fine_sums = _group_sums(gid, {out: _numbers(rows[col]) for out, col in sums.items()}, n_fine)
    ids = {}
    for out, col in distinct.items():
        codes, u = pd.factorize(rows[col], use_na_sentinel=True)
        ids[out] = (np.asarray(codes, dtype="int64"), max(len(u), 1))
    frames = []
    for level in levels:
        by = [c for c in group if level == LEVEL_TEAM or c in keys
              or (c == "organisation" and level == LEVEL_ORGANISATION)]
        by_sizes = [sizes[group.index(c)] for c in by]
        if by:
            g2, u2 = _dense_ids(_combine([fine[c] for c in by], by_sizes))
            level_codes = dict(zip(by, _decode(u2, by_sizes), strict=True))
        else:
            g2, u2, level_codes = np.zeros(n_fine, dtype="int64"), np.zeros(1), {}
        n = len(u2)
        agg = {}
        for c in group:
            if c in by:
                cat = pd.Categorical.from_codes(level_codes[c], categories=cats[c].categories)
                agg[c] = np.asarray(cat, dtype=object)
            else:
                agg[c] = np.full(n, ALL, dtype=object)
        agg.update(_group_sums(g2, fine_sums, n))
        if ids:
            row_level = g2[gid]  # each row's group at this level
            for out, (codes, n_ids) in ids.items():
                ok = codes >= 0
                pairs = pd.unique(row_level[ok] * n_ids + codes[ok])
                agg[out] = np.bincount(pairs // n_ids, minlength=n).astype("int64")
        frames.append(pd.DataFrame(agg, columns=columns))
    out = pd.concat(frames, ignore_index=True)
    for c in group:
        out[c] = out[c].astype("string")
    return out


def finish(
    df: pd.DataFrame,
    indicator_id: str,
    with_persons: bool,
) -> pd.DataFrame:
    """Turn ``period, organisation, team, numerator, denominator[, persons]`` into the table.

    Sets ``indicator_id``, computes ``value = numerator / denominator``,
    leaves out rows whose denominator is zero or missing, sorts, and fixes
    the dtypes. ``persons`` is kept only when ``with_persons``.
    """
    if df is None or len(df) == 0:
        return empty_result(with_persons)
    out = pd.DataFrame(
        {
            "indicator_id": pd.array([indicator_id] * len(df), dtype="string"),
            "period": df["period"].astype("string").to_numpy(),
            "organisation": df["organisation"].astype("string").to_numpy(),
            "team": df["team"].astype("string").to_numpy(),
            "numerator": pd.to_numeric(df["numerator"]).astype("float64").to_numpy(),
            "denominator": pd.to_numeric(df["denominator"]).astype("float64").to_numpy(),
        }
    )
    if with_persons:
        if PERSONS in df.columns:
            out[PERSONS] = pd.array(df[PERSONS].to_numpy(), dtype="Int64")
        else:
            out[PERSONS] = pd.array([pd.NA] * len(df), dtype="Int64")
    keep = out["denominator"].notna() & (out["denominator"] != 0)
    out = out.loc[keep].copy()
    out["value"] = out["numerator"] / out["denominator"]
    cols = list(INTERNAL_COLUMNS if with_persons else INDICATOR_COLUMNS)
    out = out[cols]
    for c in ("indicator_id", "period", "organisation", "team"):
        out[c] = out[c].astype("string")
    return sort_table(out)


def sort_table(df: pd.DataFrame) -> pd.DataFrame:
    """Deterministic order: indicator_id, period, organisation, team (plain text order)."""
    if df.empty:
        return df.reset_index(drop=True)
    return df.sort_values(
        ["indicator_id", "period", "organisation", "team"], kind="mergesort"
    ).reset_index(drop=True)


def day_number(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as float (NaN for missing), for fast comparisons."""
    d = pd.to_datetime(dates)
    vals = d.to_numpy(dtype="datetime64[D]").astype("float64")
    vals[np.isnat(d.to_numpy(dtype="datetime64[D]"))] = np.nan
    return vals
