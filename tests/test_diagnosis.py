"""The diagnosis library (flask_crossorigin.diagnosis): a structured verdict with a typed source,
the same one ``flask cors check`` prints and the playground shows."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask, request

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin._sources import SourceKind
from flask_crossorigin.diagnosis import (
    DiagnosisError,
    body_and_type,
    check,
    coverage,
    routes,
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
