"""Dutch reader tables, labels and sentences of the data-quality report.

Reader tables take the *published* side tables (``QualityResult.published``:
suppressed as one linked set with the other folders, ``<5`` and ``x``), most
important rows first, so that the notebook shows the first
``settings.shown_rows`` (issue 18: top-N with ``show(..., max_rows=...)``; the
full table is the CSV). Counts that are not persons (rows of other data files,
register fields, quarantine lines) are printed as they are, in every report alike.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from zwt_analysis.contract import ALL
from zwt_analysis.present import fmt
from zwt_analysis.present.publish import SECONDARY, SUPPRESSED
from zwt_analysis.present.signals import (
    absent_sentence,
    signal_list,
    theme_overview_nl,
)
from zwt_analysis.reports.quality.compute import OTHER_REASONS

if TYPE_CHECKING:
    import pandas as pd

    from zwt_analysis.disclosure import ProtectedTable
    from zwt_analysis.reports.quality.published import Published
    from zwt_analysis.reports.quality.stories import RegistrationSignals

#: File stem of the CSV with every signal drawn beside a figure (the list keeps the latest;
#: the places report writes one of the same name and columns).
SIGNALS_CSV = "signalen_bij_figuren"
#: Reader name of the figure the signals are drawn on (the CSV's ``figure`` column).
SIGNALS_FIGURE = "regels per kwartaal"

#: Dutch names of the tables for readers.
TABLE_LABELS_NL: dict[str, str] = {
    "areas": "wijken", "staff": "personeel", "time_registrations": "tijdregistraties",
    "cases": "zaken", "formation": "formatie", "budgets": "budgetten",
    "kpi_register": "kpi-register", "kpi_values": "kpi-waarden", "signals": "signalen",
    "cost_index": "loon- en indexatiecijfers",
}

#: Dutch reader labels of the contract columns (the same name means the same in every table).
COLUMN_LABELS_NL: dict[str, str] = {
    "area_code": "wijkcode", "area_name": "wijknaam", "organisation": "organisatie",
    "team": "team", "pact": "PACT-wijk", "population": "inwoners",
    "employee_id": "medewerker", "role": "functie", "fte": "fte",
    "start_date": "begindatum", "end_date": "einddatum", "end_reason": "reden einde",
    "date": "datum", "activity": "activiteit", "hours": "uren",
    "legal_framework": "wettelijk kader", "assignment_id": "opdracht",
    "case_id": "zaaknummer", "client_id": "cliënt", "date_report": "datum melding",
    "date_first_contact": "datum eerste contact",
    "date_assessment_done": "datum onderzoek afgerond", "date_application": "datum aanvraag",
    "date_decision": "datum besluit", "date_closed": "datum afsluiting",
    "closure_reason": "reden afsluiting", "year": "jaar", "budgeted_fte": "begrote fte",
    "assignment_type": "soort opdracht", "funding_type": "soort financiering",
    "amount_eur": "bedrag (euro)", "commissioner": "opdrachtgever", "kpi_id": "KPI",
    "name": "naam", "description": "omschrijving", "unit": "eenheid", "direction": "richting",
    "target": "streefwaarde", "data_source": "databron", "indicator_id": "indicator",
    "quality_block": "bouwsteen", "result_level": "resultaatniveau",
    "theory_of_change": "verandertheorie", "period": "periode", "value": "waarde",
    "note": "toelichting", "text": "tekst", "theme": "thema",
    "question_type": "soort hulpvraag", "cao_wage_increase_pct": "cao-loonstijging (%)",
    "municipal_indexation_pct": "indexatie gemeente (%)",
}

#: Dutch names of the kinds of column notes (:func:`compute.column_notes`).
NOTE_KINDS_NL: dict[str, str] = {
    "unknown": "onbekende kolom (niet overgenomen)",
    "missing_optional": "optionele kolom ontbreekt", "renamed": "hernoemd",
}

#: What reading had to make of a file (:mod:`zwt_analysis.reports.quality.delivery`), in Dutch.
DELIVERY_KINDS_NL: dict[str, str] = {
    "unmatched_file": "bestand niet gelezen: de naam past bij geen tabel",
    "encoding": "hele bestand gelezen als Windows-1252 (geen UTF-8)",
    "cp1252_lines": "regels gelezen als Windows-1252 (de rest als UTF-8)",
    "header_row": "kopregel niet op de eerste rij (regels erboven overgeslagen)",
    "sheet": "gelezen van tabblad",
    "skipped_sheets": "tabbladen overgeslagen (geen passende kopregel)",
    "duplicate_rows": "regels gelijk aan een eerdere regel (meegeteld: ze kunnen echt zijn)",
    "name_mappings": "namen gelijkgetrokken met de wijkentabel",
    "empty_lines": "lege regels overgeslagen",
    "merged_cells": "samengevoegde cellen aangevuld",
    "masked_values": "waarden met een identificatienummer afgeschermd",
}

#: Percent columns of the reader tables below.
READ_PERCENT = ("Aandeel quarantaine", "Marge laag", "Marge hoog")
REASONS_PERCENT = ("Aandeel van de regels in quarantaine",)
GAPS_PERCENT = ("Aandeel gevuld", "Marge laag", "Marge hoog")

_INTERVAL_NL = {"low": "Marge laag", "high": "Marge hoog"}


def table_label(name: str) -> str:
    """Dutch label of a table for readers: ``"cases"`` -> ``"zaken"`` (unknown names unchanged)."""
    return TABLE_LABELS_NL.get(str(name), str(name))


def column_label(name: str, code: bool = True) -> str:
    """Dutch label of a column: ``"date_decision"`` -> ``"datum besluit (date_decision)"``.

    The contract name stays in brackets unless ``code`` is False (reader
    tables and figures: ``"datum besluit"``); a name without a Dutch label, or
    a non-text value, is returned unchanged.
    """
    if not isinstance(name, str):
        return name
    nl = COLUMN_LABELS_NL.get(name)
    if not nl:
        return name
    return f"{nl} ({name})" if code else nl


def table_column_label(table: str, column: str) -> str:
    """Short Dutch label of a table's column for figures: ``("cases", "date_decision")`` ->
    ``"zaken: datum besluit"``."""
    return f"{TABLE_LABELS_NL.get(table, table)}: {column_label(column, code=False)}"


def scope(organisation: str) -> str:
    """The report's selection inside a sentence: ``"de hele gemeente"`` or the organisation."""
    return "de hele gemeente" if organisation == ALL else organisation


