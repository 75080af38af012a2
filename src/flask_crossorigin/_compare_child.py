"""One side of ``flask cors compare``: load the user's app in this process and answer for it.

``flask cors compare`` (compare.py) starts this module twice, as ``python -m
flask_crossorigin._compare_child SIDE``:

* ``flask-cors``: the app is loaded as written, so ``import flask_cors`` imports the installed
  flask-cors. This is the one place the package lets flask-cors be imported, and only by the
  user's own code;
* ``flask-crossorigin``: an import hook, installed in this process only, resolves ``flask_cors``
  (and ``flask_cors.<anything>``) to a stand-in module exposing flask-crossorigin's names. Its
  ``CORS`` and ``cross_origin`` record the options they are given (the origins to try come from
  them) and, when flask-crossorigin refuses a set-up, record the error and let the app go on
  loading without that call, so the comparison goes on for what could be built.

The child speaks JSON lines over a copy of its original standard output; the app's own prints
go to standard error. It writes one line describing the set-up (or why it could not load), reads
one line of checks, writes one line of answers and exits. Every check runs through Flask's test
client and the browser simulator (``diagnosis.check``), as ``flask cors check`` does; nothing
here raises to the parent: a failure becomes data in the answer.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import sys
import sysconfig
import types
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any, Callable

from flask import Flask, got_request_exception
from flask.cli import NoAppException, ScriptInfo

#: The two sides, as the parent names them.
THEIRS = "flask-cors"
OURS = "flask-crossorigin"

#: Config keys whose values name origins, as flask-cors reads them.
_ORIGIN_CONFIG_KEYS = ("CORS_ORIGINS",)
_RESOURCE_CONFIG_KEY = "CORS_RESOURCES"
#: The modules the stand-in answers for: flask-cors's public ones.
_STAND_IN_NAMES = ("flask_cors", "flask_cors.extension", "flask_cors.decorator")


# --------------------------------------------------------------------------------------------
# What the stand-in records


class Recorder:
    """What the app's set-up gave flask-crossorigin, and what flask-crossorigin said about it."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.cors_targets: list[int] = []
        #: The views decorated with a bare ``@cross_origin`` (flask-cors 6 breaks those).
        self.bare: list[str] = []

    def call(self, kind: str, options: Mapping[str, Any], target: Any = None) -> None:
        self.calls.append({"kind": kind, "options": dict(options)})
        if kind in ("CORS", "init_app") and target is not None:
            self.cors_targets.append(id(target))

    def error(self, where: str, error: BaseException, view: Callable[..., Any] | None) -> None:
        code = getattr(error, "code", None)
        self.errors.append(
            {
                "where": where,
                "code": code if isinstance(code, str) else type(error).__name__,
                "message": str(error),
                "view": None if view is None else getattr(view, "__qualname__", repr(view)),
            }
        )


def _stand_in(recorder: Recorder) -> types.ModuleType:
    """A module named ``flask_cors`` whose names are flask-crossorigin's, recording set-up."""
    import flask_crossorigin
    from flask_crossorigin.errors import ConfigError

    refused = (ConfigError, TypeError)
    module = types.ModuleType("flask_cors")
    module.__doc__ = "flask-crossorigin, standing in for flask_cors (flask cors compare)."
    for name in flask_crossorigin.__all__:
        setattr(module, name, getattr(flask_crossorigin, name))

    class CORS(flask_crossorigin.CORS):
        # A call flask-crossorigin refuses is left out, as if it had not been written: an
        # instance whose constructor was refused applies nothing, here or in init_app.
        _refused = False

        def __init__(self, app: Any = None, **options: Any) -> None:
            recorder.call("CORS", options, app)
            try:
                super().__init__(**options)
            except refused as error:
                recorder.error("CORS(...)", error, None)
                self._refused = True
                return
            if app is not None:
                self._apply("CORS(...)", app, {})

        def init_app(self, app: Any, **options: Any) -> None:
            recorder.call("init_app", options, app)
            if not self._refused:
                self._apply("init_app(...)", app, options)

        def _apply(self, where: str, app: Any, options: dict[str, Any]) -> None:
            try:
                super().init_app(app, **options)
            except refused as error:
                recorder.error(where, error, None)

    def cross_origin(*args: Any, **options: Any) -> Any:
        recorder.call("cross_origin", options)
        if len(args) == 1 and callable(args[0]):
            recorder.bare.append(getattr(args[0], "__qualname__", repr(args[0])))
        try:
            return flask_crossorigin.cross_origin(*args, **options)
        except refused as error:  # a bare @cross_origin has no options to refuse
            failure = error

            def unchanged(view: Any) -> Any:
                recorder.error("@cross_origin(...)", failure, view)
                return view

            return unchanged

    CORS.__qualname__ = CORS.__name__ = "CORS"
    module.CORS = CORS  # type: ignore[attr-defined]
    module.cross_origin = cross_origin  # type: ignore[attr-defined]
    return module


