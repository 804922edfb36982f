"""``index.html`` and ``runs.html``: the Dutch entry pages of a reports folder.

``index.html`` is a guide: what to read first (the council brief, then the
key reports), and per report its question and its answer -- the first
sentence of each run's Kern section -- the city first with the organisations
beside it. ``runs.html`` holds the run details (status, parameters, CSV
tables, durations). Times are shown in local time (:data:`LOCAL_TZ`); the
title names the municipality (``meta["municipality"]``) and never a fixed
one. All links are relative, so the folder can be moved or served as it is.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from typing import Any

from zwt_analysis import config
from zwt_analysis.brief import LOCAL_TZ
from zwt_analysis.contract import ALL
from zwt_analysis.present.fmt import nl_date
from zwt_analysis.runner.model import (
    BRIEF_FILE,
    INDEX_FILE,
    LOG_FILE,
    MANIFEST_FILE,
    RESEARCHER_HTML,
    REVIEWER_HTML,
    RUNS_FILE,
    STATUS_NL,
    VALIDATION_FILE,
    Result,
    org_text,
    safe,
)
from zwt_analysis.runner.plan import short_name

GUIDE_FILE = "report_guide.yaml"
#: Parameters the runner sets for every run (not shown per row).
RUNNER_PARAMETERS = ("processed_dir", "output_dir", "indicators_file")

INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:1em 1.5em 3em}
.banner{position:sticky;top:0;z-index:10;background:#b00020;color:#fff;font-weight:bold;
text-align:center;padding:.5em 1em;letter-spacing:.03em}
h1{margin-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.ok{color:#1b7a1b;font-weight:bold}.failed,.timeout{color:#b00020;font-weight:bold}
.meta{color:#555}.err{font-size:.85em;color:#b00020;font-family:monospace}
.alert{border:2px solid #b00020;padding:.5em 1em;margin:1em 0;background:#fff5f5}
.start{background:#f3f8fc;border-left:4px solid #0072b2;padding:.4em 1.2em;margin:1em 0}
.start li{margin:.25em 0}
.report{border-top:1px solid #ccc;padding:.6em 0 .8em}
.report h3{margin:.2em 0}
.q{margin:.2em 0 .5em;color:#333}
.grid{display:grid;grid-template-columns:3fr 2fr;gap:1.5em}
.lbl{font-size:.8em;text-transform:uppercase;letter-spacing:.05em;color:#666}
.answer{margin:.2em 0 .3em;font-size:1.05em}
.orgs ul{margin:.2em 0;padding-left:1.1em;font-size:.92em}.orgs li{margin:.3em 0}
code{font-size:.9em}
footer{margin-top:2em;color:#555;font-size:.92em}
@media (max-width:700px){.grid{grid-template-columns:1fr}}
"""

esc = html.escape


# ----------------------------------------------------------------- shared pieces

def index_title(municipality: str | None) -> str:
    """``Monitor sociale wijkteams <name>``; without a known name, ``... van de gemeente``."""
    return (f"Monitor sociale wijkteams {municipality}" if municipality
            else "Monitor sociale wijkteams van de gemeente")


