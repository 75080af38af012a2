"""Real servers and real browsers (Chromium, Firefox ESR, WebKitGTK) for the end-to-end tests.

* :class:`Recorder` wraps an app's WSGI callable and records every exchange that reached the
  server (preflights answered by the extension included), with the response the server sent.
* :class:`Server` serves a WSGI app with waitress on an ephemeral loopback port, in a thread.
* :class:`Browser` runs ``fetch()`` inside real pages of two origins (and inside a sandboxed
  iframe, whose origin is ``null``) and returns what the page could see, with what the engine
  wrote to its console meanwhile. One implementation per engine: :class:`ChromiumBrowser`
  (Playwright), :class:`FirefoxBrowser` (WebDriver BiDi, tests/browser/bidi.py) and
  :class:`WebKitBrowser` (WebKitWebDriver, through Selenium). They are started by conftest.py.
"""

from __future__ import annotations

import abc
import base64
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from flask import Flask, request
from waitress import wasyncore
from waitress.server import create_server

if TYPE_CHECKING:
    from .bidi import BiDi

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
# The browsers

#: The engines the suite runs in, by the ids the tests are parametrized with.
ENGINES = ("chromium", "firefox", "webkit")

#: What the page's fetch() rejects with when the engine blocks a response (or a preflight).
BLOCKED_ERROR = {
    "chromium": "TypeError: Failed to fetch",
    "firefox": "TypeError: NetworkError when attempting to fetch resource.",
    "webkit": "TypeError: Load failed",
}

#: A console line is one of the engine's CORS explanations when it contains one of these.
CORS_MARKERS = {
    "chromium": ("CORS policy",),
    "firefox": ("Cross-Origin Request Blocked",),
    # WebKit's CORS lines come from its SECURITY source, each followed by "Fetch API cannot load
    # URL due to access control checks."; they name the header, or the preflight, at fault.
    "webkit": (
        "access control checks",
        "Access-Control-",
        "Preflight response",
        "Cross-origin redirection",
    ),
}

#: Why a test expects a block, as words each engine's console uses for it. A test names the key;
#: an engine missing from an entry never says it in words of its own (the test then checks what
#: reached the server instead, and says so).
BLOCK_REASONS: dict[str, dict[str, str]] = {
    "": {"chromium": "", "firefox": "", "webkit": ""},
    "no_acao": {
        "chromium": "No 'Access-Control-Allow-Origin' header",
        "firefox": "CORS header \u2018Access-Control-Allow-Origin\u2019 missing",
        "webkit": "not allowed by Access-Control-Allow-Origin",
    },
    "wildcard": {
        "chromium": "wildcard '*'",
        "firefox": "Credential is not supported if the CORS header "
        "\u2018Access-Control-Allow-Origin\u2019 is \u2018*\u2019",
        "webkit": "Cannot use wildcard in Access-Control-Allow-Origin",
    },
    "no_acac": {
        "chromium": "Access-Control-Allow-Credentials",
        "firefox": "expected \u2018true\u2019 in CORS header "
        "\u2018Access-Control-Allow-Credentials\u2019",
        "webkit": "Access-Control-Allow-Credentials",
    },
    # A preflight refused with 403 (no CORS headers): Chromium says "preflight"; Firefox reports
    # the preflight's missing header (its status code follows) and then that the CORS request
    # did not succeed; WebKit blames the preflight's status.
    "preflight": {
        "chromium": "preflight",
        "firefox": "CORS header \u2018Access-Control-Allow-Origin\u2019 missing",
        "webkit": "Preflight response is not successful. Status code: 403",
    },
    # A preflight answered 200 without CORS headers (an app without CORS answering OPTIONS).
    "preflight_no_acao": {
        "chromium": "preflight",
        "firefox": "CORS header \u2018Access-Control-Allow-Origin\u2019 missing",
        "webkit": "not allowed by Access-Control-Allow-Origin. Status code: 200",
    },
}


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
    error: str | None  # the engine's BLOCKED_ERROR when the browser blocked it
    origin: str | None  # the origin of the document that ran the fetch
    console: list[str] = field(default_factory=list)  # what the engine logged meanwhile
    engine: str = "chromium"

    @property
    def blocked(self) -> bool:
        return self.error is not None

    @property
    def cors_error(self) -> str:
        """The engine's explanation of the block, from its console."""
        return " | ".join(m for m in self.console if is_cors_line(self.engine, m))

    def json(self) -> Any:
        assert self.body is not None, self.error
        return json.loads(self.body)


