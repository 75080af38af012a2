"""Fuzz-style property tests (issue 6): hostile request facts against representative policies.

The request facts CORS depends on -- ``Origin``, ``Access-Control-Request-Method``,
``Access-Control-Request-Headers``, ``Access-Control-Request-Private-Network`` and the path -- are
drawn from hostile alphabets (control bytes, latin-1, CR/LF, commas and whitespace, values up to
16 KiB, lists of up to 400 items) and from near misses of the configured origins (case, port,
trailing slash or dot, userinfo, suffix and prefix tricks). They are checked twice:

* against the framework-free core: ``Policy.decide(RequestFacts(...))`` and
  ``ResourceTable.match``;
* through the Flask adapter, called as a WSGI server would (hand-built environs with latin-1
  strings), on the preflight shortcut and on the hook path (a no-op ``after_request`` hook turns
  the shortcut off).

The oracle is independent of the library: the reference matcher below, written from
docs/fetch-rules.md and docs/options.md, decides which origins a policy allows, what a grant must
contain and which paths a resource covers. Rule ids (F1-F44) refer to docs/fetch-rules.md.
tests/test_properties.py holds the lighter property tests; nothing there is repeated here.
"""

from __future__ import annotations

import io
import ipaddress
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask import Flask, Response, request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_crossorigin import CORS
from flask_crossorigin.options import EXTENSION_OPTIONS, build_policy, check_names, merge
from flask_crossorigin.policy import Decision, Policy, RequestFacts
from flask_crossorigin.resources import ResourceTable

#: Per policy (the tests are parametrized by policy): about 15 s for the file on one core.
SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# --- the reference: which origins a browser sends, and which a policy allows -------------------

LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
TCHAR = LOWER + LOWER.upper() + DIGITS + "!#$%&'*+-.^_`|~"  # RFC 9110 token characters
DEFAULT_PORT = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
DEFAULT_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")
MAX_HEADER_ITEMS = 256  # documented: longer Access-Control-Request-Headers lists are refused


def split_origin(origin: str) -> tuple[str, str, str | None]:
    """``scheme://host[:port]`` -> (scheme, host, port); only for origins ref_serialized passed."""
    scheme, _, rest = origin.partition("://")
    if rest.startswith("["):
        end = rest.index("]")
        host, tail = rest[: end + 1], rest[end + 1 :]
    else:
        host, colon, port = rest.partition(":")
        tail = colon + port
    return scheme, host, tail[1:] if tail else None


def ref_serialized(origin: str) -> bool:
    """Whether a browser could send *origin*: lower-case ``scheme://host[:port]`` (F13.3).

    No userinfo, path, whitespace or non-ASCII; DNS names of at most 253 characters in labels of
    1-63; a decimal port up to 65535 that is not the scheme's default and has no leading zero.
    A host whose last label is a number (digits, or ``0x`` and hex) is an IPv4 address, written
    as four decimal numbers 0-255 without leading zeros; an IPv6 address is written compressed
    (security issue item 8).
    """
    scheme, sep, rest = origin.partition("://")
    if not sep or not scheme or scheme[0] not in LOWER:
        return False
    if any(ch not in LOWER + DIGITS + "+.-" for ch in scheme):
        return False
    if rest.startswith("["):
        end = rest.find("]")
        if end < 2 or any(ch not in "0123456789abcdef:." for ch in rest[1:end]):
            return False
        try:
            address = ipaddress.IPv6Address(rest[1:end])
        except ValueError:
            return False
        if "." in rest[1:end] or address.compressed != rest[1:end]:
            return False
        tail = rest[end + 1 :]
    else:
        host, colon, port = rest.partition(":")
        tail = colon + port
        if len(host) > 253 or host[:1] == "-" or host[-1:] == "-":
            return False
        labels = host.split(".")
        for label in labels:
            if not 0 < len(label) <= 63 or any(ch not in LOWER + DIGITS + "-_" for ch in label):
                return False
        last = labels[-1]
        numeric = all(ch in DIGITS for ch in last) or (
            last.startswith("0x") and all(ch in "0123456789abcdef" for ch in last[2:])
        )
        dotted_decimal = len(labels) == 4 and all(
            label.isdigit() and str(int(label)) == label and int(label) <= 255 for label in labels
        )
        if numeric and not dotted_decimal:
            return False
    if tail:
        port = tail[1:]
        if tail[0] != ":" or not 0 < len(port) <= 5 or any(ch not in DIGITS for ch in port):
            return False
        if int(port) > 65535 or DEFAULT_PORT.get(scheme) == port or port != str(int(port)):
            return False
    return True


#: F6: the CORS-safelisted methods, byte for byte.
SAFELISTED = ("GET", "HEAD", "POST")


def ref_token(value: str) -> bool:
    return bool(value) and all(ch in TCHAR for ch in value)


