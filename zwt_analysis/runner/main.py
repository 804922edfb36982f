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
beside ``--out`` and swapped in at the end, so an interrupted run leaves the
previous reports untouched. A failing notebook does not stop the others; the
command exits 1 at the end when any run failed.

Layout of ``--out``::

    index.html  manifest.json  zwt-report.log
    <report>/<organisation>/report.html  report_code.html  report.ipynb  *.csv
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import contextlib
import copy
import hashlib
import html
import json
import logging
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from zwt_analysis import config
from zwt_analysis.contract import ALL, TABLES
from zwt_analysis.errors import ZwtError

log = logging.getLogger("zwt.report")

KERNEL_NAME = "zwt"
DEFAULT_TIMEOUT = 600  # seconds per cell
START_TIMEOUT = 120  # seconds for a kernel to start
NOTEBOOK_GLOB = "[0-9][0-9]_*.py"
LOG_FILE = "zwt-report.log"
MANIFEST_FILE = "manifest.json"
INDEX_FILE = "index.html"
REVIEWER_HTML = "report.html"
RESEARCHER_HTML = "report_code.html"
EXECUTED_NOTEBOOK = "report.ipynb"
#: Parameters every report notebook declares; the runner sets them.
STANDARD_PARAMETERS = ("processed_dir", "indicators_file", "organisation", "output_dir")
#: Cells dropped from the reviewer version.
REVIEWER_REMOVE_TAGS = ("remove_cell", "hide", "parameters", "injected-parameters",
                        "papermill-error-cell-tag")
PACKAGES = ("zwt-analysis", "pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "statsmodels",
            "scipy", "duckdb", "papermill", "nbclient", "nbconvert", "nbformat", "jupytext",
            "ipykernel", "jupyter_client")
STATUS_NL = {"ok": "gelukt", "failed": "mislukt", "timeout": "time-out"}
#: Files at the top of ``--out`` that a previous zwt run wrote (others are kept).
_OWN_TOP_FILES = (INDEX_FILE, MANIFEST_FILE, LOG_FILE)


# ----------------------------------------------------------------- discovery

@dataclass(frozen=True)
class Notebook:
    """One report notebook of the suite."""

    name: str  # file stem, e.g. "01_data_quality"
    source: Path
    title: str
    parameters: dict[str, Any]  # declared parameters and their defaults


def short_name(name: str) -> str:
    """``"01_data_quality"`` -> ``"data_quality"``."""
    return re.sub(r"^\d\d_", "", name)


def discover(notebooks_dir: Path) -> list[Path]:
    """The suite's notebook sources, ``NN_*.py`` in ``notebooks_dir``, sorted by name."""
    return sorted(p for p in Path(notebooks_dir).glob(NOTEBOOK_GLOB) if p.is_file())


def select(paths: list[Path], only: list[str]) -> list[Path]:
    """Keep the notebooks named in ``only`` (``01_data_quality`` or ``data_quality``).

    Raises:
        ZwtError: a name matches no notebook.
    """
    if not only:
        return paths
    chosen = []
    for want in only:
        want = want.removesuffix(".py")
        hits = [p for p in paths if want in (p.stem, short_name(p.stem))]
        if not hits:
            known = ", ".join(p.stem for p in paths) or "(none)"
            raise ZwtError(f"--only {want}: no such report; known: {known}")
        chosen += [p for p in hits if p not in chosen]
    return [p for p in paths if p in chosen]


def parameters_of(cells: list[Any]) -> dict[str, Any]:
    """Names and literal defaults of the one cell tagged ``parameters``.

    Raises:
        ValueError: no or several parameters cells, or a value that is not a
            plain literal.
    """
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ValueError(f"expected exactly one cell tagged 'parameters', found {len(tagged)}")
    out: dict[str, Any] = {}
    for node in ast.parse(tagged[0].source).body:
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError as err:
                raise ValueError(f"parameter {node.targets[0].id} is not a plain literal") from err
            for t in node.targets:
                out[t.id] = value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = ast.literal_eval(node.value) if node.value else None
    return out


def _title_of(source: str, default: str) -> str:
    m = re.search(r"start\(\s*title\s*=\s*(['\"])(.+?)\1", source)
    return m.group(2) if m else default


