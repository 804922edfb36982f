"""The whole suite on other municipalities (issues 17 and 19).

Two deliveries are made from the session's small synthetic data set by renaming and cutting
its raw exports (no ground truth is carried over):

- *Haarlem-like*: four organisations with other names, other team names and the wijk codes of
  another municipality (GM0392); every output must name neither Zaanstad nor its
  organisations.
- *one of everything*: one organisation, one team and one year of data.

Each is cleaned, its indicators computed and every report run for the city and each
organisation; every run must succeed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from testdata import clean_with_test_key

from zwt_analysis import config, indicators
from zwt_analysis.contract import TABLES
from zwt_analysis.runner import main as runner

pytestmark = [pytest.mark.slow]

FORBIDDEN = re.compile(r"Zaanstad|\bDOCK\b|Incluzio|\bSMD\b")
#: Free-text columns of the exports (the data may name the municipality; the suite may not).
TEXT_COLUMNS = ("text", "name", "description", "theory_of_change", "note")


def _read(raw: Path, name: str) -> pd.DataFrame | None:
    path = raw / f"{name}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def _key_dedup(name: str, df: pd.DataFrame) -> pd.DataFrame:
    key = list(TABLES[name].key)
    if name == "formation":  # organisations merged: their budgeted FTE add up
        df = df.assign(budgeted_fte=pd.to_numeric(df["budgeted_fte"]))
        return df.groupby(key, as_index=False)["budgeted_fte"].sum().astype(str)
    return df.drop_duplicates(key) if key else df


def reshape(src: Path, out: Path, team_map: dict[str, tuple[str, str]], code_prefix: str | None,
            since: str | None = None) -> Path:
    """Copy the raw exports of ``src`` into ``out`` with teams moved to (organisation, team)
    of ``team_map``, wijk codes re-prefixed and, with ``since``, events before it left out."""
    out.mkdir(parents=True)
    (out / config.SYNTHETIC_MARKER).write_bytes((src / config.SYNTHETIC_MARKER).read_bytes())
    org_of_team = {t: o for t, (o, _) in team_map.items()}
    first_team_of_org: dict[str, str] = {}
    for old, (_, new) in team_map.items():
        first_team_of_org.setdefault(old.split("-")[0], new)
    for name in TABLES:
        df = _read(src, name)
        if df is None:
            continue
        if "team" in df.columns:
            old_team = df["team"]
            df["team"] = old_team.map(lambda t: team_map[t][1] if t in team_map else t)
            if "organisation" in df.columns:
                by_team = old_team.map(org_of_team)
                df["organisation"] = by_team.where(old_team != "", df["organisation"].map(
                    lambda o: team_map[first_of(team_map, o)][0] if first_of(team_map, o) else o))
        elif "organisation" in df.columns:
            df["organisation"] = df["organisation"].map(
                lambda o: team_map[first_of(team_map, o)][0] if first_of(team_map, o) else o)
        if code_prefix and "area_code" in df.columns:
            df["area_code"] = df["area_code"].str.replace(r"^WK0479", code_prefix, regex=True)
        if "area_name" in df.columns:
            df["area_name"] = [f"Wijk {i + 1}" for i in range(len(df))]
        for col in TEXT_COLUMNS:  # free text of the delivery names no municipality
            if col in df.columns:
                df[col] = df[col].map(lambda s: FORBIDDEN.sub("de gemeente", s))
        if since:
            for col in ("date", "date_report"):
                if col in df.columns:
                    df = df[df[col] >= since]
            if name == "kpi_values":
                df = df[df["period"].str[:4] >= since[:4]]
            if "year" in df.columns:
                df = df[df["year"] >= since[:4]]
        _key_dedup(name, df).to_csv(out / f"{name}.csv", index=False)
    return out


def first_of(team_map: dict[str, tuple[str, str]], org: str) -> str | None:
    """The first team of ``org`` in ``team_map`` (the organisation's new name follows it)."""
    return next((t for t in team_map if t.split("-")[0] == org), None)


def run_suite(raw: Path, work: Path) -> tuple[Path, dict]:
    processed = clean_with_test_key(raw, work / "processed")
    indicators.main(processed=processed, out=processed / "indicators.csv", limits=None)
    out = work / "reports"
    code = runner.main(processed, out)
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return out, {"code": code, "manifest": manifest}


def _teams(raw: Path) -> list[str]:
    return sorted(set(pd.read_csv(raw / "areas.csv", dtype=str)["team"]))


def test_four_organisations_elsewhere_name_no_zaanstad(small_raw: Path, tmp_path: Path):
    teams = _teams(small_raw)
    names = ["Wijkkracht", "Buurtwerk Noord", "Samen Verder", "Kwartier"]
    team_map = {t: (names[i % 4], f"Team {i + 1}") for i, t in enumerate(teams)}
    raw = reshape(small_raw, tmp_path / "raw", team_map, "WK0392")
    out, run = run_suite(raw, tmp_path)
    failed = [(r["report"], r["organisation"], r.get("error")) for r in run["manifest"]["runs"]
              if r["status"] != "ok"]
    assert not failed, failed
    assert {r["organisation"] for r in run["manifest"]["runs"]} == {"ALL", *names}
    hits = []
    for f in out.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".csv", ".json", ".ipynb", ".log"):
            for m in FORBIDDEN.finditer(f.read_text(encoding="utf-8", errors="replace")):
                hits.append((str(f.relative_to(out)), m.group(0)))
    assert not hits, hits[:10]
    assert "Haarlem" in (out / "index.html").read_text(encoding="utf-8")


def test_one_organisation_one_team_one_year(small_raw: Path, tmp_path: Path):
    team_map = {t: ("Enig", "Enig team") for t in _teams(small_raw)}
    raw = reshape(small_raw, tmp_path / "raw", team_map, None, since="2025-10-01")
    out, run = run_suite(raw, tmp_path)
    failed = [(r["report"], r["organisation"], r.get("error")) for r in run["manifest"]["runs"]
              if r["status"] != "ok"]
    assert not failed, failed
    assert {r["organisation"] for r in run["manifest"]["runs"]} == {"ALL", "Enig"}


#: Partial deliveries (issue 17): which tables are delivered.
PARTIAL = {
    "only_cases": ("areas", "cases"),
    "only_kpis": ("kpi_register", "kpi_values"),
    "no_staff": tuple(t for t in TABLES if t not in ("staff", "formation")),
}


@pytest.mark.parametrize("delivery", list(PARTIAL))
def test_partial_delivery_renders_every_report(small_raw: Path, tmp_path: Path, delivery: str):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / config.SYNTHETIC_MARKER).write_bytes((small_raw / config.SYNTHETIC_MARKER).read_bytes())
    for name in PARTIAL[delivery]:
        (raw / f"{name}.csv").write_bytes((small_raw / f"{name}.csv").read_bytes())
    out, run = run_suite(raw, tmp_path)
    failed = [(r["report"], r["organisation"], r.get("error")) for r in run["manifest"]["runs"]
              if r["status"] != "ok"]
    assert not failed, failed
    assert run["code"] == 0
