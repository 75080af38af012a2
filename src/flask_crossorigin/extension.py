"""The Flask adapter: ``CORS(app)`` / ``init_app`` and the hooks that apply policies.

This is the only module (with :mod:`~flask_crossorigin.decorator`) that touches Flask. It
compiles options into policies when the app is set up, then per request it:

* answers preflights in a ``before_request`` hook placed *first*, so authentication hooks, 404s
  and trailing-slash redirects never get in the way of a preflight (F36);
* adds the decided headers to every other response in an ``after_request`` hook, which Flask also
  runs for responses built from errors (``abort()``, error handlers, unhandled exceptions, routing
  404/405), so those stay readable to the page (F22, F42).

Which policy covers a request: a ``@cross_origin`` view's own policy, else the innermost
blueprint whose ``CORS(blueprint)`` resources match the path, else the app's resources.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable, cast

from flask import Blueprint, Flask, Response, request
from flask.blueprints import BlueprintSetupState
from flask.globals import request_ctx
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from ._http import escape_for_log, merge_vary
from .options import (
    DEFAULT_RESOURCES,
    EXTENSION_OPTIONS,
    Layer,
    build_policy,
    check_names,
    config_layer,
    merge,
    resource_entries,
)
from .policy import ACAO, Decision, Policy
from .resources import Resource, ResourceTable

if TYPE_CHECKING:
    from .decorator import ViewSpec

logger = logging.getLogger("flask_crossorigin")

EXTENSION_KEY = "flask_crossorigin"
#: Set on a view function by ``@cross_origin``; its value is a :class:`ViewSpec`.
SPEC_ATTRIBUTE = "__crossorigin_spec__"
#: WSGI environ markers for this request.
HANDLED_KEY = "flask_crossorigin.handled"
ERROR_KEY = "flask_crossorigin.error"

_ENVIRON_ACRM = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
_ENVIRON_ACRH = "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"
_ENVIRON_ACRPN = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"

Row = Resource[Policy]


class CORS:
    """Cross-Origin Resource Sharing for a Flask app or blueprint.

    ``CORS(app, **options)`` applies at once; ``CORS(**options)`` then ``init_app(app)`` suits app
    factories. Options are those of flask-cors 6 (see ``docs/options.md``). With a blueprint, the
    policy covers only that blueprint's routes. Unknown option names raise :class:`TypeError`,
    invalid values raise :class:`~flask_crossorigin.ConfigError`, both here rather than at the
    first request.

    .. versionadded:: 0.1
    """

    def __init__(self, app: Flask | Blueprint | None = None, **options: Any) -> None:
        self._layer = check_names(options, allowed=EXTENSION_OPTIONS, where="CORS")
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask | Blueprint, **options: Any) -> None:
        """Apply the policy to *app*; keyword options here win over those given to ``CORS()``."""
        layer = check_names(options, allowed=EXTENSION_OPTIONS, where="init_app")
        layers = (self._layer, layer)
        if isinstance(app, Blueprint):

            def register(setup: BlueprintSetupState) -> None:
                name = f"{setup.name_prefix}.{setup.name}" if setup.name_prefix else setup.name
                flask_app = cast(Flask, setup.app)
                state = app_state(flask_app)
                state.blueprint_tables[name] = _compile_table(flask_app, layers, f"CORS({name})")
                state.forget()

            app.record(register)
            return
        if not isinstance(app, Flask):
            raise TypeError(f"CORS() takes a Flask app or a Blueprint, not {type(app).__name__}.")
        state = app_state(app)
        state.table = _compile_table(app, layers, "CORS")
        state.forget()
        state.compile_views()


def _compile_table(app: Flask, layers: tuple[Layer, Layer], where: str) -> ResourceTable[Policy]:
    config = config_layer(app.config)
    stack = [config, *layers]
    resources: tuple[Any, str] = (DEFAULT_RESOURCES, "default")
    for layer in stack:
        resources = layer.get("resources", resources)
    base = [{k: v for k, v in layer.items() if k != "resources"} for layer in stack]
    return ResourceTable(resource_entries(resources[0], resources[1], base, where=where))


def app_state(app: Flask) -> AppState:
    """The per-app state, created (with its hooks) on first use; never created twice."""
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        state = app.extensions.setdefault(EXTENSION_KEY, AppState(app))
    assert isinstance(state, AppState)
    if not state.hooks_installed:
        state.install_hooks()
    return state


class AppState:
    """Everything compiled for one app, and the hooks that use it.

    Private to the package; it lives in ``app.extensions['flask_crossorigin']``.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.table: ResourceTable[Policy] | None = None
        self.blueprint_tables: dict[str, ResourceTable[Policy]] = {}
        self.hooks_installed = False
        self._views: dict[str | None, Row | None] = {}
        self._specs: dict[ViewSpec, Policy] = {}

    # -- set-up ----------------------------------------------------------------------------------

    def install_hooks(self) -> None:
        """Register the hooks once; calling ``CORS(app)`` again only replaces the policies."""
        app = self.app
        app.before_request_funcs.setdefault(None, []).insert(0, self._before_request)
        app.after_request_funcs.setdefault(None, []).append(self._after_request)
        _mark_errors(app)
        self.hooks_installed = True

    def forget(self) -> None:
        """Drop per-endpoint memos after the policies changed."""
        self._views.clear()

    def compile_views(self) -> None:
        """Compile the policies of ``@cross_origin`` views already registered, to fail early."""
        for view in list(self.app.view_functions.values()):
            spec = getattr(view, SPEC_ATTRIBUTE, None)
            if spec is not None:
                self.policy_for_spec(spec)

    def policy_for_spec(self, spec: ViewSpec) -> Policy:
        """The decorator's policy for this app: its arguments over this app's config."""
        policy = self._specs.get(spec)
        if policy is None:
            policy = build_policy(merge(config_layer(self.app.config), spec.layer))
            self._specs[spec] = policy
        return policy

    # -- resolution ------------------------------------------------------------------------------

    def resolve(self, path: str, endpoint: str | None, blueprints: list[str]) -> Row | None:
        """The row (policy and where it came from) that covers a request."""
        try:
            row = self._views[endpoint]
        except KeyError:
            row = self._view_row(endpoint)
        if row is not None:
            return row
        if self.blueprint_tables:
            for name in blueprints:
                table = self.blueprint_tables.get(name)
                if table is not None:
                    found = table.match(path)
                    if found is not None:
                        return found
        if self.table is not None:
            return self.table.match(path)
        return None

    def _view_row(self, endpoint: str | None) -> Row | None:
        row: Row | None = None
        if endpoint is not None:
            view = self.app.view_functions.get(endpoint)
            spec = getattr(view, SPEC_ATTRIBUTE, None)
            if spec is not None:
                policy = self.policy_for_spec(spec)
                row = Resource("", "", False, None, policy, f"@cross_origin on view {endpoint!r}")
        self._views[endpoint] = row
        return row

    def _resolve_request(self) -> Row | None:
        rule = request.url_rule
        if rule is not None:
            return self.resolve(request.path, rule.endpoint, request.blueprints)
        endpoint = _endpoint_of_405()
        if endpoint is not None:
            return self.resolve(request.path, endpoint, _blueprints_of(endpoint))
        return self.resolve(request.path, None, [])

    # -- hooks -----------------------------------------------------------------------------------

    def _before_request(self) -> Response | None:
        environ = request.environ
        if environ["REQUEST_METHOD"] != "OPTIONS":
            return None
        origin = environ.get("HTTP_ORIGIN")
        request_method = environ.get(_ENVIRON_ACRM)
        if origin is None or request_method is None:
            return None  # F2: not a preflight, an ordinary OPTIONS request for the app
        row = self._resolve_request()
        if row is None or not row.value.automatic_options:
            return None
        decision = row.value.preflight(
            origin, request_method, environ.get(_ENVIRON_ACRH), environ.get(_ENVIRON_ACRPN)
        )
        environ[HANDLED_KEY] = True
        return preflight_response(self.app.response_class, decision, row)

    def _after_request(self, response: Response) -> Response:
        environ = request.environ
        if HANDLED_KEY in environ:
            return response
        row = self._resolve_request()
        if row is not None:
            apply_policy(row, response)
        return response


