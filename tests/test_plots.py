from helpers import page, plots

import matplotlib.pyplot as plt
import numpy as np
import pytest


def _titles(fig):
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def test_show_images_marks_wrong_predictions():
    images = np.random.rand(3, 28, 28, 1)
    fig = plots.show_images(images, [1, 2, 3], predictions=[1, 5, 3], ncols=2)
    assert _titles(fig) == ["1", "5\n(2)", "3"]
    colors = [ax.title.get_color() for ax in fig.axes if ax.get_title()]
    assert colors == ["black", "red", "black"]
    assert len(fig.axes) == 4  # 2x2 grid, the last one empty


def test_the_books_figures_never_exceed_the_page_however_many_panels():
    page.use_book_style()
    fig = plots.show_images(np.zeros((16, 4, 4)), ncols=16)
    assert fig.get_size_inches()[0] <= page.FIGURE_INCHES + 1e-9
    fig = plots.plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.9]})
    assert fig.get_size_inches()[0] <= page.FIGURE_INCHES + 1e-9
    assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in fig.axes)


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
    with pytest.raises(TypeError, match="history: expected a keras History"):
        plots.plot_history([1, 2])
    with pytest.raises(ValueError, match=r"history: expected a keras History .* got an empty one"):
        plots.plot_history({})
    with pytest.raises(ValueError, match=r"metrics: \['accuracy'\] not in the history"):
        plots.plot_history({"loss": [1.0]})
    with pytest.raises(TypeError, match="metrics='loss'"):
        plots.plot_history({"loss": [1.0]}, metrics="loss")
    with pytest.raises(ValueError, match=r"metrics=\[\]: expected a non-empty list"):
        plots.plot_history({"loss": [1.0]}, metrics=[])


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
    with pytest.raises(ValueError, match="input_channel=2: expected an integer from 0 to 0"):
        plots.plot_filters(np.zeros((3, 3, 1, 4)), input_channel=2)


def test_plot_feature_maps_accepts_a_batch_of_one():
    fig = plots.plot_feature_maps(np.random.rand(1, 6, 6, 4), ncols=4)
    assert len(fig.axes) == 4
    assert "4 feature maps of size 6x6" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="feature_maps: expected shape"):
        plots.plot_feature_maps(np.zeros((2, 6, 6, 4)))


