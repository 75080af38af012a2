"""Refusals made visible on the server: the ``cors_refused`` signal and the WARNING line.

A refused CORS request leaves no trace on the server by itself: the browser reports "blocked by
CORS policy" in the page's console and the server sees an ordinary answer without
``Access-Control-Allow-Origin``. :func:`report_refusal` is the one place every adapter path (the
middleware's preflight and response paths, the decorator without ``CORS(app)``, the report-only
trial) hands a refusal to, so the signal and the log line say the same thing whichever way the
request went.

Callers check ``policy.log_refusals``, ``report_only`` and ``cors_refused.receivers`` before
calling, so a refusal nobody listens to costs an attribute read and a dictionary's truth value;
nothing here runs for allowed requests or requests without ``Origin``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._http import escape_for_log
from ._refusals import escape_value
from .policy import Decision
from .signals import cors_refused

if TYPE_CHECKING:
    from ._adapter import AppState, Coverage

logger = logging.getLogger("flask_crossorigin")

_ACRM = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"


def report_refusal(
    state: AppState,
    found: Coverage,
    decision: Decision,
    path: str,
    environ: dict[str, Any],
    *,
    report_only: bool = False,
) -> None:
    """Send ``cors_refused`` and, when asked for, log one rate-limited WARNING for a refusal.

    *decision* is *found*'s refusal of the request in *environ*, which carries ``Origin``; the
    policy is named by its source label, as ``flask cors routes`` shows it. The WARNING is
    written when the policy has ``log_refusals`` or is a report-only one, at most once per
    (origin, reason, policy) per ten minutes (the app's :class:`~._refusals.RefusalMemory`).

    A receiver that raises must not turn a refusal into a 500 (the response has already been
    decided, and for ordinary responses it is already starting): its exception is logged with
    its traceback and the request goes on.
    """
    raw_origin = environ.get("HTTP_ORIGIN")
    if raw_origin is None:
        return
    origin = escape_value(raw_origin)
    reason = decision.reason.value
    label = found.source.label
    method = environ.get(_ACRM, "") if decision.preflight else environ["REQUEST_METHOD"]
    if cors_refused.receivers:
        try:
            cors_refused.send(
                state.app,
                origin=origin,
                method=escape_value(method),
                path=path,
                preflight=decision.preflight,
                reason=reason,
                policy=label,
                report_only=report_only,
            )
        except Exception:
            logger.exception("A cors_refused receiver raised; the response is sent as decided.")
    if (report_only or found.policy.log_refusals) and state.refusals.first_in_window(
        (origin, reason, label)
    ):
        detail = f" {escape_for_log(decision.detail)}" if decision.detail else ""
        logger.warning(
            "CORS %s %s %s %s from origin %s: %s%s (policy: %s; the same refusal is not "
            "logged again for 10 minutes)",
            "report-only policy would refuse" if report_only else "refused",
            "preflight for" if decision.preflight else "request",
            escape_for_log(method),
            escape_for_log(path),
            escape_for_log(raw_origin),
            reason,
            detail,
            label,
        )
