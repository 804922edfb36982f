"""Dutch presentation of the workforce scenarios: reader tables and narrative text.

Everything a reader of ``notebooks/04_workforce.py`` sees as a table or a
sentence is built here from the frames that the wing's compute modules
(:mod:`.calibrate`, :mod:`.history`, :mod:`.simulate`, :mod:`.model_checks`,
:mod:`.funding`) compute and :func:`.build.build` gathers. Nothing here
estimates or simulates; functions select, label (Dutch), format numbers the
Dutch way and apply the publication rules (counts below 5 persons shown as
``<5``, with secondary suppression, via :mod:`zwt_analysis.present.publish`).
The figures are in :mod:`.plots`; they share the labels defined here.

Formatting: shares as ``12,3%``, numbers with a decimal comma; a missing or
infinite value shows ``–`` and an estimate that cannot be made shows "niet te
schatten". City labels come from :mod:`zwt_analysis.labels` (the city is
"Gemeente").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.labels import org_in_sentence, org_name
from zwt_analysis.present.fmt import nl_number, nl_percent
from zwt_analysis.present.publish import SECONDARY, is_hidden
from zwt_analysis.reports.workforce import calibrate, simulate
from zwt_analysis.reports.workforce.model_checks import BacktestResult

__all__ = [
    "ASSUMPTION_LABELS_NL", "OUTPUT_LABELS_NL", "PERCENT_KEYS", "additional_display",
    "assumptions_display",
    "additional_text", "assumptions_table", "backtest_display", "backtest_text",
    "calibration_table", "eight_year_display", "eight_year_text", "funding_display",
    "hidden_outflow", "recovery_display", "recovery_text", "reservation_display",
    "round_numbers", "sector_comparison_text", "sector_label", "sensitivity_intro",
    "sensitivity_text", "small_numbers_text", "summary_display",
    "summary_text", "suppressed_cells",
]

#: Dutch labels of the assumptions (tables and the tornado chart).
ASSUMPTION_LABELS_NL = {
    "outflow_rate": "Uitstroom per jaar",
    "months_to_fill": "Maanden tot vervulling vacature",
    "ramp_up_months": "Inwerktijd nieuwe medewerker (maanden)",
    "new_hire_productivity": "Productiviteit nieuwe medewerker bij start",
    "wage_growth": "Cao-loonstijging per jaar",
    "indexation": "Gemeentelijke indexatie per jaar",
    "population_growth": "Bevolkingsgroei per jaar",
    "demand_trend": "Trend wettelijke vraag per inwoner per jaar",
    "overhead_share": "Aandeel overhead, coördinatie en extra opdrachten",
}
#: Dutch labels of the simulated outputs (fan charts).
OUTPUT_LABELS_NL = {
    "effective_fte": "Effectieve fte (na inwerken)",
    "vacancies_fte": "Openstaande vacatures (fte)",
    "stayers_share": "Aandeel huidig personeel nog in dienst",
    "preventive_fte": "Preventieve capaciteit (fte)",
    "preventive_share": "Preventief aandeel (preventief / (preventief + wettelijk))",
}
#: Assumptions and outputs that are shares (0..1), shown as percentages.
PERCENT_KEYS = ("stayers_share", "preventive_share", "outflow_rate", "wage_growth",
                "indexation", "population_growth", "demand_trend", "overhead_share",
                "new_hire_productivity")


# ----------------------------------------------------------------- formatting

def _org_names(orgs: pd.Series) -> list[str]:
    return [org_name(o) for o in orgs]


def _pct(v: float, d: int = 1) -> str:
    return nl_percent(v, d) if v is not None and np.isfinite(v) else "–"


def _num(v: float, d: int = 1) -> str:
    return nl_number(v, d) if v is not None and np.isfinite(v) else "–"


def _ci(est: float, lo: float, hi: float, percent: bool = False, d: int = 1) -> str:
    """``est (lo–hi)``; "niet te schatten" when the estimate is missing."""
    f = _pct if percent else _num
    if est is None or not np.isfinite(est):
        return "niet te schatten"
    return f"{f(est, d)} ({f(lo, d)}–{f(hi, d)})"


def sector_label(sector: float, source: str) -> str:
    """Name of the sector comparison, e.g. "Sector (CBS AZW, ca. 11%)"."""
    return f"Sector ({source}, ca. {_pct(sector, 0)})"


def round_numbers(df: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Round every float cell (also in object columns holding "<5") for a CSV side table."""
    def r(v: Any) -> Any:
        return round(v, decimals) if isinstance(v, float) and np.isfinite(v) else v

    return df.apply(lambda col: col.map(r))


