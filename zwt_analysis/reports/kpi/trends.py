"""Trend verdicts of the KPI report, looked up in the run's families (:mod:`zwt_analysis.methods`).

Every series is tested once per run over all organisations and the city, so the
city report and each organisation report give the same verdict for the same
series (the Benjamini-Hochberg correction runs over the whole family, never
over one report's slice). Two families:

- **indicators**: :func:`zwt_analysis.methods.family.indicator_trends` over the
  whole indicator table with its defaults (teams included), as every report of
  the run calls it. Warm-up quarters (re-registration needs the year before,
  caseload the cases open before the data start), provisional deadline cohorts
  ("voorlopig": the limit has not passed on the as-of date) and partial periods
  are left out there.
- **delivered KPI values** of the kept KPIs, all organisations:
  :func:`zwt_analysis.methods.trend.trend_verdicts` (level test; a delivered
  value has no numerator and denominator). Partial periods are left out, and a
  KPI that names a zwt indicator takes that indicator's censoring rule (a
  deadline quarter stays provisional until its limit has passed). No warm-up:
  the delivering organisation's history before the data start is unknown.

Where the method withholds a verdict (too few usable periods, or too much
autocorrelation for the length), the verdict is "te kort om te beoordelen".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.methods.family import SEP, decimal_time, indicator_trends
from zwt_analysis.methods.trend import VERDICT_COLUMNS, VERDICT_SHORT, trend_verdicts
from zwt_analysis.methods.windows import (
    PARTIAL,
    PROVISIONAL,
    STATUS_LABELS,
    USABLE,
    final_after_days,
    is_partial,
    is_provisional,
)
from zwt_analysis.periods import is_quarter

#: Columns of the report's trend table (and of ``kpi_trends.csv``).
TREND_COLUMNS = ["series", "label", "organisation", "source", "frequency", "unit", "scale",
                 "kind", "n", "periods_excluded", "method", "slope_per_year", "ci_low",
                 "ci_high", "p_value", "p_adjusted", "verdict", "note"]

#: Dutch names of the two families (column ``source``).
SOURCE_KPI, SOURCE_INDICATOR = "kpi", "indicator"


def _period_status(period: str, after_days: int, as_of: date) -> str:
    try:
        if is_partial(period, as_of):
            return PARTIAL
        if after_days and is_provisional(period, as_of, after_days):
            return PROVISIONAL
    except ValueError:
        return PARTIAL
    return USABLE


def kpi_period_status(values: pd.DataFrame, register: pd.DataFrame, as_of: date
                      ) -> pd.DataFrame:
    """``values`` plus ``status`` and ``status_label`` per delivered KPI value.

    ``partial`` (onvolledig: the period has not ended on ``as_of``, or is not a
    ``YYYY`` / ``YYYY-Qn`` label), ``provisional`` (voorlopig: the KPI names a zwt
    indicator whose values are final only some days after the period, e.g. a
    deadline limit, and those days have not passed), else ``usable``.
    """
    ind = (register.dropna(subset=["indicator_id"]).drop_duplicates("kpi_id")
           .set_index("kpi_id")["indicator_id"].astype(str).to_dict())
    after = {k: final_after_days(ind[k]) if k in ind else 0
             for k in values["kpi_id"].dropna().astype(str).unique()}
    status = [_period_status(str(p), after.get(str(k), 0), as_of)
              for k, p in zip(values["kpi_id"], values["period"], strict=True)]
    out = values.copy()
    out["status"] = status
    out["status_label"] = [STATUS_LABELS[s] for s in status]
    return out


def _frequency(periods: pd.Series) -> np.ndarray:
    return np.where([is_quarter(str(p)) for p in periods], "quarter", "year")


def kpi_family(values: pd.DataFrame, register: pd.DataFrame, kpi_ids: Iterable[str],
               as_of: date) -> pd.DataFrame:
    """Trend verdicts of the delivered values of ``kpi_ids``, all organisations, one family.

    Args:
        values: ``kpi_values`` of every organisation (not one report's slice).
        register: ``kpi_register`` (for the indicator a KPI names).
        kpi_ids: the KPIs to test (the kept ones: the same for every report of a run).
        as_of: reference date of the data.

    Returns:
        ``kpi_id, organisation, frequency, periods_excluded`` and the columns of
        :data:`zwt_analysis.methods.trend.VERDICT_COLUMNS`; one row per KPI,
        organisation and period type with any delivered value.
    """
    ids = {str(k) for k in kpi_ids}
    v = values[values["kpi_id"].astype(str).isin(ids) & values["value"].notna()]
    front = ["kpi_id", "organisation", "frequency", "periods_excluded"]
    if v.empty:
        return pd.DataFrame(columns=front + VERDICT_COLUMNS)
    marked = kpi_period_status(v, register, as_of)
    marked["frequency"] = _frequency(marked["period"])
    marked["series_id"] = (marked["kpi_id"].astype(str) + SEP + marked["organisation"].astype(str)
                           + SEP + marked["frequency"])
    use = marked[marked["status"] == USABLE]
    table = pd.DataFrame({
        "series_id": use["series_id"].to_numpy(),
        "pool": (use["kpi_id"].astype(str) + SEP + use["frequency"]).to_numpy(),
        "t": decimal_time(use["period"].astype(str)),
        "value": use["value"].to_numpy(dtype="float64"),
        "share": False,
    })
    out = trend_verdicts(table)
    keys = marked.drop_duplicates("series_id").set_index("series_id")
    missing = keys.index.difference(pd.Index(out["series_id"]))
    if len(missing):  # every period excluded: listed as too short
        out = pd.concat([out, pd.DataFrame({
            "series_id": missing, "kind": "level", "n": 0, "method": "-",
            "note": "geen bruikbare perioden", "verdict": VERDICT_SHORT,
        }).reindex(columns=VERDICT_COLUMNS)], ignore_index=True)
    excluded = marked[marked["status"] != USABLE].groupby("series_id").size()
    head = keys.loc[out["series_id"], ["kpi_id", "organisation", "frequency"]]
    out = pd.concat([head.reset_index(drop=True), out.reset_index(drop=True)], axis=1)
    out.insert(3, "periods_excluded",
               excluded.reindex(out["series_id"]).fillna(0).astype(int).to_numpy())
    return out.sort_values(["kpi_id", "organisation", "frequency"], ignore_index=True)


def indicator_family(indicators: pd.DataFrame, as_of: date, start: date | None) -> pd.DataFrame:
    """:func:`~zwt_analysis.methods.family.indicator_trends` of the whole table (run defaults).

    Empty (with the family's columns) when the table is empty or the data start is unknown.
    """
    if indicators.empty or start is None:
        return pd.DataFrame(columns=["indicator_id", "organisation", "team", "frequency",
                                     "periods_excluded", *VERDICT_COLUMNS])
    return indicator_trends(indicators, as_of, start)


def _report_rows(family: pd.DataFrame, id_col: str, ids: list[str],
                 organisations: set[str] | None) -> pd.DataFrame:
    f = family[family[id_col].astype(str).isin(ids)]
    if "team" in f:
        f = f[f["team"].astype(str) == ALL]
    if organisations is not None:
        f = f[f["organisation"].astype(str).isin(organisations)]
    order = {k: i for i, k in enumerate(ids)}
    return f.assign(_o=f[id_col].map(order)).sort_values(["_o", "organisation", "frequency"])


def report_trends(ind_family: pd.DataFrame, kpi_fam: pd.DataFrame, organisation: str,
                  kpi_ids: list[str], indicator_ids: list[str],
                  labels: Mapping[str, str], units: Mapping[str, str],
                  scales: Mapping[str, float]) -> pd.DataFrame:
    """The trend rows one report shows, looked up in the two families.

    Args:
        ind_family / kpi_fam: :func:`indicator_family` / :func:`kpi_family`.
        organisation: ``ALL`` (every organisation and the city) or one organisation
            (its own series plus the city's indicator series as reference).
        kpi_ids, indicator_ids: the series of the report, in display order.
        labels, units: reader label and unit per series id.
        scales: 100 for a share stored as a fraction (slope shown in percentage
            points), else 1.

    Returns:
        :data:`TREND_COLUMNS`; KPI rows first, then indicator rows; the city as ``ALL``.
    """
    own = None if organisation == ALL else {organisation}
    parts = []
    for fam, col, ids, orgs, source in (
            (kpi_fam, "kpi_id", kpi_ids, own, SOURCE_KPI),
            (ind_family, "indicator_id", indicator_ids, None if own is None else own | {ALL},
             SOURCE_INDICATOR)):
        rows = _report_rows(fam, col, ids, orgs)
        sid = rows[col].astype(str)
        parts.append(rows.assign(series=sid, label=sid.map(labels).fillna(sid),
                                 unit=sid.map(units), scale=sid.map(scales).fillna(1.0),
                                 source=source))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out.reindex(columns=TREND_COLUMNS).reset_index(drop=True)
