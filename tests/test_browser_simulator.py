"""The browser's side of CORS (flask_crossorigin.browser), checked against hand-built responses.

Rule ids (F1-F44) refer to docs/fetch-rules.md. Responses are written out by hand rather
than produced by the extension, so these tests pin the browser model on its own: if the model is
wrong, every server test that trusts it would be wrong too.
"""

from __future__ import annotations

import ast
import itertools
import re
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flask_crossorigin import browser
from flask_crossorigin.browser import (
    CHROMIUM_MAX_AGE_LIMIT,
    DEFAULT_MAX_AGE,
    REASONS,
    BrowserRequest,
    CheckResult,
    Reason,
    ServerResponse,
    Verdict,
    check_actual,
    check_preflight,
    is_safelisted_request_header,
    needs_preflight,
    normalize_method,
    preflight_request_headers,
    simulate,
)

PAGE = "https://app.example"
API = "https://api.example/items"

Send = Callable[[str, str, list[tuple[str, str]]], ServerResponse]


def request(
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    *,
    credentials: bool = False,
    url: str = API,
    origin: str = PAGE,
    content_type: str | None = None,
    force_preflight: bool = False,
) -> BrowserRequest:
    return BrowserRequest(
        origin=origin,
        url=url,
        method=method,
        headers=headers or [],
        credentials=credentials,
        content_type=content_type,
        force_preflight=force_preflight,
    )


def grant(*extra: tuple[str, str], origin: str = PAGE, status: int = 204) -> ServerResponse:
    """A response carrying ACAO for ``origin`` plus whatever else the test needs."""
    return ServerResponse(status, [("Access-Control-Allow-Origin", origin), *extra])


CREDS = ("Access-Control-Allow-Credentials", "true")


def reason_of(result: CheckResult | Verdict) -> Reason:
    assert result.reason is not None, result
    return result.reason


def acrh(req: BrowserRequest) -> str:
    return needs_preflight(req).access_control_request_headers


