"""Static pages of a reports folder: the method validation (``validatie.html``).

``docs/validation.md`` (how well the statistical methods behave under known
truths) is rendered to HTML with mistune (which nbconvert already needs), so
that every report page can link it as ``../../validatie.html``. The page is
self-contained (no script, no style sheet or font fetched).
"""

from __future__ import annotations

import html
from pathlib import Path

from zwt_analysis import config

#: The source of ``validatie.html``.
VALIDATION_SOURCE = config.PROJECT_ROOT / "docs" / "validation.md"

PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
line-height:1.5}
main{max-width:980px;margin:0 auto;padding:1em 1.5em 3em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
pre{background:#f6f6f6;padding:.6em .8em;overflow-x:auto}
code{font-size:.9em}
.note{background:#f3f8fc;border-left:4px solid #0072b2;padding:.4em 1em;margin:1em 0}
"""


def markdown_html(text: str) -> str:
    """Markdown (with tables) as an HTML fragment."""
    import mistune

    render = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
    return str(render(text))


def validation_page(source: Path = VALIDATION_SOURCE, index_href: str = "index.html") -> str | None:
    """``validatie.html`` from ``source``; None when the file is not there (an installed package)."""
    if not source.is_file():
        return None
    body = markdown_html(source.read_text(encoding="utf-8"))
    return ("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>Validatie van de statistische methoden</title>"
            f"<style>{PAGE_CSS}</style></head><body><main>"
            f"<p><a href=\"{html.escape(index_href)}\">&larr; overzicht van de rapporten</a></p>"
            "<p class=\"note\">Deze pagina is voor onderzoekers en in het Engels: zij laat zien "
            "hoe de statistische methoden van de rapporten zich gedragen op gesimuleerde "
            "gegevens waarvan de uitkomst bekend is.</p>"
            f"{body}</main></body></html>\n")
