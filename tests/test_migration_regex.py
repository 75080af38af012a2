"""Regex strings at set-up: one WARNING where flask-cors read them differently, else silence.

Migration issue item 2 ("Moving over without surprises"). flask-cors 6 matches a regex string
with ``re.match``, a prefix match: terracotta's default ``r"http[s]?://(localhost|127\\.0\\.0\\.1):*"``
let ``http://localhost:3000`` in there (``:*`` matches zero colons and the prefix
``http://localhost`` matches). flask-crossorigin matches the whole origin and refuses it. Set-up
now says so in one WARNING on the ``flask_crossorigin`` logger, naming that origin and a spelling
that keeps it, and raises no DeprecationWarning: regex strings are flask-cors 6's documented
spelling, and a warning stopped suites run with warnings as errors. Patterns that read the same
both ways (mlflow's anchored ones) say nothing at all.

flask-cors 6's verdicts are written as expected values (it is never imported): origins and header
names are matched with ``re.match(pattern, value, re.IGNORECASE)``, paths with
``re.match(pattern, path)``.
"""

from __future__ import annotations

import ast
import logging
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS, cross_origin, origins

TERRACOTTA = r"http[s]?://(localhost|127\.0\.0\.1):*"
MLFLOW = (
    r"^https?://localhost(:\d+)?$",
    r"^https?://127\.0\.0\.1(:\d+)?$",
    r"^https?://\[::1\](:\d+)?$",
    r"^https://([a-z0-9-]+\.)?mlflow\.org$",
)
#: The parts of a message: the value flask-cors let in, and each spelling it suggests.
_LET_IN = re.compile(r"so it (?:let in|covered) ('[^']*')")


@pytest.fixture(autouse=True)
def fresh_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each note is said once per process: every test here starts with none said."""
    monkeypatch.setattr(origins, "_noted", {})


class Said:
    """The WARNINGs logged on ``flask_crossorigin`` so far."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog

    def now(self) -> list[str]:
        return [
            record.getMessage()
            for record in self._caplog.records
            if record.name == "flask_crossorigin" and record.levelno >= logging.WARNING
        ]


@pytest.fixture
def said(caplog: pytest.LogCaptureFixture) -> Iterator[Said]:
    """The set-up WARNINGs; any Python warning at all (a DeprecationWarning) fails the test."""
    caplog.set_level(logging.WARNING, logger="flask_crossorigin")
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        yield Said(caplog)
    assert [str(w.message) for w in raised] == []


def app_with(**options: Any) -> Flask:
    app = Flask(__name__)
    CORS(app, **options)

    @app.route("/")
    @app.route("/api/<path:rest>")
    def index(rest: str = "") -> dict[str, str]:
        return {}

    return app


def allowed(app: Flask, origin: str, path: str = "/") -> bool:
    response = app.test_client().get(path, headers={"Origin": origin})
    return response.headers.get("Access-Control-Allow-Origin") in (origin, "*")


def preflight_passes(app: Flask, header: str, path: str = "/api/x") -> bool:
    response = app.test_client().options(
        path,
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": header,
        },
    )
    return response.status_code < 300 and "Access-Control-Allow-Origin" in response.headers


def let_in(message: str) -> str:
    found = _LET_IN.search(message)
    assert found, message
    value = ast.literal_eval(found.group(1))
    assert isinstance(value, str)
    return value


# -- origins --------------------------------------------------------------------------------------


def test_terracotta_pattern_logs_one_warning_naming_the_origin_and_the_fix(said):
    """migration issue item 2: terracotta's default logs one WARNING naming an origin that
    flask-cors let in (a port on localhost) and 'http://localhost:*', and no DeprecationWarning.

    flask-cors 6: re.match lets in http://localhost:3000 (':*' matches zero colons).
    """
    app = app_with(origins=[TERRACOTTA])
    (message,) = said.now()
    assert message.startswith("CORS(origins=...): the origin ")
    assert "'http://localhost:3000'" in message
    assert "'http://localhost:*'" in message
    assert r"re.compile(r'http[s]?://(localhost|127\.0\.0\.1):*(:\d+)?')" in message
    # What the message says is what happens: the origin with a port is refused, without allowed.
    assert not allowed(app, "http://localhost:3000")
    assert allowed(app, "http://localhost")
    assert allowed(app, "https://127.0.0.1")
    assert said.now() == [message]  # not again per request, nor when the plan is rebuilt


