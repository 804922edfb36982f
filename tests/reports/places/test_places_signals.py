"""Signals from practice beside the places figures: per wijk, per year, per theme (hand-built)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from places_builders import write_table

from zwt_analysis.contract import ALL
from zwt_analysis.reports import context
from zwt_analysis.reports.places import plots, stories, tables
from zwt_analysis.reports.places.build import build
from zwt_analysis.signals import EMPTY, MISSING, NONE, SHOWN

SETTINGS = {"reach": {"themes": ["toegang", "samenwerking", "preventie"], "touches": "bereik"},
            "cost_gap": {"themes": ["financiering"], "touches": "koopkracht"},
            "years_before": 1, "max_listed": 15}


def _areas() -> pd.DataFrame:
    """Team T1 of O1 holds W1 and W2; team T2 of O2 holds W3."""
    return pd.DataFrame({"area_code": ["W1", "W2", "W3"], "organisation": ["O1", "O1", "O2"],
                         "team": ["T1", "T1", "T2"]})


def _signals(rows: list[tuple]) -> pd.DataFrame:
    """Signals from (date, organisation, team, area_code, theme, text) rows."""
    df = pd.DataFrame(rows, columns=["date", "organisation", "team", "area_code", "theme", "text"])
    return df.assign(date=pd.to_datetime(df["date"]), kpi_id=pd.NA).astype(
        {"organisation": "string", "team": "string", "area_code": "string", "theme": "string",
         "text": "string"})


#: Reference year 2024, as of 30 June 2025: the reach window is 1 January 2023 .. 30 June 2025.
ROWS = [
    ("2022-12-31", "O1", "T1", None, "toegang", "een dag te vroeg"),
    ("2023-01-01", "O1", "T1", None, "toegang", "eerste dag van het venster"),
    ("2024-05-01", "O2", None, "W3", "Samenwerking ", "overleg in W3"),
    ("2024-06-01", "O2", None, None, "preventie", "zonder wijk of team"),
    ("2025-07-01", "O1", "T1", None, "toegang", "na de peildatum"),
    ("2024-02-10", "O1", "T1", None, "financiering", "cao duurder dan indexatie"),
    ("2021-03-01", "O2", None, None, "financiering", "buiten de jaren van de figuur"),
    ("2024-03-01", "O1", "T1", "W1", "werkdruk", "thema bij geen figuur"),
]


def _place(table: pd.DataFrame | None, organisation: str = ALL, delivered: bool = True,
           settings: dict | None = None) -> stories.PlaceSignals:
    return stories.place_signals(table, delivered, _areas(), organisation,
                                 settings or SETTINGS, 2024, ["W3", "W1", "W2"], [2023, 2024],
                                 date(2025, 6, 30))


# ------------------------------------------------------------------ selection


def test_a_signal_belongs_to_its_wijk_or_to_the_wijken_of_its_team():
    sig = _signals([
        ("2024-01-01", "O2", None, "W3", "toegang", "names W3"),
        ("2024-01-01", "O1", "T1", None, "toegang", "team T1"),
        ("2024-01-01", "O1", "T1", "W9", "toegang", "a wijk not on the figure"),
        ("2024-01-01", "O1", None, None, "toegang", "neither"),
        ("2024-01-01", "O2", "T1", None, "toegang", "T1 is not a team of O2"),
    ])
    got = stories.wijken_of(sig, _areas(), ["W3", "W2", "W1"])
    # the team's wijken in the figure's order; a named wijk wins over the team
    assert got.tolist() == [("W3",), ("W2", "W1"), (), (), ()]
    assert stories.wijken_of(sig, _areas(), ["W3"]).tolist() == [("W3",), (), (), (), ()]


def test_reach_signals_of_the_window_numbered_in_date_order():
    s = _place(_signals(ROWS))
    assert s.status == SHOWN and s.start == date(2023, 1, 1)
    # 31 December 2022 and 1 July 2025 fall outside; werkdruk is on no figure
    assert s.reach["nr"].tolist() == [1, 2]
    assert s.reach["text"].tolist() == ["eerste dag van het venster", "overleg in W3"]
    assert s.reach["wijken"].tolist() == [("W1", "W2"), ("W3",)]
    assert s.without_wijk == 1  # the preventie signal without wijk or team
    # the cost gap shows 2023-2024: the 2021 signal is outside
    assert s.cost_gap["text"].tolist() == ["cao duurder dan indexatie"]
    assert s.cost_gap["nr"].tolist() == [1]


def test_an_organisation_sees_only_its_own_signals():
    o1, o2 = _place(_signals(ROWS), "O1"), _place(_signals(ROWS), "O2")
    assert o1.reach["text"].tolist() == ["eerste dag van het venster"]
    assert o1.reach["nr"].tolist() == [1] and o1.without_wijk == 0
    assert len(o1.cost_gap) == 1
    assert o2.reach["text"].tolist() == ["overleg in W3"] and o2.without_wijk == 1
    assert o2.cost_gap.empty
    assert set(o2.overview["theme"]) == {"samenwerking", "preventie"}


def test_overview_counts_per_theme_and_names_the_figure_it_touches():
    ov = _place(_signals(ROWS)).overview.set_index("theme")
    # the case and spaces of "Samenwerking " do not make a theme of their own
    assert sorted(ov.index) == ["financiering", "preventie", "samenwerking", "toegang"]
    assert ov["n"].tolist() == [1, 1, 1, 1]
    assert ov.loc["toegang", "touches"] == ["bereik"]
    assert ov.loc["financiering", "touches"] == ["koopkracht"]
    assert ov.loc["preventie", "by_organisation"] == {"O2": 1}  # counted, though without wijk


def test_missing_empty_and_no_matching_signals():
    assert _place(None, delivered=False).status == MISSING
    assert _place(_signals([]), delivered=True).status == EMPTY
    other = _place(_signals([("2024-03-01", "O1", "T1", "W1", "werkdruk", "x")]))
    assert other.status == NONE and other.reach.empty and other.overview.empty
    # no reach figure and no cost gap: nothing to stand beside
    none = stories.place_signals(_signals(ROWS), True, _areas(), ALL, SETTINGS, None, [], [],
                                 date(2025, 6, 30))
    assert none.status == NONE and none.start is None


def test_only_the_latest_are_listed_numbers_kept():
    rows = [(f"2024-0{m}-01", "O1", "T1", None, "toegang", f"s{m}") for m in (1, 2, 3)]
    s = _place(_signals(rows), settings={**SETTINGS, "max_listed": 2})
    assert s.reach["nr"].tolist() == [1, 2, 3]
    assert s.listed("reach")["nr"].tolist() == [2, 3]


# ------------------------------------------------------------------ build, text, figures


def _ctx(proc: Path, tmp_path: Path, organisation: str = ALL) -> context.ReportContext:
    return context.context({"processed_dir": str(proc), "output_dir": str(tmp_path / "o"),
                            "organisation": organisation})


def _proc_signals(proc: Path, rows: list[tuple]) -> None:
    cols = ["date", "organisation", "team", "area_code", "theme", "text"]
    write_table(proc, "signals", {c: [r[i] for r in rows] for i, c in enumerate(cols)})


#: As of 30 June 2025 (reference year 2024): DOCK's team D1 holds Poelenburg (WK047912).
PROC_ROWS = [
    ("2023-03-01", "DOCK", "D1", None, "toegang", "Inwoners vinden het team via school."),
    ("2024-09-01", "DOCK", "D1", None, "samenwerking", "Overleg met huisartsen."),
    ("2024-10-01", "SMD", None, "WK047913", "preventie", "Inloop trekt bezoekers."),
    ("2022-06-01", "DOCK", "D1", None, "toegang", "Te vroeg voor de figuur."),
    ("2024-01-20", "SMD", None, None, "financiering", "De cao stijgt harder."),
]


def test_build_places_signals_beside_reach_and_cost_gap(proc: Path, tmp_path: Path):
    _proc_signals(proc, PROC_ROWS)
    r = build(_ctx(proc, tmp_path), {})
    assert r.signals.status == SHOWN and r.signals.start == date(2023, 1, 1)
    assert r.signals.reach["text"].str[:5].tolist() == ["Inwon", "Overl", "Inloo"]
    text = tables.reach_signal_list(r)
    assert text.startswith("**Signalen uit de praktijk per wijk** (toegang, samenwerking en "
                           "preventie; van 1 januari 2023 tot de peildatum;")
    # per wijk in the order of the figure's table; numbers as bullets (not renumbered)
    assert "*Poelenburg*\n\n- **1.** 1 maart 2023, D1: *Inwoners vinden het team via school.*\n"\
           "- **2.** 1 september 2024, D1: *Overleg met huisartsen.*" in text
    assert "*Pelders- en Hoornseveld*\n\n- **3.** 1 oktober 2024, SMD: *Inloop" in text
    assert tables.cost_gap_signal_list(r).splitlines()[2] == \
        "1. 20 januari 2024, SMD: *De cao stijgt harder.*"
    ov = tables.signal_overview(r)
    assert ov.columns.tolist() == ["Thema", "Signalen", "Per organisatie", "Periode",
                                   "Raakt aan", "Recentste signaal"]
    assert ov.set_index("Thema").loc["toegang", "Raakt aan"] == "bereik per wijk (reach_per_1000)"
    csv = tables.signals_csv(r)
    assert csv[["figure", "nr"]].values.tolist() == [
        ["bereik per wijk", 1], ["bereik per wijk", 2], ["bereik per wijk", 3],
        ["cao-lonen en indexatie", 1]]
    assert csv["wijken"].iloc[0] == "Poelenburg" and tables.signals_note(r) == ""
    dock = build(_ctx(proc, tmp_path, "DOCK"), {})
    assert dock.signals.reach["organisation"].eq("DOCK").all() and len(dock.signals.reach) == 2
    assert dock.signals.cost_gap.empty  # the financing signal is SMD's


def test_reach_figure_carries_numbers_right_of_the_rows(proc: Path, tmp_path: Path):
    _proc_signals(proc, PROC_ROWS)
    r = build(_ctx(proc, tmp_path), {})
    fig = plots.plot_reach(r)
    ax = fig.axes[0]
    marks = [t for t in ax.texts if t.get_text().isdigit()]
    rows = dict(zip(r.reach.table["area_code"], range(len(r.reach.table)), strict=True))
    got = sorted((t.get_text(), t.xy[1], t.xyann) for t in marks)
    # two numbers on Poelenburg's row side by side (18 points apart), one on the other row
    assert got == [("1", rows["WK047912"], (10, 0)), ("2", rows["WK047912"], (28, 0)),
                   ("3", rows["WK047913"], (10, 0))]
    gap = plots.plot_cost_gap(r)
    labels = [t for t in gap.axes[1].texts if t.get_text().isdigit()]
    # 20 January 2024 on the 2023..2024 axis: 2024 drawn at 1, its 1 January at 0.5
    assert [t.get_text() for t in labels] == ["1"]
    assert labels[0].xy[0] == pytest.approx(0.5 + 19 / 366)
    assert not [t for t in gap.axes[0].texts if t.get_text().isdigit()]  # bars stay clear
    plt.close("all")


def test_settings_cap_the_list_and_say_where_the_rest_is(proc: Path, tmp_path: Path):
    _proc_signals(proc, PROC_ROWS)
    own = tmp_path / "places.yaml"
    own.write_text("signals:\n  max_listed: 1\n", encoding="utf-8")
    r = build(_ctx(proc, tmp_path), {"settings_file": str(own)})
    text = tables.reach_signal_list(r)
    assert "**3.**" in text and "**1.**" not in text and "**2.**" not in text
    assert text.endswith("*Nog 2 eerdere signalen staan in de CSV `signalen_bij_figuren.csv`.*")
    assert len(tables.signals_csv(r)) == 4  # the CSV keeps every one


def test_report_says_so_without_signals(proc: Path, tmp_path: Path):
    r = build(_ctx(proc, tmp_path), {})
    assert r.signals.status == MISSING and r.signals.overview.empty
    assert tables.signals_note(r).startswith("Er is geen tabel met signalen uit de praktijk")
    assert tables.reach_signal_list(r) == "" and tables.cost_gap_signal_list(r) == ""
    assert tables.signals_csv(r).empty
    _ = plots.plot_reach(r)  # draws without marks
    plt.close("all")
    _proc_signals(proc, [])
    assert tables.signals_note(build(_ctx(proc, tmp_path), {})).startswith(
        "De tabel met signalen uit de praktijk is leeg")
    _proc_signals(proc, [("2024-03-01", "DOCK", "D1", None, "werkdruk", "x")])
    note = tables.signals_note(build(_ctx(proc, tmp_path, "DOCK"), {}))
    assert note == ("Er zijn geen signalen uit de praktijk van DOCK over de thema's bij de "
                    "figuren van dit rapport in de getoonde periode.")


def test_row_marks_cap_the_circles_per_row_and_count_the_rest():
    from zwt_analysis.present.signals import row_marks

    fig, ax = plt.subplots()
    row_marks(ax, [0.0, 1.0], [[1, 2, 3, 4, 5, 6, 7], []], max_per_row=5)
    texts = [(t.get_text(), t.xyann) for t in ax.texts]
    assert [t for t, _ in texts] == ["1", "2", "3", "4", "5", "+2"]  # the empty row: nothing
    assert [x for _, (x, _y) in texts] == [10, 28, 46, 64, 82, 100]  # 18 points apart
    plt.close(fig)
