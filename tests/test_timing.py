"""helpers.timing: warm-up calls untimed, the median of the timed ones."""

from __future__ import annotations

from helpers import timing
from helpers.timing import median_ms

import pytest


def test_warm_up_calls_are_not_timed_and_the_median_is_returned(monkeypatch):
    calls = []
    # each timed call reads the clock twice; the durations are 5, 1 and 3 seconds
    clock = iter([0.0, 5.0, 10.0, 11.0, 20.0, 23.0])
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(clock))
    assert median_ms(lambda: calls.append(1), repeats=3, warmup=2) == 3000.0
    assert len(calls) == 5


def test_a_real_step_takes_at_least_its_sleep():
    import time

    assert median_ms(lambda: time.sleep(0.01), repeats=3, warmup=0) >= 10.0


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"step": 3, "repeats": 1}, TypeError, "step=3: expected a function"),
        ({"step": print, "repeats": 0}, ValueError, "repeats=0: expected a positive integer"),
        ({"step": print, "repeats": 2.0}, TypeError, "repeats=2.0: expected a positive"),
        ({"step": print, "repeats": 1, "warmup": -1}, ValueError, "warmup=-1: expected a non-n"),
        ({"step": print, "repeats": 1, "warmup": None}, TypeError, "warmup=None: expected"),
    ],
)
def test_bad_input(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        median_ms(**kwargs)
