"""Property tests (hypothesis) of the framework-free core: hostile input, exact origin matching,
and deterministic decisions."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_crossorigin.options import EXTENSION_OPTIONS, build_policy, check_names, merge
from flask_crossorigin.policy import ACAC, ACAH, ACAM, ACAO, DEBUG_HEADER, RequestFacts

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def policy(**options):
    return build_policy(merge(check_names(options, allowed=EXTENSION_OPTIONS, where="CORS")))


# Policies that echo request data as much as the options allow.
POLICIES = {
    "any-echo": policy(max_age=600, expose_headers=["X-Total"]),
    "any-wildcard": policy(send_wildcard=True),
    "star-everything": policy(methods="*", allow_headers="*", allow_private_network=True),
    "credentials-callable": policy(
        origins=lambda origin: True,
        supports_credentials=True,
        methods="*",
        allow_headers="*",
        allow_private_network=True,
    ),
    "list": policy(
        origins=[
            "https://app.example.com",
            "https://*.example.net",
            re.compile(r"https?://[a-z0-9.\-]+\.test(:\d+)?"),
        ],
        supports_credentials=True,
        allow_headers=["X-A", re.compile(r"x-.*")],
        expose_headers=["X-Total"],
    ),
    # 'null' only without credentials: with them it is refused (security issue item 9).
    "list-debug": policy(
        origins=["https://app.example.com", "https://*.example.net", "null"],
        methods=["GET", "PUT"],
        allow_headers=["X-A"],
        debug=True,
    ),
}

# Hostile alphabets: controls (incl. CR, LF, NUL, DEL), latin-1, other unicode, separators.
HOSTILE = st.characters(min_codepoint=0, max_codepoint=0x2FF) | st.sampled_from(
    [*"\r\n\t\x00\x7f ,;:/\"'\\", "\u2028", "\u212a", "\u0130", "\ufeff", "\U0001f600"]
)
hostile_text = st.text(HOSTILE, max_size=40) | st.text(HOSTILE, min_size=300, max_size=2000)
origin_like = st.builds(
    lambda scheme, host, port, tail: f"{scheme}://{host}{port}{tail}",
    st.sampled_from(["https", "http", "HTTPS", "ws", "javascript"]),
    st.text(HOSTILE, min_size=1, max_size=30) | st.just("app.example.com"),
    st.sampled_from(["", ":443", ":8080", ":99999", ":-1", ":\u0663"]),
    st.sampled_from(["", "/", "\r\nSet-Cookie: a=b", "\x00", " ", ",https://b.test"]),
)
origins = st.none() | st.just("null") | origin_like | hostile_text
methods = st.sampled_from(["GET", "PUT", "patch", "PROPFIND"]) | hostile_text
many_commas = st.lists(
    st.sampled_from(["x-a", " X-B ", "", "authorization", "content-type", "x-\u00e9"])
    | hostile_text,
    max_size=400,
).map(",".join)
request_headers = st.none() | hostile_text | many_commas
private_network = st.sampled_from([None, "true", "false", "TRUE", "true\r\n"]) | hostile_text


def printable_ascii(value):
    return all(0x20 <= ord(ch) < 0x7F for ch in value)


@SETTINGS
@given(
    name=st.sampled_from(sorted(POLICIES)),
    origin=origins,
    method=methods,
    headers=request_headers,
    pna=private_network,
    verb=st.sampled_from(["OPTIONS", "GET", "POST"]),
)
def test_emitted_headers_are_printable_ascii(name, origin, method, headers, pna, verb):
    p = POLICIES[name]
    facts = RequestFacts(verb, "/", origin, method, headers, pna)
    decisions = [p.decide(facts), p.actual(origin)]
    if origin is not None:
        decisions.append(p.preflight(origin, method, headers, pna))
    for decision in decisions:
        for header, value in decision.headers:
            assert printable_ascii(header)
            assert printable_ascii(value), (header, value)
        for header in decision.vary:
            assert printable_ascii(header)
        headers_by_name = dict(decision.headers)
        assert len(headers_by_name) == len(decision.headers)  # each header once
        if ACAO in headers_by_name:
            acao = headers_by_name[ACAO]
            # F25: a single origin, '*' or 'null'; echoes are byte-equal to the request (F13.3).
            assert acao in ("*", "null") or acao == origin
            assert "," not in acao and " " not in acao
            if ACAC in headers_by_name:
                assert acao != "*"  # F40
                assert headers_by_name[ACAC] == "true"
        else:
            assert not decision.allowed
            # A refusal carries nothing, or (debug=True) only the escaped reason.
            assert set(headers_by_name) <= ({DEBUG_HEADER} if p.debug else set())
        if ACAM in headers_by_name and p.methods is None:
            assert headers_by_name[ACAM] == method  # F38: echoed verbatim
        if ACAH in headers_by_name:
            requested = {item.strip(" \t").lower() for item in (headers or "").split(",")}
            assert set(headers_by_name[ACAH].split(", ")) <= requested


# -- an origin is accepted only for the exact configured scheme, host and port --------------------

CONFIGURED_EXACT = {
    ("https", "app.example.com", None),
    ("http", "localhost", "3000"),
    ("https", "api.example.org", "8443"),
}
GLOB_SUFFIX = ".example.net"  # 'https://*.example.net'
EXACT_POLICY = policy(
    origins=[
        "https://app.example.com",
        "http://localhost:3000",
        "https://api.example.org:8443",
        "https://*.example.net",
    ],
    supports_credentials=True,
)
label = st.from_regex(r"[a-z0-9]([a-z0-9\-]{0,8}[a-z0-9])?", fullmatch=True)
hosts = st.sampled_from(
    [
        "app.example.com",
        "APP.example.com",
        "app.example.co",
        "app.example.com.evil",
        "xapp.example.com",
        "example.com",
        "localhost",
        "localhost.evil",
        "api.example.org",
        "example.net",
        "evilexample.net",
        "a.example.net",
        "a.b.example.net",
        "a.example.net.evil",
        "a.Example.net",
        "127.0.0.1",
    ]
) | st.builds(lambda labels: ".".join(labels), st.lists(label, min_size=1, max_size=3)).flatmap(
    lambda prefix: st.sampled_from([prefix + GLOB_SUFFIX, prefix + "example.net", prefix])
)
schemes = st.sampled_from(["https", "http", "ws", "wss", "HTTPS", "Http"])
ports = st.sampled_from([None, "80", "443", "3000", "03000", "8443", "8444", "65535", "0"])


def expected_allowed(scheme, host, port):
    # Drop-in issue: scheme and host match ignoring case, as in flask-cors (echoed as sent).
    scheme, host = scheme.lower(), host.lower()
    serialized = (
        (port is None or port == str(int(port)))
        and not (scheme in ("https", "wss") and port == "443")
        and not (scheme in ("http", "ws") and port == "80")
    )
    if not serialized:
        return False
    if (scheme, host, port) in CONFIGURED_EXACT:
        return True
    return (
        scheme == "https"
        and port is None
        and host.endswith(GLOB_SUFFIX)
        and len(host) > len(GLOB_SUFFIX)
    )


@SETTINGS
@given(scheme=schemes, host=hosts, port=ports)
def test_origin_allowed_only_for_configured_scheme_host_port(scheme, host, port):
    origin = f"{scheme}://{host}" + (f":{port}" if port is not None else "")
    expected = expected_allowed(scheme, host, port)
    for decision in (EXACT_POLICY.actual(origin), EXACT_POLICY.preflight(origin, "GET")):
        assert decision.allowed is expected, origin
        if expected:
            assert dict(decision.headers)[ACAO] == origin
            assert dict(decision.headers)[ACAC] == "true"
        else:
            assert decision.headers == ()


# -- equal input, equal decision ------------------------------------------------------------------

STATIC_OPTIONS = {
    "any-echo": {"max_age": 600, "expose_headers": ["X-Total"]},
    "any-wildcard": {"send_wildcard": True},
    "star-everything": {"methods": "*", "allow_headers": "*", "allow_private_network": True},
    "list": {
        "origins": ["https://app.example.com", "https://*.example.net"],
        "supports_credentials": True,
        "allow_headers": ["X-A", re.compile(r"x-.*")],
    },
    # 'null' only without credentials: with them it is refused (security issue item 9).
    "list-debug": {
        "origins": ["https://app.example.com", "null"],
        "allow_headers": ["X-A"],
        "debug": True,
    },
}
FRESH = {name: policy(**options) for name, options in STATIC_OPTIONS.items()}
FRESH_TWIN = {name: policy(**options) for name, options in STATIC_OPTIONS.items()}


@SETTINGS
@given(
    name=st.sampled_from(sorted(STATIC_OPTIONS)),
    origin=origins | st.sampled_from(["https://app.example.com", "https://a.example.net"]),
    method=methods,
    headers=request_headers,
    pna=private_network,
    verb=st.sampled_from(["OPTIONS", "GET"]),
)
def test_equal_input_gives_equal_decisions(name, origin, method, headers, pna, verb):
    facts = RequestFacts(verb, "/x", origin, method, headers, pna)
    first = FRESH[name].decide(facts)
    assert FRESH[name].decide(facts) == first  # memoised answer
    assert FRESH[name].decide(RequestFacts(*facts)) == first  # equal, not identical, input
    assert FRESH_TWIN[name].decide(facts) == first  # an equal policy
