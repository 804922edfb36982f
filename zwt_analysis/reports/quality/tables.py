"""Dutch reader tables, labels and sentences of the data-quality report.

Small counts: the reader tables and the figures hide what publication hides,
through :mod:`zwt_analysis.present.publish` (cells counting fewer than
``MIN_CELL_PERSONS`` persons' records): :func:`gaps_nl` with its secondary
suppression, :func:`mask_small` and :func:`hide_small_counts` for figures.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from zwt_analysis.contract import ALL
from zwt_analysis.present import fmt, publish
from zwt_analysis.present.tables import publishable

if TYPE_CHECKING:
    import pandas as pd

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

#: Percent columns of the reader tables below.
READ_PERCENT = ("Aandeel quarantaine", "95%-interval laag", "95%-interval hoog")
REASONS_PERCENT = ("Aandeel van de meldingen in de tabel",)
GAPS_PERCENT = ("Aandeel gevuld", "95%-interval laag", "95%-interval hoog")

_INTERVAL_NL = {"low": "95%-interval laag", "high": "95%-interval hoog"}


def table_label(name: str) -> str:
    """Dutch label of a table for readers: ``"cases"`` -> ``"zaken (cases)"``."""
    nl = TABLE_LABELS_NL.get(str(name))
    return f"{nl} ({name})" if nl else str(name)


def column_label(name: str, code: bool = True) -> str:
    """Dutch label of a column for readers: ``"date_decision"`` -> ``"datum besluit (date_decision)"``.

    The contract name stays in brackets (data suppliers know the columns by it)
    unless ``code`` is False (figures: ``"datum besluit"``); a name without a
    Dutch label, or a non-text value, is returned unchanged.
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


# ----------------------------------------------------------------- small counts

def mask_small(long: pd.DataFrame, min_rows: int | None = None) -> pd.DataFrame:
    """Blank the shares of groups with fewer than ``min_rows`` rows (for figures).

    ``share`` (and ``low``/``high`` when present) become NaN where ``rows`` <
    ``min_rows`` (default the publication limit ``MIN_CELL_PERSONS``, 5), so a
    figure never shows a share of fewer than five persons' records.
    """
    limit = publish.MIN_CELL_PERSONS if min_rows is None else min_rows
    small = long["rows"] < limit
    cols = [c for c in ("share", "low", "high") if c in long.columns]
    return long.assign(**{c: long[c].mask(small) for c in cols})


def hide_small_counts(df: pd.DataFrame, column: str = "rows",
                      min_count: int | None = None) -> pd.DataFrame:
    """Counts below ``min_count`` (default ``MIN_CELL_PERSONS``, 5) set to missing, for figures."""
    limit = publish.MIN_CELL_PERSONS if min_count is None else min_count
    return df.assign(**{column: df[column].astype("float64").where(df[column] >= limit)})


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
    return ("**Niet aangeleverd:** " + (", ".join(f"`{t}`" for t in missing) if missing else "geen — "
            "alle tabellen van het datacontract zijn aangeleverd.")
            + (f"\n\n**Let op:** bij {', '.join(unbalanced)} is ingelezen niet gelijk aan goed plus "
               "quarantaine." if unbalanced else
               "\n\nBij elke tabel geldt: ingelezen = goed + quarantaine (er verdwijnen geen regels)."))


def columns_md(notes: pd.DataFrame) -> str:
    """The "Kolommen" section's text (markdown), for an empty or non-empty note table."""
    if notes.empty:
        return ("## Kolommen\n\nAlle aangeleverde kolommen horen bij het datacontract en geen "
                "optionele kolom ontbreekt.")
    return ("## Kolommen\n\nKolommen die niet in het datacontract staan zijn niet overgenomen; "
            "ontbrekende optionele kolommen zijn leeg in de verwerkte gegevens.")


def other_organisation_md(organisation: str) -> str:
    """Sentence in an organisation's report pointing to the city report for the comparison."""
    return (f"De organisaties naast elkaar staan in het rapport voor de hele gemeente; de "
            f"volledigheid per kolom van {scope(organisation)} staat in deze tabel:")


# ----------------------------------------------------------------- reader tables

def _labelled(df: pd.DataFrame) -> pd.DataFrame:
    """``table`` and ``column`` (when present) as Dutch labels."""
    out = df.assign(table=df["table"].map(table_label))
    return out.assign(column=out["column"].map(column_label)) if "column" in out else out


def read_nl(read: pd.DataFrame) -> pd.DataFrame:
    """The read table (``QualityResult.read``) with Dutch headers and ``ja``/``nee``."""
    nl = read.assign(table=read["table"].map(table_label)).rename(columns={
        "table": "Tabel", "delivered": "Aangeleverd", "source_file": "Bestand",
        "rows_in": "Regels ingelezen", "rows_clean": "Regels goed",
        "rows_quarantined": "Regels in quarantaine", "share_quarantined": "Aandeel quarantaine",
        **_INTERVAL_NL, "balanced": "Telling sluit"})
    return nl.assign(Aangeleverd=nl["Aangeleverd"].map({True: "ja", False: "nee"}),
                     **{"Telling sluit": nl["Telling sluit"].map(
                         {True: "ja", False: "NEE"}).fillna("")})


def reasons_nl(reasons: pd.DataFrame) -> pd.DataFrame:
    """Quarantine reasons with Dutch labels and headers (counts are lines in files, not persons)."""
    return _labelled(reasons).rename(columns={
        "table": "Tabel", "column": "Kolom", "reason": "Reden", "lines": "Meldingen",
        "rows": "Regels", "share_of_lines": "Aandeel van de meldingen in de tabel"})


def notes_nl(notes: pd.DataFrame) -> pd.DataFrame:
    """Column notes with Dutch kinds, labels and headers."""
    return _labelled(notes.assign(kind=notes["kind"].map(NOTE_KINDS_NL))).rename(
        columns={"table": "Tabel", "kind": "Soort", "column": "Kolom"})


def gaps_nl(gaps: pd.DataFrame) -> pd.DataFrame:
    """Columns not filled everywhere, for readers: counts below 5 (and what reveals them) ``<5``.

    Suppression as in the CSV side table (:func:`zwt_analysis.present.tables.publishable`).
    """
    pub = publishable(gaps, ("rows", "filled"), derived_columns=("share", "low", "high"))
    return _labelled(pub).rename(columns={
        "table": "Tabel", "column": "Kolom", "rows": "Regels", "filled": "Gevuld",
        "share": "Aandeel gevuld", **_INTERVAL_NL})


def dates_nl(ranges: pd.DataFrame) -> pd.DataFrame:
    """Date ranges with Dutch labels and headers."""
    return _labelled(ranges).rename(columns={
        "table": "Tabel", "column": "Kolom", "filled": "Gevuld", "first": "Eerste",
        "last": "Laatste"})
