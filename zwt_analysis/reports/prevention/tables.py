"""Reader tables and sentences of the prevention report (Dutch).

Dutch labels of activities and deadline indicators, Dutch column headers and
percentages (:func:`for_display`), the reader versions of the published
(already protected) tables, kept to about 15 rows (the full table is the
CSV), and the sentences the notebook shows around the numbers that
:func:`~zwt_analysis.reports.prevention.build.build` computes. Statistical
terms in sentences meant for every reader are plain Dutch; the method cells
(researcher version) name the methods. Nothing here computes a result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from zwt_analysis import labels
from zwt_analysis.contract import ALL
from zwt_analysis.present.fmt import nl_number, nl_percent, nl_pvalue
from zwt_analysis.present.signals import signal_list as signal_list  # the list under a figure
from zwt_analysis.reports.prevention.kern import margin, pp

if TYPE_CHECKING:
    from zwt_analysis.disclosure import ProtectedTable
    from zwt_analysis.methods.panel import FEInference, PanelCheck
    from zwt_analysis.reports.prevention.model import GroundTruthCheck, ModelPart, Sensitivity

#: Dutch labels for the six activities (figures and tables).
ACTIVITY_LABELS: dict[str, str] = {
    "preventive_individual": "Preventief individueel",
    "preventive_collective": "Preventief collectief",
    "statutory_individual": "Wettelijk individueel",
    "coordination": "Coördinatie",
    "additional_assignment": "Aanvullende opdrachten",
    "overhead": "Overhead",
}

#: Dutch labels of the deadline indicators.
DEADLINE_LABELS: dict[str, str] = {
    "wmo_assessment_on_time": "Wmo: onderzoek binnen termijn",
    "wmo_decision_on_time": "Wmo: beschikking binnen termijn",
    "jeugdwet_decision_on_time": "Jeugdwet: besluit binnen termijn",
    "participatiewet_decision_on_time": "Participatiewet: besluit binnen termijn",
    "wgs_first_contact_on_time": "Wgs: eerste gesprek binnen termijn",
}

#: The city in a column header ("Uitstroom gemeente").
CITY_COLUMN = labels.CITY.lower()
#: The city as the subject of a sentence ("Laatste 4 kwartalen, de gemeente").
CITY_SUBJECT = f"de {CITY_COLUMN}"

#: Reader rows of a table: at most this many (the full table is the CSV).
MAX_ROWS = 15

#: Dutch names of the checks beside the model (method cells).
CHECK_NAMES: dict[str, str] = {
    "mundlak": "Mundlak (verschillen tussen teams)",
    "wooldridge_serial": "Wooldridge (samenhang van kwartaal op kwartaal)",
    "placebo_lead": "Placebo: caseload van het volgende kwartaal",
}

#: Dutch column headers for tables shown to readers.
DISPLAY_NAMES: dict[str, str] = {
    "organisation": "Organisatie",
    "team": "Team",
    "period": "Kwartaal",
    "group": "Groep",
    "activity": "Activiteit",
    "indicator_id": "Termijn",
    "hours": "Uren",
    "total_hours": "Uren totaal",
    "preventive_hours": "Preventieve uren",
    "share": "Aandeel",
    "preventive_share": "Preventief aandeel",
    "share_on_time": "Binnen termijn",
    "ci_low": "Marge van",
    "ci_high": "Marge tot",
    "persons": "Medewerkers",
    "pact": "PACT",
    "gap": "Onder de ondergrens (procentpunt)",
    "clearly_below": "Hele marge onder ondergrens",
    "on_time": "Op tijd",
    "late": "Te laat",
    "late_open": "Te laat, nog open",
    "pending": "Lopend (termijn nog niet om)",
    "status": "Status",
    "quarters": "Kwartalen",
    "quarters_below": "Kwartalen onder ondergrens",
    "share_below": "Deel kwartalen onder ondergrens",
    "last_period": "Laatste kwartaal",
    "last_share": "Laatste preventief aandeel",
    "caseload_per_fte": "Caseload per fte",
    "hours_per_fte": "Uren per fte",
    "open_cases": "Open casussen",
    "fte": "Fte",
    "value": "Waarde",
    "cases": "Afgeronde casussen",
    "limit_days": "Termijn (dagen)",
    "q50": "Mediaan (dagen)",
    "q80": "80% binnen (dagen)",
    "q95": "95% binnen (dagen)",
    "share_within_limit": "Binnen termijn (afgerond)",
}

_PERCENT_COLUMNS = {"share", "preventive_share", "share_on_time", "ci_low", "ci_high",
                    "share_below", "last_share", "share_within_limit", "value"}


def _pct(v: Any, raw: Any, decimals: int) -> str:
    if not pd.isna(v):
        return nl_percent(float(v), decimals)
    return "" if pd.isna(raw) else str(raw)  # keep "<5", "x" and other text


def for_display(df: pd.DataFrame, percent: Sequence[str] | None = None, decimals: int = 1) -> pd.DataFrame:
    """A copy for readers: shares as Dutch percentages, labels and headers in Dutch.

    Args:
        df: any frame of this module (the published text, if it is published).
        percent: columns holding fractions to show as ``12,3%`` (default: the
            known share columns present); ``gap`` is shown in percentage points.
        decimals: decimals of the percentages.

    Returns:
        New frame with text cells for the percentage columns, activity and
        deadline ids replaced by their Dutch labels, and Dutch headers.
    """
    out = df.copy()
    cols = [c for c in (percent if percent is not None else _PERCENT_COLUMNS) if c in out.columns]
    for c in cols:
        vals = pd.to_numeric(out[c], errors="coerce")
        out[c] = [_pct(v, raw, decimals) for v, raw in zip(vals, out[c], strict=True)]
    if "gap" in out:
        vals = pd.to_numeric(out["gap"], errors="coerce")
        out["gap"] = [nl_number(v * 100, decimals) if not pd.isna(v) else str(raw)
                      for v, raw in zip(vals, out["gap"], strict=True)]
    if "activity" in out:
        out["activity"] = out["activity"].map(lambda a: ACTIVITY_LABELS.get(a, a))
    if "indicator_id" in out:
        out["indicator_id"] = out["indicator_id"].map(lambda a: DEADLINE_LABELS.get(a, a))
    for c in ("pact", "clearly_below"):
        if c in out:
            out[c] = [_yes_no(p) for p in out[c]]
    for c in ("organisation", "team"):
        if c in out:
            out[c] = out[c].replace({ALL: "alle"})
    return out.rename(columns={c: DISPLAY_NAMES.get(c, c) for c in out.columns})


def _yes_no(p: Any) -> str:
    if isinstance(p, str):
        return {"True": "ja", "False": "nee", "true": "ja", "false": "nee"}.get(p, p)
    return "" if pd.isna(p) else ("ja" if bool(p) else "nee")


def who(organisation: str) -> str:
    """The report's subject inside a sentence: :data:`CITY_SUBJECT` or the organisation."""
    return CITY_SUBJECT if organisation == ALL else organisation


