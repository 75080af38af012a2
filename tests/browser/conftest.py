"""Fixtures for the Chromium end-to-end suite (run it alone with ``pytest -m browser``).

It needs Debian's Chromium (``apt-get install -y chromium``; another binary can be named with
``E2E_CHROMIUM=/path``) and Python Playwright (the ``browser`` extra), never a browser downloaded
by ``playwright install``. Without them these tests are skipped with the reason, except under CI
(``CI=true``), where a missing browser is an error: CI can never skip them silently.

Origins: pages are served on http://localhost:P (the origin the API apps allow) and
http://127.0.0.1:P (another origin); each API app is served on http://localhost:Q.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from .harness import CHROMIUM_ARGS, Browser, Server, page_app

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")


def _unavailable() -> str | None:
    """Why the browser suite cannot run here, or None."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
    if importlib.util.find_spec("playwright") is None:
        return "Python Playwright is not installed: pip install -e '.[browser]'"
    return None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, with a page on each of two origins.

    Package-scoped: Playwright's sync API keeps an event loop running in this thread while it
    is started, and Flask cannot run async views then, so it must stop before other tests run.
    """
    reason = _unavailable()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    page_server = Server(page_app())
    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=60_000,
        )
        context.set_default_timeout(20_000)
        try:
            yield Browser(context, page_server)
        finally:
            context.close()
    finally:
        playwright.stop()
        page_server.stop()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def serve(browser: Browser) -> Iterator[Callable[..., Server]]:
    """serve(app) -> a running Server (at http://localhost:PORT); stopped after the test."""
    servers: list[Server] = []

    def start(app: Any, origin_host: str = "localhost") -> Server:
        server = Server(app, origin_host)
        servers.append(server)
        return server

    try:
        yield start
    finally:
        browser.reset()
        for server in servers:
            server.stop()
