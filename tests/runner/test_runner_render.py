"""Rendering an executed notebook: figure text alternatives reach the <img> (issue 18)."""

from __future__ import annotations

import re

import nbformat

from zwt_analysis.runner.model import RESEARCHER_HTML, REVIEWER_HTML, Job
from zwt_analysis.runner.render import render

PIXEL = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5E"
         "rkJggg==")


def _job(tmp_path) -> Job:
    return Job("05_places", "Wijken", "ALL", "", str(tmp_path), str(tmp_path / "log"), {},
               "python3", 60, 60, True)


def _figure_cell(alt: str | None) -> nbformat.NotebookNode:
    meta = {"image/png": {"alt": alt}} if alt is not None else {}
    out = nbformat.v4.new_output("display_data", data={"image/png": PIXEL, "text/plain": "<F>"},
                                 metadata=meta)
    return nbformat.v4.new_code_cell("plot()", outputs=[out])


def test_alt_text_is_written_on_both_pages_and_escaped(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[_figure_cell("Figuur: lijndiagram; 'a' & <b>."),
                                         _figure_cell(None)])
    assert render(nb, _job(tmp_path), "ok", None) == [REVIEWER_HTML, RESEARCHER_HTML]
    for name in (REVIEWER_HTML, RESEARCHER_HTML):
        html = (tmp_path / name).read_text(encoding="utf-8")
        alts = re.findall(r'<img [^>]*?alt="([^"]*)"', html, re.S)
        # a figure shown without the project's hook still gets a (generic) alternative
        assert alts == ["Figuur: lijndiagram; 'a' &amp; &lt;b&gt;.", "Figuur"], name
