"""The chapters' Markdown as JupyterLab, Colab and GitHub show it: plain CommonMark.

Each Markdown cell is rendered by two plain renderers, nbconvert's (mistune) and markdown-it's
CommonMark preset. Neither may show MyST syntax (a directive's ```` ```{warning} ```` fence,
a ``{role}`...` ``, ``:class:`` option lines) anywhere in the result. A solution is an HTML
``<details>`` block whose Markdown renders inside it, collapsed; a warning or note is a block
quote opening with a bold label, which the book turns into an admonition
(_ext/labelled_quotes.py).
"""

import re
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt
from nbconvert.filters.markdown_mistune import markdown2html_mistune

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
MYST = re.compile(
    r"```\{|\{(?:warning|note|tip|important|admonition|dropdown|doc|ref|numref|eq|glue)\}"
    r"|:class:|^:::",
    re.M,
)
RENDERERS = {
    "nbconvert": markdown2html_mistune,
    "markdown-it": MarkdownIt("commonmark").render,
}


def _markdown_cells(path):
    notebook = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(notebook.cells) if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_syntax_shows_in_a_plain_rendering(path):
    leftovers = []
    for index, source in _markdown_cells(path):
        for name, render in RENDERERS.items():
            for found in MYST.findall(render(source)):
                leftovers.append(f"cell {index}, {name}: {found!r}")
    assert leftovers == [], "MyST syntax a plain renderer shows as text:\n" + "\n".join(leftovers)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_render_as_collapsed_details_with_their_markdown_inside(path):
    for index, source in _markdown_cells(path):
        count = source.count("<details>")
        assert count == source.count("</details>") == source.count("<summary>"), index
        for name, render in RENDERERS.items():
            html = render(source)
            assert "&lt;details" not in html, f"cell {index}, {name}: <details> escaped"
            for block in re.findall(r"<details>(.*?)</details>", html, re.S):
                summary, _, body = block.partition("</summary>")
                assert "<summary>" in summary, f"cell {index}, {name}"
                assert "<p>" in body, f"cell {index}, {name}: the solution's Markdown unrendered"
                assert "open" not in summary, f"cell {index}, {name}: opened by default"


def test_every_chapter_with_exercises_hides_its_solutions():
    with_solutions = [p.stem for p in CHAPTERS if "<details>" in p.read_text(encoding="utf-8")]
    assert len(with_solutions) >= 5, with_solutions


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_warnings_are_block_quotes_opening_with_a_bold_label(path):
    for index, source in _markdown_cells(path):
        for label in re.findall(r"\*\*(Warning|Note)\.\*\*", source):
            html = MarkdownIt("commonmark").render(source)
            opening = f"<blockquote>\n<p><strong>{label}.</strong>"
            assert opening in html, f"cell {index}: **{label}.** does not open a block quote"
