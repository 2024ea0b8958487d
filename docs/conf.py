"""Sphinx configuration of the infojax documentation.

Build: ``pip install -e ".[docs]"`` then ``sphinx-build -W -b html docs docs/_build/html``.
Everything renders offline: MathJax is served from a local copy
(``sphinx-mathjax-offline``), and links to other projects' documentation are plain
links, since intersphinx inventories cannot be fetched here.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ext"))

project = "infojax"
author = "the infojax developers"
copyright = "2026, the infojax developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "infojax_docs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]

# Google-style docstrings; "Attributes:" of NamedTuples as fields of the class, so the
# autodoc entries of the same attributes are not described twice.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
autodoc_member_order = "bysource"
# Shapes, dtypes and units are in the docstrings' Args; annotations would repeat them.
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "show-inheritance": False}

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "infojax"
html_static_path = ["_static"]
html_css_files = ["infojax.css"]

# Links to other sites cannot be reached from the build machines: linkcheck checks
# the links inside the site only.
linkcheck_ignore = [r"https?://.*"]
