"""Sphinx configuration: MyST Markdown; spec clauses and the CLI reference are generated here."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

project = "qsgd-ref"
author = "qsgd-ref developers"
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.mathjax"]
myst_enable_extensions = ["dollarmath", "amsmath", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
html_theme = "alabaster"
autodoc_typehints = "description"
nitpicky = False


def _generate(app):  # noqa: ARG001 - sphinx hook signature
    from docs_gen import write_cli_reference, write_spec_page

    out = DOCS / "_generated"
    out.mkdir(exist_ok=True)
    write_spec_page(out / "spec.md")
    write_cli_reference(out / "cli.md")


def setup(app):
    sys.path.insert(0, str(DOCS))
    from docs_gen import link_clauses

    app.connect("builder-inited", _generate)
    app.connect("autodoc-process-docstring", link_clauses)
