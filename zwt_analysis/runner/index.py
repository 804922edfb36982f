"""``index.html``: the Dutch entry page of a reports folder, linking every run.

One section per report, one table row per organisation with the status, the
two HTML versions, the CSV tables, the parameters and the duration. All
links are relative, so the folder can be moved or served as it is.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Any

from zwt_analysis.present.fmt import nl_date
from zwt_analysis.runner.model import (
    LOG_FILE,
    MANIFEST_FILE,
    RESEARCHER_HTML,
    REVIEWER_HTML,
    STATUS_NL,
    Result,
    org_text,
    safe,
)

TITLE = "Monitor sociale wijkteams Zaanstad — rapporten"
#: Parameters the runner sets for every run (not shown per row).
RUNNER_PARAMETERS = ("processed_dir", "output_dir", "indicators_file")

INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:1em 1.5em 3em}
.banner{position:sticky;top:0;z-index:10;background:#b00020;color:#fff;font-weight:bold;
text-align:center;padding:.5em 1em;letter-spacing:.03em}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.ok{color:#1b7a1b;font-weight:bold}.failed,.timeout{color:#b00020;font-weight:bold}
.meta{color:#555}.err{font-size:.85em;color:#b00020;font-family:monospace}
code{font-size:.9em}
"""

esc = html.escape


def _iso_nl(iso: str) -> str:
    return esc(nl_date(date.fromisoformat(iso)))


def _head(meta: dict[str, Any]) -> list[str]:
    parts = ["<!DOCTYPE html>", '<html lang="nl"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{TITLE}</title>", f"<style>{INDEX_CSS}</style></head><body>"]
    if meta["synthetic"]:
        parts.append('<div class="banner" role="alert">SYNTHETISCHE DATA — geen echte cijfers'
                     "</div>")
    return parts


def _summary(results: list[Result], meta: dict[str, Any]) -> list[str]:
    """Peildatum, period in the data, time made, run counts and extra parameters."""
    n_bad = sum(r.status != "ok" for r in results)
    period = meta.get("period")
    parts = ["<main>", f"<h1>{TITLE}</h1>", '<p class="meta">',
             f"<b>Peildatum:</b> {_iso_nl(meta['as_of'])}" if meta.get("as_of")
             else "<b>Peildatum:</b> onbekend"]
    if period:
        parts.append(f" &middot; <b>Periode in de data:</b> {_iso_nl(period[0])} t/m "
                     f"{_iso_nl(period[1])}")
    made = datetime.fromisoformat(meta["finished"])
    parts.append(f"<br><b>Gemaakt:</b> {esc(nl_date(made.date()))}, "
                 f"{made:%H:%M} UTC &middot; "
                 f"<b>Runs:</b> {len(results)}, waarvan {len(results) - n_bad} gelukt"
                 + (f", <span class='failed'>{n_bad} mislukt</span>" if n_bad else "")
                 + "</p>")
    if meta.get("extra_params"):
        parts.append("<p class='meta'><b>Extra parameters:</b> " + ", ".join(
            f"<code>{esc(k)}={esc(str(v))}</code>" for k, v in meta["extra_params"].items())
            + "</p>")
    parts.append("<p>Per rapport twee versies: de <b>leesversie</b> (tekst, tabellen en "
                 "figuren) en de <b>versie met code</b> voor onderzoekers. De CSV-tabellen "
                 "zijn voor publicatie beveiligd: aantallen onder 5 personen staan als "
                 "<code>&lt;5</code>.</p>")
    return parts


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


def _report_sections(results: list[Result]) -> list[str]:
    reports: dict[str, list[Result]] = {}
    for r in results:
        reports.setdefault(r.report, []).append(r)
    parts = []
    for report, rows in reports.items():
        parts.append(f"<h2>{esc(rows[0].title)} <span class='meta' style='font-size:.6em'>"
                     f"({esc(report)})</span></h2>")
        parts.append("<table><tr><th>Organisatie</th><th>Status</th><th>Rapport</th>"
                     "<th>Tabellen (CSV)</th><th>Parameters</th><th>Duur</th></tr>")
        parts += [_row(report, r) for r in rows]
        parts.append("</table>")
    return parts


def build_index(results: list[Result], meta: dict[str, Any]) -> str:
    """The Dutch ``index.html`` linking every report, grouped by report and organisation.

    ``meta``: ``synthetic`` (bool), ``as_of`` and ``period`` (ISO dates or
    ``None``), ``finished`` (ISO time, UTC) and ``extra_params`` (``--param``).
    """
    parts = _head(meta) + _summary(results, meta) + _report_sections(results)
    parts.append(f"<p class='meta'>Details van elke run (invoerbestanden met sha256, "
                 f"pakketversies, git-commit): <a href='{MANIFEST_FILE}'>{MANIFEST_FILE}</a>; "
                 f"logboek: <a href='{LOG_FILE}'>{LOG_FILE}</a>.</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