# ------------------------------------------------- bad input: a ValueError naming the argument
_IMAGES = np.zeros((2, 4, 4))
_KERNEL = np.zeros((3, 3, 1, 4))
_BAD_CALLS = [
    # show_images
    (TypeError, lambda: plots.show_images(_IMAGES.astype(str)),
     "images: expected a non-empty array of numbers, got dtype <U32"),
    (ValueError, lambda: plots.show_images([[[1]], [[1, 2]]]),
     r"images=\[\[\[1\]\], \[\[1, 2\]\]\]: expected an array of numbers"),
    (ValueError, lambda: plots.show_images(np.zeros((0, 4, 4))), r"images: .*shape \(0, 4, 4\)"),
    (ValueError, lambda: plots.show_images(np.zeros((257, 2, 2))),
     "images: 257 panels: expected at most 256"),
    (TypeError, lambda: plots.show_images(_IMAGES, ncols=2.0),
     "ncols=2.0: expected a positive integer"),
    (TypeError, lambda: plots.show_images(_IMAGES, ncols=True), "ncols=True"),
    (ValueError, lambda: plots.show_images(_IMAGES, [0.5, 1]),
     r"labels\[0\]=0.5: expected a class index"),
    (ValueError, lambda: plots.show_images(_IMAGES, [0, -1]), r"labels\[1\]=-1"),
    (TypeError, lambda: plots.show_images(_IMAGES, ["a", "b"]), r"labels=\['a', 'b'\]"),
    (ValueError, lambda: plots.show_images(_IMAGES, np.eye(2)),
     r"labels: expected .* shape \(2, 2\)"),
    (ValueError, lambda: plots.show_images(_IMAGES, [0, 1], [np.nan, 1]), r"predictions\[0\]=nan"),
    (TypeError, lambda: plots.show_images(_IMAGES, [0, 1], class_names="ab"),
     "class_names='ab': expected a list of at least one name"),
    (TypeError, lambda: plots.show_images(_IMAGES, [0, 1], class_names=[0, 1]),
     r"class_names=\[0, 1\]"),
    # plot_history
    (ValueError,
     lambda: plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.0]}, metrics=["loss"]),
     r"history: epochs per metric \{'loss': 2, 'val_loss': 1\}: expected the same number"),
    (TypeError, lambda: plots.plot_history({"loss": ["a", "b"]}, metrics=["loss"]),
     r"history\['loss'\]=\['a', 'b'\]: expected a non-empty array of numbers"),
    (ValueError, lambda: plots.plot_history({"loss": []}, metrics=["loss"]),
     r"history\['loss'\]=\[\]"),
    (ValueError, lambda: plots.plot_history({"loss": [[1.0, 2.0]]}, metrics=["loss"]),
     r"history: 'loss' has shape \(1, 2\): expected one number per epoch"),
    (TypeError,
     lambda: plots.plot_history({"a": {"loss": [1.0]}, "b": {"loss": "x"}}, metrics=["loss"]),
     r"history\['b'\]\['loss'\]='x'"),
    (TypeError, lambda: plots.plot_history({"loss": [1.0]}, metrics=[1]), r"metrics=\[1\]"),
    (TypeError, lambda: plots.plot_history({"loss": [1.0]}, metrics=(m for m in ["loss"])),
     "metrics=<generator"),
    # plot_confusion_matrix: a stray large label would mean a huge matrix
    (ValueError, lambda: plots.plot_confusion_matrix([0, 1], [0, 255]),
     "y_pred: a label of 255 means 256 classes: expected labels below 50"),
    (ValueError, lambda: plots.plot_confusion_matrix([0, 10**6], [0, 1]),
     "y_true: a label of 1000000"),
    (ValueError,
     lambda: plots.plot_confusion_matrix([0], [0], class_names=[str(i) for i in range(51)]),
     r"class_names=\[.*\]: expected a list of 1 to 50 names \(strings\)"),
    (TypeError, lambda: plots.plot_confusion_matrix([0], [0], class_names="abc"),
     "class_names='abc'"),
    (ValueError, lambda: plots.plot_confusion_matrix([0, 1.5], [0, 1]), r"y_true\[1\]=1.5"),
    (ValueError, lambda: plots.plot_confusion_matrix([0, 1], [0, -1]), r"y_pred\[1\]=-1"),
    (ValueError, lambda: plots.plot_confusion_matrix([0, np.inf], [0, 1]), r"y_true\[1\]=inf"),
    (ValueError, lambda: plots.plot_confusion_matrix([], []),
     r"y_true=\[\]: expected a non-empty array"),
    (TypeError, lambda: plots.plot_confusion_matrix(["a"], ["a"]), r"y_true=\['a'\]"),
    (ValueError, lambda: plots.plot_confusion_matrix(np.zeros((2, 2)), [0, 1]),
     r"y_true: expected integer class indices of shape \(N,\) or \(N, 1\)"),
    (TypeError, lambda: plots.plot_confusion_matrix([True, False], [0, 1]),
     "y_true: expected integer"),
    # plot_filters and plot_feature_maps
    (ValueError, lambda: plots.plot_filters(np.zeros((3, 3, 1, 0))),
     r"kernel: .*shape \(3, 3, 1, 0\)"),
    (ValueError, lambda: plots.plot_filters(np.zeros((3, 3, 0, 4))),
     r"kernel: .*shape \(3, 3, 0, 4\)"),
    (ValueError, lambda: plots.plot_filters(np.zeros((1, 1, 1, 257))), "kernel: 257 panels"),
    (TypeError, lambda: plots.plot_filters(_KERNEL.astype(object)), "kernel: .*dtype object"),
    (TypeError, lambda: plots.plot_filters(_KERNEL, input_channel=0.0),
     "input_channel=0.0: expected an integer from 0 to 0"),
    (ValueError, lambda: plots.plot_filters(_KERNEL, input_channel=1),
     "input_channel=1: expected an integer from 0 to 0"),
    (ValueError, lambda: plots.plot_filters(_KERNEL, input_channel=-1), "input_channel=-1"),
    (TypeError, lambda: plots.plot_filters(_KERNEL, input_channel=False), "input_channel=False"),
    (ValueError, lambda: plots.plot_filters(_KERNEL, ncols=0), "ncols=0"),
    (ValueError, lambda: plots.plot_feature_maps(np.zeros((4, 4, 0))),
     r"feature_maps: .*\(4, 4, 0\)"),
    (ValueError, lambda: plots.plot_feature_maps(np.zeros((1, 4, 4, 0))), "feature_maps: "),
    (ValueError, lambda: plots.plot_feature_maps(np.zeros((2, 2, 300))),
     "feature_maps: 300 panels"),
    (TypeError, lambda: plots.plot_feature_maps(None), "feature_maps=None"),
    (ValueError, lambda: plots.plot_feature_maps(np.zeros((4, 4, 2)), ncols=-1), "ncols=-1"),
]  # fmt: skip


@pytest.mark.parametrize("error, call, match", _BAD_CALLS, ids=[m for _, _, m in _BAD_CALLS])
def test_bad_input_is_refused_before_any_drawing(error, call, match):
    with pytest.raises(error, match=match):
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
