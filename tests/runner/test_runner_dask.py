"""The report batch on a Dask cluster, and the CLI errors of ``--dask-scheduler``.

The slow test is the documented example (docs/reports.md, "Beyond one
machine: Dask distributed"): a real Dask cluster with two worker processes
runs ``01_data_quality`` for the city and every organisation. How
``run_all`` uses a given executor is tested in test_runner_execute.py.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from zwt_analysis.runner import main as report
from zwt_analysis.runner import plan


def test_cli_dask_scheduler_errors_are_one_plain_message(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from zwt_analysis.cli import app

    args = ["report", "--processed", str(tmp_path / "p"), "--out", str(tmp_path / "out"),
            "--dask-scheduler"]
    res = CliRunner().invoke(app, args + ["no-port-here"])
    assert res.exit_code == 2
    assert "cannot reach the Dask scheduler" in res.output and "no-port-here" in res.output
    assert "Traceback" not in res.output

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    res = CliRunner().invoke(app, args + ["tcp://127.0.0.1:8786"])
    assert res.exit_code == 2
    assert "needs Dask distributed" in res.output and "[cluster]" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def _local_cluster(distributed, attempts: int = 3):
    """A LocalCluster of two worker processes. distributed gives its event-loop thread a fixed
    10 s to start; on a loaded 2-core test machine that start can miss it once (an
    AssertionError inside distributed), which says nothing about the report batch: try again."""
    for attempt in range(attempts):
        try:
            return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                            dashboard_address=None)
        except (AssertionError, TimeoutError):
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@pytest.mark.slow
@pytest.mark.xdist_group("reports")
def test_report_batch_on_a_dask_cluster(small_indicators: Path, tmp_path: Path):
    """The example of docs/reports.md on a LocalCluster of two worker processes."""
    distributed = pytest.importorskip("distributed")

    small_processed = small_indicators.parent
    orgs = plan.organisations(small_processed)
    assert len(orgs) >= 2  # city + >= 2 organisations: more runs than workers
    out = tmp_path / "reports"
    with _local_cluster(distributed) as cluster, distributed.Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
        code = report.main(processed=small_processed, out=out, only=["01_data_quality"],
                           executor=client.get_executor(pure=False))
        assert set(client.run(os.getpid).values()) == worker_pids  # no worker was replaced

    assert code == 0, (out / "zwt-report.log").read_text()
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    m = json.loads((out / "manifest.json").read_text())
    assert m["executor"] == "ClientExecutor" and m["jobs"] is None
    runs = m["runs"]
    assert sorted(r["organisation"] for r in runs) == sorted(["ALL", *orgs])
    assert all(r["status"] == "ok" for r in runs)
    hosts = {r["worker"].rsplit(":", 1)[0] for r in runs}
    pids = {int(r["worker"].rsplit(":", 1)[1]) for r in runs}
    assert hosts == {socket.gethostname()}
    assert pids == worker_pids  # every run on a Dask worker, and both workers got runs
    for r in runs:
        run_dir = out / "01_data_quality" / r["organisation"]
        for name in ("report.html", "report_code.html", "report.ipynb"):
            assert (run_dir / name).is_file(), (run_dir, name)
            assert name in r["files"]
    details = (out / "runs.html").read_text()
    assert details.count('/report.html">leesversie</a>') == len(runs)
