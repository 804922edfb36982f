"""Staff: formation slots filled by employment spells (a hazard model).

Each team has slots (its budgeted formation). A slot's occupant leaves with
a daily hazard that depends on the organisation and year (plus a planted dip
in one team); the slot is then vacant for a gamma-distributed lag before the
next spell starts, so headcount and FTE lag the formation. Transfers reuse
the person's ``employee_id`` in a new spell elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _params as P
from ._calendar import day, year_of


@dataclass
class StaffResult:
    staff: pd.DataFrame        # contract columns, dates as day offsets (NAD = missing)
    slots: pd.DataFrame        # team, organisation, open_day, fte, role
    formation: pd.DataFrame    # organisation, year, budgeted_fte
    spell_team_idx: np.ndarray  # team index per staff row
    truth: dict


def _mean_fte() -> float:
    """Expected FTE of a fresh draw from ``P.FTE_VALUES``."""
    return float(np.dot(P.FTE_VALUES, P.FTE_PROBS))


def mean_close_days() -> float:
    """Mean days from report to closure over the framework mix."""
    return float(sum(P.FRAMEWORK_MIX[f] * P.CLOSE_MEAN_DAYS[f] for f in P.FRAMEWORK_MIX))


def build_slots(teams: pd.DataFrame, until_day: int, rng: np.random.Generator) -> pd.DataFrame:
    """Formation slots per team (2019 size from expected caseload, then growth)."""
    annual = teams["population"].to_numpy(float) * P.CASE_RATE_2019 * teams["demand"].to_numpy()
    open_cases = annual * mean_close_days() / 365.25
    n0 = np.maximum(2, np.round(open_cases / P.FORMATION_CASELOAD / _mean_fte())).astype(int)
    team_idx, open_day = [], []
    for t, n in enumerate(n0):
        team_idx += [t] * int(n)
        open_day += [0] * int(n)
    for when, share in P.FORMATION_GROWTH:
        d = day(when)
        if d > until_day:
            continue
        extra = np.round(n0 * share).astype(int)
        for t, n in enumerate(extra):
            team_idx += [t] * int(n)
            open_day += [d] * int(n)
    team_idx = np.asarray(team_idx, dtype=np.int64)
    open_day = np.asarray(open_day, dtype=np.int64)
    n = len(team_idx)
    fte = rng.choice(np.asarray(P.FTE_VALUES), size=n, p=np.asarray(P.FTE_PROBS))
    u = rng.random(n)
    role = np.where(u < 0.10, "support", np.where(u < 0.25, "specialist", "generalist")).astype(object)
    first = np.r_[True, team_idx[1:] != team_idx[:-1]]
    role[first] = "team_lead"
    fte = np.where(first, np.maximum(fte, 0.9), fte)
    return pd.DataFrame({
        "team_idx": team_idx,
        "team": teams["team"].to_numpy(object)[team_idx],
        "organisation": teams["organisation"].to_numpy(object)[team_idx],
        "open_day": open_day,
        "fte": fte,
        "role": role,
    })


def outflow_rate(org: str, year: np.ndarray | int) -> np.ndarray:
    """Planned org-level annual outflow rate (linear 2019 -> 2026, flat outside)."""
    lo, hi = P.OUTFLOW[org]
    frac = np.clip((np.asarray(year, dtype=float) - 2019.0) / 7.0, 0.0, 1.0)
    return lo + (hi - lo) * frac


def _cum_hazard(teams: pd.DataFrame, until_day: int) -> np.ndarray:
    """Per team, cumulative hazard before day ``t`` (shape teams x (U+3))."""
    days = np.arange(until_day + 2)
    years = year_of(days)
    internal = P.END_REASON_MIX["transfer_internal"]
    out = np.zeros((len(teams), until_day + 3))
    dip_lo, dip_hi = day(P.STAFF_DIP["start"]), day(P.STAFF_DIP["end"])
    for i, (team, org) in enumerate(zip(teams["team"], teams["organisation"], strict=True)):
        p = outflow_rate(org, years)
        h = -np.log1p(-p) / 365.25 / (1.0 - internal)
        if team == P.STAFF_DIP["team"]:
            win = (days >= dip_lo) & (days <= dip_hi)
            if win.any():
                h = h + win * (P.STAFF_DIP["extra_cumulative_hazard"] / (dip_hi - dip_lo + 1))
        out[i, 1:] = np.cumsum(h)
    return out


def _lag(orgs: np.ndarray, ends: np.ndarray, team_idx: np.ndarray, dip_team: int,
         rng: np.random.Generator) -> np.ndarray:
    """Refill lag in whole days (>= 1): gamma with shape 2 and the organisation's mean
    (``P.REFILL_MONTHS``), longer in the dip team for ends within the dip window."""
    mean = np.array([P.REFILL_MONTHS[o] for o in orgs], dtype=float) * 30.44
    dip = ((team_idx == dip_team) & (ends >= day(P.STAFF_DIP["start"]))
           & (ends <= day(P.STAFF_DIP["end"])))
    mean = np.where(dip, mean * P.STAFF_DIP["refill_factor"], mean)
    return np.maximum(1, np.round(rng.gamma(2.0, mean / 2.0))).astype(np.int64)


def build_staff(teams: pd.DataFrame, until_day: int, rng: np.random.Generator) -> StaffResult:
    """Generate slots, spells, transfers, employee ids and the formation.

    Draw order (fixed, so the output is byte-stable): slots, first starts,
    spell ends and refill lags, spell FTE, end reasons, fixed-term contracts.
    """
    slots = build_slots(teams, until_day, rng)
    dip_team = int(np.flatnonzero(teams["team"].to_numpy() == P.STAFF_DIP["team"])[0])
    slot_i, sp_start, sp_end = _spells(slots, teams, until_day, dip_team, rng)
    team_i = slots["team_idx"].to_numpy()[slot_i]
    org = slots["organisation"].to_numpy(object)[slot_i]
    role = slots["role"].to_numpy(object)[slot_i]
    fte = _spell_fte(slots["fte"].to_numpy()[slot_i], role, rng)
    reason = _end_reasons(sp_end, rng)
    sp_end, reason, parent, n_failed = _link_transfers(sp_start, sp_end, reason, team_i, org)
    sp_end, reason = _fixed_terms(sp_start, sp_end, reason, until_day, rng)
    team_names = teams["team"].to_numpy(object)
    staff = pd.DataFrame({
        "employee_id": _employee_ids(parent),
        "organisation": org,
        "team": team_names[team_i],
        "role": role,
        "fte": fte.astype(float),
        "start_date": sp_start,
        "end_date": sp_end,
        "end_reason": reason,
    })
    staff["_team_idx"] = team_i
    staff = staff.sort_values(["start_date", "employee_id"], kind="stable", ignore_index=True)
    team_idx = staff.pop("_team_idx").to_numpy()
    slot_counts = np.bincount(slots["team_idx"].to_numpy(), minlength=len(teams))
    truth = {"transfers_without_match_relabelled_voluntary": int(n_failed),
             "slots_per_team": {str(t): int(c) for t, c in zip(team_names, slot_counts, strict=True)}}
    return StaffResult(staff, slots, _formation(slots, until_day), team_idx, truth)


def _first_starts(slots: pd.DataFrame, until_day: int, dip_team: int,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(slot, start day) of each slot's first spell starting by ``until_day``.

    Slots open on day 0 are filled with 95% chance by an occupant who started
    up to 11 years earlier (negative day offset); the others start after a
    refill lag (days) from the slot's opening day.
    """
    n = len(slots)
    open_day = slots["open_day"].to_numpy()
    filled = (open_day == 0) & (rng.random(n) < 0.95)
    start = np.where(filled, -rng.integers(1, 11 * 365, n), 0).astype(np.int64)
    vac = ~filled
    start[vac] = open_day[vac] + _lag(slots["organisation"].to_numpy(object)[vac], open_day[vac],
                                      slots["team_idx"].to_numpy()[vac], dip_team, rng)
    return np.arange(n)[start <= until_day], start[start <= until_day]


