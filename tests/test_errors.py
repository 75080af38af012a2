"""Error responses keep the CORS headers of their resource (F22, F27, F42), for ``CORS(app)`` and
``@cross_origin`` alike; ``intercept_exceptions=False`` leaves them alone."""

from __future__ import annotations

import pytest
from flask import Flask, Response, abort, request

from flask_crossorigin import CORS, cross_origin

A = "https://a.test"
B = "https://b.test"
EVIL = "https://evil.test"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACEH = "Access-Control-Expose-Headers"

FULL = {ACAO: [A], ACAC: ["true"], ACEH: ["X-Total"]}
OPTIONS = {"origins": [A], "supports_credentials": True, "expose_headers": "X-Total"}


class Teapot(Exception):
    pass


def add_error_routes(app: Flask) -> None:
    @app.route("/api/abort/<int:code>")
    def aborting(code: int) -> str:
        abort(code)

    @app.route("/api/crash")
    def crash() -> str:
        raise RuntimeError("boom")

    @app.route("/api/teapot")
    def teapot() -> str:
        raise Teapot()

    @app.route("/api/slash/")
    def slash() -> str:
        return "slash"

    @app.route("/api/get-only")
    def get_only() -> str:
        return "get"

    @app.route("/api/returned-404")
    def returned() -> tuple[str, int]:
        return "not an exception", 404

    @app.route("/outside/crash")
    def outside_crash() -> str:
        raise RuntimeError("boom")

    @app.errorhandler(Teapot)
    def handle_teapot(_: Teapot) -> tuple[str, int]:
        return "teapot", 418


@pytest.fixture
def cors_error_app(error_app: Flask) -> Flask:
    add_error_routes(error_app)
    CORS(error_app, resources={r"/api/*": OPTIONS})
    return error_app


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 429, 500, 503])
def test_abort_in_view(cors_error_app, grants, vary, code):
    client = cors_error_app.test_client()
    r = client.get(f"/api/abort/{code}", headers={"Origin": A})
    assert r.status_code == code
    assert grants(r) == FULL
    assert vary(r) == ["origin"]
    r = client.get(f"/api/abort/{code}", headers={"Origin": EVIL})
    assert r.status_code == code
    assert grants(r) == {}
    assert vary(r) == ["origin"]


def test_abort_in_before_request(error_app, grants, vary):
    add_error_routes(error_app)

    @error_app.before_request
    def auth() -> None:
        if request.method != "OPTIONS":
            abort(401)

    CORS(error_app, resources={r"/api/*": OPTIONS})
    r = error_app.test_client().get("/api/get-only", headers={"Origin": A})
    assert r.status_code == 401
    assert grants(r) == FULL
    assert vary(r) == ["origin"]


def test_error_handler_response(cors_error_app, grants):
    r = cors_error_app.test_client().get("/api/teapot", headers={"Origin": A})
    assert r.status_code == 418
    assert r.get_data(as_text=True) == "teapot"
    assert grants(r) == FULL


def test_custom_http_error_handler(error_app, grants):
    add_error_routes(error_app)

    @error_app.errorhandler(404)
    def not_found(_: Exception) -> tuple[dict[str, str], int]:
        return {"error": "not found"}, 404

    CORS(error_app, resources={r"/api/*": OPTIONS})
    client = error_app.test_client()
    for path in ("/api/abort/404", "/api/no-such-route"):
        r = client.get(path, headers={"Origin": A})
        assert r.status_code == 404
        assert r.get_json() == {"error": "not found"}
        assert grants(r) == FULL


def test_unhandled_exception_is_a_500_with_headers(cors_error_app, grants, vary):
    r = cors_error_app.test_client().get("/api/crash", headers={"Origin": A})
    assert r.status_code == 500
    assert grants(r) == FULL
    assert vary(r) == ["origin"]


def test_unhandled_exception_with_500_handler(error_app, grants):
    add_error_routes(error_app)

    @error_app.errorhandler(500)
    def server_error(_: Exception) -> tuple[str, int]:
        return "sorry", 500

    CORS(error_app, resources={r"/api/*": OPTIONS})
    r = error_app.test_client().get("/api/crash", headers={"Origin": A})
    assert r.status_code == 500
    assert r.get_data(as_text=True) == "sorry"
    assert grants(r) == FULL


def test_unhandled_exception_outside_resources_has_no_headers(cors_error_app, grants):
    r = cors_error_app.test_client().get("/outside/crash", headers={"Origin": A})
    assert r.status_code == 500
    assert grants(r) == {}


def test_routing_404_inside_and_outside_resources(cors_error_app, grants, vary):
    client = cors_error_app.test_client()
    r = client.get("/api/no-such-route", headers={"Origin": A})
    assert r.status_code == 404
    assert grants(r) == FULL
    assert vary(r) == ["origin"]
    r = client.get("/no-such-route", headers={"Origin": A})
    assert r.status_code == 404
    assert grants(r) == {}


def test_routing_405(cors_error_app, grants, vary):
    r = cors_error_app.test_client().delete("/api/get-only", headers={"Origin": A})
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"]
    assert grants(r) == FULL
    assert vary(r) == ["origin"]


def test_trailing_slash_redirect_carries_headers(cors_error_app, grants):
    r = cors_error_app.test_client().get("/api/slash", headers={"Origin": A})
    assert r.status_code in (301, 308)
    assert r.headers["Location"].endswith("/api/slash/")
    assert grants(r) == FULL  # F27: the CORS check runs on the redirect itself


def test_testing_mode_http_errors_still_get_headers(app, grants):
    add_error_routes(app)
    CORS(app, resources={r"/api/*": OPTIONS})
    r = app.test_client().get("/api/abort/403", headers={"Origin": A})
    assert r.status_code == 403
    assert grants(r) == FULL


