"""helpers.arithmetic against the real TensorFlow/Keras ops, on either CPU code path.

Each property test draws a configuration, asks the module for the output size, runs the
real op on a tiny tensor and compares. Every op runs in a child process (tests/tf_sandbox.py),
so that an op that crashes the process fails one test with a message instead of ending the
run. Where the module refuses a configuration (ValueError), TensorFlow must refuse it too: it
raises, or gives an empty (size 0) axis. TensorFlow's oneDNN code path (the default on CPUs
with AVX-512 VNNI/BF16 or AMX) has three known ways of its own to refuse, checked only there:
an AbortedError, a size made up for a window larger than its input, and killing the process.
On the Eigen path each of them is a failure.
"""

from __future__ import annotations

from helpers.arithmetic import (
    conv_output_size,
    effective_kernel_size,
    padding_amounts,
    pool_output_size,
    receptive_field,
    receptive_field_table,
    same_padding,
)
from helpers.cpu_paths import onednn_enabled
from helpers.floats import float32_sum_tolerance

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import event, given, settings
from hypothesis import strategies as st
from tf_sandbox import Crashed, Raised, Returned

ONEDNN = onednn_enabled()
REFUSALS = {"ValueError", "InvalidArgumentError"} | ({"AbortedError"} if ONEDNN else set())

sizes = st.integers(1, 40)
kernels = st.integers(1, 7)
strides = st.integers(1, 4)
dilations = st.integers(1, 4)
pairs = st.tuples(st.integers(0, 4), st.integers(0, 4))
names = st.sampled_from(["valid", "same", "VALID", "Same"])
# The same padding name on both axes (TF takes one string), or an explicit pair per axis.
conv_paddings = st.one_of(names.map(lambda p: (p, p)), st.tuples(pairs, pairs))


def predict(fn, *args, **kwargs):
    """The module's answer, or None where it raises ValueError."""
    try:
        return fn(*args, **kwargs)
    except ValueError:
        return None


def spatial_shape(result):
    return tuple(int(v) for v in result.shape[1:3])


def actual_shape(outcome):
    """The (height, width) TensorFlow gave, or None where it refused (or crashed, where that
    is a known way of refusing); anything else fails the test with what happened."""
    if isinstance(outcome, Returned):
        return outcome.value
    if isinstance(outcome, Raised) and outcome.error in REFUSALS:
        event(f"TF raises {outcome.error}")
        return None
    if isinstance(outcome, Crashed) and ONEDNN:
        event("TF (oneDNN) kills the process")
        return outcome
    pytest.fail(f"unexpected outcome from TensorFlow: {outcome}")


def assert_agree(predicted, outcome, empty_is_refusal=True):
    """Accepted axes must match TF exactly; a refused axis must be refused or empty in TF.
    On oneDNN only, a refusal may also be a crash, or a made-up shape (both of its axes made
    up, so neither is compared)."""
    actual = actual_shape(outcome)
    if isinstance(actual, Crashed):
        assert None in predicted, (
            f"TensorFlow crashed on a configuration the module accepts: {actual.how}"
        )
        return
    if None not in predicted:
        event("module accepts")
        assert actual == predicted, f"module {predicted}, TensorFlow {actual}"
        return
    if actual is None:
        event("module refuses, TF raises")
        return
    if ONEDNN and any(ours is None and theirs != 0 for ours, theirs in zip(predicted, actual)):
        event("module refuses, TF (oneDNN) makes up a shape")
        return
    for axis, (ours, theirs) in enumerate(zip(predicted, actual)):
        if ours is not None:
            assert theirs == ours, f"axis {axis}: module {predicted}, TensorFlow {actual}"
        else:
            assert theirs == 0, f"axis {axis}: module refuses, TensorFlow gives size {theirs}"
            assert empty_is_refusal, f"axis {axis}: module refuses, TensorFlow gives size 0"
            event("module refuses, TF gives an empty axis")


def random_tensor(shape, seed):
    return tf.constant(np.random.default_rng(seed).standard_normal(shape), tf.float32)


# Ops run in the sandbox's child process: module-level functions that return plain values.
def conv2d_shape(input_hw, kernel_hw, strides, padding, dilations):
    x, kernel = tf.zeros((1, *input_hw, 1)), tf.ones((*kernel_hw, 1, 1))
    return spatial_shape(tf.nn.conv2d(x, kernel, strides=strides, padding=padding,
                                      dilations=dilations))  # fmt: skip


