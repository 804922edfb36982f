"""Fixtures of the KPI wing tests."""

from __future__ import annotations

import pandas as pd
import pytest
from kpi_builders import small_tables


@pytest.fixture()
def small() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nine KPIs, each built to trigger one decision rule (see test_audit_decisions)."""
    return small_tables()
