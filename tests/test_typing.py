"""The options are typed: ``mypy --strict`` reports misspelt and mistyped options, and only those.

tests/typing/option_calls.py holds right calls (every documented form) and wrong ones, each
wrong line marked ``# wrong: <mypy error code>``. The test type-checks it and compares the
(line, code) pairs mypy reports with the marked ones, both ways: a wrong call that passes, or a
right call that fails, fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import mypy.api
import pytest

from flask_crossorigin.options import DECORATOR_OPTIONS, EXTENSION_OPTIONS, LEGACY_OPTIONS
from flask_crossorigin.types import CORSOptions, CrossOriginOptions

CALLS = Path(__file__).parent / "typing" / "option_calls.py"
_MARK = re.compile(r"#\s*wrong:\s*(?P<codes>[a-z\-, ]+)$")
_REPORTED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z\-]+)\]$")


def marked_lines(text: str) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARK.search(line)
        if match:
            for code in match.group("codes").split(","):
                expected.add((number, code.strip()))
    return expected


def test_mypy_reports_exactly_the_wrong_calls(tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n")
    stdout, stderr, status = mypy.api.run(
        [
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            "--no-pretty",
            str(CALLS),
        ]
    )
    assert stderr == "", stderr
    reported = set()
    for line in stdout.splitlines():
        match = _REPORTED.match(line)
        if match:
            assert Path(match.group("file")).name == CALLS.name, line
            reported.add((int(match.group("line")), match.group("code")))
        else:
            assert ": note: " in line, f"unexpected mypy output: {line!r}"
    expected = marked_lines(CALLS.read_text())
    assert len(expected) >= 15
    source = CALLS.read_text().splitlines()
    missed = sorted(expected - reported)
    extra = sorted(reported - expected)
    assert not missed, [f"{n}: {source[n - 1]} (expected {code})" for n, code in missed]
    assert not extra, [f"{n}: {source[n - 1]} (reported {code})" for n, code in extra]
    assert status == 1


def test_marks_are_read_as_written() -> None:
    # The comparison above is only as good as the reading of its marks.
    text = "x = 1\nCORS(app, max_age='')  # wrong: arg-type\ny(z)  # wrong: call-overload, misc\n"
    assert marked_lines(text) == {(2, "arg-type"), (3, "call-overload"), (3, "misc")}


@pytest.mark.parametrize(
    ("typed", "names"),
    [(CrossOriginOptions, DECORATOR_OPTIONS), (CORSOptions, EXTENSION_OPTIONS)],
)
def test_the_types_name_every_option_and_legacy_spelling(typed: type, names: frozenset[str]):
    # An option added to options.py but not to the types would be a mypy error in users' code.
    assert typed.__required_keys__ == frozenset()  # type: ignore[attr-defined]
    assert typed.__optional_keys__ == names | set(LEGACY_OPTIONS)  # type: ignore[attr-defined]
