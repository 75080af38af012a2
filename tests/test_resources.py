"""Unit tests of the resource table (``resources.py``): path patterns -> policies, no Flask."""

import re

import pytest

from flask_crossorigin._memo import memos_of
from flask_crossorigin.errors import ConfigError
from flask_crossorigin.resources import ResourceTable, literal_prefix, normalise_path


def table(*patterns):
    """A table whose value for each pattern is the pattern's own text."""
    return ResourceTable(
        [(p, p.pattern if isinstance(p, re.Pattern) else p, f"resource {p!r}") for p in patterns]
    )


def covering(tbl, path):
    row = tbl.match(path)
    return None if row is None else row.value


# -- subtrees ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "covered"),
    [
        ("/api", True),
        ("/api/", True),
        ("/api/x", True),
        ("/api/x/y", True),
        ("/apiary", False),
        ("/api-v2/x", False),
        ("/ap", False),
        ("/", False),
        ("", False),
        ("/x/api/y", False),
        ("/API/x", False),  # case-sensitive
        ("/Api", False),
    ],
)
def test_subtree_pattern(path, covered):
    assert (covering(table("/api/*"), path) == "/api/*") is covered


def test_root_subtree_covers_everything():
    tbl = table("/*")
    for path in ("/", "/x", "/api/x/y", "/apiary"):
        assert covering(tbl, path) == "/*"


def test_regex_subtree_respects_segment_boundary():
    tbl = table(r"/api/v[0-9]+/*")
    assert covering(tbl, "/api/v1") == r"/api/v[0-9]+/*"
    assert covering(tbl, "/api/v12/users") == r"/api/v[0-9]+/*"
    assert covering(tbl, "/api/v1x/users") is None
    assert covering(tbl, "/api/v/users") is None


# -- regex patterns -----------------------------------------------------------------------------


def test_regex_patterns_match_from_the_start_of_the_path():
    tbl = table(r"/api/v[0-9]+/users")
    assert covering(tbl, "/api/v1/users") == r"/api/v[0-9]+/users"
    assert covering(tbl, "/api/v12/users/5") == r"/api/v[0-9]+/users"  # re.match: a prefix
    assert covering(tbl, "/x/api/v1/users") is None  # never a search
    assert covering(tbl, "/api/vx/users") is None


def test_anchored_regex():
    tbl = table(r"^/api/users$")
    assert covering(tbl, "/api/users") == r"^/api/users$"
    assert covering(tbl, "/api/users/1") is None
    assert covering(tbl, "/api/user") is None


def test_compiled_pattern_is_used_as_is():
    tbl = table(re.compile(r"/items/\d+$"))
    assert covering(tbl, "/items/42") == r"/items/\d+$"
    assert covering(tbl, "/items/42/x") is None
    assert covering(tbl, "/items/") is None


def test_ignorecase_pattern_works():
    tbl = table(re.compile(r"/ci/.*", re.IGNORECASE))
    assert covering(tbl, "/ci/x") == "/ci/.*"
    assert covering(tbl, "/CI/X") == "/ci/.*"
    assert covering(tbl, "/Ci/x") == "/ci/.*"
    assert covering(tbl, "/cx/x") is None


def test_ignorecase_pattern_is_not_shadowed_by_a_catch_all():
    # The module promises that a catch-all never shadows a specific rule whatever the
    # declaration order; an IGNORECASE rule is specific too.
    tbl = table("/*", re.compile(r"/ci/.*", re.IGNORECASE))
    assert covering(tbl, "/CI/x") == "/ci/.*"
    assert covering(tbl, "/ci/x") == "/ci/.*"
    assert covering(tbl, "/other") == "/*"


def test_ignorecase_pattern_with_upper_case_literal_and_specificity():
    tbl = table("/*", re.compile(r"/API/*", re.IGNORECASE), "/api/v1/*")
    assert covering(tbl, "/api/x") == "/API/*"
    assert covering(tbl, "/Api") == "/API/*"
    assert covering(tbl, "/apiary") == "/*"
    assert covering(tbl, "/api/v1/x") == "/api/v1/*"  # longer literal prefix still wins
    assert covering(tbl, "/API/V1/x") == "/API/*"  # the case-sensitive rule does not match


def test_invalid_regex_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        ResourceTable([(r"/api/(v1", "value", "CORS(resources=...)")])
    message = str(info.value)
    assert message.startswith("CORS(resources=...)")
    assert "'/api/(v1'" in message
    assert "r'/api/*'" in message
    with pytest.raises(ConfigError):
        ResourceTable([(r"/api/[/*", "value", "label")])


# -- specificity --------------------------------------------------------------------------------


@pytest.mark.parametrize("reverse", [False, True])
def test_longest_literal_prefix_wins_regardless_of_order(reverse):
    patterns = ["/*", "/api/*", "/api/v1/*", r"/api/v1/users/\d+", ".*"]
    tbl = table(*(reversed(patterns) if reverse else patterns))
    assert covering(tbl, "/api/v1/users/7") == r"/api/v1/users/\d+"
    assert covering(tbl, "/api/v1/users/x") == "/api/v1/*"
    assert covering(tbl, "/api/v1") == "/api/v1/*"
    assert covering(tbl, "/api/v2") == "/api/*"
    assert covering(tbl, "/apiary") in ("/*", ".*")
    assert covering(tbl, "/") in ("/*", ".*")


