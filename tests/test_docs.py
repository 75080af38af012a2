"""The documentation resolves: cited rule ids, refusal reason ids and the version.

Rule ids (F1-F44) are cited across code, tests, messages and docs; each must lead to its entry in
docs/fetch-rules.md. The server's refusal reasons (``flask_crossorigin.policy.Reason``) must each
have a documented meaning and fix in docs/reasons.md. These tests read the files of a checkout or
an unpacked sdist (which ships docs, examples, benchmarks and fuzz for this reason).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flask_crossorigin
from flask_crossorigin.policy import Reason

ROOT = Path(__file__).resolve().parents[1]
RULES_PAGE = ROOT / "docs" / "fetch-rules.md"
REASONS_PAGE = ROOT / "docs" / "reasons.md"

#: Where rule ids may be cited, and the kinds of text file read there.
CITING_DIRS = ("src", "docs", "tests", "benchmarks", "fuzz", "examples")
CITING_FILES = ("README.md", "CHANGELOG.md", "SECURITY.md", "CONTRIBUTING.md")
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".cfg", ".rst"}

#: F7, F13.3 and the ends of ranges such as F1-F44; not F1x or 0xF5.
RULE_ID = re.compile(r"(?<![\w.])F(\d{1,3})(?:\.(\d+))?(?![\w])")
ANCHOR = re.compile(r"^\(f(\d+)\)=\n### F(\d+): \S", re.MULTILINE)


def _citing_files() -> list[Path]:
    files = [ROOT / name for name in CITING_FILES if (ROOT / name).is_file()]
    for name in CITING_DIRS:
        directory = ROOT / name
        assert directory.is_dir(), f"{name}/ is missing: run the tests from a checkout or sdist"
        files.extend(
            path
            for path in sorted(directory.rglob("*"))
            if path.is_file() and path.suffix in TEXT_SUFFIXES and "egg-info" not in str(path)
        )
    return files


def _cited_ids() -> dict[str, set[str]]:
    """Every rule id cited in the repository, with the files that cite it."""
    cited: dict[str, set[str]] = {}
    for path in _citing_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in RULE_ID.finditer(text):
            rule = "F" + match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
            cited.setdefault(rule, set()).add(str(path.relative_to(ROOT)))
    return cited


def _rules_text() -> str:
    return RULES_PAGE.read_text(encoding="utf-8")


def test_rules_page_has_one_anchor_per_rule_in_order() -> None:
    anchors = ANCHOR.findall(_rules_text())
    assert all(label == number for label, number in anchors), anchors
    assert [int(number) for _, number in anchors] == list(range(1, 45))


def test_every_rule_names_its_source_in_the_fetch_standard() -> None:
    entries = re.split(r"^\(f\d+\)=\n", _rules_text(), flags=re.MULTILINE)[1:]
    assert len(entries) == 44
    for entry in entries:
        heading = entry.splitlines()[0]
        source = re.search(
            r"^Source: \[#[a-z0-9-]+\]\(https://fetch\.spec\.whatwg\.org/#", entry, re.M
        )
        assert source, f"{heading}: no 'Source:' link to fetch.spec.whatwg.org"


def test_every_cited_rule_id_is_on_the_rules_page() -> None:
    cited = _cited_ids()
    assert "F16" in cited  # the scan itself works: F16 is cited in the source
    text = _rules_text()
    documented = {int(number) for _, number in ANCHOR.findall(text)}
    missing = {}
    for rule, files in sorted(cited.items()):
        number, _, step = rule[1:].partition(".")
        if int(number) not in documented or (step and f"**{rule}**" not in text):
            missing[rule] = sorted(files)
    assert not missing, f"rule ids cited but not in docs/fetch-rules.md: {missing}"


def test_rule_id_scan_finds_what_it_should() -> None:
    found = [m.group(0) for m in RULE_ID.finditer("F7, (F13.3) F1-F44 0xF5 F1x AF3 x.F2")]
    assert found == ["F7", "F13.3", "F1", "F44"]


def _server_reason_section() -> str:
    text = REASONS_PAGE.read_text(encoding="utf-8")
    start = text.index("(server-reasons)=")
    end = text.index("(browser-reasons)=")
    return text[start:end]


def test_server_reasons_documented_exactly() -> None:
    section = _server_reason_section()
    headings = re.findall(r"^### `([a-z_]+)`$", section, flags=re.MULTILINE)
    anchors = re.findall(r"^\(server-([a-z_]+)\)=\n### `([a-z_]+)`$", section, flags=re.MULTILINE)
    assert sorted(headings) == sorted(reason.value for reason in Reason)
    assert len(headings) == len(set(headings))
    assert [label for label, _ in anchors] == [name for _, name in anchors] == headings


@pytest.mark.parametrize("reason", [r for r in Reason if r not in (Reason.ALLOWED,)])
def test_each_server_refusal_says_what_to_do(reason: Reason) -> None:
    section = _server_reason_section()
    entry = section.split(f"### `{reason.value}`\n", 1)[1].split("\n(server-", 1)[0]
    assert len(entry.split()) >= 20, f"{reason.value}: the entry is too short to explain it"
    assert re.search(r"\b(Fix|Nothing to fix)\b", entry), f"{reason.value}: no fix given"


def test_version_comes_from_the_one_place_it_is_written() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', pyproject, flags=re.MULTILINE)
    assert match, "pyproject.toml has no static version"
    assert flask_crossorigin.__version__ == match.group(1)
    source = Path(flask_crossorigin.__file__).read_text(encoding="utf-8")
    assert match.group(1) not in source, "the version is written twice"
