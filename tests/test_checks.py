from helpers._checks import integer, is_integer

import numpy as np
import pytest


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


@pytest.mark.parametrize(
    "args, message",
    [(("stride", 0, 1), "stride=0: expected a positive integer"),
     (("seed", -1, 0), "seed=-1: expected a non-negative integer"),
     (("width", 19, 20), "width=19: expected an integer of at least 20"),
     (("dpi", 301, 10, 300), "dpi=301: expected an integer from 10 to 300"),
     (("dpi", 72.0, 10, 300), "dpi=72.0: expected an integer from 10 to 300"),
     (("flag", True, 0), "flag=True: expected a non-negative integer"),
     (("n", "3", 1), "n='3': expected a positive integer")],
)  # fmt: skip
def test_a_refused_value_is_named_with_what_was_expected(args, message):
    with pytest.raises(ValueError) as info:
        integer(*args)
    assert str(info.value) == message
