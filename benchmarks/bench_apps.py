"""Shared pieces of the benchmark suite: implementations, scenarios, apps and response checks.

Used by ``bench_wsgi.py`` (in-process), ``bench_instructions.py`` (callgrind),
``bench_server.py`` (gunicorn + wrk, which imports this module inside the server through
``server_app``) and ``profile_wsgi.py``.

flask-cors is imported here, and only in ``benchmarks/``, as the optional comparison peer.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from types import ModuleType
from typing import Any, Callable

from flask import Blueprint, Flask, Response, make_response
from flask.typing import ResponseReturnValue
from werkzeug.test import EnvironBuilder

ORIGIN = "https://app.example.com"
OTHER_ORIGIN = "https://admin.example.com"
REFUSED_ORIGIN = "https://evil.example.net"
ORIGIN_REGEX = r"https://[a-z0-9-]+\.example\.com"
BASE_URL = "http://api.example.com"
PATH = "/api/items"
BODY = b"ok"

ACAO = "Access-Control-Allow-Origin"
ACAM = "Access-Control-Allow-Methods"
REQUEST_ID = "X-Request-Id"  # the header the tuple and Response views send themselves

#: What a scenario's view returns (``Scenario.returns``): ``str`` is ``b"ok"``, as the suite has
#: always served (Flask treats ``str`` and ``bytes`` bodies alike); ``tuple`` is
#: ``("ok", 200, {"X-Request-Id": "1"})``; ``dict`` is ``{"ok": True}`` (Flask's JSON response);
#: ``response`` is ``Response("ok", headers={"X-Request-Id": "1"})``.
RETURN_TYPES = ("str", "tuple", "dict", "response")
#: The scenarios that also run with every other return type, as ``"<name> [<type>]"``.
RETURN_TYPE_SCENARIOS = ("allowed GET", "blueprint policy", "decorator", "decorator + CORS(app)")

# Implementation names, in the order they are reported.
BARE = "bare"
FLOOR = "floor"
FLASK_CORS = "flask-cors"
CROSSORIGIN = "flask-crossorigin"
ALL_IMPLS = (BARE, FLOOR, FLASK_CORS, CROSSORIGIN)
_EXTENSION_MODULES = {FLASK_CORS: "flask_cors", CROSSORIGIN: "flask_crossorigin"}

ORIGIN_COUNTS = (1, 10, 100, 1000, 10000)
RESOURCE_COUNTS = (1, 10, 100, 1000)

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]
HeaderList = list[tuple[str, str]]


class CheckFailure(Exception):
    """A response did not carry what the implementation must produce for the scenario."""


@dataclass(frozen=True)
class Impl:
    """One implementation under test.

    ``kind`` is ``"bare"`` (Flask, no CORS at all), ``"floor"`` (hand-written CORS, the cheapest
    CORS-ish work: one after_request hook that sets Access-Control-Allow-Origin unconditionally,
    or, for a scenario whose ``floor`` is ``"decorator"``, a plain decorator on the view that sets
    Access-Control-Allow-Origin and ``Vary: Origin``) or ``"extension"`` (``module`` provides
    ``CORS`` and ``cross_origin``).
    """

    name: str
    kind: str
    module: ModuleType | None = None
    version: str = ""


def load_impls(wanted: Iterable[str] = ALL_IMPLS) -> tuple[list[Impl], dict[str, str]]:
    """Return the implementations that can run here and, for the others, why not."""
    impls: list[Impl] = []
    missing: dict[str, str] = {}
    flask_version = metadata.version("flask")
    for name in wanted:
        if name == BARE:
            impls.append(Impl(BARE, "bare", version=f"Flask {flask_version}"))
        elif name == FLOOR:
            impls.append(Impl(FLOOR, "floor", version=f"Flask {flask_version}"))
        elif name in _EXTENSION_MODULES:
            try:
                module = importlib.import_module(_EXTENSION_MODULES[name])
                module.CORS  # noqa: B018  (fail here, not mid-run, if the API is absent)
                module.cross_origin  # noqa: B018
            except (ImportError, AttributeError) as exc:
                missing[name] = f"not importable ({type(exc).__name__}: {exc})"
                continue
            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                version = "?"
            impls.append(Impl(name, "extension", module, version))
        else:
            raise ValueError(f"unknown implementation {name!r}; known: {', '.join(ALL_IMPLS)}")
    return impls, missing


@dataclass(frozen=True)
class Scenario:
    """One request shape plus the CORS configuration it is served with.

    ``expect`` names what a CORS extension must answer: ``"allow"`` (ACAO echoes the origin),
    ``"refuse"`` (no ACAO), ``"no-origin"`` (not a CORS request), ``"preflight"`` or
    ``"refused-preflight"``.
    """

    name: str
    group: str
    method: str
    path: str
    route: str
    expect: str
    options: Callable[[], dict[str, Any]]
    headers: tuple[tuple[str, str], ...] = ()
    decorator: bool = False
    #: With ``decorator``: ``CORS(app, resources={})`` too, so the extension's own path serves it.
    with_app: bool = False
    #: The policy is ``CORS(blueprint)`` on the blueprint that serves the route.
    blueprint: bool = False
    #: flask-crossorigin only: a ``cors_refused`` receiver is connected (it counts the sends).
    receiver: bool = False
    size: int = 0
    description: str = ""
    #: What the view returns: one of ``RETURN_TYPES``.
    returns: str = "str"

    @property
    def floor(self) -> str:
        """Which hand-written floor this scenario is compared with.

        ``"decorator"`` for ``@cross_origin`` alone (no ``CORS(app)``): a plain decorator on the
        view. ``"hook"`` for everything else, ``@cross_origin`` with ``CORS(app)`` included: one
        after_request hook.
        """
        return "decorator" if self.decorator and not self.with_app else "hook"

    @property
    def target(self) -> str:
        """The issue's target for this scenario, as judged by ``bench_instructions.py``.

        ``"preflight"``: the whole request <= 0.06x bare Flask's OPTIONS. ``"decorator"``:
        overhead <= 0.75x the hand-written decorator's. ``"floor"``: overhead <= 1.0x the hook
        floor's. ``""``: none (a ``cors_refused`` receiver's work is the app's).
        """
        if self.receiver:
            return ""
        if self.method == "OPTIONS":
            return "preflight"
        return "decorator" if self.floor == "decorator" else "floor"

    def make_environ(self) -> WSGIEnviron:
        """A fresh WSGI environ for this scenario (callers copy it per request)."""
        builder = EnvironBuilder(
            path=self.path, method=self.method, headers=list(self.headers), base_url=BASE_URL
        )
        try:
            return builder.get_environ()
        finally:
            builder.close()


def _two_origins() -> dict[str, Any]:
    return {"origins": [OTHER_ORIGIN, ORIGIN]}


def _regex_origins() -> dict[str, Any]:
    return {"origins": [re.compile(ORIGIN_REGEX)]}


def _n_origins(n: int) -> Callable[[], dict[str, Any]]:
    def options() -> dict[str, Any]:
        # The allowed request origin is the last entry, so a linear scan pays for all of them.
        return {"origins": [f"https://app{i:05d}.example.com" for i in range(n - 1)] + [ORIGIN]}

    return options


def _n_resources(n: int) -> Callable[[], dict[str, Any]]:
    def options() -> dict[str, Any]:
        # Zero-padded so every pattern has the same length and flask-cors's specificity sort keeps
        # this order: the request hits the last pattern for both extensions.
        return {
            "resources": {rf"/api/v{i:04d}/*": {"origins": [ORIGIN]} for i in range(n)},
        }

    return options


def scenarios() -> list[Scenario]:
    """Every scenario, in report order."""
    origin = (("Origin", ORIGIN),)
    result = [
        Scenario(
            "allowed GET",
            "ordinary",
            "GET",
            PATH,
            PATH,
            "allow",
            _two_origins,
            origin,
            description="GET with an allowed Origin (2 exact origins configured)",
        ),
        Scenario(
            "GET no Origin",
            "ordinary",
            "GET",
            PATH,
            PATH,
            "no-origin",
            _two_origins,
            description="same app, same-origin GET without an Origin header",
        ),
        Scenario(
            "refused origin",
            "ordinary",
            "GET",
            PATH,
            PATH,
            "refuse",
            _two_origins,
            (("Origin", REFUSED_ORIGIN),),
            description="GET with an Origin that is not allowed",
        ),
        Scenario(
            "decorator",
            "ordinary",
            "GET",
            PATH,
            PATH,
            "allow",
            _two_origins,
            origin,
            decorator=True,
            description="@cross_origin(origins=[2 exact]) on the view, no CORS(app)",
        ),
        Scenario(
            "decorator + CORS(app)",
            "ordinary",
            "GET",
            PATH,
            PATH,
            "allow",
            _two_origins,
            origin,
            decorator=True,
            with_app=True,
            description="@cross_origin(origins=[2 exact]) on the view, and CORS(app, resources={})",
        ),
        Scenario(
            "blueprint policy",
            "ordinary",
            "GET",
            PATH,
            PATH,
            "allow",
            _two_origins,
            origin,
            blueprint=True,
            description="CORS(blueprint, origins=[2 exact]) on the blueprint serving the route",
        ),
        Scenario(
            "regex origin",
            "ordinary",
            "GET",
            PATH,
            PATH,
            "allow",
            _regex_origins,
            origin,
            description=f"origins=[re.compile({ORIGIN_REGEX!r})], matched in full",
        ),
        Scenario(
            "preflight",
            "preflight",
            "OPTIONS",
            PATH,
            PATH,
            "preflight",
            _two_origins,
            (
                ("Origin", ORIGIN),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ),
            description="OPTIONS preflight for a JSON POST (Content-Type requested)",
        ),
        Scenario(
            "blueprint preflight",
            "preflight",
            "OPTIONS",
            PATH,
            PATH,
            "preflight",
            _two_origins,
            (
                ("Origin", ORIGIN),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ),
            blueprint=True,
            description="the same preflight, the policy set by CORS(blueprint) (routed)",
        ),
    ]
    refused_preflight = (
        ("Origin", REFUSED_ORIGIN),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "content-type"),
    )
    # The cost of a refusal with and without a cors_refused receiver ("refused origin" above is
    # the ordinary request without one).
    for name, method, expect, headers, what in (
        ("refused preflight", "OPTIONS", "refused-preflight", refused_preflight, "preflight"),
        ("refused origin + receiver", "GET", "refuse", (("Origin", REFUSED_ORIGIN),), "GET"),
        (
            "refused preflight + receiver",
            "OPTIONS",
            "refused-preflight",
            refused_preflight,
            "preflight",
        ),
    ):
        receiver = name.endswith("receiver")
        listening = "a cors_refused receiver connected" if receiver else "no receiver"
        result.append(
            Scenario(
                name,
                "signal",
                method,
                PATH,
                PATH,
                expect,
                _two_origins,
                headers,
                receiver=receiver,
                description=f"{what} from an Origin that is not allowed, {listening}",
            )
        )
    for n in ORIGIN_COUNTS:
        result.append(
            Scenario(
                f"origins x{n}",
                "origins",
                "GET",
                PATH,
                PATH,
                "allow",
                _n_origins(n),
                origin,
                size=n,
                description=f"{n} exact origins, the request's origin listed last",
            )
        )
    for n in RESOURCE_COUNTS:
        path = f"/api/v{n - 1:04d}/items"
        result.append(
            Scenario(
                f"resources x{n}",
                "resources",
                "GET",
                path,
                "/api/v<version>/items",
                "allow",
                _n_resources(n),
                origin,
                size=n,
                description=f"{n} resource patterns r'/api/vNNNN/*', the request hits the last",
            )
        )
    return _with_return_types(result)


def _with_return_types(base: list[Scenario]) -> list[Scenario]:
    """``base`` with each of ``RETURN_TYPE_SCENARIOS`` followed by its other return types."""
    result: list[Scenario] = []
    for scenario in base:
        result.append(scenario)
        if scenario.name in RETURN_TYPE_SCENARIOS:
            result.extend(
                replace(
                    scenario,
                    name=f"{scenario.name} [{returns}]",
                    returns=returns,
                    description=f"{scenario.description}; the view returns a {returns}",
                )
                for returns in RETURN_TYPES
                if returns != "str"
            )
    return result


def select_scenarios(all_scenarios: Sequence[Scenario], patterns: Iterable[str]) -> list[Scenario]:
    """The scenarios any of ``patterns`` selects, in report order (all of them without patterns).

    A pattern without ``*`` or ``?`` selects the names that contain it (so a prefix works);
    with them, it is a glob that must match the whole name (``"decorator*"``, ``"*[tuple]"``).
    ``*`` is any run of characters and ``?`` any one; every other character, brackets included,
    stands for itself. Case does not matter.
    """
    matchers: list[Callable[[str], object]] = []
    for pattern in patterns:
        lowered = pattern.lower()
        if "*" in lowered or "?" in lowered:
            regex = "".join(
                ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in lowered
            )
            matchers.append(re.compile(regex, re.DOTALL).fullmatch)
        else:
            matchers.append(functools.partial(_contains, lowered))
    if not matchers:
        return list(all_scenarios)
    return [s for s in all_scenarios if any(m(s.name.lower()) for m in matchers)]


def _contains(part: str, name: str) -> bool:
    return part in name


def make_view(returns: str) -> Callable[..., ResponseReturnValue]:
    """A new view function returning ``returns`` (one of ``RETURN_TYPES``).

    New for every app: flask-cors's ``cross_origin`` sets attributes on the function it wraps
    (``provide_automatic_options``, ``required_methods``), which must not leak into other apps.
    """
    if returns == "str":

        def items(**_url_args: str) -> ResponseReturnValue:
            return BODY

    elif returns == "tuple":

        def items(**_url_args: str) -> ResponseReturnValue:
            return "ok", 200, {REQUEST_ID: "1"}

    elif returns == "dict":

        def items(**_url_args: str) -> ResponseReturnValue:
            return {"ok": True}

    elif returns == "response":

        def items(**_url_args: str) -> ResponseReturnValue:
            return Response("ok", headers={REQUEST_ID: "1"})

    else:
        raise ValueError(f"unknown return type {returns!r}; known: {', '.join(RETURN_TYPES)}")
    return items


def hand_written_decorator(
    view: Callable[..., ResponseReturnValue],
) -> Callable[..., ResponseReturnValue]:
    """The decorator floor: CORS for one view as one would write it by hand, with no checks.

    Mirrors the hook floor (which sets the header on every response, whatever the origin), for a
    view: call it, make its return value a response as Flask would, set the two headers an
    answer for a list of origins needs. ``Vary`` is added rather than set, so a ``Vary`` the view
    sent survives; it is also the cheaper of the two calls.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        response = make_response(view(*args, **kwargs))
        response.headers[ACAO] = ORIGIN
        response.headers.add("Vary", "Origin")
        return response

    return wrapper


