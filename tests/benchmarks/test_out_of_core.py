"""benchmarks/out_of_core.py: disjoint copies of a processed folder, run under a memory limit."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import out_of_core  # noqa: E402
from zwt_analysis import processed as processed_mod  # noqa: E402
from zwt_analysis.indicators import compute_from_processed  # noqa: E402


@pytest.fixture(scope="module")
def copies3(small_processed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ooc") / "processed"
    out_of_core.replicate(small_processed, out, 3, memory_limit="100MB")
    return out


def test_replicate_writes_disjoint_copies(small_processed: Path, copies3: Path) -> None:
    for name in ("cases", "staff", "time_registrations"):
        base = processed_mod.read_table(small_processed, name)
        big = processed_mod.read_table(copies3, name)
        assert len(big) == 3 * len(base)
        ident = "case_id" if name == "cases" else "employee_id"
        assert big[ident].nunique() == 3 * base[ident].nunique()
        assert set(big["organisation"]) == {f"{o}{s}" for o in set(base["organisation"])
                                            for s in ("", "~1", "~2")}
    assert processed_mod.as_of(copies3) == processed_mod.as_of(small_processed)


def test_check_accepts_the_combined_table_and_catches_a_change(small_processed: Path,
                                                               copies3: Path) -> None:
    original = compute_from_processed(small_processed)
    combined = compute_from_processed(copies3, memory_limit="60MB", threads=1)
    assert out_of_core.check(original, combined, 3) == []
    broken = combined.copy()
    i = broken.index[(broken["organisation"] == "DOCK~2") & (broken["team"] != "ALL")][0]
    broken.loc[i, "numerator"] += 1
    assert out_of_core.check(original, broken, 3) == ["copy 2: numbers differ from the original"]
    fewer = combined.loc[combined["organisation"] != "SMD~1"]
    assert any(p.startswith("copy 1:") for p in out_of_core.check(original, fewer, 3))


@pytest.mark.slow
def test_command_runs_zwt_indicators_under_a_memory_limit(small_processed: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    code = out_of_core.main(["--processed", str(small_processed), "--copies", "2",
                             "--memory-limit", "80MB", "--work", str(tmp_path / "w"),
                             "--json", str(tmp_path / "f.json")])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "every copy equals the original" in text
    figures = pd.read_json(tmp_path / "f.json", typ="series")
    assert figures["copies"] == 2 and figures["peak_rss_mib"] > 0
