"""Signals about registration beside the data-quality numbers (hand-built folders).

Cases: Noord and Zuid 10 each in 2024-Q1 and 2024-Q2 (the figure of rows per
quarter shows those two quarters). Signals: three about registration in those
quarters (by theme, by theme in capitals, by the word "export" without a
theme), one in 2023-Q4 (outside the figure) and one on another theme.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from quality_builders import areas_rows, cases_rows, write_processed

from zwt_analysis.reports import context
from zwt_analysis.reports.quality import QualityResult, build, plots
from zwt_analysis.reports.quality import tables as nl
from zwt_analysis.reports.quality.settings import QualitySettings
from zwt_analysis.reports.quality.stories import figure_quarters, registration_signals
from zwt_analysis.signals import EMPTY, MISSING, NO_THEME, NONE, SHOWN, positions

SIGNALS = {
    "date": ["2024-02-01", "2024-05-10", "2024-05-20", "2023-11-01", "2024-03-01"],
    "organisation": ["Noord", "Zuid", "Noord", "Noord", "Zuid"],
    "team": ["T-Noord", None, "T-Noord", None, None],
    "theme": ["registratie", None, "Registratie", "registratie", "werkdruk"],
    "text": ["Registreren kost veel tijd.", "De export uit het nieuwe systeem mist regels.",
             "Nieuw registratiesysteem geeft storingen.", "Te vroeg voor de figuur.",
             "Te veel casussen."],
}
THEMES = ("registratie",)


def _folder(tmp_path: Path, signals: dict | None = SIGNALS) -> Path:
    tables = {"cases": cases_rows({"Noord": 10, "Zuid": 10}, ("2024-01-15", "2024-04-15")),
              "areas": areas_rows(("Noord", "Zuid"))}
    if signals is not None:
        tables["signals"] = signals
    return write_processed(tmp_path / "p", tables, as_of="2024-09-30")


def _build(proc: Path, tmp_path: Path, organisation: str = "ALL") -> QualityResult:
    return build(context.context({"processed_dir": str(proc), "indicators_file": "",
                                  "organisation": organisation,
                                  "output_dir": str(tmp_path / "o")}), {})


def test_figure_quarters_are_those_the_figure_draws():
    counts = pd.DataFrame({
        "table": ["cases", "cases", "time_registrations", "staff", "signals"],
        "organisation": ["A"] * 5,
        "period": ["2024-Q2", "2024-Q1", "2024-Q3", "2024", "2024-Q4"],
        "rows": [np.nan, 10.0, np.nan, 7.0, 3.0]})
    # a hidden count keeps its quarter; a table with every count hidden has no panel;
    # years and tables outside the figure do not count
    assert figure_quarters(counts, ("cases", "time_registrations")) == ["2024-Q1", "2024-Q2"]
    assert figure_quarters(counts.iloc[2:3], ("cases", "time_registrations")) == []


def test_registration_signals_by_theme_and_word_numbered_per_organisation(tmp_path):
    proc = _folder(tmp_path)
    r = _build(proc, tmp_path)
    s = r.signals
    assert s.status == SHOWN and s.quarters == ["2024-Q1", "2024-Q2"]
    assert s.all["nr"].tolist() == [1, 2, 3]
    assert s.all["text"].str[:6].tolist() == ["Regist", "De exp", "Nieuw "]
    assert s.outside == 1  # 1 November 2023 is before the figure's quarters
    ov = s.overview.set_index("theme")
    assert ov["n"].to_dict() == {"registratie": 2, NO_THEME: 1}
    assert ov.loc[NO_THEME, "touches"] == [r.settings.signal_touches]
    noord = _build(proc, tmp_path, "Noord").signals
    assert noord.all["nr"].tolist() == [1, 2] and noord.outside == 1
    assert noord.all["organisation"].eq("Noord").all()
    zuid = _build(proc, tmp_path, "Zuid").signals
    assert zuid.all["text"].tolist() == ["De export uit het nieuwe systeem mist regels."]
    assert zuid.outside == 0


def test_reader_text_list_pointer_overview_and_csv(tmp_path):
    r = _build(_folder(tmp_path), tmp_path)
    text = nl.signal_list_md(r.signals, THEMES)
    lines = text.splitlines()
    assert lines[0] == "**Signalen uit de praktijk over registratie** (nummers in de figuur):"
    assert lines[2] == "1. 1 februari 2024, T-Noord: *Registreren kost veel tijd.*"
    assert lines[3].startswith("2. 10 mei 2024, Zuid: *De export")
    assert lines[-1] == "*1 signaal valt buiten de kwartalen van de figuur.*"
    assert nl.signals_pointer(r.signals, THEMES).startswith(
        "Uit de praktijk kwamen 3 signalen over registratie (het laatste op 20 mei 2024)")
    assert nl.signal_overview_nl(r.signals)["Signalen"].tolist() == [2, 1]
    csv = nl.signals_csv(r.signals)
    assert csv.columns.tolist() == ["figure", "nr", "date", "organisation", "team", "theme",
                                    "text"]
    assert csv["date"].tolist() == ["2024-02-01", "2024-05-10", "2024-05-20"]
    assert nl.signals_note(r.signals, "ALL", THEMES) == ""


def test_latest_listed_and_without_a_figure_every_date():
    table = pd.DataFrame({**SIGNALS, "date": pd.to_datetime(SIGNALS["date"])})
    s = QualitySettings(shown_rows=1, signal_themes=THEMES, signal_words=("registr", "export"),
                        signal_touches="regels")
    got = registration_signals(table, True, "ALL", s, ["2024-Q1", "2024-Q2"])
    assert got.listed["nr"].tolist() == [3] and len(got.all) == 3
    text = nl.signal_list_md(got, THEMES)
    assert "*Nog 2 eerdere signalen staan in de CSV `signalen_bij_figuren.csv`.*" in text
    loose = registration_signals(table, True, "ALL", s, [])
    # no figure: every date is listed (4 signals), no marks promised
    assert len(loose.all) == 4 and loose.outside == 0
    assert nl.signal_list_md(loose, THEMES).startswith(
        "**Signalen uit de praktijk over registratie**:\n")


def test_missing_empty_and_none_say_so_in_one_sentence(tmp_path):
    r = _build(_folder(tmp_path / "a", None), tmp_path)
    assert r.signals.status == MISSING and nl.signal_list_md(r.signals, THEMES) == ""
    assert nl.signals_note(r.signals, "ALL", THEMES).startswith(
        "Er is geen tabel met signalen uit de praktijk aangeleverd")
    empty = _build(_folder(tmp_path / "b", {k: [] for k in SIGNALS}), tmp_path)
    assert empty.signals.status == EMPTY
    assert nl.signals_note(empty.signals, "ALL", THEMES).startswith("De tabel met signalen")
    other = {k: v[4:] for k, v in SIGNALS.items()}  # werkdruk only
    none = _build(_folder(tmp_path / "c", other), tmp_path, "Zuid")
    assert none.signals.status == NONE and nl.signals_pointer(none.signals, THEMES) == ""
    assert nl.signals_note(none.signals, "Zuid", THEMES) == (
        "Er zijn geen signalen uit de praktijk over registratie van Zuid in de kwartalen van "
        "de figuur.")


def test_rows_per_quarter_marks_the_listed_signals(tmp_path):
    r = _build(_folder(tmp_path), tmp_path)
    fig = plots.rows_per_quarter(r.published["regels_per_periode"], sig=r.signals.listed)
    ax = fig.axes[0]
    marks = sorted((t.get_text(), t.xy[0]) for t in ax.texts if t.get_text().isdigit())
    want = positions(r.signals.listed["date"], r.signals.quarters)
    assert [m[0] for m in marks] == ["1", "2", "3"]
    assert [m[1] for m in marks] == pytest.approx(want.tolist())
    # each lies within a year (4 quarters) of the one before: one line higher each (no overlap)
    heights = {t.get_text(): t.xy[1] for t in ax.texts if t.get_text().isdigit()}
    assert [heights[k] for k in "123"] == pytest.approx([0.04, 0.13, 0.22])
    plt.close("all")
