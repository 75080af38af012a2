"""In-process WSGI benchmark: CORS overhead of flask-crossorigin vs flask-cors vs bare Flask.

Each implementation's Flask app is called directly as a WSGI callable with a prebuilt environ
(copied per request), a trivial start_response, and the body iterable consumed and closed. All
(scenario, implementation) cases are interleaved round by round, in a shuffled order, in one
process; the reported figure per case is the median over rounds of the mean time per request in
that round's batch. Responses are checked (every one in a warm-up pass, then the last one of every
timed batch), and a check failure aborts the run.

    python benchmarks/bench_wsgi.py [--quick] [--json out.json] [--scenario PATTERN]...

Views return a str, a ``(body, status, headers)`` tuple, a dict or a Response, depending on the
scenario (bench_apps.RETURN_TYPES); the floor is one after_request hook, or a hand-written
decorator for ``@cross_origin`` used alone.

See benchmarks/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_apps import (
    ALL_IMPLS,
    BARE,
    CROSSORIGIN,
    FLASK_CORS,
    FLOOR,
    CheckFailure,
    HeaderList,
    Impl,
    Scenario,
    WSGIApp,
    WSGIEnviron,
    build_app,
    check_response,
    load_impls,
    scenarios,
    select_scenarios,
)

# Targets from the issue.
ORDINARY_RATIO_LIMIT = 0.15  # flask-crossorigin overhead <= 0.15 x flask-cors overhead
PREFLIGHT_RATIO_LIMIT = 0.5  # whole preflight <= 0.5 x bare Flask answering the same OPTIONS
SCALING_FACTOR = 1.2  # overhead(N) <= 1.2 x overhead(1) + 1 us
SCALING_SLACK_US = 1.0

NOISY_IQR_PCT = 15.0  # above this median IQR, the run is flagged as noisy
FULL_CHECKS = 20  # requests checked one by one per case before any timing


def _write(_data: bytes) -> None:
    return None


class Sink:
    """start_response that only remembers the last status line and header list."""

    __slots__ = ("headers", "status")

    def __init__(self) -> None:
        self.status = ""
        self.headers: HeaderList = []

    def start_response(
        self, status: str, headers: HeaderList, exc_info: Any | None = None
    ) -> Callable[[bytes], None]:
        self.status = status
        self.headers = headers
        return _write


@dataclass
class Case:
    impl: Impl
    scenario: Scenario
    app: WSGIApp
    environ: WSGIEnviron
    sink: Sink = field(default_factory=Sink)
    batch: int = 0
    samples_ns: list[float] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.scenario.name, self.impl.name)

    def request(self) -> None:
        """One request, outside timing, then check the response."""
        iterable = self.app(self.environ.copy(), self.sink.start_response)
        try:
            for _chunk in iterable:
                pass
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        self.check()

    def check(self) -> None:
        check_response(self.impl, self.scenario, self.sink.status, self.sink.headers)

    def timed_batch(self, n: int, clock: Callable[[], int] = time.perf_counter_ns) -> int:
        """Run n requests back to back; return the elapsed nanoseconds. GC is off meanwhile."""
        app = self.app
        copy = self.environ.copy
        start_response = self.sink.start_response
        gc.collect()
        gc.disable()
        try:
            t0 = clock()
            for _ in range(n):
                iterable = app(copy(), start_response)
                for _chunk in iterable:
                    pass
                close = getattr(iterable, "close", None)
                if close is not None:
                    close()
            t1 = clock()
        finally:
            gc.enable()
        return t1 - t0


@dataclass(frozen=True)
class Stat:
    """One case's samples, summarised; the paired figures compare each round with bare's."""

    median_us: float
    q1_us: float
    q3_us: float
    paired_overhead_us: float = 0.0  # median over rounds of (this - bare in the same round)
    paired_ratio: float = 1.0  # median over rounds of (this / bare in the same round)

    @property
    def spread_pct(self) -> float:
        return 100.0 * (self.q3_us - self.q1_us) / self.median_us if self.median_us else 0.0


@dataclass
class TargetResult:
    name: str
    measured: str
    limit: str
    ok: bool | None  # None: could not be evaluated here
    paired: str = ""  # the same figure from paired per-round differences, as a cross-check

    @property
    def verdict(self) -> str:
        return "n/a" if self.ok is None else ("PASS" if self.ok else "MISS")


def _stat(samples_ns: Sequence[float], bare_ns: Sequence[float]) -> Stat:
    us = sorted(s / 1000.0 for s in samples_ns)
    if len(us) >= 2:
        q1, _, q3 = statistics.quantiles(us, n=4, method="inclusive")
    else:
        q1 = q3 = us[0]
    # Samples are appended once per round, so index i of every case is the same round.
    diffs = [(a - b) / 1000.0 for a, b in zip(samples_ns, bare_ns)]
    ratios = [a / b for a, b in zip(samples_ns, bare_ns) if b > 0]
    return Stat(statistics.median(us), q1, q3, statistics.median(diffs), statistics.median(ratios))


def compute_stats(cases: Sequence[Case]) -> dict[tuple[str, str], Stat]:
    bare = {c.scenario.name: c.samples_ns for c in cases if c.impl.name == BARE}
    return {c.key: _stat(c.samples_ns, bare[c.scenario.name]) for c in cases}


def _calibrate(case: Case, target_ns: float, clock: Callable[[], int]) -> int:
    n = 4
    while True:
        elapsed = case.timed_batch(n, clock)
        if elapsed >= target_ns / 4 or n >= 1 << 20:
            return max(5, int(n * target_ns / max(elapsed, 1)))
        n *= 4


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def build_cases(impls: Sequence[Impl], chosen: Sequence[Scenario]) -> list[Case]:
    cases = []
    for scenario in chosen:
        environ = scenario.make_environ()
        for impl in impls:
            app = build_app(impl, scenario)
            cases.append(Case(impl, scenario, app, environ))
    return cases


CLOCKS: dict[str, Callable[[], int]] = {
    # CPU time of this thread: time spent preempted by other processes is not counted, which
    # keeps medians stable on a shared machine (cache pollution from others still shows).
    "cpu": time.thread_time_ns,
    "wall": time.perf_counter_ns,
}


def run(
    cases: list[Case],
    rounds: int,
    warmup: int,
    batch_ms: float,
    seed: int,
    progress: bool,
    clock: Callable[[], int],
) -> None:
    for case in cases:
        for _ in range(FULL_CHECKS):
            case.request()
    target_ns = batch_ms * 1e6
    for case in cases:
        case.batch = _calibrate(case, target_ns, clock)
    # Everything built so far (apps, configs, environs) lives for the whole run: keep it out of
    # the collector's way so gc.collect() between batches stays cheap and uniform.
    gc.collect()
    gc.freeze()
    rng = random.Random(seed)
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.scenario.name, []).append(case)
    order = list(groups.values())
    for round_no in range(warmup + rounds):
        # Scenarios in a shuffled order; within a scenario, its implementations back to back in
        # a shuffled order, so the cases compared with each other are measured close in time.
        rng.shuffle(order)
        for group in order:
            rng.shuffle(group)
            for case in group:
                elapsed = case.timed_batch(case.batch, clock)
                case.check()  # the last response of the batch
                if round_no >= warmup:
                    case.samples_ns.append(elapsed / case.batch)
        if progress:
            print("w" if round_no < warmup else ".", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)


def _fmt_ratio(num: float, den: float) -> str:
    return f"{num / den:.3f}x" if den > 0 else "n/a"


def evaluate(
    stats: dict[tuple[str, str], Stat], impl_names: Sequence[str], chosen: Sequence[Scenario]
) -> list[TargetResult]:
    """PASS/MISS per target, from the medians (as defined), with the paired figure alongside."""
    results: list[TargetResult] = []
    have_co = CROSSORIGIN in impl_names
    have_fc = FLASK_CORS in impl_names

    def overhead(scenario: str, impl: str) -> float:
        return stats[(scenario, impl)].median_us - stats[(scenario, BARE)].median_us

    def paired(scenario: str, impl: str) -> float:
        return stats[(scenario, impl)].paired_overhead_us

    for scenario in chosen:
        s = scenario.name
        if scenario.group == "ordinary":
            name = f"{s}: overhead vs flask-cors's"
            limit = f"<= {ORDINARY_RATIO_LIMIT:.2f}x"
            if not have_co or not have_fc:
                missing = CROSSORIGIN if not have_co else FLASK_CORS
                results.append(TargetResult(name, f"n/a ({missing} missing)", limit, None))
                continue
            co, fc = overhead(s, CROSSORIGIN), overhead(s, FLASK_CORS)
            ok = co <= ORDINARY_RATIO_LIMIT * fc if fc > 0 else None
            measured = f"{_fmt_ratio(co, fc)} ({co:.2f} / {fc:.2f} us)"
            cross = _fmt_ratio(paired(s, CROSSORIGIN), paired(s, FLASK_CORS))
            results.append(TargetResult(name, measured, limit, ok, cross))
        elif scenario.group == "preflight":
            name = f"{s}: whole vs bare Flask's OPTIONS"
            limit = f"<= {PREFLIGHT_RATIO_LIMIT:.2f}x"
            if not have_co:
                results.append(TargetResult(name, f"n/a ({CROSSORIGIN} missing)", limit, None))
                continue
            co, bare = stats[(s, CROSSORIGIN)].median_us, stats[(s, BARE)].median_us
            measured = f"{_fmt_ratio(co, bare)} ({co:.2f} / {bare:.2f} us)"
            cross = f"{stats[(s, CROSSORIGIN)].paired_ratio:.3f}x"
            ok = co <= PREFLIGHT_RATIO_LIMIT * bare
            results.append(TargetResult(name, measured, limit, ok, cross))
    for group in ("origins", "resources"):
        members = sorted((sc for sc in chosen if sc.group == group), key=lambda sc: sc.size)
        if len(members) < 2 or members[0].size != 1:
            continue
        first, last = members[0], members[-1]
        name = f"{last.name} vs {first.name}: overhead"
        limit = f"<= {SCALING_FACTOR}x + {SCALING_SLACK_US:g} us"
        if not have_co:
            results.append(TargetResult(name, f"n/a ({CROSSORIGIN} missing)", limit, None))
            continue
        big, one = overhead(last.name, CROSSORIGIN), overhead(first.name, CROSSORIGIN)
        bound = SCALING_FACTOR * max(one, 0.0) + SCALING_SLACK_US
        measured = f"{big:.2f} vs {one:.2f} us (bound {bound:.2f})"
        cross = f"{paired(last.name, CROSSORIGIN):.2f} vs {paired(first.name, CROSSORIGIN):.2f} us"
        results.append(TargetResult(name, measured, limit, big <= bound, cross))
    return results


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def report(
    stats: dict[tuple[str, str], Stat],
    impl_names: Sequence[str],
    chosen: Sequence[Scenario],
    targets: list[TargetResult],
) -> str:
    out: list[str] = []
    out.append("Per-request time: median us over rounds (IQR as % of the median)")
    rows = []
    for sc in chosen:
        row = [sc.name]
        for impl in impl_names:
            st = stats[(sc.name, impl)]
            row.append(f"{st.median_us:9.2f} +-{st.spread_pct:4.1f}%")
        rows.append(row)
    out.append(_table(rows, ["scenario", *impl_names]))

    out.append("")
    out.append("CORS overhead = median(impl) - median(bare), us; ratio = crossorigin / flask-cors")
    others = [i for i in impl_names if i != BARE]
    rows = []
    for sc in chosen:
        bare = stats[(sc.name, BARE)].median_us
        row = [sc.name]
        for impl in others:
            row.append(f"{stats[(sc.name, impl)].median_us - bare:8.2f}")
        if CROSSORIGIN in impl_names and FLASK_CORS in impl_names:
            co_st, fc_st = stats[(sc.name, CROSSORIGIN)], stats[(sc.name, FLASK_CORS)]
            row.append(_fmt_ratio(co_st.median_us - bare, fc_st.median_us - bare))
            row.append(_fmt_ratio(co_st.paired_overhead_us, fc_st.paired_overhead_us))
        else:
            row.extend(["n/a", "n/a"])
        if sc.group == "preflight" and CROSSORIGIN in impl_names:
            row.append(_fmt_ratio(stats[(sc.name, CROSSORIGIN)].median_us, bare))
        else:
            row.append("")
        rows.append(row)
    header = ["scenario", *others, "co/fc", "co/fc paired", "co whole/bare (preflight)"]
    out.append(_table(rows, header))
    out.append(
        "(paired: medians of per-round differences with bare, measured back to back; a cross-check"
        " that should agree with co/fc on a quiet machine)"
    )
    by_decorator = [sc.name for sc in chosen if sc.floor == "decorator"]
    if FLOOR in impl_names and by_decorator:
        out.append(
            "(floor: one after_request hook setting Access-Control-Allow-Origin; for "
            f"{', '.join(by_decorator)}: a hand-written decorator setting it and Vary: Origin)"
        )

    scaling_rows = []
    for group in ("origins", "resources"):
        members = sorted((sc for sc in chosen if sc.group == group), key=lambda sc: sc.size)
        if not members or members[0].size != 1:
            continue
        base = members[0].name
        for sc in members:
            row = [sc.name]
            for impl in (FLASK_CORS, CROSSORIGIN):
                if impl not in impl_names:
                    row.append("n/a")
                    continue
                ovh = stats[(sc.name, impl)].median_us - stats[(sc.name, BARE)].median_us
                ovh1 = stats[(base, impl)].median_us - stats[(base, BARE)].median_us
                row.append(f"{ovh:9.2f} us ({_fmt_ratio(ovh, ovh1)} of x1)")
            scaling_rows.append(row)
    if scaling_rows:
        out.append("")
        out.append("Scaling: overhead at N, and relative to N = 1")
        out.append(_table(scaling_rows, ["scenario", FLASK_CORS, CROSSORIGIN]))

    out.append("")
    out.append("Targets (flask-crossorigin)")
    out.append(
        _table(
            [[t.name, t.measured, t.limit, t.verdict, t.paired] for t in targets],
            ["target", "measured (medians)", "limit", "result", "paired cross-check"],
        )
    )
    out.append("(gunicorn GET throughput >= 0.97x bare: see benchmarks/bench_server.py)")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 short rounds (~10 s; noisy)")
    parser.add_argument("--json", metavar="PATH", help="also write all samples and results here")
    parser.add_argument("--rounds", type=int, help="timed rounds (default 40, quick 8)")
    parser.add_argument("--batch-ms", type=float, help="target ms per batch (default 20, quick 5)")
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only scenarios whose name contains PATTERN, or matches it in full as a glob with *"
        " and ? ('decorator*'; brackets are literal); repeatable",
    )
    parser.add_argument(
        "--impl",
        action="append",
        default=[],
        choices=ALL_IMPLS,
        help="only these implementations (bare is always included)",
    )
    parser.add_argument("--cpu", type=int, help="pin the process to this CPU")
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: this thread's CPU time (default; robust to other load); wall: perf_counter",
    )
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--strict", action="store_true", help="exit 1 if any target is missed")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    rounds = args.rounds or (8 if args.quick else 40)
    warmup = 1 if args.quick else 2
    batch_ms = args.batch_ms or (5.0 if args.quick else 20.0)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})

    wanted = [BARE, *[i for i in ALL_IMPLS if i != BARE and (not args.impl or i in args.impl)]]
    impls, missing = load_impls(wanted)
    impl_names = [i.name for i in impls]
    chosen = select_scenarios(scenarios(), args.scenario)
    if not chosen:
        print("no scenario matches", file=sys.stderr)
        return 2

    command = " ".join([Path(sys.executable).name, *sys.argv])
    print(f"command: {command}")
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {_loadavg()}"
    )
    for impl in impls:
        print(f"  {impl.name:18} {impl.version}")
    for name, why in missing.items():
        print(f"  {name:18} MISSING: {why} -- its columns and targets are skipped")
    print(
        f"rounds {rounds} (+{warmup} warm-up), ~{batch_ms:g} ms per batch, clock {args.clock}, "
        f"seed {args.seed}"
    )

    cases = build_cases(impls, chosen)
    started = time.time()
    try:
        run(
            cases,
            rounds,
            warmup,
            batch_ms,
            args.seed,
            progress=not args.no_progress,
            clock=CLOCKS[args.clock],
        )
    except CheckFailure as exc:
        print(f"\nCHECK FAILED -- aborting, no timings reported:\n  {exc}", file=sys.stderr)
        return 2
    elapsed = time.time() - started

    stats = compute_stats(cases)
    targets = evaluate(stats, impl_names, chosen)
    print(report(stats, impl_names, chosen, targets))
    noise = statistics.median(st.spread_pct for st in stats.values())
    if noise > NOISY_IQR_PCT:
        print(
            f"\nWARNING: noisy run (median IQR {noise:.0f}% > {NOISY_IQR_PCT:g}%): the machine was "
            "busy, medians and verdicts are unreliable; trust the paired column more, or rerun."
        )
    print(f"\n{len(cases)} cases, {elapsed:.0f} s, load average at the end {_loadavg()}")

    if args.json:
        payload = {
            "command": command,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "versions": {i.name: i.version for i in impls},
            "missing": missing,
            "rounds": rounds,
            "warmup": warmup,
            "batch_ms": batch_ms,
            "clock": args.clock,
            "loadavg_end": _loadavg(),
            "median_iqr_pct": noise,
            "cases": [
                {
                    "scenario": c.scenario.name,
                    "group": c.scenario.group,
                    "returns": c.scenario.returns,
                    "floor": c.scenario.floor,
                    "impl": c.impl.name,
                    "batch": c.batch,
                    "median_us": stats[c.key].median_us,
                    "q1_us": stats[c.key].q1_us,
                    "q3_us": stats[c.key].q3_us,
                    "paired_overhead_us": stats[c.key].paired_overhead_us,
                    "paired_ratio": stats[c.key].paired_ratio,
                    "samples_us": [s / 1000.0 for s in c.samples_ns],
                }
                for c in cases
            ],
            "targets": [
                {
                    "name": t.name,
                    "measured": t.measured,
                    "limit": t.limit,
                    "result": t.verdict,
                    "paired": t.paired,
                }
                for t in targets
            ],
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    if args.strict and any(t.ok is False for t in targets):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
