"""``@cross_origin`` through Flask's test client, with and without ``CORS(app)``, on sync and
``async def`` views. Rule ids refer to docs/fetch-rules.md."""

from __future__ import annotations

import warnings

import pytest
from flask import Flask, Response, request

from flask_crossorigin import CORS, ConfigError, cross_origin

A = "https://a.test"
B = "https://b.test"
EVIL = "https://evil.test"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
ACRPN = "Access-Control-Request-Private-Network"

DEFAULT_ACAM = "GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"
PREFLIGHT_VARY = ["origin", "access-control-request-method", "access-control-request-headers"]


def decorated_app(*, with_extension: bool, is_async: bool, **options: object):
    """An app with one decorated view at /d (GET, PUT) that counts its calls."""
    app = Flask(__name__)
    calls: list[str] = []
    if is_async:

        @app.route("/d", methods=["GET", "PUT"])
        @cross_origin(**options)
        async def d() -> str:
            calls.append(request.method)
            return "d"

    else:

        @app.route("/d", methods=["GET", "PUT"])
        @cross_origin(**options)
        def d() -> str:
            calls.append(request.method)
            return "d"

    if with_extension:
        CORS(app, resources={})
    return app, calls


MODES = pytest.mark.parametrize(
    ("with_extension", "is_async"),
    [(False, False), (False, True), (True, False), (True, True)],
    ids=["decorator-only", "decorator-only-async", "with-CORS", "with-CORS-async"],
)


@MODES
def test_actual_request(with_extension, is_async, grants, vary):
    app, calls = decorated_app(with_extension=with_extension, is_async=is_async, origins=[A])
    client = app.test_client()
    r = client.get("/d", headers={"Origin": A})
    assert r.status_code == 200
    assert r.get_data(as_text=True) == "d"
    assert grants(r) == {ACAO: [A]}
    assert vary(r) == ["origin"]
    r = client.get("/d", headers={"Origin": EVIL})
    assert r.status_code == 200
    assert grants(r) == {}
    assert vary(r) == ["origin"]  # F41
    r = client.get("/d")
    assert grants(r) == {}
    assert vary(r) == ["origin"]
    assert calls == ["GET", "GET", "GET"]


@MODES
def test_preflight_allowed_and_refused_never_run_the_view(
    with_extension, is_async, preflight, grants, vary
):
    app, calls = decorated_app(
        with_extension=with_extension,
        is_async=is_async,
        origins=[A],
        supports_credentials=True,
        allow_headers=["Content-Type", "X-Token"],
        max_age=90,
    )
    client = app.test_client()
    r = preflight(client, "/d", A, "PUT", "X-Token")
    assert r.status_code == 204
    assert r.get_data() == b""
    assert grants(r) == {
        ACAO: [A],
        ACAC: ["true"],
        ACAM: [DEFAULT_ACAM],
        ACAH: ["x-token"],
        ACMA: ["90"],
    }
    assert sorted(vary(r)) == sorted(PREFLIGHT_VARY)
    for origin, method, headers in [(EVIL, "PUT", None), (A, "PUT", "x-other")]:
        r = preflight(client, "/d", origin, method, headers)
        assert r.status_code == 403
        assert grants(r) == {}
    assert calls == []


@MODES
def test_credentials_and_expose_headers(with_extension, is_async, grants):
    app, _ = decorated_app(
        with_extension=with_extension,
        is_async=is_async,
        origins=[A, B],
        supports_credentials=True,
        expose_headers=["X-Total"],
    )
    r = app.test_client().put("/d", headers={"Origin": B})
    assert grants(r) == {ACAO: [B], ACAC: ["true"], ACEH: ["X-Total"]}


def test_bare_decorator_uses_defaults(grants, preflight):
    app = Flask(__name__)

    @app.route("/bare")
    @cross_origin
    def bare() -> str:
        return "bare"

    client = app.test_client()
    assert grants(client.get("/bare", headers={"Origin": A})) == {ACAO: [A]}
    r = preflight(client, "/bare", A, "PATCH", "x-a")
    assert r.status_code == 204
    assert grants(r) == {ACAO: [A], ACAM: [DEFAULT_ACAM], ACAH: ["x-a"]}


