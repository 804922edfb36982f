"""From the processed tables to the model's input: capacity split and calibration.

:func:`calibrate_history` gathers everything a simulation run needs from the
processed ``staff``, ``formation`` and ``time_registrations`` tables: the
estimators of :mod:`.calibrate` (rates, time to fill, tenure, base stock) and
the capacity split of the registered hours (:func:`hour_shares`), combined
into a :class:`.simulate.Calibration` per organisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL, PREVENTIVE_ACTIVITIES
from zwt_analysis.reports.workforce import calibrate, simulate

__all__ = ["History", "calibrate_history", "hour_shares"]

#: Capacity split of hours used when no hours are registered at all
#: (statutory, preventive, other): a neutral stand-in, not a measurement.
FALLBACK_HOUR_SPLIT = {"statutory": 0.6, "preventive": 0.2, "other": 0.2}

# ----------------------------------------------------------------- capacity split

def hour_shares(time_registrations: pd.DataFrame, as_of: date, months: int = 12
                ) -> pd.DataFrame:
    """Split of registered hours in the last ``months`` months up to ``as_of``.

    Returns:
        Per organisation and city (``ALL``): ``hours``, ``statutory`` (share
        of all hours on ``statutory_individual``), ``preventive`` (both
        preventive activities), ``other`` (coordination, overhead, additional
        assignments). Shares are of all hours; an organisation without hours
        is absent. The preventive / (preventive + statutory) ratio of these
        hours is the catalogue's ``preventive_share`` over that window.
    """
    end = pd.Timestamp(as_of).normalize()
    begin = end - pd.DateOffset(months=months)
    tr = time_registrations
    tr = tr[(tr["date"] > begin) & (tr["date"] <= end)]
    act = tr["activity"].astype(str)
    group = np.where(act == "statutory_individual", "statutory",
                     np.where(act.isin(PREVENTIVE_ACTIVITIES), "preventive", "other"))
    df = pd.DataFrame({"organisation": tr["organisation"].astype(str).to_numpy(),
                       "group": group, "hours": tr["hours"].astype(float).to_numpy()})
    wide = df.pivot_table(index="organisation", columns="group", values="hours",
                          aggfunc="sum", fill_value=0.0)
    for c in ("statutory", "preventive", "other"):
        if c not in wide:
            wide[c] = 0.0
    wide.loc[ALL] = wide.sum()
    total = wide[["statutory", "preventive", "other"]].sum(axis=1)
    out = wide[["statutory", "preventive", "other"]].div(total, axis=0)
    out.insert(0, "hours", total)
    out = out[total > 0].reset_index().rename(columns={"index": "organisation"})
    out.columns.name = None
    return out


# ----------------------------------------------------------------- calibration

@dataclass
class History:
    """Calibration tables and the simulation input derived from them."""

    calibration: simulate.Calibration
    rates: pd.DataFrame
    yearly: pd.DataFrame
    fill: pd.DataFrame
    tenure: pd.DataFrame
    hours: pd.DataFrame
    base_day: pd.Timestamp


def calibrate_history(tables: dict[str, pd.DataFrame], as_of: date,
                      years: tuple[int, int] | None = None, with_tenure: bool = True
                      ) -> History:
    """Everything the simulation needs from the processed tables.

    Args:
        tables: processed tables; uses ``staff``, ``formation``,
            ``time_registrations``.
        as_of: reference date; the base stock is the stock on this day.
        years: calendar years to pool the rates over (default: all full years).
        with_tenure: False skips the Kaplan-Meier tenure (``tenure`` is then empty).

    Organisations without hours get the city's capacity split (no hours at
    all: :data:`FALLBACK_HOUR_SPLIT`); without a formation row their employed
    FTE. Calibrated values per organisation: ``outflow_rate`` (pooled
    indicator), ``months_to_fill`` (exponential mean; the city's value when an
    organisation has no fills) and ``overhead_share`` (share of hours on
    coordination, overhead, additional assignments).
    """
    staff, formation = tables["staff"], tables["formation"]
    tr = tables.get("time_registrations")
    yearly = calibrate.yearly_turnover(staff, as_of)
    if years is None:
        first = calibrate.first_observed_year(staff)
        years = (first if first is not None else 1900, 9999)
    rates = calibrate.pool_rates(yearly, years=years)
    fill = calibrate.vacancy_fill_times(staff, as_of)
    ten = calibrate.tenure(staff, as_of) if with_tenure else pd.DataFrame(
        columns=["organisation", "persons", "ended", "censored", "median_years"])
    hours = hour_shares(tr, as_of) if tr is not None and len(tr) else pd.DataFrame(
        columns=["organisation", "hours", "statutory", "preventive", "other"])
    base = calibrate.base_state(staff, formation, as_of, as_of)
    city_hours = hours.set_index("organisation").loc[ALL] if ALL in set(hours["organisation"]) \
        else pd.Series(FALLBACK_HOUR_SPLIT)
    city_fill = fill.set_index("organisation")["mean_months"].get(ALL, math.nan)
    starts, values, counts = {}, {}, {}
    r_idx = rates.set_index("organisation")
    f_idx = fill.set_index("organisation")
    h_idx = hours.set_index("organisation")
    for org, b in base.items():
        h = h_idx.loc[org] if org in h_idx.index else city_hours
        starts[org] = simulate.OrgStart(org, b.persons, b.fte_per_person, b.budgeted_fte,
                                        float(h["statutory"]), float(h["preventive"]),
                                        int(pd.Timestamp(as_of).year))
        mtf = f_idx["mean_months"].get(org, math.nan) if len(f_idx) else math.nan
        values[org] = {
            "outflow_rate": float(r_idx["outflow_rate"].get(org, math.nan)) if len(r_idx)
            else math.nan,
            "months_to_fill": float(mtf if np.isfinite(mtf) else city_fill),
            "overhead_share": float(h["other"]),
        }
        if org in r_idx.index:
            counts[org] = (float(r_idx.loc[org, "leavers"]), float(r_idx.loc[org, "person_years"]))
    calib = simulate.Calibration(starts, values, counts)
    return History(calib, rates, yearly, fill, ten, hours, pd.Timestamp(as_of).normalize())

