"""An MNIST speedrun for a 2-core CPU: chapter 1's 99 % test accuracy in the least training time.

A *recipe* is a flat dict (:data:`CHAPTER1`, :data:`SPEEDRUN`): the model, the data feed, the
optimizer and its schedule. :func:`train` trains one recipe on arrays and returns the seconds
from the start of the data feed and ``fit`` to the end of ``fit`` (tracing included), and the
model. The command line prints one JSON line per run and appends it to ``speedrun_runs.json``:

    python -m benchmarks.speedrun tune --set epochs=2 --set lr=0.01 --seeds 0 1
    python -m benchmarks.speedrun seeds --seeds 0 1 2 3 4        # the frozen recipe, test set
    python -m benchmarks.speedrun ablation --seeds 0 1           # one change removed at a time
    python -m benchmarks.speedrun pair --rounds 2                # chapter 1, the recipe, in turns

``tune`` and ``ablation`` train on the first 50,000 training images and score on the last
10,000 (the held-out part); only ``seeds`` and ``pair`` touch the test set, once the recipe is
frozen, training on all 60,000. The CPU code path is the process's: set
``TF_ENABLE_ONEDNN_OPTS=0`` (Eigen) or ``=1`` (oneDNN) before running it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

import helpers  # noqa: F401  (first: it quiets TensorFlow's C++ start-up log)
from helpers.cpu_paths import code_path_name
from helpers.from_chapters import build_mnist_cnn
from helpers.runtime import set_seed

import keras
import numpy as np
import tensorflow as tf

RUNS_FILE = Path(__file__).with_name("speedrun_runs.json")
# The CPU time (all threads) of the last train(): steadier than the wall time when another
# process shares the cores.
LAST_CPU_SECONDS = [0.0]
HELD_OUT = 10_000  # the last 10,000 training images: the tuning runs score on them

# The frozen speedrun recipe, decided by the "tune" runs in speedrun_runs.json (first 50,000
# training images, scored on the last 10,000). It started from tuomaso/train_mnist_fast's final
# net (5x5 conv 24, pool, 3x3 conv 32, pool, Dense 256; Adam with betas 0.7/0.9, one-cycle to
# 0.01, batches of 256, 1 epoch); the first convolution's stride 2 (no pool after it) and label
# smoothing 0.1 (after airbench and hlb-CIFAR10) came from the tuning, and 1.25 epochs for margin.
# Forward MACs per image: 984,960 (chapter 1's model: 2,440,960).
SPEEDRUN = {
    "arch": "small",
    "c1": 24,  # first convolution: filters and kernel size ("valid" padding)
    "k1": 5,
    "s1": 2,  # its stride: 2, where chapter 1 pools after a stride-1 convolution
    "pool1": False,  # a 2x2 max-pool after it
    "c2": 32,  # second convolution
    "k2": 3,
    "s2": 1,
    "pool2": True,
    "dense": 256,  # a hidden Dense layer (0: none)
    "bn": False,  # BatchNormalization after each convolution
    "pool_first": True,  # max-pool before the ReLU (same result, 4 times fewer ReLUs)
    "dropout": 0.0,
    "feed": "tensor",  # one tensor in memory; tf.data shuffles indices and gathers batches
    "epochs": 1.25,  # passes over the training images
    "batch": 256,
    "schedule": "onecycle",
    "lr": 0.01,  # the one-cycle schedule's peak
    "warmup": 0.3,  # fraction of the steps spent warming up
    "start_div": 25.0,  # the warm-up starts at lr / start_div
    "beta_1": 0.7,
    "beta_2": 0.9,
    "label_smoothing": 0.1,
    "ema": 0.0,  # Adam's exponential moving average of the weights (0: off)
    "steps_per_execution": 64,
    "normalize": "unit",
    "metrics": False,
}


# Chapter 1's recipe: its model, Adam at the default rate, batches of 64, 5 epochs, NumPy
# arrays with validation_split=0.1, 16 steps per call, pixels scaled to [0, 1].
CHAPTER1 = {
    **SPEEDRUN,  # (the small model's keys are unused with arch="chapter1")
    "arch": "chapter1",
    "feed": "numpy_val",  # fit(x, y, validation_split=0.1), as chapter 1 calls it
    "epochs": 5,
    "batch": 64,
    "schedule": "constant",
    "lr": 1e-3,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "label_smoothing": 0.0,
    "ema": 0.0,
    "steps_per_execution": 16,
    "normalize": "unit",
    "metrics": True,
}


def describe(recipe: dict) -> str:
    """A short name of what a recipe changes from :data:`SPEEDRUN`."""
    changes = [f"{k}={v}" for k, v in recipe.items() if SPEEDRUN.get(k) != v]
    return ",".join(changes) or "speedrun"


def build_model(recipe: dict) -> keras.Model:
    """The recipe's model: chapter 1's, or a small conv net (conv, pool, conv, pool, dense)."""
    if recipe["arch"] == "chapter1":
        return build_mnist_cnn()
    layers = keras.layers
    stack = [keras.Input(shape=(28, 28, 1))]
    for number in (1, 2):
        filters, kernel = recipe[f"c{number}"], recipe[f"k{number}"]
        strides = recipe[f"s{number}"]
        stack.append(layers.Conv2D(filters, kernel, strides, use_bias=not recipe["bn"]))
        if recipe["bn"]:
            stack.append(layers.BatchNormalization())
        if not recipe[f"pool{number}"]:
            stack.append(layers.ReLU())
        elif recipe["pool_first"]:
            stack += [layers.MaxPooling2D(2), layers.ReLU()]
        else:
            stack += [layers.ReLU(), layers.MaxPooling2D(2)]
    stack.append(layers.Flatten())
    if recipe["dropout"]:
        stack.append(layers.Dropout(recipe["dropout"]))
    if recipe["dense"]:
        stack.append(layers.Dense(recipe["dense"], activation="relu"))
    stack.append(layers.Dense(10, activation="softmax"))
    return keras.Sequential(stack, name="speedrun")


def forward_macs(model: keras.Model) -> int:
    """Multiply-accumulates of one image's forward pass through the Conv2D and Dense layers."""
    from benchmarks.workloads import layer_macs

    return sum(layer_macs(lay) for lay in model.layers)


