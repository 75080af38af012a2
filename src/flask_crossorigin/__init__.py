"""Cross-Origin Resource Sharing for Flask: flask-cors's API, exact to the Fetch standard.

Switching from flask-cors is one import line::

    from flask_crossorigin import CORS, cross_origin

The public API is :class:`CORS`, :func:`cross_origin`, :class:`ConfigError`, the
:data:`cors_refused` signal and the :mod:`flask_crossorigin.testing` helpers, plus what
``docs/`` documents; every other name may change.
"""

from __future__ import annotations

from .decorator import cross_origin
from .errors import ConfigError
from .extension import CORS
from .signals import cors_refused

__all__ = ["CORS", "ConfigError", "cors_refused", "cross_origin"]
__version__ = "0.1.0"
