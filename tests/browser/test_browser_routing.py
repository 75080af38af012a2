"""Where CORS applies: the decorator alone, resource patterns, blueprints, and redirects."""

from __future__ import annotations

import re
from typing import Callable

import pytest
from flask import Blueprint, Flask, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from flask_crossorigin import CORS, cross_origin

from .harness import Browser, Server, assert_blocked, assert_readable

pytestmark = pytest.mark.browser

Serve = Callable[..., Server]


def test_decorator_only_routes(browser: Browser, serve: Serve) -> None:
    """@cross_origin without CORS(app): only the decorated view is shared."""
    app = Flask("e2e_decorator")

    @app.route("/open", methods=["GET", "PUT"])
    @cross_origin(origins=[browser.origin], allow_headers=["X-Token"])
    def open_view() -> dict[str, str]:
        return {"view": "open", "method": request.method}

    @app.route("/closed", methods=["GET", "PUT"])
    def closed_view() -> dict[str, str]:
        return {"view": "closed"}

    api = serve(app)

    assert_readable(browser.fetch(api.url("/open")), api)
    result = browser.fetch(api.url("/open"), {"method": "PUT", "headers": {"X-Token": "1"}})
    assert_readable(result, api)
    assert result.json() == {"view": "open", "method": "PUT"}
    assert api.recorder.preflights("/open")[0].status in (200, 204), api.recorder.dump()

    assert_blocked(
        browser.fetch(api.url("/open"), origin=browser.other_origin),
        api,
        "no_acao",
    )
    assert_blocked(browser.fetch(api.url("/closed")), api, "no_acao")
    assert_blocked(
        browser.fetch(api.url("/closed"), {"method": "PUT", "headers": {"X-Token": "1"}}),
        api,
        "preflight_no_acao",
    )
    assert api.recorder.requests("PUT", "/closed") == [], api.recorder.dump()


def test_decorated_view_behind_an_auth_hook(browser: Browser, serve: Serve) -> None:
    """With ``CORS(app, resources={})`` installing the hooks (the documented way), a decorated
    view's preflights are answered before the app's auth hook, and the hook's 401 is readable.
    (The decorator alone can only act once the view is reached, after the hooks.)"""
    app = Flask("e2e_decorator_auth")
    CORS(app, resources={})

    @app.before_request
    def require_token() -> tuple[str, int] | None:
        if request.headers.get("Authorization") != "Bearer ok":
            return "login first", 401
        return None

    @app.route("/private", methods=["GET", "DELETE"])
    @cross_origin(origins=[browser.origin], allow_headers=["Authorization"])
    def private() -> dict[str, str]:
        return {"method": request.method}

    api = serve(app)

    result = browser.fetch(api.url("/private"))
    assert_readable(result, api, 401)
    assert result.body == "login first"
    result = browser.fetch(
        api.url("/private"), {"method": "DELETE", "headers": {"Authorization": "Bearer ok"}}
    )
    assert_readable(result, api)
    assert result.json() == {"method": "DELETE"}
    assert api.recorder.preflights("/private")[0].status == 204, api.recorder.dump()


