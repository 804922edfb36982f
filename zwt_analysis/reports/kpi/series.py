"""Time series of delivered KPI values and of zwt's indicators, on one time axis.

Periods are ``YYYY`` or ``YYYY-Qn`` (:mod:`zwt_analysis.periods`); each period
is placed at its midpoint. Indicator titles and units come from the indicator
registry (``zwt_analysis.indicators.INDICATORS``). The city keeps the code
``ALL`` here; figures and tables give it the municipality's name. Every row
carries the status of its period (:mod:`zwt_analysis.methods.windows`:
``usable``, ``warmup`` "opstart", ``provisional`` "voorlopig"); partial
periods are left out, as they are of every comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis import periods
from zwt_analysis.contract import ALL
from zwt_analysis.indicators import INDICATORS
from zwt_analysis.stats import wilson_interval

_YEAR = re.compile(r"^\d{4}$")


# ------------------------------------------------------------------------ periods


def _bounds_of(period: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    p = period.strip() if isinstance(period, str) else None
    if p is not None and periods.is_quarter(p):
        return pd.Timestamp(periods.quarter_start(p)), pd.Timestamp(periods.quarter_end(p))
    if p is not None and _YEAR.match(p):
        year = periods.year_of(p)
        return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    return pd.NaT, pd.NaT


def period_bounds(period: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last day of each period (``YYYY`` or ``YYYY-Qn``); NaT if unreadable."""
    text = period.astype("string")
    uniq = {p: _bounds_of(p) for p in text.dropna().unique()}
    start = text.map(lambda p: uniq.get(p, (pd.NaT, pd.NaT))[0])
    end = text.map(lambda p: uniq.get(p, (pd.NaT, pd.NaT))[1])
    return (pd.to_datetime(start).astype("datetime64[ns]"),
            pd.to_datetime(end).astype("datetime64[ns]"))


def period_midpoint(period: pd.Series) -> pd.Series:
    """Midpoint date of each period (used to place a period on a time axis)."""
    start, end = period_bounds(period)
    return (start + (end - start) / 2).dt.normalize()


def decimal_year(dates: pd.Series) -> pd.Series:
    """Dates as decimal years (2024-07-02 -> about 2024.5)."""
    d = pd.to_datetime(dates)
    days = np.where(d.dt.is_leap_year, 366.0, 365.0)
    return d.dt.year + (d.dt.day_of_year - 1) / days


# ------------------------------------------------------------------------ series


def kpi_series(values: pd.DataFrame, register: pd.DataFrame,
               kpi_ids: Iterable[str]) -> pd.DataFrame:
    """Delivered KPI values of ``kpi_ids`` as a long series table.

    Returns:
        series (= kpi_id), label, organisation, period, date (period midpoint),
        t (decimal years), value, target, unit, direction, low, high (NaN:
        reported values carry no denominator, so no interval), numerator,
        denominator (NaN), binomial (False), status (``usable``).
    """
    ids = list(kpi_ids)
    v = values[values["kpi_id"].isin(ids) & values["value"].notna()]
    reg = register.drop_duplicates("kpi_id").set_index("kpi_id")
    out = pd.DataFrame({
        "series": v["kpi_id"].astype("string"),
        "organisation": v["organisation"].astype("string"),
        "period": v["period"].astype("string"),
        "value": v["value"].astype(float),
    })
    out["date"] = period_midpoint(out["period"])
    out["t"] = decimal_year(out["date"])
    names = reg["name"] if "name" in reg else pd.Series(dtype="string")
    out["label"] = out["series"].map(
        lambda k: f"{k} {names.get(k)}" if pd.notna(names.get(k)) else str(k))
    for col in ("target", "unit", "direction"):
        out[col] = out["series"].map(reg[col]) if col in reg else pd.NA
    out["target"] = pd.to_numeric(out["target"], errors="coerce").astype(float)
    out["low"], out["high"] = np.nan, np.nan
    out["numerator"], out["denominator"] = np.nan, np.nan
    out["binomial"] = False
    out["status"] = "usable"
    return out.dropna(subset=["date"]).sort_values(["series", "organisation", "date"],
                                                   ignore_index=True)


