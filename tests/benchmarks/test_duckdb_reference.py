"""Indicators on a hand-built folder of boundary cases; the benchmark's DuckDB reference and probe.

The edge-case folder (pending on the limit day, planned ends, transfers, an
empty end reason, future budgets, a first observed quarter) is checked by
hand against the contract text, through ``zwt indicators``' own path
(:func:`zwt_analysis.indicators.compute_from_processed`, DuckDB over the
Parquet files). The benchmark's reference (the same queries run bare in
DuckDB, :mod:`benchmarks.duckdb_reference`) must give exactly the library's
table.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import duckdb_reference as ref  # noqa: E402
from benchmarks.run import measure, notebook_overhead  # noqa: E402
from zwt_analysis import indicators, processed  # noqa: E402
from zwt_analysis.contract import INDICATOR_COLUMNS  # noqa: E402
from zwt_analysis.errors import ZwtError  # noqa: E402

AS_OF = date(2024, 6, 30)


def _write(folder: Path, tables: dict[str, list[dict]], as_of: date) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        df = processed.coerce_types(name, pd.DataFrame(rows))
        df.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "validation.json").write_text(json.dumps({"as_of": as_of.isoformat()}))
    return folder


def _case(case_id, client, org, team, lf, report, **dates):
    return {"case_id": case_id, "client_id": client, "organisation": org, "team": team,
            "legal_framework": lf, "date_report": report, **dates}


def _spell(emp, org, team, fte, start, end=None, reason=None):
    return {"employee_id": emp, "organisation": org, "team": team, "fte": fte,
            "start_date": start, "end_date": end, "end_reason": reason}


def _hours(emp, org, team, day, activity, hours):
    return {"employee_id": emp, "organisation": org, "team": team, "date": day,
            "activity": activity, "hours": hours, "assignment_id": "MAIN"}


@pytest.fixture(scope="module")
def edge_processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny processed folder, as-of 2024-06-30, full of boundary cases."""
    tables = {
        "areas": [
            {"area_code": "WK000001", "area_name": "A", "organisation": "DOCK", "team": "T1",
             "population": 1000},
            {"area_code": "WK000002", "area_name": "B", "organisation": "DOCK", "team": "T2",
             "population": 2000},
            {"area_code": "WK000003", "area_name": "C", "organisation": "SMD", "team": "S1",
             "population": 500},
        ],
        "cases": [
            # wmo assessment: 42 days on the as-of -> pending; 43 days -> late
            _case("c1", "X", "DOCK", "T1", "wmo", "2024-05-19"),
            _case("c2", "Y", "DOCK", "T1", "wmo", "2024-05-18"),
            # 42 days exactly -> on time; decision 14 days -> on time
            _case("c3", "Z", "DOCK", "T2", "wmo", "2024-01-10", date_assessment_done="2024-02-21",
                  date_application="2024-02-21", date_decision="2024-03-06"),
            # 46 days -> late; no application -> outside the decision indicator
            _case("c4", "X", "DOCK", "T2", "wmo", "2024-01-05", date_assessment_done="2024-02-20"),
            # jeugdwet decision after 60 days -> late; closed, re-registered on day 365
            _case("c5", "W", "SMD", "S1", "jeugdwet", "2023-03-01", date_application="2023-03-02",
                  date_decision="2023-05-01", date_closed="2023-06-01"),
            _case("c6", "W", "SMD", "S1", "jeugdwet", "2024-05-31"),
            # a new case on the day of closure is no re-registration
            _case("c7", "V", "DOCK", "T1", "participatiewet", "2023-01-10",
                  date_closed="2023-01-20"),
            _case("c8", "V", "DOCK", "T1", "wgs", "2023-01-20", date_first_contact="2023-02-17",
                  date_closed="2023-02-28"),
            # wgs first contact missing: 29 days -> late, 28 days -> pending
            _case("c9", "U", "SMD", "S1", "wgs", "2024-06-01"),
            _case("c10", "U", "SMD", "S1", "wgs", "2024-06-02"),
        ],
        "staff": [
            _spell("e1", "DOCK", "T1", 1.0, "2020-01-01"),
            _spell("e2", "DOCK", "T1", 0.8, "2021-03-01", "2023-05-31", "transfer_other_wijkteam"),
            _spell("e2", "SMD", "S1", 0.8, "2023-06-01"),
            _spell("e3", "DOCK", "T2", 0.5, "2022-01-01", "2023-12-31", "transfer_internal"),
            _spell("e3", "DOCK", "T1", 0.5, "2024-01-01"),
            _spell("e4", "SMD", "S1", 1.0, "2019-06-01", "2024-09-30", "voluntary"),  # planned end
            _spell("e5", "SMD", "S1", 0.6, "2022-02-01", "2023-08-15", None),  # empty reason
            _spell("e6", "DOCK", "T2", 1.0, "2023-01-01", "2023-01-01", "voluntary"),
        ],
        "time_registrations": [
            _hours("e1", "DOCK", "T1", "2024-04-02", "preventive_individual", 2.0),
            _hours("e1", "DOCK", "T1", "2024-04-03", "statutory_individual", 6.0),
            _hours("e1", "DOCK", "T1", "2024-04-04", "additional_assignment", 2.0),
            _hours("e4", "SMD", "S1", "2024-05-01", "preventive_collective", 3.0),
            _hours("e4", "SMD", "S1", "2024-07-01", "statutory_individual", 5.0),  # after as-of
        ],
        "formation": [
            {"organisation": "DOCK", "year": 2023, "budgeted_fte": 3.0},
            {"organisation": "DOCK", "year": 2024, "budgeted_fte": 3.0},  # 1 July after as-of
            {"organisation": "SMD", "year": 2023, "budgeted_fte": 2.0},
        ],
        "budgets": [
            {"organisation": "DOCK", "year": 2023, "assignment_id": "M", "assignment_type": "main",
             "funding_type": "structural", "amount_eur": 100.0},
            {"organisation": "DOCK", "year": 2023, "assignment_id": "P",
             "assignment_type": "additional", "funding_type": "incidental", "amount_eur": 50.0},
            {"organisation": "SMD", "year": 2024, "assignment_id": "P",
             "assignment_type": "additional", "funding_type": "incidental", "amount_eur": 30.0},
            {"organisation": "SMD", "year": 2025, "assignment_id": "M", "assignment_type": "main",
             "funding_type": "structural", "amount_eur": 99.0},  # year not begun
        ],
    }
    return _write(tmp_path_factory.mktemp("edge") / "processed", tables, AS_OF)


