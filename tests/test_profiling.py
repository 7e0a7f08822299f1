"""helpers.profiling: op times read from TensorFlow's profiler trace, grouped by regex."""

from __future__ import annotations

from helpers.profiling import group_op_times, profile_ops, read_op_times

import pytest


def tiny_step():
    """A small tf.function with a convolution and a matmul, and a run that forces it."""
    import tensorflow as tf

    x = tf.random.normal([2, 16, 16, 3])
    kernel = tf.random.normal([3, 3, 3, 8])
    weights = tf.random.normal([16 * 16 * 8, 10])

    @tf.function
    def step():
        y = tf.nn.relu(tf.nn.conv2d(x, kernel, strides=1, padding="SAME"))
        return tf.reduce_sum(tf.matmul(tf.reshape(y, [2, -1]), weights))

    float(step())  # traced outside the profile
    return lambda: [float(step()) for _ in range(3)]


def test_profile_ops_finds_a_convolution_with_positive_time(tmp_path):
    times = profile_ops(tiny_step(), tmp_path / "fresh" / "dir")
    convs = {name: ms for name, ms in times.items() if "Conv2D" in name.split(":")[1]}
    assert convs and all(ms > 0 for ms in convs.values())
    assert all(name.count(":") == 1 for name in times)  # ops only, no 'Executor::...'
    assert read_op_times(tmp_path / "fresh" / "dir") == times


def test_profile_ops_stops_the_profiler_when_run_raises_and_refuses_a_second_one(tmp_path):
    import tensorflow as tf

    def fails():
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        profile_ops(fails, str(tmp_path))
    tf.profiler.experimental.start(str(tmp_path / "outer"))  # works: the first one stopped
    try:
        with pytest.raises(RuntimeError, match="a profile is already running"):
            profile_ops(print, tmp_path / "inner")
    finally:
        tf.profiler.experimental.stop()


def test_read_op_times_names_logdir_when_there_is_no_trace(tmp_path):
    with pytest.raises(ValueError, match=r"logdir=.*: no \*\.xplane\.pb trace"):
        read_op_times(tmp_path)


def test_read_op_times_names_logdir_when_the_trace_has_no_host_plane(tmp_path):
    (tmp_path / "empty.xplane.pb").write_bytes(b"")  # an empty XSpace: no planes
    with pytest.raises(ValueError, match=r"logdir=.*no /host:CPU plane"):
        read_op_times(tmp_path)


def test_group_op_times_sums_by_first_matching_rule_in_rule_order():
    times = {
        "gradient_tape/cnn/conv1/Conv2DBackpropFilter:Conv2DBackpropFilter": 4.0,
        "cnn/conv1/Relu:_FusedConv2D": 3.0,
        "cnn/dense/MatMul:MatMul": 2.0,
        "Adam/update:ResourceApplyAdam": 1.5,
        "loss/Sum:Sum": 0.25,
    }
    rules = [("backward", r"^gradient_tape/"), ("conv", r"Conv2D"), ("unused", r"^nothing$")]
    grouped = group_op_times(times, rules, other="rest")
    assert grouped == {"backward": 4.0, "conv": 3.0, "unused": 0.0, "rest": 3.75}
    assert list(grouped) == ["backward", "conv", "unused", "rest"]
    assert group_op_times({}, [("a", "x")]) == {"a": 0.0, "other": 0.0}


@pytest.mark.parametrize(
    "args, error, fragment",
    [
        (([1.0], [("a", "x")]), TypeError, "times=[1.0]: expected a dict"),
        (({"op:A": "1"}, [("a", "x")]), TypeError, "times['op:A']='1': expected"),
        (({"op:A": True}, [("a", "x")]), TypeError, "times['op:A']=True: expected"),
        (({3: 1.0}, [("a", "x")]), TypeError, "times[3]=1.0: expected a str key"),
        (({"op:A": -1.0}, [("a", "x")]), ValueError, "times['op:A']=-1.0: expected a non-neg"),
        (({"op:A": float("nan")}, [("a", "x")]), ValueError, "times['op:A']=nan: expected"),
        (({}, []), ValueError, "rules=[]: expected a non-empty sequence"),
        (({}, "ab"), TypeError, "rules='ab': expected a non-empty sequence"),
        (({}, None), TypeError, "rules=None: expected a non-empty sequence"),
        (({}, [("a", "x"), ["b", "y"]]), TypeError, "rules[1]=['b', 'y']: expected a (categ"),
        (({}, [("a", "x", "y")]), ValueError, "rules[0]=('a', 'x', 'y'): expected"),
        (({}, [("a", 3)]), TypeError, "rules[0]=('a', 3): expected"),
        (({}, [("a", "x"), ("b", "(")]), ValueError, "rules[1]=('b', '('): bad regular expr"),
        (({}, [("a", "x")], "a"), ValueError, "other='a': expected a non-empty str that no"),
        (({}, [("a", "x")], ""), ValueError, "other='': expected"),
        (({}, [("a", "x")], None), TypeError, "other=None: expected a non-empty str"),
        (({"op:A": float("inf")}, [("a", "x")]), ValueError, "times['op:A']=inf: expected"),
    ],
)
def test_group_op_times_names_the_bad_argument(args, error, fragment):
    with pytest.raises(error) as caught:
        group_op_times(*args)
    assert fragment in str(caught.value)


def test_profile_ops_names_a_run_that_is_not_callable(tmp_path):
    with pytest.raises(TypeError, match="run=3: expected a function"):
        profile_ops(3, tmp_path)
    with pytest.raises(TypeError, match="logdir=None: expected a str"):
        profile_ops(print, None)
