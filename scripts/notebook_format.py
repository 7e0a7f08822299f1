"""The one canonical way the book's notebooks are stored, with a check and a fix.

    python scripts/notebook_format.py check    # exit 1 and list every problem
    python scripts/notebook_format.py fix      # rewrite what can be rewritten

A stored notebook is canonical when:

- it is nbformat 4.5 with unique cell ids, written the way ``nbformat.write`` writes it;
- its metadata holds only the kernelspec, the language (no Python version: that is the
  machine's, not the notebook's) and, where it shows widgets, their saved state;
- cells carry no metadata but known ``tags`` (no execution timings, collapsed/scrolled flags),
  except that a cell tagged ``hide-input`` (code hidden in the book) also has its code hidden
  in JupyterLab, which reads ``jupyter.source_hidden``;
- it was executed top to bottom in one kernel: execution counts run 1, 2, 3, ... and no code
  cell is left unexecuted;
- the saved widget state holds only the widgets that an output displays (and the layouts,
  styles and children they refer to), and stays under a size limit;
- every chapter opens with the Colab setup cell generated from ``_config.yml``, where the
  repository URL is set once (``repository.url`` and ``repository.branch``); it installs
  ``helpers`` pinned to the commit that last changed ``helpers/`` or ``pyproject.toml``, so a
  notebook always gets the helpers it was written against, whenever it is opened;
- no output holds TensorFlow's C++ start-up log (the oneDNN banner, which
  ``TF_CPP_MIN_LOG_LEVEL`` does not silence): ``fix`` and ``make execute`` strip it.

``fix`` inserts or updates the setup cell and normalises metadata, outputs and widget state.
The setup cell does nothing outside Colab, so updating it leaves the stored outputs valid.
After committing a change to ``helpers/``, run ``fix`` and commit the notebooks' new pins
(CONTRIBUTING.md, "Changing helpers").
``scripts/execute_notebooks.py`` applies the same normalisation to every notebook it saves.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = "chapters"
DEFAULT_NOTEBOOKS = ["chapters/*.ipynb", "tests/notebooks/*.ipynb"]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
ALLOWED_TAGS = {
    "nbval-ignore-output",
    "nbval-skip",
    "remove-cell",
    "remove-input",
    "remove-output",
    "hide-input",
    "hide-output",
    "hide-cell",
}
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Largest saved widget state allowed in one notebook: the chapters' explorers need a few KB.
MAX_WIDGET_STATE_BYTES = 100_000

SETUP_CELL_ID = "colab-setup"
SETUP_CELL_TAGS = ["remove-cell"]
# What pip installs from the repository: a change to these moves the Colab pin.
HELPERS_PATHS = ["helpers", "pyproject.toml"]
_PIN = re.compile(r'"git\+\S+@([0-9a-f]{40}|[\w./-]+)"')

# TensorFlow's C++ start-up log, written to stderr before absl's logging starts, so that
# TF_CPP_MIN_LOG_LEVEL cannot silence it (TF 2.21): the oneDNN banner and the CPU-feature note.
STARTUP_LOG = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|I\d{4} [\d:.]+ +\d+ port\.cc:\d+\] oneDNN custom operations are on\..*"
    r"|I\d{4} [\d:.]+ +\d+ cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized.*"
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate "
    r"compiler flags\.)\n?",
    re.MULTILINE,
)


def book_repository(root: Path = ROOT) -> tuple[str, str]:
    """(url, branch) of the book's public repository, from ``_config.yml``: the one place."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    repository = config.get("repository") or {}
    url, branch = repository.get("url"), repository.get("branch")
    if not url or not branch:
        raise ValueError("_config.yml: repository.url and repository.branch must both be set")
    return url.rstrip("/"), branch


def helpers_revision(root: Path = ROOT) -> str | None:
    """The commit that last changed ``helpers/`` or ``pyproject.toml``, or None where git
    cannot tell: no repository at ``root``, or a shallow clone (its history is cut)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, check=True)  # fmt: skip
        except (OSError, subprocess.CalledProcessError):
            return None
        return done.stdout.strip()

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != root.resolve():
        return None
    if git("rev-parse", "--is-shallow-repository") != "false":
        return None
    return git("log", "-1", "--format=%H", "--", *HELPERS_PATHS) or None


def pinned_revision(source: str) -> str | None:
    """The revision a setup cell's ``%pip install`` pins, or None."""
    found = _PIN.search(source)
    return found.group(1) if found else None