class _StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``flask_cors`` and its submodules to the stand-in module, in this process."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in _STAND_IN_NAMES:
            return importlib.machinery.ModuleSpec(
                fullname, self, is_package=fullname == "flask_cors"
            )
        if fullname.startswith("flask_cors."):
            raise ModuleNotFoundError(
                f"flask-crossorigin has no {fullname}: it provides flask-cors's public names "
                "(CORS, cross_origin, from flask_cors, flask_cors.extension or "
                "flask_cors.decorator), not its internals. Code that uses flask-cors internals "
                "must change before the import can.",
                name=fullname,
            )
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the stand-in is built already."""


# --------------------------------------------------------------------------------------------
# Loading


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _capturing() -> Iterator[_Captured]:
    handler = _Captured()
    logger = logging.getLogger("flask_crossorigin")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield handler
    finally:
        logger.removeHandler(handler)


def _installed_code(frame: str) -> bool:
    """Whether a traceback frame (``path", line N, in name``) is in Python's or an installed
    package's code, this package included, rather than in the app's own files."""
    path = os.path.realpath(frame.split('"', 1)[0])
    ours = os.path.dirname(os.path.realpath(__file__))
    roots = {sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")}
    return any(
        path == root or path.startswith(os.path.realpath(root) + os.sep) for root in (ours, *roots)
    )


def without_traceback(message: str) -> str:
    """Flask's load error without the traceback it embeds for an ImportError: its first line,
    the last line of the app's own code it passed through, and the exception."""
    lines = message.rstrip().splitlines()
    if "Traceback (most recent call last):" not in lines:
        return message
    start = lines.index("Traceback (most recent call last):")
    frames = [
        line.strip()
        for line in lines[start:]
        if line.strip().startswith('File "') and not _installed_code(line.strip()[6:])
    ]
    kept = [line for line in lines[:start] if line.strip()]
    return "\n".join([*kept, *frames[-1:], lines[-1].strip()])


def _load(app_path: str | None) -> Flask:
    info = ScriptInfo(app_import_path=app_path or None, set_debug_flag=False)
    return info.load_app()


def _uses_flask_crossorigin(app: Flask) -> bool:
    """Whether the app, loaded as written, set up flask-crossorigin itself."""
    from flask_crossorigin._adapter import EXTENSION_KEY
    from flask_crossorigin._sources import SPEC_ATTRIBUTE, WRAPPED_ATTRIBUTE

    if EXTENSION_KEY in app.extensions:
        return True
    return any(
        hasattr(view, SPEC_ATTRIBUTE) or hasattr(view, WRAPPED_ATTRIBUTE)
        for view in app.view_functions.values()
    )


def broken_views(app: Flask) -> list[dict[str, Any]]:
    """The decorated views whose options flask-crossorigin refuses over the app's config."""
    from flask_crossorigin._adapter import peek_state
    from flask_crossorigin._sources import SPEC_ATTRIBUTE

    broken = peek_state(app).plan().broken
    found: list[dict[str, Any]] = []
    for endpoint, view in app.view_functions.items():
        error = broken.get(getattr(view, SPEC_ATTRIBUTE, None))  # type: ignore[arg-type]
        if error is not None:
            found.append(
                {
                    "where": f"@cross_origin on view {endpoint!r}",
                    "code": error.code,
                    "message": str(error),
                    "view": None,
                    "endpoint": endpoint,
                }
            )
    return found


# --------------------------------------------------------------------------------------------
# What to ask


def _origin_values(value: Any) -> Iterator[tuple[str, bool]]:
    """``(text, compiled)`` for each origin entry a value of ``origins`` spells."""
    if isinstance(value, str):
        yield value, False
    elif isinstance(value, re.Pattern):
        if isinstance(value.pattern, str):
            yield value.pattern, True
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        for item in value:
            yield from _origin_values(item)


def _options_sets(recorder: Recorder, app: Flask) -> Iterator[Mapping[str, Any]]:
    """Every set of options the app configured: calls, resources' own, and the config."""
    for call in recorder.calls:
        options = call["options"]
        yield options
        resources = options.get("resources")
        if isinstance(resources, Mapping):
            yield from (v for v in resources.values() if isinstance(v, Mapping))
    config = {key[5:].lower(): app.config[key] for key in app.config if key.startswith("CORS_")}
    yield config
    resources = app.config.get(_RESOURCE_CONFIG_KEY)
    if isinstance(resources, Mapping):
        yield from (v for v in resources.values() if isinstance(v, Mapping))


def origins_named(recorder: Recorder, app: Flask) -> list[dict[str, Any]]:
    """The origins the configuration names, one sample each, with where the sample came from."""
    from flask_crossorigin.compare import origin_samples

    found: dict[str, dict[str, Any]] = {}
    for options in _options_sets(recorder, app):
        for key in ("origins", "origin"):
            if key in options:
                for text, compiled in _origin_values(options[key]):
                    for sample in origin_samples(text, compiled):
                        found.setdefault(sample["origin"], sample)
    return list(found.values())


def hints(recorder: Recorder, app: Flask) -> list[str]:
    """Facts about the configuration that explain some differences (compare.CAUSES)."""
    found: set[str] = set()
    for call in recorder.calls:
        options = call["options"]
        if "headers" in options:
            found.add("legacy-headers")
        if "origin" in options:
            found.add("legacy-origin")
    if app.config.get("CORS_HEADERS") is not None:
        found.add("legacy-headers")
    for options in _options_sets(recorder, app):
        origins = options.get("origins")
        if callable(origins) or (
            isinstance(origins, (list, tuple, set)) and any(callable(o) for o in origins)
        ):
            found.add("origin-callables")
        methods = options.get("methods")
        if methods == "*" or (isinstance(methods, (list, tuple, set)) and "*" in methods):
            found.add("methods-star")
        headers = options.get("allow_headers")
        if isinstance(headers, str) and "," in headers:
            found.add("allow-headers-list")
    targets = recorder.cors_targets
    if len(targets) != len(set(targets)):
        found.add("cors-twice")
    return sorted(found)


def _own_options(app: Flask, rule: Any) -> bool:
    """Whether the rule's view answers OPTIONS itself (Flask does not, for that rule, and the
    view is not one @cross_origin answers for)."""
    from flask_crossorigin._sources import wrapper_answers

    return (
        "OPTIONS" in (rule.methods or ())
        and getattr(rule, "provide_automatic_options", None) is False
        and not wrapper_answers(app.view_functions.get(str(rule.endpoint)))
    )


def routes_of(app: Flask, extra_paths: Sequence[str]) -> list[dict[str, Any]]:
    """The app's rules (static files left out) with a sample path, and the extra paths."""
    from flask_crossorigin.diagnosis import sample_path

    found: list[dict[str, Any]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        methods = set(rule.methods or ())
        view = app.view_functions.get(rule.endpoint)
        found.append(
            {
                "view": getattr(view, "__qualname__", None),
                "rule": rule.rule,
                "path": sample_path(rule.rule),
                "endpoint": rule.endpoint,
                "methods": sorted(methods - {"HEAD", "OPTIONS"}),
                "own_options": _own_options(app, rule),
            }
        )
    adapter = app.url_map.bind("localhost")
    for path in extra_paths:
        entry: dict[str, Any] = {
            "rule": path,
            "path": path,
            "endpoint": None,
            "methods": ["GET"],
            "own_options": False,
        }
        try:
            rule, _ = adapter.match(path.split("?", 1)[0], method="GET", return_rule=True)
        except Exception:  # 404, 405, a redirect: the path is still worth asking about
            pass
        else:
            methods = set(rule.methods or ())
            entry["endpoint"] = rule.endpoint
            entry["methods"] = sorted(methods - {"HEAD", "OPTIONS"}) or ["GET"]
            entry["own_options"] = _own_options(app, rule)
        found.append(entry)
    return found


# --------------------------------------------------------------------------------------------
# Answering


def answer(app: Flask, check: Mapping[str, Any]) -> dict[str, Any]:
    """One check's outcome on this side; a failure to check is an answer too."""
    from flask_crossorigin import diagnosis
    from flask_crossorigin.errors import ConfigError

    body = check.get("body")
    _, request, data = diagnosis._page_request(
        app,
        check["path"],
        check["origin"],
        check["method"],
        [(name, value) for name, value in check.get("headers", ())],
        bool(check.get("credentials")),
        None,
        None if body is None else str(body),
    )
    send = diagnosis.in_process_sender(app, data)
    base = diagnosis.app_base_url(app)
    raised: list[BaseException] = []

    def caught(sender: Flask, exception: BaseException, **extra: Any) -> None:
        raised.append(exception)

    got_request_exception.connect(caught, app)
    try:
        try:
            report = diagnosis.run_check(request, send, app, base)
        except diagnosis.DiagnosisError as error:
            if not isinstance(error.__cause__, ConfigError):
                raise
            # A decorated view flask-crossorigin refuses: in production that view answers 500
            # and every other route keeps working. Ask as production would, without the policy
            # lookups that refuse the whole app.
            report = diagnosis.run_check(request, send, None, base)
    except diagnosis.DiagnosisError as error:
        return {"error": {"code": "check_failed", "message": str(error)}}
    except Exception as error:  # the app raised outside a request (PROPAGATE_EXCEPTIONS...)
        return {"error": {"code": type(error).__name__, "message": str(error)}}
    finally:
        got_request_exception.disconnect(caught, app)
    verdict = report.verdict
    preflights = [
        exchange
        for exchange in report.exchanges
        if exchange.method == "OPTIONS"
        and exchange.header("Access-Control-Request-Method") is not None
    ]
    return {
        "allowed": verdict.allowed,
        "status": verdict.status if verdict.allowed else None,
        "reason": None if report.reason is None else report.reason.id,
        "message": None if report.reason is None else report.reason.message,
        "server_reason": report.server_reason,
        "covered": None if report.coverage is None else report.coverage.found is not None,
        "readable": sorted({n.lower() for n in verdict.readable_headers})
        if verdict.allowed
        else [],
        "preflight_status": preflights[0].response.status if preflights else None,
        "flask_cors_failed": next(
            (f"{type(e).__name__}: {e}" for e in raised if raised_in(e, "flask_cors")), None
        ),
        "steps": report.steps(),
    }


# --------------------------------------------------------------------------------------------
# The process


def raised_in(error: BaseException, package: str) -> bool:
    """Whether *error* was raised in the code of *package* (a frame of its traceback is)."""
    trace = error.__traceback__
    while trace is not None:
        name = str(trace.tb_frame.f_globals.get("__name__", ""))
        if name == package or name.startswith(package + "."):
            return True
        trace = trace.tb_next
    return False


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def app_base_url(app: Flask) -> str:
    """The URL the checks are sent to: a page on its origin is not cross-origin at all."""
    from flask_crossorigin.diagnosis import app_base_url as base_url

    return base_url(app)


def describe(
    side: str, app_path: str | None, extra_paths: Sequence[str]
) -> tuple[dict[str, Any], Flask | None]:
    """Load the app on *side*; what the parent needs to know, and the app (None: not loaded)."""
    recorder = Recorder()
    outcome: dict[str, Any] = {"side": side}
    if side == THEIRS:
        if importlib.util.find_spec("flask_cors") is None:
            outcome["problem"] = "flask_cors_missing"
            return outcome, None
        outcome["version"] = _version("flask-cors")
    else:
        outcome["version"] = _version("flask-crossorigin")
        sys.meta_path.insert(0, _StandInFinder(_stand_in(recorder)))
    with _capturing() as handler:
        try:
            app = _load(app_path)
        except NoAppException as error:
            outcome["problem"] = "load_failed"
            outcome["message"] = without_traceback(error.format_message())
            return outcome, None
        except BaseException as error:  # the app's module raised: report, never a traceback
            outcome["problem"] = "load_failed"
            outcome["message"] = f"{type(error).__name__}: {error}"
            return outcome, None
    if side == THEIRS and "flask_cors" not in sys.modules:
        outcome["problem"] = (
            "uses_flask_crossorigin" if _uses_flask_crossorigin(app) else "no_flask_cors"
        )
        return outcome, None
    outcome["errors"] = recorder.errors
    # The WARNINGs flask-crossorigin logs say everything its DeprecationWarnings do, and more;
    # other libraries' Python warnings are not about this comparison.
    outcome["warnings"] = list(dict.fromkeys(handler.messages))
    outcome["name"] = app.import_name
    outcome["base"] = app_base_url(app).rstrip("/")
    outcome["routes"] = routes_of(app, extra_paths)
    if side == OURS:
        outcome["errors"] = [*recorder.errors, *broken_views(app)]
        outcome["origins"] = origins_named(recorder, app)
        outcome["hints"] = hints(recorder, app)
        outcome["bare"] = recorder.bare
    return outcome, app


def _send(channel: IO[str], message: Mapping[str, Any]) -> None:
    channel.write(json.dumps(message, default=repr) + "\n")
    channel.flush()


def main(argv: Sequence[str]) -> int:
    """``python -m flask_crossorigin._compare_child SIDE [APP] [--path P]...``."""
    side, app_path, extra = argv[0], argv[1] if len(argv) > 1 else "", list(argv[2:])
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # the app's prints go to stderr
    outcome, app = describe(side, app_path or None, extra)
    _send(channel, outcome)
    if app is None:
        return 0
    line = sys.stdin.readline()
    checks = json.loads(line) if line.strip() else []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("flask_crossorigin").setLevel(logging.CRITICAL)
        answers = [answer(app, check) for check in checks]
    _send(channel, {"answers": answers})
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a child process by compare.py
    sys.exit(main(sys.argv[1:]))
