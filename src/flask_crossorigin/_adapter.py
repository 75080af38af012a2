"""The Flask adapter's shared machinery: per-app state, one resolver, one merge rule, one renderer.

:mod:`~flask_crossorigin.extension` (``CORS`` and its WSGI middleware),
:mod:`~flask_crossorigin.decorator` (``@cross_origin``) and the tools
(:mod:`~flask_crossorigin.diagnosis`, the CLI, the playground) all go through this module, so
they cannot disagree about which policy covers a request or how its headers are written:

* :meth:`AppState.resolve` answers "which policy covers this request, and where was it set"
  with a :class:`Coverage`: the policy and a typed :class:`Source` (resource, blueprint or view);
* :func:`write_headers` is the one rule that merges a decision into a response's headers;
* :func:`render_preflight` is the one answer to a preflight the extension answers itself.

Everything here uses public Flask APIs; the one private read worth it for speed lives in
:mod:`~flask_crossorigin._compat`.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any, NamedTuple

from flask import Flask, Request, got_request_exception, has_request_context, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import MapAdapter
from werkzeug.routing.exceptions import RoutingException
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response

from ._compat import known_enabled
from ._http import escape_for_log, merge_vary
from ._refusals import RefusalMemory, log_safely
from ._reporting import report_refusal
from .errors import ConfigError
from .options import (
    DEFAULT_RESOURCES,
    Layer,
    build_policy,
    config_layer,
    merge,
    resource_entries,
)
from .policy import ACAC, ACAO, DEBUG_HEADER, GRANT_HEADERS, Decision, Policy, Reason
from .resources import Resource, ResourceTable
from .signals import cors_refused

logger = logging.getLogger("flask_crossorigin")

EXTENSION_KEY = "flask_crossorigin"
#: Set on a view function by ``@cross_origin``; its value is a :class:`ViewSpec`.
SPEC_ATTRIBUTE = "__crossorigin_spec__"
#: WSGI environ marker: this request raised an exception no handler took (Flask's
#: ``got_request_exception``); ``intercept_exceptions=False`` leaves its response alone.
UNHANDLED_KEY = "flask_crossorigin.unhandled_exception"

ENVIRON_ACRM = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
ENVIRON_ACRH = "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"
ENVIRON_ACRPN = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"

#: Bounded memos of request-chosen keys (paths, hosts): cleared when full. A key with any part
#: longer than a browser ever sends is never kept, so the memos are bounded in bytes as well as
#: in entries (security issue item 2): a path up to 1024 characters, a method up to 32, a
#: ``Host`` up to 261 (a 253-character DNS name, ``:`` and a port).
_MEMO_LIMIT = 4096
_MEMO_KEY_LIMIT = 1024
_MEMO_METHOD_LIMIT = 32
_MEMO_HOST_LIMIT = 261
#: Requested methods longer than this are routed as :data:`_OVERLONG_METHOD` (not a token, so no
#: route declares it).
_ROUTE_METHOD_LIMIT = 256
_OVERLONG_METHOD = "<overlong method>"


class SourceKind(str, Enum):
    """Where a policy was set."""

    RESOURCE = "resource"  #: a resource pattern of ``CORS(app)``
    BLUEPRINT = "blueprint"  #: a resource pattern of ``CORS(blueprint)``
    VIEW = "view"  #: ``@cross_origin`` on one view


class Source(NamedTuple):
    """Where the policy covering a request was set, typed so that tools need not parse labels.

    ``label`` names it the way a user finds it in their code (``resource '/api/*'``,
    ``blueprint 'shop' resource '/*'``, ``@cross_origin on view 'items'``).
    """

    kind: SourceKind
    label: str
    pattern: str | None = None
    blueprint: str | None = None
    view: str | None = None


class Coverage(NamedTuple):
    """The resolver's answer: the policy that covers a request and where it was set."""

    policy: Policy
    source: Source


class ViewSpec:
    """What ``@cross_origin(...)`` was given; hashable by identity, one per decorated view."""

    __slots__ = ("__weakref__", "layer", "owns_options", "view_name")

    def __init__(self, layer: Layer, view_name: str) -> None:
        self.layer = layer
        #: The view's ``__name__``: the endpoint Flask gives it unless told otherwise.
        self.view_name = view_name
        automatic = layer.get("automatic_options")
        #: Whether the wrapper answers ``OPTIONS`` (Flask then must route it to the view).
        self.owns_options = automatic is None or bool(automatic[0])


