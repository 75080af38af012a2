"""CORS in your own tests: "the browser allows this call" as one line of a test suite.

The helpers replay a page's ``fetch()`` the way a browser would (the preflight first when one
would be sent, redirects followed hop by hop) against the app in-process, through Flask's test
client, and judge every answer with the same browser model as ``flask cors check``: the CLI and
these helpers share one implementation (:mod:`flask_crossorigin.diagnosis`)::

    from flask_crossorigin.testing import assert_allowed, assert_blocked

    def test_the_spa_may_create_items(app):
        assert_allowed(
            app, "/api/items", origin="https://app.example.com", method="POST",
            headers={"Content-Type": "application/json"},
        )

    def test_other_sites_may_not(app):
        assert_blocked(app, "/api/items", origin="https://evil.example", reason="acao_missing")

The requests really run: views execute, with their side effects, as with the test client.
Cookies are never sent (each check uses a fresh cookieless client, whatever client you pass),
because a preflight never carries any and the CORS decision does not depend on them.

.. versionadded:: 0.2
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from flask import Flask
from flask.testing import FlaskClient

from . import diagnosis
from .browser import REASONS
from .diagnosis import DiagnosisError

__all__ = ["DiagnosisError", "Verdict", "assert_allowed", "assert_blocked", "check"]

#: Request headers as a mapping (a ``dict``, Werkzeug ``Headers``) or a list of pairs.
HeadersArgument = Union[Mapping[str, str], Iterable[tuple[str, str]], None]


@dataclass(frozen=True)
class Verdict:
    """What a browser at ``origin`` concludes about one ``fetch()``.

    .. versionadded:: 0.2
    """

    #: Whether the page's script can read the response.
    allowed: bool
    #: The browser-side reason id when blocked (e.g. ``acao_missing``; ``flask cors explain ID``
    #: explains it), else ``None``.
    reason: str | None
    #: What the browser's console would say; empty when allowed.
    message: str
    #: The change to make, in terms of this app's policy where it is known (``add
    #: 'https://app.example.com' to `origins` of resource '/api/*' ...``); ``None`` when allowed
    #: or when only the page's own code can fix it (the request could not even be sent).
    fix: str | None
    #: The final response's status code when allowed, else ``None``.
    status: int | None
    #: Observations worth knowing, including where current browsers differ from the Fetch
    #: standard (the verdict always follows the standard).
    notes: tuple[str, ...]
    #: The source of the app's policy that covered the last request, as ``flask cors routes``
    #: names it (``resource '/api/*'``), or ``None`` when no policy covers it.
    policy: str | None
    #: The simulated browser's steps: each request sent and each answer's CORS headers.
    steps: tuple[str, ...]

    def describe(self) -> str:
        """A few lines for an assertion message: the outcome, the fix, the notes and the steps."""
        if self.allowed:
            lines = [f"ALLOWED (status {self.status})"]
        else:
            lines = [f"BLOCKED: {self.reason}: {self.message}"]
            if self.fix:
                lines.append(f"fix: {self.fix}")
        lines.extend(f"note: {note}" for note in self.notes)
        lines.append("steps:")
        lines.extend(f"  {step}" for step in self.steps)
        return "\n".join(lines)


def check(
    app: Flask | FlaskClient,
    path: str,
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArgument = None,
    credentials: bool = False,
) -> Verdict:
    """Replay ``fetch(path, {method, headers, credentials})`` from a page at *origin*.

    *app* is a Flask app or a :class:`~flask.testing.FlaskClient` (its app is used).
    *path* is the path and query as they go on the wire (``/api/items?page=2``). *headers* are
    those the page's script sets, as a mapping or a list of ``(name, value)`` pairs; like a
    browser, the check drops forbidden ones (``Cookie``, ``Origin``...) and derives the
    preflight from the others. *credentials* is ``credentials: 'include'``.

    Raises :class:`DiagnosisError` when the check cannot run (the app raised while handling a
    request with ``PROPAGATE_EXCEPTIONS`` off is *not* that: the browser then sees a 500).

    .. versionadded:: 0.2
    """
    report = diagnosis.check(
        app,
        path,
        origin=origin,
        method=method,
        headers=_header_pairs(headers),
        credentials=credentials,
    )
    reason = report.reason
    found = report.coverage
    return Verdict(
        allowed=report.verdict.allowed,
        reason=None if reason is None else reason.id,
        message="" if reason is None else reason.message,
        fix=None if reason is None or reason.stage == "request" else reason.fix,
        status=report.verdict.status if report.verdict.allowed else None,
        notes=report.notes,
        policy=None if found is None or found.found is None else found.label,
        steps=tuple(report.steps()),
    )


def assert_allowed(app: Flask | FlaskClient, path: str, **options: Any) -> Verdict:
    """:func:`check`, and raise :class:`AssertionError` unless the browser allows the call.

    The error's text holds the reason id, the browser's message, the fix and the steps. Takes
    the same keyword arguments as :func:`check`; returns the verdict, so a test can go on to
    check ``verdict.status``.

    .. versionadded:: 0.2
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this one
    verdict = check(app, path, **options)
    if not verdict.allowed:
        raise AssertionError(f"{_call(path, options)} is blocked.\n{verdict.describe()}")
    return verdict


