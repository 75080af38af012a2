"""The WSGI preflight shortcut answers as the before_request hook does, only where unobservable.

Two apps with the same policy differ only in a no-op ``after_request`` hook, which keeps the
shortcut off (the hook must run on every response). Their answers must be identical.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask, Response

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.extension import EXTENSION_KEY, CORSMiddleware

POLICY: dict[str, Any] = {
    "resources": {
        r"/api/*": {
            "origins": ["https://app.example.com", "https://*.example.org"],
            "supports_credentials": True,
            "allow_headers": ["Content-Type", "X-Token"],
            "max_age": 600,
            "allow_private_network": True,
        },
        r"/open/*": {"origins": "*", "send_wildcard": True},
    }
}

PREFLIGHTS = [
    # allowed, with credentials and requested headers (F13, F17)
    {
        "Origin": "https://app.example.com",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type,x-token",
    },
    # glob origin, private network requested
    {
        "Origin": "https://a.b.example.org",
        "Access-Control-Request-Method": "DELETE",
        "Access-Control-Request-Private-Network": "true",
    },
    # refused origin (F37)
    {"Origin": "https://evil.example.net", "Access-Control-Request-Method": "PUT"},
    # refused header
    {
        "Origin": "https://app.example.com",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization",
    },
    # method must match exactly (F7)
    {"Origin": "https://app.example.com", "Access-Control-Request-Method": "put"},
    # malformed origin
    {"Origin": "https://app.example.com\x00", "Access-Control-Request-Method": "GET"},
]
PATHS = ["/api/items", "/api/items/", "/api", "/api/../api/x", "/open/x", "/elsewhere"]


def make_app(observed: bool) -> Flask:
    app = Flask(__name__)
    CORS(app, **POLICY)

    @app.route("/api/items", methods=["GET", "PUT", "DELETE"])
    def items() -> str:
        return "items"

    if observed:

        @app.after_request
        def noop(response: Response) -> Response:
            return response

    return app


def answer(app: Flask, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
    response = app.test_client().open(path, method="OPTIONS", headers=headers)
    return response.status_code, sorted(response.headers.items())


@pytest.mark.parametrize("headers", PREFLIGHTS)
@pytest.mark.parametrize("path", PATHS)
def test_shortcut_answers_like_the_hook(path: str, headers: dict[str, str]) -> None:
    fast, slow = make_app(observed=False), make_app(observed=True)
    assert answer(fast, path, headers) == answer(slow, path, headers)
    assert fast.extensions[EXTENSION_KEY].mode()[1] is True
    assert slow.extensions[EXTENSION_KEY].mode()[1] is False


def test_shortcut_really_skips_flask() -> None:
    app = make_app(observed=False)
    calls: list[str] = []
    app.before_request(lambda: calls.append("before") and None)
    response = app.test_client().options(
        "/api/items",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status_code == 204
    assert calls == []  # answered below Flask: no hook ran
    assert isinstance(app.wsgi_app, CORSMiddleware)


def test_shortcut_not_used_with_blueprint_or_decorator_policies() -> None:
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": {"origins": "https://app.example.com"}})
    bp = Blueprint("bp", __name__)
    CORS(bp, origins="https://bp.example.com")

    @bp.get("/bp")
    def in_blueprint() -> str:
        return "bp"

    app.register_blueprint(bp)
    assert app.extensions[EXTENSION_KEY].mode()[1] is False

    app2 = Flask(__name__)
    CORS(app2)

    @app2.get("/view")
    @cross_origin(origins="https://view.example.com")
    def view() -> str:
        return "view"

    assert app2.extensions[EXTENSION_KEY].mode()[1] is False
    response = app2.test_client().options(
        "/view",
        headers={"Origin": "https://other.example.com", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 403  # the decorator's policy, found through Flask's routing


def test_not_installed_in_front_of_an_earlier_middleware() -> None:
    app = Flask(__name__)
    inner = app.wsgi_app

    def middleware(environ: dict[str, Any], start_response: Any) -> Any:
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    CORS(app)
    assert app.wsgi_app is middleware
    response = app.test_client().options(
        "/anything",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204


def test_init_twice_wraps_once() -> None:
    app = Flask(__name__)
    CORS(app)
    CORS(app, origins="https://app.example.com")
    assert isinstance(app.wsgi_app, CORSMiddleware)
    assert not isinstance(app.wsgi_app.wsgi_app, CORSMiddleware)
    # The hooks are installed only once an app turns out to need them; this one never does.
    assert app.after_request_funcs.get(None, []) == []
    assert app.before_request_funcs.get(None, []) == []
    headers = {"Origin": "https://app.example.com"}
    assert app.test_client().get("/", headers=headers).headers["Access-Control-Allow-Origin"]
    assert app.after_request_funcs.get(None, []) == []


def test_before_request_hook_installed_when_needed_and_only_once() -> None:
    app = make_app(observed=True)
    CORS(app, **POLICY)
    headers = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"}
    for _ in range(3):
        assert app.test_client().options("/api/items", headers=headers).status_code == 204
    state = app.extensions[EXTENSION_KEY]
    assert app.before_request_funcs[None].count(state._before_request) == 1
    assert app.before_request_funcs[None][0] == state._before_request


# -- ordinary responses: headers added below Flask equal those the after_request hook adds ------

ACTUAL_POLICY: dict[str, Any] = {
    "resources": {
        r"/api/*": {
            "origins": ["https://app.example.com", "https://*.example.org"],
            "supports_credentials": True,
            "expose_headers": ["X-Total"],
        },
        r"/quiet/*": {"origins": ["https://app.example.com"], "intercept_exceptions": False},
        r"/open/*": {"origins": "*", "send_wildcard": True},
    }
}
ORIGINS = [None, "https://app.example.com", "https://a.example.org", "https://evil.test", "null"]
ACTUAL_PATHS = [
    "/api/items",  # a view
    "/api/own",  # a view that sets its own ACAO and Vary
    "/api/boom",  # an unhandled exception: 500 (F22, F42)
    "/api/missing",  # routing 404
    "/quiet/boom",  # intercept_exceptions=False: the 500 gets nothing
    "/quiet/items",
    "/open/x",  # routing 404 inside a wildcard resource
    "/elsewhere",  # no policy
]


def make_actual_app(hooks_only: bool) -> Flask:
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    if hooks_only:
        inner = app.wsgi_app

        def middleware(environ: dict[str, Any], start_response: Any) -> Any:
            return inner(environ, start_response)

        app.wsgi_app = middleware  # type: ignore[method-assign]
    CORS(app, **ACTUAL_POLICY)

    @app.route("/api/items", methods=["GET", "POST"])
    @app.route("/quiet/items")
    def items() -> str:
        return "items"

    @app.get("/api/own")
    def own() -> Response:
        return Response("own", headers={"Access-Control-Allow-Origin": "*", "Vary": "Accept"})

    @app.get("/api/boom")
    @app.get("/quiet/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    return app


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("path", ACTUAL_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "OPTIONS"])
def test_headers_below_flask_equal_the_hooks(path: str, origin: str | None, method: str) -> None:
    below, hooks = make_actual_app(hooks_only=False), make_actual_app(hooks_only=True)
    headers = {} if origin is None else {"Origin": origin}
    answers = [
        (r.status_code, sorted(r.headers.items()))
        for r in (
            app.test_client().open(path, method=method, headers=headers) for app in (below, hooks)
        )
    ]
    assert answers[0] == answers[1]
    assert below.extensions[EXTENSION_KEY].mode() == (True, True)
    assert hooks.extensions[EXTENSION_KEY].mode() == (False, False)
    assert below.after_request_funcs.get(None, []) == []  # no Flask hook was needed
