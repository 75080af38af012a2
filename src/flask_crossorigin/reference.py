"""Look up any id this package prints, in the documentation shipped inside the package.

Messages, logs and CLI output name things by stable ids: a browser-side reason
(``acao_missing``), a server refusal reason (``origin_not_allowed``), a configuration error code
(``cors.E012``) or a Fetch rule (``F16``, ``F13.3``). Their explanations live in the docs pages
(reasons.md, errors.md, fetch-rules.md), and there is no published docs site to link to. So
the pages themselves travel inside the package, as ``flask_crossorigin/_docs/*.md`` (copied
from the repository's ``docs/`` when the wheel is built, by setup.py, so there is one source of
truth), and :func:`explain_id` reads an id's entry from them; ``flask cors explain ID`` prints
it. Whole pages (the options reference, migrating from flask-cors, ...) are read by
:func:`page`, printed by ``flask cors explain --page NAME``.

Standard library only, like the rest of the core: the lookup works without an app.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = ["KINDS", "DocEntry", "UnknownIdError", "all_ids", "explain_id", "page", "pages"]

#: The kinds of id, in the order ``--list`` shows them, with the page that documents each.
KINDS: dict[str, str] = {
    "browser reason": "reasons.md",
    "server reason": "reasons.md",
    "error code": "errors.md",
    "fetch rule": "fetch-rules.md",
}

_SERVER_ENTRY = re.compile(
    r"^\(server-(?P<id>[a-z_]+)\)=\n### `(?P=id)`\n(?P<body>.*?)(?=^\([\w-]+\)=$|\Z)", re.M | re.S
)
_BROWSER_ROW = re.compile(
    r"^\| `(?P<id>[a-z_]+)` \| (?P<stage>[^|]+) \| (?P<rule>[^|]+) \| (?P<meaning>[^|]+) \| "
    r"(?P<fix>[^|]+) \|$",
    re.M,
)
_ERROR_ENTRY = re.compile(r"^## `(?P<id>cors\.E\d{3})`\n(?P<body>.*?)(?=^#|\Z)", re.M | re.S)
_RULE_ENTRY = re.compile(
    r"^\(f\d+\)=\n### (?P<id>F\d+): (?P<title>[^\n]+)\n(?P<body>.*?)(?=^\([\w-]+\)=$|^#|\Z)",
    re.M | re.S,
)
_SUB_RULE = re.compile(r"^F(\d+)\.\d+$")


class DocEntry(NamedTuple):
    """One documented id: what kind it is, the page it is on and that entry's text."""

    id: str
    kind: str
    page: str
    text: str

    def render(self) -> str:
        """The entry as ``flask cors explain`` prints it: a title line, then the docs' text."""
        return f"{self.id} ({self.kind}, {self.page})\n\n{self.text}"


class UnknownIdError(LookupError):
    """No page documents the id; :attr:`suggestion` is the closest id that exists."""

    def __init__(self, wanted: str, suggestion: str, what: str = "id") -> None:
        self.wanted, self.suggestion = wanted, suggestion
        super().__init__(
            f"no documented {what} {wanted!r}; did you mean {suggestion!r}? "
            f"('flask cors explain --list' shows every {what})"
        )


class DocsMissingError(FileNotFoundError):
    """This installation carries no documentation pages (a build that skipped copying them)."""


def _docs_dir() -> Traversable:
    """Where the pages are: in the installed package, or in the checkout of an editable install.

    A wheel (or an install from the sdist) carries the pages in ``_docs``. An editable install
    runs the package from ``src/``, where they are not, and reads the checkout's ``docs/``
    instead: the same files, so both forms show the same text.
    """
    shipped = files("flask_crossorigin") / "_docs"
    if shipped.is_dir():
        return shipped
    checkout = Path(__file__).resolve().parents[2] / "docs"
    if (checkout / "reasons.md").is_file():
        return checkout
    raise DocsMissingError(
        f"the documentation pages are not installed with flask_crossorigin (looked in "
        f"{shipped} and {checkout}). Reinstall it from a wheel or the sdist "
        "(pip install --force-reinstall flask-crossorigin), or read docs/ in its source."
    )


def _read_page(name: str) -> str:
    return (_docs_dir() / name).read_text(encoding="utf-8")


def _clean(text: str) -> str:
    """Strip MyST labels and surrounding blank lines; the Markdown itself reads well as text."""
    lines = [line for line in text.strip().splitlines() if not re.match(r"^\([\w-]+\)=$", line)]
    return re.sub(r'<span id="[\w-]+"></span>', "", "\n".join(lines)).strip()


