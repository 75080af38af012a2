"""Bad requests never hurt: no request input raises, produces a 5xx, or reaches a response header
or a log line raw. Odd bytes are injected as WSGI latin-1 strings into hand-made environs, the
way a real server would hand them over. Rule ids refer to docs/fetch-rules.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from flask_crossorigin import CORS, cross_origin

A = "https://a.test"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"

#: The longest serialized origin a browser can send: a scheme, a 253-character DNS name, a port.
MAX_ORIGIN = len("https://") + 253 + len(":65535")
KIB8 = 8 * 1024

#: Origin values no browser sends (F5, F13.3). None of them may be echoed or granted as listed.
HOSTILE_ORIGINS = [
    "https://a.test\r\nSet-Cookie: pwned=1",
    "https://a.test\r\n",
    "https://a.test\n",
    "https://a.test\r",
    "https://a.test\x00",
    "\x00",
    "https://a.test\x7f",
    "https://a.test\x1b[31m",
    "https://a.test\t",
    " https://a.test",
    "https://a.test ",
    "https://\xe4.test",  # a latin-1 byte
    "https://\xc3\xa4.test",  # UTF-8 bytes seen as latin-1
    "https://a.test\u2028",
    "https://a.test, https://a.test",  # duplicate Origin headers joined by a server (F5)
    "https://a.test,https://evil.test",
    "https://a.test https://evil.test",
    "https://a.test:443",
    "https://a.test/",
    "https://a.test/path",
    "https://user@a.test",
    "https://a.test:99999",
    "https://a.test..",
    "a.test",
    "*",
    "",
    "null",
    "https://a.test" + "\x00" * KIB8,
    "https://a.test\r\n" * 500,
]

#: A listed origin in other case: no browser sends it, but flask-cors matches origins ignoring case,
#: and the drop-in issue keeps that (echoed as sent: only the case differs, nothing is injected).
CASE_VARIANTS = ["https://A.TEST", "HTTPS://a.test", "Https://A.Test"]

#: Well-formed but longer than any DNS name (253 characters, labels of 63 at most): no page can
#: live on such an origin, so it is as hostile as the list above.
OVERLONG_ORIGINS = [
    "https://" + "a" * KIB8 + ".test",
    "https://" + "a." * (KIB8 // 2) + "test",
]

BAD_BYTES = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\U0010ffff]")


def make_environ(method: str = "GET", path: str = "/api/item", **overrides: str) -> dict[str, Any]:
    builder = EnvironBuilder(method=method, path=path)
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    environ.update(overrides)
    return environ


def call(app: Flask, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Call the app as a WSGI server would; return status code, header list and body."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, headers

    chunks = app.wsgi_app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return int(seen["status"].split(" ", 1)[0]), list(seen["headers"]), body


def header(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


def assert_clean(status: int, headers: list[tuple[str, str]], *hostile: str) -> None:
    assert status < 500
    for name, value in headers:
        assert not BAD_BYTES.search(name), name
        assert not BAD_BYTES.search(value), (name, value[:80])
        for item in hostile:
            if len(item) > 1 and BAD_BYTES.search(item):
                assert item not in value, name
    acao = header(headers, ACAO)
    assert len(acao) <= 1  # F25
    if acao:
        assert "," not in acao[0]
        # No browser-serialized origin is longer (RFC 1035 names); an 8 KiB Origin is never
        # reflected.
        assert len(acao[0]) <= MAX_ORIGIN, f"{len(acao[0])}-character ACAO"


def assert_clean_logs(caplog: pytest.LogCaptureFixture, *hostile: str) -> None:
    for record in caplog.records:
        message = record.getMessage()
        assert not BAD_BYTES.search(message), message[:200]
        for item in hostile:
            if len(item) > 1 and (BAD_BYTES.search(item) or len(item) > 1000):
                assert item not in message


# --- apps -------------------------------------------------------------------------------------

recorded: list[str] = []


def recording_callable(origin: str) -> bool:
    recorded.append(origin)
    return origin.endswith(".cb.test")


def with_routes(app: Flask) -> Flask:
    @app.route("/api/item", methods=["GET", "POST", "PUT"])
    def item() -> str:
        return "item"

    @app.route("/api/dec", methods=["GET", "PUT"])
    @cross_origin(origins=[A], methods=["GET", "PUT"], allow_headers=["X-A"])
    def dec() -> str:
        return "dec"

    return app


def any_origin(app: Flask) -> None:
    CORS(app)


def allow_list(app: Flask) -> None:
    CORS(
        app,
        origins=[A, "https://*.glob.test", re.compile(r"https://.*\.re\.test"), recording_callable],
        supports_credentials=True,
        allow_headers=["X-A", "Content-Type"],
        expose_headers="X-Total",
        methods=["GET", "PUT"],
    )


def wildcard_methods(app: Flask) -> None:
    CORS(app, methods="*", allow_headers="*", send_wildcard=True)


def decorator_only(app: Flask) -> None:
    pass


SETUPS: dict[str, Callable[[Flask], None]] = {
    "any-origin": any_origin,
    "allow-list": allow_list,
    "wildcard-methods": wildcard_methods,
    "decorator-only": decorator_only,
}


@pytest.fixture(params=list(SETUPS))
def hostile_app(request: pytest.FixtureRequest, error_app: Flask) -> Flask:
    with_routes(error_app)
    SETUPS[request.param](error_app)
    recorded.clear()
    return error_app


# --- Origin -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/item", "/api/dec"])
def test_hostile_origin_on_actual_requests(hostile_app, debug_log, path):
    for origin in HOSTILE_ORIGINS:
        status, headers, _ = call(hostile_app, make_environ("GET", path, HTTP_ORIGIN=origin))
        assert_clean(status, headers, origin)
        acao = header(headers, ACAO)
        # Nothing a browser would not send is granted as a listed origin, or echoed.
        assert acao in ([], ["*"]), repr(origin[:60])
        assert not header(headers, ACAC) or acao == []
    assert_clean_logs(debug_log, *HOSTILE_ORIGINS)
    # The callable only ever sees browser-serialized origins, and 'null' as it is (item 9).
    assert set(recorded) <= {"null"}


@pytest.mark.parametrize("path", ["/api/item", "/api/dec"])
def test_listed_origin_in_other_case_is_granted_and_echoed_as_sent(request, hostile_app, path):
    # Drop-in issue, "literal origins match scheme and host case-insensitively and the
    # request's Origin is echoed as sent"; an any-origin policy sending '*' still sends '*'.
    setup = request.node.callspec.params["hostile_app"]
    expected_by_setup = {"wildcard-methods": "*", "decorator-only": None}
    for origin in CASE_VARIANTS:
        status, headers, _ = call(hostile_app, make_environ("GET", path, HTTP_ORIGIN=origin))
        assert_clean(status, headers, origin)
        expected = origin if path == "/api/dec" else expected_by_setup.get(setup, origin)
        assert header(headers, ACAO) == ([] if expected is None else [expected]), origin
    assert recorded == []  # A is listed: the callable is not asked


@pytest.mark.parametrize("path", ["/api/item", "/api/dec", "/api/no-route"])
def test_hostile_origin_on_preflights(hostile_app, debug_log, path):
    for origin in HOSTILE_ORIGINS:
        environ = make_environ(
            "OPTIONS",
            path,
            HTTP_ORIGIN=origin,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-a",
        )
        status, headers, _ = call(hostile_app, environ)
        assert_clean(status, headers, origin)
        assert header(headers, ACAO) in ([], ["*"]), repr(origin[:60])
    assert_clean_logs(debug_log, *HOSTILE_ORIGINS)
    assert set(recorded) <= {"null"}  # 'null' is asked as it is (security issue item 9)


@pytest.mark.parametrize("origin", OVERLONG_ORIGINS, ids=["8KiB-label", "4096-labels"])
def test_overlong_origin_is_never_reflected(hostile_app, debug_log, origin):
    for path in ("/api/item", "/api/dec"):
        for method, extra in [
            ("GET", {}),
            ("OPTIONS", {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}),
        ]:
            status, headers, _ = call(
                hostile_app, make_environ(method, path, HTTP_ORIGIN=origin, **extra)
            )
            assert status < 500
            assert header(headers, ACAO) in ([], ["*"]), (
                f"{method} {path}: echoed a {len(origin)}-character Origin"
            )
    assert recorded == [], "the origin callable was handed an over-long Origin"
    for record in debug_log.records:
        assert origin not in record.getMessage()


def test_listed_origins_still_work_next_to_hostile_ones(error_app):
    with_routes(error_app)
    allow_list(error_app)
    client = error_app.test_client()
    for origin in (A, "https://x.glob.test", "https://x.re.test", "https://x.cb.test"):
        r = client.get("/api/item", headers={"Origin": origin})
        assert r.headers.getlist(ACAO) == [origin]
        assert r.headers.getlist(ACAC) == ["true"]
    for origin in (
        "https://evil.test\r.re.test",
        "https://evil.test\n.glob.test",
        "https://x.glob.test\x00",
        "https://x.cb.test\r\n",
        "https://evil.test/.cb.test",
    ):
        status, headers, _ = call(error_app, make_environ(HTTP_ORIGIN=origin))
        assert_clean(status, headers, origin)
        assert header(headers, ACAO) == []


def test_duplicate_origin_headers_through_the_test_client(error_app):
    with_routes(error_app)
    allow_list(error_app)
    client = error_app.test_client()
    for path in ("/api/item", "/api/dec"):
        r = client.get(path, headers=[("Origin", A), ("Origin", A)])
        assert r.status_code == 200
        assert ACAO not in r.headers  # F5/F25: not one serialized origin
        r = client.options(
            path,
            headers=[
                ("Origin", A),
                ("Origin", "https://evil.test"),
                ("Access-Control-Request-Method", "PUT"),
            ],
        )
        assert r.status_code == 403
        assert ACAO not in r.headers


# --- Access-Control-Request-Method ------------------------------------------------------------

HOSTILE_METHODS = [
    "PUT\r\n",
    "PUT\r\nX-Evil: 1",
    "PUT\x00",
    "P\x7fT",
    "P UT",
    "PUT, PUT",
    "GET,PUT",
    "",
    " ",
    "\xe4",
    "PUT" * (KIB8 // 3),
    "(PUT)",
]


@pytest.mark.parametrize("path", ["/api/item", "/api/dec"])
def test_hostile_request_method(hostile_app, debug_log, path):
    for method in HOSTILE_METHODS:
        environ = make_environ(
            "OPTIONS", path, HTTP_ORIGIN=A, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method
        )
        status, headers, _ = call(hostile_app, environ)
        assert_clean(status, headers, method)
        for value in header(headers, ACAM):
            assert method not in value or method.isalpha(), repr(method[:40])
    assert_clean_logs(debug_log, *HOSTILE_METHODS)


def test_long_token_method_is_bounded_in_logs(error_app, debug_log):
    with_routes(error_app)
    wildcard_methods(error_app)
    method = "PURGE" * (KIB8 // 5)
    environ = make_environ(
        "OPTIONS", "/api/item", HTTP_ORIGIN=A, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method
    )
    status, _, _ = call(error_app, environ)
    assert status < 500
    assert debug_log.records
    for record in debug_log.records:
        assert method not in record.getMessage()


# --- Access-Control-Request-Headers -----------------------------------------------------------

HOSTILE_HEADER_LISTS = [
    "x-a\r\nx-b",
    "x-a\r\nSet-Cookie: a=b",
    "x-a\x00",
    "x-\xe4",
    "x-a;x-b",
    "x a",
    '"x-a"',
    "x-a:1",
    "(x-a)",
    "x-a,\x0bx-b",
    "x-" + "a" * KIB8 + "\r",
    ",".join(["x-a\n"] * 300),
    ",".join(f"x-{i}" for i in range(5000)),
    "," * KIB8,
]


@pytest.mark.parametrize("path", ["/api/item", "/api/dec"])
def test_hostile_request_headers(hostile_app, debug_log, path):
    for requested in HOSTILE_HEADER_LISTS:
        environ = make_environ(
            "OPTIONS",
            path,
            HTTP_ORIGIN=A,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS=requested,
        )
        status, headers, _ = call(hostile_app, environ)
        assert_clean(status, headers, requested)
        for value in header(headers, ACAH):
            names = [name.strip() for name in value.split(",")]
            assert all(re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9a-z]+", n) for n in names), value[:80]
    assert_clean_logs(debug_log, *HOSTILE_HEADER_LISTS)


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (",,,", None),
        (" , ,", None),
        ("x-a,,x-a", "x-a"),
        ("X-A, , X-B ,", "x-a, x-b"),
        ("x-a,\tx-b", "x-a, x-b"),
    ],
)
def test_malformed_but_harmless_header_lists(error_app, requested, expected):
    with_routes(error_app)
    CORS(error_app)
    environ = make_environ(
        "OPTIONS",
        "/api/item",
        HTTP_ORIGIN=A,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=requested,
    )
    status, headers, _ = call(error_app, environ)
    assert status == 204  # F4: tolerate spaces, case and empty items
    assert header(headers, ACAH) == ([] if expected is None else [expected])


def test_two_hundred_requested_header_names(error_app):
    with_routes(error_app)
    CORS(error_app)
    names = [f"X-Custom-{i:03d}" for i in range(200)]
    environ = make_environ(
        "OPTIONS",
        "/api/item",
        HTTP_ORIGIN=A,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=",".join(names),
    )
    status, headers, _ = call(error_app, environ)
    assert status == 204
    assert header(headers, ACAH) == [", ".join(name.lower() for name in names)]


def test_eight_kib_header_name_is_handled(error_app):
    with_routes(error_app)
    CORS(error_app, allow_headers=["X-A"])
    environ = make_environ(
        "OPTIONS",
        "/api/item",
        HTTP_ORIGIN=A,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-" + "a" * KIB8,
    )
    status, headers, _ = call(error_app, environ)
    assert status == 403
    assert header(headers, ACAH) == []


# --- paths and other headers -------------------------------------------------------------------

HOSTILE_PATHS = [
    "/api/\x00",
    "/api/item\r\nX-Evil: 1",
    "/api/\xff\xfe",
    "/api/\xc3\xa4",
    "/api/" + "a" * KIB8,
    "/api/" + "../" * 500 + "etc/passwd",
    "/api//item",
    "//api/item",
    "/api/item/..",
    "",
    "/api/%00",
    "/api/\x1b[2J",
]


def test_hostile_paths(hostile_app, debug_log):
    for path in HOSTILE_PATHS:
        for method, extra in [
            ("GET", {}),
            ("OPTIONS", {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}),
        ]:
            environ = make_environ(method, "/", HTTP_ORIGIN=A, **extra)
            environ["PATH_INFO"] = path
            status, headers, _ = call(hostile_app, environ)
            assert_clean(status, headers, path)
    assert_clean_logs(debug_log, *HOSTILE_PATHS)


def test_private_network_request_header_is_never_echoed(error_app):
    with_routes(error_app)
    CORS(error_app, allow_private_network=True)
    for value in ("true\r\n", "true\x00", "TRUE", "true, true", "\xe4", "true" * 2048):
        environ = make_environ(
            "OPTIONS",
            "/api/item",
            HTTP_ORIGIN=A,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
            HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK=value,
        )
        status, headers, _ = call(error_app, environ)
        assert_clean(status, headers, value)
        assert header(headers, "Access-Control-Allow-Private-Network") == []


def test_crlf_in_origin_is_logged_escaped(error_app, debug_log):
    with_routes(error_app)
    allow_list(error_app)
    origin = "https://evil.test\r\n2026-01-01 INFO forged line\x00"
    for method, extra in [
        ("GET", {}),
        ("OPTIONS", {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}),
    ]:
        status, _, _ = call(
            error_app, make_environ(method, "/api/item", HTTP_ORIGIN=origin, **extra)
        )
        assert status < 500
    messages = [r.getMessage() for r in debug_log.records if r.name == "flask_crossorigin"]
    assert len(messages) == 2  # one DEBUG line per decision
    for message in messages:
        assert "\r" not in message
        assert "\n" not in message
        assert "\x00" not in message
        assert "forged line" in message  # logged, escaped
        assert "\\r\\n" in message


def test_requests_without_any_cors_header_are_untouched(hostile_app):
    status, headers, body = call(hostile_app, make_environ("GET", "/api/item"))
    assert status == 200
    assert body == b"item"
    assert header(headers, ACAC) == []
    assert header(headers, ACAM) == []
    assert header(headers, ACAH) == []
