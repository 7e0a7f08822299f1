import matplotlib

matplotlib.use("Agg")
from helpers import plots

import matplotlib.pyplot as plt
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _titles(fig):
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def test_show_images_marks_wrong_predictions():
    images = np.random.rand(3, 28, 28, 1)
    fig = plots.show_images(images, [1, 2, 3], predictions=[1, 5, 3], ncols=2)
    assert _titles(fig) == ["1", "5 (2)", "3"]
    colors = [ax.title.get_color() for ax in fig.axes if ax.get_title()]
    assert colors == ["black", "red", "black"]
    assert len(fig.axes) == 4  # 2x2 grid, the last one empty


def test_show_images_uses_class_names_and_keras_shaped_labels():
    fig = plots.show_images(
        np.zeros((2, 8, 8, 3), np.uint8), np.array([[0], [1]]), class_names=["cat", "dog"]
    )
    assert _titles(fig) == ["cat", "dog"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"images": np.zeros((2, 4))}, "images: expected a non-empty batch"),
        ({"images": np.zeros((2, 4, 4, 2))}, "images: expected"),
        ({"images": np.zeros((2, 4, 4)), "labels": [1]}, "labels: expected 2 entries"),
        (
            {"images": np.zeros((2, 4, 4)), "labels": [1, 2], "predictions": [1]},
            "predictions: expected 2",
        ),
        ({"images": np.zeros((1, 4, 4)), "predictions": [1]}, "also pass labels"),
        (
            {"images": np.zeros((1, 4, 4)), "labels": [3], "class_names": ["a"]},
            "label 3 has no entry",
        ),
        ({"images": np.zeros((1, 4, 4)), "ncols": 0}, "ncols=0"),
    ],
)
def test_show_images_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.show_images(**kwargs)


def test_plot_history_one_run_with_validation():
    logs = {
        "loss": [1.0, 0.5],
        "val_loss": [1.1, 0.7],
        "accuracy": [0.5, 0.8],
        "val_accuracy": [0.4, 0.7],
    }
    fig = plots.plot_history(logs)
    assert len(fig.axes) == 2
    loss_ax = fig.axes[0]
    assert [line.get_label() for line in loss_ax.get_lines()] == ["training", "validation"]
    np.testing.assert_array_equal(loss_ax.get_lines()[1].get_ydata(), [1.1, 0.7])


def test_plot_history_accepts_a_keras_history_and_compares_runs():
    class FakeHistory:
        def __init__(self, acc):
            self.history = {"val_accuracy": acc}

    fig = plots.plot_history(
        {"BN": FakeHistory([0.5, 0.6]), "no BN": FakeHistory([0.4, 0.5])}, metrics=["val_accuracy"]
    )
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == ["BN: validation", "no BN: validation"]


def test_plot_history_rejects_bad_input():
    with pytest.raises(ValueError, match="history: expected a keras History"):
        plots.plot_history([1, 2])
    with pytest.raises(ValueError, match=r"metrics: \['accuracy'\] not in the history"):
        plots.plot_history({"loss": [1.0]})
    with pytest.raises(ValueError, match="metrics='loss'"):
        plots.plot_history({"loss": [1.0]}, metrics="loss")


def test_confusion_matrix_counts_come_from_tensorflow():
    fig = plots.plot_confusion_matrix([0, 1, 1, 2], [0, 1, 0, 2])
    ax = fig.axes[0]
    counts = [t.get_text() for t in ax.texts]
    assert counts == ["1", "0", "0", "1", "1", "0", "0", "0", "1"]


def test_confusion_matrix_with_class_names_and_bad_input():
    fig = plots.plot_confusion_matrix(np.array([[0], [1]]), [1, 1], class_names=["a", "b", "c"])
    assert len(fig.axes[0].texts) == 9
    with pytest.raises(ValueError, match="same non-zero length"):
        plots.plot_confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="class_names: 2 names, but the labels go up to 2"):
        plots.plot_confusion_matrix([0, 2], [0, 1], class_names=["a", "b"])


def test_plot_filters_from_array_and_layer():
    kernel = np.random.randn(3, 3, 1, 5)
    fig = plots.plot_filters(kernel, ncols=3)
    assert _titles(fig) == ["0", "1", "2", "3", "4"]
    assert "5 filters of shape 3x3" in fig._suptitle.get_text()

    class FakeLayer:
        def __init__(self, kernel):
            self.kernel = kernel

    assert len(plots.plot_filters(FakeLayer(kernel)).axes) == 5


