"""Leaving an organisation: employment episodes, yearly outflow, its spread and its drift.

The catalogue indicator ``staff_outflow_rate`` (contract section 4) counts a
person whose *spell* ends; a renewed fixed-term contract (a spell that ends
with ``end_of_contract`` and a new spell at the same organisation the next
day) is then a leaver, while ``staff_inflow_rate`` does not count the renewal
as a newcomer. For the workforce model both must count the same event, so
this module works with *episodes*: the consecutive spells of one person at one
organisation (next start on or before the day after the previous end: a
renewal, a team change) merged into one. An episode that ends on or before
as-of is an **exit** unless its last spell ends with ``transfer_internal``;
an episode's start is an **entry**. The city merges a person's spells over all
organisations (a move to another wijkteam organisation is no exit for the
city; ``transfer_other_wijkteam`` and ``transfer_internal`` ends are no exits
there either, as in the indicator).

- :func:`episodes` -- the merged episodes per organisation and for the city;
- :func:`yearly_outflow` -- per organisation-year: 1 January stock, exits,
  entries, outflow = exits / 1 January stock (as CBS AZW divides) with a
  quasi-Poisson 95% interval (dispersion estimated over the organisation-years,
  :func:`zwt_analysis.methods.intervals.quasi_poisson_dispersion`);
- :func:`pool_outflow` -- pooled over the full years since the first observed
  exit, with the same dispersion.

The drift over the years is tested in the hazard model (:mod:`.hazards`).

Units: rates per person on 1 January (about per person-year); years are
calendar years; a year after as-of is never counted, the as-of year only as
"not full" (``full_year`` False).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.methods import intervals

__all__ = ["NO_EXIT_REASONS", "episodes", "first_observed_year", "pool_outflow",
           "yearly_outflow"]

#: End reasons that are no exit: per organisation, and in addition for the city.
NO_EXIT_REASONS = {"organisation": frozenset({"transfer_internal"}),
                   "city": frozenset({"transfer_internal", "transfer_other_wijkteam"})}
_ONE_DAY = pd.Timedelta(days=1)


def _ts(d: date | pd.Timestamp | str) -> pd.Timestamp:
    return pd.Timestamp(d).normalize()


def first_observed_year(staff: pd.DataFrame, as_of: date | None = None) -> int | None:
    """Year of the earliest end date on or before ``as_of`` (None when nobody left).

    An export lists the spells running on or after some date; people who left
    before it are absent, so years before the first observed leaver show too
    little outflow and are left out.
    """
    ends = staff["end_date"].dropna()
    if as_of is not None:
        ends = ends[ends <= _ts(as_of)]
    return None if ends.empty else int(pd.Timestamp(ends.min()).year)


def _merge(g: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """Merge one person's spells (sorted by start) into (start, end, last end reason)."""
    out: list[tuple[pd.Timestamp, pd.Timestamp, str]] = []
    for st, en, why in zip(g["start_date"], g["end_date"], g["end_reason"], strict=True):
        if out and (pd.isna(out[-1][1]) or st <= out[-1][1] + _ONE_DAY):
            s0, e0, w0 = out[-1]
            later = pd.isna(en) or (not pd.isna(e0) and en >= e0)
            out[-1] = (s0, pd.NaT if (pd.isna(e0) or pd.isna(en)) else max(e0, en),
                       why if later else w0)
        else:
            out.append((st, en, why))
    return out


