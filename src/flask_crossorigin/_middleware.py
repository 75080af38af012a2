"""The WSGI middleware in front of Flask: the moment every response gets its CORS headers.

``CORS(app)`` (or ``CORS(blueprint)``, once registered) installs it with :func:`attach`, the
middleware pattern Flask documents (``app.wsgi_app = M(app.wsgi_app)``); ``@cross_origin`` used
without ``CORS(app)`` installs it too, the first time one of its views runs, in *view mode*. Per
request it does one of these things (``flask cors explain --page architecture``):

* enforcing (``CORS(app)``): a **preflight** (``OPTIONS`` with ``Origin`` and
  ``Access-Control-Request-Method``, F2) is answered before Flask sees it, with the policy of the
  view that will serve the actual request (routed with the requested method), so authentication
  hooks, 404s and trailing-slash redirects never get in its way (F36); **every other response**
  gets the decided headers as it starts, in the ``start_response`` handed to Flask: after the
  view, the error handlers and the app's own hooks have run, so headers they set are respected
  and error responses are covered like any other (F22, F42);
* view mode (decorated views alone): the decorated view marks the request with its coverage as
  it runs, and the response gets that coverage's headers as it starts, at the same moment and
  through the same sequence (:func:`~._adapter.apply`); requests no decorated view marked are
  left alone;
* a report-only policy (``CORS(app, report_only=True)``) is tried first in either mode and never
  changes a response.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any, Callable

from flask import Flask, Request

from ._adapter import AppState, Plan, state_for
from ._compat import current_request
from ._respond import apply, hand_refusal, preflight, reporting_failed
from ._routing import wsgi_path
from ._sources import own_options_said
from ._wsgi import decide, is_preflight

#: WSGI environ key. The middleware in view mode sets it to ``None`` (so the decorated view
#: knows the middleware will write its headers); the decorated view sets it to its coverage and,
#: for a preflight it answered, the decision.
VIEW_KEY = "flask_crossorigin.view"

_attach_lock = threading.Lock()


def attach(app: Flask, enforce: bool = True) -> AppState:
    """The app's state, with the middleware in front of the app (installed once).

    Without *enforce* (a report-only policy alone, or decorated views alone) the middleware is
    installed in view mode: only what a decorated view marked gets headers, and the app's other
    responses are left as they are.
    """
    state = state_for(app)
    with _attach_lock:
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
        if state.report_layers is not None:
            _trial(state, environ)
        if not state.has_middleware:  # view mode: only what a decorated view marks
            environ[VIEW_KEY] = None
            return self.wsgi_app(environ, partial(_start_view, state, environ, start_response))
        if environ["REQUEST_METHOD"] == "OPTIONS" and is_preflight(environ):
            plan = state.current
            if plan is None or plan.views_seen != len(state.app.view_functions):
                plan = state.rebuild()
            path = wsgi_path(environ.get("PATH_INFO") or "")
            found = plan.resolve_environ(
                environ, environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"], path
            )
            # A view that declares OPTIONS answers its own preflights (migration issue item 1).
            if (
                found is not None
                and found.policy.automatic_options
                and not (plan.own_options and plan.answers_itself(environ))
            ):
                status, headers = preflight(state, found, environ, path or "")
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
    blueprints) is read from there; then :func:`~._respond.apply`.
    """
    plan = state.current
    if plan is None or plan.views_seen != len(state.app.view_functions):
        plan = state.rebuild()
    req = current_request(state.app)
    if req is not None:
        found = plan.resolve_request(req)
    else:  # not started by this app's Flask (an inner middleware answered): the path
        found = plan.resolve_environ(environ, environ["REQUEST_METHOD"])
    if found is not None:
        if plan.own_options and req is not None and is_preflight(environ):
            _own_answer(state, plan, req, status, headers)
        apply(state, found, None, headers, req, environ)
    return start_response(status, headers, exc_info)


def _own_answer(
    state: AppState, plan: Plan, req: Request, status: str, headers: list[tuple[str, str]]
) -> None:
    """A preflight a view that declares ``OPTIONS`` answered itself (migration issue item 1).

    With ``Access-Control-Allow-Origin`` in it, the app owns CORS for the route and the merge
    rule adds nothing but ``Vary``. Without, the policy's preflight headers are merged into the
    app's answer, as flask-cors does, and a WARNING (once per endpoint) says so and how to choose.
    """
    endpoint = req.url_rule.endpoint if req.url_rule is not None else None
    if endpoint not in plan.own_options or (
        "access-control-allow-origin" in {name.lower() for name, _ in headers}
    ):
        return
    state.tell(("own-options", str(endpoint)), own_options_said(str(endpoint), status))


def _start_view(
    state: AppState,
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    status: str,
    headers: list[tuple[str, str]],
    exc_info: Any = None,
) -> Any:
    """View mode's ``start_response``: the headers of the coverage a decorated view marked."""
    mark = environ.get(VIEW_KEY)
    if mark is not None:
        apply(state, mark[0], mark[1], headers, None, environ)
    return start_response(status, headers, exc_info)


def _trial(state: AppState, environ: dict[str, Any]) -> None:
    """Report what the report-only policy would refuse; never touches the response."""
    if "HTTP_ORIGIN" not in environ:
        return
    path = wsgi_path(environ.get("PATH_INFO") or "")
    plan = state.plan()
    if path is None or plan.report_table is None:
        return
    found = plan.match_path(plan.report_table, path)
    if found is None:
        return
    decision = decide(found.policy, environ)
    if not decision.allowed:
        try:
            hand_refusal(state, found, decision, path, environ, report_only=True)
        except Exception:  # a failing log handler never breaks the response (item 10)
            reporting_failed()
