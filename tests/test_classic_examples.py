"""Every example from flask-cors's classic documentation works unchanged, apart from the import
line. Rule ids refer to docs/fetch-rules.md."""

from __future__ import annotations

import logging

import pytest
from flask import Flask, jsonify, request

from flask_crossorigin import CORS, cross_origin

ORIGIN = "https://client.example"
FOO = "http://foo.com"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
DEFAULT_ACAM = "GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"

pytestmark = pytest.mark.filterwarnings("ignore:.*legacy.*:DeprecationWarning")


def test_simplest_cors_app(preflight, grants, vary):
    app = Flask(__name__)
    CORS(app)

    @app.route("/")
    def hello_world() -> str:
        return "Hello, cross-origin-world!"

    client = app.test_client()
    r = client.get("/", headers={"Origin": ORIGIN})
    assert r.get_data(as_text=True) == "Hello, cross-origin-world!"
    assert grants(r) == {ACAO: [ORIGIN]}
    assert vary(r) == ["origin"]
    r = preflight(client, "/", ORIGIN, "GET", "x-requested-with")
    assert r.status_code == 204
    assert grants(r) == {ACAO: [ORIGIN], ACAM: [DEFAULT_ACAM], ACAH: ["x-requested-with"]}


def test_resource_specific_cors(grants):
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": {"origins": "*"}})

    @app.route("/api/v1/users")
    def list_users() -> str:
        return "user example"

    @app.route("/")
    def index() -> str:
        return "not shared"

    client = app.test_client()
    r = client.get("/api/v1/users", headers={"Origin": ORIGIN})
    assert r.get_data(as_text=True) == "user example"
    assert grants(r) == {ACAO: [ORIGIN]}
    assert grants(client.get("/", headers={"Origin": ORIGIN})) == {}


def test_resources_string_with_legacy_headers(preflight, grants):
    app = Flask(__name__)
    with pytest.deprecated_call():
        CORS(app, resources=r"/api/*", headers="Content-Type")

    @app.route("/api/v1/users/create", methods=["POST"])
    def create_user() -> str:
        return "created"

    @app.route("/")
    def index() -> str:
        return "index"

    client = app.test_client()
    r = preflight(client, "/api/v1/users/create", ORIGIN, "POST", "content-type")
    assert r.status_code == 204
    assert grants(r) == {ACAO: [ORIGIN], ACAM: [DEFAULT_ACAM], ACAH: ["content-type"]}
    r = preflight(client, "/api/v1/users/create", ORIGIN, "POST", "x-other")
    assert r.status_code == 403
    assert grants(r) == {}
    assert grants(client.get("/", headers={"Origin": ORIGIN})) == {}


@pytest.mark.parametrize("with_extension", [True, False])
def test_config_headers_and_resources_with_a_decorated_view(
    with_extension, preflight, grants, vary
):
    app = Flask(__name__)
    app.config["CORS_HEADERS"] = "Content-Type"
    app.config["CORS_RESOURCES"] = {r"/api/*": {"origins": "*"}}
    if with_extension:
        CORS(app)

    @app.route("/api/foo", methods=["GET", "POST"])
    @cross_origin(origins=FOO)
    def foo() -> str:
        return "foo"

    @app.route("/api/bar")
    def bar() -> str:
        return "bar"

    client = app.test_client()
    r = client.get("/api/foo", headers={"Origin": FOO})
    assert grants(r) == {ACAO: [FOO]}
    assert vary(r) == ["origin"]
    r = client.get("/api/foo", headers={"Origin": ORIGIN})
    assert r.status_code == 200
    assert grants(r) == {}
    assert vary(r) == ["origin"]
    r = preflight(client, "/api/foo", FOO, "POST", "content-type")
    assert r.status_code == 204
    assert grants(r) == {ACAO: [FOO], ACAM: [DEFAULT_ACAM], ACAH: ["content-type"]}
    r = preflight(client, "/api/foo", FOO, "POST", "x-other")  # CORS_HEADERS applies here too
    assert r.status_code == 403
    assert grants(r) == {}
    assert preflight(client, "/api/foo", ORIGIN, "POST", "content-type").status_code == 403
    r = client.get("/api/bar", headers={"Origin": ORIGIN})
    assert grants(r) == ({ACAO: [ORIGIN]} if with_extension else {})


