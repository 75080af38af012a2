"""The one place a decision becomes a response: decide, merge the headers, log, report.

Every adapter path ends in :func:`apply`: the middleware as a response starts (enforcing, or for
a view that marked the request), its own preflight answers (:func:`preflight`), and the
decorator's ``request_finished`` receiver for a request the middleware did not see. All of them
run after the view, the error handlers and the app's ``after_request`` hooks, so the one merge
rule (:func:`write_headers`) sees every header the app set, whichever way the request went.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Request
from werkzeug.wrappers import Response

from ._adapter import UNHANDLED_KEY, AppState
from ._http import escape_for_log, log_safely, merge_vary
from ._reporting import report_refusal
from ._routing import wsgi_path
from ._sources import Coverage
from .policy import ACAC, ACAO, DEBUG_HEADER, GRANT_HEADERS, Decision, Policy
from .signals import cors_refused

logger = logging.getLogger("flask_crossorigin")

ENVIRON_ACRM = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
ENVIRON_ACRH = "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"
ENVIRON_ACRPN = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"

#: Lower-cased names of the headers decisions carry, and ``vary``: a response with any of them
#: takes the careful path of :func:`write_headers`.
_LOWER = {name: name.lower() for name in (*GRANT_HEADERS, DEBUG_HEADER)}
WATCHED_NAMES = frozenset({*_LOWER.values(), "vary"})
_ACAO = ACAO.lower()
_ACAC = ACAC.lower()
#: Our preflight answers' status lines, spelt as Werkzeug spells its own (the reason phrases
#: changed case in Werkzeug 3.2: ``204 NO CONTENT`` before, ``204 No Content`` since).
_STATUS = {True: Response(status=204).status, False: Response(status=403).status}


def is_preflight(environ: dict[str, Any]) -> bool:
    """F2: ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``."""
    return (
        environ["REQUEST_METHOD"] == "OPTIONS"
        and "HTTP_ORIGIN" in environ
        and ENVIRON_ACRM in environ
    )


def decide(policy: Policy, environ: dict[str, Any]) -> Decision:
    """*policy*'s decision for the request in *environ* (a preflight or an ordinary request).

    An ordinary request's origin is looked up in the decisions made so far first (one dictionary
    lookup for every origin listed at set-up or seen before).
    """
    if environ["REQUEST_METHOD"] == "OPTIONS" and is_preflight(environ):
        return policy.preflight(
            environ["HTTP_ORIGIN"],
            environ[ENVIRON_ACRM],
            environ.get(ENVIRON_ACRH),
            environ.get(ENVIRON_ACRPN),
        )
    origin = environ.get("HTTP_ORIGIN")
    return policy.decisions_by_origin.get(origin) or policy.actual(origin)


def write_headers(items: list[tuple[str, str]], decision: Decision, policy: Policy) -> None:
    """Merge *decision* into a response's header list (WSGI pairs), in place: the one rule.

    * If the response already carries ``Access-Control-Allow-Origin``, the app gave it CORS
      headers on purpose: only ``Vary`` is merged (mixing ours in could pair its ``*`` with our
      credentials).
    * Otherwise our headers are added, except those the app set itself.
    * If the app set ``Access-Control-Allow-Credentials`` itself under a policy open to any
      origin (``OriginMatcher.admits_anyone``: ``*``, a catch-all regex, a glob or regex over a
      public suffix, ``null``; the same definition the set-up check refuses with credentials),
      the grant is ``*``, never the reflected origin: otherwise every website could read the
      credentialed response. Browsers refuse ``*`` with credentials (F13), so credentialed
      reads fail and anonymous ones keep working (security issue items 3 and 4).
    * ``Vary`` is merged, never overwritten (F41).

    The common case (no CORS header, no ``Vary`` yet) is one scan and one ``extend`` of the
    decision's prepared ``pairs``. Every value is an option string checked at set-up or a request
    value that passed the origin or token grammar, so no per-value check is needed.
    """
    for name, _ in items:
        if name.lower() in WATCHED_NAMES:
            break
    else:
        items.extend(decision.pairs)
        return
    present = {name.lower() for name, _ in items}
    grant = decision.headers
    if grant and _ACAO not in present:
        if _ACAC in present and policy.origins.admits_anyone:
            grant = tuple((name, "*") if name == ACAO else (name, value) for name, value in grant)
        items.extend(item for item in grant if _LOWER[item[0]] not in present)
    if decision.vary:
        positions = [i for i, (name, _) in enumerate(items) if name.lower() == "vary"]
        merged = merge_vary(", ".join(items[i][1] for i in positions) or None, decision.vary)
        if merged is not None:
            if positions:
                items[positions[0]] = ("Vary", merged)
                for i in reversed(positions[1:]):
                    del items[i]
            else:
                items.append(("Vary", merged))


def apply(
    state: AppState,
    found: Coverage,
    decision: Decision | None,
    items: list[tuple[str, str]],
    path: str | Request | None,
    environ: dict[str, Any],
) -> None:
    """The per-response sequence, written once: decide, merge into *items*, log, report.

    *decision* is ``None`` unless the caller decided already (a preflight's status depends on
    it). A response to an exception no handler took is left alone under
    ``intercept_exceptions=False``. *path* is the request path, or the routed request to read it
    from, or ``None`` for ``PATH_INFO``; it is only read when a line is logged or a refusal
    reported. Reporting never changes or breaks a response: a log handler, filter or receiver
    that raises is caught here (security issue item 10).
    """
    policy = found.policy
    if not policy.intercept_exceptions and UNHANDLED_KEY in environ:
        return
    if decision is None:
        decision = decide(policy, environ)
    write_headers(items, decision, policy)
    debug = logger.isEnabledFor(logging.DEBUG)
    report = (
        not decision.allowed
        and "HTTP_ORIGIN" in environ
        and (policy.log_refusals or cors_refused.receivers)
    )
    if debug or report:
        try:
            if not isinstance(path, str):
                path = wsgi_path(environ.get("PATH_INFO") or "") if path is None else path.path
            if debug:
                log_decision(decision, found, path or "", environ)
            if report:
                hand_refusal(state, found, decision, path or "", environ)
        except Exception:  # a failing handler or filter: the response goes out as decided
            reporting_failed()


def hand_refusal(
    state: AppState,
    found: Coverage,
    decision: Decision,
    path: str,
    environ: dict[str, Any],
    report_only: bool = False,
) -> None:
    """Hand a refusal to :func:`~._reporting.report_refusal`, in its plain terms."""
    report_refusal(
        state.app,
        state.refusals,
        found.source.label,
        found.policy.log_refusals,
        decision,
        path,
        environ,
        report_only=report_only,
    )


def preflight(
    state: AppState, found: Coverage, environ: dict[str, Any], path: str
) -> tuple[str, list[tuple[str, str]]]:
    """The middleware's own answer to a preflight: 204 when allowed, 403 when refused (F36, F37).

    Status line and WSGI headers, sent as they are; the headers go through :func:`apply`.
    """
    decision = decide(found.policy, environ)
    headers: list[tuple[str, str]] = []
    apply(state, found, decision, headers, path, environ)
    if not decision.allowed:
        headers.append(("Content-Length", "0"))
    return _STATUS[decision.allowed], headers


def preflight_status(decision: Decision) -> int:
    """The status code of the extension's own answer to a preflight (F36, F37)."""
    return 204 if decision.allowed else 403


def reporting_failed() -> None:
    """Say, as loudly as is safe, that reporting a decision failed; never raise."""
    log_safely(
        logger,
        logging.ERROR,
        "Reporting a CORS decision failed; the response is sent as decided.",
        exc_info=True,
    )


def log_decision(decision: Decision, found: Coverage, path: str, environ: dict[str, Any]) -> None:
    """One DEBUG line per decision, with every request value escaped."""
    logger.debug(
        "CORS %s %s %s: %s%s (origin=%s, request-method=%s, request-headers=%s; policy: %s)",
        "preflight" if decision.preflight else "request",
        escape_for_log(environ.get("REQUEST_METHOD")),
        escape_for_log(path),
        decision.reason.value,
        f" [{escape_for_log(decision.detail)}]" if decision.detail else "",
        escape_for_log(environ.get("HTTP_ORIGIN")),
        escape_for_log(environ.get(ENVIRON_ACRM)),
        escape_for_log(environ.get(ENVIRON_ACRH)),
        found.source.label,
    )
