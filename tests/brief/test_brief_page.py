"""The brief's page: plain-Dutch summary, direction texts, suppression, and one A4 page in print."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zwt_analysis.brief.build import Brief
from zwt_analysis.brief.figures import FigureRow, KeyFigure
from zwt_analysis.brief.page import brief_html, brief_title, direction_text, summary
from zwt_analysis.brief.stories import Story
from zwt_analysis.cli import app


def _row(ind: str, **kw) -> FigureRow:
    base = dict(period="2026-Q2", value=0.789, low=0.756, high=0.819, previous_period="2025-Q2",
                previous=0.827, verdict="geen aantoonbare trend", since=2019)
    return FigureRow(ind, kw.pop("label", ""), kw.pop("interval", "wilson"), **(base | kw))


def worst_case() -> Brief:
    """Every figure filled, long labels and stories of the maximum length: the longest page."""
    down = dict(verdict="dalend", slope=-0.017, slope_low=-0.023, slope_high=-0.011,
                higher_is_better=True)
    laws = [_row(i, label=f"{name} ({d} dagen)", short=f"de termijn voor {name}", **down)
            for i, name, d in (("wmo_assessment_on_time", "Wmo-onderzoek", 42),
                               ("wmo_decision_on_time", "Wmo-besluit", 14),
                               ("jeugdwet_decision_on_time", "Besluit Jeugdwet", 56),
                               ("participatiewet_decision_on_time", "Besluit Participatiewet", 56),
                               ("wgs_first_contact_on_time", "Eerste gesprek schuldhulp", 28))]
    figures = [
        KeyFigure("preventive", "Preventief werk",
                  "aandeel preventieve uren in de preventieve plus wettelijke uren",
                  [_row("preventive_share", interval="korn_graubard", short="het aandeel",
                        verdict="stijgend", slope=0.012, higher_is_better=True,
                        excluded=["2026-Q3"])]),
        KeyFigure("deadlines", "Wettelijke termijnen gehaald",
                  "aandeel zaken dat binnen de wettelijke termijn is afgehandeld", laws,
                  "de wettelijke termijnen"),
        KeyFigure("caseload", "Caseload", "open zaken per fte op de laatste dag van het kwartaal",
                  [_row("caseload_per_fte", interval="none", value=24.1, previous=23.2, short="de caseload",
                        verdict="stijgend", slope=0.9, higher_is_better=False)]),
        KeyFigure("outflow", "Uitstroom personeel",
                  "vertrokken medewerkers, per medewerker op 1 januari",
                  [_row("staff_outflow_rate", interval="poisson", period="2025",
                        previous_period="2024", suppressed=True, value=None, low=None,
                        high=None, verdict="te kort om te beoordelen", excluded=["2026"])]),
        KeyFigure("funding", "Incidentele financiering",
                  "aandeel van het budget dat incidenteel (tijdelijk) is toegekend",
                  [_row("incidental_funding_share", interval="none", period="2025",
                        previous_period="2024")]),
    ]
    long = ("Het team draait op de helft van de bezetting; wachtlijsten lopen op en collega's "
            "vallen uit, terwijl het aantal meldingen van jongeren met schulden verder stijgt en")
    stories = [Story(date(2026, 9, 30), "Organisatie met een lange naam", long[:159] + "…")] * 3
    return Brief("Súdwest-Fryslân en Noardeast-Fryslân", date(2026, 9, 30), "2026-Q3", True,
                 figures, stories)


def test_summary_names_what_moves_the_wrong_and_the_right_way():
    b = worst_case()
    s = summary(b)
    assert s[0] == ("Over de jaren gaat het de verkeerde kant op met de wettelijke termijnen "
                    "(5 van de 5: Wmo-onderzoek, Wmo-besluit, Besluit Jeugdwet, Besluit "
                    "Participatiewet, Eerste gesprek schuldhulp) en de caseload.")  # rising load
    assert s[1] == "Over de jaren gaat het de goede kant op met het aandeel."
    flat = Brief(None, date(2026, 9, 30), "2026-Q3", False,
                 [KeyFigure("k", "K", "", [_row("caseload_per_fte", interval="none")])], [])
    one = replace(b, figures=[replace(b.figures[1], rows=[b.figures[1].rows[0],
                                                           _row("wmo_decision_on_time")])])
    assert summary(one)[0] == ("Over de jaren gaat het de verkeerde kant op met de termijn voor "
                               "Wmo-onderzoek.")
    assert summary(flat) == ["Geen van de kerncijfers gaat over de jaren duidelijk de goede of "
                             "de verkeerde kant op."]
    empty = Brief(None, date(2026, 9, 30), "2026-Q3", False,
                  [KeyFigure("k", "K", "", [FigureRow("caseload_per_fte", "", "none")])], [])
    assert summary(empty) == ["Er is nog geen afgeronde periode om over te rapporteren."]


def test_direction_in_percentage_points_or_units_per_year():
    r = _row("wmo_decision_on_time", verdict="dalend", slope=-0.017, higher_is_better=True)
    assert direction_text(r, True) == ("<span class='bad'>↓ daalt (ongunstig)</span>"
                                       "<span class='per'>1,7 %-punt per jaar sinds 2019</span>")
    r = _row("caseload_per_fte", verdict="stijgend", slope=0.94, higher_is_better=None)
    assert direction_text(r, False) == ("<span class='flat'>↑ stijgt</span>"
                                        "<span class='per'>0,9 per jaar sinds 2019</span>")
    assert "geen duidelijke richting" in direction_text(_row("x"), True)
    assert "te kort" in direction_text(_row("x", verdict="te kort om te beoordelen"), True)


def test_page_text_title_suppression_and_caveats():
    page = brief_html(worst_case(), datetime(2026, 10, 2, 8, 5), "index.html")
    assert "@page{size:A4" in page and 'lang="nl"' in page and "SYNTHETISCHE DATA" in page
    assert "<h1>Kwartaalbrief sociale wijkteams Súdwest-Fryslân en Noardeast-Fryslân</h1>" in page
    assert brief_title(None) == "Kwartaalbrief sociale wijkteams van de gemeente"
    assert "78,9%" in page and "75,6% – 81,9%" in page and "82,7%" in page
    assert "niet getoond: te weinig personen" in page  # the suppressed outflow
    assert "volledige telling" in page
    assert "het jaar 2026 en het 3e kwartaal 2026 zijn nog niet compleet" in page
    assert "Gemaakt op 2 oktober 2026, 08:05." in page and "href='index.html'" in page
    assert page.count("<li>“") == 3 and "— Organisatie met een lange naam, 30 september 2026" \
        in page
    assert not re.search(r"<(script|link|img)\b", page) and "http" not in page


def _chromium() -> str | None:
    for exe in (os.environ.get("ZWT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                shutil.which("chromium-browser")):
        if exe and Path(exe).is_file():
            return exe
    return None


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height (points) of each page object of a PDF (``/Type /Page``, not ``/Pages``)."""
    sizes = []
    for m in re.finditer(rb"/Type\s*/Page(?![s\w])", pdf):
        obj = pdf[pdf.rfind(b"obj", 0, m.start()):pdf.find(b"endobj", m.end())]
        box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", obj)
        sizes.append((float(box.group(3)), float(box.group(4))) if box else (0.0, 0.0))
    return sizes


