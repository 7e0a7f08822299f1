"""How far to trust a picture of what a convnet learned: agreement between maps, the model
randomisation test, and filter patterns found by gradient ascent.

- :func:`rank_correlation`: Spearman's rank correlation of two maps (Pearson's correlation of
  their ranks, ties sharing the mean rank), computed with NumPy; :func:`mean_rank_correlation`
  averages it over a batch of map pairs.
- :func:`randomized_top_down`: the model randomisation test of Adebayo et al. (2018, "Sanity
  Checks for Saliency Maps"): the layers with weights get fresh initial values one at a time,
  from the output down (cascading), and a trustworthy map should change as they do.
- :func:`filter_pattern`: the input that makes one filter respond most, by gradient ascent on
  the input (Erhan et al., 2009; Chollet, *Deep Learning with Python*, ch. 10).

>>> rank_correlation(np.array([1.0, 2.0, 3.0]), np.array([10.0, 30.0, 20.0]))
0.5
"""

from __future__ import annotations

from collections.abc import Iterator

from helpers._checks import integer
from helpers.interpret import _model, check_images, conv_layer, reach

import keras
import numpy as np
import tensorflow as tf


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 of a 1-D array; tied values share the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return sums[inverse] / counts[inverse]


def _maps(name: str, value) -> np.ndarray:
    if not isinstance(value, (np.ndarray, tf.Tensor)):
        raise TypeError(f"{name}: a {type(value).__name__}; expected a NumPy array")
    a = np.asarray(value, dtype="float64")
    if a.size < 2 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: shape {a.shape}; expected at least 2 finite values")
    return a


def rank_correlation(a, b) -> float:
    """Spearman's rank correlation of two maps of the same shape, from -1 to 1; 0 when one of
    them is constant (its ranks say nothing).

    >>> rank_correlation(np.arange(4.0), -np.arange(4.0))
    -1.0
    """
    a, b = _maps("a", a), _maps("b", b)
    if a.shape != b.shape:
        raise ValueError(f"b: shape {b.shape}; expected the shape of a, {a.shape}")
    ra, rb = _ranks(a.ravel()), _ranks(b.ravel())
    ra, rb = ra - ra.mean(), rb - rb.mean()
    norm = np.sqrt((ra**2).sum() * (rb**2).sum())
    return float((ra * rb).sum() / norm) if norm > 0 else 0.0


def mean_rank_correlation(a, b) -> float:
    """The mean over images of :func:`rank_correlation` of ``a[i]`` and ``b[i]``: two batches
    of maps, shape (N, H, W).

    >>> mean_rank_correlation(np.ones((2, 3, 3)).cumsum(1), np.ones((2, 3, 3)).cumsum(1))
    1.0
    """
    a, b = _maps("a", a), _maps("b", b)
    if a.ndim != 3 or a.shape != b.shape:
        raise ValueError(f"a, b: shapes {a.shape}, {b.shape}; expected the same (N, H, W)")
    return float(np.mean([rank_correlation(x, y) for x, y in zip(a, b)]))


def _fresh(variable, initializer, seed: int) -> np.ndarray:
    """New values for ``variable`` from a copy of its initializer with the given seed."""
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = seed
    return type(initializer).from_config(config)(variable.shape, dtype=variable.dtype)


def weighted_layer_names(model: keras.Model) -> list[str]:
    """The names of the layers that hold weights, first to last.

    >>> weighted_layer_names(build_mnist_cnn())  # doctest: +SKIP
    ['conv1', 'conv2', 'classifier']
    """
    return [layer.name for layer in _model(model).layers if layer.weights]


def randomized_top_down(model: keras.Model, seed: int = 0) -> Iterator[tuple[str, keras.Model]]:
    """Yield ``(layer name, model)`` once per layer with weights, from the last to the first:
    a copy of ``model`` in which that layer and every layer above it hold fresh initial values
    (each weight drawn again from its own initializer: ``kernel_initializer``,
    ``bias_initializer``, ``gamma_initializer``, ... with seeds from ``seed``). The copy is
    made once and randomised further at each step: use it before asking for the next.
    ``model`` itself is not changed.

    >>> for name, randomized in randomized_top_down(model):  # doctest: +SKIP
    ...     print(name, randomized.evaluate(x_test, y_test, verbose=0))
    """
    seed = integer("seed", seed, 0)
    copy = keras.models.clone_model(_model(model))
    copy.set_weights(model.get_weights())
    for depth, layer in enumerate(reversed(copy.layers)):
        if not layer.weights:
            continue
        for k, variable in enumerate(layer.weights):
            initializer = getattr(layer, f"{variable.name}_initializer", None)
            if initializer is None:
                raise ValueError(
                    f"model: layer {layer.name!r} has weight {variable.name!r} without an "
                    "initializer to draw fresh values from"
                )
            variable.assign(_fresh(variable, initializer, seed + 100 * depth + k))
        yield layer.name, copy


def filter_pattern(
    model: keras.Model, layer_name: str, filter_index: int, *, steps: int = 40,
    step_size: float = 0.05, normalize: bool = True, seed: int = 0,
) -> tuple[np.ndarray, float]:  # fmt: skip
    """The input image, found by ``steps`` steps of gradient ascent from low-contrast noise,
    that maximises the mean response of filter ``filter_index`` of ``layer_name``; returns
    the image and the mean response it reached.

    With ``normalize=True`` each step moves by ``step_size`` times the gradient divided by
    its RMS (a step of fixed size whatever the gradient's scale), and the pixels are clipped
    to [0, 1], the range of the training images. With ``normalize=False`` it takes the raw
    gradient step and never clips: the failure the chapter shows.

    >>> image, response = filter_pattern(model, "conv2d_3", 0)  # doctest: +SKIP
    """
    layer = conv_layer(_model(model), layer_name)
    filter_index = integer("filter_index", filter_index, 0, layer.filters - 1)
    steps = integer("steps", steps, 1, 1000)
    seed = integer("seed", seed, 0)
    if isinstance(step_size, bool) or not isinstance(step_size, (int, float)) or step_size <= 0:
        raise ValueError(f"step_size={step_size!r}: expected a positive number")
    to_layer = reach(model, [layer.name])
    shape = (1, *model.inputs[0].shape[1:])
    start = np.random.default_rng(seed).uniform(0.4, 0.6, shape).astype("float32")
    x = tf.Variable(check_images(model, start))
    for _ in range(steps):
        with tf.GradientTape() as tape:
            out = to_layer(x, training=False)
            loss = tf.reduce_mean(tf.cast(out[..., filter_index], "float32"))
        grad = tape.gradient(loss, x)
        if normalize:
            grad = grad / (tf.sqrt(tf.reduce_mean(grad**2)) + 1e-8)
            x.assign(tf.clip_by_value(x + step_size * grad, 0.0, 1.0))
        else:
            x.assign_add(step_size * grad)
    final = float(tf.reduce_mean(to_layer(x, training=False)[..., filter_index]))
    return x.numpy()[0], final
