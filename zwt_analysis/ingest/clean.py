"""``zwt clean``: raw exports in, processed Parquet + quarantine + validation out.

Data contract sections 1-3. Steps:

1. find and read every delivered table (:mod:`zwt_analysis.io`); any fatal
   problem stops the run before anything is written;
2. per table: parse every cell, apply the row rules (type, required, range,
   enumeration, date order, duplicates; :mod:`zwt_analysis.schemas`);
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

import json
import sys
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from zwt_analysis import config, processed
from zwt_analysis.contract import (
    MAIN_ASSIGNMENT,
    PERSON_ID_COLUMNS,
    QUARANTINE_COLUMNS,
    TABLES,
    Column,
)
from zwt_analysis.errors import FatalInputError, ZwtError
from zwt_analysis.fsutil import remove_stale_temp_folders, replace_folder, write_csv  # noqa: F401
from zwt_analysis.ingest import read as rawio
from zwt_analysis.ingest import schemas
from zwt_analysis.ingest.privacy import NO_KEY_WARNING, PseudonymKey, load_key, pseudonymise

ISSUE_COLUMNS = ("row", "column", "value", "reason", "rule")
#: ``as_of_source`` in validation.json -> how the summary explains it.
AS_OF_SOURCES = {
    "option": "given with --as-of",
    "data": "latest event date in the data",
    "today": "the run date: no event date in the data, or the latest one lies after today",
}
#: How many of the most frequent quarantine reasons the summary shows.
TOP_REASONS = 10


@dataclass
class TableResult:
    """A table after its own row rules: parsed values, raw text and issues."""

    raw: rawio.RawTable
    #: Parsed contract columns (typed, canonical), one row per data row.
    parsed: pd.DataFrame
    #: Broken rules found so far: frames with the columns of ``ISSUE_COLUMNS``
    #: (``row`` = 0-based position, ``rule`` = reason without row/date details).
    issues: list[pd.DataFrame] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.raw.name

    def add(self, rows: np.ndarray, column: str, values: pd.Series | np.ndarray | str,
            reason: str | np.ndarray, rule: str | np.ndarray | None = None) -> None:
        """Record one broken rule for each row position in ``rows``."""
        rows = np.asarray(rows, dtype="int64")
        if len(rows) == 0:
            return
        vals = values if isinstance(values, str) else np.asarray(values, dtype=object)
        self.issues.append(pd.DataFrame({
            "row": rows,
            "column": column,
            "value": vals,
            "reason": _as_cells(reason),
            "rule": _as_cells(reason if rule is None else rule),
        }))

    def issue_frame(self) -> pd.DataFrame:
        """All issues of this table, whole-row problems replacing other lines of that row."""
        frames = [f for f in self.issues if len(f)]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "object")
                                 for c in ISSUE_COLUMNS})
        df = pd.concat(frames, ignore_index=True)
        if self.raw.bad_rows:
            whole = np.array(sorted(self.raw.bad_rows), dtype="int64")
            df = df[~df["row"].isin(whole)]
            df = pd.concat([df, pd.DataFrame({
                "row": whole, "column": "",
                "value": "", "reason": [self.raw.bad_rows[r] for r in whole],
                "rule": "wrong number of fields",
            })], ignore_index=True)
        return df

    def broken_rows(self) -> np.ndarray:
        """Boolean mask: rows that break at least one rule so far."""
        mask = np.zeros(len(self.parsed), dtype=bool)
        for f in self.issues:
            mask[f["row"].to_numpy()] = True
        if self.raw.bad_rows:
            mask[list(self.raw.bad_rows)] = True
        return mask


def _as_cells(x: object) -> object:
    return x if isinstance(x, str) else np.asarray(x, dtype=object)


# --------------------------------------------------------------------------- per table


def _parse_column(col: Column, text: pd.Series, decimal_comma: bool) -> rawio.Parsed:
    kind = col.kind
    if kind in ("id", "text"):
        return rawio.parse_unique(text, rawio.parse_text)
    if kind == "enum":
        return rawio.parse_unique(text, lambda s: rawio.parse_enum(s, col.name))
    if kind == "bool":
        return rawio.parse_unique(text, rawio.parse_bool)
    if kind == "date":
        return rawio.parse_unique(text, rawio.parse_date_fast)
    if kind in ("int", "float"):
        return rawio.parse_unique(text, lambda s: rawio.parse_number(s, decimal_comma))
    if kind == "period":
        return rawio.parse_unique(text, rawio.parse_period)
    raise ValueError(f"unknown column kind {kind!r}")  # pragma: no cover - contract bug


def check_table(raw: rawio.RawTable, key: PseudonymKey) -> TableResult:
    """Parse ``raw`` and apply the rules that need only this table.

    Type, placeholder, required, whole-number, range and enumeration rules
    per cell; date orders and duplicate keys per row. Quarantine values of
    person identifiers are pseudonymised with ``key``.
    """
    table = TABLES[raw.name]
    frame = raw.frame
    parsed: dict[str, pd.Series] = {}
    res = TableResult(raw, pd.DataFrame(index=frame.index))
    bad_cells: dict[str, np.ndarray] = {}
    for col in table.columns:
        text = frame[col.name]
        p = _parse_column(col, text, raw.decimal_comma)
        values = p.values
        # A control character is the one line of its cell (it replaces a parse failure).
        ctrl = _control_cells(raw.name, col, text)
        if ctrl.any():
            res.add(np.flatnonzero(ctrl), col.name, _quarantine_values(col.name, text[ctrl], key),
                    schemas.CONTROL_CHARACTER)
            values = values.mask(ctrl)
        bad = p.bad & ~ctrl
        if bad.any():
            res.add(np.flatnonzero(bad), col.name, _quarantine_values(col.name, text[bad], key),
                    schemas.parse_failure_reason(col))
        bad = bad | ctrl
        if col.kind in ("int", "float"):
            big = rawio.too_large(values)  # inf, or would not survive the cast to Int64
            if big.any():
                res.add(np.flatnonzero(big), col.name, text[big].to_numpy(), schemas.TOO_LARGE)
                bad = bad | big
                values = values.mask(big)
        if col.kind == "int":
            frac = ~rawio.whole_numbers(values)
            if frac.any():
                res.add(np.flatnonzero(frac), col.name, text[frac].to_numpy(), schemas.NOT_WHOLE)
                bad = bad | frac
                values = values.mask(frac)
        bad_cells[col.name] = bad
        parsed[col.name] = values
    res.parsed = pd.DataFrame(parsed, index=frame.index)

    fc = schemas.failure_cases(raw.name, res.parsed)
    if len(fc):
        # A cell that could not be parsed already has its line; pandera sees it as null.
        rows = fc["row"].to_numpy()
        cols = fc["column"].to_numpy()
        keep = np.ones(len(fc), dtype=bool)
        for name in np.unique(cols):
            sel = cols == name
            keep[sel] = ~bad_cells[name][rows[sel]]
        fc = fc[keep]
        for (name, reason), grp in fc.groupby(["column", "reason"], sort=True):
            r = grp["row"].to_numpy()
            vals = "" if reason == schemas.REQUIRED_MISSING else \
                _quarantine_values(name, frame[name].iloc[r], key)
            res.add(r, name, vals, reason)

    _check_date_orders(res)
    _check_duplicates(res, bad_cells, key)
    return res


def _control_cells(table: str, col: Column, text: pd.Series) -> np.ndarray:
    """Cells of a text-like column holding a control character (see ``schemas``)."""
    if col.kind not in schemas.CONTROL_CHECKED_KINDS:
        return np.zeros(len(text), dtype=bool)
    return rawio.control_characters(text, schemas.allows_line_breaks(table, col.name))


def _quarantine_values(column: str, text: pd.Series, key: PseudonymKey) -> np.ndarray:
    """Cell text as shown in quarantine.csv: person identifiers pseudonymised."""
    if column in PERSON_ID_COLUMNS:
        t = text.astype("string").str.strip()
        return pseudonymise(t.mask(t == ""), key).fillna("").to_numpy(dtype=object)
    return text.to_numpy(dtype=object)


def _check_date_orders(res: TableResult) -> None:
    """Date pairs of ``schemas.DATE_ORDERS``: the later date may not be before the earlier."""
    for later, earlier in schemas.DATE_ORDERS.get(res.name, ()):
        a, b = res.parsed[later], res.parsed[earlier]
        broken = (a < b).fillna(False).to_numpy(dtype=bool)
        if broken.any():
            res.add(np.flatnonzero(broken), later, res.raw.frame[later][broken].to_numpy(),
                    schemas.order_reason(later, earlier))


def _check_duplicates(res: TableResult, bad_cells: dict[str, np.ndarray], key: PseudonymKey) -> None:
    """Second and later rows with the same key (among rows whose key cells are valid)."""
    table = TABLES[res.name]
    if not table.key:
        return
    k = list(table.key)
    sub = res.parsed[k]
    valid = sub.notna().all(axis=1).to_numpy(copy=True)
    for c in k:
        valid &= ~bad_cells[c]
    if not valid.any():
        return
    sub = sub[valid].copy()
    for c in k:
        if table.column(c).kind == "text":  # organisation: spelling-insensitive
            sub[c] = _norm(sub[c])
    dup = sub.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    positions = np.flatnonzero(valid)
    group = sub.groupby(k, sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(positions).groupby(group).transform("min").to_numpy()
    rows = positions[dup]
    first_rows = first[dup] + 1
    parts = [pd.Series(_quarantine_values(c, res.raw.frame[c].iloc[rows], key)).astype(str)
             for c in k]
    value = parts[0]
    for p in parts[1:]:
        value = value + "+" + p
    label = schemas.key_label(table.key)
    reasons = [schemas.duplicate_reason(table.key, int(f)) for f in first_rows]
    res.add(rows, label, value.to_numpy(dtype=object), reasons, rule=f"duplicate {label}")


# --------------------------------------------------------------------------- across tables


def _norm_text(x: object) -> str | None:
    return None if pd.isna(x) else " ".join(str(x).lower().split())


def _norm(s: pd.Series) -> pd.Series:
    """Matching form of text cells (lower case, one space), computed per distinct value."""
    codes, uniq = rawio.codes_and_uniques(s)
    return rawio.categorical_from_codes(codes, [_norm_text(u) for u in uniq], s.index)


def _respell(s: pd.Series, spelling: dict[str, str]) -> pd.Series:
    """Replace values whose matching form is in ``spelling`` by its spelling; keep the rest."""
    codes, uniq = rawio.codes_and_uniques(s)
    mapped = [spelling.get(_norm_text(u), u) for u in uniq]
    return rawio.categorical_from_codes(codes, mapped, s.index)


def _preferred_spelling(keys: pd.Series, values: pd.Series) -> dict[str, str]:
    """Matching form -> its most frequent spelling (ties: the one seen first)."""
    counts: dict[str, dict[str, int]] = {}
    for k, v in zip(keys.tolist(), values.tolist(), strict=True):
        if pd.isna(k):
            continue
        per = counts.setdefault(k, {})
        per[v] = per.get(v, 0) + 1  # dicts keep first-seen order, max() keeps the first tie
    return {k: max(per, key=per.__getitem__) for k, per in counts.items()}


def apply_areas(results: dict[str, TableResult]) -> None:
    """Organisation/team/area_code spelling from ``areas`` and the unknown-team rule.

    Matching is on trimmed, case-insensitive text with runs of white space
    made one; matched values take their most frequent spelling among the clean
    rows of ``areas`` (ties: the first). A team must be held by the row's organisation in ``areas``
    (``unknown team (not in areas)``, or ``team not held by X in areas`` when
    another organisation holds it). Rows with an empty optional team are not
    checked. Without ``areas`` nothing is checked or respelled.
    """
    if "areas" not in results:
        return
    areas = results["areas"]
    a = areas.parsed[~areas.broken_rows()]
    org_key, team_key = _norm(a["organisation"]), _norm(a["team"])
    org_map = _preferred_spelling(org_key, a["organisation"])
    code_map = _preferred_spelling(_norm(a["area_code"]), a["area_code"])
    pair_key = pd.Series([f"{o}\x1f{t}" for o, t in zip(org_key, team_key, strict=True)],
                         index=a.index, dtype=object)
    pair_map = {tuple(k.split("\x1f")): v
                for k, v in _preferred_spelling(pair_key, a["team"]).items()}
    teams_known = {t for _, t in pair_map}

    for name, res in results.items():
        if "organisation" not in res.parsed.columns:
            continue
        df = res.parsed.copy()
        org_raw = df["organisation"]
        df["organisation"] = _respell(org_raw, org_map)
        if name == "areas" or name in schemas.AREA_CODE_TABLES:
            df["area_code"] = _respell(df["area_code"], code_map)
        if name != "areas" and name not in schemas.TEAM_TABLES:
            res.parsed = df
            continue
        o_codes, o_uniq = rawio.codes_and_uniques(org_raw)
        t_codes, t_uniq = rawio.codes_and_uniques(df["team"])
        o_norm = [_norm_text(u) for u in o_uniq]
        t_norm = [_norm_text(u) for u in t_uniq]
        pair = o_codes * (len(t_uniq) + 1) + t_codes
        p_codes, p_uniq = pd.factorize(pair)
        canon_u, unknown_u, other_u = [], [], []
        for p in p_uniq:
            oc, tc = divmod(int(p), len(t_uniq) + 1)
            if oc < 0 or tc < 0 or tc >= len(t_uniq):  # organisation or team missing
                canon_u.append(None)
                unknown_u.append(False)
                other_u.append(False)
                continue
            hit = pair_map.get((o_norm[oc], t_norm[tc]))
            canon_u.append(hit if hit is not None else t_uniq[tc])
            unknown_u.append(hit is None)
            other_u.append(hit is None and t_norm[tc] in teams_known)
        keep_team = np.array([c is None for c in canon_u] + [True])[p_codes]
        team = rawio.categorical_from_codes(p_codes, canon_u, df.index)
        if keep_team.any():  # organisation missing: the team stays as written
            team = rawio.as_string(team).where(~keep_team, rawio.as_string(df["team"]))
        df["team"] = team
        res.parsed = df
        if name == "areas":
            continue
        unknown = np.array(unknown_u, dtype=bool)[p_codes]
        if not unknown.any():
            continue
        other_org = unknown & np.array(other_u, dtype=bool)[p_codes]
        reasons = np.full(len(df), schemas.UNKNOWN_TEAM, dtype=object)
        rules = reasons.copy()
        if other_org.any():
            reasons[other_org] = [schemas.team_owner_reason(x)
                                  for x in df["organisation"][other_org]]
            rules[other_org] = "team not held by the row's organisation in areas"
        res.add(np.flatnonzero(unknown), "team", res.raw.frame["team"][unknown].to_numpy(),
                reasons[unknown], rule=rules[unknown])


def event_columns(name: str) -> list[str]:
    """Event-date columns of table ``name`` (may not lie after as-of)."""
    return [c.name for c in TABLES[name].columns if c.kind == "date" and c.event]


def choose_as_of(results: dict[str, TableResult], given: date | None, today: date) -> tuple[date, str]:
    """The as-of date and how it was chosen (``"option"``, ``"data"`` or ``"today"``).

    ``given`` wins. Otherwise the latest event date among rows that break no
    other rule, but never after ``today``; with no event dates at all, today.
    """
    if given is not None:
        return given, "option"
    latest = None
    for name, res in results.items():
        cols = event_columns(name)
        if not cols or not len(res.parsed):
            continue
        ok = ~res.broken_rows()
        m = res.parsed.loc[ok, cols].max().max()
        if pd.notna(m) and (latest is None or m > latest):
            latest = m
    if latest is None:
        return today, "today"
    latest_d = pd.Timestamp(latest).date()
    if latest_d > today:
        return today, "today"
    return latest_d, "data"


def apply_as_of(results: dict[str, TableResult], as_of: date) -> None:
    """Quarantine event dates after ``as_of`` (planned end dates are not events)."""
    limit = pd.Timestamp(as_of)
    reason = schemas.as_of_reason(as_of.isoformat())
    for name, res in results.items():
        for c in event_columns(name):
            late = (res.parsed[c] > limit).fillna(False).to_numpy(dtype=bool)
            if late.any():
                res.add(np.flatnonzero(late), c, res.raw.frame[c][late].to_numpy(), reason,
                        rule="event date after as-of")


# --------------------------------------------------------------------------- output


def clean_frame(res: TableResult, key: PseudonymKey, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Clean rows of a table in source order, identifiers pseudonymised, processed dtypes.

    Args:
        res: the checked table.
        key: pseudonym key.
        rows: positions of the clean rows to build (default: all clean rows);
            used to write big tables in slices.
    """
    if rows is None:
        rows = np.flatnonzero(~res.broken_rows())
    df = res.parsed.iloc[rows].reset_index(drop=True)
    for c in df.columns:
        if c in PERSON_ID_COLUMNS:
            df[c] = pseudonymise(df[c], key)
        elif isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = rawio.as_string(df[c])
    if res.name == "time_registrations":
        df["assignment_id"] = df["assignment_id"].fillna(MAIN_ASSIGNMENT)
    return processed.coerce_types(res.name, df)