def local_time(iso: str) -> datetime:
    """An ISO time (UTC when it has no zone) in :data:`LOCAL_TZ` (left in UTC without tz data)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    t = datetime.fromisoformat(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    try:
        return t.astimezone(ZoneInfo(LOCAL_TZ))
    except ZoneInfoNotFoundError:
        return t.astimezone(UTC)


def made_text(iso: str) -> str:
    """``4 december 2026, 21:40`` in local time (``UTC`` added when no tz data is available)."""
    t = local_time(iso)
    return f"{nl_date(t.date())}, {t:%H:%M}{' UTC' if t.tzinfo is UTC else ''}"


def load_guide() -> dict[str, Any]:
    """The index guide (``resources/report_guide.yaml``): questions and what to read first."""
    return config.load_yaml(config.resource(GUIDE_FILE)) or {}


def _iso_nl(iso: str) -> str:
    return esc(nl_date(date.fromisoformat(iso)))


def _head(meta: dict[str, Any], title: str) -> list[str]:
    parts = ["<!DOCTYPE html>", '<html lang="nl"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(title)}</title>", f"<style>{INDEX_CSS}</style></head><body>"]
    if meta["synthetic"]:
        parts.append('<div class="banner" role="alert">SYNTHETISCHE DATA — geen echte cijfers'
                     "</div>")
    return parts


def _dates(meta: dict[str, Any]) -> str:
    """Peildatum, the data period and when the folder was made (local time)."""
    text = (f"<b>Peildatum:</b> {_iso_nl(meta['as_of'])}" if meta.get("as_of")
            else "<b>Peildatum:</b> onbekend")
    period = meta.get("period")
    if period:
        text += (f" &middot; <b>Periode in de data:</b> {_iso_nl(period[0])} t/m "
                 f"{_iso_nl(period[1])}")
    return text + f"<br><b>Gemaakt:</b> {esc(made_text(meta['finished']))}"


def _runs_line(results: list[Result]) -> str:
    n_bad = sum(r.status != "ok" for r in results)
    return (f"<b>Runs:</b> {len(results)}, waarvan {len(results) - n_bad} gelukt"
            + (f", <span class='failed'>{n_bad} mislukt</span>" if n_bad else ""))


def _alerts(results: list[Result], meta: dict[str, Any]) -> list[str]:
    """Red boxes: runs that failed, an unprotected disclosure audit, a brief that failed."""
    out = []
    bad = [r for r in results if r.status != "ok"]
    if bad:
        names = ", ".join(f"{esc(r.title)} ({esc(org_text(r.organisation))})" for r in bad[:6])
        more = f" en {len(bad) - 6} meer" if len(bad) > 6 else ""
        out.append(f"<div class='alert' role='alert'><b>{len(bad)} van de {len(results)} runs "
                   f"zijn niet gelukt:</b> {names}{more}. Zie de "
                   f"<a href='{RUNS_FILE}'>details van de runs</a>.</div>")
    disc = meta.get("disclosure") or {}
    if disc.get("unprotected"):
        out.append(f"<div class='alert' role='alert'><b>Niet publiceren:</b> de controle op "
                   f"herleidbaarheid vond {disc['unprotected']} cellen in de CSV-tabellen die "
                   "niet voldoende beschermd zijn (kleine aantallen zijn terug te rekenen). "
                   f"Zie <code>{MANIFEST_FILE}</code> (onderdeel <code>disclosure</code>).</div>")
    if meta.get("brief_error"):
        out.append("<div class='alert' role='alert'><b>De kwartaalbrief kon niet worden "
                   f"gemaakt:</b> <span class='err'>{esc(meta['brief_error'][:300])}</span></div>")
    return out


# ----------------------------------------------------------------- index.html (the guide)

def _run_link(r: Result) -> str | None:
    if REVIEWER_HTML in r.files:
        return f"{safe(r.report)}/{safe(r.organisation)}/{REVIEWER_HTML}"
    return None


def _answer(r: Result, kerns: dict[tuple[str, str], list[str]]) -> str:
    if r.status != "ok":
        return (f"<span class='{r.status}'>Dit rapport is niet gelukt</span> "
                f"({esc(STATUS_NL.get(r.status, r.status))}; zie de "
                f"<a href='{RUNS_FILE}'>details</a>).")
    sentences = kerns.get((r.report, r.organisation)) or []
    if not sentences:
        return "<span class='meta'>Geen samenvatting gevonden; open het rapport.</span>"
    return esc(sentences[0])


def _report_card(rows: list[Result], kerns: dict[tuple[str, str], list[str]],
                 question: str | None) -> list[str]:
    """One report: title, question, the city's answer and each organisation's beside it."""
    city = next((r for r in rows if r.organisation == ALL), None)
    orgs = [r for r in rows if r.organisation != ALL]
    head = rows[0].title
    link = _run_link(city) if city is not None else None
    heading = f"<a href='{link}'>{esc(head)}</a>" if link else esc(head)
    parts = ["<article class='report'>", f"<h3>{heading}</h3>"]
    if question:
        parts.append(f"<p class='q'><b>Vraag:</b> {esc(question)}</p>")
    parts.append("<div class='grid'>")
    if city is not None:
        read = f" <a href='{link}'>Lees het rapport &rarr;</a>" if link else ""
        parts.append(f"<div class='city'><div class='lbl'>{esc(org_text(ALL))}</div>"
                     f"<p class='answer'>{_answer(city, kerns)}</p>{read}</div>")
    else:
        parts.append("<div class='city'></div>")
    if orgs:
        items = []
        for r in orgs:
            olink = _run_link(r)
            name = (f"<a href='{olink}'>{esc(org_text(r.organisation))}</a>" if olink
                    else esc(org_text(r.organisation)))
            items.append(f"<li><b>{name}</b>: {_answer(r, kerns)}</li>")
        parts.append("<div class='orgs'><div class='lbl'>Per organisatie</div><ul>"
                     + "".join(items) + "</ul></div>")
    parts.append("</div></article>")
    return parts


def _read_first(groups: dict[str, list[Result]], guide: dict[str, Any],
                meta: dict[str, Any]) -> list[str]:
    """The "Waar begint u?" list: the brief and the key reports, in the guide's order."""
    by_short = {short_name(rep): rows for rep, rows in groups.items()}
    items = []
    for entry in guide.get("read_first") or []:
        name, why = str(entry.get("name", "")), str(entry.get("why", ""))
        if name == "brief" and meta.get("brief"):
            items.append(f"<li><a href='{BRIEF_FILE}'><b>Kwartaalbrief</b></a>: {esc(why)}.</li>")
        elif name in by_short:
            rows = by_short[name]
            first = next((r for r in rows if r.organisation == ALL), rows[0])
            link = _run_link(first)
            title = esc(first.title)
            label = f"<a href='{link}'><b>{title}</b></a>" if link else f"<b>{title}</b>"
            items.append(f"<li>{label}: {esc(why)}.</li>")
    items.append("<li>Daarna de andere rapporten hieronder. Elk rapport begint met een korte "
                 "<i>Kern</i>: het antwoord, de belangrijkste cijfers en wat het betekent.</li>")
    return ["<section class='start'><h2>Waar begint u?</h2><ol>", *items, "</ol></section>"]


