"""The Flask adapter: ``CORS(app)`` / ``init_app``, and where policies are applied.

This is the only module (with :mod:`~flask_crossorigin.decorator`) that touches Flask. It
compiles options into policies when the app is set up; per request, the decided headers are
applied in one of two places, with the same result (docs/architecture.md):

* for apps whose policies depend only on the path, :class:`CORSMiddleware` in front of Flask
  answers preflights before Flask builds a request, and adds headers to every other response as
  it starts, after the views, error handlers and hooks have run;
* otherwise a ``before_request`` hook placed *first* answers preflights (so authentication hooks,
  404s and trailing-slash redirects never get in the way, F36), and an ``after_request`` hook adds
  headers to every other response; Flask also runs it for responses built from errors
  (``abort()``, error handlers, unhandled exceptions, routing 404/405), so those stay readable to
  the page (F22, F42).

Which policy covers a request: a ``@cross_origin`` view's own policy, else the innermost
blueprint whose ``CORS(blueprint)`` resources match the path, else the app's resources.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Callable, cast

from flask import Blueprint, Flask, Request, Response, request
from flask.blueprints import BlueprintSetupState
from flask.ctx import RequestContext
from flask.globals import request_ctx

try:
    from flask.globals import _cv_request
except ImportError:  # pragma: no cover - a Flask without the context variable
    _cv_request = None  # type: ignore[assignment]
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import MapAdapter
from werkzeug.routing.exceptions import RoutingException

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
from .policy import DEBUG_HEADER, GRANT_HEADERS, Decision, Policy
from .resources import Resource, ResourceTable

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .decorator import ViewSpec
    from .types import CORSOptions

logger = logging.getLogger("flask_crossorigin")
#: Bound once: the hook asks on every response, and logging caches the answer per level.
_debug_enabled = logger.isEnabledFor
_DEBUG = logging.DEBUG

EXTENSION_KEY = "flask_crossorigin"
#: Set on a view function by ``@cross_origin``; its value is a :class:`ViewSpec`.
SPEC_ATTRIBUTE = "__crossorigin_spec__"
#: WSGI environ markers for this request.
HANDLED_KEY = "flask_crossorigin.handled"
ERROR_KEY = "flask_crossorigin.error"
#: The row of a decorated view, for its after-this-request function (decorator without hooks).
ROW_KEY = "flask_crossorigin.row"

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
                flask_app = cast(Flask, setup.app)
                state = app_state(flask_app)
                state.blueprint_tables[name] = _compile_table(
                    flask_app, layers, f"CORS({name})", scope=f"blueprint {name!r} "
                )
                state.forget()

            app.record(register)
            return
        if not isinstance(app, Flask):
            raise TypeError(f"CORS() takes a Flask app or a Blueprint, not {type(app).__name__}.")
        state = app_state(app)
        state.table = _compile_table(app, layers, "CORS")
        state.forget()
        state.compile_views()


def _compile_table(
    app: Flask, layers: tuple[Layer, Layer], where: str, scope: str = ""
) -> ResourceTable[Policy]:
    config = config_layer(app.config)
    stack = [config, *layers]
    resources: tuple[Any, str] = (DEFAULT_RESOURCES, "default")
    for layer in stack:
        resources = layer.get("resources", resources)
    base = [{k: v for k, v in layer.items() if k != "resources"} for layer in stack]
    return ResourceTable(
        resource_entries(resources[0], resources[1], base, where=where, scope=scope)
    )


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
        self._specs: dict[ViewSpec, Row] = {}
        #: Bumped whenever the policies change, so caches of what they imply are dropped.
        self.generation = 0
        #: See mode(); None until known.
        self._mode: tuple[bool, bool] | None = None
        self._signature: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    # -- set-up ----------------------------------------------------------------------------------

    def install_hooks(self) -> None:
        """Set the app up once; calling ``CORS(app)`` again only replaces the policies.

        In front of Flask itself goes :class:`CORSMiddleware`. Which Flask hooks an app also
        needs is known only once its routes and hooks are all registered, so the middleware
        installs them at the first request that needs them (see :meth:`mode`). Where something
        else already wrapped ``wsgi_app`` (it may rewrite the path), the hooks do everything.
        """
        app = self.app
        _mark_errors(app)
        wsgi_app = app.wsgi_app
        if getattr(wsgi_app, "__func__", None) is type(app).wsgi_app:
            app.wsgi_app = CORSMiddleware(wsgi_app, self)  # type: ignore[method-assign]
        else:
            self._mode = (False, False)
            self._install_flask_hooks(after=True)
        self.hooks_installed = True

    def _install_flask_hooks(self, *, after: bool) -> None:
        """Install the preflight hook (first in line) and, if *after*, the headers hook.

        New lists rather than inserts: a request in another thread may be iterating the old
        ones, and must not see them shift under it.
        """
        with self._lock:
            app = self.app
            before = app.before_request_funcs.get(None, [])
            if self._before_request not in before:
                app.before_request_funcs[None] = [self._before_request, *before]
            funcs = app.after_request_funcs.get(None, [])
            if after and self._after_request not in funcs:
                app.after_request_funcs[None] = [*funcs, self._after_request]

    def forget(self) -> None:
        """Drop per-endpoint memos after the policies changed."""
        self.generation += 1
        self._views.clear()
        if self._mode != (False, False):
            self._mode = None

    def mode(self) -> tuple[bool, bool]:
        """Where this app's CORS work happens: (headers below Flask, preflights below Flask).

        Headers are added by the middleware, as the response starts, when only the app's resource
        table can apply: blueprint and decorator policies need Flask's routing, and then the
        ``after_request`` hook does it. Preflights are answered by the middleware when, moreover,
        no ``after_request`` hook exists that would have run on them; otherwise the
        ``before_request`` hook, first in line, answers them. Either way the decision, status and
        headers are the same (tests compare them).

        Flask refuses new routes and hooks once it has served a request; until then the answer is
        re-checked whenever the app's setup changed. Hooks, once installed, stay.
        """
        app = self.app
        if self._mode == (False, False):
            return self._mode
        if not getattr(app, "_got_first_request", True):
            signature = (
                len(app.view_functions),
                sum(len(funcs) for funcs in app.after_request_funcs.values()),
                len(self.blueprint_tables),
            )
            if signature != self._signature:
                self._signature = signature
                self._mode = None
        if self._mode is None:
            headers_below = (
                self.table is not None
                and not self.blueprint_tables
                and not any(hasattr(view, SPEC_ATTRIBUTE) for view in app.view_functions.values())
            )
            preflights_below = headers_below and not any(app.after_request_funcs.values())
            if not preflights_below:
                self._install_flask_hooks(after=not headers_below)
            self._mode = (headers_below, preflights_below)
        return self._mode

    def compile_views(self) -> None:
        """Compile the policies of ``@cross_origin`` views already registered, to fail early."""
        for view in list(self.app.view_functions.values()):
            spec = getattr(view, SPEC_ATTRIBUTE, None)
            if spec is not None:
                self.policy_for_spec(spec)

    def policy_for_spec(self, spec: ViewSpec) -> Policy:
        """The decorator's policy for this app: its arguments over this app's config."""
        return self.row_for_spec(spec).value

    def row_for_spec(self, spec: ViewSpec) -> Row:
        """The decorated view's row (its policy and label), compiled once per app."""
        row = self._specs.get(spec)
        if row is None:
            policy = build_policy(merge(config_layer(self.app.config), spec.layer))
            row = Resource("", "", False, None, policy, f"@cross_origin on view {spec.view_name!r}")
            self._specs[spec] = row
        return row

    def after_view(self, response: Response) -> Response:
        """Headers for a decorated view's response when the app has no hooks of ours."""
        req = _current_request()
        row = req.environ.get(ROW_KEY)
        if row is not None:
            apply_policy(row, response, req.path, req.environ)
        return response

    # -- resolution ------------------------------------------------------------------------------

    def resolve(
        self, path: str, endpoint: str | None, blueprints: Callable[[], list[str]]
    ) -> Row | None:
        """The row (policy and where it came from) that covers a request.

        *blueprints* is called only when a blueprint has a policy: computing the list costs more
        than the rest of the lookup.
        """
        try:
            row = self._views[endpoint]
        except KeyError:
            row = self._view_row(endpoint)
        if row is not None:
            return row
        if self.blueprint_tables:
            for name in blueprints():
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
                row = self.row_for_spec(spec)
        self._views[endpoint] = row
        return row

    def resolve_path(self, path: str, method: str = "GET") -> Row | None:
        """The row that would cover a *method* request to *path*, routed as Flask would route it.

        For tools (``flask cors check``, ``flask cors routes``, the playground) that ask about a
        request without making one.
        """
        return self.resolve_endpoint(path, self.endpoint_for(path, method))

    def resolve_endpoint(self, path: str, endpoint: str | None) -> Row | None:
        """The row covering *path* when Flask routed it to *endpoint* (``None``: no route)."""
        if endpoint is None:
            return self.resolve(path, None, list)
        return self.resolve(path, endpoint, lambda: _blueprints_of(endpoint))

    def endpoint_for(self, path: str, method: str = "GET") -> str | None:
        """The endpoint whose policy the hooks would apply to *method* *path*.

        A routing 405 still finds the endpoint the path matched, exactly as the hooks do; a 404
        or a redirect finds none, and then only the app's table can apply.
        """
        adapter = self.app.url_map.bind(self.app.config.get("SERVER_NAME") or "localhost")
        try:
            rule, _ = adapter.match(path, method, return_rule=True)
            return cast(str, rule.endpoint)
        except MethodNotAllowed as exc:
            return _endpoint_under_other_method(adapter, exc, path)
        except (HTTPException, RoutingException):
            return None

    def _resolve_request(self, req: Request) -> Row | None:
        rule = req.url_rule
        if rule is not None:
            return self.resolve(req.path, rule.endpoint, lambda: req.blueprints)
        endpoint = _endpoint_of_405(req)
        if endpoint is not None:
            return self.resolve(req.path, endpoint, lambda: _blueprints_of(endpoint))
        return self.resolve(req.path, None, list)

    # -- hooks -----------------------------------------------------------------------------------

    def _before_request(self) -> Response | None:
        req = _current_request()
        environ = req.environ
        if not is_preflight(environ):
            return None  # F2: an OPTIONS without ACRM is an ordinary request for the app
        row = self._resolve_request(req)
        if row is None or not row.value.automatic_options:
            return None
        decision = preflight_decision(row.value, environ)
        environ[HANDLED_KEY] = True
        return preflight_response(self.app.response_class, decision, row, req.path, environ)

    def _after_request(self, response: Response) -> Response:
        # Every response passes here, so the common case (a routed view, no decorator, no
        # blueprint policy) is spelled out: a memo lookup per step, no allocation.
        req = _cv_request.get().request if _cv_request is not None else _current_request()
        environ = req.environ
        if HANDLED_KEY in environ:
            return response
        rule = req.url_rule
        if rule is None or self.blueprint_tables:
            row = self._resolve_request(req)
        else:
            try:
                row = self._views[rule.endpoint]
            except KeyError:
                row = self._view_row(rule.endpoint)
            if row is None and self.table is not None:
                row = self.table.match(req.path)
        if row is None:
            return response
        policy = row.value
        if environ["REQUEST_METHOD"] == "OPTIONS" or not policy.intercept_exceptions:
            apply_policy(row, response, req.path, environ)  # the rarer cases, in full
            return response
        decision = policy.actual(environ.get("HTTP_ORIGIN"))
        apply_decision(response.headers, decision)
        if _debug_enabled(_DEBUG):
            log_decision(decision, row, req.path, environ)
        return response


