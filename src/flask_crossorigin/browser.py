"""The browser's half of the CORS protocol, decided the way the Fetch standard decides it.

A server-side CORS policy is only correct if browsers accept what it sends, and browsers explain
their refusals in a console the server developer rarely sees. This module replays the browser's
decisions (does this request preflight? does this preflight answer pass? which response headers
may the page read?) so that tests, a CLI and the documentation can show the exact verdict and the
exact reason, without a browser and without Flask.

The verdict is the standard's unless an engine is named: ``engine="chromium"`` (``"firefox"``,
``"webkit"``) replays the measured ways that engine departs from the standard
(:data:`flask_crossorigin.engines.DEPARTURES`), and :func:`simulate_engines` runs every engine
and says where, and why, their verdicts differ.

Rule ids such as ``F16`` refer to the project's page of the Fetch CORS rules (``flask cors
explain F16`` prints one, ``flask cors explain --page fetch-rules`` the page). Everything here is
pure and stdlib-only; odd input (duplicate or empty headers, non-ASCII values, nonsense
statuses) becomes a failure with a reason, never an exception.
"""

from __future__ import annotations

import contextlib
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from urllib.parse import SplitResult, urljoin, urlsplit

from .engines import ENGINES, Departure, departs, departure, parse_engines

__all__ = [
    "CHROMIUM_MAX_AGE_LIMIT",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_AGE",
    "FIREFOX_MAX_AGE_LIMIT",
    "MAX_REDIRECTS",
    "REASONS",
    "BrowserRequest",
    "CheckResult",
    "EngineVerdicts",
    "Headers",
    "PreflightNeed",
    "Reason",
    "ServerResponse",
    "Verdict",
    "check_actual",
    "check_preflight",
    "is_safelisted_request_header",
    "needs_preflight",
    "normalize_method",
    "preflight_request_headers",
    "replaying",
    "simulate",
    "simulate_engines",
]

#: Where a bare path such as ``/items`` is taken to live; it is the origin Werkzeug's test client
#: uses, so a simulation against ``app.test_client()`` sees the URLs the client would.
DEFAULT_BASE_URL = "http://localhost"

#: Seconds a preflight result is cached when Access-Control-Max-Age is absent or unparsable (F19).
DEFAULT_MAX_AGE = 5

#: Chromium (since v76) never caches a preflight longer than this, whatever the server says (F19).
CHROMIUM_MAX_AGE_LIMIT = 7200

#: Firefox's ceiling; anything above it is pointless for every browser (F19, F43).
FIREFOX_MAX_AGE_LIMIT = 86400

#: A fetch fails once it would follow a 21st redirect (F31).
MAX_REDIRECTS = 20

#: A header list as it travels: ordered (name, value) pairs, duplicates kept, names in any case.
Headers = Sequence[tuple[str, str]]

_ACAO = "Access-Control-Allow-Origin"
_ACAC = "Access-Control-Allow-Credentials"
_ACAM = "Access-Control-Allow-Methods"
_ACAH = "Access-Control-Allow-Headers"
_ACMA = "Access-Control-Max-Age"
_ACEH = "Access-Control-Expose-Headers"

_SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
_NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
_FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
_FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
_METHOD_OVERRIDE_HEADERS = frozenset(
    {"x-http-method", "x-http-method-override", "x-method-override"}
)
_REQUEST_BODY_HEADERS = frozenset(
    {"content-encoding", "content-language", "content-location", "content-type"}
)
_SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
_FORBIDDEN_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})
_SAFELISTED_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

_SAFELIST_VALUE_LIMIT = 128
_SAFELIST_TOTAL_LIMIT = 1024
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SINGLE_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
_DELTA_SECONDS = re.compile(r"[0-9]+")
_UNSAFE_BYTES = frozenset('"():<>?@[\\]{}\x7f')
_LANGUAGE_BYTES = frozenset(string.ascii_letters + string.digits + " *,-.;=")
_HTTP_WHITESPACE = "\t\n\r "
_TAB_OR_SPACE = "\t "
_TO_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_TO_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


# --------------------------------------------------------------------------------------------
# Reasons
# --------------------------------------------------------------------------------------------

# id -> (rule, stage(s), one-line meaning). docs/reasons.md mirrors this table; a test keeps them
# in step, so a new id cannot ship undocumented.
_CATALOGUE: dict[str, tuple[str, str, str]] = {
    "invalid_method": (
        "F7",
        "request",
        "The method is not an HTTP token; fetch() throws before anything is sent.",
    ),
    "forbidden_method": (
        "F7",
        "request",
        "CONNECT, TRACE and TRACK cannot be sent by a page; fetch() throws.",
    ),
    "invalid_header": (
        "",
        "request",
        "A header name is not a token, or its value holds NUL, CR, LF or a character above "
        "U+00FF; fetch() throws.",
    ),
    "body_not_allowed": (
        "",
        "request",
        "A GET or HEAD request was given a body; fetch() throws.",
    ),
    "url_not_http": (
        "F27",
        "request, redirect",
        "The request URL, or a redirect's target, is not an http(s) URL.",
    ),
    "url_has_credentials": (
        "F28",
        "request, redirect",
        "The request URL, or a redirect's target, embeds a username or password.",
    ),
    "preflight_redirect": (
        "F14",
        "preflight",
        "The preflight was answered with a redirect; preflights never follow redirects.",
    ),
    "preflight_status_not_ok": (
        "F14",
        "preflight",
        "The preflight response's status is outside 200-299.",
    ),
    "acao_missing": (
        "F13",
        "preflight, actual",
        "The response has no Access-Control-Allow-Origin header.",
    ),
    "acao_multiple": (
        "F25",
        "preflight, actual",
        "Access-Control-Allow-Origin is repeated or holds a comma-separated list.",
    ),
    "acao_invalid": (
        "F25",
        "preflight, actual",
        "Access-Control-Allow-Origin is not '*', 'null' or an origin (e.g. empty).",
    ),
    "acao_mismatch": (
        "F13",
        "preflight, actual",
        "Access-Control-Allow-Origin names another origin than the requesting one "
        "(byte-exact: case, trailing slash and default port all count).",
    ),
    "acao_wildcard_with_credentials": (
        "F13",
        "preflight, actual",
        "Access-Control-Allow-Origin is '*' but the request includes credentials.",
    ),
    "acac_missing": (
        "F13",
        "preflight, actual",
        "The request includes credentials but Access-Control-Allow-Credentials is absent.",
    ),
    "acac_invalid": (
        "F13",
        "preflight, actual",
        "The request includes credentials but Access-Control-Allow-Credentials is not exactly "
        "'true' (e.g. 'True', or sent twice).",
    ),
    "acam_invalid": (
        "F15",
        "preflight",
        "Access-Control-Allow-Methods does not parse as a comma-separated list of tokens.",
    ),
    "acah_invalid": (
        "F15",
        "preflight",
        "Access-Control-Allow-Headers does not parse as a comma-separated list of tokens.",
    ),
    "method_not_allowed": (
        "F15",
        "preflight",
        "The method is not CORS-safelisted and Access-Control-Allow-Methods does not list it "
        "(byte-exact, so 'patch' is not 'PATCH').",
    ),
    "method_wildcard_with_credentials": (
        "F18",
        "preflight",
        "Access-Control-Allow-Methods relies on '*', which is literal when credentials are "
        "included.",
    ),
    "header_not_allowed": (
        "F17",
        "preflight",
        "A CORS-unsafe request header is not listed in Access-Control-Allow-Headers.",
    ),
    "header_wildcard_with_credentials": (
        "F18",
        "preflight",
        "Access-Control-Allow-Headers relies on '*', which is literal when credentials are "
        "included.",
    ),
    "authorization_not_covered_by_wildcard": (
        "F16",
        "preflight",
        "The request sends Authorization and Access-Control-Allow-Headers has '*' but does not "
        "name Authorization; the wildcard never covers it.",
    ),
    "redirect_location_invalid": (
        "F27",
        "redirect",
        "A redirect's Location header is repeated or is not a URL.",
    ),
    "too_many_redirects": (
        "F31",
        "redirect",
        "The request was redirected more than 20 times.",
    ),
}

