"""`make demo`: a CORS playground with two origins.

* http://localhost:5000 is an example API protected by flask-crossorigin.
* http://127.0.0.1:5001 is a page on another origin (``--api-port``/``--page-port``, or
  ``serve()``, take other ports; port 0 picks free ones, as the browser test does). Pick a
  route, a method, headers, credentials and a body, press "Send", and the page fires a real
  ``fetch()`` at the API. Your browser enforces CORS; the page shows what it allowed or blocked
  next to the server's own explanation (flask-crossorigin's browser simulator run against the
  same API), and the requests that really reached the API (so you can see whether a preflight
  was sent, and which cookies came with each request).

The page (127.0.0.1) and the API (localhost) are different *sites*, not only different origins,
so the API's cookie is a third-party cookie on this page, which browsers increasingly block
(the tests' Chromium does): ``/api/me`` sets it ``Partitioned`` (SESSION_COOKIE), and the page
explains why beside the cookie preset.

Ctrl-C stops both servers. ``create_api``, ``create_page`` and ``serve`` are importable for
tests (tests/browser/test_playground.py drives this page in Chromium).
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable

from flask import Flask, Response, abort, jsonify, request
from markupsafe import escape
from werkzeug.serving import make_server

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.browser import BrowserRequest, ServerResponse
from flask_crossorigin.diagnosis import run_check
from flask_crossorigin.engines import engine_for_user_agent

API_ORIGIN = "http://localhost:5000"
PAGE_ORIGIN = "http://127.0.0.1:5001"


def make_policy(page_origin: str = PAGE_ORIGIN) -> dict[str, Any]:
    """The example policy, shown on the page as it is written here."""
    return {
        "resources": {
            r"/api/public/*": {"origins": "*", "send_wildcard": True},
            r"/api/*": {
                "origins": [page_origin],
                "methods": ["GET", "POST", "PUT", "DELETE"],
                "allow_headers": ["Content-Type", "X-Request-Id"],
                "expose_headers": ["X-Total-Count"],
                "supports_credentials": True,
                "max_age": 600,
            },
        }
    }


#: The example policy for the default origins.
POLICY: dict[str, Any] = make_policy()


class RequestLog:
    """WSGI middleware recording what reaches the API, preflights included (bounded)."""

    def __init__(self, app: Callable[..., Any], limit: int = 200) -> None:
        self.app = app
        self.limit = limit
        self.entries: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.counter = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self.lock:
            self.counter += 1
            self.entries.append(
                {
                    "n": self.counter,
                    "method": environ.get("REQUEST_METHOD", ""),
                    "path": environ.get("PATH_INFO", ""),
                    "preflight": "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
                    and environ.get("REQUEST_METHOD") == "OPTIONS",
                    "cookies": cookie_names(environ.get("HTTP_COOKIE", "")),
                }
            )
            del self.entries[: -self.limit]
        return self.app(environ, start_response)

    def since(self, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [entry for entry in self.entries if entry["n"] > number]


def cookie_names(header: str) -> list[str]:
    """The names in a ``Cookie`` header (never the values), at most 10, each cut to 40 chars."""
    names = [part.split("=", 1)[0].strip()[:40] for part in header.split(";")]
    return [name for name in names if name][:10]


#: The cookie ``/api/me`` sets. ``Partitioned`` (CHIPS) is what makes it work here: the page and
#: the API are different sites, so without it the cookie is a third-party cookie, which the
#: tests' Chromium (like Safari) refuses to store. ``SameSite=None`` lets it go with cross-site
#: requests at all, and both need ``Secure``, which browsers accept over plain http from
#: localhost (a real site needs https).
#: Written by hand, not with ``set_cookie(partitioned=True)``, which the Werkzeug 2.3 that
#: Flask 2.3 allows lacks.
SESSION_COOKIE = "user=ada; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"


def create_api(page_origin: str = PAGE_ORIGIN) -> Flask:
    """The example API; its policy lets the page at *page_origin* call ``/api/*``."""
    api = Flask("playground_api")
    CORS(api, **make_policy(page_origin))

    @api.get("/api/items")
    def list_items() -> Response:
        response = jsonify(["apple", "pear"])
        response.headers["X-Total-Count"] = "2"
        response.headers["X-Internal"] = "not exposed"
        return response

    @api.post("/api/items")
    def add_item() -> tuple[Response, int]:
        return jsonify(received=request.get_json(silent=True)), 201

    @api.route("/api/items/<int:item>", methods=["PUT", "DELETE", "PATCH"])
    def change_item(item: int) -> Response:
        return jsonify(item=item, method=request.method)

    @api.get("/api/me")
    def me() -> Response:
        user = request.cookies.get("user")
        if user is not None:
            return jsonify(user=user)
        response = jsonify(user=None, note="no cookie came with this request; this answer sets one")
        response.headers.add("Set-Cookie", SESSION_COOKIE)
        return response

    @api.get("/api/missing")
    def missing() -> Response:
        abort(404)

    @api.get("/api/crash")
    def crash() -> Response:
        raise RuntimeError("an unhandled error; the 500 still carries CORS headers")

    @api.get("/api/public/status")
    def status() -> Response:
        return jsonify(status="ok")

    @api.get("/admin")
    @cross_origin(origins=["https://admin.example.com"])
    def admin() -> Response:
        return jsonify(secret="only https://admin.example.com may read this")

    api.config["PROPAGATE_EXCEPTIONS"] = False
    return api


#: The routes offered on the page: (label, method, path, headers, credentials, json body).
PRESETS: list[dict[str, Any]] = [
    {"label": "Simple GET (allowed)", "method": "GET", "path": "/api/items"},
    {
        "label": "JSON POST, preflighted (allowed)",
        "method": "POST",
        "path": "/api/items",
        "headers": "Content-Type: application/json",
        "body": '{"name": "plum"}',
    },
    {
        "label": "DELETE with X-Request-Id (allowed)",
        "method": "DELETE",
        "path": "/api/items/1",
        "headers": "X-Request-Id: 42",
    },
    {"label": "PATCH (blocked: method)", "method": "PATCH", "path": "/api/items/1"},
    {
        "label": "Custom header X-Debug (blocked: header)",
        "method": "GET",
        "path": "/api/items",
        "headers": "X-Debug: 1",
    },
    {
        "label": "Cookies (allowed)",
        "method": "GET",
        "path": "/api/me",
        "credentials": True,
        "note": "cookies",
    },
    {
        "label": "Public, with cookies (blocked: '*')",
        "method": "GET",
        "path": "/api/public/status",
        "credentials": True,
    },
    {"label": "404 from abort() (readable)", "method": "GET", "path": "/api/missing"},
    {"label": "Unhandled error, 500 (readable)", "method": "GET", "path": "/api/crash"},
    {"label": "Decorated view (blocked: origin)", "method": "GET", "path": "/admin"},
]


def parse_headers(text: str) -> list[tuple[str, str]]:
    """``Name: value`` lines into pairs; lines without a colon are ignored."""
    pairs = []
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            pairs.append((name.strip(), value.strip()))
    return pairs


def explain(
    api: Flask,
    form: dict[str, Any],
    api_origin: str = API_ORIGIN,
    page_origin: str = PAGE_ORIGIN,
    user_agent: str | None = None,
) -> dict[str, Any]:
    """Replay the page's request through the browser simulator against the API, in-process.

    The simulated engine is the visitor's, from their User-Agent (Chromium, Firefox, WebKit;
    the Fetch standard for any other), so the verdict is the one their browser reaches where
    engines differ, with their engine's own console line.
    """
    headers = parse_headers(str(form.get("headers", "")))
    body = form.get("body") or None
    content_type = None
    if body is not None and not any(name.lower() == "content-type" for name, _ in headers):
        content_type = "text/plain;charset=UTF-8"
    browser_request = BrowserRequest(
        origin=page_origin,
        url=api_origin + str(form.get("path", "/")),
        method=str(form.get("method", "GET")),
        headers=headers,
        credentials=bool(form.get("credentials")),
        content_type=content_type if body is not None else None,
    )
    client = api.test_client()

    def send(method: str, url: str, sent: list[tuple[str, str]]) -> ServerResponse:
        response = client.open(url, method=method, headers=sent)
        return ServerResponse(response.status_code, list(response.headers.items()))

    # The same explanation `flask cors check` prints: the browser's verdict, the policy that
    # applied and the server's own reason, and a fix phrased in terms of that policy.
    engine = engine_for_user_agent(user_agent)
    checked = run_check(browser_request, send, api, api_origin, engine=engine)
    report = checked.as_json()
    policy = None
    found = checked.coverage
    if found is not None and found.policy is not None:
        policy = {"source": found.label, "options": found.policy.describe()}
    reason = None
    if report["reason"] is not None:
        reason = {
            "id": report["reason"],
            "message": report["message"],
            "fix": report["fix"],
            "console": report["console"],
        }
    server_reason = report["server_reason"]
    if server_reason is None and policy is not None:
        server_reason = "allowed"  # the policy granted it; any block is the browser's own rule
    elif server_reason is not None and report["server_detail"]:
        server_reason += f" ({report['server_detail']})"
    return {
        "allowed": report["allowed"],
        "status": report["status"],
        "steps": report["steps"],
        "readable_headers": report["readable_headers"],
        "reason": reason,
        "server_reason": server_reason,
        "policy": policy,
        "engine": engine,
    }


def create_page(
    api: Flask,
    log: RequestLog,
    api_origin: str = API_ORIGIN,
    page_origin: str = PAGE_ORIGIN,
) -> Flask:
    """The playground page (served at *page_origin*), calling the API at *api_origin*."""
    page = Flask("playground_page")
    policy = _format(_printable(make_policy(page_origin)))

    @page.get("/")
    def index() -> Response:
        html = (
            PAGE.replace("__PRESETS__", json.dumps(PRESETS))
            .replace("__API__", json.dumps(api_origin))
            .replace("__API_ORIGIN__", escape(api_origin))
            .replace("__PAGE_ORIGIN__", escape(page_origin))
            .replace("__POLICY__", str(escape(policy)))
        )
        return Response(html, mimetype="text/html")

    @page.post("/explain")
    def explain_view() -> Response:
        form = request.get_json(force=True, silent=True) or {}
        agent = request.headers.get("User-Agent")
        return jsonify(explain(api, form, api_origin, page_origin, agent))

    @page.get("/log")
    def log_view() -> Response:
        return jsonify(log.since(request.args.get("since", 0, type=int)))

    return page


def _printable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _printable(v) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, str):
        return [_printable(v) for v in value]
    return value


def _format(value: Any, indent: str = "") -> str:
    """JSON with one key per line and each list on one line: the policy as the page shows it."""
    if isinstance(value, dict) and value:
        inner = indent + "  "
        items = [f"{inner}{json.dumps(k)}: {_format(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return json.dumps(value)


PAGE = (Path(__file__).parent / "playground.html").read_text(encoding="utf-8")


def _not_ready(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def serve(api_port: int = 5000, page_port: int = 5001) -> list[Any]:
    """Start the API (on localhost) and the page (on 127.0.0.1) in threads.

    Returns ``[api_server, page_server]`` (call ``.shutdown()`` on each); port 0 picks a free
    port, and ``server.port`` tells which. Each side is told the other's real origin.
    """
    # Bind both sockets first, so that each app can be given the other's origin.
    api_server = make_server("localhost", api_port, _not_ready, threaded=True)
    try:
        page_server = make_server("127.0.0.1", page_port, _not_ready, threaded=True)
    except BaseException:
        api_server.server_close()
        raise
    api_origin = f"http://localhost:{api_server.port}"
    page_origin = f"http://127.0.0.1:{page_server.port}"
    api = create_api(page_origin)
    log = RequestLog(api.wsgi_app)
    api.wsgi_app = log  # type: ignore[method-assign]
    api_server.app = api
    page_server.app = create_page(api, log, api_origin, page_origin)
    servers = [api_server, page_server]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The flask-crossorigin CORS playground.")
    parser.add_argument("--api-port", type=int, default=5000, help="API port (0: a free one)")
    parser.add_argument("--page-port", type=int, default=5001, help="page port (0: a free one)")
    args = parser.parse_args(argv)
    api_server, page_server = serve(args.api_port, args.page_port)
    servers = [api_server, page_server]
    print(f"API:        http://localhost:{api_server.port}")
    print(f"Playground: http://127.0.0.1:{page_server.port}   <- open this; Ctrl-C stops both")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        for server in servers:
            server.shutdown()


if __name__ == "__main__":
    main()
