"""Dutch reader tables of the workforce report, from what :func:`.build.build` computed.

Nothing here estimates or simulates: functions select, label (Dutch) and
format. Person counts come from the protected tables (:mod:`.published`):
a suppressed count shows ``<5`` or ``x``, a rate whose count is suppressed
``x``. Narrative sentences are in :mod:`.text`, figures in :mod:`.plots`.
Reviewer tables keep to about 15 rows: the full tables are the CSV files.

Formatting: shares as ``12,3%``, numbers with a decimal comma; a missing
value shows ``–`` and an estimate that cannot be made "niet te schatten".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from zwt_analysis.contract import ALL
from zwt_analysis.disclosure import ProtectedTable
from zwt_analysis.labels import org_name
from zwt_analysis.present.fmt import nl_number, nl_percent
from zwt_analysis.reports.workforce import hazards, runs, scenarios
from zwt_analysis.reports.workforce.model_checks import BacktestResult

__all__ = [
    "ASSUMPTION_LABELS_NL", "OUTPUT_LABELS_NL", "PERCENT_KEYS", "additional_display",
    "assumptions_display", "assumptions_table", "backtest_display", "bands_display",
    "calibration_display", "fmt_ci", "funding_display", "masked_backtest", "num", "org_name",
    "pct", "recovery_display", "reservation_display", "retention_display", "round_numbers",
    "sector_label", "signals_list", "summary_display", "tests_display",
]

#: Dutch labels of the assumptions (tables and the tornado chart).
ASSUMPTION_LABELS_NL = {
    "outflow_rate": "Vertrek per jaar",
    "months_to_fill": "Maanden tot vervulling vacature",
    "ramp_up_months": "Inwerktijd nieuwe medewerker (maanden)",
    "new_hire_productivity": "Productiviteit nieuwe medewerker bij start",
    "wage_growth": "Cao-loonstijging per jaar",
    "indexation": "Gemeentelijke indexatie per jaar",
    "population_growth": "Bevolkingsgroei per jaar",
    "demand_trend": "Trend wettelijke vraag per inwoner per jaar",
    "overhead_share": "Aandeel overhead, coördinatie en extra opdrachten",
}
#: Dutch labels of the simulated outputs (figures).
OUTPUT_LABELS_NL = {
    "effective_fte": "Effectieve fte (na inwerken)",
    "vacancies_fte": "Openstaande vacatures (fte)",
    "stayers_share": "Aandeel huidig personeel nog in dienst",
    "preventive_fte": "Preventieve capaciteit (fte)",
    "preventive_share": "Preventief aandeel (preventief / (preventief + wettelijk))",
}
#: Assumptions and outputs that are shares (0..1), shown as percentages.
PERCENT_KEYS = ("stayers_share", "preventive_share", "outflow_rate", "wage_growth",
                "indexation", "population_growth", "demand_trend", "overhead_share",
                "new_hire_productivity")


# ----------------------------------------------------------------- formatting

def pct(v: Any, d: int = 1) -> str:
    """Dutch percentage, ``–`` when missing."""
    return nl_percent(float(v), d) if _finite(v) else "–"


def num(v: Any, d: int = 1) -> str:
    """Dutch number, ``–`` when missing."""
    return nl_number(float(v), d) if _finite(v) else "–"


def _finite(v: Any) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def fmt_ci(est: Any, lo: Any, hi: Any, percent: bool = False, d: int = 1) -> str:
    """``est (lo–hi)``; "niet te schatten" when the estimate is missing."""
    f = pct if percent else num
    return f"{f(est, d)} ({f(lo, d)}–{f(hi, d)})" if _finite(est) else "niet te schatten"


def sector_label(sector: float, source: str) -> str:
    """Name of the sector comparison, e.g. "Sector (CBS AZW, ca. 11%)"."""
    return f"Sector ({source}, ca. {pct(sector, 0)})"


def round_numbers(df: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Round every float cell (also in object columns holding "<5") for a CSV side table."""
    def r(v: Any) -> Any:
        return round(v, decimals) if isinstance(v, float) and np.isfinite(v) else v

    return df.apply(lambda col: col.map(r))