def _steps(recipe: dict, images: int) -> int:
    """Training steps: ``epochs`` (a float) passes over the images, in whole batches."""
    return max(1, round(recipe["epochs"] * (images // recipe["batch"])))


def learning_rate(recipe: dict, images: int):
    """A constant rate, or a one-cycle schedule: Keras' ``CosineDecay`` with a warm-up, a
    straight line from ``lr / start_div`` to ``lr`` over the first ``warmup`` of the steps,
    then a cosine down to zero."""
    if recipe["schedule"] == "constant":
        return recipe["lr"]
    total = _steps(recipe, images)
    warmup = max(1, round(recipe["warmup"] * total))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=recipe["lr"] / recipe["start_div"],
        warmup_target=recipe["lr"],
        warmup_steps=warmup,
        decay_steps=max(1, total - warmup),
    )


def compiled(recipe: dict, images: int) -> keras.Model:
    """The recipe's model, compiled for ``images`` training images."""
    model = build_model(recipe)
    ema = recipe["ema"]
    optimizer = keras.optimizers.Adam(
        learning_rate(recipe, images),
        beta_1=recipe["beta_1"],
        beta_2=recipe["beta_2"],
        use_ema=bool(ema),
        ema_momentum=ema or 0.99,
    )
    if recipe["label_smoothing"]:
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=recipe["label_smoothing"])
    else:
        loss = "sparse_categorical_crossentropy"
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=["accuracy"] if recipe["metrics"] else None,
        steps_per_execution=recipe["steps_per_execution"],
    )
    return model


def prepare(x: np.ndarray, recipe: dict) -> np.ndarray:
    """uint8 images (N, 28, 28) as float32 (N, 28, 28, 1): scaled to [0, 1] ("unit", as in
    chapter 1) or standardized with MNIST's training mean and deviation ("standard")."""
    x = x.astype("float32").reshape(-1, 28, 28, 1) / 255.0
    if recipe["normalize"] == "standard":
        x = (x - 0.1307) / 0.3081
    return x


