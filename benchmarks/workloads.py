"""What one benchmark child process measures; it prints one JSON line of raw timings.

    python -m benchmarks.workloads training --model chapter1 --rounds 3 --images 6400
    python -m benchmarks.workloads layer --rounds 30
    python -m benchmarks.workloads separable --rounds 20
    python -m benchmarks.workloads profile --model chapter2 --images 1280

A child measures every variant of its workload once per round, in an order shuffled afresh
each round (B C A, A C B, ...), so that a busy moment on a shared machine slows all of them, not
one, and no variant always runs first or last; the parent divides each variant by another
measured in the same round (a paired ratio). The CPU code path is
the parent's choice (``TF_ENABLE_ONEDNN_OPTS`` in the child's environment). Run by
``python -m benchmarks``, which takes the medians and writes the results file.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

import helpers  # noqa: F401  (first: it quiets TensorFlow's C++ start-up log)
from helpers.costs import conv_macs
from helpers.cpu_paths import code_path_name
from helpers.from_chapters import NNConv2D, build_cnn, build_mnist_cnn
from helpers.timing import in_turns, in_turns_ms, median_ms

import keras
import tensorflow as tf

from benchmarks import SEPARABLE_SHAPE

BATCH_SIZE = 64  # what chapters 1 and 2 train with
# How each chapter feeds its model: chapter 1 fit()s NumPy arrays with steps_per_execution=16,
# chapter 2 a tf.data pipeline (tests/test_benchmarks.py checks the chapters still do).
CHAPTER_VARIANT = {"chapter1": "fit_numpy_spe16", "chapter2": "fit_tfdata"}


def _data(model_name: str, images: int, split: str = "train"):
    """The first ``images`` images of the chapter's training (or ``"test"``) set, scaled as the
    chapter scales them."""
    from helpers.data import load_cifar10, load_mnist

    if model_name == "chapter1":
        train, test = load_mnist()
    else:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # the partial-mirror note
            train, test = load_cifar10()
    x, y = train if split == "train" else test
    x = x[:images].astype("float32") / 255.0
    if model_name == "chapter1":
        x = x.reshape(-1, 28, 28, 1)
    y = y[:images].reshape(-1)
    if len(x) < images:
        raise ValueError(f"images={images}: the dataset has only {len(x)} {split} images")
    return x, y


def _compiled(model_name: str, jit_compile: bool = False, steps_per_execution: int = 1):
    if model_name == "chapter1":
        model = build_mnist_cnn()
    else:
        model = build_cnn(bn=True, name="with_bn")
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution,
    )
    return model


class _EpochTimer(keras.callbacks.Callback):
    """The wall time of the (one) epoch of a ``fit`` call, without ``fit``'s own set-up."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start


def training_macs(model) -> int:
    """Multiply-accumulates of one training image: every ``Conv2D`` and ``Dense`` layer's
    forward MACs (:mod:`helpers.costs`) three times (the forward pass, the gradient of the
    input and that of the weights), less the first layer's input gradient, which training
    never computes. Pooling, BatchNormalization, activations and the optimizer are not MACs.
    """
    forward = [macs for macs in map(layer_macs, model.layers) if macs]
    return 3 * sum(forward) - forward[0]


def layer_macs(lay) -> int:
    """One image's forward MACs through a built ``Conv2D`` (:mod:`helpers.costs`) or ``Dense``
    layer; 0 for any other layer."""
    if isinstance(lay, keras.layers.Conv2D):
        _, height, width, _ = lay.output.shape
        return conv_macs(height, width, kernel_size=tuple(lay.kernel_size),
                         in_channels=lay.input.shape[-1], out_channels=lay.filters)  # fmt: skip
    if isinstance(lay, keras.layers.Dense):
        return lay.input.shape[-1] * lay.units
    return 0


