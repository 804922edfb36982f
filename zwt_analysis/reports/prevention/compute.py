"""Preventive effort versus statutory tasks: time allocation, deadlines, scarcity.

The computations behind ``notebooks/03_prevention.py`` (issue 7). Every
contract indicator (``preventive_share``, ``caseload_per_fte``, the deadline
indicators, ``vacancy_rate``, ``staff_outflow_rate``) is taken from
:mod:`zwt_analysis.indicators` (its long table or its per-case
``deadline_status``); this module only reshapes, adds intervals, person counts
and the measures the contract does not define (hours shares of all six
activities, hours registered per FTE). The panel model lives in
:mod:`zwt_analysis.panel`.

Intervals on hours shares: hours are not independent Bernoulli trials (one
person's hours move together), so the Wilson interval is computed with an
*effective sample size* from the variance of the ratio estimator clustered by
person (see :func:`clustered_share` and ``docs/prevention.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis import config
from zwt_analysis.contract import ACTIVITIES, ALL, PREVENTIVE_ACTIVITIES
from zwt_analysis.reports.prevention.panel import indicator_rows

SETTINGS_FILE = "prevention.yaml"

#: Activities in the numerator and denominator of ``preventive_share``.
SHARE_ACTIVITIES: tuple[str, ...] = (*PREVENTIVE_ACTIVITIES, "statutory_individual")

#: Dutch labels for the six activities (figures and tables).
ACTIVITY_LABELS: dict[str, str] = {
    "preventive_individual": "Preventief individueel",
    "preventive_collective": "Preventief collectief",
    "statutory_individual": "Wettelijk individueel",
    "coordination": "Coördinatie",
    "additional_assignment": "Aanvullende opdrachten",
    "overhead": "Overhead",
}

#: Deadline indicators of the contract: law, start event, end event.
DEADLINE_INDICATORS: dict[str, tuple[str, str, str]] = {
    "wmo_assessment_on_time": ("wmo", "date_report", "date_assessment_done"),
    "wmo_decision_on_time": ("wmo", "date_application", "date_decision"),
    "jeugdwet_decision_on_time": ("jeugdwet", "date_application", "date_decision"),
    "participatiewet_decision_on_time": ("participatiewet", "date_application", "date_decision"),
    "wgs_first_contact_on_time": ("wgs", "date_report", "date_first_contact"),
}

#: Dutch labels of the deadline indicators.
DEADLINE_LABELS: dict[str, str] = {
    "wmo_assessment_on_time": "Wmo: onderzoek binnen termijn",
    "wmo_decision_on_time": "Wmo: beschikking binnen termijn",
    "jeugdwet_decision_on_time": "Jeugdwet: besluit binnen termijn",
    "participatiewet_decision_on_time": "Participatiewet: besluit binnen termijn",
    "wgs_first_contact_on_time": "Wgs: eerste gesprek binnen termijn",
}

_CELL = ["organisation", "team", "period"]


def load_settings(path: str | Path | None = None) -> dict[str, Any]:
    """Settings of the prevention report (``resources/prevention.yaml``).

    Args:
        path: a YAML file overriding the packaged one; keys it lacks keep the
            packaged default (the ``model`` block is merged key by key).

    Returns:
        Dict with ``ondergrens`` (float, fraction 0..1), ``alpha``,
        ``allocation_cluster`` and ``model`` (dict).

    Raises:
        ValueError: when ``ondergrens`` is not within 0..1.
    """
    settings = config.load_yaml(config.resource(SETTINGS_FILE))
    if path:
        own = config.load_yaml(path) or {}
        model = {**settings.get("model", {}), **(own.get("model") or {})}
        settings = {**settings, **own, "model": model}
    floor = float(settings["ondergrens"])
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"ondergrens must lie in 0..1, got {floor}")
    settings["ondergrens"] = floor
    return settings


def quarter_label(dates: pd.Series) -> pd.Series:
    """``YYYY-Qn`` label of each date (missing dates give ``<NA>``)."""
    d = pd.to_datetime(dates)
    key = (d.dt.year * 10 + d.dt.quarter).astype("Int64")
    labels = {int(k): f"{int(k) // 10:04d}-Q{int(k) % 10}" for k in pd.unique(key.dropna())}
    return key.map(labels).astype("string")  # formats only the distinct quarters (fast)


def pact_teams(areas: pd.DataFrame) -> set[str]:
    """Teams holding at least one PACT wijk (``areas.pact`` true)."""
    if areas.empty or "pact" not in areas:
        return set()
    mask = areas["pact"].fillna(False).astype(bool)
    return set(areas.loc[mask, "team"].astype(str))


def filter_organisation(df: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """Rows of one organisation; ``"ALL"`` keeps every row (a new frame)."""
    if organisation == ALL or "organisation" not in df:
        return df.copy()
    return df.loc[df["organisation"] == organisation].copy()


# --------------------------------------------------------------------------
# Clustered shares
# --------------------------------------------------------------------------


def clustered_share(
    units: pd.DataFrame,
    keys: Sequence[str],
    numerator: str,
    total: str,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Share ``sum(numerator) / sum(total)`` per cell with a cluster-aware Wilson interval.

    ``units`` holds one row per cluster unit (normally one person) within a
    cell: ``a_i`` = ``numerator``, ``t_i`` = ``total`` (e.g. hours). The share
    is the ratio ``p = A / T``. Its variance, clustered by unit, is the usual
    linearisation ``m / (m - 1) * sum((a_i - p t_i)^2) / T^2`` (``m`` units).
    The Wilson interval (:func:`zwt_analysis.stats.wilson_interval`) is then
    taken with the *effective sample size* ``n_eff = p (1 - p) / var``,
    bounded to ``[1, T]``. Edge cases: one unit (``m = 1``) gives ``n_eff = 1``
    (nothing is known of the spread between persons, so the interval is wide);
    zero variance with ``m >= 2`` gives ``n_eff = T`` (hours as trials).
    Cells with ``T == 0`` are left out.

    Args:
        units: frame with ``keys``, ``numerator`` and ``total`` columns.
        keys: the cell columns.
        numerator: column of the numerator per unit (>= 0).
        total: column of the denominator per unit (>= numerator).
        alpha: 1 - confidence level.

    Returns:
        ``keys`` + ``numerator`` (sum), ``denominator`` (sum), ``share``,
        ``persons`` (units with ``total > 0``), ``n_eff``, ``ci_low``, ``ci_high``.
    """
    from zwt_analysis.stats import wilson_interval

    keys = list(keys)
    cols = [*keys, "numerator", "denominator", "share", "persons", "n_eff", "ci_low", "ci_high"]
    u = units.loc[units[total] > 0, [*keys, numerator, total]]
    if u.empty:
        out = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
        for k in keys:
            out[k] = out[k].astype(units[k].dtype if k in units else "string")
        out["persons"] = out["persons"].astype("int64")
        return out
    a = u[numerator].astype("float64")
    t = u[total].astype("float64")
    work = u[keys].assign(a=a, t=t, aa=a * a, at=a * t, tt=t * t, m=1)
    g = work.groupby(keys, sort=True, dropna=False)[["a", "t", "aa", "at", "tt", "m"]].sum().reset_index()
    p = g["a"] / g["t"]
    ss = (g["aa"] - 2 * p * g["at"] + p * p * g["tt"]).clip(lower=0.0)
    m = g["m"].astype("float64")
    var = np.where(m > 1, m / (m - 1).where(m > 1, 1.0) * ss / (g["t"] ** 2), np.nan)
    pq = p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw_n = np.where(var > 1e-15, pq / var, np.inf)
    n_eff = np.where(m > 1, raw_n, 1.0)
    n_eff = np.maximum(1.0, np.minimum(g["t"].to_numpy(), n_eff))
    low, high = wilson_interval(p.to_numpy() * n_eff, n_eff, alpha=alpha)
    out = g[keys].assign(
        numerator=g["a"],
        denominator=g["t"],
        share=p,
        persons=g["m"].astype("int64"),
        n_eff=n_eff,
        ci_low=np.asarray(low, dtype="float64"),
        ci_high=np.asarray(high, dtype="float64"),
    )
    return out[cols].reset_index(drop=True)


