"""Reader tables and sentences of the prevention report (Dutch).

Dutch labels of activities and deadline indicators, Dutch column headers and
percentages (:func:`for_display`), the tables as they are published
(suppressed with :mod:`zwt_analysis.present.publish`) and the sentences the
notebook shows around the numbers that :func:`~zwt_analysis.reports.prevention.build.build`
computes. Nothing here computes a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from zwt_analysis import labels
from zwt_analysis.contract import ALL
from zwt_analysis.present.fmt import nl_number, nl_pvalue
from zwt_analysis.present.publish import suppress_counts

if TYPE_CHECKING:
    from zwt_analysis.reports.prevention.build import GroundTruthCheck, ModelPart, Sensitivity
    from zwt_analysis.reports.prevention.panel import PanelFit

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

#: Reader names of models whose name in the side table is not Dutch.
MODEL_NAMES: dict[str, str] = {
    "Mixed model (random team-intercept)": "Controle: gemengd model (willekeurig team-intercept)",
}

#: Shown when the check model's slope has the other sign than the main model's.
DIRECTIONS_DIFFER = (
    "⚠️ Het gemengde controlemodel geeft een andere richting dan het model met vaste teameffecten. "
    "Dat wijst erop dat verschillen *tussen* teams iets anders laten zien dan veranderingen "
    "*binnen* teams; het hoofdmodel kijkt alleen binnen teams.")

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
    "ci_low": "95%-BI onder",
    "ci_high": "95%-BI boven",
    "persons": "Personen",
    "pact": "PACT",
    "gap": "Tekort t.o.v. ondergrens (%-punt)",
    "clearly_below": "Heel interval onder ondergrens",
    "on_time": "Op tijd",
    "late": "Te laat",
    "late_open": "Te laat, nog open",
    "pending": "Lopend (termijn nog niet om)",
    "evaluable": "Beoordeelbaar",
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
    "cases": "Afgeronde zaken",
    "limit_days": "Termijn (dagen)",
    "q50": "Mediaan (dagen)",
    "q80": "80e percentiel",
    "q95": "95e percentiel",
    "share_within_limit": "Binnen termijn (afgerond)",
}

_PERCENT_COLUMNS = {"share", "preventive_share", "share_on_time", "ci_low", "ci_high", "gap",
                    "share_below", "last_share", "share_within_limit", "value"}


def for_display(df: pd.DataFrame, percent: Sequence[str] | None = None, decimals: int = 1) -> pd.DataFrame:
    """A copy for readers: shares as Dutch percentages, labels and headers in Dutch.

    Args:
        df: any frame of this module (suppressed first, if it is published).
        percent: columns holding fractions to show as ``12,3%`` (default: the
            known share columns present).
        decimals: decimals of the percentages.

    Returns:
        New frame with text cells for the percentage columns, activity and
        deadline ids replaced by their Dutch labels, and Dutch headers.
    """
    out = df.copy()
    cols = [c for c in (percent if percent is not None else _PERCENT_COLUMNS) if c in out.columns]
    for c in cols:
        vals = pd.to_numeric(out[c], errors="coerce")
        out[c] = [
            (f"{v * 100:.{decimals}f}%".replace(".", ",") if not pd.isna(v)
             else ("" if pd.isna(raw) else str(raw)))  # keep "<5" and other text
            for v, raw in zip(vals, out[c], strict=True)
        ]
    if "activity" in out:
        out["activity"] = out["activity"].map(lambda a: ACTIVITY_LABELS.get(a, a))
    if "indicator_id" in out:
        out["indicator_id"] = out["indicator_id"].map(lambda a: DEADLINE_LABELS.get(a, a))
    for c in ("pact", "clearly_below"):
        if c in out:
            out[c] = [("" if pd.isna(p) else ("ja" if bool(p) else "nee")) for p in out[c]]
    for c in ("organisation", "team"):
        if c in out:
            out[c] = out[c].replace({ALL: "alle"})
    return out.rename(columns={c: DISPLAY_NAMES.get(c, c) for c in out.columns})


def publish_deadlines(summary: pd.DataFrame) -> pd.DataFrame:
    """A deadline summary made safe to publish (cells of fewer than 5 cases suppressed).

    Cases stand for clients, so the counts are treated as person counts
    (:func:`zwt_analysis.present.publish.suppress_counts`): ``evaluable`` is dropped
    (it is ``on_time + late`` and would give a suppressed cell away), the
    share and its interval are suppressed wherever a count of the row is,
    and secondary suppression works within each indicator and quarter (the
    city row is the sum of the organisation rows).

    Returns:
        The summary without ``evaluable``; counts, share and interval as text.
    """
    group = ["indicator_id", "period"]
    df = summary.drop(columns=["evaluable"])
    # the share rests on on_time and late only; late_open (<= late) and pending
    # are separate counts that cannot give a suppressed cell away
    df = suppress_counts(df, ["on_time", "late"], group_columns=group,
                         derived_columns=["share_on_time", "ci_low", "ci_high"])
    return suppress_counts(df, ["late_open", "pending"], group_columns=group)


def scarcity_yearly_wide(yearly: pd.DataFrame) -> pd.DataFrame:
    """Yearly scarcity as one row per year and a column per measure and organisation.

    Args:
        yearly: output of :func:`~zwt_analysis.reports.prevention.scarcity.scarcity_yearly`.

    Returns:
        ``Jaar`` plus columns ``"Vacatureruimte <org>"`` and ``"Uitstroom <org>"``
        (fractions; the city is :data:`CITY_COLUMN`); empty input gives an empty frame.
    """
    if yearly.empty:
        return pd.DataFrame({"Jaar": pd.Series(dtype="string")})
    names = {"vacancy_rate": "Vacatureruimte", "staff_outflow_rate": "Uitstroom"}
    d = yearly.assign(
        column=[f"{names[i]} {CITY_COLUMN if o == ALL else o}"
                for i, o in zip(yearly["indicator_id"], yearly["organisation"], strict=True)])
    wide = d.pivot_table(index="period", columns="column", values="value", aggfunc="first")
    ordered = sorted(wide.columns, key=lambda c: (not c.startswith("Vacature"), CITY_COLUMN in c, c))
    wide = wide[ordered].reset_index().rename(columns={"period": "Jaar"})
    wide.columns.name = None
    return wide


def _pp(x: float) -> str:
    """Percentage points with one decimal and a Dutch decimal comma."""
    return f"{abs(x) * 100:.1f}".replace(".", ",")


def describe_effect(fit: PanelFit, step: float = 10, confidence: int = 95) -> str:
    """The slope in plain Dutch, per ``step`` extra cases per FTE, in percentage points.

    Example: "Bij 10 casussen per fte meer ligt het preventieve aandeel van een
    team gemiddeld 2,0 procentpunt lager (95%-betrouwbaarheidsinterval: 1,5 tot
    2,5 procentpunt lager)."

    Args:
        fit: a :class:`~zwt_analysis.reports.prevention.panel.PanelFit`.
        step: cases per FTE the effect is expressed for.
        confidence: the confidence level in the text (percent).

    Returns:
        One or two Dutch sentences; when the interval contains zero it says
        the direction is not established.
    """
    eff, lo, hi = fit.slope * step, fit.ci_low * step, fit.ci_high * step
    step_txt = f"{step:g}".replace(".", ",")
    word = "lager" if eff < 0 else "hoger"
    head = (f"Bij {step_txt} casussen per fte meer ligt het preventieve aandeel van een team "
            f"gemiddeld {_pp(eff)} procentpunt {word}")
    bi = f"{confidence}%-betrouwbaarheidsinterval"
    if hi < 0:
        return f"{head} ({bi}: {_pp(hi)} tot {_pp(lo)} procentpunt lager)."
    if lo > 0:
        return f"{head} ({bi}: {_pp(lo)} tot {_pp(hi)} procentpunt hoger)."
    return (f"{head} ({bi}: van {_pp(lo)} procentpunt lager tot {_pp(hi)} procentpunt hoger). "
            "Het interval bevat nul: of er een verband is, is met deze gegevens niet vast te stellen.")


def who(organisation: str) -> str:
    """The report's subject inside a sentence: :data:`CITY_SUBJECT` or the organisation."""
    return CITY_SUBJECT if organisation == ALL else organisation


