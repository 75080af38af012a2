"""The resource table: which policy covers a request path, found in a few lookups.

Pattern semantics (``flask cors explain --page options`` documents them), read as flask-cors 6
reads them:

* ``"*"`` covers every path (flask-cors turns it into ``.*``).
* A pattern ending in ``/*`` is a subtree: ``r"/api/*"`` covers ``/api`` and everything below it,
  but not ``/apiary``. The part before ``/*`` may itself be a regular expression.
* A string without any of flask-cors's regex characters (``* \\ ] ? $ ^ [ ( )``) is a literal
  path: ``r"/api"`` covers ``/api`` exactly, not ``/api/predict``.
* Any other string is a regular expression matched from the start of the path (``re.match``), as
  in flask-cors; a compiled pattern is used as it is, also with ``match``. Where flask-cors, with
  a regex string, covered a path the pattern itself spells that it does not cover here (only a
  ``/*`` subtree can differ), set-up logs one WARNING naming the path and a spelling that keeps
  it (:func:`resource_note`).
* Paths are matched after percent-decoding exactly once (the WSGI server's job) and resolving
  ``.`` and ``..`` segments, case-sensitively, with ``+`` literal.

Which pattern wins, when several match: the one with the longest *literal prefix* (the characters
before its first regex metacharacter), then the one declared first. A catch-all such as ``/*`` has
an empty literal prefix, so it never shadows a specific rule whatever the declaration order.

A regex whose flags change how its text reads, ``re.IGNORECASE`` or ``re.VERBOSE`` (given to
``re.compile`` or written inline as ``(?i)``, ``(?x)``, in a string too), is ranked by the literal
prefix of what it matches (whitespace and comments skipped under ``VERBOSE``, in any case under
``IGNORECASE``) and, at equal length, after every pattern without those flags; it is tried for
every path rather than found through its prefix, so it covers exactly what its ``match`` covers.
``re.MULTILINE`` and ``re.DOTALL`` change only ``^``, ``$`` and ``.``, which never belong to a
literal prefix (a leading ``^`` anchors at the start of the path either way): they change nothing.

The lookup indexes patterns by literal prefix: for a path it tries only the prefix lengths that
occur in the table, longest first, and only the patterns whose prefix equals the path's prefix of
that length, so its cost does not grow with the number of unrelated patterns. Flagged patterns
(above) are kept apart, by rank length, and cost nothing to a table without any. Answers are
memoised per path in a bounded dictionary.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Generic, TypeVar

from ._http import looks_like_regex
from ._memo import PATH_LIMIT, Memo
from .errors import ConfigError
from .origins import flask_cors_match, note_once, quietly, regex_instances, shown_regex, then

T = TypeVar("T")

_METACHARACTERS = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIERS = frozenset("*+?{")
#: Flags under which a pattern's text does not read literally: a row with either is "flagged".
_READING_FLAGS = re.IGNORECASE | re.VERBOSE
#: A global inline flag group, such as ``(?i)`` or ``(?ix)``, at the start of a pattern.
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
#: What ``re.VERBOSE`` skips between tokens (the regex parser's own set).
_VERBOSE_SPACE = frozenset(" \t\n\r\v\f")
_MEMO_LIMIT = 4096
#: A segment added below a path a regex spells, to see whether both readings cover it.
_PATH_BELOW = "items"


class Resource(Generic[T]):
    """One row of the table: a pattern and the value (a policy) it maps to."""

    __slots__ = (
        "exact",
        "flagged",
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
        #: Its regex reads differently from its text (``IGNORECASE``, ``VERBOSE``): the table
        #: tries it for every path, ranked by ``literal_prefix`` read as the regex reads it.
        self.flagged = bool(regex is not None and regex.flags & _READING_FLAGS)

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
        exact: dict[str, list[Resource[T]]] = {}
        flagged: dict[int, list[Resource[T]]] = {}
        for row in self.rows:
            if row.flagged:
                flagged.setdefault(len(row.literal_prefix), []).append(row)
            else:
                exact.setdefault(row.literal_prefix, []).append(row)
        self._exact = {prefix: tuple(rows) for prefix, rows in exact.items()}
        self._lengths = tuple(sorted({len(prefix) for prefix in self._exact}, reverse=True))
        # Flagged rows, in declaration order, by the length they rank with; at each length they
        # are tried after the indexed rows, so they lose ties to patterns read as written.
        self._flagged = {length: tuple(rows) for length, rows in flagged.items()}
        self._all_lengths = tuple(sorted({*self._lengths, *self._flagged}, reverse=True))
        #: Answers per path (longer paths than a browser sends are matched every time).
        self._memo: Memo[str, Resource[T] | None] = Memo(_MEMO_LIMIT)
        #: The value for every path, when the table is one row that covers every path (``"*"``
        #: or ``r"/*"``, the default): callers may then skip the path lookup.
        self.everywhere: T | None = None
        if len(self.rows) == 1 and _covers_every_path(self.rows[0]):
            self.everywhere = self.rows[0].value

    def __len__(self) -> int:
        return len(self.rows)

    def match(self, path: str) -> Resource[T] | None:
        """Return the most specific row covering *path* with its dot segments resolved.

        *path* is as received (percent-decoded once, by the server); ``.`` and ``..`` segments
        are resolved before matching, as a view that acts on files would resolve them. The
        adapter also asks :meth:`match_as_sent` for paths with dot segments, and grants nothing
        when the two readings disagree (security issue item 1).
        """
        try:
            return self._memo[path]
        except KeyError:
            pass
        found = self._lookup(normalise_path(path))
        self._memo.keep(path, found, (len(path), PATH_LIMIT))
        return found

    def match_as_sent(self, path: str) -> Resource[T] | None:
        """Return the most specific row covering *path* as received, dot segments left in.

        The reading Flask routes by. Asked only for paths with dot segments (which browsers
        never send), so its answers are not memoised.
        """
        return self._lookup(path)

    def _lookup(self, path: str) -> Resource[T] | None:
        if self._flagged:
            return self._match_with_flagged(path)
        for length in self._lengths:
            if length > len(path):
                continue
            for row in self._exact.get(path[:length], ()):
                if row.matches(path):
                    return row
        return None

    def _match_with_flagged(self, normalised: str) -> Resource[T] | None:
        """The lookup of :meth:`match` for a table holding flagged rows, tried at every path."""
        size = len(normalised)
        for length in self._all_lengths:
            if length <= size:
                for row in self._exact.get(normalised[:length], ()):
                    if row.matches(normalised):
                        return row
            for row in self._flagged.get(length, ()):
                if row.matches(normalised):
                    return row
        return None


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
    A regex string that flask-cors read as covering a path it spells, which it does not cover
    here, gets one WARNING saying so (:func:`resource_note`).
    """
    _compile_row(pattern, None, label)
    if isinstance(pattern, str) and pattern != "*" and looks_like_regex(pattern):
        note = resource_note(pattern)
        if note is not None:
            note_once("resources", label, pattern, f"{label}: {note}")


