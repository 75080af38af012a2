"""Capture each real engine's own console line for every browser reason id it can produce, and
write them to ``src/flask_crossorigin/_engine_messages.py``.

For each reason id of ``flask_crossorigin.browser.REASONS`` that a page's fetch() can run into
against a server, :data:`SCENARIOS` has a server that triggers it: hand-made CORS headers (no
extension), one fetch(). The script runs it in Chromium, Firefox ESR and WebKitGTK (started as the
e2e suite starts them), takes the engine's CORS console line, and replaces the concrete values in
it with placeholders (``{url}``, ``{origin}``, ``{value}``, ``{method}``, ``{header}``,
``{status}``). Only lines really captured go into the table; an engine that lets the request
through, or logs no CORS line, has no entry for that reason.

The reasons of the CORS check (``acao_*``, ``acac_*``) also happen on the preflight response, and
the engines word them differently there: :data:`PREFLIGHT_SCENARIOS` makes each fail on a 2xx
OPTIONS answer, :data:`PREFLIGHT_NOT_OK_SCENARIOS` on a 403 one (a refused preflight), into the
module's ``PREFLIGHT_MESSAGES`` and ``PREFLIGHT_NOT_OK_MESSAGES`` (see :data:`TABLES`).

    .venv/bin/python tests/browser/capture_messages.py           # all three engines
    E2E_ENGINES=firefox .venv/bin/python tests/browser/capture_messages.py --print  # one engine

``tests/browser/test_engine_messages.py`` re-triggers every scenario in every engine and fails
when an engine's line no longer matches the stored template, so the table cannot go stale.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

if __package__ in (None, ""):  # run as a script: import the suite's package by its name
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "browser"

from .harness import ENGINES, Browser, Server, is_cors_line

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "src" / "flask_crossorigin" / "_engine_messages.py"

Headers = list[tuple[str, str]]
Answer = Callable[[str], tuple[int, Headers]]  # request Origin -> (status, headers)


def _echo(origin: str) -> Headers:
    return [("Access-Control-Allow-Origin", origin)]


def _grant_preflight(origin: str) -> tuple[int, Headers]:
    return 204, [
        *_echo(origin),
        ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE"),
        ("Access-Control-Allow-Headers", "x-custom-header"),
    ]


@dataclass(frozen=True)
class Scenario:
    """One way to make an engine refuse for ``reason``.

    ``preflight`` answers an OPTIONS preflight (None: the request is not preflighted);
    ``actual`` answers the request itself. ``redirect_to`` makes the actual request a 302 to
    that URL. ``value``, ``method``, ``header`` and
    ``status`` are the concrete values the engine's line may quote, replaced by their
    placeholders in the template.
    """

    reason: str
    init: dict[str, Any]
    actual: Answer
    preflight: Answer | None = None
    redirect_to: str | None = None
    value: str | None = None
    method: str | None = None
    header: str | None = None
    status: int | None = None
    path: str = "/target"
    extra: dict[str, str] = field(default_factory=dict)


CREDENTIALS = {"credentials": "include"}

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "preflight_redirect",
        {"method": "PUT"},
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: (302, [*_echo(o), ("Location", "/elsewhere")]),
        status=302,
    ),
    Scenario(
        "preflight_status_not_ok",
        {"method": "PUT"},
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: (418, _grant_preflight(o)[1]),
        status=418,
    ),
    Scenario("acao_missing", {}, actual=lambda o: (200, []), status=200),
    Scenario(
        "acao_multiple",
        {},
        actual=lambda o: (200, [("Access-Control-Allow-Origin", f"{o}, http://second.invalid")]),
        value="{origin}, http://second.invalid",
        status=200,
    ),
    Scenario(
        "acao_invalid",
        {},
        actual=lambda o: (200, [("Access-Control-Allow-Origin", "not-an-origin")]),
        value="not-an-origin",
        status=200,
    ),
    Scenario(
        "acao_mismatch",
        {},
        actual=lambda o: (200, [("Access-Control-Allow-Origin", "http://other.invalid")]),
        value="http://other.invalid",
        status=200,
    ),
    Scenario(
        "acao_wildcard_with_credentials",
        CREDENTIALS,
        actual=lambda o: (200, [("Access-Control-Allow-Origin", "*")]),
        value="*",
        status=200,
    ),
    Scenario("acac_missing", CREDENTIALS, actual=lambda o: (200, _echo(o)), status=200),
    Scenario(
        "acac_invalid",
        CREDENTIALS,
        actual=lambda o: (200, [*_echo(o), ("Access-Control-Allow-Credentials", "TRUE")]),
        value="TRUE",
        status=200,
    ),
    Scenario(
        "acam_invalid",
        {"method": "PATCH"},
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: (204, [*_echo(o), ("Access-Control-Allow-Methods", "(bad)")]),
        method="PATCH",
        value="(bad)",
        status=204,
    ),
    Scenario(
        "acah_invalid",
        {"headers": {"x-custom-header": "1"}},
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: (204, [*_echo(o), ("Access-Control-Allow-Headers", "(bad)")]),
        header="x-custom-header",
        value="(bad)",
        status=204,
    ),
    Scenario(
        "method_not_allowed",
        {"method": "PATCH"},
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: (204, [*_echo(o), ("Access-Control-Allow-Methods", "GET, POST")]),
        method="PATCH",
        value="GET, POST",
        status=204,
    ),
    Scenario(
        "method_wildcard_with_credentials",
        {"method": "PATCH", **CREDENTIALS},
        actual=lambda o: (200, [*_echo(o), ("Access-Control-Allow-Credentials", "true")]),
        preflight=lambda o: (
            204,
            [
                *_echo(o),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "*"),
            ],
        ),
        method="PATCH",
        value="*",
        status=204,
    ),
    Scenario(
        "header_not_allowed",
        {"headers": {"x-custom-header": "1"}},
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: (204, [*_echo(o), ("Access-Control-Allow-Headers", "x-other")]),
        header="x-custom-header",
        value="x-other",
        status=204,
    ),
    Scenario(
        "header_wildcard_with_credentials",
        {"headers": {"x-custom-header": "1"}, **CREDENTIALS},
        actual=lambda o: (200, [*_echo(o), ("Access-Control-Allow-Credentials", "true")]),
        preflight=lambda o: (
            204,
            [
                *_echo(o),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Headers", "*"),
            ],
        ),
        header="x-custom-header",
        value="*",
        status=204,
    ),
    Scenario(
        "authorization_not_covered_by_wildcard",
        {"headers": {"Authorization": "Bearer abc"}},
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: (204, [*_echo(o), ("Access-Control-Allow-Headers", "*")]),
        header="authorization",
        value="*",
        status=204,
    ),
    Scenario(
        "url_has_credentials",
        {},
        actual=lambda o: (200, _echo(o)),
        # Refused before any connection, so the target needs no server (and, unlike the API's
        # port, its name is the same every run: WebKit also prints it without the password).
        redirect_to="http://user:secret@landing.invalid/landed",
        value="http://user:secret@landing.invalid/landed",
        status=302,
    ),
    Scenario(
        "url_not_http",
        {},
        actual=lambda o: (200, _echo(o)),
        redirect_to="ftp://landing.invalid/landed",
        value="ftp://landing.invalid/landed",
        status=302,
    ),
)

SCENARIO_BY_REASON = {scenario.reason: scenario for scenario in SCENARIOS}


def _preflight_granting(*headers: tuple[str, str]) -> Answer:
    """A 204 OPTIONS answer with ``headers`` and a grant of PUT: only ``headers`` can be wrong."""
    return lambda o: (204, [*headers, ("Access-Control-Allow-Methods", "PUT")])


def _credentialed_actual(origin: str) -> tuple[int, Headers]:
    return 200, [*_echo(origin), ("Access-Control-Allow-Credentials", "true")]


PUT = {"method": "PUT"}
PUT_CREDENTIALS = {"method": "PUT", **CREDENTIALS}

#: The reasons that also happen on the PREFLIGHT response (the CORS check of F13 runs on both),
#: each made to fail there: a PUT is preflighted, its 2xx OPTIONS answer has the fault, and the
#: actual answer (never sent) would pass.
PREFLIGHT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "acao_missing",
        PUT,
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: (204, []),
        status=204,
    ),
    Scenario(
        "acao_multiple",
        PUT,
        actual=lambda o: (200, _echo(o)),
        preflight=lambda o: _preflight_granting(
            ("Access-Control-Allow-Origin", f"{o}, http://second.invalid")
        )(o),
        value="{origin}, http://second.invalid",
        status=204,
    ),
    Scenario(
        "acao_invalid",
        PUT,
        actual=lambda o: (200, _echo(o)),
        preflight=_preflight_granting(("Access-Control-Allow-Origin", "not-an-origin")),
        value="not-an-origin",
        status=204,
    ),
    Scenario(
        "acao_mismatch",
        PUT,
        actual=lambda o: (200, _echo(o)),
        preflight=_preflight_granting(("Access-Control-Allow-Origin", "http://other.invalid")),
        value="http://other.invalid",
        status=204,
    ),
    Scenario(
        "acao_wildcard_with_credentials",
        PUT_CREDENTIALS,
        actual=_credentialed_actual,
        preflight=_preflight_granting(
            ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")
        ),
        value="*",
        status=204,
    ),
    Scenario(
        "acac_missing",
        PUT_CREDENTIALS,
        actual=_credentialed_actual,
        preflight=lambda o: _preflight_granting(*_echo(o))(o),
        status=204,
    ),
    Scenario(
        "acac_invalid",
        PUT_CREDENTIALS,
        actual=_credentialed_actual,
        preflight=lambda o: _preflight_granting(
            *_echo(o), ("Access-Control-Allow-Credentials", "TRUE")
        )(o),
        value="TRUE",
        status=204,
    ),
)

#: The status of a refused preflight: flask-crossorigin answers a preflight it refuses with a
#: 403 and no CORS header at all (the ``acao_missing`` scenario below, the commonest refusal).
NOT_OK_STATUS = 403


def _not_ok(scenario: Scenario) -> Scenario:
    """``scenario`` with the same faulty OPTIONS answer, but a 403 instead of its 2xx (some
    engines judge a preflight's status before its CORS headers, and then name only that)."""
    preflight = scenario.preflight
    assert preflight is not None
    return replace(
        scenario,
        preflight=lambda o: (NOT_OK_STATUS, preflight(o)[1]),
        status=NOT_OK_STATUS,
    )


#: The same faults on a 403 OPTIONS answer.
PREFLIGHT_NOT_OK_SCENARIOS: tuple[Scenario, ...] = tuple(map(_not_ok, PREFLIGHT_SCENARIOS))

PREFLIGHT_SCENARIO_BY_REASON = {scenario.reason: scenario for scenario in PREFLIGHT_SCENARIOS}
PREFLIGHT_NOT_OK_SCENARIO_BY_REASON = {
    scenario.reason: scenario for scenario in PREFLIGHT_NOT_OK_SCENARIOS
}

#: The generated module's tables: name -> (what it holds, its scenarios), in module order.
TABLES: dict[str, tuple[str, tuple[Scenario, ...]]] = {
    "MESSAGES": ("the actual response (or the only stage a reason has)", SCENARIOS),
    "PREFLIGHT_MESSAGES": (
        "the same fault on a 2xx answer to the preflight (stage 'preflight')",
        PREFLIGHT_SCENARIOS,
    ),
    "PREFLIGHT_NOT_OK_MESSAGES": (
        f"the same fault on a {NOT_OK_STATUS} answer to the preflight",
        PREFLIGHT_NOT_OK_SCENARIOS,
    ),
}


def scenario_app(scenario: Scenario) -> Flask:
    app = Flask(f"capture_{scenario.reason}")

    @app.route("/target", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    def target() -> Response:
        origin = request.headers.get("Origin", "")
        preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in (
            request.headers
        )
        if preflight:
            assert scenario.preflight is not None, f"{scenario.reason}: unexpected preflight"
            status, headers = scenario.preflight(origin)
        elif scenario.redirect_to is not None:
            status = 302
            headers = [*scenario.actual(origin)[1], ("Location", scenario.redirect_to)]
        else:
            status, headers = scenario.actual(origin)
        response = Response("captured", status)
        for name, value in headers:
            response.headers.add(name, value)
        return response

    return app


#: Lines an engine prints for every failed CORS fetch, whatever the reason: never a reason's own
#: line (Firefox adds the first after the reason's line, or prints it alone for a refused
#: redirect; WebKit prints the second after the reason's line, or alone).
GENERIC = {
    "chromium": ("Failed to load resource",),
    "firefox": ("(Reason: CORS request did not succeed)",),
    "webkit": ("due to access control checks.",),
}


@dataclass
class Captured:
    """What one engine printed for one scenario: its CORS lines, and the values quoted."""

    lines: list[str]
    values: dict[str, str]
    blocked: bool

    @property
    def line(self) -> str | None:
        """The engine's first CORS line that names a reason (the GENERIC lines never do)."""
        return self.lines[0] if self.lines else None

    @property
    def template(self) -> str | None:
        return None if self.line is None else make_template(self.line, self.values)


def make_template(line: str, values: dict[str, str]) -> str:
    """``line`` with each concrete value replaced by its placeholder, longest value first (a
    URL contains an origin-like prefix; a status may appear inside a port)."""
    out = line
    for name, value in sorted(values.items(), key=lambda item: -len(item[1])):
        if value:
            out = out.replace(value, "{" + name + "}")
    return out


@contextmanager
def serving(scenario: Scenario) -> Iterator[Server]:
    server = Server(scenario_app(scenario))
    try:
        yield server
    finally:
        server.stop()


def trigger(browser: Browser, scenario: Scenario) -> Captured:
    """Run ``scenario`` in ``browser`` against a fresh server; what the engine printed."""
    with serving(scenario) as server:
        url = server.url(scenario.path)
        result = browser.fetch(url, scenario.init)
        browser.reset()
    values = {"url": url, "origin": browser.origin}
    for name in ("value", "method", "header"):
        given = getattr(scenario, name)
        if given is not None:
            values[name] = given.replace("{origin}", browser.origin)
    if scenario.status is not None:
        values["status"] = str(scenario.status)
    lines = [
        line
        for line in result.console
        if is_cors_line(browser.engine, line)
        and not any(generic in line for generic in GENERIC[browser.engine])
    ]
    return Captured(lines, values, result.blocked)


def capture(browser: Browser, scenarios: tuple[Scenario, ...] = SCENARIOS) -> dict[str, str]:
    """reason id -> template, for every scenario in which ``browser`` printed a CORS line."""
    found: dict[str, str] = {}
    for scenario in scenarios:
        captured = trigger(browser, scenario)
        if captured.blocked and captured.template is not None:
            found[scenario.reason] = captured.template
    return found


Table = dict[str, dict[str, str]]  # reason id -> engine -> template


def render_module(tables: dict[str, Table], versions: dict[str, str]) -> str:
    """The source of ``_engine_messages.py``: every table of :data:`TABLES`, in its order."""
    lines = [
        '"""Each real engine\'s console line per browser reason id, as captured from the engines.',
        "",
        "Generated by tests/browser/capture_messages.py (do not edit by hand: rerun it) and",
        "checked against the engines by tests/browser/test_engine_messages.py. Placeholders:",
        "{url} (request URL), {origin} (page origin), {value} (the offending header value),",
        "{method}, {header}, {status}.",
        "",
        "Each table maps reason id -> engine -> the line that engine prints when the reason",
        "happens on:",
        "",
        *(f"* ``{name}``: {what};" for name, (what, _) in TABLES.items()),
        "",
        "so a reason that happens at either stage (``acao_missing``, ``acac_missing``...) has its",
        "preflight-stage lines in the PREFLIGHT tables, and one that exists only at the preflight",
        "stage (``preflight_status_not_ok``...) only in ``MESSAGES``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f"ENGINES = ({', '.join(_literal(engine) for engine in ENGINES)})",
        "",
        "VERSIONS: dict[str, str] = {",
        *(
            f"    {_literal(engine)}: {_literal(versions[engine])},"
            for engine in ENGINES
            if engine in versions
        ),
        "}",
    ]
    for name, (_, scenarios) in TABLES.items():
        lines += ["", f"{name}: dict[str, dict[str, str]] = {{"]
        lines += _table_lines(tables.get(name, {}), scenarios)
        lines.append("}")
    lines.append("")
    return "\n".join(lines)


def _table_lines(messages: Table, scenarios: tuple[Scenario, ...]) -> list[str]:
    lines: list[str] = []
    for scenario in scenarios:
        by_engine = messages.get(scenario.reason, {})
        if not by_engine:
            continue
        lines.append(f"    {_literal(scenario.reason)}: {{")
        for engine in ENGINES:
            if engine in by_engine:
                parts = _split(by_engine[engine])
                if len(parts) == 1:
                    lines.append(f"        {_literal(engine)}: {_literal(parts[0])},")
                    continue
                lines.append(f"        {_literal(engine)}: (")
                lines.extend(f"            {_literal(part)}" for part in parts)
                lines.append("        ),")
        lines.append("    },")
    return lines


def _literal(text: str) -> str:
    """A string literal: double quotes, non-ASCII as escapes (Firefox's curly quotes would
    otherwise look like ASCII ones to a reader, and ruff flags them)."""
    return json.dumps(text, ensure_ascii=True)


def _split(text: str, width: int = 72) -> list[str]:
    """A long template as adjacent string literals (so the module keeps to 100 columns)."""
    parts: list[str] = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width)
        cut = width if cut <= 0 else cut + 1
        parts.append(text[:cut])
        text = text[cut:]
    parts.append(text)
    return parts


def main(argv: list[str] | None = None) -> int:
    from .conftest import STARTERS, selected_engines, unavailable
    from .harness import page_app

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=MODULE)
    parser.add_argument("--print", action="store_true", help="print the module, write nothing")
    args = parser.parse_args(argv)

    tables: dict[str, Table] = {name: {} for name in TABLES}
    versions: dict[str, str] = {}
    for engine in selected_engines():
        reason = unavailable(engine)
        if reason:
            print(f"{engine}: {reason}", file=sys.stderr)
            return 1
        page_server = Server(page_app())
        stack: list[Callable[[], None]] = [page_server.stop]
        try:
            browser = STARTERS[engine](page_server, stack)
            versions[engine] = browser.version
            for name, (_, scenarios) in TABLES.items():
                for reason_id, template in capture(browser, scenarios).items():
                    tables[name].setdefault(reason_id, {})[engine] = template
                    print(f"{engine} {name} {reason_id}: {template}", file=sys.stderr)
        finally:
            for stop in reversed(stack):
                stop()
    source = render_module(tables, versions)
    if args.print:
        print(source)
    else:
        args.output.write_text(source, encoding="utf-8")
        # The project's formatter has the last word on layout (`ruff format --check src`).
        subprocess.run([sys.executable, "-m", "ruff", "format", str(args.output)], check=True)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
