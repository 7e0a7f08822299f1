from helpers import page, runtime

import numpy as np
import pytest


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
    runtime.set_seed(np.int64(7))  # a NumPy integer is the same seed
    second = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


@pytest.mark.parametrize(
    "seed, error", [(-1, ValueError), (1.5, TypeError), ("42", TypeError), (True, TypeError)]
)
def test_set_seed_rejects_bad_seed(seed, error):
    with pytest.raises(error, match="seed="):
        runtime.set_seed(seed)


def test_importing_helpers_quiets_tensorflow_startup_logs(monkeypatch):
    import importlib

    import helpers

    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    importlib.reload(helpers)
    import os

    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"


@pytest.fixture
def float32_policy_afterwards():
    import keras

    yield
    keras.mixed_precision.set_global_policy("float32")


def _fake_gpus(monkeypatch, gpus, details=None):
    import tensorflow as tf

    monkeypatch.setattr(
        tf.config, "list_physical_devices", lambda kind=None: list(gpus) if kind == "GPU" else []
    )
    monkeypatch.setattr(
        tf.config.experimental, "get_device_details", lambda device: dict(details or {})
    )


def test_describe_gpu_warns_in_one_line_without_a_gpu(monkeypatch):
    _fake_gpus(monkeypatch, [])
    line = runtime.describe_gpu()
    assert line.startswith("Warning: no GPU attached") and "\n" not in line
    assert "Runtime > Change runtime type" in line
    assert runtime.gpu_available() is False


def test_describe_gpu_names_the_gpu(monkeypatch):
    import tensorflow as tf

    gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    _fake_gpus(monkeypatch, [gpu], {"device_name": "Tesla T4"})
    assert runtime.describe_gpu() == "GPU: Tesla T4 (/physical_device:GPU:0)"
    assert runtime.gpu_available() is True


def test_describe_gpu_on_this_machine_matches_tensorflow():
    import tensorflow as tf

    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    assert runtime.gpu_available() is has_gpu
    assert runtime.describe_gpu().startswith("GPU: " if has_gpu else "Warning: no GPU")


def test_mixed_precision_auto_stays_float32_without_a_gpu(monkeypatch, float32_policy_afterwards):
    _fake_gpus(monkeypatch, [])
    assert runtime.set_mixed_precision("auto") == "float32"
    assert runtime.set_mixed_precision(False) == "float32"
    with pytest.raises(ValueError, match=r"enabled=True: mixed precision needs a GPU"):
        runtime.set_mixed_precision(True)


@pytest.mark.parametrize(
    "value, error", [("yes", ValueError), ("on", ValueError), (1.0, TypeError), (None, TypeError)]
)
def test_mixed_precision_rejects_other_values(value, error):
    with pytest.raises(error, match=r"enabled=.*expected True, False or 'auto'"):
        runtime.set_mixed_precision(value)


def test_mixed_precision_with_a_gpu_computes_in_float16_and_outputs_float32(
    monkeypatch, float32_policy_afterwards
):
    import keras
    import tensorflow as tf

    gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    _fake_gpus(monkeypatch, [gpu])
    assert runtime.set_mixed_precision("auto") == "mixed_float16"
    # What the CIFAR-10 chapters do: the output layer keeps dtype="float32".
    conv = keras.layers.Conv2D(4, 3)
    model = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 3)),
            conv,
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", dtype="float32"),
        ]
    )
    assert conv.compute_dtype == "float16" and conv.kernel.dtype == "float32"
    outputs = model(np.zeros((2, 8, 8, 3), "float32"))
    assert outputs.dtype == "float32"
    # compile() wraps the optimizer in a LossScaleOptimizer, as chapter 2 says.
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert runtime.set_mixed_precision(False) == "float32"


def test_test_mode_error_names_the_variable_and_both_values(monkeypatch):
    monkeypatch.setenv("CNN_BOOK_TEST_MODE", "2")
    with pytest.raises(ValueError, match=r"expected 1 \(test mode\) or 0 \(full mode\)"):
        runtime.pick(full=5, test=1)


@pytest.fixture
def full_mode(monkeypatch):
    monkeypatch.setenv("CNN_BOOK_TEST_MODE", "0")
    monkeypatch.delenv("CNN_BOOK_MAX_TRAIN", raising=False)
    return monkeypatch


def test_max_train_is_every_image_by_default_and_the_subset_when_set(full_mode):
    assert runtime.max_train(test=512) is None
    full_mode.setenv("CNN_BOOK_MAX_TRAIN", "10000")
    assert runtime.max_train(test=512) == 10000
    full_mode.setenv("CNN_BOOK_MAX_TRAIN", " 10_000 ")
    assert runtime.max_train(test=512) == 10000
    x = np.arange(20_000)
    assert len(x[: runtime.max_train(test=512)]) == 10_000


