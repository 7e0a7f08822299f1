"""Comparing float32 results honestly: the largest difference, against the rounding error
that float32 arithmetic allows.

Two ways of computing the same convolution (SAME padding against ``tf.pad`` + VALID, or one
CPU code path against the other) add the same products in a different order, and float32
rounds each partial sum. The results may then differ in their last bits, by up to a bound
that numerical analysis gives (Higham, *Accuracy and Stability of Numerical Algorithms*,
2002, section 3.1): a sum of ``n`` products computed in any order is within
``gamma_n * sum(|x_i * w_i|)`` of the exact sum, with ``gamma_n = n*u / (1 - n*u)`` and
``u = 2**-24`` for float32. Two such sums are within twice that of each other.

>>> float32_sum_tolerance(27, magnitude=10.0) < 1e-4
True
"""

from __future__ import annotations

from helpers._checks import integer, number

import numpy as np

UNIT_ROUNDOFF = 2.0**-24  # float32: 24 significant bits


def float32_sum_tolerance(n_terms: int, magnitude: float) -> float:
    """How far apart two float32 computations of the same sum of ``n_terms`` products may be,
    whatever order each adds them in. ``magnitude`` is the largest ``sum(|x_i * w_i|)``: for a
    convolution, the largest output of the same convolution applied to ``|x|`` and ``|w|``.

    >>> f"{float32_sum_tolerance(9, magnitude=1.0):.2e}"
    '1.07e-06'
    """
    n_terms = integer("n_terms", n_terms, 1)
    if n_terms * UNIT_ROUNDOFF >= 1:
        raise ValueError(f"n_terms={n_terms!r}: expected fewer than 2**24 terms")
    magnitude = number("magnitude", magnitude)
    gamma = n_terms * UNIT_ROUNDOFF / (1 - n_terms * UNIT_ROUNDOFF)
    return 2 * gamma * magnitude


def max_abs_difference(a, b) -> float:
    """The largest ``|a - b|`` over two arrays (or tensors) of the same shape.

    >>> max_abs_difference([1.0, 2.0], [1.0, 2.5])
    0.5
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b: expected the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError(f"a and b: expected values to compare, got an empty shape {a.shape}")
    return float(np.max(np.abs(a - b)))


def compare_float32(a, b, n_terms: int, magnitude: float) -> bool:
    """Print the largest difference between ``a`` and ``b`` and the float32 bound for sums of
    ``n_terms`` products (:func:`float32_sum_tolerance`); return whether it is within.

    >>> compare_float32([1.0], [1.0], n_terms=9, magnitude=1.0)
    max |difference|: 0.0e+00 (float32 bound, sums of 9 products: 1.1e-06)
    same values: True
    True
    """
    tolerance = float32_sum_tolerance(n_terms, magnitude)
    difference = max_abs_difference(a, b)
    print(
        f"max |difference|: {difference:.1e} "
        f"(float32 bound, sums of {n_terms} products: {tolerance:.1e})"
    )
    same = difference <= tolerance
    print("same values:", same)
    return same
