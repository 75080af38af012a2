"""Resource patterns with flags are ranked and found from what they match (security issue item 7).

A regex whose flags change how its text reads (``re.IGNORECASE``, ``re.VERBOSE``, or ``(?i)`` /
``(?x)`` inline) ranks by the literal prefix of what it matches, after every unflagged pattern
of the same prefix length, and is tried for every path, so it covers exactly what its own
``match`` covers. ``re.MULTILINE`` and ``re.DOTALL`` leave the literal prefix as written.
"""

from __future__ import annotations

import itertools
import random
import re
from typing import NamedTuple, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_crossorigin._memo import memos_of
from flask_crossorigin.resources import ResourceTable

try:  # the regex parser, to read independently what a pattern's matches start with
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python < 3.11
    import sre_parse  # type: ignore[no-redef]

Pattern = Union[str, "re.Pattern[str]"]


class Rule(NamedTuple):
    """A pattern, the literal-prefix length it ranks with, and whether it is flagged."""

    pattern: Pattern
    rank: int
    flagged: bool = False


def _text(pattern: Pattern) -> str:
    return pattern.pattern if isinstance(pattern, re.Pattern) else pattern


def table(*patterns: Pattern) -> ResourceTable[str]:
    """A table whose value for each pattern is the pattern's own text."""
    return ResourceTable([(p, _text(p), f"resource {p!r}") for p in patterns])


def covering(tbl: ResourceTable[str], path: str) -> str | None:
    row = tbl.match(path)
    return None if row is None else row.value


def reference_matches(pattern: Pattern, path: str) -> bool:
    """The documented pattern semantics, straight from ``re`` (paths here need no normalising)."""
    if isinstance(pattern, str):
        if pattern == "*":
            return True
        if not any(char in pattern for char in "*\\]?$^[()"):
            return path == pattern
        source, flags = pattern, 0
    else:
        source, flags = pattern.pattern, pattern.flags
    if source.endswith("/*"):
        match = re.compile(source[:-2], flags).match(path)
        return match is not None and (match.end() == len(path) or path[match.end()] == "/")
    compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(source)
    return compiled.match(path) is not None


def reference(rules: list[Rule], path: str) -> str | None:
    """Brute force: every matching rule, the documented ranking, the winner's text."""
    candidates = [
        (-rule.rank, rule.flagged, position, _text(rule.pattern))
        for position, rule in enumerate(rules)
        if reference_matches(rule.pattern, path)
    ]
    return min(candidates)[3] if candidates else None


RULES = [
    Rule("/*", 0),
    Rule(r"/.*", 1),
    Rule("/admin/*", 6),
    Rule("/admin/users/*", 12),
    Rule(re.compile(r"/admin/.*", re.IGNORECASE), 7, True),
    Rule(re.compile("/admin/   # the admin area\n  users/ .*  # any user\n", re.VERBOSE), 13, True),
    Rule(re.compile(r"/api/v1$", re.MULTILINE), 7),
    Rule(re.compile(r"/api/.+", re.DOTALL), 5),
    Rule("(?i)/api/v1/*", 7, True),
    Rule("(?x) /api/ v1 /*", 7, True),
    Rule(re.compile(r"/s/.*", re.IGNORECASE), 3, True),
    Rule(re.compile(r"/api/ v2 # no metacharacter but the comment's", re.VERBOSE), 7, True),
    Rule(r"(?i:/admin)/.*", 0),
]

PATHS = [
    "/",
    "/other",
    "/admin",
    "/admin/",
    "/admin/x",
    "/ADMIN/x",
    "/Admin/users/7",
    "/admin/users/7",
    "/admin/users",
    "/api/v1",
    "/API/V1",
    "/api/v1/x",
    "/api/v1\nx",
    "/api/\n",
    "/api/v2",
    "/api/v2x",
    "/apiary",
    "/s/x",
    "/S/x",
    "/\u017f/x",  # LATIN SMALL LETTER LONG S: IGNORECASE matches it with s, str.lower() does not
]


def test_table_agrees_with_brute_force_reference_security_issue_item_7() -> None:
    """Security issue item 7: any declaration order, the table picks the reference's rule."""
    shuffler = random.Random(7)
    for _ in range(200):
        rules = RULES[:]
        shuffler.shuffle(rules)
        tbl = table(*(rule.pattern for rule in rules))
        for path in PATHS:
            assert covering(tbl, path) == reference(rules, path), (path, rules)