@pytest.mark.browser
@pytest.mark.slow
def test_worst_case_brief_prints_on_one_a4_page(tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("headless Chromium not found: run scripts/ensure_chromium.sh or set "
                    "ZWT_CHROMIUM")
    html = tmp_path / "brief.html"
    html.write_text(brief_html(worst_case(), datetime(2026, 10, 2, 8, 5), "index.html"),
                    encoding="utf-8")
    pdf = tmp_path / "brief.pdf"
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}",
                    html.as_uri()], capture_output=True, timeout=120, check=False)
    assert pdf.is_file(), "Chromium wrote no PDF"
    pages = pdf_pages(pdf.read_bytes())
    assert len(pages) == 1, f"{len(pages)} pages"
    w, h = pages[0]
    assert abs(w - 595.3) < 1.5 and abs(h - 841.9) < 1.5  # A4 in points


def test_zwt_brief_command_writes_the_page(tmp_path, small_indicators):
    out = tmp_path / "brief"
    out.mkdir()
    res = CliRunner().invoke(app, ["brief", "--processed", str(small_indicators.parent),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = (out / "kwartaalbrief.html").read_text()
    assert "Kerncijfers voor de hele gemeente" in page and "Zaanstad" in page  # synthetic city
    res = CliRunner().invoke(app, ["brief", "--processed", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "validation.json" in res.output
