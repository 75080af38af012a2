"""Simple (non-preflighted) requests: defaults, origin lists, exposed headers, errors."""

from __future__ import annotations

from typing import Callable

import pytest
from flask import Flask, Response, abort

from flask_crossorigin import CORS

from .harness import Browser, Server, assert_blocked, assert_readable, echo_app

pytestmark = pytest.mark.browser

Serve = Callable[..., Server]


def test_defaults_let_any_page_read(browser: Browser, serve: Serve) -> None:
    app = echo_app()
    CORS(app)
    api = serve(app)

    for origin in (browser.origin, browser.other_origin):
        result = browser.fetch(api.url("/data"), origin=origin)
        assert_readable(result, api)
        assert result.json()["origin"] == origin
        sent = api.recorder.last("GET", "/data")
        assert sent.response_header("Access-Control-Allow-Origin") == origin
        assert sent.response_header("Access-Control-Allow-Credentials") is None
    # Same origin, POST of a form: no preflight, and the page can still read the answer.
    result = browser.fetch(
        api.url("/data"),
        {"method": "POST", "body": "a=1", "headers": {"Content-Type": "text/plain"}},
    )
    assert_readable(result, api)
    assert api.recorder.preflights() == [], api.recorder.dump()


def test_echoed_origin_is_varied(browser: Browser, serve: Serve) -> None:
    """F32: an echoed ACAO comes with Vary: Origin."""
    app = echo_app()
    CORS(app, origins=[browser.origin])
    api = serve(app)
    assert_readable(browser.fetch(api.url("/data")), api)
    sent = api.recorder.last("GET", "/data")
    assert sent.response_header("Access-Control-Allow-Origin") == browser.origin
    assert "origin" in (sent.response_header("Vary") or "").lower(), api.recorder.dump()


def test_vary_origin_keeps_the_http_cache_honest(browser: Browser, serve: Serve) -> None:
    """F32/F41: a cached answer to a request without Origin is not reused for a CORS read."""
    app = Flask("e2e_cache")

    @app.get("/cached")
    def cached() -> tuple[str, int, dict[str, str]]:
        return "cached", 200, {"Cache-Control": "public, max-age=600"}

    CORS(app, origins=[browser.origin])
    api = serve(app)

    opaque = browser.fetch(api.url("/cached"), {"mode": "no-cors"})
    assert opaque.type == "opaque", opaque
    first = api.recorder.last("GET")
    assert first.header("origin") is None
    assert first.response_header("Access-Control-Allow-Origin") is None
    assert "origin" in (first.response_header("Vary") or "").lower(), api.recorder.dump()

    result = browser.fetch(api.url("/cached"))
    assert_readable(result, api)
    assert len(api.recorder.requests("GET")) == 2, api.recorder.dump()


def test_send_wildcard(browser: Browser, serve: Serve) -> None:
    app = echo_app()
    CORS(app, send_wildcard=True)
    api = serve(app)
    assert_readable(browser.fetch(api.url("/data")), api)
    assert api.recorder.last("GET").response_header("Access-Control-Allow-Origin") == "*"
    # F13: `*` never grants a credentialed request.
    result = browser.fetch(api.url("/data"), {"credentials": "include"})
    assert_blocked(result, api, "wildcard")


def test_restricted_origins(browser: Browser, serve: Serve) -> None:
    app = echo_app()
    CORS(app, origins=[browser.origin])
    api = serve(app)

    assert_readable(browser.fetch(api.url("/data")), api)

    refused = browser.fetch(api.url("/data"), origin=browser.other_origin)
    assert_blocked(refused, api, "no_acao")
    sent = api.recorder.last("GET", "/data")
    assert sent.header("origin") == browser.other_origin
    assert sent.response_header("Access-Control-Allow-Origin") is None, api.recorder.dump()


