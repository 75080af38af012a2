"""Real servers and a real Chromium for the end-to-end CORS tests.

* :class:`Recorder` wraps an app's WSGI callable and records every exchange that reached the
  server (preflights answered by the extension included), with the response the server sent.
* :class:`Server` serves a WSGI app with waitress on an ephemeral loopback port, in a thread.
* :class:`Browser` runs ``fetch()`` inside real pages of two origins (and inside a sandboxed
  iframe, whose origin is ``null``) and returns what the page could see.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, request
from waitress import wasyncore
from waitress.server import create_server

FETCH_TIMEOUT_MS = 10_000  # every fetch in the page is aborted after this
STOP_TIMEOUT_S = 5.0  # a server thread gets this long to stop

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PAGE_HTML = (
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
    "<title>flask-crossorigin e2e</title></head><body><p>page</p></body></html>"
)

# Runs in the page (or in the sandboxed iframe): the result of one fetch, as the page sees it.
FETCH_JS = """async ([url, init, timeoutMs]) => {
  const opts = Object.assign({}, init || {});
  opts.signal = AbortSignal.timeout(timeoutMs);
  try {
    const r = await fetch(url, opts);
    const headers = {};
    r.headers.forEach((value, name) => { headers[name] = value; });
    const body = await r.text();
    return {ok: r.ok, status: r.status, headers: headers, body: body, url: r.url,
            redirected: r.redirected, type: r.type, error: null, origin: self.origin};
  } catch (e) {
    return {ok: false, status: 0, headers: {}, body: null, url: url, redirected: false,
            type: "error", error: e.name + ": " + e.message, origin: self.origin};
  }
}"""

# Runs in the page: a sandboxed (scripts only, so origin "null") iframe runs FETCH_JS and posts
# the result back. The iframe is left in place until the next call.
SANDBOX_JS = """([fetchSource, args, timeoutMs]) => new Promise((resolve) => {
  // The previous frame goes now, not when it answered: removing a frame at once can lose the
  // console message in which Chromium explains a CORS failure.
  document.querySelectorAll("iframe[data-e2e]").forEach((old) => old.remove());
  const frame = document.createElement("iframe");
  frame.dataset.e2e = "sandbox";
  frame.setAttribute("sandbox", "allow-scripts");
  const timer = setTimeout(() => {
    window.removeEventListener("message", onMessage);
    frame.remove();
    resolve({ok: false, status: 0, headers: {}, body: null, url: args[0], redirected: false,
             type: "error", error: "harness: no answer from the sandboxed iframe",
             origin: null});
  }, timeoutMs + 2000);
  function onMessage(event) {
    if (event.source !== frame.contentWindow) return;
    clearTimeout(timer);
    window.removeEventListener("message", onMessage);
    resolve(event.data);
  }
  window.addEventListener("message", onMessage);
  const script = "(async () => { parent.postMessage(await (" + fetchSource + ")("
    + JSON.stringify(args) + "), '*'); })();";
  frame.srcdoc = "<!doctype html><script>" + script + "</scr" + "ipt>";
  document.body.appendChild(frame);
})"""


# --------------------------------------------------------------------------------------------
# What reached the server


@dataclass
class Exchange:
    """One request that reached the server, and the response the server sent."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # request headers, names lower-cased
    status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """A request header's value, or None."""
        return self.headers.get(name.lower())

    def response_header(self, name: str) -> str | None:
        """A response header's values joined by ', ', or None when absent."""
        values = [v for k, v in self.response_headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None

    @property
    def is_preflight(self) -> bool:
        return (
            self.method == "OPTIONS"
            and "origin" in self.headers
            and "access-control-request-method" in self.headers
        )

    def describe(self) -> str:
        sent = {k: v for k, v in self.headers.items() if k == "origin" or k.startswith("access")}
        cors = [
            (k, v)
            for k, v in self.response_headers
            if k.lower().startswith("access") or k.lower() == "vary"
        ]
        return f"{self.method} {self.path} {sent} -> {self.status} {cors}"


class Recorder:
    """WSGI middleware recording every exchange (preflights included) that reached the app."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        exchange = Exchange(
            method=environ["REQUEST_METHOD"],
            path=environ.get("PATH_INFO", ""),
            query=environ.get("QUERY_STRING", ""),
            headers=headers,
        )
        with self._lock:
            self.exchanges.append(exchange)

        def recording_start_response(status: str, response_headers: Any, *args: Any) -> Any:
            exchange.status = int(status.split(" ", 1)[0])
            exchange.response_headers = list(response_headers)
            return start_response(status, response_headers, *args)

        return self.app(environ, recording_start_response)

    def __iter__(self) -> Iterator[Exchange]:
        with self._lock:
            return iter(list(self.exchanges))

    def requests(self, method: str | None = None, path: str | None = None) -> list[Exchange]:
        """The exchanges so far, filtered by method and/or path."""
        return [
            e
            for e in self
            if (method is None or e.method == method) and (path is None or e.path == path)
        ]

    def preflights(self, path: str | None = None) -> list[Exchange]:
        return [e for e in self.requests("OPTIONS", path) if e.is_preflight]

    def last(self, method: str | None = None, path: str | None = None) -> Exchange:
        found = self.requests(method, path)
        assert found, f"no {method or 'request'} {path or ''} reached the server:\n{self.dump()}"
        return found[-1]

    def dump(self) -> str:
        return "\n".join(e.describe() for e in self) or "(nothing reached the server)"

    def clear(self) -> None:
        with self._lock:
            self.exchanges.clear()


# --------------------------------------------------------------------------------------------
# Servers


class Server:
    """A WSGI app served by waitress on 127.0.0.1, in a daemon thread."""

    def __init__(self, app: Callable[..., Any], origin_host: str = "localhost") -> None:
        self.recorder = Recorder(app)
        self._server = create_server(
            self.recorder,
            host="127.0.0.1",
            port=0,
            threads=4,
            ident="e2e",
            channel_timeout=30,
        )
        self.port: int = self._server.effective_port  # type: ignore[union-attr]
        # http://localhost:PORT and http://127.0.0.1:PORT are two origins of the same server.
        self.origin = f"http://{origin_host}:{self.port}"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"waitress-{self.port}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # waitress's own run() loops until its map is empty; this loop can be told to stop, and
        # closes the sockets itself (closing them from another thread races with select()).
        server: Any = self._server
        while not self._stopping.is_set():
            wasyncore.loop(timeout=0.1, map=server._map, count=1)
        server.close()
        wasyncore.close_all(server._map)

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(STOP_TIMEOUT_S)
        self._server.task_dispatcher.shutdown(timeout=STOP_TIMEOUT_S)  # type: ignore[union-attr]


def page_app() -> Flask:
    """The app that serves the pages the fetches run in (no CORS: it is never fetched from)."""
    app = Flask("e2e_page")

    @app.get("/")
    def index() -> tuple[str, int, dict[str, str]]:
        return PAGE_HTML, 200, {"Content-Type": "text/html; charset=utf-8"}

    return app


# --------------------------------------------------------------------------------------------
# The browser


@dataclass
class FetchResult:
    """What the page could see of one fetch()."""

    ok: bool
    status: int
    headers: dict[str, str]  # only the headers the page may read
    body: str | None
    url: str
    redirected: bool
    type: str
    error: str | None  # "TypeError: Failed to fetch" when the browser blocked it
    origin: str | None  # the origin of the document that ran the fetch
    console: list[str] = field(default_factory=list)  # what Chromium logged meanwhile

    @property
    def blocked(self) -> bool:
        return self.error is not None

    @property
    def cors_error(self) -> str:
        """Chromium's explanation of the block, from the console."""
        return " | ".join(m for m in self.console if "CORS policy" in m)

    def json(self) -> Any:
        assert self.body is not None, self.error
        return json.loads(self.body)


class Browser:
    """One Chromium for the session, with a page on each of two origins of one page server."""

    def __init__(self, context: Any, page_server: Server) -> None:
        self.context = context
        self.page_server = page_server
        # The page origin the API apps allow, and another one they do not.
        self.origin = f"http://localhost:{page_server.port}"
        self.other_origin = f"http://127.0.0.1:{page_server.port}"
        self._console: list[str] = []
        self._pages: dict[str, Any] = {}
        for origin in (self.origin, self.other_origin):
            self._page(origin)
        for page in context.pages:  # the blank page a persistent context opens with
            if page not in self._pages.values():
                page.close()

    def origin_on(self, host: str) -> str:
        """Another origin of the page server, e.g. ``origin_on("app.localhost")``."""
        return f"http://{host}:{self.page_server.port}"

    def _page(self, origin: str | None) -> Any:
        """The page of ``origin`` (opened on first use, then reused)."""
        origin = origin or self.origin
        page = self._pages.get(origin)
        if page is None:
            page = self._pages[origin] = self.context.new_page()
            page.on("console", lambda message: self._console.append(message.text))
        if page.url != origin + "/":
            page.goto(origin + "/")
        return page

    def _finish(self, raw: dict[str, Any]) -> FetchResult:
        result = FetchResult(**raw)
        if result.blocked:  # Chromium logs the reason right after the promise rejects
            deadline = time.monotonic() + 3.0
            while not any("CORS policy" in m for m in self._console) and (
                time.monotonic() < deadline
            ):
                self._pages[self.origin].wait_for_timeout(25)
        result.console = list(self._console)
        return result

    def fetch(
        self, url: str, init: dict[str, Any] | None = None, *, origin: str | None = None
    ) -> FetchResult:
        """fetch(url, init) in the page of ``origin`` (default: the allowed origin)."""
        self._console.clear()
        raw = self._page(origin).evaluate(FETCH_JS, [url, init or {}, FETCH_TIMEOUT_MS])
        return self._finish(raw)

    def fetch_sandboxed(self, url: str, init: dict[str, Any] | None = None) -> FetchResult:
        """fetch(url, init) in an ``<iframe sandbox="allow-scripts">``: its origin is null."""
        self._console.clear()
        raw = self._page(None).evaluate(
            SANDBOX_JS, [FETCH_JS, [url, init or {}, FETCH_TIMEOUT_MS], FETCH_TIMEOUT_MS]
        )
        return self._finish(raw)

    def cookies(self) -> list[dict[str, Any]]:
        return list(self.context.cookies())

    def reset(self) -> None:
        """Forget cookies between tests (cookies ignore ports: all loopback servers share them)."""
        self.context.clear_cookies()


def explain(result: FetchResult, server: Server) -> str:
    """An assertion message: what the browser reported and what the server sent."""
    return (
        f"\nbrowser: error={result.error!r} status={result.status} headers={result.headers}"
        f"\nconsole: {result.console}\nserver saw:\n{server.recorder.dump()}"
    )


def assert_readable(result: FetchResult, server: Server, status: int = 200) -> None:
    """The page could read the response, and its status is ``status``."""
    assert not result.blocked, "the browser blocked the read:" + explain(result, server)
    assert result.status == status, explain(result, server)


def assert_blocked(result: FetchResult, server: Server, reason: str = "") -> None:
    """The browser refused the read, for a CORS reason containing ``reason``."""
    assert result.blocked, "the page could read the response:" + explain(result, server)
    assert result.error == "TypeError: Failed to fetch", explain(result, server)
    assert result.cors_error, "blocked, but not by CORS:" + explain(result, server)
    assert reason in result.cors_error, explain(result, server)


def echo_app(name: str = "e2e_api") -> Flask:
    """An API app whose /data answers every usual method with what it received."""
    app = Flask(name)

    @app.route("/data", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def data() -> dict[str, Any]:
        return {
            "method": request.method,
            "json": request.get_json(silent=True),
            "origin": request.headers.get("Origin"),
        }

    return app