def test_decorator_with_legacy_headers_list(preflight, grants):
    app = Flask(__name__)

    @app.route("/auth", methods=["GET", "POST"])
    @cross_origin(headers=["Content-Type", "Authorization"])
    def auth() -> str:
        return "auth"

    client = app.test_client()
    r = preflight(client, "/auth", ORIGIN, "POST", "authorization,content-type")
    assert r.status_code == 204
    assert grants(r) == {
        ACAO: [ORIGIN],
        ACAM: [DEFAULT_ACAM],
        ACAH: ["authorization, content-type"],  # F16: Authorization named explicitly
    }
    assert preflight(client, "/auth", ORIGIN, "POST", "x-other").status_code == 403
    assert grants(client.post("/auth", headers={"Origin": ORIGIN})) == {ACAO: [ORIGIN]}


@pytest.mark.parametrize("style", ["extension", "decorator"])
def test_json_post_preflight_then_post(style, preflight, grants):
    app = Flask(__name__)
    calls = []

    def create() -> object:
        calls.append(request.get_json())
        return jsonify(success=True)

    if style == "decorator":
        app.add_url_rule(
            "/api/v1/users/create",
            view_func=cross_origin(allow_headers=["Content-Type"])(create),
            methods=["GET", "POST"],
        )
    else:
        app.add_url_rule("/api/v1/users/create", view_func=create, methods=["GET", "POST"])
        CORS(app, resources=r"/api/*", allow_headers="Content-Type")
    client = app.test_client()
    # What a browser sends before fetch(url, {method: "POST", headers: {"Content-Type":
    # "application/json"}}): application/json is not safelisted (F8), so it preflights (F11).
    r = preflight(client, "/api/v1/users/create", ORIGIN, "POST", "content-type")
    assert r.status_code == 204
    assert grants(r) == {ACAO: [ORIGIN], ACAM: [DEFAULT_ACAM], ACAH: ["content-type"]}
    assert calls == []
    r = client.post("/api/v1/users/create", json={"name": "x"}, headers={"Origin": ORIGIN})
    assert r.status_code == 200
    assert r.get_json() == {"success": True}
    assert grants(r) == {ACAO: [ORIGIN]}
    assert calls == [{"name": "x"}]


def test_app_based_example(error_app, grants):
    app = error_app
    logging.getLogger("flask_crossorigin").setLevel(logging.DEBUG)
    try:
        CORS(app, resources=r"/api/*")

        @app.route("/")
        def hello_world() -> str:
            return "Hello, cross-origin-world!"

        @app.route("/api/v1/users/")
        def list_users() -> object:
            return jsonify(user="joe")

        @app.route("/api/exception")
        def get_exception() -> str:
            raise Exception("example")

        @app.errorhandler(500)
        def server_error(e: Exception) -> tuple[str, int]:
            return "An internal error occurred", 500

        client = app.test_client()
        assert grants(client.get("/", headers={"Origin": ORIGIN})) == {}
        r = client.get("/api/v1/users/", headers={"Origin": ORIGIN})
        assert r.get_json() == {"user": "joe"}
        assert grants(r) == {ACAO: [ORIGIN]}
        r = client.get("/api/exception", headers={"Origin": ORIGIN})
        assert r.status_code == 500
        assert r.get_data(as_text=True) == "An internal error occurred"
        assert grants(r) == {ACAO: [ORIGIN]}
    finally:
        logging.getLogger("flask_crossorigin").setLevel(logging.NOTSET)


def test_stackoverflow_classic_cors_headers_after_cors_app(preflight, grants):
    app = Flask(__name__)
    CORS(app)
    app.config["CORS_HEADERS"] = "Content-Type"

    @app.route("/")
    @cross_origin()
    def hello_world() -> str:
        return "Hello, cross-origin-world!"

    client = app.test_client()
    assert grants(client.get("/", headers={"Origin": ORIGIN})) == {ACAO: [ORIGIN]}
    r = preflight(client, "/", ORIGIN, "POST", "content-type")
    assert r.status_code == 204
    assert r.headers.getlist(ACAH) == ["content-type"]


def test_credentials_example(preflight, grants):
    app = Flask(__name__)
    CORS(app, origins=["https://app.example.com"], supports_credentials=True)

    @app.route("/me")
    def me() -> str:
        return "me"

    client = app.test_client()
    r = client.get("/me", headers={"Origin": "https://app.example.com", "Cookie": "s=1"})
    assert grants(r) == {ACAO: ["https://app.example.com"], ACAC: ["true"]}
    assert grants(client.get("/me", headers={"Origin": ORIGIN})) == {}
