import doctest

import helpers._checks
from helpers._checks import integer, is_integer, number

import numpy as np
import pytest


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(helpers._checks).failed == 0


@pytest.mark.parametrize("value", [0, 7, np.int64(7), np.uint8(7), np.int32(-3)])
def test_python_and_numpy_integers_are_integers(value):
    assert is_integer(value)


@pytest.mark.parametrize("value", [True, np.bool_(True), 7.0, np.float64(7), "7", None, [7]])
def test_bools_floats_strings_and_none_are_not(value):
    assert not is_integer(value)


def test_integer_returns_a_plain_int_within_bounds():
    result = integer("stride", np.int64(3), 1, 4)
    assert result == 3 and type(result) is int
    assert integer("seed", 0, 0) == 0
    assert integer("status", -8, None) == -8


@pytest.mark.parametrize(
    "args, message",
    [(("stride", 0, 1), "stride=0: expected a positive integer"),
     (("seed", -1, 0), "seed=-1: expected a non-negative integer"),
     (("width", 19, 20), "width=19: expected an integer of at least 20"),
     (("dpi", 301, 10, 300), "dpi=301: expected an integer from 10 to 300"),
     (("n", 5, None, 4), "n=5: expected an integer of at most 4")],
)  # fmt: skip
def test_an_integer_out_of_range_is_a_value_error_named_with_what_was_expected(args, message):
    with pytest.raises(ValueError) as info:
        integer(*args)
    assert type(info.value) is ValueError and str(info.value) == message


@pytest.mark.parametrize(
    "args, message",
    [(("dpi", 72.0, 10, 300), "dpi=72.0: expected an integer from 10 to 300"),
     (("flag", True, 0), "flag=True: expected a non-negative integer"),
     (("n", "3", 1), "n='3': expected a positive integer"),
     (("n", None, 1), "n=None: expected a positive integer"),
     (("status", 1.5, None), "status=1.5: expected an integer")],
)  # fmt: skip
def test_a_value_that_is_no_integer_is_a_type_error_named_with_what_was_expected(args, message):
    with pytest.raises(TypeError) as info:
        integer(*args)
    assert str(info.value) == message


def test_number_returns_a_float():
    for value, expected in [(2, 2.0), (np.float32(0.5), 0.5), (np.int64(3), 3.0), (0, 0.0)]:
        result = number("x", value)
        assert result == expected and type(result) is float
    assert number("x", 1e-9, positive=True) == 1e-9


@pytest.mark.parametrize("value", [True, np.bool_(False), "1", None, [1.0], 1j])
def test_a_value_that_is_no_number_is_a_type_error(value):
    with pytest.raises(TypeError, match=r"^x=.*: expected a positive number$"):
        number("x", value, positive=True)


@pytest.mark.parametrize(
    "value, positive, message",
    [(-1, False, "x=-1: expected a non-negative, finite number"),
     (0, True, "x=0: expected a positive, finite number"),
     (0.0, True, "x=0.0: expected a positive, finite number"),
     (float("nan"), False, "x=nan: expected a non-negative, finite number"),
     (float("inf"), True, "x=inf: expected a positive, finite number")],
)  # fmt: skip
def test_a_number_out_of_range_or_not_finite_is_a_value_error(value, positive, message):
    with pytest.raises(ValueError) as info:
        number("x", value, positive=positive)
    assert str(info.value) == message
