"""Coverage-guided fuzzing of flask-crossorigin's request entry points (issue 6).

    python fuzz/fuzz_core.py -max_total_time=60 -rss_limit_mb=2048 fuzz/corpus

Each input is turned, through a FuzzedDataProvider, into the request facts CORS depends on --
``Origin``, ``Access-Control-Request-Method``, ``-Request-Headers``, ``-Request-Private-Network``,
the request method and the path -- and one of the representative policies of
tests/test_fuzz_properties.py. The same facts then go through

* ``Policy.decide`` on a fresh policy, again on it, and on a policy with warm memo caches;
* ``ResourceTable.match`` against a reference resolver of dot segments;
* the Flask app's WSGI entry, on the preflight shortcut and on the hook path;

and every invariant of tests/test_fuzz_properties.py is asserted (the reference matcher and the
checks are imported from there, so the two never drift apart). On top, with the package's logger
at DEBUG, no log line may contain a control character or non-ASCII (log injection). A violation
raises, which libFuzzer reports as a crash and saves as an input file (see fuzz/README.md).

``fuzz/corpus`` holds the small committed seeds and is only read: new corpus entries go to
``build/fuzz/corpus`` and crash files to ``build/fuzz/`` (both ignored by git), unless the
command line names its own. Without atheris the script falls back to a time-bounded
Hypothesis loop over the same checks (it honours ``-max_total_time``).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = HERE / "corpus"
WORK = ROOT / "build" / "fuzz"
sys.path.insert(0, str(ROOT / "tests"))

# --- log lines must stay clean too -------------------------------------------------------------


class _LogCheck(logging.Handler):
    """Collects log lines with control characters or non-ASCII (they would allow log forgery)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.bad: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not all(0x20 <= ord(ch) < 0x7F for ch in message):
            self.bad.append(message)


LOG_CHECK = _LogCheck()
_logger = logging.getLogger("flask_crossorigin")
_logger.addHandler(LOG_CHECK)
_logger.setLevel(logging.DEBUG)
_logger.propagate = False  # keep the fuzzer's output readable

try:
    if os.environ.get("FUZZ_NO_ATHERIS"):  # to exercise the fallback
        raise ImportError("FUZZ_NO_ATHERIS is set")
    import atheris
except ImportError as exc:  # pragma: no cover - depends on the machine
    atheris = None
    ATHERIS_ERROR: BaseException | None = exc
else:
    ATHERIS_ERROR = None

if atheris is not None:
    # Only the package under test is instrumented; Flask and Werkzeug would slow every run.
    with atheris.instrument_imports(include=["flask_crossorigin"]):
        import test_fuzz_properties as props
else:  # pragma: no cover
    import test_fuzz_properties as props

from flask_crossorigin.policy import RequestFacts  # noqa: E402  (after instrumentation)

# --- turning bytes into request facts ----------------------------------------------------------

SCENARIOS = props.SCENARIOS
TRICKS = [*props.WELL_FORMED_TRICKS, *props.BROKEN_TRICKS]
VERBS = ["OPTIONS", "OPTIONS", "OPTIONS", "GET", "POST", "PUT", "HEAD", "DELETE", "options"]
METHOD_SEEDS = ["GET", "PUT", "DELETE", "PATCH", "patch", "PROPFIND", "HEAD", "POST", "OPTIONS"]
METHOD_SEEDS += ["*", "", "put", "P UT", "PUT,GET", "M-SEARCH"]
HEADER_SEEDS = [*props.PLAIN_NAMES, "Authorization", "x-custom-1", "*", "", " ", "x a", "x-\xe4"]
PNA_SEEDS = props.PNA_VALUES
PATH_SEEDS = [*props.ROUTES, "/api", "/api/admin", "/", "/Case/x", "/CI/x", "/ci", "/pub"]
PATH_SEEDS += ["/public", "/api/../x", "//api/items", "/api/%2e%2e/x", "/api/a+b", "api"]
SEPARATORS = [",", ", ", " ,", ",\t", ",,", ",\r\n", "\r\n"]
HUGE = 16384


