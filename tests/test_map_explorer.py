"""helpers.map_explorer: the widget is built and driven from Python, with no frontend."""

from __future__ import annotations

from helpers import map_explorer
from helpers.from_chapters import build_mnist_cnn

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return build_mnist_cnn()


def images(n=3):
    return np.random.default_rng(0).uniform(0, 1, (n, 28, 28, 1)).astype("float32")


def controls(box):
    row, drawing = box.children
    return {c.description: c for c in row.children}, drawing


def test_every_control_redraws_and_the_layer_menu_follows_the_method(model):
    box = map_explorer.map_explorer(model, images(), class_names=[str(i) for i in range(10)])
    c, drawing = controls(box)
    assert sorted(c) == ["image", "layer", "method"]
    assert c["layer"].options == ("conv1", "conv2") and c["method"].value == "Grad-CAM"
    seen = {bytes(drawing.value)}
    for label, value in (("image", 2), ("layer", "conv1"), ("method", "feature maps"),
                         ("method", "occlusion"), ("method", "vanilla gradient"),
                         ("method", "gradient x input")):  # fmt: skip
        c[label].value = value
        png = bytes(drawing.value)
        assert png.startswith(b"\x89PNG") and png not in seen, (label, value)
        seen.add(png)
        assert c["layer"].disabled == (c["method"].value not in map_explorer.USES_LAYER)
    assert plt.get_fignums() == []


def test_the_tour_has_a_frame_per_setting(model):
    settings = [{"image": i, "layer": "conv2", "method": m}
                for i, m in enumerate(("Grad-CAM", "occlusion"))]  # fmt: skip
    anim = map_explorer.map_tour(model, images(), settings)
    assert "<script" in anim.to_jshtml()


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda m: map_explorer.map_explorer(m, images(101)), ValueError, ["at most 100"]),
        (lambda m: map_explorer.map_tour(m, images(), {"image": 0}), TypeError, ["settings="]),
        (lambda m: map_explorer.map_tour(m, images(), []), ValueError, ["0 settings"]),
        (lambda m: map_explorer.map_tour(m, images(), [{"image": 0}]), ValueError,
         ["settings[0]", "image, layer and method"]),
        (lambda m: map_explorer.map_tour(
            m, images(), [{"image": 3, "layer": "conv1", "method": "occlusion"}]), ValueError,
         ["settings[0]['image']=3"]),
        (lambda m: map_explorer.map_tour(
            m, images(), [{"image": 0, "layer": "pool1", "method": "occlusion"}]), ValueError,
         ["layer_name='pool1'"]),
        (lambda m: map_explorer.map_tour(
            m, images(), [{"image": 0, "layer": "conv1", "method": "LIME"}]), ValueError,
         ["method='LIME'"]),
        (lambda m: map_explorer.map_tour(
            m, images(), [{"image": 0, "layer": "conv1", "method": 1}]), TypeError,
         ["method=1"]),
    ],
)  # fmt: skip
def test_bad_input_is_refused(model, call, error, words, refused):
    refused(lambda: call(model), error, words)
