"""Cases: demand per team and day, trajectories with deadlines under load.

New reports arrive per team as a Poisson process (weekdays only) with a rate
from the team's population, its demand multiplier and growth, a COVID dip
and a planted surge in one team. Cases are generated quarter by quarter:
the chance to meet a legal deadline depends on the team's caseload per FTE
at the end of the quarter *before* the report (known by then), so the
deadline model is exact and free of circularity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _params as P
from ._calendar import day, has, quarter_end, quarter_of, year_of
from ._load import caseload_on

CLOSURE_REASONS = {
    "default": ("doel bereikt", "doel bereikt", "doel bereikt", "verwezen naar specialistische zorg",
                "cliënt ziet af van ondersteuning", "verhuisd buiten Zaanstad", "overleden"),
    "none": ("vraag beantwoord", "vraag beantwoord", "doorverwezen naar sociale basis",
             "geen hulpvraag"),
}


@dataclass
class CaseResult:
    cases: pd.DataFrame         # contract columns; dates as day offsets
    team_idx: np.ndarray        # team index per case
    caseload: pd.DataFrame      # team_idx, q, day, open, fte, caseload (measured quarters)
    truth: dict


def _valid_bsns(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct 9-digit numbers passing the 11-proef (BSN look-alikes)."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        k = int((n - len(out)) * 1.2) + 16
        pre = rng.choice(70_000_000, size=k, replace=False).astype(np.int64) + 10_000_000
        digits = (pre[:, None] // 10 ** np.arange(7, -1, -1)) % 10
        check = (digits * np.arange(9, 1, -1)).sum(axis=1) % 11
        ok = check < 10
        cand = pre[ok] * 10 + check[ok]
        out = np.concatenate([out, cand])
        _, first = np.unique(out, return_index=True)
        out = out[np.sort(first)]
    return out[:n]


def bsn_valid(x: str) -> bool:
    """True when ``x`` is 9 digits passing the 11-proef."""
    if len(x) != 9 or not x.isdigit():
        return False
    d = [int(c) for c in x]
    return (sum(w * v for w, v in zip(range(9, 1, -1), d[:8], strict=True)) - d[8]) % 11 == 0


def _daily_rates(teams: pd.DataFrame, until_day: int) -> np.ndarray:
    """Expected new reports per team and day (shape teams x (until_day + 1)); 0 at weekends."""
    days = np.arange(until_day + 1)
    weekday = (days + 1) % 7  # 2019-01-01 is a Tuesday -> 1 (Monday = 0)
    work = (weekday < 5) * (7.0 / 5.0)
    years_since = days / 365.25
    covid = np.where((days >= day(P.COVID["start"])) & (days <= day(P.COVID["end"])),
                     P.COVID["factor"], 1.0)
    base = (teams["population"].to_numpy(float) * P.CASE_RATE_2019 * teams["demand"].to_numpy())
    lam = base[:, None] / 365.25 * (1.0 + teams["growth"].to_numpy())[:, None] ** years_since[None, :]
    lam = lam * (work * covid)[None, :]
    surge = teams["team"].to_numpy() == P.SURGE["team"]
    win = (days >= day(P.SURGE["start"])) & (days <= day(P.SURGE["end"]))
    lam[np.ix_(surge, win)] *= P.SURGE["factor"]
    return lam


def _geom(mean: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Whole days >= 0 with the given mean."""
    return rng.geometric(1.0 / (mean + 1.0), n).astype(np.int64) - 1


def deadline_probability(alpha: float, caseload: np.ndarray) -> np.ndarray:
    """P(on time) = logistic(alpha + beta * (caseload - center)); NaN load -> center."""
    cl = np.where(np.isnan(caseload), P.DEADLINE_CENTER, caseload)
    return 1.0 / (1.0 + np.exp(-(alpha + P.DEADLINE_BETA * (cl - P.DEADLINE_CENTER))))


