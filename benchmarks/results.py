"""``benchmarks/results.json``: what the benchmarks measured, with the machine and the date.

Each suite of ``python -m benchmarks`` replaces its own entry, and ``make execute`` records
each notebook's full-mode wall time under ``notebooks_full``, so one file holds the latest
figure of everything, each with the date and machine it was measured on.

>>> write("layer", {"paths": {}}, path=Path("/tmp/results.json"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"


def machine() -> dict:
    """What the figures were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    probe = (
        "import helpers, keras, tensorflow as tf\n"
        "from helpers.cpu_paths import code_path_name\n"
        "print(code_path_name(), tf.__version__, keras.__version__)"
    )
    from helpers.cpu_paths import VARIABLE

    env = {k: v for k, v in os.environ.items() if k != VARIABLE}  # the machine's default path
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    return {
        "cpu": model,
        "cpu_flags": cpu_flags(),
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "default_code_path": out[0],
        "tensorflow": out[1],
        "keras": out[2],
        "python": platform.python_version(),
        "gpu": None,
    }


# The instruction-set extensions that decide TensorFlow's CPU code path and its speed.
FLAGS = (
    "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "avx_ne_convert", "amx_bf16", "amx_tile"
)  # fmt: skip


def cpu_flags(cpuinfo: str | None = None) -> list[str]:
    """Which of :data:`FLAGS` the CPU has, read from ``/proc/cpuinfo`` (empty elsewhere).

    >>> cpu_flags("flags : fpu avx2 avx512f avx512_vnni")
    ['avx2', 'avx512f', 'avx512_vnni']
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return []
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            have = set(line.split(":", 1)[1].split())
            return [flag for flag in FLAGS if flag in have]
    return []


def _update(path: Path, key: str, value: dict) -> None:
    """Set ``key`` in the JSON file ``path`` (created when missing), keeping every other key."""
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def write(suite: str, result: dict, path: Path = RESULTS, about: dict | None = None) -> None:
    """Put ``result`` into ``path`` under ``suite``, with the date and machine; keep the rest."""
    about = about if about is not None else machine()
    _update(path, suite, {"date": now(), "machine": about, **result})


def now() -> str:
    """The current time in UTC, to the minute: ``'2026-12-01 11:19 UTC'``."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def record_notebook_time(name: str, seconds: float, code_path: str, path: Path = RESULTS) -> None:
    """Record one notebook's full-mode wall time under ``notebooks_full``, keeping the others."""
    if not isinstance(name, str):
        raise TypeError(f"name={name!r}: expected a notebook's file name")
    if not name.endswith(".ipynb"):
        raise ValueError(f"name={name!r}: expected a notebook's file name")
    runs = json.loads(path.read_text()).get("notebooks_full", {}) if path.exists() else {}
    runs[name] = {"seconds": round(seconds), "date": now(), "code_path": code_path,
                  "machine": machine()}  # fmt: skip
    _update(path, "notebooks_full", runs)
