"""Areas (CBS wijken) and the teams that hold them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import config
from ._params import LAYOUT, PACT_AREAS

CBS_FILE = "cbs_kwb2024_zaanstad_gm_wk.csv"
NAMES_FILE = "cbs_wijken2024_zaanstad_names.csv"


def wijk_populations() -> pd.DataFrame:
    """The 19 CBS 2024 wijken of Zaanstad: ``area_code``, ``population`` (real)."""
    raw = pd.read_csv(config.resource(CBS_FILE), dtype={"regiocode": str})
    wijk = raw[raw["regiotype"] == "Wijk"]
    return pd.DataFrame(
        {"area_code": wijk["regiocode"].to_numpy(dtype=object),
         "population": wijk["aantal_inwoners"].to_numpy(dtype=np.int64)}
    ).sort_values("area_code", ignore_index=True)


def wijk_names() -> dict[str, str]:
    """CBS 2024 wijk code -> wijk name (e.g. ``WK047912`` -> ``Poelenburg``)."""
    raw = pd.read_csv(config.resource(NAMES_FILE), dtype=str)
    return dict(zip(raw["wijkcode"], raw["wijknaam"], strict=True))


def build_areas(scale: float) -> pd.DataFrame:
    """The ``areas`` table: one row per wijk, population scaled and rounded."""
    pops = wijk_populations().set_index("area_code")["population"]
    names = wijk_names()
    rows = []
    for org, teams in LAYOUT.items():
        for team, codes in teams.items():
            for code in codes:
                rows.append((code, names[code], org, team, code in PACT_AREAS,
                             int(round(float(pops[code]) * scale))))
    missing = set(pops.index) - {r[0] for r in rows}
    if missing:  # pragma: no cover - guards the fixed layout
        raise ValueError(f"wijken without a team: {sorted(missing)}")
    df = pd.DataFrame(rows, columns=["area_code", "area_name", "organisation", "team", "pact",
                                     "population"])
    return df.sort_values("area_code", ignore_index=True)


def build_teams(areas: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per team: organisation, pact, population and demand parameters.

    ``demand`` is the team's multiplier of the city case rate (population
    weighted mean 1); ``growth`` its yearly demand growth.
    """
    from ._params import DEMAND_GROWTH, PACT_DEMAND

    g = areas.groupby("team", sort=False).agg(
        organisation=("organisation", "first"), pact=("pact", "max"),
        population=("population", "sum"))
    teams = g.reset_index()
    order = [t for teams_ in LAYOUT.values() for t in teams_]
    teams = teams.set_index("team").loc[order].reset_index()
    n = len(teams)
    raw = np.exp(rng.normal(0.0, 0.12, n)) * np.where(teams["pact"], PACT_DEMAND, 1.0)
    w = teams["population"].to_numpy(dtype=float)
    raw = raw / (np.sum(raw * w) / max(np.sum(w), 1.0))
    teams["demand"] = raw
    teams["growth"] = rng.uniform(*DEMAND_GROWTH, n)
    teams["team_idx"] = np.arange(n)
    return teams
