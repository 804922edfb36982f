"""Faults while ``zwt clean`` writes (issue 9), with real processes where it matters.

``zwt clean`` failing while writing (disk full after the first file) ends in
one plain message and leaves ``--out`` as it was; ``zwt clean`` killed with
SIGKILL while writing leaves ``--out`` as it was too, and the next run removes
the dead run's temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zwt_analysis.cli import app
from zwt_analysis.ingest import output


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------- zwt clean

STAFF = ("employee_id,organisation,team,fte,start_date\n"
         "E1,DOCK,T1,1,2024-01-01\nE2,SMD,T2,0.5,2024-02-01\n")
CASES = ("case_id,client_id,organisation,team,legal_framework,date_report\n"
         "C1,123456782,DOCK,T1,wmo,2024-03-01\n")


def _clean_folders(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    (raw / "staff.csv").write_text(STAFF)
    (raw / "cases.csv").write_text(CASES)
    out.mkdir()
    (out / "validation.json").write_text('{"from": "the previous run"}')
    (out / "staff.parquet").write_bytes(b"previous bytes")
    return raw, out, snapshot(out)


def test_clean_failing_mid_write_leaves_out_and_says_so(tmp_path, monkeypatch):
    raw, out, before = _clean_folders(tmp_path)
    real_write = output.write_table  # writes one processed table
    written = []

    def disk_full(*args, **kwargs):
        if written:
            raise OSError(28, "No space left on device")
        real_write(*args, **kwargs)
        written.append(args)

    monkeypatch.setattr(output, "write_table", disk_full)
    result = CliRunner().invoke(app, ["clean", "--raw", str(raw), "--out", str(out)],
                                env={"ZWT_PSEUDONYM_KEY": "k"})
    assert written, "the fault was not injected mid-write"
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines == [f"zwt: error: {out}: cannot write the output folder (No space left on device)"]
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed", "raw"]  # no temp folder


KILLED_CLEAN = """
import sys, time, pathlib
from zwt_analysis.ingest import clean, output
real = output.write_table
def slow(*args, **kwargs):
    real(*args, **kwargs)
    pathlib.Path(sys.argv[3]).write_text("writing")
    time.sleep(120)
output.write_table = slow
clean.main(raw=pathlib.Path(sys.argv[1]), out=pathlib.Path(sys.argv[2]))
"""


@pytest.mark.slow
def test_clean_killed_mid_write_leaves_out(tmp_path):
    raw, out, before = _clean_folders(tmp_path)
    marker = tmp_path / "writing.txt"
    env = os.environ | {"ZWT_PSEUDONYM_KEY": "k"}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_CLEAN, str(raw), str(out), str(marker)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), f"clean never reached the writing step ({proc.poll()})"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert snapshot(out) == before, "the killed clean changed --out"
    # the next run replaces --out as a whole
    env_run = CliRunner().invoke(app, ["clean", "--raw", str(raw), "--out", str(out)],
                                 env={"ZWT_PSEUDONYM_KEY": "k"})
    assert env_run.exit_code == 0, env_run.output
    assert "staff.parquet" in snapshot(out) and "from" not in (out / "validation.json").read_text()
    # like `zwt report` with its dead builds, the next run removes the dead run's temporary
    # folder: it holds (pseudonymised) person data that nobody would ever clean up
    left = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("raw", "processed",
                                                                        marker.name))
    assert left == [], f"the killed run's temporary folder was never removed: {left}"
