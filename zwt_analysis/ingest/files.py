"""The files of a raw folder: which table each one is, and which match no table.

A table is read from ``<table>.csv`` or ``<table>.xlsx`` (name matched
case-insensitively). A file that looks like an export but whose name matches
no table (``Cases 2025-06.csv``, ``time_registrations (1).csv``) is not read;
it is listed with the table it most likely belongs to, so the user can rename
it. The likely table is found from the name with copy marks, dates and
numbers taken out, the Dutch names in ``resources/file_names.yaml`` and a
close-spelling match.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zwt_analysis import config
from zwt_analysis.contract import TABLES
from zwt_analysis.errors import FatalInputError

#: File types a raw table may come in.
RAW_SUFFIXES = (".csv", ".xlsx")
#: Old or other spreadsheet formats refused with a clear message.
UNSUPPORTED_SUFFIXES = (".xls", ".xlsm", ".ods")
#: Files with these suffixes that match no table are listed as not read.
EXPORT_SUFFIXES = (*RAW_SUFFIXES, *UNSUPPORTED_SUFFIXES, ".txt", ".tsv")
FILE_NAMES = "file_names.yaml"
#: Closest spelling accepted as "most likely" (difflib ratio).
CUTOFF = 0.75


@dataclass(frozen=True)
class RawFolder:
    """What a raw folder holds: one file per delivered table, files matching no table."""

    files: dict[str, Path]
    #: ``(file name, most likely table or None)`` for export-like files matching no table.
    unmatched: list[tuple[str, str | None]]
    #: Fatal problems found (every one, not only the first).
    problems: list[str]


def scan_raw_folder(raw: Path) -> RawFolder:
    """Sort the files of ``raw`` into tables, unmatched files and fatal problems.

    Fatal: ``raw`` is not a folder (raised at once); a table present more
    than once (``.csv`` and ``.xlsx``); a table in an unsupported format.

    Raises:
        FatalInputError: ``raw`` is not a folder.
    """
    if not raw.is_dir():
        raise FatalInputError(f"{raw}: raw folder not found (or not a folder)")
    found: dict[str, list[Path]] = {}
    unmatched: list[tuple[str, str | None]] = []
    problems: list[str] = []
    for path in sorted(raw.iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if not path.is_file() or path.name == config.SYNTHETIC_MARKER:
            continue
        if stem not in TABLES:
            if suffix in EXPORT_SUFFIXES:
                unmatched.append((path.name, likely_table(path.name)))
            continue
        if suffix in UNSUPPORTED_SUFFIXES:
            problems.append(f"{path}: {suffix} files are not supported; "
                            "save the table as .csv or .xlsx")
        elif suffix in RAW_SUFFIXES:
            found.setdefault(stem, []).append(path)
        elif suffix in EXPORT_SUFFIXES:
            unmatched.append((path.name, stem))
    files: dict[str, Path] = {}
    for name in TABLES:
        paths = found.get(name, [])
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            problems.append(f"{raw}: table {name!r} is present more than once ({names}); "
                            "keep exactly one file per table")
        elif paths:
            files[name] = paths[0]
    return RawFolder(files, unmatched, problems)


def find_raw_files(raw: Path) -> dict[str, Path]:
    """Map each contract table delivered in ``raw`` to its file.

    Raises:
        FatalInputError: any problem of :func:`scan_raw_folder` (all listed).
    """
    folder = scan_raw_folder(raw)
    if folder.problems:
        raise fatal(folder.problems)
    return folder.files


def fatal(problems: list[str]) -> FatalInputError:
    """One error listing every fatal problem of a run (one problem: its message as it is)."""
    if len(problems) == 1:
        return FatalInputError(problems[0])
    lines = [f"{len(problems)} problems stop this run:"]
    lines += [f"  {i}. {p}" for i, p in enumerate(problems, 1)]
    return FatalInputError("\n".join(lines))


@cache
def _aliases() -> dict[str, str]:
    """Other names of each table (Dutch, singular) from ``resources/file_names.yaml``."""
    data = config.load_yaml(config.resource(FILE_NAMES)) or {}
    out = {t: t for t in TABLES}
    for table, names in data.items():
        for n in names:
            out[_simplify(str(n))] = str(table)
    return out


def _simplify(name: str) -> str:
    """Lower case, no accents, words joined by ``_``."""
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "_".join(re.findall(r"[a-z]+", text))


_COPY_MARKS = re.compile(r"\(\d+\)|\bkopie\b|\bcopy\b|\bversie\b|\bv\d+\b|\bexport\b|\bfinal\b|\bdefinitief\b")


def likely_table(file_name: str) -> str | None:
    """The table a file most likely belongs to, from its name (None if none is close).

    ``Cases 2025-06.csv`` -> ``cases``; ``time_registrations (1).csv`` ->
    ``time_registrations``; ``Tijdregistraties.csv`` -> ``time_registrations``.
    """
    stem = Path(file_name).stem.lower()
    stem = _COPY_MARKS.sub(" ", stem)
    simple = _simplify(re.sub(r"\d+", " ", stem))
    if not simple:
        return None
    aliases = _aliases()
    if simple in aliases:
        return aliases[simple]
    for alias in sorted(aliases, key=len, reverse=True):  # a table name inside a longer name
        if re.search(rf"(^|_){re.escape(alias)}(_|$)", simple):
            return aliases[alias]
    close = difflib.get_close_matches(simple, list(aliases), n=1, cutoff=CUTOFF)
    return aliases[close[0]] if close else None
