"""Show the error a reader will meet, as one short message instead of a long traceback.

>>> import tensorflow as tf
>>> attempt(lambda: tf.zeros((1, 5, 5, 1))[:, ::2])
works, shape (1, 3, 5, 1)
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

from helpers import page
from helpers._checks import integer

# TensorFlow puts "{{function_node ...}}" in front of an op's message and "[Op:Conv2D] name: "
# after it: internals that say nothing to a reader.
_INTERNALS = re.compile(r"\{\{function_node [^}]*\}\}\s*|\s*\[Op:\w+\].*$")


def error_message(err: BaseException, width: int = page.WIDTH) -> str:
    """``ErrorType: first line of the message``, one sentence per line, wrapped to ``width``.

    >>> print(error_message(ValueError("Bad size. Expected 3.")))
    ValueError: Bad size.
        Expected 3.
    """
    width = integer("width", width, 20)
    lines = str(err).strip().splitlines()
    first = _INTERNALS.sub("", lines[0]) if lines else ""
    message = f"{type(err).__name__}: {first}" if first else type(err).__name__
    sentences = re.split(r"(?<=\.) ", message)
    wrapped = [textwrap.fill(s, width, subsequent_indent="    ") for s in sentences]
    return "\n    ".join(wrapped)


def attempt(call: Callable[[], object], width: int = page.WIDTH) -> None:
    """Run ``call()`` and print the shape it returns, or the error it raises (see
    :func:`error_message`). For the cells that show a mistake happening.

    >>> attempt(lambda: int("three"))
    ValueError: invalid literal for int() with base 10: 'three'
    """
    if not callable(call):
        raise TypeError(f"call={call!r}: expected a function of no arguments, e.g. a lambda")
    width = integer("width", width, 20)
    try:
        result = call()
    except Exception as err:
        print(error_message(err, width))
    else:
        shape = getattr(result, "shape", None)
        print(f"works, shape {tuple(shape)}" if shape is not None else f"works: {result!r}")
