"""Instruction counts per request: the same comparison as bench_wsgi.py, immune to machine load.

Wall and CPU times on a shared 2-core machine move by 20% from one run to the next; the number of
instructions CPython executes for a request does not. Each (scenario, implementation) case runs
in its own process under valgrind's callgrind, twice, with two request counts; the difference
divided by the difference in requests is the exact instruction count of one request, with
start-up, imports and warm-up cancelled out (each case first runs once outside valgrind, so
that neither measured run compiles bytecode the other loads from cache). Responses are checked
exactly as in bench_wsgi.py (every warm-up response and the last of the measured batch), so no
implementation is cheap by skipping work.

    python benchmarks/bench_instructions.py [--scenario PATTERN]... [--impl IMPL]...
        [--json out.json] [--pythonpath DIR] [--list]

Judged per scenario (issue "One plan, one response rule"): under ``CORS(app)`` (or a blueprint),
flask-crossorigin's overhead over bare Flask at most 1.0x the hook floor's (one hand-written
after_request hook); ``@cross_origin`` alone at most 0.75x a hand-written decorator's; a whole
preflight at most 0.06x bare Flask's answer to the same OPTIONS. Views return a str, a
``(body, status, headers)`` tuple, a dict or a Response (bench_apps.RETURN_TYPES).

Instructions are not time (a cache miss costs more than an add), but for the same interpreter
running similar Python code they track it closely, and the ratios are what the targets are about.
Needs valgrind (Debian package ``valgrind``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_apps import (
    ALL_IMPLS,
    BARE,
    CROSSORIGIN,
    FLASK_CORS,
    FLOOR,
    Scenario,
    load_impls,
    scenarios,
    select_scenarios,
)
from bench_wsgi import ORDINARY_RATIO_LIMIT, _table, build_cases

SMALL, LARGE = 100, 600  # requests per measured run; the difference is what counts
WARMUP = 50
ATTEMPTS = 3  # a failing case is run again a minute later (the package may be mid-edit)
RETRY_AFTER_S = 60
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
REPO = Path(__file__).resolve().parent.parent
#: Issue 12: what a refusal costs with and without a ``cors_refused`` receiver (no verdict: a
#: receiver's own work is the app's; without one the cost must not move).
SIGNAL = (
    "refused origin",
    "refused origin + receiver",
    "refused preflight",
    "refused preflight + receiver",
)
#: The issue's limits, in instructions (Scenario.target says which applies): under CORS(app),
#: overhead over bare Flask <= the hook floor's (one hand-written after_request hook);
#: @cross_origin alone <= 0.75x a hand-written decorator's; a whole preflight answered by the
#: extension <= 0.06x bare Flask's answer to the same OPTIONS.
FLOOR_RATIO_LIMIT = 1.0
DECORATOR_RATIO_LIMIT = 0.75
PREFLIGHT_INSTRUCTION_LIMIT = 0.06
#: Groups run by default: every scenario with a target, and the cors_refused figures. The
#: scaling groups ("origins", "resources") run when selected with --scenario.
DEFAULT_GROUPS = ("ordinary", "preflight", "signal")


class CaseFailed(Exception):
    """A worker process failed (check failure, import error, valgrind error)."""


def worker(impl_name: str, scenario_name: str, requests: int) -> None:
    """Inside valgrind: build the case, warm it up (checked), run *requests* more, check one."""
    impls, missing = load_impls([impl_name])
    if not impls:
        raise SystemExit(f"{impl_name}: {missing[impl_name]}")
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
        raise CaseFailed(f"{impl} / {scenario} failed:\n{result.stderr[-2000:]}")
    match = _COLLECTED.search(result.stderr)
    if match is None:
        raise CaseFailed(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def warm(impl: str, scenario: str) -> None:
    """Run the worker once outside valgrind, so every module it imports has its bytecode cache.

    Otherwise the first measured run after a source change also pays for compiling it, and the
    difference between the two runs (hence the per-request figure) comes out too low.
    """
    command = [sys.executable, __file__, "--worker", impl, scenario, "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise CaseFailed(f"{impl} / {scenario} failed:\n{result.stderr[-2000:]}")


def per_request(impl: str, scenario: str, jobs: int = 2) -> float:
    """One case's instructions per request; its two runs go side by side when *jobs* > 1.

    Instruction counts do not depend on what else the machine runs, so running the two at once
    halves the wall time and changes no figure. A failing case is tried again (``ATTEMPTS`` in
    all, ``RETRY_AFTER_S`` apart): others may be editing the package while this runs.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            warm(impl, scenario)
            with ThreadPoolExecutor(max_workers=max(1, min(jobs, 2))) as pool:
                large = pool.submit(count, impl, scenario, LARGE)
                small = pool.submit(count, impl, scenario, SMALL)
                return (large.result() - small.result()) / (LARGE - SMALL)
        except CaseFailed as exc:
            if attempt == ATTEMPTS:
                raise
            print(f"note: {exc}\n  retrying in {RETRY_AFTER_S} s", file=sys.stderr, flush=True)
            time.sleep(RETRY_AFTER_S)
    raise AssertionError("unreachable")