def assert_blocked(
    app: Flask | FlaskClient, path: str, *, reason: str | None = None, **options: Any
) -> Verdict:
    """:func:`check`, and raise :class:`AssertionError` unless the browser blocks the call.

    With *reason* (a browser-side reason id; ``flask cors explain --list`` lists them), the call
    must be blocked for that reason: a call blocked for another one fails too, so that a test
    written to prove "other sites cannot read this" (``acao_missing``) does not keep passing once
    the call is blocked for something else entirely, such as a typo in the page's headers. An
    unknown *reason* is a :class:`ValueError`: a misspelt id would otherwise fail every time, for
    the wrong reason. Returns the verdict.

    .. versionadded:: 0.2
    """
    __tracebackhide__ = True
    if reason is not None and reason not in REASONS:
        close = difflib.get_close_matches(reason, sorted(REASONS), n=1)
        hint = (
            f" Did you mean {close[0]!r}?"
            if close
            else " Run 'flask cors explain --list' for the ids."
        )
        raise ValueError(f"assert_blocked(reason={reason!r}): not a reason id.{hint}")
    verdict = check(app, path, **options)
    if verdict.allowed:
        raise AssertionError(
            f"{_call(path, options)} is allowed, expected it to be blocked"
            + (f" ({reason})" if reason else "")
            + f".\n{verdict.describe()}"
        )
    if reason is not None and verdict.reason != reason:
        raise AssertionError(
            f"{_call(path, options)} is blocked for {verdict.reason}, expected {reason}.\n"
            f"{verdict.describe()}"
        )
    return verdict


def _header_pairs(headers: HeadersArgument) -> list[tuple[str, str]]:
    """*headers* as a list of pairs; a mapping's ``items()`` keeps Werkzeug's repeated names."""
    if headers is None:
        return []
    items = (
        headers.items() if isinstance(headers, Mapping) or hasattr(headers, "items") else headers
    )
    pairs: list[tuple[str, str]] = []
    for item in items:
        if (
            not isinstance(item, (tuple, list))
            or len(item) != 2
            or not all(isinstance(part, str) for part in item)
        ):
            raise TypeError(
                f"headers must be a mapping or a list of (name, value) string pairs, got item "
                f"{item!r}; write e.g. headers={{'Content-Type': 'application/json'}}."
            )
        pairs.append((item[0], item[1]))
    return pairs


def _call(path: str, options: Mapping[str, Any]) -> str:
    method = options.get("method", "GET")
    origin = options.get("origin")
    credentials = ", credentials: 'include'" if options.get("credentials") else ""
    return f"fetch({path!r}, {{method: {method!r}{credentials}}}) from {origin}"