def quarantine_frame(results: dict[str, TableResult]) -> pd.DataFrame:
    """``quarantine.csv`` content: sorted by table (contract order), row, column, rule order."""
    frames = []
    for t_idx, name in enumerate(TABLES):
        if name not in results:
            continue
        df = results[name].issue_frame()
        if not len(df):
            continue
        order = {c: i for i, c in enumerate(["", *TABLES[name].column_names])}
        df = df.assign(table=name, _t=t_idx, _c=df["column"].map(order).fillna(len(order)),
                       _s=np.arange(len(df)))
        frames.append(df)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in QUARANTINE_COLUMNS})
    q = pd.concat(frames, ignore_index=True).sort_values(["_t", "row", "_c", "_s"], kind="stable")
    q["row_number"] = q["row"].astype("int64") + 1
    return q.reset_index(drop=True)


def validation_dict(results: dict[str, TableResult], quarantine: pd.DataFrame, as_of: date,
                    as_of_source: str, synthetic: bool, column_map: Path | None,
                    key: PseudonymKey) -> dict:
    """The flat ``validation.json`` content (deterministic: no times, no absolute paths)."""
    out: dict = {}
    for name in TABLES:
        if name not in results:
            continue
        res = results[name]
        n = len(res.parsed)
        broken = int(res.broken_rows().sum())
        q = quarantine[quarantine["table"] == name] if len(quarantine) else quarantine
        counts: dict[str, int] = {}
        if len(q):
            lab = (q["column"].astype(str) + ": " + q["rule"].astype(str)).str.replace(
                r"^: ", "", regex=True)
            vc = lab.value_counts()
            counts = {str(k): int(v) for k, v in sorted(vc.items(), key=lambda kv: (-kv[1], kv[0]))}
        out[name] = {
            "rows_in": n,
            "rows_clean": n - broken,
            "rows_quarantined": broken,
            "quarantine_lines": int(len(q)),
            "source_file": res.raw.path.name,
            "encoding": res.raw.encoding,
            "separator": res.raw.separator,
            "unknown_columns": list(res.raw.unknown_columns),
            "missing_optional_columns": list(res.raw.missing_optional),
            "renamed_columns": dict(res.raw.renamed_columns),
            "quarantine_reasons": counts,
        }
    out["as_of"] = as_of.isoformat()
    out["as_of_source"] = as_of_source
    out["synthetic"] = synthetic
    out["missing_tables"] = [n for n in TABLES if n not in results]
    out["column_map_used"] = column_map.name if column_map is not None else None
    out["pseudonym_key"] = "random (this run only)" if key.is_random else key.source
    return out


