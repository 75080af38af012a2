"""The origin allow-list: parsed and validated once, matched per request in a few lookups.

Kinds of entries, cheapest first:

* exact serialized origins (``https://app.example.com``): a set lookup; a request ``Origin`` in
  upper or mixed case matches too (flask-cors compares ignoring case) and is echoed as sent;
  globs, regexes and callables then see it in lower case, as a browser would have sent it;
* ``"*"``: any origin;
* ``"null"``: the opaque origin of sandboxed frames and ``file:`` pages, only when listed (F35),
  and never with credentials: any page can sandbox itself to send it;
* any-port globs (``http://localhost:*``): that scheme and host on any port, a set lookup;
* subdomain globs (``https://*.example.com``, optionally ``:*`` for any port): one or more labels
  on label boundaries, found by looking up each parent domain of the request host in a set, so
  the cost does not grow with the number of globs;
* regular expressions, compiled or strings that flask-cors 6 reads as one (they contain one of
  ``* \\ ] ? $ ^ [ ( )``), matched with ``fullmatch`` (never as a prefix), strings ignoring case;
  a string that flask-cors's prefix match read differently, on an origin the pattern plausibly
  means (``http://localhost:3000`` for ``r"http[s]?://localhost:*"``), gets one WARNING at set-up
  naming that origin and a spelling that keeps it (:func:`origin_note`), and no other warning;
* callables ``(origin) -> bool`` for allow-lists that live elsewhere: synchronous (an ``async
  def`` is refused at set-up), and only ``True`` grants; any answer but ``True`` or ``False``
  refuses (a coroutine object is truthy, and must not let everyone in).

A request ``Origin`` that is not a serialized origin (case aside) never reaches the globs, regexes
or callables, and is never echoed.

"Open to any origin" is defined once, by :meth:`OriginMatcher.open_entry`: ``*``, ``null``, and
any glob or regex that lets in a site anyone can set up. The credentials check at set-up and the
adapter's merge rule (:attr:`OriginMatcher.admits_anyone`) both ask it.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import secrets
import string
import warnings
from collections.abc import Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Union

from ._http import (
    DEFAULT_PORTS,
    ends_in_number,
    escape_for_log,
    is_serialized_ipv4,
    log_safely,
    looks_like_regex,
    parse_origin_ignoring_case,
    parse_serialized_origin,
    serialize_ipv6,
)
from .errors import ConfigError, ProblemCollector

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

logger = logging.getLogger("flask_crossorigin")

#: What users may pass as one origin entry.
OriginSpec = Union[str, "re.Pattern[str]", Callable[[str], Any]]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_HOST = re.compile(r"[a-z0-9_](?:[a-z0-9_\-.]*[a-z0-9_])?")
_IPV6 = re.compile(r"\[[0-9a-fA-F:.]+\]")
#: An IPv6 origin's brackets are not a regex character class.
_IPV6_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\[[0-9A-Fa-f:.]+\](?::[0-9]+)?")
_PLACEHOLDER = "wildcard-label."
#: ``scheme://*.domain[:port]``: the subdomain glob (its port, if any, checked by normalising).
_GLOB = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://\*\.(?P<rest>[^*]+)")
#: ``scheme://host:*`` (and ``scheme://*.domain:*``): any port.
_ANY_PORT = re.compile(r"(?P<base>[A-Za-z][A-Za-z0-9+.\-]*://(?:\*\.)?[^*:/?#@\[\]]+):\*")
#: ``scheme://host*``: a prefix regex in flask-cors, where it meant "this host on any port".
_HOST_STAR = re.compile(
    r"(?P<base>[A-Za-z][A-Za-z0-9+.\-]*://[A-Za-z0-9](?:[A-Za-z0-9\-._]*[A-Za-z0-9])?)\*"
)
#: Probes for "does this regex let anyone in": a random host under the reserved ``.invalid`` TLD
#: (no trusted site has one), then under public suffixes where anyone can register or deploy:
#: these few always, and every public suffix the pattern itself names (its literal domains).
_PROBE_SCHEMES = ("https", "http")
_PROBE_SUFFIXES = (
    "invalid",
    "com",
    "vercel.app",
    "github.io",
    "netlify.app",
    "pages.dev",
    "herokuapp.com",
    "onrender.com",
)
#: A literal domain in a regex's text: labels joined by ``\.`` (or by a bare ``.``, as sloppy
#: patterns write it), ``\-`` allowed inside a label. ``r"https://[a-z]+\.azurewebsites\.net"``
#: holds ``azurewebsites.net``, whose suffixes ``azurewebsites.net`` and ``net`` are candidates.
_LITERAL_DOMAIN = re.compile(r"(?:[a-z0-9]|\\?-)+(?:\\?\.(?:[a-z0-9]|\\?-)+)*")
#: A literal port in a regex's text, probed too: a pattern may only match with that port.
_LITERAL_PORT = re.compile(r":([0-9]{1,5})")
#: Ports every regex probe is also tried with, beside none: a pattern may need some port.
_PROBE_PORTS = ("8443",)
#: At most this many candidate suffixes from one pattern's text, so set-up stays fast.
_MAX_CANDIDATES = 32
#: A DNS label anyone could register (no ``_``, no hyphen at either end).
_REGISTRABLE_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?")


class OpenEntry(NamedTuple):
    """An allow-list entry that lets strangers in, and who: for refusing it with credentials.

    *fix* is what to write instead when the usual advice (list the sites, or decide in a
    callable) does not apply; empty for the usual advice.
    """

    shown: str
    who: str
    fix: str = ""


#: Why ``null`` is no allow-list entry for credentials, and what to do instead (cors.E020).
_NULL_WHO = (
    "any page (sandboxed iframes and file: pages send 'Origin: null', and any website can "
    "sandbox itself in an iframe to send it)"
)
_NULL_FIX = (
    "Remove 'null' and serve those pages from a real origin that you list: a sandboxed iframe "
    "keeps its site's origin with sandbox='allow-scripts allow-same-origin' (for content you "
    "trust), and a file: page can be served from http://localhost instead. If you really "
    "decide per request, pass a callable, which is asked about 'null' too: "
    "origins=[..., lambda origin: is_trusted(origin)]."
)


class OriginMatcher:
    """A compiled allow-list of origins.

    Built by :func:`compile_origins`; the request path only calls :meth:`refusal`.
    """

    __slots__ = (
        "_any_port",
        "_callables",
        "_glob_list",
        "_globs",
        "_invalid_logged",
        "_open",
        "_patterns",
        "_shown_globs",
        "_shown_patterns",
        "allow_null",
        "any",
        "display",
        "exact",
    )

    def __init__(
        self,
        *,
        any_origin: bool = False,
        exact: Iterable[str] = (),
        allow_null: bool = False,
        globs: Iterable[tuple[str, str | None, str]] = (),
        any_port: Iterable[tuple[str, str]] = (),
        patterns: Iterable[re.Pattern[str]] = (),
        callables: Iterable[Callable[[str], Any]] = (),
        display: tuple[str, ...] = (),
        shown_patterns: Iterable[str] = (),
        shown_globs: Iterable[str] = (),
    ) -> None:
        self.any = any_origin
        self.exact = frozenset(exact)
        self.allow_null = allow_null
        self._glob_list = tuple(globs)
        self._globs = frozenset(self._glob_list)
        self._any_port = frozenset(any_port)
        self._patterns = tuple(patterns)
        self._callables = tuple(callables)
        self.display = display
        #: How each pattern and glob was written, in order, for set-up messages only.
        self._shown_patterns = tuple(shown_patterns)
        self._shown_globs = tuple(shown_globs)
        #: :meth:`open_entry`'s answer, once asked: ``(entry,)``, so that ``None`` is an answer.
        self._open: tuple[OpenEntry | None] | None = None
        #: Indexes of the callables whose answer that was not a bool has been logged: one line
        #: per callable, never one per request, so the set is bounded by the callables.
        self._invalid_logged: set[int] = set()

    @property
    def is_static(self) -> bool:
        """Whether the answer for an origin can never change (no callables), so it may be cached."""
        return not self._callables

    def refusal(self, origin: str) -> str | None:
        """Return ``None`` if *origin* is allowed, else the id of the reason it is not.

        ``any`` is not consulted here: the policy decides what an any-origin grant looks like.
        """
        if origin in self.exact:
            return None
        if origin == "null":
            if self.allow_null:
                return None
            if not self._callables:
                return "origin_null_not_allowed"
            # F44: no glob or pattern admits 'null' by accident; a callable is an explicit
            # decision (security issue item 9: the escape hatch for 'null' with credentials).
            answer = self._ask_callables(origin)
            return "origin_null_not_allowed" if answer == "origin_not_allowed" else answer
        parsed = parse_serialized_origin(origin)
        if parsed is None:
            # flask-cors compares origins ignoring case; what follows sees the serialized
            # (lower-case) form, and the policy echoes the origin as sent.
            parsed = parse_origin_ignoring_case(origin)
            if parsed is None:
                return "origin_malformed"
            origin = origin.lower()
            if origin in self.exact:
                return None
        scheme, host, _ = parsed
        if self._any_port and (scheme, host) in self._any_port:
            return None
        if self._globs and self._match_glob(*parsed):
            return None
        for pattern in self._patterns:
            if pattern.fullmatch(origin):
                return None
        return self._ask_callables(origin) if self._callables else "origin_not_allowed"

    def _ask_callables(self, origin: str) -> str | None:
        """Ask each callable about *origin* (serialized, or ``null``); ``None`` if one grants."""
        for index, check in enumerate(self._callables):
            try:
                answer = check(origin)
            except Exception:
                log_safely(
                    logger,
                    logging.WARNING,
                    "origin callable %r raised for Origin %s; refusing the origin",
                    check,
                    escape_for_log(origin),
                    exc_info=True,
                )
                return "origin_callable_failed"
            if answer is True:
                return None
            if answer is not False:
                # Truthiness would grant a coroutine (an async check), a Match, a string: only
                # True grants, and anything else is the callable's bug, refused.
                return self._invalid_answer(index, check, origin, answer)
        return "origin_not_allowed"

    def _invalid_answer(
        self, index: int, check: Callable[[str], Any], origin: str, answer: object
    ) -> str:
        """Refuse an answer that is not a bool; log it once per callable; close a coroutine."""
        if isinstance(answer, Coroutine):
            # Never awaited: close it, so no "coroutine ... was never awaited" warning follows.
            answer.close()
            hint = "a coroutine: the check is async, but the decision is synchronous"
        else:
            hint = f"a {type(answer).__name__}"
        if index not in self._invalid_logged:
            self._invalid_logged.add(index)
            log_safely(
                logger,
                logging.WARNING,
                "origin callable %r returned %s, not True or False, for Origin %s; refusing the "
                "origin (origin_callable_invalid). Only True grants. Make it return a bool; a "
                "check that needs I/O should read a cache the app fills. Logged once per "
                "callable.",
                check,
                hint,
                escape_for_log(origin),
            )
        return "origin_callable_invalid"

    def _match_glob(self, scheme: str, host: str, port: str | None) -> bool:
        if host.startswith("["):
            return False
        globs = self._globs
        dot = host.find(".")
        while dot > 0:
            suffix = host[dot:]
            if (scheme, port, suffix) in globs or (scheme, "*", suffix) in globs:
                return True
            dot = host.find(".", dot + 1)
        return False

    @property
    def admits_anyone(self) -> bool:
        """Whether the allow-list is open to any origin: exactly ``open_entry() is not None``.

        The one definition of "any origin" (``*``, ``null``, a catch-all regex, a glob or regex
        over a public suffix), shared by the credentials check at set-up and the adapter's merge
        rule, which must never reflect the origin next to an app-set credentials header under
        such a list. Asked rarely; the first answer is kept (see :meth:`open_entry`).
        """
        return self.open_entry() is not None

    def open_entry(self) -> OpenEntry | None:
        """The first entry that lets anyone in, and who; ``None`` if every entry names sites.

        Computed once and kept (it may load the Public Suffix List, and its regex probes are
        random): every later call, :attr:`admits_anyone` included, gets the same answer. Two
        threads asking at once both compute it; either answer is kept, and for a catch-all or
        public-suffix entry both are the same, since such a pattern matches every probe.
        """
        cached = self._open
        if cached is None:
            cached = self._open = (self._find_open_entry(),)
        return cached[0]

    def _find_open_entry(self) -> OpenEntry | None:
        """See :meth:`open_entry`.

        ``*`` and ``null`` are open by definition (any page can send ``Origin: null`` by
        sandboxing itself). A regex is tried on random origins under the reserved ``.invalid``
        domain, which no trusted site can have, and under public suffixes, where anyone can
        register or deploy a site: a few common ones (``com``, ``vercel.app``, ...) and every one
        the pattern names (:func:`_regex_probe`). A subdomain glob is checked against the Public
        Suffix List, loaded only now.
        """
        if self.any:
            return OpenEntry("'*'", "every website")
        if self.allow_null:
            return OpenEntry("'null'", _NULL_WHO, _NULL_FIX)
        for pattern, shown in zip(self._patterns, self._shown_patterns):
            found = _regex_probe(pattern)
            if found is None:
                continue
            probe, suffix, label = found
            if suffix == "invalid":
                who = f"every website (it matches any origin, e.g. {probe!r})"
            elif label:
                who = (
                    f"anyone (it matches {probe!r}, a name anyone can register under the public "
                    f"suffix {suffix!r} of the Public Suffix List)"
                )
            else:
                who = (
                    f"anyone (it matches any site under the public suffix {suffix!r}, e.g. "
                    f"{probe!r}, where anyone can register or deploy a site)"
                )
            return OpenEntry(shown, who)
        for (_, _, suffix), shown in zip(self._glob_list, self._shown_globs):
            base = suffix[1:]
            if _is_public_suffix(base):
                return OpenEntry(
                    shown,
                    f"anyone ({base!r} is a public suffix on the Public Suffix List: anyone can "
                    "register or deploy a site under it)",
                )
        return None


def _random_label(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _suffix_candidates(source: str) -> list[tuple[str, str]]:
    r"""Domains a regex's text names, as ``(suffix, label before it)``, in order, de-duplicated.

    ``r"https://(www\.)?shop\.co\.uk"`` gives ``('shop.co.uk', '')``, ``('co.uk', '')``,
    ``('co.uk', 'shop')``, ``('uk', '')``, ``('uk', 'co')`` and the like. Only the literal text
    is read (no regex parsing): a junk candidate costs one Public Suffix List lookup, and a probe
    under a public one is still a name anyone can register, so a match is never a false alarm.
    """
    candidates: dict[tuple[str, str], None] = {}
    for run in _LITERAL_DOMAIN.findall(source.lower()):
        # Hyphens stay: in '[a-z]+\-staging\.herokuapp\.com' the label before the suffix is
        # '-staging', and 'qzx-staging.herokuapp.com' is the name anyone can take.
        labels = run.replace("\\", "").split(".")
        for index in range(len(labels)):  # never an empty label: a run ends on one
            suffix = ".".join(labels[index:])
            if suffix != _PROBE_SUFFIXES[0]:  # '.invalid' is probed first anyway
                candidates[(suffix, "")] = None
            if index:
                candidates[(suffix, labels[index - 1])] = None
            if len(candidates) >= _MAX_CANDIDATES:
                return list(candidates)
    return list(candidates)


def _probe_suffixes(source: str) -> Iterator[tuple[str, str]]:
    """The ``(suffix, label before it)`` pairs to probe a pattern's text with, in order.

    ``.invalid`` first (a catch-all is "every website", and needs no Public Suffix List), then
    the public suffixes the pattern names, so that the message names the one the pattern is
    about, then the usual ones.
    """
    yield _PROBE_SUFFIXES[0], ""
    for suffix, before in _suffix_candidates(source):
        if _is_public_suffix(suffix):
            yield suffix, before
    for suffix in _PROBE_SUFFIXES[1:]:
        yield suffix, ""


def _regex_probe(pattern: re.Pattern[str]) -> tuple[str, str, str] | None:
    r"""The first random origin anyone could own that *pattern* matches, as ``(origin, public
    suffix, label the name ends with or '')``; ``None`` if it matches none.

    Each public suffix is tried with random names of letters, of digits, of hex, two labels deep
    and, where the pattern writes a label before the suffix (``example\.com``), that label
    with random letters before it (``qzxexample.com``: a pattern missing a ``\.`` lets it in).
    Each with ``http`` and ``https``, with no port, the ports the pattern writes and ``8443``.
    A catch-all pattern matches every one of them, so the answer for it never depends on chance.
    """
    letters = _random_label(string.ascii_lowercase, 10)
    digits = _random_label(string.digits, 8)
    hexed = secrets.token_hex(6)
    names = (letters, digits, hexed, f"{letters[:5]}.{letters[5:]}")
    ports = dict.fromkeys(("", *(f":{port}" for port in _PROBE_PORTS)))
    ports.update(dict.fromkeys(f":{port}" for port in _LITERAL_PORT.findall(pattern.pattern)))
    for suffix, before in _probe_suffixes(pattern.pattern):
        hosts = [] if before else [(f"{name}.{suffix}", "") for name in names]
        if before and _REGISTRABLE_LABEL.fullmatch(letters + before):
            hosts.append((f"{letters}{before}.{suffix}", before))
        for host, label in hosts:
            for port in ports:
                for scheme in _PROBE_SCHEMES:
                    probe = f"{scheme}://{host}{port}"
                    if pattern.fullmatch(probe):
                        return probe, suffix, label
    return None


_public_suffixes: PublicSuffixList | None = None


def _is_public_suffix(domain: str) -> bool:
    """Whether *domain* is on the Public Suffix List, ICANN or private section (``vercel.app``).

    The list takes tens of milliseconds to load, so it is loaded on first use, which only a
    credentialed subdomain glob reaches, at set-up. Names the list does not know (``localhost``,
    ``internal``) are not public: they are how local set-ups are named.
    """
    global _public_suffixes
    if _public_suffixes is None:
        from publicsuffixlist import PublicSuffixList

        _public_suffixes = PublicSuffixList()
    return _public_suffixes.is_public(domain, accept_unknown=False)


def _refuse(code: str, label: str, value: Any, message: str) -> ConfigError:
    """The :class:`ConfigError` for a value of ``origins`` (or an entry of it) from *label*."""
    return ConfigError(message, code=code, option="origins", value=value, source=label)


def compile_origins(value: Any, label: str) -> OriginMatcher:
    """Validate and normalise the ``origins`` option into an :class:`OriginMatcher`.

    *label* says where the value came from (``CORS(origins=...)``, ``app.config['CORS_ORIGINS']``)
    so that every :class:`ConfigError` points at the line to change. Strings are read as
    flask-cors 6 reads them (see the module docstring), except the two glob forms, which say
    what people mean by them.
    """
    items: list[Any]
    if isinstance(value, (str, re.Pattern)) or callable(value):
        items = [value]
    elif isinstance(value, Iterable):
        items = list(value)
    else:
        raise _refuse(
            "cors.E001",
            label,
            value,
            f"{label}={value!r}: origins must be a string, a compiled regex, a callable or a list "
            f"of those, not {type(value).__name__}. Write for example "
            "origins=['https://app.example.com'].",
        )
    any_origin = False
    allow_null = False
    exact: list[str] = []
    globs: list[tuple[str, str | None, str]] = []
    shown_globs: list[str] = []
    any_port: list[tuple[str, str]] = []
    patterns: list[re.Pattern[str]] = []
    shown_patterns: list[str] = []
    callables: list[Callable[[str], Any]] = []
    display: list[str] = []
    #: Regex strings, to say at set-up where flask-cors read one differently (``origin_note``).
    regex_strings: list[str] = []
    # Every entry is checked, so that one set-up reports every wrong origin at once.
    problems = ProblemCollector()
    for item in items:
        try:
            if isinstance(item, re.Pattern):
                if not isinstance(item.pattern, str):
                    raise _refuse(
                        "cors.E003",
                        label,
                        item,
                        f"{label}: {item!r} is a bytes pattern; compile a str pattern.",
                    )
                patterns.append(item)
                shown_patterns.append(f"re.compile({item.pattern!r})")
                display.append(f"re.compile({item.pattern!r})")
            elif isinstance(item, str):
                if item != item.strip() or any(ch.isspace() for ch in item) or not item:
                    normalise_origin(item, label)  # raises, with the spelling that works
                if item == "*":
                    any_origin = True
                    display.append("*")
                elif item == "null":
                    allow_null = True
                    display.append("null")
                elif _ANY_PORT.fullmatch(item):
                    base = item[:-2]
                    if "://*." in base:
                        scheme, _, suffix = _parse_glob(base, label, shown=item)
                        globs.append((scheme, "*", suffix))
                        shown_globs.append(repr(item))
                        display.append(f"{scheme}://*{suffix}:*")
                    else:
                        scheme, host = _parse_any_port(base, item, label)
                        any_port.append((scheme, host))
                        display.append(f"{scheme}://{host}:*")
                elif _GLOB.fullmatch(item):
                    glob = _parse_glob(item, label)
                    globs.append(glob)
                    shown_globs.append(repr(item))
                    scheme, port, suffix = glob
                    display.append(f"{scheme}://*{suffix}" + (f":{port}" if port else ""))
                elif looks_like_regex(item) and not _IPV6_ORIGIN.fullmatch(item):
                    patterns.append(_compile_legacy_regex(item, label))
                    regex_strings.append(item)
                    shown_patterns.append(repr(item))
                    display.append(f"re.compile({item!r})")
                else:
                    normalised = normalise_origin(item, label)
                    exact.append(normalised)
                    display.append(normalised)
            elif callable(item):
                if _is_async(item):
                    raise _refuse(
                        "cors.E017",
                        label,
                        item,
                        f"{label}: {_callable_name(item)} is an async function. The origin "
                        "check is synchronous: it would get a coroutine object, which is truthy, "
                        "so every origin would be allowed. Pass a plain function that returns "
                        "True or False; if the answer needs I/O (a database, an HTTP call), let "
                        "the app fill a cache and let the check read it, e.g. "
                        "origins=lambda origin: origin in trusted_origins.",
                    )
                callables.append(item)
                display.append(f"<callable {_callable_name(item)}>")
            else:
                raise _refuse(
                    "cors.E002",
                    label,
                    item,
                    f"{label}: {item!r} is not an origin. Each entry must be a string such as "
                    "'https://app.example.com', a compiled regex, or a callable taking the origin.",
                )
        except ConfigError as error:
            problems.errors.append(error)
    problems.raise_any()
    for item in regex_strings:
        note = origin_note(item)
        if note is not None:
            note_once("origins", label, item, f"{label}: {note}")
    return OriginMatcher(
        any_origin=any_origin,
        exact=exact,
        allow_null=allow_null,
        globs=globs,
        any_port=any_port,
        patterns=patterns,
        callables=callables,
        display=tuple(display),
        shown_patterns=shown_patterns,
        shown_globs=shown_globs,
    )


def _is_async(check: Callable[..., Any]) -> bool:
    """Whether calling *check* gives a coroutine or async generator rather than an answer.

    Sees through :func:`functools.partial` and methods, and finds an object whose ``__call__``
    is ``async def``. A sync wrapper around an async function cannot be seen here; its
    coroutine is refused per request (``origin_callable_invalid``).
    """
    while isinstance(check, functools.partial):
        check = check.func
    # The method itself, not a test of callability (B004): inspect does not look inside objects.
    call = check if inspect.isroutine(check) else getattr(check, "__call__", check)  # noqa: B004
    return any(
        inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)
        for target in (check, call)
    )


def _callable_name(check: Callable[..., Any]) -> str:
    return str(getattr(check, "__qualname__", None) or repr(check))


def _accepted(candidate: str) -> bool:
    """Whether *candidate*, a spelling a message is about to suggest, is itself accepted."""
    try:
        if _ANY_PORT.fullmatch(candidate) or _GLOB.fullmatch(candidate):
            compile_origins([candidate], "")
        else:
            normalise_origin(candidate, "", suggest=False)
    except ConfigError:
        return False
    return True


def _quoted(*candidates: str) -> list[str]:
    """The candidates that are accepted, quoted for a message."""
    return [repr(candidate) for candidate in candidates if _accepted(candidate)]


def normalise_origin(value: str, label: str, *, suggest: bool = True) -> str:
    """Return the serialized form of a configured origin, or raise :class:`ConfigError`.

    Browsers compare ``Access-Control-Allow-Origin`` byte for byte with the serialized origin
    (F13), so a configured ``https://Example.com:443/`` would never match anything: we either
    normalise it (case, default port) or refuse it with a spelling that works. Every spelling a
    message suggests is checked first (*suggest* is off for that check itself).
    """
    if not value:
        raise _refuse(
            "cors.E004",
            label,
            value,
            f"{label}: an origin is empty (''). An unset environment variable gives this, e.g. "
            "os.getenv('ALLOWED_ORIGINS', '').split(','). Set the variable, or list real "
            "origins such as 'https://app.example.com'.",
        )
    if "," in value:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        hint = ""
        if suggest and parts and all(_accepted(part) for part in parts):
            hint = f" List them: origins={parts!r}."
        raise _refuse(
            "cors.E005",
            label,
            value,
            f"{label}: {value!r} contains a comma; a string is one origin (as in flask-cors), "
            f"so it can never equal a browser's Origin.{hint}",
        )
    if value != value.strip() or any(ch.isspace() for ch in value):
        hint = ""
        if suggest and _accepted("".join(value.split())):
            hint = f" Write {''.join(value.split())!r}."
        raise _refuse(
            "cors.E006",
            label,
            value,
            f"{label}: {value!r} contains whitespace, so it can never equal a browser's Origin "
            f"(scheme://host[:port]).{hint}",
        )
    if "://" not in value:
        hint = ""
        if suggest:
            shown = _quoted(f"https://{value}", f"http://{value}")
            if len(shown) == 2:
                hint = f" Write {shown[0]} (or {shown[1]} for plain HTTP)."
            elif value.startswith("*."):
                hint = " Write " + " or ".join(_quoted(f"https://{value}")) + "."
            else:
                hint = (
                    " Write a real origin such as 'https://app.example.com', or '*' for every "
                    "origin."
                )
                if not _REGEX_ISH.isdisjoint(value):
                    hint += (
                        " (A string is read as a regular expression only if it contains one of "
                        "* \\ ] ? $ ^ [ ( ), as in flask-cors; for this regex pass "
                        f"re.compile({value!r}).)"
                    )
        raise _refuse(
            "cors.E007",
            label,
            value,
            f"{label}: {value!r} has no scheme, so it can never equal the Origin a browser sends "
            f"(scheme://host[:port]).{hint}",
        )
    scheme, rest = value.split("://", 1)
    if not _SCHEME.fullmatch(scheme):
        raise _refuse(
            "cors.E008", label, value, f"{label}: {value!r} has an invalid scheme {scheme!r}."
        )
    scheme = scheme.lower()
    if "@" in rest:
        candidate = scheme + "://" + rest.split("@", 1)[1].split("/", 1)[0]
        hint = f" Write {candidate!r}." if suggest and _accepted(candidate) else ""
        raise _refuse(
            "cors.E009",
            label,
            value,
            f"{label}: {value!r} contains userinfo ('user@'); browsers never send it in "
            f"Origin.{hint}",
        )
    for sep in "/?#":
        if sep in rest:
            candidate = f"{scheme}://{rest.split(sep, 1)[0]}"
            hint = f" Write {candidate!r}." if suggest and _accepted(candidate) else ""
            raise _refuse(
                "cors.E010",
                label,
                value,
                f"{label}: {value!r} has a path, query or trailing slash; an origin is only "
                f"scheme://host[:port], so it would never match.{hint}",
            )
    host, port = _split_port(rest, value, label, scheme, suggest)
    if _IPV6.fullmatch(host):
        host = _ipv6_host(host, value, label)
    else:
        host = _ascii_host(host, value, label)
    if port is not None and DEFAULT_PORTS.get(scheme) == port:
        port = None
    tail = f":{port}" if port is not None else ""
    if ends_in_number(host) and not is_serialized_ipv4(host):
        raise _ipv4_refusal(host, value, label, f"{scheme}://", tail, suggest)
    result = f"{scheme}://{host}{tail}"
    if parse_serialized_origin(result) is None:  # pragma: no cover - defensive
        raise _refuse("cors.E013", label, value, f"{label}: {value!r} is not a valid origin.")
    return result


#: Characters that make a string look like a regex to a reader, though flask-cors 6 (and so
#: flask-crossorigin) reads it as a literal; a message then says how to write the regex.
_REGEX_ISH = frozenset(".+{}|")


def _split_port(
    rest: str, value: str, label: str, scheme: str, suggest: bool
) -> tuple[str, str | None]:
    if rest.startswith("["):
        end = rest.find("]")
        host, tail = rest[: end + 1], rest[end + 1 :]
        if end < 0 or (tail and not tail.startswith(":")):
            raise _refuse(
                "cors.E013", label, value, f"{label}: {value!r} has a malformed IPv6 host."
            )
        port = tail[1:] if tail else None
    elif ":" in rest:
        host, port = rest.rsplit(":", 1)
    else:
        host, port = rest, None
    if port is not None:
        if not port.isdigit() or not port.isascii() or int(port) > 65535:
            hint = ""
            if suggest:
                real = _quoted(f"{scheme}://{host}:3000")
                anyport = _quoted(f"{scheme}://{host}:*")
                if real:
                    hint += f" Write the real port (e.g. {real[0]})"
                if anyport:
                    hint += f", or {anyport[0]} to allow any port" if real else ""
                hint += "." if hint else ""
            raise _refuse(
                "cors.E011",
                label,
                value,
                f"{label}: {value!r} has the port {port!r}, which is not a number from 0 to "
                f"65535.{hint}",
            )
        port = str(int(port))
    if not host:
        raise _refuse(
            "cors.E012",
            label,
            value,
            f"{label}: {value!r} has no host. Write the site's origin, e.g. "
            f"'{scheme}://app.example.com'.",
        )
    return host, port


def _ipv6_host(host: str, value: str, label: str) -> str:
    """The bracketed IPv6 *host* as browsers write it: ``[0:0::1]`` is ``[::1]``.

    Only the spelling changes, as with case: the address is the same, so it is normalised
    rather than refused.
    """
    serialized = serialize_ipv6(host[1:-1].lower())
    if serialized is None:
        raise _refuse(
            "cors.E013",
            label,
            value,
            f"{label}: {value!r} has the host {host!r}, which is not a valid IPv6 address.",
        )
    return f"[{serialized}]"


def _read_ipv4(host: str) -> str | None:
    """The IPv4 address the URL standard reads *host* (which ends in a number) as, or ``None``.

    Parts may be decimal, octal (a leading ``0``) or hex (``0x``); fewer than four parts fill
    the last one's bytes: ``127.1`` is ``127.0.0.1``, ``010.0.0.1`` is ``8.0.0.1``.
    """
    parts = host.split(".")
    if len(parts) > 4:
        return None
    numbers: list[int] = []
    for part in parts:
        digits, radix = part, 10
        if part[:2] == "0x":
            digits, radix = part[2:], 16
        elif len(part) > 1 and part[0] == "0":
            digits, radix = part[1:], 8
        allowed = string.hexdigits if radix == 16 else string.digits[:radix]
        if not part or any(char not in allowed for char in digits):
            return None
        numbers.append(int(digits, radix) if digits else 0)
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    address = numbers[-1] + sum(n * 256 ** (3 - i) for i, n in enumerate(numbers[:-1]))
    return ".".join(str(address >> shift & 255) for shift in (24, 16, 8, 0))


def _ipv4_refusal(
    host: str, value: str, label: str, head: str, tail: str, suggest: bool
) -> ConfigError:
    """The error for a host ending in a number that is not written as browsers write it.

    Refused rather than normalised: ``010.0.0.1`` is ``8.0.0.1`` to a browser (a leading ``0``
    is octal), which is rarely what was meant, so the message says what browsers read.
    """
    address = _read_ipv4(host)
    if address is None:
        return _refuse(
            "cors.E013",
            label,
            value,
            f"{label}: {value!r} has the host {host!r}, which is not a valid IPv4 address (a host "
            "ending in a number is read as one), so no browser sends it. Write a host name, or "
            "the address as four numbers from 0 to 255 without leading zeros (127.0.0.1).",
        )
    fixed = f"{head}{address}{tail}"
    hint = f" Write {fixed!r}." if suggest and _accepted(fixed) else ""
    return _refuse(
        "cors.E013",
        label,
        value,
        f"{label}: {value!r} has the host {host!r}, which browsers read as the IPv4 address "
        f"{address} (a leading 0 means octal, 0x hex, and missing parts are zeros), so they send "
        f"{fixed!r}, never this spelling.{hint}",
    )


def _ascii_host(host: str, value: str, label: str) -> str:
    host = host.lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise _refuse(
                "cors.E013",
                label,
                value,
                f"{label}: {value!r} has a host that is not valid: {exc}.",
            ) from exc
    if not _HOST.fullmatch(host) or ".." in host:
        raise _refuse(
            "cors.E013",
            label,
            value,
            f"{label}: {value!r} has the host {host!r}, which is not a valid host name.",
        )
    return host


def _parse_any_port(base: str, item: str, label: str) -> tuple[str, str]:
    """Parse the ``scheme://host`` of an any-port glob ``scheme://host:*``."""
    try:
        normalised = normalise_origin(base, label)
    except ConfigError as exc:
        raise _refuse(
            exc.code, label, item, f"{exc.message} (in the any-port glob {item!r})"
        ) from None
    scheme, host = normalised.split("://", 1)
    return scheme, host


