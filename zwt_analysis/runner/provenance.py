"""Where a report run came from: input hashes, package versions, git state, the manifest.

``manifest.json`` records, per run of ``zwt report``: the times, the data
(as-of date, period, sha256 of every processed file and of the indicator
table), the notebooks (source and sha256), the kernel, where the runs
executed, the package versions, the git commit and every run's
:class:`~zwt_analysis.runner.model.Result`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from zwt_analysis import config
from zwt_analysis.runner.model import MANIFEST_FILE, Result

PACKAGES = ("zwt-analysis", "pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "statsmodels",
            "scipy", "duckdb", "papermill", "nbclient", "nbconvert", "nbformat", "jupytext",
            "ipykernel", "jupyter_client")


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


def collect(processed_dir: Path) -> dict[str, Any]:
    """``inputs`` (hashes), ``packages`` and ``git``: the slow part, run beside the notebooks."""
    return {"inputs": input_hashes(processed_dir), "packages": package_versions(),
            "git": git_state()}


def data_period(processed_dir: Path) -> tuple[date, date] | None:
    """First and last date of the work recorded: reported cases and registered hours.

    (Staff start dates reach back decades and are not the monitoring period.)
    ``None`` when neither table is there or both are empty.
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


def previous_durations(out: Path) -> dict[tuple[str, str], float]:
    """Run durations recorded by the previous run into ``out`` ((report, org) -> s)."""
    try:
        runs = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["runs"]
        return {(r["report"], r["organisation"]): float(r["duration_s"]) for r in runs}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def manifest(*, started: str, finished: str, meta: dict[str, Any], processed_dir: Path,
             prov: dict[str, Any], indicators: Path, notebooks: list[Path],
             kernel: tuple[str, str | None], jobs: int | None, executor: str, timeout: int,
             results: list[Result]) -> dict[str, Any]:
    """The manifest of one run of the suite (a JSON-ready dict, keys in a fixed order).

    ``meta`` holds ``as_of``, ``synthetic`` and ``period`` (ISO dates or
    ``None``) and, when known, ``municipality``, ``brief`` / ``brief_error``
    and ``disclosure`` (the audit's summary: cells, suppressed, unprotected,
    the first unprotected cells); ``prov`` is :func:`collect`'s answer;
    ``kernel`` is (name, warning); ``jobs`` is the number of local worker processes, ``None``
    when the runs went to an executor given by the caller (named ``executor``).
    """
    return {
        "zwt_report": 1,
        "started": started, "finished": finished,
        "as_of": meta["as_of"], "synthetic": meta["synthetic"],
        "data_period": meta["period"],
        "processed_dir": str(processed_dir),
        "inputs": prov["inputs"],
        "indicators_file": {"path": str(indicators), "sha256": sha256_file(indicators)},
        "notebooks": {p.stem: {"source": str(p), "sha256": sha256_file(p)} for p in notebooks},
        "kernel": {"name": kernel[0], "note": kernel[1]},
        "jobs": jobs,
        "executor": executor,
        "timeout_s": timeout,
        "packages": prov["packages"],
        "git": prov["git"],
        "runs": [asdict(r) for r in results],
        "summary": {s: sum(r.status == s for r in results) for s in ("ok", "failed", "timeout")},
        "municipality": meta.get("municipality"),
        "brief": {"written": bool(meta.get("brief")), "error": meta.get("brief_error")},
        "disclosure": meta.get("disclosure"),
    }


def write_manifest(folder: Path, content: dict[str, Any]) -> Path:
    """Write ``content`` as ``folder/manifest.json`` (indented UTF-8, non-ASCII kept)."""
    path = folder / MANIFEST_FILE
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path
