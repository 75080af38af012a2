"""Fixtures for the end-to-end suite (run it alone with ``pytest -m browser``).

Every browser test runs in three engines, all from Debian packages (never a browser or driver a
tool downloads): Chromium (``chromium``, driven by Python Playwright), Firefox ESR
(``firefox-esr``, driven over WebDriver BiDi by tests/browser/bidi.py) and WebKitGTK
(``webkit2gtk-driver``'s WebKitWebDriver, through Selenium, driving the engine in
tests/browser/webkit_host.py under Debian's python3 with ``python3-gi`` and
``gir1.2-webkit2-4.1``, on an Xvfb display of its own from ``xvfb``).
``E2E_ENGINES=chromium,firefox`` narrows the run. Without an engine its tests are skipped with
the reason, except under CI (``CI=true``), where a missing engine is an error: CI can never skip
them silently.

Origins: pages are served on http://localhost:P (the origin the API apps allow) and
http://127.0.0.1:P (another origin); each API app is served on http://localhost:Q.

Every process started here is stopped by its id, as a process group of its own (the engines'
helper processes with it), when the package's tests are done.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pty
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from .harness import (
    CHROMIUM_ARGS,
    ENGINES,
    Browser,
    ChromiumBrowser,
    FirefoxBrowser,
    Server,
    WebKitBrowser,
    page_app,
)

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
FIREFOX = os.environ.get("E2E_FIREFOX", "/usr/bin/firefox-esr")
WEBKIT_DRIVER = os.environ.get("E2E_WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver")
XVFB = "/usr/bin/Xvfb"
# WebKitGTK runs in tests/browser/webkit_host.py (see why there), under Debian's own python3,
# which has python3-gi and gir1.2-webkit2-4.1.
SYSTEM_PYTHON = "/usr/bin/python3"
WEBKIT_HOST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "webkit_host.py")
WEBKIT_HOST_NAME = "e2e-webkitgtk"
START_TIMEOUT_S = 60.0  # an engine gets this long to start
STOP_TIMEOUT_S = 10.0  # and this long to stop before its process group is killed

FIREFOX_PREFS = {
    # Quiet, fixed start-up: no first-run pages, updates, telemetry or background fetches.
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.proxy.type": 0,
}


def selected_engines() -> list[str]:
    """The engines of this run: ``E2E_ENGINES`` (comma-separated), by default all three."""
    raw = os.environ.get("E2E_ENGINES", "")
    chosen = [name.strip() for name in raw.split(",") if name.strip()] or list(ENGINES)
    unknown = sorted(set(chosen) - set(ENGINES))
    if unknown:
        raise pytest.UsageError(f"E2E_ENGINES names {unknown}; the engines are {list(ENGINES)}")
    return chosen


def _has_webkit_gi() -> bool:
    if not _executable(SYSTEM_PYTHON):
        return False
    probe = "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", probe], capture_output=True, timeout=60, check=False
    )
    return done.returncode == 0


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def unavailable(engine: str) -> str | None:
    """Why ``engine`` cannot run here, or None."""
    if engine == "chromium":
        if not _executable(CHROMIUM):
            return f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if importlib.util.find_spec("playwright") is None:
            return "Python Playwright is not installed: pip install --group browser"
    elif engine == "firefox":
        if not _executable(FIREFOX):
            return f"Firefox ESR not found at {FIREFOX}: apt-get install -y firefox-esr"
        if importlib.util.find_spec("websockets") is None:
            return "websockets is not installed: pip install --group browser"
    else:
        if not _executable(WEBKIT_DRIVER):
            return (
                f"WebKitWebDriver not found at {WEBKIT_DRIVER}: apt-get install webkit2gtk-driver"
            )
        if not _has_webkit_gi():
            return (
                "WebKitGTK's Python bindings not found for /usr/bin/python3: "
                "apt-get install -y python3-gi gir1.2-webkit2-4.1"
            )
        if not _executable(XVFB):
            return "Xvfb not found (WebKitGTK needs a display): apt-get install -y xvfb"
        if importlib.util.find_spec("selenium") is None:
            return "Selenium is not installed: pip install --group browser"
    return None


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------------------------
# Processes


class Process:
    """A process started in a process group of its own, whose output is read by a thread."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str] | None = None,
        terminal: bool = False,
        **kwargs: Any,
    ) -> None:
        self.lines: list[str] = []
        if terminal:  # stdout and stderr on a pseudo-terminal, read from its other end
            self._output, child_end = pty.openpty()
        else:
            self._output, child_end = os.pipe()
        try:
            self.popen = subprocess.Popen(
                argv,
                stdout=child_end,
                stderr=child_end,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
                **kwargs,
            )
        finally:
            os.close(child_end)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with open(self._output, encoding="utf-8", errors="replace", newline=None) as output:
            try:
                for line in output:
                    self.lines.append(line.rstrip("\r\n"))
            except OSError:  # a pseudo-terminal whose other end closed
                pass

    def wait_for_line(self, pattern: str, timeout: float = START_TIMEOUT_S) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = re.search(pattern, line)
                if found:
                    return found
            if self.popen.poll() is not None:
                break
            time.sleep(0.05)
        output = "\n".join(self.lines[-30:])
        raise RuntimeError(f"{self.popen.args[0]} did not say {pattern!r}:\n{output}")

    def stop(self) -> None:
        """Ask the process to end, then end its whole group (its helpers) by the group's id."""
        if self.popen.poll() is None:
            self.popen.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(STOP_TIMEOUT_S)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # the group we created, and only it
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(STOP_TIMEOUT_S)
        self._reader.join(STOP_TIMEOUT_S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def version_of(argv: list[str]) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else ""


# --------------------------------------------------------------------------------------------
# The engines


def start_chromium(page_server: Server, stack: list[Callable[[], None]]) -> Browser:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    stack.append(lambda: shutil.rmtree(profile, ignore_errors=True))
    version = re.sub(r" built on .*", "", version_of([CHROMIUM, "--version"]))
    playwright = sync_playwright().start()
    stack.append(playwright.stop)
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        timeout=START_TIMEOUT_S * 1000,
    )
    stack.append(context.close)
    context.set_default_timeout(20_000)
    return ChromiumBrowser(context, page_server, version)


