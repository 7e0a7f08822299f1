"""The book's benchmarks: every figure a ratio of two variants measured side by side.

    python -m benchmarks                       # every default suite (about 17 min on 2 cores)
    python -m benchmarks --suites layer separable
    python -m benchmarks --suites test_command # times `make test`'s steps (about 5 min)

Absolute times on a shared machine drift, so each figure is a ratio: the variants alternate
(A B A B ...) inside each child process, the CPU code paths alternate between child processes
(Eigen, oneDNN, Eigen, oneDNN), and the ratio is taken between the medians. Each suite's
results replace that suite's entry in ``benchmarks/results.json``, with the machine (CPU model,
cores, the default code path, TensorFlow and Keras versions) and the date; ``make execute``
adds each notebook's full-mode wall time to the same file. The book's appendix A renders it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from helpers.cpu_paths import PATHS, VARIABLE

from benchmarks import SEPARABLE_SHAPE
from benchmarks.results import RESULTS, machine, write

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUITES = ("training", "layer", "separable", "notebooks")
ALL_SUITES = (*DEFAULT_SUITES, "test_command")
# Images per timed epoch: about 1-3 s each on 2 cores.
IMAGES = {"chapter1": 6400, "chapter2": 1280}


def child(args: list[str], code_path: str | None = None, timeout: float = 1800) -> dict:
    """Run ``python -m benchmarks.workloads ARGS`` in a fresh process; return its JSON line.

    ``code_path`` ('Eigen' or 'oneDNN') sets ``TF_ENABLE_ONEDNN_OPTS``; None leaves the
    machine's default. The child sees no GPU.
    """
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="3")
    env.pop(VARIABLE, None)
    if code_path is not None:
        env[VARIABLE] = PATHS[code_path]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.workloads", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"benchmark child {args} failed ({done.returncode}):\n{tail}")
    return json.loads(lines[-1])


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """The ratio of the two medians, rounded to 3 decimals.

    >>> median_ratio([2.0, 4.0, 3.0], [1.0, 1.0, 2.0])
    3.0
    """
    if not numerator or not denominator:
        raise ValueError("median_ratio: expected two non-empty lists of measurements")
    return round(statistics.median(numerator) / statistics.median(denominator), 3)


def alternating_paths(processes: int) -> list[str]:
    """Eigen, oneDNN, Eigen, oneDNN, ...: ``processes`` children per path, interleaved.

    >>> alternating_paths(2)
    ['Eigen', 'oneDNN', 'Eigen', 'oneDNN']
    """
    if isinstance(processes, bool) or not isinstance(processes, int) or processes < 1:
        raise ValueError(f"processes={processes!r}: expected a positive integer")
    return [path for _ in range(processes) for path in PATHS]


def _pooled(runs: list[dict], key: str) -> dict[str, dict[str, list[float]]]:
    """{code path: {variant: every measurement of that variant on that path}}."""
    pooled: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        for name, values in run[key].items():
            pooled.setdefault(run["code_path"], {}).setdefault(name, []).extend(values)
    return pooled


def suite_training(processes: int, rounds: int) -> dict:
    """Chapters 1 and 2's models: input pipeline, code path and XLA, as throughput ratios."""
    results = {}
    for model in IMAGES:
        runs = []
        for path in alternating_paths(processes):
            args = ["training", "--model", model, "--rounds", str(rounds)]
            runs.append(child([*args, "--images", str(IMAGES[model])], path))
            print(f"  {model} on {path}: done", flush=True)
        pooled = _pooled(runs, "images_per_s")
        feed, chapter = runs[0]["feed"], runs[0]["chapter_variant"]
        entry = {"feed": feed, "chapter_variant": chapter, "images_per_epoch": IMAGES[model]}
        entry["paths"] = {}
        for path, variants in pooled.items():
            entry["paths"][path] = {
                "median_images_per_s": {
                    k: round(statistics.median(v)) for k, v in variants.items()
                },
                "all_images_per_s": {k: [round(x) for x in v] for k, v in variants.items()},
                "fit_over_ceiling": median_ratio(variants[chapter], variants["step_in_memory"]),
                "xla_over_no_xla": median_ratio(variants[f"{feed}_xla"], variants[feed]),
                "spe16_over_spe1": median_ratio(variants[f"{feed}_spe16"], variants[feed]),
            }  # fmt: skip
            for size in (128, 256, 512):
                if f"{feed}_batch{size}" in variants:
                    entry["paths"][path][f"batch{size}_over_batch64"] = median_ratio(
                        variants[f"{feed}_batch{size}"], variants[feed]
                    )
            if "fit_numpy" in variants:
                entry["paths"][path]["tfdata_over_numpy"] = median_ratio(
                    variants["fit_tfdata"], variants["fit_numpy"]
                )
        entry["onednn_over_eigen"] = median_ratio(
            pooled["oneDNN"][chapter], pooled["Eigen"][chapter]
        )  # images per second: above 1 means oneDNN trains faster
        results[model.replace("chapter", "chapter ")] = entry
    return {"models": results}


