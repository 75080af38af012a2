"""The 24 real flask-cors configurations of ../shared/real-configs.md, as tests.

Each test is one case of that file (its number and name), builds the app as the source wrote it
(with ``flask_crossorigin`` imported instead of ``flask_cors``), sends the listed requests through
Flask's test client and asserts what a browser would conclude. The rules cited ("real-configs
rule N") are the numbered rules of that file, which restate the drop-in issue ("Drop-in for real
configurations"); rules 10 and 11 come from the adapter issue. flask-cors 6's own verdicts are
written in each docstring as expected values, never computed (flask-cors is not imported).

Fetch rule ids (F1-F44) refer to docs/fetch-rules.md.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterator

import pytest
from flask import Blueprint, Flask, jsonify
from werkzeug.test import TestResponse

from flask_crossorigin import CORS, ConfigError, cross_origin

SAFELISTED_METHODS = ("GET", "HEAD", "POST")


# -- what a browser concludes (F13-F18), written out independently of the package ---------------


def cors_check(response: TestResponse, origin: str, credentials: bool = False) -> bool:
    """F13: the CORS check of a response, for a request with or without credentials."""
    acao = response.headers.getlist("Access-Control-Allow-Origin")
    if len(acao) != 1 or "," in acao[0]:  # F25
        return False
    if not credentials and acao[0] == "*":
        return True
    if acao[0] != origin:
        return False
    return not credentials or response.headers.get("Access-Control-Allow-Credentials") == "true"


def _items(response: TestResponse, name: str) -> list[str]:
    return [
        item.strip()
        for value in response.headers.getlist(name)
        for item in value.split(",")
        if item.strip()
    ]


def preflight_passes(
    response: TestResponse,
    origin: str,
    method: str,
    headers: str = "",
    credentials: bool = False,
) -> bool:
    """The CORS-preflight fetch (F13-F17): ok status, CORS check, method, then each header."""
    if not 200 <= response.status_code <= 299:  # F14
        return False
    if not cors_check(response, origin, credentials):
        return False
    methods = _items(response, "Access-Control-Allow-Methods")
    star = "*" in methods and not credentials
    if method not in methods and method not in SAFELISTED_METHODS and not star:  # F15
        return False
    allowed = {name.lower() for name in _items(response, "Access-Control-Allow-Headers")}
    wildcard = "*" in allowed and not credentials
    for name in (item.strip().lower() for item in headers.split(",") if item.strip()):
        if name in allowed:
            continue
        if name == "authorization" or not wildcard:  # F16, F17
            return False
    return True


def send_preflight(client, path: str, origin: str, method: str, headers: str = "") -> TestResponse:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=sent)  # type: ignore[no-any-return]


@pytest.fixture
def quiet() -> Iterator[None]:
    """Legacy spellings (``CORS_HEADERS``) warn (DeprecationWarning) by design; cases that are not
    about them ignore it. Regex strings do not warn (migration issue item 2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


# -- how strings are read (origins) -------------------------------------------------------------


def test_case_01_dotstar_string_origins():
    """real-configs case 1, rules 5 and 12: r".*" is a regex matching every origin.

    flask-cors 6: sets up; the preflight and the POST from https://any.example.org both pass.
    """
    app = Flask(__name__)
    CORS(app, origins=r".*")  # no warning of any kind: both readings agree (migration item 2)

    @app.route("/signin", methods=["POST"])
    def signin():
        return {"token": "..."}

    client = app.test_client()
    origin = "https://any.example.org"
    answer = send_preflight(client, "/signin", origin, "POST", "content-type")
    assert preflight_passes(answer, origin, "POST", "content-type")
    assert cors_check(client.post("/signin", headers={"Origin": origin}), origin)


def test_case_02_localhost_3000_slash_star():
    """real-configs case 2, rule 5: 'http://localhost:3000/*' is a regex, full-matched.

    flask-cors 6 prefix-matches it: localhost:3000 and localhost:30001 both pass. Required:
    localhost:3000 passes ('/*' matches zero slashes), localhost:30001 fails (intended).
    """
    chengyu_bp = Blueprint("chengyu", __name__)
    chengyu_bp.add_url_rule("/chengyu/random", view_func=lambda: {"chengyu": "..."})
    cors = CORS()

    def create_app():
        app = Flask(__name__)
        cors.init_app(
            app,
            resources={r"/*": {"origins": r"http://localhost:3000/*"}},
            supports_credentials=False,
        )
        app.register_blueprint(chengyu_bp)
        return app

    client = create_app().test_client()
    for origin, passes in (("http://localhost:3000", True), ("http://localhost:30001", False)):
        response = client.get("/chengyu/random", headers={"Origin": origin})
        assert cors_check(response, origin) is passes, origin


def test_case_03_github_io_glob_localhost_star():
    """real-configs case 3, rules 5 and 6: the subdomain glob and the any-port glob.

    flask-cors 6 reads both as prefix regexes: localhost:5500 passes, the github.io preflight
    fails, http://localhost.evil.example passes. Required: localhost:5500 passes, the github.io
    preflight passes (a public-suffix glob is fine without credentials), localhost.evil fails.
    """
    app = Flask(__name__)
    CORS(
        app,
        resources={
            r"/api/*": {
                "origins": ["https://*.github.io", "http://localhost:*"],
                "methods": ["GET", "POST", "PUT", "DELETE"],
                "allow_headers": ["Content-Type"],
            }
        },
    )

    @app.route("/api/models", methods=["GET"])
    def get_all_models():
        return jsonify([])

    @app.route("/api/models/<model_number>", methods=["PUT"])
    def update_model(model_number):
        return jsonify({})

    client = app.test_client()
    local = "http://localhost:5500"
    assert cors_check(client.get("/api/models", headers={"Origin": local}), local)
    user = "https://someuser.github.io"
    answer = send_preflight(client, "/api/models/42", user, "PUT", "content-type")
    assert preflight_passes(answer, user, "PUT", "content-type")
    evil = "http://localhost.evil.example"
    assert not cors_check(client.get("/api/models", headers={"Origin": evil}), evil)


def test_case_04_electron_star_resource_localhost_glob():
    """real-configs case 4, rules 5, 7 and 12: resource "*" is fine; 'http://localhost*' is not.

    flask-cors 6: sets up; localhost:5173 and localhost.evil.example both pass (prefix regex).
    Required: the "*" key is never the reason for a refusal; 'http://localhost*' may be refused
    if the message names it and suggests 'http://localhost:*', which must then work.
    """
    app = Flask(__name__)
    with pytest.raises(ConfigError) as info:
        CORS(app, resources={r"*": {"origins": "http://localhost*"}})
    message = str(info.value)
    assert "'http://localhost*'" in message
    assert "'http://localhost:*'" in message
    assert "resources['*']" in message  # where it came from
    assert "not a valid regular expression" not in message

    app = Flask(__name__)
    CORS(app, resources={r"*": {"origins": "http://localhost:*"}})  # the suggested spelling

    @app.route("/example")
    def example():
        return jsonify("Hello from python!")

    client = app.test_client()
    for origin, passes in (
        ("http://localhost:5173", True),
        ("http://localhost.evil.example", False),
    ):
        assert cors_check(client.get("/example", headers={"Origin": origin}), origin) is passes


def test_case_05_sonar_fixture_dotplus():
    """real-configs case 5, rule 5: r".+" has no flask-cors regex character, so it is a literal.

    flask-cors 6: sets up, matches nothing; both requests fail. Required: refuse naming '.+'
    with suggestions that are accepted, or match nothing; never a regex allowing every origin.
    """
    app = Flask(__name__)
    with pytest.raises(ConfigError) as info:
        CORS(app, origins=r".+")
    message = str(info.value)
    assert "'.+'" in message
    assert "CORS(origins=...)" in message
    assert "'*'" in message and "re.compile('.+')" in message
    CORS(Flask(__name__), origins="*")  # both suggestions are accepted
    CORS(Flask(__name__), origins=re.compile(r".+"))


def test_case_06_opensoft_localhost_port(quiet):
    """real-configs case 6, rules 5 and 12: 'http://localhost:port' never matches.

    flask-cors 6: sets up; localhost:3000 fails. Required: a refusal naming the value whose
    suggestions (a real port, the any-port glob) are themselves accepted.
    """
    app = Flask(__name__)
    app.config["CORS_HEADERS"] = "Content-Type"
    with pytest.raises(ConfigError) as info:
        CORS(app, resources={r"/foo": {"origins": "http://localhost:port"}})
    message = str(info.value)
    assert "'http://localhost:port'" in message
    assert "resources['/foo']" in message
    for suggestion in ("http://localhost:3000", "http://localhost:*"):
        assert repr(suggestion) in message
        accepted = Flask(__name__)
        CORS(accepted, resources={r"/foo": {"origins": suggestion}})

        @accepted.route("/foo")
        def foo():
            return jsonify({})

        origin = "http://localhost:3000"
        assert cors_check(accepted.test_client().get("/foo", headers={"Origin": origin}), origin)


def test_case_07_compiled_localhost_port_creds():
    """real-configs case 7, rules 5 and 6: a compiled regex naming localhost, with credentials.

    flask-cors 6: localhost:5173 and localhost:5173.evil.example both pass with credentials.
    Required: set up (the regex matches no random origin); full match: evil.example fails.
    """
    app = Flask(__name__)
    app.config["SESSION_COOKIE_SAMESITE"] = "None"
    CORS(app, supports_credentials=True, origins=re.compile(r"http://localhost:\d+"))

    @app.route("/api/auth/me", methods=["GET"])
    def me():
        return jsonify({"error": "Not authenticated"}), 401

    client = app.test_client()
    good = "http://localhost:5173"
    response = client.get("/api/auth/me", headers={"Origin": good})
    assert response.status_code == 401
    assert cors_check(response, good, credentials=True)
    evil = "http://localhost:5173.evil.example"
    assert not cors_check(client.get("/api/auth/me", headers={"Origin": evil}), evil, True)
    answer = send_preflight(client, "/api/auth/me", good, "GET", "content-type")
    assert preflight_passes(answer, good, "GET", "content-type", credentials=True)


# -- credentials with an origin anyone can use -------------------------------------------------


def _assert_names_credentials_and_escape_hatch(message: str) -> None:
    assert "supports_credentials=True" in message
    assert "callable" in message
    assert "has no scheme" not in message and "can never match" not in message


def test_case_08_dev_dotstar_creds_init_app():
    """real-configs case 8, rules 6 and 12: r".*" with credentials is any origin with credentials.

    flask-cors 6: https://evil.example reads a signed-in user's data. Required: refuse at set-up,
    naming '.*', credentials, who could get in and the escape hatch; never "has no scheme".
    """
    cors = CORS()
    app = Flask(__name__)
    with pytest.raises(ConfigError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cors.init_app(app, resources={r"/api/*": {"origins": r".*", "supports_credentials": True}})
    message = str(info.value)
    assert "'.*'" in message
    assert "every website" in message
    assert "resources['/api/*']" in message
    assert "'https://.*'" not in message
    _assert_names_credentials_and_escape_hatch(message)


def test_case_09_compiled_dotstar_creds():
    """real-configs case 9, rule 6: re.compile(r'.*') with credentials.

    flask-cors 6: evil.example passes with credentials on the GET and the preflight. Required:
    refuse at set-up (the regex matches a random https://<random>.invalid); accepted without
    credentials.
    """
    with pytest.raises(ConfigError) as info:
        CORS(Flask(__name__), supports_credentials=True, origins=re.compile(r".*"))
    message = str(info.value)
    assert "re.compile('.*')" in message
    assert ".invalid" in message  # the random origin it matched
    _assert_names_credentials_and_escape_hatch(message)
    CORS(Flask(__name__), origins=re.compile(r".*"))


def test_case_10_poitracker_vercel_glob_creds():
    """real-configs case 10, rule 6: 'https://*.vercel.app' with credentials.

    flask-cors 6 reads it as a regex that matches no deployment (attacker-project fails).
    Required: refuse, vercel.app being a public suffix (anyone can deploy there), naming the
    glob, credentials, who could get in and the escape hatch; accepted without credentials.
    """
    origins = ["https://www.poitracker.org", "https://*.vercel.app", "http://localhost:3000"]
    with pytest.raises(ConfigError) as info:
        CORS(Flask(__name__), origins=origins, supports_credentials=True)
    message = str(info.value)
    assert "'https://*.vercel.app'" in message
    assert "'vercel.app' is a public suffix" in message
    _assert_names_credentials_and_escape_hatch(message)

    app = Flask(__name__)
    CORS(app, origins=origins)

    @app.route("/api/pois")
    def pois():
        return {"pois": []}

    attacker = "https://attacker-project.vercel.app"
    assert cors_check(app.test_client().get("/api/pois", headers={"Origin": attacker}), attacker)


def test_case_11_pcc_ncov_creds_any():
    """real-configs case 11, rule 6: credentials with a resource's origins "*".

    flask-cors 6: evil.example passes with credentials. Required: refuse, naming credentials,
    the any-origin value and where each came from.
    """
    with pytest.raises(ConfigError) as info:
        CORS(Flask(__name__), supports_credentials=True, resources={r"/api/*": {"origins": "*"}})
    message = str(info.value)
    assert "from CORS(supports_credentials=...)" in message
    assert "origins='*' from CORS resources['/api/*'](origins=...)" in message
    _assert_names_credentials_and_escape_hatch(message)


# -- resource patterns -------------------------------------------------------------------------


def test_case_12_recsys_star_resource():
    """real-configs case 12, rule 7: the resource key "*" means every path.

    flask-cors 6: sets up; the GET and the POST preflight on /recommend pass.
    """
    app = Flask(__name__)
    CORS(app, resources={r"*": {"origins": "*"}})

    @app.route("/recommend", methods=["GET", "POST"])
    def recommend():
        return {"items": []}

    client = app.test_client()
    origin = "http://localhost:3000"
    assert cors_check(client.get("/recommend", headers={"Origin": origin}), origin)
    answer = send_preflight(client, "/recommend", origin, "POST", "content-type")
    assert preflight_passes(answer, origin, "POST", "content-type")


def test_case_13_causal_saint_literal_api():
    """real-configs case 13, rule 7: a literal resource pattern is exactly that path.

    flask-cors 6: GET /api passes; GET /api/predict and its POST preflight fail. The same here.
    """
    app = Flask(__name__)
    CORS(app, resources={r"/api": {"origins": "*"}})
    app.config["CORS_HEADERS"] = "Content-Type"

    @app.route("/api", methods=["GET", "POST"])
    @app.route("/api/predict", methods=["GET", "POST"])
    def api():
        return {"ok": True}

    client = app.test_client()
    origin = "http://localhost:3000"
    assert cors_check(client.get("/api", headers={"Origin": origin}), origin)
    assert not cors_check(client.get("/api/predict", headers={"Origin": origin}), origin)
    answer = send_preflight(client, "/api/predict", origin, "POST", "content-type")
    assert not preflight_passes(answer, origin, "POST", "content-type")


def test_case_14_open_ods_compiled_resource():
    """real-configs case 14, rule 7: a pattern ending in '/*' is that path and below.

    flask-cors 6 matches the compiled '/api/v1/*' as a prefix: /api/v10/... passes too.
    Required: /api/v1/organisations passes, /api/v10/organisations fails (intended).
    """
    app = Flask(__name__)
    app.config["API_URL"] = "/api/v1"
    reg_ex = re.compile(app.config["API_URL"] + "/*")
    CORS(app, resources={reg_ex: {"origins": "*"}})

    @app.route("/api/v1/organisations")
    @app.route("/api/v10/organisations")
    def organisations():
        return {"organisations": []}

    client = app.test_client()
    origin = "http://localhost:3000"
    assert cors_check(client.get("/api/v1/organisations", headers={"Origin": origin}), origin)
    assert not cors_check(client.get("/api/v10/organisations", headers={"Origin": origin}), origin)


# -- config keys, values and misspellings ------------------------------------------------------


def test_case_15_zerodine_config_class(caplog):
    """real-configs case 15, rules 3 and 1: an unknown key warns; legacy CORS_HEADERS applies.

    flask-cors 6: CORS_ORIGIN is not read (any origin), CORS_HEADERS is ignored (every header),
    CORS_METHODS applies: GET passes, the PUT preflight passes, PATCH fails. The same verdicts
    here, with one WARNING naming CORS_ORIGIN and CORS_ORIGINS.
    """

    class Config:  # as the source wrote it
        CORS_ORIGIN = ["*"]  # noqa: RUF012
        CORS_METHODS = ["POST", "GET", "PUT", "DELETE", "OPTIONS", "HEAD"]  # noqa: RUF012
        CORS_HEADERS = ["origin", "accept", "content-type", "authorization"]  # noqa: RUF012

    app = Flask(__name__)
    app.config.from_object(Config)
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        CORS(app)

    @app.route("/api/items", methods=["GET", "PUT", "PATCH"])
    def items():
        return {"items": []}

    unknown = [r.getMessage() for r in caplog.records if "'CORS_ORIGIN'" in r.getMessage()]
    assert len(unknown) == 1 and "'CORS_ORIGINS'" in unknown[0], unknown
    client = app.test_client()
    origin = "http://localhost:3000"
    assert cors_check(client.get("/api/items", headers={"Origin": origin}), origin)
    asked = "content-type, authorization"
    assert preflight_passes(
        send_preflight(client, "/api/items", origin, "PUT", asked), origin, "PUT", asked
    )
    assert not preflight_passes(
        send_preflight(client, "/api/items", origin, "PATCH"), origin, "PATCH"
    )


def test_case_16_tangorithm_cors_origin_key(caplog):
    """real-configs case 16, rules 3 and 6: CORS_ORIGIN is not read, so credentials meet '*'.

    flask-cors 6: every origin passes with credentials. Required: refuse for credentials with
    any origin (from the default), after one WARNING about CORS_ORIGIN suggesting CORS_ORIGINS.
    """
    app = Flask(__name__)
    app.config.from_mapping(SESSION_TYPE="filesystem", CORS_ORIGIN="http://127.0.0.1")
    caplog.set_level(logging.WARNING, logger="flask_crossorigin")
    with pytest.raises(ConfigError) as info:
        CORS(app, supports_credentials=True)
    message = str(info.value)
    assert "origins='*' from default" in message
    _assert_names_credentials_and_escape_hatch(message)
    warned = [r.getMessage() for r in caplog.records if "'CORS_ORIGIN'" in r.getMessage()]
    assert len(warned) == 1 and "'CORS_ORIGINS'" in warned[0]


def test_case_17_config_get_creds_unset_none():
    """real-configs case 17, rule 4: supports_credentials=None means not set.

    flask-cors 6: sets up; localhost:5173 passes without ACAC, the PUT preflight passes,
    evil.example fails. The same here.
    """
    app = Flask(__name__)
    app.config["ALLOWED_ORIGINS"] = ["http://localhost:5173", "https://billing.example.com"]
    CORS(
        app,
        origins=app.config.get("ALLOWED_ORIGINS"),
        supports_credentials=app.config.get("CORS_SUPPORTS_CREDENTIALS"),
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Content-Type", "Authorization"],
    )

    @app.route("/api/invoices", methods=["GET", "PUT"])
    def invoices():
        return {"invoices": []}

    client = app.test_client()
    origin = "http://localhost:5173"
    response = client.get("/api/invoices", headers={"Origin": origin})
    assert (
        cors_check(response, origin) and "Access-Control-Allow-Credentials" not in response.headers
    )
    asked = "content-type, authorization"
    answer = send_preflight(client, "/api/invoices", origin, "PUT", asked)
    assert preflight_passes(answer, origin, "PUT", asked)
    evil = "https://evil.example"
    assert not cors_check(client.get("/api/invoices", headers={"Origin": evil}), evil)
    with pytest.raises(ConfigError, match="supports_credentials='false'"):
        CORS(Flask(__name__), supports_credentials="false")


def test_case_18_env_unset_empty_origin(monkeypatch):
    """real-configs case 18, rule 12: os.getenv(..., "").split(",") gives [''].

    flask-cors 6: sets up, matches nothing. Required (refusing): say the origin is empty and
    where it came from, what to do, and never suggest 'https://' or 'http://'.
    """
    monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)
    allowed_origins = os.getenv("ALLOWED_ORIGINS", "").split(",")
    cors = CORS(origins=allowed_origins)
    app = Flask(__name__)
    with pytest.raises(ConfigError) as info:
        cors.init_app(app)
    message = str(info.value)
    assert "empty" in message and "CORS(origins=...)" in message
    assert "environment variable" in message
    assert "'https://app.example.com'" in message
    assert "'https://'" not in message and "'http://'" not in message


def test_case_19_covid19_support_credentials_typo():
    """real-configs case 19, rule 2: a misspelt keyword stays a TypeError naming the option.

    flask-cors 6: logs "Unknown option" and runs without credentials.
    """
    app = Flask(__name__)
    with pytest.raises(TypeError) as info:
        CORS(app, support_credentials=True)
    assert "'support_credentials'" in str(info.value)
    assert "'supports_credentials'" in str(info.value)


# -- methods -----------------------------------------------------------------------------------


def test_case_20_bp_clients_decorator_creds():
    """real-configs case 20, rule 8: a safelisted POST preflight is never refused for methods.

    flask-cors 6 routes the preflight to the GET view (methods GET, OPTIONS): POST without ACRH
    passes, with ACRH content-type, authorization fails (it drops ACAH), PUT fails. Required:
    the POST preflight passes with and without the headers (intended); PUT still fails.
    """
    clients_bp = Blueprint("clients", __name__, url_prefix="/api/clients")
    shared = {
        "origins": ["http://localhost:3000", "http://localhost:5173"],
        "supports_credentials": True,
        "allow_headers": ["Content-Type", "Authorization", "X-Requested-With", "Accept", "Origin"],
    }

    @clients_bp.route("", methods=["GET", "OPTIONS"])
    @cross_origin(**shared, methods=["GET", "OPTIONS"])
    def get_clients():
        return jsonify([])

    @clients_bp.route("", methods=["POST", "OPTIONS"])
    @cross_origin(**shared, methods=["POST", "OPTIONS"])
    def create_client():
        return jsonify({}), 201

    app = Flask(__name__)
    app.register_blueprint(clients_bp)
    client = app.test_client()
    origin = "http://localhost:3000"
    for asked in ("", "content-type, authorization"):
        answer = send_preflight(client, "/api/clients", origin, "POST", asked)
        assert preflight_passes(answer, origin, "POST", asked, credentials=True), asked
    answer = send_preflight(client, "/api/clients", origin, "PUT")
    assert not preflight_passes(answer, origin, "PUT", credentials=True)


def test_case_21_all_star_methods_star():
    """real-configs case 21, rule 9: methods="*" answers with the requested method.

    flask-cors 6 sends no ACAM, so both preflights fail; GET passes. Required: both pass
    (intended), GET passes.
    """
    app = Flask(__name__)
    CORS(
        app,
        resources={
            r"/*": {"origins": "*", "allow_headers": "*", "expose_headers": "*", "methods": "*"}
        },
    )

    @app.route("/status")
    def status():
        return jsonify({"current_app": None, "is_idle": False, "app_times": {}})

    client = app.test_client()
    origin = "http://localhost:3000"
    answer = send_preflight(client, "/status", origin, "PUT")
    assert preflight_passes(answer, origin, "PUT")
    assert answer.headers["Access-Control-Allow-Methods"] == "PUT"
    asked = "content-type, authorization"
    answer = send_preflight(client, "/status", origin, "DELETE", asked)
    assert preflight_passes(answer, origin, "DELETE", asked)
    assert cors_check(client.get("/status", headers={"Origin": origin}), origin)


# -- decorators and the app's own CORS headers -------------------------------------------------


def test_case_22_wildcard_plus_decorator_creds_core_refusal():
    """real-configs case 22, rule 6 (the core's part): the decorator's options are refused.

    flask-cors 6: any origin passes with credentials (a decorated view's options are the app
    config's plus the decorator's; origins stay the default). The core refuses
    supports_credentials=True over the default origins, naming both and where they came from.
    When the refusal happens (at set-up, never a 500 per request, rule 10) is the adapter's
    part, pinned by the adapter issue's tests.
    """
    from flask_crossorigin.options import (
        DECORATOR_OPTIONS,
        build_policy,
        check_names,
        config_layer,
        merge,
    )

    app = Flask(__name__)
    view_layer = check_names(
        {"supports_credentials": True}, allowed=DECORATOR_OPTIONS, where="@cross_origin"
    )
    with pytest.raises(ConfigError) as info:
        build_policy(merge(config_layer(app.config), view_layer))
    message = str(info.value)
    assert "from @cross_origin(supports_credentials=...)" in message
    assert "origins='*' from default" in message
    _assert_names_credentials_and_escape_hatch(message)


def test_case_23_star_list_manual_after_request_sets_up():
    """real-configs case 23 (the core's part): origins=["*"] with these options sets up.

    flask-cors 6: the preflight and the POST pass, each with one ACAO. Never two ACAO values
    (rule 11) is the adapter's part; here: the set-up, and the POST's single ACAO.
    """
    app = Flask(__name__)
    CORS(
        app,
        origins=["*"],
        methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization"],
        supports_credentials=False,
    )

    @app.after_request
    def after_request(response):
        response.headers.add("Access-Control-Allow-Origin", "*")
        response.headers.add("Access-Control-Allow-Headers", "Content-Type,Authorization")
        response.headers.add("Access-Control-Allow-Methods", "GET,PUT,POST,DELETE,OPTIONS")
        return response

    @app.route("/api/chat", methods=["POST"])
    def chat():
        return {"reply": "..."}

    origin = "http://localhost:3000"
    assert cors_check(app.test_client().post("/api/chat", headers={"Origin": origin}), origin)


def test_case_22_wildcard_plus_decorator_creds_never_answers():
    """real-configs case 22, rule 10 (the adapter's part): the refusal is loud, never a grant.

    The view is registered after ``CORS(app)``, and Flask has no hook for route registration, so
    the decorator's merged policy (its options over the app's ``CORS_*`` config) is compiled at
    the app's first request: that view raises the ConfigError (a 500 in production) instead of
    being answered with a grant for every origin and credentials, and every other route keeps
    working (migration issue item 3: one misconfigured view does not take the app down).
    """
    app = Flask(__name__)
    CORS(app, send_wildcard=True)

    @app.route("/")
    @cross_origin(supports_credentials=True)
    def home():
        return "test"

    @app.route("/other")
    def other():
        return "other"

    app.testing = True  # the view's error reaches the test (a 500 in production)
    client = app.test_client()
    for _ in range(2):
        assert client.get("/other", headers={"Origin": "https://evil.example"}).data == b"other"
        with pytest.raises(ConfigError) as info:
            client.get("/", headers={"Origin": "https://evil.example"})
        assert "from @cross_origin(supports_credentials=...)" in str(info.value)


def test_case_22_decorated_view_registered_before_cors_fails_at_set_up():
    """real-configs case 22, rule 10: with the view registered first, ``CORS(app)`` refuses."""
    app = Flask(__name__)

    @app.route("/")
    @cross_origin(supports_credentials=True)
    def home():
        return "test"

    with pytest.raises(ConfigError) as info:
        CORS(app, send_wildcard=True)
    assert "from @cross_origin(supports_credentials=...)" in str(info.value)


def test_case_23_preflight_gets_one_allow_origin():
    """real-configs case 23, rule 11 (the adapter's part): never two ACAO values on a preflight.

    flask-cors 6: the preflight passes with the hook's single ``*``. Ours is answered before
    Flask, so the app's ``after_request`` hook does not add a second value: one ACAO, passes.
    """
    app = Flask(__name__)
    CORS(
        app,
        origins=["*"],
        methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization"],
        supports_credentials=False,
    )

    @app.after_request
    def after_request(response):
        response.headers.add("Access-Control-Allow-Origin", "*")
        return response

    @app.route("/api/chat", methods=["POST"])
    def chat():
        return {"reply": "..."}

    origin = "http://localhost:3000"
    answer = send_preflight(app.test_client(), "/api/chat", origin, "POST", "content-type")
    assert len(answer.headers.getlist("Access-Control-Allow-Origin")) == 1
    assert preflight_passes(answer, origin, "POST", "content-type")


def test_case_24_niva_decorator_manual_acao(caplog):
    """real-configs case 24, rules 1 and 11: the view's own ACAO; legacy CORS_HEADERS honoured.

    flask-cors 6 ignores CORS_HEADERS and sends two ACAO values on the GET (fails); the
    preflight asking for authorization passes. Required: GET passes with the view's single '*';
    the preflight fails (intended narrowing), and a WARNING says what changes and how to keep
    flask-cors 6's behaviour.
    """
    app = Flask(__name__)
    CORS(app)
    app.config["CORS_HEADERS"] = "Content-Type"

    @app.route("/")
    @cross_origin()
    def my_profile():
        response = jsonify({"name": "123", "about": "shipped"})
        response.headers.add("Access-Control-Allow-Origin", "*")
        response.headers.add("Access-Control-Allow-Headers", "*")
        response.headers.add("Access-Control-Allow-Methods", "*")
        return response

    client = app.test_client()
    origin = "http://localhost:3000"
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        response = client.get("/", headers={"Origin": origin})
        answer = send_preflight(client, "/", origin, "GET", "authorization")
    assert response.headers.getlist("Access-Control-Allow-Origin") == ["*"]
    assert cors_check(response, origin)
    assert not preflight_passes(answer, origin, "GET", "authorization")
    legacy = [r.getMessage() for r in caplog.records if "CORS_HEADERS" in r.getMessage()]
    assert len(legacy) == 1, legacy
    assert "flask-cors 6 ignores" in legacy[0]
    assert "CORS_ALLOW_HEADERS = 'Content-Type'" in legacy[0]  # keep this policy
    assert "remove CORS_HEADERS" in legacy[0]  # keep flask-cors 6's
