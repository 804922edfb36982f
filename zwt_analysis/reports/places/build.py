"""``build(ctx, params)``: everything the places report shows, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from zwt_analysis import processed
from zwt_analysis.contract import ALL, TABLES
from zwt_analysis.reports.places import costgap, expertise, peers, reach, stories
from zwt_analysis.reports.places.settings import load_settings
from zwt_analysis.signals import MISSING


@dataclass
class PlacesResult:
    """What the places report shows (frames may be empty; ``skipped`` says why, in Dutch)."""

    organisation: str
    municipality_code: str | None
    municipality_name: str | None
    year: int | None
    settings: dict[str, Any]
    peers: pd.DataFrame
    position: pd.DataFrame
    reach: reach.ReachModel | None
    by_type: pd.DataFrame
    rare: pd.DataFrame
    type_summary: pd.DataFrame
    gap: pd.DataFrame
    fte: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    #: The city's tables behind ``reach.table`` and ``by_type`` (published tables are
    #: protected on these as one linked set, then cut to the organisation).
    reach_city: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_type_city: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Signals from practice beside the reach and cost-gap figures, and per theme.
    signals: stories.PlaceSignals = field(
        default_factory=lambda: stories.PlaceSignals(MISSING))


def reference_year(cases: pd.DataFrame, as_of: date) -> int | None:
    """The latest calendar year that is complete on ``as_of`` and has cases reported.

    A year is complete when ``as_of`` is on or after its 31 December; None without cases.
    """
    if cases.empty:
        return None
    years = set(pd.to_datetime(cases["date_report"]).dt.year.dropna().astype(int))
    last_full = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    full = [y for y in years if y <= last_full]
    return max(full) if full else None


def _table(ctx: Any, name: str) -> pd.DataFrame:
    return ctx.table(name) if name in TABLES else pd.DataFrame()


def _org_rows(df: pd.DataFrame, organisation: str) -> pd.DataFrame:
    if organisation == ALL or df.empty or "organisation" not in df.columns:
        return df
    return df[df["organisation"] == organisation].reset_index(drop=True)


def _peers_part(code: str | None, s: dict[str, Any], skipped: dict[str, str]
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    cbs = peers.load_municipalities(s["file"])
    if code is None or not (cbs["gemeentecode"] == code).any():
        skipped["peers"] = ("de gemeentecode is niet uit de wijkcodes af te leiden of staat niet "
                            "in de CBS-tabel van alle gemeenten")
        return pd.DataFrame(), pd.DataFrame()
    group = peers.peer_group(cbs, code, s["size_factor"], s["urbanity_steps"])
    return group, peers.position(group)


def _reach_part(areas: pd.DataFrame, cases: pd.DataFrame, year: int | None, s: dict[str, Any],
                skipped: dict[str, str]) -> reach.ReachModel | None:
    if areas.empty or year is None:
        skipped["reach"] = "geen wijkindeling (areas) of geen volledig jaar met zaken geleverd"
        return None
    wijken = reach.load_wijken(s["ages_file"], s["names_file"])
    if not set(areas["area_code"].astype(str)) & set(wijken["area_code"]):
        skipped["reach"] = ("de wijkcodes van deze gemeente staan niet in het meegeleverde "
                            "CBS-bestand met wijkkenmerken")
        return None
    return reach.expected_reach(wijken, reach.clients_per_area(cases, year), areas,
                                s["need_proxies"])


def build(ctx: Any, params: dict[str, Any]) -> PlacesResult:
    """Compute the places report for ``ctx.organisation`` (the city or one organisation).

    ``params``: ``settings_file`` ("" = packaged ``resources/places.yaml``).
    Organisation reports show the organisation's wijken and teams; the model and the
    comparison with other municipalities are the city's (the reference).
    """
    s = load_settings(params.get("settings_file") or None)
    org = ctx.organisation
    areas, cases = ctx.table("areas"), ctx.table("cases")
    skipped: dict[str, str] = {}
    code, name = ctx.municipality.code, ctx.municipality.display_name
    group, pos = _peers_part(code, s["peers"], skipped)
    year = reference_year(cases, ctx.as_of)
    model = _reach_part(areas, cases, year, s["wijken"], skipped)
    reach_city = model.table.copy() if model is not None else pd.DataFrame()
    if model is not None and org != ALL:
        own = set(areas.loc[areas["organisation"] == org, "area_code"].astype(str))
        model.table = model.table[model.table["area_code"].astype(str).isin(own)].reset_index(drop=True)
    rare_n = int(s["expertise"]["rare_per_year"])
    by_type = expertise.cases_by_type(cases, year) if year is not None else expertise.cases_by_type(
        cases.iloc[0:0], 0)
    if by_type.empty:
        skipped["expertise"] = "het veld question_type (soort hulpvraag) is niet geleverd"
    summary = expertise.type_summary(by_type, rare_n)
    rare = _org_rows(expertise.rare_types(by_type, rare_n), org)
    cost_index = _table(ctx, "cost_index")
    gap = costgap.yearly_gap(cost_index, org, s["cost_gap"].get("base_year"))
    if gap.empty:
        skipped["cost_gap"] = "de tabel cost_index (cao-loonstijging en indexatie) is niet geleverd"
    fte = costgap.fte_effect(gap, ctx.table("formation"), org)
    shown = model.table["area_code"].astype(str).tolist() if model is not None else []
    sig = stories.place_signals(
        ctx.table("signals"), "signals" in processed.available_tables(ctx.processed_dir), areas,
        org, s.get("signals") or {}, year if model is not None else None, shown,
        [int(y) for y in gap["year"]] if not gap.empty else [], ctx.as_of)
    return PlacesResult(org, code, name, year, s, group, pos, model, _org_rows(by_type, org),
                        rare, summary, gap, fte, skipped, reach_city, by_type, sig)
