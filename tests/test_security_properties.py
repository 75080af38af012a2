"""Property tests of the Flask adapter against a small reference: security issue items 3 and 4.

Generated apps combine every way a policy reaches a response: ``CORS(app)`` with and without
``resources``, ``CORS(blueprint)``, ``@cross_origin(...)`` with and without ``CORS(app)``, the
app's ``CORS_*`` config keys, ``CORS(app, report_only=True, ...)``, and views and
``after_request`` hooks that set ``Access-Control-Allow-Origin``,
``Access-Control-Allow-Credentials: true`` or ``Vary`` themselves. Origins are exact, ``*``,
subdomain globs over a private domain and over a public suffix, catch-all regexes, a specific
regex and ``null``. Requests are GET/POST with or without ``Origin`` (allowed, other, ``null``,
malformed) and preflights. Every response, through Flask's test client, is checked against the
reference below: it is written from docs/fetch-rules.md (rule ids F1-F44) and the documented
merge order (docs/architecture.md "One resolver, one merge rule", docs/options.md, README), and
reads only the generated configuration, never the package's decision code.

Security issue item 3: ``@cross_origin()`` without ``CORS(app)`` reflected the origin next to an
``Access-Control-Allow-Credentials: true`` set by an ``after_request`` hook. Security issue item
4: the rule "never reflect next to an app-set credentials header under a policy open to any
origin" knew only the literal ``*`` (not catch-all regexes, public-suffix globs, ``null``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pytest
from flask import Blueprint, Flask, Response
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flask_crossorigin import CORS, ConfigError, cross_origin

#: Reproducible in CI (derandomized: the same examples every run); about 10 s for the file.
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"

# --- the reference ------------------------------------------------------------------------------

#: name -> (the value given as an origin, its kind, which well-formed origins it admits).
#: Kinds: "site" names trusted sites; "open" lets anyone in (a catch-all regex or a glob over a
#: public suffix, where anyone can deploy a site); "any" is "*"; "null" is the opaque origin.
ENTRIES: dict[str, tuple[Any, str, Callable[[str], bool]]] = {
    "exact": ("https://app.example.com", "site", lambda o: o == "https://app.example.com"),
    "glob": ("https://*.example.net", "site", lambda o: glob_admits(o, "https://", ".example.net")),
    "regex": (
        re.compile(r"https://(app|admin)\.example\.org"),
        "site",
        lambda o: o in ("https://app.example.org", "https://admin.example.org"),
    ),
    "any": ("*", "any", lambda o: True),
    "public-glob": (
        "https://*.vercel.app",
        "open",
        lambda o: glob_admits(o, "https://", ".vercel.app"),
    ),
    "catch-all": (re.compile(r".*"), "open", lambda o: True),
    "catch-all-str": (r"https?://.*", "open", lambda o: o.startswith(("http://", "https://"))),
    "null": ("null", "null", lambda o: False),
}

#: Request origins: well-formed (serialized, F13.3) ones, and the rest.
WELL_FORMED = (
    "https://app.example.com",
    "https://a.example.net",
    "https://admin.example.org",
    "https://evil.vercel.app",
    "https://evil.test",
    "http://app.example.com",
)
MALFORMED = (
    "https://app.example.com/",
    "not an origin",
    "https://evil.test, https://a.example.net",
)
#: The defaults of the options generated here (docs/options.md).
DEFAULTS = {
    "origins": ("any",),
    "supports_credentials": False,
    "send_wildcard": False,
    "vary_header": True,
}


def glob_admits(origin: str, scheme: str, suffix: str) -> bool:
    """A subdomain glob: that scheme, one or more labels before *suffix*, no port."""
    host = origin[len(scheme) :]
    return origin.startswith(scheme) and host.endswith(suffix) and len(host) > len(suffix)


def ref_acao(policy: Mapping[str, Any], origin: str | None) -> str | None:
    """The ``Access-Control-Allow-Origin`` a policy grants to *origin* (``None``: refused).

    Any-origin (``*`` listed): ``*`` without ``Origin`` (F33, ``always_send``), with
    ``send_wildcard``, and for ``null`` or a malformed origin, which are never echoed (F35);
    otherwise the origin is echoed. Else ``null`` passes only when listed (F44), a malformed
    origin never (F13.3), and a well-formed one when some entry admits it.
    """
    kinds = {ENTRIES[name][1] for name in policy["origins"]}
    if "any" in kinds:
        echo = origin in WELL_FORMED and not policy["send_wildcard"]
        return origin if echo else "*"
    if origin == "null":
        return origin if "null" in kinds else None
    if origin not in WELL_FORMED:
        return None
    admitted = any(ENTRIES[name][2](origin) for name in policy["origins"])
    return origin if admitted else None


def ref_open(policy: Mapping[str, Any]) -> bool:
    """Whether a policy lets any website in: ``*``, a catch-all regex, a public-suffix glob, or
    ``null`` listed (any page can be sandboxed, F35)."""
    return any(ENTRIES[name][1] != "site" for name in policy["origins"])


def ref_refused_at_setup(policy: Mapping[str, Any]) -> bool:
    """Credentials with any origin however it is spelt (``*``, a catch-all regex, a public-suffix
    glob, ``null``) are a ConfigError (F13, F35, docs/options.md)."""
    return bool(policy["supports_credentials"]) and ref_open(policy)


def ref_vary(policy: Mapping[str, Any], preflight: bool) -> set[str]:
    """Our ``Vary`` members: ``Origin`` unless ACAO is the same ``*`` for everyone (F32, F33,
    F41); a preflight also varies on what it asked for. None with ``vary_header=False``."""
    if not policy["vary_header"]:
        return set()
    static = "any" in {ENTRIES[n][1] for n in policy["origins"]} and policy["send_wildcard"]
    members = set() if static else {"origin"}
    if preflight:
        members |= {"access-control-request-method", "access-control-request-headers"}
    return members


def ref_resource(resources: tuple[tuple[str, dict[str, Any]], ...], path: str) -> Any:
    """The options of the most specific pattern covering *path*: the longest literal prefix, then
    the first declared. ``/x/*`` covers ``/x`` and below; a pattern without ``*`` only itself."""
    best: tuple[int, dict[str, Any]] | None = None
    for pattern, own in resources:
        if pattern.endswith("/*"):
            prefix = pattern[:-2]
            covered = path == prefix or path.startswith(prefix + "/")
        else:
            prefix, covered = pattern, path == pattern
        if covered and (best is None or len(prefix) > best[0]):
            best = (len(prefix), own)
    return None if best is None else best[1]


#: The routes of make_app, path -> endpoint; DECORATED ones carry the set-up's @cross_origin.
ROUTES = {
    "/api/items": "items",
    "/api/boom": "boom",
    "/deco": "deco",
    "/deco/boom": "deco_boom",
    "/bp/thing": "bp.thing",
    "/public/page": "public",
}
DECORATED = ("deco", "deco_boom")
RAISING = ("boom", "deco_boom")


def ref_policy(setup: Setup, path: str) -> dict[str, Any] | None:
    """The resolver: the view's ``@cross_origin`` over the app config, else ``CORS(blueprint)``,
    else the app's resources (each over ``CORS()`` kwargs over the app config over defaults)."""
    endpoint = ROUTES.get(path)
    base = {**DEFAULTS, **setup.config}
    if endpoint in DECORATED and setup.deco is not None:
        return {**base, **setup.deco}
    if endpoint == "bp.thing" and setup.bp is not None:
        return {**base, **setup.bp}
    if setup.app is None:
        return None
    if setup.resources is None:
        return {**base, **setup.app}  # the default resources, r"/*"
    own = ref_resource(setup.resources, path)
    return None if own is None else {**base, **setup.app, **own}


def ref_policies(setup: Setup) -> list[dict[str, Any]]:
    """Every policy a set-up compiles (each is validated)."""
    base = {**DEFAULTS, **setup.config}
    layers = [setup.deco, setup.bp, setup.report_only]
    if setup.app is not None:
        rows = setup.resources if setup.resources is not None else (("/*", {}),)
        layers += [{**setup.app, **own} for _, own in rows]
    return [{**base, **layer} for layer in layers if layer is not None]


class Expected(NamedTuple):
    status: int
    acao: str | None
    acac: str | None
    vary: set[str]
    reached_flask: bool
    app_acao: bool  # the app set ACAO itself
    policy: dict[str, Any] | None


def ref_response(setup: Setup, req: Req) -> Expected:
    """What the response to *req* must carry.

    A preflight (F2) covered by a policy is answered 204/403 by the extension (F36, F37): by the
    middleware before Flask, or by the decorator's wrapper (without ``CORS(app)``), whose answer
    the app's hooks then see. Everything else reaches the view and the hooks. The merge rule: the
    app's ACAO wins and only ``Vary`` is merged; else our headers fill what the app left out;
    an app-set ACAC under an open policy turns an echo into ``*``; ``Vary`` is merged (F41).
    """
    middleware = setup.app is not None or setup.bp is not None
    policy = ref_policy(setup, req.path)
    endpoint = ROUTES.get(req.path)
    answered = req.preflight and policy is not None
    reached = not (answered and middleware)
    view_ran = reached and not req.preflight and endpoint is not None
    app_set: dict[str, str] = {}
    app_vary: set[str] = set()
    if view_ran and endpoint not in RAISING:
        app_set.update(setup.view_sets)
        app_vary |= {setup.view_sets["Vary"].lower()} if "Vary" in setup.view_sets else set()
    if reached:  # the after_request hook (a preflight the middleware answers never reaches it)
        app_set.update(setup.hook_sets)
        app_vary |= {setup.hook_sets["Vary"].lower()} if "Vary" in setup.hook_sets else set()
    granted = None if policy is None else ref_acao(policy, req.origin)
    if answered:
        status = 204 if granted is not None else 403
    else:
        status = 404 if endpoint is None else 500 if view_ran and endpoint in RAISING else 200
    acao, acac = app_set.get(ACAO), app_set.get(ACAC)
    if ACAO not in app_set and granted is not None:
        assert policy is not None
        acao = granted
        if ACAC in app_set and granted != "*" and ref_open(policy):
            acao = "*"  # docs/security.md: never reflect beside the app's credentials (F13)
        if acac is None and policy["supports_credentials"] and acao != "*":
            acac = "true"  # F13.4, F40
    vary = app_vary | (ref_vary(policy, answered) if policy is not None else set())
    return Expected(status, acao, acac, vary, reached, ACAO in app_set, policy)


# --- generated set-ups and requests ------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """One app: option dicts use the reference's names (``origins`` is a tuple of ENTRIES keys)."""

    config: dict[str, Any]  # the CORS_* keys
    app: dict[str, Any] | None = None  # CORS(app, **app)
    resources: tuple[tuple[str, dict[str, Any]], ...] | None = None  # CORS(app, resources=...)
    bp: dict[str, Any] | None = None  # CORS(blueprint, **bp)
    deco: dict[str, Any] | None = None  # @cross_origin(**deco) on /deco and /deco/boom
    report_only: dict[str, Any] | None = None  # CORS(app, report_only=True, **report_only)
    report_first: bool = False
    view_sets: Mapping[str, str] = field(default_factory=dict)  # set by the views' responses
    hook_sets: Mapping[str, str] = field(default_factory=dict)  # set by an after_request hook


class Req(NamedTuple):
    method: str  # GET, POST, or OPTIONS (then a preflight)
    path: str
    origin: str | None
    request_method: str = "PUT"
    request_headers: str | None = None

    @property
    def preflight(self) -> bool:
        return self.method == "OPTIONS"


def real_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The reference's option dict as the package takes it."""
    real = dict(options)
    if "origins" in real:
        values = [ENTRIES[name][0] for name in real["origins"]]
        real["origins"] = values[0] if len(values) == 1 else values
    return real


def make_app(setup: Setup, *, report_only: bool) -> Flask:
    """The app of *setup* (its report-only policy too, if *report_only*); may raise ConfigError."""
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an unhandled exception is a 500, as deployed
    app.logger.disabled = True  # ... without its traceback in the test's output
    for name, value in real_options(setup.config).items():
        app.config[f"CORS_{name.upper()}"] = value

    def body() -> Any:
        return Response("ok", headers=dict(setup.view_sets)) if setup.view_sets else "ok"

    def boom() -> Any:
        app.extensions["tests.raised"] = True
        raise RuntimeError("the view raised")

    methods = ["GET", "POST", "PUT"]
    app.add_url_rule("/api/items", "items", body, methods=methods)
    app.add_url_rule("/api/boom", "boom", boom, methods=["GET", "POST"])
    app.add_url_rule("/public/page", "public", body, methods=["GET", "POST"])
    decorate = (lambda f: f) if setup.deco is None else cross_origin(**real_options(setup.deco))
    app.add_url_rule("/deco", "deco", decorate(body), methods=methods)
    app.add_url_rule("/deco/boom", "deco_boom", decorate(boom), methods=["GET", "POST"])
    blueprint = Blueprint("bp", __name__, url_prefix="/bp")
    blueprint.add_url_rule("/thing", "thing", body, methods=methods)

    @app.before_request
    def reached() -> None:
        app.extensions["tests.reached"] = True

    @app.after_request
    def hook(response: Response) -> Response:
        for name, value in setup.hook_sets.items():
            if name == "Vary":
                response.vary.add(value)  # merged, as an app adds to Vary
            else:
                response.headers[name] = value
        return response

    def trial() -> None:
        if report_only and setup.report_only is not None:
            CORS(app, report_only=True, **real_options(setup.report_only))

    if setup.report_first:
        trial()
    if setup.bp is not None:
        CORS(blueprint, **real_options(setup.bp))
    app.register_blueprint(blueprint)
    if setup.app is not None:
        resources = setup.resources
        extra = (
            {} if resources is None else {"resources": {p: real_options(o) for p, o in resources}}
        )
        CORS(app, **real_options(setup.app), **extra)
    if not setup.report_first:
        trial()
    return app


def send(app: Flask, req: Req) -> tuple[Any, bool, bool]:
    """The response, whether the view raised, whether the request reached Flask's dispatch."""
    app.extensions.pop("tests.raised", None)
    app.extensions.pop("tests.reached", None)
    headers = {} if req.origin is None else {"Origin": req.origin}
    if req.preflight:
        headers["Access-Control-Request-Method"] = req.request_method
        if req.request_headers is not None:
            headers["Access-Control-Request-Headers"] = req.request_headers
    response = app.test_client().open(req.path, method=req.method, headers=headers)
    raised = bool(app.extensions.pop("tests.raised", False))
    return response, raised, bool(app.extensions.pop("tests.reached", False))


def vary_members(response: Any) -> list[str]:
    return [
        item.strip().lower()
        for value in response.headers.getlist("Vary")
        for item in value.split(",")
        if item.strip()
    ]


def check(setup: Setup, req: Req, response: Any, raised: bool, reached: bool) -> None:
    """Properties 1, 2, 3 and 5 on one response (property 4 is compared in the test)."""
    want = ref_response(setup, req)
    acaos = response.headers.getlist(ACAO)
    assert len(acaos) <= 1, f"F25: several ACAO {acaos}"
    acao = acaos[0] if acaos else None
    acac = response.headers.get(ACAC)
    # 1. A reflection beside credentials only for an origin the policy names as a trusted site.
    if acac == "true" and req.origin is not None and acao == req.origin and not want.app_acao:
        policy = want.policy
        assert policy is not None and not ref_open(policy), (
            f"{req.origin!r} reflected beside Access-Control-Allow-Credentials: true under a "
            f"policy open to any origin: {policy and policy['origins']}"
        )
        assert any(ENTRIES[n][2](req.origin) for n in policy["origins"]), req.origin
    # 5. No 500 unless the view raised; and the status the reference expects (F14, F36, F37).
    assert response.status_code != 500 or raised, "a 500 the view did not raise"
    assert response.status_code == want.status, (response.status_code, want.status)
    assert reached == want.reached_flask, "F36: a preflight the extension answers reaches Flask"
    # 2. Which policy applies and whether the origin is granted; the app's own ACAO is kept.
    assert acao == want.acao, f"ACAO {acao!r}, expected {want.acao!r}"
    assert acac == want.acac, f"ACAC {acac!r}, expected {want.acac!r}"
    # 3. Vary: Origin where ACAO depends on it (F32, F41); the app's Vary kept; no duplicates.
    members = vary_members(response)
    if want.policy is not None and "origin" in ref_vary(want.policy, preflight=False):
        assert "origin" in members, f"F32: ACAO depends on Origin but Vary is {members}"
    assert len(members) == len(set(members)), f"duplicated Vary members {members}"
    assert set(members) == want.vary, f"Vary {members}, expected {sorted(want.vary)}"


# --- strategies ---------------------------------------------------------------------------------

origins_st = st.lists(st.sampled_from(sorted(ENTRIES)), min_size=1, max_size=2, unique=True)
FLAGS = {
    "supports_credentials": st.sampled_from([False, False, False, True]),
    "send_wildcard": st.booleans(),
    "vary_header": st.sampled_from([True, True, False]),
}
options_st = st.one_of(
    st.fixed_dictionaries({}, optional=FLAGS),
    st.fixed_dictionaries({"origins": origins_st.map(tuple)}, optional=FLAGS),
)
PATTERNS = ("/*", "/api/*", "/api/items", "/public/*", "/deco", "/bp/*")
resources_st = st.lists(
    st.tuples(st.sampled_from(PATTERNS), options_st),
    min_size=1,
    max_size=3,
    unique_by=lambda r: r[0],
).map(tuple)
app_sets_st = st.fixed_dictionaries(
    {
        ACAO: st.sampled_from([None, None, "*", "https://app.example.com"]),
        ACAC: st.sampled_from([None, "true"]),
        "Vary": st.sampled_from([None, "Accept-Encoding", "Cookie"]),
    }
).map(lambda sets: {name: value for name, value in sets.items() if value is not None})
MODES = ("CORS(app)", "resources", "CORS(blueprint)", "@cross_origin alone", "@cross_origin")


@st.composite
def setups(draw: st.DrawFn, app_credentials: bool = False) -> Setup:
    """One set-up of each mode, equally often, with every other part drawn freely.

    With *app_credentials*, the app's hook always sets ``Access-Control-Allow-Credentials:
    true`` and neither it nor the view sets ``Access-Control-Allow-Origin``: the case of
    security issue items 3 and 4.
    """
    mode = draw(st.sampled_from(MODES))
    alone = mode == "@cross_origin alone"
    app = None if alone or (mode == "CORS(blueprint)" and draw(st.booleans())) else draw(options_st)
    view_sets, hook_sets = draw(app_sets_st), draw(app_sets_st)
    if app_credentials:
        view_sets = {name: value for name, value in view_sets.items() if name != ACAO}
        hook_sets = {name: value for name, value in hook_sets.items() if name != ACAO}
        hook_sets[ACAC] = "true"
    return Setup(
        config=draw(options_st),
        app=app,
        resources=draw(resources_st) if mode == "resources" else None,
        bp=draw(options_st) if mode == "CORS(blueprint)" else None,
        deco=draw(options_st) if "@" in mode else draw(st.none() | options_st),
        report_only=draw(st.none() | st.none() | options_st),
        report_first=draw(st.booleans()),
        view_sets=view_sets,
        hook_sets=hook_sets,
    )


#: Origins that only open policies admit are drawn more often (and every origin can appear).
ORIGINS = ["null", "null", *WELL_FORMED, "https://evil.test", "https://evil.vercel.app", *MALFORMED]


def requests_st(origins: list[str | None]) -> st.SearchStrategy[Req]:
    return st.builds(
        Req,
        method=st.sampled_from(["GET", "POST", "OPTIONS"]),
        path=st.sampled_from([*ROUTES, "/nowhere"]),
        origin=st.sampled_from(origins),
        request_method=st.sampled_from(["PUT", "DELETE", "GET", "POST"]),
        request_headers=st.sampled_from([None, "content-type", "x-token, authorization"]),
    ).map(lambda r: r._replace(method="GET") if r.preflight and r.origin is None else r)  # F2


def run(setup: Setup, reqs: list[Req]) -> None:
    """Build the app (and its twin without the report-only policy) and check every response."""
    policies = ref_policies(setup)
    with warnings.catch_warnings():
        # No DeprecationWarning for regex strings (migration issue item 2), at set-up or at a
        # decorated view's first request.
        warnings.simplefilter("error", DeprecationWarning)
        if any(ref_refused_at_setup(p) for p in policies):
            # Refused at set-up, or (a decorator alone) on the view's first request.
            with pytest.raises(ConfigError):
                app = make_app(setup, report_only=True)
                app.config["PROPAGATE_EXCEPTIONS"] = True
                send(app, Req("GET", "/deco", None))
            return
        app = make_app(setup, report_only=True)
        twin = make_app(setup, report_only=False) if setup.report_only is not None else None
        for req in reqs:
            response, raised, reached = send(app, req)
            check(setup, req, response, raised, reached)
            if twin is not None:  # 4. A report-only policy never changes a response.
                plain, _, _ = send(twin, req)
                got = (response.status_code, response.headers.to_wsgi_list(), response.data)
                assert got == (plain.status_code, plain.headers.to_wsgi_list(), plain.data), (
                    "the report-only policy changed the response"
                )


#: The minimal failing examples Hypothesis printed before the fixes (see the tests below).
ITEM_3 = Setup(config={}, deco={}, hook_sets={ACAC: "true"})  # @cross_origin() alone
ITEM_4 = {  # CORS(app) under each spelling of "any origin" but '*'
    name: Setup(config={"origins": (name,)}, app={}, hook_sets={ACAC: "true"})
    for name in ("catch-all", "catch-all-str", "public-glob", "null")
}


@SETTINGS
@example(setup=ITEM_3, reqs=[Req("GET", "/deco", "https://app.example.com")])
@example(setup=ITEM_3, reqs=[Req("OPTIONS", "/deco", "https://evil.test")])
@example(setup=ITEM_4["catch-all"], reqs=[Req("GET", "/api/items", "https://app.example.com")])
@example(setup=ITEM_4["catch-all-str"], reqs=[Req("GET", "/api/items", "https://evil.test")])
@example(setup=ITEM_4["public-glob"], reqs=[Req("GET", "/api/items", "https://evil.vercel.app")])
@example(setup=ITEM_4["null"], reqs=[Req("GET", "/api/items", "null")])
@given(
    setup=setups(app_credentials=True),
    reqs=st.lists(requests_st(ORIGINS), min_size=1, max_size=6),
)
def test_no_reflection_beside_the_apps_credentials(setup: Setup, reqs: list[Req]) -> None:
    """Security issue items 3 and 4: an app that sets ``Access-Control-Allow-Credentials: true``
    itself never gets the request's origin reflected beside it under a policy open to any origin
    (``*``, a catch-all regex, a public-suffix glob, ``null`` listed), whichever way the policy
    applies (``CORS(app)``, resources, ``CORS(blueprint)``, ``@cross_origin`` with or without
    ``CORS(app)``); every other property of the reference holds on these responses too.

    Item 3 was ``@cross_origin()`` alone with an ``after_request`` hook setting the header; item
    4, ``CORS(app)`` under ``re.compile(".*")``, ``r"https?://.*"``, ``"https://*.vercel.app"``
    or ``"null"`` (only ``"*"`` was recognised).
    """
    run(setup, reqs)


@SETTINGS
@given(setup=setups(), reqs=st.lists(requests_st([None, *ORIGINS]), min_size=1, max_size=6))
def test_adapter_against_reference(setup: Setup, reqs: list[Req]) -> None:
    """The whole adapter against the reference, around security issue items 3 and 4.

    Properties on every response: (1) a reflected origin beside credentials is one the policy
    names as a trusted site (items 3 and 4); (2) the ACAO the resolver and the merge rule give;
    (3) ``Vary``; (4) a report-only policy changes nothing; (5) no 500 unless the view raised.
    """
    run(setup, reqs)