def table_list(names: list[str]) -> str:
    """Dutch enumeration of table labels: ``"zaken, personeel en budgetten"``."""
    labels = [table_label(n) for n in names]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " en " + labels[-1]


# ----------------------------------------------------------------- sentences

def as_of_md(as_of: date, source: str) -> str:
    """The "Peildatum" section (markdown): the date and how it was chosen (``source``)."""
    how = ("De peildatum is bij het opschonen opgegeven." if source == "option" else
           "De peildatum is de laatste gebeurtenisdatum in de aangeleverde gegevens."
           if source else "")
    return f"""
## Peildatum

Alle cijfers gelden per **{fmt.nl_date(as_of)}** (de peildatum). Zaken, dienstverbanden
en termijnen die op die dag nog liepen, tellen als lopend.
{how}
"""


def read_note(missing: list[str], unbalanced: list[str]) -> str:
    """Markdown under the read table: tables not delivered and whether every count adds up."""
    return ("**Niet aangeleverd:** " + (table_list(missing) + "." if missing else "geen — "
            "alle tabellen van het datacontract zijn aangeleverd.")
            + (f"\n\n**Let op:** bij {table_list(unbalanced)} is ingelezen niet gelijk aan goed "
               "plus quarantaine." if unbalanced else
               "\n\nBij elke tabel geldt: ingelezen = goed + quarantaine (er verdwijnen geen "
               "regels)."))


def columns_md(notes: pd.DataFrame) -> str:
    """The "Kolommen" section's text (markdown), for an empty or non-empty note table."""
    if notes.empty:
        return ("## Kolommen\n\nAlle aangeleverde kolommen horen bij het datacontract en geen "
                "optionele kolom ontbreekt.")
    return ("## Kolommen\n\nKolommen die niet in het datacontract staan zijn niet overgenomen; "
            "ontbrekende optionele kolommen zijn leeg in de verwerkte gegevens.")


def other_organisation_md(organisation: str) -> str:
    """Sentence in an organisation's report pointing to the city report for the comparison."""
    return (f"De organisaties naast elkaar staan in het rapport over de hele gemeente; hier "
            f"staat alleen {scope(organisation)}.")


