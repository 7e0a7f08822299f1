"""The TensorFlow and Keras versions the book supports, and the line every chapter prints.

The oldest supported pair is Colab's last announced runtime (TensorFlow 2.19 with Keras 3.10,
googlecolab/colabtools#5489), tested with ``make colab-test``; the newest is the pinned pair
in ``requirements-lab.in``, tested with ``make test``. A chapter's setup prints
:func:`check_versions`: the versions in use, and a warning line when they are outside that
range.

>>> print(check_versions())  # doctest: +SKIP
TensorFlow 2.21.0, Keras 3.15.1
"""

from __future__ import annotations

import re

# (oldest, newest) major.minor versions, both tested
SUPPORTED = {"TensorFlow": ((2, 19), (2, 21)), "Keras": ((3, 10), (3, 15))}


def major_minor(version: str) -> tuple[int, int]:
    """``(major, minor)`` of a version string such as ``"2.19.0"`` or ``"3.10.0.dev2025"``.

    >>> major_minor("2.21.0")
    (2, 21)
    """
    if not isinstance(version, str):
        raise TypeError(f"version={version!r}: expected a string such as '2.19.0'")
    found = re.match(r"\s*(\d+)\.(\d+)", version)
    if not found:
        raise ValueError(f"version={version!r}: expected a version such as '2.19.0'")
    return int(found.group(1)), int(found.group(2))


def _span(name: str) -> str:
    (low_major, low_minor), (high_major, high_minor) = SUPPORTED[name]
    return f"{name} {low_major}.{low_minor} to {high_major}.{high_minor}"


def check_versions(tensorflow: str | None = None, keras: str | None = None) -> str:
    """``"TensorFlow x, Keras y"``, and on a second line a warning when either is outside
    the supported range. By default the versions are those of the installed packages.

    >>> print(check_versions("2.16.1", "3.3.3"))
    TensorFlow 2.16.1, Keras 3.3.3
    Warning: older than supported (TensorFlow 2.19 to 2.21, Keras 3.10 to 3.15).
    """
    if tensorflow is None or keras is None:
        import keras as keras_module
        import tensorflow as tf

        tensorflow = tf.__version__ if tensorflow is None else tensorflow
        keras = keras_module.__version__ if keras is None else keras
    found = {"TensorFlow": tensorflow, "Keras": keras}
    older = [name for name, (low, _) in SUPPORTED.items() if major_minor(found[name]) < low]
    newer = [name for name, (_, high) in SUPPORTED.items() if major_minor(found[name]) > high]
    line = f"TensorFlow {tensorflow}, Keras {keras}"
    span = f"({_span('TensorFlow')}, {_span('Keras')})"
    if older:
        return f"{line}\nWarning: older than supported {span}."
    if newer:
        return f"{line}\nWarning: newer than tested {span}."
    return line
