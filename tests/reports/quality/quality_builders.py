"""Hand-built processed folders for the data-quality tests (neutral organisation names).

``write_processed`` writes any subset of contract tables (Parquet), a
``validation.json`` (derived from the tables unless given) and optionally a
``quarantine.csv``; the ``*_rows`` helpers build small tables by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from zwt_analysis import processed
from zwt_analysis.contract import TABLES


def frame(name: str, cols: dict) -> pd.DataFrame:
    """A contract table ``name`` from columns (the others empty), typed as processed."""
    df = pd.DataFrame(cols).reindex(columns=TABLES[name].column_names)
    return processed.coerce_types(name, df)


def write_processed(path: Path, tables: dict[str, dict], validation: dict | None = None,
                    quarantine: pd.DataFrame | None = None, as_of: str = "2024-09-30",
                    extra: dict | None = None) -> Path:
    """Write a processed folder; ``validation`` defaults to one clean entry per table.

    ``extra`` is merged into the table entries of the default validation
    (``{"cases": {"cp1252_lines": 3}}``) or, for other keys, into its top level.
    """
    path.mkdir(parents=True, exist_ok=True)
    for name, cols in tables.items():
        frame(name, cols).to_parquet(path / f"{name}.parquet")
    if validation is None:
        validation = {"as_of": as_of, "as_of_source": "option", "synthetic": True,
                      "missing_tables": [t for t in TABLES if t not in tables]}
        for name, cols in tables.items():
            n = len(next(iter(cols.values())))
            validation[name] = {"rows_in": n, "rows_clean": n, "rows_quarantined": 0,
                                "source_file": f"{name}.csv"}
        for key, value in (extra or {}).items():
            if key in TABLES and isinstance(value, dict):
                validation.setdefault(key, {}).update(value)
            else:
                validation[key] = value
    (path / "validation.json").write_text(json.dumps(validation), encoding="utf-8")
    if quarantine is not None:
        quarantine.to_csv(path / processed.QUARANTINE_FILE, index=False)
    return path


def cases_rows(per_org: dict[str, int], quarter_dates: tuple[str, ...] = ("2024-01-15",),
               closed_every: int = 2) -> dict:
    """``per_org`` cases per organisation (team ``T-<org>``) in each of ``quarter_dates``;
    every ``closed_every``-th case is closed."""
    rows: dict[str, list] = {c: [] for c in ("case_id", "client_id", "organisation", "team",
                                             "legal_framework", "date_report", "date_closed")}
    i = 0
    for d in quarter_dates:
        for org, n in per_org.items():
            for _ in range(n):
                rows["case_id"].append(f"c{i}")
                rows["client_id"].append(f"p{i}")
                rows["organisation"].append(org)
                rows["team"].append(f"T-{org}")
                rows["legal_framework"].append("wmo")
                rows["date_report"].append(d)
                rows["date_closed"].append(d if i % closed_every == 0 else None)
                i += 1
    return rows


def areas_rows(orgs: tuple[str, ...]) -> dict:
    """One wijk per organisation (team ``T-<org>``)."""
    return {"area_code": [f"WK{i:06d}" for i in range(len(orgs))],
            "area_name": [f"Wijk {o}" for o in orgs], "organisation": list(orgs),
            "team": [f"T-{o}" for o in orgs]}


def staff_rows(per_org: dict[str, int], start: str = "2020-01-01") -> dict:
    """``per_org`` employees per organisation, all starting on ``start``, none leaving."""
    rows: dict[str, list] = {c: [] for c in ("employee_id", "organisation", "team", "fte",
                                             "start_date")}
    for org, n in per_org.items():
        for k in range(n):
            rows["employee_id"].append(f"e-{org}-{k}")
            rows["organisation"].append(org)
            rows["team"].append(f"T-{org}")
            rows["fte"].append(0.8)
            rows["start_date"].append(start)
    return rows


def kpi_register_rows(n: int = 16, with_theory: int = 1) -> dict:
    """A register of ``n`` KPIs, ``with_theory`` of them with a theory of change."""
    return {"kpi_id": [f"K{i}" for i in range(n)], "name": [f"kpi {i}" for i in range(n)],
            "theory_of_change": ["ja" if i < with_theory else None for i in range(n)]}


def kpi_values_rows(orgs: tuple[str, ...], periods: tuple[str, ...] = ("2024-Q1",)) -> dict:
    """One value per KPI K0..K2, organisation and period."""
    rows: dict[str, list] = {"kpi_id": [], "organisation": [], "period": [], "value": []}
    for org in orgs:
        for period in periods:
            for k in range(3):
                rows["kpi_id"].append(f"K{k}")
                rows["organisation"].append(org)
                rows["period"].append(period)
                rows["value"].append(float(k))
    return rows