def keras_conv2d_shape(input_hw, kernel_size, strides, dilation_rate, padding):
    layer = keras.layers.Conv2D(1, kernel_size, strides=strides, dilation_rate=dilation_rate,
                                padding=padding)  # fmt: skip
    return spatial_shape(layer(tf.zeros((1, *input_hw, 1))))


def max_pool_shapes(input_hw, pool, strides, padding):
    """Keras MaxPooling2D's shape and tf.nn.max_pool2d's (each, or the error it raised)."""
    x = tf.zeros((1, *input_hw, 1))
    layer = keras.layers.MaxPooling2D(pool, strides=strides, padding=padding)
    tf_strides = list(pool) if strides is None else list(strides)
    calls = (lambda: layer(x), lambda: tf.nn.max_pool2d(x, list(pool), tf_strides, padding.upper()))
    shapes = []
    for call in calls:
        try:
            shapes.append(Returned(spatial_shape(call())))
        except Exception as err:
            shapes.append(Raised(type(err).__name__, str(err).splitlines()[0]))
    return shapes


def same_vs_padded_valid(input_hw, kernel_hw, strides, dilations, rows, cols, seed):
    """(SAME result, VALID result on the input padded (rows, cols), sum |x*w| bound)."""
    x, kernel = random_tensor((1, *input_hw, 1), seed), random_tensor((*kernel_hw, 1, 1), seed + 1)
    conv = dict(strides=[1, *strides, 1], dilations=[1, *dilations, 1])
    same = tf.nn.conv2d(x, kernel, padding="SAME", **conv)
    padded = tf.pad(x, [[0, 0], list(rows), list(cols), [0, 0]])
    valid = tf.nn.conv2d(padded, kernel, padding="VALID", **conv)
    magnitude = tf.nn.conv2d(tf.abs(x), tf.abs(kernel), padding="SAME", **conv)
    return same.numpy(), valid.numpy(), float(tf.reduce_max(magnitude))


# ---------------------------------------------------------------- convolution output size
@settings(max_examples=400)
@given(n=sizes, m=sizes, k=kernels, k2=kernels, s=strides, s2=strides, d=dilations,
       d2=dilations, padding=conv_paddings)  # fmt: skip
def test_conv_output_size_matches_tf_nn_conv2d(tf_sandbox, n, m, k, k2, s, s2, d, d2, padding):
    p1, p2 = padding
    tf_padding = p1.upper() if isinstance(p1, str) else [[0, 0], list(p1), list(p2), [0, 0]]
    predicted = (
        predict(conv_output_size, n, k, stride=s, dilation=d, padding=p1),
        predict(conv_output_size, m, k2, stride=s2, dilation=d2, padding=p2),
    )
    outcome = tf_sandbox.run(conv2d_shape, (n, m), (k, k2), [1, s, s2, 1], tf_padding,
                             [1, d, d2, 1])  # fmt: skip
    assert_agree(predicted, outcome)


@settings(max_examples=60)
@given(n=sizes, m=sizes, k=kernels, s=strides, d=dilations, padding=names)
def test_conv_output_size_matches_keras_conv2d(tf_sandbox, n, m, k, s, d, padding):
    if s > 1 and d > 1:  # Keras refuses this pair; tf.nn.conv2d covers it above
        s = 1
    predicted = tuple(
        predict(conv_output_size, size, k, stride=s, padding=padding, dilation=d) for size in (n, m)
    )
    assert_agree(predicted, tf_sandbox.run(keras_conv2d_shape, (n, m), k, s, d, padding))


def test_stride_with_dilation_runs_in_tf_nn_conv2d_but_not_in_convolution_or_keras():
    x, kernel = random_tensor((1, 21, 17, 1), 0), random_tensor((3, 3, 1, 1), 1)
    y = tf.nn.conv2d(x, kernel, strides=2, dilations=2, padding="VALID")
    assert tuple(y.shape[1:3]) == (
        conv_output_size(21, 3, stride=2, dilation=2),
        conv_output_size(17, 3, stride=2, dilation=2),
    )
    # It is the stride-1 dilated convolution, subsampled: a real strided dilated convolution.
    dense = tf.nn.conv2d(x, kernel, strides=1, dilations=2, padding="VALID")[:, ::2, ::2]
    np.testing.assert_allclose(y.numpy(), dense.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="strides > 1"):
        tf.nn.convolution(x, kernel, strides=2, dilations=2, padding="VALID")
    with pytest.raises(ValueError, match="strides > 1"):
        keras.layers.Conv2D(1, 3, strides=2, dilation_rate=2)(x)


