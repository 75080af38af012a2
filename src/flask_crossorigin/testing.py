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
        # or, in the server's words (why the app's policy refused):
        assert_blocked(
            app, "/api/items", origin="https://evil.example", reason="origin_not_allowed"
        )

    def test_the_page_can_read_the_total(app):
        verdict = assert_allowed(app, "/api/items", origin="https://app.example.com")
        assert "x-total-count" in verdict.readable_headers

Every check runs in each engine the simulator knows (``engine="all"``, the default): the Fetch
standard, Chromium, Firefox and WebKit, which depart from the standard in a few measured places
(:data:`flask_crossorigin.engines.DEPARTURES`). "Allowed" then means allowed in every engine,
"blocked" blocked in every engine, and a failure names the engines that disagree; pass
``engine="spec"`` (or ``"chromium"``...) to check one.

The requests really run: views execute, with their side effects, as with the test client (an
exchange several engines make runs once).
Cookies are never sent (each check uses a fresh cookieless client, whatever client you pass),
because a preflight never carries any and the CORS decision does not depend on them.

.. versionadded:: 0.2
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from flask import Flask
from flask.testing import FlaskClient

from . import diagnosis
from ._adapter import plan_of
from .browser import REASONS
from .diagnosis import CheckReport, DiagnosisError
from .engines import ALL, Departure
from .policy import Reason as ServerReason

__all__ = [
    "BROWSER_REASONS",
    "SERVER_REASONS",
    "DiagnosisError",
    "EngineVerdict",
    "HeaderNames",
    "Verdict",
    "assert_allowed",
    "assert_blocked",
    "check",
]

#: Request headers as a mapping (a ``dict``, Werkzeug ``Headers``) or a list of pairs.
HeadersArgument = Union[Mapping[str, str], Iterable[tuple[str, str]], None]

#: The browser-side reason ids (``acao_missing``...): why the browser refuses the page the
#: response. ``flask cors explain --list`` lists them with the others.
BROWSER_REASONS = frozenset(REASONS)

#: The server-side reason ids (``origin_not_allowed``...): why this app's policy refused the
#: request, the values of :class:`flask_crossorigin.policy.Reason` that are refusals (the ones
#: ``flask cors check`` prints on its ``server:`` line and the ``X-CORS-Refusal`` header
#: carries). ``allowed`` and ``no_origin`` are not refusals.
SERVER_REASONS = frozenset(
    reason.value
    for reason in ServerReason
    if reason not in (ServerReason.ALLOWED, ServerReason.NO_ORIGIN)
)


class HeaderNames(tuple[str, ...]):
    """Response header names, lower-case and sorted; ``in`` ignores case.

    A tuple (it compares equal to a plain tuple of the same lower-case names), except that
    ``"X-Total-Count" in names`` and ``"x-total-count" in names`` both hold when the header is
    there: HTTP header names are case-insensitive.

    .. versionadded:: 0.2
    """

    __slots__ = ()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and tuple.__contains__(self, name.lower())