def pact_table(pact: pd.DataFrame) -> pd.DataFrame:
    """PACT teams beside the other teams for readers: persons suppressed, no hour columns."""
    shown = for_display(suppress_counts(pact, ["persons"]))
    return shown.drop(columns=["Uren", "Uren totaal"])


def recent_deadlines_table(recent: pd.DataFrame) -> pd.DataFrame:
    """The latest quarters of one organisation's deadlines, published and in Dutch."""
    return for_display(publish_deadlines(recent)).drop(columns=["Organisatie", "Team"])


def yearly_table(yearly: pd.DataFrame) -> pd.DataFrame:
    """Vacancies and outflow per year, one column per measure and organisation, as percentages."""
    wide = scarcity_yearly_wide(yearly)
    return for_display(wide, percent=[c for c in wide.columns if c != "Jaar"])


def below_floor_table(below: pd.DataFrame) -> pd.DataFrame:
    """Team-quarters below the floor for readers (persons below 5 suppressed)."""
    return for_display(suppress_counts(below, ["persons"]))


def fits_display(fits: pd.DataFrame, step: float) -> pd.DataFrame:
    """The model table (:func:`~zwt_analysis.reports.prevention.panel.fits_table`) in Dutch.

    Show it with two decimals; the p-value is Dutch text (``"<0,001"``).
    """
    shown = fits.rename(columns={"model": "Model",
                                 "effect_pp": f"Effect per {step:g} casussen/fte (procentpunt)",
                                 "ci_low_pp": "95%-BI onder", "ci_high_pp": "95%-BI boven",
                                 "p_value": "p-waarde", "team_quarters": "Team-kwartalen",
                                 "teams": "Teams"})
    return shown.assign(**{"p-waarde": fits["p_value"].map(nl_pvalue),
                           "Model": shown["Model"].replace(MODEL_NAMES)})


