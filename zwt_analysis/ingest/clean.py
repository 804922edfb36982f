"""``zwt clean``: raw exports in, processed Parquet + quarantine + validation out.

Data contract sections 1-3 and 6. Steps:

1. sort the files of the raw folder into tables and files matching no table
   (:mod:`.files`), then read every delivered table (:mod:`.read`). Every
   fatal problem of the run (a bad column map, a bad ``--date-order``, a
   file that cannot be read, a required column missing, dates that can only
   be month first) is collected, and the run stops with all of them before
   anything is written;
2. per table: parse every cell and apply the row rules (type, required,
   range, plausibility, enumeration, totals rows, date order, duplicates;
   :mod:`.check`, :mod:`.rules`, :mod:`.schemas`);
3. across tables (:mod:`.across`): names matched to ``areas`` and the
   unknown-team rule; the as-of date (``--as-of`` or the latest event date
   among rows passing every other rule, never after today) and the
   event-after-as-of rule; raw identifiers inside free text masked;
4. a row is clean only if it breaks no rule; broken rows go to
   ``quarantine.csv`` with one line per broken rule (:mod:`.output`);
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
from zwt_analysis.ingest import parse
from zwt_analysis.ingest import read as rawio
from zwt_analysis.ingest.across import apply_areas, apply_as_of, choose_as_of, mask_identifiers
from zwt_analysis.ingest.check import TableResult, check_table
from zwt_analysis.ingest.files import fatal, scan_raw_folder
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


#: ``--date-order`` values: (order, ``FILE`` or ``FILE:COLUMN``).
DateOrderOption = tuple[str, str]


def _read_and_check(name: str, path: Path, cmap: dict, key: PseudonymKey,
                    orders: dict[str, str]) -> TableResult:
    """Read and check one table; an unexpected library error still ends in one plain message."""
    try:
        raw = rawio.read_table(name, path, cmap)
        pa.default_memory_pool().release_unused()  # the CSV reader's buffers are done with
        return check_table(raw, key, orders)
    except ZwtError:
        raise
    except Exception as err:  # a file so odd that a reading library gave up
        raise FatalInputError(f"{path}: cannot read this file ({type(err).__name__}: {err})") from err


def date_orders(options: list[DateOrderOption], files: dict[str, Path], cmap: dict
                ) -> tuple[dict[str, dict[str, str]], list[str]]:
    """``--date-order ORDER FILE[:COLUMN]`` as ``{table: {date column: order}}``, and problems.

    ``FILE`` is a delivered file's name or its table; ``COLUMN`` a date column
    (contract name, or the export's header when the column map renames it).
    Without a column the order holds for every date column of the file; a
    column's own order wins.
    """
    out: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    by_name = {p.name.lower(): t for t, p in files.items()} | {t: t for t in files}
    for order, target in sorted(options, key=lambda o: ":" in o[1]):
        label = f"--date-order {order} {target}"
        file, _, column = target.partition(":")
        table = by_name.get(file.strip().lower())
        if order not in parse.DATE_ORDERS:
            problems.append(f"{label}: the order is 'mdy' (month first) or 'dmy' (day first)")
            continue
        if table is None:
            names = ", ".join(p.name for p in files.values()) or "none"
            problems.append(f"{label}: no delivered file {file!r} (files read: {names})")
            continue
        dates = [c.name for c in TABLES[table].columns if c.kind == "date"]
        if not column:
            out.setdefault(table, {}).update(dict.fromkeys(dates, order))
            continue
        norm = rawio.normalise_header(column)
        col = rawio._map_for(cmap, table).get(norm, norm)
        if col not in dates:
            problems.append(f"{label}: {column!r} is not a date column of {files[table].name} "
                            f"(date columns: {', '.join(dates) or 'none'})")
            continue
        out.setdefault(table, {})[col] = order
    return out, problems


def _no_tables(raw: Path, unmatched: list[tuple[str, str | None]]) -> FatalInputError:
    expected = ", ".join(f"{n}.csv" for n in TABLES)
    msg = f"{raw}: no contract table found (expected files such as {expected})"
    if unmatched:
        msg += "; files not read: " + "; ".join(_unmatched_text(f, t) for f, t in unmatched)
    return FatalInputError(msg)


def _unmatched_text(file: str, table: str | None) -> str:
    if table is None:
        return f"{file} (matches no table)"
    return f"{file} (most likely {table}: rename it to {table}{Path(file).suffix.lower()})"


def run(raw: Path, as_of: date | None = None, column_map: Path | None = None,
        key: PseudonymKey | None = None, today: date | None = None,
        date_order: list[DateOrderOption] | None = None) -> CleanRun:
    """Read, check and clean every table in ``raw`` (writes nothing).

    Every fatal problem of the run is collected (all files are tried) and
    reported together.

    Raises:
        FatalInputError: the problems that stop the whole run.
    """
    raw = Path(raw)
    key = key or load_key(None)
    problems: list[str] = []
    try:
        cmap = rawio.load_column_map(column_map)
    except FatalInputError as err:
        problems.append(str(err))
        cmap = {}
    folder = scan_raw_folder(raw)
    problems += folder.problems
    if not folder.files and not problems:
        raise _no_tables(raw, folder.unmatched)
    orders, bad_options = date_orders(date_order or [], folder.files, cmap)
    problems += bad_options
    results: dict[str, TableResult] = {}
    for name, path in folder.files.items():
        try:
            results[name] = _read_and_check(name, path, cmap, key, orders.get(name, {}))
        except FatalInputError as err:
            problems.append(str(err))
    if problems:
        raise fatal(problems)
    apply_areas(results)
    used, source = choose_as_of(results, as_of, today or date.today())
    apply_as_of(results, used)
    known = mask_identifiers(results)
    quarantine = quarantine_frame(results, known)
    marker = raw / config.SYNTHETIC_MARKER
    validation = validation_dict(results, quarantine, used, source, marker.is_file(), column_map,
                                 key, folder.unmatched)
    return CleanRun(results, quarantine, validation, key)


def main(raw: Path, out: Path, as_of: date | None = None, column_map: Path | None = None,
         key_file: Path | None = None, date_order: list[DateOrderOption] | None = None) -> int:
    """CLI entry point of ``zwt clean`` (see module docstring). Returns the exit code."""
    raw, out = Path(raw), Path(out)
    check_folders(raw, out)
    key = load_key(key_file)
    if key.is_random:
        print(NO_KEY_WARNING, file=sys.stderr)
    result = run(raw, as_of=as_of, column_map=column_map, key=key, date_order=date_order)
    marker = raw / config.SYNTHETIC_MARKER
    marker_bytes = marker.read_bytes() if marker.is_file() else None
    try:
        replace_folder(out, lambda tmp: write_outputs(tmp, result, marker_bytes))
    except OSError as err:
        raise ZwtError(f"{out}: cannot write the output folder ({err.strerror or err})") from None
    print(summary_text(result, out))
    return 0
