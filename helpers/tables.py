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
    if isinstance(header, str) or not isinstance(header, Sequence) or not header:
        raise ValueError(f"header={header!r}: expected a non-empty list of column names")
    lines = [
        "| " + " | ".join(map(_cell, header)) + " |",
        "|---" * len(header) + "|",
    ]
    for index, row in enumerate(rows):
        if isinstance(row, str) or not isinstance(row, Sequence) or len(row) != len(header):
            raise ValueError(
                f"rows[{index}]={row!r}: expected {len(header)} value(s), one per column of "
                f"header={list(header)!r}"
            )
        lines.append("| " + " | ".join(map(_cell, row)) + " |")
    return Markdown("\n".join(lines))