def build_app(impl: Impl, scenario: Scenario) -> Flask:
    """A Flask app serving ``scenario``'s route, with ``impl``'s CORS handling (if any)."""
    app = Flask(f"bench_{impl.name}_{scenario.name}".replace(" ", "_"))
    items = make_view(scenario.returns)
    view: Callable[..., ResponseReturnValue] = items
    target: Flask | Blueprint = app
    if scenario.blueprint:
        target = Blueprint("api", __name__)
    if impl.kind == "extension":
        assert impl.module is not None
        if scenario.decorator:
            view = impl.module.cross_origin(**scenario.options())(items)
            if scenario.with_app:
                impl.module.CORS(app, resources={})
        else:
            impl.module.CORS(target, **scenario.options())
    elif impl.kind == "floor" and scenario.floor == "decorator":
        view = hand_written_decorator(items)
    elif impl.kind == "floor":

        @app.after_request
        def floor(response: Response) -> Response:
            response.headers[ACAO] = ORIGIN
            return response

    target.add_url_rule(scenario.route, endpoint="items", view_func=view, methods=["GET", "POST"])
    if isinstance(target, Blueprint):
        app.register_blueprint(target)
    if scenario.receiver and impl.name == CROSSORIGIN:
        assert impl.module is not None
        sent: list[str] = []

        def count_refusal(sender: Flask, **kwargs: Any) -> None:
            sent.append(kwargs["reason"])
            del sent[:-1]  # bounded: keep the last reason only

        impl.module.cors_refused.connect(count_refusal, sender=app, weak=False)
    return app


