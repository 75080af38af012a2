"""The development tools are pinned alike everywhere; the built metadata says what it should.

pyproject.toml's dependency groups hold the only versions of ruff, mypy, pytest and the rest; the
pre-commit hooks must run the same ruff. An open range (``>=``) would let two machines on the
same day get different tools, which is how mypy came to pass on one and fail on another.

The wheel's metadata carries the version and, from the first release on, the project's URLs
(``[project.urls]``): a release without them fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>[0-9][0-9A-Za-z.]*)(?:; (?P<marker>.+))?$"
)


def _group_requirements() -> dict[str, list[str]]:
    """The requirement strings of each dependency group, read without a TOML parser (3.9)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("\n[dependency-groups]\n", 1)[1].split("\n[", 1)[0]
    groups: dict[str, list[str]] = {}
    for name, body in re.findall(r"^([a-z]+) = \[\n(.*?)^\]", section, flags=re.M | re.S):
        groups[name] = re.findall(r'^\s*"([^"]+)",?\s*(?:#.*)?$', body, flags=re.M)
    for name, body in re.findall(r'^([a-z]+) = \[("[^\n]*")\]$', section, flags=re.M):
        groups[name] = re.findall(r'"([^"]+)"', body)
    return groups


def test_every_group_requirement_is_an_exact_pin() -> None:
    groups = _group_requirements()
    assert {"test", "typing", "lint", "browser", "docs", "package", "bench", "fuzz", "dev"} <= set(
        groups
    )
    for group, requirements in groups.items():
        for requirement in requirements:
            assert PIN.match(requirement), f"[{group}] {requirement!r} is not pinned with =="


def test_each_tool_has_one_version_per_python() -> None:
    # Markers must split the Python lines without overlap: one pin per tool and interpreter.
    for group, requirements in _group_requirements().items():
        by_tool: dict[str, list[str | None]] = {}
        for requirement in requirements:
            match = PIN.match(requirement)
            assert match
            by_tool.setdefault(match["name"].lower(), []).append(match["marker"])
        for tool, markers in by_tool.items():
            if len(markers) > 1:
                assert None not in markers, f"[{group}] {tool}: an unmarked pin beside marked ones"
                assert len(set(markers)) == len(markers), f"[{group}] {tool}: a marker repeats"


def test_flask_cors_is_only_a_benchmark_peer_and_the_compared_side() -> None:
    # `bench` (the benchmarks' comparison peer) and `compare` (the child process of `flask cors
    # compare`'s tests loads example apps with it); never the package, never another group.
    groups = _group_requirements()
    holders = [g for g, reqs in groups.items() if any(r.startswith("flask-cors") for r in reqs)]
    assert sorted(holders) == ["bench", "compare"]
    assert groups["compare"] == ["flask-cors==6.0.5"]


def test_pre_commit_runs_the_pinned_ruff() -> None:
    lint = _group_requirements()["lint"]
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r'"(ruff==[^"]+)"', hooks))
    assert used == set(lint), (used, lint)


# --------------------------------------------------------------------------------------------
# The built wheel's metadata

#: The labels every release's Project-URL entries carry (PyPI shows them by these names).
PROJECT_URL_LABELS = ("Homepage", "Documentation", "Changelog", "Source", "Issues")
#: Text that marks a URL someone meant to fill in later.
PLACEHOLDER = re.compile(r"example\.(com|org|net)|TODO|FIXME|XXX|\u2026|\.\.\.|<|>", re.I)


def _pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, flags=re.MULTILINE)
    assert match, "pyproject.toml has no static version"
    return match.group(1)


