"""Edges of the adapter's machinery (flask_crossorigin._adapter, _compat, the middleware): bounded
memos, host matching, hostile environs, unusual request classes, the careful merge path."""

from __future__ import annotations

import contextvars
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, Request, Response

from flask_crossorigin import CORS, _adapter, _compat, _memo, cross_origin
from flask_crossorigin._adapter import AppState, peek_state, plan_of, state_for
from flask_crossorigin._wsgi import write_headers
from flask_crossorigin.options import build_policy, check_names, merge

A = "https://a.test"
PREFLIGHT = {"Origin": A, "Access-Control-Request-Method": "PUT"}


def decorated_app() -> Flask:
    app = Flask(__name__)
    CORS(app, resources={r"/other/*": {}})

    @app.route("/v", methods=["GET", "PUT"])
    @cross_origin(origins=[A])
    def v() -> str:
        return "v"

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    return app


def test_memos_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _memo.Memo.__init__

    def small(self: Any, entries: int) -> None:
        real(self, 2)

    monkeypatch.setattr(_memo.Memo, "__init__", small)
    app = decorated_app()
    client = app.test_client()
    for i in range(5):  # distinct paths: every memo fills and starts again
        assert client.options(f"/v?{i}", headers=PREFLIGHT).status_code == 204
        client.options(f"/nowhere/{i}", headers=PREFLIGHT)
        client.options(f"/v/../other/{i}", headers=PREFLIGHT)
        client.get("/plain")
        client.get(f"/missing/{i}")
    plan = plan_of(app)
    assert 0 < len(plan.routes) <= 2 and len(plan.ambiguous) <= 2


def test_preflight_routing_with_host_matching() -> None:
    app = Flask(__name__, host_matching=True, static_host="static.test")
    CORS(app, resources={r"/other/*": {}})

    @app.route("/v", host="api.test", methods=["GET", "PUT"])
    @cross_origin(origins=[A])
    def v() -> str:
        return "v"

    client = app.test_client()
    on_api = client.options("/v", headers=PREFLIGHT, base_url="http://api.test")
    assert on_api.status_code == 204
    elsewhere = client.options("/v", headers=PREFLIGHT, base_url="http://other.test")
    assert "Access-Control-Allow-Origin" not in elsewhere.headers  # no route, no policy there


def test_untrusted_host_is_routed_nowhere() -> None:
    app = decorated_app()
    app.config["TRUSTED_HOSTS"] = ["good.test"]
    client = app.test_client()
    r = client.options("/v", headers=PREFLIGHT, base_url="http://evil.test")
    assert r.status_code < 500  # Flask refuses the host (or, before 3.1, ignores the setting)


def test_a_request_class_with_a_narrow_signature() -> None:
    class Narrow(Request):
        def __init__(self, environ: dict[str, Any]) -> None:
            super().__init__(environ)

    app = decorated_app()
    app.request_class = Narrow
    assert app.test_client().options("/v", headers=PREFLIGHT).status_code == 204


def test_preflight_for_a_method_no_route_serves_takes_the_paths_view() -> None:
    app = decorated_app()
    headers = {**PREFLIGHT, "Access-Control-Request-Method": "DELETE"}
    r = app.test_client().options("/v", headers=headers)
    assert r.status_code == 204  # the decorated view's policy (default methods include DELETE)
    assert r.headers["Access-Control-Allow-Origin"] == A


def test_a_path_werkzeug_cannot_decode_is_left_to_flask() -> None:
    app = decorated_app()
    environ = {
        "REQUEST_METHOD": "OPTIONS",
        "PATH_INFO": "/\u0100",  # not latin-1: no WSGI server sends it
        "HTTP_ORIGIN": A,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
    }
    assert plan_of(app).resolve_environ(environ, "PUT") is None


def test_unhandled_mark_outside_a_request_does_nothing() -> None:
    _adapter._mark_unhandled(Flask(__name__), exception=RuntimeError("x"))


def test_state_for_a_state_stored_meanwhile() -> None:
    app = Flask(__name__)
    existing = AppState(app)

    class Racing(dict):  # type: ignore[type-arg]
        def get(self, key: Any, default: Any = None) -> Any:
            return None  # as if another thread stored its state after our look

    app.extensions = Racing({"flask_crossorigin": existing})
    assert state_for(app) is existing
    assert peek_state(Flask(__name__)) is not peek_state(Flask(__name__))


