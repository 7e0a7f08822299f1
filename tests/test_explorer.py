"""helpers.explorer: the widget is built and driven from Python, with no frontend."""

from __future__ import annotations

import html
import re

from helpers import explorer
from helpers.arithmetic import conv_output_size

import matplotlib.pyplot as plt
import numpy as np
import pytest


def parts(box):
    controls, result, drawing = box.children
    by_label = {control.description: control for control in controls.children}
    return by_label, result, drawing


def shown_sizes(result) -> tuple[int, int]:
    """The two sizes the widget shows: (conv_output_size, tf.nn.conv2d)."""
    ours, theirs = re.findall(r"<b>(\d+)</b>", result.value)
    return int(ours), int(theirs)


def test_the_starting_configuration_is_computed_and_checked_against_tensorflow():
    box = explorer.conv_explorer(input_size=7, kernel_size=3, stride=2, padding="same")
    controls, result, drawing = parts(box)
    assert sorted(controls) == ["dilation", "input size", "kernel size", "padding", "stride"]
    assert shown_sizes(result) == (4, 4)
    assert result.value.endswith(": match")
    assert bytes(drawing.value).startswith(b"\x89PNG") and drawing.layout.display == ""
    assert plt.get_fignums() == []  # the explorer closes the figures it draws


@pytest.mark.parametrize(
    "n, k, s, d, padding",
    [(6, 3, 2, 1, "same"), (6, 3, 2, 1, "valid"), (16, 7, 4, 1, "same"), (9, 3, 1, 4, "valid"),
     (11, 3, 2, 2, "valid"), (11, 3, 2, 2, "same"), (1, 7, 3, 4, "same"), (5, 5, 1, 1, "valid")],
)  # fmt: skip
def test_moving_the_sliders_recomputes_the_size(n, k, s, d, padding):
    box = explorer.conv_explorer()
    controls, result, drawing = parts(box)
    before = bytes(drawing.value)
    controls["padding"].value = padding
    for label, value in (("input size", n), ("kernel size", k), ("stride", s), ("dilation", d)):
        controls[label].value = value
    expected = conv_output_size(n, k, stride=s, dilation=d, padding=padding)
    assert expected == explorer.tf_output_size(n, k, stride=s, padding=padding, dilation=d)
    assert shown_sizes(result) == (expected, expected)
    assert result.value.endswith(": match")
    assert bytes(drawing.value).startswith(b"\x89PNG")
    assert bytes(drawing.value) != before  # redrawn


def test_an_invalid_configuration_shows_the_arithmetic_error_then_recovers():
    box = explorer.conv_explorer(input_size=5, kernel_size=3, padding="valid")
    controls, result, drawing = parts(box)
    controls["dilation"].value = 3  # a 3x3 kernel dilated by 3 spans 7 pixels > 5
    with pytest.raises(ValueError) as err:
        conv_output_size(5, 3, stride=2, dilation=3, padding="valid")
    assert "invalid configuration" in result.value
    assert html.escape(str(err.value)) in result.value
    assert drawing.layout.display == "none"  # no picture of an impossible convolution
    controls["padding"].value = "same"  # SAME pads as much as needed: valid again
    assert shown_sizes(result) == (3, 3)
    assert drawing.layout.display == ""


