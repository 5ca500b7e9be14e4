"""The domain's MX hosts as facts, and what is wrong with them (a pure judgement).

Facts (`lookup_mx_facts`, every lookup through our DnsClient, each stage concurrent):

* the MX records as published, with their preference, a null MX (RFC 7505: a single
  ``0 .``) recognised, and a ``.`` next to real hosts kept so that it can be pointed out;
* no MX at all: the implicit MX of RFC 5321 section 5.1, the domain's own A/AAAA, looked
  at as if it were the one MX host (``MxFacts.implicit``);
* for each host: its CNAME (RFC 5321 section 5.1 and RFC 2181 section 10.3: an MX must name
  a host, not an alias), its A and its AAAA, each as its own lookup, so that NXDOMAIN,
  SERVFAIL, no data and timeout stay apart; an MX target that is an IP literal is looked
  up as the name it is in DNS, as a sending server would (and fails);
* for each address, IPv4 and IPv6 alike: its PTR (reverse DNS) and, for each PTR name, the
  A (IPv4) or AAAA (IPv6) of that name: forward-confirmed reverse DNS (FCrDNS) holds when
  one of them gives the address back.

`judge_mx` turns the facts into `DomainProblem`s: a code, the cause code of causes.md where
one fits, the evidence as DNS records or lookup outcomes (no prose: language-neutral), and
the record as it is and as it should be where that can be said.

`DomainProblem` is shared by domain/blocklists.py and domain/registration.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import dns.reversename

from maildoctor.causes import CauseCode
from maildoctor.discover.mx import MxRecord, order_mx, parse_mx_answers
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Severity
from maildoctor.net.resolver import DnsClient

_FAILED = frozenset({DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT, DnsOutcome.REFUSED, DnsOutcome.ERROR})
_MIN_LIFETIME = 0.05
# bounds against a hostile zone: hosts looked at (records beyond stay in MxFacts.records),
# PTR names followed per address
MAX_HOSTS = 16
MAX_PTR_NAMES = 8


@dataclass(frozen=True, slots=True)
class DomainProblem:
    """One thing wrong (or worth saying) about a domain, as data for a finding.

    code: this module's problem code (MxProblem, BlocklistProblem, RegistrationProblem).
    cause: the cause code of causes.md it belongs to; None where none fits yet (the
    lead's report proposes one). params: values for the message's placeholders.
    evidence: what was seen, as DNS records ("example.jp. MX 10 mail.example.jp.") or
    lookup outcomes ("mail.example.jp. A: nxdomain"), never prose.
    record_now / record_fixed: the record(s) as they are and as they should be, where a
    record is the fix.
    """

    code: StrEnum
    severity: Severity
    cause: CauseCode | None
    params: tuple[tuple[str, str], ...] = ()
    evidence: tuple[str, ...] = ()
    record_now: tuple[str, ...] = ()
    record_fixed: tuple[str, ...] = ()

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


def problem(
    code: StrEnum,
    severity: Severity,
    cause: CauseCode | None,
    *,
    evidence: Iterable[str] = (),
    now: Iterable[str] = (),
    fixed: Iterable[str] = (),
    **params: object,
) -> DomainProblem:
    """A DomainProblem with its params given as keywords (in the order given)."""
    return DomainProblem(
        code,
        severity,
        cause,
        tuple((name, str(value)) for name, value in params.items()),
        tuple(evidence),
        tuple(now),
        tuple(fixed),
    )


def lookup_lines(lookup: DnsLookup) -> tuple[str, ...]:
    """A lookup as evidence: its records in zone-file form, or "name TYPE: outcome"."""
    name = lookup.name if lookup.name.endswith(".") else f"{lookup.name}."
    if lookup.outcome is DnsOutcome.OK and lookup.answers:
        return tuple(f"{name} {lookup.rdtype} {answer}" for answer in lookup.answers)
    detail = f" ({lookup.detail})" if lookup.detail else ""
    return (f"{name} {lookup.rdtype}: {lookup.outcome.value}{detail}",)


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class ReverseDns:
    """The PTR of one address and the forward lookup of each name it gives."""

    address: str
    ptr: DnsLookup
    forward: tuple[DnsLookup, ...] = ()  # A (IPv4) or AAAA (IPv6) of each PTR name, in order

    @property
    def version(self) -> int:
        return ipaddress.ip_address(self.address).version

    @property
    def reverse_name(self) -> str:
        return reverse_name(self.address)

    @property
    def names(self) -> tuple[str, ...]:
        """The PTR names, lower case, without the trailing dot."""
        if self.ptr.outcome is not DnsOutcome.OK:
            return ()
        return tuple(dict.fromkeys(answer.lower().rstrip(".") for answer in self.ptr.answers))

    @property
    def confirmed_names(self) -> tuple[str, ...]:
        """The PTR names whose forward lookup gives this address back (FCrDNS)."""
        wanted = ipaddress.ip_address(self.address)
        confirmed: list[str] = []
        for lookup in self.forward:
            if lookup.outcome is DnsOutcome.OK and any(_same_address(a, wanted) for a in lookup.answers):
                confirmed.append(lookup.name.lower().rstrip("."))
        return tuple(confirmed)

    @property
    def confirmed(self) -> bool:
        return bool(self.confirmed_names)


@dataclass(frozen=True, slots=True)
class MxHostFacts:
    host: str  # lower case, no trailing dot
    preference: int
    cname: DnsLookup  # OK: the host is an alias (its target in answers)
    ipv4: DnsLookup
    ipv6: DnsLookup
    reverse: tuple[ReverseDns, ...] = ()  # one per address, IPv4 first

    @property
    def addresses(self) -> tuple[str, ...]:
        """IPv4 then IPv6, each in address order (a resolver rotates the records)."""
        return _sorted_addresses(self.ipv4.answers) + _sorted_addresses(self.ipv6.answers)

    @property
    def ip_literal(self) -> bool:
        """The MX names an IP address ("10 192.0.2.1."), which is not a host name."""
        return _ip_literal(self.host) is not None

    @property
    def cname_target(self) -> str | None:
        if self.cname.outcome is DnsOutcome.OK and self.cname.answers:
            return self.cname.answers[0].lower().rstrip(".")
        return None

    def reverse_of(self, address: str) -> ReverseDns | None:
        return next((item for item in self.reverse if item.address == address), None)


@dataclass(frozen=True, slots=True)
class MxFacts:
    domain: str  # lower case, no trailing dot
    lookup: DnsLookup  # the MX lookup
    records: tuple[MxRecord, ...]  # as published (also a "." beside real hosts), by preference then name
    null_mx: bool = False  # RFC 7505: a single "." record: the domain receives no mail
    hosts: tuple[MxHostFacts, ...] = ()  # the hosts to deliver to, by preference; see implicit
    implicit: bool = False  # no MX: hosts holds the domain itself (RFC 5321 5.1 implicit MX)


def reverse_name(address: str) -> str:
    """The PTR name of an address: "1.2.0.192.in-addr.arpa." or the ip6.arpa nibble name."""
    return dns.reversename.from_address(str(ipaddress.ip_address(address))).to_text()


class _Budget:
    """One deadline for all stages: each lookup gets what is left, at most `per_query`."""

    def __init__(self, timeout: float, per_query: float) -> None:
        self._deadline = time.monotonic() + timeout
        self._per_query = per_query

    def lifetime(self) -> float:
        return max(min(self._per_query, self._deadline - time.monotonic()), _MIN_LIFETIME)


async def lookup_reverse_dns(
    addresses: Sequence[str], dns: DnsClient, *, timeout: float = 10.0, per_query: float = 5.0
) -> tuple[ReverseDns, ...]:
    """PTR and forward confirmation of each address (IPv4 and IPv6), all concurrently.

    Also for a sending IP (`domain --sender-ip`). Addresses that are not IP addresses are
    left out; each address once, in the order given.
    """
    return await _reverse_dns(addresses, dns, _Budget(timeout, per_query))


async def _reverse_dns(addresses: Sequence[str], dns: DnsClient, budget: _Budget) -> tuple[ReverseDns, ...]:
    unique = list(dict.fromkeys(a for a in (_ip_literal(text) for text in addresses) if a is not None))
    lifetime = budget.lifetime()
    ptrs = await asyncio.gather(*(dns.lookup(reverse_name(a), "PTR", lifetime) for a in unique))
    names = [
        tuple(dict.fromkeys(answer.lower() for answer in ptr.answers))[:MAX_PTR_NAMES]
        if ptr.outcome is DnsOutcome.OK
        else ()
        for ptr in ptrs
    ]
    lifetime = budget.lifetime()
    forward = await asyncio.gather(
        *(
            dns.lookup(name, "A" if ipaddress.ip_address(address).version == 4 else "AAAA", lifetime)
            for address, ptr_names in zip(unique, names, strict=True)
            for name in ptr_names
        )
    )
    results: list[ReverseDns] = []
    position = 0
    for address, ptr, ptr_names in zip(unique, ptrs, names, strict=True):
        results.append(ReverseDns(address, ptr, tuple(forward[position : position + len(ptr_names)])))
        position += len(ptr_names)
    return tuple(results)


async def lookup_mx_facts(
    domain: str,
    dns: DnsClient,
    *,
    timeout: float = 10.0,
    per_query: float = 5.0,
    reverse: bool = True,
) -> MxFacts:
    """The MX facts of `domain`; never raises for what DNS does.

    timeout: for everything together (MX, then the hosts, then PTR, then the PTR names'
    addresses); per_query: the most one lookup may wait. reverse=False: no PTR lookups.
    """
    domain = domain.lower().rstrip(".")
    budget = _Budget(timeout, per_query)
    lookup = await dns.lookup(domain, "MX", budget.lifetime())
    if lookup.outcome is DnsOutcome.NODATA:
        targets: list[tuple[str, int]] = [(domain, 0)]
        records: tuple[MxRecord, ...] = ()
        null_mx = False
    elif lookup.outcome is DnsOutcome.OK:
        records = published_records(lookup.answers)
        _, null_mx = order_mx(lookup.answers)
        targets = [] if null_mx else _targets(records)[:MAX_HOSTS]
    else:
        return MxFacts(domain, lookup, ())
    lifetime = budget.lifetime()
    looked_up = await asyncio.gather(
        *(
            asyncio.gather(
                dns.lookup(host, "CNAME", lifetime),
                dns.lookup(host, "A", lifetime),
                dns.lookup(host, "AAAA", lifetime),
            )
            for host, _ in targets
        )
    )
    hosts = [
        MxHostFacts(host, preference, cname, ipv4, ipv6)
        for (host, preference), (cname, ipv4, ipv6) in zip(targets, looked_up, strict=True)
    ]
    if reverse and hosts:
        reversed_all = await _reverse_dns([a for host in hosts for a in host.addresses], dns, budget)
        by_address = {item.address: item for item in reversed_all}
        hosts = [
            _with_reverse(host, tuple(by_address[a] for a in _normalised(host.addresses) if a in by_address))
            for host in hosts
        ]
    return MxFacts(
        domain, lookup, records, null_mx, tuple(hosts), implicit=lookup.outcome is DnsOutcome.NODATA
    )


def _with_reverse(host: MxHostFacts, reverse: tuple[ReverseDns, ...]) -> MxHostFacts:
    return MxHostFacts(host.host, host.preference, host.cname, host.ipv4, host.ipv6, reverse)


def published_records(answers: Sequence[str]) -> tuple[MxRecord, ...]:
    """Every MX record that parses, "." included, by preference then name."""
    return tuple(sorted(parse_mx_answers(answers), key=lambda r: (r.preference, r.exchange)))


def _targets(records: Sequence[MxRecord]) -> list[tuple[str, int]]:
    """Each real MX host once, with its best preference."""
    best: dict[str, int] = {}
    for record in records:
        if record.exchange != "." and record.exchange not in best:
            best[record.exchange] = record.preference
    return list(best.items())


def mx_entries(facts: MxFacts) -> list[dict[str, object]]:
    """The "mx" list of `domain --json` (interface.md): host, preference, addresses.

    An implicit MX (no MX records) is listed as the domain itself with preference 0;
    a null MX gives an empty list.
    """
    return [
        {"host": host.host, "preference": host.preference, "addresses": list(host.addresses)}
        for host in facts.hosts
    ]


# --------------------------------------------------------------------------- judgement


class MxProblem(StrEnum):
    DOMAIN_NXDOMAIN = "DOMAIN_NXDOMAIN"  # the domain does not exist
    MX_LOOKUP_FAILED = "MX_LOOKUP_FAILED"  # SERVFAIL / timeout / refused: the domain's DNS is broken
    NO_MX_IMPLICIT = "NO_MX_IMPLICIT"  # no MX: mail goes to the domain's own A/AAAA
    NO_MAIL_HOST = "NO_MAIL_HOST"  # no MX and no address either: nobody can deliver here
    NULL_MX = "NULL_MX"  # RFC 7505: the domain says it receives no mail
    NULL_MX_MIXED = "NULL_MX_MIXED"  # "." next to real hosts (RFC 7505 3: it must be alone)
    NULL_MX_NONZERO = "NULL_MX_NONZERO"  # a null MX with a preference other than 0
    MX_CNAME = "MX_CNAME"  # the MX names an alias (RFC 5321 5.1, RFC 2181 10.3)
    MX_IP_LITERAL = "MX_IP_LITERAL"  # the MX names an IP address, not a host
    MX_HOST_NXDOMAIN = "MX_HOST_NXDOMAIN"  # the MX host does not exist
    MX_HOST_NO_ADDRESS = "MX_HOST_NO_ADDRESS"  # it exists without A or AAAA
    MX_HOST_LOOKUP_FAILED = "MX_HOST_LOOKUP_FAILED"  # its lookups failed (SERVFAIL, timeout)
    MX_ADDRESS_NOT_PUBLIC = "MX_ADDRESS_NOT_PUBLIC"  # a private, loopback, documentation... address
    PTR_MISSING = "PTR_MISSING"  # the address has no reverse DNS
    PTR_NOT_CONFIRMED = "PTR_NOT_CONFIRMED"  # its PTR names do not lead back to it (no FCrDNS)
    PTR_LOOKUP_FAILED = "PTR_LOOKUP_FAILED"  # unknown: the PTR lookup failed, not "missing"
    PTR_GENERIC = "PTR_GENERIC"  # the PTR looks like an ISP's generic name (192-0-2-1.pool...)


def judge_mx(facts: MxFacts) -> tuple[DomainProblem, ...]:
    """What is wrong with the MX facts; () when nothing is. Pure."""
    domain = facts.domain
    if facts.lookup.outcome is DnsOutcome.NXDOMAIN:
        return (
            problem(
                MxProblem.DOMAIN_NXDOMAIN,
                Severity.ERROR,
                CauseCode.DOMAIN_NOT_RESOLVING,
                evidence=lookup_lines(facts.lookup),
                domain=domain,
            ),
        )
    if facts.lookup.outcome in _FAILED:
        return (
            problem(
                MxProblem.MX_LOOKUP_FAILED,
                Severity.ERROR,
                CauseCode.DOMAIN_NOT_RESOLVING,
                evidence=lookup_lines(facts.lookup),
                domain=domain,
                outcome=facts.lookup.outcome.value,
            ),
        )
    problems: list[DomainProblem] = []
    problems += _null_mx_problems(facts)
    if facts.null_mx:
        return tuple(problems)
    if facts.implicit:
        problems += _implicit_problems(facts)
        if not any(host.addresses for host in facts.hosts):
            return tuple(problems)
    usable = [host for host in facts.hosts if host.addresses and not host.ip_literal]
    for host in facts.hosts:
        problems += _host_problems(facts, host, others_usable=any(other is not host for other in usable))
    for host in facts.hosts:
        for item in host.reverse:
            problems += _reverse_problems(host, item)
    return tuple(problems)


def _null_mx_problems(facts: MxFacts) -> list[DomainProblem]:
    dots = [record for record in facts.records if record.exchange == "."]
    if not dots:
        return []
    domain = facts.domain
    if facts.null_mx:
        found = [
            problem(
                MxProblem.NULL_MX,
                Severity.WARNING,
                None,
                evidence=lookup_lines(facts.lookup),
                domain=domain,
            )
        ]
        if dots[0].preference != 0:
            found.append(
                problem(
                    MxProblem.NULL_MX_NONZERO,
                    Severity.INFO,
                    None,
                    evidence=lookup_lines(facts.lookup),
                    now=(f"{domain}. MX {dots[0].preference} .",),
                    fixed=(f"{domain}. MX 0 .",),
                    domain=domain,
                )
            )
        return found
    return [
        problem(
            MxProblem.NULL_MX_MIXED,
            Severity.WARNING,
            None,
            evidence=lookup_lines(facts.lookup),
            now=tuple(f"{domain}. MX {record.preference} ." for record in dots),
            fixed=(),  # the "." records are removed; the real hosts stay as they are
            domain=domain,
        )
    ]


def _implicit_problems(facts: MxFacts) -> list[DomainProblem]:
    domain = facts.domain
    host = facts.hosts[0] if facts.hosts else None
    evidence = lookup_lines(facts.lookup)
    if host is not None:
        evidence += lookup_lines(host.ipv4) + lookup_lines(host.ipv6)
    if host is not None and host.addresses:
        return [
            problem(
                MxProblem.NO_MX_IMPLICIT,
                Severity.INFO,
                None,
                evidence=evidence,
                domain=domain,
                addresses=", ".join(host.addresses),
            )
        ]
    failed = host is not None and {host.ipv4.outcome, host.ipv6.outcome} & _FAILED
    return [
        problem(
            MxProblem.MX_HOST_LOOKUP_FAILED if failed else MxProblem.NO_MAIL_HOST,
            Severity.ERROR,
            CauseCode.DOMAIN_NOT_RESOLVING,
            evidence=evidence,
            domain=domain,
            host=domain,
        )
    ]


def _host_problems(facts: MxFacts, host: MxHostFacts, *, others_usable: bool) -> list[DomainProblem]:
    domain, name = facts.domain, host.host
    found: list[DomainProblem] = []
    mx_line = f"{domain}. MX {host.preference} {name}."
    if host.ip_literal:
        literal = _ip_literal(name) or name
        record_type = "AAAA" if ":" in literal else "A"
        found.append(
            problem(
                MxProblem.MX_IP_LITERAL,
                Severity.ERROR if not others_usable else Severity.WARNING,
                CauseCode.DOMAIN_NOT_RESOLVING if not others_usable else None,
                evidence=(mx_line,),
                now=(mx_line,),
                fixed=(
                    f"{domain}. MX {host.preference} mail.{domain}.",
                    f"mail.{domain}. {record_type} {literal}",
                ),
                domain=domain,
                host=name,
                address=literal,
            )
        )
        return found
    target = host.cname_target
    if target is not None:
        found.append(
            problem(
                MxProblem.MX_CNAME,
                Severity.WARNING,
                None,
                evidence=(mx_line, *lookup_lines(host.cname)),
                now=(mx_line,),
                fixed=(f"{domain}. MX {host.preference} {target}.",),
                domain=domain,
                host=name,
                target=target,
            )
        )
    if not host.addresses and not facts.implicit:
        outcomes = {host.ipv4.outcome, host.ipv6.outcome}
        if DnsOutcome.NXDOMAIN in outcomes:
            code = MxProblem.MX_HOST_NXDOMAIN
        elif outcomes & _FAILED:
            code = MxProblem.MX_HOST_LOOKUP_FAILED
        else:
            code = MxProblem.MX_HOST_NO_ADDRESS
        found.append(
            problem(
                code,
                Severity.WARNING if others_usable else Severity.ERROR,
                None if others_usable else CauseCode.DOMAIN_NOT_RESOLVING,
                evidence=(mx_line, *lookup_lines(host.ipv4), *lookup_lines(host.ipv6)),
                domain=domain,
                host=name,
            )
        )
    for address in host.addresses:
        parsed = _ip_literal(address)
        if parsed is not None and not ipaddress.ip_address(parsed).is_global:
            record_type = "AAAA" if ":" in parsed else "A"
            found.append(
                problem(
                    MxProblem.MX_ADDRESS_NOT_PUBLIC,
                    Severity.WARNING if others_usable else Severity.ERROR,
                    None,
                    evidence=(mx_line, f"{name}. {record_type} {parsed}"),
                    now=(f"{name}. {record_type} {parsed}",),
                    domain=domain,
                    host=name,
                    address=parsed,
                )
            )
    return found


def _reverse_problems(host: MxHostFacts, item: ReverseDns) -> list[DomainProblem]:
    name, address, reverse = host.host, item.address, item.reverse_name
    family = f"IPv{item.version}"
    record_type = "A" if item.version == 4 else "AAAA"
    params = {"host": name, "address": address, "family": family}
    if item.ptr.outcome in (DnsOutcome.NXDOMAIN, DnsOutcome.NODATA) or (
        item.ptr.outcome is DnsOutcome.OK and not item.names
    ):
        return [
            problem(
                MxProblem.PTR_MISSING,
                Severity.WARNING,
                None,
                evidence=lookup_lines(item.ptr),
                fixed=(f"{reverse} PTR {name}.",),
                **params,
            )
        ]
    if item.ptr.outcome is not DnsOutcome.OK:
        return [
            problem(
                MxProblem.PTR_LOOKUP_FAILED,
                Severity.INFO,
                None,
                evidence=lookup_lines(item.ptr),
                outcome=item.ptr.outcome.value,
                **params,
            )
        ]
    found: list[DomainProblem] = []
    if not item.confirmed:
        evidence = lookup_lines(item.ptr) + tuple(
            line for lookup in item.forward for line in lookup_lines(lookup)
        )
        found.append(
            problem(
                MxProblem.PTR_NOT_CONFIRMED,
                Severity.WARNING,
                None,
                evidence=evidence,
                now=tuple(f"{reverse} PTR {ptr_name}." for ptr_name in item.names),
                # the PTR names the MX host, which resolves to this address
                fixed=(f"{reverse} PTR {name}.", f"{name}. {record_type} {address}"),
                ptr=", ".join(item.names),
                **params,
            )
        )
    generic = [ptr_name for ptr_name in item.names if looks_generic(ptr_name, address)]
    if generic:
        found.append(
            problem(
                MxProblem.PTR_GENERIC,
                Severity.INFO,
                None,
                evidence=lookup_lines(item.ptr),
                now=tuple(f"{reverse} PTR {ptr_name}." for ptr_name in generic),
                fixed=(f"{reverse} PTR {name}.",),
                ptr=", ".join(generic),
                **params,
            )
        )
    return found


_GENERIC_WORDS = re.compile(
    r"(^|[.-])(dyn|dynamic|dhcp|pool|ppp|pppoe|dsl|adsl|vdsl|dialup|dial|cable|broadband|client|customer|"
    r"user|home|unassigned|static|fixed|ftth|flets|catv)[0-9]*([.-]|$)"
)


def looks_generic(ptr_name: str, address: str) -> bool:
    """The PTR name looks made up by an ISP for a range rather than set for a mail server.

    IPv4: the four numbers of the address appear in the name in order or reversed
    (``192-0-2-1.example.net``, ``1.2.0.192.pool.example.net``, ``p192000002001``...), or one of
    the usual words (dynamic, dhcp, pool, ppp, dsl, flets...) with two of its numbers. IPv6:
    not judged (a generic IPv6 PTR carries nibbles, rare enough to leave out). Heuristic:
    the problem it gives is INFO.
    """
    parsed = ipaddress.ip_address(address)
    if parsed.version != 4:
        return False
    name = ptr_name.lower().rstrip(".")
    octets = str(parsed).split(".")
    for order in (octets, octets[::-1]):
        if re.search(r"(^|\D)" + r"[.\-_x]?".join(order) + r"(\D|$)", name):
            return True
        if "".join(f"{int(o):03d}" for o in order) in name:
            return True
    numbers = re.findall(r"\d+", name)
    in_name = sum(1 for octet in octets if octet in numbers)
    return bool(_GENERIC_WORDS.search(name)) and in_name >= 2


def _ip_literal(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip("[]").rstrip(".")))
    except ValueError:
        return None


def _sorted_addresses(answers: Iterable[str]) -> tuple[str, ...]:
    parsed = [(_ip_literal(answer), answer) for answer in answers]
    good = sorted({ipaddress.ip_address(normal) for normal, _ in parsed if normal is not None})
    return tuple(str(address) for address in good) + tuple(
        answer for normal, answer in parsed if normal is None
    )


def _normalised(addresses: Iterable[str]) -> list[str]:
    return [a for a in (_ip_literal(text) for text in addresses) if a is not None]


def _same_address(text: str, wanted: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    try:
        return ipaddress.ip_address(text) == wanted
    except ValueError:
        return False


__all__ = [
    "MAX_HOSTS",
    "MAX_PTR_NAMES",
    "DomainProblem",
    "MxFacts",
    "MxHostFacts",
    "MxProblem",
    "ReverseDns",
    "judge_mx",
    "looks_generic",
    "lookup_lines",
    "lookup_mx_facts",
    "lookup_reverse_dns",
    "mx_entries",
    "problem",
    "published_records",
    "reverse_name",
]