def test_inner_middleware_answering_itself_is_covered_by_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Flask(__name__)
    inner = app.wsgi_app

    def static_files(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"].startswith("/static-like/"):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"file"]
        return inner(environ, start_response)

    app.wsgi_app = static_files  # type: ignore[method-assign]
    CORS(app, origins=[A])
    caplog.set_level(logging.DEBUG, logger="flask_crossorigin")
    r = app.test_client().get("/static-like/x.txt", headers={"Origin": A})
    assert r.headers["Access-Control-Allow-Origin"] == A
    assert any("/static-like/x.txt" in record.getMessage() for record in caplog.records)


def test_careful_merge_without_vary() -> None:
    layer = check_names(
        {"vary_header": False, "origins": [A]},
        allowed=frozenset({"vary_header", "origins"}),
        where="t",
    )
    policy = build_policy(merge(layer))
    decision = policy.actual(A)
    assert decision.vary == ()
    items = [("Vary", "Accept"), ("Content-Type", "text/plain")]
    write_headers(items, decision, policy)
    assert items == [
        ("Vary", "Accept"),
        ("Content-Type", "text/plain"),
        ("Access-Control-Allow-Origin", A),
    ]


def test_decorator_alone_merges_into_a_views_own_vary() -> None:
    app = Flask(__name__)

    @app.get("/v")
    @cross_origin(origins=[A])
    def v() -> Response:
        return Response("v", headers={"Vary": "Accept"})

    client = app.test_client()
    for _ in range(2):  # written from request_finished, then by the middleware it installed
        r = client.get("/v", headers={"Origin": A})
        assert r.headers["Access-Control-Allow-Origin"] == A
        assert r.headers.getlist("Vary") == ["Accept, Origin"]


@pytest.mark.parametrize("factory", ["from_request_context_var", "from_app_context_var"])
def test_each_context_variable_shape(factory: str) -> None:
    """Both shapes run on whichever Flask is installed (the matrix runs each for real)."""
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("ctx")
    current, both = getattr(_compat, factory)(var)
    app, other = Flask("a"), Flask("b")
    request = object()
    assert current(app) is None
    with pytest.raises(RuntimeError):
        both()
    token = var.set(SimpleNamespace(app=app, request=request, has_request=True))
    try:
        assert current(app) is request
        assert current(other) is None
        assert both() == (app, request)
    finally:
        var.reset(token)
    if factory == "from_app_context_var":  # an app context without a request
        token = var.set(SimpleNamespace(app=app, request=None, has_request=False))
        try:
            assert current(app) is None
            with pytest.raises(RuntimeError):
                both()
        finally:
            var.reset(token)


def test_a_405_on_a_redirect_rule_takes_the_paths_resource() -> None:
    """A path whose only rule redirects (``redirect_to``) matched under a method it does not
    allow: routing under an allowed method only redirects, so no view is found, and both the
    preflight and the routing 405 take the resource the path matches."""
    app = Flask(__name__)
    app.add_url_rule("/old", endpoint="old", redirect_to="/new")
    CORS(app, resources={"/old": {"origins": [A], "methods": ["DELETE"]}})

    @app.get("/new")
    @cross_origin(origins=["https://b.test"])  # a decorated view: the app routes preflights
    def new() -> str:
        return "new"

    client = app.test_client()
    preflight = client.options(
        "/old", headers={"Origin": A, "Access-Control-Request-Method": "DELETE"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == A
    assert preflight.headers["Access-Control-Allow-Methods"] == "DELETE"
    actual = client.delete("/old", headers={"Origin": A})
    assert actual.status_code == 405
    assert actual.headers["Access-Control-Allow-Origin"] == A


def test_a_routing_405_naming_no_allowed_method_takes_the_paths_policy() -> None:
    """A URL converter that refuses a value with a bare 405 (no allowed methods to route with)
    leaves no view to find: the request takes the policy its path matches, not the decorated
    view's, and nothing fails."""
    from werkzeug.exceptions import MethodNotAllowed
    from werkzeug.routing import BaseConverter

    class Refusing(BaseConverter):
        def to_python(self, value: str) -> Any:
            raise MethodNotAllowed()

    app = Flask(__name__)
    app.url_map.converters["refusing"] = Refusing
    CORS(app, origins=[A])

    @app.get("/p/<refusing:key>")
    @cross_origin(origins=["https://b.test"])
    def p(key: Any) -> str:
        return "p"

    client = app.test_client()
    actual = client.get("/p/1", headers={"Origin": A})
    assert actual.status_code == 405
    assert actual.headers["Access-Control-Allow-Origin"] == A
    preflight = client.options(
        "/p/1", headers={"Origin": A, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == A


def test_report_only_trial_leaves_an_undecodable_path_to_flask() -> None:
    """A PATH_INFO that is not latin-1 (no WSGI server sends one) has no path to try the
    report-only policy on: the trial reports nothing and leaves the request to Flask, which
    fails on it exactly as it does without the trial."""
    from werkzeug.test import EnvironBuilder

    from flask_crossorigin import cors_refused

    def send(app: Flask) -> None:
        builder = EnvironBuilder(path="/x", headers={"Origin": "https://evil.test"})
        environ = builder.get_environ()
        builder.close()
        environ["PATH_INFO"] = "/\u0100"
        b"".join(app.wsgi_app(environ, lambda status, headers, exc_info=None: None))

    plain = Flask(__name__)
    with pytest.raises(UnicodeEncodeError) as without_trial:
        send(plain)
    trial = Flask(__name__)
    CORS(trial, report_only=True, origins=[A])
    refusals: list[dict[str, Any]] = []

    def record(sender: Flask, **kwargs: Any) -> None:
        refusals.append(kwargs)

    cors_refused.connect(record, sender=trial, weak=False)
    try:
        with pytest.raises(UnicodeEncodeError) as with_trial:
            send(trial)
    finally:
        cors_refused.disconnect(record, sender=trial)
    assert str(with_trial.value) == str(without_trial.value)
    assert refusals == []
