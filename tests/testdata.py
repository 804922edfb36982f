"""The small synthetic data set of the test session and how it is cleaned.

Imported by ``tests/conftest.py`` and by tests that need the same constants (a module of its
own, because ``from conftest import`` is ambiguous once sub-folders have conftest files).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

TEST_KEY = "zwt-test-key"
SMALL_SCALE = 0.1
SMALL_SEED = 7


def clean_with_test_key(raw: Path, out: Path, as_of: date | None = None, key: str = TEST_KEY) -> Path:
    """``zwt clean`` of ``raw`` into ``out`` with a fixed pseudonym key (default: the test key)."""
    from zwt_analysis.ingest import clean

    mp = pytest.MonkeyPatch()
    mp.setenv("ZWT_PSEUDONYM_KEY", key)
    try:
        clean.main(raw=raw, out=out, as_of=as_of, column_map=None, key_file=None)
    finally:
        mp.undo()
    return out
