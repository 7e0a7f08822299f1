"""A training log that fits the page: one short line per epoch.

Keras' ``verbose=2`` prints lines such as ``844/844 - 27s - 32ms/step - accuracy: 0.9138 -
loss: 0.2826 - val_accuracy: 0.9817 - val_loss: 0.0685``, wider than the book's column.
:class:`EpochLog` prints the same numbers in at most ``width`` characters per line:

>>> history = model.fit(x, y, epochs=5, verbose=0, callbacks=[EpochLog()])  # doctest: +SKIP
epoch 1/5 27s: loss 0.2826 acc 0.9138 val_loss 0.0685 val_acc 0.9817
"""

from __future__ import annotations

import textwrap
import time

from helpers import page
from helpers._checks import integer

import keras


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
