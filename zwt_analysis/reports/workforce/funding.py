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
  prediction bound for next year's incidental money on deflated amounts
  with a growth line (:mod:`zwt_analysis.methods.reservation`).

Money is EUR as delivered; the reservation deflates it with the cao wage
rises where ``cost_index`` is delivered. Years run up to the as-of year; a
year that has not begun is a plan and is left out.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL, MAIN_ASSIGNMENT
from zwt_analysis.indicators import incidental_funding_share
from zwt_analysis.methods.reservation import ReservationBound, prediction_bound
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


def _index_pct(cost_gap: pd.DataFrame | None) -> dict[int, float]:
    """Yearly cao wage rise in percent (``costindex.yearly_gap`` frame), {} when absent."""
    if cost_gap is None or cost_gap.empty:
        return {}
    return {int(y): float(v) for y, v in zip(cost_gap["year"], cost_gap["cao_pct"], strict=True)
            if math.isfinite(v)}


def _bound(amounts: dict[int, float], index: dict[int, float], level: float | None
           ) -> tuple[ReservationBound | None, str]:
    """The prediction bound with a growth line, else without; (None, reason) when neither fits."""
    nxt = float(np.mean(list(index.values()))) if index else 0.0
    for trend in (True, False):
        try:
            return prediction_bound(amounts, index or None, nxt, level, trend=trend), ""
        except ValueError:
            continue
    return None, "te weinig jaren met incidenteel geld (minstens twee nodig)"


def flexible_reservation(by_year: pd.DataFrame, cost_gaps: dict[str, pd.DataFrame] | None = None,
                         level: float | None = None) -> pd.DataFrame:
    """Proposed yearly flexible reservation per organisation and city: a prediction bound.

    The reservation is the one-sided ``level`` (default ``methods.yaml``, 80%)
    prediction bound for next year's incidental money
    (:func:`zwt_analysis.methods.reservation.prediction_bound`): the yearly
    amounts deflated with the cao wage rises of ``cost_index`` (where
    delivered: the money pays for staff), a growth line on the log scale, and
    the bound inflated with the mean wage rise. Without a cost index the
    amounts are used as delivered (nominal), still with a growth line. With
    two years only, a constant level is fitted; with fewer, no reservation.

    Args:
        by_year: output of :func:`funding_by_year`.
        cost_gaps: per organisation (and ``ALL``) a
            :func:`zwt_analysis.costindex.yearly_gap` frame (``cao_pct``).
        level: stated coverage (None: ``methods.yaml``).

    Returns:
        ``organisation, year`` (the year predicted), ``n_years,
        mean_incidental_eur, last_incidental_eur, reservation_eur,
        central_eur, growth_per_year, level, coverage_low, coverage_high``
        (measured coverage for this level, ``docs/validation.md``; NaN when
        not validated), ``deflated`` (bool), ``method`` (Dutch),
        ``latest_structural_eur, reservation_share_of_structural, note``.
    """
    rows = []
    for org, g in by_year.groupby("organisation", sort=True):
        g = g.sort_values("year")
        amounts = dict(zip(g["year"].astype(int), g["incidental_eur"].astype(float), strict=True))
        index = _index_pct((cost_gaps or {}).get(str(org)))
        b, note = _bound(amounts, index, level)
        latest = float(g["structural_eur"].iloc[-1])
        est = b.bound_eur if b else math.nan
        rows.append({
            "organisation": org, "year": b.year if b else int(g["year"].max()) + 1,
            "n_years": len(g), "mean_incidental_eur": float(g["incidental_eur"].mean()),
            "last_incidental_eur": float(g["incidental_eur"].iloc[-1]),
            "reservation_eur": est, "central_eur": b.central_eur if b else math.nan,
            "growth_per_year": b.growth_per_year if b else math.nan,
            "level": b.level if b else math.nan,
            "coverage_low": b.measured_coverage[0] if b else math.nan,
            "coverage_high": b.measured_coverage[1] if b else math.nan,
            "deflated": bool(index), "method": b.method if b else "",
            "latest_structural_eur": latest,
            "reservation_share_of_structural": est / latest if latest > 0 else math.nan,
            "note": note,
        })
    return pd.DataFrame(rows)
