"""``flask cors explain``: every id the package prints is documented, and found from a wheel.

The ids come from the code (``browser.REASONS``, ``policy.Reason``, ``errors.CODES``, F1-F44),
not from the pages, so an id added to the code without its docs entry fails here. The last test
builds a wheel, installs it apart from the checkout and runs the command there: the docs must
travel as package data, since an installed package has no ``docs/`` next to it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flask_crossorigin import reference
from flask_crossorigin.browser import REASONS
from flask_crossorigin.cli import cors_cli
from flask_crossorigin.errors import CODES
from flask_crossorigin.policy import Reason

ROOT = Path(__file__).resolve().parents[1]

EXPECTED: dict[str, list[str]] = {
    "browser reason": list(REASONS),
    "server reason": [reason.value for reason in Reason],
    "error code": list(CODES),
    "fetch rule": [f"F{number}" for number in range(1, 45)],
}
EVERY_ID = sorted({name for names in EXPECTED.values() for name in names})


def test_the_pages_document_exactly_the_ids_of_the_code() -> None:
    found = reference.all_ids()
    assert {kind: sorted(names) for kind, names in found.items()} == {
        kind: sorted(names) for kind, names in EXPECTED.items()
    }


@pytest.mark.parametrize(("kind", "name"), [(k, n) for k, ns in EXPECTED.items() for n in ns])
def test_each_id_has_a_real_entry(kind: str, name: str) -> None:
    (entry,) = [e for e in reference.explain_id(name) if e.kind == kind]
    assert entry.id == name and entry.page == reference.KINDS[kind]
    assert len(entry.text.split()) >= 8, entry.text
    assert ")=" not in entry.text and "\n### " not in entry.text, "a neighbouring entry leaked in"


def test_ids_are_accepted_as_people_type_them() -> None:
    assert [e.id for e in reference.explain_id("E012")] == ["cors.E012"]
    assert [e.id for e in reference.explain_id("CORS.e012")] == ["cors.E012"]
    assert [e.id for e in reference.explain_id(" `f16` ")] == ["F16"]
    assert [e.id for e in reference.explain_id("F13.3")] == ["F13"]  # a step: its rule
    assert "**F13.3**" in reference.explain_id("F13.3")[0].text
    # Both sides of one refusal share an id: both entries come back.
    kinds = [e.kind for e in reference.explain_id("method_not_allowed")]
    assert kinds == ["browser reason", "server reason"]


def test_the_command_prints_the_entry() -> None:
    result = CliRunner().invoke(cors_cli, ["explain", "origin_not_allowed"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "origin_not_allowed (server reason, reasons.md)"
    assert "Fix: add the origin" in result.output


def test_the_list_shows_every_id() -> None:
    result = CliRunner().invoke(cors_cli, ["explain", "--list"])
    assert result.exit_code == 0, result.output
    ids, _, page_list = result.output.partition("pages (--page NAME):\n")
    listed = {line.strip() for line in ids.splitlines() if line.startswith("  ")}
    assert listed == set(EVERY_ID)
    shipped = {path.stem for path in (ROOT / "docs").glob("*.md")}
    assert {line.split(":")[0].strip() for line in page_list.splitlines()} == shipped
    assert "  options: Options reference" in page_list.splitlines()


def test_a_whole_page_prints() -> None:
    result = CliRunner().invoke(cors_cli, ["explain", "--page", "migrating.md"])
    assert result.exit_code == 0, result.output
    expected = (ROOT / "docs" / "migrating.md").read_text(encoding="utf-8")
    assert (
        result.output.splitlines()[0] == expected.splitlines()[0] == "# Migrating from flask-cors"
    )
    assert result.output.strip().splitlines()[-1] == expected.strip().splitlines()[-1]
    assert "(server-reasons)=" not in reference.page("reasons")  # MyST labels are not text


def test_an_unknown_page_exits_2_with_the_closest_page() -> None:
    result = CliRunner().invoke(cors_cli, ["explain", "--page", "option"])
    assert result.exit_code == 2
    assert "no documented page 'option'; did you mean 'options'?" in result.output
    both = CliRunner().invoke(cors_cli, ["explain", "--page", "options", "F16"])
    assert both.exit_code == 2 and "not both" in both.output


@pytest.mark.parametrize(
    ("wanted", "suggestion"),
    [
        ("origin_not_alowed", "origin_not_allowed"),
        ("acao_mising", "acao_missing"),
        ("header_not_alowed", "header_not_allowed"),
        ("cors.E999", "cors.E009"),
        ("E0077", "cors.E007"),
        (f"F{99}", "F9"),  # an f-string: the docs' scan of cited rule ids must not see it
    ],
)
def test_unknown_ids_exit_2_with_the_closest_id(wanted: str, suggestion: str) -> None:
    result = CliRunner().invoke(cors_cli, ["explain", "acao_missing", wanted])
    assert result.exit_code == 2
    assert f"no documented id {wanted!r}; did you mean {suggestion!r}?" in result.output
    assert "acao_missing (" not in result.output  # nothing half-printed before the error
    with pytest.raises(reference.UnknownIdError) as caught:
        reference.explain_id(wanted)
    assert caught.value.suggestion == suggestion


def test_no_id_is_a_usage_error() -> None:
    result = CliRunner().invoke(cors_cli, ["explain"])
    assert result.exit_code == 2
    assert "--list" in result.output


def test_every_id_resolves_from_an_installed_wheel(tmp_path: Path) -> None:
    # A copy of what the build reads, so that no stale build/ of the checkout leaks into the
    # wheel. pip wheel builds through PEP 517 as `python -m build --wheel` does, and pip is
    # always at hand (also in the sdist check's venv, which has no 'build').
    source = tmp_path / "source"
    for name in ("src", "docs"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path, source],
        check=True,
    )
    (wheel,) = tmp_path.glob("flask_crossorigin-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, wheel],
        check=True,
    )
    assert (target / "flask_crossorigin" / "_docs" / "reasons.md").is_file()
    assert not (target / "flask_crossorigin" / "_docs" / "conf.py").exists()
    # The wheel's copy comes first on the path; run from an empty directory so that no
    # checkout is near, and prove which copy answered.
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("FLASK_APP", None)
    # The installed copy is not the code under measurement (coverage patches subprocesses).
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    command = [sys.executable, "-m", "flask", "cors", "explain"]
    where = subprocess.run(
        [sys.executable, "-c", "import flask_crossorigin as m; print(m.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip().startswith(str(target)), where.stdout
    result = subprocess.run(
        [*command, *EVERY_ID], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    titles = {line.split(" (")[0] for line in result.stdout.splitlines() if " (" in line}
    assert set(EVERY_ID) <= titles
    page = subprocess.run(
        [*command, "--page", "options"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert page.returncode == 0 and page.stdout.startswith("# Options reference"), page.stderr
    unknown = subprocess.run(
        [*command, "acao_mising"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert unknown.returncode == 2
    assert "did you mean 'acao_missing'" in unknown.stderr


PACKAGE = ROOT / "src" / "flask_crossorigin"
#: ``flask cors explain ID`` or 'flask cors explain --page NAME', quoted as the package's texts
#: quote commands (a line break may fall inside); the ID and NAME placeholders are no references.
CITED = re.compile(r"(?:``|')flask cors explain (--page )?([\w.-]+(?:#[\w-]+)?)(?:``|')")


def _package_texts() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(PACKAGE.glob("*.py"))}


def test_the_package_points_at_docs_in_a_form_that_works_installed() -> None:
    # A docs/...md path means nothing in an installed package. Only plain comments, read by
    # maintainers in a checkout, may name one; reference.py describes the mapping itself.
    offenders = []
    for name, text in _package_texts().items():
        if name == "reference.py":
            continue
        for number, line in enumerate(text.splitlines(), 1):
            code = line.strip()
            if re.search(r"docs/[\w-]+\.md", line) and not (
                code.startswith("#") and not code.startswith("#:")
            ):
                offenders.append(f"{name}:{number}: {code}")
    assert not offenders, "\n".join(offenders)


def test_every_explain_command_the_package_cites_resolves() -> None:
    cited = [
        (bool(match.group(1)), match.group(2))
        for text in _package_texts().values()
        for match in CITED.finditer(" ".join(re.sub(r"^\s*#:?", "", text, flags=re.M).split()))
        if match.group(2) not in ("ID", "NAME", "--list")
    ]
    assert (True, "operating") in cited and (False, "cors.E007") in cited  # the scan works
    for is_page, name in cited:
        if is_page:
            reference.page(name)
        else:
            reference.explain_id(name)


def test_an_install_without_the_pages_says_so_and_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A build that skipped copying docs/ into the package, run outside a checkout.
    (tmp_path / "pkg").mkdir()
    monkeypatch.setattr(reference, "files", lambda name: tmp_path / "pkg")
    monkeypatch.setattr(reference, "__file__", str(tmp_path / "a" / "b" / "reference.py"))
    reference._entries.cache_clear()
    try:
        with pytest.raises(reference.DocsMissingError, match="Reinstall it from a wheel"):
            reference.explain_id("F16")
        for args in (["explain", "F16"], ["explain", "--list"], ["explain", "--page", "options"]):
            result = CliRunner().invoke(cors_cli, args)
            assert result.exit_code == 2, result.output
            assert "documentation pages are not installed" in result.output
            assert "Traceback" not in result.output
    finally:
        reference._entries.cache_clear()