def test_plot_filters_rejects_bad_input():
    with pytest.raises(ValueError, match=r"kernel: expected .* got shape \(3, 3\)"):
        plots.plot_filters(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="input_channel=2: the kernel has 1 input channels"):
        plots.plot_filters(np.zeros((3, 3, 1, 4)), input_channel=2)


def test_plot_feature_maps_accepts_a_batch_of_one():
    fig = plots.plot_feature_maps(np.random.rand(1, 6, 6, 4), ncols=4)
    assert len(fig.axes) == 4
    assert "4 feature maps of size 6x6" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="feature_maps: expected shape"):
        plots.plot_feature_maps(np.zeros((2, 6, 6, 4)))


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
    fig = plots.plot_conv_geometry(6, 3, stride=2, padding="same", position=(2, 2))
    ax = fig.axes[0]
    assert len(_cells(ax, plots._INPUT)) == 36
    assert len(_cells(ax, plots._PAD)) == 7 * 7 - 36  # the padding (every output cell is done)
    taps = _cells(ax, plots._TAP)
    assert taps == [(float(x), float(y)) for x in (4, 5, 6) for y in (4, 5, 6)]
    assert "pad 0 before, 1 after" in ax.get_title() and "output 3x3" in ax.get_title()


def test_plot_conv_geometry_dilated_taps_and_bad_input():
    ax = plots.plot_conv_geometry(7, 3, dilation=2, position=(1, 2)).axes[0]
    assert _cells(ax, plots._TAP) == [(float(x), float(y)) for x in (2, 4, 6) for y in (1, 3, 5)]
    with pytest.raises(
        ValueError, match=r"position=\(3, 0\): expected \(row, column\) with both in 0..2"
    ):
        plots.plot_conv_geometry(7, 3, dilation=2, position=(3, 0))
    with pytest.raises(ValueError, match="kernel_size=3 with dilation=4 spans 9 pixels"):
        plots.plot_conv_geometry(7, 3, dilation=4)


def test_animate_convolution_has_one_frame_per_output_position():
    anim = plots.animate_convolution(5, 3, stride=2, padding=(1, 1))
    assert plt.get_fignums() == []  # closed: a notebook stores only the animation
    html = anim.to_jshtml()
    assert html.count("data:image/png;base64") == 9
    with pytest.raises(
        ValueError, match="max_frames=4: this convolution has 3x3 = 9 output positions"
    ):
        plots.animate_convolution(5, 3, stride=2, padding=(1, 1), max_frames=4)


def _branching_model():
    import keras

    layers = keras.layers
    image = keras.Input(shape=(8, 8, 3), name="image")
    conv = layers.Conv2D(4, 3, padding="same", name="conv")(image)
    added = layers.Add(name="add")([conv, layers.Conv2D(4, 1, name="proj")(image)])
    shared = layers.Dense(5, name="shared")
    first = shared(layers.Flatten(name="flat_a")(added))
    second = shared(layers.Flatten(name="flat_b")(conv))
    both = layers.Concatenate(name="both")([first, second])
    return keras.Model(image, [first, both], name="branching")


def test_layer_graph_text_lists_every_call_with_its_inputs_and_shape():
    lines = plots.layer_graph_text(_branching_model()).splitlines()
    rows = [line.split() for line in lines]
    assert rows[0] == ["layer", "(type)", "output", "shape", "inputs"]
    assert lines[1].split()[:2] == ["image", "(InputLayer)"] and lines[1].endswith("-")
    assert (
        "add (Add)" in lines[4]
        and "(None, 8, 8, 4)" in lines[4]
        and lines[4].endswith("conv, proj")
    )
    assert "shared [call 1] (Dense)" in lines[7] and lines[7].endswith("flat_a")
    assert "shared [call 2] (Dense)" in lines[8] and lines[8].endswith("flat_b")
    assert lines[9].endswith("shared [call 1], shared [call 2]") and "(None, 10)" in lines[9]
    assert lines[-1] == "outputs: shared [call 1], both"


def test_layer_graph_text_counts_only_the_calls_inside_the_model():
    import keras

    model = _branching_model()
    shared = model.get_layer("shared")
    image = model.inputs[0]
    other = keras.Model(
        image, shared(keras.layers.Flatten(name="flat_c")(model.get_layer("conv").output))
    )
    text = plots.layer_graph_text(other)
    assert "[call" not in text
    assert text.splitlines()[-1] == "outputs: shared"


