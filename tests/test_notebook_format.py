"""scripts/notebook_format.py: the canonical notebook format, its check and its fix."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import tomllib
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import notebook_format as nf  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
ONEDNN_BANNER = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796099688.122112    2559 port.cc:153] oneDNN custom operations are on. You "
    "may see slightly different numerical results due to floating-point round-off errors from "
    "different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`.\n"
)


def _chapter(tmp_path: Path, widgets: bool = False) -> Path:
    """A small, canonical, executed chapter in a copy of the project's config."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter"), nbformat.v4.new_code_cell("1 + 1")]
    path = tmp_path / "chapters" / "01_x.ipynb"
    nf.normalise(nb, path, root=tmp_path)
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        cell.execution_count = count
    if widgets:
        view = {"model_id": "a" * 32, "version_major": 2, "version_minor": 0}
        nb.cells[-1].outputs = [
            nbformat.v4.new_output(
                "display_data", data={nf.WIDGET_VIEW: view, "text/plain": "VBox()"}
            )
        ]
        state = {
            "a" * 32: {"model_name": "VBoxModel", "state": {"layout": f"IPY_MODEL_{'b' * 32}"}},
            "b" * 32: {"model_name": "LayoutModel", "state": {}},
            "c" * 32: {"model_name": "IntSliderModel", "state": {}},  # displayed nowhere
        }
        nb.metadata["widgets"] = {
            nf.WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}
        }
    nbformat.write(nb, path)
    return path


def _problems(path: Path) -> list[str]:
    return [line.split(": ", 1)[1] for line in nf.problems(path, root=path.parent.parent)]


def test_a_normalised_executed_chapter_is_canonical(tmp_path):
    assert _problems(_chapter(tmp_path)) == []


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda nb: nb.cells[1].metadata.update(execution={"iopub.status.busy": "t"}),
         "metadata {'execution'"),
        (lambda nb: nb.cells[2].metadata.update(tags=["hide-input"]),
         "expected {'tags': ['hide-input'], 'jupyter': {'source_hidden': True}}"),
        (lambda nb: nb.cells[1].metadata.update(tags=["my-tag"]), "unknown tags ['my-tag']"),
        (lambda nb: nb.metadata.language_info.update(version="3.11.7"), "language_info"),
        (lambda nb: nb.metadata.update(colab={"provenance": []}), "notebook metadata has"),
        (lambda nb: setattr(nb.cells[2], "execution_count", 5), "execution counts"),
        (lambda nb: setattr(nb.cells[2], "execution_count", None), "execution counts"),
        (lambda nb: nb.cells.pop(1), "not the Colab setup cell"),
        (lambda nb: setattr(nb.cells[1], "source", nb.cells[1].source.replace("--no-deps ", "")),
         "differs from the one _config.yml and the helpers' last commit give"),
        (lambda nb: nb.cells[2].outputs.append(nbformat.v4.new_output(
            "stream", name="stderr", text=ONEDNN_BANNER)), "holds TensorFlow's start-up log"),
        (lambda nb: nb.cells[1].metadata.update(tags=["hide-input"]), "must be tagged"),
    ],
)  # fmt: skip
def test_check_finds_each_kind_of_damage(tmp_path, damage, expected):
    path = _chapter(tmp_path)
    nb = nbformat.read(path, as_version=4)
    damage(nb)
    nbformat.write(nb, path)
    found = _problems(path)
    assert any(expected in line for line in found), found


def test_fix_hides_the_code_of_a_hide_input_cell_in_jupyterlab_too(tmp_path):
    path = _chapter(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].metadata = nbformat.from_dict({"tags": ["hide-input"], "collapsed": True})
    nf.normalise(nb, path, root=tmp_path)
    assert nb.cells[2].metadata == {"tags": ["hide-input"], "jupyter": {"source_hidden": True}}
    nbformat.write(nb, path)
    assert _problems(path) == []


def test_check_finds_json_not_written_by_nbformat(tmp_path):
    path = _chapter(tmp_path)
    path.write_text(path.read_text().replace('\n "nbformat"', '\n\n "nbformat"'))
    assert any("not written as nbformat writes it" in p for p in _problems(path))


def test_widget_state_keeps_only_displayed_widgets(tmp_path):
    path = _chapter(tmp_path, widgets=True)
    assert any("1 model(s) that no output displays" in p for p in _problems(path))
    nb = nbformat.read(path, as_version=4)
    nf.normalise(nb, path, root=tmp_path)
    assert set(nb.metadata.widgets[nf.WIDGET_STATE]["state"]) == {"a" * 32, "b" * 32}
    nbformat.write(nb, path)
    assert _problems(path) == []


def test_widget_state_is_dropped_when_nothing_displays_a_widget(tmp_path):
    path = _chapter(tmp_path, widgets=True)
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].outputs = []
    nf.normalise(nb, path, root=tmp_path)
    assert "widgets" not in nb.metadata


def test_fix_updates_the_setup_cell_when_the_repository_moves(tmp_path):
    path = _chapter(tmp_path)
    config = yaml.safe_load((tmp_path / "_config.yml").read_text())
    config["repository"]["url"] = "https://github.com/someone/fork"
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    assert any("differs from the one _config.yml" in p for p in _problems(path))
    nb = nbformat.read(path, as_version=4)
    assert nf.normalise(nb, path, root=tmp_path) is True  # the setup cell changed
    setup = nb.cells[1]
    assert setup.id == nf.SETUP_CELL_ID
    assert '"git+https://github.com/someone/fork@main"' in setup.source
    assert nf.normalise(nb, path, root=tmp_path) is False


