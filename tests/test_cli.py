"""``flask cors check`` and ``flask cors routes`` (flask_crossorigin.cli), one test per outcome.

Rule ids (F1-F44) refer to docs/fetch-rules.md. The apps below have known policies, so
each test can say which browser reason, which server reason and which fix must come out. The
browser side is flask_crossorigin.browser (pinned on its own in test_browser_simulator.py);
these tests pin what the CLI adds: running the exchanges, resolving the policy, naming the
option to change, the output formats and the exit statuses.
"""

from __future__ import annotations

import json
import re
import shlex
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from flask import Blueprint, Flask, redirect, request
from flask.cli import FlaskGroup, ScriptInfo
from werkzeug.serving import make_server

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.cli import cors_cli
from flask_crossorigin.diagnosis import sample_path

PAGE = "https://app.example.com"
EVIL = "https://evil.example"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "troubleshooting.md"


# --------------------------------------------------------------------------------------------
# Apps with known policies
# --------------------------------------------------------------------------------------------


def api_app() -> Flask:
    """One resource with a narrow policy, plus uncovered paths that misbehave in typical ways."""
    app = Flask(__name__)
    app.testing = True

    @app.before_request
    def require_login() -> Any:
        # An authentication hook; preflights carry no credentials (F3), so it refuses them.
        if request.path.startswith(("/private/", "/admin/")) and not request.authorization:
            return {"error": "login required"}, 401
        return None

    CORS(
        app,
        resources={
            r"/api/*": {
                "origins": [PAGE],
                "methods": ["GET", "POST"],
                "allow_headers": ["Content-Type"],
            },
            r"/admin/*": {"origins": [PAGE], "automatic_options": False},
            r"/moved/*": {"origins": [PAGE], "automatic_options": False},
        },
    )

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> Any:
        return {"items": []}

    @app.route("/api/boom")
    def boom() -> Any:
        raise RuntimeError("boom")

    @app.route("/api/away")
    def away() -> Any:
        return redirect("https://elsewhere.example/items")

    @app.route("/admin/users", methods=["GET", "DELETE"])
    def users() -> Any:
        return {"users": []}

    @app.route("/moved/items", methods=["GET", "PUT", "OPTIONS"], provide_automatic_options=False)
    def moved() -> Any:
        return redirect("/moved/items/v2", code=308)

    @app.route("/private/data", methods=["GET", "DELETE"])
    def private() -> Any:
        return {"data": []}

    @app.route("/reports/", methods=["GET", "PUT"])
    def reports() -> Any:
        return {"reports": []}

    @app.route("/other")
    def other() -> Any:
        return {"other": True}

    return app


def credentials_app() -> Flask:
    """Credentialed and uncredentialed resources, and a view that sets its own ``*``."""
    app = Flask(__name__)
    app.testing = True
    CORS(
        app,
        resources={
            r"/account/*": {"origins": [PAGE], "supports_credentials": True},
            r"/public/*": {"origins": [PAGE]},
        },
    )

    @app.route("/account/me")
    def me() -> Any:
        return {"me": True}

    @app.route("/account/feed")
    def feed() -> Any:
        # The view writes its own CORS header; the extension leaves such a response alone.
        return {"feed": []}, {"Access-Control-Allow-Origin": "*"}

    @app.route("/public/news")
    def news() -> Any:
        return {"news": []}

    return app


def decorator_app() -> Flask:
    app = Flask(__name__)
    app.testing = True
    CORS(app, resources={})

    @app.route("/items", methods=["GET", "PUT"])
    @cross_origin(origins=[PAGE], allow_headers=["Content-Type"])
    def items() -> Any:
        return {"items": []}

    return app


def blueprint_app() -> Flask:
    bp = Blueprint("shop", __name__)

    @bp.route("/orders/<int:order_id>")
    def order(order_id: int) -> Any:
        return {"id": order_id}

    CORS(bp, origins=["https://shop.example"])
    app = Flask(__name__)
    app.testing = True
    CORS(app, resources={r"/api/*": {"origins": [PAGE]}})

    @app.route("/api/things/<name>")
    def thing(name: str) -> Any:
        return {"name": name}

    @app.route("/plain")
    def plain() -> Any:
        return "plain"

    @app.route("/embed/<uuid:key>")
    @cross_origin(origins="*", max_age=600)
    def embed(key: Any) -> Any:
        return {"key": str(key)}

    app.register_blueprint(bp, url_prefix="/shop")
    return app