def _unit_hours(time_registrations: pd.DataFrame, cluster: str) -> pd.DataFrame:
    """Hours per organisation, team, quarter, person and activity (wide, 0-filled)."""
    tr = time_registrations
    base = pd.DataFrame(
        {
            "organisation": tr["organisation"].astype("category"),
            "team": tr["team"].astype("category"),
            "period": quarter_label(tr["date"]).astype("category"),
            "unit": tr[cluster].astype("category"),
            "activity": pd.Categorical(tr["activity"].astype(object), categories=list(ACTIVITIES)),
            "hours": tr["hours"].astype("float64"),
        }
    )
    sums = base.groupby(["organisation", "team", "period", "unit", "activity"], observed=True,
                        sort=False)["hours"].sum()
    wide = sums.unstack("activity", fill_value=0.0)
    wide = wide.reindex(columns=list(ACTIVITIES), fill_value=0.0)
    wide.columns = list(ACTIVITIES)
    wide = wide.reset_index()
    for c in ("organisation", "team", "period", "unit"):
        wide[c] = wide[c].astype("string")
    return wide.sort_values(["organisation", "team", "period", "unit"]).reset_index(drop=True)


def _levels(unit_hours: pd.DataFrame) -> pd.DataFrame:
    """Unit hours at team, organisation (team ALL) and city (both ALL) level."""
    value_cols = [c for c in unit_hours.columns if c not in (*_CELL, "unit")]
    org = unit_hours.groupby(["organisation", "period", "unit"], as_index=False)[value_cols].sum()
    org["team"] = ALL
    city = unit_hours.groupby(["period", "unit"], as_index=False)[value_cols].sum()
    city["organisation"] = ALL
    city["team"] = ALL
    out = pd.concat([unit_hours, org, city], ignore_index=True)
    for c in ("organisation", "team", "period", "unit"):
        out[c] = out[c].astype("string")
    return out


