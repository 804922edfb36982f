"""What the runner plans: notebooks, parameters, organisations, the indicator file, the jobs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from runner_fixtures import INDICATORS_CSV, OK_NOTEBOOK, PARAMS, make_processed, write_notebooks

from zwt_analysis.errors import ZwtError
from zwt_analysis.runner import plan


def test_discover_select_and_short_names(tmp_path):
    nbs = write_notebooks(tmp_path / "nb", **{"01_a": PARAMS, "02_b_c": PARAMS, "explore": PARAMS,
                                              "1_bad": PARAMS})
    found = plan.discover(nbs)
    assert [p.stem for p in found] == ["01_a", "02_b_c"]  # explore and 1_bad are not reports
    assert [p.stem for p in plan.select(found, ["b_c"])] == ["02_b_c"]
    assert [p.stem for p in plan.select(found, ["02_b_c", "01_a.py"])] == ["01_a", "02_b_c"]
    assert plan.select(found, []) == found
    with pytest.raises(ZwtError, match="no such report"):
        plan.select(found, ["kpi"])


def test_parameters_of_reads_literals_and_rejects_others():
    import nbformat

    cell = nbformat.v4.new_code_cell('a = 1\nb = "x"  # comment = "y"\nc: float = 2.5\n',
                                     metadata={"tags": ["parameters"]})
    assert plan.parameters_of([cell]) == {"a": 1, "b": "x", "c": 2.5}
    with pytest.raises(ValueError, match="exactly one"):
        plan.parameters_of([nbformat.v4.new_code_cell("a = 1")])
    with pytest.raises(ValueError, match="exactly one"):
        plan.parameters_of([cell, cell])
    bad = nbformat.v4.new_code_cell("a = f(1)", metadata={"tags": ["parameters"]})
    with pytest.raises(ValueError, match="plain literal"):
        plan.parameters_of([bad])


def test_parse_param_follows_default_type():
    assert plan.parse_param("7", 3) == 7
    assert plan.parse_param("0.5", 1.0) == 0.5
    assert plan.parse_param("ja", False) is True
    assert plan.parse_param("0", True) is False
    assert plan.parse_param("007", "") == "007"  # text stays text
    assert plan.parse_param("[1, 2]", []) == [1, 2]
    assert plan.parse_param("2024-01-01", None) == "2024-01-01"
    with pytest.raises(ZwtError):
        plan.parse_param("x", 3)
    with pytest.raises(ZwtError):
        plan.parse_param("misschien", True)


def test_split_params():
    assert plan.split_params(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    for bad in (["a"], ["=1"], ["a b=1"]):
        with pytest.raises(ZwtError):
            plan.split_params(bad)


def test_organisations_and_organisations_to_run(hand_processed, capsys):
    assert plan.organisations(hand_processed) == ["DOCK", "SMD"]
    assert plan.organisations_to_run({}, hand_processed) == ["ALL", "DOCK", "SMD"]
    assert plan.organisations_to_run({"organisation": "SMD"}, hand_processed) == ["SMD"]
    assert capsys.readouterr().err == ""
    assert plan.organisations_to_run({"organisation": "XYZ"}, hand_processed) == ["XYZ"]
    assert "'XYZ' does not occur" in capsys.readouterr().err  # run anyway, with a warning


def test_build_notebooks_turns_an_unreadable_source_into_one_failed_result(tmp_path):
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK, "02_bad": "x = 1\n"})
    work = tmp_path / "work"
    work.mkdir()
    notebooks, invalid = plan.build_notebooks(plan.discover(nbs), work)
    ((desc, ipynb),) = notebooks
    assert (desc.name, desc.title, ipynb) == ("01_ok", "Proefrapport", work / "01_ok.ipynb")
    assert desc.parameters["n_extra"] == 3 and ipynb.is_file()
    ((bad),) = invalid
    assert (bad.report, bad.organisation, bad.status, bad.attempts) == ("02_bad", "ALL",
                                                                        "failed", 0)
    assert "notebook cannot be read" in bad.error and "parameters" in bad.error
    with pytest.raises(ZwtError, match="nope: no selected notebook"):
        plan.check_parameters({"n_extra": "1", "nope": "2"}, notebooks)
    plan.check_parameters({"n_extra": "1"}, notebooks)


def test_make_jobs_sets_the_standard_parameters_and_typed_user_ones(tmp_path, hand_processed):
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    s = plan.settings(hand_processed, tmp_path / "out", [], ["n_extra=7"], 2, nbs, None,
                      "zwt", 30)
    notebooks, _ = plan.build_notebooks(s.sources, tmp_path)
    build = tmp_path / "build"
    ind = hand_processed / "indicators.csv"
    jobs = plan.make_jobs(s, notebooks, ["ALL", "A B"], ind, build, "zwt-k", True)
    assert [(j.report, j.organisation) for j in jobs] == [("01_ok", "ALL"), ("01_ok", "A B")]
    j = jobs[1]
    assert j.parameters == {"n_extra": 7, "processed_dir": str(hand_processed),
                            "organisation": "A B", "output_dir": "",
                            "indicators_file": str(ind)}
    assert j.run_dir == str(build / "01_ok" / "A_B")  # a safe folder name
    assert j.log_file == str(build / "_work" / "01_ok__A_B.log")
    assert (j.kernel_name, j.timeout, j.start_timeout, j.synthetic) == ("zwt-k", 600, 30, True)
    assert "../../index.html" in j.nav


def test_settings_checks_processed_data_and_notebooks(tmp_path, hand_processed, monkeypatch):
    nbs = write_notebooks(tmp_path / "nb", **{"01_ok": OK_NOTEBOOK})
    with pytest.raises(ZwtError, match="validation.json"):
        plan.settings(tmp_path / "absent", None, [], [], None, nbs, None, "zwt", 1)
    with pytest.raises(ZwtError, match="no report notebooks"):
        plan.settings(hand_processed, None, [], [], None, tmp_path / "empty", None, "zwt", 1)
    monkeypatch.setenv("ZWT_REPORT_TIMEOUT", "42")
    monkeypatch.setenv("ZWT_NOTEBOOKS_DIR", str(nbs))
    s = plan.settings(hand_processed, Path("rel"), [], [], 0, None, None, "zwt", 1)
    assert s.timeout == 42 and s.jobs >= 1 and s.out == Path("rel").absolute()
    assert [p.name for p in s.sources] == ["01_ok.py"]


# ----------------------------------------------------------------- the indicator file

def test_indicator_file_is_required_and_the_message_names_the_command(tmp_path):
    proc = make_processed(tmp_path / "processed", with_indicators=False)
    with pytest.raises(ZwtError) as err:
        plan.indicator_file(None, proc)
    assert (f"zwt indicators --processed {proc} --out {proc / 'indicators.csv'}"
            in str(err.value))
    assert "--compute-indicators" in str(err.value)
    with pytest.raises(ZwtError, match="--indicators .*nope.csv"):
        plan.indicator_file(tmp_path / "nope.csv", proc)
    assert not (proc / "indicators.csv").exists()  # nothing computed behind the user's back


def test_indicator_file_given_or_in_processed(tmp_path, hand_processed):
    assert plan.indicator_file(None, hand_processed) == hand_processed / "indicators.csv"
    given = tmp_path / "elsewhere.csv"
    given.write_text(INDICATORS_CSV)
    assert plan.indicator_file(given, hand_processed) == given.resolve()


def test_compute_indicators_calls_the_zwt_indicators_entry_point(tmp_path, monkeypatch):
    from zwt_analysis import indicators

    proc = make_processed(tmp_path / "processed", with_indicators=False)
    calls = []
    monkeypatch.setattr(indicators, "main", lambda **kw: calls.append(kw) or 0)
    assert plan.indicator_file(None, proc, compute=True) == proc / "indicators.csv"
    assert calls == [{"processed": proc, "out": proc / "indicators.csv"}]
    target = tmp_path / "ind" / "mine.csv"
    assert plan.indicator_file(target, proc, compute=True) == target
    assert calls[-1] == {"processed": proc, "out": target}


def test_compute_indicators_writes_the_table(tmp_path):
    """Really computed: 2024-Q1 has 3 reported cases (one a month) over 6 FTE."""
    proc = make_processed(tmp_path / "processed", with_indicators=False)
    path = plan.indicator_file(None, proc, compute=True)
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    row = df[(df["indicator_id"] == "caseload_per_fte") & (df["period"] == "2024-Q1")
             & (df["organisation"] == "ALL") & (df["team"] == "ALL")]
    assert row[["numerator", "denominator", "value"]].values.tolist() == [[3.0, 6.0, 0.5]]


def test_compute_indicators_into_an_unwritable_place_is_one_plain_error(tmp_path):
    proc = make_processed(tmp_path / "processed", with_indicators=False)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ZwtError, match="cannot write the indicator table"):
        plan.indicator_file(blocker / "sub" / "indicators.csv", proc, compute=True)
