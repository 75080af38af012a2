"""The security issue's adapter items, each pinned on every adapter path it concerns.

The paths: the middleware (``CORS(app)``), a blueprint policy (``CORS(bp)``), ``@cross_origin``
with and without ``CORS(app)``, and a report-only policy. Each test names its item of the
security issue ("item 3", ...); docs/security.md states the rules. Rule ids (F1-F44) refer to
docs/fetch-rules.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask, Response

from flask_crossorigin import CORS, cors_refused, cross_origin
from flask_crossorigin._adapter import plan_of, state_for
from flask_crossorigin._memo import memos_of
from flask_crossorigin._routing import endpoint_for
from flask_crossorigin.diagnosis import environ_for

A = "https://a.example"
EVIL = "https://evil.example"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACMA = "Access-Control-Max-Age"


def _fresh() -> Flask:
    app = Flask(__name__)
    app.testing = True
    return app


# -- the paths ------------------------------------------------------------------------------------

Setup = Callable[[Flask, dict[str, Any]], None]


def _middleware(app: Flask, options: dict[str, Any]) -> None:
    @app.get("/x")
    def x() -> str:
        return "secret"

    CORS(app, **options)


def _decorator_alone(app: Flask, options: dict[str, Any]) -> None:
    @app.get("/x")
    @cross_origin(**options)
    def x() -> str:
        return "secret"


def _decorator_with_cors(app: Flask, options: dict[str, Any]) -> None:
    @app.get("/x")
    @cross_origin(**options)
    def x() -> str:
        return "secret"

    CORS(app, origins=["https://other.example"])


def _blueprint(app: Flask, options: dict[str, Any]) -> None:
    bp = Blueprint("bp", __name__)

    @bp.get("/x")
    def x() -> str:
        return "secret"

    CORS(bp, **options)
    app.register_blueprint(bp)


PATHS: dict[str, Setup] = {
    "middleware": _middleware,
    "decorator-alone": _decorator_alone,
    "decorator-with-CORS(app)": _decorator_with_cors,
    "blueprint": _blueprint,
}


def _hook_sets_credentials(app: Flask) -> None:
    @app.after_request
    def hook(response: Response) -> Response:
        response.headers[ACAC] = "true"
        return response


# -- item 3: the decorator alone never reflects next to an app-set credentials header --


@pytest.mark.parametrize("path", PATHS)
def test_item_3_app_set_credentials_under_any_origin_get_a_wildcard(path: str) -> None:
    """Security issue item 3: an after_request hook's ACAC: true never gets the origin reflected
    beside it under the default any-origin policy, on every path (F13: '*' refuses credentials).
    """
    app = _fresh()
    PATHS[path](app, {})
    _hook_sets_credentials(app)
    client = app.test_client()
    for _ in range(3):  # the decorator alone: its first request, then through its middleware
        response = client.get("/x", headers={"Origin": EVIL})
        assert response.headers.getlist(ACAO) == ["*"]
        assert response.headers.getlist(ACAC) == ["true"]


@pytest.mark.parametrize("path", PATHS)
def test_item_3_a_view_that_sets_credentials_itself_gets_a_wildcard(path: str) -> None:
    """Security issue item 3: the view's own ACAC (a tuple's headers) is treated the same."""
    app = _fresh()
    options: dict[str, Any] = {}
    bp = Blueprint("bp", __name__)
    target: Any = bp if path == "blueprint" else app

    def view() -> Any:
        return "secret", 200, {ACAC: "true"}

    if path.startswith("decorator"):
        view = cross_origin(**options)(view)
    target.add_url_rule("/x", "x", view)
    if path == "middleware":
        CORS(app)
    elif path == "decorator-with-CORS(app)":
        CORS(app, origins=["https://other.example"])
    elif path == "blueprint":
        CORS(bp)
        app.register_blueprint(bp)
    client = app.test_client()
    for _ in range(3):
        response = client.get("/x", headers={"Origin": EVIL})
        assert response.headers.getlist(ACAO) == ["*"]


def test_item_3_decorator_alone_error_responses_and_hooks_go_through_the_merge_rule() -> None:
    """Security issue item 3: a response Flask builds from the view's error gets the headers once
    the hooks ran, so the merge rule sees a hook's ACAC there too."""
    app = _fresh()
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    @cross_origin()
    def boom() -> str:
        raise RuntimeError("boom")

    _hook_sets_credentials(app)
    client = app.test_client()
    for _ in range(2):
        response = client.get("/boom", headers={"Origin": EVIL})
        assert response.status_code == 500
        assert response.headers.getlist(ACAO) == ["*"]


