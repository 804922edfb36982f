"""HTML pieces of a report page: the synthetic-data banner, the header, Markdown text."""

from __future__ import annotations

import html
from datetime import date
from pathlib import PurePath
from typing import Any

from zwt_analysis.contract import ALL
from zwt_analysis.labels import CITY_IN_HEADER, org_name
from zwt_analysis.present.fmt import nl_date

SYNTHETIC_TEXT = "SYNTHETISCHE DATA — geen echte cijfers"

#: Inline CSS of the synthetic-data banner (no external style sheet: reports open offline).
BANNER_STYLE = (
    "position: sticky; top: 0; z-index: 1000; background: #b00020; color: #fff; "
    "font-weight: bold; font-size: 1.15em; text-align: center; padding: 0.5em 1em; "
    "margin: 0 0 0.8em 0; border-radius: 3px; letter-spacing: 0.03em;"
)


def _display_html(text: str) -> None:
    from IPython.display import HTML, display

    display(HTML(text))


def md(text: str) -> None:
    """Display Markdown text (common leading indentation is removed)."""
    from textwrap import dedent

    from IPython.display import Markdown, display

    display(Markdown(dedent(text).strip("\n")))


def banner_html() -> str:
    """HTML of the sticky synthetic-data banner (inline CSS only)."""
    return (
        f'<div class="zwt-synthetic-banner" role="alert" style="{BANNER_STYLE}">'
        f"{html.escape(SYNTHETIC_TEXT)}</div>"
    )


def _param_text(key: str, value: Any) -> str | None:
    """A parameter for readers: None for empty values; paths reduced to their last part."""
    if value is None or value == "":
        return None
    if key.endswith(("_dir", "_file")) and isinstance(value, str):
        return PurePath(value).name or value
    return repr(value) if isinstance(value, str) else str(value)


def header_html(title: str, params: dict[str, Any], as_of: date, organisation: str,
                synthetic: bool, municipality: str | None = None) -> str:
    """HTML at the top of every report: banner, title, as-of and subject, collapsed settings.

    The settings list leaves out empty values and shows only the last part of a path (no
    local folders on a published page); it starts closed.
    """
    shown = [(k, _param_text(k, v)) for k, v in params.items()]
    rows = "".join(
        f"<tr><td style='padding:1px 10px 1px 0'><code>{html.escape(str(k))}</code></td>"
        f"<td style='padding:1px 0'><code>{html.escape(v)}</code></td></tr>"
        for k, v in shown if v is not None
    )
    who = CITY_IN_HEADER if organisation == ALL else org_name(organisation)
    if municipality and organisation == ALL:
        who = f"{municipality} ({who})"
    elif municipality:
        who = f"{who} (in {municipality})"
    parts = [banner_html()] if synthetic else []
    parts += [
        f"<h1>{html.escape(title)}</h1>",
        "<p style='font-size:1.05em'>"
        f"<b>Peildatum:</b> {nl_date(as_of)} &nbsp;·&nbsp; "
        f"<b>Over:</b> {html.escape(who)}</p>",
        "<details class='zwt-run-settings'><summary style='cursor:pointer;color:#555'>"
        "Instellingen van deze run</summary>"
        f"<table style='font-size:0.85em;margin:0.3em 0 0.8em 0'>{rows}</table></details>",
    ]
    return '<div class="zwt-report-header">' + "".join(parts) + "</div>"


def kern_html(sentences: list[str]) -> str:
    """The "Kern" section: the report's answer in a few plain-Dutch sentences (HTML-escaped)."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return ("<section class='zwt-kern' aria-label='Kern' style='border-left:4px solid #0072b2;"
            "padding:0.2em 1em;margin:0.5em 0 1.2em 0;background:#f3f8fc'>"
            f"<h2 style='margin-top:0.4em'>Kern</h2><ul style='font-size:1.05em'>{items}</ul>"
            "</section>")


def kern(sentences: list[str]) -> None:
    """Display the Kern section (call it right after the report's ``build()``)."""
    _display_html(kern_html(sentences))


#: Where the reviewer version points readers for method and diagnostics (relative to a
#: report page ``reports/<report>/<organisation>/report.html``).
RESEARCHER_PAGE = "report_code.html"
VALIDATION_PAGE = "../../validatie.html"


def method_note() -> None:
    """A line telling reviewers where method, diagnostics and the method validation are."""
    md(f"*Methode, regeltabellen en diagnostiek staan in de [onderzoekersversie]"
       f"({RESEARCHER_PAGE}) van dit rapport; hoe betrouwbaar de gebruikte toetsen en "
       f"intervallen zijn, staat in de [validatie van de methoden]({VALIDATION_PAGE}).*")