class _Bytes:
    """The few FuzzedDataProvider methods used here, for the fallback without atheris."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def ConsumeIntInRange(self, low: int, high: int) -> int:
        span = high - low
        if span <= 0 or not self.data:
            return low
        width = (span.bit_length() + 7) // 8
        chunk, self.data = self.data[:width], self.data[width:]
        return low + int.from_bytes(chunk, "little") % (span + 1)

    def ConsumeBytes(self, count: int) -> bytes:
        chunk, self.data = self.data[:count], self.data[count:]
        return chunk


def _pick(fdp: Any, values: list[str] | tuple[str, ...]) -> str:
    return values[fdp.ConsumeIntInRange(0, len(values) - 1)]


def _text(fdp: Any, seeds: list[str] | tuple[str, ...], *, tricks: bool = False) -> str | None:
    """None, a seed, raw latin-1 bytes, a seed with bytes spliced in, a value up to 16 KiB, a
    list of up to 400 items, or (for origins) a seed bent by one to three near-miss tricks."""
    mode = fdp.ConsumeIntInRange(0, 6 if tricks else 5)
    if mode == 0:
        return None
    if mode == 1:
        return _pick(fdp, seeds)
    if mode == 6:
        value = _pick(fdp, seeds)
        for _ in range(fdp.ConsumeIntInRange(1, 3)):
            value = _pick_trick(fdp)(value, fdp.ConsumeIntInRange(0, 65535))
        return value
    raw = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 48)).decode("latin-1")
    if mode == 2:
        return raw
    if mode == 3:
        seed = _pick(fdp, seeds)
        at = fdp.ConsumeIntInRange(0, len(seed))
        return seed[:at] + raw + seed[at:]
    if mode == 4:
        piece = raw or _pick(fdp, seeds) or "a"
        return (piece * fdp.ConsumeIntInRange(1, HUGE // len(piece) + 1))[:HUGE]
    count = fdp.ConsumeIntInRange(0, 400)
    items = [_pick(fdp, seeds) for _ in range(fdp.ConsumeIntInRange(1, 4))] + ([raw] if raw else [])
    return _pick(fdp, SEPARATORS).join((items * count)[:count])


def _pick_trick(fdp: Any) -> Any:
    return TRICKS[fdp.ConsumeIntInRange(0, len(TRICKS) - 1)]


def decode(data: bytes) -> tuple[props.Scenario, RequestFacts]:
    fdp = atheris.FuzzedDataProvider(data) if atheris is not None else _Bytes(data)
    scenario = SCENARIOS[fdp.ConsumeIntInRange(0, len(SCENARIOS) - 1)]
    origin_seeds = (*scenario.samples, *props.SEED_ORIGINS)
    facts = RequestFacts(
        method=_pick(fdp, VERBS),
        origin=_text(fdp, origin_seeds, tricks=True),
        request_method=_text(fdp, METHOD_SEEDS),
        request_headers=_text(fdp, HEADER_SEEDS),
        request_private_network=_text(fdp, PNA_SEEDS),
        path=_text(fdp, PATH_SEEDS) or "/",
    )
    return scenario, facts


def check(scenario: props.Scenario, facts: RequestFacts) -> None:
    """Every invariant, for one set of facts; raises AssertionError on a violation."""
    del LOG_CHECK.bad[:]
    props.check_core(scenario, facts)
    if facts.path.startswith("/"):  # Werkzeug always hands the core such a path
        for name in props.TABLES:
            props.check_resources(name, facts.path)
    props.check_adapter(scenario, facts)
    assert not LOG_CHECK.bad, f"unsafe log line: {LOG_CHECK.bad[0][:300]!r}"


def TestOneInput(data: bytes) -> None:
    scenario, facts = decode(data)
    try:
        check(scenario, facts)
    except BaseException:
        sys.stderr.write(f"\npolicy: {scenario.name}\nfacts: {facts!r}\n")
        raise


# --- command line ------------------------------------------------------------------------------


def libfuzzer_argv(argv: list[str]) -> list[str]:
    """Keep the committed seed directory read-only and put artifacts under build/fuzz/."""
    args = list(argv)
    positional = [i for i, arg in enumerate(args) if i and not arg.startswith("-")]
    if any(Path(args[i]).resolve() == SEEDS for i in positional):
        work_corpus = WORK / "corpus"
        work_corpus.mkdir(parents=True, exist_ok=True)
        args.insert(positional[0], str(work_corpus))  # libFuzzer writes to the first directory
    if not any(arg.startswith("-artifact_prefix=") for arg in args):
        WORK.mkdir(parents=True, exist_ok=True)
        args.insert(1, f"-artifact_prefix={WORK}{os.sep}")
    return args


def fallback(argv: list[str]) -> int:
    """Without atheris: replay the given inputs, then Hypothesis batches until the time is up."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    print(f"atheris unavailable ({ATHERIS_ERROR!r}); Hypothesis fallback", file=sys.stderr)
    seconds = 60.0
    for arg in argv[1:]:
        if arg.startswith("-max_total_time="):
            seconds = float(arg.split("=", 1)[1])
    replayed = 0
    for arg in argv[1:]:
        if arg.startswith("-"):
            continue
        path = Path(arg)
        for file in sorted(path.iterdir()) if path.is_dir() else [path]:
            if file.is_file():
                TestOneInput(file.read_bytes())
                replayed += 1

    examples = 0

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data(), path=props.adapter_paths)
    def batch(data: st.DataObject, path: str) -> None:
        nonlocal examples
        scenario = data.draw(st.sampled_from(SCENARIOS), label="policy")
        facts = data.draw(props.request_facts(scenario), label="facts")
        check(scenario, facts._replace(path=path))
        examples += 1

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        batch()
    elapsed = time.monotonic() - started
    print(
        f"fallback done: {replayed} inputs replayed, {examples} examples in {elapsed:.0f} s "
        f"({examples / max(elapsed, 1e-9):.0f}/s), no violation",
        file=sys.stderr,
    )
    return 0


def main() -> int:
    if atheris is None:  # pragma: no cover
        return fallback(sys.argv)
    atheris.Setup(libfuzzer_argv(sys.argv), TestOneInput)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
