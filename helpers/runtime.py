"""Run settings shared by every chapter: full mode or test mode, and seeding.

Test mode is switched on by the environment variable ``CNN_BOOK_TEST_MODE=1``. The test
command sets it, so nbval re-executes each notebook on small subsets with few epochs; the
outputs stored in the notebooks (what readers see) come from full mode.

>>> EPOCHS = pick(full=5, test=1)   # 5 normally, 1 under CNN_BOOK_TEST_MODE=1
"""

from __future__ import annotations

import os
from typing import TypeVar

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
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative integer")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