# -- per-app state and the resolver -------------------------------------------------------------


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


def _mark_unhandled(sender: Flask, **extra: Any) -> None:
    if has_request_context():
        request.environ[UNHANDLED_KEY] = True


class AppState:
    """Everything compiled for one app: its policies and the memos of how requests map to them.

    Private to the package; it lives in ``app.extensions['flask_crossorigin']``.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        #: ``CORS(app)``'s table, ``None`` until it runs.
        self.table: ResourceTable[Coverage] | None = None
        #: ``CORS(blueprint)`` tables by the blueprint's registered (dotted) name, and the
        #: option layers each was compiled from (to compile it again when the config changes).
        self.blueprint_tables: dict[str, ResourceTable[Coverage]] = {}
        self.blueprint_layers: dict[str, tuple[Layer, ...]] = {}
        #: Whether ``CORS(app)`` or ``CORS(blueprint)`` put the middleware in front of the app.
        self.has_middleware = False
        #: What ``CORS(app)`` was configured with, to warn when a second call changes it.
        self.configuration: object = None
        #: ``CORS(app, report_only=True)``'s table: decides nothing, reports what it would refuse.
        self.report_table: ResourceTable[Coverage] | None = None
        self.report_layers: tuple[Layer, ...] | None = None
        #: Whether the middleware is in front of the app (also for a report-only policy alone,
        #: which leaves ``has_middleware`` false: the decorator then keeps doing its own work).
        self.wrapped = False
        #: Requests a decorated view marked that the middleware did not see (the decorator's
        #: ``request_finished`` receiver is connected while there are any).
        self.unseen = 0
        #: Which refusals were logged lately (``log_refusals``, report-only): per app, bounded.
        self.refusals = RefusalMemory()
        self._endpoints: dict[
            str | None, tuple[Coverage | None, tuple[ResourceTable[Coverage], ...]]
        ] = {}
        #: The endpoints whose coverage does not depend on the path (a decorated view's, or a
        #: blueprint table that covers every path): one lookup answers for them.
        self._fixed: dict[str | None, Coverage] = {}
        #: Each decorated view's compiled coverage (read directly by the decorator's wrapper).
        self.view_coverages: dict[ViewSpec, Coverage] = {}
        self._routes: dict[tuple[str, ...], str | None] = {}
        #: The refusing coverage of each pair of rows an ambiguous path selected (item 1).
        self._ambiguous: dict[
            tuple[Resource[Coverage] | None, Resource[Coverage] | None], Coverage
        ] = {}
        #: The number of views and the generation when the routing question was last answered.
        self._seen_views = -1
        self._seen = -1
        self._routing = False
        #: Bumped whenever the policies change, so what was derived from them is dropped.
        self.generation = 0

    # -- set-up ---------------------------------------------------------------------------------

    def compile_table(
        self,
        layers: tuple[Layer, ...],
        where: str,
        blueprint: str | None = None,
        *,
        report_only: bool = False,
    ) -> ResourceTable[Coverage]:
        """Compile ``resources`` over the app config and *layers* into a table of coverages.

        With *report_only*, every source label starts with ``report-only``, so a report-only
        refusal never passes for an enforced one in a log line, a signal or ``flask cors routes``.
        """
        config = config_layer(self.app.config)
        stack = [config, *layers]
        resources: tuple[Any, str] = (DEFAULT_RESOURCES, "default")
        for layer in stack:
            resources = layer.get("resources", resources)
        base = [{k: v for k, v in layer.items() if k != "resources"} for layer in stack]
        scope = f"blueprint {blueprint!r} " if blueprint is not None else ""
        if report_only:
            scope = "report-only " + scope
        entries = resource_entries(resources[0], resources[1], base, where=where, scope=scope)
        kind = SourceKind.RESOURCE if blueprint is None else SourceKind.BLUEPRINT
        rows = []
        for pattern, policy, label in entries:
            shown = pattern if isinstance(pattern, str) else pattern.pattern
            source = Source(kind, label, pattern=shown, blueprint=blueprint)
            rows.append((pattern, Coverage(policy, source), label))
        return ResourceTable(rows)

    def recompile(self) -> None:
        """Compile again every table and view policy that was compiled over the app's config.

        ``CORS(app)`` calls it (after it compiled its own table): the app's ``CORS_*`` config may
        have changed since, and a blueprint, a report-only policy or a decorated view left on the
        old values would answer differently from a fresh app (security issue item 11).
        """
        self.blueprint_tables = {
            name: self.compile_table(layers, f"CORS({name})", blueprint=name)
            for name, layers in self.blueprint_layers.items()
        }
        if self.report_layers is not None:
            self.report_table = self.compile_table(
                self.report_layers, "CORS(report_only=True)", report_only=True
            )
        self.view_coverages = {}
        self.changed()

    def changed(self) -> None:
        """Drop everything derived from the policies after they changed."""
        self.generation += 1
        self._endpoints.clear()
        self._fixed.clear()
        self._routes.clear()
        self._ambiguous.clear()

    def compile_views(self) -> None:
        """Compile the policy of every decorated view registered so far (errors surface here)."""
        for view in list(self.app.view_functions.values()):
            spec = getattr(view, SPEC_ATTRIBUTE, None)
            if isinstance(spec, ViewSpec):
                self.coverage_for_spec(spec)

    def coverage_for_spec(self, spec: ViewSpec) -> Coverage:
        """A decorated view's coverage: its arguments over the app's config, compiled once."""
        found = self.view_coverages.get(spec)
        if found is None:
            try:
                policy = build_policy(merge(config_layer(self.app.config), spec.layer))
            except ConfigError as error:
                raise _for_view(error, spec.view_name) from None
            label = f"@cross_origin on view {spec.view_name!r}"
            found = Coverage(policy, Source(SourceKind.VIEW, label, view=spec.view_name))
            self.view_coverages[spec] = found
        return found

    def routing_needed(self) -> bool:
        """Whether a policy depends on the route (a blueprint's, a view's) and not only the path.

        Re-answered whenever views were added or policies changed (one ``len`` per request);
        answering compiles every decorated view's policy, so a view registered after
        ``CORS(app)`` with an impossible configuration fails at the first request rather than
        only when it is reached.
        """
        if len(self.app.view_functions) == self._seen_views and self.generation == self._seen:
            return self._routing
        self._endpoints.clear()
        self._fixed.clear()
        self._routes.clear()
        self.compile_views()
        self._routing = bool(self.blueprint_tables) or any(
            isinstance(getattr(view, SPEC_ATTRIBUTE, None), ViewSpec)
            for view in self.app.view_functions.values()
        )
        self._seen_views, self._seen = len(self.app.view_functions), self.generation
        return self._routing

    # -- resolution -----------------------------------------------------------------------------

    def resolve(self, path: str, endpoint: str | None) -> Coverage | None:
        """The policy covering a request to *path* that Flask routes to *endpoint*.

        A decorated view's own policy, else the innermost blueprint whose ``CORS(blueprint)``
        patterns match, else the app's table. What depends only on the endpoint (its view's
        policy, the tables that may apply, innermost first) is memoised per endpoint, so a
        request costs a lookup and, per table, a memoised path match.
        """
        try:
            view, tables = self._endpoints[endpoint]
        except KeyError:
            view, tables = self._endpoint_entry(endpoint)
        if view is not None:
            return view
        for table in tables:
            if table is self.table:
                return self.match_path(table, path)
            row = table.match(path)
            if row is not None:
                return row.value
        return None

    def match_path(self, table: ResourceTable[Coverage], path: str) -> Coverage | None:
        """The coverage *table* gives *path*, failing closed when the path reads two ways.

        A path with ``.`` or ``..`` segments has two readings: as the server decoded it, which
        Flask routes (``..`` left in, e.g. ``/admin/files/x/../../api/y`` served by
        ``/admin/files/<path:name>``), and resolved, which a view such as
        ``send_from_directory`` may act on (flask-cors's CVE-2020-25032 was the other way
        round). Either can be the one that matters, so when they select different rows the
        request is granted nothing (``path_ambiguous``, security issue item 1); when they agree,
        nothing changes. Only tables found by path use this: a decorated view's policy and a
        blueprint's are found by the endpoint Flask routed to.
        """
        row = table.match(path)
        if "/." not in path:
            return None if row is None else row.value
        sent = table.match_as_sent(path)
        if sent is row:
            return None if row is None else row.value
        key = (sent, row)
        found = self._ambiguous.get(key)
        if found is None:
            found = _ambiguous(sent, row)
            self._ambiguous[key] = found  # rows are the app's, so the pairs are few
        return found

    def _endpoint_entry(
        self, endpoint: str | None
    ) -> tuple[Coverage | None, tuple[ResourceTable[Coverage], ...]]:
        view: Coverage | None = None
        tables: list[ResourceTable[Coverage]] = []
        if endpoint is not None:
            spec = getattr(self.app.view_functions.get(endpoint), SPEC_ATTRIBUTE, None)
            if isinstance(spec, ViewSpec):
                view = self.coverage_for_spec(spec)
            for name in blueprints_of(endpoint):
                table = self.blueprint_tables.get(name)
                if table is not None:
                    tables.append(table)
        if self.table is not None:
            tables.append(self.table)
        entry = (view, tuple(tables))
        if len(self._endpoints) >= _MEMO_LIMIT:
            self._endpoints.clear()
            self._fixed.clear()
        self._endpoints[endpoint] = entry
        fixed = view if view is not None else (tables[0].everywhere if tables else None)
        if fixed is not None:
            self._fixed[endpoint] = fixed
        return entry

    def resolve_request(self, req: Request) -> Coverage | None:
        """The policy covering the request Flask routed (the current one, as a response starts).

        Runs as every response starts, so the common answers come first and cheapest: the
        routing question's memo (re-asked only when views or policies changed), then an
        endpoint whose coverage does not depend on the path.
        """
        if self._seen_views == len(self.app.view_functions) and self._seen == self.generation:
            routing = self._routing
        else:
            routing = self.routing_needed()
        if not routing:
            table = self.table
            if table is None:
                return None
            if table.everywhere is not None:  # the default resources: no path to look up
                return table.everywhere
            return self.match_path(table, req.path)
        rule = req.url_rule
        if rule is not None:
            fixed = self._fixed.get(rule.endpoint)
            if fixed is not None:
                return fixed
            return self.resolve(req.path, rule.endpoint)
        endpoint = None
        if isinstance(req.routing_exception, MethodNotAllowed):
            # A routing 405 still takes the policy of the view its path matched.
            endpoint = self._endpoint_under_other_method(req.environ, req.routing_exception)
        return self.resolve(req.path, endpoint)

    def resolve_environ(self, environ: dict[str, Any], method: str) -> Coverage | None:
        """The policy covering the request in *environ*, routed as if its method were *method*.

        For preflights, answered before Flask: *method* is the ``Access-Control-Request-Method``,
        so the preflight takes the policy of the view that will serve the actual request.
        """
        path = wsgi_path(environ.get("PATH_INFO") or "")
        if path is None:
            return None
        if not self.routing_needed():
            return None if self.table is None else self.match_path(self.table, path)
        return self.resolve(path, self.endpoint_for(environ, method))

    def endpoint_for(self, environ: dict[str, Any], method: str) -> str | None:
        """The endpoint Flask would route *environ* to under *method* (memoised, bounded).

        A routing 405 finds the endpoint the path matched under another method; a 404 or a
        redirect finds none, and then only the app's table applies.
        """
        app = self.app
        path_info = environ.get("PATH_INFO") or ""
        if app.url_map.host_matching or app.subdomain_matching:
            key: tuple[str, ...] = (path_info, method, environ.get("HTTP_HOST") or "")
        else:
            key = (path_info, method)
        try:
            return self._routes[key]
        except KeyError:
            pass
        endpoint: str | None = None
        adapter = self._url_adapter(environ)
        if adapter is not None:
            # A method no route can declare (longer than any real one) is routed under a short
            # stand-in that no route declares either: the answer is the same (a 405, then the
            # endpoint the path matched), and Werkzeug never copies the long value into the
            # exception's frames, which would keep it until the next garbage collection
            # (security issue item 2).
            routed = method if len(method) <= _ROUTE_METHOD_LIMIT else _OVERLONG_METHOD
            try:
                rule, _ = adapter.match(method=routed, return_rule=True)
                endpoint = str(rule.endpoint)
            except MethodNotAllowed as exc:
                endpoint = self._endpoint_under_other_method(environ, exc, adapter)
            except (HTTPException, RoutingException):
                endpoint = None
        if (
            len(path_info) <= _MEMO_KEY_LIMIT
            and len(method) <= _MEMO_METHOD_LIMIT
            and (len(key) == 2 or len(key[2]) <= _MEMO_HOST_LIMIT)
        ):
            if len(self._routes) >= _MEMO_LIMIT:
                self._routes.clear()
            self._routes[key] = endpoint
        return endpoint

    def _url_adapter(self, environ: dict[str, Any]) -> MapAdapter | None:
        """Flask's own URL adapter for *environ* (host matching, trusted hosts included)."""
        request_class = self.app.request_class
        try:
            try:  # not registered in the environ, and never reading the body
                probe = request_class(environ, populate_request=False, shallow=True)
            except TypeError:  # an app's own request class with a narrower signature
                probe = request_class(environ)
            return self.app.create_url_adapter(probe)
        except HTTPException:  # e.g. an untrusted Host: Flask would refuse the request too
            return None

    def _endpoint_under_other_method(
        self, environ: dict[str, Any], exc: MethodNotAllowed, adapter: MapAdapter | None = None
    ) -> str | None:
        if not exc.valid_methods:
            return None
        adapter = adapter or self._url_adapter(environ)
        if adapter is None:
            return None
        try:
            rule, _ = adapter.match(method=next(iter(exc.valid_methods)), return_rule=True)
        except (HTTPException, RoutingException):
            return None
        return str(rule.endpoint)

    def environ_for(self, path: str, method: str = "GET") -> dict[str, Any]:
        """A WSGI environ for *path* as the test client would build it for this app."""
        config = self.app.config
        scheme = config.get("PREFERRED_URL_SCHEME") or "http"
        host = config.get("SERVER_NAME") or "localhost"
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        builder = EnvironBuilder(path=path, method=method, base_url=f"{scheme}://{host}{root}")
        try:
            return builder.get_environ()
        finally:
            builder.close()


