"""The per-app plan: every policy compiled for one configuration, and how a request finds its own.

:class:`AppState` (``app.extensions['flask_crossorigin']``) keeps what the app was configured
with (``CORS(app)``'s option layers, each ``CORS(blueprint)``'s, the report-only policy's) and the
current :class:`Plan` built from it. A plan is never changed once built: any configuration change
(``CORS(app)`` again, ``init_app``, a blueprint registered, a view first seen) builds a new one
and swaps it whole, so nothing derived from the configuration is ever kept in step by hand. The
staleness check per request is one comparison: the number of the app's views.

A plan answers "which policy covers this request, and where was it set" with a :class:`Coverage`
(the policy and a typed :class:`Source`): a decorated view's own policy, else the innermost
blueprint with a ``CORS(blueprint)`` table whose patterns match the path, else the app's table.
The middleware, the decorator and the tools (``flask cors check/routes``, the playground) use
nothing else, so they cannot disagree.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Callable

from flask import Flask, Request, got_request_exception, has_request_context, request
from werkzeug.exceptions import MethodNotAllowed

from ._http import log_safely
from ._memo import Memo
from ._reporting import RefusalMemory
from ._routing import blueprints_of, endpoint_for, endpoint_under_other_method, wsgi_path
from ._sources import (
    SPEC_ATTRIBUTE,
    Coverage,
    Source,
    SourceKind,
    ViewSpec,
    ambiguous,
    misplaced,
    said_of,
    wrapper_answers,
)
from .errors import ConfigError, pass_on_once
from .options import DEFAULT_RESOURCES, Layer, build_policy, config_layer, merge, resource_entries
from .resources import ResourceTable

logger = logging.getLogger("flask_crossorigin")

EXTENSION_KEY = "flask_crossorigin"
#: WSGI environ marker: this request raised an exception no handler took (Flask's
#: ``got_request_exception``); ``intercept_exceptions=False`` leaves its response alone.
UNHANDLED_KEY = "flask_crossorigin.unhandled_exception"


Tables = tuple[ResourceTable[Coverage], ...]


class Plan:
    """Everything compiled for one app at one configuration (private; see the module docstring).

    Built whole from the app's config and *layers*; raises :class:`ConfigError` for anything
    that cannot be compiled, naming the decorated view where one is at fault. Its memos (routing
    per path and method, the refusing coverages of ambiguous paths, decorated views called
    outside routing) are its own, and go with it when it is replaced.
    """

    def __init__(
        self,
        app: Flask,
        app_layers: tuple[Layer, ...] | None,
        blueprint_layers: dict[str, tuple[Layer, ...]],
        report_layers: tuple[Layer, ...] | None,
        config: Layer | None = None,
        strict: bool = True,
    ) -> None:
        self.app = app
        #: The number of the app's views it was built for: one more means a view first seen.
        self.views_seen = len(app.view_functions)
        #: The app's config under the tables (as read at set-up), and under decorated views (as
        #: it is when the plan is built: a view first seen later sees the config of then).
        self._config = config_layer(app.config) if config is None else config
        self._view_config: Layer | None = None if config is not None else self._config
        #: ``CORS(app)``'s table, the blueprints' by registered (dotted) name, the report-only one.
        self.table = None if app_layers is None else self._compile(app_layers, "CORS")
        self.blueprint_tables = {
            name: self._compile(layers, f"CORS({name})", blueprint=name)
            for name, layers in blueprint_layers.items()
        }
        self.report_table = None
        if report_layers is not None:
            self.report_table = self._compile(report_layers, "CORS(report_only=True)", True)
        self.views: dict[ViewSpec, Coverage] = {}
        #: Per endpoint: its decorated view's coverage, and the tables that may apply, innermost
        #: first; ``fixed``: the endpoints whose coverage does not depend on the path.
        self.endpoints: dict[str | None, tuple[Coverage | None, Tables]] = {}
        self.fixed: dict[str | None, Coverage] = {}
        #: Decorated views whose options cannot be compiled over the app's config (a plan built
        #: at a request, not *strict*, keeps them here: each answers 500, the rest keep working).
        self.broken: dict[ViewSpec, ConfigError] = {}
        #: Endpoints whose view carries ``@cross_origin``'s mark without being its wrapper: the
        #: decorator was written above ``@app.route``, so it never runs.
        self.misplaced = [e for e, v in app.view_functions.items() if misplaced(v)]
        for endpoint, view in list(app.view_functions.items()):
            spec = getattr(view, SPEC_ATTRIBUTE, None)
            try:
                self._endpoint(endpoint, spec)
            except ConfigError as error:
                assert isinstance(spec, ViewSpec)
                self.broken[spec] = error
                self.endpoints[endpoint] = (None, ())
        if strict and self.broken:
            raise ConfigError.combine(list(self.broken.values()))
        self._endpoint(None, None)
        #: Endpoints whose own view answers ``OPTIONS`` (it declares the method, so Flask does
        #: not): preflights to them reach the app (migration issue item 1).
        self.own_options = frozenset(
            str(rule.endpoint)
            for rule in app.url_map.iter_rules()
            if getattr(rule, "provide_automatic_options", None) is False
            and "OPTIONS" in (rule.methods or ())
            and not wrapper_answers(app.view_functions.get(str(rule.endpoint)))
        )
        #: Whether a policy depends on the route (a blueprint's, a view's), not only the path.
        self.routing = bool(self.blueprint_tables or self.views)
        self.routes: Memo[tuple[str, ...], str | None] = Memo(4096)
        self.ambiguous: Memo[tuple[object, object], Coverage] = Memo(256)

    def _compile(
        self,
        layers: tuple[Layer, ...],
        where: str,
        report_only: bool = False,
        blueprint: str | None = None,
    ) -> ResourceTable[Coverage]:
        """``resources`` over the app config and *layers*, compiled into a table of coverages.

        With *report_only*, every source label starts with ``report-only``, so a report-only
        refusal never passes for an enforced one in a log line, a signal or ``flask cors routes``.
        """
        stack = [self._config, *layers]
        resources: tuple[Any, str] = (DEFAULT_RESOURCES, "default")
        for layer in stack:
            resources = layer.get("resources", resources)
        base = [{k: v for k, v in layer.items() if k != "resources"} for layer in stack]
        scope = ("report-only " if report_only else "") + (
            f"blueprint {blueprint!r} " if blueprint is not None else ""
        )
        entries = resource_entries(resources[0], resources[1], base, where=where, scope=scope)
        kind = SourceKind.RESOURCE if blueprint is None else SourceKind.BLUEPRINT
        rows = []
        for pattern, policy, label in entries:
            shown = pattern if isinstance(pattern, str) else pattern.pattern
            source = Source(kind, label, pattern=shown, blueprint=blueprint)
            rows.append((pattern, Coverage(policy, source), label))
        return ResourceTable(rows)

    def view(self, spec: ViewSpec) -> Coverage:
        """A decorated view's coverage: its arguments over the app's config, compiled once."""
        found = self.views.get(spec)
        if found is None:
            if self._view_config is None:
                self._view_config = config_layer(self.app.config)
            try:
                policy = build_policy(merge(self._view_config, spec.layer))
            except ConfigError as error:
                prefix = f"@cross_origin on view {spec.view_name!r}, over the app's CORS_* config: "
                raise error.prefixed(prefix) from None
            label = f"@cross_origin on view {spec.view_name!r}"
            found = self.views[spec] = Coverage(
                policy, Source(SourceKind.VIEW, label, view=spec.view_name)
            )
        return found

    def _endpoint(self, endpoint: str | None, spec: object) -> tuple[Coverage | None, Tables]:
        view = self.view(spec) if isinstance(spec, ViewSpec) else None
        named = (self.blueprint_tables.get(name) for name in blueprints_of(endpoint))
        tables = [table for table in named if table is not None]
        if self.table is not None:
            tables.append(self.table)
        entry = self.endpoints[endpoint] = (view, tuple(tables))
        fixed = view if view is not None else (tables[0].everywhere if tables else None)
        if fixed is not None:
            self.fixed[endpoint] = fixed
        return entry

    # -- resolution -----------------------------------------------------------------------------

    def resolve(self, path: str, endpoint: str | None) -> Coverage | None:
        """The policy covering a request to *path* that Flask routes to *endpoint*."""
        entry = self.endpoints.get(endpoint)
        view, tables = entry if entry is not None else self._endpoint(endpoint, None)
        if view is not None:
            return view
        for table in tables:
            if table is self.table:
                return self.match_path(table, path)
            row = table.match(path)
            if row is not None:
                return row.value
        return None

    def resolve_request(self, req: Request) -> Coverage | None:
        """The policy covering the request Flask routed (the current one, as a response starts)."""
        if not self.routing:
            table = self.table
            if table is None:
                return None
            if table.everywhere is not None:  # the default resources: no path to look up
                return table.everywhere
            return self.match_path(table, req.path)
        rule = req.url_rule
        if rule is not None:
            fixed = self.fixed.get(rule.endpoint)
            return fixed if fixed is not None else self.resolve(req.path, rule.endpoint)
        endpoint = None
        if isinstance(req.routing_exception, MethodNotAllowed):
            # A routing 405 still takes the policy of the view its path matched.
            endpoint = endpoint_under_other_method(self.app, req.environ, req.routing_exception)
        return self.resolve(req.path, endpoint)

    def resolve_environ(
        self, environ: dict[str, Any], method: str, path: str | None = None
    ) -> Coverage | None:
        """The policy covering the request in *environ*, routed as if its method were *method*.

        For preflights, answered before Flask: *method* is the ``Access-Control-Request-Method``,
        so the preflight takes the policy of the view that will serve the actual request.
        *path* is ``PATH_INFO`` as Werkzeug reads it, if the caller has it already.
        """
        if path is None:
            path = wsgi_path(environ.get("PATH_INFO") or "")
        if path is None:
            return None
        if not self.routing:
            return None if self.table is None else self.match_path(self.table, path)
        return self.resolve(path, endpoint_for(self.app, environ, method, self.routes))

    def answers_itself(self, environ: dict[str, Any]) -> bool:
        """Whether the view Flask routes this ``OPTIONS`` request to answers it itself."""
        return bool(self.own_options) and (
            endpoint_for(self.app, environ, "OPTIONS", self.routes) in self.own_options
        )

    def match_path(self, table: ResourceTable[Coverage], path: str) -> Coverage | None:
        """The coverage *table* gives *path*, failing closed when the path reads two ways.

        A path with ``.`` or ``..`` segments has two readings: as the server decoded it, which
        Flask routes (``..`` left in: ``/admin/files/x/../../api/y`` is served by
        ``/admin/files/<path:name>``), and resolved, which a view such as
        ``send_from_directory`` may act on (flask-cors's CVE-2020-25032 was that way round).
        Either can be the one that matters, so when they select different rows the request is
        granted nothing (``path_ambiguous``, security issue item 1). Only tables found by path
        use this: a decorated view's and a blueprint's policy are the routed endpoint's.
        """
        row = table.match(path)
        if "/." in path:
            sent = table.match_as_sent(path)
            if sent is not row:
                found = self.ambiguous.get((sent, row))
                if found is None:
                    found = ambiguous(sent, row)
                    self.ambiguous.keep((sent, row), found)
                return found
        return None if row is None else row.value


# -- per-app state --------------------------------------------------------------------------------


def state_for(app: Flask) -> AppState:
    """The app's CORS state, created on first use (and marking unhandled exceptions from then)."""
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        created = AppState(app)
        state = app.extensions.setdefault(EXTENSION_KEY, created)
        if state is created:
            # Flask's public signal for exceptions no handler took (sent in handle_exception).
            got_request_exception.connect(_mark_unhandled, app, weak=False)
    assert isinstance(state, AppState)
    return state


def peek_state(app: Flask) -> AppState:
    """The app's state if it has one, else a detached one that changes nothing on the app.

    For tools that only ask questions (``flask cors routes`` on an app with only decorated
    views): a detached state resolves decorated views exactly as the decorator does.
    """
    state = app.extensions.get(EXTENSION_KEY)
    return state if isinstance(state, AppState) else AppState(app)


def plan_of(app: Flask) -> Plan:
    """The app's current plan, for the tools and the tests (the one seam they observe it by).

    Raises the :class:`ConfigError` of every decorated view that cannot be compiled: the tools
    (``flask cors routes``, ``check``, ``testing.check``) report it rather than work around it.
    """
    plan = peek_state(app).plan()
    if plan.broken:
        raise ConfigError.combine(list(plan.broken.values()))
    return plan


def _mark_unhandled(sender: Flask, **extra: Any) -> None:
    if has_request_context():
        request.environ[UNHANDLED_KEY] = True


class AppState:
    """What one app was configured with, and the plan currently built from it (private)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        #: ``CORS(app)``'s option layers (``None`` until it runs) and their values, to warn
        #: when a second call changes them; each ``CORS(blueprint)``'s by registered name; the
        #: report-only policy's.
        self.app_layers: tuple[Layer, ...] | None = None
        self.configuration: object = None
        self.blueprint_layers: dict[str, tuple[Layer, ...]] = {}
        self.report_layers: tuple[Layer, ...] | None = None
        #: The app's ``CORS_*`` config as read at the last set-up (``None``: read when a plan is
        #: built, as for decorated views alone, compiled at the first request).
        self.config: Layer | None = None
        #: Whether ``CORS(app)`` or ``CORS(blueprint)`` enforces through the middleware, and
        #: whether the middleware is in front of the app at all (also in view mode).
        self.has_middleware = False
        self.wrapped = False
        #: Requests a decorated view marked that the middleware did not see (the decorator's
        #: ``request_finished`` receiver is connected while there are any).
        self.unseen = 0
        self.finisher: Callable[..., None] | None = None
        #: Which refusals were logged lately (``log_refusals``, report-only): per app, bounded.
        self.refusals = RefusalMemory()
        self.current: Plan | None = None
        self._warned: set[tuple[type[Warning], str]] = set()
        #: What the app's plans said in its log (a broken or misplaced view), said once.
        self._told: set[tuple[str, str]] = set()

    def configure(self, **changes: Any) -> None:
        """Change what the app is configured with and build its plan: set-up errors surface
        here, and then nothing has changed. The app's ``CORS_*`` config is read now, as
        ``CORS(app)`` reads it, and plans built later for views first seen use the same."""
        changes["config"] = config_layer(self.app.config)
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            self.rebuild(strict=True)
        except BaseException:
            for name, value in before.items():
                setattr(self, name, value)
            raise

    def rebuild(self, strict: bool = False) -> Plan:
        """Build the plan anew from the configuration and swap it in whole.

        Compiling again says again what compiling said before (a legacy spelling's
        DeprecationWarning, say): each warning is passed on the first time this app's plans
        give it, with the place it names, and not again on later rebuilds.
        """
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            plan = Plan(
                self.app,
                self.app_layers,
                self.blueprint_layers,
                self.report_layers,
                self.config,
                strict,
            )
        pass_on_once(said, self._warned)
        for told, text in said_of(plan.broken, plan.misplaced):
            self.tell(told, text, logging.ERROR if told[0] == "broken" else logging.WARNING)
        self.current = plan
        return plan

    def tell(self, told: tuple[str, str], text: str, level: int = logging.WARNING) -> None:
        """Log *text* the first time this app has *told* something (bounded: app-defined keys)."""
        if told not in self._told:
            self._told.add(told)
            log_safely(logger, level, text)

    def plan(self) -> Plan:
        """The current plan, rebuilt first if a view was added since it was built."""
        plan = self.current
        if plan is None or plan.views_seen != len(self.app.view_functions):
            plan = self.rebuild()
        return plan
