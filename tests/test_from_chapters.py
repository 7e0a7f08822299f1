"""helpers.from_chapters holds the chapters' definitions marked ``# @save``, exactly as the
chapters write them (scripts/save_chapter_code.py makes it)."""

from __future__ import annotations

import sys
from pathlib import Path

from helpers import from_chapters
from helpers.distributed import worker

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import save_chapter_code  # noqa: E402


def test_the_module_is_what_the_chapters_define_now(capsys):
    assert save_chapter_code.main(["--check"]) == 0, capsys.readouterr().err


def test_the_check_fails_when_the_module_and_the_chapters_differ(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "from_chapters.py"
    stale.write_text(save_chapter_code.module_source().replace('name="mnist_cnn"', 'name="x"'))
    monkeypatch.setattr(save_chapter_code, "TARGET", stale)
    assert save_chapter_code.main(["--check"]) == 1
    assert "run python scripts/save_chapter_code.py" in capsys.readouterr().err


def test_each_definition_names_the_chapter_that_teaches_it():
    source = Path(from_chapters.__file__).read_text()
    for name, chapter in [
        ("def build_mnist_cnn(", "01_first_cnn.ipynb"),
        ("def build_cnn(", "02_batch_normalization.ipynb"),
        ("class NNConv2D(", "07_custom_layers.ipynb"),
    ]:
        before = source[: source.index(name)]
        assert before.rsplit("# Defined in chapters/", 1)[1].startswith(chapter), name
    assert "# @save" not in source.split('"""', 2)[2]


def _notebook(tmp_path, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(notebook, path)
    return path


def test_only_marked_top_level_definitions_are_saved_with_their_decorators(tmp_path):
    path = _notebook(
        tmp_path,
        "@decorate\nclass A:  # @save\n    pass\n\n\ndef b():\n    pass",
        "def c(x):  # @save\n    return x\n\nc(1)",
    )
    assert save_chapter_code.saved_definitions(path) == [
        "@decorate\nclass A:\n    pass",
        "def c(x):\n    return x",
    ]


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("x = 1  # @save", "marks the first line of a top-level def or class"),
        ("def f():\n    def g():  # @save\n        pass", "marks the first line"),
        ("%time x = 1  # @save", "does not parse"),
    ],
)
def test_a_misplaced_mark_is_refused_with_the_notebook_name(tmp_path, source, fragment):
    with pytest.raises(ValueError, match=f"chapter.ipynb: .*{fragment}"):
        save_chapter_code.saved_definitions(_notebook(tmp_path, source))


def test_the_saved_models_and_layer_are_the_chapters():
    model = from_chapters.build_mnist_cnn()
    assert model.name == "mnist_cnn" and model.count_params() == 34_826
    model = from_chapters.build_cnn(bn=True, name="with_bn")
    assert model.name == "with_bn" and model.count_params() == 2_171_178
    synced = from_chapters.build_cnn(synchronized=True)
    norms = [layer for layer in synced.layers if "batch_normalization" in layer.name]
    assert len(norms) == 5 and all(layer.synchronized for layer in norms)
    assert from_chapters.NNConv2D(8, 3).get_config()["filters"] == 8


def test_appendix_b_worker_trains_chapter_2s_network():
    assert worker.build_cnn is from_chapters.build_cnn