class CORSMiddleware:
    """WSGI middleware in front of Flask: the whole CORS layer for apps that allow it.

    For apps whose policies depend only on the path (:meth:`AppState.mode`), it answers
    preflights before Flask builds a request, and adds the decided headers to every other
    response as it starts: after the view, error handlers and ``after_request`` hooks have run,
    so headers they set are respected and errors are covered as with the hooks. That skips Flask's
    per-hook dispatch and Werkzeug's re-validation of our headers, which cost more than the
    decision itself. Other apps pass straight through to the hooks.
    """

    def __init__(self, wsgi_app: Callable[..., Any], state: AppState) -> None:
        self.wsgi_app = wsgi_app
        self.state = state
        self._paths: dict[str, str] = {}
        self._mode = (False, False)
        self._settled = -1  # the state generation whose mode is final

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        state = self.state
        if self._settled == state.generation:
            headers_below, preflights_below = self._mode
        else:
            headers_below, preflights_below = self._mode = state.mode()
            if getattr(state.app, "_got_first_request", False):
                # Flask accepts no more routes or hooks: the mode holds until CORS() runs again.
                self._settled = state.generation
        table = state.table
        if not headers_below or table is None:
            return self.wsgi_app(environ, start_response)
        path = self._path(environ.get("PATH_INFO") or "")
        row = table.match(path) if path is not None else None
        if row is None:
            return self.wsgi_app(environ, start_response)
        policy = row.value
        if preflights_below and policy.automatic_options and is_preflight(environ):
            status, headers = _preflight_answer(row, path, environ)  # type: ignore[arg-type]
            start_response(status, headers)
            return []

        def cors_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            if HANDLED_KEY not in environ and (
                policy.intercept_exceptions or ERROR_KEY not in environ
            ):
                if environ["REQUEST_METHOD"] == "OPTIONS":
                    decision = _decide(policy, environ)
                else:
                    decision = policy.actual(environ.get("HTTP_ORIGIN"))
                if not _append_if_clear(headers, decision):  # the hot path: one call
                    add_to_wsgi_headers(headers, decision)
                if _debug_enabled(_DEBUG):
                    log_decision(decision, row, path or "", environ)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, cors_start_response)

    def _path(self, raw: str) -> str | None:
        """``request.path`` as Werkzeug derives it from ``PATH_INFO``, memoised (bounded)."""
        path = self._paths.get(raw)
        if path is None:
            try:
                path = "/" + raw.encode("latin1").decode(errors="replace").lstrip("/")
            except (UnicodeError, AttributeError):
                return None
            if len(raw) <= 1024:
                if len(self._paths) >= 4096:
                    self._paths.clear()
                self._paths[raw] = path
        return path


