"""The diagnosis library: replay a browser's ``fetch()``, say what it concludes and what to change.

A CORS failure is reported in the browser's console, in the browser's words, while its cause is
an option on the server. This module puts both sides in one structured answer, shared by
``flask cors check`` / ``flask cors routes`` (:mod:`~flask_crossorigin.cli`), the playground
(``examples/demo.py``) and test helpers:

* :func:`check` runs one request the way a browser would (preflight first when one is needed)
  against an app or its test client and returns a :class:`CheckReport`: every exchange, the
  browser's verdict, the policy that covered the request (a typed source) and, for a refusal, the
  option to change;
* :func:`run_check` is the same against any sender (a deployed server, for ``--url``);
* :func:`check_engines` and :func:`run_checks` replay it in every engine the simulator knows
  (the Fetch standard, Chromium, Firefox, WebKit) and return an :class:`EngineReports`: one
  verdict where they agree, and per engine, with the departure that explains it, where not;
* :func:`coverage` and :func:`routes` say which policy covers a path or each URL rule.

The policy is found by the adapter's own resolver (:meth:`Plan.resolve`), so the answer here is
the one the middleware gives.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import EnvironBuilder

from ._adapter import Plan, plan_of
from ._compat import typed_headers
from ._http import escape_for_log, is_token
from ._routing import endpoint_for
from ._sources import Coverage, Source, SourceKind
from .browser import (
    BrowserRequest,
    EngineVerdicts,
    Reason,
    ServerResponse,
    Verdict,
    replaying,
    simulate,
)
from .engines import console_line, parse_engines
from .errors import ConfigError
from .policy import Decision, Policy, RequestFacts
from .policy import Reason as ServerReason

__all__ = [
    "CheckReport",
    "DiagnosisError",
    "EngineReports",
    "Exchange",
    "RouteCoverage",
    "check",
    "check_engines",
    "coverage",
    "routes",
    "run_check",
    "run_checks",
]

#: Response headers worth showing in a step: the ones the browser's CORS decisions read, and
#: the ones that explain them (Location for redirects, the debug header for refusals).
_SHOWN_RESPONSE_HEADERS = ("access-control-", "vary", "location", "x-cors-refusal")

#: Werkzeug's rule syntax: ``<name>``, ``<converter:name>``, ``<converter(args):name>``.
_RULE_VARIABLE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>.*?)\))?:)?"
    r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)
_CONVERTER_SAMPLES = {
    "int": "1",
    "float": "1.0",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


class DiagnosisError(Exception):
    """The check could not run (an exchange failed, or the app's configuration is invalid)."""


class _Unreachable(Exception):
    """An exchange could not be made; the message says which and why."""


# --------------------------------------------------------------------------------------------
# Sending: in-process through the test client, or over the network
# --------------------------------------------------------------------------------------------


Send = Callable[[str, str, list[tuple[str, str]]], ServerResponse]


@dataclass(frozen=True)
class Exchange:
    """One request the simulated browser sent and what came back, in order."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    response: ServerResponse

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        values = [value for key, value in self.headers if key.lower() == lowered]
        return ", ".join(values) if values else None


def _combine(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join repeated request headers with ', ', as fetch()'s header list does on the wire."""
    combined: dict[str, tuple[str, list[str]]] = {}
    for name, value in headers:
        combined.setdefault(name.lower(), (name, []))[1].append(value)
    return [(name, ", ".join(values)) for name, values in combined.values()]


def environ_for(app: Flask, path: str, method: str = "GET") -> dict[str, Any]:
    """A WSGI environ for *path* as the test client would build it for *app*."""
    config = app.config
    scheme = config.get("PREFERRED_URL_SCHEME") or "http"
    host = config.get("SERVER_NAME") or "localhost"
    root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
    builder = EnvironBuilder(path=path, method=method, base_url=f"{scheme}://{host}{root}")
    try:
        return builder.get_environ()
    finally:
        builder.close()


def app_base_url(app: Flask) -> str:
    """The URL under which the test client reaches *app*, ending with '/'.

    It is the base Flask's test client builds from the config, so a URL below it maps back to
    exactly the path the app sees.
    """
    scheme = app.config.get("PREFERRED_URL_SCHEME") or "http"
    host = app.config.get("SERVER_NAME") or "localhost"
    root = (app.config.get("APPLICATION_ROOT") or "/").strip("/")
    return f"{scheme}://{host}/{root}/" if root else f"{scheme}://{host}/"


def _relative(url: str, base: str) -> str | None:
    """The path and query of *url* below *base* (still percent-encoded), or None if outside."""
    try:
        parts, base_parts = urlsplit(url), urlsplit(base)
    except ValueError:
        return None
    if (parts.scheme.lower(), parts.netloc.lower()) != (
        base_parts.scheme.lower(),
        base_parts.netloc.lower(),
    ):
        return None
    prefix = base_parts.path.rstrip("/")
    path = parts.path or "/"
    if not (path == prefix or path.startswith(prefix + "/")):
        return None
    rest = path[len(prefix) :] or "/"
    return f"{rest}?{parts.query}" if parts.query else rest


def _carries_body(method: str, headers: Sequence[tuple[str, str]]) -> bool:
    """Whether the page's body goes with this exchange, as fetch() decides it.

    Never with a preflight (F3) nor a GET or HEAD (a redirect that turns the request into a GET
    drops the body, and the simulator then sends GET); a 307/308 redirect keeps the method and
    the body.
    """
    if method in ("GET", "HEAD"):
        return False
    preflight = method == "OPTIONS" and any(
        name.lower() == "access-control-request-method" for name, _ in headers
    )
    return not preflight


def in_process_sender(app: Flask, body: bytes | None = None) -> Send:
    """Send through ``app.test_client()``: the app's real hooks, views and error handlers.

    Cookies are not kept between exchanges: a preflight never carries any (F3), and the CORS
    decision never depends on them. *body* goes with every request that carries the page's body
    (the actual request, not the preflight), so a view that parses it (``request.get_json()``)
    answers as it would to the browser.
    """
    client = app.test_client(use_cookies=False)
    base = app_base_url(app)

    def send(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        target = _relative(url, base)
        if target is None:
            raise _Unreachable(
                f"the app redirected to {url}, which is outside the app; run the check with "
                "--url against a server to follow it"
            )
        data = body if body is not None and _carries_body(method, headers) else None
        try:
            response = client.open(target, method=method, headers=_combine(headers), data=data)
        except Exception as error:
            raise _Unreachable(
                f"the app raised {type(error).__name__} on {method} {target}: {error}"
            ) from error
        try:
            pairs = list(typed_headers(response.headers).items())
            return ServerResponse(response.status_code, pairs)
        finally:
            response.close()

    return send


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand every 3xx back unfollowed: the browser model checks each hop itself (F14, F27)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_sender(timeout: float, body: bytes | None = None) -> Send:
    """Send real HTTP requests with urllib, never following redirects, each bounded in time.

    *body* goes with the requests that carry the page's body, as with :func:`in_process_sender`.
    """
    opener = urllib.request.build_opener(_NoRedirect())

    def send(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        data = body if body is not None and _carries_body(method, headers) else None
        request = urllib.request.Request(url, data=data, method=method)
        for name, value in _combine(headers):
            request.add_header(name, value)
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            response = error  # a 3xx/4xx/5xx is an answer the browser judges, not a failure
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            raise _Unreachable(f"{method} {url} failed: {reason}") from error
        try:
            status = getattr(response, "status", None) or response.code
            return ServerResponse(int(status), list(response.headers.items()))
        finally:
            response.close()

    return send


@contextmanager
def _production_errors(app: Flask | None) -> Iterator[None]:
    """Let the app turn exceptions into 500 responses while checking, as it does when deployed.

    A browser sees the 500 (with CORS headers, F22) rather than a traceback; in debug or testing
    mode Flask would re-raise instead and the check could not say what the page receives.
    """
    if app is None:
        yield
        return
    saved = app.config.get("PROPAGATE_EXCEPTIONS")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        yield
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = saved


# --------------------------------------------------------------------------------------------
# Which policy answered: the extension's own resolution, replayed for a path
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteCoverage:
    """The policy covering one request, if any, and where it was set.

    ``kind`` is ``resource``, ``blueprint``, ``decorator`` or ``none`` (the words of
    ``flask cors check --json``); ``label`` names the source the way a user finds it in their
    code.
    """

    path: str
    endpoint: str | None
    found: Coverage | None

    @property
    def policy(self) -> Policy | None:
        return None if self.found is None else self.found.policy

    @property
    def source(self) -> Source | None:
        return None if self.found is None else self.found.source

    @property
    def kind(self) -> str:
        return "none" if self.found is None else _KIND_NAMES[self.found.source.kind]

    @property
    def label(self) -> str:
        return "none" if self.found is None else self.found.source.label


_KIND_NAMES = {
    SourceKind.RESOURCE: "resource",
    SourceKind.BLUEPRINT: "blueprint",
    SourceKind.VIEW: "decorator",
}


def coverage(app: Flask, path: str, method: str = "GET") -> RouteCoverage:
    """The policy the extension would apply to *method* *path* (decoded, no query)."""
    plan = plan_of(app)
    environ = environ_for(app, path, method)
    endpoint = endpoint_for(app, environ, method, plan.routes)
    return RouteCoverage(path, endpoint, plan.resolve_environ(environ, method))


def _suggested_pattern(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return f"r'/{first}/*'" if first else "r'/*'"


def _show_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(repr(item) for item in value) + "]"
    return repr(value)


def _where(policy: Policy, option: str) -> str:
    """'(now X, set in Y)': the current value and the place in the code that set it."""
    value = _show_value(policy.describe().get(option))
    source = policy.sources.get(option, "default")
    if source == "default":
        return f" (now {value}, the default)"
    return f" (now {value}, set in {source})"


# --------------------------------------------------------------------------------------------
# Fixes: the browser's reason turned into a change to the server's options
# --------------------------------------------------------------------------------------------


def _uncovered_fix(reason: Reason, found: RouteCoverage, plan: Plan, exchange: Exchange) -> str:
    pattern = _suggested_pattern(found.path)
    configured = plan.table is not None or bool(plan.blueprint_tables)
    if configured:
        fix = (
            f"this path is not covered by any CORS policy: add a resource pattern such as "
            f"{pattern} to CORS(app, resources=...)"
        )
    else:
        fix = (
            "flask-crossorigin covers no path of this app: add e.g. CORS(app, resources="
            f"{{{pattern}: {{'origins': [...]}}}})"
        )
    if found.endpoint is not None and found.endpoint in plan.misplaced:
        # The user did decorate it, above the route decorator (migration issue item 4).
        return (
            f"view {found.endpoint!r} has @cross_origin written above @app.route, so Flask "
            "registered the undecorated function and the decorator never runs: move "
            "@cross_origin below @app.route, next to the function."
        )
    if found.endpoint is not None:
        fix += f", or decorate view {found.endpoint!r} with @cross_origin(...)"
    status = exchange.response.status
    own_headers = any(
        name.lower().startswith("access-control-") for name, _ in exchange.response.headers
    )
    if reason.id == "preflight_redirect":
        location = _response_header(exchange.response, "Location") or "?"
        fix += (
            f". The app answered the preflight itself with a {status} redirect to {location}, "
            "and a preflight may not be redirected (F14); once a policy covers the path, "
            "flask-crossorigin answers it before routing. Better still, have the page request "
            f"{location} directly"
        )
    elif own_headers:
        fix += (
            ". The Access-Control-* headers in this response come from the app's own code (a "
            "view, a hook or another library), not from flask-crossorigin: remove them"
        )
    elif exchange.method == "OPTIONS" and exchange.header("Access-Control-Request-Method"):
        fix += (
            f". The app answered the preflight itself (status {status}); flask-crossorigin "
            "answers covered preflights with 204 before your before_request hooks run (F36)"
        )
    return fix + "."


def _refusal_fix(
    decision: Decision, found: RouteCoverage, policy: Policy, exchange: Exchange, origin: str
) -> str | None:
    """The fix when the app's own policy refused the request (the server-side reason)."""
    label = found.label
    reason = decision.reason
    # The origin the server saw: after a cross-origin redirect it is 'null', not the page's (F29).
    origin = exchange.header("Origin") or origin
    if reason in (ServerReason.ORIGIN_NOT_ALLOWED, ServerReason.ORIGIN_MALFORMED):
        return f"add {origin!r} to `origins` of {label}{_where(policy, 'origins')}."
    if reason is ServerReason.ORIGIN_NULL_NOT_ALLOWED:
        return (
            f"add 'null' to `origins` of {label}{_where(policy, 'origins')}, but only if every "
            "sandboxed iframe and file: page may read these responses: they all share the "
            "'null' origin (F35, F44)."
        )
    if reason is ServerReason.ORIGIN_CALLABLE_FAILED:
        return (
            f"the `origins` callable of {label} raised for {origin!r} (the app logged a "
            "WARNING with the traceback); make it return True for this origin."
        )
    if reason is ServerReason.ORIGIN_CALLABLE_INVALID:
        return (
            f"the `origins` callable of {label} returned something other than True or False "
            f"for {origin!r} (the app logged a WARNING); only a bool counts, so make it return "
            "True for this origin (an async check cannot decide a synchronous answer: read a "
            "cache the app fills instead)."
        )
    if reason is ServerReason.PATH_AMBIGUOUS:
        return (
            f"request the path with its dot segments resolved: {found.path!r} has '.' or "
            f"'..' segments and its two readings select different policies ({decision.detail}), "
            "so the server grants nothing (security: either reading could be the one a view "
            "acts on). Browsers resolve dot segments before sending, so only another client "
            "sends this path."
        )
    if reason is ServerReason.METHOD_NOT_ALLOWED:
        method = decision.detail
        fix = f"add {method!r} to `methods` of {label}{_where(policy, 'methods')}"
        if method != method.upper():
            fix += (
                f"; methods are case-sensitive and browsers send {method!r} as the page wrote "
                "it (F7)"
            )
        return fix + "."
    if reason is ServerReason.HEADER_NOT_ALLOWED:
        if decision.detail == "*" and policy.supports_credentials:
            # Not an allow-list gap: no value of allow_headers can grant it (F18).
            return (
                "stop sending a request header literally named '*' from the page: with "
                f"credentials ({label} has supports_credentials=True) a '*' in "
                "Access-Control-Allow-Headers is never a wildcard and this server never sends "
                "it, so no allow_headers value can allow it (F18)."
            )
        requested = exchange.header("Access-Control-Request-Headers") or decision.detail
        refused = [
            name
            for name in dict.fromkeys(item.strip(" \t").lower() for item in requested.split(","))
            if name and is_token(name) and not policy.allow_headers.allows(name)
        ] or [decision.detail]
        shown = ", ".join(repr(name) for name in refused)
        return (
            f"add {shown} to `allow_headers` of {label}{_where(policy, 'allow_headers')}, or stop "
            "sending " + ("it" if len(refused) == 1 else "them") + " from the page."
        )
    return None


def _granted_fix(
    reason: Reason, decision: Decision, found: RouteCoverage, policy: Policy, exchange: Exchange
) -> str | None:
    """The fix when the app's policy granted the request and the browser still refused it."""
    label = found.label
    status = exchange.response.status
    acao = dict(decision.headers).get("Access-Control-Allow-Origin")
    elsewhere = (
        f"the policy {label} would not send this; a view, an after_request hook registered "
        "before CORS(app), a proxy or a second CORS library does"
    )
    if reason.id in ("acac_missing", "acao_wildcard_with_credentials") and policy.origins.any:
        return (
            f"the page sends credentials but {label} allows any origin{_where(policy, 'origins')}"
            ": list the trusted origins in `origins` and set supports_credentials=True ('*' "
            "never works with credentials, F13)."
        )
    if reason.id == "acao_wildcard_with_credentials":
        fix = (
            "the response's 'Access-Control-Allow-Origin: *' was set by the app's own code (a "
            "view, hook or proxy); flask-crossorigin leaves a response that already has "
            "Access-Control-Allow-Origin alone. Remove that header so that "
            f"{label} answers"
        )
        if not policy.supports_credentials:
            fix += (
                f", and set supports_credentials=True on it{_where(policy, 'supports_credentials')}"
            )
        return fix + "."
    if reason.id == "acac_missing" and not policy.supports_credentials:
        return (
            f"set supports_credentials=True on {label}"
            f"{_where(policy, 'supports_credentials')}, so that pages sending credentials may "
            "read the answer; or make the page omit credentials."
        )
    if reason.id in ("preflight_status_not_ok", "preflight_redirect") and not (
        policy.automatic_options
    ):
        return (
            f"`automatic_options` is False on {label}{_where(policy, 'automatic_options')}, so "
            f"the app answered the preflight itself, with status {status}. Set it to True so "
            "that flask-crossorigin answers preflights with 204 before your before_request hooks "
            "and authentication run (F36), or make your OPTIONS handling answer 2xx without "
            "credentials (F3)."
        )
    if reason.id == "acao_missing" and acao is not None:
        if status >= 400 and not policy.intercept_exceptions:
            return (
                f"set intercept_exceptions=True on {label}"
                f"{_where(policy, 'intercept_exceptions')}: this {status} error response got no "
                "CORS headers, so the page cannot read it (F22)."
            )
        return (
            f"the policy {label} grants this request, but the response carried no "
            "Access-Control-Allow-Origin: something after flask-crossorigin removed it (a proxy, "
            "a WSGI middleware or another after_request hook)."
        )
    if reason.id == "acao_multiple":
        return (
            f"send Access-Control-Allow-Origin once: {label} sends one value and something else "
            "adds another (a view, an after_request hook registered before CORS(app), a proxy "
            "or a second CORS library); remove that one."
        )
    if reason.id in (
        "acao_mismatch",
        "acao_invalid",
        "acac_invalid",
        "acam_invalid",
        "acah_invalid",
        "method_not_allowed",
        "header_not_allowed",
        "method_wildcard_with_credentials",
        "header_wildcard_with_credentials",
        "authorization_not_covered_by_wildcard",
    ):
        return f"{reason.fix} Here {elsewhere}: remove it and let {label} answer."
    return None


def policy_fix(
    reason: Reason,
    found: RouteCoverage,
    plan: Plan,
    exchange: Exchange,
    origin: str,
) -> tuple[str | None, Decision | None]:
    """A concrete fix for *reason* from the app's policy, and the policy's own decision."""
    policy = found.policy
    if policy is None:
        return _uncovered_fix(reason, found, plan, exchange), None
    facts = RequestFacts(
        method=exchange.method,
        path=found.path,
        origin=exchange.header("Origin"),
        request_method=exchange.header("Access-Control-Request-Method"),
        request_headers=exchange.header("Access-Control-Request-Headers"),
        request_private_network=exchange.header("Access-Control-Request-Private-Network"),
    )
    decision = policy.decide(facts)
    if not decision.allowed and decision.reason is not ServerReason.NO_ORIGIN:
        fix = _refusal_fix(decision, found, policy, exchange, origin)
    else:
        fix = _granted_fix(reason, decision, found, policy, exchange)
    if found.endpoint is not None and found.endpoint in plan.misplaced:
        # The view's own policy never applies (migration issue item 4): say that first.
        moved = (
            f"view {found.endpoint!r} has @cross_origin written above @app.route, so its own "
            "policy never applies (Flask registered the undecorated function): move "
            "@cross_origin below @app.route, next to the function."
        )
        fix = moved if fix is None else f"{moved} Otherwise: {fix}"
    return fix, decision


def _response_header(response: ServerResponse, name: str) -> str | None:
    lowered = name.lower()
    values = [value for key, value in response.headers if key.lower() == lowered]
    return ", ".join(values) if values else None


@dataclass(frozen=True)
class CheckReport:
    """Everything ``check`` prints, in one place so text and JSON never disagree."""

    verdict: Verdict
    reason: Reason | None
    exchanges: tuple[Exchange, ...]
    coverage: RouteCoverage | None
    decision: Decision | None
    local_policy: bool
    #: Where engines decide otherwise than this report's verdict for this request, one
    #: sentence per engine that differs (filled by :func:`run_checks`).
    divergences: tuple[str, ...] = ()
    #: The engine simulated: ``spec`` (the Fetch standard), ``chromium``, ``firefox``, ``webkit``.
    engine: str = "spec"

    @property
    def console(self) -> str | None:
        """The engine's own console line for the refusal, filled with this request's values.

        ``None`` when allowed, for the standard (which has no console), or when no line was
        captured for this reason and engine.
        """
        if self.reason is None:
            return None
        return console_line(
            self.reason.id, self.engine, dict(self.reason.values), self.reason.stage
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The simulator's notes on the exchanges, then where browsers differ from the standard."""
        prefix = "   note: "
        seen = tuple(step[len(prefix) :] for step in self.verdict.steps if step.startswith(prefix))
        return seen + self.divergences

    @property
    def server_reason(self) -> str | None:
        if self.decision is None or self.decision.allowed:
            return None
        return self.decision.reason.value

    def steps(self) -> list[str]:
        """The simulator's steps, each answer followed by the headers that decided it."""
        lines: list[str] = []
        answers = iter(self.exchanges)
        for step in self.verdict.steps:
            lines.append(step)
            if step.startswith("<- "):
                exchange = next(answers, None)
                if exchange is not None:
                    lines.append("   response headers: " + _shown_headers(exchange.response))
        return lines

    def server_line(self) -> str | None:
        found = self.coverage
        if found is None:
            return None
        where = " (local app; the deployment may differ)" if self.local_policy else ""
        if found.found is None:
            return f"server{where}: no CORS policy covers {found.path}"
        if self.decision is None or self.decision.allowed:
            return f"server{where}: {found.label} allows it"
        detail = self.decision.detail
        shown = f" {escape_for_log(detail)}" if detail else ""
        return f"server{where}: {found.label} refuses it: {self.decision.reason.value}{shown}"

    def as_json(self) -> dict[str, object]:
        reason = self.reason
        found = self.coverage
        return {
            "allowed": self.verdict.allowed,
            "reason": None if reason is None else reason.id,
            "stage": None if reason is None else reason.stage,
            "message": None if reason is None else reason.message,
            "fix": None if reason is None else reason.fix,
            "server_reason": self.server_reason,
            "server_detail": (
                self.decision.detail if self.decision and not self.decision.allowed else None
            ),
            "policy": None if found is None or found.found is None else found.label,
            "policy_kind": None if found is None else found.kind,
            "status": self.verdict.status,
            "readable_headers": list(self.verdict.readable_headers),
            "engine": self.engine,
            "console": self.console,
            "departures": list(self.verdict.departures),
            "notes": list(self.notes),
            "steps": self.steps(),
            "exchanges": [
                {
                    "method": exchange.method,
                    "url": exchange.url,
                    "request_headers": [list(pair) for pair in exchange.headers],
                    "status": exchange.response.status,
                    "response_headers": [list(pair) for pair in exchange.response.headers],
                }
                for exchange in self.exchanges
            ],
        }

    def text(self) -> list[str]:
        lines = self.steps()
        server = self.server_line()
        if server is not None:
            lines.append(server)
        reason = self.reason
        if reason is None:
            lines.append("ALLOWED")
            return lines
        lines.extend(f"note: {note}" for note in self.divergences)
        return lines + self._verdict_lines()

    def _verdict_lines(self, console: bool = True) -> list[str]:
        """A refusal's last lines: the engine's own words, the fix, then the BLOCKED line."""
        assert self.reason is not None
        said = self.console if console else None
        lines = [] if said is None else [f"{self.engine} says: {said}"]
        lines.append(f"fix: {self.reason.fix}")
        lines.append(f"BLOCKED: {self.reason.id}: {self.reason.message}")
        return lines


def _shown_headers(response: ServerResponse) -> str:
    shown = [
        f"{name}: {value}"
        for name, value in response.headers
        if name.lower().startswith(_SHOWN_RESPONSE_HEADERS)
    ]
    return "; ".join(shown) if shown else "no CORS headers"


def run_check(
    request: BrowserRequest,
    send: Send,
    app: Flask | None,
    base: str,
    *,
    local_policy: bool = False,
    engine: str = "spec",
) -> CheckReport:
    """Simulate *request* through *send*, then explain the outcome with *app*'s policy if known.

    *base* is the URL the request's path was appended to; it maps exchange URLs back to app
    paths. *engine* is the engine simulated (``spec``, the Fetch standard, by default;
    ``chromium``, ``firefox`` or ``webkit``). Raises :class:`DiagnosisError` when an exchange
    cannot be made.
    """
    exchanges: list[Exchange] = []

    def recording(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        response = send(method, url, headers)
        exchanges.append(Exchange(method, url, tuple(headers), response))
        return response

    try:
        with _production_errors(None if local_policy else app):
            verdict = simulate(request, recording, engine)
    except _Unreachable as error:
        raise DiagnosisError(f"the check could not complete: {error}.") from error
    reason = verdict.reason
    found: RouteCoverage | None = None
    decision: Decision | None = None
    last = exchanges[-1] if exchanges else None
    if app is not None and last is not None:
        target = _relative(last.url, base)
        if target is not None:
            path = unquote(target.split("?", 1)[0], errors="replace")
            try:
                found = coverage(app, path, last.method)
            except ConfigError as error:
                raise DiagnosisError(f"the app's CORS configuration is invalid: {error}") from error
            if reason is not None and reason.stage != "request":
                fix, decision = policy_fix(reason, found, plan_of(app), last, request.origin)
                if fix is not None:
                    prefix = (
                        "(if the deployment runs the local app's policy) " if local_policy else ""
                    )
                    reason = reason.with_fix(prefix + fix)
            elif found.policy is not None:
                decision = found.policy.decide(
                    RequestFacts(
                        method=last.method,
                        path=path,
                        origin=last.header("Origin"),
                        request_method=last.header("Access-Control-Request-Method"),
                        request_headers=last.header("Access-Control-Request-Headers"),
                    )
                )
    return CheckReport(
        verdict, reason, tuple(exchanges), found, decision, local_policy, engine=engine
    )


@dataclass(frozen=True)
class EngineReports:
    """One fetch checked in several engines: one verdict where they agree, each where not.

    ``reports`` holds each engine's :class:`CheckReport`, in the order of
    :data:`~flask_crossorigin.engines.ENGINES`; ``engine`` is what was asked for (``all``, or
    one engine's name). :attr:`main` is the report that stands for all of them (the standard's,
    unless it allows a fetch some engine blocks), so :attr:`allowed` means allowed in every
    engine.
    """

    reports: Mapping[str, CheckReport]
    engine: str = "all"

    @property
    def verdicts(self) -> EngineVerdicts:
        return EngineVerdicts({name: report.verdict for name, report in self.reports.items()})

    @property
    def agree(self) -> bool:
        return self.verdicts.agree

    @property
    def allowed(self) -> bool:
        return self.verdicts.allowed

    @property
    def main(self) -> CheckReport:
        """The representative report, its notes saying where the other engines differ."""
        verdicts = self.verdicts
        report = self.reports[verdicts.representative]
        return replace(report, divergences=tuple(self.differences()))

    def differences(self) -> list[str]:
        """One sentence per engine whose verdict differs from the standard's, with why."""
        return [
            f"{name}: {self._outcome(name)}, {'; '.join(row.describe() for row in rows)}"
            for name, rows in self.verdicts.differing().items()
        ]

    def _outcome(self, name: str) -> str:
        reason = self.reports[name].reason
        return "ALLOWED" if reason is None else f"BLOCKED: {reason.id}"

    def _grouped(self) -> list[str]:
        """Each outcome once, with the engines reaching it and the departures behind it."""
        differing = self.verdicts.differing()
        groups: dict[tuple[str, str], list[str]] = {}
        for name in self.reports:
            why = "; ".join(row.describe() for row in differing.get(name, ()))
            groups.setdefault((self._outcome(name), why), []).append(name)
        return [
            f"{', '.join(names)}: {outcome}" + (f" ({why})" if why else "")
            for (outcome, why), names in groups.items()
        ]

    def text(self) -> list[str]:
        """What ``flask cors check`` prints: one verdict, or each engine's where they differ.

        The last line is ``ALLOWED`` (in every engine) or ``BLOCKED: <reason>: <message>``;
        above it, each engine's own console line for the refusal, when one was captured.
        """
        main = self.main
        if self.agree and len(self.reports) == 1:
            return main.text()
        lines = main.steps()
        server = main.server_line()
        if server is not None:
            lines.append(server)
        if not self.agree:
            lines.append("engines differ:")
            lines.extend(f"  {line}" for line in self._grouped())
        if main.reason is None:
            lines.append("ALLOWED")
            return lines
        for name, report in self.reports.items():
            console = report.console
            if console is not None:
                lines.append(f"{name} says: {console}")
        return lines + main._verdict_lines(console=False)

    def as_json(self) -> dict[str, object]:
        """The representative's ``--json`` object, with every engine's verdict under ``engines``."""
        shown = self.main.as_json()
        shown["engine"] = self.engine
        shown["agree"] = self.agree
        differing = self.verdicts.differing()
        shown["engines"] = {
            name: {
                "allowed": report.verdict.allowed,
                "reason": None if report.reason is None else report.reason.id,
                "message": None if report.reason is None else report.reason.message,
                "console": report.console,
                "fix": None if report.reason is None else report.reason.fix,
                "server_reason": report.server_reason,
                "status": report.verdict.status,
                "departures": [
                    {"class": row.cls, "rule": row.rule, "summary": row.summary}
                    for row in differing.get(name, ())
                ],
                "steps": report.steps(),
            }
            for name, report in self.reports.items()
        }
        return shown


def run_checks(
    request: BrowserRequest,
    send: Send,
    app: Flask | None,
    base: str,
    *,
    local_policy: bool = False,
    engines: str = "all",
) -> EngineReports:
    """:func:`run_check` in each engine *engines* names (``all``: the standard and every one).

    The engines share *send* through :func:`~flask_crossorigin.browser.replaying`: an exchange
    several engines make reaches the app or server once, so a view's side effects happen once
    per distinct request. A ValueError names the engines for an unknown *engines*.
    """
    names = parse_engines(engines)
    shared = replaying(send)
    reports = {
        name: run_check(request, shared, app, base, local_policy=local_policy, engine=name)
        for name in names
    }
    return EngineReports(reports, engines)


def _sample_value(converter: str | None, args: str | None) -> str:
    if converter == "any" and args:
        first = args.split(",", 1)[0].strip().strip("'\"")
        return first or "x"
    return _CONVERTER_SAMPLES.get(converter or "", "x")


def sample_path(rule: str) -> str:
    """A path the rule matches, to resolve resource patterns (which match paths, not rules)."""
    return _RULE_VARIABLE.sub(
        lambda match: _sample_value(match.group("converter"), match.group("args")), rule
    )


def routes(app: Flask, all_methods: bool = False) -> list[dict[str, Any]]:
    """Every URL rule of *app* with the policy that covers it (``flask cors routes``).

    ``report_only`` is the app's report-only policy for the rule (``CORS(app,
    report_only=True)``), or ``None``: it decides nothing, so it is shown next to the enforcing
    one rather than instead of it.
    """
    try:
        plan = plan_of(app)
    except ConfigError as error:
        raise DiagnosisError(f"the app's CORS configuration is invalid: {error}") from error
    ignored = set() if all_methods else {"HEAD", "OPTIONS"}
    rows: list[dict[str, Any]] = []
    for rule in app.url_map.iter_rules():
        endpoint = str(rule.endpoint)
        sample = sample_path(rule.rule)
        covered = RouteCoverage(sample, endpoint, plan.resolve(sample, endpoint))
        row, kind, label = covered.found, covered.kind, covered.label
        policy = covered.policy
        trial = None if plan.report_table is None else plan.report_table.match(sample)
        rows.append(
            {
                "endpoint": endpoint,
                "methods": sorted((rule.methods or set()) - ignored),
                "rule": rule.rule,
                "sample_path": sample,
                "cors": row is not None,
                "kind": kind,
                "source": None if row is None else label,
                "policy": None if policy is None else policy.describe(),
                "sources": None if policy is None else dict(policy.sources),
                "report_only": None
                if trial is None
                else {
                    "source": trial.value.source.label,
                    "policy": trial.value.policy.describe(),
                    "sources": dict(trial.value.policy.sources),
                },
                "notes": route_notes(app, plan, rule),
            }
        )
    return rows


def route_notes(app: Flask, plan: Plan, rule: Rule) -> list[str]:
    """Sentences worth knowing about one URL rule, shown under its row by ``flask cors routes``.

    Each is a whole sentence for a person; the table wraps them, ``--json`` passes them through
    as ``notes``: a view that answers its own preflights (migration issue item 1), and a
    ``@cross_origin`` written above the route decorator (item 4).
    """
    endpoint = str(rule.endpoint)
    notes: list[str] = []
    if endpoint in plan.own_options:
        notes.append(
            "this view answers its own preflights (its route lists OPTIONS): an answer with "
            "Access-Control-Allow-Origin owns CORS for the route, any other gets this policy's "
            "preflight headers merged in; remove OPTIONS from the methods to have preflights "
            "answered before your before_request hooks"
        )
    if endpoint in plan.misplaced:
        notes.append(
            "@cross_origin is written above @app.route, so it never runs: move it below the "
            "route decorator, next to the function"
        )
    return notes


def check(
    app_or_client: Flask | FlaskClient,
    path: str,
    *,
    origin: str,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    credentials: bool = False,
    content_type: str | None = None,
    body: str | bytes | None = None,
    engine: str = "spec",
) -> CheckReport:
    """Replay a page's ``fetch(path)`` from *origin* against the app, as a browser would.

    *path* is percent-encoded as it goes on the wire (``/api/items?x=1``). The requests really
    run through the app (its hooks, views and error handlers), without cookies. *body* is the
    fetch's body, sent with the actual request (never the preflight): a ``str`` is encoded as
    UTF-8 and, like fetch(), implies ``text/plain;charset=UTF-8``; ``bytes`` imply no type. A
    ``Content-Type`` in *headers*, then *content_type*, take precedence; *content_type* without
    a body describes one that is not sent. Returns the structured :class:`CheckReport`
    (``report.verdict.allowed``, ``report.reason``, ``report.coverage.source``...); raises
    :class:`DiagnosisError` if the check cannot run. *engine* is the engine simulated
    (``spec``, the Fetch standard, by default); :func:`check_engines` runs several.
    """
    app, request, data = _page_request(
        app_or_client, path, origin, method, headers, credentials, content_type, body
    )
    return run_check(request, in_process_sender(app, data), app, app_base_url(app), engine=engine)


def check_engines(
    app_or_client: Flask | FlaskClient,
    path: str,
    *,
    origin: str,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    credentials: bool = False,
    content_type: str | None = None,
    body: str | bytes | None = None,
    engines: str = "all",
) -> EngineReports:
    """:func:`check` in each engine *engines* names (``all``: the standard and every engine).

    Each distinct exchange runs through the app once, whatever the number of engines making
    it (:func:`run_checks`).
    """
    app, request, data = _page_request(
        app_or_client, path, origin, method, headers, credentials, content_type, body
    )
    send = in_process_sender(app, data)
    return run_checks(request, send, app, app_base_url(app), engines=engines)


def _page_request(
    app_or_client: Flask | FlaskClient,
    path: str,
    origin: str,
    method: str,
    headers: Sequence[tuple[str, str]],
    credentials: bool,
    content_type: str | None,
    body: str | bytes | None,
) -> tuple[Flask, BrowserRequest, bytes | None]:
    """The app behind *app_or_client*, the page's request to *path* and the body's bytes."""
    app = app_or_client.application if isinstance(app_or_client, FlaskClient) else app_or_client
    data, content_type = body_and_type(body, content_type)
    request = BrowserRequest(
        origin=origin,
        url=app_base_url(app).rstrip("/") + path,
        method=method,
        headers=list(headers),
        credentials=credentials,
        content_type=content_type,
    )
    return app, request, data


#: The type fetch() gives a string body (a ``USVString``) when the page sets none.
TEXT_BODY_TYPE = "text/plain;charset=UTF-8"


def body_and_type(
    body: str | bytes | None, content_type: str | None
) -> tuple[bytes | None, str | None]:
    """The bytes to send and the body's type for the browser model (``None``: no body).

    The type is what fetch() derives from the body when the page sets no Content-Type header:
    ``text/plain;charset=UTF-8`` for a string, none (``''``) for bytes. The simulator uses it
    only when the page's headers have no Content-Type.
    """
    if body is None:
        return None, content_type
    if isinstance(body, str):
        return body.encode("utf-8"), TEXT_BODY_TYPE if content_type is None else content_type
    return bytes(body), "" if content_type is None else content_type
