"""Security issue items 4, 5, 6, 8 and 9: the origin allow-list lets in only whom it names.

* Item 5: an ``async def`` origin check returns a coroutine, which is truthy. It is refused at
  set-up (``cors.E017``), and any answer that is not ``True`` or ``False`` refuses the origin
  per request (``origin_callable_invalid``), logged once per callable.
* Item 6: with credentials, a regex that matches a random name under a public suffix it names
  (``r"https://.*\\.org"``, ``r"https://[a-z0-9-]+\\.azurewebsites\\.net"``) is refused like the
  equivalent glob (``cors.E020``), naming the suffix.
* Item 8: an ``Origin`` no browser sends (a port with a leading zero, a host ending in a number
  that is not a dotted-decimal IPv4 address, an IPv6 address not in its compressed form) is
  malformed: never echoed, never shown to globs, regexes or callables.
* Item 9: ``"null"`` with credentials is refused (``cors.E020``): any page can sandbox itself.
* Item 4: "open to any origin" has one definition, ``OriginMatcher.admits_anyone``, which the
  credentials check at set-up uses too.

Rule ids (F1-F44) refer to docs/fetch-rules.md.
"""

from __future__ import annotations

import functools
import gc
import logging
import re
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS, ConfigError
from flask_crossorigin import origins as origins_module
from flask_crossorigin._http import parse_origin_ignoring_case, parse_serialized_origin
from flask_crossorigin.options import EXTENSION_OPTIONS, build_policy, check_names, merge
from flask_crossorigin.origins import OriginMatcher, compile_origins, normalise_origin
from flask_crossorigin.policy import Policy, Reason

LABEL = "CORS(origins=...)"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"


def policy(**options: Any) -> Policy:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return build_policy(merge(check_names(options, allowed=EXTENSION_OPTIONS, where="CORS")))


