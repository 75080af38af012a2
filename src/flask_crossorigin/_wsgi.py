"""The CORS protocol in WSGI terms: an environ in, header pairs out. Framework-free.

What every adapter needs and no framework decides: whether a request is a preflight (F2), the
policy's decision for a WSGI environ, the one rule that merges a decision into a response's
header list (:func:`write_headers`), and the DEBUG line of a decision. The Flask adapter
(``_respond.py``) calls these; another WSGI adapter could reuse them unchanged.
"""

from __future__ import annotations

import logging
from typing import Any

from ._http import escape_for_log, merge_vary
from .policy import ACAC, ACAO, DEBUG_HEADER, GRANT_HEADERS, Decision, Policy

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
        return decide_preflight(policy, environ)
    origin = environ.get("HTTP_ORIGIN")
    return policy.decisions_by_origin.get(origin) or policy.actual(origin)


def decide_preflight(policy: Policy, environ: dict[str, Any]) -> Decision:
    """*policy*'s decision for the preflight in *environ* (the caller knows it is one, F2)."""
    return policy.preflight(
        environ["HTTP_ORIGIN"],
        environ[ENVIRON_ACRM],
        environ.get(ENVIRON_ACRH),
        environ.get(ENVIRON_ACRPN),
    )


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


def log_decision(decision: Decision, label: str, path: str, environ: dict[str, Any]) -> None:
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
        label,
    )