#: Rows per slice when writing a cleaned table (bounds memory; fixed for determinism).
WRITE_SLICE_ROWS = 1 << 20


def write_table(res: TableResult, key: PseudonymKey, path: Path) -> None:
    """Write the clean rows of ``res`` to Parquet, building at most one slice at a time.

    The file holds ``clean_frame(res, key)`` (zstd-compressed); big tables
    are built and written in slices of ``WRITE_SLICE_ROWS`` rows (each a row
    group), so their text columns are never all decoded at once.
    """
    ok = np.flatnonzero(~res.broken_rows())
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, max(len(ok), 1), WRITE_SLICE_ROWS):
            df = clean_frame(res, key, ok[start:start + WRITE_SLICE_ROWS])
            table = pa.Table.from_pandas(df, preserve_index=False,
                                         schema=None if writer is None else writer.schema)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table)
            del df, table
            pa.default_memory_pool().release_unused()
    finally:
        if writer is not None:
            writer.close()


def write_outputs(target: Path, run_: CleanRun, synthetic_marker: bytes | None) -> None:
    """Write every output file into the (new, empty) folder ``target``.

    Tables are built and written one at a time and in slices (see
    :func:`write_table`), so memory stays bounded.
    """
    for name, res in run_.results.items():
        write_table(res, run_.key, processed.table_path(target, name))
    quarantine, validation = run_.quarantine, run_.validation
    q = quarantine.reindex(columns=list(QUARANTINE_COLUMNS))
    write_csv(q, target / processed.QUARANTINE_FILE)
    (target / processed.VALIDATION_FILE).write_text(
        json.dumps(validation, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if synthetic_marker is not None:
        (target / config.SYNTHETIC_MARKER).write_bytes(synthetic_marker)


def check_folders(raw: Path, out: Path) -> None:
    """``--out`` may not be, contain or lie inside ``--raw``, nor be a file.

    Raises:
        FatalInputError: on any of those.
    """
    r, o = raw.resolve(), out.resolve()
    if o == r:
        raise FatalInputError(f"{out}: --out may not be the raw folder {raw}")
    if r in o.parents:
        raise FatalInputError(f"{out}: --out may not lie inside the raw folder {raw}")
    if o in r.parents:
        raise FatalInputError(f"{out}: --out may not contain the raw folder {raw}")
    if o.exists() and not o.is_dir():
        raise FatalInputError(f"{out}: --out exists and is not a folder")


# --------------------------------------------------------------------------- run


@dataclass
class CleanRun:
    """Everything one run produced (returned by :func:`run` for tests and callers)."""

    results: dict[str, TableResult]
    quarantine: pd.DataFrame
    validation: dict
    key: PseudonymKey

    def frame(self, name: str) -> pd.DataFrame:
        """The cleaned table ``name`` as written to Parquet (built on demand)."""
        return clean_frame(self.results[name], self.key)

    @cached_property
    def frames(self) -> dict[str, pd.DataFrame]:
        """Every cleaned table (built once; :func:`main` writes them one by one instead)."""
        return {name: self.frame(name) for name in self.results}


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


def summary_text(run_: CleanRun, out: Path) -> str:
    """The readable summary printed at the end of ``zwt clean``."""
    v = run_.validation
    source = AS_OF_SOURCES.get(v["as_of_source"], v["as_of_source"])
    lines = [f"zwt clean: wrote {out}", f"as-of: {v['as_of']} ({source})", ""]
    header = f"{'table':<20}{'rows in':>10}{'clean':>10}{'quarantined':>13}  source"
    lines.append(header)
    for name in TABLES:
        if name not in v:
            continue
        t = v[name]
        fmt = t["separator"] and f"{t['encoding']}, '{t['separator']}'" or "xlsx"
        lines.append(f"{name:<20}{t['rows_in']:>10}{t['rows_clean']:>10}"
                     f"{t['rows_quarantined']:>13}  {t['source_file']} ({fmt})")
    lines.append("")
    lines.append("missing tables: " + (", ".join(v["missing_tables"]) or "none"))
    unknown = [f"{n}: {', '.join(v[n]['unknown_columns'])}" for n in TABLES
               if n in v and v[n]["unknown_columns"]]
    lines.append("unknown columns (left out): " + ("; ".join(unknown) or "none"))
    q = run_.quarantine
    if len(q):
        lab = (q["table"].astype(str) + "." + q["column"].astype(str) + ": "
               + q["rule"].astype(str)).str.replace(".: ", ": ", regex=False)
        vc = lab.value_counts()
        top = sorted(vc.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
        lines.append(f"most frequent quarantine reasons ({len(q)} lines in quarantine.csv):")
        lines += [f"  {n:>8}  {label}" for label, n in top]
    else:
        lines.append("quarantine: no broken rows")
    if run_.key.is_random:
        lines.append("")
        lines.append(NO_KEY_WARNING)
    return "\n".join(lines)


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
