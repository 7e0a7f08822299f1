"""The CIFAR-10 chapters forecast their training time from MS_PER_IMAGE, the cost of one
training image in one epoch on the machine that built the book. Each must agree with the
median epoch that the chapter's stored full-mode run logged (``epoch 1/5 21s: ...``, from
helpers.training.EpochLog), so the forecast stays the measured one after a re-execution."""

import json
import re
import statistics
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# chapter -> the dataset size its forecast is printed for
CIFAR_CHAPTERS = {
    "02_batch_normalization.ipynb": 45_000,
    "06_depthwise_separable.ipynb": 45_000,
    "appendix_b_distribute.ipynb": 50_000,
}
# chapter -> how it caps its training set, so its time does not grow with the full dataset
FIXED_SUBSET = {
    "03_functional_api.ipynb": "CIFAR_TRAIN_SIZE = pick(full=4_000, test=512)",
    "09_what_convnets_learn.ipynb": "CIFAR_TRAIN_SIZE = pick(full=8_000, test=512)",
}
TOLERANCE = 0.25  # epoch times on a shared 2-core machine vary by about this much


def _cells(name):
    nb = json.loads((ROOT / "chapters" / name).read_text())
    return [cell for cell in nb["cells"] if cell["cell_type"] == "code"]


def _text(cell):
    return "".join("".join(output.get("text", "")) for output in cell.get("outputs", []))


def test_every_chapter_that_loads_cifar10_forecasts_its_training():
    loading = {
        path.name
        for path in (ROOT / "chapters").glob("*.ipynb")
        if any("load_cifar10()" in "".join(cell["source"]) for cell in _cells(path.name))
    }
    assert loading == set(CIFAR_CHAPTERS) | set(FIXED_SUBSET)
    for name, cap in FIXED_SUBSET.items():
        source = "\n".join("".join(cell["source"]) for cell in _cells(name))
        assert cap in source, f"{name} no longer trains on a fixed subset of CIFAR-10"


def stored_forecast(name: str) -> dict:
    """The numbers of the training forecast stored in chapter ``name``'s outputs."""
    outputs = "\n".join(_text(cell) for cell in _cells(name))
    flat = " ".join(outputs.split())  # the forecast is wrapped to the page's width
    found = re.search(
        r"Training (?:(\d+) runs x )?(\d+) epochs? on ([\d,]+) images: about [^;.]*? at the "
        r"([\d.]+) ms per image and epoch [^;]*?(?:; on all ([\d,]+) training images|\.)",
        flat,
    )
    assert found, f"{name}: the stored outputs hold no training forecast"
    runs, epochs, images, ms, full = found.groups()
    if full is not None:
        assert int(full.replace(",", "")) == CIFAR_CHAPTERS[name]
    return {
        "runs": int(runs or 1),
        "epochs": int(epochs),
        "images": int(images.replace(",", "")),
        "ms": float(ms),
    }


@pytest.mark.parametrize("name", sorted(CIFAR_CHAPTERS))
def test_the_forecast_uses_the_cost_that_the_stored_run_measured(name):
    cells = _cells(name)
    source = "\n".join("".join(cell["source"]) for cell in cells)
    constant = re.search(r"^MS_PER_IMAGE = ([\d.]+)", source, re.MULTILINE)
    assert constant, f"{name}: no MS_PER_IMAGE in the run settings"
    ms_per_image = float(constant.group(1))
    forecast = stored_forecast(name)
    assert forecast["ms"] == ms_per_image
    assert "MAX_TRAIN = max_train(" in source, f"{name}: the subset setting is not used"
    assert "[:MAX_TRAIN]" in source, f"{name}: the training set is not cut to MAX_TRAIN"
    outputs = "\n".join(_text(cell) for cell in cells)
    images = forecast["images"]
    seconds = [int(s) for s in re.findall(r"^epoch \d+/\d+ (\d+)s:", outputs, re.MULTILINE)]
    assert seconds, f"{name}: no epoch log in the stored outputs"
    # the median epoch: appendix B's epochs on two logical devices sometimes stall to 2-3
    # times their usual length (its stored run shows one); the forecast is for the usual epoch
    measured = statistics.median(seconds) / images * 1000
    assert abs(ms_per_image - measured) <= TOLERANCE * measured, (
        f"{name}: MS_PER_IMAGE = {ms_per_image}, but the stored run's median epoch took "
        f"{measured:.2f} ms per image; set it to that and re-execute the chapter"
    )