# ----------------------------------------------------------------- publication rules


def suppressed_cells(df: pd.DataFrame, count_columns: list[str]) -> pd.DataFrame:
    """Boolean frame over ``count_columns``: True where publication rules suppress a
    person count (<5, with secondary suppression over the whole table as one group),
    via :mod:`zwt_analysis.present.publish`; indexed like ``df``."""
    return suppression_labels(df, count_columns).apply(is_hidden)


def suppression_labels(df: pd.DataFrame, count_columns: list[str]) -> pd.DataFrame:
    """The published cells of ``count_columns`` (``<5`` primary, ``x`` secondary, else the
    number), by :func:`zwt_analysis.present.publish.suppress_counts`; indexed like ``df``."""
    from zwt_analysis.present.publish import suppress_counts

    return suppress_counts(df[count_columns], count_columns).set_axis(df.index)


def hidden_outflow(calibration_csv: pd.DataFrame) -> set[str]:
    """Organisations whose outflow rate is suppressed in :func:`calibration_table`
    (fewer than 5 leavers, or secondary suppression): not to be shown elsewhere."""
    c = calibration_csv
    return set(c.loc[is_hidden(c["uitstroom"]), "organisatie"].astype(str))


# ----------------------------------------------------------------- history

def _calibration_numbers(rates: pd.DataFrame, fill: pd.DataFrame, ten: pd.DataFrame,
                         organisations: list[str]) -> pd.DataFrame:
    """One numeric row per organisation with the (Dutch) CSV column names; an
    organisation absent from a frame gets missing values."""
    rows = []
    for org in organisations:
        r = rates.loc[org] if org in rates.index else None
        f = fill.loc[org] if org in fill.index else None
        t = ten.loc[org] if org in ten.index else None

        def val(src: pd.Series | None, col: str) -> float:
            return float(src[col]) if src is not None else math.nan

        rows.append({
            "organisatie": org,
            "jaren": r["years"] if r is not None else "",
            "persoonjaren": val(r, "person_years"),
            "vertrekkers": val(r, "leavers"),
            "uitstroom": val(r, "outflow_rate"),
            "uitstroom_laag": val(r, "outflow_low"),
            "uitstroom_hoog": val(r, "outflow_high"),
            "nieuwkomers": val(r, "newcomers"),
            "instroom": val(r, "inflow_rate"),
            "instroom_laag": val(r, "inflow_low"),
            "instroom_hoog": val(r, "inflow_high"),
            "vervulde_vacatures": val(f, "filled"),
            "open_vacatures": val(f, "open"),
            "maanden_tot_vervulling": val(f, "mean_months"),
            "maanden_laag": val(f, "mean_low"),
            "maanden_hoog": val(f, "mean_high"),
            "mediane_verblijfsduur_jaren": val(t, "median_years"),
            "verblijfsduur_laag": val(t, "median_low"),
            "verblijfsduur_hoog": val(t, "median_high"),
        })
    return pd.DataFrame(rows)


#: Person counts of the calibration table, and the figures derived from each.
_CALIBRATION_COUNTS = ["persoonjaren", "vertrekkers", "nieuwkomers", "vervulde_vacatures",
                       "open_vacatures"]