def test_equal_prefix_falls_back_to_declaration_order():
    assert covering(table("/api/*", r"/api(/.*)?"), "/api/x") == "/api/*"
    assert covering(table(r"/api(/.*)?", "/api/*"), "/api/x") == r"/api(/.*)?"
    assert covering(table("/*", ".*"), "/x") == "/*"
    assert covering(table(".*", "/*"), "/x") == ".*"


@pytest.mark.parametrize("catch_all", ["/*", ".*", r"/.*", re.compile(".*")])
def test_catch_all_never_shadows(catch_all):
    tbl = table(catch_all, "/api/*", "/static/*")
    assert covering(tbl, "/api/x") == "/api/*"
    assert covering(tbl, "/static") == "/static/*"
    shown = catch_all.pattern if isinstance(catch_all, re.Pattern) else catch_all
    assert covering(tbl, "/elsewhere") == shown


def test_no_match_is_none():
    assert table("/api/*").match("/public") is None
    assert len(table("/api/*", "/x/*")) == 2


# -- path normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "normalised"),
    [
        ("/api/x", "/api/x"),
        ("/api/../admin", "/admin"),
        ("/public/../api/x", "/api/x"),
        ("/api/./x", "/api/x"),
        ("/api/x/..", "/api/"),
        ("/api/x/.", "/api/x/"),
        ("/../../api", "/api"),
        ("/a/b/../../c", "/c"),
        ("/api/%2e%2e/admin", "/api/%2e%2e/admin"),  # decoded once by the server, never again
        ("/api/%252e%252e/admin", "/api/%252e%252e/admin"),
        ("/api/.../x", "/api/.../x"),
        ("/api/..x/y", "/api/..x/y"),
        ("/a+b", "/a+b"),
    ],
)
def test_normalise_path(path, normalised):
    assert normalise_path(path) == normalised


def test_dot_segments_are_resolved_before_matching():
    tbl = table("/api/*", "/admin/*")
    assert covering(tbl, "/api/../admin") == "/admin/*"
    assert covering(tbl, "/api/../admin/users") == "/admin/*"
    assert covering(tbl, "/public/../api/x") == "/api/*"
    assert covering(tbl, "/api/./x") == "/api/*"
    assert covering(table("/api/*"), "/api/../admin") is None


def test_no_second_percent_decoding():
    tbl = table("/api/*", "/admin/*")
    assert covering(tbl, "/api/%2e%2e/admin") == "/api/*"
    assert covering(tbl, "/api/%252e%252e/admin") == "/api/*"
    assert covering(tbl, "/%61dmin/x") is None  # '%61' is not 'a'
    assert covering(tbl, "/api%2f..%2fadmin") is None


def test_plus_is_literal():
    tbl = table(r"/a\+b/*", "/a b/*")
    assert covering(tbl, "/a+b/c") == r"/a\+b/*"
    assert covering(tbl, "/a b/c") == "/a b/*"
    assert covering(tbl, "/aab/c") is None


# -- the memo -----------------------------------------------------------------------------------


def test_memo_is_bounded_and_answers_stay_correct():
    tbl = table("/*", "/api/*", r"/api/v[0-9]+/users")
    total = memos_of(tbl)["memo"].entries + 1500
    for i in range(total):
        path = f"/api/v{i}/users" if i % 2 else f"/api/x{i}"
        expected = r"/api/v[0-9]+/users" if i % 2 else "/api/*"
        assert covering(tbl, path) == expected
        memo = memos_of(tbl)["memo"]
        assert len(memo) <= memo.entries
    for i in range(0, total, 97):
        assert covering(tbl, f"/api/v{i}/users") == r"/api/v[0-9]+/users"
        assert covering(tbl, f"/other{i}") == "/*"
        assert covering(tbl, f"/api/v{i}/../../x") == "/*"


def test_same_path_twice_same_row():
    tbl = table("/api/*")
    assert tbl.match("/api/x") is tbl.match("/api/x")
    assert tbl.match("/apiary") is None
    assert tbl.match("/apiary") is None


# -- literal prefixes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        ("/api", "/api"),
        ("^/api", "/api"),
        (r"/api/v[0-9]+/users", "/api/v"),
        ("/api/v1?", "/api/v"),  # a quantified character is optional
        ("/a+b", "/"),
        ("/a*", "/"),
        ("/a{2}", "/"),
        ("/a.b", "/a"),
        (r"/static/\d+", "/static/"),
        ("/files/(.*)", "/files/"),
        ("/x|/y", ""),  # alternation: no common prefix
        ("/a/(b|c)", ""),
        (".*", ""),
        ("", ""),
    ],
)
def test_literal_prefix(pattern, prefix):
    assert literal_prefix(pattern) == prefix
    # Every match of the pattern starts with its literal prefix.
    sample = {"/a/(b|c)": "/a/b", "/x|/y": "/y", "/a+b": "/aab"}.get(pattern)
    if sample is not None:
        assert re.match(pattern, sample) and sample.startswith(prefix)
