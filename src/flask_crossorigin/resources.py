"""The resource table: which policy covers a request path, found in a few lookups.

Pattern semantics (``flask cors explain --page options`` documents them), read as flask-cors 6
reads them:

* ``"*"`` covers every path (flask-cors turns it into ``.*``).
* A pattern ending in ``/*`` is a subtree: ``r"/api/*"`` covers ``/api`` and everything below it,
  but not ``/apiary``. The part before ``/*`` may itself be a regular expression.
* A string without any of flask-cors's regex characters (``* \\ ] ? $ ^ [ ( )``) is a literal
  path: ``r"/api"`` covers ``/api`` exactly, not ``/api/predict``.
* Any other string is a regular expression matched from the start of the path (``re.match``), as
  in flask-cors; a compiled pattern is used as it is, also with ``match``.
* Paths are matched after percent-decoding exactly once (the WSGI server's job) and resolving
  ``.`` and ``..`` segments, case-sensitively, with ``+`` literal.

Which pattern wins, when several match: the one with the longest *literal prefix* (the characters
before its first regex metacharacter), then the one declared first. A catch-all such as ``/*`` has
an empty literal prefix, so it never shadows a specific rule whatever the declaration order.

The lookup indexes patterns by literal prefix: for a path it tries only the prefix lengths that
occur in the table, longest first, and only the patterns whose prefix equals the path's prefix of
that length, so its cost does not grow with the number of unrelated patterns. Answers are memoised
per path in a bounded dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Generic, TypeVar

from ._http import looks_like_regex
from .errors import ConfigError

T = TypeVar("T")

_METACHARACTERS = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIERS = frozenset("*+?{")
_MEMO_LIMIT = 4096
#: Longer paths are matched every time rather than kept, so the memo stays small in bytes.
_MEMO_PATH_LIMIT = 1024


class Resource(Generic[T]):
    """One row of the table: a pattern and the value (a policy) it maps to."""

    __slots__ = (
        "exact",
        "ignore_case",
        "label",
        "literal_prefix",
        "pattern",
        "regex",
        "subtree",
        "value",
    )

    def __init__(
        self,
        pattern: str,
        literal_prefix: str,
        subtree: bool,
        regex: re.Pattern[str] | None,
        value: T,
        label: str,
        exact: bool = False,
    ) -> None:
        #: A literal path: covers exactly ``literal_prefix`` (the whole pattern), nothing below.
        self.exact = exact
        self.pattern = pattern
        self.literal_prefix = literal_prefix
        self.subtree = subtree
        self.regex = regex
        self.value = value
        self.label = label
        self.ignore_case = bool(regex is not None and regex.flags & re.IGNORECASE)

    def __repr__(self) -> str:
        return f"Resource({self.pattern!r}, {self.label!r})"

    def matches(self, path: str) -> bool:
        """Whether this row covers the already-normalised *path*."""
        if self.regex is not None:
            match = self.regex.match(path)
            if match is None:
                return False
            if not self.subtree:
                return True
            rest = path[match.end() :]
            return rest == "" or rest.startswith("/")
        if self.exact:
            return path == self.literal_prefix
        if self.subtree:
            prefix = self.literal_prefix
            return path == prefix or path.startswith(prefix + "/") or prefix == ""
        return path.startswith(self.literal_prefix)


class ResourceTable(Generic[T]):
    """Path patterns mapped to values, looked up by specificity."""

    def __init__(self, entries: Sequence[tuple[str | re.Pattern[str], T, str]]) -> None:
        self.rows: tuple[Resource[T], ...] = tuple(
            _compile_row(pattern, value, label) for pattern, value, label in entries
        )
        order = {id(row): position for position, row in enumerate(self.rows)}
        exact: dict[str, list[Resource[T]]] = {}
        folded: dict[str, list[Resource[T]]] = {}
        for row in self.rows:
            if row.ignore_case:
                folded.setdefault(row.literal_prefix.lower(), []).append(row)
            else:
                exact.setdefault(row.literal_prefix, []).append(row)
        self._exact = {prefix: tuple(rows) for prefix, rows in exact.items()}
        # Case-insensitive patterns are found through the lower-cased path; they are rare, so
        # the two buckets of one length are merged (in declaration order) only when both exist.
        self._folded = {prefix: tuple(rows) for prefix, rows in folded.items()}
        self._order = order
        lengths = {len(prefix) for prefix in (*self._exact, *self._folded)}
        self._lengths = tuple(sorted(lengths, reverse=True))
        self._memo: dict[str, Resource[T] | None] = {}
        #: The value for every path, when the table is one row that covers every path (``"*"``
        #: or ``r"/*"``, the default): callers may then skip the path lookup.
        self.everywhere: T | None = None
        if len(self.rows) == 1 and _covers_every_path(self.rows[0]):
            self.everywhere = self.rows[0].value

    def __len__(self) -> int:
        return len(self.rows)

    def match(self, path: str) -> Resource[T] | None:
        """Return the most specific row covering *path* (as received), or ``None``."""
        try:
            return self._memo[path]
        except KeyError:
            pass
        normalised = normalise_path(path)
        found: Resource[T] | None = None
        lowered = normalised.lower() if self._folded else ""
        for length in self._lengths:
            if length > len(normalised):
                continue
            rows = self._exact.get(normalised[:length], ())
            if self._folded:
                more = self._folded.get(lowered[:length], ())
                if more:
                    rows = tuple(sorted((*rows, *more), key=lambda row: self._order[id(row)]))
            for row in rows:
                if row.matches(normalised):
                    found = row
                    break
            if found is not None:
                break
        if len(path) <= _MEMO_PATH_LIMIT:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[path] = found
        return found


def _covers_every_path(row: Resource[T]) -> bool:
    """Whether *row* matches every path (an empty literal subtree: ``"*"`` or ``r"/*"``)."""
    return row.regex is None and row.subtree and row.literal_prefix == "" and not row.exact


def normalise_path(path: str) -> str:
    """Resolve ``.`` and ``..`` segments (RFC 3986, 5.2.4) without decoding anything again.

    The server has already percent-decoded the path once; decoding again would let
    ``%252e%252e`` climb out of a resource (the flask-cors CVE-2020-25032 class).
    """
    if "." not in path:
        return path
    segments = path.split("/")
    if not any(segment in (".", "..") for segment in segments):
        return path
    output: list[str] = []
    for segment in segments[1:]:
        if segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    if segments[-1] in (".", ".."):
        output.append("")
    return "/" + "/".join(output)


def check_pattern(pattern: str | re.Pattern[str], label: str) -> None:
    """Raise :class:`ConfigError`, naming *label* (where the pattern came from), if it is invalid.

    Options call this while the option's source is still known; the table compiles the same way.
    """
    _compile_row(pattern, None, label)


def _compile_row(pattern: str | re.Pattern[str], value: T, label: str) -> Resource[T]:
    if isinstance(pattern, re.Pattern):
        source, flags = pattern.pattern, pattern.flags
    else:
        source, flags = pattern, 0
        if source == "*":
            return Resource(source, "", True, None, value, label)
        if not looks_like_regex(source):
            return Resource(source, source, False, None, value, label, exact=True)
    subtree = source.endswith("/*")
    body = source[:-2] if subtree else source
    prefix = literal_prefix(body)
    regex: re.Pattern[str] | None = None
    if prefix != body.lstrip("^") or flags & re.IGNORECASE or body.startswith("^"):
        try:
            regex = re.compile(body, flags)
        except re.error as exc:
            raise ConfigError(
                f"{label}: the resource pattern {source!r} is not a valid regular expression "
                f"({exc}). Write a path such as r'/api/*', or fix the regex.",
                code="cors.E016",
                option="resources",
                value=pattern,
                source=label,
            ) from exc
    return Resource(source, prefix, subtree, regex, value, label)


def literal_prefix(pattern: str) -> str:
    """The characters of *pattern* that every match must start with, before any regex syntax.

    A character followed by a quantifier is optional, so it is not part of the prefix; an
    alternation anywhere makes the prefix empty, since ``a|b`` need not start with ``a``.
    """
    if "|" in pattern:
        return ""
    body = pattern[1:] if pattern.startswith("^") else pattern
    end = 0
    while end < len(body) and body[end] not in _METACHARACTERS:
        end += 1
    if end < len(body) and body[end] in _QUANTIFIERS and end > 0:
        end -= 1
    return body[:end]