def _header_map(headers: HeaderList) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for name, value in headers:
        result.setdefault(name.lower(), []).append(value)
    return result


def _tokens(values: list[str] | None) -> set[str]:
    return {t.strip().lower() for v in values or () for t in v.split(",") if t.strip()}


def check_response(impl: Impl, scenario: Scenario, status: str, headers: HeaderList) -> None:
    """Raise CheckFailure unless the response is what ``impl`` must produce for ``scenario``."""
    problem = _problem(impl, scenario, status, headers)
    if problem:
        raise CheckFailure(
            f"{impl.name} / {scenario.name}: {problem}\n"
            f"    status: {status}\n    headers: {headers}"
        )


def _problem(impl: Impl, scenario: Scenario, status: str, headers: HeaderList) -> str | None:
    code = int(status.split(" ", 1)[0])
    hmap = _header_map(headers)
    if code == 200 and scenario.method != "OPTIONS":
        problem = _view_problem(scenario, hmap)
        if problem:
            return problem
    acao = hmap.get(ACAO.lower())
    if impl.kind == "bare":
        if code != 200:
            return f"expected status 200, got {code}"
        if acao is not None:
            return "bare Flask must not send Access-Control-Allow-Origin"
        if scenario.expect == "preflight" and "allow" not in hmap:
            return "expected Flask's automatic OPTIONS answer (Allow header)"
        return None
    if impl.kind == "floor":
        if code != 200:
            return f"expected status 200, got {code}"
        if acao != [ORIGIN]:
            return f"floor must set Access-Control-Allow-Origin: {ORIGIN}, got {acao}"
        if scenario.floor == "decorator" and "origin" not in _tokens(hmap.get("vary")):
            return "the decorator floor must send Vary: Origin"
        return None

    # A CORS extension.
    if scenario.expect == "preflight":
        if code not in (200, 204):
            return f"preflight: expected status 200 or 204, got {code}"
        if acao != [ORIGIN]:
            return f"preflight: expected one Access-Control-Allow-Origin: {ORIGIN}, got {acao}"
        methods = _tokens(hmap.get("access-control-allow-methods"))
        if not methods & {"post", "*"}:
            return f"preflight: Access-Control-Allow-Methods lacks POST: {methods}"
        allowed = _tokens(hmap.get("access-control-allow-headers"))
        if not allowed & {"content-type", "*"}:
            return f"preflight: Access-Control-Allow-Headers lacks content-type: {allowed}"
    elif scenario.expect == "refused-preflight":
        if impl.name == CROSSORIGIN and code != 403:
            return f"refused preflight: expected status 403, got {code}"
        if acao is not None:
            return f"refused preflight must get no Access-Control-Allow-Origin, got {acao}"
        return None
    elif code != 200:
        return f"expected status 200, got {code}"
    elif scenario.expect == "allow":
        if acao != [ORIGIN]:
            return f"expected one Access-Control-Allow-Origin: {ORIGIN}, got {acao}"
    elif scenario.expect == "refuse":
        if acao is not None:
            return f"refused origin must get no Access-Control-Allow-Origin, got {acao}"
    elif scenario.expect == "no-origin":
        # flask-cors (always_send=True) lists the configured origins even without an Origin
        # header; flask-crossorigin follows the Fetch standard and sends none.
        if impl.name == CROSSORIGIN and acao is not None:
            return f"request without Origin must get no Access-Control-Allow-Origin, got {acao}"
    else:
        return f"unknown expectation {scenario.expect!r}"
    # The answer depends on Origin, so caches must be told, on every response including those
    # to requests without Origin (Fetch standard, "CORS protocol and HTTP caches").
    if impl.name == CROSSORIGIN and "origin" not in _tokens(hmap.get("vary")):
        return "expected Vary: Origin"
    return None


