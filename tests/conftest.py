"""Shared fixtures.

``small_raw`` / ``small_processed``: a small synthetic data set (scale 0.1),
generated once per test session with ``zwt synth`` and cleaned with
``zwt clean`` under a fixed pseudonym key. Tests that need realistic data
use these; tests of single rules build their own tiny tables by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from testdata import SMALL_SCALE, SMALL_SEED, clean_with_test_key


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw synthetic exports at scale 0.1 (seed 7)."""
    from zwt_analysis import synth

    out = tmp_path_factory.mktemp("raw") / "synthetic"
    synth.main(out=out, seed=SMALL_SEED, scale=SMALL_SCALE, messy=False)
    return out


@pytest.fixture(scope="session")
def small_processed(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``small_raw`` cleaned into a processed folder (fixed key)."""
    out = tmp_path_factory.mktemp("processed") / "processed"
    clean_with_test_key(small_raw, out)
    return out


@pytest.fixture(scope="session")
def small_indicators(small_processed: Path) -> Path:
    """``zwt indicators`` on ``small_processed``, written beside it as indicators.csv."""
    from zwt_analysis import indicators

    out = small_processed / "indicators.csv"
    if not out.exists():
        indicators.main(processed=small_processed, out=out, limits=None)
    return out


@pytest.fixture(scope="session")
def small_reports(small_indicators: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full default report suite (city + every organisation) on ``small_processed``.

    Expensive (a minute or more): tests using it are marked slow and grouped on
    one xdist worker with ``@pytest.mark.xdist_group("reports")``.
    """
    from zwt_analysis.runner import main as report

    out = tmp_path_factory.mktemp("reports") / "reports"
    code = report.main(processed=small_indicators.parent, out=out, jobs=2,
                       indicators_file=small_indicators)
    assert code == 0, f"report suite failed; see {out}/zwt-report.log"
    return out


@pytest.fixture()
def shown(monkeypatch: pytest.MonkeyPatch):
    """What report pages display as HTML (``page._display_html`` captured), style reset after."""
    import pandas as pd

    from zwt_analysis.present import page

    out: list[str] = []
    monkeypatch.setattr(page, "_display_html", out.append)
    monkeypatch.delenv("MATPLOTLIBRC", raising=False)  # start() may set it: restored after
    yield out
    pd.reset_option("display.float_format")
