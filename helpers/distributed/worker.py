"""Appendix B's worker program: chapter 2's network trained on several
machines with ``tf.distribute.MultiWorkerMirroredStrategy``.

Every machine (a *worker*) runs the same command; the environment variable
``TF_CONFIG`` tells each one the cluster's addresses and which task it is::

    TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]},
                "task": {"type": "worker", "index": 0}}' \\
    python -m helpers.distributed.worker data.npz out --steps 32

``data.npz`` holds ``x`` (uint8 images, N x 32 x 32 x 3) and ``y`` (their
labels); each worker reads its own shard of it (:func:`make_dataset_fn`).
``out`` must be a folder that every worker reaches (a shared file system or
a bucket): worker 0, the *chief*, writes the checkpoints and the final
weights there, and every worker writes ``report<index>.json``.

With Keras 3 the training is a custom loop (:func:`train`): Keras 3's
``fit`` cannot take the strategy's distributed batches
(keras-team/keras#20585); ``--try-fit`` records its error. With
``TF_USE_LEGACY_KERAS=1`` and the ``tf_keras`` package, ``keras`` below is
Keras 2, and ``--fit`` trains with ``model.fit`` (:func:`fit`), as
TensorFlow's tutorial "Multi-worker training with Keras" does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys

# chapter 2's network, and keras as that module chooses it: Keras 3, or
# Keras 2 (tf_keras) when TF_USE_LEGACY_KERAS=1
from helpers.from_chapters import build_cnn, keras

import numpy as np
import tensorflow as tf


def make_dataset_fn(images, labels, global_batch):
    """The function for ``strategy.distribute_datasets_from_function``.

    TensorFlow calls it once per input pipeline (one per worker) with a
    ``tf.distribute.InputContext``. Pipeline ``i`` of ``n`` keeps images
    ``i``, ``i + n``, ``i + 2n``, ... (its shard), so no two workers read
    the same image, and batches them with the per-replica batch size.
    """

    def dataset_fn(context):
        batch = context.get_per_replica_batch_size(global_batch)
        dataset = tf.data.Dataset.from_tensor_slices((images, labels))
        dataset = dataset.shard(
            context.num_input_pipelines, context.input_pipeline_id
        )
        dataset = dataset.map(lambda x, y: (tf.cast(x, "float32") / 255, y))
        return dataset.repeat().batch(batch, drop_remainder=True)

    return dataset_fn


def is_chief(strategy) -> bool:
    """True on the worker that writes what is kept: a "chief" task, else
    worker 0, and the only process when there is no cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or resolver.task_type in (None, "chief"):
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0


def task_index(strategy) -> int:
    """This worker's index in the cluster (0 without a cluster)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    return int(getattr(resolver, "task_id", None) or 0)


def fingerprint(arrays) -> str:
    """A short hash of a model's weights: equal hashes, equal weights."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def local(strategy, value):
    """A per-replica result as lists, one per replica of this worker."""
    results = strategy.experimental_local_results(value)
    return [np.asarray(result).tolist() for result in results]


