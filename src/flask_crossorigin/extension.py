"""``CORS(app)`` / ``init_app``, and the WSGI middleware that is the one way requests go through.

``CORS(app)`` (or ``CORS(blueprint)``, once registered) wraps ``app.wsgi_app`` in
:class:`CORSMiddleware`, the middleware pattern Flask documents. Per request it does one of two
things (``flask cors explain --page architecture``):

* a **preflight** (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``, F2) is
  answered before Flask sees it, with the policy of the view that will serve the actual request
  (routed with the requested method), so authentication hooks, 404s and trailing-slash redirects
  never get in its way (F36);
* **every other response** gets the decided headers as it starts, in the ``start_response``
  handed to Flask: after the view, the error handlers and the app's own hooks have run, so
  headers they set are respected and error responses are covered like any other (F22, F42).
  Flask starts the response inside the request context, so the routed request (endpoint,
  blueprints) is read from there.

The policies themselves, the resolver and the header rule live in :mod:`._adapter`.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

from ._adapter import (
    UNHANDLED_KEY,
    UNWATCHED_NAMES,
    AppState,
    decide,
    is_preflight,
    log_decision,
    render_preflight,
    state_for,
    write_headers,
    wsgi_path,
)
from ._compat import current_request, known_enabled
from ._reporting import report_refusal
from .errors import ConfigError
from .options import EXTENSION_OPTIONS, Layer, check_names, config_layer
from .signals import cors_refused

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .types import CORSOptions

logger = logging.getLogger("flask_crossorigin")
#: Bound once: the middleware asks on every response, and logging caches the answer per level.
_debug_enabled = logger.isEnabledFor
_known_debug = known_enabled(logger)
_DEBUG = logging.DEBUG


class CORS:
    """Cross-Origin Resource Sharing for a Flask app or blueprint.

    ``CORS(app, **options)`` applies at once; ``CORS(**options)`` then ``init_app(app)`` suits app
    factories. Options are those of flask-cors 6 (``flask cors explain --page options``). With a
    blueprint, the policy covers only that blueprint's routes. Unknown option names raise
    :class:`TypeError`, invalid values raise :class:`~flask_crossorigin.ConfigError`, both here
    rather than at the first request. Calling ``CORS(app)`` again replaces the app's policy (with
    a WARNING when the configuration differs).

    With ``report_only=True`` the options are compiled into the app's *report-only* policy
    instead: it never changes a response, and every request with ``Origin`` that it covers and
    would refuse is reported (the :data:`~flask_crossorigin.cors_refused` signal with
    ``report_only=True``, and a rate-limited WARNING). It lives next to the enforcing policy:
    neither replaces the other, and a second report-only ``CORS`` replaces the first
    report-only one. See ``flask cors explain --page operating``.

    .. versionadded:: 0.1

    .. versionchanged:: 0.2
        The ``report_only`` argument, and the ``log_refusals`` option.
    """

    def __init__(
        self,
        app: Flask | Blueprint | None = None,
        *,
        report_only: bool = False,
        **options: Unpack[CORSOptions],
    ) -> None:
        self._report_only = _flag("CORS", report_only)
        self._layer = check_names(options, allowed=EXTENSION_OPTIONS, where="CORS")
        if app is not None:
            self.init_app(app)

    def init_app(
        self,
        app: Flask | Blueprint,
        *,
        report_only: bool | None = None,
        **options: Unpack[CORSOptions],
    ) -> None:
        """Apply the policy to *app*; keyword options here win over those given to ``CORS()``.

        *report_only*, when given, wins over the one given to ``CORS()``.
        """
        trial = self._report_only if report_only is None else _flag("init_app", report_only)
        layer = check_names(options, allowed=EXTENSION_OPTIONS, where="init_app")
        layers = (self._layer, layer)
        if trial:
            if not isinstance(app, Flask):
                raise TypeError(
                    "report_only=True takes a Flask app: a report-only policy is one table for "
                    "the whole app. Write CORS(app, report_only=True, resources={...}) with the "
                    "blueprint's paths as patterns."
                )
            state = _attach(app, enforce=False)
            state.report_table = state.compile_table(
                layers, "CORS(report_only=True)", report_only=True
            )
            return
        if isinstance(app, Blueprint):

            def register(setup: BlueprintSetupState) -> None:
                name = f"{setup.name_prefix}.{setup.name}" if setup.name_prefix else setup.name
                flask_app = setup.app  # typed Flask in 2.3, the sansio App later
                assert isinstance(flask_app, Flask)
                state = _attach(flask_app)
                state.blueprint_tables[name] = state.compile_table(
                    layers, f"CORS({name})", blueprint=name
                )
                state.changed()

            app.record(register)
            return
        if not isinstance(app, Flask):
            raise TypeError(f"CORS() takes a Flask app or a Blueprint, not {type(app).__name__}.")
        state = _attach(app)
        table = state.compile_table(layers, "CORS")
        configuration = _configuration(config_layer(app.config), layers)
        if state.table is not None and configuration != state.configuration:
            logger.warning(
                "CORS(app) was called again on app %r with a different configuration: the new "
                "one replaces the first (flask-cors stacked them; see "
                "'flask cors explain --page migrating').",
                app.name,
            )
        state.table, state.configuration = table, configuration
        state.changed()
        state.compile_views()


def _configuration(*layers: Layer | tuple[Layer, ...]) -> object:
    """The option values of *layers*, comparable between two ``CORS(app)`` calls."""
    flat: list[Layer] = []
    for item in layers:
        flat.extend(item if isinstance(item, tuple) else (item,))
    return [{name: value for name, (value, _) in layer.items()} for layer in flat]


def _flag(where: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(
        f"{where}(report_only={value!r}): report_only must be True or False. A string such as "
        "'false' is truthy in Python; write report_only=True or report_only=False.",
        code="cors.E030",
        option="report_only",
        value=value,
        source=f"{where}(report_only=...)",
    )


def _attach(app: Flask, enforce: bool = True) -> AppState:
    """The app's state, with the middleware in front of the app (installed once).

    A report-only policy alone (*enforce* false) installs the middleware without marking it as
    enforcing, so that decorated views keep applying their policies themselves and no response
    changes.
    """
    state = state_for(app)
    if not state.wrapped:
        app.wsgi_app = CORSMiddleware(app.wsgi_app, state)  # type: ignore[method-assign]
        state.wrapped = True
    if enforce:
        state.has_middleware = True
    return state


class CORSMiddleware:
    """WSGI middleware in front of Flask: answers preflights, adds headers as responses start.

    Private to the package; see the module docstring for what it does and why there.
    """

    def __init__(self, wsgi_app: Callable[..., Any], state: AppState) -> None:
        self.wsgi_app = wsgi_app
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        state = self.state
        if state.report_table is not None:
            _trial(state, environ)
            if not state.has_middleware:  # only a report-only policy: change nothing
                return self.wsgi_app(environ, start_response)
        if environ["REQUEST_METHOD"] == "OPTIONS" and is_preflight(environ):
            found = state.resolve_environ(environ, environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
            if found is not None and found.policy.automatic_options:
                path = wsgi_path(environ.get("PATH_INFO") or "") or ""
                status, headers = render_preflight(found, environ, path, state)
                start_response(status, headers)
                return []

        # A partial rather than a closure: a closure would make environ, state and
        # start_response cell variables of this function, three allocations on every request.
        return self.wsgi_app(environ, partial(_start_response, state, environ, start_response))


def _start_response(
    state: AppState,
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    status: str,
    headers: list[tuple[str, str]],
    exc_info: Any = None,
) -> Any:
    """The ``start_response`` Flask is handed: adds the decided headers as the response starts.

    Flask starts the response inside the request context, so the routed request (endpoint,
    blueprints) is read from there; the common case (an ordinary request, an origin listed at
    set-up, DEBUG logging off, nothing refused) takes the fewest bytecodes.
    """
    req = current_request(state.app)
    if req is not None:
        found = state.resolve_request(req)
    else:  # not started by this app's Flask (an inner middleware answered): the path
        found = state.resolve_environ(environ, environ["REQUEST_METHOD"])
    if found is not None:
        policy = found.policy
        if policy.intercept_exceptions or UNHANDLED_KEY not in environ:
            if environ["REQUEST_METHOD"] == "OPTIONS":
                decision = decide(policy, environ)  # maybe a preflight the app answered
            else:
                origin = environ.get("HTTP_ORIGIN")
                decision = policy.decisions_by_origin.get(origin) or policy.actual(origin)
            for name, _ in headers:  # write_headers' first check, without its call frame
                if name not in UNWATCHED_NAMES:
                    write_headers(headers, decision, policy)
                    break
            else:  # only names that are none of ours: the rule appends the prepared pairs
                headers.extend(decision.pairs)
            if _known_debug(_DEBUG) is not False and _debug_enabled(_DEBUG):
                path = req.path if req is not None else environ.get("PATH_INFO", "")
                log_decision(decision, found.source, path, environ)
            if (
                not decision.allowed
                and "HTTP_ORIGIN" in environ
                and (policy.log_refusals or cors_refused.receivers)
            ):
                path = req.path if req is not None else environ.get("PATH_INFO", "")
                report_refusal(state, found, decision, path, environ)
    return start_response(status, headers, exc_info)


def _trial(state: AppState, environ: dict[str, Any]) -> None:
    """Report what the report-only policy would refuse; never touches the response."""
    if "HTTP_ORIGIN" not in environ or state.report_table is None:
        return
    path = wsgi_path(environ.get("PATH_INFO") or "")
    if path is None:
        return
    row = state.report_table.match(path)
    if row is None:
        return
    decision = decide(row.value.policy, environ)
    if not decision.allowed:
        report_refusal(state, row.value, decision, path, environ, report_only=True)