# ---------------------------------------------------------------- SAME padding split
@settings(max_examples=300)
@given(n=sizes, m=sizes, k=kernels, k2=kernels, s=strides, s2=strides, d=dilations,
       d2=dilations, seed=st.integers(0, 2**32 - 1))  # fmt: skip
def test_same_padding_reproduces_tf_same_values(tf_sandbox, n, m, k, k2, s, s2, d, d2, seed):
    rows, cols = (
        same_padding(n, k, stride=s, dilation=d),
        same_padding(m, k2, stride=s2, dilation=d2),
    )
    outcome = tf_sandbox.run(same_vs_padded_valid, (n, m), (k, k2), (s, s2), (d, d2), rows,
                             cols, seed)  # fmt: skip
    assert isinstance(outcome, Returned), f"unexpected outcome from TensorFlow: {outcome}"
    same, valid, magnitude = outcome.value
    assert same.shape == valid.shape
    tolerance = float32_sum_tolerance(k * k2, magnitude)
    difference = float(np.max(np.abs(same - valid)))
    assert difference <= tolerance, f"max |SAME - pad + VALID| = {difference:.3g} > {tolerance:.3g}"


@pytest.mark.parametrize(
    "n, k, s, d", [(6, 2, 1, 1), (7, 4, 2, 1), (8, 3, 2, 1), (10, 2, 1, 3), (12, 6, 3, 1)]
)
def test_same_padding_extra_zero_goes_after(n, k, s, d):
    # Shows the test above can fail: the mirrored split gives different values.
    before, after = same_padding(n, k, stride=s, dilation=d)
    assert after == before + 1, "this case must have an odd total padding"
    x, kernel = random_tensor((1, n, 1, 1), n), random_tensor((k, 1, 1, 1), k)
    conv = dict(strides=[1, s, 1, 1], dilations=[1, d, 1, 1])
    same = tf.nn.conv2d(x, kernel, padding="SAME", **conv).numpy()
    mirrored = tf.pad(x, [[0, 0], [after, before], [0, 0], [0, 0]])
    assert not np.allclose(same, tf.nn.conv2d(mirrored, kernel, padding="VALID", **conv).numpy())


# ---------------------------------------------------------------- pooling
@settings(max_examples=200)
@given(n=sizes, m=sizes, p=kernels, p2=kernels,
       stride=st.one_of(st.none(), st.tuples(strides, strides)), padding=names)  # fmt: skip
def test_pool_output_size_matches_keras_and_tf_max_pool(tf_sandbox, n, m, p, p2, stride, padding):
    s, s2 = stride if stride is not None else (None, None)
    predicted = (
        predict(pool_output_size, n, p, stride=s, padding=padding),
        predict(pool_output_size, m, p2, stride=s2, padding=padding),
    )
    outcome = tf_sandbox.run(max_pool_shapes, (n, m), (p, p2), stride, padding)
    if isinstance(outcome, Returned):  # Keras' layer, then tf.nn.max_pool2d
        for each in outcome.value:
            assert_agree(predicted, each)
    else:
        assert_agree(predicted, outcome)


# ---------------------------------------------------------------- receptive field
layer_specs = st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3))


def dilated_ones(k, d):
    """An all-ones kernel of k taps, dilated by hand: zeros in the gaps, undilated shape."""
    taps = np.zeros(effective_kernel_size(k, dilation=d), np.float32)
    taps[::d] = 1.0
    return tf.constant(taps.reshape(-1, 1, 1, 1))


def conv_stack(x, layers, dilate_in_op=True):
    for k, s, d in layers:
        kernel = tf.ones((k, 1, 1, 1)) if dilate_in_op else dilated_ones(k, d)
        x = tf.nn.conv2d(x, kernel, strides=[1, s, 1, 1], padding="VALID",
                         dilations=[1, d if dilate_in_op else 1, 1, 1])  # fmt: skip
    return x


def influence_matrix(layers, length):
    """The real dilated op, fed one one-hot signal per input pixel: column j of the result
    says how much output unit j depends on each input pixel."""
    return conv_stack(tf.eye(length)[:, :, None, None], layers)[:, :, 0, 0].numpy()


