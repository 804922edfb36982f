"""Tests of the report runner (zwt_analysis.report) and the scheduled-run script.

Runner mechanics use test-only notebooks in a temporary notebooks folder and
a small hand-built processed folder; the suite test runs the real notebooks
on the small synthetic data set.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from zwt_analysis import config, processed
from zwt_analysis.contract import TABLES
from zwt_analysis.errors import ZwtError
from zwt_analysis.runner import main as report

HEADER = """# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python (zwt)
#     language: python
#     name: zwt
# ---
"""

PARAMS = """
# %% tags=["parameters"]
processed_dir = ""
indicators_file = ""
organisation = "ALL"
output_dir = ""
"""

OK_NOTEBOOK = HEADER + PARAMS + """n_extra = 3

# %%
from zwt_analysis import present
from zwt_analysis.reports import context
ctx = context.start(title="Proefrapport", params=dict(processed_dir=processed_dir,
    indicators_file=indicators_file, organisation=organisation, output_dir=output_dir,
    n_extra=n_extra))

# %% [markdown]
# ## Een kop

# %%
import sys
import matplotlib.pyplot as plt
print("waarschuwing op stderr", file=sys.stderr)
areas = ctx.filter_org(ctx.table("areas"))
fig, ax = plt.subplots()
ax.bar(areas["team"], areas["population"].astype(float))
plt.show()
ctx.save_table(areas.assign(n_extra=n_extra)[["team", "n_extra"]], "teams")
"""

FAIL_NOTEBOOK = HEADER + PARAMS + """
# %%
print("voor de fout")

