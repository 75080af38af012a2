"""Where real browser engines depart from the Fetch standard, and how each one words a refusal.

The browser simulator (:mod:`flask_crossorigin.browser`) follows the Fetch standard, but a user
reproduces a CORS failure in a real browser, and the engines still differ from the standard (and
from each other) in a few measured places. Each such difference is one row of
:data:`DEPARTURES`: a class letter, the engines that show it, the Fetch rule it departs from and
what the engine does instead. The simulator asks :func:`departs` at the one point of a fetch
each class changes, so an engine or a class is added by editing this table (plus, for a new
class, its one hook in the simulator).

The second half is each engine's own console line per browser reason id, captured from the real
engines into the generated module ``_engine_messages`` (``MESSAGES[reason][engine]``, templates
whose placeholders are ``{url}``, ``{origin}``, ``{value}``, ``{method}``, ``{header}`` and
``{status}``; a reason that also happens on the preflight response has its lines there in
``PREFLIGHT_MESSAGES``, on a 2xx answer, and ``PREFLIGHT_NOT_OK_MESSAGES``, on a refused one).
:func:`console_line` fills the template of a refusal's stage with its values, so ``flask cors
check`` can print what the user's console says next to our explanation, and
:func:`match_console_line` goes the other way, from a pasted line to the reason id (``flask cors
explain "<line>"``).

Standard library only, and importing nothing else from the package: the simulator imports it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "ALL",
    "BROWSER_ENGINES",
    "DEPARTURES",
    "ENGINES",
    "PLACEHOLDERS",
    "ConsoleMatch",
    "Departure",
    "console_line",
    "departs",
    "departure",
    "engine_for_user_agent",
    "engine_messages",
    "engine_versions",
    "match_console_line",
    "parse_engines",
    "render_reasons_section",
]

#: The engines the simulator knows, in the order results are shown: the Fetch standard itself
#: (``spec``, what the simulator did before it knew any engine), then the measured engines.
ENGINES: tuple[str, ...] = ("spec", "chromium", "firefox", "webkit")

#: The real engines, without the standard.
BROWSER_ENGINES: tuple[str, ...] = ENGINES[1:]

#: The ``--engine`` / ``engine=`` value that asks for every engine, the standard included.
ALL = "all"


@dataclass(frozen=True)
class Departure:
    """One measured way engines depart from the Fetch standard.

    ``cls`` is the class letter the issue tracker and the docs use; ``engines`` the engines
    that show it; ``rule`` the Fetch rule they depart from (``flask cors explain F16``), or
    ``""`` when the standard's behaviour is no single numbered rule; ``summary`` what the
    engines do instead, and ``standard`` what the standard says.
    """

    cls: str
    engines: frozenset[str]
    rule: str
    summary: str
    standard: str

    def describe(self) -> str:
        """One line for a terminal: the class, the rule and what the engine does."""
        rule = self.rule or "Fetch's HTTP-redirect fetch"
        return f"class {self.cls}, departs from {rule}: {self.summary}"


#: Every measured departure (Chromium 156, Firefox 153 ESR, WebKitGTK 2.50), lettered as the
#: measurements that found them were; those letters skip B.
DEPARTURES: tuple[Departure, ...] = (
    Departure(
        "A",
        frozenset({"chromium", "firefox", "webkit"}),
        "F16",
        "'Access-Control-Allow-Headers: *' admits Authorization when the request has no "
        "credentials",
        "Authorization is never covered by '*'",
    ),
    Departure(
        "C",
        frozenset({"firefox", "webkit"}),
        "F11",
        "after any redirect of a preflighted request, the next hop is preflighted again even "
        "when nothing unsafe is left (a GET after a 303), so a target whose OPTIONS fails "
        "(a 401) blocks it",
        "each hop is preflighted only if its own method or headers need it",
    ),
    Departure(
        "D",
        frozenset({"firefox"}),
        "F29",
        "after a cross-origin redirect, the new preflight carries the page's origin instead "
        "of 'null'",
        "a redirect to another origin taints the origin: every later request says 'Origin: null'",
    ),
    Departure(
        "E",
        frozenset({"webkit"}),
        "F30",
        "after a cross-origin redirect, Authorization is dropped from the request but still "
        "listed in the new preflight's Access-Control-Request-Headers",
        "the cross-origin hop removes Authorization, so no preflight asks for it",
    ),
    Departure(
        "F",
        frozenset({"webkit"}),
        "",
        "a DELETE becomes a GET on a cross-origin 307 or 308 redirect (WebKitGTK)",
        "a redirect keeps the method, except 303 (and 301/302 for a POST)",
    ),
)

_BY_CLASS: Mapping[str, Departure] = {row.cls: row for row in DEPARTURES}


def departure(cls: str) -> Departure:
    """The row of class *cls* (``"A"``...); a KeyError names a class nobody measured."""
    return _BY_CLASS[cls]


def departs(engine: str, cls: str) -> bool:
    """Whether *engine* shows departure *cls*; the standard (``spec``) never departs."""
    return engine in _BY_CLASS[cls].engines


def parse_engines(engine: str) -> tuple[str, ...]:
    """The engines *engine* names: one of :data:`ENGINES`, or every one for ``"all"``.

    A ValueError for anything else lists the names, since a typo would otherwise silently
    check nothing.
    """
    if engine == ALL:
        return ENGINES
    if engine in ENGINES:
        return (engine,)
    raise ValueError(
        f"unknown engine {engine!r}: use one of {', '.join(ENGINES)} or {ALL!r} for every one"
    )


def engine_for_user_agent(user_agent: str | None) -> str:
    """The engine a ``User-Agent`` header names, or ``spec`` when it names none we know.

    Chrome, Edge and Opera say ``Chrome/`` (Chromium itself ``Chromium/``) and also
    ``AppleWebKit``, so Chromium is tested first; Safari and WebKitGTK say ``AppleWebKit``
    without ``Chrome``. A User-Agent is easy to fake, which is harmless here: it only chooses
    which engine's explanation a page is shown.
    """
    text = user_agent or ""
    if "Chrome/" in text or "Chromium/" in text:
        return "chromium"
    if "Firefox/" in text:
        return "firefox"
    if "AppleWebKit" in text:
        return "webkit"
    return "spec"


# --------------------------------------------------------------------------------------------
# Each engine's own words
# --------------------------------------------------------------------------------------------

#: The only placeholders a captured console line may hold.
PLACEHOLDERS: tuple[str, ...] = ("url", "origin", "value", "method", "header", "status")

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

Table = Mapping[str, Mapping[str, str]]  # reason id -> engine -> console-line template

#: The generated module's tables of console lines, by the stage they were captured at: the
#: actual response (and the reasons with one stage only), a 2xx answer to the preflight, and a
#: refused (403) answer to the preflight.
_TABLES: Mapping[str, str] = {
    "actual": "MESSAGES",
    "preflight": "PREFLIGHT_MESSAGES",
    "preflight_not_ok": "PREFLIGHT_NOT_OK_MESSAGES",
}


def _captured() -> tuple[dict[str, Table], Mapping[str, str]]:
    """The generated tables (by name, see :data:`_TABLES`) and VERSIONS, or empty ones before
    they are captured.

    Imported by name when asked for, not at import time: the module is generated by the
    real-engine harness and may not exist in a checkout (or predate a table).
    """
    try:
        module = importlib.import_module(f"{__package__}._engine_messages")
    except ModuleNotFoundError:
        return {}, {}
    tables: dict[str, Table] = {name: getattr(module, name, {}) for name in _TABLES.values()}
    return tables, getattr(module, "VERSIONS", {})


def engine_messages(stage: str = "actual") -> Table:
    """Reason id -> engine -> that engine's console-line template, as captured.

    *stage* ``"actual"`` (the default) gives the lines of the actual response, with those of
    the reasons that have one stage only; ``"preflight"`` the lines printed when the reason
    happens on a 2xx answer to the preflight, and ``"preflight_not_ok"`` on a non-2xx one. A
    ValueError names the stages for anything else.
    """
    if stage not in _TABLES:
        raise ValueError(f"unknown stage {stage!r}: use one of {', '.join(_TABLES)}")
    return _captured()[0].get(_TABLES[stage], {})


def engine_versions() -> Mapping[str, str]:
    """Engine -> the version its console lines were captured from."""
    return _captured()[1]


def _ok_status(status: str | None) -> bool:
    """Whether a refusal's ``status`` value is 2xx (an unknown one is taken to be)."""
    return status is None or not status.isdigit() or 200 <= int(status) <= 299


