"""The built book in a real browser: every page opened in headless Chromium with the network cut.

Run by `make browser-test` (part of `make test`) after the strict build wrote `_build/html`. The
pages are served on localhost; every request to any other host is blocked and counts as a
failure, so a page passes only if it renders fully offline. A screenshot of every page is saved
under `_build/screenshots/`.

Skipped, with the reason, only where Chromium is not installed (`make browser-deps` installs
Debian's `chromium` with apt).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CNN_BOOK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).is_file():
    pytest.skip(
        f"Chromium is not installed ({CHROMIUM} missing) and could not be installed here; "
        "`make browser-deps` installs Debian's chromium with apt. Browser test skipped.",
        allow_module_level=True,
    )

from playwright.sync_api import sync_playwright  # noqa: E402


def _toc_pages() -> list[str]:
    """Every page of the book, in _toc.yml's order, as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in [toc, *toc.get("parts", [])]:
        pages += [entry["file"] for entry in part.get("chapters", [])]
    return pages


PAGES = _toc_pages()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def _source(page: str) -> Path:
    return next(ROOT.glob(f"{page}.*"))


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").is_file():
        pytest.fail("no built book in _build/html: run `make strict-build` first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageVisit:
    """One page opened offline, with everything the browser complained about."""

    def __init__(self, browser, server: str, page: str):
        self.problems: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._only_localhost(server))
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on(
            "requestfailed",
            lambda request: self.problems.append(
                f"request failed: {request.url} ({request.failure})"
            ),
        )
        self.page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.problems.append(f"HTTP {response.status}: {response.url}")
            ),
        )
        self.page.goto(f"{server}/{page}.html", wait_until="networkidle")

    def _only_localhost(self, server: str):
        host = urlparse(server).netloc

        def handle(route):
            url = urlparse(route.request.url)
            if url.scheme in ("data", "blob") or url.netloc == host:
                route.continue_()
            else:
                self.problems.append(f"external request blocked: {route.request.url}")
                route.abort("blockedbyclient")

        return handle

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def visits(browser, server):
    """Each page is opened once; the tests below all read the same visit."""
    opened: dict[str, PageVisit] = {}

    def visit(page: str) -> PageVisit:
        if page not in opened:
            opened[page] = PageVisit(browser, server, page)
        return opened[page]

    yield visit
    for page_visit in opened.values():
        page_visit.close()


def _wait_for_math(page) -> None:
    page.wait_for_function("() => !window.MathJax || !!(window.MathJax.startup || {}).promise")
    page.evaluate("() => window.MathJax ? window.MathJax.startup.promise.then(() => true) : true")


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline(visits, name):
    opened = visits(name)
    page = opened.page
    source = _source(name)

    _wait_for_math(page)
    math = page.locator(".math")
    for i in range(math.count()):
        assert math.nth(i).locator("mjx-container").count() == 1, f"math {i} not rendered"
    if source.suffix == ".ipynb" and "$" in source.read_text():
        assert math.count() > 0, "the notebook has math, the page shows none"

    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]')
    if views.count():
        page.wait_for_selector(".jupyter-widgets.widget-container, .widget-vbox", timeout=20_000)
        assert page.locator(".widget-slider").count() > 0, "saved widgets not rendered"
        assert page.locator(".widget-image img, img.widget-image").count() > 0

    animations = page.locator("div.animation")
    for i in range(animations.count()):
        animation = animations.nth(i)
        buttons = animation.locator(".anim-buttons button")
        titles = [buttons.nth(j).get_attribute("title") for j in range(buttons.count())]
        assert {"Play", "Pause", "Next frame", "Previous frame"} <= set(titles), titles
        image = animation.locator("img").first
        before = image.get_attribute("src")
        animation.locator('button[title="Next frame"]').click()
        assert image.get_attribute("src") != before, f"animation {i}: next frame changed nothing"

    broken = page.evaluate(
        """() => Array.from(document.images)
              .filter(img => !img.complete || img.naturalWidth === 0)
              .map(img => img.src.slice(0, 80))"""
    )
    assert broken == [], f"images that did not load: {broken}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{Path(name).name}.png", full_page=True)
    assert opened.problems == [], "\n".join(opened.problems)


