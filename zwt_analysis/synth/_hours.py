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
    """Generate the time registrations (see module doc; ``variant``: :func:`plant_shares`).

    Draw order (fixed, so the output is byte-stable): planted shares, preventive
    split, employee weeks, week hours, legal frameworks, assignment ids.
    """
    n_teams = len(teams)
    n_q = int(quarter_of(np.array([until_day]))[0]) + 1
    grid, model, base = plant_shares(caseload, n_teams, n_q, rng, variant, seed)
    split = rng.uniform(0.5, 0.7, n_teams)  # individual part of preventive hours
    rep, date, nd = _employee_weeks(staff, until_day, rng)
    t = staff_team[rep]
    pact = teams["pact"].to_numpy(bool)[t]
    h = _week_hours(staff["fte"].to_numpy(float)[rep], nd, staff["role"].to_numpy(object)[rep],
                    pact, grid[t, quarter_of(date)], split[t], rng)
    row_week, act, hours = _long_rows(h)
    del h
    fw = _framework_codes(act, rng)
    org_week = staff["organisation"].to_numpy(object)[rep]
    aid_code, all_ids = _assignment_codes(act, row_week, date, org_week, pact, tracks, rng)
    df = pd.DataFrame({
        **_staff_columns(staff, rep, row_week),
        "date": date[row_week],
        "activity": pd.Categorical.from_codes(act, list(ACTIVITY_ORDER)),
        "hours": hours,
        "legal_framework": pd.Categorical.from_codes(fw, [*STATUTORY_FRAMEWORKS, "none"]),
        "assignment_id": pd.Categorical.from_codes(aid_code, all_ids),
    })
    order = np.lexsort((act, df["employee_id"].cat.codes.to_numpy(), df["date"].to_numpy()))
    df = df.iloc[order].reset_index(drop=True)
    return HoursResult(df, model, _hours_truth(teams, base, split))