def recorder(
    answer: Callable[[str, str, list[tuple[str, str]]], ServerResponse],
) -> tuple[Send, list[tuple[str, str, list[tuple[str, str]]]]]:
    calls: list[tuple[str, str, list[tuple[str, str]]]] = []

    def send(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        calls.append((method, url, headers))
        return answer(method, url, headers)

    return send, calls


# ---------------------------------------------------------------------------------------------
# One scenario per reason id. The table must cover REASONS exactly, so adding an id without a
# test (or a test for an id that does not exist) fails test_every_reason_id_has_a_scenario.
# ---------------------------------------------------------------------------------------------


def _redirecting(location: str) -> Send:
    def send(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        return ServerResponse(302, [("Location", location), ("Access-Control-Allow-Origin", "*")])

    return send


SCENARIOS: dict[str, Callable[[], Reason]] = {
    # F7: a method must be a token; fetch() throws before sending.
    "invalid_method": lambda: reason_of(check_actual(request("GE T"), grant())),
    # F7: CONNECT/TRACE/TRACK are forbidden in any case.
    "forbidden_method": lambda: reason_of(check_actual(request("trace"), grant())),
    "invalid_header": lambda: reason_of(check_actual(request("GET", [("X-A", "a\nb")]), grant())),
    "body_not_allowed": lambda: reason_of(
        check_actual(request("GET", content_type="text/plain"), grant())
    ),
    "url_not_http": lambda: reason_of(check_actual(request(url="ftp://files.example/a"), grant())),
    # F28: userinfo in the URL.
    "url_has_credentials": lambda: reason_of(
        check_actual(request(url="https://u:p@api.example/"), grant())
    ),
    # F14: redirects are never followed for a preflight.
    "preflight_redirect": lambda: reason_of(
        check_preflight(request("PUT"), grant(("Location", API + "/"), status=308))
    ),
    # F14: 401 is not an ok status.
    "preflight_status_not_ok": lambda: reason_of(
        check_preflight(request("PUT"), grant(("Access-Control-Allow-Methods", "PUT"), status=401))
    ),
    # F13.1
    "acao_missing": lambda: reason_of(check_actual(request(), ServerResponse(200))),
    # F25
    "acao_multiple": lambda: reason_of(
        check_actual(request(), grant(("Access-Control-Allow-Origin", PAGE), status=200))
    ),
    "acao_invalid": lambda: reason_of(check_actual(request(), grant(origin="", status=200))),
    # F13.3: byte-equal to the serialized origin.
    "acao_mismatch": lambda: reason_of(
        check_actual(request(), grant(origin="https://evil.example", status=200))
    ),
    # F13.2: '*' only without credentials.
    "acao_wildcard_with_credentials": lambda: reason_of(
        check_actual(request(credentials=True), grant(CREDS, origin="*", status=200))
    ),
    # F13.4
    "acac_missing": lambda: reason_of(check_actual(request(credentials=True), grant(status=200))),
    # F13.4: 'true' is case-sensitive.
    "acac_invalid": lambda: reason_of(
        check_actual(
            request(credentials=True),
            grant(("Access-Control-Allow-Credentials", "True"), status=200),
        )
    ),
    # F15: list parse failure fails the preflight.
    "acam_invalid": lambda: reason_of(
        check_preflight(request("PUT"), grant(("Access-Control-Allow-Methods", "GET PUT")))
    ),
    "acah_invalid": lambda: reason_of(
        check_preflight(
            request("GET", [("X-A", "1")]), grant(("Access-Control-Allow-Headers", "X-A;X-B"))
        )
    ),
    # F15
    "method_not_allowed": lambda: reason_of(
        check_preflight(request("PUT"), grant(("Access-Control-Allow-Methods", "GET, POST")))
    ),
    # F18
    "method_wildcard_with_credentials": lambda: reason_of(
        check_preflight(
            request("PUT", credentials=True), grant(CREDS, ("Access-Control-Allow-Methods", "*"))
        )
    ),
    # F17
    "header_not_allowed": lambda: reason_of(
        check_preflight(
            request("GET", [("X-Api-Key", "k")]), grant(("Access-Control-Allow-Headers", "X-Other"))
        )
    ),
    # F18
    "header_wildcard_with_credentials": lambda: reason_of(
        check_preflight(
            request("GET", [("X-Api-Key", "k")], credentials=True),
            grant(CREDS, ("Access-Control-Allow-Headers", "*")),
        )
    ),
    # F16: '*' never covers Authorization.
    "authorization_not_covered_by_wildcard": lambda: reason_of(
        check_preflight(
            request("GET", [("Authorization", "Bearer t")]),
            grant(("Access-Control-Allow-Headers", "*")),
        )
    ),
    "redirect_location_invalid": lambda: reason_of(
        simulate(
            request(),
            lambda m, u, h: ServerResponse(
                302, [("Location", "/a"), ("Location", "/b"), ("Access-Control-Allow-Origin", "*")]
            ),
        )
    ),
    # F31
    "too_many_redirects": lambda: reason_of(simulate(request(), _redirecting(API))),
}


def test_every_reason_id_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(REASONS)


@pytest.mark.parametrize("reason_id", sorted(SCENARIOS))
def test_scenario_produces_its_reason(reason_id: str) -> None:
    reason = SCENARIOS[reason_id]()
    assert reason.id == reason_id
    assert reason.stage in ("request", "preflight", "actual", "redirect")
    assert reason.fix  # a generic hint is always there for callers to replace
    assert reason.message.endswith(".")
    assert reason.rule == browser._CATALOGUE[reason_id][0]


def test_docs_list_exactly_the_reason_ids() -> None:
    text = (Path(__file__).parents[1] / "docs" / "reasons.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE)
    assert sorted(documented) == sorted(REASONS)
    assert len(documented) == len(set(documented))


def _import_roots(module: types.ModuleType) -> tuple[set[str], set[str]]:
    """The top-level modules *module* imports, and the package modules it imports relatively."""
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    roots: set[str] = set()
    relative: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            relative.add(node.module or "")
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    return roots, relative


def test_module_is_framework_free() -> None:
    # The browser simulator must stay usable without Flask: stdlib imports only, plus the table
    # of engine departures (engines.py), which is itself stdlib-only and imports nothing of the
    # package (the captured console lines are data it loads by name).
    from flask_crossorigin import engines

    roots, relative = _import_roots(browser)
    allowed = {"__future__", "collections", "contextlib", "dataclasses", "re", "string", "types"}
    assert roots <= allowed | {"urllib"}, roots
    assert relative == {"engines"}, relative
    roots, relative = _import_roots(engines)
    assert roots <= {"__future__", "collections", "dataclasses", "importlib", "re", "typing"}
    assert relative == set(), "engines.py stands alone"


def test_former_module_name_is_an_alias() -> None:
    # flask_crossorigin.explain was the simulator's published name: it re-exports every public
    # name of flask_crossorigin.browser, the same objects, and nothing else.
    from flask_crossorigin import explain

    assert explain.__all__ == browser.__all__
    for name in browser.__all__:
        assert getattr(explain, name) is getattr(browser, name), name
    public = {name for name in vars(explain) if not name.startswith("_")}
    assert public - {"annotations"} == set(browser.__all__)


# ---------------------------------------------------------------------------------------------
# Messages and fixes
# ---------------------------------------------------------------------------------------------


def test_message_reads_like_the_console() -> None:
    reason = reason_of(check_preflight(request("PUT"), ServerResponse(204)))
    assert reason.id == "acao_missing"
    assert reason.stage == "preflight"
    assert reason.message.startswith(
        "Access to fetch at 'https://api.example/items' from origin 'https://app.example' "
        "has been blocked by CORS policy: The preflight response did not pass the access "
        "control check: "
    )
    assert "'Access-Control-Allow-Origin: https://app.example'" in reason.fix


def test_with_fix_returns_a_copy() -> None:
    reason = reason_of(check_actual(request(), ServerResponse(200)))
    custom = reason.with_fix("Add https://app.example to CORS_ORIGINS.")
    assert custom.fix == "Add https://app.example to CORS_ORIGINS."
    assert custom.id == reason.id
    assert reason.fix != custom.fix


def test_acao_mismatch_trailing_slash_gets_a_specific_hint() -> None:
    # F13.3: a serialized origin has no trailing slash.
    reason = reason_of(check_actual(request(), grant(origin=PAGE + "/", status=200)))
    assert reason.id == "acao_mismatch"
    assert reason.fix.startswith("Drop the trailing slash")


def test_acao_mismatch_case_gets_a_specific_hint() -> None:
    reason = reason_of(check_actual(request(), grant(origin="https://App.example", status=200)))
    assert reason.id == "acao_mismatch"
    assert reason.fix.startswith("Match the origin's case exactly")


def test_acao_default_port_is_a_mismatch() -> None:
    reason = reason_of(check_actual(request(), grant(origin=PAGE + ":443", status=200)))
    assert reason.id == "acao_mismatch"
    assert "no default port" in reason.fix


def test_comma_joined_acao_is_multiple() -> None:
    # F25: one header holding two origins.
    value = f"{PAGE}, https://other.example"
    reason = reason_of(check_actual(request(), grant(origin=value, status=200)))
    assert reason.id == "acao_multiple"


def test_acao_missing_on_error_response_mentions_f22() -> None:
    reason = reason_of(check_actual(request(), ServerResponse(500)))
    assert reason.id == "acao_missing"
    assert reason.stage == "actual"
    assert "500" in reason.fix and "F22" in reason.fix


def test_page_origin_is_serialized_like_a_browser() -> None:
    req = request(origin="HTTPS://App.Example:443/some/page")
    assert preflight_request_headers(req)[0] == ("Origin", "https://app.example")
    assert check_actual(req, grant(status=200)).ok


# ---------------------------------------------------------------------------------------------
# Preflight classification (F4, F6-F10)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "get", "post"])
def test_safelisted_methods_do_not_preflight(method: str) -> None:
    need = needs_preflight(request(method))
    assert need.needed is False
    assert need.why == ()


@pytest.mark.parametrize(
    ("given_method", "sent"),
    [
        ("delete", "DELETE"),
        ("Options", "OPTIONS"),
        ("put", "PUT"),
        ("patch", "patch"),  # F7: not in the normalized six, sent as written
        ("PATCH", "PATCH"),
        ("Move", "Move"),
    ],
)
def test_method_normalization(given_method: str, sent: str) -> None:
    assert normalize_method(given_method) == sent
    need = needs_preflight(request(given_method))
    assert need.needed is True
    assert need.method == sent
    assert ("Access-Control-Request-Method", sent) in preflight_request_headers(
        request(given_method)
    )


def test_patch_lower_case_explains_itself() -> None:
    need = needs_preflight(request("patch"))
    assert need.why == (
        "method 'patch' is sent as written (only DELETE GET HEAD OPTIONS POST PUT are "
        "upper-cased) and is not CORS-safelisted (F6, F7)",
    )


def test_patch_not_upper_cased_fails_against_upper_case_acam() -> None:
    # F7 + F15: 'patch' is sent as-is and ACAM matching is byte-exact.
    result = check_preflight(request("patch"), grant(("Access-Control-Allow-Methods", "PATCH")))
    assert reason_of(result).id == "method_not_allowed"
    assert "case-sensitive" in reason_of(result).fix
    ok = check_preflight(request("patch"), grant(("Access-Control-Allow-Methods", "patch")))
    assert ok.ok


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("application/json", False),
        ("text/plain;charset=utf-8", True),
        ("TEXT/Plain ; charset=UTF-8", True),
        ("application/x-www-form-urlencoded", True),
        ("multipart/form-data; boundary=----abc123", True),
        ("text/plain; boundary=a:b", False),  # F9: ':' is an unsafe byte
        ("text /plain", False),  # not a MIME type
        ("text/", False),
        ("application/csp-report", False),  # F12 exception is not available to fetch()
        ("application/json, text/plain", False),
    ],
)
def test_content_type_safelist(value: str, safe: bool) -> None:
    assert is_safelisted_request_header("Content-Type", value) is safe
    need = needs_preflight(request("POST", [("Content-Type", value)]))
    assert need.needed is (not safe)
    assert need.access_control_request_headers == ("" if safe else "content-type")


def test_content_type_json_reason_names_the_essence() -> None:
    need = needs_preflight(request("POST", [("Content-Type", "application/json; charset=utf-8")]))
    assert need.why == (
        "'content-type' is application/json; only application/x-www-form-urlencoded, "
        "multipart/form-data and text/plain are safelisted (F8)",
    )


def test_body_content_type_counts_like_a_header() -> None:
    # A Blob typed application/json sets Content-Type, which triggers a preflight.
    assert needs_preflight(request("POST", content_type="application/json")).needed
    assert not needs_preflight(request("POST", content_type="text/plain;charset=UTF-8")).needed
    # An explicit header wins over the body's type.
    explicit = request("POST", [("content-type", "text/plain")], content_type="application/json")
    assert not needs_preflight(explicit).needed


def test_accept_language_128_bytes_is_safe_129_is_not() -> None:
    # F8: value length limit is 128 bytes.
    assert is_safelisted_request_header("Accept-Language", "a" * 128)
    assert not is_safelisted_request_header("Accept-Language", "a" * 129)
    need = needs_preflight(request("GET", [("Accept-Language", "a" * 129)]))
    assert need.needed
    assert need.request_headers == ("accept-language",)
    assert need.why == (
        "'accept-language' value is 129 bytes, over the 128-byte limit for safelisted headers (F8)",
    )


@pytest.mark.parametrize(
    ("name", "value", "safe"),
    [
        ("Accept-Language", "en-US,en;q=0.9", True),
        ("Accept-Language", "en_US", False),
        ("Content-Language", "de-DE, *", True),
        ("Content-Language", "de(DE)", False),
        ("Accept", "application/json, text/*;q=0.5", True),
        ("Accept", 'text/"html"', False),  # F9: '"' is unsafe
        ("Accept", "a\tb", True),  # HT is the one control byte allowed
        ("Accept", "a\x01b", False),
        ("X-Requested-With", "XMLHttpRequest", False),
    ],
)
def test_header_value_rules(name: str, value: str, safe: bool) -> None:
    assert is_safelisted_request_header(name, value) is safe


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("bytes=0-", True),
        ("bytes=0-499", True),
        ("bytes=500-500", True),
        ("bytes=-500", False),  # F8: suffix ranges are never safelisted
        ("bytes=500-100", False),
        ("bytes=0-1,5-6", False),
        ("Bytes=0-", False),  # "bytes" is matched case-sensitively
        ("bytes= 0-", False),
        ("bytes=-", False),
        ("items=0-5", False),
    ],
)
def test_range_safelist(value: str, safe: bool) -> None:
    assert is_safelisted_request_header("Range", value) is safe