def is_cors_line(engine: str, line: str) -> bool:
    return any(marker in line for marker in CORS_MARKERS[engine])


class Page(abc.ABC):
    """One tab of an engine, for tests that work a page (the playground) rather than fetch()."""

    @abc.abstractmethod
    def goto(self, url: str) -> None: ...

    @abc.abstractmethod
    def call(self, function: str, arg: Any = None) -> Any:
        """``await (function)(arg)`` in the page; the result must be JSON-serializable."""

    @abc.abstractmethod
    def click(self, selector: str) -> None:
        """A real click (the engine's own input events) on the element."""

    @abc.abstractmethod
    def set_viewport(self, width: int, height: int) -> None: ...

    @abc.abstractmethod
    def screenshot(self) -> bytes:
        """A PNG at the viewport's width: the whole page where the engine's driver can take
        one (Chromium), else the viewport."""

    @abc.abstractmethod
    def settle(self, seconds: float) -> None:
        """Let console messages on their way arrive (at most ``seconds``)."""

    @abc.abstractmethod
    def close(self) -> None: ...

    console: list[str]

    # What follows is the same in every engine: DOM reads through call().

    def wait_for(self, selector: str, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.call("(s) => document.querySelector(s) !== null", selector):
            if time.monotonic() > deadline:
                raise AssertionError(f"{selector} did not appear in {timeout_s}s")
            time.sleep(0.025)

    def exists(self, selector: str) -> bool:
        return bool(self.call("(s) => document.querySelector(s) !== null", selector))

    def text(self, selector: str) -> str:
        self.wait_for(selector)
        return str(self.call("(s) => document.querySelector(s).innerText", selector)).strip()

    def visible(self, selector: str) -> bool:
        return bool(
            self.call(
                """(s) => { const e = document.querySelector(s);
                return !!e && e.getClientRects().length > 0
                  && getComputedStyle(e).visibility !== "hidden"; }""",
                selector,
            )
        )

    def select(self, selector: str, value: str) -> None:
        """Pick an option of a <select>, as a user would: the value changes, then input and
        change events fire."""
        self.wait_for(selector)
        self.call(
            """([s, v]) => { const e = document.querySelector(s); e.value = v;
            e.dispatchEvent(new Event("input", {bubbles: true}));
            e.dispatchEvent(new Event("change", {bubbles: true})); return null; }""",
            [selector, value],
        )

    def box(self, selector: str) -> dict[str, float]:
        return dict(
            self.call(
                """(s) => { const r = document.querySelector(s).getBoundingClientRect();
                return {x: r.x, y: r.y + scrollY, width: r.width, height: r.height}; }""",
                selector,
            )
        )


class Browser(abc.ABC):
    """One engine for the package, with a page on each of two origins of one page server."""

    engine: str = ""

    def __init__(self, page_server: Server, version: str) -> None:
        self.page_server = page_server
        self.version = version
        # The page origin the API apps allow, and another one they do not.
        self.origin = f"http://localhost:{page_server.port}"
        self.other_origin = f"http://127.0.0.1:{page_server.port}"
        self.console: list[str] = []

    def origin_on(self, host: str) -> str:
        """Another origin of the page server, e.g. ``origin_on("app.localhost")``."""
        return f"http://{host}:{self.page_server.port}"

    @abc.abstractmethod
    def _call(self, origin: str, function: str, arg: Any) -> Any:
        """``await (function)(arg)`` in the page of ``origin`` (opened or navigated to on
        demand); the JSON result."""

    @abc.abstractmethod
    def _settle(self, seconds: float) -> None:
        """Let console messages that are on their way arrive (at most ``seconds``)."""

    @abc.abstractmethod
    def cookies(self) -> list[dict[str, Any]]:
        """Every cookie the engine holds: name, value, domain, path, httpOnly, secure, sameSite
        ("Lax", "Strict" or "None")."""

    @abc.abstractmethod
    def add_cookie(self, name: str, value: str, url: str) -> None: ...

    @abc.abstractmethod
    def reset(self) -> None:
        """Forget cookies between tests (cookies ignore ports: all loopback servers share them)."""

    @abc.abstractmethod
    def new_page(self) -> Page: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def _finish(self, raw: dict[str, Any]) -> FetchResult:
        result = FetchResult(**raw, engine=self.engine)
        if result.blocked:  # engines log the reason around the moment the promise rejects
            deadline = time.monotonic() + CONSOLE_WAIT_S
            while not any(is_cors_line(self.engine, m) for m in self.console) and (
                time.monotonic() < deadline
            ):
                self._settle(0.025)
        result.console = list(self.console)
        return result

    def fetch(
        self, url: str, init: dict[str, Any] | None = None, *, origin: str | None = None
    ) -> FetchResult:
        """fetch(url, init) in the page of ``origin`` (default: the allowed origin)."""
        origin = origin or self.origin
        self._page_ready(origin)
        self.console.clear()
        raw = self._call(origin, FETCH_JS, [url, init or {}, FETCH_TIMEOUT_MS])
        return self._finish(raw)

    def fetch_sandboxed(self, url: str, init: dict[str, Any] | None = None) -> FetchResult:
        """fetch(url, init) in an ``<iframe sandbox="allow-scripts">``: its origin is null."""
        self._page_ready(self.origin)
        self.console.clear()
        raw = self._call(
            self.origin,
            SANDBOX_JS,
            [FETCH_JS, [url, init or {}, FETCH_TIMEOUT_MS], FETCH_TIMEOUT_MS],
        )
        return self._finish(raw)

    def _page_ready(self, origin: str) -> None:
        """Open or navigate to the page of ``origin`` before the console is cleared."""
        self._call(origin, "() => null", None)


CONSOLE_WAIT_S = 3.0  # how long a blocked fetch waits for the engine's console explanation


class ChromiumBrowser(Browser):
    """Chromium through Playwright (Debian's /usr/bin/chromium, never a downloaded build)."""

    engine = "chromium"

    def __init__(self, context: Any, page_server: Server, version: str) -> None:
        super().__init__(page_server, version)
        self.context = context
        self._pages: dict[str, Any] = {}
        for origin in (self.origin, self.other_origin):
            self._page(origin)
        for page in context.pages:  # the blank page a persistent context opens with
            if page not in self._pages.values():
                page.close()

    def _page(self, origin: str) -> Any:
        page = self._pages.get(origin)
        if page is None:
            page = self._pages[origin] = self.context.new_page()
            page.on("console", lambda message: self.console.append(message.text))
        if page.url != origin + "/":
            page.goto(origin + "/")
        return page

    def _call(self, origin: str, function: str, arg: Any) -> Any:
        return self._page(origin).evaluate(function, arg)

    def _settle(self, seconds: float) -> None:
        self._pages[self.origin].wait_for_timeout(seconds * 1000)

    def cookies(self) -> list[dict[str, Any]]:
        return list(self.context.cookies())

    def add_cookie(self, name: str, value: str, url: str) -> None:
        self.context.add_cookies([{"name": name, "value": value, "url": url}])

    def reset(self) -> None:
        self.context.clear_cookies()

    def new_page(self) -> Page:
        return PlaywrightPage(self.context.new_page())

    def close(self) -> None:
        self.context.close()


class PlaywrightPage(Page):
    def __init__(self, page: Any) -> None:
        self.page = page
        self.console = []
        page.on("console", lambda message: self.console.append(message.text))

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def call(self, function: str, arg: Any = None) -> Any:
        return self.page.evaluate(function, arg)

    def click(self, selector: str) -> None:
        self.page.click(selector)

    def set_viewport(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})

    def screenshot(self) -> bytes:
        data: bytes = self.page.screenshot(full_page=True, type="png", animations="disabled")
        return data

    def settle(self, seconds: float) -> None:
        self.page.wait_for_timeout(seconds * 1000)

    def close(self) -> None:
        self.page.close()


