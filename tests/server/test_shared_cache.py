"""A real shared cache (nginx ``proxy_cache``) in front of a flask-crossorigin app (issue 6).

The cache key deliberately leaves ``Origin`` out (``$scheme$proxy_host$request_uri``), as most CDN
and reverse-proxy setups do, and the app marks every response ``Cache-Control: public,
max-age=60``. The only thing that keeps one origin's response away from another client is the
``Vary: Origin`` the library adds (F32, F41). nginx honours an upstream ``Vary`` by storing one
variant per distinct ``Origin`` value, and reports what it did in ``X-Cache-Status``.

For every response we check what *that* request deserves, whatever the cache did:

* an allowed origin gets its own origin in ACAO (or ``*`` for a ``send_wildcard`` policy), never
  another origin's, and is never denied by a cached refusal (F13.3, F25);
* a refused origin, or a request without ``Origin``, gets no ACAO (F23, F37);
* ACAC is ``true`` exactly on allowed responses of a credentialed policy (F13.4, F26, F40);
* responses whose CORS headers depend on ``Origin`` carry ``Vary: Origin`` (F32, F41);
* a repeated identical request is a cache ``HIT`` (the cache really was used).

nginx must be installed (Debian: ``apt-get install -y nginx-light``). Without it the module skips
locally and fails when ``CI=true``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from xo_apps import EVIL, SHARED_POLICIES, A, B, Policy
from xo_servers import ProcessGroup, ServerProcess, fetch, nginx_binary

pytestmark = pytest.mark.server

POLICIES = {policy.name: policy for policy in SHARED_POLICIES}
_paths = itertools.count()

# Each scenario is a sequence of request origins (None: no Origin header) sent to one fresh URL.
SCENARIOS = {
    # Two allowed origins one after the other: B must not get A's cached grant.
    "origin-a-then-b": [A, A, B, B, A, B],
    # A refused origin first: its grant-less response must not be served to A (no cached denial).
    "refused-then-a": [EVIL, EVIL, A, A, EVIL],
    # A request without Origin first (F32's own example): A must still get its grant.
    "no-origin-then-a": [None, None, A, A, None, B],
    # Many distinct origins, each twice, interleaved.
    "many-origins": [
        *(f"https://o{i}.many.test" for i in range(8)),
        A,
        *(f"https://o{i}.many.test" for i in range(8)),
        A,
        B,
    ],
}


@dataclass
class Exchange:
    origin: str | None
    status: int
    headers: list[tuple[str, str]]

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def vary(self) -> set[str]:
        return {
            item.strip().lower()
            for value in self.all("Vary")
            for item in value.split(",")
            if item.strip()
        }

    @property
    def cache(self) -> str | None:
        values = self.all("X-Cache-Status")
        return values[0] if values else None

    def __str__(self) -> str:
        return f"Origin={self.origin!r} -> {self.status} {self.headers!r}"


@pytest.fixture(scope="module")
def proxy(processes: ProcessGroup) -> ServerProcess:
    nginx_binary()  # skip (locally) or fail (CI=true) before starting anything
    upstream = processes.waitress("shared", threads=4)
    return processes.nginx(upstream)


def send(proxy: ServerProcess, path: str, origin: str | None, method: str = "GET") -> Exchange:
    headers = {"Origin": origin} if origin is not None else {}
    status, header_list, _ = fetch(proxy.port, method, path, headers)
    return Exchange(origin, status, header_list)


def assert_own_grant(policy: Policy, ex: Exchange) -> None:
    """The response carries exactly the grant its own request deserves."""
    acao = ex.all("Access-Control-Allow-Origin")
    acac = ex.all("Access-Control-Allow-Credentials")
    assert ex.status == 200, ex
    assert len(acao) <= 1, f"ACAO must be a single value (F25): {ex}"
    allowed = ex.origin is not None and policy.allows(ex.origin)
    if allowed:
        assert ex.origin is not None
        expected = "*" if policy.wildcard and not policy.credentials else ex.origin
        assert acao == [expected], f"allowed origin denied or handed another's grant: {ex}"
        assert acac == (["true"] if policy.credentials else []), f"F13.4/F26: {ex}"
    else:
        # An any-origin policy may send `*` to everybody (F33); nobody else may get a grant.
        permitted = ([], ["*"]) if policy.any_origin and not policy.credentials else ([],)
        assert acao in permitted, f"a refused or absent origin gets no grant (F23/F37): {ex}"
        assert acac == [], f"ACAC only with a granted origin (F40): {ex}"
    if not policy.wildcard:
        assert "origin" in ex.vary(), f"an Origin-dependent response needs Vary: Origin (F41): {ex}"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("policy_name", sorted(POLICIES))
def test_shared_cache_never_mixes_grants(
    proxy: ServerProcess, policy_name: str, scenario: str
) -> None:
    policy = POLICIES[policy_name]
    path = f"{policy.prefix}{scenario}/{next(_paths)}"
    seen: set[str | None] = set()
    exchanges = []
    for origin in SCENARIOS[scenario]:
        ex = send(proxy, path, origin)
        exchanges.append(ex)
        assert_own_grant(policy, ex)
        if origin in seen:
            # Same URL, same Origin again within max-age: the shared cache must answer.
            assert ex.cache == "HIT", f"expected a cache HIT for a repeat request: {ex}"
        elif not policy.wildcard:
            # A new Origin value is a new variant under Vary: Origin, so it cannot be a HIT of
            # somebody else's response.
            assert ex.cache == "MISS", f"a new origin must not be served a cached variant: {ex}"
        seen.add(origin)
    assert any(ex.cache == "HIT" for ex in exchanges), "the cache was never used"


@pytest.mark.parametrize("policy_name", sorted(POLICIES))
def test_cached_no_origin_response_is_not_reused_for_cors(
    proxy: ServerProcess, policy_name: str
) -> None:
    """The exact hazard of F32: a response cached from a non-CORS request, then a CORS request."""
    policy = POLICIES[policy_name]
    path = f"{policy.prefix}f32/{next(_paths)}"
    send(proxy, path, None)
    again = send(proxy, path, None)
    assert again.cache == "HIT", again
    for origin in (A, B, EVIL):
        ex = send(proxy, path, origin)
        assert_own_grant(policy, ex)


def test_preflights_pass_through_the_cache(proxy: ServerProcess) -> None:
    """nginx never caches OPTIONS, so each preflight is answered by the app itself (F36, F37)."""
    policy = POLICIES["restricted"]
    path = f"{policy.prefix}preflight/{next(_paths)}"
    for _ in range(2):
        status, headers, _ = fetch(
            proxy.port, "OPTIONS", path, {"Origin": A, "Access-Control-Request-Method": "PUT"}
        )
        ex = Exchange(A, status, headers)
        assert ex.status == 204, ex
        assert ex.all("Access-Control-Allow-Origin") == [A], ex
        assert ex.cache in (None, "", "BYPASS"), ex
        status, headers, _ = fetch(
            proxy.port,
            "OPTIONS",
            path,
            {"Origin": EVIL, "Access-Control-Request-Method": "PUT"},
        )
        refused = Exchange(EVIL, status, headers)
        assert refused.status == 403, refused
        for name in (
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Credentials",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Max-Age",
        ):
            assert refused.all(name) == [], f"a refused preflight grants nothing (F37): {refused}"


def test_negative_control_missing_vary_leaks_through_the_cache(proxy: ServerProcess) -> None:
    """A hand-written view that echoes Origin *without* Vary really does leak through nginx.

    This proves the harness would catch the bug the library must not have: B receives A's grant
    from the cache, so B's browser would fail its CORS check (F13.3) and, with an allow-all echo,
    a third origin could be handed a grant meant for somebody else.
    """
    path = f"/broken/{next(_paths)}"
    first = send(proxy, path, A)
    assert first.all("Access-Control-Allow-Origin") == [A], first
    assert first.cache == "MISS", first
    leaked = send(proxy, path, B)
    assert leaked.cache == "HIT", leaked
    assert leaked.all("Access-Control-Allow-Origin") == [A], leaked
