"""Settings of the places report (``resources/places.yaml``), optionally overridden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zwt_analysis import config

SETTINGS_FILE = "places.yaml"


def load_settings(path: str | Path | None = None) -> dict[str, Any]:
    """The packaged settings, with the sections of ``path`` (a YAML file) laid over them."""
    settings = config.load_yaml(config.resource(SETTINGS_FILE))
    if path:
        own = config.load_yaml(path) or {}
        for section, values in own.items():
            settings.setdefault(section, {}).update(values or {})
    return settings