def _ambiguous(sent: Resource[Coverage] | None, resolved: Resource[Coverage] | None) -> Coverage:
    """The coverage of a path whose two readings select different rows: it grants nothing.

    Its policy is the refusing twin of whichever row's policy there is (so ``Vary`` and
    ``automatic_options`` stay those of a policy that covers the path); its label names both
    readings, for the log line, the signal and ``flask cors check``.
    """
    base = resolved if resolved is not None else sent
    assert base is not None  # two different rows, so at least one
    as_sent = sent.value.source.label if sent is not None else "no resource"
    as_resolved = resolved.value.source.label if resolved is not None else "no resource"
    detail = f"{as_sent} as sent, {as_resolved} with dot segments resolved"
    source = base.value.source._replace(label=f"ambiguous path ({detail})")
    return Coverage(base.value.policy.refusing(Reason.PATH_AMBIGUOUS, detail), source)


def _for_view(error: ConfigError, view_name: str) -> ConfigError:
    """*error*, each problem's message starting with the decorated view it was found on.

    A decorator's options are checked alone when it is applied; what fails only over the app's
    ``CORS_*`` config is found here, at ``CORS(app)`` or the app's first request, where the
    message alone would not say which of the app's decorated views to fix.
    """
    problems = [
        ConfigError(
            f"@cross_origin on view {view_name!r}, over the app's CORS_* config: {problem.message}",
            code=problem.code,
            option=problem.option,
            value=problem.value,
            source=problem.source,
        )
        for problem in error.errors
    ]
    return ConfigError.combine(problems)