def test_max_train_in_test_mode_takes_the_smaller(full_mode):
    full_mode.setenv("CNN_BOOK_TEST_MODE", "1")
    assert runtime.max_train(test=512) == 512
    full_mode.setenv("CNN_BOOK_MAX_TRAIN", "100")
    assert runtime.max_train(test=np.int64(512)) == 100
    full_mode.setenv("CNN_BOOK_MAX_TRAIN", "10000")
    assert runtime.max_train(test=512) == 512


@pytest.mark.parametrize("value", ["0", "-5", "1e4", "ten", "12.5", "١٢"])
def test_max_train_refuses_what_is_not_a_count(full_mode, value):
    full_mode.setenv("CNN_BOOK_MAX_TRAIN", value)
    with pytest.raises(ValueError, match=r"CNN_BOOK_MAX_TRAIN=.*expected a whole number"):
        runtime.max_train(test=512)


@pytest.mark.parametrize(
    "test, error",
    [(0, ValueError), (1.5, TypeError), ("512", TypeError), (None, TypeError), (True, TypeError)],
)
def test_max_train_refuses_a_bad_test_size(full_mode, test, error):
    with pytest.raises(error, match=r"test="):
        runtime.max_train(test=test)


def test_simulated_gpu_takes_the_gpu_branch_on_a_cpu(monkeypatch, float32_policy_afterwards):
    _fake_gpus(monkeypatch, [])
    monkeypatch.setenv("CNN_BOOK_SIMULATE_GPU", "1")
    assert runtime.simulating_gpu() is True and runtime.gpu_available() is True
    assert runtime.describe_gpu().startswith("GPU: none, simulated (CNN_BOOK_SIMULATE_GPU=1)")
    assert runtime.set_mixed_precision("auto") == "mixed_float16"
    assert runtime.set_mixed_precision(True) == "mixed_float16"
    monkeypatch.setenv("CNN_BOOK_SIMULATE_GPU", "0")
    assert runtime.gpu_available() is False
    assert runtime.set_mixed_precision("auto") == "float32"


def test_simulated_gpu_garbage_is_an_error(monkeypatch):
    monkeypatch.setenv("CNN_BOOK_SIMULATE_GPU", "gpu")
    with pytest.raises(ValueError, match=r"CNN_BOOK_SIMULATE_GPU='gpu'.*expected 1"):
        runtime.gpu_available()


def test_training_cost_scales_the_measured_cost_to_the_loaded_and_the_full_data():
    text = runtime.training_cost(7503, 5, 2.7, full_images=45000, runs=4)
    assert text.replace("\n", " ") == (
        "Training 4 runs x 5 epochs on 7,503 images: about 7 min at the 2.7 ms per image "
        "and epoch measured on the 2-core CPU that built this book; on all 45,000 training "
        "images, about 41 min."
    )  # 7,503 x 20 x 2.7 ms = 405 s; 45,000 x 20 x 2.7 ms = 2,430 s
    assert max(map(len, text.splitlines())) <= page.WIDTH


def test_training_cost_on_the_full_data_and_short_runs():
    full = runtime.training_cost(np.int64(45000), 1, 2, full_images=45000)
    assert full.replace("\n", " ").startswith("Training 1 epoch on 45,000 images: about 2 min")
    assert "on all" not in full
    assert "about 1 s at" in runtime.training_cost(100, 2, 5, full_images=50000)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(images=0), ValueError, "images=0"),
        (dict(epochs=1.0), TypeError, "epochs=1.0"),
        (dict(runs=0), ValueError, "runs=0"),
        (dict(full_images=None), TypeError, "full_images=None"),
        (dict(ms_per_image=0), ValueError, "ms_per_image=0: expected a positive, finite number"),
        (dict(ms_per_image="2.7"), TypeError, "ms_per_image='2.7': expected a positive number"),
        (dict(ms_per_image=True), TypeError, "ms_per_image=True"),
        (dict(ms_per_image=float("nan")), ValueError, "ms_per_image=nan"),
        (dict(ms_per_image=1e6), ValueError, "ms_per_image=1000000.0: expected less than 1e6"),
    ],
)
def test_training_cost_refuses_bad_arguments(kwargs, error, match):
    arguments = dict(images=10, epochs=1, ms_per_image=2.7, full_images=45000, runs=1)
    with pytest.raises(error, match=match):
        runtime.training_cost(**{**arguments, **kwargs})