def _parse_glob(item: str, label: str, *, shown: str = "") -> tuple[str, str | None, str]:
    """Parse ``scheme://*.example.com[:port]`` into ``(scheme, port, '.example.com')``.

    Any domain may follow ``*.``: without credentials a glob over a public suffix
    (``https://*.github.io``) only lets every site there read what any site may read anyway;
    with credentials it is refused (:meth:`OriginMatcher.open_entry`).
    """
    try:
        normalised = normalise_origin(item.replace("*.", _PLACEHOLDER, 1), label)
    except ConfigError as exc:
        message = exc.message.replace(_PLACEHOLDER, "*.")
        if shown:
            message = message.replace(repr(item), repr(shown))
        raise _refuse(exc.code, label, shown or item, message) from None
    scheme, rest = normalised.split("://", 1)
    host, _, port = rest.partition(":")
    suffix = host[len(_PLACEHOLDER) - 1 :]
    return scheme, port or None, suffix


def _compile_legacy_regex(item: str, label: str) -> re.Pattern[str]:
    """Compile a string flask-cors 6 reads as a regex: whole-origin match, ignoring case.

    Strings that are almost surely a glob gone wrong are refused with the glob that works:
    full matching (which prefix matching was not) would make them match nothing, or, for
    ``scheme://*...``, match sites nobody meant.
    """
    host_star = _HOST_STAR.fullmatch(item)
    if host_star:
        fix = _quoted(host_star.group("base") + ":*")
        raise _refuse(
            "cors.E014",
            label,
            item,
            f"{label}: {item!r} is a regular expression (it contains '*'); flask-cors matched it "
            "as a prefix, so it also let in look-alike hosts, and matched against the whole "
            "origin it would not match any port."
            + (f" For this host on any port write {fix[0]}." if fix else "")
            + " For anything else pass re.compile(...).",
        )
    if "://*" in item:
        scheme, _, rest = item.partition("://")
        host = rest.lstrip("*.").split("/", 1)[0].rstrip("*")
        fix = _quoted(f"{scheme}://*.{host}") if host else []
        hint = f" For every subdomain write {fix[0]}." if fix else ""
        bare = _quoted(f"{scheme}://{host}") if host else []
        if fix and bare and not rest.startswith("*."):
            # 'https://*example.com' most likely means the domain and its subdomains.
            hint = f" For the domain and every subdomain write origins=[{bare[0]}, {fix[0]}]."
        raise _refuse(
            "cors.E015",
            label,
            item,
            f"{label}: {item!r} is not a subdomain glob (that is exactly "
            "'scheme://*.domain[:port]', one or more labels, or 'scheme://host:*' for any "
            f"port), and as a regular expression it would not mean what it looks like.{hint}"
            " For anything else pass re.compile(...).",
        )
    try:
        pattern = re.compile(item, re.IGNORECASE)
    except re.error as exc:
        fix = _quoted(f"https://{item}") if item.startswith("*.") else []
        raise _refuse(
            "cors.E016",
            label,
            item,
            f"{label}: {item!r} is read as a regular expression (it contains one of "
            f"* \\ ] ? $ ^ [ ( )) but does not compile ({exc})."
            + (f" For a subdomain glob write {fix[0]}." if fix else "")
            + " Fix the pattern, or list exact origins.",
        ) from exc
    return pattern


