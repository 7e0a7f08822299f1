"""Every number in a chapter's prose is evidence from the same notebook: a number printed in its
stored outputs (after rounding to the digits the prose writes; a percentage as a fraction), a
constant in its code, the result of arithmetic written out in the sentence ("... = 832"), or an
entry of REVIEWED below, a cited or derived figure with its source. Years and issue numbers are
not figures. A re-execution that changes an output the prose quotes fails here, naming the
notebook and the sentence."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))

# (notebook, number as written) -> where it comes from
REVIEWED = {
    ("01_first_cnn.ipynb", "70,000"): "MNIST's 60,000 + 10,000 images, both printed",
    ("02_batch_normalization.ipynb", "0.023"): "0.580 - 0.557, both printed",
    ("02_batch_normalization.ipynb", "2.303"): "ln 10, written out in the sentence",
    ("02_batch_normalization.ipynb", "100"): "1 / (1 - momentum 0.99): the window of the average",
    ("02_batch_normalization.ipynb", "24"): "float32's significand bits (IEEE 754)",
    ("04_strides_and_padding.ipynb", "12"): "the padded size, 10 + 2, of the example",
    ("04_strides_and_padding.ipynb", "34"): "the exercise's ⌈100 / 3⌉, worked out just before",
    ("05_dilation.ipynb", "18"): "2 x the exercise's third rate, 9: what that layer adds",
    ("06_depthwise_separable.ipynb", "7"): "9 / (9 + 128): the depthwise share of the MACs",
    ("06_depthwise_separable.ipynb", "0.47"): "about the mean of the two printed accuracies",
    ("06_depthwise_separable.ipynb", "0.016"): "sqrt(0.47 * 0.53 / 1,017), a standard error",
    ("06_depthwise_separable.ipynb", "0.078"): "0.513 - 0.435, both printed",
    ("appendix_a_speed.ipynb", "99.04"): "tuomaso/train_mnist_fast's README, its record",
    ("appendix_a_speed.ipynb", "0.76"): "tuomaso/train_mnist_fast's README, its record",
    ("appendix_a_speed.ipynb", "52"): "tuomaso/train_mnist_fast's README: 2 min 52 s",
    ("appendix_a_speed.ipynb", "94"): "KellerJordan/cifar10-airbench's README",
    ("appendix_a_speed.ipynb", "3.3"): "KellerJordan/cifar10-airbench's README",
    ("appendix_a_speed.ipynb", "54,000"): "chapter 1's validation_split=0.1 of 60,000",
    ("appendix_a_speed.ipynb", "6,000"): "chapter 1's validation_split=0.1 of 60,000",
    ("appendix_a_speed.ipynb", "56"): "chapter 6's layer, 56x56x128 in the benchmark's name",
    ("appendix_a_speed.ipynb", "30"): "the book's budget for make execute (CONTRIBUTING.md)",
    ("appendix_b_distribute.ipynb", "8,192"): "Goyal et al. (2017), their largest batch",
    ("appendix_b_distribute.ipynb", "7,503"): "chapter 2's training images, printed there",
    ("appendix_b_distribute.ipynb", "0.6205"): "chapter 2's test accuracy, printed there",
}

# A number: digits with optional thousands commas and decimals, not part of a word or a name
# (conv2d, float32, x86, ResNet-50) and not a version's or a date's middle.
NUMBER = re.compile(
    r"(?<![\w.\-/^])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w]|\.\d|,\d{3})( ?%)?"
)
# What is not prose: code blocks and spans, link targets, HTML tags, LaTeX; and what is not a
# figure: years, issue and pull-request numbers.
NOT_FIGURES = re.compile(
    r"```.*?```|`[^`\n]*`|\]\([^)]*\)|<[^>]+>|\$[^$\n]+\$"
    r"|\b(?:19|20)\d\d\b|#\d+|\bissues? \d+(?:,? (?:and )?\d+)*",
    re.DOTALL,
)
EQUATION_RESULT = re.compile(r"=\s*$")


def figures(markdown: str) -> list[tuple[str, bool, str]]:
    """(number as written, whether it is a percentage, its sentence) for every figure."""
    found = []
    prose = NOT_FIGURES.sub(lambda m: "…" if m.group().startswith("`") else " ", markdown)
    for sentence in re.split(r"(?<=[.:;!?])\s+", prose):
        for match in NUMBER.finditer(sentence):
            if EQUATION_RESULT.search(sentence[: match.start()]):
                continue  # worked out in the sentence itself
            found.append((match.group(1), bool(match.group(2)), " ".join(sentence.split())))
    return found


def shown_numbers(cells: list[dict]) -> set[float]:
    """Every number in the code cells' sources and stored outputs."""
    texts = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        texts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            texts.append("".join(output.get("text", "")))
            texts.append("".join(data.get("text/markdown", data.get("text/plain", ""))))
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?", "\n".join(texts))
    return {float(number.replace(",", "")) for number in numbers}


def supported(number: str, percent: bool, shown: set[float]) -> bool:
    value = float(number.replace(",", ""))
    digits = len(number.split(".")[1]) if "." in number else 0
    if percent:
        value, digits = value / 100, digits + 2
    return any(abs(round(x, digits) - value) < 0.5 * 10**-digits for x in shown)


def unsupported(notebook_json: str, name: str) -> list[str]:
    cells = json.loads(notebook_json)["cells"]
    shown = shown_numbers(cells)
    problems = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for number, percent, sentence in figures("".join(cell["source"])):
            if (name, number) in REVIEWED or supported(number, percent, shown):
                continue
            problems.append(f"{number}: {sentence[:160]}")
    return problems


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_number_in_the_prose_is_shown_in_the_notebook(notebook):
    problems = unsupported(notebook.read_text(), notebook.name)
    assert not problems, f"{notebook.name}: numbers the notebook does not show:\n" + "\n".join(
        problems
    )


def test_every_reviewed_number_is_still_in_its_notebook():
    for name, number in REVIEWED:
        text = "\n".join(
            "".join(cell["source"])
            for cell in json.loads((ROOT / "chapters" / name).read_text())["cells"]
            if cell["cell_type"] == "markdown"
        )
        assert number in text, f"{name}: {number} is on the reviewed list but not in the prose"


def _notebook(markdown: str, output: str) -> str:
    cells = [
        {"cell_type": "code", "source": ["print(accuracy)"], "outputs": [{"text": [output]}]},
        {"cell_type": "markdown", "source": [markdown]},
    ]
    return json.dumps({"cells": cells})


def test_a_stale_sentence_fails():
    stale = _notebook("The model scored 0.9906 on the test set.", "Test accuracy: 0.9900\n")
    assert unsupported(stale, "made_up.ipynb") == [
        "0.9906: The model scored 0.9906 on the test set."
    ]


def test_rounding_percentages_years_issues_and_worked_arithmetic_are_read_as_written():
    current = _notebook(
        "It scored 0.99, that is 99 % (Smith, 2015; issue 12345), and 2 times 0.9906 = 1.9812.",
        "Test accuracy: 0.9906 in 2 runs\n",
    )
    assert unsupported(current, "made_up.ipynb") == []
    assert unsupported(_notebook("It scored 98 %.", "0.9906"), "x.ipynb") == ["98: It scored 98 %."]
