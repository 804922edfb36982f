"""Text alternatives for figures (present/figures.py) on hand-drawn figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from zwt_analysis.present import figures  # noqa: E402
from zwt_analysis.present.axes import dutch_axis  # noqa: E402


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


def _drawn(fig):
    fig.canvas.draw()
    return fig


def test_bar_chart_with_percent_axis_names_kind_axes_range_and_series():
    fig, ax = plt.subplots()
    ax.bar(["2024", "2025", "2026"], [0.10, 0.20, 0.30], label="DOCK")
    ax.set_title("Op tijd")
    ax.set_xlabel("Jaar")
    ax.set_ylabel("Aandeel op tijd")
    ax.legend()
    dutch_axis(ax, percent=True)
    text = figures.alt_text(_drawn(fig))
    assert text == ("Figuur: 'Op tijd': staafdiagram; horizontaal 'Jaar' (2024 tot 2026); "
                    "verticaal 'Aandeel op tijd'; waarden van 10% tot 30%; reeksen: DOCK.")


def test_dots_per_wijk_read_values_along_the_horizontal_axis():
    fig, ax = plt.subplots()
    ax.scatter([0.5, 1.5, 2.25], ["Zaandam-Noord", "Wormerveer", "Krommenie"])
    ax.set_xlabel("waargenomen / verwacht")
    ax.set_xlim(0.2, 2.5)
    text = figures.alt_text(_drawn(fig))
    # ticks outside the view (0,0 lies left of 0,2) are not named
    assert "horizontaal 'waargenomen / verwacht' (0,5 tot 2,5); verticaal: Zaandam-Noord tot Krommenie;" in text
    assert "waarden van 0,50 tot 2,2" in text  # 2 significant digits without a Dutch axis
    assert "waardenas begint niet bij nul" in text


def test_line_chart_ignores_reference_lines_and_marks_a_cut_axis():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2, 3], [40.0, 42.0, 45.0, 41.0])
    ax.axhline(50.0)  # a norm line is not data
    ax.set_ylim(35, 55)
    text = figures.alt_text(_drawn(fig))
    assert "lijndiagram" in text and "waarden van 40 tot 45" in text
    assert "waardenas begint niet bij nul" in text


def test_own_sentence_first_and_none_passes_through():
    assert figures.describe(None, "x") is None
    fig, ax = plt.subplots()
    ax.plot([1, 2], [0.0, 1.0])
    assert figures.describe(fig, "  Het bereik  stijgt. ") is fig
    assert figures.alt_text(_drawn(fig)).startswith("Het bereik stijgt. Figuur: lijndiagram")


def test_many_panels_are_counted_and_a_source_line_is_read():
    fig, axes = plt.subplots(2, 4)
    for i, ax in enumerate(axes.flat):
        ax.plot([0, 1], [i, i + 1])
        ax.set_title(f"Team {i + 1}")
    axes.flat[-1].set_visible(False)
    fig.suptitle("Caseload per team")
    fig.text(0, 0, "Bron: eigen registratie")
    text = figures.alt_text(_drawn(fig))
    assert text.startswith("Figuur met 7 panelen, 'Caseload per team': paneel 1 'Team 1': ")
    assert "paneel 6 'Team 6'" in text and "paneel 7" not in text
    assert text.endswith("en nog 1 panelen van dezelfde soort. Bron: eigen registratie.")


def test_text_is_capped():
    fig, ax = plt.subplots()
    for i in range(30):
        ax.plot([0, 1], [i, i + 1], label=f"een heel lange reeksnaam nummer {i}")
    ax.legend()
    ax.set_title("x" * 1200)
    text = figures.alt_text(_drawn(fig))
    assert len(text) == figures.MAX_CHARS and text.endswith("…")


class _Formatter:
    def __init__(self):
        self.calls = 0

    def format(self, obj, include=None, exclude=None):
        self.calls += 1
        return {"image/png": b"png", "text/plain": "<Figure>"}, {}


class _Shell:
    def __init__(self):
        self.display_formatter = _Formatter()


def test_install_adds_alt_to_figures_only_and_only_once():
    shell = _Shell()
    assert figures.install_alt_text(shell) and figures.install_alt_text(shell)
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    _drawn(fig)
    data, meta = shell.display_formatter.format(fig)
    assert meta["image/png"]["alt"].startswith("Figuur: staafdiagram")
    assert shell.display_formatter.calls == 1  # wrapped once, not twice
    _, meta = shell.display_formatter.format("not a figure")
    assert meta == {}
    assert not figures.is_figure("x") and figures.is_figure(fig)


def test_install_outside_ipython_is_a_no_op():
    assert figures.install_alt_text() is False


def test_timeline_of_themes_gives_no_values_and_areas_are_named():
    import pandas as pd

    fig, (a, b, c) = plt.subplots(1, 3)
    a.scatter(pd.to_datetime(["2024-01-01", "2025-06-01"]), ["werkdruk", "toegang"])
    b.stackplot([0, 1, 2], [1, 2, 3], [2, 2, 2])
    c.plot([0, 1, 2], [0.2, 0.3, 0.4])
    c.fill_between([0, 1, 2], [0.1, 0.2, 0.3], [0.3, 0.4, 0.5])
    text = figures.alt_text(_drawn(fig))
    first, second, third = text.split("; paneel ")
    assert "spreidingsdiagram" in first and "waarden" not in first
    assert second.startswith("2 vlakdiagram")
    assert third.startswith("3 lijndiagram met band") and "waarden van 0,20 tot 0,40" in third


def test_log_axis_ticks_are_written_as_dutch_numbers():
    fig, ax = plt.subplots()
    ax.barh(["goed", "quarantaine"], [53292.0, 8.0])
    ax.set_xscale("log")
    ax.set_xlim(0.1, 1e5)
    text = figures.alt_text(_drawn(fig))
    assert "horizontaal: 0,1 tot 100.000" in text and "mathdefault" not in text
    assert "waarden van 8,0 tot 53.292" in text
