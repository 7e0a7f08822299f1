"""The CIFAR-10 chapters forecast their training time from MS_PER_IMAGE, the cost of one
training image in one epoch on the machine that built the book. Each must agree with the
epochs that the chapter's stored full-mode run logged (``epoch 1/5 21s: ...``, from
helpers.training.EpochLog), so the forecast stays the measured one after a re-execution."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# chapter -> the dataset size its forecast is printed for
CIFAR_CHAPTERS = {
    "02_batch_normalization.ipynb": 45_000,
    "06_depthwise_separable.ipynb": 45_000,
    "appendix_b_distribute.ipynb": 50_000,
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
    assert loading == set(CIFAR_CHAPTERS)


@pytest.mark.parametrize("name", sorted(CIFAR_CHAPTERS))
def test_the_forecast_uses_the_cost_that_the_stored_run_measured(name):
    cells = _cells(name)
    source = "\n".join("".join(cell["source"]) for cell in cells)
    constant = re.search(r"^MS_PER_IMAGE = ([\d.]+)", source, re.MULTILINE)
    assert constant, f"{name}: no MS_PER_IMAGE in the run settings"
    ms_per_image = float(constant.group(1))
    outputs = "\n".join(_text(cell) for cell in cells)
    flat = " ".join(outputs.split())  # the forecast is wrapped to the page's width
    forecast = re.search(
        r"Training [^:]*? on ([\d,]+) images: about [^;.]*? at the ([\d.]+) ms per image and "
        r"epoch [^;]*?(?:; on all ([\d,]+) training images|\.)",
        flat,
    )
    assert forecast, f"{name}: the stored outputs hold no training forecast"
    images = int(forecast.group(1).replace(",", ""))
    assert float(forecast.group(2)) == ms_per_image
    if forecast.group(3) is not None:
        assert int(forecast.group(3).replace(",", "")) == CIFAR_CHAPTERS[name]
    seconds = [int(s) for s in re.findall(r"^epoch \d+/\d+ (\d+)s:", outputs, re.MULTILINE)]
    assert seconds, f"{name}: no epoch log in the stored outputs"
    measured = sum(seconds) / len(seconds) / images * 1000
    assert abs(ms_per_image - measured) <= TOLERANCE * measured, (
        f"{name}: MS_PER_IMAGE = {ms_per_image}, but the stored run took {measured:.2f} ms "
        "per image and epoch; set it to that and re-execute the chapter"
    )
