"""Inputs of the magnitude rules: contributing persons and the largest contributions.

A sum over persons (hours of a team-quarter, FTE) is primary when fewer than
``min_contributors`` (5) persons contribute (threshold rule) or when the
``dominance_n`` (2) largest contributions exceed ``dominance_k`` (85) percent
of it ((n, k)-dominance rule; Hundepool et al. 2012, ch. 4). The published
table has neither number, so the code that computes the sum computes them
too, from the person-level rows, with :func:`contributions`; the table then
names the columns in its schema (``Col.contributors``, ``Col.top``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from zwt_analysis.disclosure.rules import Rules, default_rules


def contributions(rows: pd.DataFrame, by: Sequence[str], value: str, person: str,
                  rules: Rules | None = None) -> pd.DataFrame:
    """Per group of ``by``: the sum, its contributors and its largest contributions.

    Args:
        rows: person-level rows (e.g. time registrations).
        by: group columns (e.g. ``["organisation", "team", "period", "activity"]``).
        value: the summed column (e.g. ``hours``).
        person: the person column (e.g. ``employee_id``).
        rules: ``dominance_n`` is taken from here (default: packaged rules).

    Returns:
        ``by`` + ``total`` (sum of ``value``), ``contributors`` (persons with a
        non-zero contribution) and ``top`` (sum of the ``dominance_n`` largest
        absolute person totals); one row per group, sorted by ``by``.

    Examples:
        >>> rows = pd.DataFrame({"team": ["a"] * 4, "who": [1, 1, 2, 3], "h": [5.0, 5.0, 2.0, 1.0]})
        >>> contributions(rows, ["team"], "h", "who").to_dict("records")
        [{'team': 'a', 'total': 13.0, 'contributors': 3, 'top': 12.0}]
    """
    rules = rules or default_rules()
    by = list(by)
    per = rows.groupby([*by, person], dropna=False, sort=True)[value].sum().reset_index()
    per["_abs"] = per[value].abs()
    g = per.groupby(by, dropna=False, sort=True)
    out = g[value].sum().rename("total").to_frame()
    out["contributors"] = g["_abs"].apply(lambda s: int((s > 0).sum())).astype("int64")
    out["top"] = g["_abs"].apply(lambda s: float(s.nlargest(rules.dominance_n).sum()))
    return out.reset_index()
