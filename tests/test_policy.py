"""Unit tests of Policy decisions (``policy.py``), built through the real option layer, no Flask.

Decisions are compared as exact header tuples: the adapters write them as they are.
"""

import re

import pytest

from flask_crossorigin._http import escape_for_log, is_token, merge_vary, parse_serialized_origin
from flask_crossorigin._memo import memos_of
from flask_crossorigin.options import EXTENSION_OPTIONS, build_policy, check_names, merge
from flask_crossorigin.policy import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    ACRH,
    ACRM,
    ACRPN,
    DEBUG_HEADER,
    MAX_REQUEST_HEADER_NAMES,
    Decision,
    Reason,
    RequestFacts,
)

A = "https://app.example.com"
B = "https://other.example.com"
ALL_METHODS = "GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"
PREFLIGHT_VARY = ("Origin", ACRM, ACRH)


def policy(**options):
    return build_policy(merge(check_names(options, allowed=EXTENSION_OPTIONS, where="CORS")))


def restricted(**options):
    return policy(origins=[A], **options)


# -- RequestFacts (F2) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "preflight"),
    [
        (RequestFacts("OPTIONS", origin=A, request_method="PUT"), True),
        (RequestFacts("OPTIONS", origin=A, request_method="PUT", request_headers="x-a"), True),
        # F2: OPTIONS without Access-Control-Request-Method is an actual request.
        (RequestFacts("OPTIONS", origin=A), False),
        (RequestFacts("OPTIONS", origin=A, request_headers="x-a"), False),
        (RequestFacts("OPTIONS", request_method="PUT"), False),
        (RequestFacts("GET", origin=A, request_method="PUT"), False),
        (RequestFacts("POST", origin=A, request_method="PUT"), False),
    ],
)
def test_is_preflight(facts, preflight):
    assert facts.is_preflight is preflight
    decision = restricted().decide(facts)
    assert decision.preflight is preflight


def test_decide_dispatches_to_actual_and_preflight():
    p = restricted(expose_headers=["X-Total"])
    assert p.decide(RequestFacts("OPTIONS", origin=A)) == p.actual(A)
    assert p.decide(RequestFacts("OPTIONS", origin=A, request_method="PUT")) == p.preflight(
        A, "PUT"
    )
    assert p.decide(RequestFacts("GET")) == p.actual(None)


# -- actual requests --------------------------------------------------------------------------


def test_actual_allowed_with_credentials_and_expose():
    p = restricted(supports_credentials=True, expose_headers=["X-Total", "X-Page"])
    assert p.actual(A) == Decision.build(
        allowed=True,
        preflight=False,
        headers=((ACAO, A), (ACAC, "true"), (ACEH, "X-Total, X-Page")),
        vary=("Origin",),
        reason=Reason.ALLOWED,
        detail="",
    )


def test_actual_refused_has_no_cors_headers_but_varies():
    # F23/F41: no CORS headers for a refused origin, but Vary: Origin all the same.
    p = restricted(supports_credentials=True, expose_headers=["X-Total"])
    assert p.actual(B) == Decision.build(
        False, False, (), ("Origin",), Reason.ORIGIN_NOT_ALLOWED, B
    )


@pytest.mark.parametrize(
    ("origin", "reason"),
    [
        ("null", Reason.ORIGIN_NULL_NOT_ALLOWED),
        (A + "/", Reason.ORIGIN_MALFORMED),
        (A + ":443", Reason.ORIGIN_MALFORMED),
        (A + ", " + B, Reason.ORIGIN_MALFORMED),
        ("", Reason.ORIGIN_MALFORMED),
    ],
)
def test_actual_refusal_reasons(origin, reason):
    decision = restricted().actual(origin)
    assert (decision.allowed, decision.headers, decision.reason) == (False, (), reason)
    assert decision.detail == origin


def test_no_origin_under_an_allow_list_sends_nothing():
    # Never disclose the allow-list to requests without Origin.
    decision = policy(origins=[A, B], supports_credentials=True).actual(None)
    assert decision == Decision.build(False, False, (), ("Origin",), Reason.NO_ORIGIN)


def test_no_origin_under_any_origin():
    assert policy().actual(None).headers == ((ACAO, "*"),)
    assert policy().actual(None).reason is Reason.NO_ORIGIN
    assert policy(expose_headers="X-T").actual(None).headers == ((ACAO, "*"), (ACEH, "X-T"))
    assert policy(always_send=False).actual(None).headers == ()
    assert policy(always_send=False, send_wildcard=True).actual(None).headers == ()


