"""``zwt clean``: raw exports in, processed Parquet + quarantine + validation out.

Data contract sections 1-3. Steps:

1. find and read every delivered table (:mod:`.read`); any fatal
   problem stops the run before anything is written;
2. per table: parse every cell, apply the row rules (type, required, range,
   enumeration, date order, duplicates; :mod:`.check`, :mod:`.schemas`);
3. across tables: organisation/team spelling from ``areas`` and the
   unknown-team rule; then the as-of date (``--as-of`` or the latest event
   date among rows passing every other rule, never after today) and the
   event-after-as-of rule;
4. a row is clean only if it breaks no rule; broken rows go to
   ``quarantine.csv`` with one line per broken rule;
5. pseudonymise identifiers, write everything into a temporary folder beside
   ``--out`` and swap it in only when all went well; print a summary.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pyarrow as pa

from zwt_analysis import config
from zwt_analysis.contract import TABLES
from zwt_analysis.errors import FatalInputError, ZwtError
from zwt_analysis.ingest import read as rawio
from zwt_analysis.ingest.across import apply_areas, apply_as_of, choose_as_of
from zwt_analysis.ingest.check import TableResult, check_table
from zwt_analysis.ingest.folders import check_folders, remove_stale_temp_folders, replace_folder
from zwt_analysis.ingest.output import (
    CleanRun,
    quarantine_frame,
    summary_text,
    validation_dict,
    write_outputs,
    write_table,
)
from zwt_analysis.ingest.privacy import NO_KEY_WARNING, PseudonymKey, load_key

__all__ = ["CleanRun", "TableResult", "check_table", "main", "remove_stale_temp_folders",
           "replace_folder", "run", "write_table"]


def _read_and_check(name: str, path: Path, cmap: dict, key: PseudonymKey) -> TableResult:
    """Read and check one table; an unexpected library error still ends in one plain message."""
    try:
        raw = rawio.read_table(name, path, cmap)
        pa.default_memory_pool().release_unused()  # the CSV reader's buffers are done with
        return check_table(raw, key)
    except ZwtError:
        raise
    except Exception as err:  # a file so odd that a reading library gave up
        raise FatalInputError(f"{path}: cannot read this file ({type(err).__name__}: {err})") from err


def run(raw: Path, as_of: date | None = None, column_map: Path | None = None,
        key: PseudonymKey | None = None, today: date | None = None) -> CleanRun:
    """Read, check and clean every table in ``raw`` (writes nothing).

    Raises:
        FatalInputError: a problem that stops the whole run.
    """
    raw = Path(raw)
    key = key or load_key(None)
    cmap = rawio.load_column_map(column_map)
    files = rawio.find_raw_files(raw)
    if not files:
        expected = ", ".join(f"{n}.csv" for n in TABLES)
        raise FatalInputError(f"{raw}: no contract table found (expected files such as {expected})")
    results = {name: _read_and_check(name, path, cmap, key) for name, path in files.items()}
    apply_areas(results)
    used, source = choose_as_of(results, as_of, today or date.today())
    apply_as_of(results, used)
    quarantine = quarantine_frame(results)
    marker = raw / config.SYNTHETIC_MARKER
    validation = validation_dict(results, quarantine, used, source, marker.is_file(), column_map, key)
    return CleanRun(results, quarantine, validation, key)


def main(raw: Path, out: Path, as_of: date | None = None, column_map: Path | None = None,
         key_file: Path | None = None) -> int:
    """CLI entry point of ``zwt clean`` (see module docstring). Returns the exit code."""
    raw, out = Path(raw), Path(out)
    check_folders(raw, out)
    key = load_key(key_file)
    if key.is_random:
        print(NO_KEY_WARNING, file=sys.stderr)
    result = run(raw, as_of=as_of, column_map=column_map, key=key)
    marker = raw / config.SYNTHETIC_MARKER
    marker_bytes = marker.read_bytes() if marker.is_file() else None
    try:
        replace_folder(out, lambda tmp: write_outputs(tmp, result, marker_bytes))
    except OSError as err:
        raise ZwtError(f"{out}: cannot write the output folder ({err.strerror or err})") from None
    print(summary_text(result, out))
    return 0
