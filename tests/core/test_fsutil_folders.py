"""fsutil.replace_folder and friends: the one atomic swap of an output folder.

Used by ``zwt clean --out`` and ``zwt report --out``. Dead runs are made by
starting a process and waiting for it to end (its pid is then unused).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwt_analysis import config, fsutil
from zwt_analysis.errors import ZwtError

OWN = ("index.html", "manifest.json")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _write(folder: Path, **files: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


# ----------------------------------------------------------------- the swap

def test_replace_creates_a_missing_folder_and_returns_the_writers_value(tmp_path):
    out = tmp_path / "deep" / "out"
    value = fsutil.replace_folder(out, lambda tmp: _write(tmp, a="1") or 42)
    assert value == 42
    assert _files(out) == {"a": "1"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_replace_drops_everything_old_without_keep(tmp_path):
    out = tmp_path / "out"
    _write(out, **{"README.md": "r", "a": "old"})
    _write(out / "sub", b="old")
    fsutil.replace_folder(out, lambda tmp: _write(tmp, a="new"))
    assert _files(out) == {"a": "new"}


def test_keep_carries_foreign_top_level_files_only(tmp_path):
    out = tmp_path / "out"
    _write(out, **{"README.md": "r", ".gitkeep": "", "index.html": "old", "notes.txt": "old",
                   "manifest.json": "old"})
    _write(out / "old_report", **{"report.html": "old"})

    def write(tmp):
        _write(tmp, **{"index.html": "new", "notes.txt": "new"})  # a name the build writes wins

    fsutil.replace_folder(out, write, keep_files_except=OWN)
    assert _files(out) == {".gitkeep": "", "README.md": "r", "index.html": "new",
                           "notes.txt": "new"}  # manifest.json: zwt's own, not carried over


@given(old=st.sets(st.sampled_from(["a", "b", "README.md", *OWN])),
       new=st.sets(st.sampled_from(["b", "c", *OWN])))
@settings(max_examples=40, deadline=None)
def test_keep_invariant_new_files_plus_foreign_old_ones(tmp_path_factory, old, new):
    base = tmp_path_factory.mktemp("inv")
    out = base / "out"
    _write(out, **{n: "old" for n in old})
    fsutil.replace_folder(out, lambda tmp: _write(tmp, **{n: "new" for n in new}),
                          keep_files_except=OWN)
    expected = {n: "old" for n in old - set(OWN)} | {n: "new" for n in new}
    assert _files(out) == expected
    assert sorted(p.name for p in base.iterdir()) == ["out"]


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failing_writer_leaves_out_exactly_as_it_was(tmp_path, error):
    out = tmp_path / "out"
    _write(out, **{"a": "old", "README.md": "r"})

    def write(tmp):
        _write(tmp, a="half")
        raise error

    with pytest.raises(type(error)):
        fsutil.replace_folder(out, write, keep_files_except=OWN)
    assert _files(out) == {"a": "old", "README.md": "r"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failure_between_the_two_renames_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _write(out, a="old")
    real = Path.rename

    def rename(self, target):
        if ".zwt-tmp-" in self.name:  # the second rename: new folder into place
            raise OSError(5, "Input/output error")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError, match="Input/output"):
        fsutil.replace_folder(out, lambda tmp: _write(tmp, a="new"))
    assert _files(out) == {"a": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_mode_of_the_new_folder(tmp_path):
    fsutil.replace_folder(tmp_path / "private", lambda tmp: None, mode=0o700)
    assert (tmp_path / "private").stat().st_mode & 0o777 == 0o700


def test_temporary_folder_is_named_after_out_and_this_process(tmp_path):
    seen = []
    fsutil.replace_folder(tmp_path / "out", seen.append)
    (tmp,) = seen
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(f".out.zwt-tmp-{os.getpid()}-")
    assert not tmp.exists()


# ----------------------------------------------------------------- stale folders

def test_stale_folders_of_dead_runs_are_removed_live_ones_kept(tmp_path):
    out = tmp_path / "out"
    _write(out, a="old")
    dead = _dead_pid()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = [tmp_path / f".out.zwt-tmp-{dead}-ab12cd34",
                 tmp_path / f".out.zwt-old-{dead}-ab12cd34",
                 tmp_path / f".out.zwt-tmp-{os.getpid()}-00000000"]  # our pid, not in use
        kept = [tmp_path / f".out.zwt-tmp-{live.pid}-ab12cd34",  # a live run
                tmp_path / f".other.zwt-tmp-{dead}-ab12cd34",  # another folder's
                tmp_path / f".out.zwt-tmp-{dead}",  # not a name zwt writes
                tmp_path / ".out.zwt-tmp-0-ab12cd34"]  # pid 0: never ours
        for d in stale + kept:
            _write(d, x="data")
        assert sorted(fsutil.remove_stale_temp_folders(out)) == sorted(stale)
    finally:
        live.kill()
        live.wait()
    assert [d.name for d in kept if not d.exists()] == []
    assert _files(out) == {"a": "old"}  # out itself present: the dead run's old copy removed


def test_dead_runs_old_folder_restored_when_out_is_missing(tmp_path):
    out = tmp_path / "out"
    dead = _dead_pid()
    _write(tmp_path / f".out.zwt-old-{dead}-0badc0de", a="previous")
    _write(tmp_path / f".out.zwt-tmp-{dead}-0badc0de", a="half")
    fsutil.replace_folder(out, lambda tmp: _write(tmp, a="new"))
    assert _files(out) == {"a": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_in_use_by_this_process_is_not_stale(tmp_path):
    out = tmp_path / "out"
    inner = []

    def write(tmp):
        inner.append(fsutil.stale_temp_folders(out))  # e.g. a second thread's run into out
        _write(tmp, a="1")

    fsutil.replace_folder(out, write)
    assert inner == [[]]


# ----------------------------------------------------------------- refusals

def test_refuses_protected_paths_files_and_special_folders(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    protected = {"--processed": data}
    for bad in (data, data / "reports", tmp_path):
        with pytest.raises(ZwtError, match="may not be, contain or lie inside --processed"):
            fsutil.check_replaceable(bad, protected=protected)
    for special in (config.PROJECT_ROOT, Path.home(), Path("/")):
        with pytest.raises(ZwtError, match="refusing to replace this folder"):
            fsutil.check_replaceable(special)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ZwtError, match="--out .*file exists and is not a folder"):
        fsutil.check_replaceable(tmp_path / "file")
    fsutil.check_replaceable(tmp_path / "new", protected=protected)  # missing: fine
    fsutil.check_replaceable(tmp_path / "sibling", protected=protected)


def test_marker_protects_folders_zwt_did_not_write(tmp_path):
    folder = tmp_path / "stuff"
    _write(folder, **{"thesis.docx": "x", "README.md": "r"})
    with pytest.raises(ZwtError, match=r"--out .* holds files that zwt did not write \(thesis"):
        fsutil.check_replaceable(folder, marker="manifest.json")
    with pytest.raises(ZwtError, match="did not write"):
        fsutil.replace_folder(folder, lambda tmp: None, marker="manifest.json")
    assert _files(folder) == {"README.md": "r", "thesis.docx": "x"}
    fsutil.check_replaceable(folder)  # no marker asked: replaceable
    (folder / "manifest.json").write_text("{}")
    fsutil.check_replaceable(folder, marker="manifest.json")  # written by zwt before
    only_readme = tmp_path / "reports"
    _write(only_readme, **{"README.md": "r", ".gitkeep": ""})
    fsutil.check_replaceable(only_readme, marker="manifest.json")


def test_option_name_in_messages(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ZwtError, match="^--target "):
        fsutil.replace_folder(tmp_path / "f", lambda tmp: None, option="--target")
    assert (tmp_path / "f").read_text() == "x"