def test_any_origin_echoes_unless_send_wildcard():
    assert policy().actual(A).headers == ((ACAO, A),)
    assert policy(send_wildcard=True).actual(A).headers == ((ACAO, "*"),)


def test_listed_origin_in_other_case_is_granted_and_echoed_as_sent():
    # Drop-in issue: literal origins match scheme and host ignoring case (flask-cors does), and
    # the request's Origin is echoed as sent; under any-origin it is echoed too.
    assert restricted().actual("https://APP.example.com").headers[0] == (
        ACAO,
        "https://APP.example.com",
    )
    assert policy().actual("HTTPS://Other.example").headers == ((ACAO, "HTTPS://Other.example"),)


@pytest.mark.parametrize("origin", ["null", A + "/", "x\r\nSet-Cookie: a=b", "", "é"])
def test_any_origin_answers_null_and_malformed_with_star(origin):
    # Never reflect an opaque or malformed value; '*' grants the same without credentials.
    decision = policy().actual(origin)
    assert decision.allowed
    assert decision.headers == ((ACAO, "*"),)
    decision = policy().preflight(origin, "PUT")
    assert decision.headers == ((ACAO, "*"), (ACAM, ALL_METHODS))


def test_null_listed_is_echoed():
    # Without credentials: listing 'null' with them is refused (security issue item 9).
    p = policy(origins=["null"])
    assert p.actual("null").headers == ((ACAO, "null"),)


def test_callable_with_credentials_echoes_the_concrete_origin():
    # F40: credentials only together with a concrete origin.
    p = policy(origins=lambda origin: origin.endswith(".example.com"), supports_credentials=True)
    assert p.actual(A).headers == ((ACAO, A), (ACAC, "true"))
    assert p.actual("https://evil.test").headers == ()


@pytest.mark.parametrize(
    ("options", "actual_vary"),
    [
        # F33: a static '*' sent on every response needs no Vary.
        ({"send_wildcard": True}, ()),
        # '*' only when Origin is present: no-Origin responses differ (F32/F41).
        ({"send_wildcard": True, "always_send": False}, ("Origin",)),
        ({}, ("Origin",)),
        ({"always_send": False}, ("Origin",)),
        ({"origins": [A]}, ("Origin",)),
        ({"origins": [A], "send_wildcard": True}, ("Origin",)),
        ({"origins": [A], "supports_credentials": True}, ("Origin",)),
        ({"origins": re.compile(r"https://.*\.example\.com")}, ("Origin",)),
        ({"vary_header": False}, ()),
        ({"origins": [A], "vary_header": False}, ()),
    ],
)
def test_vary_rules(options, actual_vary):
    p = policy(**options)
    for origin in (A, B, None, "null"):
        assert p.actual(origin).vary == actual_vary
    vary_on = options.get("vary_header", True)
    expected_preflight = (*actual_vary, ACRM, ACRH) if vary_on else ()
    for origin in (A, B):
        assert p.preflight(origin, "PUT").vary == expected_preflight
        assert p.preflight(origin, "NOPE").vary == expected_preflight


def test_any_origin_plus_listed_origin_with_send_wildcard_is_consistent():
    # With origins=['*', A] and send_wildcard=True the policy promises a static '*' and drops
    # Vary: Origin (F33). An echoed A without Vary would be cached and served to other origins,
    # where the browser's CORS check fails (F13.3). Either answer '*' for A as for everyone, or
    # keep Vary: Origin.
    p = policy(origins=["*", A], send_wildcard=True)
    decision = p.actual(A)
    assert decision.headers == ((ACAO, "*"),) or "Origin" in decision.vary
    assert dict(decision.headers)[ACAO] == dict(p.preflight(A, "GET").headers)[ACAO]


# -- preflights: methods ------------------------------------------------------------------------


def test_preflight_allowed_exact_headers():
    p = restricted(
        supports_credentials=True,
        methods=["GET", "PUT"],
        allow_headers=["X-A"],
        expose_headers=["X-Total"],
        max_age=600,
    )
    assert p.preflight(A, "PUT", "x-a") == Decision.build(
        True,
        True,
        ((ACAO, A), (ACAC, "true"), (ACAM, "GET, PUT"), (ACAH, "x-a"), (ACMA, "600")),
        PREFLIGHT_VARY,
        Reason.ALLOWED,
    )
    # F24: no Access-Control-Expose-Headers on preflights.
    assert ACEH not in dict(p.preflight(A, "GET").headers)