def test_terracotta_pattern_sets_up_under_warnings_as_errors():
    """migration issue item 2: under -W error (how terracotta's server tests run), set-up
    succeeds; the WARNING goes to the log (stderr without handlers), not to the warnings."""
    code = (
        "from flask import Flask\n"
        "from flask_crossorigin import CORS\n"
        "app = Flask('terracotta')\n"
        f"CORS(app, origins=[{TERRACOTTA!r}])\n"
        "r = app.test_client().get('/', headers={'Origin': 'http://localhost'})\n"
        "assert r.headers['Access-Control-Allow-Origin'] == 'http://localhost'\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "'http://localhost:3000'" in done.stderr
    assert "Warning:" not in done.stderr


def test_one_warning_per_pattern_however_often_it_is_compiled(said):
    """migration issue item 2: one WARNING, although the origins are compiled for every
    resource, every decorated view and every rebuild of the app's plan."""
    app = app_with(
        origins=[TERRACOTTA],
        resources={r"/api/*": {}, r"/other/*": {}, r"/*": {}},
    )

    @app.route("/late")
    @cross_origin()
    def late() -> dict[str, str]:
        return {}

    app.test_client().get("/late", headers={"Origin": "http://localhost"})
    assert len(said.now()) == 1


@pytest.mark.parametrize("pattern", MLFLOW)
def test_patterns_that_read_the_same_both_ways_say_nothing(said, pattern):
    """migration issue item 2: mlflow-style anchored patterns read the same under flask-cors's
    prefix match and our whole match: no WARNING, no warning of any kind."""
    app = app_with(origins=[pattern])
    assert said.now() == []
    origin = "https://mlflow.org" if "mlflow" in pattern else None
    if origin is None:
        host = "[::1]" if "::1" in pattern else ("127.0.0.1" if "127" in pattern else "localhost")
        origin = f"http://{host}:5000"
    assert allowed(app, origin)


@pytest.mark.parametrize(
    "pattern",
    [
        r".*",
        r"http://localhost:3000/*",
        r"https://.*\.example\.com$",
        r"^https://(app|admin)\.example\.com$",
    ],
)
def test_more_patterns_that_read_the_same_say_nothing(said, pattern):
    """migration issue item 2: a catch-all, '/*' after a port (a look-alike port is not the
    user's), and anchored patterns say nothing."""
    app_with(origins=[pattern])
    assert said.now() == []


def test_the_suggested_glob_silences_the_warning_and_admits_the_origin(said):
    """migration issue item 2: applying 'http://localhost:*' says nothing and admits the origin
    that flask-cors let in."""
    app = app_with(origins=["http://localhost:*"])
    assert said.now() == []
    assert allowed(app, "http://localhost:3000")


@pytest.mark.parametrize(
    "pattern",
    [
        TERRACOTTA,
        r"https://(www\.)?example\.com",
        r"https://.*\.example\.com",
        r"https://a\.example|https://b\.example",
        r"https://MyApp\.example",
        r"^http://localhost",
    ],
)
def test_every_suggested_spelling_says_nothing_and_does_what_it_says(said, pattern):
    """migration issue item 2: each spelling a WARNING suggests is accepted, says nothing, and
    allows the named origin (the 'allow' spellings) or refuses it (the 'refuse' one)."""
    app_with(origins=[pattern])
    (message,) = said.now()
    origin = let_in(message)
    allow_part, refuse_part = message.split("; to refuse it, ", 1)
    allows: list[list[Any]] = []
    globs = re.findall(r"'[a-z]+://[^']+:\*'", allow_part)
    if globs:
        allows.append([ast.literal_eval(glob) for glob in globs])
    for compiled in re.findall(r"re\.compile\(.*?\)(?= or |$)", allow_part.split(" with ", 1)[1]):
        allows.append([eval(compiled, {"re": re})])  # the message's own text
    assert allows, message
    written = re.match(r"write (r?'[^']*')", refuse_part)
    assert written, message
    refuse = ast.literal_eval(written.group(1))
    for spelling in allows:
        assert allowed(app_with(origins=spelling), origin), (spelling, message)
    assert not allowed(app_with(origins=[refuse]), origin)
    assert said.now() == [message]


def test_a_decorated_view_says_it_once_without_a_deprecation_warning(said):
    """migration issue item 2: @cross_origin with a regex string, compiled at the view's first
    request, logs the same WARNING once and raises no warning."""
    app = Flask(__name__)

    @app.route("/")
    @cross_origin(origins=[TERRACOTTA])
    def index() -> dict[str, str]:
        return {}

    client = app.test_client()
    for _ in range(2):
        client.get("/", headers={"Origin": "http://localhost"})
    (message,) = said.now()
    assert "'http://localhost:3000'" in message and "'http://localhost:*'" in message


# -- allow_headers --------------------------------------------------------------------------------


def test_header_regex_that_flask_cors_read_as_a_prefix_warns(said):
    """migration issue item 2: allow_headers=r'X-[A-Za-z]+' let in X-Requested-With under
    flask-cors (re.match: the prefix 'X-Requested'); matched whole it does not. One WARNING
    names the header and the spelling that keeps it; applied, it says nothing and allows it.
    """
    app = app_with(allow_headers=r"X-[A-Za-z]+")
    (message,) = said.now()
    assert message.startswith("CORS(allow_headers=...): the header name 'X-[A-Za-z]+'")
    assert let_in(message) == "X-Requested-With"
    assert "write 'X-[A-Za-z]+.*'" in message
    assert not preflight_passes(app, "X-Requested-With")
    fixed = app_with(allow_headers=r"X-[A-Za-z]+.*")
    assert preflight_passes(fixed, "X-Requested-With")
    assert said.now() == [message]


@pytest.mark.parametrize(
    "value", [r"X-Custom-.*", r"^(Content-Type|Authorization)$", ["Content-Type", r"X-Amz-.*"]]
)
def test_header_regex_that_reads_the_same_says_nothing(said, value):
    """migration issue item 2: header regexes ending in '.*' or anchored say nothing."""
    app_with(allow_headers=value)
    assert said.now() == []


# -- resources ------------------------------------------------------------------------------------


def test_resource_regex_whose_subtree_misses_a_path_it_spells_warns(said):
    """migration issue item 2: r'/api/(v1|v1beta)/*' covered /api/v1beta under flask-cors
    (re.match); read as a subtree here, its first match is /api/v1, so /api/v1beta is not
    covered. One WARNING names the path and the spelling that keeps it; applied, it says
    nothing and covers the path."""
    app = app_with(resources=[r"/api/(v1|v1beta)/*"])
    (message,) = said.now()
    assert message.startswith("CORS(resources=...): the resource pattern '/api/(v1|v1beta)/*'")
    assert let_in(message) == "/api/v1beta"
    assert "write '/api/(v1|v1beta)(/.*)?$'" in message
    assert not allowed(app, "https://app.example", "/api/v1beta/items")
    assert allowed(app, "https://app.example", "/api/v1/items")
    fixed = app_with(resources=[r"/api/(v1|v1beta)(/.*)?$"])
    assert allowed(fixed, "https://app.example", "/api/v1beta/items")
    assert allowed(fixed, "https://app.example", "/api/v1beta")
    assert said.now() == [message]


@pytest.mark.parametrize(
    "pattern", [r"/api/*", r"/api/v[0-9]+/*", r"^/api/.*", r"/api/v[12]", "*", r"/*"]
)
def test_resource_regex_that_reads_the_same_on_its_paths_says_nothing(said, pattern):
    """migration issue item 2: the usual subtree r'/api/*' says nothing (the look-alike
    '/apiary' flask-cors also covered is not the user's path), nor do patterns matched from the
    start of the path as flask-cors matched them."""
    app_with(resources=[pattern])
    assert said.now() == []


# -- the reader behind these notes: strings a regex's own text spells -----------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # alternatives and optional parts, the absent form first
        (r"http[s]?://a", ["http://a", "https://a"]),
        (r"(?P<host>app|api)\.example", ["app.example", "api.example"]),
        (r"(?:www\.)?example\.com", ["example.com", "www.example.com"]),
        # repetitions: their fewest copies, at least one; lazy and possessive read the same
        (r"https://a{2}b", ["https://aab"]),
        (r"ab{,2}c", ["ac", "abc"]),
        (r"ab{,}c", ["ac", "abc"]),
        (r"a+?b", ["ab"]),
        (r"ab*?c", ["ac", "abc"]),
        (r"a{2}?b", ["aab"]),
        *([(r"a++b", ["ab"])] if sys.version_info >= (3, 11) else []),  # possessive: 3.11+
        # a '{' that is no repetition is a literal, as the regex engine reads it
        (r"a{x}", ["a{x}"]),
        (r"a{}", ["a{}"]),
        # classes and escapes stand for one character they admit
        (r"[]a]b", ["ab"]),
        (r"x[\]]", ["x]"]),
        (r"\d\w", ["1a"]),
        (r"a\.b", ["a.b"]),
        # anchors, boundaries, comments and inline flags spell nothing
        (r"\Aab\Z", ["ab"]),
        (r"\bab\b", ["ab"]),
        (r"a(?#a comment)b", ["ab"]),
        (r"(?i)ab", ["ab"]),
        (r"(?i:ab)", ["ab"]),
        (r"(?-i:ab)", ["ab"]),
        (r"a(?=b)b", ["ab"]),
        (r"a(?!c)b", ["ab"]),
    ],
)
def test_regex_instances_are_strings_the_pattern_matches(source: str, expected: list[str]) -> None:
    """migration issue item 2: the notes read example values out of a regex's own text; each
    construct above is read as written, and every value read is one the regex matches whole."""
    found = origins.regex_instances(source)
    assert found == expected
    for value in found:
        assert re.fullmatch(source, value), (source, value)