def _row(df: pd.DataFrame, indicator: str, period: str, org: str = "ALL", team: str = "ALL"):
    hit = df.loc[(df["indicator_id"] == indicator) & (df["period"] == period)
                 & (df["organisation"] == org) & (df["team"] == team)]
    assert len(hit) <= 1
    return None if hit.empty else (hit["numerator"].iloc[0], hit["denominator"].iloc[0])


# (indicator, period, organisation, team) -> (numerator, denominator), by hand from the contract
HAND = [
    ("wmo_assessment_on_time", "2024-Q2", "DOCK", "T1", (0, 1)),  # c1 pending, c2 late
    ("wmo_assessment_on_time", "2024-Q1", "DOCK", "T2", (1, 2)),  # c3 on time, c4 late
    ("wmo_decision_on_time", "2024-Q1", "ALL", "ALL", (1, 1)),
    ("jeugdwet_decision_on_time", "2023-Q1", "SMD", "S1", (0, 1)),
    ("wgs_first_contact_on_time", "2023-Q1", "DOCK", "T1", (1, 1)),
    ("wgs_first_contact_on_time", "2024-Q2", "SMD", "ALL", (0, 1)),  # c9 late, c10 pending
    ("reregistration_12m", "2023-Q2", "SMD", "S1", (1, 1)),  # day 365 is inside the window
    ("reregistration_12m", "2023-Q1", "DOCK", "T1", (0, 2)),  # same-day case does not count
    ("staff_outflow_rate", "2023", "DOCK", "ALL", (2, 4)),  # e2 (other wijkteam), e6
    ("staff_outflow_rate", "2023", "SMD", "ALL", (1, 2)),  # e5, empty end reason
    ("staff_outflow_rate", "2023", "ALL", "ALL", (2, 6)),  # e5, e6; e2 moved, e3 internal
    ("staff_outflow_rate", "2024", "SMD", "ALL", (0, 2)),  # e2, e4; e4's end is planned
    ("staff_inflow_rate", "2023", "DOCK", "ALL", (1, 4)),  # e6
    ("staff_inflow_rate", "2023", "SMD", "ALL", (1, 2)),  # e2 came from DOCK
    ("staff_inflow_rate", "2023", "ALL", "ALL", (1, 6)),  # e6 only
    ("staff_inflow_rate", "2024", "DOCK", "ALL", (0, 2)),  # e3's team change
    ("vacancy_rate", "2023", "DOCK", "ALL", (1.5, 3.0)),
    ("vacancy_rate", "2023", "SMD", "ALL", (-0.4, 2.0)),
    ("vacancy_rate", "2023", "ALL", "ALL", (1.1, 5.0)),
    ("incidental_funding_share", "2023", "DOCK", "ALL", (50.0, 150.0)),
    ("incidental_funding_share", "2024", "ALL", "ALL", (30.0, 30.0)),
    ("caseload_per_fte", "2024-Q1", "DOCK", "ALL", (2.0, 1.5)),  # c3, c4; e1 + e3
    ("caseload_per_fte", "2024-Q1", "ALL", "ALL", (2.0, 3.3)),
    ("caseload_per_fte", "2024-Q1", "DOCK", "T1", (0.0, 1.5)),
    ("caseload_per_fte", "2023-Q1", "DOCK", "T1", (0.0, 1.8)),  # first observed quarter; e1 + e2
    ("reach_per_1000", "2024", "DOCK", "T1", (2, 1.0)),
    ("reach_per_1000", "2024", "DOCK", "ALL", (3, 3.0)),  # X counted once
    ("reach_per_1000", "2024", "ALL", "ALL", (5, 3.5)),
    ("preventive_share", "2024-Q2", "DOCK", "T1", (2.0, 8.0)),
    ("preventive_share", "2024-Q2", "ALL", "ALL", (5.0, 11.0)),
    ("additional_assignment_share", "2024-Q2", "ALL", "ALL", (2.0, 13.0)),
]