def _bidi_call_expression(function: str, arg: Any) -> str:
    """An expression that awaits ``(function)(arg)`` and returns its JSON text."""
    return f"(async () => JSON.stringify(await ({function})({json.dumps(arg)})))()"


_SAME_SITE = {"lax": "Lax", "strict": "Strict", "none": "None"}


class FirefoxBrowser(Browser):
    """Firefox ESR over WebDriver BiDi (our own small client, tests/browser/bidi.py)."""

    engine = "firefox"

    def __init__(self, bidi: BiDi, page_server: Server, version: str) -> None:
        super().__init__(page_server, version)
        self.bidi = bidi
        self._contexts: dict[str, str] = {}
        self._page_console: dict[str, list[str]] = {}
        bidi.on("log.entryAdded", self._logged)
        bidi.command("session.subscribe", {"events": ["log.entryAdded"]})
        for origin in (self.origin, self.other_origin):
            self._context(origin)

    def _logged(self, params: dict[str, Any]) -> None:
        text = str(params.get("text", ""))
        context = params.get("source", {}).get("context")
        if context in self._page_console:
            self._page_console[context].append(text)
        else:
            self.console.append(text)

    def _context(self, origin: str) -> str:
        context = self._contexts.get(origin)
        if context is None:
            context = self.bidi.command("browsingContext.create", {"type": "tab"})["context"]
            self._contexts[origin] = context
            self._navigate(context, origin + "/")
        return context

    def _navigate(self, context: str, url: str) -> None:
        self.bidi.command(
            "browsingContext.navigate", {"context": context, "url": url, "wait": "complete"}
        )

    def _call(self, origin: str, function: str, arg: Any) -> Any:
        context = self._context(origin)
        return self.bidi.evaluate(context, _bidi_call_expression(function, arg))

    def _settle(self, seconds: float) -> None:
        self.bidi.pump(seconds)

    def cookies(self) -> list[dict[str, Any]]:
        found = self.bidi.command("storage.getCookies", {})["cookies"]
        return [
            {
                "name": c["name"],
                "value": c["value"].get("value"),
                "domain": c["domain"],
                "path": c["path"],
                "httpOnly": c["httpOnly"],
                "secure": c["secure"],
                "sameSite": _SAME_SITE.get(c["sameSite"], c["sameSite"]),
            }
            for c in found
        ]

    def add_cookie(self, name: str, value: str, url: str) -> None:
        host = url.split("//", 1)[1].split("/", 1)[0].split(":", 1)[0]
        self.bidi.command(
            "storage.setCookie",
            {"cookie": {"name": name, "value": {"type": "string", "value": value}, "domain": host}},
        )

    def reset(self) -> None:
        self.bidi.command("storage.deleteCookies", {})

    def new_page(self) -> Page:
        context = self.bidi.command("browsingContext.create", {"type": "tab"})["context"]
        self._page_console[context] = []
        return BiDiPage(self, context)

    def close(self) -> None:
        self.bidi.close()


