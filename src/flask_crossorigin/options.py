"""Option names, defaults, ``CORS_*`` config keys and legacy spellings; validation into a Policy.

Options arrive in layers (defaults, app config, ``CORS()`` keyword arguments, ``init_app``
keyword arguments, per-resource dictionaries, decorator arguments). Each value keeps a label
saying where it came from, so that a :class:`~flask_crossorigin.ConfigError` can name the exact
place to change, and ``flask cors routes`` can show where an effective value was set.

Everything here runs when the app is set up, never per request.
"""

from __future__ import annotations

import datetime
import difflib
import logging
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ._http import is_token, looks_like_regex
from .errors import ConfigError, ProblemCollector, warn_deprecated
from .origins import OriginMatcher, compile_origins
from .policy import DEBUG_HEADER, DEFAULT_METHODS, HeaderRule, Policy
from .resources import check_pattern

logger = logging.getLogger("flask_crossorigin")

#: Options that shape a policy, with their defaults (the same as flask-cors 6).
POLICY_DEFAULTS: Mapping[str, Any] = {
    "origins": "*",
    "methods": DEFAULT_METHODS,
    "allow_headers": "*",
    "expose_headers": None,
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "vary_header": True,
    "automatic_options": True,
    "intercept_exceptions": True,
    "always_send": True,
    "allow_private_network": False,
    "debug": False,
    "log_refusals": False,
}
#: The path patterns a ``CORS(app)`` policy covers when ``resources`` is not given.
DEFAULT_RESOURCES = r"/*"
EXTENSION_OPTIONS = frozenset({*POLICY_DEFAULTS, "resources"})
DECORATOR_OPTIONS = frozenset(POLICY_DEFAULTS)

#: The options whose value is True or False; ``None`` for one of them means "not set".
BOOLEAN_OPTIONS = frozenset(
    name for name, default in POLICY_DEFAULTS.items() if isinstance(default, bool)
)

#: Spellings from flask-cors's old documentation. flask-cors 6 ignores them; we honour them, with
#: a DeprecationWarning and a WARNING at set-up saying how that differs from flask-cors 6.
LEGACY_OPTIONS: Mapping[str, str] = {"headers": "allow_headers", "origin": "origins"}
LEGACY_CONFIG_KEYS: Mapping[str, str] = {"CORS_HEADERS": "allow_headers"}
CONFIG_KEYS: Mapping[str, str] = {f"CORS_{name.upper()}": name for name in EXTENSION_OPTIONS}
#: What flask-cors 6 does instead when it ignores a legacy spelling of this option.
_FLASK_CORS_6_INSTEAD: Mapping[str, tuple[str, str]] = {
    "allow_headers": ("allowed every request header", "'*'"),
    "origins": ("allowed every origin", "'*'"),
}

#: The methods browsers upper-case before sending (F7); any other is sent exactly as written.
_NORMALISED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})

#: Browsers clamp Access-Control-Max-Age (Firefox 24 h, Chromium 2 h); more is never honoured.
MAX_AGE_LIMIT = 86400

#: A layer of options: name -> (value, label of where the value came from).
Layer = dict[str, tuple[Any, str]]


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
            modern_key = f"CORS_{name.upper()}"
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

    Raises one :class:`ConfigError` listing every value or combination that cannot work.
    """
    full = merge(options)
    problems = ProblemCollector()

    def value(name: str) -> Any:
        return full[name][0]

    def label(name: str) -> str:
        return full[name][1]

    flags = {
        name: problems.check(_boolean, name, value(name), label(name))
        for name in (
            "supports_credentials",
            "send_wildcard",
            "vary_header",
            "automatic_options",
            "intercept_exceptions",
            "always_send",
            "allow_private_network",
            "debug",
            "log_refusals",
        )
    }
    origins = problems.check(compile_origins, value("origins"), label("origins"))
    expose = problems.check(_expose_headers, value("expose_headers"), label("expose_headers"))
    methods = problems.check(_methods, value("methods"), label("methods"))
    allow_headers = problems.check(_allow_headers, value("allow_headers"), label("allow_headers"))
    max_age = problems.check(_max_age, value("max_age"), label("max_age"))
    if flags["supports_credentials"]:
        _check_credentials(full, origins, expose is not None and "*" in expose, problems)
    problems.raise_any()
    assert origins is not None and expose is not None and allow_headers is not None
    if flags["debug"]:
        logger.warning(
            "CORS debug mode is on (%s): refused requests get an %s header naming the reason. "
            "It tells any caller how your policy works; turn it off in production.",
            label("debug"),
            DEBUG_HEADER,
        )
    return Policy(
        origins=origins,
        methods=methods,
        allow_headers=allow_headers,
        expose_headers=expose,
        max_age=max_age,
        sources={name: source for name, (_, source) in full.items()},
        **{name: flag is True for name, flag in flags.items()},  # each a bool: nothing raised
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
        check = _VALUE_CHECKS.get(name)
        if check is not None:
            results[name] = problems.check(check, value, label)
        elif name in POLICY_DEFAULTS:
            problems.check(_boolean, name, value, label)
    # Combinations can be judged now only where the layer itself sets both sides.
    if layer.get("supports_credentials", (False, ""))[0] is True:
        expose = results.get("expose_headers")
        _check_credentials(layer, results.get("origins"), bool(expose and "*" in expose), problems)
    problems.raise_any()


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
            continue
        name = problems.check(_token, item, label, "header name", "allow_headers")
        if name is not None:
            names.append(name.lower())
            display.append(name)
    problems.raise_any()
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
    warn_deprecated(
        f"The header name {item!r} is treated as a regular expression because it contains one "
        "of * \\ ] ? $ ^ [ ( ), as in flask-cors. flask-crossorigin matches it against the "
        "whole requested header name, ignoring case (flask-cors matched a prefix). Pass "
        "re.compile(...) to say so explicitly."
    )
    return pattern


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


#: The check of each option that is not a boolean (validate_values).
_VALUE_CHECKS: Mapping[str, Callable[[Any, str], Any]] = {
    "origins": compile_origins,
    "methods": _methods,
    "allow_headers": _allow_headers,
    "expose_headers": _expose_headers,
    "max_age": _max_age,
}


def _max_age_error(code: str, label: str, value: Any, why: str) -> ConfigError:
    return ConfigError(
        f"{label}: max_age={value!r} {why}",
        code=code,
        option="max_age",
        value=value,
        source=label,
    )


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
