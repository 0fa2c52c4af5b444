"""The import graph of em, models and compare: no cycles, and the dependency rule holds.

Read from the source with ``ast``, so it sees every import: at module level, inside
functions (where a cycle hides best) and relative ones resolved. Imports under
``if TYPE_CHECKING:`` are skipped: they never run. An edge goes to the module named, or
for ``from package import name`` to ``package.name`` when that is a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("em", "models", "compare")

# What each package must never import (the project's dependency rule).
FORBIDDEN = {
    "em": ("pymc", "pytensor", "arviz", "models", "compare"),
    "models": ("em", "compare"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """Every imported module name of one file (absolute, as written or resolved)."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:  # the else branch does run
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            stem = ".".join([*base, node.module] if node.module else base)
        else:
            stem = node.module or ""
        if stem == "__future__":
            return
        for alias in node.names:
            candidate = f"{stem}.{alias.name}"
            self.names.add(candidate if candidate in MODULES else stem)


def _imports(module: str) -> set[str]:
    path = MODULES[module]
    visitor = _Imports(module, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_text(), filename=str(path)))
    return visitor.names


def _project_target(name: str) -> str | None:
    """The project module an imported name refers to (its longest known prefix), or None."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return None


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module in MODULES:
        targets = {_project_target(name) for name in _imports(module)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


GRAPH = _graph()


def test_the_walker_sees_imports_inside_functions_and_relative_ones():
    # compare.jobs imports compare.engine.comparison only inside a function, relatively.
    assert "compare.engine.comparison" in GRAPH["compare.jobs"]
    # The cycle finder finds a cycle hidden in a function.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]


def test_no_import_cycles():
    cycles = [sorted(c) for c in _cycles(GRAPH)]
    assert cycles == [], f"import cycles: {cycles}"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependency_rule(package):
    bad = {}
    for module in MODULES:
        if module.split(".")[0] != package:
            continue
        hits = {
            name
            for name in _imports(module)
            if name.split(".")[0] in FORBIDDEN[package] and name.split(".")[0] != package
        }
        if hits:
            bad[module] = sorted(hits)
    assert bad == {}, f"{package} must not import {', '.join(FORBIDDEN[package])}: {bad}"


def test_settings_import_nothing():
    # The command line reads compare.settings before PyMC loads: it must stay import-free.
    assert _imports("compare.settings") == set()


def test_compare_layers_point_down():
    """Lower layers of compare never import higher ones (see compare/__init__.py)."""
    layers = [
        {"compare.cli", "compare.__main__", "compare.fit_command"},
        # the runner: jobs (cached, in worker processes) with their progress display
        {
            "compare.runner",
            "compare.jobs",
            "compare.resultcache",
            "compare.parallel",
            "compare.progress",
        },
        {"compare.reports", "compare.studies"},
        {"compare.engine"},
        # optional page parts: computed by the engine, drawn with the figures below them
        {"compare.sections"},
        {"compare.figures", "compare.player"},
        {"compare.kinds"},
    ]

    def layer(module: str) -> int | None:
        for i, group in enumerate(layers):
            if any(module == g or module.startswith(g + ".") for g in group):
                return i
        return None

    upward = []
    for module, targets in GRAPH.items():
        mine = layer(module)
        if mine is None:  # the leaves (cases, align, metrics, ...) are checked below
            if module.startswith("compare."):
                upward += [(module, t) for t in targets if layer(t) is not None]
            continue
        upward += [(module, t) for t in targets if (lt := layer(t)) is not None and lt < mine]
    # compare.studies.report re-exports the study page for the README's old import path.
    upward = [e for e in upward if e[0] != "compare.studies.report"]
    assert upward == [], f"imports pointing up a layer: {upward}"
