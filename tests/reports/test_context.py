"""Tests of the report context (zwt_analysis.reports.context).

The unit tests use a tiny hand-built processed folder. The slow tests execute
every notebook in ``notebooks/`` (discovered, so new ones are included) under
papermill on the small synthetic data set.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from zwt_analysis import config, processed
from zwt_analysis.contract import INDICATOR_COLUMNS, TABLES
from zwt_analysis.reports import context


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



def _params(proc: Path, **kw) -> dict:
    base = {"processed_dir": str(proc), "indicators_file": "", "organisation": "ALL",
            "output_dir": ""}
    return base | kw


# ----------------------------------------------------------------- formatting


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


def test_save_table_rejects_bad_names_and_columns(proc, tmp_path):
    ctx = context.context(_params(proc, output_dir=str(tmp_path)))
    df = pd.DataFrame({"n": [1]})
    for name in ("", "../x", "a/b", ".hidden"):
        with pytest.raises(ValueError):
            ctx.save_table(df, name)
    with pytest.raises(ValueError, match="not in table"):
        ctx.save_table(df, "t", person_count_columns=("persons",))


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

