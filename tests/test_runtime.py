import numpy as np
import pytest

from helpers import runtime


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "on"])
def test_test_mode_on(monkeypatch, value):
    monkeypatch.setenv("CNN_BOOK_TEST_MODE", value)
    assert runtime.is_test_mode() is True
    assert runtime.mode_name() == "test"


@pytest.mark.parametrize("value", ["", "0", "false", "No", "off"])
def test_test_mode_off(monkeypatch, value):
    monkeypatch.setenv("CNN_BOOK_TEST_MODE", value)
    assert runtime.is_test_mode() is False
    assert runtime.mode_name() == "full"


def test_test_mode_unset_is_full(monkeypatch):
    monkeypatch.delenv("CNN_BOOK_TEST_MODE", raising=False)
    assert runtime.is_test_mode() is False


def test_test_mode_garbage_is_an_error(monkeypatch):
    monkeypatch.setenv("CNN_BOOK_TEST_MODE", "maybe")
    with pytest.raises(ValueError, match=r"CNN_BOOK_TEST_MODE='maybe'.*expected 1"):
        runtime.is_test_mode()


def test_pick(monkeypatch):
    monkeypatch.setenv("CNN_BOOK_TEST_MODE", "1")
    assert runtime.pick(full=5, test=1) == 1
    monkeypatch.setenv("CNN_BOOK_TEST_MODE", "0")
    assert runtime.pick(full=5, test=1) == 5


def test_set_seed_reproduces_random_draws():
    import keras

    runtime.set_seed(7)
    first = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    runtime.set_seed(7)
    second = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True])
def test_set_seed_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match="seed="):
        runtime.set_seed(seed)


def test_importing_helpers_quiets_tensorflow_startup_logs(monkeypatch):
    import importlib

    import helpers

    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    importlib.reload(helpers)
    import os

    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
