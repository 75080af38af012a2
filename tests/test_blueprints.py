"""``CORS(blueprint)``: a blueprint's policy covers only its own routes. Rule ids refer to
docs/fetch-rules.md."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, Response, abort, request

from flask_crossorigin import CORS, ConfigError, cross_origin

A = "https://a.test"
B = "https://b.test"
C = "https://c.test"
EVIL = "https://evil.test"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"


def make_blueprint(name: str = "api", calls: list[str] | None = None) -> Blueprint:
    bp = Blueprint(name, __name__)

    @bp.route("/items", methods=["GET", "POST"])
    def items() -> str:
        if calls is not None:
            calls.append(request.method)
        return "items"

    @bp.route("/missing")
    def missing() -> str:
        abort(404)

    return bp


def make_app(bp: Blueprint, **register: object) -> Flask:
    app = Flask(__name__)

    @app.route("/plain")
    def plain() -> str:
        return "plain"

    @app.route("/api/not-in-blueprint")
    def not_in_blueprint() -> str:
        return "app"

    app.register_blueprint(bp, **register)  # type: ignore[arg-type]
    return app


def test_blueprint_policy_covers_only_its_routes(grants, vary, preflight):
    bp = make_blueprint()
    CORS(bp, origins=[A])
    app = make_app(bp, url_prefix="/api")
    client = app.test_client()
    r = client.get("/api/items", headers={"Origin": A})
    assert grants(r) == {ACAO: [A]}
    assert vary(r) == ["origin"]
    assert grants(client.get("/api/items", headers={"Origin": EVIL})) == {}
    # App routes, even under the blueprint's prefix, are not covered.
    for path in ("/plain", "/api/not-in-blueprint"):
        r = client.get(path, headers={"Origin": A})
        assert r.status_code == 200
        assert grants(r) == {}
        assert "origin" not in vary(r)
        r = preflight(client, path, A, "GET")
        assert r.status_code == 200  # Flask's automatic OPTIONS, no grant
        assert grants(r) == {}
    r = preflight(client, "/api/items", A, "POST", "content-type")
    assert r.status_code == 204
    assert grants(r) == {
        ACAO: [A],
        ACAM: ["GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"],
        ACAH: ["content-type"],
    }


def hook_counts(app: Flask) -> tuple[int, int]:
    return (
        sum(len(funcs) for funcs in app.before_request_funcs.values()),
        sum(len(funcs) for funcs in app.after_request_funcs.values()),
    )


def test_cors_blueprint_alone_installs_hooks_once(grants, vary, preflight):
    bp = make_blueprint()
    CORS(bp, origins=[A])
    app = make_app(bp, url_prefix="/v1")
    counts = hook_counts(app)
    app.register_blueprint(bp, url_prefix="/v2", name="api_v2")
    CORS(app, resources={})
    assert hook_counts(app) == counts
    client = app.test_client()
    for prefix in ("/v1", "/v2"):
        r = client.get(f"{prefix}/items", headers={"Origin": A})
        assert r.headers.getlist(ACAO) == [A]
        assert vary(r) == ["origin"]
        r = preflight(client, f"{prefix}/items", A, "POST")
        assert r.status_code == 204
        assert r.headers.getlist(ACAO) == [A]
    # The app has no hooks of its own: whatever is there is ours, once.
    before, after = hook_counts(app)
    assert before <= 1
    assert after <= 1


def test_blueprint_and_app_policies_side_by_side(grants, preflight):
    bp = make_blueprint()
    CORS(bp, origins=[B], supports_credentials=True)
    app = make_app(bp, url_prefix="/api")
    CORS(app, origins=[A], expose_headers="X-App")
    client = app.test_client()
    assert grants(client.get("/api/items", headers={"Origin": B})) == {ACAO: [B], ACAC: ["true"]}
    assert grants(client.get("/api/items", headers={"Origin": A})) == {}
    assert grants(client.get("/plain", headers={"Origin": A})) == {ACAO: [A], ACEH: ["X-App"]}
    assert grants(client.get("/plain", headers={"Origin": B})) == {}
    assert preflight(client, "/api/items", A, "POST").status_code == 403
    assert preflight(client, "/api/items", B, "POST").status_code == 204


def test_cors_app_before_blueprint_registration(grants):
    bp = make_blueprint()
    CORS(bp, origins=[B])
    app = Flask(__name__)
    CORS(app, origins=[A])
    app.register_blueprint(bp, url_prefix="/api")
    client = app.test_client()
    assert client.get("/api/items", headers={"Origin": B}).headers.getlist(ACAO) == [B]
    assert ACAO not in client.get("/api/items", headers={"Origin": A}).headers


def test_blueprint_resources_are_matched_against_the_full_path(grants):
    bp = make_blueprint()
    CORS(bp, resources={r"/api/items": {"origins": [C]}})
    app = make_app(bp, url_prefix="/api")
    client = app.test_client()
    assert client.get("/api/items", headers={"Origin": C}).headers.getlist(ACAO) == [C]
    r = client.get("/api/missing", headers={"Origin": C})
    assert r.status_code == 404
    assert ACAO not in r.headers  # not one of the blueprint's resources


def test_blueprint_init_app_factory(grants):
    cors = CORS(origins=[A])
    bp = make_blueprint()
    cors.init_app(bp, expose_headers=["X-Bp"])
    app = make_app(bp, url_prefix="/api")
    r = app.test_client().get("/api/items", headers={"Origin": A})
    assert grants(r) == {ACAO: [A], ACEH: ["X-Bp"]}


def test_nested_blueprints(grants):
    parent = Blueprint("parent", __name__)
    child = make_blueprint("child")

    @parent.route("/own")
    def parent_own() -> str:
        return "parent"

    CORS(child, origins=[B])
    parent.register_blueprint(child, url_prefix="/child")
    app = Flask(__name__)
    app.register_blueprint(parent, url_prefix="/parent")
    client = app.test_client()
    assert client.get("/parent/child/items", headers={"Origin": B}).headers.getlist(ACAO) == [B]
    assert ACAO not in client.get("/parent/own", headers={"Origin": B}).headers


def test_nested_blueprints_inner_policy_wins(grants):
    parent = Blueprint("parent", __name__)
    child = make_blueprint("child")

    @parent.route("/own")
    def parent_own() -> str:
        return "parent"

    CORS(child, origins=[B])
    CORS(parent, origins=[A])
    parent.register_blueprint(child, url_prefix="/child")
    app = Flask(__name__)
    app.register_blueprint(parent, url_prefix="/parent")
    client = app.test_client()
    assert client.get("/parent/child/items", headers={"Origin": B}).headers.getlist(ACAO) == [B]
    assert ACAO not in client.get("/parent/child/items", headers={"Origin": A}).headers
    assert client.get("/parent/own", headers={"Origin": A}).headers.getlist(ACAO) == [A]


def test_blueprint_preflight_precedes_app_and_blueprint_auth_hooks(preflight, grants):
    calls: list[str] = []
    hooks: list[str] = []
    bp = make_blueprint(calls=calls)

    @bp.before_request
    def bp_auth() -> Response:
        hooks.append("bp")
        return Response("login", status=401)

    CORS(bp, origins=[A], supports_credentials=True)
    app = make_app(bp, url_prefix="/api")

    @app.before_request
    def app_auth() -> Response | None:
        hooks.append("app")
        return None

    client = app.test_client()
    r = preflight(client, "/api/items", A, "POST", "authorization")
    assert r.status_code == 204
    assert grants(r)[ACAO] == [A]
    assert hooks == []
    assert calls == []
    r = client.post("/api/items", headers={"Origin": A})
    assert r.status_code == 401
    assert grants(r) == {ACAO: [A], ACAC: ["true"]}  # F22: readable error


def test_blueprint_errors_carry_its_headers(grants):
    bp = make_blueprint()
    CORS(bp, origins=[A])
    app = make_app(bp, url_prefix="/api")
    client = app.test_client()
    r = client.get("/api/missing", headers={"Origin": A})  # abort(404) in a blueprint view
    assert r.status_code == 404
    assert grants(r) == {ACAO: [A]}
    r = client.delete("/api/items", headers={"Origin": A})  # routing 405 on a blueprint route
    assert r.status_code == 405
    assert grants(r) == {ACAO: [A]}


def test_decorator_inside_a_cors_blueprint_wins(grants):
    bp = Blueprint("bp", __name__)

    @bp.route("/special")
    @cross_origin(origins=[C])
    def special() -> str:
        return "special"

    @bp.route("/normal")
    def normal() -> str:
        return "normal"

    CORS(bp, origins=[A])
    app = make_app(bp, url_prefix="/bp")
    client = app.test_client()
    assert client.get("/bp/special", headers={"Origin": C}).headers.getlist(ACAO) == [C]
    assert ACAO not in client.get("/bp/special", headers={"Origin": A}).headers
    assert client.get("/bp/normal", headers={"Origin": A}).headers.getlist(ACAO) == [A]


def test_blueprint_config_error_is_raised_at_set_up():
    bp = make_blueprint()
    app = Flask(__name__)
    # Set-up ends with register_blueprint; the bad value must not wait for the first request.
    with pytest.raises(ConfigError):
        CORS(bp, max_age=-1)
        app.register_blueprint(bp, url_prefix="/api")


def test_blueprint_reads_the_apps_config(grants):
    bp = make_blueprint()
    CORS(bp)
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [B]
    app.register_blueprint(bp, url_prefix="/api")
    client = app.test_client()
    assert client.get("/api/items", headers={"Origin": B}).headers.getlist(ACAO) == [B]
    assert ACAO not in client.get("/api/items", headers={"Origin": A}).headers


def test_unknown_option_on_blueprint_is_a_type_error():
    with pytest.raises(TypeError, match="origns"):
        CORS(make_blueprint(), origns=[A])
