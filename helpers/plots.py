"""Pictures of data and training results: images, training curves, a confusion matrix,
learned filters and feature maps. Each function draws one matplotlib Figure and returns it.

In a notebook the figure appears by itself at the end of the cell; in a script, call
``fig.savefig(...)`` or ``plt.show()``. ``helpers.page.use_book_style`` sizes and letters
every figure of a notebook, these and the chapters' own, for the book's page; these figures
are never wider than it (``helpers.page.FIGURE_INCHES``).

>>> fig = show_images(x_test[:16], y_test[:16], predictions=y_pred[:16])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from helpers._checks import integer
from helpers._plot_inputs import class_labels, class_name_list, number_array
from helpers.page import FIGURE_INCHES

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

# Bounds on the work one call does; each is well above what a readable figure needs.
MAX_PANELS = 256  # images, filters or channels in one grid (256 panels draw in about 3 s)
MAX_CLASSES = 50  # rows of a confusion matrix: 2,500 counts drawn


def _grid(n: int, ncols: int, name: str, cell: float = 1.4) -> tuple[Figure, np.ndarray]:
    if n > MAX_PANELS:
        raise ValueError(
            f"{name}: {n} panels: expected at most {MAX_PANELS} (a readable grid); pass a slice"
        )
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    cell = min(cell, FIGURE_INCHES / ncols)  # never wider than the page
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(cell * ncols, cell * nrows + 0.5), squeeze=False
    )
    for ax in axes.flat:
        ax.set_axis_off()
    return fig, axes


def _name(label: int, class_names: Sequence[str] | None) -> str:
    if class_names is None:
        return str(label)
    if not 0 <= label < len(class_names):
        raise ValueError(
            f"label {label} has no entry in class_names (which has {len(class_names)} names)"
        )
    return class_names[label]


def show_images(
    images,
    labels=None,
    predictions=None,
    class_names: Sequence[str] | None = None,
    ncols: int = 8,
    title: str | None = None,
) -> Figure:
    """Show images in a grid, with their labels and, if given, the model's predictions.

    A prediction that differs from its label is written in red as ``pred``, with ``(true)``
    on a second line.
    Images may be (N, H, W), (N, H, W, 1) or (N, H, W, 3), in [0, 1] floats or uint8.

    >>> fig = show_images(x_test[:16], y_test[:16], predictions=y_pred[:16], ncols=8)
    """
    images = number_array("images", images)
    ncols = integer("ncols", ncols, 1)
    class_names = class_name_list(class_names)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if (
        images.ndim not in (3, 4)
        or (images.ndim == 4 and images.shape[-1] != 3)
        or len(images) == 0
    ):
        raise ValueError(
            f"images: expected a non-empty batch of shape (N, H, W), (N, H, W, 1) or (N, H, W, 3), "
            f"got {images.shape}"
        )
    labels = None if labels is None else class_labels("labels", labels)
    predictions = None if predictions is None else class_labels("predictions", predictions)
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and len(values) != len(images):
            raise ValueError(
                f"{name}: expected {len(images)} entries (one per image), got {len(values)}"
            )
    if predictions is not None and labels is None:
        raise ValueError("predictions: also pass labels, so that wrong predictions can be marked")
    fig, axes = _grid(len(images), ncols, "images")
    for i, ax in enumerate(axes.flat[: len(images)]):
        ax.imshow(images[i], cmap="gray" if images.ndim == 3 else None)
        if labels is None:
            continue
        true = _name(labels[i], class_names)
        if predictions is None:
            ax.set_title(true, fontsize=9)
        else:
            guess = _name(predictions[i], class_names)
            wrong = guess != true
            ax.set_title(
                f"{guess}\n({true})" if wrong else guess,  # two short lines fit a panel
                fontsize=9,
                color="red" if wrong else "black",
            )
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _as_logs(history) -> dict[str, list[float]]:
    logs = getattr(history, "history", history)
    expected = "expected a keras History or a dict of metric lists"
    if not isinstance(logs, Mapping):
        raise TypeError(f"history: {expected}, got {type(history).__name__}")
    if not logs:
        raise ValueError(f"history: {expected}, got an empty one")
    return dict(logs)


def plot_history(
    history, metrics: Sequence[str] = ("loss", "accuracy"), title: str | None = None
) -> Figure:
    """Plot training curves, one panel per metric, with the validation curve when present.

    ``history`` is a ``keras.callbacks.History`` (what ``fit`` returns), a dict of metric
    lists, or a dict mapping a run's name to either, to compare runs on the same axes.

    >>> fig = plot_history(model.fit(..., validation_split=0.1))
    >>> fig = plot_history({"with BN": h1, "without BN": h2}, metrics=["val_accuracy"])
    """
    if (
        isinstance(history, Mapping)
        and history
        and all(hasattr(v, "history") or isinstance(v, Mapping) for v in history.values())
    ):
        runs = {str(name): _as_logs(h) for name, h in history.items()}
    else:
        runs = {"": _as_logs(history)}
    refused = f"metrics={metrics!r}: expected a non-empty list of metric names"
    if isinstance(metrics, str) or not isinstance(metrics, Sequence):
        raise TypeError(refused)
    if not all(isinstance(m, str) for m in metrics):
        raise TypeError(refused)
    if not metrics:
        raise ValueError(refused)
    plotted = {*metrics, *(f"val_{m}" for m in metrics if not m.startswith("val_"))}
    for name, logs in runs.items():
        missing = [m for m in metrics if m not in logs]
        where = f" of run {name!r}" if name else ""
        if missing:
            raise ValueError(
                f"metrics: {missing} not in the history{where}, which has {sorted(logs, key=str)}"
            )
        for key in plotted & set(logs):
            curve = number_array(
                f"history[{name!r}][{key!r}]" if name else f"history[{key!r}]", logs[key]
            )
            if curve.ndim != 1:
                raise ValueError(
                    f"history{where}: {key!r} has shape {curve.shape}: "
                    "expected one number per epoch"
                )
            logs[key] = curve.astype(float)
        lengths = {key: len(logs[key]) for key in sorted(plotted & set(logs))}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"history{where}: epochs per metric {lengths}: expected the same number for each"
            )
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(FIGURE_INCHES, 3.4), squeeze=False, layout="constrained"
    )
    for ax, metric in zip(axes.flat, metrics):
        for name, logs in runs.items():
            epochs = np.arange(1, len(logs[metric]) + 1)
            prefix = f"{name}: " if name else ""
            (line,) = ax.plot(
                epochs,
                logs[metric],
                marker="o",
                label=f"{prefix}training"
                if not metric.startswith("val_")
                else f"{prefix}validation",
            )
            val = f"val_{metric}"
            if not metric.startswith("val_") and val in logs:
                ax.plot(
                    epochs,
                    logs[val],
                    marker="o",
                    linestyle="--",
                    color=line.get_color(),
                    label=f"{prefix}validation",
                )
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    # one legend for all panels, under them, where it covers no curve
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 3))
    if title:
        fig.suptitle(title)
    return fig


def plot_confusion_matrix(
    y_true, y_pred, class_names: Sequence[str] | None = None, title: str | None = None
) -> Figure:
    """Draw the confusion matrix (rows: true class, columns: predicted class) with counts.

    The matrix itself comes from ``tf.math.confusion_matrix``.

    >>> fig = plot_confusion_matrix(y_test, y_pred, class_names=[str(d) for d in range(10)])
    """
    y_true, y_pred = class_labels("y_true", y_true), class_labels("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(
            "y_true and y_pred: expected the same non-zero length, "
            f"got {len(y_true)} and {len(y_pred)}"
        )
    class_names = class_name_list(class_names, most=MAX_CLASSES)
    top = int(max(y_true.max(), y_pred.max()))
    if class_names is not None:
        if top >= len(class_names):
            raise ValueError(
                f"class_names: {len(class_names)} names, but the labels go up to {top}"
            )
        n = len(class_names)
    elif top >= MAX_CLASSES:
        name = "y_true" if y_true.max() == top else "y_pred"
        raise ValueError(
            f"{name}: a label of {top} means {top + 1} classes: expected labels below "
            f"{MAX_CLASSES} (a readable matrix), or class_names of at most {MAX_CLASSES} names"
        )
    else:
        n = top + 1
    import tensorflow as tf

    matrix = tf.math.confusion_matrix(y_true, y_pred, num_classes=n).numpy()
    names = list(class_names) if class_names is not None else [str(i) for i in range(n)]
    size = min(max(4.5, 0.55 * n), FIGURE_INCHES - 1)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    im = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046)
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(count),
            ha="center",
            va="center",
            fontsize=9 if n <= 12 else 6,
            color="white" if count > matrix.max() / 2 else "black",
        )
    ax.set_xticks(
        range(n),
        names,
        rotation=45 if class_names is not None else 0,
        ha="right" if class_names is not None else "center",
    )
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or "Confusion matrix")
    fig.tight_layout()
    return fig


def plot_filters(
    kernel, input_channel: int = 0, ncols: int = 8, title: str | None = None
) -> Figure:
    """Show the learned filters of a convolution, one small image per output channel.

    ``kernel`` is a Conv2D layer or its kernel array of shape (kh, kw, in_channels, filters).
    Each filter is drawn for one input channel, on its own symmetric blue-red scale.

    >>> fig = plot_filters(model.layers[0])
    """
    ncols = integer("ncols", ncols, 1)
    if hasattr(kernel, "kernel"):
        kernel = kernel.kernel
    kernel = number_array("kernel", kernel)
    if kernel.ndim != 4:
        raise ValueError(
            "kernel: expected a Conv2D layer or an array (kh, kw, in, out), "
            f"got shape {kernel.shape}"
        )
    channels = kernel.shape[2]
    input_channel = integer("input_channel", input_channel, 0, channels - 1)
    filters = kernel.shape[3]
    fig, axes = _grid(filters, ncols, "kernel", cell=1.0)
    for f, ax in enumerate(axes.flat[:filters]):
        w = kernel[:, :, input_channel, f]
        lim = float(np.abs(w).max()) or 1.0
        ax.imshow(w, cmap="bwr", vmin=-lim, vmax=lim)
        ax.set_title(str(f), fontsize=9)
    fig.suptitle(
        title or f"{filters} filters of shape {kernel.shape[0]}x{kernel.shape[1]} (blue < 0 < red)"
    )
    fig.tight_layout()
    return fig


def plot_feature_maps(feature_maps, ncols: int = 8, title: str | None = None) -> Figure:
    """Show the channels of one image's feature maps, one panel per channel.

    ``feature_maps`` has shape (H, W, C), or (1, H, W, C) as a model returns it for one image.

    >>> fig = plot_feature_maps(activation_model(x_test[:1]))
    """
    ncols = integer("ncols", ncols, 1)
    maps = number_array("feature_maps", feature_maps)
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(
            f"feature_maps: expected shape (H, W, C) or (1, H, W, C), got {np.shape(feature_maps)}"
        )
    channels = maps.shape[-1]
    fig, axes = _grid(channels, ncols, "feature_maps", cell=1.2)
    for c, ax in enumerate(axes.flat[:channels]):
        ax.imshow(maps[:, :, c], cmap="viridis")
        ax.set_title(str(c), fontsize=9)
    fig.suptitle(title or f"{channels} feature maps of size {maps.shape[0]}x{maps.shape[1]}")
    fig.tight_layout()
    return fig