def _path_candidates(source: str) -> list[str]:
    """Paths the regex *source* plausibly means: each path its text spells, with a segment
    added below it and with its last segment (or trailing slash) removed."""
    found: dict[str, None] = {}
    for path in regex_instances(source):
        if not path.startswith("/"):
            continue
        below = path + ("" if path.endswith("/") else "/") + _PATH_BELOW
        found.update(dict.fromkeys((path, below, path.rstrip("/") or "/", path.rsplit("/", 1)[0])))
    return [path for path in found if path.startswith("/")]


def _path_refused(source: str) -> list[tuple[str, Resource[None]]]:
    """The paths :func:`_path_candidates` gives that flask-cors covered with *source* (a
    prefix match, case-sensitive) and our reading does not, with our compiled row."""
    try:
        row: Resource[None] = _compile_row(source, None, "")
    except ConfigError:
        return []
    return [
        (path, row)
        for path in _path_candidates(source)
        if flask_cors_match(source, path, 0) and not row.matches(normalise_path(path))
    ]


@functools.lru_cache(maxsize=256)
def resource_note(source: str) -> str | None:
    """What to say at set-up about the resource regex string *source* (:func:`_resource_note`)."""
    return quietly(_resource_note, source)


def _resource_note(source: str) -> str | None:
    """What to say at set-up about the resource regex string *source*; ``None`` if nothing.

    flask-cors matched a resource regex against the start of the path (``re.match``), as we do,
    except for a pattern ending in ``/*``, a subtree here: the path the part before ``/*``
    matches first, and every path below it. Look-alikes flask-cors also covered (``/apiary``
    under ``r"/api/*"``) are that difference on purpose and never named; a path the pattern
    itself spells is (``/api-v2`` under ``r"/(api|api-v2)/*"``, whose first match is ``/api``).
    """
    refused = _path_refused(source)
    if not refused:
        return None
    path, row = refused[0]
    why = "reads it differently"
    if row.subtree:
        body = row.regex.match(path) if row.regex is not None else None
        first = f" (here {body.group(0)!r})" if body is not None and body.group(0) else ""
        why = (
            "reads a pattern ending in '/*' as the path that the part before '/*' matches first"
            f"{first} and every path below it"
        )
    allow = ""
    spelling = then(source[:-2] if row.subtree else source, "(/.*)?$")
    if _path_reads_the_same(spelling) and _compile_row(spelling, None, "").matches(path):
        allow = (
            f" To cover it as flask-cors did, write {shown_regex(spelling)}, which silences this "
            "warning."
        )
    return (
        f"the resource pattern {shown_regex(source)} is a regular expression. flask-cors matched "
        f"it against the start of the path, so it covered {path!r}; flask-crossorigin {why}, so "
        f"it does not cover {path!r}.{allow or ' List that path as a resource of its own.'}"
    )


