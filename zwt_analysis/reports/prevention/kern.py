"""The Kern of the prevention report: its answer in a few plain-Dutch sentences.

Every sentence is written from the :class:`~zwt_analysis.reports.prevention.build.PreventionResult`
(never hard-coded): the link between caseload and preventive work with its
margin, where the preventive share stands against the floor and which way it
moves, the statutory deadlines and their link with caseload, what that means
for steering, and the main caveat. An organisation's report is about the
organisation, with the municipality as a whole as reference. No statistical
jargon: "onzekerheidsmarge" for the 95% interval, "aantoonbaar" for a
verdict at the 5% level.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.present.fmt import nl_number, nl_percent

if TYPE_CHECKING:
    from zwt_analysis.methods.panel import FEInference
    from zwt_analysis.reports.prevention.build import PreventionResult

#: Short Dutch names of the deadlines inside a sentence.
DEADLINE_SHORT: dict[str, str] = {
    "wmo_assessment_on_time": "Wmo-onderzoeken",
    "wmo_decision_on_time": "Wmo-beschikkingen",
    "jeugdwet_decision_on_time": "Jeugdwet-besluiten",
    "participatiewet_decision_on_time": "Participatiewet-besluiten",
    "wgs_first_contact_on_time": "eerste gesprekken schuldhulp (Wgs)",
}

#: The municipality as a whole, as reference in an organisation's sentences.
CITY_REFERENCE = "gemeente als geheel"


def pp(x: float) -> str:
    """Percentage points without sign, one decimal (the sign is said in words)."""
    return nl_number(abs(x), 1)


def margin(low_pp: float, high_pp: float) -> str:
    """A 95% interval in percentage points in words (``"6,0 tot 10,2 procentpunt lager"``)."""
    if not (math.isfinite(low_pp) and math.isfinite(high_pp)):
        return "onbegrensd: te weinig teams om de richting vast te stellen"
    if high_pp < 0:
        return f"{pp(high_pp)} tot {pp(low_pp)} procentpunt lager"
    if low_pp > 0:
        return f"{pp(low_pp)} tot {pp(high_pp)} procentpunt hoger"
    return f"van {pp(low_pp)} procentpunt lager tot {pp(high_pp)} procentpunt hoger"


def clear_sign(fe: FEInference) -> int:
    """-1 or +1 when the wild-bootstrap interval excludes 0 on that side, else 0."""
    if fe.ci_wcr_high < 0:
        return -1
    if fe.ci_wcr_low > 0:
        return 1
    return 0


def sentences(r: PreventionResult) -> list[str]:
    """Three to five Kern sentences (plain text; the page escapes them)."""
    out = [association(r) or (r.skipped[0] if r.skipped else ""), level(r),
           deadline_sentence(r), steering(r), caveat(r)]
    return [s for s in out if s]


def _who(r: PreventionResult) -> str:
    return r.place if r.organisation == ALL else r.organisation


def association(r: PreventionResult) -> str:
    """The answer: does the preventive share fall when the caseload rises?"""
    m, step = r.model, nl_number(r.settings.effect_step)
    if m.fe is None:
        if not m.diagnostics["n_obs"] and not m.excluded:
            return ""  # no hours or no caseload at all: the report says so elsewhere
        return ("Of er minder preventief wordt gewerkt als de caseload hoger is, is niet geschat: "
                f"{m.why_not(r.settings.min_teams)}.")
    fe = m.fe
    eff, lo, hi = (v * r.settings.effect_step * 100 for v in (fe.estimate, fe.ci_wcr_low,
                                                              fe.ci_wcr_high))
    word = "lager" if eff < 0 else "hoger"
    told = (f"bij {step} casussen per fte meer ligt het preventieve aandeel van een team "
            f"gemiddeld {pp(eff)} procentpunt {word} (onzekerheidsmarge: {margin(lo, hi)})")
    sign = clear_sign(fe)
    if sign < 0:
        head = "Bij een hogere caseload wordt aantoonbaar minder preventief gewerkt: "
    elif sign > 0:
        head = "Bij een hogere caseload wordt aantoonbaar méér preventief gewerkt: "
    else:
        head = "Een verband tussen caseload en preventief werk is met deze gegevens niet aan te tonen: "
    scope = ("" if r.organisation == ALL else
             f"; geschat over alle {fe.clusters} teams van de gemeente samen, ook die van "
             f"{r.organisation}")
    return head + told + scope + "."


def _latest(df: pd.DataFrame, value: str) -> tuple[str | None, float]:
    d = df.dropna(subset=[value]).sort_values("period")
    if d.empty:
        return None, math.nan
    return str(d["period"].iloc[-1]), float(d[value].iloc[-1])


def level(r: PreventionResult) -> str:
    """Where the preventive share stands, against the floor, and which way it moves."""
    sh = r.floor.shares
    own = sh.loc[(sh["organisation"] == r.organisation) & (sh["team"] == ALL)]
    period, value = _latest(own, "preventive_share")
    if period is None:
        return ""
    text = (f"In {period} ging {nl_percent(value)} van de preventieve en wettelijke uren van "
            f"{_who(r)} naar preventief werk")
    if r.organisation != ALL:
        city = sh.loc[(sh["organisation"] == ALL) & (sh["period"] == period), "preventive_share"]
        if not city.empty:
            text += f" ({CITY_REFERENCE}: {nl_percent(float(city.iloc[0]))})"
    teams = r.floor.team_shares
    teams = teams.loc[(teams["period"] == period) & teams["preventive_share"].notna()]
    if len(teams):
        below = int((teams["preventive_share"] < r.settings.floor).sum())
        floor = nl_percent(r.settings.floor, 0)
        if below == 0:
            text += f"; geen enkel team zat onder de ondergrens van {floor}"
        else:
            verb = "zat" if below == 1 else "zaten"
            text += f"; {below} van de {len(teams)} teams {verb} onder de ondergrens van {floor}"
    return text + ". " + _direction(r, "preventive_share", "Het aandeel")


def _direction(r: PreventionResult, indicator_id: str, subject: str) -> str:
    t = r.trends
    row = t.loc[(t["indicator_id"] == indicator_id) & (t["organisation"] == r.organisation)]
    if row.empty:
        return ""
    row = row.iloc[0]
    verdict = str(row["verdict"])
    if verdict in ("dalend", "stijgend"):
        lo, hi = row["ci_low"] * 100, row["ci_high"] * 100
        return (f"{subject} {'daalt' if verdict == 'dalend' else 'stijgt'} over de jaren met "
                f"gemiddeld {pp(row['slope_per_year'] * 100)} procentpunt per jaar "
                f"(onzekerheidsmarge {pp(min(abs(lo), abs(hi)))} tot {pp(max(abs(lo), abs(hi)))}).")
    if verdict == "geen aantoonbare trend":
        return f"Een daling of stijging over de jaren is niet aan te tonen ({int(row['n'])} kwartalen)."
    return "Of het daalt of stijgt, is over deze periode nog niet te beoordelen."


def deadline_sentence(r: PreventionResult) -> str:
    """The latest final deadline shares (the lowest named) and their link with caseload."""
    f = r.deadlines.figure
    if f.empty:
        return ""
    own = f.loc[(f["organisation"] == r.organisation) & (f["status"] == "definitief")
                & f["share_on_time"].notna()]
    if own.empty:
        return ""
    period = str(own["period"].max())
    last = own.loc[own["period"] == period].sort_values("share_on_time")
    low = last.iloc[0]
    all_ids = f.loc[f["organisation"] == r.organisation, "indicator_id"].nunique()
    which = (f"de {len(last)} termijnen" if len(last) == all_ids else
             f"de {len(last)} termijnen met gepubliceerde cijfers")
    text = (f"Wettelijke termijnen: in {period}, het laatste kwartaal waarvan alle termijnen "
            f"verstreken zijn, werd {nl_percent(low['share_on_time'], 0)}{_margin(low)} van de "
            f"{DEADLINE_SHORT.get(str(low['indicator_id']), str(low['indicator_id']))} van "
            f"{_who(r)} op tijd afgerond, het laagst van {which}")
    return text + "; " + _deadline_load(r) + "."


def _margin(row: pd.Series) -> str:
    """`` (95%-marge 67%–85%)`` for a share with an interval, else ``""``."""
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if pd.isna(lo) or pd.isna(hi):
        return ""
    return f" (95%-marge {nl_percent(lo, 0)}–{nl_percent(hi, 0)})"


def _deadline_load(r: PreventionResult) -> str:
    tbl = r.deadline_models.table
    if tbl.empty:
        return "het verband met de caseload is niet geschat (te weinig teams of kwartalen)"
    clear = tbl.loc[tbl["ci_high_pp"] < 0].sort_values("effect_pp")
    step = nl_number(r.settings.effect_step)
    if clear.empty:
        return "een verband tussen caseload en tijdigheid is bij geen van de termijnen aan te tonen"
    top = clear.iloc[0]
    name = DEADLINE_SHORT.get(str(top["indicator_id"]), str(top["indicator_id"]))
    return (f"bij {len(clear)} van de {len(tbl)} termijnen gaat een hogere caseload aantoonbaar "
            f"samen met minder tijdigheid (het sterkst bij {name}: {pp(top['effect_pp'])} "
            f"procentpunt minder op tijd bij {step} casussen per fte meer"
            + ("" if r.organisation == ALL else "; geschat over alle teams van de gemeente")
            + ")")


def steering(r: PreventionResult) -> str:
    """What the answer means for steering."""
    fe = r.model.fe
    if fe is None:
        return ""
    deadlines_too = not r.deadline_models.table.empty and bool(
        (r.deadline_models.table["ci_high_pp"] < 0).any())
    if clear_sign(fe) < 0:
        also = " én tijdigheid van wettelijke taken" if deadlines_too else ""
        return ("Voor de sturing: wie de caseload per fte laat oplopen, levert preventief werk"
                f"{also} in; houd caseload en preventief aandeel per team samen in beeld en "
                "grijp in voordat teams onder de ondergrens zakken.")
    return ("Voor de sturing: de caseload is op deze gegevens geen aantoonbare verklaring voor "
            "minder preventief werk; volg het preventieve aandeel per team tegen de ondergrens.")


def caveat(r: PreventionResult) -> str:
    """The main caveat: association, few teams, left-out quarters."""
    m = r.model
    if m.fe is None:
        return ("Let op: zonder het model blijven alleen de beschreven cijfers; die zeggen niets "
                "over oorzaak en gevolg.")
    parts = [f"Let op: dit is samenhang binnen teams door de tijd, geen bewezen oorzaak, en het "
             f"rust op {m.fe.clusters} teams"]
    if m.fe.few_clusters:
        parts[0] += " (weinig voor zo'n model; daarom een ruime onzekerheidsmarge)"
    if m.excluded:
        parts.append(f"de opstartkwartalen {m.excluded[0]} t/m {m.excluded[-1]} tellen niet mee "
                     "(de caseload was toen nog niet volledig geregistreerd)")
    prov = r.deadlines.figure
    prov = prov.loc[prov["status"] == "voorlopig", "period"] if not prov.empty else prov
    if len(prov):
        parts.append(f"de termijnen vanaf {min(prov)} zijn nog voorlopig")
    return "; ".join(parts) + "."