def test_resources_patterns(browser: Browser, serve: Serve) -> None:
    app = Flask("e2e_resources")

    @app.route("/api/v1/items", methods=["GET", "POST"])
    def items() -> dict[str, str]:
        return {"where": "api"}

    @app.get("/public/info")
    def info() -> dict[str, str]:
        return {"where": "public"}

    @app.get("/internal/stats")
    def stats() -> dict[str, str]:
        return {"where": "internal"}

    CORS(
        app,
        resources={
            r"/api/*": {"origins": [browser.origin]},
            re.compile(r"/public/.*"): {"origins": "*", "send_wildcard": True},
        },
    )
    api = serve(app)

    result = browser.fetch(
        api.url("/api/v1/items"),
        {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"},
    )
    assert_readable(result, api)
    assert_blocked(
        browser.fetch(api.url("/api/v1/items"), origin=browser.other_origin),
        api,
        "no_acao",
    )

    result = browser.fetch(api.url("/public/info"), origin=browser.other_origin)
    assert_readable(result, api)
    assert (
        api.recorder.last("GET", "/public/info").response_header("Access-Control-Allow-Origin")
        == "*"
    )

    assert_blocked(browser.fetch(api.url("/internal/stats")), api, "no_acao")
    sent = api.recorder.last("GET", "/internal/stats")
    assert sent.response_header("Access-Control-Allow-Origin") is None, api.recorder.dump()


def test_blueprint(browser: Browser, serve: Serve) -> None:
    app = Flask("e2e_blueprint")
    bp = Blueprint("api", __name__, url_prefix="/bp")

    @bp.before_request
    def require_key() -> tuple[str, int] | None:
        if request.headers.get("X-Key") != "k":
            return "no key", 401
        return None

    @bp.route("/things", methods=["GET", "PUT"])
    def things() -> dict[str, str]:
        return {"from": "blueprint", "method": request.method}

    CORS(bp, origins=[browser.origin])
    app.register_blueprint(bp)

    @app.get("/outside")
    def outside() -> dict[str, str]:
        return {"from": "app"}

    api = serve(app)

    # The blueprint's own hook answers 401 to a simple GET, and the page can read it.
    result = browser.fetch(api.url("/bp/things"))
    assert_readable(result, api, 401)
    assert result.body == "no key"
    # A preflighted PUT: the preflight passes the blueprint's hook, the PUT carries the key.
    result = browser.fetch(api.url("/bp/things"), {"method": "PUT", "headers": {"X-Key": "k"}})
    assert_readable(result, api)
    assert result.json() == {"from": "blueprint", "method": "PUT"}
    assert api.recorder.preflights("/bp/things")[0].status == 204, api.recorder.dump()
    assert_blocked(
        browser.fetch(api.url("/bp/things"), origin=browser.other_origin),
        api,
        "no_acao",
    )
    assert_blocked(browser.fetch(api.url("/outside")), api, "no_acao")


def test_redirects(browser: Browser, serve: Serve) -> None:
    """F27/F29: a redirect must carry CORS headers; a cross-origin hop makes the Origin null."""
    landing = Flask("e2e_landing")

    @landing.get("/land")
    def land() -> dict[str, str | None]:
        return {"landed": "yes", "origin": request.headers.get("Origin")}

    CORS(landing, origins=["null"])
    other = serve(landing)

    strict_landing = Flask("e2e_strict_landing")
    strict_landing.add_url_rule("/land", view_func=land)
    CORS(strict_landing, origins=[browser.origin])
    strict = serve(strict_landing)

    app = Flask("e2e_redirects")

    @app.get("/old")
    def old() -> BaseResponse:
        return redirect("/new", 302)

    @app.get("/new")
    def new() -> dict[str, str]:
        return {"page": "new"}

    @app.get("/away")
    def away() -> BaseResponse:
        return redirect(request.args["to"], 307)

    @app.put("/move")
    def move() -> BaseResponse:
        return redirect("/moved", 307)

    @app.put("/moved")
    def moved() -> dict[str, str]:
        return {"moved": request.get_data(as_text=True)}

    CORS(app, origins=[browser.origin])
    api = serve(app)

    # Same-origin redirect inside the API: both hops are CORS-checked and pass.
    result = browser.fetch(api.url("/old"))
    assert_readable(result, api)
    assert result.redirected
    assert result.url == api.url("/new")
    assert result.json() == {"page": "new"}
    hop = api.recorder.last("GET", "/old")
    assert hop.status == 302
    assert hop.response_header("Access-Control-Allow-Origin") == browser.origin

    # A preflighted PUT redirected with 307: each URL is preflighted, the body follows.
    result = browser.fetch(
        api.url("/move"), {"method": "PUT", "headers": {"X-Step": "1"}, "body": "payload"}
    )
    assert_readable(result, api)
    assert result.json() == {"moved": "payload"}
    assert [e.path for e in api.recorder.preflights()] == ["/move", "/moved"], api.recorder.dump()

    # The redirect itself is refused for another origin: the fetch fails before following it.
    result = browser.fetch(api.url("/old"), origin=browser.other_origin)
    assert_blocked(result, api, "no_acao")
    assert len(api.recorder.requests("GET", "/new")) == 1, api.recorder.dump()

    # Cross-origin hop: the second server sees Origin: null and must allow "null".
    result = browser.fetch(api.url("/away?to=" + other.url("/land")))
    assert_readable(result, other)
    assert result.json() == {"landed": "yes", "origin": "null"}
    assert (
        other.recorder.last("GET", "/land").response_header("Access-Control-Allow-Origin") == "null"
    )

    # A server that allows only the page's origin refuses the tainted (null) origin.
    result = browser.fetch(api.url("/away?to=" + strict.url("/land")))
    assert_blocked(result, strict, "")
    assert strict.recorder.last("GET", "/land").header("origin") == "null"
