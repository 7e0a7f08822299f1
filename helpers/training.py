"""Watching training: a log that fits the page, and test accuracy against training time.

Keras' ``verbose=2`` prints lines such as ``844/844 - 27s - 32ms/step - accuracy: 0.9138 -
loss: 0.2826 - val_accuracy: 0.9817 - val_loss: 0.0685``, wider than the book's column.
:class:`EpochLog` prints the same numbers in at most ``width`` characters per line:

>>> history = model.fit(x, y, epochs=5, verbose=0, callbacks=[EpochLog()])  # doctest: +SKIP
epoch 1/5 27s: loss 0.2826 acc 0.9138 val_loss 0.0685 val_acc 0.9817

:class:`AccuracyClock` scores the model on held-out images every few steps while it trains,
and keeps the time those scorings take out of the training time it records.
"""

from __future__ import annotations

import textwrap
import time

from helpers import page
from helpers._checks import integer

import keras
import numpy as np


def short_name(metric: str) -> str:
    """``accuracy`` -> ``acc``, ``val_accuracy`` -> ``val_acc``; other names unchanged.

    >>> short_name("class_accuracy")
    'class_acc'
    """
    return metric[: -len("accuracy")] + "acc" if metric.endswith("accuracy") else metric


class EpochLog(keras.callbacks.Callback):
    """Print one line per epoch: epoch number, seconds, then every logged metric to 4 decimals
    (training metrics first, then validation), wrapped to ``width`` characters.

    Use it with ``verbose=0`` so that Keras prints nothing of its own.
    """

    def __init__(self, width: int = page.WIDTH) -> None:
        super().__init__()
        self.width = integer("width", width, 40)
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start if self._start is not None else 0.0
        logs = logs or {}
        names = sorted(logs, key=lambda name: name.startswith("val_"))  # stable: train first
        parts = [f"{short_name(name)} {float(logs[name]):.4f}" for name in names]
        epochs = self.params.get("epochs", "?") if self.params else "?"
        head = f"epoch {epoch + 1}/{epochs} {seconds:.0f}s:"
        # A metric's name and value stay on one line: join them with a placeholder that
        # textwrap does not break at, then put the space back.
        words = [part.replace(" ", "\0") for part in [head, *parts]]
        text = textwrap.fill(" ".join(words), self.width, subsequent_indent="    ")
        print(text.replace("\0", " "))


class AccuracyClock(keras.callbacks.Callback):
    """Accuracy on ``(x, y)`` against training seconds, measured while ``fit`` runs.

    After the first call that ends at or beyond every ``every`` training steps, and when
    training ends, the model classifies ``x`` (``predict``, then the highest output),
    :attr:`points` gains ``(seconds, accuracy)`` and :attr:`steps` the steps trained so far.
    The seconds run from the start of training (``on_train_begin``) and leave out every
    scoring, which :attr:`evaluation_seconds` adds up: subtract it from a wall time taken
    around ``fit``. With ``steps_per_execution``, Keras calls back once per call, so points
    fall at whole calls.
    """

    def __init__(self, x, y, every: int) -> None:
        super().__init__()
        self.every = integer("every", every, 1)
        self.x, self.y = np.asarray(x), np.asarray(y).reshape(-1)
        if len(self.x) == 0 or len(self.x) != len(self.y):
            raise ValueError(
                f"x and y: expected as many labels as images, at least one, "
                f"got {len(self.x)} images and {len(self.y)} labels"
            )
        self.points: list[tuple[float, float]] = []
        self.steps: list[int] = []
        self.evaluation_seconds = 0.0

    def on_train_begin(self, logs=None):
        self.points, self.steps, self.evaluation_seconds = [], [], 0.0
        self._step, self._epoch_first, self._next = 0, 0, self.every
        self._scored = False
        self._start = time.perf_counter()

    def _score(self):
        before = time.perf_counter()
        outputs = self.model.predict(self.x, batch_size=1000, verbose=0)
        accuracy = float(np.mean(np.argmax(outputs, axis=-1) == self.y))
        seconds = before - self._start - self.evaluation_seconds
        self.evaluation_seconds += time.perf_counter() - before
        self.points.append((seconds, accuracy))
        self.steps.append(self._step)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_first = self._step

    def on_train_batch_end(self, batch, logs=None):
        self._step = self._epoch_first + batch + 1  # batch: this call's last step in the epoch
        self._scored = self._step >= self._next
        if self._scored:
            self._score()
            self._next = self._step // self.every * self.every + self.every

    def on_train_end(self, logs=None):
        if not self._scored:
            self._score()