def test_item_3_decorator_alone_respects_a_hook_that_sets_its_own_origin() -> None:
    """Security issue item 3: the decorator alone writes after the hooks, as the middleware does:
    a response that already has ACAO gets only Vary merged (one ACAO, the app's)."""
    app = _fresh()

    @app.get("/x")
    @cross_origin()
    def x() -> str:
        return "x"

    @app.after_request
    def hook(response: Response) -> Response:
        response.headers[ACAO] = A
        return response

    client = app.test_client()
    for _ in range(2):
        response = client.get("/x", headers={"Origin": EVIL})
        assert response.headers.getlist(ACAO) == [A]
        assert "Origin" in response.headers.get("Vary", "")


def test_item_3_decorator_alone_preflight_with_a_hook_that_sets_credentials() -> None:
    """Security issue item 3: the decorator's own preflight answer goes through the same rule."""
    app = _fresh()

    @app.route("/x", methods=["PUT"])
    @cross_origin()
    def x() -> str:
        return "x"

    _hook_sets_credentials(app)
    client = app.test_client()
    for _ in range(2):
        response = client.options(
            "/x", headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"}
        )
        assert response.status_code == 204
        assert response.headers.getlist(ACAO) == ["*"]


def test_item_3_report_only_never_changes_a_response() -> None:
    """Security issue item 3, report-only path: a report-only policy writes no header at all,
    so the app's own ACAC stays alone (nothing is reflected beside it)."""
    app = _fresh()

    @app.get("/x")
    def x() -> str:
        return "x"

    _hook_sets_credentials(app)
    CORS(app, report_only=True, origins=[A])
    response = app.test_client().get("/x", headers={"Origin": EVIL})
    assert ACAO not in response.headers
    assert response.headers.getlist(ACAC) == ["true"]


def test_item_3_decorator_alone_installs_its_middleware_and_drops_the_receiver() -> None:
    """Security issue item 3: the decorator alone writes after the hooks on its first request
    (Flask's request_finished) and, from then on, through the middleware it installed, so the
    app pays no signal receiver per request."""
    from flask import request_finished

    from flask_crossorigin._middleware import CORSMiddleware

    app = _fresh()
    _decorator_alone(app, {})
    _hook_sets_credentials(app)
    assert not isinstance(app.wsgi_app, CORSMiddleware)
    client = app.test_client()
    first = client.get("/x", headers={"Origin": EVIL})
    assert isinstance(app.wsgi_app, CORSMiddleware)
    assert not list(request_finished.receivers_for(app))
    finisher = state_for(app).finisher
    assert finisher is not None  # removed from the signal altogether, not only for this app:
    assert all(receiver is not finisher for receiver in request_finished.receivers.values())
    second = client.get("/x", headers={"Origin": EVIL})
    assert first.headers.getlist(ACAO) == second.headers.getlist(ACAO) == ["*"]


def test_item_3_decorator_alone_behind_a_server_handed_the_inner_wsgi_app() -> None:
    """Security issue item 3: where a server was handed ``app.wsgi_app`` itself (so the
    middleware never runs), every request is written from request_finished, after the hooks."""
    from werkzeug.test import Client

    app = _fresh()
    _decorator_alone(app, {})
    _hook_sets_credentials(app)
    inner = Client(app.wsgi_app)  # captured before the middleware is installed
    for _ in range(3):
        response = inner.get("/x", headers={"Origin": EVIL})
        assert response.headers.getlist(ACAO) == ["*"]
        assert response.headers.getlist(ACAC) == ["true"]
    allowed = Flask(__name__)
    _decorator_alone(allowed, {"origins": [A]})
    client = Client(allowed.wsgi_app)
    for _ in range(2):
        assert client.get("/x", headers={"Origin": A}).headers.getlist(ACAO) == [A]
        assert ACAO not in client.get("/x", headers={"Origin": EVIL}).headers


