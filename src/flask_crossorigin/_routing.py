"""Routing a request the way Flask will, before Flask does: for preflights and for the tools.

A preflight is answered before Flask builds a request, with the policy of the view that will
serve the *actual* request, so its path is routed with ``Access-Control-Request-Method`` through
Flask's own URL adapter (``app.create_url_adapter``: host matching and trusted hosts included).
A routing 405 still finds the endpoint the path matched; a 404 or a trailing-slash redirect finds
none. Answers are memoised in a :class:`~._memo.Memo` the caller owns (the app's plan), bounded
in entries and in bytes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import MapAdapter
from werkzeug.routing.exceptions import RoutingException

from ._memo import HOST_LIMIT, METHOD_LIMIT, PATH_LIMIT, Memo

#: Requested methods longer than this are routed as :data:`_OVERLONG_METHOD`: not a token, so no
#: route declares it, and the answer is the same (a 405, then the endpoint the path matched).
#: Werkzeug then never copies the long value into its exception's frames, which would keep it
#: alive until the next garbage collection (security issue item 2).
_ROUTE_METHOD_LIMIT = 256
_OVERLONG_METHOD = "<overlong method>"


def endpoint_for(
    app: Flask, environ: dict[str, Any], method: str, memo: Memo[tuple[str, ...], str | None]
) -> str | None:
    """The endpoint Flask would route *environ* to under *method*, memoised in *memo*."""
    path_info = environ.get("PATH_INFO") or ""
    host = ""
    if app.url_map.host_matching or app.subdomain_matching:
        host = environ.get("HTTP_HOST") or ""
    key = (path_info, method, host)
    try:
        return memo[key]
    except KeyError:
        pass
    endpoint: str | None = None
    adapter = url_adapter(app, environ)
    if adapter is not None:
        routed = method if len(method) <= _ROUTE_METHOD_LIMIT else _OVERLONG_METHOD
        try:
            rule, _ = adapter.match(method=routed, return_rule=True)
            endpoint = str(rule.endpoint)
        except MethodNotAllowed as exc:
            endpoint = endpoint_under_other_method(app, environ, exc, adapter)
        except (HTTPException, RoutingException):
            endpoint = None
    memo.keep(
        key,
        endpoint,
        (len(path_info), PATH_LIMIT),
        (len(method), METHOD_LIMIT),
        (len(host), HOST_LIMIT),
    )
    return endpoint


def url_adapter(app: Flask, environ: dict[str, Any]) -> MapAdapter | None:
    """Flask's own URL adapter for *environ*, or ``None`` where Flask would refuse the request."""
    request_class = app.request_class
    try:
        try:  # not registered in the environ, and never reading the body
            probe = request_class(environ, populate_request=False, shallow=True)
        except TypeError:  # an app's own request class with a narrower signature
            probe = request_class(environ)
        return app.create_url_adapter(probe)
    except HTTPException:  # e.g. an untrusted Host: Flask would refuse the request too
        return None


def endpoint_under_other_method(
    app: Flask, environ: dict[str, Any], exc: MethodNotAllowed, adapter: MapAdapter | None = None
) -> str | None:
    """After a routing 405: the endpoint the path matched under a method it allows."""
    if not exc.valid_methods:
        return None
    adapter = adapter or url_adapter(app, environ)
    if adapter is None:
        return None
    try:
        rule, _ = adapter.match(method=next(iter(exc.valid_methods)), return_rule=True)
    except (HTTPException, RoutingException):
        return None
    return str(rule.endpoint)


def blueprints_of(endpoint: str | None) -> list[str]:
    """The blueprints an endpoint belongs to, innermost first, as ``request.blueprints``."""
    if endpoint is None:
        return []
    parts = endpoint.split(".")[:-1]
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def wsgi_path(raw: str) -> str | None:
    """``request.path`` as Werkzeug derives it from ``PATH_INFO``; ``None`` if it cannot."""
    try:
        return "/" + raw.encode("latin1").decode(errors="replace").lstrip("/")
    except (UnicodeError, AttributeError):
        return None
