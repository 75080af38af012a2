"""The development tools are pinned, and pinned alike everywhere they are named.

pyproject.toml's dependency groups hold the only versions of ruff, mypy, pytest and the rest; the
pre-commit hooks must run the same ruff. An open range (``>=``) would let two machines on the
same day get different tools, which is how mypy came to pass on one and fail on another.
"""

from __future__ import annotations

import re
from pathlib import Path

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


def test_flask_cors_is_only_a_benchmark_peer() -> None:
    groups = _group_requirements()
    holders = [g for g, reqs in groups.items() if any(r.startswith("flask-cors") for r in reqs)]
    assert holders == ["bench"]


def test_pre_commit_runs_the_pinned_ruff() -> None:
    lint = _group_requirements()["lint"]
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r'"(ruff==[^"]+)"', hooks))
    assert used == set(lint), (used, lint)
