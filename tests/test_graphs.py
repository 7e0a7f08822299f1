import builtins

from helpers import graphs, page

import keras
import numpy as np
import pytest


def _branching_model():
    layers = keras.layers
    image = keras.Input(shape=(8, 8, 3), name="image")
    conv = layers.Conv2D(4, 3, padding="same", name="conv")(image)
    added = layers.Add(name="add")([conv, layers.Conv2D(4, 1, name="proj")(image)])
    flat = layers.Flatten(name="flat")(added)
    return keras.Model(image, layers.Dense(5, name="classifier")(flat), name="branching")


def _inception_like():
    # chapter 3's Inception-style block: graphviz 2.42 crashes on it with orthogonal edges
    # (Keras' default) when the boxes show no shapes ("maze.c: chkSgraph: Assertion")
    layers = keras.layers
    image = keras.Input(shape=(32, 32, 3), name="image")
    x = layers.Conv2D(32, 3, padding="same", name="stem")(image)
    b1 = layers.Conv2D(16, 1, name="inc_1x1")(x)
    b2 = layers.Conv2D(16, 1, name="inc_3x3_reduce")(x)
    b2 = layers.Conv2D(24, 3, padding="same", name="inc_3x3")(b2)
    b3 = layers.Conv2D(4, 1, name="inc_5x5_reduce")(x)
    b3 = layers.Conv2D(8, 5, padding="same", name="inc_5x5")(b3)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same", name="inc_pool")(x)
    b4 = layers.Conv2D(8, 1, name="inc_pool_proj")(b4)
    x = layers.Concatenate(name="inc_concat")([b1, b2, b3, b4])
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(image, layers.Dense(10, name="classifier")(x), name="inception_like")


def test_a_branching_model_is_drawn_without_crashing_graphviz():
    if not graphs.graphviz_available():
        pytest.fail("graphviz is not installed: `make graphviz` installs it with apt")
    image = graphs.show_model_graph(_inception_like())
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(image.data[16:20], "big")
    assert width < 1000  # names only: about as wide as the page (page.PIXELS)


def test_show_model_graph_draws_a_png_with_plot_model():
    if not graphs.graphviz_available():
        pytest.fail(
            "graphviz is not installed: `make` installs it with apt (Debian's graphviz); "
            "the book's model diagrams need it"
        )
    image = graphs.show_model_graph(_branching_model())
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    # at the default DPI the diagram is drawn at the page's text size, not 200 dpi
    width = int.from_bytes(image.data[16:20], "big")
    wide = graphs.show_model_graph(_branching_model(), show_shapes=True, dpi=144)
    assert int.from_bytes(wide.data[16:20], "big") > 1.5 * width


def test_show_model_graph_passes_options_to_model_to_dot(monkeypatch):
    calls = {}
    real_model_to_dot = keras.utils.model_to_dot

    def spy(model, **kwargs):
        calls.update(name=model.name, **kwargs)
        calls["graph"] = real_model_to_dot(model, **kwargs)
        return calls["graph"]

    monkeypatch.setattr(keras.utils, "model_to_dot", spy)
    image = graphs.show_model_graph(_branching_model(), rankdir="LR", dpi=np.int64(96))
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert calls["name"] == "branching"
    assert calls["show_layer_names"] is True and calls["show_shapes"] is False
    assert calls["rankdir"] == "LR" and calls["dpi"] == 96
    # graphviz 2.42 can crash on Keras' "ortho"; Keras 3.10's plot_model cannot change it
    assert calls["graph"].get("splines") == "spline"


def test_without_graphviz_it_says_so_and_prints_the_summary(monkeypatch, capsys):
    monkeypatch.setattr(graphs, "graphviz_available", lambda: False)
    assert graphs.show_model_graph(_branching_model()) is None
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "branching: no diagram (graphviz is not installed); model.summary():"
    )
    assert "Connected to" in out and "conv[0][0]," in out and "proj[0][0]" in out
    assert max(map(len, out.splitlines())) <= page.WIDTH


def test_graphviz_available_is_false_without_pydot_or_dot(monkeypatch):
    real_import = builtins.__import__

    def no_pydot(name, *args, **kwargs):
        if name == "pydot":
            raise ImportError("no pydot")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pydot)
    assert graphs.graphviz_available() is False
    monkeypatch.undo()
    monkeypatch.setenv("PATH", "/nonexistent")  # pydot finds `dot` on the PATH
    assert graphs.graphviz_available() is False


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: graphs.show_model_graph("not a model"), TypeError,
         r"model: expected a keras\.Model, got str"),
        (lambda: graphs.show_model_graph(keras.Sequential([keras.layers.Dense(2)], name="u")),
         ValueError, "model='u': expected a built model"),
        (lambda: graphs.show_model_graph(_branching_model(), dpi=0), ValueError,
         "dpi=0: expected an integer from 10 to 300"),
        (lambda: graphs.show_model_graph(_branching_model(), dpi=72.0), TypeError, "dpi=72.0"),
        (lambda: graphs.show_model_graph(_branching_model(), True), TypeError,
         "takes 1 positional argument"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_drawing(monkeypatch, call, error, match):
    monkeypatch.setattr(keras.utils, "model_to_dot", lambda *a, **k: pytest.fail("drew"))
    with pytest.raises(error, match=match):
        call()
