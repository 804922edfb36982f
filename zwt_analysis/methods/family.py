"""The trend family of a run: one call from the long indicator table to a verdict per series.

Every report looks up its verdicts in the same table, so the city report
and an organisation report say the same about the same series, and the
Benjamini-Hochberg correction runs once over the whole run's family.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.methods.trend import VERDICT_SHORT, trend_verdicts
from zwt_analysis.methods.windows import USABLE, mark_periods, period_bounds

#: Separator of the parts of a series id (indicator, organisation, team).
SEP = "|"


def series_id(indicator_id: str, organisation: str, team: str) -> str:
    """The id of one series: ``indicator|organisation|team`` (``ALL`` kept as written)."""
    return SEP.join((str(indicator_id), str(organisation), str(team)))


def decimal_time(periods: Iterable[str]) -> np.ndarray:
    """Middle of each ``YYYY-Qn`` / ``YYYY`` period in decimal years (2024-Q1 -> 2024.125)."""
    out = []
    for p in periods:
        first, last = period_bounds(str(p))
        mid = first.toordinal() + (last.toordinal() - first.toordinal() + 1) / 2
        start = date(first.year, 1, 1).toordinal()
        days = date(first.year + 1, 1, 1).toordinal() - start
        out.append(first.year + (mid - start) / days)
    return np.asarray(out, dtype="float64")


def indicator_trends(indicators: pd.DataFrame, as_of: date, data_start: date,
                     share_ids: Iterable[str] | None = None, include_teams: bool = True,
                     deadline_limits: Mapping[str, int] | None = None,
                     **kwargs: object) -> pd.DataFrame:
    """Trend verdicts for every series of a long indicator table, tested as one family.

    Args:
        indicators: the long table (contract section 4).
        as_of: reference date of the data; data_start: its first day.
        share_ids: indicators tested as shares from counts (quasi-binomial);
            None = :func:`zwt_analysis.indicators.share_indicators`.
        include_teams: also test team series (else organisation and city only).
            Keep it the same for every report of a run: it defines the family.
        deadline_limits: override of the deadline limits (days per limit name).
        **kwargs: passed to :func:`zwt_analysis.methods.trend.trend_verdicts`.

    Returns:
        The verdict table of :func:`~zwt_analysis.methods.trend.trend_verdicts`
        with ``indicator_id, organisation, team, frequency`` (``quarter`` /
        ``year``) and ``periods_excluded`` (periods left out as warm-up,
        provisional or partial) in front. Series are pooled per indicator and
        frequency for the serial correlation. A series without any usable
        period is listed as too short (``n`` = 0).
    """
    from zwt_analysis.contract import ALL
    from zwt_analysis.periods import is_quarter

    if share_ids is None:
        from zwt_analysis.indicators import share_indicators

        share_ids = share_indicators()
    ind = indicators
    if not include_teams:
        ind = ind.loc[ind["team"].astype(str) == ALL]
    marked = mark_periods(ind, as_of, data_start, deadline_limits)
    # text columns even for an empty table (np.where on no periods would give floats)
    freq = pd.Series(["quarter" if is_quarter(str(p)) else "year" for p in marked["period"]],
                     index=marked.index, dtype=object)
    marked = marked.assign(frequency=freq, series_id=pd.Series([
        series_id(i, o, t) for i, o, t in zip(marked["indicator_id"], marked["organisation"],
                                              marked["team"], strict=True)],
        index=marked.index, dtype=object))
    marked["series_id"] = marked["series_id"] + SEP + marked["frequency"]
    excluded = (marked.loc[marked["status"] != USABLE].groupby("series_id").size()
                .rename("periods_excluded"))
    use = marked.loc[marked["status"] == USABLE]
    table = pd.DataFrame({
        "series_id": use["series_id"].to_numpy(),
        "pool": (use["indicator_id"].astype(str) + SEP + use["frequency"]).to_numpy(),
        "t": decimal_time(use["period"]),
        "value": use["value"].to_numpy(dtype="float64"),
        "numerator": use["numerator"].to_numpy(dtype="float64"),
        "denominator": use["denominator"].to_numpy(dtype="float64"),
        "share": use["indicator_id"].isin(list(share_ids)).to_numpy(),
    })
    out = trend_verdicts(table, **kwargs)  # type: ignore[arg-type]
    keys = marked.drop_duplicates("series_id").set_index("series_id")
    missing = keys.index.difference(pd.Index(out["series_id"]))
    if len(missing):  # every period excluded: still one row, too short
        empty = pd.DataFrame({"series_id": missing, "pool": [
            f"{keys.at[s, 'indicator_id']}{SEP}{keys.at[s, 'frequency']}" for s in missing],
            "kind": "", "n": 0, "method": "-", "rho_source": "", "note": "geen bruikbare perioden",
            "verdict": VERDICT_SHORT})
        out = pd.concat([out, empty.reindex(columns=out.columns)], ignore_index=True)
    front = keys.loc[out["series_id"], ["indicator_id", "organisation", "team", "frequency"]]
    out = pd.concat([front.reset_index(drop=True), out.reset_index(drop=True)], axis=1)
    out.insert(4, "periods_excluded",
               excluded.reindex(out["series_id"]).fillna(0).astype(int).to_numpy())
    return out
