"""The run's trend family from a hand-built long indicator table."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from zwt_analysis.methods.family import decimal_time, indicator_trends, series_id
from zwt_analysis.methods.trend import VERDICT_SHORT

QUARTERS = [f"{y}-Q{q}" for y in range(2019, 2023) for q in range(1, 5)]  # 16 quarters


def _table() -> pd.DataFrame:
    rows = []
    wiggle = [0.3, -0.2, 0.1, -0.4, 0.2, 0.0, -0.1, 0.3, -0.3, 0.2, -0.2, 0.1, 0.0, 0.2,
              -0.1, 0.1]
    for org, team in (("ALL", "ALL"), ("A", "ALL"), ("B", "ALL"), ("A", "A-1")):
        for i, (p, w) in enumerate(zip(QUARTERS, wiggle, strict=True)):
            rows.append({"indicator_id": "caseload_per_fte", "period": p, "organisation": org,
                         "team": team, "numerator": 10 + i + w, "denominator": 1.0,
                         "value": 10 + i + w})
            num = 50 + (i % 3)
            rows.append({"indicator_id": "wgs_first_contact_on_time", "period": p,
                         "organisation": org, "team": team, "numerator": num,
                         "denominator": 100.0, "value": num / 100})
    rows.append({"indicator_id": "reach_per_1000", "period": "2022", "organisation": "A",
                 "team": "ALL", "numerator": 5.0, "denominator": 1.0, "value": 5.0})
    return pd.DataFrame(rows)


def test_decimal_time() -> None:
    assert decimal_time(["2024"]) == pytest.approx([2024.5], abs=0.002)
    assert decimal_time(["2023-Q1"]) == pytest.approx([2023 + 45 / 365], abs=1e-9)  # 90 days, middle after 45


def test_indicator_trends_one_row_per_series_with_windows() -> None:
    out = indicator_trends(_table(), as_of=date(2022, 12, 31), data_start=date(2019, 1, 1),
                           share_ids=["wgs_first_contact_on_time"],
                           min_length={"pooled": 6, "single": 6})
    assert out["series_id"].is_unique and len(out) == 9
    cl = out[out["indicator_id"] == "caseload_per_fte"].set_index("organisation")
    # 2019-Q1 .. 2020-Q2 are caseload warm-up (548 days): 10 usable quarters remain
    assert (cl["periods_excluded"] == 6).all() and (cl["n"] == 10).all()
    assert set(cl["verdict"]) == {"stijgend"}
    assert set(cl["rho_source"]) == {"pooled"}
    wgs = out[out["indicator_id"] == "wgs_first_contact_on_time"]
    # 2022-Q4 is provisional on 2022-12-31 (limit 28 days): 15 quarters tested as shares
    assert (wgs["periods_excluded"] == 1).all() and (wgs["n"] == 15).all()
    assert set(wgs["kind"]) == {"share"}
    reach = out[out["indicator_id"] == "reach_per_1000"].iloc[0]
    assert reach["verdict"] == VERDICT_SHORT and reach["frequency"] == "year"
    assert reach["series_id"] == series_id("reach_per_1000", "A", "ALL") + "|year"


def test_indicator_trends_without_teams_and_all_excluded() -> None:
    t = _table()
    out = indicator_trends(t, as_of=date(2022, 12, 31), data_start=date(2019, 1, 1),
                           share_ids=[], include_teams=False)
    assert "A-1" not in set(out["team"])
    only_warmup = t[(t["indicator_id"] == "caseload_per_fte") & t["period"].str.startswith("2019")]
    out = indicator_trends(only_warmup, as_of=date(2022, 12, 31), data_start=date(2019, 1, 1),
                           share_ids=[])
    assert (out["n"] == 0).all() and (out["verdict"] == VERDICT_SHORT).all()
    assert (out["note"] == "geen bruikbare perioden").all()
    assert np.isnan(out["p_value"].astype(float)).all()


def test_indicator_trends_on_an_empty_table() -> None:
    """A delivery without any indicator (only KPI tables) gives no verdicts, not an error."""
    empty = _table().iloc[0:0]
    out = indicator_trends(empty, as_of=date(2022, 12, 31), data_start=date(2019, 1, 1))
    assert out.empty
