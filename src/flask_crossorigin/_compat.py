"""The private Flask names still worth reading for speed, each with a public fallback.

This is the only module of the package that may touch a private Flask or Werkzeug name
(``tests/test_compat.py`` enforces it, and runs every function here both ways). Nothing here
changes Flask's behaviour: it only *reads* where Flask keeps the current request.

* :func:`current_request` runs on every response, as the response starts (and
  :func:`current_app_and_request` in every decorated view); it is the one private read left.
  Going through the public ``flask.request`` proxy costs several Python-level calls; the
  context variable behind it is one C call. Flask 2.3 to 3.1 keep the request context in
  ``flask.globals._cv_request``; Flask 3.2 merged it into the app context,
  ``flask.globals._cv_app``. Either way the public fallback (``has_request_context`` and the
  ``request`` proxy) gives the same answer.
* :func:`typed_headers` gives the same ``Headers`` object typed: Werkzeug 2.3.0 leaves most
  ``Headers`` methods unannotated, so ``mypy --strict`` against the floor would flag every call
  of them as a call to an untyped function. Nothing changes at run time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Callable, NamedTuple, Optional, Protocol, cast

from flask import Flask, Request, current_app, has_request_context, request
from werkzeug.datastructures import Headers


class HeaderOps(Protocol):
    """The ``Headers`` methods the package calls, with the types Werkzeug 2.3.1 and later give."""

    def items(self) -> Iterable[tuple[str, str]]: ...

    def __delitem__(self, key: str, /) -> None: ...


def typed_headers(headers: Headers) -> HeaderOps:
    """*headers* itself, typed as :class:`HeaderOps` (for ``mypy --strict`` on Werkzeug 2.3.0)."""
    return cast(HeaderOps, headers)


def _public_current_request(app: Flask) -> Request | None:
    """The request *app* is serving in this context, through public Flask APIs only."""
    if not has_request_context() or cast(Any, current_app)._get_current_object() is not app:
        return None
    return cast(Request, cast(Any, request)._get_current_object())


def _public_current_app_and_request() -> tuple[Flask, Request]:
    """The app and request of the current request context (public APIs; raises outside one)."""
    app = cast(Flask, cast(Any, current_app)._get_current_object())
    return app, cast(Request, cast(Any, request)._get_current_object())


Lookups = tuple[Callable[[Flask], Optional[Request]], Callable[[], tuple[Flask, Request]]]


def from_request_context_var(var: Any) -> Lookups:
    """The lookups on Flask 2.3 to 3.1's request context variable (``_cv_request``)."""
    get: Callable[[None], Any] = var.get

    def current(app: Flask) -> Request | None:
        ctx = get(None)
        if ctx is None or ctx.app is not app:
            return None
        return ctx.request  # type: ignore[no-any-return]

    def both() -> tuple[Flask, Request]:
        ctx = get(None)
        if ctx is None:
            return _public_current_app_and_request()  # raises Flask's own error
        return ctx.app, ctx.request

    return current, both


def from_app_context_var(var: Any) -> Lookups:
    """The lookups on Flask 3.2's app context variable (``_cv_app``), which holds the request."""
    get: Callable[[None], Any] = var.get

    def current(app: Flask) -> Request | None:
        ctx = get(None)
        if ctx is None or ctx.app is not app or not ctx.has_request:
            return None
        return ctx.request  # type: ignore[no-any-return]

    def both() -> tuple[Flask, Request]:
        ctx = get(None)
        if ctx is None or not ctx.has_request:
            return _public_current_app_and_request()  # raises Flask's own error
        return ctx.app, ctx.request

    return current, both


def _private_lookup() -> Lookups | None:
    """The fast lookups for this Flask, or ``None`` where its context variables are unknown."""
    try:  # Flask 2.3 to 3.1: a separate request context
        from flask.globals import _cv_request

        return from_request_context_var(_cv_request)
    except ImportError:
        pass
    try:  # Flask 3.2: the request lives on the app context
        from flask.globals import _cv_app
    except ImportError:  # pragma: no cover - a Flask with neither
        return None
    return from_app_context_var(_cv_app)


_private = _private_lookup()

#: ``current_request(app)``: the request *app* is serving here, or ``None`` (no request context,
#: or another app's). The private lookup where this Flask has one, else the public one.
current_request: Callable[[Flask], Request | None] = (
    _private[0] if _private is not None else _public_current_request
)
#: ``current_app_and_request()``: inside a request context, its app and request.
current_app_and_request: Callable[[], tuple[Flask, Request]] = (
    _private[1] if _private is not None else _public_current_app_and_request
)


class Implementation(NamedTuple):
    current_request: Callable[[Flask], Request | None]
    current_app_and_request: Callable[[], tuple[Flask, Request]]


#: Both implementations, for the test that runs each.
IMPLEMENTATIONS: dict[str, Implementation] = {
    "public": Implementation(_public_current_request, _public_current_app_and_request),
    **({"private": Implementation(*_private)} if _private is not None else {}),
}