def package_state() -> tuple[str, str]:
    """Where flask_crossorigin is loaded from and a digest of its sources (``?`` if absent).

    Found without importing it, as the workers will find it (``--pythonpath`` included).
    """
    spec = importlib.util.find_spec("flask_crossorigin")
    if spec is None or not spec.submodule_search_locations:
        return "?", "?"
    directory = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.py")):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return str(directory), digest.hexdigest()[:12]


def git_head() -> str:
    """``git log --oneline -1`` of this checkout, and whether src/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "log", "--oneline", "-1"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return f"{head[:100]}{' (src/ has uncommitted changes)' if dirty else ''}"


@dataclass
class Verdict:
    """One scenario's comparison: what was measured, against what, and the result."""

    scenario: str
    target: str  # Scenario.target; "" for none (the comparison is printed, not judged)
    what: str  # e.g. "overhead / hook floor's"
    measured: float  # overhead over bare (whole request for a preflight)
    reference: float  # the floor's overhead, or bare Flask's whole OPTIONS
    reference_name: str
    ratio: float
    limit: float  # nan without a target

    @property
    def result(self) -> str:
        if not self.target:
            return "-"
        if math.isnan(self.ratio):
            return "n/a"
        return "PASS" if self.ratio <= self.limit else "MISS"


def judge(scenario: Scenario, row: dict[str, float]) -> Verdict:
    """One scenario's counts against its reference, with the issue's limit if it has one.

    A preflight's whole request is compared with bare Flask's OPTIONS, anything else's overhead
    with its floor's (``Scenario.floor``: the hook or the hand-written decorator).
    """
    nan = float("nan")
    bare = row[BARE]
    ours = row.get(CROSSORIGIN, nan)
    limits = {
        "preflight": PREFLIGHT_INSTRUCTION_LIMIT,
        "floor": FLOOR_RATIO_LIMIT,
        "decorator": DECORATOR_RATIO_LIMIT,
    }
    limit = limits.get(scenario.target, nan)
    if scenario.method == "OPTIONS":
        what = "whole / bare OPTIONS"
        return Verdict(
            scenario.name, scenario.target, what, ours, bare, "bare OPTIONS", ours / bare, limit
        )
    floor = row.get(FLOOR, nan) - bare
    return Verdict(
        scenario.name,
        scenario.target,
        f"overhead / {scenario.floor} floor's",
        ours - bare,
        floor,
        f"{scenario.floor} floor",
        (ours - bare) / floor if floor > 0 else nan,
        limit,
    )


def _n(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f}"


