"""The evaluation's "10 to 20% of staff will change": a past cohort and the two readings.

Advice 2.1 of the evaluation: "Binnen de volgende contractperiode van acht jaar
is het niet ondenkbaar dat 10 tot 20% van de medewerkers ... zal wisselen".
The sentence can be read as 10-20% over the whole eight years, or as 10-20%
a year. :func:`two_readings` puts what the data say beside each:

- **over eight years**: the share of today's staff projected to have left
  after eight years (the scenario simulation), and what happened to a real
  cohort: :func:`cohort_retention` -- the staff of 1 January of the first
  full year still there at the as-of date, beside what the hazard model
  (tenure bands, drift) expected for them and what one average rate for
  everyone would have expected (which overstates leaving when long-serving
  staff leave less);
- **per year**: the measured yearly outflow against 10-20%.

10-20% in eight years means a yearly outflow of 1 - 0.9^(1/8) = 1.3% to
1 - 0.8^(1/8) = 2.8% (:func:`implied_rate_range`).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.reports.workforce import hazards
from zwt_analysis.reports.workforce.simulate import SimResult
from zwt_analysis.stats import wilson_interval

__all__ = ["EVALUATION_QUOTE", "cohort_retention", "implied_rate_range", "two_readings"]

#: The evaluation's sentence (advice 2.1), quoted as the report shows it.
EVALUATION_QUOTE = ("Binnen de volgende contractperiode van acht jaar is het niet ondenkbaar "
                    "dat 10 tot 20% van de medewerkers ... zal wisselen")
#: The evaluation's range of staff that changes.
CHANGE_RANGE = (0.10, 0.20)


def implied_rate_range(low_change: float = 0.10, high_change: float = 0.20,
                       years: float = 8.0) -> tuple[float, float]:
    """Yearly outflow for which ``low_change``..``high_change`` leaves in ``years`` years."""
    return (1 - (1 - low_change) ** (1 / years), 1 - (1 - high_change) ** (1 / years))


def _members(eps: pd.DataFrame, org: str, day: pd.Timestamp) -> pd.DataFrame:
    e = eps[eps["organisation"] == org]
    return e[(e["start"] <= day) & (e["end"].isna() | (e["end"] >= day))]


def _expected(model: hazards.HazardModel, members: pd.DataFrame, day: pd.Timestamp,
              as_of: pd.Timestamp) -> float:
    """Mean model survival of ``members`` (org-level episodes) from ``day`` to ``as_of``."""
    edges = [round(e * hazards.DAYS_PER_YEAR) for e in model.band_edges_years]
    rows = []
    stop = as_of + pd.Timedelta(days=1)
    for i, (org, st) in enumerate(zip(members["organisation"], members["start"], strict=True)):
        for a, b, band in hazards._segments(st, day, stop, edges):
            rows.append((i, str(org), a.year, band, (b - a).days / hazards.DAYS_PER_YEAR))
    if not rows:
        return math.nan
    cells = pd.DataFrame(rows, columns=["id", "organisation", "year", "band", "person_years"])
    cum = hazards.cumulative_hazard(model, cells)
    return float(np.exp(-cum.reindex(range(len(members)), fill_value=0.0)).mean())


def cohort_retention(eps: pd.DataFrame, model: hazards.HazardModel | None, as_of: date,
                     cohort_year: int, pooled: pd.DataFrame) -> pd.DataFrame:
    """Staff of 1 January ``cohort_year`` still employed (same organisation) on ``as_of``.

    The city counts each person once and as still there only at the same
    organisation (a move to another organisation is leaving, as in the model).

    Args:
        eps: :func:`.outflow.episodes` (organisations and the city).
        model: the hazard model (None: no model expectation).
        pooled: :func:`.outflow.pool_outflow` (the average rate per organisation).

    Returns:
        Per organisation and the city: ``organisation, cohort_date, years,
        persons, still_there, share, share_low, share_high`` (Wilson 95%),
        ``expected_model`` (mean survival under the hazard model's estimates)
        and ``expected_flat``
        (``exp(-r years)`` with the organisation's average outflow ``r``).
        Empty when less than a year lies between the cohort date and as-of.
    """
    day, a = pd.Timestamp(year=cohort_year, month=1, day=1), pd.Timestamp(as_of).normalize()
    cols = ["organisation", "cohort_date", "years", "persons", "still_there", "share",
            "share_low", "share_high", "expected_model", "expected_flat"]
    years = (a - day).days / hazards.DAYS_PER_YEAR
    if years < 1 or eps.empty:
        return pd.DataFrame(columns=cols)
    rate = pooled.set_index("organisation")["outflow_rate"] if len(pooled) else pd.Series()
    orgs = sorted(o for o in eps["organisation"].unique() if o != ALL)
    rows = []
    base = eps[eps["organisation"] != ALL]
    for org in [ALL, *orgs]:
        m = pd.concat([_members(base, o, day) for o in orgs]) if org == ALL \
            else _members(base, org, day)
        n, still = m["employee_id"].nunique(), m.loc[m["end"].isna(), "employee_id"].nunique()
        if n == 0:
            continue
        lo, hi = wilson_interval(still, n)
        exp_model = _expected(model, m, day, a) if model is not None else math.nan
        r = float(rate.get(org, math.nan))
        rows.append((org, day.date(), years, n, still, still / n, float(lo), float(hi),
                     exp_model, math.exp(-r * years) if math.isfinite(r) else math.nan))
    return pd.DataFrame(rows, columns=cols)


def two_readings(pooled: pd.DataFrame, yearly: pd.DataFrame, main: dict[str, SimResult],
                 org: str, years: float = 8.0) -> dict[str, float]:
    """What the data say for each reading of "10-20% changes", for ``org``.

    Returns:
        ``rate, rate_low, rate_high`` (pooled yearly outflow), ``year_min,
        year_max`` (lowest and highest full-year outflow), ``years_in_range``
        (full years with an outflow of 10-20%), ``n_years``, ``implied_low,
        implied_high`` (yearly outflow that 10-20% in eight years needs),
        ``leave_p10, leave_p50, leave_p90`` (share of today's staff gone after
        ``years`` in the simulation, 10/50/90% of the runs). NaN where unknown.
    """
    out = dict.fromkeys(("rate", "rate_low", "rate_high", "year_min", "year_max",
                         "years_in_range", "n_years", "leave_p10", "leave_p50",
                         "leave_p90"), math.nan)
    out["implied_low"], out["implied_high"] = implied_rate_range(*CHANGE_RANGE, years)
    p = pooled.set_index("organisation")
    if org in p.index:
        out.update(rate=p.loc[org, "outflow_rate"], rate_low=p.loc[org, "outflow_low"],
                   rate_high=p.loc[org, "outflow_high"])
    y = yearly[(yearly["organisation"] == org) & yearly["full_year"]]["outflow_rate"].dropna()
    if len(y):
        lo, hi = CHANGE_RANGE
        out.update(year_min=float(y.min()), year_max=float(y.max()), n_years=float(len(y)),
                   years_in_range=float(((y >= lo) & (y <= hi)).sum()))
    res = main.get(org)
    if res is not None:
        k = min(int(round(years * 12)), res["stayers_share"].shape[1]) - 1
        gone = 1 - res["stayers_share"][:, k]
        out["leave_p10"], out["leave_p50"], out["leave_p90"] = (
            float(v) for v in np.quantile(gone, [0.1, 0.5, 0.9]))
    return out