def _cell(t: ProtectedTable, i: int, col: str, d: int = 0) -> str:
    """A printed count: its symbol when suppressed, else the number."""
    lab = t.labels.at[i, col]
    return str(lab) if lab else num(t.frame.at[i, col], d)


def _ci_cell(t: ProtectedTable, i: int, cols: tuple[str, str, str], percent: bool) -> str:
    if any(t.labels.at[i, c] for c in cols):
        return "x"
    return fmt_ci(*(t.frame.at[i, c] for c in cols), percent=percent)


# ----------------------------------------------------------------- history

def calibration_display(t: ProtectedTable, organisations: list[str]) -> pd.DataFrame:
    """Dutch history table per organisation from the protected calibration table."""
    rows = []
    idx = {o: i for i, o in enumerate(t.frame["organisatie"].astype(str))}
    for org in organisations:
        if org not in idx:
            continue
        i, f = idx[org], t.frame
        ten = ("mediaan niet bereikt" if not _finite(f.at[i, "mediane_verblijfsduur_jaren"])
               else fmt_ci(f.at[i, "mediane_verblijfsduur_jaren"], f.at[i, "verblijfsduur_laag"],
                           f.at[i, "verblijfsduur_hoog"]))
        rows.append({
            "Organisatie": org_name(org),
            "Jaren": f.at[i, "jaren"],
            "Vertrekkers": _cell(t, i, "vertrekkers"),
            "Vertrek per jaar": _ci_cell(t, i, ("uitstroom", "uitstroom_laag",
                                                "uitstroom_hoog"), True),
            "Instroom per jaar": _ci_cell(t, i, ("instroom", "instroom_laag", "instroom_hoog"),
                                          True),
            "Vacatures vervuld / nog open": f"{_cell(t, i, 'vervulde_vacatures')} / "
                                            f"{_cell(t, i, 'open_vacatures')}",
            "Maanden tot vervulling": _ci_cell(t, i, ("maanden_tot_vervulling", "maanden_laag",
                                                      "maanden_hoog"), False),
            "Mediane verblijfsduur (jaren)": ten,
        })
    return pd.DataFrame(rows)


def tests_display(model: hazards.HazardModel) -> pd.DataFrame:
    """The drift tests of the hazard model (methode section): change per year in percent."""
    rows = []
    for _, r in model.tests.iterrows():
        est = math.expm1(r["estimate"]) if _finite(r["estimate"]) else math.nan
        lo = math.expm1(r["estimate"] - 1.96 * r["se"]) if _finite(r["se"]) else math.nan
        hi = math.expm1(r["estimate"] + 1.96 * r["se"]) if _finite(r["se"]) else math.nan
        rows.append({"Toets": r["term"], "Verandering vertrekkans per jaar":
                     fmt_ci(est, lo, hi, True) if _finite(est) else "–",
                     "p": num(r["p"], 3), "p na correctie": num(r["p_adjusted"], 3)})
    return pd.DataFrame(rows)


def bands_display(model: hazards.HazardModel) -> pd.DataFrame:
    """Leaving hazard by tenure band relative to the first band (model estimates, 95%)."""
    labels = hazards.band_labels(model.band_edges_years, model.band_map)
    rows = [{"Diensttijd": labels[0], "Vertrekkans t.o.v. eerste band": "1 (referentie)"}]
    for k in range(1, model.n_bands):
        j = model.index(f"band:{k}")
        b, se = model.params[j], math.sqrt(model.cov[j, j])
        rows.append({"Diensttijd": labels[k], "Vertrekkans t.o.v. eerste band":
                     fmt_ci(math.exp(b), math.exp(b - 1.96 * se), math.exp(b + 1.96 * se),
                            d=2)})
    return pd.DataFrame(rows)


