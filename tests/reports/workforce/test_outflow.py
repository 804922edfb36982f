"""Outflow: episodes (renewals consistent), yearly outflow, hazard model, cohort, protection.

Hand-built staff table (organisation A, as-of 2021-12-31):

====  =====  ==========  ==========  ==================
id    team   start       end         end_reason
====  =====  ==========  ==========  ==================
a1    A-1    2018-01-01  (open)
a2    A-1    2018-01-01  2020-06-30  voluntary
a3    A-1    2018-06-01  2019-03-31  transfer_internal
a3    A-2    2019-04-01  (open)
a4    A-2    2019-05-01  2019-10-31  end_of_contract
a5    A-1    2020-08-01  (open)
a6    A-1    2019-01-01  2019-12-31  end_of_contract   (renewed the next day)
a6    A-1    2020-01-01  (open)
====  =====  ==========  ==========  ==================

Episodes: a3's and a6's spells merge; exits a2 (2020) and a4 (2019). First
observed end 2019. 1 January stock 2019: a1 a2 a3 a6 = 4; 2020: 4; 2021: a1 a3
a5 a6 = 4. Leavers 1, 1, 0; newcomers (episode starts) 2019: a4 a6, 2020: a5.
The catalogue indicator counts a6's renewal as a 2019 leaver (2) but not as a
2020 newcomer: the inconsistency the workforce model removes.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from workforce_builders import staff_frame

from zwt_analysis.contract import ALL
from zwt_analysis.reports.workforce import calibrate, hazards, outflow, published, question

AS_OF = date(2021, 12, 31)



@pytest.fixture
def staff() -> pd.DataFrame:
    return staff_frame([
        ("a1", "A", "A-1", 1.0, "2018-01-01", None, None),
        ("a2", "A", "A-1", 0.8, "2018-01-01", "2020-06-30", "voluntary"),
        ("a3", "A", "A-1", 0.5, "2018-06-01", "2019-03-31", "transfer_internal"),
        ("a3", "A", "A-2", 0.5, "2019-04-01", None, None),
        ("a4", "A", "A-2", 1.0, "2019-05-01", "2019-10-31", "end_of_contract"),
        ("a5", "A", "A-1", 0.9, "2020-08-01", None, None),
        ("a6", "A", "A-1", 1.0, "2019-01-01", "2019-12-31", "end_of_contract"),
        ("a6", "A", "A-1", 1.0, "2020-01-01", None, None),
    ])


# ----------------------------------------------------------------- episodes and outflow

def test_episodes_merge_renewals_and_internal_moves(staff):
    eps = outflow.episodes(staff, AS_OF)
    a = eps[eps["organisation"] == "A"].set_index("employee_id")
    assert len(a) == 6
    assert a.loc["a6", "start"] == pd.Timestamp("2019-01-01") and pd.isna(a.loc["a6", "end"])
    assert pd.isna(a.loc["a3", "end"]) and not a.loc["a3", "exit"]
    assert a.loc["a2", "exit"] and a.loc["a4", "exit"]
    assert set(eps["organisation"]) == {"A", ALL}


def test_city_keeps_a_move_between_organisations():
    st = staff_frame([
        ("p", "A", "A-1", 1.0, "2019-01-01", "2020-03-31", "transfer_other_wijkteam"),
        ("p", "B", "B-1", 1.0, "2020-04-01", None, None),
        ("q", "B", "B-1", 1.0, "2019-01-01", "2020-05-31", "transfer_other_wijkteam"),
    ])
    eps = outflow.episodes(st, AS_OF)
    assert eps.loc[(eps["organisation"] == "A"), "exit"].tolist() == [True]
    city = eps[eps["organisation"] == ALL].set_index("employee_id")
    assert not city.loc["p", "exit"] and pd.isna(city.loc["p", "end"])
    assert not city.loc["q", "exit"]  # a move out of the wijkteams' city is no city exit


def test_yearly_outflow_counts_renewal_consistently(staff):
    eps = outflow.episodes(staff, AS_OF)
    y = outflow.yearly_outflow(eps, AS_OF, outflow.first_observed_year(staff, AS_OF))
    a = y[y["organisation"] == "A"].set_index("year")
    assert a["stock_jan1"].tolist() == [4, 4, 4]
    assert a["leavers"].tolist() == [1, 1, 0]
    assert a["newcomers"].tolist() == [2, 1, 0]
    assert a["full_year"].all()
    ind = calibrate.yearly_turnover(staff, AS_OF).set_index(["organisation", "year"])
    assert ind.loc[("A", 2019), "leavers"] == 2  # the indicator counts a6's renewal


def test_quasi_poisson_intervals_hand_computed(staff):
    eps = outflow.episodes(staff, AS_OF)
    y = outflow.yearly_outflow(eps, AS_OF, 2019)
    # counts 1, 1, 0 over 4 each: X2 = 2 (1 - 2/3)^2 / (2/3) + 2/3 = 1, df 2 -> phi 0.5 -> 1
    assert y.attrs["dispersion"] == 1.0
    p = outflow.pool_outflow(y).set_index("organisation").loc["A"]
    assert p["person_years"] == 12 and p["leavers"] == 2
    assert p["outflow_rate"] == pytest.approx(2 / 12)
    assert p["outflow_low"] == pytest.approx(stats.chi2.ppf(0.025, 4) / 2 / 12)
    assert p["outflow_high"] == pytest.approx(stats.chi2.ppf(0.975, 6) / 2 / 12)


def test_overdispersion_widens_the_yearly_interval():
    y = pd.DataFrame({"organisation": ["A"] * 4 + ["B"] * 4, "year": [2019, 2020, 2021, 2022] * 2,
                      "stock_jan1": [100] * 8, "leavers": [2, 20, 3, 25, 10, 11, 9, 10],
                      "newcomers": [0] * 8, "full_year": [True] * 8})
    out = outflow._with_intervals(y, 0.05)
    phi = out.attrs["dispersion"]
    assert phi > 3  # A swings far beyond Poisson
    exact = stats.chi2.ppf(0.975, 2 * 20 + 2) / 2 / 100
    assert out.loc[1, "outflow_high"] > exact


# ----------------------------------------------------------------- exposure and hazards

def test_exposure_split_by_year_and_tenure_band():
    eps = pd.DataFrame({"organisation": ["A", "A"], "employee_id": ["x", "y"],
                        "start": pd.to_datetime(["2018-07-01", "2019-03-01"]),
                        "end": pd.to_datetime([None, "2019-05-31"]), "end_reason": ["", "vol"],
                        "exit": [False, True]})
    cells = hazards.exposure(eps, date(2019, 1, 1), date(2019, 12, 31), [1.0]).set_index(
        ["year", "band"])
    # x: tenure 1 year on 2019-07-01 (365 days after start): 181 days in band 0, 184 in band 1
    assert cells.loc[(2019, 1), "person_years"] == pytest.approx(184 / 365.25)
    assert cells.loc[(2019, 0), "person_years"] == pytest.approx((181 + 92) / 365.25)
    assert cells.loc[(2019, 0), "exits"] == 1 and cells.loc[(2019, 1), "exits"] == 0


def test_merge_bands_and_labels():
    cells = pd.DataFrame({"band": [0, 1, 2, 3], "exits": [2.0, 30.0, 3.0, 40.0]})
    mapping = hazards.merge_bands(cells, 4, 10)
    assert mapping == [0, 0, 0, 1]
    assert hazards.band_labels([1, 2, 5], mapping) == ["0–5 jaar", "5 jaar en langer"]
    assert hazards.merge_bands(cells.assign(exits=1.0), 4, 10) == [0, 0, 0, 0]


def test_merge_bands_at_the_edge_of_min_exits_with_a_finer_top():
    """Exactly ``min_exits`` keeps a band, one fewer merges it; a short 15+ band of
    finer edges (1, 2, 5, 10, 15 years) joins 10-15 as "10 jaar en langer"."""
    cells = pd.DataFrame({"band": range(6), "exits": [10.0, 10.0, 9.0, 10.0, 10.0, 9.0]})
    mapping = hazards.merge_bands(cells, 6, 10)
    assert mapping == [0, 1, 1, 2, 3, 3]
    assert hazards.band_labels([1, 2, 5, 10, 15], mapping) == [
        "0–1 jaar", "1–5 jaar", "5–10 jaar", "10 jaar en langer"]
    assert hazards.merge_bands(cells.assign(exits=10.0), 6, 10) == [0, 1, 2, 3, 4, 5]


def _cells(slopes: dict[str, float], years=range(2018, 2026), level=100.0) -> pd.DataFrame:
    rows = [(o, y, 0, 1000.0, float(round(level * math.exp(g * (y - 2021)))))
            for o, g in slopes.items() for y in years]
    return pd.DataFrame(rows, columns=["organisation", "year", "band", "person_years", "exits"])


def test_drift_common_none_and_per_organisation():
    common = hazards.fit_model(_cells({"A": 0.08, "B": 0.08}), ["A", "B"], [], 2025, 1, 0.05, 4)
    assert common.decision == "common" and common.drift == {"A": "drift", "B": "drift"}
    j = common.index("drift")
    assert common.params[j] == pytest.approx(0.08, abs=0.005)
    flat = hazards.fit_model(_cells({"A": 0.0, "B": 0.0}), ["A", "B"], [], 2025, 1, 0.05, 4)
    assert flat.decision == "none" and not any(flat.drift.values())
    apart = hazards.fit_model(_cells({"A": 0.15, "B": 0.0}), ["A", "B"], [], 2025, 1, 0.05, 4)
    assert apart.decision == "per organisation"
    assert apart.drift == {"A": "drift:A", "B": ""}
    short = hazards.fit_model(_cells({"A": 0.3}, years=range(2024, 2026)), ["A"], [], 2025, 1,
                              0.05, 4)
    assert short.decision == "none" and "te kort" in short.reason


def test_annual_hazards_level_holds_and_continue_goes_on():
    m = hazards.fit_model(_cells({"A": 0.08}), ["A"], [], 2025, 1, 0.05, 4)
    theta = hazards.draw_params(m, 1, np.random.default_rng(0), uncertainty=False)
    years = np.array([2025, 2027, 2030])
    level = hazards.annual_hazards(m, "A", theta, years, "level")[0, :, 0]
    cont = hazards.annual_hazards(m, "A", theta, years, "continue", cap=1.0)[0, :, 0]
    assert level[0] == pytest.approx(0.1 * math.exp(0.08 * 4), rel=0.02)
    assert level[1] == level[0] == level[2]
    assert cont[2] / cont[0] == pytest.approx(math.exp(0.08 * 5), rel=0.02)


def test_organisation_without_exits_is_not_stuck_at_zero():
    cells = _cells({"A": 0.0})
    cells = pd.concat([cells, cells.assign(organisation="B", exits=0.0)])
    m = hazards.fit_model(cells, ["A", "B"], [], 2025, 1, 0.05, 4)
    assert m.params[m.index("org:B")] == pytest.approx(math.log(0.5 / 8000))
    draws = hazards.draw_params(m, 200, np.random.default_rng(1))
    assert np.std(draws[:, m.index("org:B")]) > 1


# ----------------------------------------------------------------- cohort and readings

def test_cohort_retention_hand_computed(staff):
    eps = outflow.episodes(staff, AS_OF)
    y = outflow.yearly_outflow(eps, AS_OF, 2019)
    pooled = outflow.pool_outflow(y)
    ret = question.cohort_retention(eps, None, AS_OF, 2019, pooled).set_index("organisation")
    a = ret.loc["A"]
    assert (a["persons"], a["still_there"]) == (4, 3)  # a1 a3 a6 of a1 a2 a3 a6
    years = 1095 / 365.25
    assert a["years"] == pytest.approx(years)
    assert a["expected_flat"] == pytest.approx(math.exp(-(2 / 12) * years))
    assert math.isnan(a["expected_model"])
    assert question.cohort_retention(eps, None, AS_OF, 2021, pooled).empty  # < 1 year


def test_model_expectation_accounts_for_tenure():
    """Hazard 0.5 in the first year, 0.05 after: a cohort of long-serving staff is expected
    to stay far more than one average rate says."""
    eps = pd.DataFrame({"organisation": ["A"] * 2, "employee_id": ["x", "y"],
                        "start": pd.to_datetime(["2010-01-01", "2010-01-01"]),
                        "end": pd.NaT, "end_reason": "", "exit": False})
    cells = pd.DataFrame({"organisation": ["A", "A"], "year": [2020, 2020], "band": [0, 1],
                          "person_years": [100.0, 100.0], "exits": [50.0, 5.0]})
    m = hazards.fit_model(cells, ["A"], [1.0], 2020, 1, 0.05, 4)
    pooled = pd.DataFrame({"organisation": ["A"], "outflow_rate": [0.275]})
    ret = question.cohort_retention(eps, m, date(2021, 12, 31), 2020, pooled).set_index(
        "organisation")
    assert ret.loc["A", "expected_model"] == pytest.approx(math.exp(-0.05 * 2), rel=0.01)
    assert ret.loc["A", "expected_flat"] == pytest.approx(math.exp(-0.275 * 2), rel=0.01)


def test_implied_rate_range_and_quote():
    lo, hi = question.implied_rate_range(0.10, 0.20, 8)
    assert lo == pytest.approx(0.01308, abs=1e-5) and hi == pytest.approx(0.02751, abs=1e-5)
    assert question.EVALUATION_QUOTE.startswith("Binnen de volgende contractperiode van acht jaar")


# ----------------------------------------------------------------- protection

def test_yearly_outflow_with_few_leavers_is_never_shown():
    yearly = pd.DataFrame({
        "organisation": [ALL, ALL, "A", "A", "B", "B"], "year": [2020, 2021] * 3,
        "full_year": True, "stock_jan1": [100.0, 100.0, 40.0, 40.0, 60.0, 60.0],
        "leavers": [12.0, 15.0, 3.0, 7.0, 9.0, 8.0], "newcomers": [10.0, 12.0, 6.0, 6.0, 4.0, 6.0],
        "outflow_rate": [0.12, 0.15, 0.075, 0.175, 0.15, 0.133],
        "outflow_low": 0.0, "outflow_high": 1.0})
    city = published.protect_tables({published.YEARLY: yearly}, ["A", "B"], ALL)[published.YEARLY]
    own = published.protect_tables({published.YEARLY: yearly}, ["A", "B"], "A")[published.YEARLY]
    csv = city.csv().set_index(["organisation", "year"])
    assert csv.loc[("A", 2020), "leavers"] == "<5"
    assert csv.loc[("A", 2020), "outflow_rate"] == "x"
    assert np.isnan(city.masked().set_index(["organisation", "year"]).loc[("A", 2020),
                                                                          "outflow_rate"])
    # the organisation's own report prints its rows exactly as the city's report does
    mine = own.csv().set_index(["organisation", "year"])
    for key in mine.index:
        assert mine.loc[key].astype(str).tolist() == csv.loc[key].astype(str).tolist()