def panel_summary(diag: dict[str, Any]) -> str:
    """What the panel holds and how much caseload varies within teams (Markdown)."""
    return f"""
Het panel telt **{nl_number(diag['n_obs'])} team-kwartalen** van **{diag['n_teams']} teams**
over {diag['n_periods']} kwartalen (per team {diag['obs_per_team_min']} tot
{diag['obs_per_team_max']} kwartalen). De caseload per fte varieert binnen teams met een
standaardafwijking van {nl_number(diag['sd_within'], 1)} (totaal {nl_number(diag['sd_total'], 1)});
alleen die variatie binnen teams bepaalt de schatting.
"""


def model_messages(model: ModelPart, min_teams: int) -> list[str]:
    """Why the model (or its check) was not fitted, as Markdown sentences (empty when it was)."""
    if model.too_few_teams:
        return [f"**Het model is niet geschat:** er zijn {model.diagnostics['n_teams']} teams met "
                f"gegevens, en bij minder dan {min_teams} teams valt een verband binnen teams niet "
                "betrouwbaar te schatten. Bekijk het rapport voor de hele gemeente voor deze analyse."]
    out = []
    if model.fe_error is not None:
        out.append(f"**Het model is niet geschat:** {model.fe_error}.")
    if model.mixed_error is not None:
        out.append(f"Het controlemodel (gemengd model) kon niet geschat worden: {model.mixed_error}.")
    return out


def outcome(fit: PanelFit, step: float) -> str:
    """The outcome heading and the effect in plain Dutch (Markdown)."""
    return (f"### Uitkomst\n\n**{describe_effect(fit, step=step)}**\n\n"
            f"Dit is een samenhang binnen teams door de tijd, geen oorzaak-gevolgrelatie.")


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
            f"is {nl_number(check.estimate_pp, 2)} (95%-BI {nl_number(check.ci_low_pp, 2)} "
            f"tot {nl_number(check.ci_high_pp, 2)}). De ware waarde {verdict} het interval.")
