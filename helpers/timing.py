"""Timing one step of work: a few warm-up calls, then the median of the timed calls.

The first calls of a ``tf.function`` trace and compile it, and the libraries underneath
set themselves up; they are run and not timed. The median of the rest is robust to the
odd slow call (another process, a page fault). A step must finish its work before it
returns: call ``.numpy()`` on what it computes.

>>> median_ms(lambda: sum(range(1000)), repeats=5) < 1000
True
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from helpers._checks import integer


def median_ms(step: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    """Call ``step()`` ``warmup`` times, then ``repeats`` times timed: the median of the
    timed calls, in milliseconds.

    >>> median_ms(lambda: None, repeats=3, warmup=0) >= 0
    True
    """
    if not callable(step):
        raise TypeError(f"step={step!r}: expected a function to call with no arguments")
    repeats = integer("repeats", repeats, low=1)
    warmup = integer("warmup", warmup, low=0)
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3