class Scenario:
    """A policy's options, and the reference's own reading of them (written out by hand)."""

    def __init__(
        self,
        name: str,
        options: dict[str, Any],
        *,
        exact: Iterable[str] = (),
        null: bool = False,
        globs: Iterable[tuple[str, str, str | None]] = (),
        regexes: Iterable[str] = (),
        check: Callable[[str], Any] | None = None,
        any_origin: bool = False,
        methods: tuple[str, ...] | None = DEFAULT_METHODS,
        header_names: Iterable[str] | None = None,
        header_regexes: Iterable[str] = (),
        expose: str | None = None,
        samples: Iterable[str] = (),
        refused: Iterable[str] = (),
    ) -> None:
        self.name = name
        self.options = options
        self.exact = frozenset(exact)
        self.null = null
        self.globs = tuple(globs)
        self.regexes = tuple(re.compile(pattern) for pattern in regexes)
        self.check = check
        self.any_origin = any_origin
        self.methods = methods  # None: any token is echoed
        self.header_names = None if header_names is None else frozenset(header_names)
        self.header_regexes = tuple(re.compile(p, re.IGNORECASE) for p in header_regexes)
        self.expose = expose
        # Written by hand, so that grants and the closest refusals are frequent.
        self.samples = tuple(samples)  # origins the policy grants (echoed, or '*')
        self.refused = tuple(refused)  # origins close to those that must never be echoed
        self.credentials = bool(options.get("supports_credentials"))
        self.wildcard = bool(options.get("send_wildcard"))
        self.private_network = bool(options.get("allow_private_network"))
        self.debug = bool(options.get("debug"))
        self.max_age = options.get("max_age")
        # F32/F33: only '*' for every request is static; anything else depends on Origin.
        self.vary_origin = not (self.any_origin and self.wildcard)

    def __repr__(self) -> str:
        return f"Scenario({self.name!r})"

    def allows_origin(self, origin: str) -> bool:
        """Whether *origin* may be echoed in ``Access-Control-Allow-Origin``.

        Drop-in issue: origins match ignoring case (as in flask-cors) and are echoed as sent, so
        the reference judges the lower-cased form; nothing else a browser would not send passes.
        """
        if self.any_origin:
            return ref_serialized(origin.lower())
        if origin in self.exact:
            return True
        if origin == "null":
            return self.null  # F35/F44: only when listed
        origin = origin.lower()
        if not ref_serialized(origin):
            return False
        if origin in self.exact:
            return True
        scheme, host, port = split_origin(origin)
        for glob_scheme, suffix, glob_port in self.globs:
            if (
                (scheme, port) == (glob_scheme, glob_port)
                and not host.startswith("[")
                and host.endswith(suffix)
                and len(host) > len(suffix)
            ):
                return True
        if any(pattern.fullmatch(origin) for pattern in self.regexes):
            return True
        if self.check is not None:
            try:
                return bool(self.check(origin))
            except Exception:
                return False
        return False

    def expected_acao(self, origin: str | None) -> str | None:
        """The ``Access-Control-Allow-Origin`` of an ordinary response (F13, F33)."""
        if self.any_origin:
            if origin is None or self.wildcard or not ref_serialized(origin.lower()):
                return "*"
            return origin
        if origin is not None and self.allows_origin(origin):
            return origin
        return None

    def allows_header(self, name: str) -> bool:
        if self.header_names is None:
            return True
        return name in self.header_names or any(p.fullmatch(name) for p in self.header_regexes)

    def requested_names(self, raw: str | None) -> list[str] | None:
        """The names of ``Access-Control-Request-Headers`` (F4), or None if it must be refused."""
        if not raw:
            return []
        items = raw.split(",")
        if len(items) > MAX_HEADER_ITEMS:
            return None
        names: list[str] = []
        for item in items:
            name = item.strip(" \t").lower()
            if not name:
                continue
            if not ref_token(name) or not self.allows_header(name):
                return None
            if name == "*" and self.credentials:
                # F18, F39: with credentials a '*' in ACAH is never a wildcard, so a header
                # literally named '*' is refused rather than answered with '*'.
                return None
            if name not in names:
                names.append(name)
        return names

    def grants_preflight(self, facts: RequestFacts) -> bool:
        assert facts.origin is not None and facts.request_method is not None
        if self.expected_acao(facts.origin) is None:
            return False
        method = facts.request_method
        if self.methods is None:
            if not ref_token(method):
                return False
        elif method not in self.methods and method not in SAFELISTED:
            # F7/F15: byte-exact; a safelisted method passes whatever ACAM says (drop-in issue).
            return False
        return self.requested_names(facts.request_headers) is not None


def origin_callable(origin: str) -> bool:
    if "boom" in origin:
        raise ValueError("the allow-list service is down")
    return origin.endswith(".cb.test") or origin == "http://localhost:5000"