def _view_problem(scenario: Scenario, hmap: dict[str, list[str]]) -> str | None:
    """What is wrong with a 200 answer to a GET, judged by what the view returned."""
    content_type = hmap.get("content-type")
    if scenario.returns == "dict":
        if content_type != ["application/json"]:
            return f"a dict view must be answered as JSON, got Content-Type {content_type}"
    elif content_type != ["text/html; charset=utf-8"]:
        return f"expected Content-Type text/html; charset=utf-8, got {content_type}"
    request_id = hmap.get(REQUEST_ID.lower())
    if scenario.returns in ("tuple", "response"):
        if request_id != ["1"]:
            return f"the view's {REQUEST_ID}: 1 must be sent once, got {request_id}"
    elif request_id is not None:
        return f"unexpected {REQUEST_ID}: {request_id}"
    return None


def server_app(impl_name: str) -> Flask:
    """gunicorn entry point: ``bench_apps:server_app("flask-crossorigin")``.

    Serves ``/api/items`` (GET, POST) with the ordinary scenarios' configuration (two exact
    origins), so both the allowed-origin GET and the preflight are answered by one app.
    """
    impls, missing = load_impls([impl_name])
    if not impls:
        raise RuntimeError(f"{impl_name}: {missing[impl_name]}")
    allowed = next(s for s in scenarios() if s.name == "allowed GET")
    return build_app(impls[0], allowed)
