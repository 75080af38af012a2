"""The `make demo` playground (examples/demo.py + examples/playground.html), in every engine.

The playground is started on free loopback ports, its page is loaded in the engine, presets are
picked and "Send" is clicked (a real click: the engine's own input events): what the page reports
(the browser's verdict, the server's explanation, what reached the API) is checked for allowed
and blocked requests, for the cookie preset's round trip (a partitioned cookie: the page and the
API are different sites), and at a phone's width.

The Chromium run also takes the README's picture, docs/img/playground.png. The file is written
only when it is missing or when ``UPDATE_SCREENSHOTS=1`` (so ordinary runs never dirty the
tree); then the playground runs on `make demo`'s ports 5000/5001 if they are free, so that the
picture shows the origins the README names.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .harness import BLOCK_REASONS, Browser, Page, is_cors_line

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "img" / "playground.png"
TIMEOUT_S = 15.0  # every wait on the page
VIEWPORT = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def updating_screenshot() -> bool:
    return os.environ.get("UPDATE_SCREENSHOTS") == "1" or not SCREENSHOT.exists()


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def playground_ports() -> tuple[int, int]:
    """Free ports (0); for the README's picture, `make demo`'s own 5000/5001 when they are free,
    so the picture shows the origins the README names."""
    if updating_screenshot() and port_is_free(5000) and port_is_free(5001):
        return 5000, 5001
    return 0, 0


def load_demo() -> ModuleType:
    """examples/demo.py, imported from its file (examples/ is not a package)."""
    spec = importlib.util.spec_from_file_location("playground_demo", ROOT / "examples/demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Playground:
    """The playground's page, open in the engine, with what the engine logged on it."""

    browser: Browser
    page: Page
    presets: list[dict[str, Any]]
    servers: list[Any] = field(default_factory=list)

    @property
    def engine(self) -> str:
        return self.browser.engine

    @property
    def console(self) -> list[str]:
        return self.page.console

    def send(self, label: str) -> None:
        """Pick the preset whose label starts with *label*, press Send, wait for both panels."""
        matches = [i for i, p in enumerate(self.presets) if p["label"].startswith(label)]
        assert len(matches) == 1, f"{label!r} names {len(matches)} presets"
        self.console.clear()
        self.page.select("#preset", str(matches[0]))
        self.page.click("#send")
        # The page empties both panels on Send; the server's panel is filled last.
        self.page.wait_for("#server #server-verdict", TIMEOUT_S)

    def text(self, selector: str) -> str:
        return self.page.text(selector)

    def reached(self) -> list[str]:
        """What reached the API for the last Send, one request per line."""
        return [line.strip() for line in self.text("#reached").splitlines() if line.strip()]

    def cors_errors(self) -> list[str]:
        """The engine's console explanations of a CORS block (logged around the moment the
        fetch rejects, so wait for one, boundedly)."""
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            found = [m for m in self.console if is_cors_line(self.engine, m)]
            if found:
                return found
            self.page.settle(0.025)
        return []

    def explain(self) -> str:
        """Everything the two panels say, for assertion messages."""
        return (
            f"\nbrowser panel:\n{self.text('#browser')}\nserver panel:\n{self.text('#server')}"
            f"\nconsole: {self.console}"
        )


@pytest.fixture(scope="module")
def playground(browser: Browser) -> Iterator[Playground]:
    """The playground on two free ports (API on localhost, page on 127.0.0.1), open in a tab."""
    demo = load_demo()
    api_port, page_port = playground_ports()
    servers = demo.serve(api_port=api_port, page_port=page_port)
    page = None
    try:
        api_port, page_port = (server.port for server in servers)
        page = browser.new_page()
        page.set_viewport(VIEWPORT["width"], VIEWPORT["height"])
        playground = Playground(browser, page, demo.PRESETS, servers)
        page.goto(f"http://127.0.0.1:{page_port}/")
        page.wait_for("#preset option", TIMEOUT_S)
        # The page was told where the API is, and the API's policy names the page's origin.
        assert f"http://localhost:{api_port}" in playground.text("body")
        assert f"http://127.0.0.1:{page_port}" in playground.text("#policy")
        yield playground
    finally:
        if page is not None:
            page.close()
        browser.reset()  # the cookie presets must not leak into other tests
        for server in servers:
            server.shutdown()
            server.server_close()


def test_simple_get_is_allowed(playground: Playground) -> None:
    playground.send("Simple GET")
    why = playground.explain()
    assert playground.text("#browser-verdict") == "ALLOWED", why
    assert playground.text("#browser-status") == "200", why
    assert "x-total-count" in playground.text("#browser"), why  # exposed by the policy
    assert playground.reached() == ["GET /api/items"], why
    assert playground.text("#server-verdict") == "ALLOWED", why


def test_json_post_is_preflighted_then_allowed(playground: Playground) -> None:
    playground.send("JSON POST")
    why = playground.explain()
    assert playground.text("#browser-verdict") == "ALLOWED", why
    assert playground.text("#browser-status") == "201", why
    assert '"plum"' in playground.text("#browser"), why  # the API echoed the JSON body
    assert playground.reached() == ["OPTIONS /api/items  (preflight)", "POST /api/items"], why
    assert playground.text("#server-verdict") == "ALLOWED", why


def test_patch_is_blocked_at_the_preflight(playground: Playground) -> None:
    playground.send("PATCH")
    why = playground.explain()
    assert playground.text("#browser-verdict") == "BLOCKED", why
    assert not playground.page.exists("#browser-status"), why
    # Only the preflight reached the API: the browser never sent the PATCH itself.
    assert playground.reached() == ["OPTIONS /api/items/1  (preflight)"], why
    assert playground.text("#server-verdict").startswith("BLOCKED"), why
    assert "method_not_allowed" in playground.text("#server-reason"), why
    # The engine's own words for a preflight refused with 403.
    expected = BLOCK_REASONS["preflight"][playground.engine]
    assert any(expected in m for m in playground.cors_errors()), why


