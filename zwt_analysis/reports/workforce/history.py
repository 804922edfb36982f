"""From the processed tables to the model's input: capacity split and calibration.

:func:`calibrate_history` gathers everything a simulation run needs from the
processed ``staff``, ``formation``, ``time_registrations`` and (optional)
``cost_index`` tables: episodes and yearly outflow (:mod:`.outflow`), the
hazard model (:mod:`.hazards`), time to fill, tenure and base stock
(:mod:`.calibrate`), the wage gap (:mod:`zwt_analysis.costindex`) and the
capacity split of the registered hours (:func:`hour_shares`), combined into a
:class:`.runs.Calibration` per organisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis import costindex
from zwt_analysis.contract import ALL, PREVENTIVE_ACTIVITIES
from zwt_analysis.reports.workforce import calibrate, hazards, outflow, runs, simulate

__all__ = ["History", "OutflowSettings", "calibrate_history", "hour_shares"]

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

@dataclass(frozen=True)
class OutflowSettings:
    """Settings of the outflow model (``workforce.yaml``: ``outflow_model``, ``wage_gap``).

    Attributes:
        band_edges_years: tenure band edges in years.
        min_band_exits: a band with fewer exits is merged into its neighbour.
        min_years: calendar years with exposure needed before drift is tested.
        alpha: level of the drift tests.
        hazard_cap: upper limit of a simulated yearly hazard.
        assumed_gap: wage gap (fraction per year) when no ``cost_index`` is delivered.
    """

    band_edges_years: tuple[float, ...] = (1.0, 2.0, 5.0)
    min_band_exits: int = 10
    min_years: int = 4
    alpha: float = 0.05
    hazard_cap: float = 0.6
    assumed_gap: float = 0.01


@dataclass
class History:
    """Calibration tables and the simulation input derived from them.

    ``episodes``/``yearly``/``rates`` (:mod:`.outflow`), ``cells``/``model``
    (:mod:`.hazards`; None without staff), ``fill``/``tenure``
    (:mod:`.calibrate`), ``hours``, ``gaps`` (yearly cao-indexation gap per
    organisation and the city, :func:`zwt_analysis.costindex.yearly_gap`),
    ``first_year`` (year of the first observed exit) and ``ref_year`` (the
    last full year, where the drift is measured from).
    """

    calibration: runs.Calibration
    episodes: pd.DataFrame
    yearly: pd.DataFrame
    rates: pd.DataFrame
    cells: pd.DataFrame
    model: hazards.HazardModel | None
    fill: pd.DataFrame
    tenure: pd.DataFrame
    hours: pd.DataFrame
    gaps: dict[str, pd.DataFrame]
    base_day: pd.Timestamp
    first_year: int | None
    ref_year: int


def _tenures(eps: pd.DataFrame, org: str, day: pd.Timestamp) -> tuple[int, ...]:
    """Whole months of service on ``day`` of everyone employed at ``org`` then."""
    e = eps[(eps["organisation"] == org) & (eps["start"] <= day)
            & (eps["end"].isna() | (eps["end"] >= day))]
    return tuple(int(((day - s).days) // 30.4375) for s in e["start"])


def _current_rate(model: hazards.HazardModel | None, org: str, tenures: tuple[int, ...],
                  edges_years: tuple[float, ...]) -> float:
    """The model's hazard at its reference year, averaged over today's staff (point value)."""
    if model is None or not tenures:
        return math.nan
    band = np.searchsorted(np.asarray(edges_years) * 12, np.asarray(tenures), side="right")
    merged = np.array([model.band_map[b] for b in band])
    lam = np.exp(model.log_rate(model.params[None, :], org, np.full(len(merged), model.ref_year),
                                merged))[0]
    return float(lam.mean())


def _gaps(cost_index: pd.DataFrame | None, orgs: list[str], as_of: date, assumed: float
          ) -> tuple[dict[str, pd.DataFrame], dict[str, runs.GapEstimate]]:
    """Yearly gaps (up to the as-of year) and their estimate per organisation and the city."""
    frames, est = {}, {}
    for org in [ALL, *orgs]:
        g = costindex.yearly_gap(cost_index, org) if cost_index is not None else pd.DataFrame()
        g = g[g["year"] <= pd.Timestamp(as_of).year] if len(g) else g
        frames[org] = g
        if len(g):
            est[org] = runs.gap_estimate(g["gap_pp"].tolist(),
                                         f"{int(g['year'].min())}-{int(g['year'].max())}")
        else:
            est[org] = runs.GapEstimate(assumed, math.nan, 0, "aangenomen")
    return frames, est


def _ref_year(as_of: date, first: int | None) -> int:
    """The last full calendar year before as-of (as-of's year when none is full)."""
    a = pd.Timestamp(as_of)
    last_full = a.year if (a.month, a.day) == (12, 31) else a.year - 1
    return max(last_full, first) if first is not None else a.year


def calibrate_history(tables: dict[str, pd.DataFrame], as_of: date,
                      settings: OutflowSettings | None = None, with_tenure: bool = True
                      ) -> History:
    """Everything the simulation needs from the processed tables.

    Args:
        tables: processed tables; uses ``staff``, ``formation``,
            ``time_registrations`` and, when present, ``cost_index``.
        as_of: reference date; the base stock is the stock on this day.
        settings: outflow model settings (default :class:`OutflowSettings`).
        with_tenure: False skips the Kaplan-Meier tenure (``tenure`` is then empty).

    Organisations without hours get the city's capacity split (no hours at
    all: :data:`FALLBACK_HOUR_SPLIT`); without a formation row their employed
    FTE. Calibrated point values per organisation: ``outflow_rate`` (the
    hazard model at the last full year over today's staff), ``months_to_fill``
    (exponential mean; the city's value when an organisation has no fills),
    ``overhead_share`` (share of hours on coordination, overhead, additional
    assignments) and ``wage_gap`` (measured mean, else the assumed gap).
    """
    cfg = settings or OutflowSettings()
    staff, formation = tables["staff"], tables["formation"]
    tr = tables.get("time_registrations")
    eps = outflow.episodes(staff, as_of)
    first = outflow.first_observed_year(staff, as_of)
    yearly = outflow.yearly_outflow(eps, as_of, first)
    rates = outflow.pool_outflow(yearly)
    ref = _ref_year(as_of, first)
    orgs = sorted(str(o) for o in staff["organisation"].dropna().unique())
    window = date(first if first is not None else pd.Timestamp(as_of).year, 1, 1)
    cells = hazards.exposure(eps, window, as_of, list(cfg.band_edges_years))
    model = hazards.fit_model(cells, orgs, list(cfg.band_edges_years), ref, cfg.min_band_exits,
                              cfg.alpha, cfg.min_years) if orgs else None
    fill = calibrate.vacancy_fill_times(staff, as_of)
    ten = calibrate.tenure(staff, as_of) if with_tenure else pd.DataFrame(
        columns=["organisation", "persons", "ended", "censored", "median_years"])
    hours = hour_shares(tr, as_of) if tr is not None and len(tr) else pd.DataFrame(
        columns=["organisation", "hours", "statutory", "preventive", "other"])
    gap_frames, gap_est = _gaps(tables.get("cost_index"), orgs, as_of, cfg.assumed_gap)
    base = calibrate.base_state(staff, formation, as_of, as_of)
    city_hours = hours.set_index("organisation").loc[ALL] if ALL in set(hours["organisation"]) \
        else pd.Series(FALLBACK_HOUR_SPLIT)
    f_idx = fill.set_index("organisation")
    city_fill = f_idx["mean_months"].get(ALL, math.nan) if len(f_idx) else math.nan
    h_idx = hours.set_index("organisation")
    day = pd.Timestamp(as_of).normalize()
    starts, values, fills = {}, {}, {}
    for org, b in base.items():
        h = h_idx.loc[org] if org in h_idx.index else city_hours
        ten_months = _tenures(eps, org, day)
        starts[org] = simulate.OrgStart(org, b.persons, b.fte_per_person, b.budgeted_fte,
                                        float(h["statutory"]), float(h["preventive"]),
                                        int(day.year), ten_months)
        mtf = f_idx["mean_months"].get(org, math.nan) if len(f_idx) else math.nan
        values[org] = {
            "outflow_rate": _current_rate(model, org, ten_months, cfg.band_edges_years),
            "months_to_fill": float(mtf if np.isfinite(mtf) else city_fill),
            "overhead_share": float(h["other"]),
            "wage_gap": gap_est[org].mean,
        }
        if org in f_idx.index:
            fills[org] = (int(f_idx.loc[org, "filled"]), float(f_idx.loc[org, "vacant_months"]))
    edges = tuple(int(round(e * 12)) for e in cfg.band_edges_years)
    calib = runs.Calibration(starts, values, model, edges, fills, gap_est, cfg.hazard_cap)
    return History(calib, eps, yearly, rates, cells, model, fill, ten, hours, gap_frames, day,
                   first, ref)
