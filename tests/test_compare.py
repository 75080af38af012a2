"""``flask cors compare`` (compare.py, _compare_child.py) on example apps of flask-cors users.

The apps in tests/compare_apps/ import ``flask_cors`` as their authors wrote them. The command
loads each twice in child processes: with flask-cors 6.0.5 (the ``compare`` dependency group)
and with ``flask_cors`` resolved to flask-crossorigin. The pytest process itself never imports
flask-cors (``test_the_test_process_never_imports_flask_cors``).

Each expected report follows from flask-cors 6's documented behaviour (written out in the
comments, never computed from flask-cors here) and docs/migrating.md.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo

from flask_crossorigin import compare, reference
from flask_crossorigin.cli import cors_cli

APPS = Path(__file__).parent / "compare_apps"
ROOT = Path(__file__).resolve().parents[1]


def _flask_cors_decorator_breaks() -> bool:
    """Whether flask-cors 6.0.5's ``@cross_origin`` fails every preflight on this Flask.

    It answers preflights with ``current_app.make_default_options_response()``, no argument;
    Flask 3.2 made that method take the request context, so there the call raises TypeError
    and the decorated view's preflight is a 500 (``flask cors compare`` reports it as the cause
    ``flask-cors-fails``).
    """
    return len(inspect.signature(Flask.make_default_options_response).parameters) > 1


#: On the next Flask, flask-cors's own decorator breaks (see above); the reports say so.
DECORATOR_BREAKS = _flask_cors_decorator_breaks()

# Every app is compared once per test session; the tests read the result.
_RESULTS: dict[str, compare.Comparison] = {}


@pytest.fixture
def in_apps(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(APPS)
    return APPS


def result(app: str, monkeypatch: pytest.MonkeyPatch) -> compare.Comparison:
    if app not in _RESULTS:
        monkeypatch.chdir(APPS)
        _RESULTS[app] = compare.compare(app)
    return _RESULTS[app]


def causes(comparison: compare.Comparison) -> dict[str, int]:
    return {cause.id: len(items) for cause, _, items in comparison.groups()}


# -- apps whose verdicts are identical ------------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "checks"),
    [
        # literal origins in a resources dict: 3 routes (GET+POST; GET+PUT+DELETE; GET)
        ("shop_resources", 104),
        # CORS_* config keys, credentials for one listed origin, an exposed header
        ("config_keys", 18),
        # CORS(blueprint): the other blueprint has no CORS on either side
        ("blueprints", 48),
        # moto's shape: views that list OPTIONS answer their own preflights on both sides
        ("own_options", 36),
        # an app factory and init_app
        ("factory:create_app()", 36),
        # a view that raises: a 500 with CORS headers on both sides
        ("raising_view", 36),
    ],
)
def test_identical_apps_report_no_difference(
    app: str, checks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    comparison = result(app, monkeypatch)
    assert comparison.differences == []
    assert comparison.exit_status == compare.EXIT_SAME == 0
    assert comparison.errors == [] and comparison.warnings == []
    assert comparison.checks == checks
    text = "\n".join(comparison.text())
    assert f"{checks} identical, 0 different" in text
    assert "switch the import" in text


def test_decorated_views(monkeypatch: pytest.MonkeyPatch) -> None:
    # @cross_origin alone, on two of three views: the same under both, except where flask-cors
    # itself fails (its decorated views' preflights, on Flask 3.2).
    comparison = result("decorated", monkeypatch)
    assert comparison.checks == 66 and comparison.errors == []
    if not DECORATOR_BREAKS:
        assert comparison.differences == [] and comparison.exit_status == 0
        return
    # The preflighted calls flask-crossorigin allows: JSON POST, X-Requested-With and
    # Authorization on /public from two origins (6), JSON POST on /partner from its origin (1).
    assert causes(comparison) == {"flask-cors-fails": 7}
    for difference in comparison.differences:
        assert difference.theirs["preflight_status"] == 500
        assert "make_default_options_response" in difference.theirs["flask_cors_failed"]
        assert difference.ours["allowed"]


def test_every_route_origin_and_kind_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    comparison = result("shop_resources", monkeypatch)
    assert [o["origin"] for o in comparison.origins] == [
        "https://shop.example.com",
        "http://localhost:3000",
    ]
    assert comparison.routes == 3
    # /api/items (GET, POST): simple GET, form POST, JSON POST, X-Requested-With, Authorization
    # /api/items/<int:item_id> (GET, PUT, DELETE): simple GET, JSON PUT, DELETE, two headers
    # /health (GET): simple GET, two headers. Four origins (two named, attacker, null), each
    # kind with and without credentials: (5 + 5 + 3) * 4 * 2.
    assert comparison.checks == (5 + 5 + 3) * 4 * 2


# -- apps that differ, each with the cause docs/migrating.md gives --------------------------------


def test_credentials_with_any_origin_is_a_setup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # flask-cors 6 echoes any Origin with Access-Control-Allow-Credentials: true; we refuse the
    # set-up (cors.E020), so the checks ran on an app without that CORS() call.
    comparison = result("credentials_star", monkeypatch)
    assert [e["code"] for e in comparison.errors] == ["cors.E020"]
    assert "supports_credentials=True" in comparison.errors[0]["message"]
    assert causes(comparison) == {"setup-error": 12}
    assert comparison.checks == 12 and comparison.exit_status == 1
    attacker = [
        d
        for d in comparison.differences
        if d.origin == compare.ATTACKER_ORIGIN and d.credentials and d.kind == "simple GET"
    ]
    assert attacker[0].theirs["allowed"] is True
    assert attacker[0].ours["allowed"] is False
    text = "\n".join(comparison.text())
    assert "error cors.E020 in CORS(...):" in text
    assert "see: flask cors explain --page migrating#setup-errors" in text


def test_regex_origin_with_a_port(monkeypatch: pytest.MonkeyPatch) -> None:
    # terracotta's r"http[s]?://(localhost|127\.0\.0\.1):*": flask-cors's prefix match let in
    # http://localhost:3000 (":*" matches no colon); the whole match here does not.
    comparison = result("regex_port", monkeypatch)
    assert causes(comparison) == {"regex-whole-match": 6}
    assert {d.origin for d in comparison.differences} == {
        "http://localhost:3000",
        "http://localhost:5000",
    }
    for difference in comparison.differences:
        assert difference.theirs["allowed"] and not difference.ours["allowed"]
        assert not difference.credentials  # no credentials configured: blocked on both sides
    assert len(comparison.warnings) == 1
    assert (
        "matches the whole Origin, so it refuses 'http://localhost:3000'"
        in (comparison.warnings[0])
    )
    ((_, detail, _),) = comparison.groups()
    assert detail == r"the origin r'http[s]?://(localhost|127\.0\.0\.1):*'"


def test_legacy_cors_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    # CORS_HEADERS = 'Content-Type': flask-cors 6 ignores it and allows every request header;
    # it is honoured here, so X-Requested-With and Authorization preflights are refused.
    comparison = result("legacy_headers", monkeypatch)
    assert causes(comparison) == {"legacy-spellings": 4}
    assert {(d.kind, d.origin) for d in comparison.differences} == {
        ("GET with X-Requested-With", compare.ATTACKER_ORIGIN),
        ("GET with Authorization", compare.ATTACKER_ORIGIN),
        ("GET with X-Requested-With", "null"),
        ("GET with Authorization", "null"),
    }
    assert "CORS_HEADERS" in comparison.warnings[0]


def test_auth_hook_answering_preflights(monkeypatch: pytest.MonkeyPatch) -> None:
    # flask-cors answered preflights after the app's hooks: the hook's 401 failed every
    # preflight. Here preflights are answered before the hooks.
    comparison = result("auth_hook", monkeypatch)
    assert causes(comparison) == {"preflight-before-hooks": 6}
    for difference in comparison.differences:
        assert difference.origin == "https://dashboard.example.com"
        assert difference.theirs["reason"] == "preflight_status_not_ok"
        assert difference.theirs["preflight_status"] == 401
        assert difference.ours["allowed"] is True
    by_kind = {d.request: d.ours["status"] for d in comparison.differences}
    # The token reaches the hook with the actual request only.
    assert by_kind["GET with Authorization with credentials"] == 200
    assert by_kind["JSON POST"] == 401


def test_subdomain_glob(monkeypatch: pytest.MonkeyPatch) -> None:
    # flask-cors reads "https://*.example.com" as a regex that matches no subdomain.
    comparison = result("subdomain_glob", monkeypatch)
    assert causes(comparison) == {"origin-globs": 3}
    assert {d.origin for d in comparison.differences} == {"https://app.example.com"}
    assert all(d.ours["allowed"] and not d.theirs["allowed"] for d in comparison.differences)


def test_methods_star(monkeypatch: pytest.MonkeyPatch) -> None:
    # flask-cors 6 sends no Access-Control-Allow-Methods for methods="*" (it looks the requested
    # method up in the string "*"), and then no header grant either.
    comparison = result("methods_star", monkeypatch)
    assert causes(comparison) == {"methods-star": 4}
    assert {d.kind: d.theirs["reason"] for d in comparison.differences} == {
        "DELETE": "method_not_allowed",
        "JSON PUT": "method_not_allowed",
        "GET with X-Requested-With": "header_not_allowed",
        "GET with Authorization": "header_not_allowed",
    }


def test_comma_separated_allow_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    comparison = result("allow_headers_string", monkeypatch)
    assert causes(comparison) == {"allow-headers-list": 2}
    assert {d.kind for d in comparison.differences} == {"JSON POST", "GET with Authorization"}


def test_resource_subtree(monkeypatch: pytest.MonkeyPatch) -> None:
    # flask-cors matched r"/api/v1/*" as a prefix regex, so it covered /api/v10/users.
    comparison = result("api_subtree", monkeypatch)
    assert causes(comparison) == {"resource-subtree": 3}
    assert {d.route for d in comparison.differences} == {"/api/v10/users"}


def test_origin_callable_needs_origins_named(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = result("callable_origins", monkeypatch)
    assert alone.differences == []
    assert "--origin" in alone.notes[0]
    assert "note: an origin callable" in "\n".join(alone.text())
    monkeypatch.chdir(APPS)
    named = compare.compare("callable_origins", origins=["https://app.example.com"])
    # flask-cors 6 matched nothing with a function as origins.
    assert causes(named) == {"origin-callables": 3}
    assert named.notes == []


def test_decorated_views_flask_crossorigin_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    # /typo: flask-cors logs the misspelt option and allows every origin; here the decorator
    # raises TypeError, so the comparison ran with the view undecorated.
    # /account: credentials with any origin; flask-cors echoes every origin with credentials,
    # here the view answers 500 (cors.E020) while the other routes keep working.
    # /plain: a bare @cross_origin breaks the view under flask-cors 6 (a 500); here it works.
    comparison = result("decorated_errors", monkeypatch)
    assert [(e["code"], e["where"]) for e in comparison.errors] == [
        ("TypeError", "@cross_origin(...)"),
        ("cors.E020", "@cross_origin on view 'account'"),
    ]
    groups = {(cause.id, detail): len(items) for cause, detail, items in comparison.groups()}
    # On Flask 3.2 flask-cors's decorator fails every preflight (DECORATOR_BREAKS), so the
    # preflighted calls it allowed on /typo (4 of 6) and /account (8 of 12) are blocked on both
    # sides there.
    assert groups == {
        ("setup-error", "TypeError in @cross_origin(...)"): 2 if DECORATOR_BREAKS else 6,
        ("setup-error", "cors.E020 in @cross_origin on view 'account'"): (
            4 if DECORATOR_BREAKS else 12
        ),
        ("bare-decorator", "the view of /plain"): 6,
    }
    plain = [d for d in comparison.differences if d.route == "/plain"]
    assert all(d.theirs["reason"] == "acao_missing" and d.ours["allowed"] for d in plain)
    account = [d for d in comparison.differences if d.route == "/account"]
    assert {d.credentials for d in account} == {True, False}
    assert all(d.theirs["allowed"] and not d.ours["allowed"] for d in account)


def test_cors_called_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    # flask-cors stacks both calls' after_request functions, so https://a.example.com keeps
    # its grant; here the second call replaces the first. The redirect to another host cannot
    # be followed in-process on either side: identical.
    comparison = result("twice", monkeypatch)
    assert causes(comparison) == {"cors-twice": 6}
    assert {d.origin for d in comparison.differences} == {"https://a.example.com"}
    assert any("was called again" in warning for warning in comparison.warnings)


def test_refused_constructor_and_init_app(monkeypatch: pytest.MonkeyPatch) -> None:
    # CORS(send_wildcards=True) and CORS(app, origin_s=...) raise TypeError here: both calls
    # are left out (init_app on the refused instance applies nothing), so the app has no CORS,
    # while flask-cors ignored the misspelt names and allowed every origin.
    comparison = result("factory_errors:create_app()", monkeypatch)
    assert [e["code"] for e in comparison.errors] == ["TypeError", "TypeError"]
    assert causes(comparison) == {"setup-error": 6}
    assert {d.origin for d in comparison.differences} == {compare.ATTACKER_ORIGIN, "null"}
    assert all(not d.credentials for d in comparison.differences)


def test_the_largest_app(monkeypatch: pytest.MonkeyPatch) -> None:
    comparison = result("large_api:create_app()", monkeypatch)
    assert comparison.routes == 36
    # The decorated webhook's JSON POST from its origin, on Flask 3.2 only (DECORATOR_BREAKS).
    failing = {"flask-cors-fails": 3} if DECORATOR_BREAKS else {}
    assert causes(comparison) == {"regex-whole-match": 480, **failing}
    origins = {d.origin for d in comparison.differences if d.cause.id == "regex-whole-match"}
    assert origins == {"https://a.staging.example.com:3000", "https://a.staging.example.com:5000"}
    text = comparison.text()
    assert "... and 472 more (--json has all)" in "\n".join(text)
    assert all(len(line) <= 100 for line in text if not line.startswith(f"{comparison.checks}"))


# -- what cannot be compared --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        ("broken_import", "could not be loaded as written (with flask-cors)"),
        ("already_ours", "already uses flask-crossorigin"),
        ("no_cors", "does not import flask_cors"),
        ("internals", "changing the import alone would break it"),
        ("no_such_module", "could not be loaded as written"),
    ],
)
def test_apps_that_cannot_be_compared(app: str, expected: str, in_apps: Path) -> None:
    with pytest.raises(compare.CompareError, match=re.escape(expected)) as caught:
        compare.compare(app)
    assert "Traceback" not in str(caught.value)


def test_internals_error_names_the_module(in_apps: Path) -> None:
    with pytest.raises(compare.CompareError) as caught:
        compare.compare("internals")
    message = str(caught.value)
    assert "flask-crossorigin has no flask_cors.core" in message
    assert 'internals.py", line 5' in message


def test_a_load_that_hangs_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVERAGE_PROCESS_CONFIG", raising=False)  # killed: no coverage data
    (tmp_path / "slow.py").write_text(
        "import time\nfrom flask import Flask\nfrom flask_cors import CORS\n"
        "time.sleep(30)\napp = Flask(__name__)\nCORS(app)\n"
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(compare.CompareError, match="did not answer in time; raise --timeout"):
        compare.compare("slow", timeout=1.0)


def test_a_child_that_dies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVERAGE_PROCESS_CONFIG", raising=False)  # os._exit: no coverage data
    (tmp_path / "dies.py").write_text("import os\nos._exit(3)\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(compare.CompareError, match=r"stopped before it answered \(exit status 3\)"):
        compare.compare("dies")


def test_flask_cors_missing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask_crossorigin import _compare_child

    monkeypatch.setattr(_compare_child.importlib.util, "find_spec", lambda name: None)
    outcome, app = _compare_child.describe(_compare_child.THEIRS, "anything", [])
    assert app is None and outcome["problem"] == "flask_cors_missing"
    problem = compare._problem(outcome, "anything")
    assert problem is not None and "pip install 'flask-cors>=6'" in str(problem)


# -- the command ---------------------------------------------------------------------------------


def invoke(app: str, *args: str) -> Any:
    return CliRunner().invoke(cors_cli, ["compare", *args], obj=ScriptInfo(app_import_path=app))


def test_cli_exit_statuses_and_text(in_apps: Path) -> None:
    same = invoke("config_keys")
    assert same.exit_code == 0, same.output
    assert "18 checks (1 route, 3 origins" in same.output
    differ = invoke("regex_port")
    assert differ.exit_code == 1, differ.output
    assert "1. a regex origin is matched against the whole Origin, not its start: 6 checks" in (
        differ.output
    )
    assert "     flask-cors:        allowed, status 200, reads content-length, content-type" in (
        differ.output
    )
    assert "     flask-crossorigin: blocked: acao_missing" in differ.output
    broken = invoke("broken_import")
    assert broken.exit_code == 2
    assert "Error: 'broken_import' could not be loaded" in broken.output
    assert "Traceback" not in broken.output


def test_cli_json(in_apps: Path) -> None:
    outcome = invoke("subdomain_glob", "--json")
    assert outcome.exit_code == 1
    data = json.loads(outcome.output)
    assert data["checks"] == 18 and data["identical"] == 15 and data["different"] == 3
    assert data["versions"] == {
        "flask-cors": "6.0.5",
        "flask-crossorigin": data["versions"]["flask-crossorigin"],
    }
    (cause,) = data["causes"]
    assert cause["cause"] == "origin-globs"
    assert cause["docs"] == "migrating#origin-globs"
    first = cause["differences"][0]
    assert first["route"] == "/api/profile" and first["origin"] == "https://app.example.com"
    assert first["origin_from"] == {"kind": "glob", "source": "https://*.example.com"}
    assert first["flask-cors"]["allowed"] is False
    assert first["flask-crossorigin"]["allowed"] is True


def test_cli_extra_path(in_apps: Path) -> None:
    outcome = invoke(
        "api_subtree", "--path", "/api/v1/users?page=2", "--path", "/nowhere", "--json"
    )
    data = json.loads(outcome.output)
    assert data["routes"] == 4
    assert [cause["cause"] for cause in data["causes"]] == ["resource-subtree"]


def test_cli_refuses_a_factory_without_an_import_path() -> None:
    outcome = CliRunner().invoke(cors_cli, ["compare"], obj=ScriptInfo(create_app=lambda: None))
    assert outcome.exit_code == 2
    assert "Run 'flask --app MODULE cors compare'" in outcome.output


def test_flask_command_end_to_end(in_apps: Path) -> None:
    """The real `flask --app ... cors compare` entry point, as a user types it."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "auth_hook", "cors", "compare"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "preflights are answered before before_request hooks: 6 checks" in done.stdout
    assert "flask-cors's preflight answered 401" in done.stdout


