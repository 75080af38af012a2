"""The captured table of each engine's console lines (``flask_crossorigin._engine_messages``)
still says what the engines say.

Every scenario of capture_messages.py is triggered again in every engine, for each table of the
module (the actual-stage ``MESSAGES``, and the preflight-stage ``PREFLIGHT_MESSAGES`` and
``PREFLIGHT_NOT_OK_MESSAGES``): the line the engine prints now, with its values replaced by
placeholders, must be the stored template, and a reason the engine prints no line of its own for
must have no entry. When an engine's wording changes (a new Chromium in Debian, say), this
fails: rerun ``tests/browser/capture_messages.py``.
"""

from __future__ import annotations

import re

import pytest

from flask_crossorigin import _engine_messages
from flask_crossorigin.browser import REASONS

from .capture_messages import TABLES, Scenario, trigger
from .harness import ENGINES, Browser

pytestmark = pytest.mark.browser

REGENERATE = "rerun .venv/bin/python tests/browser/capture_messages.py"

CASES = [
    pytest.param(name, scenario, id=f"{name}-{scenario.reason}")
    for name, (_, scenarios) in TABLES.items()
    for scenario in scenarios
]


def _table(name: str) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = getattr(_engine_messages, name)
    return table


@pytest.mark.parametrize(("table", "scenario"), CASES)
def test_the_engine_still_prints_the_stored_line(
    browser: Browser, table: str, scenario: Scenario
) -> None:
    reason = scenario.reason
    captured = trigger(browser, scenario)
    stored = _table(table).get(reason, {}).get(browser.engine)
    why = (
        f"\n{browser.version} (table: {_engine_messages.VERSIONS.get(browser.engine)}) printed "
        f"{captured.lines} for {table}[{reason!r}]; the table has {stored!r}: {REGENERATE}"
    )
    if stored is not None:
        assert captured.blocked, "the engine no longer blocks this:" + why
    assert captured.template == stored, why


def test_the_table_has_its_documented_shape() -> None:
    assert _engine_messages.ENGINES == ENGINES
    assert set(_engine_messages.VERSIONS) == set(ENGINES)
    for name, (_, scenarios) in TABLES.items():
        assert name in (_engine_messages.__doc__ or ""), f"{name} is not documented"
        reasons = {scenario.reason for scenario in scenarios}
        for reason, by_engine in _table(name).items():
            assert reason in REASONS, f"{reason} is no browser reason id"
            assert reason in reasons, f"{name}[{reason!r}] has no scenario to check it with"
            assert set(by_engine) <= set(ENGINES), by_engine
            for template in by_engine.values():
                names = set(re.findall(r"\{([a-z]+)\}", template))
                assert names <= {"url", "origin", "value", "method", "header", "status"}, template
                assert "localhost:" not in template and "127.0.0.1" not in template, template