def check(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(cors_cli, ["check", *args])


def lines(result: Result) -> list[str]:
    return result.output.rstrip("\n").splitlines()


def fix_line(result: Result) -> str:
    return next(line for line in lines(result) if line.startswith("fix: "))


def check_json(app: Flask, *args: str) -> tuple[int, dict[str, Any]]:
    result = check(app, "--json", *args)
    return result.exit_code, json.loads(result.output)


# --------------------------------------------------------------------------------------------
# flask cors check: allowed
# --------------------------------------------------------------------------------------------


def test_simple_get_is_allowed_without_preflight() -> None:
    # F6, F8: GET with only safelisted headers is not preflighted; ACAO echoes the origin (F13).
    result = check(api_app(), "--origin", PAGE, "/api/items")
    assert result.exit_code == 0, result.output
    out = lines(result)
    assert out[-1] == "ALLOWED"
    assert "no preflight: safelisted method and headers (F6, F8)" in out
    assert f"   response headers: Access-Control-Allow-Origin: {PAGE}; Vary: Origin" in out
    assert "server: resource '/api/*' allows it" in out


def test_json_post_is_preflighted_then_allowed() -> None:
    # F8: application/json is not a safelisted Content-Type, so the browser preflights (F11)
    # and lists content-type in Access-Control-Request-Headers (F4).
    result = check(
        api_app(),
        "--origin",
        PAGE,
        "--method",
        "POST",
        "--content-type",
        "application/json",
        "/api/items",
    )
    assert result.exit_code == 0, result.output
    out = lines(result)
    assert any(
        line.startswith("preflight needed: 'content-type' is application/json") for line in out
    )
    assert any(
        line.startswith("-> OPTIONS http://localhost/api/items")
        and "Access-Control-Request-Headers: content-type" in line
        for line in out
    )
    assert any(line.startswith("<- 204 preflight passes") for line in out)
    assert any(line.startswith("-> POST http://localhost/api/items") for line in out)
    assert out[-1] == "ALLOWED"


def test_credentials_allowed_with_supports_credentials() -> None:
    # F13.4 / F40: a concrete origin with Access-Control-Allow-Credentials: true.
    result = check(credentials_app(), "--origin", PAGE, "--credentials", "/account/me")
    assert result.exit_code == 0, result.output
    assert "Access-Control-Allow-Credentials: true" in result.output
    assert lines(result)[-1] == "ALLOWED"


def test_error_response_with_cors_headers_is_readable_even_in_testing_mode() -> None:
    # F22: a 500 carrying CORS headers is readable; the check shows what production sends even
    # though this app propagates exceptions (testing=True), and restores that setting after.
    app = api_app()
    result = check(app, "--origin", PAGE, "/api/boom")
    assert result.exit_code == 0, result.output
    assert any(line.startswith("<- 500 allowed") for line in lines(result))
    assert app.config["PROPAGATE_EXCEPTIONS"] is None


def test_same_origin_request_is_allowed() -> None:
    # F1: same-origin GET carries no Origin and is not CORS-checked.
    result = check(api_app(), "--origin", "http://localhost", "/other")
    assert result.exit_code == 0, result.output
    assert "same-origin: the CORS protocol does not apply" in result.output


# --------------------------------------------------------------------------------------------
# flask cors check: blocked by the app's own policy (the fix names the option and its source)
# --------------------------------------------------------------------------------------------


def test_refused_origin_names_the_resource() -> None:
    # F13.1: a refused origin gets no ACAO; the fix names the resource and where origins is set.
    result = check(api_app(), "--origin", EVIL, "/api/items")
    assert result.exit_code == 1, result.output
    out = lines(result)
    assert out[-1].startswith(
        f"BLOCKED: acao_missing: Access to fetch at 'http://localhost/api/items' from origin "
        f"'{EVIL}' has been blocked by CORS policy:"
    )
    assert f"server: resource '/api/*' refuses it: origin_not_allowed \"{EVIL}\"" in out
    assert fix_line(result) == (
        f"fix: add '{EVIL}' to `origins` of resource '/api/*' (now ['{PAGE}'], set in "
        "CORS resources['/api/*'](origins=...))."
    )


def test_refused_header_names_allow_headers_of_the_decorator() -> None:
    # F17: x-token is CORS-unsafe (F8), so it is preflighted; the view's policy refuses it, the
    # extension answers 403 without CORS headers (F37) and the browser reports the missing ACAO.
    result = check(decorator_app(), "--origin", PAGE, "--header", "X-Token: abc", "/items")
    assert result.exit_code == 1, result.output
    assert lines(result)[-1].startswith("BLOCKED: acao_missing: ")
    assert 'refuses it: header_not_allowed "x-token"' in result.output
    assert fix_line(result) == (
        "fix: add 'x-token' to `allow_headers` of @cross_origin on view 'items' (now "
        "['Content-Type'], set in @cross_origin(allow_headers=...)), or stop sending it from "
        "the page."
    )


def test_refused_headers_are_all_listed_at_once() -> None:
    # F4: the preflight lists every unsafe name; the fix lists every one the policy refuses.
    result = check(
        api_app(),
        "--origin",
        PAGE,
        "--header",
        "X-B: 1",
        "--header",
        "X-A: 2",
        "--header",
        "Content-Type: application/json",
        "/api/items",
    )
    assert result.exit_code == 1, result.output
    assert fix_line(result).startswith("fix: add 'x-a', 'x-b' to `allow_headers` of resource")
    assert "or stop sending them from the page." in fix_line(result)


def test_refused_method_names_methods() -> None:
    # F15: PUT is not safelisted (F6) and not in the policy's methods.
    code, data = check_json(api_app(), "--origin", PAGE, "--method", "PUT", "/api/items")
    assert code == 1
    assert data["reason"] == "acao_missing"
    assert data["stage"] == "preflight"
    assert data["server_reason"] == "method_not_allowed"
    assert data["server_detail"] == "PUT"
    assert data["fix"] == (
        "add 'PUT' to `methods` of resource '/api/*' (now ['GET', 'POST'], set in "
        "CORS resources['/api/*'](methods=...))."
    )


def test_refused_origin_of_a_blueprint_names_the_blueprint() -> None:
    code, data = check_json(blueprint_app(), "--origin", PAGE, "/shop/orders/7")
    assert code == 1
    assert data["policy"] == "blueprint 'shop' resource '/*'"
    assert data["policy_kind"] == "blueprint"
    assert data["fix"].startswith(f"add '{PAGE}' to `origins` of blueprint 'shop' resource '/*'")


def test_credentials_without_supports_credentials() -> None:
    # F13.4: credentialed requests need Access-Control-Allow-Credentials: true.
    result = check(credentials_app(), "--origin", PAGE, "--credentials", "/public/news")
    assert result.exit_code == 1, result.output
    assert lines(result)[-1].startswith("BLOCKED: acac_missing: ")
    assert "server: resource '/public/*' allows it" in result.output
    assert fix_line(result) == (
        "fix: set supports_credentials=True on resource '/public/*' (now False, the default), "
        "so that pages sending credentials may read the answer; or make the page omit "
        "credentials."
    )


def test_wildcard_set_by_a_view_with_credentials_is_caught_only_by_the_browser() -> None:
    # F13.2 / F18: the view sets ACAO '*' itself; the policy would have echoed the origin with
    # credentials, so the server side sees nothing wrong and only the browser check catches it.
    app = credentials_app()
    code, data = check_json(app, "--origin", PAGE, "--credentials", "/account/feed")
    assert code == 1
    assert data["reason"] == "acao_wildcard_with_credentials"
    assert data["server_reason"] is None
    assert data["policy"] == "resource '/account/*'"
    assert "set by the app's own code" in data["fix"]
    assert "resource '/account/*' answers" in data["fix"]
    # Without credentials the same response is fine.
    assert check(app, "--origin", PAGE, "/account/feed").exit_code == 0


# --------------------------------------------------------------------------------------------
# flask cors check: blocked by what the app does around the policy
# --------------------------------------------------------------------------------------------


def test_preflight_redirect_by_trailing_slash_on_an_uncovered_path() -> None:
    # F14: Flask's strict-slashes 308 answers the preflight; preflights never follow redirects.
    result = check(api_app(), "--origin", PAGE, "--method", "PUT", "/reports")
    assert result.exit_code == 1, result.output
    out = lines(result)
    assert out[-1].startswith("BLOCKED: preflight_redirect: ")
    assert "   response headers: Location: http://localhost/reports/" in out
    fix = fix_line(result)
    assert "not covered by any CORS policy: add a resource pattern such as r'/reports/*'" in fix
    assert "have the page request http://localhost/reports/ directly" in fix


def test_preflight_redirect_by_a_view_with_automatic_options_off() -> None:
    # F14, F36: with automatic_options=False the view answers OPTIONS, here with a redirect.
    code, data = check_json(api_app(), "--origin", PAGE, "--method", "PUT", "/moved/items")
    assert code == 1
    assert data["reason"] == "preflight_redirect"
    assert data["server_reason"] is None
    assert data["fix"].startswith("`automatic_options` is False on resource '/moved/*'")


def test_preflight_401_from_a_hook_on_an_uncovered_path() -> None:
    # F3, F36: the auth hook answers the preflight with 401 and no CORS headers; the CORS
    # check fails first (F13.1), so the browser reports the missing ACAO at the preflight.
    code, data = check_json(api_app(), "--origin", PAGE, "--method", "DELETE", "/private/data")
    assert code == 1
    assert data["reason"] == "acao_missing"
    assert data["stage"] == "preflight"
    assert data["policy"] is None
    assert data["exchanges"][0]["status"] == 401
    assert data["fix"].startswith(
        "this path is not covered by any CORS policy: add a resource pattern such as "
        "r'/private/*' to CORS(app, resources=...), or decorate view 'private' with "
        "@cross_origin(...). The app answered the preflight itself (status 401)"
    )


def test_preflight_401_on_a_covered_path_with_automatic_options_off() -> None:
    # F14: the app's 401 got CORS headers from the policy, so the status is what fails.
    result = check(api_app(), "--origin", PAGE, "--method", "DELETE", "/admin/users")
    assert result.exit_code == 1, result.output
    assert lines(result)[-1].startswith("BLOCKED: preflight_status_not_ok: ")
    assert fix_line(result).startswith(
        "fix: `automatic_options` is False on resource '/admin/*' (now False, set in "
        "CORS resources['/admin/*'](automatic_options=...)), so the app answered the preflight "
        "itself, with status 401."
    )


def test_error_response_without_cors_headers_when_intercept_exceptions_is_off() -> None:
    # F22: an error response needs CORS headers too, or the page cannot even read its status.
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": {"origins": [PAGE], "intercept_exceptions": False}})

    @app.route("/api/gone")
    def gone() -> Any:
        raise RuntimeError("gone")  # unhandled: the one kind intercept_exceptions=False skips

    code, data = check_json(app, "--origin", PAGE, "/api/gone")
    assert code == 1
    assert data["reason"] == "acao_missing"
    assert data["exchanges"][0]["status"] == 500
    assert data["fix"].startswith("set intercept_exceptions=True on resource '/api/*' (now False")


def test_path_not_covered_at_all() -> None:
    result = check(api_app(), "--origin", PAGE, "/other")
    assert result.exit_code == 1, result.output
    assert lines(result)[-1].startswith("BLOCKED: acao_missing: ")
    assert "server: no CORS policy covers /other" in lines(result)
    assert fix_line(result) == (
        "fix: this path is not covered by any CORS policy: add a resource pattern such as "
        "r'/other/*' to CORS(app, resources=...), or decorate view 'other' with "
        "@cross_origin(...)."
    )


def test_app_without_flask_crossorigin() -> None:
    app = Flask(__name__)

    @app.route("/api/items")
    def items() -> Any:
        return {"items": []}

    result = check(app, "--origin", PAGE, "/api/items")
    assert result.exit_code == 1, result.output
    assert fix_line(result).startswith(
        "fix: flask-crossorigin covers no path of this app: add e.g. "
        "CORS(app, resources={r'/api/*': {'origins': [...]}})"
    )


def test_forbidden_method_is_blocked_before_sending() -> None:
    # F7: fetch() throws for TRACE; nothing reaches the server, so no policy fix applies.
    code, data = check_json(api_app(), "--origin", PAGE, "--method", "TRACE", "/api/items")
    assert code == 1
    assert data["reason"] == "forbidden_method"
    assert data["exchanges"] == []
    assert data["server_reason"] is None


def test_redirect_outside_the_app_cannot_be_followed_in_process() -> None:
    # F27: the browser would follow it; in-process there is no server to follow it to.
    result = check(api_app(), "--origin", PAGE, "/api/away")
    assert result.exit_code == 2
    assert "outside the app" in result.output
    assert "--url" in result.output


# --------------------------------------------------------------------------------------------
# Output formats and exit statuses
# --------------------------------------------------------------------------------------------


def test_json_output_has_every_field() -> None:
    code, data = check_json(api_app(), "--origin", EVIL, "/api/items")
    assert code == 1
    for key in (
        "allowed",
        "reason",
        "stage",
        "message",
        "fix",
        "server_reason",
        "server_detail",
        "policy",
        "policy_kind",
        "status",
        "readable_headers",
        "steps",
        "exchanges",
    ):
        assert key in data, key
    assert data["allowed"] is False
    assert data["server_reason"] == "origin_not_allowed"
    assert data["message"].startswith("Access to fetch at 'http://localhost/api/items'")
    assert data["exchanges"][0]["request_headers"][0] == ["Origin", EVIL]

    code, data = check_json(api_app(), "--origin", PAGE, "/api/items")
    assert code == 0
    assert data["allowed"] is True
    assert data["reason"] is None and data["fix"] is None and data["server_reason"] is None
    assert data["status"] == 200
    assert data["readable_headers"] == ["content-length", "content-type"]
    assert data["policy"] == "resource '/api/*'"


def test_origin_is_serialized_like_a_browser() -> None:
    # F13.3: scheme and host lower-cased, default port and trailing slash dropped.
    result = check(api_app(), "--origin", "HTTPS://App.Example.com:443/", "/api/items")
    assert result.exit_code == 0, result.output
    assert f"from {PAGE} " in result.output


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("https://b\u00fccher.example", "https://xn--bcher-kva.example"),  # IDNA, as browsers
        ("http://[::1]:8080", "http://[::1]:8080"),  # IPv6 keeps its brackets
        ("https://app.example.com:8443", "https://app.example.com:8443"),  # not the default
        ("null", "null"),  # a sandboxed or file: page
    ],
)
def test_origin_forms_browsers_send_are_accepted_as_sent(given: str, sent: str) -> None:
    # F13.3: the origin is serialized as a browser sends it: an IDN host in punycode, an IPv6
    # host in brackets, a port other than the scheme's default kept, 'null' as is.
    result = check(api_app(), "--origin", given, "/api/items")
    assert f"from {sent} " in result.output, result.output
    assert f"-> GET http://localhost/api/items [Origin: {sent};" in result.output
    assert result.exit_code == 1  # only PAGE is allowed on /api/*


