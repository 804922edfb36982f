"""index.html (the guide) and runs.html (the details): Dutch text, answers, links, local time."""

from __future__ import annotations

import re

from zwt_analysis import labels
from zwt_analysis.runner.index import build_index, build_runs_page, index_title, made_text
from zwt_analysis.runner.model import Result

META = {"as_of": "2024-12-31", "synthetic": True, "period": ["2019-01-01", "2024-12-31"],
        "finished": "2025-01-01T09:05:00+00:00", "extra_params": {}, "municipality": "Zaanstad",
        "brief": True, "validation": True}

GUIDE = {"reports": {"a": {"question": "Werkt het & hoe?"}},
         "read_first": [{"name": "brief", "why": "één pagina"},
                        {"name": "b", "why": "de centrale zorg"},
                        {"name": "onbekend", "why": "niet in deze run"}]}

KERNS = {("01_a", "ALL"): ["De gemeente haalt 80% <op tijd>.", "Tweede zin."],
         ("01_a", "SMD"): ["SMD haalt 70%."]}


def _runs() -> list[Result]:
    return [Result("01_a", "Rapport A", "ALL", {"organisation": "ALL"}, "ok", None,
                   "s", "e", 2.0, 1, 0.1, ["report.html", "report_code.html", "t.csv"]),
            Result("01_a", "Rapport A", "DOCK", {"organisation": "DOCK"}, "failed",
                   "ValueError: <kapot>", "s", "e", 1.0, 1, 0.1, ["report_code.html"]),
            Result("01_a", "Rapport A", "SMD", {"organisation": "SMD"}, "ok", None,
                   "s", "e", 1.0, 1, 0.1, ["report.html", "report_code.html"]),
            Result("02_b", "Rapport B", "ALL", {"organisation": "ALL", "n": 7,
                                                "indicators_file": "/x/i.csv"}, "timeout",
                   "cel liep langer dan 3 s", "s", "e", 3.4, 1, 0.0, [])]


def _hrefs(page: str) -> list[str]:
    return re.findall(r"href=['\"]([^'\"#]+)['\"]", page)


def test_title_names_the_municipality_from_the_data_never_a_fixed_one():
    assert index_title("Zaanstad") == "Monitor sociale wijkteams Zaanstad"
    assert index_title("Oss") == "Monitor sociale wijkteams Oss"
    assert index_title(None) == "Monitor sociale wijkteams van de gemeente"
    page = build_index(_runs(), META | {"municipality": "Oss"}, KERNS, GUIDE)
    assert "<h1>Monitor sociale wijkteams Oss</h1>" in page and "Zaanstad" not in page
    unknown = build_index(_runs(), META | {"municipality": None}, KERNS, GUIDE)
    assert "<title>Monitor sociale wijkteams van de gemeente</title>" in unknown
    assert "Zaanstad" not in build_runs_page(_runs(), META | {"municipality": None})


def test_times_are_local_amsterdam_time_winter_and_summer():
    assert made_text("2025-01-01T09:05:00+00:00") == "1 januari 2025, 10:05"  # CET
    assert made_text("2025-07-01T09:05:00+00:00") == "1 juli 2025, 11:05"  # CEST
    assert made_text("2025-03-30T00:59:00+00:00") == "30 maart 2025, 01:59"  # before the switch
    assert made_text("2025-03-30T01:00:00+00:00") == "30 maart 2025, 03:00"  # after it
    assert made_text("2024-12-31T23:30:00") == "1 januari 2025, 00:30"  # no zone = UTC
    page = build_index(_runs(), META, KERNS, GUIDE)
    assert "<b>Gemaakt:</b> 1 januari 2025, 10:05" in page and "UTC" not in page


def test_each_report_shows_its_question_and_the_first_kern_sentence_city_first():
    page = build_index(_runs(), META, KERNS, GUIDE)
    assert "<b>Vraag:</b> Werkt het &amp; hoe?" in page
    city = page.index("De gemeente haalt 80% &lt;op tijd&gt;.")  # escaped, first sentence only
    assert "Tweede zin" not in page
    smd = page.index("SMD haalt 70%.")
    assert page.index(f"<div class='lbl'>{labels.CITY_IN_INDEX}</div>") < city < smd
    assert "<a href='01_a/SMD/report.html'>SMD</a>" in page
    # a failed run says so instead of an answer and is not linked
    dock = page[page.index("<b>DOCK</b>"):]
    assert dock.startswith("<b>DOCK</b>: <span class='failed'>Dit rapport is niet gelukt</span>")
    assert "01_a/DOCK/report.html" not in page
    # a report without a question (not in the guide) and a run that timed out
    cards = page[page.index("<h2>De rapporten</h2>"):]
    b = cards[cards.index("<h3>Rapport B</h3>"):]  # not linked: no reviewer page
    assert "Vraag:" not in b and "<span class='timeout'>Dit rapport is niet gelukt" in b
    assert cards.index("Rapport A") < cards.index("Rapport B")


