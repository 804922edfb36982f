"""Tests of the presentation helpers (Dutch formats, style, axes, tables, page pieces).

The unit tests use a tiny hand-built processed folder. The slow tests execute
every notebook in ``notebooks/`` (discovered, so new ones are included) under
papermill on the small synthetic data set.
"""

from __future__ import annotations

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given

from zwt_analysis import config
from zwt_analysis.present import axes, fmt, page, style, tables


def test_nl_number_and_percent():
    assert fmt.nl_number(1234567.891, 2) == "1.234.567,89"
    assert fmt.nl_number(0.5) == "0"  # banker's rounding is not used: 0.5 -> "0" (format)
    assert fmt.nl_number(12) == "12"
    assert fmt.nl_number(-1234.5, 1) == "-1.234,5"
    assert fmt.nl_number(float("nan")) == ""
    assert fmt.nl_number(pd.NA) == ""
    assert fmt.nl_percent(0.1234) == "12,3%"
    assert fmt.nl_percent(1.0, 0) == "100%"
    assert fmt.nl_percent(None) == ""


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 4))
def test_nl_number_reads_back(x, decimals):
    text = fmt.nl_number(x, decimals)
    back = float(text.replace(".", "").replace(",", "."))
    assert back == pytest.approx(float(f"{x:.{decimals}f}"), abs=10 ** -decimals)
    assert text.count(",") == (1 if decimals else 0)


def test_nl_date():
    from datetime import date

    assert fmt.nl_date(date(2026, 9, 30)) == "30 september 2026"
    assert fmt.nl_date(date(2024, 3, 1)) == "1 maart 2024"


def test_dutch_axis_formats_ticks():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_yticks([0, 0.25, 0.5])
    axes.dutch_axis(ax, "y", percent=True)
    ax.set_xticks([0, 1000, 2000])
    axes.dutch_axis(ax, "x")
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0%", "25%", "50%"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1.000", "2.000"]
    ax.set_yticks([0, 0.025, 0.05])
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0,0%", "2,5%", "5,0%"]
    plt.close(fig)


# ----------------------------------------------------------------- context


def test_style_applies_on_later_matplotlib_import():
    """Without matplotlib loaded, start-up does not import it; the style comes with it later."""
    import subprocess
    import sys

    code = ("import sys; from zwt_analysis.present import style; style.set_style(); "
            "assert 'matplotlib' not in sys.modules; import matplotlib as m; "
            "print(m.rcParams['axes.spines.top'], list(m.rcParams['figure.figsize']), "
            "m.rcParams['axes.prop_cycle'].by_key()['color'][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=config.PROJECT_ROOT / "notebooks")
    assert out.stdout.split() == ["False", "[8.0,", "4.5]", "#0173b2"]


def test_style_updates_loaded_matplotlib(monkeypatch):
    import matplotlib

    with matplotlib.rc_context():
        matplotlib.rcParams["axes.grid"] = False
        monkeypatch.delenv("MATPLOTLIBRC", raising=False)
        style.set_style()
        pd.reset_option("display.float_format")
        assert matplotlib.rcParams["axes.grid"] is True
        assert matplotlib.rcParams["figure.figsize"] == [8.0, 4.5]
    for key, value in style.style_rc().items():  # every key valid for matplotlib
        matplotlib.rcParams.validate[key](value)


def test_publishable_and_show_format_dutch_with_suppression(monkeypatch):
    import IPython.display

    shown_html: list[str] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown_html.append(obj.data))
    df = pd.DataFrame({"team": ["A", "B", "C"], "rijen": [3, 12, 4000],
                       "aandeel": [0.5, 0.25, 0.1234], "uren": [1.5, 2.25, 1234.5]})
    pub = tables.publishable(df, ["rijen"], derived_columns=["aandeel"])
    assert pub["rijen"].tolist() == ["<5", "x", 4000]  # B goes with A (secondary: x)
    assert pub["aandeel"].tolist()[2] == pytest.approx(0.1234)
    tables.show(pub, percent=["aandeel"], caption="Proef")
    page = shown_html[0]
    assert page.count("&lt;5") == 1 and page.count(">x<") == 3
    assert "4.000" in page and "12,3%" in page and "1.234,5" in page and "Proef" in page
    tables.show(df, max_rows=2)
    assert "1 van de 3 regels niet getoond" in shown_html[-1]


def test_header_html_escapes_parameter_values():
    from datetime import date

    text = page.header_html("T", {"x": "<script>"}, date(2024, 1, 1), "ALL", False)
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_set_style_twice_installs_one_pandas_hook():
    import subprocess
    import sys

    code = ("import sys; from zwt_analysis.present import style; style.set_style(); "
            "style.set_style(); "
            "print(sum(isinstance(f, style._PandasOptionsOnImport) for f in sys.meta_path)); "
            "import pandas; "
            "print(sum(isinstance(f, style._PandasOptionsOnImport) for f in sys.meta_path))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["1", "0"]


def test_missing_values_without_pandas_loaded():
    """The formatters recognise missing values whether or not pandas is loaded."""
    import subprocess
    import sys

    code = ("import sys; from zwt_analysis.present import fmt as n; "
            "print(repr(n.nl_number(None)), repr(n.nl_percent(float('nan'))), "
            "repr(n.nl_pvalue(0.0004)), repr(n.nl_number(2.5, 1)), 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["''", "''", "'<", "0,001'", "'2,5'", "False"]


# ----------------------------------------------------------------- every notebook



def test_header_hides_local_paths_and_empty_values_and_starts_closed():
    from datetime import date

    text = page.header_html("T", {"processed_dir": "/home/someone/data/processed/current",
                                  "indicators_file": "", "outflow_rate": None, "runs": 500,
                                  "scenario": "baseline"}, date(2026, 9, 30), "ALL", False)
    assert "/home/someone" not in text and "current" in text
    assert "indicators_file" not in text and "outflow_rate" not in text and "None" not in text
    assert "<details open" not in text and "<details" in text
    assert "30 september 2026" in text and "de hele gemeente" in text


def test_kern_section_escapes_and_lists_sentences():
    text = page.kern_html(["Eén <b>", "Twee"])
    assert text.count("<li>") == 2 and "&lt;b&gt;" in text and ">Kern</h2>" in text