def blueprints_of(endpoint: str | None) -> list[str]:
    """The blueprints an endpoint belongs to, innermost first, as ``request.blueprints``."""
    if endpoint is None:
        return []
    parts = endpoint.split(".")[:-1]
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


_paths: dict[str, str] = {}


def wsgi_path(raw: str) -> str | None:
    """``request.path`` as Werkzeug derives it from ``PATH_INFO``, memoised (bounded)."""
    path = _paths.get(raw)
    if path is None:
        try:
            path = "/" + raw.encode("latin1").decode(errors="replace").lstrip("/")
        except (UnicodeError, AttributeError):
            return None
        if len(raw) <= _MEMO_KEY_LIMIT:
            if len(_paths) >= _MEMO_LIMIT:
                _paths.clear()
            _paths[raw] = path
    return path


# -- deciding, writing headers, answering preflights --------------------------------------------


def is_preflight(environ: dict[str, Any]) -> bool:
    """F2: ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``."""
    return (
        environ["REQUEST_METHOD"] == "OPTIONS"
        and "HTTP_ORIGIN" in environ
        and ENVIRON_ACRM in environ
    )


def decide(policy: Policy, environ: dict[str, Any]) -> Decision:
    """*policy*'s decision for the request in *environ* (a preflight or an ordinary request).

    An ordinary request's origin is looked up in the decisions made so far first (one dictionary
    lookup for every origin listed at set-up or seen before).
    """
    if environ["REQUEST_METHOD"] == "OPTIONS" and is_preflight(environ):
        return policy.preflight(
            environ["HTTP_ORIGIN"],
            environ[ENVIRON_ACRM],
            environ.get(ENVIRON_ACRH),
            environ.get(ENVIRON_ACRPN),
        )
    origin = environ.get("HTTP_ORIGIN")
    return policy.decisions_by_origin.get(origin) or policy.actual(origin)


