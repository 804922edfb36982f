"""The report batch on an executor other than the local process pool.

The slow test is the documented example (docs/reports.md, "Beyond one
machine: Dask distributed"): a real Dask cluster with two worker processes
runs ``01_data_quality`` for the city and every organisation. The fast tests
check how ``_run_all`` uses a given executor and the CLI errors of
``--dask-scheduler``.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import socket
import sys
from pathlib import Path

import pytest

from zwt_analysis.runner import main as report


def _job(report_name: str, org: str) -> report.Job:
    return report.Job(report_name, "Titel", org, "x.ipynb", "run", "run.log",
                      {"organisation": org}, "zwt", 1, 1, True)


class InlineExecutor(cf.Executor):
    """Runs each call at submission, in the calling thread; records the order."""

    def __init__(self) -> None:
        self.submitted: list[str] = []
        self.shut_down = False

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        self.submitted.append(f"{args[0].report}/{args[0].organisation}")
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as err:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(err)
        return fut

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.shut_down = True


def test_given_executor_gets_longest_first_and_a_failed_future_is_one_failed_run(monkeypatch):
    def fake_run_job(job: report.Job) -> report.Result:
        if job.organisation == "DOCK":
            raise RuntimeError("worker lost")
        return report.Result(job.report, job.title, job.organisation, job.parameters, "ok",
                             None, "s", "e", 2.5, 1, 0.5, ["report.html"], "node7:4242")

    monkeypatch.setattr(report, "run_job", fake_run_job)
    jobs = [_job("01_a", "ALL"), _job("01_a", "DOCK"), _job("02_b", "ALL"), _job("02_b", "SMD")]
    history = {("02_b", "SMD"): 40.0, ("01_a", "DOCK"): 30.0, ("01_a", "ALL"): 5.0}
    ex = InlineExecutor()
    results = report._run_all(jobs, jobs=8, durations=history, executor=ex)

    assert ex.submitted == ["02_b/SMD", "01_a/DOCK", "01_a/ALL", "02_b/ALL"]
    assert not ex.shut_down  # the caller owns the executor
    assert [(r.report, r.organisation, r.status) for r in results] == [
        ("01_a", "ALL", "ok"), ("01_a", "DOCK", "failed"), ("02_b", "ALL", "ok"),
        ("02_b", "SMD", "ok")]
    bad = results[1]
    assert bad.error == "worker crashed: RuntimeError: worker lost"
    assert (bad.worker, bad.attempts, bad.files, bad.parameters) == ("", 1, [],
                                                                     {"organisation": "DOCK"})
    assert results[0].worker == "node7:4242"


def test_job_that_cannot_be_submitted_is_one_failed_run(monkeypatch):
    class Refusing(InlineExecutor):
        def submit(self, fn, /, *args, **kwargs):
            if args[0].organisation == "SMD":
                raise TypeError("cannot pickle 'Job'")
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(report, "run_job", lambda job: report.Result(
        job.report, job.title, job.organisation, {}, "ok", None, "s", "e", 1.0, 1))
    results = report._run_all([_job("01_a", "SMD"), _job("01_a", "ALL")], 1, {}, Refusing())
    assert [(r.organisation, r.status, r.error) for r in results] == [
        ("SMD", "failed", "worker crashed: TypeError: cannot pickle 'Job'"),
        ("ALL", "ok", None)]


def test_thread_pool_executor_works_too(monkeypatch):
    """Any concurrent.futures executor will do; results keep the job order."""
    monkeypatch.setattr(report, "run_job", lambda job: report.Result(
        job.report, job.title, job.organisation, {}, "ok", None, "s", "e", 1.0, 1,
        worker=job.organisation))
    jobs = [_job("01_a", org) for org in ("ALL", "A", "B", "C", "D")]
    with cf.ThreadPoolExecutor(3) as pool:
        results = report._run_all(jobs, 1, None, pool)
    assert [r.worker for r in results] == ["ALL", "A", "B", "C", "D"]


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


@pytest.mark.slow
@pytest.mark.xdist_group("reports")
def test_report_batch_on_a_dask_cluster(small_processed: Path, tmp_path: Path):
    """The example of docs/reports.md on a LocalCluster of two worker processes."""
    distributed = pytest.importorskip("distributed")

    orgs = report.organisations(small_processed)
    assert len(orgs) >= 2  # city + >= 2 organisations: more runs than workers
    out = tmp_path / "reports"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
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
    index = (out / "index.html").read_text()
    assert index.count('/report.html">leesversie</a>') == len(runs)