def _deadline_days(limit: int, p_on: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days from start to end event: on time (<= limit) with prob ``p_on``, else late."""
    n = len(p_on)
    on = rng.random(n) < p_on
    exact = rng.random(n) < P.DEADLINE_EXACT_SHARE
    lo = 1 if limit <= 14 else 3
    within = rng.integers(lo, limit, n)  # lo .. limit-1
    late = limit + rng.geometric(1.0 / P.DEADLINE_LATE_MEAN, n)
    return np.where(on, np.where(exact, limit, within), late).astype(np.int64)


def build_cases(teams: pd.DataFrame, areas: pd.DataFrame, staff: pd.DataFrame,
                staff_team: np.ndarray, until_day: int, rng: np.random.Generator) -> CaseResult:
    """Generate all cases, their trajectories and the exact team-quarter caseload.

    Draw order (fixed, so the output is byte-stable): reports, frameworks,
    areas, trajectories quarter by quarter, closure reasons, clients.
    """
    team, report = _reports(teams, until_day, rng)
    n = len(team)
    fws = np.asarray(list(P.FRAMEWORK_MIX), dtype=object)
    fw = fws[rng.choice(len(fws), size=n, p=np.asarray(list(P.FRAMEWORK_MIX.values())))]
    area = _areas_of(team, teams, areas, rng)
    cols, load_at_report, caseload = _quarterly_trajectories(team, report, fw, staff, staff_team,
                                                             len(teams), until_day, rng)
    # events after until have not happened yet
    for k in cols:
        cols[k] = np.where(cols[k] > until_day, P.NAD, cols[k])
    reason = _closure_reasons(fw, cols, rng)
    client = _clients(team, len(teams), rng)
    width = max(7, len(str(n)))
    cases = pd.DataFrame({
        "case_id": np.array([f"C{k + 1:0{width}d}" for k in range(n)], dtype=object),
        "client_id": client,
        "organisation": teams["organisation"].to_numpy(object)[team],
        "team": teams["team"].to_numpy(object)[team],
        "area_code": area,
        "legal_framework": fw,
        "date_report": report,
        **cols,
        "closure_reason": reason,
    })
    yrs = year_of(report)
    truth = {"new_cases_per_year": {str(int(y)): int(c) for y, c in zip(*np.unique(yrs, return_counts=True), strict=True)},
             "load_at_report": load_at_report}
    return CaseResult(cases, team, caseload, truth)


def _reports(teams: pd.DataFrame, until_day: int,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(team index, report day) per new case, Poisson per team and day (see
    :func:`_daily_rates`); sorted by day, then team, then a random tie-break."""
    counts = rng.poisson(_daily_rates(teams, until_day))
    t_idx, d_idx = np.nonzero(counts)
    reps = counts[t_idx, d_idx]
    team = np.repeat(t_idx, reps).astype(np.int64)
    report = np.repeat(d_idx, reps).astype(np.int64)
    order = np.lexsort((rng.random(len(team)), team, report))
    return team[order], report[order]


def _areas_of(team: np.ndarray, teams: pd.DataFrame, areas: pd.DataFrame,
              rng: np.random.Generator) -> np.ndarray:
    """Area code per case: an area of its team, drawn proportional to population
    (uniformly when the team's areas have no population)."""
    area = np.empty(len(team), dtype=object)
    u = rng.random(len(team))
    for t, name in enumerate(teams["team"]):
        a = areas[areas["team"] == name]
        w = a["population"].to_numpy(float)
        cw = np.cumsum(w) / w.sum() if w.sum() > 0 else np.linspace(1 / len(w), 1, len(w))
        sel = team == t
        area[sel] = a["area_code"].to_numpy(object)[np.minimum(np.searchsorted(cw, u[sel]), len(w) - 1)]
    return area


def _quarterly_trajectories(team: np.ndarray, report: np.ndarray, fw: np.ndarray,
                            staff: pd.DataFrame, staff_team: np.ndarray, n_teams: int,
                            until_day: int, rng: np.random.Generator
                            ) -> tuple[dict[str, np.ndarray], np.ndarray, pd.DataFrame]:
    """Event dates of all cases, generated quarter by quarter, and the caseload.

    Cases reported in quarter q meet deadlines by the team's caseload per FTE
    at the end of quarter q-1 (NaN before the first measured quarter end).

    Returns:
        (event-date columns as day offsets, not yet truncated at ``until_day``;
        caseload per FTE at report per case; the caseload table: team_idx, q,
        day, open, fte, caseload for each quarter ending by ``until_day``).
    """
    n = len(team)
    cols = {k: np.full(n, P.NAD, dtype=np.int64) for k in
            ("date_first_contact", "date_assessment_done", "date_application", "date_decision",
             "date_closed")}
    load_at_report = np.full(n, np.nan)
    q_of = quarter_of(report)
    last_q = int(quarter_of(np.array([until_day]))[0])
    s_start, s_end = staff["start_date"].to_numpy(), staff["end_date"].to_numpy()
    s_fte = staff["fte"].to_numpy(float)
    cl_rows = []
    prev = np.full(n_teams, np.nan)
    for q in range(0, last_q + 1):
        sel = np.flatnonzero(q_of == q)
        if len(sel):
            cl = prev[team[sel]]
            load_at_report[sel] = cl
            _trajectories(sel, fw, report, cl, cols, rng)
        d = int(quarter_end(q))
        if d <= until_day:
            done = slice(0, int(np.searchsorted(report, d, side="right")))
            closed = np.where(cols["date_closed"] > until_day, P.NAD, cols["date_closed"])
            o, f, c = caseload_on(report[done], closed[done], team[done], s_start, s_end, s_fte,
                                  staff_team, n_teams, d)
            prev = c
            for t in range(n_teams):
                cl_rows.append((t, q, d, o[t], f[t], c[t]))
    caseload = pd.DataFrame(cl_rows, columns=["team_idx", "q", "day", "open", "fte", "caseload"])
    return cols, load_at_report, caseload


def _closure_reasons(fw: np.ndarray, cols: dict[str, np.ndarray],
                     rng: np.random.Generator) -> np.ndarray:
    """Closure reason per closed case (None when open), drawn uniformly from
    ``CLOSURE_REASONS`` by framework; 'none' cases never contacted: 'geen hulpvraag'."""
    reason = np.full(len(fw), None, dtype=object)
    closed_mask = has(cols["date_closed"])
    u = rng.random(len(fw))
    for key, opts in CLOSURE_REASONS.items():
        sel = closed_mask & ((fw == "none") if key == "none" else (fw != "none"))
        arr = np.asarray(opts, dtype=object)
        reason[sel] = arr[np.minimum((u[sel] * len(arr)).astype(int), len(arr) - 1)]
    no_contact = (fw == "none") & ~has(cols["date_first_contact"]) & closed_mask
    reason[no_contact] = "geen hulpvraag"
    return reason


def _trajectories(sel: np.ndarray, fw: np.ndarray, report: np.ndarray, load: np.ndarray,
                  cols: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Fill the event dates of cases ``sel`` in place (before truncation at until)."""
    f = fw[sel]
    r = report[sel]
    m = len(sel)
    contact = r + _geom(4.0, m, rng)
    assess = np.full(m, P.NAD)
    appl = np.full(m, P.NAD)
    dec = np.full(m, P.NAD)
    D = P.DEADLINES

    w = f == "wmo"
    if w.any():
        da = _deadline_days(D["wmo_assessment"]["limit"],
                            deadline_probability(D["wmo_assessment"]["alpha"], load[w]), rng)
        assess[w] = r[w] + da
        contact[w] = np.minimum(contact[w], assess[w])
    g = f == "wgs"
    if g.any():
        contact[g] = r[g] + _deadline_days(D["wgs_first_contact"]["limit"],
                                           deadline_probability(D["wgs_first_contact"]["alpha"], load[g]), rng)
    for fname, key in (("wmo", "wmo_decision"), ("jeugdwet", "jeugdwet_decision"),
                       ("participatiewet", "participatiewet_decision")):
        s = f == fname
        if not s.any():
            continue
        has_app = rng.random(int(s.sum())) < P.APPLICATION_SHARE[fname]
        base = assess[s] if fname == "wmo" else contact[s]
        app = base + (_geom(4.0, int(s.sum()), rng) if fname == "wmo" else _geom(14.0, int(s.sum()), rng))
        dd = _deadline_days(D[key]["limit"], deadline_probability(D[key]["alpha"], load[s]), rng)
        appl[s] = np.where(has_app, app, P.NAD)
        dec[s] = np.where(has_app, app + dd, P.NAD)
    nc = (f == "none") & (rng.random(m) < 0.05)
    contact[nc] = P.NAD

    last = np.maximum.reduce([r, np.where(contact == P.NAD, r, contact), assess, appl, dec])
    mean = np.array([P.CLOSE_MEAN_DAYS[x] for x in f], dtype=float)
    resid_mean = np.maximum(14.0, mean - 30.0)
    resid_mean = np.where(nc, 7.0, resid_mean)
    mu = np.log(resid_mean) - P.CLOSE_SIGMA ** 2 / 2
    resid = np.maximum(1, np.round(rng.lognormal(mu, P.CLOSE_SIGMA))).astype(np.int64)
    closed = last + resid
    cols["date_first_contact"][sel] = contact
    cols["date_assessment_done"][sel] = assess
    cols["date_application"][sel] = appl
    cols["date_decision"][sel] = dec
    cols["date_closed"][sel] = closed


def _clients(team: np.ndarray, n_teams: int, rng: np.random.Generator) -> np.ndarray:
    """Client ids (BSN look-alikes); a share re-register in the same team."""
    n = len(team)
    order = np.lexsort((np.arange(n), team))  # by team, then by report (input order)
    pos = np.empty(n, dtype=np.int64)
    parent = np.arange(n)
    counts = np.bincount(team, minlength=n_teams)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    pos[order] = np.arange(n)
    rank_in_team = pos - starts[team]
    window = np.maximum(1, (2 * counts / 7.75).astype(np.int64))[team]
    reuse = (rng.random(n) < P.REREGISTRATION_SHARE) & (rank_in_team > 0)
    k = 1 + (rng.random(n) * np.minimum(rank_in_team, window)).astype(np.int64)
    src_pos = np.where(reuse, pos - k, pos)
    parent = order[src_pos]
    for _ in range(200):
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    roots, inv = np.unique(parent, return_inverse=True)
    bsn = _valid_bsns(len(roots), rng)
    # number clients in order of first appearance so ids do not depend on np.unique order
    first_seen = np.full(len(roots), n, dtype=np.int64)
    np.minimum.at(first_seen, inv, np.arange(n))
    rank = np.empty(len(roots), dtype=np.int64)
    rank[np.argsort(first_seen, kind="stable")] = np.arange(len(roots))
    return np.array([f"{b:09d}" for b in bsn], dtype=object)[rank[inv]]
