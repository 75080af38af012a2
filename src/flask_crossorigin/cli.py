"""``flask cors check``, ``routes`` and ``explain``: the browser's verdict, the server's policy.

A CORS failure is reported in the browser's console, in the browser's words, while its cause is
an option on the server. These commands put both sides in one place:

* ``check`` replays one ``fetch()`` the way a browser would (preflight first when one is needed),
  against the app in-process or a deployed server (``--url``), prints every exchange and the
  browser's conclusion, and, where the app's policy is known, names the option to change;
* ``routes`` lists every URL rule with the policy that covers it and where that policy was set,
  in a table that fits 100 columns (``--wide`` for one line per rule);
* ``explain`` prints the documentation of any id the others print (a reason id, an error code,
  a Fetch rule), read from the pages installed with the package.

They are registered under ``flask cors`` through the ``flask.commands`` entry point. Exit
statuses are fixed so that CI can rely on them: 0 allowed, 1 blocked, 2 the check could not run
(bad arguments, no app, invalid configuration, unreachable server).
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, Callable
from urllib.parse import quote, urlsplit

import click
from flask import Flask
from flask.cli import AppGroup, NoAppException, ScriptInfo

from . import compare as compare_module
from ._http import DEFAULT_PORTS, is_token
from .browser import BrowserRequest
from .diagnosis import (
    TEXT_BODY_TYPE,
    DiagnosisError,
    EngineReports,
    app_base_url,
    http_sender,
    in_process_sender,
    routes,
    run_checks,
)
from .engines import ALL, ENGINES, match_console_line
from .errors import ConfigError
from .reference import KINDS, DocsMissingError, UnknownIdError, all_ids, explain_id, page, pages

__all__ = ["cors_cli"]

#: Exit statuses, fixed so that CI scripts can branch on them.
EXIT_ALLOWED = 0
EXIT_BLOCKED = 1
EXIT_ERROR = 2

#: Seconds to wait for a deployed server (``--url``) per request; a CI job must never hang.
DEFAULT_TIMEOUT = 10.0

#: The width ``flask cors routes`` keeps to without ``--wide``: table, wrapped cells and notes.
ROUTES_WIDTH = 100

#: Characters kept as they are when a PATH argument is percent-encoded: everything that is
#: legal in a URL path and query already, including '%' so that existing escapes survive.
_URL_SAFE = "/?&=%:@!$'()*+,;~[]"

cors_cli = AppGroup(
    "cors",
    help="Check CORS requests against the app, list the policy of every route, and explain "
    "the ids they print ('flask cors explain --list').",
)


def _command(name: str) -> Callable[[Callable[..., Any]], click.Command]:
    """``cors_cli.command(name, with_appcontext=False)``, typed.

    Flask 2.3.0's ``AppGroup.command`` has no annotations, so ``mypy --strict`` against the
    floor would call every command function untyped; the behaviour is Flask's own.
    """
    command: Callable[..., Callable[[Callable[..., Any]], click.Command]] = cors_cli.command
    return command(name, with_appcontext=False)


class CheckError(click.ClickException):
    """The command could not run; exit status 2 so CI tells it apart from a blocked request."""

    exit_code = EXIT_ERROR


# --------------------------------------------------------------------------------------------
# Argument parsing: odd input becomes a clear usage error (exit 2), never a traceback
# --------------------------------------------------------------------------------------------


def _parse_origin(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Serialize ``--origin`` the way a browser would, or refuse what no page can have."""
    text = value.strip()
    if text == "null":
        return text
    problem = (
        f"{value!r} is not an origin. Write scheme://host[:port] with no path, e.g. "
        "https://app.example.com, or 'null' for sandboxed and file: pages."
    )
    if not text or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in text):
        raise click.BadParameter(problem, ctx, param)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise click.BadParameter(problem, ctx, param) from None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if (
        scheme not in ("http", "https")
        or not host
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "?" in text
        or "#" in text
    ):
        raise click.BadParameter(problem, ctx, param)
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise click.BadParameter(problem, ctx, param) from None
    if ":" in host:
        host = f"[{host}]"
    if port is not None and str(port) != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def _parse_method(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not is_token(value):
        raise click.BadParameter(
            f"{value!r} is not an HTTP method name; write a token such as PUT or PATCH.",
            ctx,
            param,
        )
    return value


def _check_value(value: str) -> str | None:
    """Why *value* cannot travel in a header, or None; latin-1 without control characters."""
    if any(ord(char) > 0xFF for char in value):
        return "it has characters outside latin-1, which no browser sends in a header"
    if any((ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F for char in value):
        return "it has control characters"
    return None


def _parse_headers(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> list[tuple[str, str]]:
    """Split each ``'Name: value'``; a malformed one is the user's typo, so exit 2."""
    headers: list[tuple[str, str]] = []
    for item in values:
        name, colon, value = item.partition(":")
        name = name.strip()
        if not colon or not is_token(name):
            raise click.BadParameter(
                f"{item!r} is not a header; write 'Name: value', e.g. 'X-Token: abc'.", ctx, param
            )
        value = value.strip(" \t")
        problem = _check_value(value)
        if problem is not None:
            raise click.BadParameter(
                f"the value of {name!r} cannot be sent: {problem}.", ctx, param
            )
        headers.append((name, value))
    return headers


def _parse_content_type(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    if value is not None:
        problem = _check_value(value)
        if problem is not None:
            raise click.BadParameter(f"{value!r} cannot be sent: {problem}.", ctx, param)
    return value


def _parse_data(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> bytes | None:
    """The body, as curl's ``-d`` builds it: repeated values joined with '&'.

    ``@FILE`` reads the file's bytes as they are (``@-``: standard input); unlike curl's ``-d``,
    which drops newlines from a file, the file is sent unchanged, as ``--data-binary`` does.
    """
    if not values:
        return None
    parts: list[bytes] = []
    for value in values:
        if value.startswith("@"):
            name = value[1:]
            try:
                if name == "-":
                    parts.append(sys.stdin.buffer.read())
                else:
                    with open(name, "rb") as file:
                        parts.append(file.read())
            except OSError as error:
                raise click.BadParameter(
                    f"cannot read the body from {name!r}: {error.strerror or error}.", ctx, param
                ) from None
        else:
            parts.append(value.encode("utf-8"))
    return b"&".join(parts)


def _parse_path(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Percent-encode PATH as a browser would; a fragment is never sent, so drop it."""
    path = value.split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//"):
        raise click.BadParameter(
            f"{value!r} is not a path; write one starting with a single '/', e.g. /api/items.",
            ctx,
            param,
        )
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        raise click.BadParameter(f"{value!r} has control characters.", ctx, param)
    return quote(path, safe=_URL_SAFE)


def _parse_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    problem = (
        f"{value!r} is not a base URL; write http(s)://host[:port][/prefix], "
        "e.g. https://api.example.com."
    )
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in value):
        raise click.BadParameter(problem, ctx, param)
    try:
        parts = urlsplit(value)
        _ = parts.port
    except ValueError:
        raise click.BadParameter(problem, ctx, param) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.query
        or parts.fragment
    ):
        raise click.BadParameter(problem, ctx, param)
    return quote(value.rstrip("/"), safe=_URL_SAFE)


def _load_app(required: bool) -> Flask | None:
    """Load the app named by ``--app``; with ``--url`` the check can run without it."""
    info = click.get_current_context().ensure_object(ScriptInfo)
    try:
        return info.load_app()
    except NoAppException:
        if required:
            raise  # a click.UsageError: exit 2 with Flask's own explanation
        return None
    except ConfigError as error:
        raise CheckError(f"the app's CORS configuration is invalid: {error}") from error


@_command("check")
@click.option(
    "--origin",
    required=True,
    callback=_parse_origin,
    help="The page's origin, e.g. https://app.example.com ('null' for sandboxed pages).",
)
@click.option(
    "--method",
    "-X",
    callback=_parse_method,
    help="The method the page's fetch() uses (sent as written, except the six names browsers "
    "upper-case). Default: GET, or POST with --data.",
)
@click.option(
    "--header",
    "-H",
    "headers",
    multiple=True,
    metavar="'NAME: VALUE'",
    callback=_parse_headers,
    help="A header the page sets, as curl's -H; repeat for more.",
)
@click.option(
    "--data",
    "-d",
    "data",
    multiple=True,
    metavar="BODY",
    callback=_parse_data,
    help="The request body, sent with the actual request (not the preflight), as curl's -d: "
    "the method becomes POST unless given, repeated values are joined with '&', @FILE reads a "
    "file (@- standard input). Its type is the Content-Type header if you set one, else "
    "text/plain;charset=UTF-8 as for fetch() with a string body.",
)
@click.option(
    "--credentials",
    is_flag=True,
    help="The page uses credentials: 'include' (cookies, HTTP authentication).",
)
@click.option(
    "--content-type",
    metavar="TYPE",
    callback=_parse_content_type,
    help="The type of the request body, e.g. application/json, when the page sets no "
    "Content-Type header; without --data no body is actually sent.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--url",
    "base_url",
    metavar="BASE",
    callback=_parse_base_url,
    help="Send real HTTP requests to BASE + PATH (e.g. a deployment behind a proxy) instead of "
    "running the app in-process.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=300.0),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each answer with --url.",
)
@click.option(
    "--engine",
    type=click.Choice((*ENGINES, ALL)),
    default=ALL,
    show_default=True,
    help="The browser engine to simulate: spec (the Fetch standard), chromium, firefox, webkit, "
    "or all of them, with one verdict where they agree and one per engine where they differ.",
)
@click.argument("path", callback=_parse_path)
def check_command(
    origin: str,
    method: str | None,
    headers: list[tuple[str, str]],
    data: bytes | None,
    credentials: bool,
    content_type: str | None,
    as_json: bool,
    base_url: str | None,
    timeout: float,
    engine: str,
    path: str,
) -> None:
    """Replay a browser's fetch() of PATH and say whether the page could read the answer.

    The preflight is sent first when a browser would send one; each exchange is printed with
    the CORS headers of the answer, then the browser's conclusion. The last line is ALLOWED or
    BLOCKED: <reason id>: <browser message> ('flask cors explain ID' explains it). When the app is
    known, a refusal comes with the option to change and where it is set.

    -H and -d work as with curl, so a curl command line carries over: -H 'Content-Type:
    application/json' -d '{"name": "x"}' makes a POST whose JSON body reaches the view.

    By default every engine is simulated (--engine all): the Fetch standard, Chromium, Firefox
    and WebKit. Where they agree there is one verdict; where they differ, an 'engines differ:'
    block gives each engine's verdict with the class and rule of its departure from the
    standard. Where the engines' console lines were captured, each blocking engine's own line
    is printed ('chromium says: ...') above the fix.

    The requests really run: views execute, with their side effects (a DELETE deletes; an
    exchange several engines make runs once). Point the check at a path and an environment
    where that is safe.

    Exit status: 0 allowed (in every engine checked), 1 blocked, 2 the check could not run.
    """
    if method is None:
        method = "POST" if data is not None else "GET"
    if data is not None and content_type is None:
        content_type = TEXT_BODY_TYPE  # what fetch() gives a string body; a header overrides it
    app = _load_app(required=base_url is None)
    if base_url is None:
        assert app is not None
        base = app_base_url(app)
        send = in_process_sender(app, data)
    else:
        base = base_url + "/"
        send = http_sender(timeout, data)
    request = BrowserRequest(
        origin=origin,
        url=base.rstrip("/") + path,
        method=method,
        headers=headers,
        credentials=credentials,
        content_type=content_type,
    )
    try:
        report: EngineReports = run_checks(
            request, send, app, base, local_policy=base_url is not None, engines=engine
        )
    except DiagnosisError as error:
        raise CheckError(str(error)) from error
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        for line in report.text():
            click.echo(line)
    raise SystemExit(EXIT_ALLOWED if report.allowed else EXIT_BLOCKED)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "-"
    return str(value)


#: One piece of a cell that wrapping keeps whole: text up to and including the places a line
#: may end, after a space or the punctuation of URLs, lists and names ('/', '.', ',', ':', '-',
#: '_'); so https://app.example.com breaks as 'https://', 'app.example.com', not mid-name.
_WRAP_PIECE = re.compile(r"[^\s/.,:\-_]*[/.,:\-_]*\s*")


#: How far the first column's continuation lines are indented: a row starts at the margin.
_HANG = 2

#: The widest a column starts to keep its longest piece whole; a longer piece may be cut.
_PIECE_FLOOR = 16


def _wrap(text: str, width: int, hang: int = 0) -> list[str]:
    """*text* in lines of at most *width* characters, broken where a line may end.

    Lines after the first are indented by *hang* spaces (the first column's, so that only a
    row's first line starts at the left margin). A piece longer than a line on its own (a long
    name without punctuation) is cut.
    """
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for piece in _WRAP_PIECE.findall(text):
        if not piece:
            continue
        if len((line + piece).rstrip()) <= (width - hang if lines else width):
            line += piece
            continue
        if line.strip():
            lines.append(line.rstrip())
        room = width - hang if lines else width
        while len(piece.rstrip()) > room:
            lines.append(piece[:room])
            piece = piece[room:]
            room = width - hang
        line = piece.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return [lines[0], *(" " * hang + line for line in lines[1:])] if lines else [""]


def _shortest_width(text: str) -> int:
    """The narrowest column *text* fits without cutting a piece (the longest piece)."""
    return max((len(piece.rstrip()) for piece in _WRAP_PIECE.findall(text)), default=0)


def _hang(column: int) -> int:
    return _HANG if column == 0 else 0


def _column_widths(table: Sequence[Sequence[str]], total: int) -> list[int]:
    """Column widths for *table* (header first) so that each line has at most *total* columns.

    Columns keep their natural width when the table fits. Otherwise each column starts as
    narrow as its header and cells allow without cutting a piece (a URL breaks after '/' and
    '.', a list after ',', a header after '-'; pieces longer than 16 are cut anyway): when those
    do not fit together the cells' pieces are cut alike (down to 8), then, if still needed,
    headers and pieces alike. The columns left are handed out where they save the most lines:
    a greedy search over the wrapped heights of the cells, so a URL or a method list gets the
    width that keeps it on one or two lines before a column of 'yes' and 'no' gets any.
    """
    count = len(table[0])
    budget = total - 2 * (count - 1)
    natural = [max(len(row[i]) for row in table) for i in range(count)]
    if sum(natural) <= budget:
        return natural
    least = [3 + _hang(i) for i in range(count)]
    header = [max(least[i], _shortest_width(table[0][i])) for i in range(count)]
    piece = [max(_shortest_width(row[i]) for row in table[1:]) + _hang(i) for i in range(count)]
    # Whole headers, the cells' pieces cut alike down to 8; then headers and pieces cut alike.
    widths = [min(natural[i], least[i]) for i in range(count)]
    wanted = [max(header[i], min(piece[i], _PIECE_FLOOR)) for i in range(count)]
    candidates = [
        [max(header[i], min(piece[i], cap)) for i in range(count)]
        for cap in range(_PIECE_FLOOR, 7, -1)
    ] + [[max(least[i], min(wanted[i], cap)) for i in range(count)] for cap in range(20, 0, -1)]
    for floors in candidates:
        if sum(min(width, floor) for width, floor in zip(natural, floors)) <= budget:
            widths = [min(width, floor) for width, floor in zip(natural, floors)]
            break
    # heights[i][w][r]: the lines row r's cell in column i takes at width w.
    heights: list[dict[int, list[int]]] = []
    for i in range(count):
        texts = {row[i] for row in table}
        by_width: dict[int, list[int]] = {}
        for width in range(widths[i], natural[i] + 1):
            height = {text: len(_wrap(text, width, _hang(i))) for text in texts}
            by_width[width] = [height[row[i]] for row in table]
        heights.append(by_width)
    spare = budget - sum(widths)
    rows = range(len(table))
    while spare > 0:
        current = [[heights[i][widths[i]][r] for i in range(count)] for r in rows]
        total_lines = sum(max(line) for line in current)
        best: tuple[float, int, int] | None = None  # (lines saved per column, column, added)
        for i in range(count):
            others = [max(line[:i] + line[i + 1 :], default=1) for line in current]
            for added in range(1, min(spare, natural[i] - widths[i]) + 1):
                column = heights[i][widths[i] + added]
                saved = total_lines - sum(map(max, others, column))
                if saved > 0 and (best is None or saved / added > best[0]):
                    best = (saved / added, i, added)
        if best is None:
            break
        widths[best[1]] += best[2]
        spare -= best[2]
    # Columns nothing more can shorten: what is left goes to the ones cut the most.
    for i in sorted(range(count), key=lambda i: widths[i] - natural[i]):
        extra = min(spare, natural[i] - widths[i])
        widths[i] += extra
        spare -= extra
    return widths


def _table_lines(
    table: Sequence[Sequence[str]], notes: Sequence[Sequence[str]], wide: bool
) -> list[str]:
    """The header, a rule, then each row (its cells wrapped to fit) followed by its notes."""
    widths = (
        [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        if wide
        else _column_widths(table, ROUTES_WIDTH)
    )
    out: list[str] = []
    for index, row in enumerate(table):
        cells = [
            [cell] if wide else _wrap(cell, width, _hang(i))
            for i, (cell, width) in enumerate(zip(row, widths))
        ]
        for depth in range(max(len(cell) for cell in cells)):
            parts = [
                (cell[depth] if depth < len(cell) else "").ljust(width)
                for cell, width in zip(cells, widths)
            ]
            out.append("  ".join(parts).rstrip())
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
            continue
        for note in notes[index - 1]:
            if wide:
                out.append(f"  note: {note}")
            else:
                out.extend(
                    textwrap.wrap(
                        note,
                        width=ROUTES_WIDTH,
                        initial_indent="  note: ",
                        subsequent_indent="        ",
                        break_on_hyphens=False,
                    )
                )
    return out


@_command("routes")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(("endpoint", "methods", "rule")),
    default="endpoint",
    help="Sort by endpoint (the default, as 'flask routes'), methods or rule.",
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS too.")
@click.option(
    "--wide",
    is_flag=True,
    help=f"One line per route, however long, instead of wrapping cells to fit {ROUTES_WIDTH} "
    "columns.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def routes_command(sort: str, all_methods: bool, wide: bool, as_json: bool) -> None:
    """Show every route with the CORS policy that covers it and where that policy comes from.

    Like 'flask routes', one row per URL rule. The policy source is a resource pattern of
    CORS(app), a blueprint's CORS(blueprint), a @cross_origin decorator, or none. The table fits
    100 columns: long cells wrap onto more lines (--wide keeps one line per route). A 'note:'
    line under a row says something worth knowing about that route.

    Resource patterns match request paths, not URL rules, so each rule is resolved through a
    sample path with its variables filled in (<int:id> becomes 1, <name> becomes x). A pattern
    that matches only some values of a variable may cover other paths of the rule than the
    sample shows; use 'flask cors check' on a real path to be sure.
    """
    app = _load_app(required=True)
    assert app is not None
    try:
        rows = routes(app, all_methods)
    except DiagnosisError as error:
        raise CheckError(str(error)) from error
    rows.sort(key=lambda row: ", ".join(row["methods"]) if sort == "methods" else row[sort])
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No routes were registered.")
        return
    headers = [
        "Endpoint",
        "Methods",
        "Rule",
        "CORS",
        "Origins",
        "Allow-Methods",
        "Allow-Headers",
        "Credentials",
        "Max-Age",
        "Policy",
    ]
    # The report-only policy's columns appear only for apps that have one.
    trials = any(row["report_only"] is not None for row in rows)
    if trials:
        headers += ["Report-only", "Report-only origins"]
    table: list[list[str]] = [headers]
    for row in rows:
        policy = row["policy"] or {}
        trial = row["report_only"] or {}
        table.append(
            [
                row["endpoint"],
                _cell(row["methods"]),
                row["rule"],
                _cell(row["cors"]),
                _cell(policy.get("origins")),
                _cell(policy.get("methods")),
                _cell(policy.get("allow_headers")),
                _cell(policy.get("supports_credentials")),
                _cell(policy.get("max_age")),
                row["source"] or "none",
                *(
                    [
                        trial.get("source") or "none",
                        _cell((trial.get("policy") or {}).get("origins")),
                    ]
                    if trials
                    else []
                ),
            ]
        )
    notes = [[str(note) for note in row.get("notes") or ()] for row in rows]
    for line in _table_lines(table, notes, wide):
        click.echo(line)


@_command("explain")
@click.option(
    "--list", "list_ids", is_flag=True, help="List every documented id, by kind, and the pages."
)
@click.option(
    "--page",
    "page_name",
    metavar="NAME",
    help="Print a whole documentation page instead, e.g. 'options' or 'migrating'.",
)
@click.argument("ids", nargs=-1, metavar="[ID]...")
def explain_command(list_ids: bool, page_name: str | None, ids: tuple[str, ...]) -> None:
    """Print what an id means and how to fix it, from the docs installed with the package.

    ID is any id flask-crossorigin prints: a browser reason ('acao_missing', the BLOCKED line
    of 'flask cors check'), a server refusal reason ('origin_not_allowed', the X-CORS-Refusal
    header and the log), a configuration error code ('cors.E012', or 'E012') or a Fetch rule
    ('F16', 'F13.3'). No app is needed. --page NAME prints a whole page of the documentation
    (the options reference, migrating from flask-cors, ...), as installed with the package.

    ID may also be a console line pasted from Chromium, Firefox or WebKit, in quotes: the
    reason id it stands for is found (from the engines' own lines, as captured) and explained.

    Exit status: 0 explained, 2 an id or page is not documented (the closest one is suggested).
    """
    try:
        _explain(ids, page_name, list_ids)
    except DocsMissingError as error:
        raise CheckError(str(error)) from error


def _explain(ids: tuple[str, ...], page_name: str | None, list_ids: bool) -> None:
    if list_ids:
        for kind, names in all_ids().items():
            click.echo(f"{kind}s ({KINDS[kind]}):")
            for name in names:
                click.echo(f"  {name}")
        click.echo("pages (--page NAME):")
        for name, title in pages().items():
            click.echo(f"  {name}: {title}")
        return
    if page_name is not None:
        if ids:
            raise click.UsageError("give either IDs or --page, not both.")
        try:
            click.echo(page(page_name))
        except UnknownIdError as error:
            raise CheckError(str(error)) from error
        return
    if not ids:
        raise click.UsageError("give an ID to explain, or --list to see them all.")
    texts: list[str] = []
    for wanted in ids:
        try:
            texts.extend(entry.render() for entry in explain_id(wanted))
        except UnknownIdError as error:
            if not any(char.isspace() for char in wanted.strip()):
                raise CheckError(str(error)) from error
            texts.extend(_explain_console_line(wanted))
    click.echo("\n\n".join(texts))


def _explain_console_line(line: str) -> list[str]:
    """The entries of the reason ids a pasted console line stands for, each with a title line.

    No id is several words long, so a text with spaces is taken for a console line; one that
    matches no engine's line is an error, never the closest id by spelling (which would name
    an unrelated reason).
    """
    matches = match_console_line(line)
    if not matches:
        raise CheckError(
            "this is neither an id nor a console line of Chromium, Firefox or WebKit that "
            "flask-crossorigin knows; paste the whole line, or run 'flask cors explain --list' "
            "for the ids."
        )
    engines: dict[str, list[str]] = {}
    for match in matches:
        engines.setdefault(match.reason, []).append(match.engine)
    return [
        f"matched {' and '.join(dict.fromkeys(names))}'s console line for {reason}\n\n"
        + "\n\n".join(entry.render() for entry in explain_id(reason))
        for reason, names in engines.items()
    ]


@_command("compare")
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="PATH",
    help="Also check this path (repeatable), e.g. one a converter's sample value misses.",
)
@click.option(
    "--origin",
    "origins",
    multiple=True,
    metavar="ORIGIN",
    help="Also check from this origin (repeatable), e.g. one a callable decides about.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=compare_module.DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds both loads and all checks may take together.",
)
def compare_command(
    paths: tuple[str, ...], origins: tuple[str, ...], as_json: bool, timeout: float
) -> None:
    """Show what changes for this app if its flask_cors import becomes flask_crossorigin.

    Run it while the app still imports flask_cors. The app is loaded twice, each time in a
    process of its own (so its module code runs twice): once as written, and once with
    'import flask_cors' resolved to flask-crossorigin; your files are not changed. Every route
    is then asked, from every origin the configuration names, an attacker's origin and 'null',
    with the request kinds that matter, with and without credentials; the browser simulator
    judges each answer, and each difference is listed with the entry of the migrating page
    that explains it ('flask cors explain --page migrating#regex-whole-match' prints one).
    The requests run your views (as 'flask cors check' does): point the app at a development
    database.

    Exit status: 0 the browser's verdict is the same for every check, 1 something differs, 2
    the comparison could not run (no app, an app that fails to load, flask-cors missing).
    """
    info = click.get_current_context().ensure_object(ScriptInfo)
    if info.create_app is not None and info.app_import_path is None:
        raise CheckError(
            "compare loads the app in child processes, by its --app import path; this command "
            "group builds the app with a factory function. Run 'flask --app MODULE cors compare'."
        )
    try:
        result = compare_module.compare(
            info.app_import_path, paths=paths, origins=origins, timeout=timeout
        )
    except compare_module.CompareError as error:
        raise CheckError(str(error)) from error
    if as_json:
        compare_module.write_json(result, sys.stdout)
    else:
        for line in result.text():
            click.echo(line)
    raise SystemExit(result.exit_status)
