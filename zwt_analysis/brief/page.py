"""The council brief as one printable A4 page (HTML with print styles, Dutch, offline).

Everything is in the page itself (no script, no style sheet or font fetched);
``@page { size: A4 }`` and compact type keep it to one sheet when printed.
Numbers are formatted by :mod:`zwt_analysis.present.fmt`.
"""

from __future__ import annotations

import html
from datetime import datetime

from zwt_analysis.brief.build import Brief
from zwt_analysis.brief.figures import FigureRow, KeyFigure
from zwt_analysis.methods.trend import VERDICT_DOWN, VERDICT_NONE, VERDICT_UP
from zwt_analysis.municipality import UNKNOWN_NAME
from zwt_analysis.periods import is_quarter
from zwt_analysis.present.fmt import nl_date, nl_number, nl_percent

esc = html.escape

BRIEF_CSS = """
@page{size:A4;margin:12mm 14mm}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:9pt;
line-height:1.27;color:#1a1a1a;margin:0;background:#e9e9e9}
.sheet{background:#fff;width:210mm;min-height:297mm;margin:0 auto;padding:12mm 14mm}
.banner{background:#b00020;color:#fff;font-weight:bold;text-align:center;padding:.25em;
margin:0 0 .5em;letter-spacing:.03em;-webkit-print-color-adjust:exact;print-color-adjust:exact}
h1{font-size:15pt;margin:0}
h2{font-size:11pt;margin:.75em 0 .25em;border-bottom:1.5px solid #0072b2;padding-bottom:.1em}
.sub{color:#555;margin:0 0 .5em}
.kern{margin:.3em 0;padding:.35em .7em;background:#f3f8fc;border-left:4px solid #0072b2;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
.kern p{margin:.15em 0}
table{border-collapse:collapse;width:100%;table-layout:fixed}
col.c1{width:34%}col.c2{width:11%}col.c3{width:16%}col.c4{width:12%}col.c5{width:27%}
th,td{text-align:left;vertical-align:top;padding:.2em .35em;border-bottom:1px solid #e3e3e3}
th{font-size:8pt;color:#555;font-weight:600;border-bottom:1.5px solid #999}
td.v{font-weight:600}
tr.fig td{border-top:1.5px solid #bbb}
.name{font-weight:700}
.expl{display:block;font-size:8pt;color:#555;font-weight:400}
tr.group td{border-bottom:none;padding-bottom:0}
tr.sr td:first-child{padding-left:1.1em}
.per{display:block;font-size:7.5pt;color:#666;font-weight:400}
small{font-size:8pt;color:#666}
.good{color:#1b6e3a}.bad{color:#b00020}.flat{color:#444}
.stories{margin:0;padding:0;list-style:none}
.stories li{margin:.25em 0;padding:.15em .6em;border-left:3px solid #e69f00;background:#fbf7ee;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
.who{font-size:8pt;color:#555;white-space:nowrap}
.notes{margin:.2em 0;padding-left:1.1em;font-size:8.5pt}.notes li{margin:.1em 0}
footer{margin-top:.7em;font-size:7.5pt;color:#666}
@media print{body{background:#fff}.sheet{width:auto;min-height:0;margin:0;padding:0}
a{color:inherit;text-decoration:none}}
"""


def period_text(period: str | None, short: bool = False) -> str:
    """``2026-Q2`` -> ``2e kwartaal 2026`` (``short``: ``2e kw. 2026``); a year stays a year."""
    if not period:
        return ""
    if is_quarter(period):
        return f"{period[-1]}e {'kw.' if short else 'kwartaal'} {period[:4]}"
    return str(period)


def _is_percent(indicator_id: str) -> bool:
    from zwt_analysis.indicators import registry

    spec = registry.INDICATORS.get(indicator_id)
    return spec is None or spec.unit in ("share", "rate")


def _val(x: float | None, percent: bool) -> str:
    if x is None:
        return ""
    return nl_percent(x, 1) if percent else nl_number(x, 1)


def _margin(r: FigureRow, percent: bool) -> str:
    if r.suppressed:
        return "<small>niet getoond: te weinig personen</small>"
    if r.value is None:
        return ""
    if r.interval == "none":
        return "<small>volledige telling</small>"
    if r.low is None or r.high is None:
        return "<small>onbekend</small>"
    return f"{_val(r.low, percent)} – {_val(r.high, percent)}"