def report(chosen: Sequence[Scenario], results: dict[str, dict[str, float]]) -> list[Verdict]:
    """Print the per-scenario table with the issue's verdicts; return the verdicts."""
    nan = float("nan")
    verdicts: list[Verdict] = []
    rows: list[list[str]] = []
    for scenario in chosen:
        row = results[scenario.name]
        verdict = judge(scenario, row)
        verdicts.append(verdict)
        bare = row[BARE]
        ours = row.get(CROSSORIGIN, nan)
        whole = scenario.method == "OPTIONS"
        cells = [
            scenario.name,
            _n(bare),
            f"whole {_n(verdict.measured)}" if whole else _n(verdict.measured),
            verdict.reference_name,
            _n(verdict.reference),
            "n/a" if math.isnan(verdict.ratio) else f"{verdict.ratio:.3f}x",
            "" if math.isnan(verdict.limit) else f"<= {verdict.limit:.2f}x",
            verdict.result,
        ]
        fc = row.get(FLASK_CORS, nan)
        if scenario.method == "OPTIONS" or math.isnan(fc):
            cells += ["", ""]
        else:
            co_fc = (ours - bare) / (fc - bare)
            cell = "n/a" if math.isnan(co_fc) else f"{co_fc:.3f}x"
            if scenario.group == "ordinary" and not math.isnan(co_fc):
                cell += " PASS" if co_fc <= ORDINARY_RATIO_LIMIT else " MISS"
            cells += [_n(fc - bare), cell]
        rows.append(cells)
    print(
        "Instructions per request; overhead = impl - bare; ratio = flask-crossorigin's overhead /"
        " the floor's\n(preflights: flask-crossorigin's whole request / bare Flask's OPTIONS)"
    )
    header = [
        "scenario",
        "bare",
        "overhead",
        "against",
        "reference",
        "ratio",
        "limit",
        "result",
        "flask-cors overhead",
        f"co/fc (<= {ORDINARY_RATIO_LIMIT}x)",
    ]
    print(_table(rows, header))
    return verdicts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", nargs=3, metavar=("IMPL", "SCENARIO", "N"), help="internal")
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="PATTERN",
        help="scenarios whose name contains PATTERN, or matches it in full as a glob with * and ?"
        " ('decorator*'; brackets are literal); repeatable; default: every scenario with a target"
        " and the cors_refused ones",
    )
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
    parser.add_argument(
        "--pythonpath",
        type=Path,
        help="put DIR first on the workers' path, e.g. a `git archive` of src/ (measure that tree)",
    )
    parser.add_argument("--list", action="store_true", help="list the chosen scenarios and exit")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return 0
    if args.scenario:
        chosen = select_scenarios(scenarios(), args.scenario)
    else:
        chosen = [s for s in scenarios() if s.group in DEFAULT_GROUPS]
    if not chosen:
        print("no scenario matches", file=sys.stderr)
        return 2
    if args.list:
        for scenario in chosen:
            print(f"{scenario.name:34} {scenario.target or '-':10} {scenario.description}")
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind not found: apt-get install -y valgrind", file=sys.stderr)
        return 2
    if args.pythonpath:
        pythonpath = str(args.pythonpath.resolve())
        sys.path.insert(0, pythonpath)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (pythonpath, os.environ.get("PYTHONPATH")) if p
        )
    wanted_impls = ALL_IMPLS if not args.impl else (BARE, *[i for i in args.impl if i != BARE])
    impls, missing = load_impls(wanted_impls)
    started = time.time()
    package, digest = package_state()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"started {time.strftime('%Y-%m-%d %H:%M:%S %z', time.localtime(started))}")
    measured_elsewhere = (
        " (the package measured is the --pythonpath one)" if args.pythonpath else ""
    )
    print(f"checkout: {git_head()}{measured_elsewhere}")
    print(f"flask_crossorigin from {package} (sources {digest})")
    for impl in impls:
        print(f"  {impl.name:18} {impl.version}")
    for name, why in missing.items():
        print(f"note: {name} {why}; its columns are left out")
    names = [impl.name for impl in impls]
    results: dict[str, dict[str, float]] = {}
    digests = {digest}
    failed = False
    try:
        for scenario in chosen:
            now = package_state()[1]
            if now not in digests:
                digests.add(now)
                print(f"NOTE: flask_crossorigin's sources changed ({now}) before {scenario.name!r}")
            results[scenario.name] = {n: per_request(n, scenario.name, args.jobs) for n in names}
            row = results[scenario.name]
            line = "  ".join(f"{n} {row[n]:>10,.0f}" for n in names)
            print(f"{scenario.name:34} {line}", flush=True)
    except CaseFailed as exc:
        print(f"\nCASE FAILED -- aborting, the scenarios measured so far follow:\n  {exc}")
        failed = True
        chosen = [s for s in chosen if s.name in results]
    finished = time.time()
    print()
    verdicts = report(chosen, results)
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
    tally = {r: sum(v.result == r for v in verdicts) for r in ("PASS", "MISS", "n/a")}
    misses = ", ".join(v.scenario for v in verdicts if v.result == "MISS")
    print(
        ", ".join(f"{n} {r}" for r, n in tally.items() if n)
        + (f" (MISS: {misses})" if misses else "")
    )
    if len(digests) > 1:
        print("WARNING: flask_crossorigin's sources changed during the run; see the NOTE lines")
    print(
        f"{len(chosen) * len(names)} cases, {(finished - started) / 60:.1f} min, finished "
        f"{time.strftime('%Y-%m-%d %H:%M:%S %z', time.localtime(finished))}"
    )
    if args.json:
        payload = {
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "commit": git_head(),
            "package": package,
            "sources": sorted(digests),
            "started": started,
            "finished": finished,
            "per_request": results,
            "floors": {s.name: s.floor for s in chosen},
            "verdicts": [dict(asdict(v), result=v.result) for v in verdicts],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 2 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
