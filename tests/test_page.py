"""helpers.page: the one home of the page's width, and the places that cannot import it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import page

import matplotlib.pyplot as plt
import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_book_style_sizes_figures_for_the_page():
    page.use_book_style()
    assert tuple(plt.rcParams["figure.figsize"]) == (page.FIGURE_INCHES, 3.4)
    assert plt.rcParams["figure.dpi"] == page.FIGURE_DPI
    assert plt.rcParams["legend.fontsize"] >= 9 and plt.rcParams["font.size"] >= 10


def test_a_figure_as_wide_as_the_style_fits_the_column():
    assert page.FIGURE_INCHES * page.FIGURE_DPI <= page.PIXELS


@pytest.mark.parametrize("config", ["chapters/ruff.toml", "helpers/distributed/ruff.toml"])
def test_the_ruff_configs_of_code_the_page_shows_use_its_width(config):
    settings = tomllib.loads((ROOT / config).read_text(encoding="utf-8"))
    assert settings["line-length"] == page.WIDTH, config
    # everything else comes from the root config
    assert (ROOT / config).parent.joinpath(settings["extend"]).resolve() == ROOT / "pyproject.toml"


def test_reading_the_width_loads_no_plotting_library():
    code = "import sys, helpers.page; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
