"""Read what ``zwt clean`` wrote: processed Parquet tables and their metadata.

Downstream code (indicators, notebooks) reads processed data only through
this module, so it never touches ``data/raw`` and never sees a raw
identifier. A table that was not delivered comes back as an empty frame with
the contract's columns and types, so callers need no special case.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config
from .contract import TABLES, Column

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
    return coerce_types(name, pd.read_parquet(path))


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
