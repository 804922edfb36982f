"""Indicators on cases: re-registration, caseload per FTE, reach per 1000."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ._common import (
    ALL_LEVELS,
    LEVEL_CITY,
    LEVEL_ORGANISATION,
    LEVEL_TEAM,
    PERSONS,
    aggregate_levels,
    as_codes,
    day_number,
    finish,
    quarter_ends,
    quarter_label,
    shared_codes,
    ts,
    year_codes,
)

#: Follow-up window of ``reregistration_12m`` in calendar days.
REREGISTRATION_DAYS = 365


_CASE_COLUMNS = ["client_id", "organisation", "team", "date_report", "date_closed"]

#: Columns each indicator here reads, per table (see ``IndicatorSpec.source_columns``).
REREGISTRATION_COLUMNS = {"cases": tuple(_CASE_COLUMNS)}
CASELOAD_COLUMNS = {
    "cases": ("organisation", "team", "date_report", "date_closed"),
    "staff": ("organisation", "team", "fte", "start_date", "end_date"),
}
CASELOAD_PERSON_COLUMNS = {"cases": ("client_id",), "staff": ("employee_id",)}
REACH_COLUMNS = {
    "cases": ("client_id", "organisation", "team", "date_report"),
    "areas": ("organisation", "team", "population"),
}


def _reported_cases(
    cases: pd.DataFrame, as_of: pd.Timestamp, columns: list[str] | tuple[str, ...] = tuple(_CASE_COLUMNS)
) -> pd.DataFrame:
    """Cases reported on or before ``as_of`` (``columns`` only, which must hold
    ``date_report`` and ``date_closed``); a ``date_closed`` after as-of counts as open."""
    c = cases[list(columns)]
    c = c.loc[(pd.to_datetime(c["date_report"]) <= as_of).fillna(False).to_numpy(dtype=bool)]
    closed = pd.to_datetime(c["date_closed"])
    return c.assign(date_closed=closed.where(closed <= as_of))


def next_report_after(
    client_codes: np.ndarray,
    after_day: np.ndarray,
    report_codes: np.ndarray,
    report_day: np.ndarray,
) -> np.ndarray:
    """For each (client, day) the first ``report_day`` of that client strictly after ``day``.

    All arrays are numeric (client codes as integers, days as day numbers).
    Returns day numbers, ``NaN`` where the client has no later report.
    Vectorised with one ``searchsorted`` on a combined (client, day) key.
    """
    if len(after_day) == 0:
        return np.empty(0, dtype="float64")
    span = 1 << 21  # > any day number difference we meet (dates 1900..7000)
    offset = np.nanmin(np.concatenate([after_day, report_day])) if len(report_day) else 0.0
    rk = report_codes.astype("int64") * span + (report_day - offset).astype("int64")
    order = np.argsort(rk, kind="mergesort")
    rk = rk[order]
    lk = client_codes.astype("int64") * span + (after_day - offset).astype("int64")
    pos = np.searchsorted(rk, lk, side="right")  # first key strictly greater
    out = np.full(len(lk), np.nan)
    ok = pos < len(rk)
    found = rk[pos[ok]]
    same_client = (found // span) == client_codes[ok]
    idx = np.flatnonzero(ok)[same_client]
    out[idx] = (found[same_client] % span) + offset
    return out


def reregistration_12m(cases: pd.DataFrame, as_of: date, with_persons: bool = False) -> pd.DataFrame:
    """``reregistration_12m``: closed cases followed by a new report within 365 days.

    Denominator: cases with ``date_closed`` and ``date_closed + 365 <= as_of``
    (the whole follow-up window has passed). Numerator: those whose client
    has another case with ``date_report`` in ``(date_closed, date_closed +
    365]`` -- a case reported on the day of closure does not count (the
    interval is open on the left). The other case may be at any team or
    organisation (a re-registration is about the client, not about who
    picks it up). Period = quarter of ``date_closed``; level = the closed
    case's team. ``persons`` = distinct clients in the denominator.
    """
    day = ts(as_of)
    c = _reported_cases(cases, day)
    closed_day = day_number(c["date_closed"])
    as_of_day = float((day - pd.Timestamp("1970-01-01")).days)
    evaluable = ~np.isnan(closed_day) & (closed_day + REREGISTRATION_DAYS <= as_of_day)
    if not evaluable.any():
        return finish(None, "reregistration_12m", with_persons)
    codes = np.asarray(pd.factorize(c["client_id"])[0], dtype="int64")
    report_day = day_number(c["date_report"])
    ev = np.flatnonzero(evaluable)
    nxt = next_report_after(codes[ev], closed_day[ev], codes, report_day)
    again = ~np.isnan(nxt) & (nxt <= closed_day[ev] + REREGISTRATION_DAYS)
    sub = c.iloc[ev]
    rows = {  # arrays and Categoricals: no per-row text
        "period": quarter_label(sub["date_closed"]).array,
        "organisation": as_codes(sub["organisation"]),
        "team": as_codes(sub["team"]),
        "num": again.astype("int64"),
        "den": np.ones(len(ev), dtype="int64"),
        "client_id": as_codes(sub["client_id"]),
    }
    distinct = {PERSONS: "client_id"} if with_persons else None
    agg = aggregate_levels(rows, {"numerator": "num", "denominator": "den"}, ALL_LEVELS, distinct)
    return finish(agg, "reregistration_12m", with_persons)


def _active_on(
    start_day: np.ndarray, end_day: np.ndarray, d: float, end_inclusive: bool
) -> np.ndarray:
    """Mask of intervals active on day ``d`` (missing end = still active)."""
    if end_inclusive:
        ends_ok = np.isnan(end_day) | (end_day >= d)
    else:
        ends_ok = np.isnan(end_day) | (end_day > d)
    return (start_day <= d) & ends_ok


def caseload_per_fte(
    cases: pd.DataFrame,
    staff: pd.DataFrame,
    as_of: date,
    with_persons: bool = False,
    since: date | None = None,
) -> pd.DataFrame:
    """``caseload_per_fte``: open cases / FTE employed, on the last day of each quarter.

    For each quarter end ``d <= as_of``, from the quarter of ``since`` (the
    observation start, see :func:`._common.observation_start`; default: the
    earliest ``date_report``): numerator = cases with ``date_report
    <= d`` and ``date_closed`` empty or ``> d`` (by the case's team);
    denominator = sum of ``fte`` of spells with ``start_date <= d`` and
    ``end_date`` empty or ``>= d`` (end date is the inclusive last day; by
    the spell's team). A team with FTE but no open case gets 0; a team with
    open cases but no FTE gets no team row (zero denominator), though its
    cases count for its organisation and the city. Needs both tables; with
    either empty there are no rows. ``persons`` = the smaller of distinct
    clients with an open case and distinct employees employed (a team of
    one person is then suppressed when published).
    """
    day = ts(as_of)
    c = _reported_cases(
        cases, day, CASELOAD_COLUMNS["cases"] + (CASELOAD_PERSON_COLUMNS["cases"] if with_persons else ())
    )
    s = staff.loc[(pd.to_datetime(staff["start_date"]) <= day).fillna(False)]
    if c.empty or s.empty:
        return finish(None, "caseload_per_fte", with_persons)
    first = ts(since) if since is not None else pd.to_datetime(c["date_report"]).min()
    ends = quarter_ends(first, day)
    if not ends:
        return finish(None, "caseload_per_fte", with_persons)
    c_start, c_end = day_number(c["date_report"]), day_number(c["date_closed"])
    s_start, s_end = day_number(s["start_date"]), day_number(s["end_date"])
    fte = s["fte"].to_numpy(dtype="float64", na_value=np.nan)
    # shared integer codes for organisation and team across both tables
    c_org, s_org, org_names = shared_codes(c["organisation"], s["organisation"])
    c_team, s_team, team_names = shared_codes(c["team"], s["team"])
    if with_persons:
        c_client = pd.factorize(c["client_id"])[0]
        s_emp = pd.factorize(s["employee_id"])[0]
    else:  # persons are not counted: no identifiers needed
        c_client = np.zeros(len(c), dtype="int64")
        s_emp = np.zeros(len(s), dtype="int64")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("q", "org", "team", "num", "den", "pid", "kind")}
    epoch = pd.Timestamp("1970-01-01")
    for qi, d in enumerate(ends):  # one vectorised pass per quarter end (~4 per year), not per row
        dn = float((d - epoch).days)
        cm = _active_on(c_start, c_end, dn, end_inclusive=False)
        sm = _active_on(s_start, s_end, dn, end_inclusive=True)
        nc, ns = int(cm.sum()), int(sm.sum())
        parts["q"].append(np.full(nc + ns, qi))
        parts["org"].append(np.concatenate([c_org[cm], s_org[sm]]))
        parts["team"].append(np.concatenate([c_team[cm], s_team[sm]]))
        parts["num"].append(np.concatenate([np.ones(nc), np.zeros(ns)]))
        parts["den"].append(np.concatenate([np.zeros(nc), fte[sm]]))
        parts["pid"].append(np.concatenate([c_client[cm], s_emp[sm]]))
        parts["kind"].append(np.concatenate([np.zeros(nc, dtype=bool), np.ones(ns, dtype=bool)]))
    col = {k: np.concatenate(v) for k, v in parts.items()}
    labels = pd.Index([f"{d.year:04d}-Q{d.quarter}" for d in ends], dtype="string")
    rows = {  # arrays, not a DataFrame: no copy
        "period": pd.Categorical.from_codes(col["q"], categories=labels),
        "organisation": pd.Categorical.from_codes(col["org"], categories=pd.Index(org_names)),
        "team": pd.Categorical.from_codes(col["team"], categories=pd.Index(team_names)),
        "num": col["num"],
        "den": col["den"],
    }
    agg = aggregate_levels(rows, {"numerator": "num", "denominator": "den"}, ALL_LEVELS)
    if with_persons:
        keys = ["period", "organisation", "team"]
        is_staff = col["kind"]
        rows["client"] = np.where(is_staff, np.nan, col["pid"])
        rows["employee"] = np.where(is_staff, col["pid"], np.nan)
        persons = aggregate_levels(
            rows, {}, ALL_LEVELS, {"clients": "client", "employees": "employee"}
        )
        agg = agg.merge(persons, on=keys, how="left")
        agg[PERSONS] = np.minimum(
            agg["clients"].fillna(0).to_numpy(), agg["employees"].fillna(0).to_numpy()
        ).astype("int64")
    return finish(agg, "caseload_per_fte", with_persons)


def reach_per_1000(
    cases: pd.DataFrame, areas: pd.DataFrame, as_of: date, with_persons: bool = False
) -> pd.DataFrame:
    """``reach_per_1000``: distinct clients with a case reported in the year per 1000 inhabitants.

    Numerator: distinct ``client_id`` with a case whose ``date_report`` lies
    in the year (and on or before as-of; the current year is year-to-date);
    counted once per team, once per organisation, once for the city (so the
    city is not the sum of its teams). Denominator: population of the areas
    held (``areas``: team and organisation as there; city = all areas) /
    1000. A group in which any held area lacks its population gets no row
    (denominator unknown), as does a team that holds no area. The area
    assignment in ``areas`` is taken as valid for every year. A team or
    organisation without any client reported in a year has no row for that
    year (the rows come from the reported cases, as the numerator's
    definition reads; benchmarks/duckdb_reference.py does the same). ``persons`` =
    the numerator.
    """
    day = ts(as_of)
    c = cases[["client_id", "organisation", "team", "date_report"]]
    c = c.loc[(pd.to_datetime(c["date_report"]) <= day).fillna(False).to_numpy(dtype=bool)]
    if c.empty or areas.empty:
        return finish(None, "reach_per_1000", with_persons)
    rows = {  # Categoricals: no per-row text
        "period": year_codes(c["date_report"]),
        "organisation": as_codes(c["organisation"]),
        "team": as_codes(c["team"]),
        "client_id": as_codes(c["client_id"]),
    }
    num = aggregate_levels(rows, {}, ALL_LEVELS, {"numerator": "client_id"})
    pop = areas.assign(
        organisation=areas["organisation"].astype("string"),
        team=areas["team"].astype("string"),
        population=areas["population"].astype("Float64"),
    )
    parts = []
    for _level, by in (
        (LEVEL_TEAM, ["organisation", "team"]),
        (LEVEL_ORGANISATION, ["organisation"]),
        (LEVEL_CITY, []),
    ):
        if by:
            g = pop.groupby(by, sort=False)["population"]
            # sum(min_count) with NaN from any missing: unknown if one area is unknown
            den = g.sum().where(g.count() == g.size()).reset_index()
        else:
            total = pop["population"].sum() if pop["population"].notna().all() else np.nan
            den = pd.DataFrame({"population": [total]})
        if "organisation" not in den.columns:
            den["organisation"] = "ALL"
        if "team" not in den.columns:
            den["team"] = "ALL"
        parts.append(den)
    den = pd.concat(parts, ignore_index=True)
    den["organisation"] = den["organisation"].astype("string")
    den["team"] = den["team"].astype("string")
    den["denominator"] = den["population"].astype("float64") / 1000.0
    out = num.merge(den[["organisation", "team", "denominator"]], on=["organisation", "team"], how="left")
    if with_persons:
        out[PERSONS] = out["numerator"]
    return finish(out, "reach_per_1000", with_persons)


def reregistration_12m_sql(*args, **kwargs):  # TODO(engine-migration): replaced by the SQL definition
    raise NotImplementedError("reregistration_12m_sql")


def caseload_per_fte_sql(*args, **kwargs):  # TODO(engine-migration): replaced by the SQL definition
    raise NotImplementedError("caseload_per_fte_sql")


def reach_per_1000_sql(*args, **kwargs):  # TODO(engine-migration): replaced by the SQL definition
    raise NotImplementedError("reach_per_1000_sql")