def test_layer_graph_text_sequential_and_subclassed():
    import keras

    seq = keras.Sequential([keras.Input(shape=(4,), name="x"), keras.layers.Dense(3, name="d1"),
                            keras.layers.Dense(2, name="d2")])  # fmt: skip
    lines = plots.layer_graph_text(seq).splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["x", "d1", "d2"]
    assert lines[3].endswith("d1") and "(None, 2)" in lines[3]
    assert lines[-1] == "outputs: d2"

    class Tiny(keras.Model):
        def __init__(self):
            super().__init__(name="tiny")
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    tiny = Tiny()
    tiny(np.zeros((1, 3), "float32"))
    assert "subclassed model, drawn as one box" in plots.layer_graph_text(tiny)


def test_layer_graph_text_rejects_bad_input():
    import keras

    with pytest.raises(ValueError, match=r"model: expected a keras\.Model, got list"):
        plots.layer_graph_text([1])
    with pytest.raises(ValueError, match="model='unbuilt': expected a built model"):
        plots.layer_graph_text(keras.Sequential([keras.layers.Dense(2)], name="unbuilt"))


def test_show_model_graph_falls_back_to_text_and_says_so(monkeypatch, capsys):
    monkeypatch.setattr(plots, "graphviz_available", lambda: False)
    assert plots.show_model_graph(_branching_model()) is None
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "Diagram of 'branching': text fallback",
        "(pydot/graphviz not installed, so plot_model cannot draw)",
    ]
    assert out[-1] == "outputs: shared [call 1], both"


def test_layer_graph_text_wraps_long_input_lists_under_the_inputs_column():
    import keras

    inputs = keras.Input(shape=(4,), name="x")
    branches = [keras.layers.Dense(2, name=f"branch_with_long_name_{i}")(inputs) for i in range(4)]
    model = keras.Model(inputs, keras.layers.Concatenate(name="joined")(branches))
    lines = plots.layer_graph_text(model).splitlines()
    assert all(len(line) <= plots.PAGE_WIDTH for line in lines)
    start = lines[0].index("inputs")
    joined = next(i for i, line in enumerate(lines) if line.startswith("joined"))
    assert lines[joined + 1][:start].strip() == ""  # a continuation, under "inputs"
    listed = " ".join(line[start:].strip() for line in lines[joined:-1])
    assert all(f"branch_with_long_name_{i}" in listed for i in range(4))


def test_show_model_graph_uses_plot_model_when_graphviz_is_there(monkeypatch, capsys):
    import keras

    calls = {}

    def fake_plot_model(model, to_file, show_shapes, **kwargs):
        calls.update(name=model.name, to_file=to_file, show_shapes=show_shapes, **kwargs)
        return "image"

    monkeypatch.setattr(plots, "graphviz_available", lambda: True)
    monkeypatch.setattr(keras.utils, "plot_model", fake_plot_model)
    assert plots.show_model_graph(_branching_model(), rankdir="LR") == "image"
    assert capsys.readouterr().out == "Diagram of 'branching': keras.utils.plot_model (graphviz)\n"
    assert calls["name"] == "branching" and calls["to_file"].endswith("branching.png")
    assert calls["show_shapes"] is True and calls["rankdir"] == "LR"
    with pytest.raises(ValueError, match=r"model: expected a keras\.Model"):
        plots.show_model_graph("not a model")


def test_graphviz_available_is_false_without_pydot(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pydot(name, *args, **kwargs):
        if name == "pydot":
            raise ImportError("no pydot")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pydot)
    assert plots.graphviz_available() is False


