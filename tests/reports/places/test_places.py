"""Tests of the places wing (peers, reach, expertise, cost gap, build) on hand-built tables."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zwt_analysis.contract import ALL
from zwt_analysis.reports import context
from zwt_analysis.reports.places import costgap, expertise, peers, reach, tables
from zwt_analysis.reports.places.build import build, reference_year

# ------------------------------------------------------------------ peers


def _cbs() -> pd.DataFrame:
    return pd.DataFrame({
        "gemeentecode": ["GM0001", "GM0002", "GM0003", "GM0004", "GM0005"],
        "gemeentenaam": ["Eigen", "Groter", "Veel groter", "Landelijk", "Kleiner"],
        "aantal_inwoners": [100_000, 190_000, 260_000, 110_000, 55_000],
        "stedelijkheid": [2, 1, 2, 4, 3],
        "wmo_clienten_per_1000_inw": [60, 80, 90, 40, np.nan],
        "pct_jongeren_met_jeugdzorg_in_natura": [12.0, 10.0, 9.0, 14.0, 11.0],
    })


def test_peer_group_size_and_urbanity_bounds():
    g = peers.peer_group(_cbs(), "GM0001", size_factor=2.0, urbanity_steps=1)
    # 190k within 2x (<= 200k), 260k not; urbanity 4 is 2 steps away; 55k within, urbanity 3 ok
    assert g["gemeentecode"].tolist() == ["GM0002", "GM0001", "GM0005"]
    assert g["own"].tolist() == [False, True, False]
    with pytest.raises(KeyError):
        peers.peer_group(_cbs(), "GM9999", 2.0, 1)


def test_position_against_peers_by_hand():
    g = peers.peer_group(_cbs(), "GM0001", size_factor=2.0, urbanity_steps=1)
    pos = peers.position(g).set_index("measure")
    wmo = pos.loc["wmo_clienten_per_1000_inw"]
    # GM0005 has no Wmo value: only GM0002 (80) is a peer for Wmo
    assert wmo["n_peers"] == 1 and wmo["own"] == 60 and wmo["median"] == 80
    assert wmo["percentile"] == 0.0
    youth = pos.loc["pct_jongeren_met_jeugdzorg_in_natura"]
    assert youth["n_peers"] == 2 and youth["median"] == pytest.approx(10.5)
    assert youth["percentile"] == 1.0  # 12 above both 10 and 11


def test_packaged_cbs_table_has_every_municipality():
    cbs = peers.load_municipalities("cbs_kwb2022_gemeenten_wmo_jeugd.csv")
    assert len(cbs) == 345 and cbs["gemeentecode"].is_unique


# ------------------------------------------------------------------ reach


def _wijken(n: int = 8) -> pd.DataFrame:
    return pd.DataFrame({"area_code": [f"WK00010{i}" for i in range(n)],
                         "wijknaam": [f"W{i}" for i in range(n)],
                         "pct_65plus": [10, 12, 14, 16, 18, 20, 22, 24][:n]})


def test_expected_reach_flags_the_wijk_that_falls_short():
    w = _wijken()
    pop = pd.DataFrame({"area_code": w["area_code"], "population": [10_000] * 8})
    # 50 clients per 1,000 everywhere except W3 with 10 per 1,000
    clients = pd.DataFrame({"area_code": w["area_code"], "clients": [500] * 3 + [100] + [500] * 4})
    m = reach.expected_reach(w, clients, pop, ["pct_65plus"])
    t = m.table.set_index("wijknaam")
    assert m.n_wijken == 8 and t.loc["W3", "reach_per_1000"] == 10
    assert t.loc["W3", "ratio_high"] < 1  # clearly below its expectation
    others = t.drop(index="W3")  # as expected: their intervals hold 1 (widened by the dispersion)
    assert ((others["ratio_low"] < 1) & (others["ratio_high"] > 1)).all()
    assert m.dispersion > 1
    assert m.table["wijknaam"].iloc[0] == "W3"  # sorted by ratio, lowest first


def test_expected_reach_without_enough_wijken_uses_the_city_rate():
    w = _wijken(3)
    pop = pd.DataFrame({"area_code": w["area_code"], "population": [1000, 2000, 1000]})
    clients = pd.DataFrame({"area_code": w["area_code"][:2], "clients": [10, 30]})
    m = reach.expected_reach(w, clients, pop, ["pct_65plus"])
    t = m.table.set_index("wijknaam")
    assert "te weinig wijken" in m.note
    assert t.loc["W2", "clients"] == 0  # a wijk without clients is kept, with 0
    # city rate 40 / 4000 = 0.01 -> W1 expects 20
    assert t.loc["W1", "expected"] == pytest.approx(20.0) and t.loc["W1", "ratio"] == pytest.approx(1.5)


def test_clients_per_area_counts_distinct_clients_in_the_year():
    cases = pd.DataFrame({"area_code": ["A", "A", "A", "B", None],
                          "client_id": ["p", "p", "q", "r", "s"],
                          "date_report": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-12-31",
                                                         "2025-01-01", "2024-05-05"])})
    out = reach.clients_per_area(cases, 2024)
    assert out.to_dict("list") == {"area_code": ["A"], "clients": [2]}


# ------------------------------------------------------------------ expertise


def _cases_types() -> pd.DataFrame:
    rows = ([("O1", "T1", "wonen")] * 13 + [("O1", "T1", "verslaving")] * 2
            + [("O2", "T2", "verslaving")] * 12 + [("O2", "T2", "wonen")] * 11
            + [("O2", "T2", None)] * 4 + [("O2", "T2", "  ")])
    df = pd.DataFrame(rows, columns=["organisation", "team", "question_type"])
    df["date_report"] = pd.Timestamp("2025-03-01")
    return df


def test_cases_by_type_is_a_zero_filled_grid():
    bt = expertise.cases_by_type(_cases_types(), 2025)
    got = {(r.team, r.question_type): r.cases for r in bt.itertuples()}
    assert got == {("T1", "verslaving"): 2, ("T1", "wonen"): 13,
                   ("T2", "verslaving"): 12, ("T2", "wonen"): 11}
    assert expertise.cases_by_type(_cases_types(), 2024)["cases"].sum() == 0
    assert expertise.cases_by_type(pd.DataFrame(), 2025).empty


def test_rare_types_at_the_threshold_and_who_can_share():
    bt = expertise.cases_by_type(_cases_types(), 2025)
    rare = expertise.rare_types(bt, rare_per_year=12).set_index(["team", "question_type"])
    # 12 is not rare (the threshold itself counts as often enough), 11 is
    assert set(rare.index) == {("T1", "verslaving"), ("T2", "wonen")}
    assert rare.loc[("T1", "verslaving"), "experienced_teams"] == "T2 (O2)"
    assert not rare.loc[("T1", "verslaving"), "experienced_in_org"]
    assert rare.loc[("T2", "wonen"), "share_teams"] == 0.5
    summary = expertise.type_summary(bt, 12).set_index("question_type")
    assert summary.loc["verslaving", "teams_rare"] == 1 and summary.loc["verslaving", "cases"] == 14


# ------------------------------------------------------------------ cost gap


def test_yearly_gap_and_purchasing_power_by_hand():
    ci = pd.DataFrame({"year": [2023, 2024, 2025], "organisation": [None, None, None],
                       "cao_wage_increase_pct": [6.0, 5.0, 4.0],
                       "municipal_indexation_pct": [4.0, 3.0, 4.0]})
    g = costgap.yearly_gap(ci)
    assert g["gap_pp"].tolist() == [2.0, 2.0, 0.0]
    # base year 2023 = 1; 2024: 1.03/1.05; 2025: *1.04/1.04
    assert g["purchasing_power"].tolist() == pytest.approx([1.0, 1.03 / 1.05, 1.03 / 1.05])
    f = pd.DataFrame({"organisation": ["A", "B"], "year": [2023, 2023], "budgeted_fte": [60.0, 40.0]})
    fte = costgap.fte_effect(g, f)
    assert fte["fte_lost"].iloc[-1] == pytest.approx(100 * (1 - 1.03 / 1.05))
    assert costgap.mean_gap(g) == pytest.approx(4 / 3)


def test_organisation_rows_override_the_general_rows():
    ci = pd.DataFrame({"year": [2024, 2024, 2025], "organisation": [None, "A", None],
                       "cao_wage_increase_pct": [5.0, 7.0, 4.0],
                       "municipal_indexation_pct": [3.0, 3.0, 4.0]})
    assert costgap.yearly_gap(ci, "A")["cao_pct"].tolist() == [7.0, 4.0]
    assert costgap.yearly_gap(ci, "B")["cao_pct"].tolist() == [5.0, 4.0]
    assert costgap.yearly_gap(ci.iloc[0:0]).empty
    assert math.isnan(costgap.mean_gap(costgap.yearly_gap(ci.iloc[0:0])))


# ------------------------------------------------------------------ build


def test_reference_year_is_the_last_complete_year():
    cases = pd.DataFrame({"date_report": pd.to_datetime(["2024-05-01", "2025-02-01"])})
    assert reference_year(cases, date(2025, 9, 30)) == 2024
    assert reference_year(cases, date(2025, 12, 31)) == 2025
    assert reference_year(cases.iloc[0:0], date(2025, 9, 30)) is None


def test_build_city_and_organisation(proc: Path, tmp_path: Path):
    ctx = context.context({"processed_dir": str(proc), "output_dir": str(tmp_path / "o")})
    r = build(ctx, {})
    assert (r.municipality_code, r.municipality_name, r.year) == ("GM0479", "Zaanstad", 2024)
    assert r.peers["own"].sum() == 1 and len(r.position) == 2
    assert r.reach is not None and len(r.reach.table) == 2 and "te weinig wijken" in r.reach.note
    assert set(r.rare["question_type"]) == {"verslaving", "wonen"}  # 6 and 10 below 12
    assert r.gap["year"].tolist() == [2023, 2024] and r.fte["fte_lost"].iloc[-1] > 0
    assert r.skipped == {}
    text = " ".join(tables.kern(r))
    assert "Zaanstad" in text and "geen oordeel over teams" in text
    dock = build(context.context({"processed_dir": str(proc), "output_dir": str(tmp_path / "o"),
                                  "organisation": "DOCK"}), {})
    assert dock.reach.table["area_code"].tolist() == ["WK047912"]
    assert set(dock.by_type["organisation"]) == {"DOCK"}
    assert dock.type_summary["organisation"].eq(ALL).all()  # the city stays the reference


def test_build_says_what_it_skipped(tmp_path: Path):
    path = tmp_path / "p"
    path.mkdir()
    (path / "validation.json").write_text(json.dumps({"as_of": "2025-06-30"}))
    r = build(context.context({"processed_dir": str(path), "output_dir": str(tmp_path)}), {})
    assert set(r.skipped) == {"peers", "reach", "expertise", "cost_gap"}
    assert r.reach is None and r.peers.empty and r.gap.empty
    assert len(tables.kern(r)) == 1  # only the caveat


def test_reader_reach_table_suppresses_small_counts(proc: Path, tmp_path: Path):
    ctx = context.context({"processed_dir": str(proc), "output_dir": str(tmp_path)})
    r = build(ctx, {})
    r.reach_city.loc[0, "clients"] = 3  # the published table is protected on the city's
    t = tables.reach_table(r)
    row = t[t["wijk"] == r.reach_city.loc[0, "wijknaam"]].iloc[0]
    assert row["cliënten"] == "<5"
    assert row["bereik per 1.000"] == "x" and row["waargenomen / verwacht"] == "x"  # derived
    other = t[t["wijk"] != r.reach_city.loc[0, "wijknaam"]].iloc[0]
    # distinct clients do not add up over wijken (no total is published): the other stays
    assert other["cliënten"] == "20"
    hidden = tables.reach_hidden(r)
    small = r.reach.table["area_code"] == r.reach_city.loc[0, "area_code"]
    assert hidden.sum() == 1 and bool(hidden[small].iloc[0])


def test_organisation_slice_is_cut_from_the_city_protection(proc: Path, tmp_path: Path):
    """The organisation prints exactly the city's published cells for its own rows."""
    city = build(context.context({"processed_dir": str(proc), "output_dir": str(tmp_path)}), {})
    dock = build(context.context({"processed_dir": str(proc), "output_dir": str(tmp_path),
                                  "organisation": "DOCK"}), {})
    c = tables.published_types(city)
    d = tables.published_types(dock)
    assert set(d["organisation"]) == {"DOCK"} and len(d) < len(c)
    merged = d.merge(c, on=["year", "organisation", "team", "question_type"], suffixes=("", "_c"))
    assert (merged["cases"].astype(str) == merged["cases_c"].astype(str)).all()


