"""``CORS(app)`` / ``init_app``, and the WSGI middleware that is the one way requests go through.

``CORS(app)`` (or ``CORS(blueprint)``, once registered) wraps ``app.wsgi_app`` in
:class:`CORSMiddleware`, the middleware pattern Flask documents. Per request it does one of two
things (docs/architecture.md):

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
from typing import TYPE_CHECKING, Any, Callable

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

from ._adapter import (
    UNHANDLED_KEY,
    AppState,
    decide,
    is_preflight,
    log_decision,
    render_preflight,
    state_for,
    write_headers,
    wsgi_path,
)
from ._compat import current_request
from .options import EXTENSION_OPTIONS, Layer, check_names, config_layer

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .types import CORSOptions

logger = logging.getLogger("flask_crossorigin")
#: Bound once: the middleware asks on every response, and logging caches the answer per level.
_debug_enabled = logger.isEnabledFor
_DEBUG = logging.DEBUG


class CORS:
    """Cross-Origin Resource Sharing for a Flask app or blueprint.

    ``CORS(app, **options)`` applies at once; ``CORS(**options)`` then ``init_app(app)`` suits app
    factories. Options are those of flask-cors 6 (see ``docs/options.md``). With a blueprint, the
    policy covers only that blueprint's routes. Unknown option names raise :class:`TypeError`,
    invalid values raise :class:`~flask_crossorigin.ConfigError`, both here rather than at the
    first request. Calling ``CORS(app)`` again replaces the app's policy (with a WARNING when the
    configuration differs).

    .. versionadded:: 0.1
    """

    def __init__(
        self, app: Flask | Blueprint | None = None, **options: Unpack[CORSOptions]
    ) -> None:
        self._layer = check_names(options, allowed=EXTENSION_OPTIONS, where="CORS")
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask | Blueprint, **options: Unpack[CORSOptions]) -> None:
        """Apply the policy to *app*; keyword options here win over those given to ``CORS()``."""
        layer = check_names(options, allowed=EXTENSION_OPTIONS, where="init_app")
        layers = (self._layer, layer)
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
                "one replaces the first (flask-cors stacked them; see docs/migrating.md).",
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


def _attach(app: Flask) -> AppState:
    """The app's state, with the middleware in front of the app (installed once)."""
    state = state_for(app)
    if not state.has_middleware:
        app.wsgi_app = CORSMiddleware(app.wsgi_app, state)  # type: ignore[method-assign]
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
        if environ["REQUEST_METHOD"] == "OPTIONS" and is_preflight(environ):
            found = state.resolve_environ(environ, environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
            if found is not None and found.policy.automatic_options:
                path = wsgi_path(environ.get("PATH_INFO") or "") or ""
                status, headers = render_preflight(found, environ, path)
                start_response(status, headers)
                return []

        def cors_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
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
                        decision = policy.actual(environ.get("HTTP_ORIGIN"))
                    write_headers(headers, decision, policy)
                    if _debug_enabled(_DEBUG):
                        path = req.path if req is not None else environ.get("PATH_INFO", "")
                        log_decision(decision, found.source, path, environ)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, cors_start_response)
