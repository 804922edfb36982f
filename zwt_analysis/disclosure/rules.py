"""The disclosure rules as data: thresholds, protection levels and symbols.

Read from ``resources/disclosure.yaml`` (see ``docs/disclosure.md``); the
person threshold is :data:`zwt_analysis.config.MIN_CELL_PERSONS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from zwt_analysis.config import MIN_CELL_PERSONS, load_yaml, resource


@dataclass(frozen=True)
class Rules:
    """Thresholds of primary suppression and protection levels of the audit.

    Attributes:
        min_persons: person counts below this (and above 0) are primary.
        suppress_zeros: treat a count of 0 as primary too.
        min_range_persons: a sensitive count must keep at least this range
            (in persons) of whole values it can take.
        min_contributors: a sum over fewer persons is primary (threshold rule).
        dominance_n / dominance_k: a sum whose ``n`` largest contributions
            exceed ``k`` percent of it is primary ((n, k)-dominance rule).
        protection_percent: a suppressed sum must keep an interval at least
            this percentage of its largest possible value wide.
        small: symbol of a suppressed count of 0..``min_persons - 1``.
        secondary: symbol of every other suppressed cell.
    """

    min_persons: int = MIN_CELL_PERSONS
    suppress_zeros: bool = False
    min_range_persons: int = 2
    min_contributors: int = MIN_CELL_PERSONS
    dominance_n: int = 2
    dominance_k: float = 85.0
    protection_percent: float = 10.0
    small: str = f"<{MIN_CELL_PERSONS}"
    secondary: str = "x"

    @property
    def symbols(self) -> tuple[str, str]:
        """Both suppression symbols (``small``, ``secondary``)."""
        return (self.small, self.secondary)

    def is_small(self, value: float) -> bool:
        """True for a person count that is primary: ``0 < value < min_persons``
        (``0 <= value`` with ``suppress_zeros``); missing -> False."""
        if value is None or math.isnan(value):
            return False
        low = 0 if self.suppress_zeros else 1
        return low <= value < self.min_persons

    def dominated(self, total: float, top: float) -> bool:
        """True when the ``dominance_n`` largest contributions (``top``) exceed
        ``dominance_k`` percent of a positive ``total``; missing -> False."""
        if total is None or top is None or math.isnan(total) or math.isnan(top) or total <= 0:
            return False
        return top > self.dominance_k / 100.0 * total


def load_rules(path: str | Path | None = None) -> Rules:
    """Rules from a YAML file (default: the packaged ``disclosure.yaml``).

    Raises:
        ValueError: a protection level or threshold is out of range.
    """
    raw = load_yaml(path if path is not None else resource("disclosure.yaml")) or {}
    mag = raw.get("magnitude", {}) or {}
    sym = raw.get("symbols", {}) or {}
    rules = Rules(
        suppress_zeros=bool(raw.get("suppress_zeros", False)),
        min_range_persons=int(raw.get("min_range_persons", 2)),
        min_contributors=int(mag.get("min_contributors", MIN_CELL_PERSONS)),
        dominance_n=int(mag.get("dominance_n", 2)),
        dominance_k=float(mag.get("dominance_k", 85.0)),
        protection_percent=float(mag.get("protection_percent", 10.0)),
        small=str(sym.get("small", f"<{MIN_CELL_PERSONS}")),
        secondary=str(sym.get("secondary", "x")),
    )
    if not 0 <= rules.min_range_persons < rules.min_persons:
        raise ValueError(f"min_range_persons must lie in 0..{rules.min_persons - 1}")
    if not (0 < rules.dominance_k <= 100 and rules.dominance_n >= 1):
        raise ValueError("dominance rule needs n >= 1 and 0 < k <= 100")
    if not 0 <= rules.protection_percent <= 100:
        raise ValueError("protection_percent must lie in 0..100")
    if rules.small == rules.secondary:
        raise ValueError("the two suppression symbols must differ")
    return rules


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The packaged rules (read once)."""
    return load_rules()
