"""Hand-built processed folders for the places tests (two real Zaanstad wijken)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from zwt_analysis import processed
from zwt_analysis.contract import TABLES


def write_table(path: Path, name: str, cols: dict) -> None:
    """Write contract table ``name`` from columns (the others empty) as processed Parquet."""
    df = pd.DataFrame(cols).reindex(columns=TABLES[name].column_names)
    processed.coerce_types(name, df).to_parquet(path / f"{name}.parquet")


def write_processed(path: Path) -> Path:
    """Two wijken held by DOCK (team D1) and SMD (S1); 30 cases in 2024; cost index 2023-24.

    As of 30 June 2025, so the reference year is 2024.
    """
    path.mkdir(parents=True, exist_ok=True)
    write_table(path, "areas", {"area_code": ["WK047912", "WK047913"],
                                "area_name": ["Poelenburg", "Pelders- en Hoornseveld"],
                                "organisation": ["DOCK", "SMD"], "team": ["D1", "S1"],
                                "pact": [True, True], "population": [8665, 11275]})
    n = 30
    write_table(path, "cases", {
        "case_id": [f"c{i}" for i in range(n)], "client_id": [f"p{i}" for i in range(n)],
        "organisation": ["DOCK"] * 20 + ["SMD"] * 10, "team": ["D1"] * 20 + ["S1"] * 10,
        "area_code": ["WK047912"] * 20 + ["WK047913"] * 10, "legal_framework": ["wmo"] * n,
        "date_report": ["2024-03-01"] * n,
        "question_type": ["wonen"] * 14 + ["verslaving"] * 6 + ["wonen"] * 10,
    })
    write_table(path, "formation", {"organisation": ["DOCK", "SMD"], "year": [2023, 2023],
                                    "budgeted_fte": [10.0, 5.0]})
    write_table(path, "cost_index", {"year": [2023, 2024], "organisation": [None, None],
                                     "cao_wage_increase_pct": [6.0, 5.0],
                                     "municipal_indexation_pct": [4.0, 3.0]})
    (path / "validation.json").write_text(json.dumps({"as_of": "2025-06-30", "synthetic": True}))
    return path
