"""Model diagrams: ``keras.utils.plot_model``, drawn by graphviz, sized for the book's page.

``keras.utils.plot_model`` needs the ``pydot`` package and the graphviz program ``dot``.
The book's ``make`` installs both (pydot from requirements.txt, graphviz with apt); Colab
has them already. Where graphviz is missing, :func:`show_model_graph` says so and prints
``model.summary()``, whose "Connected to" column lists the same connections as text.

>>> show_model_graph(model)  # the last line of a notebook cell  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any

from helpers import page
from helpers._checks import integer

if TYPE_CHECKING:  # keras is imported lazily, as in the other drawing helpers
    import keras

DPI = 72  # the diagram's pixels per inch: at 72, its text is the size of the page's text


def graphviz_available() -> bool:
    """True when ``keras.utils.plot_model`` can draw: pydot imports and graphviz runs.

    The same check Keras makes before drawing (pydot renders an empty graph).

    >>> graphviz_available() in {True, False}
    True
    """
    try:
        import pydot
    except ImportError:
        return False
    try:
        pydot.Dot.create(pydot.Dot())
    except Exception:  # pydot raises FileNotFoundError or its own errors without `dot`
        return False
    return True


def show_model_graph(
    model: keras.Model,
    *,
    show_shapes: bool = False,
    show_layer_names: bool = True,
    splines: str = "spline",
    dpi: int = DPI,
    **plot_model_kwargs: Any,
) -> Any:
    """Draw a model's layer graph with ``keras.utils.plot_model`` and return the image (an
    ``IPython.display.Image``, which a notebook shows when it is a cell's last value): one
    box per layer, with its name and type. ``show_shapes=True`` adds each layer's input and
    output shapes, which makes the boxes about three times as wide: a diagram wider than the
    page (``helpers.page.PIXELS`` at the default ``dpi``) is shrunk to fit it, and its text with it.
    Edges are drawn as splines: graphviz 2.42 can crash on Keras' default orthogonal edges.

    The other keyword arguments go to ``keras.utils.model_to_dot``, which ``plot_model``
    draws with, in Keras 3.10 to 3.15 alike (``rankdir="LR"`` lays a deep model out
    sideways). Without graphviz it prints a one-line note and ``model.summary()`` instead,
    and returns None.

    >>> show_model_graph(model, rankdir="LR")  # doctest: +SKIP
    """
    import IPython.display
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    if not model.built:
        raise ValueError(
            f"model={model.name!r}: expected a built model; "
            "call it on a batch or start it with keras.Input"
        )
    dpi = integer("dpi", dpi, 10, 300)
    if not graphviz_available():
        print(f"{model.name}: no diagram (graphviz is not installed); model.summary():")
        model.summary(line_length=page.WIDTH)
        return None
    # plot_model draws with model_to_dot and sets orthogonal edges; Keras 3.10 (Colab's)
    # has no plot_model(splines=...), so the edges are set on the graph itself.
    graph = keras.utils.model_to_dot(
        model,
        show_shapes=show_shapes,
        show_layer_names=show_layer_names,
        dpi=dpi,
        **plot_model_kwargs,
    )
    graph.set("splines", splines)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{model.name}.png")
        graph.write(path, format="png")
        return IPython.display.Image(filename=path)