_CALIBRATION_DERIVED = {
    "vertrekkers": ["uitstroom", "uitstroom_laag", "uitstroom_hoog"],
    "nieuwkomers": ["instroom", "instroom_laag", "instroom_hoog"],
    "vervulde_vacatures": ["maanden_tot_vervulling", "maanden_laag", "maanden_hoog"],
}


def _calibration_display_row(row: pd.Series, s: pd.Series, lab: pd.Series) -> dict[str, str]:
    """Dutch display cells of one calibration row; ``s`` flags its suppressed counts and
    ``lab`` holds their published symbols (rates derived from a hidden count show ``x``)."""
    SUPPRESSED = SECONDARY  # noqa: N806 - a rate is never itself a small count

    def count(c: str) -> str:
        return str(lab[c]) if s[c] else _num(row[c], 0)

    ten_ci = _ci(row["mediane_verblijfsduur_jaren"], row["verblijfsduur_laag"],
                 row["verblijfsduur_hoog"])
    if not np.isfinite(row["mediane_verblijfsduur_jaren"]):
        ten_ci = "mediaan niet bereikt"
    return {
        "Organisatie": org_name(row["organisatie"]),
        "Jaren": row["jaren"],
        "Persoonjaren": count("persoonjaren"),
        "Vertrekkers": count("vertrekkers"),
        "Uitstroom per jaar": SUPPRESSED if s["vertrekkers"] or s["persoonjaren"] else
        _ci(row["uitstroom"], row["uitstroom_laag"], row["uitstroom_hoog"], True),
        "Instroom per jaar": SUPPRESSED if s["nieuwkomers"] or s["persoonjaren"] else
        _ci(row["instroom"], row["instroom_laag"], row["instroom_hoog"], True),
        "Vacatures vervuld / nog open": f"{count('vervulde_vacatures')} / "
                                        f"{count('open_vacatures')}",
        "Maanden tot vervulling": SUPPRESSED if s["vervulde_vacatures"] else
        _ci(row["maanden_tot_vervulling"], row["maanden_laag"], row["maanden_hoog"]),
        "Mediane verblijfsduur (jaren)": ten_ci,
    }


def calibration_table(rates: pd.DataFrame, fill: pd.DataFrame, ten: pd.DataFrame,
                      organisations: list[str]) -> dict[str, pd.DataFrame]:
    """Calibration per organisation as a Dutch display table and a suppressed CSV table.

    Args:
        rates, fill, ten: :func:`calibrate.pool_rates`, :func:`calibrate.vacancy_fill_times`
            and :func:`calibrate.tenure` frames indexed by organisation.
        organisations: rows in this order (an organisation absent from a frame
            gets empty cells).

    Person counts (person-years, leavers, newcomers, filled vacancies) below
    5 are suppressed with secondary suppression; a rate whose count is
    suppressed is suppressed too.

    Returns:
        ``{"display": ..., "csv": ...}`` (both indexed 0..n-1, text cells).
    """
    num = _calibration_numbers(rates, fill, ten, organisations)
    # organisations add up to the city: one group, so a lone small cell takes another along
    lab = suppression_labels(num, _CALIBRATION_COUNTS)
    sup = lab.apply(is_hidden)
    csv = num.copy().astype(object)
    disp = []
    for i, row in num.iterrows():
        s = sup.loc[i]
        for c in _CALIBRATION_COUNTS:
            if s[c]:
                csv.loc[i, c] = lab.loc[i, c]
        for c, derived in _CALIBRATION_DERIVED.items():
            if s[c] or s["persoonjaren"]:
                for dcol in derived:
                    csv.loc[i, dcol] = SECONDARY
        disp.append(_calibration_display_row(row, s, lab.loc[i]))
    return {"display": pd.DataFrame(disp), "csv": csv}


def small_numbers_text(rates: pd.DataFrame, organisations: list[str], threshold: int) -> str:
    """Dutch warning for organisations with fewer than ``threshold`` leavers (wide
    intervals); '' if none."""
    small = [org_name(o) for o in organisations
             if o in rates.index and rates.loc[o, "leavers"] < threshold]
    if not small:
        return ""
    return (f"**Let op, kleine aantallen:** bij {', '.join(small)} zijn er minder dan "
            f"{threshold} vertrekkers in de gemeten jaren. De intervallen zijn daar breed en de "
            "uitkomsten per organisatie onzeker; kijk eerder naar de gemeente als geheel.")