def test_decorator_policy_wins_over_cors_app(preflight, grants):
    app = Flask(__name__)

    @app.route("/api/special")
    @cross_origin(origins=[B], max_age=30)
    def special() -> str:
        return "special"

    @app.route("/api/plain")
    def plain() -> str:
        return "plain"

    CORS(app, origins=[A], expose_headers="X-From-App", max_age=600)
    client = app.test_client()
    assert grants(client.get("/api/special", headers={"Origin": B})) == {ACAO: [B]}
    assert grants(client.get("/api/special", headers={"Origin": A})) == {}
    r = preflight(client, "/api/special", B)
    assert r.status_code == 204
    assert r.headers.getlist(ACMA) == ["30"]
    assert preflight(client, "/api/special", A).status_code == 403
    # Other views keep the app's policy.
    assert grants(client.get("/api/plain", headers={"Origin": A})) == {
        ACAO: [A],
        ACEH: ["X-From-App"],
    }
    assert grants(client.get("/api/plain", headers={"Origin": B})) == {}
    # Only one set of headers on the decorated view (the extension does not add its own too).
    r = client.get("/api/special", headers={"Origin": B})
    assert r.headers.getlist(ACAO) == [B]
    assert ACEH not in r.headers


@pytest.mark.parametrize("with_extension", [False, True])
def test_precedence_decorator_kwargs_over_config_over_defaults(with_extension, preflight):
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=[A], CORS_MAX_AGE=100, CORS_EXPOSE_HEADERS="X-Config")

    @app.route("/own")
    @cross_origin(origins=[B])
    def own() -> str:
        return "own"

    @app.route("/cfg")
    @cross_origin()
    def cfg() -> str:
        return "cfg"

    if with_extension:
        CORS(app, resources={}, origins=[EVIL], max_age=5)  # CORS() kwargs do not reach it
    client = app.test_client()
    r = client.get("/own", headers={"Origin": B})
    assert r.headers.getlist(ACAO) == [B]
    assert r.headers.getlist(ACEH) == ["X-Config"]
    assert ACAO not in client.get("/own", headers={"Origin": A}).headers
    assert preflight(client, "/own", B).headers.getlist(ACMA) == ["100"]
    assert client.get("/cfg", headers={"Origin": A}).headers.getlist(ACAO) == [A]
    assert ACAO not in client.get("/cfg", headers={"Origin": EVIL}).headers


def test_one_decorated_view_in_two_apps_reads_each_apps_config(grants):
    @cross_origin(expose_headers="X-Shared")
    def shared() -> str:
        return "shared"

    apps = []
    for origin in (A, B):
        app = Flask(__name__)
        app.config["CORS_ORIGINS"] = [origin]
        app.add_url_rule("/shared", view_func=shared)
        apps.append(app)
    first, second = (app.test_client() for app in apps)
    assert grants(first.get("/shared", headers={"Origin": A})) == {ACAO: [A], ACEH: ["X-Shared"]}
    assert grants(first.get("/shared", headers={"Origin": B})) == {}
    assert grants(second.get("/shared", headers={"Origin": B})) == {ACAO: [B], ACEH: ["X-Shared"]}
    assert grants(second.get("/shared", headers={"Origin": A})) == {}


def test_with_cors_app_preflight_is_answered_before_auth_hooks(preflight, grants):
    app = Flask(__name__)
    hook_calls = []

    @app.before_request
    def auth() -> Response | None:
        hook_calls.append(request.method)
        return Response("login", status=401)

    @app.route("/d", methods=["DELETE"])
    @cross_origin(origins=[A], supports_credentials=True)
    def d() -> str:
        return "d"

    CORS(app, resources={})
    r = preflight(app.test_client(), "/d", A, "DELETE", "authorization")
    assert r.status_code == 204  # F3, F36
    assert grants(r) == {
        ACAO: [A],
        ACAC: ["true"],
        ACAM: [DEFAULT_ACAM],
        ACAH: ["authorization"],
    }
    assert hook_calls == []


