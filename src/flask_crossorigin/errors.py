"""The exception users catch, and the helper that aims deprecation warnings at their code."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Callable, TypeVar

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


#: Every code a :class:`ConfigError` can carry, with what it means; ``flask cors explain
#: cors.E012`` prints a code's entry with its fix (the page: ``flask cors explain --page
#: errors``). A code names one rule and never changes meaning; a retired rule's code is not
#: reused. The groups: origins (E0xx), credentials (E02x), booleans (E03x), lists of methods
#: and headers (E04x), max_age (E05x), resources (E06x).
CODES: Mapping[str, str] = {
    "cors.E001": "origins is not a string, a compiled regex, a callable or a list of those",
    "cors.E002": "an entry of origins is not a string, a compiled regex or a callable",
    "cors.E003": "a compiled regex is a bytes pattern",
    "cors.E004": "an origin is the empty string",
    "cors.E005": "an origin string contains a comma",
    "cors.E006": "an origin contains whitespace",
    "cors.E007": "an origin has no scheme",
    "cors.E008": "an origin has an invalid scheme",
    "cors.E009": "an origin contains userinfo",
    "cors.E010": "an origin has a path, query or trailing slash",
    "cors.E011": "an origin's port is not a number from 0 to 65535",
    "cors.E012": "an origin has no host",
    "cors.E013": "an origin's host is not a valid host",
    "cors.E014": "an origin regex ends its host with '*' (a glob gone wrong)",
    "cors.E015": "an origin with '://*' is not a valid subdomain glob",
    "cors.E016": "a string read as a regular expression does not compile",
    "cors.E017": "an origin callable is an async function",
    "cors.E020": "supports_credentials=True with an origin anyone can use",
    "cors.E021": "supports_credentials=True with expose_headers='*'",
    "cors.E030": "a boolean option is not True or False",
    "cors.E040": "methods, allow_headers or expose_headers is not a string or a list",
    "cors.E041": "a header name is a media type",
    "cors.E042": "a method or header name is not an HTTP token",
    "cors.E043": "a header name regex ends with '*' (a glob gone wrong)",
    "cors.E050": "max_age is not a whole number of seconds",
    "cors.E051": "max_age is not a number of seconds",
    "cors.E052": "max_age is negative",
    "cors.E053": "max_age is more than browsers honour",
    "cors.E060": "resources is not a pattern, a list of patterns or a dict",
    "cors.E061": "a resource pattern is not a string or a compiled str regex",
    "cors.E062": "a resource's options are not a dict",
}

_UNSET: Any = object()


class ConfigError(ValueError):
    """A CORS configuration that cannot work, found when the app is set up.

    The message names the option, where its value came from, why it cannot work and what to write
    instead, and ends with the rule's code (``[cors.E007]``), which ``flask cors explain
    cors.E007`` explains.
    It subclasses :class:`ValueError` so code that already guards configuration parsing with
    ``except ValueError`` keeps working.

    One ``CORS(...)`` or ``@cross_origin(...)`` reports every problem of its configuration at
    once: :attr:`errors` lists them, one :class:`ConfigError` each, and the message lists them
    all. With one problem, :attr:`errors` is ``(self,)``; with several, the fields of the error
    raised are those of the first problem.

    .. versionadded:: 0.2
    """

    #: The stable code of the rule broken, such as ``'cors.E007'`` (a key of :data:`CODES`).
    code: str
    #: The option whose value is wrong (its modern name: ``'origins'`` for ``origin=``).
    option: str
    #: The value at fault: the option's value, or the entry of it that is wrong.
    value: Any
    #: Where the value came from, e.g. ``"CORS(origins=...)"`` or ``"app.config['CORS_ORIGINS']"``.
    source: str
    #: The message without its code.
    message: str
    #: Every problem found, each a :class:`ConfigError` of one problem.
    errors: tuple[ConfigError, ...]

    def __init__(
        self,
        message: str,
        *,
        code: str,
        option: str,
        value: Any = _UNSET,
        source: str,
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown ConfigError code {code!r}")  # a bug in this package
        self.code, self.option, self.source, self.message = code, option, source, message
        self.value = None if value is _UNSET else value
        self.errors = (self,)
        super().__init__(f"{message} [{code}]")

    def __reduce__(self) -> tuple[Any, ...]:
        # The keyword-only fields would otherwise be lost (or fail) when pickled, e.g. by a
        # multiprocessing pool or a test runner reporting from another process.
        fields = {"code": self.code, "option": self.option, "source": self.source}
        several = self.errors if len(self.errors) > 1 else ()  # (self,) is rebuilt, not pickled
        return (_rebuild, (self.message, fields, self.value, self.args, several))

    @classmethod
    def combine(cls, errors: Sequence[ConfigError]) -> ConfigError:
        """One error reporting each of *errors* (the error itself when there is only one)."""
        problems: list[ConfigError] = []
        seen: set[str] = set()
        for error in errors:
            for problem in error.errors:
                if str(problem) not in seen:  # one config value read by several resources
                    seen.add(str(problem))
                    problems.append(problem)
        if len(problems) == 1:
            return problems[0]
        first = problems[0]
        listed = "\n".join(f"  {n}. {problem}" for n, problem in enumerate(problems, start=1))
        combined = cls(
            first.message,
            code=first.code,
            option=first.option,
            value=first.value,
            source=first.source,
        )
        combined.errors = tuple(problems)
        combined.args = (f"{len(problems)} problems in the CORS configuration:\n{listed}",)
        return combined

    def prefixed(self, prefix: str) -> ConfigError:
        """This error with each problem's message starting with *prefix* (codes kept).

        For a decorated view's options, checked over the app's ``CORS_*`` config when a plan is
        built: the message alone would not say which of the app's decorated views to fix.
        """
        return ConfigError.combine(
            [
                ConfigError(
                    f"{prefix}{problem.message}",
                    code=problem.code,
                    option=problem.option,
                    value=problem.value,
                    source=problem.source,
                )
                for problem in self.errors
            ]
        )


def _rebuild(
    message: str,
    fields: dict[str, str],
    value: Any,
    args: tuple[Any, ...],
    errors: tuple[ConfigError, ...],
) -> ConfigError:
    """Unpickle a :class:`ConfigError` (see ``__reduce__``)."""
    error = ConfigError(message, value=value, **fields)
    error.args = args
    if errors:
        error.errors = errors
    return error


T = TypeVar("T")


class ProblemCollector:
    """Gathers the :class:`ConfigError` of each check, so that set-up reports them all at once.

    Each check that fails is remembered and its result is ``None``; :meth:`raise_any` then raises
    one error listing every problem. Fixing one problem at a time, restarting the app for each,
    is the experience this avoids.
    """

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    def check(self, function: Callable[..., T], *args: Any) -> T | None:
        """``function(*args)``, or ``None`` (the error remembered) if it raises ConfigError."""
        try:
            return function(*args)
        except ConfigError as error:
            self.errors.append(error)
            return None

    def raise_any(self) -> None:
        """Raise one :class:`ConfigError` for every problem gathered, if there is any."""
        if self.errors:
            raise ConfigError.combine(self.errors)


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


def pass_on_once(
    said: Iterable[warnings.WarningMessage], seen: set[tuple[type[Warning], str]]
) -> None:
    """Warn again each of *said* (recorded warnings) not in *seen*, with the place it names.

    Compiling a configuration again says again what compiling it said before (a legacy
    spelling's DeprecationWarning, say); the caller records and passes on only what is new.
    """
    for item in said:
        key = (item.category, str(item.message))
        if key not in seen:
            seen.add(key)
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