def _dataset(recipe: dict, x: np.ndarray, y: np.ndarray, seed: int) -> tf.data.Dataset:
    """The training set as one tensor in memory; every epoch a fresh order of indices, cut
    into batches and gathered from the tensor; exactly :func:`_steps` batches."""
    images = tf.constant(x)
    labels = tf.constant(y.astype("int32"))
    if recipe["label_smoothing"]:
        labels = tf.one_hot(labels, 10)
    order = tf.data.Dataset.range(len(x)).shuffle(len(x), seed=seed).repeat()
    order = order.batch(recipe["batch"], drop_remainder=True).take(_steps(recipe, len(x)))
    batches = order.map(lambda i: (tf.gather(images, i), tf.gather(labels, i)))
    return batches.prefetch(2)


def train(recipe: dict, x: np.ndarray, y: np.ndarray, seed: int):
    """Seed, build and compile, then train: returns (seconds, model). The seconds run from
    the start of the data feed (the tensor feed builds its tensors inside them) and ``fit``
    to the end of ``fit``, tracing included. ``x`` is prepared (:func:`prepare`)."""
    set_seed(seed)  # Python, NumPy, TensorFlow, and op determinism (as the chapters)
    images = len(x) - len(x) // 10 if recipe["feed"] == "numpy_val" else len(x)
    model = compiled(recipe, images)
    start, start_cpu = time.perf_counter(), time.process_time()
    if recipe["feed"] == "tensor":
        model.fit(_dataset(recipe, x, y, seed), epochs=1, verbose=0)
    elif recipe["feed"] == "numpy":  # NumPy arrays, Keras shuffles them (whole epochs only)
        epochs = int(recipe["epochs"])
        if epochs != recipe["epochs"]:
            raise ValueError(f"epochs={recipe['epochs']!r}: feed='numpy' needs whole epochs")
        if recipe["label_smoothing"]:
            y = np.eye(10, dtype="float32")[y]  # one-hot, as the loss needs
        model.fit(x, y, epochs=epochs, batch_size=recipe["batch"], verbose=0)
    elif recipe["feed"] == "numpy_val":
        model.fit(
            x,
            y,
            epochs=recipe["epochs"],
            batch_size=recipe["batch"],
            validation_split=0.1,
            verbose=0,
        )
    else:
        raise ValueError(f"feed={recipe['feed']!r}: expected tensor, numpy or numpy_val")
    seconds = time.perf_counter() - start
    LAST_CPU_SECONDS[0] = time.process_time() - start_cpu
    return seconds, model