def sector_comparison_text(rates: pd.DataFrame, organisations: list[str], sector: float,
                           hidden: set[str] | frozenset[str] = frozenset()) -> str:
    """Dutch sentences comparing each organisation's outflow with the sector figure.

    Organisations in ``hidden`` (suppressed counts) get no figure.
    """
    lines = []
    for org in organisations:
        if org not in rates.index:
            continue
        if org in hidden:
            lines.append(f"- **{org_name(org)}**: te weinig vertrekkers om "
                         "de uitstroom te publiceren (kleine aantallen).")
            continue
        r = rates.loc[org]
        lo, hi = r["outflow_low"], r["outflow_high"]
        verdict = ("hoger dan" if lo > sector else "lager dan" if hi < sector
                   else "niet duidelijk anders dan")
        lines.append(f"- **{org_name(org)}**: uitstroom "
                     f"{_ci(r['outflow_rate'], lo, hi, True)} per jaar — {verdict} het "
                     f"sectorcijfer van ongeveer {_pct(sector, 0)}.")
    return "\n".join(lines) if lines else "*Geen uitstroom te berekenen (geen personeelsdata).*"


# ----------------------------------------------------------------- eight years

def eight_year_display(check: pd.DataFrame, sector: float,
                       hidden: set[str] | frozenset[str] = frozenset(), *,
                       source: str) -> pd.DataFrame:
    """Dutch table: outflow, share still there after 8 years and the share that changes.

    Args:
        check: :func:`calibrate.eight_year_check` rows.
        sector: the sector's yearly outflow rate (a comparison row).
        source: who reports the sector figure (named in that row's label).
        hidden: organisations with suppressed counts, listed without figures.
    """
    rows = []
    for _, r in check.iterrows():
        if r["organisation"] in hidden:
            rows.append({"Organisatie": org_name(r["organisation"]),
                         "Uitstroom per jaar": math.nan,
                         "Nog in dienst na 8 jaar": math.nan,
                         "95%-interval nog in dienst": "niet getoond (kleine aantallen)",
                         "Wisseling in 8 jaar": math.nan, "95%-interval wisseling": ""})
            continue
        rows.append({
            "Organisatie": org_name(r["organisation"]),
            "Uitstroom per jaar": r["outflow_rate"],
            "Nog in dienst na 8 jaar": r["stayers"],
            "95%-interval nog in dienst": f"{_pct(r['stayers_low'])}–{_pct(r['stayers_high'])}",
            "Wisseling in 8 jaar": r["leavers_share"],
            "95%-interval wisseling": f"{_pct(r['leavers_low'])}–{_pct(r['leavers_high'])}",
        })
    lo, hi = calibrate.implied_rate_range()
    s8 = calibrate.stayers_after(sector)
    rows.append({"Organisatie": sector_label(sector, source), "Uitstroom per jaar": sector,
                 "Nog in dienst na 8 jaar": s8, "95%-interval nog in dienst": "",
                 "Wisseling in 8 jaar": 1 - s8, "95%-interval wisseling": ""})
    rows.append({"Organisatie": "Verwachting evaluatie", "Uitstroom per jaar": math.nan,
                 "Nog in dienst na 8 jaar": math.nan,
                 "95%-interval nog in dienst": "80%–90%",
                 "Wisseling in 8 jaar": math.nan,
                 "95%-interval wisseling": f"10%–20% (= {_pct(lo)}–{_pct(hi)} per jaar)"})
    return pd.DataFrame(rows)