# %%
raise ValueError("opzettelijke fout")
"""

HANG_NOTEBOOK = HEADER + PARAMS + """
# %%
import time
time.sleep(120)
"""


def make_processed(out: Path) -> Path:
    """A small processed folder: areas, cases and staff for two organisations."""
    out.mkdir(parents=True, exist_ok=True)
    frames = {
        "areas": pd.DataFrame({"area_code": ["WK1", "WK2", "WK3"], "area_name": ["A", "B", "C"],
                               "organisation": ["DOCK", "SMD", "DOCK"],
                               "team": ["T1", "T2", "T3"], "pact": [True, False, False],
                               "population": [1000, 2000, 3000]}),
        "cases": pd.DataFrame({"case_id": [f"c{i}" for i in range(12)],
                               "client_id": [f"{i:064x}" for i in range(12)],
                               "organisation": ["DOCK", "SMD"] * 6, "team": ["T1", "T2"] * 6,
                               "legal_framework": ["wmo"] * 12,
                               "date_report": pd.date_range("2024-01-01", periods=12,
                                                            freq="MS")}),
        "staff": pd.DataFrame({"employee_id": [f"{100 + i:064x}" for i in range(6)],
                               "organisation": ["DOCK", "SMD"] * 3, "team": ["T1", "T2"] * 3,
                               "fte": [1.0] * 6,
                               "start_date": pd.to_datetime(["2023-01-01"] * 6)}),
    }
    meta = {"as_of": "2024-12-31", "synthetic": True, "missing_tables": []}
    for name, df in frames.items():
        df = processed.coerce_types(name, df.reindex(columns=TABLES[name].column_names))
        df.to_parquet(out / f"{name}.parquet", index=False)
        meta[name] = {"rows_in": len(df), "rows_clean": len(df), "rows_quarantined": 0}
    meta["missing_tables"] = [t for t in TABLES if t not in frames]
    (out / "validation.json").write_text(json.dumps(meta), encoding="utf-8")
    (out / config.SYNTHETIC_MARKER).write_text("synthetic\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def hand_processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_processed(tmp_path_factory.mktemp("hand") / "processed")


def write_notebooks(folder: Path, **sources: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sources.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return folder


def body(html: str) -> str:
    return html[html.index("<body"):]


def links(html: str) -> list[str]:
    return [unquote(h) for h in re.findall(r'href="([^"#]+)"', body(html))
            if not h.startswith(("http:", "https:", "mailto:"))]


# ----------------------------------------------------------------- units

def test_discover_select_and_short_names(tmp_path):
    nbs = write_notebooks(tmp_path / "nb", **{"01_a": PARAMS, "02_b_c": PARAMS, "explore": PARAMS,
                                              "1_bad": PARAMS})
    found = report.discover(nbs)
    assert [p.stem for p in found] == ["01_a", "02_b_c"]  # explore and 1_bad are not reports
    assert [p.stem for p in report.select(found, ["b_c"])] == ["02_b_c"]
    assert [p.stem for p in report.select(found, ["02_b_c", "01_a.py"])] == ["01_a", "02_b_c"]
    assert report.select(found, []) == found
    with pytest.raises(ZwtError, match="no such report"):
        report.select(found, ["kpi"])


def test_parameters_of_reads_literals_and_rejects_others():
    import nbformat

    cell = nbformat.v4.new_code_cell('a = 1\nb = "x"  # comment = "y"\nc: float = 2.5\n',
                                     metadata={"tags": ["parameters"]})
    assert report.parameters_of([cell]) == {"a": 1, "b": "x", "c": 2.5}
    with pytest.raises(ValueError, match="exactly one"):
        report.parameters_of([nbformat.v4.new_code_cell("a = 1")])
    with pytest.raises(ValueError, match="exactly one"):
        report.parameters_of([cell, cell])
    bad = nbformat.v4.new_code_cell("a = f(1)", metadata={"tags": ["parameters"]})
    with pytest.raises(ValueError, match="plain literal"):
        report.parameters_of([bad])


def test_parse_param_follows_default_type():
    assert report.parse_param("7", 3) == 7
    assert report.parse_param("0.5", 1.0) == 0.5
    assert report.parse_param("ja", False) is True
    assert report.parse_param("0", True) is False
    assert report.parse_param("007", "") == "007"  # text stays text
    assert report.parse_param("[1, 2]", []) == [1, 2]
    assert report.parse_param("2024-01-01", None) == "2024-01-01"
    with pytest.raises(ZwtError):
        report.parse_param("x", 3)
    with pytest.raises(ZwtError):
        report.parse_param("misschien", True)


def test_split_params():
    assert report.split_params(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    for bad in (["a"], ["=1"], ["a b=1"]):
        with pytest.raises(ZwtError):
            report.split_params(bad)


def test_organisations_and_period(hand_processed):
    assert report.organisations(hand_processed) == ["DOCK", "SMD"]
    first, last = report.data_period(hand_processed)
    assert str(first) == "2024-01-01" and str(last) == "2024-12-01"  # staff (2023) not counted


def test_check_out_refuses_foreign_or_processed_folders(tmp_path, hand_processed):
    foreign = tmp_path / "stuff"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("x")
    with pytest.raises(ZwtError, match="did not write"):
        report._check_out(foreign, hand_processed)
    with pytest.raises(ZwtError, match="processed"):
        report._check_out(hand_processed / "reports", hand_processed)
    readme_only = tmp_path / "reports"
    readme_only.mkdir()
    (readme_only / "README.md").write_text("x")
    report._check_out(readme_only, hand_processed)  # allowed
    report._check_out(tmp_path / "new", hand_processed)  # allowed


def test_swap_keeps_readme_and_replaces_the_rest(tmp_path):
    out, build = tmp_path / "reports", tmp_path / ".reports.build-x"
    (out / "old_report").mkdir(parents=True)
    (out / "README.md").write_text("keep me")
    (out / "index.html").write_text("old index")
    build.mkdir()
    (build / "index.html").write_text("new index")
    report._swap_in(build, out)
    assert (out / "README.md").read_text() == "keep me"
    assert (out / "index.html").read_text() == "new index"
    assert not (out / "old_report").exists() and not build.exists()
    assert not list(tmp_path.glob(".reports.old-*"))


def test_submission_order_longest_first_else_city_first(tmp_path):
    def job(report_name, org):
        return report.Job(report_name, "", org, "", "", "", {}, "zwt", 1, 1, False)

    jobs = [job("01_a", "ALL"), job("01_a", "DOCK"), job("02_b", "ALL"), job("02_b", "DOCK")]
    assert report.submission_order(jobs, {}) == [0, 2, 1, 3]
    history = {("01_a", "DOCK"): 50.0, ("02_b", "ALL"): 10.0, ("01_a", "ALL"): 30.0}
    assert report.submission_order(jobs, history) == [1, 0, 2, 3]
    (tmp_path / "manifest.json").write_text(json.dumps({"runs": [
        {"report": "01_a", "organisation": "DOCK", "duration_s": 50.0}]}))
    assert report.previous_durations(tmp_path) == {("01_a", "DOCK"): 50.0}
    assert report.previous_durations(tmp_path / "none") == {}


def test_kernel_fallback_writes_temporary_kernelspec(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    name, note = report.ensure_kernel("zwt-test-missing-kernel", tmp_path)
    spec = json.loads((tmp_path / "_kernels/kernels/zwt-test-missing-kernel/kernel.json")
                      .read_text())
    assert name == "zwt-test-missing-kernel"
    assert spec["argv"][0] == sys.executable
    assert "not installed" in note
    assert os.environ["JUPYTER_PATH"].split(os.pathsep)[0] == str(tmp_path / "_kernels")
    from jupyter_client.kernelspec import KernelSpecManager

    assert KernelSpecManager().get_kernel_spec("zwt-test-missing-kernel")


def test_index_groups_reports_and_marks_failures():
    runs = [report.Result("01_a", "Rapport A", "ALL", {"organisation": "ALL"}, "ok", None,
                          "s", "e", 2.0, 1, 0.1, ["report.html", "report_code.html", "t.csv"]),
            report.Result("01_a", "Rapport A", "DOCK", {"organisation": "DOCK"}, "failed",
                          "ValueError: <kapot>", "s", "e", 1.0, 1, 0.1, ["report_code.html"])]
    page = report.build_index(runs, {"as_of": "2024-12-31", "synthetic": True,
                                     "period": ["2019-01-01", "2024-12-31"],
                                     "finished": "2025-01-01T00:00:00+00:00",
                                     "extra_params": {}})
    assert 'lang="nl"' in page and "SYNTHETISCHE DATA" in page
    assert "31 december 2024" in page and "1 januari 2019" in page
    assert "Hele gemeente" in page and "mislukt" in page and "gelukt" in page
    assert "ValueError: &lt;kapot&gt;" in page
    assert 'href="01_a/ALL/report.html"' in page and 'href="01_a/ALL/t.csv"' in page
    assert 'href="01_a/DOCK/report.html"' not in page  # not rendered, not linked
    assert "http" not in page


def test_unknown_parameter_and_missing_processed_are_user_errors(tmp_path, hand_processed):
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    with pytest.raises(ZwtError, match="no selected notebook"):
        report.main(hand_processed, tmp_path / "out", params=["nope=1"], notebooks_dir=nbs)
    with pytest.raises(ZwtError, match="validation.json"):
        report.main(tmp_path / "absent", tmp_path / "out", notebooks_dir=nbs)
    with pytest.raises(ZwtError, match="no report notebooks"):
        report.main(hand_processed, tmp_path / "out", notebooks_dir=tmp_path / "empty")
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.build-*"))


def test_cli_usage_error_is_one_plain_message(tmp_path, hand_processed):
    from typer.testing import CliRunner

    from zwt_analysis.cli import app

    res = CliRunner().invoke(app, ["report", "--processed", str(hand_processed), "--out",
                                   str(tmp_path / "out"), "--only", "nope"])
    assert res.exit_code == 2
    assert "no such report" in res.output and "Traceback" not in res.output


def test_interrupted_run_leaves_previous_reports(tmp_path, hand_processed, monkeypatch):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "manifest.json").write_text('{"zwt_report": 1}')
    (out / "index.html").write_text("previous")
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "_run_all", killed)
    with pytest.raises(KeyboardInterrupt):
        report.main(hand_processed, out, notebooks_dir=nbs, jobs=1)
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "reports"]  # no build left


def test_stale_build_of_a_dead_process_is_removed(tmp_path):
    out = tmp_path / "reports"
    stale = tmp_path / ".reports.build-old"
    stale.mkdir()
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    (stale / ".pid").write_text(proc.stdout.strip())  # that process has ended
    alive = tmp_path / ".reports.build-live"
    alive.mkdir()
    (alive / ".pid").write_text(str(os.getpid()))
    report._clean_stale_builds(out)
    assert not stale.exists() and alive.exists()


# ----------------------------------------------------------------- runs (kernels)

@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory, hand_processed):
    """One run of an ok and a failing test notebook over the default matrix (2 jobs)."""
    base = tmp_path_factory.mktemp("mixed")
    nbs = write_notebooks(base / "nb", **{"01_ok": OK_NOTEBOOK, "02_fails": FAIL_NOTEBOOK,
                                          "03_no_params": HEADER + "\n# %%\nx = 1\n"})
    out = base / "reports"
    out.mkdir()
    (out / "README.md").write_text("tracked in git")
    code = report.main(hand_processed, out, params=["n_extra=7"], jobs=2, notebooks_dir=nbs)
    return code, out


@pytest.mark.slow
def test_failing_notebook_fails_alone(mixed_run):
    code, out = mixed_run
    assert code == 1
    manifest = json.loads((out / "manifest.json").read_text())
    status = {(r["report"], r["organisation"]): r["status"] for r in manifest["runs"]}
    assert status == {("01_ok", o): "ok" for o in ("ALL", "DOCK", "SMD")} | {
        ("02_fails", o): "failed" for o in ("ALL", "DOCK", "SMD")} | {
        ("03_no_params", "ALL"): "failed"}  # unreadable source: one failed entry, not a crash
    (bad,) = [r for r in manifest["runs"] if r["report"] == "03_no_params"]
    assert "parameters" in bad["error"]
    failed = [r for r in manifest["runs"] if r["report"] == "02_fails"]
    assert all("ValueError: opzettelijke fout" in r["error"] for r in failed)
    index = (out / "index.html").read_text()
    assert index.count("mislukt") >= 3
    code_html = (out / "02_fails/DOCK/report_code.html").read_text()
    assert "opzettelijke fout" in code_html and "voor de fout" in code_html
    reviewer = (out / "02_fails/DOCK/report.html").read_text()
    assert "niet volledig uitgevoerd" in reviewer
    assert "Traceback" not in body(reviewer)
    assert (out / "README.md").read_text() == "tracked in git"


@pytest.mark.slow
def test_reviewer_html_has_no_code_and_embedded_figures(mixed_run):
    _, out = mixed_run
    reviewer = body((out / "01_ok/DOCK/report.html").read_text())
    researcher = body((out / "01_ok/DOCK/report_code.html").read_text())
    assert "data:image/png;base64," in reviewer
    for marker in ("jp-InputPrompt", "highlight hl-ipython3", "save_table", "filter_org"):
        assert marker not in reviewer, marker
        assert marker in researcher, marker
    assert "waarschuwing op stderr" not in reviewer  # warnings are for researchers
    for kept in ("report.html", "report_code.html", "report.ipynb"):  # no temporary paths
        assert ".build-" not in (out / "01_ok/DOCK" / kept).read_text(), kept
    assert "SYNTHETISCHE DATA" in reviewer and "Proefrapport" in reviewer
    assert "<code>n_extra</code>" in reviewer and "<code>7</code>" in reviewer  # --param
    for page in (reviewer, researcher):
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)
        assert "cdn." not in page and "mathjax" not in page.lower()


@pytest.mark.slow
def test_index_links_resolve_and_csv_is_written(mixed_run):
    _, out = mixed_run
    index = (out / "index.html").read_text()
    targets = links(index)
    assert len(targets) >= 3 * 3 + 3 + 2  # ok runs: 2 html + csv each; failed: html; manifest, log
    assert "notebook cannot be read" in index
    for t in targets:
        assert (out / t).is_file(), t
    for page in out.glob("*/*/report*.html"):
        for t in links(page.read_text()):
            assert (page.parent / t).resolve().is_file(), (page, t)
    assert 'href="teams.csv"' in (out / "01_ok/DOCK/report.html").read_text()
    teams = pd.read_csv(out / "01_ok/DOCK/teams.csv")
    assert teams["team"].tolist() == ["T1", "T3"] and set(teams["n_extra"]) == {7}


@pytest.mark.slow
def test_manifest_records_inputs_versions_and_times(mixed_run, hand_processed):
    _, out = mixed_run
    m = json.loads((out / "manifest.json").read_text())
    files = sorted(p.name for p in hand_processed.iterdir() if p.is_file())
    assert sorted(m["inputs"]) == files
    for name, digest in m["inputs"].items():
        assert digest == hashlib.sha256((hand_processed / name).read_bytes()).hexdigest()
    assert m["packages"]["papermill"] and m["packages"]["python"]
    assert m["as_of"] == "2024-12-31" and m["synthetic"] is True
    assert m["summary"] == {"ok": 3, "failed": 4, "timeout": 0}
    for r in m["runs"]:
        if r["report"] == "03_no_params":
            continue
        assert r["start"] <= r["end"] and r["duration_s"] > 0
        assert r["parameters"]["organisation"] == r["organisation"]
    if (config.PROJECT_ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", m["git"]["commit"])
    log = (out / "zwt-report.log").read_text()
    assert "02_fails/SMD" in log and "Executing Cell" in log


@pytest.mark.slow
def test_hanging_notebook_hits_its_timeout(tmp_path, hand_processed):
    nbs = write_notebooks(tmp_path / "nb", **{"01_hangs": HANG_NOTEBOOK})
    out = tmp_path / "reports"
    code = report.main(hand_processed, out, params=["organisation=SMD"], jobs=1,
                       notebooks_dir=nbs, timeout=3)
    assert code == 1
    m = json.loads((out / "manifest.json").read_text())
    (run,) = m["runs"]
    assert run["status"] == "timeout" and run["organisation"] == "SMD"
    assert run["duration_s"] < 60
    assert "time-out" in (out / "index.html").read_text()
    assert "tijdslimiet" in (out / "01_hangs/SMD/report.html").read_text()


@pytest.mark.slow
def test_kernel_that_fails_to_start_is_retried_once(tmp_path, hand_processed, monkeypatch):
    """A kernel dying at its first start (port clash, slow start) gets one more try."""
    kdir = tmp_path / "jupyter" / "kernels" / "flaky"
    kdir.mkdir(parents=True)
    marker = tmp_path / "first-start-done"
    script = tmp_path / "flaky.sh"
    script.write_text(f"""#!/bin/bash
