"""Origin policies seen from the browser: `null`, regexes, and a callable."""

from __future__ import annotations

import re
from typing import Callable
from urllib.parse import urlsplit

import pytest

from flask_crossorigin import CORS

from .harness import Browser, Server, assert_blocked, assert_readable, echo_app

pytestmark = pytest.mark.browser

Serve = Callable[..., Server]


def test_null_origin_from_a_sandboxed_iframe(browser: Browser, serve: Serve) -> None:
    """F35/F44: `null` is allowed only when listed."""
    listed_app = echo_app()
    CORS(listed_app, origins=["null", browser.origin])
    listed = serve(listed_app)

    result = browser.fetch_sandboxed(listed.url("/data"))
    assert result.origin == "null"
    assert_readable(result, listed)
    assert result.json()["origin"] == "null"
    assert listed.recorder.last("GET").response_header("Access-Control-Allow-Origin") == "null"
    # A preflighted request from the sandbox.
    result = browser.fetch_sandboxed(
        listed.url("/data"),
        {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "[1]"},
    )
    assert_readable(result, listed)
    assert result.json()["json"] == [1]

    unlisted_app = echo_app()
    CORS(unlisted_app, origins=[browser.origin])
    unlisted = serve(unlisted_app)
    assert_blocked(browser.fetch_sandboxed(unlisted.url("/data")), unlisted, "")
    assert unlisted.recorder.last("GET").header("origin") == "null"


def test_default_any_origin_grants_null_a_wildcard_not_an_echo(
    browser: Browser, serve: Serve
) -> None:
    """origins="*" is public data: the sandbox may read it, but `null` is never reflected."""
    app = echo_app()
    CORS(app)
    api = serve(app)
    assert_readable(browser.fetch(api.url("/data")), api)
    assert_readable(browser.fetch_sandboxed(api.url("/data")), api)
    sent = api.recorder.last("GET")
    assert sent.header("origin") == "null"
    assert sent.response_header("Access-Control-Allow-Origin") == "*", api.recorder.dump()
    # ...and a wildcard grant never extends to credentials.
    assert_blocked(
        browser.fetch_sandboxed(api.url("/data"), {"credentials": "include"}), api, "wildcard"
    )


def test_regex_and_glob_origins(browser: Browser, serve: Serve) -> None:
    regex_app = echo_app()
    CORS(regex_app, origins=[re.compile(r"http://localhost:\d+")])
    by_regex = serve(regex_app)
    assert_readable(browser.fetch(by_regex.url("/data")), by_regex)
    assert_blocked(
        browser.fetch(by_regex.url("/data"), origin=browser.other_origin), by_regex, "no_acao"
    )

    # Every engine here resolves *.localhost names to loopback: real subdomain origins.
    port = urlsplit(browser.origin).port
    sub = browser.origin_on("app.localhost")
    glob_app = echo_app()
    CORS(glob_app, origins=[f"http://*.localhost:{port}"])
    by_glob = serve(glob_app)
    result = browser.fetch(by_glob.url("/data"), origin=sub)
    assert_readable(result, by_glob)
    assert result.json()["origin"] == sub
    assert_blocked(browser.fetch(by_glob.url("/data")), by_glob, "no_acao")
    assert_blocked(
        browser.fetch(by_glob.url("/data"), origin=browser.other_origin), by_glob, "no_acao"
    )


def test_dynamic_origin_policy(browser: Browser, serve: Serve) -> None:
    """A callable decides per request; it can change its mind without restarting the app."""
    trusted = {browser.origin}
    asked: list[str] = []

    def is_trusted(origin: str) -> bool:
        asked.append(origin)
        return origin in trusted

    app = echo_app()
    CORS(app, origins=is_trusted, supports_credentials=True, allow_headers=["X-Token"])
    api = serve(app)

    assert_readable(browser.fetch(api.url("/data"), {"credentials": "include"}), api)
    result = browser.fetch(
        api.url("/data"), {"method": "PATCH", "headers": {"X-Token": "1"}, "credentials": "include"}
    )
    assert_readable(result, api)
    assert api.recorder.last("PATCH").response_header("Access-Control-Allow-Origin") == (
        browser.origin
    )
    assert_blocked(
        browser.fetch(api.url("/data"), origin=browser.other_origin),
        api,
        "no_acao",
    )
    assert browser.other_origin in asked

    trusted.add(browser.other_origin)
    assert_readable(browser.fetch(api.url("/data"), origin=browser.other_origin), api)
    trusted.clear()
    assert_blocked(browser.fetch(api.url("/data")), api, "no_acao")
