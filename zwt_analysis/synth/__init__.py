"""``zwt synth``: synthetic raw exports of Zaanstad's wijkteams, with ground truth.

A model, not noise: areas from the real CBS 2024 wijk populations, staff
spells from a hazard model with vacancies, cases whose deadlines slip under
load, hours whose preventive share falls with caseload per FTE, budgets
whose wages outgrow indexation, a too-long KPI register and signals around
the bends. Every planted mechanism and its true parameter is written to
``ground_truth.json`` beside the data; see docs/synthetic_data.md.

Byte-for-byte deterministic for a seed: one ``numpy`` Generator drives the
model, a second one (seeded from the same seed) only the messy formatting,
so ``--messy`` writes the same data as the plain mode.
"""

from __future__ import annotations

import json
import math
import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..contract import TABLE_NAMES
from ..errors import ZwtError
from . import _params as P
from . import _questions
from ._areas import build_areas, build_teams
from ._calendar import day, quarter_label, quarter_of, year_of
from ._cases import CaseResult, build_cases
from ._funding import FundingResult, build_budgets
from ._hours import HoursResult, PreventionVariant, build_hours
from ._kpi import KpiResult, build_register, build_values
from ._measures import outflow_rate as realised_outflow
from ._messy import _Fresh, add_broken_rows
from ._messy_files import (
    UNMATCHED_FILE,
    XLSX_TABLE,
    csv_bytes,
    vary_values,
    write_unmatched,
    write_xlsx,
)
from ._signals import build_bends_and_signals
from ._staff import StaffResult, build_staff
from ._staff import outflow_rate as planned_outflow
from ._write import format_table, header_names, write_csv

__all__ = ["main", "generate", "prevention_panel", "PreventionVariant"]

DEFAULT_UNTIL = date(2026, 9, 30)
GROUND_TRUTH = "ground_truth.json"
MESSY_ROWS = "messy_rows.csv"