# -- flask-cors's reading of a regex string, beside ours (migration issue item 2) -----------------
#
# flask-cors 6 matched a regex string with ``re.match``: against the start of the origin, header
# name or path. We match origins and header names whole, and read a resource pattern ending in
# ``/*`` as a subtree. Where the two readings differ on a value that plausibly belongs to the
# user (the same scheme and host on another port, a header name the pattern's text begins, a path
# the pattern's text spells), set-up logs one WARNING naming that value and a spelling, checked
# first, that keeps it. Values only a look-alike would send (``https://good.com.evil.net``) are
# never named: refusing them is the point. Patterns that read the same both ways say nothing.

#: At most this many strings are read out of one regex's text.
_MAX_INSTANCES = 24
#: What a wildcard, a class or ``\w`` stands for in an instance: the first of these it admits.
_STAND_INS = "a1x8-_." + string.ascii_letters + string.digits + string.punctuation + " "
#: ``{m}``, ``{m,}``, ``{m,n}``, ``{,n}``: a repetition (anything else after ``{`` is literal).
_BOUNDS = re.compile(r"\{(\d*)(,\d*)?\}")
#: Inline flags ``(?i)``, ``(?i:...)``, ``(?-i:...)``.
_INLINE_FLAGS = re.compile(r"[aiLmsux]*(?:-[imsx]+)?")
#: Class contents Python reads as a future set operation (and warns about): not read here.
_SET_OPERATIONS = ("[", "--", "&&", "~~", "||")
#: Global inline flag groups and comments at the start of a regex, such as ``(?i)``,
#: ``(?i)(?s)`` or ``(?#dev)(?i)``: what must stay in front when the rest is put in a group.
_LEADING_FLAGS = re.compile(r"(?:\(\?[aiLmsux]+\)|\(\?#[^)]*\))+")
#: Ports a development server listens on, tried on every host a pattern names.
_DEV_PORTS = ("3000", "5000", "5173", "8000", "8080")
#: The scheme and authority at the start of an instance (a path after them is dropped).
_INSTANCE_ORIGIN = re.compile(
    r"(?P<base>[a-z][a-z0-9+.\-]*://(?:\[[0-9a-f:.]+\]|[^/?#:\[\]]+))(?::(?P<port>[0-9]*))?"
)
#: At most this many ``scheme://host:*`` globs are suggested in place of one pattern.
_MAX_GLOBS = 6
#: The set-up notes already logged, by (kind, label, pattern): each once per process.
_noted: dict[tuple[str, str, str], None] = {}
_NOTED_LIMIT = 1024


