"""Refusals made visible: the ``cors_refused`` signal and the ``log_refusals`` option (issue 12).

Every adapter path is exercised: the middleware's ordinary responses and preflights, the
decorator used without ``CORS(app)``, blueprint and view policies, and preflights the app
answers itself (``automatic_options=False``).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Blueprint, Flask, abort

import flask_crossorigin
from flask_crossorigin import CORS, ConfigError, cors_refused, cross_origin
from flask_crossorigin._adapter import state_for
from flask_crossorigin._reporting import CAPACITY

A = "https://a.test"
EVIL = "https://evil.test"


def make_app(**options: Any) -> Flask:
    app = Flask(__name__)

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> str:
        return "items"

    @app.route("/api/boom")
    def boom() -> str:
        abort(500)

    @app.route("/other")
    def other() -> str:
        return "other"

    CORS(app, resources={r"/api/*": {"origins": [A], "methods": ["GET", "POST"]}}, **options)
    return app


def preflight_headers(
    origin: str, method: str = "PUT", headers: str | None = None
) -> dict[str, str]:
    result = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        result["Access-Control-Request-Headers"] = headers
    return result


# -- the signal ---------------------------------------------------------------------------------


def test_the_signal_is_public_and_a_blinker_signal() -> None:
    assert flask_crossorigin.cors_refused is cors_refused
    assert "cors_refused" in flask_crossorigin.__all__
    assert cors_refused.name == "cors-refused"
    assert hasattr(cors_refused, "connect_via")


def test_refused_actual_request_sends_exactly_the_documented_arguments(refusals) -> None:
    app = make_app()
    response = app.test_client().get("/api/items", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert refusals == [
        {
            "sender": app,
            "origin": EVIL,
            "method": "GET",
            "path": "/api/items",
            "preflight": False,
            "reason": "origin_not_allowed",
            "policy": "resource '/api/*'",
            "report_only": False,
        }
    ]


def test_refused_preflight_sends_the_requested_method(refusals) -> None:
    app = make_app()
    response = app.test_client().options("/api/items", headers=preflight_headers(A, "PUT"))
    assert response.status_code == 403
    assert refusals == [
        {
            "sender": app,
            "origin": A,
            "method": "PUT",
            "path": "/api/items",
            "preflight": True,
            "reason": "method_not_allowed",
            "policy": "resource '/api/*'",
            "report_only": False,
        }
    ]


def test_preflight_refused_for_a_header(refusals) -> None:
    app = Flask(__name__)
    CORS(app, origins=[A], allow_headers=["Content-Type"])

    @app.route("/x", methods=["POST"])
    def x() -> str:
        return "x"

    app.test_client().options("/x", headers=preflight_headers(A, "POST", "x-token"))
    assert [(r["reason"], r["preflight"], r["method"]) for r in refusals] == [
        ("header_not_allowed", True, "POST")
    ]


def test_nothing_is_sent_for_allowed_requests_no_origin_or_uncovered_paths(refusals) -> None:
    client = make_app().test_client()
    client.get("/api/items", headers={"Origin": A})
    client.options("/api/items", headers=preflight_headers(A, "POST"))
    client.get("/api/items")  # no Origin
    client.post("/api/items")  # no Origin, a method that could have been refused
    client.get("/other", headers={"Origin": EVIL})  # no policy covers /other
    client.options("/other", headers=preflight_headers(EVIL))
    assert refusals == []


def test_error_responses_are_reported_too(refusals) -> None:
    app = make_app()
    app.test_client().get("/api/boom", headers={"Origin": EVIL})
    app.test_client().get("/api/missing", headers={"Origin": EVIL})
    assert [(r["path"], r["reason"]) for r in refusals] == [
        ("/api/boom", "origin_not_allowed"),
        ("/api/missing", "origin_not_allowed"),
    ]


def test_one_send_per_refused_request(refusals) -> None:
    client = make_app().test_client()
    for _ in range(5):
        client.get("/api/items", headers={"Origin": EVIL})
    assert len(refusals) == 5  # the signal is not rate-limited; only the log line is


def test_origin_is_escaped_and_cut_to_200_characters(refusals) -> None:
    app = make_app()
    hostile = "https://e\x01vil.test" + "x" * 400
    app.test_client().get("/api/items", headers={"Origin": hostile})
    (sent,) = refusals
    assert sent["origin"].startswith("https://e\\x01vil.test")
    assert len(sent["origin"]) == 200
    assert "\x01" not in sent["origin"]
    assert sent["reason"] == "origin_malformed"


def test_non_ascii_origin_is_escaped(refusals) -> None:
    app = make_app()
    environ = {"HTTP_ORIGIN": "https://bücher.test".encode().decode("latin1")}
    app.test_client().get("/api/items", environ_overrides=environ)
    (sent,) = refusals
    assert sent["origin"].isascii()
    assert "\\x" in sent["origin"]


def test_the_sender_is_the_app_so_connect_via_filters(refusals) -> None:
    first, second = make_app(), make_app()
    mine: list[str] = []

    def only_first(sender: Flask, **kwargs: Any) -> None:
        mine.append(kwargs["origin"])

    cors_refused.connect(only_first, sender=first)
    try:
        second.test_client().get("/api/items", headers={"Origin": EVIL})
        first.test_client().get("/api/items", headers={"Origin": EVIL})
    finally:
        cors_refused.disconnect(only_first, sender=first)
    assert mine == [EVIL]
    assert [r["sender"] for r in refusals] == [second, first]


def test_blueprint_policy(refusals) -> None:
    app = Flask(__name__)
    bp = Blueprint("shop", __name__)

    @bp.route("/cart")
    def cart() -> str:
        return "cart"

    CORS(bp, origins=[A])
    app.register_blueprint(bp, url_prefix="/shop")
    client = app.test_client()
    client.get("/shop/cart", headers={"Origin": EVIL})
    client.options("/shop/cart", headers=preflight_headers(EVIL, "GET"))
    assert [(r["policy"], r["preflight"]) for r in refusals] == [
        ("blueprint 'shop' resource '/*'", False),
        ("blueprint 'shop' resource '/*'", True),
    ]


def test_view_policy_with_cors_app(refusals) -> None:
    app = Flask(__name__)

    @app.route("/v", methods=["GET", "POST"])
    @cross_origin(origins=[A])
    def v() -> str:
        return "v"

    CORS(app, resources={})
    client = app.test_client()
    client.get("/v", headers={"Origin": EVIL})
    client.options("/v", headers=preflight_headers(EVIL, "POST"))
    assert [(r["policy"], r["preflight"], r["method"]) for r in refusals] == [
        ("@cross_origin on view 'v'", False, "GET"),
        ("@cross_origin on view 'v'", True, "POST"),
    ]


def test_decorator_without_cors_app(refusals) -> None:
    app = Flask(__name__)

    @app.route("/v", methods=["GET", "PUT"])
    @cross_origin(origins=[A], methods=["GET"])
    def v() -> str:
        return "v"

    client = app.test_client()
    assert "flask_crossorigin" not in app.extensions or not state_for(app).has_middleware
    client.get("/v", headers={"Origin": EVIL})
    # PUT, not POST: a preflight for a safelisted method is never refused for its method (F15).
    client.options("/v", headers=preflight_headers(A, "PUT"))
    client.get("/v", headers={"Origin": A})
    assert [(r["sender"], r["policy"], r["preflight"], r["reason"]) for r in refusals] == [
        (app, "@cross_origin on view 'v'", False, "origin_not_allowed"),
        (app, "@cross_origin on view 'v'", True, "method_not_allowed"),
    ]


def test_preflight_the_app_answers_itself(refusals) -> None:
    app = Flask(__name__)
    CORS(app, origins=[A], automatic_options=False)

    @app.route("/x", methods=["GET", "PUT"])
    def x() -> str:
        return "x"

    response = app.test_client().options("/x", headers=preflight_headers(EVIL, "PUT"))
    assert response.status_code == 200  # Flask's own OPTIONS answer
    assert [(r["preflight"], r["method"], r["reason"]) for r in refusals] == [
        (True, "PUT", "origin_not_allowed")
    ]


def test_a_receiver_that_raises_never_becomes_a_500(caplog) -> None:
    app = make_app()

    def broken(sender: Flask, **kwargs: Any) -> None:
        raise RuntimeError("metrics backend down")

    cors_refused.connect(broken)
    try:
        with caplog.at_level(logging.ERROR, logger="flask_crossorigin"):
            actual = app.test_client().get("/api/items", headers={"Origin": EVIL})
            pre = app.test_client().options("/api/items", headers=preflight_headers(EVIL, "GET"))
    finally:
        cors_refused.disconnect(broken)
    assert actual.status_code == 200
    assert pre.status_code == 403
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert all("cors_refused receiver raised" in r.getMessage() for r in errors)


# -- log_refusals ---------------------------------------------------------------------------------


def test_log_refusals_is_off_by_default(caplog, refusal_warnings) -> None:
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        make_app().test_client().get("/api/items", headers={"Origin": EVIL})
    assert refusal_warnings() == []


def test_log_refusals_logs_one_warning_with_escaped_values(caplog, refusal_warnings) -> None:
    app = make_app(log_refusals=True)
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        environ = {"HTTP_ORIGIN": "https://evil.test\r\nX: y"}
        app.test_client().get("/api/items", environ_overrides=environ)
    (line,) = refusal_warnings()
    assert "\r" not in line and "\n" not in line
    assert '"https://evil.test\\r\\nX: y"' in line
    assert "origin_malformed" in line
    assert "resource '/api/*'" in line
    assert line.startswith('CORS refused request "GET" "/api/items" from origin ')


def test_log_refusals_rate_limit_per_origin_reason_and_policy(
    caplog, monkeypatch, refusal_warnings
) -> None:
    app = make_app(log_refusals=True)
    memory = state_for(app).refusals
    now = [1000.0]
    monkeypatch.setattr(memory, "_clock", lambda: now[0])
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        for _ in range(3):
            client.get("/api/items", headers={"Origin": EVIL})
        assert len(refusal_warnings()) == 1
        client.options("/api/items", headers=preflight_headers(A, "PUT"))  # another reason
        client.get("/api/items", headers={"Origin": "https://other.test"})  # another origin
        assert len(refusal_warnings()) == 3
        now[0] += 599
        client.get("/api/items", headers={"Origin": EVIL})
        assert len(refusal_warnings()) == 3
        now[0] += 1
        client.get("/api/items", headers={"Origin": EVIL})
        assert len(refusal_warnings()) == 4


def test_log_refusals_memory_is_per_app_and_bounded(caplog, refusal_warnings) -> None:
    first, second = make_app(log_refusals=True), make_app(log_refusals=True)
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        first.test_client().get("/api/items", headers={"Origin": EVIL})
        second.test_client().get("/api/items", headers={"Origin": EVIL})
    assert len(refusal_warnings()) == 2  # each app logs its own first refusal
    client = first.test_client()
    for i in range(CAPACITY + 50):
        client.get("/api/items", headers={"Origin": f"https://x{i}.test"})
    assert len(state_for(first).refusals) == CAPACITY
    assert len(state_for(second).refusals) == 1
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        client.get("/api/items", headers={"Origin": EVIL})  # forgotten first: logged again
        client.get("/api/items", headers={"Origin": f"https://x{CAPACITY + 49}.test"})
    assert len(refusal_warnings()) == 1


def test_log_refusals_per_resource_config_and_decorator(caplog, refusal_warnings) -> None:
    app = Flask(__name__)
    app.config["CORS_LOG_REFUSALS"] = False
    CORS(
        app,
        resources={
            r"/loud/*": {"origins": [A], "log_refusals": True},
            r"/quiet/*": {"origins": [A]},
        },
    )

    @app.route("/loud/x")
    def loud() -> str:
        return "x"

    @app.route("/quiet/x")
    def quiet() -> str:
        return "x"

    @app.route("/view")
    @cross_origin(origins=[A], log_refusals=True)
    def view() -> str:
        return "x"

    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        for path in ("/loud/x", "/quiet/x", "/view"):
            client.get(path, headers={"Origin": EVIL})
    lines = refusal_warnings()
    assert len(lines) == 2
    assert "resource '/loud/*'" in lines[0]
    assert "@cross_origin on view 'view'" in lines[1]


def test_cors_log_refusals_config_key(caplog, refusal_warnings) -> None:
    app = Flask(__name__)
    app.config["CORS_LOG_REFUSALS"] = True
    CORS(app, origins=[A])

    @app.route("/x")
    def x() -> str:
        return "x"

    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        app.test_client().get("/x", headers={"Origin": EVIL})
    assert len(refusal_warnings()) == 1


def test_log_refusals_on_the_decorator_alone(caplog, refusal_warnings) -> None:
    app = Flask(__name__)

    @app.route("/v", methods=["GET", "PUT"])
    @cross_origin(origins=[A], methods=["GET"], log_refusals=True)
    def v() -> str:
        return "v"

    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        app.test_client().options("/v", headers=preflight_headers(A, "PUT"))
    (line,) = refusal_warnings()
    assert line.startswith('CORS refused preflight for "PUT" "/v" from origin "https://a.test"')


def test_log_refusals_must_be_a_boolean() -> None:
    app = Flask(__name__)
    with pytest.raises(ConfigError, match="log_refusals='yes' must be True or False"):
        CORS(app, log_refusals="yes")
    with pytest.raises(ConfigError, match="log_refusals"):
        cross_origin(log_refusals="no")


def test_docs_list_every_server_reason_id() -> None:
    from pathlib import Path

    from flask_crossorigin.policy import Reason

    docs = Path(__file__).parents[1] / "docs"
    table = (docs / "operating.md").read_text(encoding="utf-8").split("## Server reason ids")[1]
    documented = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `")}
    refusals = {reason.value for reason in Reason} - {"allowed", "no_origin"}
    assert documented == refusals
    options = (docs / "options.md").read_text(encoding="utf-8")
    assert "| `log_refusals` | `CORS_LOG_REFUSALS` | bool | `False` |" in options