def test_regex_instances_reads_lookbehinds_as_spelling_nothing() -> None:
    """A lookbehind is skipped like a lookahead; the value read is a candidate only (callers
    check each against the regex), so 'b' for '(?<=a)b' costs nothing."""
    assert origins.regex_instances(r"(?<=a)b") == ["b"]
    assert origins.regex_instances(r"(?<!a)b") == ["b"]


@pytest.mark.parametrize(
    "source",
    [
        r"(?x)https://a\.example  # verbose mode",  # whitespace and comments change meaning
        r"(a)\1",  # a back-reference
        r"(?P<n>a)(?P=n)",  # a named back-reference
        r"(?(1)a|b)",  # a conditional
        r"(?>ab)",  # an atomic group
        r"\x41",  # an escape for another character
        r"https://[[a]\.example",  # a class Python reads as a future set operation
        r"[a--b]",
        r"https://caf[\u00e9]\.example",  # a class no ASCII stand-in fits
        r"[^ -~]",
        # text that is no regex at all
        r"a)b",
        r"(ab",
        r"(?=ab",
        r"[z-a]",
    ],
)
def test_regex_instances_gives_up_on_what_it_does_not_read(source: str) -> None:
    """What the reader does not expand (back-references, conditionals, verbose mode, set
    operations, unbalanced text) gives no values at all, never wrong ones."""
    assert origins.regex_instances(source) == []


