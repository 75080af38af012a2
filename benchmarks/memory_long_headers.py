"""Memory of a waitress process fed preflights with long, distinct header values (issue item 2).

Every memo flask-crossorigin keeps of request-chosen values (the policy's preflight decisions,
keyed by ``Origin``, the requested method, ``Access-Control-Request-Headers`` and
``Access-Control-Request-Private-Network``; the routing memo, keyed by path, requested method and,
under host or subdomain matching, ``Host``) is bounded in entries; this script checks that it is
bounded in bytes too. For each header part it starts a fresh waitress process on 127.0.0.1 (a
free port), sends ~50 ordinary preflights, reads the process's resident set size (``VmRSS`` in
``/proc/<pid>/status``), sends N preflights that each carry a distinct value of SIZE bytes in that
one part, reads the RSS again and reports the growth (the verdict: PASS below 10 MiB). It also
reports the peak (``VmHWM``) and, as a diagnosis, the RSS before and after with garbage collected
and free heap pages returned (the server runs ``gc.collect()`` and glibc's ``malloc_trim(0)`` on
``SIGUSR1``): a memo that keeps long values shows in both figures; garbage that is merely not
collected yet (Werkzeug's ``MethodNotAllowed`` leaves a reference cycle holding the method) and
freed pages malloc keeps show only in the first.

    python benchmarks/memory_long_headers.py [--part NAME]... [--requests 4400] [--size 200000]
        [--pythonpath DIR] [--json out.json] [--strict]

Apps (both: one blueprint, ``CORS(bp, origins=["https://app.example"])``, a ``PUT`` route):

* ``blueprint``: ``/api/items``. Used for every part but ``Host``: a blueprint policy makes the
  middleware route each preflight with its requested method, so the method also reaches the
  routing memo.
* ``host``: the same under ``host_matching=True``, the route at ``<tenant>.app.example``, so the
  routing memo is keyed by ``Host`` as well. Used for the ``Host`` part.

Only the server processes this script started are stopped, by PID (also on error). The server
binds 127.0.0.1 only; every loop is bounded by a request count and a deadline.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import platform
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from flask import Blueprint, Flask

HOST = "127.0.0.1"
ORIGIN = "https://app.example"
PREFIX = "/api"
PATH = "/api/items"
TENANT_HOST = "t1.app.example"  # the host app's ordinary Host
PLAIN_HOST = "api.example"  # the blueprint app's Host (any value: it does not route on it)
WARMUP = 50
DEFAULT_REQUESTS = 4400
DEFAULT_SIZE = 200_000
GROWTH_LIMIT_MIB = 10.0
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 30.0
#: Statuses of the extension's own preflight answers (F36, F37): anything else means the long
#: value never reached the CORS code (a 431 from waitress, a 404 from routing), so the run failed.
CORS_STATUSES = frozenset({204, 403})

ACRM = "Access-Control-Request-Method"
ACRH = "Access-Control-Request-Headers"
ACRPN = "Access-Control-Request-Private-Network"
#: The parts, in the order they run, and the app each runs against.
PARTS: dict[str, str] = {
    ACRM: "blueprint",
    ACRPN: "blueprint",
    "Host": "host",
    "Origin": "blueprint",
    ACRH: "blueprint",
}


@dataclass
class PartResult:
    part: str
    app: str
    requests: int
    size: int
    statuses: dict[str, int] = field(default_factory=dict)
    rss_before_kib: int = 0
    rss_after_kib: int = 0
    hwm_after_kib: int = 0
    #: The same after ``gc.collect()`` and ``malloc_trim(0)`` in the server: what is still
    #: referenced (memos), without garbage cycles not yet collected and free heap pages.
    collected_before_kib: int = 0
    collected_after_kib: int = 0
    collected_growth_mib: float = 0.0
    longest_response_head: int = 0
    growth_mib: float = 0.0
    seconds: float = 0.0
    module: str = ""
    verdict: str = ""


class RunError(Exception):
    pass


# -- the server (this script run with --serve APP) ----------------------------------------------


def build_app(kind: str) -> Flask:
    """The measured app: one blueprint with ``CORS(bp, origins=[ORIGIN])`` and a PUT route."""
    from flask_crossorigin import CORS  # in the server only, from its PYTHONPATH

    if kind == "host":
        app = Flask(__name__, host_matching=True, static_folder=None)
        bp = Blueprint("api", __name__, url_prefix=PREFIX)

        @bp.route("/items", methods=["GET", "PUT"], host="<tenant>.app.example")
        def tenant_items(tenant: str) -> str:
            return "ok"

    else:
        app = Flask(__name__, static_folder=None)
        bp = Blueprint("api", __name__, url_prefix=PREFIX)

        @bp.route("/items", methods=["GET", "PUT"])
        def items() -> str:
            return "ok"

    CORS(bp, origins=[ORIGIN])
    app.register_blueprint(bp)
    return app


def serve(kind: str, header_limit: int) -> int:
    """Run the app in waitress (default settings but the header limit) until terminated."""
    from waitress.server import create_server  # type: ignore[import-untyped]

    import flask_crossorigin

    server: Any = create_server(
        build_app(kind), host=HOST, port=0, max_request_header_size=header_limit
    )

    def collect(_signum: int, _frame: FrameType | None) -> None:
        """On SIGUSR1: collect garbage cycles, give free heap pages back, say so on stdout."""
        found = gc.collect()
        trimmed = malloc_trim()
        print(f"COLLECTED {found} {trimmed}", flush=True)

    signal.signal(signal.SIGUSR1, collect)
    print(f"READY {server.effective_port} {flask_crossorigin.__file__}", flush=True)
    server.run()
    return 0


def malloc_trim() -> bool:
    """glibc's ``malloc_trim(0)``: return free heap memory to the system (False without glibc)."""
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


