"""The one request path: what the middleware sends equals what the core decides.

Every answer is compared with a decision taken directly from the core (``build_policy`` and
``Policy.decide``, no Flask), and the same policy reached three ways (a path-only resource
table, a ``CORS(blueprint)``, a ``@cross_origin`` view, which need Flask's routing) must answer
identically. Rule ids refer to docs/fetch-rules.md.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Blueprint, Flask, Response

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.extension import CORSMiddleware
from flask_crossorigin.options import build_policy, check_names, merge
from flask_crossorigin.policy import Policy, RequestFacts

API: dict[str, Any] = {
    "origins": ["https://app.example.com", "https://*.example.org"],
    "supports_credentials": True,
    "allow_headers": ["Content-Type", "X-Token"],
    "max_age": 600,
    "allow_private_network": True,
    "expose_headers": ["X-Total"],
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
ORIGINS = [None, "https://app.example.com", "https://a.example.org", "https://evil.test", "null"]


def core_policy() -> Policy:
    return build_policy(merge(check_names(API, allowed=frozenset(API), where="test")))


def cors_headers(headers: Any) -> list[tuple[str, str]]:
    wanted = ("access-control-", "x-cors-refusal")
    return sorted((n.lower(), v) for n, v in headers.items() if n.lower().startswith(wanted))


def make_app(how: str, *, observed: bool = False) -> Flask:
    """The same policy on /api/items, set as a resource, a blueprint policy or a decorator."""
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    if how == "resource":
        CORS(app, resources={r"/api/*": API})
    bp = Blueprint("api", __name__, url_prefix="/api")
    if how == "blueprint":
        CORS(bp, **API)

    def items() -> str:
        return "items"

    def boom() -> str:
        raise RuntimeError("boom")

    if how == "decorator":
        CORS(app, resources={r"/nothing/*": {}})
        items, boom = cross_origin(**API)(items), cross_origin(**API)(boom)
    bp.add_url_rule("/items", view_func=items, methods=["GET", "PUT", "DELETE"])
    bp.add_url_rule("/boom", view_func=boom)
    app.register_blueprint(bp)
    if observed:

        @app.after_request
        def noop(response: Response) -> Response:
            return response

    return app


HOWS = ["resource", "blueprint", "decorator"]


@pytest.mark.parametrize("headers", PREFLIGHTS)
@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("observed", [False, True])
def test_preflight_answer_is_the_core_decision(
    how: str, observed: bool, headers: dict[str, str]
) -> None:
    app = make_app(how, observed=observed)
    response = app.test_client().open("/api/items", method="OPTIONS", headers=headers)
    decision = core_policy().decide(
        RequestFacts(
            "OPTIONS",
            "/api/items",
            headers["Origin"],
            headers["Access-Control-Request-Method"],
            headers.get("Access-Control-Request-Headers"),
            headers.get("Access-Control-Request-Private-Network"),
        )
    )
    assert response.status_code == (204 if decision.allowed else 403)  # F37
    assert cors_headers(response.headers) == sorted((n.lower(), v) for n, v in decision.headers)
    vary = [item.strip() for item in response.headers.get("Vary", "").split(",") if item.strip()]
    assert vary == list(decision.vary)


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("path", ["/api/items", "/api/boom"])
@pytest.mark.parametrize("how", HOWS)
def test_actual_response_headers_are_the_core_decision(how: str, path: str, origin: str) -> None:
    app = make_app(how)
    headers = {} if origin is None else {"Origin": origin}
    response = app.test_client().get(path, headers=headers)
    assert response.status_code == (200 if path == "/api/items" else 500)  # F22: 500s covered
    decision = core_policy().actual(origin)
    assert cors_headers(response.headers) == sorted((n.lower(), v) for n, v in decision.headers)


def test_preflight_is_answered_before_flask() -> None:
    app = make_app("blueprint")
    calls: list[str] = []
    app.before_request(lambda: calls.append("before") and None)
    response = app.test_client().options(
        "/api/items",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status_code == 204
    assert calls == []  # answered in the middleware: no hook ran
    assert isinstance(app.wsgi_app, CORSMiddleware)


@pytest.mark.parametrize("with_extension", [True, False])
def test_preflight_takes_the_policy_of_the_view_serving_the_requested_method(
    with_extension: bool,
) -> None:
    # flask-cors issue #280: GET and POST /graphql are two functions with their own policies.
    app = Flask(__name__)
    if with_extension:
        CORS(app, resources={r"/other/*": {}})

    @app.get("/graphql")
    @cross_origin(origins="https://other.example.com")
    def graphql_get() -> str:
        return "get"

    @app.post("/graphql")
    @cross_origin(origins="https://app.example.com")
    def graphql_post() -> str:
        return "post"

    client = app.test_client()
    headers = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    response = client.options("/graphql", headers=headers)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    post = client.post("/graphql", headers={"Origin": "https://app.example.com"})
    assert post.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    # The GET view's policy does not allow this origin: its preflight is refused.
    headers["Access-Control-Request-Method"] = "GET"
    refused = client.options("/graphql", headers=headers)
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_installed_in_front_of_an_earlier_middleware_too() -> None:
    app = Flask(__name__)
    inner = app.wsgi_app
    seen: list[str] = []

    def middleware(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    CORS(app)
    assert isinstance(app.wsgi_app, CORSMiddleware) and app.wsgi_app.wsgi_app is middleware
    client = app.test_client()
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}
    assert client.options("/anything", headers=preflight).status_code == 204
    assert seen == []  # answered before the inner middleware
    r = client.get("/anything", headers={"Origin": "https://app.example.com"})
    assert r.status_code == 404 and r.headers["Access-Control-Allow-Origin"]
    assert seen == ["/anything"]


def test_cors_twice_wraps_once_and_warns_when_the_configuration_changes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Flask(__name__)
    CORS(app)
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        CORS(app)  # the same configuration: nothing to say
        assert caplog.records == []
        CORS(app, origins="https://app.example.com")
    assert isinstance(app.wsgi_app, CORSMiddleware)
    assert not isinstance(app.wsgi_app.wsgi_app, CORSMiddleware)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "replaces the first" in caplog.records[0].getMessage()
    # No Flask hook is ever installed: everything happens in the middleware.
    assert app.after_request_funcs.get(None, []) == []
    assert app.before_request_funcs.get(None, []) == []
    client = app.test_client()
    assert (
        client.get("/", headers={"Origin": "https://evil.test"}).headers.get(
            "Access-Control-Allow-Origin"
        )
        is None
    )  # the second policy replaced the first (any origin)
    granted = client.get("/", headers={"Origin": "https://app.example.com"})
    assert granted.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
