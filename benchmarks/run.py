"""``make bench``: time the pipeline at several scales and check the targets of issue 10.

For each scale, in a temporary folder, every step runs as its own process
(so the figures are what a user waits for, imports included):

- ``zwt synth`` (seed fixed), ``zwt clean`` (fixed demo pseudonym key),
  ``zwt indicators`` and the DuckDB reference (:mod:`benchmarks.duckdb_reference`)
  on the same Parquet files -- whose tables are also compared row by row;
- at the report scale(s) (default: scale 1 only) the full report suite with
  ``zwt report --jobs 1`` and ``--jobs 2``; a trivial one-cell notebook
  under papermill (kernel ``zwt``) as the per-notebook overhead baseline,
  interleaved with each report notebook cut right after its
  ``context.start(...)`` statement (its overhead before its own work).

Each measurement is the wall time of the whole process and its peak memory:
the maximum resident set size that ``os.wait4`` reports for the child (the
largest single process among the child and the descendants it waited for,
so for ``zwt report`` the biggest worker or kernel, not their sum). Cheap
steps are repeated (``--repeat``, median reported); synth, clean and the
report suite run once (``--repeat-expensive``).

Usage (from the repository root)::

    python -m benchmarks.run [--scales 1 10] [--skip-report] [--out benchmarks/results/latest.md]
    python -m benchmarks.run --only-overhead --repeat 5   # per-notebook overhead at scale 1

Writes the Markdown table to ``--out`` and the raw figures beside it as JSON
(same name, ``.json``). Exit code 0 when every step ran (targets missed are
reported as FAIL; ``--strict`` makes them exit 1 too), 1 when a step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "latest.md"
#: Public demo key, the same the Makefile uses for synthetic data (not a secret).
BENCH_KEY = "zwt-synthetic-demo-key-not-secret"
KERNEL = "zwt"
GIB = 1024 ** 3
MIB = 1024 ** 2

#: Targets of issue 10.
TARGET_INDICATORS_VS_DUCKDB = 2.0
TARGET_INDICATORS_PEAK_BYTES = 4 * GIB
TARGET_JOBS2_VS_JOBS1 = 0.55
TARGET_OVERHEAD_VS_TRIVIAL = 1.1


# ------------------------------------------------------------ measuring a process

@dataclass
class Measurement:
    """One run of one command: wall time, peak memory, exit code."""

    wall_s: float
    max_rss_bytes: int
    returncode: int
    #: user + system CPU seconds of the process and its waited-for descendants
    cpu_s: float = 0.0


def _maxrss_bytes(ru_maxrss: int) -> int:
    """``ru_maxrss`` in bytes (Linux reports KiB, macOS bytes)."""
    return int(ru_maxrss) if sys.platform == "darwin" else int(ru_maxrss) * 1024


# A child's ru_maxrss starts at the resident size of the process it was forked
# (or vforked) from: Linux keeps the old address space's high-water mark across
# exec. Measured straight from this (possibly large) process, a 10 MB command
# would report this process's size. So a tiny fresh interpreter forks the
# command and reports the command's own rusage from os.wait4.
_PROBE = """
import json, os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(out, "w") as fh:
    json.dump({"wall_s": wall, "maxrss": ru.ru_maxrss, "cpu_s": ru.ru_utime + ru.ru_stime,
               "code": os.waitstatus_to_exitcode(status)}, fh)
