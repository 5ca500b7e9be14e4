"""Mail servers from SRV records (RFC 6186, with RFC 8314's implicit-TLS labels).

Six names are asked at once: ``_submissions._tcp``, ``_submission._tcp``, ``_imaps._tcp``,
``_imap._tcp``, ``_pop3s._tcp``, ``_pop3._tcp``. The ``s`` labels mean implicit TLS
(Security.SSL), the others STARTTLS. A single record whose target is "." says the service
is not offered (RFC 2782, RFC 6186 section 3.4).

Order (srv_candidates, pure, no sockets): by priority across the services of one direction
(RFC 6186 section 3.4: the lowest priority value wins, also between IMAP and POP3); at equal
priority implicit TLS first (RFC 8314 section 5.1), then IMAP before POP3 (RFC 6186), then
the higher weight, then the name (so the order is stable; RFC 2782's weighted random pick
is for spreading load, not for choosing settings). The login name RFC 6186 says to try
first is the whole address.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from maildoctor.discover.candidates import ServerCandidate, Source, unique_servers
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import Protocol, Security
from maildoctor.net.resolver import DnsClient


@dataclass(frozen=True, slots=True)
class SrvService:
    label: str  # "_imaps._tcp"
    protocol: Protocol
    security: Security

    @property
    def incoming(self) -> bool:
        return self.protocol is not Protocol.SMTP


SRV_SERVICES: tuple[SrvService, ...] = (
    SrvService("_submissions._tcp", Protocol.SMTP, Security.SSL),
    SrvService("_submission._tcp", Protocol.SMTP, Security.STARTTLS),
    SrvService("_imaps._tcp", Protocol.IMAP, Security.SSL),
    SrvService("_imap._tcp", Protocol.IMAP, Security.STARTTLS),
    SrvService("_pop3s._tcp", Protocol.POP3, Security.SSL),
    SrvService("_pop3._tcp", Protocol.POP3, Security.STARTTLS),
)
_BY_LABEL = {service.label: service for service in SRV_SERVICES}


@dataclass(frozen=True, slots=True)
class SrvRecord:
    priority: int
    weight: int
    port: int
    target: str  # lower case, without the trailing dot; "." for "not offered"

    @classmethod
    def parse(cls, text: str) -> SrvRecord:
        """dnspython's text form, "0 1 993 mail.example.test."; ValueError otherwise."""
        fields = text.split()
        if len(fields) != 4 or not all(field.isdigit() for field in fields[:3]):
            raise ValueError(f"not an SRV record: {text!r}")
        target = fields[3].lower()
        return cls(
            int(fields[0]), int(fields[1]), int(fields[2]), "." if target == "." else target.rstrip(".")
        )

    @property
    def not_offered(self) -> bool:
        return self.target == "."


@dataclass(frozen=True, slots=True)
class SrvCandidates:
    incoming: tuple[ServerCandidate, ...]  # best first
    outgoing: tuple[ServerCandidate, ...]  # best first
    not_offered: tuple[str, ...] = ()  # labels answered with target "." ("_pop3._tcp")


@dataclass(frozen=True, slots=True)
class SrvDiscovery:
    domain: str
    lookups: tuple[DnsLookup, ...]  # one per SRV_SERVICES, in that order
    incoming: tuple[ServerCandidate, ...]
    outgoing: tuple[ServerCandidate, ...]
    not_offered: tuple[str, ...] = ()

    @property
    def candidates(self) -> tuple[ServerCandidate, ...]:
        return self.incoming + self.outgoing


def srv_candidates(records: Mapping[str, Sequence[SrvRecord]], address: str) -> SrvCandidates:
    """Candidates from each label's records ({"_imaps._tcp": [SrvRecord, ...]}), ordered."""
    ranked: list[tuple[tuple[int, int, int, int, str, int], ServerCandidate]] = []
    not_offered: list[str] = []
    for label, answers in records.items():
        service = _BY_LABEL.get(label)
        if service is None:
            raise ValueError(f"not a mail SRV label: {label!r}")
        if any(record.not_offered for record in answers):
            # RFC 2782: "." alone means "decidedly not available"; next to real targets it is
            # a mistake, and the real targets are still what a mail program would use
            if all(record.not_offered for record in answers):
                not_offered.append(label)
            answers = [record for record in answers if not record.not_offered]
        for record in answers:
            if not 0 < record.port < 65536:
                continue
            key = (
                record.priority,
                0 if service.security is Security.SSL else 1,
                0 if service.protocol is Protocol.IMAP else 1,
                -record.weight,
                record.target,
                record.port,
            )
            candidate = ServerCandidate(
                service.protocol, record.target, record.port, service.security, address, source=Source.SRV
            )
            ranked.append((key, candidate))
    ordered = [candidate for _, candidate in sorted(ranked, key=lambda item: item[0])]
    return SrvCandidates(
        unique_servers(c for c in ordered if c.protocol is not Protocol.SMTP),
        unique_servers(c for c in ordered if c.protocol is Protocol.SMTP),
        tuple(service.label for service in SRV_SERVICES if service.label in not_offered),
    )


async def lookup_srv(address: str, dns: DnsClient, lifetime: float = 5.0) -> SrvDiscovery:
    """Ask the six SRV names of the address's domain at once; never raises for what DNS does."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an email address: {address!r}")
    domain = domain.lower().rstrip(".")
    lookups = await asyncio.gather(
        *(dns.lookup(f"{service.label}.{domain}", "SRV", lifetime) for service in SRV_SERVICES)
    )
    records: dict[str, list[SrvRecord]] = {}
    for service, lookup in zip(SRV_SERVICES, lookups, strict=True):
        if lookup.outcome is not DnsOutcome.OK:
            continue
        parsed = []
        for answer in lookup.answers:
            try:
                parsed.append(SrvRecord.parse(answer))
            except ValueError:
                continue
        records[service.label] = parsed
    found = srv_candidates(records, address)
    return SrvDiscovery(domain, tuple(lookups), found.incoming, found.outgoing, found.not_offered)


__all__ = [
    "SRV_SERVICES",
    "SrvCandidates",
    "SrvDiscovery",
    "SrvRecord",
    "SrvService",
    "lookup_srv",
    "srv_candidates",
]