def eight_year_text(check: pd.DataFrame, results: dict[str, simulate.SimResult],
                    organisations: list[str], label: str,
                    hidden: set[str] | frozenset[str] = frozenset()) -> str:
    """Plain Dutch answer to "does 10-20% of staff change in eight years?".

    Args:
        check: :func:`calibrate.eight_year_check` rows.
        results: one scenario's simulation per organisation (:func:`simulate.run_scenario`).
        organisations: the first one is answered for.
        label: the scenario's Dutch name.
        hidden: organisations with suppressed counts (no figures given).
    """
    org = organisations[0]
    c = check.set_index("organisation")
    if org not in c.index or not np.isfinite(c.loc[org, "outflow_rate"]):
        return "*Geen uitstroom te berekenen; de vraag is met deze data niet te beantwoorden.*"
    if org in hidden:
        return (f"*Voor {org_in_sentence(org)} zijn er te weinig vertrekkers om de uitstroom te publiceren; "
                "kijk naar de gemeente als geheel.*")
    r = c.loc[org]
    parts = [
        f"**Antwoord voor {org_in_sentence(org)}.** Met de gemeten uitstroom van "
        f"{_pct(r['outflow_rate'])} per jaar vertrekt binnen acht jaar naar verwachting "
        f"**{_pct(r['leavers_share'], 0)}** van het huidige personeel (95%-interval "
        f"{_pct(r['leavers_low'], 0)}–{_pct(r['leavers_high'], 0)})."
    ]
    if r["leavers_low"] > 0.20:
        parts.append("Dat is **veel meer** dan de 10–20% waar de evaluatie van uitgaat; "
                     "ook de ondergrens van het interval ligt daar ruim boven.")
    elif r["leavers_high"] < 0.10:
        parts.append("Dat is minder dan de 10–20% waar de evaluatie van uitgaat.")
    else:
        parts.append("Dat past bij de 10–20% waar de evaluatie van uitgaat.")
    key = org if org in results else next(iter(results))
    res = results[key]
    last = res["stayers_share"][:, -1]
    p = simulate.stayers_probabilities(res)
    q10, q50, q90 = np.quantile(last, [0.1, 0.5, 0.9])
    p_txt = ("in geen enkele run" if p["p_in_range"] == 0 else
             f"in {_pct(p['p_in_range'], 1)} van de runs")
    parts.append(
        f"In de simulatie ({label}) is eind 2034 in mediaan {_pct(q50, 0)} van het huidige "
        f"personeel nog in dienst (10–90% van de runs: {_pct(q10, 0)}–{_pct(q90, 0)}); "
        f"80–90% nog in dienst, zoals de evaluatie verwacht, komt {p_txt} voor.")
    if p["p_in_range"] < 0.01 and r["leavers_low"] > 0.20:
        parts.append("**De verwachting van de evaluatie is met deze uitstroom vrijwel "
                     "uitgesloten.** Reken voor de nieuwe opdracht met een veel groter verloop "
                     "en dus met blijvende inwerk- en wervingslast.")
    parts.append("(De simulatie telt vertrek per maand met een vaste kans; dat geeft na acht "
                 "jaar een paar procentpunten meer blijvers dan de rekenregel (1 − r)⁸.)")
    return " ".join(parts)


# ----------------------------------------------------------------- scenarios

def assumptions_table(settings: dict[str, Any], calib: simulate.Calibration,
                      organisations: list[str]) -> pd.DataFrame:
    """Resolved assumptions per organisation (rows: Dutch assumption, columns: organisation).

    Values stay numeric; the row label says where a value came from
    ("(historie)" when calibrated).
    """
    rows = {}
    for k in simulate.ASSUMPTION_KEYS:
        label = ASSUMPTION_LABELS_NL[k] + (" (historie)" if settings[k] == "calibrated" else "")
        rows[label] = {o: getattr(simulate.resolve(settings, calib.values[o]), k)
                       for o in organisations}
    return pd.DataFrame(rows).T


