"""Where a policy was set: the typed answer to "which policy covers this request", and what the
plan says about views. Framework-free.

The plan (``_adapter.py``) answers with a :class:`Coverage`, the policy and its :class:`Source`,
and the tools (``flask cors check/routes``, the playground) read the source rather than parse a
label. A :class:`ViewSpec` is what ``@cross_origin(...)`` was given, set on the view function
(``SPEC_ATTRIBUTE``) so that the plan finds a decorated view's policy by its endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import NamedTuple

from .options import Layer
from .policy import Policy, Reason
from .resources import Resource

#: Set on a view function by ``@cross_origin``; its value is a :class:`ViewSpec`.
SPEC_ATTRIBUTE = "__crossorigin_spec__"
#: Set by ``@cross_origin`` on the function it wraps: a registered view that carries it but not
#: :data:`SPEC_ATTRIBUTE` was decorated above ``@app.route``.
WRAPPED_ATTRIBUTE = "__crossorigin_wrapped__"


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


def said_of(
    broken: Mapping[ViewSpec, Exception], misplaced: list[str]
) -> list[tuple[tuple[str, str], str]]:
    """What a plan built at a request says in the log about its views, by a key to say it once
    by: each decorated view that cannot be compiled (*broken*), each endpoint whose
    ``@cross_origin`` was written above ``@app.route`` (*misplaced*)."""
    said = [
        (
            ("broken", spec.view_name),
            f"{error} The view {spec.view_name!r} answers 500 until this is fixed; every other "
            "route keeps working.",
        )
        for spec, error in broken.items()
    ]
    said.extend(
        (
            ("misplaced", endpoint),
            f"@cross_origin on view {endpoint!r} is written above @app.route, so Flask registered "
            "the undecorated function and the decorator never runs: put @cross_origin below the "
            "route decorator, next to the function.",
        )
        for endpoint in misplaced
    )
    return said


def misplaced(view: object) -> bool:
    """Whether *view* was wrapped by ``@cross_origin`` but registered unwrapped."""
    return getattr(view, WRAPPED_ATTRIBUTE, None) is not None and not isinstance(
        getattr(view, SPEC_ATTRIBUTE, None), ViewSpec
    )


def wrapper_answers(view: object) -> bool:
    """Whether *view* is ``@cross_origin``'s wrapper answering ``OPTIONS`` (not the view's own)."""
    spec = getattr(view, SPEC_ATTRIBUTE, None)
    return isinstance(spec, ViewSpec) and spec.owns_options


def ambiguous(sent: Resource[Coverage] | None, resolved: Resource[Coverage] | None) -> Coverage:
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


def own_options_said(endpoint: str, status: str) -> str:
    """The WARNING for a preflight a view that declares ``OPTIONS`` answered without
    ``Access-Control-Allow-Origin`` (migration issue item 1)."""
    return (
        f"View {endpoint!r} declares OPTIONS, so its preflights reach it (and the app's "
        f"before_request hooks); its answer ({status}) had no Access-Control-Allow-Origin, so "
        "this policy's preflight headers were merged into it, as flask-cors does (a status other "
        "than 2xx fails the preflight in browsers). To have flask-crossorigin answer preflights "
        "before your hooks, remove OPTIONS from the route's methods; to own CORS for this route, "
        "set Access-Control-Allow-Origin in the view's answer. ('flask cors routes' lists such "
        "views.)"
    )