#: Every reason id this module can produce, mapped to a one-line meaning. Ids are stable: tools
#: and documentation key on them.
REASONS: Mapping[str, str] = MappingProxyType({k: v[2] for k, v in _CATALOGUE.items()})


@dataclass(frozen=True)
class Reason:
    """Why the browser refused, in a form both programs and people can use.

    ``id`` is stable (see :data:`REASONS`) so tools can branch on it; ``message`` is the sentence
    a browser console would show, because that is the text developers search for; ``fix`` starts
    as a generic hint and is meant to be replaced by callers that know the server's actual policy
    (see :meth:`with_fix`). ``stage`` is one of ``request``, ``preflight``, ``actual`` or
    ``redirect``; ``rule`` cites a Fetch rule (``flask cors explain F13``), empty when none
    covers it. ``values`` are the request's values the refusal is about (``url``, ``origin``,
    and where they apply ``value``, ``method``, ``header``, ``status``), the placeholders of an
    engine's own console line (:func:`flask_crossorigin.engines.console_line`); they take no
    part in comparing reasons.
    """

    id: str
    stage: str
    message: str
    fix: str
    rule: str = ""
    values: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def with_fix(self, fix: str) -> Reason:
        """Return a copy carrying a policy-specific hint; reasons are shared, so never mutate."""
        return replace(self, fix=fix)


# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowserRequest:
    """The request as the page's script asks for it, before the browser adds or strips anything.

    ``origin`` is the page's origin (``'null'`` for sandboxed or ``file:`` pages); it is
    serialized the way a browser would, so ``'https://App.example:443/'`` becomes
    ``'https://app.example'``. ``url`` may be absolute or a path below :data:`DEFAULT_BASE_URL`.
    ``headers`` are what the script sets; forbidden ones (``Cookie``, ``Origin``, ...) are dropped
    like a browser drops them. ``content_type`` describes a body: ``None`` means no body, ``''`` a
    body without a type (an ArrayBuffer), anything else the type the body implies (a string body
    implies ``'text/plain;charset=UTF-8'``); it becomes the Content-Type header unless ``headers``
    already has one. ``credentials`` is ``credentials: 'include'``. ``force_preflight`` models
    the use-CORS-preflight flag (e.g. an XHR upload listener, F11).
    """

    origin: str
    url: str
    method: str = "GET"
    headers: Headers = ()
    credentials: bool = False
    content_type: str | None = None
    force_preflight: bool = False

    def __post_init__(self) -> None:
        # Freeze the header list so a caller mutating its list cannot change a past verdict.
        object.__setattr__(self, "headers", tuple(self.headers))


@dataclass(frozen=True)
class ServerResponse:
    """What came back over the wire: status and headers in order, duplicates kept.

    Duplicates matter (two Access-Control-Allow-Origin lines fail, F25), so this is a list of
    pairs, not a mapping. A response is treated as a redirect when its status is a redirect
    status and it has a Location header, which is exactly when a browser would follow it.
    """

    status: int
    headers: Headers = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", tuple(self.headers))


@dataclass(frozen=True)
class PreflightNeed:
    """Whether the browser would preflight, and the evidence, so a user can change the request.

    ``method`` is the method as sent (and as Access-Control-Request-Method, F7);
    ``request_headers`` the CORS-unsafe header names as Access-Control-Request-Headers lists them
    (F4); ``dropped_headers`` the forbidden names the browser silently discards. When the script's
    request cannot even be constructed, ``error`` says why and nothing is sent.
    """

    needed: bool
    why: tuple[str, ...]
    method: str
    request_headers: tuple[str, ...]
    dropped_headers: tuple[str, ...] = ()
    error: Reason | None = None

    @property
    def access_control_request_headers(self) -> str:
        """The header value byte for byte, because servers that compare strings see exactly it."""
        return ",".join(self.request_headers)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of checking one response; ``reason`` is set exactly when ``ok`` is false.

    ``readable_headers`` (lower-case, sorted) are the response header names script can read
    after an accepted actual response (F24). ``preflight_cache_seconds`` is how long Chromium
    would reuse an accepted preflight (F19). ``notes`` hold non-fatal observations worth showing.
    ``departures`` are the classes of :data:`~flask_crossorigin.engines.DEPARTURES` by which
    the engine checked departs from the standard's answer here.
    """

    ok: bool
    reason: Reason | None = None
    readable_headers: tuple[str, ...] = ()
    preflight_cache_seconds: int | None = None
    notes: tuple[str, ...] = ()
    departures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The end-to-end story of one fetch(): what was sent, what came back, and the outcome.

    ``steps`` are short lines meant for a terminal; ``status`` and ``readable_headers`` describe
    the response the page finally sees (unset when it is blocked). ``engine`` is the engine
    simulated (``spec``: the Fetch standard), and ``departures`` the classes of
    :data:`~flask_crossorigin.engines.DEPARTURES` that changed something in this fetch, in
    the order they did: what explains a verdict that differs from the standard's.
    """

    allowed: bool
    reason: Reason | None
    steps: tuple[str, ...]
    status: int | None = None
    readable_headers: tuple[str, ...] = ()
    engine: str = "spec"
    departures: tuple[str, ...] = ()

    @property
    def outcome(self) -> tuple[bool, str | None, int | None]:
        """What two engines must share to agree: allowed, the reason id, the final status."""
        return self.allowed, None if self.reason is None else self.reason.id, self.status


# --------------------------------------------------------------------------------------------
# Small helpers (byte semantics on str: a header value is a latin-1 string here)
# --------------------------------------------------------------------------------------------


def _lower(text: str) -> str:
    # Fetch lowercases bytes, not Unicode; str.lower() would also fold e.g. 'İ'.
    return text.translate(_TO_LOWER)


def _upper(text: str) -> str:
    return text.translate(_TO_UPPER)


def _is_token(text: str) -> bool:
    return _TOKEN.fullmatch(text) is not None


def _is_byte_string(text: str) -> bool:
    return all(ord(char) <= 0xFF for char in text)


def _has_unsafe_byte(value: str) -> bool:
    return any((ord(c) < 0x20 and c != "\t") or c in _UNSAFE_BYTES for c in value)


def _values(headers: Headers, name: str) -> list[str]:
    # HTTP parsing strips surrounding whitespace from field values, so a server's stray space
    # must not turn a match into a mismatch here when it would not in a browser.
    wanted = _lower(name)
    return [value.strip(_TAB_OR_SPACE) for key, value in headers if _lower(key) == wanted]


