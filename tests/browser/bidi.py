"""A small WebDriver BiDi client (over one websocket), enough to drive Firefox in the e2e suite.

Firefox started with ``--remote-debugging-port`` speaks WebDriver BiDi at ``ws://HOST:PORT/session``
(https://w3c.github.io/webdriver-bidi/). Debian ships no geckodriver, so the suite talks BiDi
itself: a command is one JSON message with an ``id``; the answer is the message with the same
``id``; everything else is an event, handed to the subscribers of its method. There is one
thread: events are dispatched while a command waits for its answer, or during :meth:`pump`.
Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

COMMAND_TIMEOUT_S = 30.0

Event = Callable[[dict[str, Any]], None]


class BiDiError(RuntimeError):
    """The remote end answered a command with an error."""


class BiDi:
    """One BiDi session over one websocket."""

    def __init__(self, url: str, timeout: float = COMMAND_TIMEOUT_S) -> None:
        self.timeout = timeout
        self._ws = connect(url, max_size=None, open_timeout=timeout, close_timeout=2)
        self._next_id = 0
        self._handlers: dict[str, list[Event]] = {}

    def on(self, method: str, handler: Event) -> None:
        """Call ``handler(params)`` for every event ``method`` (e.g. ``log.entryAdded``)."""
        self._handlers.setdefault(method, []).append(handler)

    def _dispatch(self, message: dict[str, Any]) -> None:
        for handler in self._handlers.get(message.get("method", ""), []):
            handler(message.get("params", {}))

    def command(
        self, method: str, params: dict[str, Any] | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are dispatched."""
        self._next_id += 1
        ident = self._next_id
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"BiDi {method}: no answer in time")
            try:
                message = json.loads(self._ws.recv(timeout=remaining))
            except TimeoutError:
                raise TimeoutError(f"BiDi {method}: no answer in time") from None
            if message.get("id") == ident:
                if message.get("type") == "error":
                    raise BiDiError(f"{method}: {message.get('error')}: {message.get('message')}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if message.get("type") == "event":
                self._dispatch(message)

    def pump(self, seconds: float) -> None:
        """Dispatch the events that arrive in the next ``seconds``."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                message = json.loads(self._ws.recv(timeout=remaining))
            except TimeoutError:
                return
            if message.get("type") == "event":
                self._dispatch(message)

    def evaluate(self, context: str, expression: str, timeout: float | None = None) -> Any:
        """Evaluate ``expression`` (a promise is awaited) in ``context``; it must return JSON text,
        which is parsed (BiDi's own serialization of objects is verbose, JSON is not)."""
        result = self.command(
            "script.evaluate",
            {
                "expression": expression,
                "target": {"context": context},
                "awaitPromise": True,
                "resultOwnership": "none",
            },
            timeout,
        )
        if result.get("type") == "exception":
            details = result.get("exceptionDetails", {})
            raise BiDiError(f"script threw: {details.get('text')}")
        value = result.get("result", {})
        if value.get("type") != "string":
            raise BiDiError(f"script returned {value!r}, not JSON text")
        return json.loads(value["value"])

    def close(self) -> None:
        with contextlib.suppress(BiDiError, TimeoutError, ConnectionClosed):
            self.command("session.end", timeout=5)
        self._ws.close()