def conv_rates(model, batch_sizes=(64, 256)) -> dict:
    """GMAC/s of each of the model's ``Conv2D`` layers alone, forward and both gradients, as
    ``tf.nn.conv2d`` on random inputs at each batch size: {"conv 1, batch 64": GMAC/s, ...}.
    The best of them is the bound this book compares the whole model's training rate with.
    """
    rates = {}
    convs = [lay for lay in model.layers if isinstance(lay, keras.layers.Conv2D)]
    for number, lay in enumerate(convs, start=1):
        macs = 3 * layer_macs(lay)  # forward and both gradients
        kernel = tf.random.stateless_uniform(lay.kernel.shape, seed=[5, 6])
        for batch in batch_sizes:
            x = tf.random.stateless_uniform((batch, *lay.input.shape[1:]), seed=[7, 8])
            dy = tf.ones((batch, *lay.output.shape[1:]))

            @tf.function
            def step(x=x, kernel=kernel, dy=dy, strides=lay.strides, padding=lay.padding):
                with tf.GradientTape() as tape:
                    tape.watch([x, kernel])
                    y = tf.nn.conv2d(x, kernel, strides, padding.upper())
                return tape.gradient(y, [x, kernel], output_gradients=dy)

            ms = median_ms(lambda step=step: [g.numpy() for g in step()], repeats=15)
            rates[f"conv {number}, batch {batch}"] = macs * batch / ms / 1e6
    return rates


def training(model_name: str, rounds: int, images: int, seed: int = 0) -> dict:
    """Images per second of chapter 1's or chapter 2's model, trained several ways.

    - ``fit_numpy``: ``model.fit`` on NumPy arrays, one step per call (chapter 1 adds
      ``steps_per_execution=16``: ``fit_numpy_spe16``);
    - ``fit_tfdata``: ``model.fit`` on ``from_tensor_slices -> shuffle -> batch -> prefetch``
      (how chapter 2 feeds its model);
    - ``fit_*_xla``: the chapter's own feed, the model compiled with ``jit_compile=True``;
    - ``fit_*_spe16``: the chapter's own feed, compiled with ``steps_per_execution=16``
      (16 train steps per call from Python);
    - ``fit_*_batchN`` (chapter 1 only): the chapter's own feed with batches of N, not 64,
      one step per call;
    - ``step_per_call``: the same train step (``model.train_step`` in a ``tf.function``)
      called from Python once per batch, on batches already in memory as tensors;
    - ``loop_in_graph``: the same train step looped inside one ``tf.function`` (a
      ``tf.while_loop``) over every batch of the epoch, stacked into one tensor beforehand:
      one call from Python per epoch, no input pipeline.

    Every variant trains on the same ``images`` images per epoch. ``seed`` shuffles the order
    of the variants in each round. The child also measures its convolutions alone
    (:func:`conv_rates`) and counts the model's MACs (:func:`training_macs`).
    """
    # Seeded, but without TensorFlow's op determinism (helpers.runtime.set_seed's default):
    # with it on, Keras quietly compiles without XLA even when jit_compile=True.
    keras.utils.set_random_seed(42)
    x, y = _data(model_name, images)
    model = _compiled(model_name)
    xla_model = _compiled(model_name, jit_compile=True)
    spe_model = _compiled(model_name, steps_per_execution=16)

    def tf_dataset(batch_size):
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=42)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def fit(which, feed, batch_size=BATCH_SIZE):
        timer = _EpochTimer()
        if feed == "numpy":
            which.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, callbacks=[timer])
        else:
            which.fit(tf_dataset(batch_size), epochs=1, verbose=0, callbacks=[timer], shuffle=False)
        return timer.seconds

    count = len(x) // BATCH_SIZE
    batches = [
        (tf.constant(x[i * BATCH_SIZE : (i + 1) * BATCH_SIZE]),
         tf.constant(y[i * BATCH_SIZE : (i + 1) * BATCH_SIZE]))
        for i in range(count)
    ]  # fmt: skip
    step = tf.function(model.train_step)

    def per_call():
        start = time.perf_counter()
        for batch in batches:
            logs = step(batch)
        float(logs["loss"])  # wait for the last step
        return time.perf_counter() - start

    stacked_x = tf.constant(x[: count * BATCH_SIZE].reshape(count, BATCH_SIZE, *x.shape[1:]))
    stacked_y = tf.constant(y[: count * BATCH_SIZE].reshape(count, BATCH_SIZE))

    @tf.function
    def epoch_loop():
        def body(i, loss):
            logs = model.train_step((stacked_x[i], stacked_y[i]))
            return i + 1, tf.cast(logs["loss"], tf.float32)

        start = (tf.constant(0), tf.constant(0.0))
        return tf.while_loop(lambda i, _: i < count, body, start)[1]

    def in_graph():
        start = time.perf_counter()
        float(epoch_loop())
        return time.perf_counter() - start

    chapter_feed = "numpy" if model_name == "chapter1" else "tfdata"
    variants = {
        "fit_numpy": lambda: fit(model, "numpy"),
        "fit_tfdata": lambda: fit(model, "tfdata"),
        f"fit_{chapter_feed}_xla": lambda: fit(xla_model, chapter_feed),
        f"fit_{chapter_feed}_spe16": lambda: fit(spe_model, chapter_feed),
        "step_per_call": per_call,
        "loop_in_graph": in_graph,
    }
    if model_name == "chapter1":
        for size in (128, 256, 512):
            variants[f"fit_{chapter_feed}_batch{size}"] = lambda size=size: fit(
                model, chapter_feed, size
            )
    else:
        del variants["fit_numpy"]  # chapter 2 never feeds NumPy arrays
    counts = {name: len(x) for name in variants}
    counts["step_per_call"] = counts["loop_in_graph"] = count * BATCH_SIZE
    # one warm-up call each: tracing, XLA compilation, optimizer state
    orders = _orders(variants, rounds, seed)
    seconds = in_turns(variants, rounds, warmup=1, orders=orders)
    return {
        "feed": f"fit_{chapter_feed}",
        "chapter_variant": CHAPTER_VARIANT[model_name],
        "orders": orders,
        "images_per_s": {
            name: [counts[name] / s for s in times] for name, times in seconds.items()
        },
        "training_macs_per_image": training_macs(model),
        "conv_gmacs_per_s": conv_rates(model),
    }


