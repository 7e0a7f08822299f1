from helpers.experiments import (
    TrainingRun,
    WeightSnapshots,
    recompute_bn_statistics,
    with_weights,
)
from helpers.runtime import set_seed

import keras
import numpy as np
import pytest
import tensorflow as tf

layers = keras.layers


def _model(dropout=False, nested=False):
    body = [layers.Conv2D(4, 3), layers.BatchNormalization(), layers.ReLU()]
    if nested:
        body = [keras.Sequential([keras.Input((6, 6, 1)), *body], name="inner")]
    head = [layers.Flatten(), *([layers.Dropout(0.5)] if dropout else []), layers.Dense(3)]
    model = keras.Sequential([keras.Input((6, 6, 1)), *body, *head], name="tiny")
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(True))
    return model


def _data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, (n, 6, 6, 1)).astype("float32")
    y = rng.integers(0, 3, n)
    return x, y


def _dataset():
    return tf.data.Dataset.from_tensor_slices(_data()).batch(8)


def test_a_run_continued_equals_one_run_of_the_same_length(capsys):
    set_seed(1)
    split = TrainingRun(_model(), _dataset(), snapshot_epochs=[1, 2])
    split.train_to(2)
    split.train_to(3)
    set_seed(1)
    whole = TrainingRun(_model(), _dataset())
    whole.train_to(3)
    assert split.epochs_done == whole.epochs_done == 3
    assert split.history["loss"] == whole.history["loss"]
    for a, b in zip(split.model.get_weights(), whole.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert sorted(split.snapshots) == [1, 2] and split.seconds > 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[:3]] == ["1/2", "2/2", "3/3"]  # EpochLog


def test_snapshots_are_copies_taken_at_the_end_of_their_epoch():
    set_seed(2)
    run = TrainingRun(_model(), _dataset(), snapshot_epochs=[1])
    run.train_to(2)
    after_one = run.snapshots[1]
    assert not all(np.array_equal(a, b) for a, b in zip(after_one, run.model.get_weights()))
    set_seed(2)
    short = TrainingRun(_model(), _dataset())
    short.train_to(1)
    for a, b in zip(after_one, short.model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_recomputed_statistics_are_those_of_the_images_and_settings_come_back():
    model = _model(dropout=True, nested=True)
    x, _ = _data(64)
    assert recompute_bn_statistics(model, x) == 1
    inner = model.get_layer("inner")
    conv, norm = inner.layers[0], inner.layers[1]
    features = conv(x).numpy()
    np.testing.assert_allclose(norm.moving_mean.numpy(), features.mean(axis=(0, 1, 2)),
                               rtol=1e-4, atol=1e-5)  # fmt: skip
    np.testing.assert_allclose(norm.moving_variance.numpy(), features.var(axis=(0, 1, 2)),
                               rtol=1e-4, atol=1e-5)  # fmt: skip
    assert norm.momentum == 0.99
    assert model.get_layer(index=2).rate == 0.5  # the Dropout layer, restored


def test_with_weights_is_a_separate_model_with_those_weights():
    model = _model()
    weights = [w + 1 for w in model.get_weights()]
    copy = with_weights(model, weights)
    assert copy is not model
    for a, b in zip(copy.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(model.get_weights()[0], weights[0])


@pytest.mark.parametrize(
    "error, call, match",
    [(TypeError, lambda: TrainingRun("model", None), "model: expected a keras.Model, got str"),
     (ValueError,
      lambda: TrainingRun(keras.Sequential([keras.Input((2,)), layers.Dense(1)], name="raw"),
                          None), "model='raw': expected a compiled model"),
     (ValueError, lambda: TrainingRun(_model(), None, snapshot_epochs=[0]), r"epochs\[0\]=0"),
     (TypeError, lambda: TrainingRun(_model(), None, snapshot_epochs=3),
      "epochs=3: expected a list"),
     (ValueError, lambda: TrainingRun(_model(), None).train_to(0), "epochs=0: expected a positive"),
     (TypeError, lambda: TrainingRun(_model(), None).train_to(2.5), "epochs=2.5"),
     (TypeError, lambda: WeightSnapshots("12"), "epochs='12'"),
     (ValueError, lambda: with_weights(_model(), [np.zeros(1)]),
      r"weights: expected a list shaped as 'tiny'.get_weights\(\) \(8 arrays\); got 1 arrays"),
     (TypeError, lambda: with_weights(_model(), None), "got NoneType"),
     (TypeError, lambda: with_weights("m", []), "model: expected a keras.Model"),
     (ValueError, lambda: recompute_bn_statistics(_model(), np.zeros((1, 6, 6, 1))),
      r"images: expected a batch of at least 2 images, got shape \(1, 6, 6, 1\)"),
     (TypeError, lambda: recompute_bn_statistics(None, np.zeros((2, 6, 6, 1))), "model: expected")],
)  # fmt: skip
def test_bad_input_is_named(error, call, match):
    with pytest.raises(error, match=match):
        call()


def test_going_back_in_epochs_is_refused():
    set_seed(3)
    run = TrainingRun(_model(), _dataset())
    run.train_to(2)
    with pytest.raises(ValueError, match="epochs=2: expected an integer of at least 3"):
        run.train_to(2)
