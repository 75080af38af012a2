"""The layers of docs/architecture.md, derived from the code and enforced: the one definition.

Every module of the package is in one of three layers, decided here and nowhere else:

* the **tools** are named below (:data:`TOOLS`): the browser simulator, the documentation
  reader, the diagnosis library, the test helpers, the CLI;
* a module that is not a tool is **core** when no import in it, nor in any module of the
  package it imports (directly or through others), names Flask or Werkzeug; imports under
  ``TYPE_CHECKING`` and inside functions count, because they are imports too;
* every other module is **adapter** (the Flask extension).

The tests then check that docs/architecture.md lists exactly these layers, that every core
module really imports with Flask and Werkzeug absent, that no two modules import each other
(through any chain), and that imports only run downward: tools may use adapter and core, the
adapter may use the core, the core uses neither.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Framework-facing, but built on top of the extension rather than part of it. The only module
#: names written in this file: the core and the adapter are derived from the imports.
TOOLS = frozenset(
    {"browser", "cli", "compare", "_compare_child", "diagnosis", "explain", "reference", "testing"}
)

FRAMEWORKS = frozenset({"flask", "werkzeug"})
# Found without importing it: the layers are read from the source, whatever state it is in.
_SPEC = importlib.util.find_spec("flask_crossorigin")
assert _SPEC and _SPEC.submodule_search_locations
PACKAGE = Path(next(iter(_SPEC.submodule_search_locations)))
ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
LAYERS = ("core", "adapter", "tools")


def _modules() -> list[str]:
    return sorted(path.stem for path in PACKAGE.glob("*.py"))


def _imports(module: str, modules: list[str]) -> tuple[set[str], set[str]]:
    """The package modules and the external top-level packages that *module* imports, anywhere.

    ``from . import x`` and ``import flask_crossorigin.x`` import the module ``x``; importing a
    name from the package itself (``from flask_crossorigin import CORS``) imports ``__init__``.
    """
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    inside: set[str] = set()
    outside: set[str] = set()

    def from_package(names: list[str]) -> None:
        for name in names:
            inside.add(name if name in modules else "__init__")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] != "flask_crossorigin":
                    outside.add(parts[0])
                else:
                    inside.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.ImportFrom):
            parts = node.module.split(".") if node.module else []
            if node.level == 0 and parts[0] != "flask_crossorigin":
                outside.add(parts[0])
                continue
            if node.level == 0:
                parts = parts[1:]
            assert node.level <= 1, f"{module}: the package has no subpackages"
            if parts:
                inside.add(parts[0])
            else:
                from_package([alias.name for alias in node.names])
    inside.discard(module)
    return inside, outside


def _graph() -> tuple[dict[str, set[str]], set[str]]:
    """The import graph of the package, and the modules that import Flask or Werkzeug directly.

    An import of a module that does not exist is left out here (test_every_import_resolves
    reports it), so that collecting this file never fails.
    """
    modules = _modules()
    graph: dict[str, set[str]] = {}
    direct: set[str] = set()
    for module in modules:
        inside, outside = _imports(module, modules)
        graph[module] = inside & set(modules)
        if outside & FRAMEWORKS:
            direct.add(module)
    return graph, direct


def test_every_import_resolves() -> None:
    modules = _modules()
    unknown = {
        module: sorted(missing)
        for module in modules
        if (missing := _imports(module, modules)[0] - set(modules))
    }
    assert not unknown, f"imports of modules that are not in the package: {unknown}"


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def derive_layers() -> dict[str, str]:
    """Each module of the package and its layer: ``core``, ``adapter`` or ``tools``."""
    graph, direct = _graph()
    missing = TOOLS - set(graph)
    assert not missing, f"TOOLS names {sorted(missing)}, which are not modules of the package"
    layers: dict[str, str] = {}
    for module in graph:
        if module in TOOLS:
            layers[module] = "tools"
        elif _reachable(graph, module) & direct:
            layers[module] = "adapter"
        else:
            layers[module] = "core"
    return layers


def _framework_free() -> list[str]:
    graph, direct = _graph()
    return sorted(m for m in graph if not _reachable(graph, m) & direct)


def documented_layers() -> dict[str, str]:
    """The module map of docs/architecture.md: the ``src/flask_crossorigin/`` block, by layer.

    The block is grouped under ``core:``, ``adapter:`` and ``tools:`` headings; each module line
    under a heading starts with the file name.
    """
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = re.search(r"^```\nsrc/flask_crossorigin/\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert block, "docs/architecture.md has no module map (a block starting src/flask_crossorigin/)"
    layers: dict[str, str] = {}
    layer = None
    for line in block.group(1).splitlines():
        heading = re.match(r"^  (\w+):", line)
        if heading:
            layer = heading.group(1)
            assert layer in LAYERS, f"docs/architecture.md: unknown layer {layer!r}"
            continue
        entry = re.match(r"^    (\w+)\.py\b", line)
        if entry:
            assert layer, f"docs/architecture.md: {entry.group(1)}.py is under no layer heading"
            assert entry.group(1) not in layers, f"docs/architecture.md: {entry.group(1)} twice"
            layers[entry.group(1)] = layer
    return layers


def test_the_architecture_page_lists_the_derived_layers() -> None:
    # The core listed in docs/architecture.md is exactly the derived core; so are the adapter
    # and the tools, so that a new module cannot go undocumented or under the wrong heading.
    derived = derive_layers()
    documented = documented_layers()
    wrong = [
        f"{module}: the imports make it {derived.get(module, 'absent')}, "
        f"docs/architecture.md lists it {documented.get(module, 'nowhere')}"
        for module in sorted(set(derived) | set(documented))
        if derived.get(module) != documented.get(module)
    ]
    assert not wrong, wrong


@pytest.mark.parametrize("module", _framework_free())
def test_framework_free_module_imports_without_flask(module: str) -> None:
    # The core, and the tools that need no framework (the browser simulator, the docs reader).
    # Block flask and werkzeug, stub the package __init__ (which imports the adapter), then
    # import the module on its own: what the import graph says, the interpreter confirms.
    code = f"""
