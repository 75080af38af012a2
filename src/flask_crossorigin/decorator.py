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
    WATCHED_NAMES,
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
from ._compat import current_app_and_request, header_list, known_enabled, typed_headers
from ._reporting import report_refusal
from .options import DECORATOR_OPTIONS, check_names, validate_values
from .signals import cors_refused

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .types import CrossOriginOptions

F = TypeVar("F", bound=Callable[..., Any])

_logger = logging.getLogger("flask_crossorigin")
_debug_enabled = _logger.isEnabledFor
_known_debug = known_enabled(_logger)
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

        # One function on purpose: the common case (an ordinary request whose view returns a
        # body) is written out here in as few bytecodes as possible, since every one of them is
        # paid on each decorated request (benchmarks/bench_instructions.py --scenario
        # decorator); everything else goes through the helpers below.
        def wrapper(*a: Any, **kw: Any) -> Any:
            app, req = current_app_and_request()
            state = app.extensions.get(EXTENSION_KEY) or state_for(app)
            own: Coverage | None = None
            if not state.has_middleware:
                # Alone, the wrapper applies its policy; with CORS(app) the middleware does.
                own = state.view_coverages.get(spec) or state.coverage_for_spec(spec)
            if req.method == "OPTIONS":
                return _options(own, state, app, req, spec, view, a, kw)
            try:
                # Sync views are called as they are; async ones through Flask's own adapter.
                result = app.ensure_sync(view)(*a, **kw) if is_async else view(*a, **kw)
            except BaseException:
                if own is not None:
                    _on_error(own, state, req)
                raise
            if own is None:
                return result
            # Flask makes the response right after the view (make_response returns a Response
            # unchanged), so writing the headers here costs no extra hook round.
            if type(result) in _BODY_TYPES and app.response_class in _PLAIN_CLASSES:
                # The shortest path: a str or bytes body, made into a response exactly as
                # make_response makes it, by a class known to start with no CORS header and no
                # Vary (so the merge rule would only append); an allowed origin; DEBUG logging
                # off (known from logging's cache). No exception was raised, so
                # intercept_exceptions cannot apply; nothing is refused, so nothing is reported.
                response = app.response_class(result)
                policy = own.policy
                origin = req.environ.get("HTTP_ORIGIN")
                decision = policy.decisions_by_origin.get(origin) or policy.actual(origin)
                if decision.allowed and _known_debug(_DEBUG) is False:
                    header_list(response.headers).extend(decision.pairs)  # type: ignore[attr-defined]
                    return response
            else:
                if type(result) in _BODY_TYPES:
                    _probe_response_class(app.response_class)
                response = app.make_response(result)
            return _add_headers(own, state, req, response)

        functools.update_wrapper(wrapper, view)
        setattr(wrapper, SPEC_ATTRIBUTE, spec)
        if spec.owns_options:
            # Flask would otherwise answer OPTIONS itself without running the wrapper.
            setattr(wrapper, "required_methods", {"OPTIONS"})  # noqa: B010
            setattr(wrapper, "provide_automatic_options", False)  # noqa: B010
        return cast(F, wrapper)

    return decorate


#: Response classes whose fresh instances carry no CORS header and no ``Vary``, and whose header
#: list :func:`~flask_crossorigin._compat.header_list` can extend in place: a body made by
#: one of them takes the wrapper's shortest path. Every class is probed once (``_PROBED``).
_PLAIN_CLASSES: set[type] = set()
_PROBED: set[type] = set()
#: Bodies make_response turns into ``response_class(body)`` with nothing else to do.
_BODY_TYPES = frozenset({str, bytes})


def _probe_response_class(cls: type[Response]) -> None:
    """Probe *cls* once: add it to ``_PLAIN_CLASSES`` if a fresh instance qualifies."""
    if cls in _PROBED:
        return
    try:
        headers = cls("").headers
        items = header_list(headers)
        plain = type(items) is list and not any(
            name.lower() in WATCHED_NAMES for name, _ in typed_headers(headers).items()
        )
    except Exception:  # an app's own class that cannot be built this way: the general path
        plain = False
    if plain:
        _PLAIN_CLASSES.add(cls)
    _PROBED.add(cls)


def _options(
    own: Coverage | None,
    state: AppState,
    app: Flask,
    req: Request,
    spec: ViewSpec,
    view: Callable[..., Any],
    a: Any,
    kw: Any,
) -> Any:
    """An ``OPTIONS`` request to a decorated view: a preflight (answered here without
    ``CORS(app)``), else Flask's own ``OPTIONS`` answer or the view's, with the headers."""
    if own is not None:
        early = _preflight_without_middleware(own, state, req)
        if early is not None:
            return early
    try:
        if spec.owns_options:
            result: Any = _default_options_response(app, req)
        else:
            result = app.ensure_sync(view)(*a, **kw)
    except BaseException:
        if own is not None:
            _on_error(own, state, req)
        raise
    if own is None:
        return result
    return _add_headers(own, state, req, app.make_response(result))


def _on_error(own: Coverage, state: AppState, req: Request) -> None:
    """The response Flask builds from the view's error (abort(), a handler, a 500) gets the
    headers too: Flask runs ``after_this_request`` functions on it."""
    after_this_request(functools.partial(_add_headers, own, state, req))


def _preflight_without_middleware(own: Coverage, state: AppState, req: Request) -> Response | None:
    """Without ``CORS(app)``: the answer to a preflight, or ``None`` for any other request."""
    environ = req.environ
    if is_preflight(environ):  # (only OPTIONS requests are passed here)
        # Routed with the requested method: the view serving the actual request decides.
        found = state.resolve_environ(environ, environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
        found = found or own
        if found.policy.automatic_options:
            status, headers = render_preflight(found, environ, req.path, state)
            response = state.app.response_class(status=int(status.split(" ", 1)[0]))
            answer = typed_headers(response.headers)
            del answer["Content-Type"]  # an empty answer has no media type
            answer.extend(headers)
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
        headers = response.headers
        try:
            items = header_list(headers)
        except AttributeError:  # an app's own headers class
            items = None
        if type(items) is list:
            write_headers(items, decision, policy)
        else:
            public = typed_headers(headers)
            pairs = list(public.items())
            write_headers(pairs, decision, policy)
            public.clear()
            public.extend(pairs)
        if _known_debug(_DEBUG) is not False and _debug_enabled(_DEBUG):
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