def test_null_origin_refused_names_the_null_option() -> None:
    # F35, F44: a sandboxed page is refused; the fix is listing 'null', with what that lets in.
    result = check(api_app(), "--origin", "null", "/api/items")
    assert result.exit_code == 1, result.output
    assert lines(result)[-1].startswith("BLOCKED: acao_missing:")
    assert fix_line(result).startswith("fix: add 'null' to `origins` of resource '/api/*'")
    assert "server: resource '/api/*' refuses it: origin_null_not_allowed \"null\"" in lines(result)


@pytest.mark.parametrize(
    "args",
    [
        ["--origin", "app.example.com", "/api/items"],
        ["--origin", "https://app.example.com/path", "/api/items"],
        ["--origin", "https://user@app.example.com", "/api/items"],
        ["--origin", "ftp://app.example.com", "/api/items"],
        ["--origin", "https://app example.com", "/api/items"],
        ["--origin", "https://app.example.com:99999", "/api/items"],
        ["--origin", "", "/api/items"],
        ["--origin", "https://app.example.com?x", "/api/items"],
        ["--origin", "https://" + "\u00e4" * 64 + ".example", "/api/items"],  # no IDNA form
        ["--origin", PAGE, "--header", "X-Token abc", "/api/items"],
        ["--origin", PAGE, "--header", "X Token: abc", "/api/items"],
        ["--origin", PAGE, "--header", "X-Token: a\r\nInjected: 1", "/api/items"],
        ["--origin", PAGE, "--header", "X-Token: \u20ac", "/api/items"],
        ["--origin", PAGE, "--content-type", "text/plain\n", "/api/items"],
        ["--origin", PAGE, "--method", "GET PUT", "/api/items"],
        ["--origin", PAGE, "--method", "", "/api/items"],
        ["--origin", PAGE, "api/items"],
        ["--origin", PAGE, "//evil.example/x"],
        ["--origin", PAGE, "/api/\x00"],
        ["--origin", PAGE, "--url", "ftp://host", "/api/items"],
        ["--origin", PAGE, "--url", "http://", "/api/items"],
        ["--origin", PAGE, "--url", "http://host:notaport", "/api/items"],
        ["--origin", PAGE, "--url", "http://api .example", "/api/items"],
        ["--origin", PAGE, "--timeout", "0", "/api/items"],
        ["/api/items"],
        ["--origin", PAGE],
    ],
)
def test_usage_errors_exit_2_with_a_message(args: list[str]) -> None:
    result = check(api_app(), *args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output
    # A usage error, not a crash: click turns it into SystemExit(2).
    assert isinstance(result.exception, SystemExit), result.exception


def test_missing_app_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLASK_APP", raising=False)
    runner = CliRunner()
    for args in (["check", "--origin", PAGE, "/api/items"], ["routes"]):
        result = runner.invoke(cors_cli, args, obj=ScriptInfo())
        assert result.exit_code == 2, result.output
        assert "Could not locate a Flask application" in result.output


def test_invalid_configuration_exits_2() -> None:
    # A decorator combined with app config that cannot work fails when its policy is resolved.
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True

    @app.route("/x")
    @cross_origin(origins="*", send_wildcard=True)
    def x() -> Any:
        return "x"

    result = app.test_cli_runner().invoke(cors_cli, ["routes"])
    assert result.exit_code == 2, result.output
    assert "the app's CORS configuration is invalid" in result.output


def test_an_app_whose_factory_fails_on_its_cors_configuration_exits_2() -> None:
    # An app factory calling CORS(app) with a refused value fails while loading: both commands
    # say the configuration is invalid (exit 2), not a traceback.
    def create_app() -> Flask:
        app = Flask(__name__)
        CORS(app, origins=["app.example.com"])
        return app

    runner = CliRunner()
    for args in (["check", "--origin", PAGE, "/"], ["routes"]):
        result = runner.invoke(cors_cli, args, obj=ScriptInfo(create_app=create_app))
        assert result.exit_code == 2, result.output
        assert "Error: the app's CORS configuration is invalid:" in result.output
        assert "'app.example.com' has no scheme" in result.output
        assert "Traceback" not in result.output


def test_the_group_is_found_through_the_entry_point() -> None:
    # pyproject registers flask_crossorigin.cli:cors_cli under flask.commands as "cors".
    app = api_app()
    group = FlaskGroup(create_app=lambda: app)
    result = CliRunner().invoke(group, ["cors", "check", "--origin", PAGE, "/api/items"])
    assert result.exit_code == 0, result.output
    assert lines(result)[-1] == "ALLOWED"


# --------------------------------------------------------------------------------------------
# flask cors check: curl's -H, -X and -d
# --------------------------------------------------------------------------------------------


def body_app() -> Flask:
    """A JSON API whose view parses the body (400 without one), recording what each request
    carried; /raw is uncovered and answers its own preflights, so they reach the view."""
    app = Flask(__name__)
    app.testing = True
    app.config["seen"] = []
    CORS(app, resources={r"/api/*": {"origins": [PAGE], "allow_headers": ["Content-Type"]}})

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> Any:
        app.config["seen"].append((request.method, request.content_type, request.get_data()))
        if request.method == "GET":
            return {"items": []}
        return {"created": request.get_json()}, 201

    @app.route("/api/text", methods=["POST"])
    def text() -> Any:
        app.config["seen"].append((request.method, request.content_type, request.get_data()))
        return {"type": request.content_type, "body": request.get_data(as_text=True)}

    @app.route("/raw", methods=["POST", "OPTIONS"], provide_automatic_options=False)
    def raw() -> Any:
        app.config["seen"].append((request.method, request.content_type, request.get_data()))
        headers = {
            "Access-Control-Allow-Origin": PAGE,
            "Access-Control-Allow-Headers": "Content-Type",
        }
        return "", 200, headers

    return app


JSON_TYPE = "Content-Type: application/json"


def test_short_header_option_is_the_same_as_header() -> None:
    app = api_app()
    args = ["--origin", PAGE, "--method", "POST", "/api/items"]
    long = check_json(app, "--header", "X-Token: a", "--header", "X-Other: b", *args)
    short = check_json(app, "-H", "X-Token: a", "-H", "X-Other: b", *args)
    mixed = check_json(app, "-H", "X-Token: a", "--header", "X-Other: b", *args)
    assert long == short == mixed
    code, data = short
    assert code == 1
    # Both headers were sent, in the order given (F4).
    preflight = data["exchanges"][0]["request_headers"]
    assert ["Access-Control-Request-Headers", "x-other,x-token"] in preflight


def test_short_header_option_rejects_a_malformed_header() -> None:
    result = check(api_app(), "--origin", PAGE, "-H", "X-Token abc", "/api/items")
    assert result.exit_code == 2
    assert "is not a header; write 'Name: value'" in result.output


def test_data_makes_a_post_whose_json_body_reaches_the_view() -> None:
    app = body_app()
    code, data = check_json(
        app, "--origin", PAGE, "-H", JSON_TYPE, "-d", '{"name": "pen"}', "/api/items"
    )
    assert code == 0, data
    # curl's rule: -d without a method is a POST; JSON is not safelisted, so a preflight first.
    assert [exchange["method"] for exchange in data["exchanges"]] == ["OPTIONS", "POST"]
    assert data["status"] == 201
    # The extension answered the preflight; only the actual request reached the view, with the
    # body and its type.
    assert app.config["seen"] == [("POST", "application/json", b'{"name": "pen"}')]
    assert data["exchanges"][1]["request_headers"][1] == ["Content-Type", "application/json"]


def test_without_data_the_json_view_answers_400() -> None:
    """The reason -d exists: the same check without a body reaches the view empty."""
    app = body_app()
    code, data = check_json(app, "--origin", PAGE, "-X", "POST", "-H", JSON_TYPE, "/api/items")
    assert code == 0
    assert data["status"] == 400
    assert app.config["seen"] == [("POST", "application/json", b"")]


def test_data_keeps_a_method_given() -> None:
    app = body_app()
    result = check(app, "--origin", PAGE, "-X", "PUT", "-H", JSON_TYPE, "-d", "[1]", "/api/items")
    assert result.exit_code == 0, result.output
    assert any(line.startswith("-> OPTIONS") and "Method: PUT" in line for line in lines(result))
    assert app.config["seen"] == [("PUT", "application/json", b"[1]")]


def test_data_with_get_is_refused_as_a_browser_refuses_it() -> None:
    """curl sends a GET with a body; fetch() throws, so the check says so and sends nothing."""
    app = body_app()
    result = check(app, "--origin", PAGE, "-X", "GET", "-d", "x=1", "/api/items")
    assert result.exit_code == 1, result.output
    assert lines(result)[-1].startswith("BLOCKED: body_not_allowed:")
    assert app.config["seen"] == []


def test_data_without_a_type_is_text_like_a_fetch_string_body() -> None:
    app = body_app()
    result = check(app, "--origin", PAGE, "-d", "hello", "/api/text")
    assert result.exit_code == 0, result.output
    # text/plain is safelisted: no preflight (F8).
    assert "no preflight: safelisted method and headers (F6, F8)" in lines(result)
    assert app.config["seen"] == [("POST", "text/plain;charset=UTF-8", b"hello")]
    # --content-type, then a Content-Type header, name the type instead.
    app.config["seen"].clear()
    check(app, "--origin", PAGE, "--content-type", "text/csv", "-d", "a,b", "/api/text")
    check(app, "--origin", PAGE, "-H", "Content-Type: text/plain", "-d", "c", "/api/text")
    assert app.config["seen"] == [
        ("POST", "text/csv", b"a,b"),
        ("POST", "text/plain", b"c"),
    ]


def test_repeated_data_is_joined_with_ampersands_like_curl() -> None:
    app = body_app()
    check(app, "--origin", PAGE, "-d", "a=1", "--data", "b=2", "/api/text")
    assert app.config["seen"] == [("POST", "text/plain;charset=UTF-8", b"a=1&b=2")]


def test_data_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    app = body_app()
    body = tmp_path / "body.json"
    body.write_bytes(b'{"name": "from a file"}\n')
    code, data = check_json(app, "--origin", PAGE, "-H", JSON_TYPE, "-d", f"@{body}", "/api/items")
    assert code == 0 and data["status"] == 201
    result = app.test_cli_runner().invoke(
        cors_cli,
        ["check", "--origin", PAGE, "-H", JSON_TYPE, "-d", "@-", "/api/items"],
        input='{"name": "from stdin"}',
    )
    assert result.exit_code == 0, result.output
    assert [seen[2] for seen in app.config["seen"]] == [
        b'{"name": "from a file"}\n',
        b'{"name": "from stdin"}',
    ]


def test_data_from_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = check(body_app(), "--origin", PAGE, "-d", f"@{tmp_path / 'nope.json'}", "/api/items")
    assert result.exit_code == 2
    assert "cannot read the body from" in result.output


def test_the_body_never_goes_with_the_preflight() -> None:
    """F3: the preflight carries no body, even when the app answers it itself."""
    app = body_app()
    result = check(app, "--origin", PAGE, "-H", JSON_TYPE, "-d", "[]", "/raw")
    assert result.exit_code == 0, result.output
    assert app.config["seen"] == [("OPTIONS", None, b""), ("POST", "application/json", b"[]")]


def test_a_redirect_to_get_drops_the_body() -> None:
    app = body_app()

    @app.route("/api/old", methods=["POST"])
    def old() -> Any:
        app.config["seen"].append((request.method, request.content_type, request.get_data()))
        return redirect("/api/items", code=303)

    code, data = check_json(app, "--origin", PAGE, "-d", "x", "/api/old")
    assert code == 0, data
    assert [exchange["method"] for exchange in data["exchanges"]] == ["POST", "GET"]
    assert app.config["seen"] == [
        ("POST", "text/plain;charset=UTF-8", b"x"),
        ("GET", None, b""),
    ]


# --------------------------------------------------------------------------------------------
# --url: a real server over HTTP
# --------------------------------------------------------------------------------------------


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.server
def test_url_checks_a_real_server() -> None:
    app = api_app()
    app.testing = False
    with serve(app) as base:
        result = check(
            app,
            "--url",
            base,
            "--timeout",
            "5",
            "--origin",
            PAGE,
            "--method",
            "POST",
            "--content-type",
            "application/json",
            "/api/items",
        )
        assert result.exit_code == 0, result.output
        assert f"-> OPTIONS {base}/api/items" in result.output
        assert lines(result)[-1] == "ALLOWED"

        code, data = check_json(app, "--url", base + "/", "--origin", EVIL, "/api/items")
        assert code == 1
        assert data["exchanges"][0]["url"] == f"{base}/api/items"
        assert data["server_reason"] == "origin_not_allowed"
        # The local app's policy may not be what is deployed, and the fix says so.
        assert data["fix"].startswith("(if the deployment runs the local app's policy) add ")

        # A redirect is handed back unfollowed, so the preflight fails as in a browser (F14).
        code, data = check_json(app, "--url", base, "--origin", PAGE, "--method", "PUT", "/reports")
        assert code == 1
        assert data["reason"] == "preflight_redirect"


@pytest.mark.server
def test_url_sends_the_body() -> None:
    app = body_app()
    app.testing = False
    with serve(app) as base:
        code, data = check_json(
            app,
            "--url",
            base,
            "--timeout",
            "5",
            "--origin",
            PAGE,
            "-H",
            JSON_TYPE,
            "-d",
            '{"name": "pen"}',
            "/api/items",
        )
    assert code == 0, data
    assert data["status"] == 201
    assert app.config["seen"] == [("POST", "application/json", b'{"name": "pen"}')]


@pytest.mark.server
def test_url_works_without_a_local_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLASK_APP", raising=False)
    app = api_app()
    app.testing = False
    with serve(app) as base:
        result = CliRunner().invoke(
            cors_cli,
            ["check", "--url", base, "--timeout", "5", "--origin", EVIL, "/api/items"],
            obj=ScriptInfo(),
        )
    assert result.exit_code == 1, result.output
    assert not any(line.startswith("server") for line in lines(result))
    # Without the app only the browser's generic hint is available.
    assert fix_line(result).startswith("fix: The server must send 'Access-Control-Allow-Origin")


@pytest.mark.server
def test_url_unreachable_server_exits_2() -> None:
    app = api_app()
    with serve(app) as base:
        pass  # the port is now closed
    result = check(app, "--url", base, "--timeout", "2", "--origin", PAGE, "/api/items")
    assert result.exit_code == 2, result.output
    assert "the check could not complete" in result.output


# --------------------------------------------------------------------------------------------
# flask cors routes
# --------------------------------------------------------------------------------------------


def test_sample_path_fills_converters() -> None:
    assert sample_path("/items/<int:item_id>") == "/items/1"
    assert sample_path("/users/<name>/posts/<float:x>") == "/users/x/posts/1.0"
    assert sample_path("/k/<uuid:key>") == "/k/00000000-0000-0000-0000-000000000000"
    assert sample_path("/f/<path:rest>") == "/f/x"
    assert sample_path("/l/<any(en, 'fr'):lang>") == "/l/en"
    assert sample_path("/n/<int(min=1):n>") == "/n/1"


def test_routes_lists_sources() -> None:
    # --wide: the table of old, one line per route however long.
    result = blueprint_app().test_cli_runner().invoke(cors_cli, ["routes", "--wide"])
    assert result.exit_code == 0, result.output
    out = lines(result)
    assert out[0].split() == [
        "Endpoint",
        "Methods",
        "Rule",
        "CORS",
        "Origins",
        "Allow-Methods",
        "Allow-Headers",
        "Credentials",
        "Max-Age",
        "Policy",
    ]
    assert set(out[1]) <= {"-", " "}
    body = out[2:]
    # Sorted by endpoint, like flask routes.
    assert [line.split()[0] for line in body] == sorted(line.split()[0] for line in body)
    by_endpoint = {line.split()[0]: line for line in body}
    assert by_endpoint["embed"].endswith("@cross_origin on view 'embed'")
    assert re.search(r"\s600\s", by_endpoint["embed"])
    assert by_endpoint["shop.order"].endswith("blueprint 'shop' resource '/*'")
    assert "https://shop.example" in by_endpoint["shop.order"]
    assert by_endpoint["thing"].endswith("resource '/api/*'")
    assert by_endpoint["plain"].split()[-1] == "none"
    assert " no " in by_endpoint["plain"]


def test_routes_json() -> None:
    result = blueprint_app().test_cli_runner().invoke(cors_cli, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["endpoint"]: row for row in json.loads(result.output)}
    assert rows["thing"]["kind"] == "resource"
    assert rows["thing"]["sample_path"] == "/api/things/x"
    assert rows["thing"]["policy"]["origins"] == [PAGE]
    assert rows["thing"]["sources"]["origins"] == "CORS resources['/api/*'](origins=...)"
    assert rows["shop.order"]["kind"] == "blueprint"
    assert rows["shop.order"]["sample_path"] == "/shop/orders/1"
    assert rows["embed"]["kind"] == "decorator"
    assert rows["embed"]["policy"]["max_age"] == 600
    assert rows["embed"]["methods"] == ["GET"]
    assert rows["plain"] == {
        "endpoint": "plain",
        "methods": ["GET"],
        "rule": "/plain",
        "sample_path": "/plain",
        "cors": False,
        "kind": "none",
        "source": None,
        "policy": None,
        "sources": None,
        "report_only": None,
        "notes": [],
    }


def test_routes_sort_and_all_methods() -> None:
    runner = blueprint_app().test_cli_runner()
    result = runner.invoke(cors_cli, ["routes", "--sort", "rule", "--all-methods", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["rule"] for row in rows] == sorted(row["rule"] for row in rows)
    assert "OPTIONS" in rows[0]["methods"]


def test_routes_with_only_decorated_views_does_not_install_the_extension() -> None:
    app = Flask(__name__)

    @app.route("/x")
    @cross_origin(origins=[PAGE])
    def x() -> Any:
        return "x"

    result = app.test_cli_runner().invoke(cors_cli, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    assert {row["endpoint"]: row["kind"] for row in json.loads(result.output)}["x"] == "decorator"
    assert "flask_crossorigin" not in app.extensions


def test_routes_of_an_app_without_routes_says_so() -> None:
    app = Flask(__name__, static_folder=None)
    CORS(app)
    assert routes_output(app) == ["No routes were registered."]
    assert json.loads(app.test_cli_runner().invoke(cors_cli, ["routes", "--json"]).output) == []


def test_routes_table_that_fits_is_the_same_as_wide() -> None:
    # A table narrower than 100 columns keeps every column at its natural width: the output is
    # exactly --wide's, one line per route.
    app = Flask(__name__, static_folder=None)

    @app.get("/a")
    def a() -> str:
        return "a"

    @app.post("/b")
    def b() -> str:
        return "b"

    out = routes_output(app)
    assert out == routes_output(app, "--wide")
    assert len(out) == 4 and max(map(len, out)) <= 100
    assert out[2].split() == ["a", "GET", "/a", "no", "-", "-", "-", "-", "-", "none"]
    assert out[3].split() == ["b", "POST", "/b", "no", "-", "-", "-", "-", "-", "none"]


def test_routes_table_a_little_too_wide_wraps_headers_not_rows() -> None:
    # Ten columns a few characters too wide for 100: the headers break at their hyphens (no
    # single column's width can save a line while another header still wraps), the route stays
    # on one line, and every header and cell reads back whole.
    app = Flask(__name__, static_folder=None)
    app.add_url_rule("/" + "r" * 10, "e" * 10, lambda: "x")
    out = routes_output(app)
    assert max(map(len, out)) <= 100
    assert len(routes_output(app, "--wide")[0]) > 100
    rule = next(index for index, line in enumerate(out) if set(line) <= {"-", " "})
    assert out[rule + 1 :] == [out[-1]]  # one line for the one route
    assert out[-1].split() == [
        "e" * 10,
        "GET",
        "/" + "r" * 10,
        "no",
        "-",
        "-",
        "-",
        "-",
        "-",
        "none",
    ]
    assert [column(out, i)[0] for i in range(10)] == [
        "Endpoint",
        "Methods",
        "Rule",
        "CORS",
        "Origins",
        "Allow-Methods",
        "Allow-Headers",
        "Credentials",
        "Max-Age",
        "Policy",
    ]


LONG_ENDPOINT = "list_the_permissions_of_one_member_of_an_organisation_for_the_admin_dashboard"
LONG_ORIGIN = "https://dashboard.customer-portal.example.com"


def long_app(*, report_only: bool = False) -> Flask:
    """Long endpoint names, rules, origins and policy labels: the wide table is 250+ columns."""
    app = Flask(__name__)
    app.testing = True
    CORS(
        app,
        resources={
            r"/api/v1/organisations/*": {
                "origins": [LONG_ORIGIN, "https://admin.example.org"],
                "allow_headers": ["Content-Type", "Authorization", "X-Request-Id"],
                "supports_credentials": True,
                "max_age": 86400,
            }
        },
    )
    if report_only:
        CORS(app, report_only=True, origins=[LONG_ORIGIN])
    shop = Blueprint("a_blueprint_with_a_rather_long_name_for_its_shop_pages", __name__)

    @shop.route("/orders/<int:order_id>/lines/<int:line_number>/adjustments")
    def adjustments_of_one_order_line(order_id: int, line_number: int) -> Any:
        return {}

    CORS(shop, origins=["https://shop.example"])
    app.register_blueprint(shop, url_prefix="/shop")

    @app.get("/api/v1/organisations/<int:organisation_id>/members/<uuid:member_id>/permissions")
    def permissions(organisation_id: int, member_id: Any) -> Any:
        return {}

    app.add_url_rule(
        "/api/v1/organisations/<int:organisation_id>/audit", LONG_ENDPOINT, lambda **_: "x"
    )

    @app.route("/unbreakable")
    @cross_origin(origins="*")
    def averyveryveryveryverylongendpointnamewithoutanywheretobreakitatall() -> str:
        return "x"

    return app


def routes_output(app: Flask, *args: str) -> list[str]:
    result = app.test_cli_runner().invoke(cors_cli, ["routes", *args])
    assert result.exit_code == 0, result.output
    return lines(result)


def column(out: list[str], index: int) -> list[str]:
    """The text of one column of a wrapped table, the header then a cell per row, without
    spaces. A row's first line starts at the margin; its other lines are indented."""
    rule = next(line for line in out if set(line) <= {"-", " "})
    starts = [0] + [i + 1 for i, char in enumerate(rule) if char == " " and rule[i + 1] == "-"]
    start = starts[index]
    end = starts[index + 1] - 2 if index + 1 < len(starts) else None
    cells = ["".join(line[start:end].replace(" ", "") for line in out[: out.index(rule)])]
    in_notes = False  # a row's notes come after all of its lines
    for line in out[out.index(rule) + 1 :]:
        in_notes = line.startswith("  note: ") or (in_notes and line[:1] == " ")
        if in_notes:
            continue
        piece = line[start:end].replace(" ", "")
        if line[:1] != " ":
            cells.append(piece)
        else:
            cells[-1] += piece
    return cells


@pytest.mark.parametrize("report_only", [False, True], ids=["plain", "report-only"])
def test_routes_fit_100_columns_by_wrapping_long_cells(report_only: bool) -> None:
    app = long_app(report_only=report_only)
    wide = routes_output(app, "--wide")
    assert max(map(len, wide)) > 200  # the case this is about
    assert len(wide) == 2 + len(app.url_map._rules)  # --wide: one line per route
    out = routes_output(app)
    assert max(map(len, out)) <= 100, "\n".join(out)
    # Nothing is lost: the wrapped endpoints read back whole, in the same order as --wide.
    _, *endpoints = column(out, 0)
    assert endpoints == [line.split()[0] for line in wide[2:]]
    assert LONG_ENDPOINT in endpoints
    assert "averyveryveryveryverylongendpointnamewithoutanywheretobreakitatall" in endpoints
    # So do the headers, each in its column.
    headers = [column(out, i)[0] for i in range(12 if report_only else 10)]
    assert headers == [
        "Endpoint",
        "Methods",
        "Rule",
        "CORS",
        "Origins",
        "Allow-Methods",
        "Allow-Headers",
        "Credentials",
        "Max-Age",
        "Policy",
        *(["Report-only", "Report-onlyorigins"] if report_only else []),
    ]
    assert "86400" in column(out, 8)


def test_routes_wrap_urls_and_lists_at_their_punctuation() -> None:
    out = routes_output(long_app())
    origins = column(out, 4)
    assert f"{LONG_ORIGIN},https://admin.example.org" in origins
    assert "Origins" in origins
    # An origin breaks after '//' or '.', a list after ', ' (not 'https:/' + '/...').
    for line in out:
        assert not re.search(r"https:/(?!/)|GET,\S", line), line
    methods = column(out, 5)
    assert "GET,HEAD,POST,OPTIONS,PUT,PATCH,DELETE" in methods


def with_notes(monkeypatch: pytest.MonkeyPatch, notes: dict[str, list[str]]) -> None:
    """Rows as diagnosis.routes() returns them once it fills 'notes' (migration item 1)."""
    from flask_crossorigin.diagnosis import routes

    def noted(app: Flask, all_methods: bool = False) -> list[dict[str, Any]]:
        rows = routes(app, all_methods)
        for row in rows:
            row["notes"] = notes.get(row["endpoint"], [])
        return rows

    monkeypatch.setattr("flask_crossorigin.cli.routes", noted)


LONG_NOTE = (
    "this view answers its own OPTIONS requests (its route lists OPTIONS), so flask-crossorigin "
    "adds its preflight headers to the view's answer; remove OPTIONS from the route's methods "
    "to have flask-crossorigin answer preflights before your before_request hooks run."
)


def test_routes_print_each_note_under_its_row(monkeypatch: pytest.MonkeyPatch) -> None:
    with_notes(monkeypatch, {"permissions": [LONG_NOTE, "a second note"], "static": ["short"]})
    out = routes_output(long_app())
    assert max(map(len, out)) <= 100
    first = out.index(next(line for line in out if line.startswith("  note: this view")))
    # Under the permissions row: its last wrapped line is right above, and the next row is
    # after the notes.
    row = max(i for i, line in enumerate(out[:first]) if line[:1] not in (" ", ""))
    assert out[row].startswith("permissions")
    note = [out[first]]
    for line in out[first + 1 :]:
        if not line.startswith("        "):
            break
        note.append(line)
    assert len(note) > 1  # wrapped, the continuation lines indented under the text
    assert " ".join(line.strip() for line in note) == "note: " + LONG_NOTE
    assert out[first + len(note)] == "  note: a second note"
    static = next(i for i, line in enumerate(out) if line.startswith("static"))
    assert "  note: short" in out[static + 1 : static + 4]
    # --wide keeps each note on one line.
    wide = routes_output(long_app(), "--wide")
    assert f"  note: {LONG_NOTE}" in wide
    # The notes do not get in the way of reading the rows.
    rows = [line.split()[0] for line in wide[2:] if not line.startswith("  note: ")]
    assert column(out, 0)[1:] == rows


def test_routes_json_passes_the_notes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    with_notes(monkeypatch, {"permissions": [LONG_NOTE]})
    result = long_app().test_cli_runner().invoke(cors_cli, ["routes", "--json"])
    rows = {row["endpoint"]: row for row in json.loads(result.output)}
    assert rows["permissions"]["notes"] == [LONG_NOTE]
    assert rows["static"]["notes"] == []


def test_routes_rows_always_carry_notes() -> None:
    result = long_app().test_cli_runner().invoke(cors_cli, ["routes", "--json"])
    for row in json.loads(result.output):
        assert isinstance(row["notes"], list)
        assert all(isinstance(note, str) for note in row["notes"])


# --------------------------------------------------------------------------------------------
# docs/troubleshooting.md: every documented command reproduces what the page says
# --------------------------------------------------------------------------------------------


def _docs_app() -> Flask:
    text = DOCS.read_text()
    match = re.search(r"<!-- example-app -->\s*```python\n(.*?)```", text, re.DOTALL)
    assert match, "docs/troubleshooting.md lost its example app"
    module = types.ModuleType("troubleshooting_app")
    exec(compile(match.group(1), str(DOCS), "exec"), module.__dict__)
    app = module.__dict__["app"]
    assert isinstance(app, Flask)
    return app


def _docs_examples() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each console block; '...' elides lines."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", DOCS.read_text(), re.DOTALL):
        command, *expected = block.rstrip("\n").splitlines()
        examples.append((command, expected))
    return examples


@pytest.mark.parametrize(
    ("command", "expected"), _docs_examples(), ids=lambda value: str(value)[:60]
)
def test_docs_commands_reproduce_their_output(command: str, expected: list[str]) -> None:
    prefix = "$ flask --app app cors "
    assert command.startswith(prefix), command
    args = shlex.split(command[len(prefix) :])
    result = _docs_app().test_cli_runner().invoke(cors_cli, args)
    assert result.exit_code in (0, 1), result.output
    actual = lines(result)
    # Every shown line appears, in order; '...' stands for lines left out of the docs.
    position = 0
    for line in expected:
        if line == "...":
            continue
        assert line in actual[position:], f"{line!r} not in output:\n{result.output}"
        position = actual.index(line, position) + 1
    assert expected[-1] == actual[-1]


def test_docs_cover_every_console_error_of_the_brief() -> None:
    text = DOCS.read_text()
    for reason_id in (
        "acao_missing",
        "preflight_status_not_ok",
        "preflight_redirect",
        "acao_wildcard_with_credentials",
        "acac_missing",
        "method_not_allowed",
        "header_not_allowed",
        "authorization_not_covered_by_wildcard",
        "acao_multiple",
    ):
        assert f"BLOCKED: {reason_id}:" in text, reason_id
    assert "X-CORS-Refusal" in text
    assert "logging.getLogger('flask_crossorigin').setLevel(logging.DEBUG)" in text


def test_click_group_name() -> None:
    assert isinstance(cors_cli, click.Group)
    assert set(cors_cli.commands) == {"check", "routes", "explain", "compare"}
