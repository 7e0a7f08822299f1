"""helpers.versions: the supported range, tied to the two pinned sets that test it; every
chapter prints the check, and the book build skips the venvs that test the range."""

import json
import re
from pathlib import Path

from helpers import page, versions

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pinned(path: Path, package: str) -> tuple[int, int]:
    found = re.search(rf"^{package}==(\S+)", path.read_text(), re.MULTILINE)
    assert found, f"{path.name} pins no {package}"
    return versions.major_minor(found.group(1))


def test_the_range_runs_from_the_colab_set_to_the_pinned_set():
    lab, colab = ROOT / "requirements-lab.in", ROOT / "requirements-colab.in"
    assert versions.SUPPORTED["TensorFlow"] == (
        _pinned(colab, "tensorflow-cpu"),
        _pinned(lab, "tensorflow-cpu"),
    )
    assert versions.SUPPORTED["Keras"] == (_pinned(colab, "keras"), _pinned(lab, "keras"))


def test_installed_versions_are_supported_and_print_one_line():
    line = versions.check_versions()
    assert re.fullmatch(r"TensorFlow \S+, Keras \S+", line)


@pytest.mark.parametrize(
    "tf, keras", [("2.19.0", "3.10.0"), ("2.21.0", "3.15.1"), ("2.20.1", "3.12.0")]
)
def test_inside_the_range_only_the_versions(tf, keras):
    assert versions.check_versions(tf, keras) == f"TensorFlow {tf}, Keras {keras}"


@pytest.mark.parametrize(
    "tf, keras, warning",
    [
        ("2.18.1", "3.10.0", "older than supported"),
        ("2.19.0", "3.9.2", "older than supported"),
        ("2.16.1", "3.99.0", "older than supported"),
        ("2.22.0", "3.15.1", "newer than tested"),
        ("2.21.0", "3.16.0rc0", "newer than tested"),
        ("3.0.0", "4.0.0", "newer than tested"),
    ],
)
def test_outside_the_range_a_second_line_says_so(tf, keras, warning):
    first, second = versions.check_versions(tf, keras).splitlines()
    assert first == f"TensorFlow {tf}, Keras {keras}"
    assert second == f"Warning: {warning} (TensorFlow 2.19 to 2.21, Keras 3.10 to 3.15)."
    assert len(second) <= page.WIDTH


@pytest.mark.parametrize(
    "version, error",
    [
        ("", ValueError),
        ("two", ValueError),
        ("2", ValueError),
        (None, TypeError),
        (2.19, TypeError),
    ],
)
def test_a_version_that_cannot_be_read_is_refused(version, error):
    with pytest.raises(error, match=r"version="):
        versions.major_minor(version)


def test_major_minor_reads_prereleases():
    assert versions.major_minor("3.10.0.dev2025") == (3, 10)
    assert versions.major_minor("2.19.0rc1") == (2, 19)


@pytest.mark.parametrize(
    "notebook", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.name
)
def test_every_chapter_prints_the_version_check_in_its_imports(notebook):
    code = [
        cell for cell in json.loads(notebook.read_text())["cells"] if cell["cell_type"] == "code"
    ]
    shown = [cell for cell in code if "remove-cell" not in cell["metadata"].get("tags", [])]
    first = "".join(shown[0]["source"])
    assert "from helpers.versions import check_versions" in first
    assert "print(check_versions())" in first, f"{notebook.name}: its first cell checks no versions"


def test_the_book_build_skips_every_virtual_environment_the_makefile_creates():
    # a venv holds package READMEs that a book build would otherwise try to include
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    venvs = re.findall(r"^\w*VENV := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert ".venv-colab" in venvs
    assert set(venvs) <= set(config["exclude_patterns"])


def test_the_python_floor_is_one_and_the_readme_states_it():
    pyproject = (ROOT / "pyproject.toml").read_text()
    floor = re.search(r'^requires-python = ">=(3\.\d+)"', pyproject, re.MULTILINE).group(1)
    assert f"Python {floor}+" in (ROOT / "README.md").read_text()
    # numpy 2.4, pinned in requirements-lab.in, installs on 3.11 and later only
    assert versions.major_minor(floor) >= (3, 11)
