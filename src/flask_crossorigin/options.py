"""The table of options, and the machinery it drives: layers, ``CORS_*`` keys, validation.

Every option is declared once, as one row of :data:`OPTIONS`: its name, default, kind, validator,
``CORS_*`` config key and a one-line doc. Everything else is read from that table: the defaults,
the names ``CORS()``, ``init_app()``, ``@cross_origin()`` and a resource's dict accept, the config
keys, the validation of each value (a boolean's from its kind alone), the fields of the compiled
:class:`~flask_crossorigin.policy.Policy` and what :meth:`Policy.describe` shows. Adding an
option is adding a row (and its key in :mod:`flask_crossorigin.types`, and its documentation;
CONTRIBUTING.md says exactly what).

Options arrive in layers (defaults, app config, ``CORS()`` keyword arguments, ``init_app``
keyword arguments, per-resource dictionaries, decorator arguments). Each value keeps a label
saying where it came from, so that a :class:`~flask_crossorigin.ConfigError` can name the exact
place to change, and ``flask cors routes`` can show where an effective value was set.

Everything here runs when the app is set up, never per request.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import logging
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ._http import is_token, looks_like_regex
from .errors import ConfigError, ProblemCollector, warn_deprecated
from .origins import (
    OriginMatcher,
    compile_origins,
    flask_cors_match,
    note_once,
    quietly,
    regex_instances,
    shown_regex,
    then,
)
from .policy import DEBUG_HEADER, DEFAULT_METHODS, HeaderRule, Policy
from .resources import check_pattern

logger = logging.getLogger("flask_crossorigin")

#: The methods browsers upper-case before sending (F7); any other is sent exactly as written.
_NORMALISED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})

#: Request header names pages commonly ask for, tried against every header regex string.
_COMMON_HEADERS = (
    "Authorization",
    "Content-Type",
    "X-Requested-With",
    "X-Request-Id",
    "X-CSRF-Token",
    "X-CSRFToken",
    "X-XSRF-Token",
    "X-Api-Key",
    "X-Auth-Token",
    "Cache-Control",
    "If-None-Match",
    "Traceparent",
)
#: Words added to a header name whose regex ends open (``X-Custom-\w+``, ``^X-``).
_HEADER_SUFFIXES = ("-Id", "-Token", "-Version")

#: Browsers clamp Access-Control-Max-Age (Firefox 24 h, Chromium 2 h); more is never honoured.
MAX_AGE_LIMIT = 86400

#: A layer of options: name -> (value, label of where the value came from).
Layer = dict[str, tuple[Any, str]]


# -- the shape of an option -----------------------------------------------------------------------


class Kind(str, Enum):
    """What sort of value an option takes, which says how it is validated and typed.

    A ``BOOL`` option needs nothing but its row: it is validated from its kind (``True`` or
    ``False``; ``None`` means "not set"). Every other kind names its validator in the row.
    """

    #: ``True`` or ``False``; ``None`` is "not set". Typed ``bool | None``.
    BOOL = "bool"
    #: Origins, globs, regexes or callables, compiled into an :class:`OriginMatcher`.
    ORIGINS = "origins"
    #: Method names (a list, a comma-separated string, or ``"*"``): a tuple, ``None`` for ``*``.
    METHODS = "methods"
    #: Request header names or regexes (or ``"*"``), compiled into a :class:`HeaderRule`.
    HEADERS = "headers"
    #: Response header names (or ``"*"``, or ``None``): a tuple, empty for none.
    EXPOSE = "expose"
    #: Seconds (an int, a string of digits, a timedelta) or ``None``: an int or ``None``.
    MAX_AGE = "max_age"
    #: Path patterns for the whole table (``CORS()`` only), compiled by :func:`resource_entries`.
    RESOURCES = "resources"


def _same(value: Any) -> object:
    return value


@dataclass(frozen=True)
class Option:
    """One option, declared once: one row of :data:`OPTIONS`."""

    #: The keyword argument, the key of a resource's dict, and the :class:`Policy` attribute.
    name: str
    #: The value when no layer sets it (flask-cors 6's default).
    default: Any
    kind: Kind
    #: One line saying what the option does (``flask cors explain --page options``: the rest).
    doc: str
    #: ``(value, label) -> compiled value``, raising :class:`ConfigError`. ``None`` for a
    #: ``BOOL`` (validated from its kind) and for ``resources`` (compiled by the table).
    check: Callable[[Any, str], Any] | None = None
    #: The compiled value -> the plain value :meth:`Policy.describe` shows.
    show: Callable[[Any], object] = _same
    #: Set for the whole resource table (``CORS()`` and ``init_app()`` only): not accepted by
    #: ``@cross_origin`` nor in a resource's dict, and not a field of a :class:`Policy`.
    table_only: bool = False

    def __post_init__(self) -> None:
        if (self.check is None) != (self.kind in (Kind.BOOL, Kind.RESOURCES)):
            raise TypeError(
                f"option {self.name!r}: a {self.kind.value} option "
                + ("takes no check" if self.check is not None else "needs a check")
            )

    @property
    def config_key(self) -> str:
        """The app config key that sets it: ``CORS_`` and the name in upper case."""
        return f"CORS_{self.name.upper()}"

    def compile(self, value: Any, label: str) -> Any:
        """Validate *value* (written at *label*) into the form :class:`Policy` keeps."""
        if self.kind is Kind.BOOL:
            return _boolean(self.name, value, label)
        assert self.check is not None, self.name  # resources: compiled by resource_entries
        return self.check(value, label)


# -- validators -----------------------------------------------------------------------------------


def _boolean(name: str, value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(
        f"{label}: {name}={value!r} must be True or False. A string such as 'false' is truthy "
        f"in Python and would silently turn the option on; write {name}=False or {name}=True.",
        code="cors.E030",
        option=name,
        value=value,
        source=label,
    )


def _string_list(value: Any, label: str, what: str, option: str) -> list[Any]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, re.Pattern):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    raise ConfigError(
        f"{label}: {value!r} is not a {what}; give a string or a list of strings.",
        code="cors.E040",
        option=option,
        value=value,
        source=label,
    )


def _token(item: Any, label: str, what: str, option: str) -> str:
    if isinstance(item, str) and what == "header name" and item.count("/") == 1:
        raise ConfigError(
            f"{label}: {item!r} is a media type, not a header name; the request header that "
            "carries it is 'Content-Type', so write 'Content-Type'.",
            code="cors.E041",
            option=option,
            value=item,
            source=label,
        )
    if not isinstance(item, str) or not is_token(item.strip()):
        raise ConfigError(
            f"{label}: {item!r} is not a valid {what}: it must be an HTTP token (letters, digits "
            "and !#$%&'*+-.^_`|~, no spaces or separators).",
            code="cors.E042",
            option=option,
            value=item,
            source=label,
        )
    return item.strip()


def _methods(value: Any, label: str) -> tuple[str, ...] | None:
    items = _string_list(value, label, "list of HTTP methods", "methods")
    if "*" in items:
        return None
    methods: list[str] = []
    problems = ProblemCollector()  # every wrong entry at once
    for item in items:
        method = problems.check(_token, item, label, "HTTP method", "methods")
        if method is None:
            continue
        # F7: browsers upper-case exactly these six and send every other method as written.
        if method.upper() in _NORMALISED_METHODS:
            method = method.upper()
        if method not in methods:
            methods.append(method)
    problems.raise_any()
    return tuple(methods)


def _allow_headers(value: Any, label: str) -> HeaderRule:
    # A regex string is one pattern, as flask-cors reads it; its commas are not separators.
    is_regex = isinstance(value, str) and looks_like_regex(value) and value.strip() != "*"
    items = (
        [value.strip()]
        if is_regex
        else _string_list(value, label, "list of header names", "allow_headers")
    )
    if "*" in items:
        return HeaderRule(any_header=True, display=("*",))
    names: list[str] = []
    patterns: list[re.Pattern[str]] = []
    display: list[str] = []
    #: Regex strings, to say at set-up where flask-cors read one differently (``header_note``).
    regex_strings: list[str] = []
    problems = ProblemCollector()  # every wrong entry at once
    for item in items:
        if isinstance(item, re.Pattern):
            if not isinstance(item.pattern, str):
                problems.errors.append(
                    ConfigError(
                        f"{label}: {item!r} is a bytes pattern; compile a str pattern.",
                        code="cors.E003",
                        option="allow_headers",
                        value=item,
                        source=label,
                    )
                )
                continue
            patterns.append(re.compile(item.pattern, item.flags | re.IGNORECASE))
            display.append(f"re.compile({item.pattern!r})")
            continue
        if isinstance(item, str) and looks_like_regex(item):
            pattern = problems.check(_header_regex, item, label)
            if pattern is not None:
                patterns.append(pattern)
                display.append(f"re.compile({item!r})")
                regex_strings.append(item)
            continue
        name = problems.check(_token, item, label, "header name", "allow_headers")
        if name is not None:
            names.append(name.lower())
            display.append(name)
    problems.raise_any()
    for item in regex_strings:
        note = header_note(item)
        if note is not None:
            note_once("allow_headers", label, item, f"{label}: {note}")
    return HeaderRule(names=names, patterns=patterns, display=tuple(display))


def _header_regex(item: str, label: str) -> re.Pattern[str]:
    """Compile a header-name string flask-cors 6 reads as a regex (full match, ignoring case).

    ``'X-Custom-*'`` is a glob gone wrong: flask-cors matched it as a prefix, so it covered
    ``X-Custom-Id``; matched whole, it would cover only ``X-Custom`` and ``X-Custom-``. It is
    refused with the regex that works, rather than silently refusing preflights in browsers.
    """
    if item.endswith("*") and not item.endswith((".*", ")*", "]*", "\\*")):
        fix = item[:-1] + ".*"
        try:
            re.compile(fix)
            hint = f" For every header starting with {item[:-1]!r} write {fix!r};"
        except re.error:
            hint = " Write the regex you mean;"
        raise ConfigError(
            f"{label}: {item!r} is read as a regular expression (as in flask-cors), and matched "
            f"against the whole header name it would not cover {item[:-1] + 'Id'!r}, as the '*' "
            f"suggests.{hint} '*' on its own means every header.",
            code="cors.E043",
            option="allow_headers",
            value=item,
            source=label,
        )
    try:
        pattern = re.compile(item, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(
            f"{label}: {item!r} is read as a regular expression (it contains one of "
            f"* \\ ] ? $ ^ [ ( )) but does not compile ({exc}). Fix the pattern, or list header "
            "names such as 'Content-Type'.",
            code="cors.E016",
            option="allow_headers",
            value=item,
            source=label,
        ) from exc
    return pattern


def _header_candidates(source: str) -> list[str]:
    r"""Header names the regex *source* plausibly means: the names its text spells, common
    request header names, and, when its text ends open (``X-Custom-\w+``, ``^X-``), a spelt
    name with a word added, as flask-cors's prefix match let in."""
    spelt = regex_instances(source)
    found = dict.fromkeys(name for name in spelt if name and is_token(name))
    found.update(dict.fromkeys(_COMMON_HEADERS))
    if source.rstrip(")$").endswith(("*", "+", "}", "-")):
        for name in spelt:
            for suffix in _HEADER_SUFFIXES:
                longer = name + (suffix[1:] if name.endswith("-") else suffix)
                if is_token(longer):
                    found[longer] = None
    return list(found)


