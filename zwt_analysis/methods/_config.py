"""The settings of :mod:`zwt_analysis.methods` (``resources/methods.yaml``), read once."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """The parsed ``methods.yaml`` (cached; treat as read-only)."""
    from zwt_analysis.config import load_yaml, resource

    return load_yaml(resource("methods.yaml"))


def section(name: str) -> dict[str, Any]:
    """One top-level section of ``methods.yaml`` (KeyError when absent)."""
    return settings()[name]
