"""Run TensorFlow calls in a child process, so that a crash inside TensorFlow fails one test
instead of killing the whole pytest run.

On the oneDNN code path, some calls kill the process (``tf.nn.max_pool2d`` on a 1x1 input
with a 2x2 window and stride 1 raises SIGFPE in TensorFlow 2.21). A property test that sends
its TensorFlow calls through a :class:`Sandbox` gets a :class:`Crashed` outcome instead, and
the sandbox starts a fresh child for the next call.

    sandbox = Sandbox()
    outcome = sandbox.run(some_module_level_function, 3, padding="VALID")

The function must be importable by the child (defined at module level in a test module or
here); its return value must be picklable. The child inherits the environment, so
``TF_ENABLE_ONEDNN_OPTS`` picks the same code path in it as in the parent.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from typing import Any

from helpers.cpu_paths import describe_exit


@dataclass(frozen=True)
class Returned:
    value: Any


@dataclass(frozen=True)
class Raised:
    """The call raised: the exception's class name and its first line."""

    error: str
    message: str


@dataclass(frozen=True)
class Crashed:
    """The child process died during the call."""

    how: str


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else ""


def _serve(conn) -> None:
    """The child's loop: receive (function, args, kwargs), send back an outcome."""
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        fn, args, kwargs = request
        try:
            outcome = Returned(fn(*args, **kwargs))
        except Exception as err:  # every refusal TensorFlow or Keras can raise
            outcome = Raised(type(err).__name__, _first_line(err))
        conn.send(outcome)


class Sandbox:
    """One long-lived child process that runs calls; restarted after a crash."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._process = None
        self._conn = None
        self.crashes = 0

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._conn = parent

    def run(self, fn, *args, **kwargs) -> Returned | Raised | Crashed:
        if self._process is None or not self._process.is_alive():
            self._start()
        self._conn.send((fn, args, kwargs))
        try:
            return self._conn.recv()
        except EOFError:
            self._process.join(timeout=30)
            how = describe_exit(self._process.exitcode or 0)
            self._conn.close()
            self._process = self._conn = None
            self.crashes += 1
            return Crashed(f"the child process running {fn.__name__}{args} {how}")

    def close(self) -> None:
        if self._process is not None:
            self._conn.close()
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()
            self._process = self._conn = None
