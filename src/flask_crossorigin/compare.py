"""``flask cors compare``: what changes for this app when ``flask_cors`` becomes flask-crossorigin.

The migrating page (``flask cors explain --page migrating``) lists every intended difference; this
module finds the ones that touch one app. The app is loaded twice, each time in a child process of
its own (``_compare_child.py``): as written, with flask-cors in force, and with ``import
flask_cors`` resolved to flask-crossorigin. The parent never loads the app itself. From what the
two loads describe (routes, the origins the configuration names, facts that explain differences) it
builds the checks: every route (a sample path per rule, plus ``--path``), every origin named (one
sample per literal, glob or regex), an attacker's origin and ``null``, and the request kinds that
matter, with and without credentials. Both children answer every check through Flask's test client
and the browser simulator; a check is identical when the browser's verdict, the status it lets the
page see and the headers the page can read are the same. Each difference is put down to the first
cause in :data:`CAUSES` that explains it, each cause naming its entry of the migrating page by a
stable id (``flask cors explain --page migrating#regex-whole-match`` prints it), or to
``unexplained``, which is worth reporting as a bug.

Exit statuses: 0 identical, 1 a difference, 2 the comparison could not run.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlsplit

from ._http import looks_like_regex, parse_serialized_origin
from .origins import _ANY_PORT, _GLOB, _origin_readings, shown_regex

__all__ = [
    "ATTACKER_ORIGIN",
    "CAUSES",
    "Cause",
    "CompareError",
    "Comparison",
    "Difference",
    "compare",
    "origin_samples",
]

#: An origin no configuration means; anything that lets it in lets in every site.
ATTACKER_ORIGIN = "https://attacker.example"
#: Default seconds both loads and all checks may take together; a CI job must never hang.
DEFAULT_TIMEOUT = 300.0
#: At most this many samples per regex; at most this many origins in all (plus the two fixed).
_SAMPLES_PER_REGEX = 3
_MAX_ORIGINS = 16
#: The width the text report wraps set-up messages to.
WIDTH = 100
#: Rows printed per cause in the text report (``--json`` has them all).
SHOWN_PER_CAUSE = 8

#: Seconds a child that has answered gets to exit by itself before it is killed.
_EXIT_GRACE = 10.0
#: The exit statuses.
EXIT_SAME = 0
EXIT_DIFFERENT = 1
EXIT_ERROR = 2

THEIRS = "flask-cors"
OURS = "flask-crossorigin"

#: The page whose entries explain the differences.
MIGRATING = "migrating"


class CompareError(Exception):
    """The comparison could not run: what happened and what to do (exit status 2)."""


# --------------------------------------------------------------------------------------------
# Origins to try


def origin_samples(text: str, compiled: bool = False) -> list[dict[str, Any]]:
    """Origins a browser could send that the configured entry *text* is about.

    A literal gives itself (as a browser spells it), a glob one instance, a regex (a string
    flask-cors reads as one, or a compiled pattern) up to three of the origins it plausibly
    means. ``"*"`` and entries no browser could send give none. Each sample says its ``kind``
    and its ``source``, the entry as configured.
    """

    def sample(origin: str, kind: str) -> dict[str, Any]:
        return {"origin": origin, "kind": kind, "source": text}

    if not compiled:
        if text == "*":
            return []
        if text.lower() == "null":
            return [sample("null", "null")]
        if _ANY_PORT.fullmatch(text) or _GLOB.fullmatch(text):
            instance = text.replace("://*.", "://app.", 1)
            instance = instance[:-2] + ":5173" if instance.endswith(":*") else instance
            parsed = parse_serialized_origin(instance.lower())
            return [sample(_serialized(parsed), "glob")] if parsed else []
        if not looks_like_regex(text):
            literal = _literal(text)
            return [sample(literal, "literal")] if literal else []
    readings: dict[str, tuple[bool, bool]] = {}
    for candidate, theirs, ours in _origin_readings(text):
        parsed_candidate = parse_serialized_origin(candidate.lower())
        if parsed_candidate is not None:
            readings.setdefault(_serialized(parsed_candidate), (theirs, ours))
    # The samples that show most: one each reading admits differently, one both admit, then
    # the rest in the order the pattern spells them.
    order = sorted(
        readings,
        key=lambda origin: (readings[origin][0] == readings[origin][1], not readings[origin][1]),
    )
    picked = [origin for origin in order if origin == _first_with(readings, order, origin)]
    picked += [origin for origin in order if origin not in picked]
    del picked[_SAMPLES_PER_REGEX:]
    return [sample(origin, "regex") for origin in picked]


def _first_with(readings: Mapping[str, Any], order: Sequence[str], origin: str) -> str:
    """The first origin in *order* read the same way as *origin*."""
    return next(other for other in order if readings[other] == readings[origin])


def _serialized(parsed: tuple[str, str, str | None]) -> str:
    scheme, host, port = parsed
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def _literal(text: str) -> str | None:
    """The origin a browser sends for the literal *text* (``https://a.example/`` counts)."""
    parts = urlsplit(text.strip())
    if not parts.scheme or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    shown = "" if port is None or port == default else f":{port}"
    return f"{parts.scheme.lower()}://{parts.hostname.lower()}{shown}"


# --------------------------------------------------------------------------------------------
# Request kinds


@dataclass(frozen=True)
class Kind:
    """One shape of fetch() a page makes."""

    name: str
    method: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


_FORM = (("Content-Type", "application/x-www-form-urlencoded"),)
_JSON = (("Content-Type", "application/json"),)


def kinds_for(methods: Sequence[str]) -> list[Kind]:
    """The request kinds worth trying on a route that allows *methods*.

    Each method once, as a page sends it (a form POST, JSON for PUT and PATCH); a JSON POST; and
    on the route's first method (GET when it has one) a custom header and ``Authorization``.
    """
    kinds: list[Kind] = []
    for method in methods:
        if method == "GET":
            kinds.append(Kind("simple GET", "GET"))
        elif method == "POST":
            kinds.append(Kind("form POST", "POST", _FORM, "a=1"))
            kinds.append(Kind("JSON POST", "POST", _JSON, "{}"))
        elif method in ("PUT", "PATCH"):
            kinds.append(Kind(f"JSON {method}", method, _JSON, "{}"))
        else:
            kinds.append(Kind(method, method))
    first = "GET" if "GET" in methods else (methods[0] if methods else "GET")
    kinds.append(Kind(f"{first} with X-Requested-With", first, (("X-Requested-With", "fetch"),)))
    kinds.append(Kind(f"{first} with Authorization", first, (("Authorization", "Bearer compare"),)))
    return kinds


# --------------------------------------------------------------------------------------------
# Causes


@dataclass(frozen=True)
class Cause:
    """Why the two apps answer differently, and which entry of the migrating page says so."""

    id: str
    title: str
    anchor: str | None  # the id of its entry in the migrating page; None for "unexplained"

    @property
    def link(self) -> str:
        """``migrating#<id>``: ``flask cors explain --page migrating#regex-whole-match`` prints
        such an entry, and the id is the entry's anchor in the HTML docs."""
        return f"{MIGRATING}#{self.anchor}" if self.anchor else ""


#: Every cause, in the order they are tried (the first that explains a difference wins).
CAUSES: dict[str, Cause] = {
    cause.id: cause
    for cause in (
        Cause(
            "setup-error",
            "flask-crossorigin refuses part of the set-up (the checks ran without it)",
            "setup-errors",
        ),
        Cause(
            "flask-cors-fails",
            "flask-cors itself fails here (its own code raised, the browser got a 500)",
            "flask-cors-fails",
        ),
        Cause(
            "regex-whole-match",
            "a regex origin is matched against the whole Origin, not its start",
            "regex-whole-match",
        ),
        Cause("origin-globs", "the glob spellings mean what they look like", "origin-globs"),
        Cause("null-origin", "'null' is allowed only when listed", "null-origin"),
        Cause(
            "origin-callables",
            "an origin callable is asked per request (flask-cors 6 matched nothing with it)",
            "origin-callables",
        ),
        Cause(
            "own-options",
            "a view that declares OPTIONS answers its own preflights",
            "own-options",
        ),
        Cause(
            "preflight-before-hooks",
            "preflights are answered before before_request hooks",
            "preflight-before-hooks",
        ),
        Cause(
            "legacy-spellings",
            "legacy spellings (headers=, origin=, CORS_HEADERS) are honoured",
            "legacy-spellings",
        ),
        Cause(
            "allow-headers-list",
            "a comma-separated allow_headers string is a list",
            "comma-separated-lists",
        ),
        Cause("methods-star", "methods='*' grants the requested method", "methods-star"),
        Cause(
            "resource-subtree",
            "a resource pattern ending in /* is a subtree, matched on segment boundaries",
            "resource-subtree",
        ),
        Cause("cors-twice", "a second CORS(app) replaces the first", "cors-twice"),
        Cause(
            "bare-decorator",
            "@cross_origin without parentheses works (under flask-cors 6 the view fails)",
            "bare-decorator",
        ),
        Cause(
            "unexplained",
            "no entry of the migrating page explains this: please report it",
            None,
        ),
    )
}


# --------------------------------------------------------------------------------------------
# The children


class _Child:
    """One child process: a conversation of JSON lines, bounded by a deadline."""

    def __init__(self, side: str, app_path: str | None, paths: Sequence[str]) -> None:
        self.side = side
        # Closed by close(), which compare() calls in a finally block.
        self.errors_file = tempfile.TemporaryFile(  # noqa: SIM115
            mode="w+", encoding="utf-8", errors="replace"
        )
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(
            part for part in (env.get("PYTHONPATH", ""), root) if part
        )
        env.setdefault("PYTHONIOENCODING", "utf-8")
        # Loading the app must not leave __pycache__ directories in the user's project.
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask_crossorigin._compare_child",
                side,
                app_path or "",
                *paths,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors_file,
            env=env,
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def receive(self, deadline: float) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise CompareError(
                f"the {self.side} side did not answer in time; raise --timeout, or check "
                "that loading the app does not wait for input or a server"
            ) from None
        if line is None:
            raise CompareError(
                f"the {self.side} side stopped before it answered"
                f" (exit status {self.process.wait()}):\n{self.stderr_tail()}"
            )
        message = json.loads(line)
        assert isinstance(message, dict)
        return message

    def send(self, checks: list[dict[str, Any]]) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(checks) + "\n")
            stdin.close()
        except BrokenPipeError:  # it stopped: receive() says so with its output
            pass

    def stderr_tail(self, lines: int = 15) -> str:
        self.errors_file.seek(0)
        text = self.errors_file.read().rstrip().splitlines()
        return "\n".join(text[-lines:]) or "(no output)"

    def close(self, finished: bool) -> None:
        """Stop the child: one that has *finished* exits by itself (and may write its coverage
        data as it does), within a grace period; otherwise it is killed."""
        if finished:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=_EXIT_GRACE)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()
        self.errors_file.close()


