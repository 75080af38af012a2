"""``CORS(app, report_only=True)``: trial a policy without enforcing it (issue 12)."""

from __future__ import annotations

import json
import logging
import random
from typing import Any, Callable

import pytest
from flask import Blueprint, Flask, abort, request

from flask_crossorigin import CORS, ConfigError, cross_origin
from flask_crossorigin._adapter import plan_of
from flask_crossorigin.cli import cors_cli

A = "https://a.test"
B = "https://b.test"
EVIL = "https://evil.test"


def routes(app: Flask) -> None:
    @app.before_request
    def login() -> Any:
        if request.path.startswith("/admin/") and "Authorization" not in request.headers:
            return {"error": "login required"}, 401
        return None

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> Any:
        return {"items": []}

    @app.route("/api/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.route("/api/gone")
    def gone() -> str:
        abort(410)

    @app.route("/admin/users", methods=["GET", "DELETE"])
    def users() -> Any:
        return {"users": []}

    @app.route("/slash/")
    def slash() -> str:
        return "slash"

    @app.route("/view", methods=["GET", "POST"])
    @cross_origin(origins=[A, B], methods=["GET", "POST"])
    def view() -> str:
        return "view"

    @app.route("/own")
    def own() -> Any:
        return "own", {"Access-Control-Allow-Origin": "*", "Vary": "Accept"}


def enforcing(app: Flask) -> None:
    CORS(
        app,
        resources={
            r"/api/*": {"origins": "*"},
            r"/admin/*": {"origins": [A], "supports_credentials": True},
            r"/own": {"origins": [A]},
        },
    )


def trial(app: Flask) -> None:
    CORS(
        app,
        report_only=True,
        resources={r"/*": {"origins": [A], "methods": ["GET"], "allow_headers": ["X-Token"]}},
    )


Build = Callable[[Flask], None]

ORIGINS = [None, A, B, EVIL, "null", "https://a.test.evil.test", "bad origin", ""]
PATHS = [
    "/api/items",
    "/api/boom",
    "/api/gone",
    "/api/missing",
    "/admin/users",
    "/slash",
    "/slash/",
    "/view",
    "/own",
    "/nowhere",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
HEADERS = [None, "content-type", "x-token", "authorization, x-token", "bad header"]


def requests_to_replay(count: int) -> list[dict[str, Any]]:
    rng = random.Random(12)
    result = []
    for _ in range(count):
        origin = rng.choice(ORIGINS)
        path = rng.choice(PATHS)
        headers: dict[str, str] = {}
        if origin is not None:
            headers["Origin"] = origin
        if rng.random() < 0.4:
            method = "OPTIONS"
            headers["Access-Control-Request-Method"] = rng.choice(METHODS)
            requested = rng.choice(HEADERS)
            if requested is not None:
                headers["Access-Control-Request-Headers"] = requested
        else:
            method = rng.choice(METHODS)
            if rng.random() < 0.2:
                headers["Authorization"] = "Bearer t"
        result.append({"path": path, "method": method, "headers": headers})
    return result


def replay(builders: list[Build], requests: list[dict[str, Any]]) -> list[Any]:
    app = Flask(__name__)
    routes(app)
    for build in builders:
        build(app)
    client = app.test_client()
    answers = []
    for item in requests:
        response = client.open(item["path"], method=item["method"], headers=item["headers"])
        # Headers compared as a multiset: their order carries no meaning, and a decorated view's
        # first request (before its middleware is in place) gets Content-Length after Vary.
        answers.append((response.status, sorted(response.headers.items()), response.get_data()))
    return answers


REQUESTS = requests_to_replay(600)


@pytest.mark.parametrize(
    ("without", "with_trial"),
    [
        ([enforcing], [enforcing, trial]),
        ([enforcing], [trial, enforcing]),  # order does not matter
        ([], [trial]),  # only decorated views and the report-only policy
    ],
    ids=["cors-then-trial", "trial-then-cors", "trial-alone"],
)
def test_report_only_never_changes_a_response(
    without: list[Build], with_trial: list[Build], refusals: list[dict[str, Any]]
) -> None:
    before = replay(without, REQUESTS)
    sent_before = len(refusals)
    after = replay(with_trial, REQUESTS)
    assert after == before  # status, every header in order, and the body: byte for byte
    trial_sends = [r for r in refusals[sent_before:] if r["report_only"]]
    assert len(trial_sends) > 100  # the trial really ran on these requests
    assert {r["preflight"] for r in trial_sends} == {True, False}
    statuses = {int(status.split(" ", 1)[0]) for status, _, _ in before}
    assert {204, 403, 500, 410} <= statuses


def make_app(enforce: bool = True) -> Flask:
    app = Flask(__name__)
    routes(app)
    if enforce:
        enforcing(app)
    trial(app)
    return app


def test_refusals_are_sent_with_report_only_and_the_report_only_label(refusals) -> None:
    app = make_app()
    response = app.test_client().get("/api/items", headers={"Origin": B})
    assert response.headers["Access-Control-Allow-Origin"] == B  # enforced: any origin
    assert refusals == [
        {
            "sender": app,
            "origin": B,
            "method": "GET",
            "path": "/api/items",
            "preflight": False,
            "reason": "origin_not_allowed",
            "policy": "report-only resource '/*'",
            "report_only": True,
        }
    ]


def test_preflights_are_tried_too(refusals) -> None:
    app = make_app()
    headers = {"Origin": A, "Access-Control-Request-Method": "PUT"}
    response = app.test_client().options("/api/items", headers=headers)
    assert response.status_code == 204  # the enforcing policy allows it
    assert [(r["preflight"], r["method"], r["reason"], r["report_only"]) for r in refusals] == [
        (True, "PUT", "method_not_allowed", True)
    ]
    refusals.clear()
    headers = {
        "Origin": A,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "content-type",
    }
    app.test_client().options("/api/items", headers=headers)
    assert [r["reason"] for r in refusals] == ["header_not_allowed"]


def test_both_policies_report_their_own_refusal(refusals) -> None:
    app = make_app()
    app.test_client().get("/admin/users", headers={"Origin": EVIL, "Authorization": "x"})
    assert sorted((r["report_only"], r["policy"]) for r in refusals) == [
        (False, "resource '/admin/*'"),
        (True, "report-only resource '/*'"),
    ]


def test_nothing_for_allowed_no_origin_or_uncovered(refusals) -> None:
    app = Flask(__name__)
    routes(app)
    CORS(app, report_only=True, resources={r"/api/*": {"origins": [A]}})
    client = app.test_client()
    client.get("/api/items", headers={"Origin": A})
    client.get("/api/items")
    client.get("/admin/users", headers={"Origin": EVIL})  # not covered by the trial
    assert refusals == []


def test_report_only_logs_whatever_log_refusals_says(caplog, refusal_warnings) -> None:
    app = make_app()
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        for _ in range(3):
            client.get("/api/items", headers={"Origin": EVIL})
    (line,) = refusal_warnings()  # rate-limited: one line for three requests
    assert line.startswith(
        'CORS report-only policy would refuse request "GET" "/api/items" from origin '
        '"https://evil.test": origin_not_allowed'
    )
    assert "report-only resource '/*'" in line


def test_report_only_with_log_refusals_false_still_logs(caplog, refusal_warnings) -> None:
    app = Flask(__name__)
    routes(app)
    CORS(app, report_only=True, origins=[A], log_refusals=False)
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        app.test_client().get("/api/items", headers={"Origin": EVIL})
    assert len(refusal_warnings()) == 1


def test_neither_replaces_the_other_and_a_second_trial_replaces_the_first(refusals) -> None:
    app = Flask(__name__)
    routes(app)
    CORS(app, report_only=True, origins=[A])
    CORS(app, origins=[B])
    plan = plan_of(app)
    assert plan.report_table is not None and plan.table is not None
    client = app.test_client()
    response = client.get("/api/items", headers={"Origin": B})
    assert response.headers["Access-Control-Allow-Origin"] == B
    assert [(r["report_only"], r["origin"]) for r in refusals] == [(True, B)]
    refusals.clear()
    CORS(app, report_only=True, origins=[B])  # replaces the first trial only
    response = client.get("/api/items", headers={"Origin": B})
    assert response.headers["Access-Control-Allow-Origin"] == B
    assert refusals == []
    response = client.get("/api/items", headers={"Origin": A})
    assert "Access-Control-Allow-Origin" not in response.headers  # enforced policy unchanged
    assert sorted(r["report_only"] for r in refusals) == [False, True]


def test_init_app_report_only_and_factory_pattern(refusals) -> None:
    cors = CORS(report_only=True, origins=[A])
    app = Flask(__name__)
    routes(app)
    cors.init_app(app)
    app.test_client().get("/api/items", headers={"Origin": EVIL})
    assert [r["report_only"] for r in refusals] == [True]
    refusals.clear()
    other = Flask(__name__)
    routes(other)
    CORS().init_app(other, report_only=True, origins=[A])
    other.test_client().get("/api/items", headers={"Origin": EVIL})
    assert [r["report_only"] for r in refusals] == [True]
    refusals.clear()
    third = Flask(__name__)
    routes(third)
    cors.init_app(third, report_only=False)  # init_app's value wins: enforcing
    response = third.test_client().get("/api/items", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert [r["report_only"] for r in refusals] == [False]


def test_the_middleware_is_installed_once() -> None:
    app = Flask(__name__)
    routes(app)
    CORS(app, report_only=True)
    first = app.wsgi_app
    CORS(app)
    CORS(app, report_only=True, origins=[A])
    assert app.wsgi_app is first


def test_report_only_is_refused_in_the_decorator_and_in_resources() -> None:
    with pytest.raises(TypeError, match="@cross_origin does not take 'report_only'"):
        cross_origin(report_only=True)
    app = Flask(__name__)
    with pytest.raises(TypeError, match=r"resources\['/api/\*'\] does not take 'report_only'"):
        CORS(app, resources={r"/api/*": {"report_only": True}})
    with pytest.raises(TypeError, match="report_only"):
        CORS(app, report_only=True, resources={r"/api/*": {"report_only": True}})


def test_report_only_takes_an_app_and_a_boolean() -> None:
    with pytest.raises(TypeError, match="report_only=True takes a Flask app"):
        CORS(Blueprint("bp", __name__), report_only=True)
    with pytest.raises(ConfigError, match="report_only must be True or False"):
        CORS(Flask(__name__), report_only="yes")
    with pytest.raises(ConfigError, match="report_only must be True or False"):
        CORS().init_app(Flask(__name__), report_only=1)


def test_report_only_options_are_validated_at_set_up() -> None:
    with pytest.raises(ConfigError, match="supports_credentials"):
        CORS(Flask(__name__), report_only=True, supports_credentials=True)


def test_cors_routes_shows_both_policies() -> None:
    app = make_app()
    result = app.test_cli_runner().invoke(cors_cli, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["endpoint"]: row for row in json.loads(result.output)}
    assert rows["items"]["source"] == "resource '/api/*'"
    assert rows["items"]["report_only"]["source"] == "report-only resource '/*'"
    assert rows["items"]["report_only"]["policy"]["origins"] == [A]
    assert rows["view"]["source"] == "@cross_origin on view 'view'"
    assert rows["view"]["report_only"]["source"] == "report-only resource '/*'"
    # --wide: one line per route (the default wraps long cells to fit 100 columns).
    text = app.test_cli_runner().invoke(cors_cli, ["routes", "--wide"]).output
    header, _rule, *lines = text.splitlines()
    assert "Report-only" in header
    items = next(line for line in lines if line.startswith("items "))
    assert "resource '/api/*'" in items and "report-only resource '/*'" in items


def test_cors_routes_without_a_trial_has_no_report_only_column() -> None:
    app = Flask(__name__)
    routes(app)
    enforcing(app)
    text = app.test_cli_runner().invoke(cors_cli, ["routes"]).output
    assert "Report-only" not in text
    rows = json.loads(app.test_cli_runner().invoke(cors_cli, ["routes", "--json"]).output)
    assert all(row["report_only"] is None for row in rows)
