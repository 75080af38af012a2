"""The types of the options, for type checkers: ``CORS(app, origin_s=...)`` fails ``mypy``.

``CORS()``, ``CORS.init_app()`` and ``@cross_origin()`` take their options as keyword arguments
typed with these dictionaries (``**options: Unpack[CORSOptions]``), so a misspelt option name or
a value of the wrong type is reported by mypy or pyright before the app ever starts. They are
public so that options gathered in a dictionary can be typed too::

    from flask_crossorigin.types import CORSOptions

    options: CORSOptions = {"origins": ["https://app.example.com"], "max_age": 600}
    CORS(app, **options)

The types say what to write in code. Set-up still validates every value (``ConfigError``), and
accepts a little more than the types do, for values read from configuration files and the
environment (``app.config`` is untyped): ``max_age`` as a string of digits (``"600"``). In code,
write the number (``max_age=600``, or ``int(os.environ["MAX_AGE"])``).

The legacy spellings ``headers=`` (for ``allow_headers``) and ``origin=`` (for ``origins``) are
typed too, because they work: flask-crossorigin honours them with a ``DeprecationWarning``. A
type can say neither that they are deprecated nor that giving both spellings of one option is a
``TypeError``; set-up says both.

Nothing here is needed at run time: the module imports only the standard library.

.. versionadded:: 0.2
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable, TypedDict, Union

__all__ = [
    "AllowHeaders",
    "CORSOptions",
    "CrossOriginOptions",
    "HeaderPattern",
    "MaxAge",
    "Methods",
    "OriginEntry",
    "Origins",
    "ResourcePattern",
    "Resources",
]

#: One entry of ``origins``: an origin or glob string (``"https://*.example.com"``), a compiled
#: regex matched against the whole Origin, or a callable deciding per request.
OriginEntry = Union[str, re.Pattern[str], Callable[[str], bool]]
#: ``origins``: one entry, or a list (any iterable) of entries.
Origins = Union[OriginEntry, Iterable[OriginEntry]]
#: ``methods``: a comma-separated string, ``"*"``, or a list of method names.
Methods = Union[str, Iterable[str]]
#: One entry of ``allow_headers``: a header name (or a regex string), or a compiled regex.
HeaderPattern = Union[str, re.Pattern[str]]
#: ``allow_headers``: a comma-separated string, ``"*"``, a compiled regex, or a list of those.
AllowHeaders = Union[HeaderPattern, Iterable[HeaderPattern]]
#: ``max_age``: seconds, as an int or a :class:`datetime.timedelta`; ``None`` sends none.
MaxAge = Union[int, datetime.timedelta, None]
#: A path pattern of ``resources``: ``r"/api/*"``, a regex string, or a compiled regex.
ResourcePattern = Union[str, re.Pattern[str]]


# One key per option of options.OPTIONS, typed as its kind is (a boolean: ``bool | None``); the
# table-only ones (resources) in CORSOptions. tests/test_option_table.py compares the two.
class CrossOriginOptions(TypedDict, total=False):
    """The options of ``@cross_origin(...)`` and of one resource in a ``resources`` dict.

    ``None`` for a boolean means "not set": the next layer down (app config, then the
    default) applies, so ``app.config.get("CORS_SUPPORTS_CREDENTIALS")`` can be passed along.
    """

    origins: Origins
    methods: Methods
    allow_headers: AllowHeaders
    expose_headers: str | Iterable[str] | None
    supports_credentials: bool | None
    max_age: MaxAge
    send_wildcard: bool | None
    vary_header: bool | None
    automatic_options: bool | None
    intercept_exceptions: bool | None
    always_send: bool | None
    allow_private_network: bool | None
    debug: bool | None
    log_refusals: bool | None
    #: Deprecated legacy spelling of ``allow_headers`` (honoured, with a DeprecationWarning).
    headers: AllowHeaders
    #: Deprecated legacy spelling of ``origins`` (honoured, with a DeprecationWarning).
    origin: Origins


#: ``resources``: one pattern, a list of patterns sharing the top-level options, or a dict
#: giving each pattern its own options on top of them. A list (not any iterable), so that a
#: dict is checked as a dict, its options included. The dict's keys are path patterns (``str`` or
#: a compiled regex, checked at set-up); they are typed ``Any`` because a mapping's key type is
#: invariant, and a ``dict[str, CrossOriginOptions]`` must be accepted as well as a dict that
#: mixes strings and compiled regexes.
Resources = Union[
    ResourcePattern,
    Sequence[ResourcePattern],
    Mapping[Any, CrossOriginOptions],
]


class CORSOptions(CrossOriginOptions, total=False):
    """The options of ``CORS(...)`` and ``CORS.init_app(...)``: a view's, and ``resources``."""

    resources: Resources
