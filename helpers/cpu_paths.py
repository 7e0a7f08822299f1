"""TensorFlow's two CPU code paths: which one this process uses, and the same function run
on both.

On x86-64, TensorFlow runs its CPU ops either through **oneDNN** (Intel's deep-learning
library; the default on CPUs with AVX-512 VNNI/BF16 or AMX) or through its own **Eigen**
kernels (the default elsewhere). The environment variable ``TF_ENABLE_ONEDNN_OPTS=1`` or ``=0``
forces either, but only before TensorFlow is imported, so a comparison needs two processes,
each given a function's source to run.

>>> onednn_enabled() in {True, False}
True
>>> def relu():
...     print(tf.nn.relu([-1.0, 2.0]).numpy())
>>> compare_cpu_paths(relu)  # doctest: +SKIP
Eigen (TF_ENABLE_ONEDNN_OPTS=0):
[0. 2.]
oneDNN (TF_ENABLE_ONEDNN_OPTS=1):
[0. 2.]
"""

from __future__ import annotations

import ast
import builtins
import dis
import inspect
import os
import signal
import subprocess
import sys
import textwrap
import types

from helpers._checks import integer, number

VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
PATHS = {"Eigen": "0", "oneDNN": "1"}
# What every function sent to a child may use without importing it. `import helpers` comes
# first: it quiets TensorFlow's C++ start-up log.
PREAMBLE = (
    "import helpers\n"
    "import keras\n"
    "import numpy as np\n"
    "import tensorflow as tf\n"
    "from helpers.errors import attempt\n"
)
PREAMBLE_NAMES = {"helpers", "keras", "np", "tf", "attempt"}


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
    returncode = integer("returncode", returncode, None)
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


def _global_names(code: types.CodeType) -> set[str]:
    """The global names that ``code`` and the functions nested in it read."""
    names = {op.argval for op in dis.get_instructions(code) if op.opname == "LOAD_GLOBAL"}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def _program(function, args: tuple) -> str:
    """The source a child runs: the preamble, ``function``'s definition and one call of it."""
    if not isinstance(function, types.FunctionType):
        raise TypeError(f"function={function!r}: expected a function defined with def")
    if function.__name__ == "<lambda>":
        raise ValueError(f"function={function!r}: expected a function defined with def")
    if function.__code__.co_freevars:
        raise ValueError(
            f"function={function.__name__}: it uses names of the function around it "
            f"({', '.join(function.__code__.co_freevars)}); define it at the top level"
        )
    missing = _global_names(function.__code__) - PREAMBLE_NAMES - set(dir(builtins))
    missing.discard(function.__name__)
    if missing:
        raise ValueError(
            f"function={function.__name__}: it uses {', '.join(sorted(missing))} from outside "
            f"itself; a fresh process has only {', '.join(sorted(PREAMBLE_NAMES))}: "
            "import the rest inside the function, or pass values as arguments"
        )
    for index, arg in enumerate(args):
        try:
            literal = ast.literal_eval(repr(arg)) == arg
        except (ValueError, SyntaxError):
            literal = False
        if not literal:
            raise TypeError(
                f"args[{index}]={arg!r}: expected a Python literal (a number, string, "
                "tuple, list or dict of them), which a fresh process can rebuild"
            )
    try:
        inspect.signature(function).bind(*args)
    except TypeError as err:
        raise TypeError(f"function={function.__name__}: {err}") from None
    source = textwrap.dedent(inspect.getsource(function))
    return f"{PREAMBLE}{source}\n{function.__name__}(*{args!r})\n"


def _start(program: str, value: str) -> subprocess.Popen:
    # PYTHONUNBUFFERED: what was printed before a crash still reaches the pipe.
    # PREAMBLE imports helpers first, which quiets TensorFlow's C++ start-up log.
    env = dict(os.environ, **{VARIABLE: value}, CUDA_VISIBLE_DEVICES="-1", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-c", program],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(child: subprocess.Popen, timeout: float) -> str:
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        out, _ = child.communicate()
        return out + f"(the process did not finish within {timeout:g} s)\n"
    if child.returncode != 0:
        out += _exit_note(child.returncode, err) + "\n"
    return out


def run_on_both_paths(
    function, *args, timeout: float = 300, together: bool = True
) -> dict[str, str]:
    """Call ``function(*args)`` in two fresh Python processes, one per CPU code path: at
    the same time, or one after the other with ``together=False`` (for timings, so that
    the two do not compete for the machine).

    Each process gets ``function``'s source (``inspect.getsource``), after
    :data:`PREAMBLE`: ``np``, ``tf``, ``keras``, ``helpers`` and ``attempt`` are imported
    there, and everything else the function uses it imports itself. ``args`` must be
    literals (numbers, strings, and tuples, lists or dicts of them). Neither process sees
    a GPU, so the comparison is between the two CPU paths even on a machine with one.
    Returns ``{"Eigen": output, "oneDNN": output}``: what the function printed, plus a line
    saying so when the process died or failed. ``timeout`` is per process.

    >>> def add(a, b):
    ...     print(a + b)
    >>> run_on_both_paths(add, 1, 1)  # doctest: +SKIP
    {'Eigen': '2\\n', 'oneDNN': '2\\n'}
    """
    timeout = number("timeout", timeout, positive=True)
    if not isinstance(together, bool):
        raise TypeError(f"together={together!r}: expected True or False")
    program = _program(function, args)
    if not together:
        return {name: _finish(_start(program, value), timeout) for name, value in PATHS.items()}
    children = {name: _start(program, value) for name, value in PATHS.items()}
    return {name: _finish(child, timeout) for name, child in children.items()}


def compare_cpu_paths(function, *args, timeout: float = 300) -> None:
    """Print what ``function(*args)`` prints on each CPU code path, one block per path.

    See :func:`run_on_both_paths` for how it runs.

    >>> def triple():
    ...     print(tf.constant(2.0) * 3)
    >>> compare_cpu_paths(triple)  # doctest: +SKIP
    Eigen (TF_ENABLE_ONEDNN_OPTS=0):
    tf.Tensor(6.0, shape=(), dtype=float32)
    oneDNN (TF_ENABLE_ONEDNN_OPTS=1):
    tf.Tensor(6.0, shape=(), dtype=float32)
    """
    outputs = run_on_both_paths(function, *args, timeout=timeout)
    for name, output in outputs.items():
        print(f"{name} ({VARIABLE}={PATHS[name]}):")
        print(output.rstrip("\n") or "(printed nothing)")
