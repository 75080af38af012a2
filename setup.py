"""Ship the documentation pages inside the package, for ``flask cors explain``.

pyproject.toml holds all the metadata; this file only extends setuptools' ``build_py`` so that a
wheel (built from the checkout or from the sdist, which carries docs/) contains docs/*.md as
``flask_crossorigin/_docs/*.md``: copied at build time, so the pages in docs/ stay the one source
of truth. Mapping docs/ onto a subpackage with ``package-dir`` would do it without code, but it
turns editable installs into an import hook that mypy cannot follow. An editable install has no
``_docs`` and reads the checkout's docs/ instead (see flask_crossorigin/reference.py).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DOCS = Path(__file__).resolve().parent / "docs"


class BuildWithDocs(build_py):
    """``build_py`` plus a copy of docs/*.md into the built package's ``_docs`` directory."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # the package stays in src/; reference.py reads docs/ there
            return
        target = Path(self.build_lib) / "flask_crossorigin" / "_docs"
        target.mkdir(parents=True, exist_ok=True)
        pages = sorted(DOCS.glob("*.md"))
        if not pages:
            raise SystemExit(f"setup.py: no docs pages in {DOCS}; flask cors explain needs them")
        for page in pages:
            self.copy_file(str(page), str(target / page.name))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            target = Path(self.build_lib) / "flask_crossorigin" / "_docs"
            outputs.extend(str(target / page.name) for page in sorted(DOCS.glob("*.md")))
        return outputs


setup(cmdclass={"build_py": BuildWithDocs})
