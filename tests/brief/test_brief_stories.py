"""Stories from practice for the brief: newest first, once each, short, up to the as-of date."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from zwt_analysis.brief.stories import Story, recent_stories, shorten


def test_shorten_cuts_at_a_word_and_never_exceeds_the_limit():
    assert shorten("  twee   spaties\n", 40) == "twee spaties"
    text = "De caseload in ons team is zo hoog dat we alleen nog aan wettelijke taken toekomen."
    assert shorten(text, len(text)) == text
    short = shorten(text, 40)
    assert short == "De caseload in ons team is zo hoog dat…" and len(short) <= 40
    assert shorten("eenheelllangwoordzonderspaties", 10) == "eenheelll…"
    assert shorten("a, b", 3) == "a…"  # no trailing comma before the ellipsis


def test_latest_signals_once_each_up_to_the_as_of_date():
    s = pd.DataFrame({
        "date": pd.to_datetime(["2026-01-10", "2026-03-01", "2026-03-01", "2026-02-01",
                                "2026-10-01", None, "2026-02-15"]),
        "organisation": ["DOCK", "SMD", "ALL", "DOCK", "SMD", "DOCK", "SMD"],
        "text": ["oud", "zelfde", "gelijke dag, later in de tabel", "zelfde", "na peildatum",
                 "zonder datum", "  "],
        "theme": ["a", None, "b", "c", "d", "e", "f"]})
    got = recent_stories(s, date(2026, 9, 30), count=3)
    assert got == [Story(date(2026, 3, 1), "Gemeente", "gelijke dag, later in de tabel", "b"),
                   Story(date(2026, 3, 1), "SMD", "zelfde", None),
                   Story(date(2026, 1, 10), "DOCK", "oud", "a")]  # "zelfde" of February dropped
    assert recent_stories(s, date(2026, 9, 30), count=0) == []
    assert recent_stories(s.iloc[0:0], date(2026, 9, 30)) == []


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=2, max_value=200))
def test_shorten_never_exceeds_and_keeps_a_prefix(text, limit):
    out = shorten(text, limit)
    norm = " ".join(text.split())
    assert len(out) <= limit
    if out.endswith("…") and len(norm) > limit:
        assert norm.startswith(out[:-1])
    else:
        assert out == norm
