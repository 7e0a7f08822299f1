import errno
import io
import os
import socket
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

from helpers import data, page

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
    assert all(len(line) <= page.WIDTH for line in out.splitlines())
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


# Hostile but fair inputs (issue 10). Each must fail at once with a ValueError whose message
# names CNN_BOOK_DATA_DIR and the path, without downloading, hanging or exhausting memory.


def _assert_names_the_setting(error, path):
    message = str(error.value)
    assert "CNN_BOOK_DATA_DIR" in message and str(path) in message, message
    return message


def _npy(shape, dtype=np.uint8, data=b""):
    """The bytes of a .npy file that declares ``shape`` and ``dtype``, followed by ``data``."""
    header = io.BytesIO()
    descr = np.lib.format.dtype_to_descr(np.dtype(dtype))
    np.lib.format.write_array_header_1_0(
        header, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return header.getvalue() + data


def _write_members(folder: Path, **members: bytes):
    """Write mnist.npz from raw .npy bytes, with small valid arrays for the members not given."""
    valid = {
        "x_train": np.zeros((5, 28, 28), np.uint8),
        "y_train": np.zeros(5, np.uint8),
        "x_test": np.zeros((3, 28, 28), np.uint8),
        "y_test": np.zeros(3, np.uint8),
    }
    with zipfile.ZipFile(folder / "mnist.npz", "w") as archive:
        for key, array in valid.items():
            default = _npy(array.shape, array.dtype, array.tobytes())
            archive.writestr(f"{key}.npy", members.get(key, default))
    return folder / "mnist.npz"


@pytest.mark.parametrize(
    "key, array, shown",
    [
        ("y_train", np.array([0, 1, 2, 3, 300], np.uint16), "from 0 to 300"),
        ("y_train", np.array([0, 1, 2, 3, -1], np.int8), "from -1 to 3"),
        ("y_train", np.array([0, 1, 2, 3, 10], np.uint8), "from 0 to 10"),
        ("y_train", np.array([0, 1, 2, 3, 1.7]), "float64"),
        ("y_train", np.array([0, 1, 2, 3, np.nan]), "float64"),
        ("y_train", np.array([0, 1, 0, 1, 1], bool), "bool"),
        ("x_train", np.arange(5 * 28 * 28, dtype=np.int16).reshape(5, 28, 28) % 257,
         "from 0 to 256"),
        ("x_train", np.arange(5 * 28 * 28, dtype=np.int16).reshape(5, 28, 28) % 256 - 1,
         "from -1 to 254"),
        ("x_train", np.full((5, 28, 28), 0.5, np.float32), "float32"),
        ("x_train", np.zeros((5, 28, 28), bool), "bool"),
    ],
)  # fmt: skip
def test_labels_and_images_out_of_range_or_not_integers_are_refused(
    tmp_path, monkeypatch, no_keras, key, array, shown
):
    _write(tmp_path, "mnist.npz", **{key: array})
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError) as err:
        data.load_mnist()
    message = _assert_names_the_setting(err, tmp_path / "mnist.npz")
    assert key in message and shown in message
    assert no_keras == []


def test_integer_arrays_within_range_are_returned_as_uint8(tmp_path, monkeypatch, no_keras):
    images = np.arange(5 * 28 * 28).reshape(5, 28, 28) % 256  # int64
    _write(tmp_path, "mnist.npz", x_train=images, y_train=np.arange(5) + 5)
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    (x_train, y_train), _ = data.load_mnist()
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, images)
    assert y_train.tolist() == [5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    "override, shown",
    [
        ({"n_train": 0}, "x_train (0, 28, 28) uint8 is not the expected"),
        ({"n_test": 0}, "x_test (0, 28, 28) uint8 is not the expected"),
        ({"y_train": np.zeros(4, np.uint8)}, "y_train (4,) uint8 is not the expected"),
        ({"y_test": np.zeros(7, np.uint8)}, "y_test (7,) uint8 is not the expected"),
        ({"y_train": np.zeros((5, 1), np.uint8)}, "y_train (5, 1) uint8 is not the expected"),
        ({"x_test": np.zeros((3, 28), np.uint8)}, "x_test (3, 28) uint8 is not the expected"),
    ],
)
def test_empty_arrays_and_unmatched_lengths_are_refused(
    tmp_path, monkeypatch, no_keras, override, shown
):
    _write(tmp_path, "mnist.npz", **override)
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError) as err:
        data.load_mnist()
    assert shown in _assert_names_the_setting(err, tmp_path / "mnist.npz")


