"""What a trained convnet computes: inner layers' activations and class-evidence maps.

Every map answers "which input pixels matter for class ``c``" for a batch of images, as an
array of shape (N, height, width), one value per input pixel:

- :func:`vanilla_gradient`: |d score / d pixel|, largest over the colour channels
  (Simonyan, Vedaldi & Zisserman, 2014, "Deep Inside Convolutional Networks");
- :func:`gradient_x_input`: gradient times the pixel, summed over the channels
  (Shrikumar et al., 2016);
- :func:`grad_cam`: a convolution layer's maps weighted by their average gradient, ReLU,
  resized to the input (Selvaraju et al., 2017, "Grad-CAM");
- :func:`occlusion_map`: the drop of the score when a patch is covered, no gradients
  (Zeiler & Fergus, 2014, "Visualizing and Understanding Convolutional Networks").

The score of a class is its logit: the input of the final softmax when the model ends in a
``Dense`` layer with a softmax, as the book's models do, so that a confident prediction
(softmax near 1, gradient near 0) still has a gradient. Inner layers are reached with the
Functional API: a ``keras.Model`` from the model's input to the inner layer's output. A
``Sequential`` model's layers are first called again, in order, on a new ``keras.Input``, so
that every inner output is connected to that input (a loaded or cloned ``Sequential`` may hold
its layers' outputs from another call).

>>> maps = grad_cam(model, x_test[:8], "conv2d_3")  # doctest: +SKIP
>>> maps.shape                                        # doctest: +SKIP
(8, 32, 32)
"""

from __future__ import annotations

from collections.abc import Sequence

from helpers._checks import integer

import keras
import numpy as np
import tensorflow as tf

MAX_IMAGES = 2048  # images per call: bounds the work (occlusion runs one batch per image)


def _model(model) -> keras.Model:
    if not isinstance(model, keras.Model):
        raise TypeError(f"model={model!r}: expected a keras.Model")
    if not model.inputs:
        raise ValueError(f"model={model.name!r}: expected a model built on keras.Input")
    return model


def reach(model: keras.Model, layer_names: Sequence[str], head: bool = False) -> keras.Model:
    """A Functional model from the model's input to the outputs of the layers called
    ``layer_names`` (no check of their type), and, with ``head=True``, also to what the final
    softmax layer receives (the model's output when it ends otherwise).

    >>> reach(model, ["conv1"])(x_test[:4]).shape  # doctest: +SKIP
    TensorShape([4, 26, 26, 32])
    """
    _model(model)
    last = model.layers[-1]
    softmax = isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax
    if isinstance(model, keras.Sequential):
        spec = model.inputs[0]
        inputs = h = keras.Input(shape=spec.shape[1:], dtype=spec.dtype)
        outputs, received = {}, None
        for layer in model.layers:
            received, h = h, layer(h)
            outputs[layer.name] = h
        final = received if softmax else h
    else:
        inputs = model.inputs[0]
        outputs = {layer.name: layer.output for layer in model.layers}
        final = last.input if softmax else model.outputs[0]
    wanted = [outputs[name] for name in layer_names] + ([final] if head else [])
    return keras.Model(inputs, wanted if len(wanted) > 1 else wanted[0], name=f"{model.name}_inner")


def conv_layer_names(model: keras.Model) -> list[str]:
    """The names of the model's convolution layers (``keras.layers.Conv2D`` and subclasses),
    first to last.

    >>> conv_layer_names(build_mnist_cnn())  # doctest: +SKIP
    ['conv1', 'conv2']
    """
    return [layer.name for layer in _model(model).layers if isinstance(layer, keras.layers.Conv2D)]


def conv_layer(model: keras.Model, layer_name: str) -> keras.layers.Layer:
    """The convolution layer called ``layer_name``; a ValueError names the convolution layers
    there are when no layer has that name or when the layer is not a convolution.

    >>> conv_layer(model, "conv1").filters  # doctest: +SKIP
    32
    """
    names = conv_layer_names(model)
    if not isinstance(layer_name, str):
        raise TypeError(f"layer_name={layer_name!r}: expected a layer's name, a str")
    found = {layer.name: layer for layer in model.layers}
    if layer_name not in found:
        raise ValueError(
            f"layer_name={layer_name!r}: model {model.name!r} has no layer of that name; "
            f"its convolution layers are {names}"
        )
    if layer_name not in names:
        kind = type(found[layer_name]).__name__
        raise ValueError(
            f"layer_name={layer_name!r}: a {kind} layer, not a convolution; expected one of {names}"
        )
    return found[layer_name]


