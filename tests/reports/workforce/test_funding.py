"""Funding continuity: structural vs incidental money, additional assignments, reservation bound.

Hand-built budgets (as-of 2024-12-31):

====  ====  =====  ==========  ==========  =========  ==========  ==========  ========
org   year  id     type        funding     EUR        start       end         by
====  ====  =====  ==========  ==========  =========  ==========  ==========  ========
A     2023  MAIN   main        structural  1,000,000
A     2023  add1   additional  incidental    100,000  2023-03-01  2023-08-31  gemeente
A     2024  MAIN   main        structural  1,050,000
A     2024  add2   additional  incidental    200,000  2024-01-01  2024-12-31  PACT
B     2023  MAIN   main        structural    500,000
B     2024  MAIN   main        structural    500,000
B     2024  add3   additional  structural     20,000  2024-05-01  2024-10-31  gemeente
A     2025  MAIN   main        structural  1,100,000   (a plan: after the as-of year)
====  ====  =====  ==========  ==========  =========  ==========  ==========  ========
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from zwt_analysis.contract import ALL
from zwt_analysis.processed import coerce_types
from zwt_analysis.reports.workforce import funding

AS_OF = date(2024, 12, 31)
N = None


@pytest.fixture
def budgets() -> pd.DataFrame:
    rows = [
        ("A", 2023, "MAIN", "main", "structural", 1_000_000.0, N, N, "gemeente"),
        ("A", 2023, "add1", "additional", "incidental", 100_000.0, "2023-03-01", "2023-08-31",
         "gemeente"),
        ("A", 2024, "MAIN", "main", "structural", 1_050_000.0, N, N, "gemeente"),
        ("A", 2024, "add2", "additional", "incidental", 200_000.0, "2024-01-01", "2024-12-31",
         "PACT"),
        ("B", 2023, "MAIN", "main", "structural", 500_000.0, N, N, "gemeente"),
        ("B", 2024, "MAIN", "main", "structural", 500_000.0, N, N, "gemeente"),
        ("B", 2024, "add3", "additional", "structural", 20_000.0, "2024-05-01", "2024-10-31",
         "gemeente"),
        ("A", 2025, "MAIN", "main", "structural", 1_100_000.0, N, N, "gemeente"),
    ]
    df = pd.DataFrame(rows, columns=["organisation", "year", "assignment_id", "assignment_type",
                                     "funding_type", "amount_eur", "start_date", "end_date",
                                     "commissioner"])
    return coerce_types("budgets", df)


@pytest.fixture
def hours() -> pd.DataFrame:
    rows = [
        ("e1", "A", "A-1", "2023-04-01", "additional_assignment", 10.0, "add1"),
        ("e2", "A", "A-1", "2023-05-01", "additional_assignment", 5.0, "add1"),
        ("e1", "A", "A-1", "2023-05-02", "additional_assignment", 3.0, N),       # -> MAIN
        ("e1", "A", "A-1", "2023-05-03", "statutory_individual", 7.0, "add1"),   # not counted
        ("e3", "A", "A-2", "2024-02-01", "additional_assignment", 8.0, "add2"),
        ("e4", "B", "B-1", "2024-06-01", "additional_assignment", 4.0, "add3"),
        ("e4", "B", "B-1", "2025-01-02", "additional_assignment", 4.0, "add3"),  # after as-of
    ]
    df = pd.DataFrame(rows, columns=["employee_id", "organisation", "team", "date", "activity",
                                     "hours", "assignment_id"])
    df["assignment_id"] = df["assignment_id"].fillna("MAIN")
    return coerce_types("time_registrations", df)


def test_funding_by_year(budgets):
    f = funding.funding_by_year(budgets, AS_OF).set_index(["organisation", "year"])
    assert (("A", 2025)) not in f.index  # a plan, not a period
    assert f.loc[("A", 2023), "structural_eur"] == 1_000_000
    assert f.loc[("A", 2023), "incidental_eur"] == 100_000
    assert f.loc[("A", 2023), "incidental_share"] == pytest.approx(1 / 11)
    assert f.loc[("B", 2024), "incidental_eur"] == 0
    assert f.loc[("B", 2024), "incidental_share"] == 0
    assert f.loc[(ALL, 2024), "structural_eur"] == 1_050_000 + 520_000
    assert f.loc[(ALL, 2024), "incidental_eur"] == 200_000
    assert f.loc[(ALL, 2024), "incidental_share"] == pytest.approx(200_000 / 1_770_000)
    assert f.loc[(ALL, 2024), "total_eur"] == 1_770_000


def test_funding_by_year_empty():
    from zwt_analysis.processed import empty_table

    assert funding.funding_by_year(empty_table("budgets"), AS_OF).empty


def test_assignment_lines(budgets, hours):
    lines = funding.assignment_lines(budgets, hours, AS_OF).set_index("assignment_id")
    assert sorted(lines.index) == ["add1", "add2", "add3"]
    assert lines.loc["add1", "length_months"] == pytest.approx(184 / (365.25 / 12))
    assert lines.loc["add2", "length_months"] == pytest.approx(366 / (365.25 / 12))
    assert lines.loc["add1", "hours"] == 15  # MAIN and statutory hours not counted
    assert lines.loc["add1", "persons"] == 2
    assert lines.loc["add3", "hours"] == 4   # the 2025 hours lie after as-of
    assert lines.loc["add2", "commissioner"] == "PACT"


def test_assignment_hours_keeps_main(hours):
    h = funding.assignment_hours(hours, AS_OF).set_index(["organisation", "assignment_id",
                                                          "year"])
    assert h.loc[("A", "MAIN", 2023), "hours"] == 3
    assert h.loc[("A", "add1", 2023), "persons"] == 2


def test_additional_by_year(budgets, hours):
    lines = funding.assignment_lines(budgets, hours, AS_OF)
    a = funding.additional_by_year(lines, hours, AS_OF).set_index(["organisation", "year"])
    row = a.loc[("A", 2023)]
    assert row["n_assignments"] == 1
    assert row["total_eur"] == 100_000
    assert row["hours"] == 15 and row["hours_all"] == 18 and row["hours_unlinked"] == 3
    assert row["share_shorter_than_12m"] == 1.0
    city = a.loc[(ALL, 2024)]
    assert city["n_assignments"] == 2
    assert city["median_eur"] == pytest.approx(110_000)
    assert city["median_length_months"] == pytest.approx((366 + 184) / 2 / (365.25 / 12))
    assert city["share_shorter_than_12m"] == 0.5
    assert city["hours_per_assignment"] == pytest.approx(12 / 2)


def test_length_missing_when_dates_missing(budgets, hours):
    b = budgets.copy()
    b.loc[b["assignment_id"] == "add3", "end_date"] = pd.NaT
    lines = funding.assignment_lines(b, hours, AS_OF).set_index("assignment_id")
    assert np.isnan(lines.loc["add3", "length_months"])


def _bound(logs, level=0.8):
    """Hand formula: a constant level on the log scale with two years (no growth line)."""
    from scipy import stats

    m, sd = np.mean(logs), np.std(logs, ddof=1)
    return np.exp(m + stats.t.ppf(level, len(logs) - 1) * sd * np.sqrt(1 + 1 / len(logs)))


def test_flexible_reservation_is_a_prediction_bound(budgets):
    by_year = funding.funding_by_year(budgets, AS_OF)
    r = funding.flexible_reservation(by_year).set_index("organisation")
    a = r.loc["A"]
    # two years: no growth line (needs three), a constant level on the log scale
    assert a["n_years"] == 2 and a["year"] == 2025 and not a["deflated"]
    assert a["reservation_eur"] == pytest.approx(_bound(np.log([100_000, 200_000])))
    assert a["level"] == 0.8 and np.isnan(a["coverage_low"])  # validated with a growth line
    assert a["reservation_share_of_structural"] == pytest.approx(a["reservation_eur"] / 1_050_000)
    assert np.isnan(r.loc["B", "reservation_eur"]) and "te weinig jaren" in r.loc["B", "note"]


def test_flexible_reservation_deflates_with_the_cao(budgets):
    by_year = funding.funding_by_year(budgets, AS_OF)
    gap = pd.DataFrame({"year": [2023, 2024], "cao_pct": [0.0, 5.0]})
    a = funding.flexible_reservation(by_year, {"A": gap}).set_index("organisation").loc["A"]
    assert a["deflated"]
    # 2023 in 2024 wages: 105,000; the bound inflated by the mean rise (2.5%) to 2025
    assert a["reservation_eur"] == pytest.approx(
        _bound(np.log([105_000, 200_000])) * 1.025)


def test_flexible_reservation_with_a_growth_line_has_measured_coverage():
    by_year = pd.DataFrame({"organisation": "A", "year": [2021, 2022, 2023, 2024],
                            "structural_eur": 1e6, "incidental_eur": [100.0, 120.0, 150.0, 160.0]})
    a = funding.flexible_reservation(by_year).set_index("organisation").loc["A"]
    assert a["growth_per_year"] > 0.1 and a["reservation_eur"] > 160
    assert (a["coverage_low"], a["coverage_high"]) == (0.786, 0.819)


@pytest.mark.slow
def test_funding_against_ground_truth(small_raw, small_processed):
    """``<raw>/ground_truth.json`` key ``funding``: incidental shares, lines, PACT."""
    import json

    from zwt_analysis import processed

    truth = json.loads((small_raw / "ground_truth.json").read_text(encoding="utf-8"))["funding"]
    tables = processed.read_tables(small_processed, ["budgets", "time_registrations"])
    as_of = processed.as_of(small_processed)
    by_year = funding.funding_by_year(tables["budgets"], as_of).set_index(["organisation", "year"])
    for org, shares in truth["incidental_funding_share_realised"].items():
        for y, v in shares.items():
            assert by_year.loc[(org, int(y)), "incidental_share"] == pytest.approx(v, abs=1e-4)
            row = by_year.loc[(org, int(y))]
            assert row["incidental_eur"] / row["total_eur"] == pytest.approx(v, abs=1e-4)
    lines = funding.assignment_lines(tables["budgets"], tables["time_registrations"], as_of)
    assert lines.groupby("organisation").size().to_dict() == truth["additional_lines_per_org"]
    mean_share = by_year["incidental_share"].groupby(level="organisation").mean()
    pact = truth["pact_organisations"]
    other = [o for o in truth["incidental_funding_share_realised"] if o not in pact]
    assert mean_share[pact].min() > mean_share[other].max()
    add = funding.additional_by_year(lines, tables["time_registrations"], as_of)
    assert (add["hours"] > 0).any()
    res = funding.flexible_reservation(by_year.reset_index())
    assert (res["central_eur"] <= res["reservation_eur"]).all()
