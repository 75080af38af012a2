"""Flask apps served by real servers in the server tests, and the oracle that judges their answers.

Run as a script to serve one app with waitress (the tests start it as a subprocess)::

    python xo_apps.py --app shared --port 8123 --threads 4

gunicorn loads the same apps with ``xo_apps:create_app("concurrency")``.

Every policy below is described twice: once as flask-crossorigin options (what the server does)
and once as a plain predicate on the request's origin (what the tests expect). The predicates are
written independently of the library on purpose: the tests judge each response by what the
request deserves, not by what the library happens to compute.
"""

from __future__ import annotations

import argparse
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, request

# --- origins -----------------------------------------------------------------------------------

A = "https://a.list.test"
B = "https://b.list.test"
C = "https://c.list.test"
CRED = "https://cred.test"
BP = "https://bp.test"
EVIL = "https://evil.test"

GLOB_RE = re.compile(r"https://(?:[a-z0-9-]+\.)+glob\.test")
REGEX = re.compile(r"https://app-[0-9]+\.regex\.test")


def callable_policy(origin: str) -> bool:
    """The app's own allow-list callable (F13: called only with browser-serialized origins)."""
    return origin.startswith("https://") and origin.endswith(".callable.test")


#: flask-cors's default ``methods``, which flask-crossorigin keeps.
DEFAULT_METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Policy:
    """What the tests expect from one resource: who is allowed, and with which grants.

    Listed origins match ignoring case and are echoed as sent, as in flask-cors (drop-in issue);
    globs, regexes and callables see the lower-cased origin.
    """

    name: str
    prefix: str
    allows: Callable[[str], bool]
    methods: frozenset[str] = DEFAULT_METHODS
    #: Lower-case request-header names a preflight may ask for; ``None`` means any.
    headers: frozenset[str] | None = None
    credentials: bool = False
    #: ``origins="*"``: any origin; like flask-cors (always_send), a request without ``Origin``
    #: may then be answered ``Access-Control-Allow-Origin: *``, a grant meant for everybody.
    any_origin: bool = False
    #: ``send_wildcard=True``: allowed origins get ``*`` instead of their own origin (F33).
    wildcard: bool = False
    #: False for paths that no CORS policy covers: no CORS header at all is expected there.
    covered: bool = True


LIST_METHODS = frozenset({"GET", "POST", "PUT"})
LIST_HEADERS = frozenset({"content-type", "x-token"})

CONCURRENCY_POLICIES = (
    Policy(
        "list",
        "/list/",
        lambda o: o.lower() in {A, B, C},
        methods=LIST_METHODS,
        headers=LIST_HEADERS,
    ),
    Policy("glob", "/glob/", lambda o: GLOB_RE.fullmatch(o) is not None),
    Policy("regex", "/regex/", lambda o: REGEX.fullmatch(o) is not None),
    Policy("callable", "/callable/", callable_policy),
    Policy("cred", "/cred/", lambda o: o.lower() in {A, CRED}, credentials=True),
    Policy("bp", "/bp/", lambda o: o.lower() == BP),
    Policy("plain", "/plain/", lambda o: False, covered=False),
)

SHARED_POLICIES = (
    Policy("restricted", "/restricted/", lambda o: o.lower() in {A, B}),
    Policy("echo", "/echo/", lambda o: True, any_origin=True),
    Policy("wildcard", "/wildcard/", lambda o: True, any_origin=True, wildcard=True),
    Policy("shared-cred", "/shared-cred/", lambda o: o.lower() in {A, B}, credentials=True),
)

CACHEABLE = "public, max-age=60"


# --- the apps ----------------------------------------------------------------------------------


def _echo_view(path: str) -> Response:
    """Echo the request id so the client can tell its own response from anybody else's."""
    resp = Response(f"{request.method} {request.path}\n", mimetype="text/plain")
    resp.headers["X-Echo-Id"] = request.headers.get("X-Req-Id", "-")
    resp.headers["X-Served-By"] = f"{os.getpid()}/{threading.get_ident()}"
    return resp


def _cacheable_view(path: str) -> Response:
    resp = _echo_view(path)
    resp.headers["Cache-Control"] = CACHEABLE
    return resp


def create_app(kind: str) -> Flask:
    """Build the app named *kind*: ``"concurrency"`` or ``"shared"``."""
    if kind == "concurrency":
        return _concurrency_app()
    if kind == "shared":
        return _shared_app()
    raise ValueError(f"unknown app {kind!r}")


def _concurrency_app() -> Flask:
    from flask_crossorigin import CORS

    app = Flask("xo_concurrency")
    methods = ["GET", "POST", "PUT"]
    for prefix in ("list", "glob", "regex", "callable", "cred", "plain"):
        app.add_url_rule(
            f"/{prefix}/<path:path>", f"{prefix}_view", _echo_view, methods=[*methods, "DELETE"]
        )
    CORS(
        app,
        resources={
            "/list/*": {
                "origins": [A, B, C],
                "methods": methods,
                "allow_headers": ["Content-Type", "X-Token"],
                "expose_headers": ["X-Echo-Id"],
                "max_age": 600,
            },
            "/glob/*": {"origins": "https://*.glob.test"},
            "/regex/*": {"origins": [REGEX]},
            "/callable/*": {"origins": callable_policy},
            "/cred/*": {"origins": [A, CRED], "supports_credentials": True},
        },
    )
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/<path:path>", "bp_view", _echo_view, methods=[*methods, "DELETE"])
    CORS(bp, origins=[BP])
    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    return app


def _shared_app() -> Flask:
    from flask_crossorigin import CORS

    app = Flask("xo_shared")
    for prefix in ("restricted", "echo", "wildcard", "shared-cred"):
        app.add_url_rule(f"/{prefix}/<path:path>", f"{prefix}_view", _cacheable_view)
    CORS(
        app,
        resources={
            "/restricted/*": {"origins": [A, B]},
            "/echo/*": {"origins": "*"},
            "/wildcard/*": {"origins": "*", "send_wildcard": True},
            "/shared-cred/*": {"origins": [A, B], "supports_credentials": True},
        },
    )
    # Negative control, deliberately NOT using flask-crossorigin: echoes the Origin by hand and
    # forgets `Vary: Origin`. The shared-cache test shows nginx then hands one origin's grant to
    # another, which proves the harness can see the failure the library must prevent (F32).
    app.add_url_rule("/broken/<path:path>", "broken_view", _broken_view)
    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    return app


def _broken_view(path: str) -> Response:
    resp = _cacheable_view(path)
    origin = request.headers.get("Origin")
    if origin in {A, B}:
        resp.headers["Access-Control-Allow-Origin"] = origin
    return resp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    from waitress import serve

    serve(
        create_app(args.app),
        host="127.0.0.1",
        port=args.port,
        threads=args.threads,
        connection_limit=200,
        ident="xo-test",
    )


if __name__ == "__main__":
    main()
