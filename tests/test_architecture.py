"""The layering of docs/architecture.md, enforced: the CORS core never imports Flask."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "flask_crossorigin._http",
    "flask_crossorigin.errors",
    "flask_crossorigin.options",
    "flask_crossorigin.origins",
    "flask_crossorigin.policy",
    "flask_crossorigin.resources",
    "flask_crossorigin.explain",
    "flask_crossorigin._refusals",
    "flask_crossorigin.reference",  # reads the shipped docs pages: standard library only
    "flask_crossorigin.types",  # the option types: standard library only
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_without_flask(module: str) -> None:
    # Block flask and werkzeug, stub the package __init__ (which imports the adapters), then
    # import the core module on its own.
    code = f"""
import importlib.util, sys, types, pathlib
for name in ("flask", "werkzeug"):
    sys.modules[name] = None
spec = importlib.util.find_spec("flask_crossorigin")
package = types.ModuleType("flask_crossorigin")
package.__path__ = list(spec.submodule_search_locations)
sys.modules["flask_crossorigin"] = package
importlib.import_module({module!r})
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "werkzeug")
                and sys.modules[m] is not None)
assert not leaked, leaked
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_adapters_are_the_only_flask_importers() -> None:
    import re
    from pathlib import Path

    import flask_crossorigin

    imports_flask = re.compile(r"^\s*(from|import) (flask|werkzeug)(\.|\s)", re.MULTILINE)
    package = Path(flask_crossorigin.__file__).parent
    importers = sorted(
        path.name for path in package.glob("*.py") if imports_flask.search(path.read_text())
    )
    adapters = {
        "__init__.py",
        "_adapter.py",
        "_compat.py",
        "_middleware.py",
        "cli.py",
        "decorator.py",
        "diagnosis.py",
        "extension.py",
        "testing.py",
    }
    assert set(importers) <= adapters, importers


def test_extension_and_decorator_do_not_import_each_other() -> None:
    from pathlib import Path

    import flask_crossorigin

    package = Path(flask_crossorigin.__file__).parent
    assert "from .decorator" not in (package / "extension.py").read_text()
    assert "from .extension" not in (package / "decorator.py").read_text()
