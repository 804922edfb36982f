"""Faults around ``zwt report`` that tests/runner/ does not cover (issue 9).

test_report.py already covers: an exception (KeyboardInterrupt) raised inside
the runner leaves the previous reports, a stale build of a dead process is
removed, two runs from threads of one process into two folders, and a
hanging notebook hitting its time-out. Here, with real processes:

* the whole ``zwt report`` process group killed with SIGKILL in the middle of
  a notebook (no Python clean-up runs at all) leaves the previous reports
  byte for byte; the next run removes the dead build folder and succeeds;
* two ``zwt report`` processes started at the same time into two folders
  do not interfere.

The faults of ``zwt clean`` are in tests/ingest/test_clean_faults.py.

The test notebooks are tiny; the runner finds them through
``ZWT_NOTEBOOKS_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HEADER = """# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python (zwt)
#     language: python
#     name: zwt
# ---

# %% tags=["parameters"]
processed_dir = ""
indicators_file = ""
organisation = "ALL"
output_dir = ""
"""

OK_NOTEBOOK = HEADER + """
# %%
import time
from zwt_analysis import present
from zwt_analysis.reports import context
ctx = context.start(title="Storingsproef", params=dict(processed_dir=processed_dir,
    indicators_file=indicators_file, organisation=organisation, output_dir=output_dir))
time.sleep(2)  # long enough for two runs to overlap
ctx.save_table(ctx.table("areas")[["team"]].assign(run=organisation), "teams")
"""

# Writes a marker with its pid, then waits. When its parent (the runner's worker) is
# killed it ends itself: Jupyter starts kernels in their own session, so killing the
# runner's process group does not reach them.
SLOW_NOTEBOOK = HEADER + """
# %%
import os, time
parent = os.getppid()
with open("started.txt", "w") as fh:
    fh.write(str(os.getpid()))
for _ in range(1200):
    time.sleep(0.1)
    if os.getppid() != parent:
        os._exit(0)
"""


def zwt() -> str:
    exe = Path(sys.executable).parent / "zwt"
    if not exe.exists():
        pytest.skip(f"the zwt script is not installed next to {sys.executable}")
    return str(exe)


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def notebooks(folder: Path, **sources: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sources.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return folder


def run_report(processed: Path, out: Path, nbs: Path, **popen) -> subprocess.Popen:
    env = os.environ | {"ZWT_NOTEBOOKS_DIR": str(nbs), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([zwt(), "report", "--processed", str(processed), "--out", str(out),
                             "--jobs", "1", "--param", "organisation=ALL"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, **popen)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.mark.slow
def test_sigkill_mid_run_leaves_previous_reports(small_processed, small_indicators, tmp_path):
    out = tmp_path / "reports"
    good = run_report(small_processed, out, notebooks(tmp_path / "nb_ok", **{"01_ok": OK_NOTEBOOK}))
    log, _ = good.communicate(timeout=300)
    assert good.returncode == 0, log
    (out / "README.md").write_text("kept by the team\n")
    before = snapshot(out)
    assert "01_ok/ALL/report.html" in before and "01_ok/ALL/teams.csv" in before

    slow_nbs = notebooks(tmp_path / "nb_slow", **{"01_slow": SLOW_NOTEBOOK})
    entries = set(tmp_path.iterdir())
    slow = run_report(small_processed, out, slow_nbs)
    kernel_pid = None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and slow.poll() is None:
            markers = [p for p in tmp_path.rglob("started.txt") if p.read_text()]
            if markers:
                kernel_pid = int(markers[0].read_text())
                break
            time.sleep(0.2)
        assert kernel_pid, f"the slow notebook never started: {slow.poll()}"
        os.killpg(slow.pid, signal.SIGKILL)  # the runner and its workers, no clean-up
        slow.wait(timeout=30)
    finally:
        if slow.poll() is None:
            os.killpg(slow.pid, signal.SIGKILL)
            slow.wait(timeout=30)
    assert slow.returncode == -signal.SIGKILL

    assert snapshot(out) == before, "the killed run changed the previous reports"
    leftovers = set(tmp_path.iterdir()) - entries  # the dead run's build folder
    deadline = time.monotonic() + 30  # the orphaned kernel notices and ends itself
    while _alive(kernel_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(kernel_pid):  # pragma: no cover - never leave a process behind
        os.kill(kernel_pid, signal.SIGKILL)
        pytest.fail("the orphaned kernel did not end")

    again = run_report(small_processed, out, tmp_path / "nb_ok")
    log, _ = again.communicate(timeout=300)
    assert again.returncode == 0, log
    assert not [p.name for p in leftovers if p.exists()], "the dead run's build was not removed"
    assert set(tmp_path.iterdir()) == entries, "the second run left something beside --out"
    assert (out / "README.md").read_text() == "kept by the team\n"
    assert (out / "01_ok/ALL/report.html").is_file()


@pytest.mark.slow
def test_two_processes_into_two_folders_at_once(small_processed, small_indicators, tmp_path):
    nbs = notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    outs = [tmp_path / "left" / "reports", tmp_path / "right" / "reports"]
    procs = [run_report(small_processed, o, nbs) for o in outs]
    logs = []
    try:
        for p in procs:
            logs.append(p.communicate(timeout=300)[0])
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=30)
    assert [p.returncode for p in procs] == [0, 0], logs
    names = [sorted(snapshot(o)) for o in outs]
    assert names[0] == names[1]
    for o in outs:
        m = json.loads((o / "manifest.json").read_text(encoding="utf-8"))
        assert m["summary"] == {"ok": 1, "failed": 0, "timeout": 0}
        (run,) = m["runs"]
        assert sorted(run["files"]) == ["report.html", "report.ipynb", "report_code.html",
                                        "teams.csv"]
        assert (o / "01_ok/ALL/teams.csv").read_text() == (outs[0] / "01_ok/ALL/teams.csv").read_text()
        log = (o / "zwt-report.log").read_text(encoding="utf-8")
        assert f"out={o}" in log
        other = outs[1] if o == outs[0] else outs[0]
        assert str(other) not in log, "one run logged the other's work"
        assert not list(o.parent.glob(".reports.zwt-tmp-*"))