if [ ! -f {marker} ]; then touch {marker}; exit 1; fi
exec {sys.executable} -m ipykernel_launcher -f "$1"
""")
    kdir.joinpath("kernel.json").write_text(json.dumps(
        {"argv": ["bash", str(script), "{connection_file}"], "display_name": "flaky",
         "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    out = tmp_path / "reports"
    code = report.main(hand_processed, out, params=["organisation=DOCK"], jobs=1,
                       notebooks_dir=nbs, kernel_name="flaky", start_timeout=60)
    (run,) = json.loads((out / "manifest.json").read_text())["runs"]
    assert marker.exists()
    assert (code, run["status"], run["attempts"]) == (0, "ok", 2)
    assert "retrying once" in (out / "zwt-report.log").read_text()


@pytest.mark.slow
def test_two_runs_into_different_folders_do_not_interfere(tmp_path, hand_processed):
    import concurrent.futures as cf

    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    outs = [tmp_path / "a", tmp_path / "b"]
    with cf.ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda o: report.main(hand_processed, o, jobs=1,
                                                    params=["organisation=DOCK"],
                                                    notebooks_dir=nbs), outs))
    assert codes == [0, 0]
    for o in outs:
        assert (o / "01_ok/DOCK/report.html").is_file()
        assert json.loads((o / "manifest.json").read_text())["summary"]["ok"] == 1


# ----------------------------------------------------------------- the real suite

@pytest.mark.slow
def test_real_suite_on_small_synthetic_data(small_processed, tmp_path):
    """Every numbered notebook runs through the runner for one organisation and renders."""
    orgs = report.organisations(small_processed)
    assert orgs, "no organisations in the small data"
    out = tmp_path / "reports"
    code = report.main(small_processed, out, params=[f"organisation={orgs[0]}"], jobs=2)
    m = json.loads((out / "manifest.json").read_text())
    bad = [(r["report"], r["error"]) for r in m["runs"] if r["status"] != "ok"]
    assert code == 0 and not bad, bad
    names = {p.stem for p in report.discover(config.NOTEBOOKS_DIR)}
    assert {r["report"] for r in m["runs"]} == names
    for name in names:
        page = body((out / name / orgs[0] / "report.html").read_text())
        assert "jp-InputPrompt" not in page and "data:image/png;base64," in page, name
        assert "SYNTHETISCHE DATA" in page
    for t in links((out / "index.html").read_text()):
        assert (out / t).is_file(), t


# ----------------------------------------------------------------- scheduled run

@pytest.mark.slow
def test_scheduled_run_script_with_fake_date(tmp_path, hand_processed):
    """scripts/scheduled_run.sh: fresh exports -> dated processed + reports, logged."""
    script = config.PROJECT_ROOT / "scripts" / "scheduled_run.sh"
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    raw = tmp_path / "exports"
    from zwt_analysis import synth

    synth.main(out=raw, seed=3, scale=0.02, messy=False)
    env = os.environ | {
        "ZWT_RUN_DATE": "2031-02-03", "ZWT_EXPORTS": str(raw), "ZWT_DATA": str(tmp_path / "data"),
        "ZWT_REPORTS": str(tmp_path / "reports"), "ZWT_PSEUDONYM_KEY": "test-key",
        "ZWT_NOTEBOOKS": str(nbs), "ZWT_JOBS": "1", "ZWT": str(Path(sys.executable).parent / "zwt"),
    }
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "data/processed/2031-02-03/validation.json").is_file()
    assert (tmp_path / "data/processed/2031-02-03/indicators.csv").is_file()
    assert (tmp_path / "reports/2031-02-03/index.html").is_file()
    log = (tmp_path / "reports/2031-02-03.log").read_text()
    assert "zwt clean" in log and "finished OK" in log
    # a second run the same day with broken exports fails non-zero and says so
    (raw / "cases.csv").write_text("nonsense\n1\n")
    env2 = env | {"ZWT_RUN_DATE": "2031-02-04"}
    failed = subprocess.run(["bash", str(script)], env=env2, capture_output=True, text=True,
                            timeout=600)
    assert failed.returncode != 0
    assert "FAILED" in (tmp_path / "reports/2031-02-04.log").read_text()
    assert (tmp_path / "reports/2031-02-03/index.html").is_file()  # earlier run untouched


def test_skip_unused_iri_checker_keeps_notebook_validation(tmp_path: Path) -> None:
    """In a fresh process: rfc3987_syntax is not loaded, nbformat still validates and rejects."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from zwt_analysis.runner import main as report\n"
        "report.skip_unused_iri_checker()\n"
        "import nbformat\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1')])\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['cell_type'] = 'nonsense'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "    print('accepted')\n"
        "except nbformat.ValidationError:\n"
        "    print('rejected')\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["rejected", "None"]


def test_parallel_workers_cap_kernel_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    from zwt_analysis.runner import main as report

    for name in report.THREAD_CAPS:  # set, then delete: monkeypatch restores the original
        monkeypatch.setenv(name, "x")
        monkeypatch.delenv(name)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # set by the user: kept
    report._warm_worker(cap_threads=True)
    assert os.environ["OPENBLAS_NUM_THREADS"] == os.environ["ZWT_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "3"
    monkeypatch.delenv("ZWT_THREADS")
    report._warm_worker(cap_threads=False)
    assert "ZWT_THREADS" not in os.environ
