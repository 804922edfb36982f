"""Funding continuity: structural versus incidental money, additional assignments.

The evaluation's advice 2.3 asks for a steadier funding base. This module
reads the processed ``budgets`` (one funding line per organisation, year and
assignment) and ``time_registrations`` and gives:

- :func:`funding_by_year` — structural and incidental EUR per organisation
  and year (and the city), with the catalogue indicator
  ``incidental_funding_share`` (from :mod:`zwt_analysis.indicators`);
- :func:`assignment_lines` / :func:`additional_by_year` — number, size (EUR)
  and length (months) of additional assignments and the hours registered on
  them (activity ``additional_assignment`` by ``assignment_id``);
- :func:`flexible_reservation` — a proposed yearly flexible reservation: a
  high percentile of the yearly incidental money in the history, with a
  bootstrap interval over years.

Money is nominal EUR as delivered (no price correction). Years run up to
the as-of year; a year that has not begun is a plan and is left out.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL, MAIN_ASSIGNMENT
from zwt_analysis.indicators import incidental_funding_share
from zwt_analysis.reports.workforce.calibrate import DAYS_PER_MONTH


def _years_up_to(budgets: pd.DataFrame, as_of: date) -> pd.DataFrame:
    b = budgets[budgets["year"].notna()]
    return b[(b["year"].astype("int64") <= pd.Timestamp(as_of).year).to_numpy()]


def funding_by_year(budgets: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Structural and incidental EUR per organisation and year, plus the city.

    Returns:
        ``organisation, year, structural_eur, incidental_eur, total_eur,
        incidental_share`` (share = the ``incidental_funding_share``
        indicator's value; missing when the year's total is 0), sorted by
        organisation and year; the city is ``organisation = "ALL"``.
    """
    b = _years_up_to(budgets, as_of)
    cols = ["organisation", "year", "structural_eur", "incidental_eur", "total_eur",
            "incidental_share"]
    if b.empty:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame({
        "organisation": b["organisation"].astype(str).to_numpy(),
        "year": b["year"].astype("int64").to_numpy(),
        "funding_type": b["funding_type"].astype(str).to_numpy(),
        "amount": b["amount_eur"].astype(float).fillna(0.0).to_numpy(),
    })
    wide = df.pivot_table(index=["organisation", "year"], columns="funding_type",
                          values="amount", aggfunc="sum", fill_value=0.0)
    for c in ("structural", "incidental"):
        if c not in wide:
            wide[c] = 0.0
    wide = wide[["structural", "incidental"]].reset_index()
    city = wide.groupby("year", as_index=False)[["structural", "incidental"]].sum()
    city.insert(0, "organisation", ALL)
    out = pd.concat([wide, city], ignore_index=True)
    out.columns.name = None
    out = out.rename(columns={"structural": "structural_eur", "incidental": "incidental_eur"})
    out["total_eur"] = out["structural_eur"] + out["incidental_eur"]
    ind = incidental_funding_share(budgets, as_of)
    ind = ind[ind["team"] == ALL]
    ind = pd.DataFrame({"organisation": ind["organisation"].astype(str).to_numpy(),
                        "year": ind["period"].astype(str).str[:4].astype("int64").to_numpy(),
                        "incidental_share": ind["value"].astype(float).to_numpy()})
    out = out.merge(ind, on=["organisation", "year"], how="left")
    return out[cols].sort_values(["organisation", "year"]).reset_index(drop=True)