def test_cifar10_images_must_be_32x32x3(tmp_path, monkeypatch, no_keras):
    _write(tmp_path, "cifar10_partial.npz", shape=(32, 32))
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError) as err:
        data.load_cifar10()
    message = _assert_names_the_setting(err, tmp_path / "cifar10_partial.npz")
    assert "x_train (5, 32, 32) uint8" in message and "(N, 32, 32, 3)" in message


def _npy_file_bytes():
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((5, 28, 28), np.uint8))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_npy_file_bytes(), id="an .npy saved under the .npz name"),
        pytest.param(b"", id="empty"),
        pytest.param(b"PK\x03\x04" + bytes(100), id="a broken zip header"),
    ],
)
def test_a_file_that_is_not_an_npz_is_corrupt(tmp_path, monkeypatch, no_keras, content):
    (tmp_path / "mnist.npz").write_bytes(content)
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError) as err:
        data.load_mnist()
    message = _assert_names_the_setting(err, tmp_path / "mnist.npz")
    assert "damaged or not a NumPy .npz file" in message and "replace it" in message


@pytest.mark.parametrize(
    "member",
    [
        pytest.param(b"not an array", id="not .npy"),
        pytest.param(_npy((5, 28, 28), np.uint8, bytes(100)), id="data shorter than declared"),
        pytest.param(_npy((5, 28, 28))[:20], id="header cut short"),
    ],
)
def test_a_member_that_is_not_a_whole_npy_array_is_corrupt(tmp_path, monkeypatch, no_keras, member):
    path = _write_members(tmp_path, x_train=member)
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError) as err:
        data.load_mnist()
    assert "damaged or not a NumPy .npz file" in _assert_names_the_setting(err, path)


@pytest.mark.parametrize(
    "key, shape, shown",
    [
        ("x_train", (10**12, 28, 28), "x_train (1000000000000, 28, 28) uint8"),
        ("x_train", (60001, 28, 28), "x_train (60001, 28, 28) uint8"),
        ("x_test", (10001, 28, 28), "x_test (10001, 28, 28) uint8"),
        ("y_train", (10**12,), "y_train (1000000000000,) uint8"),
    ],
)
def test_a_declared_shape_larger_than_mnist_is_refused_unread(
    tmp_path, monkeypatch, no_keras, key, shape, shown
):
    path = _write_members(tmp_path, **{key: _npy(shape)})  # a header with no data behind it
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError) as err:
        data.load_mnist()
    message = _assert_names_the_setting(err, path)
    assert shown in message and "is not the expected" in message
    assert ("60,000" if key == "x_train" else "10,000" if key == "x_test" else "(5,)") in message


def test_a_zip_bomb_is_refused_before_it_costs_memory(tmp_path, monkeypatch, no_keras):
    # 60,000 int16 images of zeros: 94 MB that deflate to about 0.1 MB, twice what MNIST needs.
    path = tmp_path / "mnist.npz"
    shape, chunk = (60000, 28, 28), bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("x_train.npy", "w", force_zip64=True) as member:
            member.write(_npy(shape, np.int16))
            for _ in range(60000 * 28 * 28 * 2 // len(chunk)):
                member.write(chunk)
            member.write(bytes(60000 * 28 * 28 * 2 % len(chunk)))
        for key, n in (("y_train", 60000), ("x_test", 10000), ("y_test", 10000)):
            item = (28, 28) if key.startswith("x") else ()
            archive.writestr(f"{key}.npy", _npy((n, *item), np.uint8, bytes(n * 28 * 28)))
    assert path.stat().st_size < 2_000_000
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    tracemalloc.start()
    try:
        with pytest.raises(data.CorruptDatasetError) as err:
            data.load_mnist()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000
    message = _assert_names_the_setting(err, path)
    assert "x_train (60000, 28, 28) int16 declares 94,080,000 bytes" in message
    assert "47,040,000" in message and "not loaded" in message


def test_a_data_dir_that_is_a_file_is_refused(tmp_path, monkeypatch, no_keras):
    _write(tmp_path, "mnist.npz")
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path / "mnist.npz"))
    with pytest.raises(data.DataDirError) as err:
        data.load_mnist()
    message = _assert_names_the_setting(err, tmp_path / "mnist.npz")
    assert "is a file, not a folder" in message
    assert no_keras == []


