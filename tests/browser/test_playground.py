"""The `make demo` playground (examples/demo.py + examples/playground.html), driven in Chromium.

The playground is started on free loopback ports, its page is loaded in the session's Chromium,
presets are picked and "Send" is clicked: what the page reports (the browser's verdict, the
server's explanation, what reached the API) is checked for allowed and blocked requests, for the
cookie preset's round trip (a partitioned cookie: the page and the API are different sites), and
at a phone's width.

The same run takes the README's picture, docs/img/playground.png. The file is written only when
it is missing or when ``UPDATE_SCREENSHOTS=1`` (so ordinary runs never dirty the tree); then
the playground runs on `make demo`'s ports 5000/5001 if they are free, so that the picture shows
the origins the README names.
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

from .harness import Browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "img" / "playground.png"
TIMEOUT_MS = 15_000  # every wait on the page
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
    """The playground's page, open in Chromium, with what Chromium logged on it."""

    page: Any
    presets: list[dict[str, Any]]
    console: list[str] = field(default_factory=list)

    def send(self, label: str) -> None:
        """Pick the preset whose label starts with *label*, press Send, wait for both panels."""
        matches = [i for i, p in enumerate(self.presets) if p["label"].startswith(label)]
        assert len(matches) == 1, f"{label!r} names {len(matches)} presets"
        self.console.clear()
        self.page.select_option("#preset", value=str(matches[0]), timeout=TIMEOUT_MS)
        self.page.click("#send", timeout=TIMEOUT_MS)
        # The page empties both panels on Send; the server's panel is filled last.
        self.page.wait_for_selector("#server #server-verdict", timeout=TIMEOUT_MS)

    def text(self, selector: str) -> str:
        return str(self.page.inner_text(selector, timeout=TIMEOUT_MS)).strip()

    def reached(self) -> list[str]:
        """What reached the API for the last Send, one request per line."""
        return [line.strip() for line in self.text("#reached").splitlines() if line.strip()]

    def cors_errors(self) -> list[str]:
        """Chromium's console explanations of a CORS block (it logs them just after the fetch
        rejects, so wait for one, boundedly)."""
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            found = [m for m in self.console if "CORS policy" in m]
            if found:
                return found
            self.page.wait_for_timeout(25)
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
        page = browser.context.new_page()
        page.set_viewport_size(VIEWPORT)
        playground = Playground(page, demo.PRESETS)
        page.on("console", lambda message: playground.console.append(message.text))
        page.goto(f"http://127.0.0.1:{page_port}/", timeout=TIMEOUT_MS)
        page.wait_for_selector("#preset option", state="attached", timeout=TIMEOUT_MS)
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
    assert playground.page.query_selector("#browser-status") is None, why
    # Only the preflight reached the API: the browser never sent the PATCH itself.
    assert playground.reached() == ["OPTIONS /api/items/1  (preflight)"], why
    assert playground.text("#server-verdict").startswith("BLOCKED"), why
    assert "method_not_allowed" in playground.text("#server-reason"), why
    assert any("preflight" in m for m in playground.cors_errors()), why


def test_credentials_with_a_wildcard_are_blocked(playground: Playground) -> None:
    playground.send("Public, with cookies")
    why = playground.explain()
    assert playground.text("#browser-verdict") == "BLOCKED", why
    # A simple request: it reached the API, the browser only hid the answer from the page.
    assert playground.reached() == ["GET /api/public/status"], why
    assert playground.text("#server-verdict") == "BLOCKED: acao_wildcard_with_credentials", why
    assert playground.text("#server-reason") == "allowed", why  # the policy itself said yes
    assert any("'*'" in m for m in playground.cors_errors()), why


def test_cookie_preset_stores_the_cookie_and_sends_it_back(playground: Playground) -> None:
    # The page (127.0.0.1) and the API (localhost) are different sites: Chromium refuses the
    # third-party cookie unless it is Partitioned, and the page says why beside the preset.
    context = playground.page.context
    context.clear_cookies()
    try:
        playground.send("Cookies")
        why = playground.explain()
        assert playground.text("#browser-verdict") == "ALLOWED", why
        assert '"user":null' in playground.text("#browser").replace(" ", ""), why
        assert playground.reached() == ["GET /api/me"], why  # no cookie yet
        assert playground.text("#server-verdict") == "ALLOWED", why
        (cookie,) = context.cookies()
        assert (cookie["name"], cookie["value"], cookie["domain"]) == ("user", "ada", "localhost")
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "None", cookie

        playground.send("Cookies")
        why = playground.explain()
        assert playground.text("#browser-verdict") == "ALLOWED", why
        assert '"user":"ada"' in playground.text("#browser").replace(" ", ""), why
        assert playground.reached() == ["GET /api/me  (cookies: user)"], why

        # The explanation is on the page while the preset is picked, and only then.
        assert playground.page.is_visible("#cookie-why")
        explanation = playground.text("#cookie-why")
        for words in ("Partitioned", "third-party", "SameSite=Lax", "Authorization", "HTTPS"):
            assert words in explanation, explanation
        playground.page.select_option("#preset", index=0, timeout=TIMEOUT_MS)
        assert not playground.page.is_visible("#cookie-why")
    finally:
        context.clear_cookies()  # the other presets' requests must carry no cookie


def test_the_page_fits_a_phone(playground: Playground) -> None:
    page = playground.page
    page.set_viewport_size(PHONE)
    try:
        playground.send("Cookies")  # the longest page: the preset's note and explanation show
        assert playground.text("#browser-verdict") == "ALLOWED", playground.explain()
        # Nothing is wider than the screen: no sideways scrolling.
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll("body *")]
                .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
                .map((e) => e.tagName + "#" + e.id + "." + e.className)"""
        )
        assert overflowing == [], overflowing
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # One column: the form, then the policy, then the browser's and the server's panels.
        boxes = [
            page.locator(selector).bounding_box()
            for selector in ("section.card >> nth=0", "#browser-panel", "#server-panel")
        ]
        assert all(box is not None and box["width"] >= 340 for box in boxes), boxes
        tops = [box["y"] for box in boxes if box is not None]
        assert tops == sorted(tops) and len(set(tops)) == 3, boxes
        assert page.locator("#send").bounding_box()["width"] >= 300  # type: ignore[index]
    finally:
        page.set_viewport_size(VIEWPORT)
        page.context.clear_cookies()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    assert data[:8] == PNG_MAGIC, "not a PNG"
    assert data[12:16] == b"IHDR", "a PNG without IHDR first"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_readme_screenshot(playground: Playground) -> None:
    """docs/img/playground.png: an allowed request, then a blocked one with its explanation."""
    playground.send("Simple GET")
    assert playground.text("#browser-verdict") == "ALLOWED", playground.explain()
    playground.send("PATCH")
    assert playground.text("#browser-verdict") == "BLOCKED", playground.explain()
    assert "method_not_allowed" in playground.text("#server-reason"), playground.explain()
    playground.page.mouse.move(0, 0)  # no hover effect in the picture
    data = playground.page.screenshot(full_page=True, type="png", animations="disabled")

    width, height = png_size(data)
    assert width == VIEWPORT["width"], (width, height)
    assert VIEWPORT["height"] <= height <= 3 * VIEWPORT["height"], (width, height)
    assert 20_000 < len(data) < 300_000, f"{len(data)} bytes"
    if updating_screenshot():
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(data)
