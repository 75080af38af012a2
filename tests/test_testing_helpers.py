"""``flask_crossorigin.testing``: check / assert_allowed / assert_blocked (issue 12)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, Response, abort, request
from werkzeug.datastructures import Headers

from flask_crossorigin import CORS, testing
from flask_crossorigin.cli import cors_cli
from flask_crossorigin.testing import Verdict, assert_allowed, assert_blocked, check

PAGE = "https://app.test"
EVIL = "https://evil.test"


def make_app() -> Flask:
    app = Flask(__name__)
    CORS(
        app,
        resources={
            r"/api/*": {
                "origins": [PAGE],
                "methods": ["GET", "POST"],
                "allow_headers": ["Content-Type", "X-Token"],
            },
            r"/private/*": {"origins": [PAGE], "supports_credentials": True},
        },
    )

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> Any:
        return {"items": []}, 201

    @app.route("/api/gone")
    def gone() -> Any:
        abort(404)

    @app.route("/private/me")
    def me() -> Any:
        return {"me": 1}

    @app.route("/legacy")
    def legacy() -> Any:
        return "legacy"

    @app.after_request
    def legacy_headers(response: Response) -> Response:
        # Hand-written CORS headers with a literal '*' (the Chromium divergence), on the
        # preflight answer too; no policy covers /legacy.
        if request.path == "/legacy":
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "*"
        return response

    return app


def test_the_module_is_public() -> None:
    import flask_crossorigin

    assert flask_crossorigin.testing is testing
    assert set(testing.__all__) >= {"check", "assert_allowed", "assert_blocked", "Verdict"}
    for name in ("check", "assert_allowed", "assert_blocked", "Verdict"):
        assert ".. versionadded:: 0.2" in (getattr(testing, name).__doc__ or "")


def test_check_allowed_has_status_and_no_reason() -> None:
    verdict = check(make_app(), "/api/items", origin=PAGE)
    assert isinstance(verdict, Verdict)
    assert verdict.allowed
    assert verdict.reason is None
    assert verdict.message == ""
    assert verdict.fix is None
    assert verdict.status == 201
    assert verdict.notes == ()
    assert verdict.policy == "resource '/api/*'"


def test_an_allowed_error_response_keeps_its_status() -> None:
    verdict = check(make_app(), "/api/gone", origin=PAGE)
    assert verdict.allowed and verdict.status == 404


def test_check_blocked_names_the_browser_reason_message_and_a_policy_fix() -> None:
    verdict = check(make_app(), "/api/items", origin=EVIL)
    assert not verdict.allowed
    assert verdict.reason == "acao_missing"
    assert verdict.message.startswith(
        "Access to fetch at 'http://localhost/api/items' from origin 'https://evil.test' has "
        "been blocked by CORS policy"
    )
    assert verdict.fix is not None
    assert verdict.fix.startswith("add 'https://evil.test' to `origins` of resource '/api/*'")
    assert verdict.status is None


def test_the_preflight_is_included() -> None:
    verdict = check(make_app(), "/api/items", origin=PAGE, method="PUT")
    # Our refused preflight is a 403 without Access-Control-Allow-Origin: that is what the
    # browser reports; the fix names the server's actual reason.
    assert verdict.reason == "acao_missing"
    assert verdict.fix is not None and "add 'PUT' to `methods` of resource '/api/*'" in verdict.fix
    assert any(step.startswith("-> OPTIONS") for step in verdict.steps)
    allowed = check(make_app(), "/api/items", origin=PAGE, method="POST", headers={"X-Token": "t"})
    assert allowed.allowed and allowed.status == 201


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Other": "1"},
        [("X-Other", "1")],
        [["X-Other", "1"]],
        Headers([("X-Other", "1")]),
    ],
    ids=["dict", "pairs", "lists", "werkzeug-headers"],
)
def test_headers_as_a_mapping_or_pairs(headers: Any) -> None:
    verdict = check(make_app(), "/api/items", origin=PAGE, method="POST", headers=headers)
    assert verdict.reason == "acao_missing"
    assert verdict.fix is not None and "'x-other'" in verdict.fix


def test_repeated_header_pairs_are_kept() -> None:
    headers = Headers([("X-Token", "a"), ("X-Token", "b")])
    verdict = check(make_app(), "/api/items", origin=PAGE, method="POST", headers=headers)
    assert verdict.allowed


def test_bad_headers_argument_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="headers must be a mapping or a list of"):
        check(make_app(), "/api/items", origin=PAGE, headers=["X-Token: a"])  # type: ignore[list-item]


def test_a_flask_client_is_accepted() -> None:
    client = make_app().test_client()
    assert check(client, "/api/items", origin=PAGE).allowed
    assert check(client, "/api/items", origin=EVIL).reason == "acao_missing"


def test_credentials() -> None:
    app = make_app()
    assert check(app, "/private/me", origin=PAGE, credentials=True).allowed
    verdict = check(app, "/api/items", origin=PAGE, credentials=True)
    assert verdict.reason == "acac_missing"
    assert verdict.fix is not None and "supports_credentials=True" in verdict.fix


def test_a_request_the_page_cannot_send_has_no_server_fix() -> None:
    verdict = check(make_app(), "/api/items", origin=PAGE, method="TRACE")
    assert verdict.reason == "forbidden_method"
    assert verdict.fix is None
    assert verdict.message


def test_engines_that_depart_are_named_and_the_standard_verdict_stays() -> None:
    # A literal '*' in Access-Control-Allow-Headers: the standard blocks Authorization (F16),
    # every engine lets it through without credentials (class A). The verdict stands for all
    # engines, so it is blocked (not allowed in every engine), and each engine says why.
    app = make_app()
    verdict = check(app, "/legacy", origin=PAGE, headers={"Authorization": "Bearer t"})
    assert not verdict.allowed
    assert verdict.reason == "authorization_not_covered_by_wildcard"
    assert not verdict.agree
    assert not verdict.engines["spec"].allowed and verdict.engines["spec"].departures == ()
    for name in ("chromium", "firefox", "webkit"):
        (why,) = verdict.engines[name].departures
        assert verdict.engines[name].allowed and why.startswith("class A, departs from F16")
    assert [note.split(":")[0] for note in verdict.notes] == ["chromium", "firefox", "webkit"]
    assert "chromium: ALLOWED (class A" in verdict.describe()
    # With credentials, every engine treats '*' as literal too: they agree, and no note.
    credentialed = check(
        app, "/legacy", origin=PAGE, headers={"Authorization": "t"}, credentials=True
    )
    assert credentialed.agree and credentialed.notes == ()
    # One engine at a time: the standard alone, as the check was before it knew engines.
    alone = check(app, "/legacy", origin=PAGE, headers={"Authorization": "t"}, engine="spec")
    assert alone.reason == "authorization_not_covered_by_wildcard" and alone.notes == ()
    assert list(alone.engines) == ["spec"]
    firefox = check(app, "/legacy", origin=PAGE, headers={"Authorization": "t"}, engine="firefox")
    assert firefox.allowed and list(firefox.engines) == ["firefox"]
    assert "firefox: class A, departs from F16" in "".join(
        firefox.notes
    )


def test_cli_shares_the_implementation() -> None:
    app = make_app()
    for path, method, headers in (
        ("/api/items", "GET", []),
        ("/api/items", "PUT", []),
        ("/legacy", "GET", [("Authorization", "Bearer t")]),
    ):
        args = ["check", "--origin", EVIL if path == "/api/items" else PAGE, "--json"]
        args += ["--method", method]
        for name, value in headers:
            args += ["--header", f"{name}: {value}"]
        result = app.test_cli_runner().invoke(cors_cli, [*args, path])
        shown = json.loads(result.output)
        origin = EVIL if path == "/api/items" else PAGE
        verdict = check(app, path, origin=origin, method=method, headers=headers)
        assert (verdict.allowed, verdict.reason, verdict.message, verdict.fix) == (
            shown["allowed"],
            shown["reason"],
            shown["message"],
            shown["fix"],
        )
        assert list(verdict.notes) == shown["notes"]
        assert list(verdict.steps) == shown["steps"]


def test_cli_text_names_the_differing_engines_before_the_fix() -> None:
    app = make_app()
    args = ["check", "--origin", PAGE, "--header", "Authorization: Bearer t", "/legacy"]
    result = app.test_cli_runner().invoke(cors_cli, args)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    block = lines.index("engines differ:")
    assert lines[block + 1] == "  spec: BLOCKED: authorization_not_covered_by_wildcard"
    assert lines[block + 2].startswith("  chromium, firefox, webkit: ALLOWED (class A, ")
    assert lines[block + 3].startswith("fix: ")
    assert lines[-1].startswith("BLOCKED: authorization_not_covered_by_wildcard:")


# -- assert_allowed ------------------------------------------------------------------------------


def test_assert_allowed_passes_and_returns_the_verdict() -> None:
    verdict = assert_allowed(make_app(), "/api/items", origin=PAGE, method="POST")
    assert verdict.allowed and verdict.status == 201


def test_assert_allowed_fails_with_reason_message_and_fix() -> None:
    with pytest.raises(AssertionError) as raised:
        assert_allowed(make_app(), "/api/items", origin=EVIL)
    text = str(raised.value)
    verdict = check(make_app(), "/api/items", origin=EVIL)
    assert verdict.reason is not None and verdict.fix is not None
    assert verdict.reason in text
    assert verdict.message in text
    assert verdict.fix in text
    assert text.startswith(
        "fetch('/api/items', {method: 'GET'}) from https://evil.test is blocked."
    )


# -- assert_blocked ------------------------------------------------------------------------------


def test_assert_blocked_passes_with_and_without_reason() -> None:
    app = make_app()
    assert assert_blocked(app, "/api/items", origin=EVIL).reason == "acao_missing"
    verdict = assert_blocked(app, "/api/items", origin=EVIL, reason="acao_missing")
    assert not verdict.allowed


def test_assert_blocked_fails_when_allowed() -> None:
    with pytest.raises(AssertionError, match="is allowed, expected it to be blocked"):
        assert_blocked(make_app(), "/api/items", origin=PAGE)
    with pytest.raises(AssertionError, match=r"blocked \(browser reason acao_missing\)"):
        assert_blocked(make_app(), "/api/items", origin=PAGE, reason="acao_missing")
    with pytest.raises(AssertionError, match=r"blocked \(server reason origin_not_allowed\)"):
        assert_blocked(make_app(), "/api/items", origin=PAGE, reason="origin_not_allowed")


def test_assert_blocked_fails_when_the_reason_differs() -> None:
    with pytest.raises(AssertionError) as raised:
        assert_blocked(
            make_app(), "/api/items", origin=PAGE, credentials=True, reason="acao_missing"
        )
    text = str(raised.value)
    assert (
        "is blocked for browser reason acac_missing, with no server reason (the app's policy did "
        "not refuse it, or no policy covers it); expected browser reason acao_missing" in text
    )
    assert "fix: set supports_credentials=True on resource '/api/*'" in text


def test_assert_blocked_refuses_an_unknown_reason_id() -> None:
    with pytest.raises(ValueError, match="Did you mean 'acao_missing'"):
        assert_blocked(make_app(), "/api/items", origin=EVIL, reason="acao_misisng")
    # Nothing close: the hint is a command that works from an installed package.
    with pytest.raises(ValueError, match=r"Run 'flask cors explain --list' for the ids\.$"):
        assert_blocked(make_app(), "/api/items", origin=EVIL, reason="zzz")


def test_docs_testing_page_shows_a_real_assertion_message() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "testing.md").read_text(encoding="utf-8")
    block = text.split("<!-- assertion-example:", 1)[1].split("```text\n", 1)[1]
    expected = block.split("```", 1)[0].rstrip("\n").splitlines()
    spa = "https://app.example.com"
    app = Flask("myapp")
    CORS(app, resources={r"/api/*": {"origins": [spa], "allow_headers": ["Content-Type"]}})

    @app.route("/api/items", methods=["GET", "POST"])
    def items() -> Any:
        return {"items": []}

    headers = {"Content-Type": "application/json", "Authorization": "Bearer test"}
    with pytest.raises(AssertionError) as raised:
        assert_allowed(app, "/api/items", origin=spa, method="POST", headers=headers)
    assert f"AssertionError: {raised.value}".splitlines() == expected


def test_a_credentialed_header_named_star_is_not_fixed_by_allow_headers() -> None:
    """'*' is never a wildcard with credentials (F18): the fix is the page's, not the config's."""
    from flask import Flask

    from flask_crossorigin import CORS
    from flask_crossorigin.testing import check

    app = Flask(__name__)
    CORS(app, origins=["https://app.example.com"], supports_credentials=True, allow_headers="*")

    @app.post("/api")
    def api() -> str:
        return "ok"

    verdict = check(
        app,
        "/api",
        origin="https://app.example.com",
        method="POST",
        headers={"*": "1"},
        credentials=True,
    )
    assert not verdict.allowed
    text = verdict.describe()
    assert "literally named '*'" in text and "add '*' to `allow_headers`" not in text


# -- server reasons (migration issue item 5) ---------------------------------------------------


def test_the_verdict_has_the_server_reason() -> None:
    app = make_app()
    assert check(app, "/api/items", origin=EVIL).server_reason == "origin_not_allowed"
    # A refused preflight: the browser sees acao_missing, the server refused the method.
    put = check(app, "/api/items", origin=PAGE, method="PUT")
    assert (put.reason, put.server_reason) == ("acao_missing", "method_not_allowed")
    header = check(app, "/api/items", origin=PAGE, method="POST", headers={"X-Other": "1"})
    assert header.server_reason == "header_not_allowed"
    # Allowed, refused only by the browser, not sent at all, or not covered: no server reason.
    assert check(app, "/api/items", origin=PAGE).server_reason is None
    assert check(app, "/api/items", origin=PAGE, credentials=True).server_reason is None
    assert check(app, "/api/items", origin=PAGE, method="TRACE").server_reason is None
    assert check(app, "/legacy", origin=PAGE, headers={"Authorization": "t"}).server_reason is None


def test_the_server_reason_is_in_the_assertion_text() -> None:
    with pytest.raises(AssertionError) as raised:
        assert_allowed(make_app(), "/api/items", origin=EVIL)
    assert "\nserver reason: origin_not_allowed\n" in str(raised.value)


def test_assert_blocked_takes_a_server_reason() -> None:
    app = make_app()
    verdict = assert_blocked(app, "/api/items", origin=EVIL, reason="origin_not_allowed")
    assert (verdict.reason, verdict.server_reason) == ("acao_missing", "origin_not_allowed")
    assert_blocked(app, "/api/items", origin=PAGE, method="PUT", reason="method_not_allowed")
    assert_blocked(
        app,
        "/api/items",
        origin=PAGE,
        method="POST",
        headers={"X-Other": "1"},
        reason="header_not_allowed",
    )


def test_assert_blocked_names_the_side_it_compared() -> None:
    app = make_app()
    with pytest.raises(AssertionError) as raised:
        assert_blocked(app, "/api/items", origin=EVIL, reason="origin_null_not_allowed")
    first = str(raised.value).splitlines()[0]
    assert first == (
        "fetch('/api/items', {method: 'GET'}) from https://evil.test is blocked for browser "
        "reason acao_missing, with server reason origin_not_allowed; expected server reason "
        "origin_null_not_allowed."
    )
    with pytest.raises(AssertionError, match="expected browser reason acac_missing"):
        assert_blocked(app, "/api/items", origin=EVIL, reason="acac_missing")


def test_ids_of_both_vocabularies_match_on_either_side() -> None:
    """method_not_allowed is a browser reason (ACAM lacks it) and a server one (the policy
    refused it): either side matching passes, and a failure says both were compared."""
    app = make_app()
    # Server side: our refused preflight is acao_missing to the browser.
    assert_blocked(app, "/api/items", origin=PAGE, method="PUT", reason="method_not_allowed")

    # Browser side: a hand-written preflight answer without the method; no policy covers it.
    legacy = Flask(__name__)

    @legacy.route("/old", methods=["GET", "PUT", "OPTIONS"])
    def old() -> Any:
        return (
            "",
            200,
            {
                "Access-Control-Allow-Origin": PAGE,
                "Access-Control-Allow-Methods": "GET",
            },
        )

    verdict = assert_blocked(legacy, "/old", origin=PAGE, method="PUT", reason="method_not_allowed")
    assert (verdict.reason, verdict.server_reason) == ("method_not_allowed", None)
    with pytest.raises(
        AssertionError, match="expected browser or server reason header_not_allowed"
    ):
        assert_blocked(app, "/api/items", origin=EVIL, reason="header_not_allowed")


def test_unknown_reason_suggests_from_both_vocabularies() -> None:
    with pytest.raises(ValueError, match="Did you mean 'origin_not_allowed'"):
        assert_blocked(make_app(), "/api/items", origin=EVIL, reason="origin_not_alowed")
    # 'allowed' and 'no_origin' are values of the server's Reason but not refusals.
    for name in ("allowed", "no_origin"):
        with pytest.raises(ValueError, match="not a reason id"):
            assert_blocked(make_app(), "/api/items", origin=EVIL, reason=name)


def test_the_reason_vocabularies() -> None:
    from flask_crossorigin.browser import REASONS
    from flask_crossorigin.policy import Reason

    assert set(REASONS) == testing.BROWSER_REASONS
    assert {r.value for r in Reason} - {"allowed", "no_origin"} == testing.SERVER_REASONS
    assert {
        "method_not_allowed",
        "header_not_allowed",
    } == testing.BROWSER_REASONS & testing.SERVER_REASONS


# -- readable headers (migration issue item 5) -------------------------------------------------


def exposing_app() -> Flask:
    app = Flask(__name__)
    CORS(
        app,
        resources={
            r"/exposed/*": {"origins": [PAGE], "expose_headers": ["X-Total-Count"]},
            r"/plain/*": {"origins": [PAGE]},
            r"/all/*": {"origins": [PAGE], "expose_headers": "*"},
        },
    )

    def listing() -> Any:
        return {"items": []}, 200, {"X-Total-Count": "3", "X-Other": "1", "Set-Cookie": "a=b"}

    for prefix in ("exposed", "plain", "all"):
        app.add_url_rule(f"/{prefix}/items", f"{prefix}_items", listing)

    @app.route("/handmade")
    def handmade() -> Any:
        # No policy covers it: another library's credentialed answer exposing '*'.
        return (
            listing()[0],
            200,
            {
                "X-Total-Count": "3",
                "Access-Control-Allow-Origin": PAGE,
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Expose-Headers": "*",
            },
        )

    return app


def test_an_exposed_header_is_readable() -> None:
    verdict = assert_allowed(exposing_app(), "/exposed/items", origin=PAGE)
    assert verdict.readable_headers == ("content-length", "content-type", "x-total-count")
    assert "x-total-count" in verdict.readable_headers
    assert "X-Total-Count" in verdict.readable_headers  # names compare case-insensitively
    assert "x-other" not in verdict.readable_headers
    assert "set-cookie" not in verdict.readable_headers


def test_without_expose_headers_only_safelisted_headers_are_readable() -> None:
    verdict = assert_allowed(exposing_app(), "/plain/items", origin=PAGE)
    assert "x-total-count" not in verdict.readable_headers
    assert verdict.readable_headers == ("content-length", "content-type")


def test_expose_star_exposes_everything_but_set_cookie_without_credentials() -> None:
    app = exposing_app()
    everything = assert_allowed(app, "/all/items", origin=PAGE)
    assert {"x-total-count", "x-other"} <= set(everything.readable_headers)
    assert "set-cookie" not in everything.readable_headers
    # With credentials '*' is a header name, not a wildcard (F18, F24).
    credentialed = assert_allowed(app, "/handmade", origin=PAGE, credentials=True)
    assert "x-total-count" not in credentialed.readable_headers
    assert "x-total-count" in assert_allowed(app, "/handmade", origin=PAGE).readable_headers


def test_a_blocked_call_has_no_readable_headers() -> None:
    verdict = check(exposing_app(), "/exposed/items", origin=EVIL)
    assert verdict.readable_headers == ()
    assert "content-type" not in verdict.readable_headers


def test_header_names_are_a_tuple_that_ignores_case_in_membership() -> None:
    names = testing.HeaderNames(("x-total-count",))
    assert names == ("x-total-count",)
    assert "X-TOTAL-COUNT" in names and "x-total-count" in names
    assert 1 not in names  # type: ignore[comparison-overlap]


# -- a request body ------------------------------------------------------------------------------


def test_a_json_body_reaches_the_view() -> None:
    app = Flask(__name__)
    CORS(app, origins=[PAGE])

    @app.post("/api/items")
    def create() -> Any:
        return {"created": request.get_json()}, 201

    json_type = {"Content-Type": "application/json"}
    sent = check(app, "/api/items", origin=PAGE, method="POST", headers=json_type, body='{"a": 1}')
    assert sent.allowed and sent.status == 201
    empty = check(app, "/api/items", origin=PAGE, method="POST", headers=json_type)
    assert empty.allowed and empty.status == 400
    # A GET cannot have a body: fetch() throws before sending anything.
    assert check(app, "/api/items", origin=PAGE, body="x").reason == "body_not_allowed"


def test_a_body_has_the_type_fetch_gives_it() -> None:
    app = Flask(__name__)
    CORS(app, origins=[PAGE])

    @app.post("/echo")
    def echo() -> Any:
        return {"type": request.content_type, "body": request.get_data(as_text=True)}

    # A string is text/plain (safelisted: no preflight); bytes have no type.
    text = check(app, "/echo", origin=PAGE, method="POST", body="hi")
    assert text.allowed and not any(step.startswith("-> OPTIONS") for step in text.steps)
    raw = check(app, "/echo", origin=PAGE, method="POST", body=b"\x00\x01")
    assert raw.allowed and not any(step.startswith("-> OPTIONS") for step in raw.steps)
