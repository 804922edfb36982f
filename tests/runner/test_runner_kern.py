"""A report's answer for the index: the Kern sentences from an executed notebook or its HTML."""

from __future__ import annotations

import json

import nbformat
from hypothesis import given, settings
from hypothesis import strategies as st

from zwt_analysis.present.page import kern_html
from zwt_analysis.runner.kern import kern_from_html, kern_from_notebook, kern_of_run


def test_kern_sentences_round_trip_through_kern_html():
    sentences = ["Het aandeel is 31,2% (30,7–31,8%) & daalt niet.", "Let op: <voorlopig>."]
    assert kern_from_html(kern_html(sentences)) == sentences


def test_only_the_first_kern_section_and_only_its_items():
    page = ("<ul><li>menu</li></ul><section class='zwt-kern x'><h2>Kern</h2><ul>"
            "<li>Een <b>vette</b>\n   zin.</li><li>  </li><section><ul><li>binnen</li></ul>"
            "</section><li>Na de binnenste.</li></ul></section>"
            "<section class='zwt-kern'><ul><li>tweede kern</li></ul></section>"
            "<ul><li>erna</li></ul>")
    assert kern_from_html(page) == ["Een vette zin.", "binnen", "Na de binnenste."]
    assert kern_from_html("<section class='other'><li>nee</li></section>") == []
    assert kern_from_html("") == []


def _notebook(*outputs: dict) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(kern_html(["in markdown: geen uitvoer"])),
                nbformat.v4.new_code_cell("x", outputs=[nbformat.from_dict(o) for o in outputs])]
    return json.loads(nbformat.writes(nb))


def test_from_notebook_outputs_list_or_text():
    display = {"output_type": "display_data", "metadata": {},
               "data": {"text/plain": ["<HTML>"],
                        "text/html": kern_html(["Eerste zin.", "Tweede."]).splitlines(True)}}
    stream = {"output_type": "stream", "name": "stdout", "text": "zwt-kern als tekst"}
    assert kern_from_notebook(_notebook(stream, display)) == ["Eerste zin.", "Tweede."]
    assert kern_from_notebook(_notebook(stream)) == []  # markdown cells are not outputs


def test_run_folder_notebook_first_then_reviewer_html(tmp_path):
    assert kern_of_run(tmp_path) == []
    (tmp_path / "report.html").write_text("<body>" + kern_html(["Uit de HTML."]) + "</body>")
    assert kern_of_run(tmp_path) == ["Uit de HTML."]
    (tmp_path / "report.ipynb").write_text("{kapot")  # unreadable: the HTML still answers
    assert kern_of_run(tmp_path) == ["Uit de HTML."]
    display = {"output_type": "display_data", "metadata": {},
               "data": {"text/html": kern_html(["Uit het notebook."])}}
    (tmp_path / "report.ipynb").write_text(json.dumps(_notebook(display)))
    assert kern_of_run(tmp_path) == ["Uit het notebook."]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc"))), min_size=1,
                max_size=5))
def test_any_sentences_survive_kern_html(sentences):
    want = [" ".join(s.split()) for s in sentences if s.split()]
    assert kern_from_html(kern_html(sentences)) == want
