"""Preflighted requests: JSON, PUT/DELETE, refusals, max_age, Authorization, auth hooks."""

from __future__ import annotations

import json
from typing import Callable

import pytest
from flask import Flask, request

from flask_crossorigin import CORS

from .harness import Browser, Server, assert_blocked, assert_readable, echo_app

pytestmark = pytest.mark.browser

Serve = Callable[..., Server]


@pytest.fixture(params=["shortcut", "flask"])
def answered_by(request: pytest.FixtureRequest) -> Callable[[Flask], Flask]:
    """Both ways the extension answers preflights: below Flask (its WSGI shortcut, taken when
    nothing could observe the difference) and in its before_request hook (an app with an
    after_request hook of its own)."""

    def prepare(app: Flask) -> Flask:
        if request.param == "flask":
            app.after_request(lambda response: response)
        return app

    return prepare


def test_json_post_is_preflighted_then_sent(
    browser: Browser, serve: Serve, answered_by: Callable[[Flask], Flask]
) -> None:
    app = echo_app()
    CORS(app, origins=[browser.origin])
    api = serve(answered_by(app))

    result = browser.fetch(
        api.url("/data"),
        {
            "method": "POST",
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"name": "widget"}),
        },
    )
    assert_readable(result, api)
    assert result.json()["json"] == {"name": "widget"}
    assert [e.method for e in api.recorder] == ["OPTIONS", "POST"], api.recorder.dump()
    preflight = api.recorder.preflights("/data")[0]
    assert preflight.header("access-control-request-headers") == "content-type"
    assert preflight.status in (200, 204)
    assert "content-type" in (preflight.response_header("Access-Control-Allow-Headers") or "")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_non_simple_methods_with_a_custom_header(
    browser: Browser, serve: Serve, method: str
) -> None:
    app = echo_app()
    CORS(app, origins=[browser.origin], allow_headers=["X-Token"])
    api = serve(app)

    result = browser.fetch(api.url("/data"), {"method": method, "headers": {"X-Token": "t0k"}})
    assert_readable(result, api)
    assert result.json()["method"] == method
    preflight = api.recorder.preflights("/data")[0]
    assert preflight.header("access-control-request-method") == method
    assert preflight.header("access-control-request-headers") == "x-token"
    assert preflight.status == 204, api.recorder.dump()
    assert preflight.response_header("Access-Control-Allow-Origin") == browser.origin
    assert method in (preflight.response_header("Access-Control-Allow-Methods") or "")
    assert api.recorder.last(method, "/data").header("x-token") == "t0k"


def test_refused_method_never_reaches_the_view(
    browser: Browser, serve: Serve, answered_by: Callable[[Flask], Flask]
) -> None:
    app = echo_app()
    CORS(app, origins=[browser.origin], methods=["GET", "POST"])
    api = serve(answered_by(app))

    result = browser.fetch(api.url("/data"), {"method": "DELETE"})
    assert_blocked(result, api, "preflight")
    assert [e.method for e in api.recorder] == ["OPTIONS"], api.recorder.dump()
    preflight = api.recorder.preflights("/data")[0]
    assert preflight.status == 403
    assert preflight.response_header("Access-Control-Allow-Origin") is None
    assert preflight.response_header("Access-Control-Allow-Methods") is None


def test_refused_header_never_reaches_the_view(
    browser: Browser, serve: Serve, answered_by: Callable[[Flask], Flask]
) -> None:
    app = echo_app()
    CORS(app, origins=[browser.origin], allow_headers=["X-Allowed"])
    api = serve(answered_by(app))

    allowed = browser.fetch(api.url("/data"), {"method": "PUT", "headers": {"X-Allowed": "1"}})
    assert_readable(allowed, api)
    api.recorder.clear()

    refused = browser.fetch(api.url("/data"), {"method": "PUT", "headers": {"X-Other": "1"}})
    assert_blocked(refused, api, "preflight")
    assert [e.method for e in api.recorder] == ["OPTIONS"], api.recorder.dump()
    preflight = api.recorder.preflights("/data")[0]
    assert preflight.status == 403
    assert preflight.response_header("Access-Control-Allow-Headers") is None


def test_refused_origin_preflight(
    browser: Browser, serve: Serve, answered_by: Callable[[Flask], Flask]
) -> None:
    app = echo_app()
    CORS(app, origins=[browser.origin])
    api = serve(answered_by(app))
    result = browser.fetch(api.url("/data"), {"method": "PUT"}, origin=browser.other_origin)
    assert_blocked(result, api, "preflight")
    assert [e.method for e in api.recorder] == ["OPTIONS"], api.recorder.dump()
    assert api.recorder.preflights()[0].status == 403