SCENARIOS = [
    Scenario(
        "list",
        {
            "origins": [
                "https://app.example.com",
                "http://localhost:3000",
                "https://Example.ORG:443",
                "https://[::1]:8443",
                "https://b\u00fccher.example",
            ],
            "supports_credentials": True,
            "methods": ["GET", "PUT", "patch"],
            "allow_headers": ["X-A", "Content-Type"],
            "expose_headers": ["X-Total"],
            "max_age": 600,
        },
        exact=[
            "https://app.example.com",
            "http://localhost:3000",
            "https://example.org",
            "https://[::1]:8443",
            "https://xn--bcher-kva.example",
        ],
        methods=("GET", "PUT", "patch"),
        header_names=["x-a", "content-type"],
        expose="X-Total",
        samples=[
            "https://app.example.com",
            "http://localhost:3000",
            "https://example.org",
            "https://[::1]:8443",
            "https://xn--bcher-kva.example",
            "https://APP.example.com",  # drop-in issue: ignoring case, echoed as sent
        ],
        refused=[
            "https://app.example.com.evil.test",
            "https://app.example.com:443",
            "http://app.example.com",
            "https://app.example.co",
            "null",
            "http://localhost:3001",
            "https://example.org.",
            "https://[::1]",
            "https://b\xfccher.example",
        ],
    ),
    Scenario(
        "globs",
        {
            "origins": [
                "https://*.example.net",
                "http://*.dev.example.com:8080",
                "https://*.localhost",
            ],
            "expose_headers": "X-Total, X-Page",
        },
        globs=[
            ("https", ".example.net", None),
            ("http", ".dev.example.com", "8080"),
            ("https", ".localhost", None),
        ],
        expose="X-Total, X-Page",
        samples=[
            "https://a.example.net",
            "https://a-b.c_d.example.net",
            "http://x.dev.example.com:8080",
            "https://app.localhost",
        ],
        refused=[
            "https://example.net",
            "https://a.example.net.evil.test",
            "https://aexample.net",
            "http://a.example.net",
            "https://a.example.net:8443",
            "http://x.dev.example.com",
            "https://" + "x" * 64 + ".example.net",
            "https://" + "a." * 122 + "example.net",
            "https://localhost",
            "null",
        ],
    ),
    Scenario(
        "regex",
        {
            "origins": [
                re.compile(r"https://[a-z0-9-]+\.re\.test"),
                re.compile(r"https?://(www\.)?regex\.test(:\d+)?"),
            ],
            "methods": "*",
            "allow_headers": ["X-A", re.compile(r"x-custom-[a-z]+")],
            "max_age": 0,
        },
        regexes=[r"https://[a-z0-9-]+\.re\.test", r"https?://(www\.)?regex\.test(:\d+)?"],
        methods=None,
        header_names=["x-a"],
        header_regexes=[r"x-custom-[a-z]+"],
        samples=["https://abc.re.test", "https://www.regex.test", "http://regex.test:8080"],
        refused=[
            "https://abc.re.test.evil",
            "https://a.b.re.test",
            "https://abc.re.test:8080",
            "http://wwwxregex.test",
            "https://www.regex.test.evil",
            "https://regex.test:443",
            "null",
        ],
    ),
    Scenario(
        "callable",
        {
            "origins": [origin_callable],
            "supports_credentials": True,
            "allow_private_network": True,
            "methods": ["GET", "POST", "DELETE"],
        },
        check=origin_callable,
        methods=("GET", "POST", "DELETE"),
        samples=["https://x.cb.test", "https://a.b.cb.test", "http://localhost:5000"],
        refused=[
            "https://boom.cb.test",
            "https://x.cb.test.evil",
            "https://x.cb.test/",
            "https://cb.test",
            "http://localhost:5000/",
            "null",
        ],
    ),
    Scenario(
        "any-echo",
        {"max_age": 7200, "expose_headers": ["X-Total"], "allow_private_network": True},
        any_origin=True,
        expose="X-Total",
        samples=["https://anything.test", "http://localhost:1", "https://[::1]", "HTTPS://A.TEST"],
        refused=[
            "null",
            "https://" + "a" * 64 + ".test",
            "https://" + "a." * 127 + "test",
            "https://a.test/",
            "https://user@a.test",
        ],
    ),
    Scenario(
        "any-wildcard",
        {"send_wildcard": True, "methods": "*", "allow_headers": "*", "expose_headers": "*"},
        any_origin=True,
        methods=None,
        expose="*",
        samples=["https://anything.test", "http://localhost:1"],
        refused=["null", "https://a.test:443"],
    ),
    Scenario(
        "debug",
        {
            "origins": ["https://app.example.com", "https://*.example.net", "null"],
            "debug": True,
            "methods": ["GET", "PUT"],
            "allow_headers": ["X-A"],
        },
        exact=["https://app.example.com"],
        null=True,
        globs=[("https", ".example.net", None)],
        methods=("GET", "PUT"),
        header_names=["x-a"],
        samples=["https://app.example.com", "null", "https://z.example.net"],
        refused=[
            "https://example.net",
            "https://app.example.com.",
            "NULL",
            "null ",
            "https://a.example.net:443",
        ],
    ),
    Scenario(
        "private-network",
        {
            "origins": ["https://app.example.com", "https://*.example.net"],
            "supports_credentials": True,
            "allow_private_network": True,
            "allow_headers": ["Authorization", "X-A"],
        },
        exact=["https://app.example.com"],
        globs=[("https", ".example.net", None)],
        header_names=["authorization", "x-a"],
        samples=["https://app.example.com", "https://q.example.net"],
        refused=["https://example.net", "null", "https://app.example.com:443"],
    ),
]
for _scenario in SCENARIOS:  # the reference agrees with the examples written by hand
    assert all(_scenario.allows_origin(origin) for origin in _scenario.samples), _scenario
    assert not any(_scenario.allows_origin(origin) for origin in _scenario.refused), _scenario


def build(scenario: Scenario) -> Policy:
    layer = check_names(scenario.options, allowed=EXTENSION_OPTIONS, where="CORS")
    return build_policy(merge(layer))


def warmed(scenario: Scenario) -> Policy:
    """A policy whose memo caches are full of unrelated answers (and will overflow mid-test)."""
    policy = build(scenario)
    for i in range(1000):
        policy.actual(f"https://w{i}.example.net")
        policy.preflight(f"https://w{i}.example.net", "PUT", f"x-a,x-w{i}")
        policy.preflight("https://app.example.com", "GET", f"x-w{i}")
    return policy


WARM = {scenario.name: warmed(scenario) for scenario in SCENARIOS}

# --- hostile request facts ----------------------------------------------------------------------

CONTROL = st.sampled_from([*map(chr, range(0x20)), "\x7f"])
HIGH = st.characters(min_codepoint=0x80, max_codepoint=0xFF)
PUNCT = st.sampled_from([*",;:/\\\"'@?#[]()<>{}=*%+ \t\r\n"])
TOKENISH = st.sampled_from([*"abcxyzABCXYZ019-_.!#$&'^`|~"])
HOSTILE_CHAR = st.one_of(TOKENISH, TOKENISH, PUNCT, CONTROL, HIGH)
short_text = st.text(HOSTILE_CHAR, max_size=24)
huge_text = st.builds(
    lambda piece, count: (piece * count)[:16384],
    st.text(HOSTILE_CHAR, min_size=1, max_size=8),
    st.integers(256, 16384),
)
hostile_text = short_text | huge_text