def _get(headers: Headers, name: str) -> str | None:
    # Fetch's "get": all values joined with ", ", which is what makes duplicates fail.
    values = _values(headers, name)
    return ", ".join(values) if values else None


def _parse_list(values: list[str]) -> tuple[bool, list[str] | None]:
    """Parse a '#token' header; (False, None) is the spec's failure, (True, None) absence."""
    if not values:
        return True, None
    items: list[str] = []
    for value in values:
        for raw in value.split(","):
            item = raw.strip(_TAB_OR_SPACE)
            if not item:
                continue
            if not _is_token(item):
                return False, None
            items.append(item)
    return True, items


def _decimal_le(a: str, b: str) -> bool:
    # Compare digit strings without int(): Python refuses very long ones (int_max_str_digits).
    a, b = a.lstrip("0") or "0", b.lstrip("0") or "0"
    return (len(a), a) <= (len(b), b)


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        return None
    return parts


def _origin_of(url: str) -> str | None:
    """Serialize the origin of an absolute URL; None for URLs with an opaque origin."""
    parts = _split(url.strip())
    if parts is None:
        return None
    scheme = _lower(parts.scheme)
    host = parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def _serialize_origin(origin: str) -> str:
    text = origin.strip()
    if text == "null":
        return text
    serialized = _origin_of(text)
    # An unparsable origin is kept verbatim so the user sees their own input in the messages.
    return serialized if serialized is not None else text


def _same_origin(a: str | None, b: str | None) -> bool:
    # Opaque origins ('null') are never the same origin as anything, not even themselves.
    return a is not None and a != "null" and a == b


def _absolute(url: str) -> str:
    parts = _split(url.strip())
    if parts is not None and parts.scheme:
        return url.strip()
    try:
        return urljoin(DEFAULT_BASE_URL + "/", url.strip())
    except ValueError:
        return url


def _includes_credentials(parts: SplitResult) -> bool:
    return bool(parts.username) or bool(parts.password)


def _is_redirect(response: ServerResponse) -> bool:
    return response.status in _REDIRECT_STATUSES and bool(_values(response.headers, "Location"))


def _show(value: str | None) -> str:
    return "absent" if value is None else f"'{value}'"


def _format_headers(headers: Headers) -> str:
    return "; ".join(f"{name}: {value}" for name, value in headers) or "no headers"


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --------------------------------------------------------------------------------------------
# Request classification (F6-F10)
# --------------------------------------------------------------------------------------------


def normalize_method(method: str) -> str:
    """Return the method as the browser sends it; only six names are upper-cased (F7).

    Servers that upper-case methods themselves break 'patch', which the browser sends as-is and
    then matches byte-exactly against Access-Control-Allow-Methods.
    """
    upper = _upper(method)
    return upper if upper in _NORMALIZED_METHODS else method


def _unsafe_header_why(name: str, value: str) -> str | None:
    """Explain why (name, value) is not a CORS-safelisted request-header; None if it is (F8)."""
    lname = _lower(name)
    if not _is_byte_string(value):
        return f"'{lname}' has characters outside latin-1, so it is not safelisted (F8)"
    if len(value) > _SAFELIST_VALUE_LIMIT:
        return (
            f"'{lname}' value is {len(value)} bytes, over the {_SAFELIST_VALUE_LIMIT}-byte "
            "limit for safelisted headers (F8)"
        )
    if lname == "accept":
        if _has_unsafe_byte(value):
            return "'accept' value contains a CORS-unsafe byte (F9)"
        return None
    if lname in ("accept-language", "content-language"):
        if any(char not in _LANGUAGE_BYTES for char in value):
            return f"'{lname}' value may only hold letters, digits, space and * , - . ; = (F8)"
        return None
    if lname == "content-type":
        if _has_unsafe_byte(value):
            return "'content-type' value contains a CORS-unsafe byte (F9)"
        essence = _mime_essence(value)
        if essence is None:
            return f"'content-type' value '{value}' is not a parsable MIME type (F8)"
        if essence not in _SAFELISTED_CONTENT_TYPES:
            return (
                f"'content-type' is {essence}; only application/x-www-form-urlencoded, "
                "multipart/form-data and text/plain are safelisted (F8)"
            )
        return None
    if lname == "range":
        match = _SINGLE_RANGE.fullmatch(value)
        if match is None or not (match.group(1) or match.group(2)):
            return f"'range' value '{value}' is not a single bytes=N- or bytes=N-M range (F8)"
        start, end = match.groups()
        if not start:
            return f"'range' value '{value}' is a suffix range, which is never safelisted (F8)"
        if end and not _decimal_le(start, end):
            return f"'range' value '{value}' starts after it ends (F8)"
        return None
    return f"'{lname}' is not a CORS-safelisted request header (F8)"


def _mime_essence(value: str) -> str | None:
    # MIME Sniffing's "parse a MIME type" up to the essence; parameters can never fail it.
    text = value.strip(_HTTP_WHITESPACE)
    slash = text.find("/")
    if slash <= 0:
        return None
    kind = text[:slash]
    subtype = text[slash + 1 :].split(";", 1)[0].rstrip(_HTTP_WHITESPACE)
    if not _is_token(kind) or not _is_token(subtype):
        return None
    return f"{_lower(kind)}/{_lower(subtype)}"


def is_safelisted_request_header(name: str, value: str) -> bool:
    """Tell whether one header can be sent without a preflight, ignoring the 1024-byte budget.

    The budget (F10) depends on the other headers, so use :func:`needs_preflight` for a request.
    """
    return _unsafe_header_why(name, value) is None


def _is_forbidden_request_header(name: str, value: str) -> bool:
    lname = _lower(name)
    if lname in _FORBIDDEN_REQUEST_HEADERS or lname.startswith(("proxy-", "sec-")):
        return True
    if lname in _METHOD_OVERRIDE_HEADERS:
        return any(
            _upper(part.strip(_TAB_OR_SPACE)) in _FORBIDDEN_METHODS for part in value.split(",")
        )
    return False