def test_preflight_refused_origin_has_no_headers():
    p = restricted(methods=["GET", "PUT"], allow_headers="*", max_age=600)
    assert p.preflight(B, "PUT", "x-a") == Decision.build(
        False, True, (), PREFLIGHT_VARY, Reason.ORIGIN_NOT_ALLOWED, B
    )
    assert p.preflight("null", "PUT").reason is Reason.ORIGIN_NULL_NOT_ALLOWED


@pytest.mark.parametrize(
    ("method", "reason"),
    [
        ("GE", Reason.METHOD_NOT_ALLOWED),  # never a substring match
        ("GETX", Reason.METHOD_NOT_ALLOWED),
        ("ET", Reason.METHOD_NOT_ALLOWED),
        ("get", Reason.METHOD_NOT_ALLOWED),  # F7: methods are case-sensitive
        ("Put", Reason.METHOD_NOT_ALLOWED),
        ("DELETE", Reason.METHOD_NOT_ALLOWED),
        ("GET, PUT", Reason.METHOD_MALFORMED),
        ("GET;", Reason.METHOD_MALFORMED),
        ("", Reason.METHOD_MALFORMED),
        ("G\u00c9T", Reason.METHOD_MALFORMED),
    ],
)
def test_preflight_method_is_matched_exactly(method, reason):
    p = restricted(methods=["GET", "PUT"])
    decision = p.preflight(A, method)
    assert (decision.allowed, decision.headers, decision.reason) == (False, (), reason)
    assert decision.detail == method


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_preflight_allowed_method_lists_the_methods(method):
    p = restricted(methods=["GET", "PUT"])
    assert p.preflight(A, method).headers == ((ACAO, A), (ACAM, "GET, PUT"))


@pytest.mark.parametrize("method", ["PATCH", "patch", "PROPFIND", "X-Custom!"])
def test_methods_star_echoes_a_valid_token_verbatim(method):
    # F38: echo the requested method without case folding; F18: never a bare '*' (it would
    # mean nothing to a credentialed request).
    p = restricted(methods="*", supports_credentials=True)
    assert p.preflight(A, method).headers == ((ACAO, A), (ACAC, "true"), (ACAM, method))


@pytest.mark.parametrize("method", ["PA TCH", "GET,PUT", "", "GET\r\nX-Evil: 1", "GÉT"])
def test_methods_star_refuses_a_malformed_method(method):
    decision = restricted(methods="*").preflight(A, method)
    assert (decision.allowed, decision.headers, decision.reason) == (
        False,
        (),
        Reason.METHOD_MALFORMED,
    )


# -- preflights: request headers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "acah"),
    [
        ("x-a", "x-a"),
        ("x-a,x-b", "x-a, x-b"),
        # F4: tolerate spaces, case, duplicates, empty items (gateways join/split the header).
        (" X-A , x-b ", "x-a, x-b"),
        ("X-B,x-a,X-A,x-b", "x-b, x-a"),
        ("x-a,,x-b,", "x-a, x-b"),
        ("\tx-a,\tx-b", "x-a, x-b"),
        ("content-type", "content-type"),
    ],
)
def test_requested_headers_are_echoed_lowercased_and_deduplicated(requested, acah):
    p = restricted(allow_headers=["X-A", "X-B", "Content-Type", "X-Unused"])
    assert p.preflight(A, "GET", requested).headers == (
        (ACAO, A),
        (ACAM, ALL_METHODS),
        (ACAH, acah),
    )


@pytest.mark.parametrize("requested", [None, "", ",", " , "])
def test_no_requested_headers_means_no_acah(requested):
    p = restricted(allow_headers=["X-A"])
    assert p.preflight(A, "GET", requested).headers == ((ACAO, A), (ACAM, ALL_METHODS))


def test_a_refused_header_refuses_the_whole_preflight():
    p = restricted(allow_headers=["X-A"], max_age=600, supports_credentials=True)
    assert p.preflight(A, "GET", "x-a,X-Evil,x-b") == Decision.build(
        False, True, (), PREFLIGHT_VARY, Reason.HEADER_NOT_ALLOWED, "x-evil"
    )


@pytest.mark.parametrize("requested", ["x a", "x-a,x:b", "x-a,x\u00e9", "x-a,x\r\nb"])
def test_malformed_requested_header_is_refused(requested):
    decision = restricted().preflight(A, "GET", requested)
    assert (decision.allowed, decision.headers, decision.reason) == (
        False,
        (),
        Reason.HEADERS_MALFORMED,
    )