SEED_ORIGINS = [
    "https://app.example.com",
    "http://localhost:3000",
    "https://example.org",
    "https://Example.ORG:443",
    "https://[::1]:8443",
    "https://xn--bcher-kva.example",
    "https://b\xfccher.example",
    "https://a.example.net",
    "http://x.dev.example.com:8080",
    "https://app.localhost",
    "https://abc.re.test",
    "https://www.regex.test",
    "http://regex.test:8080",
    "https://x.cb.test",
    "https://boom.cb.test",
    "http://localhost:5000",
    "null",
]


def _parts(origin: str) -> tuple[str, str, str, str]:
    """(scheme, '://', host, ':port') without validating anything."""
    scheme, sep, rest = origin.partition("://")
    if rest.startswith("[") and "]" in rest:
        end = rest.index("]") + 1
        return scheme, sep, rest[:end], rest[end:]
    host, colon, port = rest.partition(":")
    return scheme, sep, host, colon + port


# Near misses that are still browser-serialized origins: they reach the globs, regexes and
# callables, so they are where an allow-list can be too generous.
WELL_FORMED_PORTS = ["0", "1", "3000", "5000", "8080", "8443", "65535", "30000", "8000", "4430"]
SCHEMES = ["http", "https", "ws", "wss", "ftp", "chrome-extension", "https+x"]
LABEL_PREFIXES = ["evil.", "evil", "evil-", "x", "a.b.", "boom.", "www.", "_.", "0.", "-."]
LABEL_PREFIXES += ["x" * 63 + ".", "x" * 64 + ".", "a." * 120, "a." * 127]
LABEL_SUFFIXES = [".evil.test", "evil", "-evil", ".test", "x", ".net", ".example.net", ".cb.test"]
LABEL_SUFFIXES += [".re.test", ".localhost", "_", ".a" * 125]


def _parent(origin: str, i: int) -> str:
    """Drop the first label: 'https://a.example.net' -> 'https://example.net'."""
    scheme, sep, host, port = _parts(origin)
    return f"{scheme}{sep}{host.partition('.')[2] or host}{port}"


def _well_formed_port(origin: str, i: int) -> str:
    scheme, sep, host, _ = _parts(origin)
    return f"{scheme}{sep}{host}" + ("" if i % 5 == 0 else f":{WELL_FORMED_PORTS[i % 10]}")


def _scheme(origin: str, i: int) -> str:
    _, sep, host, port = _parts(origin)
    return f"{SCHEMES[i % len(SCHEMES)]}{sep or '://'}{host}{port}"


def _label_prefix(origin: str, i: int) -> str:
    scheme, sep, host, port = _parts(origin)
    return f"{scheme}{sep}{LABEL_PREFIXES[i % len(LABEL_PREFIXES)]}{host}{port}"


def _label_suffix(origin: str, i: int) -> str:
    scheme, sep, host, port = _parts(origin)
    return f"{scheme}{sep}{host}{LABEL_SUFFIXES[i % len(LABEL_SUFFIXES)]}{port}"


# Near misses that no browser sends: refused by every policy, never echoed.
BAD_PORTS = ["", "443", "80", "65536", "99999", "-1", "1e3", "\xb9", "123456", " 80", "8080 "]
BAD_PORTS += ["03000", "080", "0443"]  # leading zeros: security issue item 8
TAILS = ["/", ".", "/path", "?", "#", "/.", "..", "%2e", " ", "\t", "\x00", "\r\n", "\x7f", "\xa0"]
TAILS += ["\r\nSet-Cookie: a=b", ",", ", https://evil.test", ":", "\\", "@evil.test", "/@evil.test"]
HEADS = [" ", "\t", "\x00", "\xef\xbb\xbf", "evil", "https://evil.test,", "null ", "\r\n", "*"]
BAD_HOST_PREFIXES = ["user@", "user:pw@", "evil.test@", "evil.test#@", "*.", ".", "\xe4.", "%2e."]
BAD_HOST_SUFFIXES = [".", "..", "%00", "\x00.evil.test", "#.example.net", "/.example.net", "-"]
BAD_HOST_SUFFIXES += [":@evil.test", "\\.example.net", "\t.example.net"]
SEPARATORS = [",", ", ", " ", ",,", "\t", "\r\n"]
LATIN1 = ["\xe4", "\xc3\xa4", "\xad", "\xa0", "\xff", "\x80"]


def _case(origin: str, i: int) -> str:
    if i % 3 == 0:
        return origin.upper()
    k = i % max(len(origin), 1)
    return origin[:k] + origin[k : k + 1].swapcase() + origin[k + 1 :]


def _bad_port(origin: str, i: int) -> str:
    scheme, sep, host, _ = _parts(origin)
    return f"{scheme}{sep}{host}:{BAD_PORTS[i % len(BAD_PORTS)]}"


def _tail(origin: str, i: int) -> str:
    return origin + TAILS[i % len(TAILS)]


def _head(origin: str, i: int) -> str:
    return HEADS[i % len(HEADS)] + origin


def _bad_host(origin: str, i: int) -> str:
    scheme, sep, host, port = _parts(origin)
    if i % 2:
        return f"{scheme}{sep}{BAD_HOST_PREFIXES[i % len(BAD_HOST_PREFIXES)]}{host}{port}"
    return f"{scheme}{sep}{host}{BAD_HOST_SUFFIXES[i % len(BAD_HOST_SUFFIXES)]}{port}"


def _duplicate(origin: str, i: int) -> str:
    return origin + SEPARATORS[i % len(SEPARATORS)] + origin


def _latin1(origin: str, i: int) -> str:
    k = i % max(len(origin), 1)
    return origin[:k] + LATIN1[i % len(LATIN1)] + origin[k + 1 :]


def _control(origin: str, i: int) -> str:
    k = i % (len(origin) + 1)
    return origin[:k] + chr(i % 32) + origin[k:]


WELL_FORMED_TRICKS = [_parent, _well_formed_port, _scheme, _label_prefix, _label_suffix]
BROKEN_TRICKS = [_case, _bad_port, _tail, _head, _bad_host, _duplicate, _latin1, _control]


