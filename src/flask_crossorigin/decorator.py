"""``@cross_origin``: one view's own policy, with or without ``CORS(app)``.

The decorator validates its own arguments when it is applied (usually at import), as far as they
decide the answer; its policy (its arguments over the app's ``CORS_*`` config) is compiled once per
app: at ``CORS(app)``/``init_app`` for views already registered, else at the app's first request,
never per request.

With ``CORS(app)`` (or ``CORS(blueprint)``) the extension's middleware finds the view's policy by
endpoint and does all the work: preflights are answered before any ``before_request`` hook, and
routing 405s and error responses carry headers too. Without it the wrapper applies the policy
itself, as flask-cors's decorator does: preflights are answered when the view is reached (after the
app's ``before_request`` hooks), and the view's response gets the headers as the wrapper returns
it; a response Flask builds from an error raised in the view gets them through
``after_this_request``.
"""

from __future__ import annotations

import functools
import inspect
import logging
from typing import TYPE_CHECKING, Any, Callable, TypeVar, cast, overload

from flask import Flask, Request, Response, after_this_request

from ._adapter import (
    EXTENSION_KEY,
    SPEC_ATTRIBUTE,
    UNHANDLED_KEY,
    AppState,
    Coverage,
    ViewSpec,
    decide,
    is_preflight,
    log_decision,
    render_preflight,
    state_for,
    write_headers,
)
from ._compat import current_app_and_request, header_list
from ._reporting import report_refusal
from .options import DECORATOR_OPTIONS, check_names, validate_values
from .signals import cors_refused

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .types import CrossOriginOptions

F = TypeVar("F", bound=Callable[..., Any])

_debug_enabled = logging.getLogger("flask_crossorigin").isEnabledFor
_DEBUG = logging.DEBUG


@overload
def cross_origin(__view: F) -> F: ...


@overload
def cross_origin(**options: Unpack[CrossOriginOptions]) -> Callable[[F], F]: ...


def cross_origin(*args: Any, **options: Any) -> F | Callable[[F], F]:
    """Give one view its own CORS policy; the same options as :class:`~flask_crossorigin.CORS`.

    Place it below ``@app.route`` so that Flask registers the decorated view. Works on
    ``async def`` views (run through ``app.ensure_sync``, as Flask runs them). Where
    ``CORS(app)`` also covers the view, the decorator's policy wins.

    .. versionadded:: 0.1
    """
    if args:
        if len(args) == 1 and callable(args[0]) and not options:
            return cast(F, cross_origin()(args[0]))
        raise TypeError("cross_origin() takes options as keyword arguments only.")
    layer = check_names(options, allowed=DECORATOR_OPTIONS, where="@cross_origin")
    validate_values(layer)

    def decorate(view: F) -> F:
        spec = ViewSpec(layer, getattr(view, "__name__", repr(view)))
        is_async = inspect.iscoroutinefunction(view)

        def call(app: Flask, req: Request, a: Any, kw: Any) -> Any:
            if spec.owns_options and req.method == "OPTIONS":
                return _default_options_response(app, req)
            # Sync views are called as they are; async ones through Flask's own adapter.
            return app.ensure_sync(view)(*a, **kw) if is_async else view(*a, **kw)

        def wrapper(*a: Any, **kw: Any) -> Any:
            app, req = current_app_and_request()
            state = app.extensions.get(EXTENSION_KEY) or state_for(app)
            if state.has_middleware:
                # The middleware does the CORS work: only call the view. This repeats call()'s
                # three lines on purpose: one Python call frame less on the path every decorated
                # view with CORS(app) takes (about 350 instructions, measured with
                # benchmarks/bench_instructions.py --scenario decorator).
                if spec.owns_options and req.method == "OPTIONS":
                    return _default_options_response(app, req)
                return app.ensure_sync(view)(*a, **kw) if is_async else view(*a, **kw)
            own = state.coverage_for_spec(spec)
            early = _preflight_without_middleware(own, state, req)
            if early is not None:
                return early
            try:
                result = call(app, req, a, kw)
            except BaseException:
                # The response Flask builds from the error (abort(), a handler, a 500) gets the
                # headers too, after this view: Flask runs after_this_request functions on it.
                after_this_request(functools.partial(_add_headers, own, state, req))
                raise
            # Flask would make the response right after the view anyway (make_response returns
            # a Response unchanged), so writing the headers here costs no extra hook round.
            return _add_headers(own, state, req, app.make_response(result))

        functools.update_wrapper(wrapper, view)
        setattr(wrapper, SPEC_ATTRIBUTE, spec)
        if spec.owns_options:
            # Flask would otherwise answer OPTIONS itself without running the wrapper.
            setattr(wrapper, "required_methods", {"OPTIONS"})  # noqa: B010
            setattr(wrapper, "provide_automatic_options", False)  # noqa: B010
        return cast(F, wrapper)

    return decorate


def _preflight_without_middleware(own: Coverage, state: AppState, req: Request) -> Response | None:
    """Without ``CORS(app)``: the answer to a preflight, or ``None`` for any other request."""
    environ = req.environ
    if environ["REQUEST_METHOD"] == "OPTIONS" and is_preflight(environ):
        # Routed with the requested method: the view serving the actual request decides.
        found = state.resolve_environ(environ, environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
        found = found or own
        if found.policy.automatic_options:
            status, headers = render_preflight(found, environ, req.path, state)
            response = state.app.response_class(status=int(status.split(" ", 1)[0]))
            del response.headers["Content-Type"]  # an empty answer has no media type
            response.headers.extend(headers)
            return response
    return None


def _add_headers(own: Coverage, state: AppState, req: Request, response: Response) -> Response:
    """Without ``CORS(app)``: write the view policy's headers into the view's *response*."""
    environ = req.environ
    policy = own.policy
    if policy.intercept_exceptions or UNHANDLED_KEY not in environ:
        if environ["REQUEST_METHOD"] == "OPTIONS":
            decision = decide(policy, environ)
        else:
            decision = policy.actual(environ.get("HTTP_ORIGIN"))
        items = header_list(response.headers)
        if items is not None:
            write_headers(items, decision, policy)
        else:
            items = list(response.headers.items())
            write_headers(items, decision, policy)
            response.headers.clear()
            response.headers.extend(items)
        if _debug_enabled(_DEBUG):
            log_decision(decision, own.source, req.path, environ)
        if (
            not decision.allowed
            and "HTTP_ORIGIN" in environ
            and (policy.log_refusals or cors_refused.receivers)
        ):
            report_refusal(state, own, decision, req.path, environ)
    return response


def _default_options_response(app: Flask, req: Request) -> Response:
    """Flask's automatic ``OPTIONS`` answer (``Allow`` from the URL map), through public APIs."""
    adapter = app.create_url_adapter(req)
    response: Response = app.response_class()
    if adapter is not None:
        response.allow.update(adapter.allowed_methods())
    return response