ABSENT = [
    ("wmo_assessment_on_time", "2024-Q2", "DOCK", "T2"),
    ("vacancy_rate", "2024", "ALL", "ALL"),  # 1 July 2024 after the as-of
    ("incidental_funding_share", "2025", "SMD", "ALL"),  # year not begun
    ("caseload_per_fte", "2024-Q1", "DOCK", "T2"),  # open cases, no FTE: zero denominator
    # before the observation start (first case report 2023-01-10): survivors only
    ("staff_outflow_rate", "2022", "SMD", "ALL"),
    ("staff_inflow_rate", "2022", "ALL", "ALL"),
    ("caseload_per_fte", "2022-Q4", "ALL", "ALL"),
    ("caseload_per_fte", "2024-Q2", "ALL", "ALL"),  # 30 June is the as-of: measured (see below)
]


@pytest.mark.parametrize("indicator,period,org,team,expected", HAND)
def test_indicators_match_hand_computation(edge_processed, indicator, period, org, team,
                                           expected):
    got = _row(indicators.compute_from_processed(edge_processed), indicator, period, org, team)
    assert got is not None, "row missing"
    assert got == pytest.approx(expected, abs=1e-12)


def test_indicators_leave_out_rows_without_a_measurement(edge_processed):
    df = indicators.compute_from_processed(edge_processed)
    for key in ABSENT[:-1]:
        assert _row(df, *key) is None, key
    # the last quarter end equals the as-of, so it is measured
    assert _row(df, "caseload_per_fte", "2024-Q2", "ALL", "ALL") is not None


def test_reference_equals_library_on_edge_cases(edge_processed):
    mine = ref.compute(edge_processed)
    lib = indicators.compute_from_processed(edge_processed)
    diff = ref.compare(mine, lib)
    assert diff.empty, diff.to_string()


