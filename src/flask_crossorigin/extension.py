"""``CORS(app)`` / ``init_app``, and the WSGI middleware that is the one way requests go through.

``CORS(app)`` (or ``CORS(blueprint)``, once registered) wraps ``app.wsgi_app`` in
:class:`CORSMiddleware`, the middleware pattern Flask documents. Per request it does one of two
things (``flask cors explain --page architecture``):

* a **preflight** (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``, F2) is
  answered before Flask sees it, with the policy of the view that will serve the actual request
  (routed with the requested method), so authentication hooks, 404s and trailing-slash redirects
  never get in its way (F36);
* **every other response** gets the decided headers as it starts, in the ``start_response``
  handed to Flask: after the view, the error handlers and the app's own hooks have run, so
  headers they set are respected and error responses are covered like any other (F22, F42).
  Flask starts the response inside the request context, so the routed request (endpoint,
  blueprints) is read from there.

The middleware lives in :mod:`._middleware` (the decorator installs it too); the policies
themselves, the resolver and the header rule live in :mod:`._adapter`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

from ._middleware import CORSMiddleware, attach
from .errors import ConfigError
from .options import EXTENSION_OPTIONS, Layer, check_names, config_layer

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .types import CORSOptions

logger = logging.getLogger("flask_crossorigin")


class CORS:
    """Cross-Origin Resource Sharing for a Flask app or blueprint.

    ``CORS(app, **options)`` applies at once; ``CORS(**options)`` then ``init_app(app)`` suits app
    factories. Options are those of flask-cors 6 (``flask cors explain --page options``). With a
    blueprint, the policy covers only that blueprint's routes. Unknown option names raise
    :class:`TypeError`, invalid values raise :class:`~flask_crossorigin.ConfigError`, both here
    rather than at the first request. Calling ``CORS(app)`` again replaces the app's policy (with
    a WARNING when the configuration differs).

    With ``report_only=True`` the options are compiled into the app's *report-only* policy
    instead: it never changes a response, and every request with ``Origin`` that it covers and
    would refuse is reported (the :data:`~flask_crossorigin.cors_refused` signal with
    ``report_only=True``, and a rate-limited WARNING). It lives next to the enforcing policy:
    neither replaces the other, and a second report-only ``CORS`` replaces the first
    report-only one. See ``flask cors explain --page operating``.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        app: Flask | Blueprint | None = None,
        *,
        report_only: bool = False,
        **options: Unpack[CORSOptions],
    ) -> None:
        self._report_only = _flag("CORS", report_only)
        self._layer = check_names(options, allowed=EXTENSION_OPTIONS, where="CORS")
        if app is not None:
            self.init_app(app)

    def init_app(
        self,
        app: Flask | Blueprint,
        *,
        report_only: bool | None = None,
        **options: Unpack[CORSOptions],
    ) -> None:
        """Apply the policy to *app*; keyword options here win over those given to ``CORS()``.

        *report_only*, when given, wins over the one given to ``CORS()``.
        """
        trial = self._report_only if report_only is None else _flag("init_app", report_only)
        layer = check_names(options, allowed=EXTENSION_OPTIONS, where="init_app")
        layers = (self._layer, layer)
        if trial:
            if not isinstance(app, Flask):
                raise TypeError(
                    "report_only=True takes a Flask app: a report-only policy is one table for "
                    "the whole app. Write CORS(app, report_only=True, resources={...}) with the "
                    "blueprint's paths as patterns."
                )
            state = attach(app, enforce=False)
            state.configure(report_layers=layers)
            return
        if isinstance(app, Blueprint):

            def register(setup: BlueprintSetupState) -> None:
                name = f"{setup.name_prefix}.{setup.name}" if setup.name_prefix else setup.name
                flask_app = setup.app  # typed Flask in 2.3, the sansio App later
                assert isinstance(flask_app, Flask)
                state = attach(flask_app)
                state.configure(blueprint_layers={**state.blueprint_layers, name: layers})

            try:
                app.record(register)
            except AssertionError:  # Flask refuses set-up methods once a blueprint is registered
                raise TypeError(
                    f"CORS({app.name!r} blueprint) was called after the blueprint was registered "
                    "on an app, so it would never apply. Call CORS(blueprint) before "
                    "app.register_blueprint(blueprint), or give the app the policy instead: "
                    f"CORS(app, resources={{r'{app.url_prefix or ''}/*': {{...}}}})."
                ) from None
            return
        if not isinstance(app, Flask):
            raise TypeError(f"CORS() takes a Flask app or a Blueprint, not {type(app).__name__}.")
        state = attach(app)
        configuration = _configuration(config_layer(app.config), layers)
        if state.app_layers is not None and configuration != state.configuration:
            logger.warning(
                "CORS(app) was called again on app %r with a different configuration: the new "
                "one replaces the first (flask-cors stacked them; see "
                "'flask cors explain --page migrating').",
                app.name,
            )
        # A new plan: this table, and everything else compiled over the app's config (blueprint
        # tables, the report-only table, decorated views) compiled again, so a second CORS(app)
        # after the config changed leaves nothing on the old values (security issue item 11).
        state.configure(app_layers=layers)
        state.configuration = configuration


def _configuration(*layers: Layer | tuple[Layer, ...]) -> object:
    """The option values of *layers*, comparable between two ``CORS(app)`` calls."""
    flat: list[Layer] = []
    for item in layers:
        flat.extend(item if isinstance(item, tuple) else (item,))
    return [{name: value for name, (value, _) in layer.items()} for layer in flat]


def _flag(where: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(
        f"{where}(report_only={value!r}): report_only must be True or False. A string such as "
        "'false' is truthy in Python; write report_only=True or report_only=False.",
        code="cors.E030",
        option="report_only",
        value=value,
        source=f"{where}(report_only=...)",
    )


__all__ = ["CORS", "CORSMiddleware"]
