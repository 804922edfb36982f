"""Read what ``zwt clean`` wrote: processed Parquet tables and their metadata.

Downstream code (indicators, notebooks) reads processed data only through
this module, so it never touches ``data/raw`` and never sees a raw
identifier. A table that was not delivered comes back as an empty frame with
the contract's columns and types, so callers need no special case.

Every table is checked when read against a pandera model built from the contract
(:func:`table_schema`: processed dtypes, required columns filled, ranges, enumerations),
and the indicator table against :func:`indicator_schema`; a file that does not fit stops
with :class:`ProcessedDataError` naming the file, the column and the first offending values,
instead of a wrong number further down.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config
from .contract import INDICATOR_COLUMNS, TABLES, Column
from .errors import ZwtError

if TYPE_CHECKING:  # pandas is imported where a table is built: reading metadata needs none
    import pandas as pd

VALIDATION_FILE = "validation.json"
QUARANTINE_FILE = "quarantine.csv"


def _dtype(col: Column) -> str:
    return {
        "date": "datetime64[ns]",
        "int": "Int64",
        "float": "float64",
        "bool": "boolean",
    }.get(col.kind, "string")


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with the contract columns and processed dtypes of ``name``."""
    import pandas as pd

    table = TABLES[name]
    return pd.DataFrame({c.name: pd.Series(dtype=_dtype(c)) for c in table.columns})