def assumptions_display(settings: dict[str, Any], calib: simulate.Calibration,
                        organisations: list[str]) -> pd.DataFrame:
    """:func:`assumptions_table` for readers: shares and rates as Dutch percentages
    (``12,6%``), months with one decimal, the assumption as first column ``Aanname``."""
    table = assumptions_table(settings, calib, organisations)
    keys = list(simulate.ASSUMPTION_KEYS)
    out = pd.DataFrame(index=table.index, columns=table.columns, dtype=object)
    for key, (label, row) in zip(keys, table.iterrows(), strict=True):
        fmt = (lambda v: _pct(float(v), 1)) if key in PERCENT_KEYS else (lambda v: _num(float(v), 1))
        out.loc[label] = [fmt(v) for v in row]
    out.columns = [org_name(c) for c in out.columns]
    return out.reset_index(names="Aanname")


def summary_display(summary: pd.DataFrame, organisations: list[str]) -> pd.DataFrame:
    """Dutch scenario comparison: medians with the 10-90% range per scenario and organisation.

    Args:
        summary: :func:`simulate.compare_scenarios` summary (a ``label`` column,
            when present, names the scenarios).
        organisations: rows kept, in this order.
    """
    rows = []
    s = summary[summary["organisation"].isin(organisations)]
    order = {o: i for i, o in enumerate(organisations)}
    s = s.assign(_o=s["organisation"].map(order)).sort_values(["_o"], kind="stable")
    for _, r in s.iterrows():
        def rng(k: str, pct: bool = False, d: int = 1, r: pd.Series = r) -> str:
            return _ci(r[f"{k}_p50"], r[f"{k}_p10"], r[f"{k}_p90"], pct, d)

        rows.append({
            "Organisatie": org_name(r["organisation"]),
            "Scenario": r.get("label", r["scenario"]),
            "Effectieve fte": rng("effective_fte"),
            "Betaalde formatie (fte)": _num(r["funded_fte_p50"]),
            "Vacatures (fte)": rng("vacancies_fte"),
            "Nog in dienst van huidig personeel": rng("stayers_share", True, 0),
            "Preventieve capaciteit (fte)": rng("preventive_fte"),
            "Preventief aandeel": rng("preventive_share", True),
            "Kans wettelijke vraag niet gedekt": _pct(r["p_unmet_statutory"], 0),
        })
    return pd.DataFrame(rows)


def summary_text(summary: pd.DataFrame, organisation: str) -> str:
    """Dutch sentence on the range of the preventive share over the scenarios ('' if none)."""
    s = summary[summary["organisation"] == organisation]
    if s.empty:
        return ""
    lo = s.loc[s["preventive_share_p50"].idxmin()]
    hi = s.loc[s["preventive_share_p50"].idxmax()]
    text = (f"Voor {org_in_sentence(organisation)} ligt het preventieve aandeel in 2034 in mediaan tussen "
            f"**{_pct(lo['preventive_share_p50'])}** ({lo.get('label', lo['scenario'])}) en "
            f"**{_pct(hi['preventive_share_p50'])}** ({hi.get('label', hi['scenario'])}).")
    worst = s.loc[s["p_unmet_statutory"].idxmax()]
    if worst["p_unmet_statutory"] > 0.05:
        text += (f" In scenario {worst.get('label', worst['scenario'])} is er in "
                 f"{_pct(worst['p_unmet_statutory'], 0)} van de runs in 2034 zelfs te weinig "
                 "capaciteit voor het wettelijke werk.")
    return text


def sensitivity_intro(organisation: str, runs: int) -> str:
    """Dutch line naming whose sensitivity is shown and the runs per setting."""
    # the report has always said "als geheel" here (not labels.CITY_IN_SENTENCE)
    who = "de gemeente als geheel" if organisation == ALL else organisation
    return f"Gevoeligheid voor {who}, {runs} runs per instelling."


def sensitivity_text(sens: pd.DataFrame) -> str:
    """Dutch sentence on the assumption with the largest swing in a
    :func:`simulate.sensitivity` table (its first row); '' for an empty table."""
    if sens.empty:
        return ""
    top = sens.iloc[0]
    return (f"De grootste invloed heeft **{ASSUMPTION_LABELS_NL[top['parameter']].lower()}**: "
            f"het preventieve aandeel in 2034 loopt van {nl_percent(top['result_low'])} "
            f"(lage waarde) tot {nl_percent(top['result_high'])} (hoge waarde), tegen "
            f"{nl_percent(top['base'])} in het scenario zelf.")