def config_error(**options: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        policy(**options)
    return info.value


def matcher(*items: Any) -> OriginMatcher:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return compile_origins(list(items), LABEL)


# -- item 5: an async origin check must not let everyone in ---------------------------------------


async def async_check(origin: str) -> bool:
    return origin == "https://app.example"


async def async_generator_check(origin: str) -> Any:
    yield origin == "https://app.example"


class AsyncCallable:
    async def __call__(self, origin: str) -> bool:
        return origin == "https://app.example"


class Checks:
    async def allowed(self, origin: str) -> bool:
        return origin == "https://app.example"


ASYNC_CALLABLES: dict[str, Callable[[str], Any]] = {
    "async def": async_check,
    "partial of async def": functools.partial(async_check),
    "object with async __call__": AsyncCallable(),
    "partial of such an object": functools.partial(AsyncCallable()),
    "bound async method": Checks().allowed,
    "async generator function": async_generator_check,
    "async lambda-like": functools.partial(functools.partial(async_check)),
}


@pytest.mark.parametrize("name", sorted(ASYNC_CALLABLES))
def test_item_5_an_async_origin_callable_is_refused_at_set_up(name: str) -> None:
    """Security issue item 5: an async check is cors.E017 at set-up, saying why and what to do,
    with or without credentials, alone or in a list."""
    check = ASYNC_CALLABLES[name]
    for options in (
        {"origins": check},
        {"origins": ["https://app.example", check], "supports_credentials": True},
    ):
        error = config_error(**options)
        assert (error.code, error.option, error.value) == ("cors.E017", "origins", check)
        message = str(error)
        assert message.startswith(LABEL)
        assert "async" in message and "synchronous" in message
        assert "coroutine" in message and "truthy" in message
        assert "True or False" in message
        assert "cache" in message  # the way out for a check that needs I/O


def test_item_5_e017_is_reported_with_the_other_problems() -> None:
    """Security issue item 5: the async check is one problem among all those of a set-up."""
    error = config_error(origins=["localhost", async_check], max_age=-1)
    assert sorted(problem.code for problem in error.errors) == [
        "cors.E007",
        "cors.E017",
        "cors.E052",
    ]


def test_item_5_sync_callables_are_accepted() -> None:
    """Security issue item 5: plain functions, lambdas, partials and callable objects stay fine."""

    class Sync:
        def __call__(self, origin: str) -> bool:
            return origin == "https://app.example"

    def sync(origin: str, suffix: str) -> bool:
        return origin.endswith(suffix)

    for check in (
        lambda origin: origin == "https://app.example",
        Sync(),
        functools.partial(sync, suffix=".example"),
        "https://app.example".__eq__,
    ):
        assert matcher(check).refusal("https://app.example") is None


Made = list[Coroutine[Any, Any, bool]]


def _returns_coroutine() -> tuple[Callable[[str], Awaitable[bool]], Made]:
    """A sync wrapper around an async check: set-up cannot see it, so each request must."""
    made: Made = []

    def check(origin: str) -> Coroutine[Any, Any, bool]:
        coroutine = async_check(origin)
        made.append(coroutine)
        return coroutine

    return check, made


def test_item_5_a_coroutine_answer_refuses_and_is_closed() -> None:
    """Security issue item 5: a coroutine from a callable set-up cannot recognise never grants
    (it is truthy), is refused with origin_callable_invalid, and is closed, so no "coroutine was
    never awaited" RuntimeWarning escapes."""
    check, made = _returns_coroutine()
    m = matcher(check)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for origin in ("https://app.example", "https://evil.example"):
            assert m.refusal(origin) == "origin_callable_invalid"
        gc.collect()
    assert len(made) == 2
    assert all(coroutine.cr_frame is None for coroutine in made)  # closed, never run


@pytest.mark.parametrize(
    "answer",
    [None, 1, 0, "yes", "", [True], re.match("a", "a"), 1.0],
    ids=["None", "1", "0", "str", "empty-str", "list", "Match", "float"],
)
def test_item_5_only_a_bool_is_an_answer(answer: object) -> None:
    """Security issue item 5: True grants, False refuses, anything else (truthy or not) refuses
    with origin_callable_invalid and never grants."""
    assert matcher(lambda origin: answer).refusal("https://app.example") == (
        "origin_callable_invalid"
    )
    assert matcher(lambda origin: True).refusal("https://app.example") is None
    assert matcher(lambda origin: False).refusal("https://app.example") == "origin_not_allowed"


def test_item_5_an_invalid_answer_is_refused_by_the_policy_with_its_reason() -> None:
    """Security issue item 5: with credentials, the refusal carries no grant header at all."""
    check, _ = _returns_coroutine()
    p = policy(origins=[check], supports_credentials=True)
    for decision in (
        p.actual("https://app.example"),
        p.preflight("https://app.example", "PUT"),
    ):
        assert not decision.allowed
        assert decision.reason is Reason.ORIGIN_CALLABLE_INVALID
        assert ACAO not in dict(decision.headers) and ACAC not in dict(decision.headers)
    truthy = policy(origins=lambda origin: 1, supports_credentials=True)
    assert truthy.actual("https://evil.example").reason is Reason.ORIGIN_CALLABLE_INVALID


def test_item_5_a_later_callable_is_not_asked_after_an_invalid_answer() -> None:
    """Security issue item 5: the invalid answer is the callable's bug; the origin is refused
    then and there, as when a callable raises."""
    asked: list[str] = []

    def second(origin: str) -> bool:
        asked.append(origin)
        return True

    m = matcher(lambda origin: "yes", second)
    assert m.refusal("https://app.example") == "origin_callable_invalid"
    assert asked == []
    # False from the first one moves on to the next, as before.
    assert matcher(lambda origin: False, second).refusal("https://app.example") is None


def test_item_5_an_invalid_answer_is_logged_once_per_callable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Security issue item 5: WARNING once per callable, not once per request, with the origin
    escaped; what is remembered is bounded by the number of callables."""
    first, _ = _returns_coroutine()

    def second(origin: str) -> Any:
        return None

    m = matcher(first)
    other = matcher(lambda origin: False, second)
    with caplog.at_level(logging.WARNING, logger="flask_crossorigin"):
        for number in range(500):
            assert m.refusal(f"https://a{number}.example") == "origin_callable_invalid"
            assert other.refusal(f"https://b{number}.example") == "origin_callable_invalid"
        assert m.refusal("HTTPS://UPPER.EXAMPLE") == "origin_callable_invalid"
    records = [r for r in caplog.records if "origin_callable_invalid" in r.getMessage()]
    assert len(records) == 2
    assert all(record.levelno == logging.WARNING for record in records)
    first_line, second_line = (record.getMessage() for record in records)
    assert '"https://a0.example"' in first_line  # escaped with quotes, as escape_for_log does
    assert "coroutine" in first_line and "async" in first_line
    assert "NoneType" in second_line and '"https://b0.example"' in second_line


def test_item_5_an_app_with_a_coroutine_check_grants_nothing() -> None:
    """Security issue item 5, through Flask: no grant, and debug names the reason."""
    check, _ = _returns_coroutine()
    app = Flask(__name__)
    CORS(app, origins=[check], supports_credentials=True, debug=True)
    app.add_url_rule("/", "index", lambda: "ok")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = app.test_client().get("/", headers={"Origin": "https://app.example"})
        gc.collect()
    assert ACAO not in response.headers and ACAC not in response.headers
    assert "origin_callable_invalid" in str(response.headers)


# -- item 6: credentialed regexes over public suffixes ------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "suffix"),
    [
        (r"https://.*\.org", "org"),
        (r"https://[a-z0-9-]+\.azurewebsites\.net", "azurewebsites.net"),
        (r"https://.*\.co\.uk", "co.uk"),
        (r"https://.+\.web\.app", "web.app"),
        (r"https://.+\.appspot\.com", "appspot.com"),
        (r"https://[^/]+\.xyz", "xyz"),
        (r"https://.+\.web\.app:\d+", "web.app"),  # needs a port: probed with one
        (r"http://.+\.xyz:3000", "xyz"),  # the port the pattern writes
        (r"https://[a-z]+\.[a-z]+\.web\.app", "web.app"),  # two labels deep
        (r"https://[0-9]+\.com", "com"),  # digits only
        (r"https://\w+\.github\.io", "github.io"),
        (r"https?://(www\.)?[a-z]+\.(org|net)", "org"),
        (r"https://.*example\.com", "com"),  # no dot before example: 'evilexample.com'
        (r"https://[a-z]+\-staging\.herokuapp\.com", "herokuapp.com"),
        (r"https://.*[.]io", "io"),
    ],
)
def test_item_6_credentialed_regex_over_a_public_suffix_is_refused(
    pattern: str, suffix: str
) -> None:
    """Security issue item 6: a regex admitting a random registrable name under a public suffix
    it names is refused with credentials, string or compiled, and the message names the
    suffix; without credentials it is accepted."""
    for origins in (pattern, re.compile(pattern), re.compile(pattern, re.IGNORECASE)):
        error = config_error(origins=[origins], supports_credentials=True)
        assert error.code == "cors.E020", str(error)
        assert f"public suffix {suffix!r}" in str(error), str(error)
        assert "anyone" in str(error)
        assert not policy(origins=[origins]).supports_credentials


@pytest.mark.parametrize(
    "pattern",
    [
        r"https://(www\.)?example\.com",
        r"https://[a-z]+\.example\.com",
        r"https://(app|admin)\.example\.com",
        r"https://.*\.example\.co\.uk",
        r"https://[a-z]+-staging\.example\.com",
        r"https://[a-z0-9-]+\.myapp\.azurewebsites\.net",
        r"http://localhost:\d+",
        r"https?://(localhost|127\.0\.0\.1)(:\d+)?",
        r"https://pr-[0-9]+--mysite\.netlify\.app",
        r"https://mysite-[a-z0-9]+-myteam\.vercel\.app",
    ],
)
def test_item_6_credentialed_regex_for_a_real_site_is_accepted(pattern: str) -> None:
    """Security issue item 6: a pattern naming one's own sites stays accepted with credentials."""
    for _ in range(5):  # random probes: the answer must not depend on chance
        assert policy(origins=[re.compile(pattern)], supports_credentials=True).supports_credentials


def test_item_6_the_glob_and_the_regex_over_a_suffix_get_the_same_answer() -> None:
    """Security issue item 6: the regex spelling of a refused glob is refused too."""
    for glob, regex in (
        ("https://*.azurewebsites.net", r"https://[a-z0-9-]+\.azurewebsites\.net"),
        ("https://*.co.uk", r"https://.*\.co\.uk"),
        ("https://*.web.app", r"https://.+\.web\.app"),
    ):
        assert config_error(origins=[glob], supports_credentials=True).code == "cors.E020"
        assert config_error(origins=[re.compile(regex)], supports_credentials=True).code == (
            "cors.E020"
        )


def test_item_6_set_up_stays_fast() -> None:
    """Security issue item 6: candidate suffixes come from the pattern's text, not from a scan
    of the whole Public Suffix List; after the list is loaded once, a regex takes well under a
    millisecond or so (the bound here is generous)."""
    origins_module._is_public_suffix("com")  # load the list outside the timing
    patterns = [re.compile(rf"https://[a-z]+\.site{n}\.example\.com") for n in range(50)]
    start = time.perf_counter()
    m = compile_origins(patterns, LABEL)
    assert m.open_entry() is None
    assert time.perf_counter() - start < 0.5
    # A pattern naming many domains is read up to a bound, not without end.
    many = re.compile("https://(" + "|".join(f"a{n}\\.b{n}\\.example" for n in range(200)) + ")")
    start = time.perf_counter()
    assert compile_origins([many], LABEL).open_entry() is None
    assert time.perf_counter() - start < 0.5


# -- item 8: origins no browser sends are malformed ---------------------------------------------

NEVER_SENT = [
    "https://a.example:0443",
    "http://a.example:080",
    "https://a.example:08443",
    "http://localhost:03000",
    "https://999.999.999.999",
    "http://0x7f.1",
    "http://0x7f.0.0.1",
    "http://127.1",
    "http://127.0.1",
    "http://1.2.3.04",
    "http://010.0.0.1",
    "http://1.2.3.4.5",
    "http://256.0.0.1",
    "http://4294967295",
    "http://a.1",
    "http://app.example.0x",
    "http://[0:0::1]",
    "http://[0:0:0:0:0:0:0:1]",
    "http://[::0001]",
    "http://[::ffff:1.2.3.4]",
    "http://[1:0:0:1:0:0:0:1]",
    "http://[1::2::3]",
    "http://[::1::]",
]
SENT = [
    "http://127.0.0.1:5000",
    "http://0.0.0.0",
    "http://10.0.0.255",
    "http://[::1]:8080",
    "http://[::]",
    "http://[::ffff:102:304]",
    "http://[1:0:0:1::1]",
    "http://[2001:db8::1]",
    "http://[1:2:3:4:5:6:7:8]",
    "https://a.example:0",
    "https://a.example:8443",
    "https://a1.example",
    "https://example.b1",
    "https://1a.example",
]


@pytest.mark.parametrize("origin", NEVER_SENT)
def test_item_8_origins_no_browser_sends_are_malformed(origin: str) -> None:
    """Security issue item 8: the one gate, parse_serialized_origin, refuses them, in any case."""
    assert parse_serialized_origin(origin) is None
    assert parse_origin_ignoring_case(origin.upper()) is None


@pytest.mark.parametrize("origin", SENT)
def test_item_8_origins_browsers_send_still_pass(origin: str) -> None:
    """Security issue item 8: canonical IPv4, compressed IPv6, ports without leading zeros."""
    assert parse_serialized_origin(origin) is not None
    assert parse_origin_ignoring_case(origin.upper()) is not None


@pytest.mark.parametrize("origin", NEVER_SENT)
def test_item_8_a_malformed_origin_never_reaches_user_code_nor_an_echo(origin: str) -> None:
    """Security issue item 8: never shown to globs, regexes or callables, never echoed, and
    answered with '*' (not the value) under any-origin."""
    seen: list[str] = []

    def record(value: str) -> bool:
        seen.append(value)
        return True

    m = matcher(re.compile(r".*"), "http://*.example", "http://localhost:*", record)
    assert m.refusal(origin) == "origin_malformed"
    assert m.refusal(origin.upper()) == "origin_malformed"
    assert seen == []
    with_credentials = policy(origins=[record], supports_credentials=True)
    assert not with_credentials.actual(origin).allowed
    assert with_credentials.actual(origin).reason is Reason.ORIGIN_MALFORMED
    assert seen == []
    assert dict(policy().actual(origin).headers)[ACAO] == "*"


def test_item_8_the_exact_set_shortcut_admits_only_what_browsers_send() -> None:
    """Security issue item 8: configured spellings are normalised at set-up (a leading-zero port
    to none or the number, [0:0::1] to [::1]), so the exact set holds only serialized origins,
    and the request spelling with a leading zero is malformed, not a match."""
    m = matcher("https://a.example:0443", "http://b.example:08080", "http://[0:0::1]:8080")
    assert m.exact == {"https://a.example", "http://b.example:8080", "http://[::1]:8080"}
    assert all(parse_serialized_origin(origin) is not None for origin in m.exact)
    assert m.refusal("https://a.example") is None
    assert m.refusal("http://b.example:8080") is None
    assert m.refusal("http://[::1]:8080") is None
    assert m.refusal("https://a.example:0443") == "origin_malformed"
    assert m.refusal("http://b.example:08080") == "origin_malformed"
    assert m.refusal("http://[0:0::1]:8080") == "origin_malformed"
    p = policy(origins=["https://a.example:0443"], supports_credentials=True)
    assert not p.actual("https://a.example:0443").allowed
    assert dict(p.actual("https://a.example").headers)[ACAO] == "https://a.example"


@pytest.mark.parametrize(
    ("configured", "fix"),
    [
        ("http://127.1:5000", "'http://127.0.0.1:5000'"),
        ("http://0x7f.0.0.1", "'http://127.0.0.1'"),
        ("http://1.2.3.04", "'http://1.2.3.4'"),
        ("http://010.0.0.1", "'http://8.0.0.1'"),  # octal: the message says what browsers read
        ("https://999.999.999.999", None),
        ("http://a.1", None),
        ("http://1.2.3.08", None),
        ("http://1.2.3.4.5", None),
        ("http://[1::2::3]", None),
    ],
)
def test_item_8_a_configured_ip_host_in_a_spelling_no_browser_sends_is_refused(
    configured: str, fix: str | None
) -> None:
    """Security issue item 8: a configured host ending in a number must be a dotted-decimal
    IPv4 address; otherwise cors.E013, with the spelling browsers send when there is one."""
    with pytest.raises(ConfigError) as info:
        normalise_origin(configured, LABEL)
    assert info.value.code == "cors.E013"
    message = str(info.value)
    assert repr(configured) in message
    if fix is None:
        assert "not a valid IPv4 address" in message or "not a valid IPv6 address" in message
    else:
        assert f"Write {fix}." in message
        assert "IPv4" in message


@pytest.mark.parametrize("glob", ["http://*.1", "https://*.0.1:*", "http://*.example.0x"])
def test_item_8_a_glob_over_a_number_is_refused(glob: str) -> None:
    """Security issue item 8: no browser sends a host under a numeric last label, so such a
    glob could never match anything; it is refused like the origin."""
    with pytest.raises(ConfigError) as info:
        compile_origins([glob], LABEL)
    assert info.value.code == "cors.E013"
    assert repr(glob) in str(info.value)
    assert "wildcard-label" not in str(info.value)


@pytest.mark.parametrize(
    ("configured", "serialized"),
    [
        ("http://[0:0::1]", "http://[::1]"),
        ("http://[::FFFF:1.2.3.4]:8080", "http://[::ffff:102:304]:8080"),
        ("http://[2001:DB8:0:0:0:0:0:1]", "http://[2001:db8::1]"),
        ("https://a.example:0443", "https://a.example"),
        ("http://a.example:080", "http://a.example"),
        ("http://127.0.0.1:05000", "http://127.0.0.1:5000"),
    ],
)
def test_item_8_configured_spellings_of_the_same_origin_are_normalised(
    configured: str, serialized: str
) -> None:
    """Security issue item 8: only the spelling differs, as with case, so set-up normalises."""
    assert normalise_origin(configured, LABEL) == serialized
    assert parse_serialized_origin(serialized) is not None


def test_item_8_mixed_case_is_still_accepted_and_echoed_as_sent() -> None:
    """Security issue item 8 keeps the drop-in rule: case is ignored, the origin echoed as sent;
    but only ASCII case (the Kelvin sign lower-cases to 'k' and is no 'K')."""
    p = policy(origins=["https://app.example", "http://127.0.0.1:5000"])
    assert dict(p.actual("HTTPS://APP.Example").headers)[ACAO] == "HTTPS://APP.Example"
    assert dict(p.actual("HTTP://127.0.0.1:5000").headers)[ACAO] == "HTTP://127.0.0.1:5000"
    assert parse_origin_ignoring_case("https://\u212a.example") is None
    kelvin = policy(origins=["https://k.example"]).actual("https://\u212a.example")
    assert not kelvin.allowed and kelvin.reason is Reason.ORIGIN_MALFORMED


def test_item_8_the_exact_set_is_checked_before_any_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Security issue item 8: the extra checks cost the common path nothing: an origin in the
    exact set is granted by a set lookup, without parsing."""
    m = matcher("https://app.example", re.compile(r"https://[a-z]+\.example"))

    def fail(value: str) -> None:
        raise AssertionError(f"parsed {value!r}")

    monkeypatch.setattr(origins_module, "parse_serialized_origin", fail)
    assert m.refusal("https://app.example") is None


# -- item 9: null with credentials ------------------------------------------------------------


@pytest.mark.parametrize(
    "origins", ["null", ["null"], ["https://app.example", "null"], ["null", lambda o: False]]
)
def test_item_9_null_with_credentials_is_refused(origins: Any) -> None:
    """Security issue item 9: 'null' with credentials is cors.E020, saying why (sandboxed
    iframes, file: pages) and what to do instead."""
    error = config_error(origins=origins, supports_credentials=True)
    assert (error.code, error.option) == ("cors.E020", "origins")
    message = str(error)
    assert "'null'" in message
    assert "sandbox" in message and "file:" in message
    assert "any page" in message
    assert "real origin" in message  # the fix


def test_item_9_null_without_credentials_is_still_accepted() -> None:
    """Security issue item 9 changes only the credentialed case (F35, F44)."""
    p = policy(origins=["https://app.example", "null"])
    assert dict(p.actual("null").headers)[ACAO] == "null"


def test_item_9_a_callable_is_the_explicit_escape_hatch_for_null() -> None:
    """Security issue item 9: listing 'null' with credentials is refused, but a callable (the
    explicit escape hatch the error names) is asked about 'null' and may grant it; no glob or
    pattern ever admits it (F44)."""
    asked: list[str] = []

    def sandboxed_partner(origin: str) -> bool:
        asked.append(origin)
        return origin == "null"

    p = policy(origins=[sandboxed_partner], supports_credentials=True)
    decision = p.actual("null")
    assert decision.allowed
    assert dict(decision.headers) == {ACAO: "null", "Access-Control-Allow-Credentials": "true"}
    assert asked == ["null"]
    refused = policy(origins=[lambda origin: False], supports_credentials=True).actual("null")
    assert refused.reason is Reason.ORIGIN_NULL_NOT_ALLOWED
    for pattern in (re.compile(r".*"), "https://*.example.com"):
        assert policy(origins=[pattern]).actual("null").reason is Reason.ORIGIN_NULL_NOT_ALLOWED
    assert "callable" in str(config_error(origins=["null"], supports_credentials=True))


# -- item 4: one definition of "open to any origin" ---------------------------------------------

OPEN = [
    "*",
    ["https://app.example", "*"],
    "null",
    [re.compile(r".*")],
    r"https?://.+",
    "https://*.vercel.app",
    "https://*.co.uk:*",
    [re.compile(r"https://.*\.org")],
    [re.compile(r"https://[a-z0-9-]+\.azurewebsites\.net")],
]
NAMED = [
    ["https://app.example"],
    "https://*.example.com",
    "http://localhost:*",
    [re.compile(r"https://(www\.)?example\.com")],
    [lambda origin: True],  # a callable decides per request: never "any origin" by definition
    [],
]


@pytest.mark.parametrize("origins", OPEN + NAMED)
def test_item_4_admits_anyone_is_exactly_open_entry_and_the_credentials_check(
    origins: Any,
) -> None:
    """Security issue item 4: admits_anyone is `open_entry() is not None`, and a list is refused
    with credentials exactly when it admits anyone."""
    m = matcher(*(origins if isinstance(origins, list) else [origins]))
    assert m.admits_anyone is (m.open_entry() is not None)
    assert m.admits_anyone is (any(origins is entry for entry in OPEN))
    if m.admits_anyone:
        assert config_error(origins=origins, supports_credentials=True).code == "cors.E020"
    else:
        assert policy(origins=origins, supports_credentials=True).supports_credentials


def test_item_4_admits_anyone_is_cached_and_never_flaky() -> None:
    """Security issue item 4: computed once per matcher (the same entry object every time), and
    a catch-all regex is recognised on every fresh matcher whatever the random probes."""
    m = matcher(re.compile(r"https://.+"))
    entry = m.open_entry()
    assert entry is not None and m.admits_anyone
    assert m.open_entry() is entry
    for _ in range(200):
        assert matcher(re.compile(r"https?://.*")).admits_anyone
        assert matcher(re.compile(r"https://[a-z0-9-]+\.vercel\.app")).admits_anyone
        assert not matcher(re.compile(r"https://[a-z]+\.example\.com")).admits_anyone


def test_item_4_the_credentials_check_asks_admits_anyone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Security issue item 4: set-up and the adapter share the one definition: when
    admits_anyone says no, the credentials check says no."""
    monkeypatch.setattr(OriginMatcher, "admits_anyone", property(lambda self: False))
    assert policy(origins="null", supports_credentials=True).supports_credentials