def test_a_disagreement_with_tensorflow_is_reported(monkeypatch):
    monkeypatch.setattr(explorer, "tf_output_size", lambda *args, **kwargs: 99)
    _, result, _ = parts(explorer.conv_explorer())
    assert shown_sizes(result) == (4, 99)
    assert result.value.endswith(": MISMATCH")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [({"input_size": 0}, ValueError, "input_size=0: expected an integer from 1 to 16"),
     ({"kernel_size": 8}, ValueError, "kernel_size=8"),
     ({"stride": 2.0}, TypeError, "stride=2.0"),
     ({"dilation": True}, TypeError, "dilation=True"),
     ({"padding": "full"}, ValueError, "padding='full'"),
     ({"padding": None}, TypeError, "padding=None"),
     ({"stride": "2"}, TypeError, "stride='2'"),
     ({"input_size": np.int64(17)}, ValueError,
      "input_size=np.int64(17): expected an integer from 1 to 16")],
)  # fmt: skip
def test_bad_starting_values_are_refused(kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        explorer.conv_explorer(**kwargs)


def test_numpy_integers_and_any_case_padding_are_accepted_as_in_helpers_arithmetic():
    box = explorer.conv_explorer(
        input_size=np.int64(7),
        kernel_size=np.int32(3),
        stride=np.uint8(2),
        dilation=np.int64(1),
        padding="SAME",
    )
    controls, result, _ = parts(box)
    assert controls["padding"].value == "same" and controls["input size"].value == 7
    assert shown_sizes(result) == (4, 4)
    assert explorer.tf_output_size(np.int64(7), 3, stride=2, padding="Same") == 4


@pytest.mark.parametrize(
    "args, error, match",
    [((5, 3, 1, 3, 1), TypeError, "padding=3: expected one of ('valid', 'same')"),
     ((5, 3, 1, "full", 1), ValueError, "padding='full'"),
     ((0, 3, 1, "same", 1), ValueError, "input_size=0"),
     ((5.0, 3, 1, "same", 1), TypeError, "input_size=5.0"),
     ((10**6, 3, 1, "same", 1), ValueError, "input_size=1000000"),
     ((5, True, 1, "same", 1), TypeError, "kernel_size=True"),
     ((5, 3, -1, "same", 1), ValueError, "stride=-1"),
     ((5, 3, 1, "same", 9), ValueError, "dilation=9: expected an integer from 1 to 4"),
     ((5, 3, 1, "valid", 3), ValueError, "kernel_size=3 with dilation=3 spans 7 pixels")],
)  # fmt: skip
def test_tf_output_size_refuses_bad_arguments_before_running_tensorflow(args, error, match):
    n, k, stride, padding, dilation = args
    with pytest.raises(error, match=re.escape(match)):
        explorer.tf_output_size(n, k, stride=stride, padding=padding, dilation=dilation)


@pytest.mark.parametrize(
    "call", [lambda: explorer.tf_output_size(5, 3, 1), lambda: explorer.conv_explorer(5, 3, 1)]
)
def test_stride_padding_and_dilation_are_keyword_only(call):
    with pytest.raises(TypeError, match="positional argument"):
        call()


def test_the_tour_draws_one_frame_per_setting_with_both_sizes():
    settings = [{"input_size": 7}, {"input_size": 8, "dilation": 2, "padding": "VALID"},
                {"input_size": np.int64(6), "stride": 1}]  # fmt: skip
    anim = explorer.explorer_tour(settings, dpi=40)
    assert plt.get_fignums() == []  # closed: a notebook stores only the animation
    assert anim.to_jshtml().count("data:image/png;base64") == 3
    anim._func(1)  # draw the second frame
    title = anim._fig.axes[0].get_title()
    expected = conv_output_size(8, 3, stride=2, padding="valid", dilation=2)
    assert f"conv_output_size {expected}, tf.nn.conv2d {expected}: match" in title
    assert "padding 'valid'" in title


@pytest.mark.parametrize(
    "settings, error, match",
    [("abc", TypeError, "settings='abc': expected a list of dicts"),
     ({"input_size": 7}, TypeError, "settings={'input_size': 7}: expected a list"),
     ([], ValueError, "settings: 0 settings: expected 1 to 24"),
     ([{}] * 25, ValueError, "settings: 25 settings: expected 1 to 24"),
     ([{"size": 7}], ValueError, "settings[0]={'size': 7}: expected a dict with keys among"),
     ([{}, 7], TypeError, "settings[1]=7"),
     ([{"input_size": 17}], ValueError, "input_size=17: expected an integer from 1 to 16"),
     ([{"input_size": 7.0}], TypeError, "input_size=7.0: expected an integer from 1 to 16"),
     ([{"padding": "full"}], ValueError, "padding='full'"),
     ([{"input_size": 4, "dilation": 3, "padding": "valid"}], ValueError, "spans 7 pixels")],
)  # fmt: skip
def test_the_tour_refuses_bad_settings_before_drawing(settings, error, match):
    with pytest.raises(error, match=re.escape(match)):
        explorer.explorer_tour(settings)
    assert plt.get_fignums() == []
