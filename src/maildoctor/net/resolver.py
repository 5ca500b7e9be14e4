"""DNS lookups as facts: NXDOMAIN, SERVFAIL, no data and timeout told apart.

dnspython's resolver with its configuration passed in, never global: the system's resolvers,
or the ones given with --dns (the lab's server in tests).
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rcode
import dns.resolver

from maildoctor.facts import DnsLookup, DnsOutcome, HostResolution


@dataclass(frozen=True, slots=True)
class Nameserver:
    host: str
    port: int = 53

    @classmethod
    def parse(cls, text: str) -> Nameserver:
        """HOST, HOST:PORT, [V6]:PORT or a bare IPv6 address."""
        text = text.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            return cls(host, int(rest[1:]) if rest.startswith(":") else 53)
        if text.count(":") == 1:
            host, port = text.split(":")
            return cls(host, int(port))
        return cls(text)


class DnsClient:
    def __init__(self, nameservers: Sequence[Nameserver] = (), attempt_timeout: float = 2.0) -> None:
        if nameservers:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(ns.host, ns.port) for ns in nameservers]
        else:
            resolver = dns.asyncresolver.Resolver(configure=True)
        resolver.timeout = attempt_timeout
        resolver.cache = None
        self._resolver = resolver

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup:
        started = time.monotonic()

        def done(outcome: DnsOutcome, answers: tuple[str, ...] = (), detail: str = "") -> DnsLookup:
            return DnsLookup(name, rdtype, outcome, answers, int((time.monotonic() - started) * 1000), detail)

        try:
            answer = await self._resolver.resolve(name, rdtype, lifetime=max(lifetime, 0.05), search=False)
        except dns.resolver.NXDOMAIN:
            return done(DnsOutcome.NXDOMAIN)
        except dns.resolver.NoAnswer:
            return done(DnsOutcome.NODATA)
        except dns.resolver.NoNameservers as exc:
            return done(_no_nameservers_outcome(exc), detail=_short(exc))
        except dns.exception.Timeout as exc:
            return done(DnsOutcome.TIMEOUT, detail=_short(exc))
        except (dns.exception.DNSException, OSError, ValueError) as exc:
            return done(DnsOutcome.ERROR, detail=_short(exc))
        return done(DnsOutcome.OK, tuple(_rdata_text(rdata) for rdata in answer))

    async def resolve_host(self, host: str, lifetime: float) -> HostResolution:
        literal = _ip_literal(host)
        if literal is not None:  # an address typed as the server name needs no DNS
            v4 = (literal,) if ":" not in literal else ()
            v6 = (literal,) if ":" in literal else ()
            return HostResolution(
                host,
                DnsLookup(host, "A", DnsOutcome.OK if v4 else DnsOutcome.NODATA, v4),
                DnsLookup(host, "AAAA", DnsOutcome.OK if v6 else DnsOutcome.NODATA, v6),
            )
        ipv4, ipv6 = await asyncio.gather(
            self.lookup(host, "A", lifetime), self.lookup(host, "AAAA", lifetime)
        )
        return HostResolution(host, ipv4, ipv6)


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _rdata_text(rdata: object) -> str:
    address = getattr(rdata, "address", None)
    if isinstance(address, str):
        return address
    exchange = getattr(rdata, "exchange", None)
    if exchange is not None:
        return f"{getattr(rdata, 'preference', '')} {exchange}".strip()
    return str(rdata)


def _no_nameservers_outcome(exc: dns.resolver.NoNameservers) -> DnsOutcome:
    errors = exc.kwargs.get("errors", []) if hasattr(exc, "kwargs") else []
    text = str(exc)
    rcodes = {str(error[3]) for error in errors if len(error) > 3}
    if "SERVFAIL" in text or any("SERVFAIL" in rcode for rcode in rcodes):
        return DnsOutcome.SERVFAIL
    if "REFUSED" in text:
        return DnsOutcome.REFUSED
    return DnsOutcome.ERROR


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
