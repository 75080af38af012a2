"""Unit tests of the origin allow-list (``flask_crossorigin.origins``), without Flask.

Every configured origin is validated and normalised at start-up (F43), and a request ``Origin`` is
matched byte for byte against the serialized form a browser sends (F13.3).
"""

import re
import warnings

import pytest

from flask_crossorigin.errors import ConfigError
from flask_crossorigin.origins import compile_origins, normalise_origin

LABEL = "CORS(origins=...)"


def matcher(*items):
    return compile_origins(list(items), LABEL)


def config_error(value):
    with pytest.raises(ConfigError) as info:
        compile_origins(value, LABEL)
    return str(info.value)


# -- validation: every message names where the value came from, the value, and what to write ----


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # F43: an origin has a scheme; suggest the spelling that works.
        ("localhost", ["'localhost'", "no scheme", "'https://localhost'", "'http://localhost'"]),
        # F13.3: no path, no trailing slash.
        (
            "https://example.com/",
            ["'https://example.com/'", "trailing slash", "'https://example.com'"],
        ),
        ("https://example.com/api", ["'https://example.com/api'", "'https://example.com'"]),
        ("https://example.com#", ["'https://example.com#'", "'https://example.com'"]),
        # The port must be a number; suggest a real port or a regex for any port.
        (
            "http://localhost:port",
            ["'http://localhost:port'", "'port'", "http://localhost:3000", "'http://localhost:*'"],
        ),
        ("http://localhost:", ["'http://localhost:'", "http://localhost:3000"]),
        ("http://localhost:65536", ["'65536'", "65535"]),
        # F28: browsers never send userinfo in Origin.
        ("https://user:pw@example.com", ["userinfo", "'https://example.com'"]),
        (" https://example.com", ["whitespace", "'https://example.com'"]),
        ("https://example.com\n", ["whitespace", "'https://example.com'"]),
        ("https://exa mple.com", ["whitespace"]),
        ("https://exa..mple.com", ["not a valid host"]),
        ("https://-example.com", ["not a valid host"]),
    ],
)
def test_invalid_origin_message_names_label_value_and_fix(value, expected):
    message = config_error([value])
    assert message.startswith(LABEL)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from {message!r}"


def test_inner_whitespace_message_does_not_suggest_the_same_invalid_value():
    # F43: "says what to write" -- suggesting the unchanged value (it only strips the ends) is
    # advice that fails again at the next start-up.
    message = config_error(["https://exa mple.com"])
    assert "Write 'https://exa mple.com'" not in message


def test_scheme_less_glob_suggests_the_glob_with_a_scheme():
    # '*.example.com' is the subdomain glob without its scheme (F43): the message must say to
    # write 'https://*.example.com', not talk about a regular expression that does not compile.
    message = config_error(["*.example.com"])
    assert "'*.example.com'" in message
    assert "'https://*.example.com'" in message


def test_glob_with_trailing_slash_suggests_the_glob_not_an_internal_placeholder():
    message = config_error(["https://*.example.com/"])
    assert "'https://*.example.com/'" in message
    assert "'https://*.example.com'" in message
    assert "wildcard-label" not in message


def test_glob_with_surrounding_whitespace_is_refused_not_compiled_as_a_regex():
    # ' https://*.example.com' is the glob with a stray space: it must fail like any other origin
    # with whitespace, not turn into a regex that never matches anything.
    message = config_error([" https://*.example.com"])
    assert "whitespace" in message
    assert "'https://*.example.com'" in message


def test_bytes_regex_is_refused():
    message = config_error([re.compile(rb"https://example\.com")])
    assert "bytes pattern" in message
    assert "str pattern" in message


def test_regex_looking_string_that_does_not_compile_is_refused():
    message = config_error(["https://(example.com"])
    assert "'https://(example.com'" in message
    assert "does not compile" in message


@pytest.mark.parametrize("value", [42, 3.5, None, object()])
def test_origins_of_wrong_type_are_refused(value):
    if value is None or isinstance(value, (int, float)):
        message = config_error(value)
        assert "origins must be a string" in message
        assert "origins=['https://app.example.com']" in message
    else:
        message = config_error([value])
        assert "is not an origin" in message


# -- normalisation: what a browser would send (F13.3) ------------------------------------------


