"""Scarcity measures: caseload and hours per FTE per quarter, vacancies and outflow per year.

``caseload_per_fte``, ``vacancy_rate`` and ``staff_outflow_rate`` come from
the long indicator table; hours per FTE (not a contract indicator) shares the
quarter-end FTE denominator of ``caseload_per_fte``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure.rules import Rules
from zwt_analysis.periods import quarter_labels
from zwt_analysis.reports.prevention.common import CELL, indicator_rows


def scarcity_quarterly(indicators: pd.DataFrame, time_registrations: pd.DataFrame,
                       from_period: str | None = None) -> pd.DataFrame:
    """Caseload per FTE and hours registered per FTE per cell and quarter.

    ``caseload_per_fte`` (value, numerator = open cases, denominator = FTE on
    the last day of the quarter) comes from the indicator table. Hours per
    FTE (not a contract indicator) = all hours registered in the quarter /
    that same quarter-end FTE, so both measures share one denominator.

    Args:
        indicators: long indicator table.
        time_registrations: processed ``time_registrations``.
        from_period: leave out quarters before this ``YYYY-Qn`` (e.g. before
            cases and registrations start, when staff spells reach further
            back and caseload would show as 0).

    Returns:
        ``organisation, team, period, open_cases, fte, caseload_per_fte, hours,
        hours_per_fte`` for every cell with a ``caseload_per_fte`` row (cells
        without registered hours get ``hours = 0``).
    """
    cl = indicator_rows(indicators, "caseload_per_fte").rename(
        columns={"numerator": "open_cases", "denominator": "fte", "value": "caseload_per_fte"}
    )
    tr = time_registrations
    hours = pd.DataFrame(
        {"organisation": tr["organisation"].astype("string"), "team": tr["team"].astype("string"),
         "period": quarter_labels(tr["date"]), "hours": tr["hours"].astype("float64")}
    )
    team_h = hours.groupby(CELL, as_index=False)["hours"].sum()
    org_h = hours.groupby(["organisation", "period"], as_index=False)["hours"].sum().assign(team=ALL)
    city_h = hours.groupby(["period"], as_index=False)["hours"].sum().assign(organisation=ALL, team=ALL)
    all_h = pd.concat([team_h, org_h, city_h], ignore_index=True)
    for c in CELL:
        all_h[c] = all_h[c].astype("string")
    out = cl.merge(all_h, on=CELL, how="left")
    out["hours"] = out["hours"].fillna(0.0)
    out["hours_per_fte"] = out["hours"] / out["fte"]
    if from_period is not None:
        out = out.loc[out["period"] >= from_period]
    cols = ["organisation", "team", "period", "open_cases", "fte", "caseload_per_fte", "hours",
            "hours_per_fte"]
    return out[cols].sort_values(CELL).reset_index(drop=True)


def scarcity_yearly(indicators: pd.DataFrame, from_year: int | None = None) -> pd.DataFrame:
    """Vacancy rate and staff outflow per organisation (and city) and year.

    Args:
        indicators: long indicator table.
        from_year: leave out earlier years (e.g. years before the registrations
            start, when the staff table only holds spells still running later).

    Returns:
        ``organisation, period, indicator_id, numerator, denominator, value``
        for ``vacancy_rate`` and ``staff_outflow_rate`` (as the indicator table
        gives them; organisation and city level only).
    """
    parts = [
        indicator_rows(indicators, i).assign(indicator_id=i)
        for i in ("vacancy_rate", "staff_outflow_rate")
    ]
    out = pd.concat(parts, ignore_index=True)
    out = out.loc[out["team"] == ALL]
    if from_year is not None:
        out = out.loc[out["period"].str[:4].astype(int) >= int(from_year)]
    out["indicator_id"] = out["indicator_id"].astype("string")
    cols = ["organisation", "period", "indicator_id", "numerator", "denominator", "value"]
    return out[cols].sort_values(["indicator_id", "organisation", "period"]).reset_index(drop=True)


def hide_small_outflow(yearly: pd.DataFrame, rules: Rules) -> tuple[pd.DataFrame, int]:
    """Yearly rows with the outflow rate missing where 1..4 persons left (not shown).

    The number of leavers is a person count: a rate over a known stock would
    give a small count away, so the rate is not shown (the workforce report
    suppresses the same counts).

    Args:
        yearly: :func:`scarcity_yearly` output.
        rules: the disclosure rules (``rules.is_small`` decides).

    Returns:
        A copy with ``value`` (and ``numerator``) missing on those rows, and
        how many rows that were.
    """
    out = yearly.copy()
    outflow = (out["indicator_id"].astype(str) == "staff_outflow_rate").to_numpy(dtype=bool)
    few = np.array([rules.is_small(float(v)) for v in out["numerator"]], dtype=bool)
    small = outflow & few
    out.loc[small, ["numerator", "value"]] = float("nan")
    return out, int(small.sum())
