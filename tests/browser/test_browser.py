"""The reports in a real browser (issue 9): headless Debian Chromium.

Every page of the full report suite on the small synthetic data
(``index.html``, each ``report.html`` and ``report_code.html``) is opened in
headless Chromium through the DevTools protocol (tests/browser/browser_check.py) and
must show no console error or uncaught exception, load every ``<img>``
(``naturalWidth > 0``), have every local link point at an existing file,
show the synthetic-data banner as visible text, and make no request that
leaves the machine (no ``http(s)`` request at all, no script/link/img/...
element pointing to the network). A screenshot of each page is kept under
``<pytest basetemp>/reports-artifacts/`` (or ``$ZWT_BROWSER_ARTIFACTS``).

Chromium comes from Debian's ``chromium`` package (``scripts/ensure_chromium.sh``
installs it); without it these tests skip and say why.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_check import Browser, find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.skip("headless Chromium not found (/usr/bin/chromium): run "
                    "scripts/ensure_chromium.sh as root (apt-get install chromium) "
                    "or point ZWT_CHROMIUM at a Chromium binary")
    return exe


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    with Browser(chromium, profile=tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b


BAD_PAGE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>fout</title>
<script src="https://cdn.example.org/lib.js"></script>
<link rel="stylesheet" href="http://example.org/style.css">
</head><body><p>SYNTHETISCHE DATA</p>
<img src="ontbreekt.png" alt="weg">
<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==" alt="ok">
<a href="bestaat.csv">goed</a> <a href="weg.csv">kapot</a> <a href="https://www.zaanstad.nl">extern</a>
<script>console.error("opzettelijke fout"); undefinedFunction();</script>
</body></html>"""

GOOD_PAGE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>goed</title>
</head><body><p>SYNTHETISCHE DATA</p>
<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==" alt="ok">
<a href="bestaat.csv">goed</a> <a href="#boven">boven</a> <a href="https://www.zaanstad.nl">extern</a>
</body></html>"""


def test_checker_finds_what_it_claims_to_find(browser, tmp_path):
    """Positive control: every kind of problem on a hand-built page is reported."""
    (tmp_path / "bestaat.csv").write_text("a\n1\n")
    (tmp_path / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (tmp_path / "good.html").write_text(GOOD_PAGE, encoding="utf-8")
    bad = browser.check_page(tmp_path / "bad.html", tmp_path / "bad.png")
    text = "\n".join(bad.problems())
    assert "opzettelijke fout" in text and "undefinedFunction" in text
    assert "image not loaded: ontbreekt.png" in text
    assert "broken link: weg.csv" in text and "bestaat.csv" not in text
    assert "network resource: <script> https://cdn.example.org/lib.js" in text
    assert "network resource: <link> http://example.org/style.css" in text
    assert any(u.startswith("https://cdn.example.org") for u in bad.network_requests)
    assert "zaanstad.nl" not in text  # a plain link to a website is fine
    assert (tmp_path / "bad.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    good = browser.check_page(tmp_path / "good.html")
    assert good.problems() == [] and good.info["banner"] and len(good.info["images"]) == 1


def report_pages(reports: Path) -> list[Path]:
    return [reports / "index.html", *sorted(reports.glob("*/*/report.html")),
            *sorted(reports.glob("*/*/report_code.html"))]


#: Most rows a table on a reviewer page may have (issue 18: longer tables go to the CSV).
MAX_REVIEWER_ROWS = 15
#: Fewest characters of a figure's text alternative (issue 18: "text alternatives for figures").
MIN_ALT = 30


def reader_problems(info: dict) -> list[str]:
    """What keeps a reviewer page from giving its answer first (issue 18)."""
    found = []
    if info.get("first_h2") != "Kern":
        found.append(f"first section is {info.get('first_h2')!r}, not the Kern")
    if not 3 <= len(info.get("kern", [])) <= 6:
        found.append(f"Kern has {len(info.get('kern', []))} sentences (3 to 5 expected)")
    if info.get("open_details"):
        found.append("an open <details> block (the run settings must start closed)")
    if info.get("max_table_rows", 0) > MAX_REVIEWER_ROWS:
        found.append(f"a table of {info['max_table_rows']} rows (at most {MAX_REVIEWER_ROWS})")
    found += [f"figure without a text alternative: alt={img.get('alt')!r}"
              for img in info.get("images", []) if len((img.get("alt") or "").strip()) < MIN_ALT]
    return found


PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8B"
         "QDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def test_reader_checks_on_hand_built_pages(browser, tmp_path):
    good = tmp_path / "good.html"
    good.write_text("<h1>T</h1><details><summary>s</summary></details><section class='zwt-kern'>"
                    "<h2>Kern</h2><ul><li>a</li><li>b</li><li>c</li></ul></section><h2>1.</h2>"
                    "<table><tbody>" + "<tr><td>1</td></tr>" * 15 + "</tbody></table>"
                    f"<img src='{PIXEL}' alt='Figuur: lijndiagram; waarden van 1 tot 2.'>",
                    encoding="utf-8")
    assert reader_problems(browser.check_page(good).info) == []
    bad = tmp_path / "bad.html"
    bad.write_text("<h1>T</h1><details open><summary>s</summary></details><h2>Methode</h2>"
                   "<table><tbody>" + "<tr><td>1</td></tr>" * 16 + "</tbody></table>"
                   f"<img src='{PIXEL}'><img src='{PIXEL}' alt='Figuur'>", encoding="utf-8")
    problems = " ".join(reader_problems(browser.check_page(bad).info))
    assert "not the Kern" in problems and "open <details>" in problems and "16 rows" in problems
    assert "alt=None" in problems and "alt='Figuur'" in problems


@pytest.mark.xdist_group("reports")
def test_every_report_page_in_a_real_browser(browser, small_reports, tmp_path_factory, capsys):
    shots = Path(os.environ.get("ZWT_BROWSER_ARTIFACTS")
                 or tmp_path_factory.getbasetemp() / "reports-artifacts")
    pages = report_pages(small_reports)
    assert len(pages) > 3, "the report suite produced no report pages"
    problems: dict[str, list[str]] = {}
    images = 0
    for page in pages:
        rel = page.relative_to(small_reports).as_posix()
        res = browser.check_page(page, shots / (rel.replace("/", "__") + ".png"))
        found = res.problems()
        if not res.info.get("banner"):
            found.append("no visible 'SYNTHETISCHE DATA' banner")
        if res.info.get("text_length", 0) < 200:
            found.append("page shows (almost) no text")
        if page.name == "report.html" and not res.info.get("images"):
            found.append("reviewer report without a single figure")
        if page.name == "report.html":
            found += reader_problems(res.info)
        images += len(res.info.get("images", []))
        if found:
            problems[rel] = found
    linked = {p.relative_to(small_reports).as_posix() for p in pages[1:] if p.name == "report.html"}
    index = browser.check_page(small_reports / "index.html")
    index_targets = {link["raw"] for link in index.info["links"]}
    assert linked <= index_targets, f"reports not linked from index.html: {linked - index_targets}"
    # the index answers each report's question with the first sentence of its city Kern
    for page in pages:
        if page.name == "report.html" and page.parent.name == "ALL":
            first = browser.check_page(page).info["kern"][0]
            assert first[:60] in " ".join(index.info["body_text"].split()), (page, first)
    with capsys.disabled():
        print(f"\nbrowser screenshots of {len(pages)} pages ({images} images checked): {shots}")
    assert not problems, problems
    assert len(list(shots.glob("*.png"))) >= len(pages)