# --------------------------------------------------------------------------------------------
# The comparison


@dataclass
class Difference:
    """One check whose outcome differs, and why."""

    route: str
    path: str
    origin: str
    origin_kind: str
    origin_source: str
    kind: str
    credentials: bool
    theirs: dict[str, Any]
    ours: dict[str, Any]
    cause: Cause
    detail: str = ""

    @property
    def request(self) -> str:
        return self.kind + (" with credentials" if self.credentials else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "path": self.path,
            "origin": self.origin,
            "origin_from": {"kind": self.origin_kind, "source": self.origin_source},
            "request": self.kind,
            "credentials": self.credentials,
            "cause": self.cause.id,
            "docs": self.cause.link or None,
            "detail": self.detail or None,
            THEIRS: _public(self.theirs),
            OURS: _public(self.ours),
        }


def _public(answer: Mapping[str, Any]) -> dict[str, Any]:
    return {key: answer.get(key) for key in ("allowed", "status", "reason", "readable", "error")}


@dataclass
class Comparison:
    """Both sides' set-up outcomes, every check's count, and the differences."""

    app: str
    versions: dict[str, str | None]
    errors: list[dict[str, Any]]
    warnings: list[str]
    routes: int
    origins: list[dict[str, Any]]
    checks: int
    notes: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_status(self) -> int:
        return EXIT_DIFFERENT if self.differences else EXIT_SAME

    def groups(self) -> list[tuple[Cause, str, list[Difference]]]:
        """Differences by cause (and detail), in :data:`CAUSES` order."""
        order = list(CAUSES)
        grouped: dict[tuple[str, str], list[Difference]] = {}
        for difference in self.differences:
            grouped.setdefault((difference.cause.id, difference.detail), []).append(difference)
        keys = sorted(grouped, key=lambda key: (order.index(key[0]), key[1]))
        return [(CAUSES[key[0]], key[1], grouped[key]) for key in keys]

    def as_json(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "versions": self.versions,
            "setup": {OURS: {"errors": self.errors, "warnings": self.warnings}},
            "routes": self.routes,
            "origins": self.origins,
            "checks": self.checks,
            "notes": self.notes,
            "identical": self.checks - len(self.differences),
            "different": len(self.differences),
            "causes": [
                {
                    "cause": cause.id,
                    "title": cause.title,
                    "docs": cause.link or None,
                    "detail": detail or None,
                    "count": len(items),
                    "differences": [item.as_json() for item in items],
                }
                for cause, detail, items in self.groups()
            ],
            "seconds": round(self.seconds, 2),
        }

    def text(self) -> list[str]:
        lines = [
            f"flask cors compare: {self.app} under flask-cors {self.versions.get(THEIRS)} and "
            f"flask-crossorigin {self.versions.get(OURS)}",
        ]
        if self.errors or self.warnings:
            lines.append("")
            lines.append("Set-up under flask-crossorigin:")
            for error in self.errors:
                lines.append(f"  error {error['code']} in {error['where']}:")
                lines.extend(_wrapped(str(error["message"])))
            for warning in self.warnings:
                lines.append("  warning:")
                lines.extend(_wrapped(warning))
        for note in self.notes:
            lines.append("")
            lines.extend(_wrapped("note: " + note, ""))
        lines.append("")
        same = self.checks - len(self.differences)
        lines.append(
            f"{self.checks} checks ({_count(self.routes, 'route')}, "
            f"{_count(len(self.origins) + 2, 'origin')}, "
            f"each request kind with and without credentials): {same} identical, "
            f"{len(self.differences)} different."
        )
        for number, (cause, detail, items) in enumerate(self.groups(), 1):
            lines.append("")
            lines.append(f"{number}. {cause.title}: {_count(len(items), 'check')}")
            if detail:
                lines.extend(_wrapped(detail, "   ", "  "))
            if cause.link:
                lines.append(f"   see: flask cors explain --page {cause.link}")
            routes = list(dict.fromkeys(item.route for item in items))
            origins = list(dict.fromkeys(item.origin for item in items))
            on_routes = f"on {_count(len(routes), 'route')}: {_some(routes)}"
            lines.extend(_wrapped(on_routes, "   ", "  "))
            lines.extend(_wrapped(f"from {_some(origins)}", "   ", "  "))
            for item in _diverse(items, SHOWN_PER_CAUSE):
                lines.append(f"   {item.route}  from {item.origin}  {item.request}")
                lines.append(f"     flask-cors:        {_outcome(item.theirs)}")
                lines.append(f"     flask-crossorigin: {_outcome(item.ours)}")
            if len(items) > SHOWN_PER_CAUSE:
                lines.append(f"   ... and {len(items) - SHOWN_PER_CAUSE} more (--json has all)")
        if not self.differences:
            lines.append("")
            lines.append("The browser's verdict is the same for every check: switch the import.")
        return lines


