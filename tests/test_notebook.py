"""Tests of the report context and presentation helpers and of every notebook.

The unit tests use a tiny hand-built processed folder. The slow tests execute
every notebook in ``notebooks/`` (discovered, so new ones are included) under
papermill on the small synthetic data set.
"""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given

from zwt_analysis import config, processed
from zwt_analysis.contract import INDICATOR_COLUMNS, TABLES
from zwt_analysis.present import axes, fmt, page, style, tables
from zwt_analysis.reports import context

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.py"))


def _write_processed(path: Path, synthetic: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    areas = pd.DataFrame({"area_code": ["WK1", "WK2", "WK3"], "area_name": ["A", "B", "C"],
                          "organisation": ["DOCK", "SMD", "DOCK"], "team": ["T1", "T2", "T3"],
                          "pact": [True, False, False], "population": [1000, 2000, 3000]})
    processed.coerce_types("areas", areas).to_parquet(path / "areas.parquet")
    meta = {"as_of": "2026-09-30", "synthetic": synthetic, "missing_tables": [],
            "areas": {"rows_in": 3, "rows_clean": 3, "rows_quarantined": 0}}
    (path / "validation.json").write_text(json.dumps(meta), encoding="utf-8")
    if synthetic:
        (path / config.SYNTHETIC_MARKER).write_text("synthetic\n", encoding="utf-8")
    return path


@pytest.fixture()
def proc(tmp_path: Path) -> Path:
    return _write_processed(tmp_path / "processed")


@pytest.fixture()
def shown(monkeypatch: pytest.MonkeyPatch):
    out: list[str] = []
    monkeypatch.setattr(page, "_display_html", out.append)
    monkeypatch.delenv("MATPLOTLIBRC", raising=False)  # start() may set it: restored after
    yield out
    pd.reset_option("display.float_format")


def _params(proc: Path, **kw) -> dict:
    base = {"processed_dir": str(proc), "indicators_file": "", "organisation": "ALL",
            "output_dir": ""}
    return base | kw


# ----------------------------------------------------------------- formatting

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

def test_start_shows_banner_title_params_and_as_of(proc, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ctx = context.start("Datakwaliteit <test>", _params(proc, organisation="DOCK", extra=3))
    assert ctx.processed_dir == proc.resolve()
    assert ctx.organisation == "DOCK"
    assert str(ctx.as_of) == "2026-09-30"
    assert ctx.synthetic is True
    assert ctx.output_dir == tmp_path.resolve()  # "" -> current folder
    page = shown[0]
    assert "SYNTHETISCHE DATA — geen echte cijfers" in page
    assert "position: sticky; top: 0" in page
    assert "Datakwaliteit &lt;test&gt;" in page  # escaped
    assert "30 september 2026" in page and "DOCK" in page
    assert "<code>extra</code>" in page and "<code>3</code>" in page
    assert pd.get_option("display.float_format")(1234.5) == "1.234,50"  # Dutch tables


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


def test_start_without_synthetic_data_has_no_banner(tmp_path, shown):
    proc = _write_processed(tmp_path / "real", synthetic=False)
    ctx = context.start("Titel", _params(proc, output_dir=str(tmp_path / "out")))
    assert ctx.synthetic is False
    assert "SYNTHETISCHE" not in shown[0]
    assert "hele gemeente" in shown[0]
    assert (tmp_path / "out").is_dir()


def test_context_defaults_to_project_processed(proc, monkeypatch, tmp_path):
    monkeypatch.setattr(config, "CURRENT_PROCESSED_DIR", proc)
    monkeypatch.chdir(tmp_path)
    ctx = context.context(_params(proc, processed_dir=""))
    assert ctx.processed_dir == proc.resolve()


def test_context_missing_processed_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="processed folder not found"):
        context.context(_params(tmp_path / "absent"))


def test_table_is_cached_and_absent_tables_are_empty(proc, tmp_path):
    ctx = context.context(_params(proc, output_dir=str(tmp_path)))
    first = ctx.table("areas")
    assert ctx.table("areas") is first
    assert len(first) == 3
    cases = ctx.table("cases")
    assert cases.empty and list(cases.columns) == TABLES["cases"].column_names


def test_filter_org(proc, tmp_path):
    ctx = context.context(_params(proc, organisation="DOCK", output_dir=str(tmp_path)))
    assert ctx.filter_org(ctx.table("areas"))["area_code"].tolist() == ["WK1", "WK3"]
    no_org = pd.DataFrame({"kpi_id": ["K1"]})
    assert ctx.filter_org(no_org) is no_org
    city = context.context(_params(proc, output_dir=str(tmp_path)))
    assert len(city.filter_org(city.table("areas"))) == 3


def _indicator_csv(path: Path) -> Path:
    pd.DataFrame({"indicator_id": ["reach_per_1000"], "period": ["2024"], "organisation": ["ALL"],
                  "team": ["ALL"], "numerator": [10.0], "denominator": [3.0],
                  "value": [10 / 3]}).to_csv(path, index=False)
    return path


def test_indicators_from_explicit_file_keep_period_as_text(proc, tmp_path):
    f = _indicator_csv(tmp_path / "ind.csv")
    ctx = context.context(_params(proc, indicators_file=str(f), output_dir=str(tmp_path)))
    df = ctx.indicators()
    assert list(df.columns) == list(INDICATOR_COLUMNS)
    assert df.loc[0, "period"] == "2024" and df["period"].dtype == "string"
    assert ctx.indicators() is df  # cached


def test_indicators_from_processed_folder_or_missing_file(proc, tmp_path):
    _indicator_csv(proc / "indicators.csv")
    ctx = context.context(_params(proc, output_dir=str(tmp_path)))
    assert ctx.indicators()["value"].iloc[0] == pytest.approx(10 / 3)
    bad = context.context(_params(proc, indicators_file=str(tmp_path / "nope.csv"),
                                   output_dir=str(tmp_path)))
    with pytest.raises(FileNotFoundError):
        bad.indicators()


def test_indicators_computed_when_no_file(proc, tmp_path, monkeypatch):
    from zwt_analysis import indicators

    calls = []

    def fake(processed_dir):
        calls.append(processed_dir)
        return pd.DataFrame({c: ["x"] if c in ("indicator_id", "period", "organisation", "team")
                             else [1.0] for c in INDICATOR_COLUMNS})

    monkeypatch.setattr(indicators, "compute_from_processed", fake)
    ctx = context.context(_params(proc, output_dir=str(tmp_path)))
    ctx.indicators()
    ctx.indicators()
    assert calls == [proc.resolve()]  # computed once


def test_save_table_suppresses_person_counts(proc, tmp_path):
    ctx = context.context(_params(proc, output_dir=str(tmp_path / "out")))
    df = pd.DataFrame({"team": ["A", "B", "C"], "persons": [3, 12, 40], "share": [0.5, 0.25, 0.1]})
    path = ctx.save_table(df, "tabel", person_count_columns=("persons",),
                          derived_columns=("share",))
    assert path == tmp_path / "out" / "tabel.csv"
    assert 'href="tabel.csv"' in path._repr_html_()
    got = pd.read_csv(path, dtype=str, keep_default_na=False)
    # A is under 5; B is the next-smallest and goes with it (else A = total - B - C),
    # shown as x: B is not under 5 (zwt_analysis.disclosure)
    assert got["persons"].tolist() == ["<5", "x", "40"]
    assert got["share"].tolist()[:2] == ["x", "x"]
    plain = ctx.save_table(df, "ruw")
    assert pd.read_csv(plain)["persons"].tolist() == [3, 12, 40]


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


def test_save_table_rejects_bad_names_and_columns(proc, tmp_path):
    ctx = context.context(_params(proc, output_dir=str(tmp_path)))
    df = pd.DataFrame({"n": [1]})
    for name in ("", "../x", "a/b", ".hidden"):
        with pytest.raises(ValueError):
            ctx.save_table(df, name)
    with pytest.raises(ValueError, match="not in table"):
        ctx.save_table(df, "t", person_count_columns=("persons",))


def test_header_html_escapes_parameter_values():
    from datetime import date

    text = page.header_html("T", {"x": "<script>"}, date(2024, 1, 1), "ALL", False)
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_notebook_module_imports_lean():
    """Importing the helper must not pull in seaborn, statsmodels, scipy or pyplot."""
    import subprocess
    import sys

    code = ("import sys, zwt_analysis.reports.context; "
            "print(sorted(m for m in ('seaborn', 'statsmodels', 'scipy', 'matplotlib.pyplot') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


#: Modules the start of a report (import of the helper + ``context.start``) must not load.
HEAVY_MODULES = ("pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "scipy", "statsmodels",
                 "duckdb", "yaml")


def test_start_imports_no_heavy_modules(small_processed, tmp_path):
    """``context.start`` on real processed data loads none of the heavy libraries; the
    pandas display options still apply once pandas is imported, and the first table read
    (lazy) is cached."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from zwt_analysis.present import page\nfrom zwt_analysis.reports import context\n"
        "page._display_html = lambda text: print('HEADER', 'SYNTHETISCHE DATA' in text)\n"
        f"ctx = context.start('Titel', {{'processed_dir': {str(small_processed)!r}, "
        f"'output_dir': {str(tmp_path / 'out')!r}, 'organisation': 'ALL'}})\n"
        f"heavy = {HEAVY_MODULES!r}\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
        "print('ASOF', ctx.as_of, ctx.synthetic)\n"
        "import pandas as pd\n"
        "print('OPTIONS', pd.get_option('display.float_format')(1234.5), "
        "pd.get_option('display.max_columns'), pd.get_option('display.width'))\n"
        "print('LOADER', type(pd.__loader__).__name__ == type(pd.__spec__.loader).__name__ "
        "== 'SourceFileLoader')\n"
        "areas = ctx.table('areas')\n"
        "print('CACHED', ctx.table('areas') is areas, len(areas) > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert lines["HEADER"] == "True"  # small_processed is synthetic: banner shown
    assert lines["LOADED"] == "[]"
    validation = json.loads((small_processed / "validation.json").read_text(encoding="utf-8"))
    assert lines["ASOF"] == f"{validation['as_of']} True"
    assert lines["OPTIONS"] == "1.234,50 30 160"  # set by the hook right after import
    assert lines["LOADER"] == "True"  # the hook leaves pandas' own loader in place
    assert lines["CACHED"] == "True True"


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

def test_notebooks_follow_conventions():
    """Each notebook: jupytext header with kernel zwt, one parameters cell, standard params."""
    import jupytext

    from zwt_analysis.runner import main as report

    assert NOTEBOOKS, "no notebooks found"
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# ---\n# jupyter:"), path.name
        nb = jupytext.read(path)
        assert nb.metadata["kernelspec"]["name"] == "zwt", path.name
        params = report.parameters_of(nb.cells)
        for key in report.STANDARD_PARAMETERS:
            assert key in params, f"{path.name}: parameter {key} missing"
        assert params["organisation"] == "ALL" and params["processed_dir"] == ""


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_under_papermill(path, small_processed, tmp_path):
    import jupytext
    import papermill as pm

    ipynb = tmp_path / f"{path.stem}.ipynb"
    jupytext.write(jupytext.read(path), ipynb, fmt="ipynb")
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(ipynb), str(out), kernel_name="zwt", cwd=str(tmp_path),
                        parameters={"processed_dir": str(small_processed)},
                        progress_bar=False, execution_timeout=600)
    import nbformat

    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "SYNTHETISCHE DATA" in html  # small_processed is synthetic: banner shown


@pytest.mark.slow
@pytest.mark.xdist_group("reports")
def test_explore_notebook_runs_top_to_bottom(small_indicators: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """notebooks/explore.py (not part of the report suite) runs under papermill on the fixture."""
    import os

    import jupytext
    import nbformat
    import papermill as pm

    from zwt_analysis.runner import main as report

    # ensure_kernel may put a fallback kernelspec on JUPYTER_PATH: restored afterwards
    monkeypatch.setenv("JUPYTER_PATH", os.environ.get("JUPYTER_PATH", ""))
    kernel, _ = report.ensure_kernel(report.KERNEL_NAME, tmp_path)
    nb = jupytext.read(config.NOTEBOOKS_DIR / "explore.py")
    src = tmp_path / "explore.ipynb"
    nbformat.write(nb, src)
    pm.execute_notebook(str(src), str(tmp_path / "out.ipynb"), kernel_name=kernel,
                        parameters={"processed_dir": str(small_indicators.parent)},
                        cwd=str(tmp_path), progress_bar=False)
    ran = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in ran.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)
    assert not any(o.get("output_type") == "error" for c in code for o in c.get("outputs", []))
