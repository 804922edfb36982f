"""Tests of ``zwt synth``: contract shape, determinism, planted mechanisms, messy mode.

Generated data are read back from the CSV files with plain pandas, and each
mechanism is recomputed here from its definition, independently of the
generator's own code.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zwt_analysis import config, synth
from zwt_analysis.contract import TABLES
from zwt_analysis.errors import ZwtError

SEED = 11
SCALE = 0.2
UNTIL = pd.Timestamp("2026-09-30")
EVENT_DATES = {name: [c.name for c in t.columns if c.event] for name, t in TABLES.items()}


def read_plain(folder: Path, name: str) -> pd.DataFrame:
    """A plain synthetic table as text (empty cells -> NA), dates parsed."""
    df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
    for c in TABLES[name].columns:
        if c.kind == "date":
            df[c.name] = pd.to_datetime(df[c.name], format="%Y-%m-%d")
        elif c.kind in ("float", "int"):
            df[c.name] = pd.to_numeric(df[c.name])
    return df


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "raw"
    assert synth.main(out=out, seed=SEED, scale=SCALE) == 0
    return out


@pytest.fixture(scope="module")
def tables(raw: Path) -> dict[str, pd.DataFrame]:
    return {name: read_plain(raw, name) for name in TABLES}


@pytest.fixture(scope="module")
def truth(raw: Path) -> dict:
    return json.loads((raw / "ground_truth.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- shape


def test_every_table_has_exactly_the_contract_columns(raw: Path) -> None:
    for name, table in TABLES.items():
        header = (raw / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == table.column_names, name


def test_marker_and_ground_truth_keys(raw: Path, truth: dict) -> None:
    marker = (raw / config.SYNTHETIC_MARKER).read_text(encoding="utf-8")
    assert "SYNTHETISCHE DATA" in marker and "SYNTHETIC DATA" in marker
    assert f"seed: {SEED}" in marker and f"scale: {SCALE}" in marker
    assert truth["synthetic"] is True and truth["seed"] == SEED and truth["scale"] == SCALE
    assert truth["start"] == "2019-01-01" and truth["until"] == "2026-09-30"
    assert set(truth["organisations"]) == {"DOCK", "Incluzio", "SMD"}
    for key in ("pact_areas", "pact_teams", "prevention", "deadlines", "workforce", "funding",
                "kpi", "signals"):
        assert key in truth
    assert truth["prevention"]["slope_preventive_share_per_caseload_per_fte"] < 0
    assert truth["kpi"]["prevention_kpis"] == []
    assert not (raw / "messy_rows.csv").exists()


def test_enumerations_ranges_and_required(tables: dict[str, pd.DataFrame]) -> None:
    for name, table in TABLES.items():
        df = tables[name]
        assert len(df) > 0, name
        for c in table.columns:
            s = df[c.name]
            if c.required:
                assert s.notna().all(), (name, c.name)
            if c.kind == "enum":
                assert set(s.dropna()) <= set(c.values), (name, c.name, set(s.dropna()) - set(c.values))
            if c.kind == "bool":
                assert set(s.dropna()) <= {"true", "false"}
            if c.minimum is not None:
                v = s.dropna()
                assert (v > c.minimum).all() if c.exclusive_minimum else (v >= c.minimum).all(), (name, c.name)
            if c.maximum is not None:
                assert (s.dropna() <= c.maximum).all(), (name, c.name)
    st = tables["staff"]
    assert st["fte"].between(0.5, 1.0).all()
    assert st["employee_id"].str.fullmatch(r"E\d{5}").all()
    assert tables["cases"]["case_id"].str.fullmatch(r"C\d{7}").all()
    assert tables["cases"]["case_id"].is_unique
    assert not st.duplicated(["employee_id", "start_date"]).any()
    assert set(tables["kpi_values"]["period"]) and tables["kpi_values"]["period"].str.fullmatch(
        r"\d{4}(-Q[1-4])?").all()


def test_client_ids_pass_the_eleven_test(tables: dict[str, pd.DataFrame]) -> None:
    ids = tables["cases"]["client_id"]
    assert ids.str.fullmatch(r"\d{9}").all()
    d = np.array([[int(ch) for ch in x] for x in ids.unique()])
    assert (((d[:, :8] * np.arange(9, 1, -1)).sum(axis=1) - d[:, 8]) % 11 == 0).all()
    assert synth._cases.bsn_valid("111222333") and not synth._cases.bsn_valid("111222334")


def test_areas_are_the_real_cbs_wijken(tables: dict[str, pd.DataFrame], truth: dict) -> None:
    a = tables["areas"]
    cbs = pd.read_csv(config.resource("cbs_kwb2024_zaanstad_gm_wk.csv"))
    wijk = cbs[cbs["regiotype"] == "Wijk"].set_index("regiocode")["aantal_inwoners"]
    assert sorted(a["area_code"]) == sorted(wijk.index) and len(a) == 19
    expected = (wijk.loc[a["area_code"]] * SCALE).round().astype(int).to_numpy()
    assert (a["population"].to_numpy() == expected).all()
    names = a.set_index("area_code")["area_name"]
    assert names["WK047912"] == "Poelenburg" and names["WK047913"] == "Pelders- en Hoornseveld"
    assert names["WK047981"] == "Westzaan" and names.is_unique
    assert a["area_code"].is_unique  # one organisation and team per wijk
    teams = a.groupby("team")["area_code"].count()
    assert 9 <= len(teams) <= 10 and teams.between(1, 3).all()
    assert (a.groupby("team")["organisation"].nunique() == 1).all()
    assert a["pact"].eq("true").sum() == 2
    assert sorted(a.loc[a["pact"] == "true", "area_code"]) == sorted(truth["pact_areas"])
    assert sorted(truth["pact_areas"]) == ["WK047912", "WK047913"]  # Poelenburg, Peldersveld
    # every team has staff and cases even at small scale
    assert set(tables["staff"]["team"]) == set(teams.index)
    assert set(tables["cases"]["team"]) == set(teams.index)


def test_no_event_date_after_until(tables: dict[str, pd.DataFrame]) -> None:
    for name, cols in EVENT_DATES.items():
        for c in cols:
            assert (tables[name][c].dropna() <= UNTIL).all(), (name, c)
    st = tables["staff"]
    later = st[st["end_date"] > UNTIL]
    assert len(later) > 0 and (later["end_reason"] == "end_of_contract").all()  # planned ends
    assert tables["cases"]["date_report"].min() >= pd.Timestamp("2019-01-01")
    assert tables["signals"]["date"].max() == UNTIL


def test_time_registrations_are_weekly_aggregates(tables: dict[str, pd.DataFrame]) -> None:
    h = tables["time_registrations"]
    assert (h["date"].dt.day_of_week < 5).all()
    week = h["date"].dt.to_period("W")
    key = pd.DataFrame({"e": h["employee_id"], "w": week, "a": h["activity"], "t": h["team"]})
    assert not key.duplicated().any()  # one row per employee x week x activity (per spell's team)
    assert ((h["hours"] * 4) % 1 == 0).all()
    add = h["activity"] == "additional_assignment"
    assert h.loc[add, "assignment_id"].notna().all() and h.loc[~add, "assignment_id"].isna().all()


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, 5), (b, 5), (c, 6)):
        synth.main(out=out, seed=seed, scale=0.05)
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir()) and len(files) == len(TABLES) + 2
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    for f in ("cases.csv", "staff.csv", "time_registrations.csv", "ground_truth.json"):
        assert (a / f).read_bytes() != (c / f).read_bytes(), f


@pytest.mark.slow
def test_messy_is_deterministic_too(tmp_path: Path, messy_pair) -> None:
    _, messy = messy_pair
    synth.main(out=tmp_path, seed=3, scale=0.05, messy=True)
    for p in messy.iterdir():
        assert p.read_bytes() == (tmp_path / p.name).read_bytes(), p.name


def test_main_replaces_its_own_files_and_validates_arguments(tmp_path: Path) -> None:
    out = tmp_path / "o"
    synth.main(out=out, seed=1, scale=0.05, until=date(2020, 6, 30))
    (out / "messy_rows.csv").write_text("stale", encoding="utf-8")
    (out / "notes.txt").write_text("keep", encoding="utf-8")
    synth.main(out=out, seed=1, scale=0.05, until=date(2020, 6, 30))
    assert not (out / "messy_rows.csv").exists() and (out / "notes.txt").exists()
    cases = read_plain(out, "cases")
    assert cases[EVENT_DATES["cases"]].max().max() <= pd.Timestamp("2020-06-30")
    with pytest.raises(ZwtError):
        synth.main(out=out, scale=0)
    with pytest.raises(ZwtError):
        synth.main(out=out, until=date(2018, 12, 31))


# --------------------------------------------------------------------------- mechanisms


def caseload_per_fte(cases: pd.DataFrame, staff: pd.DataFrame, days: list[pd.Timestamp]) -> pd.DataFrame:
    """Team x day caseload per FTE exactly as the indicator catalogue defines it."""
    rows = []
    for d in days:
        o = cases[(cases["date_report"] <= d) & (cases["date_closed"].isna() | (cases["date_closed"] > d))]
        f = staff[(staff["start_date"] <= d) & (staff["end_date"].isna() | (staff["end_date"] >= d))]
        oc = o.groupby("team").size()
        fte = f.groupby("team")["fte"].sum()
        for team in sorted(set(oc.index) | set(fte.index)):
            if fte.get(team, 0) > 0:
                rows.append((team, d, oc.get(team, 0) / fte[team]))
    return pd.DataFrame(rows, columns=["team", "day", "caseload"])


def quarter_ends() -> list[pd.Timestamp]:
    return [d for d in pd.date_range("2019-03-31", UNTIL, freq="QE")]


def within_slope(df: pd.DataFrame, y: str, x: str) -> float:
    xc = df[x] - df.groupby("team")[x].transform("mean")
    yc = df[y] - df.groupby("team")[y].transform("mean")
    return float((xc * yc).sum() / (xc * xc).sum())


def test_preventive_share_falls_with_caseload_within_teams(tables, truth) -> None:
    cl = caseload_per_fte(tables["cases"], tables["staff"], quarter_ends())
    cl["quarter"] = cl["day"].dt.to_period("Q").astype(str).str.replace("Q", "-Q")
    # exactly the caseload the generator planted on
    gt = pd.DataFrame(truth["prevention"]["team_quarters"])
    m = cl.merge(gt, on=["team", "quarter"], how="inner")
    assert len(m) == len(gt) and len(m) > 250
    assert np.allclose(m["caseload"], m["caseload_per_fte"], atol=1e-3)
    # preventive share from the hours
    h = tables["time_registrations"]
    h = h[h["activity"].isin(["preventive_individual", "preventive_collective", "statutory_individual"])]
    h = h.assign(quarter=h["date"].dt.to_period("Q").astype(str).str.replace("Q", "-Q"),
                 prev=h["hours"].where(h["activity"] != "statutory_individual", 0.0))
    share = h.groupby(["team", "quarter"])[["prev", "hours"]].sum()
    share = (share["prev"] / share["hours"]).rename("share").reset_index()
    d = cl.merge(share, on=["team", "quarter"])
    slope = within_slope(d, "share", "caseload")
    planted = truth["prevention"]["slope_preventive_share_per_caseload_per_fte"]
    assert slope < 0
    assert abs(slope - planted) < 0.25 * abs(planted)
    # caseload varies within teams over time, in the realistic band after the 2019 build-up
    later = d[d["day"] >= pd.Timestamp("2020-01-01")]
    assert (later.groupby("team")["caseload"].std() > 1.0).all()
    assert 12 <= later["caseload"].median() <= 40


def test_deadline_compliance_worsens_under_load(tables, truth) -> None:
    c = tables["cases"]
    cl = caseload_per_fte(c, tables["staff"], quarter_ends())
    cl["next_q"] = (cl["day"] + pd.Timedelta(days=1)).dt.to_period("Q")
    rows = []
    for key, spec in truth["deadlines"]["limits"].items():
        s = c[c["legal_framework"] == spec["framework"]]
        start, end = s[spec["start"]], s[spec["end"]]
        lim = pd.Timedelta(days=spec["limit_days"])
        evaluable = start.notna() & (end.notna() | (UNTIL > start + lim))
        on = end.notna() & (end - start <= lim)
        rows.append(pd.DataFrame({"team": s["team"], "q": s["date_report"].dt.to_period("Q"),
                                  "on": on, "ev": evaluable, "key": key}))
        assert ((end - start) == lim).sum() > 0, key  # met exactly on the last day
        assert (start.notna() & end.isna() & (UNTIL <= start + lim)).sum() > 0, key  # pending
    d = pd.concat(rows)
    d = d[d["ev"]].merge(cl.rename(columns={"next_q": "q"})[["team", "q", "caseload"]],
                         on=["team", "q"])
    hi = d["caseload"] > d["caseload"].median()
    assert d.loc[hi, "on"].mean() < d.loc[~hi, "on"].mean() - 0.03
    assert truth["deadlines"]["beta"] < 0


def _outflow(staff: pd.DataFrame, org: str, year: int) -> tuple[int, int]:
    s = staff[staff["organisation"] == org]
    jan1, dec31 = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    den = s[(s["start_date"] <= jan1) & (s["end_date"].isna() | (s["end_date"] >= jan1))]["employee_id"].nunique()
    left = s[(s["end_date"] >= jan1) & (s["end_date"] <= min(dec31, UNTIL))
             & (s["end_reason"] != "transfer_internal")]["employee_id"].nunique()
    return left, den


def test_staff_outflow_differs_by_organisation_and_drifts_up() -> None:
    # the hazard model at three times Zaanstad's size, so the test is not about noise
    from zwt_analysis.synth import _areas, _staff
    from zwt_analysis.synth._calendar import as_datetime64, day

    rng = np.random.default_rng(5)
    areas = _areas.build_areas(3.0)
    teams = _areas.build_teams(areas, rng)
    st = _staff.build_staff(teams, day(date(2026, 9, 30)), rng).staff
    st = st.assign(start_date=as_datetime64(st["start_date"].to_numpy()),
                   end_date=as_datetime64(st["end_date"].to_numpy()))
    st["end_date"] = pd.to_datetime(st["end_date"])
    st["start_date"] = pd.to_datetime(st["start_date"])
    rate = {}
    for org in ("DOCK", "Incluzio", "SMD"):
        early = np.array([_outflow(st, org, y) for y in (2019, 2020, 2021)]).sum(axis=0)
        late = np.array([_outflow(st, org, y) for y in (2023, 2024, 2025)]).sum(axis=0)
        rate[org] = (early[0] / early[1], late[0] / late[1])
        assert rate[org][1] > rate[org][0], org
    assert rate["SMD"][0] > rate["DOCK"][0] and rate["SMD"][1] > rate["DOCK"][1]


def test_transfers_keep_the_employee_id(tables) -> None:
    st = tables["staff"].sort_values(["employee_id", "start_date"])
    nxt = st.groupby("employee_id").shift(-1)
    for reason, same_org in (("transfer_internal", True), ("transfer_other_wijkteam", False)):
        t = st["end_reason"] == reason
        assert t.sum() > 0, reason
        assert (nxt.loc[t, "start_date"] == st.loc[t, "end_date"] + pd.Timedelta(days=1)).all()
        assert ((nxt.loc[t, "organisation"] == st.loc[t, "organisation"]) == same_org).all()
        assert (nxt.loc[t, "team"] != st.loc[t, "team"]).all()


def test_headcount_lags_formation(tables, truth) -> None:
    st, fo = tables["staff"], tables["formation"]
    gaps = []
    for r in fo.itertuples():
        jul1 = pd.Timestamp(int(r.year), 7, 1)
        if jul1 > UNTIL:
            continue
        s = st[(st["organisation"] == r.organisation) & (st["start_date"] <= jul1)
               & (st["end_date"].isna() | (st["end_date"] >= jul1))]
        gaps.append(r.budgeted_fte - s["fte"].sum())
    assert np.mean(gaps) > 0  # vacancies: employed FTE below the formation on average
    assert truth["workforce"]["refill_months_mean"]["SMD"] > truth["workforce"]["refill_months_mean"]["DOCK"]


def test_wages_outgrow_indexation_and_pact_carries_more_additional_work(tables, truth) -> None:
    f = truth["funding"]
    for y in range(2022, 2027):
        assert f["cao_wage_growth"][str(y)] > f["municipal_indexation"][str(y)]
    assert f["cumulative_wage_index_2018_1"]["2026"] > f["cumulative_indexation_2018_1"]["2026"]
    b = tables["budgets"]
    main = b[b["assignment_type"] == "main"]
    assert (main["funding_type"] == "structural").all()
    assert main.groupby(["organisation", "year"]).size().eq(1).all()
    # incidental money: organisations holding a PACT team get a larger share
    inc = b.assign(i=b["amount_eur"].where(b["funding_type"] == "incidental", 0.0)).groupby(
        "organisation")[["i", "amount_eur"]].sum()
    share = inc["i"] / inc["amount_eur"]
    assert share["DOCK"] > share["Incluzio"] and share["SMD"] > share["Incluzio"]
    assert (b.loc[b["commissioner"] == "PACT", "organisation"].isin(["DOCK", "SMD"])).all()
    # hours on additional assignments: PACT teams far above the others
    h = tables["time_registrations"]
    pact_teams = set(tables["areas"].loc[tables["areas"]["pact"] == "true", "team"])
    add = h.assign(a=h["hours"].where(h["activity"] == "additional_assignment", 0.0),
                   p=h["team"].isin(pact_teams)).groupby("p")[["a", "hours"]].sum()
    s = add["a"] / add["hours"]
    assert s[True] > 2 * s[False]
    assert set(truth["pact_teams"]) == pact_teams
    # every additional hour is booked on an additional line of its organisation, active that day
    rows = h[h["activity"] == "additional_assignment"].merge(
        b[b["assignment_type"] == "additional"], on=["assignment_id"], suffixes=("", "_b"))
    assert len(rows) == (h["activity"] == "additional_assignment").sum()
    assert (rows["organisation"] == rows["organisation_b"]).all()
    assert rows["date"].between(rows["start_date"], rows["end_date"]).all()


def test_kpi_register_is_too_long_with_near_duplicates(tables, truth) -> None:
    reg, val = tables["kpi_register"], tables["kpi_values"]
    assert 55 <= len(reg) <= 65
    unmeas = reg[reg["data_source"].isna() & reg["indicator_id"].isna()]["kpi_id"]
    assert sorted(unmeas) == sorted(truth["kpi"]["unmeasurable"]) and len(unmeas) >= 15
    assert not reg["indicator_id"].dropna().str.contains("prevent").any()
    assert not reg["name"].str.contains("preventie|preventief", case=False).any()
    assert reg["theory_of_change"].isna().mean() > 0.8
    assert reg["quality_block"].value_counts().max() >= 3 * reg["quality_block"].value_counts().min()
    assert reg["result_level"].isin(["input", "activity", "output"]).mean() > 0.6
    assert {"wmo_decision_on_time", "caseload_per_fte", "staff_outflow_rate"} <= set(reg["indicator_id"].dropna())
    assert val["value"].isna().any()
    assert val["period"].str.contains("-Q").any() and (~val["period"].str.contains("-Q")).any()
    groups = truth["kpi"]["near_duplicate_groups"]
    assert len(groups) >= 3
    for g in groups:
        w = val[val["kpi_id"].isin(g)].pivot_table(index=["organisation", "period"], columns="kpi_id",
                                                  values="value")
        rho = w.rank().corr().to_numpy()
        assert len(w) >= 9 and rho.min() > 0.95, g


def test_kpi_values_match_the_data_where_an_indicator_exists(tables) -> None:
    reg, val, c = tables["kpi_register"], tables["kpi_values"], tables["cases"]
    kid = reg.loc[reg["indicator_id"] == "wmo_assessment_on_time", "kpi_id"].iloc[0]
    w = c[c["legal_framework"] == "wmo"]
    lim = pd.Timedelta(days=42)
    ev = w["date_assessment_done"].notna() | (UNTIL > w["date_report"] + lim)
    on = w["date_assessment_done"].notna() & (w["date_assessment_done"] - w["date_report"] <= lim)
    per = w["date_report"].dt.to_period("Q").astype(str).str.replace("Q", "-Q")
    exp = pd.DataFrame({"organisation": w["organisation"], "period": per, "on": on})[ev].groupby(
        ["organisation", "period"])["on"].mean().round(4).rename("expected").reset_index()
    got = val[(val["kpi_id"] == kid) & val["value"].notna()].merge(exp, on=["organisation", "period"])
    assert len(got) > 20 and np.allclose(got["value"], got["expected"])
    kid = reg.loc[reg["indicator_id"] == "staff_outflow_rate", "kpi_id"].iloc[0]
    for r in val[(val["kpi_id"] == kid) & val["value"].notna()].itertuples():
        left, den = _outflow(tables["staff"], r.organisation, int(r.period))
        assert r.value == pytest.approx(round(left / den, 4))


def test_signals_sit_near_the_bends(tables, truth) -> None:
    s = tables["signals"]
    bends = truth["signals"]["bends"]
    kinds = {b["kind"] for b in bends}
    assert {"staff_dip", "caseload_peak", "deadline_drop"} <= kinds
    for b in bends:
        d = pd.Timestamp(b["date"])
        near = s[(s["date"] - d).abs() <= pd.Timedelta(days=45)]
        assert len(near) >= 2, b
        if b["team"]:
            assert (near["organisation"] == b["organisation"]).any()
    dutch = r"\b(?:de|het|een|van|in|op|met|meer|naar|door|wordt|zijn|te)\b"
    assert s["text"].str.contains(dutch).mean() > 0.9  # Dutch
    assert set(s["kpi_id"].dropna()) <= set(tables["kpi_register"]["kpi_id"])


# --------------------------------------------------------------------------- messy


@pytest.fixture(scope="module")
def messy_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("messy")
    plain, messy = base / "plain", base / "messy"
    synth.main(out=plain, seed=3, scale=0.05)
    synth.main(out=messy, seed=3, scale=0.05, messy=True)
    return plain, messy


def read_messy(folder: Path, name: str) -> pd.DataFrame:
    """A messy table as written, every cell as text, one row per record (as `zwt clean` reads
    it: whatever the encoding, separator, title rows or sheet; a line that is no record has
    every cell empty)."""
    from zwt_analysis.ingest.read import read_table

    path = folder / f"{name}.xlsx"
    raw = read_table(name, path if path.exists() else folder / f"{name}.csv")
    return raw.frame.astype(str)


def _same_text(column: str, kind: str, a: pd.Series, b: pd.Series) -> pd.Series:
    """Messy cell ``a`` says what plain cell ``b`` says (names and placeholders as the reader
    matches them: see data contract section 6)."""
    from zwt_analysis.ingest.names import norm_text
    from zwt_analysis.ingest.parse import ID_MISSING

    if column in ("organisation", "team"):
        return a.map(norm_text) == b.map(norm_text)
    if kind == "id":
        a = a.where(~a.str.strip().str.lower().isin(ID_MISSING), "")
    return a.str.strip() == b.str.strip()


def _nl_number(x: str | float) -> float:
    return float(x) if not isinstance(x, str) else float(x.replace(".", "").replace(",", "."))


def _nl_date(x: str) -> pd.Timestamp:
    return pd.to_datetime(x, format="%d-%m-%Y")


def test_messy_files_follow_their_layouts(messy_pair) -> None:
    from openpyxl import load_workbook

    from zwt_analysis.synth._messy_files import LAYOUTS, XLSX_TABLE

    _, messy = messy_pair
    assert (messy / f"{XLSX_TABLE}.xlsx").exists() and not (messy / f"{XLSX_TABLE}.csv").exists()
    wb = load_workbook(messy / f"{XLSX_TABLE}.xlsx")
    assert wb.sheetnames == ["Toelichting", "Budgetten"]
    ws = wb["Budgetten"]
    assert ws.merged_cells.ranges  # runs of one organisation merged
    rows = list(ws.iter_rows(values_only=True))
    assert [str(c).strip().lower() for c in rows[2]] == TABLES[XLSX_TABLE].column_names
    start = [r[TABLES[XLSX_TABLE].column_names.index("start_date")] for r in rows[3:]]
    assert sum(isinstance(v, date) for v in start) > 0.6 * len(start)  # real Excel dates
    assert sum(isinstance(v, int) and v > 40000 for v in start) > 0  # ... and serial numbers
    odd = 0
    for name, t in TABLES.items():
        if name == XLSX_TABLE:
            continue
        lay = LAYOUTS[name]
        data = (messy / f"{name}.csv").read_bytes()
        text = data.decode("utf-16") if lay.encoding == "utf-16" else \
            data.decode("cp1252" if lay.encoding == "cp1252" else "utf-8-sig", errors="replace")
        lines = text.splitlines()
        head = lines[len(lay.title) + (1 if lay.sep_hint else 0)]
        cols = head.split(lay.sep)
        if lay.header_trailing_sep:
            assert cols[-1] == ""
            cols = cols[:-1]
        assert [c.strip().lower() for c in cols] == t.column_names, name
        odd += sum(c != n for c, n in zip(cols, t.column_names, strict=True))
    assert odd > 10
    with pytest.raises(UnicodeDecodeError):
        (messy / "cases.csv").read_bytes().decode("utf-8")  # 'cliënt' in cp1252
    with pytest.raises(UnicodeDecodeError):  # UTF-8, but a few lines Windows-1252
        (messy / "time_registrations.csv").read_bytes().decode("utf-8")
    assert (messy / "staff.csv").read_bytes()[:2] == b"\xff\xfe"  # UTF-16 with BOM
    v = read_messy(messy, "kpi_values")["value"]
    assert v.str.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?").any()  # 1.234.567,5
    assert v.str.fullmatch(r"0,\d+").any()
    d = read_messy(messy, "cases")["date_report"]
    assert d.str.fullmatch(r"\d{2}-\d{2}-\d{4}").any() and d.str.fullmatch(r"\d-\d{1,2}-\d{4}").any()
    fw = set(read_messy(messy, "cases")["legal_framework"])
    assert {"WMO", "Wmo 2015", "Jeugd", "Schuldhulp", "Participatie"} <= fw
    assert read_messy(messy, "time_registrations")["hours"].str.fullmatch(r"\d+:\d{2}").any()


def test_messy_spellings_are_accepted_spellings() -> None:
    from zwt_analysis.synth._messy import UNKNOWN_ENUM
    from zwt_analysis.synth._write import BOOL_SPELLINGS, ENUM_SPELLINGS

    y = config.load_yaml(config.resource("spellings.yaml"))

    def norm(s: str) -> str:
        return " ".join(s.strip().lower().split())

    for section, values in ENUM_SPELLINGS.items():
        assert set(values) == set(TABLES_VALUES[section])
        for canon, spellings in values.items():
            for sp in spellings:
                assert norm(sp) in y[section][canon], (section, sp)
        assert all(norm(UNKNOWN_ENUM[section]) not in v for v in y[section].values())
    for val, spellings in BOOL_SPELLINGS.items():
        for sp in spellings:
            assert norm(sp) in y["bool"][str(val).lower()]


TABLES_VALUES = {c.name: c.values for t in TABLES.values() for c in t.columns if c.kind == "enum"}


def test_messy_rows_break_exactly_what_they_say(messy_pair) -> None:
    plain, messy = messy_pair
    log = pd.read_csv(messy / "messy_rows.csv", keep_default_na=False)
    assert list(log.columns) == ["table", "row_number", "column", "reason_kind"]
    from zwt_analysis.synth._messy import (
        IDENTICAL,
        IDENTICAL_ROWS,
        IMPLAUSIBLE,
        PLACEHOLDER_ID,
        TOTALS,
        TYPE_TOKENS,
        UNKNOWN_ENUM,
        applicable_kinds,
    )

    teams = set(read_plain(plain, "areas")["team"])
    for name in TABLES:
        m = read_messy(messy, name)
        p = pd.read_csv(plain / f"{name}.csv", dtype=str, keep_default_na=False)
        lt = log[log["table"] == name]
        assert lt["row_number"].is_unique
        planted = set(applicable_kinds(name)) | ({IDENTICAL} if name in IDENTICAL_ROWS else set())
        assert planted == set(lt["reason_kind"]), name
        assert len(m) == len(p) + len(lt)  # extra rows only
        if len(p) > 1000:
            assert 0.004 <= len(lt) / len(p) <= 0.012
        kept = m.drop(index=lt["row_number"].to_numpy() - 1).reset_index(drop=True)
        for c in TABLES[name].columns:
            if c.kind in ("id", "text"):  # originals, in order
                assert _same_text(c.name, c.kind, kept[c.name], p[c.name]).all(), (name, c.name)
        for r in lt.itertuples():
            row = m.iloc[r.row_number - 1]
            kind = r.reason_kind
            if kind == "wrong_type":
                assert row[r.column] in TYPE_TOKENS + ("misschien",)
            elif kind == "out_of_range":
                v = _nl_number(row[r.column])
                c = TABLES[name].column(r.column)
                assert v <= c.minimum or (c.maximum is not None and v > c.maximum)
            elif kind == "unknown_enum":
                assert row[r.column] == UNKNOWN_ENUM[r.column]
            elif kind == "empty_required":
                assert row[r.column] == "" and TABLES[name].column(r.column).required
            elif kind == "future_date":
                assert _nl_date(row[r.column]) > pd.Timestamp("2027-01-01")
            elif kind == "unknown_team":
                assert row["team"] not in teams
            elif kind == "date_order":
                ref = "date_application" if r.column == "date_decision" else "date_report"
                assert _nl_date(row[r.column]) < _nl_date(row[ref])
            elif kind in ("duplicate_case_id", "duplicate_employee_start", IDENTICAL):
                earlier = m.iloc[: r.row_number - 1]
                assert (earlier == row).all(axis=1).any()
            elif kind == "totals_row":
                assert row[TOTALS[name][0]] == TOTALS[name][1]
            elif kind == "unclosed_quote":
                assert (row == "").all()  # the line is no record: read as nothing
            elif kind in ("placeholder_id", "implausible"):
                col, text = (PLACEHOLDER_ID if kind == "placeholder_id" else IMPLAUSIBLE)[name]
                assert row[col] == text
            if kind not in ("duplicate_case_id", "duplicate_employee_start", IDENTICAL,
                            "totals_row", "placeholder_id") and name in ("cases", "staff"):
                idc = "case_id" if name == "cases" else "employee_id"
                assert row[idc] == "" or row[idc][1] == "X"  # fresh identifiers


@pytest.mark.slow
def test_messy_and_plain_clean_to_the_same_data(messy_pair, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    clean = pytest.importorskip("zwt_analysis.ingest.clean")
    plain, messy = messy_pair
    monkeypatch.setenv("ZWT_PSEUDONYM_KEY", "synth-test")
    clean.main(raw=plain, out=tmp_path / "p", as_of=date(2026, 9, 30), column_map=None, key_file=None)
    clean.main(raw=messy, out=tmp_path / "m", as_of=date(2026, 9, 30), column_map=None, key_file=None)
    q = pd.read_csv(tmp_path / "m" / "quarantine.csv")
    log = pd.read_csv(messy / "messy_rows.csv")
    identical = log[log["reason_kind"] == "identical_row"]
    log = log[log["reason_kind"] != "identical_row"]  # planted identical rows stay clean
    for name in TABLES:
        a = pd.read_parquet(tmp_path / "p" / f"{name}.parquet")
        b = pd.read_parquet(tmp_path / "m" / f"{name}.parquet")
        broken = np.sort(q.loc[q["table"] == name, "row_number"].unique())
        rows = identical.loc[identical["table"] == name, "row_number"].to_numpy()
        b = b.drop(index=rows - 1 - np.searchsorted(broken, rows)).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, obj=name)
    got = set(zip(q["table"], q["row_number"], strict=True))
    assert got == set(zip(log["table"], log["row_number"], strict=True))
    assert len(q) == len(log)  # one broken rule per row
    assert pd.read_csv(tmp_path / "p" / "quarantine.csv").empty


@pytest.mark.slow
def test_scale_one_volumes(tmp_path: Path) -> None:
    synth.main(out=tmp_path, seed=2026, scale=1.0)
    t = json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))
    per_year = t["cases"]["new_cases_per_year"]
    assert all(5000 <= per_year[str(y)] <= 7500 for y in range(2019, 2026))
    assert 250 <= t["workforce"]["headcount_at_until"] <= 350
    assert t["population_total"] == 161400
    b = read_plain(tmp_path, "budgets")
    assert 10e6 <= b[b["year"] == 2024]["amount_eur"].sum() <= 99e6
    assert t["rows_written"]["time_registrations"] < 1_000_000


def test_docs_list_every_messy_spelling_and_the_planted_parameters() -> None:
    from zwt_analysis.synth import _params as P
    from zwt_analysis.synth._messy import UNKNOWN_ENUM
    from zwt_analysis.synth._write import ENUM_SPELLINGS

    doc = (config.DOCS_DIR / "synthetic_data.md").read_text(encoding="utf-8")
    for values in ENUM_SPELLINGS.values():
        for spellings in values.values():
            for sp in spellings[1:]:
                assert f"`{sp}`" in doc, sp
    for v in UNKNOWN_ENUM.values():
        assert f"`{v}`" in doc
    assert f"slope = {P.PREVENTION_SLOPE}" in doc and f"beta = {P.DEADLINE_BETA:.2f}" in doc
    assert "synthetic" in doc.lower() and "Bron: CBS" in doc
