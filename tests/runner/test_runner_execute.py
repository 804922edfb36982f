"""Running jobs without kernels: order, executors, crashed workers, kernel fallback, threads.

The runs themselves (papermill, kernels) are in test_runner_runs.py.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zwt_analysis.runner import execute
from zwt_analysis.runner.model import Job, Result


def _job(report_name: str, org: str) -> Job:
    return Job(report_name, "Titel", org, "x.ipynb", "run", "run.log", {"organisation": org},
               "zwt", 1, 1, True)


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


def test_submission_order_longest_first_else_city_first():
    jobs = [_job("01_a", "ALL"), _job("01_a", "DOCK"), _job("02_b", "ALL"), _job("02_b", "DOCK")]
    assert execute.submission_order(jobs, {}) == [0, 2, 1, 3]
    history = {("01_a", "DOCK"): 50.0, ("02_b", "ALL"): 10.0, ("01_a", "ALL"): 30.0}
    assert execute.submission_order(jobs, history) == [1, 0, 2, 3]


def test_given_executor_gets_longest_first_and_a_failed_future_is_one_failed_run(monkeypatch):
    def fake_run_job(job: Job) -> Result:
        if job.organisation == "DOCK":
            raise RuntimeError("worker lost")
        return Result(job.report, job.title, job.organisation, job.parameters, "ok",
                      None, "s", "e", 2.5, 1, 0.5, ["report.html"], "node7:4242")

    monkeypatch.setattr(execute, "run_job", fake_run_job)
    jobs = [_job("01_a", "ALL"), _job("01_a", "DOCK"), _job("02_b", "ALL"), _job("02_b", "SMD")]
    history = {("02_b", "SMD"): 40.0, ("01_a", "DOCK"): 30.0, ("01_a", "ALL"): 5.0}
    ex = InlineExecutor()
    results = execute.run_all(jobs, jobs=8, durations=history, executor=ex)

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

    monkeypatch.setattr(execute, "run_job", lambda job: Result(
        job.report, job.title, job.organisation, {}, "ok", None, "s", "e", 1.0, 1))
    results = execute.run_all([_job("01_a", "SMD"), _job("01_a", "ALL")], 1, {}, Refusing())
    assert [(r.organisation, r.status, r.error) for r in results] == [
        ("SMD", "failed", "worker crashed: TypeError: cannot pickle 'Job'"),
        ("ALL", "ok", None)]


def test_thread_pool_executor_works_too(monkeypatch):
    """Any concurrent.futures executor will do; results keep the job order."""
    monkeypatch.setattr(execute, "run_job", lambda job: Result(
        job.report, job.title, job.organisation, {}, "ok", None, "s", "e", 1.0, 1,
        worker=job.organisation))
    jobs = [_job("01_a", org) for org in ("ALL", "A", "B", "C", "D")]
    with cf.ThreadPoolExecutor(3) as pool:
        results = execute.run_all(jobs, 1, None, pool)
    assert [r.worker for r in results] == ["ALL", "A", "B", "C", "D"]


def test_interrupt_cancels_pending_runs(monkeypatch):
    """KeyboardInterrupt while collecting: the runs not started are cancelled, then it propagates."""
    pending: list[cf.Future] = []

    class Pending(cf.Executor):
        def submit(self, fn, /, *args, **kwargs):
            pending.append(cf.Future())
            return pending[-1]

    def interrupted(futures):
        raise KeyboardInterrupt
        yield  # pragma: no cover

    monkeypatch.setattr(execute.cf, "as_completed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        execute.run_all([_job("01_a", "ALL"), _job("01_a", "DOCK")], 1, None, Pending())
    assert len(pending) == 2 and all(f.cancelled() for f in pending)


def test_kernel_fallback_writes_temporary_kernelspec(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    name, note = execute.ensure_kernel("zwt-test-missing-kernel", tmp_path)
    spec = json.loads((tmp_path / "_kernels/kernels/zwt-test-missing-kernel/kernel.json")
                      .read_text())
    assert name == "zwt-test-missing-kernel"
    assert spec["argv"][0] == sys.executable
    assert "not installed" in note
    assert os.environ["JUPYTER_PATH"].split(os.pathsep)[0] == str(tmp_path / "_kernels")
    from jupyter_client.kernelspec import KernelSpecManager

    assert KernelSpecManager().get_kernel_spec("zwt-test-missing-kernel")


def test_skip_unused_iri_checker_keeps_notebook_validation(tmp_path: Path) -> None:
    """In a fresh process: rfc3987_syntax is not loaded, nbformat still validates and rejects."""
    code = (
        "import sys\n"
        "from zwt_analysis.runner import execute\n"
        "execute.skip_unused_iri_checker()\n"
        "import nbformat\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1')])\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['cell_type'] = 'nonsense'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "    print('accepted')\n"
        "except nbformat.ValidationError:\n"
        "    print('rejected')\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["rejected", "None"]


def test_parallel_workers_cap_kernel_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in execute.THREAD_CAPS:  # set, then delete: monkeypatch restores the original
        monkeypatch.setenv(name, "x")
        monkeypatch.delenv(name)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # set by the user: kept
    execute._warm_worker(cap_threads=True)
    assert os.environ["OPENBLAS_NUM_THREADS"] == os.environ["ZWT_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "3"
    monkeypatch.delenv("ZWT_THREADS")
    execute._warm_worker(cap_threads=False)
    assert "ZWT_THREADS" not in os.environ


def test_a_line_per_finished_run_when_stderr_is_a_log(monkeypatch, capsys):
    """No terminal (cron, systemd, a log file): ``zwt report: 2/3 01_a DOCK ok 12 s`` per run."""
    monkeypatch.setattr(execute, "run_job", lambda job: Result(
        job.report, job.title, job.organisation, {}, "failed" if job.organisation == "SMD"
        else "ok", None, "s", "e", {"ALL": 11.6, "DOCK": 0.4, "SMD": 3.0}[job.organisation], 1))
    execute.run_all([_job("01_a", o) for o in ("ALL", "DOCK", "SMD")], 1, {}, InlineExecutor())
    lines = [ln.split() for ln in capsys.readouterr().err.splitlines()
             if ln.startswith("zwt report: ")]
    assert [ln[2] for ln in lines] == ["1/3", "2/3", "3/3"]  # in the order they finished
    assert sorted(" ".join(ln[3:]) for ln in lines) == [
        "01_a ALL ok 12 s", "01_a DOCK ok 0 s", "01_a SMD failed 3 s"]


def test_no_lines_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(execute, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(execute, "run_job", lambda job: Result(
        job.report, job.title, job.organisation, {}, "ok", None, "s", "e", 1.0, 1))
    execute.run_all([_job("01_a", "ALL")], 1, {}, InlineExecutor())
    assert "zwt report: 1/1" not in capsys.readouterr().err
