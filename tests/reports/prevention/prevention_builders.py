"""Hand-built tables for the prevention tests (imported by the test modules and conftest)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from zwt_analysis.processed import coerce_types

Z = 1.959963984540054


def wilson(x: float, n: float) -> tuple[float, float]:
    """Wilson 95% interval written out by hand (reference for the tests)."""
    centre = (x + Z * Z / 2) / (n + Z * Z)
    half = Z / (n + Z * Z) * math.sqrt(x * (n - x) / n + Z * Z / 4)
    return centre - half, centre + half


def korn_graubard(a: list[float], t: list[float], alpha: float = 0.05) -> tuple[float, float]:
    """Korn-Graubard interval of sum(a)/sum(t) over persons, written out (test reference).

    Clustered ratio variance m/(m-1) sum((a_i - p t_i)^2) / T^2, effective size
    p(1-p)/var (m when the variance or p(1-p) is 0), shrunk by (z / t_{m-1})^2,
    then Clopper-Pearson at that size.
    """
    from scipy import stats

    m, big_a, big_t = len(a), sum(a), sum(t)
    p = big_a / big_t
    var = m / (m - 1) * sum((ai - p * ti) ** 2 for ai, ti in zip(a, t, strict=True)) / big_t ** 2
    n_eff = p * (1 - p) / var if var > 0 and 0 < p < 1 else float(m)
    n = n_eff * (Z / stats.t.ppf(1 - alpha / 2, m - 1)) ** 2
    x = p * n
    low = 0.0 if x <= 0 else stats.beta.ppf(alpha / 2, x, n - x + 1)
    high = 1.0 if x >= n else stats.beta.ppf(1 - alpha / 2, x + 1, n - x)
    return float(low), float(high)


def tr_frame(rows: list[tuple]) -> pd.DataFrame:
    """time_registrations from (employee, organisation, team, date, activity, hours)."""
    df = pd.DataFrame(rows, columns=["employee_id", "organisation", "team", "date", "activity", "hours"])
    return coerce_types("time_registrations", df)


#: Team A (org O1): e1 and e2 in 2024-Q1 and again in 2024-Q3 (no hours in Q2).
#: Team B (org O1): a team of one (e3).
TR_ROWS: list[tuple] = [
    ("e1", "O1", "A", "2024-01-10", "preventive_individual", 6.0),
    ("e1", "O1", "A", "2024-02-10", "statutory_individual", 4.0),
    ("e2", "O1", "A", "2024-01-11", "preventive_collective", 2.0),
    ("e2", "O1", "A", "2024-01-12", "statutory_individual", 8.0),
    ("e2", "O1", "A", "2024-03-12", "overhead", 10.0),
    ("e3", "O1", "B", "2024-01-15", "preventive_individual", 3.0),
    ("e3", "O1", "B", "2024-01-16", "statutory_individual", 1.0),
    ("e1", "O1", "A", "2024-07-01", "statutory_individual", 5.0),
    ("e2", "O1", "A", "2024-07-02", "statutory_individual", 5.0),
]


def areas_frame() -> pd.DataFrame:
    """Areas: team A (no PACT) and the PACT team B, both of O1."""
    df = pd.DataFrame(
        {"area_code": ["WK1", "WK2"], "area_name": ["w1", "w2"], "organisation": ["O1", "O1"],
         "team": ["A", "B"], "pact": [False, True], "population": [100, 200]}
    )
    return coerce_types("areas", df)


def cases_frame() -> pd.DataFrame:
    """Five cases of team A with known deadline outcomes on 2024-06-20 (see the comments)."""
    df = pd.DataFrame(
        {
            "case_id": ["c1", "c2", "c3", "c4", "c5"],
            "client_id": ["p1", "p2", "p3", "p4", "p5"],
            "organisation": ["O1"] * 5,
            "team": ["A", "A", "A", "A", "A"],
            "legal_framework": ["wmo", "wmo", "wmo", "wmo", "jeugdwet"],
            "date_report": ["2024-01-01", "2024-01-05", "2024-02-01", "2024-06-10", "2024-01-01"],
            "date_application": ["2024-01-02", "2024-01-06", "2024-02-02", "2024-06-10", "2024-01-02"],
            # c1: decided after 10 days (on time); c2: after 20 (late);
            # c3: no decision, as-of 2024-06-20 far past the limit (late, open);
            # c4: no decision, 10 days before as-of, within the 14-day limit (pending)
            "date_decision": ["2024-01-12", "2024-01-26", None, None, "2024-02-20"],
        }
    )
    return coerce_types("cases", df)


def long_indicators(rows: list[tuple]) -> pd.DataFrame:
    """Long indicator table from (indicator_id, period, organisation, team, numerator, denominator)."""
    df = pd.DataFrame(rows, columns=["indicator_id", "period", "organisation", "team",
                                     "numerator", "denominator"])
    df["value"] = df["numerator"] / df["denominator"]
    return df.astype({"indicator_id": "string", "period": "string", "organisation": "string",
                      "team": "string"})


def simulate_panel(n_teams: int = 20, n_quarters: int = 24, slope: float = -0.004,
                   seed: int = 1, noise: float = 0.02) -> pd.DataFrame:
    """Team-quarter panel with known slope, team effects correlated with caseload."""
    rng = np.random.default_rng(seed)
    team_mean = rng.uniform(20, 60, n_teams)
    team_effect = 0.2 * (team_mean - 40) / 20 + rng.normal(0, 0.05, n_teams)  # confounded
    rows = []
    for t in range(n_teams):
        for q in range(n_quarters):
            x = team_mean[t] + rng.normal(0, 6) + 0.2 * q
            hours = rng.uniform(300, 1500)
            y = 0.55 + team_effect[t] + slope * x - 0.002 * q + rng.normal(0, noise * 30 / math.sqrt(hours))
            rows.append({"organisation": f"O{t % 3}", "team": f"T{t:02d}",
                         "period": f"{2020 + q // 4}-Q{q % 4 + 1}", "preventive_share": y,
                         "hours": hours, "caseload_per_fte": x, "open_cases": x * 5, "fte": 5.0,
                         "pact": t < 2})
    return pd.DataFrame(rows)


#: The hand-written indicator table of the build tests: three teams (A and the
#: PACT team B of O1, C of O2) in 2024-Q1 and 2024-Q3. Within every team the
#: caseload rises by 10 (x - team mean = -5, +5); the preventive share falls
#: by 0.10 (A), 0.08 (B) and 0.12 (C), so the within-team slope without
#: quarter effects is (-0.5 - 0.4 - 0.6) / (6 x 25) = -0.01 per case per FTE.
BUILD_INDICATORS: list[tuple] = [
    ("preventive_share", "2024-Q1", "O1", "A", 10.0, 20.0),
    ("preventive_share", "2024-Q3", "O1", "A", 8.0, 20.0),
    ("preventive_share", "2024-Q1", "O1", "B", 6.0, 20.0),
    ("preventive_share", "2024-Q3", "O1", "B", 4.4, 20.0),
    ("preventive_share", "2024-Q1", "O2", "C", 9.0, 20.0),
    ("preventive_share", "2024-Q3", "O2", "C", 6.6, 20.0),
    ("caseload_per_fte", "2024-Q1", "O1", "A", 20.0, 2.0),
    ("caseload_per_fte", "2024-Q3", "O1", "A", 40.0, 2.0),
    ("caseload_per_fte", "2024-Q1", "O1", "B", 60.0, 2.0),
    ("caseload_per_fte", "2024-Q3", "O1", "B", 80.0, 2.0),
    ("caseload_per_fte", "2024-Q1", "O2", "C", 40.0, 2.0),
    ("caseload_per_fte", "2024-Q3", "O2", "C", 60.0, 2.0),
    ("vacancy_rate", "2023", "O1", "ALL", 1.0, 10.0),
    ("vacancy_rate", "2024", "O1", "ALL", 2.0, 10.0),
    ("vacancy_rate", "2024", "ALL", "ALL", 3.0, 20.0),
    ("staff_outflow_rate", "2024", "O1", "ALL", 1.0, 5.0),
]


def write_processed(path: Path, as_of: str = "2024-06-20") -> Path:
    """A processed folder for ``build``: registrations, cases, areas (with team C of O2),
    ``validation.json`` and the hand-written ``indicators.csv``; returns ``path``.

    The cases hold one more case without a legal framework reported on 3 January 2022:
    the data start two years before the 2024 quarters, so those are past the caseload
    warm-up (it has no deadline, so the deadline counts are those of :func:`cases_frame`).
    """
    path.mkdir(parents=True, exist_ok=True)
    tr_frame(TR_ROWS).to_parquet(path / "time_registrations.parquet")
    early = pd.DataFrame({"case_id": ["c0"], "client_id": ["p0"], "organisation": ["O1"],
                          "team": ["A"], "legal_framework": ["none"],
                          "date_report": ["2022-01-03"]})
    cases = pd.concat([coerce_types("cases", early), cases_frame()], ignore_index=True)
    coerce_types("cases", cases).to_parquet(path / "cases.parquet")
    areas = pd.DataFrame(
        {"area_code": ["WK1", "WK2", "WK3"], "area_name": ["w1", "w2", "w3"],
         "organisation": ["O1", "O1", "O2"], "team": ["A", "B", "C"],
         "pact": [False, True, False], "population": [100, 200, 300]}
    )
    coerce_types("areas", areas).to_parquet(path / "areas.parquet")
    (path / "validation.json").write_text(json.dumps({"as_of": as_of, "synthetic": True}),
                                          encoding="utf-8")
    long_indicators(BUILD_INDICATORS).to_csv(path / "indicators.csv", index=False)
    return path


# ------------------------------------------------------------------ partial deliveries (issue 17)

_ACTS = ["statutory_individual", "preventive_individual", "preventive_collective", "coordination",
         "overhead"]


def tiny_delivery(path: Path, teams: dict[str, str], start: str, end: str,
                  tables: tuple[str, ...] = ("cases", "time_registrations", "staff", "areas"),
                  staff_per_team: int = 6, seed: int = 3) -> Path:
    """A processed folder of a small municipality for the partial-delivery tests.

    Args:
        teams: team -> organisation.
        start, end: first and last day of the data (also the as-of date).
        tables: the processed tables written (others are absent, as in a
            partial delivery); ``validation.json`` is always written.
        staff_per_team: employees per team, all 1.0 FTE from ``start`` on.

    Returns:
        ``path``. No ``indicators.csv``: the report computes the indicators.
    """
    rng = np.random.default_rng(seed)
    path.mkdir(parents=True, exist_ok=True)
    days = pd.date_range(start, end, freq="7D")
    staff, tr, cases = [], [], []
    for t, (team, org) in enumerate(sorted(teams.items())):
        for e in range(staff_per_team):
            emp = f"{team}-e{e}"
            staff.append((emp, org, team, "generalist", 1.0, start, None, None))
            for d in days:
                for act in _ACTS:
                    tr.append((emp, org, team, d.date().isoformat(), act,
                               float(rng.integers(1, 6))))
        for i, d in enumerate(days):
            for k in range(int(rng.integers(1, 4)) + t % 2):
                report = d + pd.Timedelta(days=k)
                dec = report + pd.Timedelta(days=int(rng.integers(3, 30)))
                law = ["wmo", "jeugdwet", "wgs", "wmo"][k]
                closed = report + pd.Timedelta(days=int(rng.integers(40, 400)))
                cases.append((f"{team}-c{i}-{k}", f"{team}-p{i}-{k}", org, team, None, law,
                              report.date().isoformat(),
                              (report + pd.Timedelta(days=5)).date().isoformat(),
                              dec.date().isoformat() if law == "wmo" else None,
                              report.date().isoformat() if law != "wgs" else None,
                              dec.date().isoformat() if law != "wgs" else None,
                              closed.date().isoformat() if closed <= pd.Timestamp(end) else None,
                              None))
    frames = {
        "staff": pd.DataFrame(staff, columns=["employee_id", "organisation", "team", "role", "fte",
                                              "start_date", "end_date", "end_reason"]),
        "time_registrations": pd.DataFrame(tr, columns=["employee_id", "organisation", "team",
                                                        "date", "activity", "hours"]),
        "cases": pd.DataFrame(cases, columns=[
            "case_id", "client_id", "organisation", "team", "area_code", "legal_framework",
            "date_report", "date_first_contact", "date_assessment_done", "date_application",
            "date_decision", "date_closed", "closure_reason"]),
        "areas": pd.DataFrame({"area_code": [f"WK0999{i:02d}" for i in range(len(teams))],
                               "area_name": [f"w{i}" for i in range(len(teams))],
                               "organisation": [teams[t] for t in sorted(teams)],
                               "team": sorted(teams), "pact": [False] * len(teams),
                               "population": [1000] * len(teams)}),
    }
    for name in tables:
        coerce_types(name, frames[name]).to_parquet(path / f"{name}.parquet")
    (path / "validation.json").write_text(json.dumps({"as_of": end, "synthetic": True}),
                                          encoding="utf-8")
    return path