def test_reference_equals_library_on_synthetic_data(small_processed, tmp_path):
    mine = ref.compute(small_processed)
    # what the benchmark runs: DuckDB writes the CSV itself
    n = ref.write(small_processed, tmp_path / "ref.csv")
    written = pd.read_csv(tmp_path / "ref.csv", dtype={"period": "string"}, keep_default_na=False)
    assert n == len(written) == len(mine)
    assert ref.compare(written, mine).empty
    lib = indicators.compute_from_processed(small_processed)
    assert list(mine.columns) == list(INDICATOR_COLUMNS)
    assert len(mine) == len(lib) > 1000
    assert set(mine["indicator_id"]) == set(lib["indicator_id"]) == set(indicators.INDICATORS)
    diff = ref.compare(mine, lib)
    assert diff.empty, diff.head(20).to_string()
    keys = ["indicator_id", "period", "organisation", "team"]
    pd.testing.assert_frame_equal(mine[keys], lib[keys], check_dtype=False)
    assert (mine["value"] - lib["value"]).abs().max() <= 1e-12


def test_limits_override_changes_the_verdict(edge_processed):
    # with a 43-day assessment limit c2 (43 days, no assessment) is pending, not late
    for df in (ref.compute(edge_processed, limits={"wmo_assessment": 43}),
               indicators.compute_from_processed(edge_processed, limits={"wmo_assessment": 43})):
        assert _row(df, "wmo_assessment_on_time", "2024-Q2", "DOCK", "T1") is None
    with pytest.raises(ZwtError, match="unknown limit 'no_such_limit'"):
        ref.compute(edge_processed, limits={"no_such_limit": 3})


