"""Indicators on registered hours (``time_registrations``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from ..contract import PREVENTIVE_ACTIVITIES
from . import engine
from .engine import ALL_LEVELS_SQL, LABELS_SQL, persons_sql, quarter_sql

#: Columns of ``time_registrations`` the hour shares read (plus, for persons, ``employee_id``).
SOURCE_COLUMNS = {"time_registrations": ("organisation", "team", "date", "activity", "hours")}
PERSON_COLUMNS = {"time_registrations": ("employee_id",)}

#: Statutory individual work: the other half of the preventive share's denominator.
STATUTORY = "statutory_individual"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def hours_share_sql(indicator_id: str, numerator_activities: tuple[str, ...],
                    denominator_activities: tuple[str, ...] | None, with_persons: bool) -> str:
    """SQL: share of hours in ``numerator_activities`` among ``denominator_activities``.

    ``denominator_activities=None`` means all hours. Registrations dated
    after as-of are left out. Period = quarter of ``date``. ``persons`` =
    distinct employees with hours in the denominator.
    """
    den = f"AND activity IN ({_in(denominator_activities)})" if denominator_activities else ""
    return f"""
    SELECT '{indicator_id}' AS indicator_id, period, {LABELS_SQL},
           fsum(CASE WHEN activity IN ({_in(numerator_activities)}) THEN hours ELSE 0 END) AS numerator,
           fsum(hours) AS denominator,
           {persons_sql('employee_id', with_persons)}
    FROM (SELECT {quarter_sql('date')} AS period, organisation, team, activity,
                 coalesce(hours, 0) AS hours, employee_id
          FROM time_registrations
          WHERE date <= getvariable('as_of') {den})
    GROUP BY {ALL_LEVELS_SQL}
    """


def preventive_share_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`preventive_share` (``limits`` unused; the registry's common signature)."""
    return hours_share_sql("preventive_share", PREVENTIVE_ACTIVITIES,
                           (*PREVENTIVE_ACTIVITIES, STATUTORY), with_persons)


def additional_assignment_share_sql(limits: Mapping[str, int], with_persons: bool) -> str:
    """SQL of :func:`additional_assignment_share` (``limits`` unused)."""
    return hours_share_sql("additional_assignment_share", ("additional_assignment",), None,
                           with_persons)


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
    return engine.run(preventive_share_sql({}, with_persons),
                      {"time_registrations": time_registrations}, as_of, with_persons, since=None)


def additional_assignment_share(
    time_registrations: pd.DataFrame, as_of: date, with_persons: bool = False
) -> pd.DataFrame:
    """``additional_assignment_share``: hours ``additional_assignment`` / all hours.

    Per quarter of ``date``; team, organisation and city.
    """
    return engine.run(additional_assignment_share_sql({}, with_persons),
                      {"time_registrations": time_registrations}, as_of, with_persons, since=None)
