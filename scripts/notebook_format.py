"""The one canonical way the book's notebooks are stored, with a check and a fix.

    python scripts/notebook_format.py check    # exit 1 and list every problem
    python scripts/notebook_format.py fix      # rewrite what can be rewritten

A stored notebook is canonical when:

- it is nbformat 4.5 with unique cell ids, written the way ``nbformat.write`` writes it;
- its metadata holds only the kernelspec, the language (no Python version: that is the
  machine's, not the notebook's) and, where it shows widgets, their saved state;
- cells carry no metadata but known ``tags`` (no execution timings, collapsed/scrolled flags);
- it was executed top to bottom in one kernel: execution counts run 1, 2, 3, ... and no code
  cell is left unexecuted;
- the saved widget state holds only the widgets that an output displays (and the layouts,
  styles and children they refer to), and stays under a size limit;
- every chapter opens with the Colab setup cell generated from ``_config.yml``, where the
  repository URL is set once (``repository.url`` and ``repository.branch``).

``fix`` inserts or updates the setup cell and normalises metadata and widget state; after
it changed a cell's source, re-execute the notebook (``make execute``).
``scripts/execute_notebooks.py`` applies the same normalisation to every notebook it saves.
"""

from __future__ import annotations

import argparse
import json
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


def book_repository(root: Path = ROOT) -> tuple[str, str]:
    """(url, branch) of the book's public repository, from ``_config.yml``: the one place."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    repository = config.get("repository") or {}
    url, branch = repository.get("url"), repository.get("branch")
    if not url or not branch:
        raise ValueError("_config.yml: repository.url and repository.branch must both be set")
    return url.rstrip("/"), branch


def colab_setup_source(root: Path = ROOT) -> str:
    """The source of the first code cell of every chapter."""
    url, branch = book_repository(root)
    return (
        "# Colab only: install the book's helpers. --no-deps: Colab's own TensorFlow stays.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet --no-deps "git+{url}@{branch}"\n'
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
    """Insert or update a chapter's Colab setup cell. True when its source changed."""
    source = colab_setup_source(root)
    existing = [cell for cell in nb.cells if cell.get("id") == SETUP_CELL_ID]
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


def normalise(nb, path: Path, root: Path = ROOT) -> bool:
    """Apply every fixable rule in place. True when a cell's source changed (re-execute)."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    widgets = nb.metadata.get("widgets")
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    if widgets:
        nb.metadata["widgets"] = widgets
    prune_widget_state(nb)
    for cell in nb.cells:
        tags = cell.metadata.get("tags")
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
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
        keys = set(cell.metadata) - {"tags"}
        if keys:
            found.append(f"cell {number}: metadata {sorted(keys)}")
        unknown = set(cell.metadata.get("tags", [])) - ALLOWED_TAGS
        if unknown:
            found.append(f"cell {number}: unknown tags {sorted(unknown)}")
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
        elif first.source != colab_setup_source(root):
            found.append("the Colab setup cell differs from the one _config.yml gives (run fix)")
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
                print(f"{path.name}: the Colab setup cell changed; re-execute it (make execute)")
            nbformat.write(nb, path)
        return 0
    found = [line for path in paths for line in problems(path)]
    print("\n".join(found) if found else f"{len(paths)} notebooks are in canonical format")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