def _header_refused(source: str) -> list[str]:
    """The header names :func:`_header_candidates` gives that flask-cors let in with *source*
    and our whole match refuses."""
    try:
        ours = re.compile(source, re.IGNORECASE)
    except re.error:
        return []
    return [
        name
        for name in _header_candidates(source)
        if flask_cors_match(source, name) and not ours.fullmatch(name)
    ]


@functools.lru_cache(maxsize=256)
def header_note(source: str) -> str | None:
    """What to say at set-up about the header regex string *source* (:func:`_header_note`)."""
    return quietly(_header_note, source)


def _header_note(source: str) -> str | None:
    """What to say at set-up about the header regex string *source*; ``None`` if nothing.

    As :func:`~flask_crossorigin.origins.origin_note` for origins: the first header name that
    flask-cors's prefix match let in and our whole match refuses, with spellings, each checked,
    that allow it (a prefix match, ``...*``) and that refuse it (``...$``).
    """
    refused = _header_refused(source)
    if not refused:
        return None
    first = refused[0]
    allow = then(source, ".*")
    refuse = then(source, "$")
    clauses = []
    if _header_reads_the_same(allow) and re.fullmatch(allow, first, re.IGNORECASE):
        clauses.append(f"To allow it as flask-cors did, write {shown_regex(allow)}")
    if _header_reads_the_same(refuse):
        clauses.append(f"to refuse it, write {shown_regex(refuse)}")
    advice = {
        0: "Write the pattern so that it matches whole header names, which silences this warning",
        1: f"{''.join(clauses)}, which silences this warning",
        2: f"{'; '.join(clauses)}. Either change silences this warning",
    }[len(clauses)]
    return (
        f"the header name {shown_regex(source)} is a regular expression. flask-cors matched it "
        f"against the start of each requested header name, so it let in {first!r}; "
        "flask-crossorigin matches the whole name, so a preflight asking for "
        f"{first!r} is refused. {advice[0].upper()}{advice[1:]}."
    )


