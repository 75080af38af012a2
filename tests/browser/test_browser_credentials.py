"""Credentialed requests: cookies set and sent through CORS, and the refusals."""

from __future__ import annotations

from typing import Callable

import pytest
from flask import Flask, Response, request

from flask_crossorigin import CORS

from .harness import Browser, Server, assert_blocked, assert_readable

pytestmark = pytest.mark.browser

Serve = Callable[..., Server]


def session_app() -> Flask:
    app = Flask("e2e_session")

    @app.post("/login")
    def login() -> Response:
        response = Response('{"logged_in": true}', content_type="application/json")
        # The page (localhost:P1) and the API (localhost:P2) are same-site: Lax cookies flow.
        response.set_cookie("sid", "s3cr3t", httponly=True, samesite="Lax")
        return response

    @app.get("/whoami")
    def whoami() -> dict[str, str | None]:
        return {"sid": request.cookies.get("sid")}

    @app.delete("/session")
    def logout() -> dict[str, str | None]:
        return {"ended": request.cookies.get("sid")}

    return app


def test_credentialed_cookie_round_trip(browser: Browser, serve: Serve) -> None:
    app = session_app()
    CORS(app, origins=[browser.origin], supports_credentials=True, allow_headers=["X-CSRF"])
    api = serve(app)
    include = {"credentials": "include"}

    login = browser.fetch(api.url("/login"), {"method": "POST", **include})
    assert_readable(login, api)
    assert [c["name"] for c in browser.cookies()] == ["sid"]
    sent = api.recorder.last("POST", "/login")
    assert sent.response_header("Access-Control-Allow-Origin") == browser.origin
    assert sent.response_header("Access-Control-Allow-Credentials") == "true"

    whoami = browser.fetch(api.url("/whoami"), include)
    assert_readable(whoami, api)
    assert whoami.json() == {"sid": "s3cr3t"}
    assert api.recorder.last("GET", "/whoami").header("cookie") == "sid=s3cr3t"

    # A preflighted credentialed request: the preflight carries no cookie (F3) and is granted
    # with ACAC: true (F13.4); the DELETE itself carries the cookie.
    logout = browser.fetch(
        api.url("/session"), {"method": "DELETE", "headers": {"X-CSRF": "1"}, **include}
    )
    assert_readable(logout, api)
    assert logout.json() == {"ended": "s3cr3t"}
    preflight = api.recorder.preflights("/session")[0]
    assert preflight.header("cookie") is None
    assert preflight.response_header("Access-Control-Allow-Credentials") == "true"
    assert preflight.response_header("Access-Control-Allow-Origin") == browser.origin

    # Without credentials: mode "same-origin" sends no cookie to another origin.
    anonymous = browser.fetch(api.url("/whoami"))
    assert_readable(anonymous, api)
    assert anonymous.json() == {"sid": None}


def test_credentials_refused_when_not_supported(browser: Browser, serve: Serve) -> None:
    app = session_app()
    CORS(app, origins=[browser.origin])  # supports_credentials defaults to False
    api = serve(app)
    browser.add_cookie("sid", "s3cr3t", api.url("/"))

    result = browser.fetch(api.url("/whoami"), {"credentials": "include"})
    assert_blocked(result, api, "no_acac")
    # The cookie went out (a simple GET is sent): only reading the answer was refused.
    sent = api.recorder.last("GET", "/whoami")
    assert sent.header("cookie") == "sid=s3cr3t"
    assert sent.response_header("Access-Control-Allow-Credentials") is None

    # The same request without credentials is fine.
    assert_readable(browser.fetch(api.url("/whoami")), api)


def test_credentials_refused_for_an_unlisted_origin(browser: Browser, serve: Serve) -> None:
    app = session_app()
    CORS(app, origins=[browser.origin], supports_credentials=True, allow_headers=["X-CSRF"])
    api = serve(app)
    include = {"credentials": "include"}

    result = browser.fetch(
        api.url("/login"), {"method": "POST", **include}, origin=browser.other_origin
    )
    assert_blocked(result, api, "no_acao")
    sent = api.recorder.last("POST", "/login")
    assert sent.response_header("Access-Control-Allow-Credentials") is None

    result = browser.fetch(
        api.url("/session"),
        {"method": "DELETE", "headers": {"X-CSRF": "1"}, **include},
        origin=browser.other_origin,
    )
    assert_blocked(result, api, "preflight")
    assert api.recorder.requests("DELETE") == [], api.recorder.dump()