def test_suffix_range_reason() -> None:
    need = needs_preflight(request("GET", [("Range", "bytes=-500")]))
    assert need.request_headers == ("range",)
    assert need.why == (
        "'range' value 'bytes=-500' is a suffix range, which is never safelisted (F8)",
    )


def test_budget_of_exactly_1024_bytes_is_safe() -> None:
    # F10: the limit is "greater than 1024"; eight 128-byte Accept values sum to 1024.
    headers = [("Accept", "a" * 128)] * 8
    assert needs_preflight(request("GET", headers)).needed is False


def test_budget_over_1024_bytes_makes_every_safelisted_header_unsafe() -> None:
    # F10: 1024 + 1 bytes; all the otherwise-safe names land in ACRH.
    headers = [("Accept", "a" * 128)] * 8 + [("Content-Language", "x")]
    need = needs_preflight(request("GET", headers))
    assert need.needed is True
    assert need.access_control_request_headers == "accept,content-language"
    assert need.why == (
        "safelisted header values total 1025 bytes, over the 1024-byte budget, so accept, "
        "content-language count as unsafe too (F10)",
    )


def test_default_accept_counts_toward_the_budget() -> None:
    # fetch() adds 'Accept: */*' before CORS runs: 8 x 128 + 3 = 1027 bytes (F10).
    headers = [("Content-Language", "a" * 128)] * 8
    need = needs_preflight(request("GET", headers))
    assert need.access_control_request_headers == "accept,content-language"


