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


# --------------------------------------------------------------------------------------------
# One version story: the package, the changelog, the supported versions and every "added in"
# or "changed in" agree. Nothing was published before the first release, so nothing may be
# "new" or "changed" relative to it, and no page may speak of earlier releases.

CHANGELOG = ROOT / "CHANGELOG.md"
#: A changelog heading: the version and its state (a release date, "unreleased" for the next
#: release, "never released" for a development milestone that was never published).
SECTION = re.compile(
    r"^## (\d+)\.(\d+)\.(\d+) \((unreleased|never released|\d{4}-\d{2}-\d{2})\)$", re.M
)
#: The package's version: X.Y.Z, or X.Y.Z.devN while X.Y.Z is being prepared.
PACKAGE_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:\.dev(\d+))?$")
#: reST and MyST version markers, in docstrings and pages.
MARKER = re.compile(
    r"(?:\.\. |\{)(versionadded|versionchanged|deprecated)(?:::|\})\s+(\d+)\.(\d+)(?:\.(\d+))?"
)
#: Prose markers in the pages ("*New in 0.3.*", "Changed in version 0.4").
PROSE_MARKER = re.compile(r"\b(New|Added|Changed|Deprecated) in (?:version )?(\d+)\.(\d+)", re.I)
EARLIER_RELEASES = re.compile(
    r"\b(?:earlier|previous|older|prior|past|former) "
    r"(?:releases?\b|versions? of flask-crossorigin)",
    re.I,
)
#: Where versions are mentioned: the package's docstrings and the pages the docs site renders.
VERSIONED_PAGES = ("README.md", "SECURITY.md", "CONTRIBUTING.md", "docs")

Version = tuple[int, int, int]


def _sections() -> list[tuple[Version, str]]:
    """The changelog's sections, newest first: (version, state)."""
    text = CHANGELOG.read_text(encoding="utf-8")
    sections = [((int(a), int(b), int(c)), state) for a, b, c, state in SECTION.findall(text)]
    headings = re.findall(r"^## .*$", text, flags=re.M)
    assert len(sections) == len(headings), f"a version heading the test cannot read: {headings}"
    return sections


def _first_release() -> Version:
    """The oldest version that is or will be published (not a never-released milestone)."""
    published = [version for version, state in _sections() if state != "never released"]
    assert published, "CHANGELOG.md has no section for a release"
    return published[-1]


def _version_texts() -> list[tuple[str, str]]:
    """(where, text) for every docstring module of the package and every versioned page."""
    package = Path(flask_crossorigin.__file__).parent  # installed elsewhere in an sdist check
    texts = [
        (f"flask_crossorigin/{path.relative_to(package)}", path.read_text(encoding="utf-8"))
        for path in sorted(package.rglob("*.py"))
    ]
    for name in VERSIONED_PAGES:
        path = ROOT / name
        pages = sorted(path.glob("*.md")) if path.is_dir() else [path]
        texts.extend(
            (str(page.relative_to(ROOT)), page.read_text(encoding="utf-8")) for page in pages
        )
    return texts


def test_changelog_sections_run_newest_first_with_one_unreleased_on_top() -> None:
    sections = _sections()
    versions = [version for version, _ in sections]
    assert versions == sorted(versions, reverse=True), versions
    assert len(set(versions)) == len(versions), versions
    assert all(state != "unreleased" for _, state in sections[1:]), "only the top may be unreleased"


def test_package_version_is_the_changelogs_top_section() -> None:
    (top, state), *_ = _sections()
    match = PACKAGE_VERSION.match(flask_crossorigin.__version__)
    assert match, f"{flask_crossorigin.__version__!r} is neither X.Y.Z nor X.Y.Z.devN"
    version = (int(match[1]), int(match[2]), int(match[3]))
    assert version == top, f"package {flask_crossorigin.__version__}, CHANGELOG.md's top {top}"
    if state == "unreleased":
        assert match[4] is not None, f"{top} is unreleased: the package must be {top}.devN"
    else:
        assert match[4] is None, f"{top} was released {state}: the package must say so"
    assert state != "never released", "the package cannot be a version that was never released"


def test_supported_versions_name_the_current_series() -> None:
    (top, _), *_ = _sections()
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    table = text.split("## Supported versions", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("|")]
    first = rows[2].split("|")[1].strip()  # the row under the header and its rule
    assert first.startswith(f"{top[0]}.{top[1]}.x"), f"SECURITY.md supports {first!r} first"


def test_version_markers_name_versions_that_exist() -> None:
    # An "added in" may name the first release or a later one that has a changelog section; a
    # "changed in", "deprecated in" or a page's "New in" only a release after the first: there
    # is nobody to tell what changed before then.
    published = {version[:2] for version, state in _sections() if state != "never released"}
    first = _first_release()[:2]
    wrong = []
    for where, text in _version_texts():
        for match in MARKER.finditer(text):
            kind, named = match[1], (int(match[2]), int(match[3]))
            if named not in published or (kind != "versionadded" and named <= first):
                wrong.append(f"{where}: {match[0].strip()}")
        if where.endswith(".md"):
            for match in PROSE_MARKER.finditer(text):
                named = (int(match[2]), int(match[3]))
                if named not in published or named <= first:
                    wrong.append(f"{where}: {match[0]!r}")
    assert not wrong, (
        f"the first release is {first[0]}.{first[1]} and the changelog has "
        f"{sorted(published)}; these markers disagree: {wrong}"
    )


def test_no_page_speaks_of_earlier_releases_before_there_were_any() -> None:
    sections = _sections()
    if any(state != "never released" for _, state in sections[1:]):
        return  # there are earlier releases to speak of
    mentions = [
        f"{where}: {match[0]!r}"
        for where, text in _version_texts()
        for match in EARLIER_RELEASES.finditer(text)
    ]
    assert not mentions, f"nothing was released before {sections[0][0]}: {mentions}"


def test_version_scans_find_what_they_should() -> None:
    text = (
        ".. versionadded:: 0.2\n.. versionchanged:: 0.3.1\n```{deprecated} 1.0\n"
        "*New in 0.4.* Changed in version 2.1. renewed in 9.9"
    )
    assert [m[0].strip() for m in MARKER.finditer(text)] == [
        ".. versionadded:: 0.2",
        ".. versionchanged:: 0.3.1",
        "{deprecated} 1.0",
    ]
    assert [m[0] for m in PROSE_MARKER.finditer(text)] == ["New in 0.4", "Changed in version 2.1"]
    found = EARLIER_RELEASES.findall(
        "our earlier releases; an earlier run; older versions of Chrome"
    )
    assert found == ["earlier releases"]
    assert SECTION.findall("## 0.1.0 (never released)\n## 1.2.3 (2026-01-31)") == [
        ("0", "1", "0", "never released"),
        ("1", "2", "3", "2026-01-31"),
    ]
