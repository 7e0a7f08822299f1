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


def test_the_accuracy_clock_scores_every_few_steps_and_at_the_end():
    from helpers.training import AccuracyClock

    keras.utils.set_random_seed(0)
    x, y = np.random.rand(64, 4).astype("float32"), np.arange(64) % 2
    model = tiny_model()
    model.compile("sgd", "sparse_categorical_crossentropy", steps_per_execution=2)
    clock = AccuracyClock(x[:10], y[:10], every=3)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[clock])
    # 8 steps an epoch, 2 per call: calls end at steps 2, 4, ..., 16; scored at the first
    # call at or past 3, 6, 9, ... (4, 6, 10, 12, 16): 16 is the last, so no extra point
    assert len(clock.points) == 5 and clock.steps == [4, 6, 10, 12, 16]
    seconds = [s for s, _ in clock.points]
    assert seconds == sorted(seconds) and seconds[0] > 0
    expected = np.mean(np.argmax(model.predict(x[:10], verbose=0), -1) == y[:10])
    assert clock.points[-1][1] == pytest.approx(expected)
    assert clock.evaluation_seconds > 0


def test_the_accuracy_clock_keeps_the_scoring_out_of_the_training_time(monkeypatch):
    import time as clock_time

    from helpers.training import AccuracyClock

    keras.utils.set_random_seed(0)
    x, y = np.random.rand(16, 4).astype("float32"), np.arange(16) % 2
    model = tiny_model()
    clock = AccuracyClock(x, y, every=1)
    real_predict = model.predict

    def slow_predict(*args, **kwargs):
        clock_time.sleep(0.2)
        return real_predict(*args, **kwargs)

    monkeypatch.setattr(model, "predict", slow_predict)
    start = clock_time.perf_counter()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[clock])
    wall = clock_time.perf_counter() - start
    assert len(clock.points) == 2 and clock.evaluation_seconds >= 0.4
    assert clock.points[-1][0] < wall - 0.4  # the two scorings are not training time


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"every": 0}, ValueError, "every=0: expected a positive integer"),
        ({"every": 2.5}, TypeError, "every=2.5"),
        ({"every": 1, "y": np.zeros(3)}, ValueError, "got 4 images and 3 labels"),
        ({"every": 1, "x": np.zeros((0, 4)), "y": np.zeros(0)}, ValueError, "at least one"),
    ],
)
def test_the_accuracy_clock_refuses_bad_arguments(kwargs, error, message):
    from helpers.training import AccuracyClock

    args = {"x": np.zeros((4, 4)), "y": np.zeros(4), **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        AccuracyClock(**args)
