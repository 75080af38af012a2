"""The origin allow-list: parsed and validated once, matched per request in a few lookups.

Kinds of entries, cheapest first:

* exact serialized origins (``https://app.example.com``): a set lookup;
* ``"*"``: any origin;
* ``"null"``: the opaque origin of sandboxed frames and ``file:`` pages, only when listed (F35);
* subdomain globs (``https://*.example.com``): one or more labels on label boundaries, found by
  looking up each parent domain of the request host in a set, so the cost does not grow with the
  number of globs;
* compiled regular expressions, matched with ``fullmatch`` (never as a prefix);
* callables ``(origin) -> bool`` for allow-lists that live elsewhere.

A request ``Origin`` that is not a browser-serialized origin never reaches the globs, regexes or
callables, and is never echoed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Callable, Union

from ._http import DEFAULT_PORTS, escape_for_log, parse_serialized_origin
from .errors import ConfigError, warn_deprecated

logger = logging.getLogger("flask_crossorigin")

#: What users may pass as one origin entry.
OriginSpec = Union[str, "re.Pattern[str]", Callable[[str], Any]]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_HOST = re.compile(r"[a-z0-9_](?:[a-z0-9_\-.]*[a-z0-9_])?")
_IPV6 = re.compile(r"\[[0-9a-fA-F:.]+\]")
#: Characters that made flask-cors treat an origin string as a regular expression.
_REGEX_HINTS = frozenset("\\^$?+[](){}|*")
#: An IPv6 origin's brackets are not a regex character class.
_IPV6_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\[[0-9A-Fa-f:.]+\](?::[0-9]+)?")
_PLACEHOLDER = "wildcard-label."
_GLOB = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://\*\.(?P<rest>[^*]+)")


class OriginMatcher:
    """A compiled allow-list of origins.

    Built by :func:`compile_origins`; the request path only calls :meth:`refusal`.
    """

    __slots__ = ("_callables", "_globs", "_patterns", "allow_null", "any", "display", "exact")

    def __init__(
        self,
        *,
        any_origin: bool = False,
        exact: Iterable[str] = (),
        allow_null: bool = False,
        globs: Iterable[tuple[str, str | None, str]] = (),
        patterns: Iterable[re.Pattern[str]] = (),
        callables: Iterable[Callable[[str], Any]] = (),
        display: tuple[str, ...] = (),
    ) -> None:
        self.any = any_origin
        self.exact = frozenset(exact)
        self.allow_null = allow_null
        self._globs = frozenset(globs)
        self._patterns = tuple(patterns)
        self._callables = tuple(callables)
        self.display = display

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
            return "origin_malformed"
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
        dot = host.find(".")
        while dot > 0:
            if (scheme, port, host[dot:]) in self._globs:
                return True
            dot = host.find(".", dot + 1)
        return False


def compile_origins(value: Any, label: str) -> OriginMatcher:
    """Validate and normalise the ``origins`` option into an :class:`OriginMatcher`.

    *label* says where the value came from (``CORS(origins=...)``, ``app.config['CORS_ORIGINS']``)
    so that every :class:`ConfigError` points at the line to change.
    """
    items: list[Any]
    if isinstance(value, (str, re.Pattern)) or callable(value):
        items = [value]
    elif isinstance(value, Iterable):
        items = list(value)
    else:
        raise ConfigError(
            f"{label}={value!r}: origins must be a string, a compiled regex, a callable or a list "
            f"of those, not {type(value).__name__}. Write for example "
            "origins=['https://app.example.com']."
        )
    any_origin = False
    allow_null = False
    exact: list[str] = []
    globs: list[tuple[str, str | None, str]] = []
    patterns: list[re.Pattern[str]] = []
    callables: list[Callable[[str], Any]] = []
    display: list[str] = []
    for item in items:
        if isinstance(item, re.Pattern):
            if not isinstance(item.pattern, str):
                raise ConfigError(f"{label}: {item!r} is a bytes pattern; compile a str pattern.")
            patterns.append(item)
            display.append(f"re.compile({item.pattern!r})")
        elif isinstance(item, str):
            if item != item.strip() or any(ch.isspace() for ch in item):
                normalise_origin(item, label)  # raises, with the spelling that works
            if item == "*":
                any_origin = True
                display.append("*")
            elif item == "null":
                allow_null = True
                display.append("null")
            elif _GLOB.fullmatch(item.strip()) and item == item.strip():
                glob = _parse_glob(item, label)
                globs.append(glob)
                scheme, port, suffix = glob
                display.append(f"{scheme}://*{suffix}" + (f":{port}" if port else ""))
            elif "*" in item and not _REGEX_HINTS.difference("*").intersection(item):
                raise ConfigError(_misplaced_wildcard(item, label))
            elif _REGEX_HINTS.intersection(item) and not _IPV6_ORIGIN.fullmatch(item):
                patterns.append(_compile_legacy_regex(item, label))
                display.append(f"re.compile({item!r})")
            else:
                normalised = normalise_origin(item, label)
                exact.append(normalised)
                display.append(normalised)
        elif callable(item):
            callables.append(item)
            display.append(f"<callable {getattr(item, '__qualname__', repr(item))}>")
        else:
            raise ConfigError(
                f"{label}: {item!r} is not an origin. Each entry must be a string such as "
                "'https://app.example.com', a compiled regex, or a callable taking the origin."
            )
    return OriginMatcher(
        any_origin=any_origin,
        exact=exact,
        allow_null=allow_null,
        globs=globs,
        patterns=patterns,
        callables=callables,
        display=tuple(display),
    )


def normalise_origin(value: str, label: str) -> str:
    """Return the serialized form of a configured origin, or raise :class:`ConfigError`.

    Browsers compare ``Access-Control-Allow-Origin`` byte for byte with the serialized origin
    (F13), so a configured ``https://Example.com:443/`` would never match anything: we either
    normalise it (case, default port) or refuse it with the spelling that works.
    """
    if value != value.strip() or any(ch.isspace() for ch in value):
        raise ConfigError(
            f"{label}: {value!r} contains whitespace, so it can never equal a browser's Origin "
            f"(scheme://host[:port]). Write {''.join(value.split())!r}."
        )
    if "://" not in value:
        raise ConfigError(
            f"{label}: {value!r} has no scheme, so it can never equal the Origin a browser sends "
            f"(scheme://host[:port]). Write 'https://{value}' (or 'http://{value}' for plain "
            "HTTP)."
        )
    scheme, rest = value.split("://", 1)
    if not _SCHEME.fullmatch(scheme):
        raise ConfigError(f"{label}: {value!r} has an invalid scheme {scheme!r}.")
    scheme = scheme.lower()
    if "@" in rest:
        raise ConfigError(
            f"{label}: {value!r} contains userinfo ('user@'); browsers never send it in Origin. "
            f"Write {scheme + '://' + rest.split('@', 1)[1].split('/', 1)[0]!r}."
        )
    for sep in "/?#":
        if sep in rest:
            hostport = rest.split(sep, 1)[0]
            raise ConfigError(
                f"{label}: {value!r} has a path, query or trailing slash; an origin is only "
                f"scheme://host[:port], so it would never match. Write '{scheme}://{hostport}'."
            )
    host, port = _split_port(rest, value, label)
    host = host.lower() if _IPV6.fullmatch(host) else _ascii_host(host, value, label)
    if port is not None and DEFAULT_PORTS.get(scheme) == port:
        port = None
    result = f"{scheme}://{host}" + (f":{port}" if port is not None else "")
    if parse_serialized_origin(result) is None:  # pragma: no cover - defensive
        raise ConfigError(f"{label}: {value!r} is not a valid origin.")
    return result


def _split_port(rest: str, value: str, label: str) -> tuple[str, str | None]:
    if rest.startswith("["):
        end = rest.find("]")
        host, tail = rest[: end + 1], rest[end + 1 :]
        if end < 0 or (tail and not tail.startswith(":")):
            raise ConfigError(f"{label}: {value!r} has a malformed IPv6 host.")
        port = tail[1:] if tail else None
    elif ":" in rest:
        host, port = rest.rsplit(":", 1)
    else:
        host, port = rest, None
    if port is not None:
        if not port.isdigit() or not port.isascii() or int(port) > 65535:
            raise ConfigError(
                f"{label}: {value!r} has the port {port!r}, which is not a number from 0 to 65535. "
                "Write the real port (e.g. 'http://localhost:3000'), or use "
                r"re.compile(r'http://localhost(:\d+)?') to allow any port."
            )
        port = str(int(port))
    if not host:
        raise ConfigError(f"{label}: {value!r} has no host.")
    return host, port


def _ascii_host(host: str, value: str, label: str) -> str:
    host = host.lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ConfigError(f"{label}: {value!r} has a host that is not valid: {exc}.") from exc
    if not _HOST.fullmatch(host) or ".." in host:
        raise ConfigError(
            f"{label}: {value!r} has the host {host!r}, which is not a valid host name."
        )
    return host


def _misplaced_wildcard(item: str, label: str) -> str:
    """The message for a ``*`` that is neither ``'*'`` nor one leading subdomain label."""
    if "://" not in item:
        return (
            f"{label}: {item!r} has no scheme, so it can never match a browser's Origin. "
            f"Write 'https://{item}' (or 'http://{item}')."
        )
    if item.rstrip("/").endswith(":*"):
        base = item.rstrip("/")[:-2]
        return (
            f"{label}: {item!r} uses '*' for the port, which origins do not support. List the "
            rf"ports, or pass a regex: re.compile(r'{re.escape(base)}(:\d+)?')."
        )
    return (
        f"{label}: {item!r} uses '*' where it is not supported. A wildcard may only be one "
        "leading label, as in 'https://*.example.com' (any subdomain, one or more labels deep); "
        "for anything else pass a compiled regex."
    )


def _parse_glob(item: str, label: str) -> tuple[str, str | None, str]:
    """Parse ``scheme://*.example.com[:port]`` into ``(scheme, port, '.example.com')``."""
    try:
        normalised = normalise_origin(item.replace("*.", _PLACEHOLDER, 1), label)
    except ConfigError as exc:
        raise ConfigError(str(exc).replace(_PLACEHOLDER, "*.")) from None
    scheme, rest = normalised.split("://", 1)
    host, _, port = rest.partition(":")
    suffix = host[len(_PLACEHOLDER) - 1 :]
    if "." not in suffix[1:] and suffix != ".localhost":
        raise ConfigError(
            f"{label}: {item!r} would allow every site under the top-level domain {suffix!r}. "
            f"Name the registrable domain, e.g. '{scheme}://*.example{suffix}'."
        )
    return scheme, port or None, suffix


def _compile_legacy_regex(item: str, label: str) -> re.Pattern[str]:
    try:
        pattern = re.compile(item)
    except re.error as exc:
        raise ConfigError(
            f"{label}: {item!r} looks like a regular expression but does not compile ({exc}). "
            "Fix the pattern, or list exact origins."
        ) from exc
    warn_deprecated(
        f"The origin {item!r} is treated as a regular expression because it contains regex "
        "characters. flask-crossorigin matches it against the whole Origin (fullmatch), never as "
        "a prefix. Pass re.compile(...) to say so explicitly, or use a subdomain glob such as "
        "'https://*.example.com'."
    )
    return pattern