def console_line(
    reason_id: str, engine: str, values: Mapping[str, str], stage: str = "actual"
) -> str | None:
    """*engine*'s own console line for *reason_id*, filled with a refusal's *values*.

    *stage* is the refusal's (:attr:`flask_crossorigin.browser.Reason.stage`): at
    ``"preflight"`` the line the engine prints for that reason on the preflight response is
    used when one was captured (on a 2xx or a non-2xx answer, after the ``status`` value: an
    engine that judges the status first names only that), else the reason's only line.
    ``None`` when the table has no line for that reason and engine (the standard has none). A
    placeholder the refusal has no value for is left visible as ``<name>``, so a line is never
    silently wrong.
    """
    template = None
    if stage == "preflight":
        table = "preflight" if _ok_status(values.get("status")) else "preflight_not_ok"
        template = engine_messages(table).get(reason_id, {}).get(engine)
    if template is None:
        template = engine_messages().get(reason_id, {}).get(engine)
    if template is None:
        return None
    return _PLACEHOLDER.sub(lambda match: values.get(match[1], f"<{match[1]}>"), template)


class ConsoleMatch(NamedTuple):
    """A pasted console line recognised: the reason id, whose line it is, and the template."""

    reason: str
    engine: str
    template: str


def _pattern(template: str) -> re.Pattern[str]:
    """The template as an anchored regex: literal text exact, each placeholder non-greedy."""
    parts: list[str] = []
    seen: set[str] = set()
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        name = match[1]
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