@pytest.fixture(scope="module")
def wheel_metadata(tmp_path_factory: pytest.TempPathFactory) -> Message:
    """The METADATA of a wheel built from a copy of what the build reads (as in
    tests/test_reference.py: pip wheel goes through PEP 517 as ``python -m build`` does)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in ("src", "docs"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", work, source],
        check=True,
    )
    (wheel,) = work.glob("flask_crossorigin-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(archive.read(name).decode("utf-8"))


def _project_urls(metadata: Message) -> dict[str, str]:
    """Project-URL entries ("Label, URL") as {label: url}; a repeated label is an error."""
    urls: dict[str, str] = {}
    for entry in metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        assert label.strip() not in urls, f"Project-URL {label.strip()!r} twice"
        urls[label.strip()] = url.strip()
    return urls


def project_url_problems(version: str, urls: dict[str, str]) -> list[str]:
    """What is wrong with a distribution's Project-URL entries for *version* (empty: nothing).

    A development version (``X.Y.Z.devN``) may name none: the project has no public home yet,
    and a guessed address could name somebody else's project. A release names all five of
    PROJECT_URL_LABELS, each a real https URL, the source and issues on one repository.
    """
    if not urls:
        if re.search(r"\.dev\d+$", version):
            return []
        return [
            f"{version} is a release, and its metadata names no URLs: fill [project.urls] in "
            f"pyproject.toml ({', '.join(PROJECT_URL_LABELS)})"
        ]
    problems = []
    if set(urls) != set(PROJECT_URL_LABELS):
        problems.append(f"labels {sorted(urls)}, expected {sorted(PROJECT_URL_LABELS)}")
    for label, url in urls.items():
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc or parts.username or parts.password:
            problems.append(f"{label}: {url!r} is not an https URL")
        if PLACEHOLDER.search(url):
            problems.append(f"{label}: {url!r} looks like a placeholder")
    source, issues = urls.get("Source", ""), urls.get("Issues", "")
    if source and issues and not issues.startswith(source.rstrip("/") + "/"):
        problems.append(f"Issues {issues!r} is not under Source {source!r}")
    changelog = urls.get("Changelog", "")
    if changelog and "changelog" not in changelog.lower():
        problems.append(f"Changelog {changelog!r} does not point at a changelog")
    return problems


def test_wheel_metadata_carries_the_version(wheel_metadata: Message) -> None:
    assert wheel_metadata["Name"] == "flask-crossorigin"
    assert wheel_metadata["Version"] == _pyproject_version()


def test_wheel_metadata_names_the_projects_urls(wheel_metadata: Message) -> None:
    urls = _project_urls(wheel_metadata)
    assert project_url_problems(wheel_metadata["Version"], urls) == []
    # Whatever pyproject.toml lists is what the wheel carries, label for label.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = re.search(r"^\[project\.urls\]\n(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
    listed = dict(re.findall(r'^(\w+) = "([^"]+)"', table.group(1), flags=re.M)) if table else {}
    assert urls == listed


GOOD_URLS = {
    "Homepage": "https://git.host.test/flask-crossorigin/flask-crossorigin",
    "Documentation": "https://flask-crossorigin.docs.test/",
    "Changelog": "https://git.host.test/flask-crossorigin/flask-crossorigin/blob/main/CHANGELOG.md",
    "Source": "https://git.host.test/flask-crossorigin/flask-crossorigin",
    "Issues": "https://git.host.test/flask-crossorigin/flask-crossorigin/issues",
}


@pytest.mark.parametrize(
    ("version", "urls", "expected"),
    [
        ("0.2.0.dev0", {}, []),
        ("0.2.0", {}, ["is a release, and its metadata names no URLs"]),
        ("0.2.0", GOOD_URLS, []),
        ("0.2.0.dev0", GOOD_URLS, []),
        ("0.2.0", {**GOOD_URLS, "Funding": "https://fund.test/"}, ["labels"]),
        ("0.2.0", {k: v for k, v in GOOD_URLS.items() if k != "Issues"}, ["labels"]),
        ("0.2.0", {**GOOD_URLS, "Homepage": "http://git.host.test/x"}, ["not an https URL"]),
        ("0.2.0", {**GOOD_URLS, "Documentation": "https://example.com/"}, ["placeholder"]),
        ("0.2.0", {**GOOD_URLS, "Issues": "https://other.test/issues"}, ["not under Source"]),
        ("0.2.0", {**GOOD_URLS, "Changelog": "https://git.host.test/r/NEWS"}, ["a changelog"]),
    ],
)
def test_project_url_rules(version: str, urls: dict[str, str], expected: list[str]) -> None:
    problems = project_url_problems(version, urls)
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected):
        assert fragment in problem
