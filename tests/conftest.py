"""Shared fixtures for the Flask test-client suites (tests/test_*.py).

The helpers are handed out as fixtures so that test modules never import this file. Rule ids
(F1-F44) refer to docs/fetch-rules.md.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

#: Every header a CORS grant may carry (F24, PNA section).
GRANT_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Allow-Private-Network",
)


@pytest.fixture
def app() -> Flask:
    """A fresh app in testing mode (exceptions propagate to the test)."""
    flask_app = Flask(__name__)
    flask_app.testing = True
    return flask_app


@pytest.fixture
def error_app() -> Flask:
    """A fresh app that turns unhandled exceptions into 500 responses, as in production."""
    flask_app = Flask(__name__)
    flask_app.testing = False
    flask_app.config["PROPAGATE_EXCEPTIONS"] = False
    return flask_app


@pytest.fixture
def preflight() -> Callable[..., TestResponse]:
    """``preflight(client, path, origin, method="PUT", headers=None, **extra_headers)``."""

    def send(
        client: Any,
        path: str,
        origin: str,
        method: str = "PUT",
        headers: str | None = None,
        **extra: str,
    ) -> TestResponse:
        sent = {"Origin": origin, "Access-Control-Request-Method": method}
        if headers is not None:
            sent["Access-Control-Request-Headers"] = headers
        sent.update({name.replace("_", "-"): value for name, value in extra.items()})
        return client.options(path, headers=sent)  # type: ignore[no-any-return]

    return send


@pytest.fixture
def vary() -> Callable[[TestResponse], list[str]]:
    """The members of every ``Vary`` header of a response, lower-cased, in order."""

    def members(response: TestResponse) -> list[str]:
        return [
            item.strip().lower()
            for value in response.headers.getlist("Vary")
            for item in value.split(",")
            if item.strip()
        ]

    return members


@pytest.fixture
def grants() -> Callable[[TestResponse], dict[str, list[str]]]:
    """The CORS grant headers present on a response (name -> every value sent)."""

    def present(response: TestResponse) -> dict[str, list[str]]:
        return {
            name: response.headers.getlist(name)
            for name in GRANT_HEADERS
            if response.headers.getlist(name)
        }

    return present


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog with the ``flask_crossorigin`` logger at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="flask_crossorigin")
    yield caplog


@pytest.fixture
def refusals() -> Iterator[list[dict[str, Any]]]:
    """Every ``cors_refused`` send while the test runs: the sender plus its keyword arguments."""
    from flask_crossorigin import cors_refused

    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append({"sender": sender, **kwargs})

    cors_refused.connect(receiver)
    try:
        yield seen
    finally:
        cors_refused.disconnect(receiver)


@pytest.fixture
def refusal_warnings(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """``refusal_warnings()``: the WARNING lines logged on ``flask_crossorigin`` so far."""
    caplog.set_level(logging.WARNING, logger="flask_crossorigin")

    def lines() -> list[str]:
        return [
            record.getMessage()
            for record in caplog.records
            if record.name == "flask_crossorigin" and record.levelno == logging.WARNING
        ]

    return lines


@pytest.fixture(scope="session", autouse=True)
def _flask_cors_stays_out() -> Iterator[None]:
    """No test imports flask-cors in this process; only `flask cors compare`'s child does."""
    yield
    assert "flask_cors" not in sys.modules, "a test imported flask_cors in the test process"
