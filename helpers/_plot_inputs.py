"""The checks that ``helpers.plots`` applies to its data arguments: arrays of numbers, class
labels and class names (private to the package). As everywhere in ``helpers``, a value of
the wrong type raises ``TypeError`` and a wrong value ``ValueError``, naming the argument:

>>> class_labels("labels", [[1], [0]])
array([1, 0])
>>> class_labels("labels", [0.5])
Traceback (most recent call last):
ValueError: labels[0]=0.5: expected a class index (an integer >= 0)
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence

import numpy as np


def number_array(name: str, value) -> np.ndarray:
    """``value`` as a non-empty array of numbers (bool, int or float)."""
    shown = name if isinstance(value, np.ndarray) else f"{name}={reprlib.repr(value)}"
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as err:  # ragged lists, objects NumPy cannot convert
        error = TypeError if isinstance(err, TypeError) else ValueError
        raise error(
            f"{shown}: expected an array of numbers (nested lists of equal lengths)"
        ) from None
    got = f"got dtype {array.dtype} and shape {array.shape}"
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{shown}: expected a non-empty array of numbers, {got}")
    if array.size == 0:
        raise ValueError(f"{shown}: expected a non-empty array of numbers, {got}")
    return array


def class_labels(name: str, values) -> np.ndarray:
    """Class indices of shape (N,) or Keras' (N, 1) as a 1-D int array; integral floats pass."""
    labels = number_array(name, values)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    expected = "expected integer class indices of shape (N,) or (N, 1)"
    got = f"got dtype {labels.dtype} and shape {np.shape(values)}"
    if labels.dtype.kind == "b":
        raise TypeError(f"{name}: {expected}, {got}")
    if labels.ndim != 1:
        raise ValueError(f"{name}: {expected}, {got}")
    bad = ~(np.isfinite(labels) & (labels == np.round(labels)) & (labels >= 0))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name}[{i}]={labels[i].item()!r}: expected a class index (an integer >= 0)"
        )
    return labels.astype(np.int64)


def class_name_list(class_names, most: int | None = None) -> list[str] | None:
    """``class_names`` as a list of 1 to ``most`` strings (None stays None)."""
    if class_names is None:
        return None
    count = f"1 to {most} names" if most is not None else "at least one name"
    refused = f"class_names={reprlib.repr(class_names)}: expected a list of {count} (strings)"
    if isinstance(class_names, str) or not isinstance(class_names, (Sequence, np.ndarray)):
        raise TypeError(refused)
    names = list(class_names)
    if not all(isinstance(name, str) for name in names):
        raise TypeError(refused)
    if not names or (most is not None and len(names) > most):
        raise ValueError(refused)
    return names