@pytest.mark.parametrize("with_extension", [False, True])
def test_automatic_options_false_runs_the_views_own_options(with_extension, preflight, grants):
    app = Flask(__name__)
    calls = []

    @app.route("/own", methods=["GET", "PUT", "OPTIONS"])
    @cross_origin(origins=[A], methods=["GET", "PUT"], automatic_options=False)
    def own() -> Response:
        calls.append(request.method)
        return Response("mine", headers={"X-Own": "1"})

    if with_extension:
        CORS(app, resources={})
    r = preflight(app.test_client(), "/own", A, "PUT", "x-a")
    assert calls == ["OPTIONS"]
    assert r.status_code == 200
    assert r.get_data(as_text=True) == "mine"
    assert grants(r) == {ACAO: [A], ACAM: ["GET, PUT"], ACAH: ["x-a"]}


@pytest.mark.parametrize("with_extension", [False, True])
def test_options_without_request_method_gets_flasks_ordinary_answer(with_extension, grants):
    """F2: an OPTIONS without ACRM is not a preflight. Under automatic_options (the default)
    the decorator answers it as Flask's automatic OPTIONS handler would, with CORS headers: the
    route's own method list is merged with required_methods by Flask, so it cannot be told apart
    from a route that never listed OPTIONS (the same rule as flask-cors)."""
    app = Flask(__name__)
    calls = []

    @app.route("/opt", methods=["GET", "OPTIONS"])
    @cross_origin(origins=[A])
    def opt() -> Response:
        calls.append(request.method)
        return Response("view's OPTIONS", headers={"X-View": "1"})

    if with_extension:
        CORS(app, resources={})
    r = app.test_client().options("/opt", headers={"Origin": A})
    assert calls == []
    assert r.status_code == 200
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert grants(r) == {ACAO: [A]}


@pytest.mark.parametrize("with_extension", [False, True])
def test_options_without_request_method_reaches_a_view_that_owns_options(with_extension, grants):
    """F2: with automatic_options=False the view's own OPTIONS handler runs, headers added."""
    app = Flask(__name__)
    calls = []

    @app.route("/opt", methods=["GET", "OPTIONS"])
    @cross_origin(origins=[A], automatic_options=False)
    def opt() -> Response:
        calls.append(request.method)
        return Response("view's OPTIONS", headers={"X-View": "1"})

    if with_extension:
        CORS(app, resources={})
    r = app.test_client().options("/opt", headers={"Origin": A})
    assert calls == ["OPTIONS"]
    assert r.get_data(as_text=True) == "view's OPTIONS"
    assert r.headers.get("X-View") == "1"
    assert grants(r) == {ACAO: [A]}


@pytest.mark.parametrize("with_extension", [False, True])
def test_options_without_request_method_on_a_view_without_options(with_extension, grants):
    app = Flask(__name__)
    calls = []

    @app.route("/get-only")
    @cross_origin(origins=[A])
    def get_only() -> str:
        calls.append(request.method)
        return "get"

    if with_extension:
        CORS(app, resources={})
    r = app.test_client().options("/get-only", headers={"Origin": A})
    assert r.status_code == 200  # Flask's own automatic OPTIONS answer
    assert "GET" in r.headers.get("Allow", "")
    assert grants(r) == {ACAO: [A]}
    assert calls == []


@MODES
def test_vary_merged_and_view_headers_respected(with_extension, is_async, vary):
    app = Flask(__name__)

    if is_async:

        @app.route("/v")
        @cross_origin(origins=[A], supports_credentials=True)
        async def v() -> Response:
            return Response("v", headers={"Vary": "Accept-Encoding", ACAO: "https://fixed.test"})

    else:

        @app.route("/v")
        @cross_origin(origins=[A], supports_credentials=True)
        def v() -> Response:
            return Response("v", headers={"Vary": "Accept-Encoding", ACAO: "https://fixed.test"})

    if with_extension:
        CORS(app)
    r = app.test_client().get("/v", headers={"Origin": A})
    assert r.headers.getlist(ACAO) == ["https://fixed.test"]
    assert ACAC not in r.headers  # never paired with the view's own ACAO
    assert vary(r) == ["accept-encoding", "origin"]


