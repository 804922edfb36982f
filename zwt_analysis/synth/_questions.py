"""Help-question types of cases and the wage/indexation table (``cost_index``).

Both draw from their own random stream (``[seed, 19]``), so adding them changes no other
table. Ground truth:

- ``question_type``: a city-wide mix (:data:`QUESTION_MIX`) tilted per team: teams holding a
  PACT wijk see addiction 3x, domestic violence 2x and refugee-status questions 2.5x as often; loneliness and informal-care
  questions scale with the share of residents aged 65+, parenting questions with the share
  aged 0-15 (CBS 2024, population-weighted per team). A few percent are not registered.
  The ground truth lists each team's expected yearly cases per type and which (team, type)
  pairs are planted below the rarity threshold.
- ``cost_index``: one city-wide row a year with an invented cao wage rise and indexation
  (:data:`COST_INDEX`), not the real cao: wages outgrow indexation in most years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import config

#: City-wide mix of help-question types (shares sum to 1).
QUESTION_MIX: dict[str, float] = {
    "financien": 0.28, "opvoeding": 0.19, "psychisch": 0.17, "wonen": 0.13,
    "eenzaamheid": 0.09, "mantelzorg": 0.06, "huiselijk geweld": 0.035, "werk en inkomen": 0.025,
    "verslaving": 0.012, "statushouders": 0.008,
}
#: Share of cases without a registered question type.
QUESTION_MISSING = 0.03
#: Multipliers for teams holding a PACT wijk.
PACT_TILT = {"verslaving": 3.0, "huiselijk geweld": 2.0, "statushouders": 2.5}
#: Types that scale with the share aged 65+ / 0-15 (exponent of the ratio to the city).
OLDER_TYPES, YOUNG_TYPES, AGE_EXPONENT = ("eenzaamheid", "mantelzorg"), ("opvoeding",), 1.5
#: Rarity threshold the ground truth is stated for (cases per team per year).
RARE_PER_YEAR = 12

#: Invented yearly cao wage rise and municipal indexation, percent (synthetic, not real).
COST_INDEX: dict[int, tuple[float, float]] = {
    2019: (2.5, 2.3), 2020: (3.0, 2.4), 2021: (1.5, 1.6), 2022: (3.5, 2.6), 2023: (6.0, 4.1),
    2024: (5.5, 4.4), 2025: (4.0, 3.1), 2026: (3.5, 2.9),
}


def _team_ages(areas: pd.DataFrame) -> pd.DataFrame:
    ages = pd.read_csv(config.resource("cbs_kwb2024_zaanstad_gm_wk_ages.csv"), dtype={"regiocode": str})
    city = ages[ages["regiotype"] == "Gemeente"].iloc[0]
    a = areas.merge(ages.rename(columns={"regiocode": "area_code"})[["area_code", "pct_0_15", "pct_65plus"]],
                    on="area_code", how="left")
    w = a["population"].astype(float)
    g = a.assign(w=w, y=a["pct_0_15"] * w, o=a["pct_65plus"] * w).groupby("team")
    out = pd.DataFrame({"young": g["y"].sum() / g["w"].sum() / float(city["pct_0_15"]),
                        "old": g["o"].sum() / g["w"].sum() / float(city["pct_65plus"])})
    return out


def type_probabilities(teams: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Per team (rows, in ``teams`` order) the probability of each type (columns)."""
    ages = _team_ages(areas).reindex(teams["team"])
    base = np.array(list(QUESTION_MIX.values()))
    probs = np.tile(base, (len(teams), 1))
    names = list(QUESTION_MIX)
    for j, t in enumerate(names):
        if t in OLDER_TYPES:
            probs[:, j] *= ages["old"].to_numpy() ** AGE_EXPONENT
        if t in YOUNG_TYPES:
            probs[:, j] *= ages["young"].to_numpy() ** AGE_EXPONENT
        if t in PACT_TILT:
            probs[:, j] *= np.where(teams["pact"].to_numpy(bool), PACT_TILT[t], 1.0)
    probs /= probs.sum(axis=1, keepdims=True)
    return pd.DataFrame(probs, index=teams["team"].to_numpy(), columns=names)


def draw_question_types(team_idx: np.ndarray, probs: pd.DataFrame, seed: int) -> np.ndarray:
    """One type per case (None for the unregistered share), from its team's probabilities."""
    rng = np.random.default_rng([seed, 19])
    cum = np.cumsum(probs.to_numpy(), axis=1)
    u = rng.random(len(team_idx))
    k = (u[:, None] > cum[team_idx]).sum(axis=1)
    names = np.asarray(list(probs.columns) + [None], dtype=object)
    out = names[np.minimum(k, len(probs.columns) - 1)]
    out[rng.random(len(team_idx)) < QUESTION_MISSING] = None
    return out


def build_cost_index(until_year: int) -> pd.DataFrame:
    """The ``cost_index`` table: one city-wide row per year up to ``until_year``."""
    rows = [(y, None, c, i) for y, (c, i) in sorted(COST_INDEX.items()) if y <= until_year]
    return pd.DataFrame(rows, columns=["year", "organisation", "cao_wage_increase_pct",
                                       "municipal_indexation_pct"])


def truth(probs: pd.DataFrame, cases_per_team_year: pd.Series, until_year: int) -> dict:
    """Ground truth of both: expected cases per team and type in the last full year, the
    planted rare pairs, and the cao/indexation gap with its cumulative purchasing power."""
    expected = probs.mul(cases_per_team_year.reindex(probs.index).fillna(0) * (1 - QUESTION_MISSING),
                         axis=0)
    rare = [(t, q) for t in expected.index for q in expected.columns
            if expected.loc[t, q] < RARE_PER_YEAR]
    ci = build_cost_index(until_year)
    ratio = (1 + ci["municipal_indexation_pct"] / 100) / (1 + ci["cao_wage_increase_pct"] / 100)
    ratio.iloc[:1] = 1.0
    return {
        "question_types": {
            "mix": QUESTION_MIX, "missing_share": QUESTION_MISSING, "pact_tilt": PACT_TILT,
            "age_tilt": {"older": list(OLDER_TYPES), "young": list(YOUNG_TYPES),
                         "exponent": AGE_EXPONENT},
            "rare_threshold_per_year": RARE_PER_YEAR,
            "expected_per_team_last_full_year": {t: {q: round(float(v), 2) for q, v in row.items()}
                                                 for t, row in expected.iterrows()},
            "planted_rare_pairs": [f"{t}|{q}" for t, q in rare],
        },
        "cost_index": {
            "note": "invented figures, not the real cao",
            "gap_pp": {int(y): round(float(c - i), 2) for y, c, i in
                       zip(ci["year"], ci["cao_wage_increase_pct"], ci["municipal_indexation_pct"],
                           strict=True)},
            "purchasing_power_last_year": round(float(np.prod(ratio)), 4),
        },
    }
