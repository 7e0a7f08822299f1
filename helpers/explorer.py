"""An interactive convolution explorer (ipywidgets), for Jupyter and Colab.

Sliders choose the input size, kernel size, stride and dilation, a menu the padding. Every
change redraws the geometry (:func:`helpers.geometry.plot_conv_geometry`, the kernel at its last
output position) and shows the output size twice: as ``helpers.arithmetic.conv_output_size``
computes it and as a real ``tf.nn.conv2d`` call returns it, with "match" or "MISMATCH". A
configuration the arithmetic refuses shows its ``ValueError`` message instead.

The matplotlib drawing goes into an ``Image`` widget as PNG bytes rather than into an
``Output`` widget: what an ``Output`` widget captures depends on the frontend routing the
messages (nbval does not, so the figure would leak into the cell's own output), while an
``Image`` is plain widget state that every frontend, and the saved notebook, shows the same.

>>> conv_explorer(input_size=6, kernel_size=3, stride=2, padding="same")  # last line of a cell
"""

from __future__ import annotations

import html
import inspect
import io

from helpers._checks import integer
from helpers.arithmetic import conv_output_size
from helpers.geometry import plot_conv_geometry

import ipywidgets as widgets
import matplotlib.pyplot as plt

# argument -> (slider label, smallest, largest)
SLIDERS = {
    "input_size": ("input size", 1, 16),
    "kernel_size": ("kernel size", 1, 7),
    "stride": ("stride", 1, 4),
    "dilation": ("dilation", 1, 4),
}
PADDINGS = ("valid", "same")
DRAWING_INCHES, DRAWING_DPI = (6.4, 3.9), 90  # the drawing as shown: 576x351 pixels


def _settings(padding: str, **sizes) -> tuple[dict[str, int], str]:
    """The sizes as plain ints within the sliders' ranges (NumPy integers pass, bools and
    floats do not) and the padding in lower case; otherwise a TypeError (a value of the wrong
    type) or a ValueError naming the argument.
    """
    for name, value in sizes.items():
        _, low, high = SLIDERS[name]
        sizes[name] = integer(name, value, low, high)
    if not isinstance(padding, str):
        raise TypeError(f"padding={padding!r}: expected one of {PADDINGS} (any case)")
    if padding.lower() not in PADDINGS:
        raise ValueError(f"padding={padding!r}: expected one of {PADDINGS} (any case)")
    return sizes, padding.lower()


def tf_output_size(
    input_size: int, kernel_size: int, *, stride: int = 1, padding: str = "valid", dilation: int = 1
) -> int:
    """The output size that ``tf.nn.conv2d`` really produces, from a run on zeros.

    The sizes must lie in the sliders' ranges (``SLIDERS``) and ``padding`` be 'valid' or
    'same' (any case). A configuration ``conv_output_size`` refuses raises its ``ValueError``
    before TensorFlow runs.

    >>> tf_output_size(7, kernel_size=3, stride=2, padding="same")
    4
    """
    sizes, padding = _settings(padding, input_size=input_size, kernel_size=kernel_size,
                               stride=stride, dilation=dilation)  # fmt: skip
    conv_output_size(**sizes, padding=padding)  # a configuration TensorFlow would refuse
    import tensorflow as tf

    n, k = sizes["input_size"], sizes["kernel_size"]
    x = tf.zeros((1, n, n, 1))
    kernel = tf.zeros((k, k, 1, 1))
    y = tf.nn.conv2d(
        x, kernel, strides=sizes["stride"], dilations=sizes["dilation"], padding=padding.upper()
    )
    return int(y.shape[1])


def _compare(sizes: dict[str, int], padding: str) -> tuple[int, int, str]:
    """Both output sizes of a configuration, and "match" or "MISMATCH"; the arithmetic's
    ``ValueError`` for a configuration that does not fit."""
    ours = conv_output_size(**sizes, padding=padding)
    theirs = tf_output_size(**sizes, padding=padding)
    return ours, theirs, "match" if ours == theirs else "MISMATCH"


def _draw(ax, sizes: dict[str, int], padding: str, out: int) -> None:
    """The geometry with the kernel at its last output position, where the leftover pixels
    and SAME's extra bottom/right zero show up."""
    plot_conv_geometry(**sizes, padding=padding, position=(out - 1, out - 1), ax=ax)


