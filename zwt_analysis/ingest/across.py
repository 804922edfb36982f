"""Rules across tables: organisation/team spelling from ``areas``, unknown teams, as-of.

Run after every table passed its own rules (:mod:`.check`): first
:func:`apply_areas`, then the as-of date is chosen (:func:`choose_as_of`)
and event dates after it are quarantined (:func:`apply_as_of`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.contract import TABLES
from zwt_analysis.ingest import parse, schemas
from zwt_analysis.ingest.check import TableResult
from zwt_analysis.ingest.names import norm, norm_text, preferred_spelling, respell


def apply_areas(results: dict[str, TableResult]) -> None:
    """Organisation/team/area_code spelling from ``areas`` and the unknown-team rule.

    Matching is on trimmed, case-insensitive text with runs of white space
    made one; matched values take their most frequent spelling among the clean
    rows of ``areas`` (ties: the first). A team must be held by the row's organisation in ``areas``
    (``unknown team (not in areas)``, or ``team not held by X in areas`` when
    another organisation holds it). Rows with an empty optional team are not
    checked. Without ``areas`` nothing is checked or respelled.
    """
    if "areas" not in results:
        return
    areas = results["areas"]
    a = areas.parsed[~areas.broken_rows()]
    org_key, team_key = norm(a["organisation"]), norm(a["team"])
    org_map = preferred_spelling(org_key, a["organisation"])
    code_map = preferred_spelling(norm(a["area_code"]), a["area_code"])
    pair_key = pd.Series([f"{o}\x1f{t}" for o, t in zip(org_key, team_key, strict=True)],
                         index=a.index, dtype=object)
    pair_map = {tuple(k.split("\x1f")): v
                for k, v in preferred_spelling(pair_key, a["team"]).items()}
    teams_known = {t for _, t in pair_map}

    for name, res in results.items():
        if "organisation" not in res.parsed.columns:
            continue
        df = res.parsed.copy()
        org_raw = df["organisation"]
        df["organisation"] = respell(org_raw, org_map)
        if name == "areas" or name in schemas.AREA_CODE_TABLES:
            df["area_code"] = respell(df["area_code"], code_map)
        if name != "areas" and name not in schemas.TEAM_TABLES:
            res.parsed = df
            continue
        o_codes, o_uniq = parse.codes_and_uniques(org_raw)
        t_codes, t_uniq = parse.codes_and_uniques(df["team"])
        o_norm = [norm_text(u) for u in o_uniq]
        t_norm = [norm_text(u) for u in t_uniq]
        pair = o_codes * (len(t_uniq) + 1) + t_codes
        p_codes, p_uniq = pd.factorize(pair)
        canon_u, unknown_u, other_u = [], [], []
        for p in p_uniq:
            oc, tc = divmod(int(p), len(t_uniq) + 1)
            if oc < 0 or tc < 0 or tc >= len(t_uniq):  # organisation or team missing
                canon_u.append(None)
                unknown_u.append(False)
                other_u.append(False)
                continue
            hit = pair_map.get((o_norm[oc], t_norm[tc]))
            canon_u.append(hit if hit is not None else t_uniq[tc])
            unknown_u.append(hit is None)
            other_u.append(hit is None and t_norm[tc] in teams_known)
        keep_team = np.array([c is None for c in canon_u] + [True])[p_codes]
        team = parse.categorical_from_codes(p_codes, canon_u, df.index)
        if keep_team.any():  # organisation missing: the team stays as written
            team = parse.as_string(team).where(~keep_team, parse.as_string(df["team"]))
        df["team"] = team
        res.parsed = df
        if name == "areas":
            continue
        unknown = np.array(unknown_u, dtype=bool)[p_codes]
        if not unknown.any():
            continue
        other_org = unknown & np.array(other_u, dtype=bool)[p_codes]
        reasons = np.full(len(df), schemas.UNKNOWN_TEAM, dtype=object)
        rules = reasons.copy()
        if other_org.any():
            reasons[other_org] = [schemas.team_owner_reason(x)
                                  for x in df["organisation"][other_org]]
            rules[other_org] = "team not held by the row's organisation in areas"
        res.add(np.flatnonzero(unknown), "team", res.raw.frame["team"][unknown].to_numpy(),
                reasons[unknown], rule=rules[unknown])


def event_columns(name: str) -> list[str]:
    """Event-date columns of table ``name`` (may not lie after as-of)."""
    return [c.name for c in TABLES[name].columns if c.kind == "date" and c.event]


def choose_as_of(results: dict[str, TableResult], given: date | None, today: date) -> tuple[date, str]:
    """The as-of date and how it was chosen (``"option"``, ``"data"`` or ``"today"``).

    ``given`` wins. Otherwise the latest event date among rows that break no
    other rule, but never after ``today``; with no event dates at all, today.
    """
    if given is not None:
        return given, "option"
    latest = None
    for name, res in results.items():
        cols = event_columns(name)
        if not cols or not len(res.parsed):
            continue
        ok = ~res.broken_rows()
        m = res.parsed.loc[ok, cols].max().max()
        if pd.notna(m) and (latest is None or m > latest):
            latest = m
    if latest is None:
        return today, "today"
    latest_d = pd.Timestamp(latest).date()
    if latest_d > today:
        return today, "today"
    return latest_d, "data"


def apply_as_of(results: dict[str, TableResult], as_of: date) -> None:
    """Quarantine event dates after ``as_of`` (planned end dates are not events)."""
    limit = pd.Timestamp(as_of)
    reason = schemas.as_of_reason(as_of.isoformat())
    for name, res in results.items():
        for c in event_columns(name):
            late = (res.parsed[c] > limit).fillna(False).to_numpy(dtype=bool)
            if late.any():
                res.add(np.flatnonzero(late), c, res.raw.frame[c][late].to_numpy(), reason,
                        rule="event date after as-of")
