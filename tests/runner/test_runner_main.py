"""``zwt report`` end to end without kernels: user errors, refusals, interrupts.

Each of these stops before (or instead of) any notebook run: no kernel starts.
"""

from __future__ import annotations

import os

import pytest
from runner_fixtures import OK_NOTEBOOK, make_processed, write_notebooks
from typer.testing import CliRunner

from zwt_analysis.cli import app
from zwt_analysis.errors import ZwtError
from zwt_analysis.runner import main as report


def test_unknown_parameter_and_missing_processed_are_user_errors(tmp_path, hand_processed):
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    with pytest.raises(ZwtError, match="no selected notebook"):
        report.main(hand_processed, tmp_path / "out", params=["nope=1"], notebooks_dir=nbs)
    with pytest.raises(ZwtError, match="validation.json"):
        report.main(tmp_path / "absent", tmp_path / "out", notebooks_dir=nbs)
    with pytest.raises(ZwtError, match="no report notebooks"):
        report.main(hand_processed, tmp_path / "out", notebooks_dir=tmp_path / "empty")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb"]  # no --out, no build folder


def test_missing_indicator_table_stops_before_anything_is_built(tmp_path, monkeypatch):
    """The runner never computes indicators on its own: it names the command to run."""
    from zwt_analysis import indicators

    def forbidden(*args, **kwargs):
        raise AssertionError("the runner computed indicators")

    monkeypatch.setattr(indicators, "main", forbidden)
    monkeypatch.setattr(indicators, "compute_from_processed", forbidden)
    proc = make_processed(tmp_path / "processed", with_indicators=False)
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    res = CliRunner().invoke(app, ["report", "--processed", str(proc), "--out",
                                   str(tmp_path / "out")], env={"ZWT_NOTEBOOKS_DIR": str(nbs)})
    assert res.exit_code == 2
    assert f"run `zwt indicators --processed {proc} --out {proc / 'indicators.csv'}` first" \
        in res.output
    assert "Traceback" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "processed"]


def test_compute_indicators_option_runs_the_step_first(tmp_path, monkeypatch):
    from zwt_analysis import indicators

    proc = make_processed(tmp_path / "processed", with_indicators=False)
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    calls = []
    monkeypatch.setattr(indicators, "main", lambda **kw: calls.append(kw) or 0)

    def stop(*args, **kwargs):  # the run itself is not the point here
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "replace_folder", stop)
    res = CliRunner().invoke(app, ["report", "--processed", str(proc), "--out",
                                   str(tmp_path / "out"), "--compute-indicators"],
                             env={"ZWT_NOTEBOOKS_DIR": str(nbs)})
    assert res.exit_code == 130  # interrupted after the indicator step
    assert calls == [{"processed": proc.resolve(), "out": proc.resolve() / "indicators.csv"}]


def test_refuses_an_out_folder_it_may_not_replace(tmp_path, hand_processed):
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    foreign = tmp_path / "stuff"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("x")
    with pytest.raises(ZwtError, match="did not write"):
        report.main(hand_processed, foreign, notebooks_dir=nbs)
    with pytest.raises(ZwtError, match="--processed"):
        report.main(hand_processed, hand_processed / "reports", notebooks_dir=nbs)
    with pytest.raises(ZwtError, match="--processed"):
        report.main(hand_processed, hand_processed.parent, notebooks_dir=nbs)
    assert (foreign / "thesis.docx").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "stuff"]
    assert not (hand_processed / "reports").exists()


def test_cli_usage_error_is_one_plain_message(tmp_path, hand_processed):
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

    monkeypatch.setattr(report, "run_all", killed)
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    with pytest.raises(KeyboardInterrupt):
        report.main(hand_processed, out, notebooks_dir=nbs, jobs=1,
                    kernel_name="zwt-test-missing-kernel")  # fallback kernelspec in the build
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "reports"]  # no build left
    assert "JUPYTER_PATH" not in os.environ  # the fallback kernel's path was taken back


def test_no_command_help_names_a_municipality():
    """The CLI serves any municipality (issue 19): no help text names one."""
    texts = [CliRunner().invoke(app, ["--help"]).output]
    texts += [CliRunner().invoke(app, [cmd, "--help"]).output
              for cmd in ("synth", "clean", "indicators", "report", "brief", "catalogue",
                          "audit-disclosure")]
    texts = [" ".join(t.replace("│", " ").split()) for t in texts]  # rich's boxes unwrapped
    assert all("Usage" in t for t in texts)
    assert not [t for t in texts if "zaanstad" in t.lower()]
    assert "--disclosure" in texts[4] and "real size of the built-in synthetic" in texts[1]