def episodes(staff: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Employment episodes per organisation and, with ``organisation = "ALL"``, for the city.

    Spells starting after ``as_of`` are ignored; an end after ``as_of`` is a
    planned end, so the episode is open. Returns ``organisation, employee_id,
    start, end`` (NaT = open at as-of), ``end_reason`` (of the last spell) and
    ``exit`` (ended on or before as-of, and not an internal transfer or, for
    the city, a move to another organisation).
    """
    a = _ts(as_of)
    s = staff.loc[staff["start_date"] <= a, ["employee_id", "organisation", "start_date",
                                            "end_date", "end_reason"]].copy()
    s["end_date"] = s["end_date"].where(s["end_date"] <= a)
    s["end_reason"] = s["end_reason"].astype("string").fillna("")
    s = s.sort_values(["employee_id", "start_date"], kind="stable")
    rows = []
    for level, keys in (("organisation", ["employee_id", "organisation"]),
                        ("city", ["employee_id"])):
        for key, g in s.groupby(keys, sort=False):
            org = key[1] if level == "organisation" else ALL
            emp = key[0] if isinstance(key, tuple) else key
            for st, en, why in _merge(g):
                rows.append((str(org), str(emp), st, en, why,
                             not pd.isna(en) and why not in NO_EXIT_REASONS[level]))
    cols = ["organisation", "employee_id", "start", "end", "end_reason", "exit"]
    out = pd.DataFrame(rows, columns=cols)
    out["start"] = pd.to_datetime(out["start"])
    out["end"] = pd.to_datetime(out["end"])
    return out.sort_values(["organisation", "start", "employee_id"]).reset_index(drop=True)


def yearly_outflow(eps: pd.DataFrame, as_of: date, first_year: int | None = None,
                   alpha: float = 0.05) -> pd.DataFrame:
    """Exits, entries and the 1 January stock per organisation and year (and the city).

    Args:
        eps: :func:`episodes`.
        as_of: years after its year are not counted; its own year is not full
            unless as-of is 31 December.
        first_year: first year counted (default: the year of the first exit).
        alpha: 1 - confidence level of the interval.

    Returns:
        ``organisation, year, stock_jan1, leavers, newcomers, outflow_rate,
        outflow_low, outflow_high, full_year`` (the interval is quasi-Poisson
        with the dispersion of the full organisation-years, each organisation
        its own rate; it is attached as ``dispersion``). Years with a zero
        stock have a missing rate. Empty without episodes.
    """
    a = _ts(as_of)
    cols = ["organisation", "year", "stock_jan1", "leavers", "newcomers", "outflow_rate",
            "outflow_low", "outflow_high", "full_year"]
    if eps.empty:
        return pd.DataFrame(columns=cols)
    if first_year is None:
        ends = eps.loc[eps["exit"], "end"]
        first_year = int(ends.min().year) if len(ends) else int(a.year)
    rows = []
    for org, g in eps.groupby("organisation", sort=True):
        for y in range(first_year, a.year + 1):
            jan1 = pd.Timestamp(year=y, month=1, day=1)
            stock = int(((g["start"] <= jan1) & (g["end"].isna() | (g["end"] >= jan1))).sum())
            left = int((g["exit"] & (g["end"].dt.year == y)).sum())
            came = int((g["start"].dt.year == y).sum())
            rows.append((str(org), y, stock, left, came))
    out = pd.DataFrame(rows, columns=["organisation", "year", "stock_jan1", "leavers",
                                      "newcomers"])
    out["full_year"] = (out["year"] < a.year) | ((a.month == 12) & (a.day == 31))
    return _with_intervals(out, alpha)[cols]


def _with_intervals(out: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Rates and quasi-Poisson intervals; the dispersion from the full organisation-years."""
    full = out[out["full_year"] & (out["organisation"] != ALL) & (out["stock_jan1"] > 0)]
    phi = intervals.quasi_poisson_dispersion(full["leavers"], full["stock_jan1"],
                                             full["organisation"]) if len(full) else 1.0
    ci = [intervals.poisson_rate_interval(float(k), float(n), alpha, phi)
          for k, n in zip(out["leavers"], out["stock_jan1"], strict=True)]
    out = out.assign(outflow_rate=[c[0] for c in ci], outflow_low=[c[1] for c in ci],
                     outflow_high=[c[2] for c in ci])
    out.attrs["dispersion"] = phi
    return out


def pool_outflow(yearly: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Pooled outflow per organisation over the full years: sum(exits) / sum(1 January stock).

    The interval is quasi-Poisson with the dispersion of :func:`yearly_outflow`
    (``yearly.attrs["dispersion"]``, default 1), so a spread between the years
    beyond chance widens it.

    Returns:
        ``organisation, years, n_years, person_years, leavers, outflow_rate,
        outflow_low, outflow_high, newcomers, inflow_rate, inflow_low,
        inflow_high, dispersion`` (the inflow interval is exact Poisson).
    """
    phi = float(yearly.attrs.get("dispersion", 1.0))
    cols = ["organisation", "years", "n_years", "person_years", "leavers", "outflow_rate",
            "outflow_low", "outflow_high", "newcomers", "inflow_rate", "inflow_low",
            "inflow_high", "dispersion"]
    rows = []
    for org, g in yearly[yearly["full_year"]].groupby("organisation", sort=True):
        py, lv, nw = (float(g[c].sum()) for c in ("stock_jan1", "leavers", "newcomers"))
        out_ci = intervals.poisson_rate_interval(lv, py, alpha, phi)
        in_ci = intervals.poisson_rate_interval(nw, py, alpha)
        rows.append((org, f"{int(g['year'].min())}-{int(g['year'].max())}",
                     int(g["year"].nunique()), py, lv, *out_ci, nw, *in_ci, phi))
    return pd.DataFrame(rows, columns=cols)
