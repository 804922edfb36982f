"""Dutch sentences of the KPI report: the Kern, notes on what was skipped, trend phrases.

Every sentence is written from the results (:class:`~.build.KpiResult`), never
hard-coded: counts, names, directions and intervals come from the data. Plain
Dutch for readers; the method terms stay in the notebook's method cells.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.methods.trend import VERDICT_DOWN, VERDICT_NONE, VERDICT_SHORT, VERDICT_UP
from zwt_analysis.present.fmt import nl_number
from zwt_analysis.reports.kpi.rules import block_name
from zwt_analysis.reports.kpi.series import indicator_title

if TYPE_CHECKING:
    from zwt_analysis.reports.kpi.build import KpiResult

_NEG_ZERO = re.compile(r"^-0(,0*)?$")


def signed(x: float, decimals: int) -> str:
    """``nl_number`` without a minus before a value that rounds to zero (no "-0,0")."""
    text = nl_number(x, decimals)
    return text[1:] if _NEG_ZERO.match(text) else text


def decimals_for(values: list[float], base: int) -> int:
    """Decimals from ``base`` up (at most ``base + 2``) until the values print differently."""
    finite = [v for v in values if isinstance(v, float | int) and math.isfinite(v)]
    d = base
    while d < base + 2 and len({signed(v, d) for v in finite}) < len(set(finite)):
        d += 1
    return d


def _scaled(row: pd.Series) -> tuple[float, float, float, int, str]:
    """(slope, low, high) in display units, decimals and unit (``pp`` for shares)."""
    k = float(row.get("scale", 1.0) or 1.0)
    vals = [float(row[c]) * k for c in ("slope_per_year", "ci_low", "ci_high")]
    if k == 100.0:
        base = 1
    else:
        big = max((abs(v) for v in vals if math.isfinite(v)), default=0.0)
        base = 0 if big >= 10 else 1 if big >= 1 else 2
    return (*vals, decimals_for(vals, base), " pp" if k == 100.0 else "")  # type: ignore[return-value]


def verdict_cell(row: pd.Series) -> str:
    """A trend verdict for a table cell: ``dalend: -1,7 pp/jaar (-2,3 tot -1,1)`` or the verdict."""
    verdict = str(row.get("verdict", VERDICT_SHORT))
    if verdict not in (VERDICT_UP, VERDICT_DOWN):
        return verdict if verdict in (VERDICT_NONE, VERDICT_SHORT) else VERDICT_SHORT
    slope, lo, hi, d, unit = _scaled(row)
    return f"{verdict}: {signed(slope, d)}{unit}/jaar ({signed(lo, d)} tot {signed(hi, d)})"


def change_phrase(row: pd.Series) -> str:
    """``daalt met 1,7 procentpunt per jaar (95%-interval 1,1 tot 2,3)`` for a clear trend."""
    slope, lo, hi, d, unit = _scaled(row)
    word = "daalt" if slope < 0 else "stijgt"
    a, b = sorted((abs(lo), abs(hi)))
    what = " procentpunt" if unit else ""
    return (f"{word} met {signed(abs(slope), d)}{what} per jaar "
            f"(95%-interval {signed(a, d)} tot {signed(b, d)})")


def org_label(org: object, city_label: str) -> str:
    """An organisation for readers; the city (``ALL``) by the municipality's name."""
    return city_label if str(org) == ALL else str(org)


def _listing(items: list[str], most: int = 5) -> str:
    items = [str(i) for i in items]
    if len(items) > most:
        return ", ".join(items[:most]) + f" en nog {len(items) - most}"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


# ------------------------------------------------------------------------ Kern


