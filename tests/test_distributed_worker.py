"""helpers.multiworker: appendix B's worker program, run in this process under the default
strategy (the notebook runs it as two real workers)."""

from __future__ import annotations

import json
import os
import types
from pathlib import Path

from helpers.distributed import worker as multiworker

import numpy as np
import pytest
import tensorflow as tf

ROOT = Path(__file__).resolve().parents[1]


def test_each_input_pipeline_reads_its_own_shard_in_per_replica_batches():
    images = np.arange(20, dtype="uint8").reshape(20, 1, 1, 1).repeat(32, 1).repeat(32, 2)
    labels = np.arange(20)
    dataset_fn = multiworker.make_dataset_fn(images, labels, global_batch=8)
    context = tf.distribute.InputContext(
        num_input_pipelines=2, input_pipeline_id=1, num_replicas_in_sync=4
    )
    x, y = next(iter(dataset_fn(context)))
    assert y.numpy().tolist() == [1, 3]  # 8 images for 4 replicas: 2 each; every 2nd image
    assert x.shape == (2, 32, 32, 1) and x.dtype == tf.float32
    assert float(x[1, 0, 0, 0]) == pytest.approx(3 / 255)


def _strategy(task_type, task_id):
    return types.SimpleNamespace(
        cluster_resolver=types.SimpleNamespace(task_type=task_type, task_id=task_id)
    )


@pytest.mark.parametrize(
    "strategy, chief",
    [
        (tf.distribute.get_strategy(), True),
        (_strategy(None, None), True),
        (_strategy("chief", 0), True),
        (_strategy("worker", 0), True),
        (_strategy("worker", 1), False),
        (_strategy("evaluator", 0), False),
    ],
)
def test_is_chief(strategy, chief):
    assert multiworker.is_chief(strategy) is chief


def test_fingerprint_tells_weights_apart():
    a = [np.zeros((2, 2), "float32"), np.ones(3, "float32")]
    b = [np.zeros((2, 2), "float32"), np.ones(3, "float32")]
    assert multiworker.fingerprint(a) == multiworker.fingerprint(b)
    b[1][0] = np.nextafter(np.float32(1), np.float32(2))
    assert multiworker.fingerprint(a) != multiworker.fingerprint(b)


def test_training_saves_checkpoints_and_a_restart_continues_from_them(tmp_path, capsys):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (16, 32, 32, 3), dtype="uint8")
    labels = rng.integers(0, 10, 16)
    strategy = tf.distribute.get_strategy()
    dataset_fn = multiworker.make_dataset_fn(images, labels, global_batch=4)
    first = multiworker.train(strategy, dataset_fn, 2, 4, 0.001, str(tmp_path), every=1)
    assert first["started_at_step"] == 0 and len(first["losses"]) == 2
    assert first["batch"] == [4] and first["first_labels"] == [labels[:4].tolist()]
    assert (tmp_path / "weights.npz").exists()
    assert "step 1/2" in capsys.readouterr().out
    again = multiworker.train(strategy, dataset_fn, 3, 4, 0.001, str(tmp_path), every=1)
    assert again["started_at_step"] == 2 and len(again["losses"]) == 1
    assert json.dumps(again)  # a report is plain JSON


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["d.npz", "out", "--steps", "0"], "--steps: '0': expected a positive number"),
        (["d.npz", "out", "--learning-rate", "-1"], "'-1': expected a positive number"),
        (["d.npz", "out", "--global-batch", "x"], "invalid int value: 'x'"),
        (["d.npz"], "the following arguments are required: folder"),
        (["d.npz", "out", "--fit"], "--fit needs TF_USE_LEGACY_KERAS=1 and tf_keras"),
    ],
)
def test_bad_arguments_stop_with_a_message_that_names_them(argv, fragment, capsys):
    with pytest.raises(SystemExit):
        multiworker.parse_args(argv)
    assert fragment in capsys.readouterr().err


def test_a_global_batch_that_does_not_split_evenly_is_refused(tmp_path, monkeypatch):
    np.savez(tmp_path / "d.npz", x=np.zeros((4, 32, 32, 3), "uint8"), y=np.zeros(4))
    monkeypatch.delenv("TF_CONFIG", raising=False)
    fake = types.SimpleNamespace(num_replicas_in_sync=3)
    monkeypatch.setattr(tf.distribute, "MultiWorkerMirroredStrategy", lambda: fake)
    with pytest.raises(SystemExit, match="--global-batch 128 does not split evenly into 3"):
        multiworker.main([str(tmp_path / "d.npz"), str(tmp_path / "out")])
    assert not os.path.exists(tmp_path / "out")
