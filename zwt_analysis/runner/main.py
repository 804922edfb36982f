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

then audits the published CSV tables for disclosure (:mod:`.disclose`;
``--disclosure fail`` keeps a leaking folder from being published), and
writes ``index.html`` (Dutch: a guide with each report's question and
answer), ``runs.html`` (the run details), ``kwartaalbrief.html`` (the
council brief, :mod:`zwt_analysis.brief`), ``validatie.html`` (the method
validation), ``manifest.json`` (parameters, sha256 of every input, package
versions, git commit, times, status, the disclosure audit) and
``zwt-report.log``. Everything is built in a temporary folder beside
``--out`` (with the usual permissions: readable by colleagues as the umask
allows) and swapped in at the end (:func:`zwt_analysis.fsutil.replace_folder`),
so an interrupted run leaves the previous reports untouched. A failing
notebook does not stop the others; the command exits 1 at the end when any
run failed.

The notebooks read the indicator table (``indicators.csv``, written by
``zwt indicators``); the runner does not compute it unless asked to
(``--compute-indicators``).

Layout of ``--out``::

    index.html  runs.html  kwartaalbrief.html  validatie.html  manifest.json  zwt-report.log
    <report>/<organisation>/report.html  report_code.html  report.ipynb  *.csv

The work is split over :mod:`.plan` (what to run), :mod:`.execute` (kernel,
runs, workers), :mod:`.render` (HTML), :mod:`.provenance` (manifest),
:mod:`.disclose` (the audit), :mod:`.kern` (each report's answer),
:mod:`.index` (``index.html``, ``runs.html``) and :mod:`.pages`
(``validatie.html``); this module puts the steps in order.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwt_analysis import processed as proc
from zwt_analysis.errors import ZwtError
from zwt_analysis.fsutil import check_replaceable, replace_folder
from zwt_analysis.runner import disclose, plan, provenance
from zwt_analysis.runner.disclose import DisclosureFailed, DisclosureSummary
from zwt_analysis.runner.execute import (
    KERNEL_NAME,
    START_TIMEOUT,
    ensure_kernel,
    run_all,
    skip_unused_iri_checker,
    warm_pool,
)
from zwt_analysis.runner.index import build_index, build_runs_page
from zwt_analysis.runner.kern import kern_of_run
from zwt_analysis.runner.model import (
    BRIEF_FILE,
    EXECUTED_NOTEBOOK,
    INDEX_FILE,
    LOG_FILE,
    MANIFEST_FILE,
    OWN_TOP_FILES,
    REVIEWER_HTML,
    RUNS_FILE,
    STATUS_NL,
    VALIDATION_FILE,
    Job,
    Result,
    now,
    org_text,
    safe,
)
from zwt_analysis.runner.plan import STANDARD_PARAMETERS, Settings, parameters_of

__all__ = ["KERNEL_NAME", "STANDARD_PARAMETERS", "ensure_kernel", "main", "parameters_of"]

log = logging.getLogger("zwt.report")


def main(processed: Path | None = None, out: Path | None = None, only: list[str] | None = None,
         params: list[str] | None = None, jobs: int | None = None,
         indicators_file: Path | None = None, *, compute_indicators: bool = False,
         notebooks_dir: Path | None = None, timeout: int | None = None,
         kernel_name: str = KERNEL_NAME, start_timeout: int = START_TIMEOUT,
         executor: cf.Executor | None = None, disclosure: str = "fail",
         municipality_file: Path | None = None) -> int:
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
        disclosure: ``fail`` (default): when the audit of the published CSV
            tables finds an unprotected cell, nothing is published (the
            previous reports stay) and the result is 1, naming the first
            cells; ``warn``: published anyway, the same message as a warning
            and a "niet publiceren" notice on the index.
        municipality_file: an own ``municipality.yaml`` (name, code, horizon),
            passed to the notebooks as ``$ZWT_MUNICIPALITY_FILE`` (local
            workers; on a cluster set it on the workers).

    Raises:
        ZwtError: missing processed data or indicator table, unknown report or
            parameter, an ``--out`` zwt may not replace.
    """
    skip_unused_iri_checker()
    disclose.check_mode(disclosure)
    s = plan.settings(processed, out, list(only or []), list(params or []), jobs, notebooks_dir,
                      timeout, kernel_name, start_timeout)
    swap = dict(protected={"--processed": s.processed_dir}, marker=MANIFEST_FILE)
    check_replaceable(s.out, **swap)  # before computing anything
    if municipality_file is not None and not Path(municipality_file).is_file():
        raise ZwtError(f"--municipality {municipality_file}: no such file")
    indicators = plan.indicator_file(indicators_file, s.processed_dir, compute_indicators)
    mun = {"ZWT_MUNICIPALITY_FILE": str(Path(municipality_file).resolve())} \
        if municipality_file is not None else {}
    try:
        with _restored_env("ZWT_MUNICIPALITY_FILE"):
            os.environ.update(mun)
            # the folder gets the usual permissions (umask): colleagues may read the reports
            outcome = replace_folder(
                s.out, lambda build: _build(build, s, indicators, executor, disclosure),
                keep_files_except=OWN_TOP_FILES, **swap)
    except DisclosureFailed as err:
        print(f"zwt report: {err}", file=sys.stderr)
        print(f"zwt report: not published: the tables above let a reader recompute a small "
              f"count; {s.out} is unchanged (run with --disclosure warn to inspect the "
              "folder)", file=sys.stderr)
        return 1
    return _report_outcome(outcome, s.out)


@dataclass(frozen=True)
class Outcome:
    """What a finished build reports: the runs, the disclosure audit, a brief that failed."""

    results: list[Result]
    disclosure: DisclosureSummary
    brief_error: str | None = None


def _build(build: Path, s: Settings, indicators: Path, executor: cf.Executor | None,
           disclosure: str = "fail") -> Outcome:
    """Fill ``build`` with every run, the pages, the log and the manifest; return the outcome.

    Raises:
        DisclosureFailed: ``disclosure == "fail"`` and the audit found an unprotected cell
            (nothing is published).
    """
    work = build / "_work"
    work.mkdir()
    started = now()
    with _build_log(build) as flush_log, _restored_env("JUPYTER_PATH"):
        validation = proc.read_validation(s.processed_dir)
        synthetic = proc.is_synthetic(s.processed_dir)
        log.info("zwt report: processed=%s out=%s %s timeout=%ds disclosure=%s", s.processed_dir,
                 s.out, f"executor={type(executor).__name__}" if executor is not None
                 else f"jobs={s.jobs}", s.timeout, disclosure)
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
            results, prov, brief_error = _run_with_provenance(job_list, s, ex, build, indicators)
        finished = now()
        _append_job_logs(job_list, build / LOG_FILE, flush_log)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(build / "_kernels", ignore_errors=True)
        audit = _audit(build, disclosure)
        results = sorted(results + invalid, key=lambda r: r.report)  # stable: matrix order
        meta = _meta(s.processed_dir, validation.get("as_of"), synthetic, finished, s.user)
        meta |= {"brief": brief_error is None, "brief_error": brief_error,
                 "disclosure": audit.as_dict(), "validation": _write_validation(build)}
        provenance.write_manifest(build, provenance.manifest(
            started=started, finished=finished, meta=meta, processed_dir=s.processed_dir,
            prov=prov, indicators=indicators, notebooks=[d.source for d, _ in notebooks],
            kernel=kernel, jobs=s.jobs if own else None,
            executor="local processes" if own else type(ex).__name__, timeout=s.timeout,
            results=results))
        kerns = {(r.report, r.organisation): kern_of_run(
            build / safe(r.report) / safe(r.organisation), EXECUTED_NOTEBOOK, REVIEWER_HTML)
            for r in results}
        (build / INDEX_FILE).write_text(build_index(results, meta, kerns), encoding="utf-8")
        (build / RUNS_FILE).write_text(build_runs_page(results, meta), encoding="utf-8")
        bad = sum(r.status != "ok" for r in results)
        log.info("finished: %d ok, %d not ok", len(results) - bad, bad)
    return Outcome(results, audit, brief_error)


def _audit(build: Path, mode: str) -> DisclosureSummary:
    """The disclosure audit of the build's CSV tables, logged (raises in ``fail`` mode)."""
    try:
        audit = disclose.audit(build, mode)
    except DisclosureFailed as err:
        log.error("%s", err)
        raise
    (log.info if audit.ok else log.warning)("%s", audit.message())
    return audit


def _write_validation(build: Path) -> bool:
    """Write ``validatie.html`` from ``docs/validation.md``; False when the source is missing."""
    from zwt_analysis.runner.pages import validation_page

    page = validation_page(index_href=INDEX_FILE)
    if page is None:
        log.warning("docs/validation.md not found: no %s", VALIDATION_FILE)
        return False
    (build / VALIDATION_FILE).write_text(page, encoding="utf-8")
    return True


def _write_brief(build: Path, processed_dir: Path, indicators: Path) -> str | None:
    """Write the council brief into ``build``; the error as text when it fails (else None)."""
    from zwt_analysis.brief import write_brief

    try:
        write_brief(processed_dir, build / BRIEF_FILE, indicators, index_href=INDEX_FILE)
    except Exception as err:  # noqa: BLE001 - reported, the reports are still published
        log.exception("council brief failed")
        return f"{type(err).__name__}: {err}"
    return None


def _run_with_provenance(job_list: list[Job], s: Settings, ex: cf.Executor, build: Path,
                         indicators: Path) -> tuple[list[Result], dict[str, Any], str | None]:
    """Run the jobs; meanwhile hash the inputs, read versions and git state, write the brief."""
    with cf.ThreadPoolExecutor(max_workers=1) as side:
        prov = side.submit(provenance.collect, s.processed_dir)
        brief = side.submit(_write_brief, build, s.processed_dir, indicators)
        results = (run_all(job_list, s.jobs, provenance.previous_durations(s.out), ex)
                   if job_list else [])
        return results, prov.result(), brief.result()


def _meta(processed_dir: Path, as_of: str | None, synthetic: bool, finished: str,
          extra_params: dict[str, str]) -> dict[str, Any]:
    """What the pages and the manifest say about the data: as-of, synthetic, period, municipality."""
    from zwt_analysis.brief.build import municipality_name

    period = provenance.data_period(processed_dir)
    return {"as_of": as_of, "synthetic": synthetic,
            "period": [period[0].isoformat(), period[1].isoformat()] if period else None,
            "finished": finished, "extra_params": extra_params,
            "municipality": municipality_name(processed_dir)}


def _report_outcome(outcome: Outcome, out: Path) -> int:
    """Print the summary (and every run that did not succeed) on stderr; return the exit code."""
    results = outcome.results
    bad = [r for r in results if r.status != "ok"]
    print(f"zwt report: {len(results) - len(bad)} of {len(results)} runs succeeded; "
          f"open {out / INDEX_FILE}", file=sys.stderr)
    for r in bad:
        print(f"  {STATUS_NL[r.status]}: {r.report} / {org_text(r.organisation)}: {r.error}",
              file=sys.stderr)
    if outcome.brief_error:
        print(f"zwt report: the council brief failed: {outcome.brief_error}", file=sys.stderr)
    if not outcome.disclosure.ok:
        print(f"zwt report: warning (--disclosure warn): {outcome.disclosure.message()}\n"
              "zwt report: do not publish this folder", file=sys.stderr)
    return 1 if bad or outcome.brief_error else 0


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
