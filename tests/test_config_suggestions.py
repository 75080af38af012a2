"""Every refusal names the offending value and where it came from, and what it suggests works.

Drop-in issue, "Error messages": "Every ConfigError names the offending value and where it came
from, and any spelling it suggests must itself be accepted" (real-configs rule 12). Each case
below provokes one refusal of the core (options.py, origins.py, resources.py; the table walks
every ``raise ConfigError`` there that a configuration can reach), asserts that the message
names the value and its source, and then sets up each suggested spelling, which must be
accepted, in the same place.
"""

from __future__ import annotations

import ast
import datetime
import re
import warnings
from typing import Any, NamedTuple

import pytest
from flask import Flask

from flask_crossorigin import CORS, ConfigError


class Case(NamedTuple):
    options: dict[str, Any]
    #: Fragments the message must contain: the value (repr) and where it came from.
    names: tuple[str, ...]
    #: Options (merged over *options*) that the message suggests, each of which must set up.
    suggestions: tuple[dict[str, Any], ...]
    #: How each suggestion is spelt in the message.
    spelt: tuple[str, ...] = ()
    #: Fragments the message must not contain (a false reason, a refused spelling).
    never: tuple[str, ...] = ()


CREDENTIAL_FIXES: tuple[dict[str, Any], ...] = (
    {"origins": ["https://app.example.com", "https://*.example.com"]},
    {"origins": lambda origin: origin == "https://app.example.com"},
)
CREDENTIAL_SPELT = (
    "origins=['https://app.example.com', 'https://*.example.com']",
    "origins=lambda origin:",
)