def _direction(r: FigureRow) -> tuple[str, str]:
    """(css class, Dutch word with judgement) of a row's trend verdict; ("", "") without one."""
    if r.verdict not in (VERDICT_UP, VERDICT_DOWN) or r.slope is None:
        return "", ""
    word = "↑ stijgt" if r.verdict == VERDICT_UP else "↓ daalt"
    if r.higher_is_better is None:
        return "flat", word
    good = (r.verdict == VERDICT_UP) == r.higher_is_better
    return ("good", f"{word} (gunstig)") if good else ("bad", f"{word} (ongunstig)")


def direction_text(r: FigureRow, percent: bool) -> str:
    """The direction in plain Dutch: rising or falling, by how much a year, since when; or none.

    The change per year is in percentage points for shares and rates.
    """
    since = f" sinds {r.since}" if r.since else ""
    css, word = _direction(r)
    if word and r.slope is not None:
        size = nl_number(abs(r.slope) * (100.0 if percent else 1.0), 1)
        unit = " %-punt" if percent else ""
        return (f"<span class='{css}'>{word}</span><span class='per'>{size}{unit} per jaar"
                f"{since}</span>")
    if r.verdict == VERDICT_NONE:
        return f"<span class='flat'>→ geen duidelijke richting</span><span class='per'>{since.strip()}</span>"
    return "<span class='flat'>nog te kort voor een richting</span>"


def _cells(r: FigureRow) -> str:
    percent = _is_percent(r.indicator_id)
    if r.value is None and not r.suppressed:
        return ("<td class='v'>—</td><td><small>geen afgeronde periode</small></td><td></td>"
                "<td></td>")
    now = "—" if r.suppressed else _val(r.value, percent)
    prev = (f"{_val(r.previous, percent)}<span class='per'>"
            f"{esc(period_text(r.previous_period, True))}</span>" if r.previous is not None
            else "<small>—</small>")
    return (f"<td class='v'>{now}<span class='per'>{esc(period_text(r.period, True))}</span></td>"
            f"<td>{_margin(r, percent)}</td><td>{prev}</td>"
            f"<td>{direction_text(r, percent)}</td>")


def _figure_rows(f: KeyFigure) -> str:
    head = f"<span class='name'>{esc(f.label)}</span><span class='expl'>{esc(f.explain)}</span>"
    if len(f.rows) == 1 and not f.rows[0].label:
        return f"<tr class='fig'><td>{head}</td>{_cells(f.rows[0])}</tr>"
    parts = [f"<tr class='fig group'><td colspan='5'><span class='name'>{esc(f.label)}</span> "
             f"<small>— {esc(f.explain)}</small></td></tr>"]
    parts += [f"<tr class='sr'><td>{esc(r.label)}</td>{_cells(r)}</tr>" for r in f.rows]
    return "".join(parts)


def _names(rows: list[tuple[KeyFigure, FigureRow]]) -> str:
    """Dutch list of rows; several rows of one figure as ``<figure> (k van de n: a, b)``."""
    names, done = [], set()
    for f, r in rows:
        if f.key in done:
            continue
        mine = [x for g, x in rows if g.key == f.key]
        if len(mine) > 1 and f.short:
            labels = ", ".join(x.label.split(" (")[0] for x in mine)
            names.append(f"{f.short} ({len(mine)} van de {len(f.rows)}: {labels})")
            done.add(f.key)
        else:
            names.append(r.short or r.label or f.label)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def summary(b: Brief) -> list[str]:
    """One or two plain-Dutch sentences: which figures move the wrong way, which the right way."""
    rows = [(f, r) for f in b.figures for r in f.rows]
    if all(r.value is None and not r.suppressed for _, r in rows):
        return ["Er is nog geen afgeronde periode om over te rapporteren."]
    out = []
    for css, way in (("bad", "verkeerde"), ("good", "goede")):
        hits = [(f, r) for f, r in rows if _direction(r)[0] == css]
        if hits:
            out.append(f"Over de jaren gaat het de {way} kant op met {_names(hits)}.")
    if not out:
        out.append("Geen van de kerncijfers gaat over de jaren duidelijk de goede of de "
                   "verkeerde kant op.")
    else:
        out.append("Bij de andere kerncijfers is geen duidelijke richting te zien, of is de "
                   "reeks nog te kort.")
    return out