@dataclass(frozen=True)
class EngineVerdict:
    """What one engine concludes, as :attr:`Verdict.engines` holds it per engine.

    .. versionadded:: 0.2
    """

    #: Whether this engine lets the page read the response.
    allowed: bool
    #: The browser-side reason id when this engine blocks, else ``None``.
    reason: str | None
    #: Our explanation of the refusal (as :attr:`Verdict.message`); empty when allowed.
    message: str
    #: The engine's own console line for the refusal, filled with this request's values, when
    #: it was captured from the real engine; ``None`` otherwise (and always for ``spec``).
    console: str | None
    #: Why this engine's verdict differs from the standard's: each departure as ``class A,
    #: departs from F16: ...``; empty when it agrees with the standard.
    departures: tuple[str, ...]
    #: This engine's server reason (see :attr:`Verdict.server_reason`).
    server_reason: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What a browser at ``origin`` concludes about one ``fetch()``.

    With ``engine="all"`` (the default of :func:`check`) the fields describe the engine that
    stands for all: the Fetch standard, unless it allows a call some engine blocks (then the
    first engine that blocks it), so ``allowed`` means allowed in every engine; each engine's
    own verdict is in :attr:`engines`.

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
    #: Why this app's own policy refused the last request, as a server reason id (``origin_not
    #: _allowed``, ``method_not_allowed``...; the value of :class:`flask_crossorigin.policy
    #: .Reason`), or ``None`` when the policy granted it, no policy of this app covers the path,
    #: or nothing was sent. The browser's :attr:`reason` says what the page sees; this says why
    #: the server answered as it did (a refused preflight is ``acao_missing`` to the browser,
    #: ``method_not_allowed`` here).
    server_reason: str | None = None
    #: The response headers the page's script can read when allowed (``response.headers.get``):
    #: the CORS-safelisted ones (``Cache-Control``, ``Content-Language``, ``Content-Length``,
    #: ``Content-Type``, ``Expires``, ``Last-Modified``, ``Pragma``) and those named by
    #: ``Access-Control-Expose-Headers`` (``*`` names them all without credentials), never
    #: ``Set-Cookie``; only the headers the response has. Lower-case, sorted, and ``in``
    #: ignores case. Empty when blocked.
    readable_headers: HeaderNames = field(default_factory=HeaderNames)
    #: The engine(s) checked: ``all``, or one of ``spec``, ``chromium``, ``firefox``, ``webkit``.
    engine: str = ALL
    #: Each engine checked and its verdict, in the order spec, chromium, firefox, webkit.
    engines: Mapping[str, EngineVerdict] = field(default_factory=dict)

    @property
    def agree(self) -> bool:
        """Whether every engine checked reaches the same verdict (allowed, reason)."""
        return len({(one.allowed, one.reason) for one in self.engines.values()}) <= 1

    def describe(self) -> str:
        """A few lines for an assertion message: the outcome, the fix, the notes and the steps.

        Where engines differ, each engine's verdict and the departure that explains it; under
        a refusal, each engine's own console line where it was captured.
        """
        if self.allowed:
            lines = [f"ALLOWED (status {self.status})"]
        else:
            lines = [f"BLOCKED: {self.reason}: {self.message}"]
            if self.server_reason:
                lines.append(f"server reason: {self.server_reason}")
            if self.fix:
                lines.append(f"fix: {self.fix}")
        for name, one in self.engines.items():
            if not self.agree:
                outcome = "ALLOWED" if one.allowed else f"BLOCKED: {one.reason}"
                why = f" ({'; '.join(one.departures)})" if one.departures else ""
                lines.append(f"{name}: {outcome}{why}")
            if one.console is not None:
                lines.append(f"{name} says: {one.console}")
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
    body: str | bytes | None = None,
    engine: str = ALL,
) -> Verdict:
    """Replay ``fetch(path, {method, headers, credentials, body})`` from a page at *origin*.

    *app* is a Flask app or a :class:`~flask.testing.FlaskClient` (its app is used).
    *path* is the path and query as they go on the wire (``/api/items?page=2``). *headers* are
    those the page's script sets, as a mapping or a list of ``(name, value)`` pairs; like a
    browser, the check drops forbidden ones (``Cookie``, ``Origin``...) and derives the
    preflight from the others. *credentials* is ``credentials: 'include'``. *body* goes with
    the actual request (not the preflight), so a view that parses it answers as it would to
    the page: a ``str`` is sent as UTF-8 and, as with fetch(), is ``text/plain;charset=UTF-8``
    unless *headers* set a Content-Type; ``bytes`` have no type unless *headers* set one. A
    GET or HEAD with a body is blocked as ``body_not_allowed`` (fetch() throws).

    *engine* is ``"all"`` (the default: the Fetch standard and every engine, one
    :class:`EngineVerdict` each in :attr:`Verdict.engines`, ``allowed`` only when every one
    allows it) or one of ``"spec"``, ``"chromium"``, ``"firefox"``, ``"webkit"``; anything
    else is a :class:`ValueError`.

    Raises the app's :class:`~flask_crossorigin.ConfigError` when a decorated view's options
    cannot work over its config (in production that view answers 500 and the others keep
    working; a test should fail on it), and :class:`DiagnosisError` when the check cannot run
    otherwise (the app raised while handling a request with ``PROPAGATE_EXCEPTIONS`` off is
    *not* that: the browser then sees a 500).

    .. versionadded:: 0.2
    """
    flask_app = app if isinstance(app, Flask) else app.application
    plan_of(flask_app)  # raises the ConfigError of a misconfigured decorated view
    reports = diagnosis.check_engines(
        app,
        path,
        origin=origin,
        method=method,
        headers=_header_pairs(headers),
        credentials=credentials,
        body=body,
        engines=engine,
    )
    report = reports.main
    differing = reports.verdicts.differing()
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
        server_reason=report.server_reason,
        readable_headers=HeaderNames(
            sorted({name.lower() for name in report.verdict.readable_headers})
            if report.verdict.allowed
            else ()
        ),
        engine=engine,
        engines={
            name: _engine_verdict(one, differing.get(name, ()))
            for name, one in reports.reports.items()
        },
    )