@pytest.mark.parametrize(
    ("configured", "serialized"),
    [
        ("HTTPS://EXAMPLE.COM", "https://example.com"),
        ("https://Example.Com", "https://example.com"),
        ("https://example.com:443", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("wss://example.com:443", "wss://example.com"),
        ("http://example.com:443", "http://example.com:443"),
        ("https://example.com:8443", "https://example.com:8443"),
        ("https://example.com:0443", "https://example.com"),
        ("https://bücher.de", "https://xn--bcher-kva.de"),
        ("https://BÜCHER.de", "https://xn--bcher-kva.de"),
        ("https://xn--bcher-kva.de", "https://xn--bcher-kva.de"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ],
)
def test_configured_origins_are_normalised(configured, serialized):
    assert normalise_origin(configured, LABEL) == serialized
    m = matcher(configured)
    assert m.exact == {serialized}
    assert m.refusal(serialized) is None


def test_ipv6_literal_origin_is_matched_as_an_origin():
    # A configured IPv6 origin must match what the browser sends, 'http://[::1]:8080'. It must not
    # be taken for a regex ('[::1]' is a character class there) that matches nothing real.
    m = matcher("http://[::1]:8080")
    assert m.refusal("http://[::1]:8080") is None
    assert m.refusal("http://[::1]:8081") == "origin_not_allowed"


# -- exact origins -------------------------------------------------------------------------------


def test_exact_set_matches_only_the_listed_origins():
    m = matcher("https://app.example.com", "http://localhost:3000")
    assert m.refusal("https://app.example.com") is None
    assert m.refusal("http://localhost:3000") is None
    assert m.refusal("http://localhost:3001") == "origin_not_allowed"
    assert m.refusal("https://localhost:3000") == "origin_not_allowed"
    assert m.refusal("http://app.example.com") == "origin_not_allowed"
    assert m.refusal("https://example.com") == "origin_not_allowed"
    assert m.refusal("https://app.example.com.evil.com") == "origin_not_allowed"
    # Drop-in issue: scheme and host match ignoring case, as in flask-cors.
    assert m.refusal("https://APP.example.com") is None
    assert m.refusal("HTTP://LOCALHOST:3000") is None
    # Not what a browser sends (F13.3): never compared, never echoed.
    assert m.refusal("https://app.example.com/") == "origin_malformed"
    assert m.refusal("https://app.example.com:443") == "origin_malformed"
    assert m.refusal("https://app.example.com ") == "origin_malformed"
    assert m.refusal("") == "origin_malformed"
    assert m.is_static
    assert not m.any


def test_single_string_is_one_origin():
    m = compile_origins("https://app.example.com", LABEL)
    assert m.exact == {"https://app.example.com"}
    assert m.display == ("https://app.example.com",)


def test_star_means_any_origin():
    m = matcher("*")
    assert m.any
    assert m.display == ("*",)
    assert compile_origins("*", LABEL).any


def test_empty_list_allows_nothing():
    m = compile_origins([], LABEL)
    assert not m.any
    assert m.refusal("https://app.example.com") == "origin_not_allowed"
    assert m.refusal("null") == "origin_null_not_allowed"


# -- null (F35, F44) ------------------------------------------------------------------------------


def test_null_is_refused_unless_listed():
    # F44: 'null' is a distinct, explicitly opt-in value.
    assert matcher("https://app.example.com").refusal("null") == "origin_null_not_allowed"
    assert matcher("https://*.example.com").refusal("null") == "origin_null_not_allowed"
    assert matcher(re.compile(r".*")).refusal("null") == "origin_null_not_allowed"
    # A callable is an explicit decision, asked about 'null' too (security issue item 9).
    assert matcher(lambda origin: True).refusal("null") is None
    assert matcher(lambda origin: origin != "null").refusal("null") == "origin_null_not_allowed"


def test_null_is_allowed_when_listed():
    m = matcher("null")
    assert m.allow_null
    assert m.refusal("null") is None
    assert m.refusal("https://app.example.com") == "origin_not_allowed"
    assert m.refusal("NULL") == "origin_malformed"


# -- subdomain globs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://a.example.com", True),
        ("https://a.b.example.com", True),
        ("https://x-1.deep.er.example.com", True),
        ("https://example.com", False),  # the glob needs at least one label
        ("https://evilexample.com", False),  # label boundary
        ("https://a.evilexample.com", False),
        ("https://example.com.evil.com", False),
        ("https://a.example.com.evil.com", False),
        ("https://a.example.co", False),
        ("http://a.example.com", False),  # other scheme
        ("wss://a.example.com", False),
        ("https://a.example.com:8443", False),  # other port
        ("https://a.example.com:443", False),  # never sent by a browser
        ("https://.example.com", False),
        ("https://A.example.com", True),  # drop-in issue: host case is ignored
        ("https://a.example.com/", False),
        ("null", False),
    ],
)
def test_subdomain_glob_matches_on_label_boundaries(origin, allowed):
    m = matcher("https://*.example.com")
    assert (m.refusal(origin) is None) is allowed


