"""The book's page: how wide its column is, in characters and in pixels, and the figure
style that fits it. Every other place that needs the page's size reads it from here, or,
where it cannot import Python (``chapters/ruff.toml``, ``helpers/distributed/ruff.toml``),
is checked against it by ``tests/test_page.py``.

>>> WIDTH, PIXELS
(77, 688)
>>> use_book_style()  # once, in a chapter's imports cell
"""

from __future__ import annotations

# The HTML column at a 1280-pixel window: 688 pixels, in which a code block or an output
# shows 77 characters without scrolling.
WIDTH = 77  # characters: code lines, printed lines, wrapped messages and logs
PIXELS = 688  # pixels: figures and model diagrams

# A figure this wide at matplotlib's 100 dpi (680 pixels, within PIXELS) is shown at its own
# size, so 10-point text reads as 10-point text (about 14 pixels).
FIGURE_DPI = 100
FIGURE_INCHES = 6.8
BOOK_STYLE = {
    "figure.figsize": (FIGURE_INCHES, 3.4),
    "figure.dpi": FIGURE_DPI,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "figure.titlesize": 11,
}


def use_book_style() -> None:
    """Figures as wide as the book's page (``FIGURE_INCHES``) with text of at least 9 points
    (``BOOK_STYLE``), stored sharp: in a notebook, as PNG at twice the resolution they are
    shown at (IPython's "retina" format, which the book, JupyterLab and Colab display at
    the intended size). Call it once, in a chapter's imports cell.

    >>> use_book_style()
    """
    import matplotlib.pyplot as plt  # here, so that reading the page's width loads no plotting

    plt.rcParams.update(BOOK_STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # not in IPython: nothing more to set
        return
    if get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