def _specificity(template: str) -> tuple[int, int]:
    """How much a template pins down: more literal text, then fewer placeholders, wins."""
    return len(_PLACEHOLDER.sub("", template)), -len(_PLACEHOLDER.findall(template))


def match_console_line(text: str) -> list[ConsoleMatch]:
    """The reason id(s) of a console line pasted from any of the engines.

    Every captured template is tried as an anchored regex (a console's own prefix, such as
    ``page.html:1``, and surrounding space are tolerated before the line); of those that
    match, the most specific (the most literal text) wins, and templates that tie all come
    back (an engine may word two reasons alike). When no whole line matches, the tails of the
    captured lines (what follows one of their ``": "``) are tried, so a line pasted without its
    beginning is known too. An empty list means nothing matched.

    The lines of both stages are tried, so a line pasted from a refused preflight finds its
    reason too; a line the tables hold at both stages comes back once.
    """
    line = " ".join(text.split())
    found: dict[ConsoleMatch, tuple[int, int]] = {}
    for reason, engine, template in _templates():
        pattern = _pattern(" ".join(template.split()))
        if _ends_with(pattern, line):
            found[ConsoleMatch(reason, engine, template)] = _specificity(template)
    if not found:
        # A line pasted without its beginning: the part of a captured line after one of its
        # ": " (Chromium's "... blocked by CORS policy: No 'Access-Control-Allow-Origin'
        # header is present on the requested resource."), read from the same templates.
        for reason, engine, template in _templates():
            for tail in _tails(" ".join(template.split())):
                if _ends_with(_pattern(tail), line):
                    found[ConsoleMatch(reason, engine, template)] = _specificity(tail)
    if not found:
        return []
    best = max(found.values())
    return [match for match, score in found.items() if score == best]