def assignment_lines(budgets: pd.DataFrame, time_registrations: pd.DataFrame, as_of: date
                     ) -> pd.DataFrame:
    """One row per additional assignment and budget year, with its hours.

    An additional assignment is a budget line with ``assignment_type ==
    "additional"``, identified by (organisation, assignment_id). Its length
    in months runs from the earliest ``start_date`` to the latest
    ``end_date`` over all its lines, (end - start + 1 day) / 30.4375; missing
    when a date is missing. Hours are registrations with activity
    ``additional_assignment`` on that assignment_id at that organisation
    dated in the budget year and on or before as-of; ``persons`` is the number
    of distinct employees behind those hours.

    Returns:
        ``organisation, assignment_id, year, commissioner, funding_type,
        amount_eur, start_date, end_date, length_months, hours, persons``.
    """
    b = _years_up_to(budgets, as_of)
    b = b[(b["assignment_type"] == "additional").fillna(False).to_numpy()]
    cols = ["organisation", "assignment_id", "year", "commissioner", "funding_type",
            "amount_eur", "start_date", "end_date", "length_months", "hours", "persons"]
    if b.empty:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame({
        "organisation": b["organisation"].astype(str).to_numpy(),
        "assignment_id": b["assignment_id"].astype(str).to_numpy(),
        "year": b["year"].astype("int64").to_numpy(),
        "commissioner": b["commissioner"].astype("string").to_numpy(),
        "funding_type": b["funding_type"].astype(str).to_numpy(),
        "amount_eur": b["amount_eur"].astype(float).fillna(0.0).to_numpy(),
        "start_date": pd.to_datetime(b["start_date"]).to_numpy(),
        "end_date": pd.to_datetime(b["end_date"]).to_numpy(),
    })
    lines = df.groupby(["organisation", "assignment_id", "year"], as_index=False).agg(
        commissioner=("commissioner", "first"),
        funding_type=("funding_type", lambda s: "/".join(sorted(set(s)))),
        amount_eur=("amount_eur", "sum"))
    span = df.groupby(["organisation", "assignment_id"], as_index=False).agg(
        start_date=("start_date", "min"), end_date=("end_date", "max"),
        n_start=("start_date", "count"), n_end=("end_date", "count"), n=("year", "size"))
    complete = (span["n_start"] == span["n"]) & (span["n_end"] == span["n"])
    span["length_months"] = ((span["end_date"] - span["start_date"]).dt.days + 1) / DAYS_PER_MONTH
    span["length_months"] = span["length_months"].where(complete)
    lines = lines.merge(span[["organisation", "assignment_id", "start_date", "end_date",
                              "length_months"]], on=["organisation", "assignment_id"])
    hrs = assignment_hours(time_registrations, as_of)
    lines = lines.merge(hrs, on=["organisation", "assignment_id", "year"], how="left")
    lines["hours"] = lines["hours"].fillna(0.0)
    lines["persons"] = lines["persons"].fillna(0).astype("int64")
    return lines[cols].sort_values(["organisation", "year", "assignment_id"]
                                   ).reset_index(drop=True)


