"""Security issue item 1: a path with dot segments never borrows another subtree's policy.

Flask routes the path as the server decoded it (``..`` left in), while the resource table used to
match the path with ``.`` and ``..`` resolved: ``/admin/files/x%2F..%2F..%2F..%2Fapi/y`` is served
by ``/admin/files/<path:name>`` but got the ``/api/*`` policy. The opposite direction is
flask-cors's CVE-2020-25032 (a view such as ``send_from_directory`` resolves ``..`` itself). When
the two readings select different resource policies the request is granted nothing
(``path_ambiguous``), preflight or actual; when they agree nothing changes; policies found by
endpoint (``@cross_origin``, blueprints) are unaffected. Rule ids refer to docs/fetch-rules.md.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask

from flask_crossorigin import CORS, cors_refused, cross_origin
from flask_crossorigin.testing import check

TRUSTED = "https://app.example"
ADMIN = "https://admin.example"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"

RESOURCES = {
    r"/api/*": {"origins": [TRUSTED], "supports_credentials": True},
    r"/admin/*": {"origins": [ADMIN]},
}

#: Into /admin/files/<path:name>, resolving to /api/y: spelt with %2F, %2e%2e and mixed forms.
INTO_ADMIN = [
    "/admin/files/x%2F..%2F..%2F..%2Fapi/y",
    "/admin/files/x%2F%2e%2e%2F%2e%2e%2F%2e%2e%2Fapi/y",
    "/admin/files/x%2F.%2e%2F%2E.%2F..%2Fapi/y",
    "/admin/files/x/%2e%2e/%2e%2e/%2e%2e/api/y",
    "/admin/files/./x%2F..%2F..%2F..%2Fapi/y",
]
#: Into /api/<path:rest>, resolving to /admin/...: the CVE-2020-25032 direction.
INTO_API = [
    "/api/..%2Fadmin/files/z",
    "/api/%2e%2e/admin/files/z",
    "/api/.%2E%2Fadmin/files/z",
]


def _app(**cors: Any) -> Flask:
    app = Flask(__name__)
    app.testing = True

    @app.route("/admin/files/<path:name>", methods=["GET", "PUT"])
    def files(name: str) -> str:
        return f"admin file {name}"

    @app.route("/api/<path:rest>", methods=["GET", "PUT"])
    def api(rest: str) -> str:
        return f"api {rest}"

    CORS(app, resources=RESOURCES, **cors)
    return app


def _preflight(client: Any, path: str, origin: str) -> Any:
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "PUT"})


@pytest.mark.parametrize("path", INTO_ADMIN)
def test_item_1_an_admin_view_never_borrows_the_api_policy(path: str) -> None:
    """Security issue item 1: served by the admin view, resolving into /api/*: no grant."""
    client = _app().test_client()
    response = client.get(path, headers={"Origin": TRUSTED})
    assert response.status_code == 200
    assert response.data.startswith(b"admin file")  # Flask routed it, '..' left in
    assert ACAO not in response.headers
    assert ACAC not in response.headers
    assert "Origin" in response.headers.get("Vary", "")
    refused = _preflight(client, path, TRUSTED)
    assert refused.status_code == 403
    assert ACAO not in refused.headers
    # The admin origin is not granted either: the two readings disagree, so nothing is.
    assert ACAO not in client.get(path, headers={"Origin": ADMIN}).headers
    assert _preflight(client, path, ADMIN).status_code == 403


@pytest.mark.parametrize("path", INTO_API)
def test_item_1_the_cve_direction_is_refused_too(path: str) -> None:
    """Security issue item 1, the CVE-2020-25032 direction: served under /api/*, resolving into
    /admin/*: neither policy grants."""
    client = _app().test_client()
    for origin in (TRUSTED, ADMIN):
        response = client.get(path, headers={"Origin": origin})
        assert response.data.startswith(b"api")
        assert ACAO not in response.headers
        assert _preflight(client, path, origin).status_code == 403


@pytest.mark.parametrize(
    "path",
    ["/api/a/../b", "/api/./b", "/api/a%2F..%2Fb", "/admin/files/a/./b", "/admin/files/a/../b"],
)
def test_item_1_when_both_readings_agree_nothing_changes(path: str) -> None:
    """Security issue item 1: dot segments that stay inside one policy are granted as before."""
    client = _app().test_client()
    origin = TRUSTED if path.startswith("/api") else ADMIN
    response = client.get(path, headers={"Origin": origin})
    assert response.headers[ACAO] == origin
    assert _preflight(client, path, origin).status_code == 204


def test_item_1_a_path_outside_every_resource_that_resolves_inside_one() -> None:
    """Security issue item 1: an unrouted path whose resolved reading is /api/*: no grant."""
    client = _app().test_client()
    response = client.get("/public/..%2Fapi/y", headers={"Origin": TRUSTED})
    assert ACAO not in response.headers
    assert _preflight(client, "/public/..%2Fapi/y", TRUSTED).status_code == 403


def test_item_1_the_refusal_is_reported_with_its_own_reason() -> None:
    """Security issue item 1: a documented server reason id, reported like other refusals."""
    app = _app()
    seen: list[dict[str, Any]] = []

    def receiver(sender: Flask, **kwargs: Any) -> None:
        seen.append(kwargs)

    cors_refused.connect(receiver, sender=app, weak=False)
    try:
        app.test_client().get(INTO_ADMIN[0], headers={"Origin": TRUSTED})
        _preflight(app.test_client(), INTO_ADMIN[0], TRUSTED)
    finally:
        cors_refused.disconnect(receiver, sender=app)
    assert [item["reason"] for item in seen] == ["path_ambiguous", "path_ambiguous"]
    assert "ambiguous path" in seen[0]["policy"]
    assert "resource '/api/*'" in seen[0]["policy"]


def test_item_1_the_debug_header_and_flask_cors_check_explain_it() -> None:
    """Security issue item 1: ``flask cors check`` (the same diagnosis) names the reason and
    says what to do."""
    app = _app(debug=True)
    response = app.test_client().get(INTO_ADMIN[0], headers={"Origin": TRUSTED})
    assert response.headers["X-CORS-Refusal"].startswith("path_ambiguous")
    verdict = check(app, INTO_ADMIN[0], origin=TRUSTED)
    assert not verdict.allowed
    assert verdict.fix is not None
    assert "dot segments" in verdict.fix


def test_item_1_the_report_only_table_fails_closed_too() -> None:
    """Security issue item 1, report-only path: an ambiguous path is reported as refused."""
    app = Flask(__name__)

    @app.route("/admin/files/<path:name>")
    def files(name: str) -> str:
        return name

    CORS(app, report_only=True, resources=RESOURCES)
    seen: list[tuple[str, bool]] = []

    def receiver(sender: Flask, **kwargs: Any) -> None:
        seen.append((kwargs["reason"], kwargs["report_only"]))

    cors_refused.connect(receiver, sender=app, weak=False)
    try:
        response = app.test_client().get(INTO_ADMIN[0], headers={"Origin": TRUSTED})
    finally:
        cors_refused.disconnect(receiver, sender=app)
    assert ACAO not in response.headers  # report-only never writes headers
    assert seen == [("path_ambiguous", True)]


def _endpoint_app(kind: str) -> Flask:
    app = Flask(__name__)
    app.testing = True
    if kind == "blueprint":
        bp = Blueprint("files", __name__, url_prefix="/admin/files")

        @bp.route("/<path:name>", methods=["GET", "PUT"])
        def files(name: str) -> str:
            return f"admin file {name}"

        CORS(bp, origins=[ADMIN])
        app.register_blueprint(bp)
    else:

        @app.route("/admin/files/<path:name>", methods=["GET", "PUT"])
        @cross_origin(origins=[ADMIN])
        def files(name: str) -> str:
            return f"admin file {name}"

    if kind in ("blueprint", "decorator-with-CORS(app)"):
        CORS(app, resources=RESOURCES)
    return app


@pytest.mark.parametrize("kind", ["decorator-alone", "decorator-with-CORS(app)", "blueprint"])
def test_item_1_policies_found_by_endpoint_are_unaffected(kind: str) -> None:
    """Security issue item 1: a decorated view's or a blueprint's policy is the endpoint's
    whatever the path's dot segments, so it keeps answering, and the /api/* policy never applies.
    """
    client = _endpoint_app(kind).test_client()
    path = INTO_ADMIN[0]
    response = client.get(path, headers={"Origin": ADMIN})
    assert response.headers[ACAO] == ADMIN
    assert ACAO not in client.get(path, headers={"Origin": TRUSTED}).headers
    assert _preflight(client, path, ADMIN).status_code in (200, 204)