def colab_setup_source(root: Path = ROOT, revision: str | None = None) -> str:
    """The source of the first code cell of every chapter: ``helpers`` at ``revision``
    (default: :func:`helpers_revision`, else the branch in ``_config.yml``)."""
    url, branch = book_repository(root)
    revision = revision or helpers_revision(root) or branch
    return (
        "# Colab only: the book's helpers; --no-deps keeps Colab's own TensorFlow.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet --no-deps "git+{url}@{revision}"\n'
        "    from helpers.runtime import describe_gpu\n"
        "\n"
        "    print(describe_gpu())"
    )


def is_chapter(path: Path, root: Path = ROOT) -> bool:
    return path.resolve().parent == (root / CHAPTERS).resolve()


def _referenced_models(value):
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        yield value.removeprefix("IPY_MODEL_")
    elif isinstance(value, dict):
        for item in value.values():
            yield from _referenced_models(item)
    elif isinstance(value, list):
        for item in value:
            yield from _referenced_models(item)


def displayed_models(nb) -> list[str]:
    """Model ids of the widgets that the notebook's outputs display."""
    return [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if WIDGET_VIEW in output.get("data", {})
    ]


def reachable_models(nb) -> set[str]:
    """Displayed widgets and every model they refer to (layouts, styles, children)."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    seen, todo = set(), displayed_models(nb)
    while todo:
        model_id = todo.pop()
        if model_id in seen or model_id not in state:
            continue
        seen.add(model_id)
        todo.extend(_referenced_models(state[model_id]["state"]))
    return seen


def prune_widget_state(nb) -> None:
    """Keep the saved state of the displayed widgets (and what they refer to), nothing else."""
    saved = nb.metadata.get("widgets", {}).get(WIDGET_STATE)
    keep = reachable_models(nb)
    if not saved or not keep:
        nb.metadata.pop("widgets", None)
        return
    state = {model_id: saved["state"][model_id] for model_id in sorted(keep)}  # all saved
    nb.metadata["widgets"] = {WIDGET_STATE: {**saved, "state": state}}


def sync_setup_cell(nb, root: Path = ROOT) -> bool:
    """Insert or update a chapter's Colab setup cell. True when its source changed. Where git
    cannot tell the helpers' revision, an existing cell keeps the revision it pins."""
    existing = [cell for cell in nb.cells if cell.get("id") == SETUP_CELL_ID]
    kept = pinned_revision(existing[0].source) if existing else None
    source = colab_setup_source(root, helpers_revision(root) or kept)
    if existing:
        cell = existing[0]
        changed = cell.source != source
    else:
        cell = nbformat.v4.new_code_cell(source)
        cell.id = SETUP_CELL_ID
        first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells.insert(first_code, cell)
        changed = True
    cell.source = source
    cell.metadata = {"tags": list(SETUP_CELL_TAGS)}
    return changed


def strip_startup_log(nb) -> None:
    """Remove TensorFlow's C++ start-up log from every stderr output, and outputs it empties."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                output.text = STARTUP_LOG.sub("", output.text)
                if not output.text:
                    continue
            kept.append(output)
        cell.outputs = kept


def _cell_metadata(tags) -> dict:
    """The only metadata a cell keeps: its tags, and JupyterLab's hidden-code flag for a
    ``hide-input`` cell, so that its code is collapsed there as it is in the book."""
    metadata = {"tags": list(tags)} if tags else {}
    if tags and "hide-input" in tags:
        metadata["jupyter"] = {"source_hidden": True}
    return metadata


def normalise(nb, path: Path, root: Path = ROOT) -> bool:
    """Apply every fixable rule in place. True when the Colab setup cell changed; it prints
    nothing outside Colab, so the stored outputs stay valid."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    widgets = nb.metadata.get("widgets")
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    if widgets:
        nb.metadata["widgets"] = widgets
    prune_widget_state(nb)
    strip_startup_log(nb)
    for cell in nb.cells:
        tags = cell.metadata.get("tags")
        cell.metadata = nbformat.from_dict(_cell_metadata(tags))
    return sync_setup_cell(nb, root) if is_chapter(path, root) else False


