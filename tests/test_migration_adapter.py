"""Moving over without surprises: the adapter's items of the migration issue.

Item 1: views that declare ``OPTIONS`` answer their own preflights (an app shaped like moto's
server, and one shaped like the auth-hook case). Item 3: one misconfigured view does not take the
whole app down. Item 4: ``@cross_origin`` written above ``@app.route`` is found and said. Item 6
(in part): ``CORS(blueprint)`` after the blueprint was registered says what to do.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, request

from flask_crossorigin import CORS, ConfigError, cross_origin
from flask_crossorigin._adapter import plan_of
from flask_crossorigin.diagnosis import DiagnosisError, routes
from flask_crossorigin.testing import check

PAGE = "https://app.example"
OTHER = "https://other.example"
ACAO = "Access-Control-Allow-Origin"
ACAM = "Access-Control-Allow-Methods"
ACMA = "Access-Control-Max-Age"


def _preflight(client: Any, path: str, origin: str, method: str = "PUT") -> Any:
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method})


# -- item 1: an app shaped like moto's server ----------------------------------------------------

#: Each "bucket" has its own CORS rules, as S3 does; a missing bucket answers 403.
BUCKETS = {"photos": {"origins": [PAGE], "methods": ["GET", "PUT"], "max_age": 300}}
ALL = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS"]


def moto_like() -> Flask:
    """Every route lists OPTIONS (as moto's does); the bucket view answers preflights from the
    bucket's own rules, the health view does not (it answers OPTIONS with its ordinary body)."""
    app = Flask(__name__)

    @app.route("/<bucket>/<path:key>", methods=ALL)
    def s3_object(bucket: str, key: str) -> Any:
        if request.method == "OPTIONS":
            rules = BUCKETS.get(bucket)
            if rules is None:
                return "", 403  # a missing bucket: no CORS headers at all
            origin = request.headers.get("Origin", "")
            if origin not in rules["origins"]:
                return "", 403
            return Response(
                status=200,
                headers={
                    ACAO: origin,
                    ACAM: ", ".join(rules["methods"]),
                    ACMA: str(rules["max_age"]),
                },
            )
        return f"{bucket}/{key}"

    @app.route("/health", methods=["GET", "OPTIONS"])
    def health() -> str:
        return "ok"

    CORS(app)  # as moto's server does: any origin
    return app


def test_item_1_a_view_that_answers_its_preflights_keeps_answering_them() -> None:
    """Migration issue item 1 (moto): the bucket's own rules decide; a missing bucket is 403."""
    client = moto_like().test_client()
    ok = _preflight(client, "/photos/a.jpg", PAGE)
    assert ok.status_code == 200
    assert ok.headers.getlist(ACAO) == [PAGE]
    assert ok.headers[ACAM] == "GET, PUT"  # the bucket's, not the policy's
    assert ok.headers[ACMA] == "300"
    assert "Origin" in ok.headers.get("Vary", "")  # only Vary is added
    missing = _preflight(client, "/nobucket/a.jpg", PAGE)
    assert missing.status_code == 403
    refused = _preflight(client, "/photos/a.jpg", OTHER)
    assert refused.status_code == 403


def test_item_1_an_answer_without_cors_headers_gets_the_policys_merged_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Migration issue item 1: a view's ordinary answer to a preflight (no ACAO) gets this
    policy's preflight headers merged, as flask-cors does; a WARNING says so once per endpoint
    and how to choose; the missing bucket's 403 keeps its status."""
    client = moto_like().test_client()
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        for _ in range(3):
            health = _preflight(client, "/health", OTHER)
            assert health.status_code == 200
            assert health.headers[ACAO] == OTHER  # the policy (any origin) grants it
            assert health.data == b"ok"
        missing = _preflight(client, "/nobucket/a.jpg", PAGE)
    assert missing.status_code == 403
    warned = [r.getMessage() for r in caplog.records if "declares OPTIONS" in r.getMessage()]
    assert len(warned) == 2  # once for /health's endpoint, once for s3_object's
    assert "remove OPTIONS from the route's methods" in warned[0]
    assert "'health'" in warned[0]


def test_item_1_flask_cors_routes_shows_the_views_that_answer_their_own_preflights() -> None:
    """Migration issue item 1: ``flask cors routes`` says which views answer their preflights."""
    rows = {row["endpoint"]: row for row in routes(moto_like())}
    assert any("answers its own preflights" in note for note in rows["health"]["notes"])
    assert any("answers its own preflights" in note for note in rows["s3_object"]["notes"])


# -- item 1: the auth-hook case -------------------------------------------------------------------


def auth_hooked(*, list_options: bool) -> Flask:
    app = Flask(__name__)

    @app.before_request
    def need_token() -> Any:
        if request.headers.get("Authorization") != "Bearer t":
            return "login first", 401
        return None

    methods = ["GET", "PUT", "OPTIONS"] if list_options else ["GET", "PUT"]

    @app.route("/api/items", methods=methods)
    def items() -> str:
        return "items"

    CORS(app, origins=[PAGE])
    return app


def test_item_1_routes_without_options_are_answered_before_the_auth_hook() -> None:
    """Migration issue item 1: the fix we keep: no OPTIONS in the methods, the preflight is
    answered before the app's before_request hooks (F36)."""
    response = _preflight(auth_hooked(list_options=False).test_client(), "/api/items", PAGE)
    assert response.status_code == 204
    assert response.headers[ACAO] == PAGE


def test_item_1_routes_listing_options_get_the_hooks_answer_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Migration issue item 1: listing OPTIONS means the app answers (here its hook's 401, as
    under flask-cors): the policy's headers are merged, and the WARNING says to remove OPTIONS
    to have the preflight answered before the hook."""
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        response = _preflight(auth_hooked(list_options=True).test_client(), "/api/items", PAGE)
    assert response.status_code == 401
    assert response.headers[ACAO] == PAGE
    warned = [r.getMessage() for r in caplog.records if "declares OPTIONS" in r.getMessage()]
    assert len(warned) == 1 and "(401" in warned[0]


def test_item_1_decorated_views_are_still_answered_by_the_extension() -> None:
    """Migration issue item 1: ``@cross_origin``'s own OPTIONS handling is not the view's."""
    app = Flask(__name__)

    @app.route("/v", methods=["PUT"])
    @cross_origin(origins=[PAGE])
    def v() -> str:
        return "v"

    CORS(app, resources={})
    assert not plan_of(app).own_options
    assert _preflight(app.test_client(), "/v", PAGE).status_code == 204


# -- item 3: one misconfigured view ---------------------------------------------------------------


def broken_app() -> Flask:
    app = Flask(__name__)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    CORS(app)  # the usual layout: before the routes

    @app.get("/health")
    def health() -> str:
        return "ok"

    @app.get("/me")
    @cross_origin(supports_credentials=True)  # no origins: credentials with any origin
    def me() -> str:
        return "me"

    @app.get("/items")
    @cross_origin(origins=[PAGE])
    def items() -> str:
        return "items"

    return app


def test_item_3_only_the_misconfigured_view_answers_500(caplog: pytest.LogCaptureFixture) -> None:
    """Migration issue item 3: the broken view answers 500 with its ConfigError logged at ERROR,
    naming the view; every other route keeps working."""
    client = broken_app().test_client()
    with caplog.at_level(logging.ERROR):
        for _ in range(2):
            assert client.get("/health", headers={"Origin": PAGE}).status_code == 200
            items = client.get("/items", headers={"Origin": PAGE})
            assert (items.status_code, items.headers.get(ACAO)) == (200, PAGE)
            assert client.get("/me", headers={"Origin": PAGE}).status_code == 500
            assert _preflight(client, "/items", PAGE, "GET").status_code == 204
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    ours = [r.getMessage() for r in errors if r.name == "flask_crossorigin"]
    assert len(ours) == 1 and "view 'me'" in ours[0] and "cors.E020" in ours[0]
    assert "answers 500" in ours[0]


def test_item_3_the_error_is_reported_as_early_as_flask_allows() -> None:
    """Migration issue item 3: at CORS(app) for views already registered, and by the tools."""
    app = Flask(__name__)

    @app.get("/me")
    @cross_origin(supports_credentials=True)
    def me() -> str:
        return "me"

    with pytest.raises(ConfigError, match="view 'me'"):
        CORS(app)
    later = broken_app()
    with pytest.raises(DiagnosisError, match="view 'me'"):
        routes(later)
    with pytest.raises(ConfigError, match="view 'me'"):
        check(later, "/me", origin=PAGE)


# -- item 4: @cross_origin above @app.route --------------------------------------------------------


def test_item_4_a_decorator_above_the_route_is_found_and_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Migration issue item 4: Flask registered the undecorated function; a WARNING says so when
    first seen, and ``flask cors routes`` says what to move."""
    app = Flask(__name__)

    @cross_origin(origins=[PAGE])
    @app.get("/upside-down")
    def upside_down() -> str:
        return "x"

    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        for _ in range(2):
            response = app.test_client().get("/upside-down", headers={"Origin": PAGE})
            assert ACAO not in response.headers  # as under flask-cors: the decorator never ran
        CORS(app, origins=[OTHER])
    warned = [r.getMessage() for r in caplog.records if "above @app.route" in r.getMessage()]
    assert len(warned) == 1 and "'upside_down'" in warned[0]
    rows = {row["endpoint"]: row for row in routes(app)}
    assert any("above @app.route" in note for note in rows["upside_down"]["notes"])
    verdict = check(app, "/upside-down", origin=PAGE)
    assert verdict.fix is not None and "below @app.route" in verdict.fix


def test_item_4_a_decorator_below_the_route_is_not_flagged() -> None:
    """Migration issue item 4: the usual order says nothing."""
    app = Flask(__name__)

    @app.get("/right")
    @cross_origin(origins=[PAGE])
    def right() -> str:
        return "x"

    assert plan_of(app).misplaced == []
    assert app.test_client().get("/right", headers={"Origin": PAGE}).headers[ACAO] == PAGE


# -- item 6: CORS(blueprint) after registration --


def test_item_6_cors_on_a_registered_blueprint_says_what_to_do() -> None:
    """Migration issue item 6: not Flask's bare 'record' assertion, but the fix."""
    app = Flask(__name__)
    bp = Blueprint("shop", __name__, url_prefix="/shop")
    app.register_blueprint(bp)
    with pytest.raises(TypeError, match=r"before app\.register_blueprint\(blueprint\)") as info:
        CORS(bp)
    assert "resources={r'/shop/*'" in str(info.value)
