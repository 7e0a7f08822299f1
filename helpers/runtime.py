"""Run settings shared by every chapter: full mode or test mode, seeding, the GPU.

Environment variables, read when a function is called:

- ``CNN_BOOK_TEST_MODE=1``: small subsets with few epochs. The test command sets it, so
  nbval re-executes each notebook quickly; the outputs stored in the notebooks (what
  readers see) come from full mode.
- ``CNN_BOOK_MAX_TRAIN=N``: train on at most N images (a subset for a laptop's CPU); by
  default a chapter trains on every image it loaded.
- ``CNN_BOOK_SIMULATE_GPU=1``: :func:`gpu_available` answers yes on a machine without a GPU,
  so that a chapter takes its GPU branch (mixed precision) on a CPU. The test command uses
  it to run those branches on machines that have no GPU.

>>> EPOCHS = pick(full=5, test=1)   # 5 normally, 1 under CNN_BOOK_TEST_MODE=1
"""

from __future__ import annotations

import os
import textwrap
from typing import TypeVar

from helpers import page
from helpers._checks import integer, number

T = TypeVar("T")

TEST_MODE_VARIABLE = "CNN_BOOK_TEST_MODE"
MAX_TRAIN_VARIABLE = "CNN_BOOK_MAX_TRAIN"
SIMULATE_GPU_VARIABLE = "CNN_BOOK_SIMULATE_GPU"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(variable: str, on: str, off: str) -> bool:
    """The on/off environment variable ``variable``; anything unclear is an error."""
    raw = os.environ.get(variable, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{variable}={raw!r} is not understood: expected 1 ({on}) or 0 ({off}), "
        f"or leave it unset for {off}."
    )


def is_test_mode() -> bool:
    """Return True when ``CNN_BOOK_TEST_MODE`` asks for the small, fast test run.

    >>> os.environ["CNN_BOOK_TEST_MODE"] = "1"; is_test_mode()
    True

    Accepted values (case-insensitive): 1/true/yes/on and 0/false/no/off or empty.
    Anything else raises ``ValueError`` rather than silently running the wrong mode.
    """
    return _flag(TEST_MODE_VARIABLE, "test mode", "full mode")


def pick(full: T, test: T) -> T:
    """Choose the full-mode value or the test-mode value, depending on the run mode.

    >>> EPOCHS = pick(full=5, test=1)
    """
    return test if is_test_mode() else full


def max_train(test: int) -> int | None:
    """How many training images a chapter trains on; None means every image it loaded.

    Full mode trains on every image, unless ``CNN_BOOK_MAX_TRAIN`` sets a smaller number
    (a subset, for a laptop's CPU). Test mode trains on ``test`` images, or on fewer when
    ``CNN_BOOK_MAX_TRAIN`` asks for fewer. Use the result as a slice: ``x[:max_train(512)]``.

    >>> os.environ["CNN_BOOK_MAX_TRAIN"] = "10000"; os.environ["CNN_BOOK_TEST_MODE"] = "0"
    >>> max_train(test=512)
    10000
    """
    test = integer("test", test, 1)
    raw = os.environ.get(MAX_TRAIN_VARIABLE, "").strip().replace("_", "")
    limit = None
    if raw:
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValueError(
                f"{MAX_TRAIN_VARIABLE}={os.environ[MAX_TRAIN_VARIABLE]!r}: expected a whole "
                "number of training images, at least 1 (for example 10000), or leave it "
                "unset to train on every image loaded."
            )
        limit = int(raw)
    if is_test_mode():
        return test if limit is None else min(test, limit)
    return limit


def mode_name() -> str:
    """'test' or 'full', for printing the run settings at the top of a chapter.

    >>> mode_name() in {"test", "full"}
    True
    """
    return "test" if is_test_mode() else "full"


def set_seed(seed: int = 42, deterministic: bool = True) -> None:
    """Seed Python, NumPy and TensorFlow so that a re-run reproduces the same outputs.

    Uses ``keras.utils.set_random_seed``. With ``deterministic=True`` it also turns on
    TensorFlow's op determinism, which costs little on a CPU for the models in this book.

    >>> set_seed(42)
    """
    seed = integer("seed", seed, 0)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def simulating_gpu() -> bool:
    """True under ``CNN_BOOK_SIMULATE_GPU=1``: the chapters take their GPU branch on a CPU.

    >>> os.environ["CNN_BOOK_SIMULATE_GPU"] = "0"; simulating_gpu()
    False
    """
    return _flag(SIMULATE_GPU_VARIABLE, "take the GPU branch", "a real GPU only")


