"""Dataset loaders that stand in for ``keras.datasets.<name>.load_data()``.

Where the data comes from, in order:

1. the folder named by the environment variable ``CNN_BOOK_DATA_DIR``, when it is set
   (an offline mirror holding ``mnist.npz`` and ``cifar10_partial.npz``);
2. the normal Keras download and cache (``~/.keras/datasets``), which is what readers and
   Colab use.

When neither works, one :class:`DatasetUnavailableError` says what was tried and how to
fix it. A mirror file that exists but is damaged raises :class:`CorruptDatasetError` at
once: a broken mirror is a problem to fix, not one to paper over with a download.

>>> (x_train, y_train), (x_test, y_test) = load_mnist()
"""

from __future__ import annotations

import os
import textwrap
import zipfile
from pathlib import Path

import numpy as np

DATA_DIR_VARIABLE = "CNN_BOOK_DATA_DIR"

CIFAR10_CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip

# name -> (mirror file name, expected per-image shape, Keras label shape suffix)
_SPECS = {
    "mnist": ("mnist.npz", (28, 28), ()),
    "cifar10": ("cifar10_partial.npz", (32, 32, 3), (1,)),
}
_FULL_SIZES = {"mnist": (60000, 10000), "cifar10": (50000, 10000)}


class DatasetUnavailableError(RuntimeError):
    """Neither the local mirror nor the Keras download could provide the dataset."""


class CorruptDatasetError(ValueError):
    """A mirror file exists but is not a readable dataset of the expected form."""


Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def load_mnist() -> Arrays:
    """Return MNIST exactly as ``keras.datasets.mnist.load_data()`` does.

    ``((x_train, y_train), (x_test, y_test))`` with uint8 images of shape (N, 28, 28)
    and uint8 labels of shape (N,).

    >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    >>> x_train.shape, y_train.shape
    ((60000, 28, 28), (60000,))
    """
    return _load("mnist")


def load_cifar10() -> Arrays:
    """Return CIFAR-10 exactly as ``keras.datasets.cifar10.load_data()`` does.

    ``((x_train, y_train), (x_test, y_test))`` with uint8 images of shape (N, 32, 32, 3)
    and uint8 labels of shape (N, 1). When the data comes from the partial offline mirror,
    one line is printed saying so, because accuracies on it are lower than on the full set.

    >>> (x_train, y_train), (x_test, y_test) = load_cifar10()
    >>> x_train.shape[1:], y_train.shape[1:]
    ((32, 32, 3), (1,))
    """
    data = _load("cifar10")
    (x_train, _), (x_test, _) = data
    full_train, full_test = _FULL_SIZES["cifar10"]
    if len(x_train) < full_train or len(x_test) < full_test:
        note = (
            f"Note: this is the partial CIFAR-10 from the offline mirror "
            f"({len(x_train):,} of {full_train:,} training and {len(x_test):,} of {full_test:,} "
            "test images); results on it are lower than on the full dataset."
        )
        print(textwrap.fill(note, 77))  # the width of the book's page
    return data


def _load(name: str) -> Arrays:
    tried = []
    data_dir = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    if data_dir:
        try:
            return _load_from_mirror(name, Path(data_dir).expanduser())
        except FileNotFoundError as exc:
            tried.append(f"the local mirror: {exc}")
    else:
        tried.append(f"the local mirror: {DATA_DIR_VARIABLE} is not set")
    try:
        return _load_from_keras(name)
    except Exception as exc:
        tried.append(f"the Keras download: {type(exc).__name__}: {exc}")
    file_name = _SPECS[name][0]
    raise DatasetUnavailableError(
        f"Could not load {name}. Tried, in order:\n"
        + "".join(f"  - {line}\n" for line in tried)
        + f"To fix it, connect to the internet (Keras downloads {name} once and caches it), or set "
        f"{DATA_DIR_VARIABLE} to a folder that holds {file_name}."
    )


def _load_from_keras(name: str) -> Arrays:
    import keras

    return getattr(keras.datasets, name).load_data()


def _load_from_mirror(name: str, folder: Path) -> Arrays:
    file_name, image_shape, label_suffix = _SPECS[name]
    if not folder.is_dir():
        raise FileNotFoundError(f"{DATA_DIR_VARIABLE}={str(folder)!r} is not an existing directory")
    path = folder / file_name
    if not path.is_file():
        raise FileNotFoundError(f"{DATA_DIR_VARIABLE}={str(folder)!r} has no file {file_name!r}")
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [key for key in keys if key not in npz.files]
            if missing:
                raise CorruptDatasetError(
                    f"{path} is not a {name} mirror file: it lacks the arrays {missing}"
                )
            arrays = {key: npz[key] for key in keys}
    except CorruptDatasetError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise CorruptDatasetError(
            f"{path} is damaged or not a NumPy .npz file ({type(exc).__name__}: {exc}); "
            "replace it with a good copy"
        ) from None
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or x.shape[1:] != image_shape or y.ndim != 1 or len(y) != len(x):
            raise CorruptDatasetError(
                f"{path}: x_{split} {x.shape} {x.dtype} with y_{split} {y.shape} is not the "
                "expected "
                f"uint8 images of shape (N, {', '.join(map(str, image_shape))}) with N labels"
            )
        arrays[f"y_{split}"] = y.astype(np.uint8).reshape((-1, *label_suffix))
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
