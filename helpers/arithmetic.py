"""Convolution arithmetic, exactly as TensorFlow and Keras do it: output sizes, the padding
each side gets, and receptive fields. One spatial axis at a time, plain Python integers;
call a function once per axis for 2-D layers.

Every function takes the sizes first (``input_size``, ``kernel_size`` or ``pool_size``) and
then, keyword-only and always in this order, ``stride``, ``padding`` and ``dilation``.

Stride > 1 together with dilation > 1 is valid arithmetic here. In TensorFlow 2.21 on the
CPU, ``tf.nn.conv2d(x, k, strides=2, dilations=2, ...)`` runs (and equals the stride-1
dilated result subsampled), while ``tf.nn.convolution`` and ``keras.layers.Conv2D`` refuse
the combination with a ``ValueError``; tests/test_arithmetic.py checks all three.

>>> conv_output_size(28, kernel_size=3, stride=2, padding="same")
14
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from helpers._checks import integer, is_integer

_PADDING_EXPECTED = "expected 'valid', 'same' or a (before, after) pair of non-negative integers"


def _positive(name: str, value) -> int:
    return integer(name, value, 1)


def _padding_mode(padding, explicit_allowed: bool = True):
    """'valid', 'same', or a (before, after) tuple of ints."""
    expected = _PADDING_EXPECTED if explicit_allowed else "expected 'valid' or 'same'"
    if isinstance(padding, str):
        if padding.lower() in {"valid", "same"}:
            return padding.lower()
    elif not explicit_allowed or not isinstance(padding, (tuple, list)):
        raise TypeError(f"padding={padding!r}: {expected}")
    elif not all(is_integer(p) for p in padding):
        raise TypeError(f"padding={padding!r}: {expected}")
    elif len(padding) == 2 and min(padding) >= 0:
        return (int(padding[0]), int(padding[1]))
    raise ValueError(f"padding={padding!r}: {expected}")


def effective_kernel_size(kernel_size: int, *, dilation: int = 1) -> int:
    """How many input pixels a kernel spans once dilated: ``k + (k - 1) * (dilation - 1)``.

    >>> effective_kernel_size(3, dilation=2)
    5
    """
    k, d = _positive("kernel_size", kernel_size), _positive("dilation", dilation)
    return k + (k - 1) * (d - 1)


def same_padding(
    input_size: int, kernel_size: int, *, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    """The ``(before, after)`` zeros TensorFlow adds for ``padding='SAME'``; an odd total
    puts the extra zero after (bottom/right).

    >>> same_padding(5, kernel_size=4)
    (1, 2)
    """
    n, s = _positive("input_size", input_size), _positive("stride", stride)
    k_eff = effective_kernel_size(kernel_size, dilation=dilation)
    total = max((-(-n // s) - 1) * s + k_eff - n, 0)
    return total // 2, total - total // 2


def padding_amounts(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: str | tuple[int, int] = "valid",
    dilation: int = 1,
) -> tuple[int, int]:
    """The ``(before, after)`` zeros a convolution adds along one axis, whatever the padding:
    (0, 0) for 'valid', :func:`same_padding` for 'same' (any case), and an explicit
    ``(before, after)`` pair as given.

    >>> padding_amounts(6, kernel_size=3, stride=2, padding="same")
    (0, 1)
    """
    # conv_output_size checks every argument, and that the kernel fits the padded input
    conv_output_size(input_size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    mode = _padding_mode(padding)
    if mode == "same":
        return same_padding(input_size, kernel_size, stride=stride, dilation=dilation)
    return (0, 0) if mode == "valid" else mode


def conv_output_size(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: str | tuple[int, int] = "valid",
    dilation: int = 1,
) -> int:
    """Output length of a convolution (``tf.nn.conv2d``, ``keras.layers.Conv2D``) along one axis.

    ``padding`` is 'valid', 'same' (any case) or an explicit ``(before, after)`` pair.
    A dilated kernel larger than the (padded) input raises ``ValueError``.

    >>> conv_output_size(32, kernel_size=5, stride=1, padding="valid")
    28
    """
    n, s = _positive("input_size", input_size), _positive("stride", stride)
    k_eff = effective_kernel_size(kernel_size, dilation=dilation)
    mode = _padding_mode(padding)
    if mode == "same":
        return -(-n // s)
    before, after = (0, 0) if mode == "valid" else mode
    padded = n + before + after
    if k_eff > padded:
        raise ValueError(
            f"kernel_size={kernel_size!r} with dilation={dilation!r} spans {k_eff} pixels but "
            f"input_size={n} with padding={padding!r} has only {padded}: expected a (dilated) "
            "kernel no larger than the (padded) input"
        )
    return (padded - k_eff) // s + 1


def pool_output_size(
    input_size: int, pool_size: int, *, stride: int | None = None, padding: str = "valid"
) -> int:
    """Output length of a pooling layer along one axis; ``stride=None`` means ``pool_size``,
    as in ``keras.layers.MaxPooling2D``. ``padding`` is 'valid' or 'same'.

    >>> pool_output_size(28, pool_size=2)
    14
    """
    n, p = _positive("input_size", input_size), _positive("pool_size", pool_size)
    s = p if stride is None else _positive("stride", stride)
    if _padding_mode(padding, explicit_allowed=False) == "same":
        return -(-n // s)
    if p > n:
        raise ValueError(
            f"pool_size={p} is larger than input_size={n} with padding='valid': "
            "expected a pool no larger than the input"
        )
    return (n - p) // s + 1


def _layer(index: int, layer) -> tuple[int, int, int]:
    if isinstance(layer, Mapping):
        unknown = set(layer) - {"kernel_size", "stride", "dilation"}
        if "kernel_size" not in layer or unknown:
            raise ValueError(
                f"layers[{index}]={layer!r}: expected keys kernel_size and optionally "
                "stride, dilation"
            )
        k, s, d = layer["kernel_size"], layer.get("stride", 1), layer.get("dilation", 1)
    else:
        expected = "expected a (kernel_size, stride, dilation) tuple or a dict"
        if isinstance(layer, str) or not isinstance(layer, Sequence):
            raise TypeError(f"layers[{index}]={layer!r}: {expected}")
        if len(layer) not in (2, 3):
            raise ValueError(f"layers[{index}]={layer!r}: {expected}")
        k, s, d = (*layer, 1) if len(layer) == 2 else layer
    return _positive("kernel_size", k), _positive("stride", s), _positive("dilation", d)


def receptive_field_table(layers: Sequence) -> list[dict[str, int]]:
    """One row per layer of a stack of convolutions/poolings, for printing as a table.

    Each layer is ``(kernel_size, stride, dilation)``, ``(kernel_size, stride)`` or a dict
    with those keys. ``jump`` is the distance, in input pixels, between neighbouring outputs
    of that layer; ``receptive_field`` is how many input pixels one of its outputs sees.

    >>> receptive_field_table([(3, 1, 1), (2, 2, 1)])[-1]["receptive_field"]
    4
    """
    if isinstance(layers, (str, Mapping)) or not isinstance(layers, Sequence):
        raise TypeError(f"layers={layers!r}: expected a non-empty list of layers")
    if not layers:
        raise ValueError(f"layers={layers!r}: expected a non-empty list of layers")
    rows, field, jump = [], 1, 1
    for index, layer in enumerate(layers):
        k, s, d = _layer(index, layer)
        k_eff = effective_kernel_size(k, dilation=d)
        field += (k_eff - 1) * jump
        jump *= s
        rows.append(
            {"layer": index + 1, "kernel_size": k, "stride": s, "dilation": d,
             "effective_kernel": k_eff, "jump": jump, "receptive_field": field}
        )  # fmt: skip
    return rows


def receptive_field(layers: Sequence) -> int:
    """How many input pixels (along one axis) one output of the last layer depends on.

    >>> receptive_field([(3, 1, 1), (3, 1, 1), (2, 2, 1)])
    6
    """
    return receptive_field_table(layers)[-1]["receptive_field"]