def test_acrh_is_lowercased_sorted_deduplicated_without_spaces() -> None:
    # F4
    req = request(
        "GET",
        [("X-B", "1"), ("x-a", "2"), ("X-A", "3"), ("Content-Type", "application/json")],
    )
    assert acrh(req) == "content-type,x-a,x-b"
    assert preflight_request_headers(req) == [
        ("Origin", PAGE),
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", "GET"),
        ("Access-Control-Request-Headers", "content-type,x-a,x-b"),
    ]


def test_preflight_headers_omit_empty_acrh() -> None:
    assert preflight_request_headers(request("DELETE")) == [
        ("Origin", PAGE),
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", "DELETE"),
    ]


def test_forbidden_headers_are_dropped_not_preflighted() -> None:
    req = request(
        "GET",
        [
            ("Cookie", "a=b"),
            ("Sec-Fetch-Mode", "no-cors"),
            ("Proxy-Authorization", "x"),
            ("X-HTTP-Method-Override", "TRACE"),
            ("Origin", "https://evil.example"),
        ],
    )
    need = needs_preflight(req)
    assert need.needed is False
    assert need.dropped_headers == (
        "Cookie",
        "Sec-Fetch-Mode",
        "Proxy-Authorization",
        "X-HTTP-Method-Override",
        "Origin",
    )
    assert preflight_request_headers(req)[0] == ("Origin", PAGE)


def test_method_override_with_harmless_method_is_kept_and_unsafe() -> None:
    need = needs_preflight(request("POST", [("X-HTTP-Method-Override", "PATCH")]))
    assert need.dropped_headers == ()
    assert need.request_headers == ("x-http-method-override",)


def test_header_values_are_trimmed_before_classification() -> None:
    # Headers.append normalizes surrounding whitespace, so ' text/plain ' is safe.
    assert not needs_preflight(request("POST", [("Content-Type", "  text/plain \t")])).needed


def test_force_preflight_flag() -> None:
    # F11: use-CORS-preflight flag (e.g. an upload listener) preflights a simple request.
    need = needs_preflight(request("POST", force_preflight=True))
    assert need.needed is True
    assert need.access_control_request_headers == ""


def test_same_origin_never_preflights() -> None:
    need = needs_preflight(request("PUT", [("X-A", "1")], url="https://app.example/x"))
    assert need.needed is False
    assert need.why == ("same-origin request: the CORS protocol does not apply (F1)",)


def test_invalid_request_reports_error_not_need() -> None:
    need = needs_preflight(request("CONNECT"))
    assert need.needed is False
    assert need.error is not None and need.error.id == "forbidden_method"
    assert need.error.stage == "request"


def test_non_latin1_request_header_is_invalid_not_a_crash() -> None:
    need = needs_preflight(request("GET", [("X-Name", "Zoë ☃")]))
    assert need.error is not None and need.error.id == "invalid_header"


# ---------------------------------------------------------------------------------------------
# Preflight response check (F13-F19)
# ---------------------------------------------------------------------------------------------


def good_preflight(*extra: tuple[str, str]) -> ServerResponse:
    return grant(
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "X-Api-Key"),
        *extra,
    )


def test_good_preflight_passes_with_default_cache() -> None:
    result = check_preflight(request("PUT", [("X-Api-Key", "k")]), good_preflight())
    assert result.ok and result.reason is None
    assert result.preflight_cache_seconds == DEFAULT_MAX_AGE == 5


@pytest.mark.parametrize(
    ("values", "seconds"),
    [
        (["600"], 600),
        (["0"], 0),
        (["86400"], CHROMIUM_MAX_AGE_LIMIT),  # F19: Chromium clamps to 7200
        (["9" * 5000], CHROMIUM_MAX_AGE_LIMIT),  # must not trip int() digit limits
        (["-1"], DEFAULT_MAX_AGE),
        (["1e3"], DEFAULT_MAX_AGE),
        ([""], DEFAULT_MAX_AGE),
        (["600", "600"], DEFAULT_MAX_AGE),  # single-value header given twice: failure
    ],
)
def test_max_age(values: list[str], seconds: int) -> None:
    response = good_preflight(*[("Access-Control-Max-Age", v) for v in values])
    result = check_preflight(request("PUT", [("X-Api-Key", "k")]), response)
    assert result.ok
    assert result.preflight_cache_seconds == seconds


def test_max_age_clamp_is_noted() -> None:
    response = good_preflight(("Access-Control-Max-Age", "86400"))
    result = check_preflight(request("PUT", [("X-Api-Key", "k")]), response)
    assert result.notes == (
        "Access-Control-Max-Age 86400 is clamped to 7200 s by Chromium and 86400 s by "
        "Firefox (F19)",
    )


