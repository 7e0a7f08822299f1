"""helpers.errors: one short message for the error a reader meets."""

from __future__ import annotations

from helpers.errors import attempt, error_message
from helpers.page import WIDTH

import numpy as np
import pytest
import tensorflow as tf


def test_tensorflow_internals_are_dropped_and_lines_fit_the_page():
    try:
        tf.reshape(tf.zeros(6), (4, 5))
    except tf.errors.InvalidArgumentError as err:
        raw, message = str(err), error_message(err)
    assert "{{function_node" in raw and "[Op:Reshape]" in raw
    assert message == (
        "InvalidArgumentError: Input to reshape is a tensor with 6 values, but the\n"
        "    requested shape has 20"
    )
    assert "function_node" not in message and "[Op:" not in message
    assert all(len(line) <= WIDTH for line in message.splitlines())


def test_one_sentence_per_line_and_narrower_widths():
    message = error_message(ValueError("First sentence here. Second one is a bit longer."), 30)
    assert message == ("ValueError: First sentence\n    here.\n    Second one is a bit longer.")
    assert error_message(KeyError()) == "KeyError"


def test_attempt_prints_the_shape_the_value_or_the_error(capsys):
    attempt(lambda: np.zeros((2, 3)))
    attempt(lambda: 42)
    attempt(lambda: int("x"))
    assert capsys.readouterr().out == (
        "works, shape (2, 3)\nworks: 42\nValueError: invalid literal for int() with base 10: 'x'\n"
    )


@pytest.mark.parametrize(
    "call, kwargs, error, fragments",
    [
        ("not callable", {}, TypeError, ["call='not callable'", "function of no arguments"]),
        (lambda: 1, {"width": 10}, ValueError, ["width=10", "at least 20"]),
        (lambda: 1, {"width": 40.0}, TypeError, ["width=40.0", "integer"]),
        (lambda: 1, {"width": True}, TypeError, ["width=True", "integer"]),
    ],
)
def test_bad_input_to_attempt(call, kwargs, error, fragments, capsys):
    with pytest.raises(error) as info:
        attempt(call, **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert capsys.readouterr().out == ""  # refused before running the call


def test_bad_width_to_error_message():
    with pytest.raises(ValueError, match="width=0"):
        error_message(ValueError("x"), 0)
    with pytest.raises(TypeError, match="width='77': expected an integer of at least 20"):
        error_message(ValueError("x"), "77")
