"""Keyed pseudonyms for person identifiers (data contract section 3).

``client_id`` (possibly a BSN) and ``employee_id`` are replaced in cleaning
by ``HMAC-SHA256(key, identifier)`` written as 64 lower-case hex characters.
The same key gives the same pseudonym, so runs can be linked by whoever holds
the key and by nobody else. The key comes from the environment variable
``ZWT_PSEUDONYM_KEY`` or from a key file (``--key-file``, which wins when both
are given); it is only held in memory and never written anywhere. Without a
key a random one is drawn for this run (pseudonyms then match nothing else)
and the caller warns.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from zwt_analysis.contract import PERSON_ID_COLUMNS
from zwt_analysis.errors import FatalInputError

KEY_ENV = "ZWT_PSEUDONYM_KEY"
NO_KEY_WARNING = (
    "warning: no pseudonym key given (set ZWT_PSEUDONYM_KEY or use --key-file); "
    "a random key is used for this run only, so its pseudonyms will not match those "
    "of any other run"
)


@dataclass(frozen=True)
class PseudonymKey:
    """A secret key and where it came from (``"key file"``, ``"ZWT_PSEUDONYM_KEY"``, ``"random"``)."""

    secret: bytes
    source: str

    @property
    def is_random(self) -> bool:
        return self.source == "random"

    def __repr__(self) -> str:  # never show the secret
        return f"PseudonymKey(source={self.source!r})"


def load_key(key_file: Path | None = None, environ: dict[str, str] | None = None) -> PseudonymKey:
    """The pseudonym key: ``key_file`` if given, else ``ZWT_PSEUDONYM_KEY``, else random.

    The key file is read as UTF-8 text with surrounding white space (a final
    newline) removed; a file that is not UTF-8 text is a binary key used byte
    for byte. The environment variable is trimmed likewise.

    Raises:
        FatalInputError: the key file cannot be read or is empty.
    """
    env = os.environ if environ is None else environ
    if key_file is not None:
        try:
            data = Path(key_file).read_bytes()
        except OSError as err:
            raise FatalInputError(f"{key_file}: cannot read the key file ({err.strerror or err})") from None
        try:
            secret = data.decode("utf-8-sig").strip().encode("utf-8")
        except UnicodeDecodeError:  # a binary key (e.g. `openssl rand 32`): used as it is
            secret = data
        if not secret:
            raise FatalInputError(f"{key_file}: the key file is empty")
        return PseudonymKey(secret, "key file")
    value = env.get(KEY_ENV, "").strip()
    if value:
        return PseudonymKey(value.encode("utf-8"), KEY_ENV)
    return PseudonymKey(secrets.token_bytes(32), "random")


def pseudonym(identifier: str, key: PseudonymKey) -> str:
    """HMAC-SHA256 of the identifier text (UTF-8) as 64 hex characters."""
    return hmac.digest(key.secret, identifier.encode("utf-8"), hashlib.sha256).hex()


def pseudonymise(values: pd.Series, key: PseudonymKey) -> pd.Series:
    """Replace every non-missing identifier by its pseudonym; missing stays missing.

    Identifiers are taken as given (callers trim them first). Computed once per
    distinct identifier; returns pandas ``string``.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes, dtype=np.int64)
        uniques = values.cat.categories
    else:
        codes, uniques = pd.factorize(values.astype("string"))
    hashed = pa.array([pseudonym(str(u), key) for u in uniques], type=pa.string())
    idx = pa.array(codes.astype(np.int32), mask=codes < 0)
    arr = pa.DictionaryArray.from_arrays(idx, hashed).dictionary_decode()
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index)


def quarantine_values(column: str, text: pd.Series, key: PseudonymKey) -> np.ndarray:
    """Cell text as shown in quarantine.csv: person identifiers pseudonymised."""
    if column in PERSON_ID_COLUMNS:
        t = text.astype("string").str.strip()
        return pseudonymise(t.mask(t == ""), key).fillna("").to_numpy(dtype=object)
    return text.to_numpy(dtype=object)


# --------------------------------------------------------------------------- masking

#: What a masked identifier is replaced by.
MASK = "[masked]"
#: Known identifiers shorter than this are not searched for in free text (``7`` or ``12``
#: would mask every small number; real client and employee ids are longer).
MIN_MASKED_ID = 3
_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")
_TOKEN = re.compile(r"[^\s;,|/()\[\]{}<>\"'=:+]+")
_ALNUM = re.compile(r"[A-Za-z0-9]+")
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")


def elfproef(s: str) -> bool:
    """True when ``s`` is 9 ASCII digits passing the BSN eleven-test.

    Weights 9, 8, ..., 2 for the first eight digits and -1 for the last; the
    sum must be a multiple of 11 and not 0.

    >>> elfproef("123456782"), elfproef("123456789"), elfproef("000000000")
    (True, False, False)
    """
    if len(s) != 9 or not s.isascii() or not s.isdigit():
        return False
    total = sum(w * int(d) for w, d in zip(range(9, 1, -1), s[:8], strict=True)) - int(s[8])
    return total != 0 and total % 11 == 0


def mask_text(text: str, known: frozenset[str]) -> str:
    """``text`` with every BSN-like number and every known identifier replaced by :data:`MASK`.

    A BSN-like number is 9 digits standing alone that pass :func:`elfproef`.
    A known identifier (a raw ``client_id`` or ``employee_id`` of the data,
    at least :data:`MIN_MASKED_ID` characters) is masked where it is the
    whole cell, a word of it (split at white space and punctuation) or a run
    of letters and digits inside a word. A pseudonym (64 hex characters) is
    left as it is.
    """
    if known and text.strip() in known:
        return MASK

    def word(m: re.Match) -> str:
        w = m[0]
        if _PSEUDONYM.fullmatch(w):
            return w
        if w in known or w.strip(".-_") in known:
            return MASK
        w = _NINE_DIGITS.sub(lambda d: MASK if elfproef(d[0]) else d[0], w)
        return _ALNUM.sub(lambda a: MASK if a[0] in known else a[0], w) if known else w

    return _TOKEN.sub(word, text)


def known_identifiers(columns: list[pd.Series]) -> frozenset[str]:
    """The distinct raw identifiers (trimmed, at least :data:`MIN_MASKED_ID` characters)."""
    found: set[str] = set()
    for s in columns:
        found.update(t for t in (str(u).strip() for u in s.dropna().unique())
                     if len(t) >= MIN_MASKED_ID)
    return frozenset(found)


def mask_series(s: pd.Series, known: frozenset[str]) -> tuple[pd.Series, int]:
    """:func:`mask_text` on every cell of ``s`` (per distinct value); also the cells changed."""
    codes, uniq = _codes(s)
    masked = [None if u is None or (not isinstance(u, str) and pd.isna(u)) else mask_text(str(u), known)
              for u in uniq]
    changed = np.array([m is not None and m != u for m, u in zip(masked, uniq, strict=True)]
                       + [False], dtype=bool)
    n = int(changed[codes].sum())
    if not n:
        return s, 0
    vals = pd.Series(masked, dtype=object)
    cat = pd.Categorical(vals.where(vals.notna(), None))
    lut = np.append(np.asarray(cat.codes, dtype=np.int64), -1)
    return pd.Series(pd.Categorical.from_codes(lut[codes], dtype=cat.dtype), index=s.index), n


def _codes(s: pd.Series) -> tuple[np.ndarray, list]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return np.asarray(s.cat.codes, dtype=np.int64), list(s.cat.categories)
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), list(uniq)