def time_allocation(
    time_registrations: pd.DataFrame,
    areas: pd.DataFrame | None = None,
    cluster: str = "employee_id",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Hours shares of all six activities per team, organisation and city per quarter.

    The share of an activity is its hours / all registered hours in the cell
    (team-quarter; organisation-quarter with ``team = ALL``; city-quarter with
    both ``ALL``). Intervals: :func:`clustered_share` clustered by ``cluster``
    (a person who worked in two teams is one unit at organisation level).

    Args:
        time_registrations: processed ``time_registrations``.
        areas: processed ``areas`` (for the PACT flag); may be empty or None.
        cluster: column identifying the cluster unit (default ``employee_id``).
        alpha: 1 - confidence level.

    Returns:
        Long frame ``organisation, team, period, activity, hours, total_hours,
        share, ci_low, ci_high, persons, n_eff, pact`` (``pact`` is true for
        a team holding a PACT wijk, false for other teams, ``<NA>`` at
        aggregate levels). A quarter without hours has no rows; an empty input
        gives an empty frame with these columns.
    """
    cols = ["organisation", "team", "period", "activity", "hours", "total_hours", "share",
            "ci_low", "ci_high", "persons", "n_eff", "pact"]
    tr = time_registrations.loc[time_registrations["hours"].fillna(0) > 0]
    if tr.empty:
        return _empty(cols, strings=("organisation", "team", "period", "activity"),
                      ints=("persons",), bools=("pact",))
    units = _levels(_unit_hours(tr, cluster))
    units["total"] = units[list(ACTIVITIES)].sum(axis=1)
    out = clustered_share(_by_activity(units, _CELL), [*_CELL, "activity"], "a", "total",
                          alpha=alpha).rename(columns={"numerator": "hours",
                                                       "denominator": "total_hours"})
    out["pact"] = _pact_column(out, areas)
    order = {a: i for i, a in enumerate(ACTIVITIES)}
    out = out.assign(_o=out["activity"].map(order)).sort_values([*_CELL, "_o"])
    return out[cols].reset_index(drop=True)


def _by_activity(units: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Wide unit hours to long: one row per cell, unit and activity (``a`` = its hours).

    One long frame lets :func:`clustered_share` treat all six activities in a
    single grouping instead of six.
    """
    long = units.melt(id_vars=[*keys, "unit", "total"], value_vars=list(ACTIVITIES),
                      var_name="activity", value_name="a")
    long["activity"] = long["activity"].astype("string")
    return long


def _pact_column(df: pd.DataFrame, areas: pd.DataFrame | None) -> pd.Series:
    teams = pact_teams(areas) if areas is not None else set()
    is_team = df["team"] != ALL
    flag = df["team"].isin(list(teams)) if teams else pd.Series(False, index=df.index)
    flag = flag.astype("boolean")
    if areas is None or areas.empty:
        return pd.Series(pd.NA, index=df.index, dtype="boolean")
    return flag.where(is_team, pd.NA).astype("boolean")


def _empty(cols: Sequence[str], strings: Sequence[str] = (), ints: Sequence[str] = (),
           bools: Sequence[str] = ()) -> pd.DataFrame:
    dtype = {c: "string" for c in strings} | {c: "Int64" for c in ints} | {c: "boolean" for c in bools}
    return pd.DataFrame({c: pd.Series(dtype=dtype.get(c, "float64")) for c in cols})


# --------------------------------------------------------------------------
# Preventive share with intervals and the floor
# --------------------------------------------------------------------------


def preventive_share_table(
    indicators: pd.DataFrame,
    time_registrations: pd.DataFrame,
    areas: pd.DataFrame | None = None,
    cluster: str = "employee_id",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The ``preventive_share`` indicator per cell with persons and a clustered interval.

    Value, numerator and denominator are those of the indicator table (the
    single definition in :mod:`zwt_analysis.indicators`); this adds the
    number of persons registering preventive or statutory hours in the cell
    and the interval of :func:`clustered_share`.

    Args:
        indicators: long indicator table (contract section 4).
        time_registrations: processed ``time_registrations``.
        areas: processed ``areas`` for the PACT flag (optional).
        cluster: cluster unit column for the interval.
        alpha: 1 - confidence level.

    Returns:
        ``organisation, team, period, preventive_hours, hours, preventive_share,
        ci_low, ci_high, persons, pact`` at every level present in
        ``indicators`` (quarters only).
    """
    cols = ["organisation", "team", "period", "preventive_hours", "hours", "preventive_share",
            "ci_low", "ci_high", "persons", "pact"]
    ind = indicators.loc[indicators["indicator_id"] == "preventive_share"]
    if ind.empty:
        return _empty(cols, strings=("organisation", "team", "period"), ints=("persons",),
                      bools=("pact",))
    tr = time_registrations.loc[time_registrations["activity"].isin(list(SHARE_ACTIVITIES))
                                & (time_registrations["hours"].fillna(0) > 0)]
    base = ind[_CELL].astype("string").assign(
        preventive_hours=ind["numerator"].astype("float64").to_numpy(),
        hours=ind["denominator"].astype("float64").to_numpy(),
        preventive_share=ind["value"].astype("float64").to_numpy(),
    )
    if tr.empty:
        ci = _empty([*_CELL, "ci_low", "ci_high", "persons"], strings=_CELL, ints=("persons",))
    else:
        units = _levels(_unit_hours(tr, cluster))
        units["prev"] = units[list(PREVENTIVE_ACTIVITIES)].sum(axis=1)
        units["share_total"] = units[list(SHARE_ACTIVITIES)].sum(axis=1)
        ci = clustered_share(units, _CELL, "prev", "share_total", alpha=alpha)[
            [*_CELL, "ci_low", "ci_high", "persons"]
        ]
    out = base.merge(ci, on=_CELL, how="left")
    out["persons"] = out["persons"].astype("Int64")
    out["pact"] = _pact_column(out, areas)
    return out[cols].sort_values(_CELL).reset_index(drop=True)


def below_floor(share_table: pd.DataFrame, floor: float, team_level: bool = True) -> pd.DataFrame:
    """Team-quarters (or any cells) whose preventive share lies below the floor.

    Args:
        share_table: output of :func:`preventive_share_table`.
        floor: the ondergrens, a fraction 0..1; a share equal to it is not below.
        team_level: keep team rows only (``team != ALL``).

    Returns:
        The rows with ``preventive_share < floor``, plus ``gap`` (floor - share,
        in fraction points) and ``clearly_below`` (the whole interval lies
        below the floor), sorted by organisation, team, period. Empty input
        gives an empty frame with these columns.

    Raises:
        ValueError: when ``floor`` is outside 0..1.
    """
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"floor must lie in 0..1, got {floor}")
    df = share_table
    if team_level:
        df = df.loc[df["team"] != ALL]
    out = df.loc[df["preventive_share"] < floor].copy()
    out["gap"] = floor - out["preventive_share"]
    out["clearly_below"] = (out["ci_high"] < floor).astype("boolean")
    return out.sort_values(_CELL).reset_index(drop=True)


def floor_summary(share_table: pd.DataFrame, floor: float) -> pd.DataFrame:
    """Per team: quarters with data, quarters below the floor, and the latest quarter.

    Args:
        share_table: output of :func:`preventive_share_table` (team rows used).
        floor: the ondergrens (fraction 0..1).

    Returns:
        ``organisation, team, quarters, quarters_below, share_below, last_period,
        last_share`` per team (empty frame when there are no team rows).
    """
    t = share_table.loc[share_table["team"] != ALL]
    cols = ["organisation", "team", "quarters", "quarters_below", "share_below", "last_period",
            "last_share"]
    if t.empty:
        return _empty(cols, strings=("organisation", "team", "last_period"),
                      ints=("quarters", "quarters_below"))
    t = t.sort_values(_CELL).assign(below=lambda d: d["preventive_share"] < floor)
    g = t.groupby(["organisation", "team"], sort=True)
    out = g.agg(quarters=("period", "size"), quarters_below=("below", "sum"),
                last_period=("period", "last"), last_share=("preventive_share", "last")).reset_index()
    out["quarters"] = out["quarters"].astype("Int64")
    out["quarters_below"] = out["quarters_below"].astype("Int64")
    out["share_below"] = out["quarters_below"].astype("float64") / out["quarters"].astype("float64")
    return out[cols]


# --------------------------------------------------------------------------
# Scarcity
# --------------------------------------------------------------------------


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
         "period": quarter_label(tr["date"]), "hours": tr["hours"].astype("float64")}
    )
    team_h = hours.groupby(_CELL, as_index=False)["hours"].sum()
    org_h = hours.groupby(["organisation", "period"], as_index=False)["hours"].sum().assign(team=ALL)
    city_h = hours.groupby(["period"], as_index=False)["hours"].sum().assign(organisation=ALL, team=ALL)
    all_h = pd.concat([team_h, org_h, city_h], ignore_index=True)
    for c in _CELL:
        all_h[c] = all_h[c].astype("string")
    out = cl.merge(all_h, on=_CELL, how="left")
    out["hours"] = out["hours"].fillna(0.0)
    out["hours_per_fte"] = out["hours"] / out["fte"]
    if from_period is not None:
        out = out.loc[out["period"] >= from_period]
    cols = ["organisation", "team", "period", "open_cases", "fte", "caseload_per_fte", "hours",
            "hours_per_fte"]
    return out[cols].sort_values(_CELL).reset_index(drop=True)


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


# --------------------------------------------------------------------------
# Statutory deadlines
# --------------------------------------------------------------------------


def deadline_cases(
    cases: pd.DataFrame,
    as_of: Any,
    limits: dict[str, Any] | None = None,
    indicator_ids: Sequence[str] = tuple(DEADLINE_INDICATORS),
) -> pd.DataFrame:
    """Per-case deadline status of every deadline indicator, stacked.

    Uses :func:`zwt_analysis.indicators.deadline_status` (the single
    definition of on time / late / pending / outside).

    Args:
        cases: processed ``cases``.
        as_of: reference date.
        limits: limit key -> days overriding the defaults.
        indicator_ids: which deadline indicators.

    Returns:
        ``indicator_id, law`` + the columns of ``deadline_status`` (``case_id,
        client_id, organisation, team, period, start, end, limit_days,
        days_elapsed, status``), without the ``outside`` cases.
    """
    from zwt_analysis.indicators import deadline_status

    parts = []
    for ind in indicator_ids:
        st = deadline_status(cases, ind, as_of, limits)
        st = st.loc[st["status"] != "outside"]
        law = DEADLINE_INDICATORS[ind][0]
        parts.append(st.assign(indicator_id=ind, law=law))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if out.empty:
        cols = ["indicator_id", "law", "case_id", "client_id", "organisation", "team", "period",
                "start", "end", "limit_days", "days_elapsed", "status"]
        return _empty(cols, strings=("indicator_id", "law", "case_id", "client_id", "organisation",
                                     "team", "period", "status"), ints=("limit_days", "days_elapsed"))
    out["indicator_id"] = out["indicator_id"].astype("string")
    out["law"] = out["law"].astype("string")
    first = ["indicator_id", "law"]
    return out[first + [c for c in out.columns if c not in first]]


def deadline_summary(status: pd.DataFrame, alpha: float = 0.05,
                     team_level: bool = False) -> pd.DataFrame:
    """Cases on time, late and pending per indicator, organisation and quarter.

    The share on time is ``on_time / (on_time + late)`` with a Wilson
    interval (cases are the trials); pending cases are counted beside it,
    not in it. ``late_open`` counts late cases whose end event is still
    missing on the as-of date.

    Args:
        status: output of :func:`deadline_cases`.
        alpha: 1 - confidence level.
        team_level: also give team rows (default: organisation and city only).

    Returns:
        ``indicator_id, organisation, team, period, on_time, late, late_open,
        pending, evaluable, share_on_time, ci_low, ci_high`` (share and
        interval missing when nothing is evaluable yet).
    """
    from zwt_analysis.stats import wilson_interval

    cols = ["indicator_id", "organisation", "team", "period", "on_time", "late", "late_open",
            "pending", "evaluable", "share_on_time", "ci_low", "ci_high"]
    if status.empty:
        return _empty(cols, strings=("indicator_id", "organisation", "team", "period"),
                      ints=("on_time", "late", "late_open", "pending", "evaluable"))
    s = status["status"]
    flags = pd.DataFrame(
        {
            "indicator_id": status["indicator_id"].astype("string"),
            "organisation": status["organisation"].astype("string"),
            "team": status["team"].astype("string"),
            "period": status["period"].astype("string"),
            "on_time": (s == "on_time").astype("int64"),
            "late": (s == "late").astype("int64"),
            "late_open": ((s == "late") & status["end"].isna()).astype("int64"),
            "pending": (s == "pending").astype("int64"),
        }
    )
    counts = ["on_time", "late", "late_open", "pending"]
    frames = []
    if team_level:
        frames.append(flags.groupby(["indicator_id", *_CELL], as_index=False)[counts].sum())
    frames.append(flags.groupby(["indicator_id", "organisation", "period"], as_index=False)[counts]
                  .sum().assign(team=ALL))
    frames.append(flags.groupby(["indicator_id", "period"], as_index=False)[counts]
                  .sum().assign(organisation=ALL, team=ALL))
    out = pd.concat(frames, ignore_index=True)
    for c in ("organisation", "team"):
        out[c] = out[c].astype("string")
    out["evaluable"] = out["on_time"] + out["late"]
    ev = out["evaluable"].astype("float64")
    out["share_on_time"] = (out["on_time"] / ev).where(ev > 0)
    low, high = wilson_interval(out["on_time"].to_numpy(dtype="float64"), ev.to_numpy(), alpha=alpha)
    out["ci_low"] = pd.Series(np.asarray(low, dtype="float64"), index=out.index).where(ev > 0)
    out["ci_high"] = pd.Series(np.asarray(high, dtype="float64"), index=out.index).where(ev > 0)
    for c in (*counts, "evaluable"):
        out[c] = out[c].astype("Int64")
    return out[cols].sort_values(["indicator_id", "organisation", "team", "period"]).reset_index(drop=True)


def deadline_days(status: pd.DataFrame) -> pd.DataFrame:
    """Days from start to end event of completed cases, per indicator (for ECDFs/boxplots).

    Args:
        status: output of :func:`deadline_cases`.

    Returns:
        ``indicator_id, law, organisation, team, period, days, limit_days`` for
        cases whose end event is there (still-open cases have no duration
        yet; :func:`deadline_summary` counts them as ``pending``/``late_open``).
    """
    done = status.loc[status["end"].notna()]
    cols = ["indicator_id", "law", "organisation", "team", "period", "days", "limit_days"]
    out = done.rename(columns={"days_elapsed": "days"})
    out = out.assign(days=out["days"].astype("Int64"), limit_days=out["limit_days"].astype("Int64"))
    return out[cols].reset_index(drop=True)


def days_quantiles(days: pd.DataFrame, quantiles: Sequence[float] = (0.5, 0.8, 0.95)) -> pd.DataFrame:
    """Median and upper quantiles of completed days per indicator, with the share within the limit.

    Returns:
        ``indicator_id, cases, limit_days, q50, q80, q95`` (named by
        ``quantiles`` in percent) and ``share_within_limit`` (completed cases
        only; an empty input gives an empty frame).
    """
    qcols = [f"q{round(q * 100)}" for q in quantiles]
    cols = ["indicator_id", "cases", "limit_days", *qcols, "share_within_limit"]
    if days.empty:
        return _empty(cols, strings=("indicator_id",), ints=("cases", "limit_days"))
    rows = []
    for ind, g in days.groupby("indicator_id", sort=True):
        d = g["days"].astype("float64")
        lim = int(g["limit_days"].iloc[0])
        row = {"indicator_id": ind, "cases": len(g), "limit_days": lim}
        row.update({c: float(np.quantile(d, q)) for c, q in zip(qcols, quantiles, strict=True)})
        row["share_within_limit"] = float((d <= lim).mean())
        rows.append(row)
    out = pd.DataFrame(rows)
    out["indicator_id"] = out["indicator_id"].astype("string")
    out["cases"] = out["cases"].astype("Int64")
    out["limit_days"] = out["limit_days"].astype("Int64")
    return out[cols]


# --------------------------------------------------------------------------
# PACT teams beside the others; display helpers
# --------------------------------------------------------------------------


def pact_comparison(
    time_registrations: pd.DataFrame,
    areas: pd.DataFrame,
    periods: Sequence[str],
    cluster: str = "employee_id",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Hours shares of the six activities in PACT teams versus the other teams.

    Hours of the given quarters are pooled per group (PACT = teams holding a
    PACT wijk, see :func:`pact_teams`); intervals by :func:`clustered_share`
    with persons as clusters.

    Args:
        time_registrations: processed ``time_registrations``.
        areas: processed ``areas``.
        periods: quarters (``YYYY-Qn``) to pool.
        cluster: cluster unit column.
        alpha: 1 - confidence level.

    Returns:
        ``group`` (``"PACT"`` / ``"overig"``), ``activity, hours, total_hours,
        share, ci_low, ci_high, persons``; empty when no hours fall in ``periods``.
    """
    cols = ["group", "activity", "hours", "total_hours", "share", "ci_low", "ci_high", "persons"]
    tr = time_registrations.loc[time_registrations["hours"].fillna(0) > 0]
    tr = tr.loc[quarter_label(tr["date"]).isin(list(periods)).fillna(False).to_numpy()]
    if tr.empty:
        return _empty(cols, strings=("group", "activity"), ints=("persons",))
    units = _unit_hours(tr, cluster)
    teams = pact_teams(areas)
    units["group"] = np.where(units["team"].isin(list(teams)), "PACT", "overig")
    units = units.groupby(["group", "unit"], as_index=False)[list(ACTIVITIES)].sum()
    units["total"] = units[list(ACTIVITIES)].sum(axis=1)
    out = clustered_share(_by_activity(units, ["group"]), ["group", "activity"], "a", "total",
                          alpha=alpha).rename(columns={"numerator": "hours",
                                                       "denominator": "total_hours"})
    out["group"] = out["group"].astype("string")
    out["activity"] = out["activity"].astype("string")
    out["persons"] = out["persons"].astype("Int64")
    order = {a: i for i, a in enumerate(ACTIVITIES)}
    out = out.assign(_o=out["activity"].map(order)).sort_values(["_o", "group"])
    return out[cols].reset_index(drop=True)


def scarcity_yearly_wide(yearly: pd.DataFrame) -> pd.DataFrame:
    """Yearly scarcity as one row per year and a column per measure and organisation.

    Args:
        yearly: output of :func:`scarcity_yearly`.

    Returns:
        ``Jaar`` plus columns ``"Vacatureruimte <org>"`` and ``"Uitstroom <org>"``
        (fractions; the city is ``gemeente``); empty input gives an empty frame.
    """
    if yearly.empty:
        return pd.DataFrame({"Jaar": pd.Series(dtype="string")})
    names = {"vacancy_rate": "Vacatureruimte", "staff_outflow_rate": "Uitstroom"}
    d = yearly.assign(
        column=[f"{names[i]} {'gemeente' if o == ALL else o}"
                for i, o in zip(yearly["indicator_id"], yearly["organisation"], strict=True)])
    wide = d.pivot_table(index="period", columns="column", values="value", aggfunc="first")
    ordered = sorted(wide.columns, key=lambda c: (not c.startswith("Vacature"), "gemeente" in c, c))
    wide = wide[ordered].reset_index().rename(columns={"period": "Jaar"})
    wide.columns.name = None
    return wide


def last_quarters(periods: Sequence[str] | pd.Series, n: int = 4) -> list[str]:
    """The ``n`` latest distinct ``YYYY-Qn`` labels, oldest first (fewer if fewer exist)."""
    uniq = sorted({str(p) for p in pd.Series(periods).dropna() if "-Q" in str(p)})
    return uniq[-n:] if n > 0 else []


#: Dutch column headers for tables shown to readers.
DISPLAY_NAMES: dict[str, str] = {
    "organisation": "Organisatie",
    "team": "Team",
    "period": "Kwartaal",
    "group": "Groep",
    "activity": "Activiteit",
    "indicator_id": "Termijn",
    "hours": "Uren",
    "total_hours": "Uren totaal",
    "preventive_hours": "Preventieve uren",
    "share": "Aandeel",
    "preventive_share": "Preventief aandeel",
    "share_on_time": "Binnen termijn",
    "ci_low": "95%-BI onder",
    "ci_high": "95%-BI boven",
    "persons": "Personen",
    "pact": "PACT",
    "gap": "Tekort t.o.v. ondergrens (%-punt)",
    "clearly_below": "Heel interval onder ondergrens",
    "on_time": "Op tijd",
    "late": "Te laat",
    "late_open": "Te laat, nog open",
    "pending": "Lopend (termijn nog niet om)",
    "evaluable": "Beoordeelbaar",
    "quarters": "Kwartalen",
    "quarters_below": "Kwartalen onder ondergrens",
    "share_below": "Deel kwartalen onder ondergrens",
    "last_period": "Laatste kwartaal",
    "last_share": "Laatste preventief aandeel",
    "caseload_per_fte": "Caseload per fte",
    "hours_per_fte": "Uren per fte",
    "open_cases": "Open casussen",
    "fte": "Fte",
    "value": "Waarde",
    "cases": "Afgeronde zaken",
    "limit_days": "Termijn (dagen)",
    "q50": "Mediaan (dagen)",
    "q80": "80e percentiel",
    "q95": "95e percentiel",
    "share_within_limit": "Binnen termijn (afgerond)",
}

_PERCENT_COLUMNS = {"share", "preventive_share", "share_on_time", "ci_low", "ci_high", "gap",
                    "share_below", "last_share", "share_within_limit", "value"}


def for_display(df: pd.DataFrame, percent: Sequence[str] | None = None, decimals: int = 1) -> pd.DataFrame:
    """A copy for readers: shares as Dutch percentages, labels and headers in Dutch.

    Args:
        df: any frame of this module (suppressed first, if it is published).
        percent: columns holding fractions to show as ``12,3%`` (default: the
            known share columns present).
        decimals: decimals of the percentages.

    Returns:
        New frame with text cells for the percentage columns, activity and
        deadline ids replaced by their Dutch labels, and Dutch headers.
    """
    out = df.copy()
    cols = [c for c in (percent if percent is not None else _PERCENT_COLUMNS) if c in out.columns]
    for c in cols:
        vals = pd.to_numeric(out[c], errors="coerce")
        out[c] = [
            (f"{v * 100:.{decimals}f}%".replace(".", ",") if not pd.isna(v)
             else ("" if pd.isna(raw) else str(raw)))  # keep "<5" and other text
            for v, raw in zip(vals, out[c], strict=True)
        ]
    if "activity" in out:
        out["activity"] = out["activity"].map(lambda a: ACTIVITY_LABELS.get(a, a))
    if "indicator_id" in out:
        out["indicator_id"] = out["indicator_id"].map(lambda a: DEADLINE_LABELS.get(a, a))
    for c in ("pact", "clearly_below"):
        if c in out:
            out[c] = [("" if pd.isna(p) else ("ja" if bool(p) else "nee")) for p in out[c]]
    for c in ("organisation", "team"):
        if c in out:
            out[c] = out[c].replace({ALL: "alle"})
    return out.rename(columns={c: DISPLAY_NAMES.get(c, c) for c in out.columns})


def publish_deadlines(summary: pd.DataFrame) -> pd.DataFrame:
    """A deadline summary made safe to publish (cells of fewer than 5 cases suppressed).

    Cases stand for clients, so the counts are treated as person counts
    (:func:`zwt_analysis.publish.suppress_counts`): ``evaluable`` is dropped
    (it is ``on_time + late`` and would give a suppressed cell away), the
    share and its interval are suppressed wherever a count of the row is,
    and secondary suppression works within each indicator and quarter (the
    city row is the sum of the organisation rows).

    Returns:
        The summary without ``evaluable``; counts, share and interval as text.
    """
    from zwt_analysis.present.publish import suppress_counts

    group = ["indicator_id", "period"]
    df = summary.drop(columns=["evaluable"])
    # the share rests on on_time and late only; late_open (<= late) and pending
    # are separate counts that cannot give a suppressed cell away
    df = suppress_counts(df, ["on_time", "late"], group_columns=group,
                         derived_columns=["share_on_time", "ci_low", "ci_high"])
    return suppress_counts(df, ["late_open", "pending"], group_columns=group)
