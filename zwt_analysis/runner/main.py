"""``zwt report``: run the report notebooks with papermill and render them as HTML.

The suite is every ``notebooks/NN_name.py`` (jupytext py:percent); adding a
report is adding a file. For each notebook and each parameter set of the
matrix (by default the whole city, ``organisation="ALL"``, and every
organisation found in the processed data) the runner

1. builds the ``.ipynb`` from the py:percent source (in the build folder),
2. executes it with papermill in a separate process (kernel ``zwt``, working
   folder = the run's output folder, a time-out per cell, cell output logged),
   retrying once a kernel that fails to start,
3. renders it twice with nbconvert exporters that each worker process reuses:
   ``report.html`` for reviewers (no code, no warnings) and
   ``report_code.html`` for researchers (with code and any error),

and writes ``index.html`` (Dutch, links to everything), ``manifest.json``
(parameters, sha256 of every input, package versions, git commit, times,
status) and ``zwt-report.log``. Everything is built in a temporary folder
beside ``--out`` and swapped in at the end (:func:`zwt_analysis.fsutil.replace_folder`),
so an interrupted run leaves the previous reports untouched. A failing
notebook does not stop the others; the command exits 1 at the end when any
run failed.

The notebooks read the indicator table (``indicators.csv``, written by
``zwt indicators``); the runner does not compute it unless asked to
(``--compute-indicators``).

Layout of ``--out``::

    index.html  manifest.json  zwt-report.log
    <report>/<organisation>/report.html  report_code.html  report.ipynb  *.csv

The work is split over :mod:`.plan` (what to run), :mod:`.execute` (kernel,
runs, workers), :mod:`.render` (HTML), :mod:`.provenance` (manifest) and
:mod:`.index` (``index.html``); this module puts the steps in order.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zwt_analysis import processed as proc
from zwt_analysis.fsutil import check_replaceable, replace_folder
from zwt_analysis.runner import plan, provenance
from zwt_analysis.runner.execute import (
    KERNEL_NAME,
    START_TIMEOUT,
    ensure_kernel,
    run_all,
    skip_unused_iri_checker,
    warm_pool,
)
from zwt_analysis.runner.index import build_index
from zwt_analysis.runner.model import (
    INDEX_FILE,
    LOG_FILE,
    MANIFEST_FILE,
    OWN_TOP_FILES,
    STATUS_NL,
    Job,
    Result,
    now,
    org_text,
)
from zwt_analysis.runner.plan import STANDARD_PARAMETERS, Settings, parameters_of

__all__ = ["KERNEL_NAME", "STANDARD_PARAMETERS", "ensure_kernel", "main", "parameters_of"]

log = logging.getLogger("zwt.report")


def main(processed: Path | None = None, out: Path | None = None, only: list[str] | None = None,
         params: list[str] | None = None, jobs: int | None = None,
         indicators_file: Path | None = None, *, compute_indicators: bool = False,
         notebooks_dir: Path | None = None, timeout: int | None = None,
         kernel_name: str = KERNEL_NAME, start_timeout: int = START_TIMEOUT,
         executor: cf.Executor | None = None) -> int:
    """Run the report suite; return 0 when every run succeeded, else 1.

    Args:
        processed: folder written by ``zwt clean`` (default ``data/processed/current``).
        out: reports folder, replaced as a whole at the end (default ``reports``).
        only: report names to run (``01_data_quality`` or ``data_quality``).
        params: ``KEY=VALUE`` notebook parameters; ``organisation=X`` runs only X.
        jobs: parallel notebook processes (default: number of cores).
        indicators_file: indicator CSV (default: ``<processed>/indicators.csv``).
        compute_indicators: first run ``zwt indicators`` into that file; without
            it a missing file is an error naming that command.
        notebooks_dir: folder with the notebook sources (default
            ``$ZWT_NOTEBOOKS_DIR`` or the project's ``notebooks``).
        timeout: seconds per cell (default ``$ZWT_REPORT_TIMEOUT`` or 600).
        kernel_name: Jupyter kernel to run the notebooks with.
        start_timeout: seconds a kernel may take to start.
        executor: where the notebook runs go (e.g. ``distributed.Client.get_executor()``
            for a Dask cluster); ``None`` = ``jobs`` local processes. Every worker
            must see the processed folder, the indicator file and the folder
            holding ``out`` (the build folder with the built notebooks is made
            there) at the same paths, and have the kernel ``kernel_name``. The
            caller owns it (not shut down here). Planning, index, manifest and
            the swap stay in this process.

    Raises:
        ZwtError: missing processed data or indicator table, unknown report or
            parameter, an ``--out`` zwt may not replace.
    """
    skip_unused_iri_checker()
    s = plan.settings(processed, out, list(only or []), list(params or []), jobs, notebooks_dir,
                      timeout, kernel_name, start_timeout)
    swap = dict(protected={"--processed": s.processed_dir}, marker=MANIFEST_FILE)
    check_replaceable(s.out, **swap)  # before computing anything
    indicators = plan.indicator_file(indicators_file, s.processed_dir, compute_indicators)
    results = replace_folder(s.out, lambda build: _build(build, s, indicators, executor),
                             keep_files_except=OWN_TOP_FILES, mode=0o700, **swap)
    return _report_outcome(results, s.out)


def _build(build: Path, s: Settings, indicators: Path,
           executor: cf.Executor | None) -> list[Result]:
    """Fill ``build`` with every run, the log, the manifest and the index; return the results."""
    work = build / "_work"
    work.mkdir()
    started = now()
    with _build_log(build) as flush_log, _restored_env("JUPYTER_PATH"):
        validation = proc.read_validation(s.processed_dir)
        synthetic = proc.is_synthetic(s.processed_dir)
        log.info("zwt report: processed=%s out=%s %s timeout=%ds", s.processed_dir, s.out,
                 f"executor={type(executor).__name__}" if executor is not None
                 else f"jobs={s.jobs}", s.timeout)
        kernel = ensure_kernel(s.kernel_name, build)
        if kernel[1]:
            log.warning(kernel[1])
            print(f"zwt report: warning: {kernel[1]}", file=sys.stderr)
        # after ensure_kernel: local workers inherit its JUPYTER_PATH
        with _executor(s, executor) as (ex, own):
            notebooks, invalid = plan.build_notebooks(s.sources, work)
            plan.check_parameters(s.user, notebooks)
            orgs = plan.organisations_to_run(s.user, s.processed_dir)
            job_list = plan.make_jobs(s, notebooks, orgs, indicators, build, kernel[0], synthetic)
            log.info("%d runs: %s x %s", len(job_list), [d.name for d, _ in notebooks], orgs)
            results, prov = _run_with_provenance(job_list, s, ex)
        finished = now()
        meta = _meta(s.processed_dir, validation.get("as_of"), synthetic, finished, s.user)
        _append_job_logs(job_list, build / LOG_FILE, flush_log)
        results = sorted(results + invalid, key=lambda r: r.report)  # stable: matrix order
        provenance.write_manifest(build, provenance.manifest(
            started=started, finished=finished, meta=meta, processed_dir=s.processed_dir,
            prov=prov, indicators=indicators, notebooks=[d.source for d, _ in notebooks],
            kernel=kernel, jobs=s.jobs if own else None,
            executor="local processes" if own else type(ex).__name__, timeout=s.timeout,
            results=results))
        (build / INDEX_FILE).write_text(build_index(results, meta), encoding="utf-8")
        bad = sum(r.status != "ok" for r in results)
        log.info("finished: %d ok, %d not ok", len(results) - bad, bad)
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(build / "_kernels", ignore_errors=True)
    return results


def _run_with_provenance(job_list: list[Job], s: Settings,
                         ex: cf.Executor) -> tuple[list[Result], dict[str, Any]]:
    """Run the jobs; meanwhile hash the inputs and read package versions and git state."""
    with cf.ThreadPoolExecutor(max_workers=1) as side:
        prov = side.submit(provenance.collect, s.processed_dir)
        results = (run_all(job_list, s.jobs, provenance.previous_durations(s.out), ex)
                   if job_list else [])
        return results, prov.result()


def _meta(processed_dir: Path, as_of: str | None, synthetic: bool, finished: str,
          extra_params: dict[str, str]) -> dict[str, Any]:
    """What the index and the manifest say about the data: as-of, synthetic, period."""
    period = provenance.data_period(processed_dir)
    return {"as_of": as_of, "synthetic": synthetic,
            "period": [period[0].isoformat(), period[1].isoformat()] if period else None,
            "finished": finished, "extra_params": extra_params}


def _report_outcome(results: list[Result], out: Path) -> int:
    """Print the summary (and every run that did not succeed) on stderr; return the exit code."""
    bad = [r for r in results if r.status != "ok"]
    print(f"zwt report: {len(results) - len(bad)} of {len(results)} runs succeeded; "
          f"open {out / INDEX_FILE}", file=sys.stderr)
    for r in bad:
        print(f"  {STATUS_NL[r.status]}: {r.report} / {org_text(r.organisation)}: {r.error}",
              file=sys.stderr)
    return 1 if bad else 0


# ----------------------------------------------------------------- context managers

@contextlib.contextmanager
def _build_log(build: Path) -> Iterator[logging.Handler]:
    """Log the run (logger ``zwt.report``) into ``build/zwt-report.log``; closed on exit."""
    handler = logging.FileHandler(build / LOG_FILE, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        handler.close()
        log.removeHandler(handler)


@contextlib.contextmanager
def _restored_env(name: str) -> Iterator[None]:
    """Restore environment variable ``name`` (or its absence) on exit."""
    saved = os.environ.get(name)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


@contextlib.contextmanager
def _executor(s: Settings, given: cf.Executor | None) -> Iterator[tuple[cf.Executor, bool]]:
    """``(executor, own)``: ``given``, or a warm local pool (``own``) shut down on exit.

    The local pool has ``--jobs`` workers, fewer when only one organisation
    runs (no more workers than notebooks). On an error its pending runs are
    cancelled and it is not waited for.
    """
    if given is not None:
        yield given, False
        return
    pool = warm_pool(min(s.jobs, len(s.sources) if "organisation" in s.user else s.jobs))
    try:
        yield pool, True
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _append_job_logs(job_list: list[Job], main_log: Path, handler: logging.Handler) -> None:
    """Append each run's own log to the main log, in matrix order."""
    for job in job_list:
        logf = Path(job.log_file)
        if logf.exists():
            log.info("---- log of %s/%s ----", job.report, job.organisation)
            handler.flush()
            with open(main_log, "a", encoding="utf-8") as fh:
                fh.write(logf.read_text(encoding="utf-8"))
