"""Sphinx extension of the infojax documentation (its directives are for MyST pages).

- ``registry-table``: the table of registered estimators, generated from
  :data:`infojax.estimators.ESTIMATORS` at build time (never written by hand).
- ``reexports``: the names a package re-exports, each linked to where it is documented.
- A check at the end of the build that every public name (``__all__`` of each package
  in :data:`API_PACKAGES`) is documented on an API page; a missing one is a warning, so
  ``sphinx-build -W`` fails.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Mapping

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

# The packages with an API page, in the order of the reference.
API_PACKAGES = (
    "infojax",
    "infojax.measures",
    "infojax.bayes",
    "infojax.estimators",
    "infojax.bounds",
    "infojax.objectives",
    "infojax.stats",
    "infojax.tasks",
    "infojax.data",
    "infojax.models",
    "infojax.training",
    "infojax.tracking",
    "infojax.runs",
    "infojax.io",
)


def _public_names(package: str) -> list[str]:
    return list(importlib.import_module(package).__all__)


def documented_location(package: str, name: str) -> str:
    """The dotted name under which ``package.name`` is documented.

    A subpackage is documented as a module; a name that ``infojax`` re-exports from a
    subpackage is documented there (the first API package after ``infojax`` that
    exports the same object).
    """
    obj = getattr(importlib.import_module(package), name)
    if inspect.ismodule(obj):
        return obj.__name__
    if package != "infojax":
        return f"{package}.{name}"
    for other in API_PACKAGES[1:]:
        module = importlib.import_module(other)
        if name in module.__all__ and getattr(module, name) is obj:
            return f"{other}.{name}"
    return f"{package}.{name}"


def undocumented_names(documented: set[str]) -> list[str]:
    """Public names of :data:`API_PACKAGES` whose documented location is not in
    ``documented`` (a set of dotted Python object names, e.g. from ``objects.inv``)."""
    return [
        f"{package}.{name}"
        for package in API_PACKAGES
        for name in _public_names(package)
        if documented_location(package, name) not in documented
    ]


def _reference(fn) -> str:
    """Authors and year of the first reference in ``fn``'s docstring ("" if none)."""
    doc = inspect.getdoc(fn) or ""
    match = re.search(r"References:\n((?:[ \t]+.*\n?)+)", doc)
    if not match:
        return ""
    first = " ".join(line.strip() for line in match.group(1).splitlines())
    authors = re.split(r",\s*[\"“]", first, maxsplit=1)[0]
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", first)
    if year and year.group(1) not in authors:
        authors = f"{authors} {year.group(1)}"
    return authors.rstrip(",. ")


def _linked_name(spec) -> str:
    """The entry's name, linked to its function's API entry where that is public."""
    fn_name = getattr(spec.fn, "__name__", "")
    for package in API_PACKAGES[1:]:
        module = importlib.import_module(package)
        if fn_name in module.__all__ and getattr(module, fn_name) is spec.fn:
            return f"{{func}}`{spec.name} <{package}.{fn_name}>`"
    return f"`{spec.name}`"


_QUANTITY_ABBREVIATIONS = {
    "entropy": "H",
    "mutual_information": "MI",
    "conditional_mutual_information": "CMI",
    "total_correlation": "TC",
    "dual_total_correlation": "DTC",
    "o_information": "O",
}


def _parse_markdown(directive: SphinxDirective, lines: list[str]) -> list[nodes.Node]:
    """``lines`` parsed as MyST Markdown (the pages' language) into docutils nodes."""
    container = nodes.container()
    directive.state.nested_parse(StringList(lines), directive.content_offset, container)
    return container.children


class RegistryTable(SphinxDirective):
    """The registry of estimators as a table, from the registry itself."""

    def run(self):
        import infojax.bounds  # noqa: F401  (registers the neural estimators)
        from infojax.estimators import list_estimators

        rows = [
            "* - name",
            "  - quantity",
            "  - inputs",
            "  - jit",
            "  - gradient",
            "  - reference",
        ]
        for spec in sorted(list_estimators(), key=lambda s: (s.quantity, s.name)):
            cells = (
                _linked_name(spec),
                _QUANTITY_ABBREVIATIONS.get(spec.quantity, spec.quantity.replace("_", " ")),
                spec.inputs,
                "yes" if spec.jittable else "no",
                spec.gradient or "-",
                spec.reference or _reference(spec.fn) or "-",
            )
            rows.append(f"* - {cells[0]}")
            rows.extend(f"  - {cell}" for cell in cells[1:])
        text = ["```{list-table}", ":header-rows: 1", ":class: registry-table", "", *rows, "```"]
        return _parse_markdown(self, text)


class Reexports(SphinxDirective):
    """A bullet list of a package's public names, linked to where each is documented."""

    required_arguments = 1

    def run(self):
        package = self.arguments[0]
        lines = []
        for name in _public_names(package):
            target = documented_location(package, name)
            is_module = inspect.ismodule(getattr(importlib.import_module(package), name))
            lines.append(f"- {{py:{'mod' if is_module else 'obj'}}}`{name} <{target}>`")
        return _parse_markdown(self, lines)


def _describe(value) -> str:
    """One line on a public constant: its entries for a mapping or a sequence."""
    if isinstance(value, Mapping):
        return f"Mapping of {len(value)} entries: " + ", ".join(f"`{k}`" for k in value) + "."
    if isinstance(value, (tuple, list, frozenset, set)):
        return f"{type(value).__name__} of " + ", ".join(f"`{v}`" for v in value) + "."
    return f"`{value!r}`"


class PublicData(SphinxDirective):
    """Entries for the public constants of a package that have no docstring of their own
    (autodoc documents module-level data only when it has a ``#:`` comment)."""

    required_arguments = 1

    def run(self):
        package = self.arguments[0]
        module = importlib.import_module(package)
        documented = self.env.get_domain("py").objects
        lines = []
        for name in _public_names(package):
            value = getattr(module, name)
            if inspect.ismodule(value) or inspect.isclass(value) or inspect.isroutine(value):
                continue
            if f"{package}.{name}" in documented:
                continue
            lines += [f"```{{py:data}} {name}", f":module: {package}", ""]
            lines += [_describe(value), "```", ""]
        return _parse_markdown(self, lines)


def _check_public_names(app, env):
    documented = set(env.get_domain("py").objects)
    missing = undocumented_names(documented)
    if missing:
        logger.warning(
            "public names without an API entry (add them to a page under docs/api/): %s",
            ", ".join(missing),
        )


def _skip_namedtuple_aliases(app, what, name, obj, skip, options):
    """NamedTuple fields are described in their class's Attributes; skip the
    generated "Alias for field number k" entries."""
    if (getattr(obj, "__doc__", None) or "").startswith("Alias for field number"):
        return True
    return None


def setup(app):
    app.add_directive("registry-table", RegistryTable)
    app.add_directive("reexports", Reexports)
    app.add_directive("public-data", PublicData)
    app.connect("env-check-consistency", _check_public_names)
    app.connect("autodoc-skip-member", _skip_namedtuple_aliases)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
