"""Provenance: data period, hashes, previous durations and the manifest's layout."""

from __future__ import annotations

import hashlib
import json

from zwt_analysis.runner import provenance
from zwt_analysis.runner.model import Result

MANIFEST_KEYS = ["zwt_report", "started", "finished", "as_of", "synthetic", "data_period",
                 "processed_dir", "inputs", "indicators_file", "notebooks", "kernel", "jobs",
                 "executor", "timeout_s", "packages", "git", "runs", "summary", "municipality",
                 "brief", "disclosure"]


def test_data_period_counts_cases_and_hours_not_staff(hand_processed, tmp_path):
    first, last = provenance.data_period(hand_processed)
    assert str(first) == "2024-01-01" and str(last) == "2024-12-01"  # staff (2023) not counted
    assert provenance.data_period(tmp_path) is None


def test_input_hashes_cover_every_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes(b"abc")
    (tmp_path / "sub" / "b.bin").write_bytes(b"")
    assert provenance.input_hashes(tmp_path) == {
        "a.txt": hashlib.sha256(b"abc").hexdigest(),
        "sub/b.bin": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}


def test_previous_durations(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"runs": [
        {"report": "01_a", "organisation": "DOCK", "duration_s": 50.0}]}))
    assert provenance.previous_durations(tmp_path) == {("01_a", "DOCK"): 50.0}
    assert provenance.previous_durations(tmp_path / "none") == {}
    (tmp_path / "manifest.json").write_text("{broken")
    assert provenance.previous_durations(tmp_path) == {}


def test_manifest_keys_and_summary(tmp_path):
    ind = tmp_path / "indicators.csv"
    ind.write_bytes(b"x")
    src = tmp_path / "01_a.py"
    src.write_bytes(b"y")
    runs = [Result("01_a", "A", "ALL", {}, "ok", None, "s", "e", 1.0, 1),
            Result("01_a", "A", "DOCK", {}, "timeout", "t", "s", "e", 1.0, 1)]
    m = provenance.manifest(
        started="s", finished="f", meta={"as_of": "2024-12-31", "synthetic": True,
                                         "period": None},
        processed_dir=tmp_path, prov={"inputs": {}, "packages": {}, "git": {}},
        indicators=ind, notebooks=[src], kernel=("zwt", None), jobs=None,
        executor="ClientExecutor", timeout=5, results=runs)
    assert list(m) == MANIFEST_KEYS
    assert m["indicators_file"] == {"path": str(ind), "sha256": hashlib.sha256(b"x").hexdigest()}
    assert m["notebooks"] == {"01_a": {"source": str(src),
                                       "sha256": hashlib.sha256(b"y").hexdigest()}}
    assert m["summary"] == {"ok": 1, "failed": 0, "timeout": 1}
    assert m["runs"][1]["status"] == "timeout"
    assert (m["municipality"], m["brief"], m["disclosure"]) == (
        None, {"written": False, "error": None}, None)  # not given in meta
    path = provenance.write_manifest(tmp_path, m)
    assert json.loads(path.read_text(encoding="utf-8")) == m


def test_package_versions_and_git_state(tmp_path):
    v = provenance.package_versions()
    assert v["python"] and v["papermill"] != "not installed"
    assert provenance.git_state(tmp_path / "not-a-repo") == {}
