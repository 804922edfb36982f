"""Every notebook: conventions, and a run top to bottom under papermill.

The unit tests use a tiny hand-built processed folder. The slow tests execute
every notebook in ``notebooks/`` (discovered, so new ones are included) under
papermill on the small synthetic data set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zwt_analysis import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.py"))


def test_notebooks_follow_conventions():
    """Each notebook: jupytext header with kernel zwt, one parameters cell, standard params."""
    import jupytext

    from zwt_analysis.runner import main as report

    assert NOTEBOOKS, "no notebooks found"
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# ---\n# jupyter:"), path.name
        nb = jupytext.read(path)
        assert nb.metadata["kernelspec"]["name"] == "zwt", path.name
        params = report.parameters_of(nb.cells)
        for key in report.STANDARD_PARAMETERS:
            assert key in params, f"{path.name}: parameter {key} missing"
        assert params["organisation"] == "ALL" and params["processed_dir"] == ""


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_under_papermill(path, small_processed, tmp_path):
    import jupytext
    import papermill as pm

    ipynb = tmp_path / f"{path.stem}.ipynb"
    jupytext.write(jupytext.read(path), ipynb, fmt="ipynb")
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(ipynb), str(out), kernel_name="zwt", cwd=str(tmp_path),
                        parameters={"processed_dir": str(small_processed)},
                        progress_bar=False, execution_timeout=600)
    import nbformat

    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "SYNTHETISCHE DATA" in html  # small_processed is synthetic: banner shown


@pytest.mark.slow
@pytest.mark.xdist_group("reports")
def test_explore_notebook_runs_top_to_bottom(small_indicators: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """notebooks/explore.py (not part of the report suite) runs under papermill on the fixture."""
    import os

    import jupytext
    import nbformat
    import papermill as pm

    from zwt_analysis.runner import main as report

    # ensure_kernel may put a fallback kernelspec on JUPYTER_PATH: restored afterwards
    monkeypatch.setenv("JUPYTER_PATH", os.environ.get("JUPYTER_PATH", ""))
    kernel, _ = report.ensure_kernel(report.KERNEL_NAME, tmp_path)
    nb = jupytext.read(config.NOTEBOOKS_DIR / "explore.py")
    src = tmp_path / "explore.ipynb"
    nbformat.write(nb, src)
    pm.execute_notebook(str(src), str(tmp_path / "out.ipynb"), kernel_name=kernel,
                        parameters={"processed_dir": str(small_indicators.parent)},
                        cwd=str(tmp_path), progress_bar=False)
    ran = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in ran.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)
    assert not any(o.get("output_type") == "error" for c in code for o in c.get("outputs", []))

