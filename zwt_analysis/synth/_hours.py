"""Time registrations: hours per employee x week x activity.

The preventive share of a team in a quarter is planted as

    share(t, q) = base_t + slope * (caseload(t, q) - mean_q caseload(t, .)) + e(t, q)

with caseload(t, q) the exact caseload per FTE at the quarter's last day
(``_load``). Each employee-week row varies around share(t, q) with noise
that averages out. The date of a row is one weekday in its week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _params as P
from ._calendar import has, quarter_of

ACTIVITY_ORDER = ("statutory_individual", "preventive_individual", "preventive_collective",
                  "coordination", "additional_assignment", "overhead")
STATUTORY_FRAMEWORKS = ("wmo", "jeugdwet", "participatiewet", "wgs")


@dataclass(frozen=True)
class PreventionVariant:
    """Switches of the planted prevention relation (all off by default).

    Used by ``make validate`` to check panel inference under known truths;
    with every switch off the generator's output is byte-identical to a run
    without a variant.

    Attributes:
        slope: the mean planted slope (None = ``_params.PREVENTION_SLOPE``;
            0.0 = no effect, for false-positive rates).
        team_slope_sd: sd of team-specific deviations from the mean slope
            (drawn from a separate generator seeded ``[seed, 2]``).
        ar1: AR(1) coefficient of the team-quarter noise over quarters (the
            same draws, made serially correlated with unchanged marginal sd).
    """

    slope: float | None = None
    team_slope_sd: float = 0.0
    ar1: float = 0.0

    def is_default(self) -> bool:
        """True when no switch is on."""
        return self.slope is None and self.team_slope_sd == 0.0 and self.ar1 == 0.0


def _ar1_within_teams(noise: np.ndarray, team: np.ndarray, q: np.ndarray, rho: float) -> np.ndarray:
    """Turn iid noise into AR(1) noise over quarters within each team (same marginal sd)."""
    out = noise.copy()
    order = np.lexsort((q, team))
    prev_team, prev_val = -1, 0.0
    for i in order:
        if team[i] == prev_team:
            out[i] = rho * prev_val + np.sqrt(1 - rho * rho) * noise[i]
        prev_team, prev_val = team[i], out[i]
    return out


@dataclass
class HoursResult:
    hours: pd.DataFrame      # contract columns (categoricals); date as day offsets
    share: pd.DataFrame      # team_idx, q, caseload, planned_share (measured quarters)
    truth: dict


def plant_shares(caseload: pd.DataFrame, n_teams: int, n_quarters: int,
                 rng: np.random.Generator, variant: PreventionVariant | None = None,
                 seed: int = 0) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """Team x quarter planned preventive share (and the model table).

    ``variant`` switches the planted relation (see :class:`PreventionVariant`);
    it never takes draws from ``rng``, so the rest of the data stays the same.
    """
    base = rng.uniform(*P.PREVENTION_BASE, n_teams)
    cl = caseload[np.isfinite(caseload["caseload"])].copy()
    means = cl.groupby("team_idx")["caseload"].mean().reindex(range(n_teams))
    cl["team_mean"] = means.to_numpy()[cl["team_idx"].to_numpy()]
    cl["noise"] = rng.normal(0.0, P.PREVENTION_NOISE_SD, len(cl))
    slope: float | np.ndarray = P.PREVENTION_SLOPE
    if variant is not None and not variant.is_default():
        team = cl["team_idx"].to_numpy()
        mean_slope = P.PREVENTION_SLOPE if variant.slope is None else variant.slope
        extra = np.random.default_rng([seed, 2]).normal(0.0, variant.team_slope_sd, n_teams) \
            if variant.team_slope_sd > 0 else np.zeros(n_teams)
        slope = (mean_slope + extra)[team]
        cl["team_slope"] = slope
        if variant.ar1 != 0.0:
            cl["noise"] = _ar1_within_teams(cl["noise"].to_numpy(), team, cl["q"].to_numpy(),
                                            variant.ar1)
    cl["planned_share"] = (base[cl["team_idx"].to_numpy()]
                           + slope * (cl["caseload"] - cl["team_mean"]) + cl["noise"])
    grid = np.full((n_teams, n_quarters), np.nan)
    grid[cl["team_idx"].to_numpy(), cl["q"].to_numpy()] = cl["planned_share"].to_numpy()
    # quarters without a measured caseload (FTE 0 on the last day, or after until): carry the
    # last planned share forward, else the team base
    for t in range(n_teams):
        last = base[t]
        for q in range(n_quarters):
            if np.isnan(grid[t, q]):
                grid[t, q] = last
            else:
                last = grid[t, q]
    return grid, cl.reset_index(drop=True), base


def build_hours(staff: pd.DataFrame, staff_team: np.ndarray, teams: pd.DataFrame,
                caseload: pd.DataFrame, tracks: dict, until_day: int,
                rng: np.random.Generator, variant: PreventionVariant | None = None,
                seed: int = 0) -> HoursResult:
    """Generate the time registrations (see module doc; ``variant``: :func:`plant_shares`)."""
    n_teams = len(teams)
    n_q = int(quarter_of(np.array([until_day]))[0]) + 1
    grid, model, base = plant_shares(caseload, n_teams, n_q, rng, variant, seed)
    split = rng.uniform(0.5, 0.7, n_teams)  # individual part of preventive hours

    start = np.maximum(staff["start_date"].to_numpy(), 0)
    end_raw = staff["end_date"].to_numpy()
    end = np.where(has(end_raw), np.minimum(end_raw, until_day), until_day)
    ok = start <= end
    sp = np.flatnonzero(ok)
    w0 = (start[sp] + 1) // 7
    w1 = (end[sp] + 1) // 7
    nw = w1 - w0 + 1
    rep = np.repeat(sp, nw)
    offs = np.arange(len(rep)) - np.repeat(np.cumsum(nw) - nw, nw)
    week = np.repeat(w0, nw) + offs
    lo = np.maximum(7 * week - 1, start[rep])
    hi = np.minimum(7 * week + 3, end[rep])
    keep = (lo <= hi) & (rng.random(len(rep)) >= P.ABSENT_WEEK_SHARE)
    rep, lo, hi = rep[keep], lo[keep], hi[keep]
    n = len(rep)
    nd = hi - lo + 1
    date = lo + (rng.random(n) * nd).astype(np.int64)
    t = staff_team[rep]
    q = quarter_of(date)
    pact = teams["pact"].to_numpy(bool)[t]
    role = staff["role"].to_numpy(object)[rep]
    fte = staff["fte"].to_numpy(float)[rep]

    total = fte * P.HOURS_PER_FTE_WEEK * nd / 5.0 * np.clip(rng.normal(1.0, 0.06, n), 0.7, 1.3)
    add = np.where(pact, P.ADDITIONAL_SHARE["pact"], P.ADDITIONAL_SHARE["other"]) * rng.lognormal(0, 0.25, n)
    coord = P.COORDINATION_SHARE * rng.lognormal(0, 0.2, n)
    over = P.OVERHEAD_SHARE * rng.lognormal(0, 0.2, n)
    over = np.where(role == "team_lead", 0.35, np.where(role == "support", 0.45, over))
    coord = np.where(role == "team_lead", 0.25, coord)
    direct = np.clip(1.0 - add - coord - over, 0.05, 1.0)
    share = np.clip(grid[t, q] + rng.normal(0.0, P.PREVENTION_ROW_SD, n), 0.01, 0.97)
    prev = total * direct * share
    h = np.stack([
        total * direct - prev,
        prev * split[t],
        prev * (1.0 - split[t]),
        total * coord,
        total * add,
        total * over,
    ], axis=1)
    h = np.minimum(np.round(h * 4.0) / 4.0, 24.0)
    present = h > 0
    row_week = np.repeat(np.arange(n), 6)[present.ravel()]
    act = np.tile(np.arange(6), n)[present.ravel()]
    hours = h.ravel()[present.ravel()]
    del h, present

    # legal framework: statutory rows by the case mix, preventive rows 'none'
    mix = np.array([P.FRAMEWORK_MIX[f] for f in STATUTORY_FRAMEWORKS])
    fw_code = rng.choice(len(mix), size=len(act), p=mix / mix.sum())
    fw_cats = list(STATUTORY_FRAMEWORKS) + ["none"]
    fw = np.where(act == 0, fw_code, np.where((act == 1) | (act == 2), 4, -1))

    # assignment ids of additional rows
    aid_code = np.full(len(act), -1, dtype=np.int64)
    is_add = np.flatnonzero(act == 4)
    wk = row_week[is_add]
    d_add = date[wk]
    org_add = staff["organisation"].to_numpy(object)[rep[wk]]
    pact_add = pact[wk]
    u = rng.random(len(is_add))
    tr_u = rng.random(len(is_add))
    all_ids: list[str] = []
    id_pos: dict[str, int] = {}
    for _key, (_starts, ids) in sorted(tracks.items()):
        for a in ids:
            if a not in id_pos:
                id_pos[a] = len(all_ids)
                all_ids.append(a)
    codes_by_track = {k: np.array([id_pos[a] for a in v[1]], dtype=np.int64) for k, v in tracks.items()}
    n_tracks = {}
    for (org, comm, tr) in tracks:
        n_tracks[(org, comm)] = max(n_tracks.get((org, comm), 0), tr + 1)
    for org in P.ORGANISATIONS:
        for comm in ("gemeente", "PACT"):
            if (org, comm) not in n_tracks:
                continue
            if comm == "PACT":
                sel = (org_add == org) & pact_add & (u < P.PACT_COMMISSIONED_SHARE)
            else:
                has_pact = (org, "PACT") in n_tracks
                sel = (org_add == org) & ~(pact_add & has_pact & (u < P.PACT_COMMISSIONED_SHARE))
            k = n_tracks[(org, comm)]
            trk = np.minimum((tr_u * k).astype(int), k - 1)
            for tr in range(k):
                s2 = sel & (trk == tr)
                if not s2.any():
                    continue
                starts, _ = tracks[(org, comm, tr)]
                pos = np.searchsorted(starts, d_add[s2], side="right") - 1
                aid_code[is_add[s2]] = codes_by_track[(org, comm, tr)][pos]

    emp_cat = pd.Categorical(staff["employee_id"].to_numpy(object)[rep])
    org_cat = pd.Categorical(staff["organisation"].to_numpy(object)[rep])
    team_cat = pd.Categorical(staff["team"].to_numpy(object)[rep])
    df = pd.DataFrame({
        "employee_id": pd.Categorical.from_codes(emp_cat.codes[row_week], emp_cat.categories),
        "organisation": pd.Categorical.from_codes(org_cat.codes[row_week], org_cat.categories),
        "team": pd.Categorical.from_codes(team_cat.codes[row_week], team_cat.categories),
        "date": date[row_week],
        "activity": pd.Categorical.from_codes(act, list(ACTIVITY_ORDER)),
        "hours": hours,
        "legal_framework": pd.Categorical.from_codes(fw, fw_cats),
        "assignment_id": pd.Categorical.from_codes(aid_code, all_ids),
    })
    order = np.lexsort((act, df["employee_id"].cat.codes.to_numpy(), df["date"].to_numpy()))
    df = df.iloc[order].reset_index(drop=True)
    truth = {"team_base_share": {teams["team"].iloc[i]: round(float(base[i]), 4) for i in range(n_teams)},
             "individual_part_of_preventive": {teams["team"].iloc[i]: round(float(split[i]), 4)
                                               for i in range(n_teams)}}
    return HoursResult(df, model, truth)