#: Lower-cased names of the headers decisions carry, and ``vary``: a response with any of them
#: takes the careful path of :func:`write_headers`.
_LOWER = {name: name.lower() for name in (*GRANT_HEADERS, DEBUG_HEADER)}
WATCHED_NAMES = frozenset({*_LOWER.values(), "vary"})
#: Header names as Flask and Werkzeug spell them that are none of ours: the scan of a response's
#: headers looks each name up here first, which costs a hash lookup (string literals keep their
#: hash) where lower-casing costs a new string per header.
UNWATCHED_NAMES = frozenset(
    {
        "Content-Type",
        "Content-Length",
        "Content-Encoding",
        "Content-Disposition",
        "Content-Language",
        "Content-Range",
        "Content-Security-Policy",
        "Cache-Control",
        "ETag",
        "Last-Modified",
        "Expires",
        "Location",
        "Set-Cookie",
        "Date",
        "Server",
        "Allow",
        "Accept-Ranges",
        "Transfer-Encoding",
        "Connection",
        "WWW-Authenticate",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Strict-Transport-Security",
        "Referrer-Policy",
    }
)
_ACAO = ACAO.lower()
_ACAC = ACAC.lower()


def write_headers(items: list[tuple[str, str]], decision: Decision, policy: Policy) -> None:
    """Merge *decision* into a response's header list (WSGI pairs), in place: the one rule.

    * If the response already carries ``Access-Control-Allow-Origin``, the app gave it CORS
      headers on purpose: only ``Vary`` is merged (mixing ours in could pair its ``*`` with our
      credentials).
    * Otherwise our headers are added, except those the app set itself.
    * If the app set ``Access-Control-Allow-Credentials`` itself under a policy open to any
      origin (``OriginMatcher.admits_anyone``: ``*``, a catch-all regex, a glob or regex over a
      public suffix, ``null``; the same definition the set-up check refuses with credentials),
      the grant is ``*``, never the reflected origin: otherwise every website could read the
      credentialed response. Browsers refuse ``*`` with credentials (F13), so credentialed
      reads fail and anonymous ones keep working (security issue items 3 and 4).
    * ``Vary`` is merged, never overwritten (F41).

    The common case (no CORS header, no ``Vary`` yet) is one scan and one ``extend`` of the
    decision's prepared ``pairs``. Every value is an option string checked at set-up or a request
    value that passed the origin or token grammar, so no per-value check is needed.
    """
    for name, _ in items:
        if name not in UNWATCHED_NAMES and name.lower() in WATCHED_NAMES:
            break
    else:
        items.extend(decision.pairs)
        return
    present = {name.lower() for name, _ in items}
    grant = decision.headers
    if grant and _ACAO not in present:
        if _ACAC in present and policy.origins.admits_anyone:
            grant = tuple((name, "*") if name == ACAO else (name, value) for name, value in grant)
        items.extend(item for item in grant if _LOWER[item[0]] not in present)
    if decision.vary:
        positions = [i for i, (name, _) in enumerate(items) if name.lower() == "vary"]
        merged = merge_vary(", ".join(items[i][1] for i in positions) or None, decision.vary)
        if merged is not None:
            if positions:
                items[positions[0]] = ("Vary", merged)
                for i in reversed(positions[1:]):
                    del items[i]
            else:
                items.append(("Vary", merged))