def test_missing_table_gives_no_rows_for_its_indicators(edge_processed, tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    for f in edge_processed.iterdir():
        if f.name != "budgets.parquet":
            (folder / f.name).write_bytes(f.read_bytes())
    df = indicators.compute_from_processed(folder)
    assert "incidental_funding_share" not in set(df["indicator_id"])
    assert "vacancy_rate" in set(df["indicator_id"])


def test_compare_reports_differences():
    base = pd.DataFrame({"indicator_id": ["a", "a"], "period": ["2024", "2025"],
                         "organisation": ["ALL", "ALL"], "team": ["ALL", "ALL"],
                         "numerator": [1.0, 2.0], "denominator": [4.0, 4.0],
                         "value": [0.25, 0.5]})
    assert ref.compare(base, base.copy()).empty
    off = base.assign(numerator=[1.0 + 1e-6, 2.0], value=[(1.0 + 1e-6) / 4, 0.5])
    assert list(ref.compare(off, base)["period"]) == ["2024"]
    assert list(ref.compare(base.iloc[:1], base)["side"]) == ["library_only"]


# ------------------------------------------------------------------ the benchmark probe

def test_measure_reports_child_peak_memory():
    code = "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    m = measure([sys.executable, "-c", code])
    assert m.returncode == 0
    assert m.max_rss_bytes >= 150 * 1024 * 1024
    small = measure([sys.executable, "-c", "pass"])
    assert small.max_rss_bytes < 100 * 1024 * 1024
    assert m.wall_s > 0


def test_measure_reports_failure_exit_code():
    assert measure([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3


def test_notebook_overhead_reads_papermill_times():
    nb = {"metadata": {"papermill": {"start_time": "2026-01-01T10:00:00.000000"}},
          "cells": [
              {"cell_type": "code", "source": "x = 1",
               "metadata": {"papermill": {"end_time": "2026-01-01T10:00:01.000000"}}},
              {"cell_type": "code", "source": "ctx = context.start(title='t', params={})",
               "metadata": {"papermill": {"end_time": "2026-01-01T10:00:02.500000"}}},
              {"cell_type": "code", "source": "work()",
               "metadata": {"papermill": {"end_time": "2026-01-01T10:00:09.000000"}}},
          ]}
    assert notebook_overhead(nb) == 2.5
    nb["cells"] = nb["cells"][:1]
    assert notebook_overhead(nb) == 1.0
    assert notebook_overhead({"metadata": {}, "cells": []}) is None


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="GNU time not installed")
def test_measure_agrees_with_gnu_time(tmp_path):
    log = tmp_path / "time.log"
    code = "b = bytearray(120 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    m = measure(["/usr/bin/time", "-f", "maxrss_kb=%M", sys.executable, "-c", code], log=log)
    gnu_kb = int(log.read_text().split("maxrss_kb=")[1].split()[0])
    assert m.max_rss_bytes == pytest.approx(gnu_kb * 1024, rel=0.05)


def test_targets_give_pass_and_fail():
    from benchmarks.run import GIB, Measurement, Step, markdown, targets

    def step(scale, name, wall, rss=GIB, **extra):
        return Step(scale, name, ["x"], [Measurement(wall, rss, 0)], dict(extra))

    steps = [
        step(10, "indicators", 30.0, rss=5 * GIB),
        step(10, "duckdb_reference", 10.0),
        step(1, "indicators", 3.0),
        step(1, "duckdb_reference", 0.5),
        step(1, "trivial_notebook", 2.0, in_kernel_s=1.0),
        step(1, "report_jobs1", 100.0, runs_detail=[
            {"report": "01_a", "organisation": "ALL", "overhead_s": 2.1, "duration_s": 9.0,
             "render_s": 0.1, "status": "ok"}]),
        step(1, "report_jobs2", 54.0),
        step(1, "setup_01_a", 2.1),
        step(1, "setup_02_b", 2.4),
    ]
    t = {x["target"]: x for x in targets(steps)}
    ind = t["indicators / DuckDB reference (wall)"]
    assert ind["value"] == pytest.approx(3.0) and ind["verdict"] == "FAIL"  # scale 10 is used
    assert t["indicators peak memory"]["verdict"] == "FAIL"  # 5 GiB
    assert t["report --jobs 2 / --jobs 1 (wall)"]["value"] == pytest.approx(0.54)
    assert t["report --jobs 2 / --jobs 1 (wall)"]["verdict"] == "PASS"
    over = t["notebook overhead / trivial notebook"]  # the worst notebook counts
    assert over["value"] == pytest.approx(1.2) and over["verdict"] == "FAIL"
    assert "02_b" in over["note"]
    suite = t["in the suite: setup cell / trivial notebook"]
    assert suite["value"] == pytest.approx(1.05) and suite["verdict"] == "PASS"
    text = markdown(steps, list(t.values()), {"finished": "now", "cpus": 2, "platform": "p",
                                              "python": "3", "load_start": "0.1",
                                              "command": "c"})
    assert "| 10 | indicators | 1 | 30.00 | 30.00-30.00 | 0.00 |" in text and "01_a" in text
    assert targets([])[0]["verdict"] == "n/a"
    # with the suite at scale 10 too: the target stays on the default data, scale 10 is info
    more = steps + [step(10, "report_jobs1", 200.0), step(10, "report_jobs2", 120.0),
                    step(10, "trivial_notebook", 2.0), step(10, "setup_01_a", 3.0)]
    t = {x["target"]: x for x in targets(more)}
    assert t["report --jobs 2 / --jobs 1 (wall)"]["value"] == pytest.approx(0.54)
    assert t["report --jobs 2 / --jobs 1 at scale 10"]["value"] == pytest.approx(0.6)
    assert t["report --jobs 2 / --jobs 1 at scale 10"]["verdict"] == "info"
    # the overhead compares notebooks with the trivial notebook of the same scale (10 here)
    assert t["notebook overhead / trivial notebook"]["value"] == pytest.approx(1.5)


def test_setup_only_notebook_stops_after_notebook_start(tmp_path):
    from benchmarks.run import setup_only_notebook

    src = tmp_path / "01_x.py"
    src.write_text(
        "# %% [markdown]\n# Titel\n\n"
        "# %% tags=[\"parameters\"]\norganisation = \"ALL\"\n\n"
        "# %%\nimport math\n\nctx = context.start(\n    title=\"t\",\n    params={},\n)\n"
        "heavy = work()\n\n"
        "# %%\nmore_work()\n", encoding="utf-8")
    nb = setup_only_notebook(src)
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert code[0] == 'organisation = "ALL"'
    assert code[1].endswith("params={},\n)") and "heavy" not in code[1]
    assert len(code) == 2
    assert nb["metadata"]["kernelspec"]["name"] == "zwt"
    (tmp_path / "02_y.py").write_text("# %%\nx = 1\n", encoding="utf-8")
    assert setup_only_notebook(tmp_path / "02_y.py") is None


def test_measure_reports_cpu_time():
    busy = measure([sys.executable, "-c", "import time\nt = time.process_time()\n"
                    "while time.process_time() - t < 0.3: pass"])
    idle = measure([sys.executable, "-c", "import time; time.sleep(0.3)"])
    assert busy.cpu_s >= 0.25
    assert idle.cpu_s < 0.2 and idle.wall_s >= 0.3
