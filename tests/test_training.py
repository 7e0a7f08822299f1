"""helpers.training: a one-line-per-epoch log that fits the page."""

from __future__ import annotations

import re

from helpers.training import EpochLog, short_name

import keras
import numpy as np
import pytest


def tiny_model(outputs=1):
    inputs = keras.Input(shape=(4,))
    heads = {f"head{i}": keras.layers.Dense(2, activation="softmax", name=f"head{i}")(inputs)
             for i in range(outputs)}  # fmt: skip
    model = keras.Model(inputs, heads if outputs > 1 else heads["head0"])
    metrics = {n: "accuracy" for n in heads} if outputs > 1 else ["accuracy"]
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=metrics)
    return model


def test_one_short_line_per_epoch_with_every_metric(capsys):
    keras.utils.set_random_seed(0)
    x, y = np.random.rand(32, 4).astype("float32"), np.arange(32) % 2
    tiny_model().fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[EpochLog()])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    number = r"\d\.\d{4}"
    for epoch, line in enumerate(lines, 1):
        expected = (
            rf"epoch {epoch}/2 \d+s: acc {number} loss {number} val_acc {number} val_loss {number}"
        )
        assert re.fullmatch(expected, line), line


def test_many_metrics_wrap_to_the_width(capsys):
    keras.utils.set_random_seed(0)
    x, y = np.random.rand(16, 4).astype("float32"), np.arange(16) % 2
    model = tiny_model(outputs=3)
    targets = {f"head{i}": y for i in range(3)}
    model.fit(x, targets, epochs=1, validation_split=0.25, verbose=0, callbacks=[EpochLog(60)])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and all(len(line) <= 60 for line in lines)
    assert all(line.startswith("    ") for line in lines[1:])
    assert "head2_acc" in " ".join(lines) and "val_head0_loss" in " ".join(lines)
    for line in lines:  # every metric name is followed by its value on the same line
        words = line.split()[3:] if line.startswith("epoch") else line.split()
        assert len(words) % 2 == 0 and all(re.fullmatch(r"\d\.\d{4}", w) for w in words[1::2])


def test_short_names():
    assert short_name("accuracy") == "acc"
    assert short_name("val_accuracy") == "val_acc"
    assert short_name("loss") == "loss"


@pytest.mark.parametrize(
    "width, error", [(10, ValueError), (39, ValueError), (77.0, TypeError), (True, TypeError),
                     ("77", TypeError), (None, TypeError)]
)  # fmt: skip
def test_bad_width(width, error):
    with pytest.raises(error, match=f"width={width!r}: expected an integer of at least 40"):
        EpochLog(width)