def _employee_weeks(staff: pd.DataFrame, until_day: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per employee-week worked: (staff row, registration day, working days).

    Weeks run Monday..Sunday; a spell's weeks are clipped to its start and end
    (open or later ends: ``until_day``), work days are Monday..Friday. A week is
    dropped when it has no work day in the spell or the employee is absent
    (share ``P.ABSENT_WEEK_SHARE``). The registration day (day offset) is one
    uniformly drawn work day of the week; working days are 1..5.
    """
    start = np.maximum(staff["start_date"].to_numpy(), 0)
    end_raw = staff["end_date"].to_numpy()
    end = np.where(has(end_raw), np.minimum(end_raw, until_day), until_day)
    sp = np.flatnonzero(start <= end)
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
    nd = hi - lo + 1
    date = lo + (rng.random(len(rep)) * nd).astype(np.int64)
    return rep, date, nd


def _week_hours(fte: np.ndarray, nd: np.ndarray, role: np.ndarray, pact: np.ndarray,
                planned_share: np.ndarray, split: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    """Hours per employee-week and activity (shape n x 6, columns in ``ACTIVITY_ORDER``).

    Args:
        fte: FTE of the week's spell; nd: working days in the week (1..5).
        role: the spell's role (team leads and support staff get fixed shares).
        pact: the team is a PACT team (higher additional-assignment share).
        planned_share: the team-quarter planned preventive share of direct hours (0..1).
        split: the team's individual part of preventive hours (0..1).

    Returns:
        Hours rounded to quarter hours, at most 24 per cell; zero cells mean no row.
    """
    n = len(fte)
    total = fte * P.HOURS_PER_FTE_WEEK * nd / 5.0 * np.clip(rng.normal(1.0, 0.06, n), 0.7, 1.3)
    add = np.where(pact, P.ADDITIONAL_SHARE["pact"], P.ADDITIONAL_SHARE["other"]) * rng.lognormal(0, 0.25, n)
    coord = P.COORDINATION_SHARE * rng.lognormal(0, 0.2, n)
    over = P.OVERHEAD_SHARE * rng.lognormal(0, 0.2, n)
    over = np.where(role == "team_lead", 0.35, np.where(role == "support", 0.45, over))
    coord = np.where(role == "team_lead", 0.25, coord)
    direct = np.clip(1.0 - add - coord - over, 0.05, 1.0)
    share = np.clip(planned_share + rng.normal(0.0, P.PREVENTION_ROW_SD, n), 0.01, 0.97)
    prev = total * direct * share
    h = np.stack([
        total * direct - prev,
        prev * split,
        prev * (1.0 - split),
        total * coord,
        total * add,
        total * over,
    ], axis=1)
    return np.minimum(np.round(h * 4.0) / 4.0, 24.0)


def _long_rows(h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long form of the positive cells of ``h``: (week row, activity code 0..5, hours)."""
    present = h > 0
    flat = present.ravel()
    n, k = h.shape
    return np.repeat(np.arange(n), k)[flat], np.tile(np.arange(k), n)[flat], h.ravel()[flat]


def _framework_codes(act: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Legal-framework code per hours row: statutory rows drawn by the case mix
    (codes into ``STATUTORY_FRAMEWORKS``), preventive rows 4 ('none'), others -1 (empty)."""
    mix = np.array([P.FRAMEWORK_MIX[f] for f in STATUTORY_FRAMEWORKS])
    fw_code = rng.choice(len(mix), size=len(act), p=mix / mix.sum())
    return np.where(act == 0, fw_code, np.where((act == 1) | (act == 2), 4, -1))


def _track_catalogue(tracks: dict) -> tuple[list[str], dict, dict]:
    """All assignment ids (first seen over the sorted track keys), the id codes of each
    track, and the number of tracks per (organisation, commissioner)."""
    all_ids: list[str] = []
    id_pos: dict[str, int] = {}
    for _key, (_starts, ids) in sorted(tracks.items()):
        for a in ids:
            if a not in id_pos:
                id_pos[a] = len(all_ids)
                all_ids.append(a)
    codes_by_track = {k: np.array([id_pos[a] for a in v[1]], dtype=np.int64) for k, v in tracks.items()}
    n_tracks: dict[tuple[str, str], int] = {}
    for (org, comm, tr) in tracks:
        n_tracks[(org, comm)] = max(n_tracks.get((org, comm), 0), tr + 1)
    return all_ids, codes_by_track, n_tracks


def _commissioned(org: str, comm: str, org_add: np.ndarray, pact_add: np.ndarray,
                  u: np.ndarray, org_has_pact: bool) -> np.ndarray:
    """Mask of additional rows of ``org`` commissioned by ``comm`` ('gemeente' or 'PACT').

    A PACT team's row is PACT-commissioned when its uniform ``u`` is below
    ``P.PACT_COMMISSIONED_SHARE`` (and the organisation has PACT tracks); the
    organisation's other rows are commissioned by the municipality.
    """
    if comm == "PACT":
        return (org_add == org) & pact_add & (u < P.PACT_COMMISSIONED_SHARE)
    return (org_add == org) & ~(pact_add & org_has_pact & (u < P.PACT_COMMISSIONED_SHARE))


def _assignment_codes(act: np.ndarray, row_week: np.ndarray, date: np.ndarray,
                      org_week: np.ndarray, pact_week: np.ndarray, tracks: dict,
                      rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """Assignment id code per hours row (-1 = none) and the id categories.

    Only additional-assignment rows (activity 4) get an id: the commissioner
    (see :func:`_commissioned`), then a uniformly drawn track of that
    organisation and commissioner, then the track's assignment running on the
    row's date (day offset).
    """
    aid_code = np.full(len(act), -1, dtype=np.int64)
    is_add = np.flatnonzero(act == 4)
    wk = row_week[is_add]
    d_add, org_add, pact_add = date[wk], org_week[wk], pact_week[wk]
    u = rng.random(len(is_add))
    tr_u = rng.random(len(is_add))
    all_ids, codes_by_track, n_tracks = _track_catalogue(tracks)
    for org in P.ORGANISATIONS:
        for comm in ("gemeente", "PACT"):
            if (org, comm) not in n_tracks:
                continue
            sel = _commissioned(org, comm, org_add, pact_add, u, (org, "PACT") in n_tracks)
            k = n_tracks[(org, comm)]
            trk = np.minimum((tr_u * k).astype(int), k - 1)
            for tr in range(k):
                s2 = sel & (trk == tr)
                if not s2.any():
                    continue
                starts, _ = tracks[(org, comm, tr)]
                pos = np.searchsorted(starts, d_add[s2], side="right") - 1
                aid_code[is_add[s2]] = codes_by_track[(org, comm, tr)][pos]
    return aid_code, all_ids


def _staff_columns(staff: pd.DataFrame, rep: np.ndarray,
                   row_week: np.ndarray) -> dict[str, pd.Categorical]:
    """Employee id, organisation and team per hours row, as categoricals."""
    out = {}
    for col in ("employee_id", "organisation", "team"):
        cat = pd.Categorical(staff[col].to_numpy(object)[rep])
        out[col] = pd.Categorical.from_codes(cat.codes[row_week], cat.categories)
    return out


def _hours_truth(teams: pd.DataFrame, base: np.ndarray, split: np.ndarray) -> dict:
    """Ground truth per team: base preventive share and individual part (fractions, 4 decimals)."""
    names = teams["team"]
    return {"team_base_share": {names.iloc[i]: round(float(base[i]), 4) for i in range(len(teams))},
            "individual_part_of_preventive": {names.iloc[i]: round(float(split[i]), 4)
                                              for i in range(len(teams))}}
