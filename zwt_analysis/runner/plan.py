"""What a ``zwt report`` run will do: notebooks, parameters, indicator file, organisations, jobs.

Nothing here executes a notebook. The suite is every ``NN_name.py``
(jupytext py:percent) in the notebooks folder; each notebook declares its
parameters in one cell tagged ``parameters``; the run matrix is every
selected notebook times the organisations (by default the whole city,
``ALL``, and every organisation in the processed data).
"""

from __future__ import annotations

import ast
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwt_analysis import config
from zwt_analysis.contract import ALL, TABLES
from zwt_analysis.errors import ZwtError
from zwt_analysis.runner.model import Job, Result, now, safe

log = logging.getLogger("zwt.report")

NOTEBOOK_GLOB = "[0-9][0-9]_*.py"
#: Parameters every report notebook declares; the runner sets them.
STANDARD_PARAMETERS = ("processed_dir", "indicators_file", "organisation", "output_dir")
#: The indicator table's file name in a processed folder (what ``zwt indicators`` writes).
INDICATORS_FILE = "indicators.csv"
DEFAULT_TIMEOUT = 600  # seconds per cell
NAV_LINK = '<a href="../../index.html">&larr; alle rapporten</a>'


@dataclass(frozen=True)
class Notebook:
    """One report notebook of the suite."""

    name: str  # file stem, e.g. "01_data_quality"
    source: Path
    title: str
    parameters: dict[str, Any]  # declared parameters and their defaults


@dataclass(frozen=True)
class Settings:
    """The checked options of one ``zwt report`` run."""

    processed_dir: Path
    out: Path
    sources: list[Path]  # selected notebook sources
    user: dict[str, str]  # --param KEY=VALUE, values as given
    jobs: int
    timeout: int
    kernel_name: str
    start_timeout: int


# ----------------------------------------------------------------- notebooks

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


def build_notebooks(sources: list[Path], work: Path) -> tuple[list[tuple[Notebook, Path]],
                                                               list[Result]]:
    """Write each source as ``work/<stem>.ipynb``; return (notebook, ipynb) pairs.

    A source that cannot be read (no parameters cell, a syntax error) is not
    fatal: it becomes one failed :class:`Result` in the second list and the
    others go on.
    """
    import jupytext

    notebooks, invalid = [], []
    for src in sources:
        try:
            desc, nb = load_notebook(src)
        except Exception as err:  # noqa: BLE001 - reported as a failed report
            log.error("%s: cannot read the notebook: %s", src.name, err)
            invalid.append(Result(src.stem, src.stem, ALL, {}, "failed",
                                  f"notebook cannot be read: {type(err).__name__}: {err}",
                                  now(), now(), 0.0, 0))
            continue
        ipynb = work / f"{src.stem}.ipynb"
        jupytext.write(nb, ipynb, fmt="ipynb")
        notebooks.append((desc, ipynb))
    return notebooks, invalid


# ----------------------------------------------------------------- parameters

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


def check_parameters(user: dict[str, str], notebooks: list[tuple[Notebook, Path]]) -> None:
    """Every ``--param`` key must be declared by at least one selected notebook.

    Raises:
        ZwtError: naming the keys no notebook declares.
    """
    unknown = set(user) - {k for d, _ in notebooks for k in d.parameters}
    if unknown:
        raise ZwtError(f"--param {', '.join(sorted(unknown))}: no selected notebook has "
                       "this parameter")


# ----------------------------------------------------------------- inputs