def test_max_age_lets_the_browser_cache_preflights(
    browser: Browser, serve: Serve, answered_by: Callable[[Flask], Flask]
) -> None:
    app = echo_app()

    @app.put("/other")
    def other() -> str:
        return "other"

    CORS(app, origins=[browser.origin], allow_headers=["X-Token"], max_age=600)
    api = serve(answered_by(app))

    init = {"method": "PUT", "headers": {"X-Token": "1"}}
    for _ in range(3):
        assert_readable(browser.fetch(api.url("/data"), init), api)
    assert len(api.recorder.preflights("/data")) == 1, api.recorder.dump()
    assert len(api.recorder.requests("PUT", "/data")) == 3
    assert api.recorder.preflights("/data")[0].response_header("Access-Control-Max-Age") == "600"

    # F20: the cache is per URL: another URL is preflighted once too.
    for _ in range(2):
        assert_readable(browser.fetch(api.url("/other"), init), api)
    assert len(api.recorder.preflights("/other")) == 1, api.recorder.dump()


def test_authorization_with_wildcard_allow_headers(
    browser: Browser, serve: Serve, answered_by: Callable[[Flask], Flask]
) -> None:
    """F16/F39: by the standard `*` does not cover Authorization: it must be listed (echoed).

    The extension echoes it, so the request passes in every engine whatever they do with `*`
    (all three admit Authorization under a bare `*` without credentials: departure class A,
    shown in test_engine_departures.py); what this checks is the echo."""
    app = echo_app()
    CORS(app, origins=[browser.origin], allow_headers="*")
    api = serve(answered_by(app))

    result = browser.fetch(
        api.url("/data"), {"headers": {"Authorization": "Bearer abc", "X-Anything": "1"}}
    )
    assert_readable(result, api)
    preflight = api.recorder.preflights("/data")[0]
    assert preflight.header("access-control-request-headers") == "authorization,x-anything"
    granted = (preflight.response_header("Access-Control-Allow-Headers") or "").lower()
    assert "authorization" in granted, api.recorder.dump()
    assert api.recorder.last("GET", "/data").header("authorization") == "Bearer abc"


def test_auth_hook_401_is_readable_and_preflight_still_passes(
    browser: Browser, serve: Serve, answered_by: Callable[[Flask], Flask]
) -> None:
    """F3/F36: preflights carry no credentials, so they are answered before the auth hook."""
    app = Flask("e2e_auth")
    hook_saw: list[str] = []

    @app.before_request
    def require_token() -> tuple[dict[str, str], int] | None:
        hook_saw.append(request.method)
        if request.headers.get("Authorization") != "Bearer good":
            return {"error": "unauthorized"}, 401
        return None

    @app.get("/me")
    def me() -> dict[str, str]:
        return {"user": "alice"}

    @app.delete("/items/<int:item>")
    def delete_item(item: int) -> dict[str, int]:
        return {"deleted": item}

    CORS(app, origins=[browser.origin], allow_headers=["Authorization"])
    api = serve(answered_by(app))

    # No token: a simple GET, answered 401 by the hook, and the page can read that 401.
    result = browser.fetch(api.url("/me"))
    assert_readable(result, api, 401)
    assert result.json() == {"error": "unauthorized"}

    # With the token: the preflight passes (the hook never sees it), then the hook lets it in.
    result = browser.fetch(api.url("/me"), {"headers": {"Authorization": "Bearer good"}})
    assert_readable(result, api)
    assert result.json()["user"] == "alice"

    # A bad token: the preflight passes, the 401 from the hook is readable.
    result = browser.fetch(
        api.url("/items/7"), {"method": "DELETE", "headers": {"Authorization": "Bearer bad"}}
    )
    assert_readable(result, api, 401)
    result = browser.fetch(
        api.url("/items/7"), {"method": "DELETE", "headers": {"Authorization": "Bearer good"}}
    )
    assert_readable(result, api)
    assert result.json() == {"deleted": 7}

    assert "OPTIONS" not in hook_saw, hook_saw
    assert all(e.status == 204 for e in api.recorder.preflights()), api.recorder.dump()
    assert {e.path for e in api.recorder.preflights()} == {"/me", "/items/7"}


def test_an_actual_options_request_reaches_the_view(
    browser: Browser, serve: Serve, answered_by: Callable[[Flask], Flask]
) -> None:
    """F2: fetch(..., {method: "OPTIONS"}) is preflighted, then the OPTIONS itself (without
    Access-Control-Request-Method) is an actual request for the view."""
    app = Flask("e2e_options")

    @app.route("/thing", methods=["GET", "OPTIONS"])
    def thing() -> dict[str, str]:
        return {"view": "thing", "method": request.method}

    CORS(app, origins=[browser.origin])
    api = serve(answered_by(app))

    result = browser.fetch(api.url("/thing"), {"method": "OPTIONS"})
    assert_readable(result, api)
    assert result.json() == {"view": "thing", "method": "OPTIONS"}
    first, second = api.recorder.requests("OPTIONS", "/thing")
    # The view declares OPTIONS, so it answers its own preflight (migration issue item 1): its
    # 200, with the policy's preflight headers merged in, passes in the browser.
    assert first.is_preflight and first.status == 200, api.recorder.dump()
    assert not second.is_preflight
