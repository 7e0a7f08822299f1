"""Training experiments compared side by side: a run that can go on training, snapshots of its
weights, and BatchNormalization statistics recomputed for a given set of weights.

>>> run = TrainingRun(model, train_ds, validation_data=val_ds, snapshot_epochs=[1, 5])
>>> run.train_to(5)  # then run.train_to(10) goes on from epoch 6
>>> recompute_bn_statistics(with_weights(model, run.snapshots[1]), x_train[:1000])
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from helpers._checks import integer
from helpers.training import EpochLog

import keras
import numpy as np


class WeightSnapshots(keras.callbacks.Callback):
    """Keeps a copy of the model's weights after the given epochs (counted from 1), in
    ``weights``: a dict from epoch to the list ``model.get_weights()`` returned then."""

    def __init__(self, epochs: Iterable[int]) -> None:
        super().__init__()
        if isinstance(epochs, (str, bytes)) or not isinstance(epochs, Iterable):
            raise TypeError(f"epochs={epochs!r}: expected a list of epoch numbers (from 1)")
        self.epochs = {integer(f"epochs[{i}]", epoch, 1) for i, epoch in enumerate(epochs)}
        self.weights: dict[int, list[np.ndarray]] = {}

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self.weights[epoch + 1] = self.model.get_weights()


@dataclass
class TrainingRun:
    """One compiled model and its training data, trained in steps that add up to one run.

    ``train_to(n)`` trains until the run has had ``n`` epochs in all, so a run compared after
    5 epochs can later go on to 10 from where it stopped. ``history`` holds every epoch's
    metrics, ``seconds`` the training time, and ``snapshots`` the weights after each epoch in
    ``snapshot_epochs``. One line per epoch is printed (:class:`helpers.training.EpochLog`).
    """

    model: keras.Model
    data: Any  # a tf.data.Dataset of (images, labels) batches
    validation_data: Any = None
    snapshot_epochs: Iterable[int] = ()
    history: dict[str, list[float]] = field(default_factory=dict, init=False)
    seconds: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.model, keras.Model):
            raise TypeError(f"model: expected a keras.Model, got {type(self.model).__name__}")
        if not self.model.compiled:
            raise ValueError(f"model={self.model.name!r}: expected a compiled model")
        self._snapshots = WeightSnapshots(self.snapshot_epochs)

    @property
    def epochs_done(self) -> int:
        return len(self.history.get("loss", []))

    @property
    def snapshots(self) -> dict[int, list[np.ndarray]]:
        return self._snapshots.weights

    def train_to(self, epochs: int) -> None:
        """Train (or go on training) until the run has had ``epochs`` epochs in all."""
        done = self.epochs_done
        epochs = integer("epochs", epochs, done + 1)
        start = time.perf_counter()
        history = self.model.fit(
            self.data,
            validation_data=self.validation_data,
            initial_epoch=done,
            epochs=epochs,
            shuffle=False,  # the dataset shuffles itself; fit's shuffle is for arrays
            callbacks=[self._snapshots, EpochLog()],
            verbose=0,
        )
        self.seconds += time.perf_counter() - start
        for key, values in history.history.items():
            self.history.setdefault(key, []).extend(values)


def with_weights(model: keras.Model, weights: list[np.ndarray]) -> keras.Model:
    """A new model with ``model``'s architecture and the given weights (``get_weights()``
    order); ``model`` itself is unchanged. Use it to measure a snapshot."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    copy = keras.models.clone_model(model)
    expected = [w.shape for w in model.get_weights()]
    wanted = f"expected a list shaped as {model.name!r}.get_weights() ({len(expected)} arrays)"
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"weights: {wanted}; got {type(weights).__name__}")
    given = [np.shape(w) for w in weights]
    if given != expected:
        raise ValueError(f"weights: {wanted}; got {len(given)} arrays")
    copy.set_weights(weights)
    return copy


def _all_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Every layer of a model, including those inside nested models."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found += _all_layers(layer)
    return found


def recompute_bn_statistics(model: keras.Model, images) -> int:
    """Set every ``BatchNormalization`` layer's moving mean and variance to the statistics of
    ``images`` passed through the model's current weights, in one training-mode call with
    Dropout turned off, so that the statistics are those the layers see at inference. Every
    momentum and dropout rate is restored afterwards. Returns how many layers were updated.

    Early in training the moving statistics lag behind the weights (chapter 2); this measures
    what the weights themselves are worth.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    images = np.asarray(images)
    if images.ndim < 2 or len(images) < 2:
        raise ValueError(f"images: expected a batch of at least 2 images, got shape {images.shape}")
    layers = _all_layers(model)
    norms = [layer for layer in layers if isinstance(layer, keras.layers.BatchNormalization)]
    dropouts = [layer for layer in layers if isinstance(layer, keras.layers.Dropout)]
    saved = [layer.momentum for layer in norms], [layer.rate for layer in dropouts]
    try:
        for layer in norms:
            layer.momentum = 0.0  # moving statistics := this batch's statistics
        for layer in dropouts:
            layer.rate = 0.0
        model(images, training=True)
    finally:
        for layer, momentum in zip(norms, saved[0]):
            layer.momentum = momentum
        for layer, rate in zip(dropouts, saved[1]):
            layer.rate = rate
    return len(norms)
