"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python scripts/execute_notebooks.py chapters/*.ipynb

Used by `make execute` (full mode). Each notebook gets a new kernel. Before it runs, a
chapter's Colab setup cell is synced with _config.yml; after it, the notebook is saved in the
book's canonical format (scripts/notebook_format.py: no timings, no machine-specific
metadata, only the widget state that is displayed), so a re-run changes the file only where
an output changed. Prints the wall time of each notebook, and records it in
benchmarks/results.json (``notebooks_full``), which the book's appendix A shows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from notebook_format import normalise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's root
from helpers.cpu_paths import PATHS, VARIABLE
from helpers.runtime import is_test_mode

from benchmarks.results import record_notebook_time


def execute(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    normalise(nb, path)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    elapsed = time.perf_counter() - start
    normalise(nb, path)
    nbformat.write(nb, path)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed for one cell")
    args = parser.parse_args()
    total = 0.0
    for path in args.notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"{path}: not a notebook file")
        print(f"executing {path} ...", flush=True)
        seconds = execute(path, args.timeout)
        total += seconds
        print(f"  {path}: {seconds:.0f} s", flush=True)
        if path.parent.name == "chapters" and not is_test_mode():
            forced = {value: name for name, value in PATHS.items()}.get(os.environ.get(VARIABLE))
            record_notebook_time(path.name, seconds, forced or "the default")
    print(f"executed {len(args.notebooks)} notebook(s) in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
