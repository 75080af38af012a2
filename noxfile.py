"""The version matrix: the package against the oldest and newest Flask it supports, and the next.

    nox                      # every session (what ``make matrix`` and CI run)
    nox -s tests-floor       # one of them; ``nox -l`` lists them

Sessions:

* ``tests-floor``: Python 3.9 with Flask 2.3.0 and Werkzeug 2.3.0, the oldest supported;
* ``tests-newest``: Python 3.13 with the newest Flask and Werkzeug releases;
* ``tests-next``: Python 3.13 with Flask and Werkzeug 3.2.0.dev, from the wheels in
  ``$FLASK_NEXT_WHEELS`` (default ``../shared/wheels`` when it exists), else from the public git
  repositories of pallets/flask and pallets/werkzeug;
* ``typecheck-floor`` / ``typecheck-newest``: ``mypy --strict`` (the settings of pyproject.toml)
  against Flask 2.3.0 and the newest Flask.

The test sessions run the suite without the browser and real-server tests (those run once, in
``make test``, on the development versions), which keeps the matrix to a few minutes.

Interpreters are looked up on ``PATH`` and in pyenv's versions directory (``$PYENV_ROOT``,
default ``~/.pyenv``), so a fresh machine with pyenv-built Pythons needs no shims.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
nox.options.sessions = [
    "tests-floor",
    "tests-newest",
    "tests-next",
    "typecheck-floor",
    "typecheck-newest",
]
nox.options.error_on_missing_interpreters = True

#: Test tools and mypy come from pyproject.toml's dependency groups (``test``, ``typing``; and
#: ``compare``, flask-cors for the child process of tests/test_compare.py), pinned
#: there per Python line (pytest 8.4.2 and hypothesis 6.141.1 on 3.9); ``--group`` needs pip 25.1.
TEST_TOOLS = ["--group", "test", "--group", "compare"]
MYPY = ["--group", "typing"]
FLOOR = ["flask==2.3.0", "werkzeug==2.3.0"]
NEWEST = ["flask", "werkzeug"]
PYTEST_ARGS = ["-q", "-p", "no:cacheprovider", "--ignore=tests/browser", "--ignore=tests/server"]


def _add_pyenv_interpreters() -> None:
    """Put every pyenv-built interpreter's bin directory on PATH, after what is already there."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = sorted(str(path) for path in (root / "versions").glob("*/bin") if path.is_dir())
    path = os.environ.get("PATH", "").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join([*path, *(item for item in found if item not in path)])


_add_pyenv_interpreters()


def next_flask() -> list[str]:
    """What to install for Flask and Werkzeug 3.2.0.dev: the local wheels, else the git heads."""
    configured = os.environ.get("FLASK_NEXT_WHEELS")
    directory = Path(configured) if configured else ROOT.parent / "shared" / "wheels"
    werkzeug = sorted(directory.glob("werkzeug-*.whl"))
    flask = sorted(directory.glob("flask-*.whl"))
    if werkzeug and flask:
        return [str(werkzeug[-1]), str(flask[-1])]
    if configured:
        raise SystemExit(f"FLASK_NEXT_WHEELS={configured}: no flask-*.whl and werkzeug-*.whl")
    return [
        "werkzeug @ git+https://github.com/pallets/werkzeug",
        "flask @ git+https://github.com/pallets/flask",
    ]


def _tests(session: nox.Session, flask: list[str]) -> None:
    session.install("pip>=25.1")
    # The package with its own dependencies, resolved together with the pinned Flask/Werkzeug.
    session.install(*TEST_TOOLS, *flask, ".")
    session.run(
        "python",
        "-c",
        "import importlib.metadata as m; print('Flask', m.version('flask'), "
        "'Werkzeug', m.version('werkzeug'))",
    )
    session.run("pytest", *PYTEST_ARGS, *session.posargs)


@nox.session(name="tests-floor", python="3.9")
def tests_floor(session: nox.Session) -> None:
    """The oldest supported versions: Python 3.9, Flask 2.3.0, Werkzeug 2.3.0."""
    _tests(session, FLOOR)


@nox.session(name="tests-newest", python="3.13")
def tests_newest(session: nox.Session) -> None:
    """The newest Python of the matrix with the newest Flask and Werkzeug releases."""
    _tests(session, NEWEST)


@nox.session(name="tests-next", python="3.13")
def tests_next(session: nox.Session) -> None:
    """Flask and Werkzeug 3.2.0.dev (see the module docstring for where they come from)."""
    _tests(session, next_flask())


def _typecheck(session: nox.Session, flask: list[str]) -> None:
    session.install("pip>=25.1")
    # The package's dependencies (publicsuffixlist's annotations among them) come with ".";
    # the sources are checked in place, against the Flask and Werkzeug installed here.
    session.install(*MYPY, *flask, ".")
    session.run("mypy", "--config-file", str(ROOT / "pyproject.toml"), "src")


@nox.session(name="typecheck-floor", python="3.13")
def typecheck_floor(session: nox.Session) -> None:
    """``mypy --strict`` against Flask 2.3.0's and Werkzeug 2.3.0's annotations, every rule on.

    Werkzeug 2.3.0 leaves most ``Headers`` methods unannotated and Flask 2.3.0's
    ``AppGroup.command`` too; the package calls them through typed views
    (``_compat.typed_headers``, ``cli._command``), so no rule needs relaxing.
    """
    _typecheck(session, FLOOR)


@nox.session(name="typecheck-newest", python="3.13")
def typecheck_newest(session: nox.Session) -> None:
    """``mypy --strict`` against the newest Flask's and Werkzeug's annotations."""
    _typecheck(session, NEWEST)
