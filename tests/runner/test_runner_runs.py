"""``zwt report`` with real kernels: the run matrix, HTML, index, manifest, failures.

Runner mechanics use test-only notebooks in a temporary notebooks folder and
the small hand-built processed folder (``runner_fixtures``); the suite test
runs the real notebooks on the small synthetic data set.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from runner_fixtures import (
    FAIL_NOTEBOOK,
    HANG_NOTEBOOK,
    HEADER,
    OK_NOTEBOOK,
    body,
    links,
    write_notebooks,
)

from zwt_analysis import config
from zwt_analysis.runner import main as report
from zwt_analysis.runner import plan


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory, hand_processed):
    """One run of an ok and a failing test notebook over the default matrix (2 jobs)."""
    base = tmp_path_factory.mktemp("mixed")
    nbs = write_notebooks(base / "nb", **{"01_ok": OK_NOTEBOOK, "02_fails": FAIL_NOTEBOOK,
                                          "03_no_params": HEADER + "\n# %%\nx = 1\n"})
    out = base / "reports"
    out.mkdir()
    (out / "README.md").write_text("tracked in git")
    (out / "manifest.json").write_text("{}")  # a previous run's
    (out / "old_report").mkdir()
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
    runs = (out / "runs.html").read_text()
    assert runs.count("mislukt") >= 3
    assert "4 van de 7 runs zijn niet gelukt" in (out / "index.html").read_text()
    code_html = (out / "02_fails/DOCK/report_code.html").read_text()
    assert "opzettelijke fout" in code_html and "voor de fout" in code_html
    reviewer = (out / "02_fails/DOCK/report.html").read_text()
    assert "niet volledig uitgevoerd" in reviewer
    assert "Traceback" not in body(reviewer)


@pytest.mark.slow
def test_out_is_replaced_but_readme_kept(mixed_run):
    _, out = mixed_run
    assert (out / "README.md").read_text() == "tracked in git"
    assert not (out / "old_report").exists()
    assert sorted(p.name for p in out.iterdir()) == [
        "01_ok", "02_fails", "README.md", "index.html", "kwartaalbrief.html", "manifest.json",
        "runs.html", "validatie.html", "zwt-report.log"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["nb", "reports"]  # nothing beside
    umask = os.umask(0)
    os.umask(umask)
    assert (out.stat().st_mode & 0o777) == 0o777 & ~umask  # as any folder: colleagues may read


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
        assert ".zwt-tmp-" not in (out / "01_ok/DOCK" / kept).read_text(), kept
    assert "SYNTHETISCHE DATA" in reviewer and "Proefrapport" in reviewer
    assert "<title>Proefrapport — DOCK</title>" in (out / "01_ok/DOCK/report.html").read_text()
    assert "<code>n_extra</code>" in reviewer and "<code>7</code>" in reviewer  # --param
    for page in (reviewer, researcher):
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)
        assert "cdn." not in page and "mathjax" not in page.lower()
    assert "<title>Proefrapport — Hele gemeente</title>" in (out / "01_ok/ALL/report.html"
                                                             ).read_text()


@pytest.mark.slow
def test_index_links_resolve_and_csv_is_written(mixed_run):
    _, out = mixed_run
    index = (out / "index.html").read_text()
    runs = (out / "runs.html").read_text()
    targets = links(runs)
    assert len(targets) >= 3 * 3 + 3 + 2  # ok runs: 2 html + csv each; failed: html; manifest, log
    assert "notebook cannot be read" in runs
    for page in (index, runs, (out / "kwartaalbrief.html").read_text(),
                 (out / "validatie.html").read_text()):
        for t in links(page):
            assert (out / t).is_file(), t
    assert {"kwartaalbrief.html", "runs.html", "validatie.html", "01_ok/ALL/report.html",
            "01_ok/DOCK/report.html"} <= set(links(index))
    for page in out.glob("*/*/report*.html"):
        for t in links(page.read_text()):
            assert (page.parent / t).resolve().is_file(), (page, t)
    assert 'href="teams.csv"' in (out / "01_ok/DOCK/report.html").read_text()
    teams = pd.read_csv(out / "01_ok/DOCK/teams.csv")
    assert teams["team"].tolist() == ["T1", "T3"] and set(teams["n_extra"]) == {7}
    assert set(teams["n_indicator_rows"]) == {2}  # the given two-row table, not a computed one


@pytest.mark.slow
def test_manifest_records_inputs_versions_and_times(mixed_run, hand_processed):
    _, out = mixed_run
    m = json.loads((out / "manifest.json").read_text())
    files = sorted(p.name for p in hand_processed.iterdir() if p.is_file())
    assert sorted(m["inputs"]) == files
    for name, digest in m["inputs"].items():
        assert digest == hashlib.sha256((hand_processed / name).read_bytes()).hexdigest()
    ind = hand_processed / "indicators.csv"
    assert m["indicators_file"] == {"path": str(ind),
                                    "sha256": hashlib.sha256(ind.read_bytes()).hexdigest()}
    assert m["packages"]["papermill"] and m["packages"]["python"]
    assert m["as_of"] == "2024-12-31" and m["synthetic"] is True
    assert m["data_period"] == ["2024-01-01", "2024-12-01"]
    assert (m["jobs"], m["executor"]) == (2, "local processes")
    assert sorted(m["notebooks"]) == ["01_ok", "02_fails"]
    assert m["summary"] == {"ok": 3, "failed": 4, "timeout": 0}
    for r in m["runs"]:
        if r["report"] == "03_no_params":
            continue
        assert r["start"] <= r["end"] and r["duration_s"] > 0
        assert r["parameters"]["organisation"] == r["organisation"]
        assert r["parameters"]["indicators_file"] == str(ind)
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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "nb"]


# ----------------------------------------------------------------- the real suite

@pytest.mark.slow
def test_real_suite_on_small_synthetic_data(small_indicators, tmp_path):
    """Every numbered notebook runs through the runner for one organisation and renders."""
    small_processed = small_indicators.parent
    orgs = plan.organisations(small_processed)
    assert orgs, "no organisations in the small data"
    out = tmp_path / "reports"
    # warn: the wings' suppression is being wired (issue 16); the audit itself is tested in
    # test_runner_disclosure.py
    code = report.main(small_processed, out, params=[f"organisation={orgs[0]}"], jobs=2,
                       disclosure="warn")
    m = json.loads((out / "manifest.json").read_text())
    bad = [(r["report"], r["error"]) for r in m["runs"] if r["status"] != "ok"]
    assert code == 0 and not bad, bad
    names = {p.stem for p in plan.discover(config.NOTEBOOKS_DIR)}
    assert {r["report"] for r in m["runs"]} == names
    for name in names:
        page = body((out / name / orgs[0] / "report.html").read_text())
        assert "jp-InputPrompt" not in page and "data:image/png;base64," in page, name
        assert "SYNTHETISCHE DATA" in page
    for page in ("index.html", "runs.html"):
        for t in links((out / page).read_text()):
            assert (out / t).is_file(), t
    assert m["disclosure"]["cells"] > 0 and m["disclosure"]["mode"] == "warn"


# ----------------------------------------------------------------- scheduled run

@pytest.mark.slow
def test_scheduled_run_script_with_fake_date(tmp_path):
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