import importlib.util, sys, types
for name in ("flask", "werkzeug"):
    sys.modules[name] = None
spec = importlib.util.find_spec("flask_crossorigin")
package = types.ModuleType("flask_crossorigin")
package.__path__ = list(spec.submodule_search_locations)
sys.modules["flask_crossorigin"] = package
importlib.import_module("flask_crossorigin." + {module!r})
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "werkzeug")
                and sys.modules[m] is not None)
assert not leaked, leaked
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_derivation_sees_both_layers() -> None:
    # Guards on the derivation itself: a parser that missed every import would call everything
    # core, one that invented imports would call nothing core. The browser simulator and the
    # docs reader are tools, yet need no framework (docs/api.md, `flask cors explain`).
    layers = derive_layers()
    _, direct = _graph()
    assert "core" in layers.values()
    assert "adapter" in layers.values()
    assert all(layers[module] != "core" for module in direct)
    assert {"browser", "explain", "reference"} <= set(_framework_free())


def _cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """One cycle through each module that lies on one, as a path that ends where it starts."""
    reported: set[str] = set()
    for start in sorted(graph):
        if start in reported:
            continue
        # Breadth-first from start's imports back to start: the shortest cycle through it.
        parents: dict[str, str] = {}
        frontier = [start]
        found = False
        while frontier and not found:
            following = []
            for module in frontier:
                for target in sorted(graph[module]):
                    if target == start:
                        path = [start, module]
                        while path[-1] != start:
                            path.append(parents[path[-1]])
                        cycle = path[::-1]
                        reported.update(cycle)
                        yield cycle
                        found = True
                        break
                    if target not in parents:
                        parents[target] = module
                        following.append(target)
                if found:
                    break
            frontier = following


def test_no_import_cycles() -> None:
    # TYPE_CHECKING imports included: a cycle that only type checkers follow still means two
    # modules that cannot be understood, or moved, one without the other.
    graph, _ = _graph()
    cycles = [" -> ".join(cycle) for cycle in _cycles(graph)]
    assert not cycles, cycles


def test_imports_run_downward() -> None:
    layers = derive_layers()
    rank = {layer: index for index, layer in enumerate(LAYERS)}
    graph, _ = _graph()
    upward = sorted(
        f"{module} ({layers[module]}) imports {target} ({layers[target]})"
        for module, targets in graph.items()
        for target in targets
        if rank[layers[target]] > rank[layers[module]]
    )
    assert not upward, upward


def test_extension_and_decorator_do_not_import_each_other() -> None:
    # Both are built on _adapter and the core; neither reaches the other through any chain.
    graph, _ = _graph()
    assert "decorator" not in _reachable(graph, "extension")
    assert "extension" not in _reachable(graph, "decorator")
