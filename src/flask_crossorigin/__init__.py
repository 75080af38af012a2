"""Cross-Origin Resource Sharing for Flask: flask-cors's API, exact to the Fetch standard.

Switching from flask-cors is one import line::

    from flask_crossorigin import CORS, cross_origin

The public API is :class:`CORS`, :func:`cross_origin` and :class:`ConfigError`, the
:data:`cors_refused` signal, the :mod:`flask_crossorigin.testing` helpers, the browser simulator
:mod:`flask_crossorigin.browser` (also importable under its former name,
``flask_crossorigin.explain``), and the refusal reason ids of
:class:`flask_crossorigin.policy.Reason`; the API reference lists them all (``flask cors explain
--page api`` prints it from the installed package; ``make docs`` renders it in a checkout).
Every other name may change.
"""

from __future__ import annotations

from importlib.metadata import version as _distribution_version

from .decorator import cross_origin
from .errors import ConfigError
from .extension import CORS
from .signals import cors_refused

__all__ = ["CORS", "ConfigError", "cors_refused", "cross_origin"]
#: The installed distribution's version. pyproject.toml is the one place it is written.
__version__: str = _distribution_version("flask-crossorigin")