@pytest.mark.parametrize("with_extension", [False, True])
def test_send_wildcard_and_vary_header_false(with_extension, vary):
    app = Flask(__name__)

    @app.route("/w")
    @cross_origin(send_wildcard=True)
    def w() -> str:
        return "w"

    @app.route("/nv")
    @cross_origin(origins=[A], vary_header=False)
    def nv() -> str:
        return "nv"

    if with_extension:
        CORS(app, resources={})
    client = app.test_client()
    assert client.get("/w", headers={"Origin": A}).headers.getlist(ACAO) == ["*"]
    r = client.get("/nv", headers={"Origin": A})
    assert r.headers.getlist(ACAO) == [A]
    assert vary(r) == []
    assert vary(client.get("/nv", headers={"Origin": EVIL})) == []


@pytest.mark.parametrize("with_extension", [False, True])
def test_private_network(with_extension, preflight):
    app = Flask(__name__)

    @app.route("/pn", methods=["PUT"])
    @cross_origin(origins=[A], allow_private_network=True)
    def pn() -> str:
        return "pn"

    @app.route("/no-pn", methods=["PUT"])
    @cross_origin(origins=[A])
    def no_pn() -> str:
        return "no-pn"

    if with_extension:
        CORS(app, resources={})
    client = app.test_client()
    assert preflight(client, "/pn", A, **{ACRPN: "true"}).headers.getlist(ACAPN) == ["true"]
    assert ACAPN not in preflight(client, "/pn", A).headers
    assert ACAPN not in preflight(client, "/no-pn", A, **{ACRPN: "true"}).headers
    assert ACAPN not in preflight(client, "/pn", EVIL, **{ACRPN: "true"}).headers


# --- decoration-time errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"max_age": -1},
        {"max_age": 86401},
        {"max_age": "1h"},
        {"origins": "example.com"},
        {"origins": "https://example.com/path"},
        {"supports_credentials": "yes"},
        {"methods": "GET POST"},
        {"allow_headers": "x a"},
    ],
)
def test_bad_values_raise_config_error_at_decoration_time(options):
    with pytest.raises(ConfigError):
        cross_origin(**options)


@pytest.mark.parametrize(
    "options",
    [
        {"origins": "*", "supports_credentials": True},  # F40: credentials need a listed origin
        {"origins": [A], "supports_credentials": True, "expose_headers": "*"},  # F24
    ],
)
def test_impossible_combinations_given_to_the_decorator_fail_at_decoration_time(options):
    """Every value here is the decorator's own, and its kwargs beat app config, so nothing an
    app could configure later changes the verdict: set-up time is decoration time."""
    with pytest.raises(ConfigError):
        cross_origin(**options)


def test_impossible_combination_fails_at_set_up_with_cors_app():
    app = Flask(__name__)

    @app.route("/x")
    @cross_origin(supports_credentials=True)  # origins default to '*'
    def x() -> str:
        return "x"

    with pytest.raises(ConfigError):
        CORS(app)


@pytest.mark.parametrize("with_extension", [False, True])
def test_impossible_combination_registered_after_cors_app_fails_at_the_first_request(
    with_extension,
):
    """Only the app config can decide it (CORS_ORIGINS may name the trusted origins), and a view
    registered after CORS(app) is known to us only once the app serves: from the first request
    on, that view raises the ConfigError (a 500 in production) and every other route keeps
    working (migration issue item 3)."""
    app = Flask(__name__)
    app.testing = True
    if with_extension:
        CORS(app, resources={r"/api/*": {}})

    @app.route("/other")
    def other() -> str:
        return "other"

    @app.route("/x")
    @cross_origin(supports_credentials=True)  # origins default to '*'
    def x() -> str:
        return "x"

    client = app.test_client()
    for _ in range(2):  # and every request after it: the view is refused, never half-served
        assert client.get("/other", headers={"Origin": A}).data == b"other"
        with pytest.raises(ConfigError, match="supports_credentials") as info:
            client.get("/x", headers={"Origin": A})
        assert str(info.value).startswith("@cross_origin on view 'x', over the app's CORS_* config")
        assert info.value.code == "cors.E020" and info.value.option == "origins"


def test_credentials_with_origins_from_the_app_config_work(grants):
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [A]

    @app.route("/x")
    @cross_origin(supports_credentials=True)
    def x() -> str:
        return "x"

    CORS(app, resources={})
    client = app.test_client()
    assert grants(client.get("/x", headers={"Origin": A})) == {ACAO: [A], ACAC: ["true"]}
    assert grants(client.get("/x", headers={"Origin": B})) == {}