def _header_reads_the_same(source: str) -> bool:
    """Whether the header regex string *source* is accepted and reads the same both ways."""
    try:
        _header_regex(source, "")
    except ConfigError:
        return False
    return not _header_refused(source)


def _expose_headers(value: Any, label: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = _string_list(value, label, "list of header names", "expose_headers")
    if "*" in items:
        return ("*",)
    names: dict[str, str] = {}
    problems = ProblemCollector()  # every wrong entry at once
    for item in items:
        name = problems.check(_token, item, label, "header name", "expose_headers")
        if name is not None:
            names.setdefault(name.lower(), name)
    problems.raise_any()
    return tuple(names.values())


def _max_age(value: Any, label: str) -> int | None:
    if value is None:
        return None
    seconds: Any = value
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
        if seconds != int(seconds):
            raise _max_age_error("cors.E050", label, value, "is not a whole number of seconds.")
        seconds = int(seconds)
    elif isinstance(value, str) and value.isdigit() and value.isascii():
        seconds = int(value)
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise _max_age_error(
            "cors.E051",
            label,
            value,
            "is not a number of seconds. Write an int (600), a string of digits ('600') or a "
            "datetime.timedelta.",
        )
    if seconds < 0:
        raise _max_age_error(
            "cors.E052",
            label,
            value,
            "is negative; browsers reject it (F19). Write 0 to disable preflight caching, or a "
            "positive number of seconds.",
        )
    if seconds > MAX_AGE_LIMIT:
        raise _max_age_error(
            "cors.E053",
            label,
            value,
            f"is more than {MAX_AGE_LIMIT} seconds; browsers cap the preflight cache (Firefox at "
            f"24 h, Chromium at 2 h), so write at most {MAX_AGE_LIMIT}.",
        )
    return int(seconds)  # an int already; int() lets mypy 1.x (Python 3.9) see it too


def _max_age_error(code: str, label: str, value: Any, why: str) -> ConfigError:
    return ConfigError(
        f"{label}: max_age={value!r} {why}",
        code=code,
        option="max_age",
        value=value,
        source=label,
    )


def _shown_display(compiled: OriginMatcher | HeaderRule) -> object:
    return list(compiled.display)


def _shown_methods(methods: tuple[str, ...] | None) -> object:
    return "*" if methods is None else list(methods)


def _shown_list(names: tuple[str, ...]) -> object:
    return list(names)


# -- the options ----------------------------------------------------------------------------------


#: Every option: the one place an option is declared. In the order of the options reference
#: (``flask cors explain --page options``) and of :meth:`Policy.describe`; the defaults are
#: flask-cors 6's.
OPTIONS: Mapping[str, Option] = {
    option.name: option
    for option in (
        Option(
            "resources",
            r"/*",
            Kind.RESOURCES,
            "Which request paths the policy covers; a dict gives each pattern its own options.",
            table_only=True,
        ),
        Option(
            "origins",
            "*",
            Kind.ORIGINS,
            "Who may read responses: origins, globs, regexes or a callable; '*' for any.",
            check=compile_origins,
            show=_shown_display,
        ),
        Option(
            "methods",
            DEFAULT_METHODS,
            Kind.METHODS,
            "The methods a preflight may ask for, sent in Access-Control-Allow-Methods.",
            check=_methods,
            show=_shown_methods,
        ),
        Option(
            "allow_headers",
            "*",
            Kind.HEADERS,
            "The request headers a preflight may ask for (names or regexes); '*' for any.",
            check=_allow_headers,
            show=_shown_display,
        ),
        Option(
            "expose_headers",
            None,
            Kind.EXPOSE,
            "The response headers the page may read, sent in Access-Control-Expose-Headers.",
            check=_expose_headers,
            show=_shown_list,
        ),
        Option(
            "supports_credentials",
            False,
            Kind.BOOL,
            "Let pages read responses to requests made with cookies or HTTP authentication.",
        ),
        Option(
            "max_age",
            None,
            Kind.MAX_AGE,
            "How long browsers may cache a preflight's answer (Access-Control-Max-Age).",
            check=_max_age,
        ),
        Option(
            "send_wildcard",
            False,
            Kind.BOOL,
            "Under origins='*', send '*' rather than echoing the request's Origin.",
        ),
        Option(
            "vary_header",
            True,
            Kind.BOOL,
            "Send Vary: Origin where the answer depends on the Origin, for shared caches.",
        ),
        Option(
            "automatic_options",
            True,
            Kind.BOOL,
            "Answer preflights before the app (False lets them through to the app's views).",
        ),
        Option(
            "intercept_exceptions",
            True,
            Kind.BOOL,
            "Add the CORS headers to the app's error responses too.",
        ),
        Option(
            "always_send",
            True,
            Kind.BOOL,
            "Under origins='*', send '*' to requests without an Origin header too.",
        ),
        Option(
            "allow_private_network",
            False,
            Kind.BOOL,
            "Grant Private Network Access preflights (Access-Control-Allow-Private-Network).",
        ),
        Option(
            "debug",
            False,
            Kind.BOOL,
            "Name the reason of each refusal in an X-CORS-Refusal response header.",
        ),
        Option(
            "log_refusals",
            False,
            Kind.BOOL,
            "Log each refusal at WARNING, rate-limited.",
        ),
    )
}

#: The options that shape one policy (all but ``resources``): a :class:`Policy` field each.
POLICY_OPTIONS: tuple[Option, ...] = tuple(o for o in OPTIONS.values() if not o.table_only)
#: Options that shape a policy, with their defaults.
POLICY_DEFAULTS: Mapping[str, Any] = {option.name: option.default for option in POLICY_OPTIONS}
#: The path patterns a ``CORS(app)`` policy covers when ``resources`` is not given.
DEFAULT_RESOURCES = OPTIONS["resources"].default
#: The names ``CORS()`` and ``init_app()`` take.
EXTENSION_OPTIONS = frozenset(OPTIONS)
#: The names ``@cross_origin()`` and a resource's dict take.
DECORATOR_OPTIONS = frozenset(POLICY_DEFAULTS)
#: How :meth:`Policy.describe` shows each policy option (policy.py cannot import this table).
_SHOW: Mapping[str, Callable[[Any], object]] = {o.name: o.show for o in POLICY_OPTIONS}
#: The options whose value is True or False; ``None`` for one of them means "not set".
BOOLEAN_OPTIONS = frozenset(option.name for option in POLICY_OPTIONS if option.kind is Kind.BOOL)
#: ``CORS_*`` config key -> option name.
CONFIG_KEYS: Mapping[str, str] = {option.config_key: name for name, option in OPTIONS.items()}

#: Spellings from flask-cors's old documentation. flask-cors 6 ignores them; we honour them, with
#: a DeprecationWarning and a WARNING at set-up saying how that differs from flask-cors 6.
LEGACY_OPTIONS: Mapping[str, str] = {"headers": "allow_headers", "origin": "origins"}
LEGACY_CONFIG_KEYS: Mapping[str, str] = {"CORS_HEADERS": "allow_headers"}
#: What flask-cors 6 does instead when it ignores a legacy spelling of this option.
_FLASK_CORS_6_INSTEAD: Mapping[str, tuple[str, str]] = {
    "allow_headers": ("allowed every request header", "'*'"),
    "origins": ("allowed every origin", "'*'"),
}


# -- layers ---------------------------------------------------------------------------------------


def check_names(options: Mapping[str, Any], *, allowed: frozenset[str], where: str) -> Layer:
    """Turn keyword options into a layer, translating legacy names and refusing unknown ones.

    A misspelt option must never be ignored: ``CORS(app, origin_s=[...])`` would otherwise leave
    the default "every origin" in force while its author believes the API is restricted. Every
    unknown name is reported in one error.
    """
    layer: Layer = {}
    unknown: list[str] = []
    for name, value in options.items():
        modern = LEGACY_OPTIONS.get(name)
        if modern is not None:
            warn_deprecated(
                f"The option {name!r} is a legacy flask-cors spelling; write {modern!r} instead."
            )
            if modern in options:
                raise TypeError(f"{where} got both {name!r} and {modern!r}; keep only {modern!r}.")
            label = f"{where}({name}=...)"
            _warn_legacy(label, f"{name}=...", modern, f"{modern}={value!r}", value)
            layer[modern] = (value, label)
            continue
        if name == "report_only" and name not in allowed:
            raise TypeError(
                f"{where} does not take 'report_only': a report-only policy is a separate table "
                "for a whole app, so it is set only as CORS(app, report_only=True, ...) or "
                "init_app(app, report_only=True, ...)."
            )
        if name not in allowed:
            unknown.append(name)
            continue
        if value is None and name in BOOLEAN_OPTIONS:
            # app.config.get("CORS_SUPPORTS_CREDENTIALS") passed along: not set, as in flask-cors.
            continue
        layer[name] = (value, f"{where}({name}=...)")
    if len(unknown) == 1:
        raise TypeError(
            f"{where} got an unknown option {unknown[0]!r}.{_suggest(unknown[0], allowed)}"
        )
    if unknown:
        listed = "".join(f"\n  {name!r}.{_suggest(name, allowed)}" for name in unknown)
        raise TypeError(f"{where} got {len(unknown)} unknown options:{listed}")
    return layer


def _warn_legacy(label: str, written: str, modern: str, keep: str, value: Any) -> None:
    """Log, at set-up, how honouring a legacy spelling differs from flask-cors 6.

    A DeprecationWarning alone is hidden by default, and the difference is one users feel: a
    narrower policy than the one flask-cors 6 runs for them today.
    """
    did, wide = _FLASK_CORS_6_INSTEAD[modern]
    logger.warning(
        "%s is a legacy flask-cors spelling that flask-cors 6 ignores (it %s). flask-crossorigin "
        "honours it as %s=%r, so anything else is refused. To keep this policy, write %s; to "
        "keep flask-cors 6's behaviour, remove %s (or set %s=%s).",
        label,
        did,
        modern,
        value,
        keep,
        written,
        modern,
        wide,
    )


#: Per config object (weakly held), the keys already warned about, so each warns once per app
#: although the config is read for every table and every decorated view.
_warned: dict[int, tuple[weakref.ref[Any], set[str]]] = {}


def _warn_once(config: Mapping[str, Any], key: str) -> bool:
    """Whether a set-up WARNING about *key* of *config* is still to be logged."""
    ident = id(config)
    entry = _warned.get(ident)
    if entry is None or entry[0]() is not config:
        try:
            ref = weakref.ref(config, lambda _, ident=ident: _warned.pop(ident, None))  # type: ignore[misc]
        except TypeError:  # a plain dict cannot be weakly referenced: warn every time
            return True
        entry = (ref, set())
        _warned[ident] = entry
    if key in entry[1]:
        return False
    entry[1].add(key)
    return True


def config_layer(config: Mapping[str, Any]) -> Layer:
    """Read every ``CORS_*`` key of an app config.

    A key set to ``None`` is not set (flask-cors 6 reads config the same way). A ``CORS_*`` key
    we do not know is the app's own business (``CORS_ENABLED``, ``CORS_ALLOWED_ORIGINS`` read by
    the app and passed explicitly), so it gets one WARNING naming the closest real key, never a
    refusal to start.
    """
    layer: Layer = {}
    for key, value in config.items():
        if not isinstance(key, str) or not key.startswith("CORS_") or value is None:
            continue
        label = f"app.config[{key!r}]"
        name = CONFIG_KEYS.get(key)
        if name is None and key in LEGACY_CONFIG_KEYS:
            name = LEGACY_CONFIG_KEYS[key]
            modern_key = OPTIONS[name].config_key
            warn_deprecated(f"The config key {key!r} is a legacy spelling; use {modern_key!r}.")
            if config.get(modern_key) is not None:
                continue  # the modern key wins; it is read on its own turn
            if _warn_once(config, key):
                _warn_legacy(label, key, name, f"{modern_key} = {value!r}", value)
        if name is None:
            if _warn_once(config, key):
                # Only modern keys are suggested: a legacy one would be a second thing to fix.
                known = frozenset(CONFIG_KEYS)
                logger.warning(
                    "%s is not a flask-crossorigin (or flask-cors) setting, so it is not read."
                    "%s If your app reads it itself, ignore this.",
                    label,
                    _suggest(key, known),
                )
            continue
        layer[name] = (value, label)
    return layer


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.5)
    return (
        f" Did you mean {close[0]!r}?" if close else f" Known options: {', '.join(sorted(known))}."
    )


