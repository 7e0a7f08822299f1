"""_ext/labelled_quotes.py: a block quote opening with **Warning.** or **Note.** becomes the
book's admonition; any other block quote stays a quote."""

import sys
from pathlib import Path

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))

import labelled_quotes


def _quote(*children):
    return nodes.block_quote("", *children)


def _document(*children):
    document = new_document("<test>", get_default_settings(Parser))
    document.extend(children)
    return document


def test_a_warning_quote_becomes_a_warning_without_its_label():
    quote = _quote(
        nodes.paragraph("", "", nodes.strong("", "Warning."), nodes.Text(" Keras refuses it.")),
        nodes.paragraph("", "Second paragraph."),
    )
    admonition = labelled_quotes.to_admonition(quote)
    assert isinstance(admonition, nodes.warning)
    assert [p.astext() for p in admonition.children] == ["Keras refuses it.", "Second paragraph."]


def test_a_note_label_alone_in_its_paragraph_leaves_no_empty_paragraph():
    quote = _quote(nodes.paragraph("", "", nodes.strong("", "Note.")), nodes.paragraph("", "Body."))
    admonition = labelled_quotes.to_admonition(quote)
    assert isinstance(admonition, nodes.note)
    assert [p.astext() for p in admonition.children] == ["Body."]


def test_the_transform_replaces_labelled_quotes_and_keeps_the_others():
    labelled = _quote(nodes.paragraph("", "", nodes.strong("", "Warning."), nodes.Text(" x")))
    plain = _quote(nodes.paragraph("", "", nodes.strong("", "Remember"), nodes.Text(" this")))
    unlabelled = _quote(nodes.paragraph("", "A quotation."))
    document = _document(labelled, plain, unlabelled)
    labelled_quotes.LabelledQuotes(document).apply()
    kinds = [type(child) for child in document.children]
    assert kinds == [nodes.warning, nodes.block_quote, nodes.block_quote]


def test_a_quote_without_a_label_is_refused_by_name():
    with pytest.raises(ValueError, match=r"quote='A quotation.': expected a block quote"):
        labelled_quotes.to_admonition(_quote(nodes.paragraph("", "A quotation.")))


def test_an_empty_text_node_before_the_label_is_skipped():
    # MyST starts some paragraphs with an empty text node
    quote = _quote(
        nodes.paragraph(
            "", "", nodes.Text(""), nodes.strong("", "Warning."), nodes.Text(" Careful.")
        )
    )
    admonition = labelled_quotes.to_admonition(quote)
    assert isinstance(admonition, nodes.warning)
    assert admonition.astext() == "Careful."
