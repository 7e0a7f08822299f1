"""Tables for the page: rows of values as a Markdown table, which Jupyter, the book and
GitHub all render.

>>> print(markdown_table(["layer", "ms"], [["conv", 1.5], ["a|b", 2]]).data)
| layer | ms |
|---|---|
| conv | 1.5 |
| a\\|b | 2 |
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from IPython.display import Markdown


def _cell(value) -> str:
    # a "|" would end the cell; a line break would end the row
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence, rows: Iterable[Sequence]) -> Markdown:
    """A Markdown table with ``header`` and one line per row; values are shown with ``str``.

    Every row must have as many values as ``header``.
    """
    expected = "expected a non-empty list of column names"
    if isinstance(header, str) or not isinstance(header, Sequence):
        raise TypeError(f"header={header!r}: {expected}")
    if not header:
        raise ValueError(f"header={header!r}: {expected}")
    lines = [
        "| " + " | ".join(map(_cell, header)) + " |",
        "|---" * len(header) + "|",
    ]
    for index, row in enumerate(rows):
        expected = f"expected {len(header)} value(s), one per column of header={list(header)!r}"
        if isinstance(row, str) or not isinstance(row, Sequence):
            raise TypeError(f"rows[{index}]={row!r}: {expected}")
        if len(row) != len(header):
            raise ValueError(f"rows[{index}]={row!r}: {expected}")
        lines.append("| " + " | ".join(map(_cell, row)) + " |")
    return Markdown("\n".join(lines))