def test_the_users_files_are_not_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(APPS, project, ignore=shutil.ignore_patterns("__pycache__"))

    def snapshot() -> dict[str, str]:
        return {
            str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(project.rglob("*"))
            if path.is_file()
        }

    before = snapshot()
    monkeypatch.chdir(project)
    environ = dict(os.environ)
    compare.compare("regex_port")
    assert snapshot() == before  # no file written, not even __pycache__
    assert dict(os.environ) == environ


# -- the parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "compiled", "expected"),
    [
        ("https://app.example.com/", False, [("https://app.example.com", "literal")]),
        ("HTTP://Localhost:80", False, [("http://localhost", "literal")]),
        ("localhost", False, []),
        ("http://localhost:port", False, []),
        ("*", False, []),
        ("null", False, [("null", "null")]),
        ("https://*.example.com", False, [("https://app.example.com", "glob")]),
        ("http://localhost:*", False, [("http://localhost:5173", "glob")]),
        (
            r"https://good\.example",
            False,
            [
                ("https://good.example:3000", "regex"),
                ("https://good.example", "regex"),
                ("https://good.example:5000", "regex"),
            ],
        ),
        (r"https://(a|b)\.example$", True, [("https://a.example", "regex")]),
    ],
)
def test_origin_samples(entry: str, compiled: bool, expected: list[tuple[str, str]]) -> None:
    samples = compare.origin_samples(entry, compiled)
    assert [(s["origin"], s["kind"]) for s in samples][: len(expected)] == expected
    assert all(s["source"] == entry for s in samples)