def test_origin_regex_with_a_port_prefix_suggests_listing_the_origin(said) -> None:
    """migration issue item 2: r'^http://localhost:3' let http://localhost:3000 in under
    flask-cors (a prefix); neither a host glob (flask-cors refused http://localhost) nor an
    optional port after the pattern keeps exactly that, so the WARNING says to list the origin
    beside the pattern; doing so says nothing and allows it."""
    app = app_with(origins=[r"^http://localhost:3"])
    (message,) = said.now()
    assert let_in(message) == "http://localhost:3000"
    assert "list 'http://localhost:3000' as well and pass the pattern as re.compile(...)" in message
    assert "write '^http://localhost:3$'" in message
    assert not allowed(app, "http://localhost:3000")
    fixed = app_with(origins=["http://localhost:3000", re.compile(r"^http://localhost:3")])
    assert allowed(fixed, "http://localhost:3000")
    assert said.now() == [message]


def test_origin_regex_whose_flags_follow_a_comment_gets_spellings_that_compile(said) -> None:
    """migration issue item 2: in r'(?#dev)(?i)http://localhost|...' the leading comment and the
    inline flag stay in front of the group the suggestions add, so every suggested regex compiles
    on every Python (flags after a group are an error from 3.11, deprecated before) and does what
    the WARNING says."""
    pattern = r"(?#dev)(?i)http://localhost|http://127\.0\.0\.1"
    app = app_with(origins=[pattern])
    (message,) = said.now()
    assert let_in(message) == "http://localhost:3000"
    assert "'http://localhost:*', 'http://127.0.0.1:*' (each host on any port)" in message
    keep = r"(?#dev)(?i)(?:http://localhost|http://127\.0\.0\.1)(:\d+)?"
    refuse = r"(?#dev)(?i)(?:http://localhost|http://127\.0\.0\.1)$"
    assert f"re.compile(r'{keep}')" in message
    assert f"write r'{refuse}'" in message
    assert allowed(app, "http://localhost")
    assert not allowed(app, "http://localhost:3000")
    assert allowed(app_with(origins=[re.compile(keep)]), "http://localhost:3000")
    assert not allowed(app_with(origins=[refuse]), "http://localhost:3000")
    globbed = app_with(origins=["http://localhost:*", "http://127.0.0.1:*"])
    assert allowed(globbed, "http://localhost:3000")
    assert said.now() == [message]


