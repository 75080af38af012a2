"""Small HTTP grammar and logging helpers shared by the core.

Everything here is framework-free and, but for :func:`log_safely`, side-effect free. The
functions exist so that every place which decides whether a request value may be echoed into a
response header or a log line uses one grammar: a value that fails these checks is never written
anywhere raw, and no log call made while answering a request can raise.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import sys
import traceback
from typing import Any

#: RFC 9110 token (``tchar``): method names and header field names must match this.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

#: A serialized origin as browsers send it (RFC 6454 / Fetch): lower-case scheme and host, no path,
#: no userinfo, an optional decimal port. IPv6 literals are bracketed. Browsers send punycode, so
#: the host alphabet is ASCII.
_SERIALIZED_ORIGIN = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.\-]*)://"
    r"(?P<host>\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_\-.]*[a-z0-9_])?)"
    r"(?::(?P<port>[0-9]{1,5}))?"
)

#: Ports that a serialized origin omits; ``https://example.com:443`` is never sent by a browser.
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}

#: The last label of a host that makes the URL parser read the host as an IPv4 address ("ends in a
#: number": all digits, or ``0x`` and hex digits); the address is then serialized anew.
_NUMBER_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")

#: DNS limits on a host name and on each of its labels (RFC 1035).
_MAX_HOST = 253
_MAX_LABEL = 63

#: Escaped request values are cut to this many characters in log lines and debug headers.
_LOG_LIMIT = 200

#: The characters that make flask-cors 6 read a configured string (an origin, a header name, a
#: resource path) as a regular expression. Others (``.``, ``+``, ``{``, ``}``, ``|``) do not:
#: ``r".+"`` is a literal there, and must stay one here, or the same config would mean more.
REGEX_HINTS = frozenset("*\\]?$^[()")


def is_token(value: str) -> bool:
    """Whether *value* is an RFC 9110 token (a valid method or header name)."""
    return _TOKEN.fullmatch(value) is not None


def looks_like_regex(value: str) -> bool:
    """Whether flask-cors 6 reads the configured string *value* as a regular expression."""
    return not REGEX_HINTS.isdisjoint(value)


def parse_serialized_origin(value: str) -> tuple[str, str, str | None] | None:
    """Split a browser-sent origin into ``(scheme, host, port)``, or ``None`` if malformed.

    Only the exact serialization a browser produces passes: this is the gate a request's
    ``Origin`` must clear before it may be compared with globs, regexes or callables, or echoed.
    The URL standard serializes a port without leading zeros and omits the scheme's default; a
    host ending in a number is an IPv4 address, written as four decimal numbers (``127.1``,
    ``0x7f.0.0.1``, ``1.2.3.04`` and ``999.999.999.999`` are never sent); an IPv6 address is
    written compressed (``[::1]``, never ``[0:0::1]``). Past a look at the port's first digit and
    the host's last label, that work is done only for a port starting with ``0``, a host whose
    last label is a number, and a bracketed host. (The policy's exact-origin lookups come first
    and never get here.)
    """
    match = _SERIALIZED_ORIGIN.fullmatch(value)
    if match is None:
        return None
    scheme, host, port = match.group("scheme", "host", "port")
    if port is not None and (
        int(port) > 65535
        or DEFAULT_PORTS.get(scheme) == port
        or (port[0] == "0" and len(port) > 1)  # '0443' is 443 written by hand, not by a browser
    ):
        return None
    if ".." in host:
        return None
    if host[0] == "[":
        if not is_serialized_ipv6(host[1:-1]):
            return None
    else:
        if len(host) > _MAX_HOST or any(len(label) > _MAX_LABEL for label in host.split(".")):
            return None  # longer than DNS allows: no browser sends it
        if ends_in_number(host) and not is_serialized_ipv4(host):
            return None
    return scheme, host, port


def ends_in_number(host: str) -> bool:
    """Whether the URL parser reads the (lower-case, bracketless) *host* as an IPv4 address."""
    return _NUMBER_LABEL.fullmatch(host[host.rfind(".") + 1 :]) is not None


def is_serialized_ipv4(host: str) -> bool:
    """Whether *host* is an IPv4 address as the URL standard writes it: ``d.d.d.d``, each part
    0-255 in decimal without leading zeros (``127.0.0.1``; never ``127.1`` or ``010.0.0.1``)."""
    parts = host.split(".")
    return len(parts) == 4 and all(
        part.isascii()
        and part.isdigit()
        and (part == "0" or part[0] != "0")
        and len(part) <= 3
        and int(part) <= 255
        for part in parts
    )


def is_serialized_ipv6(address: str) -> bool:
    """Whether *address* (without brackets) is an IPv6 address as the URL standard writes it."""
    return serialize_ipv6(address) == address


def serialize_ipv6(address: str) -> str | None:
    """The URL standard's serialization of the IPv6 *address* (no brackets), or ``None``.

    Lower-case hex pieces without leading zeros, the first longest run of two or more zero pieces
    written ``::``, and never the dotted IPv4 tail (``::ffff:1.2.3.4`` is ``::ffff:102:304``).
    Written out here rather than taken from :mod:`ipaddress`, whose ``str()`` of IPv4-mapped
    addresses differs between Python versions.
    """
    try:
        packed = ipaddress.IPv6Address(address).packed
    except ValueError:
        return None
    pieces = [f"{packed[i] << 8 | packed[i + 1]:x}" for i in range(0, 16, 2)]
    start, length = -1, 1
    index = 0
    while index < 8:
        end = index
        while end < 8 and pieces[end] == "0":
            end += 1
        if end - index > length:
            start, length = index, end - index
        index = end + 1
    if start < 0:
        return ":".join(pieces)
    return ":".join(pieces[:start]) + "::" + ":".join(pieces[start + length :])


def parse_origin_ignoring_case(value: str) -> tuple[str, str, str | None] | None:
    """Like :func:`parse_serialized_origin`, but also for an origin in upper or mixed case.

    Browsers send lower case; other clients may not, and flask-cors compares origins ignoring
    case. Only the case differs from what a browser sends, so the value is as safe to echo.
    """
    parsed = parse_serialized_origin(value)
    if parsed is None and not value.islower() and value.isascii():
        # ASCII only: the Kelvin sign lower-cases to 'k', and must not pass for one.
        parsed = parse_serialized_origin(value.lower())
    return parsed


def escape_for_log(value: str | None) -> str:
    """Render a request value safely for a log line or a debug header.

    Control characters, non-ASCII and quotes are backslash-escaped so an attacker cannot forge log
    lines (the flask-cors CVE-2024-1681 class) or split headers; long values are cut.
    """
    if value is None:
        return "<absent>"
    cut = value[:_LOG_LIMIT]
    escaped = cut.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    suffix = f"...(+{len(value) - _LOG_LIMIT} chars)" if len(value) > _LOG_LIMIT else ""
    return f'"{escaped}"{suffix}'


def merge_vary(existing: str | None, names: tuple[str, ...]) -> str | None:
    """Return the ``Vary`` value that adds *names* to *existing*, or ``None`` if unchanged.

    ``Vary`` is a list whose members compare case-insensitively; ``*`` already covers everything.
    Existing members keep their spelling and order so that merging never rewrites what the app
    set; empty members are dropped, since a sender must not generate them (RFC 9110, 5.6.1).
    """
    members = [item.strip() for item in (existing or "").split(",")]
    members = [item for item in members if item]
    present = {item.lower() for item in members}
    if "*" in present:
        return None
    missing = [name for name in names if name.lower() not in present]
    if not missing:
        return None
    return ", ".join([*members, *missing])


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