def test_preflight_308_fails_as_redirect() -> None:
    # F14: a redirect is never followed for a preflight, even with perfect CORS headers.
    response = good_preflight(("Location", API + "/"))
    response = ServerResponse(308, response.headers)
    reason = reason_of(check_preflight(request("PUT", [("X-Api-Key", "k")]), response))
    assert reason.id == "preflight_redirect"
    assert "308 redirect to 'https://api.example/items/'" in reason.message


def test_preflight_3xx_without_location_is_a_bad_status() -> None:
    response = ServerResponse(304, good_preflight().headers)
    reason = reason_of(check_preflight(request("PUT", [("X-Api-Key", "k")]), response))
    assert reason.id == "preflight_status_not_ok"


def test_preflight_401_with_cors_headers_fails_on_status() -> None:
    # F14: 401 is not ok; F3: the preflight never carried credentials to begin with.
    response = ServerResponse(401, good_preflight().headers)
    reason = reason_of(check_preflight(request("PUT", [("X-Api-Key", "k")]), response))
    assert reason.id == "preflight_status_not_ok"
    assert "status 401" in reason.message


def test_preflight_401_without_cors_headers_reports_missing_acao_first() -> None:
    # Chromium runs the CORS check before the status check.
    reason = reason_of(check_preflight(request("PUT"), ServerResponse(401)))
    assert reason.id == "acao_missing"


@pytest.mark.parametrize("status", [200, 204, 299])
def test_any_2xx_preflight_is_ok(status: int) -> None:
    response = ServerResponse(status, good_preflight().headers)
    assert check_preflight(request("PUT", [("X-Api-Key", "k")]), response).ok


@pytest.mark.parametrize("status", [199, 300, 403, 404, 405, 500])
def test_non_2xx_preflight_fails(status: int) -> None:
    response = ServerResponse(status, good_preflight().headers)
    reason = reason_of(check_preflight(request("PUT", [("X-Api-Key", "k")]), response))
    assert reason.id == "preflight_status_not_ok"


def test_safelisted_method_needs_no_acam() -> None:
    # F15: a safelisted method passes even when ACAM omits it.
    response = grant(("Access-Control-Allow-Headers", "x-api-key"))
    assert check_preflight(request("POST", [("X-Api-Key", "k")]), response).ok


def test_missing_acam_with_force_preflight_assumes_the_method() -> None:
    # F15: ACAM absent + use-CORS-preflight flag -> the request method is assumed.
    assert check_preflight(request("PUT", force_preflight=True), grant()).ok
    assert reason_of(check_preflight(request("PUT"), grant())).id == "method_not_allowed"


def test_acam_wildcard_without_credentials_allows_any_method() -> None:
    response = grant(("Access-Control-Allow-Methods", "*"))
    assert check_preflight(request("PURGE"), response).ok


def test_acam_list_tolerates_spaces_and_empty_items() -> None:
    response = grant(
        ("Access-Control-Allow-Methods", " GET ,, PUT"), ("Access-Control-Allow-Methods", "")
    )
    assert check_preflight(request("PUT"), response).ok


def test_acah_is_case_insensitive() -> None:
    # F17: names match case-insensitively.
    response = grant(("Access-Control-Allow-Headers", "X-API-KEY, content-TYPE"))
    req = request("POST", [("x-api-key", "k"), ("Content-Type", "application/json")])
    assert check_preflight(req, response).ok


def test_acah_wildcard_covers_other_headers_without_credentials() -> None:
    response = grant(("Access-Control-Allow-Headers", "*"))
    assert check_preflight(request("GET", [("X-Api-Key", "k")]), response).ok


def test_acah_wildcard_and_authorization() -> None:
    # F16: '*' never covers Authorization; naming it explicitly does.
    req = request("GET", [("Authorization", "Bearer t"), ("X-Api-Key", "k")])
    fails = check_preflight(req, grant(("Access-Control-Allow-Headers", "*")))
    assert reason_of(fails).id == "authorization_not_covered_by_wildcard"
    passes = check_preflight(req, grant(("Access-Control-Allow-Headers", "*, authorization")))
    assert passes.ok


def test_authorization_without_wildcard_is_plain_not_allowed() -> None:
    req = request("GET", [("Authorization", "Bearer t")])
    reason = reason_of(check_preflight(req, grant(("Access-Control-Allow-Headers", "X-Other"))))
    assert reason.id == "header_not_allowed"
    assert "'authorization'" in reason.message


def test_first_missing_header_in_sorted_order_is_reported() -> None:
    req = request("GET", [("X-Zeta", "1"), ("X-Alpha", "2")])
    reason = reason_of(check_preflight(req, grant()))
    assert reason.id == "header_not_allowed"
    assert "Request header 'x-alpha'" in reason.message


def test_credentials_with_wildcards_everywhere() -> None:
    # F13.2 / F18: with credentials, '*' is a literal in every CORS header.
    req = request("PUT", [("X-Api-Key", "k")], credentials=True)
    everything_star = ServerResponse(
        204,
        [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "*"),
            ("Access-Control-Allow-Headers", "*"),
        ],
    )
    assert reason_of(check_preflight(req, everything_star)).id == "acao_wildcard_with_credentials"
    echoed_origin = grant(
        CREDS, ("Access-Control-Allow-Methods", "*"), ("Access-Control-Allow-Headers", "*")
    )
    assert reason_of(check_preflight(req, echoed_origin)).id == "method_wildcard_with_credentials"
    listed_method = grant(
        CREDS, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*")
    )
    assert reason_of(check_preflight(req, listed_method)).id == "header_wildcard_with_credentials"
    all_listed = grant(
        CREDS,
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "x-api-key"),
    )
    assert check_preflight(req, all_listed).ok


