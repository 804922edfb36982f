"""The optional ``cases.question_type`` and the optional table ``cost_index``.

Both are drawn apart from the model: the question type with its own random
generator (seeded from the seed), so adding it changed no other synthetic
value; the cost index is the planted CAO wage growth and municipal
indexation of :mod:`._params` in percent, one row a year for all
organisations (``organisation`` empty).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import _params as P

#: Help-question categories per legal framework, as a registration system records them.
QUESTION_TYPES: dict[str, tuple[str, ...]] = {
    "wmo": ("wonen", "eenzaamheid", "psychisch", "mantelzorg"),
    "jeugdwet": ("opvoeding", "huiselijk geweld", "psychisch"),
    "participatiewet": ("werk en inkomen", "financien"),
    "wgs": ("financien",),
    "none": ("eenzaamheid", "opvoeding", "wonen", "huiselijk geweld", "financien"),
}


def question_types(legal_framework: pd.Series, seed: int) -> np.ndarray:
    """One help-question category per case, drawn by its legal framework."""
    rng = np.random.default_rng([seed, 2])
    fw = legal_framework.astype(object).to_numpy()
    out = np.empty(len(fw), dtype=object)
    u = rng.random(len(fw))
    for key, opts in QUESTION_TYPES.items():
        sel = fw == key
        arr = np.asarray(opts, dtype=object)
        out[sel] = arr[np.minimum((u[sel] * len(arr)).astype(int), len(arr) - 1)]
    return out


def build_cost_index(until: date) -> pd.DataFrame:
    """``cost_index``: one row a year from 2019 to the extract year, organisation empty (= all)."""
    years = [y for y in sorted(P.CAO_WAGE_GROWTH) if P.START.year <= y <= until.year]
    return pd.DataFrame({
        "year": np.array(years, dtype=np.int64),
        "organisation": pd.Series([None] * len(years), dtype=object),
        "cao_wage_increase_pct": [round(100 * P.CAO_WAGE_GROWTH[y], 2) for y in years],
        "municipal_indexation_pct": [round(100 * P.MUNICIPAL_INDEXATION[y], 2) for y in years],
    })