# ------------------------------------------------- bad input: a ValueError naming the argument
_IMAGES = np.zeros((2, 4, 4))
_KERNEL = np.zeros((3, 3, 1, 4))
_BAD_CALLS = [
    # show_images
    (lambda: plots.show_images(_IMAGES.astype(str)),
     "images: expected a non-empty array of numbers, got dtype <U32"),
    (lambda: plots.show_images([[[1]], [[1, 2]]]),
     r"images=\[\[\[1\]\], \[\[1, 2\]\]\]: expected an array of numbers"),
    (lambda: plots.show_images(np.zeros((0, 4, 4))), r"images: .*shape \(0, 4, 4\)"),
    (lambda: plots.show_images(np.zeros((257, 2, 2))), "images: 257 panels: expected at most 256"),
    (lambda: plots.show_images(_IMAGES, ncols=2.0), "ncols=2.0: expected an integer"),
    (lambda: plots.show_images(_IMAGES, ncols=True), "ncols=True"),
    (lambda: plots.show_images(_IMAGES, [0.5, 1]), r"labels\[0\]=0.5: expected a class index"),
    (lambda: plots.show_images(_IMAGES, [0, -1]), r"labels\[1\]=-1"),
    (lambda: plots.show_images(_IMAGES, ["a", "b"]), r"labels=\['a', 'b'\]"),
    (lambda: plots.show_images(_IMAGES, np.eye(2)), r"labels: expected .* shape \(2, 2\)"),
    (lambda: plots.show_images(_IMAGES, [0, 1], [np.nan, 1]), r"predictions\[0\]=nan"),
    (lambda: plots.show_images(_IMAGES, [0, 1], class_names="ab"),
     "class_names='ab': expected a list of at least one name"),
    (lambda: plots.show_images(_IMAGES, [0, 1], class_names=[0, 1]), r"class_names=\[0, 1\]"),
    # plot_history
    (lambda: plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.0]}, metrics=["loss"]),
     r"history: epochs per metric \{'loss': 2, 'val_loss': 1\}: expected the same number"),
    (lambda: plots.plot_history({"loss": ["a", "b"]}, metrics=["loss"]),
     r"history\['loss'\]=\['a', 'b'\]: expected a non-empty array of numbers"),
    (lambda: plots.plot_history({"loss": []}, metrics=["loss"]), r"history\['loss'\]=\[\]"),
    (lambda: plots.plot_history({"loss": [[1.0, 2.0]]}, metrics=["loss"]),
     r"history: 'loss' has shape \(1, 2\): expected one number per epoch"),
    (lambda: plots.plot_history({"a": {"loss": [1.0]}, "b": {"loss": "x"}}, metrics=["loss"]),
     r"history\['b'\]\['loss'\]='x'"),
    (lambda: plots.plot_history({"loss": [1.0]}, metrics=[1]), r"metrics=\[1\]"),
    (lambda: plots.plot_history({"loss": [1.0]}, metrics=(m for m in ["loss"])),
     "metrics=<generator"),
    # plot_confusion_matrix: a stray large label would mean a huge matrix
    (lambda: plots.plot_confusion_matrix([0, 1], [0, 255]),
     "y_pred: a label of 255 means 256 classes: expected labels below 50"),
    (lambda: plots.plot_confusion_matrix([0, 10**6], [0, 1]), "y_true: a label of 1000000"),
    (lambda: plots.plot_confusion_matrix([0], [0], class_names=[str(i) for i in range(51)]),
     r"class_names=\[.*\]: expected a list of 1 to 50 names \(strings\)"),
    (lambda: plots.plot_confusion_matrix([0], [0], class_names="abc"), "class_names='abc'"),
    (lambda: plots.plot_confusion_matrix([0, 1.5], [0, 1]), r"y_true\[1\]=1.5"),
    (lambda: plots.plot_confusion_matrix([0, 1], [0, -1]), r"y_pred\[1\]=-1"),
    (lambda: plots.plot_confusion_matrix([0, np.inf], [0, 1]), r"y_true\[1\]=inf"),
    (lambda: plots.plot_confusion_matrix([], []), r"y_true=\[\]: expected a non-empty array"),
    (lambda: plots.plot_confusion_matrix(["a"], ["a"]), r"y_true=\['a'\]"),
    (lambda: plots.plot_confusion_matrix(np.zeros((2, 2)), [0, 1]),
     r"y_true: expected integer class indices of shape \(N,\) or \(N, 1\)"),
    (lambda: plots.plot_confusion_matrix([True, False], [0, 1]), "y_true: expected integer"),
    # plot_filters and plot_feature_maps
    (lambda: plots.plot_filters(np.zeros((3, 3, 1, 0))), r"kernel: .*shape \(3, 3, 1, 0\)"),
    (lambda: plots.plot_filters(np.zeros((3, 3, 0, 4))), r"kernel: .*shape \(3, 3, 0, 4\)"),
    (lambda: plots.plot_filters(np.zeros((1, 1, 1, 257))), "kernel: 257 panels"),
    (lambda: plots.plot_filters(_KERNEL.astype(object)), "kernel: .*dtype object"),
    (lambda: plots.plot_filters(_KERNEL, input_channel=0.0),
     "input_channel=0.0: the kernel has 1 input channels; expected an integer from 0 to 0"),
    (lambda: plots.plot_filters(_KERNEL, input_channel=-1), "input_channel=-1"),
    (lambda: plots.plot_filters(_KERNEL, input_channel=False), "input_channel=False"),
    (lambda: plots.plot_filters(_KERNEL, ncols=0), "ncols=0"),
    (lambda: plots.plot_feature_maps(np.zeros((4, 4, 0))), r"feature_maps: .*\(4, 4, 0\)"),
    (lambda: plots.plot_feature_maps(np.zeros((1, 4, 4, 0))), "feature_maps: "),
    (lambda: plots.plot_feature_maps(np.zeros((2, 2, 300))), "feature_maps: 300 panels"),
    (lambda: plots.plot_feature_maps(None), "feature_maps=None"),
    (lambda: plots.plot_feature_maps(np.zeros((4, 4, 2)), ncols=-1), "ncols=-1"),
    # plot_conv_geometry and animate_convolution: the drawing grows with the padded size
    (lambda: plots.plot_conv_geometry(400, 3),
     "input_size=400 with padding='valid' is 400 pixels wide once padded: expected at most 64"),
    (lambda: plots.plot_conv_geometry(150, 3, padding="same"), "input_size=150"),
    (lambda: plots.plot_conv_geometry(10**9, 3), "input_size=1000000000"),
    (lambda: plots.plot_conv_geometry(5, 3, padding=(100, 100)),
     r"input_size=5 with padding=\(100, 100\) is 205 pixels wide"),
    (lambda: plots.plot_conv_geometry(5, 3, stride=2.0), "stride=2.0"),
    (lambda: plots.plot_conv_geometry(5, 3, padding="full"), "padding='full'"),
    (lambda: plots.plot_conv_geometry(5, 3, position=5), "position=5: expected"),
    (lambda: plots.plot_conv_geometry(5, 3, position=(0.0, 0)), r"position=\(0.0, 0\)"),
    (lambda: plots.plot_conv_geometry(5, 3, position=(True, 0)), r"position=\(True, 0\)"),
    (lambda: plots.plot_conv_geometry(5, 3, ax="axes"), "ax='axes': expected a matplotlib Axes"),
    (lambda: plots.animate_convolution(5, 3, dpi=0), "dpi=0: expected an integer from 10 to 300"),
    (lambda: plots.animate_convolution(5, 3, dpi=-5), "dpi=-5"),
    (lambda: plots.animate_convolution(5, 3, dpi=72.0), "dpi=72.0"),
    (lambda: plots.animate_convolution(5, 3, dpi=10**6), "dpi=1000000"),
    (lambda: plots.animate_convolution(5, 3, max_frames=float("nan")), "max_frames=nan"),
    (lambda: plots.animate_convolution(5, 3, max_frames=0), "max_frames=0"),
    (lambda: plots.animate_convolution(5, 3, max_frames=10**6),
     "max_frames=1000000: expected an integer from 1 to 256"),
    (lambda: plots.animate_convolution(400, 3, max_frames=256), "input_size=400"),
]  # fmt: skip


