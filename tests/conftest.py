"""Shared fixtures.

``small_raw`` / ``small_processed``: a small synthetic data set (scale 0.1),
generated once per test session with ``zwt synth`` and cleaned with
``zwt clean`` under a fixed pseudonym key. Tests that need realistic data
use these; tests of single rules build their own tiny tables by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TEST_KEY = "zwt-test-key"
SMALL_SCALE = 0.1
SMALL_SEED = 7


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
    from zwt_analysis import clean

    out = tmp_path_factory.mktemp("processed") / "processed"
    mp = pytest.MonkeyPatch()
    mp.setenv("ZWT_PSEUDONYM_KEY", TEST_KEY)
    try:
        clean.main(raw=small_raw, out=out, as_of=None, column_map=None, key_file=None)
    finally:
        mp.undo()
    return out
