"""The simulator knows each engine: departures A, C, D, E and F, verdicts per engine, and each
engine's own console lines (issue 20).

Each class is shown by the request the simulator sends or the verdict it reaches, in every
engine: the standard (``spec``), Chromium, Firefox and WebKit. Then the per-engine verdicts (the
browser model's :class:`EngineVerdicts`, the diagnosis's :class:`EngineReports`), the CLI's
``--engine``, the testing helpers' defaults, ``flask cors explain`` on pasted console lines, the
generated part of docs/reasons.md and the playground's choice of engine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, Response, request

from flask_crossorigin import CORS, engines
from flask_crossorigin.browser import (
    REASONS,
    BrowserRequest,
    EngineVerdicts,
    ServerResponse,
    Verdict,
    check_preflight,
    replaying,
    simulate,
    simulate_engines,
)
from flask_crossorigin.cli import cors_cli
from flask_crossorigin.diagnosis import check_engines
from flask_crossorigin.testing import assert_allowed, assert_blocked, check

ROOT = Path(__file__).resolve().parents[1]
PAGE = "https://app.example"
API = "https://api.example"
FILES = "https://files.example"
ALL = ("spec", "chromium", "firefox", "webkit")

Sent = list[tuple[str, str, dict[str, str]]]


class Server:
    """A scripted server: answers by (method, url), and records every request it was sent."""

    def __init__(self, answers: dict[tuple[str, str], ServerResponse]) -> None:
        self.answers = answers
        self.sent: Sent = []

    def __call__(self, method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        self.sent.append((method, url, dict(headers)))
        return self.answers.get((method, url), ServerResponse(404))

    def preflights(self, url: str) -> list[dict[str, str]]:
        return [
            headers
            for method, sent_url, headers in self.sent
            if (method, sent_url)
            == (
                "OPTIONS",
                url,
            )
        ]


def grant(origin: str = "*", **extra: str) -> list[tuple[str, str]]:
    headers = [("Access-Control-Allow-Origin", origin)]
    headers += [(name.replace("_", "-"), value) for name, value in extra.items()]
    return headers


def run(request: BrowserRequest, answers: dict[tuple[str, str], ServerResponse], engine: str):
    server = Server(answers)
    return simulate(request, server, engine), server


# -- class A: '*' admits Authorization without credentials -------------------------------------

WILDCARD = {
    ("OPTIONS", f"{API}/a"): ServerResponse(
        204, grant(Access_Control_Allow_Headers="*", Access_Control_Allow_Methods="GET")
    ),
    ("GET", f"{API}/a"): ServerResponse(200, grant()),
}
WITH_AUTH = BrowserRequest(PAGE, f"{API}/a", headers=[("Authorization", "Bearer t")])


@pytest.mark.parametrize("engine", ALL)
def test_class_a_wildcard_covers_authorization_in_every_engine_but_the_standard(
    engine: str,
) -> None:
    verdict, _ = run(WITH_AUTH, WILDCARD, engine)
    if engine == "spec":
        assert verdict.reason is not None
        assert verdict.reason.id == "authorization_not_covered_by_wildcard"
        assert verdict.departures == ()
    else:
        assert verdict.allowed and verdict.departures == ("A",)
        assert f"   note: {engine}: class A, departs from F16: " in "\n".join(verdict.steps)
    assert verdict.engine == engine


@pytest.mark.parametrize("engine", ALL)
def test_class_a_does_not_apply_with_credentials(engine: str) -> None:
    credentialed = BrowserRequest(
        PAGE, f"{API}/a", headers=[("Authorization", "Bearer t")], credentials=True
    )
    answers = {
        ("OPTIONS", f"{API}/a"): ServerResponse(
            204,
            grant(PAGE, Access_Control_Allow_Headers="*", Access_Control_Allow_Credentials="true"),
        ),
    }
    verdict, _ = run(credentialed, answers, engine)
    assert verdict.reason is not None
    assert verdict.reason.id == "authorization_not_covered_by_wildcard"
    assert verdict.departures == ()


@pytest.mark.parametrize("engine", ALL)
def test_class_a_in_check_preflight(engine: str) -> None:
    result = check_preflight(WITH_AUTH, WILDCARD[("OPTIONS", f"{API}/a")], engine)
    assert result.ok is (engine != "spec")
    assert result.departures == (() if engine == "spec" else ("A",))


def test_class_a_leaves_other_headers_to_the_standard_check() -> None:
    # '*' covers Authorization in Chromium, but a header the answer does not allow still fails.
    answers = {
        ("OPTIONS", f"{API}/a"): ServerResponse(
            204, grant(Access_Control_Allow_Headers="*, x-other")
        ),
        ("GET", f"{API}/a"): ServerResponse(200, grant()),
    }
    request = BrowserRequest(PAGE, f"{API}/a", headers=[("Authorization", "t"), ("X-Token", "1")])
    verdict, _ = run(request, answers, "chromium")
    assert verdict.allowed and verdict.departures == ("A",)  # '*' covers x-token too
    answers[("OPTIONS", f"{API}/a")] = ServerResponse(
        204, grant(Access_Control_Allow_Headers="x-other")
    )
    verdict, _ = run(request, answers, "chromium")
    assert verdict.reason is not None and verdict.reason.id == "header_not_allowed"
    assert verdict.departures == ()


# -- class C: a preflighted request is preflighted again after any redirect ------------------

POST_JSON = BrowserRequest(PAGE, f"{API}/submit", method="POST", content_type="application/json")
SEE_OTHER = {
    ("OPTIONS", f"{API}/submit"): ServerResponse(
        204, grant(PAGE, Access_Control_Allow_Headers="content-type")
    ),
    ("POST", f"{API}/submit"): ServerResponse(303, [*grant(PAGE), ("Location", f"{API}/done")]),
    ("OPTIONS", f"{API}/done"): ServerResponse(401, grant()),
    ("GET", f"{API}/done"): ServerResponse(200, grant()),
}


@pytest.mark.parametrize("engine", ALL)
def test_class_c_preflights_again_after_a_303(engine: str) -> None:
    verdict, server = run(POST_JSON, SEE_OTHER, engine)
    again = server.preflights(f"{API}/done")
    if engine in ("firefox", "webkit"):
        (preflight,) = again
        assert preflight["Access-Control-Request-Method"] == "GET"
        assert "Access-Control-Request-Headers" not in preflight
        assert verdict.reason is not None and verdict.reason.id == "preflight_status_not_ok"
        assert verdict.departures == ("C",)
        assert f"{engine} preflights every hop after a preflighted one (class C)" in "\n".join(
            verdict.steps
        )
    else:
        assert again == [] and verdict.allowed and verdict.departures == ()


def test_class_c_applies_on_every_later_hop() -> None:
    # Two 303s: Firefox preflights both later hops, and notes class C once.
    answers = dict(SEE_OTHER)
    answers[("OPTIONS", f"{API}/done")] = ServerResponse(204, grant(PAGE))
    answers[("GET", f"{API}/done")] = ServerResponse(
        303, [*grant(PAGE), ("Location", f"{API}/end")]
    )
    answers[("OPTIONS", f"{API}/end")] = ServerResponse(204, grant(PAGE))
    answers[("GET", f"{API}/end")] = ServerResponse(200, grant(PAGE))
    verdict, server = run(POST_JSON, answers, "firefox")
    assert verdict.allowed and verdict.departures == ("C",)
    assert len(server.preflights(f"{API}/end")) == 1
    assert sum("class C, departs" in step for step in verdict.steps) == 1
    spec, server = run(POST_JSON, answers, "spec")
    assert spec.allowed and server.preflights(f"{API}/end") == []


@pytest.mark.parametrize("engine", ALL)
def test_class_c_needs_an_earlier_preflight(engine: str) -> None:
    # A simple POST is never preflighted, so its redirect is not either, in any engine.
    simple = BrowserRequest(PAGE, f"{API}/submit", method="POST", content_type="text/plain")
    verdict, server = run(simple, SEE_OTHER, engine)
    assert verdict.allowed and server.preflights(f"{API}/done") == []


# -- class D: Firefox's preflight after a cross-origin redirect says the page's origin --------

PUT = BrowserRequest(PAGE, f"{API}/move", method="PUT")
ACROSS = {
    ("OPTIONS", f"{API}/move"): ServerResponse(204, grant(Access_Control_Allow_Methods="PUT")),
    ("PUT", f"{API}/move"): ServerResponse(307, [*grant(), ("Location", f"{FILES}/move")]),
    ("OPTIONS", f"{FILES}/move"): ServerResponse(
        204, grant(Access_Control_Allow_Methods="PUT, DELETE, GET")
    ),
    ("PUT", f"{FILES}/move"): ServerResponse(200, grant()),
    ("DELETE", f"{FILES}/move"): ServerResponse(200, grant()),
    ("GET", f"{FILES}/move"): ServerResponse(200, grant()),
}


@pytest.mark.parametrize("engine", ALL)
def test_class_d_second_preflight_origin(engine: str) -> None:
    verdict, server = run(PUT, ACROSS, engine)
    (preflight,) = server.preflights(f"{FILES}/move")
    assert preflight["Origin"] == (PAGE if engine == "firefox" else "null")
    (actual,) = [h for m, url, h in server.sent if (m, url) == ("PUT", f"{FILES}/move")]
    assert actual["Origin"] == "null"  # only the preflight departs
    assert verdict.allowed
    assert ("D" in verdict.departures) is (engine == "firefox")


def test_class_d_changes_the_verdict_when_the_target_grants_only_the_page() -> None:
    answers = dict(ACROSS)
    answers[("OPTIONS", f"{FILES}/move")] = ServerResponse(
        204, grant(PAGE, Access_Control_Allow_Methods="PUT")
    )
    verdicts = simulate_engines(PUT, Server(answers))
    outcomes = {name: v.reason.id if v.reason else None for name, v in verdicts.verdicts.items()}
    # Firefox's preflight passes (it asked as the page), and the PUT (Origin: null) gets '*'.
    assert outcomes == {
        "spec": "acao_mismatch",
        "chromium": "acao_mismatch",
        "firefox": None,
        "webkit": "acao_mismatch",
    }
    assert [row.cls for row in verdicts.differing()["firefox"]] == ["D"]
    assert "<- 204 preflight: blocked" in "\n".join(verdicts.verdicts["spec"].steps)


# -- class E: WebKit still asks for the Authorization a cross-origin redirect dropped --------


@pytest.mark.parametrize("engine", ALL)
def test_class_e_lists_the_dropped_authorization(engine: str) -> None:
    request = BrowserRequest(PAGE, f"{API}/move", method="PUT", headers=[("Authorization", "t")])
    answers = dict(ACROSS)
    answers[("OPTIONS", f"{API}/move")] = ServerResponse(
        204, grant(Access_Control_Allow_Methods="PUT", Access_Control_Allow_Headers="authorization")
    )
    verdict, server = run(request, answers, engine)
    (preflight,) = server.preflights(f"{FILES}/move")
    actual = [h for m, url, h in server.sent if (m, url) == ("PUT", f"{FILES}/move")]
    assert all("Authorization" not in headers for headers in actual)  # dropped (F30)
    if engine == "webkit":
        assert actual == []
        assert preflight["Access-Control-Request-Headers"] == "authorization"
        # The target does not allow it, so WebKit blocks what the others allow.
        assert verdict.reason is not None and verdict.reason.id == "header_not_allowed"
        assert verdict.departures == ("E",)
    else:
        assert "Access-Control-Request-Headers" not in preflight
        assert verdict.allowed


# -- class F: WebKitGTK turns DELETE into GET on a cross-origin 307/308 ----------------------


@pytest.mark.parametrize("engine", ALL)
@pytest.mark.parametrize("status", [307, 308])
def test_class_f_delete_becomes_get(engine: str, status: int) -> None:
    request = BrowserRequest(PAGE, f"{API}/move", method="DELETE")
    answers = dict(ACROSS)
    answers[("OPTIONS", f"{API}/move")] = ServerResponse(
        204, grant(Access_Control_Allow_Methods="DELETE")
    )
    answers[("DELETE", f"{API}/move")] = ServerResponse(
        status, [*grant(), ("Location", f"{FILES}/move")]
    )
    verdict, server = run(request, answers, engine)
    methods = [m for m, url, _ in server.sent if url == f"{FILES}/move" and m != "OPTIONS"]
    assert methods == (["GET"] if engine == "webkit" else ["DELETE"])
    assert verdict.allowed
    assert ("F" in verdict.departures) is (engine == "webkit")
    if engine == "webkit":
        assert "DELETE becomes GET (webkit, class F, departs from Fetch's HTTP-redirect fetch" in (
            "\n".join(verdict.steps)
        )


def test_class_f_keeps_delete_on_a_same_origin_redirect() -> None:
    request = BrowserRequest(PAGE, f"{API}/move", method="DELETE")
    answers = {
        ("OPTIONS", f"{API}/move"): ServerResponse(
            204, grant(Access_Control_Allow_Methods="DELETE")
        ),
        ("DELETE", f"{API}/move"): ServerResponse(307, [*grant(), ("Location", f"{API}/moved")]),
        ("OPTIONS", f"{API}/moved"): ServerResponse(
            204, grant(Access_Control_Allow_Methods="DELETE")
        ),
        ("DELETE", f"{API}/moved"): ServerResponse(200, grant()),
    }
    verdict, server = run(request, answers, "webkit")
    assert verdict.allowed and verdict.departures == ()
    assert ("DELETE", f"{API}/moved") in [(m, url) for m, url, _ in server.sent]


# -- the engines' table ---------------------------------------------------------------------


def test_departure_table_is_the_measured_one() -> None:
    table = {row.cls: (sorted(row.engines), row.rule) for row in engines.DEPARTURES}
    assert table == {
        "A": (["chromium", "firefox", "webkit"], "F16"),
        "C": (["firefox", "webkit"], "F11"),
        "D": (["firefox"], "F29"),
        "E": (["webkit"], "F30"),
        "F": (["webkit"], ""),
    }
    assert not any(engines.departs("spec", row.cls) for row in engines.DEPARTURES)
    assert engines.departure("D").describe().startswith("class D, departs from F29: ")
    with pytest.raises(KeyError):
        engines.departure("B")


def test_unknown_engines_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine 'safari'"):
        simulate(WITH_AUTH, Server(WILDCARD), "safari")
    with pytest.raises(ValueError, match="simulate_engines runs them all"):
        simulate(WITH_AUTH, Server(WILDCARD), "all")
    with pytest.raises(ValueError, match="unknown engine 'gecko': use one of spec, chromium"):
        simulate_engines(WITH_AUTH, Server(WILDCARD), "gecko")
    assert engines.parse_engines("all") == ALL
    assert engines.parse_engines("webkit") == ("webkit",)


@pytest.mark.parametrize(
    ("agent", "engine"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/156.0.0.0 Safari/537.36",
            "chromium",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chromium/156.0 Safari/537.36",
            "chromium",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0", "firefox"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.0 Safari/605.1.15",
            "webkit",
        ),
        ("curl/8.0", "spec"),
        (None, "spec"),
    ],
)
def test_engine_for_user_agent(agent: str | None, engine: str) -> None:
    assert engines.engine_for_user_agent(agent) == engine


# -- per-engine verdicts ----------------------------------------------------------------------


def test_every_engine_at_once_agreeing() -> None:
    verdicts = simulate_engines(BrowserRequest(PAGE, f"{API}/a"), Server(WILDCARD))
    assert list(verdicts.verdicts) == list(ALL)
    assert verdicts.agree and verdicts.allowed and verdicts.differing() == {}
    assert verdicts.representative == "spec"
    assert verdicts.blocked_in == () and verdicts.allowed_in == ALL


def test_every_engine_at_once_differing_from_a_blocking_standard() -> None:
    verdicts = simulate_engines(WITH_AUTH, Server(WILDCARD))
    assert not verdicts.agree and not verdicts.allowed
    assert verdicts.representative == "spec"  # it blocks: its reason stands for all
    assert verdicts.blocked_in == ("spec",)
    differing = verdicts.differing()
    assert list(differing) == ["chromium", "firefox", "webkit"]
    assert all([row.cls for row in rows] == ["A"] for rows in differing.values())


def test_every_engine_at_once_differing_from_an_allowing_standard() -> None:
    verdicts = simulate_engines(POST_JSON, Server(SEE_OTHER))
    assert verdicts.representative == "firefox"  # the first engine that blocks
    assert verdicts.blocked_in == ("firefox", "webkit")
    assert {name: [row.cls for row in rows] for name, rows in verdicts.differing().items()} == {
        "firefox": ["C"],
        "webkit": ["C"],
    }


def test_without_the_standard_the_first_engine_is_the_reference() -> None:
    verdicts = simulate_engines(WITH_AUTH, Server(WILDCARD), ["chromium", "firefox"])
    assert verdicts.reference.engine == "chromium" and verdicts.agree
    mixed = EngineVerdicts(
        {
            "webkit": simulate(WITH_AUTH, Server(WILDCARD), "webkit"),
            "spec": simulate(WITH_AUTH, Server(WILDCARD), "spec"),
        }
    )
    assert mixed.reference.engine == "spec"
    assert [row.cls for row in mixed.differing()["webkit"]] == ["A"]


def test_verdict_outcome() -> None:
    assert Verdict(True, None, (), 200).outcome == (True, None, 200)


def test_engines_share_each_exchange_once() -> None:
    server = Server(WILDCARD)
    simulate_engines(WITH_AUTH, server)
    # Four engines, the same two exchanges: each reached the server once.
    assert [(m, url) for m, url, _ in server.sent] == [("OPTIONS", f"{API}/a"), ("GET", f"{API}/a")]
    again = replaying(server)
    first = again("GET", f"{API}/a", [])
    assert again("GET", f"{API}/a", []) is first
    assert len(server.sent) == 3


# -- an app: the diagnosis, the CLI and the testing helpers ----------------------------------


def redirecting_app() -> Flask:
    """POST /api/submit (JSON, preflighted) answers 303 to /done; /done refuses OPTIONS (401).

    The standard and Chromium follow with a plain GET; Firefox and WebKit preflight it (C).
    """
    app = Flask(__name__)

    @app.before_request
    def login() -> tuple[dict[str, str], int] | None:
        if request.path == "/done" and request.method == "OPTIONS":
            return {"error": "login required"}, 401
        return None

    CORS(app, resources={r"/api/*": {"origins": [PAGE]}})

    @app.post("/api/submit")
    def submit() -> tuple[str, int, dict[str, str]]:
        return "", 303, {"Location": "/done"}

    @app.route("/done", methods=["GET", "OPTIONS"])
    def done() -> tuple[dict[str, bool], int, dict[str, str]]:
        return {"done": True}, 200, {"Access-Control-Allow-Origin": "*"}

    @app.after_request
    def legacy_headers(response: Response) -> Response:
        # Hand-written headers under /legacy, preflights included: a literal '*'.
        if request.path == "/legacy":
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "*"
        return response

    @app.get("/legacy")
    def legacy() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/api/items")
    def items() -> dict[str, list[str]]:
        return {"items": []}

    return app


SUBMIT = ["check", "--origin", PAGE, "-H", "Content-Type: application/json", "-d", "{}"]


def test_check_engines_reports_per_engine() -> None:
    reports = check_engines(
        redirecting_app(),
        "/api/submit",
        origin=PAGE,
        method="POST",
        headers=[("Content-Type", "application/json")],
    )
    assert not reports.allowed and not reports.agree
    assert reports.main.engine == "firefox"
    assert reports.main.divergences == tuple(reports.differences())
    assert [line.split(":")[0] for line in reports.differences()] == ["firefox", "webkit"]
    assert reports.reports["spec"].verdict.allowed
    # The POST ran once for the four engines.
    assert [e.method for e in reports.reports["webkit"].exchanges].count("POST") == 1


def test_cli_agreeing_engines_print_one_verdict() -> None:
    app = redirecting_app()
    result = app.test_cli_runner().invoke(cors_cli, ["check", "--origin", PAGE, "/api/items"])
    assert result.exit_code == 0
    assert "engines differ" not in result.output
    assert result.output.splitlines()[-1] == "ALLOWED"
    blocked = app.test_cli_runner().invoke(
        cors_cli, ["check", "--origin", "https://evil.example", "/api/items"]
    )
    assert blocked.exit_code == 1 and "engines differ" not in blocked.output
    assert blocked.output.splitlines()[-1].startswith("BLOCKED: acao_missing: ")


def test_cli_differing_engines_print_each_verdict() -> None:
    result = redirecting_app().test_cli_runner().invoke(cors_cli, [*SUBMIT, "/api/submit"])
    assert result.exit_code == 1  # blocked in Firefox and WebKit: not allowed in every engine
    lines = result.output.splitlines()
    block = lines.index("engines differ:")
    assert lines[block + 1] == "  spec, chromium: ALLOWED"
    assert lines[block + 2].startswith(
        "  firefox, webkit: BLOCKED: acao_missing (class C, departs from F11: "
    )
    assert lines[-1].startswith("BLOCKED: acao_missing: ")
    # The steps shown are Firefox's: the second preflight, answered 401.
    assert "-> OPTIONS http://localhost/done [Origin: https://app.example; " in result.output


@pytest.mark.parametrize(("engine", "status"), [("spec", 0), ("chromium", 0), ("firefox", 1)])
def test_cli_one_engine(engine: str, status: int) -> None:
    args = [*SUBMIT, "--engine", engine, "/api/submit"]
    result = redirecting_app().test_cli_runner().invoke(cors_cli, args)
    assert result.exit_code == status, result.output
    assert "engines differ" not in result.output


def test_cli_json_carries_every_engine() -> None:
    args = [*SUBMIT, "--json", "/api/submit"]
    shown = json.loads(redirecting_app().test_cli_runner().invoke(cors_cli, args).output)
    assert shown["engine"] == "all" and shown["agree"] is False and shown["allowed"] is False
    assert list(shown["engines"]) == list(ALL)
    assert shown["engines"]["spec"]["allowed"] is True
    assert shown["engines"]["spec"]["departures"] == []
    firefox = shown["engines"]["firefox"]
    assert firefox["allowed"] is False and firefox["reason"] == "acao_missing"
    assert firefox["departures"] == [
        {"class": "C", "rule": "F11", "summary": engines.departure("C").summary}
    ]
    assert shown["departures"] == ["C"]  # the representative's own fetch
    assert any(
        note.startswith("firefox: BLOCKED: acao_missing, class C") for note in shown["notes"]
    )
    one = json.loads(
        redirecting_app()
        .test_cli_runner()
        .invoke(cors_cli, [*SUBMIT, "--json", "--engine", "webkit", "/api/submit"])
        .output
    )
    assert one["engine"] == "webkit" and list(one["engines"]) == ["webkit"]


def test_reports_without_an_app_have_no_server_line() -> None:
    # --url without a loadable app: the engines' block, and no server: line.
    from flask_crossorigin.diagnosis import run_checks

    reports = run_checks(POST_JSON, Server(SEE_OTHER), None, f"{API}/")
    lines = reports.text()
    assert not any(line.startswith("server") for line in lines)
    assert "engines differ:" in lines and lines[-1].startswith("BLOCKED: preflight_status_not_ok")


def test_one_engine_without_an_app_prints_its_report() -> None:
    from flask_crossorigin.diagnosis import run_checks

    reports = run_checks(POST_JSON, Server(SEE_OTHER), None, f"{API}/", engines="webkit")
    lines = reports.text()
    assert "engines differ:" not in lines and not any(line.startswith("server") for line in lines)
    assert lines[-1].startswith("BLOCKED: preflight_status_not_ok")


def test_cli_refuses_an_unknown_engine() -> None:
    result = (
        redirecting_app()
        .test_cli_runner()
        .invoke(cors_cli, ["check", "--origin", PAGE, "--engine", "gecko", "/api/items"])
    )
    assert result.exit_code == 2 and "gecko" in result.output


def test_testing_helpers_default_to_every_engine() -> None:
    app = redirecting_app()
    options = {
        "origin": PAGE,
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": "{}",
    }
    with pytest.raises(AssertionError) as raised:
        assert_allowed(app, "/api/submit", **options)
    first, *rest = str(raised.value).splitlines()
    assert first.endswith("is blocked in firefox, webkit.")
    assert any(line.startswith("firefox: BLOCKED: acao_missing (class C, ") for line in rest)
    assert "spec: ALLOWED" in rest
    assert assert_allowed(app, "/api/submit", engine="chromium", **options).allowed
    with pytest.raises(AssertionError, match=r"is allowed in spec, chromium, expected it"):
        assert_blocked(app, "/api/submit", **options)
    verdict = assert_blocked(app, "/api/submit", engine="webkit", reason="acao_missing", **options)
    assert verdict.engines["webkit"].departures == ()  # alone, nothing to differ from


def test_assert_blocked_names_engines_blocking_for_another_reason() -> None:
    app = redirecting_app()
    verdict = check(app, "/legacy", origin=PAGE, headers={"Authorization": "t"}, credentials=True)
    assert verdict.reason == "acao_wildcard_with_credentials" and verdict.agree
    # Every engine blocks, for the same reason: passes with it, fails with another.
    assert_blocked(
        app,
        "/legacy",
        origin=PAGE,
        headers={"Authorization": "t"},
        credentials=True,
        reason="acao_wildcard_with_credentials",
    )
    with pytest.raises(AssertionError, match=r"is blocked for browser reason acao_wildcard_with"):
        assert_blocked(
            app,
            "/legacy",
            origin=PAGE,
            headers={"Authorization": "t"},
            credentials=True,
            reason="acao_missing",
        )


def test_assert_blocked_reason_per_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every engine blocks, but one for another reason: the failure names only that engine.
    from flask_crossorigin import testing

    real = testing.diagnosis.check_engines

    def skewed(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        reports = real(*args, **kwargs)  # type: ignore[arg-type]
        webkit = reports.reports["webkit"]
        assert webkit.reason is not None
        other = webkit.reason.__class__("acac_missing", webkit.reason.stage, "m", "f", "F13")
        changed = dict(reports.reports)
        changed["webkit"] = webkit.__class__(
            webkit.verdict.__class__(False, other, webkit.verdict.steps, engine="webkit"),
            other,
            webkit.exchanges,
            webkit.coverage,
            None,
            False,
            engine="webkit",
        )
        return reports.__class__(changed, reports.engine)

    monkeypatch.setattr(testing.diagnosis, "check_engines", skewed)
    with pytest.raises(AssertionError) as raised:
        assert_blocked(
            redirecting_app(), "/api/items", origin="https://evil.example", reason="acao_missing"
        )
    assert "is blocked in webkit for browser reason acac_missing, with no server reason" in str(
        raised.value
    )


def test_testing_check_refuses_an_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown engine 'edge'"):
        check(redirecting_app(), "/api/items", origin=PAGE, engine="edge")


# -- each engine's own words ----------------------------------------------------------------

TABLE = {
    "acao_missing": {
        "chromium": "Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS "
        "policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "firefox": "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the "
        "remote resource at {url}. (Reason: CORS header 'Access-Control-Allow-Origin' "
        "missing). Status code: {status}.",
        "webkit": "Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: "
        "{status}",
    },
    "acao_mismatch": {
        "firefox": "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the "
        "remote resource at {url}. (Reason: CORS header 'Access-Control-Allow-Origin' does not "
        "match '{value}').",
        "webkit": "Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: "
        "{status}",
    },
    "method_not_allowed": {
        "webkit": "Method {method} is not allowed by Access-Control-Allow-Methods.",
    },
    "header_not_allowed": {
        "firefox": "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the "
        "remote resource at {url}. (Reason: header '{header}' is not allowed according to "
        "header 'Access-Control-Allow-Headers' from CORS preflight response).",
        "webkit": "Request header field {header} is not allowed by Access-Control-Allow-Headers.",
    },
}


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, str]]]:
    """A small table in place of the generated ``_engine_messages`` module."""
    module = types.ModuleType("flask_crossorigin._engine_messages")
    module.ENGINES = ("chromium", "firefox", "webkit")  # type: ignore[attr-defined]
    module.VERSIONS = {"chromium": "156", "firefox": "153", "webkit": "2.50"}  # type: ignore[attr-defined]
    module.MESSAGES = TABLE  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "flask_crossorigin._engine_messages", module)
    yield TABLE


def test_console_line_fills_the_template(captured: dict[str, dict[str, str]]) -> None:
    values = {"url": f"{API}/a", "origin": PAGE, "status": "200"}
    assert engines.console_line("acao_missing", "webkit", values) == (
        f"Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: 200"
    )
    assert engines.console_line("acao_missing", "spec", values) is None
    assert engines.console_line("acac_missing", "chromium", values) is None
    assert engines.console_line("method_not_allowed", "webkit", {}) == (
        "Method <method> is not allowed by Access-Control-Allow-Methods."
    )


def test_the_module_absent_means_no_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "flask_crossorigin._engine_messages", None)
    assert engines.engine_messages() == {} and engines.engine_versions() == {}
    assert engines.console_line("acao_missing", "chromium", {}) is None


@pytest.mark.parametrize(
    ("pasted", "reason", "engine"),
    [
        (
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            "resource at https://api.example/a. (Reason: CORS header "
            "'Access-Control-Allow-Origin' missing). Status code: 200.",
            "acao_missing",
            "firefox",
        ),
        (  # a console's own prefix, and the line wrapped by the terminal
            "page.html:1 Cross-Origin Request Blocked: The Same Origin Policy disallows reading "
            "the remote resource at https://api.example/a.\n(Reason: header 'x-token' is not "
            "allowed according to header 'Access-Control-Allow-Headers' from CORS preflight "
            "response).",
            "header_not_allowed",
            "firefox",
        ),
        (
            "[Error] Request header field x-token is not allowed by Access-Control-Allow-Headers.",
            "header_not_allowed",
            "webkit",
        ),
        (
            "Access to fetch at 'https://api.example/a' from origin 'https://app.example' has "
            "been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on "
            "the requested resource.",
            "acao_missing",
            "chromium",
        ),
    ],
)
def test_pasted_lines_are_matched(
    captured: dict[str, dict[str, str]], pasted: str, reason: str, engine: str
) -> None:
    assert engines.match_console_line(pasted) == [
        engines.ConsoleMatch(reason, engine, captured[reason][engine])
    ]


def test_the_most_specific_template_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("flask_crossorigin._engine_messages")
    module.MESSAGES = {  # type: ignore[attr-defined]
        "acac_invalid": {"chromium": "Credentials flag is '{value}', not 'true'."},
        "acac_missing": {"chromium": "Credentials flag is '', not 'true'."},
    }
    monkeypatch.setitem(sys.modules, "flask_crossorigin._engine_messages", module)
    assert [
        m.reason for m in engines.match_console_line("Credentials flag is '', not 'true'.")
    ] == ["acac_missing"]
    assert [
        m.reason for m in engines.match_console_line("Credentials flag is 'True', not 'true'.")
    ] == ["acac_invalid"]


def test_identical_lines_of_two_reasons_both_come_back(
    captured: dict[str, dict[str, str]],
) -> None:
    pasted = (
        "Origin https://app.example is not allowed by Access-Control-Allow-Origin. Status code: 200"
    )
    assert sorted(m.reason for m in engines.match_console_line(pasted)) == [
        "acao_mismatch",
        "acao_missing",
    ]


def test_a_repeated_placeholder_must_repeat_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("flask_crossorigin._engine_messages")
    module.MESSAGES = {"acao_mismatch": {"webkit": "{value} is not {origin}; {value} differs."}}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "flask_crossorigin._engine_messages", module)
    assert engines.match_console_line("a is not b; a differs.")
    assert engines.match_console_line("a is not b; c differs.") == []


@pytest.mark.parametrize(
    ("pasted", "reason"),
    [
        (
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            "acao_missing",
        ),
        (
            "Access to fetch at 'http://localhost/x' from origin 'https://app.example' has been "
            "blocked by CORS policy: Response to preflight request doesn't pass access control "
            "check: It does not have HTTP ok status.",
            "preflight_status_not_ok",
        ),
        (
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' "
            "which must be 'true' when the request's credentials mode is 'include'.",
            "acac_missing",
        ),
        (
            "Request header field x-token is not allowed by Access-Control-Allow-Headers in "
            "preflight response.",
            "header_not_allowed",
        ),
    ],
)
def test_chromium_lines_are_known_from_the_captured_table(pasted: str, reason: str) -> None:
    # Whole lines, and lines pasted without their beginning (what follows one of a captured
    # line's ": "), both read from the captured templates; nothing is typed by hand.
    found = {(m.reason, m.engine) for m in engines.match_console_line(pasted)}
    assert (reason, "chromium") in found
    assert {engine for _, engine in found} == {"chromium"}


def test_without_a_table_no_line_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "flask_crossorigin._engine_messages", None)
    line = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    assert engines.match_console_line(line) == []


def test_a_tail_must_say_more_than_a_placeholder() -> None:
    # WebKit's "Preflight response is not successful. Status code: {status}" has the tail
    # "{status}" after its last ": ", which would match anything: such tails are not tried.
    assert engines.match_console_line("hello world: nothing") == []
    assert engines.match_console_line("Status code: 403") == []


def test_explain_a_pasted_line() -> None:
    # The reported bug: Chromium's missing-ACAO line was "closest" to the wildcard reason.
    line = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    result = Flask(__name__).test_cli_runner().invoke(cors_cli, ["explain", line])
    assert result.exit_code == 0, result.output
    first, _, entry = result.output.partition("\n\n")
    assert first == "matched chromium's console line for acao_missing"
    assert entry.startswith("acao_missing (browser reason, reasons.md)")
    assert "acao_wildcard_with_credentials" not in result.output


def test_explain_a_line_nobody_says() -> None:
    result = Flask(__name__).test_cli_runner().invoke(cors_cli, ["explain", "it is broken"])
    assert result.exit_code == 2
    assert "neither an id nor a console line" in result.output
    assert "did you mean" not in result.output
    # One word is still an id, with the closest one suggested.
    typo = Flask(__name__).test_cli_runner().invoke(cors_cli, ["explain", "acao_mising"])
    assert typo.exit_code == 2 and "did you mean 'acao_missing'" in typo.output


def test_explain_with_the_captured_table(captured: dict[str, dict[str, str]]) -> None:
    pasted = "Method patch is not allowed by Access-Control-Allow-Methods."
    result = Flask(__name__).test_cli_runner().invoke(cors_cli, ["explain", pasted])
    assert result.output.startswith("matched webkit's console line for method_not_allowed\n\n")


def test_check_shows_each_engines_own_line(captured: dict[str, dict[str, str]]) -> None:
    app = redirecting_app()
    result = app.test_cli_runner().invoke(
        cors_cli, ["check", "--origin", "https://evil.example", "/api/items"]
    )
    lines = result.output.splitlines()
    said = [line for line in lines if " says: " in line]
    assert said == [
        "chromium says: Access to fetch at 'http://localhost/api/items' from origin "
        "'https://evil.example' has been blocked by CORS policy: No 'Access-Control-Allow-Origin'"
        " header is present on the requested resource.",
        "firefox says: Cross-Origin Request Blocked: The Same Origin Policy disallows reading the "
        "remote resource at http://localhost/api/items. (Reason: CORS header "
        "'Access-Control-Allow-Origin' missing). Status code: 200.",
        "webkit says: Origin https://evil.example is not allowed by Access-Control-Allow-Origin. "
        "Status code: 200",
    ]
    assert lines[-2].startswith("fix: ") and lines[-1].startswith("BLOCKED: acao_missing: ")
    one = app.test_cli_runner().invoke(
        cors_cli, ["check", "--origin", "https://evil.example", "--engine", "webkit", "/api/items"]
    )
    assert one.output.splitlines()[-3].startswith("webkit says: Origin https://evil.example")
    verdict = check(app, "/api/items", origin="https://evil.example")
    assert verdict.engines["firefox"].console == said[1].partition(" says: ")[2]
    assert said[2] in verdict.describe()
    shown = json.loads(
        app.test_cli_runner()
        .invoke(cors_cli, ["check", "--origin", "https://evil.example", "--json", "/api/items"])
        .output
    )
    assert shown["engines"]["webkit"]["console"] == said[2].partition(" says: ")[2]
    assert shown["console"] is None  # the standard, which stands for all here, has no console


# -- the preflight stage: the real captured tables --------------------------------------------

PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
VALUES = {"url": f"{API}/x", "origin": PAGE}


def filled(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([a-z]+)\}", lambda m: values[m[1]], template)


def test_the_captured_tables_have_preflight_lines() -> None:
    preflight = engines.engine_messages("preflight")
    not_ok = engines.engine_messages("preflight_not_ok")
    for table in (preflight, not_ok):
        assert set(table) >= {"acao_missing", "acao_mismatch", "acac_missing"}
        assert "preflight_status_not_ok" not in table  # one stage only: in MESSAGES
    assert PREFLIGHT_PREFIX in preflight["acao_missing"]["chromium"]
    assert PREFLIGHT_PREFIX not in engines.engine_messages()["acao_missing"]["chromium"]


@pytest.mark.parametrize("reason", ["acao_missing", "acao_mismatch", "acac_missing"])
def test_console_line_picks_the_preflight_stage(reason: str) -> None:
    values = {**VALUES, "value": "https://other.example", "status": "204"}
    line = engines.console_line(reason, "chromium", values, stage="preflight")
    assert line == filled(engines.engine_messages("preflight")[reason]["chromium"], values)
    assert line is not None and PREFLIGHT_PREFIX in line
    actual = engines.console_line(reason, "chromium", values)
    assert actual == filled(engines.engine_messages()[reason]["chromium"], values)
    assert actual is not None and PREFLIGHT_PREFIX not in actual
    for stage in ("actual", "request", "redirect"):
        assert engines.console_line(reason, "chromium", values, stage=stage) == actual


def test_a_refused_preflight_gets_the_line_for_its_status() -> None:
    # WebKit judges a preflight's status before its CORS headers: on a 403 it names the status.
    ok = {**VALUES, "status": "204"}
    refused = {**VALUES, "status": "403"}
    on_ok = engines.console_line("acao_missing", "webkit", ok, stage="preflight")
    on_refusal = engines.console_line("acao_missing", "webkit", refused, stage="preflight")
    assert on_ok == filled(engines.engine_messages("preflight")["acao_missing"]["webkit"], ok)
    assert on_refusal == filled(
        engines.engine_messages("preflight_not_ok")["acao_missing"]["webkit"], refused
    )
    assert on_ok != on_refusal and on_refusal is not None and "403" in on_refusal
    # Without a usable status the 2xx answer's line is taken.
    for values in (VALUES, {**VALUES, "status": "?"}):
        line = engines.console_line("acao_missing", "webkit", values, stage="preflight")
        assert line == filled(
            engines.engine_messages("preflight")["acao_missing"]["webkit"],
            {**values, "status": values.get("status", "<status>")},
        )


def test_a_reason_with_the_preflight_stage_only_keeps_its_line() -> None:
    values = {**VALUES, "status": "418"}
    line = engines.console_line("preflight_status_not_ok", "chromium", values, stage="preflight")
    assert line == filled(engines.engine_messages()["preflight_status_not_ok"]["chromium"], values)


def test_a_table_without_preflight_lines_falls_back(captured: dict[str, dict[str, str]]) -> None:
    values = {"url": f"{API}/a", "origin": PAGE, "status": "403"}
    assert engines.engine_messages("preflight") == {}
    assert engines.console_line("acao_missing", "chromium", values, stage="preflight") == (
        engines.console_line("acao_missing", "chromium", values)
    )
    assert engines.console_line("acac_missing", "chromium", values, stage="preflight") is None


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stage 'options'"):
        engines.engine_messages("options")


def test_a_pasted_preflight_line_gives_its_reason() -> None:
    pasted = (
        "Access to fetch at 'https://api.example/x' from origin 'https://app.example' has been "
        "blocked by CORS policy: Response to preflight request doesn't pass access control "
        "check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert engines.match_console_line(pasted) == [
        engines.ConsoleMatch(
            "acao_missing",
            "chromium",
            engines.engine_messages("preflight")["acao_missing"]["chromium"],
        )
    ]
    result = Flask(__name__).test_cli_runner().invoke(cors_cli, ["explain", pasted])
    assert result.output.startswith("matched chromium's console line for acao_missing\n\n")


@pytest.mark.parametrize(
    "reason", ["acao_mismatch", "acao_wildcard_with_credentials", "acac_invalid"]
)
def test_every_pasted_chromium_preflight_line_is_matched(reason: str) -> None:
    template = engines.engine_messages("preflight")[reason]["chromium"]
    values = {**VALUES, "value": "https://other.example" if reason == "acao_mismatch" else "*"}
    if reason == "acac_invalid":
        values["value"] = "True"
    pasted = filled(template, values)
    assert [m.reason for m in engines.match_console_line(pasted)] == [reason]


def test_a_line_both_stages_share_comes_back_once() -> None:
    # Firefox words a missing ACAO alike on the preflight and on the actual response.
    template = engines.engine_messages("preflight")["acao_missing"]["firefox"]
    assert template == engines.engine_messages()["acao_missing"]["firefox"]
    pasted = filled(template, {**VALUES, "status": "403"})
    assert engines.match_console_line(pasted) == [
        engines.ConsoleMatch("acao_missing", "firefox", template)
    ]


def test_a_refused_preflight_line_naming_only_the_status() -> None:
    # WebKit's line for any fault on a 403 preflight is its non-ok-status line: it names that
    # reason (and the redirect, worded alike), not every CORS fault the answer also had.
    template = engines.engine_messages("preflight_not_ok")["acac_missing"]["webkit"]
    assert template == engines.engine_messages()["preflight_status_not_ok"]["webkit"]
    pasted = filled(template, {"status": "403"})
    assert sorted(m.reason for m in engines.match_console_line(pasted)) == [
        "preflight_redirect",
        "preflight_status_not_ok",
    ]


def refusing_app() -> Flask:
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": {"origins": [PAGE]}})

    @app.route("/api/items", methods=["GET", "PUT"])
    def items() -> str:
        return "items"

    return app


def test_check_shows_the_preflight_line_of_a_refused_preflight() -> None:
    # flask-crossorigin answers a preflight it refuses with a 403 and no CORS header.
    verdict = check(refusing_app(), "/api/items", origin="https://evil.example", method="PUT")
    assert verdict.reason == "acao_missing"
    values = {
        "url": "http://localhost/api/items",
        "origin": "https://evil.example",
        "status": "403",
    }
    for engine in engines.BROWSER_ENGINES:
        table = engines.engine_messages("preflight_not_ok")["acao_missing"]
        assert verdict.engines[engine].console == filled(table[engine], values), engine
    chromium = verdict.engines["chromium"].console
    assert chromium is not None and PREFLIGHT_PREFIX in chromium
    result = (
        refusing_app()
        .test_cli_runner()
        .invoke(
            cors_cli,
            ["check", "--origin", "https://evil.example", "--method", "PUT", "/api/items"],
        )
    )
    assert f"chromium says: {chromium}" in result.output.splitlines()


def test_check_of_an_actual_response_keeps_the_actual_line() -> None:
    verdict = check(refusing_app(), "/api/items", origin="https://evil.example")
    assert verdict.reason == "acao_missing"
    chromium = verdict.engines["chromium"].console
    assert chromium is not None and PREFLIGHT_PREFIX not in chromium
    assert "No 'Access-Control-Allow-Origin' header is present" in chromium


# -- docs/reasons.md: the generated part ------------------------------------------------------

REASONS_PAGE = ROOT / "docs" / "reasons.md"
SECTION = re.compile(r"(<!-- engines:start -->\n)(.*?)(<!-- engines:end -->)", re.DOTALL)


def test_reasons_page_shows_the_engine_tables() -> None:
    text = REASONS_PAGE.read_text(encoding="utf-8")
    match = SECTION.search(text)
    assert match, "docs/reasons.md lost its engines section markers"
    expected = engines.render_reasons_section(REASONS) + "\n"
    if os.environ.get("UPDATE_DOCS") and match.group(2) != expected:
        REASONS_PAGE.write_text(
            text[: match.start(2)] + expected + text[match.end(2) :], encoding="utf-8"
        )
        match = SECTION.search(REASONS_PAGE.read_text(encoding="utf-8"))
        assert match
    assert match.group(2) == expected, (
        "docs/reasons.md's engines section is out of date: run "
        "UPDATE_DOCS=1 .venv/bin/pytest tests/test_engines.py -k reasons_page"
    )


def test_reasons_section_without_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "flask_crossorigin._engine_messages", None)
    text = engines.render_reasons_section(REASONS)
    assert text.endswith("(Not captured yet: the real-engine harness writes them.)")
    assert engines.engine_messages("preflight") == {}


def test_reasons_section_renders_preflight_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("flask_crossorigin._engine_messages")
    module.VERSIONS = {"chromium": "156"}  # type: ignore[attr-defined]
    module.MESSAGES = {"acao_missing": {"chromium": "actual {url}"}}  # type: ignore[attr-defined]
    module.PREFLIGHT_MESSAGES = {  # type: ignore[attr-defined]
        "acao_missing": {"chromium": "preflight {url}", "webkit": "origin {origin}"},
        "acac_missing": {"webkit": "credentials"},
    }
    module.PREFLIGHT_NOT_OK_MESSAGES = {  # type: ignore[attr-defined]
        "acao_missing": {"chromium": "preflight {url}", "webkit": "status {status}"},
        "acac_missing": {"webkit": "credentials"},
        "acao_mismatch": {"firefox": "refused"},
    }
    monkeypatch.setitem(sys.modules, "flask_crossorigin._engine_messages", module)
    text = engines.render_reasons_section(REASONS)
    assert "Captured from chromium 156, firefox ?, webkit ?. " in text
    entries = text.split("\n\n")[-1]
    assert entries == "\n".join(
        [
            "- `acao_missing`",
            "  - chromium: `actual {url}`",
            "  - on a 2xx answer to the preflight:",
            "    - chromium: `preflight {url}`",
            "    - webkit: `origin {origin}`",
            "  - on a refused (non-2xx) answer to the preflight, where it differs:",
            "    - webkit: `status {status}`",
            "- `acao_mismatch`",
            "  - on a refused (non-2xx) answer to the preflight, where it differs:",
            "    - firefox: `refused`",
            "- `acac_missing`",
            "  - on a 2xx answer to the preflight:",
            "    - webkit: `credentials`",
        ]
    )


def test_reasons_section_renders_captured_lines(captured: dict[str, dict[str, str]]) -> None:
    text = engines.render_reasons_section(REASONS)
    assert "| D | firefox | F29 |" in text and "| F | webkit | - |" in text
    assert "Captured from chromium 156, firefox 153, webkit 2.50." in text
    assert f"- `acao_missing`\n  - chromium: `{TABLE['acao_missing']['chromium']}`" in text
    assert "- `acac_missing`" not in text  # no line captured: not listed
    assert text.index("`acao_missing`") < text.index("`method_not_allowed`")


# -- the playground ---------------------------------------------------------------------------


def load_demo() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("playground_demo", ROOT / "examples" / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_playground_explains_in_the_visitors_engine() -> None:
    demo = load_demo()
    api = redirecting_app()
    form = {"method": "GET", "path": "/legacy", "headers": "Authorization: Bearer t"}
    page = demo.create_page(api, demo.RequestLog(api.wsgi_app), "http://localhost", PAGE)
    client = page.test_client()
    chrome = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
    shown = client.post("/explain", json=form, headers={"User-Agent": chrome}).get_json()
    assert shown["engine"] == "chromium" and shown["allowed"] is True
    plain = client.post("/explain", json=form, headers={"User-Agent": "curl/8"}).get_json()
    assert plain["engine"] == "spec" and plain["allowed"] is False
    assert plain["reason"]["id"] == "authorization_not_covered_by_wildcard"
    assert plain["reason"]["console"] is None