@pytest.mark.parametrize(
    "group",
    [
        # IGNORECASE and VERBOSE, each against a broader and a more specific rule.
        [RULES[0], RULES[1], RULES[2], RULES[4], RULES[3]],
        [RULES[0], RULES[1], RULES[5], RULES[3], RULES[2]],
        # MULTILINE, DOTALL and inline flags on the same prefix length.
        [RULES[6], RULES[7], RULES[8], RULES[9], RULES[11]],
        # A Unicode case variant, a scoped inline flag.
        [RULES[0], RULES[10], RULES[12], RULES[4]],
    ],
)
def test_every_order_agrees_with_reference_security_issue_item_7(group: list[Rule]) -> None:
    """Security issue item 7: every permutation of a few competing rules, every path."""
    for rules in itertools.permutations(group):
        tbl = table(*(rule.pattern for rule in rules))
        for path in PATHS:
            assert covering(tbl, path) == reference(list(rules), path), (path, rules)


@pytest.mark.parametrize(
    ("pattern", "prefix", "flagged"),
    [
        (re.compile(r"/Admin/.*", re.IGNORECASE), "/Admin/", True),
        (re.compile("/api/ v1 # the first version\n /.*", re.VERBOSE), "/api/v1/", True),
        (re.compile("/ab +", re.VERBOSE), "/a", True),  # the quantifier after the space
        (re.compile("/ab # a comment\n{2}", re.VERBOSE), "/a", True),
        (re.compile(r"^ /api/.*", re.VERBOSE), "/api/", True),
        (re.compile(r"/a|/b", re.IGNORECASE), "", True),
        (re.compile(r"/a/ # | in a comment\n b", re.VERBOSE), "", True),  # still no prefix
        (re.compile(r"(?i)/admin/.*"), "/admin/", True),
        ("(?i)/admin/.*", "/admin/", True),
        ("(?x) (?i) /admin/ .*", "/admin/", True),
        ("(?ix)/ad min/*", "/admin", True),
        (re.compile(r"/api\n.*", re.MULTILINE | re.DOTALL), "/api", False),
        (re.compile(r"^/api$", re.MULTILINE), "/api", False),
        (re.compile(r"/api/.*", re.ASCII), "/api/", False),
        ("(?i:/admin)/.*", "", False),  # a scoped flag: read as written, no prefix
        (r"/api/(?i:v1)", "/api/", False),
    ],
)
def test_flagged_rows_rank_with_the_prefix_they_match_security_issue_item_7(
    pattern: Pattern, prefix: str, flagged: bool
) -> None:
    """Security issue item 7: the prefix a row ranks with is read as its regex reads it."""
    (row,) = table(pattern).rows
    assert row.literal_prefix == prefix
    assert row.flagged is flagged


def test_ignorecase_does_not_shadow_a_more_specific_rule_security_issue_item_7() -> None:
    """Security issue item 7: a longer prefix, or an equal one read as written, wins."""
    ci = re.compile(r"/api/.*", re.IGNORECASE)
    for order in ((ci, "/api/v1/*"), ("/api/v1/*", ci)):
        tbl = table(*order)
        assert covering(tbl, "/api/v1/x") == "/api/v1/*"
        assert covering(tbl, "/api/v2") == "/api/.*"
        assert covering(tbl, "/API/V1/x") == "/api/.*"
    # Equal prefix length: the case-sensitive rule wins whatever the order (declaration order
    # used to decide, so a case-insensitive rule declared first shadowed it).
    for order in ((ci, r"/api/.*"), (r"/api/.*", ci)):
        tbl = table(*order)
        sensitive, insensitive = tbl.match("/api/x"), tbl.match("/API/x")
        assert sensitive is not None and insensitive is not None
        assert sensitive.pattern == r"/api/.*" and not sensitive.flagged
        assert insensitive.pattern == r"/api/.*" and insensitive.flagged


@pytest.mark.parametrize("broad", ["/*", r"/.*", ".*", r"/[a-z]+/.*"])
def test_a_broader_rule_does_not_shadow_a_flagged_one_security_issue_item_7(broad: str) -> None:
    """Security issue item 7: a catch-all, declared first or last, never beats a flagged rule."""
    for flagged in (
        re.compile(r"/admin/.*", re.IGNORECASE),
        re.compile("/admin/  # the admin area\n .*", re.VERBOSE),
        "(?i)/admin/.*",
    ):
        for order in ((broad, flagged), (flagged, broad)):
            tbl = table(*order)
            assert covering(tbl, "/admin/x") == _text(flagged)
            assert covering(tbl, "/other/x") == broad


