"""Many concurrent clients against real threaded servers (issue 6, "Concurrency").

waitress (8 threads) and gunicorn (``gthread``, 2 workers x 8 threads) serve one app with several
policies: an exact list, a subdomain glob, a compiled regex, a callable, a credentialed list, and a
blueprint with its own ``CORS``; ``/plain/`` is covered by no policy. Sixteen client threads, each
on its own keep-alive connection, send a fixed, seeded mix of actual requests and preflights from
many origins (allowed ones, other policies' ones, look-alikes, ``null``, malformed, none).

Every response is judged against what *its own* request deserves, computed from the request and
the policy's plain-Python oracle in ``xo_apps`` (never from the library):

* ACAO is the request's own origin or absent, never another client's (F13.3, F25);
* ACAC ``true`` exactly on granted responses of the credentialed policy (F13.4, F40);
* an allowed preflight is a 204 that a browser's CORS check would pass: its method is in ACAM and
  every requested header in ACAH (F14-F17); a preflight from a refused origin, or for a method or
  header the policy does not allow, is a 403 with no grant headers that no browser would pass
  (F15-F17, F23, F37); an OPTIONS without ``Origin`` is no CORS request and gets no grant (F1);
* ``Vary`` contains ``Origin`` on every response of a covered path (F41);
* actual responses echo the request's own id (no cross-talk between threads) and nothing is 5xx.

The run is bounded: a fixed number of requests, a per-server deadline, and the servers are stopped
by PID. ``XO_CONCURRENCY_REQUESTS`` overrides the per-server request count.
"""

from __future__ import annotations

import collections
import http.client
import os
import random
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from xo_apps import (
    BP,
    CONCURRENCY_POLICIES,
    CRED,
    EVIL,
    A,
    B,
    C,
    Policy,
)
from xo_servers import LOOPBACK, ProcessGroup, ServerProcess

pytestmark = pytest.mark.server

REQUESTS_PER_SERVER = int(os.environ.get("XO_CONCURRENCY_REQUESTS", "20000"))
CLIENT_THREADS = 16
DEADLINE_SECONDS = 150.0
SEED = 20261121
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})  # F6

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACMA = "Access-Control-Max-Age"
ACEH = "Access-Control-Expose-Headers"
GRANT_HEADERS = (ACAO, ACAC, ACAM, ACAH, ACMA)

# Origins every policy sees; the oracle decides which each one allows. Look-alikes probe the
# matchers' edges: scheme, port, suffix, label boundaries, case (listed origins match ignoring
# case, as in flask-cors: drop-in issue).
SHARED_ORIGINS = (
    A,
    B,
    C,
    CRED,
    BP,
    EVIL,
    "null",  # F35/F44: never listed here, so never allowed
    "https://glob.test",
    "http://u1.glob.test",
    "https://u1.glob.test.evil.test",
    "https://u1.glob.test:8443",
    "https://app-7.regex.test",
    "https://app-7.regex.test.evil.test",
    "https://app-x.regex.test",
    "https://s1.callable.test",
    "https://callable.test",
    "http://s1.callable.test",
    "https://a.list.test:8443",
    "https://a.list.test.evil.test",
    "HTTPS://A.LIST.TEST",
    "https://bp.test.evil.test",
)


def allowed_origin(policy: Policy, rng: random.Random, n: int) -> str:
    """An origin *policy* allows; many distinct values for the pattern-based policies."""
    if policy.name == "glob":
        return rng.choice((f"https://u{n}.glob.test", f"https://x{n}.deep.glob.test"))
    if policy.name == "regex":
        return f"https://app-{n}.regex.test"
    if policy.name == "callable":
        return f"https://s{n}.callable.test"
    if policy.name == "list":
        return rng.choice((A, B, C))
    if policy.name == "cred":
        return rng.choice((A, CRED))
    if policy.name == "bp":
        return BP
    return A  # /plain/: A is allowed nowhere there


@dataclass(frozen=True)
class Req:
    rid: int
    policy: Policy
    method: str
    path: str
    origin: str | None
    #: For preflights: the Access-Control-Request-Method and the (lower-case) requested headers.
    acrm: str | None = None
    acrh: tuple[str, ...] = ()

    @property
    def preflight(self) -> bool:
        return self.acrm is not None

    def headers(self) -> dict[str, str]:
        headers = {"X-Req-Id": str(self.rid)}
        if self.origin is not None:
            headers["Origin"] = self.origin
        if self.acrm is not None:
            headers["Access-Control-Request-Method"] = self.acrm
            headers["Accept"] = "*/*"
            if self.acrh:
                headers["Access-Control-Request-Headers"] = ",".join(self.acrh)  # F4
        elif self.method in ("POST", "PUT"):
            headers["Content-Type"] = "text/plain"
        return headers