def input_gradient(layers, length, unit):
    """d(output unit)/d(input) via tf.GradientTape. Eigen's CPU kernels have no gradient for
    a dilated conv2d (oneDNN has one), so the dilation goes into the kernel as zeros."""
    x = tf.Variable(tf.zeros((1, length, 1, 1)))
    with tf.GradientTape() as tape:
        y = conv_stack(x, layers, dilate_in_op=False)[0, unit, 0, 0]
    return tape.gradient(y, x)[0, :, 0, 0].numpy()


@settings(max_examples=100)
@given(
    layers=st.lists(layer_specs, min_size=1, max_size=4), extra=st.integers(0, 12), data=st.data()
)
def test_receptive_field_matches_the_pixels_one_output_depends_on(tf_sandbox, layers, extra, data):
    table = receptive_field_table(layers)
    field, jump = receptive_field(layers), table[-1]["jump"]
    length = field + extra  # a 1-D signal, as (batch, length, 1, 1)

    influence = tf_sandbox.run(influence_matrix, layers, length)
    assert isinstance(influence, Returned), f"unexpected outcome from TensorFlow: {influence}"
    influence = influence.value
    unit = data.draw(st.integers(0, influence.shape[1] - 1), label="output unit")
    gradient = tf_sandbox.run(input_gradient, layers, length, unit)
    assert isinstance(gradient, Returned), f"unexpected outcome from TensorFlow: {gradient}"
    gradient = gradient.value
    np.testing.assert_array_equal(gradient, influence[:, unit])

    seen = np.flatnonzero(gradient)
    assert seen[-1] - seen[0] + 1 == field
    assert seen[0] == unit * jump


def test_receptive_field_layer_forms_agree():
    tuples = [(3, 1, 1), (2, 2, 1), (3, 1, 2)]
    forms = [[(3, 1), (2, 2), (3, 1, 2)],
             [{"kernel_size": 3}, {"kernel_size": 2, "stride": 2},
              {"kernel_size": 3, "dilation": 2}],
             [tuple(np.int64(v) for v in layer) for layer in tuples]]  # fmt: skip
    for form in forms:
        assert receptive_field_table(form) == receptive_field_table(tuples)
    assert [row["layer"] for row in receptive_field_table(tuples)] == [1, 2, 3]
    assert receptive_field(tuples) == receptive_field_table(tuples)[-1]["receptive_field"]


def test_numpy_integers_are_accepted_and_plain_ints_come_back():
    result = conv_output_size(
        np.int64(28), np.int32(3), stride=np.int64(2), padding=(np.int64(1), 0)
    )
    assert result == conv_output_size(28, 3, stride=2, padding=(1, 0))
    assert type(result) is int


