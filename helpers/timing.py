"""Timing steps of work: a few warm-up calls, then timed calls, taken in turns.

The first calls of a ``tf.function`` trace and compile it, and the libraries underneath
set themselves up; they are run and not timed. When two ways of doing the same work are
compared, they are called in turns (one call of each per round), so that both see the same
load on the machine. The median is robust to the odd slow call (another process, a page
fault). A step must finish its work before it returns: call ``.numpy()`` on what it
computes.

>>> median_ms(lambda: sum(range(1000)), repeats=5) < 1000
True
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence

from helpers._checks import integer


def _callable(name: str, step) -> None:
    if not callable(step):
        raise TypeError(f"{name}={step!r}: expected a function to call with no arguments")


def _check_steps(steps) -> None:
    if not isinstance(steps, Mapping):
        raise TypeError(f"steps={steps!r}: expected a dict of names to functions")
    if not steps:
        raise ValueError("steps={}: expected at least one step")
    for name, step in steps.items():
        _callable(f"steps[{name!r}]", step)


def _warm_up(steps: Mapping[str, Callable[[], object]], warmup: int) -> None:
    for _ in range(warmup):  # untimed
        for step in steps.values():
            step()


def timed_ms(step: Callable[[], object]) -> float:
    """The wall time of one call of ``step()``, in milliseconds.

    >>> timed_ms(lambda: None) >= 0
    True
    """
    _callable("step", step)
    start = time.perf_counter()
    step()
    return (time.perf_counter() - start) * 1e3


def in_turns(
    steps: Mapping[str, Callable[[], object]],
    rounds: int,
    warmup: int = 1,
    orders: Sequence[Sequence[str]] | None = None,
) -> dict[str, list]:
    """Call every step ``warmup`` times, then ``rounds`` times in turns: each round calls
    each step once, in the order of ``steps`` or in that round's order from ``orders``
    (one order of all the names per round). Returns what each call returned, by step, in
    round order; the warm-up calls' results are dropped.

    >>> in_turns({"a": lambda: 1, "b": lambda: 2}, rounds=2)
    {'a': [1, 1], 'b': [2, 2]}
    """
    _check_steps(steps)
    rounds = integer("rounds", rounds, low=1)
    warmup = integer("warmup", warmup, low=0)
    if orders is None:
        orders = [list(steps)] * rounds
    elif len(orders) != rounds or any(sorted(o) != sorted(steps) for o in orders):
        raise ValueError(
            f"orders={orders!r}: expected {rounds} orders, each of the names {sorted(steps)}"
        )
    _warm_up(steps, warmup)
    results = {name: [] for name in steps}
    for order in orders:
        for name in order:
            results[name].append(steps[name]())
    return results


def in_turns_ms(
    steps: Mapping[str, Callable[[], object]],
    rounds: int,
    warmup: int = 2,
    orders: Sequence[Sequence[str]] | None = None,
) -> dict[str, list[float]]:
    """:func:`in_turns`, timed: each step's call times in milliseconds, round by round. The
    warm-up calls are not timed.

    >>> times = in_turns_ms({"a": lambda: None, "b": lambda: None}, rounds=3)
    >>> [len(times["a"]), len(times["b"])]
    [3, 3]
    """
    _check_steps(steps)
    rounds = integer("rounds", rounds, low=1)
    _warm_up(steps, integer("warmup", warmup, low=0))
    timed = {name: (lambda step=step: timed_ms(step)) for name, step in steps.items()}
    return in_turns(timed, rounds, warmup=0, orders=orders)


def median_ms(step: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    """Call ``step()`` ``warmup`` times, then ``repeats`` times timed: the median of the
    timed calls, in milliseconds.

    >>> median_ms(lambda: None, repeats=3, warmup=0) >= 0
    True
    """
    _callable("step", step)
    repeats = integer("repeats", repeats, low=1)
    return statistics.median(in_turns_ms({"step": step}, repeats, warmup)["step"])
