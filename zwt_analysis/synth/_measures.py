"""Organisation-level measures of the generated data, as the catalogue defines them.

Used to make KPI values consistent with the planted data (a KPI whose
``indicator_id`` names a zwt indicator reports that indicator's value at
organisation level, with as-of = until) and to locate bends for signals.
These are the generator's own checks, not the library's indicator module.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import _params as P
from ._calendar import day, has, quarter_end, quarter_of, year_of
from ._load import fte_on


def deadline_table(cases: pd.DataFrame, key: str, until_day: int) -> pd.DataFrame:
    """Evaluable cases of deadline ``key``: organisation, team, q, on_time (bool).

    On time if the end event came within the limit; late if after it, or
    still missing once as-of is past the limit day; pending cases are left out.
    """
    spec = P.DEADLINES[key]
    c = cases[cases["legal_framework"] == spec["framework"]]
    s = c[spec["start"]].to_numpy()
    e = c[spec["end"]].to_numpy()
    lim = spec["limit"]
    ok = has(s)
    done = has(e)
    evaluable = ok & (done | (until_day > s + lim))
    on = done & (e - s <= lim)
    sel = evaluable
    return pd.DataFrame({
        "organisation": c["organisation"].to_numpy(object)[sel],
        "team": c["team"].to_numpy(object)[sel],
        "q": quarter_of(s[sel]),
        "on_time": on[sel],
    })


def on_time_by(cases: pd.DataFrame, key: str, until_day: int, by: str) -> pd.DataFrame:
    """Share on time per ``by`` (organisation or team) and quarter, with counts."""
    t = deadline_table(cases, key, until_day)
    g = t.groupby([by, "q"], sort=True)["on_time"].agg(["sum", "count"]).reset_index()
    g["value"] = g["sum"] / g["count"]
    return g


def org_caseload(cases: pd.DataFrame, staff: pd.DataFrame, d: int) -> dict[str, float]:
    """Caseload per FTE per organisation on day ``d``."""
    out = {}
    for org in P.ORGANISATIONS:
        c = cases[cases["organisation"] == org]
        s = staff[staff["organisation"] == org]
        o = ((c["date_report"].to_numpy() <= d)
             & (~has(c["date_closed"].to_numpy()) | (c["date_closed"].to_numpy() > d))).sum()
        f = fte_on(s["start_date"].to_numpy(), s["end_date"].to_numpy(), s["fte"].to_numpy(float),
                   np.zeros(len(s), dtype=np.int64), 1, d)[0]
        out[org] = float(o / f) if f > 0 else float("nan")
    return out


def _employed(staff: pd.DataFrame, d: int, until_day: int) -> pd.DataFrame:
    end = staff["end_date"].to_numpy()
    on = (staff["start_date"].to_numpy() <= d) & (~has(end) | (end >= d) | (end > until_day))
    return staff[on]


def outflow_rate(staff: pd.DataFrame, org: str | None, year: int, until_day: int) -> tuple[int, int]:
    """(leavers, 1 January headcount) as ``staff_outflow_rate`` counts them.

    ``org`` None is the city (transfers between organisations not counted).
    """
    jan1 = day(date(year, 1, 1))
    dec31 = day(date(year, 12, 31))
    s = staff if org is None else staff[staff["organisation"] == org]
    den = _employed(s, jan1, until_day)["employee_id"].nunique()
    end = s["end_date"].to_numpy()
    excl = ["transfer_internal"] + (["transfer_other_wijkteam"] if org is None else [])
    ended = has(end) & (end >= jan1) & (end <= min(dec31, until_day)) & ~s["end_reason"].isin(excl).to_numpy()
    num = s.loc[ended, "employee_id"].nunique()
    return int(num), int(den)


def vacancy_rate(staff: pd.DataFrame, formation: pd.DataFrame, org: str, year: int) -> float:
    """1 - FTE employed on 1 July / budgeted FTE."""
    jul1 = day(date(year, 7, 1))
    s = staff[staff["organisation"] == org]
    f = fte_on(s["start_date"].to_numpy(), s["end_date"].to_numpy(), s["fte"].to_numpy(float),
               np.zeros(len(s), dtype=np.int64), 1, jul1)[0]
    b = float(formation.loc[(formation["organisation"] == org) & (formation["year"] == year),
                            "budgeted_fte"].iloc[0])
    return 1.0 - f / b if b > 0 else float("nan")


def reach_per_1000(cases: pd.DataFrame, areas: pd.DataFrame, org: str, year: int) -> float:
    """Distinct clients with a case reported in ``year`` per 1000 residents."""
    c = cases[(cases["organisation"] == org) & (year_of(cases["date_report"].to_numpy()) == year)]
    pop = float(areas.loc[areas["organisation"] == org, "population"].sum())
    return c["client_id"].nunique() * 1000.0 / pop if pop > 0 else float("nan")


def city_quarter_ends(until_day: int) -> list[int]:
    """Quarter indices whose last day is on or before until."""
    last = int(quarter_of(np.array([until_day]))[0])
    return [q for q in range(last + 1) if int(quarter_end(q)) <= until_day]