def problems(path: Path, root: Path = ROOT) -> list[str]:
    """Everything that keeps a stored notebook from being canonical, one line each."""
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    found = []
    if (nb.nbformat, nb.nbformat_minor) != (4, 5):
        found.append(f"nbformat {nb.nbformat}.{nb.nbformat_minor}, expected 4.5")
    ids = [cell.get("id") for cell in nb.cells]
    if None in ids or len(set(ids)) != len(ids):
        found.append("cell ids are missing or repeated")
    extra = set(nb.metadata) - {"kernelspec", "language_info", "widgets"}
    if extra:
        found.append(f"notebook metadata has {sorted(extra)}")
    if nb.metadata.get("kernelspec") != KERNELSPEC:
        found.append(f"kernelspec is {nb.metadata.get('kernelspec')}, expected {KERNELSPEC}")
    if nb.metadata.get("language_info") != LANGUAGE_INFO:
        found.append("language_info is not the canonical one (no Python version)")
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for number, cell in enumerate(nb.cells, start=1):
        expected = _cell_metadata(cell.metadata.get("tags"))
        if cell.metadata != expected:
            found.append(f"cell {number}: metadata {dict(cell.metadata)}, expected {expected}")
        unknown = set(cell.metadata.get("tags", [])) - ALLOWED_TAGS
        if unknown:
            found.append(f"cell {number}: unknown tags {sorted(unknown)}")
        streams = [o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr"]
        if any(STARTUP_LOG.search(text) for text in streams):
            found.append(f"cell {number}: an output holds TensorFlow's start-up log (run fix)")
    counts = [cell.execution_count for cell in code_cells]
    if counts != list(range(1, len(code_cells) + 1)):
        found.append(
            "execution counts are not 1, 2, 3, ...: execute the notebook top to bottom in a "
            "fresh kernel (make execute)"
        )
    saved = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    orphans = set(saved) - reachable_models(nb)
    if orphans:
        found.append(f"widget state keeps {len(orphans)} model(s) that no output displays")
    size = len(json.dumps(nb.metadata.get("widgets", {})))
    if size > MAX_WIDGET_STATE_BYTES:
        found.append(f"widget state is {size:,} bytes, more than {MAX_WIDGET_STATE_BYTES:,}")
    if is_chapter(path, root):
        first = code_cells[0] if code_cells else None
        if first is None or first.get("id") != SETUP_CELL_ID:
            found.append(f"the first code cell is not the Colab setup cell (id {SETUP_CELL_ID!r})")
        elif first.source != colab_setup_source(
            root, helpers_revision(root) or pinned_revision(first.source)
        ):
            found.append(
                "the Colab setup cell differs from the one _config.yml and the helpers' last "
                "commit give (run fix)"
            )
        elif first.metadata.get("tags") != SETUP_CELL_TAGS:
            found.append(f"the Colab setup cell must be tagged {SETUP_CELL_TAGS}")
    if not found and text != nbformat.writes(nb) + "\n":
        found.append("not written as nbformat writes it (indent 1, sorted keys): run fix")
    shown = path.resolve().relative_to(root) if path.resolve().is_relative_to(root) else path
    return [f"{shown}: {line}" for line in found]


def _paths(args: list[str]) -> list[Path]:
    patterns = args or DEFAULT_NOTEBOOKS
    paths = []
    for pattern in patterns:
        matched = sorted(ROOT.glob(pattern)) if "*" in pattern else [Path(pattern)]
        paths.extend(matched)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["check", "fix"])
    parser.add_argument("notebooks", nargs="*", help=f"default: {' '.join(DEFAULT_NOTEBOOKS)}")
    args = parser.parse_args(argv)
    paths = _paths(args.notebooks)
    if args.action == "fix":
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            if normalise(nb, path):
                print(f"{path.name}: the Colab setup cell was updated")
            nbformat.write(nb, path)
        return 0
    found = [line for path in paths for line in problems(path)]
    print("\n".join(found) if found else f"{len(paths)} notebooks are in canonical format")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
