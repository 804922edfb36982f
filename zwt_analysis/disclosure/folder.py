"""Read a folder of published CSV tables and audit it (``zwt audit-disclosure``).

The reports folder holds one subfolder per report and, inside, one per
organisation (``ALL`` = the city): ``reports/03_prevention/ALL/
termijnen_per_kwartaal.csv``, ``reports/03_prevention/Noord/...``. A table
name (file stem) selects its schema in :mod:`.tables`; the same table in the
folders of one report is linked (the same cells; the city as the sum of the
organisations). Tables of different reports are not linked to each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure.audit import AuditResult, audit_fragments
from zwt_analysis.disclosure.build import Fragment, Link
from zwt_analysis.disclosure.rules import Rules
from zwt_analysis.disclosure.schema import TableSchema


def read_folder(path: str | Path) -> list[Fragment]:
    """Every ``*.csv`` below ``path`` as a text :class:`Fragment`.

    The folder holding a file is its organisation (``ALL`` for files directly
    in ``path``); the folders above it, relative to ``path``, its report.

    Raises:
        FileNotFoundError: ``path`` is not a folder.
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"not a folder: {root}")
    out = []
    for csv in sorted(root.rglob("*.csv")):
        folder = csv.parent.name if csv.parent != root else ALL
        scope = csv.parent.parent.relative_to(root).as_posix() if csv.parent != root else ""
        try:
            df = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8")
        except pd.errors.EmptyDataError:
            continue
        out.append(Fragment(csv.stem, df, folder, "" if scope == "." else scope,
                            csv.relative_to(root).as_posix()))
    return out


def audit_folder(path: str | Path, schemas: Mapping[str, TableSchema] | None = None,
                 links: Sequence[Link] | None = None, rules: Rules | None = None) -> AuditResult:
    """Audit every published table below ``path`` (see :func:`.audit.audit_fragments`).

    Returns:
        The :class:`~.audit.AuditResult`; ``.unprotected`` lists the cells a
        reader can recompute or narrow down too far.
    """
    return audit_fragments(read_folder(path), schemas, links, rules)