def conv_explorer(
    input_size: int = 7,
    kernel_size: int = 3,
    *,
    stride: int = 2,
    padding: str = "same",
    dilation: int = 1,
) -> widgets.VBox:
    """Build the explorer: ``VBox([controls, result, drawing])``.

    ``controls`` holds the four ``IntSlider`` (described 'input size', 'kernel size', 'stride',
    'dilation') and the padding ``Dropdown``; ``result`` is an ``HTML`` widget with the two
    output sizes; ``drawing`` is an ``Image`` widget with the figure as PNG, hidden while the
    configuration is invalid. The arguments are the starting values and must lie in the
    sliders' ranges (``SLIDERS``); ``padding`` is 'valid' or 'same' in any case.

    >>> explorer = conv_explorer(input_size=5, kernel_size=3, stride=2, padding="valid")
    """
    start, padding = _settings(padding, input_size=input_size, kernel_size=kernel_size,
                               stride=stride, dilation=dilation)  # fmt: skip
    style = {"description_width": "80px"}
    sliders = {
        name: widgets.IntSlider(value=start[name], min=low, max=high, description=label,
                                continuous_update=False, style=style)
        for name, (label, low, high) in SLIDERS.items()
    }  # fmt: skip
    menu = widgets.Dropdown(options=PADDINGS, value=padding, description="padding", style=style)
    result = widgets.HTML()
    # shown at DRAWING_DPI: a bitmap of twice that resolution stays sharp (retina screens too)
    drawing = widgets.Image(format="png", width=str(round(DRAWING_INCHES[0] * DRAWING_DPI)))

    def redraw(_change=None) -> None:
        args = {name: slider.value for name, slider in sliders.items()}
        try:
            ours, theirs, verdict = _compare(args, menu.value)
        except ValueError as err:
            result.value = f"<b>invalid configuration</b>: {html.escape(str(err))}"
            drawing.layout.display = "none"
            return
        result.value = (
            f"output size: conv_output_size gives <b>{ours}</b>, "
            f"tf.nn.conv2d gives <b>{theirs}</b>: {verdict}"
        )
        fig, ax = plt.subplots(figsize=DRAWING_INCHES, dpi=2 * DRAWING_DPI)  # sharp at 2x
        _draw(ax, args, menu.value, ours)
        png = io.BytesIO()
        fig.savefig(png, format="png")
        plt.close(fig)
        drawing.value = png.getvalue()
        drawing.layout.display = ""

    for control in (*sliders.values(), menu):
        control.observe(redraw, names="value")
    redraw()
    controls = widgets.VBox([*sliders.values(), menu])
    return widgets.VBox([controls, result, drawing])


MAX_TOUR_SETTINGS = 24  # frames of explorer_tour, one PNG each in the stored HTML


def explorer_tour(settings, dpi: int = 100):
    """The explorer's drawings for a list of settings, as a ``FuncAnimation``: one frame per
    setting, each with the output size from ``conv_output_size`` and from a real
    ``tf.nn.conv2d`` call. A static page (the HTML book, GitHub) cannot run the sliders; this
    shows the same pictures, computed when the notebook ran: ``HTML(anim.to_jshtml())``.

    Each setting is a dict of the explorer's arguments (``input_size``, ``kernel_size``,
    ``stride``, ``padding``, ``dilation``; missing ones take the explorer's defaults), within
    the sliders' ranges, and must fit (the explorer would show an error instead).

    >>> anim = explorer_tour([{"input_size": 7, "stride": 2}, {"input_size": 7, "dilation": 2}])
    """
    from matplotlib.animation import FuncAnimation

    dpi = integer("dpi", dpi, 10, 300)
    if not isinstance(settings, (list, tuple)):
        raise TypeError(f"settings={settings!r}: expected a list of dicts of explorer arguments")
    if not 1 <= len(settings) <= MAX_TOUR_SETTINGS:
        raise ValueError(
            f"settings: {len(settings)} settings: expected 1 to {MAX_TOUR_SETTINGS} (a frame each)"
        )
    # the explorer's own starting values
    defaults = {n: p.default for n, p in inspect.signature(conv_explorer).parameters.items()}
    frames = []
    for i, setting in enumerate(settings):
        expected = f"expected a dict with keys among {sorted(defaults)}"
        if not isinstance(setting, dict):
            raise TypeError(f"settings[{i}]={setting!r}: {expected}")
        if set(setting) - set(defaults):
            raise ValueError(f"settings[{i}]={setting!r}: {expected}")
        args = {**defaults, **setting}
        sizes, padding = _settings(args["padding"], **{name: args[name] for name in SLIDERS})
        frames.append((sizes, padding, *_compare(sizes, padding)))  # refuses one that cannot fit
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=dpi)
    fig.subplots_adjust(top=0.80, bottom=0.02)  # room for the three title lines

    def draw(frame: int) -> None:
        sizes, padding, ours, theirs, verdict = frames[frame]
        _draw(ax, sizes, padding, ours)
        ax.set_title(
            f"{ax.get_title()}\npadding {padding!r}: conv_output_size {ours}, "
            f"tf.nn.conv2d {theirs}: {verdict}",
            fontsize=10,
        )

    anim = FuncAnimation(fig, draw, frames=len(frames), interval=1500, repeat=True)
    plt.close(fig)
    return anim
