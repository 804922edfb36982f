"""Fixtures of the runner tests (notebook texts and builders: ``runner_fixtures``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from runner_fixtures import make_processed


@pytest.fixture(scope="module")
def hand_processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built processed folder, with its two-row ``indicators.csv``."""
    return make_processed(tmp_path_factory.mktemp("hand") / "processed")
