"""Memos of answers keyed by request data: bounded in entries and in bytes, in one place.

Framework-free. Every dictionary that remembers something per request value (an ``Origin``, a
path, a requested method, a ``Host``) is a :class:`Memo`, so that the two bounds an attacker
meets are written once (security issue item 2): a memo holds at most ``entries`` answers and
starts again when full, and a key with any part longer than a browser ever sends is answered
but never kept (the caller says how long the parts are; :meth:`Memo.keep` refuses the rest).

Reads are a plain ``dict.get`` (a ``Memo`` *is* a dict), so a memo costs the hot path nothing
over a dictionary; only writes go through :meth:`Memo.keep`.
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: The longest request values a browser sends, by kind: longer ones are never kept.
ORIGIN_LIMIT = 512  #: an ``Origin`` (a 253-character host, a scheme, a port) or a header list
METHOD_LIMIT = 32  #: a requested method
FLAG_LIMIT = 8  #: ``Access-Control-Request-Private-Network`` (``true``)
HOST_LIMIT = 261  #: ``Host``: a 253-character DNS name, ``:`` and a port
PATH_LIMIT = 1024  #: a request path


class Memo(dict[K, V]):
    """A dictionary of answers that never grows past *entries* keys.

    When full, the next :meth:`keep` starts it again from empty: for request-chosen keys,
    forgetting is cheaper and safer than ordering by recency, and a hot key is back after one
    miss. Safe to share between threads: a reader sees the entry or misses it, and a miss only
    costs recomputing the same answer.
    """

    __slots__ = ("entries",)

    def __init__(self, entries: int) -> None:
        super().__init__()
        self.entries = entries

    def keep(self, key: K, value: V, *sizes_and_limits: tuple[int, int]) -> None:
        """Remember *value* for *key*, unless a part of the key is longer than its limit.

        Each of *sizes_and_limits* is ``(len(part), LIMIT)`` for one request value in the key.
        """
        for size, limit in sizes_and_limits:
            if size > limit:
                return
        if len(self) >= self.entries:
            self.clear()
        self[key] = value


def memos_of(owner: object) -> dict[str, Memo[object, object]]:
    """The memos *owner* keeps, by attribute name (a leading ``_`` dropped).

    The one seam through which tests observe memos, whatever object keeps them (a policy, a
    resource table, a plan), instead of reading private attributes by name.
    """
    return {
        name.lstrip("_"): value for name, value in vars(owner).items() if isinstance(value, Memo)
    }
