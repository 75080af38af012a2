"""flask-cors 6's documented option forms and examples, run here: how many behave the same.

The cases are the examples and option forms of flask-cors 6's documentation: its README
(docs/index.md), the example pages (docs/examples/: the extension, decorator, error-handler and
blueprint examples), the API reference (the ``CORS`` and ``cross_origin`` docstrings, one case
per documented type of each option) and the configuration page (config keys, precedence). The
code of each case is written for this file; flask-cors is never imported.

Each case encodes what flask-cors 6 does (``fc6``), worked out from its documented and released
behaviour, and runs the same set-up and requests here. "The same" means: the set-up is accepted,
and every request gets the same browser verdict (the CORS check and, for preflights, the
CORS-preflight fetch, F13-F17) with the same ``Access-Control-Allow-Origin`` and the other grant
headers a case names. Status codes (204 here, 200 there for preflights), header order and the
spelling of ``Access-Control-Allow-Methods`` are not compared: docs/migrating.md lists them.

Where flask-crossorigin differs on purpose, the case says so (``differs``, with the reason and
the section of docs/migrating.md) and encodes our behaviour instead; its id starts with
``differs-``. The figure for the drop-in issue's closing note is::

    .venv/bin/pytest tests/test_flask_cors_docs_examples.py -q -p no:cacheprovider -k "same-"

(cases that behave the same) out of the total of the same command without ``-k``.
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from flask import Blueprint, Flask, abort, jsonify
from werkzeug.test import TestResponse

from flask_crossorigin import CORS, ConfigError, cross_origin

ORIGIN = "https://client.example"
EVIL = "https://evil.example"
#: Matches r"https://.*\.example" as a prefix (flask-cors 6), not as a whole (here).
LOOKALIKE = "https://client.example.evil.test"
SAFELISTED = ("GET", "HEAD", "POST")


class Req(NamedTuple):
    """A request: a preflight when *acrm* is given."""

    path: str
    origin: str | None = ORIGIN
    method: str = "GET"
    acrm: str | None = None
    acrh: str = ""
    credentials: bool = False
    private_network: bool = False


class Seen(NamedTuple):
    """What the browser sees: its verdict, ACAO, and any other grant headers the case names."""

    passes: bool
    acao: str | None
    headers: dict[str, str | None] = {}  # noqa: RUF012 (never mutated)


class Case(NamedTuple):
    source: str
    build: Callable[[], Flask]
    #: (request, what flask-cors 6 gives, what we give when it differs, else None)
    requests: tuple[tuple[Req, Seen, Seen | None], ...] = ()
    #: Why we differ, and where docs/migrating.md says so; None when the case behaves the same.
    differs: str | None = None
    #: For a set-up flask-cors 6 accepts and we refuse on purpose: a fragment of the message.
    refused: str | None = None


def verdict(response: TestResponse, req: Req) -> bool:
    acao = response.headers.getlist("Access-Control-Allow-Origin")
    if len(acao) != 1 or req.origin is None:
        return False
    if acao[0] == "*" and not req.credentials:
        ok = True
    else:
        ok = acao[0] == req.origin and (
            not req.credentials
            or response.headers.get("Access-Control-Allow-Credentials") == "true"
        )
    if not ok or req.acrm is None:
        return ok
    if not 200 <= response.status_code <= 299:
        return False

    def items(name: str) -> list[str]:
        value = response.headers.get(name, "")
        return [item.strip() for item in value.split(",") if item.strip()]

    methods = items("Access-Control-Allow-Methods")
    star = "*" in methods and not req.credentials
    if req.acrm not in methods and req.acrm not in SAFELISTED and not star:
        return False
    allowed = {item.lower() for item in items("Access-Control-Allow-Headers")}
    for name in (item.strip().lower() for item in req.acrh.split(",") if item.strip()):
        if name not in allowed and (
            "*" not in allowed or req.credentials or name == "authorization"
        ):
            return False
    return True


def send(app: Flask, req: Req) -> TestResponse:
    headers: dict[str, str] = {}
    if req.origin is not None:
        headers["Origin"] = req.origin
    if req.acrm is not None:
        headers["Access-Control-Request-Method"] = req.acrm
        if req.acrh:
            headers["Access-Control-Request-Headers"] = req.acrh
        if req.private_network:
            headers["Access-Control-Request-Private-Network"] = "true"
        return app.test_client().options(req.path, headers=headers)
    return app.test_client().open(req.path, method=req.method, headers=headers)


def seen(response: TestResponse, req: Req, names: dict[str, str | None]) -> Seen:
    return Seen(
        verdict(response, req),
        response.headers.get("Access-Control-Allow-Origin"),
        {name: response.headers.get(name) for name in names},
    )


# -- the apps ---------------------------------------------------------------------------------


def app_with(routes: Callable[[Flask], None] | None = None, **options: Any) -> Flask:
    app = Flask(__name__)
    CORS(app, **options)
    (routes or default_routes)(app)
    return app


def default_routes(app: Flask) -> None:
    @app.route("/", methods=["GET", "POST", "PUT"])
    def index() -> str:
        return "Hello, cross-origin-world!"

    @app.route("/api/v1/users", methods=["GET", "POST", "PUT"])
    def users() -> Any:
        return jsonify(user="joe")

    @app.route("/other")
    def other() -> str:
        return "other"

    @app.route("/api/missing")
    def missing() -> Any:
        abort(404)


def decorated(**options: Any) -> Callable[[], Flask]:
    def build() -> Flask:
        app = Flask(__name__)

        @app.route("/", methods=["GET", "POST"])
        @cross_origin(**options)
        def index() -> str:
            return "Hello, cross-origin-world!"

        return app

    return build


def app_based_example() -> Flask:
    # docs/examples/extension.md: resources as one regex string, allow_headers as a string.
    app = Flask(__name__)
    CORS(app, resources=r"/api/*", allow_headers="Content-Type")

    @app.route("/")
    def hello_world() -> str:
        return "Hello CORS!"

    @app.route("/api/v1/users/")
    def list_users() -> Any:
        return jsonify(user="joe")

    @app.route("/api/v1/users/create", methods=["POST"])
    def create_user() -> Any:
        return jsonify(success=True)

    return app


def view_based_example() -> Flask:
    # docs/examples/decorator.md: the decorator with defaults, and with allow_headers.
    app = Flask(__name__)

    @app.route("/", methods=["GET"])
    @cross_origin()
    def hello_world() -> str:
        return "Hello CORS!"

    @app.route("/api/v1/users/create", methods=["GET", "POST"])
    @cross_origin(allow_headers=["Content-Type"])
    def cross_origin_json_post() -> Any:
        return jsonify(success=True)

    return app


def error_handler_example() -> Flask:
    # docs/examples/decorator.md, "Reading errors after a preflight request".
    app = Flask(__name__)

    @app.errorhandler(404)
    @cross_origin(origins=[ORIGIN], methods=["GET"], allow_headers=["X-Request-ID"])
    def not_found(error: Exception) -> Any:
        return {"error": "Not found"}, 404

    return app


def blueprints_example() -> Flask:
    # docs/examples/blueprints.md: CORS on one blueprint only.
    api_v1 = Blueprint("API_v1", __name__)
    CORS(api_v1)

    @api_v1.route("/api/v1/users/")
    def list_users() -> Any:
        return jsonify(user="joe")

    @api_v1.route("/api/v1/users/create", methods=["POST"])
    def create_user() -> Any:
        return jsonify(success=True)

    public_routes = Blueprint("public", __name__)

    @public_routes.route("/")
    def hello_world() -> str:
        return "Hello CORS!"

    app = Flask(__name__)
    app.register_blueprint(api_v1)
    app.register_blueprint(public_routes)
    return app


def configured(config: dict[str, Any], routes_decorated: bool = False, **options: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)
    CORS(app, **options)
    default_routes(app)
    return app


def factory(**options: Any) -> Flask:
    cors = CORS(**options)
    app = Flask(__name__)
    cors.init_app(app)
    default_routes(app)
    return app


def decorator_over_config() -> Flask:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [ORIGIN]
    app.config["CORS_MAX_AGE"] = 600

    @app.route("/", methods=["GET", "PUT"])
    @cross_origin(methods=["GET", "PUT"])
    def index() -> str:
        return "x"

    return app


# -- the cases --------------------------------------------------------------------------------

ECHO = Seen(True, ORIGIN)
NONE = Seen(False, None)
PRE_PUT = Req("/", acrm="PUT", acrh="content-type")
ACAM, ACAH, ACEH, ACMA = (
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
)
ACAC, ACAPN = "Access-Control-Allow-Credentials", "Access-Control-Allow-Private-Network"

CASES: dict[str, Case] = {
    # README (docs/index.md)
    "readme-getting-started": Case(
        "docs/index.md, Getting Started: CORS(app)",
        app_with,
        (
            (Req("/"), ECHO, None),
            (PRE_PUT, ECHO, None),
            (Req("/", origin=EVIL), Seen(True, EVIL), None),
        ),
    ),
    "readme-cookies": Case(
        "docs/index.md, Using CORS with Cookies: CORS(app, supports_credentials=True)",
        lambda: app_with(supports_credentials=True),
        ((Req("/", origin=EVIL, credentials=True), Seen(True, EVIL, {ACAC: "true"}), None),),
        differs="every website could read signed-in users' data; migrating.md, 'now an error'",
        refused="would let every website read responses",
    ),
    # example pages
    "example-extension": Case(
        "docs/examples/extension.md (app_based_example.py)",
        app_based_example,
        (
            (Req("/api/v1/users/"), ECHO, None),
            (Req("/"), NONE, None),
            (Req("/api/v1/users/create", acrm="POST", acrh="content-type"), ECHO, None),
            (Req("/api/v1/users/create", method="POST"), ECHO, None),
        ),
    ),
    "example-decorator": Case(
        "docs/examples/decorator.md (view_based_example.py)",
        view_based_example,
        (
            (Req("/"), ECHO, None),
            (Req("/api/v1/users/create", acrm="POST", acrh="content-type"), ECHO, None),
            (Req("/api/v1/users/create", method="POST"), ECHO, None),
        ),
    ),
    "example-error-handler": Case(
        "docs/examples/decorator.md, Reading errors after a preflight request",
        error_handler_example,
        (
            (Req("/missing", acrm="GET", acrh="x-request-id"), ECHO, None),
            (Req("/missing"), ECHO, None),
            (Req("/missing", origin=EVIL), Seen(False, None), None),
        ),
    ),
    "example-blueprints": Case(
        "docs/examples/blueprints.md (blueprints_based_example.py)",
        blueprints_example,
        (
            (Req("/api/v1/users/"), ECHO, None),
            (Req("/api/v1/users/create", acrm="POST", acrh="content-type"), ECHO, None),
            (Req("/"), NONE, None),
        ),
    ),
    # API reference: resources (dict, iterable or string)
    "resources-dict": Case(
        "CORS docstring, resources: dict of pattern -> options",
        lambda: app_with(resources={r"/api/*": {"origins": [ORIGIN]}}),
        ((Req("/api/v1/users"), ECHO, None), (Req("/other"), NONE, None)),
    ),
    "resources-list": Case(
        "CORS docstring, resources: list of regexes",
        lambda: app_with(resources=[r"/api/*", r"/other"]),
        ((Req("/api/v1/users"), ECHO, None), (Req("/other"), ECHO, None), (Req("/"), NONE, None)),
    ),
    "resources-string": Case(
        "CORS docstring, resources: one regex string",
        lambda: app_with(resources=r"/api/.*"),
        ((Req("/api/v1/users"), ECHO, None), (Req("/"), NONE, None)),
    ),
    "resources-most-specific": Case(
        "CORS docstring, note: patterns sorted by length, a wildcard fallback for the rest",
        lambda: app_with(
            resources={
                r"/*": {"origins": "*", "send_wildcard": True},
                r"/api/*": {"origins": [ORIGIN]},
            }
        ),
        ((Req("/api/v1/users"), ECHO, None), (Req("/other"), Seen(True, "*"), None)),
    ),
    # origins (list, string or regex; case-sensitive strings, or an asterisk)
    "origins-star": Case(
        "CORS docstring, origins: '*' (the default)",
        lambda: app_with(origins="*"),
        ((Req("/"), ECHO, None),),
    ),
    "origins-string": Case(
        "CORS docstring, origins: a string",
        lambda: app_with(origins=ORIGIN),
        ((Req("/"), ECHO, None), (Req("/", origin=EVIL), NONE, None)),
    ),
    "origins-list": Case(
        "CORS docstring, origins: a list",
        lambda: app_with(origins=[ORIGIN, "http://localhost:3000"]),
        (
            (Req("/"), ECHO, None),
            (Req("/", origin="http://localhost:3000"), Seen(True, "http://localhost:3000"), None),
            (Req("/", origin=EVIL), NONE, None),
        ),
    ),
    "origins-compiled-regex": Case(
        "CORS docstring, origins: a regex (compiled)",
        lambda: app_with(origins=re.compile(r"https://.*\.example")),
        (
            (Req("/"), ECHO, None),
            (Req("/", origin="http://client.example"), NONE, None),
            (Req("/", origin=LOOKALIKE), Seen(True, LOOKALIKE), NONE),
        ),
        differs="regexes match the whole origin, not a prefix; migrating.md, 'Matching'",
    ),
    "origins-regex-string": Case(
        "CORS docstring, origins: a regular expression (string)",
        lambda: app_with(origins=r"https://.*\.example"),
        ((Req("/"), ECHO, None), (Req("/", origin=LOOKALIKE), Seen(True, LOOKALIKE), NONE)),
        differs="regexes match the whole origin, not a prefix; migrating.md, 'Matching'",
    ),
    "origins-no-origin-header": Case(
        "CORS docstring, origins list with always_send (default): a request without Origin",
        lambda: app_with(origins=[ORIGIN]),
        ((Req("/", origin=None), Seen(False, ORIGIN), Seen(False, None)),),
        differs="no allow-list is sent to requests without Origin; migrating.md, 'Responses'",
    ),
    # methods (list or string)
    "methods-list": Case(
        "CORS docstring, methods: a list",
        lambda: app_with(methods=["GET", "PUT"]),
        ((PRE_PUT, ECHO, None), (Req("/", acrm="DELETE"), Seen(False, ORIGIN), Seen(False, None))),
        differs="a refused preflight gets 403 without grant headers; migrating.md, 'Responses'",
    ),
    "methods-string": Case(
        "CORS docstring, methods: a string",
        lambda: app_with(methods="GET, PUT"),
        ((PRE_PUT, ECHO, None),),
    ),
    # expose_headers (list or string)
    "expose-headers-list": Case(
        "CORS docstring, expose_headers: a list",
        lambda: app_with(expose_headers=["X-Total"]),
        ((Req("/"), Seen(True, ORIGIN, {ACEH: "X-Total"}), None),),
    ),
    "expose-headers-string": Case(
        "CORS docstring, expose_headers: a string",
        lambda: app_with(expose_headers="X-Total"),
        ((Req("/"), Seen(True, ORIGIN, {ACEH: "X-Total"}), None),),
    ),
    # allow_headers (list, string or regex; '*' the default)
    "allow-headers-star": Case(
        "CORS docstring, allow_headers: '*' (the default)",
        lambda: app_with(),
        ((Req("/", acrm="PUT", acrh="x-anything, content-type"), ECHO, None),),
    ),
    "allow-headers-list": Case(
        "CORS docstring, allow_headers: a list",
        lambda: app_with(allow_headers=["Content-Type", "X-Token"]),
        (
            (Req("/", acrm="PUT", acrh="content-type, x-token"), ECHO, None),
            (Req("/", acrm="PUT", acrh="x-other"), Seen(False, ORIGIN), Seen(False, None)),
        ),
        differs="a preflight asking for a header not allowed gets 403; migrating.md, 'Responses'",
    ),
    "allow-headers-string": Case(
        "CORS docstring, allow_headers: a string",
        lambda: app_with(allow_headers="Content-Type"),
        ((Req("/", acrm="PUT", acrh="content-type"), ECHO, None),),
    ),
    "allow-headers-regex-string": Case(
        "CORS docstring, allow_headers: a regular expression (string)",
        lambda: app_with(allow_headers=r"X-Custom-.*"),
        ((Req("/", acrm="PUT", acrh="x-custom-id"), ECHO, None),),
    ),
    "allow-headers-compiled-regex": Case(
        "CORS docstring, allow_headers: a regex (compiled)",
        lambda: app_with(allow_headers=[re.compile(r"x-custom-.*")]),
        ((Req("/", acrm="PUT", acrh="x-custom-id"), ECHO, None),),
    ),
    # supports_credentials, max_age, send_wildcard, vary_header
    "supports-credentials-with-origins": Case(
        "CORS docstring, supports_credentials=True (never with a '*' origin)",
        lambda: app_with(supports_credentials=True, origins=[ORIGIN]),
        (
            (Req("/", credentials=True), Seen(True, ORIGIN, {ACAC: "true"}), None),
            (
                Req("/", acrm="PUT", acrh="content-type", credentials=True),
                Seen(True, ORIGIN, {ACAC: "true"}),
                None,
            ),
        ),
    ),
    "max-age-int": Case(
        "CORS docstring, max_age: an integer",
        lambda: app_with(max_age=600),
        ((PRE_PUT, Seen(True, ORIGIN, {ACMA: "600"}), None),),
    ),
    "max-age-string": Case(
        "CORS docstring, max_age: a string",
        lambda: app_with(max_age="600"),
        ((PRE_PUT, Seen(True, ORIGIN, {ACMA: "600"}), None),),
    ),
    "max-age-timedelta": Case(
        "CORS docstring, max_age: a timedelta",
        lambda: app_with(max_age=datetime.timedelta(minutes=10)),
        ((PRE_PUT, Seen(True, ORIGIN, {ACMA: "600"}), None),),
    ),
    "send-wildcard": Case(
        "CORS docstring, send_wildcard=True with origins '*'",
        lambda: app_with(send_wildcard=True),
        ((Req("/"), Seen(True, "*"), None), (PRE_PUT, Seen(True, "*"), None)),
    ),
    "vary-header-false": Case(
        "CORS docstring, vary_header=False: Vary is never added",
        lambda: app_with(vary_header=False, origins=[ORIGIN, "http://localhost:3000"]),
        ((Req("/"), Seen(True, ORIGIN, {"Vary": None}), None),),
    ),
    "vary-header-single-origin": Case(
        "CORS docstring, vary_header=True (default) with one listed origin",
        lambda: app_with(origins=[ORIGIN]),
        ((Req("/"), Seen(True, ORIGIN, {"Vary": None}), Seen(True, ORIGIN, {"Vary": "Origin"})),),
        differs="Vary: Origin whenever ACAO depends on Origin (F41); migrating.md, 'Responses'",
    ),
    # decorator options
    "decorator-defaults": Case(
        "cross_origin docstring: @cross_origin() allows every origin",
        decorated(),
        ((Req("/"), ECHO, None), (PRE_PUT, ECHO, None)),
    ),
    "decorator-automatic-options": Case(
        "cross_origin docstring, automatic_options=True: OPTIONS gets CORS headers",
        decorated(origins=[ORIGIN], methods=["GET", "POST"]),
        (
            (Req("/", acrm="POST", acrh="content-type"), ECHO, None),
            (Req("/", method="OPTIONS"), ECHO, None),
        ),
    ),
    "decorator-over-app-config": Case(
        "cross_origin docstring and configuration page: the decorator over CORS_* config",
        decorator_over_config,
        (
            (Req("/", acrm="PUT"), Seen(True, ORIGIN, {ACMA: "600"}), None),
            (Req("/", origin=EVIL), NONE, None),
        ),
    ),
    # configuration page: keys, locations, precedence
    "config-keys": Case(
        "configuration page: CORS_* keys in app.config",
        lambda: configured(
            {
                "CORS_ORIGINS": [ORIGIN],
                "CORS_METHODS": ["GET", "PUT"],
                "CORS_ALLOW_HEADERS": ["Content-Type"],
                "CORS_EXPOSE_HEADERS": ["X-Total"],
                "CORS_SUPPORTS_CREDENTIALS": True,
                "CORS_MAX_AGE": 600,
            }
        ),
        (
            (Req("/", credentials=True), Seen(True, ORIGIN, {ACAC: "true", ACEH: "X-Total"}), None),
            (
                Req("/", acrm="PUT", acrh="content-type", credentials=True),
                Seen(True, ORIGIN, {ACMA: "600"}),
                None,
            ),
        ),
    ),
    "config-resources": Case(
        "configuration page: CORS_RESOURCES",
        lambda: configured({"CORS_RESOURCES": {r"/api/*": {"origins": [ORIGIN]}}}),
        ((Req("/api/v1/users"), ECHO, None), (Req("/"), NONE, None)),
    ),
    "config-precedence": Case(
        "configuration page: resource options > keyword arguments > app config > defaults",
        lambda: configured(
            {"CORS_ORIGINS": ["https://config.example"], "CORS_MAX_AGE": 5},
            origins=["https://kwarg.example"],
            resources={r"/api/*": {"origins": [ORIGIN]}, r"/other": {}},
        ),
        (
            (Req("/api/v1/users"), ECHO, None),
            (
                Req("/other", origin="https://kwarg.example"),
                Seen(True, "https://kwarg.example"),
                None,
            ),
            (Req("/other", origin="https://config.example"), NONE, None),
        ),
    ),
    "init-app": Case(
        "CORS docstring: options given to CORS() then init_app(app)",
        lambda: factory(origins=[ORIGIN]),
        ((Req("/"), ECHO, None), (Req("/", origin=EVIL), NONE, None)),
    ),
    "intercept-exceptions": Case(
        "configuration page, CORS_INTERCEPT_EXCEPTIONS (default True): error responses",
        lambda: app_with(origins=[ORIGIN]),
        ((Req("/api/missing"), ECHO, None),),
    ),
    "always-send-any-origin": Case(
        "configuration page, CORS_ALWAYS_SEND (default True) with origins '*'",
        lambda: app_with(),
        ((Req("/", origin=None), Seen(False, "*"), None),),
    ),
    "allow-private-network": Case(
        "CORS options, allow_private_network=True",
        lambda: app_with(allow_private_network=True),
        ((PRE_PUT._replace(private_network=True), Seen(True, ORIGIN, {ACAPN: "true"}), None),),
    ),
}


def _run(case: Case) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # regex strings do not warn (item 2)
        if case.refused is not None:
            with pytest.raises(ConfigError, match=case.refused):
                case.build()
            return
        app = case.build()
    for req, fc6, ours in case.requests:
        expected = fc6 if ours is None else ours
        got = seen(send(app, req), req, expected.headers)
        assert got == expected, (req, got, expected)


IDS = [f"{'same' if case.differs is None else 'differs'}-{name}" for name, case in CASES.items()]


@pytest.mark.parametrize("name", list(CASES), ids=IDS)
def test_flask_cors_6_documented_form(name: str) -> None:
    """Drop-in issue, "Done means": flask-cors 6's documented forms and examples, measured."""
    case = CASES[name]
    if case.differs is None:
        assert all(ours is None for _, _, ours in case.requests) and case.refused is None
    else:
        # A declared difference must be one: our expected answer is not flask-cors 6's.
        assert case.refused is not None or any(
            ours is not None and ours != fc6 for _, fc6, ours in case.requests
        )
    _run(case)