# --- intercept_exceptions=False ---------------------------------------------------------------


@pytest.fixture
def quiet_error_app(error_app: Flask) -> Flask:
    add_error_routes(error_app)
    CORS(error_app, resources={r"/api/*": {**OPTIONS, "intercept_exceptions": False}})
    return error_app


# flask-cors 6 (its own tests pin it): intercept_exceptions=False leaves alone only the responses
# of unhandled exceptions; abort(), HTTP errors, routing errors and responses built by error
# handlers keep their resource's headers.
@pytest.mark.parametrize(
    ("method", "path", "status", "covered"),
    [
        ("GET", "/api/abort/404", 404, True),
        ("GET", "/api/abort/401", 401, True),
        ("GET", "/api/crash", 500, False),
        ("GET", "/api/teapot", 418, True),
        ("GET", "/api/no-such-route", 404, True),
        ("DELETE", "/api/get-only", 405, True),
    ],
)
def test_intercept_exceptions_false_leaves_only_unhandled_errors_alone(
    quiet_error_app, grants, method, path, status, covered
):
    r = quiet_error_app.test_client().open(path, method=method, headers={"Origin": A})
    assert r.status_code == status
    assert grants(r) == (FULL if covered else {})


def test_intercept_exceptions_false_with_a_500_handler(quiet_error_app, grants):
    # A handler for 500 turns the unhandled exception into its own response: still unhandled
    # for CORS purposes (Flask sent got_request_exception), so it gets nothing.
    @quiet_error_app.errorhandler(500)
    def server_error(_: Exception) -> tuple[str, int]:
        return "sorry", 500

    r = quiet_error_app.test_client().get("/api/crash", headers={"Origin": A})
    assert (r.status_code, r.get_data(as_text=True)) == (500, "sorry")
    assert grants(r) == {}


def test_intercept_exceptions_false_still_covers_normal_responses(quiet_error_app, grants):
    client = quiet_error_app.test_client()
    assert grants(client.get("/api/get-only", headers={"Origin": A})) == FULL
    r = client.get("/api/returned-404", headers={"Origin": A})  # a 404 the view returned
    assert r.status_code == 404
    assert grants(r) == FULL


# --- the decorator ---------------------------------------------------------------------------


def decorated_error_app(app: Flask, **options: object) -> Flask:
    deco = cross_origin(**{**OPTIONS, **options})

    @app.route("/d/abort")
    @deco
    def d_abort() -> str:
        abort(409)

    @app.route("/d/crash")
    @deco
    def d_crash() -> str:
        raise RuntimeError("boom")

    @app.route("/d/async-crash")
    @deco
    async def d_async_crash() -> str:
        raise RuntimeError("boom")

    @app.route("/d/async-abort")
    @deco
    async def d_async_abort() -> str:
        abort(403)

    @app.route("/d/teapot")
    @deco
    def d_teapot() -> str:
        raise Teapot()

    @app.errorhandler(Teapot)
    def handle_teapot(_: Teapot) -> tuple[str, int]:
        return "teapot", 418

    return app


DECORATED_ERRORS = [
    ("/d/abort", 409),
    ("/d/crash", 500),
    ("/d/async-crash", 500),
    ("/d/async-abort", 403),
    ("/d/teapot", 418),
]


@pytest.mark.parametrize("with_extension", [False, True])
@pytest.mark.parametrize(("path", "status"), DECORATED_ERRORS)
def test_decorated_view_errors_carry_headers(error_app, grants, vary, with_extension, path, status):
    decorated_error_app(error_app)
    if with_extension:
        CORS(error_app, resources={})
    client = error_app.test_client()
    r = client.get(path, headers={"Origin": A})
    assert r.status_code == status
    assert grants(r) == FULL
    assert vary(r) == ["origin"]
    r = client.get(path, headers={"Origin": EVIL})
    assert r.status_code == status
    assert grants(r) == {}


@pytest.mark.parametrize("with_extension", [False, True])
@pytest.mark.parametrize(("path", "status"), DECORATED_ERRORS)
def test_decorated_view_intercept_exceptions_false(error_app, grants, with_extension, path, status):
    decorated_error_app(error_app, intercept_exceptions=False)
    if with_extension:
        CORS(error_app, resources={})
    r = error_app.test_client().get(path, headers={"Origin": A})
    assert r.status_code == status
    # Only the unhandled exceptions (the 500s) lose their headers.
    assert grants(r) == ({} if status == 500 else FULL)


def test_routing_405_on_a_decorated_view_with_cors_app(error_app, grants, vary):
    @error_app.route("/d/get-only")
    @cross_origin(origins=[B], expose_headers="X-Dec")
    def d_get_only() -> str:
        return "get"

    CORS(error_app, resources={})
    client = error_app.test_client()
    r = client.post("/d/get-only", headers={"Origin": B})
    assert r.status_code == 405
    assert grants(r) == {ACAO: [B], ACEH: ["X-Dec"]}
    assert vary(r) == ["origin"]
    r = client.post("/d/get-only", headers={"Origin": A})
    assert r.status_code == 405
    assert grants(r) == {}


def test_decorated_view_error_handler_returning_response_object(error_app, grants):
    @error_app.route("/d/resp")
    @cross_origin(**OPTIONS)
    def d_resp() -> Response:
        abort(Response("custom", status=422))

    r = error_app.test_client().get("/d/resp", headers={"Origin": A})
    assert r.status_code == 422
    assert r.get_data(as_text=True) == "custom"
    assert grants(r) == FULL
