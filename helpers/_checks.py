"""The one rule every helper applies to an integer argument (private to the package).

Python and NumPy integers pass; bools, floats, strings and None do not, even when they
look like a whole number. A refused value raises ``ValueError`` naming the argument:

>>> integer("stride", 2, low=1)
2
>>> integer("stride", 2.0, low=1)
Traceback (most recent call last):
ValueError: stride=2.0: expected a positive integer
"""

from __future__ import annotations

from numbers import Integral


def is_integer(value) -> bool:
    """True for a Python or NumPy integer, False for a bool or anything else."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def integer(name: str, value, low: int, high: int | None = None) -> int:
    """``value`` as a plain int from ``low`` to ``high`` (no upper bound when None)."""
    if is_integer(value) and value >= low and (high is None or value <= high):
        return int(value)
    if high is not None:
        expected = f"an integer from {low} to {high}"
    elif low == 1:
        expected = "a positive integer"
    elif low == 0:
        expected = "a non-negative integer"
    else:
        expected = f"an integer of at least {low}"
    raise ValueError(f"{name}={value!r}: expected {expected}")