def is_preflight(environ: dict[str, Any]) -> bool:
    """F2: ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``."""
    return (
        environ["REQUEST_METHOD"] == "OPTIONS"
        and "HTTP_ORIGIN" in environ
        and _ENVIRON_ACRM in environ
    )


def preflight_decision(policy: Policy, environ: dict[str, Any]) -> Decision:
    """*policy*'s answer to the preflight in *environ* (check :func:`is_preflight` first)."""
    return policy.preflight(
        environ["HTTP_ORIGIN"],
        environ[_ENVIRON_ACRM],
        environ.get(_ENVIRON_ACRH),
        environ.get(_ENVIRON_ACRPN),
    )


def _decide(policy: Policy, environ: dict[str, Any]) -> Decision:
    """The decision for an ordinary response, or for a preflight the app answered itself."""
    if is_preflight(environ):
        return preflight_decision(policy, environ)
    return policy.actual(environ.get("HTTP_ORIGIN"))


def _preflight_answer(row: Row, path: str, environ: dict[str, Any]) -> tuple[str, list[Any]]:
    """The status line and headers of the extension's own preflight answer (F36, F37)."""
    decision = preflight_decision(row.value, environ)
    headers: list[tuple[str, str]] = []
    add_to_wsgi_headers(headers, decision)
    if decision.allowed:
        status = "204 NO CONTENT"
    else:
        status = "403 FORBIDDEN"
        headers.append(("Content-Length", "0"))
    if _debug_enabled(_DEBUG):
        log_decision(decision, row, path, environ)
    return status, headers


