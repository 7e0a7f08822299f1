"""helpers.tables: rows as a Markdown table."""

from __future__ import annotations

from helpers.tables import markdown_table

import pytest


def test_a_table_has_a_header_a_rule_and_one_line_per_row():
    table = markdown_table(("a", "b"), [(1, "x|y"), ("two\nlines", None)])
    assert table.data == "| a | b |\n|---|---|\n| 1 | x\\|y |\n| two lines | None |"


def test_no_rows_gives_the_header_alone():
    assert markdown_table(["only"], []).data == "| only |\n|---|"


@pytest.mark.parametrize(
    "header, rows, error, fragment",
    [
        ("ab", [], TypeError, "header='ab': expected a non-empty list"),
        ([], [], ValueError, "header=[]: expected a non-empty list"),
        (None, [], TypeError, "header=None"),
        (["a", "b"], [(1, 2), (3,)], ValueError, "rows[1]=(3,): expected 2 value(s)"),
        (["a"], ["x"], TypeError, "rows[0]='x': expected 1 value(s)"),
        (["a"], [5], TypeError, "rows[0]=5"),
    ],
)
def test_bad_input(header, rows, error, fragment):
    with pytest.raises(error) as info:
        markdown_table(header, rows)
    assert fragment in str(info.value)
