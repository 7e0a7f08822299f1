from helpers import geometry

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg


def _cells(ax, color):
    """Rectangles of one face colour, as (x, y) of their corners."""
    rgba = matplotlib.colors.to_rgba(color)
    return sorted(
        (p.get_x(), p.get_y())
        for p in ax.patches
        if p.get_fill() and p.get_facecolor()[:3] == rgba[:3]
    )


def test_plot_conv_geometry_draws_padding_taps_and_output():
    # 6x6 input, SAME, 3x3, stride 2: TF pads 0 before and 1 after; the last window uses it.
    fig = geometry.plot_conv_geometry(6, 3, stride=2, padding="same", position=(2, 2))
    ax = fig.axes[0]
    assert len(_cells(ax, geometry._INPUT)) == 36
    assert len(_cells(ax, geometry._PAD)) == 7 * 7 - 36  # the padding (every output cell is done)
    taps = _cells(ax, geometry._TAP)
    assert taps == [(float(x), float(y)) for x in (4, 5, 6) for y in (4, 5, 6)]
    assert "pad 0 before, 1 after" in ax.get_title() and "output 3x3" in ax.get_title()


def test_plot_conv_geometry_dilated_taps_and_bad_input():
    ax = geometry.plot_conv_geometry(7, 3, dilation=2, position=(1, 2)).axes[0]
    assert _cells(ax, geometry._TAP) == [(float(x), float(y)) for x in (2, 4, 6) for y in (1, 3, 5)]
    with pytest.raises(
        ValueError, match=r"position=\(3, 0\): expected \(row, column\) with both in 0..2"
    ):
        geometry.plot_conv_geometry(7, 3, dilation=2, position=(3, 0))
    with pytest.raises(ValueError, match="kernel_size=3 with dilation=4 spans 9 pixels"):
        geometry.plot_conv_geometry(7, 3, dilation=4)


def test_animate_convolution_has_one_frame_per_output_position():
    anim = geometry.animate_convolution(5, 3, stride=2, padding=(1, 1))
    assert plt.get_fignums() == []  # closed: a notebook stores only the animation
    html = anim.to_jshtml()
    assert html.count("data:image/png;base64") == 9
    with pytest.raises(
        ValueError, match="max_frames=4: this convolution has 3x3 = 9 output positions"
    ):
        geometry.animate_convolution(5, 3, stride=2, padding=(1, 1), max_frames=4)


# ------------------------ bad input: a TypeError (wrong type) or ValueError naming the argument
_BAD_CALLS = [
    # plot_conv_geometry and animate_convolution: the drawing grows with the padded size
    (ValueError, lambda: geometry.plot_conv_geometry(400, 3),
     "input_size=400 with padding='valid' is 400 pixels wide once padded: expected at most 64"),
    (ValueError, lambda: geometry.plot_conv_geometry(150, 3, padding="same"), "input_size=150"),
    (ValueError, lambda: geometry.plot_conv_geometry(10**9, 3), "input_size=1000000000"),
    (ValueError, lambda: geometry.plot_conv_geometry(5, 3, padding=(100, 100)),
     r"input_size=5 with padding=\(100, 100\) is 205 pixels wide"),
    (TypeError, lambda: geometry.plot_conv_geometry(5, 3, stride=2.0), "stride=2.0"),
    (ValueError, lambda: geometry.plot_conv_geometry(5, 3, padding="full"), "padding='full'"),
    (TypeError, lambda: geometry.plot_conv_geometry(5, 3, position=5), "position=5: expected"),
    (TypeError, lambda: geometry.plot_conv_geometry(5, 3, position=(0.0, 0)),
     r"position=\(0.0, 0\)"),
    (TypeError, lambda: geometry.plot_conv_geometry(5, 3, position=(True, 0)),
     r"position=\(True, 0\)"),
    (ValueError, lambda: geometry.plot_conv_geometry(5, 3, position=(0, 0, 0)),
     r"position=\(0, 0, 0\): expected \(row, column\)"),
    (TypeError, lambda: geometry.plot_conv_geometry(5, 3, ax="axes"),
     "ax='axes': expected a matplotlib Axes"),
    (ValueError, lambda: geometry.animate_convolution(5, 3, dpi=0),
     "dpi=0: expected an integer from 10 to 300"),
    (ValueError, lambda: geometry.animate_convolution(5, 3, dpi=-5), "dpi=-5"),
    (TypeError, lambda: geometry.animate_convolution(5, 3, dpi=72.0), "dpi=72.0"),
    (ValueError, lambda: geometry.animate_convolution(5, 3, dpi=10**6), "dpi=1000000"),
    (TypeError, lambda: geometry.animate_convolution(5, 3, max_frames=float("nan")),
     "max_frames=nan"),
    (ValueError, lambda: geometry.animate_convolution(5, 3, max_frames=0), "max_frames=0"),
    (ValueError, lambda: geometry.animate_convolution(5, 3, max_frames=10**6),
     "max_frames=1000000: expected an integer from 1 to 256"),
    (ValueError, lambda: geometry.animate_convolution(400, 3, max_frames=256), "input_size=400"),
    (TypeError, lambda: geometry.plot_conv_geometry(5, 3, 2), "takes 2 positional arguments"),
]  # fmt: skip


@pytest.mark.parametrize("error, call, match", _BAD_CALLS, ids=[m for _, _, m in _BAD_CALLS])
def test_bad_input_is_refused_before_any_drawing(error, call, match):
    with pytest.raises(error, match=match):
        call()
    assert plt.get_fignums() == []  # refused up front: no figure was started


def test_conv_geometry_accepts_numpy_integers_any_case_padding_and_the_explorers_extremes():
    n, k, s = np.int64(6), np.int32(3), np.uint8(2)
    fig = geometry.plot_conv_geometry(n, k, stride=s, padding="SAME", position=(np.int64(2), 2))
    assert "pad 0 before, 1 after" in fig.axes[0].get_title()
    # the explorer's widest drawing: input 16, a 7x7 kernel dilated by 4, SAME: 40 pixels
    fig = geometry.plot_conv_geometry(16, 7, dilation=4, padding="same")
    assert "input 16x16, pad 12" in fig.axes[0].get_title()
    anim = geometry.animate_convolution(n, k, stride=s, padding="Same", max_frames=np.int64(9),
                                     dpi=np.int64(40))  # fmt: skip
    assert anim.to_jshtml().count("data:image/png;base64") == 9


def test_every_frame_of_the_animation_shows_its_whole_title():
    anim = geometry.animate_convolution(6, kernel_size=3, stride=2, padding="same")
    fig = anim._fig
    FigureCanvasAgg(fig)  # the animation closed its figure; give it a canvas to draw on
    anim._init_draw()  # the first frame
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    title = fig.axes[0].title.get_window_extent(renderer)
    assert title.y1 <= fig.bbox.y1 and title.y0 >= fig.bbox.y0
