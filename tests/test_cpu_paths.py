"""helpers.cpu_paths: the path this process uses, and one function run on both paths."""

from __future__ import annotations

import os
import signal

from helpers import cpu_paths
from helpers.cpu_paths import (
    code_path_name,
    compare_cpu_paths,
    describe_exit,
    onednn_enabled,
    run_on_both_paths,
)

import numpy as np
import pytest


# A convolution whose 1x2 kernel is wider than its 1x1 input: Eigen gives an empty axis,
# oneDNN a made-up size (TensorFlow 2.21). Behaviour that tells the two paths apart.
def probe_path(width):
    from helpers.cpu_paths import code_path_name, onednn_enabled
    from helpers.errors import attempt

    import tensorflow as tf

    print(onednn_enabled(), code_path_name())
    attempt(lambda: tf.nn.conv2d(tf.zeros((1, 1, 1, 1)), tf.ones((1, width, 1, 1)), 1, "VALID"))


@pytest.fixture(scope="module")
def probe():
    return run_on_both_paths(probe_path, 2)


def test_each_child_reports_its_forced_path_and_behaves_like_it(probe):
    assert probe == {
        "Eigen": "False Eigen\nworks, shape (1, 1, 0, 1)\n",
        "oneDNN": "True oneDNN\nworks, shape (1, 1, 1, 1)\n",
    }


def test_this_process_follows_the_variable(monkeypatch):
    assert onednn_enabled() in {True, False}
    assert code_path_name() == ("oneDNN" if onednn_enabled() else "Eigen")


def crash_on_onednn():
    import os
    import signal

    print("before")
    if os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1":
        os.kill(os.getpid(), signal.SIGFPE)
    raise SystemExit("stopped on purpose")


def sleep(seconds):
    import time

    time.sleep(seconds)


def test_crashes_failures_and_timeouts_are_reported_after_what_was_printed():
    outputs = run_on_both_paths(crash_on_onednn)
    assert outputs["oneDNN"] == "before\n(the process died: SIGFPE, Floating point exception)\n"
    assert outputs["Eigen"] == "before\n(the process exited with status 1: stopped on purpose)\n"


def test_a_child_that_runs_too_long_is_stopped():
    outputs = run_on_both_paths(sleep, 60, timeout=0.5)
    assert set(outputs.values()) == {"(the process did not finish within 0.5 s)\n"}


def report_start_and_end():
    import os
    import time

    start = time.monotonic()
    time.sleep(3)  # longer than the two processes' start-ups differ
    print(os.environ["TF_ENABLE_ONEDNN_OPTS"], start, time.monotonic())


@pytest.mark.parametrize("together", [True, False])
def test_the_two_processes_run_together_or_one_after_the_other(together):
    outputs = run_on_both_paths(report_start_and_end, together=together)
    (_, _, eigen_end), (_, onednn_start, _) = (
        [float(field) for field in outputs[path].split()] for path in ("Eigen", "oneDNN")
    )
    # time.monotonic is one clock for every process on the machine
    assert (onednn_start < eigen_end) is together


def test_compare_prints_one_labelled_block_per_path(monkeypatch, capsys):
    fake = {"Eigen": "one\n", "oneDNN": ""}
    monkeypatch.setattr(cpu_paths, "run_on_both_paths", lambda function, *args, timeout: fake)
    compare_cpu_paths(sleep, 0)
    assert capsys.readouterr().out == (
        "Eigen (TF_ENABLE_ONEDNN_OPTS=0):\none\n"
        "oneDNN (TF_ENABLE_ONEDNN_OPTS=1):\n(printed nothing)\n"
    )


def test_describe_exit():
    assert describe_exit(0) == "exited with status 0"
    assert describe_exit(3) == "exited with status 3"
    assert describe_exit(-signal.SIGSEGV) == "died: SIGSEGV, Segmentation fault"
    assert describe_exit(-200) == "died: signal 200"


def uses_a_global():
    print(os.getcwd(), np.pi)


def make_closure():
    n = 1

    def inner():
        print(n)

    return inner


def nested_use():
    def inner():
        return sleep

    print(inner)


@pytest.mark.parametrize(
    "args, kwargs, error, fragments",
    [
        (("print(1)",), {}, TypeError, ["function='print(1)'", "defined with def"]),
        ((lambda: 1,), {}, ValueError, ["function=<function", "defined with def"]),
        ((print,), {}, TypeError, ["function=<built-in", "defined with def"]),
        ((make_closure(),), {}, ValueError, ["function=inner", "(n)", "top level"]),
        ((uses_a_global,), {}, ValueError, ["function=uses_a_global: it uses os from outside"]),
        ((nested_use,), {}, ValueError, ["function=nested_use: it uses sleep from outside"]),
        ((sleep, np.float32(1)), {}, TypeError, ["args[0]=", "Python literal"]),
        ((sleep, object()), {}, TypeError, ["args[0]=<object", "Python literal"]),
        ((sleep,), {}, TypeError, ["function=sleep:", "seconds"]),
        ((sleep, 1, 2), {}, TypeError, ["function=sleep:", "too many"]),
        ((sleep, 1), {"timeout": 0}, ValueError, ["timeout=0", "positive, finite number"]),
        ((sleep, 1), {"timeout": -1.5}, ValueError, ["timeout=-1.5", "positive, finite number"]),
        ((sleep, 1), {"timeout": True}, TypeError, ["timeout=True", "positive number"]),
        ((sleep, 1), {"timeout": "5"}, TypeError, ["timeout='5'", "positive number"]),
        ((sleep, 1), {"timeout": None}, TypeError, ["timeout=None", "positive number"]),
        ((sleep, 1), {"timeout": float("nan")}, ValueError, ["timeout=nan", "positive"]),
        ((sleep, 1), {"together": 1}, TypeError, ["together=1: expected True or False"]),
    ],
)
def test_bad_input_to_run_on_both_paths(args, kwargs, error, fragments):
    with pytest.raises(error) as info:
        run_on_both_paths(*args, **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_literal_arguments_reach_the_child_unchanged():
    outputs = run_on_both_paths(show_arguments, 3, -0.5, "a\tb", (1, [2]), {"k": None})
    assert set(outputs.values()) == {"3 -0.5 'a\\tb' (1, [2]) {'k': None}\n"}


def show_arguments(*values):
    print(*(repr(value) for value in values))


@pytest.mark.parametrize("value", [None, 1.5, True, "-8"])
def test_bad_input_to_describe_exit(value):
    with pytest.raises(TypeError, match=f"returncode={value!r}: expected an integer"):
        describe_exit(value)


def test_describe_exit_takes_numpy_integers_as_every_helper_does():
    assert describe_exit(np.int64(-signal.SIGSEGV)) == "died: SIGSEGV, Segmentation fault"
    assert describe_exit(np.int32(3)) == "exited with status 3"
