"""Statutory deadlines: per-case status, shares on time with intervals, days to the step.

The per-case status (on time / late / pending / outside) is the single
definition of :func:`zwt_analysis.indicators.deadline_status`; this module
stacks the deadline indicators, counts them per cell and quarter and adds
Wilson intervals (cases are the trials). A cohort (cases by the quarter of
their start event) is final only once the limit has passed for every case in
it; :func:`cohort_status` marks the others "voorlopig" with the rule of
:mod:`zwt_analysis.methods.windows`, and they stay out of trends and models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.methods import windows
from zwt_analysis.reports.prevention.common import CELL, empty_frame

#: Dutch status of a deadline cohort: final, or provisional (limit not passed for every case).
FINAL, PROVISIONAL = "definitief", "voorlopig"

#: Deadline indicators of the contract: law, start event, end event.
DEADLINE_INDICATORS: dict[str, tuple[str, str, str]] = {
    "wmo_assessment_on_time": ("wmo", "date_report", "date_assessment_done"),
    "wmo_decision_on_time": ("wmo", "date_application", "date_decision"),
    "jeugdwet_decision_on_time": ("jeugdwet", "date_application", "date_decision"),
    "participatiewet_decision_on_time": ("participatiewet", "date_application", "date_decision"),
    "wgs_first_contact_on_time": ("wgs", "date_report", "date_first_contact"),
}


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
        return empty_frame(cols, strings=("indicator_id", "law", "case_id", "client_id",
                                          "organisation", "team", "period", "status"),
                           ints=("limit_days", "days_elapsed"))
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
        return empty_frame(cols, strings=("indicator_id", "organisation", "team", "period"),
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
        frames.append(flags.groupby(["indicator_id", *CELL], as_index=False)[counts].sum())
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
        return empty_frame(cols, strings=("indicator_id",), ints=("cases", "limit_days"))
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


def cohort_status(summary: pd.DataFrame, as_of: date, data_start: date | None = None,
                  deadline_limits: Mapping[str, int] | None = None) -> pd.DataFrame:
    """``summary`` with ``final`` (bool) and ``status`` (:data:`FINAL` / :data:`PROVISIONAL`).

    A cohort is final when :func:`zwt_analysis.methods.windows.period_status`
    calls it usable: the quarter has ended and its last day lies at least the
    legal limit + 1 day before ``as_of``. Later cohorts are provisional: their
    share on time still moves as pending cases turn late or are decided.

    Args:
        summary: output of :func:`deadline_summary` (any rows).
        as_of: reference date of the data.
        data_start: first day of the data (None: no lower bound).
        deadline_limits: limit name -> days overriding ``deadlines.yaml``.

    Returns:
        A copy with the two columns added (an empty input keeps its columns).
    """
    out = summary.copy()
    start = data_start or date(1900, 1, 1)
    final = pd.Series(False, index=out.index)
    for ind, g in out.groupby("indicator_id", sort=False):
        st = windows.period_status(g["period"].astype(str).unique(), str(ind), as_of, start,
                                   deadline_limits)
        usable = set(st.loc[st["status"] == windows.USABLE, "period"])
        final.loc[g.index] = g["period"].astype(str).isin(usable).to_numpy()
    out["final"] = final.astype(bool)
    out["status"] = np.where(out["final"], FINAL, PROVISIONAL)
    out["status"] = out["status"].astype("string")
    return out
