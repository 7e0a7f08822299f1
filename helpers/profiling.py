"""Where a training step's time goes, op by op: TensorFlow's profiler, read directly.

``profile_ops`` runs some work under ``tf.profiler`` and reads the trace it writes (an XPlane
protobuf), summing the milliseconds of each TensorFlow op that the executor ran;
``group_op_times`` then adds those up into a few categories named by regular expressions.
For example::

    times = profile_ops(lambda: [float(train_step()) for _ in range(5)], "logs/profile")
    group_op_times(times, [("backward", r"^gradient_tape/"), ("conv", r":.*Conv2D")])

Caveats: an op's time is counted on its own thread, and the executor runs ops on two threads
at once, so the op times of a step can add up to more than its wall time. The names are
leaf ops only (``scope/op:OpType``): nothing nests inside them, and the time the executor
spends between ops is not counted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from helpers._checks import number


def profile_ops(run: Callable[[], object], logdir: str | Path) -> dict[str, float]:
    """Call ``run()`` under TensorFlow's profiler, writing the trace under ``logdir``, and
    return ``read_op_times(logdir)``. ``run`` must finish its work (call ``float()`` or
    ``.numpy()`` on what it computes), or the ops may run after the profiler stops.

    Example: ``profile_ops(lambda: float(step()), tmp_path)["Conv2D:Conv2D"]``.
    """
    if not callable(run):
        raise TypeError(f"run={run!r}: expected a function to call with no arguments")
    if not isinstance(logdir, str | Path):
        raise TypeError(f"logdir={logdir!r}: expected a str or pathlib.Path")
    import tensorflow as tf

    os.makedirs(logdir, exist_ok=True)
    try:
        tf.profiler.experimental.start(str(logdir))
    except tf.errors.AlreadyExistsError as error:
        raise RuntimeError(
            f"logdir={str(logdir)!r}: a profile is already running; "
            "call tf.profiler.experimental.stop() first"
        ) from error
    try:
        run()
    finally:
        tf.profiler.experimental.stop()
    return read_op_times(logdir)


def read_op_times(logdir: str | Path) -> dict[str, float]:
    """{op name: total milliseconds} from the newest ``*.xplane.pb`` under ``logdir``.

    Only the executor's threads (lines ``tf_Compute/...``) are read, and on them only op
    events, named ``scope/op:OpType``. Example: ``read_op_times("logs/profile")``.
    """
    files = sorted(Path(logdir).glob("**/*.xplane.pb"), key=lambda p: (p.stat().st_mtime, p))
    if not files:
        raise ValueError(f"logdir={str(logdir)!r}: no *.xplane.pb trace under it")
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    space.ParseFromString(files[-1].read_bytes())
    hosts = [plane for plane in space.planes if plane.name == "/host:CPU"]
    if not hosts:
        raise ValueError(f"logdir={str(logdir)!r}: the trace {files[-1]} has no /host:CPU plane")
    host = hosts[0]
    times: dict[str, float] = {}
    for line in host.lines:
        if not line.name.startswith("tf_Compute"):
            continue
        for event in line.events:
            name = host.event_metadata[event.metadata_id].name
            # One ':' between op and type; 'ThreadpoolListener::Record' and the like are not ops.
            if name.count(":") == 1:
                times[name] = times.get(name, 0.0) + event.duration_ps / 1e9
    return times


def group_op_times(
    times: dict[str, float], rules: Sequence[tuple[str, str]], other: str = "other"
) -> dict[str, float]:
    """Sum op times into categories: each op goes to the first rule whose pattern
    ``re.search``-es its name, or to ``other``. Categories come in the order of ``rules``,
    ``other`` last, each present (0.0 when no op matched).

    Example: ``group_op_times({"a/Relu:Relu": 2.0}, [("relu", r":Relu$")])`` is
    ``{"relu": 2.0, "other": 0.0}``.
    """
    if not isinstance(times, dict):
        raise TypeError(f"times={times!r}: expected a dict of op name to milliseconds")
    for name, ms in times.items():
        if not isinstance(name, str):
            raise TypeError(f"times[{name!r}]={ms!r}: expected a str key and a number")
        number(f"times[{name!r}]", ms)
    expected = "expected a non-empty sequence of (category, regex)"
    if isinstance(rules, str | bytes) or not isinstance(rules, Sequence):
        raise TypeError(f"rules={rules!r}: {expected}")
    if not rules:
        raise ValueError(f"rules={rules!r}: {expected}")
    compiled = []
    for i, rule in enumerate(rules):
        expected = "expected a (category, regex) tuple of str"
        if not isinstance(rule, tuple) or not all(isinstance(s, str) for s in rule):
            raise TypeError(f"rules[{i}]={rule!r}: {expected}")
        if len(rule) != 2:
            raise ValueError(f"rules[{i}]={rule!r}: {expected}")
        try:
            compiled.append((rule[0], re.compile(rule[1])))
        except re.error as error:
            raise ValueError(f"rules[{i}]={rule!r}: bad regular expression: {error}") from None
    expected = "expected a non-empty str that no rule uses"
    if not isinstance(other, str):
        raise TypeError(f"other={other!r}: {expected}")
    if not other or other in {c for c, _ in compiled}:
        raise ValueError(f"other={other!r}: {expected}")
    totals = dict.fromkeys([c for c, _ in compiled] + [other], 0.0)
    for name, ms in times.items():
        category = next((c for c, p in compiled if p.search(name)), other)
        totals[category] += float(ms)
    return totals
