"""TensorFlow's two CPU code paths: which one this process uses, and the same snippet run on
both.

On x86-64, TensorFlow runs its CPU ops either through **oneDNN** (Intel's deep-learning
library; the default on CPUs with AVX-512 VNNI/BF16 or AMX) or through its own **Eigen**
kernels (the default elsewhere). The environment variable ``TF_ENABLE_ONEDNN_OPTS=1`` or ``=0``
forces either, but only before TensorFlow is imported, so a comparison needs two processes.

>>> onednn_enabled() in {True, False}
True
>>> compare_cpu_paths("print(tf.nn.relu([-1.0, 2.0]).numpy())")  # doctest: +SKIP
Eigen (TF_ENABLE_ONEDNN_OPTS=0):
[0. 2.]
oneDNN (TF_ENABLE_ONEDNN_OPTS=1):
[0. 2.]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
PATHS = {"Eigen": "0", "oneDNN": "1"}
# What every snippet may use without importing it. `import helpers` comes first: it quiets
# TensorFlow's C++ start-up log.
PREAMBLE = (
    "import helpers\n"
    "import keras\n"
    "import numpy as np\n"
    "import tensorflow as tf\n"
    "from helpers.errors import attempt\n"
)


def onednn_enabled() -> bool:
    """True when TensorFlow in this process runs its CPU ops through oneDNN, False for Eigen.

    Imports TensorFlow. The answer is TensorFlow's own (the flag that its start-up line
    "oneDNN custom operations are on" reports), read through its internal module
    ``_pywrap_util_port``; tests/test_cpu_paths.py checks it against behaviour that
    differs between the two paths.

    >>> onednn_enabled() in {True, False}
    True
    """
    import tensorflow  # noqa: F401  (loads the flag's module)
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


def code_path_name() -> str:
    """'oneDNN' or 'Eigen': the CPU code path this process uses.

    >>> code_path_name() in {"oneDNN", "Eigen"}
    True
    """
    return "oneDNN" if onednn_enabled() else "Eigen"


def describe_exit(returncode: int) -> str:
    """How a child process ended, in words: a signal's name and meaning, or the status.

    >>> describe_exit(-8)
    'died: SIGFPE, Floating point exception'
    """
    if isinstance(returncode, bool) or not isinstance(returncode, int):
        raise ValueError(f"returncode={returncode!r}: expected an integer exit status")
    if returncode >= 0:
        return f"exited with status {returncode}"
    try:
        name, text = signal.Signals(-returncode).name, signal.strsignal(-returncode)
    except ValueError:
        name, text = f"signal {-returncode}", None
    return f"died: {name}" + (f", {text}" if text else "")


def _exit_note(returncode: int, stderr: str) -> str:
    if returncode < 0:
        return f"(the process {describe_exit(returncode)})"
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "no message"
    return f"(the process {describe_exit(returncode)}: {last})"


def run_on_both_paths(snippet: str, timeout: float = 300) -> dict[str, str]:
    """Run ``snippet`` in two fresh Python processes, one per CPU code path, at the same time.

    Each process starts with :data:`PREAMBLE` (``np``, ``tf``, ``keras`` and ``attempt``
    imported) and sees no GPU, so the comparison is between the two CPU paths even on a
    machine with a GPU. Returns ``{"Eigen": output, "oneDNN": output}``: what the snippet
    printed, plus a line saying so when the process died or failed.

    >>> run_on_both_paths("print(1 + 1)")  # doctest: +SKIP
    {'Eigen': '2\\n', 'oneDNN': '2\\n'}
    """
    if not isinstance(snippet, str) or not snippet.strip():
        raise ValueError(f"snippet={snippet!r}: expected Python source code as a string")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout={timeout!r}: expected a positive number of seconds")
    compile(snippet, "<snippet>", "exec")  # a SyntaxError here, not twice in the children
    children = {}
    for name, value in PATHS.items():
        # PYTHONUNBUFFERED: what was printed before a crash still reaches the pipe.
        env = dict(os.environ, **{VARIABLE: value}, CUDA_VISIBLE_DEVICES="-1", PYTHONUNBUFFERED="1")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        children[name] = subprocess.Popen(
            [sys.executable, "-c", PREAMBLE + snippet],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    outputs = {}
    for name, child in children.items():
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            out, _ = child.communicate()
            outputs[name] = out + f"(the process did not finish within {timeout:g} s)\n"
            continue
        if child.returncode != 0:
            out += _exit_note(child.returncode, err) + "\n"
        outputs[name] = out
    return outputs


def compare_cpu_paths(snippet: str, timeout: float = 300) -> None:
    """Print what ``snippet`` prints on each CPU code path, one block per path.

    See :func:`run_on_both_paths` for how it runs.

    >>> compare_cpu_paths("print(tf.constant(2.0) * 3)")  # doctest: +SKIP
    Eigen (TF_ENABLE_ONEDNN_OPTS=0):
    tf.Tensor(6.0, shape=(), dtype=float32)
    oneDNN (TF_ENABLE_ONEDNN_OPTS=1):
    tf.Tensor(6.0, shape=(), dtype=float32)
    """
    outputs = run_on_both_paths(snippet, timeout)
    for name, output in outputs.items():
        print(f"{name} ({VARIABLE}={PATHS[name]}):")
        print(output.rstrip("\n") or "(printed nothing)")