def proposal_sentence(audit: pd.DataFrame) -> str:
    """How many KPIs the register has, how many stay and why the others go."""
    kept = audit.loc[audit["decision"] == "keep", "kpi_id"].astype(str).tolist()
    n = len(audit)
    unmeasurable = int((~audit["measurable"]).sum())
    no_toc = int((~audit["has_theory_of_change"]).sum())
    merged = int((audit["decision"] == "merge").sum())
    why = [f"{unmeasurable} {'is' if unmeasurable == 1 else 'zijn'} niet meetbaar",
           f"{no_toc} {'mist' if no_toc == 1 else 'missen'} een verandertheorie"]
    if merged:
        why.append(f"{merged} {'meet' if merged == 1 else 'meten'} vrijwel hetzelfde als een "
                   "andere KPI")
    if not kept:
        return (f"Van de {n} KPI's in het register blijft er in het voorstel geen één over: "
                f"{_listing(why)}.")
    return (f"Van de {n} KPI's in het register blijven er in het voorstel {len(kept)} over "
            f"({_listing(kept)}): {_listing(why)}.")


def gaps_sentence(res: KpiResult) -> str:
    """Which themes and building blocks have no kept KPI, and what zwt already computes."""
    gaps = res.gaps[res.gaps["gap"]] if len(res.gaps) else res.gaps
    empty = res.blocks.loc[(res.blocks["kept"] == 0) & (res.blocks["block"] != "onbekend"),
                           "block"].tolist()
    blocks = [block_name(b, res.rules) for b in empty]
    parts = []
    if len(gaps):
        parts.append(f"Geen behouden KPI over {_listing([str(x).lower() for x in gaps['label']])}")
    if blocks:
        parts.append(f"{'ook ' if parts else ''}de bouwstenen {_listing(blocks, 7)} "
                     "van het Kwaliteitskompas hebben er geen")
    if not parts:
        return "Elk thema van de evaluatie en elke bouwsteen van het Kwaliteitskompas heeft een behouden KPI."
    text = "; ".join(parts) + "."
    cands = sorted({c.strip() for s in gaps.get("candidates", []) for c in str(s).split(",")
                    if c.strip() and "nog niet berekend" not in c})
    if cands:
        text += (f" zwt berekent al kandidaten uit de eigen registraties: "
                 f"{_listing([indicator_title(c) for c in cands])}.")
    return text[0].upper() + text[1:]


def trend_sentence(res: KpiResult) -> str | None:
    """The clearest trend of the report's own series (else of any) and the tally of verdicts."""
    t = res.trends
    if t.empty:
        return None
    counts = t["verdict"].value_counts()
    tally = (f"{int(counts.get(VERDICT_DOWN, 0))} dalend, {int(counts.get(VERDICT_UP, 0))} "
             f"stijgend, {int(counts.get(VERDICT_NONE, 0))} zonder aantoonbare trend en "
             f"{int(counts.get(VERDICT_SHORT, 0))} te kort om te beoordelen")
    clear = t[t["verdict"].isin([VERDICT_UP, VERDICT_DOWN])]
    if clear.empty:
        return f"Geen van de {len(t)} reeksen in dit rapport laat een aantoonbare trend zien ({tally})."
    own = clear[clear["organisation"].astype(str) == res.organisation]
    best = (own if len(own) else clear).sort_values(["p_adjusted", "series"]).iloc[0]
    who = org_label(best["organisation"], res.city_label)
    return (f"{best['label']} ({who}) {change_phrase(best)}. Van de {len(t)} reeksen in dit "
            f"rapport: {tally}.")