def _classify(headers: Headers) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the CORS-unsafe request-header names (sorted, lower-case) and why each is unsafe."""
    unsafe: list[str] = []
    potentially_unsafe: list[str] = []
    why: list[str] = []
    total = 0
    for name, value in headers:
        problem = _unsafe_header_why(name, value)
        if problem is None:
            potentially_unsafe.append(name)
            total += len(value)
        else:
            unsafe.append(name)
            why.append(problem)
    if total > _SAFELIST_TOTAL_LIMIT:
        unsafe.extend(potentially_unsafe)
        names = ", ".join(sorted({_lower(n) for n in potentially_unsafe}))
        why.append(
            f"safelisted header values total {total} bytes, over the {_SAFELIST_TOTAL_LIMIT}-"
            f"byte budget, so {names} count as unsafe too (F10)"
        )
    return tuple(sorted({_lower(n) for n in unsafe})), _unique(why)


# --------------------------------------------------------------------------------------------
# One hop of a fetch: the request as the network layer sees it
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hop:
    page_origin: str
    url: str
    first_url: str
    method: str
    headers: tuple[tuple[str, str], ...]
    credentials: bool
    force_preflight: bool
    cross_origin: bool  # response tainting "cors"
    tainted: bool = False  # a cross-origin redirect happened: Origin becomes 'null' (F29)
    engine: str = "spec"
    # The departure classes that changed something so far; one list shared by every hop of a
    # fetch (replace() passes it on), filled by _departs.
    trace: list[str] = field(default_factory=list, compare=False)
    preflighted: bool = False  # an earlier hop of this fetch was preflighted (class C)
    stripped: tuple[tuple[str, str], ...] = ()  # headers a cross-origin redirect removed (E)

    @property
    def origin(self) -> str:
        return "null" if self.tainted else self.page_origin


def _departs(hop: _Hop, cls: str) -> bool:
    """Whether the hop's engine departs from the standard here (class *cls*), noting it if so.

    Each class's hook calls this at the one point the departure changes, and only when the
    standard's answer would otherwise differ, so the trace lists what explains a verdict.
    """
    if not departs(hop.engine, cls):
        return False
    if cls not in hop.trace:
        hop.trace.append(cls)
    return True


def _prepare(
    request: BrowserRequest, engine: str = "spec"
) -> tuple[_Hop, tuple[str, ...], Reason | None]:
    """Turn the script's request into what the network layer sends, as fetch() would.

    Returns the hop, the forbidden header names that were dropped, and the reason fetch() would
    throw, if it would. A ValueError for an engine the simulator does not know.
    """
    if engine not in ENGINES:
        raise ValueError(
            f"unknown engine {engine!r}: simulate one of {', '.join(ENGINES)} "
            "(simulate_engines runs them all)"
        )
    origin = _serialize_origin(request.origin)
    url = _absolute(request.url)
    method = normalize_method(request.method)
    headers: list[tuple[str, str]] = []
    dropped: list[str] = []
    bad_header: tuple[str, str] | None = None
    for name, raw in request.headers:
        value = raw.strip(_HTTP_WHITESPACE)
        problem = _header_problem(name, value)
        if problem is not None:
            bad_header = bad_header or (name, problem)
            continue
        if _is_forbidden_request_header(name, value):
            dropped.append(name)
            continue
        headers.append((name, value))
    content_type = request.content_type
    if content_type and not _values(headers, "Content-Type"):
        headers.append(("Content-Type", content_type))
    if not _values(headers, "Accept"):
        # fetch() adds this before CORS runs, so its 3 bytes count toward the F10 budget.
        headers.append(("Accept", "*/*"))
    parts = _split(url)
    hop = _Hop(
        page_origin=origin,
        url=url,
        first_url=url,
        method=method,
        headers=tuple(headers),
        credentials=request.credentials,
        force_preflight=request.force_preflight,
        cross_origin=not _same_origin(origin, _origin_of(url)),
        engine=engine,
    )
    error: Reason | None = None
    if parts is not None and _includes_credentials(parts):
        error = _request_failure(
            hop,
            "url_has_credentials",
            "The URL embeds a username or password, so no request object can be built from it.",
            "Move the credentials out of the URL, e.g. into an Authorization header.",
        )
    elif not _is_token(request.method):
        error = _request_failure(
            hop,
            "invalid_method",
            f"'{request.method}' is not a valid HTTP method name.",
            "Use a method made of token characters, such as PUT or PATCH.",
        )
    elif _upper(request.method) in _FORBIDDEN_METHODS:
        error = _request_failure(
            hop,
            "forbidden_method",
            f"'{request.method}' is a forbidden method; pages cannot send CONNECT, TRACE or TRACK.",
            "Use another method; no server setting can allow this one.",
        )
    elif bad_header is not None:
        error = _request_failure(
            hop,
            "invalid_header",
            f"Header '{bad_header[0]}' cannot be sent: {bad_header[1]}.",
            "Fix the header in the page's code; this is not a server problem.",
        )
    elif content_type is not None and method in ("GET", "HEAD"):
        error = _request_failure(
            hop,
            "body_not_allowed",
            f"A {method} request cannot have a body.",
            "Send the data in the query string, or use POST.",
        )
    elif parts is None or _lower(parts.scheme) not in ("http", "https"):
        error = _request_failure(
            hop,
            "url_not_http",
            f"'{url}' is not an http(s) URL, so CORS cannot apply to it.",
            "Request an http:// or https:// URL.",
        )
    return hop, tuple(dropped), error


def _header_problem(name: str, value: str) -> str | None:
    if not _is_token(name):
        return "the name is not an HTTP token"
    if not _is_byte_string(value):
        return "the value has characters above U+00FF"
    if any(char in "\0\r\n" for char in value):
        return "the value contains NUL, CR or LF"
    return None


def _need(hop: _Hop, dropped: tuple[str, ...] = ()) -> PreflightNeed:
    unsafe, header_why = _classify(hop.headers)
    why: list[str] = []
    if hop.method not in _SAFELISTED_METHODS:
        if hop.method != _upper(hop.method) and _upper(hop.method) not in _NORMALIZED_METHODS:
            why.append(
                f"method '{hop.method}' is sent as written (only DELETE GET HEAD OPTIONS POST "
                "PUT are upper-cased) and is not CORS-safelisted (F6, F7)"
            )
        else:
            why.append(f"method '{hop.method}' is not GET, HEAD or POST (F6)")
    if hop.force_preflight:
        why.append("the request sets the use-CORS-preflight flag, e.g. an upload listener (F11)")
    why.extend(header_why)
    needed = hop.cross_origin and bool(why)
    if not hop.cross_origin:
        why = ["same-origin request: the CORS protocol does not apply (F1)"]
    return PreflightNeed(
        needed=needed,
        why=tuple(why),
        method=hop.method,
        request_headers=unsafe if needed else (),
        dropped_headers=dropped,
    )


def needs_preflight(request: BrowserRequest) -> PreflightNeed:
    """Decide whether the browser sends an OPTIONS preflight first, and give every cause.

    A cold preflight cache is assumed (F11): a warm one would skip the preflight but never
    change whether the actual request is allowed.
    """
    hop, dropped, error = _prepare(request)
    if error is not None:
        return PreflightNeed(False, (), hop.method, (), dropped, error)
    return _need(hop, dropped)


def _preflight_headers(hop: _Hop, unsafe: tuple[str, ...]) -> list[tuple[str, str]]:
    headers = [
        ("Origin", hop.origin),
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", hop.method),
    ]
    if unsafe:
        headers.append(("Access-Control-Request-Headers", ",".join(unsafe)))
    return headers


def preflight_request_headers(request: BrowserRequest) -> list[tuple[str, str]]:
    """Return the CORS headers of the preflight the browser would send, byte for byte (F4).

    Useful to replay a preflight against a server: these exact values, not a tidied-up version,
    are what a policy sees. Other browser-added headers (``User-Agent``, ``Sec-Fetch-*``) are left
    out because CORS does not depend on them. The answer does not depend on whether a preflight is
    needed.
    """
    hop, _, _ = _prepare(request)
    unsafe, _ = _classify(hop.headers)
    return _preflight_headers(hop, unsafe)


# --------------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------------


def _blocked_prefix(hop: _Hop) -> str:
    redirected = f" (redirected from '{hop.first_url}')" if hop.url != hop.first_url else ""
    return (
        f"Access to fetch at '{hop.url}'{redirected} from origin '{hop.origin}' has been "
        "blocked by CORS policy: "
    )


def _values_of(hop: _Hop, values: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The refusal's values for an engine's console line: the hop's URL and origin, and more."""
    return (("url", hop.url), ("origin", hop.origin), *values.items())