def apply_policy(row: Row, response: Response) -> None:
    """Decide for the current request under *row*'s policy and add the headers to *response*."""
    policy = row.value
    environ = request.environ
    if not policy.intercept_exceptions and environ.get(ERROR_KEY):
        return
    origin = environ.get("HTTP_ORIGIN")
    request_method = environ.get(_ENVIRON_ACRM)
    if environ["REQUEST_METHOD"] == "OPTIONS" and origin is not None and request_method is not None:
        # A preflight the app answered itself (automatic_options=False): grant it if allowed.
        decision = policy.preflight(
            origin, request_method, environ.get(_ENVIRON_ACRH), environ.get(_ENVIRON_ACRPN)
        )
    else:
        decision = policy.actual(origin)
    apply_decision(response.headers, decision)
    if logger.isEnabledFor(logging.DEBUG):
        log_decision(decision, row)


def preflight_response(response_class: type[Response], decision: Decision, row: Row) -> Response:
    """The extension's own answer to a preflight: 204 when allowed, 403 when refused (F37)."""
    response = response_class(status=204 if decision.allowed else 403)
    del response.headers["Content-Type"]  # an empty answer has no media type
    apply_decision(response.headers, decision)
    if logger.isEnabledFor(logging.DEBUG):
        log_decision(decision, row)
    return response