def test_authorization_needs_an_explicit_listing_or_star_echo():
    # F16: '*' never covers Authorization in the browser, so the '*' option echoes the name.
    listed = restricted(allow_headers=["Authorization"])
    assert dict(listed.preflight(A, "GET", "authorization").headers)[ACAH] == "authorization"
    star = restricted(allow_headers="*", supports_credentials=True)
    headers = dict(star.preflight(A, "GET", "Authorization,X-A").headers)
    assert headers[ACAH] == "authorization, x-a"
    not_listed = restricted(allow_headers=["X-A", "Content-Type"])
    decision = not_listed.preflight(A, "GET", "authorization")
    assert (decision.allowed, decision.reason, decision.detail) == (
        False,
        Reason.HEADER_NOT_ALLOWED,
        "authorization",
    )


def test_header_regexes_are_case_insensitive_fullmatch():
    p = restricted(allow_headers=[re.compile(r"X-Trace-[a-z]+"), "X-A"])
    assert dict(p.preflight(A, "GET", "X-TRACE-ID,x-a").headers)[ACAH] == "x-trace-id, x-a"
    assert p.preflight(A, "GET", "x-trace-").reason is Reason.HEADER_NOT_ALLOWED
    assert p.preflight(A, "GET", "x-trace-id-2").reason is Reason.HEADER_NOT_ALLOWED
    assert p.preflight(A, "GET", "prefix-x-trace-id").reason is Reason.HEADER_NOT_ALLOWED


def test_too_many_requested_header_names_are_refused():
    p = restricted()
    at_limit = ",".join(f"x-{i}" for i in range(MAX_REQUEST_HEADER_NAMES))
    assert p.preflight(A, "GET", at_limit).allowed
    over = ",".join(f"x-{i}" for i in range(MAX_REQUEST_HEADER_NAMES + 1))
    decision = p.preflight(A, "GET", over)
    assert (decision.allowed, decision.headers, decision.reason) == (
        False,
        (),
        Reason.TOO_MANY_HEADERS,
    )
    assert MAX_REQUEST_HEADER_NAMES == 256


# -- preflights: wildcard, max-age, private network ---------------------------------------------


def test_any_origin_preflight():
    assert policy().preflight(A, "PUT", "x-a") == Decision.build(
        True, True, ((ACAO, A), (ACAM, ALL_METHODS), (ACAH, "x-a")), PREFLIGHT_VARY, Reason.ALLOWED
    )
    assert policy(send_wildcard=True).preflight(A, "PUT") == Decision.build(
        True, True, ((ACAO, "*"), (ACAM, ALL_METHODS)), (ACRM, ACRH), Reason.ALLOWED
    )


def test_max_age_only_when_set():
    assert ACMA not in dict(restricted().preflight(A, "GET").headers)
    assert dict(restricted(max_age=0).preflight(A, "GET").headers)[ACMA] == "0"
    assert ACMA not in dict(restricted(max_age=600).actual(A).headers)


@pytest.mark.parametrize(
    ("enabled", "origin", "requested", "expected"),
    [
        (True, A, "true", ((ACAPN, "true"),)),
        (True, A, None, ()),
        (True, A, "false", ()),
        (True, A, "TRUE", ()),
        (True, A, " true", ()),
        (False, A, "true", ()),
        (False, A, None, ()),
        (True, B, "true", ()),  # the origin must pass first
    ],
)
def test_private_network(enabled, origin, requested, expected):
    p = restricted(allow_private_network=enabled)
    decision = p.preflight(origin, "GET", None, requested)
    assert tuple(h for h in decision.headers if h[0] == ACAPN) == expected
    # Never 'false'; only on preflights.
    assert all(value == "true" for name, value in decision.headers if name == ACAPN)
    assert ACAPN not in dict(p.actual(A).headers)
    if enabled:
        assert decision.vary == (*PREFLIGHT_VARY, ACRPN)
    else:
        assert decision.vary == PREFLIGHT_VARY


def test_private_network_refused_method_gets_nothing():
    p = restricted(allow_private_network=True, methods=["GET"])
    assert p.preflight(A, "PUT", None, "true").headers == ()


# -- memoisation never changes answers ----------------------------------------------------------


