"""Benchmark of the workforce scenario simulation (not a timed test).

Runs the monthly stock-flow Monte Carlo for 3 organisations x 96 months at
1,000 runs (the issue's target: "in a few seconds") and prints the wall
time and the peak memory. The organisations are sized like the synthetic
municipality's three wijkteam organisations (about 70-120 persons each), staff
counted by tenure month (tenure bands up to 5 years).

Usage::

    .venv/bin/python benchmarks/bench_scenarios.py [--runs 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zwt_analysis.reports.workforce import runs, scenarios, simulate  # noqa: E402


def calibration() -> runs.Calibration:
    """Three organisations with realistic size, rates, tenures and capacity split."""
    sizes = {"A": 91, "B": 68, "C": 116}
    starts = {o: simulate.OrgStart(o, p, 0.8, p * 0.8 * 1.03, 0.45, 0.19, 2026,
                                   tuple(range(0, 2 * p, 2)))
              for o, p in sizes.items()}
    values = {o: {"outflow_rate": 0.13, "months_to_fill": 3.5, "overhead_share": 0.37,
                  "wage_gap": 0.01} for o in sizes}
    fills = {o: (int(0.13 * 7 * p), 3.5 * 0.13 * 7 * p) for o, p in sizes.items()}
    return runs.Calibration(starts, values, None, (12, 24, 60), fills)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scenario", default="baseline")
    args = ap.parse_args(argv)

    calib = calibration()
    settings = scenarios.with_horizon(scenarios.scenario_settings(
        args.scenario, {"runs": args.runs, "seed": 1, "outflow_rate": 0.13}), 2027, 2034)
    runs.run_scenario(settings, calib)  # warm-up (imports, caches)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = runs.run_scenario(settings, calib)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()  # separately: tracing slows numpy allocation down
    runs.run_scenario(settings, calib)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    shape = res["ALL"]["employed"].shape
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scenario={args.scenario} organisations=3 runs x months={shape[0]} x {shape[1]}")
    print(f"wall time per run_scenario: best {min(times):.3f} s, "
          f"median {sorted(times)[len(times) // 2]:.3f} s over {args.repeat} repeats")
    print(f"peak traced memory (numpy arrays etc.): {peak / 2**20:.1f} MiB; "
          f"process max RSS: {maxrss_mb:.0f} MiB")
    t0 = time.perf_counter()
    ranges = scenarios.load_scenarios()["sensitivity"]
    runs.sensitivity(settings, calib, ranges, runs=150)
    print(f"sensitivity (tornado, {len(ranges)} assumptions x 2 + base, 150 runs): "
          f"{time.perf_counter() - t0:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
