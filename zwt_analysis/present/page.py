"""HTML pieces of a report page: the synthetic-data banner, the header, Markdown text."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from zwt_analysis.contract import ALL
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


def header_html(title: str, params: dict[str, Any], as_of: date, organisation: str,
                synthetic: bool) -> str:
    """HTML shown at the top of every report: banner, title, as-of, organisation, parameters."""
    rows = "".join(
        f"<tr><td style='padding:1px 10px 1px 0'><code>{html.escape(str(k))}</code></td>"
        f"<td style='padding:1px 0'><code>{html.escape(repr(v))}</code></td></tr>"
        for k, v in params.items()
    )
    who = "de hele gemeente (alle organisaties)" if organisation == ALL else organisation
    parts = [banner_html()] if synthetic else []
    parts += [
        f"<h1>{html.escape(title)}</h1>",
        "<p style='font-size:1.05em'>"
        f"<b>Peildatum:</b> {nl_date(as_of)} &nbsp;·&nbsp; "
        f"<b>Organisatie:</b> {html.escape(who)}</p>",
        "<details open><summary style='cursor:pointer'>Parameters van deze run</summary>"
        f"<table style='font-size:0.85em;margin:0.3em 0 0.8em 0'>{rows}</table></details>",
    ]
    return '<div class="zwt-report-header">' + "".join(parts) + "</div>"