def symbols_md(pub: Published) -> str:
    """What ``<5`` and ``x`` mean, and how much the suppression hid (all folders together)."""
    hidden = pub.primary + pub.secondary
    share = fmt.nl_percent(pub.suppressed_share, 1)
    return (f"*`{SUPPRESSED}`: minder dan 5 zaken of dienstverbanden (om personen te beschermen); "
            f"`{SECONDARY}`: verborgen omdat het anders een getal onder de 5 zou verraden. "
            f"Dit geldt alleen voor zaken en personeel; regels van andere bestanden, velden van "
            f"het KPI-register en quarantaineregels zijn geen personen en staan er altijd. "
            f"Verborgen: {fmt.nl_number(hidden)} van {fmt.nl_number(pub.cells)} beschermde "
            f"cellen ({share}) in de tabellen van de gemeente en alle organisaties samen.*")


# ----------------------------------------------------------------- reader tables

def read_nl(read: ProtectedTable, full: bool = False) -> pd.DataFrame:
    """The read table (``published["ingelezen"]``) for readers.

    Args:
        full: also the 95% interval of the quarantined share and whether the
            count adds up (the researcher version).
    """
    csv = read.csv()
    delivered = read.frame["delivered"].fillna(False).astype(bool)
    out = csv.assign(table=csv["table"].map(table_label),
                     source_file=csv["source_file"].where(delivered, "niet aangeleverd"))
    cols = {"table": "Tabel", "source_file": "Bestand", "rows_in": "Regels ingelezen",
            "rows_clean": "Regels goed", "rows_quarantined": "Regels in quarantaine",
            "share_quarantined": "Aandeel quarantaine"}
    if full:
        cols |= {**_INTERVAL_NL, "balanced": "Telling sluit"}
        out = out.assign(balanced=read.frame["balanced"].map({True: "ja", False: "NEE"})
                         .fillna(""))
    return out[list(cols)].rename(columns=cols)


def delivery_nl(notes: pd.DataFrame) -> pd.DataFrame:
    """What reading had to make of the files, in Dutch."""
    out = notes.assign(table=notes["table"].map(lambda t: table_label(t) if t else ""),
                       kind=notes["kind"].map(lambda k: DELIVERY_KINDS_NL.get(k, k)))
    return out.rename(columns={"table": "Tabel", "kind": "Wat", "count": "Aantal",
                               "detail": "Toelichting"})


def reasons_nl(reasons: pd.DataFrame) -> pd.DataFrame:
    """Quarantine reasons over all tables, most frequent first (each table's gathered
    ``overige redenen`` after all named reasons), in Dutch.

    ``Regels``: distinct lines with the reason; the share is of the table's
    quarantine lines. Lines in files, not persons: printed as they are.
    """
    top = reasons.assign(_other=reasons["reason"] == OTHER_REASONS).sort_values(
        ["_other", "rows"], ascending=[True, False], kind="stable")  # gathered rest last
    out = top.assign(table=top["table"].map(table_label),
                     column=top["column"].map(lambda c: column_label(c, code=False)))
    return out[["table", "column", "reason", "rows", "share_of_lines"]].rename(columns={
        "table": "Tabel", "column": "Kolom", "reason": "Reden (melding van de controle)",
        "rows": "Regels", "share_of_lines": "Aandeel van de regels in quarantaine"}
    ).reset_index(drop=True)


def notes_nl(notes: pd.DataFrame) -> pd.DataFrame:
    """Column notes with Dutch kinds, labels and headers."""
    return notes.assign(table=notes["table"].map(table_label),
                        kind=notes["kind"].map(NOTE_KINDS_NL),
                        column=notes["column"].map(column_label)).rename(
        columns={"table": "Tabel", "kind": "Soort", "column": "Kolom"})


def gaps_nl(completeness: ProtectedTable, full: bool = False) -> pd.DataFrame:
    """Columns not filled everywhere, least filled first, as published (``<5``, ``x``).

    Args:
        completeness: ``published["volledigheid"]``.
        full: also the 95% interval of the share (the researcher version).
    """
    frame = completeness.frame
    rows = frame.index[frame["share"] < 1]
    order = frame.loc[rows].sort_values(["share", "table"], kind="stable").index
    csv = completeness.csv().loc[order]
    out = csv.assign(table=csv["table"].map(table_label),
                     column=csv["column"].map(lambda c: column_label(c, code=False)))
    cols = {"table": "Tabel", "column": "Kolom", "rows": "Regels", "filled": "Gevuld",
            "share": "Aandeel gevuld", **(_INTERVAL_NL if full else {})}
    return out[list(cols)].rename(columns=cols).reset_index(drop=True)


