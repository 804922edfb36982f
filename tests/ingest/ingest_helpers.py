"""Shared pieces of the cleaning tests: a fixed key and day, writing a raw file, one clean run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zwt_analysis.ingest import clean
from zwt_analysis.ingest.privacy import KEY_ENV, PseudonymKey

KEY = PseudonymKey(b"test-key", KEY_ENV)
TODAY = dt.date(2026, 11, 30)


def write(folder: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` (text in ``encoding``, or bytes as they are) as ``folder/name``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def run(raw: Path, **kw) -> clean.CleanRun:
    """``clean.run`` of ``raw`` with the test key, on the fixed day unless ``today`` is given."""
    return clean.run(raw, key=KEY, today=kw.pop("today", TODAY), **kw)