@st.composite
def near_misses(draw: st.DrawFn, bases: tuple[str, ...]) -> str:
    """An origin bent by one to three small changes; most stay well-formed, some do not."""
    origin = draw(st.sampled_from(bases))
    tricks = st.sampled_from(WELL_FORMED_TRICKS) | st.sampled_from(BROKEN_TRICKS)
    for _ in range(draw(st.integers(1, 3))):
        origin = draw(tricks)(origin, draw(st.integers(0, 1 << 16)))
    return origin


label = st.text("abcxyzABC019-_", min_size=1, max_size=10)
random_origins = st.builds(
    lambda scheme, padding, labels, suffix, port: (
        f"{scheme}://{padding}{'.'.join(labels)}{suffix}" + ("" if port is None else f":{port}")
    ),
    st.sampled_from(["http", "https", "ws", "wss", "ftp", "chrome-extension", "HTTPS", "Http"]),
    # DNS limits: labels of 63 and names of 253 characters at most.
    st.sampled_from(["", "", "", "", "x" * 63 + ".", "x" * 64 + ".", "a." * 120, "a." * 127]),
    st.lists(label, min_size=1, max_size=4),
    st.sampled_from(["", ".example.net", ".dev.example.com", ".re.test", ".cb.test", ".localhost"]),
    st.sampled_from([None, "80", "443", "3000", "8080", "65535", "0"]),
)


def origins_for(scenario: Scenario) -> st.SearchStrategy[str | None]:
    granted = st.sampled_from(scenario.samples)
    near = near_misses(scenario.samples)
    return st.one_of(
        st.none(),
        granted,
        st.sampled_from(scenario.refused),
        st.just("null"),
        st.sampled_from(SEED_ORIGINS),
        random_origins,
        near,
        near,
        near,
        near_misses(tuple(SEED_ORIGINS)),
        hostile_text,
    )


plain_methods = st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "patch", "PROPFIND"])
request_methods = st.one_of(
    plain_methods,
    plain_methods,
    st.sampled_from(
        [
            *["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "patch", "put", "Get"],
            *["PROPFIND", "*", "", " PUT", "PUT ", "P UT", "PUT,GET", "GET, PUT", "PUT\r\n"],
            *["PUT\x00", "PUT\x7f", "P\xc3\x9cT", "M-SEARCH", "X_Y", "PUT;", "PUT/1"],
        ]
    ),
    st.text(TOKENISH, min_size=1, max_size=20),
    hostile_text,
)
PLAIN_NAMES = ["x-a", "X-A", "content-type", "authorization", "x-custom-abc", "x-b", "X-Custom-Zz"]
header_items = st.one_of(
    st.sampled_from(
        [
            *PLAIN_NAMES,
            *[" x-a ", "\tx-a", "Content-Type", "Authorization", "x-custom-1", "", " ", "*"],
            *["x-\xe4", "x-a\r\n", "x a", "x-a;", "(x)", '"x-a"', "x-a\x00", "x-a\x0b"],
        ]
    ),
    st.text(TOKENISH, min_size=1, max_size=12),
    short_text,
)
# Up to 400 items; repetition keeps the examples small for Hypothesis.
header_lists = st.builds(
    lambda items, count, sep: sep.join((items * count)[:count]),
    st.lists(header_items, min_size=1, max_size=6),
    st.integers(0, 400),
    st.sampled_from([",", ", ", " ,", ",\t", ",,", ",\r\n"]),
)
plain_header_lists = st.one_of(
    st.lists(st.sampled_from([*PLAIN_NAMES, " x-a", "x-a ", "", "x a", "x-\xe4"]), max_size=4).map(
        ",".join
    ),
    st.builds(
        lambda names, count: ",".join((names * count)[:count]),
        st.lists(st.sampled_from(PLAIN_NAMES), min_size=1, max_size=3),
        st.integers(200, 400),
    ),
)
request_headers = st.one_of(st.none(), plain_header_lists, header_lists, hostile_text)
PNA_VALUES = ["true", "true", "TRUE", "True", "false", "", " true", "true ", "true\r\n", "1"]
private_network = st.one_of(
    st.none(), st.sampled_from(PNA_VALUES), st.sampled_from(PNA_VALUES), short_text
)
verbs = st.sampled_from(["OPTIONS", "OPTIONS", "OPTIONS", "GET", "POST", "PUT", "HEAD", "DELETE"])
verbs |= st.sampled_from(["options", "PROPFIND", "GET\x00"])
segments = st.one_of(
    st.sampled_from(
        [
            *["api", "API", "Api", "admin", "items", "dir", "1", "x", "..", ".", "%2e", "%2E"],
            *["%2e%2e", ".%2e", "%2e.", "...", "..;", ";", "+", "a+b", "%2f", "api%2fadmin"],
            *["Case", "case", "CI", "ci", "pub", "public", "pre", "prefix", "", "\xe4", "\xc3\xa4"],
            *["\x00", " "],
        ]
    ),
    st.text(HOSTILE_CHAR, max_size=6),
)
paths = st.lists(segments, max_size=8).map(lambda parts: "/" + "/".join(parts))


@st.composite
def request_facts(draw: st.DrawFn, scenario: Scenario) -> RequestFacts:
    """Facts shaped like a preflight half the time; a quarter are plausible preflights, so that
    grants are frequent and every header of a grant is checked."""
    shape = draw(st.sampled_from(["plausible", "preflight", "actual", "anything"]))
    headers = request_headers
    if shape == "plausible":
        method = "OPTIONS"
        origin: str | None = draw(st.sampled_from(scenario.samples))
        request_method: str | None = draw(st.one_of(plain_methods, plain_methods, request_methods))
        headers = st.none() | plain_header_lists
    elif shape == "preflight":
        method = "OPTIONS"
        origin = draw(origins_for(scenario).filter(lambda value: value is not None))
        request_method = draw(request_methods)
    else:
        method = draw(verbs)
        origin = draw(origins_for(scenario))
        request_method = draw(st.none() | request_methods) if shape == "anything" else None
    return RequestFacts(
        method=method,
        path=draw(paths),
        origin=origin,
        request_method=request_method,
        request_headers=draw(headers),
        request_private_network=draw(private_network),
    )


by_policy = pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])