def _spells(slots: pd.DataFrame, teams: pd.DataFrame, until_day: int, dip_team: int,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Employment spells (slot, start day, end day), sorted by start then slot.

    Each spell ends when the team's cumulative hazard from its start (day 0 at
    the earliest) exceeds a unit exponential draw; an end after ``until_day``
    is open (``P.NAD``). An ended spell's slot is refilled after a lag (days)
    while that falls by ``until_day``.
    """
    H = _cum_hazard(teams, until_day)
    width = H.shape[1]
    # one increasing array: each team's curve shifted above the previous team's
    flatH = (H + (np.arange(len(teams)) * (H[:, -1].max() + 10.0))[:, None]).ravel()
    s_team = slots["team_idx"].to_numpy()
    s_org = slots["organisation"].to_numpy(object)
    pend_slot, pend_start = _first_starts(slots, until_day, dip_team, rng)
    rec_slot, rec_start, rec_end = [], [], []
    while len(pend_slot):
        t = s_team[pend_slot]
        e = rng.exponential(1.0, len(pend_slot))
        base = t * width
        target = flatH[base + np.maximum(pend_start, 0)] + e
        idx = np.searchsorted(flatH, target, side="left") - base - 1
        end = np.where(idx > until_day, P.NAD, idx).astype(np.int64)
        rec_slot.append(pend_slot)
        rec_start.append(pend_start)
        rec_end.append(end)
        ended = end != P.NAD
        nxt = end[ended] + 1 + _lag(s_org[pend_slot[ended]], end[ended], t[ended], dip_team, rng)
        keep = nxt <= until_day
        pend_slot = pend_slot[ended][keep]
        pend_start = nxt[keep]
    slot_i = np.concatenate(rec_slot)
    sp_start = np.concatenate(rec_start)
    sp_end = np.concatenate(rec_end)
    order = np.lexsort((slot_i, sp_start))
    return slot_i[order], sp_start[order], sp_end[order]


def _spell_fte(slot_fte: np.ndarray, role: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """FTE per spell: the slot's FTE with 70% chance, else a fresh draw; team leads >= 0.9."""
    m = len(slot_fte)
    fte = np.where(rng.random(m) < 0.7, slot_fte,
                   rng.choice(np.asarray(P.FTE_VALUES), size=m, p=np.asarray(P.FTE_PROBS)))
    return np.where(role == "team_lead", np.maximum(fte, 0.9), fte)


