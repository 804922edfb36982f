"""The scenario file (``resources/scenarios.yaml``): loading, checking, overrides, resolving.

A scenario gives every assumption of :data:`ASSUMPTION_KEYS`, ``runs`` and
``seed``, and the modifiers of :data:`MODIFIER_DEFAULTS`; the horizon (``start``,
``months``) is the municipality's assignment horizon (:func:`with_horizon`)
unless the scenario gives one:

- ``outflow_rate: calibrated`` -- the organisation's own hazard model
  (:mod:`.hazards`: tenure bands, drift where found), times
  ``outflow_factor``; ``outflow_trend``: ``level`` (the drift stops at the
  last full year) or ``continue`` (it goes on over the horizon);
- ``months_to_fill: calibrated`` -- the organisation's own mean vacant time,
  times ``fill_factor``;
- ``wage_growth: calibrated`` -- ``indexation`` plus the measured gap between
  cao wage rises and indexation (``cost_index``, where delivered; else the
  policy's assumed gap), plus ``wage_gap_extra``;
- ``overhead_share: calibrated`` -- the organisation's own share of hours.

A number instead of ``calibrated`` is a fixed assumption (no estimation
uncertainty). ``parameter_uncertainty: true`` draws every calibrated value
per run from its estimate's uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from zwt_analysis import config

__all__ = ["ASSUMPTION_KEYS", "CALIBRATABLE", "MODIFIER_DEFAULTS", "Assumptions", "horizon",
           "load_scenarios", "resolve", "scenario_settings", "with_horizon"]

SCENARIO_FILE = "scenarios.yaml"
#: Assumption keys every scenario must give (a value or "calibrated" where allowed).
ASSUMPTION_KEYS = (
    "outflow_rate", "months_to_fill", "ramp_up_months", "new_hire_productivity",
    "wage_growth", "indexation", "population_growth", "demand_trend", "overhead_share",
)
CALIBRATABLE = ("outflow_rate", "months_to_fill", "overhead_share", "wage_growth")
RUN_KEYS = ("runs", "seed")
#: Optional scenario keys and their defaults.
MODIFIER_DEFAULTS: dict[str, Any] = {
    "outflow_factor": 1.0, "fill_factor": 1.0, "outflow_trend": "level",
    "wage_gap_extra": 0.0, "parameter_uncertainty": True,
}
TRENDS = ("level", "continue")
_INT_KEYS = ("runs", "seed", "months", "ramp_up_months")


@dataclass(frozen=True)
class Assumptions:
    """Numeric scenario assumptions for one organisation (rates per year, shares 0..1)."""

    outflow_rate: float
    months_to_fill: float
    ramp_up_months: int
    new_hire_productivity: float
    wage_growth: float
    indexation: float
    population_growth: float
    demand_trend: float
    overhead_share: float

    @property
    def demand_growth(self) -> float:
        """Yearly growth of statutory demand: (1 + population) x (1 + trend) - 1."""
        return (1 + self.population_growth) * (1 + self.demand_trend) - 1


def _check(name: str, sc: dict[str, Any]) -> None:
    missing = [k for k in ASSUMPTION_KEYS + RUN_KEYS if k not in sc]
    if missing:
        raise ValueError(f"scenario {name!r} lacks {', '.join(missing)}")
    for k in ASSUMPTION_KEYS:
        v = sc[k]
        if v == "calibrated" and k not in CALIBRATABLE:
            raise ValueError(f"scenario {name!r}: {k} cannot be 'calibrated'")
        if v != "calibrated" and not isinstance(v, int | float):
            raise ValueError(f"scenario {name!r}: {k} must be a number, not {v!r}")
    if sc.get("outflow_trend", "level") not in TRENDS:
        raise ValueError(f"scenario {name!r}: outflow_trend must be one of {TRENDS}")
    for k in ("outflow_factor", "fill_factor", "wage_gap_extra"):
        if not isinstance(sc.get(k, 0.0), int | float):
            raise ValueError(f"scenario {name!r}: {k} must be a number")


def load_scenarios(path: str | Path | None = None) -> dict[str, Any]:
    """Read and check the scenario file (default: the packaged ``resources/scenarios.yaml``).

    Raises:
        ValueError: a scenario is incomplete or has a bad value.
    """
    cfg = config.load_yaml(path or config.resource(SCENARIO_FILE))
    for name, sc in cfg.get("scenarios", {}).items():
        _check(name, sc)
    return cfg


def scenario_settings(name: str, overrides: dict[str, Any] | None = None,
                      path: str | Path | None = None) -> dict[str, Any]:
    """One scenario's settings (modifiers filled in) with non-None ``overrides`` applied.

    Overrides given as text (as ``zwt report --param`` passes them) are read as
    numbers; ``"calibrated"`` stays text for the keys that allow it.

    Raises:
        ValueError: unknown scenario, or an override that is not a number.
    """
    cfg = load_scenarios(path)
    if name not in cfg["scenarios"]:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(cfg['scenarios'])}")
    sc = {**MODIFIER_DEFAULTS, **cfg["scenarios"][name]}
    for k, v in (overrides or {}).items():
        if v is None or v == "":
            continue
        if isinstance(v, str) and k in ASSUMPTION_KEYS + _INT_KEYS:
            if v == "calibrated" and k in CALIBRATABLE:
                sc[k] = v
                continue
            try:
                v = int(v) if k in _INT_KEYS else float(v.replace(",", "."))
            except ValueError:
                raise ValueError(f"{k} must be a number, not {v!r}") from None
        sc[k] = v
    return sc


def resolve(settings: dict[str, Any], calibrated: dict[str, float]) -> Assumptions:
    """Numeric assumptions (point values): "calibrated" taken from ``calibrated``.

    ``calibrated`` holds per organisation ``outflow_rate``, ``months_to_fill``,
    ``overhead_share`` and ``wage_gap`` (cao minus indexation, fraction per
    year); the factors and the extra gap of the scenario are applied.

    Raises:
        ValueError: a calibrated value is missing or not finite.
    """
    import math

    vals: dict[str, Any] = {}
    for k in ASSUMPTION_KEYS:
        v = settings[k]
        if v == "calibrated":
            src = "wage_gap" if k == "wage_growth" else k
            c = calibrated.get(src, math.nan)
            if not math.isfinite(c):
                raise ValueError(f"no calibrated value for {k}")
            v = {"outflow_rate": c * float(settings.get("outflow_factor", 1.0)),
                 "months_to_fill": c * float(settings.get("fill_factor", 1.0)),
                 "wage_growth": float(settings["indexation"]) + c
                 + float(settings.get("wage_gap_extra", 0.0))}.get(k, c)
        vals[k] = int(v) if k == "ramp_up_months" else float(v)
    return Assumptions(**vals)


def with_horizon(settings: dict[str, Any], start_year: int, end_year: int) -> dict[str, Any]:
    """``settings`` with ``start`` and ``months`` of the assignment horizon, unless the scenario
    (or an override) gives them: January of ``start_year`` up to December of ``end_year``."""
    out = dict(settings)
    out.setdefault("start", f"{int(start_year)}-01")
    out.setdefault("months", 12 * (int(end_year) - int(start_year) + 1))
    return out


def horizon(settings: dict[str, Any]) -> pd.PeriodIndex:
    """The simulated months from ``start`` (``YYYY-MM``), ``months`` long.

    Raises:
        KeyError: the settings have no horizon (see :func:`with_horizon`).
    """
    return pd.period_range(pd.Period(str(settings["start"]), freq="M"),
                           periods=int(settings["months"]), freq="M")