def test_regex_samples_show_both_readings() -> None:
    # One origin each reading admits differently comes first, then one both admit.
    samples = [s["origin"] for s in compare.origin_samples(r"http://localhost:\d+")]
    assert samples == ["http://localhost:1", "http://localhost", "http://localhost:3000"]


def test_kinds_for_routes() -> None:
    names = [kind.name for kind in compare.kinds_for(["DELETE", "PATCH"])]
    assert names == [
        "DELETE",
        "JSON PATCH",
        "DELETE with X-Requested-With",
        "DELETE with Authorization",
    ]
    assert [k.name for k in compare.kinds_for([])][-1] == "GET with Authorization"


def _check(origin: str = "https://a.example", kind: str = "literal") -> dict[str, Any]:
    return {"origin": origin, "origin_kind": kind, "origin_source": origin, "path": "/x"}


@pytest.mark.parametrize(
    ("route", "theirs", "ours", "errors", "hints", "expected"),
    [
        # a decorated view flask-crossorigin refuses: its check raised the ConfigError
        (
            {},
            {"allowed": True},
            {"error": {"code": "cors.E020", "message": "no\nmore"}},
            [],
            [],
            ("setup-error", "cors.E020: no"),
        ),
        # a set-up error of another view does not explain this route
        (
            {"view": "other"},
            {"allowed": True},
            {"allowed": False},
            [{"code": "cors.E013", "view": "mine", "where": "@cross_origin(...)"}],
            ["cors-twice"],
            ("cors-twice", ""),
        ),
        (
            {"view": "mine"},
            {"allowed": True},
            {"allowed": False},
            [{"code": "cors.E013", "view": "mine", "where": "@cross_origin(...)"}],
            [],
            ("setup-error", "cors.E013 in @cross_origin(...)"),
        ),
        (
            {"own_options": True, "rule": "/b"},
            {"allowed": True, "preflight_status": 200},
            {"allowed": False, "preflight_status": 403},
            [],
            [],
            ("own-options", "the view of /b"),
        ),
        ({}, {"allowed": True}, {"allowed": False}, [], [], ("unexplained", "")),
        # flask-cors allowed it, and nothing here says why ours blocks: unexplained
        (
            {},
            {"allowed": True},
            {"allowed": False, "server_reason": "header_not_allowed"},
            [],
            [],
            ("unexplained", ""),
        ),
    ],
)
def test_causes(
    route: dict[str, Any],
    theirs: dict[str, Any],
    ours: dict[str, Any],
    errors: list[dict[str, Any]],
    hints: list[str],
    expected: tuple[str, str],
) -> None:
    cause, detail = compare._cause(_check(), route, theirs, ours, errors, hints)
    assert (cause.id, detail) == expected