def accuracy(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """The fraction of ``x`` that ``model`` classifies as ``y``."""
    predicted = np.argmax(model.predict(x, batch_size=1000, verbose=0), axis=1)
    return float(np.mean(predicted == y))


def _log(record: dict) -> None:
    print(json.dumps(record), flush=True)
    runs = json.loads(RUNS_FILE.read_text()) if RUNS_FILE.exists() else []
    runs.append(record)
    RUNS_FILE.write_text(json.dumps(runs, indent=1) + "\n")


def _record(kind: str, name: str, recipe: dict, seed: int, seconds: float, **extra) -> dict:
    return {
        "kind": kind,
        "name": name,
        "path": code_path_name(),
        "seed": seed,
        "train_seconds": round(seconds, 3),
        "train_cpu_seconds": round(LAST_CPU_SECONDS[0], 3),
        **extra,
        "loadavg": [round(v, 2) for v in os.getloadavg()],
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "recipe": recipe,
    }


def _data(split: str, recipe: dict):
    """("tune"): the first 50,000 training images and the last 10,000 (held out);
    ("test"): all 60,000 training images and the 10,000 test images."""
    from helpers.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train, x_test = prepare(x_train, recipe), prepare(x_test, recipe)
    if split == "tune":
        return (x_train[:-HELD_OUT], y_train[:-HELD_OUT]), (
            x_train[-HELD_OUT:],
            y_train[-HELD_OUT:],
        )
    return (x_train, y_train), (x_test, y_test)


def _run(kind: str, name: str, recipe: dict, seeds, split: str) -> list[dict]:
    (x, y), (x_eval, y_eval) = _data(split, recipe)
    records = []
    for seed in seeds:
        seconds, model = train(recipe, x, y, seed)
        record = _record(
            kind,
            name,
            recipe,
            seed,
            seconds,
            train_images=len(x),
            eval_on="held-out" if split == "tune" else "test",
            accuracy=accuracy(model, x_eval, y_eval),
            forward_macs=forward_macs(model),
        )
        _log(record)
        records.append(record)
    return records


def _value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def with_changes(base: dict, changes) -> dict:
    """``base`` with ``key=value`` strings applied (a key must exist in ``base``)."""
    recipe = dict(base)
    for change in changes or []:
        key, _, text = change.partition("=")
        if key not in recipe:
            raise KeyError(f"{key!r} is not a recipe key: {sorted(recipe)}")
        recipe[key] = _value(text)
    return recipe


# Ablation: each change of the speedrun undone alone (back to chapter 1's choice, or to
# tuomaso/train_mnist_fast's for the first convolution); the two 1-epoch rows compare the feeds.
ABLATIONS = {
    "speedrun": [],
    "conv1 stride 1, then pool": ["s1=1", "pool1=true"],
    "no label smoothing": ["label_smoothing=0.0"],
    "pool after ReLU": ["pool_first=false"],
    "no hidden Dense": ["dense=0"],
    "chapter 1's model": ["arch=chapter1"],
    "batch 64": ["batch=64"],
    "constant lr 1e-3": ["schedule=constant", "lr=0.001"],
    "Adam default betas": ["beta_1=0.9", "beta_2=0.999"],
    "16 steps per call": ["steps_per_execution=16"],
    "accuracy metric": ["metrics=true"],
    "1 epoch": ["epochs=1"],
    "1 epoch, NumPy feed": ["epochs=1", "feed=numpy"],
}


def _pair(rounds: int, seed: int, recipe: dict) -> None:
    """Chapter 1's recipe and ``recipe`` trained in turns in this process on all 60,000
    training images, order alternating each round; test accuracy of each run."""
    recipes = {"chapter1": CHAPTER1, "speedrun": recipe}
    data = {name: _data("test", r) for name, r in recipes.items()}
    for number in range(rounds):
        order = ["chapter1", "speedrun"] if number % 2 == 0 else ["speedrun", "chapter1"]
        seconds = {}
        for name in order:
            (x, y), (x_test, y_test) = data[name]
            seconds[name], model = train(recipes[name], x, y, seed + number)
            _log(
                _record(
                    "pair",
                    name,
                    recipes[name],
                    seed + number,
                    seconds[name],
                    round=number,
                    train_images=len(x),
                    eval_on="test",
                    accuracy=accuracy(model, x_test, y_test),
                )
            )
        ratio = seconds["chapter1"] / seconds["speedrun"]
        print(json.dumps({"kind": "pair_ratio", "round": number, "ratio": round(ratio, 3)}))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["tune", "seeds", "ablation", "pair"])
    parser.add_argument("--base", choices=["speedrun", "chapter1"], default="speedrun")
    parser.add_argument("--set", action="append", help="key=value, a change of the recipe")
    parser.add_argument("--name", help="the run's name in the log (default: its changes)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--only", nargs="+", help="ablation: these rows only")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    base = SPEEDRUN if args.base == "speedrun" else CHAPTER1
    recipe = with_changes(base, args.set)
    if args.command == "tune":
        name = args.name or (args.base if not args.set else describe(recipe))
        _run("tune", name, recipe, args.seeds, "tune")
    elif args.command == "seeds":
        _run("seeds", args.name or args.base, recipe, args.seeds, "test")
    elif args.command == "ablation":
        for row, changes in ABLATIONS.items():
            if args.only and row not in args.only:
                continue
            _run("ablation", row, with_changes(recipe, changes), args.seeds, "tune")
    else:
        _pair(args.rounds, args.seeds[0], recipe)


if __name__ == "__main__":
    main(sys.argv[1:])