def _footer(meta: dict[str, Any]) -> str:
    bits = [f"<a href='{RUNS_FILE}'>Details van de runs</a> (status, parameters, CSV-tabellen, "
            "duur)"]
    if meta.get("validation"):
        bits.append(f"<a href='{VALIDATION_FILE}'>hoe betrouwbaar de statistische methoden "
                    "zijn</a>")
    bits.append(f"herkomst van elke run (invoerbestanden met sha256, pakketversies, "
                f"git-commit): <a href='{MANIFEST_FILE}'>{MANIFEST_FILE}</a>; logboek: "
                f"<a href='{LOG_FILE}'>{LOG_FILE}</a>")
    return "<footer><p>" + " &middot; ".join(bits) + ".</p></footer>"


def group_by_report(results: list[Result]) -> dict[str, list[Result]]:
    """Runs by report, in the order given (reports and organisations keep their order)."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.report, []).append(r)
    return groups


def build_index(results: list[Result], meta: dict[str, Any],
                kerns: dict[tuple[str, str], list[str]] | None = None,
                guide: dict[str, Any] | None = None) -> str:
    """The Dutch ``index.html``: a guide to the reports with each report's question and answer.

    Args:
        results: every run, in matrix order.
        meta: ``synthetic`` (bool), ``as_of`` and ``period`` (ISO dates or None), ``finished``
            (ISO time), ``extra_params`` (``--param``); optional ``municipality`` (name or
            None), ``brief`` (the brief was written), ``brief_error``, ``validation`` (the
            validation page was written) and ``disclosure`` (the audit summary).
        kerns: the Kern sentences per (report, organisation); the first is the answer.
        guide: questions and reading order (default :func:`load_guide`).
    """
    kerns = kerns or {}
    guide = load_guide() if guide is None else guide
    title = index_title(meta.get("municipality"))
    groups = group_by_report(results)
    parts = _head(meta, title) + ["<main>", f"<h1>{esc(title)}</h1>",
                                  f"<p class='meta'>{_dates(meta)} &middot; {_runs_line(results)}"
                                  "</p>"]
    parts += _alerts(results, meta)
    parts += _read_first(groups, guide, meta)
    parts.append("<h2>De rapporten</h2>")
    questions = guide.get("reports") or {}
    for report, rows in groups.items():
        q = (questions.get(short_name(report)) or {}).get("question")
        parts += _report_card(rows, kerns, q)
    parts.append(_footer(meta))
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


# ----------------------------------------------------------------- runs.html (the details)

def _row(report: str, r: Result) -> str:
    """One table row: organisation, status (and error), links, CSVs, parameters, duration."""
    base = f"{safe(report)}/{safe(r.organisation)}"
    links = []
    if REVIEWER_HTML in r.files:
        links.append(f'<a href="{base}/{REVIEWER_HTML}">leesversie</a>')
    if RESEARCHER_HTML in r.files:
        links.append(f'<a href="{base}/{RESEARCHER_HTML}">met code</a>')
    csvs = [f'<a href="{base}/{esc(f)}">{esc(f)}</a>' for f in r.files if f.endswith(".csv")]
    own = {k: v for k, v in r.parameters.items() if k not in RUNNER_PARAMETERS}
    params = "<br>".join(f"<code>{esc(k)}={esc(repr(v))}</code>" for k, v in own.items())
    status = f"<span class='{r.status}'>{STATUS_NL.get(r.status, r.status)}</span>"
    if r.error:
        status += f"<div class='err'>{esc(r.error[:300])}</div>"
    return (f"<tr><td>{esc(org_text(r.organisation))}</td><td>{status}</td>"
            f"<td>{' &middot; '.join(links) or '—'}</td>"
            f"<td>{'<br>'.join(csvs) or '—'}</td><td>{params}</td>"
            f"<td>{r.duration_s:.0f} s</td></tr>")


def build_runs_page(results: list[Result], meta: dict[str, Any]) -> str:
    """``runs.html``: every run with its status, links, CSV tables, parameters and duration."""
    title = f"{index_title(meta.get('municipality'))} — details van de runs"
    parts = _head(meta, title) + [
        "<main>", f"<p><a href='{INDEX_FILE}'>&larr; overzicht van de rapporten</a></p>",
        f"<h1>{esc(title)}</h1>", f"<p class='meta'>{_dates(meta)} &middot; "
        f"{_runs_line(results)}</p>"]
    if meta.get("extra_params"):
        parts.append("<p class='meta'><b>Extra parameters:</b> " + ", ".join(
            f"<code>{esc(k)}={esc(str(v))}</code>" for k, v in meta["extra_params"].items())
            + "</p>")
    parts.append("<p>Per rapport twee versies: de <b>leesversie</b> (tekst, tabellen en "
                 "figuren) en de <b>versie met code</b> voor onderzoekers. De CSV-tabellen "
                 "zijn voor publicatie beveiligd: aantallen onder 5 personen staan als "
                 "<code>&lt;5</code>, andere verborgen cellen als <code>x</code>.</p>")
    for report, rows in group_by_report(results).items():
        parts.append(f"<h2>{esc(rows[0].title)} <span class='meta' style='font-size:.6em'>"
                     f"({esc(report)})</span></h2>")
        parts.append("<table><tr><th>Organisatie</th><th>Status</th><th>Rapport</th>"
                     "<th>Tabellen (CSV)</th><th>Parameters</th><th>Duur</th></tr>")
        parts += [_row(report, r) for r in rows]
        parts.append("</table>")
    parts.append(_footer(meta))
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