def start_firefox(page_server: Server, stack: list[Callable[[], None]]) -> Browser:
    from .bidi import BiDi

    profile = tempfile.mkdtemp(prefix="e2e-firefox-")
    stack.append(lambda: shutil.rmtree(profile, ignore_errors=True))
    with open(os.path.join(profile, "user.js"), "w", encoding="utf-8") as prefs:
        for name, value in FIREFOX_PREFS.items():
            prefs.write(f"user_pref({json.dumps(name)}, {json.dumps(value)});\n")
    version = version_of([FIREFOX, "--version"]).replace("Mozilla ", "")
    process = Process(
        [
            FIREFOX,
            "--headless",
            "--no-remote",
            "--profile",
            profile,
            "--remote-debugging-port",
            "0",
        ],
        env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"},
    )
    stack.append(process.stop)
    url = process.wait_for_line(r"WebDriver BiDi listening on (ws://\S+)").group(1)
    bidi = BiDi(url + "/session")
    bidi.command("session.new", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": False}}})
    browser = FirefoxBrowser(bidi, page_server, version)
    stack.append(browser.close)
    return browser


def start_webkit(page_server: Server, stack: list[Callable[[], None]]) -> Browser:
    from selenium import webdriver
    from selenium.webdriver.remote.client_config import ClientConfig
    from selenium.webdriver.remote.remote_connection import RemoteConnection
    from selenium.webdriver.webkitgtk.options import Options

    display = free_display()
    xvfb = Process(
        [XVFB, f":{display}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"]
    )
    stack.append(xvfb.stop)
    # Wait until Xvfb accepts clients on its socket file (bounded).
    socket_file = f"/tmp/.X11-unix/X{display}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _accepts(socket_file):
        if time.monotonic() > deadline or xvfb.popen.poll() is not None:
            raise RuntimeError(f"Xvfb :{display} accepts no client:\n" + "\n".join(xvfb.lines))
        time.sleep(0.02)
    data_dir = tempfile.mkdtemp(prefix="e2e-webkit-")
    stack.append(lambda: shutil.rmtree(data_dir, ignore_errors=True))
    port = free_port()
    # On a terminal, the engine's processes write each console line at once (on a pipe, C's
    # stdio would hold them back in a buffer).
    driver_process = Process(
        [WEBKIT_DRIVER, f"--port={port}"],
        env={**os.environ, "DISPLAY": f":{display}"},
        terminal=True,
    )
    stack.append(driver_process.stop)
    options = Options()
    options.binary_location = SYSTEM_PYTHON
    options.add_argument(WEBKIT_HOST)
    options.add_argument("--automation")
    options.add_argument(f"--data-dir={data_dir}")
    options.set_capability("browserName", WEBKIT_HOST_NAME)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:  # the driver listens shortly after it starts
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or driver_process.popen.poll() is not None:
                output = "\n".join(driver_process.lines)
                raise RuntimeError("WebKitWebDriver did not start:\n" + output) from None
            time.sleep(0.05)
    connection = RemoteConnection(
        client_config=ClientConfig(remote_server_addr=f"http://127.0.0.1:{port}", timeout=60)
    )
    try:
        driver = webdriver.Remote(command_executor=connection, options=options)
    except Exception as error:
        output = "\n".join(dict.fromkeys(driver_process.lines[-50:]))  # once each
        raise RuntimeError(
            f"WebKitWebDriver: no session ({error}); its output:\n{output}"
        ) from None
    stack.append(driver.quit)
    driver.set_script_timeout(30)
    driver.set_page_load_timeout(30)
    version = "WebKitGTK " + str(driver.capabilities.get("browserVersion", ""))
    return WebKitBrowser(driver, page_server, version, driver_process.lines)


def _accepts(socket_file: str) -> bool:
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(1)
        return client.connect_ex(socket_file) == 0


def free_display() -> int:
    """A display number no X server holds (neither its lock file nor its socket exists)."""
    for number in range(90, 190):
        if not os.path.exists(f"/tmp/.X{number}-lock") and not os.path.exists(
            f"/tmp/.X11-unix/X{number}"
        ):
            return number
    raise RuntimeError("no free X display number in 90-189")


STARTERS = {"chromium": start_chromium, "firefox": start_firefox, "webkit": start_webkit}


@pytest.fixture(scope="package", params=selected_engines())
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """One engine for the browser tests (each test runs once per engine), with a page on each
    of two origins.

    Package-scoped: engines are slow to start, and Playwright's sync API keeps an event loop
    running in this thread while it is started (Flask cannot run async views then), so it must
    stop before other tests run.
    """
    engine: str = request.param
    reason = unavailable(engine)
    if reason:
        skip_or_fail(reason)
    page_server = Server(page_app())
    stack: list[Callable[[], None]] = [page_server.stop]
    try:
        yield STARTERS[engine](page_server, stack)
    finally:
        errors = []
        for stop in reversed(stack):
            try:
                stop()
            except Exception as error:  # every process is stopped, whatever failed before
                errors.append(error)
        if errors:
            raise errors[0]


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