def activation_model(model: keras.Model, layer_names: Sequence[str]) -> keras.Model:
    """A Functional model from the model's input to the outputs of the named convolution
    layers, in that order: ``activation_model(m, ["conv1", "conv2"])(x)`` is a list of two
    feature-map batches (one name: one batch, not a list).

    >>> maps = activation_model(model, ["conv1"])(x_test[:4])  # doctest: +SKIP
    """
    if isinstance(layer_names, str) or not isinstance(layer_names, (list, tuple)):
        raise TypeError(f"layer_names={layer_names!r}: expected a list of layer names")
    if not layer_names:
        raise ValueError("layer_names=[]: expected at least one layer name")
    for name in layer_names:
        conv_layer(model, name)
    return reach(model, list(layer_names))


def check_images(model: keras.Model, images) -> np.ndarray:
    """``images`` as a float32 batch of the model's input shape: one image (H, W, C) becomes
    a batch of one. Anything else raises, naming the shape expected.

    >>> check_images(model, np.zeros((28, 28, 1))).shape  # doctest: +SKIP
    (1, 28, 28, 1)
    """
    expected = tuple(_model(model).inputs[0].shape[1:])
    if not isinstance(images, (np.ndarray, tf.Tensor)):
        raise TypeError(f"images: a {type(images).__name__}; expected a NumPy array or tensor")
    x = np.asarray(images)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"images: dtype {x.dtype}; expected numbers")
    if x.shape == expected:
        x = x[None]
    if x.shape[1:] != expected or not 1 <= len(x) <= MAX_IMAGES:
        raise ValueError(
            f"images: shape {x.shape}; expected {expected} or (N, {', '.join(map(str, expected))})"
            f" with N from 1 to {MAX_IMAGES}, the input of model {model.name!r}"
        )
    return x.astype("float32")


def _classes(class_index, n: int, probabilities) -> np.ndarray:
    """One class per image: the predicted one when ``class_index`` is None."""
    if class_index is None:
        return np.argmax(probabilities, axis=-1)
    k = probabilities.shape[-1]
    if np.ndim(class_index) == 0:
        return np.full(n, integer("class_index", class_index, 0, k - 1))
    values = np.asarray(class_index)
    if (
        values.shape != (n,)
        or values.dtype.kind not in "iu"
        or values.min() < 0
        or values.max() >= k
    ):
        raise ValueError(
            f"class_index: {values.shape} values; expected None, an integer from 0 to {k - 1}, "
            f"or {n} of them, one per image"
        )
    return values.astype(int)


def _scores_and(model: keras.Model, layer_name: str | None):
    """A function ``x -> (inner output or x, logits)`` built once per call."""
    last = model.layers[-1]
    softmax = isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax
    inner = [conv_layer(model, layer_name).name] if layer_name else []
    to_head = reach(model, inner, head=True)

    def run(x):
        out = to_head(x, training=False)
        out = list(out) if isinstance(out, (list, tuple)) else [out]
        a, h = (out[0], out[1]) if layer_name else (x, out[0])
        if softmax:
            h = tf.matmul(h, last.kernel) + (last.bias if last.use_bias else 0.0)
        return a, tf.cast(h, "float32")

    return run


def _gradients(model, images, class_index, layer_name=None):
    """The inner output (or the input), d logit_c / d of it, and the classes c."""
    x = tf.constant(check_images(model, images))
    run = _scores_and(model, layer_name)
    with tf.GradientTape() as tape:
        tape.watch(x)
        a, logits = run(x)
        classes = _classes(class_index, len(x), logits.numpy())
        score = tf.reduce_sum(tf.gather(logits, classes, batch_dims=1))
    return a, tape.gradient(score, a), classes