# -- the client ---------------------------------------------------------------------------------


@dataclass
class Server:
    kind: str
    port: int
    module: str
    proc: subprocess.Popen[bytes]
    log: Path


def start_server(kind: str, size: int, pythonpath: str | None, logdir: Path) -> Server:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    header_limit = max(262_144, size + 65_536)  # waitress's default is 256 KiB
    log = logdir / f"server-{kind}.log"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", kind]
    cmd += ["--header-limit", str(header_limit)]
    with log.open("wb") as err:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env
        )
    try:
        assert proc.stdout is not None
        # The server prints its port first, or exits; waited for at most START_TIMEOUT.
        readable, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
        line = proc.stdout.readline().decode().split() if readable else []
        if len(line) != 3 or line[0] != "READY":
            raise RunError(f"the {kind} server did not start:\n{log.read_text()}")
        server = Server(kind, int(line[1]), line[2], proc, log)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client = Client(server.port, 2.0, 1 << 16)
                status = client.preflight(ordinary(kind))
                client.close()
                if status != 204:
                    raise RunError(f"an ordinary preflight got {status}, expected 204")
                return server
            except OSError as exc:
                if time.monotonic() > deadline or proc.poll() is not None:
                    message = f"the {kind} server does not answer:\n{log.read_text()}"
                    raise RunError(message) from exc
                time.sleep(0.1)
    except BaseException:
        stop_server(proc)
        raise


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server this script started, by its PID."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


def ordinary(kind: str) -> dict[str, str]:
    """An allowed preflight's headers (``Host`` included)."""
    return {
        "Host": TENANT_HOST if kind == "host" else PLAIN_HOST,
        "Origin": ORIGIN,
        ACRM: "PUT",
        ACRH: "content-type",
    }


