"""Fixtures of the prevention wing tests (tables in prevention_builders)."""

from __future__ import annotations

import pandas as pd
import pytest
from prevention_builders import TR_ROWS, areas_frame, cases_frame, tr_frame


@pytest.fixture
def tr() -> pd.DataFrame:
    """Registrations of teams A (two persons) and B (one person) of O1, 2024-Q1 and Q3."""
    return tr_frame(TR_ROWS)


@pytest.fixture
def areas() -> pd.DataFrame:
    """Team A (no PACT) and the PACT team B."""
    return areas_frame()


@pytest.fixture
def cases() -> pd.DataFrame:
    """Five cases of team A with known deadline outcomes on 2024-06-20."""
    return cases_frame()
