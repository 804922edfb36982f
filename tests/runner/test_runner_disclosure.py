"""The disclosure audit as a step of ``zwt report`` (issue 16), on hand-built folders.

The runs are replaced by a stand-in that writes hand-made CSV tables into each
run folder (no kernel starts): ``onder_ondergrens.csv`` with ``persons`` 3 is
a printed count of 1..4 persons (unprotected); ``x`` / ``<5`` is protected.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from runner_fixtures import OK_NOTEBOOK, write_notebooks
from typer.testing import CliRunner

from zwt_analysis.cli import app
from zwt_analysis.errors import ZwtError
from zwt_analysis.runner import disclose
from zwt_analysis.runner import main as report
from zwt_analysis.runner.model import Result

HEADER = "organisation,team,period,preventive_share,persons\n"
LEAKS = HEADER + "DOCK,T1,2024-Q1,0.2,3\nDOCK,T3,2024-Q1,0.4,12\n"
SAFE = HEADER + "DOCK,T1,2024-Q1,x,<5\nDOCK,T3,2024-Q1,0.4,12\n"


def _folder(root, text: str):
    run = root / "03_prevention" / "ALL"
    run.mkdir(parents=True)
    (run / "onder_ondergrens.csv").write_text(text, encoding="utf-8")
    return root


def test_audit_of_a_safe_folder_counts_cells(tmp_path):
    s = disclose.audit(_folder(tmp_path, SAFE), "fail")
    assert s.ok and (s.cells, s.suppressed, s.unprotected, s.exact) == (4, 2, 0, 0)
    assert s.as_dict()["mode"] == "fail" and s.as_dict()["first_unprotected"] == []


def test_a_leaking_folder_fails_naming_file_row_and_column(tmp_path):
    root = _folder(tmp_path, LEAKS)
    with pytest.raises(disclose.DisclosureFailed) as err:
        disclose.audit(root, "fail")
    assert err.value.exit_code == 1
    text = str(err.value)
    assert text.startswith("disclosure audit: 4 cells under control, 0 suppressed, 1 unprotected")
    assert "03_prevention/ALL/onder_ondergrens.csv row 1 column persons" in text
    s = disclose.audit(root, "warn")  # the same finding, returned instead of raised
    assert (s.ok, s.unprotected) == (False, 1)
    (first,) = s.first
    assert (first["file"], first["row"], first["column"], first["shown"]) == (
        "03_prevention/ALL/onder_ondergrens.csv", 1, "persons", "3")
    json.dumps(s.as_dict(), allow_nan=False)  # the manifest stays strict JSON


def test_message_names_the_first_cells_and_how_many_more(tmp_path):
    rows = "".join(f"DOCK,T{i},2024-Q1,0.2,{1 + i % 4}\n" for i in range(disclose.FIRST + 3))
    s = disclose.audit(_folder(tmp_path, HEADER + rows), "warn")
    assert s.unprotected == disclose.FIRST + 3 and len(s.first) == disclose.FIRST
    assert s.message().splitlines()[-1] == ("  ... and 3 more (`zwt audit-disclosure FOLDER` "
                                            "lists them all)")


def test_unknown_mode_is_a_usage_error():
    with pytest.raises(ZwtError, match="--disclosure 'maybe'"):
        disclose.check_mode("maybe")


# ----------------------------------------------------------------- inside zwt report

def _fake_runs(csv_text: str):
    """A stand-in for ``run_all``: each job writes a reviewer page and the given CSV."""
    def run_all(job_list, jobs, durations=None, executor=None):
        out = []
        for job in job_list:
            run = job.run_dir
            os.makedirs(run, exist_ok=True)
            with open(os.path.join(run, "onder_ondergrens.csv"), "w", encoding="utf-8") as fh:
                fh.write(csv_text)
            with open(os.path.join(run, "report.html"), "w", encoding="utf-8") as fh:
                fh.write("<body><section class='zwt-kern'><ul><li>Antwoord.</li></ul></section>")
            out.append(Result(job.report, job.title, job.organisation, job.parameters, "ok",
                              None, "s", "e", 1.0, 1, 0.0, ["report.html",
                                                              "onder_ondergrens.csv"]))
        return out
    return run_all


@pytest.fixture()
def nbs(tmp_path):
    return write_notebooks(tmp_path / "nb", **{"03_prevention": OK_NOTEBOOK})


def test_report_fails_and_publishes_nothing_when_a_cell_leaks(tmp_path, hand_processed, nbs,
                                                               monkeypatch, capsys):
    monkeypatch.setattr(report, "run_all", _fake_runs(LEAKS))
    out = tmp_path / "reports"
    out.mkdir()
    (out / "manifest.json").write_text('{"zwt_report": 1}')
    (out / "index.html").write_text("previous")
    code = report.main(hand_processed, out, params=["organisation=DOCK"], jobs=1,
                       notebooks_dir=nbs)
    err = capsys.readouterr().err
    assert code == 1
    assert "03_prevention/DOCK/onder_ondergrens.csv row 1 column persons" in err
    assert "not published" in err and "--disclosure warn" in err
    assert (out / "index.html").read_text() == "previous"  # the previous reports stay
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "reports"]  # no build left


def test_warn_publishes_with_the_summary_in_manifest_and_index(tmp_path, hand_processed, nbs,
                                                                monkeypatch, capsys):
    monkeypatch.setattr(report, "run_all", _fake_runs(LEAKS))
    out = tmp_path / "reports"
    code = report.main(hand_processed, out, params=["organisation=DOCK"], jobs=1,
                       notebooks_dir=nbs, disclosure="warn")
    err = capsys.readouterr().err
    assert code == 0  # warn: the runs decide the exit status
    assert "warning (--disclosure warn)" in err and "do not publish this folder" in err
    m = json.loads((out / "manifest.json").read_text())
    d = m["disclosure"]
    assert (d["mode"], d["cells"], d["suppressed"], d["unprotected"]) == ("warn", 4, 0, 1)
    assert d["first_unprotected"][0]["file"] == "03_prevention/DOCK/onder_ondergrens.csv"
    index = (out / "index.html").read_text()
    assert "<b>Niet publiceren:</b>" in index and "Antwoord." in index


def test_a_safe_run_records_the_audit_and_publishes(tmp_path, hand_processed, nbs, monkeypatch,
                                                    capsys):
    monkeypatch.setattr(report, "run_all", _fake_runs(SAFE))
    out = tmp_path / "reports"
    code = report.main(hand_processed, out, params=["organisation=DOCK"], jobs=1,
                       notebooks_dir=nbs)
    assert code == 0, capsys.readouterr().err
    d = json.loads((out / "manifest.json").read_text())["disclosure"]
    assert (d["mode"], d["cells"], d["suppressed"], d["unprotected"]) == ("fail", 4, 2, 0)
    assert "Niet publiceren" not in (out / "index.html").read_text()


def test_output_folder_is_readable_by_colleagues_as_the_umask_allows(tmp_path, hand_processed,
                                                                     nbs, monkeypatch):
    monkeypatch.setattr(report, "run_all", _fake_runs(SAFE))
    old = os.umask(0o022)
    try:
        report.main(hand_processed, tmp_path / "reports", params=["organisation=DOCK"], jobs=1,
                    notebooks_dir=nbs)
        os.umask(0o077)
        report.main(hand_processed, tmp_path / "private", params=["organisation=DOCK"], jobs=1,
                    notebooks_dir=nbs)
    finally:
        os.umask(old)
    out = tmp_path / "reports"
    for path in (out, out / "index.html", out / "kwartaalbrief.html", out / "manifest.json"):
        assert stat.S_IMODE(path.stat().st_mode) in (0o755, 0o644), path
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o700  # a stricter umask holds


def test_cli_passes_the_disclosure_option(tmp_path, hand_processed, nbs, monkeypatch):
    calls = []
    monkeypatch.setattr(report, "main", lambda **kw: calls.append(kw) or 0)
    res = CliRunner().invoke(app, ["report", "--processed", str(hand_processed), "--out",
                                   str(tmp_path / "o"), "--disclosure", "warn"])
    assert res.exit_code == 0 and calls[0]["disclosure"] == "warn"
    res = CliRunner().invoke(app, ["report", "--disclosure", "maybe"])
    assert res.exit_code == 2
    res = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "o")])
    assert calls[-1]["disclosure"] == "fail"
