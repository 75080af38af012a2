"""``@cross_origin``: one view's own policy, with or without ``CORS(app)``.

The decorator validates its own arguments when it is applied (usually at import), as far as they
decide the answer; its policy (its arguments over the app's ``CORS_*`` config) is compiled once per
app: at ``CORS(app)``/``init_app`` for views already registered, else at the app's first request,
never per request.

With ``CORS(app)`` (or ``CORS(blueprint)``) the extension's middleware finds the view's policy by
endpoint and does all the work: preflights are answered before any ``before_request`` hook, and
routing 405s and error responses carry headers too. Without it the wrapper applies the policy
itself, as flask-cors's decorator does: preflights are answered when the view is reached (after the
app's ``before_request`` hooks), and the headers are written once Flask has finished the response
(its public ``request_finished`` signal, after every ``after_request`` hook), through the same
per-response sequence as the middleware (:func:`~._adapter.apply`), for the view's response and
for the one Flask builds from an error the view raised.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
from typing import TYPE_CHECKING, Any, Callable, TypeVar, cast, overload

from flask import Flask, Request, Response, request_finished
from werkzeug.datastructures import Headers

from ._adapter import EXTENSION_KEY, AppState, state_for
from ._compat import current_app_and_request, current_request, typed_headers
from ._middleware import VIEW_KEY, attach
from ._respond import apply, preflight_status, reporting_failed
from ._sources import SPEC_ATTRIBUTE, WRAPPED_ATTRIBUTE, Coverage, ViewSpec
from ._wsgi import decide, is_preflight
from .options import DECORATOR_OPTIONS, check_names, validate_values

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .types import CrossOriginOptions

F = TypeVar("F", bound=Callable[..., Any])


@overload
def cross_origin(__view: F) -> F: ...


@overload
def cross_origin(**options: Unpack[CrossOriginOptions]) -> Callable[[F], F]: ...


def cross_origin(*args: Any, **options: Any) -> F | Callable[[F], F]:
    """Give one view its own CORS policy; the same options as :class:`~flask_crossorigin.CORS`.

    Place it below ``@app.route`` so that Flask registers the decorated view. Works on
    ``async def`` views (run through ``app.ensure_sync``, as Flask runs them). Where
    ``CORS(app)`` also covers the view, the decorator's policy wins.

    .. versionadded:: 0.2
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

        def wrapper(*a: Any, **kw: Any) -> Any:
            app, req = current_app_and_request()
            state = app.extensions.get(EXTENSION_KEY) or state_for(app)
            plan = state.current
            if plan is None or plan.views_seen != len(app.view_functions):
                plan = state.rebuild()
            if plan.broken and spec in plan.broken:
                # Options that cannot be compiled over the app's config: this view answers 500
                # (Flask logs the error), and every other route keeps working.
                raise plan.broken[spec]
            if not state.has_middleware:
                # Alone, the view's policy is applied for it (with CORS(app) the middleware
                # finds it by endpoint): the request is marked with the view's coverage, and its
                # headers are written as the response starts.
                own = plan.views.get(spec) or plan.view(spec)
                environ = req.environ
                if VIEW_KEY not in environ:  # the middleware did not see this request
                    _unseen(state, environ)
                environ[VIEW_KEY] = (own, None)
                if req.method == "OPTIONS":
                    early = _preflight_without_middleware(own, state, req)
                    if early is not None:
                        return early
            if req.method == "OPTIONS" and spec.owns_options:
                return _default_options_response(app, req)
            # Sync views are called as they are; async ones through Flask's own adapter.
            return app.ensure_sync(view)(*a, **kw) if is_async else view(*a, **kw)

        functools.update_wrapper(wrapper, view)
        setattr(wrapper, SPEC_ATTRIBUTE, spec)
        # The wrapped function carries a mark too: registered as a view without the wrapper, it
        # tells that @cross_origin was written above @app.route (and so never runs).
        with contextlib.suppress(AttributeError, TypeError):
            setattr(view, WRAPPED_ATTRIBUTE, spec)
        if spec.owns_options:
            # Flask would otherwise answer OPTIONS itself without running the wrapper.
            setattr(wrapper, "required_methods", {"OPTIONS"})  # noqa: B010
            setattr(wrapper, "provide_automatic_options", False)  # noqa: B010
        return cast(F, wrapper)

    return decorate


#: WSGI environ key: set (to ``True``) on a marked request the middleware did not see, whose
#: headers :func:`_finish` writes instead.
FINISH_KEY = "flask_crossorigin.finish"
_lock = threading.Lock()


def _unseen(state: AppState, environ: dict[str, Any]) -> None:
    """A decorated view runs on a request that did not pass through the middleware.

    The app's first such request (or every one, where a server was handed ``app.wsgi_app``
    rather than the app): the middleware is installed, in view mode, for the requests that
    follow, and this one gets its headers from :func:`_finish`, connected to Flask's
    ``request_finished`` signal until no such request is left, so that the app does not pay a
    signal receiver on every later request.
    """
    environ[FINISH_KEY] = True
    with _lock:
        state.unseen += 1
        if state.unseen == 1:
            # A receiver of this app's own, so that disconnecting it removes it from the signal
            # altogether (a receiver connected for several senders stays, and is paid for).
            state.finisher = functools.partial(_finish)
            request_finished.connect(state.finisher, state.app, weak=False)
    attach(state.app, enforce=False)


def _finish(sender: Flask, response: Response, **extra: Any) -> None:
    """Write a decorated view's headers into a response the middleware will not see.

    Flask sends ``request_finished`` after the view, the error handlers and every
    ``after_request`` hook (``after_this_request`` ones included) have run, for ordinary and
    error responses alike: the moment the middleware writes its headers, so the one merge rule
    sees every header the app set (a hook's ``Access-Control-Allow-Credentials`` included:
    security issue item 3). Never raises: a CORS layer answers or stays silent.
    """
    req = current_request(sender)
    if req is None or FINISH_KEY not in req.environ:
        return
    environ = req.environ
    state = state_for(sender)
    try:
        del environ[FINISH_KEY]
        with _lock:
            state.unseen -= 1
            if state.unseen == 0 and state.finisher is not None:
                request_finished.disconnect(state.finisher)
        found, decision = environ[VIEW_KEY]
        items = list(typed_headers(response.headers).items())
        apply(state, found, decision, items, req, environ)
        response.headers = cast(Callable[[list[tuple[str, str]]], Headers], Headers)(items)
    except Exception:
        reporting_failed()


def _preflight_without_middleware(own: Coverage, state: AppState, req: Request) -> Response | None:
    """Without ``CORS(app)``: the answer to a preflight, or ``None`` for any other request.

    The status is decided here; the headers are written by :func:`_finish`, through the same
    rule as every other response.
    """
    environ = req.environ
    if is_preflight(environ):  # (only OPTIONS requests are passed here)
        # Routed with the requested method: the view serving the actual request decides.
        found = state.plan().resolve_environ(environ, environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
        found = found or own
        if found.policy.automatic_options:
            decision = decide(found.policy, environ)
            environ[VIEW_KEY] = (found, decision)
            response = state.app.response_class(status=preflight_status(decision))
            del typed_headers(response.headers)["Content-Type"]  # an empty answer, no media type
            return response
    return None


def _default_options_response(app: Flask, req: Request) -> Response:
    """Flask's automatic ``OPTIONS`` answer (``Allow`` from the URL map), through public APIs."""
    adapter = app.create_url_adapter(req)
    response: Response = app.response_class()
    if adapter is not None:
        response.allow.update(adapter.allowed_methods())
    return response