def _failure(hop: _Hop, reason_id: str, stage: str, detail: str, fix: str, **values: str) -> Reason:
    if stage == "preflight":
        message = (
            _blocked_prefix(hop) + "The preflight response did not pass the access control "
            f"check: {detail}"
        )
    elif stage == "redirect":
        message = (
            f"Fetch of '{hop.url}' from origin '{hop.origin}' failed while following a "
            f"redirect: {detail}"
        )
    else:
        message = _blocked_prefix(hop) + detail
    rule = _CATALOGUE[reason_id][0]
    return Reason(reason_id, stage, message, fix, rule, _values_of(hop, values))


def _request_failure(hop: _Hop, reason_id: str, detail: str, fix: str) -> Reason:
    message = (
        f"fetch('{hop.url}') from origin '{hop.origin}' was rejected before any request was "
        f"sent: {detail}"
    )
    rule = _CATALOGUE[reason_id][0]
    return Reason(reason_id, "request", message, fix, rule, _values_of(hop, {"method": hop.method}))


def _acao_fix(hop: _Hop, stage: str, status: int) -> str:
    where = "on the OPTIONS answer too" if stage == "preflight" else "on every response"
    if stage == "actual" and not 200 <= status <= 299:
        where = f"on error responses like this {status} too (F22)"
    alternative = "" if hop.credentials else " (or '*', since the request has no credentials)"
    return f"The server must send 'Access-Control-Allow-Origin: {hop.origin}'{alternative} {where}."


def _mismatch_fix(hop: _Hop, value: str) -> str:
    expected = f"'Access-Control-Allow-Origin: {hop.origin}'"
    if value.rstrip("/") == hop.origin:
        return f"Drop the trailing slash: a serialized origin has none. Send {expected}."
    if _lower(value) == _lower(hop.origin):
        return (
            f"Match the origin's case exactly (the comparison is byte-for-byte). Send {expected}."
        )
    if _serialize_origin(value) == hop.origin:
        return f"Send the origin as browsers serialize it (no path, no default port): {expected}."
    return f"The server must send {expected} for this origin, or not allow it at all."


def _cors_check(hop: _Hop, response: ServerResponse, stage: str) -> Reason | None:
    """The Fetch "CORS check" (F13, F25), with Chromium's finer-grained diagnosis of failures."""
    values = _values(response.headers, _ACAO)
    if not values:
        return _failure(
            hop,
            "acao_missing",
            stage,
            "The response has no 'Access-Control-Allow-Origin' header, so its content is not "
            "shared with this origin.",
            _acao_fix(hop, stage, response.status),
            status=str(response.status),
        )
    value = ", ".join(values)
    if len(values) > 1 or "," in value:
        return _failure(
            hop,
            "acao_multiple",
            stage,
            f"The 'Access-Control-Allow-Origin' header holds several values ('{value}'), but "
            "only one origin or '*' is accepted.",
            "The server must send 'Access-Control-Allow-Origin' once, with one value; look for "
            "a proxy or a second middleware adding its own copy.",
            value=value,
            status=str(response.status),
        )
    if value == "*":
        if not hop.credentials:
            return _credentials_check(hop, response, stage)
        return _failure(
            hop,
            "acao_wildcard_with_credentials",
            stage,
            "The 'Access-Control-Allow-Origin' header is the wildcard '*', which is refused "
            "when the request's credentials mode is 'include'.",
            f"The server must echo 'Access-Control-Allow-Origin: {hop.origin}' with "
            "'Access-Control-Allow-Credentials: true' and 'Vary: Origin', or the page must "
            "stop sending credentials.",
            value=value,
            status=str(response.status),
        )
    if value != hop.origin:
        if value != "null" and _origin_of(value) is None:
            return _failure(
                hop,
                "acao_invalid",
                stage,
                f"The 'Access-Control-Allow-Origin' header value '{value}' is not '*', 'null' "
                "or an origin.",
                f"The server must send 'Access-Control-Allow-Origin: {hop.origin}'.",
                value=value,
                status=str(response.status),
            )
        return _failure(
            hop,
            "acao_mismatch",
            stage,
            f"The 'Access-Control-Allow-Origin' header is '{value}', which is not equal to the "
            f"requesting origin '{hop.origin}'.",
            _mismatch_fix(hop, value),
            value=value,
            status=str(response.status),
        )
    return _credentials_check(hop, response, stage)


def _credentials_check(hop: _Hop, response: ServerResponse, stage: str) -> Reason | None:
    if not hop.credentials:
        return None  # ACAC is ignored without credentials (F26)
    value = _get(response.headers, _ACAC)
    if value is None:
        return _failure(
            hop,
            "acac_missing",
            stage,
            "The request's credentials mode is 'include', but the response has no "
            "'Access-Control-Allow-Credentials' header; it must be 'true'.",
            "The server must send 'Access-Control-Allow-Credentials: true' for origins it "
            "trusts with cookies, or the page must drop credentials: 'include'.",
            value="",
            status=str(response.status),
        )
    if value != "true":
        return _failure(
            hop,
            "acac_invalid",
            stage,
            f"The 'Access-Control-Allow-Credentials' header is '{value}'; with credentials "
            "mode 'include' only the exact, lower-case value 'true' is accepted.",
            "The server must send exactly 'Access-Control-Allow-Credentials: true', once.",
            value=value,
            status=str(response.status),
        )
    return None


# --------------------------------------------------------------------------------------------
# Preflight check (F13-F19)
# --------------------------------------------------------------------------------------------


def check_preflight(
    request: BrowserRequest, response: ServerResponse, engine: str = "spec"
) -> CheckResult:
    """Judge a response to the preflight for ``request`` as the browser would.

    The check uses the *actual* request's credentials mode even though the preflight itself
    carries none (F3, F13). A redirect is reported before anything else and a failing CORS check
    before a bad status, the order in which Chromium reports them. *engine* (``"spec"``,
    ``"chromium"``, ``"firefox"``, ``"webkit"``) judges as that engine does: all three let
    ``Access-Control-Allow-Headers: *`` cover Authorization without credentials (class A).
    """
    hop, _, error = _prepare(request, engine)
    if error is not None:
        return CheckResult(False, error)
    result = _check_preflight(hop, response)
    if hop.trace:
        result = replace(result, departures=tuple(hop.trace))
    if hop.cross_origin:
        return result
    note = "a browser sends no preflight for a same-origin request; checked as if cross-origin"
    return replace(result, notes=(note, *result.notes))