def test_notes_are_said_again_once_the_memory_of_said_notes_is_full(
    said, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notes already said are remembered up to a bound, then forgotten all at once: a
    process compiling endless distinct patterns keeps bounded memory, at the cost of saying a
    note again."""
    monkeypatch.setattr(origins, "_NOTED_LIMIT", 2)
    first, second, third = (rf"http[s]?://host{n}\.example:*" for n in range(3))
    for pattern in (first, second, first):
        app_with(origins=[pattern])
    assert len(said.now()) == 2  # the first pattern's note, once
    app_with(origins=[third])  # a third note: the memory was full, so it starts again
    app_with(origins=[first])
    assert len(said.now()) == 4


def test_header_regex_whose_flags_follow_a_comment_suggests_spellings_that_compile(said):
    """migration issue item 2: r'(?#c)(?i)X-Req|X-Api' let X-Requested-With in under flask-cors;
    the suggestions keep the comment and the flag in front of their group, so both compile, and
    the one that keeps flask-cors's reading lets the header in."""
    app = app_with(allow_headers=r"(?#c)(?i)X-Req|X-Api")
    (message,) = said.now()
    assert let_in(message) == "X-Requested-With"
    assert "'(?#c)(?i)(?:X-Req|X-Api).*'" in message
    assert "'(?#c)(?i)(?:X-Req|X-Api)$'" in message
    assert not preflight_passes(app, "X-Requested-With")
    assert preflight_passes(app, "X-Api")
    kept = app_with(allow_headers=r"(?#c)(?i)(?:X-Req|X-Api).*")
    assert preflight_passes(kept, "X-Requested-With")


def test_resource_regex_whose_flags_follow_a_comment_suggests_a_spelling_that_compiles(said):
    """migration issue item 2: r'(?#c)(?i)/api/v1|/api/v1beta/*' covered /api/v1beta under
    flask-cors; the suggested regex keeps the comment and the flag in front of its group, so it
    compiles, and using it covers the path."""
    pattern = r"(?#c)(?i)/api/v1|/api/v1beta/*"
    app = app_with(resources=[pattern])
    (message,) = said.now()
    assert let_in(message) == "/api/v1beta"
    spelling = r"(?#c)(?i)(?:/api/v1|/api/v1beta)(/.*)?$"
    assert f"write '{spelling}'" in message
    assert not allowed(app, "https://app.example", "/api/v1beta")
    fixed = app_with(resources=[spelling])
    assert allowed(fixed, "https://app.example", "/api/v1beta")
    assert said.now() == [message]


