"""SPF (RFC 7208): check_host() for a sender's IP, and the policy view of a domain's record.

Both ask for DNS data through an injected `SpfDnsSource` (TXT / A / AAAA / MX / PTR answers or a
typed failure), so they run on a stub in tests (the official openspf suites pass completely:
tests/unit/test_spf_suites.py) and on the product's resolver through
`maildoctor.domain.dnssource.DnsClientSource`. The record's text is judged by the pure
`maildoctor.domain.spf_record`; this module holds the evaluation order, the limits and the
bookkeeping a diagnosis needs:

* `check_host()` returns exactly the RFC result, with the explanation (exp=), the mechanism that
  decided, the count of DNS-querying terms and of void lookups, every record on the way, the DNS
  queries made, and for permerror/temperror a typed reason (`SpfError`): several records, a
  syntax error with its term, the 11th DNS-querying term with the include/redirect chain that
  led to it, the third void lookup, an include or redirect loop, an include without a record,
  more than 10 MX names, a DNS failure with the name and type.
* `analyze_spf_policy()` needs no IP: the record(s), syntax problems, the DNS-querying terms a
  check needs when no term matches (the worst case of the 10-limit, with the chain that crosses
  it), void lookups, ``+all``/``?all``/no ``all``, ``ptr``, and the networks it authorises where
  they can be listed.

Counting follows RFC 7208 section 4.6.4: include, a, mx, ptr, exists and redirect count one each
when they are evaluated (the 11th is permerror before its query); exp= and the queries of the
%{p} macro do not count. A void lookup is a term whose own query (a: A/AAAA, mx: MX, ptr: PTR,
exists: A) answers NXDOMAIN or no records; the address lookups of MX and PTR names are not
counted as void (the RFC counts terms), and an include/redirect without a record is already
permerror. A name that cannot be queried (an empty or over-long label after macro expansion) is
no match for a/mx/exists/ptr and "no record" for include/redirect (sections 4.3 and 4.8).

Speed without changing the result: the evaluation itself is sequential, as the RFC orders it,
but it reads from a shared cache of in-flight queries. As soon as a record is parsed, the TXT of
its include/redirect targets and the A/AAAA/MX data of its a/mx/exists/ptr terms are requested
at once (and, recursively, those of the included records), limited to the terms that can come
before the 11th lookup; MX and PTR names are resolved in parallel. So the wall time follows the
depth of the include chain, not the number of lookups. `DnsQuery.depth` records for each query
the earliest sequential round it could be sent in; `SpfCheck.min_rounds` is the most the
evaluation needed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Generic, Protocol, TypeVar, cast

from maildoctor.domain.spf_record import (
    MacroContext,
    MacroString,
    Mechanism,
    MechanismKind,
    Qualifier,
    SpfRecord,
    SpfResult,
    SpfSyntaxError,
    SyntaxIssue,
    expand_domain,
    expand_macro_string,
    is_spf_record,
    join_txt,
    parse_explain_string,
    parse_record,
    valid_domain,
)

__all__ = [
    "AuthorisedNetwork",
    "ChainStep",
    "DnsAnswer",
    "DnsFailure",
    "DnsQuery",
    "EvaluatedRecord",
    "MatchedTerm",
    "PolicyIssue",
    "PolicyProblem",
    "SpfCheck",
    "SpfDnsSource",
    "SpfError",
    "SpfErrorKind",
    "SpfPolicy",
    "SpfResult",
    "analyze_spf_policy",
    "check_host",
    "check_mail_from",
    "spf_identity",
    "spf_json",
]

LOOKUP_LIMIT: Final = 10
VOID_LIMIT: Final = 2
MX_LIMIT: Final = 10
PTR_LIMIT: Final = 10
TIME_LIMIT: Final = 20.0  # RFC 7208 section 4.6.4: "at least 20 seconds", then temperror

T = TypeVar("T")
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# ----------------------------------------------------------------------------- the DNS interface


class DnsFailure(StrEnum):
    NXDOMAIN = "nxdomain"  # the name does not exist (a void lookup)
    NODATA = "nodata"  # the name exists without records of the type (a void lookup)
    SERVFAIL = "servfail"
    TIMEOUT = "timeout"
    ERROR = "error"  # refused, malformed answer, network error

    @property
    def is_void(self) -> bool:
        return self in (DnsFailure.NXDOMAIN, DnsFailure.NODATA)


@dataclass(frozen=True, slots=True)
class DnsAnswer(Generic[T]):
    """The records of one query, or why there are none."""

    records: tuple[T, ...] = ()
    failure: DnsFailure | None = None

    @property
    def void(self) -> bool:
        """NXDOMAIN or no records: a "void lookup" (RFC 7208 section 4.6.4)."""
        return (self.failure is None and not self.records) or (
            self.failure is not None and self.failure.is_void
        )

    @property
    def error(self) -> bool:
        """A failure that is not an answer (SERVFAIL, timeout, …): temperror for most terms."""
        return self.failure is not None and not self.failure.is_void


TxtRecord = tuple[bytes, ...]  # one TXT record: its character-strings
MxRecord = tuple[int, str]  # preference, exchange


class SpfDnsSource(Protocol):
    """Where SPF gets its DNS data. Names come without a trailing dot; answers never raise for DNS."""

    async def txt(self, name: str) -> DnsAnswer[TxtRecord]: ...

    async def a(self, name: str) -> DnsAnswer[str]: ...

    async def aaaa(self, name: str) -> DnsAnswer[str]: ...

    async def mx(self, name: str) -> DnsAnswer[MxRecord]: ...

    async def ptr(self, name: str) -> DnsAnswer[str]: ...


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One include:/redirect= on the way: the term, in the record of `domain`."""

    domain: str
    term: str


Chain = tuple[ChainStep, ...]


@dataclass(frozen=True, slots=True)
class MatchedTerm:
    domain: str  # whose record holds the term
    term: str
    via: Chain  # how the evaluation got to that record (empty: the checked domain's own record)


@dataclass(frozen=True, slots=True)
class EvaluatedRecord:
    """A record the evaluation looked at, in the order it looked."""

    domain: str
    record: str | None  # None: no SPF record there (or the lookup failed)
    via: Chain
    result: SpfResult | None = None  # what check_host() gave for it (None in the policy view)


