"""Warm-up, provisional and partial periods, at their edges."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from zwt_analysis.methods.windows import (
    comparable_years,
    final_after_days,
    history_lookback_days,
    is_partial,
    is_provisional,
    is_warmup,
    mark_periods,
    period_bounds,
    period_status,
)

START = date(2019, 1, 1)


def test_period_bounds() -> None:
    assert period_bounds("2024-Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert period_bounds("2024") == (date(2024, 1, 1), date(2024, 12, 31))
    with pytest.raises(ValueError):
        period_bounds("2024-13")


def test_warmup_edges() -> None:
    # re-registration: the quarter's first day needs 365 days of history
    assert is_warmup("2019-Q4", START, 365, "start")
    assert not is_warmup("2020-Q1", START, 365, "start")  # 2020-01-01 - 365 d = 2019-01-01
    # caseload: the quarter's last day; 2019-Q4 ends 2019-12-31, one day short
    assert is_warmup("2019-Q4", START, 365, "end")
    assert not is_warmup("2020-Q1", START, 365, "end")
    assert not is_warmup("2019-Q1", START, 0, "start")
    with pytest.raises(ValueError):
        is_warmup("2020-Q1", START, 365, "middle")


def test_deadline_cohort_final_only_after_the_limit() -> None:
    # wmo_decision: limit 14 days; 2026-Q3 ends 2026-09-30, limit day 2026-10-14 (still pending)
    assert final_after_days("wmo_decision_on_time") == 15
    assert is_provisional("2026-Q3", date(2026, 10, 14), 15)
    assert not is_provisional("2026-Q3", date(2026, 10, 15), 15)
    assert final_after_days("wmo_decision_on_time", {"wmo_decision": 28}) == 29
    assert final_after_days("reregistration_12m") == 365
    assert final_after_days("preventive_share") == 0


def test_partial_periods_and_comparable_years() -> None:
    assert is_partial("2026", date(2026, 9, 30))
    assert not is_partial("2025", date(2026, 9, 30))
    assert not is_partial("2026-Q3", date(2026, 9, 30))  # ends on the as-of date
    assert is_partial("2018", date(2026, 9, 30), START)
    assert comparable_years(["2019-Q1", "2024", "2025-Q4", "2026-Q1"], date(2026, 9, 30),
                            START) == [2019, 2024, 2025]


def test_period_status_order_of_rules() -> None:
    # re-registration: 548 days of history before the quarter's first day (methods.yaml);
    # 2020-07-01 is 547 days after 2019-01-01 (2020 is a leap year)
    st = period_status(["2020-Q3", "2020-Q4", "2025-Q3", "2025-Q4", "2026", "2020-Q4"],
                       "reregistration_12m", date(2026, 9, 30), START).set_index("period")
    assert list(st.index) == ["2020-Q3", "2020-Q4", "2025-Q3", "2025-Q4", "2026"]
    assert st["status"].to_dict() == {"2020-Q3": "warmup", "2020-Q4": "usable",
                                      "2025-Q3": "usable", "2025-Q4": "provisional",
                                      "2026": "partial"}
    assert st.loc["2025-Q4", "label"] == "voorlopig"
    assert st.loc["2020-Q4", "reason"] == ""


def test_mark_periods_adds_status_per_row() -> None:
    ind = pd.DataFrame({"indicator_id": ["caseload_per_fte", "caseload_per_fte",
                                         "preventive_share", "wgs_first_contact_on_time"],
                        "period": ["2020-Q2", "2020-Q3", "2019-Q2", "2026-Q3"],
                        "value": [1.0, 2.0, 0.3, 0.9]})
    out = mark_periods(ind, date(2026, 9, 30), START)
    assert out["status"].tolist() == ["warmup", "usable", "usable", "provisional"]
    assert out["status_label"].tolist() == ["opstart", "bruikbaar", "bruikbaar", "voorlopig"]
    assert out["value"].tolist() == [1.0, 2.0, 0.3, 0.9]


def test_history_lookback_days() -> None:
    # all cases last 100 days: a case open on a day has an age uniform on 0..100
    assert history_lookback_days([100] * 5, 0.9) == 90
    # lengths 10 and 1000: sum(min(D, L)) / 1010 >= 0.5 at L = 495
    assert history_lookback_days([10, 1000, float("nan"), 0], 0.5) == 495
    with pytest.raises(ValueError):
        history_lookback_days([0, -1], 0.9)
    with pytest.raises(ValueError):
        history_lookback_days([10], 0.0)