def assignment_hours(time_registrations: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Hours with activity ``additional_assignment`` per organisation, assignment and year.

    Registrations after ``as_of`` are left out. Hours on ``MAIN`` (no
    assignment id given) are kept under ``assignment_id == "MAIN"``.

    Returns:
        ``organisation, assignment_id, year, hours, persons`` (distinct employees).
    """
    tr = time_registrations
    tr = tr[((tr["activity"] == "additional_assignment").fillna(False)
             & (tr["date"] <= pd.Timestamp(as_of))).to_numpy()]
    cols = ["organisation", "assignment_id", "year", "hours", "persons"]
    if tr.empty:
        return pd.DataFrame(columns=cols).astype({"year": "int64", "hours": float,
                                                  "persons": "int64"})
    df = pd.DataFrame({
        "organisation": tr["organisation"].astype(str).to_numpy(),
        "assignment_id": tr["assignment_id"].astype("string").fillna(MAIN_ASSIGNMENT)
        .astype(str).to_numpy(),
        "year": tr["date"].dt.year.astype("int64").to_numpy(),
        "hours": tr["hours"].astype(float).to_numpy(),
        "employee_id": tr["employee_id"].astype(str).to_numpy(),
    })
    return df.groupby(["organisation", "assignment_id", "year"], as_index=False).agg(
        hours=("hours", "sum"), persons=("employee_id", "nunique"))[cols]


def additional_by_year(lines: pd.DataFrame, time_registrations: pd.DataFrame | None = None,
                       as_of: date | None = None) -> pd.DataFrame:
    """Additional assignments per organisation and year (and the city).

    Args:
        lines: output of :func:`assignment_lines`.
        time_registrations, as_of: when given, ``hours_all`` also counts
            additional-assignment hours that carry no budgeted assignment id
            (e.g. ``MAIN``), and ``hours_unlinked`` shows them separately.

    Returns:
        ``organisation, year, n_assignments, total_eur, median_eur,
        median_length_months, mean_length_months, share_shorter_than_12m,
        hours, hours_per_assignment`` (+ ``hours_all, hours_unlinked``). An
        assignment counts once per year in which it has a budget line.
    """
    def agg(g: pd.DataFrame) -> pd.Series:
        n = len(g)
        lm = g["length_months"].astype(float)
        return pd.Series({
            "n_assignments": n,
            "total_eur": float(g["amount_eur"].sum()),
            "median_eur": float(g["amount_eur"].median()) if n else math.nan,
            "median_length_months": float(lm.median()) if lm.notna().any() else math.nan,
            "mean_length_months": float(lm.mean()) if lm.notna().any() else math.nan,
            "share_shorter_than_12m": float((lm[lm.notna()] < 12).mean())
            if lm.notna().any() else math.nan,
            "hours": float(g["hours"].sum()),
        })

    if lines.empty:
        return pd.DataFrame(columns=["organisation", "year", "n_assignments", "total_eur",
                                     "median_eur", "median_length_months",
                                     "mean_length_months", "share_shorter_than_12m", "hours",
                                     "hours_per_assignment"])
    org = lines.groupby(["organisation", "year"]).apply(agg, include_groups=False).reset_index()
    city = lines.groupby("year").apply(agg, include_groups=False).reset_index()
    city.insert(0, "organisation", ALL)
    out = pd.concat([org, city], ignore_index=True)
    out["n_assignments"] = out["n_assignments"].astype("int64")
    out["hours_per_assignment"] = out["hours"] / out["n_assignments"]
    if time_registrations is not None and as_of is not None:
        h = assignment_hours(time_registrations, as_of)
        tot = h.groupby(["organisation", "year"], as_index=False)["hours"].sum()
        tot = pd.concat([tot, tot.groupby("year", as_index=False)["hours"].sum()
                         .assign(organisation=ALL)], ignore_index=True)
        out = out.merge(tot.rename(columns={"hours": "hours_all"}),
                        on=["organisation", "year"], how="left")
        out["hours_all"] = out["hours_all"].fillna(0.0).clip(lower=out["hours"])
        out["hours_unlinked"] = out["hours_all"] - out["hours"]
    return out.sort_values(["organisation", "year"]).reset_index(drop=True)


def bootstrap_quantile(values: np.ndarray, q: float, n_boot: int = 2000, seed: int = 0,
                       alpha: float = 0.05) -> tuple[float, float, float]:
    """The ``q``-quantile of ``values`` and a percentile-bootstrap interval.

    Resamples the values (years) with replacement; linear interpolation
    between order statistics. With few values the interval is narrow and can
    never exceed the largest value seen: read it as a lower bound of the
    uncertainty. Empty input gives nans; one value gives (v, v, v).
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return (math.nan, math.nan, math.nan)
    est = float(np.quantile(v, q))
    rng = np.random.default_rng(seed)
    boot = np.quantile(rng.choice(v, size=(n_boot, len(v)), replace=True), q, axis=1)
    lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    return (est, float(lo), float(hi))


def flexible_reservation(by_year: pd.DataFrame, quantile: float = 0.8, n_boot: int = 2000,
                         seed: int = 0, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Proposed yearly flexible reservation per organisation and city.

    The reservation is the ``quantile`` (default 80th percentile) of the
    yearly incidental EUR over the history: in about four years out of five
    the incidental money of the past would have fitted in it. Also given as a
    share of the latest year's structural money. The interval is a
    percentile bootstrap over years (see :func:`bootstrap_quantile`).

    Args:
        by_year: output of :func:`funding_by_year`.
        quantile: the percentile (0..1).
        n_boot, seed: bootstrap resamples and seed.
        years: inclusive (first, last) years to use; None = all.

    Returns:
        ``organisation, n_years, mean_incidental_eur, max_incidental_eur,
        reservation_eur, reservation_low, reservation_high,
        latest_structural_eur, reservation_share_of_structural``.
    """
    df = by_year
    if years is not None:
        df = df[(df["year"] >= years[0]) & (df["year"] <= years[1])]
    rows = []
    for org, g in df.groupby("organisation", sort=True):
        est, lo, hi = bootstrap_quantile(g["incidental_eur"].to_numpy(), quantile, n_boot, seed)
        latest = g.sort_values("year")["structural_eur"].iloc[-1]
        rows.append({
            "organisation": org,
            "n_years": len(g),
            "mean_incidental_eur": float(g["incidental_eur"].mean()),
            "max_incidental_eur": float(g["incidental_eur"].max()),
            "reservation_eur": est,
            "reservation_low": lo,
            "reservation_high": hi,
            "latest_structural_eur": float(latest),
            "reservation_share_of_structural": est / latest if latest > 0 else math.nan,
        })
    return pd.DataFrame(rows)