class SpfErrorKind(StrEnum):
    DNS_ERROR = "dns-error"  # temperror: a query failed (SERVFAIL, timeout)
    TIME_LIMIT = "time-limit"  # temperror: the whole check ran out of time
    MULTIPLE_RECORDS = "multiple-records"
    SYNTAX = "syntax"
    TOO_MANY_LOOKUPS = "too-many-lookups"  # the 11th include/a/mx/ptr/exists/redirect
    TOO_MANY_VOID_LOOKUPS = "too-many-void-lookups"  # the 3rd NXDOMAIN / empty answer
    TOO_MANY_MX = "too-many-mx"  # an mx term whose domain has more than 10 MX names
    INCLUDE_LOOP = "include-loop"  # an include or redirect back into a record on the way
    INCLUDE_WITHOUT_RECORD = "include-without-record"  # include: target has no SPF record ("none")
    REDIRECT_WITHOUT_RECORD = "redirect-without-record"


@dataclass(frozen=True, slots=True)
class SpfError:
    """Why check_host() gave permerror or temperror."""

    kind: SpfErrorKind
    domain: str  # whose record holds the problem
    term: str | None  # the term at fault (the 11th lookup, the include, the bad term), if any
    via: Chain  # the include/redirect chain from the checked domain's record to `domain`'s
    syntax: SyntaxIssue | None = None
    dns_name: str | None = None
    dns_type: str | None = None
    dns_failure: DnsFailure | None = None
    detail: str = ""

    @property
    def top_term(self) -> ChainStep | None:
        """The term of the checked domain's own record the evaluation was in: for a limit, the
        include/redirect that crossed it (or the term itself when it is in that record)."""
        if self.via:
            return self.via[0]
        return ChainStep(self.domain, self.term) if self.term is not None else None


@dataclass(frozen=True, slots=True)
class DnsQuery:
    name: str
    rdtype: str
    outcome: str  # "ok" or a DnsFailure value
    answers: int
    depth: int  # the earliest sequential round it could be sent in (1: the domain's own TXT)
    needed: bool  # the evaluation waited for it (False: fetched ahead, then not used)
    ms: int


@dataclass(frozen=True, slots=True)
class SpfCheck:
    """The result of check_host() and how it came about."""

    result: SpfResult
    ip: str
    domain: str
    sender: str
    helo: str
    record: str | None  # the checked domain's own record
    explanation: str | None  # for fail: the exp= text (or the default given); else None
    matched: MatchedTerm | None  # the mechanism whose qualifier gave the result
    matched_source: MatchedTerm | None  # for an include: the term deep inside that matched the IP
    lookups: int  # DNS-querying terms evaluated (11 when the limit was crossed)
    void_lookups: int
    path: tuple[EvaluatedRecord, ...]
    error: SpfError | None
    queries: tuple[DnsQuery, ...]
    elapsed_ms: int

    @property
    def min_rounds(self) -> int:
        """The fewest sequential DNS round trips this evaluation needs (the deepest needed query)."""
        return max((q.depth for q in self.queries if q.needed), default=0)


# ----------------------------------------------------------------------------- fetching