def test_verbose_pattern_matches_what_python_matches_security_issue_item_7() -> None:
    """Security issue item 7: whitespace and comments were read as a literal prefix."""
    spaced = re.compile("/api/ v1", re.VERBOSE)  # no metacharacter at all
    tbl = table("/*", spaced)
    assert covering(tbl, "/api/v1") == "/api/ v1"
    assert covering(tbl, "/api/v1/x") == "/api/ v1"  # re.match: a prefix, as for any regex
    assert covering(tbl, "/api/ v1") == "/*"
    assert spaced.match("/api/ v1") is None
    commented = re.compile(
        r"""
        /reports/     # the reporting area
        [0-9]+        # a report id
        /*
        """,
        re.VERBOSE,
    )
    tbl = table(r"/.*", "/reports/*", commented, "/reports/archive/*")
    assert covering(tbl, "/reports/12") == commented.pattern
    assert covering(tbl, "/reports/x") == "/reports/*"
    assert covering(tbl, "/reports/archive/1") == "/reports/archive/*"


def test_ignorecase_reaches_every_case_variant_python_matches_security_issue_item_7() -> None:
    """Security issue item 7: case variants ``str.lower`` misses are still found."""
    tbl = table("/*", re.compile(r"/s/.*", re.IGNORECASE), re.compile("/k/*", re.IGNORECASE))
    assert covering(tbl, "/\u017f/x") == "/s/.*"  # LATIN SMALL LETTER LONG S
    assert covering(tbl, "/S/x") == "/s/.*"
    assert covering(tbl, "/\u212a/x") == "/k/*"  # KELVIN SIGN
    assert covering(tbl, "/\u212a") == "/k/*"
    assert covering(tbl, "/t/x") == "/*"
    ascii_only = re.compile(r"/s/.*", re.IGNORECASE | re.ASCII)
    assert covering(table("/*", ascii_only), "/\u017f/x") == "/*"  # Python agrees: no match
    assert ascii_only.match("/\u017f/x") is None


def test_multiline_and_dotall_keep_their_prefix_and_python_semantics_security_issue_item_7() -> (
    None
):
    """Security issue item 7: ``^``, ``$`` and ``.`` never belong to a literal prefix."""
    multiline = re.compile(r"^/api$", re.MULTILINE)
    dotall = re.compile(r"/files/.$", re.DOTALL)
    tbl = table(r"/.*", multiline, dotall, "/api/*")
    assert covering(tbl, "/api\nx") == multiline.pattern  # $ before a newline (a decoded %0A)
    assert covering(tbl, "/api") == multiline.pattern
    assert covering(tbl, "/api/x") == "/api/*"
    assert covering(tbl, "/files/\n") == dotall.pattern
    assert covering(tbl, "/files/ab") == r"/.*"
    assert not any(row.flagged for row in tbl.rows)  # indexed by prefix like any other


def test_inline_flags_are_read_like_compiled_ones_security_issue_item_7() -> None:
    """Security issue item 7: ``(?i)`` and ``(?x)`` in a string or a compiled pattern."""
    for pattern in ("(?i)/admin/*", re.compile("(?i)/admin/*"), re.compile("/admin/*", re.I)):
        tbl = table(r"/.*", pattern, "/admin/users/*")
        assert covering(tbl, "/ADMIN/x") == _text(pattern)
        assert covering(tbl, "/admin") == _text(pattern)
        assert covering(tbl, "/adminx") == r"/.*"
        assert covering(tbl, "/admin/users/1") == "/admin/users/*"
    verbose = "(?x) /admin/ v[0-9]+ /*"
    tbl = table("/admin/*", verbose)
    assert covering(tbl, "/admin/v2/x") == verbose
    assert covering(tbl, "/admin/v2x") == "/admin/*"
    # A scoped flag covers its group only, which the literal prefix never reaches: the pattern
    # reads as written (no prefix, ties by declaration order) and is tried for every path.
    scoped = r"(?i:/admin)/.*"
    tbl = table(scoped, "/*", "/admin/*")
    assert covering(tbl, "/ADMIN/x") == scoped
    assert covering(tbl, "/admin/x") == "/admin/*"
    assert covering(table("/*", scoped), "/ADMIN/x") == "/*"


