"""A report's answer for the index: the sentences of its "Kern" section.

Every report notebook displays a Kern section right after its title
(:func:`zwt_analysis.present.page.kern_html`: ``<section class='zwt-kern'>``
with one ``<li>`` per sentence). The index shows the first sentence of each
run; it is read from the executed notebook's outputs, or else from the
reviewer HTML.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

#: The class of the Kern section (``present.page.kern_html``).
KERN_CLASS = "zwt-kern"


class _KernParser(HTMLParser):
    """Collects the text of each ``<li>`` inside the first ``section.zwt-kern``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # section nesting inside the Kern section (0 = outside)
        self.done = False
        self.items: list[str] = []
        self._li: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "section":
            classes = (dict(attrs).get("class") or "").split()
            if self.depth or KERN_CLASS in classes:
                self.depth += 1
        elif tag == "li" and self.depth:
            self._li = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._li is not None:
            text = " ".join("".join(self._li).split())
            if text:
                self.items.append(text)
            self._li = None
        elif tag == "section" and self.depth:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data: str) -> None:
        if self._li is not None:
            self._li.append(data)


def kern_from_html(text: str) -> list[str]:
    """The sentences (``<li>`` texts, tags removed, entities decoded) of the first Kern section."""
    if KERN_CLASS not in text:
        return []
    parser = _KernParser()
    parser.feed(text)
    parser.close()
    return parser.items


def kern_from_notebook(nb: dict) -> list[str]:
    """The Kern sentences from an executed notebook's ``text/html`` outputs (first section found)."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            html = out.get("data", {}).get("text/html")
            if html is None:
                continue
            found = kern_from_html("".join(html) if isinstance(html, list) else str(html))
            if found:
                return found
    return []


def kern_of_run(run_dir: Path, notebook: str = "report.ipynb",
                reviewer: str = "report.html") -> list[str]:
    """The Kern sentences of one run folder: from the executed notebook, else the reviewer HTML.

    Returns an empty list when neither has a Kern section (or neither exists).
    """
    nb_path, html_path = run_dir / notebook, run_dir / reviewer
    if nb_path.is_file():
        try:
            found = kern_from_notebook(json.loads(nb_path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            found = []
        if found:
            return found
    if html_path.is_file():
        return kern_from_html(html_path.read_text(encoding="utf-8", errors="replace"))
    return []