def merge(*layers: Mapping[str, tuple[Any, str]]) -> Layer:
    """Merge layers, later ones winning, on top of the defaults."""
    merged: Layer = {name: (value, "default") for name, value in POLICY_DEFAULTS.items()}
    for layer in layers:
        merged.update(layer)
    return merged


def build_policy(options: Mapping[str, tuple[Any, str]]) -> Policy:
    """Validate merged options and compile them into a :class:`Policy`.

    Each option of :data:`OPTIONS` is compiled by its row; raises one :class:`ConfigError`
    listing every value or combination that cannot work.
    """
    full = merge(options)
    problems = ProblemCollector()
    compiled: dict[str, Any] = {}
    # Booleans first, as before the table: a combined error carries its first problem's code.
    for option in sorted(POLICY_OPTIONS, key=lambda option: option.kind is not Kind.BOOL):
        value, label = full[option.name]
        compiled[option.name] = problems.check(option.compile, value, label)
    if compiled["supports_credentials"]:
        expose = compiled["expose_headers"]
        _check_credentials(
            full, compiled["origins"], expose is not None and "*" in expose, problems
        )
    problems.raise_any()
    if compiled["debug"]:
        logger.warning(
            "CORS debug mode is on (%s): refused requests get an %s header naming the reason. "
            "It tells any caller how your policy works; turn it off in production.",
            full["debug"][1],
            DEBUG_HEADER,
        )
    return Policy(
        {option.name: compiled[option.name] for option in POLICY_OPTIONS},
        sources={name: source for name, (_, source) in full.items()},
        show=_SHOW,
    )