def retention_display(t: ProtectedTable, organisations: list[str]) -> pd.DataFrame:
    """The past cohort: still employed, beside the two expectations."""
    rows = []
    for i, org in enumerate(t.frame["organisation"].astype(str)):
        if org not in organisations:
            continue
        f = t.frame
        rows.append({
            "Organisatie": org_name(org),
            "In dienst op": pd.Timestamp(f.at[i, "cohort_date"]).strftime("%d-%m-%Y"),
            "Personen": _cell(t, i, "persons"),
            "Nog in dienst op de peildatum": _ci_cell(t, i, ("share", "share_low",
                                                             "share_high"), True),
            "Verwacht met vertrek naar diensttijd": pct(f.at[i, "expected_model"]),
            "Verwacht met één gemiddeld vertrek": pct(f.at[i, "expected_flat"]),
        })
    return pd.DataFrame(rows)


def signals_list(signals: pd.DataFrame) -> str:
    """Numbered Markdown list of the signals drawn on the outflow figure (same numbers)."""
    lines = []
    for k, row in enumerate(signals.reset_index(drop=True).itertuples(index=False), start=1):
        team = f" ({row.team})" if isinstance(row.team, str) and row.team else ""
        lines.append(f"{k}. {pd.Timestamp(row.date).strftime('%d-%m-%Y')}, "
                     f"{org_name(row.organisation)}{team}: *{row.text}*")
    return "\n".join(lines)


def masked_backtest(yearly: pd.DataFrame, tables: dict[str, ProtectedTable]) -> pd.DataFrame:
    """Back-test rows with the observed leavers masked where ``workforce_yearly`` hides them
    (the city's sum of organisations is left out of figures)."""
    t = tables.get("workforce_yearly")
    out = yearly[yearly["organisation"] != ALL].copy()
    if t is None:
        out["leavers_observed"] = math.nan
        return out
    m = t.masked().set_index(["organisation", "year"])["leavers"]
    keys = list(zip(out["organisation"], out["year"], strict=True))
    out["leavers_observed"] = [m.get(k, math.nan) for k in keys]
    return out


# ----------------------------------------------------------------- scenarios

def assumptions_table(settings: dict[str, Any], calib: runs.Calibration,
                      organisations: list[str]) -> pd.DataFrame:
    """Resolved point assumptions per organisation (rows: Dutch assumption, columns: organisation).

    The row label says where a value came from ("(historie)" when calibrated).
    """
    rows = {}
    for k in scenarios.ASSUMPTION_KEYS:
        label = ASSUMPTION_LABELS_NL[k] + (" (historie)" if settings[k] == "calibrated" else "")
        rows[label] = {o: getattr(scenarios.resolve(settings, calib.values[o]), k)
                       for o in organisations}
    return pd.DataFrame(rows).T


def assumptions_display(settings: dict[str, Any], calib: runs.Calibration,
                        organisations: list[str]) -> pd.DataFrame:
    """:func:`assumptions_table` for readers: percentages and months, first column ``Aanname``."""
    table = assumptions_table(settings, calib, organisations)
    out = pd.DataFrame(index=table.index, columns=table.columns, dtype=object)
    for key, (label, row) in zip(scenarios.ASSUMPTION_KEYS, table.iterrows(), strict=True):
        out.loc[label] = [pct(v) if key in PERCENT_KEYS else num(v) for v in row]
    out.columns = [org_name(c) for c in out.columns]
    return out.reset_index(names="Aanname")


def summary_display(summary: pd.DataFrame, organisations: list[str]) -> pd.DataFrame:
    """Dutch scenario comparison: medians with the 10-90% range, rows of ``organisations``."""
    rows = []
    s = summary[summary["organisation"].isin(organisations)]
    order = {o: i for i, o in enumerate(organisations)}
    s = s.assign(_o=s["organisation"].map(order)).sort_values(["_o"], kind="stable")
    for _, r in s.iterrows():
        def rng(k: str, percent: bool = False, d: int = 1, r: pd.Series = r) -> str:
            return fmt_ci(r[f"{k}_p50"], r[f"{k}_p10"], r[f"{k}_p90"], percent, d)

        rows.append({
            "Organisatie": org_name(r["organisation"]),
            "Scenario": r.get("label", r["scenario"]),
            "Effectieve fte": rng("effective_fte"),
            "Betaalde formatie (fte)": rng("funded_fte"),
            "Nog in dienst van huidig personeel": rng("stayers_share", True, 0),
            "Preventief aandeel": rng("preventive_share", True),
            "Kans wettelijke vraag niet gedekt": pct(r["p_unmet_statutory"], 0),
        })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- funding

