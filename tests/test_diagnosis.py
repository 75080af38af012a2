"""The diagnosis library (flask_crossorigin.diagnosis): a structured verdict with a typed source,
the same one ``flask cors check`` prints and the playground shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, redirect, request

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin._sources import SourceKind
from flask_crossorigin.browser import BrowserRequest, ServerResponse
from flask_crossorigin.diagnosis import (
    DiagnosisError,
    body_and_type,
    check,
    coverage,
    routes,
    run_check,
)

PAGE = "https://app.example.com"


def make_app() -> Flask:
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": {"origins": [PAGE]}})
    shop = Blueprint("shop", __name__, url_prefix="/shop")
    CORS(shop, origins=["https://shop.example.com"])

    @shop.get("/cart")
    def cart() -> str:
        return "cart"

    app.register_blueprint(shop)

    @app.get("/api/items")
    def items() -> str:
        return "items"

    @app.post("/api/items")
    @cross_origin(origins=[PAGE], supports_credentials=True)
    def create() -> str:
        return "created"

    return app


def test_check_allowed_names_the_resource() -> None:
    report = check(make_app(), "/api/items", origin=PAGE)
    assert report.verdict.allowed
    assert report.reason is None
    assert report.coverage is not None and report.coverage.source is not None
    source = report.coverage.source
    assert (source.kind, source.pattern, source.blueprint) == (
        SourceKind.RESOURCE,
        "/api/*",
        None,
    )
    assert report.text()[-1] == "ALLOWED"


def test_check_credentialed_post_takes_the_decorated_views_policy() -> None:
    app = make_app()
    report = check(
        app.test_client(),
        "/api/items",
        origin=PAGE,
        method="POST",
        headers=[("Content-Type", "application/json")],
        credentials=True,
    )
    assert report.verdict.allowed, report.text()
    assert [exchange.method for exchange in report.exchanges] == ["OPTIONS", "POST"]
    assert report.coverage is not None and report.coverage.source is not None
    assert report.coverage.source.kind is SourceKind.VIEW
    assert report.coverage.source.view == "create"
    assert report.as_json()["policy_kind"] == "decorator"


def test_check_blocked_has_a_reason_and_a_fix() -> None:
    report = check(make_app(), "/shop/cart", origin=PAGE)
    assert not report.verdict.allowed
    assert report.reason is not None and report.reason.id == "acao_missing"
    assert report.coverage is not None and report.coverage.source is not None
    assert report.coverage.source.kind is SourceKind.BLUEPRINT
    assert report.coverage.source.blueprint == "shop"
    assert report.server_reason == "origin_not_allowed"
    assert "add 'https://app.example.com' to `origins` of blueprint 'shop'" in report.reason.fix


def test_coverage_and_routes() -> None:
    app = make_app()
    assert coverage(app, "/elsewhere").found is None
    assert coverage(app, "/api/items", "POST").kind == "decorator"
    assert coverage(app, "/api/items", "GET").kind == "resource"
    rows = {row["endpoint"]: row for row in routes(app)}
    assert rows["shop.cart"]["kind"] == "blueprint"
    assert rows["create"]["kind"] == "decorator"
    assert rows["static"]["cors"] is False


def test_invalid_configuration_is_a_diagnosis_error() -> None:
    app = Flask(__name__)
    CORS(app)

    @app.get("/x")
    @cross_origin(supports_credentials=True)
    def x() -> str:
        return "x"

    with pytest.raises(DiagnosisError, match="configuration is invalid"):
        routes(app)


def test_every_route_row_has_a_list_of_notes() -> None:
    for row in routes(make_app()):
        assert isinstance(row["notes"], list)
        assert all(isinstance(note, str) for note in row["notes"])


def body_recorder() -> tuple[Flask, list[tuple[str, bytes]]]:
    """An uncovered route that answers its own preflights, so every exchange reaches the view."""
    app = Flask(__name__)
    seen: list[tuple[str, bytes]] = []

    @app.route("/raw", methods=["PUT", "OPTIONS"], provide_automatic_options=False)
    def raw() -> Any:
        seen.append((request.method, request.get_data()))
        headers = {
            "Access-Control-Allow-Origin": PAGE,
            "Access-Control-Allow-Methods": "PUT",
            "Access-Control-Allow-Headers": "Content-Type",
        }
        return "", 200, headers

    return app, seen


def test_the_body_goes_with_the_actual_request_only() -> None:
    app, seen = body_recorder()
    json_type = [("Content-Type", "application/json")]
    report = check(app, "/raw", origin=PAGE, method="PUT", headers=json_type, body='{"a": 1}')
    assert report.verdict.allowed, report.text()
    assert seen == [("OPTIONS", b""), ("PUT", b'{"a": 1}')]


def test_body_and_type_follow_fetch() -> None:
    assert body_and_type(None, None) == (None, None)
    assert body_and_type(None, "application/json") == (None, "application/json")
    assert body_and_type("é", None) == ("é".encode(), "text/plain;charset=UTF-8")
    assert body_and_type(b"\x00", None) == (b"\x00", "")
    assert body_and_type("{}", "application/json") == (b"{}", "application/json")


def test_a_string_body_is_text_and_is_not_preflighted() -> None:
    app, seen = body_recorder()
    report = check(app, "/raw", origin=PAGE, method="PUT", body="x")
    # PUT is preflighted (F6); the body's text/plain type is safelisted, so not for it (F8).
    assert [exchange.method for exchange in report.exchanges] == ["OPTIONS", "PUT"]
    assert report.exchanges[1].header("Content-Type") == "text/plain;charset=UTF-8"
    assert seen[-1] == ("PUT", b"x")


# --------------------------------------------------------------------------------------------
# Refusals by the app's own policy: the fix names the option and why
# --------------------------------------------------------------------------------------------


def api_app(**options: Any) -> Flask:
    """One resource, /api/*, with *options*; /api/x answers GET, PATCH and PUT."""
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": options})

    @app.route("/api/x", methods=["GET", "PATCH", "PUT"])
    def x() -> str:
        return "x"

    return app


def test_null_origin_refused_says_what_listing_null_lets_in() -> None:
    """A sandboxed page (Origin: null) refused: the fix is to list 'null', with the warning that
    every sandboxed iframe and file: page shares that origin (F35, F44)."""
    report = check(api_app(origins=[PAGE]), "/api/x", origin="null")
    assert not report.verdict.allowed
    assert report.server_reason == "origin_null_not_allowed"
    assert report.reason is not None
    assert report.reason.fix.startswith("add 'null' to `origins` of resource '/api/*'")
    assert "every sandboxed iframe and file: page" in report.reason.fix


def test_origin_callable_that_raises_is_named_as_the_cause() -> None:
    """An origins callable that raises refuses the origin; the fix says the callable raised for
    this origin, not that the origin is missing from a list."""

    def trusted(origin: str) -> bool:
        raise LookupError("no such tenant")

    report = check(api_app(origins=trusted), "/api/x", origin=PAGE)
    assert report.server_reason == "origin_callable_failed"
    assert report.reason is not None
    assert f"the `origins` callable of resource '/api/*' raised for {PAGE!r}" in report.reason.fix


def test_origin_callable_that_returns_a_non_bool_is_named_as_the_cause() -> None:
    """An origins callable returning 'yes' (truthy, not True) refuses; the fix says only a bool
    counts."""
    report = check(api_app(origins=lambda origin: "yes"), "/api/x", origin=PAGE)
    assert report.server_reason == "origin_callable_invalid"
    assert report.reason is not None
    assert "returned something other than True or False" in report.reason.fix
    assert "only a bool counts" in report.reason.fix


def test_lower_case_method_refused_says_methods_are_case_sensitive() -> None:
    """fetch(..., {method: 'patch'}) is sent as written (F7), so methods=['PATCH'] refuses it;
    the fix adds 'patch' and says why the case matters."""
    report = check(
        api_app(origins=[PAGE], methods=["PATCH"]), "/api/x", origin=PAGE, method="patch"
    )
    assert report.server_reason == "method_not_allowed"
    assert report.reason is not None
    assert report.reason.fix.startswith("add 'patch' to `methods` of resource '/api/*'")
    assert "methods are case-sensitive and browsers send 'patch'" in report.reason.fix


def test_refusal_without_an_option_to_change_keeps_the_browsers_fix() -> None:
    """A preflight asking for more header names than the server reads (256) is refused for that
    alone (too_many_headers): no option would allow it, so the report gives the server's reason
    and the browser's own fix, not an option to change."""
    headers = [(f"X-H{i}", "1") for i in range(300)]
    report = check(
        api_app(origins=[PAGE], allow_headers="*"), "/api/x", origin=PAGE, headers=headers
    )
    assert not report.verdict.allowed
    assert report.server_reason == "too_many_headers"
    assert report.reason is not None and report.reason.id == "acao_missing"
    assert "allow_headers" not in report.reason.fix
    assert report.server_line() == (
        "server: resource '/api/*' refuses it: too_many_headers \"300 names\""
    )


# --------------------------------------------------------------------------------------------
# Granted by the policy, blocked by the browser: something else wrote the headers
# --------------------------------------------------------------------------------------------


def wrap_response_headers(app: Flask, change: Callable[[list[tuple[str, str]]], Any]) -> None:
    """Put a WSGI middleware in front of the app (and so of flask-crossorigin) that rewrites the
    response headers, as a proxy would."""
    inner = app.wsgi_app

    def outer(environ: dict[str, Any], start_response: Any) -> Any:
        def rewrite(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, change(headers), exc_info)

        return inner(environ, rewrite)

    app.wsgi_app = outer  # type: ignore[method-assign]


def test_app_set_wildcard_with_credentials_also_asks_for_supports_credentials() -> None:
    """A view sets 'Access-Control-Allow-Origin: *' itself and the page sends credentials: the
    fix says to remove that header and, the policy lacking it, to set supports_credentials."""
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": {"origins": [PAGE]}})

    @app.get("/api/star")
    def star() -> Response:
        return Response("s", headers={"Access-Control-Allow-Origin": "*"})

    report = check(app, "/api/star", origin=PAGE, credentials=True)
    assert report.reason is not None and report.reason.id == "acao_wildcard_with_credentials"
    fix = report.reason.fix
    assert "'Access-Control-Allow-Origin: *' was set by the app's own code" in fix
    assert fix.endswith(", and set supports_credentials=True on it (now False, the default).")


def test_granted_but_stripped_by_a_proxy_says_something_removed_it() -> None:
    """The policy grants, a middleware in front removes Access-Control-Allow-Origin: the fix says
    something after flask-crossorigin removed it, not to change an option."""
    app = api_app(origins=[PAGE])
    wrap_response_headers(
        app, lambda headers: [(k, v) for k, v in headers if k != "Access-Control-Allow-Origin"]
    )
    report = check(app, "/api/x", origin=PAGE)
    assert report.reason is not None and report.reason.id == "acao_missing"
    assert report.server_reason is None  # the policy itself granted the request
    assert "grants this request, but the response carried no Access-Control-Allow-Origin" in (
        report.reason.fix
    )


def test_granted_but_rewritten_by_a_proxy_says_the_policy_would_not_send_it() -> None:
    """A middleware in front replaces the granted origin with another: the browser's fix comes
    with 'the policy would not send this ... remove it'."""
    app = api_app(origins=[PAGE])
    wrap_response_headers(
        app,
        lambda headers: [
            (k, "https://other.example" if k == "Access-Control-Allow-Origin" else v)
            for k, v in headers
        ],
    )
    report = check(app, "/api/x", origin=PAGE)
    assert report.reason is not None and report.reason.id == "acao_mismatch"
    assert report.reason.fix.endswith(
        "Here the policy resource '/api/*' would not send this; a view, an after_request hook "
        "registered before CORS(app), a proxy or a second CORS library does: remove it and let "
        "resource '/api/*' answer."
    )


def test_a_redirect_the_browser_cannot_follow_keeps_the_browsers_fix() -> None:
    """A redirect to an ftp: URL fails in the browser whatever the policy says: the policy
    granted, so the browser's own fix is given and no option is blamed."""
    app = Flask(__name__)
    CORS(app, origins=[PAGE])

    @app.get("/moved")
    def moved() -> Response:
        return Response("", 302, [("Location", "ftp://files.example/x")])

    report = check(app, "/moved", origin=PAGE)
    assert report.reason is not None and report.reason.id == "url_not_http"
    assert report.reason.fix == "The server must redirect to an http:// or https:// URL."
    assert report.server_reason is None
    assert report.server_line() == "server: resource '/*' allows it"


# --------------------------------------------------------------------------------------------
# Not covered, and checks that cannot complete
# --------------------------------------------------------------------------------------------


def test_decorator_above_the_route_is_the_fix_for_an_uncovered_path() -> None:
    """Without CORS(app), a @cross_origin written above @app.route never runs, so the path is
    uncovered: the fix says to move the decorator rather than to add a resource."""
    app = Flask(__name__)

    @cross_origin(origins=[PAGE])
    @app.route("/m")
    def m() -> str:
        return "m"

    report = check(app, "/m", origin=PAGE)
    assert report.reason is not None and report.reason.id == "acao_missing"
    assert report.reason.fix.startswith(
        "view 'm' has @cross_origin written above @app.route, so Flask registered the "
        "undecorated function"
    )
    assert "resources=" not in report.reason.fix


def test_redirect_outside_the_application_root_cannot_be_followed_in_process() -> None:
    """Under APPLICATION_ROOT '/app', a redirect to '/other' on the same host leaves the app:
    the in-process check stops with a DiagnosisError saying so (and how to follow it)."""
    app = Flask(__name__)
    app.config["APPLICATION_ROOT"] = "/app"
    CORS(app)

    @app.get("/go")
    def go() -> Any:
        return redirect("http://localhost/other")

    with pytest.raises(DiagnosisError, match=r"redirected to http://localhost/other, which is "):
        check(app, "/go", origin=PAGE)


def test_an_app_that_raises_past_its_error_handlers_is_a_diagnosis_error() -> None:
    """A 500 handler that itself raises lets the exception out of the app: the check cannot say
    what the page receives, and says which exception on which request."""
    app = Flask(__name__)
    CORS(app)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("view")

    @app.errorhandler(500)
    def broken_handler(error: Exception) -> str:
        raise ValueError("the handler broke")

    with pytest.raises(DiagnosisError, match="the app raised ValueError on GET /boom"):
        check(app, "/boom", origin=PAGE)


def test_check_of_an_app_whose_view_policy_cannot_compile_is_a_diagnosis_error() -> None:
    """A decorated view whose options cannot work over the app's config answers 500 at its
    request; the check then reports the configuration error instead of a verdict."""
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True

    @app.get("/x")
    @cross_origin(origins="*", send_wildcard=True)
    def x() -> str:
        return "x"

    with pytest.raises(DiagnosisError, match=r"configuration is invalid: .*cors\.E020"):
        check(app, "/x", origin=PAGE)


def test_run_check_names_no_policy_after_a_redirect_away_from_the_app() -> None:
    """Against a server (any sender), a followed redirect to another host ends outside the app:
    its policy says nothing about that answer, so the report names no policy and no server line.
    """
    base = "https://api.example/"
    seen: list[str] = []

    def send(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        seen.append(url)
        if url.startswith(base):
            return ServerResponse(
                302, [("Location", "https://cdn.example/x"), ("Access-Control-Allow-Origin", "*")]
            )
        return ServerResponse(200, [("Access-Control-Allow-Origin", "*")])

    request = BrowserRequest(origin=PAGE, url=base + "moved")
    report = run_check(request, send, make_app(), base, local_policy=True)
    assert report.verdict.allowed, report.text()
    assert seen == ["https://api.example/moved", "https://cdn.example/x"]
    assert report.coverage is None
    assert report.server_line() is None
    assert report.as_json()["policy"] is None
