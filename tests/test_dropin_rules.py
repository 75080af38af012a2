"""The rules of the drop-in issue ("Drop-in for real configurations"), one by one, in the core.

tests/test_real_configs.py runs the real configurations through Flask; this file pins each rule
on its own, with the edge cases next to it. flask-cors 6's behaviour is written down as expected
values (it is never imported). Fetch rule ids (F1-F44) refer to docs/fetch-rules.md.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import warnings

import pytest
from flask import Flask

from flask_crossorigin import CORS, ConfigError
from flask_crossorigin._http import looks_like_regex
from flask_crossorigin.options import (
    BOOLEAN_OPTIONS,
    DECORATOR_OPTIONS,
    EXTENSION_OPTIONS,
    build_policy,
    check_names,
    config_layer,
    merge,
    validate_values,
)
from flask_crossorigin.origins import compile_origins
from flask_crossorigin.policy import ACAH, ACAM, ACAO, Reason
from flask_crossorigin.resources import ResourceTable

LABEL = "CORS(origins=...)"


def layer(**options):
    return check_names(options, allowed=EXTENSION_OPTIONS, where="CORS")


def policy(**options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return build_policy(merge(layer(**options)))


def refusal(**options) -> str:
    with pytest.raises(ConfigError) as info:
        policy(**options)
    return str(info.value)


def matcher(*items):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return compile_origins(list(items), LABEL)


# -- how a string is read -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "is_regex"),
    [
        *[(f"a{ch}b", True) for ch in "*\\]?$^[()"],
        *[(f"a{ch}b", False) for ch in ".+{}|"],
        ("https://app.example.com", False),
        (r".+", False),
        (r".*", True),
    ],
)
def test_regex_classification_is_flask_cors_6s(value, is_regex):
    """Drop-in issue, "how a string is read": exactly * \\ ] ? $ ^ [ ( ) make a regex."""
    assert looks_like_regex(value) is is_regex


@pytest.mark.parametrize(
    "value",
    [
        r".*",
        r".*\.example\.com",
        r"http?://\w*\.?example\.com:?\d*/?.*",
        r"http://localhost:3000/*",
    ],
)
def test_regex_origins_that_match_real_origins_are_accepted(value):
    """Drop-in issue: never apply literal-origin checks to a regex; these match real origins."""
    m = compile_origins([value], LABEL)  # no DeprecationWarning (migration issue item 2)
    assert any(
        m.refusal(origin) is None
        for origin in ("https://app.example.com", "http://localhost:3000", "http://www.example.com")
    )


def test_regex_origin_is_full_matched_ignoring_case():
    """Drop-in issue: a regex origin string is full-matched, case-insensitively."""
    m = matcher(r"https://app\.example\.com")
    assert m.refusal("https://app.example.com") is None
    assert m.refusal("HTTPS://APP.EXAMPLE.COM") is None
    assert m.refusal("https://app.example.com.evil.test") == "origin_not_allowed"


def test_dot_plus_is_a_literal_and_is_refused():
    """Drop-in issue: '.', '+', '{', '}', '|' alone do not make a regex; r'.+' is a literal."""
    message = refusal(origins=r".+")
    assert "'.+'" in message and "no scheme" in message
    assert "re.compile('.+')" in message


@pytest.mark.parametrize(
    ("glob", "allowed", "refused"),
    [
        (
            "http://localhost:*",
            [
                "http://localhost:5173",
                "http://localhost:1",
                "http://localhost",
                "HTTP://LOCALHOST:8",
            ],
            ["https://localhost:5173", "http://localhost.evil.example", "http://a.localhost:1"],
        ),
        (
            "https://app.example.com:*",
            ["https://app.example.com", "https://app.example.com:8443"],
            ["https://appxexample.com", "https://a.app.example.com:1", "http://app.example.com"],
        ),
        (
            "http://*.localhost:*",
            ["http://a.localhost:3000", "http://a.b.localhost"],
            ["http://localhost:3000", "http://xlocalhost:1", "https://a.localhost:1"],
        ),
        (
            "https://*.example.com",
            ["https://a.example.com", "https://a.b.example.com"],
            ["https://example.com", "https://a.example.com:8443", "https://evilexample.com"],
        ),
    ],
)
def test_the_two_glob_forms(glob, allowed, refused):
    """Drop-in issue: scheme://*.domain[:port] and the any-port form scheme://host:*."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # a glob is not a legacy regex
        m = compile_origins([glob], LABEL)
    for origin in allowed:
        assert m.refusal(origin) is None, origin
    for origin in refused:
        assert m.refusal(origin) is not None, origin


def test_any_port_glob_is_displayed_normalised():
    assert matcher("HTTP://LocalHost:*").display == ("http://localhost:*",)


def test_host_star_is_refused_with_the_any_port_glob():
    """real-configs case 4: 'http://localhost*' may be refused if it suggests the glob."""
    message = refusal(origins="http://localhost*")
    assert "'http://localhost*'" in message and "'http://localhost:*'" in message


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("https://*.*.example.com", "https://*.example.com"),
        ("https://*example.com", ["https://example.com", "https://*.example.com"]),
        ("https://*.example.com/*", "https://*.example.com"),
    ],
)
def test_broken_subdomain_globs_are_refused_with_the_glob(value, suggestion):
    message = refusal(origins=value)
    assert repr(value) in message and repr(suggestion) in message
    policy(origins=suggestion)


