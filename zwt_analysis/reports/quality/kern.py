"""The "Kern" of the data-quality report: three to five plain-Dutch sentences from the results.

What was delivered, how much was quarantined and why, what that means for the
other reports, what reading had to make of the files, and the main caveat
(quarters with few rows). Every number comes from ``QualityResult``; counts of
persons come from the *published* tables (``masked()``), so the Kern never
states what a table hides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from zwt_analysis.contract import ALL, TABLES
from zwt_analysis.present import fmt
from zwt_analysis.reports.quality.build import GAP_TABLES
from zwt_analysis.reports.quality.tables import scope, table_label, table_list

if TYPE_CHECKING:
    from zwt_analysis.reports.quality.build import QualityResult

#: Gaps, files and tables named in one Kern sentence (the rest: "en N meer").
GAPS_NAMED = 3


#: Counted reading notes in a Kern sentence: (one, several).
COUNTED_NL: dict[str, tuple[str, str]] = {
    "cp1252_lines": ("regel gelezen als Windows-1252", "regels gelezen als Windows-1252"),
    "duplicate_rows": ("regel gelijk aan een eerdere regel", "regels gelijk aan een eerdere regel"),
    "name_mappings": ("naam gelijkgetrokken met de wijkentabel",
                      "namen gelijkgetrokken met de wijkentabel"),
    "masked_values": ("waarde met een identificatienummer afgeschermd",
                      "waarden met een identificatienummer afgeschermd"),
    "skipped_sheets": ("tabblad overgeslagen", "tabbladen overgeslagen"),
    "empty_lines": ("lege regel overgeslagen", "lege regels overgeslagen"),
    "merged_cells": ("samengevoegde cel aangevuld", "samengevoegde cellen aangevuld"),
}


def share_text(share: float) -> str:
    """A share for a sentence: ``"0,4%"``; above 0 but below 0,05% ``"minder dan 0,1%"``."""
    if 0 < share < 0.0005:
        return "minder dan 0,1%"
    return fmt.nl_percent(share, 1)


def _others(n: int) -> str:
    """``" en 1 andere tabel"`` / ``" en 3 andere tabellen"``."""
    return f" en {n} andere {'tabel' if n == 1 else 'tabellen'}"


def _reports(tables: list[str], uses: dict[str, list[str]]) -> str:
    names = list(dict.fromkeys(r for t in tables for r in uses.get(t, [])))
    if not names:
        return "de andere rapporten"
    return "het rapport " + names[0] if len(names) == 1 else \
        "de rapporten " + ", ".join(names[:-1]) + " en " + names[-1]


def _delivered(r: QualityResult) -> pd.DataFrame:
    """The published read table (hidden cells missing) of the delivered tables."""
    read = r.published["ingelezen"].masked()
    return read[read["delivered"].fillna(False).astype(bool)]


def total_lines(r: QualityResult) -> float | None:
    """Lines read over all delivered tables; None when a table's count is hidden (the total
    minus the printed counts would give it back)."""
    lines = _delivered(r)["rows_in"]
    return None if lines.isna().any() else float(lines.sum())


def delivered_sentence(r: QualityResult) -> str:
    """How many contract tables were delivered, with how many lines; which were not."""
    delivered = _delivered(r)
    if delivered.empty:
        return "Er is geen enkele tabel van het datacontract aangeleverd."
    lines = total_lines(r)
    whole = "" if r.organisation == ALL else "alle organisaties samen"
    inner = ", ".join(p for p in (f"{fmt.nl_number(lines)} regels" if lines is not None else "",
                                  whole) if p)
    text = (f"De levering voor {r.municipality} bevat {len(delivered)} van de {len(TABLES)} "
            f"tabellen van het datacontract" + (f" ({inner})" if inner else ""))
    if r.missing:
        text += f"; niet aangeleverd: {table_list(r.missing)}"
    own = _own_rows(r)
    if r.organisation != ALL and own:
        text += f". Van {scope(r.organisation)} kwamen {own} door de controles"
    return text + "."


def _own_rows(r: QualityResult) -> str:
    """``"1.234 zaken en 56 dienstverbanden"`` of this folder, as published ('' if hidden)."""
    comp = r.published["volledigheid"].masked()
    parts = []
    for table, noun in (("cases", "zaken"), ("staff", "dienstverbanden")):
        rows = comp.loc[comp["table"] == table, "rows"].dropna()
        if len(rows):
            parts.append(f"{fmt.nl_number(rows.iloc[0])} {noun}")
    return " en ".join(parts)


def quarantine_sentence(r: QualityResult) -> str:
    """How much was quarantined, where most, and the most frequent reason there."""
    read = _delivered(r)
    total, quarantined = total_lines(r), read["rows_quarantined"].sum()
    if read.empty or quarantined == 0:
        return ("Geen enkele regel staat in quarantaine: elke ingelezen regel telt mee in de "
                "andere rapporten.")
    worst = read.sort_values("rows_quarantined", ascending=False, kind="stable").iloc[0]
    of_table = ("" if pd.isna(worst["share_quarantined"])
                else f", {share_text(worst['share_quarantined'])} van die tabel")
    text = (f"{fmt.nl_number(quarantined)} regels"
            + (f" ({share_text(quarantined / total)})" if total else "")
            + " staan in quarantaine en tellen in geen enkel rapport mee; de meeste bij "
            f"{table_label(worst['table'])} ({fmt.nl_number(worst['rows_quarantined'])}"
            f"{of_table})")
    reasons = r.reasons[(r.reasons["table"] == worst["table"])
                        & (r.reasons["reason"] != "overige redenen")]
    if len(reasons):
        top = reasons.sort_values("rows", ascending=False, kind="stable").iloc[0]
        text += f", vooral om de melding '{top['reason']}'"
    return text + "."


def meaning_sentence(r: QualityResult) -> str:
    """What missing tables and large quarantines mean for the other reports."""
    uses = r.settings.uses
    read = _delivered(r)
    above = read[read["share_quarantined"] > r.settings.quarantine_notable_share]
    notable = above.sort_values("share_quarantined", ascending=False, kind="stable")[
        "table"].tolist()
    limit = share_text(r.settings.quarantine_notable_share)
    parts = []
    if r.missing:
        parts.append(f"zonder {table_list(r.missing)} slaan {_reports(r.missing, uses)} de "
                     "onderdelen over die deze tabellen nodig hebben, met een notitie waarom")
    if notable:
        named = table_list(notable[:GAPS_NAMED]) if len(notable) <= GAPS_NAMED else (
            ", ".join(table_label(t) for t in notable[:GAPS_NAMED])
            + _others(len(notable) - GAPS_NAMED))
        parts.append(f"bij {named} staat meer dan {limit} in quarantaine: "
                     f"cijfers van {_reports(notable, uses)} die erop rusten kunnen daardoor te "
                     "laag uitvallen")
    if not parts:
        return (f"Wat dit betekent: alle tabellen zijn er en nergens staat meer dan {limit} in "
                "quarantaine, dus de andere rapporten rusten op vrijwel volledige gegevens.")
    return "Wat dit betekent: " + "; ".join(parts) + "."


def reading_sentence(r: QualityResult) -> str:
    """Files not read (with their likely table) and what reading had to make of the others."""
    notes = r.delivery
    if notes.empty:
        return ""
    unmatched = notes[notes["kind"] == "unmatched_file"]
    parts = []
    for _, row in unmatched.head(GAPS_NAMED).iterrows():
        likely = f", waarschijnlijk {table_label(row['table'])}" if row["table"] else ""
        parts.append(f"'{row['detail']}' is niet gelezen (de naam past bij geen tabel{likely})")
    rest = notes[notes["kind"] != "unmatched_file"]
    counted = rest.dropna(subset=["count"])
    for _, row in counted.head(GAPS_NAMED).iterrows():
        one, many = COUNTED_NL.get(row["kind"], (row["kind"], row["kind"]))
        n = int(row["count"])
        parts.append(f"{table_label(row['table'])}: {fmt.nl_number(n)} {one if n == 1 else many}")
    if not parts:  # only header rows and sheets: nothing lost
        return "Bij het inlezen zijn titelregels of tabbladen overgeslagen; er ging niets verloren."
    more = len(unmatched) + len(counted) - len(parts)
    return ("Bij het inlezen: " + "; ".join(parts) + (f"; en {more} meer" if more > 0 else "")
            + " (zie 'Hoe de bestanden zijn gelezen').")


def gaps_sentence(r: QualityResult) -> str:
    """The main caveat: quarters with few rows, or that there are none."""
    gaps = r.delivery_gaps
    if not r.rows_by_period["table"].isin(GAP_TABLES).any():
        return ""  # no cases or hours of this organisation: nothing to judge
    if gaps.empty:
        who = ("Geen organisatie heeft een" if r.organisation == ALL
               else f"{r.organisation} heeft geen")
        return (f"{who} kwartaal met opvallend weinig zaken of uren; lege velden zijn niet "
                "altijd fouten (een lopende zaak heeft nog geen einddatum).")
    named = [f"{table_label(g['table'])} van {g['organisation']} in {g['period']}"
             for _, g in gaps.head(GAPS_NAMED).iterrows()]
    more = len(gaps) - len(named)
    return ("Let op bij trends: opvallend weinig regels bij " + "; ".join(named)
            + (f" en {more} kwartalen meer" if more > 0 else "")
            + "; dat wijst eerder op een gat in de levering dan op minder werk.")


def sentences(r: QualityResult) -> list[str]:
    """The Kern: 3 to 5 sentences (delivery, quarantine, meaning, reading notes, caveat)."""
    out = [delivered_sentence(r), quarantine_sentence(r), meaning_sentence(r),
           reading_sentence(r), gaps_sentence(r)]
    return [s for s in out if s][:5]
