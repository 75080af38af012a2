"""Sphinx configuration for flask-crossorigin's documentation (``make docs``).

The source directory is the repository root, not ``docs/``: the Markdown pages link to each
other and to README.md, CHANGELOG.md and SECURITY.md by their paths in the repository, and those
links then work the same on a code host and in the rendered site. ``include_patterns`` picks the
pages; MyST parses the Markdown; autodoc renders the API reference from the docstrings.
Build with ``sphinx-build -W -c docs . build/docs`` (warnings are errors).
"""

from __future__ import annotations

from importlib.metadata import version as _version
from pathlib import Path
from typing import Any

project = "flask-crossorigin"
author = "flask-crossorigin developers"
copyright = "flask-crossorigin developers"
release = _version("flask-crossorigin")
version = ".".join(release.split(".")[:2])

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.intersphinx"]

root_doc = "docs/index"
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
include_patterns = [
    "README.md",
    "CHANGELOG.md",
    "SECURITY.md",
    "CONTRIBUTING.md",
    "docs/**",
    "benchmarks/README.md",
    "fuzz/README.md",
]
exclude_patterns = ["build", "dist", ".venv", "**/.pytest_cache"]

# Links to headings (options.md#max_age) resolve as they do on a code host.
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options: dict[str, object] = {}

# Type hints name Flask and Werkzeug classes; with no network beyond PyPI at build time the
# inventories are not fetched, so intersphinx stays empty rather than warn.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "alabaster"
html_title = f"flask-crossorigin {release}"
# docs/_static/site.css adjusts the theme's layout: tables and code blocks scroll (or wrap)
# inside the text column instead of running past it, and the sidebar wraps long API names.
# Paths here are relative to this directory (docs/), not to the source directory.
html_static_path = ["_static"]
html_css_files = ["site.css"]


def _root_redirect(app: Any, exception: Exception | None) -> None:
    """Write ``index.html`` at the top of the output, pointing at ``docs/index.html``.

    The pages keep their repository paths (see the module docstring), so the start page is one
    level down; opening the build directory's index.html should still land on it.
    """
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "index.html"
        target.write_text(
            '<!doctype html><meta charset="utf-8"><title>flask-crossorigin</title>'
            '<meta http-equiv="refresh" content="0; url=docs/index.html">'
            '<a href="docs/index.html">flask-crossorigin documentation</a>\n',
            encoding="utf-8",
        )


def setup(app: Any) -> None:
    app.connect("build-finished", _root_redirect)
