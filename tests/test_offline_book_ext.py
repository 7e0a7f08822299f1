"""_ext/offline_book.py, the Sphinx glue that keeps built pages offline and free of errors."""

import sys
from pathlib import Path

from sphinx.builders.html._assets import _JavaScript

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))

import offline_book

ANIMATION = (
    '<link rel="stylesheet"\n'
    'href="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css">\n'
    '<div class="animation"></div>'
)


VIEW = '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "1"}</script>'


def _context(scripts, body=ANIMATION):
    return {
        "body": body,
        "script_files": list(scripts),
        "pathto": lambda target, resource: f"../{target}",
    }


def _bodies(context):
    return [s.attributes.get("body") for s in context["script_files"]]


def test_the_animation_cdn_stylesheet_is_dropped():
    context = _context([])
    offline_book.clean_page(None, "chapters/04", "page.html", context, None)
    assert "maxcdn" not in context["body"]
    assert context["body"] == '<div class="animation"></div>'


def test_identical_inline_scripts_are_kept_once():
    thebe = 'const THEBE_JS_URL = "x"'
    scripts = [
        _JavaScript(None, body=thebe),
        _JavaScript("_static/a.js"),
        _JavaScript("", body=thebe),
    ]
    context = _context(scripts)
    offline_book.clean_page(None, "intro", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == [None, "_static/a.js"]
    assert _bodies(context).count(thebe) == 1


def test_widget_pages_get_the_path_and_mathjax_shim_before_the_manager():
    scripts = [
        _JavaScript("offline/require.js"),
        _JavaScript("offline/html-manager/embed-amd.js"),
    ]
    context = _context(scripts, body=VIEW)
    offline_book.clean_page(None, "chapters/05", "page.html", context, None)
    names = [s.filename for s in context["script_files"]]
    assert names == ["offline/require.js", "", "offline/html-manager/embed-amd.js"]
    shim = context["script_files"][1].attributes["body"]
    assert '"@jupyter-widgets/html-manager/dist": "../_static/offline/html-manager"' in shim
    assert "MathJax.Hub = {Queue" in shim


def test_pages_without_widgets_get_no_shim():
    context = _context([_JavaScript("_static/a.js")])
    offline_book.clean_page(None, "intro", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == ["_static/a.js"]


def test_a_page_whose_widgets_are_all_removed_loads_no_widget_manager():
    scripts = [
        _JavaScript("offline/require.js"),
        _JavaScript("offline/html-manager/embed-amd.js"),
    ]
    context = _context(scripts)  # saved widget state, but no view on the page
    offline_book.clean_page(None, "chapters/09", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == ["offline/require.js"]
