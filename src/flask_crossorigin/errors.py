"""The exception users catch, and the helper that aims deprecation warnings at their code."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


class ConfigError(ValueError):
    """A CORS configuration that cannot work, found when the app is set up.

    The message names the option, where its value came from, why it cannot work and what to write
    instead. It subclasses :class:`ValueError` so code that already guards configuration parsing
    with ``except ValueError`` keeps working.

    .. versionadded:: 0.1
    """


def warn_deprecated(message: str) -> None:
    """Emit a :class:`DeprecationWarning` attributed to the first caller outside this package.

    Options are validated several calls deep; without walking the stack the warning would point
    at our own source, and users could neither find nor silence the line that needs changing.
    """
    level = 2  # 1 would be this function; 2 its caller
    frame = sys._getframe(1)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(
        _PACKAGE_DIR
    ):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, DeprecationWarning, stacklevel=level)