# --- the invariants -----------------------------------------------------------------------------


def printable_ascii(value: str) -> bool:
    return all(0x20 <= ord(ch) < 0x7F for ch in value)


def check_cors_headers(
    scenario: Scenario,
    facts: RequestFacts,
    headers: list[tuple[str, str]],
    vary: list[str],
) -> None:
    """Every invariant of one answer: *headers* as emitted, *vary* the ``Vary`` members."""
    for name, value in headers:
        assert printable_ascii(name), repr(name)
        assert printable_ascii(value), (name, value[:120])  # no CR/LF, NUL, DEL, latin-1
    for name in vary:
        assert printable_ascii(name), repr(name)
    cors = [(name.lower(), value) for name, value in headers]
    cors = [(n, v) for n, v in cors if n.startswith("access-control-") or n == "x-cors-refusal"]
    got = dict(cors)
    assert len(got) == len(cors), f"a CORS header was sent twice: {cors}"  # F25
    vary_lower = {name.lower() for name in vary}
    acao = got.pop("access-control-allow-origin", None)
    acac = got.pop("access-control-allow-credentials", None)
    refusal = got.pop("x-cors-refusal", None)
    preflight = facts.is_preflight

    # Access-Control-Allow-Origin is '*' (any-origin policies only) or an origin the policy
    # allows, byte-equal to the request's (F13.3, F25); anything a browser could not have sent
    # is never echoed.
    if acao is not None and acao != "*":
        assert acao == facts.origin, (acao, facts.origin)
        assert scenario.allows_origin(acao), f"granted an origin the policy refuses: {acao!r}"
    if acao == "*":
        assert scenario.any_origin, "'*' from a policy that lists its origins"
    expected = scenario.expected_acao(facts.origin)
    if preflight and not scenario.grants_preflight(facts):
        expected = None
    assert acao == expected, f"ACAO {acao!r}, expected {expected!r}"

    # F26/F40: credentials only as 'true', only with a concrete origin.
    concrete = acao is not None and acao != "*"
    if scenario.credentials and concrete:
        assert acac == "true"
    else:
        assert acac is None, f"ACAC {acac!r} with ACAO {acao!r}"

    if refusal is not None:
        assert scenario.debug and acao is None, "the debug header only on debug refusals"

    if acao is None:
        assert got == {}, f"a refusal carries CORS headers: {got}"
    elif preflight:
        assert facts.request_method is not None
        acam = got.pop("access-control-allow-methods")
        if scenario.methods is not None and facts.request_method not in scenario.methods:
            # F15: a safelisted method needs no ACAM entry; the configured list is sent as is.
            assert facts.request_method in SAFELISTED
            assert acam == (", ".join(scenario.methods) or facts.request_method), acam
        else:
            # F15, F38: the request method is listed byte for byte.
            assert facts.request_method in [item.strip() for item in acam.split(",")], acam
        if scenario.methods is None:
            assert acam == facts.request_method
        requested = scenario.requested_names(facts.request_headers)
        assert requested is not None
        acah = got.pop("access-control-allow-headers", None)
        emitted = acah.split(", ") if acah else []
        # F16/F17: every requested name is listed; only requested, allowed tokens are echoed.
        assert sorted(emitted) == sorted(requested), (emitted[:5], requested[:5])
        assert all(ref_token(name) and scenario.allows_header(name) for name in emitted)
        max_age = got.pop("access-control-max-age", None)
        assert max_age == (None if scenario.max_age is None else str(scenario.max_age))
        pna = got.pop("access-control-allow-private-network", None)
        if scenario.private_network and facts.request_private_network == "true":
            assert pna == "true"
        else:
            assert pna is None, f"ACAPN {pna!r} for ACRPN {facts.request_private_network!r}"
        assert got == {}, f"unexpected preflight headers: {got}"  # F24: no ACEH here
    else:
        expose = got.pop("access-control-expose-headers", None)
        assert expose == scenario.expose
        assert got == {}, f"preflight-only headers on an ordinary response: {got}"  # F24

    # F32/F41: whenever the answer may depend on Origin, say so, granted or refused.
    if "*" in vary_lower:  # varies on everything already
        return
    if scenario.vary_origin:
        assert "origin" in vary_lower, f"Vary {vary} lacks Origin"
    if preflight and scenario.private_network:
        assert "access-control-request-private-network" in vary_lower


def check_decision(scenario: Scenario, facts: RequestFacts, decision: Decision) -> None:
    assert decision.preflight is facts.is_preflight
    assert decision.allowed is ("Access-Control-Allow-Origin" in dict(decision.headers))
    check_cors_headers(scenario, facts, list(decision.headers), list(decision.vary))


# --- the core -----------------------------------------------------------------------------------


def check_core(scenario: Scenario, facts: RequestFacts) -> None:
    """The core's decision for *facts* is safe, right, and the same however it is asked."""
    fresh = build(scenario)
    decision = fresh.decide(facts)
    check_decision(scenario, facts, decision)
    # Equal input, equal answer: again, with an equal (not identical) input, on a policy whose
    # memo caches are full of other answers, and through the method the adapters call.
    assert fresh.decide(facts) == decision
    warm = WARM[scenario.name]
    assert warm.decide(RequestFacts(*facts)) == decision
    # A memo keyed too coarsely would hand out a neighbour's answer: ask the neighbours first.
    for neighbour in neighbours(facts):
        warm.decide(neighbour)
    assert warm.decide(facts) == decision
    if facts.is_preflight:
        assert facts.origin is not None and facts.request_method is not None
        again = warm.preflight(
            facts.origin, facts.request_method, facts.request_headers, facts.request_private_network
        )
        assert again == decision
    else:
        assert warm.actual(facts.origin) == decision


