"""Running the jobs: the Jupyter kernel, one papermill run per job, and the worker pool.

:func:`run_job` runs in a worker process (local, spawned, or a Dask worker):
it executes one notebook with papermill (a time-out per cell, cell output
logged, a kernel that fails to start retried once) and renders both HTML
versions (:mod:`zwt_analysis.runner.render`). :func:`run_all` sends every job
to an executor, longest first, and turns a crashed worker into one failed run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import logging
import multiprocessing
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zwt_analysis.contract import ALL
from zwt_analysis.runner.model import EXECUTED_NOTEBOOK, Job, Result, failed_result, now
from zwt_analysis.runner.render import exporters, render

log = logging.getLogger("zwt.report")

KERNEL_NAME = "zwt"
START_TIMEOUT = 120  # seconds for a kernel to start
#: Environment variables that cap the threads of numeric libraries in a kernel.
THREAD_CAPS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "ZWT_THREADS")


# ----------------------------------------------------------------- kernel

def ensure_kernel(name: str, build: Path) -> tuple[str, str | None]:
    """Kernel name to run with, and a warning when falling back.

    When the kernelspec ``name`` (registered by ``make install``) is missing,
    a kernelspec for the current interpreter is written into the build folder
    and put on ``JUPYTER_PATH`` (the caller restores the environment).
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        spec = None
    if spec is not None:
        exe = Path(spec.argv[0])
        note = None
        if exe.is_absolute() and exe.resolve() != Path(sys.executable).resolve():
            note = (f"kernel {name!r} runs {exe}, not this interpreter {sys.executable}; "
                    "re-run `make install` if the environments differ")
        return name, note
    kdir = build / "_kernels" / "kernels" / name
    kdir.mkdir(parents=True, exist_ok=True)
    (kdir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({name}, fallback)", "language": "python"}), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(build / "_kernels")] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
                                     if p])
    return name, (f"kernelspec {name!r} not installed (run `make install`); using the current "
                  f"interpreter {sys.executable} through a temporary kernelspec")


