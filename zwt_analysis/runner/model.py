"""The runner's shared vocabulary: file names, one run (:class:`Job`) and its :class:`Result`.

Both dataclasses are picklable: a :class:`Job` is sent to a worker process
(or a Dask worker) and a :class:`Result` comes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from zwt_analysis import labels
from zwt_analysis.brief import BRIEF_FILE  # the quarterly council brief
from zwt_analysis.contract import ALL

LOG_FILE = "zwt-report.log"
MANIFEST_FILE = "manifest.json"
INDEX_FILE = "index.html"
REVIEWER_HTML = "report.html"
RESEARCHER_HTML = "report_code.html"
EXECUTED_NOTEBOOK = "report.ipynb"
#: The run details (status, parameters, CSV tables, durations), linked from the index.
RUNS_FILE = "runs.html"
#: ``docs/validation.md`` as HTML; report pages link it as ``../../validatie.html``.
VALIDATION_FILE = "validatie.html"
#: Files at the top of ``--out`` that zwt writes (other top-level files are kept).
OWN_TOP_FILES = (INDEX_FILE, MANIFEST_FILE, LOG_FILE, RUNS_FILE, BRIEF_FILE, VALIDATION_FILE)
#: Dutch words for a run's status (index, summary).
STATUS_NL = {"ok": "gelukt", "failed": "mislukt", "timeout": "time-out"}


@dataclass
class Job:
    """One notebook run with one parameter set (picklable; sent to a worker)."""

    report: str
    title: str
    organisation: str
    ipynb: str  # built notebook to execute
    run_dir: str  # output folder of this run (also the kernel's working folder)
    log_file: str
    parameters: dict[str, Any]
    kernel_name: str
    timeout: int
    start_timeout: int
    synthetic: bool
    nav: str = ""


@dataclass
class Result:
    """What a worker reports back for one :class:`Job`."""

    report: str
    title: str
    organisation: str
    parameters: dict[str, Any]
    status: str  # ok | failed | timeout
    error: str | None
    start: str
    end: str
    duration_s: float
    attempts: int
    render_s: float = 0.0
    files: list[str] = field(default_factory=list)  # relative to the run folder
    worker: str = ""  # "hostname:pid" of the process that ran the job ("" if none did)


def failed_result(job: Job, error: str, attempts: int = 1) -> Result:
    """A failed :class:`Result` for ``job`` that no worker produced (crash, not sent)."""
    return Result(job.report, job.title, job.organisation, job.parameters, "failed", error,
                  now(), now(), 0.0, attempts)


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def safe(name: str) -> str:
    """A folder name from a report or organisation name (``"A B/C"`` -> ``"A_B_C"``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "_"


def org_text(org: str) -> str:
    """An organisation parameter for readers (index, titles): ``ALL`` is ``labels.CITY_IN_INDEX``."""
    return labels.CITY_IN_INDEX if org == ALL else org