def _variants(value: str | None) -> list[str | None]:
    if value is None:
        return [""]
    return [value.swapcase(), value.upper(), value.lower(), value + "/", value + " ", None]


def neighbours(facts: RequestFacts) -> list[RequestFacts]:
    """Facts that differ from *facts* in one value, by case, a character or presence."""
    fields = ("origin", "request_method", "request_headers", "request_private_network")
    return [
        facts._replace(**{field: variant})
        for field in fields
        for variant in _variants(getattr(facts, field))
        if variant != getattr(facts, field)
    ]


@by_policy
@SETTINGS
@given(data=st.data())
def test_core_decisions_on_hostile_facts(scenario: Scenario, data: st.DataObject) -> None:
    check_core(scenario, data.draw(request_facts(scenario), label="facts"))


# --- resource matching --------------------------------------------------------------------------

#: (value, literal prefix, kind, case-insensitive?) as docs/options.md describes the patterns;
#: kind is "subtree" (``/x/*``), "exact" (a literal string, drop-in issue: exactly that path) or
#: "prefix" (a pattern matched from the start of the path).
REF_ROWS = [
    ("api", "/api", "subtree", False),
    ("admin", "/api/admin", "subtree", False),
    ("case", "/Case", "subtree", False),
    ("ci", "/CI", "subtree", True),
    ("pub", "/pub", "exact", False),
    ("pre", "/pre", "prefix", False),
]
TABLE_ROWS: list[tuple[Any, str, str]] = [
    ("/api/*", "api", "api"),
    ("/api/admin/*", "admin", "admin"),
    ("/Case/*", "case", "case"),
    (re.compile(r"/CI/*", re.IGNORECASE), "ci", "ci"),
    ("/pub", "pub", "pub"),
    (re.compile(r"/pre"), "pre", "pre"),
]
TABLES = {
    "specific": (TABLE_ROWS, REF_ROWS),
    # A catch-all declared first never shadows a specific rule.
    "catch-all": (
        [("/*", "root", "root"), *TABLE_ROWS],
        [("root", "", "subtree", False), *REF_ROWS],
    ),
}


def ref_remove_dot_segments(path: str) -> str:
    """RFC 3986, 5.2.4, step by step; nothing is percent-decoded."""
    source, output = path, []
    while source:
        if source.startswith("../"):
            source = source[3:]
        elif source.startswith(("./", "/./")):
            source = source[2:]
        elif source == "/.":
            source = "/"
        elif source.startswith("/../"):
            source = source[3:]
            output = output[:-1]
        elif source == "/..":
            source = "/"
            output = output[:-1]
        elif source in (".", ".."):
            source = ""
        else:
            end = source.find("/", 1)
            end = len(source) if end < 0 else end
            output.append(source[:end])
            source = source[end:]
    return "".join(output)


def ref_resource(
    rows: list[tuple[str, str, str, bool]], path: str, *, resolve: bool = True
) -> str | None:
    normalised = ref_remove_dot_segments(path) if resolve else path
    best: tuple[str, str] | None = None
    for value, prefix, kind, fold in rows:
        subject, start = (normalised.lower(), prefix.lower()) if fold else (normalised, prefix)
        if kind == "subtree":
            covered = start == "" or subject == start or subject.startswith(start + "/")
        elif kind == "exact":
            covered = subject == start
        else:
            covered = subject.startswith(start)
        if covered and (best is None or len(prefix) > len(best[1])):
            best = (value, prefix)
    return None if best is None else best[0]


WARM_TABLES = {name: ResourceTable(rows) for name, (rows, _) in TABLES.items()}
for _table in WARM_TABLES.values():
    for _i in range(4090):
        _table.match(f"/api/warm/{_i}")


def check_resources(name: str, path: str) -> None:
    """The most specific resource covers *path*, after dot segments, without decoding again."""
    rows, ref_rows = TABLES[name]
    fresh = ResourceTable(rows)
    row = fresh.match(path)
    found = None if row is None else row.value
    assert found == ref_resource(ref_rows, path), (path, found)
    assert fresh.match(path) is row
    warm = WARM_TABLES[name].match(path)
    assert (None if warm is None else warm.value) == found


@settings(SETTINGS, max_examples=400)
@given(name=st.sampled_from(sorted(TABLES)), path=paths)
def test_resource_matching_on_hostile_paths(name: str, path: str) -> None:
    check_resources(name, path)


# --- the Flask adapter, as a WSGI server calls it -----------------------------------------------


#: PATH_INFO starts: under /api half the time, and spellings a server might pass on.
PATH_PREFIXES = ["", "", "/api", "/api", "/api", "//api", "///api", "/./api", "/x/../api", "/API"]
PATH_PREFIXES += ["api", "/api/..", "/api/%2e%2e", "/api/items", "/api/dir", "/ap\xc3\xad"]
#: The routes of make_app, exactly, and near them.
ROUTES = ["/api/items", "/api/items/7", "/api/items/x", "/api/dir", "/api/dir/", "/elsewhere"]
ROUTES += ["/api/items/", "/api/ITEMS", "/api/items%2f", "/api/./items", "/x/../api/items"]
adapter_paths = st.one_of(
    st.sampled_from(ROUTES), st.tuples(st.sampled_from(PATH_PREFIXES), paths).map("".join)
)