def test_unexplained_differences_say_to_report_them() -> None:
    cause = compare.CAUSES["unexplained"]
    assert cause.link == "" and "please report it" in cause.title


def test_every_cause_has_a_stable_anchor_in_migrating() -> None:
    text = (ROOT / "docs" / "migrating.md").read_text(encoding="utf-8")
    for cause in compare.CAUSES.values():
        if cause.anchor is None:
            continue
        found = text.count(f'<span id="{cause.anchor}"></span>') + text.count(
            f"({cause.anchor})=\n"
        )
        assert found == 1, cause.anchor
        # what the report tells the user to run prints that entry
        entry = reference.page(cause.link)
        assert entry.strip() and "<span" not in entry, cause.link


def test_explain_prints_one_entry_of_a_page() -> None:
    outcome = CliRunner().invoke(cors_cli, ["explain", "--page", "migrating#methods-star"])
    assert outcome.exit_code == 0
    assert outcome.output.startswith('- **`methods="*"` answers with the requested method**')
    assert "## " not in outcome.output
    section = reference.page("migrating#cors-twice")
    assert section.startswith("## Calling `CORS(app)` twice") and "merge both" in section
    wrong = CliRunner().invoke(cors_cli, ["explain", "--page", "migrating#methods-stars"])
    assert wrong.exit_code == 2
    assert "did you mean 'migrating#methods-star'?" in wrong.output