def settings(processed: Path | None, out: Path | None, only: list[str], params: list[str],
             jobs: int | None, notebooks_dir: Path | None, timeout: int | None,
             kernel_name: str, start_timeout: int) -> Settings:
    """Resolve the defaults of a run and check what can be checked before anything is built.

    Raises:
        ZwtError: no processed data (``validation.json``), an unknown report in
            ``only``, no notebooks, or a malformed ``--param``.
    """
    processed_dir = Path(processed or config.CURRENT_PROCESSED_DIR).resolve()
    nb_dir = Path(notebooks_dir or os.environ.get("ZWT_NOTEBOOKS_DIR") or config.NOTEBOOKS_DIR)
    if not (processed_dir / "validation.json").is_file():
        raise ZwtError(f"{processed_dir}: no processed data (validation.json missing); "
                       "run `zwt clean` first")
    sources = select(discover(nb_dir), list(only))
    if not sources:
        raise ZwtError(f"no report notebooks ({NOTEBOOK_GLOB}) in {nb_dir}")
    return Settings(
        processed_dir=processed_dir, out=Path(out or config.REPORTS_DIR).absolute(),
        sources=sources, user=split_params(list(params)),
        jobs=max(1, int(jobs or os.cpu_count() or 1)),
        timeout=int(timeout or os.environ.get("ZWT_REPORT_TIMEOUT") or DEFAULT_TIMEOUT),
        kernel_name=kernel_name, start_timeout=start_timeout)


def indicator_file(given: Path | None, processed_dir: Path, compute: bool = False) -> Path:
    """The indicator CSV the notebooks read: ``given``, else ``<processed_dir>/indicators.csv``.

    The runner does not compute indicators itself. With ``compute`` it first
    runs the ``zwt indicators`` step (:func:`zwt_analysis.indicators.main`)
    into that file, replacing it; without, the file must exist.

    Raises:
        ZwtError: the file is missing (the message names the command that
            writes it), or computing it fails.
    """
    target = Path(given).resolve() if given is not None else processed_dir / INDICATORS_FILE
    if compute:
        from zwt_analysis import indicators

        log.info("--compute-indicators: zwt indicators --processed %s --out %s", processed_dir,
                 target)
        try:
            indicators.main(processed=processed_dir, out=target)
        except OSError as err:
            raise ZwtError(f"{target}: cannot write the indicator table "
                           f"({err.strerror or err})") from None
        return target
    if not target.is_file():
        what = f"--indicators {given}" if given is not None else f"{processed_dir}"
        raise ZwtError(f"{what}: no indicator table {target.name}; run `zwt indicators "
                       f"--processed {processed_dir} --out {target}` first (or pass "
                       "--compute-indicators)")
    return target


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


def organisations_to_run(user: dict[str, str], processed_dir: Path) -> list[str]:
    """``[ALL]`` and every organisation in the data, or only ``--param organisation=X``.

    An organisation given that does not occur in the data is run anyway, with
    a warning (logged and on stderr).
    """
    found = organisations(processed_dir)
    orgs = [str(user["organisation"])] if "organisation" in user else [ALL] + found
    for org in orgs:
        if org != ALL and org not in found:
            msg = f"organisation {org!r} does not occur in the processed data ({found})"
            log.warning(msg)
            print(f"zwt report: warning: {msg}", file=sys.stderr)
    return orgs


# ----------------------------------------------------------------- jobs

def make_jobs(s: Settings, notebooks: list[tuple[Notebook, Path]], orgs: list[str],
              indicators: Path, build: Path, kernel: str, synthetic: bool) -> list[Job]:
    """One :class:`Job` per notebook and organisation, in suite order.

    Each run writes into ``build/<report>/<organisation>`` (also the kernel's
    working folder, so ``output_dir`` is ``""`` and no temporary build path
    ends up in the reports) and logs to ``build/_work/<report>__<org>.log``.
    ``--param`` values are converted to the type of the notebook's default.
    """
    work = build / "_work"
    job_list = []
    for desc, ipynb in notebooks:
        for org in orgs:
            pars = {k: parse_param(v, desc.parameters[k]) for k, v in s.user.items()
                    if k in desc.parameters and k != "organisation"}
            pars |= {"processed_dir": str(s.processed_dir), "organisation": org,
                     "output_dir": "", "indicators_file": str(indicators)}
            job_list.append(Job(
                desc.name, desc.title, org, str(ipynb), str(build / safe(desc.name) / safe(org)),
                str(work / f"{safe(desc.name)}__{safe(org)}.log"), pars, kernel,
                s.timeout, s.start_timeout, synthetic, nav=NAV_LINK))
    return job_list
