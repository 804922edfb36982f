"""The workforce tables that hold person counts, protected as one linked set.

Every workforce report (the city's and each organisation's) builds the same
three tables for the city and **all** organisations -- the calibration per
organisation (``workforce_calibration``), the outflow per organisation and
year (``workforce_yearly``) and the retention of a past cohort
(``workforce_retention``) -- protects them in one pass with
:func:`zwt_analysis.disclosure.protect` (the city's folder holds every row,
each organisation's folder its own rows), and then prints its own folder's
slice. So the city report and an organisation report print the same cells
the same way, and a yearly outflow with fewer than 5 leavers is never shown.
Schemas: :mod:`zwt_analysis.disclosure.tables`.
"""

from __future__ import annotations

import math

import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure import ProtectedTable, protect

__all__ = ["CALIBRATION", "RETENTION", "YEARLY", "calibration_frame", "protect_tables",
           "retention_frame", "yearly_frame"]

CALIBRATION, YEARLY, RETENTION = "workforce_calibration", "workforce_yearly", "workforce_retention"


def calibration_frame(rates: pd.DataFrame, fill: pd.DataFrame, ten: pd.DataFrame,
                      organisations: list[str]) -> pd.DataFrame:
    """One numeric row per organisation (and ``ALL``) with the CSV's Dutch column names.

    Args:
        rates: :func:`.outflow.pool_outflow`; fill: :func:`.calibrate.vacancy_fill_times`;
            ten: :func:`.calibrate.tenure` (each with an ``organisation`` column).
        organisations: rows in this order (absent from a frame: missing values).
    """
    r, f, t = (x.set_index("organisation") for x in (rates, fill, ten))

    def val(src: pd.DataFrame, org: str, col: str) -> float:
        return float(src.loc[org, col]) if org in src.index and col in src else math.nan

    rows = []
    for org in organisations:
        rows.append({
            "organisatie": org,
            "jaren": str(r.loc[org, "years"]) if org in r.index else "",
            "persoonjaren": val(r, org, "person_years"),
            "vertrekkers": val(r, org, "leavers"),
            "uitstroom": val(r, org, "outflow_rate"),
            "uitstroom_laag": val(r, org, "outflow_low"),
            "uitstroom_hoog": val(r, org, "outflow_high"),
            "nieuwkomers": val(r, org, "newcomers"),
            "instroom": val(r, org, "inflow_rate"),
            "instroom_laag": val(r, org, "inflow_low"),
            "instroom_hoog": val(r, org, "inflow_high"),
            "vervulde_vacatures": val(f, org, "filled"),
            "open_vacatures": val(f, org, "open"),
            "maanden_tot_vervulling": val(f, org, "mean_months"),
            "maanden_laag": val(f, org, "mean_low"),
            "maanden_hoog": val(f, org, "mean_high"),
            "mediane_verblijfsduur_jaren": val(t, org, "median_years"),
            "verblijfsduur_laag": val(t, org, "median_low"),
            "verblijfsduur_hoog": val(t, org, "median_high"),
        })
    return pd.DataFrame(rows)


def yearly_frame(yearly: pd.DataFrame) -> pd.DataFrame:
    """:func:`.outflow.yearly_outflow` in the CSV's layout (``full_year`` kept)."""
    cols = ["organisation", "year", "full_year", "stock_jan1", "leavers", "newcomers",
            "outflow_rate", "outflow_low", "outflow_high"]
    out = yearly[cols].copy()
    for c in ("stock_jan1", "leavers", "newcomers"):
        out[c] = out[c].astype(float)
    return out.sort_values(["organisation", "year"]).reset_index(drop=True)


def retention_frame(retention: pd.DataFrame) -> pd.DataFrame:
    """:func:`.question.cohort_retention` in the CSV's layout (dates as text)."""
    cols = ["organisation", "cohort_date", "years", "persons", "still_there", "share",
            "share_low", "share_high", "expected_model", "expected_flat"]
    out = retention.reindex(columns=cols).copy()
    out["cohort_date"] = out["cohort_date"].astype(str)
    for c in ("persons", "still_there"):
        out[c] = out[c].astype(float)
    return out.reset_index(drop=True)


def _org_column(name: str) -> str:
    return "organisatie" if name == CALIBRATION else "organisation"


def protect_tables(frames: dict[str, pd.DataFrame], organisations: list[str], folder: str
                   ) -> dict[str, ProtectedTable]:
    """Protect ``frames`` (table name -> all rows) for the city and every organisation at once;
    return the tables of ``folder`` (``"ALL"`` or an organisation).

    Every organisation's folder gets its own rows, the city's folder all rows; the
    suppression is the same whichever folder is asked for.
    """
    keyed: dict[tuple[str, str], pd.DataFrame] = {}
    for name, df in frames.items():
        if df.empty:
            continue
        keyed[(name, ALL)] = df.reset_index(drop=True)
        col = _org_column(name)
        for org in organisations:
            keyed[(name, org)] = df[df[col] == org].reset_index(drop=True)
    if not keyed:
        return {}
    prot = protect(keyed)
    return {name: prot[(name, folder)] for name, f in keyed if f == folder}