#: Our preflight answers' status lines, spelt as Werkzeug spells its own (the reason phrases
#: changed case in Werkzeug 3.2: ``204 NO CONTENT`` before, ``204 No Content`` since).
_STATUS_ALLOWED = Response(status=204).status
_STATUS_REFUSED = Response(status=403).status


def render_preflight(
    found: Coverage, environ: dict[str, Any], path: str, state: AppState
) -> tuple[str, list[tuple[str, str]]]:
    """The middleware's own answer to a preflight: 204 when allowed, 403 when refused (F36, F37).

    Status line and WSGI headers, sent as they are; the headers go through :func:`apply`, so a
    refusal is reported and logged there as on every other path (*state* is the app's).
    """
    decision = decide(found.policy, environ)
    headers: list[tuple[str, str]] = []
    apply(state, found, decision, headers, path, environ)
    if decision.allowed:
        return _STATUS_ALLOWED, headers
    headers.append(("Content-Length", "0"))
    return _STATUS_REFUSED, headers


def preflight_status(decision: Decision) -> int:
    """The status code of the extension's own answer to a preflight (F36, F37)."""
    return 204 if decision.allowed else 403


_debug_enabled = logger.isEnabledFor
_known_debug = known_enabled(logger)
_DEBUG = logging.DEBUG