def _wrapped(text: str, indent: str = "    ", hang: str = "") -> list[str]:
    """*text* indented under its heading, in lines that fit :data:`WIDTH` columns; lines after
    the first of a paragraph are indented by *hang* more."""
    return [
        wrapped
        for line in text.splitlines()
        for wrapped in textwrap.wrap(
            line,
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent + hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
    ]


def _some(items: Sequence[str], limit: int = 4) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _diverse(items: Sequence[Difference], limit: int) -> list[Difference]:
    """Up to *limit* of *items*, each new in its origin and request before any repeats."""
    picked: list[Difference] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        key = (item.origin, item.request)
        if key not in seen and len(picked) < limit:
            seen.add(key)
            picked.append(item)
    for item in items:
        if len(picked) >= limit:
            break
        if item not in picked:
            picked.append(item)
    return picked


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _outcome(answer: Mapping[str, Any]) -> str:
    """What the page could do, in a few words."""
    error = answer.get("error")
    if error:
        return f"error {error['code']}: {str(error['message']).splitlines()[0]}"
    if answer.get("allowed"):
        readable = ", ".join(answer.get("readable") or ()) or "nothing"
        return f"allowed, status {answer.get('status')}, reads {readable}"
    return f"blocked: {answer.get('reason')}"


def _same(theirs: Mapping[str, Any], ours: Mapping[str, Any]) -> bool:
    def key(answer: Mapping[str, Any]) -> tuple[Any, ...]:
        error = answer.get("error")
        if error:
            return ("error", error.get("code"))
        if not answer.get("allowed"):
            return ("blocked",)
        return ("allowed", answer.get("status"), tuple(answer.get("readable") or ()))

    return key(theirs) == key(ours)


def _cause(
    check: Mapping[str, Any],
    route: Mapping[str, Any],
    theirs: Mapping[str, Any],
    ours: Mapping[str, Any],
    setup_errors: Sequence[Mapping[str, Any]],
    hints: Iterable[str],
    bare: Iterable[str] = (),
) -> tuple[Cause, str]:
    """The first cause in :data:`CAUSES` that explains one difference, with its detail."""
    hints = set(hints)
    error = ours.get("error")
    if error and str(error.get("code", "")).startswith("cors."):
        return CAUSES["setup-error"], f"{error['code']}: {_first_line(error['message'])}"
    relevant = [error for error in setup_errors if _concerns(error, route)]
    if relevant:
        where = "; ".join(dict.fromkeys(f"{e['code']} in {e['where']}" for e in relevant))
        return CAUSES["setup-error"], where
    failed = theirs.get("flask_cors_failed")
    if failed and not ours.get("error"):
        return CAUSES["flask-cors-fails"], f"flask-cors raised {failed}"
    if route.get("view") in set(bare):
        return CAUSES["bare-decorator"], f"the view of {route['rule']}"
    origin_kind = check["origin_kind"]
    about_origin = ours.get("server_reason") in _ORIGIN_REFUSALS or (
        ours.get("allowed") and theirs.get("reason") in _ACAO_FAILURES
    )
    if about_origin and origin_kind in ("regex", "glob"):
        cause = CAUSES["regex-whole-match" if origin_kind == "regex" else "origin-globs"]
        return cause, f"the origin {shown_regex(check['origin_source'])}"
    if about_origin and check["origin"] == "null":
        return CAUSES["null-origin"], ""
    if about_origin and "origin-callables" in hints:
        return CAUSES["origin-callables"], ""
    preflighted = (
        ours.get("preflight_status") is not None or theirs.get("preflight_status") is not None
    )
    if preflighted and route.get("own_options"):
        return CAUSES["own-options"], f"the view of {route['rule']}"
    their_status = theirs.get("preflight_status")
    if (
        preflighted
        and their_status is not None
        and not 200 <= their_status <= 299
        and ours.get("preflight_status") is not None
        and 200 <= ours["preflight_status"] <= 299
    ):
        return CAUSES["preflight-before-hooks"], f"flask-cors's preflight answered {their_status}"
    if ("legacy-headers" in hints and ours.get("server_reason") == "header_not_allowed") or (
        "legacy-origin" in hints and ours.get("server_reason") == "origin_not_allowed"
    ):
        return CAUSES["legacy-spellings"], ""
    if "allow-headers-list" in hints and preflighted:
        return CAUSES["allow-headers-list"], ""
    if "methods-star" in hints and preflighted:
        return CAUSES["methods-star"], ""
    if ours.get("covered") is False and theirs.get("allowed"):
        return CAUSES["resource-subtree"], f"{check['path']} is covered by no resource here"
    if "cors-twice" in hints:
        return CAUSES["cors-twice"], ""
    return CAUSES["unexplained"], ""


#: Our server reasons that refuse an origin as such.
_ORIGIN_REFUSALS = ("origin_not_allowed", "origin_null_not_allowed")
#: Browser reasons for an Access-Control-Allow-Origin that does not admit the page.
_ACAO_FAILURES = ("acao_missing", "acao_mismatch", "acao_wildcard_with_credentials", "acac_missing")


def _concerns(error: Mapping[str, Any], route: Mapping[str, Any]) -> bool:
    """Whether a set-up error concerns *route*: one of a view concerns that view only."""
    if error.get("endpoint") is not None:
        return bool(error["endpoint"] == route.get("endpoint"))
    if error.get("view") is not None:
        return bool(error["view"] == route.get("view"))
    return True


def _first_line(text: Any) -> str:
    lines = str(text).splitlines()
    return lines[0] if lines else ""


def _checks(
    routes: Sequence[Mapping[str, Any]], origins: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for route in routes:
        for kind in kinds_for(route["methods"] or ["GET"]):
            for origin in origins:
                for credentials in (False, True):
                    checks.append(
                        {
                            "route": route["rule"],
                            "path": route["path"],
                            "origin": origin["origin"],
                            "origin_kind": origin["kind"],
                            "origin_source": origin["source"],
                            "kind": kind.name,
                            "method": kind.method,
                            "headers": [list(pair) for pair in kind.headers],
                            "body": kind.body,
                            "credentials": credentials,
                        }
                    )
    return checks


def _problem(side: Mapping[str, Any], app_path: str | None) -> CompareError | None:
    """Why a side could not be loaded, as an error that says what to do."""
    problem = side.get("problem")
    named = f"'{app_path}'" if app_path else "the app"
    if problem is None:
        return None
    if problem == "flask_cors_missing":
        return CompareError(
            "flask-cors is not installed in this environment, so the app cannot be loaded as "
            "it runs today. Run this command where the app runs with flask-cors (pip install "
            "'flask-cors>=6'), before changing its import."
        )
    if problem == "uses_flask_crossorigin":
        return CompareError(
            f"{named} already uses flask-crossorigin, so there is nothing to compare. Use "
            "'flask cors routes' and 'flask cors check' to look at its policy; to compare, run "
            "this command on the version that still imports flask_cors."
        )
    if problem == "no_flask_cors":
        return CompareError(
            f"{named} does not import flask_cors, so there is nothing to compare. Point --app "
            "at the module (or factory) that calls CORS(app) or uses @cross_origin."
        )
    if side.get("side") == OURS:
        return CompareError(
            f"{named} loads with flask-cors but not with flask_cors resolved to "
            f"flask-crossorigin, so changing the import alone would break it: "
            f"{side.get('message', '')}"
        )
    return CompareError(
        f"{named} could not be loaded as written (with flask-cors), so there is nothing to "
        f"compare yet; fix that first: {side.get('message', '')}"
    )


def compare(
    app_path: str | None,
    *,
    paths: Sequence[str] = (),
    origins: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
) -> Comparison:
    """Load the app on both sides, run every check on each, and explain the differences.

    *app_path* is what ``--app`` names (``None``: Flask's own discovery, ``app.py`` or
    ``wsgi.py`` in the working directory). Raises :class:`CompareError` when it cannot run.
    """
    started = time.monotonic()
    deadline = started + timeout
    children = [_Child(THEIRS, app_path, paths), _Child(OURS, app_path, paths)]
    finished = False
    try:
        theirs_setup, ours_setup = (child.receive(deadline) for child in children)
        for side in (theirs_setup, ours_setup):
            problem = _problem(side, app_path)
            if problem is not None:
                raise problem
        routes = _merge_routes(theirs_setup["routes"], ours_setup["routes"])
        named = list(ours_setup.get("origins", ()))
        for text in origins:
            named.extend(origin_samples(text))
        own = {side.get("base") for side in (theirs_setup, ours_setup)}
        chosen = _choose_origins([sample for sample in named if sample["origin"] not in own])
        checks = _checks(routes, chosen)
        for child in children:
            child.send(checks)
        theirs_answers, ours_answers = (child.receive(deadline)["answers"] for child in children)
        finished = True
    finally:
        for child in children:
            child.close(finished)
    by_rule = {route["rule"]: route for route in routes}
    comparison = Comparison(
        app=ours_setup.get("name") or app_path or "app",
        versions={THEIRS: theirs_setup.get("version"), OURS: ours_setup.get("version")},
        errors=ours_setup.get("errors", []),
        warnings=ours_setup.get("warnings", []),
        routes=len(routes),
        origins=chosen[:-2],
        checks=len(checks),
        notes=_notes(ours_setup.get("hints", ()), origins),
    )
    for check, theirs, ours in zip(checks, theirs_answers, ours_answers):
        if _same(theirs, ours):
            continue
        cause, detail = _cause(
            check,
            by_rule[check["route"]],
            theirs,
            ours,
            comparison.errors,
            ours_setup.get("hints", ()),
            ours_setup.get("bare", ()),
        )
        comparison.differences.append(
            Difference(
                route=check["route"],
                path=check["path"],
                origin=check["origin"],
                origin_kind=check["origin_kind"],
                origin_source=check["origin_source"],
                kind=check["kind"],
                credentials=check["credentials"],
                theirs=theirs,
                ours=ours,
                cause=cause,
                detail=detail,
            )
        )
    comparison.seconds = time.monotonic() - started
    return comparison


def _notes(hints: Iterable[str], origins: Sequence[str]) -> list[str]:
    """What the checks could not cover by themselves, and how to cover it."""
    notes: list[str] = []
    if "origin-callables" in hints and not origins:
        notes.append(
            "an origin callable decides which origins are allowed, and its answers cannot be "
            "listed in advance: name the origins it allows (and one it refuses) with --origin."
        )
    return notes


def _merge_routes(
    theirs: Sequence[Mapping[str, Any]], ours: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Both sides' routes, once each (an app builds the same routes on both, usually), with
    flask-crossorigin's view of each."""
    merged: dict[str, dict[str, Any]] = {}
    for route in [*ours, *theirs]:
        entry = merged.setdefault(route["rule"], dict(route))
        entry["methods"] = sorted(set(entry["methods"]) | set(route["methods"]))
    # Whether a view answers its own OPTIONS is flask-crossorigin's reading: flask-cors's
    # decorator also declares OPTIONS, and answers for the view.
    return sorted(merged.values(), key=lambda route: route["rule"])


def _choose_origins(named: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The named origins (at most :data:`_MAX_ORIGINS`), then the attacker's and ``null``."""
    chosen: dict[str, dict[str, Any]] = {}
    for sample in named:
        if sample["origin"] not in chosen and sample["origin"] != "null":
            chosen[sample["origin"]] = dict(sample)
    picked = list(chosen.values())[:_MAX_ORIGINS]
    null = next((dict(s) for s in named if s["origin"] == "null"), None)
    picked.append({"origin": ATTACKER_ORIGIN, "kind": "attacker", "source": ""})
    picked.append(null or {"origin": "null", "kind": "null", "source": ""})
    return picked


def write_json(comparison: Comparison, stream: IO[str]) -> None:
    json.dump(comparison.as_json(), stream, indent=2, default=repr)
    stream.write("\n")