def coerce_types(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with the contract columns of ``name`` in processed dtypes.

    Columns outside the contract are dropped; missing contract columns are
    added as all-missing. Values must already be valid (this is not cleaning).
    """
    import pandas as pd

    table = TABLES[name]
    out = {}
    for c in table.columns:
        dt = _dtype(c)
        s = df[c.name] if c.name in df.columns else pd.Series(None, index=df.index, dtype=dt)
        if dt == "datetime64[ns]":
            s = pd.to_datetime(s).astype("datetime64[ns]")
        else:
            s = s.astype(dt)
        out[c.name] = s
    return pd.DataFrame(out, index=df.index)


class ProcessedDataError(ZwtError):
    """A processed file does not match its model (not written by this version of zwt clean?)."""


def table_schema(name: str) -> Any:
    """The pandera model of processed table ``name`` (built from the contract).

    Types are the processed dtypes; required columns may not be empty; numeric ranges and
    enumerations are those of the contract. Row keys are not re-checked here (cleaning
    quarantined duplicates; re-checking would cost a sort of every large table per read).
    """
    import pandera.pandas as pa

    cols = {}
    for c in TABLES[name].columns:
        checks = []
        if c.kind in ("int", "float") and c.minimum is not None:
            checks.append(pa.Check.gt(c.minimum) if c.exclusive_minimum else pa.Check.ge(c.minimum))
        if c.kind in ("int", "float") and c.maximum is not None:
            checks.append(pa.Check.le(c.maximum))
        if c.kind == "enum" and c.values:
            checks.append(pa.Check.isin(list(c.values)))
        cols[c.name] = pa.Column(_dtype(c), checks=checks, nullable=not c.required)
    return pa.DataFrameSchema(cols, strict=True, ordered=True, name=name)


def indicator_schema() -> Any:
    """The pandera model of the indicator table (contract section 4).

    ``period`` is ``YYYY`` or ``YYYY-Qn``; ``denominator`` > 0 (zero denominators are left
    out); ``value`` = ``numerator / denominator`` within 1e-9 relative.
    """
    import pandera.pandas as pa

    def value_is_ratio(df: Any) -> Any:
        ratio = df["numerator"] / df["denominator"]
        return (df["value"] - ratio).abs() <= 1e-12 + 1e-9 * ratio.abs()

    return pa.DataFrameSchema(
        {"indicator_id": pa.Column("string"),
         "period": pa.Column("string", pa.Check.str_matches(r"^\d{4}(-Q[1-4])?$")),
         "organisation": pa.Column("string"), "team": pa.Column("string"),
         "numerator": pa.Column("float64"),
         "denominator": pa.Column("float64", pa.Check.gt(0)),
         "value": pa.Column("float64")},
        checks=[pa.Check(value_is_ratio, error="value = numerator / denominator")],
        strict=True, ordered=True, name="indicators")


def check(df: pd.DataFrame, schema: Any, source: str | Path) -> pd.DataFrame:
    """``df`` validated against ``schema``; raises :class:`ProcessedDataError` naming ``source``."""
    import pandera.errors as pe

    try:
        return schema.validate(df, lazy=True)
    except pe.SchemaErrors as err:
        fc = err.failure_cases
        table_level = fc["schema_context"] == "DataFrameSchema"
        parts = []
        for (col, chk), g in fc[~table_level].groupby(["column", "check"], dropna=False, sort=False):
            vals = ", ".join(repr(v) for v in g["failure_case"].head(3).tolist())
            parts.append(f"column {col}: {chk} ({vals})")
        for chk, g in fc[table_level].groupby("check", sort=False):
            rows = sorted({int(i) + 1 for i in g["index"].dropna()})[:3]
            parts.append(f"{chk} (data rows {', '.join(map(str, rows))})")
        raise ProcessedDataError(f"{source}: does not match its model: " + "; ".join(parts[:5])
                                 ) from None


def table_path(processed_dir: str | Path, name: str) -> Path:
    """Path of the Parquet file of table ``name``."""
    return Path(processed_dir) / f"{name}.parquet"


def read_table(processed_dir: str | Path, name: str) -> pd.DataFrame:
    """Read one processed table; an absent table gives an empty typed frame."""
    if name not in TABLES:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}")
    import pandas as pd

    path = table_path(processed_dir, name)
    if not path.exists():
        return empty_table(name)
    return check(coerce_types(name, pd.read_parquet(path)), table_schema(name), path)


def read_indicators(path: str | Path) -> pd.DataFrame:
    """The indicator CSV written by ``zwt indicators``, typed and checked (``period`` as text).

    Raises:
        ProcessedDataError: a contract column is missing or a row breaks the model.
    """
    import pandas as pd

    df = pd.read_csv(path, keep_default_na=False, na_values=[""],
                     dtype={"indicator_id": "string", "period": "string", "organisation": "string",
                            "team": "string", "numerator": "float64", "denominator": "float64",
                            "value": "float64"})
    missing = [c for c in INDICATOR_COLUMNS if c not in df.columns]
    if missing:
        raise ProcessedDataError(f"{path}: indicator table lacks columns {', '.join(missing)}")
    return check(df[list(INDICATOR_COLUMNS)], indicator_schema(), path)


def read_tables(processed_dir: str | Path, names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read several processed tables (all contract tables by default)."""
    return {n: read_table(processed_dir, n) for n in (names or list(TABLES))}


def available_tables(processed_dir: str | Path) -> list[str]:
    """Contract tables that have a Parquet file in ``processed_dir``."""
    return [n for n in TABLES if table_path(processed_dir, n).exists()]


def read_validation(processed_dir: str | Path) -> dict[str, Any]:
    """The ``validation.json`` that ``zwt clean`` wrote (empty dict if absent)."""
    path = Path(processed_dir) / VALIDATION_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def read_quarantine(processed_dir: str | Path) -> pd.DataFrame:
    """The quarantine table (empty frame with its columns if absent)."""
    import pandas as pd

    from .contract import QUARANTINE_COLUMNS

    path = Path(processed_dir) / QUARANTINE_FILE
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in QUARANTINE_COLUMNS})
    return pd.read_csv(path, keep_default_na=False, na_values=[""],
                       dtype={"table": "string", "row_number": "Int64", "column": "string",
                              "value": "string", "reason": "string"})


def as_of(processed_dir: str | Path) -> date:
    """The reference date recorded by ``zwt clean`` (key ``as_of`` of validation.json)."""
    meta = read_validation(processed_dir)
    if "as_of" not in meta:
        raise FileNotFoundError(
            f"{Path(processed_dir) / VALIDATION_FILE}: no as_of recorded; run `zwt clean` first"
        )
    return date.fromisoformat(meta["as_of"])


def is_synthetic(processed_dir: str | Path) -> bool:
    """True when the processed data came from ``zwt synth`` (marker file carried over)."""
    p = Path(processed_dir)
    return (p / config.SYNTHETIC_MARKER).exists() or bool(read_validation(p).get("synthetic"))