class _Unreadable(Exception):
    """A construct :func:`regex_instances` does not expand (a back-reference, verbose mode)."""


def regex_instances(source: str) -> list[str]:
    r"""A few strings the regex *source* matches, read from its own text, in the order written.

    Alternatives and optional parts are expanded, the absent form first (``http[s]?`` gives
    ``http`` then ``https``, ``:*`` gives nothing then ``:``); a wildcard, class or ``\d`` stands
    for one character it admits; a repetition for its fewest copies, at least one; anchors and
    lookarounds for nothing. For set-up messages only: callers check every string against the
    regex itself, so a loose reading costs a candidate, never a false message. Empty when the
    text uses what is not read here (back-references, conditionals, verbose mode).
    """
    reader = _InstanceReader(source)
    try:
        found = reader.alternation()
        if reader.position != len(source):
            raise _Unreadable(source)
    except (_Unreadable, IndexError, ValueError, RecursionError):
        return []
    return found


def _capped(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))[:_MAX_INSTANCES]


@functools.lru_cache(maxsize=128)
def _stand_in(regex: str) -> str:
    """The first of :data:`_STAND_INS` that the one-character *regex* admits."""
    try:
        compiled = re.compile(regex)
    except re.error:
        raise _Unreadable(regex) from None
    for char in _STAND_INS:
        if compiled.fullmatch(char):
            return char
    raise _Unreadable(regex)


