"""The CSV side tables of the data-quality report, protected as one linked set.

The city's report and every organisation's report print the same quantities
(clean rows of ``cases`` per quarter, filled values per column): a cell hidden
in one file must not be printed in another, and the city minus the published
organisations must give nothing back. So every run of the report computes the
tables of *every* folder (the city, ``ALL``, and each organisation in the
data), protects them in one :func:`zwt_analysis.disclosure.protect` pass, and
keeps the slice of its own folder. The pass is deterministic, so the city's
and each organisation's run print the same symbol for the same cell.

What is under control is declared in ``zwt_analysis/disclosure/tables.py``:
rows (and filled values) of ``cases`` and ``staff`` stand for clients' cases
and employees' spells; rows of the other data files, register fields, KPI
values and quarantine lines are not persons and are printed as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.reports.quality import compute

if TYPE_CHECKING:
    from zwt_analysis.disclosure import ProtectedTable

#: Tables computed per folder (the organisation's own rows; the city: all rows).
FOLDER_TABLES = ("volledigheid", "volledigheid_per_organisatie", "volledigheid_per_periode",
                 "regels_per_periode")
#: Tables that are the same in every folder (the delivery as a whole).
SHARED_TABLES = ("ingelezen", "inleesnotities", "quarantaine_redenen")
#: Every CSV side table of the report (file stems, each with a disclosure schema).
CSV_TABLES = SHARED_TABLES + FOLDER_TABLES


@dataclass
class Published:
    """This folder's side tables after suppression, and what the pass hid.

    Attributes:
        tables: file stem -> protected table (``.csv()`` to write and show,
            ``.masked()`` for figures and text).
        folders: every folder protected together (``ALL`` first).
        cells: cells under disclosure control in all folders (each copy counted).
        primary / secondary: suppressed cells in all folders.
        issues: relations left out because they did not hold on the data.
    """

    tables: dict[str, ProtectedTable]
    folders: list[str]
    cells: int = 0
    primary: int = 0
    secondary: int = 0
    issues: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> ProtectedTable:
        return self.tables[name]

    @property
    def suppressed_share(self) -> float:
        """Suppressed / controlled cells over all folders (0 when nothing is controlled)."""
        return (self.primary + self.secondary) / self.cells if self.cells else 0.0


def organisations(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Sorted organisations named in any table with an organisation column (not ALL or empty).

    The same set the report runner runs an organisation report for.
    """
    found: set[str] = set()
    for df in tables.values():
        if "organisation" in df.columns:
            found |= {str(o) for o in df["organisation"].dropna().unique() if str(o) not in ("", ALL)}
    return sorted(found)


def select(tables: Mapping[str, pd.DataFrame], folder: str) -> dict[str, pd.DataFrame]:
    """The rows of ``folder``'s organisation (all rows for ``ALL``; tables without an
    organisation column whole, as ``ReportContext.filter_org`` does)."""
    if folder == ALL:
        return dict(tables)
    return {t: df[df["organisation"] == folder] if "organisation" in df.columns else df
            for t, df in tables.items()}


def folder_frames(tables: Mapping[str, pd.DataFrame], folder: str,
                  first_year: int | None = None) -> dict[str, pd.DataFrame]:
    """The internal (unsuppressed) :data:`FOLDER_TABLES` of one folder.

    ``first_year``: staff spells that started before it share one period
    (:func:`zwt_analysis.reports.quality.compute.period_of`).
    """
    sel = select(tables, folder)
    return {
        "volledigheid": compute.completeness_all(sel),
        "volledigheid_per_organisatie": compute.completeness_all(sel, by=["organisation"]),
        "volledigheid_per_periode": compute.completeness_all(sel, by=["period"],
                                                             first_year=first_year),
        "regels_per_periode": compute.rows_by_period(sel, first_year=first_year),
    }


def protect_all(tables: Mapping[str, pd.DataFrame], shared: Mapping[str, pd.DataFrame],
                folder: str, first_year: int | None = None) -> Published:
    """Protect the side tables of the city and every organisation at once; keep ``folder``'s.

    Args:
        tables: the processed tables, all organisations (not filtered).
        shared: the :data:`SHARED_TABLES` frames (the same in every folder).
        folder: this report's folder: ``ALL`` or an organisation (one not in
            the data is protected with the others, its tables empty).
        first_year: the first year of data (see :func:`folder_frames`).

    Returns:
        :class:`Published` with this folder's tables.

    Raises:
        zwt_analysis.disclosure.DisclosureError: a cell no suppression protects.
    """
    from zwt_analysis.disclosure import protect

    folders = [ALL, *organisations(tables)]
    if folder not in folders:
        folders.append(folder)
    frames: dict[tuple[str, str], pd.DataFrame] = {}
    for f in folders:
        frames.update({(name, f): df for name, df in folder_frames(tables, f, first_year).items()})
        frames.update({(name, f): df for name, df in shared.items()})
    prot = protect(frames)
    return Published(
        tables={name: prot[(name, folder)] for name in CSV_TABLES if (name, folder) in prot.tables},
        folders=folders, cells=prot.cells, primary=prot.primary, secondary=prot.secondary,
        issues=list(prot.issues))