class BiDiPage(Page):
    def __init__(self, browser: FirefoxBrowser, context: str) -> None:
        self.browser = browser
        self.context = context
        self.console = browser._page_console[context]

    def goto(self, url: str) -> None:
        self.browser._navigate(self.context, url)

    def call(self, function: str, arg: Any = None) -> Any:
        return self.browser.bidi.evaluate(self.context, _bidi_call_expression(function, arg))

    def click(self, selector: str) -> None:
        node = self.browser.bidi.command(
            "browsingContext.locateNodes",
            {"context": self.context, "locator": {"type": "css", "value": selector}},
        )["nodes"]
        assert node, f"no {selector} to click"
        element = {"type": "element", "element": {"sharedId": node[0]["sharedId"]}}
        self.browser.bidi.command(
            "input.performActions",
            {
                "context": self.context,
                "actions": [
                    {
                        "type": "pointer",
                        "id": "mouse",
                        "actions": [
                            {"type": "pointerMove", "x": 0, "y": 0, "origin": element},
                            {"type": "pointerDown", "button": 0},
                            {"type": "pointerUp", "button": 0},
                        ],
                    }
                ],
            },
        )

    def set_viewport(self, width: int, height: int) -> None:
        self.browser.bidi.command(
            "browsingContext.setViewport",
            {"context": self.context, "viewport": {"width": width, "height": height}},
        )

    def screenshot(self) -> bytes:
        data = self.browser.bidi.command(
            # The viewport: Firefox's "document" picture is as wide as the page's content,
            # its scrollbar's width short of the viewport.
            "browsingContext.captureScreenshot",
            {"context": self.context, "origin": "viewport"},
        )["data"]
        return base64.b64decode(data)

    def settle(self, seconds: float) -> None:
        self.browser.bidi.pump(seconds)

    def close(self) -> None:
        self.browser.bidi.command("browsingContext.close", {"context": self.context})
        del self.browser._page_console[self.context]


_WEBDRIVER_CALL = """const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (%s)(%s)).then(
  (r) => done(JSON.stringify({value: r === undefined ? null : r})),
  (e) => done(JSON.stringify({thrown: String(e)})));"""


def _webdriver_call(driver: Any, function: str, arg: Any) -> Any:
    answer = json.loads(driver.execute_async_script(_WEBDRIVER_CALL % (function, json.dumps(arg))))
    if "thrown" in answer:
        raise AssertionError(f"script threw: {answer['thrown']}")
    return answer["value"]


#: A console line as WebKitGTK writes it to stdout: "URL:LINE:COLUMN: CONSOLE SOURCE LEVEL text".
CONSOLE_LINE = re.compile(r"CONSOLE (?:[A-Z]+ )?(?:LOG|DEBUG|INFO|WARN|WARNING|ERROR) (.*)$")