def _check_credentials(
    options: Mapping[str, tuple[Any, str]],
    origins: OriginMatcher | None,
    expose_all: bool,
    problems: ProblemCollector,
) -> None:
    """With credentials on, refuse (into *problems*) what they make impossible.

    *options* labels say where values came from; *origins* is None when it could not be compiled.
    Any origin with credentials is refused however it is spelt: ``'*'``, ``'null'``, a regex that
    matches a random origin or a random name under a public suffix, or a subdomain glob over a
    public suffix, where anyone can put up a site. "Any origin" is the one definition the
    adapter's merge rule also uses, :attr:`OriginMatcher.admits_anyone`.
    """
    entry = origins.open_entry() if origins is not None and origins.admits_anyone else None
    if entry is not None:
        value, source = options.get("origins", ("*", "default"))
        if origins is not None and origins.any:
            what = f"any origin (origins={value!r} from {source})"
        else:
            what = f"the origin {entry.shown} (from {source})"
        wildcard = options.get("send_wildcard", (False, ""))
        if wildcard[0] is True:
            what += f", and send_wildcard=True (from {wildcard[1]}) asks for '*',"
        problems.errors.append(
            ConfigError(
                f"supports_credentials=True (from {options['supports_credentials'][1]}) with "
                f"{what} would let {entry.who} read responses made with your users' cookies. "
                + (
                    entry.fix
                    or "List the sites you trust, e.g. origins=['https://app.example.com', "
                    "'https://*.example.com'], or, if you really decide per request, pass a "
                    "callable: origins=lambda origin: is_trusted(origin)."
                ),
                code="cors.E020",
                option="origins",
                value=value,
                source=source,
            )
        )
    if expose_all:
        problems.errors.append(
            ConfigError(
                f"{options['expose_headers'][1]}: expose_headers='*' with "
                "supports_credentials=True is sent literally, and browsers then expose only a "
                "header literally named '*' (F24). List the response headers the page may read, "
                "e.g. expose_headers=['X-Total-Count'].",
                code="cors.E021",
                option="expose_headers",
                value="*",
                source=options["expose_headers"][1],
            )
        )