# ----------------------------------------------------------------- funding

def funding_display(by_year: pd.DataFrame, organisations: list[str]) -> pd.DataFrame:
    """Dutch table of structural and incidental money per year (:func:`funding.funding_by_year`)."""
    d = by_year[by_year["organisation"].isin(organisations)]
    return pd.DataFrame({
        "Organisatie": _org_names(d["organisation"]),
        "Jaar": d["year"].astype(str).to_numpy(),
        "Structureel": d["structural_eur"].to_numpy(float),
        "Incidenteel": d["incidental_eur"].to_numpy(float),
        "Totaal": d["total_eur"].to_numpy(float),
        "Aandeel incidenteel": d["incidental_share"].to_numpy(float),
    })


def additional_display(add: pd.DataFrame, organisations: list[str]) -> pd.DataFrame:
    """Dutch table of additional assignments per year (:func:`funding.additional_by_year`)."""
    d = add[add["organisation"].isin(organisations)]
    out = pd.DataFrame({
        "Organisatie": _org_names(d["organisation"]),
        "Jaar": d["year"].astype(str).to_numpy(),
        "Aantal opdrachten": d["n_assignments"].astype("int64").to_numpy(),
        "Totaal (euro)": d["total_eur"].to_numpy(float),
        "Mediane omvang (euro)": d["median_eur"].to_numpy(float),
        "Mediane looptijd (maanden)": d["median_length_months"].to_numpy(float),
        "Aandeel korter dan 12 maanden": d["share_shorter_than_12m"].to_numpy(float),
        "Uren op extra opdrachten": d["hours"].to_numpy(float),
        "Uren per opdracht": d["hours_per_assignment"].to_numpy(float),
    })
    if "hours_unlinked" in d:
        out["Uren zonder opdrachtnummer"] = d["hours_unlinked"].to_numpy(float)
    return out


def additional_text(add: pd.DataFrame, organisation: str) -> str:
    """Dutch sentence on the additional assignments (first vs last year); '' if none."""
    d = add[add["organisation"] == organisation].sort_values("year")
    if d.empty:
        return ""
    a, b = d.iloc[0], d.iloc[-1]
    return (f"Voor {org_in_sentence(organisation)}: in {int(a['year'])} {int(a['n_assignments'])} extra "
            f"opdrachten, in {int(b['year'])} {int(b['n_assignments'])}; de mediane looptijd "
            f"was {_num(b['median_length_months'], 0)} maanden in {int(b['year'])}, en "
            f"{_pct(b['share_shorter_than_12m'], 0)} liep korter dan een jaar. Medewerkers "
            f"schreven er in {int(b['year'])} {_num(b['hours'], 0)} uur op. Korte opdrachten "
            "met incidenteel geld vragen steeds opnieuw om werving, inwerken en verantwoording.")


def reservation_display(res: pd.DataFrame) -> pd.DataFrame:
    """Dutch table of the proposed flexible reservation (:func:`funding.flexible_reservation`)."""
    return pd.DataFrame({
        "Organisatie": _org_names(res["organisation"]),
        "Jaren": res["n_years"].astype("int64").to_numpy(),
        "Gemiddeld incidenteel per jaar": res["mean_incidental_eur"].to_numpy(float),
        "Hoogste jaar": res["max_incidental_eur"].to_numpy(float),
        "Voorgestelde reservering": res["reservation_eur"].to_numpy(float),
        "Interval (bootstrap)": [f"{_num(lo, 0)}–{_num(hi, 0)}" for lo, hi in
                                 zip(res["reservation_low"], res["reservation_high"],
                                     strict=True)],
        "Als deel van structureel": res["reservation_share_of_structural"].to_numpy(float),
    })