def test_the_docs_page_and_links() -> None:
    page = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    assert page.startswith("# Check your app before you switch")
    assert "module code runs twice" in page
    assert "(compare.md)" in (ROOT / "docs" / "migrating.md").read_text(encoding="utf-8")
    assert "docs/compare.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_test_process_never_imports_flask_cors() -> None:
    """Only the compare command's child processes import flask-cors, never the test run."""
    assert "flask_cors" not in sys.modules


# -- the child's parts, in this process ------------------------------------------------------------


def test_origins_named_reads_every_place_origins_are_set() -> None:
    from flask import Flask

    from flask_crossorigin import _compare_child

    app = Flask("named")
    app.config["CORS_RESOURCES"] = {r"/api/*": {"origins": ["https://config.example"]}}
    app.config["CORS_ORIGINS"] = "https://plain.example"
    recorder = _compare_child.Recorder()
    recorder.call("CORS", {"origins": [re.compile(r"https://c\.example"), re.compile(b"x")]})
    recorder.call("init_app", {"origin": "https://legacy.example", "methods": ["GET", "*"]})
    named = [sample["origin"] for sample in _compare_child.origins_named(recorder, app)]
    assert "https://c.example" in named
    assert "https://legacy.example" in named
    assert "https://config.example" in named and "https://plain.example" in named
    assert _compare_child.hints(recorder, app) == ["legacy-origin", "methods-star"]