def vanilla_gradient(model: keras.Model, images, class_index=None) -> np.ndarray:
    """|d logit / d pixel|, the largest over the channels, shape (N, H, W). ``class_index``:
    None (each image's predicted class), one class, or one per image.

    >>> vanilla_gradient(model, x_test[:2]).shape  # doctest: +SKIP
    (2, 28, 28)
    """
    _, grads, _ = _gradients(model, images, class_index)
    return np.abs(grads.numpy()).max(axis=-1)


def gradient_x_input(model: keras.Model, images, class_index=None) -> np.ndarray:
    """d logit / d pixel times the pixel, summed over the channels, shape (N, H, W).

    >>> gradient_x_input(model, x_test[:2]).shape  # doctest: +SKIP
    (2, 28, 28)
    """
    x, grads, _ = _gradients(model, images, class_index)
    return (grads.numpy() * x.numpy()).sum(axis=-1)


def grad_cam(model: keras.Model, images, layer_name: str, class_index=None) -> np.ndarray:
    """Grad-CAM on the convolution layer ``layer_name``: ReLU(sum_k alpha_k A_k), alpha_k the
    mean over positions of d logit / d A_k, resized (bilinear) to the input, shape (N, H, W).

    >>> grad_cam(model, x_test[:2], "conv2").shape  # doctest: +SKIP
    (2, 28, 28)
    """
    conv_layer(_model(model), layer_name)
    a, grads, _ = _gradients(model, images, class_index, layer_name)
    alpha = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
    cam = tf.nn.relu(tf.reduce_sum(alpha * a, axis=-1, keepdims=True))
    size = tuple(model.inputs[0].shape[1:3])
    return tf.image.resize(cam, size, method="bilinear")[..., 0].numpy()


def occlusion_map(
    model: keras.Model, images, class_index=None, *, patch: int = 6, stride: int = 2,
    fill: float = 0.0,
) -> np.ndarray:  # fmt: skip
    """How much the class's logit drops when a ``patch`` x ``patch`` square, moved by
    ``stride`` pixels, is painted with ``fill``: each pixel gets the mean drop over the
    squares that cover it, shape (N, H, W). Positive: the pixels supported the class.

    >>> occlusion_map(model, x_test[:2], patch=6, stride=2).shape  # doctest: +SKIP
    (2, 28, 28)
    """
    x = check_images(model, images)
    height, width = x.shape[1:3]
    patch = integer("patch", patch, 1, min(height, width))
    stride = integer("stride", stride, 1, patch)
    if isinstance(fill, bool) or not isinstance(fill, (int, float)):
        raise TypeError(f"fill={fill!r}: expected a number, the value painted over a patch")
    run = _scores_and(model, None)
    logits = run(x)[1].numpy()
    classes = _classes(class_index, len(x), logits)
    base = logits[np.arange(len(x)), classes]
    tops = sorted({*range(0, height - patch + 1, stride), height - patch})
    lefts = sorted({*range(0, width - patch + 1, stride), width - patch})
    corners = [(t, left) for t in tops for left in lefts]
    maps = np.zeros(x.shape[:3], "float32")
    for i in range(len(x)):
        batch = np.repeat(x[i : i + 1], len(corners), axis=0)
        for j, (t, left) in enumerate(corners):
            batch[j, t : t + patch, left : left + patch] = fill
        drop = base[i] - run(batch)[1].numpy()[:, classes[i]]
        total, count = np.zeros((height, width)), np.zeros((height, width))
        for d, (t, left) in zip(drop, corners):
            total[t : t + patch, left : left + patch] += d
            count[t : t + patch, left : left + patch] += 1
        maps[i] = total / count
    return maps


def layer_sparsity(activations) -> float:
    """The fraction of exact zeros in a batch of feature maps (after ReLU: units that are
    off).

    >>> layer_sparsity(np.array([0.0, 1.5, 0.0, 2.0]))
    0.5
    """
    a = np.asarray(activations)
    if a.size == 0 or a.dtype.kind not in "fiu":
        raise ValueError(f"activations: shape {a.shape}, dtype {a.dtype}; expected numbers")
    return float(np.mean(a == 0))
