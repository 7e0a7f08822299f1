import os
from pathlib import Path

from helpers import data

import numpy as np
import pytest


def _write(folder: Path, name: str, n_train=5, n_test=3, shape=(28, 28), **override):
    arrays = {
        "x_train": np.zeros((n_train, *shape), np.uint8),
        "y_train": np.arange(n_train, dtype=np.uint8) % 10,
        "x_test": np.ones((n_test, *shape), np.uint8),
        "y_test": np.arange(n_test, dtype=np.uint8) % 10,
    }
    arrays.update(override)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(folder / name, **arrays)


@pytest.fixture
def no_keras(monkeypatch):
    """Make the Keras download fail the way it does offline, and count the attempts."""
    calls = []

    def fail(name):
        calls.append(name)
        raise OSError("no network")

    monkeypatch.setattr(data, "_load_from_keras", fail)
    return calls


def test_mnist_from_mirror_matches_keras_layout(tmp_path, monkeypatch, no_keras):
    _write(tmp_path, "mnist.npz")
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (5, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (5,) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 28, 28) and y_test.shape == (3,)
    assert no_keras == []


def test_cifar10_labels_are_shaped_like_keras_and_partial_data_is_announced(
    tmp_path, monkeypatch, capsys, no_keras
):
    _write(tmp_path, "cifar10_partial.npz", shape=(32, 32, 3))
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    (x_train, y_train), (_, y_test) = data.load_cifar10()
    assert x_train.shape == (5, 32, 32, 3)
    assert y_train.shape == (5, 1) and y_test.shape == (3, 1) and y_train.dtype == np.uint8
    out = capsys.readouterr().out
    assert all(len(line) <= 77 for line in out.splitlines())  # fits the book's page
    out = " ".join(out.split())
    assert "partial CIFAR-10" in out and "5 of 50,000 training and 3 of 10,000 test" in out


def test_full_cifar10_is_not_called_partial(monkeypatch, capsys):
    full = ((np.zeros((4, 32, 32, 3), np.uint8), np.zeros((4, 1), np.uint8)),) * 2
    monkeypatch.delenv("CNN_BOOK_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "_load_from_keras", lambda name: full)
    monkeypatch.setitem(data._FULL_SIZES, "cifar10", (4, 4))
    data.load_cifar10()
    assert capsys.readouterr().out == ""


def test_unset_variable_uses_keras(monkeypatch):
    monkeypatch.delenv("CNN_BOOK_DATA_DIR", raising=False)
    sentinel = object()
    monkeypatch.setattr(
        data, "_load_from_keras", lambda name: sentinel if name == "mnist" else None
    )
    assert data.load_mnist() is sentinel


def test_missing_directory_falls_back_to_keras(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path / "nowhere"))
    sentinel = object()
    monkeypatch.setattr(data, "_load_from_keras", lambda name: sentinel)
    assert data.load_mnist() is sentinel


def test_missing_directory_and_no_network(tmp_path, monkeypatch, no_keras):
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(data.DatasetUnavailableError) as err:
        data.load_mnist()
    message = str(err.value)
    assert "nowhere' is not an existing directory" in message
    assert "the Keras download: OSError: no network" in message
    assert "connect to the internet" in message and "set CNN_BOOK_DATA_DIR" in message
    assert no_keras == ["mnist"]


def test_missing_file_and_no_network(tmp_path, monkeypatch, no_keras):
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.DatasetUnavailableError, match=r"has no file 'cifar10_partial\.npz'"):
        data.load_cifar10()


def test_unset_variable_and_no_network(monkeypatch, no_keras):
    monkeypatch.delenv("CNN_BOOK_DATA_DIR", raising=False)
    with pytest.raises(data.DatasetUnavailableError, match="CNN_BOOK_DATA_DIR is not set"):
        data.load_mnist()


def test_corrupt_file_is_reported_not_downloaded_over(tmp_path, monkeypatch, no_keras):
    (tmp_path / "mnist.npz").write_bytes(b"this is not a zip file")
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError, match=r"damaged or not a NumPy \.npz file"):
        data.load_mnist()
    assert no_keras == []


def test_truncated_file_is_corrupt(tmp_path, monkeypatch, no_keras):
    _write(tmp_path, "mnist.npz")
    path = tmp_path / "mnist.npz"
    path.write_bytes(path.read_bytes()[:200])
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError, match="damaged"):
        data.load_mnist()


def test_missing_array_is_corrupt(tmp_path, monkeypatch, no_keras):
    _write(tmp_path, "mnist.npz", y_test=None)
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(
        data.CorruptDatasetError,
        match=r"mnist.npz is not a mnist mirror file: it lacks the arrays \['y_test'\]$",
    ):
        data.load_mnist()


def test_wrong_shape_is_corrupt(tmp_path, monkeypatch, no_keras):
    _write(tmp_path, "mnist.npz", shape=(32, 32, 3))
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(
        data.CorruptDatasetError, match=r"x_train \(5, 32, 32, 3\) uint8.*\(N, 28, 28\)"
    ):
        data.load_mnist()


def test_pickled_objects_are_refused(tmp_path, monkeypatch, no_keras):
    _write(tmp_path, "mnist.npz", x_train=np.array([{"a": 1}], dtype=object))
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError):
        data.load_mnist()


MIRROR = os.environ.get("CNN_BOOK_DATA_DIR")
needs_mirror = pytest.mark.skipif(
    not (MIRROR and Path(MIRROR, "mnist.npz").is_file()),
    reason="CNN_BOOK_DATA_DIR does not point at the offline dataset mirror",
)


@needs_mirror
def test_real_mnist_mirror_matches_its_readme():
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.mean() == pytest.approx(33.318, abs=0.001)


@needs_mirror
def test_real_cifar10_mirror_matches_its_readme(capsys):
    (x_train, y_train), (x_test, y_test) = data.load_cifar10()
    assert x_train.shape == (8336, 32, 32, 3) and y_train.shape == (8336, 1)
    assert x_test.shape == (1017, 32, 32, 3) and y_test.shape == (1017, 1)
    np.testing.assert_allclose(x_train.mean(axis=(0, 1, 2)), [125.8, 123.3, 113.9], atol=0.05)
    assert "8,336 of 50,000 training" in " ".join(capsys.readouterr().out.split())
    assert len(data.CIFAR10_CLASS_NAMES) == 10


@pytest.mark.parametrize(
    "name, loader", [("mnist", data.load_mnist), ("cifar10", data.load_cifar10)]
)
def test_keras_fallback_calls_the_matching_keras_loader(monkeypatch, name, loader):
    import keras

    arrays = ((np.zeros((1, 2), np.uint8), np.zeros((1,), np.uint8)),) * 2
    monkeypatch.delenv("CNN_BOOK_DATA_DIR", raising=False)
    monkeypatch.setattr(getattr(keras.datasets, name), "load_data", lambda: arrays)
    monkeypatch.setitem(data._FULL_SIZES, name, (1, 1))
    assert loader() is arrays