def test_literal_origin_matches_ignoring_case_and_is_echoed_as_sent():
    """Drop-in issue: literal origins match scheme and host case-insensitively, echoed as sent."""
    p = policy(origins=["https://app.example.com"])
    for origin in ("https://app.example.com", "HTTPS://App.Example.COM"):
        assert dict(p.actual(origin).headers)[ACAO] == origin
        assert dict(p.preflight(origin, "PUT").headers)[ACAO] == origin


def test_allow_headers_regex_string_is_full_matched_ignoring_case():
    """Drop-in issue: allow_headers accepts regex strings ("X-Company-.*"), without a warning
    when both readings agree (migration issue item 2)."""
    p = build_policy(merge(layer(allow_headers=["Content-Type", "X-Company-.*"])))
    assert p.preflight("https://a.example", "PUT", "x-company-id, content-type").allowed
    assert p.preflight("https://a.example", "PUT", "X-COMPANY-ID").allowed
    decision = p.preflight("https://a.example", "PUT", "x-other-x-company-id")
    assert decision.reason is Reason.HEADER_NOT_ALLOWED


@pytest.mark.parametrize(
    ("pattern", "covered", "not_covered"),
    [
        ("*", ["/", "/a", "/a/b/c"], []),
        (r"/api", ["/api"], ["/api/predict", "/api/", "/apiary"]),
        (r"/api/v1.0", ["/api/v1.0"], ["/api/v1x0", "/api/v1.0/x"]),  # '.' alone is literal
        (r"/x/*", ["/x", "/x/", "/x/y/z"], ["/xy", "/"]),
        (r"/api/.*", ["/api/", "/api/a/b"], ["/ap", "/x/api/a"]),  # a regex, from the start
        (re.compile(r"/api"), ["/api", "/api/predict", "/apiary"], ["/x/api"]),  # re.match
    ],
)
def test_resource_patterns(pattern, covered, not_covered):
    """Drop-in issue, resources: "*" = every path; a literal = exactly it; r"/x/*" = /x and below;
    regex patterns match from the start of the path."""
    table = ResourceTable([(pattern, "row", "resource")])
    for path in covered:
        assert table.match(path) is not None, path
    for path in not_covered:
        assert table.match(path) is None, path


def test_star_resource_through_the_extension():
    """real-configs rule 7: the "*" key is never a reason to refuse."""
    CORS(Flask(__name__), resources="*")
    CORS(Flask(__name__), resources=["*"])


# -- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BOOLEAN_OPTIONS))
def test_none_for_a_boolean_means_not_set(name):
    """Drop-in issue (real-configs rule 4): None for any boolean option means "not set"."""
    # flask-cors 6's booleans (and log_refusals) are all here; a new one joins by itself.
    assert set(BOOLEAN_OPTIONS) >= {
        "supports_credentials",
        "send_wildcard",
        "vary_header",
        "automatic_options",
        "intercept_exceptions",
        "always_send",
        "allow_private_network",
        "debug",
        "log_refusals",
    }
    assert layer(**{name: None}) == {}
    assert check_names({name: None}, allowed=DECORATOR_OPTIONS, where="@cross_origin") == {}
    assert config_layer({f"CORS_{name.upper()}": None}) == {}
    with pytest.raises(ConfigError):
        policy(**{name: "false"})  # strings for booleans stay an error


