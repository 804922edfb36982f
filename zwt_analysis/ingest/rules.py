"""Row rules of one table: totals rows, date orders, duplicate keys, identical rows.

Also the date-order check that stops a run: a date column whose values can
only be read month first (an English-locale Excel export) is never read day
first silently.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zwt_analysis.contract import TABLES
from zwt_analysis.errors import FatalInputError
from zwt_analysis.ingest import parse, schemas
from zwt_analysis.ingest.names import norm
from zwt_analysis.ingest.privacy import PseudonymKey, quarantine_values
from zwt_analysis.ingest.read import RawTable

if TYPE_CHECKING:
    from zwt_analysis.ingest.check import TableResult


def _is_totals(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return bool(words) and (words[0] in schemas.TOTALS_WORDS or words[-1] in schemas.TOTALS_WORDS)


def totals_rows(raw: RawTable) -> dict[int, tuple[str, str]]:
    """Rows whose organisation, team or an identifier says ``Totaal``, ``Total``,
    ``Subtotaal`` or ``Eindtotaal`` (first or last word): row -> (column, cell text)."""
    out: dict[int, tuple[str, str]] = {}
    for col in TABLES[raw.name].columns:
        if col.kind != "id" and col.name not in schemas.TOTALS_COLUMNS:
            continue
        codes, uniq = parse.codes_and_uniques(raw.frame[col.name])
        hit = np.array([_is_totals(str(u)) for u in uniq] + [False], dtype=bool)
        for r in np.flatnonzero(hit[codes]):
            out.setdefault(int(r), (col.name, str(uniq[codes[r]]).strip()))
    return out


def check_month_first(raw: RawTable, orders: dict[str, str]) -> None:
    """Stop when a date column can only be read month first and no order was given for it.

    Raises:
        FatalInputError: names the file, the column(s), an example value and
            the ``--date-order`` option that reads them month first.
    """
    found = []
    for col in TABLES[raw.name].columns:
        if col.kind != "date" or col.name in orders:
            continue
        codes, uniq = parse.codes_and_uniques(raw.frame[col.name])
        example = parse.month_first_only(pd.Series(np.asarray(uniq, dtype=object), dtype="str"))
        if example is not None:
            found.append((col.name, example))
    if not found:
        return
    cols = ", ".join(f"{c!r} (e.g. {e!r})" for c, e in found)
    options = " ".join(f"--date-order mdy {raw.path.name}:{c}" for c, _ in found)
    raise FatalInputError(
        f"{raw.path}: the dates in column {cols} can only be read month first (no day-first "
        f"date has a month above 12), but dates are read day first; if the export writes "
        f"them month first (an English-locale Excel), run again with {options} "
        f"(or --date-order mdy {raw.path.name} for every date column of the file)")


def check_date_orders(res: TableResult) -> None:
    """Date pairs of ``schemas.DATE_ORDERS``: the later date may not be before the earlier."""
    for later, earlier in schemas.DATE_ORDERS.get(res.name, ()):
        a, b = res.parsed[later], res.parsed[earlier]
        broken = (a < b).fillna(False).to_numpy(dtype=bool)
        if broken.any():
            res.add(np.flatnonzero(broken), later, res.raw.frame[later][broken].to_numpy(),
                    schemas.order_reason(later, earlier))


def check_duplicates(res: TableResult, bad_cells: dict[str, np.ndarray], key: PseudonymKey) -> None:
    """Second and later rows with the same key (among rows whose key cells are valid)."""
    table = TABLES[res.name]
    if not table.key:
        return
    k = list(table.key)
    sub = res.parsed[k].copy()
    for c in k:  # an optional key part may be empty ("all"): empty is then a value
        if not table.column(c).required:
            sub[c] = parse.as_string(sub[c]).fillna("\x00")
    valid = sub.notna().all(axis=1).to_numpy(copy=True)
    for c in k:
        valid &= ~bad_cells[c]
    if not valid.any():
        return
    sub = sub[valid].copy()
    for c in k:
        if table.column(c).kind == "text":  # organisation: spelling-insensitive
            sub[c] = norm(sub[c])
    dup = sub.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    positions = np.flatnonzero(valid)
    group = sub.groupby(k, sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(positions).groupby(group).transform("min").to_numpy()
    rows = positions[dup]
    first_rows = first[dup] + 1
    parts = [pd.Series(quarantine_values(c, res.raw.frame[c].iloc[rows], key)).astype(str)
             for c in k]
    value = parts[0]
    for p in parts[1:]:
        value = value + "+" + p
    label = schemas.key_label(table.key)
    reasons = [schemas.duplicate_reason(table.key, int(f)) for f in first_rows]
    res.add(rows, label, value.to_numpy(dtype=object), reasons, rule=f"duplicate {label}")


def identical_rows(res: TableResult) -> int:
    """Rows repeating an earlier row cell for cell (tables without a key only; 0 otherwise).

    They stay (two identical registrations can be real) and are only
    counted. Rows with a whole-row problem are not compared.
    """
    if TABLES[res.name].key or not len(res.raw.frame):
        return 0
    keep = np.ones(len(res.raw.frame), dtype=bool)
    keep[list(res.whole)] = False
    frame = res.raw.frame
    sizes = {c: len(parse.codes_and_uniques(frame[c])[1]) + 1 for c in frame.columns}
    if math.prod(sizes.values()) >= 2**62:  # a row does not fit one integer: pandas compares
        return int(pd.DataFrame({c: parse.codes_and_uniques(frame[c])[0][keep]
                                 for c in frame.columns}).duplicated().sum())
    key = np.zeros(int(keep.sum()), dtype=np.int64)
    for c, n in sizes.items():  # one integer per row (mixed radix of the column codes)
        key = key * n + (parse.codes_and_uniques(frame[c])[0][keep] + 1)
    return int(len(key) - len(np.unique(key)))
