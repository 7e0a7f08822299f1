"""helpers.floats: float32 comparisons with a tolerance that the arithmetic justifies."""

from __future__ import annotations

from helpers.floats import (
    UNIT_ROUNDOFF,
    compare_float32,
    float32_sum_tolerance,
    max_abs_difference,
)

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st


def test_tolerance_is_twice_gamma_n_times_the_magnitude():
    gamma = 27 * UNIT_ROUNDOFF / (1 - 27 * UNIT_ROUNDOFF)
    assert float32_sum_tolerance(27, 3.0) == pytest.approx(2 * gamma * 3.0, rel=1e-12)
    assert float32_sum_tolerance(np.int64(4), np.float32(0.0)) == 0.0


@given(n=st.integers(1, 300), seed=st.integers(0, 2**32 - 1))
def test_two_summation_orders_stay_within_the_bound(n, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    forward = np.float32(0)
    for product in x * w:
        forward = np.float32(forward + product)
    backward = np.float32(0)
    for product in (x * w)[::-1]:
        backward = np.float32(backward + product)
    magnitude = float(np.sum(np.abs(x.astype(np.float64) * w)))
    assert abs(float(forward) - float(backward)) <= float32_sum_tolerance(n, magnitude)


def test_the_bound_is_not_loose_enough_to_hide_a_real_difference():
    # A SAME convolution against the input padded the wrong way round: far outside.
    x = tf.random.stateless_normal((1, 6, 6, 1), seed=[1, 2])
    w = tf.random.stateless_normal((3, 3, 1, 1), seed=[3, 4])
    same = tf.nn.conv2d(x, w, 2, "SAME")
    swapped = tf.nn.conv2d(tf.pad(x, [[0, 0], [1, 0], [1, 0], [0, 0]]), w, 2, "VALID")
    magnitude = float(tf.reduce_max(tf.nn.conv2d(tf.abs(x), tf.abs(w), 2, "SAME")))
    assert max_abs_difference(same, swapped) > 100 * float32_sum_tolerance(9, magnitude)


def test_compare_prints_the_difference_and_the_bound(capsys):
    assert compare_float32(np.ones(3), np.ones(3) + 1e-7, n_terms=9, magnitude=1.0)
    assert not compare_float32(np.ones(3), np.ones(3) + 1e-3, n_terms=9, magnitude=1.0)
    assert capsys.readouterr().out == (
        "max |difference|: 1.0e-07 (float32 bound, sums of 9 products: 1.1e-06)\n"
        "same values: True\n"
        "max |difference|: 1.0e-03 (float32 bound, sums of 9 products: 1.1e-06)\n"
        "same values: False\n"
    )


@pytest.mark.parametrize(
    "args, error, fragments",
    [
        ((0, 1.0), ValueError, ["n_terms=0", "positive integer"]),
        ((2.0, 1.0), TypeError, ["n_terms=2.0", "positive integer"]),
        ((True, 1.0), TypeError, ["n_terms=True", "positive integer"]),
        ((2**24, 1.0), ValueError, ["n_terms=16777216", "fewer than 2**24"]),
        ((9, -1.0), ValueError, ["magnitude=-1.0", "non-negative"]),
        ((9, float("nan")), ValueError, ["magnitude=nan", "finite"]),
        ((9, float("inf")), ValueError, ["magnitude=inf", "finite"]),
        ((9, "1"), TypeError, ["magnitude='1'", "number"]),
        ((9, None), TypeError, ["magnitude=None", "number"]),
        ((9, True), TypeError, ["magnitude=True", "number"]),
    ],
)
def test_bad_input_to_the_tolerance(args, error, fragments):
    with pytest.raises(error) as info:
        float32_sum_tolerance(*args)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_bad_input_to_max_abs_difference():
    with pytest.raises(
        ValueError, match=r"a and b: expected the same shape, got \(2,\) and \(3,\)"
    ):
        max_abs_difference(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="a and b: expected values to compare"):
        max_abs_difference([], [])
