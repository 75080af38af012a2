"""A compiled CORS policy and the decisions it makes. No Flask here.

A :class:`Policy` is built once from validated options (see :mod:`flask_crossorigin.options`).
Every header value that depends only on the options is a precomputed string, every decision that
depends only on the origin is precomputed or cached, so answering a request is a few dictionary
lookups. Each decision carries a machine-readable :class:`Reason`, which logging, the debug header
and the CLI all reuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, NamedTuple

from ._http import escape_for_log, is_token, parse_origin_ignoring_case
from ._memo import FLAG_LIMIT, METHOD_LIMIT, ORIGIN_LIMIT, Memo
from .origins import OriginMatcher

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
ACRM = "Access-Control-Request-Method"
ACRH = "Access-Control-Request-Headers"
ACRPN = "Access-Control-Request-Private-Network"

DEFAULT_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")
#: CORS-safelisted methods (F6): a preflight asking for one passes whatever
#: Access-Control-Allow-Methods says (F15), so refusing it for ``methods`` would only break apps.
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})

#: With ``debug=True``, refusals carry this header naming the reason (visible in DevTools).
DEBUG_HEADER = "X-CORS-Refusal"

#: Every header name this package may add; used to respect what a view already set.
GRANT_HEADERS = (ACAO, ACAC, ACAM, ACAH, ACEH, ACMA, ACAPN)

#: More requested header names than any browser sends is refused rather than parsed at length.
MAX_REQUEST_HEADER_NAMES = 256
#: How many answers each per-policy memo keeps (:class:`~._memo.Memo`: bounded in entries, and a
#: key with a part longer than a browser sends is never kept).
_CACHE_LIMIT = 1024


class Reason(str, Enum):
    """Why a request was granted or refused. The values are stable ids, safe to match on."""

    ALLOWED = "allowed"
    NO_ORIGIN = "no_origin"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    ORIGIN_MALFORMED = "origin_malformed"
    ORIGIN_NULL_NOT_ALLOWED = "origin_null_not_allowed"
    ORIGIN_CALLABLE_FAILED = "origin_callable_failed"
    ORIGIN_CALLABLE_INVALID = "origin_callable_invalid"
    PATH_AMBIGUOUS = "path_ambiguous"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    METHOD_MALFORMED = "method_malformed"
    HEADER_NOT_ALLOWED = "header_not_allowed"
    HEADERS_MALFORMED = "headers_malformed"
    TOO_MANY_HEADERS = "too_many_headers"

    def __str__(self) -> str:
        return self.value


Headers = tuple[tuple[str, str], ...]


class RequestFacts(NamedTuple):
    """The parts of a request that CORS depends on, as raw strings (``None`` when absent)."""

    method: str
    path: str = "/"
    origin: str | None = None
    request_method: str | None = None
    request_headers: str | None = None
    request_private_network: str | None = None

    @property
    def is_preflight(self) -> bool:
        """F2: ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``."""
        return (
            self.method == "OPTIONS" and self.origin is not None and self.request_method is not None
        )


class Decision(NamedTuple):
    """What to do with one request: which headers to add, which ``Vary`` names to merge, and why.

    ``allowed`` is true when the response grants CORS access (``headers`` carries
    ``Access-Control-Allow-Origin``). ``detail`` names the offending value for refusals; it is
    request data and must be escaped before it is logged or sent.

    ``pairs`` is ``headers`` followed by one ``Vary`` header naming ``vary``: what a response
    without CORS headers or ``Vary`` of its own gets, appended as it is (the common case, with no
    string built per request). Build decisions with :meth:`build`, which computes it.
    """

    allowed: bool
    preflight: bool
    headers: Headers
    vary: tuple[str, ...]
    reason: Reason
    detail: str = ""
    pairs: Headers = ()

    @classmethod
    def build(
        cls,
        allowed: bool,
        preflight: bool,
        headers: Headers,
        vary: tuple[str, ...],
        reason: Reason,
        detail: str = "",
    ) -> Decision:
        """A decision, with ``pairs`` computed from *headers* and *vary*."""
        pairs = (*headers, ("Vary", ", ".join(vary))) if vary else headers
        return cls(allowed, preflight, headers, vary, reason, detail, pairs)


class HeaderRule:
    """Which request header names a preflight may ask for.

    ``any_header`` means "echo whatever valid names were requested", which is how ``'*'`` is
    honoured: a literal ``*`` would not cover ``Authorization`` (F16) and would mean nothing with
    credentials (F18), while an echo works in every case.
    """

    __slots__ = ("any_header", "display", "names", "patterns")

    def __init__(
        self,
        *,
        any_header: bool = False,
        names: Iterable[str] = (),
        patterns: Iterable[re.Pattern[str]] = (),
        display: tuple[str, ...] = (),
    ) -> None:
        self.any_header = any_header
        self.names = frozenset(name.lower() for name in names)
        self.patterns = tuple(patterns)
        self.display = display

    def allows(self, name: str) -> bool:
        """Whether the lower-cased, token-valid header *name* may be requested."""
        if self.any_header or name in self.names:
            return True
        return any(pattern.fullmatch(name) for pattern in self.patterns)


def _same(value: Any) -> object:
    return value


class Policy:
    """The compiled form of one set of CORS options.

    Instances are immutable in behaviour; the private memo dictionaries only cache answers that
    are pure functions of the options and the request values.

    Each option of :data:`flask_crossorigin.options.OPTIONS` (but ``resources``) is an attribute
    of the same name holding its compiled value: a plain attribute, read by adapters on every
    request. :func:`~flask_crossorigin.options.build_policy` makes policies from that table.
    """

    # The options' compiled values, typed for the code that reads them (the table sets them all).
    origins: OriginMatcher
    #: ``None`` for ``methods='*'``: any method a preflight asks for.
    methods: tuple[str, ...] | None
    allow_headers: HeaderRule
    expose_headers: tuple[str, ...]
    supports_credentials: bool
    max_age: int | None
    send_wildcard: bool
    vary_header: bool
    automatic_options: bool
    intercept_exceptions: bool
    always_send: bool
    allow_private_network: bool
    debug: bool
    #: Log each refusal at WARNING, rate-limited (the adapter does it; see ``flask cors
    #: explain --page operating``).
    log_refusals: bool

    def __init__(
        self,
        options: Mapping[str, Any],
        *,
        sources: Mapping[str, str] | None = None,
        show: Mapping[str, Callable[[Any], object]] | None = None,
    ) -> None:
        """Keep *options* (option name -> compiled value) as attributes.

        *sources* says where each value came from; *show* turns each compiled value into the
        plain one :meth:`describe` shows (the value itself for an option it does not name).
        """
        for name, value in options.items():
            setattr(self, name, value)
        self._show = {name: (show or {}).get(name, _same) for name in options}
        #: option name -> where its value came from, for ``flask cors routes`` and error messages.
        self.sources: Mapping[str, str] = dict(sources or {})

        origins = self.origins
        self._method_set = None if self.methods is None else frozenset(self.methods)
        static_acao = origins.any and self.send_wildcard and not self.supports_credentials
        self._vary_actual: tuple[str, ...] = ()
        if self.vary_header and not (static_acao and self.always_send):
            self._vary_actual = ("Origin",)
        preflight_vary = [ACRM, ACRH] + ([ACRPN] if self.allow_private_network else [])
        self._vary_preflight: tuple[str, ...] = (
            (*self._vary_actual, *preflight_vary) if self.vary_header else ()
        )

        credentials: Headers = ((ACAC, "true"),) if self.supports_credentials else ()
        expose: Headers = ((ACEH, ", ".join(self.expose_headers)),) if self.expose_headers else ()
        self._actual_tail = credentials + expose
        self._preflight_tail = credentials
        self._acam = None if self.methods is None else ", ".join(self.methods)
        self._max_age: Headers = ((ACMA, str(self.max_age)),) if self.max_age is not None else ()

        self._wildcard_actual = Decision.build(
            True, False, ((ACAO, "*"), *expose), self._vary_actual, Reason.ALLOWED
        )
        if origins.any and self.always_send:
            self._no_origin = self._wildcard_actual._replace(reason=Reason.NO_ORIGIN)
        else:
            self._no_origin = Decision.build(False, False, (), self._vary_actual, Reason.NO_ORIGIN)
        # Under any-origin, listed origins change nothing: '*' or the echo applies to all alike.
        self._preset: dict[str | None, Decision] = {None: self._no_origin}
        if not origins.any:
            self._preset.update((origin, self._grant_actual(origin)) for origin in origins.exact)
        #: What :meth:`actual` has decided, by the request's ``Origin`` (``None`` for none): the
        #: requests without one and each origin listed exactly from set-up, every other origin
        #: once decided (bounded: when full it starts again from the set-up ones; a callable's
        #: answers are never kept). Adapters read it first on their hot path, a dictionary lookup
        #: instead of a method call, and call :meth:`actual` when the origin is not in it.
        self.decisions_by_origin: dict[str | None, Decision] = dict(self._preset)
        self._headers_memo: Memo[str, tuple[str | None, Reason, str]] = Memo(_CACHE_LIMIT)
        self._preflight_memo: Memo[tuple[str, str, str | None, str | None], Decision] = Memo(
            _CACHE_LIMIT
        )

    # -- actual requests ------------------------------------------------------------------------

    def actual(self, origin: str | None) -> Decision:
        """Decide the CORS headers of an ordinary (non-preflight) response."""
        decision = self.decisions_by_origin.get(origin)
        if decision is not None:
            return decision
        # Requests without Origin are always in decisions_by_origin (preset, kept on reset).
        assert origin is not None
        acao, reason = self._grant_origin(origin)
        if acao is None:
            decision = self._refuse(False, reason, origin)
        elif acao == "*":
            decision = self._wildcard_actual
        else:
            decision = self._grant_actual(acao)
        if self.origins.is_static and len(origin) <= ORIGIN_LIMIT:
            known = self.decisions_by_origin
            if len(known) >= _CACHE_LIMIT + len(self._preset):
                # A new dictionary rather than clear(): a reader in another thread sees either.
                known = self.decisions_by_origin = dict(self._preset)
            known[origin] = decision
        return decision

    def _grant_actual(self, origin: str) -> Decision:
        return Decision.build(
            True, False, ((ACAO, origin), *self._actual_tail), self._vary_actual, Reason.ALLOWED
        )

    def _grant_origin(self, origin: str) -> tuple[str | None, Reason]:
        """The ``Access-Control-Allow-Origin`` value for *origin*, or ``None`` and the reason."""
        if self.origins.any:
            if self.send_wildcard or origin == "null" or parse_origin_ignoring_case(origin) is None:
                # Any-origin policies never carry credentials, so '*' grants what an echo would,
                # without reflecting an opaque or malformed value.
                return "*", Reason.ALLOWED
            return origin, Reason.ALLOWED
        if origin in self.origins.exact:
            return origin, Reason.ALLOWED
        refusal = self.origins.refusal(origin)
        if refusal is None:
            return origin, Reason.ALLOWED
        return None, Reason(refusal)

    # -- preflights ------------------------------------------------------------------------------

    def preflight(
        self,
        origin: str,
        request_method: str,
        request_headers: str | None = None,
        request_private_network: str | None = None,
    ) -> Decision:
        """Decide the answer to a CORS preflight (F13-F19)."""
        key = (origin, request_method, request_headers, request_private_network)
        decision = self._preflight_memo.get(key)
        if decision is not None:
            return decision
        decision = self._decide_preflight(*key)
        if self.origins.is_static:
            self._preflight_memo.keep(
                key,
                decision,
                (len(origin), ORIGIN_LIMIT),
                (len(request_method), METHOD_LIMIT),
                (len(request_headers or ""), ORIGIN_LIMIT),
                (len(request_private_network or ""), FLAG_LIMIT),
            )
        return decision

    def _decide_preflight(
        self,
        origin: str,
        request_method: str,
        request_headers: str | None,
        request_private_network: str | None,
    ) -> Decision:
        acao, reason = self._grant_origin(origin)
        if acao is None:
            return self._refuse(True, reason, origin)
        if self._method_set is None:
            if not is_token(request_method):
                return self._refuse(True, Reason.METHOD_MALFORMED, request_method)
            acam = request_method
        elif request_method in self._method_set or request_method in SAFELISTED_METHODS:
            # F15: the browser does not look for a safelisted method in ACAM; the configured list
            # is still what we send, so the answer never claims more than the policy allows.
            acam = self._acam or request_method
        else:
            reason = Reason.METHOD_NOT_ALLOWED
            if not is_token(request_method):
                reason = Reason.METHOD_MALFORMED
            return self._refuse(True, reason, request_method)
        acah, reason, detail = self._requested_headers(request_headers)
        if acah is None:
            return self._refuse(True, reason, detail)
        headers: list[tuple[str, str]] = [(ACAO, acao)]
        if acao != "*":
            headers.extend(self._preflight_tail)
        headers.append((ACAM, acam))
        if acah:
            headers.append((ACAH, acah))
        headers.extend(self._max_age)
        if self.allow_private_network and request_private_network == "true":
            headers.append((ACAPN, "true"))
        return Decision.build(True, True, tuple(headers), self._vary_preflight, Reason.ALLOWED)

    def _refuse(self, preflight: bool, reason: Reason, detail: str) -> Decision:
        vary = self._vary_preflight if preflight else self._vary_actual
        headers: Headers = ()
        if self.debug:
            shown = escape_for_log(detail) if detail else ""
            headers = ((DEBUG_HEADER, f"{reason.value} {shown}".strip()),)
        return Decision.build(False, preflight, headers, vary, reason, detail)

    def _requested_headers(self, raw: str | None) -> tuple[str | None, Reason, str]:
        """Check ``Access-Control-Request-Headers``; return the ACAH value to send, or ``None``.

        Items are split on commas and stripped, so values joined by gateways (``a, b``) and
        repeated headers work (F4); every item must be a token and allowed.
        """
        if not raw:
            return "", Reason.ALLOWED, ""
        known = self._headers_memo.get(raw)
        if known is not None:
            return known
        result: tuple[str | None, Reason, str]
        items = raw.split(",")
        if len(items) > MAX_REQUEST_HEADER_NAMES:
            result = (None, Reason.TOO_MANY_HEADERS, f"{len(items)} names")
        else:
            names: list[str] = []
            result = ("", Reason.ALLOWED, "")
            for item in items:
                name = item.strip(" \t").lower()
                if not name:
                    continue
                if not is_token(name):
                    result = (None, Reason.HEADERS_MALFORMED, name)
                    break
                if not self.allow_headers.allows(name) or (
                    name == "*" and self.supports_credentials
                ):
                    # F18, F39: a '*' in ACAH next to credentials is never sent, even when a
                    # page asks for a header literally named '*'.
                    result = (None, Reason.HEADER_NOT_ALLOWED, name)
                    break
                if name not in names:
                    names.append(name)
            else:
                result = (", ".join(names), Reason.ALLOWED, "")
        self._headers_memo.keep(raw, result, (len(raw), ORIGIN_LIMIT))
        return result

    # -- the generic entry point -----------------------------------------------------------------

    def decide(self, facts: RequestFacts) -> Decision:
        """Decide any request; adapters with their own fast paths call the methods above."""
        if facts.is_preflight:
            assert facts.origin is not None and facts.request_method is not None
            return self.preflight(
                facts.origin,
                facts.request_method,
                facts.request_headers,
                facts.request_private_network,
            )
        return self.actual(facts.origin)

    def describe(self) -> dict[str, object]:
        """The effective options in plain values, for ``flask cors routes`` and debugging."""
        return {name: show(getattr(self, name)) for name, show in self._show.items()}

    def refusing(self, reason: Reason, detail: str) -> Policy:
        """A twin of this policy that grants nothing: every request is refused for *reason*.

        What a request gets when the adapter cannot tell which policy covers it (a path whose
        two readings select different policies: ``path_ambiguous``). Requests without ``Origin``
        get no CORS header either, not even an any-origin policy's ``*`` (F33 is a may): an
        ambiguous path grants nothing at all. ``Vary`` stays this policy's, so shared caches
        keep answers apart as they would for this policy.
        """
        return _RefusingPolicy(self, reason, detail)


class _RefusingPolicy(Policy):
    """:meth:`Policy.refusing`'s answer: the options of *base*, decisions that all refuse."""

    def __init__(self, base: Policy, reason: Reason, detail: str) -> None:
        self.__dict__.update(base.__dict__)
        self._refusals = (base._refuse(False, reason, detail), base._refuse(True, reason, detail))
        self.decisions_by_origin = {
            None: Decision.build(False, False, (), base._vary_actual, Reason.NO_ORIGIN)
        }

    def actual(self, origin: str | None) -> Decision:
        return self.decisions_by_origin[None] if origin is None else self._refusals[0]

    def preflight(
        self,
        origin: str,
        request_method: str,
        request_headers: str | None = None,
        request_private_network: str | None = None,
    ) -> Decision:
        return self._refusals[1]
