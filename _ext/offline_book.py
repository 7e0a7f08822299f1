"""Sphinx glue that keeps the built book self-contained and free of browser errors.

- matplotlib's ``to_jshtml()`` animations link Font Awesome 4 from a CDN for their button
  icons. The theme already loads Font Awesome from ``_static``, which draws the same ``fa``
  icons, so the page drops that external stylesheet (the notebook keeps it, for Jupyter/Colab).
- The ipywidgets HTML manager loads its icon fonts relative to its AMD module path, which
  require.js resolves beside the page; a ``require.config`` before it points there instead.
  It also typesets widget labels with MathJax 2's ``MathJax.Hub.Queue``, which MathJax 3 lacks;
  a three-line shim forwards those calls to MathJax 3.
- A notebook whose widgets are saved but shown nowhere on the page (their outputs removed, as
  the book removes its live explorers) would still load the widget manager, which then fetches
  its icon fonts for nothing and, on a busy machine, from the wrong folder; a page without a
  widget view loads no manager.
- Jupyter Book registers a few inline scripts twice (sphinx-thebe's ``const THEBE_JS_URL``
  among them); declaring a ``const`` twice is an error in the browser, so a page keeps one
  copy of each identical script.

Each fix is checked by tests/browser/test_book_in_browser.py.
"""

from __future__ import annotations

import re

CDN_STYLESHEETS = re.compile(
    r'<link rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/font-awesome/[^"]+">\s*'
)


def _script_key(script) -> tuple:
    # The copies differ only in filename None versus "": both mean an inline script.
    attributes = tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items()))
    return (getattr(script, "filename", script) or "", attributes)


def _widget_fonts_script(context):
    """Inline script that points the widget manager's own files at _static/offline.

    The manager finds its fonts next to the AMD module ``@jupyter-widgets/html-manager/dist``,
    which require.js would otherwise look for beside the page.
    """
    from sphinx.builders.html._assets import _JavaScript

    folder = context["pathto"]("_static/offline/html-manager", 1)
    body = (
        f'require.config({{paths: {{"@jupyter-widgets/html-manager/dist": "{folder}"}}}});'
        + MATHJAX2_QUEUE_SHIM
    )
    return _JavaScript("", body=body)


# The widget manager typesets labels with MathJax 2's API (MathJax.Hub.Queue) whenever
# window.MathJax exists; the book loads MathJax 3, which has no Hub. This forwards those calls
# to MathJax 3 (installed once the deferred MathJax script has run, before widgets render).
MATHJAX2_QUEUE_SHIM = """
document.addEventListener("DOMContentLoaded", function () {
  if (window.MathJax && window.MathJax.startup && !window.MathJax.Hub) {
    window.MathJax.Hub = {Queue: function (job) {
      return MathJax.startup.promise.then(function () { return MathJax.typesetPromise([job[2]]); });
    }};
  }
});"""


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # a widget shown on the page


def _is_widget_manager(script) -> bool:
    return (getattr(script, "filename", None) or "").endswith("html-manager/embed-amd.js")


def clean_page(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = CDN_STYLESHEETS.sub("", context["body"])
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique
        if WIDGET_VIEW not in context.get("body", ""):
            scripts[:] = [s for s in scripts if not _is_widget_manager(s)]
        for i, script in enumerate(scripts):
            if _is_widget_manager(script):
                scripts.insert(i, _widget_fonts_script(context))
                break


def setup(app):
    app.connect("html-page-context", clean_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
