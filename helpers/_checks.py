"""The rules every helper applies to a number argument (private to the package).

Python's convention: a value of the wrong type raises ``TypeError``, a value of the right
type that is out of range raises ``ValueError``; both name the argument and say what was
expected.

:func:`integer`: Python and NumPy integers pass; bools, floats, strings and None do not,
even when they look like a whole number.

>>> integer("stride", 2, low=1)
2
>>> integer("stride", 2.0, low=1)
Traceback (most recent call last):
TypeError: stride=2.0: expected a positive integer
>>> integer("stride", 0, low=1)
Traceback (most recent call last):
ValueError: stride=0: expected a positive integer

:func:`number`: Python and NumPy integers and floats pass, as a float; bools, strings and
None do not, and neither does NaN or an infinity.

>>> number("magnitude", 2)
2.0
>>> number("timeout", 0, positive=True)
Traceback (most recent call last):
ValueError: timeout=0: expected a positive, finite number
"""

from __future__ import annotations

import math
from numbers import Integral, Real


def is_integer(value) -> bool:
    """True for a Python or NumPy integer, False for a bool or anything else."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def integer(name: str, value, low: int | None, high: int | None = None) -> int:
    """``value`` as a plain int from ``low`` to ``high`` (no bound where None).

    ``TypeError`` when ``value`` is not an integer, ``ValueError`` when it is out of range.
    """
    if high is not None and low is not None:
        expected = f"an integer from {low} to {high}"
    elif high is not None:
        expected = f"an integer of at most {high}"
    elif low == 1:
        expected = "a positive integer"
    elif low == 0:
        expected = "a non-negative integer"
    elif low is not None:
        expected = f"an integer of at least {low}"
    else:
        expected = "an integer"
    if not is_integer(value):
        raise TypeError(f"{name}={value!r}: expected {expected}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name}={value!r}: expected {expected}")
    return int(value)


def number(name: str, value, *, positive: bool = False) -> float:
    """``value`` as a finite float, at least 0 (above 0 when ``positive``).

    ``TypeError`` when ``value`` is not a real number (a bool is not), ``ValueError`` when it
    is NaN, infinite or out of range.
    """
    sign = "positive" if positive else "non-negative"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name}={value!r}: expected a {sign} number")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name}={value!r}: expected a {sign}, finite number")
    return float(value)