def _tails(template: str) -> list[str]:
    """The parts of *template* after each ``": "`` outside a placeholder, longest first; only
    those with enough literal text (:data:`_TAIL_TEXT` characters) to name a reason, never a
    bare placeholder such as the ``{status}`` after ``Status code: ``."""
    inside = {i for m in _PLACEHOLDER.finditer(template) for i in range(m.start(), m.end())}
    tails = [
        template[index + 2 :]
        for index in range(len(template) - 2)
        if template[index : index + 2] == ": " and index not in inside
    ]
    return [tail for tail in tails if len(_PLACEHOLDER.sub("", tail).strip()) >= _TAIL_TEXT]


#: The literal text a tail of a captured line needs to stand for its reason on its own.
_TAIL_TEXT = 24


def _templates() -> list[tuple[str, str, str]]:
    """Every captured (reason, engine, template), the actual stage's first, then the preflight's.

    A line an engine prints on a refused (non-2xx) preflight whatever the CORS fault, because it
    judges the status first, is left out: it is that engine's ``preflight_status_not_ok`` line,
    and names that reason, not each fault the refused answer also had.
    """
    actual = engine_messages()
    status_lines = actual.get("preflight_status_not_ok", {})
    found = [
        (reason, engine, template)
        for stage in _TABLES
        for reason, by_engine in engine_messages(stage).items()
        for engine, template in by_engine.items()
        if stage != "preflight_not_ok" or template != status_lines.get(engine)
    ]
    return found


def _ends_with(pattern: re.Pattern[str], line: str) -> bool:
    """Whether *pattern* matches *line*, or a suffix of it (a console's prefix left in the paste).

    A suffix starts after a space, so a template never matches the tail of a word.
    """
    starts = [0, *(index + 1 for index, char in enumerate(line) if char == " ")]
    return any(pattern.fullmatch(line, start) for start in starts)


def render_reasons_section(reasons: Mapping[str, str]) -> str:
    """The generated part of the reasons page: the departures, then each engine's own lines.

    *reasons* are the browser reason ids in catalogue order (passed in, since this module
    imports nothing from the simulator). The page holds this text between two markers, and a
    test keeps it equal to what the tables give, so the docs cannot drift from them.
    """
    lines = [
        "| Class | Engines | Departs from | What the engines do | What the standard says |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in DEPARTURES:
        engines = ", ".join(engine for engine in BROWSER_ENGINES if engine in row.engines)
        lines.append(
            f"| {row.cls} | {engines} | {row.rule or '-'} | {row.summary} | {row.standard} |"
        )
    lines += ["", "Each engine's own console line, per reason id:", ""]
    messages = engine_messages()
    versions = engine_versions()
    if not messages:
        lines.append("(Not captured yet: the real-engine harness writes them.)")
        return "\n".join(lines)
    shown = ", ".join(f"{engine} {versions.get(engine, '?')}" for engine in BROWSER_ENGINES)
    lines += [
        f"Captured from {shown}. Under each reason, the lines printed when it happens on the "
        "actual response (or at its only stage), then, for a reason that can also happen on "
        "the preflight response, the lines printed there.",
        "",
    ]
    preflight = engine_messages("preflight")
    not_ok = engine_messages("preflight_not_ok")
    for reason in reasons:
        by_engine = messages.get(reason, {})
        on_preflight = preflight.get(reason, {})
        # On a refused preflight, only the lines that differ from those on a 2xx one.
        on_refusal = {
            engine: line
            for engine, line in not_ok.get(reason, {}).items()
            if line != on_preflight.get(engine)
        }
        if not (by_engine or on_preflight or on_refusal):
            continue
        lines.append(f"- `{reason}`")
        lines.extend(_engine_lines(by_engine, "  "))
        for where, lines_of in (
            ("on a 2xx answer to the preflight", on_preflight),
            ("on a refused (non-2xx) answer to the preflight, where it differs", on_refusal),
        ):
            if lines_of:
                lines.append(f"  - {where}:")
                lines.extend(_engine_lines(lines_of, "    "))
    return "\n".join(lines)


def _engine_lines(by_engine: Mapping[str, str], indent: str) -> list[str]:
    """One list item per engine with a line, in :data:`BROWSER_ENGINES` order."""
    return [
        f"{indent}- {engine}: `{by_engine[engine]}`"
        for engine in BROWSER_ENGINES
        if engine in by_engine
    ]
