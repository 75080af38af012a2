"""Where a policy was set: the typed answer to "which policy covers this request". Framework-free.

The plan (``_adapter.py``) answers with a :class:`Coverage`, the policy and its :class:`Source`,
and the tools (``flask cors check/routes``, the playground) read the source rather than parse a
label. A :class:`ViewSpec` is what ``@cross_origin(...)`` was given, set on the view function
(``SPEC_ATTRIBUTE``) so that the plan finds a decorated view's policy by its endpoint.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from .options import Layer
from .policy import Policy

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
