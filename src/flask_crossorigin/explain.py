"""The former name of :mod:`flask_crossorigin.browser`, kept for compatibility.

The browser simulator was first published as ``flask_crossorigin.explain``, the name the CLI
command ``flask cors explain`` (which prints documentation; see :mod:`flask_crossorigin.reference`)
also has. Its code now lives in :mod:`flask_crossorigin.browser`; this module re-exports the same
public objects, so ``from flask_crossorigin.explain import simulate`` keeps working and gives the
very same function. New code should import from :mod:`flask_crossorigin.browser`.
"""

from __future__ import annotations

from . import browser as _browser
from .browser import *

__all__ = _browser.__all__