def test_unknown_config_key_warns_once_per_app_and_never_refuses(caplog):
    """Drop-in issue: unknown CORS_* keys get one WARNING naming the closest real key."""
    app = Flask(__name__)
    app.config["CORS_ENABLED"] = True
    app.config["CORS_ALLOWED_ORIGINS"] = ["https://a.example"]
    caplog.set_level(logging.WARNING, logger="flask_crossorigin")
    CORS(app)
    CORS(app)  # read again: no second warning
    messages = [record.getMessage() for record in caplog.records]
    assert sum("'CORS_ENABLED'" in m for m in messages) == 1, messages
    allowed = [m for m in messages if "'CORS_ALLOWED_ORIGINS'" in m]
    assert len(allowed) == 1 and "Did you mean 'CORS_ALLOW_HEADERS'?" not in allowed[0]
    assert "'CORS_ORIGINS'" in allowed[0]
    other = Flask(__name__)
    other.config["CORS_ENABLED"] = True
    caplog.clear()
    CORS(other)  # another app warns again
    assert sum("'CORS_ENABLED'" in r.getMessage() for r in caplog.records) == 1


def test_misspelt_keyword_stays_a_type_error():
    """Drop-in issue: misspelt keyword arguments stay a TypeError (real-configs rule 2)."""
    with pytest.raises(TypeError, match="Did you mean 'origins'"):
        CORS(Flask(__name__), origin_s=["https://a.example"])


@pytest.mark.parametrize(
    ("written", "value", "modern", "flask_cors_6"),
    [
        ("headers", "Content-Type", "allow_headers", "allowed every request header"),
        ("origin", "https://app.example.com", "origins", "allowed every origin"),
    ],
)
def test_legacy_keyword_is_honoured_with_a_set_up_warning(
    written, value, modern, flask_cors_6, caplog
):
    """Drop-in issue: headers= and origin= are honoured, and a WARNING says what changes vs
    flask-cors 6 (which ignores them) and how to keep either behaviour."""
    caplog.set_level(logging.WARNING, logger="flask_crossorigin")
    with pytest.warns(DeprecationWarning):
        built = build_policy(merge(layer(**{written: value})))
    assert built.sources[modern] == f"CORS({written}=...)"
    (message,) = [r.getMessage() for r in caplog.records]
    assert f"CORS({written}=...)" in message and "flask-cors 6 ignores" in message
    assert flask_cors_6 in message
    assert f"write {modern}={value!r}" in message
    assert f"remove {written}=..." in message and f"{modern}='*'" in message