def indicator_meta(ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(Dutch title, unit) per indicator id from the registry.

    The unit is ``share`` for a registry share (fraction 0..1), else ``rate``;
    an id the registry does not know keeps its id as title and counts as a share.
    """
    out = {}
    for i in ids:
        spec = INDICATORS.get(i)
        title = spec.title_nl if spec is not None and spec.title_nl else i
        out[i] = (title, "share" if spec is None or spec.is_share else "rate")
    return out


def indicator_title(indicator_id: str) -> str:
    """Dutch reader title of a zwt indicator (``caseload_per_fte`` -> ``Caseload per fte``).

    A comma-separated list of ids gives the titles in the same order; an
    unknown id or an empty value is returned unchanged.
    """
    if not isinstance(indicator_id, str) or not indicator_id.strip():
        return indicator_id
    ids = [i.strip() for i in indicator_id.split(",")]
    meta = indicator_meta(ids)
    return ", ".join(meta[i][0] for i in ids)


def indicator_series(indicators: pd.DataFrame, indicator_ids: Iterable[str],
                     organisation: str = ALL, wilson_ids: Iterable[str] = (),
                     alpha: float = 0.05, register: pd.DataFrame | None = None
                     ) -> pd.DataFrame:
    """zwt indicators at organisation and city level as a long series table.

    With ``organisation`` ALL: every organisation (team ALL) plus the city;
    with one organisation: that organisation plus the city as reference.
    Count-based shares (``wilson_ids``) get a Wilson interval
    (``zwt_analysis.stats.wilson_interval``) where numerator and denominator
    are present; others get none. With ``register``, an indicator gets the
    target of the first KPI (by kpi_id) that names it and has a target. A
    ``status`` column of ``indicators`` (from
    :func:`zwt_analysis.methods.windows.mark_periods`) is kept, else all
    periods count as ``usable``.

    Returns:
        Same columns as :func:`kpi_series`; the city is ``organisation`` ALL;
        ``label`` and ``unit`` as in :func:`indicator_meta`; ``binomial`` marks
        the ``wilson_ids``.
    """
    ids = list(indicator_ids)
    ind = indicators[indicators["indicator_id"].isin(ids) & (indicators["team"] == ALL)]
    if organisation != ALL:
        ind = ind[ind["organisation"].isin([organisation, ALL])]
    meta = indicator_meta(ids)
    out = pd.DataFrame({
        "series": ind["indicator_id"].astype("string"),
        "label": ind["indicator_id"].map(lambda i: meta[i][0]).astype("string"),
        "organisation": ind["organisation"].astype("string"),
        "period": ind["period"].astype("string"),
        "value": ind["value"].astype(float),
        "numerator": ind["numerator"].astype(float),
        "denominator": ind["denominator"].astype(float),
    })
    out["date"] = period_midpoint(out["period"])
    out["t"] = decimal_year(out["date"])
    out["target"] = np.nan
    if register is not None and len(register):
        named = register.dropna(subset=["indicator_id", "target"]).sort_values("kpi_id")
        targets = named.drop_duplicates("indicator_id").set_index("indicator_id")["target"]
        out["target"] = out["series"].map(targets).astype(float)
    out["unit"] = out["series"].map(lambda i: meta[i][1]).astype(object)
    out["direction"] = pd.NA
    out["low"], out["high"] = np.nan, np.nan
    wil = out["series"].isin(list(wilson_ids)).to_numpy(dtype=bool)
    out["binomial"] = wil
    ok = wil & out["numerator"].notna().to_numpy() & (out["denominator"] > 0).to_numpy()
    if ok.any():
        lo, hi = wilson_interval(out.loc[ok, "numerator"].to_numpy(),
                                 out.loc[ok, "denominator"].to_numpy(), alpha=alpha)
        out.loc[ok, "low"] = np.asarray(lo, dtype=float)
        out.loc[ok, "high"] = np.asarray(hi, dtype=float)
    out["status"] = (ind["status"].astype(str).to_numpy() if "status" in ind
                     else "usable")
    return out.dropna(subset=["date"]).sort_values(["series", "organisation", "date"],
                                                   ignore_index=True)


def protected_indicators(indicators: pd.DataFrame, indicator_ids: Iterable[str]
                         ) -> pd.DataFrame:
    """The rows of ``indicator_ids`` with every cell disclosure control hides set to missing.

    The rows of all organisations, teams and the city are protected together
    (schema :data:`zwt_analysis.disclosure.tables.INDICATOR_SCHEMA`, one
    deterministic pass), so the city report and every organisation report hide
    the same cells; figures draw from the result (a figure never shows what a
    table suppresses). The indicator table carries no ``persons`` column, so
    only the count rules apply (numerator, denominator and complement 1..4 and
    the cells that would give them back).
    """
    from zwt_analysis.disclosure.suppress import protect_table
    from zwt_analysis.disclosure.tables import INDICATOR_SCHEMA

    sub = indicators[indicators["indicator_id"].isin(list(indicator_ids))].reset_index(drop=True)
    if sub.empty:
        return sub
    cols = [c for c in ("indicator_id", "period", "organisation", "team", "numerator",
                        "denominator", "value", "persons") if c in sub]
    masked = protect_table(sub[cols], INDICATOR_SCHEMA, strict=False).masked()
    out = sub.copy()
    for c in ("numerator", "denominator", "value"):
        out[c] = masked[c].astype(float).to_numpy()
    return out


def complete_periods(series: pd.DataFrame, as_of: Any, start: Any = None) -> pd.DataFrame:
    """Rows whose period has ended on or before ``as_of`` (and starts on/after ``start``).

    An unfinished year or quarter is not comparable with whole ones (e.g. the
    reach of a year counted up to September), so figures and trends leave it
    out. ``start`` None keeps every finished period.
    """
    first, last = period_bounds(series["period"])
    keep = (last <= pd.Timestamp(as_of)).to_numpy(dtype=bool)
    if start is not None:
        keep = keep & (first >= pd.Timestamp(start)).to_numpy(dtype=bool)
    return series[keep].reset_index(drop=True)


# ------------------------------------------------------------------------ selection


def kept_with_values(audit: pd.DataFrame, values: pd.DataFrame, max_n: int = 12) -> list[str]:
    """KPIs proposed to keep that have delivered values, most outcome-like first."""
    has = set(values.loc[values["value"].notna(), "kpi_id"])
    kept = audit[(audit["decision"] == "keep") & audit["kpi_id"].isin(has)]
    kept = kept.sort_values(["result_level_rank", "kpi_id"], ascending=[False, True])
    return kept["kpi_id"].astype(str).head(max_n).tolist()


def report_indicator_ids(audit: pd.DataFrame, rules: Mapping[str, Any],
                         available: Iterable[str]) -> list[str]:
    """zwt indicators to show: the configured ones plus those named by kept KPIs.

    Only indicators present in the indicator table (``available``) are returned,
    configured ones first.
    """
    avail = set(available)
    named = audit.loc[audit["decision"] == "keep", "indicator_id"].dropna().astype(str)
    ids = list(dict.fromkeys([*rules["trend"].get("report_indicators", []), *sorted(named)]))
    return [i for i in ids if i in avail]
