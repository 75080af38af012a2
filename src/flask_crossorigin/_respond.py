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
from ._http import log_safely
from ._reporting import report_refusal
from ._routing import wsgi_path
from ._sources import Coverage
from ._wsgi import decide, decide_preflight, log_decision, write_headers
from .policy import Decision
from .signals import cors_refused

logger = logging.getLogger("flask_crossorigin")

#: Our preflight answers' status lines, spelt as Werkzeug spells its own (the reason phrases
#: changed case in Werkzeug 3.2: ``204 NO CONTENT`` before, ``204 No Content`` since).
_STATUS = {True: Response(status=204).status, False: Response(status=403).status}


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
                log_decision(decision, found.source.label, path or "", environ)
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
    decision = decide_preflight(found.policy, environ)
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