CASES: dict[str, Case] = {
    # -- origins: literals --------------------------------------------------------------------
    "empty": Case(
        {"origins": [""]},
        ("empty", "''", "CORS(origins=...)"),
        ({"origins": ["https://app.example.com"]},),
        ("'https://app.example.com'",),
        never=("'https://'", "'http://'"),
    ),
    "no-scheme-host": Case(
        {"origins": "localhost"},
        ("'localhost'", "CORS(origins=...)"),
        ({"origins": "https://localhost"}, {"origins": "http://localhost"}),
        ("'https://localhost'", "'http://localhost'"),
    ),
    "no-scheme-dotplus": Case(
        {"origins": r".+"},
        ("'.+'", "CORS(origins=...)"),
        ({"origins": "*"}, {"origins": re.compile(r".+")}, {"origins": "https://app.example.com"}),
        ("'*'", "re.compile('.+')", "'https://app.example.com'"),
        never=("'https://.+'",),
    ),
    "no-scheme-glob": Case(
        {"origins": "*.example.com"},
        ("'*.example.com'", "CORS(origins=...)"),
        ({"origins": "https://*.example.com"},),
        ("'https://*.example.com'",),
    ),
    "whitespace": Case(
        {"origins": " https://example.com"},
        ("' https://example.com'", "whitespace"),
        ({"origins": "https://example.com"},),
        ("'https://example.com'",),
    ),
    "comma-string": Case(
        {"origins": "https://a.example.com, https://b.example.com"},
        ("'https://a.example.com, https://b.example.com'",),
        ({"origins": ["https://a.example.com", "https://b.example.com"]},),
        ("['https://a.example.com', 'https://b.example.com']",),
    ),
    "comma-string-no-space": Case(
        {"origins": "https://a.example.com,https://b.example.com"},
        ("'https://a.example.com,https://b.example.com'", "comma"),
        ({"origins": ["https://a.example.com", "https://b.example.com"]},),
        ("['https://a.example.com', 'https://b.example.com']",),
    ),
    "inner-space": Case(
        {"origins": "https://exa mple.com"},
        ("'https://exa mple.com'",),
        (),
        never=("Write 'https://exa mple.com'",),
    ),
    "path": Case(
        {"origins": "https://example.com/app"},
        ("'https://example.com/app'",),
        ({"origins": "https://example.com"},),
        ("'https://example.com'",),
    ),
    "path-no-host": Case(
        {"origins": "https:///app"},
        ("'https:///app'",),
        (),
        never=("Write 'https://'",),
    ),
    "userinfo": Case(
        {"origins": "https://user:pw@example.com"},
        ("'https://user:pw@example.com'", "userinfo"),
        ({"origins": "https://example.com"},),
        ("'https://example.com'",),
    ),
    "port-word": Case(
        {"resources": {r"/foo": {"origins": "http://localhost:port"}}},
        ("'http://localhost:port'", "resources['/foo'](origins=...)"),
        (
            {"resources": {r"/foo": {"origins": "http://localhost:3000"}}},
            {"resources": {r"/foo": {"origins": "http://localhost:*"}}},
        ),
        ("'http://localhost:3000'", "'http://localhost:*'"),
    ),
    "port-too-big": Case(
        {"origins": "http://localhost:65536"},
        ("'http://localhost:65536'", "65535"),
        ({"origins": "http://localhost:3000"},),
        ("'http://localhost:3000'",),
    ),
    "no-host": Case(
        {"origins": "https://"},
        ("'https://'", "no host"),
        ({"origins": "https://app.example.com"},),
        ("'https://app.example.com'",),
    ),
    "invalid-host": Case({"origins": "https://-example.com"}, ("'https://-example.com'",), ()),
    "invalid-scheme": Case({"origins": "1https://example.com"}, ("'1https://example.com'",), ()),
    "ipv6": Case({"origins": "http://[::1"}, ("'http://[::1'",), ()),
    "not-an-origin": Case({"origins": [42]}, ("42", "CORS(origins=...)"), ()),
    "origins-type": Case(
        {"origins": 42},
        ("42", "CORS(origins=...)"),
        ({"origins": ["https://app.example.com"]},),
        ("origins=['https://app.example.com']",),
    ),
    "bytes-regex": Case({"origins": re.compile(rb"https://a")}, ("b'https://a'",), ()),
    # -- origins: globs and regex strings -----------------------------------------------------
    "glob-path": Case(
        {"origins": "https://*.example.com/"},
        ("'https://*.example.com/'",),
        ({"origins": "https://*.example.com"},),
        ("'https://*.example.com'",),
        never=("wildcard-label",),
    ),
    "any-port-bad-host": Case(
        {"origins": "http://-bad:*"},
        ("'http://-bad:*'",),
        (),
    ),
    "host-star": Case(
        {"resources": {r"*": {"origins": "http://localhost*"}}},
        ("'http://localhost*'", "resources['*'](origins=...)"),
        ({"resources": {r"*": {"origins": "http://localhost:*"}}},),
        ("'http://localhost:*'",),
    ),
    "broken-glob": Case(
        {"origins": "https://*.*.example.com"},
        ("'https://*.*.example.com'",),
        ({"origins": "https://*.example.com"},),
        ("'https://*.example.com'",),
    ),
    "regex-no-compile": Case(
        {"origins": "https://(example.com"},
        ("'https://(example.com'", "does not compile"),
        (),
        never=("no scheme",),
    ),
    # -- credentials -----------------------------------------------------------------------------
    "creds-star": Case(
        {"supports_credentials": True},
        ("origins='*' from default", "CORS(supports_credentials=...)"),
        CREDENTIAL_FIXES,
        CREDENTIAL_SPELT,
    ),
    "creds-dotstar": Case(
        {"supports_credentials": True, "origins": r".*"},
        ("'.*'", "CORS(origins=...)", "every website"),
        CREDENTIAL_FIXES,
        CREDENTIAL_SPELT,
        never=("no scheme", "can never match", "'https://.*'"),
    ),
    "creds-public-suffix": Case(
        {"supports_credentials": True, "origins": ["https://*.github.io"]},
        ("'https://*.github.io'", "CORS(origins=...)", "public suffix"),
        CREDENTIAL_FIXES,
        CREDENTIAL_SPELT,
    ),
    "creds-expose-star": Case(
        {"supports_credentials": True, "origins": ["https://a.example"], "expose_headers": "*"},
        ("expose_headers='*'", "CORS(expose_headers=...)"),
        ({"expose_headers": ["X-Total-Count"]},),
        ("expose_headers=['X-Total-Count']",),
    ),
    # -- booleans, methods, headers, max_age -----------------------------------------------------
    "boolean-string": Case(
        {"supports_credentials": "false"},
        ("supports_credentials='false'", "CORS(supports_credentials=...)"),
        (
            {"supports_credentials": False},
            {"origins": ["https://a.example"], "supports_credentials": True},
        ),
        ("supports_credentials=False", "supports_credentials=True"),
    ),
    "methods-type": Case({"methods": 5}, ("5", "CORS(methods=...)"), ({"methods": ["GET"]},)),
    "method-token": Case({"methods": ["GE T"]}, ("'GE T'", "CORS(methods=...)"), ()),
    "header-token": Case({"allow_headers": ["X A"]}, ("'X A'", "CORS(allow_headers=...)"), ()),
    "header-media-type": Case(
        {"allow_headers": "application/json"},
        ("'application/json'", "CORS(allow_headers=...)"),
        ({"allow_headers": "Content-Type"},),
        ("'Content-Type'",),
    ),
    "header-glob": Case(
        {"allow_headers": ["X-Custom-*"]},
        ("'X-Custom-*'", "CORS(allow_headers=...)"),
        ({"allow_headers": ["X-Custom-.*"]}, {"allow_headers": "*"}),
        ("'X-Custom-.*'", "'*'"),
    ),
    "header-regex-no-compile": Case(
        {"allow_headers": ["X-(a"]}, ("'X-(a'", "CORS(allow_headers=...)"), ()
    ),
    "header-bytes-regex": Case(
        {"allow_headers": [re.compile(rb"X-.*")]}, ("b'X-.*'", "CORS(allow_headers=...)"), ()
    ),
    "expose-token": Case({"expose_headers": ["X:A"]}, ("'X:A'", "CORS(expose_headers=...)"), ()),
    "max-age-fraction": Case(
        {"max_age": datetime.timedelta(seconds=1.5)}, ("max_age=", "CORS(max_age=...)"), ()
    ),
    "max-age-type": Case(
        {"max_age": "ten"},
        ("max_age='ten'", "CORS(max_age=...)"),
        ({"max_age": 600}, {"max_age": "600"}, {"max_age": datetime.timedelta(minutes=10)}),
        ("(600)", "('600')", "timedelta"),
    ),
    "max-age-negative": Case(
        {"max_age": -1}, ("max_age=-1", "CORS(max_age=...)"), ({"max_age": 0},), ("Write 0",)
    ),
    "max-age-too-big": Case(
        {"max_age": 86401},
        ("max_age=86401", "CORS(max_age=...)"),
        ({"max_age": 86400},),
        ("at most 86400",),
    ),
    # -- resources -------------------------------------------------------------------------------
    "resource-options-type": Case(
        {"resources": {r"/api/*": "*"}},
        ("'/api/*'", "CORS(resources=...)"),
        ({"resources": {r"/api/*": {"origins": ["https://app.example.com"]}}},),
        ("{'origins': ['https://app.example.com']}",),
    ),
    "resources-type": Case(
        {"resources": 5},
        ("resources=5", "CORS(resources=...)"),
        ({"resources": r"/api/*"},),
        ("r'/api/*'",),
    ),
    "resource-pattern-type": Case(
        {"resources": [5]},
        ("5", "CORS(resources=...)"),
        ({"resources": [r"/api/*"]},),
        ("r'/api/*'",),
    ),
    "resource-bad-regex": Case(
        {"resources": [r"/api/(v1"]},
        ("'/api/(v1'", "CORS(resources=...)"),
        ({"resources": [r"/api/*"]},),
        ("r'/api/*'",),
    ),
}