def test_acac_true_capitalised_fails() -> None:
    # F13.4: `true` is byte case-sensitive.
    req = request("PUT", credentials=True)
    response = grant(
        ("Access-Control-Allow-Credentials", "True"), ("Access-Control-Allow-Methods", "PUT")
    )
    reason = reason_of(check_preflight(req, response))
    assert reason.id == "acac_invalid"
    assert "'True'" in reason.message


def test_acac_repeated_fails() -> None:
    response = grant(CREDS, CREDS, status=200)
    assert reason_of(check_actual(request(credentials=True), response)).id == "acac_invalid"


def test_acac_ignored_without_credentials() -> None:
    # F26: with credentials mode other than include, ACAC does not matter.
    response = grant(("Access-Control-Allow-Credentials", "nonsense"), status=200)
    assert check_actual(request(), response).ok


def test_response_header_names_are_case_insensitive_and_values_trimmed() -> None:
    response = ServerResponse(200, [("access-control-allow-origin", f"  {PAGE}\t")])
    assert check_actual(request(), response).ok


def test_null_origin_matches_null_acao() -> None:
    # F35: ACAO may legally be 'null'.
    req = request(origin="null")
    assert check_actual(req, grant(origin="null", status=200)).ok
    assert reason_of(check_actual(req, grant(status=200))).id == "acao_mismatch"


def test_same_origin_preflight_check_notes_it_would_not_happen() -> None:
    req = request("PUT", url="https://app.example/x")
    result = check_preflight(req, grant(("Access-Control-Allow-Methods", "PUT")))
    assert result.ok
    assert result.notes[0].startswith("a browser sends no preflight for a same-origin request")


# ---------------------------------------------------------------------------------------------
# Actual response check and exposed headers (F22-F24)
# ---------------------------------------------------------------------------------------------

RESPONSE_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", "2"),
    ("Cache-Control", "no-store"),
    ("X-Total", "3"),
    ("X-Request-Id", "abc"),
    ("Set-Cookie", "s=1"),
]


def test_error_status_is_shareable_with_headers() -> None:
    # F22: any status passes the CORS check if the headers are right.
    result = check_actual(request(), ServerResponse(503, [("Access-Control-Allow-Origin", "*")]))
    assert result.ok
    assert result.notes == ("the page can read this 503 response (F22)",)


def test_only_safelisted_headers_without_aceh() -> None:
    response = grant(*RESPONSE_HEADERS, origin="*", status=200)
    assert check_actual(request(), response).readable_headers == (
        "cache-control",
        "content-length",
        "content-type",
    )


def test_aceh_list_exposes_named_headers() -> None:
    response = grant(
        *RESPONSE_HEADERS,
        ("Access-Control-Expose-Headers", "x-total, Set-Cookie, X-Missing"),
        status=200,
    )
    # Set-Cookie is a forbidden response-header name: never exposed (F24).
    assert check_actual(request(), response).readable_headers == (
        "cache-control",
        "content-length",
        "content-type",
        "x-total",
    )


def test_aceh_wildcard_without_credentials_exposes_everything_but_set_cookie() -> None:
    response = grant(*RESPONSE_HEADERS, ("Access-Control-Expose-Headers", "*"), status=200)
    assert check_actual(request(), response).readable_headers == (
        "access-control-allow-origin",
        "access-control-expose-headers",
        "cache-control",
        "content-length",
        "content-type",
        "x-request-id",
        "x-total",
    )


def test_aceh_wildcard_with_credentials_exposes_only_safelisted() -> None:
    # F24 / F18: '*' is literal for credentialed requests.
    response = grant(CREDS, *RESPONSE_HEADERS, ("Access-Control-Expose-Headers", "*"), status=200)
    result = check_actual(request(credentials=True), response)
    assert result.ok
    assert result.readable_headers == ("cache-control", "content-length", "content-type")
    assert any("literal for credentialed requests" in note for note in result.notes)


def test_aceh_list_with_credentials_exposes_named_headers() -> None:
    response = grant(
        CREDS, *RESPONSE_HEADERS, ("Access-Control-Expose-Headers", "X-Total"), status=200
    )
    result = check_actual(request(credentials=True), response)
    assert "x-total" in result.readable_headers
    assert "x-request-id" not in result.readable_headers


def test_unparsable_aceh_exposes_only_safelisted() -> None:
    response = grant(*RESPONSE_HEADERS, ("Access-Control-Expose-Headers", "x total"), status=200)
    result = check_actual(request(), response)
    assert result.readable_headers == ("cache-control", "content-length", "content-type")
    assert result.notes


def test_same_origin_actual_reads_everything_but_set_cookie() -> None:
    result = check_actual(
        request(url="https://app.example/x"), ServerResponse(200, RESPONSE_HEADERS)
    )
    assert result.ok
    assert "x-request-id" in result.readable_headers
    assert "set-cookie" not in result.readable_headers


def test_odd_responses_fail_with_reasons_instead_of_raising() -> None:
    cases = {
        "acao_multiple": [("Access-Control-Allow-Origin", ""), ("Access-Control-Allow-Origin", "")],
        "acao_invalid": [("Access-Control-Allow-Origin", "true")],
        "acao_mismatch": [("Access-Control-Allow-Origin", "https://äpp.example")],
    }
    for expected, headers in cases.items():
        assert reason_of(check_actual(request(), ServerResponse(200, headers))).id == expected
    weird = ServerResponse(
        -1,
        [("", ""), ("Access-Control-Allow-Methods", "PÜT"), ("Access-Control-Allow-Origin", PAGE)],
    )
    assert reason_of(check_preflight(request("PUT"), weird)).id == "preflight_status_not_ok"
    ok_status = ServerResponse(204, weird.headers)
    assert reason_of(check_preflight(request("PUT"), ok_status)).id == "acam_invalid"


