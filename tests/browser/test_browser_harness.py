"""Controls for the harness itself, with no CORS extension at all.

They prove the browser really enforces CORS here (so a passing scenario means something), and that
the harness sees both sides: what the page could read, and what reached the server.
"""

from __future__ import annotations

from typing import Callable

import pytest
from flask import Flask, Response, request

from .harness import BLOCK_REASONS, BLOCKED_ERROR, Browser, Server, assert_blocked, explain

pytestmark = pytest.mark.browser


def plain_app(grant: bool) -> Flask:
    """An app that, when ``grant``, sets CORS headers by hand for any Origin."""
    app = Flask("e2e_plain")

    @app.route("/data", methods=["GET", "PUT"])
    def data() -> dict[str, str]:
        return {"method": request.method}

    if grant:

        @app.after_request
        def add_cors(response: Response) -> Response:
            origin = request.headers.get("Origin")
            if origin:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Methods"] = "GET, PUT"
                response.headers["Access-Control-Allow-Headers"] = "X-Custom"
                response.vary.add("Origin")
            return response

    return app


def test_without_cors_headers_the_browser_blocks_the_read(
    browser: Browser, serve: Callable[..., Server]
) -> None:
    api = serve(plain_app(grant=False))
    result = browser.fetch(api.url("/data"))
    assert result.blocked, explain(result, api)
    assert result.error == BLOCKED_ERROR[browser.engine]
    assert BLOCK_REASONS["no_acao"][browser.engine] in result.cors_error, result.console
    # A simple request is sent anyway: only reading the answer is refused.
    assert api.recorder.last("GET", "/data").header("origin") == browser.origin


def test_without_cors_a_preflight_keeps_the_request_from_the_server(
    browser: Browser, serve: Callable[..., Server]
) -> None:
    api = serve(plain_app(grant=False))
    result = browser.fetch(api.url("/data"), {"method": "PUT", "headers": {"X-Custom": "1"}})
    assert result.blocked, explain(result, api)
    assert [e.method for e in api.recorder] == ["OPTIONS"], api.recorder.dump()


def test_hand_made_cors_headers_are_honoured(
    browser: Browser, serve: Callable[..., Server]
) -> None:
    api = serve(plain_app(grant=True))
    result = browser.fetch(api.url("/data"), {"method": "PUT", "headers": {"X-Custom": "1"}})
    assert result.ok, explain(result, api)
    assert result.json() == {"method": "PUT"}
    assert result.origin == browser.origin
    assert [e.method for e in api.recorder] == ["OPTIONS", "PUT"], api.recorder.dump()
    assert api.recorder.last("PUT").header("x-custom") == "1"


def test_the_other_page_and_the_sandboxed_frame_have_their_own_origins(
    browser: Browser, serve: Callable[..., Server]
) -> None:
    api = serve(plain_app(grant=True))
    other = browser.fetch(api.url("/data"), origin=browser.other_origin)
    assert other.ok, explain(other, api)
    assert api.recorder.last("GET").header("origin") == browser.other_origin
    sandboxed = browser.fetch_sandboxed(api.url("/data"))
    assert sandboxed.ok, explain(sandboxed, api)
    assert sandboxed.origin == "null"
    assert api.recorder.last("GET").header("origin") == "null"


def test_without_vary_the_http_cache_serves_a_stale_grant(
    browser: Browser, serve: Callable[..., Server]
) -> None:
    """F32's example, by hand: an uncached-by-origin answer poisons a later CORS read."""
    app = Flask("e2e_no_vary")

    @app.get("/cached")
    def cached() -> tuple[str, int, dict[str, str]]:
        headers = {"Cache-Control": "public, max-age=600"}
        if request.headers.get("Origin") == browser.origin:
            headers["Access-Control-Allow-Origin"] = browser.origin  # and no Vary: Origin
        return "cached", 200, headers

    api = serve(app)
    opaque = browser.fetch(api.url("/cached"), {"mode": "no-cors"})
    assert opaque.type == "opaque", opaque
    assert api.recorder.last("GET").header("origin") is None
    result = browser.fetch(api.url("/cached"))
    assert_blocked(result, api, "no_acao")
    assert len(api.recorder.requests("GET")) == 1, api.recorder.dump()  # served from the cache
