"""Fixtures of the places wing tests (folders in places_builders)."""

from __future__ import annotations

from pathlib import Path

import pytest
from places_builders import write_processed


@pytest.fixture()
def proc(tmp_path: Path) -> Path:
    """Two real Zaanstad wijken held by two organisations; cases with question types."""
    return write_processed(tmp_path / "processed")
