"""The measured ways real engines depart from the Fetch standard (classes A, C, D, E and F of
``flask_crossorigin.engines.DEPARTURES``), shown in each engine against a real server.

Each test sets up hand-made CORS headers (no extension: the point is the browser), runs one
fetch() in the engine, and asserts what that engine really does: what reached the server (the
preflight's Origin, the redirected method, whether a second preflight happened) and whether the
page could read the answer. The expectation per engine comes from the DEPARTURES table, so a
table that claims an engine departs when it does not (or the other way round) fails here. Then
the simulator is run with ``engine=`` the same engine against the same server, and must predict
the same outcome and the same requests: the simulator's engine model is checked against the
engine itself.
"""

from __future__ import annotations

import http.client
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from flask_crossorigin.browser import BrowserRequest, ServerResponse, Verdict, simulate
from flask_crossorigin.engines import departs

from .harness import Browser, Exchange, FetchResult, Server, explain

pytestmark = pytest.mark.browser

Serve = Callable[..., Server]
Seen = tuple[str, str, str | None, str | None]  # method, server:path, Origin, ACRH if preflight


def permissive_app(
    name: str,
    *,
    allow_headers: str | None = None,
    refuse_options: frozenset[str] = frozenset(),
) -> Flask:
    """An app that grants every origin by hand: ACAO echoes Origin (``null`` included), every
    usual method is allowed, and request headers are allowed by ``allow_headers`` (the literal
    value of Access-Control-Allow-Headers) or, when None, by echoing what the preflight asked.
    Preflights of the paths in ``refuse_options`` are answered 401, as an auth hook would."""
    app = Flask(name)

    @app.before_request
    def preflight() -> Response | None:
        if request.method != "OPTIONS":
            return None
        if request.path in refuse_options:
            return Response("login first", 401)
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
        asked = request.headers.get("Access-Control-Request-Headers")
        granted = allow_headers if allow_headers is not None else asked
        if granted:
            response.headers["Access-Control-Allow-Headers"] = granted
        return response

    @app.after_request
    def grant(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.vary.add("Origin")
        return response

    @app.route("/data", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def data() -> dict[str, Any]:
        return {
            "method": request.method,
            "origin": request.headers.get("Origin"),
            "authorization": request.headers.get("Authorization"),
        }

    @app.route("/hop/<int:status>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def hop(status: int) -> BaseResponse:
        return redirect(request.args["to"], status)

    return app


def seen(server: Server, exchanges: list[Exchange]) -> list[Seen]:
    return [
        (
            e.method,
            f"{server.port}{e.path}",
            e.header("origin"),
            e.header("access-control-request-headers") if e.is_preflight else None,
        )
        for e in exchanges
    ]


def browser_saw(*servers: Server) -> list[Seen]:
    """What reached the servers: each server's exchanges in arrival order, server after server
    (every scenario here is done with one server before it reaches the next)."""
    return [item for server in servers for item in seen(server, list(server.recorder))]


class Wire:
    """``send`` for the simulator: one real HTTP exchange with the test's own servers (never
    following redirects), and a record of what the simulator sent."""

    def __init__(self, servers: tuple[Server, ...]) -> None:
        self.ports = {int(server.port) for server in servers}
        self.sent: list[tuple[str, str, list[tuple[str, str]]]] = []

    def __call__(self, method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        parts = urlsplit(url)
        assert parts.port in self.ports, f"the simulator left the test's servers: {url}"
        self.sent.append((method, url, list(headers)))
        connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
        try:
            path = parts.path + ("?" + parts.query if parts.query else "")
            connection.request(method, path, headers=dict(headers))
            answer = connection.getresponse()
            answer.read()
            return ServerResponse(answer.status, answer.getheaders())
        finally:
            connection.close()

    def seen(self) -> list[Seen]:
        out: list[Seen] = []
        for method, url, headers in self.sent:
            named = {k.lower(): v for k, v in headers}
            parts = urlsplit(url)
            preflight = method == "OPTIONS" and "access-control-request-method" in named
            out.append(
                (
                    method,
                    f"{parts.port}{parts.path}",
                    named.get("origin"),
                    named.get("access-control-request-headers") if preflight else None,
                )
            )
        return out


def simulated(
    browser: Browser,
    servers: tuple[Server, ...],
    url: str,
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
) -> tuple[Verdict, list[Seen]]:
    """The simulator's run of the same fetch, as ``browser.engine``, against the same servers
    (their recorders are cleared first: what the engine did was read before)."""
    for server in servers:
        server.recorder.clear()
    wire = Wire(servers)
    request_ = BrowserRequest(origin=browser.origin, url=url, method=method, headers=headers)
    verdict = simulate(request_, wire, engine=browser.engine)
    return verdict, wire.seen()


def assert_simulator_agrees(
    browser: Browser,
    result: FetchResult,
    engine_saw: list[Seen],
    verdict: Verdict,
    simulator_saw: list[Seen],
    cls: str,
) -> None:
    why = f"\nengine saw: {engine_saw}\nsimulator sent: {simulator_saw}\n{verdict.steps}"
    assert verdict.allowed == (not result.blocked), why
    assert simulator_saw == engine_saw, why
    assert (cls in verdict.departures) == departs(browser.engine, cls), why


# --------------------------------------------------------------------------------------------
# A: `Access-Control-Allow-Headers: *` admits Authorization without credentials


def test_a_wildcard_allow_headers_admits_authorization(browser: Browser, serve: Serve) -> None:
    api = serve(permissive_app("e2e_class_a", allow_headers="*"))
    url = api.url("/data")
    headers = (("Authorization", "Bearer abc"),)

    result = browser.fetch(url, {"headers": dict(headers)})
    engine_saw = browser_saw(api)

    # The standard refuses (F16: '*' never covers Authorization); class A engines let it in.
    departs_here = departs(browser.engine, "A")
    assert result.blocked is not departs_here, explain(result, api)
    preflight = api.recorder.preflights("/data")[0]
    assert preflight.header("access-control-request-headers") == "authorization"
    assert preflight.response_header("Access-Control-Allow-Headers") == "*"
    if departs_here:
        assert result.json()["authorization"] == "Bearer abc", explain(result, api)
    else:
        assert api.recorder.requests("GET") == [], api.recorder.dump()

    verdict, simulator_saw = simulated(browser, (api,), url, headers=headers)
    assert_simulator_agrees(browser, result, engine_saw, verdict, simulator_saw, "A")


# --------------------------------------------------------------------------------------------
# C: after a redirect of a preflighted request, the next hop is preflighted again


def test_c_a_redirect_of_a_preflighted_request_is_preflighted_again(
    browser: Browser, serve: Serve
) -> None:
    # PUT /hop/303 is preflighted (PUT is unsafe); the 303 turns it into a GET of /data with
    # nothing unsafe left. /data's OPTIONS is refused (401), like an app whose auth hook also
    # guards preflights: only an engine that preflights the GET again is blocked by that.
    api = serve(permissive_app("e2e_class_c", refuse_options=frozenset({"/data"})))
    url = api.url("/hop/303?to=" + api.url("/data"))

    result = browser.fetch(url, {"method": "PUT"})
    engine_saw = browser_saw(api)

    preflighted_again = len(api.recorder.preflights("/data")) == 1
    assert preflighted_again is departs(browser.engine, "C"), explain(result, api)
    assert len(api.recorder.preflights("/hop/303")) == 1, api.recorder.dump()
    assert api.recorder.requests("PUT", "/hop/303"), api.recorder.dump()
    if preflighted_again:
        assert result.blocked, explain(result, api)
        assert api.recorder.requests("GET", "/data") == [], api.recorder.dump()
    else:
        assert not result.blocked, explain(result, api)
        assert result.json()["method"] == "GET"

    verdict, simulator_saw = simulated(browser, (api,), url, method="PUT")
    assert_simulator_agrees(browser, result, engine_saw, verdict, simulator_saw, "C")


# --------------------------------------------------------------------------------------------
# D: after a cross-origin redirect, Firefox's new preflight carries the page's origin


def test_d_preflight_origin_after_a_cross_origin_redirect(browser: Browser, serve: Serve) -> None:
    first = serve(permissive_app("e2e_class_d_first"))
    second = serve(permissive_app("e2e_class_d_second"))
    url = first.url("/hop/307?to=" + second.url("/data"))
    headers = (("X-Step", "1"),)

    result = browser.fetch(url, {"method": "PUT", "headers": dict(headers)})
    engine_saw = browser_saw(first, second)

    assert not result.blocked, explain(result, second)
    preflight = second.recorder.preflights("/data")[0]
    # The standard (F29): the redirect to another origin taints it, so the preflight says null.
    expected = browser.origin if departs(browser.engine, "D") else "null"
    assert preflight.header("origin") == expected, second.recorder.dump()
    # The request itself says null in every engine: only the preflight departs.
    assert second.recorder.last("PUT", "/data").header("origin") == "null"

    verdict, simulator_saw = simulated(browser, (first, second), url, "PUT", headers)
    assert_simulator_agrees(browser, result, engine_saw, verdict, simulator_saw, "D")


# --------------------------------------------------------------------------------------------
# E: WebKit drops Authorization after a cross-origin redirect but still asks for it


def test_e_authorization_after_a_cross_origin_redirect(browser: Browser, serve: Serve) -> None:
    first = serve(permissive_app("e2e_class_e_first"))
    second = serve(permissive_app("e2e_class_e_second"))
    url = first.url("/hop/307?to=" + second.url("/data"))
    headers = (("Authorization", "Bearer abc"),)

    result = browser.fetch(url, {"headers": dict(headers)})
    engine_saw = browser_saw(first, second)

    assert not result.blocked, explain(result, second)
    # Every engine drops Authorization on the cross-origin hop (F30) ...
    assert second.recorder.last("GET", "/data").header("authorization") is None
    assert result.json()["authorization"] is None
    # ... but class E still lists it in the new preflight's Access-Control-Request-Headers.
    preflights = second.recorder.preflights("/data")
    if departs(browser.engine, "E"):
        assert [p.header("access-control-request-headers") for p in preflights] == [
            "authorization"
        ], second.recorder.dump()
    else:
        assert all(
            "authorization" not in (p.header("access-control-request-headers") or "")
            for p in preflights
        ), second.recorder.dump()

    verdict, simulator_saw = simulated(browser, (first, second), url, headers=headers)
    assert_simulator_agrees(browser, result, engine_saw, verdict, simulator_saw, "E")


# --------------------------------------------------------------------------------------------
# F: WebKitGTK turns a DELETE into a GET on a cross-origin 307/308


@pytest.mark.parametrize("status", [307, 308])
def test_f_delete_across_origins_on_307_308(browser: Browser, serve: Serve, status: int) -> None:
    first = serve(permissive_app("e2e_class_f_first"))
    second = serve(permissive_app("e2e_class_f_second"))
    url = first.url(f"/hop/{status}?to=" + second.url("/data"))

    result = browser.fetch(url, {"method": "DELETE"})
    engine_saw = browser_saw(first, second)

    assert not result.blocked, explain(result, second)
    expected = "GET" if departs(browser.engine, "F") else "DELETE"  # 307/308 keep the method
    assert result.json()["method"] == expected, second.recorder.dump()
    assert [e.method for e in second.recorder if not e.is_preflight] == [expected]

    verdict, simulator_saw = simulated(browser, (first, second), url, "DELETE")
    assert_simulator_agrees(browser, result, engine_saw, verdict, simulator_saw, "F")
