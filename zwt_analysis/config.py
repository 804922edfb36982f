"""Project paths and packaged configuration files, defined once.

Every path the project uses is built here from the repository root, so no
path is spelled twice. Configuration that a municipality may override
(deadline limits, scenario assumptions, thresholds) lives as YAML files in
``zwt_analysis/resources`` and is read with :func:`load_yaml`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PACKAGE_DIR: Path = Path(__file__).resolve().parent
PROJECT_ROOT: Path = PACKAGE_DIR.parent
RESOURCES_DIR: Path = PACKAGE_DIR / "resources"

DATA_DIR: Path = PROJECT_ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"
PROCESSED_DIR: Path = DATA_DIR / "processed"
#: Default folder of the current processed data (``make report`` writes it; the
#: report runner and notebooks read it). A subfolder, because ``zwt clean``
#: replaces its ``--out`` as a whole and ``data/processed/README.md`` must stay.
CURRENT_PROCESSED_DIR: Path = PROCESSED_DIR / "current"
REPORTS_DIR: Path = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
DOCS_DIR: Path = PROJECT_ROOT / "docs"

#: Name of the marker file that ``zwt synth`` writes beside synthetic exports
#: and that ``zwt clean`` carries over to the processed folder.
SYNTHETIC_MARKER: str = "SYNTHETIC.txt"

#: Persons: published cells counting fewer than this are suppressed.
MIN_CELL_PERSONS: int = 5


def resource(name: str) -> Path:
    """Path of a packaged resource file (raises FileNotFoundError if absent)."""
    path = RESOURCES_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"packaged resource not found: {path}")
    return path


def load_yaml(path: str | Path) -> Any:
    """Read a YAML (or JSON, a YAML subset) configuration file."""
    import yaml  # here, not at module level: every notebook's start-up imports this module

    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)
