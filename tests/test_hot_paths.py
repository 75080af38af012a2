"""The shortcuts taken on the per-request paths give exactly the answers of the general path.

The decorator used alone writes its headers as the response starts (through the middleware it
installs, or from Flask's ``request_finished`` on its first request), and the middleware answers
path-independent endpoints with one lookup. Each test here runs a case the shortcut takes next to
one it must leave to the general path, and checks the responses are what the general rule
produces.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Blueprint, Flask, Response

from flask_crossorigin import CORS, cors_refused, cross_origin
from flask_crossorigin._adapter import plan_of
from flask_crossorigin.resources import ResourceTable

A = "https://app.example.com"
B = "https://evil.example.net"


def _plain_app(body: Any) -> Flask:
    app = Flask(__name__)

    @app.get("/plain")
    def plain() -> Any:
        return body

    @app.get("/v")
    @cross_origin(origins=[A])
    def v() -> Any:
        return body

    return app


@pytest.mark.parametrize("body", ["text", b"bytes", "é"])
def test_a_body_gets_the_response_make_response_makes_plus_the_grant(body: Any) -> None:
    app = _plain_app(body)
    client = app.test_client()
    for _ in range(3):  # the first request compiles the view's policy, later ones reuse it
        plain = client.get("/plain", headers={"Origin": A})
        cors = client.get("/v", headers={"Origin": A})
        assert cors.status == plain.status
        assert cors.data == plain.data
        assert cors.headers["Content-Type"] == plain.headers["Content-Type"]
        assert cors.headers["Content-Length"] == plain.headers["Content-Length"]
        assert cors.headers.getlist("Access-Control-Allow-Origin") == [A]
        assert cors.headers.getlist("Vary") == ["Origin"]


def test_a_refused_origin_on_the_shortest_path_is_still_reported() -> None:
    app = _plain_app("x")
    client = app.test_client()
    client.get("/v", headers={"Origin": A})  # probe
    seen: list[str] = []

    def receiver(sender: Flask, **kwargs: Any) -> None:
        seen.append(kwargs["reason"])

    cors_refused.connect(receiver, sender=app, weak=False)
    try:
        refused = client.get("/v", headers={"Origin": B})
    finally:
        cors_refused.disconnect(receiver, sender=app)
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert refused.headers.getlist("Vary") == ["Origin"]
    assert seen == ["origin_not_allowed"]


def test_debug_logging_switched_on_later_is_honoured(caplog: pytest.LogCaptureFixture) -> None:
    app = _plain_app("x")
    client = app.test_client()
    client.get("/v", headers={"Origin": A})
    client.get("/v", headers={"Origin": A})  # logging's cache now says DEBUG is off
    caplog.set_level(logging.DEBUG, logger="flask_crossorigin")  # clears that cache
    response = client.get("/v", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert any('CORS request "GET" "/v": allowed' in r.getMessage() for r in caplog.records)


class VaryingResponse(Response):
    """A response class that starts with a Vary of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "Vary" not in self.headers:  # (the test client rebuilds responses with this class)
            self.headers["Vary"] = "Accept-Language"


class PickyResponse(Response):
    """A response class that cannot be built from an empty body."""

    def __init__(self, response: Any = None, *args: Any, **kwargs: Any) -> None:
        if response == "":
            raise ValueError("no empty bodies here")
        super().__init__(response, *args, **kwargs)


def test_a_response_class_with_its_own_vary_is_merged_not_appended() -> None:
    app = _plain_app("x")
    app.response_class = VaryingResponse
    client = app.test_client()
    for _ in range(3):
        response = client.get("/v", headers={"Origin": A})
        assert response.headers.getlist("Vary") == ["Accept-Language, Origin"]
        assert response.headers.getlist("Access-Control-Allow-Origin") == [A]


def test_a_response_class_the_probe_cannot_build_takes_the_general_path() -> None:
    app = _plain_app("x")
    app.response_class = PickyResponse
    client = app.test_client()
    for _ in range(2):
        response = client.get("/v", headers={"Origin": A})
        assert response.headers.getlist("Access-Control-Allow-Origin") == [A]
        assert response.data == b"x"


# -- the middleware's endpoint shortcut ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "everywhere"),
    [("*", True), ("/*", True), ("/api/*", False), ("/", False), (".*", False), ("/x", False)],
)
def test_a_table_knows_when_one_row_covers_every_path(pattern: str, everywhere: bool) -> None:
    table = ResourceTable([(pattern, "policy", "label")])
    assert (table.everywhere == "policy") is everywhere
    if everywhere:
        for path in ("/", "/a", "/a/b/../c", "/%2e%2e"):
            row = table.match(path)
            assert row is not None and row.value == table.everywhere
    assert ResourceTable([("*", 1, "a"), ("/api/*", 2, "b")]).everywhere is None


def test_path_independent_endpoints_answer_from_the_memo_and_follow_changes() -> None:
    app = Flask(__name__)
    shop = Blueprint("shop", __name__)
    api = Blueprint("api", __name__)

    @shop.get("/items")
    def items() -> str:
        return "items"

    @api.get("/a/open")
    def open_() -> str:
        return "open"

    @api.get("/a/closed")
    def closed() -> str:
        return "closed"

    CORS(shop, origins=[A])  # the default resources: every path of the blueprint
    CORS(api, resources={"/a/open": {"origins": [A]}})  # depends on the path
    app.register_blueprint(shop)
    app.register_blueprint(api)
    client = app.test_client()
    for _ in range(2):
        assert client.get("/items", headers={"Origin": A}).headers["Vary"] == "Origin"
        assert client.get("/items", headers={"Origin": A}).access_control_allow_origin == A
        assert client.get("/a/open", headers={"Origin": A}).access_control_allow_origin == A
        closed_response = client.get("/a/closed", headers={"Origin": A})
        assert "Access-Control-Allow-Origin" not in closed_response.headers
    plan = plan_of(app)
    assert "shop.items" in plan.fixed and "api.open_" not in plan.fixed
    # A new policy for the app builds a new plan: nothing derived from the old one is kept.
    CORS(app, origins=[B])
    assert plan_of(app) is not plan
    assert "shop.items" in plan_of(app).fixed
    assert client.get("/items", headers={"Origin": A}).access_control_allow_origin == A
    assert client.get("/a/closed", headers={"Origin": B}).access_control_allow_origin == B


# -- the general paths next to the shortcuts ------------------------------------------------------


def test_a_plain_options_request_to_a_failing_view_still_gets_the_headers() -> None:
    from flask import abort

    app = Flask(__name__)

    @app.route("/v", methods=["GET", "OPTIONS"])
    @cross_origin(origins=[A], automatic_options=False)
    def v() -> str:
        abort(418)

    response = app.test_client().options("/v", headers={"Origin": A})  # not a preflight
    assert response.status_code == 418
    assert response.headers["Access-Control-Allow-Origin"] == A


def test_an_app_whose_middleware_has_no_policy_for_the_request_adds_nothing() -> None:
    app = Flask(__name__)
    plan = plan_of(app)  # a plan with no table, no blueprint and no decorated view
    with app.test_request_context("/x", headers={"Origin": A}):
        from flask import request

        assert plan.resolve_request(request) is None