@pytest.mark.parametrize("name", PAGES)
def test_sidebar_lists_every_chapter(visits, name):
    opened = visits(name)
    links = opened.page.locator("nav.bd-docs-nav a.reference.internal")
    hrefs = {re.sub(r"(\.html)?(#.*)?$", "", links.nth(i).get_attribute("href"))
             for i in range(links.count())}  # fmt: skip
    here = Path(name).parent
    targets = {os.path.normpath(here / href) for href in hrefs if href and href != "#"}
    chapters = set(PAGES[1:])
    assert chapters <= targets | {name}, f"missing from the sidebar: {chapters - targets}"


@pytest.mark.parametrize("name", PAGES)
def test_colab_launch_link_points_at_this_notebook(visits, name):
    opened = visits(name)
    colab = opened.page.locator('a[href^="https://colab.research.google.com/"]')
    if _source(name).suffix != ".ipynb":
        assert colab.count() == 0
        return
    repository = CONFIG["repository"]
    owner_repo = urlparse(repository["url"]).path.strip("/")
    book = repository.get("path_to_book", "").strip("/")
    path = f"{book}/{name}.ipynb".lstrip("/")
    expected = (
        f"{CONFIG['launch_buttons']['colab_url'].rstrip('/')}/github/{owner_repo}"
        f"/blob/{repository['branch']}/{path}"
    )
    assert colab.count() == 1
    assert colab.first.get_attribute("href") == expected
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", path], cwd=ROOT, capture_output=True, check=False
    )
    assert tracked.returncode == 0, f"{path} is not tracked by git, so Colab cannot open it"


@pytest.mark.parametrize("name", PAGES)
def test_no_code_or_output_line_is_cut_off(visits, name):
    """At a 1280-pixel window, no code block or printed output scrolls sideways: a reader sees
    every line whole (an element whose scroll width exceeds its client width hides the rest)."""
    cut = visits(name).page.evaluate(
        """() => Array.from(document.querySelectorAll('pre'))
              .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
              .map(pre => {
                  const lines = pre.innerText.split('\\n');
                  const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
                  return `${pre.scrollWidth} > ${pre.clientWidth} px: ${longest.slice(0, 90)}`;
              })"""
    )
    assert cut == [], "blocks wider than the page:\n" + "\n".join(cut)


def _labelled_quotes(page: str) -> int:
    """How many **Warning.** / **Note.** block quotes the page's notebook holds."""
    text = _source(page).read_text(encoding="utf-8")
    return len(re.findall(r"> \*\*(?:Warning|Note)\.\*\*", text))


@pytest.mark.parametrize("name", [p for p in PAGES if _source(p).suffix == ".ipynb"])
def test_warnings_show_as_the_themes_admonitions(visits, name):
    """Each labelled block quote of the notebook is a styled admonition on the page, with its
    title, and no quote on the page still opens with the bare label."""
    page = visits(name).page
    expected = _labelled_quotes(name)
    found = page.evaluate(
        """() => Array.from(document.querySelectorAll('.admonition.warning, .admonition.note'))
              .map(a => [a.querySelector('.admonition-title')?.innerText || '',
                         getComputedStyle(a).borderLeftStyle])"""
    )
    assert len(found) == expected, found
    assert all(title in ("Warning", "Note") for title, _ in found), found
    assert all(style != "none" for _, style in found), found
    leftovers = page.evaluate(
        """() => Array.from(document.querySelectorAll('blockquote strong'))
              .filter(s => /^(Warning|Note)\\.$/.test(s.innerText)).length"""
    )
    assert leftovers == 0


@pytest.mark.parametrize(
    "name", [p for p in PAGES if "<details>" in _source(p).read_text(encoding="utf-8")]
)
def test_solutions_stay_hidden_until_their_summary_is_clicked(visits, name):
    page = visits(name).page
    # myst-nb's own <details> hide the code of hide-input cells: only the solutions here
    solutions = page.locator("details", has=page.locator("summary", has_text="Solution"))
    assert solutions.count() >= 1
    # checkVisibility(): false for an element inside a closed <details>
    shown = "d => d.querySelector('p').checkVisibility()"
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        assert not solution.evaluate(shown), f"solution {i + 1} is shown before it is asked for"
        solution.locator("summary").click()
        assert solution.evaluate(shown), f"solution {i + 1} did not open on a click"
        solution.locator("summary").click()  # closed again, as the screenshot shows it