def add_to_wsgi_headers(headers: list[tuple[str, str]], decision: Decision) -> None:
    """:func:`apply_decision` for a WSGI header list, as a response starts."""
    if not _append_if_clear(headers, decision):
        careful = Headers(headers)
        apply_decision(careful, decision)
        headers[:] = careful.to_wsgi_list()


def _append_if_clear(items: list[tuple[str, str]], decision: Decision) -> bool:
    """Append the decision's headers if none of the names we add or merge is present yet.

    That is the common case (the view set no CORS header and no ``Vary``), and then nothing needs
    merging. Every value is an option string checked at set-up or a request value that passed
    the origin or token grammar, so Werkzeug's per-value check is not needed. Returns False,
    having changed nothing, when the careful path must run.
    """
    for name, _ in items:
        if name.lower() in _WATCHED:
            return False
    items.extend(decision.headers)
    if decision.vary:
        items.append(("Vary", ", ".join(decision.vary)))
    return True


def apply_policy(row: Row, response: Response, path: str, environ: dict[str, Any]) -> None:
    """Decide for the current request under *row*'s policy and add the headers to *response*."""
    policy = row.value
    if not policy.intercept_exceptions and environ.get(ERROR_KEY):
        return
    decision = _decide(policy, environ)  # a preflight here is one the app answered itself
    apply_decision(response.headers, decision)
    if _debug_enabled(_DEBUG):
        log_decision(decision, row, path, environ)