"""


def measure(cmd: list[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
            log: str | Path | None = None) -> Measurement:
    """Run ``cmd`` as a child process; return its wall time and peak memory.

    The command is started by a tiny probe interpreter that forks it and
    reads ``ru_maxrss`` from ``os.wait4``: the largest resident set of the
    command itself or of any descendant it waited for (not their sum). The
    probe's own start (~20 ms) is not in the wall time. stdout and stderr go
    to ``log`` (appended) or are discarded.

    Args:
        cmd: program and arguments (no shell).
        env: full environment for the command (default: inherit).
        cwd: working folder of the command.
        log: file to append the command's output to.

    Returns:
        :class:`Measurement`; a non-zero ``returncode`` is a failed run
        (negative: killed by that signal; 127: could not be started).
    """
    fd, result = tempfile.mkstemp(prefix="zwt-bench-", suffix=".json")
    os.close(fd)
    sink = open(log, "ab") if log else open(os.devnull, "wb")  # noqa: SIM115
    try:
        code = subprocess.call([sys.executable, "-S", "-c", _PROBE, result, *cmd], env=env,
                               cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        text = Path(result).read_text(encoding="utf-8")
        if not text:
            return Measurement(0.0, 0, code or 127)
        data = json.loads(text)
    finally:
        sink.close()
        Path(result).unlink(missing_ok=True)
    return Measurement(round(data["wall_s"], 4), _maxrss_bytes(data["maxrss"]), data["code"],
                       round(data["cpu_s"], 3))


@dataclass
class Step:
    """All repeats of one benchmark step at one scale."""

    scale: float
    name: str
    command: list[str]
    runs: list[Measurement] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.returncode == 0 for r in self.runs)

    @property
    def median_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def peak_bytes(self) -> int:
        return max(r.max_rss_bytes for r in self.runs)

    def as_dict(self) -> dict[str, Any]:
        return {"scale": self.scale, "step": self.name, "command": self.command,
                "ok": self.ok, "median_s": self.median_s if self.runs else None,
                "peak_rss_bytes": self.peak_bytes if self.runs else None,
                "runs": [asdict(r) for r in self.runs], **self.extra}


#: "<seconds> s -> <file>" as `zwt indicators` and the DuckDB reference print it.
_INNER_TIME = re.compile(r"(\d+(?:\.\d+)?) s -> ")


def _once(step: Step, *, env: dict[str, str], cwd: Path, log: Path) -> Measurement:
    """Measure one more run of ``step``; keep the output in ``log``."""
    one = log.with_name(f"{step.name}.out")
    one.unlink(missing_ok=True)
    m = measure(step.command, env=env, cwd=cwd, log=one)
    text = one.read_text(encoding="utf-8", errors="replace") if one.exists() else ""
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"\n$ {' '.join(step.command)}\n{text}")
    step.runs.append(m)
    found = _INNER_TIME.findall(text)
    if found:
        # the time the command itself reports for its computation (imports excluded)
        inner = step.extra.setdefault("inner_s", [])
        inner.append(float(found[-1]))
        step.extra["inner_median_s"] = statistics.median(inner)
    return m


def _print(step: Step, log: Path) -> None:
    status = "ok" if step.ok else f"FAILED (exit {step.runs[-1].returncode}, see {log})"
    print(f"  scale {step.scale:g} {step.name:<26} {step.median_s:8.2f} s  "
          f"{step.peak_bytes / MIB:8.0f} MiB  x{len(step.runs)}  {status}", flush=True)


def run_step(scale: float, name: str, cmd: list[str], repeat: int, *, env: dict[str, str],
             cwd: Path, log: Path) -> Step:
    """Measure ``cmd`` ``repeat`` times (stops at the first failure); print one line."""
    step = Step(scale, name, cmd)
    for _ in range(max(1, repeat)):
        if _once(step, env=env, cwd=cwd, log=log).returncode != 0:
            break
    _print(step, log)
    return step


def run_interleaved(scale: float, commands: dict[str, list[str]], repeat: int, *,
                    env: dict[str, str], cwd: Path, log: Path) -> list[Step]:
    """Measure several commands in rounds (A B C, A B C, ...) so that a change in
    the machine's load hits all of them alike; a failing command drops out."""
    steps = [Step(scale, name, cmd) for name, cmd in commands.items()]
    for _ in range(max(1, repeat)):
        for step in steps:
            if not step.runs or step.ok:
                _once(step, env=env, cwd=cwd, log=log)
    for step in steps:
        _print(step, log)
    return steps


# --------------------------------------------------------------- notebook overhead

