"""Signals: stories from practice (Dutch), dated around the bends in the lines.

Bends are found in the generated data (the caseload peak of the surge team,
the quarter with the largest drop in Wmo assessment timeliness) or are
planted events (COVID dip, formation growth, staff dip, CAO wage rise).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import _measures as M
from . import _params as P
from ._calendar import day, quarter_label, quarter_start, to_date

THEMES = ("werkdruk", "personeel", "wachttijden", "preventie", "financiering", "samenwerking",
          "toegang", "registratie")

BACKGROUND = (
    ("samenwerking", "Goed overleg met de huisartsen in de wijk; verwijzingen lopen soepeler."),
    ("registratie", "Medewerkers geven aan dat registreren veel tijd kost naast het werk met inwoners."),
    ("preventie", "Inloopspreekuur in het buurthuis trekt meer bezoekers dan verwacht."),
    ("toegang", "Inwoners weten het wijkteam steeds beter te vinden via de school."),
    ("financiering", "Onduidelijk of de extra opdracht volgend jaar wordt verlengd."),
    ("samenwerking", "Casusoverleg met woningcorporatie helpt om huisuitzettingen te voorkomen."),
    ("preventie", "Groepsaanbod voor mantelzorgers gestart; goede opkomst."),
    ("werkdruk", "Team geeft aan dat complexe casussen meer tijd vragen dan begroot."),
    ("registratie", "Nieuwe versie van het registratiesysteem geeft opstartproblemen."),
    ("toegang", "Meer vragen van statushouders over inburgering en schulden."),
)


def find_bends(teams: pd.DataFrame, caseload: pd.DataFrame, cases: pd.DataFrame,
               until_day: int) -> list[dict]:
    """The bends in the lines, each with date, kind, organisation, team, kpi_id."""
    org_of = dict(zip(teams["team"], teams["organisation"], strict=True))
    bends: list[dict] = []

    def add(kind: str, d: int, org: str | None, team: str | None, kpi: str | None, what: str) -> None:
        if 0 <= d <= until_day:
            bends.append({"kind": kind, "date": str(to_date(d)), "organisation": org, "team": team,
                          "kpi_id": kpi, "description": what})

    add("demand_dip", day(P.COVID["start"]) + 14, None, None, "KPI11",
        "COVID-19: fewer new reports (x{:.2f}) until {}".format(P.COVID["factor"], P.COVID["end"]))
    for when, share in P.FORMATION_GROWTH:
        add("formation_growth", day(when), None, None, "KPI08",
            f"formation grows by {share:.0%}; new slots start vacant, FTE lags")
    t = P.SURGE["team"]
    ti = int(np.flatnonzero(teams["team"].to_numpy() == t)[0])
    cl = caseload[(caseload["team_idx"] == ti) & np.isfinite(caseload["caseload"])
                  & (caseload["day"] >= day(P.SURGE["start"]))]
    if len(cl):
        top = cl.loc[cl["caseload"].idxmax()]
        add("caseload_peak", int(top["day"]), org_of[t], t, "KPI06",
            f"caseload per FTE peaks at {top['caseload']:.1f} in {quarter_label(int(top['q']))} "
            f"after the demand surge (x{P.SURGE['factor']}) from {P.SURGE['start']}")
    dt = P.STAFF_DIP["team"]
    add("staff_dip", day(P.STAFF_DIP["start"]) + 30, org_of[dt], dt, "KPI07",
        f"staff dip: extra leavers {P.STAFF_DIP['start']}..{P.STAFF_DIP['end']}, slow refill")
    ot = M.on_time_by(cases, "wmo_assessment", until_day, "organisation")
    city = ot.groupby("q")[["sum", "count"]].sum()
    city = city[(city["count"] >= 20) & (city.index >= 4)]
    if len(city) > 1:
        share = city["sum"] / city["count"]
        drop = share.diff()
        q = int(drop.idxmin())
        add("deadline_drop", int(quarter_start(q)) + 45, None, None, "KPI01",
            f"city Wmo assessment on time drops by {-drop.min():.2f} to {share.loc[q]:.2f} in "
            f"{quarter_label(q)}")
    add("wage_rise", day(date(2023, 1, 1)) + 20, None, None, "KPI10",
        f"CAO wages +{P.CAO_WAGE_GROWTH[2023]:.0%} (2023) against indexation "
        f"+{P.MUNICIPAL_INDEXATION[2023]:.1%}")
    return bends


TEXTS = {
    "demand_dip": [("toegang", "Door de coronamaatregelen komen er veel minder nieuwe meldingen binnen; we maken ons zorgen over wat er achter de voordeur gebeurt."),
                   ("toegang", "Huisbezoeken vervangen door telefonisch contact; sommige inwoners bereiken we niet meer.")],
    "formation_growth": [("personeel", "Extra formatie toegekend, maar de nieuwe vacatures zijn nog niet vervuld."),
                         ("personeel", "Werving voor de uitgebreide formatie loopt trager dan gehoopt.")],
    "caseload_peak": [("werkdruk", "De caseload in ons team is zo hoog dat we alleen nog aan wettelijke taken toekomen."),
                      ("preventie", "Het preventieve groepsaanbod is tijdelijk stopgezet omdat de wachtlijst voorgaat."),
                      ("wachttijden", "Nieuwe meldingen wachten langer op een eerste gesprek.")],
    "staff_dip": [("personeel", "Meerdere collega's zijn kort na elkaar vertrokken; het team draait op de helft van de bezetting."),
                  ("werkdruk", "Door het vertrek van collega's worden casussen overgedragen en lopen termijnen uit."),
                  ("personeel", "Inhuur via een bureau is duur en nauwelijks beschikbaar.")],
    "deadline_drop": [("wachttijden", "Meer Wmo-onderzoeken worden niet binnen zes weken afgerond."),
                      ("wachttijden", "Inwoners bellen vaker na over de voortgang van hun melding.")],
    "wage_rise": [("financiering", "De nieuwe cao verhoogt de loonkosten sterker dan de indexatie van de gemeente."),
                  ("financiering", "Om binnen het budget te blijven worden vacatures later opengesteld.")],
}


def build_signals(bends: list[dict], teams: pd.DataFrame, areas: pd.DataFrame, until_day: int,
                  scale: float, rng: np.random.Generator) -> pd.DataFrame:
    """The signals table (dates as day offsets)."""
    rows = []
    team_names = teams["team"].to_numpy(object)
    org_of = dict(zip(teams["team"], teams["organisation"], strict=True))
    area_of = areas.groupby("team")["area_code"].first().to_dict()
    for b in bends:
        d0 = day(date.fromisoformat(b["date"]))
        for theme, text in TEXTS[b["kind"]]:
            d = int(np.clip(d0 + rng.integers(-40, 41), 0, until_day))
            if b["team"]:
                targets = [b["team"]]
            elif b["organisation"]:
                targets = [t for t in team_names if org_of[t] == b["organisation"]][:1]
            else:
                targets = [team_names[int(rng.integers(len(team_names)))]]
            for t in targets:
                with_team = b["team"] is not None or rng.random() < 0.5
                rows.append((d, org_of[t], text, t if with_team else None,
                             area_of[t] if with_team and rng.random() < 0.6 else None, theme,
                             b["kpi_id"] if rng.random() < 0.7 else None))
    n_bg = max(5, int(round(P.BACKGROUND_SIGNALS * max(scale, 0.25))))
    for k in range(n_bg):
        d = int(rng.integers(0, until_day + 1)) if k < n_bg - 1 else until_day
        t = team_names[int(rng.integers(len(team_names)))]
        theme, text = BACKGROUND[int(rng.integers(len(BACKGROUND)))]
        rows.append((d, org_of[t], text, t if rng.random() < 0.7 else None, None, theme, None))
    df = pd.DataFrame(rows, columns=["date", "organisation", "text", "team", "area_code", "theme",
                                     "kpi_id"])
    return df.sort_values("date", kind="stable", ignore_index=True)


def build_bends_and_signals(teams: pd.DataFrame, caseload: pd.DataFrame, cases: pd.DataFrame,
                            areas: pd.DataFrame, until_day: int, scale: float,
                            rng: np.random.Generator) -> tuple[list[dict], pd.DataFrame]:
    """The bends and the signals table."""
    bends = find_bends(teams, caseload, cases, until_day)
    return bends, build_signals(bends, teams, areas, until_day, scale, rng)
