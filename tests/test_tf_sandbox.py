"""The sandbox contains a crash: a property test whose TensorFlow call kills the process
fails with a message that says so, and the tests after it still run."""

from __future__ import annotations

import pathlib

import pytest

TESTS = pathlib.Path(__file__).parent

INNER = """
import os

from hypothesis import given, settings
from hypothesis import strategies as st
from tf_sandbox import Crashed, Returned, Sandbox

SANDBOX = Sandbox()


def pool_one_pixel(window):
    # 1x1 input, a larger window, stride 1: TensorFlow 2.21 on oneDNN dies with SIGFPE.
    import tensorflow as tf

    return tuple(tf.nn.max_pool2d(tf.zeros((1, 1, 1, 1)), window, 1, "VALID").shape)


def abort(window):
    os.abort()


@settings(max_examples=3, derandomize=True, database=None)
@given(window=st.just(2))
def test_crashing_call(window):
    outcome = SANDBOX.run({call}, window)
    assert not isinstance(outcome, Crashed), outcome.how


def test_after_the_crash():
    assert SANDBOX.run(pool_one_pixel, 1) == Returned((1, 1, 1, 1))
"""


@pytest.mark.parametrize("call, signal_name", [("pool_one_pixel", "SIGFPE"), ("abort", "SIGABRT")])
def test_a_crash_fails_one_test_with_a_message(pytester, monkeypatch, call, signal_name):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    pytester.makepyfile(test_inner=INNER.replace("{call}", call))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [f"*the child process running {call}(2,) died: {signal_name}*", "*window=2*"]
    )