def load_notebook(path: Path) -> tuple[Notebook, Any]:
    """Read a py:percent source with jupytext; return its description and the notebook."""
    import jupytext

    nb = jupytext.read(path)
    text = path.read_text(encoding="utf-8")
    desc = Notebook(path.stem, path, _title_of(text, short_name(path.stem).replace("_", " ")),
                    parameters_of(nb.cells))
    return desc, nb


def parse_param(raw: str, default: Any) -> Any:
    """Convert a ``--param`` value to the type of the notebook's default.

    Text defaults keep the text as given; booleans accept true/false/yes/no/ja/nee/1/0;
    numbers are parsed as numbers; anything else as a Python literal, else text.

    Raises:
        ZwtError: the value does not fit the type of the default.
    """
    try:
        if isinstance(default, bool):
            low = raw.strip().lower()
            if low in ("true", "yes", "ja", "1"):
                return True
            if low in ("false", "no", "nee", "0"):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise ZwtError(f"--param value {raw!r} is not a {type(default).__name__}") from None
    if isinstance(default, str) or default is None:
        return raw
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


def split_params(params: list[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` -> ``{"a": "1", "b": "x=y"}``.

    Raises:
        ZwtError: an item without ``=`` or with an empty or non-identifier key.
    """
    out = {}
    for item in params:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ZwtError(f"--param {item!r}: expected KEY=VALUE")
        out[key] = value
    return out


# ----------------------------------------------------------------- inputs

def organisations(processed_dir: Path) -> list[str]:
    """Sorted distinct organisations in the processed tables that have the column."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    found: set[str] = set()
    for name, table in TABLES.items():
        path = processed_dir / f"{name}.parquet"
        if "organisation" in table.column_names and path.exists():
            col = pq.read_table(path, columns=["organisation"]).column("organisation")
            found |= {v for v in pc.unique(col).to_pylist() if v not in (None, "", ALL)}
    return sorted(found)


def data_period(processed_dir: Path) -> tuple[date, date] | None:
    """First and last date of the work recorded: reported cases and registered hours.

    (Staff start dates reach back decades and are not the monitoring period.)
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    lows, highs = [], []
    for name, col in (("cases", "date_report"), ("time_registrations", "date")):
        path = processed_dir / f"{name}.parquet"
        if path.exists():
            mm = pc.min_max(pq.read_table(path, columns=[col]).column(col)).as_py()
            if mm["min"] is not None:
                lows.append(mm["min"])
                highs.append(mm["max"])
    if not lows:
        return None
    return min(lows).date(), max(highs).date()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_hashes(processed_dir: Path) -> dict[str, str]:
    """sha256 of every file in the processed folder (relative path -> hex digest)."""
    return {p.relative_to(processed_dir).as_posix(): sha256_file(p)
            for p in sorted(processed_dir.rglob("*")) if p.is_file()}


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a report depends on, plus Python."""
    out = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_state(root: Path = config.PROJECT_ROOT) -> dict[str, Any]:
    """Commit and dirty flag of the project's git work tree (empty when unavailable)."""
    env = os.environ | {"GIT_OPTIONAL_LOCKS": "0"}  # read only: never refresh the index
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True, env=env).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=10, check=True, env=env).stdout.strip() != ""
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"commit": commit, "dirty": dirty}


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


# ----------------------------------------------------------------- worker side

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


_EXPORTERS: dict[str, Any] = {}


def _exporters() -> dict[str, Any]:
    """HTML exporters, built once per process and reused for every notebook."""
    if not _EXPORTERS:
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

        class ReviewerPreprocessor(Preprocessor):
            """Drop warnings (stderr), tracebacks and code cells left without output."""

            def preprocess(self, nb, resources):
                cells = []
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        cell.outputs = [o for o in cell.get("outputs", [])
                                        if o.get("output_type") != "error"
                                        and not (o.get("output_type") == "stream"
                                                 and o.get("name") == "stderr")]
                        if not cell.outputs:
                            continue
                    cells.append(cell)
                nb.cells = cells
                return nb, resources

        common = dict(template_name="zwt", extra_template_basedirs=[str(config.RESOURCES_DIR /
                                                                        "nbconvert")],
                      embed_images=True)
        reviewer = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                                exclude_output_prompt=True, **common)
        reviewer.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=set(REVIEWER_REMOVE_TAGS), enabled=True),
            enabled=True)
        reviewer.register_preprocessor(ReviewerPreprocessor(), enabled=True)
        _EXPORTERS["reviewer"] = reviewer
        _EXPORTERS["researcher"] = HTMLExporter(**common)
    return _EXPORTERS


def _status_cell(status: str, error: str | None, timeout: int) -> Any:
    import nbformat

    if status == "timeout":
        what = f"een cel deed er langer over dan de ingestelde tijdslimiet ({timeout} s)"
    else:
        what = "er trad een fout op"
    text = (f"<div style='border:2px solid #b00020;padding:0.6em 1em;margin:0.5em 0'>"
            f"<b>Let op: dit rapport is niet volledig uitgevoerd</b> — {what}. "
            f"Wat hieronder staat is onvolledig. Foutmelding: <code>{html.escape(error or '')}"
            f"</code>. De onderzoekersversie (met code) toont waar het misging.</div>")
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": ["zwt-status"]})


def render(nb: Any, job: Job, status: str, error: str | None) -> list[str]:
    """Write the reviewer and researcher HTML of an executed notebook; return file names."""
    nb = copy.deepcopy(nb)
    if status != "ok":
        nb.cells.insert(0, _status_cell(status, error, job.timeout))
    nb.metadata["title"] = f"{job.title} — {org_label(job.organisation)}"
    resources = {"zwt": {"synthetic": job.synthetic, "nav": job.nav}}
    run_dir = Path(job.run_dir)
    files = []
    for kind, fname in (("reviewer", REVIEWER_HTML), ("researcher", RESEARCHER_HTML)):
        body, _ = _exporters()[kind].from_notebook_node(copy.deepcopy(nb),
                                                        resources=copy.deepcopy(resources))
        (run_dir / fname).write_text(body, encoding="utf-8")
        files.append(fname)
    return files


def _cells_ran(path: Path) -> bool:
    import nbformat

    if not path.exists():
        return False
    nb = nbformat.read(path, as_version=4)
    return any(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def run_job(job: Job) -> Result:
    """Execute one notebook with papermill and render it (runs in a worker process)."""
    skip_unused_iri_checker()
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    run_dir = Path(job.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    out_nb = run_dir / EXECUTED_NOTEBOOK
    handler = logging.FileHandler(job.log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s {job.report}/{job.organisation} %(levelname)s %(message)s"))
    loggers = [logging.getLogger("papermill"), log]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # The kernel inherits this worker's stderr: send it (kernel warnings) to the run's log.
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    log_fd = os.open(job.log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    started, t0 = _now(), time.perf_counter()
    status, error, attempts = "ok", None, 0
    try:
        for attempts in (1, 2):
            try:
                pm.execute_notebook(
                    job.ipynb, str(out_nb), parameters=job.parameters,
                    kernel_name=job.kernel_name, language="python", cwd=str(run_dir),
                    log_output=True,
                    progress_bar=False, execution_timeout=job.timeout,
                    start_timeout=job.start_timeout,
                    # outputs are all in once the last cell ends: stop the kernel
                    # at once instead of the graceful handshake (~0.6 s per run)
                    shutdown_kernel="immediate")
                status, error = "ok", None
                break
            except PapermillExecutionError as err:
                status, error = "failed", f"{err.ename}: {err.evalue}"[:2000]
                break
            except CellTimeoutError:
                status, error = "timeout", f"cel liep langer dan {job.timeout} s"
                break
            except Exception as err:  # noqa: BLE001 - any other failure is reported, not raised
                status, error = "failed", f"{type(err).__name__}: {err}"[:2000]
                if attempts == 1 and not _cells_ran(out_nb):
                    log.warning("kernel failed to start (%s); retrying once", error)
                    continue
                break
        log.info("executed: %s%s", status, f" ({error})" if error else "")
        t1 = time.perf_counter()
        try:
            if out_nb.exists():
                nb = nbformat.read(out_nb, as_version=4)
                # no temporary build paths in what is kept (reproducible output)
                pmeta = nb.metadata.get("papermill", {})
                pmeta.update(input_path=f"{job.report}.ipynb", output_path=EXECUTED_NOTEBOOK)
                nbformat.write(nb, out_nb)
            else:
                nb = nbformat.read(job.ipynb, as_version=4)
            files = render(nb, job, status, error)
        except Exception as err:  # noqa: BLE001
            log.exception("rendering failed")
            status, error = "failed", f"HTML rendering failed: {type(err).__name__}: {err}"
            files = []
        render_s = time.perf_counter() - t1
        files += sorted(p.name for p in run_dir.glob("*.csv"))
        if out_nb.exists():
            files.append(EXECUTED_NOTEBOOK)
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
        handler.close()
        sys.stderr.flush()
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
    return Result(job.report, job.title, job.organisation, job.parameters, status, error,
                  started, _now(), round(time.perf_counter() - t0, 3), attempts,
                  round(render_s, 3), files, f"{socket.gethostname()}:{os.getpid()}")


# ----------------------------------------------------------------- output side

def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def org_label(org: str) -> str:
    """Dutch label of an organisation parameter (``ALL`` -> the whole city)."""
    return "Hele gemeente" if org == ALL else org


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "_"


def _nl_date(d: date) -> str:
    from zwt_analysis.present.fmt import nl_date

    return nl_date(d)


INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:1em 1.5em 3em}
.banner{position:sticky;top:0;z-index:10;background:#b00020;color:#fff;font-weight:bold;
text-align:center;padding:.5em 1em;letter-spacing:.03em}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.ok{color:#1b7a1b;font-weight:bold}.failed,.timeout{color:#b00020;font-weight:bold}
.meta{color:#555}.err{font-size:.85em;color:#b00020;font-family:monospace}
code{font-size:.9em}
"""


def build_index(results: list[Result], meta: dict[str, Any]) -> str:
    """The Dutch ``index.html`` linking every report, grouped by report and organisation."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="nl"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>Monitor sociale wijkteams Zaanstad — rapporten</title>",
             f"<style>{INDEX_CSS}</style></head><body>"]
    if meta["synthetic"]:
        parts.append('<div class="banner" role="alert">SYNTHETISCHE DATA — geen echte cijfers'
                     "</div>")
    n_bad = sum(r.status != "ok" for r in results)
    period = meta.get("period")
    parts += ["<main>", "<h1>Monitor sociale wijkteams Zaanstad — rapporten</h1>",
              '<p class="meta">',
              f"<b>Peildatum:</b> {esc(_nl_date(date.fromisoformat(meta['as_of'])))}"
              if meta.get("as_of") else "<b>Peildatum:</b> onbekend"]
    if period:
        parts.append(f" &middot; <b>Periode in de data:</b> "
                     f"{esc(_nl_date(date.fromisoformat(period[0])))} t/m "
                     f"{esc(_nl_date(date.fromisoformat(period[1])))}")
    made = datetime.fromisoformat(meta["finished"])
    parts.append(f"<br><b>Gemaakt:</b> {esc(_nl_date(made.date()))}, "
                 f"{made:%H:%M} UTC &middot; "
                 f"<b>Runs:</b> {len(results)}, waarvan {len(results) - n_bad} gelukt"
                 + (f", <span class='failed'>{n_bad} mislukt</span>" if n_bad else "")
                 + "</p>")
    if meta.get("extra_params"):
        parts.append("<p class='meta'><b>Extra parameters:</b> " + ", ".join(
            f"<code>{esc(k)}={esc(str(v))}</code>" for k, v in meta["extra_params"].items())
            + "</p>")
    parts.append("<p>Per rapport twee versies: de <b>leesversie</b> (tekst, tabellen en "
                 "figuren) en de <b>versie met code</b> voor onderzoekers. De CSV-tabellen "
                 "zijn voor publicatie beveiligd: aantallen onder 5 personen staan als "
                 "<code>&lt;5</code>.</p>")
    reports: dict[str, list[Result]] = {}
    for r in results:
        reports.setdefault(r.report, []).append(r)
    for report, rows in reports.items():
        parts.append(f"<h2>{esc(rows[0].title)} <span class='meta' style='font-size:.6em'>"
                     f"({esc(report)})</span></h2>")
        parts.append("<table><tr><th>Organisatie</th><th>Status</th><th>Rapport</th>"
                     "<th>Tabellen (CSV)</th><th>Parameters</th><th>Duur</th></tr>")
        for r in rows:
            base = f"{_safe(report)}/{_safe(r.organisation)}"
            links = []
            if REVIEWER_HTML in r.files:
                links.append(f'<a href="{base}/{REVIEWER_HTML}">leesversie</a>')
            if RESEARCHER_HTML in r.files:
                links.append(f'<a href="{base}/{RESEARCHER_HTML}">met code</a>')
            csvs = [f'<a href="{base}/{esc(f)}">{esc(f)}</a>' for f in r.files
                    if f.endswith(".csv")]
            own = {k: v for k, v in r.parameters.items()
                   if k not in ("processed_dir", "output_dir", "indicators_file")}
            params = "<br>".join(f"<code>{esc(k)}={esc(repr(v))}</code>" for k, v in own.items())
            status = f"<span class='{r.status}'>{STATUS_NL.get(r.status, r.status)}</span>"
            if r.error:
                status += f"<div class='err'>{esc(r.error[:300])}</div>"
            parts.append(f"<tr><td>{esc(org_label(r.organisation))}</td><td>{status}</td>"
                         f"<td>{' &middot; '.join(links) or '—'}</td>"
                         f"<td>{'<br>'.join(csvs) or '—'}</td><td>{params}</td>"
                         f"<td>{r.duration_s:.0f} s</td></tr>")
        parts.append("</table>")
    parts.append(f"<p class='meta'>Details van elke run (invoerbestanden met sha256, "
                 f"pakketversies, git-commit): <a href='{MANIFEST_FILE}'>{MANIFEST_FILE}</a>; "
                 f"logboek: <a href='{LOG_FILE}'>{LOG_FILE}</a>.</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


# ----------------------------------------------------------------- output folder

def _check_out(out: Path, processed_dir: Path) -> None:
    """Refuse an ``--out`` that zwt may not replace as a whole."""
    out_r, proc_r = out.resolve(), processed_dir.resolve()
    if out_r == proc_r or proc_r in out_r.parents or out_r in proc_r.parents:
        raise ZwtError(f"--out {out} may not be, contain or lie inside --processed {processed_dir}")
    if out_r in (config.PROJECT_ROOT, Path.home(), Path("/")):
        raise ZwtError(f"--out {out}: refusing to replace this folder; use a reports folder")
    if out.exists() and not out.is_dir():
        raise ZwtError(f"--out {out} exists and is not a folder")
    if out.is_dir() and not (out / MANIFEST_FILE).exists():
        foreign = [p.name for p in out.iterdir()
                   if not p.name.startswith(".") and p.name.lower() not in ("readme.md",)]
        if foreign:
            raise ZwtError(f"--out {out} holds files that zwt did not write "
                           f"({', '.join(sorted(foreign)[:5])}); choose an empty or new folder")


def _clean_stale_builds(out: Path) -> None:
    """Remove build folders of earlier runs into ``out`` whose process no longer exists."""
    for d in out.parent.glob(f".{out.name}.build-*"):
        pid_file = d / ".pid"
        try:
            pid = int(pid_file.read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (OSError, ValueError):
            continue


def _swap_in(build: Path, out: Path) -> None:
    """Replace ``out`` by ``build``; top-level files zwt did not write (README) are kept."""
    if out.is_dir():
        for p in out.iterdir():
            if p.is_file() and p.name not in _OWN_TOP_FILES and not (build / p.name).exists():
                shutil.copy2(p, build / p.name)
        old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
        out.rename(old)
        build.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        build.rename(out)


# ----------------------------------------------------------------- main

def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, desc="zwt report", unit="run", file=sys.stderr, disable=None)


def _prepare_indicators(indicators_file: Path | None, processed_dir: Path, work: Path,
                        sources: list[Path]) -> Path | None:
    """Indicator CSV the notebooks read: given, in processed, or computed once here."""
    if indicators_file is not None:
        if not Path(indicators_file).is_file():
            raise ZwtError(f"--indicators {indicators_file}: file not found")
        return Path(indicators_file).resolve()
    default = processed_dir / "indicators.csv"
    if default.is_file():
        return default
    if not any("indicators()" in p.read_text(encoding="utf-8") for p in sources):
        return None
    from zwt_analysis import indicators as ind

    log.info("no indicators.csv in %s: computing the indicator table once", processed_dir)
    path = work / "indicators.csv"
    ind.compute_from_processed(processed_dir).to_csv(path, index=False)
    return path


def _indicator_record(path: Path | None, work: Path) -> dict[str, str] | None:
    if path is None:
        return None
    where = "computed by the runner" if path.parent == work else str(path)
    return {"path": where, "sha256": sha256_file(path)}


def main(processed: Path | None = None, out: Path | None = None, only: list[str] | None = None,
         params: list[str] | None = None, jobs: int | None = None,
         indicators_file: Path | None = None, *, notebooks_dir: Path | None = None,
         timeout: int | None = None, kernel_name: str = KERNEL_NAME,
         start_timeout: int = START_TIMEOUT, executor: cf.Executor | None = None) -> int:
    """Run the report suite; return 0 when every run succeeded, else 1.

    Args:
        processed: folder written by ``zwt clean`` (default ``data/processed/current``).
        out: reports folder, replaced as a whole at the end (default ``reports``).
        only: report names to run (``01_data_quality`` or ``data_quality``).
        params: ``KEY=VALUE`` notebook parameters; ``organisation=X`` runs only X.
        jobs: parallel notebook processes (default: number of cores).
        indicators_file: indicator CSV (default: ``<processed>/indicators.csv``,
            else computed once).
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
        ZwtError: missing processed data, unknown report or parameter, an
            ``--out`` zwt may not replace.
    """
    skip_unused_iri_checker()
    processed_dir = Path(processed or config.CURRENT_PROCESSED_DIR).resolve()
    out = Path(out or config.REPORTS_DIR).absolute()
    nb_dir = Path(notebooks_dir or os.environ.get("ZWT_NOTEBOOKS_DIR") or config.NOTEBOOKS_DIR)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    timeout = int(timeout or os.environ.get("ZWT_REPORT_TIMEOUT") or DEFAULT_TIMEOUT)
    if not (processed_dir / "validation.json").is_file():
        raise ZwtError(f"{processed_dir}: no processed data (validation.json missing); "
                       "run `zwt clean` first")
    sources = select(discover(nb_dir), list(only or []))
    if not sources:
        raise ZwtError(f"no report notebooks ({NOTEBOOK_GLOB}) in {nb_dir}")
    user = split_params(list(params or []))
    _check_out(out, processed_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale_builds(out)

    from zwt_analysis import processed as proc

    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    (build / ".pid").write_text(str(os.getpid()))
    work = build / "_work"
    work.mkdir()
    saved_env = os.environ.get("JUPYTER_PATH")
    main_log = logging.FileHandler(build / LOG_FILE, encoding="utf-8")
    main_log.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(main_log)
    log.setLevel(logging.INFO)
    started = _now()
    pool: cf.ProcessPoolExecutor | None = None
    try:
        validation = proc.read_validation(processed_dir)
        synthetic = proc.is_synthetic(processed_dir)
        where = (f"executor={type(executor).__name__}" if executor is not None
                 else f"jobs={jobs}")
        log.info("zwt report: processed=%s out=%s %s timeout=%ds", processed_dir, out, where,
                 timeout)
        kernel, note = ensure_kernel(kernel_name, build)
        if note:
            log.warning(note)
            print(f"zwt report: warning: {note}", file=sys.stderr)
        if executor is None:  # after ensure_kernel: the workers inherit its JUPYTER_PATH
            at_most = len(sources) if "organisation" in user else jobs
            executor = pool = warm_pool(min(jobs, at_most))
        ind_path = _prepare_indicators(indicators_file, processed_dir, work, sources)

        import jupytext

        notebooks = []
        invalid: list[Result] = []  # sources that cannot be run: failed, the others go on
        for src in sources:
            try:
                desc, nb = load_notebook(src)
            except Exception as err:  # noqa: BLE001 - reported as a failed report
                log.error("%s: cannot read the notebook: %s", src.name, err)
                invalid.append(Result(src.stem, src.stem, ALL, {}, "failed",
                                      f"notebook cannot be read: {type(err).__name__}: {err}",
                                      _now(), _now(), 0.0, 0))
                continue
            ipynb = work / f"{src.stem}.ipynb"
            jupytext.write(nb, ipynb, fmt="ipynb")
            notebooks.append((desc, ipynb))
        unknown = set(user) - {k for d, _ in notebooks for k in d.parameters}
        if unknown:
            raise ZwtError(f"--param {', '.join(sorted(unknown))}: no selected notebook has "
                           "this parameter")
        found = organisations(processed_dir)
        orgs = [str(user["organisation"])] if "organisation" in user else [ALL] + found
        for org in orgs:
            if org != ALL and org not in found:
                msg = f"organisation {org!r} does not occur in the processed data ({found})"
                log.warning(msg)
                print(f"zwt report: warning: {msg}", file=sys.stderr)

        job_list: list[Job] = []
        for desc, ipynb in notebooks:
            for org in orgs:
                run_dir = build / _safe(desc.name) / _safe(org)
                pars = {k: parse_param(v, desc.parameters[k]) for k, v in user.items()
                        if k in desc.parameters and k != "organisation"}
                # output_dir "" = the kernel's working folder, the run folder: no
                # temporary build path ends up in the reports.
                pars |= {"processed_dir": str(processed_dir), "organisation": org,
                         "output_dir": "",
                         "indicators_file": str(ind_path) if ind_path else ""}
                job_list.append(Job(
                    desc.name, desc.title, org, str(ipynb), str(run_dir),
                    str(work / f"{_safe(desc.name)}__{_safe(org)}.log"), pars, kernel, timeout,
                    start_timeout, synthetic,
                    nav='<a href="../../index.html">&larr; alle rapporten</a>'))
        log.info("%d runs: %s x %s", len(job_list), [d.name for d, _ in notebooks], orgs)

        # provenance (hashes of the inputs, package versions, git) while the notebooks run
        with cf.ThreadPoolExecutor(max_workers=1) as side:
            provenance = side.submit(lambda: {"inputs": input_hashes(processed_dir),
                                              "packages": package_versions(),
                                              "git": git_state()})
            results = (_run_all(job_list, jobs, previous_durations(out), executor)
                       if job_list else [])
            prov = provenance.result()
        if pool is not None:
            pool.shutdown(wait=True)
        finished = _now()
        period = data_period(processed_dir)
        meta = {"as_of": validation.get("as_of"), "synthetic": synthetic,
                "period": [period[0].isoformat(), period[1].isoformat()] if period else None,
                "finished": finished, "extra_params": user}
        for job in job_list:
            logf = Path(job.log_file)
            if logf.exists():
                log.info("---- log of %s/%s ----", job.report, job.organisation)
                main_log.flush()
                with open(build / LOG_FILE, "a", encoding="utf-8") as fh:
                    fh.write(logf.read_text(encoding="utf-8"))
        results = sorted(results + invalid, key=lambda r: r.report)  # stable: matrix order
        manifest = {
            "zwt_report": 1,
            "started": started, "finished": finished,
            "as_of": validation.get("as_of"), "synthetic": synthetic,
            "data_period": meta["period"],
            "processed_dir": str(processed_dir),
            "inputs": prov["inputs"],
            "indicators_file": _indicator_record(ind_path, work),
            "notebooks": {d.name: {"source": str(d.source), "sha256": sha256_file(d.source)}
                          for d, _ in notebooks},
            "kernel": {"name": kernel, "note": note},
            "jobs": jobs if executor is None else None,
            "executor": type(executor).__name__ if executor is not None else "local processes",
            "timeout_s": timeout,
            "packages": prov["packages"],
            "git": prov["git"],
            "runs": [asdict(r) for r in results],
            "summary": {s: sum(r.status == s for r in results) for s in ("ok", "failed",
                                                                          "timeout")},
        }
        (build / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False,
                                                      default=str) + "\n", encoding="utf-8")
        (build / INDEX_FILE).write_text(build_index(results, meta), encoding="utf-8")
        bad = [r for r in results if r.status != "ok"]
        log.info("finished: %d ok, %d not ok", len(results) - len(bad), len(bad))
        main_log.close()
        log.removeHandler(main_log)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(build / "_kernels", ignore_errors=True)
        (build / ".pid").unlink(missing_ok=True)
        _swap_in(build, out)
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        main_log.close()
        log.removeHandler(main_log)
        shutil.rmtree(build, ignore_errors=True)
        raise
    finally:
        if saved_env is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = saved_env
    print(f"zwt report: {len(results) - len(bad)} of {len(results)} runs succeeded; "
          f"open {out / INDEX_FILE}", file=sys.stderr)
    for r in bad:
        print(f"  {STATUS_NL[r.status]}: {r.report} / {org_label(r.organisation)}: {r.error}",
              file=sys.stderr)
    return 1 if bad else 0


def previous_durations(out: Path) -> dict[tuple[str, str], float]:
    """Run durations recorded by the previous run into ``out`` ((report, org) -> s)."""
    try:
        runs = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["runs"]
        return {(r["report"], r["organisation"]): float(r["duration_s"]) for r in runs}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


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


#: Environment variables that cap the threads of numeric libraries in a kernel.
THREAD_CAPS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "ZWT_THREADS")


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

        _exporters()
    except Exception:  # noqa: BLE001 - the first job then meets (and reports) the same error
        pass


def _noop() -> None:
    return None


def warm_pool(workers: int) -> cf.ProcessPoolExecutor:
    """``workers`` local worker processes (spawn), started now and warmed by :func:`_warm_worker`.

    Started while the runner still prepares the jobs (indicator table,
    notebook conversion), so their interpreter start and imports (about
    1 s each) overlap with that work. The caller shuts the pool down.
    """
    pool = cf.ProcessPoolExecutor(max_workers=max(1, workers),
                                  mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_warm_worker, initargs=(workers > 1,))
    for _ in range(max(1, workers)):  # a worker is spawned per submit while none is idle
        pool.submit(_noop)
    return pool


def _run_all(job_list: list[Job], jobs: int,
             durations: dict[tuple[str, str], float] | None = None,
             executor: cf.Executor | None = None) -> list[Result]:
    """Run every job; results in the order of ``job_list``.

    Jobs are submitted longest first (:func:`submission_order`). Without
    ``executor`` they run in ``jobs`` local worker processes (spawn); with one
    (e.g. ``distributed.Client.get_executor()``) they are submitted to it and
    ``jobs`` is ignored; the caller owns it (it is not shut down here). A
    future that fails (crashed or lost worker, a job that cannot be sent) is
    one failed run; the others go on. On an interrupt the pending runs are
    cancelled.
    """
    results: list[Result | None] = [None] * len(job_list)
    order = submission_order(job_list, durations or {})
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(_progress(len(job_list)))
        if executor is None:
            executor = stack.enter_context(cf.ProcessPoolExecutor(
                max_workers=min(jobs, len(job_list)),
                mp_context=multiprocessing.get_context("spawn")))
            own = True
        else:
            own = False
        futures: dict[cf.Future[Result], int] = {}
        try:
            for i in order:
                try:
                    fut = executor.submit(run_job, job_list[i])
                except Exception as err:  # noqa: BLE001 - not sent: one failed run
                    fut = cf.Future()
                    fut.set_exception(err)
                futures[fut] = i
            for fut in cf.as_completed(futures):
                i = futures[fut]
                job = job_list[i]
                try:
                    results[i] = fut.result()
                except Exception as err:  # noqa: BLE001 - a crashed worker is one failed run
                    results[i] = Result(job.report, job.title, job.organisation, job.parameters,
                                        "failed", f"worker crashed: {type(err).__name__}: {err}",
                                        _now(), _now(), 0.0, 1)
                r = results[i]
                log.info("%s/%s: %s in %.1f s%s%s", r.report, r.organisation, r.status,
                         r.duration_s, f" on {r.worker}" if r.worker else "",
                         f" ({r.error})" if r.error else "")
                bar.set_postfix_str(f"{r.report}/{r.organisation} {r.status}")
                bar.update(1)
        except BaseException:
            for fut in futures:
                fut.cancel()
            if own:
                executor.shutdown(wait=False, cancel_futures=True)
            raise
    return [r for r in results if r is not None]
