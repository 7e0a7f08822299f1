"""Drawings of one convolution's geometry, in the style of Dumoulin & Visin's *A guide to
convolution arithmetic for deep learning*: the input with its padding, the kernel's taps at
one output position, and the output grid; as one figure or as an animation.

Every size comes from :mod:`helpers.arithmetic`, so a drawing cannot disagree with the
arithmetic the chapters test against TensorFlow.

>>> fig = plot_conv_geometry(5, kernel_size=3, stride=2, padding=(1, 1))
"""

from __future__ import annotations

from helpers._checks import integer, is_integer
from helpers.arithmetic import conv_output_size, padding_amounts

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# Bounds on the work one call does; each is well above what a readable drawing needs.
MAX_DRAWN_SIZE = 64  # padded input width plot_conv_geometry draws (the explorer reaches 40)
MAX_FRAMES = 256  # frames of animate_convolution, one PNG each in the stored HTML

_INPUT, _PAD, _TAP, _OUT, _NOW = "#9ecae1", "white", "#08519c", "#c7e9c0", "#31a354"


def _geometry(input_size, kernel_size, stride, padding, dilation) -> tuple[int, tuple[int, int]]:
    """The output size and the (before, after) padding, both checked by helpers.arithmetic."""
    options = {"stride": stride, "padding": padding, "dilation": dilation}
    out = conv_output_size(input_size, kernel_size, **options)
    pads = padding_amounts(input_size, kernel_size, **options)
    size = pads[0] + int(input_size) + pads[1]
    if size > MAX_DRAWN_SIZE:
        raise ValueError(
            f"input_size={input_size!r} with padding={padding!r} is {size} pixels wide once "
            f"padded: expected at most {MAX_DRAWN_SIZE}, the most that draws readably"
        )
    return out, pads


def _draw_conv(
    ax, n: int, k: int, s: int, d: int, pads: tuple[int, int], out: int, step: int
) -> None:
    from matplotlib.patches import Rectangle

    ax.clear()
    before, after = pads
    size = before + n + after
    for r in range(size):
        for c in range(size):
            inside = before <= r < before + n and before <= c < before + n
            ax.add_patch(
                Rectangle(
                    (c, r),
                    1,
                    1,
                    facecolor=_INPUT if inside else _PAD,
                    edgecolor="black" if inside else "gray",
                    linestyle="-" if inside else "--",
                )
            )
    i, j = divmod(step, out)
    for a in range(k):
        for b in range(k):
            ax.add_patch(Rectangle((j * s + b * d, i * s + a * d), 1, 1, facecolor=_TAP, alpha=0.6))
    span = (k - 1) * d + 1
    ax.add_patch(Rectangle((j * s, i * s), span, span, fill=False, edgecolor=_TAP, linewidth=2.5))
    left, top = size + 1.5, (size - out) / 2
    for r in range(out):
        for c in range(out):
            done = r * out + c
            color = _NOW if done == step else _OUT if done < step else "white"
            ax.add_patch(Rectangle((left + c, top + r), 1, 1, facecolor=color, edgecolor="black"))
    ax.set_xlim(-0.2, left + out + 0.2)
    ax.set_ylim(size + 0.2, -0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    pad_text = f"pad {before}" if before == after else f"pad {before} before, {after} after"
    ax.set_title(
        f"input {n}x{n}, {pad_text}\n"
        f"kernel {k}x{k}, stride {s}, dilation {d} -> output {out}x{out}",
        fontsize=10,
    )


def plot_conv_geometry(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: str | tuple[int, int] = "valid",
    dilation: int = 1,
    position: tuple[int, int] = (0, 0),
    ax=None,
) -> Figure:
    """Draw one axis-square convolution: the input (blue) with its padding (dashed), the
    kernel's taps (dark blue) at one output ``position`` (row, column), and the output grid
    (green, the current position darker).

    Sizes come from ``helpers.arithmetic``, so a configuration it refuses raises its
    ``ValueError`` (``TypeError`` for a value of the wrong type); so does a padded input
    wider than ``MAX_DRAWN_SIZE`` pixels. Pass ``ax`` to draw into an existing Axes.

    >>> fig = plot_conv_geometry(5, kernel_size=3, stride=2, padding=(1, 1))
    """
    from matplotlib.axes import Axes

    out, pads = _geometry(input_size, kernel_size, stride, padding, dilation)
    expected = f"expected (row, column) with both in 0..{out - 1}"
    if not isinstance(position, (tuple, list)) or not all(is_integer(p) for p in position):
        raise TypeError(f"position={position!r}: {expected}")
    if len(position) != 2 or not all(0 <= p < out for p in position):
        raise ValueError(f"position={position!r}: {expected}")
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax={ax!r}: expected a matplotlib Axes or None")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    _draw_conv(
        ax, input_size, kernel_size, stride, dilation, pads, out, position[0] * out + position[1]
    )
    return ax.figure


def animate_convolution(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: str | tuple[int, int] = "valid",
    dilation: int = 1,
    max_frames: int = 25,
    dpi: int = 100,
):
    """A ``FuncAnimation`` of the kernel visiting every output position, one frame each,
    drawn as :func:`plot_conv_geometry`. Its figure is already closed, so a notebook shows
    only the animation: ``HTML(anim.to_jshtml())``, which also plays in the static book.

    ``max_frames`` (at most ``MAX_FRAMES``) guards the size of the stored HTML (one PNG per
    frame); ``dpi`` is an integer from 10 to 300. At the default 100 the frames are shown at
    their own size on the book's page, with 10-point titles.

    >>> anim = animate_convolution(5, kernel_size=3, stride=2, padding=(1, 1))
    """
    from matplotlib.animation import FuncAnimation

    max_frames = integer("max_frames", max_frames, 1, MAX_FRAMES)
    dpi = integer("dpi", dpi, 10, 300)
    out, pads = _geometry(input_size, kernel_size, stride, padding, dilation)
    if out * out > max_frames:
        raise ValueError(
            f"max_frames={max_frames}: this convolution has {out}x{out} = {out * out} "
            "output positions, one frame each; expected a smaller configuration"
        )
    fig, ax = plt.subplots(figsize=(4.8, 2.9), dpi=dpi)
    fig.subplots_adjust(top=0.82, bottom=0.02)  # room for the two-line title in every frame
    anim = FuncAnimation(
        fig,
        lambda step: _draw_conv(ax, input_size, kernel_size, stride, dilation, pads, out, step),
        frames=out * out,
        interval=700,
        repeat=True,
    )
    plt.close(fig)
    return anim