def test_tables_without_flagged_rows_keep_the_indexed_lookup_security_issue_item_7(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Security issue item 7: no flagged row, no extra work: the prefix index and the memo."""
    tbl = table("/*", "/api/*", r"/api/v[0-9]+/users", re.compile(r"/x/.$", re.DOTALL))

    def fail(self: object, path: str) -> None:
        raise AssertionError("the flagged lookup ran for a table without flagged rows")

    monkeypatch.setattr(ResourceTable, "_match_with_flagged", fail)
    assert covering(tbl, "/api/v1/users") == r"/api/v[0-9]+/users"
    assert covering(tbl, "/api/x") == "/api/*"
    assert "/api/x" in memos_of(tbl)["memo"]
    flagged = table("/*", re.compile("/api/.*", re.I))
    monkeypatch.undo()
    assert flagged.match("/API/x") is flagged.match("/API/x")  # memoised too
    assert "/API/x" in memos_of(flagged)["memo"]


def _parsed_literal_run(pattern: re.Pattern[str]) -> str:
    """The literal characters the regex parser puts first in *pattern* (anchors skipped)."""
    run: list[str] = []
    for op, argument in sre_parse.parse(pattern.pattern, pattern.flags):
        name = str(op)
        if name == "LITERAL":
            run.append(chr(argument))
        elif name == "AT" and str(argument) in ("AT_BEGINNING", "AT_BEGINNING_STRING"):
            continue
        else:
            break
    return "".join(run)


_FRAGMENTS = st.sampled_from(
    [
        *("/", "a", "B", "s", "k", " ", "  # note\n", "#c", "\n"),
        *(".", "*", "+", "?", "{2}", r"\+", "[ab]", "(a|b)", "(?i:a)", "$", "^", "|"),
    ]
)
_FLAGS = st.sampled_from(
    [re.IGNORECASE, re.VERBOSE, re.IGNORECASE | re.VERBOSE, re.MULTILINE, re.DOTALL, 0]
)
_INLINE = st.sampled_from(["", "(?i)", "(?x)", "(?ix)", "(?m)", "(?s)", "^"])
_PATHS = st.text(alphabet="/aAbBsSk \u017f\u212a+#\n", max_size=8).map("/".__add__)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inline=_INLINE,
    fragments=st.lists(_FRAGMENTS, max_size=6),
    flags=_FLAGS,
    path=_PATHS,
    data=st.data(),
)
def test_any_flagged_pattern_is_reachable_and_never_over_ranked_security_issue_item_7(
    inline: str, fragments: list[str], flags: int, path: str, data: st.DataObject
) -> None:
    """Security issue item 7, as a property over generated patterns and paths.

    The prefix a row ranks with is never more than what the regex parser reads as the pattern's
    leading literals (in some case, under IGNORECASE), and the row covers a path exactly when
    Python's ``match`` (with the subtree rule for a final ``/*``) says so.
    """
    try:
        pattern = re.compile(inline + "".join(fragments), flags)
    except re.error:
        return
    (row,) = table(pattern).rows
    body = pattern.pattern[:-2] if pattern.pattern.endswith("/*") else pattern.pattern
    run = _parsed_literal_run(re.compile(body, pattern.flags))
    prefix = row.literal_prefix
    assert len(prefix) <= len(run)
    if pattern.flags & re.IGNORECASE:
        assert re.fullmatch(re.escape(prefix), run[: len(prefix)], pattern.flags), (prefix, run)
    else:
        assert run.startswith(prefix), (prefix, run)
    assert row.flagged is bool(pattern.flags & (re.IGNORECASE | re.VERBOSE))
    # A path the pattern matches (drawn from it), and an unrelated one.
    matching = data.draw(st.from_regex(re.compile(body, pattern.flags), fullmatch=True))
    for candidate in (matching, matching + "/x", path):
        if any(segment in (".", "..") for segment in candidate.split("/")):
            continue  # dot segments are resolved before matching: tested elsewhere
        expected = pattern.pattern if reference_matches(pattern, candidate) else None
        assert covering(table(pattern), candidate) == expected, candidate