# ----------------------------------------------------------------- model checks

def recovery_display(rec: pd.DataFrame) -> pd.DataFrame:
    """Dutch table of a :func:`model_checks.parameter_recovery` result."""
    names = {"outflow_rate": "Uitstroom per jaar", "months_to_fill": "Maanden tot vervulling",
             "median_tenure_years": "Mediane verblijfsduur (jaren)"}
    rows = []
    for _, r in rec.iterrows():
        f = _pct if r["parameter"] == "outflow_rate" else _num
        rows.append({"Organisatie": r["organisation"], "Parameter": names[r["parameter"]],
                     "Ware waarde": f(r["truth"]), "Schatting": f(r["estimate"]),
                     "95%-interval": f"{f(r['low'])}–{f(r['high'])}",
                     "Binnen interval": "ja" if r["covered"] else "nee"})
    return pd.DataFrame(rows)


def recovery_text(rec: pd.DataFrame) -> str:
    """Dutch sentence: in how many recovery cases the 95% interval holds the truth."""
    return (f"In {int(rec['covered'].sum())} van de {len(rec)} gevallen ligt de ware waarde "
            "binnen het 95%-interval.")


def backtest_display(bt: BacktestResult, organisations: list[str]) -> pd.DataFrame:
    """Dutch table of back-test errors (:func:`model_checks.backtest`)."""
    e = bt.errors[bt.errors["organisation"].isin(organisations)]
    return pd.DataFrame({
        "Organisatie": _org_names(e["organisation"]),
        "Gem. afwijking bezetting": e["headcount_mape"].to_numpy(float),
        "Maanden binnen band": e["headcount_band_coverage"].to_numpy(float),
        "Afwijking laatste maand (personen)": e["last_month_error"].to_numpy(float),
        "Gem. afwijking uitstroom (procentpunt)": e["outflow_mean_abs_error"].to_numpy(float) * 100,
        "Jaren met vertrek binnen band": [f"{_pct(v, 0)}" for v in e["leavers_in_band"]],
    })


def backtest_text(bt: BacktestResult, organisation: str, until: int) -> str:
    """Dutch summary of a back-test for one organisation (or the city); '' if absent.

    An observed yearly leaver count below 5 is shown as ``<5``.
    """
    e = bt.errors.set_index("organisation")
    if organisation not in e.index:
        return ""
    r = e.loc[organisation]
    y = bt.yearly[bt.yearly["organisation"] == organisation]
    parts = [f"Gekalibreerd op de jaren tot en met {until} voorspelde het model de bezetting "
             f"van {org_in_sentence(organisation)} met een gemiddelde afwijking van "
             f"{_pct(r['headcount_mape'])}; {_pct(r['headcount_band_coverage'], 0)} van de "
             "maanden lag binnen de 10–90%-band."]
    for _, row in y.iterrows():
        obs, p10, p50, p90 = (row["leavers_observed"], row["leavers_p10"], row["leavers_p50"],
                              row["leavers_p90"])
        where = ("hoger dan de band" if obs > p90 else "lager dan de band" if obs < p10
                 else "binnen de band")
        period = f"{int(row['year'])}" + ("" if row["months"] == 12 else
                                          f" (eerste {int(row['months'])} maanden)")
        obs_txt = "<5" if np.isfinite(obs) and obs < 5 else _num(obs, 0)
        parts.append(f"Vertrekkers {period}: werkelijk {obs_txt}, voorspeld "
                     f"{_num(p50, 0)} (10–90%: {_num(p10, 0)}–{_num(p90, 0)}), {where}.")
    if (y["leavers_observed"] > y["leavers_p90"]).any():
        parts.append("**Het aantal vertrekkers lag boven wat de eerdere jaren voorspelden:** "
                     "het verloop lijkt toe te nemen. Dan onderschat een gemiddelde over de "
                     "afgelopen jaren de komende jaren; kijk daarom ook naar het scenario "
                     "‘hoog verloop’.")
    return " ".join(parts)