def test_credentials_with_a_wildcard_are_blocked(playground: Playground) -> None:
    playground.send("Public, with cookies")
    why = playground.explain()
    assert playground.text("#browser-verdict") == "BLOCKED", why
    # A simple request: it reached the API, the browser only hid the answer from the page.
    assert playground.reached() == ["GET /api/public/status"], why
    assert playground.text("#server-verdict") == "BLOCKED: acao_wildcard_with_credentials", why
    assert playground.text("#server-reason") == "allowed", why  # the policy itself said yes
    expected = BLOCK_REASONS["wildcard"][playground.engine]
    assert any(expected in m for m in playground.cors_errors()), why
    # The explanation is the visitor's engine's (from its User-Agent), and the console line
    # it predicts is the one this engine really logged.
    name = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKit"}[playground.engine]
    assert playground.text("#server-engine").startswith(f"as {name} decides"), why
    predicted = playground.text("#engine-console")
    assert any(predicted in m for m in playground.cors_errors()), (predicted, why)


def test_cookie_preset_stores_the_cookie_and_sends_it_back(playground: Playground) -> None:
    # The page (127.0.0.1) and the API (localhost) are different sites: the API's cookie is a
    # third-party cookie, which the engines keep only because it is Partitioned, and the page
    # says why beside the preset.
    browser = playground.browser
    browser.reset()
    try:
        playground.send("Cookies")
        why = playground.explain()
        assert playground.text("#browser-verdict") == "ALLOWED", why
        assert '"user":null' in playground.text("#browser").replace(" ", ""), why
        assert playground.reached() == ["GET /api/me"], why  # no cookie yet
        assert playground.text("#server-verdict") == "ALLOWED", why

        playground.send("Cookies")
        why = playground.explain()
        assert playground.text("#browser-verdict") == "ALLOWED", why
        if browser.engine == "webkit":
            # WebKitGTK refuses third-party cookies, Partitioned or not (it has no CHIPS): the
            # cookie was never stored, so none goes back. CORS still allows the read, and the
            # page's explanation names this case ("ignores Partitioned still shows null").
            assert '"user":null' in playground.text("#browser").replace(" ", ""), why
            assert playground.reached() == ["GET /api/me"], why
        else:
            assert '"user":"ada"' in playground.text("#browser").replace(" ", ""), why
            assert playground.reached() == ["GET /api/me  (cookies: user)"], why
        if browser.engine == "chromium":  # the jar as Chromium shows it (partitioned included)
            (cookie,) = browser.cookies()
            assert (cookie["name"], cookie["value"], cookie["domain"]) == (
                "user",
                "ada",
                "localhost",
            )
            assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "None"

        # The explanation is on the page while the preset is picked, and only then.
        assert playground.page.visible("#cookie-why")
        explanation = playground.text("#cookie-why")
        for words in ("Partitioned", "third-party", "SameSite=Lax", "Authorization", "HTTPS"):
            assert words in explanation, explanation
        playground.page.select("#preset", "0")
        assert not playground.page.visible("#cookie-why")
    finally:
        browser.reset()  # the other presets' requests must carry no cookie


def test_the_page_fits_a_phone(playground: Playground) -> None:
    page = playground.page
    page.set_viewport(PHONE["width"], PHONE["height"])
    try:
        assert page.call("() => innerWidth") == PHONE["width"]
        playground.send("Cookies")  # the longest page: the preset's note and explanation show
        assert playground.text("#browser-verdict") == "ALLOWED", playground.explain()
        # Nothing is wider than the screen: no sideways scrolling.
        overflowing = page.call(
            """() => [...document.querySelectorAll("body *")]
                .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
                .map((e) => e.tagName + "#" + e.id + "." + e.className)"""
        )
        assert overflowing == [], overflowing
        assert page.call("() => document.documentElement.scrollWidth") <= PHONE["width"]
        # One column: the form, then the policy, then the browser's and the server's panels.
        boxes = [
            page.box(selector) for selector in ("section.card", "#browser-panel", "#server-panel")
        ]
        assert all(box["width"] >= 340 for box in boxes), boxes
        tops = [box["y"] for box in boxes]
        assert tops == sorted(tops) and len(set(tops)) == 3, boxes
        assert page.box("#send")["width"] >= 300
    finally:
        page.set_viewport(VIEWPORT["width"], VIEWPORT["height"])
        playground.browser.reset()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    assert data[:8] == PNG_MAGIC, "not a PNG"
    assert data[12:16] == b"IHDR", "a PNG without IHDR first"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_readme_screenshot(playground: Playground) -> None:
    """docs/img/playground.png: an allowed request, then a blocked one with its explanation.

    Every engine takes the picture (a check that it renders the page at the viewport's width);
    the README's is Chromium's."""
    playground.send("Simple GET")
    assert playground.text("#browser-verdict") == "ALLOWED", playground.explain()
    playground.send("PATCH")
    assert playground.text("#browser-verdict") == "BLOCKED", playground.explain()
    assert "method_not_allowed" in playground.text("#server-reason"), playground.explain()
    data = playground.page.screenshot()

    width, height = png_size(data)
    assert width == VIEWPORT["width"], (width, height)
    assert VIEWPORT["height"] <= height <= 3 * VIEWPORT["height"], (width, height)
    assert 20_000 < len(data) < 300_000, f"{len(data)} bytes"
    if playground.engine == "chromium" and updating_screenshot():
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(data)