def test_missing_repository_is_a_clear_error(tmp_path):
    (tmp_path / "_config.yml").write_text("title: x\n")
    with pytest.raises(ValueError, match=r"repository\.url and repository\.branch"):
        nf.book_repository(tmp_path)


def test_setup_cell_does_nothing_outside_colab():
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(nf.colab_setup_source())
    assert "google.colab" not in sys.modules
    namespace = {}
    exec(compile(code, "<setup cell>", "exec"), namespace)  # get_ipython() is never reached
    assert "describe_gpu" not in namespace


def test_setup_cell_never_reinstalls_tensorflow():
    source = nf.colab_setup_source()
    install = next(line for line in source.splitlines() if "%pip install" in line)
    arguments = shlex.split(install.split("install", 1)[1])
    url, _ = nf.book_repository()
    revision = nf.helpers_revision() or nf.pinned_revision(source)
    # One requirement, the book's own repository, and none of its dependencies.
    assert [a for a in arguments if not a.startswith("-")] == [f"git+{url}@{revision}"]
    assert "--no-deps" in arguments
    # Even without --no-deps, pip would replace neither: TensorFlow is only an extra, and the
    # Keras floor is met by Colab's Keras (requirements-colab.in).
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not [d for d in dependencies if d.lower().startswith("tensorflow")]
    colab_keras = re.search(
        r"^keras==(\S+)", (ROOT / "requirements-colab.in").read_text(), re.MULTILINE
    ).group(1)
    keras = [Requirement(d) for d in dependencies if d.lower().startswith("keras")]
    assert keras, "pyproject.toml declares no keras"
    assert all(k.specifier.contains(colab_keras) for k in keras)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_opens_with_the_setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert first_code.id == nf.SETUP_CELL_ID
    pinned = nf.helpers_revision() or nf.pinned_revision(first_code.source)
    assert first_code.source == nf.colab_setup_source(revision=pinned)
    assert first_code.metadata.tags == ["remove-cell"]
    assert first_code.outputs == []  # locally the cell prints nothing


def test_the_real_startup_log_is_stripped_and_nothing_else():
    # What TensorFlow writes to stderr on import with oneDNN on, with the log level the book
    # sets: the banner TF_CPP_MIN_LOG_LEVEL=3 does not silence.
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    stderr = subprocess.run([sys.executable, "-c", "import tensorflow as tf; tf.constant(1)"],
                            env=env, capture_output=True, text=True, check=True).stderr  # fmt: skip
    assert "oneDNN custom operations are on" in stderr
    other = "UserWarning: a real warning a reader should see\n"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import tensorflow"), nbformat.v4.new_code_cell("x")]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stderr", text=stderr)]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=stderr + other),
        nbformat.v4.new_output("stream", name="stdout", text=stderr),
    ]
    nf.strip_startup_log(nb)
    assert nb.cells[0].outputs == []
    assert [o.text for o in nb.cells[1].outputs] == [other, stderr]  # stdout is left alone


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})  # fmt: skip
    out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                         text=True)  # fmt: skip
    return out.stdout.strip()


def test_the_setup_cell_pins_the_commit_that_last_changed_helpers(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "a.py").write_text("x = 1\n")
    _git(tmp_path, "add", "-A")
    first = _git(tmp_path, "commit", "-qm", "helpers")
    path = _chapter(tmp_path)
    assert nf.pinned_revision(nbformat.read(path, as_version=4).cells[1].source) == first
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "a chapter: the pin does not move")
    assert nf.helpers_revision(tmp_path) == first and _problems(path) == []
    (tmp_path / "helpers" / "a.py").write_text("x = 2\n")
    second = _git(tmp_path, "commit", "-qam", "helpers changed")
    assert any("helpers' last commit" in p for p in _problems(path))  # stale pin
    nb = nbformat.read(path, as_version=4)
    assert nf.normalise(nb, path, root=tmp_path) is True
    assert nf.pinned_revision(nb.cells[1].source) == second


def test_without_git_history_an_existing_pin_is_kept(tmp_path):
    path = _chapter(tmp_path)  # no repository: the branch from _config.yml
    nb = nbformat.read(path, as_version=4)
    assert nf.pinned_revision(nb.cells[1].source) == "main"
    nb.cells[1].source = nb.cells[1].source.replace("@main", "@" + "a" * 40)
    nbformat.write(nb, path)
    assert _problems(path) == []
    assert nf.normalise(nb, path, root=tmp_path) is False  # kept, not reset to the branch


def test_stored_chapters_pin_the_helpers_they_were_executed_with():
    revision = nf.helpers_revision()
    if revision is None:
        pytest.skip("a shallow clone or no git: the helpers' last commit is unknown here")
    for path in CHAPTERS:
        setup = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert nf.pinned_revision(setup.source) == revision, (
            f"{path.name} pins helpers at {nf.pinned_revision(setup.source)}, but they last "
            f"changed in {revision}: run `python scripts/notebook_format.py fix` and commit"
        )


@pytest.mark.parametrize(
    "notebook", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.name
)
def test_no_cell_shows_the_repr_of_a_matplotlib_call(notebook):
    # a cell that ends on fig.suptitle(...) or ax.plot(...) prints "Text(0.5, ...)" or
    # "[<matplotlib.lines.Line2D ...>]" under its figure
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            shown = "".join(output.get("data", {}).get("text/plain", ""))
            assert not shown.startswith(("Text(", "[<matplotlib", "<matplotlib")), (
                f"{notebook.name}: a cell shows {shown[:60]!r}; end it on a statement"
            )