def test_exposed_headers_are_readable_and_others_are_not(browser: Browser, serve: Serve) -> None:
    app = Flask("e2e_expose")

    @app.get("/headers")
    def headers() -> Response:
        response = Response("{}", content_type="application/json")
        response.headers["X-Exposed"] = "yes"
        response.headers["X-Request-Id"] = "42"
        response.headers["X-Hidden"] = "secret"
        return response

    CORS(app, origins=[browser.origin], expose_headers=["X-Exposed", "X-Request-Id"])
    api = serve(app)

    result = browser.fetch(api.url("/headers"))
    assert_readable(result, api)
    assert result.headers.get("x-exposed") == "yes", result.headers
    assert result.headers.get("x-request-id") == "42", result.headers
    assert "x-hidden" not in result.headers, result.headers
    assert result.headers.get("content-type") == "application/json"  # F24: always exposed
    # The server did send the hidden header: the browser kept it from the page.
    assert api.recorder.last("GET").response_header("X-Hidden") == "secret"


def test_expose_headers_wildcard(browser: Browser, serve: Serve) -> None:
    """F24: without credentials, `*` exposes every response header."""
    app = Flask("e2e_expose_all")

    @app.get("/headers")
    def headers() -> tuple[str, int, dict[str, str]]:
        return "{}", 200, {"X-One": "1", "X-Two": "2"}

    CORS(app, origins=[browser.origin], expose_headers="*")
    api = serve(app)
    result = browser.fetch(api.url("/headers"))
    assert_readable(result, api)
    assert result.headers.get("x-one") == "1", result.headers
    assert result.headers.get("x-two") == "2", result.headers


def test_errors_are_readable_by_the_page(browser: Browser, serve: Serve) -> None:
    """F22/F42: 500, abort(404) and an unknown URL all carry CORS headers."""
    app = Flask("e2e_errors")

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("view failed")

    @app.get("/missing")
    def missing() -> str:
        abort(404)

    @app.get("/teapot")
    def teapot() -> tuple[dict[str, str], int]:
        return {"error": "short and stout"}, 418

    app.logger.disabled = True  # the 500's traceback is expected
    CORS(app, origins=[browser.origin])
    api = serve(app)

    result = browser.fetch(api.url("/boom"))
    assert_readable(result, api, 500)
    assert "Internal Server Error" in (result.body or "")

    result = browser.fetch(api.url("/missing"))
    assert_readable(result, api, 404)
    assert "Not Found" in (result.body or "")

    result = browser.fetch(api.url("/no/such/url"))
    assert_readable(result, api, 404)
    # F36: preflights are answered before routing, so the page learns the URL is unknown.
    result = browser.fetch(api.url("/no/such/url"), {"method": "PUT", "body": "x"})
    assert_readable(result, api, 404)

    result = browser.fetch(api.url("/teapot"))
    assert_readable(result, api, 418)
    assert result.json() == {"error": "short and stout"}

    # A method the route does not have: the preflight passes, the 405 is readable.
    result = browser.fetch(api.url("/teapot"), {"method": "PUT", "body": "x"})
    assert_readable(result, api, 405)

    # A preflighted request to a failing view: the preflight passes, the 500 is readable.
    result = browser.fetch(api.url("/boom"), {"headers": {"X-Trace": "1"}})
    assert_readable(result, api, 500)


def test_intercept_exceptions_false_leaves_unhandled_errors_to_the_app(
    browser: Browser, serve: Serve
) -> None:
    # flask-cors 6: only responses of unhandled exceptions are left alone; abort() and other
    # HTTP errors keep their CORS headers, so the page can read them.
    app = Flask("e2e_no_intercept")

    @app.get("/ok")
    def ok() -> str:
        return "ok"

    @app.get("/missing")
    def missing() -> str:
        abort(404)

    @app.get("/crash")
    def crash() -> str:
        raise RuntimeError("boom")

    CORS(app, origins=[browser.origin], intercept_exceptions=False)
    api = serve(app)
    assert_readable(browser.fetch(api.url("/ok")), api)
    assert_readable(browser.fetch(api.url("/missing")), api, 404)
    assert_blocked(browser.fetch(api.url("/crash")), api, "no_acao")
    assert api.recorder.last("GET", "/crash").status == 500