def _engine_verdict(report: CheckReport, departures: Sequence[Departure]) -> EngineVerdict:
    reason = report.reason
    return EngineVerdict(
        allowed=report.verdict.allowed,
        reason=None if reason is None else reason.id,
        message="" if reason is None else reason.message,
        console=report.console,
        departures=tuple(row.describe() for row in departures),
        server_reason=report.server_reason,
    )


def assert_allowed(app: Flask | FlaskClient, path: str, **options: Any) -> Verdict:
    """:func:`check`, and raise :class:`AssertionError` unless the browser allows the call.

    The error's text holds the reason id, the browser's message, the fix and the steps. Takes
    the same keyword arguments as :func:`check`; returns the verdict, so a test can go on to
    check ``verdict.status``. By default (``engine="all"``) the call must be allowed in every
    engine, and the error names the engines that block it.

    .. versionadded:: 0.2
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this one
    verdict = check(app, path, **options)
    if not verdict.allowed:
        where = _where(verdict, [n for n, one in verdict.engines.items() if not one.allowed])
        raise AssertionError(f"{_call(path, options)} is blocked{where}.\n{verdict.describe()}")
    return verdict


def _where(verdict: Verdict, names: Sequence[str]) -> str:
    """`` in firefox, webkit`` when only some of the engines checked are named, else nothing."""
    if len(names) == len(verdict.engines):
        return ""
    return f" in {', '.join(names)}"


def assert_blocked(
    app: Flask | FlaskClient, path: str, *, reason: str | None = None, **options: Any
) -> Verdict:
    """:func:`check`, and raise :class:`AssertionError` unless the browser blocks the call.

    With *reason*, the call must be blocked for that reason: a call blocked for another one
    fails too, so that a test written to prove "other sites cannot read this" does not keep
    passing once the call is blocked for something else entirely, such as a typo in the page's
    headers. *reason* is either kind of id (``flask cors explain --list`` lists both):

    * a browser reason (:data:`BROWSER_REASONS`, e.g. ``acao_missing``): compared with
      :attr:`Verdict.reason`, what the browser tells the page;
    * a server reason (:data:`SERVER_REASONS`, e.g. ``origin_not_allowed``): compared with
      :attr:`Verdict.server_reason`, why this app's policy refused the request.

    ``method_not_allowed`` and ``header_not_allowed`` are both; either side matching passes.
    The failure message says which side was compared. An unknown *reason* is a
    :class:`ValueError`: a misspelt id would otherwise fail every time, for the wrong reason.
    Returns the verdict. By default (``engine="all"``) the call must be blocked in every
    engine, for *reason* in each, and the error names the engines that disagree.

    .. versionadded:: 0.2
    """
    __tracebackhide__ = True
    if reason is not None and reason not in BROWSER_REASONS | SERVER_REASONS:
        close = difflib.get_close_matches(reason, sorted(BROWSER_REASONS | SERVER_REASONS), n=1)
        hint = (
            f" Did you mean {close[0]!r}?"
            if close
            else " Run 'flask cors explain --list' for the ids."
        )
        raise ValueError(
            f"assert_blocked(reason={reason!r}): not a reason id (neither a browser nor a "
            f"server reason).{hint}"
        )
    verdict = check(app, path, **options)
    expected = "" if reason is None else f"{_kind(reason)} {reason}"
    allowing = [name for name, one in verdict.engines.items() if one.allowed]
    if allowing:
        raise AssertionError(
            f"{_call(path, options)} is allowed{_where(verdict, allowing)}, expected it to be "
            "blocked" + (f" ({expected})" if reason else "") + f".\n{verdict.describe()}"
        )
    wrong = [name for name, one in verdict.engines.items() if reason not in _matched(one)]
    if reason is not None and wrong:
        first = verdict.engines[wrong[0]]
        server = (
            f"server reason {first.server_reason}"
            if first.server_reason
            else "no server reason (the app's policy did not refuse it, or no policy covers it)"
        )
        raise AssertionError(
            f"{_call(path, options)} is blocked{_where(verdict, wrong)} for browser reason "
            f"{first.reason}, with {server}; expected {expected}.\n{verdict.describe()}"
        )
    return verdict


def _kind(reason: str) -> str:
    """How a failure message names the id: which reasons it was compared with."""
    if reason in BROWSER_REASONS and reason in SERVER_REASONS:
        return "browser or server reason"
    return "browser reason" if reason in BROWSER_REASONS else "server reason"


def _matched(verdict: EngineVerdict) -> set[str]:
    """The ids an expected reason may equal: the browser's, and the server's refusal."""
    found: set[str] = set()
    if verdict.reason is not None:
        found.add(verdict.reason)
    if verdict.server_reason is not None and verdict.server_reason in SERVER_REASONS:
        found.add(verdict.server_reason)
    return found


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