# -- item 4: "open to any origin" means one thing --

OPEN_ORIGINS = {
    "star": "*",
    "compiled-catch-all": re.compile(r".*"),
    "compiled-any-https": re.compile(r"https://.+"),
    "public-suffix-glob": "https://*.vercel.app",
    "null": ["null", A],
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("spelling", OPEN_ORIGINS)
def test_item_4_every_spelling_of_any_origin_gets_a_wildcard_next_to_app_credentials(
    path: str, spelling: str
) -> None:
    """Security issue item 4: the merge rule's "open to any origin" is the set-up check's: a
    catch-all regex, a public-suffix glob and a listed ``null`` count like ``*``."""
    app = _fresh()
    PATHS[path](app, {"origins": OPEN_ORIGINS[spelling]})
    _hook_sets_credentials(app)
    origin = "https://someone.vercel.app" if spelling == "public-suffix-glob" else EVIL
    if spelling == "null":
        origin = "null"
    client = app.test_client()
    for _ in range(2):
        response = client.get("/x", headers={"Origin": origin})
        assert response.headers.getlist(ACAO) == ["*"]


@pytest.mark.parametrize("path", PATHS)
def test_item_4_a_specific_allow_list_keeps_the_reflected_origin(path: str) -> None:
    """Security issue item 4: a policy that names sites is not "open to any origin"."""
    app = _fresh()
    PATHS[path](app, {"origins": [A, "https://*.a.example", re.compile(r"https://[a-z]+\.a\.ex")]})
    _hook_sets_credentials(app)
    response = app.test_client().get("/x", headers={"Origin": A})
    assert response.headers.getlist(ACAO) == [A]


# -- item 10: a failing log handler never breaks a response --


class FailingHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        raise RuntimeError("the log sink is down")

    def handleError(self, record: logging.LogRecord) -> None:
        raise RuntimeError("and so is its error handling")


def _failing_filter(record: logging.LogRecord) -> bool:
    raise RuntimeError("a filter that raises")


@pytest.fixture(params=["handler", "filter"])
def broken_logging(request: pytest.FixtureRequest) -> Iterator[None]:
    logger = logging.getLogger("flask_crossorigin")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    if request.param == "handler":
        handler: logging.Handler = FailingHandler()
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
    else:
        logger.addFilter(_failing_filter)
        try:
            yield
        finally:
            logger.removeFilter(_failing_filter)
            logger.setLevel(level)


@pytest.mark.parametrize("path", PATHS)
def test_item_10_a_failing_log_handler_never_breaks_a_refusal(
    path: str, broken_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Security issue item 10: with log_refusals on and DEBUG on, a handler or filter that raises
    leaves the response as decided (the view's body, no grant); never a 500."""
    app = _fresh()
    PATHS[path](app, {"origins": [A], "log_refusals": True})
    client = app.test_client()
    for _ in range(2):  # the first refusal per window is the one that logs
        response = client.get("/x", headers={"Origin": EVIL})
        assert response.status_code == 200
        assert response.data == b"secret"
        assert ACAO not in response.headers
    allowed = client.get("/x", headers={"Origin": A})
    assert allowed.headers[ACAO] == A
    preflight = client.options(
        "/x", headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"}
    )
    assert preflight.status_code in (403, 200, 204)
    assert ACAO not in preflight.headers
    assert "Reporting a CORS decision failed" in capsys.readouterr().err


def test_item_10_report_only_with_a_failing_handler(broken_logging: None) -> None:
    """Security issue item 10, report-only path: its WARNING failing changes nothing."""
    app = _fresh()

    @app.get("/x")
    def x() -> str:
        return "x"

    CORS(app, report_only=True, origins=[A])
    response = app.test_client().get("/x", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert response.data == b"x"


def test_item_10_a_failing_receiver_and_a_failing_log_handler(broken_logging: None) -> None:
    """Security issue item 10: a cors_refused receiver that raises, logged through a handler
    that raises too, still leaves the response alone."""
    app = _fresh()
    _middleware(app, {"origins": [A]})

    def receiver(sender: Flask, **kwargs: Any) -> None:
        raise RuntimeError("receiver")

    cors_refused.connect(receiver, sender=app, weak=False)
    try:
        response = app.test_client().get("/x", headers={"Origin": EVIL})
    finally:
        cors_refused.disconnect(receiver, sender=app)
    assert response.status_code == 200
    assert ACAO not in response.headers


# -- item 11: a second CORS(app) recompiles everything over the config --


def test_item_11_second_cors_app_recompiles_decorated_views_blueprints_and_report_only() -> None:
    """Security issue item 11: after the config changed, CORS(app) again leaves nothing on the old
    values: decorated views, blueprint tables and the report-only table answer as a fresh app."""

    def build(*, again: bool) -> Flask:
        app = _fresh()
        if again:
            app.config["CORS_MAX_AGE"] = 100
        else:
            app.config.update(CORS_MAX_AGE=5, CORS_ORIGINS=[A])
        bp = Blueprint("bp", __name__)

        @bp.route("/b", methods=["PUT"])
        def b() -> str:
            return "b"

        CORS(bp)
        app.register_blueprint(bp)

        @app.route("/v", methods=["PUT"])
        @cross_origin()
        def v() -> str:
            return "v"

        CORS(app, resources={r"/r/*": {}})
        CORS(app, report_only=True, resources={r"/r/*": {}})
        if again:
            app.test_client().get("/v")  # the first request compiles what it has not yet
            app.config.update(CORS_MAX_AGE=5, CORS_ORIGINS=[A])
            CORS(app, resources={r"/r/*": {}})
        return app

    def answers(app: Flask) -> list[tuple[int, str | None, str | None]]:
        client = app.test_client()
        out = []
        for path in ("/v", "/b"):
            for origin in (A, EVIL):
                r = client.options(
                    path, headers={"Origin": origin, "Access-Control-Request-Method": "PUT"}
                )
                out.append((r.status_code, r.headers.get(ACMA), r.headers.get(ACAO)))
        return out

    fresh, again = build(again=False), build(again=True)
    assert answers(again) == answers(fresh)
    assert answers(again)[0] == (204, "5", A)
    assert answers(again)[1][2] is None  # the new CORS_ORIGINS applies to the decorated view

    # The report-only table is compiled again too: same refusals reported.
    for app in (fresh, again):
        seen: list[tuple[str, bool]] = []

        def receiver(sender: Flask, **kwargs: Any) -> None:
            seen.append((kwargs["policy"], kwargs["report_only"]))  # noqa: B023

        cors_refused.connect(receiver, sender=app, weak=False)
        try:
            app.test_client().get("/r/x", headers={"Origin": EVIL})
        finally:
            cors_refused.disconnect(receiver, sender=app)
        # Under the old config (any origin) the report-only policy would refuse nothing.
        assert sorted(flag for _, flag in seen) == [False, True]


def test_item_11_decorator_alone_keeps_working_after_cors_app_is_added() -> None:
    """Security issue item 11: a decorated view first served alone, then CORS(app) with a new
    config: the view's policy is compiled again over the new config."""
    app = _fresh()

    @app.route("/v", methods=["PUT"])
    @cross_origin()
    def v() -> str:
        return "v"

    app.config["CORS_MAX_AGE"] = 100
    client = app.test_client()
    headers = {"Origin": A, "Access-Control-Request-Method": "PUT"}
    assert client.options("/v", headers=headers).headers[ACMA] == "100"
    app.config["CORS_MAX_AGE"] = 5
    CORS(app)
    assert client.options("/v", headers=headers).headers[ACMA] == "5"


# -- item 2: memos keyed by request data are bounded in bytes --


def _preflight_app() -> Flask:
    app = _fresh()
    bp = Blueprint("bp", __name__)

    @bp.route("/b", methods=["PUT"])
    def b() -> str:
        return "b"

    CORS(bp, origins=[A])
    app.register_blueprint(bp)
    app.config["SERVER_NAME"] = None
    return app


@pytest.mark.parametrize(
    ("part", "headers"),
    [
        ("method", {"Access-Control-Request-Method": "M" * 200_000}),
        ("private-network", {"Access-Control-Request-Private-Network": "t" * 200_000}),
        ("origin", {"Origin": "https://" + "a" * 200_000 + ".example"}),
        ("request-headers", {"Access-Control-Request-Headers": "x-" + "a" * 200_000}),
    ],
)
def test_item_2_no_preflight_memo_keeps_a_key_part_longer_than_a_browser_sends(
    part: str, headers: dict[str, str]
) -> None:
    """Security issue item 2: the preflight memos (the policy's, and the adapter's routing memo)
    never keep a key with a part longer than a browser sends."""
    app = _preflight_app()
    client = app.test_client()
    sent = {"Origin": A, "Access-Control-Request-Method": "PUT", **headers}
    for i in range(5):
        response = client.options(f"/b?{i}", headers=sent)
        assert response.status_code in (204, 403)
    plan = plan_of(app)
    policy = plan.blueprint_tables["bp"].rows[0].value.policy
    for key in memos_of(policy)["preflight_memo"]:
        assert all(len(part or "") <= 512 for part in key), part
    for key in plan.routes:
        assert all(len(part) <= 1024 for part in key), part
    assert all(len(origin or "") <= 512 for origin in policy.decisions_by_origin)


def test_item_2_the_routing_memo_never_keeps_a_long_host() -> None:
    """Security issue item 2: with host matching the routing memo keys on Host: a long one is
    answered but never kept."""
    app = Flask(__name__, host_matching=True, static_host="api.example")

    @app.route("/b", methods=["PUT"], host="api.example")
    @cross_origin(origins=[A])  # a decorated view: preflights are routed, memo keyed on Host
    def b() -> str:
        return "b"

    CORS(app, origins=[A])
    client = app.test_client()
    long_host = "h" * 100_000
    client.options(
        "/b",
        headers={"Origin": A, "Access-Control-Request-Method": "PUT", "Host": long_host},
    )
    client.options(
        "/b", headers={"Origin": A, "Access-Control-Request-Method": "PUT", "Host": "api.example"}
    )
    routes = plan_of(app).routes
    assert routes, "a browser-sized key is kept"
    assert all(len(part) <= 1024 for key in routes for part in key)


def test_item_2_short_keys_are_still_memoised() -> None:
    """Security issue item 2: the bounds keep ordinary preflights on the memo (no slowdown)."""
    app = _preflight_app()
    client = app.test_client()
    client.options("/b", headers={"Origin": A, "Access-Control-Request-Method": "PUT"})
    plan = plan_of(app)
    policy = plan.blueprint_tables["bp"].rows[0].value.policy
    assert (A, "PUT", None, None) in memos_of(policy)["preflight_memo"]
    assert plan.routes


def test_item_2_an_overlong_method_is_routed_as_a_stand_in() -> None:
    """Security issue item 2: a requested method longer than any route declares is routed under a
    short stand-in, with the same answer (the endpoint the path matched), so the long value is
    never copied into routing's exceptions."""
    app = _preflight_app()
    client = app.test_client()
    long = "M" * 100_000
    response = client.options("/b", headers={"Origin": A, "Access-Control-Request-Method": long})
    assert response.status_code == 403  # routed to the blueprint's policy, method refused
    environ = environ_for(app, "/b", "OPTIONS")
    assert endpoint_for(app, environ, long, plan_of(app).routes) == "bp.b"
    assert endpoint_for(app, environ, "PUT", plan_of(app).routes) == "bp.b"
