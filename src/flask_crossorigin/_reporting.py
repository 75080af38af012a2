"""Refusals made visible on the server: the ``cors_refused`` signal, the WARNING line, and what
they need (safe values, a bounded memory, logging that never raises). Framework-free.

A refused CORS request leaves no trace on the server by itself: the browser reports "blocked by
CORS policy" in the page's console and the server sees an ordinary answer without
``Access-Control-Allow-Origin``. :func:`report_refusal` is the one place every adapter path (the
middleware's preflight and response paths, the decorator, the report-only trial) hands a refusal
to, so the signal and the log line say the same thing whichever way the request went. It takes
plain arguments, so it imports nothing from the adapter.

:meth:`RefusalMemory.first_in_window` keeps a page hammering the API with a refused origin to one
WARNING per ten minutes, and bounds the memory an attacker can make us keep. Every log call made
while answering a request goes through :func:`log_safely`, so a failing handler never turns an
answer into a 500 (security issue item 10).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Callable

from ._http import escape_for_log, log_safely
from .policy import Decision
from .signals import cors_refused

logger = logging.getLogger("flask_crossorigin")

_ACRM = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"

#: Signal and log values are cut to this many characters, after escaping.
VALUE_LIMIT = 200
#: How long a refusal, once logged, stays quiet (seconds).
WINDOW = 600.0
#: How many distinct refusals the memory holds before it forgets the oldest.
CAPACITY = 1000


def escape_value(value: str) -> str:
    """*value* with control, non-ASCII and quote characters backslash-escaped, at most 200 chars.

    The same escaping as log lines, without the surrounding quotes, for values handed to signal
    receivers (which may well write them into their own logs or metrics labels). An escape
    sequence is never cut in half: the value stops before the sequence that would overflow.
    """
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return value[:VALUE_LIMIT]  # the common case: a well-formed origin
    out: list[str] = []
    size = 0
    for char in value:
        piece = char.encode("unicode_escape").decode("ascii").replace('"', '\\"')
        if size + len(piece) > VALUE_LIMIT:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)


class RefusalMemory:
    """Which refusals were reported lately: each key at most once per *window* seconds.

    Holds at most *capacity* keys; when full, the key reported longest ago is forgotten first.
    One instance per app; safe to share between threads.
    """

    def __init__(
        self,
        window: float = WINDOW,
        capacity: int = CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.capacity = capacity
        self._clock = clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def first_in_window(self, key: Hashable) -> bool:
        """Whether *key* should be reported now; if so, it is remembered as reported."""
        now = self._clock()
        with self._lock:
            last = self._seen.get(key)
            if last is not None and now - last < self.window:
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
            return True


def report_refusal(
    app: object,
    memory: RefusalMemory,
    label: str,
    log_refusals: bool,
    decision: Decision,
    path: str,
    environ: dict[str, Any],
    *,
    report_only: bool = False,
) -> None:
    """Send ``cors_refused`` and, when asked for, log one rate-limited WARNING for a refusal.

    *decision* is the refusal of the request in *environ*, which carries ``Origin``, by the
    policy *label* names (its source label, as ``flask cors routes`` shows it); *app* is the
    signal's sender. The WARNING is written when the policy has *log_refusals* or is a
    report-only one, at most once per (origin, reason, policy) per ten minutes (*memory*, the
    app's). Plain arguments: reporting depends on no adapter type.

    A receiver that raises must not turn a refusal into a 500 (the response has already been
    decided, and for ordinary responses it is already starting): its exception is logged with
    its traceback and the request goes on.
    """
    raw_origin = environ.get("HTTP_ORIGIN")
    if raw_origin is None:
        return
    origin = escape_value(raw_origin)
    reason = decision.reason.value
    method = environ.get(_ACRM, "") if decision.preflight else environ["REQUEST_METHOD"]
    if cors_refused.receivers:
        try:
            cors_refused.send(
                app,
                origin=origin,
                method=escape_value(method),
                path=path,
                preflight=decision.preflight,
                reason=reason,
                policy=label,
                report_only=report_only,
            )
        except Exception:
            log_safely(
                logger,
                logging.ERROR,
                "A cors_refused receiver raised; the response is sent as decided.",
                exc_info=True,
            )
    if (report_only or log_refusals) and memory.first_in_window((origin, reason, label)):
        detail = f" {escape_for_log(decision.detail)}" if decision.detail else ""
        log_safely(
            logger,
            logging.WARNING,
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