def make_app(scenario: Scenario, *, observed: bool) -> Flask:
    """Routes under and beside ``/api``; CORS covers ``/api/*`` only."""
    app = Flask(__name__)
    app.testing = True  # an exception in the adapter fails the test with its traceback

    @app.route("/api/items", methods=["GET", "POST", "PUT", "DELETE"])
    def items() -> Response:  # F41: our Vary members are merged into the view's
        return Response("items", headers={"Vary": "Accept-Encoding"})

    @app.route("/api/items/<int:number>", methods=["GET", "PATCH"])
    def item(number: int) -> Response:
        return Response("item", headers={"Vary": "*"})

    @app.route("/api/dir/")  # '/api/dir' answers with a trailing-slash redirect (F27, F42)
    def directory() -> str:
        return "dir"

    @app.route("/elsewhere", methods=["GET", "POST"])
    def elsewhere() -> str:
        return "elsewhere"

    @app.before_request
    def reached() -> None:  # marks requests that Flask dispatched (preflights never are)
        request.environ[REACHED_FLASK] = True

    if observed:

        @app.after_request
        def noop(response: Response) -> Response:
            return response

    CORS(app, resources=r"/api/*", **scenario.options)
    return app


#: Set by make_app's before_request hook: the request reached Flask's dispatch.
REACHED_FLASK = "tests.reached_flask"

APPS = {
    scenario.name: (make_app(scenario, observed=False), make_app(scenario, observed=True))
    for scenario in SCENARIOS
}


def environ_for(facts: RequestFacts) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": facts.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": facts.path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for key, value in (
        ("HTTP_ORIGIN", facts.origin),
        ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", facts.request_method),
        ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", facts.request_headers),
        ("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK", facts.request_private_network),
    ):
        if value is not None:
            environ[key] = value
    return environ


def call(app: Flask, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]]]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, list(headers)

    chunks = app(environ, start_response)
    try:
        b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return int(seen["status"].split(" ", 1)[0]), seen["headers"]


def wsgi_path(path_info: str) -> str:
    """The path as Werkzeug decodes PATH_INFO: latin-1 bytes read as UTF-8, once."""
    return "/" + path_info.encode("latin-1").decode("utf-8", "replace").lstrip("/")


def cors_part(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    wanted = ("access-control-", "x-cors-refusal", "vary")
    return sorted((n.lower(), v) for n, v in headers if n.lower().startswith(wanted))


def vary_members(headers: list[tuple[str, str]]) -> list[str]:
    values = [value for name, value in headers if name.lower() == "vary"]
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def check_adapter(scenario: Scenario, facts: RequestFacts) -> None:
    """Through WSGI: safe headers, the core's decision, and the same on both paths."""
    fast, slow = APPS[scenario.name]
    environ = environ_for(facts)
    status, headers = call(fast, environ)
    assert status < 500

    path = wsgi_path(facts.path)
    rows = [("api", "/api", "subtree", False)]
    covered = ref_resource(rows, path) is not None
    if covered != (ref_resource(rows, path, resolve=False) is not None):
        # The path reads two ways (as sent, and with dot segments resolved) and they disagree:
        # nothing is granted, and a preflight is refused by the extension (security issue
        # item 1).
        assert [h for h in cors_part(headers) if h[0] not in ("vary", "x-cors-refusal")] == []
        if facts.is_preflight:
            assert status == 403
            assert REACHED_FLASK not in environ, "a covered preflight reached Flask"
    elif covered:
        check_cors_headers(scenario, facts, headers, vary_members(headers))
        # The adapter adds exactly what the core decides for these facts.
        decision = build(scenario).decide(facts._replace(path=path))
        expected = sorted((name.lower(), value) for name, value in decision.headers)
        assert [h for h in cors_part(headers) if h[0] != "vary"] == expected
        if facts.is_preflight:
            # F14/F36/F37: the extension answers every covered preflight itself, 204 or 403,
            # before Flask dispatches it (no before_request hook runs).
            assert status == (204 if decision.allowed else 403)
            assert REACHED_FLASK not in environ, "a covered preflight reached Flask"
        if path == "/api/items" and status == 200 and facts.method.upper() != "OPTIONS":
            # F41: the view's own Vary is kept.
            assert "accept-encoding" in {name.lower() for name in vary_members(headers)}
    else:
        assert cors_part(headers) == [], "CORS headers outside the covered resources"

    # Equal input, equal answer; and an app with an after_request hook of its own answers the
    # same (its hook never runs on our preflight answers).
    assert call(fast, environ_for(facts)) == (status, headers)
    slow_environ = environ_for(facts)
    slow_status, slow_headers = call(slow, slow_environ)
    assert slow_status == status
    assert cors_part(slow_headers) == cors_part(headers)
    if covered and facts.is_preflight:
        assert REACHED_FLASK not in slow_environ, "a covered preflight reached Flask"


@by_policy
@settings(SETTINGS, max_examples=150)
@given(data=st.data(), path=adapter_paths)
def test_adapter_on_hostile_environs(scenario: Scenario, data: st.DataObject, path: str) -> None:
    facts = data.draw(request_facts(scenario), label="facts")
    check_adapter(scenario, facts._replace(path=path))


def test_the_reference_refuses_a_credentialed_header_named_star() -> None:
    """Found by the fuzzer (fuzz/corpus/credentialed-star-header): a credentialed policy asked
    for a header literally named '*' refuses it (F18, F39), and the reference agrees."""
    scenario = next(s for s in SCENARIOS if s.name == "callable")
    facts = RequestFacts(
        method="OPTIONS",
        path="/api/items",
        origin="https://x.cb.test",
        request_method="POST",
        request_headers="*",
    )
    assert scenario.requested_names("*") is None
    assert not build(scenario).decide(facts).allowed
    check_core(scenario, facts)