# ------------------------------------------------------------------ published tables


def pact_table(pact: ProtectedTable) -> pd.DataFrame:
    """PACT teams beside the other teams for readers (the published text, no hour columns)."""
    return for_display(pact.csv()).drop(columns=["Uren", "Uren totaal"])


def recent_deadlines_table(recent: pd.DataFrame) -> pd.DataFrame:
    """The share on time per deadline (rows) and quarter (columns), "voorlopig" marked.

    Args:
        recent: published rows (``ProtectedTable.csv()``) of one organisation
            in its latest quarters, with ``status``.

    Returns:
        One row per deadline (at most five), one column per quarter; a
        provisional quarter's cell ends in " (voorlopig)".
    """
    if recent.empty:
        return pd.DataFrame({"Termijn": pd.Series(dtype="string")})
    d = recent.assign(cell=[
        _pct(pd.to_numeric(v, errors="coerce"), v, 0) + (" (voorlopig)" if s == "voorlopig" else "")
        for v, s in zip(recent["share_on_time"], recent["status"], strict=True)])
    wide = d.pivot_table(index="indicator_id", columns="period", values="cell", aggfunc="first")
    order = [i for i in DEADLINE_LABELS if i in wide.index]
    wide = wide.reindex(order).fillna("")
    wide.index = [DEADLINE_LABELS[i] for i in wide.index]
    wide.columns.name = None
    return wide.reset_index(names="Termijn")