def gpu_available() -> bool:
    """True when TensorFlow sees at least one GPU (on Colab: a GPU runtime is attached),
    or when ``CNN_BOOK_SIMULATE_GPU=1`` asks the chapters to behave as on a GPU.

    >>> gpu_available() in {True, False}
    True
    """
    import tensorflow as tf

    return simulating_gpu() or bool(tf.config.list_physical_devices("GPU"))


def describe_gpu() -> str:
    """One line saying which GPU TensorFlow will use, or a one-line warning that there is none.

    Printed by the Colab setup cell at the top of every chapter.

    >>> print(describe_gpu())  # doctest: +SKIP
    GPU: NVIDIA Tesla T4 (/physical_device:GPU:0)
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus and simulating_gpu():
        return f"GPU: none, simulated ({SIMULATE_GPU_VARIABLE}=1): computing on the CPU"
    if not gpus:
        return (
            "Warning: no GPU attached, so this chapter trains on the CPU (slower). "
            "On Colab: Runtime > Change runtime type > a GPU, then run the notebook again."
        )
    names = []
    for gpu in gpus:
        details = tf.config.experimental.get_device_details(gpu)
        names.append(f"{details.get('device_name', 'unknown GPU')} ({gpu.name})")
    return "GPU: " + ", ".join(names)


def set_mixed_precision(enabled: bool | str = "auto") -> str:
    """Turn Keras mixed precision on or off for the models built after this call.

    ``"auto"`` turns it on only when a GPU is present: there, ``mixed_float16`` computes in
    float16, the format a GPU's tensor cores are built for, and keeps the weights in float32.
    Mixed precision is meant for GPUs, so ``True`` without one is refused. A model built
    under the policy must give its output layer ``dtype="float32"``, so that the softmax and
    the loss stay in float32. Returns the name of the global policy now in force.

    >>> set_mixed_precision("auto")  # on a machine with no GPU
    'float32'
    """
    import keras

    if not isinstance(enabled, bool | str):
        raise TypeError(f"enabled={enabled!r}: expected True, False or 'auto'")
    if isinstance(enabled, str) and enabled != "auto":
        raise ValueError(f"enabled={enabled!r}: expected True, False or 'auto'")
    has_gpu = gpu_available()
    if enabled is True and not has_gpu:
        raise ValueError(
            "enabled=True: mixed precision needs a GPU, and TensorFlow sees none; "
            "use 'auto' (on only with a GPU) or False."
        )
    on = has_gpu if enabled == "auto" else enabled
    keras.mixed_precision.set_global_policy("mixed_float16" if on else "float32")
    return keras.mixed_precision.global_policy().name


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def training_cost(
    images: int, epochs: int, ms_per_image: float, *, full_images: int, runs: int = 1
) -> str:
    """A forecast of a chapter's training time, printed before it trains.

    ``ms_per_image`` is the time one training image takes in one epoch (with the epoch's
    validation), as the chapter measured it on the machine that built the book; the forecast
    scales it to ``runs`` runs of ``epochs`` epochs on ``images`` images, and to the
    ``full_images`` of the full dataset.

    >>> print(training_cost(7503, 5, 2.7, full_images=45000, runs=4))
    Training 4 runs x 5 epochs on 7,503 images: about 7 min at the 2.7 ms per
    image and epoch measured on the 2-core CPU that built this book; on all
    45,000 training images, about 41 min.
    """
    images = integer("images", images, 1)
    epochs = integer("epochs", epochs, 1)
    runs = integer("runs", runs, 1)
    full_images = integer("full_images", full_images, 1)
    ms_per_image = number("ms_per_image", ms_per_image, positive=True)
    if ms_per_image >= 1e6:
        raise ValueError(f"ms_per_image={ms_per_image!r}: expected less than 1e6 (milliseconds)")
    per_image_s = ms_per_image / 1000 * epochs * runs
    what = f"{epochs} epoch{'s' if epochs > 1 else ''}"
    what = f"{runs} runs x {what}" if runs > 1 else what
    text = (
        f"Training {what} on {images:,} images: about {_minutes(images * per_image_s)} "
        f"at the {ms_per_image:g} ms per image and epoch measured on the 2-core CPU that "
        "built this book"
    )
    if images < full_images:
        text += (
            f"; on all {full_images:,} training images, about {_minutes(full_images * per_image_s)}"
        )
    return textwrap.fill(text + ".", page.WIDTH)
