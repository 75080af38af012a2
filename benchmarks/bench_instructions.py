"""Instruction counts per request: the same comparison as bench_wsgi.py, immune to machine load.

Wall and CPU times on a shared 2-core machine move by 20% from one run to the next; the number of
instructions CPython executes for a request does not. Each (scenario, implementation) case runs
in its own process under valgrind's callgrind, twice, with two request counts; the difference
divided by the difference in requests is the exact instruction count of one request, with
start-up, imports and warm-up cancelled out (each case first runs once outside valgrind, so
that neither measured run compiles bytecode the other loads from cache). Responses are checked
exactly as in bench_wsgi.py (every warm-up response and the last of the measured batch), so no
implementation is cheap by skipping work.

    python benchmarks/bench_instructions.py [--scenario SUBSTR]... [--json out.json]

Instructions are not time (a cache miss costs more than an add), but for the same interpreter
running similar Python code they track it closely, and the ratios are what the targets are about.
Needs valgrind (Debian package ``valgrind``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_apps import ALL_IMPLS, BARE, CROSSORIGIN, FLASK_CORS, FLOOR, load_impls, scenarios
from bench_wsgi import ORDINARY_RATIO_LIMIT, build_cases

SMALL, LARGE = 100, 600  # requests per measured run; the difference is what counts
WARMUP = 50
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
ORDINARY = (
    "allowed GET",
    "GET no Origin",
    "refused origin",
    "regex origin",
    "decorator",
    "decorator + CORS(app)",
    "blueprint policy",
)
#: Issue 12: what a refusal costs with and without a ``cors_refused`` receiver (no verdict: a
#: receiver's own work is the app's; without one the cost must not move).
SIGNAL = (
    "refused origin",
    "refused origin + receiver",
    "refused preflight",
    "refused preflight + receiver",
)
#: Issue 10's targets, in instructions: every ordinary scenario costs no more over bare Flask
#: than the floor (one hand-written after_request hook setting one header), and a whole
#: preflight answered by the extension at most this fraction of bare Flask's OPTIONS.
FLOOR_RATIO_LIMIT = 1.0
PREFLIGHT_INSTRUCTION_LIMIT = 0.06


def worker(impl_name: str, scenario_name: str, requests: int) -> None:
    """Inside valgrind: build the case, warm it up (checked), run *requests* more, check one."""
    impls, _ = load_impls([impl_name])
    chosen = [s for s in scenarios() if s.name == scenario_name]
    (case,) = build_cases(impls, chosen)
    for _ in range(WARMUP):
        case.request()
    case.timed_batch(requests)
    case.check()


def count(impl: str, scenario: str, requests: int) -> int:
    """Instructions of a whole worker process (start-up included)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--worker",
        impl,
        scenario,
        str(requests),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"{impl} / {scenario} failed:\n{result.stderr[-2000:]}")
    match = _COLLECTED.search(result.stderr)
    if match is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def warm(impl: str, scenario: str) -> None:
    """Run the worker once outside valgrind, so every module it imports has its bytecode cache.

    Otherwise the first measured run after a source change also pays for compiling it, and the
    difference between the two runs (hence the per-request figure) comes out too low.
    """
    command = [sys.executable, __file__, "--worker", impl, scenario, "1"]
    subprocess.run(command, check=True, capture_output=True, timeout=300)


def per_request(impl: str, scenario: str, jobs: int = 2) -> float:
    """One case's instructions per request; its two runs go side by side when *jobs* > 1.

    Instruction counts do not depend on what else the machine runs, so running the two at once
    halves the wall time and changes no figure.
    """
    warm(impl, scenario)
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, 2))) as pool:
        large = pool.submit(count, impl, scenario, LARGE)
        small = pool.submit(count, impl, scenario, SMALL)
        return (large.result() - small.result()) / (LARGE - SMALL)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", nargs=3, metavar=("IMPL", "SCENARIO", "N"), help="internal")
    parser.add_argument("--scenario", action="append", default=[], help="name contains SUBSTR")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--impl",
        action="append",
        choices=ALL_IMPLS,
        help="only these implementations (bare is always included); default: all",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="valgrind runs at once (1 or 2; default 2)"
    )
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind not found: apt-get install -y valgrind", file=sys.stderr)
        return 2
    wanted_impls = ALL_IMPLS if not args.impl else (BARE, *[i for i in args.impl if i != BARE])
    impls, missing = load_impls(wanted_impls)
    for name, why in missing.items():
        print(f"note: {name} {why}; its columns are left out")
    names = [impl.name for impl in impls]
    wanted = args.scenario or [*ORDINARY, "preflight", "blueprint preflight", *SIGNAL]
    chosen = [s.name for s in scenarios() if any(w == s.name for w in wanted)]
    if args.scenario:
        chosen = [s.name for s in scenarios() if any(w in s.name for w in wanted)]
    results: dict[str, dict[str, float]] = {}
    for scenario in chosen:
        results[scenario] = {name: per_request(name, scenario, args.jobs) for name in names}
        row = results[scenario]
        print(f"{scenario:22} " + "  ".join(f"{n} {row[n]:>9,.0f}" for n in names), flush=True)
    print()
    print("Instructions per request, overhead = impl - bare")
    verdicts = []
    for scenario, row in results.items():
        if scenario in SIGNAL[1:]:
            continue  # reported below
        bare = row[BARE]
        ours = row.get(CROSSORIGIN, float("nan")) - bare
        if scenario.endswith("preflight"):
            whole = row.get(CROSSORIGIN, float("nan"))
            ratio = whole / bare
            verdicts.append((scenario, "whole / bare OPTIONS", ratio, PREFLIGHT_INSTRUCTION_LIMIT))
            continue
        if FLOOR in row:
            floor = row[FLOOR] - bare
            print(f"{scenario:22} overhead {ours:>9,.0f}  floor {floor:>9,.0f}")
            verdicts.append((scenario, "overhead / floor's", ours / floor, FLOOR_RATIO_LIMIT))
        if FLASK_CORS in row:
            ratio = ours / (row[FLASK_CORS] - bare)
            verdicts.append((scenario, "overhead / flask-cors's", ratio, ORDINARY_RATIO_LIMIT))
    for scenario, what, ratio, limit in verdicts:
        verdict = "PASS" if ratio <= limit else "MISS"
        print(f"{scenario:22} {what:24} {ratio:6.3f}x  (limit {limit}x)  {verdict}")
    for quiet, loud in zip(SIGNAL[::2], SIGNAL[1::2]):
        if quiet in results and loud in results and CROSSORIGIN in results[quiet]:
            # A preflight never reaches Flask: its whole cost is ours. A GET costs ours + bare.
            whole = quiet.endswith("preflight")
            what = "whole request" if whole else "overhead"
            without = results[quiet][CROSSORIGIN] - (0 if whole else results[quiet][BARE])
            with_one = results[loud][CROSSORIGIN] - (0 if whole else results[loud][BARE])
            print(
                f"{quiet:22} cors_refused: {what} {without:>9,.0f} without a receiver, "
                f"{with_one:>9,.0f} with one (+{with_one - without:,.0f})"
            )
    if args.json:
        args.json.write_text(json.dumps({"per_request": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