# ---------------------------------------------------------------- bad input
BAD_INPUTS = [
    (ValueError, effective_kernel_size, (0,), {}, ["kernel_size=0", "positive integer"]),
    (TypeError, effective_kernel_size, (True,), {}, ["kernel_size=True", "positive integer"]),
    (TypeError, effective_kernel_size, (2.0,), {}, ["kernel_size=2.0", "positive integer"]),
    (ValueError, effective_kernel_size, (3,), {"dilation": 0}, ["dilation=0", "positive integer"]),
    (ValueError, same_padding, (0, 3), {}, ["input_size=0", "positive integer"]),
    (ValueError, same_padding, (5, 3), {"stride": -1}, ["stride=-1", "positive integer"]),
    (TypeError, same_padding, (5, 3), {"dilation": None}, ["dilation=None", "positive integer"]),
    (ValueError, conv_output_size, (-5, 3), {}, ["input_size=-5", "positive integer"]),
    (TypeError, conv_output_size, ("28", 3), {}, ["input_size='28'", "positive integer"]),
    (ValueError, conv_output_size, (5, 3), {"stride": 0}, ["stride=0", "positive integer"]),
    (ValueError, conv_output_size, (5, 3), {"padding": "full"},
     ["padding='full'", "expected 'valid', 'same'"]),
    (ValueError, conv_output_size, (5, 3), {"padding": (1,)}, ["padding=(1,)", "(before, after)"]),
    (ValueError, conv_output_size, (5, 3), {"padding": (1, -1)},
     ["padding=(1, -1)", "non-negative"]),
    (ValueError, conv_output_size, (5, 3), {"padding": (1, 1, 1)},
     ["padding=(1, 1, 1)", "(before, after)"]),
    (TypeError, conv_output_size, (5, 3), {"padding": (1.0, 1)}, ["padding=(1.0, 1)", "integers"]),
    (TypeError, conv_output_size, (5, 3), {"padding": (True, 0)},
     ["padding=(True, 0)", "integers"]),
    (TypeError, conv_output_size, (5, 3), {"padding": None}, ["padding=None", "expected"]),
    (ValueError, conv_output_size, (4, 3), {"dilation": 2},
     ["kernel_size=3", "dilation=2", "input_size=4", "spans 5"]),
    (ValueError, conv_output_size, (2, 5), {"padding": (1, 1)},
     ["input_size=2", "padding=(1, 1)", "no larger"]),
    (ValueError, pool_output_size, (2, 3), {}, ["pool_size=3", "input_size=2", "no larger"]),
    (ValueError, pool_output_size, (5, 0), {}, ["pool_size=0", "positive integer"]),
    (ValueError, pool_output_size, (5, 2), {"stride": 0}, ["stride=0", "positive integer"]),
    (TypeError, pool_output_size, (5, 2), {"padding": (1, 1)},
     ["padding=(1, 1)", "expected 'valid' or 'same'"]),
    (ValueError, receptive_field, ([],), {}, ["layers=[]", "non-empty"]),
    (TypeError, receptive_field, ("abc",), {}, ["layers='abc'", "non-empty list"]),
    (ValueError, receptive_field, ([(3,)],), {},
     ["layers[0]=(3,)", "(kernel_size, stride, dilation)"]),
    (ValueError, receptive_field, ([(3, 1, 1), (3, 1, 1, 1)],), {},
     ["layers[1]=(3, 1, 1, 1)", "expected"]),
    (ValueError, receptive_field, ([{"kernel": 3}],), {},
     ["layers[0]={'kernel': 3}", "kernel_size"]),
    (ValueError, receptive_field, ([(3, 0, 1)],), {}, ["stride=0", "positive integer"]),
    (ValueError, receptive_field, ([(3, 1, 1), (0, 1, 1)],), {},
     ["kernel_size=0", "positive integer"]),
    (TypeError, receptive_field_table, (None,), {}, ["layers=None", "non-empty list"]),
    (TypeError, receptive_field, ([3],), {}, ["layers[0]=3", "(kernel_size, stride, dilation)"]),
    (ValueError, padding_amounts, (5, 3), {"padding": "full"},
     ["padding='full'", "expected 'valid'"]),
    (TypeError, padding_amounts, (5, 3), {"padding": (1, 2.5)}, ["padding=(1, 2.5)", "integers"]),
    (ValueError, padding_amounts, (2, 5), {"padding": (1, 1)}, ["input_size=2", "no larger"]),
    (TypeError, padding_amounts, (5, 3), {"stride": 1.5}, ["stride=1.5", "positive integer"]),
]  # fmt: skip


@settings(max_examples=300)
@given(n=sizes, k=kernels, s=strides, d=dilations,
       padding=st.one_of(names, st.tuples(st.integers(0, 4), st.integers(0, 4))))  # fmt: skip
def test_padding_amounts_is_the_padding_conv_output_size_counts(n, k, s, d, padding):
    """Whatever the padding, conv_output_size equals a VALID convolution of the input padded
    by padding_amounts: the one split the drawing code uses."""
    options = {"stride": s, "padding": padding, "dilation": d}
    out = predict(conv_output_size, n, k, **options)
    pads = predict(padding_amounts, n, k, **options)
    assert (out is None) == (pads is None)
    if out is not None:
        padded = n + pads[0] + pads[1]
        assert out == conv_output_size(padded, k, stride=s, dilation=d)
        if not isinstance(padding, str) or padding == "valid":
            assert pads == ((0, 0) if padding == "valid" else padding)


@pytest.mark.parametrize("fn", [conv_output_size, padding_amounts, same_padding, pool_output_size])
def test_stride_padding_and_dilation_are_keyword_only(fn):
    # conv_output_size(28, 3, 2) once meant stride=2 here and dilation=2 elsewhere
    with pytest.raises(TypeError, match="positional argument"):
        fn(28, 3, 2)
    with pytest.raises(TypeError, match="positional argument"):
        effective_kernel_size(3, 2)


@pytest.mark.parametrize(
    "error, fn, args, kwargs, fragments",
    BAD_INPUTS,
    ids=[f"{c[1].__name__}-{i}" for i, c in enumerate(BAD_INPUTS)],
)
def test_bad_input_names_argument_and_value(error, fn, args, kwargs, fragments):
    """A value of the wrong type raises TypeError, a wrong value ValueError."""
    with pytest.raises(error) as info:
        fn(*args, **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)