def below_floor_table(rows: pd.DataFrame, limit: int = MAX_ROWS) -> pd.DataFrame:
    """Team-quarters below the floor for readers: the ``limit`` largest gaps first.

    Args:
        rows: published rows (``ProtectedTable.csv()``) of ``onder_ondergrens``.
    """
    gap = pd.to_numeric(rows["gap"], errors="coerce") if "gap" in rows else None
    ordered = rows.assign(_g=gap).sort_values(["_g", "period"], ascending=[False, False],
                                              na_position="last").drop(columns="_g")
    shown = for_display(ordered.head(limit))
    return shown.drop(columns=[c for c in ("Organisatie",) if c in shown and
                               shown[c].nunique() <= 1])


def yearly_table(yearly: pd.DataFrame, partial_years: Sequence[str] = ()) -> pd.DataFrame:
    """Vacancies and outflow per year, one column per measure and organisation, as percentages.

    An outflow of fewer than 5 leavers is missing in ``yearly`` and shown as
    ``<5``; a year in ``partial_years`` is labelled "t/m peildatum" (not a whole year).
    """
    if yearly.empty:
        return pd.DataFrame({"Jaar": pd.Series(dtype="string")})
    names = {"vacancy_rate": "Vacatureruimte", "staff_outflow_rate": "Uitstroom"}
    d = yearly.assign(
        column=[f"{names[i]} {CITY_COLUMN if o == ALL else o}"
                for i, o in zip(yearly["indicator_id"], yearly["organisation"], strict=True)],
        cell=[nl_percent(v) if not pd.isna(v) else ("<5" if i == "staff_outflow_rate" else "")
              for v, i in zip(yearly["value"], yearly["indicator_id"], strict=True)])
    wide = d.pivot_table(index="period", columns="column", values="cell", aggfunc="first")
    ordered = sorted(wide.columns, key=lambda c: (not c.startswith("Vacature"), CITY_COLUMN in c, c))
    wide = wide[ordered].fillna("").reset_index().rename(columns={"period": "Jaar"})
    wide["Jaar"] = [f"{y} (t/m peildatum)" if str(y) in set(partial_years) else str(y)
                    for y in wide["Jaar"]]
    wide.columns.name = None
    return wide