@pytest.mark.parametrize("call, match", _BAD_CALLS, ids=[m for _, m in _BAD_CALLS])
def test_bad_input_is_refused_before_any_drawing(call, match):
    with pytest.raises(ValueError, match=match):
        call()
    assert plt.get_fignums() == []  # refused up front: no figure was started


def test_numpy_integers_integral_float_labels_and_nan_curves_are_accepted():
    fig = plots.show_images(_IMAGES, np.array([0.0, 1.0]), ncols=np.int64(2))
    assert _titles(fig) == ["0", "1"]
    fig = plots.plot_filters(_KERNEL, input_channel=np.int64(0), ncols=np.uint8(2))
    assert len(fig.axes) == 4
    assert len(plots.plot_feature_maps(np.zeros((4, 4, 2)), ncols=np.int32(2)).axes) == 2
    fig = plots.plot_confusion_matrix(np.array([0.0, 1.0]), np.array([[1], [1]], np.uint8))
    assert [t.get_text() for t in fig.axes[0].texts] == ["0", "1", "0", "1"]
    fig = plots.plot_history({"loss": [np.nan, 0.5]}, metrics=["loss"])  # a diverged run
    assert len(fig.axes[0].get_lines()[0].get_ydata()) == 2


def test_conv_geometry_accepts_numpy_integers_any_case_padding_and_the_explorers_extremes():
    n, k, s = np.int64(6), np.int32(3), np.uint8(2)
    fig = plots.plot_conv_geometry(n, k, stride=s, padding="SAME", position=(np.int64(2), 2))
    assert "pad 0 before, 1 after" in fig.axes[0].get_title()
    # the explorer's widest drawing: input 16, a 7x7 kernel dilated by 4, SAME: 40 pixels
    fig = plots.plot_conv_geometry(16, 7, dilation=4, padding="same")
    assert "input 16x16, pad 12" in fig.axes[0].get_title()
    anim = plots.animate_convolution(n, k, stride=s, padding="Same", max_frames=np.int64(9),
                                     dpi=np.int64(40))  # fmt: skip
    assert anim.to_jshtml().count("data:image/png;base64") == 9