def validate_values(layer: Mapping[str, tuple[Any, str]]) -> None:
    """Check each value of *layer* on its own, before the layers it will merge with are known.

    The decorator calls this when a module is imported, so a bad value fails at start-up even
    though combinations with app config can only be checked once the app is known.
    """
    problems = ProblemCollector()
    results: dict[str, Any] = {}
    for name, (value, label) in layer.items():
        option = OPTIONS.get(name)
        if option is not None and not option.table_only:
            results[name] = problems.check(option.compile, value, label)
    # Combinations can be judged now only where the layer itself sets both sides.
    if layer.get("supports_credentials", (False, ""))[0] is True:
        expose = results.get("expose_headers")
        _check_credentials(layer, results.get("origins"), bool(expose and "*" in expose), problems)
    problems.raise_any()


def resource_entries(
    resources: Any,
    label: str,
    base: Sequence[Mapping[str, tuple[Any, str]]],
    *,
    where: str,
    scope: str = "",
) -> list[tuple[Any, Policy, str]]:
    """Compile the ``resources`` option into ``(pattern, policy, description)`` entries.

    *base* is the stack of option layers below resource level; a dictionary of resources adds
    each resource's own options on top of it. *scope* prefixes each description (for a
    blueprint's table: ``"blueprint 'shop' "``), so a row names where it lives.
    """
    if isinstance(resources, (str, re.Pattern)):
        resources = [resources]
    entries: list[tuple[Any, Policy, str]] = []
    problems = ProblemCollector()  # every resource's problems at once
    if isinstance(resources, Mapping):
        for pattern, own in resources.items():
            pattern_ok = problems.check(_check_pattern_type, pattern, label)
            shown = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
            res_label = f"{where} resources[{shown!r}]"
            if not isinstance(own, Mapping):
                problems.errors.append(
                    ConfigError(
                        f"{label}: the options of resource {shown!r} must be a dict such as "
                        f"{{'origins': ['https://app.example.com']}}, not {own!r}.",
                        code="cors.E062",
                        option="resources",
                        value=own,
                        source=label,
                    )
                )
                continue
            layer = check_names(own, allowed=DECORATOR_OPTIONS, where=res_label)
            own_policy = problems.check(build_policy, merge(*base, layer))
            if pattern_ok and own_policy is not None:
                entries.append((pattern, own_policy, f"{scope}resource {shown!r}"))
        problems.raise_any()
        return entries
    if isinstance(resources, Iterable):
        patterns = list(resources)
        if not patterns:
            return entries
        shared = problems.check(build_policy, merge(*base))
        for pattern in patterns:
            if problems.check(_check_pattern_type, pattern, label) and shared is not None:
                shown = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
                entries.append((pattern, shared, f"{scope}resource {shown!r}"))
        problems.raise_any()
        return entries
    raise ConfigError(
        f"{label}: resources={resources!r} must be a path pattern such as r'/api/*', a list of "
        "patterns, or a dict mapping patterns to options.",
        code="cors.E060",
        option="resources",
        value=resources,
        source=label,
    )


def _check_pattern_type(pattern: Any, label: str) -> bool:
    """True if *pattern* is a valid resource pattern; else raise :class:`ConfigError`."""
    if not (
        isinstance(pattern, str)
        or (isinstance(pattern, re.Pattern) and isinstance(pattern.pattern, str))
    ):
        raise ConfigError(
            f"{label}: the resource pattern {pattern!r} must be a string such as r'/api/*' or a "
            "compiled regex.",
            code="cors.E061",
            option="resources",
            value=pattern,
            source=label,
        )
    check_pattern(pattern, label)
    return True