def test_ok_run_without_kern_points_to_the_report():
    page = build_index(_runs()[:1], META, {}, GUIDE)
    assert "Geen samenvatting gevonden; open het rapport." in page


def test_read_first_lists_the_brief_then_reports_in_the_guides_order():
    page = build_index(_runs(), META, KERNS, GUIDE)
    start = page[page.index("Waar begint u?"):page.index("</section>")]
    assert start.index("kwartaalbrief.html") < start.index("Rapport B")
    assert "<b>Kwartaalbrief</b></a>: één pagina." in start
    assert "de centrale zorg" in start and "niet in deze run" not in start
    no_brief = build_index(_runs(), META | {"brief": False, "brief_error": "KeyError: x"},
                           KERNS, GUIDE)
    assert "kwartaalbrief.html" not in no_brief
    assert "De kwartaalbrief kon niet worden gemaakt" in no_brief and "KeyError: x" in no_brief


def test_index_links_run_details_validation_manifest_and_log_only():
    page = build_index(_runs(), META, KERNS, GUIDE)
    assert set(_hrefs(page)) == {"kwartaalbrief.html", "01_a/ALL/report.html",
                                 "01_a/SMD/report.html", "runs.html", "validatie.html",
                                 "manifest.json", "zwt-report.log"}
    assert "t.csv" not in page and "n=7" not in page  # run details are on runs.html
    assert "2 van de 4 runs zijn niet gelukt:</b> Rapport A (DOCK), Rapport B (" in page
    assert "http" not in page and 'lang="nl"' in page and "SYNTHETISCHE DATA" in page
    no_val = build_index(_runs(), META | {"validation": False}, KERNS, GUIDE)
    assert "validatie.html" not in no_val


def test_disclosure_warning_on_the_index():
    meta = META | {"disclosure": {"mode": "warn", "unprotected": 3}}
    page = build_index(_runs(), meta, KERNS, GUIDE)
    assert "<b>Niet publiceren:</b>" in page and "vond 3 cellen" in page
    ok = build_index(_runs(), META | {"disclosure": {"mode": "fail", "unprotected": 0}},
                     KERNS, GUIDE)
    assert "Niet publiceren" not in ok


def test_runs_page_has_status_links_csvs_parameters_and_durations():
    page = build_runs_page(_runs(), META)
    assert "31 december 2024" in page and "1 januari 2019" in page
    assert "<b>Runs:</b> 4, waarvan 2 gelukt, <span class='failed'>2 mislukt</span>" in page
    assert f"<td>{labels.CITY_IN_INDEX}</td>" in page and "<td>DOCK</td>" in page
    assert "ValueError: &lt;kapot&gt;" in page and "time-out" in page
    assert 'href="01_a/ALL/report.html"' in page and 'href="01_a/ALL/t.csv"' in page
    assert 'href="01_a/DOCK/report.html"' not in page  # not rendered, not linked
    assert 'href="01_a/DOCK/report_code.html"' in page
    assert page.count("<table>") == 2
    assert "<code>n=7</code>" in page and "indicators_file" not in page  # runner's own hidden
    assert "<td>3 s</td>" in page  # whole seconds
    assert "href='index.html'" in page and "http" not in page


def test_runs_page_without_dates_failures_or_synthetic_banner():
    meta = META | {"as_of": None, "period": None, "synthetic": False,
                   "extra_params": {"n": "7"}}
    page = build_runs_page(_runs()[:1], meta)
    assert "<b>Peildatum:</b> onbekend" in page and "Periode in de data" not in page
    assert "SYNTHETISCHE DATA" not in page and "mislukt" not in page
    assert "<b>Runs:</b> 1, waarvan 1 gelukt</p>" in page
    assert "<b>Extra parameters:</b> <code>n=7</code>" in page