def test_organisation_kern_leads_with_its_own_wijken_and_teams(proc: Path, tmp_path: Path):
    """The organisation's report opens with its own wijken and teams; the city is the reference."""
    city = tables.kern(build(context.context({"processed_dir": str(proc),
                                              "output_dir": str(tmp_path / "o")}), {}))
    dock = tables.kern(build(context.context({"processed_dir": str(proc),
                                              "output_dir": str(tmp_path / "o"),
                                              "organisation": "DOCK"}), {}))
    assert city[0].startswith("Wmo-cliënten") or "vergelijkbare gemeenten" in city[0]
    assert dock[0].startswith("In 2024 ") and "van de 1 wijken waar DOCK werkt" in dock[0]
    # D1 sees 'verslaving' 6 times (rare, no team sees it 12 times) and 'wonen' 14 times;
    # S1 sees 'wonen' 10 times and 'verslaving' never (both rare): SMD can learn 'wonen'
    # from D1, nobody sees 'verslaving' often
    assert dock[1] == ("1 van de 2 soorten hulpvragen komen in minstens één team van DOCK minder "
                       "dan 12 keer per jaar voor; voor 0 daarvan is er elders in de gemeente een "
                       "team dat ze vaak ziet en zijn kennis kan delen.")
    smd = tables.kern(build(context.context({"processed_dir": str(proc),
                                             "output_dir": str(tmp_path / "o"),
                                             "organisation": "SMD"}), {}))
    assert smd[1].startswith("2 van de 2 soorten hulpvragen komen in minstens één team van SMD")
    assert "voor 1 daarvan is er elders" in smd[1]
    assert dock[2].startswith("Ter vergelijking, een cijfer van de hele gemeente — ")
    assert city[0] in dock[2]
