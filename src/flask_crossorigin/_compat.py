"""The private Flask names still worth reading for speed, each with a public fallback.

This is the only module of the package that may touch a private Flask or Werkzeug name
(``tests/test_compat.py`` enforces it, and runs every function here both ways). Nothing here
changes Flask's behaviour: it only *reads* where Flask keeps the current request.

* :func:`current_request` runs on every response, as the response starts. Going through the
  public ``flask.request`` proxy costs several Python-level calls; the context variable behind
  it is one C call. Flask 2.3 to 3.1 keep the request context in ``flask.globals._cv_request``;
  Flask 3.2 merged it into the app context, ``flask.globals._cv_app``. Either way the public
  fallback (``has_request_context`` and the ``request`` proxy) gives the same answer.
"""

from __future__ import annotations

from typing import Any, Callable, cast

from flask import Flask, Request, current_app, has_request_context, request


def _public_current_request(app: Flask) -> Request | None:
    """The request *app* is serving in this context, through public Flask APIs only."""
    if not has_request_context() or cast(Any, current_app)._get_current_object() is not app:
        return None
    return cast(Request, cast(Any, request)._get_current_object())


def _private_lookup() -> Callable[[Flask], Request | None] | None:
    """The same lookup on Flask's context variable, or ``None`` where its shape is unknown."""
    try:  # Flask 2.3 to 3.1: a separate request context
        from flask.globals import _cv_request as request_var

        get_request_ctx: Callable[[None], Any] = request_var.get

        def from_request_context(app: Flask) -> Request | None:
            ctx = get_request_ctx(None)
            if ctx is None or ctx.app is not app:
                return None
            return ctx.request  # type: ignore[no-any-return]

        return from_request_context
    except ImportError:
        pass
    try:  # Flask 3.2: the request lives on the app context
        from flask.globals import _cv_app as app_var
    except ImportError:  # pragma: no cover - a Flask with neither
        return None
    get_app_ctx: Callable[[None], Any] = app_var.get

    def from_app_context(app: Flask) -> Request | None:
        ctx = get_app_ctx(None)
        if ctx is None or ctx.app is not app or not ctx.has_request:
            return None
        return ctx.request  # type: ignore[no-any-return]

    return from_app_context


_private = _private_lookup()
#: ``current_request(app)``: the request *app* is serving here, or ``None`` (no request context,
#: or another app's). The private lookup where this Flask has one, else the public one.
current_request: Callable[[Flask], Request | None] = _private or _public_current_request
#: Both implementations, for the test that runs each.
IMPLEMENTATIONS: dict[str, Callable[[Flask], Request | None]] = {
    "public": _public_current_request,
    **({"private": _private} if _private is not None else {}),
}
