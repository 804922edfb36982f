"""validatie.html: docs/validation.md as a self-contained page that report pages can link."""

from __future__ import annotations

import re

from zwt_analysis.present.page import VALIDATION_PAGE
from zwt_analysis.runner.model import VALIDATION_FILE
from zwt_analysis.runner.pages import VALIDATION_SOURCE, markdown_html, validation_page


def test_markdown_tables_code_and_headings():
    html = markdown_html("# Titel\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n`x < y`\n")
    assert "<h1>Titel</h1>" in html and "<td>1</td>" in html and "<code>x &lt; y</code>" in html


def test_validation_page_from_the_docs_and_missing_source(tmp_path):
    assert VALIDATION_PAGE == f"../../{VALIDATION_FILE}"  # what report pages link
    page = validation_page()
    assert page is not None and VALIDATION_SOURCE.is_file()
    assert page.count("<table") >= 3 and 'lang="nl"' in page
    assert '<a href="index.html">&larr; overzicht van de rapporten</a>' in page
    assert not re.search(r"<(script|link|img)\b", page)
    (tmp_path / "v.md").write_text("# V\n")
    assert "<h1>V</h1>" in validation_page(tmp_path / "v.md", "../index.html")
    assert validation_page(tmp_path / "absent.md") is None
