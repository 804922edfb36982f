"""Scenario runs: calibration in, simulation results out, with parameter uncertainty.

:func:`run_scenario` simulates every organisation (and the city as their sum)
under one scenario. With ``parameter_uncertainty`` each run draws, from the
estimates' uncertainty:

- the hazard model's parameters (level per organisation, tenure bands,
  drift) from their multivariate normal approximation (quasi-Poisson
  covariance) -- when ``outflow_rate`` is calibrated;
- the mean vacant months from its exact posterior-like draw
  ``2 E / chi2(2 fills)`` (E = vacant months at risk) -- when calibrated;
- the wage gap from ``mean + se t(df)`` of the measured yearly gaps -- when
  ``wage_growth`` is calibrated and a gap was measured.

Over-dispersion beyond the model is carried as a multiplier of each year's
hazard (gamma, mean 1, variance from :attr:`.hazards.HazardModel.year_variance`),
in every run. Each organisation draws from its own child of the scenario's
seed, so its result does not depend on which others are run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.reports.workforce import hazards, scenarios
from zwt_analysis.reports.workforce.simulate import (
    OrgStart,
    SimResult,
    combine,
    funded_path,
    simulate_org,
    summarise,
    year_mean,
)

__all__ = ["Calibration", "GapEstimate", "compare_scenarios", "run_scenario", "sensitivity"]


@dataclass(frozen=True)
class GapEstimate:
    """Mean yearly gap cao - indexation (fraction), its standard error and degrees of freedom;
    ``source``: "gemeten" (measured from cost_index) or "aangenomen" (policy)."""

    mean: float
    se: float
    df: int
    source: str
    years: str = ""


@dataclass(frozen=True)
class Calibration:
    """What the history gives per organisation, for :func:`run_scenario`.

    Attributes:
        starts: base stock per organisation.
        values: point values per organisation (``outflow_rate`` -- the model's
            hazard now, averaged over today's staff; ``months_to_fill``,
            ``overhead_share``, ``wage_gap``).
        hazard: the fitted hazard model (None: no staff history).
        band_edges_months: tenure band edges (months) of the hazard's bands.
        fills: (filled vacancies, vacant months at risk) per organisation.
        gaps: the wage gap per organisation.
        hazard_cap: upper limit of a yearly hazard in a run.
    """

    starts: dict[str, OrgStart]
    values: dict[str, dict[str, float]]
    hazard: hazards.HazardModel | None = None
    band_edges_months: tuple[int, ...] = ()
    fills: dict[str, tuple[int, float]] = field(default_factory=dict)
    gaps: dict[str, GapEstimate] = field(default_factory=dict)
    hazard_cap: float = 1.0


def _outflow(settings: dict[str, Any], calib: Calibration, org: str, months: pd.PeriodIndex,
             runs: int, rng: np.random.Generator, unc: bool) -> tuple[np.ndarray | None,
                                                                       tuple[int, ...]]:
    """(hazard per run, month and configured band, band edges), or (None, ()) for a fixed
    rate; merged bands repeat their hazard over the configured bands they cover."""
    model = calib.hazard
    if settings["outflow_rate"] != "calibrated" or model is None:
        return None, ()
    theta = hazards.draw_params(model, runs, rng, unc)
    haz = hazards.annual_hazards(model, org, theta, np.asarray(months.year),
                                 settings.get("outflow_trend", "level"), calib.hazard_cap)
    haz = haz[:, :, model.band_map] * float(settings.get("outflow_factor", 1.0))
    v = model.year_variance.get(org, 0.0)
    if v > 1e-9:
        years = np.asarray(months.year)
        uniq, idx = np.unique(years, return_inverse=True)
        mult = rng.gamma(1.0 / v, v, size=(runs, len(uniq)))
        haz = haz * mult[:, idx, None]
    return np.minimum(haz, calib.hazard_cap), calib.band_edges_months


def _fill(settings: dict[str, Any], calib: Calibration, org: str, runs: int,
          rng: np.random.Generator, unc: bool) -> np.ndarray | None:
    """Mean vacant months per run (None: the point value)."""
    fills, expo = calib.fills.get(org, (0, 0.0))
    if not unc or settings["months_to_fill"] != "calibrated" or fills <= 0 or expo <= 0:
        return None
    return 2 * expo / rng.chisquare(2 * fills, size=runs) * float(settings.get("fill_factor", 1.0))


def _funded(settings: dict[str, Any], calib: Calibration, org: str, a: scenarios.Assumptions,
            months: pd.PeriodIndex, runs: int, rng: np.random.Generator, unc: bool
            ) -> np.ndarray | None:
    """Funded FTE per run and month with a drawn wage gap (None: the point value)."""
    gap = calib.gaps.get(org)
    if not unc or settings["wage_growth"] != "calibrated" or gap is None or gap.df < 1 \
            or not gap.se > 0:
        return None
    draws = gap.mean + gap.se * rng.standard_t(gap.df, size=runs)
    wage = a.indexation + draws + float(settings.get("wage_gap_extra", 0.0))
    st = calib.starts[org]
    return funded_path(st.formation_fte, months, st.base_year, wage, a.indexation)


def run_scenario(settings: dict[str, Any], calib: Calibration,
                 organisations: list[str] | None = None,
                 parameter_uncertainty: bool | None = None,
                 base_period: pd.Period | None = None) -> dict[str, SimResult]:
    """Simulate every organisation (and the city, key ``"ALL"``) under one scenario.

    The city is the sum of the organisations run; it is there when more than one
    organisation is run, or all of them (a municipality with one organisation).

    Args:
        settings: scenario settings with a horizon (:func:`.scenarios.with_horizon`).
        calib: calibration per organisation.
        organisations: subset to run (default: all calibrated).
        parameter_uncertainty: overrides ``settings["parameter_uncertainty"]``.
        base_period: month of the base stock (default: the month before start);
            demand grows from it.
    """
    months = scenarios.horizon(settings)
    runs = int(settings["runs"])
    orgs = organisations or sorted(calib.starts)
    unc = bool(settings.get("parameter_uncertainty", True) if parameter_uncertainty is None
               else parameter_uncertainty)
    base = base_period if base_period is not None else months[0] - 1
    offset = (months[0] - base).n - 1
    all_orgs = sorted(calib.starts)
    seeds = np.random.SeedSequence(int(settings["seed"])).spawn(len(all_orgs))
    results = {}
    for org in orgs:
        rng = np.random.default_rng(seeds[all_orgs.index(org)])
        a = scenarios.resolve(settings, calib.values.get(org, {}))
        haz, edges = _outflow(settings, calib, org, months, runs, rng, unc)
        mtf = _fill(settings, calib, org, runs, rng, unc)
        funded = _funded(settings, calib, org, a, months, runs, rng, unc)
        results[org] = simulate_org(calib.starts[org], a, months, runs, rng, funded_fte=funded,
                                    months_offset=offset, hazard=haz, band_edges_months=edges,
                                    months_to_fill=mtf)
    if len(results) > 1 or (results and set(orgs) == set(all_orgs)):
        results[ALL] = combine([results[o] for o in orgs])
    return results


def compare_scenarios(names: list[str], calib: Calibration, runs: int, seed: int,
                      horizon: tuple[int, int], extra: dict[str, dict[str, Any]] | None = None,
                      organisations: list[str] | None = None, year: int | None = None
                      ) -> tuple[pd.DataFrame, dict[str, dict[str, SimResult]]]:
    """Run the named scenarios (plus ``extra`` settings by label) and summarise each.

    Args:
        names: scenarios from the scenario file, each run with ``runs`` and ``seed``
            over the ``horizon`` (first year, last year).
        extra: further settings by label (e.g. a scenario with changed assumptions).
        organisations: subset to run (default: all calibrated).
        year: year of the preventive share in the summary (default: the last).

    Returns:
        (one :func:`.simulate.summarise` row per scenario and organisation incl.
        the city; the simulation results by scenario).
    """
    all_settings = {n: scenarios.with_horizon(
        scenarios.scenario_settings(n, {"runs": runs, "seed": seed}), *horizon) for n in names}
    all_settings.update(extra or {})
    rows, results = [], {}
    for label, s in all_settings.items():
        res = run_scenario(s, calib, organisations)
        results[label] = res
        rows += [summarise(r, label, year) for r in res.values()]
    return pd.DataFrame(rows), results


def sensitivity(settings: dict[str, Any], calib: Calibration, ranges: dict[str, list[float]],
                year: int | None = None, runs: int = 200, organisation: str = ALL
                ) -> pd.DataFrame:
    """One-at-a-time sensitivity of the mean preventive share in ``year`` (tornado).

    Each assumption in ``ranges`` is set to its low and its high value (all
    other assumptions as in the scenario); the same seed is used everywhere
    (common random numbers) and parameter uncertainty is off, so differences
    come from the assumption alone.

    Returns:
        ``parameter, low, high, result_low, result_high, base, swing`` sorted
        by swing (largest first); results are medians over runs.
    """
    base_settings = {**settings, "runs": runs}
    orgs = None if organisation == ALL else [organisation]
    year = int(scenarios.horizon(base_settings)[-1].year) if year is None else year

    def outcome(s: dict[str, Any]) -> float:
        res = run_scenario(s, calib, orgs, parameter_uncertainty=False)
        key = organisation if organisation in res else next(iter(res))
        return float(np.median(year_mean(res[key], "preventive_share", year)))

    base = outcome(base_settings)
    rows = []
    for k, (lo, hi) in ranges.items():
        r_lo, r_hi = outcome({**base_settings, k: lo}), outcome({**base_settings, k: hi})
        rows.append({"parameter": k, "low": lo, "high": hi, "result_low": r_lo,
                     "result_high": r_hi, "base": base, "swing": abs(r_hi - r_lo)})
    cols = ["parameter", "low", "high", "result_low", "result_high", "base", "swing"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("swing", ascending=False).reset_index(drop=True)


def gap_estimate(gaps_pp: list[float], years: str = "") -> GapEstimate:
    """:class:`GapEstimate` from yearly gaps in percentage points (measured)."""
    g = np.asarray([x for x in gaps_pp if math.isfinite(x)], dtype=float) / 100
    if len(g) == 0:
        return GapEstimate(math.nan, math.nan, 0, "gemeten", years)
    se = float(g.std(ddof=1) / math.sqrt(len(g))) if len(g) > 1 else math.nan
    return GapEstimate(float(g.mean()), se, len(g) - 1, "gemeten", years)


__all__ += ["gap_estimate"]
