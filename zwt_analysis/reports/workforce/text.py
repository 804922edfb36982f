"""Dutch sentences of the workforce report, written from the results (never hard-coded).

:func:`kern` gives the three to five sentences that open the reviewer page;
the other functions give one paragraph each. Figures that the protected
tables suppress (an organisation in ``res.hidden``) are never quoted.
Plain Dutch for statistical terms: "95%-interval" is explained once in the
notebook; no test names here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.labels import org_in_sentence, org_name
from zwt_analysis.reports.workforce.build import WorkforceResult
from zwt_analysis.reports.workforce.tables import ASSUMPTION_LABELS_NL, num, pct

__all__ = ["backtest_text", "kern", "readings_text", "retention_text", "sector_text",
           "sensitivity_text", "skipped_note", "summary_text", "trend_text"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def skipped_note(res: WorkforceResult, section: str) -> str:
    """``*Overgeslagen: ...*`` for a skipped section ('' when it is not skipped)."""
    why = res.skipped.get(section)
    return f"*Dit deel is overgeslagen: {why}.*" if why else ""


def _rate(res: WorkforceResult, org: str) -> pd.Series | None:
    if res.history is None or org in res.hidden:
        return None
    r = res.history.rates.set_index("organisation")
    return r.loc[org] if org in r.index else None


def trend_text(res: WorkforceResult) -> str:
    """One sentence on the drift in leaving over the years (the model's decision)."""
    m = res.history.model if res.history is not None else None
    if m is None or m.tests.empty:
        return "Of het vertrek over de jaren verandert, is met deze gegevens niet te zeggen " \
               f"({m.reason if m is not None else 'geen gegevens'})."
    if m.decision == "none":
        return ("Een stijging of daling van het vertrek over de jaren is niet aan te tonen; "
                "de scenario's rekenen met het gemiddelde niveau.")
    t = m.tests.iloc[0] if m.decision == "common" else None
    if t is not None:
        return (f"Het vertrek **neemt toe** met ongeveer {pct(math.expm1(t['estimate']), 0)} "
                "per jaar (van het niveau, voor alle organisaties gelijk); de scenario's "
                f"rekenen daarom met het niveau van {m.ref_year}, niet met het gemiddelde."
                if t["estimate"] > 0 else
                f"Het vertrek **neemt af** met ongeveer {pct(-math.expm1(t['estimate']), 0)} "
                f"per jaar; de scenario's rekenen met het niveau van {m.ref_year}.")
    who = [org_name(o) for o, v in m.drift.items() if v]
    return (f"Het vertrek verandert per organisatie verschillend; een eigen trend is "
            f"aantoonbaar bij {', '.join(who) or 'geen enkele organisatie'}.")


def sector_text(res: WorkforceResult) -> str:
    """Each shown organisation's yearly leaving against the sector figure."""
    lines, sector = [], res.policy.sector_outflow_rate
    for org in res.shown:
        r = _rate(res, org)
        if org in res.hidden:
            lines.append(f"- **{org_name(org)}**: te weinig vertrekkers om het vertrek te "
                         "publiceren (kleine aantallen).")
        elif r is not None:
            lo, hi = r["outflow_low"], r["outflow_high"]
            verdict = ("hoger dan" if lo > sector else "lager dan" if hi < sector
                       else "niet duidelijk anders dan")
            lines.append(f"- **{org_name(org)}**: vertrek {pct(r['outflow_rate'])} per jaar "
                         f"({pct(lo)}–{pct(hi)}) — {verdict} het sectorcijfer van ongeveer "
                         f"{pct(sector, 0)}.")
    return "\n".join(lines) or "*Geen vertrek te berekenen.*"


def retention_text(res: WorkforceResult) -> str:
    """The past cohort of ``shown[0]``: still there, and what the two expectations said."""
    t = res.tables.get("workforce_retention")
    org = res.shown[0]
    if t is None or org not in set(t.frame["organisation"]):
        return "*Er is geen volledig jaar om een groep medewerkers te volgen.*"
    i = int(np.flatnonzero(t.frame["organisation"].to_numpy() == org)[0])
    if t.hidden.loc[i, "share"]:
        return "*Te kleine aantallen om deze groep te tonen.*"
    f = t.frame.loc[i]
    return (f"Van wie op {_nl_day(pd.Timestamp(f['cohort_date']))} bij {org_in_sentence(org)} werkte, was "
            f"{num(f['years'], 1)} jaar later nog **{pct(f['share'], 0)}** in dienst "
            f"({pct(f['share_low'], 0)}–{pct(f['share_high'], 0)}). Het model met vertrek naar "
            f"diensttijd en trend verwachtte {pct(f['expected_model'], 0)}; één gemiddeld "
            f"vertrekpercentage voor iedereen {pct(f['expected_flat'], 0)}.")


_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"]


def _nl_day(d: pd.Timestamp) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def readings_text(res: WorkforceResult) -> str:
    """Both readings of the evaluation's sentence, with what the data say for each."""
    r, org = res.readings, res.shown[0]
    if not r or org in res.hidden or not math.isfinite(r.get("rate", math.nan)):
        return "*Voor deze organisatie is het vertrek niet te tonen (kleine aantallen of " \
               "geen gegevens).*"
    n_years = res.horizon[1] - res.horizon[0] + 1
    per_year = (f"**Lezing 1: 10–20% per jaar.** Het gemeten vertrek is {pct(r['rate'])} per "
                f"jaar ({pct(r['rate_low'])}–{pct(r['rate_high'])}); in "
                f"{int(r['years_in_range'])} van de {int(r['n_years'])} volledige jaren lag het "
                f"tussen 10 en 20%. Deze lezing past bij de gegevens."
                if math.isfinite(r["n_years"]) else "")
    fits = r["rate_low"] <= r["implied_high"]
    over = (f"**Lezing 2: 10–20% in de hele periode van {n_years} jaar.** Dat vraagt een vertrek "
            f"van {pct(r['implied_low'])} tot {pct(r['implied_high'])} per jaar. "
            + ("Het gemeten vertrek ligt daar ver boven: " if not fits else "")
            + f"in de simulatie ({res.label}) is na {n_years} jaar naar verwachting "
            f"**{pct(r['leave_p50'], 0)}** van het huidige personeel vertrokken "
            f"(10–90% van de runs: {pct(r['leave_p10'], 0)}–{pct(r['leave_p90'], 0)}). "
            + ("Met deze lezing rekent de nieuwe opdracht met veel te weinig verloop."
               if not fits else "Deze lezing past ook."))
    return "\n\n".join(x for x in (per_year, over) if x)


def summary_text(res: WorkforceResult) -> str:
    """The range of the preventive share over the scenarios for ``shown[0]``."""
    s = res.summary[res.summary["organisation"] == res.shown[0]] \
        if res.summary is not None else pd.DataFrame()
    if s.empty:
        return ""
    lo = s.loc[s["preventive_share_p50"].idxmin()]
    hi = s.loc[s["preventive_share_p50"].idxmax()]
    text = (f"Voor {org_in_sentence(res.shown[0])} ligt het preventieve aandeel in "
            f"{res.horizon[1]} in mediaan tussen **{pct(lo['preventive_share_p50'])}** "
            f"({lo['label']}) en **{pct(hi['preventive_share_p50'])}** ({hi['label']}).")
    worst = s.loc[s["p_unmet_statutory"].idxmax()]
    if worst["p_unmet_statutory"] > 0.05:
        text += (f" In scenario {worst['label']} is er in {pct(worst['p_unmet_statutory'], 0)}"
                 f" van de runs in {res.horizon[1]} zelfs te weinig capaciteit voor het "
                 "wettelijke werk.")
    return text


def sensitivity_text(res: WorkforceResult) -> str:
    """The assumption with the largest swing ('' for an empty table)."""
    sens = res.sensitivity
    if sens is None or sens.empty:
        return ""
    top = sens.iloc[0]
    who = "de gemeente als geheel" if res.shown[0] == ALL else org_name(res.shown[0])
    return (f"Gevoeligheid voor {who} ({res.sensitivity_runs} runs per instelling). De grootste "
            f"invloed heeft **{ASSUMPTION_LABELS_NL[top['parameter']].lower()}**: het preventieve "
            f"aandeel in {res.horizon[1]} loopt van {pct(top['result_low'])} (lage waarde) tot "
            f"{pct(top['result_high'])} (hoge waarde), tegen {pct(top['base'])} in het scenario "
            "zelf.")


def backtest_text(res: WorkforceResult) -> str:
    """How often the observed leavers fell within the projected 10-90% band."""
    bt = res.backtest
    if bt is None or bt.yearly.empty:
        return f"*Geen terugtoets: {bt.note if bt is not None else 'geen gegevens'}.*"
    shown = [o for o in res.shown if o != ALL]
    orgs = bt.yearly[bt.yearly["organisation"].isin(shown)]
    hit, n = int(orgs["in_band"].sum()), len(orgs)
    if n == 0:
        return "*Geen terugtoets voor deze organisatie.*"
    who = "per organisatie en jaar" if res.is_city else f"van {org_name(shown[0])} per jaar"
    return (f"Het model voorspelde het aantal vertrekkers {who} {n} keer "
            f"(steeds één jaar vooruit, met alleen de jaren daarvoor); {hit} keer lag het echte "
            f"aantal binnen de band waar 80% van de runs in viel ({pct(hit / n, 0)}, verwacht "
            "ongeveer 80%).")


def _cost_sentence(res: WorkforceResult) -> str:
    gap = res.history.calibration.gaps.get(res.shown[0]) if res.history is not None else None
    if gap is None:
        return ""
    if gap.source == "gemeten":
        return (f"De cao-lonen stegen in {gap.years} gemiddeld {num(gap.mean * 100, 1)} "
                "procentpunt per jaar harder dan de indexatie; de scenario's rekenen daarmee, "
                "zodat hetzelfde budget elk jaar minder fte betaalt.")
    return (f"Er is geen kostenindex aangeleverd; de scenario's nemen aan dat de lonen "
            f"{num(gap.mean * 100, 1)} procentpunt per jaar harder stijgen dan de indexatie.")


def kern(res: WorkforceResult) -> list[str]:
    """Three to five plain-Dutch sentences: the answer, key numbers, meaning, main caveat."""
    org = res.shown[0]
    if res.history is None or not res.run_organisations:
        why = res.skipped.get("staff", "er zijn geen personeelsgegevens")
        out = [f"{_cap(why)}; vertrek, scenario's en de toets van het model ontbreken daarom."]
        if res.reservation is not None and len(res.reservation):
            out.append(_reservation_sentence(res))
        return out
    out = []
    r = _rate(res, org)
    if r is not None:
        out.append(f"Per jaar vertrekt gemiddeld {pct(r['outflow_rate'])} van het personeel van "
                   f"{org_in_sentence(org)} ({pct(r['outflow_low'])}–{pct(r['outflow_high'])}, "
                   f"{r['years']}). " + trend_text(res).replace("**", ""))
    elif org in res.hidden:
        out.append(f"Voor {org_in_sentence(org)} zijn de aantallen vertrekkers te klein om te "
                   "publiceren.")
    else:
        out.append("Er is nog geen volledig kalenderjaar met vertrek in de gegevens; het vertrek "
                   "per jaar is nog niet te meten en de scenario's rusten op weinig gegevens.")
    rd, n_years = res.readings, res.horizon[1] - res.horizon[0] + 1
    if org not in res.hidden and rd and math.isfinite(rd.get("leave_p50", math.nan)):
        first = ("De verwachting van de evaluatie dat 10–20% van de medewerkers wisselt, klopt "
                 "als die per jaar bedoeld is; over de hele periode niet: "
                 if r is not None and rd["rate_low"] > rd["implied_high"] else
                 "Over de verwachting van de evaluatie dat 10–20% van de medewerkers wisselt: ")
        out.append(f"{first}na {n_years} jaar is naar verwachting {pct(rd['leave_p50'], 0)} van het "
                   f"huidige personeel vertrokken ({pct(rd['leave_p10'], 0)}–"
                   f"{pct(rd['leave_p90'], 0)}).")
    s = res.summary[(res.summary["organisation"] == org) & (res.summary["scenario"] == res.scenario)]
    if len(s):
        now = res.history.hours.set_index("organisation")
        cur = (now.loc[org, "preventive"] / (now.loc[org, "preventive"] + now.loc[org, "statutory"])
               if org in now.index else math.nan)
        out.append(f"In scenario {res.label} is het preventieve aandeel in {res.horizon[1]} "
                   f"{pct(s['preventive_share_p50'].iloc[0])} (10–90% van de runs: "
                   f"{pct(s['preventive_share_p10'].iloc[0])}–"
                   f"{pct(s['preventive_share_p90'].iloc[0])}), tegen {pct(cur)} nu. "
                   + _cost_sentence(res))
    if res.reservation is not None and len(res.reservation):
        out.append(_reservation_sentence(res))
    out.append("Lees de scenario's als verkenning, niet als voorspelling: "
               + backtest_text(res).strip("*").replace("Het model", "het model", 1))
    return out[:5]


def _reservation_sentence(res: WorkforceResult) -> str:
    r = res.reservation.set_index("organisation")
    org = res.shown[0] if res.shown[0] in r.index else r.index[0]
    x = r.loc[org]
    if not math.isfinite(x["reservation_eur"]):
        return f"Een flexibele reservering is niet te berekenen: {x['note']}."
    cover = (f" (in de validatie {pct(x['coverage_low'], 0)}–{pct(x['coverage_high'], 0)})"
             if math.isfinite(x["coverage_low"]) else "")
    return (f"Een flexibele reservering van ongeveer € {num(x['reservation_eur'] / 1e6, 1)} "
            f"miljoen voor {int(x['year'])} vangt het incidentele geld van "
            f"{org_in_sentence(org)} op in ongeveer {pct(x['level'], 0)} van de jaren{cover}.")