@lru_cache(maxsize=1)
def _entries() -> tuple[DocEntry, ...]:
    entries: list[DocEntry] = []
    reasons = _read_page("reasons.md")
    server, _, browser = reasons.partition("(browser-reasons)=")
    for row in _BROWSER_ROW.finditer(browser):
        rule = row["rule"].strip()
        rule_text = f"; rule {rule}" if rule not in ("", "\u2013", "-") else ""
        text = (
            f"Stage: {row['stage'].strip()}{rule_text}.\n\n"
            f"{textwrap.fill(row['meaning'].strip(), 96)}\n\n"
            f"{textwrap.fill('Fix: ' + row['fix'].strip(), 96)}"
        )
        entries.append(DocEntry(row["id"], "browser reason", "reasons.md", text))
    for match in _SERVER_ENTRY.finditer(server):
        entries.append(DocEntry(match["id"], "server reason", "reasons.md", _clean(match["body"])))
    for match in _ERROR_ENTRY.finditer(_read_page("errors.md")):
        entries.append(DocEntry(match["id"], "error code", "errors.md", _clean(match["body"])))
    for match in _RULE_ENTRY.finditer(_read_page("fetch-rules.md")):
        text = f"{match['title'].strip()}\n\n{_clean(match['body'])}"
        entries.append(DocEntry(match["id"], "fetch rule", "fetch-rules.md", text))
    return tuple(entries)


def all_ids() -> dict[str, list[str]]:
    """Every documented id, by kind (the keys of :data:`KINDS`), in the order of its page."""
    ids: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for entry in _entries():
        ids[entry.kind].append(entry.id)
    return ids


def _normalize(wanted: str) -> str:
    """Accept ids as people type them: ``E012`` or ``CORS.e012``, ``f16``, `` acao_missing ``."""
    text = wanted.strip().strip("`")
    if re.fullmatch(r"(?i)(cors\.)?e\d{3}", text):
        return "cors.E" + text[-3:]
    if re.fullmatch(r"(?i)f\d+(\.\d+)?", text):
        return text.upper()
    return text.lower()


def explain_id(wanted: str) -> list[DocEntry]:
    """The documented entries for *wanted*, whatever kind of id it is.

    Usually one entry. ``method_not_allowed`` and ``header_not_allowed`` name both a browser
    reason and a server refusal reason (the two sides of the same refusal), and both come back.
    A step of a rule (``F13.3``) resolves to its rule's entry. An id nothing documents raises
    :class:`UnknownIdError` carrying the closest id there is.
    """
    key = _normalize(wanted)
    sub_rule = _SUB_RULE.match(key)
    if sub_rule:
        key = f"F{sub_rule.group(1)}"
    found = [entry for entry in _entries() if entry.id == key]
    if found:
        return found
    known = sorted({entry.id for entry in _entries()})
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.0)
    raise UnknownIdError(wanted, close[0] if close else known[0])


def pages() -> dict[str, str]:
    """Every documentation page shipped with the package: its name (``options``), its title."""
    found: dict[str, str] = {}
    for item in sorted(_docs_dir().iterdir(), key=lambda item: item.name):
        if item.name.endswith(".md"):
            first = item.read_text(encoding="utf-8").splitlines()[0]
            found[item.name[: -len(".md")]] = first.lstrip("# ").strip()
    return found


def page(name: str) -> str:
    """The text of the page *name* (``options``, ``migrating``, or ``options.md``), or of one
    entry of it, ``migrating#regex-whole-match`` (the stable ids ``flask cors compare`` cites).

    Raises :class:`UnknownIdError` with the closest page name when there is no such page.
    """
    wanted, _, anchor = name.strip().partition("#")
    key = re.sub(r"\.md$", "", wanted.lower())
    known = pages()
    if key not in known:
        close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.0)
        raise UnknownIdError(key, close[0] if close else sorted(known)[0], what="page")
    text = _read_page(f"{key}.md")
    if not anchor:
        return _clean(text)
    found = _anchored(text, anchor)
    if found is None:
        ids = [label or span for label, span in _ANCHOR.findall(text)] or [""]
        close = difflib.get_close_matches(anchor, ids, n=1, cutoff=0.0)
        raise UnknownIdError(f"{key}#{anchor}", f"{key}#{(close or ids)[0]}", what="page entry")
    return _clean(found)


#: A stable entry id in a page: a MyST label line, or an empty span at the start of an item.
_ANCHOR = re.compile(r'^\(([\w-]+)\)=$|<span id="([\w-]+)"></span>', re.MULTILINE)


def _anchored(text: str, anchor: str) -> str | None:
    """The entry of *text* that carries the id *anchor*: a labelled section (up to the next
    heading of its level or above) or a list item (with its continuation lines)."""
    lines = text.splitlines()
    span = f'<span id="{anchor}"></span>'
    for number, line in enumerate(lines):
        if span in line:
            indent = len(line) - len(line.lstrip())
            kept = [line.replace(span, "")]
            for following in lines[number + 1 :]:
                if following.strip() and len(following) - len(following.lstrip()) <= indent:
                    break
                kept.append(following)
            return "\n".join(kept)
        if line.strip() == f"({anchor})=":
            rest = [item for item in lines[number + 1 :] if item.strip()][:1]
            heading = rest[0] if rest else ""
            level = len(heading) - len(heading.lstrip("#"))
            start = lines.index(heading, number) if heading else len(lines)
            kept = lines[start : start + 1]
            for following in lines[start + 1 :]:
                marks = len(following) - len(following.lstrip("#"))
                if 0 < marks <= level and following[marks : marks + 1] == " ":
                    break
                kept.append(following)
            return "\n".join(kept)
    return None