# ---------------------------------------------------------------------------------------------
# simulate(): preflight, actual request, redirects
# ---------------------------------------------------------------------------------------------


def test_simulate_simple_get() -> None:
    send, calls = recorder(
        lambda m, u, h: grant(("Content-Type", "text/plain"), ("X-Total", "1"), status=200)
    )
    verdict = simulate(request("GET", url="/items"), send)
    assert verdict.allowed and verdict.reason is None
    assert verdict.status == 200
    assert verdict.readable_headers == ("content-type",)
    # A bare path lives on http://localhost, like Werkzeug's test client.
    assert calls == [
        ("GET", "http://localhost/items", [("Origin", PAGE), ("Accept", "*/*")]),
    ]
    assert verdict.steps == (
        "fetch GET http://localhost/items from https://app.example (credentials: same-origin)",
        "no preflight: safelisted method and headers (F6, F8)",
        "-> GET http://localhost/items [Origin: https://app.example; Accept: */*]",
        "<- 200 allowed; readable headers: content-type",
    )


def test_simulate_preflight_then_actual() -> None:
    def answer(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        if method == "OPTIONS":
            return grant(
                CREDS,
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "Content-Type"),
                ("Access-Control-Max-Age", "600"),
            )
        return grant(CREDS, status=201)

    send, calls = recorder(answer)
    req = request("put", credentials=True, content_type="application/json")
    verdict = simulate(req, send)
    assert verdict.allowed, verdict.reason
    assert [c[0] for c in calls] == ["OPTIONS", "PUT"]
    assert calls[0][2] == [
        ("Origin", PAGE),
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type"),
    ]
    assert ("Content-Type", "application/json") in calls[1][2]
    assert "<- 204 preflight passes; cached for 600 s" in verdict.steps
    assert verdict.status == 201


def test_simulate_stops_after_failed_preflight() -> None:
    send, calls = recorder(lambda m, u, h: ServerResponse(405))
    verdict = simulate(request("DELETE"), send)
    assert not verdict.allowed
    assert reason_of(verdict).id == "acao_missing"
    assert [c[0] for c in calls] == ["OPTIONS"]
    assert verdict.steps[-1] == "<- 405 preflight: blocked (acao_missing)"


def test_simulate_invalid_request_sends_nothing() -> None:
    send, calls = recorder(lambda m, u, h: grant())
    verdict = simulate(request("TRACK"), send)
    assert reason_of(verdict).id == "forbidden_method"
    assert calls == []


def test_simulate_redirect_must_carry_cors_headers() -> None:
    # F27: the CORS check runs on the 308 itself (Flask's trailing-slash redirect).
    send, calls = recorder(
        lambda m, u, h: (
            ServerResponse(308, [("Location", "/items/")])
            if u.endswith("/items")
            else grant(status=200)
        )
    )
    verdict = simulate(request("GET"), send)
    reason = reason_of(verdict)
    assert reason.id == "acao_missing" and reason.stage == "actual"
    assert len(calls) == 1


