"""The former name of :mod:`flask_crossorigin.browser`, kept for compatibility.

The browser simulator was first published as ``flask_crossorigin.explain``, the name the CLI
command ``flask cors explain`` (which prints documentation; see :mod:`flask_crossorigin.reference`)
also has. Its code now lives in :mod:`flask_crossorigin.browser`; this module re-exports the same
public objects, so ``from flask_crossorigin.explain import simulate`` keeps working and gives the
very same function. New code should import from :mod:`flask_crossorigin.browser`.
"""

from __future__ import annotations

from .browser import (
    CHROMIUM_MAX_AGE_LIMIT,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_AGE,
    FIREFOX_MAX_AGE_LIMIT,
    MAX_REDIRECTS,
    REASONS,
    BrowserRequest,
    CheckResult,
    Headers,
    PreflightNeed,
    Reason,
    ServerResponse,
    Verdict,
    check_actual,
    check_preflight,
    is_safelisted_request_header,
    needs_preflight,
    normalize_method,
    preflight_request_headers,
    simulate,
)

__all__ = [
    "CHROMIUM_MAX_AGE_LIMIT",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_AGE",
    "FIREFOX_MAX_AGE_LIMIT",
    "MAX_REDIRECTS",
    "REASONS",
    "BrowserRequest",
    "CheckResult",
    "Headers",
    "PreflightNeed",
    "Reason",
    "ServerResponse",
    "Verdict",
    "check_actual",
    "check_preflight",
    "is_safelisted_request_header",
    "needs_preflight",
    "normalize_method",
    "preflight_request_headers",
    "simulate",
]