POLICIES = ("float32", "mixed_bfloat16")


def _in_policy(model_name: str, policy: str):
    """The chapter's model built under the Keras dtype policy ``policy``, compiled as its
    chapter compiles it, starting from the same weights whatever the policy. Its output
    layer computes in float32 (CONTRIBUTING: mixed precision): chapter 2's model asks for
    that itself; chapter 1's is cloned with its classifier in float32."""

    def build():
        keras.utils.set_random_seed(42)
        return build_mnist_cnn() if model_name == "chapter1" else build_cnn(bn=True)

    def float32_classifier(lay):
        config = lay.get_config()
        if lay.name == "classifier":
            config["dtype"] = "float32"
        return lay.__class__.from_config(config)

    start = build().get_weights()
    keras.mixed_precision.set_global_policy(policy)
    try:
        model = build()
        if model_name == "chapter1":
            model = keras.models.clone_model(model, clone_function=float32_classifier)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.set_weights(start)
    spe = 16 if model_name == "chapter1" else 1  # as the chapters compile them
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=spe)  # fmt: skip
    return model


def onednn_supports(dtype) -> bool:
    """Whether TensorFlow's oneDNN kernels take ``dtype`` on this CPU (TensorFlow's own test,
    ``IsDataTypeSupportedByOneDNNOnThisCPU``: bfloat16 needs AVX-512 or AVX-NE-CONVERT);
    without it, TensorFlow falls back to its Eigen kernels for that type."""
    from tensorflow.python.util import _pywrap_utils

    return bool(_pywrap_utils.IsDataTypeSupportedByOneDNNOnThisCPU(dtype))