def apply(
    state: AppState,
    found: Coverage,
    decision: Decision | None,
    items: list[tuple[str, str]],
    path: str | Request | None,
    environ: dict[str, Any],
) -> None:
    """The per-response sequence, written once: decide, merge into *items*, log, report.

    Every adapter path ends here: the middleware as a response starts (enforcing, or for a view
    that marked the request), its own preflight answers, and the decorator's ``request_finished``
    receiver for a request the middleware did not see: always after the app's ``after_request``
    hooks, so one merge rule (:func:`write_headers`) sees every header the app set, whichever way
    the request went. *decision* is ``None`` unless the caller decided already (a preflight's
    status depends on it).

    A response to an exception no handler took is left alone under ``intercept_exceptions=False``.
    *path* is the request path, or the routed request to read it from, or ``None`` for
    ``PATH_INFO``; it is only read when a line is logged or a refusal reported. Reporting never
    changes or breaks a response: a log handler, filter or receiver that raises is caught here
    (security issue item 10).
    """
    policy = found.policy
    if not policy.intercept_exceptions and UNHANDLED_KEY in environ:
        return
    if decision is None:
        decision = decide(policy, environ)
    write_headers(items, decision, policy)
    debug = _known_debug(_DEBUG) is not False and _debug_enabled(_DEBUG)
    report = (
        not decision.allowed
        and "HTTP_ORIGIN" in environ
        and (policy.log_refusals or cors_refused.receivers)
    )
    if debug or report:
        try:
            shown = _path_of(path, environ)
            if debug:
                log_decision(decision, found.source, shown, environ)
            if report:
                report_refusal(state, found, decision, shown, environ)
        except Exception:  # a failing handler or filter: the response goes out as decided
            reporting_failed()


def _path_of(path: str | Request | None, environ: dict[str, Any]) -> str:
    if isinstance(path, str):
        return path
    if path is not None:
        return path.path
    return wsgi_path(environ.get("PATH_INFO") or "") or ""


def reporting_failed() -> None:
    """Say, as loudly as is safe, that reporting a decision failed; never raise.

    Called from an ``except`` block: the logger gets the traceback if it still can, else
    ``sys.stderr`` does (:func:`~._refusals.log_safely`).
    """
    log_safely(
        logger,
        logging.ERROR,
        "Reporting a CORS decision failed; the response is sent as decided.",
        exc_info=True,
    )


def log_decision(decision: Decision, source: Source, path: str, environ: dict[str, Any]) -> None:
    """One DEBUG line per decision, with every request value escaped."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "CORS %s %s %s: %s%s (origin=%s, request-method=%s, request-headers=%s; policy: %s)",
        "preflight" if decision.preflight else "request",
        escape_for_log(environ.get("REQUEST_METHOD")),
        escape_for_log(path),
        decision.reason.value,
        f" [{escape_for_log(decision.detail)}]" if decision.detail else "",
        escape_for_log(environ.get("HTTP_ORIGIN")),
        escape_for_log(environ.get(ENVIRON_ACRM)),
        escape_for_log(environ.get(ENVIRON_ACRH)),
        source.label,
    )
