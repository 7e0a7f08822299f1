"""helpers.interpret: activations and class-evidence maps, checked on small models whose
answers are known, and every refused input."""

from __future__ import annotations

from helpers import interpret
from helpers.from_chapters import build_cnn, build_mnist_cnn

import keras
import numpy as np
import pytest


@pytest.fixture(scope="module")
def linear():
    """conv -> flatten -> dense softmax, no ReLU and no biases: each logit is linear in x."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(6, 6, 2))
    h = keras.layers.Conv2D(3, 3, padding="same", use_bias=False, name="conv")(inputs)
    h = keras.layers.Flatten(name="flat")(h)
    outputs = keras.layers.Dense(4, activation="softmax", use_bias=False, name="out")(h)
    return keras.Model(inputs, outputs, name="linear")


@pytest.fixture(scope="module")
def mnist():
    keras.utils.set_random_seed(1)
    return build_mnist_cnn()


def images(n, shape=(6, 6, 2), seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (n, *shape)).astype("float32")


def logits(model, x):
    head = keras.Model(model.inputs[0], model.layers[-1].input)(x).numpy()
    return head @ model.layers[-1].kernel.numpy()


def test_conv_layers_are_found_by_name(mnist):
    assert interpret.conv_layer_names(mnist) == ["conv1", "conv2"]
    assert interpret.conv_layer(mnist, "conv2").filters == 64
    assert interpret.conv_layer_names(build_cnn(bn=True)) != []


def test_activation_model_returns_each_layers_maps(mnist):
    x = images(3, (28, 28, 1))
    first, second = interpret.activation_model(mnist, ["conv1", "conv2"])(x)
    assert tuple(first.shape) == (3, 26, 26, 32) and tuple(second.shape) == (3, 11, 11, 64)
    assert interpret.layer_sparsity(np.array([0.0, 1.0, 0.0, 0.0])) == 0.75


def test_gradient_x_input_adds_up_to_the_logit_of_a_linear_model(linear):
    x = images(5)
    target = np.array([0, 1, 2, 3, 0])
    total = interpret.gradient_x_input(linear, x, target).sum(axis=(1, 2))
    expected = logits(linear, x)[np.arange(5), target]
    np.testing.assert_allclose(total, expected, rtol=1e-4, atol=1e-4)


def test_the_predicted_class_is_the_default(linear):
    x = images(4)
    predicted = np.argmax(linear.predict(x, verbose=0), axis=-1)
    np.testing.assert_allclose(
        interpret.vanilla_gradient(linear, x), interpret.vanilla_gradient(linear, x, predicted)
    )


def test_vanilla_gradient_of_a_linear_model_is_its_weight(linear):
    x = images(2)
    grads = interpret.vanilla_gradient(linear, x, 1)
    # the gradient of a linear function is the same everywhere
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5)
    assert grads.shape == (2, 6, 6) and grads.min() >= 0


def test_occlusion_of_one_pixel_with_zeros_is_gradient_x_input_for_a_linear_model(linear):
    x = images(3)
    # one channel: a 1x1 patch painted 0 removes exactly that pixel's contribution
    one = keras.Model(linear.inputs, linear.outputs, name="copy")
    drop = interpret.occlusion_map(one, x, 2, patch=1, stride=1, fill=0.0)
    np.testing.assert_allclose(drop, interpret.gradient_x_input(linear, x, 2), atol=1e-4)


def test_occlusion_covers_every_pixel_with_a_stride_that_does_not_divide(mnist):
    maps = interpret.occlusion_map(mnist, images(2, (28, 28, 1)), patch=5, stride=4)
    assert maps.shape == (2, 28, 28) and np.all(np.isfinite(maps))


def test_grad_cam_is_non_negative_and_the_input_size(mnist):
    x = images(3, (28, 28, 1))
    cam = interpret.grad_cam(mnist, x, "conv2")
    assert cam.shape == (3, 28, 28) and cam.min() >= 0
    single = interpret.grad_cam(mnist, x[0], "conv2")  # one image, no batch axis
    np.testing.assert_allclose(single[0], cam[0], rtol=1e-4, atol=1e-6)


def test_grad_cam_of_a_linear_model_weights_the_maps_by_their_mean_gradient(linear):
    x = images(1)
    a = keras.Model(linear.inputs, linear.get_layer("conv").output)(x).numpy()[0]
    w = linear.get_layer("out").kernel.numpy()[:, 1].reshape(6, 6, 3)
    expected = np.maximum((a * w.mean(axis=(0, 1))).sum(axis=-1), 0)
    np.testing.assert_allclose(interpret.grad_cam(linear, x, "conv", 1)[0], expected, atol=1e-5)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda m: interpret.grad_cam(m, images(1, (28, 28, 1)), "conv9"), ValueError,
         ["layer_name='conv9'", "no layer", "'conv1', 'conv2'"]),
        (lambda m: interpret.grad_cam(m, images(1, (28, 28, 1)), "pool1"), ValueError,
         ["layer_name='pool1'", "MaxPooling2D", "not a convolution"]),
        (lambda m: interpret.grad_cam(m, images(1, (28, 28, 1)), 3), TypeError,
         ["layer_name=3"]),
        (lambda m: interpret.activation_model(m, "conv1"), TypeError, ["layer_names='conv1'"]),
        (lambda m: interpret.activation_model(m, []), ValueError, ["layer_names=[]"]),
        (lambda m: interpret.vanilla_gradient(m, images(2, (32, 32, 3))), ValueError,
         ["images: shape (2, 32, 32, 3)", "(28, 28, 1)"]),
        (lambda m: interpret.vanilla_gradient(m, images(1, (28, 28))[0]), ValueError,
         ["images: shape"]),
        (lambda m: interpret.vanilla_gradient(m, [[0.0]]), TypeError, ["images: a list"]),
        (lambda m: interpret.vanilla_gradient(m, np.array([["a"]])), TypeError, ["dtype"]),
        (lambda m: interpret.vanilla_gradient("model", images(1)), TypeError, ["model='model'"]),
        (lambda m: interpret.vanilla_gradient(m, images(2, (28, 28, 1)), 10), ValueError,
         ["class_index=10", "from 0 to 9"]),
        (lambda m: interpret.vanilla_gradient(m, images(2, (28, 28, 1)), [1, 2, 3]),
         ValueError, ["class_index", "2 of them"]),
        (lambda m: interpret.occlusion_map(m, images(1, (28, 28, 1)), patch=0), ValueError,
         ["patch=0"]),
        (lambda m: interpret.occlusion_map(m, images(1, (28, 28, 1)), patch=4, stride=5),
         ValueError, ["stride=5", "from 1 to 4"]),
        (lambda m: interpret.occlusion_map(m, images(1, (28, 28, 1)), fill="grey"), TypeError,
         ["fill='grey'"]),
        (lambda m: interpret.layer_sparsity(np.array([])), ValueError, ["activations"]),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_argument(mnist, call, error, words, refused):
    refused(lambda: call(mnist), error, words)


def test_a_saved_and_loaded_model_still_reaches_its_inner_layers(mnist, tmp_path):
    path = tmp_path / "mnist.keras"
    mnist.save(path)
    loaded = keras.models.load_model(path)
    x = images(2, (28, 28, 1))
    np.testing.assert_allclose(
        interpret.grad_cam(loaded, x, "conv2"), interpret.grad_cam(mnist, x, "conv2"), atol=1e-5
    )
