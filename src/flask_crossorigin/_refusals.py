"""What refusal reporting needs beyond the decision itself: safe values, a bounded memory, and
logging that never raises.

Framework-free. The adapter calls :meth:`RefusalMemory.first_in_window` before logging a refusal,
so that a page hammering the API with a refused origin costs one WARNING per ten minutes rather
than one per request, and the memory an attacker can make us keep is bounded. Every log call made
while answering a request goes through :func:`log_safely`, so a failing handler never turns an
answer into a 500 (security issue item 10).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Callable

#: Signal and log values are cut to this many characters, after escaping.
VALUE_LIMIT = 200
#: How long a refusal, once logged, stays quiet (seconds).
WINDOW = 600.0
#: How many distinct refusals the memory holds before it forgets the oldest.
CAPACITY = 1000


def log_safely(logger: logging.Logger, level: int, message: str, *args: object, **kw: Any) -> None:
    """``logger.log(level, message, *args, **kw)``, which never raises.

    The logging package catches a handler's errors in ``emit`` itself (printing them to
    ``sys.stderr``), but a filter, or a handler that fails outside ``emit``, raises out of the
    logging call. While a request is answered that must not happen: reporting never changes or
    breaks a response. The failure is printed to ``sys.stderr`` instead, which WSGI servers send
    to their error log, as ``logging`` does for its own handler errors.
    """
    try:
        logger.log(level, message, *args, **kw)
    except Exception:
        with contextlib.suppress(Exception):  # no stderr to write to: nothing left to try
            text = message % args if args else message
            sys.stderr.write(f"{logger.name}: {text}\nLogging this message failed:\n")
            traceback.print_exc(file=sys.stderr)


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
