"""What refusal reporting needs beyond the decision itself: safe values and a bounded memory.

Framework-free. The adapter calls :meth:`RefusalMemory.first_in_window` before logging a refusal,
so that a page hammering the API with a refused origin costs one WARNING per ten minutes rather
than one per request, and the memory an attacker can make us keep is bounded.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Callable

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
