"""Dataset loaders that stand in for ``keras.datasets.<name>.load_data()``.

Where the data comes from, in order:

1. the folder named by the environment variable ``CNN_BOOK_DATA_DIR``, when it is set
   (an offline mirror holding ``mnist.npz`` and ``cifar10_partial.npz``);
2. the normal Keras download and cache (``~/.keras/datasets``), which is what readers and
   Colab use. A download that gets no answer for ``DOWNLOAD_TIMEOUT_S`` seconds gives up.

When neither works, one :class:`DatasetUnavailableError` says what was tried and how to
fix it. A mirror that exists but cannot be used raises at once, never falls back to a
download: :class:`DataDirError` when ``CNN_BOOK_DATA_DIR`` names a file or something that
may not be read, :class:`CorruptDatasetError` when the file is not a dataset of the expected
form. Every message names ``CNN_BOOK_DATA_DIR`` and the path. A mirror file is checked before
it is loaded: each array's declared type and shape are read from its header, and arrays
larger than the real dataset are refused unread, so a bad file cannot exhaust memory.

>>> (x_train, y_train), (x_test, y_test) = load_mnist()
"""

from __future__ import annotations

import math
import os
import socket
import stat
import textwrap
import zipfile
import zlib
from pathlib import Path

from helpers import page

import numpy as np

DATA_DIR_VARIABLE = "CNN_BOOK_DATA_DIR"

# Seconds the Keras download may wait for any one answer from the server before it gives up.
DOWNLOAD_TIMEOUT_S = 30.0

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
_KEYS = ("x_train", "y_train", "x_test", "y_test")
# What zipfile and numpy raise on a damaged file (RuntimeError: an encrypted zip member).
_READ_ERRORS = (OSError, ValueError, EOFError, RuntimeError, zipfile.BadZipFile, zlib.error)


class DatasetUnavailableError(RuntimeError):
    """Neither the local mirror nor the Keras download could provide the dataset."""


class CorruptDatasetError(ValueError):
    """A mirror file exists but is not a readable dataset of the expected form."""


class DataDirError(ValueError):
    """``CNN_BOOK_DATA_DIR`` names a file, or a folder or file that may not be read."""


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
        print(textwrap.fill(note, page.WIDTH))
    return data


def _load(name: str) -> Arrays:
    """Load ``name`` from the mirror, else from Keras; raise one error that lists both tries."""
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
        + "To fix it, connect to the internet and check that downloads are not blocked "
        f"(Keras downloads {name} once and caches it), or set {DATA_DIR_VARIABLE} to a folder "
        f"that holds {file_name}."
    )


def _load_from_keras(name: str) -> Arrays:
    """Call the Keras loader with every network wait bounded by ``DOWNLOAD_TIMEOUT_S``."""
    import keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # urllib, which Keras uses, has no default
    try:
        return getattr(keras.datasets, name).load_data()
    except Exception as exc:
        if _timed_out(exc):
            raise TimeoutError(
                f"the download server gave no answer within {DOWNLOAD_TIMEOUT_S:g} s"
            ) from exc
        raise
    finally:
        socket.setdefaulttimeout(previous)