def dates_nl(ranges: pd.DataFrame) -> pd.DataFrame:
    """Date ranges with Dutch labels and headers (the count of filled dates is left out)."""
    out = ranges.assign(table=ranges["table"].map(table_label),
                        column=ranges["column"].map(lambda c: column_label(c, code=False)))
    return out[["table", "column", "first", "last"]].rename(columns={
        "table": "Tabel", "column": "Kolom", "first": "Eerste", "last": "Laatste"})


def mappings_nl(mappings: pd.DataFrame) -> pd.DataFrame:
    """Name mappings (every one) with Dutch headers."""
    return mappings.assign(table=mappings["table"].map(table_label),
                           column=mappings["column"].map(lambda c: column_label(c, code=False))
                           ).rename(columns={"table": "Tabel", "column": "Kolom",
                                             "from": "Aangeleverd", "to": "Gelezen als"})


# ------------------------------------------------------------------ signals from practice


def _about(themes: tuple[str, ...]) -> str:
    return ", ".join(themes[:-1]) + " en " + themes[-1] if len(themes) > 1 else "".join(themes)


def signals_note(sig: RegistrationSignals, organisation: str, themes: tuple[str, ...]) -> str:
    """One Dutch sentence when there are no signals about registration (empty when there are)."""
    return absent_sentence(sig.status, f"Er zijn geen signalen uit de praktijk over "
                           f"{_about(themes) or 'registratie'} van {scope(organisation)}"
                           f"{' in de kwartalen van de figuur' if sig.quarters else ''}.")


def signal_list_md(sig: RegistrationSignals, themes: tuple[str, ...]) -> str:
    """The latest signals about registration as a numbered Markdown list (empty without).

    With the figure of rows per quarter the numbers are those of its marks;
    a last line says how many earlier ones the CSV holds and how many fall
    outside the figure's quarters.
    """
    about = _about(themes) or "registratie"
    head = f"**Signalen uit de praktijk over {about}**" + (
        " (nummers in de figuur):" if sig.quarters else ":")
    text = signal_list(sig.listed, heading=head, more=len(sig.all) - len(sig.listed),
                       full=f"in de CSV `{SIGNALS_CSV}.csv`")
    if text and sig.outside:
        one = sig.outside == 1
        text += (f"\n\n*{sig.outside} {'signaal valt' if one else 'signalen vallen'} buiten de "
                 "kwartalen van de figuur.*")
    return text


def signals_pointer(sig: RegistrationSignals, themes: tuple[str, ...]) -> str:
    """A sentence beside the completeness numbers: how many signals, where they are listed."""
    if sig.all.empty:
        return ""
    n, last = len(sig.all), fmt.nl_date(sig.all["date"].max().date())
    what = "signaal" if n == 1 else "signalen"
    return (f"Uit de praktijk {'kwam' if n == 1 else 'kwamen'} {n} {what} over "
            f"{_about(themes) or 'registratie'} (het laatste op {last}); ze staan genummerd bij "
            "*Aantal regels per kwartaal*. Een signaal is een ervaring, geen meting: het kan een "
            "lege kolom of een dip helpen begrijpen, niet bewijzen.")


def signal_overview_nl(sig: RegistrationSignals, top: int = 15) -> pd.DataFrame:
    """The signals about registration per theme, for readers (count, organisations, years)."""
    return theme_overview_nl(sig.overview, max_rows=top)


def signals_csv(sig: RegistrationSignals) -> pd.DataFrame:
    """Every numbered signal of the figure, for the CSV side table :data:`SIGNALS_CSV`."""
    import pandas as pd

    s = sig.all
    cols = ["figure", "nr", "date", "organisation", "team", "theme", "text"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame({
        "figure": SIGNALS_FIGURE, "nr": s["nr"].astype(int),
        "date": pd.to_datetime(s["date"]).dt.strftime("%Y-%m-%d"),
        "organisation": s["organisation"], "team": s["team"], "theme": s["theme"],
        "text": s["text"]})[cols]