def test_glob_is_normalised_and_keeps_its_port():
    m = matcher("HTTPS://*.Example.COM:8443")
    assert m.display == ("https://*.example.com:8443",)
    assert m.refusal("https://a.example.com:8443") is None
    assert m.refusal("https://a.example.com") == "origin_not_allowed"
    assert m.refusal("https://a.example.com:8444") == "origin_not_allowed"
    assert matcher("https://*.example.com:443").display == ("https://*.example.com",)


def test_glob_with_idn_suffix_is_punycoded():
    m = matcher("https://*.bücher.de")
    assert m.refusal("https://shop.xn--bcher-kva.de") is None
    assert m.refusal("https://xn--bcher-kva.de") == "origin_not_allowed"


def test_glob_over_a_top_level_domain_is_allowed_without_credentials():
    # Drop-in issue: a glob over a public suffix lets every site there read what any site may
    # read anyway; only with credentials is it refused (tests/test_dropin_rules.py).
    m = matcher("https://*.com")
    assert m.refusal("https://a.com") is None
    assert m.refusal("https://com") == "origin_not_allowed"


def test_glob_under_localhost_is_allowed():
    m = matcher("http://*.localhost:3000")
    assert m.refusal("http://app.localhost:3000") is None
    assert m.refusal("http://localhost:3000") == "origin_not_allowed"


@pytest.mark.parametrize(
    ("value", "near_misses"),
    [
        ("https://*.*.example.com", ["https://evilexample.com", "https://a.evilexample.com"]),
        ("https://*example.com", ["https://evilexample.com"]),
        ("http://*.localhost:*", ["http://xlocalhost", "http://evil.xlocalhost:1"]),
        ("https://app.example.com:*", ["https://appxexample.com", "https://app.example.co"]),
    ],
)
def test_glob_looking_strings_never_allow_near_misses(value, near_misses):
    # A string that looks like a glob but is not the one supported form must either be refused
    # at start-up or at least never allow a different site (label boundary, like globs).
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            m = matcher(value)
    except ConfigError as exc:
        assert repr(value) in str(exc)
        return
    for origin in near_misses:
        assert m.refusal(origin) is not None, origin


# -- regular expressions --------------------------------------------------------------------------


def test_compiled_regex_is_fullmatched_never_a_prefix():
    m = matcher(re.compile(r"https://good\.com"))
    assert m.refusal("https://good.com") is None
    assert m.refusal("https://good.com.evil.com") == "origin_not_allowed"
    assert m.refusal("https://good.com:8080") == "origin_not_allowed"
    assert m.refusal("https://sub.good.com") == "origin_not_allowed"
    assert m.display == ("re.compile('https://good\\\\.com')",)


def test_compiled_regex_only_sees_serialized_origins():
    # Even a match-everything regex never lets a malformed value through to be echoed.
    m = matcher(re.compile(r".*"))
    assert m.refusal("https://anything.example") is None
    assert m.refusal("https://x.com/path") == "origin_malformed"
    assert m.refusal("https://x.com\r\nSet-Cookie: a=b") == "origin_malformed"


def test_regex_looking_string_is_compiled_fullmatch_without_a_deprecation_warning():
    # Regex strings are flask-cors 6's documented spelling, not deprecated (migration issue
    # item 2): under the project's warnings-as-errors any warning here would fail the test.
    m = matcher(r"https://good\.com$")
    assert m.refusal("https://good.com") is None
    assert m.refusal("https://good.com.evil.com") == "origin_not_allowed"
    assert m.refusal("https://xgood.com") == "origin_not_allowed"


# -- callables ------------------------------------------------------------------------------------


