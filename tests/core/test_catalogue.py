"""The catalogue page is generated from the registry and committed up to date."""

from __future__ import annotations

from typer.testing import CliRunner

from zwt_analysis import catalogue, config
from zwt_analysis.cli import app
from zwt_analysis.indicators import INDICATORS, load_limits


def test_committed_catalogue_is_current():
    committed = (config.DOCS_DIR / "indicators.md").read_text(encoding="utf-8")
    assert committed == catalogue.render(), "run `zwt catalogue --out docs/indicators.md`"


def test_catalogue_lists_every_indicator_and_limit():
    text = catalogue.render()
    for ind in INDICATORS:
        assert f"### `{ind}`" in text
    for key, days in load_limits().items():
        assert f"| `{key}` | {days} |" in text
    for basis in ("Wmo 2015 art. 2.3.2", "Wmo 2015 art. 2.3.5", "Awb art. 4:13", "Wgs art. 4"):
        assert basis in text


def test_cli_writes_catalogue(tmp_path):
    out = tmp_path / "docs" / "indicators.md"
    res = CliRunner().invoke(app, ["catalogue", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8") == catalogue.render()