def test_a_data_dir_that_is_a_symlink_loop_is_refused(tmp_path, monkeypatch, no_keras):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path / "loop"))
    with pytest.raises(data.DataDirError) as err:
        data.load_mnist()
    assert "cannot be used" in _assert_names_the_setting(err, tmp_path / "loop")


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_a_mirror_file_that_is_not_a_regular_file_is_refused(tmp_path, monkeypatch, no_keras, kind):
    # A pipe would block a read for ever; it must be refused without opening it.
    (tmp_path / "mnist.npz").mkdir() if kind == "folder" else os.mkfifo(tmp_path / "mnist.npz")
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.CorruptDatasetError) as err:
        data.load_mnist()
    assert "is not a regular file" in _assert_names_the_setting(err, tmp_path / "mnist.npz")


@pytest.fixture
def make_unreadable(monkeypatch):
    """chmod a path to 000. Root reads it anyway, so for root also refuse as the OS would."""
    changed = []

    def make_unreadable(target: Path):
        target.chmod(0)
        changed.append(target)
        if not os.access(target, os.R_OK):
            return
        real_stat, real_open = Path.stat, Path.open

        def refuse(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

        def stat(self, *args, **kwargs):  # a folder's entries need its x permission
            return refuse(self) if self.parent == target else real_stat(self, *args, **kwargs)

        def open_(self, *args, **kwargs):
            return (
                refuse(self) if target in (self, self.parent) else real_open(self, *args, **kwargs)
            )

        monkeypatch.setattr(Path, "stat", stat)
        monkeypatch.setattr(Path, "open", open_)

    yield make_unreadable
    for target in changed:
        target.chmod(0o755)


@pytest.mark.parametrize("unreadable", ["folder", "file"])
def test_an_unreadable_mirror_is_a_permission_problem(
    tmp_path, monkeypatch, no_keras, make_unreadable, unreadable
):
    _write(tmp_path, "mnist.npz")
    make_unreadable(tmp_path if unreadable == "folder" else tmp_path / "mnist.npz")
    monkeypatch.setenv("CNN_BOOK_DATA_DIR", str(tmp_path))
    with pytest.raises(data.DataDirError) as err:
        data.load_mnist()
    message = _assert_names_the_setting(err, tmp_path)
    assert "cannot be read: permission denied" in message and "damaged" not in message
    assert no_keras == []


@pytest.fixture
def silent_server():
    """A server on 127.0.0.1 that accepts connections and never answers: (URL, connections)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    connections, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connections.append(listener.accept()[0])
            except TimeoutError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", connections
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in connections:
            connection.close()
        listener.close()


def _download_from(monkeypatch, tmp_path, name, url):
    """Point Keras's real download of ``name`` at ``url``, with an empty cache in tmp_path."""
    import keras

    module = sys.modules[getattr(keras.datasets, name).load_data.__module__]
    real_get_file = module.get_file

    def get_file(fname=None, origin=None, **kwargs):
        kwargs["cache_dir"] = str(tmp_path / "keras")
        return real_get_file(fname, origin=f"{url}/{fname}", **kwargs)

    monkeypatch.setattr(module, "get_file", get_file)
    monkeypatch.delenv("CNN_BOOK_DATA_DIR", raising=False)
    monkeypatch.setenv("no_proxy", "*")  # urllib must go to 127.0.0.1 itself
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.mark.parametrize(
    "name, loader", [("mnist", data.load_mnist), ("cifar10", data.load_cifar10)]
)
def test_a_download_that_never_answers_gives_up(tmp_path, monkeypatch, silent_server, name, loader):
    url, connections = silent_server
    _download_from(monkeypatch, tmp_path, name, url)
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT_S", 0.5)
    default_timeout = socket.getdefaulttimeout()
    start = time.monotonic()
    with pytest.raises(data.DatasetUnavailableError) as err:
        loader()
    assert time.monotonic() - start < 5
    message = str(err.value)
    assert "TimeoutError: the download server gave no answer within 0.5 s" in message
    assert "connect to the internet" in message and "set CNN_BOOK_DATA_DIR" in message
    assert socket.getdefaulttimeout() == default_timeout
    deadline = time.monotonic() + 2
    while not connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert connections, "the download never reached the local server"


def test_a_refused_download_is_not_called_a_timeout(tmp_path, monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]  # nothing listens there once it is closed
    _download_from(monkeypatch, tmp_path, "mnist", f"http://127.0.0.1:{port}")
    with pytest.raises(data.DatasetUnavailableError) as err:
        data.load_mnist()
    message = str(err.value)
    assert "refused" in message and "no answer" not in message
    assert "set CNN_BOOK_DATA_DIR" in message


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
