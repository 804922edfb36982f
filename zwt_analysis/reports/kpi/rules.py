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


def load_rules(path: str | Path | None = None) -> dict[str, Any]:
    """Read the audit rules (the packaged ``kpi_rules.yaml`` when ``path`` is empty)."""
    return config.load_yaml(path or config.resource(RULES_FILE))


def known_indicator_ids() -> set[str]:
    """Ids of the indicators zwt computes (the keys of ``zwt_analysis.indicators.INDICATORS``)."""
    return {str(k) for k in INDICATORS}


def block_labels(rules: dict[str, Any]) -> dict[int, str]:
    """Building block number -> its Kwaliteitskompas name (``quality_blocks`` of the rules)."""
    return {int(k): str(v) for k, v in rules["quality_blocks"].items()}


def block_name(block: object, rules: dict[str, Any]) -> str:
    """The name of building block ``block`` (1..7), lower case for use in a sentence.

    An unknown or missing block gives ``"onbekend"``; a number without a name its number.
    """
    try:
        number = int(block)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "onbekend"
    name = block_labels(rules).get(number)
    return name[0].lower() + name[1:] if name else str(number)
