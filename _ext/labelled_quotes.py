"""Plain-Markdown warnings and notes that the book shows as admonitions.

The chapters are read in the book and, as plain CommonMark, in JupyterLab, Colab and GitHub,
where a MyST directive such as ```` ```{warning} ```` shows as a code block with its syntax
visible. So a chapter writes a warning as a block quote that opens with a bold label:

    > **Warning.** Keras refuses strides > 1 together with dilation_rate > 1.

Plain Markdown renders that as a quoted paragraph with a bold "Warning." In the book, this
transform turns every such block quote into the theme's admonition (``warning`` or ``note``,
titled by the label), and drops the label from the text. A block quote with any other
opening is left alone.
"""

from __future__ import annotations

from docutils import nodes
from docutils.transforms import Transform

# label (as written, with its full stop) -> the admonition node that replaces the quote
LABELS = {"Warning.": nodes.warning, "Note.": nodes.note}


def _drop_leading_blanks(paragraph: nodes.paragraph) -> None:
    # MyST may start a paragraph with an empty text node
    while paragraph.children and isinstance(paragraph[0], nodes.Text):
        if paragraph[0].astext().strip():
            return
        paragraph.remove(paragraph[0])


def _label(quote: nodes.block_quote):
    """The admonition class for ``quote``, or None when it does not open with a label."""
    if not quote.children or not isinstance(quote[0], nodes.paragraph):
        return None
    first = quote[0]
    opening = next((c for c in first.children if c.astext().strip()), None)
    if not isinstance(opening, nodes.strong):
        return None
    return LABELS.get(opening.astext().strip())


def to_admonition(quote: nodes.block_quote) -> nodes.Element:
    """The admonition that replaces a labelled block quote: same content, label removed."""
    kind = _label(quote)
    if kind is None:
        raise ValueError(
            f"quote={quote.astext()[:40]!r}: expected a block quote opening "
            f"with one of {sorted(LABELS)} in bold"
        )
    admonition = kind()
    first = quote[0]
    _drop_leading_blanks(first)
    first.remove(first[0])  # the bold label
    if first.children and isinstance(first[0], nodes.Text):
        rest = first[0].astext().lstrip()
        if rest:
            first.replace(first[0], nodes.Text(rest))
        else:
            first.remove(first[0])
    if not first.children:
        quote.remove(first)
    admonition.extend(quote.children)
    return admonition


class LabelledQuotes(Transform):
    """Replace each labelled block quote of a document with its admonition."""

    default_priority = 500

    def apply(self) -> None:
        for quote in list(self.document.findall(nodes.block_quote)):
            if _label(quote) is not None:
                quote.replace_self(to_admonition(quote))


def setup(app):
    app.add_transform(LabelledQuotes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
