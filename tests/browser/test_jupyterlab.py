"""A chapter as a learner runs it: JupyterLab on localhost, the notebook open in headless
Chromium, Run All, then the explorer's slider moved by hand; and what JupyterLab's own
Markdown rendering shows at a warning and at an exercise (screenshots in _build/screenshots).

Run by `make browser-test`. It starts the JupyterLab that requirements-lab.txt pins (the learner's
set, which requirements.txt includes) on a copy of chapter 5 in a temporary folder, so that
autosave and checkpoints never touch the repository, with the book's test mode and offline data
in the kernel's environment. Skipped, with the reason, where Chromium or JupyterLab is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "chapters" / "05_dilation.ipynb"
SCREENSHOTS = ROOT / "_build" / "screenshots"  # beside the book's, for a side-by-side look
CHROMIUM = os.environ.get("CNN_BOOK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
JUPYTER = Path(sys.executable).with_name("jupyter-lab")

if not Path(CHROMIUM).is_file():
    pytest.skip("Chromium is not installed (`make browser-deps`)", allow_module_level=True)
if not JUPYTER.is_file():
    pytest.skip(f"JupyterLab is not installed ({JUPYTER})", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

TOKEN = "cnn-book-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(CHAPTER, folder / CHAPTER.name)
    # no "get notified about Jupyter news?" toast over the screenshots (a user setting)
    settings = folder / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port = _free_port()
    env = {
        **os.environ,
        "CNN_BOOK_TEST_MODE": "1",
        "JUPYTER_CONFIG_DIR": str(folder / "config"),
        "JUPYTER_DATA_DIR": str(folder / "data"),
        "JUPYTER_RUNTIME_DIR": str(folder / "run"),
        "JUPYTERLAB_SETTINGS_DIR": str(folder / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces"),
    }
    if "CNN_BOOK_DATA_DIR" not in env and (ROOT.parent / "shared" / "datasets").is_dir():
        env["CNN_BOOK_DATA_DIR"] = str(ROOT.parent / "shared" / "datasets")
    command = [
        str(JUPYTER),
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--ServerApp.root_dir={folder}",
        f"--IdentityProvider.token={TOKEN}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.disable_check_xsrf=True",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses to start as root without it
    server = subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited: {server.stderr.read()[-2000:]}")
        time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield f"http://127.0.0.1:{port}", folder
    server.terminate()
    server.wait(timeout=20)


# The notebook panel's cells, read through the JupyterLab application the page exposes.
_CELLS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    return panel.content.widgets.map(cell => ({
        type: cell.model.type,
        count: cell.model.type === 'code' ? cell.model.executionCount : null,
        errors: cell.model.type === 'code'
            ? cell.model.outputs.toJSON().filter(o => o.output_type === 'error')
                .map(o => `${o.ename}: ${o.evalue}`)
            : [],
    }));
}"""


def _screenshot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / name))


def _show_markdown_cell(page, text: str) -> None:
    """Scroll the notebook to the first Markdown cell whose source contains ``text``."""
    found = page.evaluate(
        """(text) => {
            const notebook = window.jupyterapp.shell.currentWidget.content;
            const index = notebook.widgets.findIndex(cell => cell.model.type === 'markdown'
                && cell.model.sharedModel.getSource().includes(text));
            if (index >= 0) notebook.scrollToItem(index, 'center');
            return index;
        }""",
        text,
    )
    assert found >= 0, f"no Markdown cell holds {text!r}"


def _check_warning_and_solution(page) -> None:
    """In JupyterLab's own Markdown rendering, a warning reads as a quoted paragraph opening
    with a bold "Warning.", and a solution stays closed until its summary is clicked."""
    _show_markdown_cell(page, "**Warning.**")
    label = page.locator(".jp-RenderedMarkdown blockquote strong", has_text="Warning.").first
    label.wait_for(timeout=30_000)
    label.scroll_into_view_if_needed()
    assert label.is_visible()
    assert "{warning}" not in page.locator(".jp-RenderedMarkdown").first.inner_text()
    _screenshot(page, "jupyterlab_05_warning.png")

    _show_markdown_cell(page, "<summary>Solution to exercise 1</summary>")
    solution = page.locator(".jp-RenderedMarkdown details").first
    solution.wait_for(timeout=30_000)
    solution.scroll_into_view_if_needed()
    shown = "d => d.querySelector('p').checkVisibility()"
    assert not solution.evaluate(shown), "the solution is shown before it is asked for"
    _screenshot(page, "jupyterlab_05_exercises.png")
    solution.locator("summary").click()
    assert solution.evaluate(shown), "the solution did not open on a click"


def test_a_learner_runs_chapter_5_and_moves_the_explorer(lab):
    url, _ = lab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/lab/tree/{CHAPTER.name}?token={TOKEN}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        page.wait_for_function(
            "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
            "?.status === 'idle'",
            timeout=60_000,
        )
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(
            f"""() => ({_CELLS})().filter(c => c.type === 'code')
                    .every(c => c.count !== null)""",
            timeout=120_000,
        )
        cells = page.evaluate(_CELLS)
        errors = [e for c in cells for e in c["errors"]]
        assert errors == [], f"cells raised: {errors}"
        ran = sum(1 for c in cells if c["type"] == "code")

        # the explorer: its picture is an <img> in an Image widget, its result an HTML widget
        explorer = page.locator(".widget-vbox").filter(has=page.locator(".widget-slider")).first
        image = explorer.locator("img").first
        image.wait_for(timeout=30_000)
        before = image.get_attribute("src")
        readout = explorer.locator(".widget-readout").first  # "input size", 7
        readout.click()
        readout.press("Control+A")
        readout.type("8")
        readout.press("Enter")
        page.wait_for_function(
            "([img, before]) => img.getAttribute('src') !== before",
            arg=[image.element_handle(), before],
            timeout=30_000,
        )
        result = explorer.locator(".widget-html").first.inner_text()
        explorer.scroll_into_view_if_needed()
        _screenshot(page, "jupyterlab_05_explorer.png")
        _check_warning_and_solution(page)
        browser.close()
    assert "match" in result and "MISMATCH" not in result
    assert ran > 20
    assert time.monotonic() - start < 120
    assert not (ROOT / "chapters" / ".ipynb_checkpoints").exists()
