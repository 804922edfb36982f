"""The KPI wing's vocabulary: the rules file, decision and level labels, known indicators.

Every threshold of the audit lives in ``resources/kpi_rules.yaml`` (read with
:func:`load_rules`); the rules are written out in ``docs/kpi_audit.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zwt_analysis import config
from zwt_analysis.indicators import INDICATORS

RULES_FILE = "kpi_rules.yaml"

#: Decision codes and their Dutch labels.
DECISION_LABELS: dict[str, str] = {
    "keep": "behouden",
    "merge": "samenvoegen",
    "drop": "schrappen",
    "define": "definitie nodig",
}

#: Dutch labels of the result levels.
LEVEL_LABELS: dict[str, str] = {
    "input": "input",
    "activity": "activiteit",
    "output": "output",
    "outcome": "outcome",
    "impact": "impact",
}

#: The whole city as an organisation label of the trend series and figures (the
#: indicator tables call it ``ALL``). One constant until the municipality name
#: becomes configurable.
CITY_SERIES_LABEL = "Zaanstad"


def load_rules(path: str | Path | None = None) -> dict[str, Any]:
    """Read the audit rules (the packaged ``kpi_rules.yaml`` when ``path`` is empty)."""
    return config.load_yaml(path or config.resource(RULES_FILE))


def known_indicator_ids() -> set[str]:
    """Ids of the indicators zwt computes (the keys of ``zwt_analysis.indicators.INDICATORS``)."""
    return {str(k) for k in INDICATORS}