class _Fetcher:
    """Every query once, shared by the evaluation and the look-ahead; logs depth and timing."""

    def __init__(self, source: SpfDnsSource) -> None:
        self._source = source
        self._tasks: dict[tuple[str, str], asyncio.Task[DnsAnswer[Any]]] = {}
        self._depth: dict[tuple[str, str], int] = {}
        self._needed: set[tuple[str, str]] = set()
        self._ms: dict[tuple[str, str], int] = {}
        self._background: set[asyncio.Task[None]] = set()

    def _method(self, rdtype: str) -> Callable[[str], Awaitable[DnsAnswer[Any]]]:
        source = self._source
        methods: dict[str, Callable[[str], Awaitable[DnsAnswer[Any]]]] = {
            "TXT": source.txt,
            "A": source.a,
            "AAAA": source.aaaa,
            "MX": source.mx,
            "PTR": source.ptr,
        }
        return methods[rdtype]

    async def _run(self, key: tuple[str, str]) -> DnsAnswer[Any]:
        started = time.monotonic()
        try:
            return await self._method(key[0])(key[1])
        finally:
            self._ms[key] = int((time.monotonic() - started) * 1000)

    def start(self, rdtype: str, name: str, depth: int) -> asyncio.Task[DnsAnswer[Any]]:
        key = (rdtype, name.lower().removesuffix("."))
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._run(key))
            self._tasks[key] = task
        self._depth[key] = min(depth, self._depth.get(key, depth))
        return task

    async def get(self, rdtype: str, name: str, depth: int) -> DnsAnswer[Any]:
        task = self.start(rdtype, name, depth)
        self._needed.add((rdtype, name.lower().removesuffix(".")))
        return await task

    async def txt(self, name: str, depth: int) -> DnsAnswer[TxtRecord]:
        return cast("DnsAnswer[TxtRecord]", await self.get("TXT", name, depth))

    async def addresses(self, version: int, name: str, depth: int) -> DnsAnswer[str]:
        return cast("DnsAnswer[str]", await self.get("A" if version == 4 else "AAAA", name, depth))

    async def mx(self, name: str, depth: int) -> DnsAnswer[MxRecord]:
        return cast("DnsAnswer[MxRecord]", await self.get("MX", name, depth))

    async def ptr(self, name: str, depth: int) -> DnsAnswer[str]:
        return cast("DnsAnswer[str]", await self.get("PTR", name, depth))

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self) -> None:
        """Cancel what is still in flight (look-ahead nobody needed)."""
        pending = [task for task in (*self._tasks.values(), *self._background) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def log(self) -> tuple[DnsQuery, ...]:
        out: list[DnsQuery] = []
        for key, task in self._tasks.items():
            if task.cancelled() or not task.done():
                outcome, answers = "cancelled", 0
            elif task.exception() is not None:
                outcome, answers = "error", 0
            else:
                answer = task.result()
                outcome = "ok" if answer.failure is None else answer.failure.value
                answers = len(answer.records)
            out.append(
                DnsQuery(
                    key[1],
                    key[0],
                    outcome,
                    answers,
                    self._depth[key],
                    key in self._needed,
                    self._ms.get(key, 0),
                )
            )
        return tuple(out)


def _select_record(answer: DnsAnswer[TxtRecord]) -> list[bytes]:
    return [text for text in (join_txt(record) for record in answer.records) if is_spf_record(text)]


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _parse_one(raw: bytes) -> SpfRecord:
    return parse_record(_decode(raw))


def _network(address: str, cidr4: int, cidr6: int) -> IpNetwork | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 4:
        return ipaddress.ip_network((ip, cidr4), strict=False)
    return ipaddress.ip_network((ip, cidr6), strict=False)


def _in_any(ip: IpAddress, addresses: tuple[str, ...], cidr4: int, cidr6: int) -> bool:
    for address in addresses:
        network = _network(address, cidr4, cidr6)
        if network is not None and network.version == ip.version and ip in network:
            return True
    return False


def _is_within(name: str, domain: str) -> bool:
    name = name.lower().removesuffix(".")
    domain = domain.lower().removesuffix(".")
    return name == domain or name.endswith("." + domain)


def _normal_ip(ip: str | IpAddress) -> IpAddress:
    address = ipaddress.ip_address(ip.strip("[]") if isinstance(ip, str) else ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # section 5: an IPv4-mapped IPv6 address is IPv4
    return address


# ----------------------------------------------------------------------------- check_host()


class _Stop(Exception):
    """permerror or temperror: it ends the whole check_host() (section 5.2 and 6.1)."""

    def __init__(self, result: SpfResult, error: SpfError) -> None:
        super().__init__(error.kind.value)
        self.result = result
        self.error = error


@dataclass(frozen=True, slots=True)
class _Outcome:
    result: SpfResult
    matched: MatchedTerm | None = None
    source: MatchedTerm | None = None
    explanation: str | None = None


class _Evaluation:
    def __init__(
        self,
        source: SpfDnsSource,
        context: MacroContext,
        *,
        prefetch: bool,
        lookup_limit: int,
        void_limit: int,
        default_explanation: str | None,
    ) -> None:
        self.fetch = _Fetcher(source)
        self.context = context
        self.prefetch = prefetch
        self.lookup_limit = lookup_limit
        self.void_limit = void_limit
        self.default_explanation = default_explanation
        self.lookups = 0
        self.void_lookups = 0
        self.path: list[EvaluatedRecord] = []
        self.top_record: str | None = None
        self._active: list[str] = []
        self._validated: asyncio.Task[tuple[str, ...]] | None = None
        self._prefetched: dict[str, int] = {}

    # --- limits

    def _count_lookup(self, domain: str, term: str, via: Chain) -> None:
        self.lookups += 1
        if self.lookups > self.lookup_limit:
            raise _Stop(
                SpfResult.PERMERROR,
                SpfError(
                    SpfErrorKind.TOO_MANY_LOOKUPS,
                    domain,
                    term,
                    via,
                    detail=f"more than {self.lookup_limit} DNS-querying terms",
                ),
            )

    def _answer_or_stop(
        self, answer: DnsAnswer[Any], domain: str, term: str, via: Chain, name: str, rdtype: str
    ) -> bool:
        """False for a void answer (counted), True for records; temperror for a failure."""
        if answer.error:
            raise _Stop(
                SpfResult.TEMPERROR,
                SpfError(
                    SpfErrorKind.DNS_ERROR,
                    domain,
                    term,
                    via,
                    dns_name=name,
                    dns_type=rdtype,
                    dns_failure=answer.failure,
                ),
            )
        if answer.void:
            self.void_lookups += 1
            if self.void_lookups > self.void_limit:
                raise _Stop(
                    SpfResult.PERMERROR,
                    SpfError(
                        SpfErrorKind.TOO_MANY_VOID_LOOKUPS,
                        domain,
                        term,
                        via,
                        dns_name=name,
                        dns_type=rdtype,
                        dns_failure=answer.failure or DnsFailure.NODATA,
                        detail=f"more than {self.void_limit} lookups without an answer",
                    ),
                )
            return False
        return True

    # --- %{p}

    async def _validated_names(self) -> tuple[str, ...]:
        """Section 5.5: PTR names (the first 10) whose A/AAAA records include <ip>."""
        ip = self.context.ip
        answer = await self.fetch.ptr(ip.reverse_pointer, 1)
        if answer.failure is not None:
            return ()
        names = [name for name in answer.records[:PTR_LIMIT] if valid_domain(name, multi_label=False)]
        checks = await asyncio.gather(*(self.fetch.addresses(ip.version, name, 2) for name in names))
        return tuple(
            name
            for name, check in zip(names, checks, strict=True)
            if check.failure is None and _in_any(ip, check.records, 32, 128)
        )

    async def _p_value(self, domain: str) -> str:
        """%{p} as section 7.3 allows: <domain> itself if validated, else a validated subdomain
        of it, else any validated name, else "unknown" (also on a DNS error). Looked up once per
        check; its queries count neither as terms nor as void lookups."""
        if self._validated is None:
            self._validated = asyncio.ensure_future(self._validated_names())
        names = await self._validated
        for name in names:
            if name.lower().removesuffix(".") == domain.lower():
                return name.removesuffix(".")
        for name in names:
            if _is_within(name, domain):
                return name.removesuffix(".")
        return names[0].removesuffix(".") if names else "unknown"

    async def _expand(self, spec: MacroString, domain: str) -> str:
        p_value = await self._p_value(domain) if "p" in spec.letters else None
        return expand_domain(spec, self.context, domain, p_value)

    @staticmethod
    def _term_depth(spec: MacroString | None, depth: int) -> int:
        """The round of a term's query: after its record (and after %{p}'s two rounds)."""
        return max(depth + 1, 3) if spec is not None and "p" in spec.letters else depth + 1

    # --- look-ahead

    def _prefetch(self, record: SpfRecord, domain: str, depth: int, index: int) -> None:
        """Ask now for what the terms of `record` will need; `index` is the number of
        DNS-querying terms counted before it (a lower bound, so nothing past the limit)."""
        if self._prefetched.get(domain, self.lookup_limit + 1) <= index:
            return
        self._prefetched[domain] = index
        ip = self.context.ip
        for mechanism in record.effective_mechanisms:
            if not mechanism.needs_dns:
                continue
            index += 1
            if index > self.lookup_limit:
                return
            spec = mechanism.domain_spec
            if spec is not None and "p" in spec.letters:
                continue
            target = expand_domain(spec, self.context, domain) if spec is not None else domain
            if not valid_domain(target, multi_label=False):
                continue
            kind = mechanism.kind
            if kind is MechanismKind.A:
                self.fetch.start("A" if ip.version == 4 else "AAAA", target, depth + 1)
            elif kind is MechanismKind.EXISTS:
                self.fetch.start("A", target, depth + 1)
            elif kind is MechanismKind.MX:
                self.fetch.spawn(self._prefetch_mx(target, depth + 1))
            elif kind is MechanismKind.PTR:
                self.fetch.start("PTR", ip.reverse_pointer, depth + 1)
            elif kind is MechanismKind.INCLUDE:
                self.fetch.spawn(self._prefetch_txt(target, depth + 1, index))
        redirect = record.redirect
        if (
            record.all is None
            and redirect is not None
            and index + 1 <= self.lookup_limit
            and "p" not in redirect.value.letters
        ):
            target = expand_domain(redirect.value, self.context, domain)
            if valid_domain(target):
                self.fetch.spawn(self._prefetch_txt(target, depth + 1, index + 1))

    async def _prefetch_txt(self, name: str, depth: int, index: int) -> None:
        answer = cast("DnsAnswer[TxtRecord]", await self.fetch.start("TXT", name, depth))
        found = _select_record(answer)
        if len(found) != 1:
            return
        try:
            record = _parse_one(found[0])
        except SpfSyntaxError:
            return
        self._prefetch(record, name.lower().removesuffix("."), depth, index)

    async def _prefetch_mx(self, name: str, depth: int) -> None:
        answer = cast("DnsAnswer[MxRecord]", await self.fetch.start("MX", name, depth))
        if answer.failure is not None or len(answer.records) > MX_LIMIT:
            return
        rdtype = "A" if self.context.ip.version == 4 else "AAAA"
        for _, host in answer.records:
            if valid_domain(host, multi_label=False):
                self.fetch.start(rdtype, host, depth + 1)

    # --- the evaluation

    async def check(self, domain: str, depth: int, via: Chain) -> _Outcome:
        """check_host() for <domain> (section 4): "none" when there is no record to evaluate."""
        name = domain.removesuffix(".")
        if not valid_domain(name):
            return _Outcome(SpfResult.NONE)
        slot = len(self.path)
        self.path.append(EvaluatedRecord(name, None, via))
        self._active.append(name.lower())
        try:
            outcome = await self._check_record(name, depth, via, slot)
        except _Stop as stop:
            self.path[slot] = EvaluatedRecord(name, self.path[slot].record, via, stop.result)
            raise
        finally:
            self._active.pop()
        self.path[slot] = EvaluatedRecord(name, self.path[slot].record, via, outcome.result)
        return outcome

    async def _check_record(self, name: str, depth: int, via: Chain, slot: int) -> _Outcome:
        answer = await self.fetch.txt(name, depth)
        if answer.error:
            raise _Stop(
                SpfResult.TEMPERROR,
                SpfError(
                    SpfErrorKind.DNS_ERROR,
                    name,
                    None,
                    via,
                    dns_name=name,
                    dns_type="TXT",
                    dns_failure=answer.failure,
                ),
            )
        found = _select_record(answer)
        if not found:
            return _Outcome(SpfResult.NONE)
        if len(found) > 1:
            raise _Stop(
                SpfResult.PERMERROR,
                SpfError(
                    SpfErrorKind.MULTIPLE_RECORDS,
                    name,
                    None,
                    via,
                    detail=" | ".join(_decode(t) for t in found),
                ),
            )
        text = _decode(found[0])
        self.path[slot] = EvaluatedRecord(name, text, via)
        if not via:
            self.top_record = text
        try:
            record = parse_record(text)
        except SpfSyntaxError as exc:
            raise _Stop(
                SpfResult.PERMERROR,
                SpfError(SpfErrorKind.SYNTAX, name, exc.term, via, syntax=exc.issue, detail=exc.detail),
            ) from None
        if self.prefetch:
            self._prefetch(record, name.lower(), depth, self.lookups)
        for mechanism in record.mechanisms:
            matched, source = await self._matches(mechanism, name, depth, via)
            if matched:
                result = mechanism.qualifier.result
                explanation = await self._explain(record, name, depth) if result is SpfResult.FAIL else None
                term = MatchedTerm(name, mechanism.text, via)
                return _Outcome(result, term, source or term, explanation)
        redirect = record.redirect
        if redirect is None:
            return _Outcome(SpfResult.NEUTRAL)
        self._count_lookup(name, redirect.text, via)
        target = await self._expand(redirect.value, name)
        step = ChainStep(name, redirect.text)
        self._no_loop(target, name, redirect.text, via)
        outcome = await self.check(target, self._term_depth(redirect.value, depth), (*via, step))
        if outcome.result is SpfResult.NONE:
            raise _Stop(
                SpfResult.PERMERROR,
                SpfError(SpfErrorKind.REDIRECT_WITHOUT_RECORD, name, redirect.text, via, dns_name=target),
            )
        return outcome

    def _no_loop(self, target: str, domain: str, term: str, via: Chain) -> None:
        if target.lower() in self._active:
            raise _Stop(
                SpfResult.PERMERROR,
                SpfError(SpfErrorKind.INCLUDE_LOOP, domain, term, via, dns_name=target),
            )

    async def _matches(
        self, mechanism: Mechanism, domain: str, depth: int, via: Chain
    ) -> tuple[bool, MatchedTerm | None]:
        ip = self.context.ip
        kind = mechanism.kind
        if kind is MechanismKind.ALL:
            return True, None
        if kind in (MechanismKind.IP4, MechanismKind.IP6):
            network = mechanism.network
            assert network is not None
            return (network.version == ip.version and ip in network), None
        term = mechanism.text
        self._count_lookup(domain, term, via)
        spec = mechanism.domain_spec
        target = await self._expand(spec, domain) if spec is not None else domain
        at = self._term_depth(spec, depth)
        if kind is MechanismKind.INCLUDE:
            self._no_loop(target, domain, term, via)
            outcome = await self.check(target, at, (*via, ChainStep(domain, term)))
            if outcome.result is SpfResult.NONE:
                raise _Stop(
                    SpfResult.PERMERROR,
                    SpfError(SpfErrorKind.INCLUDE_WITHOUT_RECORD, domain, term, via, dns_name=target),
                )
            return outcome.result is SpfResult.PASS, outcome.source
        if not valid_domain(target, multi_label=False):
            return False, None
        if kind is MechanismKind.A:
            answer = await self.fetch.addresses(ip.version, target, at)
            rdtype = "A" if ip.version == 4 else "AAAA"
            if not self._answer_or_stop(answer, domain, term, via, target, rdtype):
                return False, None
            return _in_any(ip, answer.records, mechanism.cidr4, mechanism.cidr6), None
        if kind is MechanismKind.EXISTS:
            answer = await self.fetch.addresses(4, target, at)
            return self._answer_or_stop(answer, domain, term, via, target, "A"), None
        if kind is MechanismKind.MX:
            return await self._mx_matches(mechanism, target, domain, at, via), None
        return await self._ptr_matches(target, domain, term, at, via), None

    async def _mx_matches(self, mechanism: Mechanism, target: str, domain: str, at: int, via: Chain) -> bool:
        ip = self.context.ip
        answer = await self.fetch.mx(target, at)
        if not self._answer_or_stop(answer, domain, mechanism.text, via, target, "MX"):
            return False
        if len(answer.records) > MX_LIMIT:
            raise _Stop(
                SpfResult.PERMERROR,
                SpfError(
                    SpfErrorKind.TOO_MANY_MX,
                    domain,
                    mechanism.text,
                    via,
                    dns_name=target,
                    dns_type="MX",
                    detail=f"{len(answer.records)} MX records",
                ),
            )
        hosts = [host for _, host in answer.records if valid_domain(host, multi_label=False)]
        answers = await asyncio.gather(*(self.fetch.addresses(ip.version, host, at + 1) for host in hosts))
        if any(
            _in_any(ip, a.records, mechanism.cidr4, mechanism.cidr6) for a in answers if a.failure is None
        ):
            return True
        for host, host_answer in zip(hosts, answers, strict=True):
            if host_answer.error:
                raise _Stop(
                    SpfResult.TEMPERROR,
                    SpfError(
                        SpfErrorKind.DNS_ERROR,
                        domain,
                        mechanism.text,
                        via,
                        dns_name=host,
                        dns_type="A" if ip.version == 4 else "AAAA",
                        dns_failure=host_answer.failure,
                    ),
                )
        return False

    async def _ptr_matches(self, target: str, domain: str, term: str, at: int, via: Chain) -> bool:
        """Section 5.5: a PTR name within <target-name> whose addresses include <ip>.

        A DNS error on the PTR query or on a name's address query is no match (for that name);
        only the first 10 PTR names are looked at. Names outside the target are not resolved:
        they could not match, so the result is the same.
        """
        ip = self.context.ip
        answer = await self.fetch.ptr(ip.reverse_pointer, at)
        if answer.error:
            return False
        if not self._answer_or_stop(answer, domain, term, via, ip.reverse_pointer, "PTR"):
            return False
        names = [
            name
            for name in answer.records[:PTR_LIMIT]
            if _is_within(name, target) and valid_domain(name, multi_label=False)
        ]
        checks = await asyncio.gather(*(self.fetch.addresses(ip.version, name, at + 1) for name in names))
        return any(check.failure is None and _in_any(ip, check.records, 32, 128) for check in checks)

    async def _explain(self, record: SpfRecord, domain: str, depth: int) -> str | None:
        """Section 6.2: the exp= text, or the default when anything about it goes wrong."""
        modifier = record.explanation
        if modifier is None:
            return self.default_explanation
        target = await self._expand(modifier.value, domain)
        if not valid_domain(target, multi_label=False):
            return self.default_explanation
        answer = await self.fetch.txt(target, depth + 1)
        if answer.failure is not None or len(answer.records) != 1:
            return self.default_explanation
        raw = join_txt(answer.records[0])
        if not raw.isascii():
            return self.default_explanation
        try:
            text = parse_explain_string(raw.decode("ascii"))
        except SpfSyntaxError:
            return self.default_explanation
        p_value = await self._p_value(domain) if "p" in text.letters else None
        return expand_macro_string(text, self.context, domain, p_value)


def spf_identity(mail_from: str, helo: str) -> tuple[str, str]:
    """(<sender>, <domain>) for check_host() from MAIL FROM and HELO (RFC 7208 sections 2.4, 4.3).

    An empty MAIL FROM (a bounce) is checked as postmaster@HELO; a missing local-part becomes
    "postmaster"; angle brackets are dropped.
    """
    address = mail_from.strip().removeprefix("<").removesuffix(">")
    if not address:
        return f"postmaster@{helo}", helo
    local, at, domain = address.rpartition("@")
    if not at:
        local, domain = "", address
    return f"{local or 'postmaster'}@{domain}", domain


async def check_host(
    source: SpfDnsSource,
    ip: str | IpAddress,
    domain: str,
    sender: str,
    *,
    helo: str = "",
    receiver: str = "unknown",
    timestamp: int | None = None,
    default_explanation: str | None = None,
    prefetch: bool = True,
    lookup_limit: int = LOOKUP_LIMIT,
    void_limit: int = VOID_LIMIT,
    time_limit: float | None = TIME_LIMIT,
) -> SpfCheck:
    """RFC 7208 check_host(<ip>, <domain>, <sender>), with how the result came about.

    `sender` is local-part@domain (see `spf_identity`); `helo`, `receiver` (``%{r}``) and
    `timestamp` (``%{t}``) feed macros only. `default_explanation` is the explanation of a fail
    whose record has no usable exp=. With `prefetch` off, every query waits for the previous
    one (for comparison; the result is the same). ValueError for an `ip` that is no address.
    """
    address = _normal_ip(ip)
    context = MacroContext(
        sender=sender,
        ip=address,
        helo=helo,
        receiver=receiver,
        timestamp=int(time.time()) if timestamp is None else timestamp,
    )
    evaluation = _Evaluation(
        source,
        context,
        prefetch=prefetch,
        lookup_limit=lookup_limit,
        void_limit=void_limit,
        default_explanation=default_explanation,
    )
    started = time.monotonic()
    error: SpfError | None = None
    outcome = _Outcome(SpfResult.NONE)
    try:
        outcome = await asyncio.wait_for(evaluation.check(domain, 1, ()), time_limit)
    except _Stop as stop:
        outcome, error = _Outcome(stop.result), stop.error
    except TimeoutError:
        outcome = _Outcome(SpfResult.TEMPERROR)
        error = SpfError(SpfErrorKind.TIME_LIMIT, domain, None, (), detail=f"over {time_limit} s")
    finally:
        await evaluation.fetch.close()
    return SpfCheck(
        result=outcome.result,
        ip=str(address),
        domain=domain.removesuffix("."),
        sender=sender,
        helo=helo,
        record=evaluation.top_record,
        explanation=outcome.explanation,
        matched=outcome.matched,
        matched_source=outcome.source,
        lookups=evaluation.lookups,
        void_lookups=evaluation.void_lookups,
        path=tuple(evaluation.path),
        error=error,
        queries=evaluation.fetch.log(),
        elapsed_ms=int((time.monotonic() - started) * 1000),
    )


async def check_mail_from(
    source: SpfDnsSource,
    ip: str | IpAddress,
    *,
    mail_from: str = "",
    helo: str = "",
    **options: Any,
) -> SpfCheck:
    """check_host() for the MAIL FROM identity as a receiving MTA runs it (postmaster@HELO for
    an empty MAIL FROM). `options` are check_host()'s keyword arguments."""
    sender, domain = spf_identity(mail_from, helo)
    return await check_host(source, ip, domain, sender, helo=helo, **options)


# ----------------------------------------------------------------------------- the policy view


class PolicyIssue(StrEnum):
    NO_RECORD = "no-record"  # the domain publishes no SPF record (check_host: none)
    DNS_ERROR = "dns-error"  # a TXT lookup on the way failed (temperror for everyone reaching it)
    MULTIPLE_RECORDS = "multiple-records"  # permerror
    SYNTAX = "syntax"  # permerror
    TOO_MANY_LOOKUPS = "too-many-lookups"  # permerror for senders no earlier term matches
    TOO_MANY_VOID_LOOKUPS = "too-many-void-lookups"  # permerror (IPv4 senders no earlier term matches)
    TOO_MANY_MX = "too-many-mx"  # permerror when the mx term is reached
    INCLUDE_LOOP = "include-loop"  # permerror
    INCLUDE_WITHOUT_RECORD = "include-without-record"  # permerror
    REDIRECT_WITHOUT_RECORD = "redirect-without-record"  # permerror
    PASS_ALL = "pass-all"  # noqa: S105 -- +all: every server in the world passes
    NEUTRAL_ALL = "neutral-all"  # ?all: says nothing about other servers
    NO_ALL = "no-all"  # neither all nor redirect=: other servers get neutral
    PTR_MECHANISM = "ptr-mechanism"  # ptr: SHOULD NOT be used (section 5.5), slow and unreliable
    P_MACRO = "p-macro"  # %{p}: SHOULD NOT be used (section 7.3)
    UNREACHABLE_TERMS = "unreachable-terms"  # terms (or redirect=) after "all" are never used

    @property
    def permerror(self) -> bool:
        """Receivers that get this far answer permerror (the record is broken)."""
        return self in _PERMERROR_ISSUES


_PERMERROR_ISSUES: Final = frozenset(
    {
        PolicyIssue.MULTIPLE_RECORDS,
        PolicyIssue.SYNTAX,
        PolicyIssue.TOO_MANY_LOOKUPS,
        PolicyIssue.TOO_MANY_VOID_LOOKUPS,
        PolicyIssue.TOO_MANY_MX,
        PolicyIssue.INCLUDE_LOOP,
        PolicyIssue.INCLUDE_WITHOUT_RECORD,
        PolicyIssue.REDIRECT_WITHOUT_RECORD,
    }
)


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    issue: PolicyIssue
    domain: str  # whose record has it
    term: str | None  # the term at fault (for TOO_MANY_LOOKUPS: the 11th DNS-querying term)
    via: Chain  # the include/redirect chain from the domain's record to `domain`'s
    syntax: SyntaxIssue | None = None
    detail: str = ""

    @property
    def top_term(self) -> ChainStep | None:
        """The term of the domain's own record this is under (the include that breaks a limit)."""
        if self.via:
            return self.via[0]
        return ChainStep(self.domain, self.term) if self.term is not None else None


@dataclass(frozen=True, slots=True)
class AuthorisedNetwork:
    """Addresses that get "pass": an ip4/ip6 network, or the addresses of an a/mx target."""

    network: str
    domain: str  # whose record lists it
    term: str
    via: Chain


@dataclass(frozen=True, slots=True)
class SpfPolicy:
    domain: str
    records: tuple[str, ...]  # the v=spf1 records at the domain (more than one: permerror)
    failure: DnsFailure | None  # the domain's own TXT lookup failed: nothing else is known
    problems: tuple[PolicyProblem, ...]
    lookups: int  # DNS-querying terms a sender no term matches makes the check go through
    void_lookups: int  # of those, the ones answered NXDOMAIN or empty (as for an IPv4 sender)
    all_qualifier: Qualifier | None  # the record's final "all" after redirects (None: no all)
    authorised: tuple[AuthorisedNetwork, ...]
    unlisted: tuple[MatchedTerm, ...]  # pass terms whose addresses depend on the sender (exists, ptr, macros)
    tree: tuple[EvaluatedRecord, ...]  # every record on the way, in evaluation order
    queries: tuple[DnsQuery, ...]

    @property
    def record(self) -> str | None:
        return self.records[0] if len(self.records) == 1 else None

    @property
    def broken(self) -> bool:
        """Some senders get permerror: the record or one it includes is broken."""
        return any(problem.issue.permerror for problem in self.problems)

    def problem(self, issue: PolicyIssue) -> PolicyProblem | None:
        return next((p for p in self.problems if p.issue is issue), None)


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A domain's SPF TXT answer, as the policy view found it."""

    records: tuple[str, ...] = ()
    failure: DnsFailure | None = None
    record: SpfRecord | None = None
    syntax: SpfSyntaxError | None = None


_POLICY_CONTEXT_IP: Final = ipaddress.IPv4Address("192.0.2.0")
_STATIC_LETTERS: Final = frozenset("d")


class _PolicyWalk:
    def __init__(
        self, source: SpfDnsSource, domain: str, lookup_limit: int, void_limit: int, max_records: int
    ) -> None:
        self.fetch = _Fetcher(source)
        self.domain = domain
        self.lookup_limit = lookup_limit
        self.void_limit = void_limit
        self.max_records = max_records
        self.loaded: dict[str, asyncio.Task[_Loaded]] = {}
        self.problems: list[PolicyProblem] = []
        self.authorised: list[AuthorisedNetwork] = []
        self.unlisted: list[MatchedTerm] = []
        self.tree: list[EvaluatedRecord] = []
        self.lookups = 0
        self.void_lookups = 0

    def _context(self, domain: str) -> MacroContext:
        return MacroContext(sender=f"postmaster@{domain}", ip=_POLICY_CONTEXT_IP, helo=domain)

    def _static_target(self, spec: MacroString | None, domain: str) -> str | None:
        """The target when it does not depend on the sender (no macros but %{d}), else None."""
        if spec is None:
            return domain
        if not spec.letters <= _STATIC_LETTERS:
            return None
        return expand_domain(spec, self._context(domain), domain)

    # phase 1: fetch everything the tree needs, as concurrently as the data allows

    def load(self, domain: str, depth: int) -> asyncio.Task[_Loaded]:
        key = domain.lower().removesuffix(".")
        task = self.loaded.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(key, depth))
            self.loaded[key] = task
        return task

    async def _load(self, domain: str, depth: int) -> _Loaded:
        answer = await self.fetch.txt(domain, depth)
        if answer.error:
            return _Loaded(failure=answer.failure)
        texts = tuple(_decode(raw) for raw in _select_record(answer))
        if len(texts) != 1:
            return _Loaded(records=texts, failure=answer.failure)
        try:
            record = parse_record(texts[0])
        except SpfSyntaxError as exc:
            return _Loaded(records=texts, syntax=exc)
        waits: list[Awaitable[object]] = []
        for mechanism in record.effective_mechanisms:
            target = self._static_target(mechanism.domain_spec, domain)
            if target is None or not valid_domain(target, multi_label=False):
                continue
            if mechanism.kind is MechanismKind.INCLUDE and len(self.loaded) < self.max_records:
                self.load(target, depth + 1)
            elif mechanism.kind in (MechanismKind.A, MechanismKind.EXISTS):
                waits.append(self.fetch.get("A", target, depth + 1))
                if mechanism.kind is MechanismKind.A:
                    waits.append(self.fetch.get("AAAA", target, depth + 1))
            elif mechanism.kind is MechanismKind.MX:
                waits.append(self._load_mx(target, depth + 1))
        redirect = record.redirect
        if record.all is None and redirect is not None and len(self.loaded) < self.max_records:
            target = self._static_target(redirect.value, domain)
            if target is not None and valid_domain(target):
                self.load(target, depth + 1)
        await asyncio.gather(*waits)
        return _Loaded(records=texts, record=record)

    async def _load_mx(self, name: str, depth: int) -> None:
        answer = await self.fetch.mx(name, depth)
        if answer.failure is not None or len(answer.records) > MX_LIMIT:
            return
        hosts = [host for _, host in answer.records if valid_domain(host, multi_label=False)]
        await asyncio.gather(
            *(self.fetch.get(rdtype, host, depth + 1) for host in hosts for rdtype in ("A", "AAAA"))
        )

    async def load_all(self) -> None:
        self.load(self.domain, 1)
        while True:
            pending = [task for task in self.loaded.values() if not task.done()]
            if not pending:
                return
            await asyncio.gather(*pending)

    # phase 2: walk the loaded tree in evaluation order, for a sender no term matches

    def _answer(self, rdtype: str, name: str) -> DnsAnswer[Any] | None:
        task = self.fetch._tasks.get((rdtype, name.lower().removesuffix(".")))
        if task is None or not task.done() or task.cancelled() or task.exception() is not None:
            return None
        return task.result()

    def _problem(
        self, issue: PolicyIssue, domain: str, term: str | None, via: Chain, detail: str = "", **extra: Any
    ) -> None:
        self.problems.append(PolicyProblem(issue, domain, term, via, detail=detail, **extra))

    def _count(self, domain: str, term: str, via: Chain) -> None:
        self.lookups += 1
        if self.lookups == self.lookup_limit + 1:
            self._problem(
                PolicyIssue.TOO_MANY_LOOKUPS,
                domain,
                term,
                via,
                f"more than {self.lookup_limit} DNS-querying terms",
            )

    def _void(self, answer: DnsAnswer[Any] | None, domain: str, term: str, via: Chain) -> None:
        if answer is not None and answer.void:
            self.void_lookups += 1
            if self.void_lookups == self.void_limit + 1:
                self._problem(PolicyIssue.TOO_MANY_VOID_LOOKUPS, domain, term, via)

    def _addresses(self, name: str) -> tuple[str, ...]:
        out: list[str] = []
        for rdtype in ("A", "AAAA"):
            answer = self._answer(rdtype, name)
            if answer is not None and answer.failure is None:
                out.extend(answer.records)
        return tuple(out)

    def _authorise(self, mechanism: Mechanism, domain: str, via: Chain, addresses: tuple[str, ...]) -> None:
        for address in addresses:
            network = _network(address, mechanism.cidr4, mechanism.cidr6)
            if network is not None:
                self.authorised.append(AuthorisedNetwork(str(network), domain, mechanism.text, via))

    def walk(self, domain: str, via: Chain, active: tuple[str, ...], authorising: bool) -> SpfResult | None:
        """Walk one record; returns the result every sender gets from it whatever its IP (a
        record ending in ``+all``: pass), or None when it depends on the IP."""
        key = domain.lower().removesuffix(".")
        task = self.loaded.get(key)
        loaded = task.result() if task is not None and task.done() else None
        relation = via[-1] if via else None
        is_redirect = relation is not None and relation.term.lower().startswith("redirect=")
        if loaded is None:  # not fetched: past the cap on records
            self.tree.append(EvaluatedRecord(key, None, via))
            return None
        self.tree.append(EvaluatedRecord(key, loaded.records[0] if len(loaded.records) == 1 else None, via))
        if loaded.failure is not None and not loaded.failure.is_void:
            self._problem(PolicyIssue.DNS_ERROR, key, None, via, loaded.failure.value)
            return None
        if not loaded.records:
            if relation is None:
                self._problem(PolicyIssue.NO_RECORD, key, None, via)
            else:
                issue = (
                    PolicyIssue.REDIRECT_WITHOUT_RECORD if is_redirect else PolicyIssue.INCLUDE_WITHOUT_RECORD
                )
                self._problem(issue, relation.domain, relation.term, via[:-1], key)
            return None
        if len(loaded.records) > 1:
            self._problem(PolicyIssue.MULTIPLE_RECORDS, key, None, via, " | ".join(loaded.records))
            return None
        if loaded.syntax is not None:
            exc = loaded.syntax
            self._problem(PolicyIssue.SYNTAX, key, exc.term, via, exc.detail, syntax=exc.issue)
            return None
        record = loaded.record
        assert record is not None
        return self._walk_record(record, key, via, active, authorising)

    def _walk_record(
        self, record: SpfRecord, domain: str, via: Chain, active: tuple[str, ...], authorising: bool
    ) -> SpfResult | None:
        reachable = record.effective_mechanisms
        if len(reachable) < len(record.mechanisms) or (
            record.all is not None and record.redirect is not None
        ):
            self._problem(PolicyIssue.UNREACHABLE_TERMS, domain, record.all.text if record.all else None, via)
        for term in record.terms:
            spec = term.domain_spec if isinstance(term, Mechanism) else term.value
            if spec is not None and "p" in spec.letters:
                self._problem(PolicyIssue.P_MACRO, domain, term.text, via)
        for mechanism in reachable:
            passes = authorising and mechanism.qualifier is Qualifier.PASS
            always = self._walk_mechanism(mechanism, domain, via, active, passes)
            if always is not None:
                return always
        redirect = record.redirect
        if record.all is not None or redirect is None:
            return None
        self._count(domain, redirect.text, via)
        target = self._static_target(redirect.value, domain)
        if target is None:
            return None
        if target.lower() in active:
            self._problem(PolicyIssue.INCLUDE_LOOP, domain, redirect.text, via, target)
            return None
        return self.walk(
            target, (*via, ChainStep(domain, redirect.text)), (*active, target.lower()), authorising
        )

    def _walk_mechanism(
        self, mechanism: Mechanism, domain: str, via: Chain, active: tuple[str, ...], passes: bool
    ) -> SpfResult | None:
        kind = mechanism.kind
        term = mechanism.text
        if kind is MechanismKind.ALL:
            return mechanism.qualifier.result
        if kind in (MechanismKind.IP4, MechanismKind.IP6):
            if passes:
                self.authorised.append(AuthorisedNetwork(str(mechanism.network), domain, term, via))
            return None
        self._count(domain, term, via)
        target = self._static_target(mechanism.domain_spec, domain)
        if kind is MechanismKind.PTR:
            self._problem(PolicyIssue.PTR_MECHANISM, domain, term, via)
        if target is None or kind in (MechanismKind.PTR, MechanismKind.EXISTS):
            if passes:
                self.unlisted.append(MatchedTerm(domain, term, via))
            if target is not None and kind is MechanismKind.EXISTS:
                self._void(self._answer("A", target), domain, term, via)
            return None
        if kind is MechanismKind.A:
            self._void(self._answer("A", target), domain, term, via)
            if passes:
                self._authorise(mechanism, domain, via, self._addresses(target))
            return None
        if kind is MechanismKind.MX:
            answer = self._answer("MX", target)
            self._void(answer, domain, term, via)
            if answer is not None and len(answer.records) > MX_LIMIT:
                self._problem(PolicyIssue.TOO_MANY_MX, domain, term, via, f"{len(answer.records)} MX records")
            elif answer is not None and passes:
                for _, host in answer.records:
                    self._authorise(mechanism, domain, via, self._addresses(host))
            return None
        # include
        if target.lower() in active:
            self._problem(PolicyIssue.INCLUDE_LOOP, domain, term, via, target)
            return None
        result = self.walk(target, (*via, ChainStep(domain, term)), (*active, target.lower()), passes)
        if result is SpfResult.PASS:  # the included record passes everyone: the include always matches
            if mechanism.qualifier is Qualifier.PASS:
                self._problem(PolicyIssue.PASS_ALL, domain, term, via, target)
            return mechanism.qualifier.result
        return None


def _final_all(policy_walk: _PolicyWalk, domain: str) -> Qualifier | None:
    """The qualifier of the "all" the domain's record ends in, following redirect= (no includes)."""
    seen: set[str] = set()
    name = domain.lower().removesuffix(".")
    while name not in seen:
        seen.add(name)
        task = policy_walk.loaded.get(name)
        record = task.result().record if task is not None and task.done() else None
        if record is None:
            return None
        if record.all is not None:
            return record.all.qualifier
        if record.redirect is None:
            return None
        target = policy_walk._static_target(record.redirect.value, name)
        if target is None:
            return None
        name = target.lower()
    return None


async def analyze_spf_policy(
    source: SpfDnsSource,
    domain: str,
    *,
    lookup_limit: int = LOOKUP_LIMIT,
    void_limit: int = VOID_LIMIT,
    max_records: int = 50,
) -> SpfPolicy:
    """What a domain's SPF record says and what is wrong with it, without a sender IP.

    The whole include/redirect tree is fetched (concurrently, at most `max_records` records),
    then walked in evaluation order as for a sender that no term matches: that is the worst
    case of the 10-lookup and 2-void-lookup limits, and the problem names the term that crosses
    a limit with the include chain that leads to it. Terms whose target has macros other than
    %{d} cannot be resolved without a sender: they count as one lookup and are listed as
    `unlisted` instead of as networks.
    """
    name = domain.lower().removesuffix(".")
    walk = _PolicyWalk(source, name, lookup_limit, void_limit, max_records)
    try:
        await walk.load_all()
    finally:
        await walk.fetch.close()
    top = walk.loaded[name].result()
    if top.failure is not None and not top.failure.is_void:
        return SpfPolicy(name, (), top.failure, (), 0, 0, None, (), (), (), walk.fetch.log())
    walk.walk(name, (), (name,), True)
    final = _final_all(walk, name)
    if top.record is not None:
        if final is Qualifier.PASS:
            walk._problem(PolicyIssue.PASS_ALL, name, "+all", ())
        elif final is Qualifier.NEUTRAL:
            walk._problem(PolicyIssue.NEUTRAL_ALL, name, "?all", ())
        elif final is None and not any(
            p.issue.permerror or p.issue is PolicyIssue.DNS_ERROR for p in walk.problems
        ):
            walk._problem(PolicyIssue.NO_ALL, name, None, ())
    return SpfPolicy(
        domain=name,
        records=top.records,
        failure=None,
        problems=tuple(walk.problems),
        lookups=walk.lookups,
        void_lookups=walk.void_lookups,
        all_qualifier=final,
        authorised=tuple(dict.fromkeys(walk.authorised)),
        unlisted=tuple(walk.unlisted),
        tree=tuple(walk.tree),
        queries=walk.fetch.log(),
    )


def spf_json(policy: SpfPolicy | None, check: SpfCheck | None) -> dict[str, object]:
    """The ``spf`` object of ``domain --json`` (shared/spec/interface.md).

    With a check (a sender IP), result/explanation/lookups/void_lookups are check_host()'s;
    without one, result is null and the counts are the policy's worst case.
    """
    record = check.record if check is not None and check.record is not None else None
    if record is None and policy is not None:
        record = policy.record
    if check is not None:
        return {
            "record": record,
            "sender_ip": check.ip,
            "result": check.result.value,
            "explanation": check.explanation,
            "lookups": check.lookups,
            "void_lookups": check.void_lookups,
        }
    return {
        "record": record,
        "sender_ip": None,
        "result": None,
        "explanation": None,
        "lookups": policy.lookups if policy is not None else 0,
        "void_lookups": policy.void_lookups if policy is not None else 0,
    }