def steering_sentence(res: KpiResult) -> str | None:
    """What the accountability check and the signals mean for steering."""
    parts = []
    if len(res.accountability):
        misfit = int(res.accountability["fit"].isin(["te hoog", "leren"]).sum())
        if misfit:
            parts.append(f"Voor de sturing: {misfit} KPI's in het register vragen meer dan hun "
                         "opdracht in de hand heeft; volg die samen en leer ervan, maar reken er "
                         "niet op af")
        else:
            parts.append("Voor de sturing: elke KPI past bij wat zijn opdracht in de hand heeft")
    if len(res.signal_overview):
        parts.append(signals_phrase(res.signal_overview, len(res.signals)))
    if not parts:
        return None
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def signals_phrase(overview: pd.DataFrame, n: int) -> str:
    """What the signals are mostly about: the theme(s) with the most signals, ties named."""
    top = overview[overview["n"] == overview["n"].max()]
    themes = _listing(top["theme"].astype(str).tolist(), 3)
    k = int(top["n"].iloc[0])
    if n == 1:
        return f"het ene signaal uit de praktijk gaat over {themes} en staat in de figuren bij de cijfers die het raakt"
    count = f"elk {k}" if len(top) > 1 else str(k)
    return (f"de {n} signalen uit de praktijk gaan het vaakst over {themes} ({count}) en staan "
            "in de figuren bij de cijfers die ze raken")


def _status_titles(series: pd.DataFrame, status: str) -> list[str]:
    if series.empty or "status" not in series:
        return []
    return list(dict.fromkeys(series.loc[series["status"] == status, "label"].astype(str)))


def caveat_sentence(res: KpiResult) -> str:
    """The main caveat: provisional and warm-up periods, and what a trend does not say."""
    prov = _status_titles(res.indicator_series, "provisional") + _status_titles(
        res.kpi_series, "provisional")
    warm = _status_titles(res.indicator_series, "warmup")
    parts = []
    if prov:
        parts.append(f"de laatste perioden van {_listing(prov, 3)} zijn voorlopig (de termijn "
                     "loopt nog)")
    if warm:
        parts.append(f"de eerste kwartalen van {_listing(warm, 3)} horen bij de opstart van de "
                     "registratie")
    text = "Let op: "
    if parts:
        text += ("; ".join(parts) + "; ze staan gestippeld in de figuren en tellen niet mee in "
                 "de trends. Een trend zegt niet waardoor iets verandert")
    else:
        text += "een trend zegt niet waardoor iets verandert"
    if len(res.kpi_series):
        text += ", en aangeleverde KPI-waarden hebben geen teller en noemer: hun onzekerheid is onbekend"
    return text + "."


def kern_sentences(res: KpiResult) -> list[str]:
    """Three to five plain-Dutch sentences with the report's answer (the "Kern" section)."""
    out: list[str] = []
    if res.has_register:
        out.append(proposal_sentence(res.audit))
        out.append(gaps_sentence(res))
    else:
        out.append("Er is geen KPI-register aangeleverd, dus geen toets en geen voorstel; dit "
                   "rapport toont zwt's eigen indicatoren en de signalen uit de praktijk.")
    for s in (trend_sentence(res), steering_sentence(res)):
        if s:
            out.append(s)
    if len(out) < 5 and (len(res.indicator_series) or len(res.kpi_series)):
        out.append(caveat_sentence(res))
    if len(out) < 3:
        out.append("Er zijn te weinig gegevens voor meer conclusies; zie hieronder wat is "
                   "overgeslagen.")
    return out[:5]


# ------------------------------------------------------------------------ notes

#: Inputs of the report's indicators, as named in a note on what is missing.
_INPUT_LABELS = {"cases": "zaken", "time_registrations": "urenregistratie",
                 "staff": "personeelsgegevens", "areas": "wijken met inwonertal"}


