"""Indicators on registered hours (``time_registrations``)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..contract import PREVENTIVE_ACTIVITIES
from ._common import ALL_LEVELS, PERSONS, aggregate_levels, as_codes, finish, quarter_label, ts

#: Columns of ``time_registrations`` the hour shares read (plus, for persons, ``employee_id``).
SOURCE_COLUMNS = {"time_registrations": ("organisation", "team", "date", "activity", "hours")}
PERSON_COLUMNS = {"time_registrations": ("employee_id",)}


def _hours_share(
    time_registrations: pd.DataFrame,
    as_of: date,
    indicator_id: str,
    numerator_activities: tuple[str, ...],
    denominator_activities: tuple[str, ...] | None,
    with_persons: bool,
) -> pd.DataFrame:
    """Share of hours in ``numerator_activities`` among ``denominator_activities``.

    ``denominator_activities=None`` means all hours. Registrations dated
    after ``as_of`` are left out. Period = quarter of ``date``. ``persons`` =
    distinct employees with hours in the denominator.
    """
    day = ts(as_of)
    tr = time_registrations
    # masks and codes on whole columns; never filter the wide frame (slow on text columns)
    keep = (tr["date"] <= day).fillna(False).to_numpy(dtype=bool).copy()
    activity = tr["activity"]
    if denominator_activities is not None:
        keep &= activity.isin(denominator_activities).fillna(False).to_numpy(dtype=bool)
    if not keep.any():
        return finish(None, indicator_id, with_persons)
    if keep.all():  # nothing to leave out: views instead of copies of every column
        keep = slice(None)
    hours = tr["hours"].to_numpy(dtype="float64", na_value=np.nan)[keep]
    in_num = activity.isin(numerator_activities).fillna(False).to_numpy(dtype=bool)[keep]
    rows = {  # arrays, not a DataFrame: no copy of millions of rows
        "period": quarter_label(tr["date"]).array[keep],
        "organisation": as_codes(tr["organisation"])[keep],
        "team": as_codes(tr["team"])[keep],
        "num": np.where(in_num, hours, 0.0),
        "den": hours,
    }
    distinct = None
    if with_persons:
        rows["employee_id"] = as_codes(tr["employee_id"])[keep]
        distinct = {PERSONS: "employee_id"}
    agg = aggregate_levels(rows, {"numerator": "num", "denominator": "den"}, ALL_LEVELS, distinct)
    return finish(agg, indicator_id, with_persons)


def preventive_share(
    time_registrations: pd.DataFrame, as_of: date, with_persons: bool = False
) -> pd.DataFrame:
    """``preventive_share``: preventive hours / (preventive + statutory individual hours).

    Numerator: hours ``preventive_individual`` + ``preventive_collective``;
    denominator: those two + ``statutory_individual`` (coordination,
    additional assignments and overhead are outside the share). Per quarter
    of ``date``; team, organisation and city. A quarter in which a team has
    none of the three activities gives no row (zero denominator).
    """
    return _hours_share(
        time_registrations,
        as_of,
        "preventive_share",
        PREVENTIVE_ACTIVITIES,
        (*PREVENTIVE_ACTIVITIES, "statutory_individual"),
        with_persons,
    )


def additional_assignment_share(
    time_registrations: pd.DataFrame, as_of: date, with_persons: bool = False
) -> pd.DataFrame:
    """``additional_assignment_share``: hours ``additional_assignment`` / all hours.

    Per quarter of ``date``; team, organisation and city.
    """
    return _hours_share(
        time_registrations,
        as_of,
        "additional_assignment_share",
        ("additional_assignment",),
        None,
        with_persons,
    )