@pytest.mark.parametrize(
    ("options", "wrong", "right"),
    [
        ({"orgins": [A]}, "orgins", "origins"),
        ({"max_agee": 5}, "max_agee", "max_age"),
        ({"resources": r"/api/*"}, "resources", None),  # an extension-only option
    ],
)
def test_unknown_option_is_a_type_error_naming_it(options, wrong, right):
    with pytest.raises(TypeError) as info:
        cross_origin(**options)
    assert wrong in str(info.value)
    if right:
        assert right in str(info.value)


def test_positional_arguments_are_refused():
    with pytest.raises(TypeError):
        cross_origin("https://a.test")  # type: ignore[call-overload]


def test_legacy_spellings_warn_and_work(preflight, grants):
    app = Flask(__name__)
    with pytest.deprecated_call():
        deco = cross_origin(origin=A, headers=["Content-Type", "Authorization"])

    @app.route("/legacy", methods=["POST"])
    @deco
    def legacy() -> str:
        return "legacy"

    client = app.test_client()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        r = preflight(client, "/legacy", A, "POST", "authorization,content-type")
    assert r.status_code == 204
    assert r.headers.getlist(ACAH) == ["authorization, content-type"]  # F16: listed explicitly
    assert preflight(client, "/legacy", B, "POST").status_code == 403
    assert grants(client.post("/legacy", headers={"Origin": A})) == {ACAO: [A]}


def test_deprecation_warning_points_at_the_callers_line():
    with pytest.warns(DeprecationWarning) as record:
        cross_origin(headers="X-A")
    assert [w.filename for w in record] == [__file__]


def test_decorated_view_registered_after_a_served_preflight_still_wins(preflight, grants):
    """Flask refuses new routes once it has served a request. If a preflight was answered without
    Flask noticing, a view added afterwards must still get its own policy, not the app's."""
    app = Flask(__name__)
    CORS(app, origins=[A])
    client = app.test_client()
    assert preflight(client, "/api/late", A).status_code == 204

    def late() -> str:
        return "late"

    try:
        app.add_url_rule("/api/late", view_func=cross_origin(origins=[B])(late), methods=["PUT"])
    except AssertionError:
        return  # Flask refused the late route: nothing can be answered with a stale policy
    r = preflight(client, "/api/late", B)
    assert r.status_code == 204
    assert grants(r)[ACAO] == [B]
    assert preflight(client, "/api/late", A).status_code == 403


def test_overlapping_requests_the_middleware_never_saw_each_get_their_headers_once(caplog):
    """Decorated views alone, behind a server handed the inner ``app.wsgi_app``: while one such
    request is in flight, a second one and a request through the installed middleware each get
    their own policy's headers exactly once, and the request_finished receiver stays connected
    until the last unseen request has finished, then is dropped."""
    import threading

    from flask import request_finished
    from werkzeug.test import Client

    app = Flask(__name__)
    entered, release = threading.Event(), threading.Event()

    @app.get("/slow")
    @cross_origin(origins=[A])
    def slow() -> str:
        entered.set()
        assert release.wait(10)
        return "slow"

    @app.get("/fast")
    @cross_origin(origins=[B])
    def fast() -> str:
        return "fast"

    inner = Client(app.wsgi_app)  # captured before the middleware is installed
    answers: dict[str, Response] = {}
    worker = threading.Thread(
        target=lambda: answers.update(slow=inner.get("/slow", headers={"Origin": A}))
    )
    worker.start()
    try:
        assert entered.wait(10)
        second = inner.get("/fast", headers={"Origin": B})  # unseen too, while /slow runs
        seen = app.test_client().get("/fast", headers={"Origin": B})  # through the middleware
        assert list(request_finished.receivers_for(app))  # /slow has not finished yet
    finally:
        release.set()
        worker.join(10)
    assert second.headers.getlist(ACAO) == [B]
    assert seen.headers.getlist(ACAO) == [B]
    assert answers["slow"].headers.getlist(ACAO) == [A]
    assert not list(request_finished.receivers_for(app))
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # nothing failed quietly