def generate(seed: int = 2026, scale: float = 1.0, until: date = DEFAULT_UNTIL,
             variant: PreventionVariant | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Generate every contract table (internal form: dates as day offsets) and the ground truth.

    Args:
        seed: seed of the numpy Generator.
        scale: 1.0 = Zaanstad's real size; volumes scale linearly.
        until: extract date; no event date lies after it.
        variant: switches of the planted prevention relation (team-specific
            slopes, AR(1) noise, another or zero slope); None or all off =
            the default model, byte-identical output.

    Returns:
        (tables, ground_truth). Dates in the tables are int64 day offsets since
        2019-01-01 (``_params.NAD`` = missing; ``_calendar.as_datetime64`` converts them).

    Raises:
        ZwtError: scale not positive, or until before 2019-03-31.
    """
    rng, U, areas, teams, st, cs, fu, hr = _core(seed, scale, until, variant)
    register = build_register()
    kp = build_values(register, cs.cases, st.staff, st.formation, fu.budgets, areas, hr.hours, U,
                      scale, rng)
    bends, signals = build_bends_and_signals(teams, cs.caseload, cs.cases, areas, U, scale, rng)
    probs = _questions.type_probabilities(teams, areas)
    cs.cases["question_type"] = _questions.draw_question_types(cs.team_idx, probs, seed)
    cost_index = _questions.build_cost_index(until.year)
    tables = {
        "areas": areas,
        "staff": st.staff,
        "time_registrations": hr.hours,
        "cases": cs.cases,
        "formation": st.formation,
        "budgets": fu.budgets,
        "kpi_register": kp.register,
        "kpi_values": kp.values,
        "signals": signals,
        "cost_index": cost_index,
    }
    truth = _ground_truth(seed, scale, until, U, teams, areas, st, cs, fu, hr, kp, bends, tables)
    last_full = until.year - 1 if (until.month, until.day) != (12, 31) else until.year
    per_team = cs.cases.loc[year_of(cs.cases["date_report"].to_numpy()) == last_full, "team"].value_counts()
    truth.update(_questions.truth(probs, per_team, until.year))
    if variant is not None and not variant.is_default():
        truth["prevention"].update(_variant_truth(variant, hr, teams))
    return tables, truth


def _variant_truth(variant: PreventionVariant, hr, teams) -> dict:
    """Ground-truth entries of a switched-on prevention variant."""
    slope = P.PREVENTION_SLOPE if variant.slope is None else variant.slope
    out = {"slope_preventive_share_per_caseload_per_fte": slope,
           "variant": {"slope": variant.slope, "team_slope_sd": variant.team_slope_sd,
                       "ar1": variant.ar1}}
    if "team_slope" in hr.share:
        names = teams["team"].to_list()
        out["team_slopes"] = {names[int(t)]: round(float(s), 6) for t, s in
                              hr.share.groupby("team_idx")["team_slope"].first().items()}
    return out


def _core(seed: int, scale: float, until: date, variant: PreventionVariant | None):
    """Areas, teams, staff, cases, budgets and hours, in the generator's fixed draw order."""
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise ZwtError(f"--scale must be a positive number, got {scale!r}")
    if until < date(2019, 3, 31):
        raise ZwtError(f"--until must be on or after 2019-03-31 (one full quarter), got {until}")
    rng = np.random.default_rng(seed)
    U = day(until)
    areas = build_areas(scale)
    teams = build_teams(areas, rng)
    st = build_staff(teams, U, rng)
    cs = build_cases(teams, areas, st.staff, st.spell_team_idx, U, rng)
    pact_orgs = set(teams.loc[teams["pact"], "organisation"])
    fu = build_budgets(st.formation, pact_orgs, U, scale, rng)
    hr = build_hours(st.staff, st.spell_team_idx, teams, cs.caseload, fu.tracks, U, rng,
                     variant, seed)
    return rng, U, areas, teams, st, cs, fu, hr


def prevention_panel(seed: int = 2026, scale: float = 1.0, until: date = DEFAULT_UNTIL,
                     variant: PreventionVariant | None = None) -> tuple[pd.DataFrame, dict]:
    """The team-quarter prevention panel of a generated data set, without writing files.

    Runs the generator up to the hours (the same draws as :func:`generate`,
    so the panel is that of ``generate(seed, scale, until, variant)``) and
    measures, per team and quarter with a caseload: ``preventive_share``
    from the hours as the indicator defines it (preventive / preventive +
    statutory hours), ``hours`` (its denominator) and ``caseload_per_fte``
    (open cases / FTE on the quarter's last day, as planted). Used by
    ``make validate`` (about 1 s instead of the full generator's 3 s).

    Returns:
        (panel with ``organisation, team, period, preventive_share, hours,
        caseload_per_fte``; truth dict with ``slope`` (mean planted slope),
        ``team_slopes`` (None without team-specific slopes) and the variant).
    """
    _, _, _, teams, _, cs, _, hr = _core(seed, scale, until, variant)
    h = hr.hours
    act = h["activity"].astype(object).to_numpy()
    keep = np.isin(act, ["preventive_individual", "preventive_collective", "statutory_individual"])
    hours = h["hours"].to_numpy()[keep]
    g = pd.DataFrame({"team": h["team"].astype(object).to_numpy()[keep],
                      "q": quarter_of(h["date"].to_numpy()[keep]),
                      "prev": np.where(act[keep] == "statutory_individual", 0.0, hours),
                      "hours": hours}).groupby(["team", "q"], as_index=False).sum()
    model = hr.share.copy()
    names = teams["team"].to_list()
    model["team"] = [names[i] for i in model["team_idx"]]
    panel = model.merge(g, on=["team", "q"], how="inner")
    org = teams.set_index("team")["organisation"]
    panel = pd.DataFrame({
        "organisation": org.loc[panel["team"]].to_numpy(),
        "team": panel["team"].to_numpy(),
        "period": [quarter_label(int(q)) for q in panel["q"]],
        "preventive_share": (panel["prev"] / panel["hours"]).to_numpy(),
        "hours": panel["hours"].to_numpy(),
        "caseload_per_fte": panel["caseload"].to_numpy(),
    }).sort_values(["team", "period"]).reset_index(drop=True)
    v = variant or PreventionVariant()
    slope = P.PREVENTION_SLOPE if v.slope is None else v.slope
    team_slopes = None
    if "team_slope" in model:
        team_slopes = {names[int(t)]: float(s) for t, s in
                       model.groupby("team_idx")["team_slope"].first().items()}
    return panel, {"slope": slope, "team_slopes": team_slopes, "variant": v.__dict__.copy()}


def main(out: Path, seed: int = 2026, scale: float = 1.0, messy: bool = False,
         until: date = DEFAULT_UNTIL, variant: PreventionVariant | None = None) -> int:
    """Write every contract table as ``<table>.csv`` plus marker and ground truth into ``out``.

    ``out`` is the generator's own folder: the files it writes are replaced
    (and a stale ``messy_rows.csv`` is removed in plain mode). Returns 0.
    """
    out = Path(out)
    tables, truth = generate(seed=seed, scale=scale, until=until, variant=variant)
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        for ext in (".csv", ".xlsx"):
            p = out / f"{name}{ext}"
            if p.exists():
                p.unlink()
    for stale in (out / MESSY_ROWS, out / UNMATCHED_FILE):
        if stale.exists():
            stale.unlink()
    U = day(until)
    frng = np.random.default_rng([seed, 1])
    fresh = _Fresh()
    logs = []
    counts = {}
    for name in TABLE_NAMES:
        fmt = format_table(name, tables[name], messy, frng)
        if messy:
            fmt = vary_values(name, fmt, frng)
            fmt, log = add_broken_rows(name, tables[name], fmt, U, messy, frng, fresh)
            logs.append(log)
        counts[name] = len(fmt)
        headers = header_names(name, messy, frng)
        if messy and name == XLSX_TABLE:
            _atomic(out / f"{name}.xlsx",
                    lambda p, f=fmt, n=name, h=headers: write_xlsx(f, p, h, n))
        elif messy:
            data = csv_bytes(name, fmt, headers, frng)
            _atomic(out / f"{name}.csv", lambda p, d=data: p.write_bytes(d))
            if name == "cases":
                write_unmatched(out, fmt, headers)
        else:
            _atomic(out / f"{name}.csv", lambda p, f=fmt, h=headers: write_csv(f, p, h, messy))
    truth["rows_written"] = counts
    truth["messy"] = bool(messy)
    if messy:
        rows = pd.concat(logs, ignore_index=True)
        truth["messy_rows"] = {"file": MESSY_ROWS, "n": int(len(rows)),
                               "by_kind": {k: int(v) for k, v in
                                           rows["reason_kind"].value_counts().sort_index().items()}}
        _atomic(out / MESSY_ROWS, lambda p: rows.to_csv(p, index=False, lineterminator="\n"))
    _atomic(out / config.SYNTHETIC_MARKER, lambda p: p.write_text(_marker(seed, scale, until, messy),
                                                                 encoding="utf-8"))
    _atomic(out / GROUND_TRUTH, lambda p: p.write_text(
        json.dumps(_clean_json(truth), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"))
    return 0


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _marker(seed: int, scale: float, until: date, messy: bool) -> str:
    return (
        "SYNTHETISCHE DATA - SYNTHETIC DATA\n\n"
        "NL: Deze bestanden zijn kunstmatig gemaakt door `zwt synth`. Ze beschrijven geen echte "
        "inwoners, medewerkers of organisaties; alleen de inwonertallen per wijk komen uit CBS "
        "Kerncijfers wijken en buurten 2024 (Bron: CBS). Gebruik ze niet als feiten over Zaanstad.\n"
        "EN: These files were made up by `zwt synth`. They describe no real residents, staff or "
        "organisations; only the wijk populations come from CBS Kerncijfers wijken en buurten 2024 "
        "(Bron: CBS). Do not use them as facts about Zaanstad.\n\n"
        f"seed: {seed}\nscale: {scale}\nperiod: {P.START.isoformat()} .. {until.isoformat()}\n"
        f"messy: {str(bool(messy)).lower()}\n"
        "ground truth: ground_truth.json\n"
    )


def _clean_json(x):
    if isinstance(x, dict):
        return {str(k): _clean_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean_json(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return None if not math.isfinite(v) else round(v, 6)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, date):
        return x.isoformat()
    return x


def _within_slope(df: pd.DataFrame, y: str, x: str, group: str) -> float:
    """Pooled within-group OLS slope of ``y`` on ``x`` (both demeaned per ``group``).

    Rows missing ``x`` or ``y`` are dropped; NaN when ``x`` has no within-group variance.
    """
    d = df.dropna(subset=[x, y])
    xc = d[x] - d.groupby(group)[x].transform("mean")
    yc = d[y] - d.groupby(group)[y].transform("mean")
    den = float((xc * xc).sum())
    return float((xc * yc).sum() / den) if den > 0 else float("nan")


def _rate(pair: tuple[int, int]) -> float | None:
    """``num / den`` rounded to 4 decimals (a fraction, not %); None when ``den`` is 0."""
    num, den = pair
    return round(num / den, 4) if den else None


def _dated(spec: dict) -> dict:
    """``spec`` with its ``date`` values as ISO strings (other values unchanged)."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in spec.items()}


def _ground_truth(seed: int, scale: float, until: date, U: int, teams: pd.DataFrame,
                  areas: pd.DataFrame, st: StaffResult, cs: CaseResult, fu: FundingResult,
                  hr: HoursResult, kp: KpiResult, bends: list[dict],
                  tables: dict[str, pd.DataFrame]) -> dict:
    """The ground-truth record written as ``ground_truth.json``, in its fixed key order.

    ``U`` is ``until`` as a day offset since 2019-01-01. Takes no random draws:
    everything is either a planted parameter or measured from the tables.
    """
    team_names = teams["team"].to_list()
    years = list(range(2019, until.year + 1))
    full_years = [y for y in years if date(y, 12, 31) <= until]
    hours = tables["time_registrations"]
    return {
        **_setup_truth(seed, scale, until, teams, areas),
        "cases": _cases_truth(cs),
        "caseload": _caseload_truth(cs.caseload, team_names),
        "prevention": _prevention_truth(hr, team_names, hours),
        "deadlines": _deadlines_truth(cs.cases, U),
        "workforce": _workforce_truth(st, years, full_years, U),
        "funding": _funding_truth(fu, teams, hours),
        "kpi": kp.truth,
        "signals": {"bends": bends, "n": int(len(tables["signals"])),
                    "rule": "2-3 signals per bend dated within 40 days of it, plus background signals"},
    }


def _setup_truth(seed: int, scale: float, until: date, teams: pd.DataFrame,
                 areas: pd.DataFrame) -> dict:
    """Run settings, organisations, PACT and the teams (population in residents, demand factors)."""
    team_names = teams["team"].to_list()
    org_of = teams.set_index("team")["organisation"]
    orgs = {org: {"teams": [t for t in team_names if org_of.loc[t] == org],
                  "areas": areas.loc[areas["organisation"] == org, "area_code"].to_list()}
            for org in P.ORGANISATIONS}
    return {
        "synthetic": True,
        "seed": int(seed),
        "scale": float(scale),
        "start": P.START.isoformat(),
        "until": until.isoformat(),
        "generator": "zwt_analysis.synth",
        "organisations": orgs,
        "pact_areas": list(P.PACT_AREAS),
        "pact_teams": [t for t in team_names if bool(teams.set_index("team").loc[t, "pact"])],
        "pact_note": "The two PACT wijken are Poelenburg (WK047912) and Pelders- en Hoornseveld "
                     "(WK047913, the evaluation's Peldersveld), each held by a team of its own.",
        "area_names": "real CBS 2024 wijk names (resources/cbs_wijken2024_zaanstad_names.csv)",
        "area_assignment": "assumed: which organisation and team holds which wijk is invented",
        "population_total": int(areas["population"].sum()),
        "teams": {r.team: {"organisation": r.organisation, "pact": bool(r.pact),
                           "population": int(r.population),
                           "demand_multiplier": round(float(r.demand), 4),
                           "demand_growth_per_year": round(float(r.growth), 4)}
                  for r in teams.itertuples()},
    }


def _cases_truth(cs: CaseResult) -> dict:
    """Planted case-inflow parameters (rates per resident, days, shares) and realised counts."""
    return {
        "case_rate_per_resident_2019": P.CASE_RATE_2019,
        "framework_mix": P.FRAMEWORK_MIX,
        "covid_dip": _dated(P.COVID),
        "demand_surge": _dated(P.SURGE),
        "close_mean_days": P.CLOSE_MEAN_DAYS,
        "reregistration_share": P.REREGISTRATION_SHARE,
        "note": "registration starts empty on 2019-01-01, so caseload builds up during 2019",
        "new_cases_per_year": cs.truth["new_cases_per_year"],
        "open_at_until": int((cs.cases["date_closed"] == P.NAD).sum()),
    }


def _caseload_truth(caseload: pd.DataFrame, team_names: list[str]) -> dict:
    """Caseload per FTE (open cases / FTE) per team mean, range and median from 2020 (q >= 4)."""
    cl = caseload[np.isfinite(caseload["caseload"])]
    return {
        "definition": "cases open on the quarter's last day d (date_report <= d and date_closed "
                      "empty or > d) / FTE employed that day (start_date <= d and end_date empty "
                      "or >= d), per team; quarters whose last day is after until are not measured",
        "team_mean": {team_names[int(k)]: round(float(v), 4) for k, v in
                      cl.groupby("team_idx")["caseload"].mean().items()},
        "range": [round(float(cl["caseload"].min()), 3), round(float(cl["caseload"].max()), 3)],
        "median_from_2020": round(float(cl.loc[cl["q"] >= 4, "caseload"].median()), 3),
    }


def _realised_shares(share: pd.DataFrame, team_names: list[str], hours: pd.DataFrame) -> pd.DataFrame:
    """The planted team-quarter table with ``team`` and the written hours' ``realised_share``.

    realised_share = preventive / (preventive + statutory individual) hours, a
    fraction; NaN for a planted quarter without such hours.
    """
    model = share.copy()
    model["team"] = [team_names[i] for i in model["team_idx"]]
    q = quarter_of(hours["date"].to_numpy())
    act = hours["activity"].astype(object).to_numpy()
    keep = np.isin(act, ["preventive_individual", "preventive_collective", "statutory_individual"])
    kept = hours["hours"].to_numpy()[keep]
    g = pd.DataFrame({"team": hours["team"].astype(object).to_numpy()[keep], "q": q[keep],
                      "prev": np.where(act[keep] == "statutory_individual", 0.0, kept),
                      "all": kept}).groupby(["team", "q"]).sum()
    g["realised_share"] = g["prev"] / g["all"]
    return model.merge(g["realised_share"].reset_index(), on=["team", "q"], how="left")


def _prevention_truth(hr: HoursResult, team_names: list[str], hours: pd.DataFrame) -> dict:
    """Planted prevention relation (slope per caseload per FTE) and the realised table and slope."""
    model = _realised_shares(hr.share, team_names, hours)
    realised_slope = _within_slope(model, "realised_share", "caseload", "team")
    return {
        "slope_preventive_share_per_caseload_per_fte": P.PREVENTION_SLOPE,
        "model": "preventive_share(team, quarter) = base(team) + slope x (caseload_per_fte(team, "
                 "quarter-end) - mean over the team's measured quarters) + N(0, noise_sd); rows vary "
                 "around it with sd row_sd (averages out)",
        "team_base": hr.truth["team_base_share"],
        "noise_sd": P.PREVENTION_NOISE_SD,
        "row_sd": P.PREVENTION_ROW_SD,
        "individual_part_of_preventive": hr.truth["individual_part_of_preventive"],
        "quarters_without_caseload": "carry the last planned share (not in the planted relation)",
        "realised_within_team_slope": round(realised_slope, 5),
        "team_quarters": [
            {"team": r.team, "quarter": quarter_label(int(r.q)),
             "caseload_per_fte": round(float(r.caseload), 4),
             "planned_share": round(float(r.planned_share), 5),
             "realised_share": (round(float(r.realised_share), 5)
                                if pd.notna(r.realised_share) else None)}
            for r in model.itertuples()],
    }


def _deadline_limits(cases: pd.DataFrame, U: int) -> dict[str, dict]:
    """Per deadline: its spec (limit in days), cases pending at ``U`` and met exactly on the limit."""
    dl = {}
    for key, spec in P.DEADLINES.items():
        sub = cases[cases["legal_framework"] == spec["framework"]]
        s = sub[spec["start"]].to_numpy()
        e = sub[spec["end"]].to_numpy()
        has_s = s != P.NAD
        has_e = e != P.NAD
        dl[key] = {"limit_days": spec["limit"], "alpha": spec["alpha"], "start": spec["start"],
                   "end": spec["end"], "framework": spec["framework"],
                   "pending_at_until": int((has_s & ~has_e & (U <= s + spec["limit"])).sum()),
                   "met_exactly_on_limit": int((has_s & has_e & (e - s == spec["limit"])).sum())}
    return dl


def _deadlines_truth(cases: pd.DataFrame, U: int) -> dict:
    """Planted on-time model (logistic in caseload per FTE; days) and the per-deadline counts."""
    return {
        "model": "P(on time) = 1 / (1 + exp(-(alpha + beta x (load - center)))); load = the team's "
                 "caseload_per_fte at the end of the quarter before date_report (2019-Q1 and "
                 "undefined loads: center). On time: uniform days below the limit, or exactly the "
                 "limit with prob exact_share; late: limit + geometric(mean late_mean_days). An event "
                 "falling after until is missing (pending, or late once the limit has passed).",
        "beta": P.DEADLINE_BETA,
        "center": P.DEADLINE_CENTER,
        "exact_share": P.DEADLINE_EXACT_SHARE,
        "late_mean_days": P.DEADLINE_LATE_MEAN,
        "application_share": P.APPLICATION_SHARE,
        "limits": _deadline_limits(cases, U),
    }


def _workforce_truth(st: StaffResult, years: list[int], full_years: list[int], U: int) -> dict:
    """Planted staff model and its realised outflow (fractions per year), headcount and FTE at ``U``."""
    staff = st.staff
    end_mix = staff.loc[staff["end_date"] != P.NAD, "end_reason"].value_counts()
    employed = (staff["start_date"] <= U) & ((staff["end_date"] == P.NAD) | (staff["end_date"] >= U))
    return {
        "model": "each formation slot's occupant leaves with a daily hazard h(org, year) = "
                 "-ln(1 - outflow_rate)/365.25/(1 - share transfer_internal); the slot stays vacant "
                 "for a gamma(2) lag with mean refill_months, then the next spell starts",
        "planned_outflow_rate": {org: {str(y): round(float(planned_outflow(org, y)), 4) for y in years}
                                 for org in P.ORGANISATIONS},
        "realised_outflow_rate": {org: {str(y): _rate(realised_outflow(staff, org, y, U))
                                        for y in full_years} for org in P.ORGANISATIONS},
        "realised_city_outflow_rate": {str(y): _rate(realised_outflow(staff, None, y, U))
                                       for y in full_years},
        "end_reason_mix_planned": P.END_REASON_MIX,
        "end_reasons_realised": {str(k): int(v) for k, v in end_mix.sort_index().items()},
        "refill_months_mean": P.REFILL_MONTHS,
        "formation": {org: {str(int(r.year)): float(r.budgeted_fte) for r in
                            st.formation[st.formation["organisation"] == org].itertuples()}
                      for org in P.ORGANISATIONS},
        "formation_growth": [{"date": d.isoformat(), "share_of_2019_slots": s}
                             for d, s in P.FORMATION_GROWTH],
        "staff_dip": _dated(P.STAFF_DIP),
        "fixed_term_share_of_recent_open_spells": P.FIXED_TERM_SHARE,
        "persons": int(staff["employee_id"].nunique()),
        "headcount_at_until": int(staff.loc[employed, "employee_id"].nunique()),
        "fte_at_until": round(float(staff.loc[employed, "fte"].sum()), 2),
        "spells": int(len(staff)),
        **st.truth,
    }


def _additional_share(teams: pd.DataFrame, hours: pd.DataFrame) -> dict[str, float]:
    """Share of all written hours that is ``additional_assignment``, keyed ``pact``/``non_pact``."""
    act = hours["activity"].astype(object).to_numpy()
    pact = teams.set_index("team").loc[hours["team"].astype(object), "pact"].to_numpy()
    h = hours["hours"].to_numpy()
    by_pact = pd.DataFrame({"pact": pact, "add": np.where(act == "additional_assignment", h, 0.0),
                            "all": h}).groupby("pact").sum()
    return {("pact" if k else "non_pact"): float(r["add"] / r["all"]) for k, r in by_pact.iterrows()}


def _funding_truth(fu: FundingResult, teams: pd.DataFrame, hours: pd.DataFrame) -> dict:
    """Planted funding model plus additional-hours shares and incidental-funding means (fractions)."""
    add_share = _additional_share(teams, hours)
    inc_by = fu.truth["incidental_funding_share_realised"]
    pact_orgs = sorted(set(teams.loc[teams["pact"], "organisation"]))
    return {
        **fu.truth,
        "additional_hours_share_planned": {"pact_teams": P.ADDITIONAL_SHARE["pact"],
                                           "non_pact_teams": P.ADDITIONAL_SHARE["other"]},
        "additional_hours_share_realised": {
            "pact_teams": round(add_share.get("pact", float("nan")), 4),
            "non_pact_teams": round(add_share.get("non_pact", float("nan")), 4)},
        "pact_commissioned_share_of_pact_team_additional_hours": P.PACT_COMMISSIONED_SHARE,
        "additional_lines_per_org": {org: int(((fu.budgets["organisation"] == org)
                                               & (fu.budgets["assignment_type"] == "additional")).sum())
                                     for org in P.ORGANISATIONS},
        "incidental_share_pact_orgs_mean": round(float(np.mean(
            [np.mean(list(inc_by[o].values())) for o in pact_orgs])), 4),
        "incidental_share_non_pact_orgs_mean": round(float(np.mean(
            [np.mean(list(inc_by[o].values())) for o in P.ORGANISATIONS if o not in pact_orgs])), 4),
    }