def skip_unused_iri_checker() -> None:
    """Keep jsonschema from loading ``rfc3987_syntax`` (about 0.8 s per process).

    papermill, jupytext and nbconvert validate notebooks with nbformat, which
    uses jsonschema; when the optional ``rfc3987_syntax`` is installed,
    jsonschema builds its IRI grammar on import. nbformat's schemas use no
    ``iri`` format, so marking that module absent changes no validation. Does
    nothing once jsonschema has been imported.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


# ----------------------------------------------------------------- one job (worker side)

@contextlib.contextmanager
def _job_logging(job: Job) -> Iterator[None]:
    """Send papermill's and the runner's log, and this process's stderr, to the job's log.

    The kernel inherits the worker's stderr (file descriptor 2), so kernel
    warnings end up in the run's log too. Everything is restored on exit.
    """
    handler = logging.FileHandler(job.log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s {job.report}/{job.organisation} %(levelname)s %(message)s"))
    loggers = [logging.getLogger("papermill"), log]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    log_fd = os.open(job.log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
        handler.close()
        sys.stderr.flush()
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)


def _cells_ran(path: Path) -> bool:
    import nbformat

    if not path.exists():
        return False
    nb = nbformat.read(path, as_version=4)
    return any(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def _execute(job: Job, out_nb: Path) -> tuple[str, str | None, int]:
    """Run the notebook with papermill into ``out_nb``; return (status, error, attempts).

    A kernel that fails before any cell ran is started once more; a failing
    cell (``failed``) or a cell over the time-out (``timeout``) is not retried.
    """
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    status, error, attempts = "ok", None, 0
    for attempts in (1, 2):
        try:
            pm.execute_notebook(
                job.ipynb, str(out_nb), parameters=job.parameters,
                kernel_name=job.kernel_name, language="python", cwd=job.run_dir,
                log_output=True, progress_bar=False, execution_timeout=job.timeout,
                start_timeout=job.start_timeout,
                # outputs are all in once the last cell ends: stop the kernel
                # at once instead of the graceful handshake (~0.6 s per run)
                shutdown_kernel="immediate")
            return "ok", None, attempts
        except PapermillExecutionError as err:
            return "failed", f"{err.ename}: {err.evalue}"[:2000], attempts
        except CellTimeoutError:
            return "timeout", f"cel liep langer dan {job.timeout} s", attempts
        except Exception as err:  # noqa: BLE001 - any other failure is reported, not raised
            status, error = "failed", f"{type(err).__name__}: {err}"[:2000]
            if attempts == 1 and not _cells_ran(out_nb):
                log.warning("kernel failed to start (%s); retrying once", error)
                continue
            break
    return status, error, attempts


def _render_run(job: Job, out_nb: Path, status: str,
                error: str | None) -> tuple[str, str | None, list[str]]:
    """Clean the executed notebook's metadata and render it; return (status, error, files).

    Without an executed notebook the built one is rendered (with the notice).
    A rendering failure makes the run ``failed``.
    """
    import nbformat

    try:
        if out_nb.exists():
            nb = nbformat.read(out_nb, as_version=4)
            # no temporary build paths in what is kept (reproducible output)
            pmeta = nb.metadata.get("papermill", {})
            pmeta.update(input_path=f"{job.report}.ipynb", output_path=EXECUTED_NOTEBOOK)
            nbformat.write(nb, out_nb)
        else:
            nb = nbformat.read(job.ipynb, as_version=4)
        return status, error, render(nb, job, status, error)
    except Exception as err:  # noqa: BLE001
        log.exception("rendering failed")
        return "failed", f"HTML rendering failed: {type(err).__name__}: {err}", []


def run_job(job: Job) -> Result:
    """Execute one notebook with papermill and render it (runs in a worker process)."""
    skip_unused_iri_checker()
    run_dir = Path(job.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    out_nb = run_dir / EXECUTED_NOTEBOOK
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    with _job_logging(job):
        started, t0 = now(), time.perf_counter()
        status, error, attempts = _execute(job, out_nb)
        log.info("executed: %s%s", status, f" ({error})" if error else "")
        t1 = time.perf_counter()
        status, error, files = _render_run(job, out_nb, status, error)
        render_s = time.perf_counter() - t1
        files += sorted(p.name for p in run_dir.glob("*.csv"))
        if out_nb.exists():
            files.append(EXECUTED_NOTEBOOK)
    return Result(job.report, job.title, job.organisation, job.parameters, status, error,
                  started, now(), round(time.perf_counter() - t0, 3), attempts,
                  round(render_s, 3), files, f"{socket.gethostname()}:{os.getpid()}")


# ----------------------------------------------------------------- workers

def _warm_worker(cap_threads: bool = False) -> None:
    """Worker start-up: import papermill and build the HTML exporters before the first job.

    ``cap_threads``: with several workers on one machine, each kernel gets one
    thread for BLAS/OpenMP and DuckDB (``THREAD_CAPS``, unless already set),
    so parallel runs do not oversubscribe the cores.
    """
    if cap_threads:
        for name in THREAD_CAPS:
            os.environ.setdefault(name, "1")
    try:
        skip_unused_iri_checker()
        import papermill  # noqa: F401

        exporters()
    except Exception:  # noqa: BLE001 - the first job then meets (and reports) the same error
        pass


def _noop() -> None:
    return None


def warm_pool(workers: int) -> cf.ProcessPoolExecutor:
    """``workers`` local worker processes (spawn), started now and warmed by :func:`_warm_worker`.

    Started while the runner still prepares the jobs (notebook conversion), so
    their interpreter start and imports (about 1 s each) overlap with that
    work. The caller shuts the pool down.
    """
    pool = cf.ProcessPoolExecutor(max_workers=max(1, workers),
                                  mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_warm_worker, initargs=(workers > 1,))
    for _ in range(max(1, workers)):  # a worker is spawned per submit while none is idle
        pool.submit(_noop)
    return pool


def submission_order(job_list: list[Job], durations: dict[tuple[str, str], float]) -> list[int]:
    """Indices of ``job_list`` longest first (by the previous run), else city runs first.

    Starting the longest runs first keeps the workers busy until the end
    (longest-processing-time-first scheduling); without history the city
    runs (``ALL``, the most data) go first, the rest in suite order.
    """
    def key(i: int) -> tuple[float, int, int]:
        job = job_list[i]
        known = durations.get((job.report, job.organisation))
        return (-known if known is not None else 0.0, 0 if job.organisation == ALL else 1, i)

    return sorted(range(len(job_list)), key=key)


def _progress(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="zwt report", unit="run", file=sys.stderr, disable=None)


def progress_line(done: int, total: int, r: Result) -> str:
    """One line per finished run for logs: ``zwt report: 3/20 03_prevention Noord ok 12 s``."""
    return (f"zwt report: {done}/{total} {r.report} {r.organisation} {r.status} "
            f"{r.duration_s:.0f} s")


def _is_terminal(stream: Any) -> bool:
    """True when ``stream`` is an interactive terminal (then the progress bar shows instead)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _submit(executor: cf.Executor, job: Job) -> cf.Future[Result]:
    """``executor.submit(run_job, job)``; a job that cannot be sent gives a failed future."""
    try:
        return executor.submit(run_job, job)
    except Exception as err:  # noqa: BLE001 - not sent: one failed run
        fut: cf.Future[Result] = cf.Future()
        fut.set_exception(err)
        return fut


