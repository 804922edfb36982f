"""Workforce indicators: outflow, inflow (per person) and vacancy rate (FTE).

All three are given at organisation and city level only. A person is a
distinct ``employee_id``; the exports carry the same id when someone moves
between organisations, so a move is a transfer, not a leaver plus a newcomer
(at city level).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..contract import ALL
from ._common import ORG_LEVELS, PERSONS, aggregate_levels, day_number, finish, ts, years_started

EPOCH = pd.Timestamp("1970-01-01")

#: Columns of ``staff`` the spells are built from (all three indicators).
SPELL_COLUMNS = {
    "staff": ("employee_id", "organisation", "team", "fte", "start_date", "end_date", "end_reason"),
}
VACANCY_COLUMNS = {**SPELL_COLUMNS, "formation": ("organisation", "year", "budgeted_fte")}


def _spells(staff: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Spells started on or before ``as_of``, with day numbers.

    An ``end_date`` after ``as_of`` is a planned end: the person is still
    employed on as-of, so the end date is treated as missing.
    """
    s = staff.loc[(pd.to_datetime(staff["start_date"]) <= as_of).fillna(False)]
    end = pd.to_datetime(s["end_date"])
    end = end.where(end <= as_of)
    return pd.DataFrame(
        {
            "employee_id": s["employee_id"].astype("string").to_numpy(),
            "organisation": s["organisation"].astype("string").to_numpy(),
            "team": s["team"].astype("string").to_numpy(),
            "fte": s["fte"].astype("float64").to_numpy(),
            "start": day_number(s["start_date"]),
            "end": day_number(end),
            "end_year": end.dt.year.astype("float64").to_numpy(),
            "start_year": pd.to_datetime(s["start_date"]).dt.year.astype("int64").to_numpy(),
            "end_reason": s["end_reason"].astype("string").to_numpy(),
        }
    )


