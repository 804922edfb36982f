"""Fast reading of the processed tables for the indicators.

:func:`zwt_analysis.processed.read_table` gives every text column as pandas
``string`` (what notebooks expect). The indicators only group and filter on
text, so they read just the columns their specs declare
(:attr:`IndicatorSpec.source_columns`) straight with pyarrow and keep text
as ``category`` (the Parquet dictionary becomes the categories, the codes
are small integers): no Python string per row is ever made. Identifiers
stored nearly one per row (client pseudonyms) are numbered instead
(:func:`id_codes`: a Categorical over 0..n-1, the same text the same number
within one table; the indicators only compare and count them). Other values
are the same as :func:`~zwt_analysis.processed.read_table` gives; only the
dtype of text columns differs, and every indicator function accepts both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .. import processed as processed_mod
from ..contract import TABLES

#: processed dtype per contract kind (text-like kinds -> category here)
_NON_TEXT = {"date": "datetime64[ns]", "int": "Int64", "float": "float64", "bool": "boolean"}


#: Above this many stored bytes per value an ``id`` column is read as plain text.
_PLAIN_BYTES = 16


def _bytes_per_value(meta, column: str) -> float:  # noqa: ANN001 (pyarrow FileMetaData)
    """Uncompressed bytes per row that the Parquet file spends on ``column``."""
    i = meta.schema.names.index(column)
    total = sum(meta.row_group(r).column(i).total_uncompressed_size for r in range(meta.num_row_groups))
    return total / max(meta.num_rows, 1)


def id_codes(values) -> pd.Categorical:  # noqa: ANN001 (pyarrow Array or ChunkedArray of text)
    """Number the distinct values of a text identifier column: a Categorical over 0..n-1.

    The same text gets the same number, missing values stay missing; the
    numbers are in order of first appearance. The indicators only compare
    and count identifiers, so they need no text. For identifiers of one
    fixed length (the 64-character pseudonyms) the bytes are read as 64-bit
    words, hashed with numpy and every row checked word by word against the
    first row of its number (so a hash collision cannot merge two
    identifiers: it falls back); otherwise Arrow's ``dictionary_encode``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if isinstance(arr, pa.ChunkedArray):  # an empty ChunkedArray stays chunked
        arr = pa.concat_arrays(arr.chunks) if arr.num_chunks else pa.array([], type=arr.type)
    codes = _fixed_width_codes(arr)
    if codes is None:
        enc = pc.dictionary_encode(arr)
        codes = enc.indices.to_numpy(zero_copy_only=False)
        codes = np.where(pc.is_null(enc.indices).to_numpy(zero_copy_only=False), -1, codes)
        n = len(enc.dictionary)
    else:
        n = int(codes.max()) + 1 if len(codes) else 0
    return pd.Categorical.from_codes(np.asarray(codes, dtype="int64"), categories=pd.RangeIndex(n))


def _fixed_width_codes(arr) -> np.ndarray | None:  # noqa: ANN001 (pyarrow Array)
    """Codes in order of first appearance for text values of one length (multiple of 8), else None."""
    import pyarrow as pa

    if arr.null_count or len(arr) == 0 or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    _, off_buf, data_buf = arr.buffers()
    off_type = "int64" if pa.types.is_large_string(arr.type) else "int32"
    offsets = np.frombuffer(off_buf, dtype=off_type)[arr.offset: arr.offset + len(arr) + 1].astype("int64")
    width = int(offsets[1] - offsets[0])
    if width == 0 or width % 8 or not np.all(np.diff(offsets) == width):
        return None
    raw = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0]: offsets[-1]]
    words = np.ascontiguousarray(raw).view(np.uint64).reshape(len(arr), width // 8)
    h = words[:, 0].copy()
    with np.errstate(over="ignore"):
        for j in range(1, words.shape[1]):
            h = h * np.uint64(0x9E3779B97F4A7C15) + words[:, j]
    codes, uniq = pd.factorize(h.view(np.int64))
    codes = np.asarray(codes, dtype="int64")
    first = np.full(len(uniq), len(arr), dtype="int64")
    np.minimum.at(first, codes, np.arange(len(arr), dtype="int64"))
    if not np.array_equal(words, words[first[codes]]):  # a hash collision: let Arrow do it
        return None
    return codes


def merge_columns(*needs: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Union of several table -> columns mappings (columns in first-seen order)."""
    out: dict[str, list[str]] = {}
    for need in needs:
        for table, cols in need.items():
            seen = out.setdefault(table, [])
            seen.extend(c for c in cols if c not in seen)
    return out


def read_columns(processed_dir: str | Path, name: str, columns: Iterable[str]) -> pd.DataFrame:
    """Read ``columns`` of processed table ``name``; text as ``category``.

    An absent table gives an empty frame with those columns; a column absent
    from the file is all-missing. ``id`` columns with (nearly) one distinct
    value per row come as numbers (:func:`id_codes`), not text. Dates are ``datetime64[ns]``, integers
    ``Int64``, floats ``float64``, booleans ``boolean`` (as
    :func:`~zwt_analysis.processed.coerce_types`).
    """
    import pyarrow.parquet as pq

    kinds = {c.name: c.kind for c in TABLES[name].columns}
    cols = list(dict.fromkeys(columns))
    unknown = [c for c in cols if c not in kinds]
    if unknown:
        raise KeyError(f"{name}: unknown columns {unknown}")
    path = processed_mod.table_path(processed_dir, name)
    if not path.exists():
        empty = processed_mod.empty_table(name)[cols]
        return empty.astype({c: "category" for c in cols if kinds[c] not in _NON_TEXT})
    meta = pq.ParquetFile(path).metadata
    present = set(meta.schema.names)
    have = [c for c in cols if c in present]
    text = [c for c in have if kinds[c] not in _NON_TEXT]
    # identifiers stored nearly one per row (pseudonyms of clients) are read as
    # plain text and numbered here; everything else comes as a Parquet dictionary
    ids = [c for c in text if kinds[c] == "id" and _bytes_per_value(meta, c) > _PLAIN_BYTES]
    table = pq.read_table(path, columns=have, read_dictionary=[c for c in text if c not in ids])
    codes = {c: id_codes(table.column(c)) for c in ids}
    table = table.drop_columns(ids)
    # split_blocks: one block per column, no copy into a 2-D block
    df = table.to_pandas(ignore_metadata=True, split_blocks=True)
    del table
    for c, cat in codes.items():
        df[c] = pd.Series(cat, index=df.index, copy=False)
    for c in cols:
        kind = kinds[c]
        if c not in present:
            s = pd.Series(None, index=df.index, dtype=_NON_TEXT.get(kind, "string"))
            df[c] = s if kind in _NON_TEXT else s.astype("category")
            continue
        s = df[c]
        if kind in _NON_TEXT:
            if s.dtype != _NON_TEXT[kind]:
                df[c] = (pd.to_datetime(s) if kind == "date" else s).astype(_NON_TEXT[kind])
        elif not isinstance(s.dtype, pd.CategoricalDtype):
            df[c] = s.astype("string").astype("category")
    return df[cols] if list(df.columns) != cols else df


def read_for_indicators(
    processed_dir: str | Path, columns: Mapping[str, Iterable[str]]
) -> dict[str, pd.DataFrame]:
    """Read ``columns`` (table -> columns) of a processed folder with :func:`read_columns`."""
    return {name: read_columns(processed_dir, name, cols) for name, cols in columns.items()}
