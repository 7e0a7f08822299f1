"""The book's benchmarks: every figure a ratio of two variants measured side by side.

    python -m benchmarks                       # every default suite (about 45 min on 2 cores)
    python -m benchmarks --suites layer separable
    python -m benchmarks --suites test_command # times `make test`'s steps (about 5 min)

Absolute times on a shared machine drift, so each figure is a ratio: inside each child process
every variant runs once per round, in an order shuffled afresh each round; a ratio is taken
between two variants of the same round (a pair), and the results give the median of the pairs
with their range. The CPU code paths alternate between child processes (Eigen, oneDNN, Eigen,
oneDNN). Each suite's
results replace that suite's entry in ``benchmarks/results.json``, with the machine (CPU model,
cores, the default code path, TensorFlow and Keras versions) and the date; ``make execute``
adds each notebook's full-mode wall time to the same file. The book's appendix A renders it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from helpers._checks import integer
from helpers.cpu_paths import PATHS, VARIABLE

from benchmarks import SEPARABLE_SHAPE
from benchmarks.results import RESULTS, machine, write

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUITES = ("training", "profile", "layer", "separable", "precision", "notebooks")
ALL_SUITES = (*DEFAULT_SUITES, "test_command")
# Images per timed epoch: 200 and 40 steps of 64, about 3-7 s each on 2 cores (XLA: 15 s).
IMAGES = {"chapter1": 12800, "chapter2": 2560}
PROFILE_IMAGES = {"chapter1": 6400, "chapter2": 1280}  # one profiled epoch: 100 and 20 steps
# float32 against mixed_bfloat16: 40 and 10 steps per timed epoch (bfloat16 is slow where the
# CPU lacks the instructions for it), and the test images each model is evaluated on after
PRECISION_IMAGES = {"chapter1": 2560, "chapter2": 640}
PRECISION_TEST_IMAGES = {"chapter1": 2000, "chapter2": 1017}


def child(args: list[str], code_path: str | None = None, timeout: float = 1800) -> dict:
    """Run ``python -m benchmarks.workloads ARGS`` in a fresh process; return its JSON line.

    ``code_path`` ('Eigen' or 'oneDNN') sets ``TF_ENABLE_ONEDNN_OPTS``; None leaves the
    machine's default. The child sees no GPU.
    """
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1")  # the child imports helpers first
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


def paired_ratio(numerator: list[float], denominator: list[float]) -> dict:
    """Ratios of measurements taken in the same round, pair by pair: their median, their
    range (the lowest and the highest), a 95 % bootstrap interval of the median (the 2.5th
    and 97.5th percentiles of the medians of 2,000 resamples of the pairs, drawn with a fixed
    seed), all to 2 decimals, and how many pairs there were.

    >>> paired_ratio([2.0, 4.0, 3.0], [1.0, 2.0, 2.0])["median"]
    2.0
    """
    if not numerator or len(numerator) != len(denominator):
        raise ValueError(
            f"paired_ratio: expected two equally long, non-empty lists of measurements, "
            f"got {len(numerator)} and {len(denominator)}"
        )
    ratios = [a / b for a, b in zip(numerator, denominator, strict=True)]
    draw = random.Random(0)
    medians = sorted(statistics.median(draw.choices(ratios, k=len(ratios))) for _ in range(2000))
    return {
        "median": round(statistics.median(ratios), 2),
        "low": round(min(ratios), 2),
        "high": round(max(ratios), 2),
        "median_interval": [round(medians[49], 2), round(medians[1949], 2)],
        "pairs": len(ratios),
    }


def alternating_paths(processes: int) -> list[str]:
    """Eigen, oneDNN, Eigen, oneDNN, ...: ``processes`` children per path, interleaved.

    >>> alternating_paths(2)
    ['Eigen', 'oneDNN', 'Eigen', 'oneDNN']
    """
    processes = integer("processes", processes, 1)
    return [path for _ in range(processes) for path in PATHS]


def _pooled(runs: list[dict], key: str) -> dict[str, dict[str, list[float]]]:
    """{code path: {variant: every measurement of that variant on that path}}, in the order
    of the children and their rounds, so that equal positions were measured in one round."""
    pooled: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        for name, values in run[key].items():
            pooled.setdefault(run["code_path"], {}).setdefault(name, []).extend(values)
    return pooled


# (name in results.json, numerator, denominator); "{feed}" is the chapter's own feed, with one
# step per call, "{chapter}" the chapter's variant (chapter 1: 16 steps per call).
TRAINING_RATIOS = (
    ("fit_over_loop", "{chapter}", "loop_in_graph"),
    ("fit_over_step_per_call", "{chapter}", "step_per_call"),
    ("step_per_call_over_loop", "step_per_call", "loop_in_graph"),
    ("tfdata_over_numpy", "fit_tfdata", "fit_numpy"),
    ("spe16_over_spe1", "{feed}_spe16", "{feed}"),
    ("xla_over_no_xla", "{feed}_xla", "{feed}"),
    *((f"batch{n}_over_batch64", f"{{feed}}_batch{n}", "{feed}") for n in (128, 256, 512)),
)


def suite_training(processes: int, rounds: int) -> dict:
    """Chapters 1 and 2's models: feeding, steps per call, batch size, the code path and XLA
    as paired throughput ratios; each model's training rate in GMAC/s against the best rate
    its own convolutions reached alone on the same path."""
    results, runs = {}, {}
    for model in IMAGES:
        runs[model] = []
        for seed, path in enumerate(alternating_paths(processes)):
            args = ["training", "--model", model, "--rounds", str(rounds), "--seed", str(seed)]
            runs[model].append(child([*args, "--images", str(IMAGES[model])], path))
            print(f"  {model} on {path}: done", flush=True)
    best = {}  # the best convolution rate of either model's layers, per code path
    for model_runs in runs.values():
        for run in model_runs:
            rate = max(run["conv_gmacs_per_s"].values())
            best[run["code_path"]] = max(best.get(run["code_path"], 0.0), rate)
    for model, model_runs in runs.items():
        pooled = _pooled(model_runs, "images_per_s")
        first = model_runs[0]
        feed, chapter, macs = (
            first["feed"],
            first["chapter_variant"],
            first["training_macs_per_image"],
        )
        entry = {"feed": feed, "chapter_variant": chapter, "images_per_epoch": IMAGES[model],
                 "training_macs_per_image": macs, "paths": {}}  # fmt: skip
        for path, variants in pooled.items():
            figures = {
                "median_images_per_s": {
                    k: round(statistics.median(v)) for k, v in variants.items()
                },
                "all_images_per_s": {k: [round(x) for x in v] for k, v in variants.items()},
                "orders": [order for run in model_runs if run["code_path"] == path
                           for order in run["orders"]],
            }  # fmt: skip
            for name, top, bottom in TRAINING_RATIOS:
                top, bottom = (s.format(feed=feed, chapter=chapter) for s in (top, bottom))
                if top in variants and bottom in variants:
                    figures[name] = paired_ratio(variants[top], variants[bottom])
            conv_rates: dict[str, list[float]] = {}
            for run in model_runs:
                if run["code_path"] == path:
                    for shape, rate in run["conv_gmacs_per_s"].items():
                        conv_rates.setdefault(shape, []).append(rate)
            figures["conv_gmacs_per_s"] = {
                shape: round(statistics.median(rates), 1) for shape, rates in conv_rates.items()
            }
            figures["best_conv_gmacs_per_s"] = round(best[path], 1)
            gmacs = {
                k: statistics.median(variants[k]) * macs / 1e9
                for k in (chapter, "step_per_call", "loop_in_graph")
            }
            figures["gmacs_per_s"] = {k: round(rate, 1) for k, rate in gmacs.items()}
            figures["fraction_of_best_conv"] = {
                k: round(rate / best[path], 2) for k, rate in gmacs.items()
            }
            entry["paths"][path] = figures
        # the two paths ran in different processes, one after the other: pair the k-th
        # measurement on oneDNN with the k-th on Eigen (the same child number and round)
        entry["onednn_over_eigen"] = paired_ratio(
            pooled["oneDNN"][chapter], pooled["Eigen"][chapter]
        )  # images per second: above 1 means oneDNN trains faster
        results[model.replace("chapter", "chapter ")] = entry
    return {"models": results, "pairs_per_ratio": processes * rounds}


def suite_layer(processes: int, rounds: int) -> dict:
    """Chapter 7's NNConv2D against Conv2D: time ratios (above 1: NNConv2D is slower)."""
    runs = [
        child(["layer", "--rounds", str(rounds * 10), "--seed", str(seed)], path)
        for seed, path in enumerate(alternating_paths(processes))
    ]
    results = {}
    for path, ms in _pooled(runs, "ms").items():
        results[path] = {
            kind: {
                "Conv2D_ms": round(statistics.median(ms[f"Conv2D {kind}"]), 2),
                "NNConv2D_ms": round(statistics.median(ms[f"NNConv2D {kind}"]), 2),
                "ratio": paired_ratio(ms[f"NNConv2D {kind}"], ms[f"Conv2D {kind}"]),
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
        child(["separable", "--rounds", str(rounds * 5), "--seed", str(seed)], path)
        for seed, path in enumerate(alternating_paths(processes))
    ]
    results = {
        "input": list(SEPARABLE_SHAPE),
        "macs_per_image": macs,
        "mac_ratio": round(macs["Conv2D"] / macs["SeparableConv2D"], 1),
        "paths": {},
    }
    for path, ms in _pooled(runs, "ms").items():
        results["paths"][path] = {
            "Conv2D_ms": round(statistics.median(ms["Conv2D"]), 1),
            "SeparableConv2D_ms": round(statistics.median(ms["SeparableConv2D"]), 1),
            "time_ratio": paired_ratio(ms["Conv2D"], ms["SeparableConv2D"]),
        }
    return results


def suite_precision(processes: int, rounds: int) -> dict:
    """Chapters 1 and 2's models in float32 and mixed_bfloat16 on each code path: the paired
    throughput ratio (above 1: bfloat16 trains faster) and each policy's test accuracy after
    the same short training."""
    results = {}
    for model, images in PRECISION_IMAGES.items():
        runs = []
        for seed, path in enumerate(alternating_paths(processes)):
            args = ["precision", "--model", model, "--rounds", str(rounds), "--seed", str(seed),
                    "--images", str(images),
                    "--test-images", str(PRECISION_TEST_IMAGES[model])]  # fmt: skip
            runs.append(child(args, path))
            print(f"  {model} on {path}: done", flush=True)
        entry = {"images_per_epoch": images, "epochs": runs[0]["epochs"],
                 "test_images": runs[0]["test_images"], "paths": {}}  # fmt: skip
        for path, variants in _pooled(runs, "images_per_s").items():
            mine = [run for run in runs if run["code_path"] == path]
            entry["paths"][path] = {
                "median_images_per_s": {
                    k: round(statistics.median(v)) for k, v in variants.items()
                },
                "bfloat16_over_float32": paired_ratio(
                    variants["mixed_bfloat16"], variants["float32"]
                ),
                "test_accuracy": {
                    policy: [round(run["test_accuracy"][policy], 4) for run in mine]
                    for policy in variants
                },
                "onednn_supports_bfloat16": mine[0]["onednn_supports_bfloat16"],
                "orders": [order for run in mine for order in run["orders"]],
            }
        results[model.replace("chapter", "chapter ")] = entry
    return {"models": results, "pairs_per_ratio": processes * rounds}


def suite_profile() -> dict:
    """Where a train step of chapters 1 and 2's models goes, by category, on each code path:
    one profiled epoch per model and path (TensorFlow's profiler, read by helpers.profiling)."""
    results = {}
    for model, images in PROFILE_IMAGES.items():
        entry = {}
        for path in PATHS:
            args = ["profile", "--model", model, "--images", str(images)]
            entry[path] = child(args, path)
            print(f"  {model} on {path}: done", flush=True)
        results[model.replace("chapter", "chapter ")] = entry
    return {"models": results}


def suite_notebooks() -> dict:
    """Every chapter executed in test mode in a fresh kernel (not saved): wall seconds."""
    from helpers.runtime import TEST_MODE_VARIABLE

    import nbformat
    from nbclient import NotebookClient

    env_before = os.environ.get(TEST_MODE_VARIABLE)
    os.environ[TEST_MODE_VARIABLE] = "1"
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
            os.environ.pop(TEST_MODE_VARIABLE)
        else:
            os.environ[TEST_MODE_VARIABLE] = env_before
    return {"test_mode_seconds": times}


def suite_test_command() -> dict:
    """`make test`'s steps after the install, each timed, and the whole."""
    steps = ["unit", "lint", "nbval", "gpu-branch", "browser-test"]  # browser-test builds first
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
        elif suite == "profile":
            result = suite_profile()
        elif suite == "precision":
            result = suite_precision(args.processes, args.rounds)
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
