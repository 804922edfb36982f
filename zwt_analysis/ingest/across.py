"""Rules across tables: names from ``areas``, unknown teams, as-of, identifier masking.

Run after every table passed its own rules (:mod:`.check`): first
:func:`apply_areas`, then the as-of date is chosen (:func:`choose_as_of`)
and event dates after it are quarantined (:func:`apply_as_of`); last, raw
identifiers written inside free text are masked (:func:`mask_identifiers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from zwt_analysis.contract import PERSON_ID_COLUMNS, TABLES
from zwt_analysis.ingest import parse, privacy, schemas
from zwt_analysis.ingest.check import TableResult
from zwt_analysis.ingest.names import norm, norm_text, preferred_spelling, respell


@dataclass(frozen=True)
class _Spellings:
    """How ``areas`` writes organisations, area codes and (organisation, team) pairs."""

    org: dict[str, str]
    code: dict[str, str]
    pair: dict[tuple[str, str], str]

    @property
    def teams(self) -> set[str]:
        return {t for _, t in self.pair}


def _spellings(areas: TableResult) -> _Spellings:
    a = areas.parsed[~areas.broken_rows()]
    org_key, team_key = norm(a["organisation"]), norm(a["team"])
    pair_key = pd.Series([f"{o}\x1f{t}" for o, t in zip(org_key, team_key, strict=True)],
                         index=a.index, dtype=object)
    return _Spellings(
        org=preferred_spelling(org_key, a["organisation"]),
        code=preferred_spelling(norm(a["area_code"]), a["area_code"]),
        pair={tuple(k.split("\x1f")): v
              for k, v in preferred_spelling(pair_key, a["team"]).items()},
    )


def apply_areas(results: dict[str, TableResult]) -> None:
    """Organisation/team/area_code spelling from ``areas`` and the unknown-team rule.

    Names are matched in their normalised form (:func:`.names.norm_text`:
    accents, case, dashes, spacing); matched values take their most frequent
    spelling among the clean rows of ``areas`` (ties: the first), and every
    respelling applied is kept in ``name_mappings``. A team must be held by
    the row's organisation in ``areas`` (``unknown team (not in areas)``, or
    ``team not held by X in areas`` when another organisation holds it).
    Rows with an empty optional team are not checked. Without ``areas``
    nothing is checked or respelled.
    """
    if "areas" not in results:
        return
    sp = _spellings(results["areas"])
    for name, res in results.items():
        if "organisation" not in res.parsed.columns:
            continue
        df = res.parsed.copy()
        org_raw = df["organisation"]
        df["organisation"] = _respell_logged(res, "organisation", org_raw, sp.org)
        if name == "areas" or name in schemas.AREA_CODE_TABLES:
            df["area_code"] = _respell_logged(res, "area_code", df["area_code"], sp.code)
        if name == "areas" or name in schemas.TEAM_TABLES:
            _teams(res, df, org_raw, sp, check=name != "areas")
        res.parsed = df


def _respell_logged(res: TableResult, column: str, s: pd.Series,
                    spelling: dict[str, str]) -> pd.Series:
    out, applied = respell(s, spelling)
    if applied:
        res.name_mappings.setdefault(column, {}).update(applied)
    return out


def _teams(res: TableResult, df: pd.DataFrame, org_raw: pd.Series, sp: _Spellings,
           check: bool) -> None:
    """Respell ``df["team"]`` from areas; with ``check``, quarantine unknown teams."""
    o_codes, o_uniq = parse.codes_and_uniques(org_raw)
    t_codes, t_uniq = parse.codes_and_uniques(df["team"])
    o_norm = [norm_text(u) for u in o_uniq]
    t_norm = [norm_text(u) for u in t_uniq]
    p_codes, p_uniq = pd.factorize(o_codes * (len(t_uniq) + 1) + t_codes)
    canon_u, unknown_u, other_u = [], [], []
    for p in p_uniq:
        oc, tc = divmod(int(p), len(t_uniq) + 1)
        if oc < 0 or tc < 0 or tc >= len(t_uniq):  # organisation or team missing
            canon_u.append(None)
            unknown_u.append(False)
            other_u.append(False)
            continue
        hit = sp.pair.get((o_norm[oc], t_norm[tc]))
        canon_u.append(hit if hit is not None else t_uniq[tc])
        unknown_u.append(hit is None)
        other_u.append(hit is None and t_norm[tc] in sp.teams)
        if hit is not None and hit != t_uniq[tc]:
            res.name_mappings.setdefault("team", {})[str(t_uniq[tc])] = str(hit)
    keep_team = np.array([c is None for c in canon_u] + [True])[p_codes]
    team = parse.categorical_from_codes(p_codes, canon_u, df.index)
    if keep_team.any():  # organisation missing: the team stays as written
        team = parse.as_string(team).where(~keep_team, parse.as_string(df["team"]))
    df["team"] = team
    unknown = np.array(unknown_u, dtype=bool)[p_codes]
    if not check or not unknown.any():
        return
    other_org = unknown & np.array(other_u, dtype=bool)[p_codes]
    reasons = np.full(len(df), schemas.UNKNOWN_TEAM, dtype=object)
    rules = reasons.copy()
    if other_org.any():
        reasons[other_org] = [schemas.team_owner_reason(x) for x in df["organisation"][other_org]]
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


#: Text columns not masked: names matched to ``areas`` (no identifier lives there).
UNMASKED_TEXT = frozenset({"organisation", "team"})


def _identifiers(res: TableResult, column: str) -> pd.Series:
    """The identifiers of a column as parsed (placeholders are missing), totals rows left out."""
    totals = [r for r, (_, _, why) in res.whole.items() if why == schemas.TOTALS_ROW]
    s = res.parsed[column]
    return s.drop(index=s.index[totals]) if totals else s


def mask_identifiers(results: dict[str, TableResult]) -> frozenset[str]:
    """Mask BSN-like numbers and raw client/employee ids in the free-text columns of every table.

    No raw BSN leaves cleaning: a 9-digit number passing the eleven-test, or
    a raw ``client_id``/``employee_id`` of the delivered data, written inside
    a text cell (a closure reason, a signal, a note) is replaced by
    ``[masked]`` in the clean tables; ``res.masked_cells`` counts the cells.

    Returns:
        The known raw identifiers (also used to mask quarantine.csv).
    """
    known = privacy.known_identifiers([_identifiers(res, c) for res in results.values()
                                       for c in PERSON_ID_COLUMNS if c in res.parsed])
    for name, res in results.items():
        for col in TABLES[name].columns:
            if col.kind != "text" or col.name in UNMASKED_TEXT:
                continue
            masked, n = privacy.mask_series(res.parsed[col.name], known)
            if n:
                res.parsed[col.name] = masked
                res.masked_cells += n
    return known