def apply_decision(headers: Headers, decision: Decision) -> None:
    """Add a decision's headers, respecting what the view set and merging ``Vary``.

    A response that already carries ``Access-Control-Allow-Origin`` was given CORS headers on
    purpose by the view; mixing ours in could pair its ``*`` with our credentials, so only
    ``Vary`` is merged then.
    """
    if decision.headers and ACAO not in headers:
        for name, value in decision.headers:
            if name not in headers:
                headers[name] = value
    if decision.vary:
        existing = headers.getlist("Vary")
        merged = merge_vary(", ".join(existing) if existing else None, decision.vary)
        if merged is not None:
            headers["Vary"] = merged


def log_decision(decision: Decision, row: Row) -> None:
    """One DEBUG line per decision, with every request value escaped."""
    environ = request.environ
    logger.debug(
        "CORS %s %s %s: %s%s (origin=%s, request-method=%s, request-headers=%s; policy: %s)",
        "preflight" if decision.preflight else "request",
        escape_for_log(environ.get("REQUEST_METHOD")),
        escape_for_log(request.path),
        decision.reason.value,
        f" [{escape_for_log(decision.detail)}]" if decision.detail else "",
        escape_for_log(environ.get("HTTP_ORIGIN")),
        escape_for_log(environ.get(_ENVIRON_ACRM)),
        escape_for_log(environ.get(_ENVIRON_ACRH)),
        row.label,
    )


def _endpoint_of_405() -> str | None:
    """For a routing 405, the endpoint of the rule the path did match (under another method)."""
    exc = request.routing_exception
    if not isinstance(exc, MethodNotAllowed) or not exc.valid_methods:
        return None
    adapter = request_ctx.url_adapter
    if adapter is None:
        return None
    try:
        rule, _ = adapter.match(method=next(iter(exc.valid_methods)), return_rule=True)
    except HTTPException:
        return None
    return cast(str, rule.endpoint)


def _blueprints_of(endpoint: str) -> list[str]:
    parts = endpoint.split(".")[:-1]
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _mark_errors(app: Flask) -> None:
    """Mark responses built from exceptions, for policies with ``intercept_exceptions=False``.

    Flask runs ``after_request`` hooks on those responses too; the mark lets such a policy leave
    them alone, as flask-cors does.
    """
    for name in ("handle_user_exception", "handle_exception"):
        original: Callable[[Exception], Any] = getattr(app, name)

        def marked(e: Exception, _original: Callable[[Exception], Any] = original) -> Any:
            request.environ[ERROR_KEY] = True
            return _original(e)

        setattr(app, name, marked)


def iter_tables(state: AppState) -> Iterator[tuple[str, ResourceTable[Policy]]]:
    """Every resource table of an app, labelled; for introspection (``flask cors routes``)."""
    if state.table is not None:
        yield "app", state.table
    yield from state.blueprint_tables.items()
