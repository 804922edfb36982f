"""Hand-built staff tables for the workforce tests."""

from __future__ import annotations

import pandas as pd

from zwt_analysis.processed import coerce_types


def staff_frame(rows: list[tuple]) -> pd.DataFrame:
    """A processed ``staff`` table from rows of (employee_id, organisation, team, fte,
    start_date, end_date, end_reason)."""
    df = pd.DataFrame(rows, columns=["employee_id", "organisation", "team", "fte", "start_date",
                                     "end_date", "end_reason"])
    return coerce_types("staff", df)