def test_callable_true_false_and_raising():
    def boom(origin):
        raise RuntimeError("directory down")

    assert matcher(lambda origin: True).refusal("https://a.example") is None
    assert matcher(lambda origin: False).refusal("https://a.example") == "origin_not_allowed"
    # Security issue item 5: only a bool is an answer; None is the callable's bug, refused.
    assert matcher(lambda origin: None).refusal("https://a.example") == "origin_callable_invalid"
    assert matcher(boom).refusal("https://a.example") == "origin_callable_failed"


def test_callable_receives_only_serialized_origins():
    seen = []

    def record(origin):
        seen.append(origin)
        return True

    m = matcher(record)
    assert not m.is_static
    assert m.refusal("https://a.example") is None
    assert m.refusal("https://a.example/") == "origin_malformed"
    assert m.refusal("null") is None  # 'null' too, as it is: security issue item 9
    assert seen == ["https://a.example", "null"]


def test_callable_is_asked_every_time():
    answers = iter([True, False, True])
    m = matcher(lambda origin: next(answers))
    assert [m.refusal("https://a.example") for _ in range(3)] == [
        None,
        "origin_not_allowed",
        None,
    ]


def test_mixed_kinds_are_all_consulted():
    m = matcher(
        "https://exact.example",
        "https://*.glob.example",
        re.compile(r"https://re[0-9]\.example"),
        lambda origin: origin == "https://callable.example",
        "null",
    )
    for origin in (
        "https://exact.example",
        "https://a.glob.example",
        "https://re7.example",
        "https://callable.example",
        "null",
    ):
        assert m.refusal(origin) is None, origin
    assert m.refusal("https://other.example") == "origin_not_allowed"
    assert m.display[:2] == ("https://exact.example", "https://*.glob.example")
    assert m.display[-1] == "null"


# -- suggestions are only made when they would be accepted themselves ----------------------------


def _message(value):
    with pytest.raises(ConfigError) as info:
        normalise_origin(value, LABEL)
    return str(info.value)


def test_comma_message_suggests_a_list_only_when_every_part_is_an_origin():
    """E005: 'List them' appears when each comma-separated part would be accepted; a part that
    would itself be refused ('ftp//x', no '://') means no list is suggested."""
    good = config_error(["https://a.example,https://b.example"])
    assert "List them: origins=['https://a.example', 'https://b.example']" in good
    bad = config_error(["https://a.example,ftp//x"])
    assert "contains a comma" in bad
    assert "List them" not in bad


def test_whitespace_message_suggests_nothing_when_joining_does_not_make_an_origin():
    """E006: removing the whitespace of 'app .example.com' still leaves no scheme, and of
    'https://a.example: x' a port that is not a number, so no 'Write ...' is suggested."""
    for value in ("app .example.com", "https://a.example: x"):
        message = config_error([value])
        assert "contains whitespace" in message
        assert "Write" not in message, message


def test_scheme_less_value_without_regex_characters_gets_no_regex_hint():
    """E007: a scheme-less value that is not an origin with either scheme prepended is told to
    write a real origin; without '.+{}|' in it, nothing is said about regular expressions."""
    message = config_error(["localhost/app"])
    assert "has no scheme" in message
    assert "Write a real origin such as 'https://app.example.com'" in message
    assert "regular expression" not in message
    assert "regular expression" in config_error(["example.com/app"])


def test_malformed_ipv6_host_is_refused():
    """E013: text after the closing bracket that is not ':port' makes the IPv6 host malformed."""
    message = _message("https://[::1]x")
    assert "malformed IPv6 host" in message
    assert "cors.E013" in message


def test_bad_port_on_a_bad_host_suggests_no_spelling():
    """E011: a port out of range is reported, but with an invalid host ('exa..mple.com') neither
    'host:3000' nor 'host:*' would be accepted, so neither is suggested."""
    message = config_error(["https://exa..mple.com:99999"])
    assert "'99999', which is not a number from 0 to 65535." in message
    assert "Write" not in message
    assert ":*" not in message


def test_unicode_host_that_idna_cannot_encode_is_refused():
    """E013: an internationalised label longer than 63 characters cannot be written in ASCII,
    so no browser can send it; set-up says the host is not valid."""
    value = "https://" + "\u00e4" * 64 + ".example"
    message = config_error([value])
    assert "has a host that is not valid" in message
    assert "cors.E013" in message
    assert matcher("https://b\u00fccher.example").refusal("https://xn--bcher-kva.example") is None