def precision(model_name: str, rounds: int, images: int, test_images: int, seed: int = 0) -> dict:
    """Chapter 1's or chapter 2's model in float32 and in ``mixed_bfloat16`` (layers compute
    in bfloat16, weights stay float32): images per second of one epoch of ``images`` images,
    both policies in turns each round; then each model's accuracy on ``test_images`` test
    images after the same training (the warm-up epoch and the ``rounds`` timed ones)."""
    x, y = _data(model_name, images)
    models = {policy: _in_policy(model_name, policy) for policy in POLICIES}

    def epoch(model):
        timer = _EpochTimer()
        model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0, callbacks=[timer])
        return timer.seconds

    variants = {policy: lambda m=model: epoch(m) for policy, model in models.items()}
    orders = _orders(variants, rounds, seed)
    seconds = in_turns(variants, rounds, warmup=1, orders=orders)
    xt, yt = _data(model_name, test_images, "test")
    return {
        "orders": orders,
        "images_per_s": {name: [len(x) / s for s in times] for name, times in seconds.items()},
        "test_accuracy": {
            policy: float(model.evaluate(xt, yt, verbose=0)[1]) for policy, model in models.items()
        },
        "test_images": len(xt),
        "epochs": rounds + 1,
        "onednn_supports_bfloat16": onednn_supports(tf.bfloat16),
        "compute_dtype": {
            policy: model.layers[0].compute_dtype for policy, model in models.items()
        },
    }


def _forward_backward(layer, x):
    """A ``tf.function`` that runs ``layer`` forward and takes the gradients of a loss."""

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(layer(x)))  # a loss that needs the outputs
        return tape.gradient(loss, [x, *layer.trainable_weights])

    return lambda: [g.numpy() for g in step()]


def _orders(names, rounds: int, seed: int) -> list[list[str]]:
    """One order of ``names`` per round, shuffled anew each round (seeded)."""
    shuffle = random.Random(seed)
    orders = []
    for _ in range(rounds):
        order = list(names)
        shuffle.shuffle(order)
        orders.append(order)
    return orders


def _alternate(steps: dict, rounds: int, seed: int) -> dict:
    """Every step once per round, in an order shuffled each round: milliseconds per step."""
    return in_turns_ms(steps, rounds, warmup=2, orders=_orders(steps, rounds, seed))


def layer(rounds: int, seed: int = 0) -> dict:
    """Chapter 7's ``NNConv2D`` against ``keras.layers.Conv2D``: 32 3x3 filters on a batch of
    64 MNIST-sized images, forward and forward+backward, in milliseconds."""
    x = tf.Variable(tf.random.stateless_uniform((BATCH_SIZE, 28, 28, 1), seed=[1, 2]))
    layers = {"Conv2D": keras.layers.Conv2D(32, 3), "NNConv2D": NNConv2D(32, 3)}
    steps = {}
    for name, lay in layers.items():
        lay.build(x.shape)
        forward = tf.function(lambda lay=lay: tf.reduce_sum(tf.square(lay(x))))
        steps[f"{name} forward"] = lambda f=forward: f().numpy()
        steps[f"{name} forward+backward"] = _forward_backward(lay, x)
    return {"ms": _alternate(steps, rounds, seed)}


def separable(rounds: int, seed: int = 0) -> dict:
    """``Conv2D`` against ``SeparableConv2D`` (3x3, 128 -> 128 channels, "same") on a batch
    of 8 56x56x128 inputs, forward+backward, in milliseconds."""
    x = tf.Variable(tf.random.stateless_uniform(SEPARABLE_SHAPE, seed=[3, 4]))
    filters = SEPARABLE_SHAPE[-1]
    layers = {
        "Conv2D": keras.layers.Conv2D(filters, 3, padding="same", use_bias=False),
        "SeparableConv2D": keras.layers.SeparableConv2D(filters, 3, padding="same", use_bias=False),
    }
    steps = {}
    for name, lay in layers.items():
        lay.build(x.shape)
        steps[name] = _forward_backward(lay, x)
    return {"ms": _alternate(steps, rounds, seed)}


