"""Tests of ``zwt_analysis.reports.kpi.build`` on a small hand-built processed folder.

No papermill: the processed folder holds the nine KPIs of ``kpi_builders.small_tables``
(organisations A and B, 2023-Q1..Q4), three budget lines, three signals and a
hand-written ``indicators.csv``; every expected value below is counted by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from kpi_builders import RULES, small_tables, typed

from zwt_analysis import processed
from zwt_analysis.reports import context
from zwt_analysis.reports.kpi import KpiResult, build, tables, text

AS_OF = "2024-02-15"  # 2024-Q1 is unfinished on this date


def _indicators() -> pd.DataFrame:
    rows = []
    quarters = ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"]
    for org, nums in {"A": [3, 5, 3, 3, 4], "B": [2, 2, 2, 2, 2], "ALL": [5, 7, 5, 5, 6]}.items():
        den = 20.0 if org == "ALL" else 10.0
        rows += [("preventive_share", q, org, "ALL", float(n), den, n / den)
                 for q, n in zip(quarters, nums, strict=True)]
    rows.append(("preventive_share", "2018-Q4", "A", "ALL", 1.0, 10.0, 0.1))  # before 2019
    rows.append(("preventive_share", "2023-Q1", "A", "T1", 1.0, 5.0, 0.2))  # a team row
    rows.append(("reregistration_12m", "2023-Q1", "A", "ALL", 2.0, 10.0, 0.2))
    return pd.DataFrame(rows, columns=["indicator_id", "period", "organisation", "team",
                                       "numerator", "denominator", "value"])


def _write(path: Path, name: str, df: pd.DataFrame) -> None:
    typed(name, df).to_parquet(path / f"{name}.parquet")


@pytest.fixture()
def proc(tmp_path: Path) -> Path:
    path = tmp_path / "processed"
    path.mkdir()
    reg, vals = small_tables()
    reg.to_parquet(path / "kpi_register.parquet")
    vals.to_parquet(path / "kpi_values.parquet")
    _write(path, "budgets", pd.DataFrame({
        "organisation": ["A", "A", "B"], "year": [2023] * 3,
        "assignment_id": ["PACT1", "EXTRA", "MAIN"],
        "assignment_type": ["additional", "additional", "main"],
        "funding_type": ["incidental", "incidental", "structural"],
        "amount_eur": [1.0, 1.0, 1.0], "commissioner": ["PACT", "gemeente", "gemeente"]}))
    _write(path, "signals", pd.DataFrame({
        "date": pd.to_datetime(["2018-06-01", "2023-05-01", "2023-02-01"]),
        "organisation": ["A", "A", "B"], "text": ["oud", "minder preventie", "nieuw team"],
        "kpi_id": [None, "K6", None]}))
    _indicators().to_csv(path / "indicators.csv", index=False)
    (path / processed.VALIDATION_FILE).write_text(
        json.dumps({"as_of": AS_OF, "synthetic": True, "missing_tables": []}), encoding="utf-8")
    return path


def _build(proc: Path, tmp_path: Path, **kw) -> KpiResult:
    params = {"processed_dir": str(proc), "indicators_file": "", "organisation": "ALL",
              "output_dir": str(tmp_path / "out"), "rules_file": "", "max_panels": 12,
              "first_year": 2019} | kw
    return build(context.context(params), params)


def test_build_city_audit_accountability_and_coverage(proc, tmp_path):
    res = _build(proc, tmp_path)
    a = res.audit.set_index("kpi_id")
    assert res.organisation == "ALL" and res.rules == RULES
    assert a["decision"].to_dict() == {"K1": "merge", "K2": "keep", "K3": "define",
                                       "K4": "drop", "K5": "drop", "K6": "keep",
                                       "K7": "define", "K8": "define", "K9": "drop"}
    assert "completeness_org" not in a  # city report: no organisation columns
    assert a.loc["K1", "reason"].endswith("gaat op in K2.")
    assert a.loc["K8", "reason"].startswith("Onvolledig aangeleverd (62% van de cellen, norm 80%)")
    assert res.strategies.set_index("assignment_id")["strategy"].to_dict() == {
        "EXTRA": "niche", "MAIN": "integrated", "PACT1": "ecosystem"}
    assert res.accountability.set_index("kpi_id").loc["K9", "fit"] == "leren"
    gaps = res.gaps.set_index("theme")
    assert gaps["gap"].to_dict() == {"prevention": False, "sociale_basis": True,
                                     "outcomes": False}
    # reregistration_12m is in the indicator table, reach_per_1000 is not
    assert gaps.loc["sociale_basis", "candidates"] == \
        "preventive_share, reach_per_1000 (nog niet berekend)"
    blocks = res.blocks.set_index("block")
    assert blocks["kept"].to_dict() == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1, "6": 0, "7": 0}
    csv = res.audit_csv
    assert len(csv) == 9 + 1 and csv["kpi_id"].iloc[-1] == "GAP:sociale_basis"
    assert csv.set_index("kpi_id").loc["K9", "accountability_fit"] == "leren"


def test_build_city_series_trends_signals(proc, tmp_path):
    res = _build(proc, tmp_path)
    # kept KPIs with values, most outcome-like first: K2 (outcome) before K6 (output)
    assert list(dict.fromkeys(res.kpi_series["series"])) == ["K2", "K6"]
    assert len(res.kpi_series) == 8 + 2
    ind = res.indicator_series
    # configured indicators present in the table, in configured order
    assert list(dict.fromkeys(ind["series"])) == ["preventive_share", "reregistration_12m"]
    prev = ind[ind["series"] == "preventive_share"]
    # 2024-Q1 unfinished on the as-of date, 2018-Q4 before first_year, team rows left out
    assert sorted(prev["period"].unique()) == ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    assert len(prev) == 3 * 4
    assert sorted(prev["organisation"].unique()) == ["A", "ALL", "B"]  # the city keeps its code
    assert prev["target"].unique().tolist() == [0.3]  # from K6, which names the indicator
    assert not prev["binomial"].any() and prev["low"].isna().all()  # hours: no interval
    rereg = ind[ind["series"] == "reregistration_12m"].iloc[0]
    # 2 of 10 re-registered: a count under 5, hidden by disclosure control, so the figure
    # draws neither the share nor its Wilson band (issue 16; the band itself: test_kpi_report)
    assert rereg["binomial"] and rereg["period"] == "2023-Q1"
    assert np.isnan(rereg["value"]) and np.isnan(rereg["low"]) and np.isnan(rereg["high"])
    # every series has 4 usable periods or fewer: the method withholds a verdict (fewer than 6)
    assert len(res.trends) == 3 + 3 + 1  # K2 x A, B; K6 x A; shares x A, B, city; rereg x A
    assert set(res.trends["verdict"]) == {"te kort om te beoordelen"}
    assert res.trends["slope_per_year"].isna().all()  # no slope without a verdict
    assert res.trends.loc[res.trends["series"] == "preventive_share", "organisation"].tolist() \
        == ["A", "ALL", "B"]
    # 2024-Q1 is unfinished on the as-of date: excluded from the test as well; the family
    # does not depend on first_year (A's 2018-Q4 counts: the data start in 2018-Q4)
    prev = res.trends[res.trends["series"] == "preventive_share"].set_index("organisation")
    assert prev["n"].to_dict() == {"A": 5, "ALL": 4, "B": 4}
    assert (prev["periods_excluded"] == 1).all()
    # the 2018 signal is before first_year; the others are numbered in date order
    assert res.signals["nr"].tolist() == [1, 2]
    assert res.signals["organisation"].tolist() == ["B", "A"]
    # signal 2 names K6: its panel and that of K6's indicator (no theme: nothing else)
    assert sorted(res.signal_panels["panel"]) == ["K6", "preventive_share"]
    assert res.signal_overview["n"].sum() == 2
    assert res.timeline_start == pd.Timestamp("2019-01-01")
    assert res.timeline_end == pd.Timestamp(AS_OF)
    assert res.organisations == {"A", "B", "ALL"}
    # K6 reported 0.3 and 0.4 for A; zwt computed 0.3 and 0.5
    v = res.verification.set_index("kpi_id")
    assert list(v.index) == ["K6"]
    assert (v.loc["K6", "n_compared"], v.loc["K6", "n_agree"]) == (2, 1)
    assert v.loc["K6", "mean_abs_diff"] == pytest.approx(0.05)


def test_build_organisation_keeps_city_proposal_with_own_columns(proc, tmp_path):
    res = _build(proc, tmp_path, organisation="B")
    a = res.audit.set_index("kpi_id")
    assert a.loc["K8", "decision"] == "define"  # the proposal is the whole register's
    # B delivered K8 in 1 of its 4 periods and K6 in none; K1: 0.90 and 0.95 meet 0.8
    assert a.loc["K8", "completeness_org"] == pytest.approx(0.25)
    assert a.loc["K6", "completeness_org"] == 0.0
    assert a.loc["K1", "share_met_org"] == pytest.approx(0.5)
    assert res.kpi_series["series"].unique().tolist() == ["K2"]  # K6 has no value of B
    assert sorted(res.indicator_series["organisation"].unique()) == ["ALL", "B"]
    assert res.verification.empty
    assert res.signals["organisation"].tolist() == ["B"] and res.signals["nr"].tolist() == [1]
    assert res.organisations == {"A", "B", "ALL"}  # colours stay those of the city report
    assert "**B** zelf" in text.organisation_note(res.organisation)
    assert text.organisation_note("ALL") is None
    # the same verdicts as the city report: one family per run
    city = _build(proc, tmp_path).trends
    both = res.trends.merge(city, on=["series", "organisation", "frequency"],
                            suffixes=("", "_city"))
    assert len(both) == len(res.trends) == 1 + 2  # K2 x B; preventive_share x B and city
    assert (both["verdict"] == both["verdict_city"]).all()


def test_build_parameters_rules_file_and_max_panels(proc, tmp_path):
    rules = {**RULES, "completeness": {**RULES["completeness"], "min_share": 0.5}}
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    res = _build(proc, tmp_path, rules_file=str(path), max_panels=1, first_year=2024)
    # K8: 5 of 8 cells = 62.5% >= 50%, so it passes the completeness rule and is kept
    assert res.audit.set_index("kpi_id").loc["K8", "decision"] == "keep"
    assert res.rules["completeness"]["min_share"] == 0.5
    assert res.kpi_series.empty  # first_year 2024: every 2023 value is before it
    assert res.indicator_series.empty  # 2024-Q1 is not finished on the as-of date
    assert res.signals.empty and res.timeline_start is None and res.timeline_end is None


def test_reader_texts_of_the_build(proc, tmp_path):
    res = _build(proc, tmp_path)
    assert text.proposal_text(res.audit) == (
        "Het register telt **9** KPI's; **2** blijven in het voorstel over. "
        "Niet meetbaar: **2**; zonder verandertheorie: **2**.")
    assert text.empty_blocks_text(res.blocks, res.rules) == (
        "**Bouwstenen zonder behouden KPI:** staat van de jeugd, maatschappelijke resultaten, "
        "activiteiten en veranderverhaal, uitkomsten van activiteiten en leren en verbeteren.")
    assert text.empty_blocks_text(res.blocks[res.blocks["kept"] > 0], res.rules) is None
    check = tables.verification_table_nl(res.verification)
    assert check["Indicator van zwt"].tolist() == ["Aandeel preventieve uren"]
    assert check["Aandeel gelijk"].tolist() == ["50%"]
    gaps = tables.gaps_table_nl(res.gaps).set_index("Thema")
    assert gaps.loc["Sociale basis", "Gat"] == "ja"
    assert gaps.loc["Preventie", "Welke"] == "K6"


def test_kern_is_written_from_the_results(proc, tmp_path):
    res = _build(proc, tmp_path)
    kern = text.kern_sentences(res)
    assert 3 <= len(kern) <= 5
    assert kern[0] == ("Van de 9 KPI's in het register blijven er in het voorstel 2 over "
                       "(K2 en K6): 2 zijn niet meetbaar, 2 missen een verandertheorie en 1 "
                       "meet vrijwel hetzelfde als een andere KPI.")
    assert kern[1].startswith("Geen behouden KPI over sociale basis; ook de bouwstenen staat van")
    assert "Preventieve uren" not in kern[1] and "Aandeel preventieve uren" in kern[1]
    assert kern[2] == ("Geen van de 7 reeksen in dit rapport laat een aantoonbare trend zien "
                       "(0 dalend, 0 stijgend, 0 zonder aantoonbare trend en 7 te kort om te "
                       "beoordelen).")
    # no areas table: the municipality's name is unknown
    assert res.city_label == "De gemeente"
    assert text.missing_notes(res) == [
        "Niet berekend omdat de gegevens ontbreken (geen zaken, urenregistratie, "
        "personeelsgegevens en wijken met inwonertal): Bereik per 1.000 inwoners, "
        "Wmo-onderzoek binnen de termijn en Caseload per fte."]


def test_first_year_zero_means_from_the_data(proc, tmp_path):
    # no cases or hours: the first year is unknown, so every finished period is shown
    res = _build(proc, tmp_path, first_year=0)
    assert res.first_year is None
    assert "2018-Q4" in set(res.indicator_series["period"])
    _write(proc, "cases", pd.DataFrame({
        "case_id": ["c1"], "client_id": ["p1"], "organisation": ["A"], "team": ["T1"],
        "legal_framework": ["wmo"], "date_report": pd.to_datetime(["2023-03-05"])}))
    res = _build(proc, tmp_path, first_year=0)
    assert res.first_year == 2023  # ctx.municipality.first_year
    assert "2018-Q4" not in set(res.indicator_series["period"])