class WebKitBrowser(Browser):
    """WebKitGTK through WebKitWebDriver (Selenium as the WebDriver client), hosted by
    tests/browser/webkit_host.py, whose console lines come on its stdout (``output``).

    The host has one view: the page of another origin is reached by
    navigating it.
    """

    engine = "webkit"

    def __init__(self, driver: Any, page_server: Server, version: str, output: list[str]) -> None:
        super().__init__(page_server, version)
        self.driver = driver
        self._output = output  # what the engine's processes print, console lines among it
        self._read_to = len(output)
        self._hosts: set[str] = set()
        self._pages_open = 0

    def _go(self, origin: str) -> None:
        if self._pages_open:
            raise AssertionError("WebKit: close the playground page before fetching")
        if self.driver.current_url != origin + "/":
            self.driver.get(origin + "/")
            self._hosts.add(origin)

    def _call(self, origin: str, function: str, arg: Any) -> Any:
        self._go(origin)
        try:
            return _webdriver_call(self.driver, function, arg)
        finally:
            self._collect()

    def _page_ready(self, origin: str) -> None:
        super()._page_ready(origin)
        time.sleep(0.01)
        self._collect()  # lines of earlier pages stay out of the next fetch's console

    def _settle(self, seconds: float) -> None:
        time.sleep(seconds)
        self._collect()

    def _collect(self) -> None:
        """Move the console lines the engine printed since the last look into ``console``."""
        end = len(self._output)
        for line in self._output[self._read_to : end]:
            found = CONSOLE_LINE.search(line)
            if found:
                self.console.append(found.group(1))
        self._read_to = end

    def cookies(self) -> list[dict[str, Any]]:
        """The cookies of the allowed origin's host (localhost, the APIs' host too): WebDriver
        shows only the current document's."""
        self._go(self.origin)
        return [
            {
                "name": c["name"],
                "value": c["value"],
                "domain": c.get("domain", ""),
                "path": c.get("path", "/"),
                "httpOnly": c.get("httpOnly", False),
                "secure": c.get("secure", False),
                "sameSite": c.get("sameSite", "None"),
            }
            for c in self.driver.get_cookies()
        ]

    def add_cookie(self, name: str, value: str, url: str) -> None:
        # WebDriver sets cookies for the current document's domain: localhost, like the APIs.
        self._go(self.origin)
        self.driver.add_cookie({"name": name, "value": value, "path": "/"})

    def reset(self) -> None:
        # WebDriver deletes the cookies of the current document's domain: visit each one used.
        lent = self.driver.current_url if self._pages_open else None
        for origin in sorted(self._hosts):
            self.driver.get(origin + "/")
            self.driver.delete_all_cookies()
        if lent is not None:  # give the lent page back where it was (reloaded)
            self.driver.get(lent)

    def new_page(self) -> Page:
        self._pages_open += 1
        return WebDriverPage(self)

    def close(self) -> None:
        self.driver.quit()


class WebDriverPage(Page):
    """The host's one view, lent to a test as a page (see WebKitBrowser)."""

    def __init__(self, browser: WebKitBrowser) -> None:
        self.browser = browser
        self.driver = browser.driver
        self.console = browser.console

    def goto(self, url: str) -> None:
        self.driver.get(url)

    def call(self, function: str, arg: Any = None) -> Any:
        return _webdriver_call(self.driver, function, arg)

    def click(self, selector: str) -> None:
        self.driver.find_element("css selector", selector).click()

    def set_viewport(self, width: int, height: int) -> None:
        # WebDriver sizes the window; grow it by what the window adds around the viewport.
        self.driver.set_window_size(width, height)
        inner = self.call("() => [innerWidth, innerHeight]")
        self.driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])

    def screenshot(self) -> bytes:
        data: bytes = self.driver.get_screenshot_as_png()
        return data

    def settle(self, seconds: float) -> None:
        self.browser._settle(seconds)

    def close(self) -> None:
        self.browser._pages_open -= 1
        self.driver.get("about:blank")


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
    """The browser refused the read, for the CORS reason ``reason`` (a key of BLOCK_REASONS),
    in the engine's own words (its fetch() error and its console line)."""
    assert result.blocked, "the page could read the response:" + explain(result, server)
    assert result.error == BLOCKED_ERROR[result.engine], explain(result, server)
    assert result.cors_error, "blocked, but not by CORS:" + explain(result, server)
    assert BLOCK_REASONS[reason][result.engine] in result.cors_error, explain(result, server)


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