def _check_preflight(hop: _Hop, response: ServerResponse) -> CheckResult:
    status = response.status
    if _is_redirect(response):
        location = _values(response.headers, "Location")[0]
        return _fail(
            hop,
            "preflight_redirect",
            f"The preflight request was answered with a {status} redirect to '{location}'; "
            "redirects are never followed for a preflight.",
            "The server must answer OPTIONS at this exact URL with a 2xx status; request the "
            "final URL directly (watch for trailing-slash and http-to-https redirects).",
            status=str(status),
            value=location,
        )
    failure = _cors_check(hop, response, "preflight")
    if failure is not None:
        return CheckResult(False, failure)
    if not 200 <= status <= 299:
        return _fail(
            hop,
            "preflight_status_not_ok",
            f"The preflight response has status {status}; only a 2xx status lets a preflight "
            "succeed.",
            "The server must answer preflights with 204 (or 200) before authentication, "
            "routing or method checks run (F36); preflights never carry credentials (F3).",
            status=str(status),
        )
    method_values = _values(response.headers, _ACAM)
    header_values = _values(response.headers, _ACAH)
    methods_ok, methods = _parse_list(method_values)
    if not methods_ok:
        return _fail(
            hop,
            "acam_invalid",
            f"The 'Access-Control-Allow-Methods' header ('{', '.join(method_values)}') is not "
            "a comma-separated list of method names.",
            "The server must send method tokens separated by commas, e.g. 'GET, PUT, DELETE'.",
            value=", ".join(method_values),
        )
    headers_ok, allowed_headers = _parse_list(header_values)
    if not headers_ok:
        return _fail(
            hop,
            "acah_invalid",
            f"The 'Access-Control-Allow-Headers' header ('{', '.join(header_values)}') is not "
            "a comma-separated list of header names.",
            "The server must send header names separated by commas, e.g. "
            "'Content-Type, X-Api-Key'.",
            value=", ".join(header_values),
        )
    if methods is None and hop.force_preflight:
        methods = [hop.method]
    failure = _method_check(hop, methods or [], _get(response.headers, _ACAM))
    if failure is None:
        failure = _header_check(hop, allowed_headers or [], _get(response.headers, _ACAH))
    if failure is not None:
        return CheckResult(False, failure)
    seconds, notes = _max_age(response)
    return CheckResult(True, preflight_cache_seconds=seconds, notes=notes)


def _fail(hop: _Hop, reason_id: str, detail: str, fix: str, **values: str) -> CheckResult:
    return CheckResult(False, _failure(hop, reason_id, "preflight", detail, fix, **values))


def _method_check(hop: _Hop, methods: list[str], shown: str | None) -> Reason | None:
    method = hop.method
    if method in methods or method in _SAFELISTED_METHODS:
        return None
    if "*" in methods and not hop.credentials:
        return None
    if "*" in methods:
        return _failure(
            hop,
            "method_wildcard_with_credentials",
            "preflight",
            f"'Access-Control-Allow-Methods' offers only the wildcard '*', which does not cover "
            f"'{method}' because the request includes credentials.",
            f"The server must list '{method}' by name when credentials are allowed (F18).",
            method=method,
            value=shown or "",
        )
    fix = f"The server must include '{method}' in 'Access-Control-Allow-Methods'"
    if _upper(method) in methods:
        fix += (
            f"; methods are case-sensitive and the browser sends '{method}' as written (F7), "
            f"so either list '{method}' too or change the page to send '{_upper(method)}'"
        )
    return _failure(
        hop,
        "method_not_allowed",
        "preflight",
        f"Method '{method}' is not allowed by the 'Access-Control-Allow-Methods' header of the "
        f"preflight response (it is {_show(shown)}).",
        fix + ".",
        method=method,
        value=shown or "",
    )


def _header_check(hop: _Hop, allowed: list[str], shown: str | None) -> Reason | None:
    listed = {_lower(item) for item in allowed}
    wildcard = "*" in allowed
    names = {_lower(name) for name, _ in hop.headers}
    if "authorization" in names and "authorization" not in listed:
        if wildcard and not hop.credentials and _departs(hop, "A"):
            pass  # class A: the engine lets '*' cover Authorization; the others are checked below
        elif wildcard:
            return _failure(
                hop,
                "authorization_not_covered_by_wildcard",
                "preflight",
                "Request header 'authorization' must be named in 'Access-Control-Allow-Headers'"
                "; the wildcard '*' never covers it.",
                "The server must list Authorization explicitly, e.g. "
                "'Access-Control-Allow-Headers: *, Authorization' (F16).",
                header="authorization",
                value=shown or "",
            )
        else:
            return _header_not_allowed(hop, "authorization", shown)
    unsafe, _ = _classify(hop.headers)
    for name in unsafe:
        if name in listed or (wildcard and not hop.credentials):
            continue
        if wildcard:
            return _failure(
                hop,
                "header_wildcard_with_credentials",
                "preflight",
                f"Request header '{name}' is covered only by the wildcard '*' in "
                "'Access-Control-Allow-Headers', which does not count when the request "
                "includes credentials.",
                f"The server must list '{name}' by name when credentials are allowed (F18).",
                header=name,
                value=shown or "",
            )
        return _header_not_allowed(hop, name, shown)
    return None


def _header_not_allowed(hop: _Hop, name: str, shown: str | None) -> Reason:
    return _failure(
        hop,
        "header_not_allowed",
        "preflight",
        f"Request header '{name}' is not allowed by the 'Access-Control-Allow-Headers' header "
        f"of the preflight response (it is {_show(shown)}).",
        f"The server must include '{name}' in 'Access-Control-Allow-Headers', or the page must "
        "stop sending it.",
        header=name,
        value=shown or "",
    )


def _max_age(response: ServerResponse) -> tuple[int, tuple[str, ...]]:
    values = _values(response.headers, _ACMA)
    if not values:
        return DEFAULT_MAX_AGE, (
            f"no Access-Control-Max-Age: the result is cached for {DEFAULT_MAX_AGE} s (F19)",
        )
    if len(values) > 1 or _DELTA_SECONDS.fullmatch(values[0]) is None:
        shown = ", ".join(values)
        return DEFAULT_MAX_AGE, (
            f"Access-Control-Max-Age '{shown}' is not one non-negative integer: the result is "
            f"cached for {DEFAULT_MAX_AGE} s (F19)",
        )
    digits = values[0].lstrip("0") or "0"
    if len(digits) > len(str(FIREFOX_MAX_AGE_LIMIT)):
        seconds = FIREFOX_MAX_AGE_LIMIT + 1  # absurdly large; any browser clamps it
    else:
        seconds = int(digits)
    notes: list[str] = []
    if seconds > CHROMIUM_MAX_AGE_LIMIT:
        notes.append(
            f"Access-Control-Max-Age {values[0]} is clamped to {CHROMIUM_MAX_AGE_LIMIT} s by "
            f"Chromium and {min(seconds, FIREFOX_MAX_AGE_LIMIT)} s by Firefox (F19)"
        )
    return min(seconds, CHROMIUM_MAX_AGE_LIMIT), tuple(notes)


# --------------------------------------------------------------------------------------------
# Actual response check (F22-F27)
# --------------------------------------------------------------------------------------------


def check_actual(request: BrowserRequest, response: ServerResponse) -> CheckResult:
    """Judge the response to the actual request and work out what script may read.

    Any status can be shared (F22), so a 500 with the right headers passes; a redirect must pass
    the check itself before it is followed (F27). A same-origin request is not CORS-checked.
    """
    hop, _, error = _prepare(request)
    if error is not None:
        return CheckResult(False, error)
    return _check_actual(hop, response)


