"""The refusal memory and value escaping behind ``log_refusals`` and ``cors_refused``."""

from __future__ import annotations

import threading

from flask_crossorigin._reporting import CAPACITY, VALUE_LIMIT, WINDOW, RefusalMemory, escape_value


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_defaults_are_ten_minutes_and_a_thousand_keys() -> None:
    assert WINDOW == 600.0
    assert CAPACITY == 1000


def test_a_key_is_reported_once_per_window() -> None:
    clock = FakeClock()
    memory = RefusalMemory(clock=clock)
    key = ("https://evil.example", "origin_not_allowed", "resource '/api/*'")
    assert memory.first_in_window(key)
    clock.now += 599
    assert not memory.first_in_window(key)
    clock.now += 1
    assert memory.first_in_window(key)  # the window has passed: report again
    assert not memory.first_in_window(key)


def test_keys_are_independent() -> None:
    memory = RefusalMemory(clock=FakeClock())
    assert memory.first_in_window(("a", "origin_not_allowed", "p"))
    assert memory.first_in_window(("a", "method_not_allowed", "p"))
    assert memory.first_in_window(("a", "origin_not_allowed", "q"))
    assert memory.first_in_window(("b", "origin_not_allowed", "p"))
    assert len(memory) == 4


def test_memory_is_bounded_and_forgets_the_oldest_first() -> None:
    clock = FakeClock()
    memory = RefusalMemory(capacity=3, clock=clock)
    for name in "abc":
        clock.now += 1
        assert memory.first_in_window(name)
    clock.now += 1
    assert memory.first_in_window("d")  # "a" is forgotten
    assert len(memory) == 3
    assert not memory.first_in_window("b")
    assert not memory.first_in_window("c")
    assert not memory.first_in_window("d")
    assert memory.first_in_window("a")  # forgotten, so reported again; now "b" goes
    assert memory.first_in_window("b")


def test_a_flood_of_distinct_keys_never_grows_past_capacity() -> None:
    memory = RefusalMemory(clock=FakeClock())
    for i in range(5000):
        memory.first_in_window(f"https://{i}.example")
    assert len(memory) == CAPACITY


def test_threads_report_a_key_once() -> None:
    memory = RefusalMemory()
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(memory.first_in_window("same"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1


def test_escape_value_leaves_ordinary_origins_alone() -> None:
    assert escape_value("https://app.example.com:8443") == "https://app.example.com:8443"


def test_escape_value_escapes_controls_non_ascii_and_quotes_without_surrounding_quotes() -> None:
    assert escape_value('https://a.example\r\nX: "y"') == 'https://a.example\\r\\nX: \\"y\\"'
    assert escape_value("https://bücher.example") == "https://b\\xfccher.example"
    assert escape_value("back\\slash") == "back\\\\slash"


def test_escape_value_is_cut_to_the_limit_without_splitting_an_escape() -> None:
    assert VALUE_LIMIT == 200
    assert escape_value("a" * 500) == "a" * 200
    value = "a" * 198 + "\x00" + "b"  # the escape of \x00 takes four characters
    escaped = escape_value(value)
    assert escaped == "a" * 198
    assert len(escape_value("\x01" * 100)) == 200
    assert escape_value("\x01" * 100) == "\\x01" * 50
