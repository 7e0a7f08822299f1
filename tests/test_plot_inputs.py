"""helpers._plot_inputs: plots' data arguments; TypeError for a wrong type, ValueError for a
wrong value, each naming the argument. The plots' own tests cover them through every plot."""

import doctest

import helpers._plot_inputs
from helpers._plot_inputs import class_labels, class_name_list, number_array

import numpy as np
import pytest


class Unconvertible:
    def __array__(self, *args, **kwargs):
        raise TypeError("no array")


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(helpers._plot_inputs).failed == 0


def test_good_values_pass():
    assert number_array("x", [[1, 2], [3, 4]]).shape == (2, 2)
    assert class_labels("y", np.array([[1.0], [2.0]])).tolist() == [1, 2]
    assert class_name_list(np.array(["a", "b"]), most=2) == ["a", "b"]
    assert class_name_list(None) is None


@pytest.mark.parametrize(
    "call, error, match",
    [(lambda: number_array("x", Unconvertible()), TypeError, "x=<.*: expected an array"),
     (lambda: number_array("x", [[1], [1, 2]]), ValueError, "nested lists of equal lengths"),
     (lambda: number_array("x", ["a"]), TypeError, "got dtype <U1"),
     (lambda: number_array("x", np.zeros(0)), ValueError, r"x: .* shape \(0,\)"),
     (lambda: class_labels("y", [True]), TypeError, "y: expected integer class indices"),
     (lambda: class_labels("y", [[1, 2]]), ValueError, r"shape \(1, 2\)"),
     (lambda: class_labels("y", [-1]), ValueError, r"y\[0\]=-1"),
     (lambda: class_name_list("ab"), TypeError, "class_names='ab'"),
     (lambda: class_name_list([1]), TypeError, r"class_names=\[1\]"),
     (lambda: class_name_list([]), ValueError, r"class_names=\[\]"),
     (lambda: class_name_list(["a", "b"], most=1), ValueError, "expected a list of 1 to 1")],
)  # fmt: skip
def test_bad_values_are_named(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert type(info.value) is error
