"""The KPI register (about 60 KPIs, as the evaluation found) and reported values.

The register is deliberately too long: many KPIs have no data source and no
indicator (unmeasurable), four groups are near-duplicates whose reported
values move together, none is about prevention, most sit at input/activity/
output level, quality blocks are unevenly covered and theory of change is
mostly empty. KPIs with an ``indicator_id`` report exactly that indicator at
organisation level (as-of = until) so they can be checked against the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _measures as M
from . import _params as P
from ._calendar import quarter_end, quarter_label, quarter_of, year_of

SRC_REG = "Wijkteamregistratie (cliëntsysteem)"
SRC_WMO = "Gemeentelijk Wmo-systeem"
SRC_HR = "HR-administratie"
SRC_FIN = "Financiële administratie"
SRC_CEO = "Cliëntervaringsonderzoek"
SRC_TURF = "Eigen turving"
SRC_UREN = "Urenregistratie"

# name, unit, direction, target, data_source, indicator_id, block, level, freq, generator
# generator: ("ind", id) | ("dup", group, factor) | ("rnd", lo, hi) | ("none",)
KPIS: tuple[tuple, ...] = (
    ("Percentage Wmo-meldingen met onderzoek binnen 6 weken", "share", "higher_is_better", 0.9, SRC_WMO, "wmo_assessment_on_time", 2, "output", "Q", ("ind", "wmo_assessment")),
    ("Percentage Wmo-beschikkingen binnen 2 weken na aanvraag", "share", "higher_is_better", 0.95, SRC_WMO, "wmo_decision_on_time", 2, "output", "Q", ("ind", "wmo_decision")),
    ("Tijdigheid beschikkingen Jeugdwet", "share", "higher_is_better", 0.9, SRC_REG, "jeugdwet_decision_on_time", 2, "output", "Q", ("ind", "jeugdwet_decision")),
    ("Tijdigheid besluiten Participatiewet", "share", "higher_is_better", 0.9, SRC_REG, "participatiewet_decision_on_time", 2, "output", "Q", ("ind", "participatiewet_decision")),
    ("Percentage schuldhulpvragen met eerste gesprek binnen 4 weken", "share", "higher_is_better", 0.85, SRC_REG, "wgs_first_contact_on_time", 3, "output", "Q", ("ind", "wgs_first_contact")),
    ("Caseload per fte", "count", "lower_is_better", 25.0, SRC_REG, "caseload_per_fte", 5, "input", "Q", ("ind", "caseload")),
    ("Uitstroom medewerkers (%)", "share", "lower_is_better", 0.1, SRC_HR, "staff_outflow_rate", 5, "input", "Y", ("ind", "outflow")),
    ("Openstaande vacatureruimte", "share", "lower_is_better", 0.05, SRC_HR, "vacancy_rate", 5, "input", "Y", ("ind", "vacancy")),
    ("Bereik per 1.000 inwoners", "count", "higher_is_better", None, SRC_REG, "reach_per_1000", 3, "output", "Y", ("ind", "reach")),
    ("Aandeel incidentele financiering", "share", "none", None, SRC_FIN, "incidental_funding_share", 7, "input", "Y", ("ind", "incidental")),
    ("Aantal nieuwe meldingen", "count", "none", None, SRC_REG, None, 3, "output", "Q", ("dup", "instroom", 1.0)),
    ("Aantal aanmeldingen bij het wijkteam", "count", "none", None, SRC_REG, None, 3, "output", "Q", ("dup", "instroom", 1.03)),
    ("Instroom nieuwe cliënten", "count", "none", None, SRC_TURF, None, 3, "input", "Q", ("dup", "instroom", 0.86)),
    ("Cliënttevredenheid (rapportcijfer)", "score", "higher_is_better", 7.5, SRC_CEO, None, 1, "outcome", "Y", ("dup", "tevredenheid", 1.0)),
    ("Percentage tevreden cliënten", "share", "higher_is_better", 0.8, SRC_CEO, None, 1, "output", "Y", ("dup", "tevredenheid", 0.112)),
    ("Gemiddelde waardering dienstverlening", "score", "higher_is_better", 7.0, SRC_CEO, None, 1, "output", "Y", ("dup", "tevredenheid", 0.97)),
    ("Aantal collectieve activiteiten", "count", "higher_is_better", None, SRC_TURF, None, 3, "activity", "Q", ("dup", "collectief", 1.0)),
    ("Aantal groepsbijeenkomsten sociale basis", "count", "higher_is_better", None, SRC_TURF, None, 3, "activity", "Q", ("dup", "collectief", 1.25)),
    ("Ziekteverzuimpercentage", "share", "lower_is_better", 0.06, SRC_HR, None, 5, "input", "Y", ("dup", "verzuim", 1.0)),
    ("Verzuim medewerkers (%)", "share", "lower_is_better", 0.055, SRC_HR, None, 5, "input", "Y", ("dup", "verzuim", 1.02)),
    ("Aantal huisbezoeken", "count", "none", None, SRC_TURF, None, 3, "activity", "Q", ("rnd", 150.0, 400.0)),
    ("Aantal casusoverleggen", "count", "none", None, SRC_TURF, None, 4, "activity", "Q", ("rnd", 40.0, 120.0)),
    ("Aantal doorverwijzingen naar specialistische zorg", "count", "lower_is_better", None, SRC_REG, None, 3, "output", "Q", ("rnd", 30.0, 90.0)),
    ("Gemiddelde doorlooptijd melding tot afsluiting (dagen)", "days", "lower_is_better", 180.0, SRC_REG, None, 2, "output", "Y", ("rnd", 180.0, 320.0)),
    ("Aantal afgesloten trajecten", "count", "none", None, SRC_REG, None, 3, "output", "Y", ("rnd", 1200.0, 2400.0)),
    ("Aantal vrijwilligers ingezet", "count", "higher_is_better", None, SRC_TURF, None, 7, "input", "Y", ("rnd", 60.0, 200.0)),
    ("Opleidingsbudget besteed (EUR)", "eur", "none", None, SRC_FIN, None, 5, "input", "Y", ("rnd", 60000.0, 180000.0)),
    ("Aantal medewerkers met SKJ/BAPD-registratie", "count", "higher_is_better", None, SRC_HR, None, 5, "input", "Y", ("rnd", 40.0, 90.0)),
    ("Percentage cliënten met ondersteuningsplan", "share", "higher_is_better", 0.9, SRC_REG, None, 2, "output", "Y", ("rnd", 0.6, 0.9)),
    ("Aantal signaleringen huiselijk geweld", "count", "none", None, SRC_REG, None, 3, "activity", "Q", ("rnd", 10.0, 40.0)),
    ("Uitgaven aanvullende opdrachten (EUR)", "eur", "none", None, SRC_FIN, None, 7, "input", "Y", ("rnd", 300000.0, 1500000.0)),
    ("Aantal wachtenden op eerste gesprek", "count", "lower_is_better", 0.0, SRC_REG, None, 2, "output", "Q", ("rnd", 5.0, 60.0)),
    ("Percentage doelen behaald volgens cliënt", "share", "higher_is_better", 0.7, SRC_CEO, None, 1, "outcome", "Y", ("rnd", 0.55, 0.8)),
    ("Aantal deelnemers collectieve activiteiten", "count", "higher_is_better", None, SRC_TURF, None, 3, "output", "Y", ("rnd", 800.0, 2500.0)),
    ("Aantal netwerkbijeenkomsten met partners", "count", "none", None, SRC_TURF, None, 4, "activity", "Y", ("rnd", 20.0, 60.0)),
    ("Mate van zelfredzaamheid van inwoners", "score", "higher_is_better", None, None, None, 1, "outcome", "Y", ("none",)),
    ("Versterking van de sociale basis", None, "higher_is_better", None, None, None, 3, "outcome", "Y", ("none",)),
    ("Ervaren eenzaamheid in de wijk", "share", "lower_is_better", None, None, None, None, "impact", "Y", ("none",)),
    ("Aantal inwoners dat sneller passende hulp vindt", "count", "higher_is_better", None, None, None, 2, "outcome", "Y", ("none",)),
    ("Tevredenheid ketenpartners", "score", "higher_is_better", 7.0, None, None, 4, "output", "Y", ("none",)),
    ("Mate van integraal werken", "score", "higher_is_better", None, None, None, 4, "activity", "Y", ("none",)),
    ("Aantal voorkomen escalaties naar specialistische zorg", "count", "higher_is_better", None, None, None, 3, "outcome", "Y", ("none",)),
    ("Vroegsignalering schulden: bereik", "count", "higher_is_better", None, None, None, 3, "output", "Q", ("none",)),
    ("Percentage huishoudens met stabiele situatie na afsluiting", "share", "higher_is_better", 0.75, None, None, 1, "outcome", "Y", ("none",)),
    ("Afname van problematiek bij jeugdigen", None, "higher_is_better", None, None, None, None, "impact", "Y", ("none",)),
    ("Kwaliteit van de gespreksvoering", "score", "higher_is_better", None, None, None, 2, "activity", "Y", ("none",)),
    ("Inzet ervaringsdeskundigen", "count", "none", None, None, None, 5, "input", "Y", ("none",)),
    ("Betrokkenheid van inwoners bij wijkinitiatieven", "count", "higher_is_better", None, None, None, 3, "output", "Y", ("none",)),
    ("Werkplezier medewerkers", "score", "higher_is_better", 7.5, None, None, 5, "input", "Y", ("none",)),
    ("Samenwerking met huisartsen", None, "none", None, None, None, 4, "activity", "Y", ("none",)),
    ("Aantal inwoners bereikt via outreachend werken", "count", "higher_is_better", None, None, None, 3, "output", "Q", ("none",)),
    ("Mate van regie bij de cliënt", "score", "higher_is_better", None, None, None, 1, "outcome", "Y", ("none",)),
    ("Percentage cliënten zonder terugval binnen een jaar", "share", "higher_is_better", 0.8, None, None, 2, "outcome", "Y", ("none",)),
    ("Bijdrage aan gezondheid in de wijk", None, "none", None, None, None, None, "impact", "Y", ("none",)),
    ("Aantal gesignaleerde knelpunten aan de gemeente", "count", "none", None, None, None, 7, "activity", "Y", ("none",)),
    ("Innovatiekracht van het team", "score", "higher_is_better", None, None, None, 5, "input", "Y", ("none",)),
    ("Toegankelijkheid van het wijkteam", "score", "higher_is_better", None, None, None, 2, "output", "Y", ("none",)),
    ("Tijdige inzet na crisis", "share", "higher_is_better", 0.95, None, None, 2, "output", "Q", ("none",)),
    ("Aantal trainingen voor vrijwilligers", "count", "higher_is_better", None, None, None, 7, "activity", "Y", ("none",)),
    ("Inzet op kansengelijkheid", None, "none", None, None, None, None, "outcome", "Y", ("none",)),
)

THEORY = {
    0: "Tijdig onderzoek voorkomt dat vragen escaleren.",
    13: "Tevreden cliënten werken beter mee aan hun plan en hebben minder vervolgzorg nodig.",
    32: "Behaalde doelen zijn het resultaat van goede ondersteuning.",
    35: "Meer zelfredzaamheid leidt tot minder maatwerkvoorzieningen.",
    43: "Een stabiele situatie na afsluiting voorkomt nieuwe meldingen.",
}
NO_ASSIGNMENT = {9, 26, 30, 38, 47, 53, 59}


@dataclass
class KpiResult:
    register: pd.DataFrame
    values: pd.DataFrame
    truth: dict


def kpi_id(i: int) -> str:
    """KPI id of the i-th register entry (0-based)."""
    return f"KPI{i + 1:02d}"


def build_register() -> pd.DataFrame:
    """The KPI register in contract columns."""
    rows = []
    for i, k in enumerate(KPIS):
        name, unit, direction, target, src, ind, block, level, freq, _ = k
        per = "kwartaal" if freq == "Q" else "jaar"
        desc = f"{name}; door de wijkteamorganisatie gerapporteerd per {per}."
        if src is None:
            desc += " Definitie en bron nog niet vastgesteld."
        rows.append((kpi_id(i), name, desc, None if i in NO_ASSIGNMENT else "MAIN", unit, direction,
                     target, src, ind, block, level, THEORY.get(i)))
    return pd.DataFrame(rows, columns=["kpi_id", "name", "description", "assignment_id", "unit",
                                       "direction", "target", "data_source", "indicator_id",
                                       "quality_block", "result_level", "theory_of_change"])


def _periods(until_day: int) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """(yearly, quarterly) periods (label, first day, last day) complete by until."""
    from datetime import date as _d

    from ._calendar import day

    yearly = [(str(y), day(_d(y, 1, 1)), day(_d(y, 12, 31))) for y in range(2019, 2100)
              if day(_d(y, 12, 31)) <= until_day]
    qs = M.city_quarter_ends(until_day)
    first = 12 if len(qs) > 16 else 0  # 2022-Q1 once there is enough history
    quarterly = [(quarter_label(q), int(quarter_end(q - 1)) + 1, int(quarter_end(q))) for q in qs if q >= first]
    return yearly, quarterly


def build_values(register: pd.DataFrame, cases: pd.DataFrame, staff: pd.DataFrame,
                 formation: pd.DataFrame, budgets: pd.DataFrame, areas: pd.DataFrame,
                 hours: pd.DataFrame, until_day: int, scale: float,
                 rng: np.random.Generator) -> KpiResult:
    """Reported values per KPI x organisation x period (see module doc)."""
    yearly, quarterly = _periods(until_day)
    orgs = P.ORGANISATIONS
    on_time = {key: M.on_time_by(cases, key, until_day, "organisation") for key in P.DEADLINES}
    rep_q = quarter_of(cases["date_report"].to_numpy())
    rep_y = year_of(cases["date_report"].to_numpy())
    coll = hours[hours["activity"] == "preventive_collective"]
    coll_q = quarter_of(coll["date"].to_numpy())
    coll_org = coll["organisation"].astype(object).to_numpy()
    coll_h = coll["hours"].to_numpy()

    latent: dict[tuple[str, str, str], float] = {}
    for org in orgs:
        sat = rng.normal(7.3, 0.35)
        absent = rng.uniform(0.05, 0.08)
        for label, _, _ in yearly:
            latent[("tevredenheid", org, label)] = float(np.clip(sat + rng.normal(0, 0.3), 5.5, 8.9))
            latent[("verzuim", org, label)] = float(np.clip(absent + rng.normal(0, 0.012), 0.02, 0.15))
        for label, _a, b in quarterly:
            q = int(quarter_of(np.array([b]))[0])
            latent[("instroom", org, label)] = float(((cases["organisation"].to_numpy() == org) & (rep_q == q)).sum())
            latent[("collectief", org, label)] = float(coll_h[(coll_org == org) & (coll_q == q)].sum() / 6.0)

    rows = []
    near: dict[str, list[str]] = {}
    level = {}
    for i, k in enumerate(KPIS):
        kid = kpi_id(i)
        name, unit, direction, target, src, ind, block, lvl, freq, gen = k
        periods = quarterly if freq == "Q" else yearly
        if gen[0] == "dup":
            near.setdefault(gen[1], []).append(kid)
        for org in orgs:
            if gen[0] == "rnd":
                level[(kid, org)] = rng.uniform(gen[1], gen[2])
            for label, a, b in periods:
                value, note = _value(gen, unit, org, label, a, b, on_time, cases, staff, formation,
                                     budgets, areas, rep_y, latent, level.get((kid, org)), until_day,
                                     scale, rng)
                rows.append((kid, org, label, value, note))
    values = pd.DataFrame(rows, columns=["kpi_id", "organisation", "period", "value", "note"])
    unmeasurable = [kpi_id(i) for i, k in enumerate(KPIS) if k[4] is None and k[5] is None]
    truth = {
        "n_kpis": len(KPIS),
        "unmeasurable": unmeasurable,
        "near_duplicate_groups": [near[g] for g in near],
        "near_duplicate_rule": "members report factor x a shared latent value x (1 + N(0, 0.005))",
        "prevention_kpis": [],
        "with_indicator_id": {kpi_id(i): k[5] for i, k in enumerate(KPIS) if k[5]},
        "indicator_values_rule": "value = the indicator at organisation level for the period, "
                                 "computed on the generated data with as-of = until, rounded "
                                 "(shares 4 decimals); empty when the denominator is 0",
        "not_delivered_share": {"measurable": 0.08, "unmeasurable": 0.75},
        "periods": {"yearly": [p[0] for p in yearly], "quarterly": [p[0] for p in quarterly]},
    }
    return KpiResult(register, values, truth)


def _value(gen: tuple, unit: str | None, org: str, label: str, a: int, b: int,
           on_time: dict[str, pd.DataFrame], cases: pd.DataFrame, staff: pd.DataFrame,
           formation: pd.DataFrame, budgets: pd.DataFrame, areas: pd.DataFrame, rep_y: np.ndarray,
           latent: dict, lvl: float | None, until_day: int, scale: float,
           rng: np.random.Generator) -> tuple[float | None, str | None]:
    """(value, note) reported for one KPI x organisation x period (``a``..``b`` day offsets)."""
    kind = gen[0]
    if kind == "ind":
        v = _indicator(gen[1], org, label, a, b, on_time, cases, staff, formation, budgets, areas,
                       rep_y, until_day)
        if v is None or not np.isfinite(v):
            return None, "geen gegevens"
        if rng.random() < 0.05:
            return None, "niet aangeleverd"
        return round(float(v), 4), None
    if kind == "dup":
        base = latent[(gen[1], org, label)]
        v = gen[2] * base * (1.0 + rng.normal(0, 0.005))
        return (round(v) if unit == "count" else round(v, 4)), None
    if kind == "rnd":
        if rng.random() < 0.08:
            return None, "niet aangeleverd"
        v = lvl * (1.0 + rng.normal(0, 0.12))
        if unit in ("count", "eur"):
            v = v * scale
            return (float(round(v)) if unit == "count" else round(v, 2)), None
        return round(float(np.clip(v, 0, 1 if unit == "share" else 1e9)), 4), None
    # unmeasurable: mostly not delivered, else a rough estimate
    if rng.random() < 0.75:
        return None, "geen bron beschikbaar"
    if unit == "share":
        return round(float(rng.uniform(0.5, 0.9)), 2), "schatting"
    if unit == "score":
        return round(float(rng.uniform(6.0, 8.0)), 1), "schatting"
    if unit == "count":
        return float(round(rng.uniform(10, 300) * max(scale, 0.1))), "schatting"
    return None, "geen bron beschikbaar"


def _indicator(which: str, org: str, label: str, a: int, b: int, on_time: dict[str, pd.DataFrame],
               cases: pd.DataFrame, staff: pd.DataFrame, formation: pd.DataFrame,
               budgets: pd.DataFrame, areas: pd.DataFrame, rep_y: np.ndarray,
               until_day: int) -> float | None:
    """The organisation-level value of the indicator behind a KPI (None: no denominator)."""
    if which in P.DEADLINES:
        t = on_time[which]
        q = int(quarter_of(np.array([b]))[0])
        r = t[(t["organisation"] == org) & (t["q"] == q)]
        return float(r["value"].iloc[0]) if len(r) else None
    if which == "caseload":
        return M.org_caseload(cases, staff, b)[org]
    year = int(label)
    if which == "outflow":
        num, den = M.outflow_rate(staff, org, year, until_day)
        return num / den if den else None
    if which == "vacancy":
        return M.vacancy_rate(staff, formation, org, year)
    if which == "reach":
        return M.reach_per_1000(cases, areas, org, year)
    if which == "incidental":
        bb = budgets[(budgets["organisation"] == org) & (budgets["year"] == year)]
        tot = bb["amount_eur"].sum()
        return float(bb.loc[bb["funding_type"] == "incidental", "amount_eur"].sum() / tot) if tot else None
    raise KeyError(which)