def in_deadline_order(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of a per-deadline table in the order of :data:`DEADLINE_LABELS` (as the figures)."""
    order = {k: i for i, k in enumerate(DEADLINE_LABELS)}
    return df.sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)


def suppression_note(share: float, has_symbols: bool) -> str:
    """What ``<5`` and ``x`` mean, and how much of the linked tables is hidden (Markdown)."""
    if not has_symbols:
        return ""
    return ("*`<5`: minder dan 5 personen of casussen; `x`: weggelaten zodat een klein "
            f"aantal niet terug te rekenen is. Over alle gekoppelde tabellen van dit rapport is "
            f"{nl_percent(share)} van de cellen weggelaten.*")


# ------------------------------------------------------------------ model: reader text


def describe_effect(fe: FEInference, step: float = 10) -> str:
    """The slope in plain Dutch per ``step`` extra cases per FTE, with the bootstrap margin.

    Example: "Bij 10 casussen per fte meer ligt het preventieve aandeel van een
    team gemiddeld 2,0 procentpunt lager (onzekerheidsmarge: 1,5 tot 2,5
    procentpunt lager)."
    """
    eff, lo, hi = (v * step * 100 for v in (fe.estimate, fe.ci_wcr_low, fe.ci_wcr_high))
    head = (f"Bij {nl_number(step)} casussen per fte meer ligt het preventieve aandeel van een "
            f"team gemiddeld {pp(eff)} procentpunt {'lager' if eff < 0 else 'hoger'} "
            f"(onzekerheidsmarge: {margin(lo, hi)}).")
    if lo <= 0 <= hi or not (math.isfinite(lo) and math.isfinite(hi)):
        head += " De marge bevat nul: of er een verband is, is met deze gegevens niet vast te stellen."
    return head


def outcome(fe: FEInference, step: float, organisation: str) -> str:
    """The outcome heading and the effect in plain Dutch (Markdown)."""
    scope = ("" if organisation == ALL else
             f"Het verband is geschat over alle {fe.clusters} teams van de gemeente samen (ook "
             f"die van {organisation}): de teams van één organisatie zijn te weinig voor een "
             "eigen schatting.\n\n")
    few = (f"Het rust op {fe.clusters} teams; de onzekerheidsmarge is daarom berekend met een "
           "methode die ook bij weinig teams klopt." if fe.few_clusters else "")
    return (f"### Uitkomst\n\n{scope}**{describe_effect(fe, step=step)}**\n\n"
            f"Dit is een samenhang binnen teams door de tijd, geen oorzaak-gevolgrelatie. {few}")


def checks_plain(checks: Sequence[PanelCheck]) -> str:
    """The checks in one plain sentence for every reader (empty when none ran)."""
    if not checks:
        return ""
    flagged = [c for c in checks if c.flagged]
    if not flagged:
        return ("Drie controles vinden geen aanwijzing dat het verband een vertekening is: de vaste "
                "verschillen tussen teams, de samenhang van kwartaal op kwartaal en de caseload van "
                "het vólgende kwartaal (die het aandeel niet kan verklaren) geven geen signaal.")
    return "Let op: " + " ".join(c.conclusion for c in flagged)


def sensitivity_sentence(sens: Sensitivity, step: float) -> str:
    """The leave-one-team-out range in one sentence (Markdown)."""
    same = "steeds dezelfde richting" if sens.same_direction else "**niet steeds dezelfde richting**"
    return (f"**Gevoeligheid:** laat je steeds één team weg, dan ligt het effect per {step:g} "
            f"casussen per fte tussen {nl_number(sens.low_pp, 1)} en {nl_number(sens.high_pp, 1)} "
            f"procentpunt ({same}). Zo is te zien of één team de uitkomst bepaalt.")


def ground_truth_sentence(check: GroundTruthCheck, step: float) -> str:
    """The planted slope of synthetic data against the estimate (Markdown)."""
    verdict = "valt binnen" if check.covered else "valt **buiten**"
    return (f"**Controle op synthetische data:** de ingebouwde helling is "
            f"{nl_number(check.truth_pp, 2)} procentpunt per {step:g} casussen per fte; de schatting "
            f"is {nl_number(check.estimate_pp, 2)} (marge {nl_number(check.ci_low_pp, 2)} "
            f"tot {nl_number(check.ci_high_pp, 2)}). De ware waarde {verdict} de marge.")


def deadline_effects_table(table: pd.DataFrame, step: float) -> pd.DataFrame:
    """The deadline models for every reader: difference in timeliness and its margin."""
    if table.empty:
        return pd.DataFrame({"Termijn": pd.Series(dtype="string")})
    return pd.DataFrame({
        "Termijn": [DEADLINE_LABELS.get(i, i) for i in table["indicator_id"]],
        f"Verschil bij {nl_number(step)} casussen/fte meer": [
            f"{pp(e)} procentpunt {'minder' if e < 0 else 'meer'} op tijd"
            for e in table["effect_pp"]],
        "Onzekerheidsmarge": [margin(lo, hi) for lo, hi in
                              zip(table["ci_low_pp"], table["ci_high_pp"], strict=True)],
        "Aantoonbaar": ["ja" if (hi < 0 or lo > 0) else "nee"
                        for lo, hi in zip(table["ci_low_pp"], table["ci_high_pp"], strict=True)],
    })


# ------------------------------------------------------------------ model: method cells


def fits_display(fits: pd.DataFrame, step: float) -> pd.DataFrame:
    """The model table (:func:`~zwt_analysis.reports.prevention.model.fits_table`) in Dutch.

    Show it with two decimals; the p-value is Dutch text (``"< 0,001"``).
    """
    shown = fits.rename(columns={"model": "Model",
                                 "effect_pp": f"Effect per {step:g} casussen/fte (procentpunt)",
                                 "ci_low_pp": "95%-BI onder", "ci_high_pp": "95%-BI boven",
                                 "p_value": "p-waarde", "team_quarters": "Team-kwartalen",
                                 "teams": "Teams"})
    return shown.assign(**{"p-waarde": fits["p_value"].map(nl_pvalue)})


def deadline_models_display(table: pd.DataFrame, step: float) -> pd.DataFrame:
    """The deadline models with both intervals (method cells)."""
    return pd.DataFrame({
        "Termijn": [DEADLINE_LABELS.get(i, i) for i in table["indicator_id"]],
        f"Effect per {step:g} casussen/fte (procentpunt)": table["effect_pp"],
        "WCR 95%-BI": [f"{nl_number(lo, 1)} tot {nl_number(hi, 1)}"
                       for lo, hi in zip(table["ci_low_pp"], table["ci_high_pp"], strict=True)],
        "p (WCR)": table["p_value"].map(nl_pvalue),
        "CR1 95%-BI": [f"{nl_number(lo, 1)} tot {nl_number(hi, 1)}"
                       for lo, hi in zip(table["ci_cr1_low_pp"], table["ci_cr1_high_pp"],
                                         strict=True)],
        "p (CR1)": table["p_cr1"].map(nl_pvalue),
        "Team-kwartalen": table["team_quarters"], "Teams": table["teams"],
    })


def checks_table(checks: Sequence[PanelCheck]) -> pd.DataFrame:
    """The Mundlak, Wooldridge and placebo checks (method cells)."""
    return pd.DataFrame({
        "Controle": [CHECK_NAMES.get(c.name, c.name) for c in checks],
        "Schatting": [c.estimate for c in checks],
        "p (CR1)": [nl_pvalue(c.p_value) for c in checks],
        "p (WCR)": [nl_pvalue(c.p_wcr) for c in checks],
        "Conclusie": [c.conclusion for c in checks],
    })


def panel_summary(diag: dict[str, Any], excluded: Sequence[str] = ()) -> str:
    """What the panel holds and how much caseload varies within teams (Markdown)."""
    lo, hi = diag["obs_per_team_min"], diag["obs_per_team_max"]
    per_team = f"{lo} kwartalen" if lo == hi else f"{lo} tot {hi} kwartalen"
    left_out = (f" De opstartkwartalen {excluded[0]} t/m {excluded[-1]} zijn weggelaten: de "
                "caseload mist daar nog casussen die vóór het begin van de gegevens openstonden."
                if excluded else "")
    return (f"Het panel telt **{nl_number(diag['n_obs'])} team-kwartalen** van "
            f"**{diag['n_teams']} teams** over {diag['n_periods']} kwartalen (per team "
            f"{per_team}).{left_out} De caseload per fte varieert binnen teams met een "
            f"standaardafwijking van {nl_number(diag['sd_within'], 1)} (totaal "
            f"{nl_number(diag['sd_total'], 1)}); alleen die variatie binnen teams bepaalt de "
            "schatting.")


def model_messages(model: ModelPart, min_teams: int) -> list[str]:
    """Why the model was not fitted, as Markdown sentences (empty when it was)."""
    why = model.why_not(min_teams)
    return [f"**Het verband is niet geschat:** {why}."] if why else []

