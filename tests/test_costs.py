"""helpers.costs against Keras' own parameter counts and TensorFlow's own float-operation
count, for random layer sizes; and every bad argument refused with its name."""

import doctest
import random

import helpers.costs
from helpers.arithmetic import conv_output_size
from helpers.costs import (
    conv_macs,
    conv_params,
    count_flops,
    depthwise_macs,
    depthwise_params,
    separable_macs,
    separable_params,
)

import keras
import pytest


def test_docstring_examples():
    assert doctest.testmod(helpers.costs).failed == 0


def _random_layers(count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        yield (
            rng.choice([1, 3, 5, (3, 5), (1, 7)]),  # kernel size
            rng.randint(1, 48),  # in channels
            rng.randint(1, 48),  # out channels
            rng.randint(1, 3),  # depth multiplier
            rng.choice([True, False]),  # use_bias
        )


@pytest.mark.parametrize("kernel, c_in, c_out, m, bias", list(_random_layers(12, seed=6)))
def test_parameter_counts_match_keras(kernel, c_in, c_out, m, bias):
    shape = keras.Input(shape=(9, 9, c_in))
    layers = {
        conv_params(kernel, c_in, c_out, use_bias=bias): keras.layers.Conv2D(
            c_out, kernel, use_bias=bias
        ),
        depthwise_params(kernel, c_in, depth_multiplier=m, use_bias=bias): (
            keras.layers.DepthwiseConv2D(kernel, depth_multiplier=m, use_bias=bias)
        ),
        separable_params(kernel, c_in, c_out, depth_multiplier=m, use_bias=bias): (
            keras.layers.SeparableConv2D(c_out, kernel, depth_multiplier=m, use_bias=bias)
        ),
    }
    for ours, layer in layers.items():
        layer(shape)
        assert ours == layer.count_params(), type(layer).__name__


@pytest.mark.parametrize("kernel, c_in, c_out, m, _", list(_random_layers(4, seed=7)))
def test_macs_are_half_of_tensorflows_float_operations(kernel, c_in, c_out, m, _):
    size = 12
    k = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    out = [conv_output_size(size, ki, stride=2, padding="same") for ki in k]
    cases = [
        (
            conv_macs(*out, kernel_size=kernel, in_channels=c_in, out_channels=c_out),
            keras.layers.Conv2D(c_out, kernel, strides=2, padding="same", use_bias=False),
        ),
        (
            depthwise_macs(*out, kernel_size=kernel, in_channels=c_in, depth_multiplier=m),
            keras.layers.DepthwiseConv2D(
                kernel, strides=2, padding="same", depth_multiplier=m, use_bias=False
            ),
        ),
        (
            separable_macs(
                *out, kernel_size=kernel, in_channels=c_in, out_channels=c_out, depth_multiplier=m
            ),
            keras.layers.SeparableConv2D(
                c_out, kernel, strides=2, padding="same", depth_multiplier=m, use_bias=False
            ),
        ),
    ]
    for macs, layer in cases:
        model = keras.Sequential([keras.Input((size, size, c_in)), layer])
        assert count_flops(model, (size, size, c_in)) == 2 * macs, type(layer).__name__


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: conv_params(0, 3, 8), ValueError, "kernel_size=0: expected a positive integer"),
        (lambda: conv_params(3.0, 3, 8), TypeError,
         "kernel_size=3.0: expected a positive integer"),
        (lambda: conv_params((3,), 3, 8), ValueError,
         "kernel_size=(3,): expected an integer or (height, width)"),
        (lambda: conv_params((3, 0), 3, 8), ValueError,
         "kernel_size[1]=0: expected a positive integer"),
        (lambda: conv_params((3, 1.5), 3, 8), TypeError,
         "kernel_size[1]=1.5: expected a positive integer"),
        (lambda: conv_params(3, 0, 8), ValueError, "in_channels=0: expected a positive integer"),
        (lambda: conv_params(3, 3, "8"), TypeError,
         "out_channels='8': expected a positive integer"),
        (lambda: conv_params(3, 3, 8, use_bias=1), TypeError,
         "use_bias=1: expected True or False"),
        (lambda: depthwise_params(3, 3, depth_multiplier=0), ValueError,
         "depth_multiplier=0: expected a positive integer"),
        (lambda: separable_params(3, 3, 8, depth_multiplier=True), TypeError,
         "depth_multiplier=True: expected a positive integer"),
        (lambda: conv_macs(0, 4, kernel_size=3, in_channels=1, out_channels=1), ValueError,
         "out_height=0: expected a positive integer"),
        (lambda: depthwise_macs(4, -1, kernel_size=3, in_channels=1), ValueError,
         "out_width=-1: expected a positive integer"),
        (lambda: separable_macs(4, 4, kernel_size=3, in_channels=1, out_channels=None),
         TypeError, "out_channels=None: expected a positive integer"),
        (lambda: count_flops("model", (8, 8, 3)), TypeError,
         "model='model': expected a Keras model or another callable"),
        (lambda: count_flops(keras.Sequential(), ()), ValueError,
         "input_shape=(): expected a tuple such as (64, 64, 3)"),
        (lambda: count_flops(keras.Sequential(), "8,8,3"), TypeError,
         "input_shape='8,8,3': expected a tuple such as (64, 64, 3)"),
        (lambda: count_flops(keras.Sequential(), (8, 0, 3)), ValueError,
         "input_shape[1]=0: expected a positive integer"),
    ],
)  # fmt: skip
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error and str(info.value) == message