def missing_notes(res: KpiResult) -> list[str]:
    """Dutch notes on what the report skipped because a table was not delivered."""
    miss = set(res.missing)
    notes = []
    if {"kpi_register", "kpi_values"} <= miss:
        notes.append("Geen KPI-register en geen KPI-waarden aangeleverd: de toets van de KPI's, "
                     "het voorstel, de dekking per bouwsteen en thema, de verantwoording per "
                     "opdracht en de trends van KPI's zijn overgeslagen.")
    elif "kpi_register" in miss:
        notes.append("Geen KPI-register aangeleverd: de KPI's komen alleen uit de aangeleverde "
                     "waarden, zonder naam, bron, niveau of verandertheorie; het voorstel zegt "
                     "daardoor weinig.")
    elif "kpi_values" in miss:
        notes.append("Geen KPI-waarden aangeleverd: volledigheid, variatie, overlap en trends "
                     "van de KPI's zijn overgeslagen.")
    if not len(res.indicator_series) and {"cases", "time_registrations"} <= miss:
        notes.append("Geen registraties van zaken of uren aangeleverd: zwt's eigen indicatoren, "
                     "de controle van aangeleverde KPI-waarden en hun trends zijn overgeslagen.")
    elif res.absent_indicators:
        lacking = [label for table, label in _INPUT_LABELS.items() if table in miss]
        why = f" (geen {_listing(lacking)})" if lacking else ""
        notes.append(f"Niet berekend omdat de gegevens ontbreken{why}: "
                     f"{_listing([indicator_title(i) for i in res.absent_indicators], 7)}.")
    if "signals" in miss:
        notes.append("Geen signalen uit de praktijk aangeleverd: het overzicht per thema en de "
                     "signalen in de figuren zijn overgeslagen.")
    if "budgets" in miss and res.has_register:
        notes.append("Geen begrotingsregels aangeleverd: elke opdracht krijgt de "
                     "standaardstrategie uit de instellingen.")
    return notes


def proposal_text(audit: pd.DataFrame) -> str:
    """One Dutch sentence in Markdown: KPIs in the register, kept, not measurable, without theory."""
    return (f"Het register telt **{len(audit)}** KPI's; "
            f"**{int((audit['decision'] == 'keep').sum())}** "
            f"blijven in het voorstel over. Niet meetbaar: **{int((~audit['measurable']).sum())}**; "
            f"zonder verandertheorie: **{int((~audit['has_theory_of_change']).sum())}**.")


def organisation_note(organisation: str) -> str | None:
    """Dutch note for an organisation report: the proposal is the city's, columns are its own.

    None for the city report (``ALL``).
    """
    if organisation == ALL:
        return None
    return (f"*Het voorstel geldt voor het hele register (één contract voor de gemeente). "
            f"Volledig en Norm gehaald zijn die van **{organisation}** zelf.*")


def empty_blocks_text(blocks: pd.DataFrame, rules: Any) -> str | None:
    """Dutch sentence naming the building blocks without a kept KPI (None if there are none)."""
    empty = blocks.loc[(blocks["kept"] == 0) & (blocks["block"] != "onbekend"), "block"].tolist()
    if not empty:
        return None
    return f"**Bouwstenen zonder behouden KPI:** {_listing([block_name(b, rules) for b in empty], 7)}."


def panel_verdicts(trends: pd.DataFrame, organisation: str, city_label: str) -> dict[str, str]:
    """A short trend line per series for under a panel's title.

    The report's own series (the organisation's, or the city's in the city
    report) by its verdict; without one (a KPI in the city report), the tally
    over the organisations, e.g. ``dalend bij 2 van 3 organisaties``.
    """
    out: dict[str, str] = {}
    for sid, g in trends.groupby("series", sort=False):
        own = g[g["organisation"].astype(str) == organisation]
        if len(own):
            out[str(sid)] = f"{org_label(organisation, city_label)}: {verdict_cell(own.iloc[0])}"
            continue
        n = g["organisation"].nunique()
        for verdict in (VERDICT_DOWN, VERDICT_UP):
            k = int(g.loc[g["verdict"] == verdict, "organisation"].nunique())
            if k:
                out[str(sid)] = f"{verdict} bij {k} van {n} organisaties"
                break
        else:
            short = (g["verdict"] == VERDICT_SHORT).all()
            out[str(sid)] = VERDICT_SHORT if short else f"{VERDICT_NONE} ({n} organisaties)"
    return out