def _timed_out(exc: BaseException | None) -> bool:
    """Whether ``exc`` or an error it arose from is a network timeout."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        # urllib wraps a connect timeout in URLError(reason=TimeoutError); Keras rewraps that.
        if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _load_from_mirror(name: str, folder: Path) -> Arrays:
    """Load ``name`` from the mirror ``folder``; FileNotFoundError when the file is not there."""
    path = _mirror_file(name, folder)
    where = f"{DATA_DIR_VARIABLE}: {path}"
    try:
        with path.open("rb") as file, zipfile.ZipFile(file) as archive:
            missing = [key for key in _KEYS if f"{key}.npy" not in archive.namelist()]
            if missing:
                raise CorruptDatasetError(
                    f"{where} is not a {name} mirror file: it lacks the arrays {missing}"
                )
            _check_declared(name, where, {key: _read_header(archive, key) for key in _KEYS})
            arrays = {key: _read_array(archive, key) for key in _KEYS}
    except CorruptDatasetError:
        raise
    except PermissionError:
        raise _unreadable(where) from None
    except _READ_ERRORS as exc:
        raise CorruptDatasetError(
            f"{where} is damaged or not a NumPy .npz file ({type(exc).__name__}: {exc}); "
            "replace it with a good copy"
        ) from None
    _check_values(name, where, arrays)
    suffix = _SPECS[name][2]
    x_train, y_train, x_test, y_test = (arrays[key] for key in _KEYS)
    return (
        (x_train.astype(np.uint8, copy=False), y_train.astype(np.uint8).reshape(-1, *suffix)),
        (x_test.astype(np.uint8, copy=False), y_test.astype(np.uint8).reshape(-1, *suffix)),
    )


def _mirror_file(name: str, folder: Path) -> Path:
    """Return the path of ``name``'s file in ``folder``, after checking that it may be read."""
    file_name = _SPECS[name][0]
    setting = f"{DATA_DIR_VARIABLE}={str(folder)!r}"
    try:
        folder_mode = folder.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(f"{setting} is not an existing directory") from None
    except OSError as exc:
        raise _unreadable(setting, exc) from None
    if not stat.S_ISDIR(folder_mode):
        raise DataDirError(
            f"{setting} is a file, not a folder; set it to the folder that holds {file_name}"
        )
    path = folder / file_name
    try:
        file_mode = path.stat().st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{setting} has no file {file_name!r}") from None
    except OSError as exc:
        raise _unreadable(setting, exc) from None
    if not stat.S_ISREG(file_mode):  # a folder, or a pipe that would block a read for ever
        raise CorruptDatasetError(f"{DATA_DIR_VARIABLE}: {path} is not a regular file")
    return path


def _unreadable(what: str, exc: OSError | None = None) -> DataDirError:
    """The error for a mirror folder or file that the operating system will not let us read."""
    if exc is None or isinstance(exc, PermissionError):
        return DataDirError(
            f"{what} cannot be read: permission denied. Give your user permission to read it "
            f"(for example chmod a+rX), or set {DATA_DIR_VARIABLE} to a folder you can read."
        )
    return DataDirError(f"{what} cannot be used ({type(exc).__name__}: {exc})")


def _read_header(archive: zipfile.ZipFile, key: str) -> tuple[tuple[int, ...], np.dtype]:
    """Return the shape and dtype that member ``key`` declares, reading only its .npy header."""
    with archive.open(f"{key}.npy") as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"{key}.npy has .npy format version {version}, not 1.0 or 2.0")
    return shape, dtype


def _read_array(archive: zipfile.ZipFile, key: str) -> np.ndarray:
    """Load member ``key`` of ``archive``; pickled objects are refused."""
    with archive.open(f"{key}.npy") as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def _check_declared(name: str, where: str, declared: dict) -> None:
    """Refuse, before loading any array, declared dtypes, shapes or sizes that ``name`` lacks."""
    image_shape = _SPECS[name][1]
    for split, most in zip(("train", "test"), _FULL_SIZES[name]):
        (x_shape, x_dtype), (y_shape, y_dtype) = declared[f"x_{split}"], declared[f"y_{split}"]
        if not (
            np.issubdtype(x_dtype, np.integer)
            and x_shape[1:] == image_shape
            and 1 <= x_shape[0] <= most
        ):
            raise CorruptDatasetError(
                f"{where}: x_{split} {x_shape} {x_dtype} is not the expected integer images of "
                f"shape (N, {', '.join(map(str, image_shape))}) with 1 <= N <= {most:,}"
            )
        size, limit = math.prod(x_shape) * x_dtype.itemsize, most * math.prod(image_shape)
        if size > limit:
            raise CorruptDatasetError(
                f"{where}: x_{split} {x_shape} {x_dtype} declares {size:,} bytes, more than the "
                f"{limit:,} that all {most:,} {name} images need as uint8; it was not loaded"
            )
        if not (np.issubdtype(y_dtype, np.integer) and y_shape == x_shape[:1]):
            raise CorruptDatasetError(
                f"{where}: y_{split} {y_shape} {y_dtype} is not the expected integer labels of "
                f"shape ({x_shape[0]},), one for each image in x_{split}"
            )


def _check_values(name: str, where: str, arrays: dict[str, np.ndarray]) -> None:
    """Refuse pixel values outside 0-255 and labels outside 0-9."""
    for key, top in (("x_train", 255), ("y_train", 9), ("x_test", 255), ("y_test", 9)):
        low, high = int(arrays[key].min()), int(arrays[key].max())
        if low < 0 or high > top:
            what = "pixel values" if key.startswith("x") else "labels"
            raise CorruptDatasetError(
                f"{where}: {key} holds {what} from {low} to {high}; {name} {what} are integers "
                f"from 0 to {top}"
            )
