"""HTML of an executed notebook: the reviewer version (no code) and the researcher version.

Both come from nbconvert ``HTMLExporter``s with the project's ``zwt``
template (``resources/nbconvert``), built once per worker process and reused
for every notebook. The reviewer version drops code, prompts, warnings
(stderr), tracebacks and the parameter cells; the researcher version keeps
everything. A run that did not finish gets a Dutch notice at the top.
"""

from __future__ import annotations

import copy
import html
from pathlib import Path
from typing import Any

from zwt_analysis import config
from zwt_analysis.runner.model import RESEARCHER_HTML, REVIEWER_HTML, Job, org_text

#: Cells dropped from the reviewer version.
#: Cells left out of the reviewer version. ``methode``: method, rule tables and diagnostics,
#: which only the researcher version (``report_code.html``) keeps.
REVIEWER_REMOVE_TAGS = ("remove_cell", "hide", "parameters", "injected-parameters",
                        "papermill-error-cell-tag", "methode")

_EXPORTERS: dict[str, Any] = {}


def _reviewer_preprocessor() -> Any:
    """An nbconvert preprocessor dropping stderr, errors and code cells left without output."""
    from nbconvert.preprocessors import Preprocessor

    class ReviewerPreprocessor(Preprocessor):
        """Drop warnings (stderr), tracebacks and code cells left without output."""

        def preprocess(self, nb, resources):
            cells = []
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = [o for o in cell.get("outputs", [])
                                    if o.get("output_type") != "error"
                                    and not (o.get("output_type") == "stream"
                                             and o.get("name") == "stderr")]
                    if not cell.outputs:
                        continue
                cells.append(cell)
            nb.cells = cells
            return nb, resources

    return ReviewerPreprocessor()


def exporters() -> dict[str, Any]:
    """HTML exporters ``reviewer`` and ``researcher``, built once per process and reused."""
    if not _EXPORTERS:
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor

        common = dict(template_name="zwt", extra_template_basedirs=[str(config.RESOURCES_DIR /
                                                                        "nbconvert")],
                      embed_images=True)
        reviewer = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                                exclude_output_prompt=True, **common)
        reviewer.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=set(REVIEWER_REMOVE_TAGS), enabled=True),
            enabled=True)
        reviewer.register_preprocessor(_reviewer_preprocessor(), enabled=True)
        _EXPORTERS["reviewer"] = reviewer
        _EXPORTERS["researcher"] = HTMLExporter(**common)
    return _EXPORTERS


def status_cell(status: str, error: str | None, timeout: int) -> Any:
    """A Dutch markdown cell saying the report did not run to the end, and why."""
    import nbformat

    if status == "timeout":
        what = f"een cel deed er langer over dan de ingestelde tijdslimiet ({timeout} s)"
    else:
        what = "er trad een fout op"
    text = (f"<div style='border:2px solid #b00020;padding:0.6em 1em;margin:0.5em 0'>"
            f"<b>Let op: dit rapport is niet volledig uitgevoerd</b> — {what}. "
            f"Wat hieronder staat is onvolledig. Foutmelding: <code>{html.escape(error or '')}"
            f"</code>. De onderzoekersversie (met code) toont waar het misging.</div>")
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": ["zwt-status"]})


def render(nb: Any, job: Job, status: str, error: str | None) -> list[str]:
    """Write the reviewer and researcher HTML of an executed notebook; return file names."""
    nb = copy.deepcopy(nb)
    if status != "ok":
        nb.cells.insert(0, status_cell(status, error, job.timeout))
    nb.metadata["title"] = f"{job.title} — {org_text(job.organisation)}"
    resources = {"zwt": {"synthetic": job.synthetic, "nav": job.nav}}
    run_dir = Path(job.run_dir)
    files = []
    for kind, fname in (("reviewer", REVIEWER_HTML), ("researcher", RESEARCHER_HTML)):
        body, _ = exporters()[kind].from_notebook_node(copy.deepcopy(nb),
                                                       resources=copy.deepcopy(resources))
        (run_dir / fname).write_text(body, encoding="utf-8")
        files.append(fname)
    return files
