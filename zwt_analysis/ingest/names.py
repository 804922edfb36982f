"""Matching form of organisation, team and area names (compared across tables).

Names are compared in a normalised form, computed once per distinct value;
the spelling written is chosen from ``areas`` (see :mod:`.across`).
"""

from __future__ import annotations

import pandas as pd

from zwt_analysis.ingest import parse


def norm_text(x: object) -> str | None:
    """Matching form of one name (``None`` for missing)."""
    return None if pd.isna(x) else " ".join(str(x).lower().split())


def norm(s: pd.Series) -> pd.Series:
    """Matching form of text cells (lower case, one space), computed per distinct value."""
    codes, uniq = parse.codes_and_uniques(s)
    return parse.categorical_from_codes(codes, [norm_text(u) for u in uniq], s.index)


def respell(s: pd.Series, spelling: dict[str, str]) -> pd.Series:
    """Replace values whose matching form is in ``spelling`` by its spelling; keep the rest."""
    codes, uniq = parse.codes_and_uniques(s)
    mapped = [spelling.get(norm_text(u), u) for u in uniq]
    return parse.categorical_from_codes(codes, mapped, s.index)


def preferred_spelling(keys: pd.Series, values: pd.Series) -> dict[str, str]:
    """Matching form -> its most frequent spelling (ties: the one seen first)."""
    counts: dict[str, dict[str, int]] = {}
    for k, v in zip(keys.tolist(), values.tolist(), strict=True):
        if pd.isna(k):
            continue
        per = counts.setdefault(k, {})
        per[v] = per.get(v, 0) + 1  # dicts keep first-seen order, max() keeps the first tie
    return {k: max(per, key=per.__getitem__) for k, per in counts.items()}