def _employed_on(sp: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    """Mask of spells employed on ``day`` (start <= day <= end, empty end = still employed)."""
    d = float((day - EPOCH).days)
    return (sp["start"].to_numpy() <= d) & (np.isnan(sp["end"].to_numpy()) | (sp["end"].to_numpy() >= d))


def _years(sp: pd.DataFrame, as_of: pd.Timestamp, since: date | None) -> list[int]:
    """Years whose 1 January <= as-of, from the first start year or ``since``'s year."""
    if not len(sp):
        return []
    first = int(sp["start_year"].min()) if since is None else ts(since).year
    return years_started(first, as_of)


def january_headcount(staff: pd.DataFrame, as_of: date, since: date | None = None) -> pd.DataFrame:
    """Distinct persons employed on 1 January of each year (1 January <= as-of).

    Years from the year of ``since`` (the observation start) or, without it,
    from the first ``start_date``.

    Returns ``period, organisation, team, headcount`` at organisation level
    (employed at that organisation) and city level (employed anywhere);
    ``team`` is ``ALL``.
    """
    day = ts(as_of)
    sp = _spells(staff, day)
    parts = []
    for y in _years(sp, day, since):  # one vectorised pass per year
        m = _employed_on(sp, pd.Timestamp(year=y, month=1, day=1))
        parts.append(sp.loc[m, ["employee_id", "organisation", "team"]].assign(period=str(y)))
    if not parts:
        return pd.DataFrame(columns=["period", "organisation", "team", "headcount"])
    rows = pd.concat(parts, ignore_index=True)
    return aggregate_levels(rows, {}, ORG_LEVELS, {"headcount": "employee_id"})


def _rate(num: pd.DataFrame, staff: pd.DataFrame, as_of: date, indicator_id: str,
          with_persons: bool, since: date | None) -> pd.DataFrame:
    """``num`` (period, organisation, team, numerator) over the 1 January headcount.

    Years and organisations without anybody on 1 January have no row (zero
    denominator); a year with a headcount but no flow gets numerator 0.
    """
    keys = ["period", "organisation", "team"]
    head = january_headcount(staff, as_of, since)
    if head.empty:
        return finish(None, indicator_id, with_persons)
    if len(num):
        num = num.assign(organisation=num["organisation"].astype("string"),
                         team=num["team"].astype("string"),
                         period=num["period"].astype("string"))
    out = head.merge(num, on=keys, how="left") if len(num) else head.assign(numerator=0)
    out["numerator"] = out["numerator"].fillna(0)
    out["denominator"] = out["headcount"]
    if with_persons:
        # the people behind the rate: the stock at 1 January
        out[PERSONS] = out["headcount"]
    return finish(out, indicator_id, with_persons)


def staff_outflow_rate(
    staff: pd.DataFrame, as_of: date, with_persons: bool = False, since: date | None = None
) -> pd.DataFrame:
    """``staff_outflow_rate``: leavers in the year / persons employed on 1 January.

    Numerator: distinct persons with a spell ending in the year (``end_date``
    in the year and on or before as-of; a planned end after as-of is not an
    outflow) whose ``end_reason`` is not ``transfer_internal`` -- at city
    level not ``transfer_other_wijkteam`` either. An empty ``end_reason``
    counts as outflow. So a move between organisations is outflow for the
    organisation left, not for the city. A person with two qualifying spells
    ending in one year counts once. Leavers need not have been in the
    1 January stock (someone hired and gone within the year counts).
    Denominator: distinct persons employed on 1 January (at that
    organisation / anywhere), as CBS AZW does. Years whose 1 January <=
    as-of; the current year is year-to-date. Organisation and city only.
    ``persons`` = the 1 January headcount. ``since``: observation start;
    years before its year give no row (see :func:`._common.observation_start`).
    """
    day = ts(as_of)
    sp = _spells(staff, day)
    ended = sp.loc[~np.isnan(sp["end"].to_numpy())]
    reason = ended["end_reason"]
    org_out = ended.loc[(reason != "transfer_internal").fillna(True).to_numpy()]
    city_out = ended.loc[
        (~reason.isin(["transfer_internal", "transfer_other_wijkteam"])).fillna(True).to_numpy()
    ]
    num = _persons_per_year(((org_out, "organisation"), (city_out, "city")), "end_year")
    return _rate(num, staff, as_of, "staff_outflow_rate", with_persons, since)


def _persons_per_year(
    frames: tuple[tuple[pd.DataFrame, str], ...], year_column: str
) -> pd.DataFrame:
    """Distinct ``employee_id`` per year, at organisation or city level.

    ``frames`` pairs a frame of spells with its level (``"organisation"``:
    grouped by its organisation; ``"city"``: organisation ``ALL``). Returns
    columns period, organisation, team (``ALL``), numerator; empty frames
    give no rows.
    """
    parts = []
    for frame, level in frames:
        if frame.empty:
            continue
        rows = pd.DataFrame(
            {
                "period": frame[year_column].astype("int64").astype(str).to_numpy(),
                "organisation": frame["organisation"].to_numpy() if level == "organisation" else ALL,
                "team": ALL,
                "employee_id": frame["employee_id"].to_numpy(),
            }
        )
        parts.append(
            rows.groupby(["period", "organisation", "team"], sort=False)["employee_id"]
            .nunique()
            .rename("numerator")
            .reset_index()
        )
    if not parts:
        return pd.DataFrame(columns=["period", "organisation", "team", "numerator"])
    return pd.concat(parts, ignore_index=True)


def _not_employed_day_before(sp: pd.DataFrame, same_organisation: bool) -> np.ndarray:
    """Mask: spell whose person had no spell covering ``start - 1`` (at the same organisation).

    Vectorised via a self-merge on employee_id (a person has few spells).
    """
    left = sp[["employee_id", "organisation", "start"]].reset_index(names="i")
    right = sp[["employee_id", "organisation", "start", "end"]].rename(
        columns={"organisation": "org_r", "start": "start_r", "end": "end_r"}
    )
    pairs = left.merge(right, on="employee_id", how="inner")
    before = pairs["start"].to_numpy() - 1
    covers = (pairs["start_r"].to_numpy() <= before) & (
        np.isnan(pairs["end_r"].to_numpy()) | (pairs["end_r"].to_numpy() >= before)
    )
    if same_organisation:
        covers &= (pairs["organisation"] == pairs["org_r"]).to_numpy()
    employed_before = np.zeros(len(sp), dtype=bool)
    employed_before[pairs["i"].to_numpy()[covers]] = True
    return ~employed_before


def staff_inflow_rate(
    staff: pd.DataFrame, as_of: date, with_persons: bool = False, since: date | None = None
) -> pd.DataFrame:
    """``staff_inflow_rate``: newcomers in the year / persons employed on 1 January.

    Numerator: distinct persons with a spell starting in the year (on or
    before as-of) who were not employed the day before the start -- at that
    organisation (organisation level) or at any organisation (city level).
    So a move between organisations is inflow for the organisation joined,
    not for the city; a team change within an organisation is no inflow.
    Denominator: the same 1 January headcount as the outflow rate.
    Organisation and city only. ``persons`` = the 1 January headcount.
    ``since`` as for the outflow rate.
    """
    day = ts(as_of)
    sp = _spells(staff, day).reset_index(drop=True)
    frames = tuple(
        (sp.loc[_not_employed_day_before(sp, same_org)] if not sp.empty else sp, level)
        for same_org, level in ((True, "organisation"), (False, "city"))
    )
    num = _persons_per_year(frames, "start_year")
    return _rate(num, staff, as_of, "staff_inflow_rate", with_persons, since)


def vacancy_rate(
    staff: pd.DataFrame,
    formation: pd.DataFrame,
    as_of: date,
    with_persons: bool = False,
    since: date | None = None,
) -> pd.DataFrame:
    """``vacancy_rate``: (budgeted FTE - FTE employed on 1 July) / budgeted FTE.

    For each ``formation`` row (organisation, year) whose 1 July is on or
    before as-of: numerator = ``budgeted_fte`` - sum of ``fte`` of that
    organisation's spells employed on 1 July (start <= 1 July <= end);
    denominator = ``budgeted_fte``. The numerator is negative when the
    organisation is staffed above its formation; it is kept (value < 0), not
    clipped. City = sum over the organisations with a formation row that
    year (staff of organisations without one are not counted). Organisation
    and city only. ``persons`` = distinct employees employed on 1 July.
    ``since``: observation start; formation years before its year give no row.
    """
    day = ts(as_of)
    f = formation.loc[formation["year"].notna()]
    f = f.assign(year=f["year"].astype("int64"))
    last_year = day.year if day >= pd.Timestamp(year=day.year, month=7, day=1) else day.year - 1
    f = f.loc[f["year"] <= last_year]
    if since is not None:
        f = f.loc[f["year"] >= ts(since).year]
    if f.empty:
        return finish(None, "vacancy_rate", with_persons)
    sp = _spells(staff, day)
    parts = []
    for y in sorted(f["year"].unique()):  # one vectorised pass per year
        m = _employed_on(sp, pd.Timestamp(year=int(y), month=7, day=1)) if len(sp) else np.zeros(0, bool)
        parts.append(sp.loc[m, ["organisation", "fte", "employee_id"]].assign(year=int(y)))
    emp = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["organisation", "fte", "employee_id", "year"])
    emp = emp.assign(organisation=emp["organisation"].astype("string"))
    fo = f.assign(organisation=f["organisation"].astype("string"))[["organisation", "year", "budgeted_fte"]]
    fo = fo.groupby(["organisation", "year"], as_index=False)["budgeted_fte"].sum()
    emp = emp.merge(fo[["organisation", "year"]], on=["organisation", "year"], how="inner")
    rows = pd.concat(
        [
            fo.assign(employed=0.0, employee_id=pd.NA),
            emp.assign(budgeted_fte=0.0, employed=emp["fte"].astype("float64"))[
                ["organisation", "year", "budgeted_fte", "employed", "employee_id"]
            ],
        ],
        ignore_index=True,
    )
    rows["period"] = rows["year"].astype("int64").astype(str)
    rows["team"] = ALL
    distinct = {PERSONS: "employee_id"} if with_persons else None
    agg = aggregate_levels(rows, {"budgeted": "budgeted_fte", "employed": "employed"}, ORG_LEVELS,
                           distinct)
    agg["numerator"] = agg["budgeted"] - agg["employed"]
    agg["denominator"] = agg["budgeted"]
    return finish(agg, "vacancy_rate", with_persons)


def staff_outflow_rate_sql(*args, **kwargs):  # TODO(engine-migration): replaced by the SQL definition
    raise NotImplementedError("staff_outflow_rate_sql")


def staff_inflow_rate_sql(*args, **kwargs):  # TODO(engine-migration): replaced by the SQL definition
    raise NotImplementedError("staff_inflow_rate_sql")


def vacancy_rate_sql(*args, **kwargs):  # TODO(engine-migration): replaced by the SQL definition
    raise NotImplementedError("vacancy_rate_sql")
