"""helpers.sanity: rank correlation, the model randomisation test, filter patterns."""

from __future__ import annotations

from helpers import sanity
from helpers.from_chapters import build_cnn, build_mnist_cnn

import keras
import numpy as np
import pytest


@pytest.mark.parametrize(
    "a, b, expected",
    [([1, 2, 3, 4], [10, 20, 30, 40], 1.0), ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
     ([1, 2, 3], [10, 30, 20], 0.5), ([0, 0, 1, 2], [5, 5, 6, 7], 1.0),
     ([1, 2, 3, 4], [0, 0, 0, 0], 0.0)],
)  # fmt: skip
def test_rank_correlation_known_values(a, b, expected):
    result = sanity.rank_correlation(np.array(a, float), np.array(b, float))
    assert result == pytest.approx(expected)


def test_rank_correlation_with_ties_is_pearson_of_mean_ranks():
    a = np.array([3.0, 1.0, 1.0, 2.0, 5.0, 5.0])
    b = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    ranks = np.array([2.0, 0.5, 0.5, 2.0, 4.5, 4.5])
    ranks[3], ranks[0] = 2.0, 3.0  # a's order: 1, 1, 2, 3, 5, 5
    expected = np.corrcoef(ranks, np.arange(6.0))[0, 1]
    assert sanity.rank_correlation(a, b) == pytest.approx(expected)


def test_mean_rank_correlation_averages_over_images():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4, 4))
    b = np.stack([a[0], -a[1], a[2] ** 3])
    assert sanity.mean_rank_correlation(a, b) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: sanity.rank_correlation([1, 2], np.ones(2)), TypeError, ["a: a list"]),
        (lambda: sanity.rank_correlation(np.ones(3), np.ones(4)), ValueError,
         ["b: shape (4,)", "(3,)"]),
        (lambda: sanity.rank_correlation(np.ones(1), np.ones(1)), ValueError, ["at least 2"]),
        (lambda: sanity.rank_correlation(np.array([1, np.nan]), np.ones(2)), ValueError,
         ["finite"]),
        (lambda: sanity.mean_rank_correlation(np.ones((2, 3)), np.ones((2, 3))), ValueError,
         ["(N, H, W)"]),
    ],
)  # fmt: skip
def test_bad_maps_are_refused(call, error, words, refused):
    refused(call, error, words)


def test_randomisation_goes_top_down_with_fresh_initial_values():
    keras.utils.set_random_seed(0)
    model = build_cnn(bn=True, name="small")
    model.set_weights([w + 0.5 for w in model.get_weights()])  # as if trained
    original = [w.copy() for w in model.get_weights()]
    names = sanity.weighted_layer_names(model)
    seen = []
    for name, randomized in sanity.randomized_top_down(model, seed=3):
        seen.append(name)
        for layer in randomized.layers:
            if not layer.weights:
                continue
            trained = model.get_layer(layer.name).get_weights()
            now = layer.get_weights()
            same = all(np.array_equal(t, n) for t, n in zip(trained, now))
            assert same == (layer.name not in seen), (name, layer.name)
    assert seen == names[::-1]
    assert np.all(randomized.layers[1].gamma.numpy() == 1.0)  # BatchNormalization's start
    assert all(np.array_equal(a, b) for a, b in zip(original, model.get_weights()))


def test_randomisation_is_reproducible_from_its_seed():
    keras.utils.set_random_seed(0)
    model = build_mnist_cnn()
    runs = [[r.get_weights()[0].copy() for _, r in sanity.randomized_top_down(model, seed=s)]
            for s in (5, 5, 6)]  # fmt: skip
    assert np.array_equal(runs[0][-1], runs[1][-1])
    assert not np.array_equal(runs[0][-1], runs[2][-1])


def test_filter_pattern_raises_the_filters_response_and_stays_in_range():
    keras.utils.set_random_seed(0)
    model = build_mnist_cnn()
    start = np.random.default_rng(0).uniform(0.4, 0.6, (1, 28, 28, 1)).astype("float32")
    responses = keras.Model(model.inputs[0], model.get_layer("conv2").output)(start)
    responses = responses.numpy().mean(axis=(0, 1, 2))
    f = int(np.argmax(responses))  # a filter that is on (ReLU) at the start
    image, response = sanity.filter_pattern(model, "conv2", f, steps=10)
    assert image.shape == (28, 28, 1) and response > responses[f]
    assert image.min() >= 0 and image.max() <= 1
    raw, _ = sanity.filter_pattern(model, "conv2", f, steps=3, normalize=False, step_size=1e4)
    assert raw.max() > 1 or raw.min() < 0  # unclipped


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"layer_name": "flatten", "filter_index": 0}, ValueError, ["layer_name='flatten'"]),
        ({"layer_name": "conv1", "filter_index": 32}, ValueError,
         ["filter_index=32", "from 0 to 31"]),
        ({"layer_name": "conv1", "filter_index": 0, "step_size": 0}, ValueError,
         ["step_size=0"]),
        ({"layer_name": "conv1", "filter_index": 0, "steps": 1.5}, TypeError, ["steps=1.5"]),
    ],
)  # fmt: skip
def test_filter_pattern_refuses_bad_input(kwargs, error, words, refused):
    refused(lambda: sanity.filter_pattern(build_mnist_cnn(), **kwargs), error, words)


def test_randomisation_refuses_a_bad_seed_or_model():
    with pytest.raises(ValueError, match="seed=-1"):
        next(sanity.randomized_top_down(build_mnist_cnn(), seed=-1))
    with pytest.raises(TypeError, match="model="):
        next(sanity.randomized_top_down(object()))