def preflight_response(
    response_class: type[Response],
    decision: Decision,
    row: Row,
    path: str,
    environ: dict[str, Any],
) -> Response:
    """The extension's own answer to a preflight: 204 when allowed, 403 when refused (F37)."""
    response = response_class(status=204 if decision.allowed else 403)
    del response.headers["Content-Type"]  # an empty answer has no media type
    apply_decision(response.headers, decision)
    if _debug_enabled(_DEBUG):
        log_decision(decision, row, path, environ)
    return response


def apply_decision(headers: Headers, decision: Decision) -> None:
    """Add a decision's headers, respecting what the view set and merging ``Vary``.

    A response that already carries ``Access-Control-Allow-Origin`` was given CORS headers on
    purpose by the view; mixing ours in could pair its ``*`` with our credentials, so only
    ``Vary`` is merged then. The names present are read once: a missed lookup in Werkzeug's
    ``Headers`` builds an exception, which would cost more than everything else we do.
    """
    items = getattr(headers, "_list", None)
    if type(items) is list and _append_if_clear(items, decision):
        return
    present = {name.lower() for name, _ in headers}
    if decision.headers and "access-control-allow-origin" not in present:
        for name, value in decision.headers:
            if _LOWER[name] not in present:
                headers.add(name, value)
    if decision.vary:
        merged = merge_vary(", ".join(headers.getlist("Vary")) or None, decision.vary)
        if merged is not None:
            headers["Vary"] = merged


#: Lower-cased names of the headers decisions carry, to compare with what a response has.
_LOWER = {name: name.lower() for name in (*GRANT_HEADERS, DEBUG_HEADER)}
#: A response carrying any of these takes the careful path: respect them, merge ``Vary``.
_WATCHED = frozenset({*_LOWER.values(), "vary"})


def current_context() -> RequestContext:
    """The current request context (its ``app`` and ``request``), in one lookup."""
    if _cv_request is not None:
        return _cv_request.get()
    return request_ctx._get_current_object()


def _current_request() -> Request:
    """The current request, read from Flask's context variable where Flask exposes it.

    Going through the ``request`` proxy costs several attribute lookups on every response;
    the context variable is one C call. Flask 2.3 to 3.1 have it; otherwise use the proxy.
    """
    if _cv_request is not None:
        return _cv_request.get().request
    return request._get_current_object()


def log_decision(decision: Decision, row: Row, path: str, environ: dict[str, Any]) -> None:
    """One DEBUG line per decision, with every request value escaped."""
    logger.debug(
        "CORS %s %s %s: %s%s (origin=%s, request-method=%s, request-headers=%s; policy: %s)",
        "preflight" if decision.preflight else "request",
        escape_for_log(environ.get("REQUEST_METHOD")),
        escape_for_log(path),
        decision.reason.value,
        f" [{escape_for_log(decision.detail)}]" if decision.detail else "",
        escape_for_log(environ.get("HTTP_ORIGIN")),
        escape_for_log(environ.get(_ENVIRON_ACRM)),
        escape_for_log(environ.get(_ENVIRON_ACRH)),
        row.label,
    )


def _endpoint_of_405(req: Request) -> str | None:
    """For a routing 405, the endpoint of the rule the path did match (under another method)."""
    exc = req.routing_exception
    adapter = request_ctx.url_adapter
    if not isinstance(exc, MethodNotAllowed) or adapter is None:
        return None
    return _endpoint_under_other_method(adapter, exc)


def _endpoint_under_other_method(
    adapter: MapAdapter, exc: MethodNotAllowed, path: str | None = None
) -> str | None:
    """The endpoint the path matched when routing refused only its method; ``None`` if none."""
    if not exc.valid_methods:
        return None
    try:
        rule, _ = adapter.match(path, next(iter(exc.valid_methods)), return_rule=True)
    except (HTTPException, RoutingException):
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