def set_up(options: dict[str, Any]) -> Flask:
    app = Flask(__name__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        CORS(app, **options)
    return app


@pytest.mark.parametrize("name", sorted(CASES))
def test_refusal_names_value_and_source_and_suggests_what_is_accepted(name):
    """Drop-in issue, "Error messages"; real-configs rule 12."""
    case = CASES[name]
    with pytest.raises(ConfigError) as info:
        set_up(case.options)
    message = str(info.value)
    for fragment in case.names:
        assert fragment in message, f"{fragment!r} missing from {message!r}"
    for fragment in case.spelt:
        assert fragment in message, f"suggestion {fragment!r} missing from {message!r}"
    for fragment in case.never:
        assert fragment not in message, f"{fragment!r} in {message!r}"
    for suggestion in case.suggestions:
        set_up({**case.options, **suggestion})  # raises if a suggested spelling is refused


def test_every_quoted_origin_suggestion_is_accepted():
    """Belt and braces: every 'Write ...' origin spelling in the origin refusals above sets up."""
    quoted = re.compile(r"(?:Write|write|e\.g\.|or) ('[a-z][a-z0-9+.\-]*://[^']*')")
    seen = 0
    for case in CASES.values():
        try:
            set_up(case.options)
        except ConfigError as exc:
            for spelling in quoted.findall(str(exc)):
                set_up({"origins": [ast.literal_eval(spelling)]})
                seen += 1
    assert seen >= 5