def train(
    strategy, dataset_fn, steps, global_batch, learning_rate, folder, every=8
):
    """Train with a custom loop for ``steps`` steps; return a report.

    The chief saves a checkpoint (model, optimizer, step) in
    ``folder/checkpoints`` every ``every`` steps, and a restarted run
    continues from the last one's step and weights (its data start again
    from the first batch). Every worker must take part in saving: the
    others save to a folder of their own, then delete it.
    """
    with strategy.scope():
        model = build_cnn(synchronized=True)
        optimizer = keras.optimizers.Adam(learning_rate)
        # its variables now, not lazily inside a replica's first step
        optimizer.build(model.trainable_variables)
        step = tf.Variable(0, dtype="int64", trainable=False)
        checkpoint = tf.train.Checkpoint(
            model=model, optimizer=optimizer, step=step
        )
    me = task_index(strategy)
    saved = os.path.join(folder, "checkpoints")
    mine = saved if is_chief(strategy) else f"{saved}_worker{me}"
    manager = tf.train.CheckpointManager(checkpoint, mine, max_to_keep=1)
    if tf.train.latest_checkpoint(saved):
        checkpoint.restore(tf.train.latest_checkpoint(saved))
    loss_per_image = keras.losses.SparseCategoricalCrossentropy(
        reduction=None
    )

    def replica_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = tf.nn.compute_average_loss(  # sum / global batch
                loss_per_image(labels, predictions),
                global_batch_size=global_batch,
            )
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(gradients, model.trainable_variables)
        return loss, tf.shape(images)[0], labels[:6]

    @tf.function
    def train_step(iterator):
        images, labels = next(iterator)
        loss, size, first_labels = strategy.run(
            replica_step, args=(images, labels)
        )
        total = strategy.reduce("SUM", loss, axis=None)  # all replicas
        return total, size, first_labels

    iterator = iter(strategy.distribute_datasets_from_function(dataset_fn))
    report = {
        "replicas": strategy.num_replicas_in_sync,
        "started_at_step": int(step.numpy()),
        "losses": [],
    }
    while step.numpy() < steps:
        loss, sizes, first_labels = train_step(iterator)
        step.assign_add(1)
        n = int(step.numpy())
        report["losses"].append(float(loss))
        if "batch" not in report:  # one value per replica of this worker
            report["batch"] = local(strategy, sizes)
            report["first_labels"] = local(strategy, first_labels)
        if n == 1 or n % max(1, steps // 4) == 0:
            print(
                f"worker {me}, step {n}/{steps}: loss {float(loss):.4f}",
                flush=True,
            )
        if n % every == 0 or n == steps:
            manager.save(checkpoint_number=n)
    if mine != saved:
        shutil.rmtree(mine, ignore_errors=True)
    weights = model.get_weights()
    report["weights"] = fingerprint(weights)
    if is_chief(strategy):
        np.savez(os.path.join(folder, "weights.npz"), *weights)
    return report


def try_fit(strategy, dataset_fn):
    """What Keras 3's ``fit`` does under ``strategy``: "worked", or its
    error, tensor values left out."""
    with strategy.scope():
        model = build_cnn(synchronized=True)
        model.compile("adam", "sparse_categorical_crossentropy")
    dataset = strategy.distribute_datasets_from_function(dataset_fn)
    try:
        model.fit(
            dataset, epochs=1, steps_per_epoch=2, verbose=0, shuffle=False
        )
        return "worked"
    except Exception as err:  # a tensor's values inside {...}: cut out
        message = re.sub(r"\{.*\}", "{...}", str(err), flags=re.DOTALL)
        return f"{type(err).__name__}: {' '.join(message.split())[:300]}"


def fit(strategy, dataset_fn, steps, learning_rate, folder):
    """Train with ``model.fit`` (Keras 2, ``tf_keras``); return a report."""
    with strategy.scope():
        model = build_cnn(synchronized=True)
        model.compile(
            keras.optimizers.Adam(learning_rate),
            "sparse_categorical_crossentropy",
        )
    dataset = strategy.distribute_datasets_from_function(dataset_fn)
    history = model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    # every worker reads the weights exactly once: reading tf_keras' moving
    # statistics (aggregated on read) is a collective step of all workers
    weights = model.get_weights()
    if is_chief(strategy):
        np.savez(os.path.join(folder, "weights.npz"), *weights)
    return {
        "replicas": strategy.num_replicas_in_sync,
        "keras": keras.__version__,
        "loss": history.history["loss"][-1],
        "weights": fingerprint(weights),
    }


def _positive(kind):
    def parse(text):
        value = kind(text)
        if not value > 0:
            message = f"{text!r}: expected a positive number"
            raise argparse.ArgumentTypeError(message)
        return value

    parse.__name__ = kind.__name__  # argparse says "invalid int value"
    return parse


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m helpers.distributed.worker",
        description="Train chapter 2's network on every worker of the "
        "cluster that TF_CONFIG describes.",
    )
    parser.add_argument("data", help=".npz file: x (uint8 images), y")
    parser.add_argument("folder", help="where the chief writes (shared)")
    parser.add_argument("--steps", type=_positive(int), default=32)
    parser.add_argument("--global-batch", type=_positive(int), default=128)
    parser.add_argument(
        "--learning-rate", type=_positive(float), default=0.002
    )
    parser.add_argument(
        "--try-fit", action="store_true", help="record what fit does"
    )
    parser.add_argument(
        "--fit", action="store_true", help="train with fit (tf_keras)"
    )
    args = parser.parse_args(argv)
    if args.fit and not keras.__version__.startswith("2."):
        parser.error(
            "--fit needs TF_USE_LEGACY_KERAS=1 and tf_keras, "
            f"not Keras {keras.__version__}"
        )
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # TF_CONFIG
    keras.utils.set_random_seed(42)
    replicas = strategy.num_replicas_in_sync
    if args.global_batch % replicas:
        raise SystemExit(
            f"--global-batch {args.global_batch} does not split evenly "
            f"into {replicas} replicas"
        )
    with np.load(args.data) as data:
        images, labels = data["x"], data["y"].reshape(-1)
    dataset_fn = make_dataset_fn(images, labels, args.global_batch)
    os.makedirs(args.folder, exist_ok=True)
    report = {}
    if args.fit:
        report = fit(
            strategy, dataset_fn, args.steps, args.learning_rate, args.folder
        )
    else:
        if args.try_fit:
            report["fit"] = try_fit(strategy, dataset_fn)
        report |= train(
            strategy,
            dataset_fn,
            args.steps,
            args.global_batch,
            args.learning_rate,
            args.folder,
        )
    me = task_index(strategy)
    with open(os.path.join(args.folder, f"report{me}.json"), "w") as file:
        json.dump(report, file)
    print(f"worker {me}: done, weights {report['weights']}", flush=True)


if __name__ == "__main__":
    main()
