"""The diagnosis library (flask_crossorigin.diagnosis): a structured verdict with a typed source,
the same one ``flask cors check`` prints and the playground shows."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin._sources import SourceKind
from flask_crossorigin.diagnosis import DiagnosisError, check, coverage, routes

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
