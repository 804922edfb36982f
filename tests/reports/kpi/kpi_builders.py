"""Hand-built processed tables for the KPI tests (imported by the test modules)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zwt_analysis.contract import TABLES
from zwt_analysis.processed import coerce_types
from zwt_analysis.reports.kpi.rules import load_rules

#: Indicator ids of DATA_CONTRACT section 4.
CONTRACT_INDICATORS = {
    "preventive_share", "additional_assignment_share", "wmo_assessment_on_time",
    "wmo_decision_on_time", "jeugdwet_decision_on_time", "participatiewet_decision_on_time",
    "wgs_first_contact_on_time", "reregistration_12m", "caseload_per_fte", "reach_per_1000",
    "staff_outflow_rate", "staff_inflow_rate", "vacancy_rate", "incidental_funding_share",
}
TOC = "Snelle toegang voorkomt escalatie naar zwaardere zorg."
RULES = load_rules()


def typed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Contract columns of ``name`` in processed dtypes; absent columns all-missing."""
    full = df.copy()
    for c in TABLES[name].columns:
        if c.name not in full:
            full[c.name] = np.nan if c.kind in ("float", "int") else None
    return coerce_types(name, full)


def register(rows: list[dict]) -> pd.DataFrame:
    """A processed kpi_register from partial rows (missing columns empty)."""
    return typed("kpi_register", pd.DataFrame(rows, columns=["kpi_id"] if not rows else None))


def values(rows: list[tuple]) -> pd.DataFrame:
    """A processed kpi_values table from (kpi_id, organisation, period, value) tuples."""
    return coerce_types("kpi_values", pd.DataFrame(
        rows, columns=["kpi_id", "organisation", "period", "value"]))


CELLS = [(o, f"2023-Q{q}") for o in ("A", "B") for q in range(1, 5)]
K1 = [0.70, 0.75, 0.80, 0.85, 0.60, 0.90, 0.65, 0.95]


def small_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nine KPIs, each built to trigger one decision rule (see test_audit_decisions)."""
    reg = register([
        dict(kpi_id="K1", name="Tevredenheid", unit="share", direction="higher_is_better",
             target=0.8, data_source="enquête", quality_block=1, result_level="output",
             theory_of_change=TOC),
        dict(kpi_id="K2", name="Tevredenheid (schaal)", unit="score",
             direction="higher_is_better", data_source="enquête", quality_block=1,
             result_level="outcome", theory_of_change=TOC),
        dict(kpi_id="K3", name="Preventieve inzet", unit="share", quality_block=2,
             result_level="outcome", theory_of_change=TOC),
        dict(kpi_id="K4", name="Aantal overleggen", unit="count", quality_block=3,
             result_level="activity", data_source="   "),
        dict(kpi_id="K5", name="Aantal teams", unit="count", data_source="HR",
             quality_block=4, result_level="output", theory_of_change=TOC),
        dict(kpi_id="K6", name="Preventief aandeel", unit="share", direction="higher_is_better",
             target=0.3, indicator_id="preventive_share", quality_block=5,
             result_level="output", theory_of_change=TOC),
        dict(kpi_id="K7", name="Aantal meldingen", unit="count", data_source="registratie",
             quality_block=6, result_level="output"),
        dict(kpi_id="K8", name="Aantal trajecten", unit="count", data_source="registratie",
             quality_block=7, result_level="output", theory_of_change=TOC),
        dict(kpi_id="K9", name="Wachtlijst", unit="count", data_source="registratie",
             assignment_id="PACT1", quality_block=1, result_level="impact",
             theory_of_change=TOC),
    ])
    rows = []
    for (o, p), v in zip(CELLS, K1, strict=True):
        rows += [("K1", o, p, v), ("K2", o, p, v * 100 + 1)]
    rows += [("K5", o, p, 3.0) for o, p in CELLS]
    rows += [("K7", o, p, v) for (o, p), v in zip(CELLS, [5, 3, 8, 1, 2, 7, 4, 6], strict=True)]
    rows += [("K6", "A", "2023-Q1", 0.3), ("K6", "A", "2023-Q2", 0.4), ("K6", "B", "2023-Q1", None)]
    rows += [("K8", o, p, v) for (o, p), v in zip(CELLS[:5], [1, 5, 2, 9, 4], strict=True)]
    rows += [("K8", o, p, None) for o, p in CELLS[5:]]
    rows += [("K9", o, p, v) for (o, p), v in
             zip(CELLS, [100, 101, 100, 101, 100, 101, 100, 102], strict=True)]
    return reg, values(rows)


def row(df: pd.DataFrame, kpi_id: str) -> pd.Series:
    return df.set_index("kpi_id").loc[kpi_id]
