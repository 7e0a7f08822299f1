"""An explorer of what a trained model sees (ipywidgets), and its static tour.

A slider picks a test image, a menu a convolution layer, another a method: the layer's most
active feature maps, or a class-evidence map of :mod:`helpers.interpret` (vanilla gradient,
gradient x input, Grad-CAM on the chosen layer, occlusion). The layer menu is greyed out for
the methods that do not use a layer. As in :mod:`helpers.explorer`, the drawing goes into an
``Image`` widget as PNG bytes, which every frontend and the saved notebook show the same.

>>> map_explorer(model, x_test[:20], class_names=CIFAR10_CLASS_NAMES)  # doctest: +SKIP
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from helpers._checks import integer
from helpers.interpret import (
    activation_model,
    check_images,
    conv_layer,
    conv_layer_names,
    grad_cam,
    gradient_x_input,
    occlusion_map,
    vanilla_gradient,
)

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

METHODS = ("feature maps", "vanilla gradient", "gradient x input", "Grad-CAM", "occlusion")
USES_LAYER = {"feature maps", "Grad-CAM"}
MAX_TOUR_SETTINGS = 24  # frames of map_tour, one PNG each in the stored HTML
FIGURE_INCHES, DPI = (7.0, 2.2), 90


def _method(method: str) -> str:
    if not isinstance(method, str):
        raise TypeError(f"method={method!r}: expected a str, one of {METHODS}")
    if method not in METHODS:
        raise ValueError(f"method={method!r}: expected one of {METHODS}")
    return method


def _title(model, image, class_names) -> str:
    probabilities = model(image[None], training=False).numpy()[0]
    k = int(np.argmax(probabilities))
    name = class_names[k] if class_names else str(k)
    return f"predicted {name} ({probabilities[k]:.2f})"


def draw(axes, model, image, layer_name: str, method: str, *, class_names=None, fill=0.5):
    """Draw one state on four axes: the image, then the layer's three most active feature
    maps, or the map, the map over the image and nothing."""
    method = _method(method)
    x = check_images(model, image)
    conv_layer(model, layer_name)
    for ax in axes:
        ax.clear()
        ax.axis("off")
    shown = x[0] if x.shape[-1] == 3 else x[0, ..., 0]
    axes[0].imshow(shown, cmap="gray")
    axes[0].set_title(_title(model, x[0], class_names), fontsize=10)
    if method == "feature maps":
        maps = activation_model(model, [layer_name])(x).numpy()[0]
        for ax, k in zip(axes[1:], np.argsort(-maps.mean(axis=(0, 1)))[:3]):
            ax.imshow(maps[..., k], cmap="viridis")
            ax.set_title(f"{layer_name} map {k}", fontsize=10)
        return
    if method == "Grad-CAM":
        result = grad_cam(model, x, layer_name)[0]
    elif method == "occlusion":
        result = occlusion_map(model, x, patch=x.shape[1] // 4, stride=x.shape[1] // 8, fill=fill)[
            0
        ]
    else:
        function = vanilla_gradient if method == "vanilla gradient" else gradient_x_input
        result = function(model, x)[0]
    limit = np.abs(result).max() or 1.0
    cmap, low = ("coolwarm", -limit) if result.min() < 0 else ("inferno", 0)
    axes[1].imshow(result, cmap=cmap, vmin=low, vmax=limit)
    axes[1].set_title(method if method != "Grad-CAM" else f"Grad-CAM {layer_name}", fontsize=10)
    axes[2].imshow(shown, cmap="gray")
    axes[2].imshow(np.abs(result), cmap="inferno", alpha=0.6)
    axes[2].set_title("over the image", fontsize=10)


def _png(model, image, layer_name, method, class_names, fill) -> bytes:
    fig, axes = plt.subplots(1, 4, figsize=FIGURE_INCHES, dpi=2 * DPI)
    draw(axes, model, image, layer_name, method, class_names=class_names, fill=fill)
    png = io.BytesIO()
    fig.savefig(png, format="png")
    plt.close(fig)
    return png.getvalue()


def map_explorer(
    model, images, *, class_names: Sequence[str] | None = None, fill: float = 0.5
) -> widgets.VBox:
    """Build the explorer: ``VBox([controls, drawing])``, ``controls`` holding an
    ``IntSlider`` 'image' and the ``Dropdown`` menus 'layer' and 'method'. ``images``: a batch
    of the model's input shape (at most 100), ``fill``: the occlusion's paint.

    >>> box = map_explorer(model, x_test[:10])  # doctest: +SKIP
    """
    x = check_images(model, images)
    if len(x) > 100:
        raise ValueError(f"images: {len(x)} images; expected at most 100 for the slider")
    names = conv_layer_names(model)
    style = {"description_width": "60px"}
    slider = widgets.IntSlider(0, 0, len(x) - 1, description="image", style=style,
                               continuous_update=False)  # fmt: skip
    layer = widgets.Dropdown(options=names, value=names[-1], description="layer", style=style)
    method = widgets.Dropdown(options=METHODS, value="Grad-CAM", description="method", style=style)
    drawing = widgets.Image(format="png", width=str(round(FIGURE_INCHES[0] * DPI)))

    def redraw(_change=None) -> None:
        layer.disabled = method.value not in USES_LAYER
        drawing.value = _png(model, x[slider.value], layer.value, method.value, class_names, fill)

    for control in (slider, layer, method):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([slider, layer, method]), drawing])


def map_tour(model, images, settings, *, class_names=None, fill: float = 0.5, dpi: int = 80):
    """The explorer's drawings for a list of settings, as a ``FuncAnimation`` (one frame per
    setting) for a static page: ``HTML(anim.to_jshtml())``. Each setting is a dict with
    ``image`` (an index into ``images``), ``layer`` and ``method``.

    >>> anim = map_tour(model, x_test[:4], [{"image": 0, "layer": "conv2", "method": "occlusion"}])
    """
    from matplotlib.animation import FuncAnimation

    x = check_images(model, images)
    dpi = integer("dpi", dpi, 10, 300)
    if isinstance(settings, (str, dict)) or not isinstance(settings, (list, tuple)):
        raise TypeError(f"settings={settings!r}: expected a list of dicts")
    if not 1 <= len(settings) <= MAX_TOUR_SETTINGS:
        raise ValueError(f"settings: {len(settings)} settings; expected 1 to {MAX_TOUR_SETTINGS}")
    for i, s in enumerate(settings):
        if not isinstance(s, dict) or set(s) != {"image", "layer", "method"}:
            raise ValueError(f"settings[{i}]={s!r}: expected the keys image, layer and method")
        integer(f"settings[{i}]['image']", s["image"], 0, len(x) - 1)
        conv_layer(model, s["layer"])
        _method(s["method"])
    fig, axes = plt.subplots(1, 4, figsize=FIGURE_INCHES, dpi=dpi)

    def frame(i: int) -> None:
        s = settings[i]
        draw(
            axes, model, x[s["image"]], s["layer"], s["method"], class_names=class_names, fill=fill
        )

    anim = FuncAnimation(fig, frame, frames=len(settings), interval=2000, repeat=True)
    plt.close(fig)
    return anim