def suite_layer(processes: int, rounds: int) -> dict:
    """Chapter 7's NNConv2D against Conv2D: time ratios (above 1: NNConv2D is slower)."""
    runs = [child(["layer", "--rounds", str(rounds * 10)], p) for p in alternating_paths(processes)]
    results = {}
    for path, ms in _pooled(runs, "ms").items():
        results[path] = {
            kind: {
                "Conv2D_ms": round(statistics.median(ms[f"Conv2D {kind}"]), 3),
                "NNConv2D_ms": round(statistics.median(ms[f"NNConv2D {kind}"]), 3),
                "ratio": median_ratio(ms[f"NNConv2D {kind}"], ms[f"Conv2D {kind}"]),
            }
            for kind in ("forward", "forward+backward")
        }
    return {"paths": results}


def suite_separable(processes: int, rounds: int) -> dict:
    """Conv2D against SeparableConv2D: the time ratio next to the multiply-accumulate ratio."""
    from helpers.costs import conv_macs, separable_macs

    _, height, width, channels = SEPARABLE_SHAPE
    macs = {
        "Conv2D": conv_macs(
            height, width, kernel_size=3, in_channels=channels, out_channels=channels
        ),
        "SeparableConv2D": separable_macs(
            height, width, kernel_size=3, in_channels=channels, out_channels=channels
        ),
    }
    runs = [
        child(["separable", "--rounds", str(rounds * 5)], p) for p in alternating_paths(processes)
    ]
    results = {
        "input": list(SEPARABLE_SHAPE),
        "macs_per_image": macs,
        "mac_ratio": round(macs["Conv2D"] / macs["SeparableConv2D"], 3),
        "paths": {},
    }
    for path, ms in _pooled(runs, "ms").items():
        results["paths"][path] = {
            "Conv2D_ms": round(statistics.median(ms["Conv2D"]), 2),
            "SeparableConv2D_ms": round(statistics.median(ms["SeparableConv2D"]), 2),
            "time_ratio": median_ratio(ms["Conv2D"], ms["SeparableConv2D"]),
        }
    return results


def suite_notebooks() -> dict:
    """Every chapter executed in test mode in a fresh kernel (not saved): wall seconds."""
    import nbformat
    from nbclient import NotebookClient

    env_before = os.environ.get("CNN_BOOK_TEST_MODE")
    os.environ["CNN_BOOK_TEST_MODE"] = "1"
    times = {}
    try:
        for path in sorted((ROOT / "chapters").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            where = {"metadata": {"path": str(path.parent)}}
            NotebookClient(nb, timeout=900, kernel_name="python3", resources=where).execute()
            times[path.name] = round(time.perf_counter() - start, 1)
            print(f"  {path.name}: {times[path.name]} s", flush=True)
    finally:
        if env_before is None:
            os.environ.pop("CNN_BOOK_TEST_MODE")
        else:
            os.environ["CNN_BOOK_TEST_MODE"] = env_before
    return {"test_mode_seconds": times}


def suite_test_command() -> dict:
    """`make test`'s steps after the install, each timed, and the whole."""
    steps = ["unit", "lint", "nbval", "strict-build", "browser-test"]
    seconds = {}
    for step in steps:
        start = time.perf_counter()
        subprocess.run(["make", "--no-print-directory", step], cwd=ROOT, check=True)
        seconds[step] = round(time.perf_counter() - start)
    return {"seconds": seconds, "total_seconds": sum(seconds.values())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--suites", nargs="+", choices=ALL_SUITES, default=list(DEFAULT_SUITES))
    parser.add_argument("--processes", type=int, default=2, help="child processes per code path")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every variant per child")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error(f"--processes={args.processes}: expected at least 1")
    if args.rounds < 1:
        parser.error(f"--rounds={args.rounds}: expected at least 1")
    about = machine()
    print(f"machine: {about}", flush=True)
    for suite in args.suites:
        print(f"{suite} ...", flush=True)
        start = time.perf_counter()
        if suite == "training":
            result = suite_training(args.processes, args.rounds)
        elif suite == "layer":
            result = suite_layer(args.processes, args.rounds)
        elif suite == "separable":
            result = suite_separable(args.processes, args.rounds)
        elif suite == "notebooks":
            result = suite_notebooks()
        else:
            result = suite_test_command()
        result["suite_seconds"] = round(time.perf_counter() - start)
        write(suite, result, args.out, about)
        print(f"{suite}: {json.dumps(result)}", flush=True)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
