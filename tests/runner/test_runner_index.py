"""index.html: Dutch text, grouping, links only to what was written, escaping."""

from __future__ import annotations

from zwt_analysis import labels
from zwt_analysis.runner.index import build_index
from zwt_analysis.runner.model import Result

META = {"as_of": "2024-12-31", "synthetic": True, "period": ["2019-01-01", "2024-12-31"],
        "finished": "2025-01-01T09:05:00+00:00", "extra_params": {}}


def _runs() -> list[Result]:
    return [Result("01_a", "Rapport A", "ALL", {"organisation": "ALL"}, "ok", None,
                   "s", "e", 2.0, 1, 0.1, ["report.html", "report_code.html", "t.csv"]),
            Result("01_a", "Rapport A", "DOCK", {"organisation": "DOCK"}, "failed",
                   "ValueError: <kapot>", "s", "e", 1.0, 1, 0.1, ["report_code.html"]),
            Result("02_b", "Rapport B", "ALL", {"organisation": "ALL", "n": 7,
                                                "indicators_file": "/x/i.csv"}, "timeout",
                   "cel liep langer dan 3 s", "s", "e", 3.4, 1, 0.0, [])]


def test_index_groups_reports_and_marks_failures():
    page = build_index(_runs(), META)
    assert 'lang="nl"' in page and "SYNTHETISCHE DATA" in page
    assert "31 december 2024" in page and "1 januari 2019" in page
    assert "<b>Gemaakt:</b> 1 januari 2025, 09:05 UTC" in page
    assert "<b>Runs:</b> 3, waarvan 1 gelukt, <span class='failed'>2 mislukt</span>" in page
    assert f"<td>{labels.CITY_IN_INDEX}</td>" in page and "<td>DOCK</td>" in page
    assert "ValueError: &lt;kapot&gt;" in page and "time-out" in page
    assert 'href="01_a/ALL/report.html"' in page and 'href="01_a/ALL/t.csv"' in page
    assert 'href="01_a/DOCK/report.html"' not in page  # not rendered, not linked
    assert 'href="01_a/DOCK/report_code.html"' in page
    assert page.index("Rapport A") < page.index("Rapport B")
    assert page.count("<table>") == 2
    assert "<code>n=7</code>" in page and "indicators_file" not in page  # runner's own hidden
    assert "<td>3 s</td>" in page  # whole seconds
    assert "http" not in page


def test_index_without_dates_failures_or_synthetic_banner():
    meta = META | {"as_of": None, "period": None, "synthetic": False,
                   "extra_params": {"n": "7"}}
    page = build_index(_runs()[:1], meta)
    assert "<b>Peildatum:</b> onbekend" in page and "Periode in de data" not in page
    assert "SYNTHETISCHE DATA" not in page and "mislukt" not in page
    assert "<b>Runs:</b> 1, waarvan 1 gelukt</p>" in page
    assert "<b>Extra parameters:</b> <code>n=7</code>" in page
    assert "href='manifest.json'" in page and "href='zwt-report.log'" in page
