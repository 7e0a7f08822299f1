"""Guards for the environment that nbval's kernels inherit from this pytest process."""

import os


def test_conftest_leaves_the_notebook_backend_alone():
    # A kernel started with MPLBACKEND set does not use the inline backend, so every figure
    # cell would run without storing a figure (and nbval would fail on the missing outputs).
    assert "MPLBACKEND" not in os.environ
