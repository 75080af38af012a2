"""``@cross_origin``: one view's own policy, with or without ``CORS(app)``.

The decorator validates its arguments when the module is imported and resolves its policy (its
arguments over the app's ``CORS_*`` config) once per app, never per request.

When the app also has ``CORS(app)`` (or ``CORS(blueprint)``), the extension's hooks look the
view's policy up by endpoint, so preflights are answered before any ``before_request`` hook and
routing 405s carry headers too. Without it the wrapper does the work itself: preflights are then
answered when the view is reached, which is after the app's ``before_request`` hooks.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, Callable, TypeVar, cast, overload

from flask import Response, after_this_request, request

from .extension import (
    ERROR_KEY,
    EXTENSION_KEY,
    HANDLED_KEY,
    ROW_KEY,
    SPEC_ATTRIBUTE,
    AppState,
    current_context,
    is_preflight,
    preflight_decision,
    preflight_response,
)
from .options import DECORATOR_OPTIONS, check_names, validate_values

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .types import CrossOriginOptions

F = TypeVar("F", bound=Callable[..., Any])


class ViewSpec:
    """What ``@cross_origin(...)`` was given; hashable by identity, one per decorated view."""

    __slots__ = ("__weakref__", "layer", "owns_options", "view_name")

    def __init__(self, layer: dict[str, tuple[Any, str]], view_name: str) -> None:
        #: The view's ``__name__``: the endpoint Flask gives it unless told otherwise.
        self.layer = layer
        self.view_name = view_name
        automatic = layer.get("automatic_options")
        self.owns_options = automatic is None or bool(automatic[0])


@overload
def cross_origin(__view: F) -> F: ...


@overload
def cross_origin(**options: Unpack[CrossOriginOptions]) -> Callable[[F], F]: ...


def cross_origin(*args: Any, **options: Any) -> F | Callable[[F], F]:
    """Give one view its own CORS policy; the same options as :class:`~flask_crossorigin.CORS`.

    Place it below ``@app.route`` so that Flask registers the decorated view. Works on
    ``async def`` views. Where ``CORS(app)`` also covers the view, the decorator's policy wins.

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
        wrapper: Callable[..., Any]
        if inspect.iscoroutinefunction(view):

            async def async_wrapper(*a: Any, **kw: Any) -> Any:
                early = _before_view(spec)
                if early is not None:
                    return early
                try:
                    return await view(*a, **kw)
                except BaseException:
                    request.environ[ERROR_KEY] = True
                    raise

            wrapper = async_wrapper
        else:

            def sync_wrapper(*a: Any, **kw: Any) -> Any:
                early = _before_view(spec)
                if early is not None:
                    return early
                try:
                    return view(*a, **kw)
                except BaseException:
                    request.environ[ERROR_KEY] = True
                    raise

            wrapper = sync_wrapper
        functools.update_wrapper(wrapper, view)
        setattr(wrapper, SPEC_ATTRIBUTE, spec)
        if spec.owns_options:
            # Flask would otherwise answer OPTIONS itself without running the wrapper.
            setattr(wrapper, "required_methods", {"OPTIONS"})  # noqa: B010
            setattr(wrapper, "provide_automatic_options", False)  # noqa: B010
        return cast(F, wrapper)

    return decorate


def _before_view(spec: ViewSpec) -> Response | None:
    """Run before the view: answer what the view should not see, arrange headers for the rest."""
    ctx = current_context()
    app, environ = ctx.app, ctx.request.environ
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        state = app.extensions.setdefault(EXTENSION_KEY, AppState(app))
    is_options = environ["REQUEST_METHOD"] == "OPTIONS"
    if state.hooks_installed:
        # The extension's hooks found this view by endpoint and handle its headers.
        return app.make_default_options_response() if is_options and spec.owns_options else None
    row = state.row_for_spec(spec)
    policy = row.value
    if policy.automatic_options and is_preflight(environ):
        decision = preflight_decision(policy, environ)
        environ[HANDLED_KEY] = True
        return preflight_response(app.response_class, decision, row, ctx.request.path, environ)
    environ[ROW_KEY] = row
    after_this_request(state.after_view)
    return app.make_default_options_response() if is_options and spec.owns_options else None
