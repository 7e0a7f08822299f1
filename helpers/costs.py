"""What a convolution layer costs: its parameters and its multiply-accumulates (MACs).

For a ``kxk`` kernel, ``C_in`` input and ``C_out`` output channels, on an output of
``HxW`` pixels (stride and padding decide it: :func:`helpers.arithmetic.conv_output_size`):

- standard convolution: ``k²·C_in·C_out`` weights, ``H·W·k²·C_in·C_out`` MACs;
- depthwise (one ``kxk`` filter per input channel, ``depth_multiplier`` ``m`` of them):
  ``k²·C_in·m`` weights, ``H·W·k²·C_in·m`` MACs;
- pointwise (a ``1x1`` convolution): ``C_in·C_out`` weights, ``H·W·C_in·C_out`` MACs;
- separable = depthwise, then pointwise on its ``C_in·m`` channels.

Biases add one parameter per output channel (and no MACs). :func:`count_flops` asks
TensorFlow's own graph profiler for the float operations of a model, to check the MACs.

>>> conv_params(3, 3, 64)
1792
>>> separable_params(3, 3, 64)
283
>>> conv_macs(64, 64, kernel_size=3, in_channels=3, out_channels=64)
7077888
"""

from __future__ import annotations

from helpers._checks import integer


def _kernel_area(kernel_size) -> int:
    if isinstance(kernel_size, tuple | list):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size={kernel_size!r}: expected an integer or (height, width)")
        height = integer("kernel_size[0]", kernel_size[0], low=1)
        width = integer("kernel_size[1]", kernel_size[1], low=1)
        return height * width
    return integer("kernel_size", kernel_size, low=1) ** 2


def _bias(use_bias) -> int:
    if not isinstance(use_bias, bool):
        raise TypeError(f"use_bias={use_bias!r}: expected True or False")
    return int(use_bias)


def conv_params(kernel_size, in_channels: int, out_channels: int, *, use_bias: bool = True) -> int:
    """Parameters of a standard ``Conv2D``: ``k²·C_in·C_out`` (+ ``C_out`` biases).

    >>> conv_params(3, 128, 128, use_bias=False)
    147456
    """
    c_in = integer("in_channels", in_channels, low=1)
    c_out = integer("out_channels", out_channels, low=1)
    return _kernel_area(kernel_size) * c_in * c_out + _bias(use_bias) * c_out


def depthwise_params(
    kernel_size, in_channels: int, *, depth_multiplier: int = 1, use_bias: bool = True
) -> int:
    """Parameters of a ``DepthwiseConv2D``: ``k²·C_in·m`` (+ ``C_in·m`` biases).

    >>> depthwise_params(3, 3)
    30
    """
    channels = integer("in_channels", in_channels, low=1) * integer(
        "depth_multiplier", depth_multiplier, low=1
    )
    return _kernel_area(kernel_size) * channels + _bias(use_bias) * channels


def separable_params(
    kernel_size,
    in_channels: int,
    out_channels: int,
    *,
    depth_multiplier: int = 1,
    use_bias: bool = True,
) -> int:
    """Parameters of a ``SeparableConv2D``: depthwise ``k²·C_in·m``, pointwise
    ``C_in·m·C_out``, and ``C_out`` biases (one bias, after the pointwise step).

    >>> separable_params(3, 128, 128, use_bias=False)
    17536
    """
    depthwise = depthwise_params(
        kernel_size, in_channels, depth_multiplier=depth_multiplier, use_bias=False
    )
    pointwise = conv_params(1, in_channels * depth_multiplier, out_channels, use_bias=use_bias)
    return depthwise + pointwise


def _pixels(out_height, out_width) -> int:
    return integer("out_height", out_height, low=1) * integer("out_width", out_width, low=1)


def conv_macs(
    out_height: int, out_width: int, *, kernel_size, in_channels: int, out_channels: int
) -> int:
    """Multiply-accumulates of a standard convolution: ``H·W·k²·C_in·C_out``.

    >>> conv_macs(56, 56, kernel_size=3, in_channels=128, out_channels=128)
    462422016
    """
    return _pixels(out_height, out_width) * conv_params(
        kernel_size, in_channels, out_channels, use_bias=False
    )


def depthwise_macs(
    out_height: int, out_width: int, *, kernel_size, in_channels: int, depth_multiplier: int = 1
) -> int:
    """Multiply-accumulates of a depthwise convolution: ``H·W·k²·C_in·m``.

    >>> depthwise_macs(56, 56, kernel_size=3, in_channels=128)
    3612672
    """
    return _pixels(out_height, out_width) * depthwise_params(
        kernel_size, in_channels, depth_multiplier=depth_multiplier, use_bias=False
    )


def separable_macs(
    out_height: int,
    out_width: int,
    *,
    kernel_size,
    in_channels: int,
    out_channels: int,
    depth_multiplier: int = 1,
) -> int:
    """Multiply-accumulates of depthwise + pointwise: ``H·W·(k²·C_in·m + C_in·m·C_out)``.

    >>> separable_macs(56, 56, kernel_size=3, in_channels=128, out_channels=128)
    54992896
    """
    return _pixels(out_height, out_width) * separable_params(
        kernel_size,
        in_channels,
        out_channels,
        depth_multiplier=depth_multiplier,
        use_bias=False,
    )


def count_flops(model, input_shape) -> int:
    """Float operations of one forward pass of ``model`` on a batch of one, as TensorFlow's
    graph profiler (``tf.compat.v1.profiler``) counts them: a multiply-accumulate is 2.

    ``input_shape`` is one example's shape, without the batch axis.

    >>> import keras
    >>> layer = keras.layers.Conv2D(64, 3, padding="same", use_bias=False)
    >>> count_flops(keras.Sequential([keras.Input((64, 64, 3)), layer]), (64, 64, 3))
    14155776
    """
    if not callable(model):
        raise TypeError(f"model={model!r}: expected a Keras model or another callable")
    if not isinstance(input_shape, tuple | list):
        raise TypeError(f"input_shape={input_shape!r}: expected a tuple such as (64, 64, 3)")
    if not input_shape:
        raise ValueError(f"input_shape={input_shape!r}: expected a tuple such as (64, 64, 3)")
    shape = tuple(integer(f"input_shape[{i}]", s, low=1) for i, s in enumerate(input_shape))

    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2_as_graph,
    )

    spec = tf.TensorSpec((1, *shape))
    concrete = tf.function(lambda x: model(x)).get_concrete_function(spec)
    _, graph_def = convert_variables_to_constants_v2_as_graph(concrete)
    profiler = tf.compat.v1.profiler
    options = (
        profiler.ProfileOptionBuilder(profiler.ProfileOptionBuilder.float_operation())
        .with_empty_output()
        .build()
    )
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # the v1 profiler logs a deprecation notice on every call
    try:
        with tf.Graph().as_default() as graph:
            tf.graph_util.import_graph_def(graph_def, name="")
            report = profiler.profile(
                graph=graph, run_meta=tf.compat.v1.RunMetadata(), cmd="op", options=options
            )
    finally:
        logger.setLevel(level)
    return int(report.total_float_ops)