def test_repeated_calls_give_equal_answers():
    p = restricted(allow_headers=["X-A"], supports_credentials=True, allow_private_network=True)
    calls = [
        lambda: p.actual(A),
        lambda: p.actual(B),
        lambda: p.actual(None),
        lambda: p.actual("https://x.example.com"),
        lambda: p.preflight(A, "GET", "x-a", "true"),
        lambda: p.preflight(A, "GET", "x-b"),
        lambda: p.preflight(B, "GET", "x-a"),
    ]
    first = [call() for call in calls]
    assert [call() for call in calls] == first


def test_memo_overflow_keeps_answers_correct():
    p = policy(origins=["https://*.example.com"], allow_headers=["X-A"])
    for i in range(3000):
        origin = f"https://h{i}.example.com"
        assert p.actual(origin).headers == ((ACAO, origin),)
        assert p.actual(f"https://h{i}.example.org").headers == ()
        assert p.preflight(origin, "GET", f"x-a,x-{i}").reason is Reason.HEADER_NOT_ALLOWED
        assert dict(p.preflight(origin, "GET", "x-a").headers)[ACAO] == origin


def test_callable_origins_are_asked_on_every_request():
    state = {"allow": True}
    p = policy(origins=lambda origin: state["allow"], supports_credentials=True)
    assert p.actual(A).allowed
    assert p.preflight(A, "GET").allowed
    state["allow"] = False
    assert p.actual(A) == Decision.build(
        False, False, (), ("Origin",), Reason.ORIGIN_NOT_ALLOWED, A
    )
    assert not p.preflight(A, "GET").allowed
    state["allow"] = True
    assert p.actual(A).headers == ((ACAO, A), (ACAC, "true"))
    assert p.preflight(A, "GET").allowed


def test_raising_callable_refuses_without_raising(caplog):
    def boom(origin):
        raise LookupError("directory down")

    p = policy(origins=[boom], supports_credentials=True)
    decision = p.actual(A)
    assert decision == Decision.build(
        False, False, (), ("Origin",), Reason.ORIGIN_CALLABLE_FAILED, A
    )
    assert p.preflight(A, "GET").reason is Reason.ORIGIN_CALLABLE_FAILED
    assert "refusing the origin" in caplog.text


# -- debug mode ----------------------------------------------------------------------------------


def test_debug_refusals_name_the_reason_and_the_escaped_value():
    p = restricted(debug=True, allow_headers=["X-A"], methods=["GET"])
    assert p.actual(B) == Decision.build(
        False,
        False,
        ((DEBUG_HEADER, f'origin_not_allowed "{B}"'),),
        ("Origin",),
        Reason.ORIGIN_NOT_ALLOWED,
        B,
    )
    assert p.preflight(A, "PUT").headers == ((DEBUG_HEADER, 'method_not_allowed "PUT"'),)
    assert p.preflight(A, "GET", "x-a,x-b").headers == ((DEBUG_HEADER, 'header_not_allowed "x-b"'),)
    assert p.preflight(A, "GET", ",".join(["x-a"] * 300)).headers == (
        (DEBUG_HEADER, 'too_many_headers "300 names"'),
    )
    # Request data is escaped: no CR/LF/non-ASCII reaches the header, quotes cannot close early.
    hostile = 'https://x.test\r\nSet-Cookie: a="b"\u00e9'
    ((name, value),) = p.actual(hostile).headers
    assert name == DEBUG_HEADER
    assert value == 'origin_malformed "https://x.test\\r\\nSet-Cookie: a=\\"b\\"\\xe9"'
    assert all(0x20 <= ord(ch) < 0x7F for ch in value)
    long_value = p.actual("https://" + "a" * 1000 + ".test").headers[0][1]
    assert long_value.endswith("...(+813 chars)")
    assert len(long_value) < 260


def test_debug_adds_nothing_to_grants_or_no_origin():
    p = restricted(debug=True)
    assert p.actual(A).headers == ((ACAO, A),)
    assert p.actual(None).headers == ()
    assert p.preflight(A, "GET").headers == ((ACAO, A), (ACAM, ALL_METHODS))
    assert DEBUG_HEADER not in dict(restricted().actual(B).headers)


def test_reason_values_are_stable_ids():
    assert {reason.value for reason in Reason} == {
        "allowed",
        "no_origin",
        "origin_not_allowed",
        "origin_malformed",
        "origin_null_not_allowed",
        "origin_callable_failed",
        "origin_callable_invalid",  # security issue item 5
        "path_ambiguous",  # security issue item 1
        "method_not_allowed",
        "method_malformed",
        "header_not_allowed",
        "headers_malformed",
        "too_many_headers",
    }
    assert str(Reason.HEADER_NOT_ALLOWED) == "header_not_allowed"


