"""Partial deliveries (issue 17): the KPI report runs on whatever tables exist and says, in
Dutch, what it skipped.

Each delivery is cut by hand from the session's small synthetic processed folder: only the
KPI tables; everything but the KPI tables (indicators, no register); no staff; one
organisation with one team and one year; a history that starts in 2025. No indicators.csv
is copied, so the report computes the indicators from what is there. ``build()`` and every
reader function the notebook calls run on each; the notebook itself runs under papermill
in the slow test at the end.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from zwt_analysis import config, processed
from zwt_analysis.contract import TABLES
from zwt_analysis.reports import context
from zwt_analysis.reports.kpi import KpiResult, build, plots, tables, text
from zwt_analysis.reports.kpi import accountability_tables as acc

Cut = Callable[[str, pd.DataFrame], pd.DataFrame]

_DATES = {"cases": "date_report", "time_registrations": "date", "signals": "date"}


def _from(year: int) -> Cut:
    """Keep events from 1 January ``year`` on (staff spells still running then)."""
    def cut(name: str, df: pd.DataFrame) -> pd.DataFrame:
        if name in _DATES:
            return df[df[_DATES[name]] >= pd.Timestamp(year, 1, 1)]
        if name == "kpi_values":
            return df[df["period"].str[:4].astype(int) >= year]
        if name in ("budgets", "formation", "cost_index"):
            return df[df["year"] >= year]
        if name == "staff":
            return df[df["end_date"].isna() | (df["end_date"] >= pd.Timestamp(year, 1, 1))]
        return df
    return cut


def _one_team_one_year(src: Path) -> Cut:
    areas = processed.read_table(src, "areas")
    org, team = sorted(zip(areas["organisation"], areas["team"], strict=True))[0]
    later = _from(2025)

    def cut(name: str, df: pd.DataFrame) -> pd.DataFrame:
        df = later(name, df)
        if "organisation" in df:
            df = df[df["organisation"] == org]
        if "team" in df and name != "signals":
            df = df[df["team"] == team]
        if name in _DATES or name in ("budgets", "formation"):
            return df[df[_DATES.get(name, "year")].map(
                lambda d: (d.year if hasattr(d, "year") else int(d)) == 2025)]
        if name == "kpi_values":
            return df[df["period"].str[:4] == "2025"]
        return df
    return cut


def deliver(src: Path, dst: Path, drop: set[str] = frozenset(), keep: set[str] | None = None,
            cut: Cut | None = None) -> Path:
    """A processed folder with some tables of ``src`` (cut by ``cut``) and its as-of."""
    dst.mkdir(parents=True)
    for name in TABLES:
        if name in drop or (keep is not None and name not in keep):
            continue
        df = processed.read_table(src, name)
        df = cut(name, df) if cut else df
        if len(df):
            df.reset_index(drop=True).to_parquet(dst / f"{name}.parquet")
    meta = processed.read_validation(src)
    (dst / processed.VALIDATION_FILE).write_text(json.dumps(
        {"as_of": meta["as_of"], "synthetic": True, "missing_tables": []}), encoding="utf-8")
    if (src / config.SYNTHETIC_MARKER).exists():
        shutil.copy(src / config.SYNTHETIC_MARKER, dst / config.SYNTHETIC_MARKER)
    return dst


def cases(src: Path) -> dict[str, dict]:
    return {
        "only_kpi": dict(keep={"kpi_register", "kpi_values"}),
        "only_cases": dict(keep={"cases"}),
        "no_register": dict(drop={"kpi_register", "kpi_values"}),
        "no_staff": dict(drop={"staff", "formation"}),
        "one_team_one_year": dict(cut=_one_team_one_year(src)),
        "from_2025": dict(cut=_from(2025)),
    }


@pytest.fixture(scope="module")
def deliveries(small_processed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("kpi_partial")
    return {k: deliver(small_processed, root / k, **v) for k, v in cases(small_processed).items()}


def _run(path: Path, out: Path, organisation: str = "ALL") -> KpiResult:
    params = {"processed_dir": str(path), "indicators_file": "", "organisation": organisation,
              "output_dir": str(out), "rules_file": "", "max_panels": 12, "first_year": 0}
    return build(context.context(params), params)


def render_all(res: KpiResult) -> None:
    """Every reader table, sentence and figure the notebook makes (no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    assert 3 <= len(text.kern_sentences(res)) <= 5
    text.missing_notes(res)
    if res.has_register:
        text.proposal_text(res.audit)
        for t in (tables.rule_summary(res.audit, res.rules, codes=False),
                  tables.kept_table_nl(res.audit, res.accountability, res.rules),
                  tables.block_table_nl(res.blocks, res.rules), tables.gaps_table_nl(res.gaps),
                  tables.audit_table_nl(res.audit, res.accountability, res.rules),
                  tables.duplicate_groups_table(res.audit, with_rho=True), res.audit_csv,
                  acc.strategy_table(res.rules),
                  acc.misfit_table_nl(res.accountability, res.audit, res.rules)):
            assert len(t) <= max(tables.MAX_ROWS, len(res.audit) + len(res.gaps) + 1)
        acc.accountability_summary(res.accountability, res.strategies, res.rules, res.audit)
        acc.accountability_text(res.accountability, res.audit, res.rules)
    tables.verification_table_nl(res.verification)
    assert len(tables.trend_table_nl(res.trends, res.city_label)) <= tables.MAX_ROWS
    tables.trends_csv(res.trends)
    tables.signal_overview_nl(res.signal_overview)
    verdicts = text.panel_verdicts(res.trends, res.organisation, res.city_label)
    for s in (res.kpi_series, res.indicator_series):
        plots.plot_small_multiples(s, res.signal_panels, city_label=res.city_label,
                                   verdicts=verdicts)
        tables.figure_signals_nl(res.signal_panels, s, 4)
    plots.plot_signal_timeline(res.signals, res.timeline_start, res.timeline_end)
    plt.close("all")


def test_only_kpi_tables(deliveries, tmp_path):
    res = _run(deliveries["only_kpi"], tmp_path)
    render_all(res)
    assert res.has_register and len(res.kpi_series) and res.indicator_series.empty
    assert set(res.trends["source"]) == {"kpi"}
    assert res.first_year is None  # no cases or hours: every finished period is shown
    notes = text.missing_notes(res)
    assert any(n.startswith("Geen registraties van zaken of uren aangeleverd") for n in notes)
    assert any(n.startswith("Geen signalen uit de praktijk") for n in notes)
    assert any(n.startswith("Geen begrotingsregels") for n in notes)
    assert res.verification.empty


def test_only_cases(deliveries, tmp_path):
    res = _run(deliveries["only_cases"], tmp_path)
    render_all(res)
    assert not res.has_register and res.signals.empty
    shown = set(res.indicator_series["series"])
    assert {"reregistration_12m", "wmo_assessment_on_time"} <= shown
    assert {"preventive_share", "caseload_per_fte"} & shown == set()  # need hours and staff
    assert res.first_year is not None and res.city_label == "De gemeente"  # no areas: no name
    notes = text.missing_notes(res)
    assert notes[0].startswith("Geen KPI-register en geen KPI-waarden")
    assert any(n.startswith("Niet berekend omdat de gegevens ontbreken (geen urenregistratie, "
                            "personeelsgegevens en wijken met inwonertal): Aandeel preventieve "
                            "uren") for n in notes)
    assert any(n.startswith("Geen signalen") for n in notes)


def test_indicators_without_a_kpi_register(deliveries, tmp_path):
    res = _run(deliveries["no_register"], tmp_path)
    render_all(res)
    assert not res.has_register and res.audit.empty and res.kpi_series.empty
    assert len(res.indicator_series) and set(res.trends["source"]) == {"indicator"}
    kern = text.kern_sentences(res)
    assert kern[0].startswith("Er is geen KPI-register aangeleverd")
    assert text.missing_notes(res)[0].startswith("Geen KPI-register en geen KPI-waarden")


def test_no_staff(deliveries, tmp_path):
    res = _run(deliveries["no_staff"], tmp_path)
    render_all(res)
    assert "caseload_per_fte" in res.absent_indicators
    assert "caseload_per_fte" not in set(res.indicator_series["series"])
    assert "Niet berekend omdat de gegevens ontbreken (geen personeelsgegevens): Caseload per " \
        "fte." in text.missing_notes(res)


def test_one_organisation_one_team_one_year(deliveries, tmp_path):
    res = _run(deliveries["one_team_one_year"], tmp_path)
    render_all(res)
    org = (res.organisations - {"ALL"}).pop()
    assert len(res.organisations - {"ALL"}) == 1
    assert res.first_year == 2025
    # four quarters at most: the method gives no verdict, and says so
    assert set(res.trends["verdict"]) <= {"te kort om te beoordelen"}
    render_all(_run(deliveries["one_team_one_year"], tmp_path / "org", organisation=org))


def test_history_from_2025_is_warm_up(deliveries, tmp_path):
    res = _run(deliveries["from_2025"], tmp_path)
    render_all(res)
    assert res.first_year == 2025
    case = res.indicator_series[res.indicator_series["series"] == "caseload_per_fte"]
    # caseload on a quarter's last day needs 548 days of cases before it: 2025-Q1..2026-Q2
    assert set(case.loc[case["period"] < "2026-Q3", "status"]) == {"warmup"}
    assert set(res.trends["verdict"]) <= {"te kort om te beoordelen", "geen aantoonbare trend"}
    assert "opstart van de registratie" in text.caveat_sentence(res)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["only_kpi", "only_cases", "no_register", "no_staff",
                                  "one_team_one_year", "from_2025"])
def test_notebook_renders_partial_deliveries(deliveries, tmp_path, name):
    import jupytext
    import nbformat
    import papermill as pm

    nb = config.NOTEBOOKS_DIR / "02_kpi.py"
    ipynb = tmp_path / "02_kpi.ipynb"
    jupytext.write(jupytext.read(nb), ipynb, fmt="ipynb")
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(ipynb), str(out), kernel_name="zwt", cwd=str(tmp_path),
                        parameters={"processed_dir": str(deliveries[name]),
                                    "output_dir": str(tmp_path / "csv")},
                        progress_bar=False, execution_timeout=600)
    cells = [c for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"]
    outputs = [o for c in cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = [str(o.get("data", {}).get("text/html", "")) for o in outputs]
    html = [h for h in html if h]
    assert "zwt-report-header" in html[0] and "zwt-kern" in html[1]  # the Kern comes first
    if name != "one_team_one_year":
        md = "".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
        assert "Overgeslagen." in md or name == "from_2025"