def test_simulate_follows_same_origin_redirect() -> None:
    def answer(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        if url.endswith("/items"):
            return grant(("Location", "/items/"), status=308)
        return grant(status=200)

    send, calls = recorder(answer)
    verdict = simulate(request("GET", [("Authorization", "Bearer t")]), send)
    # Authorization preflights; the redirect target needs its own preflight.
    assert not verdict.allowed  # the grant() answer has no ACAH, so the preflight fails
    assert [c[0] for c in calls] == ["OPTIONS"]

    def answer_ok(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        if method == "OPTIONS":
            return grant(("Access-Control-Allow-Headers", "Authorization"))
        return answer(method, url, headers)

    send, calls = recorder(answer_ok)
    verdict = simulate(request("GET", [("Authorization", "Bearer t")]), send)
    assert verdict.allowed, verdict.reason
    assert [(c[0], c[1]) for c in calls] == [
        ("OPTIONS", API),
        ("GET", API),
        ("OPTIONS", API + "/"),
        ("GET", API + "/"),
    ]
    assert ("Authorization", "Bearer t") in calls[3][2]  # same origin: kept
    assert f"<- 308 redirect to {API}/" in verdict.steps


def test_simulate_cross_origin_redirect_taints_origin_and_drops_authorization() -> None:
    # F29: Origin becomes 'null'; F30: Authorization is removed.
    other = "https://cdn.example/items"

    def answer(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        if url == API:
            if method == "OPTIONS":
                return grant(("Access-Control-Allow-Headers", "authorization"))
            return grant(("Location", other), status=302)
        return grant(origin="null", status=200)

    send, calls = recorder(answer)
    verdict = simulate(request("GET", [("Authorization", "Bearer t")]), send)
    assert verdict.allowed, verdict.reason
    last = calls[-1]
    assert last[:2] == ("GET", other)
    assert ("Origin", "null") in last[2]
    assert all(name != "Authorization" for name, _ in last[2])
    assert len(calls) == 3  # no preflight after the redirect: nothing unsafe is left
    assert (
        f"<- 302 redirect to {other}; Authorization is dropped (F30); Origin becomes 'null' (F29)"
    ) in verdict.steps


def test_simulate_303_turns_post_into_get_without_body_headers() -> None:
    def answer(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        if url == API:
            return grant(("Location", "/done"), origin="*", status=303)
        return grant(origin="*", status=200)

    send, calls = recorder(answer)
    verdict = simulate(request("POST", content_type="text/plain;charset=UTF-8"), send)
    assert verdict.allowed
    assert calls[1][0] == "GET"
    assert calls[1][1] == "https://api.example/done"
    assert all(name != "Content-Type" for name, _ in calls[1][2])


def test_simulate_redirect_to_userinfo_url_fails() -> None:
    # F28
    verdict = simulate(request(), _redirecting("https://u:p@api.example/x"))
    reason = reason_of(verdict)
    assert reason.id == "url_has_credentials" and reason.stage == "redirect"


def test_simulate_redirect_to_non_http_fails() -> None:
    reason = reason_of(simulate(request(), _redirecting("ftp://api.example/x")))
    assert reason.id == "url_not_http" and reason.stage == "redirect"


def test_simulate_allows_twenty_redirects_but_not_twenty_one() -> None:
    # F31
    def chain(limit: int) -> Send:
        def send(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
            hop = int(url.rsplit("/", 1)[1])
            if hop < limit:
                return grant(("Location", f"/r/{hop + 1}"), origin="*", status=302)
            return grant(origin="*", status=200)

        return send

    assert simulate(request(url="https://api.example/r/0"), chain(20)).allowed
    reason = reason_of(simulate(request(url="https://api.example/r/0"), chain(21)))
    assert reason.id == "too_many_redirects"


def test_simulate_same_origin_skips_cors() -> None:
    send, calls = recorder(lambda m, u, h: ServerResponse(200, [("X-Secret", "1")]))
    verdict = simulate(request("PUT", [("X-A", "1")], url="https://app.example/x"), send)
    assert verdict.allowed
    assert [c[0] for c in calls] == ["PUT"]
    assert calls[0][2][0] == ("Origin", PAGE)  # non-GET same-origin requests still carry Origin
    assert verdict.readable_headers == ("x-secret",)


def test_simulate_reports_dropped_headers() -> None:
    send, _ = recorder(lambda m, u, h: grant(origin="*", status=200))
    verdict = simulate(request("GET", [("Cookie", "a=b")]), send)
    assert "the browser drops forbidden headers: Cookie" in verdict.steps


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

NAMES = st.sampled_from(
    [
        "Accept",
        "Accept-Language",
        "Content-Language",
        "Content-Type",
        "Range",
        "Authorization",
        "X-Api-Key",
        "x-api-key",
        "X-Trace",
        "Cookie",
        "Sec-Thing",
    ]
)
VALUES = st.one_of(
    st.sampled_from(
        ["text/plain", "application/json", "en-US", "bytes=0-", "bytes=-5", "*/*", "a" * 128]
    ),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=200),
)
METHODS = st.sampled_from(["GET", "get", "POST", "PUT", "patch", "DELETE", "Move", "OPTIONS"])
REQUESTS = st.builds(
    request,
    METHODS,
    st.lists(st.tuples(NAMES, VALUES), max_size=12),
    credentials=st.booleans(),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(REQUESTS)
def test_property_echoing_the_preflight_always_passes(req: BrowserRequest) -> None:
    # F38/F39: a server that echoes exactly what the browser asked for is always accepted.
    need = needs_preflight(req)
    assume(need.error is None)
    asked = dict(preflight_request_headers(req))
    response = ServerResponse(
        204,
        [
            ("Access-Control-Allow-Origin", asked["Origin"]),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", asked["Access-Control-Request-Method"]),
            ("Access-Control-Allow-Headers", asked.get("Access-Control-Request-Headers", "")),
        ],
    )
    result = check_preflight(req, response)
    assert result.ok, result.reason
    actual = ServerResponse(200, response.headers[:2])
    assert check_actual(req, actual).ok


@settings(max_examples=300)
@given(REQUESTS, st.tuples(NAMES, VALUES))
def test_property_acrh_shape_and_monotonicity(req: BrowserRequest, extra: tuple[str, str]) -> None:
    # F4: lower-case, sorted, unique, comma-joined; F10: adding a header never removes the need.
    need = needs_preflight(req)
    assume(need.error is None)
    items = need.access_control_request_headers.split(",") if need.request_headers else []
    assert items == sorted(set(items))
    assert all(item == item.lower() and item and " " not in item for item in items)
    more = needs_preflight(BrowserRequest(req.origin, req.url, req.method, [*req.headers, extra]))
    if more.error is None:
        assert set(need.request_headers) <= set(more.request_headers)
        assert more.needed or not need.needed


CORS_HEADER_NAMES = st.sampled_from(
    [
        "Access-Control-Allow-Origin",
        "access-control-allow-origin",
        "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
        "Access-Control-Expose-Headers",
        "Location",
        "Set-Cookie",
        "",
    ]
)
ODD_VALUES = st.one_of(
    st.sampled_from([PAGE, "*", "null", "true", "True", "PUT", "*, Authorization", "", "/x"]),
    st.text(max_size=40),
)
RESPONSES = st.builds(
    ServerResponse,
    st.integers(min_value=-5, max_value=1200),
    st.lists(st.tuples(CORS_HEADER_NAMES, ODD_VALUES), max_size=10),
)


@settings(max_examples=300)
@given(REQUESTS, RESPONSES)
def test_property_checks_never_raise_and_reasons_are_known(
    req: BrowserRequest, response: ServerResponse
) -> None:
    for result in (check_preflight(req, response), check_actual(req, response)):
        assert result.ok is (result.reason is None)
        if result.reason is not None:
            assert result.reason.id in REASONS


@settings(max_examples=150)
@given(REQUESTS, st.lists(RESPONSES, min_size=1, max_size=5))
def test_property_simulate_never_raises(
    req: BrowserRequest, responses: list[ServerResponse]
) -> None:
    queue = itertools.cycle(responses)

    def send(method: str, url: str, headers: list[tuple[str, str]]) -> ServerResponse:
        return next(queue)

    verdict = simulate(req, send)
    assert verdict.allowed is (verdict.reason is None)
    assert verdict.steps
    if verdict.reason is not None:
        assert verdict.reason.id in REASONS
        assert verdict.steps[-1].endswith(f"blocked ({verdict.reason.id})")