def _collect(fut: cf.Future[Result], job: Job) -> Result:
    """The future's :class:`Result`, or a failed one when the worker crashed; logged."""
    try:
        r = fut.result()
    except Exception as err:  # noqa: BLE001 - a crashed worker is one failed run
        r = failed_result(job, f"worker crashed: {type(err).__name__}: {err}")
    log.info("%s/%s: %s in %.1f s%s%s", r.report, r.organisation, r.status, r.duration_s,
             f" on {r.worker}" if r.worker else "", f" ({r.error})" if r.error else "")
    return r


def run_all(job_list: list[Job], jobs: int,
            durations: dict[tuple[str, str], float] | None = None,
            executor: cf.Executor | None = None) -> list[Result]:
    """Run every job; results in the order of ``job_list``.

    Jobs are submitted longest first (:func:`submission_order`). Without
    ``executor`` they run in ``jobs`` local worker processes (spawn); with one
    (e.g. ``distributed.Client.get_executor()``) they are submitted to it and
    ``jobs`` is ignored; the caller owns it (it is not shut down here). A
    future that fails (crashed or lost worker, a job that cannot be sent) is
    one failed run; the others go on. On an interrupt the pending runs are
    cancelled. On a terminal a progress bar shows on stderr; otherwise (a
    log, cron, systemd) each finished run prints one line (:func:`progress_line`).
    """
    results: list[Result | None] = [None] * len(job_list)
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(_progress(len(job_list)))
        own = executor is None
        if executor is None:
            executor = stack.enter_context(cf.ProcessPoolExecutor(
                max_workers=min(jobs, len(job_list)),
                mp_context=multiprocessing.get_context("spawn")))
        futures: dict[cf.Future[Result], int] = {}
        lines = not _is_terminal(sys.stderr)  # a log: a line per run instead of the bar
        try:
            for i in submission_order(job_list, durations or {}):
                futures[_submit(executor, job_list[i])] = i
            for done, fut in enumerate(cf.as_completed(futures), start=1):
                i = futures[fut]
                r = results[i] = _collect(fut, job_list[i])
                bar.set_postfix_str(f"{r.report}/{r.organisation} {r.status}")
                bar.update(1)
                if lines:
                    print(progress_line(done, len(job_list), r), file=sys.stderr, flush=True)
        except BaseException:
            for fut in futures:
                fut.cancel()
            if own:
                executor.shutdown(wait=False, cancel_futures=True)
            raise
    return [r for r in results if r is not None]