def _path_reads_the_same(source: str) -> bool:
    """Whether the resource regex string *source* compiles and reads the same both ways."""
    try:
        _compile_row(source, None, "")
    except ConfigError:
        return False
    return not _path_refused(source)


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
    if prefix != body.lstrip("^") or flags & _READING_FLAGS or body.startswith("^"):
        try:
            if isinstance(pattern, re.Pattern) and not subtree:
                regex = pattern
            else:
                regex = re.compile(body, flags & ~re.DEBUG)
        except re.error as exc:
            raise ConfigError(
                f"{label}: the resource pattern {source!r} is not a valid regular expression "
                f"({exc}). Write a path such as r'/api/*', or fix the regex.",
                code="cors.E016",
                option="resources",
                value=pattern,
                source=label,
            ) from exc
        if regex.flags & _READING_FLAGS:
            prefix = _read_prefix(body, regex.flags)
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


def _read_prefix(body: str, flags: int) -> str:
    """The :func:`literal_prefix` of *body* as the regex engine reads it under *flags*.

    Global inline flag groups (``(?i)``) and a ``^`` at the start are skipped, and under
    ``re.VERBOSE`` so are whitespace and ``#`` comments. The result is never longer than the
    text every match starts with (in some case, under ``re.IGNORECASE``); it ranks the row only.
    """
    if "|" in body:
        return ""
    verbose = bool(flags & re.VERBOSE)
    read: list[str] = []
    position = 0
    while position < len(body):
        char = body[position]
        if verbose and char in _VERBOSE_SPACE:
            position += 1
            continue
        if verbose and char == "#":
            newline = body.find("\n", position)
            if newline < 0:
                break
            position = newline + 1
            continue
        if not read:
            if char == "^":
                position += 1
                continue
            group = _GLOBAL_FLAGS.match(body, position)
            if group is not None:
                position = group.end()
                continue
        read.append(char)
        position += 1
        if char in _METACHARACTERS:
            break
    return literal_prefix("".join(read))
