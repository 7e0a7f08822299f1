"""The book's own models and layers, taken from the chapters' notebooks.

The benchmarks time exactly what the chapters teach, so they do not copy the code: they run
the notebook cell that defines it. A cell is found by a marker it must contain once (a model's
name, a ``def`` or ``class`` line); when a chapter changes so that a marker is gone, the
benchmark stops with a message naming the chapter and the marker, and so does
``tests/test_benchmarks.py``.

>>> model = chapter1_model()  # doctest: +SKIP
>>> model.name
'mnist_cnn'
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
CHAPTER1 = CHAPTERS / "01_first_cnn.ipynb"
CHAPTER2 = CHAPTERS / "02_batch_normalization.ipynb"
CHAPTER7 = CHAPTERS / "07_custom_layers.ipynb"


def cell_source(notebook: Path, marker: str) -> str:
    """The source of the one code cell of ``notebook`` that contains ``marker``.

    >>> "class NNConv2D" in cell_source(CHAPTER7, "class NNConv2D(")
    True
    """
    if not isinstance(marker, str) or not marker:
        raise ValueError(f"marker={marker!r}: expected a non-empty string")
    cells = nbformat.read(notebook, as_version=4).cells
    found = [c.source for c in cells if c.cell_type == "code" and marker in c.source]
    if len(found) != 1:
        raise ValueError(
            f"{notebook.name}: expected one code cell containing {marker!r}, found {len(found)}"
        )
    return found[0]


def _run(notebook: Path, marker: str, names: dict) -> dict:
    """Execute the cell that holds ``marker`` in a namespace holding ``names``, quietly."""
    namespace = dict(names)
    with contextlib.redirect_stdout(io.StringIO()):  # the cells print model summaries
        exec(compile(cell_source(notebook, marker), str(notebook), "exec"), namespace)
    return namespace


def chapter1_model():
    """A fresh, uncompiled copy of chapter 1's ``mnist_cnn`` (the Keras mnist_convnet layers)."""
    import keras

    return _run(CHAPTER1, 'name="mnist_cnn"', {"keras": keras})["model"]


def chapter2_model():
    """A fresh, uncompiled copy of chapter 2's CNN with BatchNormalization (``build_cnn``)."""
    import keras
    from keras import layers

    build_cnn = _run(CHAPTER2, "def build_cnn(", {"keras": keras, "layers": layers})["build_cnn"]
    return build_cnn(bn=True, name="with_bn")


def chapter7_layer_class():
    """Chapter 7's ``NNConv2D``: a Keras layer written on ``tf.nn.conv2d``."""
    from numbers import Integral

    from helpers.arithmetic import conv_output_size

    import keras
    import tensorflow as tf

    names = {"keras": keras, "tf": tf, "Integral": Integral, "conv_output_size": conv_output_size}
    return _run(CHAPTER7, "class NNConv2D(", names)["NNConv2D"]