def build_requests(count: int, seed: int) -> list[Req]:
    rng = random.Random(seed)
    requests = []
    for rid in range(count):
        policy = rng.choice(CONCURRENCY_POLICIES)
        roll = rng.random()
        origin: str | None
        # Thousands of distinct origins and paths: more than the library's bounded memos hold, so
        # they are evicted and refilled while other threads read them.
        if roll < 0.5:
            origin = allowed_origin(policy, rng, rng.randrange(5000))
        elif roll < 0.6:
            origin = None
        elif roll < 0.7:
            origin = f"https://n{rng.randrange(5000)}.evil.test"
        else:
            origin = rng.choice(SHARED_ORIGINS)
        path = f"{policy.prefix}item/{rid}"
        if rng.random() < 0.4:
            acrm = rng.choice(("PUT", "PUT", "DELETE", "PATCH", "POST"))
            acrh = rng.choice(
                ((), ("content-type",), ("content-type", "x-token"), ("x-token",), ("x-other",),
                 ("authorization",))
            )  # fmt: skip
            requests.append(Req(rid, policy, "OPTIONS", path, origin, acrm, acrh))
        else:
            method = rng.choice(("GET", "GET", "GET", "POST", "PUT", "DELETE"))
            requests.append(Req(rid, policy, method, path, origin))
    return requests


# --- the oracle --------------------------------------------------------------------------------


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def items(self, name: str) -> list[str]:
        return [i.strip() for value in self.all(name) for i in value.split(",") if i.strip()]


def browser_preflight_passes(req: Req, resp: Response) -> bool:
    """Would a browser's CORS-preflight fetch succeed with this response? (F13-F18)"""
    assert req.acrm is not None and req.origin is not None
    credentials = req.policy.credentials
    if not 200 <= resp.status <= 299:  # F14
        return False
    acao = resp.all(ACAO)
    if len(acao) != 1 or not (acao[0] == req.origin or (acao[0] == "*" and not credentials)):
        return False  # F13.1-3, F25
    if credentials and resp.all(ACAC) != ["true"]:  # F13.4
        return False
    methods = resp.items(ACAM)  # byte-exact (F7, F15)
    method_listed = req.acrm in methods or req.acrm in SAFELISTED_METHODS
    if not method_listed and (credentials or "*" not in methods):  # F15, F18
        return False
    allowed_headers = {h.lower() for h in resp.items(ACAH)}
    for name in req.acrh:
        if name in allowed_headers:
            continue
        if name == "authorization":  # F16: never covered by "*"
            return False
        if credentials or "*" not in allowed_headers:  # F17, F18
            return False
    return True


def preflight_expectation(req: Req) -> str:
    """``"allow"``, ``"deny"`` (origin refused), ``"fail"`` (method or header refused),
    ``"either"``, or ``"not-cors"``: without ``Origin`` an OPTIONS is no CORS request (F1)."""
    policy = req.policy
    assert req.acrm is not None
    if req.origin is None:
        return "not-cors"
    if not policy.allows(req.origin):
        return "deny"
    if req.acrm not in policy.methods:
        return "fail"
    if policy.headers is not None:
        return "allow" if set(req.acrh) <= policy.headers else "fail"
    # allow_headers left at its default: whether Authorization is echoed is the library's choice
    # (F16), so only the safety properties are checked for that one.
    return "either" if "authorization" in req.acrh else "allow"


def check(req: Req, resp: Response) -> list[str]:
    """Every way *resp* differs from what *req* deserves (empty when it is right)."""
    problems: list[str] = []
    policy = req.policy
    acao = resp.all(ACAO)
    if resp.status >= 500:
        problems.append("5xx")
    if len(acao) > 1:
        problems.append("several ACAO values (F25)")
    if acao and acao != [req.origin]:
        problems.append(f"ACAO is not the request's own origin (F13.3): {acao!r}")
    if resp.all(ACAC) and (not acao or not policy.credentials):
        problems.append("ACAC without a credentialed grant (F26, F40)")
    if policy.covered and "origin" not in {v.lower() for v in resp.items("Vary")}:
        problems.append("no Vary: Origin on a covered path (F41)")

    if not policy.covered:
        for name in GRANT_HEADERS:
            if resp.all(name):
                problems.append(f"{name} on a path no policy covers")
    elif req.preflight:
        expect = preflight_expectation(req)
        passes = req.origin is not None and browser_preflight_passes(req, resp)
        if expect == "allow":
            if resp.status != 204:
                problems.append("an allowed preflight is not 204 (F14, F36)")
            if not passes:
                problems.append("a browser would fail this allowed preflight (F13-F17)")
        elif expect in ("deny", "fail"):
            # Refused origin, method or header: an explicit 403 that grants nothing (F23, F37).
            if resp.status != 403:
                problems.append("a refused preflight is not 403 (F23, F37)")
            for name in GRANT_HEADERS:
                if resp.all(name):
                    problems.append(f"a refused preflight carries {name} (F37)")
            if passes:
                problems.append("a browser would pass a preflight the policy refuses (F15-F17)")
        elif expect == "not-cors":
            for name in GRANT_HEADERS:
                if resp.all(name):
                    problems.append(f"{name} on an OPTIONS without Origin (F1)")
        elif passes and resp.status != 204:  # "either": if it grants, it grants properly
            problems.append("a granted preflight is not 204 (F14, F36)")
    else:
        if resp.status != 200:
            problems.append(f"actual request answered {resp.status}, not 200")
        if resp.all("X-Echo-Id") != [str(req.rid)]:
            problems.append(f"response belongs to another request: {resp.all('X-Echo-Id')!r}")
        allowed = req.origin is not None and policy.allows(req.origin)
        if allowed and req.method in policy.methods:
            if acao != [req.origin]:
                problems.append("an allowed origin got no grant (F13)")
            if policy.credentials and resp.all(ACAC) != ["true"]:
                problems.append("credentialed grant without ACAC: true (F13.4)")
            if policy.name == "list" and "x-echo-id" not in {v.lower() for v in resp.items(ACEH)}:
                problems.append("expose_headers missing from an allowed actual response (F24)")
        elif not allowed and acao:
            problems.append("a refused or absent origin got ACAO (F23)")
    return problems


