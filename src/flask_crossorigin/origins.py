"""The origin allow-list: parsed and validated once, matched per request in a few lookups.

Kinds of entries, cheapest first:

* exact serialized origins (``https://app.example.com``): a set lookup; a request ``Origin`` in
  upper or mixed case matches too (flask-cors compares ignoring case) and is echoed as sent;
  globs, regexes and callables then see it in lower case, as a browser would have sent it;
* ``"*"``: any origin;
* ``"null"``: the opaque origin of sandboxed frames and ``file:`` pages, only when listed (F35);
* any-port globs (``http://localhost:*``): that scheme and host on any port, a set lookup;
* subdomain globs (``https://*.example.com``, optionally ``:*`` for any port): one or more labels
  on label boundaries, found by looking up each parent domain of the request host in a set, so
  the cost does not grow with the number of globs;
* regular expressions, compiled or strings that flask-cors 6 reads as one (they contain one of
  ``* \\ ] ? $ ^ [ ( )``), matched with ``fullmatch`` (never as a prefix), strings ignoring case;
* callables ``(origin) -> bool`` for allow-lists that live elsewhere.

A request ``Origin`` that is not a serialized origin (case aside) never reaches the globs, regexes
or callables, and is never echoed.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Union

from ._http import (
    DEFAULT_PORTS,
    escape_for_log,
    looks_like_regex,
    parse_origin_ignoring_case,
    parse_serialized_origin,
)
from .errors import ConfigError, ProblemCollector, warn_deprecated

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
#: (no trusted site has one), then under public suffixes where anyone can register or deploy.
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


class OpenEntry(NamedTuple):
    """An allow-list entry that lets strangers in, and who: for refusing it with credentials."""

    shown: str
    who: str


class OriginMatcher:
    """A compiled allow-list of origins.

    Built by :func:`compile_origins`; the request path only calls :meth:`refusal`.
    """

    __slots__ = (
        "_any_port",
        "_callables",
        "_glob_list",
        "_globs",
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
            return None if self.allow_null else "origin_null_not_allowed"
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
        for check in self._callables:
            try:
                if check(origin):
                    return None
            except Exception:
                logger.warning(
                    "origin callable %r raised for Origin %s; refusing the origin",
                    check,
                    escape_for_log(origin),
                    exc_info=True,
                )
                return "origin_callable_failed"
        return "origin_not_allowed"

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

    def open_entry(self) -> OpenEntry | None:
        """The first entry that lets anyone in, and who; ``None`` if every entry names sites.

        Set-up only (credentials make such an entry a hole): a regex is tried on random origins
        under the reserved ``.invalid`` domain, which no trusted site can have, and under a few
        public suffixes (``com``, ``vercel.app``, ...); a subdomain glob is checked against the
        Public Suffix List, loaded only now.
        """
        if self.any:
            return OpenEntry("'*'", "every website")
        token = secrets.token_hex(6)
        for pattern, shown in zip(self._patterns, self._shown_patterns):
            for suffix in _PROBE_SUFFIXES:
                for scheme in _PROBE_SCHEMES:
                    probe = f"{scheme}://{token}.{suffix}"
                    if not pattern.fullmatch(probe):
                        continue
                    if suffix == "invalid":
                        who = f"every website (it matches any origin, e.g. {probe!r})"
                    else:
                        who = (
                            f"anyone: it matches any site under the public suffix {suffix!r} "
                            f"(e.g. {probe!r}), where anyone can register or deploy a site"
                        )
                    return OpenEntry(shown, who)
        for (_, _, suffix), shown in zip(self._glob_list, self._shown_globs):
            base = suffix[1:]
            if _is_public_suffix(base):
                return OpenEntry(
                    shown,
                    f"anyone: {base!r} is a public suffix (Public Suffix List), where anyone "
                    "can register or deploy a site",
                )
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
                    shown_patterns.append(repr(item))
                    display.append(f"re.compile({item!r})")
                else:
                    normalised = normalise_origin(item, label)
                    exact.append(normalised)
                    display.append(normalised)
            elif callable(item):
                callables.append(item)
                display.append(f"<callable {getattr(item, '__qualname__', repr(item))}>")
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
    host = host.lower() if _IPV6.fullmatch(host) else _ascii_host(host, value, label)
    if port is not None and DEFAULT_PORTS.get(scheme) == port:
        port = None
    result = f"{scheme}://{host}" + (f":{port}" if port is not None else "")
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
    warn_deprecated(
        f"The origin {item!r} is treated as a regular expression because it contains one of "
        "* \\ ] ? $ ^ [ ( ), as in flask-cors. flask-crossorigin matches it against the whole "
        "Origin ignoring case (flask-cors matched a prefix). Pass re.compile(...) to say so "
        "explicitly, or use a glob such as 'https://*.example.com' or 'http://localhost:*'."
    )
    return pattern