def long_value(part: str, index: int, size: int) -> str:
    """A value of *size* characters, distinct per *index*, shaped as the part's values are."""
    tag = f"{index:08d}"
    if part == "Host":
        # A tenant host the route matches, in labels of at most 63 characters: Werkzeug's
        # routing encodes the host with IDNA, which refuses longer labels (a 400 before CORS).
        head, tail = "t" + tag + ".", ".app.example"
        length = max(1, size - len(head) - len(tail))
        labels = ("a" * 62 + ".") * (length // 63 + 1)
        return head + labels[: length - 1] + "a" + tail
    elif part == "Origin":
        head, tail = "https://o" + tag, ".example"  # refused: not listed, longer than DNS allows
    elif part == ACRH:
        head, tail = "x-h" + tag + "-", ""  # one long header name
    elif part == ACRM:
        head, tail = "M" + tag, ""  # a well-formed method token, not allowed
    else:
        head, tail = "p" + tag, ""  # anything but "true"
    return head + "a" * max(0, size - len(head) - len(tail)) + tail


class Client:
    """A minimal HTTP/1.1 client on one kept-alive socket (reopened after the server closes it).

    Raw sockets rather than ``http.client``, which refuses response header lines over 64 KiB:
    a policy that reflects the requested headers echoes a long ``Access-Control-Request-Headers``
    in ``Access-Control-Allow-Headers``.
    """

    def __init__(self, port: int, timeout: float, max_head: int) -> None:
        self.port = port
        self.timeout = timeout
        self.max_head = max_head
        self.sock: socket.socket | None = None
        self.buffer = b""
        #: The longest response head (status line and headers) seen, in bytes.
        self.longest_head = 0

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def preflight(self, headers: dict[str, str]) -> int:
        """Send one ``OPTIONS`` with *headers* (``Host`` included); return the status."""
        if self.sock is None:
            self.sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
            self.buffer = b""
        lines = [f"OPTIONS {PATH} HTTP/1.1", *(f"{n}: {v}" for n, v in headers.items()), "", ""]
        self.sock.sendall("\r\n".join(lines).encode("latin-1"))
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > self.max_head:
                raise RunError(f"a response head longer than {self.max_head} bytes")
            self._receive()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.longest_head = max(self.longest_head, len(head) + 4)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        fields = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip().lower()
        if "chunked" in fields.get("transfer-encoding", ""):
            raise RunError(f"a chunked response to a preflight (status {status})")
        length = 0 if status in (204, 304) else int(fields.get("content-length", "0"))
        while len(self.buffer) < length:
            self._receive()
        self.buffer = self.buffer[length:]
        if fields.get("connection") == "close":
            self.close()
        return status

    def _receive(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            self.close()
            raise RunError("the server closed the connection in the middle of a response")
        self.buffer += chunk


def collect(server: Server) -> None:
    """Make the server collect garbage and trim its heap (SIGUSR1); wait until it has."""
    assert server.proc.stdout is not None
    os.kill(server.proc.pid, signal.SIGUSR1)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        readable, _, _ = select.select([server.proc.stdout], [], [], 1.0)
        if readable:
            line = server.proc.stdout.readline().decode()
            if line.startswith("COLLECTED"):
                return
            if not line:
                break
    raise RunError(f"the server did not collect its garbage:\n{server.log.read_text()}")


def memory_kib(pid: int) -> tuple[int, int]:
    """``VmRSS`` and ``VmHWM`` (peak RSS) of *pid*, in KiB (Linux ``/proc``)."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def measure(
    part: str, requests: int, size: int, pythonpath: str | None, deadline_s: float, logdir: Path
) -> PartResult:
    kind = PARTS[part]
    result = PartResult(part, kind, 0, size)
    server = start_server(kind, size, pythonpath, logdir)
    result.module = server.module
    try:
        client = Client(server.port, REQUEST_TIMEOUT, size + (1 << 20))
        for _ in range(WARMUP):
            status = client.preflight(ordinary(kind))
            if status != 204:
                raise RunError(f"{part}: an ordinary preflight got {status}, expected 204")
        time.sleep(0.2)
        result.rss_before_kib, _ = memory_kib(server.proc.pid)
        collect(server)
        result.collected_before_kib, _ = memory_kib(server.proc.pid)
        statuses: Counter[int] = Counter()
        started = time.perf_counter()
        for index in range(requests):
            if time.perf_counter() - started > deadline_s:
                print(f"  {part}: deadline of {deadline_s:g} s reached after {index} requests")
                break
            headers = ordinary(kind)
            headers[part] = long_value(part, index, size)
            statuses[client.preflight(headers)] += 1
            result.requests = index + 1
        result.seconds = time.perf_counter() - started
        client.close()
        result.longest_response_head = client.longest_head
        time.sleep(0.2)
        result.rss_after_kib, result.hwm_after_kib = memory_kib(server.proc.pid)
        collect(server)
        result.collected_after_kib, _ = memory_kib(server.proc.pid)
        result.statuses = {str(code): count for code, count in sorted(statuses.items())}
        unexpected = set(statuses) - CORS_STATUSES
        if unexpected:
            raise RunError(
                f"{part}: statuses {sorted(unexpected)} are not the extension's preflight answers "
                f"(seen {result.statuses}); server log:\n{server.log.read_text()[-2000:]}"
            )
    finally:
        stop_server(server.proc)
    result.growth_mib = (result.rss_after_kib - result.rss_before_kib) / 1024
    result.collected_growth_mib = (result.collected_after_kib - result.collected_before_kib) / 1024
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--part",
        action="append",
        choices=list(PARTS),
        help="the header part that carries the long values (repeatable; default all)",
    )
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS, help="per part")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="bytes per long value")
    parser.add_argument(
        "--pythonpath", metavar="DIR", help="prepended to the server's PYTHONPATH (another tree)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=600.0, help="stop a part after this long (600)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--strict", action="store_true", help=f"exit 1 if a part grows {GROWTH_LIMIT_MIB:g} MiB+"
    )
    parser.add_argument("--serve", choices=["blueprint", "host"], help=argparse.SUPPRESS)
    parser.add_argument("--header-limit", type=int, default=262_144, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.header_limit)
    if not 1 <= args.requests <= 100_000 or not 64 <= args.size <= 4_000_000:
        parser.error("--requests must be in 1..100000 and --size in 64..4000000")
    if not Path("/proc/self/status").exists():
        print("needs Linux /proc to read the server's RSS")
        return 2
    parts = args.part or list(PARTS)
    pythonpath = str(Path(args.pythonpath).resolve()) if args.pythonpath else None

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    command = " ".join([Path(sys.executable).name, *sys.argv])
    print(f"command: {command}")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(
        f"per part: a fresh waitress process, {WARMUP} ordinary preflights, then "
        f"{args.requests} preflights each with a distinct {args.size}-byte value in the part"
    )
    results: list[PartResult] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="memory-long-headers-") as tmp:
        try:
            for part in parts:
                result = measure(
                    part, args.requests, args.size, pythonpath, args.max_seconds, Path(tmp)
                )
                result.verdict = "PASS" if result.growth_mib < GROWTH_LIMIT_MIB else "MISS"
                results.append(result)
                if len(results) == 1:
                    print(f"flask_crossorigin loaded from {result.module}")
                statuses = ", ".join(f"{n} x {code}" for code, n in result.statuses.items())
                print(
                    f"  {part:40} {result.app:9} {result.requests:6} sent ({statuses}) "
                    f"{result.seconds:5.1f} s",
                    flush=True,
                )
        except (RunError, OSError, ValueError) as exc:
            print(f"ABORTED: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
    total = time.perf_counter() - started

    print()
    print(f"RSS of the server process (VmRSS), MiB; PASS below {GROWTH_LIMIT_MIB:g} MiB growth")
    header = ["part", "app", "requests", "statuses", "before", "after", "growth", "peak", ""]
    header += ["before*", "after*", "growth*"]
    rows = [header]
    for r in results:
        rows.append(
            [
                r.part,
                r.app,
                str(r.requests),
                " ".join(f"{code}:{n}" for code, n in r.statuses.items()),
                f"{r.rss_before_kib / 1024:.1f}",
                f"{r.rss_after_kib / 1024:.1f}",
                f"{r.growth_mib:+.1f}",
                f"{r.hwm_after_kib / 1024:.1f}",
                r.verdict,
                f"{r.collected_before_kib / 1024:.1f}",
                f"{r.collected_after_kib / 1024:.1f}",
                f"{r.collected_growth_mib:+.1f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  "
            + "  ".join(
                cell.ljust(w) if i < 4 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths))
            )
        )
    print("  peak: VmHWM at the end; *: after gc.collect() and malloc_trim(0) in the server")
    print(f"total time {total:.0f} s")
    if args.json:
        payload = {
            "command": command,
            "python": platform.python_version(),
            "pythonpath": pythonpath,
            "requests": args.requests,
            "size": args.size,
            "warmup": WARMUP,
            "growth_limit_mib": GROWTH_LIMIT_MIB,
            "total_seconds": round(total, 1),
            "parts": [asdict(r) for r in results],
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    if args.strict and any(r.verdict != "PASS" for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
