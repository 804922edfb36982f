"""Matching form of organisation, team and area names (compared across tables).

Names are compared in a normalised form, computed once per distinct value:
Unicode compatibility forms folded (NFKC), accents removed (``Coöperatie`` =
``Cooperatie``), case folded, every dash variant (en dash, em dash, minus,
non-breaking hyphen ...) made ``-``, runs of white space (also non-breaking
spaces) made one space, spaces around a dash removed, and the ends trimmed.
The spelling written is chosen from ``areas`` (see :mod:`.across`).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from zwt_analysis.ingest import parse

#: Dash-like characters written as ``-`` in the matching form.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u00ad"
_DASH = re.compile(f"[{DASHES}]")
_AROUND_DASH = re.compile(r"\s*-\s*")


def norm_text(x: object) -> str | None:
    """Matching form of one name (``None`` for missing); see the module docstring.

    >>> norm_text("  Coöperatie  Noord – Oost ")
    'cooperatie noord-oost'
    """
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", str(x)))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DASH.sub("-", text.casefold())
    return _AROUND_DASH.sub("-", " ".join(text.split()))


def norm(s: pd.Series) -> pd.Series:
    """Matching form of text cells (see :func:`norm_text`), computed per distinct value."""
    codes, uniq = parse.codes_and_uniques(s)
    return parse.categorical_from_codes(codes, [norm_text(u) for u in uniq], s.index)


def respell(s: pd.Series, spelling: dict[str, str]) -> tuple[pd.Series, dict[str, str]]:
    """Replace values whose matching form is in ``spelling`` by its spelling; keep the rest.

    Returns the new column and the respellings applied (``{as written: new}``).
    """
    codes, uniq = parse.codes_and_uniques(s)
    mapped = [spelling.get(norm_text(u), u) for u in uniq]
    used = set(np.unique(codes[codes >= 0]).tolist())
    applied = {str(u): str(m) for i, (u, m) in enumerate(zip(uniq, mapped, strict=True))
               if m != u and i in used}
    return parse.categorical_from_codes(codes, mapped, s.index), applied


def preferred_spelling(keys: pd.Series, values: pd.Series) -> dict[str, str]:
    """Matching form -> its most frequent spelling (ties: the one seen first)."""
    counts: dict[str, dict[str, int]] = {}
    for k, v in zip(keys.tolist(), values.tolist(), strict=True):
        if pd.isna(k):
            continue
        per = counts.setdefault(k, {})
        per[v] = per.get(v, 0) + 1  # dicts keep first-seen order, max() keeps the first tie
    return {k: max(per, key=per.__getitem__) for k, per in counts.items()}
