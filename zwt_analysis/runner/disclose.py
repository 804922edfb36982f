"""The disclosure audit as a step of ``zwt report`` (issue 16).

After every notebook ran, and before the run counts as done, the published
CSV tables of the build folder are audited
(:func:`zwt_analysis.disclosure.audit_folder`): can a reader recompute or
narrow down a suppressed cell? The summary goes into ``manifest.json``.
With ``--disclosure fail`` (the default) a folder with an unprotected cell
is not published: the run stops, the previous reports stay, and the first
cells are named (file, row, column). With ``--disclosure warn`` the folder
is published with the same message as a warning, and the index says not to
publish it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwt_analysis.errors import ZwtError

MODES = ("fail", "warn")
#: How many unprotected cells the message and the manifest name.
FIRST = 10


@dataclass(frozen=True)
class DisclosureSummary:
    """What the audit found, for the manifest and the messages."""

    mode: str
    cells: int
    suppressed: int
    unprotected: int
    exact: int
    first: list[dict[str, Any]]  # file, row, column, shown, lower, upper, reason
    unknown_tables: list[str]
    issues: list[str]

    @property
    def ok(self) -> bool:
        """True when no cell is unprotected."""
        return self.unprotected == 0

    def as_dict(self) -> dict[str, Any]:
        """The manifest's ``disclosure`` entry."""
        return {"mode": self.mode, "cells": self.cells, "suppressed": self.suppressed,
                "unprotected": self.unprotected, "exact": self.exact,
                "first_unprotected": self.first, "unknown_tables": self.unknown_tables,
                "issues": self.issues}

    def message(self) -> str:
        """One line of counts, then the first unprotected cells (file, row, column), one a line."""
        head = (f"disclosure audit: {self.cells} cells under control, {self.suppressed} "
                f"suppressed, {self.unprotected} unprotected ({self.exact} recomputed exactly)")
        lines = [head] + [f"  {c['file']} row {c['row']} column {c['column']}: {c['reason']}"
                          for c in self.first]
        if self.unprotected > len(self.first):
            lines.append(f"  ... and {self.unprotected - len(self.first)} more "
                         "(`zwt audit-disclosure FOLDER` lists them all)")
        return "\n".join(lines)


class DisclosureFailed(ZwtError):
    """The published tables of a run let a reader recompute a suppressed cell (exit 1)."""

    exit_code = 1

    def __init__(self, summary: DisclosureSummary) -> None:
        super().__init__(summary.message())
        self.summary = summary


def _finite(x: float) -> float | None:
    """``x``, or None when it is infinite or NaN (JSON has no infinity)."""
    return x if math.isfinite(x) else None


def check_mode(mode: str) -> str:
    """``mode`` if it is ``fail`` or ``warn``.

    Raises:
        ZwtError: any other value.
    """
    if mode not in MODES:
        raise ZwtError(f"--disclosure {mode!r}: expected one of {', '.join(MODES)}")
    return mode


def audit(folder: Path, mode: str) -> DisclosureSummary:
    """Audit every published CSV below ``folder``; raise when ``mode`` is ``fail`` and a cell leaks.

    Raises:
        DisclosureFailed: ``mode == "fail"`` and at least one cell is unprotected.
    """
    from zwt_analysis.disclosure import audit_folder

    result = audit_folder(folder)
    first = [{"file": f.file, "row": f.row, "column": f.column, "shown": f.shown,
              "lower": _finite(f.lower), "upper": _finite(f.upper), "reason": f.reason}
             for f in result.unprotected[:FIRST]]
    summary = DisclosureSummary(mode, result.cells, result.suppressed, len(result.unprotected),
                                len(result.exact), first, list(result.unknown_tables),
                                list(result.issues))
    if mode == "fail" and not summary.ok:
        raise DisclosureFailed(summary)
    return summary
