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


def test_in_turns_calls_each_step_once_per_round_after_the_warm_up():
    calls = []
    steps = {name: (lambda name=name: calls.append(name) or name.upper()) for name in "ab"}
    results = timing.in_turns(steps, rounds=2, warmup=1, orders=[["b", "a"], ["a", "b"]])
    assert calls == ["a", "b", "b", "a", "a", "b"]
    assert results == {"a": ["A", "A"], "b": ["B", "B"]}


def test_in_turns_ms_times_each_call_in_turns(monkeypatch):
    clock = iter([0.0, 1.0, 1.0, 3.0, 3.0, 6.0, 6.0, 10.0])
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(clock))
    times = timing.in_turns_ms({"a": print, "b": print}, rounds=2, warmup=0)
    assert times == {"a": [1000.0, 3000.0], "b": [2000.0, 4000.0]}


def test_timed_ms_times_one_call(monkeypatch):
    clock = iter([2.0, 2.5])
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(clock))
    assert timing.timed_ms(print) == 500.0


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"steps": print, "rounds": 1}, TypeError, "steps=<built-in function print>: expected"),
        ({"steps": {}, "rounds": 1}, ValueError, r"steps=\{\}: expected at least one"),
        ({"steps": {"a": 3}, "rounds": 1}, TypeError, r"steps\['a'\]=3: expected a function"),
        ({"steps": {"a": print}, "rounds": 0}, ValueError, "rounds=0: expected a positive"),
        ({"steps": {"a": print}, "rounds": 1, "warmup": -1}, ValueError, "warmup=-1"),
        ({"steps": {"a": print}, "rounds": 2, "orders": [["a"]]}, ValueError, "expected 2 orders"),
        ({"steps": {"a": print}, "rounds": 1, "orders": [["b"]]}, ValueError, r"names \['a'\]"),
    ],
)
def test_in_turns_bad_input(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        timing.in_turns(**kwargs)


@pytest.mark.parametrize(
    "steps, error",
    [(None, TypeError), ({"a": None}, TypeError)],
)
def test_in_turns_ms_bad_input(steps, error):
    with pytest.raises(error, match="steps"):
        timing.in_turns_ms(steps, rounds=1)


def test_timed_ms_refuses_what_it_cannot_call():
    with pytest.raises(TypeError, match="step=1: expected a function"):
        timing.timed_ms(1)
