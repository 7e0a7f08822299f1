"""Run settings shared by every chapter: full mode or test mode, and seeding.

Test mode is switched on by the environment variable ``CNN_BOOK_TEST_MODE=1``. The test
command sets it, so nbval re-executes each notebook on small subsets with few epochs; the
outputs stored in the notebooks (what readers see) come from full mode.

>>> EPOCHS = pick(full=5, test=1)   # 5 normally, 1 under CNN_BOOK_TEST_MODE=1
"""

from __future__ import annotations

import os
from typing import TypeVar

from helpers._checks import integer

T = TypeVar("T")

TEST_MODE_VARIABLE = "CNN_BOOK_TEST_MODE"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_test_mode() -> bool:
    """Return True when ``CNN_BOOK_TEST_MODE`` asks for the small, fast test run.

    >>> os.environ["CNN_BOOK_TEST_MODE"] = "1"; is_test_mode()
    True

    Accepted values (case-insensitive): 1/true/yes/on and 0/false/no/off or empty.
    Anything else raises ``ValueError`` rather than silently running the wrong mode.
    """
    raw = os.environ.get(TEST_MODE_VARIABLE, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{TEST_MODE_VARIABLE}={raw!r} is not understood: expected 1 (test mode) or 0 "
        "(full mode), or leave it unset for full mode."
    )


def pick(full: T, test: T) -> T:
    """Choose the full-mode value or the test-mode value, depending on the run mode.

    >>> EPOCHS = pick(full=5, test=1)
    """
    return test if is_test_mode() else full


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


def gpu_available() -> bool:
    """True when TensorFlow sees at least one GPU (on Colab: a GPU runtime is attached).

    >>> gpu_available() in {True, False}
    True
    """
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def describe_gpu() -> str:
    """One line saying which GPU TensorFlow will use, or a one-line warning that there is none.

    Printed by the Colab setup cell at the top of every chapter.

    >>> print(describe_gpu())  # doctest: +SKIP
    GPU: NVIDIA Tesla T4 (/physical_device:GPU:0)
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
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

    if not (isinstance(enabled, bool) or enabled == "auto"):
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
