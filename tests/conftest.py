import os

import helpers  # noqa: F401  (first: it quiets TensorFlow's C++ start-up log)

import matplotlib
import pytest
from hypothesis import settings

pytest_plugins = ["pytester"]

# The unit tests draw without a screen. Select the backend in this process only: setting
# MPLBACKEND in os.environ would leak into the kernels that nbval starts from this same
# pytest session, and the notebooks would then store no inline figures.
matplotlib.use("Agg")

# Property tests draw the same cases on every run and every machine (derandomize), keep no
# example database between runs, and print the "@reproduce_failure" line to replay a failure.
# HYPOTHESIS_PROFILE=explore draws new random cases each run, for hunting bugs by hand.
settings.register_profile("book", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("explore", derandomize=False, database=None, print_blob=True,
                          deadline=None)  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))


@pytest.fixture(autouse=True)
def close_figures():
    """Every figure a test opened is closed after it, so no test sees another's figures."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def refused():
    """``refused(call, error, words)``: ``call()`` raises ``error`` and its message holds every
    one of ``words`` (the bad argument's name, what was expected)."""

    def check(call, error, words):
        with pytest.raises(error) as info:
            call()
        for word in words:
            assert word in str(info.value)

    return check


@pytest.fixture(scope="session")
def tf_sandbox():
    """A child process that runs TensorFlow calls, so that a crash fails one test only."""
    from tf_sandbox import Sandbox

    sandbox = Sandbox()
    yield sandbox
    sandbox.close()