def _check_actual(hop: _Hop, response: ServerResponse) -> CheckResult:
    if not hop.cross_origin:
        names = {_lower(name) for name, _ in response.headers}
        readable = tuple(sorted(names - _FORBIDDEN_RESPONSE_HEADERS))
        note = "same-origin request: no CORS check, all headers but Set-Cookie are readable"
        return CheckResult(True, readable_headers=readable, notes=(note,))
    failure = _cors_check(hop, response, "actual")
    if failure is not None:
        return CheckResult(False, failure)
    readable, notes = _readable_headers(hop, response)
    if _is_redirect(response):
        target = _values(response.headers, "Location")[0]
        notes = (*notes, f"redirect to '{target}': the browser follows it (F27)")
    elif not 200 <= response.status <= 299:
        notes = (*notes, f"the page can read this {response.status} response (F22)")
    return CheckResult(True, readable_headers=readable, notes=notes)


def _readable_headers(
    hop: _Hop, response: ServerResponse
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Apply the CORS filtered response rules (F24) to the response's header names."""
    present = {_lower(name) for name, _ in response.headers}
    ok, exposed = _parse_list(_values(response.headers, _ACEH))
    notes: list[str] = []
    listed: set[str] = set()
    if not ok:
        notes.append(
            "Access-Control-Expose-Headers does not parse; only safelisted headers are "
            "readable (F24)"
        )
    elif exposed is not None:
        listed = {_lower(name) for name in exposed}
        if "*" in listed and not hop.credentials:
            listed = present
        elif "*" in listed:
            notes.append(
                "Access-Control-Expose-Headers '*' is literal for credentialed requests; "
                "list the names instead (F18, F24)"
            )
    readable = {
        name
        for name in present
        if name in _SAFELISTED_RESPONSE_HEADERS
        or (name in listed and name not in _FORBIDDEN_RESPONSE_HEADERS)
    }
    return tuple(sorted(readable)), tuple(notes)


# --------------------------------------------------------------------------------------------
# The whole fetch
# --------------------------------------------------------------------------------------------


Send = Callable[[str, str, list[tuple[str, str]]], ServerResponse]


def simulate(request: BrowserRequest, send: Send, engine: str = "spec") -> Verdict:
    """Run one fetch() end to end against ``send``: preflight, actual request and redirects.

    ``send(method, url, headers)`` performs one HTTP exchange (``url`` is absolute; a Werkzeug
    test client accepts it as is) and must not follow redirects itself, because the browser
    checks every hop (F27) and may change the request between hops (F29, F30). Exceptions from
    ``send`` propagate: they are the harness's failures, not the browser's.

    *engine* is ``"spec"`` (the Fetch standard), ``"chromium"``, ``"firefox"`` or ``"webkit"``:
    an engine's fetch departs from the standard's where :data:`~flask_crossorigin.engines
    .DEPARTURES` says it does, and each departure that changed something is a ``note:`` step
    and is listed in :attr:`Verdict.departures`. Any other name is a ValueError.
    """
    hop, dropped, error = _prepare(request, engine)
    mode = "include" if hop.credentials else "same-origin"
    steps = [f"fetch {hop.method} {hop.url} from {hop.origin} (credentials: {mode})"]
    if dropped:
        steps.append("the browser drops forbidden headers: " + ", ".join(dropped))
    if error is not None:
        return _blocked(steps, error, "fetch() throws", hop)
    redirects = 0
    while True:
        if hop.cross_origin:
            need = _hop_need(hop)
            if need.needed:
                steps.append("preflight needed: " + "; ".join(need.why))
                asked = _as_preflighted(hop)
                unsafe = _classify(asked.headers)[0] if asked is not hop else need.request_headers
                headers = _preflight_headers(asked, unsafe)
                steps.append(f"-> OPTIONS {hop.url} [{_format_headers(headers)}]")
                answer = send("OPTIONS", hop.url, headers)
                checked = _check_preflight(asked, answer)
                if checked.reason is not None:
                    return _blocked(steps, checked.reason, f"<- {answer.status} preflight", hop)
                steps.append(
                    f"<- {answer.status} preflight passes; "
                    f"cached for {checked.preflight_cache_seconds} s"
                )
                steps.extend(f"   note: {note}" for note in checked.notes)
                _note_departures(steps, hop)
                hop = replace(hop, preflighted=True)
            else:
                steps.append("no preflight: safelisted method and headers (F6, F8)")
        else:
            steps.append("same-origin: the CORS protocol does not apply")
        headers = _actual_headers(hop)
        steps.append(f"-> {hop.method} {hop.url} [{_format_headers(headers)}]")
        response = send(hop.method, hop.url, headers)
        checked = _check_actual(hop, response)
        if checked.reason is not None:
            return _blocked(steps, checked.reason, f"<- {response.status}", hop)
        if _is_redirect(response):
            next_hop, failure, changes = _follow(hop, response, redirects)
            if failure is not None:
                return _blocked(steps, failure, f"<- {response.status} redirect", hop)
            if next_hop is not None:
                redirects += 1
                detail = "".join(f"; {change}" for change in changes)
                steps.append(f"<- {response.status} redirect to {next_hop.url}{detail}")
                _note_departures(steps, hop)
                hop = next_hop
                continue
        readable = ", ".join(checked.readable_headers) or "none"
        steps.append(f"<- {response.status} allowed; readable headers: {readable}")
        steps.extend(f"   note: {note}" for note in checked.notes)
        return Verdict(
            True,
            None,
            tuple(steps),
            response.status,
            checked.readable_headers,
            hop.engine,
            tuple(hop.trace),
        )


def _blocked(steps: list[str], reason: Reason, what: str, hop: _Hop) -> Verdict:
    steps.append(f"{what}: blocked ({reason.id})")
    _note_departures(steps, hop)
    return Verdict(False, reason, tuple(steps), engine=hop.engine, departures=tuple(hop.trace))


def _note_departures(steps: list[str], hop: _Hop) -> None:
    """A ``note:`` step for each departure that changed something since the last such note."""
    noted = {step for step in steps if step.startswith("   note: ")}
    for cls in hop.trace:
        note = f"   note: {hop.engine}: {departure(cls).describe()}"
        if note not in noted:
            steps.append(note)


def _hop_need(hop: _Hop) -> PreflightNeed:
    """Whether this hop is preflighted: per the standard, or always after a preflighted hop (C)."""
    need = _need(hop)
    if need.needed or not hop.preflighted or not _departs(hop, "C"):
        return need
    why = f"{hop.engine} preflights every hop after a preflighted one (class C)"
    return replace(need, needed=True, why=(why,), request_headers=_classify(hop.headers)[0])


def _as_preflighted(hop: _Hop) -> _Hop:
    """The hop as the engine's preflight presents it: its origin (D) and its headers (E).

    The standard's preflight is the hop itself. Firefox's, after a cross-origin redirect, says
    the page's origin rather than ``null`` (class D), and is checked against it; WebKit's still
    asks for the Authorization the redirect removed (class E), and is checked for it.
    """
    asked = hop
    if hop.tainted and _departs(hop, "D"):
        asked = replace(asked, tainted=False)
    if hop.stripped and _departs(hop, "E"):
        asked = replace(asked, headers=(*asked.headers, *hop.stripped))
    return asked


def _actual_headers(hop: _Hop) -> list[tuple[str, str]]:
    headers = list(hop.headers)
    # Same-origin GET/HEAD carry no Origin; everything else does (F1).
    if hop.cross_origin or hop.method not in ("GET", "HEAD"):
        headers.insert(0, ("Origin", hop.origin))
    return headers


def _follow(
    hop: _Hop, response: ServerResponse, count: int
) -> tuple[_Hop | None, Reason | None, tuple[str, ...]]:
    """HTTP-redirect fetch: the next hop, or why following fails, plus what changed."""
    status = response.status
    locations = _values(response.headers, "Location")
    target = ""
    parts: SplitResult | None = None
    if len(locations) == 1:
        try:
            target = urljoin(hop.url, locations[0])
        except ValueError:
            target = ""
        parts = _split(target) if target else None
    if parts is None or not parts.scheme:
        shown = ", ".join(locations)
        return (
            None,
            _redirect_failure(
                hop,
                "redirect_location_invalid",
                f"The {status} response's 'Location' header ('{shown}') is not exactly one URL.",
                "The server must send a single, valid Location header.",
                status=str(status),
                value=shown,
            ),
            (),
        )
    if _lower(parts.scheme) not in ("http", "https"):
        return (
            None,
            _redirect_failure(
                hop,
                "url_not_http",
                f"The response redirects to '{target}', which is not an http(s) URL.",
                "The server must redirect to an http:// or https:// URL.",
                status=str(status),
                value=target,
            ),
            (),
        )
    if count >= MAX_REDIRECTS:
        return (
            None,
            _redirect_failure(
                hop,
                "too_many_redirects",
                f"The request was redirected more than {MAX_REDIRECTS} times.",
                "The server must end the redirect chain; look for a redirect loop.",
                status=str(status),
                value=target,
            ),
            (),
        )
    new_origin = _origin_of(target)
    if _includes_credentials(parts) and (
        hop.cross_origin or not _same_origin(hop.page_origin, new_origin)
    ):
        return (
            None,
            _redirect_failure(
                hop,
                "url_has_credentials",
                f"The response redirects to '{target}', which embeds a username or password; "
                "cross-origin requests may not follow such a redirect.",
                "The server must redirect to a URL without userinfo.",
                status=str(status),
                value=target,
            ),
            (),
        )
    changes: list[str] = []
    method, headers = hop.method, hop.headers
    current_origin = _origin_of(hop.url)
    crossing = not _same_origin(current_origin, new_origin)
    if (status in (301, 302) and method == "POST") or (
        status == 303 and method not in ("GET", "HEAD")
    ):
        method = "GET"
        headers = tuple(h for h in headers if _lower(h[0]) not in _REQUEST_BODY_HEADERS)
        changes.append(f"{hop.method} becomes GET without a body")
    elif status in (307, 308) and method == "DELETE" and crossing and _departs(hop, "F"):
        method = "GET"
        headers = tuple(h for h in headers if _lower(h[0]) not in _REQUEST_BODY_HEADERS)
        changes.append(f"DELETE becomes GET ({hop.engine}, {departure('F').describe()})")
    stripped = hop.stripped
    if crossing:
        kept = tuple(h for h in headers if _lower(h[0]) != "authorization")
        if len(kept) != len(headers):
            changes.append("Authorization is dropped (F30)")
            stripped = (*stripped, *(h for h in headers if _lower(h[0]) == "authorization"))
        headers = kept
    tainted = hop.tainted or (
        not _same_origin(current_origin, new_origin)
        and not _same_origin(hop.page_origin, current_origin)
    )
    if tainted and not hop.tainted:
        changes.append("Origin becomes 'null' (F29)")
    next_hop = replace(
        hop,
        url=target,
        method=method,
        headers=headers,
        cross_origin=hop.cross_origin or not _same_origin(hop.page_origin, new_origin),
        tainted=tainted,
        stripped=stripped,
    )
    return next_hop, None, tuple(changes)


def _redirect_failure(hop: _Hop, reason_id: str, detail: str, fix: str, **values: str) -> Reason:
    return _failure(hop, reason_id, "redirect", detail, fix, **values)


# --------------------------------------------------------------------------------------------
# Every engine at once
# --------------------------------------------------------------------------------------------


def replaying(send: Send) -> Send:
    """``send``, except that an exchange already made is answered again from memory.

    Engines send the same requests except where they depart, so a fetch replayed for every
    engine reaches the server once per distinct exchange: a DELETE runs once, however many
    engines agree on it, and every engine judges the very same answer.
    """
    answers: dict[tuple[str, str, tuple[tuple[str, str], ...]], ServerResponse] = {}

    def replay(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        key = (method, url, tuple(headers))
        if key not in answers:
            answers[key] = send(method, url, headers)
        return answers[key]

    return replay


@dataclass(frozen=True)
class EngineVerdicts:
    """One fetch's verdict in several engines, and why they differ where they do.

    ``verdicts`` maps each engine to its :class:`Verdict`, in the order of
    :data:`~flask_crossorigin.engines.ENGINES`. The *reference* is the standard's verdict when
    it is there (else the first engine's): an engine that differs from it is explained by the
    departures (class and rule) its fetch took and the reference's did not, or the other way.
    """

    verdicts: Mapping[str, Verdict]

    @property
    def reference(self) -> Verdict:
        """The verdict the others are compared with: the standard's, when it was simulated."""
        return self.verdicts.get("spec") or next(iter(self.verdicts.values()))

    @property
    def agree(self) -> bool:
        """Whether every engine reaches the same outcome (allowed, reason id, status)."""
        return len({verdict.outcome for verdict in self.verdicts.values()}) == 1

    @property
    def allowed(self) -> bool:
        """Allowed in every engine: what "this call works" has to mean for a real page."""
        return all(verdict.allowed for verdict in self.verdicts.values())

    @property
    def blocked_in(self) -> tuple[str, ...]:
        """The engines that block the fetch, in order."""
        return tuple(name for name, verdict in self.verdicts.items() if not verdict.allowed)

    @property
    def allowed_in(self) -> tuple[str, ...]:
        """The engines that allow the fetch, in order."""
        return tuple(name for name, verdict in self.verdicts.items() if verdict.allowed)

    @property
    def representative(self) -> str:
        """The engine whose verdict stands for all: the reference, unless it allows a fetch
        some engine blocks; then the first engine that blocks it. So its ``allowed`` is
        :attr:`allowed`, and a blocked fetch always comes with a reason."""
        reference = self.reference
        if reference.allowed and not self.allowed:
            return self.blocked_in[0]
        return reference.engine

    def differing(self) -> dict[str, tuple[Departure, ...]]:
        """Each engine whose outcome differs from the reference's, with the departures that
        explain it (classes in the order of :data:`~flask_crossorigin.engines.DEPARTURES`)."""
        reference = self.reference
        found: dict[str, tuple[Departure, ...]] = {}
        for name, verdict in self.verdicts.items():
            if verdict.outcome != reference.outcome:
                classes = set(verdict.departures) ^ set(reference.departures)
                found[name] = tuple(departure(cls) for cls in sorted(classes))
        return found


def simulate_engines(
    request: BrowserRequest, send: Send, engines: str | Sequence[str] = "all"
) -> EngineVerdicts:
    """Run one fetch() in several engines (``"all"``: the standard and every engine).

    Each engine's fetch is :func:`simulate`'s; they share ``send`` through :func:`replaying`,
    so an exchange two engines both make reaches the server once.

    .. versionadded:: 0.2
    """
    names = parse_engines(engines) if isinstance(engines, str) else tuple(engines)
    shared = replaying(send)
    return EngineVerdicts({name: simulate(request, shared, name) for name in names})