def funding_display(by_year: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """Structural and incidental money per year of one organisation (or the city)."""
    d = by_year[by_year["organisation"] == organisation]
    return pd.DataFrame({
        "Jaar": d["year"].astype(str).to_numpy(),
        "Structureel": d["structural_eur"].to_numpy(float),
        "Incidenteel": d["incidental_eur"].to_numpy(float),
        "Totaal": d["total_eur"].to_numpy(float),
        "Aandeel incidenteel": d["incidental_share"].to_numpy(float),
    })


def additional_display(add: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """Additional assignments per year of one organisation (or the city)."""
    d = add[add["organisation"] == organisation]
    out = pd.DataFrame({
        "Jaar": d["year"].astype(str).to_numpy(),
        "Aantal opdrachten": d["n_assignments"].astype("int64").to_numpy(),
        "Totaal (euro)": d["total_eur"].to_numpy(float),
        "Mediane looptijd (maanden)": d["median_length_months"].to_numpy(float),
        "Aandeel korter dan 12 maanden": d["share_shorter_than_12m"].to_numpy(float),
        "Uren op extra opdrachten": d["hours"].to_numpy(float),
    })
    if "hours_unlinked" in d:
        out["Uren zonder opdrachtnummer"] = d["hours_unlinked"].to_numpy(float)
    return out


def reservation_display(res: pd.DataFrame) -> pd.DataFrame:
    """The proposed flexible reservation with its stated and measured coverage."""
    def cover(r: pd.Series) -> str:
        if not _finite(r["coverage_low"]):
            return "niet gemeten"
        return f"{pct(r['coverage_low'], 0)}–{pct(r['coverage_high'], 0)}"

    return pd.DataFrame({
        "Organisatie": [org_name(o) for o in res["organisation"]],
        "Voor jaar": res["year"].astype("int64").astype(str).to_numpy(),
        "Gemiddeld incidenteel per jaar": res["mean_incidental_eur"].to_numpy(float),
        "Voorgestelde reservering": res["reservation_eur"].to_numpy(float),
        "Dekt naar opzet": [pct(v, 0) for v in res["level"]],
        "Dekt in de validatie": [cover(r) for _, r in res.iterrows()],
        "Als deel van structureel": res["reservation_share_of_structural"].to_numpy(float),
    })


# ----------------------------------------------------------------- model checks

def recovery_display(rec: pd.DataFrame) -> pd.DataFrame:
    """The recovery check summarised per organisation and parameter (methode section)."""
    rows = []
    for (org, kind), g in rec.assign(kind=rec["parameter"].str.replace(r"_\d{4}$", "",
                                                                          regex=True)).groupby(
            ["organisation", "kind"], sort=True):
        name = {"drift": "Trend in vertrek (log per jaar)", "months_to_fill":
                "Maanden tot vervulling", "outflow": "Vertrek per jaar (elk jaar)"}[kind]
        shown = f"{len(g)} jaren"
        if len(g) == 1:
            r, d = g.iloc[0], (3 if kind == "drift" else 1)
            shown = (f"{num(r['truth'], d)} / "
                     f"{fmt_ci(r['estimate'], r['low'], r['high'], d=d)}")
        rows.append({"Organisatie": org_name(org), "Grootheid": name,
                     "Waarheid / schatting (95%)": shown,
                     "Binnen interval": f"{int(g['covered'].sum())} van {len(g)}"})
    return pd.DataFrame(rows)


def backtest_display(bt: BacktestResult, organisations: list[str]) -> pd.DataFrame:
    """Back-test summary per organisation: years predicted and the share within the band."""
    e = bt.errors[bt.errors["organisation"].isin(organisations)]
    return pd.DataFrame({
        "Organisatie": [org_name(o) for o in e["organisation"]],
        "Voorspelde jaren": e["predictions"].astype("int64").to_numpy(),
        "Binnen 10–90%-band": [pct(v, 0) for v in e["coverage"]],
        "Gem. afwijking (procentpunt van de bezetting)": [num(v * 100, 1) for v in
                                                          e["mean_abs_error"]],
    })