def test_legacy_config_key_is_honoured_with_one_set_up_warning(caplog):
    """Drop-in issue: CORS_HEADERS is honoured; the WARNING is logged when the app is set up."""
    app = Flask(__name__)
    app.config["CORS_HEADERS"] = "Content-Type"
    caplog.set_level(logging.WARNING, logger="flask_crossorigin")
    with pytest.warns(DeprecationWarning):
        CORS(app)
        CORS(app)
    legacy = [r.getMessage() for r in caplog.records if "CORS_HEADERS" in r.getMessage()]
    assert len(legacy) == 1
    assert "CORS_ALLOW_HEADERS = 'Content-Type'" in legacy[0]

    @app.route("/")
    def index():
        return "ok"

    answer = app.test_client().options(
        "/",
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert "Access-Control-Allow-Origin" not in answer.headers  # the narrower, honoured policy


# -- semantics that must match flask-cors ---------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_safelisted_method_preflight_is_never_refused_for_methods(method):
    """Drop-in issue (real-configs rule 8): F6/F15, the browser does not check GET, HEAD, POST."""
    p = policy(origins=["https://a.example"], methods=["PUT"])
    decision = p.preflight("https://a.example", method, "content-type")
    assert decision.allowed
    assert dict(decision.headers)[ACAM] == "PUT"  # the configured list, unchanged
    assert not p.preflight("https://a.example", "DELETE").allowed
    assert not p.preflight("https://a.example", "post").allowed  # F7: only upper case is safe


def test_methods_star_answers_with_the_requested_method():
    """Drop-in issue (real-configs rule 9): methods="*" echoes the requested method."""
    p = policy(methods="*")
    assert dict(p.preflight("https://a.example", "PURGE").headers)[ACAM] == "PURGE"


def test_credentialed_preflight_for_a_header_named_star_gets_no_star():
    """Drop-in issue: a credentialed preflight asking for '*' never gets '*' echoed (F18, F39)."""
    p = policy(origins=["https://a.example"], supports_credentials=True)
    decision = p.preflight("https://a.example", "PUT", "x-a, *")
    assert not decision.allowed and decision.reason is Reason.HEADER_NOT_ALLOWED
    assert all(value != "*" for name, value in decision.headers if name == ACAH)
    # Without credentials the same policy shape echoes it: '*' is what the page asked for.
    assert dict(policy().preflight("https://a.example", "PUT", "*").headers)[ACAH] == "*"


# -- credentials with any origin, whatever the spelling ------------------------------------------


@pytest.mark.parametrize(
    ("origins", "named", "who"),
    [
        ("*", "'*'", "every website"),
        (["*"], "'*'", "every website"),
        (r".*", "'.*'", "every website"),
        (r"https://.*", "'https://.*'", "every website"),
        ([re.compile(r"https?://.+")], "re.compile('https?://.+')", "every website"),
        (r"(https?://)?[a-z0-9.]+(:\d+)?", "'(https?://)?[a-z0-9.]+(:\\\\d+)?'", "every website"),
        (["https://a.example", "https://*.vercel.app"], "'https://*.vercel.app'", "public suffix"),
        ("https://*.github.io", "'https://*.github.io'", "'github.io' is a public suffix"),
        ("https://*.onrender.com", "'https://*.onrender.com'", "public suffix"),
        ("https://*.herokuapp.com", "'https://*.herokuapp.com'", "public suffix"),
        ("https://*.co.uk", "'https://*.co.uk'", "public suffix"),
        ("https://*.com:*", "'https://*.com:*'", "public suffix"),
        (r"https://.*\.com", "'https://.*\\\\.com'", "public suffix 'com'"),
        ([re.compile(r"https://[a-z0-9-]+\.vercel\.app")], "vercel", "public suffix 'vercel.app'"),
    ],
)
def test_credentials_with_any_origin_are_refused_whatever_the_spelling(origins, named, who):
    """Drop-in issue, "security holes": the error names the value, who could get in, and the
    escape hatch (a callable); without credentials the same origins are accepted."""
    message = refusal(origins=origins, supports_credentials=True)
    assert named in message, message
    assert who in message
    assert ("callable" in message and "CORS(origins=...)" in message) or "default" in message
    policy(origins=origins)


@pytest.mark.parametrize(
    "origins",
    [
        re.compile(r"http://localhost:\d+"),
        r".*\.example\.com",
        r"https://(app|admin)\.example\.com",
        "https://*.example.com",
        "https://*.example.vercel.app",  # a registrable name under the public suffix
        "http://*.localhost:*",
        "https://*.internal",  # not on the Public Suffix List
        lambda origin: True,  # the escape hatch: deciding per request is explicit
    ],
)
def test_credentials_with_named_sites_are_accepted(origins):
    assert policy(origins=origins, supports_credentials=True).supports_credentials


def test_credentials_refusal_applies_to_a_decorator_layer_alone():
    view = check_names(
        {"origins": r".*", "supports_credentials": True},
        allowed=DECORATOR_OPTIONS,
        where="@cross_origin",
    )
    with pytest.raises(ConfigError, match="every website"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        validate_values(view)


def test_credentials_refusal_names_send_wildcard_when_set():
    message = refusal(send_wildcard=True, supports_credentials=True)
    assert "send_wildcard=True (from CORS(send_wildcard=...))" in message


def test_public_suffix_list_is_loaded_only_for_a_credentialed_glob():
    """Drop-in issue: the list is loaded lazily, only when a credentialed glob or regex needs it
    (a regex since security issue item 6: the public suffixes it names are looked up), and
    never per request."""
    code = """
import sys, re
from flask import Flask
from flask_crossorigin import CORS
app = Flask(__name__)
CORS(app, origins=["https://*.example.com", "https://a.example", re.compile("https://a")])
app.add_url_rule("/", "index", lambda: "ok")
CORS(Flask(__name__), origins=["https://a", "https://b"], supports_credentials=True)
client = app.test_client()
client.get("/", headers={"Origin": "https://x.example.com"})
assert "publicsuffixlist" not in sys.modules, "loaded without a credentialed glob or regex"
CORS(Flask(__name__), origins=[re.compile("https://a")], supports_credentials=True)
assert "publicsuffixlist" in sys.modules
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