# -- _http grammar helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "token"),
    [
        ("GET", True),
        ("x-custom_1.!#$%&'*+^`|~", True),
        ("", False),
        ("GE T", False),
        ("GET;", False),
        ("a:b", False),
        ("GET\n", False),
        ("G\u00c9T", False),
        ("\u212a", False),
    ],
)
def test_is_token(value, token):
    assert is_token(value) is token


@pytest.mark.parametrize(
    ("origin", "parsed"),
    [
        ("https://a.example", ("https", "a.example", None)),
        ("http://a.example:443", ("http", "a.example", "443")),
        ("https://[::1]:8080", ("https", "[::1]", "8080")),
        ("https://xn--bcher-kva.de", ("https", "xn--bcher-kva.de", None)),
        ("https://a.example:443", None),  # default port is never serialized
        ("http://a.example:80", None),
        ("https://[::1]:443", None),
        ("https://a.example:99999", None),
        ("HTTPS://a.example", None),
        ("https://A.example", None),
        ("https://a.example/", None),
        ("https://a..example", None),
        ("https://a.example.", None),
        ("https://user@a.example", None),
        ("https://b\u00fccher.de", None),
        ("null", None),
        ("", None),
    ],
)
def test_parse_serialized_origin(origin, parsed):
    assert parse_serialized_origin(origin) == parsed


def test_escape_for_log():
    assert escape_for_log(None) == "<absent>"
    assert escape_for_log('a"b') == '"a\\"b"'
    assert escape_for_log("x\r\ny\u00e9\u2028\\") == '"x\\r\\ny\\xe9\\u2028\\\\"'
    assert escape_for_log("x" * 205) == '"' + "x" * 200 + '"...(+5 chars)'


@pytest.mark.parametrize(
    ("existing", "merged"),
    [
        (None, "Origin, Access-Control-Request-Method"),
        ("", "Origin, Access-Control-Request-Method"),
        ("Accept-Encoding", "Accept-Encoding, Origin, Access-Control-Request-Method"),
        ("origin", "origin, Access-Control-Request-Method"),  # F41: keep what the app set
        ("ACCEPT-ENCODING, Origin", "ACCEPT-ENCODING, Origin, Access-Control-Request-Method"),
        ("Origin, access-control-request-method", None),
        ("*", None),
        ("Accept, *", None),
        # RFC 9110 5.6.1: a sender MUST NOT generate empty list elements.
        (" ", "Origin, Access-Control-Request-Method"),
        ("Accept,", "Accept, Origin, Access-Control-Request-Method"),
    ],
)
def test_merge_vary(existing, merged):
    assert merge_vary(existing, ("Origin", "Access-Control-Request-Method")) == merged
    assert merge_vary(None, ()) is None


def test_memo_keeps_no_value_longer_than_a_browser_sends() -> None:
    # Memo keys are request values: bounded in count, and over-long ones are never kept, so an
    # attacker cannot make each policy hold a thousand 8 KiB strings.
    p = policy(origins=["https://*.example.com"])
    huge = "https://" + "a" * 8000 + ".example.com"
    assert p.actual(huge).allowed is False
    assert p.preflight(huge, "GET", "x-" + "a" * 8000).allowed is False
    assert huge not in p.decisions_by_origin
    memos = memos_of(p)
    assert all(len(key[0]) < 600 for key in memos["preflight_memo"])
    assert all(len(key) < 600 for key in memos["headers_memo"])
    assert p.actual("https://a.example.com").allowed is True
    assert "https://a.example.com" in p.decisions_by_origin


def test_decisions_by_origin_are_bounded_and_keep_the_preset_ones() -> None:
    from flask_crossorigin.policy import _CACHE_LIMIT

    listed = "https://listed.example.net"
    p = policy(origins=[listed, "https://*.example.com"])
    preset = {None, listed}
    assert set(p.decisions_by_origin) == preset  # what set-up knows, before any request
    assert p.decisions_by_origin[None] is p.actual(None)
    for i in range(_CACHE_LIMIT * 2 + 5):
        origin = f"https://h{i}.example.com"
        assert p.actual(origin) == p.decisions_by_origin[origin]
        assert len(p.decisions_by_origin) <= _CACHE_LIMIT + len(preset)
        assert preset <= set(p.decisions_by_origin)
    # A callable's answers are never kept: it may change its mind.
    q = policy(origins=lambda origin: origin.endswith(".example.com"))
    q.actual("https://a.example.com")
    assert set(q.decisions_by_origin) == {None}