def _periods_phrase(periods: list[str]) -> str:
    years = [p for p in periods if not is_quarter(p)]
    quarters = [p for p in periods if is_quarter(p)]
    parts = ([f"het jaar {', '.join(years)}"] if years else []) + \
        [f"het {period_text(q)}" for q in quarters]
    return " en ".join(parts)


def _notes(b: Brief) -> list[str]:
    notes = []
    if b.synthetic:
        notes.append("<b>Synthetische gegevens.</b> Deze brief is gemaakt met verzonnen "
                     "gegevens om de monitor te testen: de cijfers zeggen niets over de echte "
                     "wijkteams.")
    if b.provisional:
        notes.append(f"<b>Voorlopig:</b> {esc(_periods_phrase(b.provisional))} zijn nog niet "
                     "compleet (termijnen die nog lopen, een jaar dat nog niet om is). Bij elk "
                     "cijfer staat daarom de laatste periode die wel compleet is.")
    notes.append("<b>Marge:</b> het werkelijke cijfer ligt met 95% zekerheid tussen deze "
                 "grenzen. Een volledige telling (alle zaken, het hele budget) heeft geen marge.")
    notes.append("<b>Richting:</b> getoetst over alle complete perioden; ‘geen duidelijke "
                 "richting’ betekent dat de schommelingen bij toeval kunnen horen. Een richting "
                 "zegt niets over de oorzaak. Aantallen van minder dan 5 personen staan niet in "
                 "deze brief.")
    return notes


def brief_title(municipality: str | None) -> str:
    """``Kwartaalbrief sociale wijkteams <name>``; without a known name, ``... van de gemeente``."""
    return f"Kwartaalbrief sociale wijkteams {municipality or 'van ' + UNKNOWN_NAME}"


def brief_html(b: Brief, made: datetime | None = None, index_href: str | None = None) -> str:
    """The brief as a complete HTML page.

    Args:
        b: the content (:func:`zwt_analysis.brief.build.build_brief`).
        made: when the page was made (local time, shown in the footer).
        index_href: relative link to the reports' index (None: no link).
    """
    title = brief_title(b.municipality)
    parts = ["<!DOCTYPE html>", '<html lang="nl"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(title)} — {esc(period_text(b.quarter))}</title>",
             f"<style>{BRIEF_CSS}</style></head><body><main class='sheet'>"]
    if b.synthetic:
        parts.append("<div class='banner' role='alert'>SYNTHETISCHE DATA — geen echte cijfers"
                     "</div>")
    parts += [f"<h1>{esc(title)}</h1>",
              f"<p class='sub'>{esc(period_text(b.quarter))} · gegevens tot en met "
              f"{esc(nl_date(b.as_of))} · voor de gemeenteraad</p>",
              "<section class='kern' aria-label='In het kort'>"
              + "".join(f"<p>{esc(t)}</p>" for t in summary(b)) + "</section>",
              "<h2>Kerncijfers voor de hele gemeente</h2><table><colgroup><col class='c1'>"
              "<col class='c2'><col class='c3'><col class='c4'><col class='c5'></colgroup>"
              "<thead><tr><th>Cijfer</th><th>Nu</th><th>Marge (95%)</th><th>Een jaar eerder</th>"
              "<th>Richting</th></tr></thead><tbody>"]
    parts += [_figure_rows(f) for f in b.figures]
    parts.append("</tbody></table>")
    parts.append("<h2>Uit de praktijk</h2>")
    if b.stories:
        parts.append("<ul class='stories'>" + "".join(
            f"<li>“{esc(s.text)}” <span class='who'>— {esc(s.organisation)}, "
            f"{esc(nl_date(s.day))}</span></li>" for s in b.stories) + "</ul>")
    else:
        parts.append("<p><small>Geen signalen uit de praktijk aangeleverd.</small></p>")
    parts.append("<h2>Let op</h2><ul class='notes'>"
                 + "".join(f"<li>{n}</li>" for n in _notes(b)) + "</ul>")
    foot = ["Bron: registraties van de wijkteams, verwerkt met de monitor."]
    if made is not None:
        foot.append(f"Gemaakt op {esc(nl_date(made.date()))}, {made:%H:%M}.")
    if index_href:
        foot.append(f"Alle rapporten: <a href='{esc(index_href)}'>overzicht van de rapporten"
                    "</a>.")
    parts.append(f"<footer>{' '.join(foot)}</footer></main></body></html>")
    return "\n".join(parts) + "\n"
