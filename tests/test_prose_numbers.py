"""Every number in a chapter's prose is evidence from the same notebook: a number printed in its
stored outputs (after rounding to the digits the prose writes; a percentage as a fraction), a
constant in its code (not for a time: "94 s" must be printed), the result of arithmetic
written out in the sentence ("... = 832"), or an entry of REVIEWED below, a cited or derived
figure with its source. Years and issue numbers are not figures. A re-execution that changes
an output the prose quotes fails here, naming the notebook and the sentence."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))

# notebook -> (number as written, a phrase of its sentence, where the number comes from)
REVIEWED = {
    "01_first_cnn.ipynb": [
        ("70,000", "MNIST holds", "MNIST's 60,000 + 10,000 images, both printed"),
    ],
    "02_batch_normalization.ipynb": [
        ("0.023", "ahead", "0.580 - 0.557, both printed"),
        ("2.303", "ln 10", "ln 10, written out in the sentence"),
        ("100", "last 100 steps", "1 / (1 - momentum 0.99): the window of the average"),
        ("24", "24 bits", "float32's significand bits (IEEE 754)"),
    ],
    "04_strides_and_padding.ipynb": [
        ("12", "padded to 12", "the padded size, 10 + 2, of the example"),
        ("34", "(34", "the exercise's ⌈100 / 3⌉, worked out just before"),
    ],
    "05_dilation.ipynb": [
        ("18", "+ 18 =", "2 x the exercise's third rate, 9: what that layer adds"),
    ],
    "06_depthwise_separable.ipynb": [
        ("7", "7%", "9 / (9 + 128): the depthwise share of the MACs"),
        ("95", "held 95 %", "MobileNets (Howard et al., 2017), Table 2: 1x1 convolutions, 94.86 %"),
    ],
    "appendix_a_speed.ipynb": [
        ("99.04", "repository reports 99.04", "tuomaso/train_mnist_fast's README, its record"),
        ("0.76", "0.76 s", "tuomaso/train_mnist_fast's README, its record"),
        ("52", "2 min 52 s", "tuomaso/train_mnist_fast's README: 2 min 52 s"),
        ("94", "CIFAR-10 in under", "KellerJordan/cifar10-airbench's README"),
        ("3.3", "3.3 s", "KellerJordan/cifar10-airbench's README"),
        ("54,000", "54,000", "chapter 1's validation_split=0.1 of 60,000"),
        ("6,000", "6,000", "chapter 1's validation_split=0.1 of 60,000"),
        ("56", "standard one at 56", "chapter 6's layer, 56x56x128 in the benchmark's name"),
        ("30", "30 minutes", "the book's budget for make execute (CONTRIBUTING.md)"),
        ("2,000", "2,000 resamples", "benchmarks/__main__.py, paired_ratio: the bootstrap's size"),
        ("2.5", "2.5 %", "a 95 % interval leaves out 2.5 % on each side"),
    ],
    "appendix_b_distribute.ipynb": [
        ("8,192", "batches of 8,192", "Goyal et al. (2017), their largest batch"),
        ("7,503", "7,503 of the training", "chapter 2's training images, printed there"),
        ("0.6205", "scored 0.6205", "chapter 2's test accuracy, printed there"),
    ],
}

# A number: digits with optional thousands commas and decimals, not part of a word or a name
# (conv2d, float32, x86, ResNet-50) and not a version's or a date's middle.
NUMBER = re.compile(
    r"(?<![\w.\-/^])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w]|\.\d|,\d{3})( ?%)?"
)
TIME = re.compile(r"\s(?:s|ms|min)\b")  # a time is measured: only an output can show it
# What is not prose: code blocks and spans, link targets, HTML tags, LaTeX; and what is not a
# figure: years, issue and pull-request numbers.
NOT_FIGURES = re.compile(
    r"```.*?```|`[^`\n]*`|\]\([^)]*\)|<[^>]+>|\$[^$\n]+\$"
    r"|\b(?:19|20)\d\d\b|#\d+|\bissues? \d+(?:,? (?:and )?\d+)*",
    re.DOTALL,
)
EQUATION_RESULT = re.compile(r"=\s*$")


def figures(markdown: str) -> list[tuple[str, bool, bool, str]]:
    """(number as written, a percentage?, a time?, its sentence) for every figure."""
    found = []
    prose = NOT_FIGURES.sub(lambda m: "…" if m.group().startswith("`") else " ", markdown)
    for sentence in re.split(r"(?<=[.:;!?])\s+", prose):
        for match in NUMBER.finditer(sentence):
            if EQUATION_RESULT.search(sentence[: match.start()]):
                continue  # worked out in the sentence itself
            is_time = bool(TIME.match(sentence, match.end()))
            text = " ".join(sentence.split())
            found.append((match.group(1), bool(match.group(2)), is_time, text))
    return found


def _numbers(texts: list[str]) -> set[float]:
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?", "\n".join(texts))
    return {float(number.replace(",", "")) for number in numbers}


def shown_numbers(cells: list[dict]) -> tuple[set[float], set[float]]:
    """The numbers of the code cells' stored outputs, and those of their sources."""
    outputs, sources = [], []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        sources.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            outputs.append("".join(output.get("text", "")))
            outputs.append("".join(data.get("text/markdown", data.get("text/plain", ""))))
    return _numbers(outputs), _numbers(sources)


def supported(number: str, percent: bool, shown: set[float]) -> bool:
    value = float(number.replace(",", ""))
    digits = len(number.split(".")[1]) if "." in number else 0
    if percent:
        value, digits = value / 100, digits + 2
    return any(abs(round(x, digits) - value) < 0.5 * 10**-digits for x in shown)


def reviewed(name: str, number: str, sentence: str) -> bool:
    return any(
        number == figure and phrase in sentence for figure, phrase, _ in REVIEWED.get(name, [])
    )


def unsupported(notebook_json: str, name: str) -> list[str]:
    cells = json.loads(notebook_json)["cells"]
    outputs, sources = shown_numbers(cells)
    problems = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for number, percent, is_time, sentence in figures("".join(cell["source"])):
            shown = outputs if is_time else outputs | sources
            if reviewed(name, number, sentence) or supported(number, percent, shown):
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
    for name, rows in REVIEWED.items():
        text = "\n".join(
            "".join(cell["source"])
            for cell in json.loads((ROOT / "chapters" / name).read_text())["cells"]
            if cell["cell_type"] == "markdown"
        )
        for number, phrase, _ in rows:
            assert number in text and phrase in " ".join(text.split()), (
                f"{name}: {number} ({phrase!r}) is on the reviewed list but not in the prose"
            )


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
