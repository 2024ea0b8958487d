"""The documentation: every public name has an API entry, and the guides' code runs.

The site is built with the ``docs`` extra (``pip install -e ".[docs]"``; the ``test``
extra includes it); without Sphinx the build test is skipped.
"""

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDES = sorted((DOCS / "guides").glob("*.md"))
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(path):
    return PYTHON_BLOCK.findall(path.read_text())


def run_python(code, cwd):
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr[-3000:]


def test_every_guide_is_in_the_table_of_contents():
    index = (DOCS / "index.md").read_text()
    for guide in GUIDES:
        assert f"guides/{guide.stem}\n" in index, guide.name


# Each guide's Python blocks run in order in one fresh interpreter, as a reader would
# paste them; in a temporary directory, so that files they write stay out of the tree.
@pytest.mark.parametrize("guide", [g for g in GUIDES if python_blocks(g)], ids=lambda g: g.stem)
def test_guide_code_runs(guide, tmp_path):
    run_python("\n".join(python_blocks(guide)), tmp_path)


def test_readme_code_runs(tmp_path):
    blocks = python_blocks(ROOT / "README.md")
    assert blocks
    run_python("\n".join(blocks), tmp_path)


# Slow: .ci/run builds the site with -W as well, and the build itself fails when a
# public name has no API entry (docs/_ext/infojax_docs.py); this test also reads the
# inventory and the generated registry table.
@pytest.mark.slow
def test_site_builds_without_warnings_and_documents_every_public_name(tmp_path):
    pytest.importorskip("sphinx")
    from sphinx.util.inventory import InventoryFile

    out = tmp_path / "html"
    completed = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    with open(out / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    documented = {
        name for kind, objects in inventory.items() if kind.startswith("py:") for name in objects
    }
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        from infojax_docs import undocumented_names
    finally:
        sys.path.pop(0)
    assert undocumented_names(documented) == []
    # The registry's table is generated at build time: every registered name is in it.
    import infojax.bounds  # noqa: F401  (registers the neural estimators)
    from infojax.estimators import list_estimators

    page = (out / "api" / "estimators.html").read_text()
    for spec in list_estimators():
        assert f">{spec.name}<" in page, spec.name
    # Formulas go to the local MathJax copy; nothing is loaded from another site.
    assert (out / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert "https://cdn" not in page