# Where a training step's time goes (helpers.profiling): each op's time goes to the first
# category whose pattern its name matches; "backward" is TensorFlow's gradient scope.
PROFILE_CATEGORIES = (
    ("optimizer", r"^adam/|/adam/"),
    ("loss and metrics", r"compile_loss|compile_metrics|/metrics?/|_tracker"),
    ("convolutions", r"/conv[^/]*/"),
    ("BatchNormalization", r"/batch_normalization[^/]*/"),
    ("pooling", r"/(pool|max_pooling)[^/]*/"),
    ("dense", r"/(dense|classifier)[^/]*/"),
    ("dropout", r"/dropout[^/]*/"),
    ("waiting for input", r"Iterator|GetNext|OptionalGetValue|OptionalHasValue"),
)


def profile(model_name: str, images: int) -> dict:
    """Milliseconds per train step by category and direction (ops in TensorFlow's
    ``gradient_tape/`` scope are the backward pass), from TensorFlow's profiler: the chapter's
    model fed as its chapter feeds it, one epoch of ``images`` images after a warm-up epoch;
    and the wall time per step of the same epoch with the profiler on and without it."""
    import tempfile

    from helpers.profiling import group_op_times, profile_ops

    keras.utils.set_random_seed(42)
    x, y = _data(model_name, images)
    model = _compiled(model_name, steps_per_execution=16 if model_name == "chapter1" else 1)

    def epoch():
        if model_name == "chapter1":
            model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0)
        else:
            data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=42)
            model.fit(data.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE), epochs=1, verbose=0)

    epoch()  # warm-up: tracing, optimizer state
    start = time.perf_counter()
    epoch()  # the same epoch without the profiler, for its overhead
    plain = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as logdir:
        start = time.perf_counter()
        times = profile_ops(epoch, logdir)
        wall = time.perf_counter() - start
    steps = images // BATCH_SIZE
    backward = {k: v for k, v in times.items() if "gradient_tape/" in k}
    forward = {k: v for k, v in times.items() if k not in backward}
    groups = {
        direction: group_op_times(part, PROFILE_CATEGORIES)
        for direction, part in (("forward", forward), ("backward", backward))
    }
    return {
        "steps": steps,
        "wall_ms_per_step": wall * 1e3 / steps,
        "unprofiled_ms_per_step": plain * 1e3 / steps,
        "ms_per_step": {
            direction: {k: v / steps for k, v in found.items()}
            for direction, found in groups.items()
        },
        "top_ops": sorted(times.items(), key=lambda item: -item[1])[:12],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "workload", choices=["training", "layer", "separable", "profile", "precision"]
    )
    parser.add_argument("--model", choices=["chapter1", "chapter2"], default="chapter1")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=6400)
    parser.add_argument("--seed", type=int, default=0, help="shuffles the variants' order")
    parser.add_argument("--test-images", type=int, default=1000, help="precision: evaluated on")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds={args.rounds}: expected at least 1")
    if args.images < BATCH_SIZE or args.images % BATCH_SIZE:
        parser.error(f"--images={args.images}: expected a positive multiple of {BATCH_SIZE}")
    if args.test_images < 1:
        parser.error(f"--test-images={args.test_images}: expected at least 1")
    if args.workload == "training":
        result = training(args.model, args.rounds, args.images, args.seed)
    elif args.workload == "precision":
        result = precision(args.model, args.rounds, args.images, args.test_images, args.seed)
    elif args.workload == "profile":
        result = profile(args.model, args.images)
    elif args.workload == "layer":
        result = layer(args.rounds, args.seed)
    else:
        result = separable(args.rounds, args.seed)
    result["code_path"] = code_path_name()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