def test_answer_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask import Flask

    from flask_crossorigin import _compare_child, diagnosis

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the app's database is gone")

    monkeypatch.setattr(diagnosis, "run_check", explode)
    check = {"path": "/", "origin": "https://a.example", "method": "GET", "credentials": False}
    assert _compare_child.answer(Flask("answer"), check) == {
        "error": {"code": "RuntimeError", "message": "the app's database is gone"}
    }


def test_child_helpers() -> None:
    from flask_crossorigin import _compare_child

    assert _compare_child._version("no-such-distribution-anywhere") is None
    assert _compare_child.without_traceback("No app found.") == "No app found."


def _difference(cause: str, **changes: Any) -> compare.Difference:
    fields: dict[str, Any] = {
        "route": "/r",
        "path": "/r",
        "origin": "https://a.example",
        "origin_kind": "literal",
        "origin_source": "https://a.example",
        "kind": "simple GET",
        "credentials": False,
        "theirs": {"allowed": True, "status": 200, "readable": []},
        "ours": {"error": {"code": "cors.E020", "message": "first line\nsecond"}},
        "cause": compare.CAUSES[cause],
    }
    fields.update(changes)
    return compare.Difference(**fields)


def test_text_report_of_unexplained_and_failed_checks() -> None:
    comparison = compare.Comparison(
        app="app",
        versions={"flask-cors": "6.0.5", "flask-crossorigin": "0.2.0"},
        errors=[],
        warnings=[],
        routes=1,
        origins=[],
        checks=12,
        differences=[_difference("unexplained", origin=f"https://{n}.example") for n in range(10)],
    )
    text = "\n".join(comparison.text())
    assert "1. no entry of the migrating page explains this: please report it: 10 checks" in text
    assert "see:" not in text
    assert "flask-cors:        allowed, status 200, reads nothing" in text
    assert "flask-crossorigin: error cors.E020: first line" in text
    assert "... and 2 more (--json has all)" in text
    assert "12 checks (1 route, 2 origins" in text
    assert comparison.as_json()["causes"][0]["docs"] is None


def test_null_origin_cause() -> None:
    cause, _ = compare._cause(
        _check("null", "null"),
        {},
        {"allowed": True},
        {"allowed": False, "server_reason": "origin_null_not_allowed"},
        [],
        [],
    )
    assert cause.id == "null-origin"


def test_flask_cors_failing_is_its_own_cause() -> None:
    cause, detail = compare._cause(
        _check(),
        {},
        {"allowed": False, "flask_cors_failed": "TypeError: boom", "preflight_status": 500},
        {"allowed": True, "preflight_status": 204},
        [],
        [],
    )
    assert (cause.id, detail) == ("flask-cors-fails", "flask-cors raised TypeError: boom")


def test_raised_in_reads_the_traceback() -> None:
    import types

    from flask_crossorigin import _compare_child

    module = types.ModuleType("flask_cors.fake")
    exec("def explode():\n    raise TypeError('inside')\n", module.__dict__)
    try:
        module.explode()
    except TypeError as error:
        assert _compare_child.raised_in(error, "flask_cors")
        assert not _compare_child.raised_in(error, "flask_cors_extra")
    try:
        raise ValueError("here")
    except ValueError as error:
        assert not _compare_child.raised_in(error, "flask_cors")
