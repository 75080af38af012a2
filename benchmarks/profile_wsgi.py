"""Profile one implementation's per-request path for one scenario with cProfile.

    python benchmarks/profile_wsgi.py "allowed GET" [--impl flask-crossorigin] [-n 20000]

Prints, per request: the functions with the most own time, and every function of the profiled
package (flask_crossorigin or flask_cors) with its cumulative time. cProfile's own cost inflates
small Python functions, so compare functions with each other, and use bench_wsgi.py for the
real numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_apps import ALL_IMPLS, CROSSORIGIN, build_app, load_impls, scenarios
from bench_wsgi import Case

# pstats keys: (filename, line, function name); values: (primitive calls, calls, tottime,
# cumtime, callers).
FuncKey = tuple[str, int, str]


def _label(key: FuncKey) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    parts = Path(filename).parts
    for anchor in ("site-packages", "src", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    return f"{'/'.join(parts)}:{line}({name})"


def _row(key: FuncKey, calls: int, tottime: float, cumtime: float, n: int) -> str:
    return f"{tottime / n * 1e6:10.2f} {cumtime / n * 1e6:10.2f} {calls / n:9.2f}  {_label(key)}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", help="scenario name, e.g. 'allowed GET' or 'preflight'")
    parser.add_argument("--impl", default=CROSSORIGIN, choices=ALL_IMPLS)
    parser.add_argument("-n", type=int, default=20000, help="requests to profile")
    parser.add_argument("--top", type=int, default=25, help="rows in the own-time table")
    args = parser.parse_args(argv)

    matches = [s for s in scenarios() if s.name.lower() == args.scenario.lower()]
    if not matches:
        names = ", ".join(repr(s.name) for s in scenarios())
        parser.error(f"unknown scenario {args.scenario!r}; one of {names}")
    impls, missing = load_impls([args.impl])
    if not impls:
        print(f"{args.impl}: {missing[args.impl]}", file=sys.stderr)
        return 2
    scenario, impl = matches[0], impls[0]
    case = Case(impl, scenario, build_app(impl, scenario), scenario.make_environ())
    for _ in range(200):  # warm up and check
        case.request()

    profiler = cProfile.Profile()
    profiler.enable()
    case.timed_batch(args.n)
    profiler.disable()
    case.check()

    stats = pstats.Stats(profiler)
    table: dict[FuncKey, tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]
    n = args.n
    total = sum(v[2] for v in table.values())
    print(
        f"{impl.name} / {scenario.name}: {n} requests under cProfile, "
        f"{total / n * 1e6:.1f} us per request (profiled, inflated)"
    )
    print()
    print(f"{'own us/req':>10} {'cum us/req':>10} {'calls/req':>9}  function")
    rows = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)[: args.top]
    for key, (_pc, calls, tottime, cumtime, _callers) in rows:
        print(_row(key, calls, tottime, cumtime, n))

    package = (impl.module.__name__ if impl.module else "benchmarks").split(".")[0]
    print()
    print(f"functions of {package} (and the bench app), by cumulative time per request")
    own = [
        (key, value) for key, value in table.items() if package in key[0] or "bench_apps" in key[0]
    ]
    for key, (_pc, calls, tottime, cumtime, _callers) in sorted(
        own, key=lambda kv: kv[1][3], reverse=True
    ):
        print(_row(key, calls, tottime, cumtime, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