# --- the client --------------------------------------------------------------------------------


@dataclass
class Tally:
    done: int = 0
    reconnects: int = 0
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    served_by: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    failure_count: int = 0
    problems: collections.Counter[str] = field(default_factory=collections.Counter)


def run_client(port: int, chunk: Sequence[Req], deadline: float) -> Tally:
    tally = Tally()
    conn: http.client.HTTPConnection | None = None
    try:
        for req in chunk:
            if time.monotonic() > deadline:
                break
            body = b"ping" if req.method in ("POST", "PUT") else None
            for attempt in range(2):
                if conn is None:
                    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
                try:
                    conn.request(req.method, req.path, body=body, headers=req.headers())
                    raw = conn.getresponse()
                    resp = Response(raw.status, raw.getheaders(), raw.read())
                    break
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    # The server may close an idle keep-alive connection; retry once, and count
                    # it so that a server dropping connections under load shows up.
                    conn.close()
                    conn = None
                    tally.reconnects += 1
                    if attempt:
                        raise
            if raw.will_close:
                conn.close()
                conn = None
            tally.done += 1
            kind = "preflight" if req.preflight else "actual"
            tally.statuses[f"{kind} {resp.status}"] += 1
            tally.served_by.update(resp.all("X-Served-By"))
            problems = check(req, resp)
            if problems:
                tally.failure_count += 1
                tally.problems.update(p.partition(": ")[0] for p in problems)
                if len(tally.failures) < 10:
                    tally.failures.append(
                        f"{req.method} {req.path} Origin={req.origin!r} ACRM={req.acrm!r} "
                        f"ACRH={','.join(req.acrh)!r}: {'; '.join(problems)}\n"
                        f"    -> {resp.status} {resp.headers!r}"
                    )
    finally:
        if conn is not None:
            conn.close()
    return tally


def hammer(server: ServerProcess, requests: list[Req]) -> tuple[Tally, float]:
    chunks = [requests[i::CLIENT_THREADS] for i in range(CLIENT_THREADS)]
    start = time.monotonic()
    deadline = start + DEADLINE_SECONDS
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS, thread_name_prefix="xo-client") as pool:
        tallies = list(pool.map(lambda chunk: run_client(server.port, chunk, deadline), chunks))
    elapsed = time.monotonic() - start
    total = Tally()
    for tally in tallies:
        total.done += tally.done
        total.reconnects += tally.reconnects
        total.statuses.update(tally.statuses)
        total.served_by |= tally.served_by
        total.failures.extend(tally.failures)
        total.failure_count += tally.failure_count
        total.problems.update(tally.problems)
    return total, elapsed


SERVERS = {
    "waitress-8-threads": lambda group: group.waitress("concurrency", threads=8),
    "gunicorn-gthread-2x8": lambda group: group.gunicorn("concurrency", workers=2, threads=8),
}


@pytest.mark.parametrize("server_name", sorted(SERVERS))
def test_every_concurrent_response_is_its_own(processes: ProcessGroup, server_name: str) -> None:
    server = SERVERS[server_name](processes)
    requests = build_requests(REQUESTS_PER_SERVER, SEED + len(server_name))
    try:
        tally, elapsed = hammer(server, requests)
    finally:
        server.stop()
    summary = (
        f"{server_name}: {tally.done}/{len(requests)} requests in {elapsed:.1f}s "
        f"({tally.done / max(elapsed, 1e-9):.0f}/s), {tally.reconnects} reconnects, "
        f"{len(tally.served_by)} server threads, statuses {dict(sorted(tally.statuses.items()))}"
    )
    print(summary)
    assert tally.failure_count == 0, (
        f"{tally.failure_count} wrong responses: {dict(tally.problems)}; first ones:\n"
        + "\n".join(tally.failures)
    )
    assert tally.done == len(requests), f"deadline of {DEADLINE_SECONDS}s hit: {summary}"
    assert not any(key.endswith(tuple(f" {c}" for c in range(500, 600))) for key in tally.statuses)
    assert tally.reconnects <= len(requests) // 100, f"too many dropped connections: {summary}"
    assert len(tally.served_by) > 1, f"the server never ran two requests on two threads: {summary}"