def _end_reasons(sp_end: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """End reason per spell drawn from ``P.END_REASON_MIX``; None for open spells."""
    reasons = np.asarray(list(P.END_REASON_MIX), dtype=object)
    reason = reasons[rng.choice(len(reasons), size=len(sp_end),
                                p=np.asarray(list(P.END_REASON_MIX.values())))]
    return np.where(sp_end != P.NAD, reason, None)


def _link_transfers(sp_start: np.ndarray, sp_end: np.ndarray, reason: np.ndarray,
                    team_i: np.ndarray, org: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Link each transfer to a fresh hire in another team (returns copies, inputs unchanged).

    In order of end day, a transfer takes the latest unlinked spell starting
    after day 0, within 90 days before to 1 day after its end, at least 31 days
    after its own start, in another team of the same organisation (internal)
    or of another organisation; its end moves to the day before that start.
    Without a candidate the reason becomes 'voluntary'.

    Returns:
        (end days, reasons, root spell per spell, number relabelled voluntary).
    """
    sp_end, reason = sp_end.copy(), reason.copy()
    m = len(sp_start)
    parent = np.arange(m)
    linked = np.zeros(m, dtype=bool)
    tr = np.flatnonzero((sp_end != P.NAD) & np.isin(reason, ["transfer_internal", "transfer_other_wijkteam"]))
    tr = tr[np.lexsort((tr, sp_end[tr]))]
    fresh = sp_start > 0
    n_failed = 0
    for i in tr:
        internal = reason[i] == "transfer_internal"
        cand = fresh & ~linked & (sp_start <= sp_end[i] + 1) & (sp_start >= sp_end[i] - 90) \
            & (sp_start >= sp_start[i] + 31) & (team_i != team_i[i])
        cand &= (org == org[i]) if internal else (org != org[i])
        c = np.flatnonzero(cand)
        if len(c) == 0:
            reason[i] = "voluntary"
            n_failed += 1
            continue
        j = c[np.lexsort((c, -sp_start[c]))[0]]
        sp_end[i] = sp_start[j] - 1
        parent[j] = i
        linked[j] = True
    for _ in range(64):
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    return sp_end, reason, parent, n_failed


def _fixed_terms(sp_start: np.ndarray, sp_end: np.ndarray, reason: np.ndarray, until_day: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-term contracts among open spells started in the last 548 days.

    A share ``P.FIXED_TERM_SHARE`` gets a planned end (after ``until_day``) of
    364 or 729 days after the start, reason 'end_of_contract'.
    """
    open_recent = (sp_end == P.NAD) & (sp_start > until_day - 548) \
        & (rng.random(len(sp_start)) < P.FIXED_TERM_SHARE)
    planned = sp_start + np.where(sp_start + 364 > until_day, 364, 729)
    return np.where(open_recent, planned, sp_end), np.where(open_recent, "end_of_contract", reason)


def _employee_ids(parent: np.ndarray) -> np.ndarray:
    """Employee id per spell ('E' + zero-padded number), numbered in order of each
    person's first spell (``parent``: the person's root spell)."""
    m = len(parent)
    roots, first_pos = np.unique(parent, return_index=True)
    order_roots = roots[np.argsort(first_pos, kind="stable")]
    rank_of_root = np.empty(m, dtype=np.int64)
    rank_of_root[order_roots] = np.arange(len(order_roots))
    width_id = max(5, len(str(len(order_roots))))
    ids = np.array([f"E{k + 1:0{width_id}d}" for k in range(len(order_roots))], dtype=object)
    return ids[rank_of_root[parent]]


def _formation(slots: pd.DataFrame, until_day: int) -> pd.DataFrame:
    """Budgeted FTE per organisation and year: FTE of slots open on 1 July (2 decimals)."""
    years = np.arange(2019, int(year_of(np.array([until_day]))[0]) + 1)
    rows = []
    for org_name in P.ORGANISATIONS:
        so = slots[slots["organisation"] == org_name]
        for y in years:
            jul1 = day(pd.Timestamp(y, 7, 1).date())
            rows.append((org_name, int(y), round(float(so.loc[so["open_day"] <= jul1, "fte"].sum()), 2)))
    return pd.DataFrame(rows, columns=["organisation", "year", "budgeted_fte"])