class _InstanceReader:
    """The recursive reading behind :func:`regex_instances` (position in ``text``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def _peek(self) -> str:
        return self.text[self.position : self.position + 1]

    def alternation(self) -> list[str]:
        found = self.sequence()
        while self._peek() == "|":
            self.position += 1
            found = _capped([*found, *self.sequence()])
        return found

    def sequence(self) -> list[str]:
        found = [""]
        while self._peek() not in ("", "|", ")"):
            atom = self._repeat(self._atom())
            found = _capped(head + tail for head in found for tail in atom)
        return found

    def _repeat(self, atom: list[str]) -> list[str]:
        char = self._peek()
        if char in ("?", "*", "+"):
            self.position += 1
            least = 1 if char == "+" else 0
        elif char == "{":
            bounds = _BOUNDS.match(self.text, self.position)
            if bounds is None or not (bounds.group(1) or bounds.group(2)):
                return atom  # a literal '{', read as the next atom
            self.position = bounds.end()
            least = int(bounds.group(1) or 0)
        else:
            return atom
        if self._peek() in ("?", "+"):  # lazy or possessive: the same strings
            self.position += 1
        if least == 0:
            return _capped(["", *atom])
        return [item * least for item in atom]

    def _atom(self) -> list[str]:
        char = self.text[self.position]
        self.position += 1
        if char == "(":
            return self._group()
        if char == "[":
            return [self._class()]
        if char == "\\":
            return self._escape()
        if char in "^$":
            return [""]
        if char == ".":
            return [_stand_in(".")]
        return [char]

    def _close(self) -> None:
        if self._peek() != ")":
            raise _Unreadable(self.text)
        self.position += 1

    def _group(self) -> list[str]:
        if self._peek() == "?":
            self.position += 1
            kind = self._peek()
            if kind == ":":
                self.position += 1
            elif self.text.startswith("P<", self.position):
                self.position = self.text.index(">", self.position) + 1
            elif kind == "#":
                self.position = self.text.index(")", self.position) + 1
                return [""]
            elif kind in ("=", "!") or self.text.startswith(("<=", "<!"), self.position):
                self.position += 1 if kind in ("=", "!") else 2
                self.alternation()
                self._close()
                return [""]
            else:
                flags = _INLINE_FLAGS.match(self.text, self.position)
                if flags is None or "x" in flags.group(0):
                    raise _Unreadable(self.text)
                self.position = flags.end()
                if self._peek() == ")":
                    self.position += 1
                    return [""]
                if self._peek() != ":":
                    raise _Unreadable(self.text)  # (?P=name), (?(1)...), (?>...)
                self.position += 1
        found = self.alternation()
        self._close()
        return found

    def _class(self) -> str:
        start = self.position - 1
        if self._peek() == "^":
            self.position += 1
        if self._peek() == "]":
            self.position += 1
        while self.text[self.position] != "]":
            self.position += 2 if self.text[self.position] == "\\" else 1
        self.position += 1
        regex = self.text[start : self.position]
        if any(operation in regex[1:] for operation in _SET_OPERATIONS):
            raise _Unreadable(regex)
        return _stand_in(regex)

    def _escape(self) -> list[str]:
        char = self.text[self.position]
        self.position += 1
        if char in "dDwWsS":
            return [_stand_in("\\" + char)]
        if char in "bBAZ":
            return [""]
        if char.isascii() and char.isalnum():
            raise _Unreadable(self.text)  # back-references, \x41, \n: never in what we read
        return [char]


def _top_level_bar(source: str) -> bool:
    """Whether *source* has a ``|`` outside every group and class (it then needs a group)."""
    depth = 0
    in_class = False
    position = 0
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
            continue
        if in_class:
            in_class = char != "]" or source[position - 1] == "["
        elif char == "[":
            in_class = True
            if source[position + 1 : position + 2] == "^":
                position += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        position += 1
    return False


def then(source: str, tail: str) -> str:
    """The regex *source* followed by *tail*, grouped first if it has a top-level ``|``.

    Global inline flags at the start (``(?i)``, also after a leading comment) stay in front of
    the group: anywhere else they are an error (a DeprecationWarning before Python 3.11).
    """
    if not _top_level_bar(source):
        return source + tail
    flags = _LEADING_FLAGS.match(source)
    head = flags.group(0) if flags else ""
    return f"{head}(?:{source[len(head) :]}){tail}"


def shown_regex(source: str) -> str:
    """*source* as users write a regex: a raw string literal when it has a backslash."""
    if (
        "\\" in source
        and "'" not in source
        and source.isprintable()
        and (len(source) - len(source.rstrip("\\"))) % 2 == 0
    ):
        return f"r'{source}'"
    return repr(source)


def flask_cors_match(source: str, value: str, flags: int = re.IGNORECASE) -> bool:
    """Whether flask-cors 6 let *value* in with the regex string *source* (a prefix match)."""
    try:
        return re.match(source, value, flags) is not None
    except re.error:  # flask-cors read a regex that does not compile as matching nothing
        return False


def note_once(kind: str, label: str, source: str, message: str) -> None:
    """Log *message*, a set-up WARNING about *source* from *label*, once per process.

    A configuration is compiled again for every resource, blueprint and decorated view, and on
    every rebuild of an app's plan; the note is said the first time only.
    """
    key = (kind, label, source)
    if key in _noted:
        return
    if len(_noted) >= _NOTED_LIMIT:
        _noted.clear()
    _noted[key] = None
    log_safely(logger, logging.WARNING, "%s", message)


def _origin_candidates(source: str) -> list[str]:
    """Origins the regex *source* plausibly means, from its text: each scheme and host it spells,
    as spelt, without its port and on common development ports (and the ports it writes)."""
    ports = dict.fromkeys((*_DEV_PORTS, *_LITERAL_PORT.findall(source)))
    found: dict[str, None] = {}
    for instance in regex_instances(source):
        instance = instance.lower()
        heads = [instance] if "://" in instance else [f"https://{instance}", f"http://{instance}"]
        for head in heads:
            spelt = _INSTANCE_ORIGIN.match(head)
            if spelt is None:
                continue
            base, port = spelt.group("base"), spelt.group("port")
            for candidate in (
                f"{base}:{port}" if port else base,
                base,
                *(f"{base}:{other}" for other in ports),
            ):
                if parse_serialized_origin(candidate) is not None:
                    found[candidate] = None
    return list(found)


def _origin_readings(source: str) -> list[tuple[str, bool, bool]]:
    """``(candidate, flask-cors let it in, we let it in)`` for each origin *source* plausibly
    means (:func:`_origin_candidates`); empty if *source* does not compile."""
    try:
        ours = re.compile(source, re.IGNORECASE)
    except re.error:
        return []
    return [
        (candidate, flask_cors_match(source, candidate), ours.fullmatch(candidate) is not None)
        for candidate in _origin_candidates(source)
    ]


def _reads_the_same(readings: Iterable[tuple[str, bool, bool]]) -> bool:
    return all(own or not theirs for _, theirs, own in readings)


def quietly(compute: Callable[[str], str | None], source: str) -> str | None:
    """``compute(source)`` with Python's warnings silenced: the regexes it builds out of *source*
    would repeat what compiling *source* itself said (a FutureWarning about ``[[``, say)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compute(source)


@functools.lru_cache(maxsize=256)
def origin_note(source: str) -> str | None:
    """What to say at set-up about the origin regex string *source* (:func:`_origin_note`)."""
    return quietly(_origin_note, source)


def _origin_note(source: str) -> str | None:
    r"""What to say at set-up about the origin regex string *source*; ``None`` if nothing.

    ``None`` when every origin it plausibly means reads the same under flask-cors's prefix match
    and our whole match (``^https?://localhost(:\d+)?$`` does); otherwise the first origin that
    flask-cors let in and we refuse, with spellings that keep it and that refuse it, each
    checked to do so (and to say nothing more here).
    """
    readings = _origin_readings(source)
    refused = [candidate for candidate, theirs, own in readings if theirs and not own]
    if not refused:
        return None
    first = refused[0]
    keep: list[str] = []
    globs = _host_globs(source, readings)
    if globs:
        each = "each host" if len(globs) > 1 else "that host"
        keep.append(f"{', '.join(map(repr, globs))} ({each} on any port)")
    wider = then(source, r"(:\d+)?")
    for flags, shown_flags in ((0, ""), (re.IGNORECASE, ", re.IGNORECASE")):
        try:
            if re.compile(wider, flags).fullmatch(first):
                keep.append(f"re.compile({shown_regex(wider)}{shown_flags})")
                break
        except re.error:
            break
    if keep:
        allow = "replace the pattern with " + " or with ".join(keep)
    else:
        allow = f"list {first!r} as well and pass the pattern as re.compile(...)"
    strict = then(source, "$")
    refuse = (
        f"write {shown_regex(strict)}"
        if _origin_reads_the_same(strict)
        else "pass the pattern as re.compile(...)"
    )
    return (
        f"the origin {shown_regex(source)} is a regular expression. flask-cors matched it against "
        f"the start of the Origin, so it let in {first!r}; flask-crossorigin matches the whole "
        f"Origin, so it refuses {first!r}. To allow it as flask-cors did, {allow}; to refuse it, "
        f"{refuse}. Either change silences this warning."
    )


def _origin_reads_the_same(source: str) -> bool:
    """Whether the regex string *source* is accepted and reads the same both ways."""
    try:
        _compile_legacy_regex(source, "")
    except ConfigError:
        return False
    return _reads_the_same(_origin_readings(source))


def _host_globs(source: str, readings: list[tuple[str, bool, bool]]) -> list[str]:
    """``scheme://host:*`` for each host *source* spells literally, if together they let in
    exactly the candidates flask-cors let in; else ``[]``."""
    literal = re.sub(r"\\(.)", r"\1", source).lower()
    globs: dict[str, None] = {}
    for candidate, theirs, _ in readings:
        parsed = parse_serialized_origin(candidate)
        if theirs and parsed is not None and parsed[1] in literal:
            globs[f"{parsed[0]}://{parsed[1]}:*"] = None
    if not globs or len(globs) > _MAX_GLOBS or not all(_accepted(glob) for glob in globs):
        return []
    matcher = compile_origins(list(globs), "")
    if any((matcher.refusal(candidate) is None) != theirs for candidate, theirs, _ in readings):
        return []
    return list(globs)