TRIVIAL_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "trivial", "metadata": {},
               "outputs": [], "source": "x = 1"}],
    "metadata": {"kernelspec": {"name": KERNEL, "display_name": "Python (zwt)",
                                "language": "python"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def notebook_overhead(nb: dict[str, Any], marker: str = "context.start(") -> float | None:
    """Seconds from papermill's start to the end of the notebook's setup cell.

    Papermill stamps ``metadata.papermill.start_time`` before it launches
    the kernel and every cell's start and end time. The overhead before a
    report's own work is everything up to the end of the first code cell
    whose source contains ``marker`` (kernel start, the parameter cells,
    imports and ``context.start``); without such a cell, up to the end of
    the last code cell (for a one-cell trivial notebook: kernel start + the
    cell). ``None`` when the timestamps are missing.
    """
    start = (nb.get("metadata", {}).get("papermill") or {}).get("start_time")
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    if not start or not code:
        return None
    setup = next((c for c in code if marker in "".join(c.get("source", ""))), code[-1])
    end = (setup.get("metadata", {}).get("papermill") or {}).get("end_time")
    if not end:
        return None
    return round((_ts(end) - _ts(start)).total_seconds(), 3)


def setup_only_notebook(source: Path, marker: str = "context.start(") -> dict[str, Any] | None:
    """A report notebook cut right after the statement that calls ``context.start``.

    Keeps every cell before the setup cell (the parameters among them) and
    the setup cell up to the end of the statement holding ``marker``, so
    running it under papermill costs exactly the report's overhead before
    its own work: kernel start, parameters, the setup cell's imports and
    ``context.start``. ``None`` when no code cell calls ``marker``.
    """
    import ast

    import jupytext
    import nbformat

    nb = jupytext.read(source)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or marker not in cell.source:
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            return None
        lines = cell.source.splitlines()
        end = next((node.end_lineno for node in tree.body
                    if marker in "\n".join(lines[node.lineno - 1:node.end_lineno])), None)
        if end is None:
            return None
        cell.source = "\n".join(lines[:end])
        nb.cells = nb.cells[:i + 1]
        nb.metadata["kernelspec"] = TRIVIAL_NOTEBOOK["metadata"]["kernelspec"]
        return json.loads(nbformat.writes(nb))
    return None


def report_overheads(reports_dir: Path) -> list[dict[str, Any]]:
    """Per run of a report suite: report, organisation, overhead and the runner's duration."""
    manifest_path = reports_dir / "manifest.json"
    durations = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        durations = {(r["report"], r["organisation"]): r for r in manifest.get("runs", [])}
    out = []
    for path in sorted(reports_dir.glob("*/*/report.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        params = (nb.get("metadata", {}).get("papermill") or {}).get("parameters", {})
        report, org = path.parent.parent.name, str(params.get("organisation", path.parent.name))
        run = durations.get((report, org), {})
        out.append({"report": report, "organisation": org,
                    "overhead_s": notebook_overhead(nb),
                    "duration_s": run.get("duration_s"), "render_s": run.get("render_s"),
                    "status": run.get("status")})
    return out


# -------------------------------------------------------------------- the run

def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    env.update(extra)
    return env


def _bin(name: str) -> str:
    """The console script ``name`` next to this interpreter (the venv), else on PATH."""
    cand = Path(sys.executable).parent / name
    return str(cand) if cand.exists() else (shutil.which(name) or name)


def bench_scale(scale: float, work: Path, args: argparse.Namespace) -> list[Step]:
    """All steps at one scale in ``work``; returns them (stops after a failed data step)."""
    env = _env(ZWT_PSEUDONYM_KEY=BENCH_KEY)
    log = work / "bench.log"
    raw, processed = work / "raw", work / "processed"
    ind_csv, ref_csv = processed / "indicators.csv", work / "duckdb_reference.csv"
    zwt, py = _bin("zwt"), sys.executable
    steps: list[Step] = []

    def add(name: str, cmd: list[str], repeat: int, **kw: Any) -> bool:
        steps.append(run_step(scale, name, cmd, repeat, env=env, cwd=ROOT, log=log, **kw))
        return steps[-1].ok

    if not add("synth", [zwt, "synth", "--out", str(raw), "--seed", str(args.seed),
                         "--scale", f"{scale:g}"], args.repeat_expensive):
        return steps
    if not add("clean", [zwt, "clean", "--raw", str(raw), "--out", str(processed)],
               args.repeat_expensive):
        return steps
    if args.only_overhead:
        return steps + bench_overhead(scale, work, processed, None, args, env=env, log=log)
    # interleaved (library, reference, library, ...) so load changes hit both alike
    pair = run_interleaved(scale, {
        "indicators": [zwt, "indicators", "--processed", str(processed), "--out", str(ind_csv)],
        "duckdb_reference": [py, "-m", "benchmarks.duckdb_reference", "--processed",
                             str(processed), "--out", str(ref_csv)],
    }, args.repeat, env=env, cwd=ROOT, log=log)
    steps += pair
    if all(x.ok for x in pair):
        steps[-1].extra["cross_check"] = cross_check(ref_csv, ind_csv)
        cc = steps[-1].extra["cross_check"]
        print(f"  scale {scale:g} cross-check: {cc['rows_library']} rows, "
              f"{cc['differences']} differences", flush=True)

    if args.skip_report or scale not in args.report_scales:
        return steps
    steps += bench_overhead(scale, work, processed, ind_csv, args, env=env, log=log)
    for jobs in (1, 2):
        out = work / f"reports_jobs{jobs}"
        ok = add(f"report_jobs{jobs}", [zwt, "report", "--processed", str(processed),
                                         "--out", str(out), "--jobs", str(jobs)],
                 args.repeat_expensive)
        if out.exists():
            steps[-1].extra["runs_detail"] = report_overheads(out)
        if not ok:
            break
    return steps


def bench_overhead(scale: float, work: Path, processed: Path, ind_csv: Path | None,
                   args: argparse.Namespace, *, env: dict[str, str], log: Path) -> list[Step]:
    """The trivial notebook and each report notebook cut after ``context.start(...)``,
    interleaved under papermill on ``processed`` (``ind_csv``: the indicators file
    parameter, None to leave it at its default)."""
    trivial = work / "trivial.ipynb"
    trivial.write_text(json.dumps(TRIVIAL_NOTEBOOK), encoding="utf-8")
    papermill = [_bin("papermill"), "-k", KERNEL, "--no-progress-bar"]
    commands = {"trivial_notebook": [*papermill, str(trivial), str(work / "trivial_out.ipynb")]}
    for src in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        nb = setup_only_notebook(src)
        if nb is None:
            print(f"  {src.name}: no context.start(...) cell; overhead not measured", flush=True)
            continue
        path = work / f"setup_{src.stem}.ipynb"
        path.write_text(json.dumps(nb), encoding="utf-8")
        commands[f"setup_{src.stem}"] = [*papermill, str(path), str(work / f"out_{path.name}"),
                                         "-p", "processed_dir", str(processed)]
        if ind_csv is not None:
            commands[f"setup_{src.stem}"] += ["-p", "indicators_file", str(ind_csv)]
    steps = run_interleaved(scale, commands, args.repeat, env=env, cwd=work, log=log)
    triv = _find(steps, "trivial_notebook", scale)
    if triv and (work / "trivial_out.ipynb").exists():
        nb = json.loads((work / "trivial_out.ipynb").read_text(encoding="utf-8"))
        triv.extra["in_kernel_s"] = notebook_overhead(nb)
    return steps


def cross_check(ref_csv: Path, lib_csv: Path) -> dict[str, Any]:
    """Compare the DuckDB reference table with ``zwt indicators``' table."""
    import pandas as pd

    from benchmarks.duckdb_reference import compare

    def read(p: Path) -> pd.DataFrame:
        return pd.read_csv(p, dtype={"period": "string", "organisation": "string",
                                     "team": "string", "indicator_id": "string"},
                           keep_default_na=False)

    ref, lib = read(ref_csv), read(lib_csv)
    diff = compare(ref, lib)
    return {"rows_reference": len(ref), "rows_library": len(lib), "differences": len(diff),
            "first_differences": diff.head(5).astype(str).to_dict("records")}


# ------------------------------------------------------------------- targets

def _find(steps: list[Step], name: str, scale: float | None = None) -> Step | None:
    cands = [s for s in steps if s.name == name and s.ok and (scale is None or s.scale == scale)]
    return max(cands, key=lambda s: s.scale) if cands else None


def targets(steps: list[Step]) -> list[dict[str, Any]]:
    """The four targets of issue 10 with measured value, limit and PASS/FAIL."""
    out: list[dict[str, Any]] = []

    def row(name: str, value: float | None, limit: float, fmt: str, note: str,
            strict: bool = False) -> None:
        passed = value is not None and (value < limit if strict else value <= limit)
        verdict = "n/a" if value is None else ("PASS" if passed else "FAIL")
        out.append({"target": name, "value": value, "limit": limit, "verdict": verdict,
                    "shown": "not measured" if value is None else fmt.format(value),
                    "note": note})

    ind = _find(steps, "indicators")
    ref = _find(steps, "duckdb_reference", ind.scale) if ind else None
    note = f"at scale {ind.scale:g}, whole processes" if ind else ""
    if ind and ref and ind.extra.get("inner_median_s") and ref.extra.get("inner_median_s"):
        note += (f"; computation only (read + compute + write, as each prints it): "
                 f"{ind.extra['inner_median_s']:.1f} s / {ref.extra['inner_median_s']:.1f} s = "
                 f"{ind.extra['inner_median_s'] / ref.extra['inner_median_s']:.2f}x")
    row("indicators / DuckDB reference (wall)",
        ind.median_s / ref.median_s if ind and ref else None, TARGET_INDICATORS_VS_DUCKDB,
        "{:.2f}x", note)
    peak = max((s.peak_bytes for s in steps if s.name == "indicators" and s.ok), default=None)
    row("indicators peak memory", peak / GIB if peak is not None else None,
        TARGET_INDICATORS_PEAK_BYTES / GIB, "{:.2f} GiB", "largest of all scales measured",
        strict=True)
    # the suite as `make report` runs it: on the default data (the smallest report
    # scale, normally 1 = Zaanstad's size); larger scales are informative rows
    base = min((x.scale for x in steps if x.name == "report_jobs1" and x.ok), default=None)
    j1 = _find(steps, "report_jobs1", base) if base is not None else None
    j2 = _find(steps, "report_jobs2", base) if base is not None else None
    row("report --jobs 2 / --jobs 1 (wall)",
        j2.median_s / j1.median_s if j1 and j2 else None, TARGET_JOBS2_VS_JOBS1, "{:.2f}x",
        f"at scale {j1.scale:g}" if j1 else "")
    for other in [x for x in steps if x.name == "report_jobs1" and j1 and x.scale != j1.scale]:
        o2 = _find(steps, "report_jobs2", other.scale)
        if other.ok and o2 and o2.ok:
            ratio = o2.median_s / other.median_s
            out.append({"target": f"report --jobs 2 / --jobs 1 at scale {other.scale:g}",
                        "value": ratio, "limit": TARGET_JOBS2_VS_JOBS1, "verdict": "info",
                        "shown": f"{ratio:.2f}x",
                        "note": "informative: the target is taken on the default data (smallest report scale)"})
    triv = _find(steps, "trivial_notebook")
    setups = [x for x in steps if x.name.startswith("setup_") and x.ok
              and triv is not None and x.scale == triv.scale]
    worst, who = None, ""
    if triv and setups:
        top = max(setups, key=lambda x: x.median_s)
        worst = top.median_s / triv.median_s
        who = (f"worst: {top.name[len('setup_'):]} cut after context.start(...) "
               f"{top.median_s:.2f} s vs trivial notebook {triv.median_s:.2f} s, both whole "
               f"papermill processes")
    row("notebook overhead / trivial notebook", worst, TARGET_OVERHEAD_VS_TRIVIAL, "{:.2f}x", who)
    worst, who = None, ""
    if triv and j1:
        per = [r for r in j1.extra.get("runs_detail", []) if r.get("overhead_s") is not None]
        if per:
            top = max(per, key=lambda r: r["overhead_s"])
            worst = top["overhead_s"] / triv.median_s
            who = (f"worst: {top['report']}/{top['organisation']} {top['overhead_s']:.2f} s "
                   f"vs trivial notebook {triv.median_s:.2f} s (whole papermill process)")
            if triv.extra.get("in_kernel_s"):
                who += (f"; stricter, vs the trivial notebook's own papermill-start-to-end-of-cell "
                        f"{triv.extra['in_kernel_s']:.2f} s: "
                        f"{top['overhead_s'] / triv.extra['in_kernel_s']:.2f}x")
    row("in the suite: setup cell / trivial notebook", worst, TARGET_OVERHEAD_VS_TRIVIAL,
        "{:.2f}x", "informative: papermill start to the end of the whole setup cell inside "
        "`zwt report --jobs 1` (includes any own work the setup cell does); " + who)
    return out


# ------------------------------------------------------------------- output

def markdown(steps: list[Step], tgts: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The result as Markdown: steps table, targets table, per-notebook overheads."""
    lines = [f"# zwt benchmark ({meta['finished']})", "",
             f"Machine: {meta['cpus']} CPUs, {meta['platform']}; Python {meta['python']}; "
             f"load average at start {meta['load_start']}. Command: `{meta['command']}`.", "",
             "| scale | step | runs | wall median (s) | wall min-max (s) | CPU/wall | peak RSS (MiB) | ok |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for s in steps:
        walls = [r.wall_s for r in s.runs]
        cpu = statistics.median(r.cpu_s / r.wall_s for r in s.runs if r.wall_s > 0) \
            if any(r.wall_s > 0 for r in s.runs) else 0.0
        lines.append(f"| {s.scale:g} | {s.name} | {len(s.runs)} | {s.median_s:.2f} | "
                     f"{min(walls):.2f}-{max(walls):.2f} | {cpu:.2f} | {s.peak_bytes / MIB:.0f} | "
                     f"{'yes' if s.ok else 'NO'} |")
    lines += ["", "| target | measured | limit | verdict | note |", "| --- | ---: | ---: | --- | --- |"]
    for t in tgts:
        limit = (f"< {TARGET_INDICATORS_PEAK_BYTES / GIB:.0f} GiB" if "memory" in t["target"]
                 else f"<= {t['limit']:g}x")
        lines.append(f"| {t['target']} | {t['shown']} | {limit} | {t['verdict']} | {t['note']} |")
    checks = [s for s in steps if "cross_check" in s.extra]
    if checks:
        lines += ["", "DuckDB reference vs `zwt indicators`: " + "; ".join(
            f"scale {s.scale:g}: {s.extra['cross_check']['rows_library']} rows, "
            f"{s.extra['cross_check']['differences']} differences" for s in checks) + "."]
    j1 = _find(steps, "report_jobs1")
    if j1 and j1.extra.get("runs_detail"):
        triv = _find(steps, "trivial_notebook")
        lines += ["", "Per report run (`--jobs 1`): overhead = papermill start to the end of the "
                  "`context.start(...)` cell (kernel start, imports, parameters, setup)"
                  + (f"; trivial notebook: {triv.median_s:.2f} s whole process, "
                     f"{triv.extra.get('in_kernel_s')} s papermill start to end of its cell"
                     if triv else "") + ".", "",
                  "| report | organisation | overhead (s) | run incl. render (s) | render (s) | status |",
                  "| --- | --- | ---: | ---: | ---: | --- |"]
        for r in j1.extra["runs_detail"]:
            lines.append(f"| {r['report']} | {r['organisation']} | {r['overhead_s']} | "
                         f"{r['duration_s']} | {r['render_s']} | {r['status']} |")
    return "\n".join(lines) + "\n"


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0],
                    help="synthetic scales to measure (1 = Zaanstad; default: 1 10)")
    ap.add_argument("--report-scales", type=float, nargs="+", default=None,
                    help="scales at which the report suite runs (default: every scale of "
                         "--scales; with --only-overhead: 1)")
    ap.add_argument("--skip-report", action="store_true", help="do not run the report suite")
    ap.add_argument("--only-overhead", action="store_true",
                    help="only the per-notebook overhead (trivial notebook vs each notebook cut "
                         "after notebook.start), at the report scales: synth and clean build "
                         "the data; no indicators, DuckDB reference or report suite")
    ap.add_argument("--repeat", type=int, default=3,
                    help="repeats of the cheap steps (indicators, DuckDB, trivial notebook)")
    ap.add_argument("--repeat-expensive", type=int, default=1,
                    help="repeats of synth, clean and the report suite")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help="Markdown result file (with --only-overhead: overhead.md beside it)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="keep the generated data in this folder (default: a deleted temp folder)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print and write the table."""
    args = parse_args(argv)
    if args.report_scales is None:
        args.report_scales = [1.0] if args.only_overhead else list(args.scales)
    if args.only_overhead:
        args.scales = list(args.report_scales)
        if args.out == DEFAULT_OUT:  # keep the full run's figures
            args.out = DEFAULT_OUT.with_name("overhead.md")
    os.chdir(ROOT)
    load = os.getloadavg()
    cpus = os.cpu_count() or 1
    print(f"zwt benchmark: scales {' '.join(f'{s:g}' for s in args.scales)}"
          f"{' (notebook overhead only)' if args.only_overhead else ''}; "
          f"load average {load[0]:.1f} on {cpus} CPUs", flush=True)
    if load[0] > cpus:
        print("  warning: the machine is busy; timings will be inflated", flush=True)
    base = Path(tempfile.mkdtemp(prefix="zwt-bench-")) if args.keep is None else args.keep
    base.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []
    try:
        for scale in args.scales:
            work = base / f"scale_{scale:g}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            steps += bench_scale(scale, work, args)
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    tgts = targets(steps)
    meta = {"finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": cpus, "platform": platform.platform(), "python": platform.python_version(),
            "load_start": f"{load[0]:.1f}", "git": _git_commit(),
            "command": "python -m benchmarks.run " + " ".join(argv if argv is not None
                                                                else sys.argv[1:])}
    text = markdown(steps, tgts, meta)
    print("\n" + text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(
        {"meta": meta, "steps": [s.as_dict() for s in steps], "targets": tgts},
        indent=2, default=str) + "\n", encoding="utf-8")
    print(f"written: {args.out} and {args.out.with_suffix('.json')}")
    if not all(s.ok for s in steps):
        return 1
    if args.strict and any(t["verdict"] == "FAIL" for t in tgts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
